//! The agent's side of exceptions (SPEC §11): `propose`, `status`, `wait`, `withdraw`.
//!
//! A proposal is the agent's request, written to `<state>/proposals/<id>.json`. Nothing
//! in it is trusted: the human's `approve` re-judges its commands with the current
//! policy and shows what the grant would really override, and binds the approval to the
//! proposal's exact content. A proposal is answered by a [`Verdict`] the human's verb
//! writes in the grant store (never in the agent's files).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Matcher, Overrides, Scope, Store, literal_argv, overrides_for};
use crate::git::Git2RepoState;
use crate::log::redact;
use crate::policy::Decision;
use crate::policy::engine;
use crate::policy::load::{Loaded, Locator};
use crate::policy::policy::Policy;

/// How long a proposal waits for a human before it expires.
pub const PENDING_SECS: u64 = 24 * 3600;
/// The longest `--ttl` an agent may ask for.
const MAX_TTL_SECS: u64 = 30 * 86_400;

/// Programs that run other programs: a prefix grant on them would let anything through.
const RUNNERS: &[&str] = &[
    "sudo",
    "doas",
    "su",
    "runuser",
    "env",
    "nice",
    "ionice",
    "nohup",
    "timeout",
    "stdbuf",
    "setsid",
    "chroot",
    "unshare",
    "nsenter",
    "xargs",
    "parallel",
    "find",
    "watch",
    "time",
    "command",
    "exec",
    "eval",
    "builtin",
    "strace",
    "ltrace",
    "gdb",
    "script",
    "expect",
    "tmux",
    "screen",
    "ssh",
    "docker",
    "podman",
    "kubectl",
    "make",
    "npx",
    "bunx",
    "uvx",
    "pipx",
    "npm",
    "pnpm",
    "yarn",
    "python",
    "python3",
    "node",
    "perl",
    "ruby",
    "php",
    "lua",
    "deno",
    "bun",
    "busybox",
    "awk",
    "gawk",
    "sed",
    "policy-exec",
    "git",
];

/// One command a proposal asks to let through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedCommand {
    /// The matcher the agent asks for.
    pub matcher: Matcher,
    /// The command as judged, shell-quoted.
    pub text: String,
    /// What the agent saw refuse it (re-checked by `approve`).
    pub overrides: Overrides,
}

/// A proposal as the agent wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Format version (1).
    pub v: u32,
    /// `p-20261204-201822-3fa91c0b2e`.
    pub id: String,
    /// Seconds since the epoch.
    pub created: u64,
    /// The commands.
    pub commands: Vec<ProposedCommand>,
    /// The directory the commands run in.
    pub cwd: PathBuf,
    /// The scope asked for.
    pub scope: Scope,
    /// One use.
    pub once: bool,
    /// Seconds the grant should last (`None` with `once: false`: durable).
    pub ttl: Option<u64>,
    /// The agent's reason (its claim), redacted.
    pub reason: Option<String>,
    /// The refusal it answers, when proposed from one.
    pub denial_id: Option<String>,
    /// The policy it was judged with.
    pub policy_hash: Option<String>,
    /// The agent withdrew it.
    #[serde(default)]
    pub withdrawn: bool,
}

impl Proposal {
    /// What identical proposals share: everything the agent chose, not when or why.
    pub fn key(&self) -> String {
        let v = json!([self.commands, self.cwd, self.scope, self.once, self.ttl]);
        hex(&Sha256::digest(v.to_string().as_bytes()))
    }

    /// The durability asked for, in words.
    pub fn durability(&self) -> String {
        match (self.once, self.ttl) {
            (true, _) => "one use (within 24 h)".into(),
            (false, Some(t)) => format!("any number of uses for {}", human_secs(t)),
            (false, None) => "durable (no expiry)".into(),
        }
    }
}

