//! Condition trees and their evaluation, with the reference wrappers' semantics.
//!
//! A rule's `conditions` is parsed once into a [`Condition`] tree. Every shape the
//! reference accepts is representable, including the ones its wrapper evaluators only
//! reject while evaluating (unknown predicate names, wrong node types, a bad `mode`, a
//! non-boolean `required`): those parse into nodes that fail with an evaluation error, so
//! a bundle written by someone else is judged exactly as the reference judges it, while
//! [`validate`] lets the policy loader refuse such a policy up front.
//!
//! Semantics (the Go/Rust/Zig wrappers' shared fixture, `condition_semantics_cases.json`):
//! `all` needs every required item; `any` passes if a required item passes or, with no
//! required item, any optional one; optional failures are ignored; an empty group passes;
//! any error makes the whole condition fail with `has_error`. A nested group counts as a
//! required item of its parent when it has a required item itself, is empty, or is written
//! as a bare list. Predicates are asked lazily, in document order: an `all` group stops at
//! its first failing required item (as the reference does, which also fixes the reasons it
//! reports); an `any` group asks every item, because a later evaluation error still turns
//! the outcome into an error.
//!
//! This module never evaluates a predicate itself: the caller's `ask` answers, so the
//! engine decides about caching, directories and the manifest's error fallback.

use std::fmt;

use serde_json::{Value, json};

use crate::git::Predicate;

/// The deepest nesting evaluated, counting the root as depth 0; a node below it is an
/// error, like the reference's depth guard (which also keeps recursion bounded).
pub const MAX_DEPTH: usize = 64;

/// How the items of a group combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Every required item must pass.
    All,
    /// One required item must pass, or (with no required item) one optional item.
    Any,
}

impl Mode {
    /// The word used in policy files and bundles.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::All => "all",
            Mode::Any => "any",
        }
    }

    /// Parses `all` or `any`.
    pub fn parse(word: &str) -> Option<Mode> {
        match word {
            "all" => Some(Mode::All),
            "any" => Some(Mode::Any),
            _ => None,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a group was written. The reference treats a bare list as a required item of its
/// parent even when all its items are optional, and problem paths name the key used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupForm {
    /// `[a, b]`: an `all` group.
    List,
    /// `{all: [a, b]}`.
    All,
    /// `{any: [a, b]}`.
    Any,
    /// `{mode: all|any, conditions: [a, b]}`, the form bundles use.
    ModeAndConditions,
}

/// A parsed condition node.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// A known predicate.
    Predicate {
        /// Which predicate to ask.
        predicate: Predicate,
        /// Whether it is a required item (`{name, required: false}` makes it optional).
        required: bool,
        /// Written as `{name: …}` rather than a bare string; kept to re-emit it the same way.
        object: bool,
    },
    /// A predicate name nobody knows: an evaluation error, as in the reference.
    Unknown {
        /// The name as written.
        name: String,
        /// Whether it was a required item; the reference still counts it for `has_required`.
        required: bool,
        /// Written as `{name: …}` rather than a bare string.
        object: bool,
    },
    /// A group of items.
    Group {
        /// How the items combine.
        mode: Mode,
        /// The items, in document order.
        items: Vec<Condition>,
        /// How the group was written.
        form: GroupForm,
    },
    /// A node of the wrong shape: an evaluation error, as in the reference.
    Malformed {
        /// What is wrong, as a one-line message.
        problem: String,
        /// The node as written, re-emitted unchanged.
        raw: Value,
        /// Whether the parent counts it as a required item: the reference does so for a
        /// node that looks like an empty group (only possible past the depth limit).
        counts_as_required: bool,
    },
}

/// One predicate asked during an evaluation, for `explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The predicate.
    pub predicate: Predicate,
    /// Whether the leaf that asked it was a required item.
    pub required: bool,
    /// What `ask` answered; an `Err` is an evaluation error.
    pub value: Result<bool, String>,
}

/// The result of evaluating a condition, with the fields the reference wrappers report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionOutcome {
    /// The condition holds. Never true when `has_error` is (the reference's
    /// `condition_passed`), so ignoring `has_error` still fails closed.
    pub passed: bool,
    /// The root has a required item (a bare list always does).
    pub has_required: bool,
    /// Some node could not be evaluated: a predicate `ask` failed, an unknown predicate or
    /// a malformed node was reached. The engine maps this to
    /// `fallback_condition_eval_error`.
    pub has_error: bool,
    /// One entry per leaf or malformed node evaluated, in order: the predicate name, or
    /// `name: error`, or the problem (the reference's `condition_reasons`).
    pub reasons: Vec<String>,
    /// The evaluation errors, in order; the first is the reference's `error`.
    pub errors: Vec<String>,
    /// Every predicate asked, in order, with its answer.
    pub asked: Vec<Asked>,
}

