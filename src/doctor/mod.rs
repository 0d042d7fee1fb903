//! `policy-exec doctor`: is policy-exec in front of each harness, and are the files it
//! installed fresh for the current policy_hash?
//!
//! For Codex, Claude Code, Cursor, Factory Droid, Gemini CLI, Copilot CLI and OpenCode it
//! checks both ways policy-exec gets in front of a harness — as the shell the harness runs commands with (`shell`, which
//! follows HOSTS.md on how each harness picks its shell) and as its pre-command hook
//! (`hooks`) — and the native permission file `sync --apply` merged into
//! (`artifacts`). A Codex hook counts only once the user trusted it in Codex's `/hooks`
//! (`trust`), and Codex can also be in front through its launcher (`policy-exec run
//! codex`, [`crate::setup::launcher`]). Then the policy that shell mode and hooks will
//! load and the real shell they hand over to (`installed`). Every check that is not ok
//! carries the command that fixes it.
//!
//! It only reads — files under the home directory, the passwd file, Codex's config.toml,
//! the manifest lookup and the process environment — and never writes, never runs a
//! harness and never runs a fix: a diagnosis must not change what it diagnoses. The one
//! process it starts is the launcher's probe (`unshare … true`), which changes nothing.
//!
//! Exit codes: 0 everything needed is in place (warnings allowed), 1 something needed
//! is missing or stale, 2 bad arguments.

pub mod approvals;
mod artifacts;
mod hooks;
mod installed;
pub(crate) mod shell;
mod trust;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::render::hosts::Host;

/// Flags of `policy-exec doctor`.
#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
    /// Home directory whose harness files to check (default: $HOME)
    #[arg(long)]
    pub home: Option<PathBuf>,
    /// The current policy: the `--emit` file of `policy-exec resolve` (default: the
    /// installed manifest's policy_hash)
    #[arg(long)]
    pub policy_json: Option<PathBuf>,
    /// The passwd file to read the login shell from (tests)
    #[arg(long, hide = true, default_value = "/etc/passwd")]
    pub passwd: PathBuf,
    /// Only this harness (claude, codex, cursor, droid, gemini, copilot, opencode) and the installed policy
    #[arg(long)]
    pub harness: Option<String>,
}

/// Why `doctor` could not run at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    /// Neither `--home` nor an absolute `HOME`.
    #[error("no home directory: pass --home or set HOME")]
    NoHome,
    /// `--home` is not a directory.
    #[error("home `{0}` is not a directory: pass the home whose harness files to check")]
    BadHome(PathBuf),
    /// The `--policy-json` file cannot be used.
    #[error("{0}")]
    PolicyJson(String),
    /// `--harness` names no harness.
    #[error("{0}")]
    Harness(String),
    /// The path of this binary is unknown.
    #[error("cannot locate this binary ({0}): run policy-exec by its full path")]
    Exe(std::io::Error),
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// In place.
    Ok,
    /// A fact worth knowing; nothing to fix.
    Info,
    /// Works, but could be better.
    Warn,
    /// Needed and missing, broken or stale.
    Fail,
}

impl Status {
    /// The word in the text report, padded to one width.
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok  ",
            Status::Info => "info",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        }
    }

    /// The label in colour (ANSI SGR): green, plain, yellow, bold red.
    fn coloured(self) -> String {
        let code = match self {
            Status::Ok => "32",
            Status::Info => return self.label().to_string(),
            Status::Warn => "33",
            Status::Fail => "1;31",
        };
        format!("\x1b[{code}m{}\x1b[0m", self.label())
    }
}

/// Colour on a terminal only: never when stdout is piped or redirected, when `NO_COLOR`
/// is set to anything (no-color.org), or when `TERM` is `dumb`.
pub fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked (`shell`, `hook`, `native`, `policy`, …).
    pub name: &'static str,
    /// How it came out.
    pub status: Status,
    /// What was found, with paths.
    pub detail: String,
    /// The command (or edit) that fixes it; set on every check that is not ok or info.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// One harness.
