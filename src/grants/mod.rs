//! Exceptions a human grants (SPEC §11): grants, the proposals agents submit to ask for
//! them, and where both are kept.
//!
//! A grant is consulted after the normal decision, per simple command, and only for a
//! command that was refused: it turns a `request` into an allow, and a `deny` only when
//! the deny rule's author wrote `exceptions: allowed`. It never covers a command the
//! engine could not read exactly (a dynamic word, a "could match", an interpreter
//! string): it matches the literal argv the engine judged, in its scope, unexpired, with
//! uses left, for the rules it was granted against. An allow never reaches this module,
//! so the hot path never reads the grant store.
//!
//! What it owns: the grant and proposal records ([`Grant`], [`proposal::Proposal`]),
//! matching ([`apply`]), and the files ([`store::Store`]). The human verbs that create
//! grants live in [`crate::approve`]; the agent verbs in [`proposal`].

pub mod proposal;
pub mod store;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::command::{Via, Word};
use crate::policy::Decision;
use crate::policy::engine::{CommandEvaluation, Evaluation};
use crate::policy::policy::Policy;
use crate::policy::rule::Match;
pub use store::Store;

/// The agents' guide to refusals and proposals: printed by `policy-exec skill` and
/// installed by `sync --apply` when proposals are enabled.
pub const SKILL: &str = include_str!("SKILL.md");

/// The pseudo rule id a grant overrides when no rule refused the command (it was
/// refused because no rule matched and `enforcement.unmatched` is `request`).
pub const UNMATCHED: &str = "(unmatched)";

/// Parses `90s`, `30m`, `24h`, `7d`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let unit = t.chars().last()?;
    let n: u64 = t.get(..t.len().checked_sub(1)?)?.parse().ok()?;
    let secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    (n > 0).then(|| Duration::from_secs(n.saturating_mul(secs)))
}

/// Seconds since the epoch, now.
pub fn now_secs() -> u64 {
    crate::log::Instant::now().millis / 1000
}

/// What a grant's argv must look like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Matcher {
    /// Exactly these words.
    Exact {
        /// The argv, program first.
        argv: Vec<String>,
    },
    /// These first words, then any literal words.
    Prefix {
        /// The first words, program first (at least two).
        tokens: Vec<String>,
    },
    /// A learned pattern (SPEC §14): the same program, subcommand and set of options,
    /// any operands.
    Pattern {
        /// The command's shape.
        shape: Shape,
    },
}

/// The shape of a command: its program (basename), its subcommand for programs that
/// have them, and the set of its options (names only, values dropped). Commands of one
/// shape differ only in their operands.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shape {
    /// `git`.
    pub program: String,
    /// `push`.
    pub subcommand: Option<String>,
    /// `["--force-with-lease"]`, sorted.
    pub flags: Vec<String>,
}

/// Programs whose first operand is a subcommand.
const WITH_SUBCOMMANDS: &[&str] = &[
    "git",
    "npm",
    "pnpm",
    "yarn",
    "bun",
    "cargo",
    "go",
    "docker",
    "podman",
    "kubectl",
    "helm",
    "gh",
    "glab",
    "pip",
    "pip3",
    "uv",
    "poetry",
    "apt",
    "apt-get",
    "brew",
    "dnf",
    "yum",
    "systemctl",
    "terraform",
    "make",
    "dotnet",
    "mvn",
    "gradle",
    "rustup",
    "conda",
];

impl Shape {
    /// The shape of an argv (program first).
    pub fn of<S: AsRef<str>>(argv: &[S]) -> Option<Shape> {
        let first = argv.first()?.as_ref();
        let program = first.rsplit('/').next().unwrap_or(first).to_string();
        if program.is_empty() {
            return None;
        }
        let rest = argv.get(1..).unwrap_or(&[]);
        let subcommand = WITH_SUBCOMMANDS
            .contains(&program.as_str())
            .then(|| {
                rest.iter()
                    .map(AsRef::as_ref)
                    .find(|w| !w.starts_with('-'))
                    .map(str::to_string)
            })
            .flatten();
        let mut flags: Vec<String> = rest
            .iter()
            .map(AsRef::as_ref)
            .filter(|w| w.starts_with('-') && *w != "-" && *w != "--")
            .map(|w| w.split('=').next().unwrap_or(w).to_string())
            .collect();
        flags.sort();
        flags.dedup();
        Some(Shape {
            program,
            subcommand,
            flags,
        })
    }

