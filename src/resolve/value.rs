//! [`PyValue`]: a scope document as the reference holds it in Python after
//! `yaml.safe_load`, so the merge can follow the reference exactly.
//!
//! Two Python behaviours the merge depends on cannot be seen through `serde_json::Value`:
//! dicts keep insertion order (the reference dedups list items by `repr()`, and two dicts
//! with the same items in a different order have different reprs), and an `int` is never
//! equal in repr to a `float` or a `bool`. So the merge runs on this type and the result is
//! converted to `serde_json::Value` once, at the end.

use serde_json::{Map, Number, Value};

/// A mapping in insertion order, like a Python `dict`. Keys are unique.
pub(crate) type PyMap = Vec<(String, PyValue)>;

/// One node of a loaded scope document, typed the way PyYAML's `safe_load` types it.
#[derive(Debug, Clone)]
pub(crate) enum PyValue {
    /// `None`.
    Null,
    /// `True` / `False`.
    Bool(bool),
    /// A Python `int`; wider than JSON's 64 bits so out-of-range values can be reported.
    Int(i128),
    /// A Python `float`, possibly non-finite (`.inf`, `.nan`).
    Float(f64),
    /// A Python `str`.
    Str(String),
    /// A plain scalar PyYAML constructs as a `date`/`datetime` (raw text kept). Python's
    /// `json.dumps` cannot serialise it, so the reference fails if one reaches the
    /// merged policy.
    Timestamp(String),
    /// A Python `list`.
    Seq(Vec<PyValue>),
    /// A Python `dict` (string keys only, see `load`).
    Map(PyMap),
}

/// Why a merged value cannot become JSON the way the reference would hash it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unrepresentable {
    /// Dotted key path of the value inside the policy.
    pub key_path: String,
    /// The offending value as written.
    pub value: String,
    /// What is wrong with it, for the message.
    pub reason: &'static str,
}

impl PyValue {
    /// Python truthiness: the reference treats a falsy document (`None`, `0`, `""`, `[]`,
    /// `{}`, `False`) as an empty file (`yaml.safe_load(f) or {}`).
    pub(crate) fn is_falsy(&self) -> bool {
        match self {
            PyValue::Null => true,
            PyValue::Bool(b) => !*b,
            PyValue::Int(i) => *i == 0,
            PyValue::Float(f) => *f == 0.0,
            PyValue::Str(s) => s.is_empty(),
            PyValue::Timestamp(_) => false,
            PyValue::Seq(items) => items.is_empty(),
            PyValue::Map(map) => map.is_empty(),
        }
    }

