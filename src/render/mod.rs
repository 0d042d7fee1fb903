//! Host artifacts rendered from a resolved policy: the wrapper bundle and dispatch
//! manifest that `check`, shell mode and hooks read ([`write_wrapper_artifacts`]), the
//! harnesses' native permission files ([`hosts`]), merging them into live files
//! ([`apply`]), and the `sync` command that drives it all ([`sync`]).
//!
//! Every write goes to a temporary file in the target directory and is renamed into
//! place, so a reader never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

pub mod apply;
pub mod hosts;
pub mod pristine;
pub mod sync;

use crate::policy::bundle::{self, Bundle, Manifest};
use crate::policy::load::{self, BUNDLE_NAME, MANIFEST_NAME};
use crate::resolve::Resolved;

/// A failure writing artifacts.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The policy cannot be turned into a bundle.
    #[error("policy cannot be compiled: {0}")]
    Build(String),
    /// A file could not be written.
    #[error("cannot write `{path}` ({source}): check the directory's permissions")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The paths written.
#[derive(Debug, Clone)]
pub struct Written {
    /// The bundle.
    pub bundle: PathBuf,
    /// The manifest.
    pub manifest: PathBuf,
    /// Number of rules in the bundle.
    pub rules: usize,
}

/// Builds the bundle (every rule, with its origin) for a resolved policy.
pub fn bundle_for(resolved: &Resolved, root: &Path) -> Result<Bundle, RenderError> {
    bundle_from(
        &resolved.policy,
        &resolved.policy_hash,
        &resolved.scopes,
        root,
    )
}

/// Builds the bundle from a merged policy, its hash and the scope files it came from
/// (read again to know where each rule was written; paths shown relative to `root`).
pub fn bundle_from(
    policy: &serde_json::Value,
    policy_hash: &str,
    scopes: &[(String, PathBuf)],
    root: &Path,
) -> Result<Bundle, RenderError> {
    let layers = load::layers(scopes, root);
    let b = bundle::build(policy, &layers, Some(policy_hash))
        .map_err(|e| RenderError::Build(e.to_string()))?;
    // Reject what the engine could not compile, before anything is written.
    crate::policy::policy::Policy::from_bundle(&b, "resolved policy")
        .map_err(|e| RenderError::Build(e.to_string()))?;
    Ok(b)
}

/// The text of `policy-wrapper-rules.json` and of the dispatch manifest that points at
/// it in `dir` (an absolute directory).
pub fn wrapper_texts(b: &Bundle, dir: &Path) -> (String, String) {
    let bundle_path = dir.join(BUNDLE_NAME);
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "policy-exec".to_string());
    let manifest = Manifest {
        schema_version: 1,
        bundle_path: bundle_path.display().to_string(),
        bundle_relative: BUNDLE_NAME.to_string(),
        dispatch_script: exe.clone(),
        dispatch_command: vec![
            exe,
            "check".into(),
            "--bundle".into(),
            bundle_path.display().to_string(),
            "--cwd".into(),
            "{cwd}".into(),
            "--json".into(),
            "--command".into(),
            "{command}".into(),
        ],
        required_conditions: b.required_conditions.clone(),
        wrapper_rule_count: b.commands.len(),
        fallback_missing_policy: "deny".into(),
        fallback_malformed_bundle: "deny".into(),
        fallback_condition_eval_error: "request".into(),
        policy_hash: b.policy_hash.clone(),
    };
    let pretty = |v: serde_json::Result<String>| {
        let mut t = v.unwrap_or_default();
        t.push('\n');
        t
    };
    (
        pretty(serde_json::to_string_pretty(b)),
        pretty(serde_json::to_string_pretty(&manifest)),
    )
}

/// Makes `dir` exist and returns its absolute, canonical form.
pub fn absolute_dir(dir: &Path) -> Result<PathBuf, RenderError> {
    let err = |source| RenderError::Write {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    dir.canonicalize().map_err(err)
}

/// Writes `policy-wrapper-rules.json` and `policy-wrapper-dispatch.manifest.json`.
pub fn write_wrapper_artifacts(
    resolved: &Resolved,
    root: &Path,
    out_dir: &Path,
) -> Result<Written, RenderError> {
    let b = bundle_for(resolved, root)?;
    let out_dir = absolute_dir(out_dir)?;
    let (bundle_text, manifest_text) = wrapper_texts(&b, &out_dir);
    let bundle_path = out_dir.join(BUNDLE_NAME);
    let manifest_path = out_dir.join(MANIFEST_NAME);
    write_text(&bundle_path, &bundle_text)?;
    write_text(&manifest_path, &manifest_text)?;
    Ok(Written {
        bundle: bundle_path,
        manifest: manifest_path,
        rules: b.commands.len(),
    })
}

/// Writes a file atomically: a temp file in its directory, fsynced, then renamed.
pub fn write_text(path: &Path, text: &str) -> Result<(), RenderError> {
    let err = |source| RenderError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(text.as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
