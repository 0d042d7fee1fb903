//! `sync --apply`: merges rendered entries into the harnesses' live files.
//!
//! What it guarantees:
//! - Other keys and the user's own entries are kept; only entries policy-exec added are
//!   ever removed. Which entries are ours is recorded in a ledger
//!   (`~/.local/state/policy-exec/applied.json`), not in the harness files, because the
//!   harnesses rewrite their own settings and would drop a key they do not know.
//! - An entry the user already had is never claimed: if the policy later drops it, the
//!   user's entry stays.
//! - The reference's in-array markers (`__POLICY_CONTRACT_MANAGED_START__`/`_END__`) are
//!   removed with the entries between them, which the reference generated from a policy
//!   (they are replaced by this rendering; the backup keeps them).
//! - A malformed existing file is refused before anything is written.
//! - All files are staged first (temp file in the target's directory, fsynced); only when
//!   every file is staged are they renamed into place, each after a backup of the old
//!   one. A failure while staging leaves every file untouched; a failure while renaming
//!   leaves each file either fully old or fully new.
//! - A second run with the same policy changes nothing (no write, no backup).
//! - A symlinked settings file (dotfile managers) is updated at its target.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::hosts::{Host, HostRender};

/// The reference's start marker inside JSON arrays.
pub const REFERENCE_MARKER_START: &str = "__POLICY_CONTRACT_MANAGED_START__";
/// The reference's end marker inside JSON arrays.
pub const REFERENCE_MARKER_END: &str = "__POLICY_CONTRACT_MANAGED_END__";

/// A failure applying.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// An existing file cannot be merged into.
    #[error(
        "`{path}` {why}: fix or move it, then run `policy-exec sync --apply` again (nothing was changed)"
    )]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A file changed between planning and writing (someone else edited it).
    #[error(
        "`{path}` changed while policy-exec was updating it: run `policy-exec sync --apply` again ({committed} file(s) before it were already updated; it was left as the other writer left it)"
    )]
    Changed {
        /// The file.
        path: PathBuf,
        /// Files already replaced.
        committed: usize,
    },
    /// A file could not be read, staged or written.
    #[error("cannot write `{path}` ({source}){}", if *.committed == 0 { ": nothing was changed" } else { "" })]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
        /// Files already replaced when it failed.
        committed: usize,
    },
}

/// Where to apply.
#[derive(Debug, Clone)]
pub struct Targets {
    /// The home directory.
    pub home: PathBuf,
    /// The live file for each host.
    pub files: BTreeMap<Host, PathBuf>,
    /// The ledger of entries we own.
    pub ledger: PathBuf,
}

impl Targets {
    /// The default paths under a home directory.
    pub fn under_home(home: &Path) -> Targets {
        Targets {
            home: home.to_path_buf(),
            files: Host::ALL
                .iter()
                .map(|&h| (h, home.join(h.live_path())))
                .collect(),
            ledger: home.join(".local/state/policy-exec/applied.json"),
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileChange {
    /// The host (or `policy-exec` for the bundle and manifest).
    pub host: String,
    /// The file written (symlinks resolved).
    pub path: PathBuf,
    /// created | updated | unchanged | not needed (absent, and nothing to put in it).
    pub status: &'static str,
    /// The backup of the previous content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<PathBuf>,
    /// Our entries added.
    pub added: usize,
    /// Our stale entries removed.
    pub removed: usize,
    /// The reference's marker strings removed.
    pub markers_removed: usize,
}

/// A file ready to be written, with its new text.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Who the file is for.
    pub host: String,
    /// The file.
    pub path: PathBuf,
    /// The new text (None: unchanged).
    pub text: Option<String>,
    /// Whether it exists now.
    pub exists: bool,
    /// Counts for the report.
    pub added: usize,
    /// Stale entries removed.
    pub removed: usize,
    /// Marker strings removed.
    pub markers_removed: usize,
    /// The file's content when it was planned (None: absent), checked again just before
    /// it is replaced so a concurrent edit is never overwritten.
    pub original: Option<String>,
}

/// The ledger: our entries per file and list.
pub(crate) type Ledger = BTreeMap<String, BTreeMap<String, Vec<String>>>;

pub(crate) fn read_ledger(path: &Path) -> Result<Ledger, ApplyError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::new()),
        Err(source) => {
            return Err(ApplyError::Write {
                path: path.to_path_buf(),
                source,
                committed: 0,
            });
        }
    };
    let v: Value = serde_json::from_str(&text).map_err(|e| ApplyError::Malformed {
        path: path.to_path_buf(),
        why: format!("is not valid JSON ({e})"),
    })?;
    let Some(files) = v.get("files") else {
        return Err(ApplyError::Malformed {
            path: path.to_path_buf(),
            why: "is not a policy-exec ledger (no `files`)".into(),
        });
    };
    serde_json::from_value(files.clone()).map_err(|e| ApplyError::Malformed {
        path: path.to_path_buf(),
        why: format!("is not a policy-exec ledger ({e})"),
    })
}

