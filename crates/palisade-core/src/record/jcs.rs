//! A direct RFC 8785 (JCS) writer for the values Palisade commits to: strings,
//! integers, booleans, null, arrays and objects. It writes exactly the bytes
//! `serde_json_canonicalizer` writes for those values, without its per-object
//! buffering; anything else (a float, an integer beyond ±2^53) is reported as
//! unsupported so the caller falls back to `serde_json_canonicalizer`.
//!
//! The rules it relies on (RFC 8785 §3.2):
//! * strings: `"` and `\` escaped, the controls U+0000–U+001F escaped as
//!   `\b \t \n \f \r` or `\u00xx` (lower-case hex), everything else verbatim
//!   (serde_json's escaping, which `serde_json_canonicalizer` uses);
//! * numbers: the ECMAScript form of the IEEE double, which for an integer of
//!   magnitude at most 2^53 is its plain decimal digits;
//! * objects: members sorted by the UTF-16 code units of their names.

use serde_json::Value;
use std::cmp::Ordering;

/// Largest magnitude whose integer is exactly representable as a double.
const MAX_EXACT: u64 = 1 << 53;

/// Escape action per byte: 0 = verbatim, b'u' = `\u00xx`, else the letter after `\`.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A JSON string literal.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = ESCAPE[b as usize];
        if esc == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if esc == b'u' {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', esc]);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Decimal digits of an unsigned integer.
pub(crate) fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Member names in RFC 8785 order: by UTF-16 code units (which differs from
/// byte order only between U+E000–U+FFFF and the supplementary planes).
pub(crate) fn cmp_names(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.as_bytes().cmp(b.as_bytes())
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// Write a value canonically; false (with `out` possibly partly written) if the
/// value holds something this writer does not handle.
pub(crate) fn write_value(out: &mut Vec<u8>, v: &Value) -> bool {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::String(s) => write_str(out, s),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                if u > MAX_EXACT {
                    return false;
                }
                write_u64(out, u);
            } else if let Some(i) = n.as_i64() {
                // as_u64 failed, so i < 0.
                let m = i.unsigned_abs();
                if m > MAX_EXACT {
                    return false;
                }
                out.push(b'-');
                write_u64(out, m);
            } else {
                return false;
            }
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if !write_value(out, item) {
                    return false;
                }
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut prev: Option<&str> = None;
            let sorted = map.keys().all(|k| {
                let ok = prev.is_none_or(|p| cmp_names(p, k) == Ordering::Less);
                prev = Some(k);
                ok
            });
            out.push(b'{');
            if sorted {
                for (i, (k, v)) in map.iter().enumerate() {
                    if !write_member(out, i, k, v) {
                        return false;
                    }
                }
            } else {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_by(|a, b| cmp_names(a.0, b.0));
                for (i, (k, v)) in members.into_iter().enumerate() {
                    if !write_member(out, i, k, v) {
                        return false;
                    }
                }
            }
            out.push(b'}');
        }
    }
    true
}

fn write_member(out: &mut Vec<u8>, i: usize, k: &str, v: &Value) -> bool {
    if i > 0 {
        out.push(b',');
    }
    write_str(out, k);
    out.push(b':');
    write_value(out, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn reference(v: &Value) -> Vec<u8> {
        serde_json_canonicalizer::to_vec(v).expect("canonicalise")
    }

    fn ours(v: &Value) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        write_value(&mut out, v).then_some(out)
    }

    #[test]
    fn edge_cases_match_the_reference() {
        let cases = [
            json!(null),
            json!(true),
            json!(0),
            json!(-1),
            json!(9007199254740992u64),
            json!(-9007199254740992i64),
            json!(""),
            json!("\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}\u{20}\u{7f}\"\\/"),
            json!("€ 😀 \u{e000} \u{ffff} \u{10ffff}"),
            json!({"b": 1, "a": [], "": {}, "\u{e000}": 0, "\u{1F600}": 1, "\u{7f}": 2}),
            json!([[[]], {}, [{}]]),
        ];
        for v in cases {
            assert_eq!(ours(&v), Some(reference(&v)), "{v}");
        }
        // Beyond what the writer handles: the caller falls back.
        for v in [
            json!(9007199254740993u64),
            json!(-9007199254740993i64),
            json!(u64::MAX),
            json!(1.5),
            json!([1, 2.0]),
        ] {
            assert_eq!(ours(&v), None, "{v}");
        }
    }

    #[test]
    fn name_order_is_utf16() {
        assert_eq!(cmp_names("\u{1F600}", "\u{e000}"), Ordering::Less);
        assert_eq!(cmp_names("a", "\u{e000}"), Ordering::Less);
        assert_eq!(cmp_names("ab", "a"), Ordering::Greater);
        assert_eq!(cmp_names("é", "é"), Ordering::Equal);
    }

    /// Strings drawn to stress escaping and ordering: controls, quotes, the
    /// private-use area and supplementary planes.
    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                4 => prop::char::range('\u{0}', '\u{7f}'),
                1 => prop::char::range('\u{80}', '\u{7ff}'),
                1 => prop::char::range('\u{d7f0}', '\u{ffff}'),
                1 => prop::char::range('\u{10000}', '\u{10ffff}'),
            ],
            0..12,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-(1i64 << 53)..=(1i64 << 53)).prop_map(Value::from),
            ((1u64 << 53) - 3..(1u64 << 53) + 3).prop_map(Value::from),
            (-1000i64..1000).prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            number(),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text(), inner), 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Wherever the writer answers, it answers exactly as the reference does.
        #[test]
        fn matches_serde_json_canonicalizer(v in value()) {
            if let Some(bytes) = ours(&v) {
                prop_assert_eq!(
                    String::from_utf8(bytes).expect("utf-8"),
                    String::from_utf8(reference(&v)).expect("utf-8")
                );
            }
        }

        /// It answers for everything but floats and integers beyond ±2^53.
        #[test]
        fn handles_all_but_unusual_numbers(s in text(), i in -(1i64 << 53)..=(1i64 << 53)) {
            let v = json!({ s.clone(): [s, i, null, true, {"k": []}] });
            prop_assert_eq!(ours(&v), Some(reference(&v)));
        }
    }
}
