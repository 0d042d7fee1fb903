//! Hook mode: `policy-exec hook claude|droid|codex|cursor|gemini|copilot|opencode`. A
//! harness runs it before each shell command with a JSON description on standard input;
//! it judges that command with the same policy lookup and engine as `check` (so the
//! decision is `check`'s) and answers in the harness's reply format. OpenCode has no
//! command hooks: its plugin (`shims/opencode/policy-exec.js`) runs this and throws on
//! anything but allow or no opinion.
//!
//! This module owns turning a hook call into an answer and must never fail open: every
//! input it cannot read, every policy it cannot load, a panic and a hang all become a
//! deny in the harness's format, with exit 2 and the reason on stderr as well (see
//! [`reply`]). Tools and events other than the harness's shell get no opinion.

pub mod payload;
pub mod reply;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use clap::Args;

use crate::git::Git2RepoState;
use crate::log::{self, Audit, Mode};
use crate::policy::Decision;
use crate::policy::engine::{self, Evaluation};
use crate::policy::load::{Loaded, Locator};
use crate::policy::policy::Policy;
use crate::report::{self, Asked};
use payload::Call;
use reply::Verdict;

/// How long a hook may take before it answers deny on its own, unless `--deadline`
/// says otherwise. Harness hook timeouts fail open, so ours must fire first: wire the
/// hook with a harness timeout above this (our examples use 10 s).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(8);

/// The arguments of `policy-exec hook`, taken as free words so that nothing a harness
/// passes can turn into a clap usage error (which would not be in its reply format).
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct HookArgs {
    /// The harness (claude, droid, codex, cursor, gemini, copilot or opencode), then
    /// optionally `--manifest M`, `--bundle B` and `--deadline SECONDS` (default 8).
    #[arg(
        num_args = 0..,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "HARNESS [OPTIONS]"
    )]
    pub words: Vec<String>,
}

/// A harness whose hook protocol policy-exec speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Harness {
    /// Claude Code (`PreToolUse`, tool `Bash`).
    Claude,
    /// Factory Droid (Claude-shaped `PreToolUse`, tool `Execute`).
    Droid,
    /// Codex CLI (Claude-shaped `PreToolUse`; only a deny is honoured).
    Codex,
    /// Cursor (`beforeShellExecution`, `command` and `cwd` at the top level).
    Cursor,
    /// Gemini CLI (`BeforeTool`, tool `run_shell_command`; ask hangs headless).
    Gemini,
    /// GitHub Copilot CLI (`preToolUse`, tool `bash`; its allow overrides its own deny
    /// flags, and ask is a deny headless).
    Copilot,
    /// OpenCode, through policy-exec's plugin (`tool.execute.before`, tool `bash`; the
    /// plugin can only let a command through or throw).
    OpenCode,
}

impl Harness {
    /// The harness named on the command line (case-insensitive).
    pub fn parse(name: &str) -> Option<Harness> {
        match name.to_ascii_lowercase().as_str() {
            "claude" => Some(Harness::Claude),
            "droid" => Some(Harness::Droid),
            "codex" => Some(Harness::Codex),
            "cursor" => Some(Harness::Cursor),
            "gemini" => Some(Harness::Gemini),
            "copilot" => Some(Harness::Copilot),
            "opencode" => Some(Harness::OpenCode),
            _ => None,
        }
    }

    /// Every harness, in the order help texts list them.
    pub const ALL: [Harness; 7] = [
        Harness::Claude,
        Harness::Droid,
        Harness::Codex,
        Harness::Cursor,
        Harness::Gemini,
        Harness::Copilot,
        Harness::OpenCode,
    ];

