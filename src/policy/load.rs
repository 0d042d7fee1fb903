//! Finding and loading the policy to judge with: a bundle, a manifest, a policy tree, or
//! the embedded default — and the manifest's fallbacks when that fails.
//!
//! SECURITY: every failure here becomes a decision (the manifest's fallback, deny unless
//! configured otherwise), never a crash and never an allow by accident.

use std::path::{Path, PathBuf};

use super::Decision;
use super::bundle::{Bundle, Manifest};
use super::policy::{Fallbacks, Policy};

/// The compiled default bundle, generated from `bundles/default/policy-config` (a test
/// keeps it in sync with the YAML).
pub const EMBEDDED_BUNDLE: &str = include_str!("../../bundles/default/policy-wrapper-rules.json");

/// Where to look for the policy, from the command line and environment.
#[derive(Debug, Clone, Default)]
pub struct Locator {
    /// `--bundle`.
    pub bundle: Option<PathBuf>,
    /// `--manifest`.
    pub manifest: Option<PathBuf>,
    /// `POLICY_EXEC_MANIFEST`.
    pub env_manifest: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME` (or `~/.config`).
    pub config_home: Option<PathBuf>,
    /// Where system-wide configuration lives (`/etc`).
    pub system_config: Option<PathBuf>,
    /// The one installation to use (a hook entry pinned by `sync --apply --hooks`): the
    /// directory holding `policy-config/` and the manifest. Nothing else is looked at.
    pub installation: Option<PathBuf>,
}

/// A policy ready to judge with, or the decision to give because none could be loaded.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// A policy.
    Ready(Box<Policy>),
    /// Loading failed: every command gets `decision`, with this message.
    Failed {
        /// The fallback decision.
        decision: Decision,
        /// Why, in one line with what to do.
        message: String,
    },
}

/// The manifest file name we write and look for.
pub const MANIFEST_NAME: &str = "policy-wrapper-dispatch.manifest.json";
/// The bundle file name we write.
pub const BUNDLE_NAME: &str = "policy-wrapper-rules.json";

impl Locator {
    /// Loads the policy following SPEC §4/§7: `--bundle`, then `--manifest`, then
    /// `POLICY_EXEC_MANIFEST`, then `$XDG_CONFIG_HOME/policy-exec/`, then
    /// `/etc/policy-exec/`, then the embedded default.
    pub fn load(&self) -> Loaded {
        if let Some(b) = &self.bundle {
            return load_bundle(b, &Fallbacks::default(), None);
        }
        match self.manifest_path() {
            Some(m) => load_manifest(&m),
            None => embedded(),
        }
    }

    /// The manifest [`Locator::load`] reads when no `--bundle` is given: `--manifest`,
    /// then `POLICY_EXEC_MANIFEST` (both used even when missing, so a typo is a deny,
    /// not the default), then the first existing one under `$XDG_CONFIG_HOME/policy-exec/`
    /// and `/etc/policy-exec/`. None: the embedded default applies.
    pub fn manifest_path(&self) -> Option<PathBuf> {
        if let Some(m) = self.manifest.as_ref().or(self.env_manifest.as_ref()) {
            return Some(m.clone());
        }
        [&self.config_home, &self.system_config]
            .into_iter()
            .flatten()
            .map(|dir| dir.join("policy-exec").join(MANIFEST_NAME))
            .find(|m| installed(m))
    }
}

/// Whether a manifest is installed at `path`: anything there, even a dangling symlink, a
/// symlink loop or a file we may not read, counts.
///
/// SECURITY: only "nothing there" (`NotFound`) lets the lookup move on towards the
/// embedded default. `exists()` is false for a dangling link, a loop and a directory we
/// cannot search, which silently replaced an installed (stricter) policy with the
/// default; now those are read, fail, and become a deny naming the file.
fn installed(path: &Path) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(_) => true,
        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
    }
}

/// The embedded default policy.
pub fn embedded() -> Loaded {
    match parse_bundle(EMBEDDED_BUNDLE, "embedded default policy") {
        Ok(p) => Loaded::Ready(Box::new(p)),
        Err(message) => Loaded::Failed {
            decision: Decision::Deny,
            message,
        },
    }
}

fn parse_bundle(text: &str, source: &str) -> Result<Policy, String> {
    let bundle: Bundle = serde_json::from_str(text).map_err(|e| {
        format!("bundle `{source}` is not a valid bundle ({e}): run `policy-exec resolve --emit-host-rules`")
    })?;
    // SECURITY: `policy_hash` is the hash of the YAML policy, so it cannot reveal a rule
    // edited in the bundle itself; `bundle_sha256` can.
    bundle.verify_content().map_err(|e| {
        format!(
            "bundle `{source}` was edited by hand: {e}: change the policy-config scope files instead and regenerate the bundle (`policy-exec resolve --root ROOT --harness H --task-domain D --emit-host-rules --host-out-dir DIR`, or `policy-exec sync`)"
        )
    })?;
    Policy::from_bundle(&bundle, source).map_err(|e| {
        format!("bundle `{source}` has an invalid rule: {e}: fix the policy and regenerate it")
    })
}

/// Loads a bundle with the given fallbacks.
pub fn load_bundle(path: &Path, fallbacks: &Fallbacks, hash: Option<&str>) -> Loaded {
    let shown = path.display().to_string();
    let text = match crate::files::read_regular_text(path, crate::files::MAX_BUNDLE_FILE) {
        Ok(t) => t,
        Err(e) => {
            // A bundle that is there but is not a readable regular file of a sane size is
            // malformed, not missing.
            let decision = if e.is_not_found() {
                fallbacks.missing_policy
            } else {
                fallbacks.malformed_bundle
            };
            return Loaded::Failed {
                decision,
                message: format!(
                    "bundle `{shown}` cannot be read ({e}): run `policy-exec resolve --emit-host-rules` or fix the manifest"
                ),
            };
        }
    };
    match parse_bundle(&text, &shown) {
        Ok(mut p) => {
            p.fallbacks = *fallbacks;
            if p.policy_hash.is_none() {
                p.policy_hash = hash.map(str::to_string);
            }
            Loaded::Ready(Box::new(p))
        }
        Err(message) => Loaded::Failed {
            decision: fallbacks.malformed_bundle,
            message,
        },
    }
}

/// Loads a manifest and the bundle it names. A manifest that is configured but
/// unreadable is a deny.
pub fn load_manifest(path: &Path) -> Loaded {
    let shown = path.display();
    let text = match crate::files::read_regular_text(path, crate::files::MAX_POLICY_FILE) {
        Ok(t) => t,
        Err(e) => {
            return Loaded::Failed {
                decision: Decision::Deny,
                message: format!(
                    "manifest `{shown}` cannot be read ({e}): fix or remove it, or run `policy-exec resolve --emit-host-rules`"
                ),
            };
        }
    };
    let manifest: Manifest = match serde_json::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            return Loaded::Failed {
                decision: Decision::Deny,
                message: format!("manifest `{shown}` is not a valid manifest ({e}): regenerate it"),
            };
        }
    };
    let mut fallbacks = Fallbacks::default();
    for (field, value, slot) in [
        (
            "fallback_missing_policy",
            &manifest.fallback_missing_policy,
            &mut fallbacks.missing_policy,
        ),
        (
            "fallback_malformed_bundle",
            &manifest.fallback_malformed_bundle,
            &mut fallbacks.malformed_bundle,
        ),
        (
            "fallback_condition_eval_error",
            &manifest.fallback_condition_eval_error,
            &mut fallbacks.condition_eval_error,
        ),
    ] {
        match Decision::parse(value) {
            Some(d) => *slot = d,
            None => {
                return Loaded::Failed {
                    decision: Decision::Deny,
                    message: format!(
                        "manifest `{shown}`: `{field}` is `{value}`: use allow, request or deny"
                    ),
                };
            }
        }
    }
    let bundle = PathBuf::from(&manifest.bundle_path);
    let bundle = if bundle.is_absolute() {
        bundle
    } else {
        path.parent().unwrap_or(Path::new(".")).join(bundle)
    };
    load_bundle(&bundle, &fallbacks, manifest.policy_hash.as_deref())
}

/// Reads each resolved scope file again to know where every rule was written.
pub fn layers(scopes: &[(String, PathBuf)], root: &Path) -> Vec<super::bundle::Layer> {
    scopes
        .iter()
        .filter_map(|(scope, path)| {
            let text = crate::files::read_regular_text(path, crate::files::MAX_POLICY_FILE).ok()?;
            let doc: serde_json::Value = serde_yaml_ng::from_str(&text).ok()?;
            let shown = path
                .strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string();
            Some(super::bundle::Layer {
                scope: scope.clone(),
                path: shown,
                doc,
            })
        })
        .collect()
}

/// Resolves a policy tree and compiles it, for `check --root` and `explain --root`.
pub fn from_tree(root: &Path, harness: Option<&str>, task_domain: Option<&str>) -> Loaded {
    let request = crate::resolve::ResolveRequest {
        root: root.to_path_buf(),
        harness: harness.unwrap_or("default").to_string(),
        task_domain: task_domain.unwrap_or("default").to_string(),
        task_instance: None,
        system: None,
        user: None,
    };
    let fail = |message: String| Loaded::Failed {
        decision: Decision::Deny,
        message,
    };
    let resolved = match crate::resolve::resolve_strict(&request, None) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    let layers = layers(&resolved.scopes, root);
    let bundle = match super::bundle::build(&resolved.policy, &layers, Some(&resolved.policy_hash))
    {
        Ok(b) => b,
        Err(e) => return fail(format!("policy tree `{}`: {e}", root.display())),
    };
    match Policy::from_bundle(&bundle, &root.display().to_string()) {
        Ok(p) => Loaded::Ready(Box::new(p)),
        Err(e) => fail(format!("policy tree `{}`: {e}", root.display())),
    }
}
