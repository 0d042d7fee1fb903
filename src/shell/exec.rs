//! The hand-off to the real shell: finding it (never ourselves), cleaning the
//! environment, and `exec` — which only accepts a [`Permit`].

use std::ffi::{CStr, CString, OsStr, OsString};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use crate::policy::Decision;
use crate::policy::engine::Evaluation;

/// Proof that running the real shell was decided: built only from an allow decision,
/// an approved prompt, or an invocation that runs nothing policy could judge.
#[derive(Debug)]
pub struct Permit {
    _private: (),
}

impl Permit {
    /// From a judgement: only an allow yields a permit.
    pub fn from_evaluation(eval: &Evaluation) -> Option<Permit> {
        (eval.decision == Decision::Allow).then_some(Permit { _private: () })
    }

    /// A human answered yes at the terminal.
    pub(super) fn approved() -> Permit {
        Permit { _private: () }
    }

    /// Every command the script would ask about reaches an exec guard, which will ask
    /// with the exact argv when it runs (see [`super::guard::requests_reach_guards`]).
    pub(super) fn deferred_to_guards() -> Permit {
        Permit { _private: () }
    }

    /// `--version`, `--help`, or an argv bash itself rejects: bash runs no script.
    pub(super) fn runs_nothing() -> Permit {
        Permit { _private: () }
    }

    /// An interactive shell at a terminal (a human, not an agent's command).
    pub(super) fn interactive() -> Permit {
        Permit { _private: () }
    }

    /// The manifest's operator chose allow as the fallback for an unavailable policy.
    pub(super) fn fallback_allow() -> Permit {
        Permit { _private: () }
    }

    /// The script is exactly this binary's own hook command, which only reads a hook
    /// call and prints a judgement (see [`super::own_hook_call`]).
    pub(super) fn own_hook() -> Permit {
        Permit { _private: () }
    }

    /// A script that only prints the environment, the way harnesses read it when a
    /// session starts (see [`crate::policy::engine::Analysed::only_prints_environment`]).
    pub(super) fn environment_probe() -> Permit {
        Permit { _private: () }
    }
}

/// Variables that make bash (or sh) run code before or around the script:
/// SECURITY: `BASH_ENV`/`ENV` name a file sourced at start-up, `BASH_FUNC_x%%` exports
/// function definitions that shadow programs, `SHELLOPTS`/`BASHOPTS` turn on options such
/// as `xtrace` whose `PS4` is expanded (and can run command substitutions).
pub fn is_injection_vector(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    matches!(
        name.as_ref(),
        "BASH_ENV" | "ENV" | "SHELLOPTS" | "BASHOPTS" | "PS4"
    ) || name.starts_with("BASH_FUNC_")
}

/// [`is_injection_vector`] for an environment entry's name as bytes (no UTF-8 needed:
/// every name it refuses is ASCII).
fn is_injection_vector_bytes(name: &[u8]) -> bool {
    matches!(
        name,
        b"BASH_ENV" | b"ENV" | b"SHELLOPTS" | b"BASHOPTS" | b"PS4"
    ) || name.starts_with(b"BASH_FUNC_")
}

/// `PID:N`, set just before `exec`: N counts how often this process became policy-exec.
pub const LOOP_MARK: &str = "POLICY_EXEC_SHELL_PID";

/// More re-executions of policy-exec in one process than this is a loop.
pub const MAX_GENERATIONS: u32 = 16;

/// How many times this process has already been policy-exec (0 the first time).
pub fn generation() -> u32 {
    generation_of(std::process::id())
}

/// [`generation`], for this process's id.
fn generation_of(pid: u32) -> u32 {
    let pid = pid.to_string();
    std::env::var(LOOP_MARK)
        .ok()
        .and_then(|mark| {
            let (p, n) = mark.split_once(':')?;
            (p == pid).then(|| n.parse::<u32>().ok().map(|n| n.saturating_add(1)))?
        })
        .unwrap_or(0)
}

/// What replacing the process with the real shell takes, built only by [`exec_guarded`]
/// from a [`Permit`]: the program, its argv, the environment entries to set, and which
/// of the process's own entries pass (not an injection vector, not one set here).
#[derive(Debug)]
pub struct Handoff {
    program: CString,
    argv: Vec<CString>,
    set: Vec<CString>,
}

