//! Hand-written byte-level scanner for WhatsApp message header lines.
//!
//! A header is the date/time prefix that starts every message:
//!
//! ```text
//! Android: 14/02/2024, 21:07 - Name: text
//! iOS:     [14/02/2024, 21:07:00] Name: text
//! ```
//!
//! The scanner accepts the styles real exports use: day-first, month-first
//! or year-first dates with `/`, `.` or `-` (optionally followed by a space,
//! as in `13. 6. 2018.`), 2- or 4-digit years, an optional comma, an
//! optional connector word (`klo`, `à`, `kl.`), 24h or 12h clocks with
//! `AM`/`PM`, `am`/`pm`, `a.m.`/`p.m.`, `a. m.`/`p. m.` (any of ordinary,
//! no-break and narrow no-break spaces), Korean/Japanese/Chinese
//! before-the-time markers, optional seconds, and the invisible marks
//! (U+200E, U+202A, …) exports sprinkle in. It does not decide day/month
//! order: it returns the three date fields as written.

/// The layout-defining features of a header. An export uses one style
/// throughout; the parser locks onto the first header's style so that a
/// continuation line that merely looks like a header in a different style
/// stays part of its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Style {
    pub ios: bool,
    pub date_sep: u8,
    pub first_long: bool,
    pub last_long: bool,
    pub seconds: bool,
    pub twelve_hour: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Meridiem {
    None,
    Am,
    Pm,
}

/// A scanned header: raw numbers, not yet validated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    pub style: Style,
    /// Date fields in written order, with their digit counts.
    pub fields: [u16; 3],
    pub lens: [u8; 3],
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub meridiem: Meridiem,
    /// Byte range of the date/time text (for error messages).
    pub stamp: (usize, usize),
    /// Byte index where the body (sender and text) starts.
    pub body: usize,
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    #[inline]
    fn starts_with(&self, s: &[u8]) -> bool {
        self.b.get(self.i..).is_some_and(|r| r.starts_with(s))
    }

    /// 1 to `max` ASCII digits.
    #[inline(always)]
    fn number(&mut self, max: u8) -> Option<(u16, u8)> {
        let mut v: u16 = 0;
        let mut n: u8 = 0;
        while let Some(c) = self.peek() {
            if !c.is_ascii_digit() {
                break;
            }
            if n == max {
                return None;
            }
            v = v * 10 + u16::from(c - b'0');
            n += 1;
            self.i += 1;
        }
        (n > 0).then_some((v, n))
    }

    /// One space: ASCII, U+00A0 or U+202F.
    #[inline(always)]
    fn space(&mut self) -> bool {
        let n = space_len(self.b.get(self.i..).unwrap_or_default());
        self.i += n;
        n > 0
    }

    /// Skips invisible format marks.
    #[inline]
    fn skip_marks(&mut self) {
        while let Some(n) = mark_len(self.b.get(self.i..).unwrap_or_default()) {
            self.i += n;
        }
    }
}

/// Length of a leading space character (ASCII space, U+00A0, U+202F), or 0.
#[inline]
pub(crate) fn space_len(b: &[u8]) -> usize {
    match b {
        [b' ', ..] => 1,
        [0xC2, 0xA0, ..] => 2,
        [0xE2, 0x80, 0xAF, ..] => 3,
        _ => 0,
    }
}

/// Length of a leading invisible mark: U+200B–U+200F, U+202A–U+202E,
/// U+2066–U+2069, U+FEFF.
#[inline]
pub(crate) fn mark_len(b: &[u8]) -> Option<usize> {
    match b {
        [0xE2, 0x80, 0x8B..=0x8F, ..] | [0xE2, 0x80, 0xAA..=0xAE, ..] => Some(3),
        [0xE2, 0x81, 0xA6..=0xA9, ..] | [0xEF, 0xBB, 0xBF, ..] => Some(3),
        _ => None,
    }
}

/// Words that may stand between the date and the time.
const CONNECTORS: &[&[u8]] = &[b"klo", b"kl.", "à".as_bytes()];

/// Day-half markers written before the time (Korean, Japanese, Chinese).
const PRE_AM: &[&str] = &["오전", "午前", "上午"];
const PRE_PM: &[&str] = &["오후", "午後", "下午"];

/// Scans a line; `None` when it is not a header.
pub(crate) fn scan(line: &[u8]) -> Option<Header> {
    // Fast rejection: a header starts with a digit, `[`, or a mark.
    match line.first() {
        Some(b'0'..=b'9' | b'[' | 0xE2 | 0xEF) => {}
        _ => return None,
    }
    let mut c = Cursor { b: line, i: 0 };
    c.skip_marks();
    let ios = c.eat(b'[');
    if ios {
        c.skip_marks();
    }
    let start = c.i;
    let (f0, l0) = c.number(4)?;
    let sep = c.peek()?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    c.i += 1;
    c.eat(b' ');
    let (f1, l1) = c.number(2)?;
    if !c.eat(sep) {
        return None;
    }
    c.eat(b' ');
    let (f2, l2) = c.number(4)?;
    c.eat(b'.');
    c.eat(b',');
    if !c.space() {
        return None;
    }
    let mut meridiem = Meridiem::None;
    if !c.peek().is_some_and(|b| b.is_ascii_digit()) {
        meridiem = pre_time_word(&mut c)?;
    }
    let (hour, _) = c.number(2)?;
    let tsep = c.peek()?;
    if tsep != b':' && tsep != b'.' {
        return None;
    }
    c.i += 1;
    let (minute, ml) = c.number(2)?;
    if ml != 2 {
        return None;
    }
    let mut second = 0;
    let mut seconds = false;
    if c.peek() == Some(tsep) && c.b.get(c.i + 1).is_some_and(|b| b.is_ascii_digit()) {
        c.i += 1;
        let (s, sl) = c.number(2)?;
        if sl != 2 {
            return None;
        }
        second = s;
        seconds = true;
    }
    if meridiem == Meridiem::None && !c.starts_with(b" - ") && c.peek() != Some(b']') {
        let save = c.i;
        c.space();
        match post_meridiem(&mut c) {
            Some(m) => meridiem = m,
            None => c.i = save,
        }
    }
    let stamp_end = c.i;
    if ios {
        c.skip_marks();
        if !(c.eat(b']') && c.eat(b' ')) {
            return None;
        }
    } else if !(c.eat(b' ') && c.eat(b'-') && c.eat(b' ')) {
        return None;
    }
    Some(Header {
        style: Style {
            ios,
            date_sep: sep,
            first_long: l0 > 2,
            last_long: l2 > 2,
            seconds,
            twelve_hour: meridiem != Meridiem::None,
        },
        fields: [f0, f1, f2],
        lens: [l0, l1, l2],
        hour: u8::try_from(hour).ok()?,
        minute: u8::try_from(minute).ok()?,
        second: u8::try_from(second).ok()?,
        meridiem,
        stamp: (start, stamp_end),
        body: c.i,
    })
}

