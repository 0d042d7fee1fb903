//! `policy-exec setup HARNESS`, `policy-exec uninstall [--harness H]` and
//! `policy-exec run codex …`: putting policy-exec in front of a harness in one step, and
//! taking it out again.
//!
//! What each harness allows comes from the wiring table (`shims/wiring.yaml`, [`table`]):
//! its native permission file, its hook file, how it picks its shell. `setup` resolves
//! the installed policy, merges that harness's native rules and hook with the machinery
//! of `sync --apply` (ledger, staged atomic writes, backups), links the shell shims, wires
//! the shell where the harness reads it from a file, prints every change, and ends with
//! `doctor`'s verdict for the harness. `uninstall` removes what install, setup and
//! `sync --apply` added — ledger entries, hook entries, our shell setting, shims and exec
//! guards — keeps the user's own entries, and gives back the bytes a file had before
//! policy-exec first changed it ([`crate::render::pristine`]).
//!
//! It writes only harness files under the home directory and policy-exec's own
//! directories; it never edits a scope file, never changes the account's login shell
//! (Codex gets [`launcher`] instead) and never runs a harness except through `run`.

pub mod launcher;
mod remove;
pub mod table;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use table::{Harness, ShellWiring, Wire};

use crate::render::apply::{self, HookTarget, Targets};
use crate::render::pristine::Pristine;
use crate::render::sync::{self, Request, Source};

/// Flags of `policy-exec setup`.
#[derive(Debug, Clone, clap::Args)]
pub struct SetupArgs {
    /// The harness to wire (`setup --list` shows them: claude, codex, cursor, droid, …)
    #[arg(required_unless_present = "list")]
    pub harness: Option<String>,
    /// Print how each harness is wired (the wiring table) and exit
    #[arg(long)]
    pub list: bool,
    /// Also make policy-exec the harness's shell where it reads that from its settings
    /// file (Claude Code: CLAUDE_CODE_SHELL)
    #[arg(long)]
    pub shell: bool,
    /// Home directory whose harness files to change (default: $HOME)
    #[arg(long)]
    pub home: Option<PathBuf>,
    /// The passwd file `doctor` reads the login shell from (tests)
    #[arg(long, hide = true, default_value = "/etc/passwd")]
    pub passwd: PathBuf,
}

/// Flags of `policy-exec uninstall`.
#[derive(Debug, Clone, clap::Args)]
pub struct UninstallArgs {
    /// Only this harness (default: every harness, plus the shims and exec guards)
    #[arg(long)]
    pub harness: Option<String>,
    /// Home directory whose harness files to change (default: $HOME)
    #[arg(long)]
    pub home: Option<PathBuf>,
}

/// policy-exec's own directories for one home.
#[derive(Debug, Clone)]
pub struct Dirs {
    /// The home directory.
    pub home: PathBuf,
    /// The installation: policy tree, bundle, manifest (`~/.config/policy-exec`).
    pub config: PathBuf,
    /// The shell shims (`~/.local/share/policy-exec/shims`).
    pub shims: PathBuf,
    /// The exec guards (`~/.local/share/policy-exec/guards`).
    pub guards: PathBuf,
    /// State (`~/.local/state/policy-exec`).
    pub state: PathBuf,
}

