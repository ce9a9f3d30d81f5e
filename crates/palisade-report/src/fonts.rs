//! The embedded DejaVu fonts: metrics for layout, and the per-document record
//! of which characters were drawn, from which each font is subset and
//! embedded (see `pdf::fonts`).
//!
//! Every distinct character drawn gets its own CID, so the ToUnicode map can
//! give back exactly the text that was written, even for characters the font
//! lacks (those are drawn with the font's U+FFFD glyph, or `.notdef`).

use crate::error::ReportError;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The three faces a document may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FontId {
    Regular,
    Bold,
    Mono,
}

impl FontId {
    pub(crate) const ALL: [FontId; 3] = [FontId::Regular, FontId::Bold, FontId::Mono];

    pub(crate) fn index(self) -> usize {
        match self {
            FontId::Regular => 0,
            FontId::Bold => 1,
            FontId::Mono => 2,
        }
    }

    /// The name the font has in page resources.
    pub(crate) fn resource_name(self) -> &'static [u8] {
        match self {
            FontId::Regular => b"F0",
            FontId::Bold => b"F1",
            FontId::Mono => b"F2",
        }
    }
}

const SOURCES: [(&str, &str, &[u8]); 3] = [
    (
        "DejaVuSans.ttf",
        "DejaVuSans",
        include_bytes!("../fonts/DejaVuSans.ttf"),
    ),
    (
        "DejaVuSans-Bold.ttf",
        "DejaVuSans-Bold",
        include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
    ),
    (
        "DejaVuSansMono.ttf",
        "DejaVuSansMono",
        include_bytes!("../fonts/DejaVuSansMono.ttf"),
    ),
];

/// Characters below this have their glyph and advance precomputed.
const DENSE: usize = 0x3000;
const MISSING: u32 = u32::MAX;
/// CIDs handed out per font before further new characters all share the
/// replacement glyph's CID (a PDF CID is 16 bits).
const MAX_CIDS: usize = PLAIN_CODES + 0x7FFE;
const REPLACEMENT: char = '\u{FFFD}';

/// One parsed font file with what layout needs from it.
pub(crate) struct Face {
    pub file: &'static str,
    pub postscript: &'static str,
    pub data: &'static [u8],
    pub upm: f32,
    /// Ascender and descender (negative) as fractions of the em.
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
    /// Bounding box in 1000ths of the em.
    pub bbox: [f32; 4],
    /// Bold faces get a heavier stem in the descriptor.
    pub bold: bool,
    pub monospace: bool,
    pub notdef_advance: u16,
    dense: Vec<u32>,
    replacement: (u16, u16),
    /// An empty glyph, drawn with no advance for invisible format
    /// characters the font lacks (variation selectors, joiners).
    invisible: (u16, u16),
    face: ttf_parser::Face<'static>,
}