/// The policy_hash the ledger was last written for, when it can be read.
fn ledger_policy_hash(ledger: &Path) -> Option<String> {
    let text = std::fs::read_to_string(ledger).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v.get("policy_hash")?.as_str().map(str::to_string)
}

fn ledger_text(ledger: &Ledger, policy_hash: &str) -> String {
    let v = json!({
        "schema_version": 1,
        "policy_hash": policy_hash,
        "note": "entries `policy-exec sync --apply` added to each file; a later sync removes them when the policy drops them",
        "files": ledger,
    });
    let mut t = serde_json::to_string_pretty(&v).unwrap_or_default();
    t.push('\n');
    t
}

/// The file to write for `path`: its target when it is a symlink.
/// The file to write for `path`, canonical (symlinks in it and in its directories
/// resolved), so the ledger names each file one way however it is reached.
fn real_target(path: &Path) -> Result<PathBuf, ApplyError> {
    let fail = |source| ApplyError::Write {
        path: path.to_path_buf(),
        source,
        committed: 0,
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => path.canonicalize().map_err(fail),
        Ok(_) => path.canonicalize().map_err(fail),
        Err(_) => {
            // Not there yet: canonicalise the nearest existing ancestor.
            let mut existing = path.to_path_buf();
            let mut rest = Vec::new();
            while !existing.exists() {
                let Some(name) = existing.file_name().map(|n| n.to_os_string()) else {
                    return Ok(path.to_path_buf());
                };
                rest.push(name);
                if !existing.pop() {
                    return Ok(path.to_path_buf());
                }
            }
            let mut out = existing.canonicalize().map_err(fail)?;
            out.extend(rest.iter().rev());
            Ok(out)
        }
    }
}

/// Reads a live file for merging: its text (None when absent). A read-only file is
/// refused: someone marked it as not to be changed.
pub(crate) fn read_live(path: &Path) -> Result<Option<String>, ApplyError> {
    match std::fs::read_to_string(path) {
        Ok(t) => {
            if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
                return Err(malformed(
                    path,
                    "is read-only: make it writable if policy-exec may change it",
                ));
            }
            Ok(Some(t))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            Err(malformed(path, "is not UTF-8 text"))
        }
        Err(source) => Err(ApplyError::Write {
            path: path.to_path_buf(),
            source,
            committed: 0,
        }),
    }
}

/// Parses a live JSON settings file: empty is `{}`; invalid JSON, a duplicate key (the
/// first value would be lost silently) or anything but an object is refused.
pub(crate) fn parse_settings(text: Option<&str>, path: &Path) -> Result<Value, ApplyError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(json!({}));
    };
    let mut de = serde_json::Deserializer::from_str(text);
    serde::Deserialize::deserialize(&mut de)
        .map(|NoDuplicates| ())
        .map_err(|e| malformed(path, format!("is not valid JSON ({e})")))?;
    let v: Value = serde_json::from_str(text)
        .map_err(|e| malformed(path, format!("is not valid JSON ({e})")))?;
    if !v.is_object() {
        return Err(malformed(path, "is not a JSON object"));
    }
    Ok(v)
}

/// A JSON document walked only to find duplicate object keys.
struct NoDuplicates;

impl<'de> serde::Deserialize<'de> for NoDuplicates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicatesVisitor {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<NoDuplicates, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<NoDuplicates, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(NoDuplicates)
    }
}

/// Reads the list at a dotted path, checking every step's type.
fn list_at<'a>(
    root: &'a Value,
    dotted: &str,
    path: &Path,
) -> Result<Option<&'a Vec<Value>>, ApplyError> {
    let mut cur = root;
    let parts: Vec<&str> = dotted.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        let Some(next) = cur.get(*p) else {
            return Ok(None);
        };
        let last = i + 1 == parts.len();
        if last {
            return match next {
                Value::Array(a) => Ok(Some(a)),
                Value::Null => Ok(None),
                _ => Err(ApplyError::Malformed {
                    path: path.to_path_buf(),
                    why: format!("has `{dotted}` that is not a list"),
                }),
            };
        }
        if !next.is_object() {
            return Err(ApplyError::Malformed {
                path: path.to_path_buf(),
                why: format!(
                    "has `{}` that is not an object",
                    parts.get(..=i).unwrap_or_default().join(".")
                ),
            });
        }
        cur = next;
    }
    Ok(None)
}

/// Sets the value at a dotted path in a JSON object, creating objects on the way.
pub(crate) fn set_path(root: &mut Value, dotted: &str, value: Value) {
    let mut cur = root;
    let parts: Vec<&str> = dotted.split('.').collect();
    let Some((last, parents)) = parts.split_last() else {
        return;
    };
    for p in parents {
        if !cur.get(*p).is_some_and(Value::is_object)
            && let Some(o) = cur.as_object_mut()
        {
            o.insert((*p).to_string(), json!({}));
        }
        let Some(next) = cur.get_mut(*p) else {
            return;
        };
        cur = next;
    }
    if let Some(o) = cur.as_object_mut() {
        o.insert((*last).to_string(), value);
    }
}

