//! `policy-exec validate`: every scope file of a tree (or the `--input` files) against
//! our JSON Schema, then the semantic checks, then (for a tree) every resolve chain.
//!
//! Exit codes follow the reference's validator: 0 valid, 2 argument error (clap),
//! 3 the schema itself is missing or broken, 4 a required file is missing (unless
//! `--allow-missing`), 5 a file is invalid (unparseable, breaks the schema, or a semantic
//! failure: unknown predicate, bad matcher, example that disagrees, chain that does not
//! resolve, dropped entry with `--strict`), 10 internal. Missing files win over invalid
//! ones; each finding says whether it is a parse, schema or semantic problem, in the
//! order a policy author has to fix them.
//!
//! With neither `--root` nor `--input`, the tree is `./policy-config` when there is one,
//! else the installed policy (`$XDG_CONFIG_HOME/policy-exec/policy-config`).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::{Files, Finding, GovernError, Missing, ScopeFile, print_json, scope_label};
use crate::resolve::{DroppedEntry, ResolveRequest, Scope};

/// Flags of `policy-exec validate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateArgs {
    /// Repo root containing policy-config/ (default: the current directory)
    #[arg(long, conflicts_with = "input")]
    pub root: Option<PathBuf>,
    /// Validate only these files (repeatable) instead of the whole tree
    #[arg(long, num_args = 1..)]
    pub input: Vec<PathBuf>,
    /// Report missing required files without failing
    #[arg(long)]
    pub allow_missing: bool,
    /// Print a JSON report on stdout
    #[arg(long)]
    pub json: bool,
    /// Fail (exit 5) when a lower scope drops a commands.deny/require entry
    #[arg(long)]
    pub strict: bool,
}

/// What kind of problem a finding is; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The file cannot be read as a document.
    Parse,
    /// The document breaks the schema.
    Schema,
    /// The document is schema-valid but the engine would refuse or misread it.
    Semantic,
}

/// One problem in a file.
#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    /// JSON pointer into the document (empty for the whole file).
    pub pointer: String,
    /// parse | schema | semantic.
    pub kind: Kind,
    /// What is wrong and what to change.
    pub message: String,
}

/// The report for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file.
    pub path: String,
    /// Its slot (or declared scope for an `--input` file).
    pub scope: String,
    /// No errors.
    pub ok: bool,
    /// Its errors, by pointer.
    pub errors: Vec<FileError>,
}

/// One resolve chain (harness × task domain) that failed.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    /// The harness.
    pub harness: String,
    /// The task domain.
    pub task_domain: String,
    /// The task-instance file, when the chain has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_instance: Option<String>,
    /// Why it does not resolve or compile.
    pub error: String,
}

/// A warning: an entry a lower scope drops (an error with `--strict`).
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    /// Always `dropped_entry`.
    pub kind: &'static str,
    /// One line, with what to do.
    pub message: String,
    /// The entry as recorded by the resolver.
    #[serde(flatten)]
    pub entry: DroppedEntry,
}

/// The whole `--json` report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Nothing failed (missing files count only without `--allow-missing`).
    pub ok: bool,
    /// The exit code.
    pub exit_code: u8,
    /// The schema's `$id`.
    pub schema: String,
    /// Number of files checked.
    pub checked: usize,
    /// Every file checked.
    pub files: Vec<FileReport>,
    /// Required files that are not there.
    pub missing: Vec<Missing>,
    /// Resolve chains that fail although each file is valid.
    pub chains: Vec<ChainReport>,
    /// Dropped entries.
    pub warnings: Vec<Warning>,
    /// Settings a repo, harness, task-domain or task-instance scope sets that only the
    /// system and user scopes may set (loosening enforcement, the log): ignored.
    pub ignored_settings: Vec<String>,
    /// With `--strict`, warnings are errors.
    pub strict: bool,
}

/// Runs `policy-exec validate` and returns its exit code.
pub fn run_validate(args: &ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match validate(args) {
        Ok(report) => {
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
        Err(e) => {
            let code = error_code(&e);
            if args.json {
                let v = serde_json::json!({"ok": false, "exit_code": code, "error": e.to_string()});
                let _ = print_json(out, &v);
            }
            let _ = writeln!(err, "policy-exec: {e}");
            code
        }
    }
}

/// The exit code of a validation that could not run (the reference's table).
fn error_code(e: &GovernError) -> u8 {
    match e {
        GovernError::Resolve(r) if r.code() == "missing" => 4,
        GovernError::Resolve(r) if r.code() == "arg" => 2,
        GovernError::Schema(_) => 3,
        _ => 10,
    }
}

/// The tree `validate` checks when given none: the current directory's, else the
/// installed one, else the current directory (whose error then names both).
fn default_root() -> PathBuf {
    let here = PathBuf::from(".");
    if crate::resolve::config_dir(&here).is_ok() {
        return here;
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let installed = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| h.join(".config")))
        .map(|c| c.join("policy-exec"));
    installed
        .filter(|i| crate::resolve::config_dir(i).is_ok())
        .unwrap_or(here)
}

