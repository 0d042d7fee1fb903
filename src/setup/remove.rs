//! Taking policy-exec out of one harness file: our ledger entries, our hook entries and
//! our shell setting go; the user's own entries stay; when what is left is the document
//! the file held before policy-exec first changed it, its recorded bytes come back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::render::apply;
use crate::render::pristine::{Original, Pristine};

/// What to take out of one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Removal {
    /// Our entries per dotted list key (from the ledger).
    pub lists: BTreeMap<String, Vec<String>>,
    /// Harnesses whose `policy-exec hook NAME` entries go.
    pub hooks: Vec<String>,
    /// Dotted keys whose value goes when it is a path into policy-exec's shims.
    pub shell_keys: Vec<String>,
    /// The whole file is ours (Codex's `policy-exec.rules`).
    pub whole: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, Serialize)]
pub struct Cleaned {
    /// The file.
    pub path: PathBuf,
    /// restored (the recorded bytes are back) | removed (it did not exist before) |
    /// cleaned (our entries went; changes made since are kept) | unchanged | absent.
    pub status: &'static str,
    /// Entries of ours removed.
    pub removed: usize,
    /// The backup of what was there, when it held more than ours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<PathBuf>,
}

/// Removes array items that are our hook entries for `harness` (an object whose
/// `command`, or Copilot-style `bash`, is `policy-exec hook <harness>`), and matcher
/// groups whose `hooks` list this emptied. Returns how many entries went.
fn strip_hooks(v: &mut Value, harness: &str) -> usize {
    let ours = |item: &Value| {
        ["command", "bash"].iter().any(|k| {
            item.get(k)
                .and_then(Value::as_str)
                .is_some_and(|c| apply::is_our_hook(c, harness))
        })
    };
    match v {
        Value::Array(items) => {
            let mut removed = 0;
            items.retain_mut(|item| {
                if ours(item) {
                    removed += 1;
                    return false;
                }
                let n = strip_hooks(item, harness);
                removed += n;
                let emptied = n > 0
                    && item
                        .get("hooks")
                        .and_then(Value::as_array)
                        .is_some_and(Vec::is_empty);
                !emptied
            });
            removed
        }
        Value::Object(o) => o.values_mut().map(|c| strip_hooks(c, harness)).sum(),
        _ => 0,
    }
}

/// Removes our strings from the list at a dotted key — or, for a ledger key of the
/// form `path:decision` (OpenCode's `permission.bash:deny`), our keys from the map at
/// `path` that still hold that decision.
fn strip_list(v: &mut Value, dotted: &str, ours: &[String]) -> usize {
    if let Some((path, decision)) = dotted.split_once(':') {
        let Some(map) = path
            .split('.')
            .try_fold(v, |v, k| v.get_mut(k))
            .and_then(Value::as_object_mut)
        else {
            return 0;
        };
        let before = map.len();
        map.retain(|k, val| !(ours.contains(k) && val.as_str() == Some(decision)));
        return before - map.len();
    }
    let Some(list) = dotted
        .split('.')
        .try_fold(v, |v, k| v.get_mut(k))
        .and_then(Value::as_array_mut)
    else {
        return 0;
    };
    let before = list.len();
    list.retain(|e| !e.as_str().is_some_and(|s| ours.iter().any(|o| o == s)));
    before - list.len()
}

/// Removes a dotted key whose value is a path into policy-exec's shims.
fn strip_shell_key(v: &mut Value, dotted: &str) -> usize {
    let Some((parent, last)) = dotted.rsplit_once('.').map_or(Some(("", dotted)), Some) else {
        return 0;
    };
    let holder = if parent.is_empty() {
        Some(&mut *v)
    } else {
        parent.split('.').try_fold(v, |v, k| v.get_mut(k))
    };
    let Some(obj) = holder.and_then(Value::as_object_mut) else {
        return 0;
    };
    let ours = obj
        .get(last)
        .and_then(Value::as_str)
        .is_some_and(|s| s.contains("/policy-exec/shims/"));
    usize::from(ours && obj.remove(last).is_some())
}

/// Removes objects and lists our removal emptied, unless the recorded original had them
/// (`kept`) or they were empty before (`before`).
fn prune(v: &mut Map<String, Value>, before: Option<&Value>, kept: Option<&Value>) {
    let keys: Vec<String> = v.keys().cloned().collect();
    for k in keys {
        let b = before.and_then(|b| b.get(&k));
        let o = kept.and_then(|o| o.get(&k));
        let Some(child) = v.get_mut(&k) else { continue };
        if let Value::Object(m) = child {
            prune(m, b, o);
        }
        let empty = match child {
            Value::Object(m) => m.is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        };
        let was_empty = b.is_some_and(|b| {
            b.as_object().is_some_and(Map::is_empty) || b.as_array().is_some_and(Vec::is_empty)
        });
        if empty && o.is_none() && !was_empty {
            v.remove(&k);
        }
    }
}

fn err(path: &Path, e: impl std::fmt::Display) -> String {
    format!("`{}`: {e}", path.display())
}

/// Copies `path` to a fresh backup beside it (keeping the newest few).
fn backup(path: &Path) -> Result<PathBuf, String> {
    let b = apply::backup_path(path);
    std::fs::copy(path, &b).map_err(|e| err(&b, e))?;
    apply::prune_backups(path);
    Ok(b)
}

/// Removes the file and the directories made for it, when they are empty.
fn remove_created(path: &Path, original: &Original) -> Result<(), String> {
    std::fs::remove_file(path).map_err(|e| err(path, e))?;
    for dir in original.created_dirs.iter().rev() {
        if std::fs::remove_dir(dir).is_err() {
            break;
        }
    }
    Ok(())
}