    /// `c-` and ten hex digits of the shape's hash: a stable id.
    pub fn id(&self) -> String {
        use sha2::{Digest, Sha256};
        let text = format!(
            "{}\0{}\0{}",
            self.program,
            self.subcommand.as_deref().unwrap_or(""),
            self.flags.join("\0")
        );
        let hash = Sha256::digest(text.as_bytes());
        let hex: String = hash.iter().take(5).map(|b| format!("{b:02x}")).collect();
        format!("c-{hex}")
    }

    /// `git push --force-with-lease …`.
    pub fn describe(&self) -> String {
        let mut words = vec![self.program.clone()];
        words.extend(self.subcommand.clone());
        words.extend(self.flags.iter().cloned());
        format!("{} …", words.join(" "))
    }
}

impl Matcher {
    /// Whether a literal argv matches.
    pub fn matches(&self, argv: &[String]) -> bool {
        match self {
            Matcher::Exact { argv: want } => want.as_slice() == argv,
            Matcher::Prefix { tokens } => argv.len() >= tokens.len() && argv.starts_with(tokens),
            Matcher::Pattern { shape } => Shape::of(argv).as_ref() == Some(shape),
        }
    }

    /// The matcher as a person reads it: `exactly: git push origin x` or
    /// `prefix: git push …`.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Exact { argv } => format!("exactly `{}`", shell_words(argv)),
            Matcher::Prefix { tokens } => {
                format!("`{} …` (any arguments after)", shell_words(tokens))
            }
            Matcher::Pattern { shape } => format!(
                "`{}` (this program, subcommand and options; any operands)",
                shape.describe()
            ),
        }
    }

    /// The program the matcher names.
    pub fn program(&self) -> &str {
        match self {
            Matcher::Exact { argv } => argv.first().map_or("", String::as_str),
            Matcher::Prefix { tokens } => tokens.first().map_or("", String::as_str),
            Matcher::Pattern { shape } => &shape.program,
        }
    }
}

/// Where a grant applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Commands that run in this directory or below it.
    Cwd {
        /// The directory.
        dir: PathBuf,
    },
    /// Commands that run inside this repository.
    Repo {
        /// The repository's top directory.
        top: PathBuf,
    },
}

impl Scope {
    /// Whether a command running in `dir` is inside the scope.
    pub fn contains(&self, dir: &Path) -> bool {
        match self {
            Scope::Cwd { dir: d } | Scope::Repo { top: d } => dir.starts_with(d),
        }
    }

    /// `repository /x` or `directory /x`.
    pub fn describe(&self) -> String {
        match self {
            Scope::Cwd { dir } => format!("directory {} and below", dir.display()),
            Scope::Repo { top } => format!("repository {}", top.display()),
        }
    }
}

/// What a grant may override: the strictest decision and the rules that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides {
    /// `request` or `deny`.
    pub decision: Decision,
    /// The ids of the rules that refused ([`UNMATCHED`] when none did).
    pub rules: Vec<String>,
}

/// How a human approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovedBy {
    /// The approving process's real uid.
    pub uid: u32,
    /// Its terminal.
    pub tty: Option<String>,
    /// `approve`, `sudo approve`, or `prompt`.
    pub method: String,
}

/// A grant's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantState {
    /// In force.
    Active,
    /// Paused by a human; `grants resume` puts it back.
    Suspended,
    /// Taken back for good.
    Revoked,
}

