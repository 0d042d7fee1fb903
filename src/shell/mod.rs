//! Shell mode: policy-exec installed as the harness's shell (a link named `bash`, `sh`,
//! `zsh` or `dash`). It reads bash's argv, judges the script it will run, and then
//! either replaces itself with the real shell (same arguments, same `argv[0]`, the
//! environment minus injection vectors), refuses with a message an agent can act on, or
//! asks a human on the terminal.
//!
//! This module owns the hand-off to `exec`: [`exec::Permit`] can only be built from an
//! allow decision or an approved prompt, and [`exec::exec`] takes nothing else.

pub mod argv;
pub mod exec;
pub mod guard;
pub mod prompt;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use crate::command::{Analysis, Dir, SimpleCommand, Via, Word};
use crate::git::Git2RepoState;
use crate::log::{self, Audit, Mode};
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

    // SECURITY: a configured "real shell" that execs policy-exec again (a wrapper script)
    // would loop forever. exec keeps the pid, so we count how often this process has
    // become policy-exec; a few times is normal (Codex's preamble ends in
    // `exec <shell> -c …`), dozens is a loop.
    let generation = exec::generation();
    if generation > exec::MAX_GENERATIONS {
        let _ = writeln!(
            err,
            "policy-exec: the real shell started policy-exec again in the same process (a loop): point `enforcement.shells.{name}` at the real shell, not at a wrapper around policy-exec"
        );
        return NO_SHELL;
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| Path::new("/").to_path_buf());
    let repo = Git2RepoState::with_home(std::env::var_os("HOME").map(std::path::PathBuf::from));
    let parsed = argv::parse(&args);
    // Only the rules for the programs the script runs are read (when all are known).
    let analysed = match &parsed {
        Ok(Invocation::Command {
            script,
            positionals,
        }) => Some(engine::analyse_as(
            script,
            Some(positionals.clone()),
            &cwd,
            &repo,
            &name,
        )),
        _ => None,
    };
    let needs = analysed.as_ref().and_then(engine::Analysed::needs);
    let loaded = crate::lookup::policy_for_programs(
        locator,
        &cwd,
        None,
        &crate::lookup::Env::from_process(),
        needs.as_ref(),
    );
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

    let script = match parsed {
        Ok(inv) => inv,
        // bash will print its own usage error and run nothing.
        Err(_) => return exec::exec(exec::Permit::runs_nothing(), &shell, &argv0, &args),
    };
    if let Invocation::Command { script, .. } = &script
        && own_hook_call(script)
    {
        return exec::exec(exec::Permit::own_hook(), &shell, &argv0, &args);
    }
    // SECURITY: harnesses read their environment through the shell when a session
    // starts (Claude Code's `bash -c env`, Copilot's login probe `printf …; env -0`). A
    // script that does nothing but print the environment passes in shell mode, where
    // that probe arrives; under a harness that hands the agent's command to the shell
    // as is (Codex, OpenCode, Copilot) the agent's own bare `env` passes too. `check`
    // and the hooks ask for it (the secrets pack), and Claude Code wraps every agent
    // command in `eval`, which is not such a script.
    if analysed
        .as_ref()
        .is_some_and(engine::Analysed::only_prints_environment)
    {
        return exec::exec(exec::Permit::environment_probe(), &shell, &argv0, &args);
    }
    let policy = match loaded {
        Loaded::Ready(p) => p,
        Loaded::Failed { decision, message } => {
            let shown = unloaded_script(&script);
            let audit = Audit::new(Mode::Shell, None, &shown, &cwd);
            if decision == Decision::Allow {
                // The manifest's operator chose allow as this fallback.
                let _ = writeln!(err, "policy-exec: warning: {message}; fallback is allow");
                warn(&audit.unevaluated(decision, &message, None), &mut err);
                return exec::exec(exec::Permit::fallback_allow(), &shell, &argv0, &args);
            }
            return refuse_unloaded(&audit, decision, &message, &mut err);
        }
    };
    let (text, eval) = match script {
        Invocation::Info => {
            return exec::exec(exec::Permit::runs_nothing(), &shell, &argv0, &args);
        }
        Invocation::Command {
            script,
            positionals,
        } => {
            let eval = match &analysed {
                Some(a) => engine::judge_analysed(a, &policy, &cwd, &repo),
                None => engine::judge_analysed(
                    &engine::analyse_as(&script, Some(positionals), &cwd, &repo, &name),
                    &policy,
                    &cwd,
                    &repo,
                ),
            };
            (script, eval)
        }
        Invocation::File {
            path,
            args: script_args,
        } => match script_file(&path) {
            ScriptFile::Text(content) => {
                let mut positionals = vec![path.to_string_lossy().into_owned()];
                positionals.extend(script_args);
                let analysed = engine::analyse_as(&content, Some(positionals), &cwd, &repo, &name);
                let eval = engine::judge_analysed(&analysed, &policy, &cwd, &repo);
                (content, eval)
            }
            ScriptFile::TooLarge(len) => (
                format!("{name} {}", path.to_string_lossy()),
                engine::too_large(len),
            ),
            ScriptFile::Stream => {
                let shown = path.to_string_lossy().into_owned();
                let eval = dynamic_eval(
                    &name,
                    &format!(
                        "`{name}` reads its script from `{shown}`, a stream only known at run time"
                    ),
                    &policy,
                    &cwd,
                    &repo,
                );
                (format!("{name} {shown}"), eval)
            }
            // bash cannot read it either (same user): it will report the error.
            ScriptFile::Missing => {
                return exec::exec(exec::Permit::runs_nothing(), &shell, &argv0, &args);
            }
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
            let reason = format!("`{name}` reads its script from standard input");
            let eval = dynamic_eval(&name, &reason, &policy, &cwd, &repo);
            (format!("{name} (script on standard input)"), eval)
        }
    };
    let audit = Audit::new(Mode::Shell, None, &text, &cwd);
    decide(
        &eval,
        &policy,
        &audit,
        &shell,
        &argv0,
        &args,
        Defer::ToGuards,
        &mut err,
    )
}

