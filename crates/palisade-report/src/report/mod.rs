//! The evidence bundle's `report.pdf`: cover, summary figures, contact
//! chart, actions, the full chronology, the attachments index and how to
//! verify the bundle.

mod chronology;
mod register;
mod stats;

use crate::chart::{self, Chart};
use crate::error::ReportError;
use crate::fonts::FontId;
use crate::layout::text::truncate;
use crate::layout::{BLACK, DARK, Doc, GREY, LEADING, Margins, RULE, Rgb};
use crate::model::{Field, Report};
use crate::pdf::{self, Info};
use crate::table::{Cell, Column, Row, Span, Style, Table};
use crate::time::{When, display};
use stats::{Prepared, Stats, humanise};

pub(crate) const BODY: f32 = 9.0;
pub(crate) const SMALL: f32 = 7.5;
const FOOTER: f32 = 7.0;

pub(crate) const MARGINS: Margins = Margins {
    left: 40.0,
    right: 40.0,
    top: 40.0,
    bottom: 50.0,
};

/// Shared by the sections: the report and how to show its fields.
pub(crate) struct Ctx<'r> {
    pub r: &'r Report,
    withheld: String,
}

impl<'r> Ctx<'r> {
    fn new(r: &'r Report) -> Self {
        let profile = r.profile.trim();
        let profile = if profile.is_empty() {
            "(unnamed)"
        } else {
            profile
        };
        Ctx {
            r,
            withheld: format!("withheld under profile {profile}"),
        }
    }

    /// The marker shown for a withheld field.
    pub(crate) fn withheld(&self) -> &str {
        &self.withheld
    }

    /// A field as a span: disclosed text, the withheld marker in grey, or
    /// nothing.
    pub(crate) fn span(&self, f: &Field, font: FontId, size: f32, color: Rgb) -> Option<Span> {
        match f {
            Field::Absent => None,
            Field::Disclosed(s) if s.trim().is_empty() => None,
            Field::Disclosed(s) => Some(Span::new(s.as_str(), font, size, color)),
            Field::Withheld => Some(Span::new(
                self.withheld.as_str(),
                FontId::Regular,
                size,
                GREY,
            )),
        }
    }

    /// A field as a cell, with `absent` shown for a missing value.
    pub(crate) fn cell(&self, f: &Field, size: f32, absent: &str) -> Cell {
        let span = self
            .span(f, FontId::Regular, size, BLACK)
            .unwrap_or_else(|| Span::new(absent, FontId::Regular, size, GREY));
        Cell {
            spans: vec![span],
            image: None,
        }
    }
}