    /// The harness's name on the command line (`policy-exec hook NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Harness::Claude => "claude",
            Harness::Droid => "droid",
            Harness::Codex => "codex",
            Harness::Cursor => "cursor",
            Harness::Gemini => "gemini",
            Harness::Copilot => "copilot",
            Harness::OpenCode => "opencode",
        }
    }

    /// The hook event this harness calls us for.
    pub fn event(self) -> &'static str {
        match self {
            Harness::Cursor => "beforeShellExecution",
            Harness::Claude | Harness::Droid | Harness::Codex => "PreToolUse",
            Harness::Gemini => "BeforeTool",
            Harness::Copilot => "preToolUse",
            Harness::OpenCode => "tool.execute.before",
        }
    }

    /// The `tool_name`s of the harness's shell tool (Claude-shaped harnesses).
    pub fn shell_tools(self) -> &'static [&'static str] {
        match self {
            Harness::Claude => &["Bash"],
            Harness::Droid => &["Execute"],
            // Codex names every shell-like tool `Bash` in hook input; the older names of
            // its shell tools are accepted too, so a version that sends them is judged
            // (and denied if its input is not `{"command": …}`), never waved through.
            Harness::Codex => &[
                "Bash",
                "shell",
                "shell_command",
                "exec_command",
                "local_shell",
                "container.exec",
            ],
            Harness::Cursor => &[],
            Harness::Gemini => &["run_shell_command"],
            // Copilot's shell tool is `bash`; with the Claude spelling of its event it
            // may name it as Claude does.
            Harness::Copilot => &["bash", "Bash"],
            Harness::OpenCode => &["bash"],
        }
    }

    /// Whether the harness honours "ask" from a hook. Gemini's ask hangs forever in a
    /// headless run, Copilot turns it into a deny headless, OpenCode's plugin cannot
    /// ask: a request is answered deny there, with the request's text.
    pub fn can_ask(self) -> bool {
        matches!(self, Harness::Claude | Harness::Droid | Harness::Cursor)
    }
}

/// Runs a hook: reads the call from `input`, judges it, writes the reply to `out` and
/// `err`, and returns the exit status. `locator` is the policy lookup from the
/// environment (`--manifest`/`--bundle` among `args` override it).
pub fn run(
    args: &HookArgs,
    locator: Locator,
    input: impl Read + Send + 'static,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if args.words.iter().any(|w| w == "--help" || w == "-h") {
        let _ = writeln!(
            out,
            "Answer a harness's pre-command hook: read its JSON on stdin, judge the command like `check`, reply in the harness's format\n\nUsage: policy-exec hook <claude|droid|codex|cursor|gemini|copilot|opencode> [--manifest M | --bundle B | {} DIR] [--deadline SECONDS]\n\nA command a rule allows gets allow, one no rule speaks for gets no opinion (the harness decides), a request gets ask (Codex, Gemini, Copilot, OpenCode: deny), a deny gets deny; anything that cannot be judged is a deny with exit 2.",
            crate::render::apply::PIN_FLAG
        );
        return 0;
    }
    let options = match Options::parse(&args.words, locator) {
        Ok(o) => o,
        Err(Usage {
            harness: Some(harness),
            message,
        }) => {
            return emit(
                &reply::render(harness, &Verdict::Failure { reason: message }),
                out,
                err,
            );
        }
        Err(Usage {
            harness: None,
            message,
        }) => {
            // SECURITY: without a harness we do not know the reply format; exit 2 with
            // the reason on stderr blocks in every harness we speak to.
            let _ = writeln!(err, "policy-exec: denied: {message}");
            return reply::BLOCK;
        }
    };
    let harness = options.harness;
    if !options.in_process {
        return isolated(&args.words, harness, options.deadline, out, err);
    }
    let verdict = decide_within(options, input);
    emit(&reply::render(harness, &verdict), out, err)
}