/// Takes our entries out of `path` and restores what was recorded when nothing else
/// changed. A file that cannot be parsed is refused untouched.
pub(crate) fn clean(path: &Path, what: &Removal, pristine: &Pristine) -> Result<Cleaned, String> {
    let done = |status, removed, backup| Cleaned {
        path: path.to_path_buf(),
        status,
        removed,
        backup,
    };
    let original = pristine.get(path).map_err(|e| err(path, e))?;
    let Some(text) = apply::read_live(path).map_err(|e| e.to_string())? else {
        pristine
            .forget(&[path.to_path_buf()])
            .map_err(|e| err(path, e))?;
        return Ok(done("absent", 0, None));
    };
    if what.whole {
        match original.as_ref().and_then(|o| o.text.clone()) {
            Some(before) if before != text => {
                let b = backup(path)?;
                apply::write_atomic(path, &before).map_err(|e| e.to_string())?;
                pristine
                    .forget(&[path.to_path_buf()])
                    .map_err(|e| err(path, e))?;
                return Ok(done("restored", 1, Some(b)));
            }
            Some(_) => return Ok(done("unchanged", 0, None)),
            None => {
                match &original {
                    Some(o) => remove_created(path, o)?,
                    None => std::fs::remove_file(path).map_err(|e| err(path, e))?,
                }
                pristine
                    .forget(&[path.to_path_buf()])
                    .map_err(|e| err(path, e))?;
                return Ok(done("removed", 1, None));
            }
        }
    }
    let before = apply::parse_settings(Some(&text), path).map_err(|e| e.to_string())?;
    let mut v = before.clone();
    let mut removed = 0;
    for (key, ours) in &what.lists {
        removed += strip_list(&mut v, key, ours);
    }
    for h in &what.hooks {
        removed += strip_hooks(&mut v, h);
    }
    for key in &what.shell_keys {
        removed += strip_shell_key(&mut v, key);
    }
    let recorded: Option<Option<Value>> = match &original {
        Some(o) => Some(match &o.text {
            Some(t) => Some(apply::parse_settings(Some(t), path).map_err(|e| e.to_string())?),
            None => None,
        }),
        None => None,
    };
    if let Value::Object(m) = &mut v {
        let kept = recorded.as_ref().map(|r| r.clone().unwrap_or(Value::Null));
        prune(m, Some(&before), kept.as_ref().filter(|k| !k.is_null()));
        // A file policy-exec created keeps no scaffolding of ours (Cursor's `version`).
        if matches!(recorded, Some(None)) && m.keys().all(|k| k == "version") {
            m.clear();
        }
    }
    if let (Some(o), Some(rec)) = (&original, &recorded) {
        match (rec, &o.text) {
            (None, _) if v.as_object().is_some_and(Map::is_empty) => {
                remove_created(path, o)?;
                pristine
                    .forget(&[path.to_path_buf()])
                    .map_err(|e| err(path, e))?;
                return Ok(done("removed", removed, None));
            }
            (Some(r), Some(t)) if *r == v => {
                let b = if *t != text {
                    Some(backup(path)?)
                } else {
                    None
                };
                if *t != text {
                    apply::write_atomic(path, t).map_err(|e| e.to_string())?;
                }
                pristine
                    .forget(&[path.to_path_buf()])
                    .map_err(|e| err(path, e))?;
                let status = if b.is_some() { "restored" } else { "unchanged" };
                return Ok(done(status, removed, b));
            }
            _ => {}
        }
    }
    if v == before {
        pristine
            .forget(&[path.to_path_buf()])
            .map_err(|e| err(path, e))?;
        return Ok(done("unchanged", 0, None));
    }
    let b = backup(path)?;
    let mut out = serde_json::to_string_pretty(&v).map_err(|e| err(path, e))?;
    out.push('\n');
    apply::write_atomic(path, &out).map_err(|e| e.to_string())?;
    pristine
        .forget(&[path.to_path_buf()])
        .map_err(|e| err(path, e))?;
    Ok(done("cleaned", removed, Some(b)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn only_our_hook_entries_and_the_groups_they_leave_empty_go() {
        let mut v = json!({"hooks": {"PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "/x/policy-exec hook claude"}]},
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "my-linter"},
                                          {"type": "command", "command": "/x/policy-exec hook claude --installation /c"}]},
            {"matcher": "Edit", "hooks": []}
        ]}});
        assert_eq!(strip_hooks(&mut v, "claude"), 2);
        assert_eq!(
            v,
            json!({"hooks": {"PreToolUse": [
                {"matcher": "Bash", "hooks": [{"type": "command", "command": "my-linter"}]},
                {"matcher": "Edit", "hooks": []}
            ]}})
        );
    }

    #[test]
    fn pruning_keeps_what_the_original_had_and_what_was_empty_before() {
        let before = json!({"permissions": {"allow": ["x"], "deny": []}, "env": {"A": "1"}});
        let mut v = json!({"permissions": {"allow": [], "deny": []}, "env": {}});
        let Value::Object(m) = &mut v else {
            unreachable!()
        };
        prune(m, Some(&before), Some(&json!({"env": {}})));
        assert_eq!(v, json!({"permissions": {"deny": []}, "env": {}}));
    }

    #[test]
    fn a_shell_key_goes_only_when_it_points_at_our_shims() {
        let mut v = json!({"env": {"CLAUDE_CODE_SHELL": "/h/.local/share/policy-exec/shims/bash"}});
        assert_eq!(strip_shell_key(&mut v, "env.CLAUDE_CODE_SHELL"), 1);
        let mut mine = json!({"env": {"CLAUDE_CODE_SHELL": "/bin/zsh"}});
        assert_eq!(strip_shell_key(&mut mine, "env.CLAUDE_CODE_SHELL"), 0);
    }
}
