//! [`ResolveError`]: everything that stops a resolve, with the file, the offending text and
//! what to do, and the reference's exit code for it.

use std::io;
use std::path::PathBuf;

use super::{DroppedEntry, Scope};

/// Why a resolve failed. `Display` is one lowercase line without the `policy-exec: `
/// prefix (the CLI adds it); [`ResolveError::exit_code`] is the reference's exit code.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// `--harness` or `--task-domain` is not a plain file stem.
    #[error(
        "`{flag}` value `{value}` must be a plain name matching `[A-Za-z0-9][A-Za-z0-9._-]*`: pass the file stem, e.g. `{flag} {example}`"
    )]
    InvalidName {
        /// The flag, with its dashes.
        flag: &'static str,
        /// What was passed.
        value: String,
        /// A valid example for the message.
        example: &'static str,
    },

    /// A flag needs another one (`--host-out-dir` without `--emit-host-rules`).
    #[error("`{flag}` requires `{requires}`: add `{requires}` or drop `{flag}`")]
    FlagRequires {
        /// The flag given.
        flag: &'static str,
        /// The flag it needs.
        requires: &'static str,
    },

    /// A key the policy format does not have (a typo would silently drop a rule).
    #[error(
        "scope file `{}`{}: unknown key `{key}`{}{}: fix or remove it (`policy-exec validate` checks the whole tree)",
        path.display(),
        line.map(|l| format!(" line {l}")).unwrap_or_default(),
        rule.as_ref().map(|r| format!(" in {r}")).unwrap_or_default(),
        suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default()
    )]
    UnknownKey {
        /// The file.
        path: PathBuf,
        /// The key as written.
        key: String,
        /// Where it is, when found in the text.
        line: Option<usize>,
        /// The rule it is in (`command_rules[2]` or its id), when in a rule.
        rule: Option<String>,
        /// The closest known key, when one is close.
        suggestion: Option<String>,
    },

    /// A rule cannot be compiled, or one of its `examples` disagrees with it.
    #[error("{}", problems.join("; "))]
    RulesInvalid {
        /// Every problem, each naming the rule and its file.
        problems: Vec<String>,
    },

    /// `--emit-host-rules` without `--host-out-dir`.
    #[error(
        "`--emit-host-rules` needs `--host-out-dir DIR`: say where to write the bundle and manifest"
    )]
    HostRulesUnavailable,

    /// Neither `<root>/policy-config` nor `<root>/policy-contract/policy-config` exists.
    #[error(
        "no policy config under `{}`: expected `policy-config/` or `policy-contract/policy-config/` there; pass `--root` or run `policy-exec init`",
        root.display()
    )]
    NoConfigRoot {
        /// The (absolute) root that was searched.
        root: PathBuf,
    },

    /// A scope file that must exist does not.
    #[error("{} scope file `{}` does not exist: {}", scope.as_str(), path.display(), missing_hint(*scope, path))]
    MissingFile {
        /// The scope slot.
        scope: Scope,
        /// The path looked for (the `.yaml` spelling when discovered).
        path: PathBuf,
    },

    /// A scope file exists but could not be read.
    #[error("cannot read scope file `{}`: {source}: check that it is a readable file", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// A scope file is not UTF-8.
    #[error("scope file `{}` is not valid UTF-8: save it as UTF-8", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },

    /// A scope file is not valid YAML (or JSON, for `.json` files).
    #[error("scope file `{}` is not valid {format}: {message}: fix the syntax", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// `YAML` or `JSON`.
        format: &'static str,
        /// The parser's message, with its line and column.
        message: String,
    },

    /// A scope file's content cannot be typed the way the reference types it.
    #[error("scope file `{}` {problem}", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do, as a sentence tail.
        problem: String,
    },

    /// A required scope file is empty (or holds only a falsy value such as `0` or `[]`).
    #[error(
        "{} scope file `{}` is empty: add `policy_version: v1`, `scope: {}` and its policy",
        scope.as_str(), path.display(), scope.as_str()
    )]
    EmptyFile {
        /// The scope slot.
        scope: Scope,
        /// The file.
        path: PathBuf,
    },

    /// The document is not a mapping.
    #[error(
        "scope file `{}` holds {found} at the top level, expected a mapping: start it with `policy_version: v1` and `scope: …`",
        path.display()
    )]
    NotMapping {
        /// The file.
        path: PathBuf,
        /// What it holds ("a list", "a string").
        found: &'static str,
    },

    /// `policy_version` is missing, not a string, or not `v1`.
    #[error("scope file `{}` {}: set `policy_version: v1`", path.display(), version_problem(found.as_deref()))]
    BadVersion {
        /// The file.
        path: PathBuf,
        /// The value found, as text (`None` when the key is absent).
        found: Option<String>,
    },

    /// `scope` is missing or names another slot.
    #[error(
        "scope file `{}` {}, expected `{}`: fix its `scope:` key",
        path.display(), scope_problem(found.as_deref()), expected.as_str()
    )]
    ScopeMismatch {
        /// The file.
        path: PathBuf,
        /// The slot the file was loaded for.
        expected: Scope,
        /// The `scope` value found, as text (`None` when absent).
        found: Option<String>,
    },

    /// A key holds the wrong kind of value, in the file itself or against earlier scopes.
    #[error("scope file `{}` sets `{key}` to {found}, {expected}", path.display())]
    WrongType {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        key: String,
        /// What it holds ("a string").
        found: &'static str,
        /// What was expected and what to do, as a sentence tail.
        expected: &'static str,
    },

    /// The merged policy holds a value the reference cannot hash or JSON cannot hold.
    #[error(
        "the merged policy sets `{key}` to `{value}`, which {reason}: quote it in the scope file that sets it"
    )]
    Unrepresentable {
        /// The dotted key.
        key: String,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// `--strict`: a lower scope's `commands.deny`/`commands.require` dropped entries.
    #[error("{}", strict_message(entries))]
    DroppedEntries {
        /// Every dropped entry (never empty).
        entries: Vec<DroppedEntry>,
    },

    /// The `--emit` file could not be written.
    #[error("cannot write `--emit` file `{}`: {source}: check that its directory exists and is writable", path.display())]
    EmitWrite {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// A bug in the resolver.
    #[error("internal resolver error: {0}: please report it")]
    Internal(String),
}

fn missing_hint(scope: Scope, path: &std::path::Path) -> String {
    let choose = |flag: &str| {
        let dir = path.parent().unwrap_or(std::path::Path::new("."));
        let names = scope_names(dir);
        if names.is_empty() {
            format!("create it (`.yaml`, `.yml` or `.json`) or check `{flag}`")
        } else {
            format!(
                "`{flag}` can be {} (the files in `{}`), or create it",
                names.join(", "),
                dir.display()
            )
        }
    };
    match scope {
        Scope::System => "create it (`.yaml`, `.yml` or `.json`) or point `--system` at one".into(),
        Scope::User => "create it (`.yaml`, `.yml` or `.json`) or point `--user` at one".into(),
        Scope::Repo => "create it (`.yaml`, `.yml` or `.json`) or check `--root`".into(),
        Scope::Harness => choose("--harness"),
        Scope::TaskDomain => choose("--task-domain"),
        Scope::TaskInstance => "check the `--task-instance` path".into(),
    }
}

/// The scope names a directory offers (`harness/*.yaml|yml|json` stems), sorted.
fn scope_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
                })
                .filter_map(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.dedup();
    names
}

