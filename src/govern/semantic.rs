//! Checks the schema cannot express, on one schema-valid scope file: the `scope` key
//! matches the file's slot, every predicate name is known, every rule compiles the way
//! the engine compiles it (matchers, refinements, conditions), rule ids are unique, and
//! every rule's `examples` agree with it.
//!
//! Rules are compiled one at a time with the engine's own code ([`bundle::build`],
//! [`Policy::from_bundle`], [`examples::failures`]) so `validate` never accepts a rule
//! that `resolve` or the shell would refuse, and each failure points at its rule.

use serde_json::{Value, json};

use super::Finding;
use crate::git::Predicate;
use crate::policy::condition::MAX_DEPTH;
use crate::policy::policy::Policy;
use crate::policy::{bundle, examples};
use crate::resolve::Scope;

/// Every semantic problem in `doc`, a schema-valid scope file for `slot` (when known).
pub fn check(doc: &Value, slot: Option<Scope>) -> Vec<Finding> {
    let mut out = Vec::new();
    if let (Some(slot), Some(declared)) = (slot, doc.get("scope").and_then(Value::as_str))
        && declared != slot.as_str()
    {
        out.push(Finding::new(
            "/scope",
            format!(
                "declares scope `{declared}` but sits in the {slot} slot: write `scope: {slot}` or move the file"
            ),
        ));
    }
    if let Some(rules) = doc.get("command_rules").and_then(Value::as_array) {
        let mut ids: Vec<(&str, usize)> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let at = format!("/command_rules/{i}");
            if let Some(id) = rule.get("id").and_then(Value::as_str) {
                match ids.iter().find(|(seen, _)| *seen == id) {
                    Some((_, first)) => out.push(Finding::new(
                        format!("{at}/id"),
                        format!(
                            "id `{id}` is already used by `/command_rules/{first}`: give each rule its own id"
                        ),
                    )),
                    None => ids.push((id, i)),
                }
            }
            check_rule(rule, &at, &mut out);
        }
    }
    if let Err(e) = crate::packs::enabled(doc) {
        out.push(Finding::new("/packs", e.to_string()));
    }
    // Path rules, compiled the way the engine compiles them (patterns that leave the
    // repository, `~user`, an allow).
    if let Some(rules) = doc.get("path_rules").and_then(Value::as_array) {
        for (i, rule) in rules.iter().enumerate() {
            let at = format!("/path_rules/{i}");
            let mut rule = rule.clone();
            if let Some(map) = rule.as_object_mut() {
                map.entry("id").or_insert_with(|| json!(at));
            }
            let compiled = serde_json::from_value::<bundle::BundlePathRule>(rule)
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    crate::paths::PathRule::compile(&r)
                        .map(|_| ())
                        .map_err(|e| e.problem)
                });
            if let Err(problem) = compiled {
                out.push(Finding::new(at, problem));
            }
        }
    }
    if let Some(commands) = doc.get("commands") {
        for list in ["allow", "deny", "require"] {
            let entries = commands.get(list).and_then(Value::as_array);
            for (j, entry) in entries.into_iter().flatten().enumerate() {
                if let Some(pattern) = entry.as_str() {
                    check_glob(pattern, &format!("/commands/{list}/{j}"), &mut out);
                }
            }
        }
    }
    out
}

/// One `command_rules` entry: predicates, then the engine's compiler, then examples.
fn check_rule(rule: &Value, at: &str, out: &mut Vec<Finding>) {
    if let Some(conditions) = rule.get("conditions").filter(|c| !c.is_null()) {
        let before = out.len();
        check_condition(conditions, &format!("{at}/conditions"), 0, out);
        if out.len() > before {
            // The compiler would only repeat these, without a pointer.
            return;
        }
    }
    if let Some(Value::Object(m)) = rule.get("match") {
        for kind in ["exact", "prefix", "glob"] {
            if let Some(pattern) = m.get(kind).and_then(Value::as_str)
                && pattern.trim().is_empty()
            {
                out.push(Finding::new(
                    format!("{at}/match/{kind}"),
                    format!("`match.{kind}` is empty: write the command words the rule is about"),
                ));
                return;
            }
        }
    } else if let Some(pattern) = rule.get("match").and_then(Value::as_str)
        && pattern.trim().is_empty()
    {
        out.push(Finding::new(
            format!("{at}/match"),
            "`match` is empty: write the command glob the rule is about",
        ));
        return;
    }
    let single = json!({ "command_rules": [rule] });
    let built = match bundle::build(&single, &[], None) {
        Ok(built) => built,
        Err(e) => {
            let text = e.to_string();
            let text = text.strip_prefix("command_rules[0]: ").unwrap_or(&text);
            out.push(Finding::new(at, text.to_owned()));
            return;
        }
    };
    let policy = match Policy::from_bundle(&built, "validate") {
        Ok(policy) => policy,
        Err(e) => {
            out.push(Finding::new(
                at,
                format!("the engine cannot compile this rule: {e}"),
            ));
            return;
        }
    };
    for problem in examples::failures(&policy) {
        out.push(Finding::new(format!("{at}/examples"), problem));
    }
}

/// A `commands.*` entry, compiled as the glob rule it becomes.
fn check_glob(pattern: &str, at: &str, out: &mut Vec<Finding>) {
    if pattern.trim().is_empty() {
        out.push(Finding::new(
            at,
            "the pattern is empty: write a command glob or remove the entry",
        ));
    } else if let Err(e) = crate::policy::glob::Glob::new(pattern) {
        out.push(Finding::new(at, e.to_string()));
    }
}

/// Unknown predicate names and nesting past the engine's depth limit, with pointers.
fn check_condition(node: &Value, at: &str, depth: usize, out: &mut Vec<Finding>) {
    if depth > MAX_DEPTH {
        out.push(Finding::new(
            at,
            format!("conditions are nested deeper than {MAX_DEPTH} levels: flatten them"),
        ));
        return;
    }
    match node {
        Value::String(name) => check_name(name, at, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_condition(item, &format!("{at}/{i}"), depth + 1, out);
            }
        }
        Value::Object(map) => {
            for key in ["all", "any", "conditions"] {
                for (i, item) in map
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    check_condition(item, &format!("{at}/{key}/{i}"), depth + 1, out);
                }
            }
            if let Some(name) = map.get("name").and_then(Value::as_str) {
                check_name(name, &format!("{at}/name"), out);
            }
        }
        _ => {}
    }
}

fn check_name(name: &str, at: &str, out: &mut Vec<Finding>) {
    if Predicate::from_name(name).is_none() {
        let known: Vec<&str> = Predicate::ALL.iter().map(|p| p.name()).collect();
        out.push(Finding::new(
            at,
            format!(
                "unknown predicate `{name}`: use one of {}",
                known.join(", ")
            ),
        ));
    }
}
