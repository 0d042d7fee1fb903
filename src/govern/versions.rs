//! `policy-exec versions`: every scope file declares a `policy_version` from the allowed
//! list (default `v1`), and all files declare the same one.
//!
//! Exit codes follow the reference's version checker: 0 ok, 2 some file has no
//! `policy_version`, 3 no scope files found, 4 a file is invalid (unreadable,
//! unparseable, a non-string version, or a version not allowed), 5 files declare
//! different versions, 10 internal. When several apply: 3, then 4, then 2, then 5.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::{GovernError, print_json, scope_label};

/// Flags of `policy-exec versions`.
#[derive(Debug, Clone, clap::Args)]
pub struct VersionsArgs {
    /// Repo root containing policy-config/ (default: the current directory)
    #[arg(long, conflicts_with = "input")]
    pub root: Option<PathBuf>,
    /// Check only these files (repeatable) instead of the whole tree
    #[arg(long, num_args = 1..)]
    pub input: Vec<PathBuf>,
    /// Allowed versions, comma-separated
    #[arg(long, value_delimiter = ',', default_value = "v1")]
    pub allowed: Vec<String>,
    /// Print a JSON report on stdout
    #[arg(long)]
    pub json: bool,
}

/// How one file fares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Declares an allowed version.
    Ok,
    /// Declares no `policy_version`.
    Missing,
    /// Declares a version outside the allowed list.
    NotAllowed,
    /// Cannot be read, or its version is not a string.
    Invalid,
}

/// One file's entry.
#[derive(Debug, Clone, Serialize)]
pub struct FileVersion {
    /// The file.
    pub path: String,
    /// Its slot (or declared scope).
    pub scope: String,
    /// The version it declares.
    pub policy_version: Option<String>,
    /// How it fares.
    pub status: Status,
    /// What is wrong and what to do, when not ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The `--json` report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Exit code 0.
    pub ok: bool,
    /// The exit code.
    pub exit_code: u8,
    /// The allowed versions.
    pub allowed_versions: Vec<String>,
    /// Each version declared, with the files declaring it.
    pub observed_versions: BTreeMap<String, Vec<String>>,
    /// Files without a `policy_version`.
    pub missing_required: Vec<String>,
    /// Every file.
    pub files: Vec<FileVersion>,
}

/// Runs `policy-exec versions` and returns its exit code.
pub fn run_versions(args: &VersionsArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let report = match versions(args) {
        Ok(report) => report,
        Err(GovernError::Resolve(e)) if e.code() == "missing" => {
            // No policy-config directory at all: nothing to check.
            return none_found(args, &e.to_string(), out, err);
        }
        Err(e) => {
            let _ = writeln!(err, "policy-exec: {e}");
            return 10;
        }
    };
    if report.files.is_empty() {
        return none_found(
            args,
            "no scope files found: pass `--root` at a tree with policy-config/ or `--input` files",
            out,
            err,
        );
    }
    let written = if args.json {
        print_json(out, &report)
    } else {
        write_text(&report, out, err)
    };
    if written.is_err() {
        return 10;
    }
    report.exit_code
}

fn none_found(args: &VersionsArgs, message: &str, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if args.json {
        let v = serde_json::json!({"ok": false, "exit_code": 3, "allowed_versions": args.allowed,
            "observed_versions": {}, "missing_required": [], "files": [], "error": message});
        let _ = print_json(out, &v);
    }
    let _ = writeln!(err, "policy-exec: {message}");
    3
}

