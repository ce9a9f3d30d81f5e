//! Tables whose rows wrap their text, repeat the header on every page, and
//! may continue onto the next page when taller than the space left.

use crate::fonts::FontId;
use crate::layout::text::wrap;
use crate::layout::{Doc, GREY, LEADING, RULE, Rgb, SHADE};

pub(crate) struct Column {
    pub title: String,
    pub width: f32,
}

impl Column {
    pub(crate) fn new(title: &str, width: f32) -> Self {
        Column {
            title: title.to_string(),
            width,
        }
    }
}

/// A run of text starting on a new line of its cell.
pub(crate) struct Span {
    pub text: String,
    pub font: FontId,
    pub size: f32,
    pub color: Rgb,
}

impl Span {
    pub(crate) fn new(text: impl Into<String>, font: FontId, size: f32, color: Rgb) -> Self {
        Span {
            text: text.into(),
            font,
            size,
            color,
        }
    }
}

#[derive(Default)]
pub(crate) struct Cell {
    pub spans: Vec<Span>,
    /// An image (number, width, height in points) above the text.
    pub image: Option<(usize, f32, f32)>,
}

impl Cell {
    pub(crate) fn text(text: impl Into<String>, font: FontId, size: f32, color: Rgb) -> Self {
        Cell {
            spans: vec![Span::new(text, font, size, color)],
            image: None,
        }
    }
}

pub(crate) struct Row {
    pub cells: Vec<Cell>,
    pub background: Option<Rgb>,
}

#[derive(Clone, Copy)]
pub(crate) struct Style {
    pub header: bool,
    pub header_size: f32,
    pub pad: f32,
    pub rules: bool,
}

enum Item {
    Line {
        text: String,
        font: FontId,
        size: f32,
        color: Rgb,
    },
    Image {
        index: usize,
        w: f32,
        h: f32,
    },
}

impl Item {
    fn height(&self) -> f32 {
        match self {
            Item::Line { size, .. } => size * LEADING,
            Item::Image { h, .. } => h + 2.0,
        }
    }
}

/// Space under which a row is moved to the next page rather than split.
const MIN_SPLIT: f32 = 36.0;

pub(crate) struct Table<'c> {
    cols: &'c [Column],
    style: Style,
    /// The cursor just under the header on the page `page`.
    body_top: f32,
    page: usize,
}

impl<'c> Table<'c> {
    /// Start a table at the cursor (on a new page if little space is left).
    pub(crate) fn begin(doc: &mut Doc<'_>, cols: &'c [Column], style: Style) -> Self {
        let mut t = Table {
            cols,
            style,
            body_top: 0.0,
            page: 0,
        };
        doc.ensure(t.header_height(doc) + 3.0 * MIN_SPLIT);
        t.header(doc);
        t
    }

    fn header_lines(&self, doc: &Doc<'_>) -> Vec<Vec<String>> {
        let size = self.style.header_size;
        self.cols
            .iter()
            .map(|c| {
                let mut lines = Vec::new();
                wrap(
                    &doc.fonts,
                    FontId::Bold,
                    size,
                    &c.title,
                    c.width - 2.0 * self.style.pad,
                    &mut lines,
                );
                lines
            })
            .collect()
    }

    fn header_height(&self, doc: &Doc<'_>) -> f32 {
        if !self.style.header {
            return 0.0;
        }
        let n = self
            .header_lines(doc)
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(1);
        n as f32 * self.style.header_size * LEADING + 2.0 * self.style.pad
    }

    fn total_width(&self) -> f32 {
        self.cols.iter().map(|c| c.width).sum()
    }

    fn header(&mut self, doc: &mut Doc<'_>) {
        if self.style.header {
            let h = self.header_height(doc);
            let x0 = doc.left();
            let top = doc.y;
            doc.fill_rect(x0, top, self.total_width(), h, SHADE);
            let size = self.style.header_size;
            let mut x = x0;
            for (col, lines) in self.cols.iter().zip(self.header_lines(doc)) {
                let mut y = top + self.style.pad;
                for line in &lines {
                    doc.text(x + self.style.pad, y, FontId::Bold, size, [0.0; 3], line);
                    y += size * LEADING;
                }
                x += col.width;
            }
            doc.y += h;
        }
        self.body_top = doc.y;
        self.page = doc.pages.len();
    }

    fn fresh(&self, doc: &Doc<'_>) -> bool {
        doc.pages.len() == self.page && doc.y <= self.body_top + 0.01
    }

