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
//! - Gemini CLI 0.61 (`BeforeTool`): exit 0 with `{"decision": "deny", "reason": …}`
//!   blocks and shows the reason to the model; `allow` approves nothing of its own;
//!   `ask` hangs a headless run, so a request is a deny; exit 2 with text on stderr
//!   denies too. A crash, empty output or a timeout lets the command run.
//! - Copilot CLI 1.0.102 (`preToolUse`): `{"permissionDecision": …,
//!   "permissionDecisionReason": …}`; `allow` auto-approves, even over `--deny-tool`
//!   (so only a rule's allow is said); `ask` is a deny headless; any non-zero exit
//!   denies, a timeout lets the command run.
//! - OpenCode (our plugin, `shims/opencode/policy-exec.js`): `{"decision": …,
//!   "reason": …}` like Gemini's; the plugin throws (which blocks and reaches the model)
//!   on `deny`, on anything it cannot read and on a non-zero exit.
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
            Harness::Gemini | Harness::OpenCode => ok(decision("allow", reason)),
            Harness::Copilot => ok(copilot("allow", reason)),
        },
        Verdict::Ask { user, agent } => match harness {
            // Codex cannot ask; the verdict for Codex is already a deny, but a request
            // reaching here must still not run.
            Harness::Codex => ok(pre_tool_use("deny", agent)),
            Harness::Claude | Harness::Droid => ok(pre_tool_use("ask", user)),
            Harness::Cursor => ok(cursor("ask", user, agent)),
            // Their ask hangs or turns into something else headless: the verdict for
            // them is already a deny, and a request reaching here must still not run.
            Harness::Gemini | Harness::OpenCode => ok(decision("deny", agent)),
            Harness::Copilot => ok(copilot("deny", agent)),
        },
        Verdict::Deny { user, agent } => match harness {
            Harness::Claude | Harness::Droid | Harness::Codex => ok(pre_tool_use("deny", agent)),
            Harness::Cursor => ok(cursor("deny", user, agent)),
            Harness::Gemini | Harness::OpenCode => ok(decision("deny", agent)),
            Harness::Copilot => ok(copilot("deny", agent)),
        },
        Verdict::Failure { reason } => {
            let line = format!("policy-exec: denied: {reason}");
            let stdout = match harness {
                Harness::Claude | Harness::Droid | Harness::Codex => pre_tool_use("deny", &line),
                Harness::Cursor => cursor("deny", &line, &line),
                Harness::Gemini | Harness::OpenCode => decision("deny", &line),
                Harness::Copilot => copilot("deny", &line),
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

/// Gemini CLI's `BeforeTool` reply (also what the OpenCode plugin reads).
fn decision(decision: &str, reason: &str) -> String {
    let v = json!({"decision": decision, "reason": reason});
    format!("{v}\n")
}

/// Copilot CLI's `preToolUse` reply.
fn copilot(decision: &str, reason: &str) -> String {
    let v = json!({"permissionDecision": decision, "permissionDecisionReason": reason});
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

    /// The three harnesses that cannot ask from a hook: (harness, verdict, the
    /// decision word in the reply, the field it is in).
    #[rstest]
    #[case(Harness::Gemini, "allow", "allow", "decision")]
    #[case(Harness::Gemini, "ask", "deny", "decision")]
    #[case(Harness::Gemini, "deny", "deny", "decision")]
    #[case(Harness::OpenCode, "allow", "allow", "decision")]
    #[case(Harness::OpenCode, "ask", "deny", "decision")]
    #[case(Harness::OpenCode, "deny", "deny", "decision")]
    #[case(Harness::Copilot, "allow", "allow", "permissionDecision")]
    #[case(Harness::Copilot, "ask", "deny", "permissionDecision")]
    #[case(Harness::Copilot, "deny", "deny", "permissionDecision")]
    fn new_harness_replies(
        #[case] harness: Harness,
        #[case] verdict: &str,
        #[case] word: &str,
        #[case] field: &str,
    ) {
        let v = match verdict {
            "allow" => Verdict::Allow { reason: "a".into() },
            "ask" => Verdict::Ask {
                user: "u".into(),
                agent: "a".into(),
            },
            _ => deny(),
        };
        let r = render(harness, &v);
        assert_eq!(r.code, 0);
        assert_eq!(r.stderr, "");
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v[field], word, "{v}");
        let reason = if field == "decision" {
            "reason"
        } else {
            "permissionDecisionReason"
        };
        assert_eq!(v[reason], "a", "{v}");
        assert_eq!(
            render(harness, &Verdict::NoOpinion { note: None }).stdout,
            ""
        );
    }

    #[test]
    fn codex_allow_is_silent_and_failures_block_everywhere() {
        let allow = Verdict::Allow { reason: "r".into() };
        assert_eq!(render(Harness::Codex, &allow).stdout, "");
        let failure = Verdict::Failure { reason: "x".into() };
        for h in Harness::ALL {
            let r = render(h, &failure);
            assert_eq!(r.code, BLOCK);
            assert_eq!(r.stderr, "policy-exec: denied: x\n");
            assert!(r.stdout.contains("\"deny\""), "{}", r.stdout);
        }
    }
}
