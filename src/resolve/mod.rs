//! Resolving the six policy scopes into one effective policy and its hash.
//!
//! This module owns scope-file discovery, validation, the merge, `policy_hash`, the
//! `--emit` file and the `resolve` subcommand. Everything observable is byte-compatible
//! with the reference resolver (policy-contract's `resolve.py`): its merge quirks
//! (`merge.rs`), PyYAML's YAML 1.1 typing (`load.rs`) and Python's `json.dumps` output
//! ([`python_json_dumps_sorted`]), so existing hashes and snapshots stay valid.
//!
//! It never writes host files or the wrapper bundle (the renderer does, from a
//! [`Resolved`]) and never reads the environment; only [`cli`] expands `~`.
//!
//! Improvements over the reference, all documented where they are made: `.yml` and `.json`
//! scope files are accepted beside `.yaml`; a missing `--task-instance` file is an error
//! rather than silently ignored; every `commands.deny`/`commands.require` entry that a
//! lower scope drops is reported ([`DroppedEntry`]), and `--strict` refuses them.

pub mod cli;
mod error;
mod load;
mod merge;
mod pyjson;
pub mod strict;
mod value;

use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use error::ResolveError;
pub use pyjson::{python_json_dumps_indented, python_json_dumps_sorted};

use load::LoadError;
use value::{PyMap, PyValue, map_get};

/// One of the six policy scopes, in merge order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Machine-wide baseline.
    System,
    /// The operator's preferences.
    User,
    /// The repository's policy.
    Repo,
    /// One harness (codex, claude, …).
    Harness,
    /// One kind of task (deployment, query, …).
    TaskDomain,
    /// One task; optional.
    TaskInstance,
}

impl Scope {
    /// All scopes in merge order.
    pub const ORDER: [Scope; 6] = [
        Scope::System,
        Scope::User,
        Scope::Repo,
        Scope::Harness,
        Scope::TaskDomain,
        Scope::TaskInstance,
    ];

    /// The word the `scope:` key must hold (`task_domain` with an underscore).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::System => "system",
            Scope::User => "user",
            Scope::Repo => "repo",
            Scope::Harness => "harness",
            Scope::TaskDomain => "task_domain",
            Scope::TaskInstance => "task_instance",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to resolve: the reference's `--root`, `--harness`, `--task-domain`,
/// `--task-instance`, `--system`, `--user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveRequest {
    /// Directory holding `policy-config/` (or `policy-contract/policy-config/`).
    pub root: PathBuf,
    /// Harness name: `policy-config/harness/<name>.yaml`.
    pub harness: String,
    /// Task domain name: `policy-config/task-domain/<name>.yaml`.
    pub task_domain: String,
    /// Optional task-instance file.
    pub task_instance: Option<PathBuf>,
    /// System file to use instead of `policy-config/system.yaml`.
    pub system: Option<PathBuf>,
    /// User file to use instead of `policy-config/user.yaml`.
    pub user: Option<PathBuf>,
}

/// The effective policy and where it came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The merged policy.
    pub policy: serde_json::Value,
    /// SHA-256 hex of `python_json_dumps_sorted(&policy)`.
    pub policy_hash: String,
    /// `(scope, absolute path)` of every file merged, in merge order.
    pub scopes: Vec<(String, PathBuf)>,
    /// Deny/require entries that a lower scope dropped by replacing the list.
    pub warnings: Vec<DroppedEntry>,
    /// Keys the format does not have, one per file at most (an error where a decision
    /// depends on it: [`resolve_strict`]; a warning in `resolve`, which the reference's
    /// consumers also run on files with keys of their own).
    pub unknown_keys: Vec<strict::UnknownKey>,
    /// The merged policy in the reference's dict insertion order, so stdout can match
    /// the reference byte for byte (`policy` is key-sorted).
    ordered: PyValue,
    /// Number of files in the requested chain (5, or 6 with a task instance).
    chain_length: usize,
    /// Number of files in the chain that exist (an empty task-instance file exists but
    /// is not merged, as in the reference).
    existing: usize,
}

/// Which `commands` list an entry was dropped from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DroppedList {
    /// `commands.deny`.
    Deny,
    /// `commands.require` (request).
    Require,
}

impl DroppedList {
    /// `deny` or `require`.
    pub fn as_str(self) -> &'static str {
        match self {
            DroppedList::Deny => "deny",
            DroppedList::Require => "require",
        }
    }
}

/// An entry of `commands.deny`/`commands.require` that a lower scope silently dropped
/// by declaring its own list (the reference replaces these lists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DroppedEntry {
    /// The list it was in.
    pub list: DroppedList,
    /// The entry (non-string entries as compact JSON).
    pub entry: String,
    /// The file that declared it.
    pub declared_in: PathBuf,
    /// The file whose list replaced it.
    pub dropped_by: PathBuf,
}