    fn next_page(&mut self, doc: &mut Doc<'_>) {
        doc.break_page();
        self.header(doc);
    }

    fn layout(&self, doc: &Doc<'_>, row: Row) -> Vec<Vec<Item>> {
        let mut out = Vec::with_capacity(self.cols.len());
        let mut cells = row.cells.into_iter();
        for col in self.cols {
            let cell = cells.next().unwrap_or_default();
            let inner = col.width - 2.0 * self.style.pad;
            let mut items = Vec::new();
            if let Some((index, w, h)) = cell.image {
                let scale = (inner / w).min(1.0);
                items.push(Item::Image {
                    index,
                    w: w * scale,
                    h: h * scale,
                });
            }
            let mut lines = Vec::new();
            for span in cell.spans {
                if span.text.is_empty() {
                    continue;
                }
                lines.clear();
                wrap(
                    &doc.fonts, span.font, span.size, &span.text, inner, &mut lines,
                );
                items.extend(lines.drain(..).map(|text| Item::Line {
                    text,
                    font: span.font,
                    size: span.size,
                    color: span.color,
                }));
            }
            out.push(items);
        }
        out
    }

    /// Add a row at the cursor, splitting it across pages when needed.
    pub(crate) fn row(&mut self, doc: &mut Doc<'_>, row: Row) {
        let background = row.background;
        let mut items = self.layout(doc, row);
        let pad = self.style.pad;
        let mut start = vec![0usize; items.len()];
        loop {
            let need = items
                .iter()
                .zip(&start)
                .map(|(cell, &s)| cell[s..].iter().map(Item::height).sum::<f32>())
                .fold(0.0f32, f32::max)
                + 2.0 * pad;
            let avail = doc.remaining();
            if need <= avail {
                let ends: Vec<usize> = items.iter().map(Vec::len).collect();
                self.segment(doc, &items, &start, &ends, need, background);
                return;
            }
            let fresh = self.fresh(doc);
            let body = doc.page_body() - self.header_height(doc);
            if !fresh && (avail < MIN_SPLIT || (need <= body && avail < body * 0.5)) {
                self.next_page(doc);
                continue;
            }
            let room = avail - 2.0 * pad;
            let mut ends = Vec::with_capacity(items.len());
            for (cell, &s) in items.iter().zip(&start) {
                let mut used = 0.0;
                let mut e = s;
                while e < cell.len() && used + cell[e].height() <= room {
                    used += cell[e].height();
                    e += 1;
                }
                if e == s && fresh && e < cell.len() {
                    // Guarantee progress even if one item is taller than a page.
                    e += 1;
                }
                ends.push(e);
            }
            if ends.iter().zip(&start).all(|(e, s)| e == s) {
                self.next_page(doc);
                continue;
            }
            let h = items
                .iter()
                .zip(start.iter().zip(&ends))
                .map(|(cell, (&s, &e))| cell[s..e].iter().map(Item::height).sum::<f32>())
                .fold(0.0f32, f32::max)
                + 2.0 * pad;
            self.segment(doc, &items, &start, &ends, h.min(avail), background);
            start = ends;
            self.next_page(doc);
            // Mark where the row carries on.
            if let (Some(first), Some(&s)) = (items.first_mut(), start.first()) {
                first.insert(
                    s,
                    Item::Line {
                        text: "(cont.)".into(),
                        font: FontId::Regular,
                        size: 6.0,
                        color: GREY,
                    },
                );
            }
        }
    }

    fn segment(
        &self,
        doc: &mut Doc<'_>,
        items: &[Vec<Item>],
        start: &[usize],
        ends: &[usize],
        height: f32,
        background: Option<Rgb>,
    ) {
        let x0 = doc.left();
        let top = doc.y;
        if let Some(bg) = background {
            doc.fill_rect(x0, top, self.total_width(), height, bg);
        }
        let pad = self.style.pad;
        let mut x = x0;
        for (i, col) in self.cols.iter().enumerate() {
            let mut y = top + pad;
            let (s, e) = (start[i], ends[i]);
            for item in &items[i][s..e] {
                match item {
                    Item::Line {
                        text,
                        font,
                        size,
                        color,
                    } => doc.text(x + pad, y, *font, *size, *color, text),
                    Item::Image { index, w, h } => doc.image(*index, x + pad, y, *w, *h),
                }
                y += item.height();
            }
            x += col.width;
        }
        doc.y = top + height;
        if self.style.rules {
            let y = doc.y;
            doc.line(x0, y, x0 + self.total_width(), y, 0.4, RULE, None);
        }
    }
}