impl Face {
    fn load(
        file: &'static str,
        postscript: &'static str,
        data: &'static [u8],
    ) -> Result<Self, ReportError> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| ReportError::Font {
            font: file,
            reason: e.to_string(),
        })?;
        let upm = f32::from(face.units_per_em().max(1));
        let lookup = |c: char| {
            face.glyph_index(c)
                .map(|g| (g.0, face.glyph_hor_advance(g).unwrap_or(0)))
        };
        let dense = (0..DENSE as u32)
            .map(|u| {
                char::from_u32(u)
                    .and_then(lookup)
                    .map_or(MISSING, |(g, a)| (u32::from(g) << 16) | u32::from(a))
            })
            .collect();
        let notdef = (
            0,
            face.glyph_hor_advance(ttf_parser::GlyphId(0)).unwrap_or(0),
        );
        let replacement = lookup(REPLACEMENT).unwrap_or(notdef);
        let invisible = (
            lookup('\u{200B}')
                .or_else(|| lookup(' '))
                .map_or(0, |g| g.0),
            0,
        );
        let b = face.global_bounding_box();
        let k = 1000.0 / upm;
        Ok(Face {
            file,
            postscript,
            data,
            upm,
            ascent: f32::from(face.ascender()) / upm,
            descent: f32::from(face.descender()) / upm,
            cap_height: f32::from(face.capital_height().unwrap_or(face.ascender())) / upm,
            bbox: [
                f32::from(b.x_min) * k,
                f32::from(b.y_min) * k,
                f32::from(b.x_max) * k,
                f32::from(b.y_max) * k,
            ],
            bold: face.is_bold(),
            notdef_advance: notdef.1,
            monospace: face.is_monospaced(),
            dense,
            replacement,
            invisible,
            face,
        })
    }

    /// The glyph and advance (font units) that draw `c`; the replacement
    /// glyph when the font lacks it.
    #[inline]
    pub(crate) fn glyph(&self, c: char) -> (u16, u16) {
        let u = c as usize;
        if u < DENSE {
            let v = self.dense[u];
            if v != MISSING {
                return ((v >> 16) as u16, (v & 0xFFFF) as u16);
            }
        } else if let Some(g) = self.face.glyph_index(c) {
            return (g.0, self.face.glyph_hor_advance(g).unwrap_or(0));
        }
        if ignorable(c) {
            self.invisible
        } else {
            self.replacement
        }
    }

    /// Width of `c` in ems.
    #[inline]
    fn advance(&self, c: char) -> f32 {
        f32::from(self.glyph(c).1) / self.upm
    }
}

fn faces() -> Result<&'static [Face; 3], ReportError> {
    static FACES: OnceLock<Result<[Face; 3], ReportError>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            let [a, b, c] = SOURCES;
            Ok([
                Face::load(a.0, a.1, a.2)?,
                Face::load(b.0, b.1, b.2)?,
                Face::load(c.0, c.1, c.2)?,
            ])
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Unicode's default-ignorable code points: invisible when a font has no
/// glyph for them.
fn ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Whether `c` is drawn at all (control characters are not).
#[inline]
pub(crate) fn drawable(c: char) -> bool {
    !c.is_control()
}

/// One CID of a document's font: its two-byte code, the character it
/// stands for and the original glyph that draws it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cid {
    pub code: u16,
    pub ch: char,
    pub gid: u16,
    pub adv: u16,
}

/// Bytes that stand for themselves in a PDF literal string: printable ASCII
/// but the delimiters `(`, `)` and `\`.
const PLAIN: [u8; 92] = {
    let mut out = [0u8; 92];
    let mut b = 0x20u8;
    let mut i = 0;
    while b <= 0x7E {
        if b != b'(' && b != b')' && b != b'\\' {
            out[i] = b;
            i += 1;
        }
        b += 1;
    }
    out
};
const PLAIN_CODES: usize = PLAIN.len() * PLAIN.len();

/// The code of the `n`th CID a font hands out. The first 8464 are two
/// printable bytes, so text is written into content streams unescaped (a
/// third of the size of escaped or hex strings); the rest have a high first
/// byte.
fn code(n: usize) -> u16 {
    if n < PLAIN_CODES {
        u16::from(PLAIN[n / PLAIN.len()]) << 8 | u16::from(PLAIN[n % PLAIN.len()])
    } else {
        // n - PLAIN_CODES < 0x7FFF by MAX_CIDS.
        0x8000 | (n - PLAIN_CODES) as u16
    }
}

struct FontUse {
    ascii: [Option<u16>; 128],
    map: HashMap<char, u16>,
    cids: Vec<Cid>,
}

impl FontUse {
    fn new() -> Self {
        FontUse {
            ascii: [None; 128],
            map: HashMap::new(),
            cids: Vec::new(),
        }
    }

    fn cid(&mut self, face: &Face, c: char) -> u16 {
        let u = c as usize;
        let known = if u < 128 {
            self.ascii[u]
        } else {
            self.map.get(&c).copied()
        };
        if let Some(v) = known {
            return v;
        }
        if self.cids.len() >= MAX_CIDS && c != REPLACEMENT {
            return self.cid(face, REPLACEMENT);
        }
        let (gid, adv) = face.glyph(c);
        let code = code(self.cids.len());
        self.cids.push(Cid {
            code,
            ch: c,
            gid,
            adv,
        });
        if u < 128 {
            self.ascii[u] = Some(code);
        } else {
            self.map.insert(c, code);
        }
        code
    }
}

