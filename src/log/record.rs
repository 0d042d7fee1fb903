//! The record format (`"v": 1`): one JSON object per line, built from a judgement, with
//! every text field redacted and then truncated, and the whole line capped at
//! [`MAX_LINE`] bytes so one `write(2)` carries it.

use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::clock::Instant;
use super::redact;
use crate::command::Word;
use crate::policy::Decision;
use crate::policy::engine::{CommandEvaluation, Evaluation};
use crate::policy::policy::Policy;
use crate::policy::rule::Match;

/// The record format's version.
pub const VERSION: u32 = 1;
/// The longest line, newline included.
pub const MAX_LINE: usize = 8192;

/// Which front end judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Shell mode (a link named `bash`).
    Shell,
    /// An exec guard (a link named after a program).
    Guard,
    /// `policy-exec hook <harness>`.
    Hook,
    /// `policy-exec check`.
    Check,
}

impl Mode {
    /// The word the record uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Shell => "shell",
            Mode::Guard => "guard",
            Mode::Hook => "hook",
            Mode::Check => "check",
        }
    }
}

/// What happened when a request was put to someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// A human said yes at the terminal prompt.
    Approved,
    /// A human said no.
    Declined,
    /// Nobody answered in time.
    TimedOut,
    /// There was no terminal to ask on (or the harness's hook cannot ask).
    NoTerminal,
    /// The harness asks its user (a hook answered `ask`).
    ByHarness,
    /// A grant a human made earlier let it through.
    Grant,
}

impl Asked {
    /// The word the record uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Asked::Approved => "approved",
            Asked::Declined => "declined",
            Asked::TimedOut => "timed_out",
            Asked::NoTerminal => "no_terminal",
            Asked::ByHarness => "by_harness",
            Asked::Grant => "grant",
        }
    }
}

/// A decision id, printed in refusals as `denial_id` and written in the record: the UTC
/// second it was made and 40 random bits (`20261204-201822-3fa91c0b2e`), so ids sort by
/// time and name their day file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionId(String);

impl DecisionId {
    /// A fresh id for a judgement made at `at`.
    pub fn new(at: Instant) -> DecisionId {
        let mut bytes = [0u8; 5];
        if rustix::rand::getrandom(&mut bytes, rustix::rand::GetRandomFlags::empty()).is_err() {
            // No entropy source: the pid and the clock still make it unique per process.
            let seed = (u64::from(std::process::id()) << 20) ^ at.millis;
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = (seed >> (i * 8)) as u8;
            }
        }
        DecisionId(format!("{}-{}", at.compact(), lower_hex(&bytes)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The UTC day an id names (`2026-12-04`), when it is one of ours.
    pub fn day_of(id: &str) -> Option<String> {
        let date = id.get(..8)?;
        if !date.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(format!(
            "{}-{}-{}",
            date.get(..4)?,
            date.get(4..6)?,
            date.get(6..8)?
        ))
    }
}

/// Everything a decision record says.
#[derive(Debug, Clone)]
pub struct Judgement<'a> {
    /// The decision id.
    pub id: &'a DecisionId,
    /// When it was made.
    pub at: Instant,
    /// Which front end judged.
    pub mode: Mode,
    /// The harness, when known.
    pub harness: Option<&'a str>,
    /// The script as received.
    pub script: &'a str,
    /// The directory it was judged in.
    pub cwd: &'a Path,
    /// The decision.
    pub decision: Decision,
    /// What happened when it was put to someone.
    pub asked: Option<Asked>,
    /// Why, in one line.
    pub reason: &'a str,
    /// The evaluation, when a policy could be loaded.
    pub eval: Option<&'a Evaluation>,
    /// The policy judged with, when it could be loaded.
    pub policy: Option<&'a Policy>,
    /// Shell mode left the question to the exec guards (which log their own answer).
    pub deferred_to_guards: bool,
}

/// How hard a record is squeezed to fit [`MAX_LINE`].
#[derive(Debug, Clone, Copy)]
struct Squeeze {
    field: usize,
    commands: usize,
}

const SQUEEZES: [Squeeze; 4] = [
    Squeeze {
        field: redact::MAX_FIELD,
        commands: 64,
    },
    Squeeze {
        field: 1024,
        commands: 8,
    },
    Squeeze {
        field: 256,
        commands: 2,
    },
    Squeeze {
        field: 128,
        commands: 0,
    },
];

impl Judgement<'_> {
    /// The record as one line, newline included, at most [`MAX_LINE`] bytes.
    pub fn line(&self) -> String {
        // Redact once, at full length; each squeeze only truncates further.
        let script = redact::redact_text(self.script);
        let reason = redact::redact_text(self.reason);
        let commands: Vec<CommandLine> = self
            .eval
            .map(|e| {
                e.commands
                    .iter()
                    .map(|c| command_line(c, self.policy))
                    .collect()
            })
            .unwrap_or_default();
        for (level, squeeze) in SQUEEZES.iter().enumerate() {
            let record = self.record(&script, &reason, &commands, *squeeze, level > 0);
            let Ok(mut line) = serde_json::to_string(&record) else {
                continue;
            };
            line.push('\n');
            if line.len() <= MAX_LINE {
                return line;
            }
        }
        // Unreachable in practice (every field is capped at 128 bytes above); keep a
        // minimal, valid line rather than none.
        let mut line = json!({
            "v": VERSION, "id": self.id.as_str(), "ts": self.at.rfc3339(),
            "mode": self.mode.as_str(), "decision": self.decision.as_str(), "truncated": true,
        })
        .to_string();
        line.push('\n');
        line
    }

