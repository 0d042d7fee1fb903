//! `policy-exec snapshot`: canonical `policy_hash` snapshots and drift detection.
//!
//! A snapshot file is exactly what the reference writes
//! (`policy-config/snapshots/policy_snapshot_<harness>_<domain>.json`):
//! `{"policy_hash": …, "scopes": [{"path": …, "scope": …}, …]}` as Python's
//! `json.dumps(indent=2, sort_keys=True)` plus a newline, with paths relative to the root.
//! It holds only the hash, so beside every snapshot we write the resolved policy it
//! hashes (`policy_resolved_<harness>_<domain>.json`, or `<stem>.resolved.json` for an
//! `--output` file); a drift report then names the first key that differs. A snapshot
//! without that file still detects drift, by hash.
//!
//! Modes: no flag prints the snapshot; `--output F` writes it to F; `--write-canonical`
//! writes it into the canonical directory; `--check-existing` compares a fresh resolve
//! with the stored snapshot (F with `--output`, else the canonical one) and writes
//! nothing; `--validate-canonical` checks that the requested snapshot exists and that
//! every canonical snapshot matches a fresh resolve of the chain it names.
//!
//! Exit codes follow the reference: 0 ok, 10 write failure, 11 drift, 12 snapshot
//! missing, 13 snapshot invalid (unparseable or wrong shape), 14 internal. When the tree
//! itself does not resolve, the exit code is `resolve`'s: 2 argument, 3 missing scope
//! file, 4 invalid scope file (and its internal 5 becomes 14). Several snapshots checked
//! at once report the worst: 13, then 12, then 11.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use super::{GovernError, print_json};
use crate::resolve::cli::{ResolveArgs, resolve_from_args};
use crate::resolve::{ResolveError, Resolved, python_json_dumps_indented};

/// Flags of `policy-exec snapshot`.
#[derive(Debug, Clone, clap::Args)]
pub struct SnapshotArgs {
    /// Repo root containing policy-config/
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Harness identifier: `policy-config/harness/<name>.yaml`
    #[arg(long)]
    pub harness: String,
    /// Task domain identifier: `policy-config/task-domain/<name>.yaml`
    #[arg(long)]
    pub task_domain: String,
    /// Optional task-instance policy file
    #[arg(long)]
    pub task_instance: Option<PathBuf>,
    /// Write the snapshot to this file (with --check-existing: compare with it instead)
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Compare a fresh resolve with the stored snapshot; write nothing
    #[arg(long, conflicts_with = "write_canonical")]
    pub check_existing: bool,
    /// Write the snapshot into the canonical directory
    #[arg(long)]
    pub write_canonical: bool,
    /// Check that every canonical snapshot matches a fresh resolve
    #[arg(long, conflicts_with = "write_canonical")]
    pub validate_canonical: bool,
    /// Canonical snapshot directory (default: <root>/policy-config/snapshots)
    #[arg(long)]
    pub canonical_dir: Option<PathBuf>,
    /// Print a JSON report on stdout
    #[arg(long)]
    pub json: bool,
}

/// Snapshot file names start with this; the reference's naming.
const SNAPSHOT_PREFIX: &str = "policy_snapshot_";
/// Resolved-policy companions in the canonical directory start with this.
const RESOLVED_PREFIX: &str = "policy_resolved_";

/// How one stored snapshot compares with a fresh resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Identical.
    Ok,
    /// The policy (or its scope list) changed since the snapshot was written.
    Drift,
    /// No snapshot file.
    Missing,
    /// The snapshot file is unparseable or has the wrong shape.
    Invalid,
}

impl Status {
    fn exit_code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Drift => 11,
            Status::Missing => 12,
            Status::Invalid => 13,
        }
    }
}

/// The first place two JSON documents differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// JSON pointer into the policy (or the snapshot, when only its scope list changed).
    pub pointer: String,
    /// The value in the snapshot (`null` when absent there).
    pub expected: Option<Value>,
    /// The value now (`null` when absent now).
    pub actual: Option<Value>,
}