impl Dirs {
    /// From the XDG variables, else under `home`.
    pub fn from_env(home: &Path) -> Dirs {
        let xdg = |var: &str, default: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(default))
                .join("policy-exec")
        };
        let data = xdg("XDG_DATA_HOME", ".local/share");
        Dirs {
            home: home.to_path_buf(),
            config: xdg("XDG_CONFIG_HOME", ".config"),
            shims: data.join("shims"),
            guards: data.join("guards"),
            state: xdg("XDG_STATE_HOME", ".local/state"),
        }
    }

    /// Everything under `home`, ignoring the XDG variables (an explicit `--home`).
    pub fn under_home(home: &Path) -> Dirs {
        Dirs {
            home: home.to_path_buf(),
            config: home.join(".config/policy-exec"),
            shims: home.join(".local/share/policy-exec/shims"),
            guards: home.join(".local/share/policy-exec/guards"),
            state: home.join(".local/state/policy-exec"),
        }
    }

    /// `--home` if given, else `$HOME` with the XDG variables.
    fn resolve(home: Option<&Path>) -> Result<Dirs, String> {
        match home {
            Some(h) => {
                let h = std::env::current_dir()
                    .map(|c| c.join(h))
                    .unwrap_or_else(|_| h.to_path_buf());
                if !h.is_dir() {
                    return Err(format!("home `{}` is not a directory", h.display()));
                }
                Ok(Dirs::under_home(&h))
            }
            None => std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|h| h.is_absolute())
                .map(|h| Dirs::from_env(&h))
                .ok_or_else(|| "no home directory: pass --home or set HOME".to_string()),
        }
    }
}

/// This binary, canonical.
fn this_exe() -> Result<PathBuf, String> {
    std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| format!("cannot locate this binary ({e}): run policy-exec by its full path"))
}

/// Whether `path` leads (through symlinks) to a policy-exec binary.
pub fn leads_to_policy_exec(path: &Path) -> bool {
    this_exe().is_ok_and(|exe| {
        matches!(
            crate::doctor::shell::resolve(path, &exe),
            crate::doctor::shell::Target::PolicyExec(_)
        )
    })
}

/// One line of what `setup` or `uninstall` did.
fn change(out: &mut dyn Write, status: &str, path: &Path, what: &str) {
    let _ = writeln!(out, "  {status:<9} {} ({what})", path.display());
}