/// Collects what an evaluation produced while walking the tree.
struct Walk<'a> {
    ask: &'a mut dyn FnMut(Predicate) -> Result<bool, String>,
    reasons: Vec<String>,
    errors: Vec<String>,
    asked: Vec<Asked>,
}

impl Walk<'_> {
    fn fail(&mut self, problem: String) -> bool {
        self.reasons.push(problem.clone());
        self.errors.push(problem);
        false
    }
}

impl Condition {
    /// Parses a `conditions` value. Never fails: shapes the reference only rejects while
    /// evaluating become [`Condition::Unknown`] or [`Condition::Malformed`] nodes.
    ///
    /// A JSON `null` is malformed, as in the wrappers; what an absent or null
    /// `conditions` means in a policy file (no conditions) is the caller's decision.
    pub fn parse(value: &Value) -> Condition {
        parse_node(value, 0)
    }

    /// Evaluates the condition, asking `ask` for each predicate value it needs.
    pub fn evaluate(
        &self,
        ask: &mut dyn FnMut(Predicate) -> Result<bool, String>,
    ) -> ConditionOutcome {
        let mut walk = Walk {
            ask,
            reasons: Vec::new(),
            errors: Vec::new(),
            asked: Vec::new(),
        };
        let passed = self.walk(&mut walk);
        let has_error = !walk.errors.is_empty();
        ConditionOutcome {
            passed: passed && !has_error,
            has_required: self.has_required(),
            has_error,
            reasons: walk.reasons,
            errors: walk.errors,
            asked: walk.asked,
        }
    }

    /// Whether the condition holds without asking anything: groups of groups with no leaf
    /// and no malformed node, such as `{"mode": "all", "conditions": []}`, which the
    /// reference bundle writes for an unconditional rule. A rule with such a condition
    /// decides exactly like an unconditional one.
    pub fn is_trivial(&self) -> bool {
        match self {
            Condition::Group { items, .. } => items.iter().all(Condition::is_trivial),
            _ => false,
        }
    }

    /// Every predicate the condition may ask, once each, in document order.
    pub fn predicates(&self) -> Vec<Predicate> {
        let mut found = Vec::new();
        self.visit(&mut |node| {
            if let Condition::Predicate { predicate, .. } = node
                && !found.contains(predicate)
            {
                found.push(*predicate);
            }
        });
        found
    }

    /// The predicates named by required leaves anywhere in the tree, sorted by name: the
    /// reference bundle's `required_conditions` is the union of these over its rules.
    pub fn required_predicates(&self) -> Vec<Predicate> {
        let mut found = Vec::new();
        self.visit(&mut |node| {
            if let Condition::Predicate {
                predicate,
                required: true,
                ..
            } = node
                && !found.contains(predicate)
            {
                found.push(*predicate);
            }
        });
        found.sort_by_key(|p| p.name());
        found
    }

