//! The command-line front end: clap definitions and dispatch to the library.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::git::Git2RepoState;
use crate::policy::Decision;
use crate::policy::engine;
use crate::policy::load::{Loaded, Locator};
use crate::report;

/// `--version`: the crate version, the commit and the build date (from build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("POLICY_EXEC_COMMIT"),
    ", built ",
    env!("POLICY_EXEC_BUILD_DATE"),
    ")"
);

/// policy-exec: decides whether each shell command an AI agent runs may run.
#[derive(Debug, Parser)]
#[command(name = "policy-exec", version = VERSION, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Judge a command: exit 0 allow, 1 request, 2 deny.
    Check(JudgeArgs),
    /// Show every step of a decision.
    Explain(JudgeArgs),
    /// Merge the six policy scopes into one effective policy with its policy_hash.
    Resolve(crate::resolve::cli::ResolveArgs),
    /// Render native permission files for every harness from a resolved policy, and
    /// install them with --apply.
    Sync(crate::render::sync::SyncArgs),
    /// Check scope files against the policy schema and the engine.
    Validate(crate::govern::validate::ValidateArgs),
    /// Check that every scope file declares an allowed policy_version.
    Versions(crate::govern::versions::VersionsArgs),
    /// Write or check canonical policy_hash snapshots.
    Snapshot(crate::govern::snapshot::SnapshotArgs),
    /// Scaffold a policy-config tree.
    Init(crate::govern::init::InitArgs),
    /// List the rule packs: rule counts, whether the default policy enables them.
    Packs(crate::packs::PacksArgs),
    /// Run policy test files (commands and the decision each must get) against a
    /// policy: exit 0 all pass, 1 a mismatch, 2 an error.
    Test(crate::govern::policy_test::TestArgs),
    /// List the programs to guard at exec time (those the policy's deny and request
    /// rules name), one per line.
    Guards(GuardsArgs),
    /// Answer a harness's pre-command hook (claude, droid, codex, cursor, gemini, copilot,
    /// opencode): read its JSON on stdin, judge the command like `check`, reply in the
    /// harness's format.
    Hook(crate::hook::HookArgs),
    /// Check that policy-exec is in front of each harness (shell or hook) and that the
    /// installed files are fresh for the current policy_hash: exit 0 ok, 1 a problem.
    Doctor(crate::doctor::DoctorArgs),
    /// Put policy-exec in front of a harness (claude, codex, cursor, droid, gemini, copilot, opencode): native
    /// rules, hook and shell as the harness allows, then `doctor`'s verdict for it.
    Setup(crate::setup::SetupArgs),
    /// Take out what install, setup and `sync --apply` added (all harnesses, or one),
    /// keeping the user's own entries and restoring files as they were.
    Uninstall(crate::setup::UninstallArgs),
    /// Start a harness that takes its shell from passwd (codex) with policy-exec's shim
    /// as its login shell, for that process only.
    Run(crate::setup::launcher::RunArgs),
    /// Read the decision log: recent denials, the latest decisions, one record, or an
    /// OCSF export.
    Log(crate::log::view::LogArgs),
    /// Compare two policies: every change widening, narrowing or neutral, and the
    /// commands whose decision flips toward allow: exit 1 when anything widens (a CI
    /// gate beside `snapshot`).
    Diff(crate::diff::cli::DiffArgs),
    /// Show, compare or switch the installed mode (a task-domain): a narrowing switch
    /// applies at once, a widening one is a human verb.
    Mode(crate::modes::ModeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell), generated
    /// from this command line's own definitions.
    Completions(CompletionsArgs),
    /// Print the man page (roff), generated from this command line's own definitions.
    Man,
    /// Agent: ask a human for an exception to a refusal (when the operator enabled
    /// proposals): exit 0 submitted, 2 not a valid proposal, 3 proposals disabled.
    Propose(crate::grants::proposal::ProposeArgs),
    /// Agent: where a proposal stands (exit 0 approved, 1 pending, 2 rejected, 3 other).
    Status(crate::grants::proposal::IdArgs),
    /// Agent: wait for a human's answer to a proposal (exit 0 approved, 1 still pending,
    /// 2 rejected, 3 expired, withdrawn or unknown).
    Wait(crate::grants::proposal::WaitArgs),
    /// Agent: withdraw a pending proposal.
    Withdraw(crate::grants::proposal::IdArgs),
    /// Human: list the proposals waiting for an answer.
    Inbox(crate::approve::InboxArgs),
    /// Human: approve a proposal in your own terminal (type back the code shown).
    Approve(crate::approve::ApproveArgs),
    /// Human: reject a proposal, with a reason the agent reads.
    Reject(crate::approve::RejectArgs),
    /// Human: list, show, revoke, suspend or resume grants.
    Grants(crate::approve::GrantsArgs),
    /// Learned patterns: status, recent, risky, suspended, suggest; `promote` (a human
    /// verb) turns a candidate into a pattern grant.
    Rules(crate::learn::RulesArgs),
    /// Write the effective policy into AGENTS.md or CLAUDE.md between markers (--check:
    /// exit 1 when stale).
    Export(crate::learn::export::ExportArgs),
    /// Print the agents' guide to refusals and proposals (the skill `sync --apply`
    /// installs when proposals are enabled).
    Skill,
}