/// Render the chronology report as a PDF.
pub fn render_report(r: &Report) -> Result<Vec<u8>, ReportError> {
    let ctx = Ctx::new(r);
    let prepared = Prepared::new(r);
    let stats = stats::compute(&prepared);
    let mut doc = Doc::new(MARGINS, false)?;

    doc.bookmark("Cover");
    cover(&mut doc, &ctx, &stats);
    doc.new_page(false);
    summary(&mut doc, &prepared, &stats);
    actions(&mut doc, &ctx, &prepared);
    register::exhibits(&mut doc, &ctx);
    doc.new_page(true);
    chronology::entries(&mut doc, &ctx, &prepared);
    doc.new_page(false);
    chronology::attachments(&mut doc, &ctx, &prepared);
    verification(&mut doc, r);

    let footer = format!(
        "Case {} · checkpoint {} · root {}",
        one_line(&r.case_id),
        r.checkpoint_size,
        one_line(&r.checkpoint_root)
    );
    footers(&mut doc, &footer);
    let title = format!("Chronology of contacts: case {}", one_line(&r.case_id));
    let info = Info {
        title: &title,
        subject: Some("Evidence bundle report"),
        created: When::parse(&r.exported_at).instant,
    };
    pdf::write(doc, &info)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "page N of M" and the footer text on every page.
pub(crate) fn footers(doc: &mut Doc<'_>, text: &str) {
    let total = doc.pages.len();
    for i in 0..total {
        let (w, h) = (doc.pages[i].width, doc.pages[i].height);
        let left = doc.margins.left;
        let right = w - doc.margins.right;
        let top = h - doc.margins.bottom + 18.0;
        let number = format!("page {} of {}", i + 1, total);
        let nw = doc.fonts.width(FontId::Regular, &number, FOOTER);
        let text = truncate(
            &doc.fonts,
            FontId::Regular,
            FOOTER,
            text,
            right - left - nw - 12.0,
        );
        doc.pages[i]
            .content
            .save_state()
            .set_line_width(0.4)
            .set_stroke_rgb(RULE[0], RULE[1], RULE[2])
            .move_to(left, h - top + 3.0)
            .line_to(right, h - top + 3.0)
            .stroke()
            .restore_state();
        doc.text_on(i, left, top + 4.0, FontId::Regular, FOOTER, GREY, &text);
        doc.text_right_on(i, right, top + 4.0, FontId::Regular, FOOTER, GREY, &number);
    }
}

const KV: Style = Style {
    header: false,
    header_size: BODY,
    pad: 3.0,
    rules: true,
};

fn kv_columns(doc: &Doc<'_>) -> [Column; 2] {
    [Column::new("", 150.0), Column::new("", doc.width() - 150.0)]
}

fn kv(label: &str, spans: Vec<Span>) -> Row {
    Row {
        cells: vec![
            Cell::text(label, FontId::Bold, BODY, DARK),
            Cell { spans, image: None },
        ],
        background: None,
    }
}

fn plain(s: &str) -> Span {
    Span::new(s, FontId::Regular, BODY, BLACK)
}

fn mono(s: &str) -> Span {
    Span::new(s, FontId::Mono, 8.0, BLACK)
}

fn note(s: &str) -> Span {
    Span::new(s, FontId::Regular, SMALL, GREY)
}

fn field_or(ctx: &Ctx<'_>, f: &Field, absent: &str) -> Vec<Span> {
    vec![
        ctx.span(f, FontId::Regular, BODY, BLACK)
            .unwrap_or_else(|| note(absent)),
    ]
}

fn text_or(s: &str, absent: &str) -> Vec<Span> {
    if s.trim().is_empty() {
        vec![note(absent)]
    } else {
        vec![plain(s)]
    }
}

fn cover(doc: &mut Doc<'_>, ctx: &Ctx<'_>, stats: &Stats) {
    let r = ctx.r;
    doc.y += 20.0;
    doc.paragraph("Chronology of contacts", FontId::Bold, 24.0, BLACK, 0.0);
    doc.y += 4.0;
    let heading = r
        .case_title
        .disclosed()
        .filter(|t| !t.trim().is_empty())
        .map_or_else(|| format!("Case {}", r.case_id), str::to_string);
    doc.paragraph(&heading, FontId::Regular, 14.0, DARK, 0.0);
    doc.y += 10.0;
    doc.paragraph(
        "This report was produced by Palisade from a signed, append-only ledger. It lists every \
         contact recorded for this case in the order it happened, the actions taken about it and \
         the files attached, as they stood at the checkpoint below. Nothing in the ledger can be \
         changed without breaking the checkpoint's signature: the last section explains how to \
         check this independently.",
        FontId::Regular,
        BODY,
        DARK,
        0.0,
    );
    doc.y += 10.0;

    let cols = kv_columns(doc);
    let mut t = Table::begin(doc, &cols, KV);
    let parties = if r.parties.is_empty() {
        vec![note("none recorded")]
    } else {
        r.parties.iter().map(|p| plain(p)).collect()
    };
    let mut profile = text_or(&r.profile, "none");
    if !r.profile_description.trim().is_empty() {
        profile.push(note(&r.profile_description));
    }
    let timestamps = if r.timestamps.is_empty() {
        vec![note("none")]
    } else {
        r.timestamps.iter().map(|s| plain(s)).collect()
    };
    let counts = format!(
        "{} contacts, {} actions, {} attachments",
        stats.totals.contacts,
        r.actions.len(),
        r.attachments.len()
    );
    let rows = vec![
        kv("Case reference", text_or(&r.case_id, "none")),
        kv("Title", field_or(ctx, &r.case_title, "not recorded")),
        kv("Subject", field_or(ctx, &r.case_subject, "not recorded")),
        kv("Kind", text_or(&humanise(&r.case_kind), "not recorded")),
        kv("Status", text_or(&r.case_status, "not recorded")),
        kv("Opened", text_or(&display(&r.opened_at), "not recorded")),
        kv("Parties", parties),
        kv("Contents", vec![plain(&counts)]),
        kv("Disclosure profile", profile),
        kv("Exported by", text_or(&r.exported_by, "not recorded")),
        kv(
            "Exported at",
            text_or(&display(&r.exported_at), "not recorded"),
        ),
        kv(
            "Recipient",
            text_or(r.recipient.as_deref().unwrap_or(""), "not stated"),
        ),
        kv(
            "Purpose",
            text_or(r.purpose.as_deref().unwrap_or(""), "not stated"),
        ),
        kv(
            "Checkpoint origin",
            text_or(&r.checkpoint_origin, "not recorded"),
        ),
        kv(
            "Checkpoint size",
            vec![plain(&format!("{} records", r.checkpoint_size))],
        ),
        kv("Checkpoint root (base64)", vec![mono(&r.checkpoint_root)]),
        kv(
            "Signing key fingerprint (SHA-256)",
            vec![mono(&r.key_fingerprint)],
        ),
        kv("Timestamps", timestamps),
    ];
    for row in rows {
        t.row(doc, row);
    }
}

fn summary(doc: &mut Doc<'_>, p: &Prepared<'_>, s: &Stats) {
    doc.heading("Summary", 16.0, 60.0);
    let cols = kv_columns(doc);
    let mut t = Table::begin(doc, &cols, KV);
    let mut contacts = vec![plain(&s.totals.contacts.to_string())];
    if s.retracted > 0 {
        contacts.push(note(&format!(
            "and {} retracted entries, listed in the chronology but not counted here",
            s.retracted
        )));
    }
    t.row(doc, kv("Contacts", contacts));
    let unknown = s.totals.contacts - s.totals.inbound - s.totals.outbound;
    let mut dir = format!(
        "{} inbound, {} outbound",
        s.totals.inbound, s.totals.outbound
    );
    if unknown > 0 {
        dir.push_str(&format!(", {unknown} not stated or withheld"));
    }
    t.row(doc, kv("Direction", vec![plain(&dir)]));
    let none = || vec![note("none")];
    t.row(
        doc,
        kv(
            "First contact",
            s.first.as_deref().map_or_else(none, |v| vec![plain(v)]),
        ),
    );
    t.row(
        doc,
        kv(
            "Last contact",
            s.last.as_deref().map_or_else(none, |v| vec![plain(v)]),
        ),
    );
    let stop = match &s.asked_to_stop {
        Some(a) => {
            let mut v = vec![plain(&format!(
                "{} inbound contacts after the patient was first asked to stop ({})",
                a.inbound_after, a.when
            ))];
            if a.date_only {
                v.push(note("The action has a date but no time, so only contacts on later days are counted."));
            }
            v
        }
        None => vec![note("No action of kind “asked to stop” is recorded.")],
    };
    t.row(doc, kv("After being asked to stop", stop));
    if s.undated > 0 {
        t.row(
            doc,
            kv(
                "Undated",
                vec![plain(&format!(
                    "{} contacts have a time that could not be read; they are listed last",
                    s.undated
                ))],
            ),
        );
    }

    let dates = stats::entry_dates(p);
    let marks: Vec<_> = p
        .actions
        .iter()
        .filter_map(|(a, w)| w.date.map(|d| (d, humanise(a.kind.trim()))))
        .collect();
    doc.heading("Contact frequency", 12.0, 200.0);
    match Chart::new(&dates, &marks) {
        Some(c) => {
            doc.paragraph(
                &format!(
                    "Bars: contacts per {} (retracted entries excluded). Dashed lines: actions taken.",
                    c.unit.noun()
                ),
                FontId::Regular,
                SMALL,
                GREY,
                0.0,
            );
            doc.y += 4.0;
            chart::draw(doc, &c);
        }
        None => doc.paragraph(
            "No dated contacts to chart.",
            FontId::Regular,
            BODY,
            GREY,
            0.0,
        ),
    }

    let count_cols = |doc: &Doc<'_>, first: &str| {
        let w = doc.width();
        [
            Column::new(first, w - 180.0),
            Column::new("Contacts", 60.0),
            Column::new("Inbound", 60.0),
            Column::new("Outbound", 60.0),
        ]
    };
    let style = Style {
        header: true,
        header_size: SMALL,
        pad: 2.5,
        rules: true,
    };
    let counts_row = |label: String, c: &stats::Counts| Row {
        cells: vec![
            Cell::text(label, FontId::Regular, BODY, BLACK),
            Cell::text(c.contacts.to_string(), FontId::Regular, BODY, BLACK),
            Cell::text(c.inbound.to_string(), FontId::Regular, BODY, BLACK),
            Cell::text(c.outbound.to_string(), FontId::Regular, BODY, BLACK),
        ],
        background: None,
    };
    doc.heading("Contacts by channel", 12.0, 40.0);
    if s.by_channel.is_empty() {
        doc.paragraph("No contacts recorded.", FontId::Regular, BODY, GREY, 0.0);
    } else {
        let cols = count_cols(doc, "Channel");
        let mut t = Table::begin(doc, &cols, style);
        for (name, c) in &s.by_channel {
            t.row(doc, counts_row(name.clone(), c));
        }
    }
    doc.heading("Contacts by month", 12.0, 40.0);
    if s.by_month.is_empty() {
        doc.paragraph("No dated contacts.", FontId::Regular, BODY, GREY, 0.0);
    } else {
        let cols = count_cols(doc, "Month");
        let mut t = Table::begin(doc, &cols, style);
        for ((y, m), c) in &s.by_month {
            t.row(doc, counts_row(format!("{y:04}-{m:02}"), c));
        }
    }
}