/// Decides in a child process (this binary, `hook … --in-process`) that reads the
/// harness's stdin itself, and forwards its reply.
///
/// SECURITY: some failures cannot be caught inside a process — a stack overflow on a
/// pathological script, an out-of-memory abort — and a hook that dies without the
/// blocking exit status lets the harness run the command. The parent only forwards a
/// reply the child finished properly (exit 0 or 2); any other end, or no end before
/// the deadline, is a deny in the harness's format.
fn isolated(
    words: &[String],
    harness: Harness,
    deadline: Duration,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let fail = |reason: String, out: &mut dyn Write, err: &mut dyn Write| {
        emit(
            &reply::render(harness, &Verdict::Failure { reason }),
            out,
            err,
        )
    };
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            return fail(
                format!("internal error: cannot locate policy-exec to judge in ({e})"),
                out,
                err,
            );
        }
    };
    let child = std::process::Command::new(exe)
        .arg("hook")
        .args(words)
        .arg(IN_PROCESS)
        .stdin(std::process::Stdio::inherit())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return fail(
                format!("internal error: cannot start the hook worker ({e})"),
                out,
                err,
            );
        }
    };
    // Read both pipes while waiting, so a long reply cannot block the child.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(1 << 20).read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    // The child answers by its own deadline; allow it a little more to exit.
    let limit = std::time::Instant::now() + deadline + Duration::from_millis(500);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if std::time::Instant::now() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(_) => break None,
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    match status.and_then(|s| s.code()) {
        Some(code @ (0 | 2)) => {
            let _ = out.write_all(&stdout);
            let _ = out.flush();
            let _ = err.write_all(&stderr);
            let _ = err.flush();
            u8::try_from(code).unwrap_or(reply::BLOCK)
        }
        _ => {
            let how = match status {
                None => "did not finish in time".to_string(),
                Some(s) => match std::os::unix::process::ExitStatusExt::signal(&s) {
                    Some(sig) => format!("was killed by signal {sig}"),
                    None => format!("exited with status {}", s.code().unwrap_or(-1)),
                },
            };
            let detail = String::from_utf8_lossy(&stderr)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let detail = report::one_line(&detail);
            fail(
                format!(
                    "internal error: the judgement {how}{}: nothing was judged, so it must not run",
                    if detail.is_empty() {
                        String::new()
                    } else {
                        format!(" ({detail})")
                    }
                ),
                out,
                err,
            )
        }
    }
}

/// Decides on a worker thread, so that a panic or a hang (a stalled stdin, a slow
/// repository) becomes a deny before the harness's own timeout lets the command through.
fn decide_within(options: Options, mut input: impl Read + Send + 'static) -> Verdict {
    let deadline = options.deadline;
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("policy-exec-hook".into())
        // The parser recurses; give it room well beyond its own nesting limits.
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                decide(options.harness, &options.locator, &mut input)
            }));
            let _ = tx.send(result.map_err(|p| panic_text(p.as_ref())));
        });
    if let Err(e) = worker {
        return Verdict::Failure {
            reason: format!("internal error: cannot start the hook worker ({e})"),
        };
    }
    match rx.recv_timeout(deadline) {
        Ok(Ok(verdict)) => verdict,
        Ok(Err(panic)) => Verdict::Failure {
            reason: format!(
                "internal error while judging ({panic}): please report this bug to policy-exec"
            ),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => Verdict::Failure {
            reason: format!(
                "no decision within {:.1} s (stalled input or a slow repository): retry, or raise `--deadline` and the harness's hook timeout together",
                deadline.as_secs_f64()
            ),
        },
        Err(mpsc::RecvTimeoutError::Disconnected) => Verdict::Failure {
            reason: "internal error: the hook worker stopped without a decision".to_string(),
        },
    }
}