    /// The top of the judged directory's repository: as the policy's lookup found it
    /// when it was for this directory, else looked up now.
    fn repo(&self) -> Option<&Path> {
        match self.policy.and_then(|p| p.looked_up_in.as_ref()) {
            Some((dir, top)) if dir == self.cwd => top.as_deref(),
            _ => repo_top(self.cwd),
        }
    }

    fn record<'r>(
        &'r self,
        script: &str,
        reason: &str,
        commands: &'r [CommandLine],
        squeeze: Squeeze,
        truncated: bool,
    ) -> Record<'r> {
        let cut = |s: &str| redact::truncate_to(s, squeeze.field);
        Record {
            v: VERSION,
            id: self.id.as_str(),
            ts: self.at.rfc3339(),
            mode: self.mode.as_str(),
            harness: self.harness,
            decision: self.decision.as_str(),
            asked: self.asked.map(Asked::as_str),
            script: cut(script),
            commands: commands
                .iter()
                .take(squeeze.commands)
                .map(|c| c.record(squeeze.field))
                .collect(),
            reason: cut(reason),
            cwd: cut(&self.cwd.display().to_string()),
            repo: self.repo().map(|r| cut(&r.display().to_string())),
            policy_hash: self.policy.and_then(|p| p.policy_hash.as_deref()),
            policy_source: self.policy.map(|p| cut(&p.source)),
            pid: std::process::id(),
            ppid: rustix::process::getppid().map(|p| p.as_raw_nonzero().get()),
            tty: tty(),
            deferred: self.deferred_to_guards.then_some("guard"),
            commands_omitted: commands
                .len()
                .checked_sub(squeeze.commands)
                .filter(|n| *n > 0),
            truncated: truncated.then_some(true),
        }
    }
}

/// A record as written, field by field in this order. Serialized straight to the line:
/// building a JSON object first (a map insert per field, then printing it) was a third
/// of the log's cost on every judgement.
#[derive(serde::Serialize)]
struct Record<'a> {
    v: u32,
    id: &'a str,
    ts: String,
    mode: &'a str,
    harness: Option<&'a str>,
    decision: &'a str,
    asked: Option<&'a str>,
    script: String,
    commands: Vec<CommandRecord<'a>>,
    reason: String,
    cwd: String,
    repo: Option<String>,
    policy_hash: Option<&'a str>,
    policy_source: Option<String>,
    pid: u32,
    ppid: Option<i32>,
    tty: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deferred: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commands_omitted: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    truncated: Option<bool>,
}

/// One command of a [`Record`].
#[derive(serde::Serialize)]
struct CommandRecord<'a> {
    text: String,
    argv_sha256: &'a str,
    decision: &'a str,
    rule: &'a Option<Value>,
    predicates: &'a [Value],
    grant: &'a Option<String>,
}

/// One judged simple command, redacted once.
struct CommandLine {
    text: String,
    argv_sha256: String,
    decision: Decision,
    rule: Option<Value>,
    predicates: Vec<Value>,
    grant: Option<String>,
}