fn actions(doc: &mut Doc<'_>, ctx: &Ctx<'_>, p: &Prepared<'_>) {
    doc.heading("Actions taken", 12.0, 40.0);
    if p.actions.is_empty() {
        doc.paragraph("No actions recorded.", FontId::Regular, BODY, GREY, 0.0);
        return;
    }
    let w = doc.width();
    let cols = [
        Column::new("Date", 80.0),
        Column::new("Action", 100.0),
        Column::new("By", 80.0),
        Column::new("Reference", 90.0),
        Column::new("Notes", w - 350.0),
    ];
    let style = Style {
        header: true,
        header_size: SMALL,
        pad: 2.5,
        rules: true,
    };
    let mut t = Table::begin(doc, &cols, style);
    for (a, when) in &p.actions {
        let row = Row {
            cells: vec![
                Cell::text(when.display(&a.date), FontId::Regular, SMALL, BLACK),
                Cell::text(humanise(&a.kind), FontId::Bold, SMALL, BLACK),
                ctx.cell(&a.by, SMALL, ""),
                ctx.cell(&a.reference, SMALL, ""),
                ctx.cell(&a.notes, SMALL, ""),
            ],
            background: None,
        };
        t.row(doc, row);
    }
}

fn verification(doc: &mut Doc<'_>, r: &Report) {
    doc.heading("How to verify this bundle", 14.0, 40.0);
    if r.verification.is_empty() {
        doc.paragraph(
            "No verification instructions were supplied with this report.",
            FontId::Regular,
            BODY,
            GREY,
            0.0,
        );
    }
    for para in &r.verification {
        doc.paragraph(para, FontId::Regular, BODY, BLACK, 0.0);
        doc.y += BODY * LEADING * 0.5;
    }
}