/// Checks every file and builds the report.
pub fn versions(args: &VersionsArgs) -> Result<Report, GovernError> {
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let found = if args.input.is_empty() {
        super::discover(&root)?
    } else {
        super::inputs(&args.input)
    };
    let allowed: Vec<String> = args
        .allowed
        .iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    let mut files = Vec::new();
    let mut observed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for missing in found.missing.iter().filter(|_| !args.input.is_empty()) {
        files.push(FileVersion {
            path: missing.path.clone(),
            scope: missing.scope.clone(),
            policy_version: None,
            status: Status::Invalid,
            message: Some("does not exist: check the `--input` path".to_owned()),
        });
    }
    for file in &found.files {
        let path = file.path.display().to_string();
        let doc = match crate::resolve::read_document(&file.path) {
            Ok(doc) => doc,
            Err(e) => {
                files.push(FileVersion {
                    path,
                    scope: scope_label(file, None),
                    policy_version: None,
                    status: Status::Invalid,
                    message: Some(e.to_string()),
                });
                continue;
            }
        };
        let scope = scope_label(file, Some(&doc));
        // An empty file is skipped by `resolve` and accepted by `validate` (an optional
        // task instance); anything but a mapping is invalid, not "missing a version".
        if doc.is_null() {
            continue;
        }
        if !doc.is_object() {
            files.push(FileVersion {
                path,
                scope,
                policy_version: None,
                status: Status::Invalid,
                message: Some("is not a mapping of policy keys: fix the file".to_owned()),
            });
            continue;
        }
        let (version, status, message) = match doc.get("policy_version") {
            None | Some(Value::Null) => (
                None,
                Status::Missing,
                Some(format!(
                    "has no `policy_version`: add `policy_version: {}`",
                    allowed.first().map_or("v1", String::as_str)
                )),
            ),
            Some(Value::String(v)) if allowed.contains(v) => (Some(v.clone()), Status::Ok, None),
            Some(Value::String(v)) => (
                Some(v.clone()),
                Status::NotAllowed,
                Some(format!(
                    "declares `policy_version: {v}`, which is not allowed ({}): change it or pass `--allowed`",
                    allowed.join(", ")
                )),
            ),
            Some(other) => (
                None,
                Status::Invalid,
                Some(format!(
                    "declares `policy_version: {other}`, which is not a string: write e.g. `policy_version: v1`"
                )),
            ),
        };
        if let Some(v) = &version {
            observed.entry(v.clone()).or_default().push(path.clone());
        }
        files.push(FileVersion {
            path,
            scope,
            policy_version: version,
            status,
            message,
        });
    }
    let has = |s: Status| files.iter().any(|f| f.status == s);
    let missing_required: Vec<String> = files
        .iter()
        .filter(|f| f.status == Status::Missing)
        .map(|f| f.path.clone())
        .collect();
    let exit_code = if has(Status::Invalid) || has(Status::NotAllowed) {
        4
    } else if !missing_required.is_empty() {
        2
    } else if observed.len() > 1 {
        5
    } else {
        0
    };
    Ok(Report {
        ok: exit_code == 0,
        exit_code,
        allowed_versions: allowed,
        observed_versions: observed,
        missing_required,
        files,
    })
}

fn write_text(report: &Report, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
    for file in &report.files {
        if let Some(message) = &file.message {
            writeln!(err, "policy-exec: `{}` {message}", file.path)?;
        }
    }
    if report.observed_versions.len() > 1 {
        let parts: Vec<String> = report
            .observed_versions
            .iter()
            .map(|(v, files)| format!("{v} ({} files)", files.len()))
            .collect();
        writeln!(
            err,
            "policy-exec: scope files declare different versions: {}: bring them to one version",
            parts.join(", ")
        )?;
    }
    let versions: Vec<&str> = report
        .observed_versions
        .keys()
        .map(String::as_str)
        .collect();
    if report.ok {
        writeln!(
            out,
            "ok: {} scope files declare policy_version {}",
            report.files.len(),
            versions.join(", ")
        )
    } else {
        writeln!(
            out,
            "failed: {} scope files, versions seen: {} (exit {})",
            report.files.len(),
            if versions.is_empty() {
                "none".to_owned()
            } else {
                versions.join(", ")
            },
            report.exit_code
        )
    }
}