/// `3600` → `1h`.
pub fn human_secs(t: u64) -> String {
    if t.is_multiple_of(86_400) {
        format!("{}d", t / 86_400)
    } else if t.is_multiple_of(3600) {
        format!("{}h", t / 3600)
    } else if t.is_multiple_of(60) {
        format!("{}m", t / 60)
    } else {
        format!("{t}s")
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A human's answer to a proposal, kept in the grant store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The proposal.
    pub proposal: String,
    /// `approved` or `rejected`.
    pub verdict: String,
    /// The grants made (approved).
    #[serde(default)]
    pub grants: Vec<String>,
    /// Why not (rejected), as the human wrote it.
    #[serde(default)]
    pub reason: Option<String>,
    /// What to do instead (rejected): too_broad, use_exact, wrong_scope,
    /// needs_time_limit, run_it_yourself.
    #[serde(default)]
    pub hints: Vec<String>,
    /// Seconds since the epoch.
    pub at: u64,
}

/// Where a proposal stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Waiting for a human.
    Pending,
    /// Approved: the grants made.
    Approved(Verdict),
    /// Rejected.
    Rejected(Verdict),
    /// The agent withdrew it.
    Withdrawn,
    /// Nobody answered within [`PENDING_SECS`].
    Expired,
    /// No such proposal.
    Unknown,
}

impl Status {
    /// The word `status` and `wait` print.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved(_) => "approved",
            Status::Rejected(_) => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::Expired => "expired",
            Status::Unknown => "unknown",
        }
    }

    /// `wait`'s exit status: 0 approved, 1 pending, 2 rejected, 3 anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Status::Approved(_) => 0,
            Status::Pending => 1,
            Status::Rejected(_) => 2,
            _ => 3,
        }
    }
}

/// Reads a proposal.
pub fn read(store: &Store, id: &str) -> Option<Proposal> {
    let name = super::store::safe_name(id);
    if name != id {
        return None;
    }
    super::store::read_json(&store.proposals_dir().join(format!("{name}.json"))).ok()
}

/// Every proposal in the store's proposal directory, oldest first.
pub fn all(store: &Store) -> Vec<Proposal> {
    let Ok(entries) = std::fs::read_dir(store.proposals_dir()) else {
        return Vec::new();
    };
    let mut out: Vec<Proposal> = entries
        .filter_map(Result::ok)
        .take(4096)
        .filter_map(|e| super::store::read_json::<Proposal>(&e.path()).ok())
        .filter(|p| super::store::safe_name(&p.id) == p.id)
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Where a proposal stands now.
pub fn status(store: &Store, id: &str, now: u64) -> Status {
    let Some(p) = read(store, id) else {
        return Status::Unknown;
    };
    match store.verdict(id) {
        Some(v) if v.verdict == "approved" => return Status::Approved(v),
        Some(v) if v.verdict == "rejected" => return Status::Rejected(v),
        _ => {}
    }
    if p.withdrawn {
        Status::Withdrawn
    } else if now >= p.created.saturating_add(PENDING_SECS) {
        Status::Expired
    } else {
        Status::Pending
    }
}

// ---------------------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------------------

/// `policy-exec propose`.
#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// The refusal to ask an exception for (its `denial_id`).
    #[arg(
        long,
        conflicts_with = "command_text",
        required_unless_present = "command_text"
    )]
    pub denial: Option<String>,
    /// The command to ask an exception for, as one string.
    #[arg(long = "command", short = 'c')]
    pub command_text: Option<String>,
    /// The directory the command runs in (with --command; default: here).
    #[arg(long, requires = "command_text")]
    pub cwd: Option<PathBuf>,
    /// exact (the default: these words only) or prefix:N (the first N words, N ≥ 2).
    #[arg(long = "match", default_value = "exact")]
    pub matcher: String,
    /// repo (the default: inside this repository) or cwd (this directory and below).
    #[arg(long, default_value = "repo")]
    pub scope: String,
    /// One use (the default).
    #[arg(long, conflicts_with_all = ["ttl", "durable"])]
    pub once: bool,
    /// Any number of uses for this long (30m, 8h, 7d; at most 30d).
    #[arg(long, conflicts_with = "durable")]
    pub ttl: Option<String>,
    /// No expiry (a human may still narrow it when approving).
    #[arg(long)]
    pub durable: bool,
    /// Why the task needs it (shown to the human as your claim).
    #[arg(long)]
    pub reason: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `policy-exec status ID` / `withdraw ID`.
