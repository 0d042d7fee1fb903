//! The reference's merge (`_merge_dict` in policy-contract's `resolve.py`), reproduced
//! quirk for quirk because `policy_hash` depends on it, plus the dropped-entry report the
//! reference lacks.
//!
//! Inherited semantics, in the order the reference applies them to each key of the later
//! file:
//! * `extends` and `notes` are skipped at every depth, but only when merging key by key:
//!   a mapping that is new to the result is copied whole, nested `notes` included;
//! * a key new to the result is copied as is (so a list is not deduped the first time it
//!   appears);
//! * an existing mapping must meet a mapping (recursive merge) and an existing list must
//!   meet a list, otherwise the file is invalid; any other existing value is replaced;
//! * list meets list: append then dedup by `repr()` when the *full dotted path* from the
//!   top is one of [`APPEND_PATHS`] (so `commands.allow` nested under another key is
//!   replaced), otherwise the later list replaces the earlier one;
//! * at the top level `scope` and `policy_version` come from the later file.

use std::path::{Path, PathBuf};

use super::error::ResolveError;
use super::pyjson::{Layout, dumps};
use super::value::{PyMap, PyValue, ReprIndex, map_get, map_set};
use super::{DroppedEntry, DroppedList};

/// The lists the reference appends with first-occurrence dedup (`MERGE_STRATEGY` entries
/// marked `append_dedup`, in its order), then our `packs`; every other list is replaced.
///
/// `packs` and `path_rules` are ours: the reference would replace them, which would let
/// a lower scope turn off a pack or drop a protected path a higher scope declared.
/// Appending them changes nothing for a tree without the keys, so the reference's hashes
/// still hold.
pub(crate) const APPEND_PATHS: [&str; 11] = [
    "commands.allow",
    "command_rules",
    "required_checks",
    "tooling.harness",
    "observability.telemetry_targets",
    "observability.audit_events",
    "approval.needs_confirmation_for",
    "security.guardrails",
    "security.secret_backends",
    "packs",
    "path_rules",
];

/// Keys the reference never merges.
const SKIPPED_KEYS: [&str; 2] = ["extends", "notes"];

/// The reference's `_validate_policy_payload_types`: every append path must be absent,
/// null or a list, and every mapping on the way to it a mapping.
pub(crate) fn check_append_paths(doc: &PyMap, path: &Path) -> Result<(), ResolveError> {
    for dotted in APPEND_PATHS {
        let mut current = doc;
        let mut walked = String::new();
        let mut parts = dotted.split('.').peekable();
        while let Some(part) = parts.next() {
            if !walked.is_empty() {
                walked.push('.');
            }
            walked.push_str(part);
            let Some(value) = map_get(current, part) else {
                break;
            };
            match (value, parts.peek().is_some()) {
                (PyValue::Map(inner), true) => current = inner,
                (other, true) => {
                    return Err(ResolveError::WrongType {
                        path: path.to_path_buf(),
                        key: walked,
                        found: other.kind(),
                        expected: "expected a mapping: write it as a YAML mapping",
                    });
                }
                (PyValue::Null | PyValue::Seq(_), false) => {}
                (other, false) => {
                    return Err(ResolveError::WrongType {
                        path: path.to_path_buf(),
                        key: walked,
                        found: other.kind(),
                        expected: "expected a list: write it as a YAML list",
                    });
                }
            }
        }
    }
    Ok(())
}

/// Merges `over` (the file at `path`) into `base`, exactly as `_merge_dict(base, over)`.
pub(crate) fn merge_top(base: PyMap, over: &PyMap, path: &Path) -> Result<PyMap, ResolveError> {
    let mut out = merge_map(base, over, "", path)?;
    for key in ["scope", "policy_version"] {
        let value = map_get(over, key)
            .or_else(|| map_get(&out, key))
            .cloned()
            .unwrap_or(PyValue::Null);
        map_set(&mut out, key, value);
    }
    Ok(out)
}

