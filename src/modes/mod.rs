//! Modes (SPEC §13): a mode is a task-domain of the installed tree
//! (`policy-config/task-domain/<name>.yaml`), and the installed mode is the one judgements
//! use when `POLICY_EXEC_TASK_DOMAIN` does not name another.
//!
//! Owns the mode file (`<installed root>/mode`: the task-domain's name and a newline,
//! written atomically) and the three verbs: `mode show`, `mode diff NAME` (the `diff`
//! report between the installed mode and NAME) and `mode set NAME`. A switch that only
//! narrows applies at once, even when an agent asks for it; a switch that widens is a
//! human verb, decided in one place, [`authorize_widening`], with the checks `approve`
//! runs ([`crate::approve::gate`]) and a code typed back.
//!
//! It reads the installed tree and the decision log (through `diff`), and writes only the
//! mode file. It never edits scope YAML, and never installs a switch it could not
//! classify (an error is a refusal).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::diff::{self, Report, Side};

/// The mode file's name, in the installed root (beside `policy-config/`).
pub const MODE_FILE: &str = "mode";

/// The installed mode: the mode file's name, else `default`.
pub fn installed(root: &Path) -> Result<String, String> {
    let path = root.join(MODE_FILE);
    // A dangling link is no mode, as a missing file is: no `readlink` to tell them apart.
    match crate::files::read_regular_text_unnamed(&path, 4096) {
        Ok(text) => {
            let name = text.trim().to_string();
            check_name(&name).map_err(|e| format!("the mode file `{}` {e}", path.display()))?;
            Ok(name)
        }
        Err(e) if e.is_not_found() => Ok("default".to_string()),
        Err(e) => Err(format!(
            "the mode file `{}` cannot be read ({e}): fix it or run `policy-exec mode set default`",
            path.display()
        )),
    }
}

/// A task-domain name: a file name, not a path.
fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "names `{name}`, which is not a task-domain name: use letters, digits, `-`, `_` and `.`"
        ))
    }
}

/// The modes the tree offers: its task-domain files, sorted.
pub fn available(root: &Path) -> Vec<String> {
    let dir = root.join("policy-config/task-domain");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            [".yaml", ".yml", ".json"]
                .iter()
                .find_map(|ext| name.strip_suffix(ext))
                .map(str::to_string)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The one decision on a widening switch: a human verb (SPEC §11, §13). It refuses to
/// be driven by the agent in the known ways (the tier-A checks of
/// [`crate::approve::gate`]: no policy-exec shell above it, a terminal the agent did not
/// make), shows what widens, and asks the human to type back a code shown on that
/// terminal.
pub fn authorize_widening(name: &str, report: &Report) -> Result<(), String> {
    let widening: Vec<String> = report
        .changes
        .iter()
        .filter(|c| c.effect == diff::Effect::Widening)
        .map(|c| format!("{} ({})", c.what, c.why))
        .chain(report.widened.iter().map(|f| {
            format!(
                "`{}` would go from {} to {}",
                crate::report::one_line(&f.command),
                f.from,
                f.to
            )
        }))
        .take(5)
        .collect();
    let log = crate::policy::policy::LogSettings::default();
    if let Some(why) = crate::approve::gate::human_verb_refusal(true, &log) {
        return Err(format!(
            "switching to mode `{name}` widens what agents may run ({}): a widening switch is a human verb, and {why}",
            widening.join("; ")
        ));
    }
    let code = crate::approve::code();
    println!(
        "Switching to mode `{name}` widens what agents may run:\n  {}\nTo switch, type the code {code} (anything else cancels): ",
        widening.join("\n  ")
    );
    if crate::approve::read_tty_line().trim() != code {
        return Err("not switched: the code was not typed back".into());
    }
    Ok(())
}

/// `mode` arguments.
#[derive(Debug, Args)]
pub struct ModeArgs {
    #[command(subcommand)]
    verb: ModeVerb,
    /// The installed root holding `policy-config/` (default: the installed tree).
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    /// The harness scope to compare under.
    #[arg(long, global = true, default_value = "default")]
    harness: String,
    /// Replay the decision log's commands of the last N days (0: rule examples only).
    #[arg(long, global = true, default_value_t = 14)]
    replay_days: u32,
    /// Print JSON.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum ModeVerb {
    /// The installed mode and the modes the tree offers.
    Show,
    /// What switching to NAME would change (the `diff` report): exit 1 when it widens.
    Diff {
        /// The task-domain to compare with.
        name: String,
    },
    /// Switch to NAME: applied at once when it only narrows; a widening switch is a
    /// human verb (typed-back code, never from an agent's shell).
    Set {
        /// The task-domain to switch to.
        name: String,
    },
}

/// The installed root: `--root`, else the first installed tree.
fn root(args: &ModeArgs) -> Result<PathBuf, String> {
    if let Some(r) = &args.root {
        return Ok(r.clone());
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| h.join(".config")));
    let roots: Vec<PathBuf> = [config_home, Some(PathBuf::from("/etc"))]
        .into_iter()
        .flatten()
        .map(|d| d.join("policy-exec"))
        .collect();
    crate::lookup::installed_root(&roots)?.ok_or_else(|| {
        "no installed policy tree (`$XDG_CONFIG_HOME/policy-exec/policy-config` or `/etc/policy-exec/policy-config`): install one first (`./install.sh`), or give --root".to_string()
    })
}