#[derive(Debug, Args)]
pub struct IdArgs {
    /// The proposal id.
    pub id: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `policy-exec wait ID`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The proposal id.
    pub id: String,
    /// Seconds to wait (1..300).
    #[arg(long, default_value_t = 45)]
    pub timeout: u64,
}

/// The exit status for a proposal that cannot be made.
const INVALID: u8 = 2;
/// The exit status when proposals are disabled (and for unknown proposals).
const DISABLED: u8 = 3;

fn loaded_policy(locator: &Locator, cwd: &Path) -> Result<Policy, String> {
    match crate::lookup::policy_for(locator, cwd, None, &crate::lookup::Env::from_process()) {
        Loaded::Ready(p) => Ok(*p),
        Loaded::Failed { message, .. } => Err(message),
    }
}

/// The refusal for a disabled feature: exit 3, `feature_disabled`, how to enable it.
pub fn disabled(out: &mut dyn Write) -> u8 {
    let v = json!({
        "error": "feature_disabled",
        "feature": "proposals",
        "message": "proposals are disabled: the user can enable them with `enforcement: {proposals: true}` in the user scope (~/.config/policy-exec/policy-config/user.yaml); until then ask the user to run the command",
    });
    let _ = writeln!(out, "{v}");
    DISABLED
}

fn refuse(out: &mut dyn Write, json_out: bool, message: &str) -> u8 {
    if json_out {
        let _ = writeln!(
            out,
            "{}",
            json!({"error": "invalid_proposal", "message": message})
        );
    } else {
        let _ = writeln!(out, "policy-exec: cannot propose: {message}");
    }
    INVALID
}

/// `propose`: validates and writes a proposal, or returns the identical pending one.
pub fn run_propose(a: &ProposeArgs, locator: &Locator, out: &mut dyn Write) -> u8 {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let policy = match loaded_policy(locator, &here) {
        Ok(p) => p,
        Err(m) => return refuse(out, a.json, &m),
    };
    if !policy.enforcement.proposals {
        return disabled(out);
    }
    let store = Store::for_policy(&policy);
    let (script, cwd, logged) = match (&a.denial, &a.command_text) {
        (Some(id), _) => match from_denial(&policy, id) {
            Ok((script, cwd, record)) => (script, cwd, Some(record)),
            Err(m) => return refuse(out, a.json, &m),
        },
        (None, Some(c)) => (c.clone(), a.cwd.clone().unwrap_or(here), None),
        (None, None) => return refuse(out, a.json, "give --denial ID or --command CMD"),
    };
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let policy = match loaded_policy(locator, &cwd) {
        Ok(p) => p,
        Err(m) => return refuse(out, a.json, &m),
    };
    let proposal = match build(a, &policy, &script, &cwd, logged.as_ref()) {
        Ok(Some(p)) => p,
        Ok(None) => {
            let v = json!({"status": "already_allowed", "message": "the command is allowed now: run it"});
            let _ = writeln!(out, "{v}");
            return 0;
        }
        Err(m) => return refuse(out, a.json, &m),
    };
    let now = super::now_secs();
    let key = proposal.key();
    let existing = all(&store)
        .into_iter()
        .find(|p| p.key() == key && status(&store, &p.id, now) == Status::Pending);
    let (proposal, fresh) = match existing {
        Some(p) => (p, false),
        None => {
            let name = format!("{}.json", proposal.id);
            if let Err(m) = super::store::write_json(store.proposals_dir(), &name, &proposal) {
                return refuse(out, a.json, &m);
            }
            let _ = crate::log::event(
                &policy.log,
                "proposal_submitted",
                json!({"proposal_id": proposal.id, "commands": proposal.commands.iter().map(|c| redact::redact_text(&c.text)).collect::<Vec<_>>(), "cwd": proposal.cwd, "denial_id": proposal.denial_id}),
            );
            (proposal, true)
        }
    };
    let approve = format!("policy-exec approve {}", proposal.id);
    if a.json {
        let v = json!({
            "proposal_id": proposal.id,
            "status": "pending",
            "existing": !fresh,
            "approve_command": approve,
            "wait": ["policy-exec", "wait", proposal.id],
            "agent_guidance": "tell the user what you asked for and why, and that they approve it by running the approve_command in their own terminal (you cannot); then run `wait` and, when it exits 0, retry the command once",
        });
        let _ = writeln!(out, "{v}");
    } else {
        let _ = writeln!(
            out,
            "proposal {} {}: ask the user to run `{approve}` in their own terminal, then `policy-exec wait {}`",
            proposal.id,
            if fresh {
                "submitted"
            } else {
                "is already pending"
            },
            proposal.id
        );
    }
    0
}