/// One JSON file merged: old and new content, the entries now ours, and counts.
struct Merged {
    old: Value,
    new: Value,
    owned: BTreeMap<String, Vec<String>>,
    added: usize,
    removed: usize,
    markers: usize,
}

/// Merges one JSON host's entries into its existing file content.
fn merge_json(
    render: &HostRender,
    path: &Path,
    existing: Option<&str>,
    owned_before: &BTreeMap<String, Vec<String>>,
) -> Result<Merged, ApplyError> {
    let old = parse_settings(existing, path)?;
    let mut new = old.clone();
    let mut owned = BTreeMap::new();
    let (mut added, mut removed, mut markers) = (0, 0, 0);
    for (key, rendered) in &render.lists {
        let before: Vec<Value> = list_at(&old, key, path)?.cloned().unwrap_or_default();
        let ours_before: Vec<&String> = owned_before
            .get(*key)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        let mut user: Vec<Value> = Vec::new();
        // Entries between the reference's markers were written by the reference from a
        // policy: they are replaced by this rendering, never adopted as the user's (the
        // reference rendered conditional allows as plain allows).
        let mut in_reference_block = false;
        for item in &before {
            match item.as_str() {
                Some(REFERENCE_MARKER_START) => {
                    markers += 1;
                    in_reference_block = true;
                }
                Some(REFERENCE_MARKER_END) => {
                    markers += 1;
                    in_reference_block = false;
                }
                Some(s) if in_reference_block => {
                    if !rendered.iter().any(|r| r == s) {
                        removed += 1;
                    }
                }
                Some(s) if ours_before.iter().any(|o| o.as_str() == s) => {
                    if !rendered.iter().any(|r| r == s) {
                        removed += 1;
                    }
                }
                _ => user.push(item.clone()),
            }
        }
        let mut ours = Vec::new();
        for r in rendered {
            let held_by_user = user.iter().any(|u| u.as_str() == Some(r.as_str()));
            if !held_by_user {
                if !ours_before.contains(&r) {
                    added += 1;
                }
                ours.push(r.clone());
            }
        }
        if before.is_empty() && ours.is_empty() && list_at(&old, key, path)?.is_none() {
            continue;
        }
        let mut list = user;
        list.extend(ours.iter().map(|s| json!(s)));
        set_path(&mut new, key, Value::Array(list));
        if !ours.is_empty() {
            owned.insert((*key).to_string(), ours);
        }
    }
    Ok(Merged {
        old,
        new,
        owned,
        added,
        removed,
        markers,
    })
}

/// How strict an OpenCode permission value is (an unknown value counts as the least).
fn opencode_rank(value: Option<&str>) -> u8 {
    match value {
        Some("deny") => 3,
        Some("ask") => 2,
        Some("allow") => 1,
        _ => 0,
    }
}

/// Merges our entries into OpenCode's `permission.bash` map, where the last matching
/// key wins. The order written: a leading user `"*"` key, our allows, the user's other
/// keys in their order, our asks, our denies. So our denies beat every allow, and a
/// user's own narrower key still beats our allows. A key the user already holds as
/// strictly (or more) stays the user's; one the user holds less strictly becomes ours
/// with our decision. A `"bash": "<value>"` string is the map `{"*": value}`.
fn merge_opencode(
    render: &HostRender,
    path: &Path,
    existing: Option<&str>,
    owned_before: &BTreeMap<String, Vec<String>>,
) -> Result<Merged, ApplyError> {
    use super::hosts::{OPENCODE_ALLOW, OPENCODE_ASK, OPENCODE_DENY};
    let old = parse_settings(existing, path)?;
    let mut new = old.clone();
    let permission = match old.get("permission") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => Some(p),
        Some(_) => return Err(malformed(path, "has `permission` that is not an object")),
    };
    let user_map: serde_json::Map<String, Value> = match permission.and_then(|p| p.get("bash")) {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(Value::String(v)) => {
            let mut m = serde_json::Map::new();
            m.insert("*".into(), json!(v));
            m
        }
        Some(_) => {
            return Err(malformed(
                path,
                "has `permission.bash` that is neither a decision nor an object",
            ));
        }
    };
    let had_bash = permission.is_some_and(|p| p.contains_key("bash"));
    let ours_before: Vec<&String> = owned_before.values().flatten().collect();
    // Our keys now, strictest decision per key.
    let mut wanted: Vec<(String, &'static str)> = Vec::new();
    for (list, value) in [
        (OPENCODE_ALLOW, "allow"),
        (OPENCODE_ASK, "ask"),
        (OPENCODE_DENY, "deny"),
    ] {
        for key in render.lists.get(list).into_iter().flatten() {
            wanted.retain(|(k, _)| k != key);
            wanted.push((key.clone(), value));
        }
    }
    let (mut added, mut removed) = (0, 0);
    let mut user: Vec<(String, Value)> = Vec::new();
    for (k, v) in &user_map {
        if ours_before.contains(&k) {
            if !wanted.iter().any(|(w, _)| w == k) {
                removed += 1;
            }
        } else {
            user.push((k.clone(), v.clone()));
        }
    }
    let mut ours: Vec<(String, &'static str)> = Vec::new();
    for (key, value) in wanted {
        if let Some(at) = user.iter().position(|(k, _)| *k == key) {
            let held = user.get(at).and_then(|(_, v)| v.as_str());
            if opencode_rank(held) >= opencode_rank(Some(value)) {
                continue;
            }
            user.remove(at);
        }
        if !ours_before.iter().any(|o| **o == key) {
            added += 1;
        }
        ours.push((key, value));
    }
    let mut owned: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in &ours {
        let list = match *value {
            "allow" => OPENCODE_ALLOW,
            "ask" => OPENCODE_ASK,
            _ => OPENCODE_DENY,
        };
        owned.entry(list.to_string()).or_default().push(key.clone());
    }
    if had_bash || !ours.is_empty() {
        let mut map = serde_json::Map::new();
        let mut rest = user.into_iter().peekable();
        if let Some((k, v)) = rest.next_if(|(k, _)| k == "*") {
            map.insert(k, v);
        }
        let ours_with = |value: &'static str| {
            ours.iter()
                .filter(move |(_, v)| *v == value)
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect::<Vec<_>>()
        };
        map.extend(ours_with("allow"));
        map.extend(rest);
        map.extend(ours_with("ask"));
        map.extend(ours_with("deny"));
        set_path(&mut new, "permission.bash", Value::Object(map));
    }
    Ok(Merged {
        old,
        new,
        owned,
        added,
        removed,
        markers: 0,
    })
}