/// The comparison of one stored snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The snapshot file.
    pub path: String,
    /// The outcome.
    pub status: Status,
    /// The hash the snapshot records.
    pub expected_hash: Option<String>,
    /// The hash of a fresh resolve.
    pub actual_hash: Option<String>,
    /// Where the policy first differs, when known.
    pub first_difference: Option<Difference>,
    /// One line: what happened and what to do.
    pub message: String,
}

/// Runs `policy-exec snapshot` and returns its exit code.
pub fn run_snapshot(args: &SnapshotArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let resolved = match resolve_chain(
        &args.root,
        &args.harness,
        &args.task_domain,
        args.task_instance.as_deref(),
    ) {
        Ok(resolved) => resolved,
        Err(e) => {
            let code = match e.exit_code() {
                5 => 14,
                code => code,
            };
            return fail(args, code, &e.to_string(), out, err);
        }
    };
    let root = match crate::resolve::absolute_path(&args.root) {
        Ok(root) => root,
        Err(e) => return fail(args, 14, &e.to_string(), out, err),
    };
    let snapshot = snapshot_value(&resolved, &root);
    let text = snapshot_text(&snapshot);
    let canonical_dir = match &args.canonical_dir {
        Some(dir) => dir.clone(),
        None => match crate::resolve::config_dir(&args.root) {
            Ok(config) => config.join("snapshots"),
            Err(e) => return fail(args, 14, &e.to_string(), out, err),
        },
    };
    let canonical = canonical_dir.join(format!(
        "{SNAPSHOT_PREFIX}{}_{}.json",
        args.harness, args.task_domain
    ));

    let mut written: Vec<String> = Vec::new();
    let mut checks: Vec<Check> = Vec::new();
    if args.check_existing {
        let target = args.output.clone().unwrap_or_else(|| canonical.clone());
        checks.push(compare(&target, &snapshot, &resolved));
    }
    if args.validate_canonical {
        if !args.check_existing || args.output.is_some() {
            checks.push(compare(&canonical, &snapshot, &resolved));
        }
        match validate_others(&canonical_dir, &canonical, &root) {
            Ok(more) => checks.extend(more),
            Err(e) => return fail(args, 14, &e.to_string(), out, err),
        }
    }
    if !args.check_existing {
        let mut targets = Vec::new();
        if let Some(output) = &args.output {
            targets.push(output.clone());
        }
        if args.write_canonical {
            targets.push(canonical.clone());
        }
        for target in targets {
            if let Err(e) = write_with_policy(&target, &text, &resolved) {
                return fail(args, 10, &e.to_string(), out, err);
            }
            written.push(target.display().to_string());
        }
    }

    let worst = checks.iter().map(|c| c.status).max().unwrap_or(Status::Ok);
    let code = worst.exit_code();
    let quiet = args.output.is_some() || args.write_canonical || !checks.is_empty();
    let printed = if args.json {
        let status = match worst {
            Status::Ok if !written.is_empty() => "written",
            Status::Ok => "ok",
            Status::Drift => "drift",
            Status::Missing => "missing",
            Status::Invalid => "invalid",
        };
        print_json(
            out,
            &json!({
                "status": status,
                "exit_code": code,
                "policy_hash": resolved.policy_hash,
                "snapshot": snapshot,
                "written": written,
                "checked": checks,
            }),
        )
    } else {
        report_text(&checks, &written, (!quiet).then_some(&text), out, err)
    };
    if printed.is_err() {
        return 14;
    }
    code
}