#[derive(Debug, Clone, Serialize)]
pub struct HarnessReport {
    /// `codex`, `claude`, `cursor`, `factory-droid`, `gemini`, `copilot` or `opencode`.
    pub name: &'static str,
    /// Whether every command the harness runs reaches policy-exec (shell or hook).
    pub in_front: bool,
    /// Shell wiring, hook, native file.
    pub checks: Vec<Check>,
}

/// The policy shell mode and hooks load, and the real shell they hand over to.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyReport {
    /// The manifest the normal lookup finds (None: the embedded default applies).
    pub manifest: Option<PathBuf>,
    /// The bundle loaded.
    pub bundle: Option<String>,
    /// Its number of rules.
    pub rules: Option<usize>,
    /// Its policy_hash.
    pub policy_hash: Option<String>,
    /// Whether the embedded default policy applies.
    pub embedded_default: bool,
    /// Manifest, freshness, real shells.
    pub checks: Vec<Check>,
}

/// Everything `doctor` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// True when no check failed.
    pub ok: bool,
    /// The current policy_hash artifacts are compared with, when known.
    pub policy_hash: Option<String>,
    /// Where that hash comes from.
    pub policy_hash_source: Option<String>,
    /// One entry per harness.
    pub harnesses: Vec<HarnessReport>,
    /// The installed policy.
    pub policy: PolicyReport,
    /// Who can approve exceptions.
    pub approvals: approvals::ApprovalsReport,
}

/// What `doctor` looks at, gathered once from the flags and the process environment so
/// the checks themselves read no environment variables.
#[derive(Debug, Clone)]
pub struct Context {
    /// The home directory holding the harness files.
    pub home: PathBuf,
    /// `--home` was given (fix commands then repeat it).
    pub explicit_home: bool,
    /// Where the manifest is looked up (`$XDG_CONFIG_HOME`, or `<home>/.config`).
    pub config_home: PathBuf,
    /// Where shims live (`$XDG_DATA_HOME`, or `<home>/.local/share`).
    pub data_home: PathBuf,
    /// `POLICY_EXEC_MANIFEST`.
    pub env_manifest: Option<PathBuf>,
    /// System-wide configuration (`/etc`).
    pub system_config: Option<PathBuf>,
    /// `$SHELL`.
    pub shell: Option<PathBuf>,
    /// `$CLAUDE_CODE_SHELL`.
    pub claude_code_shell: Option<PathBuf>,
    /// Codex's home (`$CODEX_HOME`, or `<home>/.codex`): its config.toml holds hook trust.
    pub codex_home: PathBuf,
    /// Whether `policy-exec run codex` can give Codex its own passwd view here (Err: why
    /// not); None when not checked.
    pub launcher: Option<Result<(), String>>,
    /// Only this harness (its doctor name, e.g. `factory-droid`).
    pub only: Option<String>,
    /// `$COPILOT_BASH_PATH` (Copilot CLI's shell).
    pub copilot_bash_path: Option<PathBuf>,
    /// `$PATH` (Gemini CLI runs the first `bash` on it).
    pub path: Option<std::ffi::OsString>,
    /// The passwd file.
    pub passwd: PathBuf,
    /// The real uid.
    pub uid: u32,
    /// This binary, canonical: what a fresh shim or hook would point at.
    pub exe: PathBuf,
    /// `--policy-json` and the policy_hash it carries.
    pub policy_json: Option<(PathBuf, String)>,
}

/// A non-empty environment variable as a path.
fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

