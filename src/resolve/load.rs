//! Parsing one scope file into a [`PyValue`] typed the way the reference's
//! `yaml.safe_load` (PyYAML, YAML 1.1) types it, so hashes match.
//!
//! serde_yaml_ng resolves plain scalars by the YAML 1.2 core schema; PyYAML uses YAML 1.1.
//! Where they disagree the reference wins, because its typing is what was hashed:
//!
//! | plain scalar            | YAML 1.2 (serde_yaml_ng) | YAML 1.1 (PyYAML) = ours   |
//! |-------------------------|--------------------------|----------------------------|
//! | `yes` `no` `on` `off` (and `Yes`, `YES`, …) | string | boolean                |
//! | `1e5`, `1.5e3`, `-.5`   | float                    | string (1.1 floats need a dot and a signed exponent) |
//! | `010`                   | string                   | octal integer 8            |
//! | `0o17`                  | integer 15               | string                     |
//! | `1_000`, `1:30` (base 60) | string                 | integer                    |
//! | `2024-01-01`            | string                   | date (the reference cannot hash it: an error if it reaches the merged policy) |
//! | `<<: *anchor`           | ordinary key             | merge key                  |
//!
//! We chose YAML 1.1 everywhere (including `yes`/`no`/`on`/`off` as booleans) because
//! `policy_hash` must equal the reference's for the same files. Known gaps, all exotic:
//! non-string mapping keys are rejected (Python would stringify them when the keys of a
//! mapping all have one type), a plain `=` value is read as the string `=` (PyYAML fails
//! on it), and an explicit standard tag is detected only when written on the same line
//! as its scalar or the line before.
//!
//! How: serde_yaml_ng does not report a scalar's style, so the document is read twice over
//! the same text. Pass one (`deserialize_any`) gives the tree shape and serde_yaml_ng's own
//! typing; pass two walks that shape asking for every scalar as a string, which yields its
//! raw text, borrowed from the source when it is written on one line. Where the borrowed
//! slice sits in the source tells whether the scalar was quoted or tagged; plain untagged
//! scalars are then re-resolved with PyYAML's resolver regexes and constructors.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::value::{PyMap, PyValue, map_set};

/// Why a file's text could not be read as a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LoadError {
    /// The YAML or JSON parser rejected the text.
    Syntax(String),
    /// A mapping key is not a string once typed as YAML 1.1 (e.g. `yes:` or `1:`);
    /// `at` is the dotted path of the mapping, empty at the top level.
    NonStringKey { key: String, at: String },
    /// A plain scalar matched a YAML 1.1 number pattern but cannot be constructed
    /// (e.g. `0x_`, or an integer beyond 128 bits).
    BadScalar { text: String, reason: String },
    /// A `<<` merge key whose value is not a mapping or a list of mappings; `at` as above.
    BadMerge { at: String },
    /// Our own invariant broke (the two passes disagreed, a regex did not compile).
    Internal(String),
}

/// A parser error, with a hint when it is the parsers' nesting limit (128 levels, where
/// each `{all: [...]}` condition level costs two).
fn syntax(e: impl std::fmt::Display) -> LoadError {
    let message = e.to_string();
    if message.contains("recursion limit") {
        return LoadError::Syntax(format!(
            "{message} (nested deeper than the parser allows: write deep conditions as plain lists `[a, [b, c]]`, one level each, or flatten them)"
        ));
    }
    LoadError::Syntax(message)
}

/// Parses YAML text the way `yaml.safe_load` would.
pub(crate) fn parse_yaml(text: &str) -> Result<PyValue, LoadError> {
    let shape: Raw<'_> = serde_yaml_ng::from_str(text).map_err(syntax)?;
    if let Raw::Scalar(Typed::Null) = shape {
        // An empty document or a bare null: nothing to re-type.
        return Ok(PyValue::Null);
    }
    let deserializer = serde_yaml_ng::Deserializer::from_str(text);
    let texts = TextSeed { shape: &shape }
        .deserialize(deserializer)
        .map_err(|e| LoadError::Internal(format!("second YAML pass failed: {e}")))?;
    build(&shape, &texts, text, "")
}

/// Parses JSON text the way `json.load` would (strings are never re-typed).
pub(crate) fn parse_json(text: &str) -> Result<PyValue, LoadError> {
    let shape: Raw<'_> = serde_json::from_str(text).map_err(syntax)?;
    build_typed(&shape, "")
}

