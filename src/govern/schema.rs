//! The scope-file JSON Schema (draft 2020-12) shipped with the binary, and its failures
//! turned into [`Finding`]s that say what to change.
//!
//! The schema lives in `schemas/policy-config.schema.json` so editors and CI can use the
//! same file; it is embedded here and never fetched: the validator is built without
//! HTTP or file `$ref` resolving, and the schema only refers to itself.

use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::{Finding, GovernError};

/// The schema text, as shipped in `schemas/`.
pub const SCHEMA_TEXT: &str = include_str!("../../schemas/policy-config.schema.json");

/// The parsed schema and its compiled validator.
struct Compiled {
    schema: Value,
    validator: jsonschema::Validator,
}

static COMPILED: LazyLock<Result<Compiled, String>> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(SCHEMA_TEXT)
        .map_err(|e| format!("the embedded schema is not JSON: {e}"))?;
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(false)
        .build(&schema)
        .map_err(|e| format!("the embedded schema does not compile: {e}"))?;
    Ok(Compiled { schema, validator })
});

/// Every place where `doc` breaks the schema, in document order.
pub fn check(doc: &Value) -> Result<Vec<Finding>, GovernError> {
    let compiled = COMPILED
        .as_ref()
        .map_err(|e| GovernError::Schema(e.clone()))?;
    let mut findings: Vec<Finding> = compiled
        .validator
        .iter_errors(doc)
        .map(|error| {
            let pointer = error.instance_path().as_str().to_owned();
            let node = error
                .absolute_keyword_location()
                .and_then(|uri| uri.as_str().split_once('#').map(|(_, f)| f.to_owned()));
            let message = describe(
                error.kind(),
                error.instance(),
                &error.to_string(),
                &compiled.schema,
                node.as_deref(),
            );
            Finding::new(pointer, message)
        })
        .collect();
    findings.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    findings.dedup();
    Ok(findings)
}

/// A one-line, lowercase message for one schema failure, with a hint from the schema.
fn describe(
    kind: &ValidationErrorKind,
    instance: &Value,
    text: &str,
    schema: &Value,
    at: Option<&str>,
) -> String {
    let hint = at.and_then(|pointer| description_near(schema, pointer));
    let with_hint = |text: String| match &hint {
        Some(h) => format!("{text}: {h}"),
        None => text,
    };
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let keys: Vec<String> = unexpected.iter().map(|k| format!("`{k}`")).collect();
            let allowed = at
                .and_then(|pointer| allowed_keys(schema, pointer))
                .map(|keys| format!(" (allowed: {})", keys.join(", ")))
                .unwrap_or_default();
            format!(
                "unknown key {}: remove it or fix its spelling{allowed}",
                keys.join(", ")
            )
        }
        ValidationErrorKind::Required { property } => with_hint(format!(
            "missing required key `{}`",
            property.as_str().unwrap_or("?")
        )),
        ValidationErrorKind::Enum { options } => {
            let words: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(short).collect())
                .unwrap_or_default();
            format!("`{}` is not one of {}", short(instance), words.join(", "))
        }
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. } => {
            with_hint(format!("`{}` has the wrong shape", short(instance)))
        }
        _ => with_hint(lowercase_first(text)),
    }
}

/// The `description` of the schema node at `pointer` or its nearest ancestor node that
/// has one.
fn description_near(schema: &Value, pointer: &str) -> Option<String> {
    let mut path = pointer.to_owned();
    loop {
        if let Some(text) = schema
            .pointer(&path)
            .and_then(|node| node.get("description"))
            .and_then(Value::as_str)
        {
            return Some(text.to_owned());
        }
        let cut = path.rfind('/')?;
        path.truncate(cut);
    }
}

/// The `properties` names of the object schema whose `additionalProperties` failed.
fn allowed_keys(schema: &Value, pointer: &str) -> Option<Vec<String>> {
    let parent = pointer.strip_suffix("/additionalProperties")?;
    let properties = schema.pointer(parent)?.get("properties")?.as_object()?;
    Some(properties.keys().cloned().collect())
}

/// A value as a short snippet for messages.
fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() <= 60 {
        return text;
    }
    let mut cut: String = text.chars().take(60).collect();
    cut.push('…');
    cut
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