/// The script and directory of a logged refusal.
fn from_denial(policy: &Policy, id: &str) -> Result<(String, PathBuf, Value), String> {
    let store = crate::log::Store::locate(&policy.log).map_err(|e| e.to_string())?;
    let record = crate::log::view::find(&store, id.trim()).ok_or_else(|| {
        format!("no decision `{id}` in the log: check the denial_id, or use --command")
    })?;
    if !crate::log::view::is_denial(&record) {
        return Err(format!("decision `{id}` is not a refusal"));
    }
    let script = record
        .get("script")
        .and_then(Value::as_str)
        .ok_or("the logged decision has no script")?
        .to_string();
    let cwd = record
        .get("cwd")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .ok_or("the logged decision has no directory")?;
    Ok((script, cwd, record))
}

/// Judges the script and turns each refused command into a proposed one.
fn build(
    a: &ProposeArgs,
    policy: &Policy,
    script: &str,
    cwd: &Path,
    logged: Option<&Value>,
) -> Result<Option<Proposal>, String> {
    let repo = Git2RepoState::with_home(std::env::var_os("HOME").map(PathBuf::from));
    let eval = engine::judge(script, policy, cwd, &repo);
    if let Some(e) = &eval.parse_error {
        return Err(format!("the command does not parse as bash ({e})"));
    }
    let prefix = match a.matcher.as_str() {
        "exact" => None,
        other => match other.strip_prefix("prefix:").map(str::parse::<usize>) {
            Some(Ok(n)) if n >= 2 => Some(n),
            Some(Ok(_)) => return Err("a prefix must keep at least two words (prefix:2)".into()),
            _ => return Err(format!("--match `{other}`: use exact or prefix:N")),
        },
    };
    let logged_hashes: Option<Vec<&str>> = logged.map(|r| {
        r.get("commands")
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| c.get("argv_sha256").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default()
    });
    let mut commands = Vec::new();
    for c in eval
        .commands
        .iter()
        .filter(|c| c.decision != Decision::Allow)
    {
        let shown = c
            .command
            .words
            .iter()
            .map(|w| w.display().to_string())
            .collect::<Vec<_>>();
        let overrides = overrides_for(c, policy)
            .map_err(|why| format!("`{}` cannot be excepted: {why}", super::shell_words(&shown)))?;
        let argv = literal_argv(c).unwrap_or_default();
        if redact::redact_argv(&argv) != argv || redact::redact_text(script) != script {
            return Err(
                "the command holds what looks like a secret (a token, password or key): a grant would store it; ask the user to run it instead".into(),
            );
        }
        if let Some(hashes) = &logged_hashes
            && !hashes.contains(&crate::log::record::argv_sha256(&argv).as_str())
        {
            return Err(
                "the logged command was shortened or redacted in the log: propose it with --command".into(),
            );
        }
        let program = argv.first().cloned().unwrap_or_default();
        let base = program.rsplit('/').next().unwrap_or(&program).to_string();
        if program.is_empty() || program.contains(['*', '?', '[']) {
            return Err("the program must be a literal name, not a pattern".into());
        }
        let matcher = match prefix {
            None => Matcher::Exact { argv: argv.clone() },
            Some(n) => {
                if n > argv.len() {
                    return Err(format!(
                        "prefix:{n} is longer than `{}` ({} words)",
                        super::shell_words(&argv),
                        argv.len()
                    ));
                }
                if RUNNERS.contains(&base.as_str())
                    || crate::command::shells::grammar(&base).is_some()
                {
                    return Err(format!(
                        "`{base}` runs other programs (or is one whose arguments decide everything): only an exact grant can cover it"
                    ));
                }
                Matcher::Prefix {
                    tokens: argv.get(..n).unwrap_or(&argv).to_vec(),
                }
            }
        };
        commands.push(ProposedCommand {
            matcher,
            text: super::shell_words(&argv),
            overrides,
        });
    }
    if commands.is_empty() {
        return Ok(None);
    }
    let scope = match a.scope.as_str() {
        "repo" => match crate::log::record::repo_top(cwd) {
            Some(top) => Scope::Repo {
                top: top.to_path_buf(),
            },
            None => Scope::Cwd {
                dir: cwd.to_path_buf(),
            },
        },
        "cwd" => Scope::Cwd {
            dir: cwd.to_path_buf(),
        },
        other => return Err(format!("--scope `{other}`: use repo or cwd")),
    };
    let (once, ttl) = if a.durable {
        (false, None)
    } else if let Some(t) = &a.ttl {
        let d = super::parse_duration(t)
            .ok_or_else(|| format!("--ttl `{t}`: use a duration such as 30m, 8h or 7d"))?;
        if d.as_secs() > MAX_TTL_SECS {
            return Err("--ttl is at most 30d (ask for --durable and let the human decide)".into());
        }
        (false, Some(d.as_secs()))
    } else {
        (true, None)
    };
    let at = crate::log::Instant::now();
    Ok(Some(Proposal {
        v: 1,
        id: format!("p-{}", crate::log::DecisionId::new(at).as_str()),
        created: at.millis / 1000,
        commands,
        cwd: cwd.to_path_buf(),
        scope,
        once,
        ttl,
        reason: a
            .reason
            .as_deref()
            .map(|r| redact::truncate_to(&redact::redact_text(r), 500)),
        denial_id: logged
            .and_then(|r| r.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string),
        policy_hash: policy.policy_hash.clone(),
        withdrawn: false,
    }))
}