/// Pass one: the tree with serde_yaml_ng's (YAML 1.2) typing of each scalar.
#[derive(Debug)]
enum Raw<'de> {
    Scalar(Typed<'de>),
    Seq(Vec<Raw<'de>>),
    Map(Vec<(Raw<'de>, Raw<'de>)>),
}

#[derive(Debug)]
enum Typed<'de> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(Cow<'de, str>),
}

impl<'de> de::Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Null))
    }
    fn visit_none<E>(self) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw<'de>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Int(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Int(v.into())))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Int(v)))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw<'de>, E> {
        i128::try_from(v)
            .map(|i| Raw::Scalar(Typed::Int(i)))
            .map_err(|_| E::custom(format!("integer `{v}` is too large")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Float(v)))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Str(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Str(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw<'de>, E> {
        Ok(Raw::Scalar(Typed::Str(Cow::Owned(v))))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<'de>, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<Raw<'de>, A::Error> {
        // serde_yaml_ng reports local tags (`!name value`) as enums; PyYAML's safe_load
        // rejects them too.
        Err(de::Error::custom(
            "local tags such as `!name` are not supported",
        ))
    }
}

/// Pass two: the raw text of every scalar, in the shape pass one found.
#[derive(Debug)]
enum Text<'de> {
    Scalar(Cow<'de, str>),
    Seq(Vec<Text<'de>>),
    Map(Vec<(Text<'de>, Text<'de>)>),
}

/// Deserializes the node at the current position as pass one saw it, asking for scalars
/// with `deserialize_str` (which hands over the scalar's text whatever its type).
struct TextSeed<'s, 'de> {
    shape: &'s Raw<'de>,
}

impl<'de> DeserializeSeed<'de> for TextSeed<'_, 'de> {
    type Value = Text<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Text<'de>, D::Error> {
        match self.shape {
            Raw::Scalar(_) => d.deserialize_str(StrVisitor),
            Raw::Seq(items) => d.deserialize_seq(SeqTexts { items }),
            Raw::Map(entries) => d.deserialize_map(MapTexts { entries }),
        }
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
        Ok(Text::Scalar(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
        Ok(Text::Scalar(Cow::Owned(v.to_owned())))
    }
}

struct SeqTexts<'s, 'de> {
    items: &'s [Raw<'de>],
}

impl<'de> Visitor<'de> for SeqTexts<'_, 'de> {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text<'de>, A::Error> {
        let mut out = Vec::with_capacity(self.items.len());
        for shape in self.items {
            match seq.next_element_seed(TextSeed { shape })? {
                Some(text) => out.push(text),
                None => return Err(de::Error::custom("sequence ended early")),
            }
        }
        Ok(Text::Seq(out))
    }
}

struct MapTexts<'s, 'de> {
    entries: &'s [(Raw<'de>, Raw<'de>)],
}

impl<'de> Visitor<'de> for MapTexts<'_, 'de> {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text<'de>, A::Error> {
        let mut out = Vec::with_capacity(self.entries.len());
        for (key_shape, value_shape) in self.entries {
            let Some(key) = map.next_key_seed(TextSeed { shape: key_shape })? else {
                return Err(de::Error::custom("mapping ended early"));
            };
            let value = map.next_value_seed(TextSeed { shape: value_shape })?;
            out.push((key, value));
        }
        Ok(Text::Map(out))
    }
}

/// How a scalar was written, judged from the source text around its borrowed slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Plain and untagged: PyYAML's implicit resolvers apply.
    Plain,
    /// Quoted: always a string.
    Quoted,
    /// Has an explicit tag: serde_yaml_ng already constructed it by the tag.
    Tagged,
}

/// Where `slice` (borrowed from `src`) starts inside `src`, if it is borrowed from it.
fn offset_in(src: &str, slice: &str) -> Option<usize> {
    let start = slice.as_ptr().addr().checked_sub(src.as_ptr().addr())?;
    (start + slice.len() <= src.len()).then_some(start)
}

fn style_of(src: &str, slice: &str) -> Style {
    let Some(start) = offset_in(src, slice) else {
        return Style::Quoted;
    };
    let before = src.get(..start).unwrap_or("");
    let (quoted, before) = match before.strip_suffix(['\'', '"']) {
        Some(rest) => (true, rest),
        None => (false, before),
    };
    if preceded_by_tag(before) {
        Style::Tagged
    } else if quoted {
        Style::Quoted
    } else {
        Style::Plain
    }
}

