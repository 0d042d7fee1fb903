//! The installed policy: what shell mode and hooks will judge with (the normal manifest
//! lookup of [`Locator`]), whether it is the current policy, and the real shell each
//! emulated shell hands over to (shell mode's own lookup, never ourselves).

use std::path::PathBuf;

use serde_json::Value;

use super::{Check, Context, PolicyReport, Status};
use crate::policy::load::{Loaded, Locator};

/// What the lookup found, before the checks that depend on the harnesses.
#[derive(Debug)]
pub(crate) struct Found {
    manifest: Option<PathBuf>,
    loaded: Loaded,
}

/// The policy lookup shell mode uses, with the home's config directory.
pub(crate) fn locator(ctx: &Context) -> Locator {
    Locator {
        bundle: None,
        manifest: None,
        env_manifest: ctx.env_manifest.clone(),
        config_home: Some(ctx.config_home.clone()),
        system_config: ctx.system_config.clone(),
        installation: None,
    }
}

/// Finds and loads the policy like shell mode does (with the home's config directory);
/// also returns the manifest's own `policy_hash`, the current one when no
/// `--policy-json` is given.
pub(crate) fn load(ctx: &Context) -> (Found, Option<(PathBuf, String)>) {
    let locator = locator(ctx);
    let manifest = locator.manifest_path();
    let hash = manifest.as_ref().and_then(|m| {
        let text = crate::files::read_regular_text(m, crate::files::MAX_POLICY_FILE).ok()?;
        let v: Value = serde_json::from_str(&text).ok()?;
        let h = v.get("policy_hash")?.as_str()?.to_string();
        Some((m.clone(), h))
    });
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let loaded =
        crate::lookup::policy_for(&locator, &here, None, &crate::lookup::Env::from_process());
    (Found { manifest, loaded }, hash)
}

/// The policy section: the manifest and bundle, freshness against `--policy-json`, and
/// the real shell for every shell name policy-exec stands in for.
pub(crate) fn finish(ctx: &Context, found: Found, emulated: &[String]) -> PolicyReport {
    let fix = Some(ctx.sync_fix());
    let mut checks = Vec::new();
    let mut report = PolicyReport {
        manifest: found.manifest.clone(),
        bundle: None,
        rules: None,
        policy_hash: None,
        embedded_default: false,
        checks: Vec::new(),
    };
    let policy = match (&found.manifest, found.loaded) {
        // An installed tree (per-project lookup): what shell mode and hooks resolve for
        // a command judged here.
        (_, Loaded::Ready(p)) if !p.scopes.is_empty() => {
            checks.push(Check {
                name: "policy",
                status: Status::Ok,
                detail: format!(
                    "{}: {} scope files, rules: {}, policy_hash {}; an edit takes effect on the next command, and a repository's own policy-config/repo.yaml applies inside it",
                    p.source,
                    p.scopes.len(),
                    p.rules.len(),
                    p.policy_hash.as_deref().unwrap_or("unknown")
                ),
                fix: None,
            });
            Some(p)
        }
        (Some(m), Loaded::Ready(p)) => {
            checks.push(Check {
                name: "policy",
                status: Status::Ok,
                detail: format!(
                    "manifest `{}` → bundle `{}`: rules: {}, policy_hash {}",
                    m.display(),
                    p.source,
                    p.rules.len(),
                    p.policy_hash.as_deref().unwrap_or("unknown")
                ),
                fix: None,
            });
            Some(p)
        }
        (None, Loaded::Ready(p)) => {
            report.embedded_default = true;
            checks.push(Check {
                name: "policy",
                status: Status::Warn,
                detail: format!(
                    "no manifest in `{}` or `/etc/policy-exec/`: the embedded default policy applies (rules: {})",
                    ctx.config_home.join("policy-exec").display(),
                    p.rules.len()
                ),
                fix: fix.clone(),
            });
            Some(p)
        }
        (_, Loaded::Failed { decision, message }) => {
            checks.push(Check {
                name: "policy",
                status: Status::Fail,
                detail: format!("{message}; until fixed every command gets `{decision}`"),
                fix: fix.clone(),
            });
            None
        }
    };
    if let Some(p) = &policy {
        report.bundle = (!report.embedded_default).then(|| p.source.clone());
        report.rules = Some(p.rules.len());
        report.policy_hash = p.policy_hash.clone();
    }
    if let (Some((path, current)), Some(p)) = (&ctx.policy_json, &policy) {
        let installed = if report.embedded_default {
            "the embedded default policy".to_string()
        } else {
            format!(
                "policy_hash {}",
                p.policy_hash.as_deref().unwrap_or("unknown")
            )
        };
        let fresh = !report.embedded_default && p.policy_hash.as_deref() == Some(current);
        checks.push(Check {
            name: "fresh",
            status: if fresh { Status::Ok } else { Status::Fail },
            detail: if fresh {
                format!("the installed bundle is the current policy ({current})")
            } else {
                format!(
                    "shell mode and hooks judge with {installed}, but the current policy_hash (`{}`) is {current}",
                    path.display()
                )
            },
            fix: (!fresh).then(|| ctx.sync_fix()),
        });
    }
    for name in emulated {
        let configured = policy
            .as_ref()
            .and_then(|p| p.enforcement.shells.get(name).cloned());
        let check = match crate::shell::exec::real_shell(name, configured.as_deref()) {
            Ok(path) => Check {
                name: "real shell",
                status: Status::Ok,
                detail: format!("`{name}` runs `{}`", path.display()),
                fix: None,
            },
            Err(message) => Check {
                name: "real shell",
                status: Status::Fail,
                detail: message,
                fix: Some(format!(
                    "install {name}, or set `enforcement.shells.{name}` in the policy and sync"
                )),
            },
        };
        checks.push(check);
    }
    report.checks = checks;
    report
}
