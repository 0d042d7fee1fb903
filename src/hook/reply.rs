//! Writing a [`Verdict`] in a harness's reply format: what goes to stdout, what to
//! stderr, and the exit status.
//!
//! How each harness reads a reply (HOSTS.md; Claude Code 2.1.330, Droid 0.215, Codex CLI
//! 0.169, Cursor CLI):
//! - Claude Code and Droid: exit 0 with `hookSpecificOutput.permissionDecision`
//!   `allow|deny|ask`; exit 2 blocks and shows stderr to the model; any other non-zero
//!   exit fails open.
//! - Codex: the same shape, but only a deny is honoured (`allow` and `ask` are reported as
//!   unsupported), so allow is an empty reply and request is a deny; exit 2 with stderr
//!   blocks too.
//! - Cursor: exit 0 with `{"permission": …, "user_message", "agent_message"}` (and the
//!   camelCase spellings); exit 2 blocks.
//!
//! SECURITY: a [`Verdict::Failure`] (we could not judge) is answered in every channel at
//! once — a deny on stdout, the reason on stderr, exit 2 — so a harness that ignores
//! one of them still blocks.

use serde_json::json;

use super::Harness;

/// What the hook answers, already worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not ours to judge (another tool or event): no output at all.
    NoOpinion {
        /// A note for stderr when the hook seems wired to the wrong event.
        note: Option<String>,
    },
    /// The policy allows the command.
    Allow {
        /// Why, for logs.
        reason: String,
    },
    /// The policy requests a human: the harness asks the user.
    Ask {
        /// Shown to the user in the approval prompt.
        user: String,
        /// Shown to the model.
        agent: String,
    },
    /// The policy denies the command.
    Deny {
        /// The one-line reason for the user.
        user: String,
        /// The reason with the JSON an agent can act on.
        agent: String,
    },
    /// The call could not be judged (bad input, no policy, internal error): denied.
    Failure {
        /// Why, in one line.
        reason: String,
    },
}

/// A reply, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit status.
    pub code: u8,
}

/// The exit status that blocks in every harness, with the reason on stderr.
pub const BLOCK: u8 = 2;

/// Renders `verdict` for `harness`.
pub fn render(harness: Harness, verdict: &Verdict) -> Reply {
    let ok = |stdout: String| Reply {
        stdout,
        stderr: String::new(),
        code: 0,
    };
    match verdict {
        Verdict::NoOpinion { note } => Reply {
            stdout: String::new(),
            stderr: note
                .as_ref()
                .map(|n| format!("policy-exec: {n}\n"))
                .unwrap_or_default(),
            code: 0,
        },
        Verdict::Allow { reason } => match harness {
            // Codex reports `allow` without `updatedInput` as unsupported: say nothing.
            Harness::Codex => ok(String::new()),
            Harness::Claude | Harness::Droid => ok(pre_tool_use("allow", reason)),
            Harness::Cursor => ok(cursor("allow", reason, reason)),
        },
        Verdict::Ask { user, agent } => match harness {
            // Codex cannot ask; the verdict for Codex is already a deny, but a request
            // reaching here must still not run.
            Harness::Codex => ok(pre_tool_use("deny", agent)),
            Harness::Claude | Harness::Droid => ok(pre_tool_use("ask", user)),
            Harness::Cursor => ok(cursor("ask", user, agent)),
        },
        Verdict::Deny { user, agent } => match harness {
            Harness::Claude | Harness::Droid | Harness::Codex => ok(pre_tool_use("deny", agent)),
            Harness::Cursor => ok(cursor("deny", user, agent)),
        },
        Verdict::Failure { reason } => {
            let line = format!("policy-exec: denied: {reason}");
            let stdout = match harness {
                Harness::Claude | Harness::Droid | Harness::Codex => pre_tool_use("deny", &line),
                Harness::Cursor => cursor("deny", &line, &line),
            };
            Reply {
                stdout,
                stderr: format!("{line}\n"),
                code: BLOCK,
            }
        }
    }
}

/// Claude Code's `PreToolUse` reply (also Droid's and Codex's).
fn pre_tool_use(decision: &str, reason: &str) -> String {
    let v = json!({"hookSpecificOutput": {
        "hookEventName": "PreToolUse",
        "permissionDecision": decision,
        "permissionDecisionReason": reason,
    }});
    format!("{v}\n")
}

/// Cursor's `beforeShellExecution` reply, in both spellings Cursor has documented.
fn cursor(permission: &str, user: &str, agent: &str) -> String {
    let v = json!({
        "permission": permission,
        "user_message": user,
        "agent_message": agent,
        "userMessage": user,
        "agentMessage": agent,
    });
    format!("{v}\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use rstest::rstest;

    fn deny() -> Verdict {
        Verdict::Deny {
            user: "u".into(),
            agent: "a".into(),
        }
    }

    #[rstest]
    #[case(Harness::Claude)]
    #[case(Harness::Droid)]
    #[case(Harness::Codex)]
    fn deny_is_a_pre_tool_use_deny_with_the_agent_text(#[case] harness: Harness) {
        let r = render(harness, &deny());
        assert_eq!(r.code, 0);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["hookSpecificOutput"]["hookEventName"], "PreToolUse");
        assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny");
        assert_eq!(v["hookSpecificOutput"]["permissionDecisionReason"], "a");
    }

    #[test]
    fn codex_allow_is_silent_and_failures_block_everywhere() {
        let allow = Verdict::Allow { reason: "r".into() };
        assert_eq!(render(Harness::Codex, &allow).stdout, "");
        let failure = Verdict::Failure { reason: "x".into() };
        for h in [
            Harness::Claude,
            Harness::Droid,
            Harness::Codex,
            Harness::Cursor,
        ] {
            let r = render(h, &failure);
            assert_eq!(r.code, BLOCK);
            assert_eq!(r.stderr, "policy-exec: denied: x\n");
            assert!(r.stdout.contains("\"deny\""), "{}", r.stdout);
        }
    }
}