impl DroppedEntry {
    /// One-line description for warnings and errors.
    pub fn describe(&self) -> String {
        format!(
            "`{}` replaces `commands.{}` and drops `{}` declared in `{}`",
            self.dropped_by.display(),
            self.list.as_str(),
            self.entry,
            self.declared_in.display()
        )
    }
}

impl Resolved {
    /// The `{"policy_hash", "scopes", "policy"}` payload in the reference's key order
    /// (what it prints under `"policy"` on stdout).
    fn payload(&self) -> PyValue {
        PyValue::Map(vec![
            (
                "policy_hash".to_owned(),
                PyValue::Str(self.policy_hash.clone()),
            ),
            ("scopes".to_owned(), scopes_value(&self.scopes)),
            ("policy".to_owned(), self.ordered.clone()),
        ])
    }
}

fn scopes_value(scopes: &[(String, PathBuf)]) -> PyValue {
    PyValue::Seq(
        scopes
            .iter()
            .map(|(scope, path)| {
                PyValue::Seq(vec![
                    PyValue::Str(scope.clone()),
                    PyValue::Str(path.to_string_lossy().into_owned()),
                ])
            })
            .collect(),
    )
}

/// SHA-256 hex of Python's `json.dumps(policy, sort_keys=True)`.
pub fn policy_hash(policy: &serde_json::Value) -> String {
    let digest = Sha256::digest(python_json_dumps_sorted(policy).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `--emit` file: `{"policy", "policy_hash", "scopes": [[scope, path], …]}` as
/// Python's `json.dumps(payload, indent=2, sort_keys=True) + "\n"` (ASCII-only).
pub fn emit_json(resolved: &Resolved) -> String {
    let payload = PyValue::Map(vec![
        ("policy".to_owned(), PyValue::from_json(&resolved.policy)),
        (
            "policy_hash".to_owned(),
            PyValue::Str(resolved.policy_hash.clone()),
        ),
        ("scopes".to_owned(), scopes_value(&resolved.scopes)),
    ]);
    let mut out = pyjson::dumps(
        &payload,
        pyjson::Layout {
            indent: Some(2),
            sort_keys: true,
        },
    );
    out.push('\n');
    out
}

/// Resolves the scope chain into one policy, as the reference's `resolve.py` does.
///
/// Files are loaded and checked in scope order, so the first problem in merge order is the
/// one reported. Paths in [`Resolved::scopes`] are absolute, with `root` and the explicit
/// files resolved like Python's `Path.resolve()`.
pub fn resolve(req: &ResolveRequest) -> Result<Resolved, ResolveError> {
    resolve_with_repo(req, None)
}

/// Like [`resolve`], with the repo scope read from `repo` instead of the tree's own
/// `repo.yaml`: the repository a command runs in supplies its own scope (per-project
/// policy), the rest comes from the installed tree.
pub fn resolve_with_repo(
    req: &ResolveRequest,
    repo: Option<&Path>,
) -> Result<Resolved, ResolveError> {
    UNKNOWN_KEYS.with(|u| u.borrow_mut().clear());
    let result = resolve_inner(req, repo);
    let unknown = UNKNOWN_KEYS.with(|u| std::mem::take(&mut *u.borrow_mut()));
    result.map(|mut r| {
        r.unknown_keys = unknown;
        r
    })
}

/// Like [`resolve_with_repo`], refusing a file with a key the format does not have (a
/// typo such as `command_rule:` would silently drop a rule): for everything that judges
/// commands with the result.
pub fn resolve_strict(req: &ResolveRequest, repo: Option<&Path>) -> Result<Resolved, ResolveError> {
    let resolved = resolve_with_repo(req, repo)?;
    match resolved.unknown_keys.first() {
        Some(unknown) => Err(unknown.to_error()),
        None => Ok(resolved),
    }
}

thread_local! {
    /// Unknown keys found while loading the files of one resolve.
    static UNKNOWN_KEYS: std::cell::RefCell<Vec<strict::UnknownKey>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

fn resolve_inner(req: &ResolveRequest, repo: Option<&Path>) -> Result<Resolved, ResolveError> {
    check_name("--harness", &req.harness, "codex")?;
    check_name("--task-domain", &req.task_domain, "deployment")?;
    let root = resolve_path(&req.root)?;
    let config = config_root(&root)?;

    let explicit = |p: &Option<PathBuf>| -> Result<Option<PathBuf>, ResolveError> {
        p.as_deref()
            .filter(|p| !p.as_os_str().is_empty())
            .map(resolve_path)
            .transpose()
    };
    let mut chain: Vec<(Scope, PathBuf)> = vec![
        (
            Scope::System,
            explicit(&req.system)?.unwrap_or_else(|| discover(&config, "system")),
        ),
        (
            Scope::User,
            explicit(&req.user)?.unwrap_or_else(|| discover(&config, "user")),
        ),
        (
            Scope::Repo,
            match repo {
                Some(r) => resolve_path(r)?,
                None => discover(&config, "repo"),
            },
        ),
        (
            Scope::Harness,
            discover(&config.join("harness"), &req.harness),
        ),
        (
            Scope::TaskDomain,
            discover(&config.join("task-domain"), &req.task_domain),
        ),
    ];
    if let Some(instance) = explicit(&req.task_instance)? {
        chain.push((Scope::TaskInstance, instance));
    }

    let mut docs: Vec<(Scope, PathBuf, PyMap)> = Vec::with_capacity(chain.len());
    let mut existing = 0;
    for (scope, path) in &chain {
        let doc = load_scope_file(*scope, path)?;
        existing += 1;
        if let Some(doc) = doc {
            docs.push((*scope, path.clone(), doc));
        }
    }

    let mut merged = PyMap::new();
    for (_, path, doc) in &docs {
        merged = merge::merge_top(merged, doc, path)?;
    }
    let files: Vec<(PathBuf, &PyMap)> = docs.iter().map(|(_, p, d)| (p.clone(), d)).collect();
    let warnings = merge::dropped_entries(&files);

    let ordered = PyValue::Map(merged);
    let policy = ordered
        .to_json("")
        .map_err(|u| ResolveError::Unrepresentable {
            key: u.key_path,
            value: u.value,
            reason: u.reason,
        })?;
    let policy_hash = policy_hash(&policy);
    Ok(Resolved {
        policy,
        policy_hash,
        scopes: docs
            .iter()
            .map(|(scope, path, _)| (scope.as_str().to_owned(), path.clone()))
            .collect(),
        warnings,
        unknown_keys: Vec::new(),
        ordered,
        chain_length: chain.len(),
        existing,
    })
}

/// The reference's `_validate_scope_identifier`: a bare file stem.
fn check_name(flag: &'static str, value: &str, example: &'static str) -> Result<(), ResolveError> {
    let mut chars = value.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(ResolveError::InvalidName {
            flag,
            value: value.to_owned(),
            example,
        })
    }
}

/// The policy-config directory under `root` (`<root>/policy-config`, else
/// `<root>/policy-contract/policy-config`), as `resolve` finds it; for the governance
/// tools, which walk the same tree.
pub fn config_dir(root: &Path) -> Result<PathBuf, ResolveError> {
    config_root(&resolve_path(root)?)
}

/// The scope file for `stem` in `dir` (`.yaml` > `.yml` > `.json`), if one exists.
pub fn find_scope_file(dir: &Path, stem: &str) -> Option<PathBuf> {
    // [`discover`] without its fallback name: one `stat` per candidate, none twice.
    ["yaml", "yml", "json"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|p| p.exists())
}

/// Python's `Path.resolve()` (non-strict), as `resolve` applies it to `--root` and the
/// explicit files: the form in which [`Resolved::scopes`] names them.
pub fn absolute_path(path: &Path) -> Result<PathBuf, ResolveError> {
    resolve_path(path)
}

/// Reads one scope file as JSON, typed exactly as `resolve` types it (YAML 1.1 for
/// `.yaml`/`.yml`, JSON for `.json`). No scope or version checks: the caller validates.
/// An empty YAML document is `null`.
pub fn read_document(path: &Path) -> Result<serde_json::Value, ResolveError> {
    let bytes = crate::files::read_regular(path, crate::files::MAX_POLICY_FILE).map_err(|e| {
        ResolveError::Unreadable {
            path: path.to_path_buf(),
            source: e.into(),
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ResolveError::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    let is_json = path.extension().is_some_and(|e| e == "json");
    let parsed = if is_json {
        load::parse_json(&text)
    } else {
        load::parse_yaml(&text)
    };
    let doc = parsed.map_err(|e| load_error(path, if is_json { "JSON" } else { "YAML" }, e))?;
    doc.to_json("").map_err(|u| ResolveError::Unsupported {
        path: path.to_path_buf(),
        problem: format!(
            "sets `{}` to `{}`, which {}: quote it",
            u.key_path, u.value, u.reason
        ),
    })
}

/// `<root>/policy-config`, else `<root>/policy-contract/policy-config`.
fn config_root(root: &Path) -> Result<PathBuf, ResolveError> {
    [
        root.join("policy-config"),
        root.join("policy-contract").join("policy-config"),
    ]
    .into_iter()
    .find(|candidate| candidate.exists())
    .ok_or_else(|| ResolveError::NoConfigRoot {
        root: root.to_path_buf(),
    })
}

/// `<dir>/<stem>.yaml`, `.yml` or `.json`, first that exists (the `.yaml` path if none,
/// so the missing-file message names the usual spelling).
///
/// The reference resolver reads only `.yaml`; accepting `.yml` and `.json` with the same
/// precedence as its validation tools is a documented improvement.
fn discover(dir: &Path, stem: &str) -> PathBuf {
    ["yaml", "yml", "json"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|p| p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}.yaml")))
}

/// Python's `Path.resolve()` (non-strict): absolute, symlinks resolved as far as the path
/// exists, `..` applied to what is left.
fn resolve_path(path: &Path) -> Result<PathBuf, ResolveError> {
    let absolute = std::path::absolute(path).map_err(|e| {
        ResolveError::Internal(format!("cannot make `{}` absolute: {e}", path.display()))
    })?;
    if let Ok(canonical) = std::fs::canonicalize(&absolute) {
        return Ok(canonical);
    }
    let mut out = PathBuf::new();
    let mut exists = true;
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => out.push(component.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                if exists {
                    match std::fs::canonicalize(&out) {
                        Ok(canonical) => out = canonical,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Loads and checks one scope file, in the reference's order: existence, syntax, empty,
/// mapping, list shapes, `policy_version`, `scope`. `None` for an empty task-instance file,
/// which the reference skips.
fn load_scope_file(scope: Scope, path: &Path) -> Result<Option<PyMap>, ResolveError> {
    if !path.exists() {
        // Improvement: the reference silently ignores a missing `--task-instance` file.
        return Err(ResolveError::MissingFile {
            scope,
            path: path.to_path_buf(),
        });
    }
    let bytes = crate::files::read_regular(path, crate::files::MAX_POLICY_FILE).map_err(|e| {
        ResolveError::Unreadable {
            path: path.to_path_buf(),
            source: e.into(),
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ResolveError::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    let is_json = path.extension().is_some_and(|e| e == "json");
    let parsed = if is_json {
        load::parse_json(&text)
    } else {
        load::parse_yaml(&text)
    };
    let doc = parsed.map_err(|e| load_error(path, if is_json { "JSON" } else { "YAML" }, e))?;
    if doc.is_falsy() {
        if scope == Scope::TaskInstance {
            return Ok(None);
        }
        return Err(ResolveError::EmptyFile {
            scope,
            path: path.to_path_buf(),
        });
    }
    let PyValue::Map(doc) = doc else {
        return Err(ResolveError::NotMapping {
            path: path.to_path_buf(),
            found: doc.kind(),
        });
    };
    merge::check_append_paths(&doc, path)?;
    if let Err(unknown) = strict::check(&doc, path, &text) {
        UNKNOWN_KEYS.with(|u| u.borrow_mut().push(unknown));
    }
    match map_get(&doc, "policy_version") {
        Some(PyValue::Str(v)) if v == "v1" => {}
        found => {
            return Err(ResolveError::BadVersion {
                path: path.to_path_buf(),
                found: found.map(scalar_text),
            });
        }
    }
    match map_get(&doc, "scope") {
        Some(PyValue::Str(s)) if s == scope.as_str() => {}
        found => {
            return Err(ResolveError::ScopeMismatch {
                path: path.to_path_buf(),
                expected: scope,
                found: found.map(scalar_text),
            });
        }
    }
    Ok(Some(doc))
}

/// A value as the user wrote it, for messages (`v2`, `1`, `null`).
fn scalar_text(v: &PyValue) -> String {
    match v {
        PyValue::Str(s) | PyValue::Timestamp(s) => s.clone(),
        other => pyjson::dumps(
            other,
            pyjson::Layout {
                indent: None,
                sort_keys: false,
            },
        ),
    }
}

fn load_error(path: &Path, format: &'static str, e: LoadError) -> ResolveError {
    let path = path.to_path_buf();
    match e {
        LoadError::Syntax(message) => ResolveError::Syntax {
            path,
            format,
            message,
        },
        LoadError::NonStringKey { key, at } => ResolveError::Unsupported {
            path,
            problem: format!(
                "has mapping key `{key}` {}, which YAML 1.1 (the reference's reader) does not read as a string: quote the key",
                place(&at)
            ),
        },
        LoadError::BadScalar { text, reason } => ResolveError::Unsupported {
            path,
            problem: format!("has value `{text}`, which {reason} in YAML 1.1: quote it or fix it"),
        },
        LoadError::BadMerge { at } => ResolveError::Unsupported {
            path,
            problem: format!(
                "merges (`<<`) something other than a mapping or a list of mappings {}: merge mappings only",
                place(&at)
            ),
        },
        LoadError::Internal(what) => ResolveError::Internal(format!("{}: {what}", path.display())),
    }
}

/// Where in a document a problem is, for messages.
fn place(at: &str) -> String {
    if at.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("under `{at}`")
    }
}