/// `completions SHELL`.
#[derive(Debug, Args)]
struct CompletionsArgs {
    /// The shell to complete for.
    shell: clap_complete::Shell,
}

/// Where the policy comes from, for `guards`.
#[derive(Debug, Args)]
struct GuardsArgs {
    /// The wrapper bundle.
    #[arg(long, conflicts_with = "manifest")]
    bundle: Option<PathBuf>,
    /// The dispatch manifest.
    #[arg(long)]
    manifest: Option<PathBuf>,
}

/// Where the policy comes from and what to judge.
#[derive(Debug, Args)]
struct JudgeArgs {
    /// The wrapper bundle to judge with.
    #[arg(long, conflicts_with = "manifest")]
    bundle: Option<PathBuf>,
    /// The dispatch manifest naming the bundle and fallbacks.
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// Judge straight from a policy tree (with --harness and --task-domain).
    #[arg(long, conflicts_with_all = ["bundle", "manifest"])]
    root: Option<PathBuf>,
    /// Harness scope for --root.
    #[arg(long, requires = "root")]
    harness: Option<String>,
    /// Task-domain scope for --root.
    #[arg(long, requires = "root")]
    task_domain: Option<String>,
    /// Directory the command runs in (default: the current directory).
    #[arg(long)]
    cwd: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// The command, as one string.
    #[arg(long = "command", short = 'c')]
    command_text: Option<String>,
    /// The command, as words (joined by spaces). Given as one word, options of `check`
    /// itself may follow it (`check "git push -f" --json`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    words: Vec<String>,
}