/// Whether the node properties just before a scalar include a tag (`!!str x`,
/// `&a !!int x`, `!!str &a x`). Looks back at most two whitespace-separated tokens.
fn preceded_by_tag(before: &str) -> bool {
    let mut rest = before;
    for _ in 0..2 {
        let trimmed = rest.trim_end_matches([' ', '\t', '\r', '\n']);
        let token_start = trimmed
            .rfind(|c: char| c.is_whitespace() || matches!(c, '[' | '{' | ','))
            .map_or(0, |i| i + 1);
        let token = trimmed.get(token_start..).unwrap_or("");
        if token.starts_with('!') {
            return true;
        }
        if !token.starts_with('&') {
            return false;
        }
        rest = trimmed.get(..token_start).unwrap_or("");
    }
    false
}

/// A mapping key or value after YAML 1.1 resolution.
enum Resolved {
    Value(PyValue),
    /// The plain key `<<`.
    MergeKey,
}

/// Builds the final value from both passes.
fn build(raw: &Raw<'_>, text: &Text<'_>, src: &str, at: &str) -> Result<PyValue, LoadError> {
    match build_node(raw, text, src, at)? {
        Resolved::Value(v) => Ok(v),
        // `<<` outside a key position is just a string to PyYAML's constructor.
        Resolved::MergeKey => Ok(PyValue::Str("<<".to_owned())),
    }
}

fn build_node(raw: &Raw<'_>, text: &Text<'_>, src: &str, at: &str) -> Result<Resolved, LoadError> {
    match (raw, text) {
        (Raw::Scalar(typed), Text::Scalar(scalar)) => {
            let style = match scalar {
                Cow::Borrowed(slice) => style_of(src, slice),
                // Not borrowable: quoted with escapes, a block scalar, or a multi-line
                // plain scalar, none of which YAML 1.1 types differently from 1.2.
                Cow::Owned(_) => Style::Tagged,
            };
            match style {
                Style::Plain => resolve_plain(scalar),
                Style::Quoted => Ok(Resolved::Value(PyValue::Str(scalar.to_string()))),
                Style::Tagged => Ok(Resolved::Value(typed_value(typed))),
            }
        }
        (Raw::Seq(items), Text::Seq(texts)) if items.len() == texts.len() => {
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, text)) in items.iter().zip(texts).enumerate() {
                out.push(build(item, text, src, &format!("{at}[{i}]"))?);
            }
            Ok(Resolved::Value(PyValue::Seq(out)))
        }
        (Raw::Map(entries), Text::Map(texts)) if entries.len() == texts.len() => {
            let mut pairs = Vec::with_capacity(entries.len());
            for ((key_raw, value_raw), (key_text, value_text)) in entries.iter().zip(texts) {
                let key = build_node(key_raw, key_text, src, at)?;
                let value = build(value_raw, value_text, src, &child_path(at, &key))?;
                pairs.push((key, value));
            }
            Ok(Resolved::Value(PyValue::Map(flatten_mapping(pairs, at)?)))
        }
        _ => Err(LoadError::Internal(format!(
            "the two YAML passes disagree at `{}`",
            display_path(at)
        ))),
    }
}

fn child_path(at: &str, key: &Resolved) -> String {
    let name = match key {
        Resolved::Value(PyValue::Str(s)) => s.clone(),
        Resolved::Value(_) => "?".to_owned(),
        Resolved::MergeKey => "<<".to_owned(),
    };
    if at.is_empty() {
        name
    } else {
        format!("{at}.{name}")
    }
}

fn display_path(at: &str) -> &str {
    if at.is_empty() { "top level" } else { at }
}

/// PyYAML's `flatten_mapping` followed by `construct_mapping`: merged pairs first (from
/// the listed mappings, earlier ones winning), then the mapping's own pairs; a repeated key
/// keeps its first position and takes its last value, as `dict` assignment does.
fn flatten_mapping(pairs: Vec<(Resolved, PyValue)>, at: &str) -> Result<PyMap, LoadError> {
    let mut merged: Vec<(String, PyValue)> = Vec::new();
    let mut own: Vec<(String, PyValue)> = Vec::new();
    for (key, value) in pairs {
        match key {
            Resolved::MergeKey => match value {
                PyValue::Map(map) => merged.extend(map),
                PyValue::Seq(items) => {
                    let mut maps = Vec::with_capacity(items.len());
                    for item in items {
                        let PyValue::Map(map) = item else {
                            return Err(LoadError::BadMerge { at: at.to_owned() });
                        };
                        maps.push(map);
                    }
                    for map in maps.into_iter().rev() {
                        merged.extend(map);
                    }
                }
                _ => return Err(LoadError::BadMerge { at: at.to_owned() }),
            },
            Resolved::Value(PyValue::Str(key)) => own.push((key, value)),
            Resolved::Value(other) => {
                return Err(LoadError::NonStringKey {
                    key: key_text(&other),
                    at: at.to_owned(),
                });
            }
        }
    }
    let mut out = PyMap::with_capacity(merged.len() + own.len());
    for (key, value) in merged.into_iter().chain(own) {
        map_set(&mut out, &key, value);
    }
    Ok(out)
}