/// Resolves one chain the way `resolve` does (rule examples included).
fn resolve_chain(
    root: &Path,
    harness: &str,
    task_domain: &str,
    task_instance: Option<&Path>,
) -> Result<Resolved, ResolveError> {
    resolve_from_args(&ResolveArgs {
        root: root.to_path_buf(),
        harness: Some(harness.to_owned()),
        task_domain: Some(task_domain.to_owned()),
        task_instance: task_instance.map(Path::to_path_buf),
        system: None,
        user: None,
        json: false,
        emit: None,
        emit_host_rules: false,
        apply_host_rules: false,
        host_out_dir: None,
        include_conditional: false,
        strict: false,
    })
}

/// `{"policy_hash", "scopes": [{"path", "scope"}]}` with paths relative to `root` (as
/// given when outside it).
pub fn snapshot_value(resolved: &Resolved, root: &Path) -> Value {
    let scopes: Vec<Value> = resolved
        .scopes
        .iter()
        .map(|(scope, path)| {
            let shown = path.strip_prefix(root).unwrap_or(path);
            json!({"path": shown.to_string_lossy(), "scope": scope})
        })
        .collect();
    json!({"policy_hash": resolved.policy_hash, "scopes": scopes})
}

/// A snapshot file's bytes: Python's `json.dumps(indent=2, sort_keys=True)` and `\n`.
fn snapshot_text(snapshot: &Value) -> String {
    let mut text = python_json_dumps_indented(snapshot);
    text.push('\n');
    text
}

/// Where the resolved policy behind a snapshot file is kept.
fn resolved_path(snapshot: &Path) -> PathBuf {
    let name = snapshot
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let companion = match name.strip_prefix(SNAPSHOT_PREFIX) {
        Some(rest) => format!("{RESOLVED_PREFIX}{rest}"),
        None => {
            let stem = name.strip_suffix(".json").unwrap_or(&name);
            format!("{stem}.resolved.json")
        }
    };
    snapshot.with_file_name(companion)
}

/// Writes the snapshot and its resolved policy, each atomically.
fn write_with_policy(path: &Path, text: &str, resolved: &Resolved) -> Result<(), GovernError> {
    let mut policy = python_json_dumps_indented(
        &json!({"policy": resolved.policy, "policy_hash": resolved.policy_hash}),
    );
    policy.push('\n');
    write_atomic(&resolved_path(path), &policy)?;
    write_atomic(path, text)
}

/// Writes `text` to `path` through a temp file in the same directory (created if needed).
pub(crate) fn write_atomic(path: &Path, text: &str) -> Result<(), GovernError> {
    let err = |source| GovernError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(text.as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// The stored snapshot's hash and scope list, or why it is not a snapshot.
fn read_snapshot(path: &Path) -> Result<Value, (Status, String)> {
    let read = crate::files::read_regular_text(path, crate::files::MAX_POLICY_FILE);
    let text = match read.map_err(std::io::Error::from) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err((
                Status::Missing,
                format!(
                    "snapshot `{}` does not exist: write it with `policy-exec snapshot --write-canonical` (or `--output`)",
                    path.display()
                ),
            ));
        }
        Err(e) => {
            return Err((
                Status::Invalid,
                format!(
                    "cannot read snapshot `{}` ({e}): check its permissions",
                    path.display()
                ),
            ));
        }
    };
    let invalid = |why: String| {
        (
            Status::Invalid,
            format!(
                "snapshot `{}` {why}: regenerate it with `policy-exec snapshot --write-canonical`",
                path.display()
            ),
        )
    };
    let value: Value =
        serde_json::from_str(&text).map_err(|e| invalid(format!("is not valid JSON ({e})")))?;
    let hash_ok = value
        .get("policy_hash")
        .and_then(Value::as_str)
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if !hash_ok {
        return Err(invalid(
            "has no 64-hex-digit `policy_hash` string".to_owned(),
        ));
    }
    let scopes_ok = value
        .get("scopes")
        .and_then(Value::as_array)
        .is_some_and(|scopes| {
            scopes.iter().all(|s| {
                s.get("path").is_some_and(Value::is_string)
                    && s.get("scope").is_some_and(Value::is_string)
                    && s.as_object().is_some_and(|o| o.len() == 2)
            })
        });
    let keys_ok = value.as_object().is_some_and(|o| o.len() == 2);
    if !scopes_ok || !keys_ok {
        return Err(invalid(
            "does not have the shape {\"policy_hash\", \"scopes\": [{\"path\", \"scope\"}]}"
                .to_owned(),
        ));
    }
    Ok(value)
}