    /// Everything that makes this condition an evaluation error, one line each, with the
    /// path of the offending node (like ``at `all[1].any[0]`: …``) when it is not the root.
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        self.collect_problems("", &mut found);
        found
    }

    /// The condition as the reference writes it into a bundle: always
    /// `{"mode": …, "conditions": […]}` at the root, nested lists and `all`/`any` objects
    /// turned into the same form, bare names kept as strings and `{name}` objects given
    /// an explicit `required`. Malformed nodes are re-emitted as written.
    pub fn to_bundle_json(&self) -> Value {
        match self {
            Condition::Group { mode, items, .. } => json!({
                "mode": mode.as_str(),
                "conditions": items.iter().map(Condition::item_json).collect::<Vec<_>>(),
            }),
            other => json!({ "mode": "all", "conditions": [other.item_json()] }),
        }
    }

    /// Whether this node reports `has_required`. Static: an `all` group that stops early
    /// does so on a required item, so the value never depends on predicate answers.
    pub fn has_required(&self) -> bool {
        match self {
            Condition::Predicate { required, .. } | Condition::Unknown { required, .. } => {
                *required
            }
            Condition::Group { items, form, .. } => {
                *form == GroupForm::List || items.iter().any(Condition::counts_as_required)
            }
            Condition::Malformed { .. } => false,
        }
    }

    /// Whether a parent group counts this node as a required item. The reference adds
    /// empty groups to the nodes that report `has_required` (fixture
    /// `nested-container-required-propagation`).
    fn counts_as_required(&self) -> bool {
        match self {
            Condition::Group { items, .. } if items.is_empty() => true,
            Condition::Malformed {
                counts_as_required, ..
            } => *counts_as_required,
            other => other.has_required(),
        }
    }

    /// Evaluates this node into `walk`; returns whether it passed, errors aside.
    fn walk(&self, walk: &mut Walk<'_>) -> bool {
        match self {
            Condition::Predicate {
                predicate,
                required,
                ..
            } => {
                let value = (walk.ask)(*predicate);
                walk.asked.push(Asked {
                    predicate: *predicate,
                    required: *required,
                    value: value.clone(),
                });
                match value {
                    Ok(passed) => {
                        walk.reasons.push(predicate.name().to_owned());
                        passed
                    }
                    Err(error) => walk.fail(format!("{}: {error}", predicate.name())),
                }
            }
            Condition::Unknown { name, .. } => walk.fail(unknown_problem(name)),
            Condition::Malformed { problem, .. } => walk.fail(problem.clone()),
            Condition::Group { mode, items, .. } => {
                let mut any_required = false;
                let mut required_passed = false;
                let mut optional_passed = false;
                for item in items {
                    let passed = item.walk(walk);
                    let required = item.counts_as_required();
                    any_required |= required;
                    if required && !passed && *mode == Mode::All {
                        return false;
                    }
                    if passed {
                        if required {
                            required_passed = true;
                        } else {
                            optional_passed = true;
                        }
                    }
                }
                match mode {
                    // Optional failures are ignored; an empty group passes.
                    Mode::All => true,
                    Mode::Any => {
                        items.is_empty() || required_passed || (!any_required && optional_passed)
                    }
                }
            }
        }
    }

    /// Calls `f` on every node, parents before children.
    fn visit(&self, f: &mut dyn FnMut(&Condition)) {
        f(self);
        if let Condition::Group { items, .. } = self {
            for item in items {
                item.visit(f);
            }
        }
    }

    fn collect_problems(&self, path: &str, found: &mut Vec<String>) {
        let problem = match self {
            Condition::Predicate { .. } => return,
            Condition::Unknown { name, .. } => unknown_problem(name),
            Condition::Malformed { problem, .. } => problem.clone(),
            Condition::Group { items, form, .. } => {
                for (index, item) in items.iter().enumerate() {
                    let key = match form {
                        GroupForm::List => "",
                        GroupForm::All => "all",
                        GroupForm::Any => "any",
                        GroupForm::ModeAndConditions => "conditions",
                    };
                    let dot = if path.is_empty() || key.is_empty() {
                        ""
                    } else {
                        "."
                    };
                    item.collect_problems(&format!("{path}{dot}{key}[{index}]"), found);
                }
                return;
            }
        };
        found.push(if path.is_empty() {
            problem
        } else {
            format!("at `{path}`: {problem}")
        });
    }

    /// This node as an item of a bundle group.
    fn item_json(&self) -> Value {
        match self {
            Condition::Predicate {
                predicate,
                required,
                object,
            } => leaf_json(predicate.name(), *required, *object),
            Condition::Unknown {
                name,
                required,
                object,
            } => leaf_json(name, *required, *object),
            Condition::Group { .. } => self.to_bundle_json(),
            Condition::Malformed { raw, .. } => raw.clone(),
        }
    }
}

/// Problems that make `value` an evaluation error (unknown predicates, malformed nodes,
/// nesting past [`MAX_DEPTH`]), one line each. Empty means the condition is sound; the
/// policy loader refuses a rule otherwise, which is stricter than the reference wrappers.
pub fn validate(value: &Value) -> Vec<String> {
    Condition::parse(value).problems()
}

/// `value` normalised the way the reference writes a rule's `conditions` into the wrapper
/// bundle (see [`Condition::to_bundle_json`]); `null` (no conditions) becomes
/// `{"mode": "all", "conditions": []}`, as the reference writes for an unconditional rule.
pub fn normalized_json(value: &Value) -> Value {
    if value.is_null() {
        return json!({ "mode": "all", "conditions": [] });
    }
    Condition::parse(value).to_bundle_json()
}

fn parse_node(value: &Value, depth: usize) -> Condition {
    if depth > MAX_DEPTH {
        return malformed(
            value,
            format!("condition nesting is deeper than {MAX_DEPTH} levels: flatten it"),
        );
    }
    match value {
        Value::String(name) => leaf(name, true, false),
        Value::Array(items) => group(Mode::All, GroupForm::List, items, depth),
        Value::Object(map) => {
            // Key precedence follows the reference: `all`, then `any`, then `mode`, then
            // `name`; other keys are ignored.
            if let Some(all) = map.get("all") {
                return match all.as_array() {
                    Some(items) => group(Mode::All, GroupForm::All, items, depth),
                    None => malformed(
                        value,
                        format!("condition `all` must be a list, not `{}`", snippet(all)),
                    ),
                };
            }
            if let Some(any) = map.get("any") {
                return match any.as_array() {
                    Some(items) => group(Mode::Any, GroupForm::Any, items, depth),
                    None => malformed(
                        value,
                        format!("condition `any` must be a list, not `{}`", snippet(any)),
                    ),
                };
            }
            if let Some(raw_mode) = map.get("mode") {
                let Some(mode) = raw_mode.as_str().and_then(Mode::parse) else {
                    return malformed(
                        value,
                        format!(
                            "unsupported condition mode `{}`: use `all` or `any`",
                            snippet(raw_mode)
                        ),
                    );
                };
                return match map.get("conditions").map(Value::as_array) {
                    Some(Some(items)) => group(mode, GroupForm::ModeAndConditions, items, depth),
                    Some(None) => malformed(
                        value,
                        format!(
                            "condition `conditions` must be a list, not `{}`",
                            snippet(map.get("conditions").unwrap_or(&Value::Null))
                        ),
                    ),
                    None => malformed(
                        value,
                        format!(
                            "condition `{}` has `mode` but no `conditions` list",
                            snippet(value)
                        ),
                    ),
                };
            }
            let Some(name) = map.get("name").and_then(Value::as_str) else {
                return malformed(
                    value,
                    format!(
                        "unsupported condition object `{}`: give it a string `name`, \
                         or `all`, `any` or `mode` with `conditions`",
                        snippet(value)
                    ),
                );
            };
            match map.get("required") {
                None => leaf(name, true, true),
                Some(Value::Bool(required)) => leaf(name, *required, true),
                Some(other) => malformed(
                    value,
                    format!(
                        "condition `required` must be true or false, not `{}`",
                        snippet(other)
                    ),
                ),
            }
        }
        other => malformed(
            other,
            format!(
                "unsupported condition type: `{}` is {}; write a predicate name, a list, \
                 or an object with `all`, `any`, `mode` or `name`",
                snippet(other),
                kind(other)
            ),
        ),
    }
}

