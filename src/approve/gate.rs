//! Tier A (SPEC §11): the human verbs and the terminal prompt refuse to be driven by the
//! agent in the known ways. The agent runs as the same user, so this is a rail, not a
//! wall; the README's threat model says what it stops and what it does not.
//!
//! What is checked, all from `/proc`:
//! - shell mode's marker ([`crate::shell::exec::LOOP_MARK`]) in this process's
//!   environment, or in the start-up environment of any ancestor (a policy-exec shell
//!   above us: the agent's own shell);
//! - a terminal on standard input, standard output and `/dev/tty`;
//! - who holds the master side of our pseudo-terminal: a process that is, or descends
//!   from, a policy-exec shell is the agent's own code (Python's `pty.fork`, `script`,
//!   `expect`, a `tmux` started from the agent's shell that kept the marker);
//! - for the prompt: that the terminal is the harness's own (the terminal of the process
//!   that started the outermost policy-exec shell, or a pseudo-terminal that process
//!   holds the master of).

use std::io::IsTerminal;
use std::path::Path;

use crate::shell::exec::LOOP_MARK;

/// One process, as `/proc/<pid>/stat` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Proc {
    pid: u32,
    ppid: u32,
    /// The controlling terminal's device number (0: none).
    tty: u64,
    /// When it started, in clock ticks (USER_HZ, 100) since boot.
    start_ticks: u64,
}