/// A human-approved exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Format version (1).
    pub v: u32,
    /// `g-20261204-201822-3fa91c0b2e`.
    pub id: String,
    /// The argv it lets through.
    pub matcher: Matcher,
    /// Where.
    pub scope: Scope,
    /// What it overrides.
    pub overrides: Overrides,
    /// One use only.
    pub once: bool,
    /// Seconds since the epoch after which it no longer applies (`None`: durable).
    pub expires: Option<u64>,
    /// When it was made (RFC 3339).
    pub created: String,
    /// Who approved, and how.
    pub approved_by: ApprovedBy,
    /// The proposal it answers, when one.
    pub proposal: Option<String>,
    /// The agent's stated reason (its claim, not verified), redacted.
    pub reason: Option<String>,
    /// Active, suspended or revoked.
    pub state: GrantState,
    /// When it was suspended (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended_at: Option<u64>,
    /// Why it was suspended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended_reason: Option<String>,
}

impl ApprovedBy {
    /// This process, approving by `method`: its real uid and its terminal (standard
    /// input's, when that is a device).
    pub fn here(method: &str) -> ApprovedBy {
        ApprovedBy {
            uid: rustix::process::getuid().as_raw(),
            tty: std::fs::read_link("/proc/self/fd/0")
                .ok()
                .map(|p| p.display().to_string())
                .filter(|p| p.starts_with("/dev/")),
            method: method.to_string(),
        }
    }
}

impl Grant {
    /// A fresh, active grant made now (`g-` and a new decision id): durable and
    /// unlimited until the caller says otherwise (`once`, `expires`, …).
    pub fn new(
        matcher: Matcher,
        scope: Scope,
        overrides: Overrides,
        approved_by: ApprovedBy,
    ) -> Grant {
        let at = crate::log::Instant::now();
        Grant {
            v: 1,
            id: format!("g-{}", crate::log::DecisionId::new(at).as_str()),
            matcher,
            scope,
            overrides,
            once: false,
            expires: None,
            created: at.rfc3339(),
            approved_by,
            proposal: None,
            reason: None,
            state: GrantState::Active,
            suspended_at: None,
            suspended_reason: None,
        }
    }

    /// Whether it may be used now (active, unexpired; a once grant's use is checked
    /// against the store separately).
    pub fn in_force(&self, now: u64) -> bool {
        self.state == GrantState::Active && self.expires.is_none_or(|e| now < e)
    }

    /// `once`, `until 2026-12-05T10:00:00Z` or `durable`.
    pub fn durability(&self) -> String {
        match (self.once, self.expires) {
            (true, Some(e)) => format!("one use, until {}", rfc3339(e)),
            (true, None) => "one use".into(),
            (false, Some(e)) => format!("any number of uses until {}", rfc3339(e)),
            (false, None) => "durable (no expiry)".into(),
        }
    }
}

/// A time in seconds since the epoch as RFC 3339.
pub fn rfc3339(secs: u64) -> String {
    crate::log::Instant {
        millis: secs.saturating_mul(1000),
    }
    .rfc3339()
}

