//! Text cleaning and line wrapping.

use crate::fonts::{FontId, Fonts};
use std::borrow::Cow;

/// Normalise line breaks to `\n`, turn tabs into spaces and drop other
/// control characters, which have no glyph.
pub(crate) fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Wrap `text` into lines no wider than `max_width` at `size` points,
/// breaking at spaces, at `\n`, and inside words longer than a line.
/// Appends to `out`; an empty text gives one empty line.
pub(crate) fn wrap(
    fonts: &Fonts,
    font: FontId,
    size: f32,
    text: &str,
    max_width: f32,
    out: &mut Vec<String>,
) {
    let text = clean(text);
    let space = fonts.char_width(font, ' ', size);
    for hard in text.split('\n') {
        let mut line = String::new();
        let mut width = 0.0f32;
        let mut first = true;
        for word in hard.split(' ') {
            let w = fonts.width(font, word, size);
            if !first && width + space + w <= max_width {
                line.push(' ');
                line.push_str(word);
                width += space + w;
                continue;
            }
            if !first {
                out.push(std::mem::take(&mut line));
            }
            first = false;
            if w <= max_width {
                line.push_str(word);
                width = w;
            } else {
                width = break_word(fonts, font, size, word, max_width, out, &mut line);
            }
        }
        out.push(line);
    }
}

/// Split an over-long word into line-sized pieces: all but the last go to
/// `out`, the last is left in `line`. Returns the last piece's width.
fn break_word(
    fonts: &Fonts,
    font: FontId,
    size: f32,
    word: &str,
    max_width: f32,
    out: &mut Vec<String>,
    line: &mut String,
) -> f32 {
    let mut width = 0.0f32;
    for c in word.chars() {
        let w = fonts.char_width(font, c, size);
        if width + w > max_width && !line.is_empty() {
            out.push(std::mem::take(line));
            width = 0.0;
        }
        line.push(c);
        width += w;
    }
    width
}

/// `text` cut to fit `max_width`, with an ellipsis when cut.
pub(crate) fn truncate(
    fonts: &Fonts,
    font: FontId,
    size: f32,
    text: &str,
    max_width: f32,
) -> String {
    let text = clean(text).replace('\n', " ");
    if fonts.width(font, &text, size) <= max_width {
        return text;
    }
    let budget = max_width - fonts.char_width(font, '…', size);
    let mut width = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        width += fonts.char_width(font, c, size);
        if width > budget {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, width: f32) -> Vec<String> {
        let fonts = Fonts::new().unwrap();
        let mut out = Vec::new();
        wrap(&fonts, FontId::Regular, 10.0, text, width, &mut out);
        out
    }

    #[test]
    fn wraps_at_spaces_and_newlines() {
        let out = lines("one two three four five six seven", 60.0);
        assert!(out.len() > 2, "{out:?}");
        assert_eq!(out.join(" "), "one two three four five six seven");
        assert_eq!(lines("a\r\nb\rc\n\nd", 100.0), ["a", "b", "c", "", "d"]);
        assert_eq!(lines("", 100.0), [""]);
    }

    #[test]
    fn breaks_long_words_and_never_loops() {
        let hash = "a".repeat(64);
        let out = lines(&hash, 50.0);
        assert!(out.len() > 3);
        assert_eq!(out.concat(), hash);
        let out = lines("WWW", 1.0);
        assert_eq!(out, ["W", "W", "W"]);
    }

    #[test]
    fn cleans_controls() {
        assert_eq!(clean("a\tb\u{7}c"), "a bc");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncates_with_ellipsis() {
        let fonts = Fonts::new().unwrap();
        let t = truncate(&fonts, FontId::Regular, 10.0, &"x".repeat(200), 100.0);
        assert!(t.ends_with('…'));
        assert!(fonts.width(FontId::Regular, &t, 10.0) <= 100.0);
    }
}