/// Works out every file's new content. Nothing is written.
pub fn plan(
    renders: &[HostRender],
    targets: &Targets,
) -> Result<(Vec<Planned>, Ledger, Ledger), ApplyError> {
    let before = read_ledger(&targets.ledger)?;
    let mut after = before.clone();
    let mut planned = Vec::new();
    for render in renders {
        let Some(given) = targets.files.get(&render.host) else {
            continue;
        };
        let path = real_target(given)?;
        let key = path.display().to_string();
        // A file reached another way before (moved into a dotfiles directory and linked
        // back) keeps its entries: the ledger is also read under the path as given.
        let alias = given.display().to_string();
        if alias != key
            && let Some(old) = after.remove(&alias)
        {
            let slot = after.entry(key.clone()).or_default();
            for (list, entries) in old {
                let mine = slot.entry(list).or_default();
                for e in entries {
                    if !mine.contains(&e) {
                        mine.push(e);
                    }
                }
            }
        }
        let before_here = after.get(&key).cloned().unwrap_or_default();
        let existing = read_live(&path)?;
        let mut p = Planned {
            host: render.host.name().to_string(),
            path: path.clone(),
            text: None,
            exists: existing.is_some(),
            added: 0,
            removed: 0,
            markers_removed: 0,
            original: existing.clone(),
        };
        if render.host.whole_file() {
            // The whole file is ours (`policy-exec.rules`, never Codex's default.rules;
            // `policy-exec.toml` among Gemini's policy files).
            if existing.as_deref() != Some(render.text.as_str()) {
                p.text = Some(render.text.clone());
                p.added = render
                    .rules
                    .iter()
                    .filter(|r| r.host_action.is_some())
                    .count();
            }
            after.remove(&key);
        } else {
            let m = if render.host == Host::OpenCode {
                merge_opencode(render, &path, existing.as_deref(), &before_here)?
            } else {
                merge_json(render, &path, existing.as_deref(), &before_here)?
            };
            p.added = m.added;
            p.removed = m.removed;
            p.markers_removed = m.markers;
            // A harness with nothing to hold gets no new file.
            let nothing_to_add = existing.is_none() && m.owned.is_empty();
            if (m.new != m.old || existing.is_none()) && !nothing_to_add {
                let mut t = serde_json::to_string_pretty(&m.new).unwrap_or_default();
                t.push('\n');
                p.text = Some(t);
            }
            if m.owned.is_empty() {
                after.remove(&key);
            } else {
                after.insert(key, m.owned);
            }
        }
        planned.push(p);
    }
    Ok((planned, before, after))
}

/// A file written to a temp file beside its target, not yet renamed.
struct Staged {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

fn write_err(path: &Path, committed: usize) -> impl Fn(std::io::Error) -> ApplyError + '_ {
    move |source| ApplyError::Write {
        path: path.to_path_buf(),
        source,
        committed,
    }
}

/// Writes `text` to a temp file in `path`'s directory (created if needed), fsynced, with
/// the old file's permissions (or 0600).
fn stage(path: &Path, text: &str) -> Result<Staged, ApplyError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(write_err(dir, 0))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".policy-exec-")
        .tempfile_in(dir)
        .map_err(write_err(path, 0))?;
    tmp.write_all(text.as_bytes()).map_err(write_err(path, 0))?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(write_err(path, 0))?;
    }
    tmp.as_file().sync_all().map_err(write_err(path, 0))?;
    Ok(Staged {
        tmp,
        path: path.to_path_buf(),
    })
}

