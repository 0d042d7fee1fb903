//! Shell wiring: does the shell a harness runs commands with resolve to policy-exec?
//!
//! Each harness picks its shell its own way (HOSTS.md): Codex takes the account's login
//! shell from passwd, recognised by basename; Claude Code takes `CLAUDE_CODE_SHELL`, else
//! `$SHELL`, each only when its path contains `bash` or `zsh`; Cursor takes `$SHELL`;
//! Gemini CLI runs the first `bash` on `PATH`; Copilot CLI `$COPILOT_BASH_PATH`, else
//! `/bin/bash`; OpenCode the `shell` key of its config, else `$SHELL`, else `bash` on
//! `PATH`. What doctor sees is its own environment: the harness must be started from
//! one like it.
//! This module repeats those choices and follows the chosen path through its symlinks.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Context, Finding, quote, read_json};

/// Where a shell path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An executable policy-exec binary (canonical path).
    PolicyExec(PathBuf),
    /// Some other program (canonical path).
    Other(PathBuf),
    /// Nowhere usable: why, as the end of a sentence.
    Broken(String),
}

/// Follows `path` through its symlinks. A policy-exec binary is this one (same file) or
/// any executable whose canonical name starts with `policy-exec` (another install).
pub(crate) fn resolve(path: &Path, exe: &Path) -> Target {
    let canon = match path.canonicalize() {
        Ok(c) => c,
        Err(e) => return Target::Broken(format!("does not resolve ({e})")),
    };
    let meta = match std::fs::metadata(&canon) {
        Ok(m) => m,
        Err(e) => return Target::Broken(format!("cannot be read ({e})")),
    };
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Target::Broken(format!(
            "leads to `{}`, which is not an executable file",
            canon.display()
        ));
    }
    let same_file =
        std::fs::metadata(exe).is_ok_and(|m| (m.dev(), m.ino()) == (meta.dev(), meta.ino()));
    let named = canon
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("policy-exec"));
    if same_file || named {
        Target::PolicyExec(canon)
    } else {
        Target::Other(canon)
    }
}