impl Handoff {
    /// The real shell's path.
    pub fn program(&self) -> &CStr {
        &self.program
    }

    /// Its argv, `argv[0]` first.
    pub fn argv(&self) -> &[CString] {
        &self.argv
    }

    /// The entries (`NAME=value`) added to what passes of the process's environment.
    pub fn set(&self) -> &[CString] {
        &self.set
    }

    /// Whether the process's environment entry `entry` (`NAME=value`, as `environ`
    /// holds it) passes to the shell: not an injection vector, not a name [`Handoff::set`]
    /// replaces, and an entry at all (std's environment skips those without a `=`
    /// after their first byte, and so did the `Command` this replaces).
    pub fn keeps(&self, entry: &[u8]) -> bool {
        let Some(eq) = entry
            .get(1..)
            .and_then(|rest| rest.iter().position(|b| *b == b'='))
        else {
            return false;
        };
        let name = entry.get(..eq + 1).unwrap_or_default();
        !is_injection_vector_bytes(name)
            && !self.set.iter().any(|s| {
                let s = s.as_bytes();
                s.len() > name.len() && s.starts_with(name) && s.get(name.len()) == Some(&b'=')
            })
    }
}

/// How the binary replaces the process: `execve(2)` with the process's own environment
/// filtered through [`Handoff::keeps`], `SIGPIPE` back at its default first. Returns only
/// on failure. The library has no `unsafe` code, so the binary's start supplies it
/// ([`set_replace`]); without one, std's `Command` does the same (copying the whole
/// environment into a sorted map first, and each entry again: half of the hand-off's
/// instructions).
pub type Replace = fn(&Handoff) -> std::io::Error;

static REPLACE: std::sync::OnceLock<Replace> = std::sync::OnceLock::new();

/// Installs the binary's [`Replace`] (the first call wins).
pub fn set_replace(replace: Replace) {
    let _ = REPLACE.set(replace);
}

/// Directories searched for the real shell, in order (never `PATH`).
const SHELL_DIRS: [&str; 3] = ["/bin", "/usr/bin", "/usr/local/bin"];

/// Finds the real shell for `name`: the configured path, else the first of `/bin`,
/// `/usr/bin`, `/usr/local/bin` that is not this binary (compared by device and
/// inode, so links and shims to ourselves are skipped).
pub fn real_shell(name: &str, configured: Option<&Path>) -> Result<PathBuf, String> {
    // The same file by device and inode, through any links: `/proc/self/exe` names the
    // running binary, and `stat` follows every symlink to the file it reaches.
    let me_id = crate::files::self_exe().map(|m| (m.dev(), m.ino()));
    let is_me = |p: &Path| -> bool {
        let id = std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()));
        id.is_some() && id == me_id
    };
    if let Some(path) = configured {
        if is_me(path) {
            return Err(format!(
                "the configured real shell `{}` for `{name}` is policy-exec itself: point `enforcement.shells.{name}` at the real shell",
                path.display()
            ));
        }
        if !path.is_file() {
            return Err(format!(
                "the configured real shell `{}` for `{name}` does not exist: fix `enforcement.shells.{name}`",
                path.display()
            ));
        }
        return Ok(path.to_path_buf());
    }
    for dir in SHELL_DIRS {
        let candidate = Path::new(dir).join(name);
        // One `stat`: a regular file that is not this binary.
        let found = std::fs::metadata(&candidate)
            .is_ok_and(|m| m.is_file() && Some((m.dev(), m.ino())) != me_id);
        if found {
            return Ok(candidate);
        }
    }
    Err(format!(
        "no real `{name}` found in /bin, /usr/bin or /usr/local/bin (other than policy-exec itself): install it or set `enforcement.shells.{name}`"
    ))
}

/// Replaces this process with the real shell: the original arguments and `argv[0]`, the
/// environment minus injection vectors. Returns only if `exec` fails.
pub fn exec(permit: Permit, shell: &Path, argv0: &OsString, args: &[OsString]) -> u8 {
    exec_guarded(permit, shell, argv0, args, None)
}

