//! Shell mode: policy-exec installed as the harness's shell (a link named `bash`, `sh`,
//! `zsh` or `dash`). It reads bash's argv, judges the script it will run, and then
//! either replaces itself with the real shell (same arguments, same argv[0], the
//! environment minus injection vectors), refuses with a message an agent can act on, or
//! asks a human on the terminal.
//!
//! This module owns the hand-off to `exec`: [`exec::Permit`] can only be built from an
//! allow decision or an approved prompt, and [`exec::exec`] takes nothing else.

pub mod argv;
pub mod exec;
pub mod prompt;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use crate::command::{Analysis, Dir, SimpleCommand, Via, Word};
use crate::git::Git2RepoState;
use crate::policy::Decision;
use crate::policy::engine::{self, Evaluation};
use crate::policy::load::{Loaded, Locator};
use crate::policy::policy::Policy;
use crate::report;
use argv::Invocation;

/// The exit status for a refused command (bash's "cannot execute").
pub const REFUSED: u8 = 126;
/// The exit status when no real shell can be found (bash's "not found").
pub const NO_SHELL: u8 = 127;

/// Runs shell mode. Returns only when the command is not run (refused, or an error);
/// on allow the process becomes the real shell.
pub fn run(argv: Vec<OsString>, locator: &Locator) -> u8 {
    let mut err = std::io::stderr().lock();
    let argv0 = argv
        .first()
        .cloned()
        .unwrap_or_else(|| OsString::from("bash"));
    let args: Vec<OsString> = argv.get(1..).unwrap_or(&[]).to_vec();
    let name = emulated_name(&argv0);

    let loaded = locator.load();
    let configured = match &loaded {
        Loaded::Ready(p) => p.enforcement.shells.get(&name).cloned(),
        Loaded::Failed { .. } => None,
    };
    let shell = match exec::real_shell(&name, configured.as_deref()) {
        Ok(s) => s,
        Err(message) => {
            let _ = writeln!(err, "policy-exec: {message}");
            return NO_SHELL;
        }
    };

    let script = match argv::parse(&args) {
        Ok(inv) => inv,
        // bash will print its own usage error and run nothing.
        Err(_) => return exec::exec(exec::Permit::runs_nothing(), &shell, &argv0, &args),
    };
    let policy = match loaded {
        Loaded::Ready(p) => p,
        Loaded::Failed { decision, message } => {
            if decision == Decision::Allow {
                // The manifest's operator chose allow as this fallback.
                let _ = writeln!(err, "policy-exec: warning: {message}; fallback is allow");
                return exec::exec(exec::Permit::fallback_allow(), &shell, &argv0, &args);
            }
            return refuse_unloaded(decision, &message, &mut err);
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| Path::new("/").to_path_buf());
    let repo = Git2RepoState::new();
    let (text, eval) = match script {
        Invocation::Info => {
            return exec::exec(exec::Permit::runs_nothing(), &shell, &argv0, &args);
        }
        Invocation::Command {
            script,
            positionals,
        } => {
            let eval = engine::judge_with(&script, Some(positionals), &policy, &cwd, &repo);
            (script, eval)
        }
        Invocation::File {
            path,
            args: script_args,
        } => match std::fs::read_to_string(&path) {
            Ok(content) => {
                let mut positionals = vec![path.to_string_lossy().into_owned()];
                positionals.extend(script_args);
                let eval = engine::judge_with(&content, Some(positionals), &policy, &cwd, &repo);
                (content, eval)
            }
            // bash cannot read it either (same user): it will report the error.
            Err(_) => return exec::exec(exec::Permit::runs_nothing(), &shell, &argv0, &args),
        },
        Invocation::Stdin {
            explicit,
            interactive,
        } => {
            if interactive || (!explicit && prompt::stdin_is_terminal()) {
                // SECURITY: an interactive shell is a human at a terminal, not an agent's
                // command; it passes through (see the README's threat model).
                return exec::exec(exec::Permit::interactive(), &shell, &argv0, &args);
            }
            // A script read from standard input is only known when it runs.
            let analysis = Analysis {
                commands: vec![SimpleCommand {
                    words: vec![Word::Lit(name.clone())],
                    dir: Dir::Start,
                    dynamic: Some(format!("`{name}` reads its script from standard input")),
                    via: Via::Direct,
                    frames: Vec::new(),
                    parse_error: None,
                }],
            };
            let eval = engine::evaluate(&analysis, &policy, &cwd, &repo);
            (format!("{name} (script on standard input)"), eval)
        }
    };
    decide(&eval, &policy, &text, &shell, &argv0, &args, &mut err)
}

/// The shell name policy-exec stands in for: argv[0]'s basename when it is a shell,
/// else `bash`.
fn emulated_name(argv0: &OsString) -> String {
    let text = argv0.to_string_lossy();
    let base = text.rsplit('/').next().unwrap_or(&text);
    let base = base.strip_prefix('-').unwrap_or(base);
    match base {
        "sh" | "zsh" | "dash" => base.to_string(),
        _ => "bash".to_string(),
    }
}

fn decide(
    eval: &Evaluation,
    policy: &Policy,
    script: &str,
    shell: &Path,
    argv0: &OsString,
    args: &[OsString],
    err: &mut dyn Write,
) -> u8 {
    match eval.decision {
        Decision::Allow => match exec::Permit::from_evaluation(eval) {
            Some(permit) => exec::exec(permit, shell, argv0, args),
            None => refuse(eval, policy, err),
        },
        Decision::Request => {
            let question = prompt::Question {
                command: report::deciding_text(eval),
                rule: eval.deciding_rule(policy).map(|r| r.id.clone()),
                reason: report::reason(eval, policy),
                script: script.to_string(),
            };
            match prompt::ask(&question, policy.enforcement.prompt_timeout) {
                prompt::Answer::Yes(permit) => exec::exec(permit, shell, argv0, args),
                prompt::Answer::No | prompt::Answer::TimedOut => refuse(eval, policy, err),
                prompt::Answer::NoTerminal => refuse(eval, policy, err),
            }
        }
        Decision::Deny => refuse(eval, policy, err),
    }
}

/// Prints the two refusal lines and returns the refusal status.
fn refuse(eval: &Evaluation, policy: &Policy, err: &mut dyn Write) -> u8 {
    let (human, json) = report::refusal(eval, policy);
    let _ = writeln!(err, "{human}");
    let _ = writeln!(err, "{json}");
    REFUSED
}

fn refuse_unloaded(decision: Decision, message: &str, err: &mut dyn Write) -> u8 {
    let json = serde_json::json!({
        "error": "policy_unavailable",
        "decision": decision.as_str(),
        "reason": message,
        "next_steps": ["fix or regenerate the policy bundle and manifest (`policy-exec resolve --emit-host-rules`)"],
    });
    let _ = writeln!(err, "policy-exec: {}: {message}", refusal_word(decision));
    let _ = writeln!(err, "{json}");
    REFUSED
}

fn refusal_word(decision: Decision) -> &'static str {
    match decision {
        Decision::Request => "needs approval",
        _ => "denied",
    }
}
