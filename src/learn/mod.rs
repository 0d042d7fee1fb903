//! Learning from what humans approve (SPEC §14), and the policy written where agents
//! read it ([`export`]).
//!
//! Evidence comes only from human acts in the decision log: a `y`/`a` at the prompt
//! (`asked: approved`), a `n` (`asked: declined`), a grant a human approved
//! (`grant_created` by `approve`), a rejected proposal (`proposal_rejected`). Commands
//! that ran without asking, and anything an agent says about itself, are never evidence.
//! Commands are grouped by [`Shape`] (program, subcommand, options). A shape is:
//!
//! - **hint**: at least one human approval;
//! - **candidate**: at least 3 approvals on at least 2 different days, no decline, no deny
//!   rule matching its examples, not a program that runs others;
//! - **confirmed**: a human promoted it (`policy-exec rules promote ID` or `p` at the
//!   prompt) into a pattern grant;
//! - **suspended**: its grant was suspended — by hand, after two human declines of
//!   commands under it, or because a deny rule now matches its examples (`conflict`); two
//!   new approvals make it a candidate again, and a human confirms it again;
//! - **archived**: its grant expired, was revoked, or stayed suspended 30 days.
//!
//! Nothing here ever allows a command by itself: a promotion is a human verb, and the
//! durable path is `rules suggest --format yaml`, a snippet for a human to commit.

pub mod export;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::grants::{
    ApprovedBy, Grant, GrantState, Matcher, Scope, Shape, Store, now_secs, overrides_for,
};
use crate::policy::Decision;
use crate::policy::load::{Loaded, Locator};
use crate::policy::policy::Policy;

/// Approvals a candidate needs.
pub const CANDIDATE_APPROVALS: usize = 3;
/// Different UTC days those approvals must span.
pub const CANDIDATE_DAYS: usize = 2;
/// Human declines under a confirmed pattern that suspend it.
pub const SUSPEND_DECLINES: usize = 2;
/// New approvals after a suspension that make it a candidate again.
pub const RECANDIDATE_APPROVALS: usize = 2;
/// Days a suspended pattern is kept before it is archived.
pub const ARCHIVE_SUSPENDED_DAYS: u64 = 30;

/// Programs that run other programs: never a candidate, whatever the evidence.
const RUNNERS: &[&str] = &[
    "sudo",
    "doas",
    "su",
    "env",
    "bash",
    "sh",
    "zsh",
    "dash",
    "fish",
    "ksh",
    "xargs",
    "parallel",
    "find",
    "eval",
    "exec",
    "nohup",
    "timeout",
    "nice",
    "setsid",
    "time",
    "watch",
    "ssh",
    "python",
    "python3",
    "node",
    "perl",
    "ruby",
    "php",
    "deno",
    "bun",
    "npx",
    "bunx",
    "uvx",
    "pipx",
    "script",
    "expect",
    "tmux",
    "screen",
    "docker",
    "podman",
    "kubectl",
    "chroot",
    "unshare",
    "nsenter",
    "strace",
    "busybox",
    "policy-exec",
];

/// One human act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Act {
    /// Approved (true) or declined.
    pub approved: bool,
    /// Seconds since the epoch.
    pub at: u64,
    /// The UTC day.
    pub day: String,
    /// The command, as the log holds it (redacted).
    pub text: String,
    /// Where it ran.
    pub cwd: Option<String>,
}

/// A shape and what is known of it.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The shape.
    pub shape: Shape,
    /// Human acts on commands of this shape, oldest first.
    pub acts: Vec<Act>,
    /// Its state.
    pub state: State,
    /// Why it is in that state (or why it is not a candidate).
    pub why: String,
    /// The pattern grant a human promoted it into, when one.
    pub grant: Option<Grant>,
}

/// The lifecycle states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Seen in a human approval.
    Hint,
    /// Enough evidence for a human to promote it.
    Candidate,
    /// A pattern grant in force.
    Confirmed,
    /// Its grant is suspended.
    Suspended,
    /// Its grant expired, was revoked, or stayed suspended too long.
    Archived,
}

