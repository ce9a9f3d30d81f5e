//! Letters (for example a letter asking a patient to stop contact): sender
//! block at the top right, recipient at the left, date, reference, subject,
//! body, closing and signature, with an optional footer on every page.

use crate::error::ReportError;
use crate::fonts::FontId;
use crate::layout::text::{truncate, wrap};
use crate::layout::{BLACK, Doc, GREY, LEADING, Margins, RULE};
use crate::pdf::{self, Info};

/// A letter to render. Empty parts are left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Letter {
    /// Sender's name and address, one line each (top right).
    pub sender: Vec<String>,
    /// Recipient's name and address, one line each (left).
    pub recipient: Vec<String>,
    /// As it should appear, e.g. "3 March 2026".
    pub date: String,
    pub reference: Option<String>,
    pub subject: String,
    /// e.g. "Dear Mr Smith,".
    pub salutation: String,
    pub paragraphs: Vec<String>,
    /// e.g. "Yours sincerely,".
    pub closing: String,
    /// Name, role, practice: one line each, under the space for signing.
    pub signature: Vec<String>,
    /// Small print on every page, e.g. the practice's address.
    pub footer: Option<String>,
}

const SIZE: f32 = 11.0;
const MARGINS: Margins = Margins {
    left: 65.0,
    right: 65.0,
    top: 55.0,
    bottom: 70.0,
};
/// Where the recipient block starts (fits a DL window envelope).
const RECIPIENT_TOP: f32 = 140.0;
const SIGNING_SPACE: f32 = 42.0;

/// Render a letter as a PDF.
pub fn render_letter(l: &Letter) -> Result<Vec<u8>, ReportError> {
    let mut doc = Doc::new(MARGINS, false)?;
    let line = SIZE * LEADING;
    let right = doc.left() + doc.width();
    let half = doc.width() * 0.5;

    let mut lines = Vec::new();
    for s in &l.sender {
        wrap(&doc.fonts, FontId::Regular, SIZE, s, half, &mut lines);
    }
    for s in &lines {
        doc.ensure(line);
        let y = doc.y;
        let page = doc.pages.len() - 1;
        doc.text_right_on(page, right, y, FontId::Regular, SIZE, BLACK, s);
        doc.y += line;
    }

    doc.y = doc.y.max(RECIPIENT_TOP) + if lines.is_empty() { 0.0 } else { line };
    lines.clear();
    for s in &l.recipient {
        wrap(
            &doc.fonts,
            FontId::Regular,
            SIZE,
            s,
            doc.width() * 0.6,
            &mut lines,
        );
    }
    for s in &lines {
        doc.ensure(line);
        let (x, y) = (doc.left(), doc.y);
        doc.text(x, y, FontId::Regular, SIZE, BLACK, s);
        doc.y += line;
    }

    doc.y += 2.0 * line;
    if !l.date.trim().is_empty() {
        doc.paragraph(&l.date, FontId::Regular, SIZE, BLACK, 0.0);
    }
    if let Some(r) = l.reference.as_deref().filter(|r| !r.trim().is_empty()) {
        doc.paragraph(
            &format!("Our reference: {r}"),
            FontId::Regular,
            SIZE,
            BLACK,
            0.0,
        );
    }
    doc.y += line;
    if !l.salutation.trim().is_empty() {
        doc.paragraph(&l.salutation, FontId::Regular, SIZE, BLACK, 0.0);
        doc.y += line * 0.5;
    }
    if !l.subject.trim().is_empty() {
        doc.paragraph(&l.subject, FontId::Bold, SIZE, BLACK, 0.0);
        doc.y += line * 0.5;
    }
    for p in &l.paragraphs {
        doc.paragraph(p, FontId::Regular, SIZE, BLACK, 0.0);
        doc.y += line * 0.6;
    }

    // Keep the closing with the space for signing and the signature.
    let block = line * (1.0 + l.signature.len() as f32) + SIGNING_SPACE;
    doc.y += line * 0.4;
    doc.ensure(block.min(doc.page_body()));
    if !l.closing.trim().is_empty() {
        doc.paragraph(&l.closing, FontId::Regular, SIZE, BLACK, 0.0);
    }
    doc.y += SIGNING_SPACE;
    for (i, s) in l.signature.iter().enumerate() {
        let font = if i == 0 {
            FontId::Bold
        } else {
            FontId::Regular
        };
        doc.paragraph(s, font, SIZE, BLACK, 0.0);
    }

    footers(&mut doc, l.footer.as_deref());
    let title = if l.subject.trim().is_empty() {
        "Letter".to_string()
    } else {
        l.subject.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    pdf::write(
        doc,
        &Info {
            title: &title,
            subject: None,
            created: None,
        },
    )
}

fn footers(doc: &mut Doc<'_>, footer: Option<&str>) {
    let total = doc.pages.len();
    let size = 7.5;
    for i in 0..total {
        let (w, h) = (doc.pages[i].width, doc.pages[i].height);
        let left = doc.margins.left;
        let right = w - doc.margins.right;
        let top = h - doc.margins.bottom + 30.0;
        let number = (total > 1).then(|| format!("page {} of {}", i + 1, total));
        let nw = number
            .as_deref()
            .map_or(0.0, |n| doc.fonts.width(FontId::Regular, n, size) + 12.0);
        if let Some(f) = footer.filter(|f| !f.trim().is_empty()) {
            let text = truncate(&doc.fonts, FontId::Regular, size, f, right - left - nw);
            doc.pages[i]
                .content
                .save_state()
                .set_line_width(0.4)
                .set_stroke_rgb(RULE[0], RULE[1], RULE[2])
                .move_to(left, h - top + 3.0)
                .line_to(right, h - top + 3.0)
                .stroke()
                .restore_state();
            doc.text_on(i, left, top + 4.0, FontId::Regular, size, GREY, &text);
        }
        if let Some(n) = number {
            doc.text_right_on(i, right, top + 4.0, FontId::Regular, size, GREY, &n);
        }
    }
}