impl CommandLine {
    fn record(&self, field: usize) -> CommandRecord<'_> {
        CommandRecord {
            text: redact::truncate_to(&self.text, field),
            argv_sha256: &self.argv_sha256,
            decision: self.decision.as_str(),
            rule: &self.rule,
            predicates: &self.predicates,
            grant: &self.grant,
        }
    }
}

/// The `argv_sha256` of literal words: SHA-256 of the words joined by NUL bytes (what the
/// record holds for each command, so a proposal or a replay can find it again).
pub fn argv_sha256<S: AsRef<str>>(words: &[S]) -> String {
    let mut hash = Sha256::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            hash.update([0u8]);
        }
        hash.update(w.as_ref().as_bytes());
    }
    lower_hex(&hash.finalize())
}

/// Bytes as lowercase hex, two digits each. Every judgement writes a few hashes into
/// its log line: a `format!` per byte was a fifth of building the line.
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    out
}

fn command_line(c: &CommandEvaluation, policy: Option<&Policy>) -> CommandLine {
    let words: Vec<String> = c
        .command
        .words
        .iter()
        .map(|w| w.display().to_string())
        .collect();
    // Unknown words hash as their source text: the record says what was judged.
    let texts: Vec<&str> = c
        .command
        .words
        .iter()
        .map(|w| match w {
            Word::Lit(s) | Word::Glob(s) => s.as_str(),
            Word::Unknown { text, .. } => text.as_str(),
        })
        .collect();
    let argv_sha256 = argv_sha256(&texts);
    let deciding = c
        .matches
        .iter()
        .filter(|m| m.outcome == Some(c.decision))
        .min_by_key(|m| m.certainty != Match::Yes);
    let rule = deciding
        .and_then(|m| policy.and_then(|p| p.rules.get(m.rule)))
        .map(|r| json!({"id": r.id, "scope": r.origin.scope, "path": r.origin.path}))
        .or_else(|| {
            // A path rule decided: it is named like a command rule.
            let m = c.paths.iter().find(|m| m.outcome == c.decision)?;
            let r = policy?.path_rules.get(m.rule)?;
            Some(json!({"id": r.id, "scope": r.origin.scope, "path": r.origin.path}))
        });
    let mut predicates: Vec<Value> = Vec::new();
    for m in &c.matches {
        for p in &m.predicates {
            let name = p.predicate.name();
            if predicates.iter().any(|v| v["name"] == name) {
                continue;
            }
            predicates.push(json!({
                "name": name,
                "value": p.value.value.as_ref().ok(),
                "error": p.value.value.as_ref().err(),
            }));
        }
    }
    CommandLine {
        text: redact::redact_argv(&words).join(" "),
        argv_sha256,
        decision: c.decision,
        rule,
        predicates,
        grant: c.grant.clone(),
    }
}

/// The top of the repository containing `dir`: the nearest ancestor with a `.git` entry
/// (a few `stat`s; no repository is opened).
pub fn repo_top(dir: &Path) -> Option<&Path> {
    dir.ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
}