impl Context {
    /// Reads the flags and the process environment.
    pub fn from_env(args: &DoctorArgs) -> Result<Context, DoctorError> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let home = match (&args.home, env_path("HOME").filter(|h| h.is_absolute())) {
            (Some(h), _) => cwd.join(h),
            (None, Some(h)) => h,
            (None, None) => return Err(DoctorError::NoHome),
        };
        if !home.is_dir() {
            return Err(DoctorError::BadHome(home));
        }
        let explicit_home = args.home.is_some();
        // With --home, everything is looked up under it (like `sync --apply --home`);
        // otherwise the XDG variables apply as they do for shell mode and hooks.
        let xdg = |var: &str, default: &str| {
            env_path(var)
                .filter(|p| p.is_absolute() && !explicit_home)
                .unwrap_or_else(|| home.join(default))
        };
        let policy_json = match &args.policy_json {
            Some(p) => {
                let p = cwd.join(p);
                let source = crate::render::sync::Source::from_emit_file(&p)
                    .map_err(|e| DoctorError::PolicyJson(e.to_string()))?;
                Some((p, source.policy_hash))
            }
            None => None,
        };
        let exe = std::env::current_exe()
            .and_then(|p| p.canonicalize())
            .map_err(DoctorError::Exe)?;
        let only = match &args.harness {
            Some(name) => Some(
                crate::setup::table::harness(name)
                    .map_err(DoctorError::Harness)?
                    .doctor_name()
                    .to_string(),
            ),
            None => None,
        };
        let codex_wanted = only.as_deref().is_none_or(|h| h == "codex");
        Ok(Context {
            codex_home: env_path("CODEX_HOME")
                .filter(|p| p.is_absolute() && !explicit_home)
                .unwrap_or_else(|| home.join(".codex")),
            launcher: codex_wanted.then(crate::setup::launcher::probe),
            only,
            config_home: xdg("XDG_CONFIG_HOME", ".config"),
            data_home: xdg("XDG_DATA_HOME", ".local/share"),
            home,
            explicit_home,
            env_manifest: env_path("POLICY_EXEC_MANIFEST"),
            system_config: Some(PathBuf::from("/etc")),
            shell: env_path("SHELL"),
            claude_code_shell: env_path("CLAUDE_CODE_SHELL"),
            copilot_bash_path: env_path("COPILOT_BASH_PATH"),
            path: std::env::var_os("PATH"),
            passwd: cwd.join(&args.passwd),
            uid: rustix::process::getuid().as_raw(),
            exe,
            policy_json,
        })
    }

    /// The command that installs or refreshes every artifact and hook.
    pub fn sync_fix(&self) -> String {
        let policy = self
            .policy_json
            .as_ref()
            .map_or_else(|| "<resolved.json>".to_string(), |(p, _)| quote(p));
        let mut fix = format!("policy-exec sync --policy-json {policy} --apply --hooks");
        if self.explicit_home {
            fix.push_str(&format!(" --home {}", quote(&self.home)));
        }
        fix
    }

    /// Where `install.sh` puts the shim named `name`.
    pub fn shim(&self, name: &str) -> PathBuf {
        self.data_home.join("policy-exec/shims").join(name)
    }
}

/// A path quoted for a POSIX shell when it needs it.
pub(crate) fn quote(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%=,".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Reads a JSON file: None when it does not exist, an error line when it cannot be read
/// or parsed.
pub(crate) fn read_json(path: &Path) -> Result<Option<Value>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read `{}` ({e})", path.display())),
    };
    if text.trim().is_empty() {
        return Ok(Some(json!({})));
    }
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("`{}` is not valid JSON ({e})", path.display()))
}

/// A way into a harness (its shell, its hook), before it is graded against the other.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    /// Policy-exec is in front of the harness this way.
    pub present: bool,
    /// What was found.
    pub detail: String,
    /// What puts it in place.
    pub fix: Option<String>,
    /// The shell name policy-exec then stands in for (shell wiring only).
    pub emulates: Option<String>,
}

impl Finding {
    fn check(self, name: &'static str, other_present: bool, why_other: &str) -> Check {
        let status = match (self.present, other_present) {
            (true, _) => Status::Ok,
            (false, true) => Status::Warn,
            (false, false) => Status::Fail,
        };
        let detail = if status == Status::Warn {
            format!("{} ({why_other})", self.detail)
        } else {
            self.detail
        };
        Check {
            name,
            status,
            detail,
            fix: (status != Status::Ok).then_some(self.fix).flatten(),
        }
    }
}

/// The harnesses, the host whose native file they read (None: Copilot, which has no
/// file that can hold a partial policy), and the name `policy-exec hook` takes for them.
const HARNESSES: [(&str, Option<Host>, &str); 7] = [
    ("codex", Some(Host::Codex), "codex"),
    ("claude", Some(Host::Claude), "claude"),
    ("cursor", Some(Host::Cursor), "cursor"),
    ("factory-droid", Some(Host::FactoryDroid), "droid"),
    ("gemini", Some(Host::Gemini), "gemini"),
    ("copilot", None, "copilot"),
    ("opencode", Some(Host::OpenCode), "opencode"),
];