    /// The kind of value, as a phrase for messages ("a string", "a mapping").
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            PyValue::Null => "null",
            PyValue::Bool(_) => "a boolean",
            PyValue::Int(_) => "an integer",
            PyValue::Float(_) => "a float",
            PyValue::Str(_) => "a string",
            PyValue::Timestamp(_) => "a date",
            PyValue::Seq(_) => "a list",
            PyValue::Map(_) => "a mapping",
        }
    }

    /// Whether Python's `repr()` of the two values is the same string, which is how the
    /// reference dedups appended lists (`_dedupe` keys a set by `repr(item)`).
    ///
    /// That differs from JSON equality in ways that change hashes: dicts compare in
    /// insertion order, `1`, `1.0` and `True` all differ, and `0.0` differs from `-0.0`.
    /// Two finite floats have the same repr exactly when they have the same bits.
    pub(crate) fn same_repr(&self, other: &PyValue) -> bool {
        match (self, other) {
            (PyValue::Null, PyValue::Null) => true,
            (PyValue::Bool(a), PyValue::Bool(b)) => a == b,
            (PyValue::Int(a), PyValue::Int(b)) => a == b,
            (PyValue::Float(a), PyValue::Float(b)) => {
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
            }
            (PyValue::Str(a), PyValue::Str(b)) => a == b,
            (PyValue::Timestamp(a), PyValue::Timestamp(b)) => a == b,
            (PyValue::Seq(a), PyValue::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_repr(y))
            }
            (PyValue::Map(a), PyValue::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.same_repr(vb))
            }
            _ => false,
        }
    }

    /// Feeds `state` so that values with the same `repr()` ([`PyValue::same_repr`]) hash
    /// alike, for deduplicating long lists without comparing every pair.
    pub(crate) fn repr_hash<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::Hash;
        std::mem::discriminant(self).hash(state);
        match self {
            PyValue::Null => {}
            PyValue::Bool(b) => b.hash(state),
            PyValue::Int(i) => i.hash(state),
            // `same_repr` treats every NaN alike and otherwise compares bits.
            PyValue::Float(f) if f.is_nan() => {}
            PyValue::Float(f) => f.to_bits().hash(state),
            PyValue::Str(s) | PyValue::Timestamp(s) => s.hash(state),
            PyValue::Seq(items) => {
                items.len().hash(state);
                for item in items {
                    item.repr_hash(state);
                }
            }
            PyValue::Map(map) => {
                map.len().hash(state);
                for (k, v) in map {
                    k.hash(state);
                    v.repr_hash(state);
                }
            }
        }
    }

    /// A 64-bit digest of [`PyValue::repr_hash`].
    pub(crate) fn repr_digest(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.repr_hash(&mut h);
        std::hash::Hasher::finish(&h)
    }

    /// Converts to JSON, failing on what `serde_json::Value` (or the reference's
    /// `json.dumps`) cannot hold: dates, non-finite floats, integers beyond 64 bits.
    pub(crate) fn to_json(&self, key_path: &str) -> Result<Value, Unrepresentable> {
        let unrepresentable = |value: String, reason| Unrepresentable {
            key_path: if key_path.is_empty() {
                "policy".to_owned()
            } else {
                key_path.to_owned()
            },
            value,
            reason,
        };
        Ok(match self {
            PyValue::Null => Value::Null,
            PyValue::Bool(b) => Value::Bool(*b),
            PyValue::Int(i) => {
                if let Ok(small) = i64::try_from(*i) {
                    Value::Number(small.into())
                } else if let Ok(big) = u64::try_from(*i) {
                    Value::Number(big.into())
                } else {
                    return Err(unrepresentable(
                        i.to_string(),
                        "is an integer outside the 64-bit range",
                    ));
                }
            }
            PyValue::Float(f) => match Number::from_f64(*f) {
                Some(n) => Value::Number(n),
                None => {
                    return Err(unrepresentable(
                        f.to_string(),
                        "is not a finite number, which JSON cannot hold",
                    ));
                }
            },
            PyValue::Str(s) => Value::String(s.clone()),
            PyValue::Timestamp(t) => {
                return Err(unrepresentable(
                    t.clone(),
                    "reads as a date in YAML 1.1, which the reference cannot hash",
                ));
            }
            PyValue::Seq(items) => Value::Array(
                items
                    .iter()
                    .map(|item| item.to_json(key_path))
                    .collect::<Result<_, _>>()?,
            ),
            PyValue::Map(map) => {
                let mut out = Map::new();
                for (key, value) in map {
                    let child = if key_path.is_empty() {
                        key.clone()
                    } else {
                        format!("{key_path}.{key}")
                    };
                    out.insert(key.clone(), value.to_json(&child)?);
                }
                Value::Object(out)
            }
        })
    }

    /// Converts from JSON; objects come out in the JSON map's (sorted) key order.
    pub(crate) fn from_json(value: &Value) -> PyValue {
        match value {
            Value::Null => PyValue::Null,
            Value::Bool(b) => PyValue::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    PyValue::Int(i.into())
                } else if let Some(u) = n.as_u64() {
                    PyValue::Int(u.into())
                } else {
                    PyValue::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => PyValue::Str(s.clone()),
            Value::Array(items) => PyValue::Seq(items.iter().map(PyValue::from_json).collect()),
            Value::Object(map) => PyValue::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), PyValue::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Finds list items by `repr()` in constant time on average: items are bucketed by
/// [`PyValue::repr_digest`] and confirmed with [`PyValue::same_repr`].
#[derive(Debug, Default)]
pub(crate) struct ReprIndex {
    buckets: std::collections::HashMap<u64, Vec<usize>>,
}

impl ReprIndex {
    /// Records that the item at `position` is `value` (a first occurrence).
    pub(crate) fn insert(&mut self, value: &PyValue, position: usize) {
        self.buckets
            .entry(value.repr_digest())
            .or_default()
            .push(position);
    }

    /// The position of the first recorded item with the same repr as `value`, where
    /// `items` maps a recorded position back to its item.
    pub(crate) fn find<'a>(
        &self,
        value: &PyValue,
        items: impl Fn(usize) -> Option<&'a PyValue>,
    ) -> Option<usize> {
        self.buckets
            .get(&value.repr_digest())?
            .iter()
            .copied()
            .find(|&i| items(i).is_some_and(|item| item.same_repr(value)))
    }
}