impl State {
    /// The word the views use.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Hint => "hint",
            State::Candidate => "candidate",
            State::Confirmed => "confirmed",
            State::Suspended => "suspended",
            State::Archived => "archived",
        }
    }
}

/// The human acts in log records (any order), oldest first.
pub fn acts(records: &[Value]) -> Vec<Act> {
    let mut out = Vec::new();
    for r in records {
        let ts = r
            .get("ts")
            .and_then(Value::as_str)
            .and_then(crate::log::Instant::parse);
        let Some(ts) = ts else { continue };
        let cwd = r.get("cwd").and_then(Value::as_str).map(str::to_string);
        let mut push = |approved: bool, text: &str| {
            out.push(Act {
                approved,
                at: ts.millis / 1000,
                day: ts.day(),
                text: text.to_string(),
                cwd: cwd.clone(),
            });
        };
        match r.get("event").and_then(Value::as_str) {
            None => {
                let approved = match r.get("asked").and_then(Value::as_str) {
                    Some("approved") => true,
                    Some("declined") => false,
                    _ => continue,
                };
                for c in crate::log::view::refused_commands(r) {
                    if let Some(text) = c.get("text").and_then(Value::as_str) {
                        push(approved, text);
                    }
                }
            }
            // `approve` (the prompt's `a` is already counted by its decision record).
            Some("grant_created") => {
                let method = r.pointer("/approved_by/method").and_then(Value::as_str);
                if method == Some("prompt") {
                    continue;
                }
                if let Some(argv) = r.pointer("/matcher/argv").and_then(Value::as_array) {
                    let words: Vec<&str> = argv.iter().filter_map(Value::as_str).collect();
                    push(true, &words.join(" "));
                }
            }
            Some("proposal_rejected") => {
                for c in r
                    .get("commands")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(text) = c.as_str() {
                        push(false, text);
                    }
                }
            }
            Some(_) => {}
        }
    }
    out.sort_by_key(|a| a.at);
    out
}

/// The shape of a logged command's text (its words as the log shows them).
fn shape_of(text: &str) -> Option<Shape> {
    let words: Vec<&str> = text.split_whitespace().collect();
    Shape::of(&words)
}

/// Whether a deny rule of the policy matches any of these commands now.
fn conflict(policy: &Policy, examples: &[&str]) -> Option<String> {
    let repo = crate::git::Git2RepoState::with_home(None);
    for e in examples {
        let eval = crate::policy::engine::judge(e, policy, Path::new("/"), &repo);
        if eval.decision == Decision::Deny
            && let Some(rule) = eval.deciding_rule(policy)
        {
            return Some(format!("deny rule `{}` matches `{e}`", rule.id));
        }
    }
    None
}

/// Harness-native "don't ask again" entries, as (shape, file): Claude Code's
/// `permissions.allow` `Bash(…)` entries in `.claude/settings.local.json` (the project's
/// and the home's) and Codex's `prefix_rule(pattern=[…], decision="allow")` lines in
/// `~/.codex/rules/default.rules`. SECURITY: those files are agent-writable, so these are
/// hints only — never evidence for a candidate.
pub fn imported(home: Option<&Path>, cwd: &Path) -> Vec<(Shape, String)> {
    let mut out = Vec::new();
    let top = crate::log::record::repo_top(cwd).unwrap_or(cwd);
    let mut claude = vec![top.join(".claude/settings.local.json")];
    if let Some(h) = home {
        claude.push(h.join(".claude/settings.local.json"));
    }
    for path in claude {
        let Ok(text) = crate::files::read_regular_text(&path, 1024 * 1024) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for entry in v
            .pointer("/permissions/allow")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let Some(inner) = entry
                .strip_prefix("Bash(")
                .and_then(|e| e.strip_suffix(')'))
            else {
                continue;
            };
            let inner = inner.trim_end_matches(":*").trim_end_matches(" *");
            if let Some(shape) = shape_of(inner) {
                out.push((shape, path.display().to_string()));
            }
        }
    }
    if let Some(h) = home {
        let path = h.join(".codex/rules/default.rules");
        if let Ok(text) = crate::files::read_regular_text(&path, 1024 * 1024) {
            for line in text
                .lines()
                .filter(|l| l.contains("prefix_rule(") && l.contains("\"allow\""))
            {
                let Some(list) = line
                    .split_once("pattern=[")
                    .and_then(|(_, rest)| rest.split_once(']'))
                    .map(|(list, _)| list)
                else {
                    continue;
                };
                let words: Vec<String> = list
                    .split(',')
                    .map(|w| w.trim().trim_matches('"').to_string())
                    .filter(|w| !w.is_empty())
                    .collect();
                if let Some(shape) = Shape::of(&words) {
                    out.push((shape, path.display().to_string()));
                }
            }
        }
    }
    out
}