/// Is `script` exactly this binary's hook command, as `sync --apply --hooks` writes it
/// (`<path> hook <harness>`, optionally `--installation <dir>`, quoted the way it quotes
/// them), with `<path>` the same file as this binary?
///
/// SECURITY: Gemini CLI and Copilot CLI run their hook commands through the shell they
/// run commands with; wired both ways, the hook command reaches shell mode. It only
/// reads a hook call on stdin and prints a judgement — it runs nothing — so it passes
/// unjudged: otherwise a policy whose `unmatched` (or a rule about policy-exec's own
/// directories) asks about it would make the harness refuse every command. Anything
/// else, one byte more (`; …`, a redirection, another option) or another program
/// included, is judged as usual.
fn own_hook_call(script: &str) -> bool {
    use crate::render::apply::{PIN_FLAG, hook_command, hook_program};
    // Every hook command holds ` hook <harness>`: one scan instead of one per harness.
    if !script.contains(" hook ") {
        return false;
    }
    let Some(harness) = crate::hook::Harness::ALL
        .into_iter()
        .find(|h| hook_program(script, h.name()).is_some())
    else {
        return false;
    };
    let Some(program) = hook_program(script, harness.name()) else {
        return false;
    };
    let installation = script
        .split_once(&format!(" {PIN_FLAG} "))
        .map(
            |(_, dir)| match dir.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')) {
                Some(quoted) => quoted.replace("'\\''", "'"),
                None => dir.to_string(),
            },
        )
        .map(std::path::PathBuf::from);
    if hook_command(&program, harness.name(), installation.as_deref()) != script {
        return false;
    }
    let same_file = |a: &Path, b: &Path| {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => (x.dev(), x.ino()) == (y.dev(), y.ino()),
            _ => false,
        }
    };
    program.is_absolute() && std::env::current_exe().is_ok_and(|exe| same_file(&program, &exe))
}