/// The JSON `status` and `wait` print.
fn status_json(store: &Store, id: &str, st: &Status, policy: Option<&Policy>) -> Value {
    let mut v = json!({"proposal_id": id, "status": st.as_str()});
    if let Some(obj) = v.as_object_mut() {
        match st {
            Status::Approved(verdict) => {
                obj.insert("grant_id".into(), json!(verdict.grants.first()));
                obj.insert("grant_ids".into(), json!(verdict.grants));
                if let Some(policy) = policy {
                    obj.insert(
                        "policy_reloaded".into(),
                        json!(policy_reloaded(store, id, policy)),
                    );
                }
            }
            Status::Rejected(verdict) => {
                obj.insert("rejection_reason".into(), json!(verdict.reason));
                obj.insert("hints".into(), json!(verdict.hints));
                obj.insert(
                    "agent_guidance".into(),
                    json!("the user said no: do not retry the command or a rewording of it; follow the hints or ask the user"),
                );
            }
            Status::Pending => {
                obj.insert(
                    "approve_command".into(),
                    json!(format!("policy-exec approve {id}")),
                );
            }
            _ => {}
        }
    }
    v
}

/// Whether the proposal's commands are allowed now, re-judged with grants (a preview:
/// nothing is used up).
fn policy_reloaded(store: &Store, id: &str, policy: &Policy) -> bool {
    let Some(p) = read(store, id) else {
        return false;
    };
    let repo = Git2RepoState::with_home(std::env::var_os("HOME").map(PathBuf::from));
    p.commands.iter().all(|c| {
        let mut eval = engine::judge(&c.text, policy, &p.cwd, &repo);
        super::apply(&mut eval, policy, store, super::Use::Preview);
        eval.decision == Decision::Allow
    })
}

