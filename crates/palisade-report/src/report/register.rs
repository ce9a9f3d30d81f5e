//! The physical evidence register: each item kept as evidence, where it is
//! and every hand-over of it (chain of custody).

use super::stats::humanise;
use super::{BODY, Ctx, SMALL};
use crate::fonts::FontId;
use crate::layout::{BLACK, Doc, GREY};
use crate::model::{Field, ReportExhibit};
use crate::table::{Cell, Column, Row, Span, Style, Table};
use crate::time::display;

/// A field's text as a span, or nothing (withheld fields show the marker).
fn line(ctx: &Ctx<'_>, prefix: &str, f: &Field) -> Option<Span> {
    let s = ctx.span(f, FontId::Regular, SMALL, BLACK)?;
    Some(Span::new(
        format!("{prefix}{}", s.text),
        s.font,
        s.size,
        s.color,
    ))
}

fn item_cell(ctx: &Ctx<'_>, x: &ReportExhibit) -> Cell {
    let mut spans = vec![Span::new(
        humanise(&x.item_kind),
        FontId::Bold,
        SMALL,
        BLACK,
    )];
    spans.extend(ctx.span(&x.description, FontId::Regular, SMALL, BLACK));
    spans.extend(line(ctx, "Notes: ", &x.notes));
    if x.photos > 0 {
        spans.push(Span::new(
            format!(
                "{} photograph{} (attachments index)",
                x.photos,
                if x.photos == 1 { "" } else { "s" }
            ),
            FontId::Regular,
            SMALL,
            GREY,
        ));
    }
    Cell { spans, image: None }
}

fn received_cell(ctx: &Ctx<'_>, x: &ReportExhibit) -> Cell {
    let mut spans = vec![Span::new(
        display(&x.received_at),
        FontId::Regular,
        SMALL,
        BLACK,
    )];
    spans.extend(line(ctx, "by ", &x.received_by));
    spans.extend(line(ctx, "kept: ", &x.stored_at));
    spans.extend(line(ctx, "bag ", &x.bag_number));
    Cell { spans, image: None }
}

fn custody_cell(ctx: &Ctx<'_>, x: &ReportExhibit) -> Cell {
    if x.custody.is_empty() {
        return Cell::text("No hand-over recorded.", FontId::Regular, SMALL, GREY);
    }
    let mut spans = Vec::new();
    for c in &x.custody {
        let who = |f: &Field| match f {
            Field::Disclosed(s) => s.clone(),
            Field::Withheld => ctx.withheld().to_string(),
            Field::Absent => "?".to_string(),
        };
        spans.push(Span::new(
            format!("{}: {} → {}", display(&c.at), who(&c.from), who(&c.to)),
            FontId::Regular,
            SMALL,
            BLACK,
        ));
        spans.extend(line(ctx, "   purpose: ", &c.purpose));
        spans.extend(line(ctx, "   re-sealed in bag ", &c.bag_number));
    }
    Cell { spans, image: None }
}

/// The register section; nothing at all when the case has no items.
pub(super) fn exhibits(doc: &mut Doc<'_>, ctx: &Ctx<'_>) {
    let items = &ctx.r.exhibits;
    if items.is_empty() {
        return;
    }
    doc.y += BODY;
    doc.heading("Physical evidence register", 12.0, 40.0);
    doc.paragraph(
        "Items kept as evidence (letters, cards, gifts, parcels, media), where each was kept and \
         every hand-over recorded since, in the order the items were registered.",
        FontId::Regular,
        SMALL,
        GREY,
        0.0,
    );
    doc.y += 4.0;
    let w = doc.width();
    let cols = [
        Column::new("No.", 28.0),
        Column::new("Item", (w - 28.0) * 0.36),
        Column::new("Received, kept", (w - 28.0) * 0.28),
        Column::new("Chain of custody", (w - 28.0) * 0.36),
    ];
    let style = Style {
        header: true,
        header_size: SMALL,
        pad: 2.5,
        rules: true,
    };
    let mut t = Table::begin(doc, &cols, style);
    for x in items {
        let row = Row {
            cells: vec![
                Cell::text(x.number.to_string(), FontId::Bold, SMALL, BLACK),
                item_cell(ctx, x),
                received_cell(ctx, x),
                custody_cell(ctx, x),
            ],
            background: None,
        };
        t.row(doc, row);
    }
}
