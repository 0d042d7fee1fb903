//! Byte-exact reimplementation of Python's `json.dumps` for the two shapes the reference
//! writes: `json.dumps(obj, sort_keys=True)` (hashed into `policy_hash`) and
//! `json.dumps(obj, indent=2[, sort_keys=True])` (the `--emit` file and stdout).
//!
//! What has to match, byte for byte:
//! * separators: `", "` and `": "` without indent; `","` plus newline and `": "` with it;
//!   empty containers are always `{}` / `[]`;
//! * `ensure_ascii=True`: everything outside `' '..='~'` is escaped; `\"`, `\\`, `\n`,
//!   `\r`, `\t`, `\b`, `\f` by name, the rest as `\uXXXX` in lowercase hex, code points
//!   above the BMP as a UTF-16 surrogate pair (DEL, 0x7f, is escaped too);
//! * `sort_keys=True` sorts by code point. Rust's `str` ordering is byte-wise UTF-8, which
//!   is the same order for every valid `char` (UTF-8 preserves code point order; Rust
//!   strings cannot hold the lone surrogates where UTF-16 order would differ);
//! * floats use `float.__repr__` (shortest round-trip digits, exponent form when the
//!   decimal exponent is < -4 or >= 16, at least two exponent digits, `.0` on integral
//!   values); non-finite floats are `Infinity`, `-Infinity`, `NaN` as Python writes them.

use std::fmt::Write as _;

use serde_json::Value;

use super::value::PyValue;

/// Layout options, named after the `json.dumps` arguments they mirror.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    /// `indent=`: `None` for one line with `", "` separators.
    pub indent: Option<usize>,
    /// `sort_keys=`: otherwise maps are written in insertion order.
    pub sort_keys: bool,
}

/// Python's `json.dumps(v, sort_keys=True)`, byte for byte. `policy_hash` is the SHA-256
/// of this string's UTF-8 bytes.
pub fn python_json_dumps_sorted(v: &Value) -> String {
    dumps(
        &PyValue::from_json(v),
        Layout {
            indent: None,
            sort_keys: true,
        },
    )
}

/// Python's `json.dumps(v, indent=2, sort_keys=True)`, byte for byte (no trailing newline).
pub fn python_json_dumps_indented(v: &Value) -> String {
    dumps(
        &PyValue::from_json(v),
        Layout {
            indent: Some(2),
            sort_keys: true,
        },
    )
}

/// Writes `v` the way Python's `json.dumps` would with the given layout.
pub(crate) fn dumps(v: &PyValue, layout: Layout) -> String {
    let mut out = String::new();
    write_value(&mut out, v, layout, 0);
    out
}

fn newline(out: &mut String, layout: Layout, level: usize) {
    if let Some(width) = layout.indent {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', width * level));
    }
}

fn write_value(out: &mut String, v: &PyValue, layout: Layout, level: usize) {
    // Separators as Python picks them: `(', ', ': ')` without indent, `(',', ': ')` with.
    let item_separator = if layout.indent.is_some() { "," } else { ", " };
    match v {
        PyValue::Null => out.push_str("null"),
        PyValue::Bool(true) => out.push_str("true"),
        PyValue::Bool(false) => out.push_str("false"),
        PyValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        PyValue::Float(f) => out.push_str(&python_float_repr(*f)),
        PyValue::Str(s) => write_string(out, s),
        // Unreachable for values that passed `PyValue::to_json`; written as text so the
        // writer stays total.
        PyValue::Timestamp(t) => write_string(out, t),
        PyValue::Seq(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_separator);
                }
                newline(out, layout, level + 1);
                write_value(out, item, layout, level + 1);
            }
            newline(out, layout, level);
            out.push(']');
        }
        PyValue::Map(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut entries: Vec<&(String, PyValue)> = map.iter().collect();
            if layout.sort_keys {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
            }
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(item_separator);
                }
                newline(out, layout, level + 1);
                write_string(out, key);
                out.push_str(": ");
                write_value(out, value, layout, level + 1);
            }
            newline(out, layout, level);
            out.push('}');
        }
    }
}

