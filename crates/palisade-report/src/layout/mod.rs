//! Page layout: a document of pages drawn top-down with a flowing cursor.
//! Coordinates given to these functions are in points from the top-left of
//! the page; they are turned into PDF's bottom-up coordinates when drawn.

pub(crate) mod text;

use crate::error::ReportError;
use crate::fonts::{FontId, Fonts};
use crate::thumbnail::Thumbnail;
use pdf_writer::{Content, Name, Str};

pub(crate) type Rgb = [f32; 3];
pub(crate) const BLACK: Rgb = [0.0, 0.0, 0.0];
pub(crate) const DARK: Rgb = [0.25, 0.25, 0.25];
pub(crate) const GREY: Rgb = [0.45, 0.45, 0.45];
pub(crate) const RULE: Rgb = [0.75, 0.75, 0.75];
pub(crate) const SHADE: Rgb = [0.92, 0.92, 0.92];
pub(crate) const ZEBRA: Rgb = [0.975, 0.975, 0.975];
pub(crate) const RED: Rgb = [0.7, 0.1, 0.1];
pub(crate) const PINK: Rgb = [0.99, 0.92, 0.92];
pub(crate) const BLUE: Rgb = [0.2, 0.35, 0.6];

/// A4 portrait, in points.
pub(crate) const A4: (f32, f32) = (595.28, 841.89);
/// Line height as a multiple of the font size.
pub(crate) const LEADING: f32 = 1.25;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Margins {
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
}

pub(crate) struct Page {
    pub width: f32,
    pub height: f32,
    pub content: Content,
    /// The fill colour and font last set at the page's top level, so they
    /// are only written when they change.
    fill: Option<Rgb>,
    font: Option<(FontId, f32)>,
}

impl Page {
    fn set_fill(&mut self, color: Rgb) {
        if self.fill != Some(color) {
            self.content.set_fill_rgb(color[0], color[1], color[2]);
            self.fill = Some(color);
        }
    }
}

/// A document being laid out. `y` is the flowing cursor on the last page.
pub(crate) struct Doc<'a> {
    pub fonts: Fonts,
    pub pages: Vec<Page>,
    pub images: Vec<&'a Thumbnail>,
    /// Bookmarks: title, page number (from 0) and top of the target.
    pub outline: Vec<(String, usize, f32)>,
    pub y: f32,
    pub margins: Margins,
    landscape: bool,
    scratch: Vec<u8>,
}

impl<'a> Doc<'a> {
    /// A document with its first page.
    pub(crate) fn new(margins: Margins, landscape: bool) -> Result<Self, ReportError> {
        let mut doc = Doc {
            fonts: Fonts::new()?,
            pages: Vec::new(),
            images: Vec::new(),
            outline: Vec::new(),
            y: 0.0,
            margins,
            landscape,
            scratch: Vec::new(),
        };
        doc.new_page(landscape);
        Ok(doc)
    }

    /// Start a new A4 page, portrait or landscape, with the cursor at the
    /// top margin.
    pub(crate) fn new_page(&mut self, landscape: bool) {
        let (w, h) = if landscape { (A4.1, A4.0) } else { A4 };
        self.pages.push(Page {
            width: w,
            height: h,
            content: Content::new(),
            fill: None,
            font: None,
        });
        self.landscape = landscape;
        self.y = self.margins.top;
    }

    /// Start a new page of the current orientation.
    pub(crate) fn break_page(&mut self) {
        self.new_page(self.landscape);
    }

    fn page(&self) -> &Page {
        // `new` always creates a first page, and pages are never removed.
        &self.pages[self.pages.len() - 1]
    }

    pub(crate) fn left(&self) -> f32 {
        self.margins.left
    }

    /// Usable width between the margins.
    pub(crate) fn width(&self) -> f32 {
        self.page().width - self.margins.left - self.margins.right
    }

    /// The lowest point content may reach.
    pub(crate) fn bottom(&self) -> f32 {
        self.page().height - self.margins.bottom
    }

    /// Usable height of a whole page.
    pub(crate) fn page_body(&self) -> f32 {
        self.bottom() - self.margins.top
    }

    pub(crate) fn remaining(&self) -> f32 {
        self.bottom() - self.y
    }

    /// Break the page unless `h` points fit below the cursor. Returns whether
    /// it broke.
    pub(crate) fn ensure(&mut self, h: f32) -> bool {
        if self.y + h > self.bottom() && self.y > self.margins.top {
            self.break_page();
            true
        } else {
            false
        }
    }

