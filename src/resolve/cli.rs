//! The `resolve` subcommand: the reference's flags, stdout shapes and exit codes.
//!
//! On success the reference always prints JSON on stdout (indent 2, insertion order,
//! ASCII-only): `{"policy": {"policy_hash", "scopes", "policy"}}`, or with `--json` the
//! envelope `{"code": "ok", "message": "policy resolved", "details": {...}, "result":
//! {"policy": {...}}}`. On failure it prints one line on stderr, or with `--json` the
//! envelope `{"code": "arg|missing|invalid|internal", "message", "details"?}` on stdout.
//! Both are reproduced here; dropped-entry warnings go to stderr (plain mode) or
//! `details.warnings` (`--json`, only when there are any).
//!
//! Host rules (`--emit-host-rules`, `--include-conditional`, `--host-out-dir`,
//! `--apply-host-rules`) are parsed here but rendered by the caller: it calls
//! [`resolve_from_args`] and hands the [`Resolved`] to the renderer.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::pyjson::{Layout, dumps};
use super::value::PyValue;
use super::{DroppedEntry, ResolveError, ResolveRequest, Resolved, resolve, resolve_path};

/// Flags of `policy-exec resolve`, named and defaulted as the reference's `resolve.py`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct ResolveArgs {
    /// Repo root containing policy-config/ (or policy-contract/policy-config/)
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Harness identifier: `policy-config/harness/<name>.yaml` (default: the one the
    /// installation was resolved with, else `default`)
    #[arg(long)]
    pub harness: Option<String>,
    /// Task domain identifier: `policy-config/task-domain/<name>.yaml` (default: the
    /// installation's, else `default`)
    #[arg(long)]
    pub task_domain: Option<String>,
    /// Optional task-instance policy file
    #[arg(long)]
    pub task_instance: Option<PathBuf>,
    /// System policy file to use instead of policy-config/system.yaml
    #[arg(long)]
    pub system: Option<PathBuf>,
    /// User policy file to use instead of policy-config/user.yaml
    #[arg(long)]
    pub user: Option<PathBuf>,
    /// Print a JSON envelope on success and on failure
    #[arg(long)]
    pub json: bool,
    /// Write the resolved policy JSON to this file
    #[arg(long)]
    pub emit: Option<PathBuf>,
    /// Emit cross-host command policy fragments
    #[arg(long)]
    pub emit_host_rules: bool,
    /// Apply host policy fragments to live tool configs (with --emit-host-rules)
    #[arg(long)]
    pub apply_host_rules: bool,
    /// Output directory for host-specific policy files (requires --emit-host-rules)
    #[arg(long)]
    pub host_out_dir: Option<PathBuf>,
    /// Include conditional rules in host files instead of only reporting them
    #[arg(long)]
    pub include_conditional: bool,
    /// Fail (exit 4) when a lower scope drops a commands.deny/require entry
    #[arg(long)]
    pub strict: bool,
}

/// The installation: `$XDG_CONFIG_HOME/policy-exec`, else `~/.config/policy-exec`.
pub fn installation_dir() -> PathBuf {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_default()
        .join("policy-exec")
}