/// Every shape seen in a human act, with its state; `imported` shapes (harness files)
/// that no human act names are listed as hints.
pub fn patterns(
    acts: &[Act],
    imported: &[(Shape, String)],
    policy: &Policy,
    store: &Store,
    now: u64,
) -> Vec<Pattern> {
    let mut by: BTreeMap<Shape, Vec<Act>> = BTreeMap::new();
    for a in acts {
        if let Some(shape) = shape_of(&a.text) {
            by.entry(shape).or_default().push(a.clone());
        }
    }
    let grants = store.grants();
    let mut out = Vec::new();
    for (shape, acts) in by {
        if !acts.iter().any(|a| a.approved) {
            continue;
        }
        let grant = grants
            .iter()
            .filter(|g| matches!(&g.matcher, Matcher::Pattern { shape: s } if *s == shape))
            .max_by_key(|g| g.created.clone())
            .cloned();
        let examples: Vec<&str> = acts.iter().map(|a| a.text.as_str()).collect();
        let (state, why) = state_of(&shape, &acts, grant.as_ref(), policy, &examples, now);
        out.push(Pattern {
            shape,
            acts,
            state,
            why,
            grant,
        });
    }
    for (shape, file) in imported {
        if out.iter().any(|p| p.shape == *shape) {
            continue;
        }
        out.push(Pattern {
            shape: shape.clone(),
            acts: Vec::new(),
            state: State::Hint,
            why: format!("imported from {file}: a hint only (the agent can write that file)"),
            grant: None,
        });
    }
    out
}

