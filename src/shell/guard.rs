//! Exec guards: policy-exec linked under a program's name (`git`, `rm`, …) in a
//! directory placed first on the shell's `PATH`. Whatever starts that program by name —
//! a script file, `make`, `xargs`, a Python `subprocess` — reaches us with the exact,
//! already-expanded argv: we judge it with the same engine, in the current directory,
//! and then exec the real program (the next one on `PATH`, never ourselves) or refuse.

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Names that are never guards (shell mode and the CLI itself).
const NOT_GUARDS: [&str; 5] = ["policy-exec", "bash", "sh", "zsh", "dash"];

/// Whether argv[0] names a guarded program rather than policy-exec or a shell.
pub fn is_guard_name(argv0: &str) -> bool {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    let base = base.strip_prefix('-').unwrap_or(base);
    !base.is_empty() && !NOT_GUARDS.contains(&base) && !base.starts_with("policy-exec")
}

/// `(device, inode)` of a file, following links.
fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// The real program for `name`: the first executable on `PATH` that is not this binary
/// (by canonical path and inode) and not in a directory that holds a link to us under
/// that name (the guard directory).
pub fn real_program(name: &str, path: Option<&std::ffi::OsStr>) -> Result<PathBuf, String> {
    let me = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let me_id = me.as_deref().and_then(identity);
    let is_me = |p: &Path| {
        let canonical = p.canonicalize().ok();
        (canonical.is_some() && canonical == me) || (identity(p).is_some() && identity(p) == me_id)
    };
    for dir in std::env::split_paths(path.unwrap_or_default()) {
        if dir.as_os_str().is_empty() || !dir.is_absolute() {
            // SECURITY: `.` or relative entries would let the working directory choose.
            continue;
        }
        let candidate = dir.join(name);
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        if meta.is_file() && meta.mode() & 0o111 != 0 && !is_me(&candidate) {
            return Ok(candidate);
        }
    }
    Err(format!(
        "no real `{name}` on PATH besides the policy-exec guard: install it, or remove the guard link for `{name}`"
    ))
}

/// Whether `dir` holds a live guard for `program`: a link there that resolves to this
/// binary.
pub fn is_guarded(dir: &Path, program: &str) -> bool {
    let me = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let link = dir.join(program);
    me.is_some() && link.canonicalize().ok() == me
}

/// Characters a deferrable script may not contain: with them a script can assign
/// (`PA""TH=…`, `LD_PRELOAD=…`), expand, substitute, group, define functions, redirect
/// into files it later runs, or quote and escape a builtin's name. Without them, what a
/// command name resolves to is what the guard directory says.
const NOT_PLAIN: [char; 11] = ['=', '$', '`', '(', ')', '{', '}', '<', '>', '\\', '\''];

/// Builtins a deferrable script may use: they cannot change what a name resolves to.
const HARMLESS_BUILTINS: [&str; 5] = ["cd", "echo", "true", "false", "pwd"];

/// Whether the guard directory and what it leads to are out of this user's reach: the
/// directory, its parent and this binary are not writable by us (root can write
/// anything). Otherwise the script could remove or replace a guard before the command
/// it defers to it runs.
fn guards_out_of_reach(dir: &Path) -> bool {
    let writable = |p: &Path| rustix::fs::access(p, rustix::fs::Access::WRITE_OK).is_ok();
    let me = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let parent = dir.parent();
    me.is_some_and(|me| !writable(&me)) && !writable(dir) && parent.is_some_and(|p| !writable(p))
}

/// Whether shell mode may leave a request to the guards instead of asking itself.
///
/// SECURITY: nothing is handed to the guard, so nothing can be forged. Shell mode lets
/// the script run only when the guards are out of the user's reach (an operator-owned
/// guard directory and binary) and the script is plain: external programs and harmless
/// builtins with literal words, no assignment, expansion, quoting, redirection, grouping
/// or function (see [`NOT_PLAIN`]), so nothing in it can change what a command name
/// resolves to; every command it would ask about is then started by a name the guard
/// directory (first on the child's `PATH`) intercepts, and the guard sees its exact argv
/// at exec time and asks then. Anything else and shell mode asks itself (the guard may
/// then ask again: two questions, never none). A blacklist of words is not enough: bash
/// can set `PATH` or an alias in too many spellings (`PA""TH=…`, `printf -v`, `read`).
pub fn requests_reach_guards(
    eval: &crate::policy::engine::Evaluation,
    script: &str,
    dir: &Path,
) -> bool {
    use crate::command::Via;
    use crate::policy::Decision;
    if eval.decision != Decision::Request || eval.parse_error.is_some() {
        return false;
    }
    // SECURITY: a guard the script can delete (`rm ~/.local/share/policy-exec/guards/git`)
    // is no guarantee: only guards out of the user's reach may be left to ask.
    if !guards_out_of_reach(dir) {
        return false;
    }
    // Only plain scripts: commands and literal words joined by `;`, `&&`, `||`, `|`,
    // `&` and newlines, each command an external program or a harmless builtin.
    if script.contains(NOT_PLAIN) || script.contains('"') {
        return false;
    }
    let first_words = script
        .split(['\n', ';', '&', '|'])
        .filter_map(|segment| segment.split_whitespace().next());
    for word in first_words {
        if crate::command::BASH_BUILTINS.contains(&word) && !HARMLESS_BUILTINS.contains(&word) {
            return false;
        }
    }
    eval.commands.iter().all(|c| {
        let cmd = &c.command;
        let Some(name) = cmd.words.first().and_then(|w| w.lit()) else {
            return false;
        };
        let plain = cmd.via == Via::Direct
            && cmd.dynamic.is_none()
            && cmd.parse_error.is_none()
            && cmd.frames.is_empty()
            && !name.is_empty()
            && !name.contains('/');
        let builtin = crate::command::BASH_BUILTINS.contains(&name);
        let asked = c.decision == Decision::Request;
        plain
            && (!builtin || HARMLESS_BUILTINS.contains(&name))
            && (!asked || (!builtin && is_guarded(dir, name)))
    })
}

/// Quotes an argv as a shell script, so the engine reads exactly these words.
pub fn quoted(argv: &[OsString]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|a| format!("'{}'", a.to_string_lossy().replace('\'', "'\\''")))
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_names_exclude_shells_and_ourselves() {
        assert!(is_guard_name("/home/u/.local/share/policy-exec/guards/git"));
        assert!(is_guard_name("rm"));
        assert!(!is_guard_name("policy-exec"));
        assert!(!is_guard_name("/usr/local/bin/bash"));
        assert!(!is_guard_name("-bash"));
    }

    #[test]
    fn argv_is_quoted_for_the_engine() {
        let argv: Vec<OsString> = ["git", "commit", "-m", "it's"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(quoted(&argv), "'git' 'commit' '-m' 'it'\\''s'");
    }
}
