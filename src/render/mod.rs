//! Host artifacts rendered from a resolved policy. For now: the wrapper bundle and the
//! dispatch manifest that `check`, the shell mode and hooks read.
//!
//! Every write goes to a temporary file in the target directory and is renamed into
//! place, so a reader never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

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
    let layers = load::layers(&resolved.scopes, root);
    let b = bundle::build(&resolved.policy, &layers, Some(&resolved.policy_hash))
        .map_err(|e| RenderError::Build(e.to_string()))?;
    // Reject what the engine could not compile, before anything is written.
    crate::policy::policy::Policy::from_bundle(&b, "resolved policy")
        .map_err(|e| RenderError::Build(e.to_string()))?;
    Ok(b)
}

/// Writes `policy-wrapper-rules.json` and `policy-wrapper-dispatch.manifest.json`.
pub fn write_wrapper_artifacts(
    resolved: &Resolved,
    root: &Path,
    out_dir: &Path,
) -> Result<Written, RenderError> {
    let b = bundle_for(resolved, root)?;
    std::fs::create_dir_all(out_dir).map_err(|source| RenderError::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let out_dir = out_dir
        .canonicalize()
        .map_err(|source| RenderError::Write {
            path: out_dir.to_path_buf(),
            source,
        })?;
    let bundle_path = out_dir.join(BUNDLE_NAME);
    let manifest_path = out_dir.join(MANIFEST_NAME);
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
        policy_hash: Some(resolved.policy_hash.clone()),
    };
    write_json(&bundle_path, &b)?;
    write_json(&manifest_path, &manifest)?;
    Ok(Written {
        bundle: bundle_path,
        manifest: manifest_path,
        rules: b.commands.len(),
    })
}

/// Writes pretty JSON with a trailing newline, atomically.
fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), RenderError> {
    let err = |source| RenderError::Write {
        path: path.to_path_buf(),
        source,
    };
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| err(std::io::Error::other(e.to_string())))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(text.as_bytes()).map_err(err)?;
    tmp.write_all(b"\n").map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}
