//! Asking a human on the controlling terminal (never stdin, which belongs to the script).

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::sync::mpsc;
use std::time::Duration;

use super::exec::Permit;
use crate::report::one_line;

/// What to show the human.
#[derive(Debug, Clone)]
pub struct Question {
    /// The simple command that needs approval.
    pub command: String,
    /// The rule that asked, if a rule did.
    pub rule: Option<String>,
    /// Why, in one line.
    pub reason: String,
    /// The whole script.
    pub script: String,
}

/// The human's answer.
#[derive(Debug)]
pub enum Answer {
    /// Approved: carries the permit to exec.
    Yes(Permit),
    /// Approved, and remember it (`a`): an exact grant for this repository.
    Always(Permit),
    /// Approved, and promote the command's learned pattern (`p`) when it is a candidate.
    Promote(Permit),
    /// Refused (anything but y/yes).
    No,
    /// No answer within the timeout.
    TimedOut,
    /// No controlling terminal to ask on.
    NoTerminal,
}

/// Whether standard input is a terminal (an interactive shell).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks on `/dev/tty`, defaulting to no. SECURITY: everything shown is escaped with
/// [`one_line`], so a command cannot print fake prompt lines or terminal escapes.
pub fn ask(q: &Question, timeout: Duration) -> Answer {
    let Ok(mut tty_out) = std::fs::OpenOptions::new().write(true).open("/dev/tty") else {
        return Answer::NoTerminal;
    };
    let Ok(tty_in) = std::fs::File::open("/dev/tty") else {
        return Answer::NoTerminal;
    };
    let rule = q
        .rule
        .as_deref()
        .map(|r| format!(" (rule {})", one_line(r)))
        .unwrap_or_default();
    let text = format!(
        "\npolicy-exec: approval needed{rule}\n  command: {}\n  script:  {}\n  reason:  {}\nrun it? [y/N/a/p] (a: always here, p: promote its pattern) ({}s) ",
        one_line(&q.command),
        one_line(&q.script),
        one_line(&q.reason),
        timeout.as_secs()
    );
    if tty_out
        .write_all(text.as_bytes())
        .and_then(|()| tty_out.flush())
        .is_err()
    {
        return Answer::NoTerminal;
    }
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(tty_in).read_line(&mut line);
        let _ = send.send(read.map(|_| line));
    });
    let answer = match receive.recv_timeout(timeout) {
        Ok(Ok(line)) if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") => {
            Answer::Yes(Permit::approved())
        }
        Ok(Ok(line)) if matches!(line.trim().to_ascii_lowercase().as_str(), "a" | "always") => {
            Answer::Always(Permit::approved())
        }
        Ok(Ok(line)) if matches!(line.trim().to_ascii_lowercase().as_str(), "p" | "promote") => {
            Answer::Promote(Permit::approved())
        }
        Ok(_) => Answer::No,
        Err(_) => Answer::TimedOut,
    };
    let note = match answer {
        Answer::Yes(_) | Answer::Always(_) | Answer::Promote(_) => "policy-exec: approved\n",
        Answer::TimedOut => "\npolicy-exec: no answer: not run\n",
        _ => "policy-exec: not run\n",
    };
    let _ = tty_out.write_all(note.as_bytes());
    answer
}