/// Codex's launcher: `policy-exec run codex` gives Codex the shim as its login shell in
/// a private passwd view. None when the login shell already is policy-exec or the
/// launcher was not checked.
fn launcher_check(ctx: &Context) -> Option<Check> {
    let probe = ctx.launcher.as_ref()?;
    let shim = ctx.shim("bash");
    let shim_ok = matches!(
        shell::resolve(&shim, &ctx.exe),
        shell::Target::PolicyExec(_)
    );
    Some(match (probe, shim_ok) {
        (Ok(()), true) => Check {
            name: "launcher",
            status: Status::Ok,
            detail: format!(
                "`policy-exec run codex` starts Codex with login shell `{}` (a private passwd view; a plain `codex` still runs the account's own login shell)",
                shim.display()
            ),
            fix: None,
        },
        (Ok(()), false) => Check {
            name: "launcher",
            status: Status::Warn,
            detail: format!(
                "the shim `{}` is missing or not policy-exec",
                shim.display()
            ),
            fix: Some("policy-exec setup codex".into()),
        },
        (Err(why), _) => Check {
            name: "launcher",
            status: Status::Warn,
            detail: format!("`policy-exec run codex` cannot work here: {why}"),
            fix: Some(crate::setup::launcher::alternatives(&shim)),
        },
    })
}

/// Runs every check.
pub fn diagnose(ctx: &Context) -> Report {
    let (policy, manifest_hash) = installed::load(ctx);
    let (current, source) = match (&ctx.policy_json, manifest_hash) {
        (Some((path, hash)), _) => (
            Some(hash.clone()),
            Some(format!("--policy-json `{}`", path.display())),
        ),
        (None, Some((path, hash))) => (
            Some(hash),
            Some(format!("installed manifest `{}`", path.display())),
        ),
        (None, None) => (None, None),
    };
    let ledger = artifacts::Ledger::read(&ctx.home);
    let mut emulated = vec!["bash".to_string()];
    let mut harnesses = Vec::new();
    for (name, host, hook_name) in HARNESSES {
        if ctx.only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let hook = if hook_name == "opencode" {
            hooks::opencode_plugin(ctx)
        } else {
            hooks::find(ctx, hook_name)
        };
        let mut checks = Vec::new();
        let launcher = (name == "codex").then(|| launcher_check(ctx)).flatten();
        let launched = launcher.as_ref().is_some_and(|c| c.status == Status::Ok);
        let in_front = if let Some(wiring) = shell::find(ctx, name) {
            let in_front = wiring.present || hook.present || launched;
            if let Some(e) = wiring.emulates.clone().filter(|e| !emulated.contains(e)) {
                emulated.push(e);
            }
            let note = match name {
                "codex" => {
                    "; Codex honours only a deny from a hook, so the hook turns every request into a deny"
                }
                "gemini" | "copilot" | "opencode" => {
                    "; but its hooks fail open on a crash or a timeout and it turns every request into a deny: shell mode is the recommended wiring"
                }
                _ => "",
            };
            let why_other = if launched && !wiring.present {
                "`policy-exec run codex` puts policy-exec in front: start Codex that way"
                    .to_string()
            } else {
                format!("the hook puts policy-exec in front{note}")
            };
            let mut shell_check = wiring.check("shell", hook.present || launched, &why_other);
            if launched && shell_check.status != Status::Ok {
                // Changing the account's login shell would also send the user's own ssh
                // and scp through policy-exec: the launcher is the fix.
                shell_check.fix = Some("policy-exec run codex [ARGS…]".into());
            }
            checks.push(shell_check);
            checks.extend(launcher);
            checks.push(hook.check(
                "hook",
                in_front,
                "optional: the shell already puts policy-exec in front",
            ));
            in_front
        } else {
            checks.push(Check {
                name: "shell",
                status: Status::Info,
                detail: "Droid always runs `/bin/bash -c` and ignores $SHELL: only its hook can put policy-exec in front of it".into(),
                fix: None,
            });
            let present = hook.present;
            checks.push(hook.check("hook", false, ""));
            present
        };
        checks.push(match host {
            Some(host) => artifacts::native(ctx, host, &ledger, current.as_deref()),
            None => Check {
                name: "native",
                status: Status::Info,
                detail: format!("no native file: {}", crate::render::hosts::COPILOT_NO_FILE),
                fix: None,
            },
        });
        harnesses.push(HarnessReport {
            name,
            in_front,
            checks,
        });
    }
    let policy = installed::finish(ctx, policy, &emulated);
    let ok = harnesses
        .iter()
        .flat_map(|h| &h.checks)
        .chain(&policy.checks)
        .all(|c| c.status != Status::Fail);
    let approvals = approvals::report(ctx);
    let ok = ok && approvals.checks.iter().all(|c| c.status != Status::Fail);
    Report {
        ok,
        policy_hash: current,
        policy_hash_source: source,
        harnesses,
        policy,
        approvals,
    }
}

