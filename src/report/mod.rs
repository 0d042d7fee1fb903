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
            // A conditional rule's reason is written for the branch that refuses: when
            // it allows, say which branch allowed instead of printing that warning.
            let why = match (eval.decision, &rule.condition) {
                (Decision::Allow, Some(_)) if rule.action == Decision::Allow => {
                    " allows it: its conditions hold".to_string()
                }
                (Decision::Allow, Some(_)) => " allows it: its conditions do not hold".to_string(),
                _ => rule
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default(),
            };
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
        "path_rule": eval.deciding_path(policy).map(|(m, r)| path_json(m, r)),
        "condition_passed": condition_passed,
        "command": cmd.map(|c| c.command.text()),
        "reason": reason(eval, policy),
        "reasons": reasons,
        "policy_hash": policy.policy_hash,
        "policy_source": policy.source,
    })
}

/// A path rule's verdict on one operand, for `check --json`, `explain --json` and
/// refusals.
fn path_json(m: &crate::paths::PathMatch, rule: &crate::paths::PathRule) -> Value {
    json!({
        "id": rule.id,
        "scope": rule.origin.scope,
        "path": rule.origin.path,
        "operand": m.operand,
        "role": m.role,
        "access": m.access.as_str(),
        "resolved": m.resolved,
        "pattern": m.pattern,
        "certainty": if m.certainty == Match::Yes { "match" } else { "possible" },
        "outcome": m.outcome.as_str(),
        "reason": rule.reason,
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
        "scopes": policy.scopes.iter().map(|(s, p)| json!({"scope": s, "path": p})).collect::<Vec<_>>(),
        "ignored_settings": policy.notes,
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
        "paths": c.paths.iter().filter_map(|m| policy.path_rules.get(m.rule).map(|r| path_json(m, r))).collect::<Vec<_>>(),
        "decision": c.decision.as_str(),
        "why": c.why,
    })
}