/// Guard mode: argv[0] names a guarded program. Judges the exact argv, then execs the
/// real program found on `PATH` after the guard, or refuses like shell mode.
pub fn run_guard(argv: Vec<OsString>, locator: &Locator) -> u8 {
    let mut err = std::io::stderr().lock();
    let argv0 = argv.first().cloned().unwrap_or_default();
    let name = argv0
        .to_string_lossy()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let args: Vec<OsString> = argv.get(1..).unwrap_or(&[]).to_vec();
    if exec::generation() > exec::MAX_GENERATIONS {
        let _ = writeln!(
            err,
            "policy-exec: the guard for `{name}` started itself again in a loop: check PATH"
        );
        return NO_SHELL;
    }
    let real = match guard::real_program(&name, std::env::var_os("PATH").as_deref()) {
        Ok(p) => p,
        Err(message) => {
            let _ = writeln!(err, "policy-exec: {message}");
            return NO_SHELL;
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| Path::new("/").to_path_buf());
    let mut words = vec![OsString::from(&name)];
    words.extend(args.iter().cloned());
    let script = guard::quoted(&words);
    let repo = Git2RepoState::with_home(std::env::var_os("HOME").map(std::path::PathBuf::from));
    let analysed = engine::analyse(&script, None, &cwd, &repo);
    let needs = analysed.needs();
    let loaded = crate::lookup::policy_for_programs(
        locator,
        &cwd,
        None,
        &crate::lookup::Env::from_process(),
        needs.as_ref(),
    );
    let policy = match loaded {
        Loaded::Ready(p) => p,
        Loaded::Failed { decision, message } => {
            let audit = Audit::new(Mode::Guard, None, &script, &cwd);
            if decision == Decision::Allow {
                warn(&audit.unevaluated(decision, &message, None), &mut err);
                return exec::exec(exec::Permit::fallback_allow(), &real, &argv0, &args);
            }
            return refuse_unloaded(&audit, decision, &message, &mut err);
        }
    };
    let eval = engine::judge_analysed(&analysed, &policy, &cwd, &repo);
    let audit = Audit::new(Mode::Guard, None, &script, &cwd);
    // SECURITY: a guard is the last check: it never defers.
    decide(
        &eval,
        &policy,
        &audit,
        &real,
        &argv0,
        &args,
        Defer::Never,
        &mut err,
    )
}

/// The guard directory, when installed: `$XDG_DATA_HOME/policy-exec/guards` (default
/// `~/.local/share/policy-exec/guards`).
fn guard_dir() -> Option<std::path::PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })?;
    let dir = data.join("policy-exec/guards");
    dir.is_dir().then_some(dir)
}

/// The judgement of a shell whose script cannot be known before it runs.
fn dynamic_eval(
    name: &str,
    reason: &str,
    policy: &Policy,
    cwd: &Path,
    repo: &dyn crate::git::RepoState,
) -> Evaluation {
    let analysis = Analysis {
        commands: vec![SimpleCommand {
            words: vec![Word::Lit(name.to_string())],
            dir: Dir::Start,
            dynamic: Some(reason.to_string()),
            via: Via::Direct,
            frames: Vec::new(),
            parse_error: None,
            redirects: Vec::new(),
            find_results: None,
            fresh_files: false,
        }],
    };
    engine::evaluate(&analysis, policy, cwd, repo)
}

/// A script operand, as bash will find it.
enum ScriptFile {
    /// A regular file's content (bytes that are not UTF-8 become U+FFFD).
    Text(String),
    /// A pipe or device (`/dev/stdin`, `<(…)`): reading it to judge would consume it.
    Stream,
    /// A regular file longer than [`engine::MAX_SCRIPT_BYTES`] (its length): refused
    /// unread.
    TooLarge(usize),
    /// Nothing bash could read either.
    Missing,
}

/// Finds a script operand the way bash does: as given, else (no slash) on `PATH`.
fn script_file(path: &std::ffi::OsStr) -> ScriptFile {
    let given = Path::new(path);
    let mut candidates = vec![given.to_path_buf()];
    if !given.exists() && !path.to_string_lossy().contains('/') {
        let dirs = std::env::var_os("PATH").unwrap_or_default();
        candidates.extend(std::env::split_paths(&dirs).map(|d| d.join(given)));
    }
    for candidate in candidates {
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        // A stat before opening: opening a named pipe, even without blocking, would
        // release a writer waiting for its reader.
        if !meta.is_file() {
            return ScriptFile::Stream;
        }
        let limit = u64::try_from(engine::MAX_SCRIPT_BYTES).unwrap_or(u64::MAX);
        match crate::files::read_regular(&candidate, limit) {
            Ok(bytes) => return ScriptFile::Text(String::from_utf8_lossy(&bytes).into_owned()),
            Err(crate::files::ReadError::TooLarge { .. }) => {
                let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
                return ScriptFile::TooLarge(len.max(engine::MAX_SCRIPT_BYTES + 1));
            }
            // Swapped for a pipe or device since the stat.
            Err(crate::files::ReadError::NotRegular(_)) => return ScriptFile::Stream,
            Err(crate::files::ReadError::Io(_) | crate::files::ReadError::Dangling(_)) => {}
        }
    }
    ScriptFile::Missing
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

/// Whether a request may be left to the exec guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defer {
    /// Shell mode: when every request provably reaches a guard.
    ToGuards,
    /// Guard mode: never (the guard is the last check).
    Never,
}