/// Renames a staged file into place and syncs its directory.
fn commit(staged: Staged, committed: usize) -> Result<(), ApplyError> {
    let path = staged.path.clone();
    staged
        .tmp
        .persist(&path)
        .map_err(|e| write_err(&path, committed)(e.error))?;
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// `YYYYmmddTHHMMSSZ` for backup names, from the system clock (UTC).
fn timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// How many backups of one file are kept: the newest ones.
pub const KEEP_BACKUPS: usize = 3;

/// Removes all but the newest [`KEEP_BACKUPS`] backups of `path` (their names sort by
/// time). A backup that cannot be removed stays: it is only a backup.
pub fn prune_backups(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let prefix = format!("{}.policy-exec-backup.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut backups: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(KEEP_BACKUPS);
    for old in backups.iter().take(excess) {
        let _ = std::fs::remove_file(old);
    }
}

/// A backup path beside `path` that does not exist yet.
pub(crate) fn backup_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stamp = timestamp();
    let mut candidate = path.with_file_name(format!("{name}.policy-exec-backup.{stamp}"));
    let mut n = 1;
    while candidate.exists() {
        candidate = path.with_file_name(format!("{name}.policy-exec-backup.{stamp}.{n}"));
        n += 1;
    }
    candidate
}

/// Stages every changed file, then commits them all, with backups and the ledger.
pub fn write(
    planned: &[Planned],
    before: &Ledger,
    after: &Ledger,
    ledger: &Path,
    policy_hash: &str,
) -> Result<Vec<FileChange>, ApplyError> {
    // Each harness file as it was before we first changed it, for `uninstall`. Our own
    // files (bundle, manifest) are not harness files.
    let pristine = super::pristine::Pristine::beside(ledger);
    for p in planned
        .iter()
        .filter(|p| p.text.is_some() && p.host != "policy-exec")
    {
        pristine
            .remember(&p.path, p.original.as_deref())
            .map_err(write_err(ledger, 0))?;
    }
    // Phase 1: stage everything. Any failure here leaves every file untouched.
    let mut staged = Vec::new();
    for p in planned {
        if let Some(text) = &p.text {
            staged.push((p, stage(&p.path, text)?));
        }
    }
    let mut changes: Vec<FileChange> = planned
        .iter()
        .filter(|p| p.text.is_none())
        .map(|p| FileChange {
            host: p.host.clone(),
            path: p.path.clone(),
            // A harness the policy gives nothing to hold gets no file.
            status: if p.exists { "unchanged" } else { "not needed" },
            backup: None,
            added: 0,
            removed: 0,
            markers_removed: 0,
        })
        .collect();
    let ledger_hash = ledger_policy_hash(ledger);
    if staged.is_empty() && before == after && ledger_hash.as_deref() == Some(policy_hash) {
        return Ok(changes);
    }
    // The ledger first names everything that may be ours after this run, so a crash
    // part-way never leaves one of our entries unrecorded.
    let mut union = before.clone();
    for (file, lists) in after {
        let slot = union.entry(file.clone()).or_default();
        for (key, entries) in lists {
            let list = slot.entry(key.clone()).or_default();
            for e in entries {
                if !list.contains(e) {
                    list.push(e.clone());
                }
            }
        }
    }
    let ledger_stage = stage(ledger, &ledger_text(&union, policy_hash))?;
    commit(ledger_stage, 0)?;
    // Phase 2: back up and rename, file by file.
    let mut committed = 0;
    for (p, s) in staged {
        let backup = if p.exists {
            let b = backup_path(&p.path);
            let old = std::fs::read(&p.path).map_err(write_err(&p.path, committed))?;
            let mut tmp = tempfile::Builder::new()
                .prefix(".policy-exec-")
                .tempfile_in(b.parent().unwrap_or(Path::new(".")))
                .map_err(write_err(&b, committed))?;
            tmp.write_all(&old).map_err(write_err(&b, committed))?;
            tmp.as_file().sync_all().map_err(write_err(&b, committed))?;
            tmp.persist(&b)
                .map_err(|e| write_err(&b, committed)(e.error))?;
            prune_backups(&p.path);
            Some(b)
        } else {
            None
        };
        // As late as possible: the file must still be what the plan was made from.
        let now = std::fs::read_to_string(&p.path).ok();
        if now != p.original {
            return Err(ApplyError::Changed {
                path: p.path.clone(),
                committed,
            });
        }
        commit(s, committed)?;
        committed += 1;
        changes.push(FileChange {
            host: p.host.clone(),
            path: p.path.clone(),
            status: if p.exists { "updated" } else { "created" },
            backup,
            added: p.added,
            removed: p.removed,
            markers_removed: p.markers_removed,
        });
    }
    let final_stage = stage(ledger, &ledger_text(after, policy_hash))?;
    commit(final_stage, committed)?;
    Ok(changes)
}

/// A harness hook file and the entry `sync --apply --hooks` keeps in it.
#[derive(Debug, Clone)]
pub struct HookTarget {
    /// The harness name given to `policy-exec hook`.
    pub harness: &'static str,
    /// The file holding the hook configuration.
    pub path: PathBuf,
}

/// The hook files under a home directory (Claude's and Gemini's hooks live in their
/// settings files; Copilot reads every file in `~/.copilot/hooks/`).
pub fn hook_targets(home: &Path) -> Vec<HookTarget> {
    [
        ("claude", ".claude/settings.json"),
        ("droid", ".factory/hooks.json"),
        ("cursor", ".cursor/hooks.json"),
        ("codex", ".codex/hooks.json"),
        ("gemini", ".gemini/settings.json"),
        ("copilot", ".copilot/hooks/policy-exec.json"),
    ]
    .into_iter()
    .map(|(harness, rel)| HookTarget {
        harness,
        path: home.join(rel),
    })
    .collect()
}

/// The hook option that pins an entry to the installation it was written for.
pub const PIN_FLAG: &str = "--installation";

/// A path as one shell word: as it is when plain, else single-quoted.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The command a hook entry runs: this binary, quoted for a shell when needed, pinned
/// to the installation `sync --apply` wrote (so a hook run with another `HOME` or
/// `XDG_CONFIG_HOME` still judges with it, or refuses when it is gone).
pub fn hook_command(exe: &Path, harness: &str, installation: Option<&Path>) -> String {
    let base = format!("{} hook {harness}", shell_word(exe));
    match installation {
        Some(dir) => format!("{base} {PIN_FLAG} {}", shell_word(dir)),
        None => base,
    }
}

/// A hook command split into its program part (before ` hook <harness>`) when it has
/// the shape [`hook_command`] writes: nothing after the harness, or the pin.
fn split_hook<'a>(command: &'a str, harness: &str) -> Option<&'a str> {
    let marker = format!(" hook {harness}");
    let at = command.rfind(&marker)?;
    let tail = command.get(at + marker.len()..)?;
    (tail.is_empty() || tail.starts_with(&format!(" {PIN_FLAG} "))).then_some(())?;
    command.get(..at)
}