/// A JSON string literal with Python's `ensure_ascii=True` escaping.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)`.
///
/// Rust's `{:e}` gives the same shortest round-trip digits as CPython's `repr` (both pick
/// the shortest digit string that reads back to the same double, nearest to the exact
/// value); only the layout around the digits differs, and that is rebuilt here following
/// CPython's `float_repr_style = 'short'` rules.
pub(crate) fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // `decpt` is where the decimal point goes relative to `digits` (CPython's name).
    let decpt = exponent + 1;
    let ndigits = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    if !(-4 < decpt && decpt <= 16) {
        let (first, rest) = digits.split_at_checked(1).unwrap_or((&digits, ""));
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        let dot = if rest.is_empty() { "" } else { "." };
        format!(
            "{sign}{first}{dot}{rest}e{exp_sign}{:02}",
            exponent.unsigned_abs()
        )
    } else if decpt <= 0 {
        let zeros = "0".repeat(usize::try_from(-decpt).unwrap_or(0));
        format!("{sign}0.{zeros}{digits}")
    } else if decpt >= ndigits {
        let zeros = "0".repeat(usize::try_from(decpt - ndigits).unwrap_or(0));
        format!("{sign}{digits}{zeros}.0")
    } else {
        let at = usize::try_from(decpt).unwrap_or(0);
        let (int, frac) = digits.split_at_checked(at).unwrap_or((&digits, ""));
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    // Expected strings are Python 3.11's `repr(float)`.
    #[rstest]
    #[case(1.0, "1.0")]
    #[case(-0.0, "-0.0")]
    #[case(0.0, "0.0")]
    #[case(1e-05, "1e-05")]
    #[case(0.0001, "0.0001")]
    #[case(1e16, "1e+16")]
    #[case(1e15, "1000000000000000.0")]
    #[case(1.5e-7, "1.5e-07")]
    #[case(123.456, "123.456")]
    #[case(0.1 + 0.2, "0.30000000000000004")]
    #[case(5e-324, "5e-324")]
    #[case(1.7976931348623157e308, "1.7976931348623157e+308")]
    #[case(-2.5e100, "-2.5e+100")]
    #[case(1234567890123456.7, "1234567890123456.8")]
    #[case(12345678901234567.0, "1.2345678901234568e+16")]
    #[case(0.000123, "0.000123")]
    #[case(f64::INFINITY, "Infinity")]
    fn floats_are_written_like_python_repr(#[case] f: f64, #[case] expected: &str) {
        assert_eq!(python_float_repr(f), expected);
    }

    #[rstest]
    #[case(json!({"b": 1, "a": [1, 2.5, "x"]}), r#"{"a": [1, 2.5, "x"], "b": 1}"#)]
    #[case(json!({"k": {}, "l": []}), r#"{"k": {}, "l": []}"#)]
    #[case(json!("caf\u{e9} \u{1F600}"), r#""caf\u00e9 \ud83d\ude00""#)]
    #[case(json!("\"\\\n\r\t\u{8}\u{c}\u{1}\u{7f}"), r#""\"\\\n\r\t\b\f\u0001\u007f""#)]
    #[case(json!({"\u{10000}": 1, "\u{ffff}": 2}), r#"{"\uffff": 2, "\ud800\udc00": 1}"#)]
    #[case(json!(-9_223_372_036_854_775_808_i64), "-9223372036854775808")]
    #[case(json!(u64::MAX), "18446744073709551615")]
    fn compact_output_matches_python(#[case] v: Value, #[case] expected: &str) {
        assert_eq!(python_json_dumps_sorted(&v), expected);
    }

    #[test]
    fn indented_output_matches_python() {
        let v = json!({"scopes": [["system", "/p"]], "a": {}, "b": {"c": null}});
        let expected = "{\n  \"a\": {},\n  \"b\": {\n    \"c\": null\n  },\n  \"scopes\": [\n    [\n      \"system\",\n      \"/p\"\n    ]\n  ]\n}";
        assert_eq!(python_json_dumps_indented(&v), expected);
    }
}