/// Reads, parses and judges one call.
fn decide(harness: Harness, locator: &Locator, input: &mut dyn Read) -> Verdict {
    let call = payload::read_bounded(input).and_then(|text| payload::parse(harness, &text));
    let (command, cwd) = match call {
        Ok(Call::Shell { command, cwd }) => (command, cwd),
        Ok(Call::Other { what, misrouted }) => {
            return Verdict::NoOpinion {
                note: misrouted.then(|| {
                    format!(
                        "no opinion on {what}: `policy-exec hook {}` judges the `{}` event only; check the hook wiring",
                        harness_name(harness),
                        harness.event()
                    )
                }),
            };
        }
        Err(e) => {
            let reason = format!(
                "{e}: nothing was judged, so it must not run; check that `policy-exec hook {}` is wired to the harness's `{}` hook",
                harness_name(harness),
                harness.event()
            );
            // The refusal is still a judgement: record it (there is no command to show).
            let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
            let audit = Audit::new(Mode::Hook, Some(harness_name(harness)), "", &here);
            // The operator's log settings when the policy loads (an unreadable call is
            // no reason to ignore `log.enabled: false` or `log.dir`).
            let settings = match crate::lookup::policy_for(
                locator,
                &here,
                Some(harness_name(harness)),
                &crate::lookup::Env::from_process(),
            ) {
                Loaded::Ready(p) => p.log.clone(),
                Loaded::Failed { .. } => crate::policy::policy::LogSettings::default(),
            };
            let _ = audit.unevaluated_in(&settings, Decision::Deny, &reason, None);
            return Verdict::Failure { reason };
        }
    };
    let audit = Audit::new(Mode::Hook, Some(harness_name(harness)), &command, &cwd);
    let repo = Git2RepoState::with_home(std::env::var_os("HOME").map(PathBuf::from));
    let analysed = engine::analyse(&command, None, &cwd, &repo);
    let needs = analysed.needs();
    let loaded = crate::lookup::policy_for_programs(
        locator,
        &cwd,
        Some(harness_name(harness)),
        &crate::lookup::Env::from_process(),
        needs.as_ref(),
    );
    let policy = match loaded {
        Loaded::Ready(p) => p,
        Loaded::Failed { decision, message } => {
            let asked = (decision == Decision::Request).then_some(if harness.can_ask() {
                log::Asked::ByHarness
            } else {
                log::Asked::NoTerminal
            });
            let _ = audit.unevaluated(decision, &message, asked);
            return unloaded(harness, decision, &message);
        }
    };
    let mut eval = engine::judge_analysed(&analysed, &policy, &cwd, &repo);
    // A human's grant is the way through a refusal (for Codex, whose hooks cannot ask,
    // the only one): the harness runs the command once the hook allows it.
    let granted =
        !crate::grants::apply_for_run(&mut eval, &policy, crate::grants::Use::Hook).is_empty();
    let asked = match eval.decision {
        Decision::Allow if granted => Some(log::Asked::Grant),
        Decision::Request if harness.can_ask() => Some(log::Asked::ByHarness),
        Decision::Request => Some(log::Asked::NoTerminal),
        _ => None,
    };
    let outcome = audit.evaluated(&eval, &policy, asked, false);
    if outcome.blocks_allow() && eval.decision == Decision::Allow {
        let (human, json) = report::unlogged(&command, audit.id.as_str(), &outcome);
        return Verdict::Deny {
            agent: format!("{human}\n{json}"),
            user: human,
        };
    }
    verdict(harness, &eval, &policy, &audit)
}

/// Whether a rule allows every command the script runs (hints found in interpreter code
/// or in a program's arguments are not commands of their own and need no rule).
fn allowed_by_rules(eval: &Evaluation) -> bool {
    let run: Vec<_> = eval
        .commands
        .iter()
        .filter(|c| c.command.via == crate::command::Via::Direct)
        .collect();
    !run.is_empty()
        && run.iter().all(|c| {
            c.grant.is_some()
                || c.matches.iter().any(|m| {
                    m.outcome == Some(Decision::Allow)
                        && m.certainty == crate::policy::rule::Match::Yes
                })
        })
}