/// Is this hook command one of ours (any policy-exec binary, this harness)?
pub(crate) fn is_our_hook(command: &str, harness: &str) -> bool {
    let Some(rest) = split_hook(command, harness) else {
        return false;
    };
    let program = rest.trim_matches('\'');
    program
        .rsplit('/')
        .next()
        .is_some_and(|b| b.starts_with("policy-exec"))
}

/// The program a hook command of ours runs: [`hook_command`] read backwards (the path
/// before ` hook <harness>`, unquoted when it was quoted).
pub fn hook_program(command: &str, harness: &str) -> Option<PathBuf> {
    let rest = split_hook(command, harness)?;
    let program = match rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("'\\''", "'"),
        None => rest.to_string(),
    };
    Some(PathBuf::from(program))
}

/// Where a harness keeps its pre-command hooks and what one entry looks like.
struct HookShape {
    /// The event's list (`PreToolUse`, `beforeShellExecution`, …).
    event: &'static str,
    /// The event lists sit at the top level (Droid), not under `hooks`.
    top_level: bool,
    /// Claude-shaped: a list of `{matcher, hooks: [entry]}` groups with this matcher;
    /// None: the entries sit in the event's list directly (Cursor, Copilot).
    matcher: Option<&'static str>,
    /// The key holding the command in an entry.
    command_key: &'static str,
    /// The file carries `"version": 1` (Cursor, Copilot).
    versioned: bool,
}

impl HookShape {
    /// The shape for `harness` (Claude's for the Claude-shaped ones).
    fn of(harness: &str) -> HookShape {
        let claude = |event, matcher| HookShape {
            event,
            top_level: false,
            matcher: Some(matcher),
            command_key: "command",
            versioned: false,
        };
        match harness {
            "cursor" => HookShape {
                event: "beforeShellExecution",
                top_level: false,
                matcher: None,
                command_key: "command",
                versioned: true,
            },
            // Copilot CLI 1.0.102: `{"version": 1, "hooks": {"preToolUse": [{"type":
            // "command", "bash": …, "timeoutSec": …}]}}`.
            "copilot" => HookShape {
                event: "preToolUse",
                top_level: false,
                matcher: None,
                command_key: "bash",
                versioned: true,
            },
            // Droid's hooks.json holds the events at the top level (Droid 0.225 ignores
            // a `hooks` wrapper, with a warning in its log).
            "droid" => HookShape {
                top_level: true,
                ..claude("PreToolUse", "Execute")
            },
            "gemini" => claude("BeforeTool", "run_shell_command"),
            _ => claude("PreToolUse", "Bash"),
        }
    }

    /// Our entry for `command`. Harness hook timeouts fail open: each is above the
    /// hook's own deadline (8 s), so the hook answers deny first.
    fn entry(&self, command: &str) -> Value {
        match (self.matcher, self.command_key) {
            (None, "bash") => json!({"type": "command", "bash": command, "timeoutSec": 10}),
            (None, _) => json!({"command": command}),
            // Gemini's timeout is in milliseconds.
            (Some("run_shell_command"), _) => {
                json!({"type": "command", "command": command, "timeout": 10000})
            }
            (Some(_), _) => json!({"type": "command", "command": command, "timeout": 10}),
        }
    }

