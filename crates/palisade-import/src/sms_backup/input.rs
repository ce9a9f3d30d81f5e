//! The byte source under the XML reader, and the text-level helpers the
//! parser needs that quick-xml leaves to its user: attribute unescaping that
//! copes with surrogate-pair character references, base64 with a size cap,
//! and line numbers for byte offsets.

use std::io::{self, BufRead, Read};

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

/// Reads from `R` through its own buffer, counting consumed bytes and line
/// breaks, and refuses to hand out more than `limit` bytes between two
/// [`Input::mark`]s: quick-xml keeps a whole tag (attributes included) in
/// memory, so this is what bounds memory per element.
pub(super) struct Input<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    /// Bytes consumed so far (the file offset of the next byte).
    pub consumed: u64,
    /// Line breaks (`\n`) consumed so far.
    pub newlines: u64,
    /// Length of a UTF-8 byte-order mark at the start (quick-xml skips it
    /// without counting it in its own positions).
    pub bom: u64,
    mark: u64,
    limit: u64,
    /// Set when a read was refused because of `limit`.
    pub exceeded: bool,
    /// Set when the source reported its end.
    pub eof: bool,
}

const CHUNK: usize = 64 << 10;
const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<R: Read> Input<R> {
    pub fn new(inner: R, limit: u64) -> Self {
        Self {
            inner,
            buf: vec![0; CHUNK].into_boxed_slice(),
            pos: 0,
            filled: 0,
            consumed: 0,
            newlines: 0,
            bom: 0,
            mark: 0,
            limit,
            exceeded: false,
            eof: false,
        }
    }

    /// Starts a new element: the limit counts from here.
    pub fn mark(&mut self) {
        self.mark = self.consumed;
    }
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.consumed.saturating_sub(self.mark) > self.limit {
            self.exceeded = true;
            return Err(io::Error::other("element larger than the limit"));
        }
        if self.pos >= self.filled {
            self.pos = 0;
            self.filled = 0;
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            self.filled = n;
            self.eof |= n == 0;
        }
        Ok(self.buf.get(self.pos..self.filled).unwrap_or_default())
    }

    fn consume(&mut self, amt: usize) {
        let end = self.pos.saturating_add(amt).min(self.filled);
        let taken = self.buf.get(self.pos..end).unwrap_or_default();
        if self.consumed == 0 && taken == BOM {
            self.bom = BOM.len() as u64;
        }
        self.newlines += memchr::memchr_iter(b'\n', taken).count() as u64;
        self.consumed += (end - self.pos) as u64;
        self.pos = end;
    }
}

/// Why an attribute value could not be read; `at` is a byte offset within
/// the raw value.
pub(super) struct ValueError {
    pub at: usize,
    pub message: String,
}

fn verr(at: usize, message: impl Into<String>) -> ValueError {
    ValueError {
        at,
        message: message.into(),
    }
}

/// Replaces the five predefined entities and character references.
///
/// Character references to UTF-16 surrogates (`&#55357;&#56832;`, written by
/// SMS Backup & Restore for emoji and rejected by strict parsers) are
/// combined when a high surrogate is directly followed by a low one; any
/// other surrogate, and references to code points that are not characters
/// (`&#0;`, above U+10FFFF), become U+FFFD. Other named entities are an error:
/// no document type is read, so none is defined.
pub(super) fn unescape(raw: &str) -> Result<String, ValueError> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while let Some(rel) = memchr::memchr(b'&', bytes.get(i..).unwrap_or_default()) {
        let amp = i + rel;
        out.push_str(raw.get(i..amp).unwrap_or_default());
        let (r, next) = reference(raw, amp)?;
        i = next;
        match r {
            Ref::Char(c) => out.push(c),
            Ref::Surrogate(hi @ 0xD800..=0xDBFF) => match reference(raw, next) {
                Ok((Ref::Surrogate(lo @ 0xDC00..=0xDFFF), after)) => {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i = after;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            Ref::Surrogate(_) => out.push(char::REPLACEMENT_CHARACTER),
        }
    }
    out.push_str(raw.get(i..).unwrap_or_default());
    Ok(out)
}

enum Ref {
    Char(char),
    Surrogate(u32),
}

/// The reference starting at `at` (which must be `&`), and the offset after
/// its `;`. Longest accepted reference: `&#x0000010FFFF;` and the like.
fn reference(raw: &str, at: usize) -> Result<(Ref, usize), ValueError> {
    let rest = raw.get(at..).unwrap_or_default();
    if !rest.starts_with('&') {
        return Err(verr(at, "expected `&`"));
    }
    let window = rest.get(..rest.len().min(40)).unwrap_or(rest);
    let Some(semi) = window.find(';') else {
        return Err(verr(at, "`&` does not start a reference ending in `;`"));
    };
    let name = rest.get(1..semi).unwrap_or_default();
    let next = at + semi + 1;
    let r = match name {
        "lt" => Ref::Char('<'),
        "gt" => Ref::Char('>'),
        "amp" => Ref::Char('&'),
        "quot" => Ref::Char('"'),
        "apos" => Ref::Char('\''),
        _ => {
            let Some(num) = name.strip_prefix('#') else {
                return Err(verr(
                    at,
                    format!(
                        "unknown entity `&{name};` (no document type is read, so only the five predefined entities exist)"
                    ),
                ));
            };
            let (digits, radix) = match num.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (num, 10),
            };
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return Err(verr(
                    at,
                    format!("malformed character reference `&{name};`"),
                ));
            }
            match u32::from_str_radix(digits, radix) {
                Ok(v @ 0xD800..=0xDFFF) => Ref::Surrogate(v),
                Ok(v) if v != 0 => {
                    Ref::Char(char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER))
                }
                _ => Ref::Char(char::REPLACEMENT_CHARACTER),
            }
        }
    };
    Ok((r, next))
}

