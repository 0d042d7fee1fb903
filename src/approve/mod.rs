//! The human verbs (SPEC §11): `inbox`, `approve`, `reject`, `grants`.
//!
//! `approve` shows exactly what a grant would let through — its matcher, scope and
//! durability, the rules and decision it overrides as the *current* policy sees them
//! (never as the agent's proposal file claims), the logged commands of the last 14 days
//! whose decision it would flip, and the agent's reason labelled as its claim — then asks
//! the human to type back a code shown on that terminal. The approval is bound to a review
//! token (the proposal's bytes and the policy_hash): if either changed while shown, it
//! aborts. [`gate`] refuses to let the agent drive any of this in the known ways.
//!
//! Under `sudo` (tier B) nothing comes from the environment: the policy is the system
//! installation's (`/etc/policy-exec`), the grant store is its `approvals.store`, and the
//! proposals are read from the invoking user's home as passwd names it.

pub mod gate;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::git::Git2RepoState;
use crate::grants::proposal::{self, Proposal, Status, Verdict};
use crate::grants::{
    ApprovedBy, Grant, GrantState, Matcher, Scope, Store, literal_argv, overrides_for, shell_words,
};
use crate::policy::Decision;
use crate::policy::engine;
use crate::policy::load::{Loaded, Locator};
use crate::policy::policy::Policy;

/// `approve ID`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The proposal id.
    pub id: String,
    /// Narrow it to one use.
    #[arg(long, conflicts_with_all = ["ttl", "durable"])]
    pub once: bool,
    /// Narrow it to this long (30m, 8h, 7d).
    #[arg(long, conflicts_with = "durable")]
    pub ttl: Option<String>,
    /// Keep it durable (only when the proposal asked for that).
    #[arg(long)]
    pub durable: bool,
    /// Under sudo: the system configuration directory (tests; default /etc).
    #[arg(long, hide = true, default_value = "/etc")]
    pub system_config: PathBuf,
    /// Under sudo: the passwd file naming the invoking user's home (tests).
    #[arg(long, hide = true, default_value = "/etc/passwd")]
    pub passwd: PathBuf,
}

/// Where `sudo` looks: fixed paths, never the environment (hidden flags for tests).
struct SudoPaths<'a> {
    system_config: &'a Path,
    passwd: &'a Path,
}

fn sudo_defaults() -> SudoPaths<'static> {
    SudoPaths {
        system_config: Path::new("/etc"),
        passwd: Path::new("/etc/passwd"),
    }
}

/// `reject ID --reason TEXT`.
#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The proposal id.
    pub id: String,
    /// Why not (the agent reads it through `wait`).
    #[arg(long)]
    pub reason: String,
    /// What the agent should do instead.
    #[arg(long, value_parser = ["too_broad", "use_exact", "wrong_scope", "needs_time_limit", "run_it_yourself"])]
    pub hint: Vec<String>,
}