    /// Where the event's list is, as a JSON pointer.
    fn pointer(&self) -> String {
        if self.top_level {
            format!("/{}", self.event)
        } else {
            format!("/hooks/{}", self.event)
        }
    }
}

/// Our hook command in a harness's hook configuration, if one is there: under the
/// harness's event (`hooks.PreToolUse` with matcher `Bash`, or `Execute` for Droid;
/// Gemini's `hooks.BeforeTool` with `run_shell_command`; Cursor's
/// `hooks.beforeShellExecution`; Copilot's `hooks.preToolUse`). Entries of other
/// shapes are skipped.
pub fn find_our_hook(root: &Value, harness: &str) -> Option<String> {
    let shape = HookShape::of(harness);
    let ours = |e: &Value| {
        e.get(shape.command_key)?
            .as_str()
            .filter(|c| is_our_hook(c, harness))
            .map(str::to_string)
    };
    let list = root.pointer(&shape.pointer())?.as_array()?;
    let Some(matcher) = shape.matcher else {
        return list.iter().find_map(ours);
    };
    list.iter()
        .filter(|e| e.get("matcher").and_then(Value::as_str) == Some(matcher))
        .filter_map(|e| e.get("hooks")?.as_array())
        .flatten()
        .filter(|h| h.get("type").and_then(Value::as_str) == Some("command"))
        .find_map(ours)
}