fn check_lines(t: &mut String, checks: &[Check], colour: bool) {
    let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in checks {
        let label = if colour {
            c.status.coloured()
        } else {
            c.status.label().to_string()
        };
        t.push_str(&format!("  {} {:<width$}  {}\n", label, c.name, c.detail));
        if let Some(fix) = &c.fix {
            t.push_str(&format!("         fix: {fix}\n"));
        }
    }
}

/// The report as text: one block per harness, one line per check, fixes beneath;
/// status words in colour when `colour`.
pub fn report_text(r: &Report, colour: bool) -> String {
    let mut t = match (&r.policy_hash, &r.policy_hash_source) {
        (Some(h), Some(s)) => format!("current policy_hash {h} (from {s})\n"),
        _ => "current policy_hash unknown: no --policy-json and no installed manifest\n".into(),
    };
    for h in &r.harnesses {
        let ways: Vec<&str> = h
            .checks
            .iter()
            .filter(|c| c.status == Status::Ok && matches!(c.name, "shell" | "hook" | "launcher"))
            .map(|c| c.name)
            .collect();
        let front = if h.in_front {
            format!(
                "policy-exec is in front (through its {})",
                ways.join(" and ")
            )
        } else {
            "policy-exec is NOT in front".to_string()
        };
        t.push_str(&format!("\n{}: {front}\n", h.name));
        check_lines(&mut t, &h.checks, colour);
    }
    t.push_str("\npolicy\n");
    check_lines(&mut t, &r.policy.checks, colour);
    t.push_str(&format!("\napprovals (tier {})\n", r.approvals.tier));
    check_lines(&mut t, &r.approvals.checks, colour);
    let all = || {
        r.harnesses
            .iter()
            .flat_map(|h| &h.checks)
            .chain(&r.policy.checks)
            .chain(&r.approvals.checks)
    };
    let fails = all().filter(|c| c.status == Status::Fail).count();
    let warns = all().filter(|c| c.status == Status::Warn).count();
    t.push('\n');
    if fails == 0 {
        t.push_str(&format!(
            "everything needed is in place ({warns} warning{})\n",
            if warns == 1 { "" } else { "s" }
        ));
    } else {
        t.push_str(&format!(
            "{fails} problem{} to fix, {warns} warning{}: run the fix commands above",
            if fails == 1 { "" } else { "s" },
            if warns == 1 { "" } else { "s" }
        ));
        if all().any(|c| {
            c.fix
                .as_deref()
                .is_some_and(|f| f.contains("<resolved.json>"))
        }) {
            t.push_str(" (`<resolved.json>` is the file `policy-exec resolve --emit` writes)");
        }
        t.push('\n');
    }
    t
}

/// Runs `policy-exec doctor` and returns its exit code.
pub fn run_doctor(args: &DoctorArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let ctx = match Context::from_env(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "policy-exec: {e}");
            return 2;
        }
    };
    let report = diagnose(&ctx);
    let text = if args.json {
        let v = serde_json::to_value(&report).unwrap_or_else(|_| json!({"ok": false}));
        format!("{v:#}\n")
    } else {
        report_text(&report, colour_wanted())
    };
    let _ = out.write_all(text.as_bytes());
    if report.ok { 0 } else { 1 }
}