    /// Bookmark the cursor's position.
    pub(crate) fn bookmark(&mut self, title: &str) {
        self.outline
            .push((title.to_string(), self.pages.len() - 1, self.y));
    }

    /// The image's number in the document, adding it on first use.
    pub(crate) fn add_image(&mut self, image: &'a Thumbnail) -> usize {
        self.images.push(image);
        self.images.len() - 1
    }

    /// One line of text whose line box starts at `top`.
    pub(crate) fn text(&mut self, x: f32, top: f32, font: FontId, size: f32, color: Rgb, s: &str) {
        let page = self.pages.len() - 1;
        self.text_on(page, x, top, font, size, color, s);
    }

    /// One line of text on a given page.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text_on(
        &mut self,
        page: usize,
        x: f32,
        top: f32,
        font: FontId,
        size: f32,
        color: Rgb,
        s: &str,
    ) {
        self.scratch.clear();
        self.fonts.encode(font, s, &mut self.scratch);
        if self.scratch.is_empty() {
            return;
        }
        let ascent = self.fonts.face(font).ascent;
        let Some(p) = self.pages.get_mut(page) else {
            return;
        };
        let baseline = p.height - top - ascent * size - (LEADING - 1.0) * size / 2.0;
        p.set_fill(color);
        p.content.begin_text();
        // Text state persists across text objects.
        if p.font != Some((font, size)) {
            p.content.set_font(Name(font.resource_name()), size);
            p.font = Some((font, size));
        }
        p.content
            .next_line(x, baseline)
            .show(Str(&self.scratch))
            .end_text();
    }

    /// Text right-aligned at `right`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text_right_on(
        &mut self,
        page: usize,
        right: f32,
        top: f32,
        font: FontId,
        size: f32,
        color: Rgb,
        s: &str,
    ) {
        let w = self.fonts.width(font, s, size);
        self.text_on(page, right - w, top, font, size, color, s);
    }

    pub(crate) fn fill_rect(&mut self, x: f32, top: f32, w: f32, h: f32, color: Rgb) {
        let p = self.pages.len() - 1;
        let p = &mut self.pages[p];
        let y = p.height - top - h;
        p.set_fill(color);
        p.content.rect(x, y, w, h).fill_nonzero();
    }

    /// A straight line; `dash` is an on/off length for a dashed line.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn line(
        &mut self,
        x1: f32,
        t1: f32,
        x2: f32,
        t2: f32,
        width: f32,
        color: Rgb,
        dash: Option<f32>,
    ) {
        let p = self.pages.len() - 1;
        let p = &mut self.pages[p];
        let h = p.height;
        let c = &mut p.content;
        c.save_state()
            .set_line_width(width)
            .set_stroke_rgb(color[0], color[1], color[2]);
        if let Some(d) = dash {
            c.set_dash_pattern([d, d], 0.0);
        }
        c.move_to(x1, h - t1)
            .line_to(x2, h - t2)
            .stroke()
            .restore_state();
    }

    /// Draw image number `index` into the box at (`x`, `top`).
    pub(crate) fn image(&mut self, index: usize, x: f32, top: f32, w: f32, h: f32) {
        let name = image_name(index);
        let p = self.pages.len() - 1;
        let p = &mut self.pages[p];
        let y = p.height - top - h;
        p.content
            .save_state()
            .transform([w, 0.0, 0.0, h, x, y])
            .x_object(Name(name.as_bytes()))
            .restore_state();
    }

    /// Wrapped text flowing down from the cursor, breaking pages as needed.
    pub(crate) fn paragraph(&mut self, s: &str, font: FontId, size: f32, color: Rgb, indent: f32) {
        let mut lines = Vec::new();
        let width = self.width() - indent;
        text::wrap(&self.fonts, font, size, s, width, &mut lines);
        let h = size * LEADING;
        let x = self.left() + indent;
        for line in &lines {
            self.ensure(h);
            let y = self.y;
            self.text(x, y, font, size, color, line);
            self.y += h;
        }
    }

    /// A section heading, kept with at least `keep` points of what follows.
    pub(crate) fn heading(&mut self, s: &str, size: f32, keep: f32) {
        self.y += size * 0.6;
        self.ensure(size * LEADING + keep);
        if size >= 12.0 {
            self.bookmark(s);
        }
        self.paragraph(s, FontId::Bold, size, BLACK, 0.0);
        self.y += size * 0.3;
    }
}

/// The resource name of image number `index`.
pub(crate) fn image_name(index: usize) -> String {
    format!("Im{index}")
}