/// What shell mode shows of a script it could not judge (no policy loaded).
fn unloaded_script(inv: &Invocation) -> String {
    match inv {
        Invocation::Command { script, .. } => script.clone(),
        Invocation::File { path, .. } => format!("bash {}", path.to_string_lossy()),
        Invocation::Stdin { .. } => "bash (script on standard input)".to_string(),
        Invocation::Info => String::new(),
    }
}

/// Prints the warning for a log line that could not be written (when the decision
/// stands). Returns false when the operator made the log required: the command must not
/// run.
fn warn(outcome: &log::Outcome, err: &mut dyn Write) -> bool {
    if let Some(w) = outcome.warning() {
        let _ = writeln!(err, "{w}");
    }
    !outcome.blocks_allow()
}

#[allow(clippy::too_many_arguments)]
fn decide(
    eval: &Evaluation,
    policy: &Policy,
    audit: &Audit,
    shell: &Path,
    argv0: &OsString,
    args: &[OsString],
    defer: Defer,
    err: &mut dyn Write,
) -> u8 {
    // A human's grant, consulted only for a refusal (an allow never reads the store).
    let mut granted_eval;
    let eval = if !crate::grants::may_apply(eval, policy) {
        eval
    } else {
        granted_eval = eval.clone();
        if crate::grants::apply_for_run(&mut granted_eval, policy, crate::grants::Use::Run)
            .is_empty()
        {
            eval
        } else {
            let outcome = audit.evaluated(&granted_eval, policy, Some(log::Asked::Grant), false);
            if !warn(&outcome, err) {
                return refuse_unlogged(audit, &outcome, err);
            }
            return match exec::Permit::from_evaluation(&granted_eval) {
                Some(permit) => {
                    exec::exec_guarded(permit, shell, argv0, args, guard_dir().as_deref())
                }
                None => refuse(eval, policy, audit, report::Asked::NoTerminal, err),
            };
        }
    };
    match eval.decision {
        Decision::Allow => match exec::Permit::from_evaluation(eval) {
            Some(permit) => {
                let outcome = audit.evaluated(eval, policy, None, false);
                if !warn(&outcome, err) {
                    return refuse_unlogged(audit, &outcome, err);
                }
                exec::exec_guarded(permit, shell, argv0, args, guard_dir().as_deref())
            }
            None => refuse(eval, policy, audit, report::Asked::NoTerminal, err),
        },
        Decision::Request => {
            // Ask once, where the exact argv is known: a guard will ask for each of them.
            if defer == Defer::ToGuards
                && let Some(dir) = guard_dir()
                && guard::requests_reach_guards(eval, audit.script, &dir)
            {
                let outcome = audit.evaluated(eval, policy, None, true);
                if !warn(&outcome, err) {
                    return refuse_unlogged(audit, &outcome, err);
                }
                return exec::exec_guarded(
                    exec::Permit::deferred_to_guards(),
                    shell,
                    argv0,
                    args,
                    Some(&dir),
                );
            }
            let question = prompt::Question {
                command: report::deciding_text(eval),
                rule: eval.deciding_rule(policy).map(|r| r.id.clone()),
                reason: report::reason(eval, policy),
                script: audit.script.to_string(),
            };
            // SECURITY (tier A): never ask on a terminal the agent's own code made.
            if let Some(why) = crate::approve::gate::prompt_refusal(&policy.log) {
                let _ = writeln!(err, "policy-exec: not asking: {why}");
                let _ = log::event(
                    &policy.log,
                    "prompt_refused",
                    serde_json::json!({"decision_id": audit.id.as_str(), "reason": why}),
                );
                return refuse(eval, policy, audit, report::Asked::NoTerminal, err);
            }
            match prompt::ask(&question, policy.enforcement.prompt_timeout) {
                prompt::Answer::Yes(permit) => {
                    let outcome = audit.evaluated(eval, policy, Some(log::Asked::Approved), false);
                    if !warn(&outcome, err) {
                        return refuse_unlogged(audit, &outcome, err);
                    }
                    exec::exec_guarded(permit, shell, argv0, args, guard_dir().as_deref())
                }
                prompt::Answer::Promote(permit) => {
                    let outcome = audit.evaluated(eval, policy, Some(log::Asked::Approved), false);
                    if !warn(&outcome, err) {
                        return refuse_unlogged(audit, &outcome, err);
                    }
                    match crate::learn::promote_from_prompt(policy, &question.command) {
                        Ok(g) => {
                            let _ = writeln!(
                                err,
                                "policy-exec: confirmed as pattern grant {} ({})",
                                g.id,
                                g.matcher.describe()
                            );
                        }
                        Err(m) => {
                            let _ = writeln!(err, "policy-exec: approved once; not promoted: {m}");
                        }
                    }
                    exec::exec_guarded(permit, shell, argv0, args, guard_dir().as_deref())
                }
                prompt::Answer::Always(permit) => {
                    let outcome = audit.evaluated(eval, policy, Some(log::Asked::Approved), false);
                    if !warn(&outcome, err) {
                        return refuse_unlogged(audit, &outcome, err);
                    }
                    match crate::approve::remember(eval, policy, audit.cwd) {
                        Ok(ids) if !ids.is_empty() => {
                            let _ = writeln!(
                                err,
                                "policy-exec: remembered as {} (exact command, this repository, {})",
                                ids.join(", "),
                                crate::grants::proposal::human_secs(
                                    policy.approvals.remember_ttl.as_secs()
                                )
                            );
                        }
                        Ok(_) => {
                            let _ = writeln!(
                                err,
                                "policy-exec: approved once; nothing to remember (the command is not exact)"
                            );
                        }
                        Err(m) => {
                            let _ =
                                writeln!(err, "policy-exec: approved once; not remembered: {m}");
                        }
                    }
                    exec::exec_guarded(permit, shell, argv0, args, guard_dir().as_deref())
                }
                prompt::Answer::No => refuse(eval, policy, audit, report::Asked::Declined, err),
                prompt::Answer::TimedOut => {
                    refuse(eval, policy, audit, report::Asked::TimedOut, err)
                }
                prompt::Answer::NoTerminal => {
                    refuse(eval, policy, audit, report::Asked::NoTerminal, err)
                }
            }
        }
        Decision::Deny => refuse(eval, policy, audit, report::Asked::NoTerminal, err),
    }
}