fn state_of(
    shape: &Shape,
    acts: &[Act],
    grant: Option<&Grant>,
    policy: &Policy,
    examples: &[&str],
    now: u64,
) -> (State, String) {
    let since = |t: u64| acts.iter().filter(move |a| a.at >= t);
    if let Some(g) = grant {
        let created = crate::log::Instant::parse(&g.created).map_or(0, |i| i.millis / 1000);
        match g.state {
            GrantState::Revoked => return (State::Archived, "its grant was revoked".into()),
            GrantState::Active if !g.in_force(now) => {
                return (State::Archived, "its grant expired".into());
            }
            GrantState::Active => {
                if let Some(c) = conflict(policy, examples) {
                    return (State::Suspended, format!("conflict: {c}"));
                }
                let declines = since(created).filter(|a| !a.approved).count();
                if declines >= SUSPEND_DECLINES {
                    return (
                        State::Suspended,
                        format!("{declines} human declines since it was confirmed"),
                    );
                }
                return (State::Confirmed, format!("grant {}", g.id));
            }
            GrantState::Suspended => {
                let suspended_at = g.suspended_at.unwrap_or(created);
                let fresh = since(suspended_at).filter(|a| a.approved).count();
                if fresh >= RECANDIDATE_APPROVALS && conflict(policy, examples).is_none() {
                    return (
                        State::Candidate,
                        format!(
                            "{fresh} new approvals since it was suspended: promote it again to confirm"
                        ),
                    );
                }
                if now.saturating_sub(suspended_at) > ARCHIVE_SUSPENDED_DAYS * 86_400 {
                    return (State::Archived, "suspended for more than 30 days".into());
                }
                return (
                    State::Suspended,
                    g.suspended_reason
                        .clone()
                        .unwrap_or_else(|| "suspended by hand".into()),
                );
            }
        }
    }
    let approvals: Vec<&Act> = acts.iter().filter(|a| a.approved).collect();
    let declines = acts.iter().filter(|a| !a.approved).count();
    let mut days: Vec<&str> = approvals.iter().map(|a| a.day.as_str()).collect();
    days.sort_unstable();
    days.dedup();
    let why = if RUNNERS.contains(&shape.program.as_str())
        || crate::command::shells::grammar(&shape.program).is_some()
    {
        format!("`{}` runs other programs: never a candidate", shape.program)
    } else if declines > 0 {
        format!("{declines} human decline(s)")
    } else if approvals.len() < CANDIDATE_APPROVALS {
        format!(
            "{} approval(s); a candidate needs {CANDIDATE_APPROVALS}",
            approvals.len()
        )
    } else if days.len() < CANDIDATE_DAYS {
        format!(
            "approvals on {} day(s); a candidate needs {CANDIDATE_DAYS}",
            days.len()
        )
    } else if let Some(c) = conflict(policy, examples) {
        format!("conflict: {c}")
    } else {
        return (
            State::Candidate,
            format!(
                "{} approvals on {} days, no decline",
                approvals.len(),
                days.len()
            ),
        );
    };
    (State::Hint, why)
}

// ---------------------------------------------------------------------------------------
// The views and promote
// ---------------------------------------------------------------------------------------

/// `policy-exec rules …`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    verb: RulesVerb,
}

#[derive(Debug, Subcommand)]
enum RulesVerb {
    /// Counts per state, recent promotions and suspensions, pending proposals, the tier.
    Status(ViewArgs),
    /// Recent lifecycle events.
    Recent(ViewArgs),
    /// Grants worth a second look, with why.
    Risky(ViewArgs),
    /// Suspended patterns and why.
    Suspended(ViewArgs),
    /// Candidates with their evidence and the command to promote each.
    Suggest(SuggestArgs),
    /// Human: turn a candidate into a pattern grant.
    Promote(PromoteArgs),
}

#[derive(Debug, Args)]
struct ViewArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct SuggestArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// `yaml`: a `command_rules` snippet for a human to review and commit.
    #[arg(long)]
    format: Option<String>,
}

#[derive(Debug, Args)]
struct PromoteArgs {
    /// The candidate's id (`c-…`, from `rules suggest`).
    id: String,
    /// How long the pattern grant lasts (default 30d).
    #[arg(long, default_value = "30d", conflicts_with = "durable")]
    ttl: String,
    /// No expiry.
    #[arg(long)]
    durable: bool,
}

/// What the views read: the policy, the grant store and the log's human acts.
struct Ctx {
    policy: Policy,
    store: Store,
    patterns: Vec<Pattern>,
    now: u64,
}

fn ctx(locator: &Locator) -> Result<Ctx, String> {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let policy = match crate::lookup::policy_for(
        locator,
        &here,
        None,
        &crate::lookup::Env::from_process(),
    ) {
        Loaded::Ready(p) => *p,
        Loaded::Failed { message, .. } => return Err(message),
    };
    let log = crate::log::Store::locate(&policy.log).map_err(|e| e.to_string())?;
    let records: Vec<Value> = crate::log::view::newest_first(&log).collect();
    let store = Store::for_policy(&policy);
    let now = now_secs();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let imported = imported(home.as_deref(), &here);
    let patterns = patterns(&acts(&records), &imported, &policy, &store, now);
    let c = Ctx {
        policy,
        store,
        patterns,
        now,
    };
    c.apply_transitions();
    Ok(c)
}

