//! Native artifacts: does each harness's live permission file still carry what
//! `sync --apply` put there, and was it written for the current policy_hash?
//!
//! Which entries are ours comes from the ledger `sync --apply` keeps
//! (`~/.local/state/policy-exec/applied.json`, with the policy_hash of the last apply);
//! the Codex rules file is ours whole and names its policy_hash in its first line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Check, Context, Status, read_json};
use crate::render::hosts::{self, Host};

/// The ledger, as far as it could be read.
#[derive(Debug, Clone)]
pub(crate) enum Ledger {
    /// Read.
    Read {
        /// The policy_hash of the last apply.
        policy_hash: Option<String>,
        /// Our entries per file and list key.
        files: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    },
    /// Not there: `sync --apply` never ran for this home.
    Missing(PathBuf),
    /// Unreadable or not a ledger: why.
    Broken(String),
}

impl Ledger {
    /// Reads `<home>/.local/state/policy-exec/applied.json`.
    pub(crate) fn read(home: &Path) -> Ledger {
        let path = crate::render::apply::Targets::under_home(home).ledger;
        let v = match read_json(&path) {
            Ok(Some(v)) => v,
            Ok(None) => return Ledger::Missing(path),
            Err(why) => return Ledger::Broken(why),
        };
        let files = v
            .get("files")
            .cloned()
            .map(serde_json::from_value)
            .transpose();
        match files {
            Ok(files) => Ledger::Read {
                policy_hash: v
                    .get("policy_hash")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                files: files.unwrap_or_default(),
            },
            Err(e) => Ledger::Broken(format!(
                "`{}` is not a policy-exec ledger ({e})",
                path.display()
            )),
        }
    }
}

/// The strings of the list at a dotted key (`permissions.allow`), if it is one; for a
/// key `map:value` (OpenCode's `permission.bash:deny`), the map's keys with that value.
fn list_at<'a>(root: &'a Value, dotted: &str) -> Vec<&'a str> {
    if let Some((map, value)) = dotted.split_once(':') {
        return map
            .split('.')
            .try_fold(root, |v, k| v.get(k))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| v.as_str() == Some(value))
                    .map(|(k, _)| k.as_str())
                    .collect()
            })
            .unwrap_or_default();
    }
    dotted
        .split('.')
        .try_fold(root, |v, k| v.get(k))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The native-file check for one host.
pub(crate) fn native(ctx: &Context, host: Host, ledger: &Ledger, current: Option<&str>) -> Check {
    let path = ctx.home.join(host.live_path());
    let shown = path.display().to_string();
    let fail = |detail: String| Check {
        name: "native",
        status: Status::Fail,
        detail,
        fix: Some(ctx.sync_fix()),
    };
    let never_installed = || {
        fail(format!(
            "`{shown}` does not exist: `policy-exec sync --apply` has not installed {}'s native rules",
            host.name()
        ))
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return fail(format!("cannot read `{shown}` ({e})")),
    };
    let (synced, held) = if host.whole_file() {
        // The rules file is ours whole and always written, if only with its header.
        let Some(text) = text else {
            return never_installed();
        };
        match hosts::codex_header_hash(&text) {
            Some(h) => (Some(h.to_string()), "generated".to_string()),
            None => {
                return fail(format!(
                    "`{shown}` was not written by `policy-exec sync` (its first line is not our header)"
                ));
            }
        }
    } else {
        let (policy_hash, files) = match ledger {
            Ledger::Read { policy_hash, files } => (policy_hash, files),
            Ledger::Missing(_) if text.is_none() => return never_installed(),
            Ledger::Missing(l) => {
                return fail(format!(
                    "no ledger `{}`: which entries of `{shown}` are ours is unknown",
                    l.display()
                ));
            }
            Ledger::Broken(why) => return fail(why.clone()),
        };
        // The ledger names a symlinked file by its target.
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        let ours = files
            .get(&shown)
            .or_else(|| files.get(&canonical.display().to_string()))
            .filter(|lists| lists.values().any(|l| !l.is_empty()));
        let root: Value = match (&text, ours) {
            (Some(t), _) => match serde_json::from_str(t) {
                Ok(v) => v,
                Err(e) => return fail(format!("`{shown}` is not valid JSON ({e})")),
            },
            // `sync --apply` creates no file for a harness it has nothing to give.
            (None, None) => Value::Null,
            (None, Some(_)) => {
                return fail(format!(
                    "`{shown}` does not exist, but the ledger says it holds entries of ours: something removed it"
                ));
            }
        };
        let mut count = 0;
        let mut lost = Vec::new();
        for (key, entries) in ours.into_iter().flatten() {
            let live = list_at(&root, key);
            count += entries.len();
            lost.extend(
                entries
                    .iter()
                    .filter(|e| !live.contains(&e.as_str()))
                    .map(|e| format!("`{e}` in `{key}`")),
            );
        }
        if let Some(first) = lost.first() {
            return fail(format!(
                "`{shown}` lacks {} of our {count} entries (first: {first}): something removed them",
                lost.len()
            ));
        }
        let held = if text.is_none() {
            "not needed: the policy renders no native rules for it".to_string()
        } else {
            format!("entries of ours: {count}")
        };
        (policy_hash.clone(), held)
    };
    match (synced, current) {
        (Some(s), Some(c)) if s == c => Check {
            name: "native",
            status: Status::Ok,
            detail: format!("`{shown}`: {held}, fresh (policy_hash {s})"),
            fix: None,
        },
        (Some(s), Some(c)) => fail(format!(
            "`{shown}` is stale: synced from policy_hash {s}, the current policy_hash is {c}"
        )),
        (None, Some(c)) => fail(format!(
            "`{shown}`: the ledger names no policy_hash, so it cannot be fresh for {c}"
        )),
        (synced, None) => Check {
            name: "native",
            status: Status::Warn,
            detail: format!(
                "`{shown}`: {held} (policy_hash {}); freshness unknown: no current policy_hash",
                synced.as_deref().unwrap_or("unknown")
            ),
            fix: Some("policy-exec doctor --policy-json <resolved.json>".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case("permissions.allow", &["Bash(git status:*)"])]
    #[case("commandAllowlist", &["ls"])]
    #[case("permissions.deny", &[])]
    #[case("nothing.here", &[])]
    #[case("permission.bash:deny", &["git reset --hard *"])]
    #[case("permission.bash:allow", &["git status *"])]
    fn list_at_follows_dotted_keys(#[case] key: &str, #[case] want: &[&str]) {
        let v = json!({"permissions": {"allow": ["Bash(git status:*)"], "deny": "x"},
                       "commandAllowlist": ["ls", 3],
                       "permission": {"bash": {"*": "ask", "git status *": "allow",
                                               "git reset --hard *": "deny"}}});
        assert_eq!(list_at(&v, key), want);
    }
}