fn merge_map(
    mut out: PyMap,
    over: &PyMap,
    base_path: &str,
    path: &Path,
) -> Result<PyMap, ResolveError> {
    for (key, value) in over {
        if SKIPPED_KEYS.contains(&key.as_str()) {
            continue;
        }
        let key_path = if base_path.is_empty() {
            key.clone()
        } else {
            format!("{base_path}.{key}")
        };
        let Some(slot) = out.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v) else {
            out.push((key.clone(), value.clone()));
            continue;
        };
        match (&mut *slot, value) {
            (PyValue::Map(existing), PyValue::Map(incoming)) => {
                let merged = merge_map(std::mem::take(existing), incoming, &key_path, path)?;
                *slot = PyValue::Map(merged);
            }
            (PyValue::Map(_), other) => {
                return Err(ResolveError::WrongType {
                    path: path.to_path_buf(),
                    key: key_path,
                    found: other.kind(),
                    expected: "but an earlier scope made it a mapping: write a mapping",
                });
            }
            (PyValue::Seq(existing), PyValue::Seq(incoming)) => {
                if APPEND_PATHS.contains(&key_path.as_str()) {
                    existing.extend(incoming.iter().cloned());
                    dedup_by_repr(existing);
                } else {
                    *slot = value.clone();
                }
            }
            (PyValue::Seq(_), other) => {
                return Err(ResolveError::WrongType {
                    path: path.to_path_buf(),
                    key: key_path,
                    found: other.kind(),
                    expected: "but an earlier scope made it a list: write a list",
                });
            }
            (_, _) => *slot = value.clone(),
        }
    }
    Ok(out)
}

/// The reference's `_dedupe`: keeps the first item of each `repr()`. Linear on average
/// (a hash of the repr, confirmed by comparison): comparing every pair took minutes on a
/// 20,000-rule tree.
fn dedup_by_repr(items: &mut Vec<PyValue>) {
    let mut kept: Vec<PyValue> = Vec::with_capacity(items.len());
    let mut index = ReprIndex::default();
    for item in items.drain(..) {
        if index.find(&item, |i| kept.get(i)).is_none() {
            index.insert(&item, kept.len());
            kept.push(item);
        }
    }
    *items = kept;
}

/// Every `commands.deny` / `commands.require` entry that a later file's list replaced
/// away and that is not back in the final list.
///
/// An entry is attributed to the first file of the unbroken run of files that kept
/// declaring it, so a system deny restated by `user.yaml` and then dropped by `repo.yaml`
/// is reported as declared in `system.yaml`.
pub(crate) fn dropped_entries(files: &[(PathBuf, &PyMap)]) -> Vec<DroppedEntry> {
    let mut dropped = Vec::new();
    for list in [DroppedList::Deny, DroppedList::Require] {
        let mut current: Option<Vec<(PyValue, PathBuf)>> = None;
        let mut candidates: Vec<(PyValue, DroppedEntry)> = Vec::new();
        for (path, doc) in files {
            let Some(PyValue::Map(commands)) = map_get(doc, "commands") else {
                continue;
            };
            let Some(declared) = map_get(commands, list.as_str()) else {
                continue;
            };
            let entries: Vec<PyValue> = match declared {
                PyValue::Seq(items) => items.clone(),
                PyValue::Null => Vec::new(),
                // A lone string (outside the schema) replaces a list all the same.
                other => vec![other.clone()],
            };
            let previous = current.take().unwrap_or_default();
            let previous_index = repr_index(&previous);
            let mut next: Vec<(PyValue, PathBuf)> = Vec::with_capacity(entries.len());
            for entry in entries {
                let origin = previous_index
                    .find(&entry, |i| previous.get(i).map(|(e, _)| e))
                    .and_then(|i| previous.get(i))
                    .map_or_else(|| path.clone(), |(_, origin)| origin.clone());
                next.push((entry, origin));
            }
            let next_index = repr_index(&next);
            for (entry, origin) in previous {
                if next_index
                    .find(&entry, |i| next.get(i).map(|(e, _)| e))
                    .is_none()
                {
                    let record = DroppedEntry {
                        list,
                        entry: entry_text(&entry),
                        declared_in: origin,
                        dropped_by: path.clone(),
                    };
                    candidates.push((entry, record));
                }
            }
            current = Some(next);
        }
        let survivors = current.unwrap_or_default();
        let survivors_index = repr_index(&survivors);
        dropped.extend(
            candidates
                .into_iter()
                .filter(|(entry, _)| {
                    survivors_index
                        .find(entry, |i| survivors.get(i).map(|(e, _)| e))
                        .is_none()
                })
                .map(|(_, record)| record),
        );
    }
    dropped
}

/// An index of the first occurrence of each entry's repr.
fn repr_index(entries: &[(PyValue, PathBuf)]) -> ReprIndex {
    let mut index = ReprIndex::default();
    for (i, (entry, _)) in entries.iter().enumerate() {
        if index
            .find(entry, |j| entries.get(j).map(|(e, _)| e))
            .is_none()
        {
            index.insert(entry, i);
        }
    }
    index
}