/// The verdict for an evaluation, worded with shell mode's refusal text.
fn verdict(harness: Harness, eval: &Evaluation, policy: &Policy, audit: &Audit) -> Verdict {
    let ctx = |asked| report::RefusalContext {
        asked,
        denial_id: Some(audit.id.as_str()),
        proposals: policy.enforcement.proposals,
        script: Some(audit.script),
    };
    match eval.decision {
        // SECURITY: a hook's allow switches off the harness's own question. Only a rule
        // that allows every command the script runs earns one; a command no rule speaks
        // for (allowed by `enforcement.unmatched`) gets no opinion, so the harness asks
        // as it would without policy-exec.
        Decision::Allow if policy.enforcement.hooks_defer_allows || !allowed_by_rules(eval) => {
            Verdict::NoOpinion { note: None }
        }
        Decision::Allow => Verdict::Allow {
            reason: format!("policy-exec: allowed: {}", report::reason(eval, policy)),
        },
        Decision::Request if harness.can_ask() => {
            let (human, json) = report::refusal(eval, policy, &ctx(Asked::ByHarness));
            Verdict::Ask {
                agent: format!("{human}\n{json}"),
                user: human,
            }
        }
        Decision::Request => {
            let (human, json) = report::refusal(eval, policy, &ctx(Asked::HookCannotAsk));
            Verdict::Deny {
                agent: format!("{human}\n{json}"),
                user: human,
            }
        }
        Decision::Deny => {
            let (human, json) = report::refusal(eval, policy, &ctx(Asked::NoTerminal));
            Verdict::Deny {
                agent: format!("{human}\n{json}"),
                user: human,
            }
        }
    }
}

/// The verdict when no policy could be loaded: the manifest's fallback, like `check`.
fn unloaded(harness: Harness, decision: Decision, message: &str) -> Verdict {
    match decision {
        Decision::Allow => Verdict::Allow {
            reason: format!("policy-exec: warning: {message}; the manifest's fallback is allow"),
        },
        Decision::Request if harness.can_ask() => {
            let line = format!("policy-exec: needs approval: {message}");
            Verdict::Ask {
                user: line.clone(),
                agent: line,
            }
        }
        Decision::Request => {
            let line = format!(
                "policy-exec: needs approval: {message}; a human must approve it and this harness cannot ask from a hook"
            );
            Verdict::Deny {
                user: line.clone(),
                agent: line,
            }
        }
        Decision::Deny => Verdict::Failure {
            reason: message.to_string(),
        },
    }
}

fn harness_name(harness: Harness) -> &'static str {
    harness.name()
}

/// The text of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .map_or_else(|| "a panic".to_string(), |s| report::one_line(&s))
}

fn emit(reply: &reply::Reply, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    // A harness that closed its pipes is gone; the exit status is all that is left.
    let _ = out.write_all(reply.stdout.as_bytes());
    let _ = out.flush();
    let _ = err.write_all(reply.stderr.as_bytes());
    let _ = err.flush();
    reply.code
}

/// The parsed words of `policy-exec hook …`.
struct Options {
    harness: Harness,
    locator: Locator,
    deadline: Duration,
    /// Decide in this process (the isolated child), instead of starting one.
    in_process: bool,
}

/// The hidden flag that makes `policy-exec hook` decide in its own process: the
/// isolated child [`run`] starts.
const IN_PROCESS: &str = "--in-process";

/// A usage problem, with the harness when it is known (to answer in its format).
struct Usage {
    harness: Option<Harness>,
    message: String,
}

