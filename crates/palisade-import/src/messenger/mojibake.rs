//! Repair of the "Download your information" text encoding bug: Facebook and
//! Instagram write every byte of a UTF-8 string as its own `\u00XX` escape,
//! so `é` (UTF-8 `C3 A9`) arrives as `Ã©` and `❤` (`E2 9D A4`) as `â\u{9d}¤`.

use std::borrow::Cow;

/// Undoes the byte-per-character encoding of a string, when it is one.
///
/// The string is repaired only when every character is at most U+00FF (so it
/// can be read back as bytes) **and** those bytes are valid UTF-8. Anything
/// else is returned unchanged: genuine text with `“ ”`, `€` or an emoji has a
/// character above U+00FF, and genuine Latin-1 text such as `café` does not
/// form valid UTF-8 (a lone `é` is byte `E9`, which cannot stand alone).
///
/// Pure ASCII is returned as is (it is its own repair). The one case that
/// cannot be told apart is text that genuinely consists of Latin-1 letters
/// spelling out valid UTF-8 (such as a literal `Ã©`); it is repaired too.
///
/// ```
/// use palisade_import::repair_mojibake;
/// assert_eq!(repair_mojibake("caf\u{c3}\u{a9} time?"), "café time?");
/// assert_eq!(repair_mojibake("\u{e2}\u{9d}\u{a4}"), "❤");
/// assert_eq!(repair_mojibake("“café”"), "“café”");
/// assert_eq!(repair_mojibake("café"), "café");
/// ```
pub fn repair_mojibake(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let mut bytes = Vec::with_capacity(s.len());
    for c in s.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => bytes.push(b),
            Err(_) => return Cow::Borrowed(s),
        }
    }
    match String::from_utf8(bytes) {
        Ok(fixed) => Cow::Owned(fixed),
        Err(_) => Cow::Borrowed(s),
    }
}

/// Repairs an owned string in place of a copy when nothing changes.
pub(crate) fn repair_owned(s: String) -> String {
    match repair_mojibake(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(fixed) => fixed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoding Facebook applies: each UTF-8 byte becomes one char.
    fn mangle(s: &str) -> String {
        s.bytes().map(char::from).collect()
    }

    #[test]
    fn repairs_accents_and_emoji() {
        for s in ["café", "Grüße aus Köln", "❤", "👍🏽", "日本語", "“quoted”"] {
            assert_eq!(repair_mojibake(&mangle(s)), s);
        }
    }

    #[test]
    fn leaves_genuine_text_alone() {
        for s in [
            "plain",
            "café",
            "“café”",
            "naïve — ok",
            "€5",
            "Ã",
            "1 × 2 ÷ 3",
        ] {
            assert!(matches!(repair_mojibake(s), Cow::Borrowed(_)), "{s}");
        }
    }
}