/// Runs policy-exec with the process arguments and returns the exit status.
pub fn run(args: Vec<OsString>) -> u8 {
    let argv0 = args
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    if crate::shell::guard::is_guard_name(&argv0) {
        return crate::shell::run_guard(args, &env_locator(None, None));
    }
    if is_shell_invocation(&args) {
        return crate::shell::run(args, &env_locator(None, None));
    }
    // The plain forms of `check` (what scripts and integrations run on every command)
    // skip building the whole command line's definitions.
    if let Some(a) = plain_check(&args) {
        let mut out = std::io::stdout().lock();
        let mut err = std::io::stderr().lock();
        return judge(&a, false, &mut out, &mut err);
    }
    let cli = match Cli::try_parse_from(options_after_command(args)) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    match cli.command {
        Command::Check(a) => judge(&a, false, &mut out, &mut err),
        Command::Explain(a) => judge(&a, true, &mut out, &mut err),
        Command::Resolve(a) => crate::resolve::cli::run_resolve(&a, &mut out, &mut err),
        Command::Sync(a) => crate::render::sync::run_sync(&a, &mut out, &mut err),
        Command::Validate(a) => crate::govern::validate::run_validate(&a, &mut out, &mut err),
        Command::Versions(a) => crate::govern::versions::run_versions(&a, &mut out, &mut err),
        Command::Snapshot(a) => crate::govern::snapshot::run_snapshot(&a, &mut out, &mut err),
        Command::Init(a) => crate::govern::init::run_init(&a, &mut out, &mut err),
        Command::Packs(a) => crate::packs::run_packs(&a, &mut out, &mut err),
        Command::Test(a) => run_policy_tests(&a, &mut out, &mut err),
        Command::Hook(a) => crate::hook::run(
            &a,
            env_locator(None, None),
            std::io::stdin(),
            &mut out,
            &mut err,
        ),
        Command::Doctor(a) => crate::doctor::run_doctor(&a, &mut out, &mut err),
        Command::Setup(a) => crate::setup::run_setup(&a, &mut out, &mut err),
        Command::Uninstall(a) => crate::setup::run_uninstall(&a, &mut out, &mut err),
        Command::Run(a) => crate::setup::launcher::run(&a, &mut err),
        Command::Diff(a) => crate::diff::cli::run_diff(&a, &mut out, &mut err),
        Command::Mode(a) => crate::modes::run_mode(&a, &mut out, &mut err),
        Command::Completions(a) => {
            use clap::CommandFactory;
            clap_complete::generate(a.shell, &mut Cli::command(), "policy-exec", &mut out);
            0
        }
        Command::Man => {
            use clap::CommandFactory;
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => 0,
                Err(e) => {
                    let _ = writeln!(err, "policy-exec: cannot write the man page ({e})");
                    1
                }
            }
        }
        Command::Log(a) => {
            crate::log::view::run_log(&a, &env_locator(None, None), &mut out, &mut err)
        }
        Command::Propose(a) => {
            crate::grants::proposal::run_propose(&a, &env_locator(None, None), &mut out)
        }
        Command::Status(a) => {
            crate::grants::proposal::run_status(&a, &env_locator(None, None), &mut out)
        }
        Command::Wait(a) => {
            crate::grants::proposal::run_wait(&a, &env_locator(None, None), &mut out)
        }
        Command::Withdraw(a) => {
            crate::grants::proposal::run_withdraw(&a, &env_locator(None, None), &mut out)
        }
        Command::Inbox(a) => {
            crate::approve::run_inbox(&a, &env_locator(None, None), &mut out, &mut err)
        }
        Command::Approve(a) => {
            crate::approve::run_approve(&a, &env_locator(None, None), &mut out, &mut err)
        }
        Command::Reject(a) => {
            crate::approve::run_reject(&a, &env_locator(None, None), &mut out, &mut err)
        }
        Command::Grants(a) => {
            crate::approve::run_grants(&a, &env_locator(None, None), &mut out, &mut err)
        }
        Command::Rules(a) => {
            crate::learn::run_rules(&a, &env_locator(None, None), &mut out, &mut err)
        }
        Command::Export(a) => {
            crate::learn::export::run_export(&a, &env_locator(None, None), &mut out, &mut err)
        }
        Command::Skill => {
            let _ = out.write_all(crate::grants::SKILL.as_bytes());
            0
        }
        Command::Guards(a) => match crate::lookup::policy_for(
            &env_locator(a.bundle, a.manifest),
            &std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            None,
            &crate::lookup::Env::from_process(),
        ) {
            Loaded::Ready(policy) => {
                for program in policy.guarded_programs() {
                    let _ = writeln!(out, "{program}");
                }
                0
            }
            Loaded::Failed { message, .. } => {
                let _ = writeln!(err, "policy-exec: {message}");
                2
            }
        },
    }
}