/// The comparison between the installed mode and `name`.
fn compare(args: &ModeArgs, root: &Path, from: &str, name: &str) -> Result<Report, String> {
    check_name(name).map_err(|e| format!("`mode` {e}"))?;
    if !available(root).iter().any(|m| m == name) {
        return Err(format!(
            "there is no mode `{name}` in `{}`: the modes are {}",
            root.join("policy-config/task-domain").display(),
            available(root).join(", ")
        ));
    }
    let a = Side::from_tree(root, &args.harness, from)?;
    let b = Side::from_tree(root, &args.harness, name)?;
    let mut replays = diff::examples(&a, &b);
    if args.replay_days > 0
        && let Ok(store) = crate::log::store::Store::locate(&a.policy.log)
    {
        let since = crate::log::clock::Instant::now().minus(std::time::Duration::from_secs(
            u64::from(args.replay_days) * 86_400,
        ));
        replays.extend(diff::logged(&store, since));
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let repo = crate::git::Git2RepoState::with_home(std::env::var_os("HOME").map(PathBuf::from));
    Ok(diff::compare(&a, &b, &replays, &cwd, &repo))
}

/// Writes the mode file atomically (a temporary file in the same directory, renamed).
fn install(root: &Path, name: &str) -> Result<(), String> {
    let path = root.join(MODE_FILE);
    let tmp = root.join(format!(".{MODE_FILE}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(format!("{name}\n").as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write the mode file `{}` ({e})", path.display())
    })
}

/// Appends a `mode_switched` event to the decision log (SPEC §9), with the settings of
/// the policy switched to. Returns a warning when it cannot be written (the switch
/// stands).
fn record_switch(root: &Path, harness: &str, from: &str, to: &str) -> Option<String> {
    let side = Side::from_tree(root, harness, to).ok()?;
    if !side.policy.log.enabled {
        return None;
    }
    let at = crate::log::clock::Instant::now();
    let line = serde_json::json!({
        "v": 1,
        "event": "mode_switched",
        "id": crate::log::record::DecisionId::new(at).as_str(),
        "ts": at.rfc3339(),
        "from": from,
        "to": to,
        "effect": "narrowing",
        "root": root,
        "pid": std::process::id(),
    });
    let written = crate::log::store::Store::locate(&side.policy.log)
        .and_then(|store| store.append(&at.day(), &line.to_string()));
    written.err().map(|e| {
        format!("policy-exec: warning: the switch is not recorded in the decision log: {e}")
    })
}

/// Runs `mode`: exit 0 done (or nothing widens), 1 refused or widening, 2 an error.
pub fn run_mode(args: &ModeArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let root = match root(args) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "policy-exec: mode: {e}");
            return 2;
        }
    };
    let current = match installed(&root) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "policy-exec: mode: {e}");
            return 2;
        }
    };
    match &args.verb {
        ModeVerb::Show => {
            let modes = available(&root);
            if args.json {
                let v = serde_json::json!({"mode": current, "modes": modes, "root": root});
                let _ = writeln!(out, "{v}");
            } else {
                let _ = writeln!(out, "mode: {current} ({})", root.display());
                let _ = writeln!(out, "modes: {}", modes.join(", "));
            }
            0
        }
        ModeVerb::Diff { name } => match compare(args, &root, &current, name) {
            Ok(report) => {
                if args.json {
                    let v = serde_json::json!({
                        "from": current, "to": name, "widening": report.widening,
                        "changes": report.changes, "replayed": report.replayed,
                        "flips_toward_allow": report.widened, "flips_stricter": report.narrowed,
                    });
                    let _ = writeln!(out, "{v}");
                } else {
                    let _ = write!(
                        out,
                        "{}",
                        diff::render(&report, &format!("mode {current}"), &format!("mode {name}"))
                    );
                }
                u8::from(report.widening)
            }
            Err(e) => {
                let _ = writeln!(err, "policy-exec: mode diff: {e}");
                2
            }
        },
        ModeVerb::Set { name } => {
            if *name == current {
                let _ = writeln!(out, "mode: already {name}");
                return 0;
            }
            let report = match compare(args, &root, &current, name) {
                Ok(r) => r,
                Err(e) => {
                    let _ = writeln!(err, "policy-exec: mode set: {e}");
                    return 2;
                }
            };
            if report.widening
                && let Err(refusal) = authorize_widening(name, &report)
            {
                let _ = writeln!(err, "policy-exec: mode set: {refusal}");
                return 1;
            }
            match install(&root, name) {
                Ok(()) => {
                    if let Some(w) = record_switch(&root, &args.harness, &current, name) {
                        let _ = writeln!(err, "{w}");
                    }
                    let _ = writeln!(
                        out,
                        "mode: {current} → {name} (narrowing: applied at once; {} change(s), {} command(s) now stricter)",
                        report.changes.len(),
                        report.narrowed.len()
                    );
                    0
                }
                Err(e) => {
                    let _ = writeln!(err, "policy-exec: mode set: {e}");
                    2
                }
            }
        }
    }
}