/// `inbox`.
#[derive(Debug, Args)]
pub struct InboxArgs {
    /// Keep watching and print proposals as they arrive.
    #[arg(long)]
    pub watch: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `grants …`.
#[derive(Debug, Args)]
pub struct GrantsArgs {
    #[command(subcommand)]
    verb: GrantsVerb,
}

#[derive(Debug, Subcommand)]
enum GrantsVerb {
    /// List grants.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one grant.
    Show {
        /// The grant id.
        id: String,
    },
    /// Take a grant back for good.
    Revoke {
        /// The grant id.
        id: String,
    },
    /// Pause a grant.
    Suspend {
        /// The grant id.
        id: String,
    },
    /// Put a suspended grant back in force.
    Resume {
        /// The grant id.
        id: String,
    },
}

/// The policy, grant store and agent state directory the human verbs work with.
struct Setup {
    policy: Policy,
    store: Store,
    /// Under sudo: events go to the root-owned store's own log, never into the user's.
    log_dir: Option<PathBuf>,
    /// Under sudo: the invoking user's decision log (read for the replay), from passwd.
    agent_log: Option<PathBuf>,
    method: &'static str,
}

fn sudo_uid() -> Option<u32> {
    if !rustix::process::geteuid().is_root() {
        return None;
    }
    std::env::var("SUDO_UID").ok()?.parse().ok()
}

/// Works out the setup: under sudo from the system installation and passwd only.
fn setup(locator: &Locator, cwd: &Path, sudo: &SudoPaths) -> Result<Setup, String> {
    if let Some(uid) = sudo_uid() {
        let passwd = std::fs::read_to_string(sudo.passwd).unwrap_or_default();
        let home = crate::doctor::shell::passwd_entry(&passwd, uid)
            .map(|e| e.home)
            .ok_or_else(|| format!("uid {uid} (SUDO_UID) has no home in /etc/passwd"))?;
        // SECURITY: no XDG_*, HOME or POLICY_EXEC_* lookup as root.
        let system = Locator {
            bundle: None,
            manifest: None,
            env_manifest: None,
            config_home: None,
            system_config: Some(sudo.system_config.to_path_buf()),
            installation: None,
        };
        let env = crate::lookup::Env::default();
        let policy = match crate::lookup::policy_for(&system, cwd, None, &env) {
            Loaded::Ready(p) => p,
            Loaded::Failed { message, .. } => return Err(message),
        };
        let Some(dir) = policy.approvals.store.clone() else {
            return Err("no `approvals.store` in the system scope (/etc/policy-exec): `sudo policy-exec approve` is for a root-owned grant store (tier B); without one, run `policy-exec approve` as yourself".into());
        };
        let store = Store::new(&home.join(".local/state/policy-exec"), Some(&dir));
        if let Some(p) = store.problem() {
            return Err(p.to_string());
        }
        return Ok(Setup {
            log_dir: Some(dir.join("log")),
            agent_log: Some(home.join(".local/state/policy-exec/log")),
            policy: *policy,
            store,
            method: "sudo approve",
        });
    }
    let policy =
        match crate::lookup::policy_for(locator, cwd, None, &crate::lookup::Env::from_process()) {
            Loaded::Ready(p) => p,
            Loaded::Failed { message, .. } => return Err(message),
        };
    let store = Store::for_policy(&policy);
    if store.tier() == crate::grants::store::Tier::B && !rustix::process::geteuid().is_root() {
        return Err(format!(
            "grants are kept in the root-owned store `{}` (tier B): run `sudo policy-exec …`",
            store.grants_dir().display()
        ));
    }
    Ok(Setup {
        policy: *policy,
        store,
        log_dir: None,
        agent_log: None,
        method: "approve",
    })
}

impl Setup {
    fn event(&self, name: &str, fields: Value) {
        match &self.log_dir {
            Some(dir) => {
                let settings = crate::policy::policy::LogSettings {
                    dir: Some(dir.display().to_string()),
                    ..self.policy.log.clone()
                };
                let _ = crate::log::event(&settings, name, fields);
            }
            None => {
                let _ = crate::log::event(&self.policy.log, name, fields);
            }
        }
    }
}

fn here() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
}

/// The log settings of the policy that applies here (defaults when none loads).
fn log_settings(locator: &Locator) -> crate::policy::policy::LogSettings {
    match crate::lookup::policy_for(locator, &here(), None, &crate::lookup::Env::from_process()) {
        Loaded::Ready(p) => p.log.clone(),
        Loaded::Failed { .. } => crate::policy::policy::LogSettings::default(),
    }
}

/// Logs a refused human verb and prints why.
fn refused(locator: &Locator, verb: &str, why: &str, err: &mut dyn Write) -> u8 {
    if let Loaded::Ready(p) =
        crate::lookup::policy_for(locator, &here(), None, &crate::lookup::Env::from_process())
    {
        let _ = crate::log::event(
            &p.log,
            "human_verb_refused",
            json!({"verb": verb, "reason": why}),
        );
    }
    let _ = writeln!(err, "policy-exec: {verb} refused: {why}");
    4
}

