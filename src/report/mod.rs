//! Rendering evaluations for `check` (exit code and the reference dispatcher's JSON) and
//! `explain` (a readable trace, or the same as JSON).

use serde_json::{Value, json};

use crate::command::{Dir, Via, Word};
use crate::policy::Decision;
use crate::policy::engine::{CommandEvaluation, Evaluation};
use crate::policy::policy::Policy;
use crate::policy::rule::Match;

/// `check`'s exit code: 0 allow, 1 request, 2 deny (the reference dispatcher's).
pub fn exit_code(decision: Decision) -> u8 {
    match decision {
        Decision::Allow => 0,
        Decision::Request => 1,
        Decision::Deny => 2,
    }
}

/// The one-line reason for the final decision.
pub fn reason(eval: &Evaluation, policy: &Policy) -> String {
    if let Some(e) = &eval.parse_error {
        return format!("the script does not parse as bash ({e})");
    }
    let Some(cmd) = eval.deciding() else {
        return "the script runs no command".to_string();
    };
    match eval.deciding_rule(policy) {
        Some(rule) => {
            let origin = if rule.origin.path.is_empty() {
                String::new()
            } else {
                format!(" ({})", rule.origin.path)
            };
            let why = rule
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            format!("{} — rule {}{origin}{why}", shown(&cmd.command), rule.id)
        }
        None => match (&cmd.command.dynamic, eval.possible_rule(policy)) {
            (None, Some(rule)) => format!(
                "{} — rule {}{} could match for some value of a word only known at run time",
                shown(&cmd.command),
                rule.id,
                if rule.origin.path.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", rule.origin.path)
                }
            ),
            _ => format!("{} — {}", shown(&cmd.command), cmd.why),
        },
    }
}

/// A command for messages: its text in backticks, control characters escaped.
fn shown(cmd: &crate::command::SimpleCommand) -> String {
    let text = cmd.text();
    if text.is_empty() {
        "the script".to_string()
    } else {
        format!("`{}`", one_line(&text))
    }
}

/// The JSON `check --json` prints, compatible with the reference dispatcher.
pub fn check_json(eval: &Evaluation, policy: &Policy) -> Value {
    let rule = eval.deciding_rule(policy);
    let cmd = eval.deciding();
    let condition_passed = cmd.and_then(|c| {
        c.matches
            .iter()
            .find(|m| m.outcome == Some(eval.decision))
            .and_then(|m| m.condition_passed)
    });
    let reasons: Vec<String> = eval
        .commands
        .iter()
        .filter(|c| c.decision > Decision::Allow)
        .map(|c| format!("{}: {} ({})", c.command.text(), c.decision, c.why))
        .chain(eval.parse_error.iter().map(|e| format!("parse error: {e}")))
        .collect();
    json!({
        "decision": eval.decision.as_str(),
        "matched": rule.is_some(),
        "rule_id": rule.map(|r| r.id.clone()),
        "rule_source": rule.map(|r| r.source.clone()),
        "rule_origin": rule.map(|r| json!({"scope": r.origin.scope, "path": r.origin.path})),
        "condition_passed": condition_passed,
        "command": cmd.map(|c| c.command.text()),
        "reason": reason(eval, policy),
        "reasons": reasons,
        "policy_hash": policy.policy_hash,
        "policy_source": policy.source,
    })
}

fn word_json(w: &Word) -> Value {
    match w {
        Word::Lit(s) => json!(s),
        Word::Glob(s) => json!({"glob": s}),
        Word::Unknown { text, .. } => json!({"unknown": text}),
    }
}

/// The JSON `explain --json` prints: every command, its rules and predicates.
pub fn explain_json(eval: &Evaluation, policy: &Policy) -> Value {
    let commands: Vec<Value> = eval
        .commands
        .iter()
        .map(|c| command_json(c, policy))
        .collect();
    json!({
        "decision": eval.decision.as_str(),
        "reason": reason(eval, policy),
        "parse_error": eval.parse_error,
        "commands": commands,
        "policy_hash": policy.policy_hash,
        "policy_source": policy.source,
        "enforcement": {"unmatched": policy.enforcement.unmatched.as_str(), "dynamic": policy.enforcement.dynamic.as_str()},
        "fallbacks": {
            "missing_policy": policy.fallbacks.missing_policy.as_str(),
            "malformed_bundle": policy.fallbacks.malformed_bundle.as_str(),
            "condition_eval_error": policy.fallbacks.condition_eval_error.as_str(),
        },
    })
}