fn leaf(name: &str, required: bool, object: bool) -> Condition {
    match Predicate::from_name(name) {
        Some(predicate) => Condition::Predicate {
            predicate,
            required,
            object,
        },
        None => Condition::Unknown {
            name: name.to_owned(),
            required,
            object,
        },
    }
}

fn group(mode: Mode, form: GroupForm, items: &[Value], depth: usize) -> Condition {
    Condition::Group {
        mode,
        items: items.iter().map(|v| parse_node(v, depth + 1)).collect(),
        form,
    }
}

fn malformed(raw: &Value, problem: String) -> Condition {
    Condition::Malformed {
        problem,
        raw: raw.clone(),
        counts_as_required: looks_like_empty_group(raw),
    }
}

/// The reference's test for an empty group, applied to the node as written.
fn looks_like_empty_group(value: &Value) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    let empty_list = |v: Option<&Value>| v.and_then(Value::as_array).is_some_and(Vec::is_empty);
    if map.contains_key("all") {
        return empty_list(map.get("all"));
    }
    if map.contains_key("any") {
        return empty_list(map.get("any"));
    }
    match map.get("mode") {
        Some(mode) => {
            mode.as_str().and_then(Mode::parse).is_some() && empty_list(map.get("conditions"))
        }
        None => false,
    }
}

fn unknown_problem(name: &str) -> String {
    let known: Vec<&str> = Predicate::ALL.iter().map(|p| p.name()).collect();
    format!(
        "unsupported condition `{name}`: the predicates are {}",
        known.join(", ")
    )
}

fn leaf_json(name: &str, required: bool, object: bool) -> Value {
    if object || !required {
        json!({ "name": name, "required": required })
    } else {
        Value::String(name.to_owned())
    }
}