/// `check "git push -f" --json`: a command given as one word (it holds a space),
/// followed only by options of `check`/`explain` themselves, is their `--command`, so
/// the options are not swallowed into the command. Words after a command given as
/// several words stay the command's (`check git commit --json` judges that command),
/// and so does everything after `--`. Which options exist, and which take a value, is
/// read from the clap definitions.
fn options_after_command(args: Vec<OsString>) -> Vec<OsString> {
    use clap::CommandFactory;
    let text: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let Some(sub) = text
        .get(1)
        .filter(|s| matches!(s.as_str(), "check" | "explain"))
    else {
        return args;
    };
    let cli = Cli::command();
    let Some(cmd) = cli.find_subcommand(sub) else {
        return args;
    };
    let option = |word: &str| -> Option<bool> {
        let (name, inline) = match word.split_once('=') {
            Some((n, _)) => (n, true),
            None => (word, false),
        };
        let arg = cmd.get_arguments().find(|a| {
            name.strip_prefix("--")
                .is_some_and(|l| a.get_long() == Some(l))
                || name
                    .strip_prefix('-')
                    .is_some_and(|s| s.chars().count() == 1 && a.get_short() == s.chars().next())
        })?;
        // Whether the next word is this option's value.
        Some(arg.get_action().takes_values() && !inline)
    };
    let mut i = 2;
    while let Some(word) = text.get(i) {
        if word == "--" {
            return args;
        }
        match option(word) {
            Some(takes_value) => i += if takes_value { 2 } else { 1 },
            None if word.starts_with('-') => return args,
            None => break,
        }
    }
    let Some(command) = text.get(i).filter(|w| w.contains(char::is_whitespace)) else {
        return args;
    };
    let mut j = i + 1;
    while let Some(word) = text.get(j) {
        match option(word) {
            Some(takes_value) => j += if takes_value { 2 } else { 1 },
            None => return args,
        }
    }
    if i + 1 >= text.len() {
        return args;
    }
    let mut out: Vec<OsString> = args.iter().take(i).cloned().collect();
    out.push("--command".into());
    out.push(command.into());
    out.extend(args.iter().skip(i + 1).cloned());
    out
}

/// `check` given only `--json`, `--cwd D`, `--command X` (or `-c X`) and then nothing, or
/// the command's words (after `--` or not): the same [`JudgeArgs`] clap would build.
/// Anything else — another option, a value that starts with `-`, a repeated option, a
/// word holding a space followed by more words — is `None`, and clap reads it (so its
/// errors and conventions stay the only ones).
fn plain_check(args: &[OsString]) -> Option<JudgeArgs> {
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    if words.next()?? != "check" {
        return None;
    }
    let mut a = JudgeArgs {
        bundle: None,
        manifest: None,
        root: None,
        harness: None,
        task_domain: None,
        cwd: None,
        json: false,
        command_text: None,
        words: Vec::new(),
    };
    let value = |v: Option<Option<&str>>| -> Option<String> {
        let v = v??;
        (!v.starts_with('-') && !v.is_empty()).then(|| v.to_string())
    };
    while let Some(word) = words.next() {
        match word? {
            "--json" if !a.json => a.json = true,
            "--cwd" if a.cwd.is_none() => a.cwd = Some(PathBuf::from(value(words.next())?)),
            "--command" | "-c" if a.command_text.is_none() => {
                a.command_text = Some(value(words.next())?);
            }
            "--" => {
                for w in words.by_ref() {
                    a.words.push(w?.to_string());
                }
                if a.words.is_empty() || a.command_text.is_some() {
                    return None;
                }
            }
            // The command's words: everything from the first word that is not an option
            // (clap's trailing arguments). A single word holding a space followed by more
            // words may be followed by `check`'s own options, which `options_after_command`
            // moves: clap reads that.
            first if !first.starts_with('-') && a.command_text.is_none() => {
                a.words.push(first.to_string());
                for w in words.by_ref() {
                    let w = w?;
                    if w == "--" || first.contains(char::is_whitespace) {
                        return None;
                    }
                    a.words.push(w.to_string());
                }
            }
            _ => return None,
        }
    }
    (a.command_text.is_some() || !a.words.is_empty()).then_some(a)
}