/// [`exec`], with a guard directory put first on the child's `PATH`, so programs it
/// starts by name reach their guards.
pub fn exec_guarded(
    _permit: Permit,
    shell: &Path,
    argv0: &OsString,
    args: &[OsString],
    guards: Option<&Path>,
) -> u8 {
    let pid = std::process::id();
    let mut set: Vec<(OsString, OsString)> = Vec::with_capacity(2);
    if let Some(dir) = guards {
        let current = std::env::var_os("PATH").unwrap_or_default();
        let rest = std::env::split_paths(&current).filter(|p| p != dir);
        if let Ok(path) = std::env::join_paths(std::iter::once(dir.to_path_buf()).chain(rest)) {
            set.push(("PATH".into(), path));
        }
    }
    set.push((
        LOOP_MARK.into(),
        format!("{pid}:{}", generation_of(pid)).into(),
    ));
    let error = match REPLACE.get() {
        Some(replace) => match handoff(shell, argv0, args, &set) {
            Some(h) => replace(&h),
            None => std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "an argument holds a NUL byte",
            ),
        },
        None => {
            let mut cmd = std::process::Command::new(shell);
            cmd.arg0(argv0).args(args);
            for (name, value) in &set {
                cmd.env(name, value);
            }
            for (name, _) in std::env::vars_os() {
                if is_injection_vector(&name) {
                    cmd.env_remove(&name);
                }
            }
            cmd.exec()
        }
    };
    eprintln!(
        "policy-exec: cannot run `{}` ({error}): check that it exists and is executable",
        shell.display()
    );
    super::NO_SHELL
}

/// The [`Handoff`] for these; `None` when a text holds a NUL byte (`exec` cannot pass it).
fn handoff(
    shell: &Path,
    argv0: &OsString,
    args: &[OsString],
    set: &[(OsString, OsString)],
) -> Option<Handoff> {
    use std::os::unix::ffi::OsStrExt;
    let c = |bytes: &[u8]| CString::new(bytes).ok();
    let mut argv = Vec::with_capacity(args.len() + 1);
    argv.push(c(argv0.as_bytes())?);
    for a in args {
        argv.push(c(a.as_bytes())?);
    }
    let mut entries = Vec::with_capacity(set.len());
    for (name, value) in set {
        let mut entry = Vec::with_capacity(name.len() + value.len() + 2);
        entry.extend_from_slice(name.as_bytes());
        entry.push(b'=');
        entry.extend_from_slice(value.as_bytes());
        entries.push(CString::new(entry).ok()?);
    }
    Some(Handoff {
        program: c(shell.as_os_str().as_bytes())?,
        argv,
        set: entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handoff_keeps_entries_but_injection_vectors_and_those_it_sets() {
        let set = vec![
            ("PATH".into(), "/g:/bin".into()),
            (LOOP_MARK.into(), "1:0".into()),
        ];
        let h = handoff(Path::new("/bin/bash"), &"bash".into(), &["-c".into()], &set).unwrap();
        assert_eq!(h.program().to_bytes(), b"/bin/bash");
        assert_eq!(h.argv().len(), 2);
        for kept in [
            &b"HOME=/h"[..],
            b"PATHS=x",
            b"PAT=x",
            b"ENVX=1",
            b"=x=y",
            b"BASH_FUN=1",
        ] {
            assert!(h.keeps(kept), "{}", String::from_utf8_lossy(kept));
        }
        for dropped in [
            &b"PATH=/bin"[..],
            b"POLICY_EXEC_SHELL_PID=9:1",
            b"BASH_ENV=/x",
            b"ENV=/x",
            b"SHELLOPTS=xtrace",
            b"BASHOPTS=x",
            b"PS4=$(x)",
            b"BASH_FUNC_ls%%=() { :; }",
            b"NOEQUALS",
            b"=",
            b"",
        ] {
            assert!(!h.keeps(dropped), "{}", String::from_utf8_lossy(dropped));
        }
        assert!(handoff(Path::new("/bin/bash"), &"ab".into(), &[], &set).is_some());
        assert!(handoff(Path::new("/bin/bash"), &"a\0b".into(), &[], &set).is_none());
    }
}