fn key_text(key: &PyValue) -> String {
    match key {
        PyValue::Null => "null".to_owned(),
        PyValue::Bool(b) => b.to_string(),
        PyValue::Int(i) => i.to_string(),
        PyValue::Float(f) => f.to_string(),
        PyValue::Str(s) | PyValue::Timestamp(s) => s.clone(),
        PyValue::Seq(_) => "[…]".to_owned(),
        PyValue::Map(_) => "{…}".to_owned(),
    }
}

/// A scalar as serde_yaml_ng typed it (explicitly tagged or not re-typable).
fn typed_value(typed: &Typed<'_>) -> PyValue {
    match typed {
        Typed::Null => PyValue::Null,
        Typed::Bool(b) => PyValue::Bool(*b),
        Typed::Int(i) => PyValue::Int(*i),
        Typed::Float(f) => PyValue::Float(*f),
        Typed::Str(s) => PyValue::Str(s.to_string()),
    }
}

/// JSON documents: serde_json's typing is already Python's `json.load` typing.
fn build_typed(raw: &Raw<'_>, at: &str) -> Result<PyValue, LoadError> {
    match raw {
        Raw::Scalar(typed) => Ok(typed_value(typed)),
        Raw::Seq(items) => Ok(PyValue::Seq(
            items
                .iter()
                .map(|item| build_typed(item, at))
                .collect::<Result<_, _>>()?,
        )),
        Raw::Map(entries) => {
            let mut out = PyMap::with_capacity(entries.len());
            for (key, value) in entries {
                let key = match build_typed(key, at)? {
                    PyValue::Str(s) => s,
                    other => {
                        return Err(LoadError::NonStringKey {
                            key: key_text(&other),
                            at: at.to_owned(),
                        });
                    }
                };
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                let value = build_typed(value, &path)?;
                map_set(&mut out, &key, value);
            }
            Ok(PyValue::Map(out))
        }
    }
}

// PyYAML's implicit resolvers (yaml/resolver.py), in the order it tries them.
const BOOL_RE: &str =
    r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$";