/// `approve ID`.
pub fn run_approve(
    a: &ApproveArgs,
    locator: &Locator,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if let Some(why) = gate::human_verb_refusal(true, &log_settings(locator)) {
        return refused(locator, "approve", &why, err);
    }
    let sudo = SudoPaths {
        system_config: &a.system_config,
        passwd: &a.passwd,
    };
    let Some(first) = read_any(locator, &a.id, &sudo) else {
        let _ = writeln!(
            err,
            "policy-exec: no proposal `{}` (see `policy-exec inbox`)",
            a.id
        );
        return 3;
    };
    let s = match setup(locator, &first.cwd, &sudo) {
        Ok(s) => s,
        Err(m) => {
            let _ = writeln!(err, "policy-exec: {m}");
            return 2;
        }
    };
    let now = crate::grants::now_secs();
    let st = proposal::status(&s.store, &a.id, now);
    if st != Status::Pending {
        let _ = writeln!(
            err,
            "policy-exec: proposal `{}` is {}, not pending",
            a.id,
            st.as_str()
        );
        return 3;
    }
    let Some((p, bytes)) = read_with_bytes(&s.store, &a.id) else {
        let _ = writeln!(err, "policy-exec: proposal `{}` cannot be read", a.id);
        return 3;
    };
    let (once, ttl) = match narrowed(&p, a) {
        Ok(d) => d,
        Err(m) => {
            let _ = writeln!(err, "policy-exec: {m}");
            return 2;
        }
    };
    let grants = match planned_grants(&p, &s, once, ttl, now) {
        Ok(g) => g,
        Err(m) => {
            let _ = writeln!(err, "policy-exec: cannot approve `{}`: {m}", a.id);
            return 2;
        }
    };
    let token = review_token(&bytes, s.policy.policy_hash.as_deref());
    let _ = write!(out, "{}", describe(&p, &grants, &s));
    let code = code();
    let _ = write!(
        out,
        "\nTo approve, type the code {code} (anything else cancels): "
    );
    let _ = out.flush();
    let typed = read_tty_line();
    if typed.trim() != code {
        let _ = writeln!(out, "not approved.");
        return 1;
    }
    // SECURITY: what was approved is what was shown.
    let again = setup(locator, &p.cwd, &sudo).ok();
    let unchanged = again.as_ref().is_some_and(|s2| {
        read_with_bytes(&s2.store, &a.id)
            .is_some_and(|(_, b)| review_token(&b, s2.policy.policy_hash.as_deref()) == token)
    });
    if !unchanged {
        let _ = writeln!(
            err,
            "policy-exec: the proposal or the policy changed while it was shown: nothing approved; run approve again"
        );
        return 2;
    }
    if proposal::status(&s.store, &a.id, crate::grants::now_secs()) != Status::Pending {
        let _ = writeln!(
            err,
            "policy-exec: the proposal is no longer pending: nothing approved"
        );
        return 3;
    }
    for g in &grants {
        if let Err(m) = s.store.write_grant(g) {
            let _ = writeln!(err, "policy-exec: {m}");
            return 2;
        }
        s.event(
            "grant_created",
            json!({"grant_id": g.id, "proposal_id": p.id, "matcher": g.matcher, "scope": g.scope, "once": g.once, "expires": g.expires, "approved_by": g.approved_by, "overrides": g.overrides}),
        );
    }
    let verdict = Verdict {
        proposal: p.id.clone(),
        verdict: "approved".into(),
        grants: grants.iter().map(|g| g.id.clone()).collect(),
        reason: None,
        hints: Vec::new(),
        at: crate::grants::now_secs(),
    };
    if let Err(m) = s.store.write_verdict(&verdict) {
        let _ = writeln!(err, "policy-exec: {m}");
        return 2;
    }
    s.event(
        "proposal_approved",
        json!({"proposal_id": p.id, "grant_ids": verdict.grants, "tier": s.store.tier().as_str()}),
    );
    let _ = writeln!(
        out,
        "approved: {} (the agent's `policy-exec wait {}` now returns)",
        verdict.grants.join(", "),
        p.id
    );
    0
}

/// Reads a proposal from wherever this user's (or, under sudo, the invoking user's)
/// proposals are, before the full setup is known (it needs the proposal's directory).
fn read_any(locator: &Locator, id: &str, sudo: &SudoPaths) -> Option<Proposal> {
    let state = match sudo_uid() {
        Some(_) => setup(locator, Path::new("/"), sudo).ok()?.store,
        None => Store::new(&crate::grants::store::state_dir()?, None),
    };
    proposal::read(&state, id)
}

fn read_with_bytes(store: &Store, id: &str) -> Option<(Proposal, Vec<u8>)> {
    let p = proposal::read(store, id)?;
    let path = store
        .proposals_dir()
        .join(format!("{}.json", crate::grants::store::safe_name(id)));
    let bytes = crate::files::read_regular(&path, 64 * 1024).ok()?;
    Some((p, bytes))
}

/// The review token: the proposal's exact bytes and the policy it is judged against.
fn review_token(bytes: &[u8], policy_hash: Option<&str>) -> String {
    let mut h = Sha256::new();
    h.update(bytes);
    h.update([0u8]);
    h.update(policy_hash.unwrap_or("").as_bytes());
    proposal::hex(&h.finalize())
}

