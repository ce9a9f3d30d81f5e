//! The chronology table and the attachments index.

use super::stats::{Prepared, humanise};
use super::{BODY, Ctx, SMALL};
use crate::fonts::FontId;
use crate::layout::{BLACK, Doc, GREY, PINK, RED, ZEBRA};
use crate::model::{Field, ReportAttachment, ReportEntry};
use crate::table::{Cell, Column, Row, Span, Style, Table};
use crate::time::display;
use std::collections::HashMap;

const CELL: f32 = 7.0;

/// The attachments in index order, each with its label ("A1", ...).
fn ordered<'r>(ctx: &Ctx<'r>, p: &Prepared<'r>) -> Vec<(String, &'r ReportAttachment)> {
    let mut list: Vec<&ReportAttachment> = ctx.r.attachments.iter().collect();
    list.sort_by_key(|a| {
        (
            p.numbers
                .get(a.belongs_to.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            a.record_id.clone(),
        )
    });
    list.into_iter()
        .enumerate()
        .map(|(i, a)| (format!("A{}", i + 1), a))
        .collect()
}

pub(super) fn entries(doc: &mut Doc<'_>, ctx: &Ctx<'_>, p: &Prepared<'_>) {
    doc.heading("Chronology", 14.0, 60.0);
    doc.paragraph(
        &format!(
            "Every entry in the order the contacts happened. Times are as recorded, with their \
             offset from UTC. Fields the disclosure profile does not release read “{}”. Retracted \
             entries stay in the ledger: they are shaded and marked, and not counted in the summary. \
             Attachments are listed in the index that follows.",
            ctx.withheld()
        ),
        FontId::Regular,
        SMALL,
        GREY,
        0.0,
    );
    doc.y += 4.0;
    if p.entries.is_empty() {
        doc.paragraph("No contacts recorded.", FontId::Regular, BODY, GREY, 0.0);
        return;
    }
    // Party, place and witnesses narrow to their header when no entry has
    // them, leaving the room to the content.
    let used = |f: fn(&ReportEntry) -> &Field| {
        p.entries
            .iter()
            .any(|(e, _)| !matches!(f(e), Field::Absent))
    };
    let width = |f: fn(&ReportEntry) -> &Field| if used(f) { 64.0 } else { 42.0 };
    let fixed = [
        22.0,
        62.0,
        62.0,
        54.0,
        44.0,
        width(|e| &e.party),
        width(|e| &e.place),
        width(|e| &e.witnesses),
        140.0,
    ];
    let content = doc.width() - fixed.iter().sum::<f32>();
    let titles = [
        "#",
        "Occurred",
        "Recorded",
        "Channel",
        "Direction",
        "Party",
        "Place",
        "Witnesses",
        "Summary",
    ];
    let mut cols: Vec<Column> = titles
        .iter()
        .zip(fixed)
        .map(|(t, w)| Column::new(t, w))
        .collect();
    cols.push(Column::new("Content", content));
    let style = Style {
        header: true,
        header_size: SMALL,
        pad: 2.5,
        rules: true,
    };

    let labels = ordered(ctx, p);
    let mut by_hash: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (label, a) in &labels {
        by_hash
            .entry(a.sha256.as_str())
            .or_default()
            .push((a.belongs_to.as_str(), label.as_str()));
    }

    let mut t = Table::begin(doc, &cols, style);
    for (i, (e, when)) in p.entries.iter().enumerate() {
        let regular = |f: &Field| {
            let mut c = Cell::default();
            c.spans.extend(ctx.span(f, FontId::Regular, CELL, BLACK));
            c
        };
        let mut summary = Cell::default();
        if e.retracted {
            summary
                .spans
                .push(Span::new("RETRACTED", FontId::Bold, CELL, RED));
        }
        summary
            .spans
            .extend(ctx.span(&e.summary, FontId::Bold, CELL, BLACK));
        if e.corrected {
            summary.spans.push(Span::new(
                "corrected since first recorded; the ledger keeps the original",
                FontId::Regular,
                6.0,
                GREY,
            ));
        }
        let mut content = regular(&e.content);
        match &e.clinical {
            Field::Disclosed(s) if !s.trim().is_empty() => {
                content
                    .spans
                    .push(Span::new("Clinical notes:", FontId::Bold, CELL, BLACK));
                content
                    .spans
                    .push(Span::new(s.as_str(), FontId::Regular, CELL, BLACK));
            }
            Field::Withheld => content.spans.push(Span::new(
                format!("Clinical notes {}", ctx.withheld()),
                FontId::Regular,
                CELL,
                GREY,
            )),
            _ => {}
        }
        if !e.attachments.is_empty() {
            let refs: Vec<String> = e
                .attachments
                .iter()
                .map(|h| {
                    let found = by_hash
                        .get(h.as_str())
                        .and_then(|v| v.iter().find(|(owner, _)| *owner == e.id).or(v.first()));
                    match found {
                        Some((_, label)) => (*label).to_string(),
                        None => format!("SHA-256 {}", h.chars().take(16).collect::<String>()),
                    }
                })
                .collect();
            content.spans.push(Span::new(
                format!("Attachments: {}", refs.join(", ")),
                FontId::Regular,
                CELL,
                BLACK,
            ));
        }
        content.spans.push(Span::new(
            format!("{} · leaf {}", e.id, e.leaf_index),
            FontId::Mono,
            5.5,
            GREY,
        ));
        let background = if e.retracted {
            Some(PINK)
        } else if i % 2 == 1 {
            Some(ZEBRA)
        } else {
            None
        };
        let row = Row {
            cells: vec![
                Cell::text((i + 1).to_string(), FontId::Regular, CELL, BLACK),
                Cell::text(when.display(&e.occurred_at), FontId::Regular, CELL, BLACK),
                Cell::text(display(&e.recorded_at), FontId::Regular, CELL, GREY),
                Cell::text(humanise(&e.channel), FontId::Regular, CELL, BLACK),
                regular(&e.direction),
                regular(&e.party),
                regular(&e.place),
                regular(&e.witnesses),
                summary,
                content,
            ],
            background,
        };
        t.row(doc, row);
    }
}

fn size_text(n: u64) -> String {
    let units = [("GB", 1u64 << 30), ("MB", 1 << 20), ("KB", 1 << 10)];
    for (unit, scale) in units {
        if n >= scale {
            return format!("{:.1} {unit} ({n} bytes)", n as f64 / scale as f64);
        }
    }
    format!("{n} bytes")
}

/// A SHA-256 in hex as two lines of 32 digits; anything else as it is.
fn hash_lines(h: &str) -> String {
    if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{}\n{}", &h[..32], &h[32..])
    } else {
        h.to_string()
    }
}