fn command_json(c: &CommandEvaluation, policy: &Policy) -> Value {
    let matches: Vec<Value> = c
        .matches
        .iter()
        .map(|m| {
            let rule = policy.rules.get(m.rule);
            json!({
                "rule_id": rule.map(|r| r.id.clone()),
                "matcher": rule.map(|r| r.matcher.kind()),
                "pattern": rule.map(|r| r.pattern.clone()),
                "origin": rule.map(|r| json!({"scope": r.origin.scope, "path": r.origin.path})),
                "certainty": if m.certainty == Match::Yes { "match" } else { "possible" },
                "condition_passed": m.condition_passed,
                "predicates": m.predicates.iter().map(|p| json!({
                    "name": p.predicate.name(),
                    "value": p.value.value.as_ref().ok(),
                    "error": p.value.value.as_ref().err(),
                    "why": p.value.why,
                })).collect::<Vec<_>>(),
                "outcome": m.outcome.map(Decision::as_str),
                "note": m.note,
            })
        })
        .collect();
    json!({
        "command": c.command.text(),
        "argv": c.command.words.iter().map(word_json).collect::<Vec<_>>(),
        "frames": c.command.frames,
        "dir": c.dir.as_ref().map(|d| d.display().to_string()),
        "dynamic": c.command.dynamic,
        "interpreter_string": c.command.via == Via::InterpreterString,
        "matches": matches,
        "decision": c.decision.as_str(),
        "why": c.why,
    })
}

/// The readable trace `explain` prints.
pub fn explain_text(script: &str, eval: &Evaluation, policy: &Policy) -> String {
    let mut out = String::new();
    let hash = policy.policy_hash.as_deref().unwrap_or("unknown");
    out.push_str(&format!("policy: {} (policy_hash {hash})\n", policy.source));
    out.push_str(&format!("script: {}\n", one_line(script)));
    if let Some(e) = &eval.parse_error {
        out.push_str(&format!("parse error: {e}\n"));
        out.push_str("a script that does not parse is denied (bash would refuse it too)\n");
    }
    for (i, c) in eval.commands.iter().enumerate() {
        out.push_str(&format!("\n[{}] {}\n", i + 1, one_line(&c.command.text())));
        if !c.command.frames.is_empty() {
            out.push_str(&format!("    via: {}\n", c.command.frames.join(" › ")));
        }
        let dir = match (&c.dir, &c.command.dir) {
            (Some(d), Dir::Start) => format!("{} (starting directory)", d.display()),
            (Some(d), _) => format!("{} (after cd / git -C)", d.display()),
            (None, _) => "unknown (changed to a directory only known at run time)".to_string(),
        };
        out.push_str(&format!("    directory: {dir}\n"));
        if let Some(d) = &c.command.dynamic {
            out.push_str(&format!("    dynamic: {}\n", one_line(d)));
        }
        if c.command.via == Via::InterpreterString {
            out.push_str("    found in: a string literal of interpreter code\n");
        }
        for w in &c.command.words {
            if let Word::Unknown { text, .. } = w {
                out.push_str(&format!(
                    "    unknown word: `{}` (only known at run time)\n",
                    one_line(text)
                ));
            }
        }
        if c.matches.is_empty() {
            out.push_str("    rules: none matched\n");
        }
        for m in &c.matches {
            let Some(rule) = policy.rules.get(m.rule) else {
                continue;
            };
            let glob_note = if rule.matcher.kind() == "glob" {
                " (glob over the words joined by spaces, reference semantics)"
            } else {
                ""
            };
            let origin = if rule.origin.path.is_empty() {
                String::new()
            } else {
                format!(" from {}", rule.origin.path)
            };
            let certainty = if m.certainty == Match::Yes {
                "matches"
            } else {
                "could match"
            };
            out.push_str(&format!(
                "    rule {}{origin}: {} `{}`{glob_note} {certainty}\n",
                rule.id,
                rule.matcher.kind(),
                rule.pattern
            ));
            for p in &m.predicates {
                let v = match &p.value.value {
                    Ok(true) => "true".to_string(),
                    Ok(false) => "false".to_string(),
                    Err(e) => format!("error ({e})"),
                };
                out.push_str(&format!(
                    "      {} = {v}: {}\n",
                    p.predicate.name(),
                    p.value.why
                ));
            }
            let outcome = m
                .outcome
                .map_or("no decision".to_string(), |d| d.to_string());
            out.push_str(&format!("      → {outcome}: {}\n", m.note));
            if let Some(r) = &rule.reason {
                out.push_str(&format!("      reason: {r}\n"));
            }
        }
        out.push_str(&format!("    decision: {} ({})\n", c.decision, c.why));
    }
    out.push_str(&format!(
        "\ndecision: {} — {}\n",
        eval.decision.as_str().to_uppercase(),
        reason(eval, policy)
    ));
    out
}

