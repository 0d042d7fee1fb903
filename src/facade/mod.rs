//! The library facade for harness authors (SPEC §15): load a policy, judge a script in
//! a directory, explain the result, resolve a tree, diff two policies, read the log.
//!
//! Owns nothing of its own: each entry point is a thin, documented door into the layer
//! that does the work (`lookup`, `resolve`, `policy`, `report`, `diff`, `log`), with one
//! error type for loading ([`LoadError`]) and the layers' own types for the rest. It
//! never widens what those layers decide: a policy that cannot be loaded is an error the
//! caller must treat as a deny (the CLI does), never a silent default.
//!
//! ```
//! use policy_exec::facade;
//!
//! let policy = facade::embedded();
//! let judgement = facade::judge(&policy, "git push --force origin main", std::path::Path::new("/"));
//! assert_eq!(judgement.decision().as_str(), "deny");
//! assert_eq!(judgement.deciding_rule().as_deref(), Some("no-force-push"));
//! ```

use std::path::{Path, PathBuf};

use crate::git::Git2RepoState;
use crate::policy::Decision;
use crate::policy::engine::{self, CommandEvaluation, Evaluation};
use crate::policy::load::{Loaded, Locator};
use crate::policy::policy::Policy;

/// Why a policy could not be loaded. Every variant means: judge nothing with it (deny).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The policy tree does not resolve (a missing or invalid scope file).
    #[error("the policy tree cannot be resolved: {0}")]
    Resolve(String),
    /// The resolved policy does not build into a bundle, or a rule does not compile.
    #[error("the policy cannot be compiled: {0}")]
    Compile(String),
    /// A bundle or manifest (or the installed tree) cannot be read or is invalid.
    #[error("{0}")]
    Load(String),
}

/// The default policy built into the binary (`bundles/default`).
///
/// ```
/// let policy = policy_exec::facade::embedded();
/// assert!(!policy.rules.is_empty());
/// assert!(policy.path_rules.iter().any(|r| r.id == "protect-git-dir"));
/// ```
pub fn embedded() -> Policy {
    match crate::policy::load::embedded() {
        Loaded::Ready(p) => *p,
        // The embedded bundle is checked by the test suite; an empty policy with
        // everything denied stands in if it ever failed.
        Loaded::Failed { .. } => {
            let mut p = Policy::default();
            p.enforcement.unmatched = Decision::Deny;
            p.enforcement.dynamic = Decision::Deny;
            p.source = "no policy (the embedded bundle does not load)".into();
            p
        }
    }
}

/// The policy installed on this machine for a command judged in `cwd`, found the way
/// shell mode finds it (`POLICY_EXEC_MANIFEST`, `$XDG_CONFIG_HOME/policy-exec/`,
/// `/etc/policy-exec/`, else the embedded default), with the repository's own scope.
///
/// ```
/// match policy_exec::facade::installed(std::path::Path::new("/")) {
///     Ok(policy) => assert!(!policy.source.is_empty()),
///     // An installed policy that cannot be read: judge nothing (deny), say why.
///     Err(e) => assert!(!e.to_string().is_empty()),
/// }
/// ```
pub fn installed(cwd: &Path) -> Result<Policy, LoadError> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let locator = Locator {
        bundle: None,
        manifest: None,
        env_manifest: std::env::var_os("POLICY_EXEC_MANIFEST")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
        config_home: std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| home.map(|h| h.join(".config"))),
        system_config: Some(PathBuf::from("/etc")),
        installation: None,
    };
    loaded(crate::lookup::policy_for(
        &locator,
        cwd,
        None,
        &crate::lookup::Env::from_process(),
    ))
}