/// The durability after the human's flags: they may narrow what was asked, never widen.
fn narrowed(p: &Proposal, a: &ApproveArgs) -> Result<(bool, Option<u64>), String> {
    if a.once {
        return Ok((true, None));
    }
    if let Some(t) = &a.ttl {
        let secs = crate::grants::parse_duration(t)
            .ok_or_else(|| format!("--ttl `{t}`: use e.g. 30m, 8h or 7d"))?
            .as_secs();
        return match (p.once, p.ttl) {
            (true, _) => Err("the proposal asked for one use: --ttl would widen it".into()),
            (false, Some(asked)) if secs > asked => Err(format!(
                "the proposal asked for {}: --ttl {t} would widen it",
                proposal::human_secs(asked)
            )),
            _ => Ok((false, Some(secs))),
        };
    }
    if a.durable && (p.once || p.ttl.is_some()) {
        return Err(
            "the proposal did not ask for a durable grant: --durable would widen it".into(),
        );
    }
    Ok((p.once, p.ttl))
}

/// The grants an approval would write, re-judged with the current policy.
fn planned_grants(
    p: &Proposal,
    s: &Setup,
    once: bool,
    ttl: Option<u64>,
    now: u64,
) -> Result<Vec<Grant>, String> {
    let repo = Git2RepoState::with_home(None);
    // SECURITY: the scope the agent wrote must be the one its directory gives.
    let expected_top = crate::log::record::repo_top(&p.cwd).map(Path::to_path_buf);
    match &p.scope {
        Scope::Repo { top } if Some(top) == expected_top.as_ref() => {}
        Scope::Cwd { dir } if dir == &p.cwd => {}
        _ => return Err("its scope does not match its directory".into()),
    }
    let mut out = Vec::new();
    for c in &p.commands {
        let eval = engine::judge(&c.text, &s.policy, &p.cwd, &repo);
        let [judged] = eval.commands.as_slice() else {
            return Err(format!("`{}` is not one simple command", c.text));
        };
        let argv = literal_argv(judged).ok_or_else(|| format!("`{}` is not exact", c.text))?;
        let overrides =
            overrides_for(judged, &s.policy).map_err(|why| format!("`{}`: {why}", c.text))?;
        let consistent = match &c.matcher {
            Matcher::Exact { argv: want } => *want == argv,
            Matcher::Prefix { tokens } => tokens.len() >= 2 && argv.starts_with(tokens),
            // Agents propose exact commands and prefixes; patterns come from `rules promote`.
            Matcher::Pattern { .. } => false,
        };
        if !consistent {
            return Err(format!(
                "its matcher does not match its command `{}`",
                c.text
            ));
        }
        let approved_by = ApprovedBy {
            uid: sudo_uid().unwrap_or_else(|| rustix::process::getuid().as_raw()),
            ..ApprovedBy::here(s.method)
        };
        out.push(Grant {
            once,
            expires: match (once, ttl) {
                (true, _) => Some(now + proposal::PENDING_SECS),
                (false, Some(t)) => Some(now + t),
                (false, None) => None,
            },
            proposal: Some(p.id.clone()),
            reason: p.reason.clone(),
            ..Grant::new(c.matcher.clone(), p.scope.clone(), overrides, approved_by)
        });
    }
    Ok(out)
}

/// What the human reads before typing the code.
fn describe(p: &Proposal, grants: &[Grant], s: &Setup) -> String {
    let one = crate::report::one_line;
    let mut t = format!("Proposal {} — an exception for an AI agent\n", p.id);
    for g in grants {
        t.push_str(&format!(
            "\n  lets through: {}\n  kind:         {}\n  where:        {}\n  how long:     {}\n  overrides:    {} from {}\n",
            one(&g.matcher.describe()),
            match g.matcher {
                Matcher::Exact { .. } => "exact command",
                Matcher::Prefix { .. } => "prefix (any arguments after it)",
                Matcher::Pattern { .. } => "learned pattern (any operands)",
            },
            one(&g.scope.describe()),
            g.durability(),
            g.overrides.decision,
            g.overrides
                .rules
                .iter()
                .map(|r| rule_line(&s.policy, r))
                .collect::<Vec<_>>()
                .join("; "),
        ));
        let flips = replay(s, g);
        if flips.is_empty() {
            t.push_str(
                "  log replay:   no command in the last 14 days would have been let through\n",
            );
        } else {
            t.push_str(&format!(
                "  log replay:   {} logged command(s) of the last 14 days would have been let through:\n",
                flips.len()
            ));
            for f in flips.iter().take(10) {
                t.push_str(&format!("                {}\n", one(f)));
            }
        }
    }
    t.push_str(&format!(
        "\n  the agent says (its claim, not verified): {}\n  tier: {} — approving writes to {}\n",
        p.reason.as_deref().map_or("(no reason given)".into(), one),
        s.store.tier().as_str(),
        s.store.grants_dir().display()
    ));
    t
}