/// The harness and task-domain scopes an installation was resolved with (the stems of
/// the files its `policy.json` names), else `default` for each.
pub fn installed_scopes(config: &Path) -> (String, String) {
    let scopes = std::fs::read_to_string(config.join("policy.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("scopes").and_then(|s| s.as_array()).cloned())
        .unwrap_or_default();
    let stem = |scope: &str| {
        scopes.iter().find_map(|pair| {
            (pair.get(0)?.as_str()? == scope).then_some(())?;
            let p = Path::new(pair.get(1)?.as_str()?);
            Some(p.file_stem()?.to_string_lossy().into_owned())
        })
    };
    (
        stem("harness").unwrap_or_else(|| "default".into()),
        stem("task_domain").unwrap_or_else(|| "default".into()),
    )
}

/// Argparse treats an empty string like an absent option (`if args.system:`).
fn given(p: &Option<PathBuf>) -> Option<&Path> {
    p.as_deref().filter(|p| !p.as_os_str().is_empty())
}

/// Python's `Path.expanduser()` for `~` and `~/…`.
fn expand_user(path: &Path) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else {
        return path.to_path_buf();
    };
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}

/// Resolves as `resolve` does: checks flag combinations, resolves, applies `--strict`,
/// and writes the `--emit` file. This is the hook for `--emit-host-rules`: the caller
/// renders host artifacts from the returned [`Resolved`].
pub fn resolve_from_args(args: &ResolveArgs) -> Result<Resolved, ResolveError> {
    if given(&args.host_out_dir).is_some() && !args.emit_host_rules {
        return Err(ResolveError::FlagRequires {
            flag: "--host-out-dir",
            requires: "--emit-host-rules",
        });
    }
    let installed = installed_scopes(&installation_dir());
    let request = ResolveRequest {
        root: args.root.clone(),
        harness: args.harness.clone().unwrap_or_else(|| installed.0.clone()),
        task_domain: args.task_domain.clone().unwrap_or(installed.1),
        task_instance: given(&args.task_instance).map(expand_user),
        system: given(&args.system).map(expand_user),
        user: given(&args.user).map(expand_user),
    };
    let resolved = resolve(&request)?;
    if args.strict
        && let Some(unknown) = resolved.unknown_keys.first()
    {
        return Err(unknown.to_error());
    }
    if args.strict && !resolved.warnings.is_empty() {
        return Err(ResolveError::DroppedEntries {
            entries: resolved.warnings.clone(),
        });
    }
    check_rules(&resolved, &args.root)?;
    if let Some(emit) = given(&args.emit) {
        std::fs::write(emit, super::emit_json(&resolved)).map_err(|source| {
            ResolveError::EmitWrite {
                path: emit.to_path_buf(),
                source,
            }
        })?;
    }
    Ok(resolved)
}

/// Compiles every rule and checks its `examples`, as Codex checks `match`/`not_match`
/// when it loads a rules file: a policy whose examples disagree does not resolve.
fn check_rules(resolved: &Resolved, root: &std::path::Path) -> Result<(), ResolveError> {
    let bundle =
        crate::render::bundle_for(resolved, root).map_err(|e| ResolveError::RulesInvalid {
            problems: vec![e.to_string()],
        })?;
    let policy =
        crate::policy::policy::Policy::from_bundle(&bundle, "resolved policy").map_err(|e| {
            ResolveError::RulesInvalid {
                problems: vec![e.to_string()],
            }
        })?;
    let problems = crate::policy::examples::failures(&policy);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ResolveError::RulesInvalid { problems })
    }
}

/// Runs `policy-exec resolve` and returns the reference's exit code (0 ok, 2 argument,
/// 3 missing file, 4 invalid file, 5 internal).
pub fn run_resolve(args: &ResolveArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let resolved = match resolve_from_args(args) {
        Ok(resolved) => resolved,
        Err(e) => return write_error(args, &e, out, err),
    };
    if args.emit_host_rules {
        let out_dir = given(&args.host_out_dir).map(Path::to_path_buf);
        if out_dir.is_none() && !args.apply_host_rules {
            return write_error(args, &ResolveError::HostRulesUnavailable, out, err);
        }
        let source = crate::render::sync::Source {
            policy: resolved.policy.clone(),
            policy_hash: resolved.policy_hash.clone(),
            scopes: resolved.scopes.clone(),
            root: args.root.clone(),
        };
        let result = (|| {
            let apply = if args.apply_host_rules {
                Some(crate::render::sync::targets_from(&Default::default())?)
            } else {
                None
            };
            crate::render::sync::sync(
                &source,
                &crate::render::sync::Request {
                    out_dir,
                    apply,
                    include_conditional: args.include_conditional,
                    hooks: None,
                    opencode_plugin: None,
                    guards: None,
                    replace: false,
                },
            )
        })();
        // stdout carries the resolved policy: the host report goes to stderr.
        let code = crate::render::sync::finish(result, false, err, &mut std::io::sink());
        if code != 0 {
            return code;
        }
    }
    match write_success(args, &resolved, out, err) {
        Ok(()) => 0,
        Err(_) => 5,
    }
}

fn indented(v: &PyValue) -> String {
    let mut text = dumps(
        v,
        Layout {
            indent: Some(2),
            sort_keys: false,
        },
    );
    text.push('\n');
    text
}