/// `$XDG_STATE_HOME/policy-exec/events.jsonl`.
fn events_file() -> Option<PathBuf> {
    crate::grants::store::state_dir().map(|s| s.join("events.jsonl"))
}

fn record_event(policy: &Policy, name: &str, fields: Value) {
    let _ = crate::log::event(&policy.log, name, fields.clone());
    if let Some(path) = events_file() {
        let mut line = json!({"ts": crate::log::Instant::now().rfc3339(), "event": name});
        if let (Some(o), Value::Object(extra)) = (line.as_object_mut(), fields) {
            o.extend(extra);
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| writeln!(f, "{line}"));
    }
}

impl Ctx {
    /// Writes the automatic suspensions (two declines, a conflict) into their grants,
    /// once, with an event each.
    fn apply_transitions(&self) {
        for p in &self.patterns {
            let Some(g) = &p.grant else { continue };
            if p.state == State::Suspended && g.state == GrantState::Active {
                let mut g = g.clone();
                g.state = GrantState::Suspended;
                g.suspended_at = Some(self.now);
                g.suspended_reason = Some(p.why.clone());
                if self.store.write_grant(&g).is_ok() {
                    record_event(
                        &self.policy,
                        "grant_suspended",
                        json!({"grant_id": g.id, "pattern": p.shape.id(), "reason": p.why}),
                    );
                }
            }
        }
    }

    fn count(&self, s: State) -> usize {
        self.patterns.iter().filter(|p| p.state == s).count()
    }
}

fn pattern_json(p: &Pattern) -> Value {
    let approvals = p.acts.iter().filter(|a| a.approved).count();
    let mut days: Vec<&str> = p
        .acts
        .iter()
        .filter(|a| a.approved)
        .map(|a| a.day.as_str())
        .collect();
    days.sort_unstable();
    days.dedup();
    json!({
        "id": p.shape.id(),
        "pattern": p.shape.describe(),
        "program": p.shape.program,
        "subcommand": p.shape.subcommand,
        "flags": p.shape.flags,
        "state": p.state.as_str(),
        "why": p.why,
        "approvals": approvals,
        "declines": p.acts.len() - approvals,
        "days": days,
        "examples": p.acts.iter().rev().take(3).map(|a| a.text.clone()).collect::<Vec<_>>(),
        "grant": p.grant.as_ref().map(|g| g.id.clone()),
        "promote": (p.state == State::Candidate).then(|| format!("policy-exec rules promote {}", p.shape.id())),
    })
}

/// Runs `rules …`.
pub fn run_rules(a: &RulesArgs, locator: &Locator, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if let RulesVerb::Promote(p) = &a.verb {
        return promote(p, locator, out, err);
    }
    let c = match ctx(locator) {
        Ok(c) => c,
        Err(m) => {
            let _ = writeln!(err, "policy-exec: {m}");
            return 2;
        }
    };
    match &a.verb {
        RulesVerb::Status(v) => status(&c, v.json, out),
        RulesVerb::Recent(v) => recent(v.json, out),
        RulesVerb::Risky(v) => risky(&c, v.json, out),
        RulesVerb::Suspended(v) => {
            let list: Vec<Value> = c
                .patterns
                .iter()
                .filter(|p| p.state == State::Suspended)
                .map(pattern_json)
                .collect();
            print_list(out, v.json, "suspended", &list)
        }
        RulesVerb::Suggest(s) => suggest(&c, s, out),
        RulesVerb::Promote(_) => 2,
    }
}

fn print_list(out: &mut dyn Write, json_out: bool, key: &str, list: &[Value]) -> u8 {
    if json_out {
        let _ = writeln!(out, "{}", json!({ key: list }));
        return 0;
    }
    if list.is_empty() {
        let _ = writeln!(out, "no {key} patterns");
    }
    for v in list {
        let _ = writeln!(
            out,
            "{}  {}  — {}",
            v["id"].as_str().unwrap_or(""),
            v["pattern"].as_str().unwrap_or(""),
            v["why"].as_str().unwrap_or("")
        );
    }
    0
}