fn rule_line(policy: &Policy, id: &str) -> String {
    if id == crate::grants::UNMATCHED {
        return format!(
            "no rule (enforcement.unmatched is {})",
            policy.enforcement.unmatched
        );
    }
    match policy.rules.iter().find(|r| r.id == id) {
        Some(r) => format!(
            "rule `{}` ({}{})",
            r.id,
            r.origin.path,
            r.reason
                .as_deref()
                .map(|x| format!(": {x}"))
                .unwrap_or_default()
        ),
        None => format!("rule `{id}`"),
    }
}

/// The logged refusals of the last 14 days a grant would have let through.
fn replay(s: &Setup, g: &Grant) -> Vec<String> {
    let store = match &s.agent_log {
        Some(dir) => crate::log::Store::at(dir),
        None => match crate::log::Store::locate(&s.policy.log) {
            Ok(store) => store,
            Err(_) => return Vec::new(),
        },
    };
    let since = crate::log::Instant::now().minus(std::time::Duration::from_secs(14 * 86_400));
    let exact_hash = match &g.matcher {
        Matcher::Exact { argv } => Some(crate::log::record::argv_sha256(argv)),
        Matcher::Prefix { .. } | Matcher::Pattern { .. } => None,
    };
    let mut out = Vec::new();
    for record in crate::log::view::newest_first(&store) {
        let ts = record.get("ts").and_then(Value::as_str).unwrap_or("");
        if crate::log::Instant::parse(ts).is_some_and(|t| t < since) {
            break;
        }
        let Some(cwd) = record.get("cwd").and_then(Value::as_str) else {
            continue;
        };
        if !g.scope.contains(Path::new(cwd)) || !crate::log::view::is_denial(&record) {
            continue;
        }
        for c in crate::log::view::refused_commands(&record) {
            let text = c.get("text").and_then(Value::as_str).unwrap_or("");
            let hit = match (&exact_hash, &g.matcher) {
                (Some(h), _) => c.get("argv_sha256").and_then(Value::as_str) == Some(h.as_str()),
                (None, matcher) => {
                    let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
                    matcher.matches(&words)
                }
            };
            if hit {
                out.push(format!(
                    "{ts}  {text}  ({})",
                    c.get("decision").and_then(Value::as_str).unwrap_or("?")
                ));
            }
        }
    }
    out
}

/// Six characters to type back, from getrandom(2).
pub(crate) fn code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 6];
    let _ = rustix::rand::getrandom(&mut bytes, rustix::rand::GetRandomFlags::empty());
    bytes
        .iter()
        .filter_map(|b| ALPHABET.get(usize::from(*b) % ALPHABET.len()).copied())
        .map(char::from)
        .collect()
}

/// One line typed on the controlling terminal.
pub(crate) fn read_tty_line() -> String {
    let Ok(tty) = std::fs::File::open("/dev/tty") else {
        return String::new();
    };
    let mut line = String::new();
    let _ = std::io::BufReader::new(tty).read_line(&mut line);
    line
}