/// Links each shell name in `dir` to `exe`, leaving links that already lead to
/// policy-exec. Returns the links made.
fn link_shims(dir: &Path, exe: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}` ({e})", dir.display()))?;
    let mut made = Vec::new();
    for name in table::shell_names() {
        let link = dir.join(name);
        if leads_to_policy_exec(&link) {
            continue;
        }
        if std::fs::symlink_metadata(&link).is_ok_and(|m| !m.file_type().is_symlink()) {
            return Err(format!(
                "`{}` exists and is not a link to policy-exec: move it away",
                link.display()
            ));
        }
        let tmp = dir.join(format!(".{name}.policy-exec-new"));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(exe, &tmp)
            .and_then(|()| std::fs::rename(&tmp, &link))
            .map_err(|e| format!("cannot link `{}` ({e})", link.display()))?;
        made.push(link);
    }
    Ok(made)
}

/// Removes the links in `dir` that lead to policy-exec, then `dir` when empty.
fn unlink_ours(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut gone = Vec::new();
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let ours = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
            && (leads_to_policy_exec(&path)
                || std::fs::read_link(&path).is_ok_and(|t| {
                    t.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("policy-exec"))
                }));
        if ours && std::fs::remove_file(&path).is_ok() {
            gone.push(path);
        }
    }
    let _ = std::fs::remove_dir(dir);
    gone
}

/// Resolves the installed tree and writes `policy.json` beside it (when it changed).
fn resolve_installed(dirs: &Dirs) -> Result<PathBuf, (u8, String)> {
    let tree = dirs.config.join("policy-config");
    if !tree.is_dir() {
        return Err((
            3,
            format!(
                "no installed policy at `{}`: run ./install.sh from the repository first",
                tree.display()
            ),
        ));
    }
    let (harness, task_domain) = crate::resolve::cli::installed_scopes(&dirs.config);
    let req = crate::resolve::ResolveRequest {
        root: dirs.config.clone(),
        harness,
        task_domain,
        task_instance: None,
        system: None,
        user: None,
    };
    let resolved = crate::resolve::resolve_strict(&req, None).map_err(|e| (3, e.to_string()))?;
    let emit = dirs.config.join("policy.json");
    let text = crate::resolve::emit_json(&resolved);
    if std::fs::read_to_string(&emit).ok().as_deref() != Some(text.as_str()) {
        apply::write_atomic(&emit, &text).map_err(|e| (4, e.to_string()))?;
    }
    Ok(emit)
}

/// Sets a dotted key of a JSON settings file to the shim (recording the file first).
fn set_setting(path: &Path, key: &str, value: &str, ledger: &Path) -> Result<bool, String> {
    let text = apply::read_live(path).map_err(|e| e.to_string())?;
    let mut v = apply::parse_settings(text.as_deref(), path).map_err(|e| e.to_string())?;
    let current = key
        .split('.')
        .try_fold(&v, |v, k| v.get(k))
        .and_then(|v| v.as_str());
    if current == Some(value) {
        return Ok(false);
    }
    if let Some(other) = current {
        return Err(format!(
            "`{key}` in `{}` is already `{other}`: remove it to let setup set it",
            path.display()
        ));
    }
    Pristine::beside(ledger)
        .remember(path, text.as_deref())
        .map_err(|e| e.to_string())?;
    apply::set_path(&mut v, key, serde_json::json!(value));
    let mut out = serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?;
    out.push('\n');
    if text.is_some() {
        let b = apply::backup_path(path);
        std::fs::copy(path, &b)
            .map_err(|e| format!("cannot back up `{}` ({e})", path.display()))?;
        apply::prune_backups(path);
    }
    apply::write_atomic(path, &out).map_err(|e| e.to_string())?;
    Ok(true)
}

/// `setup --list`: the wiring table, for people (install.sh prints it).
fn list(out: &mut dyn Write, dirs: &Dirs) -> u8 {
    let all = match table::harnesses() {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(out, "policy-exec: {e}");
            return 5;
        }
    };
    for h in all {
        let ways: Vec<&str> = h
            .wires
            .iter()
            .map(|w| match w {
                Wire::Native => "native rules",
                Wire::Hook => "hook",
                Wire::Shell => "shell",
            })
            .collect();
        let _ = writeln!(
            out,
            "  {:<14} policy-exec setup {:<7} ({}; hook file ~/{})",
            h.title,
            h.name,
            ways.join(" + "),
            h.hook.display()
        );
        let _ = writeln!(out, "  {:<14} {}", "", h.note);
    }
    let _ = writeln!(
        out,
        "  shims: {} ({})",
        dirs.shims.display(),
        table::shell_names().join(" ")
    );
    0
}

/// Runs `policy-exec setup` and returns its exit code: 0 the harness is protected,
/// 1 `doctor` found a problem, 2 bad arguments, 3 no installed policy, 4 a file could not
/// be written.
pub fn run_setup(args: &SetupArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let dirs = match Dirs::resolve(args.home.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            let _ = writeln!(err, "policy-exec: {e}");
            return 2;
        }
    };
    if args.list {
        return list(out, &dirs);
    }
    let h = match table::harness(args.harness.as_deref().unwrap_or_default()) {
        Ok(h) => h,
        Err(e) => {
            let _ = writeln!(err, "policy-exec: {e}");
            return 2;
        }
    };
    match wire(&h, args, &dirs, out) {
        Ok(()) => {}
        Err((code, e)) => {
            let _ = writeln!(err, "policy-exec: setup {}: {e}", h.name);
            return code;
        }
    }
    let _ = writeln!(out, "\n{}\n", h.note);
    // The verdict: doctor's block for this harness and the installed policy.
    let doctor_args = crate::doctor::DoctorArgs {
        json: false,
        home: args.home.clone(),
        policy_json: Some(dirs.config.join("policy.json")),
        passwd: args.passwd.clone(),
        harness: Some(h.name.clone()),
    };
    crate::doctor::run_doctor(&doctor_args, out, err)
}

/// Does the wiring and prints each change.
fn wire(
    h: &Harness,
    args: &SetupArgs,
    dirs: &Dirs,
    out: &mut dyn Write,
) -> Result<(), (u8, String)> {
    let exe = this_exe().map_err(|e| (2, e))?;
    let _ = writeln!(out, "policy-exec setup {} ({})", h.name, h.title);
    let emit = resolve_installed(dirs)?;
    let source = Source::from_emit_file(&emit).map_err(|e| (3, e.to_string()))?;
    let mut targets = Targets::under_home(&dirs.home);
    targets
        .files
        .retain(|host, _| Some(*host) == h.host && h.wires.contains(&Wire::Native));
    // OpenCode's hook is a plugin file, not an entry in a hook file.
    let plugin = h.name == "opencode" && h.wires.contains(&Wire::Hook);
    let hooks = if h.wires.contains(&Wire::Hook) && !plugin {
        let harness = hook_name(&h.name).ok_or_else(|| {
            (
                2,
                format!("`{}` has no hook entry format in this build", h.name),
            )
        })?;
        Some((
            vec![HookTarget {
                harness,
                path: dirs.home.join(&h.hook),
            }],
            exe.clone(),
        ))
    } else {
        None
    };
    let ledger = targets.ledger.clone();
    let report = sync::sync(
        &source,
        &Request {
            out_dir: None,
            apply: Some((targets, dirs.config.clone())),
            include_conditional: false,
            hooks,
            opencode_plugin: plugin.then(|| exe.clone()),
            guards: Some((dirs.guards.clone(), false, exe.clone())),
            // The installed tree is the machine policy: an edit there that drops a rule
            // is the operator's, not a project's policy applied by mistake.
            replace: true,
        },
    )
    .map_err(|e| (e.exit_code().max(3), e.to_string()))?;
    let _ = writeln!(
        out,
        "\npolicy {} (policy_hash {})",
        emit.display(),
        report.policy_hash
    );
    for c in report.applied.iter().filter(|c| c.host != "policy-exec") {
        let mut what = format!("{}: +{} −{}", c.host, c.added, c.removed);
        if let Some(b) = &c.backup {
            what.push_str(&format!(", backup {}", b.display()));
        }
        change(out, c.status, &c.path, &what);
    }
    for link in link_shims(&dirs.shims, &exe).map_err(|e| (4, e))? {
        change(out, "linked", &link, "shell shim");
    }
    match &h.shell {
        ShellWiring::Settings { file, key, shim } if args.shell => {
            let path = dirs.home.join(file);
            let value = dirs.shims.join(shim).display().to_string();
            if set_setting(&path, key, &value, &ledger).map_err(|e| (4, e))? {
                change(out, "updated", &path, &format!("{key} = {value}"));
            }
        }
        ShellWiring::Settings { key, file, .. } => {
            let _ = writeln!(
                out,
                "  shell     not changed: `setup {} --shell` sets {key} in ~/{}",
                h.name,
                file.display()
            );
        }
        ShellWiring::Passwd { shim } => {
            let shim = dirs.shims.join(shim);
            match launcher::probe() {
                Ok(()) => {
                    let _ = writeln!(
                        out,
                        "  shell     `policy-exec run {}` starts it with login shell {} (private passwd view)",
                        h.name,
                        shim.display()
                    );
                }
                Err(why) => {
                    let _ = writeln!(
                        out,
                        "  shell     not wired: {why}; {}",
                        launcher::alternatives(&shim)
                    );
                }
            }
        }
        ShellWiring::Env { var, shim } => {
            let _ = writeln!(
                out,
                "  shell     for shell mode too, start it with: export {var}={}",
                dirs.shims.join(shim).display()
            );
        }
        ShellWiring::Path { .. } => {
            let _ = writeln!(
                out,
                "  shell     for shell mode too, start it as: PATH={}:\"$PATH\" {}",
                dirs.shims.display(),
                h.name
            );
        }
        ShellWiring::None => {}
    }
    Ok(())
}

/// The `'static` hook name for a harness (what [`HookTarget`] carries), when
/// `render::apply` knows how to write its hook entry.
fn hook_name(name: &str) -> Option<&'static str> {
    apply::hook_targets(Path::new("/"))
        .into_iter()
        .map(|t| t.harness)
        .find(|n| *n == name)
}