/// A policy resolved from a tree (`<root>/policy-config/`) with a harness and a
/// task-domain, then compiled.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # let pc = dir.path().join("policy-config");
/// # std::fs::create_dir_all(pc.join("harness")).unwrap();
/// # std::fs::create_dir_all(pc.join("task-domain")).unwrap();
/// # for (f, s) in [("user.yaml", "user"), ("repo.yaml", "repo"),
/// #     ("harness/default.yaml", "harness"), ("task-domain/default.yaml", "task_domain")] {
/// #     std::fs::write(pc.join(f), format!("policy_version: v1\nscope: {s}\nnotes: n\n")).unwrap();
/// # }
/// std::fs::write(pc.join("system.yaml"), "policy_version: v1\nscope: system\n\
///     command_rules:\n  - id: no-deploy\n    action: deny\n    match: {prefix: make deploy}\n").unwrap();
/// let policy = policy_exec::facade::from_tree(dir.path(), "default", "default").unwrap();
/// let j = policy_exec::facade::judge(&policy, "make deploy", dir.path());
/// assert_eq!(j.deciding_rule().as_deref(), Some("no-deploy"));
/// ```
pub fn from_tree(root: &Path, harness: &str, task_domain: &str) -> Result<Policy, LoadError> {
    let resolved = resolve(root, harness, task_domain)?;
    let layers = crate::policy::load::layers(&resolved.scopes, root);
    let bundle =
        crate::policy::bundle::build(&resolved.policy, &layers, Some(&resolved.policy_hash))
            .map_err(|e| LoadError::Compile(e.0))?;
    Policy::from_bundle(&bundle, &root.display().to_string())
        .map_err(|e| LoadError::Compile(e.to_string()))
}

/// A policy from a wrapper bundle file (`policy-wrapper-rules.json`).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("policy-wrapper-rules.json");
/// std::fs::write(&path, policy_exec::policy::load::EMBEDDED_BUNDLE).unwrap();
/// let policy = policy_exec::facade::from_bundle(&path).unwrap();
/// assert_eq!(policy.rules.len(), policy_exec::facade::embedded().rules.len());
/// assert!(policy_exec::facade::from_bundle(&dir.path().join("missing.json")).is_err());
/// ```
pub fn from_bundle(path: &Path) -> Result<Policy, LoadError> {
    let locator = Locator {
        bundle: Some(path.to_path_buf()),
        manifest: None,
        env_manifest: None,
        config_home: None,
        system_config: None,
        installation: None,
    };
    loaded(locator.load())
}

fn loaded(l: Loaded) -> Result<Policy, LoadError> {
    match l {
        Loaded::Ready(p) => Ok(*p),
        Loaded::Failed { message, .. } => Err(LoadError::Load(message)),
    }
}

/// Resolves a tree's six scopes into one merged policy with its `policy_hash`
/// (byte-compatible with the reference).
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # let pc = dir.path().join("policy-config");
/// # std::fs::create_dir_all(pc.join("harness")).unwrap();
/// # std::fs::create_dir_all(pc.join("task-domain")).unwrap();
/// # for (f, s) in [("system.yaml", "system"), ("user.yaml", "user"), ("repo.yaml", "repo"),
/// #     ("harness/default.yaml", "harness"), ("task-domain/default.yaml", "task_domain")] {
/// #     std::fs::write(pc.join(f), format!("policy_version: v1\nscope: {s}\nnotes: n\n")).unwrap();
/// # }
/// let resolved = policy_exec::facade::resolve(dir.path(), "default", "default").unwrap();
/// assert_eq!(resolved.policy_hash.len(), 64);
/// assert_eq!(resolved.scopes.len(), 5);
/// ```
pub fn resolve(
    root: &Path,
    harness: &str,
    task_domain: &str,
) -> Result<crate::resolve::Resolved, LoadError> {
    crate::resolve::resolve(&crate::resolve::ResolveRequest {
        root: root.to_path_buf(),
        harness: harness.to_string(),
        task_domain: task_domain.to_string(),
        task_instance: None,
        system: None,
        user: None,
    })
    .map_err(|e| LoadError::Resolve(e.to_string()))
}

/// One judged script: the evaluation and the policy it was judged with.
pub struct Judgement<'p> {
    /// Every simple command with its matches, predicate values and path rules.
    pub evaluation: Evaluation,
    policy: &'p Policy,
    script: String,
}