/// Validates and builds the report (with its exit code).
pub fn validate(args: &ValidateArgs) -> Result<Report, GovernError> {
    let root = args.root.clone().unwrap_or_else(default_root);
    let files: Files = if args.input.is_empty() {
        super::discover(&root)?
    } else {
        super::inputs(&args.input)
    };
    let mut reports = Vec::with_capacity(files.files.len());
    for file in &files.files {
        reports.push(check_file(file)?);
    }
    let mut chains = Vec::new();
    let mut warnings: Vec<Warning> = Vec::new();
    let mut ignored: Vec<String> = Vec::new();
    let all_valid = reports.iter().all(|r| r.ok);
    if let (Some(config), true) = (&files.config_dir, all_valid && files.missing.is_empty()) {
        check_chains(&root, config, &mut chains, &mut warnings, &mut ignored)?;
    }
    let worst = |kind: Kind| {
        reports
            .iter()
            .flat_map(|r| &r.errors)
            .any(|e| e.kind == kind)
    };
    let exit_code = if !files.missing.is_empty() && !args.allow_missing {
        4
    } else if worst(Kind::Parse)
        || worst(Kind::Schema)
        || worst(Kind::Semantic)
        || !chains.is_empty()
        || (args.strict && !warnings.is_empty())
    {
        5
    } else {
        0
    };
    Ok(Report {
        ok: exit_code == 0,
        exit_code,
        schema: schema_id(),
        checked: reports.len(),
        files: reports,
        missing: files.missing,
        chains,
        warnings,
        ignored_settings: ignored,
        strict: args.strict,
    })
}