fn entry_text(entry: &PyValue) -> String {
    match entry {
        PyValue::Str(s) => s.clone(),
        other => dumps(
            other,
            Layout {
                indent: None,
                sort_keys: true,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::load::parse_yaml;

    fn doc(yaml: &str) -> PyMap {
        match parse_yaml(yaml).unwrap() {
            PyValue::Map(m) => m,
            _ => panic!("not a map"),
        }
    }

    fn json(m: &PyMap) -> String {
        dumps(
            &PyValue::Map(m.clone()),
            Layout {
                indent: None,
                sort_keys: false,
            },
        )
    }

    fn merged(files: &[&str]) -> String {
        let mut out = PyMap::new();
        for f in files {
            out = merge_top(out, &doc(f), Path::new("f.yaml")).unwrap();
        }
        json(&out)
    }

    #[test]
    fn nested_notes_survive_only_when_copied_whole() {
        // Matches the reference: `notes` is skipped key by key, not stripped recursively.
        let out = merged(&[
            "scope: system\nsecurity: {notes: a}\nnotes: top\n",
            "scope: user\nsecurity: {notes: b, x: 1}\n",
        ]);
        assert_eq!(
            out,
            r#"{"scope": "user", "security": {"notes": "a", "x": 1}, "policy_version": null}"#
        );
    }

    #[test]
    fn append_paths_match_the_full_dotted_path_only() {
        let out = merged(&[
            "x: {commands: {allow: [a]}}\ncommands: {allow: [a, a]}\n",
            "x: {commands: {allow: [b]}}\ncommands: {allow: [b, a]}\n",
        ]);
        assert_eq!(
            out,
            r#"{"x": {"commands": {"allow": ["b"]}}, "commands": {"allow": ["a", "b"]}, "scope": null, "policy_version": null}"#
        );
    }

    #[test]
    fn first_occurrence_of_a_list_is_not_deduped() {
        let out = merged(&["required_checks: [a, a]\n", "other: 1\n"]);
        assert!(out.contains(r#""required_checks": ["a", "a"]"#), "{out}");
    }

    #[test]
    fn dict_items_dedup_by_insertion_ordered_repr() {
        let out = merged(&[
            "command_rules: [{id: r, action: deny}]\n",
            "command_rules: [{action: deny, id: r}, {id: r, action: deny}]\n",
        ]);
        assert!(
            out.contains(
                r#""command_rules": [{"id": "r", "action": "deny"}, {"action": "deny", "id": "r"}]"#
            ),
            "{out}"
        );
    }

    #[test]
    fn packs_are_united_across_scopes() {
        let out = merged(&[
            "packs: [git, disk]\n",
            "packs: [containers, git]\n",
            "packs: []\n",
        ]);
        assert!(
            out.contains(r#""packs": ["git", "disk", "containers"]"#),
            "{out}"
        );
    }

    #[test]
    fn mapping_replaced_by_scalar_is_rejected() {
        let err = merge_top(
            doc("tooling: {a: 1}\n"),
            &doc("tooling: 3\n"),
            Path::new("u.yaml"),
        )
        .unwrap_err();
        assert!(matches!(err, ResolveError::WrongType { ref key, .. } if key == "tooling"));
        let err = merge_top(doc("k: [1]\n"), &doc("k: ~\n"), Path::new("u.yaml")).unwrap_err();
        assert!(matches!(err, ResolveError::WrongType { ref key, .. } if key == "k"));
    }

    #[test]
    fn scalars_may_become_collections() {
        let out = merged(&["k: 1\n", "k: [1]\n"]);
        assert!(out.starts_with(r#"{"k": [1]"#), "{out}");
    }

    #[test]
    fn append_path_checks_reject_wrong_shapes() {
        for bad in [
            "commands: x\n",
            "commands: ~\n",
            "commands: {allow: x}\n",
            "tooling: {harness: {a: 1}}\n",
        ] {
            assert!(
                check_append_paths(&doc(bad), Path::new("f.yaml")).is_err(),
                "{bad}"
            );
        }
        assert!(check_append_paths(&doc("commands: {allow: ~}\n"), Path::new("f")).is_ok());
    }

    #[test]
    fn dropped_entries_are_attributed_to_the_first_declaring_file() {
        let system = doc("commands: {deny: [a, b], require: [r]}\n");
        let user = doc("commands: {deny: [a, c]}\n");
        let repo = doc("commands: {deny: [c, b]}\n");
        let files = [
            (PathBuf::from("system.yaml"), &system),
            (PathBuf::from("user.yaml"), &user),
            (PathBuf::from("repo.yaml"), &repo),
        ];
        let dropped = dropped_entries(&files);
        let shown: Vec<(String, String, String)> = dropped
            .iter()
            .map(|d| {
                (
                    d.entry.clone(),
                    d.declared_in.display().to_string(),
                    d.dropped_by.display().to_string(),
                )
            })
            .collect();
        // `b` was dropped by user.yaml but restored by repo.yaml, so it is not reported.
        assert_eq!(
            shown,
            [(
                "a".to_owned(),
                "system.yaml".to_owned(),
                "repo.yaml".to_owned()
            )]
        );
    }
}
