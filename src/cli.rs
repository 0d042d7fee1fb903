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

/// policy-exec: decides whether each shell command an AI agent runs may run.
#[derive(Debug, Parser)]
#[command(name = "policy-exec", version, about)]
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
    /// Answer a harness's pre-command hook (claude, droid, codex, cursor): read its JSON
    /// on stdin, judge the command like `check`, reply in the harness's format.
    Hook(crate::hook::HookArgs),
    /// Check that policy-exec is in front of each harness (shell or hook) and that the
    /// installed files are fresh for the current policy_hash: exit 0 ok, 1 a problem.
    Doctor(crate::doctor::DoctorArgs),
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
    /// The command, as words (joined by spaces).
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
    let cli = match Cli::try_parse_from(args) {
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
        "guards",
        "log",
        "completions",
        "man",
        "packs",
        "test",
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
            let programs = if explain { None } else { analysed.programs() };
            crate::lookup::policy_for_programs(
                &locator(a),
                &cwd,
                None,
                &crate::lookup::Env::from_process(),
                programs.as_ref(),
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
    let eval = engine::judge_analysed(&analysed, &policy, &cwd, &repo);
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
    report::exit_code(eval.decision)
}

/// The machine-readable steps a refusal offers an agent (`actions` in SPEC §10), each
/// `{action, argv}`. The argv are built from the clap definitions above — subcommand
/// names and long options looked up by their ids — so a renamed flag changes them too,
/// and a test parses every one back with the same definitions.
pub fn agent_actions(command: &str, proposals: bool) -> Vec<serde_json::Value> {
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
    // `propose` and `read_skill` join these when proposals are enabled (SPEC §11);
    // until the proposal verbs exist there is nothing to point at.
    let _ = proposals;
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