fn malformed(path: &Path, why: impl Into<String>) -> ApplyError {
    ApplyError::Malformed {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

/// Puts our hook entry into a hook configuration (the harness's [`HookShape`]),
/// removing stale entries of ours. Returns (added, removed). An identical entry already
/// present is left where it is.
pub fn merge_hook(
    root: &mut Value,
    harness: &str,
    command: &str,
    path: &Path,
) -> Result<(usize, usize), ApplyError> {
    let shape = HookShape::of(harness);
    let event = shape.event;
    let Some(obj) = root.as_object_mut() else {
        return Err(malformed(path, "is not a JSON object"));
    };
    if shape.versioned && !obj.contains_key("version") {
        obj.insert("version".into(), json!(1));
    }
    let (events, shown) = if shape.top_level {
        (obj, event.to_string())
    } else {
        let hooks = obj.entry("hooks").or_insert_with(|| json!({}));
        let Some(hooks) = hooks.as_object_mut() else {
            return Err(malformed(path, "has `hooks` that is not an object"));
        };
        (hooks, format!("hooks.{event}"))
    };
    let list = events.entry(event).or_insert_with(|| json!([]));
    let Some(list) = list.as_array_mut() else {
        return Err(malformed(path, format!("has `{shown}` that is not a list")));
    };
    let ours = shape.entry(command);
    let (mut added, mut removed) = (0, 0);
    let Some(matcher) = shape.matcher else {
        let mut present = false;
        let mut kept = Vec::new();
        for entry in list.drain(..) {
            let c = entry
                .get(shape.command_key)
                .and_then(Value::as_str)
                .unwrap_or_default();
            if c == command && !present {
                present = true;
                kept.push(entry);
            } else if is_our_hook(c, harness) {
                removed += 1;
            } else {
                kept.push(entry);
            }
        }
        if !present {
            kept.push(ours);
            added += 1;
        }
        *list = kept;
        return Ok((added, removed));
    };
    let mut present = false;
    for entry in list.iter_mut() {
        let Some(entry) = entry.as_object_mut() else {
            return Err(malformed(
                path,
                format!("has a `{shown}` entry that is not an object"),
            ));
        };
        let same_matcher = entry.get("matcher").and_then(Value::as_str) == Some(matcher);
        let Some(inner) = entry.get_mut("hooks").and_then(Value::as_array_mut) else {
            continue;
        };
        let before = inner.len();
        inner.retain(|h| {
            let c = h.get("command").and_then(Value::as_str).unwrap_or_default();
            if *h == ours && same_matcher && !present {
                present = true;
                return true;
            }
            !is_our_hook(c, harness)
        });
        removed += before - inner.len();
    }
    // Entries we emptied go; entries the user left empty stay.
    if removed > 0 {
        list.retain(|e| {
            e.get("hooks")
                .and_then(Value::as_array)
                .is_none_or(|h| !h.is_empty())
        });
    }
    if !present {
        added += 1;
        let slot = list.iter_mut().find(|e| {
            e.get("matcher").and_then(Value::as_str) == Some(matcher)
                && e.get("hooks").is_some_and(Value::is_array)
        });
        match slot
            .and_then(|e| e.get_mut("hooks"))
            .and_then(Value::as_array_mut)
        {
            Some(inner) => inner.push(ours),
            None => list.push(json!({"matcher": matcher, "hooks": [ours]})),
        }
    }
    Ok((added, removed))
}

/// Plans the hook files: our entry in each, merged with what is there.
pub fn plan_hooks(
    targets: &[HookTarget],
    exe: &Path,
    installation: Option<&Path>,
    planned: &mut Vec<Planned>,
) -> Result<(), ApplyError> {
    for t in targets {
        let path = real_target(&t.path)?;
        let command = hook_command(exe, t.harness, installation);
        // Claude's hooks share its settings file with the permissions: merge into the
        // text already planned for it, if any.
        if let Some(p) = planned.iter_mut().find(|p| p.path == path) {
            let base = match &p.text {
                Some(t) => Some(t.clone()),
                None => p.original.clone(),
            };
            let mut v = parse_settings(base.as_deref(), &path)?;
            let before = v.clone();
            let (added, removed) = merge_hook(&mut v, t.harness, &command, &path)?;
            if v != before {
                let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
                text.push('\n');
                p.text = Some(text);
                p.added += added;
                p.removed += removed;
            }
            continue;
        }
        let existing = read_live(&path)?;
        let old = parse_settings(existing.as_deref(), &path)?;
        let mut new = old.clone();
        let (added, removed) = merge_hook(&mut new, t.harness, &command, &path)?;
        let text = (new != old || existing.is_none()).then(|| {
            let mut text = serde_json::to_string_pretty(&new).unwrap_or_default();
            text.push('\n');
            text
        });
        planned.push(Planned {
            host: format!("{}-hook", t.harness),
            path,
            text,
            exists: existing.is_some(),
            added,
            removed,
            markers_removed: 0,
            original: existing,
        });
    }
    Ok(())
}

/// Drops `files` from the ledger (after `uninstall` removed our entries from them); the
/// ledger goes when nothing is left in it.
pub(crate) fn forget_in_ledger(ledger: &Path, files: &[PathBuf]) -> Result<(), ApplyError> {
    let mut owned = read_ledger(ledger)?;
    let before = owned.len();
    for f in files {
        owned.remove(&f.display().to_string());
    }
    if owned.len() == before {
        return Ok(());
    }
    if owned.is_empty() {
        return std::fs::remove_file(ledger).map_err(write_err(ledger, 0));
    }
    let hash = ledger_policy_hash(ledger).unwrap_or_default();
    commit(stage(ledger, &ledger_text(&owned, &hash))?, 0)
}

/// Writes `text` to `path` atomically (staged beside it, then renamed).
pub(crate) fn write_atomic(path: &Path, text: &str) -> Result<(), ApplyError> {
    commit(stage(path, text)?, 0)
}

/// policy-exec's OpenCode plugin (`shims/opencode/policy-exec.js`), embedded so that
/// `sync --apply --hooks` installs the copy this binary was built with.
pub const OPENCODE_PLUGIN: &str = include_str!("../../shims/opencode/policy-exec.js");

/// Where `sync --apply --hooks` installs the OpenCode plugin, under the home directory.
pub const OPENCODE_PLUGIN_PATH: &str = ".config/opencode/plugin/policy-exec.js";

/// The start of the plugin's one line naming the hook command (a JSON array).
const PLUGIN_COMMAND: &str = "const COMMAND = ";

/// The first line of the plugin: how an installed file is recognised as ours.
fn plugin_header() -> &'static str {
    OPENCODE_PLUGIN.lines().next().unwrap_or_default()
}

/// The plugin's text with its command pinned to `exe` (and the installation).
pub fn opencode_plugin(exe: &Path, installation: Option<&Path>) -> String {
    let mut command = vec![
        exe.display().to_string(),
        "hook".to_string(),
        "opencode".to_string(),
    ];
    if let Some(dir) = installation {
        command.push(PIN_FLAG.to_string());
        command.push(dir.display().to_string());
    }
    let line = format!("{PLUGIN_COMMAND}{};", json!(command));
    OPENCODE_PLUGIN
        .lines()
        .map(|l| {
            if l.starts_with(PLUGIN_COMMAND) {
                line.as_str()
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The hook command an installed plugin runs, when the text is policy-exec's plugin.
pub fn plugin_command(text: &str) -> Option<Vec<String>> {
    if text.lines().next()? != plugin_header() {
        return None;
    }
    let line = text.lines().find_map(|l| l.strip_prefix(PLUGIN_COMMAND))?;
    serde_json::from_str(line.trim_end().trim_end_matches(';')).ok()
}

/// Plans the OpenCode plugin file: ours entirely; a different file already there is
/// refused rather than replaced.
pub fn plan_opencode_plugin(
    home: &Path,
    exe: &Path,
    installation: Option<&Path>,
    planned: &mut Vec<Planned>,
) -> Result<(), ApplyError> {
    let path = real_target(&home.join(OPENCODE_PLUGIN_PATH))?;
    let existing = read_live(&path)?;
    if let Some(old) = &existing
        && plugin_command(old).is_none()
    {
        return Err(malformed(
            &path,
            "is not policy-exec's OpenCode plugin: move it away so policy-exec can install its own",
        ));
    }
    let text = opencode_plugin(exe, installation);
    let changed = existing.as_deref() != Some(text.as_str());
    planned.push(Planned {
        host: "opencode-hook".to_string(),
        path,
        text: changed.then_some(text),
        exists: existing.is_some(),
        added: usize::from(changed && existing.is_none()),
        removed: 0,
        markers_removed: 0,
        original: existing,
    });
    Ok(())
}