fn status(c: &Ctx, json_out: bool, out: &mut dyn Write) -> u8 {
    let pending = crate::grants::proposal::all(&c.store)
        .iter()
        .filter(|p| {
            crate::grants::proposal::status(&c.store, &p.id, c.now)
                == crate::grants::proposal::Status::Pending
        })
        .count();
    let counts = json!({
        "hint": c.count(State::Hint),
        "candidate": c.count(State::Candidate),
        "confirmed": c.count(State::Confirmed),
        "suspended": c.count(State::Suspended),
        "archived": c.count(State::Archived),
    });
    let recent = recent_events(5);
    if json_out {
        let v = json!({
            "counts": counts,
            "pending_proposals": pending,
            "tier": c.store.tier().as_str(),
            "recent": recent,
        });
        let _ = writeln!(out, "{v}");
        return 0;
    }
    let n = |s: State| c.count(s);
    let _ = writeln!(
        out,
        "patterns: {} hint, {} candidate, {} confirmed, {} suspended, {} archived\npending proposals: {pending}\napproval tier: {}",
        n(State::Hint),
        n(State::Candidate),
        n(State::Confirmed),
        n(State::Suspended),
        n(State::Archived),
        c.store.tier().as_str()
    );
    let field = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    for e in recent {
        let what = match field(&e, "pattern") {
            p if p.is_empty() => field(&e, "grant_id"),
            p => p,
        };
        let _ = writeln!(out, "  {}  {}  {what}", field(&e, "ts"), field(&e, "event"));
    }
    0
}

fn recent_events(n: usize) -> Vec<Value> {
    let text = events_file()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let mut v: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let skip = v.len().saturating_sub(n);
    v.drain(..skip);
    v.reverse();
    v
}

fn recent(json_out: bool, out: &mut dyn Write) -> u8 {
    let events = recent_events(50);
    if json_out {
        let _ = writeln!(out, "{}", json!({ "events": events }));
    } else if events.is_empty() {
        let _ = writeln!(out, "no lifecycle events yet");
    } else {
        for e in events {
            let _ = writeln!(out, "{e}");
        }
    }
    0
}