/// Escapes control characters so a command cannot forge lines of output.
pub fn one_line(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '\n' => vec!['\\', 'n'],
            '\t' => vec!['\\', 't'],
            c if c.is_control() => format!("\\x{:02x}", c as u32).chars().collect(),
            c => vec![c],
        })
        .collect()
}

/// The command that decided the outcome, as text (empty when none).
pub fn deciding_text(eval: &Evaluation) -> String {
    eval.deciding()
        .map(|c| c.command.text())
        .unwrap_or_default()
}

/// What happened when a request was put to a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// There was no terminal to ask on (or the decision was a deny).
    NoTerminal,
    /// The human said no.
    Declined,
    /// Nobody answered in time.
    TimedOut,
    /// A harness hook answered "ask": the harness puts the question to the user.
    ByHarness,
    /// A harness hook that cannot ask (Codex honours only a deny): a human must approve
    /// it some other way.
    HookCannotAsk,
}

/// The two stderr lines of a refusal in shell mode: one for humans, one JSON line an
/// agent can act on.
pub fn refusal(eval: &Evaluation, policy: &Policy, asked: Asked) -> (String, String) {
    let word = match eval.decision {
        Decision::Request => "needs approval",
        _ => "denied",
    };
    let human = format!("policy-exec: {word}: {}", reason(eval, policy));
    let rule = eval.deciding_rule(policy);
    let command = deciding_text(eval);
    let mut steps: Vec<String> = Vec::new();
    // Failing predicates are the most actionable: say what would make the rule pass.
    if let Some(cmd) = eval.deciding() {
        for m in cmd
            .matches
            .iter()
            .filter(|m| m.outcome == Some(eval.decision))
        {
            for p in &m.predicates {
                match &p.value.value {
                    Ok(false) => steps.push(format!(
                        "make `{}` hold first (now: {}){}",
                        p.predicate.name(),
                        p.value.why,
                        match p.predicate {
                            crate::git::Predicate::CleanWorktree =>
                                ", e.g. commit or stash your changes",
                            crate::git::Predicate::SyncedToUpstream =>
                                ", e.g. pull or push so the branch matches its upstream",
                            crate::git::Predicate::IsWorktree =>
                                ", i.e. run it inside a git work tree",
                        }
                    )),
                    Err(e) => steps.push(format!(
                        "`{}` could not be evaluated ({e})",
                        p.predicate.name()
                    )),
                    Ok(true) => {}
                }
            }
        }
    }
    match eval.decision {
        Decision::Request => steps.push(
            match asked {
                Asked::Declined => "the user declined it at the prompt: do not retry it; ask them what to do instead",
                Asked::TimedOut => "nobody answered the approval prompt in time: ask the user before retrying",
                Asked::NoTerminal => "ask the user to approve it: run it where policy-exec can prompt on a terminal, or have the user run it",
                Asked::ByHarness => "the user is asked to approve it: if they decline, do not retry it; ask them what to do instead",
                Asked::HookCannotAsk => "a human must approve it and this harness cannot ask from a hook: ask the user to run it themselves or to approve it another way",
            }
            .into(),
        ),
        _ => {
            steps.push("do not retry the same command: the policy forbids it".into());
            if let Some(r) = rule {
                steps.push(format!(
                    "if the task really needs it, ask the user to run it or to change rule `{}`{}",
                    r.id,
                    if r.origin.path.is_empty() {
                        String::new()
                    } else {
                        format!(" in {}", r.origin.path)
                    }
                ));
            }
        }
    }
    if !command.is_empty() {
        steps.push(format!(
            "see why: policy-exec explain '{}'",
            one_line(&command).replace('\'', "'\\''")
        ));
    }
    let error = match eval.decision {
        Decision::Request => "policy_approval_required",
        _ => "policy_denied",
    };
    let json = json!({
        "error": error,
        "decision": eval.decision.as_str(),
        "command": command,
        "rule": rule.map(|r| json!({"id": r.id, "scope": r.origin.scope, "path": r.origin.path})),
        "reason": reason(eval, policy),
        "policy_hash": policy.policy_hash,
        "next_steps": steps,
    });
    (human, json.to_string())
}