/// Shell mode: argv[0] is a shell name, the first argument is a shell option, or the
/// first argument is a script file (`policy-exec script.sh args…`).
fn is_shell_invocation(args: &[OsString]) -> bool {
    let argv0 = args
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    let first = args.get(1).map(|a| a.to_string_lossy().into_owned());
    if crate::shell::argv::looks_like_shell(&argv0, first.as_deref()) {
        return true;
    }
    let subcommands = [
        "check",
        "explain",
        "resolve",
        "sync",
        "validate",
        "versions",
        "snapshot",
        "init",
        "hook",
        "doctor",
        "setup",
        "uninstall",
        "run",
        "guards",
        "log",
        "completions",
        "man",
        "packs",
        "test",
        "propose",
        "status",
        "wait",
        "withdraw",
        "inbox",
        "approve",
        "reject",
        "grants",
        "skill",
        "rules",
        "export",
        "help",
    ];
    first.is_some_and(|f| {
        !subcommands.contains(&f.as_str())
            && !f.starts_with('-')
            && std::path::Path::new(&f).is_file()
    })
}

/// `policy-exec test`: loads the policy the way `check` does, then runs the files.
fn run_policy_tests(
    a: &crate::govern::policy_test::TestArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let loaded = match &a.root {
        Some(root) => {
            crate::policy::load::from_tree(root, a.harness.as_deref(), a.task_domain.as_deref())
        }
        None => crate::lookup::policy_for(
            &env_locator(a.bundle.clone(), a.manifest.clone()),
            &cwd,
            None,
            &crate::lookup::Env::from_process(),
        ),
    };
    match loaded {
        Loaded::Ready(policy) => crate::govern::policy_test::run_tests(
            a,
            &policy,
            std::env::var_os("HOME").map(PathBuf::from),
            out,
            err,
        ),
        Loaded::Failed { message, .. } => {
            let _ = writeln!(err, "policy-exec: {message}");
            2
        }
    }
}

fn locator(a: &JudgeArgs) -> Locator {
    env_locator(a.bundle.clone(), a.manifest.clone())
}

/// The policy lookup from the environment, with optional explicit paths.
fn env_locator(bundle: Option<PathBuf>, manifest: Option<PathBuf>) -> Locator {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| h.join(".config")));
    Locator {
        bundle,
        manifest,
        env_manifest: std::env::var_os("POLICY_EXEC_MANIFEST")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from),
        config_home,
        system_config: Some(PathBuf::from("/etc")),
        installation: None,
    }
}

