//! Unknown keys in scope files are refused (a typo such as `command_rule:` or `resaon:`
//! must never silently drop a rule or a reason). The known keys come from the embedded
//! JSON Schema, so the schema stays the one list of what a scope file may hold.

use std::path::Path;
use std::sync::LazyLock;

use super::error::ResolveError;
use super::value::{PyMap, PyValue};

/// (top-level keys, command-rule keys) as the schema lists them.
static KNOWN: LazyLock<(Vec<String>, Vec<String>)> = LazyLock::new(|| {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/policy-config.schema.json"))
            .unwrap_or_default();
    let keys = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(serde_json::Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    (
        keys(schema.get("properties")),
        keys(schema.pointer("/$defs/rule/properties")),
    )
});

/// A key the format does not have, where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The file.
    pub path: std::path::PathBuf,
    /// The key as written.
    pub key: String,
    /// Its line, when found in the text.
    pub line: Option<usize>,
    /// The rule it is in, when in a rule.
    pub rule: Option<String>,
    /// The closest known key.
    pub suggestion: Option<String>,
}

impl UnknownKey {
    /// As the resolver's error.
    pub fn to_error(&self) -> ResolveError {
        ResolveError::UnknownKey {
            path: self.path.clone(),
            key: self.key.clone(),
            line: self.line,
            rule: self.rule.clone(),
            suggestion: self.suggestion.clone(),
        }
    }
}

/// Refuses the first key of `doc` (or of one of its `command_rules`) the format does not
/// have, naming the file, the line, the rule and the closest known key.
pub(crate) fn check(doc: &PyMap, path: &Path, text: &str) -> Result<(), UnknownKey> {
    let (top, rule_keys) = &*KNOWN;
    // An unreadable schema would refuse everything: fail open here is not possible, so
    // an empty list means "not checked" (the schema is embedded and tested).
    if top.is_empty() {
        return Ok(());
    }
    let unknown = |key: &str, known: &[String], rule: Option<String>| UnknownKey {
        path: path.to_path_buf(),
        key: key.to_string(),
        line: line_of(text, key),
        rule,
        suggestion: closest(key, known),
    };
    for (key, value) in doc {
        let key = key.as_str();
        if !top.iter().any(|k| k == key) {
            return Err(unknown(key, top, None));
        }
        if key != "command_rules" {
            continue;
        }
        let PyValue::Seq(rules) = value else { continue };
        for (i, rule) in rules.iter().enumerate() {
            let PyValue::Map(rule) = rule else { continue };
            let name = rule
                .iter()
                .find(|(k, _)| k == "id")
                .and_then(|(_, v)| match v {
                    PyValue::Str(s) => Some(format!("rule `{s}`")),
                    _ => None,
                })
                .unwrap_or_else(|| format!("command_rules[{i}]"));
            for (k, _) in rule {
                let k = k.as_str();
                if !rule_keys.iter().any(|r| r == k) {
                    return Err(unknown(k, rule_keys, Some(name)));
                }
            }
        }
    }
    Ok(())
}

/// The 1-based line where `key:` is first written as a key.
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            t.strip_prefix(key)
                .or_else(|| {
                    t.strip_prefix('"')
                        .and_then(|r| r.strip_prefix(key))
                        .and_then(|r| r.strip_prefix('"'))
                })
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// The known key closest to `key` (edit distance at most 2, or a prefix of it).
fn closest(key: &str, known: &[String]) -> Option<String> {
    known
        .iter()
        .map(|k| (distance(key, k), k))
        .filter(|(d, k)| *d <= 2 || k.starts_with(key) || key.starts_with(k.as_str()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone())
}

/// Levenshtein distance between two short keys.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let next = (prev + usize::from(ca != *cb))
                .min(above.saturating_add(1))
                .min(left.saturating_add(1));
            prev = above;
            if let Some(slot) = row.get_mut(j + 1) {
                *slot = next;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_keys_are_suggested() {
        let known: Vec<String> = ["command_rules", "commands", "reason", "alternative"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            closest("command_rule", &known).as_deref(),
            Some("command_rules")
        );
        assert_eq!(closest("resaon", &known).as_deref(), Some("reason"));
        assert_eq!(closest("zzzzzz", &known), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn lines_are_found() {
        let text = "policy_version: v1\nscope: user\ncommand_rule:\n  - id: x\n    resaon: y\n";
        assert_eq!(line_of(text, "command_rule"), Some(3));
        assert_eq!(line_of(text, "resaon"), Some(5));
        assert_eq!(line_of(text, "id"), Some(4));
    }
}
