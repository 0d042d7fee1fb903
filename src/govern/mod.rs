//! Governance tools for policy trees: `validate` (our JSON Schema plus semantic checks),
//! `versions` (every file declares an allowed `policy_version`), `snapshot` (canonical
//! `policy_hash` snapshots with drift detection), `init` (a scaffolded tree, with rule
//! packs enabled on request) and `test` (policy test files: commands and the decision
//! each must get, judged in temporary clean or dirty repositories).
//!
//! This module owns scope-file discovery for whole trees (every harness, task domain and
//! task instance, not one resolve chain) and the reports these commands print. It reads
//! files through [`crate::resolve`] so a file is typed exactly as `resolve` types it, and
//! compiles rules with [`crate::policy`] so `validate` accepts what the engine accepts.
//! It never writes outside the paths a command was given (`init DIR`, `snapshot --output`,
//! the canonical snapshot directory, `test`'s own temporary directories) and never reads
//! the environment.

pub mod init;
pub mod policy_test;
mod schema;
mod semantic;
pub mod snapshot;
pub mod validate;
pub mod versions;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::resolve::{ResolveError, Scope};

/// Extensions of scope files, in discovery precedence (`.yaml` > `.yml` > `.json`).
pub(crate) const EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// A failure of a governance command that is not a finding about a file.
#[derive(Debug, thiserror::Error)]
pub enum GovernError {
    /// The tree or a file could not be found or read the way `resolve` reads it.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A directory of the tree could not be listed.
    #[error("cannot list `{}` ({source}): check that it is a readable directory", path.display())]
    ListDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write `{}` ({source}): check that the directory exists and is writable", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The policy schema is missing or does not compile (validate's exit 3, as the
    /// reference's validator: a scope file that breaks the schema is exit 5).
    #[error("the policy schema is broken ({0}): rebuild policy-exec from an intact checkout")]
    Schema(String),
    /// Our own invariant broke.
    #[error("internal error: {0}")]
    Internal(String),
}

/// One scope file to check: where it is and which slot it fills, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeFile {
    /// The file.
    pub path: PathBuf,
    /// The slot its place in the tree gives it (`None` for an `--input` file whose path
    /// says nothing; its own `scope:` key is then trusted).
    pub slot: Option<Scope>,
}

/// A required scope file (or directory of them) that is not there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// The path looked for (`…/harness/*.yaml` for an empty slot directory).
    pub path: String,
    /// The slot.
    pub scope: String,
}

/// The scope files of a tree, or the `--input` files.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// Files to check, in scope order.
    pub files: Vec<ScopeFile>,
    /// Required files that are not there.
    pub missing: Vec<Missing>,
    /// The policy-config directory, when the files came from a tree.
    pub config_dir: Option<PathBuf>,
}

/// One problem in one file, located by a JSON pointer into the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// JSON pointer (RFC 6901) of the offending value; empty for the whole document.
    pub pointer: String,
    /// What is wrong and what to change, one lowercase line.
    pub message: String,
}

impl Finding {
    /// A finding at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// Finds every scope file under `<root>/policy-config/` (or
/// `<root>/policy-contract/policy-config/`): `system`, `user`, `repo` (required),
/// `harness/*` and `task-domain/*` (at least one each), `task-instance/*` (optional).
/// Each stem is taken once, by extension precedence.
pub fn discover(root: &Path) -> Result<Files, GovernError> {
    let config = crate::resolve::config_dir(root)?;
    let mut out = Files {
        config_dir: Some(config.clone()),
        ..Files::default()
    };
    for (scope, stem) in [
        (Scope::System, "system"),
        (Scope::User, "user"),
        (Scope::Repo, "repo"),
    ] {
        match crate::resolve::find_scope_file(&config, stem) {
            Some(path) => out.files.push(ScopeFile {
                path,
                slot: Some(scope),
            }),
            None => out.missing.push(Missing {
                path: config.join(format!("{stem}.yaml")).display().to_string(),
                scope: scope.as_str().to_owned(),
            }),
        }
    }
    for (scope, dir, required) in [
        (Scope::Harness, "harness", true),
        (Scope::TaskDomain, "task-domain", true),
        (Scope::TaskInstance, "task-instance", false),
    ] {
        let dir = config.join(dir);
        let stems = stems_in(&dir)?;
        if stems.is_empty() && required {
            out.missing.push(Missing {
                path: dir.join("*.yaml").display().to_string(),
                scope: scope.as_str().to_owned(),
            });
        }
        for stem in stems {
            if let Some(path) = crate::resolve::find_scope_file(&dir, &stem) {
                out.files.push(ScopeFile {
                    path,
                    slot: Some(scope),
                });
            }
        }
    }
    Ok(out)
}

/// The `--input` files, with the slot their path implies (`…/harness/x.yaml` is a
/// harness file, `…/system.yaml` the system file); files that do not exist are missing.
pub fn inputs(paths: &[PathBuf]) -> Files {
    let mut out = Files::default();
    for path in paths {
        let slot = slot_from_path(path);
        if path.is_file() {
            out.files.push(ScopeFile {
                path: path.clone(),
                slot,
            });
        } else {
            out.missing.push(Missing {
                path: path.display().to_string(),
                scope: slot.map_or("unknown", Scope::as_str).to_owned(),
            });
        }
    }
    out
}

/// The slot a path implies by its directory or stem.
fn slot_from_path(path: &Path) -> Option<Scope> {
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str());
    match parent {
        Some("harness") => return Some(Scope::Harness),
        Some("task-domain") => return Some(Scope::TaskDomain),
        Some("task-instance") => return Some(Scope::TaskInstance),
        _ => {}
    }
    match path.file_stem().and_then(|s| s.to_str()) {
        Some("system") => Some(Scope::System),
        Some("user") => Some(Scope::User),
        Some("repo") => Some(Scope::Repo),
        _ => None,
    }
}

/// Stems of the scope files in `dir` (sorted, each once); none when `dir` does not exist.
pub fn stems_in(dir: &Path) -> Result<Vec<String>, GovernError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(GovernError::ListDir {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut stems = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| GovernError::ListDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let is_scope_file = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e));
        if !is_scope_file || !path.is_file() {
            continue;
        }
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            stems.push(stem.to_owned());
        }
    }
    stems.sort();
    stems.dedup();
    Ok(stems)
}

/// The scope word a file is reported under: its slot, else its own `scope:` key.
fn scope_label(file: &ScopeFile, doc: Option<&serde_json::Value>) -> String {
    match file.slot {
        Some(slot) => slot.as_str().to_owned(),
        None => doc
            .and_then(|d| d.get("scope"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or("unknown")
            .to_owned(),
    }
}

/// Writes `value` as indented JSON and a newline.
fn print_json(out: &mut dyn std::io::Write, value: &impl Serialize) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    writeln!(out, "{text}")
}