fn risky(c: &Ctx, json_out: bool, out: &mut dyn Write) -> u8 {
    let named: Vec<String> = c
        .policy
        .rules
        .iter()
        .filter(|r| {
            r.action > Decision::Allow || r.on_mismatch.is_some_and(|d| d > Decision::Allow)
        })
        .flat_map(|r| r.programs())
        .collect();
    let mut list = Vec::new();
    for g in c.store.grants() {
        if g.state == GrantState::Revoked || !g.in_force(c.now) {
            continue;
        }
        let mut why = Vec::new();
        if matches!(g.matcher, Matcher::Pattern { .. } | Matcher::Prefix { .. }) {
            why.push("a pattern, not one exact command".to_string());
        }
        if g.expires.is_none() {
            why.push("no expiry".into());
        }
        let program = g
            .matcher
            .program()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        if named.contains(&program) {
            why.push(format!("`{program}` is named by a deny or request rule"));
        }
        if RUNNERS.contains(&program.as_str()) {
            why.push(format!("`{program}` runs other programs"));
        }
        if g.overrides.decision == Decision::Deny {
            why.push("it overrides a deny".into());
        }
        if !why.is_empty() {
            list.push(json!({"grant": g.id, "matcher": g.matcher.describe(), "scope": g.scope.describe(), "why": why}));
        }
    }
    if json_out {
        let _ = writeln!(out, "{}", json!({ "risky": list }));
        return 0;
    }
    if list.is_empty() {
        let _ = writeln!(out, "no risky grants");
    }
    for v in &list {
        let why: Vec<&str> = v["why"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let _ = writeln!(
            out,
            "{}  {}  — {}",
            v["grant"].as_str().unwrap_or(""),
            v["matcher"].as_str().unwrap_or(""),
            why.join("; ")
        );
    }
    0
}

fn suggest(c: &Ctx, a: &SuggestArgs, out: &mut dyn Write) -> u8 {
    let candidates: Vec<&Pattern> = c
        .patterns
        .iter()
        .filter(|p| p.state == State::Candidate)
        .collect();
    if a.format.as_deref() == Some("yaml") {
        let _ = writeln!(
            out,
            "# Candidates learned from human approvals: review, then commit to a scope file.\ncommand_rules:"
        );
        for p in &candidates {
            let mut prefix = vec![p.shape.program.clone()];
            prefix.extend(p.shape.subcommand.clone());
            let _ = writeln!(
                out,
                "  - id: learned-{}\n    action: allow\n    reason: approved by a human {} times on {} days\n    match: {{prefix: {}}}{}\n    examples:\n      match: [{}]",
                p.shape.id().trim_start_matches("c-"),
                p.acts.iter().filter(|a| a.approved).count(),
                {
                    let mut d: Vec<&str> = p.acts.iter().map(|a| a.day.as_str()).collect();
                    d.sort_unstable();
                    d.dedup();
                    d.len()
                },
                serde_json::to_string(&prefix.join(" ")).unwrap_or_default(),
                if p.shape.flags.is_empty() {
                    String::new()
                } else {
                    format!("\n    # seen with options: {}", p.shape.flags.join(" "))
                },
                p.acts
                    .iter()
                    .rev()
                    .take(2)
                    .map(|a| serde_json::to_string(&a.text).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        return 0;
    }
    let list: Vec<Value> = candidates.iter().map(|p| pattern_json(p)).collect();
    if a.json {
        let _ = writeln!(out, "{}", json!({ "candidates": list }));
        return 0;
    }
    if list.is_empty() {
        let _ = writeln!(
            out,
            "no candidates yet (a candidate needs {CANDIDATE_APPROVALS} human approvals on {CANDIDATE_DAYS} days and no decline)"
        );
    }
    for v in &list {
        let _ = writeln!(
            out,
            "{}  {}  — {}\n    promote: {}",
            v["id"].as_str().unwrap_or(""),
            v["pattern"].as_str().unwrap_or(""),
            v["why"].as_str().unwrap_or(""),
            v["promote"].as_str().unwrap_or("")
        );
    }
    0
}

/// `rules promote ID`: a human verb that turns a candidate into a pattern grant.
fn promote(a: &PromoteArgs, locator: &Locator, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let log = match crate::lookup::policy_for(
        locator,
        &std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
        None,
        &crate::lookup::Env::from_process(),
    ) {
        Loaded::Ready(p) => p.log.clone(),
        Loaded::Failed { .. } => crate::policy::policy::LogSettings::default(),
    };
    if let Some(why) = crate::approve::gate::human_verb_refusal(true, &log) {
        let _ = crate::log::event(
            &log,
            "human_verb_refused",
            json!({"verb": "rules promote", "reason": why}),
        );
        let _ = writeln!(err, "policy-exec: rules promote refused: {why}");
        return 4;
    }
    let c = match ctx(locator) {
        Ok(c) => c,
        Err(m) => {
            let _ = writeln!(err, "policy-exec: {m}");
            return 2;
        }
    };
    match promote_pattern(
        &c.policy,
        &c.store,
        &c.patterns,
        &a.id,
        a.durable,
        &a.ttl,
        "rules promote",
    ) {
        Ok(g) => {
            let _ = writeln!(
                out,
                "confirmed: {} is now grant {} ({}; {})",
                a.id,
                g.id,
                g.scope.describe(),
                g.durability()
            );
            0
        }
        Err(m) => {
            let _ = writeln!(err, "policy-exec: cannot promote `{}`: {m}", a.id);
            2
        }
    }
}

/// Makes the pattern grant for a candidate.
pub fn promote_pattern(
    policy: &Policy,
    store: &Store,
    patterns: &[Pattern],
    id: &str,
    durable: bool,
    ttl: &str,
    method: &str,
) -> Result<Grant, String> {
    let p = patterns
        .iter()
        .find(|p| p.shape.id() == id)
        .ok_or("no such pattern (see `policy-exec rules suggest`)")?;
    if p.state != State::Candidate {
        return Err(format!(
            "it is a {}, not a candidate ({})",
            p.state.as_str(),
            p.why
        ));
    }
    // What the grant overrides: the rules that refused its examples today.
    let repo = crate::git::Git2RepoState::with_home(None);
    let mut rules: Vec<String> = Vec::new();
    let mut decision = Decision::Request;
    for act in p.acts.iter().filter(|a| a.approved) {
        let cwd = act
            .cwd
            .as_deref()
            .map_or_else(|| PathBuf::from("/"), PathBuf::from);
        let eval = crate::policy::engine::judge(&act.text, policy, &cwd, &repo);
        for c in eval
            .commands
            .iter()
            .filter(|c| c.decision != Decision::Allow)
        {
            let o = overrides_for(c, policy).map_err(|why| format!("`{}`: {why}", act.text))?;
            decision = decision.max(o.decision);
            for r in o.rules {
                if !rules.contains(&r) {
                    rules.push(r);
                }
            }
        }
    }
    if rules.is_empty() {
        return Err("its commands are allowed now: nothing to confirm".into());
    }
    // One repository when all the evidence is from one; else everywhere.
    let tops: Vec<Option<PathBuf>> = p
        .acts
        .iter()
        .map(|a| {
            a.cwd
                .as_deref()
                .and_then(|c| crate::log::record::repo_top(Path::new(c)).map(Path::to_path_buf))
        })
        .collect();
    let scope = match tops.first() {
        Some(Some(top)) if tops.iter().all(|t| t.as_ref() == Some(top)) => {
            Scope::Repo { top: top.clone() }
        }
        _ => Scope::Cwd {
            dir: PathBuf::from("/"),
        },
    };
    let now = now_secs();
    let expires = if durable {
        None
    } else {
        Some(
            now + crate::grants::parse_duration(ttl)
                .ok_or_else(|| format!("--ttl `{ttl}`: use e.g. 7d"))?
                .as_secs(),
        )
    };
    let g = Grant {
        expires,
        proposal: Some(format!("learned:{}", p.shape.id())),
        reason: Some(p.why.clone()),
        ..Grant::new(
            Matcher::Pattern {
                shape: p.shape.clone(),
            },
            scope,
            crate::grants::Overrides { decision, rules },
            ApprovedBy::here(method),
        )
    };
    store.write_grant(&g)?;
    record_event(
        policy,
        "grant_created",
        json!({"grant_id": g.id, "pattern": p.shape.id(), "matcher": g.matcher, "scope": g.scope, "expires": g.expires, "approved_by": g.approved_by, "overrides": g.overrides, "lifecycle": "confirmed"}),
    );
    Ok(g)
}

/// `p` at the prompt: promote the shape of the asked command when it is a candidate.
pub fn promote_from_prompt(policy: &Policy, text: &str) -> Result<Grant, String> {
    let shape = shape_of(text).ok_or("no command")?;
    let log = crate::log::Store::locate(&policy.log).map_err(|e| e.to_string())?;
    let records: Vec<Value> = crate::log::view::newest_first(&log).collect();
    let store = Store::for_policy(policy);
    let patterns = patterns(&acts(&records), &[], policy, &store, now_secs());
    promote_pattern(
        policy,
        &store,
        &patterns,
        &shape.id(),
        false,
        "30d",
        "prompt promote",
    )
}
