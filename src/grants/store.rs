//! Where grants, verdicts and proposals are kept.
//!
//! ```text
//! <state>/proposals/<id>.json        agent-written proposals (the agent's claim)
//! <store>/<grant-id>.json            grants (written only by the human verbs)
//! <store>/verdicts/<proposal>.json   a human's approval or rejection of a proposal
//! <used>/<grant-id>                  a one-use grant's use (created with O_EXCL)
//! ```
//!
//! `<state>` is `$XDG_STATE_HOME/policy-exec` (default `~/.local/state/policy-exec`).
//! Tier A (the default): `<store>` is `<state>/grants` and `<used>` is
//! `<store>/used`, all the user's own — the agent runs as that user, so these files are a
//! rail (protected from direct writes by the default path rules), not a wall. Tier B:
//! `approvals.store` in the system scope names a root-owned directory; grants are read
//! only from there (a grant file planted anywhere else is never read), the human approves
//! with `sudo policy-exec approve`, and `<used>` stays in the user's state (`grants-used`).
//!
//! SECURITY: one-use consumption is a file created with `O_CREAT|O_EXCL`, which exactly one
//! of any number of racing processes can create. Files are read with `O_NOFOLLOW` and a
//! size cap (root reads the agent's proposal files under `sudo`).

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::Grant;
use crate::policy::policy::Policy;

/// The largest grant, verdict or proposal file read.
const MAX_FILE: u64 = 64 * 1024;
/// The most grant files read (a store filled by something else is not a denial of service).
const MAX_GRANTS: usize = 4096;

/// Who can approve (SPEC §11, reported by `doctor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// The grant store is the user's own: approving refuses to be driven by the agent
    /// (a rail).
    A,
    /// A root-owned grant store: approving needs `sudo`.
    B,
}

impl Tier {
    /// `A` or `B`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::A => "A",
            Tier::B => "B",
        }
    }
}

/// The directories of one approval setup.
#[derive(Debug, Clone)]
pub struct Store {
    tier: Tier,
    grants: PathBuf,
    used: PathBuf,
    proposals: PathBuf,
    /// Why the configured store cannot be trusted (tier B misconfigured): no grant is
    /// read, so nothing is let through.
    problem: Option<String>,
}

/// `$XDG_STATE_HOME/policy-exec` or `~/.local/state/policy-exec`, from the environment.
pub fn state_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|h| h.is_absolute())
                .map(|h| h.join(".local/state"))
        })
        .map(|s| s.join("policy-exec"))
}

impl Store {
    /// The store for a policy, with the state directory from the environment.
    pub fn for_policy(policy: &Policy) -> Store {
        let state = state_dir().unwrap_or_else(|| PathBuf::from("/nonexistent/policy-exec"));
        Store::new(&state, policy.approvals.store.as_deref())
    }

    /// The store with an explicit state directory (and tier B store, when configured).
    pub fn new(state: &Path, system_store: Option<&Path>) -> Store {
        match system_store {
            None => Store {
                tier: Tier::A,
                grants: state.join("grants"),
                used: state.join("grants/used"),
                proposals: state.join("proposals"),
                problem: None,
            },
            Some(dir) => Store {
                tier: Tier::B,
                grants: dir.to_path_buf(),
                used: state.join("grants-used"),
                proposals: state.join("proposals"),
                problem: root_owned_problem(dir),
            },
        }
    }

    /// The tier.
    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// The grant directory.
    pub fn grants_dir(&self) -> &Path {
        &self.grants
    }

    /// The proposal directory.
    pub fn proposals_dir(&self) -> &Path {
        &self.proposals
    }