const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes base64 that may be broken into lines (whitespace, or `&#10;`
/// references, between the characters). Errors if the result would exceed
/// `limit` bytes (`Err(None)`) or the text is not base64 (`Err(Some(_))`).
pub(super) fn decode_base64(raw: &str, limit: usize) -> Result<Vec<u8>, Option<ValueError>> {
    let unescaped;
    let text = if raw.contains('&') {
        unescaped = unescape(raw).map_err(Some)?;
        unescaped.as_str()
    } else {
        raw
    };
    // Decoded 8 KiB of base64 at a time, so no cleaned copy of the whole
    // text is made.
    let estimate = text.len() / 4 * 3;
    let mut out = Vec::with_capacity(estimate.min(limit));
    let mut chunk = Vec::with_capacity(B64_CHUNK);
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b.is_ascii_whitespace() {
            continue;
        }
        if chunk.is_empty() {
            start = i;
        }
        chunk.push(b);
        if chunk.len() == B64_CHUNK {
            decode_chunk(&chunk, start, &mut out, limit)?;
            chunk.clear();
        }
    }
    decode_chunk(&chunk, start, &mut out, limit)?;
    Ok(out)
}

/// A multiple of 4, so chunks before the last need no padding.
const B64_CHUNK: usize = 8 << 10;

fn decode_chunk(
    chunk: &[u8],
    start: usize,
    out: &mut Vec<u8>,
    limit: usize,
) -> Result<(), Option<ValueError>> {
    if out.len() + chunk.len() / 4 * 3 > limit.saturating_add(3) {
        return Err(None);
    }
    B64.decode_vec(chunk, out)
        .map_err(|e| Some(verr(start, format!("part data is not base64: {e}"))))?;
    if out.len() > limit {
        return Err(None);
    }
    Ok(())
}

/// Line (1-based) of byte `at` of `text`, which starts on line `first`.
pub(super) fn line_in(text: &str, at: usize, first: u64) -> u64 {
    let head = text.as_bytes().get(..at).unwrap_or(text.as_bytes());
    first + memchr::memchr_iter(b'\n', head).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn un(s: &str) -> String {
        unescape(s).unwrap_or_else(|e| panic!("{s:?}: {}", e.message))
    }

    #[test]
    fn predefined_and_numeric_references() {
        assert_eq!(un("a &lt;b&gt; &amp; &quot;c&apos;"), "a <b> & \"c'");
        assert_eq!(un("line&#10;two&#xA;three"), "line\ntwo\nthree");
        assert_eq!(un("caf&#233;"), "café");
    }

    #[test]
    fn surrogate_pairs_combine_and_lone_ones_are_replaced() {
        assert_eq!(un("&#55357;&#56832;"), "😀");
        assert_eq!(un("x&#xD83D;&#xDE00;y"), "x😀y");
        assert_eq!(un("&#55357; &#56832;"), "\u{FFFD} \u{FFFD}");
        assert_eq!(un("&#56832;&#55357;"), "\u{FFFD}\u{FFFD}");
        assert_eq!(un("&#55357;&amp;"), "\u{FFFD}&");
        assert_eq!(un("&#55357;"), "\u{FFFD}");
        assert_eq!(
            un("&#0;&#1114112;&#99999999999999;"),
            "\u{FFFD}\u{FFFD}\u{FFFD}"
        );
    }

    #[test]
    fn bad_references_are_errors_with_offsets() {
        for (s, at) in [
            ("ab&lol;", 2),
            ("a&#;", 1),
            ("&#12a;", 0),
            ("x & y", 2),
            ("&#x;", 0),
        ] {
            let e = unescape(s)
                .err()
                .unwrap_or_else(|| panic!("{s:?} accepted"));
            assert_eq!(e.at, at, "{s:?}: {}", e.message);
        }
    }

    #[test]
    fn base64_with_line_breaks_and_limit() {
        assert_eq!(
            decode_base64("aGVs\nbG8=", 10).ok(),
            Some(b"hello".to_vec())
        );
        assert_eq!(
            decode_base64("aGVs&#10;bG8", 10).ok(),
            Some(b"hello".to_vec())
        );
        assert!(matches!(decode_base64("aGVsbG8=", 4), Err(None)));
        assert!(matches!(decode_base64("a*b=", 10), Err(Some(_))));
    }
}