/// The last path component, as text.
fn basename(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The shell name policy-exec stands in for when started through `path` (shell mode's
/// own rule: `sh`, `zsh` and `dash` are emulated by name, everything else as bash).
fn emulated(path: &Path) -> String {
    match basename(path).as_str() {
        n @ ("sh" | "zsh" | "dash") => n.to_string(),
        _ => "bash".to_string(),
    }
}

/// The finding for a shell path a harness runs, described by `what`.
fn follow(ctx: &Context, what: &str, path: &Path, fix: String) -> Finding {
    let (present, detail) = match resolve(path, &ctx.exe) {
        Target::PolicyExec(c) => (true, format!("{what} is policy-exec (`{}`)", c.display())),
        Target::Other(c) => (
            false,
            format!("{what} is `{}`, not policy-exec", c.display()),
        ),
        Target::Broken(why) => (false, format!("{what} {why}")),
    };
    Finding {
        present,
        detail,
        fix: Some(fix),
        emulates: present.then(|| emulated(path)),
    }
}

/// A fix that first creates the `bash` shim when it is missing or wrong, then runs
/// `then` with the shim's path.
fn with_shim(ctx: &Context, then: impl Fn(&str) -> String) -> String {
    let shim = ctx.shim("bash");
    let shown = quote(&shim);
    match resolve(&shim, &ctx.exe) {
        Target::PolicyExec(_) => then(&shown),
        _ => {
            let dir = shim.parent().map_or_else(String::new, quote);
            format!(
                "mkdir -p {dir} && ln -sfn {} {shown} && {}",
                quote(&ctx.exe),
                then(&shown)
            )
        }
    }
}

/// The shell wiring of a harness (by its report name); None for Droid, which always
/// runs `/bin/bash`.
pub(crate) fn find(ctx: &Context, harness: &str) -> Option<Finding> {
    match harness {
        "codex" => Some(codex(ctx)),
        "claude" => Some(claude(ctx)),
        "cursor" => Some(cursor(ctx)),
        "gemini" => Some(gemini(ctx)),
        "copilot" => Some(copilot(ctx)),
        "opencode" => Some(opencode(ctx)),
        _ => None,
    }
}

/// The first `name` on `PATH` that is an executable file (the lookup a harness does).
fn on_path(ctx: &Context, name: &str) -> Option<PathBuf> {
    std::env::split_paths(ctx.path.as_deref()?)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Gemini CLI: the first `bash` on `PATH`, looked up at every command.
fn gemini(ctx: &Context) -> Finding {
    let fix = with_shim(ctx, |shim| {
        let dir = Path::new(shim.trim_matches('\''))
            .parent()
            .map_or_else(String::new, quote);
        format!("start gemini with PATH={dir}:$PATH (the directory holding the `bash` shim first)")
    });
    match on_path(ctx, "bash") {
        Some(bash) => follow(
            ctx,
            &format!("the first `bash` on PATH `{}`", bash.display()),
            &bash,
            fix,
        ),
        None => Finding {
            present: false,
            detail: "no `bash` on PATH: Gemini CLI cannot run commands".into(),
            fix: Some(fix),
            emulates: None,
        },
    }
}

/// Copilot CLI: `$COPILOT_BASH_PATH` (any name), else `/bin/bash` or `/usr/bin/bash`.
fn copilot(ctx: &Context) -> Finding {
    let fix = with_shim(ctx, |shim| format!("export COPILOT_BASH_PATH={shim}"));
    match &ctx.copilot_bash_path {
        Some(path) => follow(
            ctx,
            &format!("$COPILOT_BASH_PATH `{}`", path.display()),
            path,
            fix,
        ),
        None => Finding {
            present: false,
            detail: "$COPILOT_BASH_PATH is not set: Copilot CLI runs /bin/bash".into(),
            fix: Some(fix),
            emulates: None,
        },
    }
}

/// OpenCode: `shell` in its global config, else `$SHELL`, else `bash` on `PATH` (a
/// project's opencode.json may set its own `shell`: that is not checked here).
fn opencode(ctx: &Context) -> Finding {
    let config = ctx.home.join(".config/opencode/opencode.json");
    let shown = config.display().to_string();
    let from_config = read_json(&config)
        .ok()
        .flatten()
        .and_then(|v| v.get("shell")?.as_str().map(PathBuf::from))
        .filter(|p| !p.as_os_str().is_empty());
    let fix = with_shim(ctx, |shim| {
        format!(
            "set `\"shell\": \"{}\"` in `{shown}`",
            shim.trim_matches('\'')
        )
    });
    let chosen = from_config
        .map(|p| (p, format!("`shell` in `{shown}`")))
        .or_else(|| ctx.shell.clone().map(|p| (p, "$SHELL".to_string())))
        .or_else(|| on_path(ctx, "bash").map(|p| (p, "the first `bash` on PATH".to_string())));
    match chosen {
        Some((path, source)) => follow(ctx, &format!("{source} `{}`", path.display()), &path, fix),
        None => Finding {
            present: false,
            detail:
                "no `shell` in its config, no $SHELL and no `bash` on PATH: OpenCode runs /bin/sh"
                    .into(),
            fix: Some(fix),
            emulates: None,
        },
    }
}

/// One passwd line's account name, home directory and login shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PasswdEntry {
    /// The account name.
    pub name: String,
    /// The home directory.
    pub home: PathBuf,
    /// The login shell.
    pub shell: PathBuf,
}

/// The entry for `uid` in a passwd file (`name:pw:uid:gid:gecos:dir:shell`).
pub(crate) fn passwd_entry(text: &str, uid: u32) -> Option<PasswdEntry> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            let (name, id, home, shell) = (
                fields.first()?,
                fields.get(2)?,
                fields.get(5)?,
                fields.get(6)?,
            );
            (id.trim().parse::<u32>().ok()? == uid).then(|| PasswdEntry {
                name: (*name).to_string(),
                home: PathBuf::from(home),
                shell: PathBuf::from(shell.trim()),
            })
        })
}

/// Codex: the login shell from passwd, used only when its basename is bash/zsh/sh.
fn codex(ctx: &Context) -> Finding {
    let passwd = ctx.passwd.display().to_string();
    let not_wired = |detail: String, user: &str| Finding {
        present: false,
        detail,
        fix: Some(with_shim(ctx, |shim| format!("chsh -s {shim} {user}"))),
        emulates: None,
    };
    let text = match std::fs::read_to_string(&ctx.passwd) {
        Ok(t) => t,
        Err(e) => {
            return not_wired(
                format!("cannot read `{passwd}` ({e}) to find the login shell Codex runs"),
                "\"$(id -un)\"",
            );
        }
    };
    let Some(entry) = passwd_entry(&text, ctx.uid) else {
        return not_wired(
            format!(
                "no entry for uid {} in `{passwd}` (accounts known only to NSS/LDAP are not read): Codex falls back to /bin/bash",
                ctx.uid
            ),
            "\"$(id -un)\"",
        );
    };
    let what = format!(
        "login shell `{}` of `{}` (`{passwd}`)",
        entry.shell.display(),
        entry.name
    );
    if !matches!(basename(&entry.shell).as_str(), "bash" | "zsh" | "sh") {
        return not_wired(
            format!("{what} is not named bash, zsh or sh: Codex ignores it and runs /bin/bash"),
            &entry.name,
        );
    }
    let fix = with_shim(ctx, |shim| format!("chsh -s {shim} {}", entry.name));
    follow(ctx, &what, &entry.shell, fix)
}