/// The terminal this process talks to, when one of its standard streams is a terminal
/// (an `isatty` first: agents' commands usually have none, and then nothing is read).
fn tty() -> Option<String> {
    use rustix::{stdio, termios::isatty};
    // On the descriptors themselves: std's `stdin()` and `stdout()` would first set up
    // their buffered handles (an allocation and a page of statics written, for a line
    // that reads nothing from them).
    let terminals = [
        isatty(stdio::stdin()),
        isatty(stdio::stdout()),
        isatty(stdio::stderr()),
    ];
    (0..=2).find_map(|fd: usize| {
        if !terminals.get(fd).copied().unwrap_or(false) {
            return None;
        }
        let link = std::fs::read_link(format!("/proc/self/fd/{fd}")).ok()?;
        let text = link.to_string_lossy().into_owned();
        (text.starts_with("/dev/pts/") || text.starts_with("/dev/tty")).then_some(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line is printed from a struct: byte for byte the JSON object it replaced.
    #[test]
    fn a_record_prints_as_the_json_object_it_stands_for() {
        let rule = Some(json!({"id": "r", "scope": "system", "path": "/p"}));
        let predicates = vec![json!({"name": "git_clean", "value": true, "error": null})];
        let grant = Some("g1".to_string());
        let command = CommandRecord {
            text: "git push -f".into(),
            argv_sha256: "ab",
            decision: "deny",
            rule: &rule,
            predicates: &predicates,
            grant: &grant,
        };
        let mut record = Record {
            v: VERSION,
            id: "20261205-000000-0011223344",
            ts: "2026-12-05T00:00:00Z".into(),
            mode: "shell",
            harness: Some("claude"),
            decision: "deny",
            asked: Some("terminal"),
            script: "git push -f \"é\\n\"\t".into(),
            commands: vec![command],
            reason: "a \"reason\"".into(),
            cwd: "/w".into(),
            repo: Some("/w".into()),
            policy_hash: Some("h"),
            policy_source: Some("s".into()),
            pid: 7,
            ppid: Some(6),
            tty: Some("/dev/pts/1".into()),
            deferred: Some("guard"),
            commands_omitted: Some(3),
            truncated: Some(true),
        };
        let want = json!({
            "v": 1, "id": "20261205-000000-0011223344", "ts": "2026-12-05T00:00:00Z",
            "mode": "shell", "harness": "claude", "decision": "deny", "asked": "terminal",
            "script": "git push -f \"é\\n\"\t",
            "commands": [{"text": "git push -f", "argv_sha256": "ab", "decision": "deny",
                "rule": rule, "predicates": predicates, "grant": grant}],
            "reason": "a \"reason\"", "cwd": "/w", "repo": "/w", "policy_hash": "h",
            "policy_source": "s", "pid": 7, "ppid": 6, "tty": "/dev/pts/1",
            "deferred": "guard", "commands_omitted": 3, "truncated": true,
        });
        assert_eq!(serde_json::to_string(&record).unwrap(), want.to_string());
        // Absent values are nulls, and the three optional keys are left out.
        (record.harness, record.asked, record.repo, record.tty) = (None, None, None, None);
        (record.deferred, record.commands_omitted, record.truncated) = (None, None, None);
        (record.policy_hash, record.policy_source, record.ppid) = (None, None, None);
        record.commands.clear();
        let want = json!({
            "v": 1, "id": "20261205-000000-0011223344", "ts": "2026-12-05T00:00:00Z",
            "mode": "shell", "harness": null, "decision": "deny", "asked": null,
            "script": "git push -f \"é\\n\"\t", "commands": [], "reason": "a \"reason\"",
            "cwd": "/w", "repo": null, "policy_hash": null, "policy_source": null,
            "pid": 7, "ppid": null, "tty": null,
        });
        assert_eq!(serde_json::to_string(&record).unwrap(), want.to_string());
    }

    #[test]
    fn hashes_are_lowercase_hex_like_format_gives_them() {
        let bytes: Vec<u8> = (0..=255).collect();
        let want: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(lower_hex(&bytes), want);
        // `printf 'git\0status' | sha256sum`
        assert_eq!(
            argv_sha256(&["git", "status"]),
            "681a8f3ba01ca51a34f842d90904de6a88231b8db1349b4af1450748192ecb06"
        );
    }

    #[test]
    fn ids_name_their_day() {
        let at = Instant::parse("2026-12-04T20:18:22Z").unwrap();
        let id = DecisionId::new(at);
        assert!(
            id.as_str().starts_with("20261204-201822-"),
            "{}",
            id.as_str()
        );
        assert_eq!(id.as_str().len(), "20261204-201822-".len() + 10);
        assert_eq!(DecisionId::day_of(id.as_str()).unwrap(), "2026-12-04");
        assert_ne!(DecisionId::new(at), DecisionId::new(at));
    }

    #[test]
    fn a_huge_script_still_fits_one_line() {
        let id = DecisionId::new(Instant::now());
        let script = "echo 🦀 ".repeat(5000);
        let j = Judgement {
            id: &id,
            at: Instant::now(),
            mode: Mode::Check,
            harness: None,
            script: &script,
            cwd: Path::new("/tmp"),
            decision: Decision::Allow,
            asked: None,
            reason: &script,
            eval: None,
            policy: None,
            deferred_to_guards: false,
        };
        let line = j.line();
        assert!(line.len() <= MAX_LINE);
        assert!(line.ends_with('\n'));
        assert_eq!(line.matches('\n').count(), 1);
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["truncated"], true);
        assert!(v["script"].as_str().unwrap().ends_with(redact::TRUNCATED));
    }
}