    /// Why the store is not trusted, when it is not.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Whether the store holds any grant file (one directory read; no file is parsed).
    pub fn has_grants(&self) -> bool {
        self.problem.is_none()
            && std::fs::read_dir(&self.grants).is_ok_and(|mut entries| {
                entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".json")))
            })
    }

    /// Every grant in the store (none when the store is not trusted).
    pub fn grants(&self) -> Vec<Grant> {
        if self.problem.is_some() {
            return Vec::new();
        }
        let Ok(entries) = std::fs::read_dir(&self.grants) else {
            return Vec::new();
        };
        let mut out: Vec<Grant> = entries
            .filter_map(Result::ok)
            .take(MAX_GRANTS)
            .filter_map(|e| {
                let g = read_json::<Grant>(&e.path()).ok()?;
                // A file whose name is not its id is not one of ours.
                (safe_name(&g.id) == g.id
                    && e.file_name().to_string_lossy() == format!("{}.json", g.id))
                .then_some(g)
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// One grant.
    pub fn grant(&self, id: &str) -> Option<Grant> {
        if self.problem.is_some() || safe_name(id) != id {
            return None;
        }
        read_json(&self.grants.join(format!("{id}.json"))).ok()
    }

    /// Writes a grant (a new file or a changed state), atomically.
    pub fn write_grant(&self, g: &Grant) -> Result<(), String> {
        if let Some(p) = &self.problem {
            return Err(p.clone());
        }
        write_json(&self.grants, &format!("{}.json", safe_name(&g.id)), g)
    }

    /// Whether a one-use grant was used.
    pub fn is_used(&self, id: &str) -> bool {
        self.used.join(safe_name(id)).exists()
    }

    /// Uses a one-use grant: true for exactly one caller. The marker records the
    /// process that used it and whether it was a hook (see [`Store::used_by`]).
    pub fn consume(&self, id: &str, by_hook: bool) -> bool {
        if mkdir_private(&self.used).is_err() {
            return false;
        }
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(self.used.join(safe_name(id)))
        {
            Ok(mut f) => {
                let via = if by_hook { "hook" } else { "run" };
                let _ = writeln!(f, "{} {via}", std::process::id());
                true
            }
            Err(_) => false,
        }
    }

    /// Takes over the use a hook made of a one-use grant: the harness's run of the
    /// command through shell mode is that use, and no later run may claim it.
    pub fn take_over(&self, id: &str) {
        let _ = std::fs::write(
            self.used.join(safe_name(id)),
            format!("{} run\n", std::process::id()),
        );
    }

    /// Who used a one-use grant, when the marker says: the process, whether it was a
    /// hook, and how many seconds ago.
    pub fn used_by(&self, id: &str) -> Option<(u32, bool, u64)> {
        let path = self.used.join(safe_name(id));
        let text = std::fs::read_to_string(&path).ok()?;
        let mut words = text.split_whitespace();
        let pid = words.next()?.parse().ok()?;
        let hook = words.next() == Some("hook");
        let age = std::fs::metadata(&path)
            .ok()?
            .modified()
            .ok()?
            .elapsed()
            .map_or(0, |d| d.as_secs());
        Some((pid, hook, age))
    }

    /// The verdict file of a proposal.
    fn verdict_path(&self, proposal: &str) -> PathBuf {
        self.grants
            .join("verdicts")
            .join(format!("{}.json", safe_name(proposal)))
    }

    /// A human's verdict on a proposal, when there is one.
    pub fn verdict(&self, proposal: &str) -> Option<super::proposal::Verdict> {
        if self.problem.is_some() {
            return None;
        }
        read_json(&self.verdict_path(proposal)).ok()
    }

    /// Records a verdict.
    pub fn write_verdict(&self, v: &super::proposal::Verdict) -> Result<(), String> {
        if let Some(p) = &self.problem {
            return Err(p.clone());
        }
        write_json(
            &self.grants.join("verdicts"),
            &format!("{}.json", safe_name(&v.proposal)),
            v,
        )
    }
}

/// Only the characters our ids use: a crafted id cannot name a path elsewhere.
pub fn safe_name(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect()
}

/// Why a tier B store cannot be trusted: it must be a directory owned by root and
/// writable by no one else (nor may its parent be), or a non-root user could plant grants.
fn root_owned_problem(dir: &Path) -> Option<String> {
    let check = |p: &Path| -> Option<String> {
        let meta = match std::fs::symlink_metadata(p) {
            Ok(m) => m,
            Err(e) => {
                return Some(format!(
                    "the grant store `{}` cannot be read ({e}): create it as root with mode 0755",
                    p.display()
                ));
            }
        };
        if !meta.is_dir() {
            return Some(format!(
                "the grant store `{}` is not a directory",
                p.display()
            ));
        }
        if meta.uid() != 0 || meta.mode() & 0o022 != 0 {
            return Some(format!(
                "the grant store `{}` must be owned by root and writable only by root (it is uid {} mode {:o}): `sudo chown root: {0} && sudo chmod 755 {0}`",
                p.display(),
                meta.uid(),
                meta.mode() & 0o7777
            ));
        }
        None
    };
    check(dir).or_else(|| dir.parent().and_then(check))
}

fn mkdir_private(dir: &Path) -> std::io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Reads a JSON file: regular, not a symlink, capped.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(
            rustix::fs::OFlags::NOFOLLOW.bits() as i32 | rustix::fs::OFlags::NONBLOCK.bits() as i32,
        )
        .open(path)
        .map_err(|e| format!("cannot read `{}` ({e})", path.display()))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read `{}` ({e})", path.display()))?;
    if !meta.is_file() || meta.len() > MAX_FILE {
        return Err(format!(
            "`{}` is not a regular file of at most {MAX_FILE} bytes",
            path.display()
        ));
    }
    let mut text = String::new();
    use std::io::Read;
    file.take(MAX_FILE)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read `{}` ({e})", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("`{}` is not valid ({e})", path.display()))
}

/// Writes a JSON file atomically (a temp file in the directory, then renamed), creating
/// the directory private to its owner (tier B stores are created by root, readable by
/// all, so grants are world-readable there: they hold no secret).
pub fn write_json<T: serde::Serialize>(dir: &Path, name: &str, value: &T) -> Result<(), String> {
    let world_readable = rustix::process::geteuid().is_root();
    let mode = if world_readable { 0o755 } else { 0o700 };
    DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(dir)
        .map_err(|e| format!("cannot create `{}` ({e})", dir.display()))?;
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot write in `{}` ({e})", dir.display()))?;
    let file_mode = if world_readable { 0o644 } else { 0o600 };
    let _ = tmp
        .as_file()
        .set_permissions(std::fs::Permissions::from_mode(file_mode));
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.write_all(b"\n"))
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write in `{}` ({e})", dir.display()))?;
    tmp.persist(dir.join(name))
        .map_err(|e| format!("cannot write `{}` ({})", dir.join(name).display(), e.error))?;
    Ok(())
}