/// The readable trace `explain` prints.
pub fn explain_text(script: &str, eval: &Evaluation, policy: &Policy) -> String {
    let mut out = String::new();
    let hash = policy.policy_hash.as_deref().unwrap_or("unknown");
    out.push_str(&format!("policy: {} (policy_hash {hash})\n", policy.source));
    if !policy.scopes.is_empty() {
        let chain: Vec<String> = policy
            .scopes
            .iter()
            .map(|(scope, path)| format!("{scope} {path}"))
            .collect();
        out.push_str(&format!("scopes: {}\n", chain.join(" › ")));
    }
    for note in &policy.notes {
        out.push_str(&format!("note: {}\n", one_line(note)));
    }
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
        for m in &c.paths {
            let Some(rule) = policy.path_rules.get(m.rule) else {
                continue;
            };
            let origin = if rule.origin.path.is_empty() {
                String::new()
            } else {
                format!(" from {}", rule.origin.path)
            };
            out.push_str(&format!(
                "    path rule {}{origin}: {} `{}` {}\n",
                rule.id,
                rule.access,
                m.pattern,
                if m.certainty == Match::Yes {
                    "matches"
                } else {
                    "could match"
                }
            ));
            out.push_str(&format!(
                "      operand `{}` ({}, access {}) → {}\n",
                one_line(&m.operand),
                m.role,
                m.access,
                m.resolved
                    .as_deref()
                    .map_or("only known at run time".to_string(), |r| format!(
                        "`{}`",
                        one_line(r)
                    ))
            ));
            out.push_str(&format!("      → {}\n", m.outcome));
            if let Some(r) = &rule.reason {
                out.push_str(&format!("      reason: {r}\n"));
            }
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

/// What a refusal needs beyond the evaluation.
#[derive(Debug, Clone, Copy)]
pub struct RefusalContext<'a> {
    /// What happened when the request was put to someone.
    pub asked: Asked,
    /// The decision id, also written to the log.
    pub denial_id: Option<&'a str>,
    /// Whether the agent may propose an exception (`enforcement.proposals`).
    pub proposals: bool,
    /// The script as received (shown when it does not parse).
    pub script: Option<&'a str>,
}

/// Why a script or one of its nested scripts does not parse, when that decided.
fn parse_problem(eval: &Evaluation) -> Option<String> {
    if let Some(e) = &eval.parse_error {
        return Some(e.clone());
    }
    let cmd = eval.deciding()?;
    cmd.command.parse_error.clone()
}

/// Quotes a word for a POSIX shell (for the commands shown in next steps).
fn sh_quote(text: &str) -> String {
    format!("'{}'", one_line(text).replace('\'', "'\\''"))
}

/// The two stderr lines of a refusal (shell mode, guards, hooks): one for humans, one
/// JSON line an agent can act on (SPEC §10). The JSON keeps every field of version 1
/// (`error`, `decision`, `command`, `rule`, `reason`, `policy_hash`, `next_steps`) and
/// adds `denial_id`, `proposals`, `actions`, `agent_guidance` and the rule's
/// `alternative`.
pub fn refusal(eval: &Evaluation, policy: &Policy, ctx: &RefusalContext) -> (String, String) {
    if let Some(problem) = parse_problem(eval) {
        return unparsable(eval, policy, ctx, &problem);
    }
    let word = match eval.decision {
        Decision::Request => "needs approval",
        _ => "denied",
    };
    let human = format!("policy-exec: {word}: {}", reason(eval, policy));
    let rule = eval.deciding_rule(policy);
    let command = deciding_text(eval);
    let deciding = eval.deciding();
    let mut steps: Vec<String> = Vec::new();
    // Failing predicates come first: they say what would make the rule pass.
    if let Some(cmd) = deciding {
        for m in cmd
            .matches
            .iter()
            .filter(|m| m.outcome == Some(eval.decision))
        {
            for p in &m.predicates {
                match &p.value.value {
                    Ok(false) => steps.push(format!(
                        "make `{}` hold first (now: {}){}, then run it again",
                        p.predicate.name(),
                        p.value.why,
                        match p.predicate {
                            crate::git::Predicate::CleanWorktree =>
                                ", e.g. commit or stash your changes",
                            crate::git::Predicate::SyncedToUpstream =>
                                ", e.g. pull or push so the branch matches its upstream",
                            crate::git::Predicate::IsWorktree =>
                                ", i.e. run it inside a git work tree",
                            crate::git::Predicate::PathsInsideWorktree =>
                                ", i.e. name only files inside the repository",
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
    let possible = rule.is_none().then(|| eval.possible_rule(policy)).flatten();
    let dynamic = deciding.and_then(|c| c.command.dynamic.as_deref());
    if let Some(r) = possible {
        steps.push(format!(
            "a word only known at run time could make rule `{}` match: write the command with literal words so it can be judged exactly",
            r.id
        ));
    } else if rule.is_none()
        && let Some(d) = dynamic
    {
        steps.push(format!(
            "it cannot be judged before it runs ({d}): write the command with literal words (no computed program names, `eval` of variables or piping into a shell)"
        ));
    }
    // Whether a grant could let this script through (every refused command exact and
    // refused by rules that allow exceptions): only then is proposing worth it.
    let proposable = ctx.proposals
        && eval
            .commands
            .iter()
            .filter(|c| c.decision != Decision::Allow)
            .all(|c| crate::grants::overrides_for(c, policy).is_ok());
    if proposable && ctx.asked != Asked::Declined {
        steps.push(format!(
            "if the task needs it, propose an exception: `policy-exec propose --denial {} --reason '<why>'`; the user approves it in their own terminal (you cannot); then run `policy-exec wait <proposal id>` and, when it exits 0, retry the command once",
            ctx.denial_id.unwrap_or("<denial_id>")
        ));
    }
    match eval.decision {
        Decision::Request if proposable && ctx.asked != Asked::Declined => {}
        Decision::Request => steps.push(
            match ctx.asked {
                Asked::Declined => "the user declined it at the prompt: do not retry it or a rewording of it; ask them what to do instead",
                Asked::TimedOut => "nobody answered the approval prompt in time: ask the user before retrying",
                Asked::NoTerminal => "a human must approve it and there is no terminal to ask on: tell the user what you need and why; they can run it themselves",
                Asked::ByHarness => "the user is asked to approve it: if they decline, do not retry it or a rewording of it; ask them what to do instead",
                Asked::HookCannotAsk => "a human must approve it and this harness cannot ask from a hook: tell the user what you need and why; they can run it themselves",
            }
            .into(),
        ),
        _ => {
            steps.push("do not retry it or a rewording of it (other spellings, wrappers such as `env`, `sudo` or `bash -c`, or a script that does the same): each is judged the same way".into());
            match rule {
                Some(r) => steps.push(format!(
                    "only a human can change rule `{}`{}: if the task really needs it, tell the user what you need and why",
                    r.id,
                    if r.origin.path.is_empty() {
                        String::new()
                    } else {
                        format!(" in {} ({} scope)", r.origin.path, r.origin.scope)
                    }
                )),
                None if deciding.is_some_and(|c| c.why.contains("is a human verb")) => steps.push(
                    "approving, rejecting and revoking are for the user, in their own terminal: tell the user what to approve and why; you cannot do it for them".into(),
                ),
                None if let Some((_, r)) = eval.deciding_path(policy) => steps.push(format!(
                    "the file is protected by path rule `{}`{}: only a human can change it; do not write it another way (a copy, a link, another program)",
                    r.id,
                    if r.origin.path.is_empty() {
                        String::new()
                    } else {
                        format!(" in {} ({} scope)", r.origin.path, r.origin.scope)
                    }
                )),
                None if possible.is_none() && dynamic.is_none() => steps.push(
                    "no rule allows it and `enforcement.unmatched` is deny: only a human can add an allow rule; tell the user what you need".into(),
                ),
                None => {}
            }
        }
    }
    if let Some(alt) = rule.and_then(|r| r.alternative.as_deref()) {
        steps.push(format!("a safe alternative: `{}`", one_line(alt)));
    }
    if !command.is_empty() {
        steps.push(format!(
            "see why: policy-exec explain {}",
            sh_quote(&command)
        ));
    }
    let error = match eval.decision {
        Decision::Request => "policy_approval_required",
        _ => "policy_denied",
    };
    let guidance = if proposable {
        "Do not work around this refusal; if the task needs it, propose the narrowest exception with the propose action, tell the user, and wait: only the user can approve it, in their own terminal."
    } else {
        "Do not work around this refusal (other spellings, wrappers or scripts are judged the same way); if the task needs it, tell the user what you need and why, and let them decide."
    };
    let json = json!({
        "error": error,
        "decision": eval.decision.as_str(),
        "command": command,
        "rule": rule.map(|r| json!({"id": r.id, "scope": r.origin.scope, "path": r.origin.path}))
            .or_else(|| eval.deciding_path(policy).map(|(_, r)| json!({"id": r.id, "scope": r.origin.scope, "path": r.origin.path, "kind": "path_rule"}))),
        "path_rule": eval.deciding_path(policy).map(|(m, r)| path_json(m, r)),
        "reason": reason(eval, policy),
        "alternative": rule.and_then(|r| r.alternative.clone()),
        "policy_hash": policy.policy_hash,
        "denial_id": ctx.denial_id,
        "proposals": if ctx.proposals { "enabled" } else { "disabled" },
        "actions": crate::cli::agent_actions(&command, proposable, ctx.denial_id),
        "agent_guidance": guidance,
        "next_steps": steps,
    });
    (human, json.to_string())
}

/// The refusal of a script (or a nested script) that does not parse: bash would refuse
/// it too, so the agent is told to fix the syntax, not that the policy forbids it.
fn unparsable(
    eval: &Evaluation,
    policy: &Policy,
    ctx: &RefusalContext,
    problem: &str,
) -> (String, String) {
    let nested = eval.parse_error.is_none();
    let command = if nested {
        deciding_text(eval)
    } else {
        // The script itself, on one line and cut to a readable length.
        crate::log::redact::truncate_to(&one_line(ctx.script.unwrap_or_default()), 1000)
    };
    let what = if nested {
        "a nested script does not parse as bash"
    } else {
        "the script does not parse as bash"
    };
    let human = format!(
        "policy-exec: not run: {what} ({}): fix the quoting or syntax",
        one_line(problem)
    );
    let steps = vec![
        format!(
            "{what} ({}): fix the quoting or syntax (unclosed quotes, a missing `fi`/`done`/`esac`, a stray `)`) and run it again",
            one_line(problem)
        ),
        "this is not a policy decision: the fixed command is judged like any other".to_string(),
    ];
    let json = json!({
        "error": "script_unparsable",
        "decision": eval.decision.as_str(),
        "command": command,
        "rule": Value::Null,
        "reason": format!("{what} ({problem})"),
        "alternative": Value::Null,
        "policy_hash": policy.policy_hash,
        "denial_id": ctx.denial_id,
        "proposals": if ctx.proposals { "enabled" } else { "disabled" },
        "actions": crate::cli::agent_actions(&command, false, ctx.denial_id),
        "agent_guidance": "Fix the script's syntax and run it again; nothing was judged against the policy.",
        "next_steps": steps,
    });
    (human, json.to_string())
}

/// The refusal of an allowed command whose log line could not be written while the
/// operator requires the log (`log.required: true`).
pub fn unlogged(script: &str, denial_id: &str, outcome: &crate::log::Outcome) -> (String, String) {
    let why = match outcome {
        crate::log::Outcome::Failed { message, .. } => message.clone(),
        _ => "the decision log could not be written".to_string(),
    };
    let human = format!(
        "policy-exec: denied: {}: `log.required` is set, so nothing runs unrecorded",
        one_line(&why)
    );
    let json = json!({
        "error": "log_unavailable",
        "decision": "deny",
        "command": crate::log::redact::truncate_to(&one_line(script), 1000),
        "reason": format!("{why}; `log.required` is set"),
        "denial_id": denial_id,
        "next_steps": [
            "the command was allowed by the policy but could not be recorded: tell the user the decision log cannot be written",
            "a human fixes the log directory (or `log.required` in the system or user scope); then run it again",
        ],
    });
    (human, json.to_string())
}