/// Logs the refusal, prints its two lines and returns the refusal status.
fn refuse(
    eval: &Evaluation,
    policy: &Policy,
    audit: &Audit,
    asked: report::Asked,
    err: &mut dyn Write,
) -> u8 {
    let logged_as = match (eval.decision, asked) {
        (Decision::Request, report::Asked::Declined) => Some(log::Asked::Declined),
        (Decision::Request, report::Asked::TimedOut) => Some(log::Asked::TimedOut),
        (Decision::Request, _) => Some(log::Asked::NoTerminal),
        _ => None,
    };
    warn(&audit.evaluated(eval, policy, logged_as, false), err);
    let ctx = report::RefusalContext {
        asked,
        denial_id: Some(audit.id.as_str()),
        proposals: policy.enforcement.proposals,
        script: Some(audit.script),
    };
    let (human, json) = report::refusal(eval, policy, &ctx);
    let _ = writeln!(err, "{human}");
    let _ = writeln!(err, "{json}");
    REFUSED
}

/// The refusal of an allowed command whose log line could not be written while the
/// operator requires the log (`log.required: true`).
fn refuse_unlogged(audit: &Audit, outcome: &log::Outcome, err: &mut dyn Write) -> u8 {
    let (human, json) = report::unlogged(audit.script, audit.id.as_str(), outcome);
    let _ = writeln!(err, "{human}");
    let _ = writeln!(err, "{json}");
    REFUSED
}

fn refuse_unloaded(audit: &Audit, decision: Decision, message: &str, err: &mut dyn Write) -> u8 {
    warn(&audit.unevaluated(decision, message, None), err);
    let json = serde_json::json!({
        "error": "policy_unavailable",
        "decision": decision.as_str(),
        "reason": message,
        "denial_id": audit.id.as_str(),
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