/// The fonts of one document being built.
pub(crate) struct Fonts {
    faces: &'static [Face; 3],
    used: [FontUse; 3],
}

impl Fonts {
    pub(crate) fn new() -> Result<Self, ReportError> {
        let faces = faces()?;
        Ok(Fonts {
            faces,
            used: [FontUse::new(), FontUse::new(), FontUse::new()],
        })
    }

    pub(crate) fn face(&self, font: FontId) -> &'static Face {
        &self.faces[font.index()]
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, font: FontId, text: &str, size: f32) -> f32 {
        let face = self.face(font);
        let ems: f32 = text
            .chars()
            .filter(|&c| drawable(c))
            .map(|c| face.advance(c))
            .sum();
        ems * size
    }

    /// The width of one character at `size` points.
    #[inline]
    pub(crate) fn char_width(&self, font: FontId, c: char, size: f32) -> f32 {
        if drawable(c) {
            self.face(font).advance(c) * size
        } else {
            0.0
        }
    }

    /// Append `text` to `out` as two-byte CIDs, allocating new ones.
    pub(crate) fn encode(&mut self, font: FontId, text: &str, out: &mut Vec<u8>) {
        let face = &self.faces[font.index()];
        let used = &mut self.used[font.index()];
        for c in text.chars().filter(|&c| drawable(c)) {
            out.extend_from_slice(&used.cid(face, c).to_be_bytes());
        }
    }

    /// The CIDs a font has handed out, in order; empty if it was not used.
    pub(crate) fn cids(&self, font: FontId) -> &[Cid] {
        &self.used[font.index()].cids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_load_and_cover_common_scripts() {
        let fonts = Fonts::new().unwrap();
        let face = fonts.face(FontId::Regular);
        for c in "Zoë Ó'Brien Łódź Ελληνικά Привет".chars() {
            assert_ne!(face.glyph(c).0, 0, "{c}");
        }
        assert!(face.ascent > 0.5 && face.descent < 0.0);
        assert!(fonts.face(FontId::Mono).monospace);
        assert!(fonts.face(FontId::Bold).bold);
    }

    #[test]
    fn missing_characters_get_their_own_cid_with_the_replacement_glyph() {
        let mut fonts = Fonts::new().unwrap();
        let mut out = Vec::new();
        fonts.encode(FontId::Regular, "a🚀中a\u{7}", &mut out);
        assert_eq!(out.len(), 8);
        let cids = fonts.cids(FontId::Regular);
        assert_eq!(cids.len(), 3);
        assert_eq!(cids[1].ch, '🚀');
        assert_eq!(cids[1].gid, cids[2].gid);
        assert_eq!(out[0..2], out[6..8]);
        // Codes are printable, so content streams need no escapes.
        assert_eq!(&out[0..2], b"  ");
        assert_eq!(&out[2..4], b" !");
    }

    #[test]
    fn invisible_format_characters_take_no_space() {
        let fonts = Fonts::new().unwrap();
        let w = fonts.width(FontId::Regular, "❤", 10.0);
        assert!(w > 0.0);
        assert_eq!(fonts.width(FontId::Regular, "❤\u{FE0F}\u{200D}", 10.0), w);
    }

    #[test]
    fn cids_stop_growing_at_the_limit() {
        let mut fonts = Fonts::new().unwrap();
        let text: String = (0x4E00u32..0x4E00 + MAX_CIDS as u32 + 500)
            .filter_map(char::from_u32)
            .collect();
        let mut out = Vec::new();
        fonts.encode(FontId::Regular, &text, &mut out);
        let cids = fonts.cids(FontId::Regular);
        assert!(cids.len() <= MAX_CIDS + 1);
        let mut codes: Vec<u16> = cids.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), cids.len(), "codes are distinct");
    }
}