/// Runs `policy-exec uninstall`: 0 done, 2 bad arguments, 4 a file could not be changed.
pub fn run_uninstall(args: &UninstallArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let dirs = match Dirs::resolve(args.home.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            let _ = writeln!(err, "policy-exec: {e}");
            return 2;
        }
    };
    let chosen = match &args.harness {
        Some(name) => table::harness(name).map(|h| vec![h]),
        None => table::harnesses().map_err(|e| e.to_string()),
    };
    let chosen = match chosen {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "policy-exec: {e}");
            return 2;
        }
    };
    let targets = Targets::under_home(&dirs.home);
    let owned = match apply::read_ledger(&targets.ledger) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(err, "policy-exec: {e}");
            return 4;
        }
    };
    let real = |p: PathBuf| p.canonicalize().unwrap_or(p);
    let mut files: BTreeMap<PathBuf, remove::Removal> = BTreeMap::new();
    for h in &chosen {
        if let Some(host) = h.host {
            let native = real(dirs.home.join(host.live_path()));
            let slot = files.entry(native.clone()).or_default();
            slot.whole = host.whole_file();
            let key = native.display().to_string();
            let given = dirs.home.join(host.live_path()).display().to_string();
            if let Some(lists) = owned.get(&key).or_else(|| owned.get(&given)) {
                slot.lists = lists.clone();
            }
        }
        let hook = files.entry(real(dirs.home.join(&h.hook))).or_default();
        if h.name == "opencode" {
            // The plugin file is ours whole: only a file of ours is ever written there.
            hook.whole = true;
        } else {
            hook.hooks.push(h.name.clone());
        }
        if let ShellWiring::Settings { file, key, .. } = &h.shell {
            files
                .entry(real(dirs.home.join(file)))
                .or_default()
                .shell_keys
                .push(key.clone());
        }
    }
    let pristine = Pristine::beside(&targets.ledger);
    let mut code = 0;
    let mut done = Vec::new();
    let _ = writeln!(
        out,
        "policy-exec uninstall{}",
        args.harness
            .as_ref()
            .map(|h| format!(" --harness {h}"))
            .unwrap_or_default()
    );
    for (path, what) in &files {
        match remove::clean(path, what, &pristine) {
            Ok(c) => {
                if c.status != "absent" {
                    let mut note = format!("{} of ours removed", c.removed);
                    if let Some(b) = &c.backup {
                        note.push_str(&format!(", backup {}", b.display()));
                    }
                    change(out, c.status, &c.path, &note);
                }
                done.push(path.clone());
            }
            Err(e) => {
                let _ = writeln!(err, "policy-exec: {e}: fix it, then run uninstall again");
                code = 4;
            }
        }
    }
    // The ledger names files by their canonical path, and sometimes as given.
    let mut forget = done.clone();
    forget.extend(
        chosen
            .iter()
            .filter_map(|h| h.host)
            .map(|host| dirs.home.join(host.live_path())),
    );
    if let Err(e) = apply::forget_in_ledger(&targets.ledger, &forget) {
        let _ = writeln!(err, "policy-exec: {e}");
        code = 4;
    }
    if args.harness.is_none() {
        // The agents' skill `sync --apply` installs while proposals are enabled.
        let skill = dirs.home.join(crate::render::sync::SKILL_PATH);
        if std::fs::read_to_string(&skill).is_ok_and(|t| t == crate::grants::SKILL)
            && std::fs::remove_file(&skill).is_ok()
        {
            if let Some(dir) = skill.parent() {
                let _ = std::fs::remove_dir(dir);
            }
            change(out, "removed", &skill, "agents' skill");
        }
        for link in unlink_ours(&dirs.shims) {
            change(out, "removed", &link, "shell shim");
        }
        for link in unlink_ours(&dirs.guards) {
            change(out, "removed", &link, "exec guard");
        }
        let _ = writeln!(
            out,
            "\nkept: the binary and the installed policy in {} (remove them by hand when you no longer want them)",
            dirs.config.display()
        );
    }
    code
}
