//! Writing a laid-out document as a PDF: page streams (compressed), the
//! embedded font subsets, thumbnails and the trailer. The output depends only
//! on the document: no clock, and a file ID hashed from the content.

use crate::error::ReportError;
use crate::fonts::{Cid, Face, FontId};
use crate::layout::{Doc, image_name};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use pdf_writer::types::{CidFontType, FontFlags, PageMode, SystemInfo, UnicodeCmap};
use pdf_writer::writers::Resources;
use pdf_writer::{Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};
use subsetter::GlyphRemapper;

/// Document information.
pub(crate) struct Info<'s> {
    pub title: &'s str,
    pub subject: Option<&'s str>,
    /// When the document was made, from the caller's data (never the clock).
    pub created: Option<Timestamp>,
}

/// Page streams are many and large: compress them fast. Fonts and maps are
/// few and small: compress them well.
const FAST: u8 = 3;
const GOOD: u8 = 6;

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, GOOD)
}

struct Ids(Ref);

impl Ids {
    fn next(&mut self) -> Ref {
        self.0.bump()
    }
}

/// Serialise `doc`.
pub(crate) fn write(doc: Doc<'_>, info: &Info<'_>) -> Result<Vec<u8>, ReportError> {
    let page_count = i32::try_from(doc.pages.len()).map_err(|_| ReportError::TooLarge("pages"))?;
    let mut ids = Ids(Ref::new(1));
    let catalog = ids.next();
    let tree = ids.next();
    let resources = ids.next();
    let info_id = ids.next();
    let mut pdf = Pdf::new();

    let mut fonts = Vec::new();
    for font in FontId::ALL {
        let cids = doc.fonts.cids(font);
        if !cids.is_empty() {
            let r = write_font(&mut pdf, &mut ids, doc.fonts.face(font), cids)?;
            fonts.push((font, r));
        }
    }

    let mut images = Vec::with_capacity(doc.images.len());
    for img in &doc.images {
        let id = ids.next();
        let w = i32::try_from(img.width()).map_err(|_| ReportError::TooLarge("image"))?;
        let h = i32::try_from(img.height()).map_err(|_| ReportError::TooLarge("image"))?;
        let mut x = pdf.image_xobject(id, img.jpeg());
        x.width(w)
            .height(h)
            .color_space_name(Name(b"DeviceRGB"))
            .bits_per_component(8);
        x.filter(Filter::DctDecode);
        x.finish();
        images.push(id);
    }

    {
        let mut res = pdf.indirect(resources).start::<Resources>();
        let mut f = res.fonts();
        for (font, r) in &fonts {
            f.pair(Name(font.resource_name()), *r);
        }
        f.finish();
        if !images.is_empty() {
            let mut x = res.x_objects();
            for (i, r) in images.iter().enumerate() {
                x.pair(Name(image_name(i).as_bytes()), *r);
            }
            x.finish();
        }
    }

    let page_ids: Vec<Ref> = doc.pages.iter().map(|_| ids.next()).collect();
    let outline = write_outline(&mut pdf, &mut ids, &doc, &page_ids);
    let streams = compress_pages(
        doc.pages
            .into_iter()
            .map(|p| (p.width, p.height, p.content.finish().into_vec()))
            .collect(),
    );
    let mut kids = Vec::with_capacity(streams.len());
    for ((w, h, data), &page) in streams.into_iter().zip(&page_ids) {
        let content = ids.next();
        pdf.stream(content, &data).filter(Filter::FlateDecode);
        pdf.page(page)
            .parent(tree)
            .media_box(Rect::new(0.0, 0.0, w, h))
            .contents(content)
            .pair(Name(b"Resources"), resources);
        kids.push(page);
    }
    pdf.pages(tree).kids(kids).count(page_count);
    {
        let mut c = pdf.catalog(catalog);
        c.pages(tree).lang(TextStr("en-GB"));
        if let Some(o) = outline {
            c.outlines(o).page_mode(PageMode::UseOutlines);
        }
    }
    {
        let mut di = pdf.document_info(info_id);
        di.title(TextStr(info.title))
            .producer(TextStr("Palisade"))
            .creator(TextStr("palisade-report"));
        if let Some(s) = info.subject {
            di.subject(TextStr(s));
        }
        if let Some(d) = info.created.and_then(pdf_date) {
            di.creation_date(d);
        }
    }
    let digest = Sha256::digest(pdf.as_bytes());
    let id = digest[..16].to_vec();
    pdf.set_file_id((id.clone(), id));
    Ok(pdf.finish())
}

/// Bookmarks for the document's sections; the outline's root, if any.
fn write_outline(pdf: &mut Pdf, ids: &mut Ids, doc: &Doc<'_>, pages: &[Ref]) -> Option<Ref> {
    let marks: Vec<_> = doc
        .outline
        .iter()
        .filter_map(|(title, page, top)| {
            let p = doc.pages.get(*page)?;
            Some((title, *pages.get(*page)?, p.height - top))
        })
        .collect();
    if marks.is_empty() {
        return None;
    }
    let root = ids.next();
    let items: Vec<Ref> = marks.iter().map(|_| ids.next()).collect();
    let count = i32::try_from(items.len()).ok()?;
    pdf.outline(root)
        .first(items[0])
        .last(items[items.len() - 1])
        .count(count);
    for (i, (title, page, top)) in marks.into_iter().enumerate() {
        let mut item = pdf.outline_item(items[i]);
        item.title(TextStr(title)).parent(root);
        if i > 0 {
            item.prev(items[i - 1]);
        }
        if let Some(next) = items.get(i + 1) {
            item.next(*next);
        }
        item.dest().page(page).xyz(0.0, top, None);
    }
    Some(root)
}