/// Claude Code will only use a shell whose path contains `bash` or `zsh`.
fn claude_accepts(path: &Path) -> bool {
    let text = path.to_string_lossy();
    text.contains("bash") || text.contains("zsh")
}

/// Claude Code: `CLAUDE_CODE_SHELL`, else `$SHELL`; `env` in its settings file is put
/// into its environment at start, so a variable set there wins over the process's.
fn claude(ctx: &Context) -> Finding {
    let settings = ctx.home.join(".claude/settings.json");
    let settings_env = |key: &str| -> Option<PathBuf> {
        read_json(&settings)
            .ok()
            .flatten()?
            .get("env")?
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    let shown = settings.display().to_string();
    let from_settings = settings_env("CLAUDE_CODE_SHELL");
    let candidates = [
        from_settings
            .clone()
            .map(|p| (p, format!("`env.CLAUDE_CODE_SHELL` in `{shown}`")))
            .or_else(|| {
                ctx.claude_code_shell
                    .clone()
                    .map(|p| (p, "$CLAUDE_CODE_SHELL".to_string()))
            }),
        settings_env("SHELL")
            .map(|p| (p, format!("`env.SHELL` in `{shown}`")))
            .or_else(|| ctx.shell.clone().map(|p| (p, "$SHELL".to_string()))),
    ];
    let fix = match &from_settings {
        // The settings file overrides the environment: only an edit there helps.
        Some(_) => with_shim(ctx, |shim| {
            format!("set `env.CLAUDE_CODE_SHELL` to `{shim}` in `{shown}`")
        }),
        None => with_shim(ctx, |shim| format!("export CLAUDE_CODE_SHELL={shim}")),
    };
    let mut skipped = Vec::new();
    for (path, source) in candidates.into_iter().flatten() {
        if claude_accepts(&path) {
            let what = format!("{source} `{}`", path.display());
            let mut found = follow(ctx, &what, &path, fix);
            if !skipped.is_empty() {
                found.detail = format!("{} ({} ignored)", found.detail, skipped.join(", "));
            }
            return found;
        }
        skipped.push(format!(
            "{source} `{}` names neither bash nor zsh",
            path.display()
        ));
    }
    let detail = if skipped.is_empty() {
        "neither CLAUDE_CODE_SHELL nor SHELL is set: Claude Code runs /bin/bash".to_string()
    } else {
        format!("{}: Claude Code runs /bin/bash", skipped.join("; "))
    };
    Finding {
        present: false,
        detail,
        fix: Some(fix),
        emulates: None,
    }
}

/// Cursor: `$SHELL`.
fn cursor(ctx: &Context) -> Finding {
    let fix = with_shim(ctx, |shim| format!("export SHELL={shim}"));
    match &ctx.shell {
        Some(path) => follow(ctx, &format!("$SHELL `{}`", path.display()), path, fix),
        None => Finding {
            present: false,
            detail: "$SHELL is not set: Cursor runs its default shell".into(),
            fix: Some(fix),
            emulates: None,
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use rstest::rstest;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken line\nalice:x:1000:1000:Alice,,,:/home/alice:/home/alice/.local/share/policy-exec/shims/bash\n";

    #[rstest]
    #[case(0, Some(("root", "/bin/bash")))]
    #[case(1000, Some(("alice", "/home/alice/.local/share/policy-exec/shims/bash")))]
    #[case(1001, None)]
    fn passwd_entry_is_found_by_uid(#[case] uid: u32, #[case] want: Option<(&str, &str)>) {
        let got = passwd_entry(PASSWD, uid).map(|e| (e.name, e.shell));
        assert_eq!(
            got,
            want.map(|(name, shell)| (name.to_string(), PathBuf::from(shell)))
        );
    }

    #[rstest]
    #[case("/home/u/.local/share/policy-exec/shims/bash", true)]
    #[case("/usr/bin/zsh", true)]
    #[case("/usr/local/bin/policy-exec", false)]
    #[case("/bin/sh", false)]
    fn claude_accepts_only_bash_or_zsh_paths(#[case] path: &str, #[case] accepted: bool) {
        assert_eq!(claude_accepts(Path::new(path)), accepted);
    }

    #[rstest]
    #[case("/x/shims/zsh", "zsh")]
    #[case("/x/shims/sh", "sh")]
    #[case("/x/shims/bash", "bash")]
    #[case("/x/policy-exec", "bash")]
    fn emulated_name_follows_shell_mode(#[case] path: &str, #[case] name: &str) {
        assert_eq!(emulated(Path::new(path)), name);
    }
}
