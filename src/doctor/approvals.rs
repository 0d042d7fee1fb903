//! Who can approve exceptions (SPEC §11): the approval tier, whether proposals are on,
//! the grant store, and whether the kernel lets a process type into a terminal.

use super::{Check, Context, Status};
use crate::grants::store::{Store, Tier};
use crate::policy::load::Loaded;

/// The approvals section of the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApprovalsReport {
    /// `A` (the user's own store: a rail) or `B` (a root-owned store: sudo approves).
    pub tier: &'static str,
    /// Whether agents may propose exceptions.
    pub proposals: bool,
    /// The checks.
    pub checks: Vec<Check>,
}

/// Looks at the installed policy's approval settings.
pub(crate) fn report(ctx: &Context) -> ApprovalsReport {
    let locator = super::installed::locator(ctx);
    let cwd = std::env::current_dir().unwrap_or_else(|_| ctx.home.clone());
    let policy =
        match crate::lookup::policy_for(&locator, &cwd, None, &crate::lookup::Env::default()) {
            Loaded::Ready(p) => Some(p),
            Loaded::Failed { .. } => None,
        };
    let state = ctx.home.join(".local/state/policy-exec");
    let store = Store::new(
        &state,
        policy.as_ref().and_then(|p| p.approvals.store.as_deref()),
    );
    let proposals = policy.as_ref().is_some_and(|p| p.enforcement.proposals);
    let mut checks = Vec::new();
    let tier = store.tier();
    checks.push(match (tier, store.problem()) {
        (Tier::B, Some(problem)) => Check {
            name: "tier",
            status: Status::Fail,
            detail: format!("tier B is configured but its store cannot be trusted: {problem}; no grant is honoured"),
            fix: Some(format!(
                "sudo mkdir -p {0} && sudo chown root: {0} && sudo chmod 755 {0}",
                store.grants_dir().display()
            )),
        },
        (Tier::B, None) => Check {
            name: "tier",
            status: Status::Ok,
            detail: format!(
                "tier B: grants are read only from the root-owned {}; a human approves with `sudo policy-exec approve ID` (the agent does not know the password)",
                store.grants_dir().display()
            ),
            fix: None,
        },
        (Tier::A, _) => Check {
            name: "tier",
            status: Status::Info,
            detail: format!(
                "tier A: grants live in {} and the agent runs as the same user: approving refuses the agent's shells and terminals (a rail, not a wall; see the README's threat model). For a wall: `approvals.store` in the system scope (tier B) or run the agent as its own user (tier C)",
                store.grants_dir().display()
            ),
            fix: None,
        },
    });
    checks.push(Check {
        name: "proposals",
        status: Status::Info,
        detail: if proposals {
            "enabled: agents may propose exceptions (`policy-exec inbox` lists them)".into()
        } else {
            "disabled: agents are told to ask you; enable with `enforcement: {proposals: true}` in the user or system scope".into()
        },
        fix: None,
    });
    if crate::approve::gate::keystroke_injection_allowed() {
        checks.push(Check {
            name: "keystrokes",
            status: Status::Warn,
            detail: "the kernel lets a process push keystrokes into its terminal (TIOCSTI, `dev.tty.legacy_tiocsti=1` or a kernel before 6.2): an agent sharing your terminal could type into a prompt".into(),
            fix: Some("sudo sysctl -w dev.tty.legacy_tiocsti=0 (and persist it in /etc/sysctl.d/)".into()),
        });
    }
    if let Some(policy) = &policy {
        for name in ["AGENTS.md", "CLAUDE.md"] {
            let path = cwd.join(name);
            match crate::learn::export::is_current(&path, policy) {
                Some(true) => checks.push(Check {
                    name: "export",
                    status: Status::Ok,
                    detail: format!("{} holds the current policy", path.display()),
                    fix: None,
                }),
                Some(false) => checks.push(Check {
                    name: "export",
                    status: Status::Warn,
                    detail: format!(
                        "{} holds a policy section for another policy: agents read stale rules",
                        path.display()
                    ),
                    fix: Some(format!(
                        "policy-exec export --markdown --out {}",
                        path.display()
                    )),
                }),
                None => {}
            }
        }
    }
    ApprovalsReport {
        tier: tier.as_str(),
        proposals,
        checks,
    }
}