/// `status ID`.
pub fn run_status(a: &IdArgs, locator: &Locator, out: &mut dyn Write) -> u8 {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let policy = loaded_policy(locator, &here).ok();
    let store = policy
        .as_ref()
        .map_or_else(|| Store::new(&state_or_root(), None), Store::for_policy);
    let st = status(&store, &a.id, super::now_secs());
    let v = status_json(&store, &a.id, &st, policy.as_ref());
    if a.json {
        let _ = writeln!(out, "{v}");
    } else {
        let _ = writeln!(out, "{}: {}", a.id, st.as_str());
    }
    st.exit_code()
}

fn state_or_root() -> PathBuf {
    super::store::state_dir().unwrap_or_else(|| PathBuf::from("/nonexistent/policy-exec"))
}

/// `wait ID`: polls until a human answers or the timeout passes.
pub fn run_wait(a: &WaitArgs, locator: &Locator, out: &mut dyn Write) -> u8 {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let policy = loaded_policy(locator, &here).ok();
    let store = policy
        .as_ref()
        .map_or_else(|| Store::new(&state_or_root(), None), Store::for_policy);
    let timeout = std::time::Duration::from_secs(a.timeout.clamp(1, 300));
    let start = std::time::Instant::now();
    let st = loop {
        let st = status(&store, &a.id, super::now_secs());
        if st != Status::Pending || start.elapsed() >= timeout {
            break st;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    if st == Status::Expired
        && let Some(p) = &policy
    {
        let _ = crate::log::event(&p.log, "proposal_expired", json!({"proposal_id": a.id}));
    }
    let _ = writeln!(out, "{}", status_json(&store, &a.id, &st, policy.as_ref()));
    st.exit_code()
}

/// `withdraw ID`.
pub fn run_withdraw(a: &IdArgs, locator: &Locator, out: &mut dyn Write) -> u8 {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let policy = loaded_policy(locator, &here).ok();
    let store = policy
        .as_ref()
        .map_or_else(|| Store::new(&state_or_root(), None), Store::for_policy);
    let now = super::now_secs();
    match (read(&store, &a.id), status(&store, &a.id, now)) {
        (Some(mut p), Status::Pending) => {
            p.withdrawn = true;
            let name = format!("{}.json", p.id);
            if let Err(m) = super::store::write_json(store.proposals_dir(), &name, &p) {
                let _ = writeln!(out, "policy-exec: {m}");
                return INVALID;
            }
            if let Some(policy) = &policy {
                let _ = crate::log::event(
                    &policy.log,
                    "proposal_withdrawn",
                    json!({"proposal_id": p.id}),
                );
            }
            let _ = writeln!(
                out,
                "{}",
                json!({"proposal_id": p.id, "status": "withdrawn"})
            );
            0
        }
        (_, st) => {
            let _ = writeln!(
                out,
                "{}",
                json!({"proposal_id": a.id, "status": st.as_str(), "message": "only a pending proposal can be withdrawn"})
            );
            DISABLED
        }
    }
}