/// The embedded schema's `$id`.
fn schema_id() -> String {
    serde_json::from_str::<Value>(super::schema::SCHEMA_TEXT)
        .ok()
        .and_then(|s| s.get("$id").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

/// Parses, schema-checks and (when schema-valid) semantically checks one file.
fn check_file(file: &ScopeFile) -> Result<FileReport, GovernError> {
    let path = file.path.display().to_string();
    let doc = match crate::resolve::read_document(&file.path) {
        Ok(doc) => doc,
        Err(e) => {
            if e.code() == "internal"
                && !matches!(e, crate::resolve::ResolveError::Unreadable { .. })
            {
                return Err(e.into());
            }
            return Ok(FileReport {
                path,
                scope: scope_label(file, None),
                ok: false,
                errors: vec![FileError {
                    pointer: String::new(),
                    kind: Kind::Parse,
                    message: e.to_string(),
                }],
            });
        }
    };
    let scope = scope_label(file, Some(&doc));
    // The reference skips an empty task-instance file; every other file needs content.
    if doc.is_null() && file.slot == Some(Scope::TaskInstance) {
        return Ok(FileReport {
            path,
            scope,
            ok: true,
            errors: Vec::new(),
        });
    }
    let tag = |kind: Kind| {
        move |f: Finding| FileError {
            pointer: f.pointer,
            kind,
            message: f.message,
        }
    };
    let mut errors: Vec<FileError> = super::schema::check(&doc)?
        .into_iter()
        .map(tag(Kind::Schema))
        .collect();
    if errors.is_empty() {
        errors.extend(
            super::semantic::check(&doc, file.slot)
                .into_iter()
                .map(tag(Kind::Semantic)),
        );
    }
    Ok(FileReport {
        path,
        scope,
        ok: errors.is_empty(),
        errors,
    })
}

/// Resolves every harness × task-domain chain of the tree, collecting dropped entries
/// and the chains that fail to resolve or compile although each file is valid (a merge
/// type conflict, one rule id used by two different rules in two files).
fn check_chains(
    root: &Path,
    config: &Path,
    chains: &mut Vec<ChainReport>,
    warnings: &mut Vec<Warning>,
    ignored: &mut Vec<String>,
) -> Result<(), GovernError> {
    let harnesses = super::stems_in(&config.join("harness"))?;
    let domains = super::stems_in(&config.join("task-domain"))?;
    // Each task instance is also resolved on top of every harness and task domain: its
    // drops and conflicts only show in such a chain.
    let mut instances: Vec<Option<std::path::PathBuf>> = vec![None];
    if let Ok(entries) = std::fs::read_dir(config.join("task-instance")) {
        let mut found: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| super::EXTENSIONS.contains(&e))
            })
            .collect();
        found.sort();
        instances.extend(found.into_iter().map(Some));
    }
    for harness in &harnesses {
        for domain in &domains {
            for instance in &instances {
                let request = ResolveRequest {
                    root: root.to_path_buf(),
                    harness: harness.clone(),
                    task_domain: domain.clone(),
                    task_instance: instance.clone(),
                    system: None,
                    user: None,
                };
                let failure = match crate::resolve::resolve(&request) {
                    Ok(resolved) => {
                        for entry in &resolved.warnings {
                            if !warnings.iter().any(|w| &w.entry == entry) {
                                warnings.push(Warning {
                                kind: "dropped_entry",
                                message: format!(
                                    "{}: restate it in the lower file or move it to `command_rules`",
                                    entry.describe()
                                ),
                                entry: entry.clone(),
                            });
                            }
                        }
                        match crate::render::bundle_for(&resolved, root) {
                            Ok(bundle) => {
                                for note in bundle.ignored_settings {
                                    if !ignored.contains(&note) {
                                        ignored.push(note);
                                    }
                                }
                                None
                            }
                            Err(e) => Some(e.to_string()),
                        }
                    }
                    Err(e) => Some(e.to_string()),
                };
                if let Some(error) = failure {
                    chains.push(ChainReport {
                        harness: harness.clone(),
                        task_domain: domain.clone(),
                        task_instance: instance.as_ref().map(|p| p.display().to_string()),
                        error,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Plain output: one line per problem on stderr, a summary on stdout.
fn write_text(report: &Report, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
    for missing in &report.missing {
        let what = if report.exit_code == 4 {
            "error"
        } else {
            "warning"
        };
        writeln!(
            err,
            "policy-exec: {what}: required {} scope file `{}` is missing: create it (`policy-exec init` scaffolds a tree) or pass `--allow-missing`",
            missing.scope, missing.path
        )?;
    }
    for file in &report.files {
        for e in &file.errors {
            let place = if e.pointer.is_empty() {
                String::new()
            } else {
                format!(" at `{}`", e.pointer)
            };
            writeln!(
                err,
                "policy-exec: {} error in `{}`{place}: {}",
                kind_word(e.kind),
                file.path,
                e.message
            )?;
        }
    }
    // The same problem in many chains is one problem: name it once, with its chains.
    let mut grouped: Vec<(&str, Vec<String>)> = Vec::new();
    for chain in &report.chains {
        let instance = chain
            .task_instance
            .as_ref()
            .map(|i| format!(" + `{i}`"))
            .unwrap_or_default();
        let name = format!("{}/{}{instance}", chain.harness, chain.task_domain);
        match grouped.iter_mut().find(|(e, _)| *e == chain.error.as_str()) {
            Some((_, names)) => names.push(name),
            None => grouped.push((chain.error.as_str(), vec![name])),
        }
    }
    for (error, names) in grouped {
        writeln!(
            err,
            "policy-exec: error: {} (harness/task-domain) do{} not resolve: {error}",
            names.join(", "),
            if names.len() == 1 { "es" } else { "" }
        )?;
    }
    let level = if report.strict { "error" } else { "warning" };
    for warning in &report.warnings {
        writeln!(err, "policy-exec: {level}: {}", warning.message)?;
    }
    for note in &report.ignored_settings {
        writeln!(err, "policy-exec: warning: {note}")?;
    }
    let bad = report.files.iter().filter(|f| !f.ok).count();
    if report.ok {
        writeln!(out, "ok: {} scope files valid", report.checked)
    } else {
        writeln!(
            out,
            "invalid: {bad} of {} scope files have errors, {} missing, {} failing chains (exit {})",
            report.checked,
            report.missing.len(),
            report.chains.len(),
            report.exit_code
        )
    }
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Parse => "parse",
        Kind::Schema => "schema",
        Kind::Semantic => "semantic",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_schema_is_exit_3_and_an_internal_failure_exit_10() {
        assert_eq!(error_code(&GovernError::Schema("x".into())), 3);
        assert_eq!(error_code(&GovernError::Internal("x".into())), 10);
    }
}