/// The value under `key`, if present.
pub(crate) fn map_get<'a>(map: &'a PyMap, key: &str) -> Option<&'a PyValue> {
    map.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Sets `key` like `dict[key] = value`: an existing key keeps its position.
pub(crate) fn map_set(map: &mut PyMap, key: &str, value: PyValue) {
    match map.iter_mut().find(|(k, _)| k == key) {
        Some((_, slot)) => *slot = value,
        None => map.push((key.to_owned(), value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn map(pairs: &[(&str, PyValue)]) -> PyValue {
        PyValue::Map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[rstest]
    #[case(PyValue::Int(1), PyValue::Float(1.0), false)]
    #[case(PyValue::Int(1), PyValue::Bool(true), false)]
    #[case(PyValue::Float(0.0), PyValue::Float(-0.0), false)]
    #[case(PyValue::Float(0.5), PyValue::Float(0.5), true)]
    #[case(PyValue::Str("a".into()), PyValue::Str("a".into()), true)]
    #[case(
        map(&[("a", PyValue::Int(1)), ("b", PyValue::Int(2))]),
        map(&[("b", PyValue::Int(2)), ("a", PyValue::Int(1))]),
        false
    )]
    #[case(
        map(&[("a", PyValue::Int(1)), ("b", PyValue::Int(2))]),
        map(&[("a", PyValue::Int(1)), ("b", PyValue::Int(2))]),
        true
    )]
    fn repr_equality_follows_python(#[case] a: PyValue, #[case] b: PyValue, #[case] same: bool) {
        assert_eq!(a.same_repr(&b), same);
    }

    #[rstest]
    #[case(PyValue::Null, true)]
    #[case(PyValue::Int(0), true)]
    #[case(PyValue::Float(-0.0), true)]
    #[case(PyValue::Str(String::new()), true)]
    #[case(PyValue::Seq(vec![]), true)]
    #[case(PyValue::Bool(false), true)]
    #[case(PyValue::Str("x".into()), false)]
    #[case(PyValue::Timestamp("2024-01-01".into()), false)]
    fn falsy_documents_follow_python_truthiness(#[case] v: PyValue, #[case] falsy: bool) {
        assert_eq!(v.is_falsy(), falsy);
    }

    /// The index must find exactly what a scan with `same_repr` finds (the first
    /// occurrence), or the merge's dedup would keep or drop different items.
    #[test]
    fn repr_index_finds_what_a_scan_finds() {
        let items = vec![
            PyValue::Int(1),
            PyValue::Float(1.0),
            PyValue::Bool(true),
            PyValue::Float(0.0),
            PyValue::Float(-0.0),
            PyValue::Float(f64::NAN),
            PyValue::Str("a".into()),
            PyValue::Timestamp("a".into()),
            map(&[("a", PyValue::Int(1)), ("b", PyValue::Int(2))]),
            map(&[("b", PyValue::Int(2)), ("a", PyValue::Int(1))]),
            PyValue::Seq(vec![PyValue::Str("a".into())]),
            PyValue::Int(1),
            PyValue::Float(f64::NAN),
        ];
        let mut index = ReprIndex::default();
        for (i, item) in items.iter().enumerate() {
            let scanned = items.iter().position(|x| x.same_repr(item));
            if index.find(item, |j| items.get(j)).is_none() {
                index.insert(item, i);
            }
            assert_eq!(index.find(item, |j| items.get(j)), scanned, "{item:?}");
        }
    }

    #[test]
    fn map_set_keeps_the_first_position() {
        let mut m: PyMap = vec![("a".into(), PyValue::Int(1)), ("b".into(), PyValue::Int(2))];
        map_set(&mut m, "a", PyValue::Int(3));
        assert_eq!(m.first().map(|(k, _)| k.as_str()), Some("a"));
        assert!(matches!(map_get(&m, "a"), Some(PyValue::Int(3))));
    }

    #[test]
    fn unrepresentable_values_name_their_key_path() {
        let v = map(&[(
            "tooling",
            map(&[("since", PyValue::Timestamp("2024-01-01".into()))]),
        )]);
        let err = v.to_json("").unwrap_err();
        assert_eq!(err.key_path, "tooling.since");
        assert!(PyValue::Float(f64::INFINITY).to_json("x").is_err());
        assert!(PyValue::Int(i128::from(u64::MAX) + 1).to_json("x").is_err());
        assert_eq!(
            PyValue::Int(i128::from(u64::MAX)).to_json("x").unwrap(),
            serde_json::json!(u64::MAX)
        );
    }
}