fn stat(pid: u32) -> Option<Proc> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid pgrp session tty_nr …`: comm may hold spaces and parens.
    let rest = text.get(text.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(Proc {
        pid,
        ppid: fields.get(1)?.parse().ok()?,
        tty: fields.get(4)?.parse::<i64>().ok()?.try_into().ok()?,
        start_ticks: fields.get(19)?.parse().ok()?,
    })
}

/// This process's ancestors, parent first (stops at pid 1 or an unreadable entry).
fn ancestors_of(pid: u32) -> Vec<Proc> {
    let mut out = Vec::new();
    let mut next = stat(pid).map(|p| p.ppid);
    while let Some(pid) = next {
        if pid <= 1 || out.len() > 256 {
            break;
        }
        let Some(p) = stat(pid) else { break };
        next = Some(p.ppid);
        out.push(p);
    }
    out
}

/// The processes known to be policy-exec shells: those with shell mode's marker in
/// their start-up environment, and those the decision log names as the pid of a
/// shell-mode judgement made since the process started (a shell that `exec`ed another
/// program with the marker removed — `exec env -u … python3 …` — keeps its pid, and
/// the log remembers it).
struct Shells {
    logged: Vec<(u32, u64)>,
    boot: Option<u64>,
}

impl Shells {
    fn load(log: &crate::policy::policy::LogSettings) -> Shells {
        let mut logged = Vec::new();
        if let Ok(store) = crate::log::Store::locate(log) {
            let now = crate::log::Instant::now();
            let days = [
                now.minus(std::time::Duration::from_secs(86_400)).day(),
                now.day(),
            ];
            for day in days {
                let text = std::fs::read_to_string(store.day_file(&day)).unwrap_or_default();
                for line in text.lines().filter(|l| l.contains("\"mode\":\"shell\"")) {
                    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                        continue;
                    };
                    let pid = v.get("pid").and_then(serde_json::Value::as_u64);
                    let ts = v
                        .get("ts")
                        .and_then(serde_json::Value::as_str)
                        .and_then(crate::log::Instant::parse);
                    if let (Some(pid), Some(ts)) = (pid.and_then(|p| u32::try_from(p).ok()), ts) {
                        logged.push((pid, ts.millis / 1000));
                    }
                }
            }
        }
        let boot = std::fs::read_to_string("/proc/stat").ok().and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("btime "))
                .and_then(|v| v.trim().parse().ok())
        });
        Shells { logged, boot }
    }

    /// When a process started (seconds since the epoch; /proc counts in USER_HZ, 100).
    fn started(&self, pid: u32) -> Option<u64> {
        Some(self.boot? + stat(pid)?.start_ticks / 100)
    }

    fn is_shell(&self, pid: u32) -> bool {
        if marked(pid) {
            return true;
        }
        let Some(start) = self.started(pid) else {
            return false;
        };
        self.logged.iter().any(|(p, ts)| *p == pid && *ts >= start)
    }
}

/// Whether `pid` is this process or one of its ancestors.
pub(crate) fn is_self_or_ancestor(pid: u32) -> bool {
    pid == my_pid() || ancestors_of(my_pid()).iter().any(|p| p.pid == pid)
}

/// Whether a process started with shell mode's marker in its environment.
fn marked(pid: u32) -> bool {
    let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let key = format!("{LOOP_MARK}=");
    env.split(|b| *b == 0)
        .any(|v| v.starts_with(key.as_bytes()))
}

/// The pts number of a terminal device number, when it is a Unix 98 pseudo-terminal
/// (majors 136–143).
fn pts_index(dev: u64) -> Option<u64> {
    let major = (dev >> 8) & 0xfff;
    let minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    (136..=143)
        .contains(&major)
        .then(|| (major - 136) * 256 + minor)
}

/// The processes (that we can see) holding the master side of `/dev/pts/<index>`.
fn master_holders(index: u64) -> Vec<u32> {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in procs.filter_map(Result::ok) {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.filter_map(Result::ok) {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            if target != Path::new("/dev/ptmx") && target != Path::new("/dev/pts/ptmx") {
                continue;
            }
            let info = std::fs::read_to_string(format!(
                "/proc/{pid}/fdinfo/{}",
                fd.file_name().to_string_lossy()
            ))
            .unwrap_or_default();
            let held = info
                .lines()
                .find_map(|l| l.strip_prefix("tty-index:"))
                .and_then(|v| v.trim().parse::<u64>().ok());
            if held == Some(index) && !out.contains(&pid) {
                out.push(pid);
            }
        }
    }
    out
}

/// Whether a process is, or descends from, a policy-exec shell.
fn under_agent_shell(shells: &Shells, pid: u32) -> bool {
    shells.is_shell(pid) || ancestors_of(pid).iter().any(|p| shells.is_shell(p.pid))
}

fn my_pid() -> u32 {
    std::process::id()
}

/// Why a human verb must not run here, or `None` when nothing says the agent drives it.
/// `needs_terminal`: the verb widens (approve, resume), so a person must be at a
/// terminal the agent did not make.
pub fn human_verb_refusal(
    needs_terminal: bool,
    log: &crate::policy::policy::LogSettings,
) -> Option<String> {
    if std::env::var_os(LOOP_MARK).is_some() {
        return Some(format!(
            "this runs inside a policy-exec shell (`{LOOP_MARK}` is set): human verbs are for a person in their own terminal, not for an agent's commands"
        ));
    }
    let shells = Shells::load(log);
    if shells.is_shell(my_pid()) {
        return Some(format!(
            "this process ({}) started as a policy-exec shell and then became this command: human verbs are for a person in their own terminal, not for an agent's commands",
            my_pid()
        ));
    }
    if let Some(p) = ancestors_of(my_pid())
        .iter()
        .find(|p| shells.is_shell(p.pid))
    {
        return Some(format!(
            "process {} above this one is a policy-exec shell: human verbs are for a person in their own terminal, not for an agent's commands",
            p.pid
        ));
    }
    if !needs_terminal {
        return None;
    }
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Some(
            "standard input and output must be a terminal: run this yourself, in your own terminal"
                .into(),
        );
    }
    if std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_err()
    {
        return Some("there is no controlling terminal (`/dev/tty`): run this yourself, in your own terminal".into());
    }
    let me = stat(my_pid())?;
    if let Some(index) = pts_index(me.tty)
        && let Some(holder) = master_holders(index)
            .into_iter()
            .find(|h| under_agent_shell(&shells, *h))
    {
        return Some(format!(
            "this terminal (/dev/pts/{index}) was created by process {holder}, which runs under an agent's policy-exec shell: approve from a terminal you opened yourself"
        ));
    }
    None
}

/// Why the shell-mode prompt must not be shown on our controlling terminal, or `None`
/// when it is the harness's own terminal (or one the harness made for the command).
pub fn prompt_refusal(log: &crate::policy::policy::LogSettings) -> Option<String> {
    let me = stat(my_pid())?;
    if me.tty == 0 {
        // No controlling terminal: nobody can be asked anyway.
        return None;
    }
    let chain = ancestors_of(my_pid());
    let shells = Shells::load(log);
    // The harness: the parent of the outermost policy-exec shell above us (when there is
    // none, our own parent: we are the shell the harness started).
    let outermost = chain.iter().rposition(|p| shells.is_shell(p.pid));
    let harness = match outermost {
        Some(i) => chain.get(i + 1).copied(),
        None => chain.first().copied(),
    };
    let index = pts_index(me.tty);
    let holders = index.map(master_holders).unwrap_or_default();
    if let Some(h) = harness {
        if h.tty == me.tty && h.tty != 0 {
            return None;
        }
        if holders.contains(&h.pid) {
            return None;
        }
    }
    let made_by = holders
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "the terminal this command runs on is not the harness's own{}: an agent's code can answer a prompt there, so nobody is asked",
        if made_by.is_empty() {
            String::new()
        } else {
            format!(" (its pseudo-terminal is held by process {made_by})")
        }
    ))
}

/// Whether the kernel lets a process push keystrokes into a terminal's input
/// (`TIOCSTI`): `dev.tty.legacy_tiocsti` is 1, or absent (kernels before 6.2 always
/// allow it to the terminal's own session).
pub fn keystroke_injection_allowed() -> bool {
    match std::fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti") {
        Ok(v) => v.trim() != "0",
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pts_numbers() {
        // major 136 minor 5 → /dev/pts/5; major 4 (a virtual console) → none.
        assert_eq!(pts_index((136 << 8) | 5), Some(5));
        assert_eq!(pts_index((137 << 8) | 2), Some(258));
        assert_eq!(pts_index(4 << 8), None);
    }

    #[test]
    fn this_process_is_readable() {
        let me = stat(std::process::id()).unwrap();
        assert_eq!(me.pid, std::process::id());
        assert!(me.ppid > 0);
    }
}