impl Judgement<'_> {
    /// The decision for the whole script.
    pub fn decision(&self) -> Decision {
        self.evaluation.decision
    }

    /// The id of the rule (command or path rule) that decided, when one did.
    pub fn deciding_rule(&self) -> Option<String> {
        self.evaluation
            .deciding_rule(self.policy)
            .map(|r| r.id.clone())
            .or_else(|| {
                self.evaluation
                    .deciding_path(self.policy)
                    .map(|(_, r)| r.id.clone())
            })
    }

    /// Every simple command the script would run, with its judgement.
    pub fn commands(&self) -> &[CommandEvaluation] {
        &self.evaluation.commands
    }

    /// The one-line reason `check` prints.
    pub fn reason(&self) -> String {
        crate::report::reason(&self.evaluation, self.policy)
    }

    /// The readable trace `policy-exec explain` prints.
    pub fn explain(&self) -> String {
        crate::report::explain_text(&self.script, &self.evaluation, self.policy)
    }

    /// The JSON `policy-exec explain --json` prints.
    pub fn explain_json(&self) -> serde_json::Value {
        crate::report::explain_json(&self.evaluation, self.policy)
    }
}

/// Judges a script as bash would run it in `dir`, with git predicates read from the
/// repository there (no hooks, filters or `GIT_DIR`) and `~` as `$HOME`.
///
/// ```
/// let policy = policy_exec::facade::embedded();
/// let j = policy_exec::facade::judge(&policy, "touch ~/.bashrc", std::path::Path::new("/tmp"));
/// assert_eq!(j.decision().as_str(), "deny");
/// assert_eq!(j.deciding_rule().as_deref(), Some("protect-shell-startup"));
/// assert!(j.explain().contains("path rule protect-shell-startup"));
/// assert_eq!(j.commands().len(), 1);
/// ```
pub fn judge<'p>(policy: &'p Policy, script: &str, dir: &Path) -> Judgement<'p> {
    let repo = Git2RepoState::with_home(std::env::var_os("HOME").map(PathBuf::from));
    Judgement {
        evaluation: engine::judge(script, policy, dir, &repo),
        policy,
        script: script.to_string(),
    }
}

/// Compares two merged policies (the `policy` of `resolve --emit`, or
/// [`resolve`]'s `policy`): every change classified, every rule example of both
/// replayed in `dir`; `report.widening` is the CI gate's answer.
///
/// ```
/// let before = serde_json::json!({"command_rules": [
///     {"id": "no-deploy", "action": "deny", "match": {"prefix": "make deploy"},
///      "examples": {"match": ["make deploy"]}}]});
/// let after = serde_json::json!({"command_rules": [
///     {"id": "no-deploy", "action": "request", "match": {"prefix": "make deploy"},
///      "examples": {"match": ["make deploy"]}}]});
/// let report = policy_exec::facade::diff(&before, &after, std::path::Path::new("/")).unwrap();
/// assert!(report.widening);
/// assert_eq!(report.widened[0].command, "make deploy");
/// ```
pub fn diff(
    from: &serde_json::Value,
    to: &serde_json::Value,
    dir: &Path,
) -> Result<crate::diff::Report, LoadError> {
    let a = crate::diff::Side::from_document("from", from.clone()).map_err(LoadError::Compile)?;
    let b = crate::diff::Side::from_document("to", to.clone()).map_err(LoadError::Compile)?;
    let replays = crate::diff::examples(&a, &b);
    let repo = Git2RepoState::with_home(std::env::var_os("HOME").map(PathBuf::from));
    Ok(crate::diff::compare(&a, &b, &replays, dir, &repo))
}

/// The decision log's records in `dir` (a `log.dir`, or the default
/// `~/.local/state/policy-exec/log`), newest first, as JSON values.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("decisions-2026-12-04.jsonl"),
///     "{\"v\":1,\"id\":\"a\",\"decision\":\"deny\",\"script\":\"git push -f\"}\n").unwrap();
/// let records = policy_exec::facade::read_log(dir.path());
/// assert_eq!(records[0]["script"], "git push -f");
/// ```
pub fn read_log(dir: &Path) -> Vec<serde_json::Value> {
    let store = crate::log::store::Store::at(dir);
    crate::log::view::newest_first(&store).collect()
}