fn judge(a: &JudgeArgs, explain: bool, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let script = match (&a.command_text, a.words.is_empty()) {
        (Some(c), true) => c.clone(),
        (None, false) => a.words.join(" "),
        (Some(_), false) => {
            let _ = writeln!(
                err,
                "policy-exec: give the command either with --command or as operands, not both"
            );
            return 2;
        }
        (None, true) => {
            let _ = writeln!(
                err,
                "policy-exec: no command to judge: pass it after `--` or with --command"
            );
            return 2;
        }
    };
    let cwd = match a.cwd.clone().map_or_else(std::env::current_dir, Ok) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(
                err,
                "policy-exec: cannot read the current directory ({e}): pass --cwd"
            );
            return report::exit_code(Decision::Deny);
        }
    };
    let repo = Git2RepoState::with_home(std::env::var_os("HOME").map(PathBuf::from));
    // The script is read once; `check` then reads only the rules for its programs
    // (`explain` shows the whole policy).
    let analysed = engine::analyse(&script, None, &cwd, &repo);
    let loaded = match &a.root {
        Some(root) => {
            crate::policy::load::from_tree(root, a.harness.as_deref(), a.task_domain.as_deref())
        }
        None => {
            let needs = if explain { None } else { analysed.needs() };
            crate::lookup::policy_for_programs(
                &locator(a),
                &cwd,
                None,
                &crate::lookup::Env::from_process(),
                needs.as_ref(),
            )
        }
    };
    let audit = crate::log::Audit::new(crate::log::Mode::Check, None, &script, &cwd);
    let policy = match loaded {
        Loaded::Ready(p) => p,
        Loaded::Failed { decision, message } => {
            if !explain && let Some(w) = audit.unevaluated(decision, &message, None).warning() {
                let _ = writeln!(err, "{w}");
            }
            if a.json {
                let v = serde_json::json!({"decision": decision.as_str(), "matched": false, "rule_id": null,
                    "rule_source": null, "condition_passed": null, "reason": message, "reasons": [message]});
                let _ = writeln!(out, "{v}");
            } else {
                let _ = writeln!(
                    out,
                    "decision: {} — {message}",
                    decision.as_str().to_uppercase()
                );
            }
            let _ = writeln!(err, "policy-exec: {message}");
            return report::exit_code(decision);
        }
    };
    let mut eval = engine::judge_analysed(&analysed, &policy, &cwd, &repo);
    // A grant shows as "allowed by grant …"; `check` and `explain` never use one up.
    if eval.decision != Decision::Allow {
        let store = crate::grants::Store::for_policy(&policy);
        crate::grants::apply(&mut eval, &policy, &store, crate::grants::Use::Preview);
    }
    // `check` is a judgement (the reference dispatcher's): it is logged. `explain` only
    // shows one.
    if !explain {
        let outcome = audit.evaluated(&eval, &policy, None, false);
        if let Some(w) = outcome.warning() {
            let _ = writeln!(err, "{w}");
        }
        if outcome.blocks_allow() && eval.decision == Decision::Allow {
            let (human, json) = report::unlogged(&script, audit.id.as_str(), &outcome);
            let _ = writeln!(out, "deny: {human}");
            let _ = writeln!(err, "{json}");
            return report::exit_code(Decision::Deny);
        }
    }
    let text = match (explain, a.json) {
        (true, false) => report::explain_text(&script, &eval, &policy),
        (true, true) => format!("{:#}\n", report::explain_json(&eval, &policy)),
        (false, true) => {
            let mut v = report::check_json(&eval, &policy);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("decision_id".into(), serde_json::json!(audit.id.as_str()));
            }
            format!("{v}\n")
        }
        (false, false) => format!("{}: {}\n", eval.decision, report::reason(&eval, &policy)),
    };
    let _ = out.write_all(text.as_bytes());
    let code = report::exit_code(eval.decision);
    // The process exits with this answer (`run` is its whole life): freeing the policy's
    // and the evaluation's thousands of allocations first would be work for nothing.
    std::mem::forget((policy, eval, analysed));
    code
}

/// The machine-readable steps a refusal offers an agent (`actions` in SPEC §10), each
/// `{action, argv}`. The argv are built from the clap definitions above — subcommand
/// names and long options looked up by their ids — so a renamed flag changes them too,
/// and a test parses every one back with the same definitions.
pub fn agent_actions(
    command: &str,
    proposals: bool,
    denial_id: Option<&str>,
) -> Vec<serde_json::Value> {
    use clap::CommandFactory;
    let cli = Cli::command();
    let mut actions = Vec::new();
    let mut push = |action: &str, argv: Option<Vec<String>>| {
        if let Some(argv) = argv {
            actions.push(serde_json::json!({"action": action, "argv": argv}));
        }
    };
    if !command.is_empty() {
        push(
            "explain",
            action_argv(&cli, &["explain"], &[("command_text", Some(command))]),
        );
    }
    push(
        "recent_denials",
        action_argv(
            &cli,
            &["log", "denials"],
            &[("last", Some("5")), ("json", None)],
        ),
    );
    if proposals {
        if let Some(id) = denial_id {
            push(
                "propose",
                action_argv(
                    &cli,
                    &["propose"],
                    &[
                        ("denial", Some(id)),
                        ("reason", Some("<why the task needs it>")),
                        ("json", None),
                    ],
                ),
            );
        }
        push("read_skill", action_argv(&cli, &["skill"], &[]));
    }
    actions
}