/// Words joined for display, each quoted when the shell would need it.
pub fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| quote_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One word as bash reads it back: bare when only safe characters, else single-quoted.
pub fn quote_word(w: &str) -> String {
    let safe = !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%^".contains(&b));
    if safe {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// The literal argv of a command the engine read exactly: no unknown or glob word, not
/// dynamic, run directly (not a string in interpreter code or words a program could run),
/// no nested parse error. `None` otherwise: no grant can cover it.
pub fn literal_argv(c: &CommandEvaluation) -> Option<Vec<String>> {
    let cmd = &c.command;
    if cmd.dynamic.is_some() || cmd.parse_error.is_some() || cmd.via != Via::Direct {
        return None;
    }
    cmd.words
        .iter()
        .map(|w| match w {
            Word::Lit(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// What a grant would have to override for this refused command, or why none can.
pub fn overrides_for(c: &CommandEvaluation, policy: &Policy) -> Result<Overrides, String> {
    if c.decision == Decision::Allow {
        return Err("it is already allowed".into());
    }
    if literal_argv(c).is_none() {
        return Err(
            "it is not exact: a word, the program or the directory is only known at run time (or it is a string inside interpreter code); write it out literally".into(),
        );
    }
    if c.dir.is_none() {
        return Err("the directory it runs in is only known at run time".into());
    }
    let refusing: Vec<_> = c
        .matches
        .iter()
        .filter(|m| m.outcome.is_some_and(|d| d > Decision::Allow))
        .collect();
    if refusing.iter().any(|m| m.certainty != Match::Yes) {
        return Err("a rule only could match it".into());
    }
    if refusing.is_empty() {
        // Refused without a rule: the unmatched setting (a request can be excepted), or
        // a built-in refusal (a human verb, a nested parse error: never).
        let unmatched = c.why.starts_with("no rule matched");
        return if unmatched && c.decision == Decision::Request {
            Ok(Overrides {
                decision: Decision::Request,
                rules: vec![UNMATCHED.into()],
            })
        } else {
            Err(format!(
                "it is refused by a built-in check, not a rule ({})",
                c.why
            ))
        };
    }
    let mut rules = Vec::new();
    for m in refusing {
        let Some(rule) = policy.rules.get(m.rule) else {
            return Err("a refusing rule is missing from the policy".into());
        };
        if m.outcome == Some(Decision::Deny) && !rule.exceptions_allowed {
            return Err(format!(
                "rule `{}` denies it and does not allow exceptions (a deny means never through the agent; its author may add `exceptions: allowed`)",
                rule.id
            ));
        }
        if !rules.contains(&rule.id) {
            rules.push(rule.id.clone());
        }
    }
    Ok(Overrides {
        decision: c.decision,
        rules,
    })
}

/// Whether a grant covers one refused command now.
fn covers(g: &Grant, c: &CommandEvaluation, policy: &Policy, now: u64) -> bool {
    if !g.in_force(now) {
        return false;
    }
    let (Some(argv), Some(dir)) = (literal_argv(c), c.dir.as_deref()) else {
        return false;
    };
    if !g.matcher.matches(&argv) || !g.scope.contains(dir) {
        return false;
    }
    match overrides_for(c, policy) {
        Ok(needed) => {
            needed.decision <= g.overrides.decision
                && needed.rules.iter().all(|r| g.overrides.rules.contains(r))
        }
        Err(_) => false,
    }
}

/// Whether this judgement is a preview (`check`, `explain`: a once grant is not used up)
/// or the command is about to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Show what a grant would do.
    Preview,
    /// The command runs now (shell mode, a guard): one-use grants are consumed.
    Run,
    /// A harness hook allows it, and the harness runs it: one-use grants are consumed.
    Hook,
}

/// How long after a hook used a one-use grant the harness's own run of the command
/// (through shell mode, when both are wired) still counts as that use.
const HOOK_RUN_SECS: u64 = 10;

/// Whether a one-use grant already used was used by this same run: by this process or
/// one above it (shell mode, then the exec guards below it judging the same command), or
/// — for shell mode and guards only — by a hook moments ago (the harness then runs the
/// command through shell mode). A hook never counts another hook's use as its own.
fn same_use(store: &Store, g: &Grant, use_: Use) -> bool {
    store.used_by(&g.id).is_some_and(|(pid, hook, age)| {
        crate::approve::gate::is_self_or_ancestor(pid)
            || (use_ == Use::Run && hook && age <= HOOK_RUN_SECS)
    })
}

/// Applies the store's grants to a refused evaluation: when every refused command is
/// covered, each becomes an allow "by grant" and the script is allowed; otherwise the
/// evaluation is left as it is (a grant never half-opens a script). With [`Use::Run`],
/// one-use grants are consumed atomically first; a grant another process used first
/// leaves its command refused. Returns the ids of the grants used.
pub fn apply(eval: &mut Evaluation, policy: &Policy, store: &Store, use_: Use) -> Vec<String> {
    if eval.decision == Decision::Allow || eval.parse_error.is_some() {
        return Vec::new();
    }
    let grants = store.grants();
    if grants.is_empty() {
        return Vec::new();
    }
    let now = now_secs();
    let mut chosen: Vec<(usize, &Grant)> = Vec::new();
    for (i, c) in eval.commands.iter().enumerate() {
        if c.decision == Decision::Allow {
            continue;
        }
        let usable = |g: &&Grant| {
            !(g.once && store.is_used(&g.id)) || (use_ != Use::Preview && same_use(store, g, use_))
        };
        let Some(g) = grants
            .iter()
            .filter(usable)
            .find(|g| covers(g, c, policy, now))
        else {
            return Vec::new();
        };
        chosen.push((i, g));
    }
    if use_ != Use::Preview {
        for (_, g) in &chosen {
            if !g.once {
                continue;
            }
            if same_use(store, g, use_) {
                if use_ == Use::Run && store.used_by(&g.id).is_some_and(|(_, hook, _)| hook) {
                    store.take_over(&g.id);
                }
            } else if !store.consume(&g.id, use_ == Use::Hook) {
                // Another process used it first.
                return Vec::new();
            }
        }
    }
    let mut used = Vec::new();
    for (i, g) in chosen {
        if let Some(c) = eval.commands.get_mut(i) {
            c.decision = Decision::Allow;
            c.why = format!(
                "allowed by grant {} ({}, approved by uid {} via {})",
                g.id,
                g.matcher.describe(),
                g.approved_by.uid,
                g.approved_by.method
            );
            c.grant = Some(g.id.clone());
        }
        if !used.contains(&g.id) {
            used.push(g.id.clone());
        }
    }
    eval.decision = Decision::Allow;
    used
}

/// Whether a refusal could be lifted at all: the policy's store holds a grant file.
pub fn may_apply(eval: &Evaluation, policy: &Policy) -> bool {
    eval.decision != Decision::Allow
        && eval.parse_error.is_none()
        && Store::for_policy(policy).has_grants()
}

/// [`apply`] for a front end that runs the command: uses the store the policy names and
/// logs a `grant_used` event per grant.
pub fn apply_for_run(eval: &mut Evaluation, policy: &Policy, use_: Use) -> Vec<String> {
    if eval.decision == Decision::Allow {
        return Vec::new();
    }
    let store = Store::for_policy(policy);
    if !store.has_grants() {
        return Vec::new();
    }
    let used = apply(eval, policy, &store, use_);
    for id in &used {
        let _ = crate::log::event(
            &policy.log,
            "grant_used",
            serde_json::json!({"grant_id": id, "tier": store.tier().as_str()}),
        );
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("90s", Some(90))]
    #[case("30m", Some(1800))]
    #[case("24h", Some(86_400))]
    #[case("7d", Some(604_800))]
    #[case("0h", None)]
    #[case("h", None)]
    #[case("12", None)]
    #[case("3w", None)]
    fn durations(#[case] text: &str, #[case] secs: Option<u64>) {
        assert_eq!(parse_duration(text).map(|d| d.as_secs()), secs);
    }

    #[test]
    fn matchers() {
        let w = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let exact = Matcher::Exact {
            argv: w("git push origin x"),
        };
        assert!(exact.matches(&w("git push origin x")));
        assert!(!exact.matches(&w("git push origin x --force")));
        assert!(!exact.matches(&w("git push origin")));
        let prefix = Matcher::Prefix {
            tokens: w("git push"),
        };
        assert!(prefix.matches(&w("git push origin y")));
        assert!(!prefix.matches(&w("git pull")));
    }

    #[test]
    fn scopes() {
        let s = Scope::Repo {
            top: PathBuf::from("/r"),
        };
        assert!(s.contains(Path::new("/r/sub")));
        assert!(!s.contains(Path::new("/rr")));
    }
}