/// Compares the snapshot stored at `path` with a fresh one.
fn compare(path: &Path, fresh: &Value, resolved: &Resolved) -> Check {
    let shown = path.display().to_string();
    let stored = match read_snapshot(path) {
        Ok(stored) => stored,
        Err((status, message)) => {
            return Check {
                path: shown,
                status,
                expected_hash: None,
                actual_hash: Some(resolved.policy_hash.clone()),
                first_difference: None,
                message,
            };
        }
    };
    let expected = stored
        .get("policy_hash")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let actual = resolved.policy_hash.clone();
    if &stored != fresh && expected == actual {
        // The same policy from other files (`query.yaml` renamed `query.yml`): not drift.
        let place = first_difference(&stored, fresh, "")
            .map(|d| {
                format!(
                    " (its scope list differs at `{}`: `--write-canonical` refreshes it)",
                    d.pointer
                )
            })
            .unwrap_or_default();
        return Check {
            path: shown,
            status: Status::Ok,
            expected_hash: Some(expected),
            actual_hash: Some(actual),
            first_difference: None,
            message: format!("snapshot `{}` matches the policy{place}", path.display()),
        };
    }
    if &stored == fresh {
        return Check {
            path: shown,
            status: Status::Ok,
            expected_hash: Some(expected),
            actual_hash: Some(actual),
            first_difference: None,
            message: format!("snapshot `{}` matches the policy", path.display()),
        };
    }
    let difference = if expected == actual {
        // Same policy from other files: the scope list changed.
        first_difference(&stored, fresh, "")
    } else {
        stored_policy(path, &expected).and_then(|old| first_difference(&old, &resolved.policy, ""))
    };
    let place = match &difference {
        Some(d) if expected == actual => {
            format!("; the scope list first differs at `{}`", d.pointer)
        }
        Some(d) => format!("; the policy first differs at `{}`", d.pointer),
        None => format!(
            "; the first differing key is unknown because `{}` is missing or stale",
            resolved_path(path).display()
        ),
    };
    Check {
        path: shown,
        status: Status::Drift,
        expected_hash: Some(expected.clone()),
        actual_hash: Some(actual.clone()),
        first_difference: difference,
        message: format!(
            "policy drift against snapshot `{}`: expected policy_hash {expected}, actual {actual}{place}: review the change, then run `policy-exec snapshot --write-canonical`",
            path.display()
        ),
    }
}

/// The policy saved beside a snapshot, when it is the one the snapshot hashes.
fn stored_policy(snapshot: &Path, expected_hash: &str) -> Option<Value> {
    let text =
        crate::files::read_regular_text(&resolved_path(snapshot), crate::files::MAX_POLICY_FILE)
            .ok()?;
    let saved: Value = serde_json::from_str(&text).ok()?;
    let policy = saved.get("policy")?;
    (crate::resolve::policy_hash(policy) == expected_hash).then(|| policy.clone())
}

/// The first place (keys in sorted order, list items in order) where `a` and `b` differ.
pub fn first_difference(a: &Value, b: &Value, at: &str) -> Option<Difference> {
    if a == b {
        return None;
    }
    let leaf = || {
        Some(Difference {
            pointer: if at.is_empty() {
                "/".to_owned()
            } else {
                at.to_owned()
            },
            expected: Some(a.clone()),
            actual: Some(b.clone()),
        })
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &here) {
                            return Some(d);
                        }
                    }
                    (p, q) => {
                        return Some(Difference {
                            pointer: here,
                            expected: p.cloned(),
                            actual: q.cloned(),
                        });
                    }
                }
            }
            leaf()
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let here = format!("{at}/{i}");
                match (x.get(i), y.get(i)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &here) {
                            return Some(d);
                        }
                    }
                    (p, q) => {
                        return Some(Difference {
                            pointer: here,
                            expected: p.cloned(),
                            actual: q.cloned(),
                        });
                    }
                }
            }
            leaf()
        }
        _ => leaf(),
    }
}