/// A short one-line rendering of user input for messages.
fn snippet(value: &Value) -> String {
    const LIMIT: usize = 60;
    let text = value.to_string();
    if text.chars().count() <= LIMIT {
        return text;
    }
    let mut short: String = text.chars().take(LIMIT).collect();
    short.push('…');
    short
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const WT: Predicate = Predicate::IsWorktree;
    const CLEAN: Predicate = Predicate::CleanWorktree;
    const SYNCED: Predicate = Predicate::SyncedToUpstream;

    fn cond(text: &str) -> Condition {
        Condition::parse(&serde_json::from_str(text).unwrap())
    }

    /// Evaluates with fixed predicate answers; a predicate missing from `values` panics,
    /// so a test also proves which predicates were not asked.
    fn eval(text: &str, values: &[(Predicate, Result<bool, &str>)]) -> ConditionOutcome {
        let mut ask = |p: Predicate| -> Result<bool, String> {
            let (_, value) = values
                .iter()
                .find(|(q, _)| *q == p)
                .unwrap_or_else(|| panic!("{} was asked", p.name()));
            value.map_err(str::to_owned)
        };
        cond(text).evaluate(&mut ask)
    }

    fn nested(levels: usize, inner: Value) -> Value {
        (0..levels).fold(inner, |v, _| json!({ "all": [v] }))
    }

    // Every case of the reference wrappers' shared fixture
    // (condition-evaluator-parity-recursive-v1), with `passed` being the reference's
    // `condition_passed`. No case reaches a known predicate, so nothing may be asked.
    #[rstest]
    #[case::all_empty(r#"{"all": []}"#, true, false, false, 0, None)]
    #[case::any_empty(r#"{"any": []}"#, true, false, false, 0, None)]
    #[case::array_root_all(r#"[{"all": []}, {"all": []}]"#, true, true, false, 0, None)]
    #[case::array_root_optional_only(
        r#"{"all": [{"name": "unsupported_optional", "required": false},
                    {"name": "unsupported_optional_2", "required": false}]}"#,
        false,
        false,
        true,
        2,
        Some("unsupported")
    )]
    #[case::mode_nested_optional_short_circuit_safe(
        r#"{"mode": "any", "conditions": [
              {"name": "unsupported_optional_mixed", "required": false},
              {"mode": "all", "conditions": [
                  {"name": "unsupported_optional_nested", "required": false}]}]}"#,
        false,
        false,
        true,
        2,
        Some("unsupported")
    )]
    #[case::nested_container_required_propagation(
        r#"{"all": [{"all": []}, {"mode": "any", "conditions": []}, {"all": []}]}"#,
        true,
        true,
        false,
        0,
        None
    )]
    #[case::any_with_optional_empty_groups(
        r#"{"any": [{"all": []}, {"any": []}]}"#,
        true,
        true,
        false,
        0,
        None
    )]
    #[case::unsupported_condition_leaf_required(
        r#"{"all": ["unsupported_condition_required"]}"#,
        false,
        true,
        true,
        1,
        Some("unsupported")
    )]
    #[case::unsupported_condition_root_string(
        r#""unsupported_condition_required""#,
        false,
        true,
        true,
        1,
        Some("unsupported")
    )]
    #[case::unsupported_condition_boolean_node("true", false, false, true, 1, Some("unsupported"))]
    #[case::unsupported_condition_null_node("null", false, false, true, 1, Some("unsupported"))]
    #[case::unsupported_condition_object_node_without_name(
        r#"{"required": false}"#,
        false,
        false,
        true,
        1,
        Some("unsupported")
    )]
    #[case::unsupported_condition_leaf_optional(
        r#"{"all": [{"name": "unsupported_condition_optional", "required": false}]}"#,
        false,
        false,
        true,
        1,
        Some("unsupported")
    )]
    #[case::mode_invalid_value(
        r#"{"mode": "maybe", "conditions": []}"#,
        false,
        false,
        true,
        1,
        None
    )]
    #[case::mode_missing_conditions(r#"{"mode": "all"}"#, false, false, true, 1, None)]
    #[case::name_required_type_invalid(
        r#"{"name": "git_is_worktree", "required": "not_bool"}"#,
        false,
        false,
        true,
        1,
        Some("required")
    )]
    #[case::unsupported_type("123", false, false, true, 1, None)]
    fn reference_fixture_case(
        #[case] conditions: &str,
        #[case] passed: bool,
        #[case] has_required: bool,
        #[case] has_error: bool,
        #[case] reason_count: usize,
        #[case] error_contains: Option<&str>,
    ) {
        let outcome = eval(conditions, &[]);
        assert_eq!(outcome.passed, passed, "passed: {outcome:?}");
        assert_eq!(
            outcome.has_required, has_required,
            "has_required: {outcome:?}"
        );
        assert_eq!(outcome.has_error, has_error, "has_error: {outcome:?}");
        assert_eq!(outcome.reasons.len(), reason_count, "reasons: {outcome:?}");
        assert_eq!(outcome.errors.is_empty(), !has_error);
        if let Some(needle) = error_contains {
            assert!(outcome.errors[0].contains(needle), "{outcome:?}");
        }
        assert!(outcome.asked.is_empty());
    }

    // Real predicate values: (conditions, answers, passed, has_error, predicates asked).
    #[rstest]
    #[case::all_three_pass(
        r#"{"all": ["git_is_worktree", "git_clean_worktree", "git_synced_to_upstream"]}"#,
        &[(WT, Ok(true)), (CLEAN, Ok(true)), (SYNCED, Ok(true))], true, false, 3
    )]
    #[case::all_of_three_with_one_failing_stops_there(
        r#"{"all": ["git_is_worktree", "git_clean_worktree", "git_synced_to_upstream"]}"#,
        &[(WT, Ok(true)), (CLEAN, Ok(false))], false, false, 2
    )]
    #[case::list_is_all(
        r#"["git_is_worktree", "git_clean_worktree"]"#,
        &[(WT, Ok(true)), (CLEAN, Ok(false))], false, false, 2
    )]
    #[case::bare_name(r#""git_clean_worktree""#, &[(CLEAN, Ok(true))], true, false, 1)]
    #[case::bare_name_failing(r#""git_clean_worktree""#, &[(CLEAN, Ok(false))], false, false, 1)]
    #[case::any_with_one_passing(
        r#"{"any": ["git_clean_worktree", "git_synced_to_upstream"]}"#,
        &[(CLEAN, Ok(false)), (SYNCED, Ok(true))], true, false, 2
    )]
    #[case::any_with_none_passing(
        r#"{"any": ["git_clean_worktree", "git_synced_to_upstream"]}"#,
        &[(CLEAN, Ok(false)), (SYNCED, Ok(false))], false, false, 2
    )]
    #[case::any_asks_every_item(
        r#"{"mode": "any", "conditions": ["git_clean_worktree", "git_synced_to_upstream"]}"#,
        &[(CLEAN, Ok(true)), (SYNCED, Ok(false))], true, false, 2
    )]
    #[case::optional_failure_in_all_is_ignored(
        r#"{"all": ["git_is_worktree", {"name": "git_clean_worktree", "required": false}]}"#,
        &[(WT, Ok(true)), (CLEAN, Ok(false))], true, false, 2
    )]
    #[case::only_optional_failing_in_all_passes(
        r#"{"all": [{"name": "git_clean_worktree", "required": false}]}"#,
        &[(CLEAN, Ok(false))], true, false, 1
    )]
    #[case::any_ignores_optional_pass_when_a_required_item_exists(
        r#"{"any": ["git_clean_worktree", {"name": "git_synced_to_upstream", "required": false}]}"#,
        &[(CLEAN, Ok(false)), (SYNCED, Ok(true))], false, false, 2
    )]
    #[case::any_of_optionals_passes_on_one(
        r#"{"any": [{"name": "git_clean_worktree", "required": false},
                    {"name": "git_synced_to_upstream", "required": false}]}"#,
        &[(CLEAN, Ok(false)), (SYNCED, Ok(true))], true, false, 2
    )]
    #[case::explicit_required_true(
        r#"{"all": [{"name": "git_clean_worktree", "required": true}]}"#,
        &[(CLEAN, Ok(false))], false, false, 1
    )]
    #[case::eval_error_in_required_leaf(
        r#"{"all": ["git_is_worktree", "git_synced_to_upstream", "git_clean_worktree"]}"#,
        &[(WT, Ok(true)), (SYNCED, Err("no upstream"))], false, true, 2
    )]
    #[case::eval_error_in_optional_leaf_is_still_an_error(
        r#"{"all": ["git_is_worktree", {"name": "git_synced_to_upstream", "required": false}]}"#,
        &[(WT, Ok(true)), (SYNCED, Err("no upstream"))], false, true, 2
    )]
    #[case::eval_error_after_a_passing_any_item(
        r#"{"any": ["git_clean_worktree", "git_synced_to_upstream"]}"#,
        &[(CLEAN, Ok(true)), (SYNCED, Err("no upstream"))], false, true, 2
    )]
    #[case::required_failure_before_an_error_stops_all(
        r#"{"all": ["git_clean_worktree", "git_synced_to_upstream"]}"#,
        &[(CLEAN, Ok(false))], false, false, 1
    )]
    #[case::nested_any_in_all(
        r#"{"all": ["git_is_worktree", {"any": ["git_clean_worktree", "git_synced_to_upstream"]}]}"#,
        &[(WT, Ok(true)), (CLEAN, Ok(false)), (SYNCED, Ok(true))], true, false, 3
    )]
    #[case::nested_any_in_all_failing(
        r#"{"all": [{"any": ["git_clean_worktree", "git_synced_to_upstream"]}, "git_is_worktree"]}"#,
        &[(CLEAN, Ok(false)), (SYNCED, Ok(false))], false, false, 2
    )]
    #[case::nested_all_in_any(
        r#"{"any": [{"mode": "all", "conditions": ["git_is_worktree", "git_clean_worktree"]},
                    "git_synced_to_upstream"]}"#,
        &[(WT, Ok(true)), (CLEAN, Ok(false)), (SYNCED, Ok(true))], true, false, 3
    )]
    #[case::optional_only_group_is_optional_in_its_parent(
        r#"{"any": [{"all": [{"name": "git_clean_worktree", "required": false}]},
                    "git_synced_to_upstream"]}"#,
        &[(CLEAN, Ok(false)), (SYNCED, Ok(false))], false, false, 2
    )]
    #[case::bare_list_is_required_in_its_parent(
        // The list passes (its optional failure is ignored) and, being required, makes the
        // `any` pass even though the other required item fails.
        r#"{"any": [[{"name": "git_clean_worktree", "required": false}],
                    "git_synced_to_upstream"]}"#,
        &[(CLEAN, Ok(false)), (SYNCED, Ok(false))], true, false, 2
    )]
    #[case::unknown_name_next_to_real_predicates(
        r#"{"any": ["git_clean_worktree", "git_is_clean"]}"#,
        &[(CLEAN, Ok(true))], false, true, 1
    )]
    fn evaluates_with_predicate_values(
        #[case] conditions: &str,
        #[case] values: &[(Predicate, Result<bool, &str>)],
        #[case] passed: bool,
        #[case] has_error: bool,
        #[case] asked: usize,
    ) {
        let outcome = eval(conditions, values);
        assert_eq!(outcome.passed, passed, "{outcome:?}");
        assert_eq!(outcome.has_error, has_error, "{outcome:?}");
        assert_eq!(outcome.asked.len(), asked, "{outcome:?}");
    }

    #[test]
    fn outcome_traces_every_answer_and_error() {
        let outcome = eval(
            r#"{"all": ["git_is_worktree", {"name": "git_synced_to_upstream", "required": false}]}"#,
            &[(WT, Ok(true)), (SYNCED, Err("no upstream for main"))],
        );
        assert_eq!(
            outcome.asked,
            vec![
                Asked {
                    predicate: WT,
                    required: true,
                    value: Ok(true)
                },
                Asked {
                    predicate: SYNCED,
                    required: false,
                    value: Err("no upstream for main".to_owned())
                },
            ]
        );
        assert_eq!(
            outcome.reasons,
            [
                "git_is_worktree",
                "git_synced_to_upstream: no upstream for main"
            ]
        );
        assert_eq!(
            outcome.errors,
            ["git_synced_to_upstream: no upstream for main"]
        );
        assert!(outcome.has_required);
    }

    #[test]
    fn nesting_down_to_the_depth_limit_is_evaluated() {
        let condition = Condition::parse(&nested(MAX_DEPTH, json!("git_is_worktree")));
        assert!(condition.problems().is_empty());
        let outcome = condition.evaluate(&mut |_| Ok(true));
        assert!(outcome.passed && !outcome.has_error, "{outcome:?}");
    }

    #[test]
    fn nesting_past_the_depth_limit_is_rejected() {
        let value = nested(MAX_DEPTH + 1, json!("git_is_worktree"));
        let problems = validate(&value);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("deeper than 64"), "{problems:?}");
        let outcome = Condition::parse(&value).evaluate(&mut |_| Ok(true));
        assert!(!outcome.passed && outcome.has_error, "{outcome:?}");
        assert!(outcome.asked.is_empty());
    }

    #[test]
    fn too_deep_empty_group_counts_as_required_like_the_reference() {
        // The node past the limit looks like an empty group, so its parent counts it as a
        // failed required item and stops there.
        let value = json!({ "all": [nested(MAX_DEPTH, json!({ "all": [] })), "git_is_worktree"] });
        let outcome = Condition::parse(&value).evaluate(&mut |p| panic!("asked {}", p.name()));
        assert!(!outcome.passed && outcome.has_error && outcome.has_required);
    }

    #[rstest]
    #[case(r#"["git_is_worktree", {"all": []}]"#, &[])]
    #[case(r#""git_is_clean""#, &["unsupported condition `git_is_clean`: the predicates are git_is_worktree, git_clean_worktree, git_synced_to_upstream"])]
    #[case(r#"{"all": ["git_is_worktree", {"any": [{"name": "nope"}]}]}"#, &["at `all[1].any[0]`: unsupported condition `nope`"])]
    #[case(r#"[true, {"mode": "all", "conditions": [null]}]"#, &["at `[0]`: unsupported condition type: `true` is a boolean", "at `[1].conditions[0]`: unsupported condition type: `null` is null"])]
    #[case(r#"{"name": "git_is_worktree", "required": "yes"}"#, &["condition `required` must be true or false, not `\"yes\"`"])]
    #[case(r#"{"mode": "some", "conditions": []}"#, &["unsupported condition mode `\"some\"`"])]
    #[case(r#"{"mode": "all", "conditions": "git_is_worktree"}"#, &["condition `conditions` must be a list"])]
    #[case(r#"{"all": "git_is_worktree"}"#, &["condition `all` must be a list"])]
    #[case(r#"{"any": {}}"#, &["condition `any` must be a list"])]
    #[case(r#"{"mode": "any"}"#, &["condition `{\"mode\":\"any\"}` has `mode` but no `conditions` list"])]
    #[case(r#"{"name": 7}"#, &["unsupported condition object `{\"name\":7}`"])]
    fn validate_lists_every_problem(#[case] conditions: &str, #[case] expected: &[&str]) {
        let problems = validate(&serde_json::from_str(conditions).unwrap());
        assert_eq!(problems.len(), expected.len(), "{problems:?}");
        for (problem, start) in problems.iter().zip(expected) {
            assert!(
                problem.starts_with(start),
                "{problem:?} should start with {start:?}"
            );
        }
    }

    #[rstest]
    #[case::null_means_no_conditions("null", r#"{"mode": "all", "conditions": []}"#)]
    #[case::bare_name(
        r#""git_is_worktree""#,
        r#"{"mode": "all", "conditions": ["git_is_worktree"]}"#
    )]
    #[case::list(
        r#"["git_is_worktree", "git_clean_worktree"]"#,
        r#"{"mode": "all", "conditions": ["git_is_worktree", "git_clean_worktree"]}"#
    )]
    #[case::all(
        r#"{"all": ["git_is_worktree"]}"#,
        r#"{"mode": "all", "conditions": ["git_is_worktree"]}"#
    )]
    #[case::any(
        r#"{"any": ["git_is_worktree"]}"#,
        r#"{"mode": "any", "conditions": ["git_is_worktree"]}"#
    )]
    #[case::mode_and_conditions(
        r#"{"mode": "any", "conditions": []}"#,
        r#"{"mode": "any", "conditions": []}"#
    )]
    #[case::object_leaf_gets_explicit_required(
        r#"{"all": [{"name": "git_is_worktree"}, {"name": "git_clean_worktree", "required": false}]}"#,
        r#"{"mode": "all", "conditions": [{"name": "git_is_worktree", "required": true},
                                          {"name": "git_clean_worktree", "required": false}]}"#
    )]
    #[case::root_object_leaf_is_wrapped(
        r#"{"name": "git_is_worktree", "required": false}"#,
        r#"{"mode": "all", "conditions": [{"name": "git_is_worktree", "required": false}]}"#
    )]
    #[case::nested_groups_use_mode_form(
        r#"{"all": ["git_is_worktree", ["git_clean_worktree"], {"any": ["git_synced_to_upstream"]}]}"#,
        r#"{"mode": "all", "conditions": ["git_is_worktree",
             {"mode": "all", "conditions": ["git_clean_worktree"]},
             {"mode": "any", "conditions": ["git_synced_to_upstream"]}]}"#
    )]
    #[case::ignored_keys_are_dropped(
        r#"{"all": [], "any": ["git_is_worktree"], "note": "x"}"#,
        r#"{"mode": "all", "conditions": []}"#
    )]
    #[case::malformed_nodes_are_kept(
        r#"{"all": [true, "git_is_worktree"]}"#,
        r#"{"mode": "all", "conditions": [true, "git_is_worktree"]}"#
    )]
    fn normalizes_like_the_reference_bundle(#[case] conditions: &str, #[case] expected: &str) {
        let value: Value = serde_json::from_str(conditions).unwrap();
        let expected: Value = serde_json::from_str(expected).unwrap();
        assert_eq!(normalized_json(&value), expected);
    }

    #[test]
    fn normalizing_keeps_the_outcome() {
        let text = r#"{"any": [{"all": ["git_is_worktree", {"name": "git_clean_worktree", "required": false}]},
                               "git_synced_to_upstream"]}"#;
        let original = cond(text);
        let normalized = Condition::parse(&original.to_bundle_json());
        for answers in 0..8u8 {
            let mut ask = |p: Predicate| -> Result<bool, String> {
                let bit = Predicate::ALL.iter().position(|q| *q == p).unwrap();
                Ok(answers & (1 << bit) != 0)
            };
            let a = original.evaluate(&mut ask);
            let b = normalized.evaluate(&mut ask);
            assert_eq!(
                (a.passed, a.reasons),
                (b.passed, b.reasons),
                "answers {answers:03b}"
            );
        }
    }

    #[test]
    fn predicates_are_listed_once_in_document_order() {
        let c = cond(
            r#"{"any": ["git_synced_to_upstream", ["git_is_worktree", "nope"],
                       {"name": "git_synced_to_upstream", "required": false}]}"#,
        );
        assert_eq!(c.predicates(), [SYNCED, WT]);
        assert_eq!(cond(r#"{"all": []}"#).predicates(), []);
    }

    #[test]
    fn required_predicates_skip_optional_leaves_and_sort_by_name() {
        let c = cond(
            r#"{"all": ["git_synced_to_upstream", {"any": ["git_is_worktree"]},
                       {"name": "git_clean_worktree", "required": false}, "git_is_worktree"]}"#,
        );
        assert_eq!(c.required_predicates(), [WT, SYNCED]);
    }

    #[rstest]
    #[case(r#"{"mode": "all", "conditions": []}"#, true)]
    #[case(r#"[]"#, true)]
    #[case(r#"{"any": [{"all": []}, [[]]]}"#, true)]
    #[case(r#"{"all": [{"any": []}, "git_is_worktree"]}"#, false)]
    #[case(r#"{"all": [true]}"#, false)]
    #[case(r#""git_is_worktree""#, false)]
    fn trivial_conditions_pass_without_asking(#[case] conditions: &str, #[case] trivial: bool) {
        let condition = cond(conditions);
        assert_eq!(condition.is_trivial(), trivial);
        if trivial {
            let outcome = condition.evaluate(&mut |p| panic!("asked {}", p.name()));
            assert!(outcome.passed && !outcome.has_error, "{outcome:?}");
        }
    }

    #[rstest]
    #[case("all", Some(Mode::All))]
    #[case("any", Some(Mode::Any))]
    #[case("ALL", None)]
    #[case("maybe", None)]
    fn modes_parse_from_their_words(#[case] word: &str, #[case] mode: Option<Mode>) {
        assert_eq!(Mode::parse(word), mode);
        if let Some(mode) = mode {
            assert_eq!(mode.as_str(), word);
        }
    }
}