/// `reject ID --reason TEXT [--hint H]`.
pub fn run_reject(
    a: &RejectArgs,
    locator: &Locator,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if let Some(why) = gate::human_verb_refusal(false, &log_settings(locator)) {
        return refused(locator, "reject", &why, err);
    }
    let Some(p) = read_any(locator, &a.id, &sudo_defaults()) else {
        let _ = writeln!(err, "policy-exec: no proposal `{}`", a.id);
        return 3;
    };
    let s = match setup(locator, &p.cwd, &sudo_defaults()) {
        Ok(s) => s,
        Err(m) => {
            let _ = writeln!(err, "policy-exec: {m}");
            return 2;
        }
    };
    let st = proposal::status(&s.store, &a.id, crate::grants::now_secs());
    if st != Status::Pending {
        let _ = writeln!(
            err,
            "policy-exec: proposal `{}` is {}, not pending",
            a.id,
            st.as_str()
        );
        return 3;
    }
    let reason = crate::log::redact::truncate_to(&a.reason, 1000);
    let verdict = Verdict {
        proposal: p.id.clone(),
        verdict: "rejected".into(),
        grants: Vec::new(),
        reason: Some(reason.clone()),
        hints: a.hint.clone(),
        at: crate::grants::now_secs(),
    };
    if let Err(m) = s.store.write_verdict(&verdict) {
        let _ = writeln!(err, "policy-exec: {m}");
        return 2;
    }
    s.event(
        "proposal_rejected",
        json!({"proposal_id": p.id, "reason": crate::log::redact::redact_text(&reason), "hints": a.hint,
            "commands": p.commands.iter().map(|c| crate::log::redact::redact_text(&c.text)).collect::<Vec<_>>()}),
    );
    let _ = writeln!(out, "rejected {}", p.id);
    0
}