/// Every other canonical snapshot, compared with a fresh resolve of the chain its scope
/// list names.
fn validate_others(dir: &Path, requested: &Path, root: &Path) -> Result<Vec<Check>, GovernError> {
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
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| GovernError::ListDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(SNAPSHOT_PREFIX) && name.ends_with(".json") {
            paths.push(entry.path());
        }
    }
    paths.sort();
    let mut checks = Vec::new();
    for path in paths.into_iter().filter(|p| p != requested) {
        let stored = match read_snapshot(&path) {
            Ok(stored) => stored,
            Err((status, message)) => {
                checks.push(Check {
                    path: path.display().to_string(),
                    status,
                    expected_hash: None,
                    actual_hash: None,
                    first_difference: None,
                    message,
                });
                continue;
            }
        };
        let chain = chain_of(&stored, root);
        let Some((harness, domain, instance)) = chain else {
            checks.push(Check {
                path: path.display().to_string(),
                status: Status::Invalid,
                expected_hash: None,
                actual_hash: None,
                first_difference: None,
                message: format!(
                    "snapshot `{}` names no harness or task_domain scope: regenerate it with `policy-exec snapshot --write-canonical`",
                    path.display()
                ),
            });
            continue;
        };
        match resolve_chain(root, &harness, &domain, instance.as_deref()) {
            Ok(resolved) => {
                let fresh = snapshot_value(&resolved, root);
                checks.push(compare(&path, &fresh, &resolved));
            }
            Err(e) => checks.push(Check {
                path: path.display().to_string(),
                status: Status::Drift,
                expected_hash: stored
                    .get("policy_hash")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                actual_hash: None,
                first_difference: None,
                message: format!(
                    "snapshot `{}` names a chain that no longer resolves: {e}",
                    path.display()
                ),
            }),
        }
    }
    Ok(checks)
}

/// The harness, task domain and task-instance file a snapshot's scope list names.
fn chain_of(stored: &Value, root: &Path) -> Option<(String, String, Option<PathBuf>)> {
    let scopes = stored.get("scopes")?.as_array()?;
    let find = |scope: &str| {
        scopes
            .iter()
            .find(|s| s.get("scope").and_then(Value::as_str) == Some(scope))
            .and_then(|s| s.get("path").and_then(Value::as_str))
            .map(PathBuf::from)
    };
    let stem = |p: PathBuf| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let harness = stem(find("harness")?)?;
    let domain = stem(find("task_domain")?)?;
    let instance = find("task_instance").map(|p| root.join(p));
    Some((harness, domain, instance))
}

/// A failure before any snapshot was compared.
fn fail(
    args: &SnapshotArgs,
    code: u8,
    message: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if args.json {
        let status = if code == 10 { "write_failed" } else { "error" };
        let _ = print_json(
            out,
            &json!({"status": status, "exit_code": code, "error": message}),
        );
    }
    let _ = writeln!(err, "policy-exec: {message}");
    code
}

fn report_text(
    checks: &[Check],
    written: &[String],
    print: Option<&String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    if let Some(text) = print {
        out.write_all(text.as_bytes())?;
    }
    for path in written {
        writeln!(err, "policy-exec: wrote snapshot `{path}`")?;
    }
    for check in checks {
        if check.status == Status::Ok {
            writeln!(out, "ok: {}", check.message)?;
        } else {
            writeln!(err, "policy-exec: {}", check.message)?;
        }
    }
    Ok(())
}