const FLOAT_RE: &str = r"^(?x:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$";
const INT_RE: &str = r"^(?x:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$";
const NULL_RE: &str = r"^(?:~|null|Null|NULL|)$";
const TIMESTAMP_RE: &str = r"^(?x:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
     (?:[Tt]|[\ \t]+)[0-9][0-9]?
     :[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
     (?:[\ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$";

struct Resolvers {
    boolean: Regex,
    float: Regex,
    int: Regex,
    null: Regex,
    timestamp: Regex,
}

static RESOLVERS: LazyLock<Result<Resolvers, regex::Error>> = LazyLock::new(|| {
    Ok(Resolvers {
        boolean: Regex::new(BOOL_RE)?,
        float: Regex::new(FLOAT_RE)?,
        int: Regex::new(INT_RE)?,
        null: Regex::new(NULL_RE)?,
        timestamp: Regex::new(TIMESTAMP_RE)?,
    })
});

/// Types a plain, untagged scalar the way PyYAML's `safe_load` does.
fn resolve_plain(text: &str) -> Result<Resolved, LoadError> {
    let r = RESOLVERS
        .as_ref()
        .map_err(|e| LoadError::Internal(format!("resolver pattern: {e}")))?;
    let value = if r.boolean.is_match(text) {
        PyValue::Bool(matches!(
            text.to_ascii_lowercase().as_str(),
            "yes" | "true" | "on"
        ))
    } else if r.float.is_match(text) {
        PyValue::Float(construct_float(text)?)
    } else if r.int.is_match(text) {
        PyValue::Int(construct_int(text)?)
    } else if text == "<<" {
        return Ok(Resolved::MergeKey);
    } else if r.null.is_match(text) {
        PyValue::Null
    } else if r.timestamp.is_match(text) {
        PyValue::Timestamp(text.to_owned())
    } else {
        PyValue::Str(text.to_owned())
    };
    Ok(Resolved::Value(value))
}

fn bad(text: &str, reason: &str) -> LoadError {
    LoadError::BadScalar {
        text: text.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Splits a leading sign off (PyYAML's `sign = -1 if value[0] == '-'`).
fn split_sign(v: &str) -> (bool, &str) {
    match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    }
}

/// PyYAML's `construct_yaml_int`.
fn construct_int(text: &str) -> Result<i128, LoadError> {
    let cleaned = text.replace('_', "");
    let (negative, v) = split_sign(&cleaned);
    let too_large = || bad(text, "is too large for an integer");
    let magnitude: i128 = if v == "0" {
        0
    } else if let Some(bin) = v.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).map_err(|_| bad(text, "is not a binary integer"))?
    } else if let Some(hex) = v.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).map_err(|_| bad(text, "is not a hexadecimal integer"))?
    } else if v.starts_with('0') {
        i128::from_str_radix(v, 8).map_err(|_| bad(text, "is not an octal integer"))?
    } else if v.contains(':') {
        // Base 60: `1:30` is 90.
        let mut value: i128 = 0;
        let mut base: i128 = 1;
        for part in v.split(':').rev() {
            let digit: i128 = part.parse().map_err(|_| too_large())?;
            value = digit
                .checked_mul(base)
                .and_then(|d| value.checked_add(d))
                .ok_or_else(too_large)?;
            base = base.checked_mul(60).ok_or_else(too_large)?;
        }
        value
    } else {
        v.parse().map_err(|_| too_large())?
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// PyYAML's `construct_yaml_float`, including its base-60 form.
fn construct_float(text: &str) -> Result<f64, LoadError> {
    let cleaned = text.replace('_', "").to_ascii_lowercase();
    let (negative, v) = split_sign(&cleaned);
    let magnitude = if v == ".inf" {
        f64::INFINITY
    } else if v == ".nan" {
        // PyYAML ignores the sign of `.nan`.
        return Ok(f64::NAN);
    } else if v.contains(':') {
        let mut value = 0.0_f64;
        let mut base = 1.0_f64;
        for part in v.split(':').rev() {
            value += parse_python_float(part, text)? * base;
            base *= 60.0;
        }
        value
    } else {
        parse_python_float(v, text)?
    };
    Ok(if negative { -magnitude } else { magnitude })
}

/// Python's `float(str)` for the digit forms the 1.1 float pattern admits (`1.`, `.5`,
/// `1.e+5`); Rust's parser is correctly rounded like Python's.
fn parse_python_float(v: &str, text: &str) -> Result<f64, LoadError> {
    v.parse::<f64>()
        .map_err(|_| bad(text, "is not a floating-point number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn scalar(yaml: &str) -> PyValue {
        let doc = parse_yaml(&format!("k: {yaml}\n")).unwrap();
        let PyValue::Map(map) = doc else {
            panic!("not a map")
        };
        map.into_iter().next().unwrap().1
    }

    fn show(v: &PyValue) -> String {
        match v {
            PyValue::Null => "None".into(),
            PyValue::Bool(b) => if *b { "True" } else { "False" }.into(),
            PyValue::Int(i) => format!("int {i}"),
            PyValue::Float(f) => format!("float {}", super::super::pyjson::python_float_repr(*f)),
            PyValue::Str(s) => format!("str {s}"),
            PyValue::Timestamp(t) => format!("date {t}"),
            PyValue::Seq(_) => "list".into(),
            PyValue::Map(_) => "dict".into(),
        }
    }

    // Expected values are what PyYAML 6.0 `yaml.safe_load` returns.
    #[rstest]
    #[case("yes", "True")]
    #[case("No", "False")]
    #[case("ON", "True")]
    #[case("off", "False")]
    #[case("'yes'", "str yes")]
    #[case("\"on\"", "str on")]
    #[case("true", "True")]
    #[case("~", "None")]
    #[case("", "None")]
    #[case("Null", "None")]
    #[case("'null'", "str null")]
    #[case("42", "int 42")]
    #[case("-0", "int 0")]
    #[case("+7", "int 7")]
    #[case("010", "int 8")]
    #[case("0o17", "str 0o17")]
    #[case("0x1F", "int 31")]
    #[case("0b101", "int 5")]
    #[case("1_000", "int 1000")]
    #[case("1:30", "int 90")]
    #[case("-1:30", "int -90")]
    #[case("1.0", "float 1.0")]
    #[case("1.", "float 1.0")]
    #[case(".5", "float 0.5")]
    #[case("-.5", "str -.5")]
    #[case("1e5", "str 1e5")]
    #[case("1.5e3", "str 1.5e3")]
    #[case("1.5e+3", "float 1500.0")]
    #[case("1.0E-5", "float 1e-05")]
    #[case("1:30.5", "float 90.5")]
    #[case("-0.0", "float -0.0")]
    #[case("2024-01-01", "date 2024-01-01")]
    #[case("'2024-01-01'", "str 2024-01-01")]
    #[case("!!str 123", "str 123")]
    #[case("!!str yes", "str yes")]
    #[case("!!float 1", "float 1.0")]
    #[case("\"a\\tb\"", "str a\tb")]
    #[case("git reset --hard", "str git reset --hard")]
    #[case("|\n  yes\n", "str yes\n")]
    fn plain_scalars_are_typed_like_pyyaml(#[case] yaml: &str, #[case] expected: &str) {
        assert_eq!(show(&scalar(yaml)), expected);
    }

    #[test]
    fn sequences_and_flow_collections_are_typed_like_pyyaml() {
        let doc = parse_yaml("a: [yes, 'no', 1e5, 1.5, {on: 1}]\n");
        // `on` as a key is the boolean True in YAML 1.1: rejected as a non-string key.
        assert!(matches!(doc, Err(LoadError::NonStringKey { .. })));
        let doc = parse_yaml("a:\n  - yes\n  - 'no'\n  - 1e5\n  - [off, 0x10]\n").unwrap();
        let PyValue::Map(map) = doc else { panic!() };
        let PyValue::Seq(items) = &map[0].1 else {
            panic!()
        };
        let shown: Vec<String> = items.iter().map(show).collect();
        assert_eq!(shown, ["True", "str no", "str 1e5", "list"]);
    }

    #[test]
    fn merge_keys_follow_pyyaml_precedence() {
        let doc = parse_yaml(
            "base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\nm:\n  <<: [*b, *o]\n  z: 5\n",
        )
        .unwrap();
        let PyValue::Map(map) = doc else { panic!() };
        let PyValue::Map(m) = &map[2].1 else { panic!() };
        let shown: Vec<(String, String)> = m.iter().map(|(k, v)| (k.clone(), show(v))).collect();
        // Merged pairs come first (later list entries first, then earlier ones override
        // them in place), own keys last.
        assert_eq!(
            shown,
            [
                ("y".to_owned(), "int 2".to_owned()),
                ("z".to_owned(), "int 5".to_owned()),
                ("x".to_owned(), "int 1".to_owned()),
            ]
        );
    }

    #[test]
    fn duplicate_keys_keep_first_position_and_last_value() {
        let doc = parse_yaml("a: 1\nb: 2\na: 3\n").unwrap();
        let PyValue::Map(map) = doc else { panic!() };
        assert_eq!(map.len(), 2);
        assert_eq!(map[0].0, "a");
        assert_eq!(show(&map[0].1), "int 3");
    }

    #[test]
    fn anchors_and_aliases_are_expanded() {
        let doc = parse_yaml("a: &x [yes, 1.5]\nb: *x\n").unwrap();
        let PyValue::Map(map) = doc else { panic!() };
        assert!(map[0].1.same_repr(&map[1].1));
    }

    #[rstest]
    #[case("a: [1, 2\n")]
    #[case("a: !custom x\n")]
    #[case("a: 1\n---\nb: 2\n")]
    fn malformed_yaml_is_a_syntax_error(#[case] yaml: &str) {
        assert!(matches!(parse_yaml(yaml), Err(LoadError::Syntax(_))));
    }

    #[rstest]
    #[case("", true)]
    #[case("# only a comment\n", true)]
    #[case("0\n", true)]
    #[case("[]\n", true)]
    #[case("a: 1\n", false)]
    fn empty_documents_are_falsy(#[case] yaml: &str, #[case] falsy: bool) {
        assert_eq!(parse_yaml(yaml).unwrap().is_falsy(), falsy);
    }

    #[test]
    fn json_strings_are_never_retyped() {
        let doc = parse_json(r#"{"a": "yes", "b": 1e5, "c": 1, "a2": [true, null]}"#).unwrap();
        let PyValue::Map(map) = doc else { panic!() };
        let shown: Vec<String> = map.iter().map(|(_, v)| show(v)).collect();
        assert_eq!(shown, ["str yes", "float 100000.0", "int 1", "list"]);
    }
}