impl Options {
    fn parse(words: &[String], mut locator: Locator) -> Result<Options, Usage> {
        let mut harness: Option<Harness> = None;
        let mut problem: Option<String> = None;
        let mut deadline = DEFAULT_DEADLINE;
        let mut in_process = false;
        let mut rest = words.iter();
        while let Some(word) = rest.next() {
            if word == IN_PROCESS {
                in_process = true;
                continue;
            }
            let (flag, inline) = match word.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (word.as_str(), None),
            };
            let mut value = || inline.clone().or_else(|| rest.next().cloned());
            match flag {
                "--manifest" | "--bundle" | "--deadline" | crate::render::apply::PIN_FLAG => {
                    let Some(v) = value() else {
                        problem.get_or_insert(format!("`{flag}` needs a value"));
                        continue;
                    };
                    match flag {
                        "--manifest" => locator.manifest = Some(PathBuf::from(v)),
                        "--bundle" => locator.bundle = Some(PathBuf::from(v)),
                        crate::render::apply::PIN_FLAG => {
                            let dir = PathBuf::from(&v);
                            if dir.is_absolute() {
                                locator.installation = Some(dir);
                            } else {
                                problem.get_or_insert(format!(
                                    "`{flag}` `{}` is not an absolute path",
                                    report::one_line(&v)
                                ));
                            }
                        }
                        _ => match v.parse::<f64>() {
                            Ok(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => {
                                deadline = Duration::from_secs_f64(s);
                            }
                            _ => {
                                problem.get_or_insert(format!(
                                    "`--deadline` `{}` is not a number of seconds between 0 and 3600",
                                    report::one_line(&v)
                                ));
                            }
                        },
                    }
                }
                _ if harness.is_none() && !word.starts_with('-') => match Harness::parse(word) {
                    Some(h) => harness = Some(h),
                    None => {
                        return Err(Usage {
                            harness: None,
                            message: format!(
                                "unknown harness `{}`: use `policy-exec hook claude|droid|codex|cursor|gemini|copilot|opencode`",
                                report::one_line(word)
                            ),
                        });
                    }
                },
                _ => {
                    problem.get_or_insert(format!(
                        "unexpected argument `{}`: use `policy-exec hook HARNESS [--manifest M | --bundle B | --installation DIR] [--deadline SECONDS]`",
                        report::one_line(word)
                    ));
                }
            }
        }
        let Some(harness) = harness else {
            return Err(Usage {
                harness: None,
                message: problem.unwrap_or_else(|| {
                    "no harness given: use `policy-exec hook claude|droid|codex|cursor|gemini|copilot|opencode`".to_string()
                }),
            });
        };
        if locator.bundle.is_some() && locator.manifest.is_some() {
            problem.get_or_insert("give either `--manifest` or `--bundle`, not both".to_string());
        }
        if let Some(message) = problem {
            return Err(Usage {
                harness: Some(harness),
                message,
            });
        }
        Ok(Options {
            harness,
            locator,
            deadline,
            in_process,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    /// A reader that panics, standing in for any bug on the decision path.
    struct Exploding;

    impl Read for Exploding {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            panic!("boom")
        }
    }

    fn options(harness: Harness) -> Options {
        Options {
            harness,
            locator: Locator::default(),
            deadline: Duration::from_secs(5),
            in_process: true,
        }
    }

    #[test]
    fn a_panic_while_deciding_is_a_failure_not_a_crash() {
        let verdict = decide_within(options(Harness::Claude), Exploding);
        let Verdict::Failure { reason } = verdict else {
            panic!("{verdict:?}")
        };
        assert!(
            reason.starts_with("internal error while judging (boom)"),
            "{reason}"
        );
    }

    #[test]
    fn the_panic_is_answered_deny_with_exit_2_in_every_format() {
        for harness in Harness::ALL {
            let reply = reply::render(harness, &decide_within(options(harness), Exploding));
            assert_eq!(reply.code, reply::BLOCK);
            assert!(reply.stdout.contains("deny"), "{}", reply.stdout);
        }
    }

    #[test]
    fn options_take_the_harness_and_flags_in_any_order() {
        let words: Vec<String> = ["--deadline=2", "Cursor", "--manifest", "/m.json"]
            .iter()
            .map(ToString::to_string)
            .collect();
        let Ok(o) = Options::parse(&words, Locator::default()) else {
            panic!("did not parse")
        };
        assert_eq!(o.harness, Harness::Cursor);
        assert_eq!(o.deadline, Duration::from_secs(2));
        assert_eq!(o.locator.manifest, Some(PathBuf::from("/m.json")));
    }
}