/// `policy-exec <path…> --<long>[=value]…`, or `None` when a name is not defined.
fn action_argv(
    cli: &clap::Command,
    path: &[&str],
    args: &[(&str, Option<&str>)],
) -> Option<Vec<String>> {
    let mut argv = vec!["policy-exec".to_string()];
    let mut cmd = cli;
    for name in path {
        cmd = cmd.find_subcommand(name)?;
        argv.push(cmd.get_name().to_string());
    }
    for (id, value) in args {
        let arg = cmd.get_arguments().find(|a| a.get_id() == id)?;
        let long = arg.get_long()?;
        // `--opt=value`: a value that starts with `-` is still the value.
        argv.push(match value {
            Some(v) => format!("--{long}={v}"),
            None => format!("--{long}"),
        });
    }
    Some(argv)
}

/// Parses an argv with the CLI's definitions (for tests that pin the refusal actions).
pub fn parses(argv: &[String]) -> Result<(), String> {
    Cli::try_parse_from(argv)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn argv(words: &[&str]) -> Vec<OsString> {
        std::iter::once("policy-exec")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[rstest]
    #[case(&["check", "git push -f", "--json"], &["check", "--command", "git push -f", "--json"])]
    #[case(&["check", "--cwd", "/x", "git push -f", "--json", "--cwd=/y"], &["check", "--cwd", "/x", "--command", "git push -f", "--json", "--cwd=/y"])]
    #[case(&["explain", "rm -rf /", "--root", "/t"], &["explain", "--command", "rm -rf /", "--root", "/t"])]
    #[case(&["check", "git", "push", "--json"], &["check", "git", "push", "--json"])]
    #[case(&["check", "gh pr list", "origin"], &["check", "gh pr list", "origin"])]
    #[case(&["check", "--", "git push -f", "--json"], &["check", "--", "git push -f", "--json"])]
    #[case(&["check", "git push -f"], &["check", "git push -f"])]
    #[case(&["sync", "a b", "--json"], &["sync", "a b", "--json"])]
    fn options_after_a_quoted_command_are_options(#[case] given: &[&str], #[case] want: &[&str]) {
        assert_eq!(options_after_command(argv(given)), argv(want));
    }
}

#[cfg(test)]
mod plain_check_tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn argv(words: &[&str]) -> Vec<OsString> {
        std::iter::once("policy-exec")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    }

    /// The fast path reads exactly what clap reads, or leaves the argv to clap.
    #[test]
    fn the_fast_path_agrees_with_clap() {
        let table: &[&[&str]] = &[
            &["check", "--", "git", "push", "-f"],
            &["check", "--command", "git status"],
            &["check", "-c", "git status", "--json"],
            &["check", "--json", "--cwd", "/tmp", "--", "ls", "-la"],
            &[
                "check",
                "--cwd",
                "/",
                "--command",
                "git status && ls -la | head",
            ],
            &["check", "--", "--json"],
            &["check", "git status && ls -la | head"],
            &["check", "--json", "git push -f"],
            &["check", "--cwd", "/tmp", "git", "status"],
            &["check", "git", "commit", "--json"],
            &["check", "ls", "-la", "-c", "x"],
        ];
        for words in table {
            let fast = plain_check(&argv(words)).unwrap_or_else(|| panic!("{words:?}"));
            let Command::Check(slow) = Cli::try_parse_from(options_after_command(argv(words)))
                .unwrap()
                .command
            else {
                panic!("{words:?}");
            };
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{words:?}");
        }
        // Left to clap: other options, a spaced word followed by more, values that look
        // like options, repeats, nothing to judge, other subcommands.
        for words in [
            &["check", "git push -f", "--json"][..],
            &["check", "git", "status", "--", "x"],
            &["check", "-c", "ls", "git"],
            &["check", "--bundle", "b", "--", "ls"],
            &["check", "--command", "-x"],
            &["check", "--json", "--json", "--", "ls"],
            &["check", "--command", "a", "--", "b"],
            &["check"],
            &["check", "--"],
            &["explain", "--", "ls"],
        ] {
            assert!(plain_check(&argv(words)).is_none(), "{words:?}");
        }
    }
}