/// `inbox [--watch]`.
pub fn run_inbox(a: &InboxArgs, locator: &Locator, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let s = match setup(locator, &here(), &sudo_defaults()) {
        Ok(s) => s,
        Err(m) => {
            let _ = writeln!(err, "policy-exec: {m}");
            return 2;
        }
    };
    let mut shown: Vec<String> = Vec::new();
    loop {
        let now = crate::grants::now_secs();
        let pending: Vec<Proposal> = proposal::all(&s.store)
            .into_iter()
            .filter(|p| proposal::status(&s.store, &p.id, now) == Status::Pending)
            .collect();
        if a.json && !a.watch {
            let v: Vec<Value> = pending
                .iter()
                .map(|p| json!({"id": p.id, "commands": p.commands.iter().map(|c| &c.text).collect::<Vec<_>>(), "cwd": p.cwd, "durability": p.durability(), "agent_reason": p.reason, "approve": format!("policy-exec approve {}", p.id)}))
                .collect();
            let _ = writeln!(out, "{}", json!({"pending": v}));
            return 0;
        }
        if !a.watch && pending.is_empty() {
            let _ = writeln!(out, "no pending proposals");
        }
        let fresh: Vec<&Proposal> = pending.iter().filter(|p| !shown.contains(&p.id)).collect();
        for p in fresh {
            let one = crate::report::one_line;
            let _ = writeln!(
                out,
                "{}  {}  in {}  ({})\n    agent's claim: {}\n    approve: policy-exec approve {}    reject: policy-exec reject {} --reason …",
                p.id,
                one(&p
                    .commands
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ; ")),
                p.cwd.display(),
                p.durability(),
                p.reason.as_deref().map_or("(none)".into(), one),
                p.id,
                p.id
            );
            shown.push(p.id.clone());
        }
        let _ = out.flush();
        if !a.watch {
            return 0;
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

/// `grants list|show|revoke|suspend|resume`.
pub fn run_grants(
    a: &GrantsArgs,
    locator: &Locator,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let (id, to, widens) = match &a.verb {
        GrantsVerb::Revoke { id } => (id, GrantState::Revoked, false),
        GrantsVerb::Suspend { id } => (id, GrantState::Suspended, false),
        GrantsVerb::Resume { id } => (id, GrantState::Active, true),
        GrantsVerb::List { json } => return list(locator, *json, out, err),
        GrantsVerb::Show { id } => {
            let s = match setup(locator, &here(), &sudo_defaults()) {
                Ok(s) => s,
                Err(m) => {
                    let _ = writeln!(err, "policy-exec: {m}");
                    return 2;
                }
            };
            return match s.store.grant(id) {
                Some(g) => {
                    let _ = writeln!(
                        out,
                        "{}",
                        serde_json::to_string_pretty(&g).unwrap_or_default()
                    );
                    0
                }
                None => {
                    let _ = writeln!(err, "policy-exec: no grant `{id}`");
                    3
                }
            };
        }
    };
    let verb = match to {
        GrantState::Revoked => "grants revoke",
        GrantState::Suspended => "grants suspend",
        GrantState::Active => "grants resume",
    };
    if let Some(why) = gate::human_verb_refusal(widens, &log_settings(locator)) {
        return refused(locator, verb, &why, err);
    }
    let s = match setup(locator, &here(), &sudo_defaults()) {
        Ok(s) => s,
        Err(m) => {
            let _ = writeln!(err, "policy-exec: {m}");
            return 2;
        }
    };
    let Some(mut g) = s.store.grant(id) else {
        let _ = writeln!(err, "policy-exec: no grant `{id}`");
        return 3;
    };
    if g.state == GrantState::Revoked {
        let _ = writeln!(err, "policy-exec: grant `{id}` is revoked for good");
        return 3;
    }
    g.state = to;
    if to == GrantState::Suspended {
        g.suspended_at = Some(crate::grants::now_secs());
        g.suspended_reason = Some("suspended by hand".into());
    }
    if let Err(m) = s.store.write_grant(&g) {
        let _ = writeln!(err, "policy-exec: {m}");
        return 2;
    }
    let event = match to {
        GrantState::Revoked => "grant_archived",
        GrantState::Suspended => "grant_suspended",
        GrantState::Active => "grant_resumed",
    };
    s.event(event, json!({"grant_id": g.id}));
    let _ = writeln!(out, "{}: {}", g.id, event.trim_start_matches("grant_"));
    0
}

fn list(locator: &Locator, json_out: bool, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let s = match setup(locator, &here(), &sudo_defaults()) {
        Ok(s) => s,
        Err(m) => {
            let _ = writeln!(err, "policy-exec: {m}");
            return 2;
        }
    };
    let now = crate::grants::now_secs();
    let grants = s.store.grants();
    if json_out {
        let v: Vec<Value> = grants
            .iter()
            .map(|g| {
                let mut v = serde_json::to_value(g).unwrap_or(Value::Null);
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        "in_force".into(),
                        json!(g.in_force(now) && !(g.once && s.store.is_used(&g.id))),
                    );
                }
                v
            })
            .collect();
        let _ = writeln!(
            out,
            "{}",
            json!({"grants": v, "tier": s.store.tier().as_str()})
        );
        return 0;
    }
    if grants.is_empty() {
        let _ = writeln!(
            out,
            "no grants (tier {}, {})",
            s.store.tier().as_str(),
            s.store.grants_dir().display()
        );
    }
    for g in grants {
        let state = if g.once && s.store.is_used(&g.id) {
            "used".to_string()
        } else if g.state == GrantState::Active && !g.in_force(now) {
            "expired".to_string()
        } else {
            format!("{:?}", g.state).to_lowercase()
        };
        let _ = writeln!(
            out,
            "{}  {:<9} {}  in {}  ({})",
            g.id,
            state,
            crate::report::one_line(&g.matcher.describe()),
            g.scope.describe(),
            g.durability()
        );
    }
    0
}

/// The grants a prompt's `a` makes: exact, repo-scoped, for each refused command that a
/// grant can cover, lasting `approvals.remember_ttl`. Returns what was remembered.
pub fn remember(
    eval: &engine::Evaluation,
    policy: &Policy,
    cwd: &Path,
) -> Result<Vec<String>, String> {
    let store = Store::for_policy(policy);
    if store.tier() == crate::grants::store::Tier::B {
        return Err("grants are kept in a root-owned store (tier B): `a` cannot remember; use `sudo policy-exec approve`".into());
    }
    let now = crate::grants::now_secs();
    let mut made = Vec::new();
    for c in &eval.commands {
        if c.decision == Decision::Allow {
            continue;
        }
        let (Ok(overrides), Some(argv), Some(dir)) =
            (overrides_for(c, policy), literal_argv(c), c.dir.as_deref())
        else {
            continue;
        };
        let scope = match crate::log::record::repo_top(dir) {
            Some(top) => Scope::Repo {
                top: top.to_path_buf(),
            },
            None => Scope::Cwd {
                dir: cwd.to_path_buf(),
            },
        };
        let g = Grant {
            expires: Some(now + policy.approvals.remember_ttl.as_secs()),
            ..Grant::new(
                Matcher::Exact { argv: argv.clone() },
                scope,
                overrides,
                ApprovedBy::here("prompt"),
            )
        };
        store.write_grant(&g)?;
        let _ = crate::log::event(
            &policy.log,
            "grant_created",
            json!({"grant_id": g.id, "matcher": g.matcher, "scope": g.scope, "expires": g.expires, "approved_by": g.approved_by, "overrides": g.overrides, "command": crate::log::redact::redact_text(&shell_words(&argv))}),
        );
        made.push(g.id);
    }
    Ok(made)
}