fn entry_value(d: &DroppedEntry) -> PyValue {
    PyValue::Map(vec![
        ("list".to_owned(), PyValue::Str(d.list.as_str().to_owned())),
        ("entry".to_owned(), PyValue::Str(d.entry.clone())),
        (
            "declared_in".to_owned(),
            PyValue::Str(d.declared_in.to_string_lossy().into_owned()),
        ),
        (
            "dropped_by".to_owned(),
            PyValue::Str(d.dropped_by.to_string_lossy().into_owned()),
        ),
    ])
}

fn warning_line(d: &DroppedEntry) -> String {
    format!(
        "policy-exec: warning: {}: restate it in the lower file or move it to `command_rules`\n",
        d.describe()
    )
}

/// Prints a successful resolve the way the reference does.
fn write_success(
    args: &ResolveArgs,
    resolved: &Resolved,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    let result = PyValue::Map(vec![("policy".to_owned(), resolved.payload())]);
    if !args.json {
        for warning in &resolved.warnings {
            err.write_all(warning_line(warning).as_bytes())?;
        }
        for unknown in &resolved.unknown_keys {
            writeln!(
                err,
                "policy-exec: warning: {} (an error with --strict, and wherever commands are judged)",
                unknown.to_error()
            )?;
        }
        // With --emit the policy went to the file: stdout only says where (printing it
        // again would bury the warnings above under the whole policy).
        if let Some(emit) = given(&args.emit) {
            return writeln!(
                out,
                "policy_hash {} written to {}",
                resolved.policy_hash,
                emit.display()
            );
        }
        return out.write_all(indented(&result).as_bytes());
    }
    let count = |n: usize| PyValue::Int(i128::try_from(n).unwrap_or(i128::MAX));
    let mut details = vec![
        ("scope_count".to_owned(), count(resolved.existing)),
        ("chain_length".to_owned(), count(resolved.chain_length)),
    ];
    if let Some(emit) = given(&args.emit) {
        let shown = resolve_path(emit).unwrap_or_else(|_| emit.to_path_buf());
        details.push((
            "emit_path".to_owned(),
            PyValue::Str(shown.to_string_lossy().into_owned()),
        ));
    }
    details.push((
        "scopes_ordering_assertion_path".to_owned(),
        PyValue::Str("result.policy.scopes".to_owned()),
    ));
    if !resolved.warnings.is_empty() {
        details.push((
            "warnings".to_owned(),
            PyValue::Seq(resolved.warnings.iter().map(entry_value).collect()),
        ));
    }
    let envelope = PyValue::Map(vec![
        ("code".to_owned(), PyValue::Str("ok".to_owned())),
        (
            "message".to_owned(),
            PyValue::Str("policy resolved".to_owned()),
        ),
        ("details".to_owned(), PyValue::Map(details)),
        ("result".to_owned(), result),
    ]);
    out.write_all(indented(&envelope).as_bytes())
}

/// Reports a failed resolve (one `policy-exec: …` line on `err`, or the reference's JSON
/// failure envelope on `out` with `--json`) and returns its exit code.
pub fn write_error(
    args: &ResolveArgs,
    error: &ResolveError,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let written = if args.json {
        let mut details = Vec::new();
        if let Some(path) = error.path() {
            details.push((
                "path".to_owned(),
                PyValue::Str(path.to_string_lossy().into_owned()),
            ));
        }
        if let ResolveError::DroppedEntries { entries } = error {
            details.push((
                "warnings".to_owned(),
                PyValue::Seq(entries.iter().map(entry_value).collect()),
            ));
        }
        let mut envelope = vec![
            ("code".to_owned(), PyValue::Str(error.code().to_owned())),
            ("message".to_owned(), PyValue::Str(error.to_string())),
        ];
        if !details.is_empty() {
            envelope.push(("details".to_owned(), PyValue::Map(details)));
        }
        out.write_all(indented(&PyValue::Map(envelope)).as_bytes())
    } else {
        let mut text = String::new();
        if let ResolveError::DroppedEntries { entries } = error {
            for entry in entries {
                text.push_str(&warning_line(entry));
            }
        }
        text.push_str(&format!("policy-exec: {error}\n"));
        err.write_all(text.as_bytes())
    };
    match written {
        Ok(()) => error.exit_code(),
        Err(_) => 5,
    }
}