/// Compress page streams, on two threads when there are many.
fn compress_pages(pages: Vec<(f32, f32, Vec<u8>)>) -> Vec<(f32, f32, Vec<u8>)> {
    let squash = |v: Vec<(f32, f32, Vec<u8>)>| {
        v.into_iter()
            .map(|(w, h, data)| {
                (
                    w,
                    h,
                    miniz_oxide::deflate::compress_to_vec_zlib(&data, FAST),
                )
            })
            .collect::<Vec<_>>()
    };
    if pages.len() < 16 {
        return squash(pages);
    }
    let mut first = pages;
    let second = first.split_off(first.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(move || squash(second));
        let mut out = squash(first);
        match other.join() {
            Ok(rest) => out.extend(rest),
            Err(e) => std::panic::resume_unwind(e),
        }
        out
    })
}

fn pdf_date(t: Timestamp) -> Option<Date> {
    let dt = t.to_zoned(TimeZone::UTC).datetime();
    let year = u16::try_from(dt.year()).ok()?;
    let b = |v: i8| u8::try_from(v).ok();
    Some(
        Date::new(year)
            .month(b(dt.month())?)
            .day(b(dt.day())?)
            .hour(b(dt.hour())?)
            .minute(b(dt.minute())?)
            .second(b(dt.second())?)
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}

/// Six capital letters naming a subset, from what it contains.
fn subset_tag(postscript: &str, map: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(postscript.as_bytes());
    h.update(map);
    h.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

/// Embed one font as a Type0 font over a subset CIDFontType2, with an
/// explicit CID-to-glyph map and a ToUnicode map. Returns the Type0 font.
fn write_font(pdf: &mut Pdf, ids: &mut Ids, face: &Face, cids: &[Cid]) -> Result<Ref, ReportError> {
    let type0 = ids.next();
    let cid_ref = ids.next();
    let descriptor = ids.next();
    let file = ids.next();
    let cmap_ref = ids.next();
    let map_ref = ids.next();

    // CID (code) to glyph in the subset; codes not used map to .notdef.
    let mut remapper = GlyphRemapper::new();
    let top = cids.iter().map(|c| usize::from(c.code)).max().unwrap_or(0);
    let mut map = vec![0u8; 2 * (top + 1)];
    for c in cids {
        let at = 2 * usize::from(c.code);
        map[at..at + 2].copy_from_slice(&remapper.remap(c.gid).to_be_bytes());
    }
    let subset = subsetter::subset(face.data, 0, &remapper).map_err(|e| ReportError::Font {
        font: face.file,
        reason: e.to_string(),
    })?;
    let base = format!("{}+{}", subset_tag(face.postscript, &map), face.postscript);
    let base = Name(base.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(cmap_ref);

    let k = 1000.0 / face.upm;
    let mut cid = pdf.cid_font(cid_ref);
    cid.subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(system_info)
        .font_descriptor(descriptor)
        .default_width(f32::from(face.notdef_advance) * k)
        .cid_to_gid_map_stream(map_ref);
    let mut by_code: Vec<&Cid> = cids.iter().collect();
    by_code.sort_by_key(|c| c.code);
    let mut widths = cid.widths();
    for run in by_code.chunk_by(|a, b| a.code + 1 == b.code) {
        widths.consecutive(run[0].code, run.iter().map(|c| f32::from(c.adv) * k));
    }
    widths.finish();
    cid.finish();

    let mut flags = FontFlags::SYMBOLIC;
    if face.monospace {
        flags |= FontFlags::FIXED_PITCH;
    }
    let [x0, y0, x1, y1] = face.bbox;
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(flags)
        .bbox(Rect::new(x0, y0, x1, y1))
        .italic_angle(0.0)
        .ascent(face.ascent * 1000.0)
        .descent(face.descent * 1000.0)
        .cap_height(face.cap_height * 1000.0)
        .stem_v(if face.bold { 140.0 } else { 80.0 })
        .font_file2(file);

    let length1 = i32::try_from(subset.len()).map_err(|_| ReportError::TooLarge("font"))?;
    let data = deflate(&subset);
    pdf.stream(file, &data)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), length1);

    let mut cmap = UnicodeCmap::new(Name(b"Palisade-UCS"), system_info);
    for c in cids {
        cmap.pair(c.code, c.ch);
    }
    let data = deflate(&cmap.finish().into_vec());
    pdf.stream(cmap_ref, &data).filter(Filter::FlateDecode);
    let data = deflate(&map);
    pdf.stream(map_ref, &data).filter(Filter::FlateDecode);
    Ok(type0)
}