fn version_problem(found: Option<&str>) -> String {
    match found {
        None => "has no `policy_version`".to_owned(),
        Some(v) => format!("declares `policy_version: {v}`, which is not `v1`"),
    }
}

fn scope_problem(found: Option<&str>) -> String {
    match found {
        None => "has no `scope` key".to_owned(),
        Some(s) => format!("declares scope `{s}`"),
    }
}

fn strict_message(entries: &[DroppedEntry]) -> String {
    let Some(first) = entries.first() else {
        return "no entries were dropped".to_owned();
    };
    let more = match entries.len() - 1 {
        0 => String::new(),
        1 => " (and 1 more entry)".to_owned(),
        n => format!(" (and {n} more entries)"),
    };
    format!(
        "{}{more}; `--strict` refuses dropped entries: restate them in the lower file or move hard constraints to `command_rules`",
        first.describe()
    )
}

impl ResolveError {
    /// The reference resolver's exit code: 2 argument, 3 missing file, 4 invalid file,
    /// 5 internal.
    pub fn exit_code(&self) -> u8 {
        match self.code() {
            "arg" => 2,
            "missing" => 3,
            "invalid" => 4,
            _ => 5,
        }
    }

    /// The reference's `code` word for `--json` failures: `arg`, `missing`, `invalid`,
    /// `internal`.
    pub fn code(&self) -> &'static str {
        match self {
            ResolveError::InvalidName { .. }
            | ResolveError::FlagRequires { .. }
            | ResolveError::HostRulesUnavailable => "arg",
            ResolveError::NoConfigRoot { .. } | ResolveError::MissingFile { .. } => "missing",
            ResolveError::RulesInvalid { .. } | ResolveError::UnknownKey { .. } => "invalid",
            // The reference catches `FileNotFoundError` before `OSError`, so an `--emit`
            // path in a missing directory is "missing" and any other write error internal.
            ResolveError::EmitWrite { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                "missing"
            }
            // An unreadable file is an `OSError` the reference only catches as internal.
            ResolveError::Unreadable { .. }
            | ResolveError::EmitWrite { .. }
            | ResolveError::Internal(_) => "internal",
            // Malformed YAML is `yaml.YAMLError` in the reference, which falls through to
            // its internal-error handler (5). It is an invalid file, so we say 4.
            ResolveError::NotUtf8 { .. }
            | ResolveError::Syntax { .. }
            | ResolveError::Unsupported { .. }
            | ResolveError::EmptyFile { .. }
            | ResolveError::NotMapping { .. }
            | ResolveError::BadVersion { .. }
            | ResolveError::ScopeMismatch { .. }
            | ResolveError::WrongType { .. }
            | ResolveError::Unrepresentable { .. }
            | ResolveError::DroppedEntries { .. } => "invalid",
        }
    }

    /// The file the error is about, when there is one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            ResolveError::NoConfigRoot { root: path }
            | ResolveError::MissingFile { path, .. }
            | ResolveError::Unreadable { path, .. }
            | ResolveError::NotUtf8 { path }
            | ResolveError::Syntax { path, .. }
            | ResolveError::Unsupported { path, .. }
            | ResolveError::EmptyFile { path, .. }
            | ResolveError::NotMapping { path, .. }
            | ResolveError::BadVersion { path, .. }
            | ResolveError::ScopeMismatch { path, .. }
            | ResolveError::WrongType { path, .. }
            | ResolveError::UnknownKey { path, .. }
            | ResolveError::EmitWrite { path, .. } => Some(path),
            ResolveError::InvalidName { .. }
            | ResolveError::FlagRequires { .. }
            | ResolveError::HostRulesUnavailable
            | ResolveError::Unrepresentable { .. }
            | ResolveError::DroppedEntries { .. }
            | ResolveError::RulesInvalid { .. }
            | ResolveError::Internal(_) => None,
        }
    }
}