/// A known word between date and time, followed by a space; a day-half word
/// may follow it directly or stand alone.
fn pre_time_word(c: &mut Cursor<'_>) -> Option<Meridiem> {
    for w in CONNECTORS {
        if c.starts_with(w) && space_len(c.b.get(c.i + w.len()..)?) > 0 {
            c.i += w.len();
            c.space();
            break;
        }
    }
    if c.peek().is_some_and(|b| b.is_ascii_digit()) {
        return Some(Meridiem::None);
    }
    for (list, m) in [(PRE_AM, Meridiem::Am), (PRE_PM, Meridiem::Pm)] {
        for w in list {
            if c.starts_with(w.as_bytes()) {
                c.i += w.len();
                c.space();
                return Some(m);
            }
        }
    }
    None
}

/// `AM`, `pm`, `a.m.`, `p. m.` (any space kind between the letters).
#[inline(always)]
fn post_meridiem(c: &mut Cursor<'_>) -> Option<Meridiem> {
    let m = match c.peek()? {
        b'a' | b'A' => Meridiem::Am,
        b'p' | b'P' => Meridiem::Pm,
        _ => return None,
    };
    c.i += 1;
    let dotted = c.eat(b'.');
    if dotted {
        c.space();
    }
    if !matches!(c.peek()?, b'm' | b'M') {
        return None;
    }
    c.i += 1;
    c.eat(b'.');
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(s: &str) -> Header {
        scan(s.as_bytes()).unwrap_or_else(|| panic!("not a header: {s:?}"))
    }

    #[test]
    fn android_24h() {
        let h = hdr("14/02/2024, 21:07 - Bob: hi");
        assert_eq!(h.fields, [14, 2, 2024]);
        assert_eq!((h.hour, h.minute, h.second), (21, 7, 0));
        assert!(!h.style.ios && !h.style.seconds && !h.style.twelve_hour);
        assert_eq!(&"14/02/2024, 21:07 - Bob: hi"[h.body..], "Bob: hi");
    }

    #[test]
    fn ios_12h_narrow_space() {
        let s = "\u{200E}[2/14/24, 9:07:05\u{202F}PM] Bob: hi";
        let h = hdr(s);
        assert_eq!(h.fields, [2, 14, 24]);
        assert_eq!(h.meridiem, Meridiem::Pm);
        assert!(h.style.ios && h.style.seconds);
        assert_eq!(&s[h.body..], "Bob: hi");
        assert_eq!(&s[h.stamp.0..h.stamp.1], "2/14/24, 9:07:05\u{202F}PM");
    }

    #[test]
    fn spanish_meridiem_with_nbsp() {
        let h = hdr("14/2/2024, 9:07\u{A0}p.\u{A0}m. - Bob: hi");
        assert_eq!(h.meridiem, Meridiem::Pm);
        let h = hdr("14/2/2024, 9:07 a. m. - Bob: hi");
        assert_eq!(h.meridiem, Meridiem::Am);
    }

    #[test]
    fn finnish_and_serbian_styles() {
        let h = hdr("[14.2.2024 klo 21.07.05] Bob: hi");
        assert_eq!(h.fields, [14, 2, 2024]);
        assert_eq!((h.hour, h.minute, h.second), (21, 7, 5));
        let h = hdr("[13. 6. 2018. 21:25:15] Bob: hi");
        assert_eq!(h.fields, [13, 6, 2018]);
    }

    #[test]
    fn korean_pre_time_marker() {
        let h = hdr("2024. 2. 14. 오후 9:07 - Bob: hi");
        assert_eq!(h.fields, [2024, 2, 14]);
        assert_eq!(h.meridiem, Meridiem::Pm);
    }

    #[test]
    fn rejects_non_headers() {
        for s in [
            "",
            "hello",
            "14/02/2024",
            "14/02/2024, 21:07",
            "14/02/2024, 21:07 Bob: hi",
            "[14/02/2024, 21:07:00 Bob: hi",
            "14/02/2024, 21:7 - Bob",
            "14:02:2024, 21:07 - Bob",
            "1/2/3/4, 21:07 - x",
            "14/02/2024, 21:07 pq - x",
            "14/02/2024,21:07 - x",
        ] {
            assert!(scan(s.as_bytes()).is_none(), "{s:?}");
        }
    }
}