/// Largest side of a thumbnail in the index, in points.
const THUMB: f32 = 68.0;

pub(super) fn attachments<'r>(doc: &mut Doc<'r>, ctx: &Ctx<'r>, p: &Prepared<'r>) {
    doc.heading("Attachments", 14.0, 60.0);
    doc.paragraph(
        "Each file is identified by its SHA-256 hash, which the signed ledger records. Files marked \
         “included” are carried in this bundle; the others are listed by hash only, and any copy \
         produced later can be checked against the hash.",
        FontId::Regular,
        SMALL,
        GREY,
        0.0,
    );
    doc.y += 4.0;
    let labels = ordered(ctx, p);
    if labels.is_empty() {
        doc.paragraph("No attachments.", FontId::Regular, BODY, GREY, 0.0);
        return;
    }
    let actions: HashMap<&str, _> = p
        .actions
        .iter()
        .map(|(a, w)| (a.id.as_str(), (a, w)))
        .collect();
    let w = doc.width();
    let cols = [
        Column::new("Ref", 28.0),
        Column::new("Preview", THUMB + 6.0),
        Column::new("Name, type and size", 124.0),
        Column::new("SHA-256", 148.0),
        Column::new("Attached to", w - 28.0 - THUMB - 6.0 - 124.0 - 148.0 - 52.0),
        Column::new("File", 52.0),
    ];
    let style = Style {
        header: true,
        header_size: SMALL,
        pad: 3.0,
        rules: true,
    };
    let mut images: HashMap<&str, usize> = HashMap::new();
    let mut t = Table::begin(doc, &cols, style);
    for (label, a) in labels {
        let mut preview = Cell::default();
        if let Some(th) = &a.thumbnail {
            let index = *images
                .entry(a.sha256.as_str())
                .or_insert_with(|| doc.add_image(th));
            let (tw, thh) = (th.width().max(1) as f32, th.height().max(1) as f32);
            let scale = THUMB / tw.max(thh);
            preview.image = Some((index, tw * scale, thh * scale));
        } else {
            preview
                .spans
                .push(Span::new("no preview", FontId::Regular, 6.0, GREY));
        }
        let mut name = Cell::default();
        name.spans.push(
            ctx.span(&a.name, FontId::Bold, CELL, BLACK)
                .unwrap_or_else(|| Span::new("unnamed", FontId::Regular, CELL, GREY)),
        );
        name.spans.push(Span::new(
            a.media_type.as_str(),
            FontId::Regular,
            CELL,
            BLACK,
        ));
        name.spans
            .push(Span::new(size_text(a.size), FontId::Regular, CELL, BLACK));
        let owner = if let Some(n) = p.numbers.get(a.belongs_to.as_str()) {
            let (e, when) = &p.entries[n - 1];
            format!("Entry #{n}, {}", when.display(&e.occurred_at))
        } else if let Some((act, when)) = actions.get(a.belongs_to.as_str()) {
            format!(
                "Action: {}, {}",
                humanise(&act.kind),
                when.display(&act.date)
            )
        } else {
            "another record".to_string()
        };
        let attached = Cell {
            spans: vec![
                Span::new(owner, FontId::Regular, CELL, BLACK),
                Span::new(a.belongs_to.as_str(), FontId::Mono, 5.5, GREY),
            ],
            image: None,
        };
        let file = if a.bytes_included {
            Cell::text("included", FontId::Bold, CELL, BLACK)
        } else {
            Cell::text("hash only", FontId::Regular, CELL, GREY)
        };
        let row = Row {
            cells: vec![
                Cell::text(label, FontId::Bold, CELL, BLACK),
                preview,
                name,
                Cell::text(hash_lines(&a.sha256), FontId::Mono, 7.0, BLACK),
                attached,
                file,
            ],
            background: None,
        };
        t.row(doc, row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size_text(12), "12 bytes");
        assert_eq!(size_text(2048), "2.0 KB (2048 bytes)");
        assert_eq!(size_text(5 << 20), "5.0 MB (5242880 bytes)");
    }
}
