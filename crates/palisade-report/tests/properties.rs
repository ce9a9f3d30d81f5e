//! Rendering never panics, whatever the strings, and poppler reads what
//! comes out without complaint.
#![allow(clippy::unwrap_used)] // Test helpers too: a panic is a failed test.

mod common;

use palisade_report::{
    Field, Letter, Report, ReportAction, ReportAttachment, ReportEntry, render_letter,
    render_report,
};
use proptest::prelude::*;

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        Just(Field::Absent),
        Just(Field::Withheld),
        any::<String>().prop_map(Field::Disclosed),
        "[ -~\u{e9}\u{3b1}-\u{3c9}\u{1f600}-\u{1f6ff}\n\t]{0,400}".prop_map(Field::Disclosed),
    ]
}

fn time() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](Z|[+-][0-1][0-9]:[0-5][0-9])",
        "[0-9]{4}-[0-1][0-9]-[0-3][0-9]",
    ]
}

fn entry() -> impl Strategy<Value = ReportEntry> {
    (
        (
            any::<String>(),
            any::<u64>(),
            time(),
            time(),
            any::<String>(),
        ),
        (
            field(),
            field(),
            field(),
            field(),
            field(),
            field(),
            field(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::collection::vec(any::<String>(), 0..3),
        ),
    )
        .prop_map(
            |(
                (id, leaf, occ, rec, channel),
                (dir, party, place, wit, sum, content, clin),
                (retracted, corrected, attachments),
            )| {
                ReportEntry {
                    id,
                    leaf_index: leaf,
                    occurred_at: occ,
                    recorded_at: rec,
                    channel,
                    direction: dir,
                    party,
                    place,
                    witnesses: wit,
                    summary: sum,
                    content,
                    clinical: clin,
                    retracted,
                    corrected,
                    attachments,
                }
            },
        )
}

fn action() -> impl Strategy<Value = ReportAction> {
    (
        any::<String>(),
        time(),
        prop_oneof![Just("asked_to_stop".to_string()), any::<String>()],
        field(),
        field(),
        field(),
    )
        .prop_map(|(id, date, kind, by, reference, notes)| ReportAction {
            id,
            date,
            kind,
            by,
            reference,
            notes,
        })
}

fn attachment() -> impl Strategy<Value = ReportAttachment> {
    (
        any::<String>(),
        any::<String>(),
        field(),
        any::<String>(),
        any::<u64>(),
        any::<String>(),
        any::<bool>(),
    )
        .prop_map(
            |(record_id, belongs_to, name, media_type, size, sha256, bytes_included)| {
                ReportAttachment {
                    record_id,
                    belongs_to,
                    name,
                    media_type,
                    size,
                    sha256,
                    bytes_included,
                    thumbnail: None,
                }
            },
        )
}

fn report() -> impl Strategy<Value = Report> {
    (
        (
            any::<String>(),
            field(),
            field(),
            any::<String>(),
            any::<String>(),
            time(),
            proptest::collection::vec(any::<String>(), 0..3),
        ),
        (
            any::<String>(),
            any::<String>(),
            any::<String>(),
            time(),
            proptest::option::of(any::<String>()),
            proptest::option::of(any::<String>()),
        ),
        (
            any::<String>(),
            any::<u64>(),
            any::<String>(),
            any::<String>(),
            proptest::collection::vec(any::<String>(), 0..2),
        ),
        (
            proptest::collection::vec(entry(), 0..6),
            proptest::collection::vec(action(), 0..3),
            proptest::collection::vec(attachment(), 0..3),
            proptest::collection::vec(any::<String>(), 0..3),
        ),
    )
        .prop_map(|(a, b, c, d)| Report {
            case_id: a.0,
            case_title: a.1,
            case_subject: a.2,
            case_kind: a.3,
            case_status: a.4,
            opened_at: a.5,
            parties: a.6,
            profile: b.0,
            profile_description: b.1,
            exported_by: b.2,
            exported_at: b.3,
            recipient: b.4,
            purpose: b.5,
            checkpoint_origin: c.0,
            checkpoint_size: c.1,
            checkpoint_root: c.2,
            key_fingerprint: c.3,
            timestamps: c.4,
            entries: d.0,
            actions: d.1,
            exhibits: Vec::new(),
            attachments: d.2,
            verification: d.3,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn render_report_never_panics(r in report()) {
        let pdf = render_report(&r).unwrap();
        prop_assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn render_letter_never_panics(
        lines in proptest::collection::vec(any::<String>(), 0..4),
        text in any::<String>(),
        paragraphs in proptest::collection::vec(any::<String>(), 0..4),
    ) {
        let l = Letter {
            sender: lines.clone(),
            recipient: lines.clone(),
            date: text.clone(),
            reference: Some(text.clone()),
            subject: text.clone(),
            salutation: text.clone(),
            paragraphs,
            closing: text.clone(),
            signature: lines,
            footer: Some(text),
        };
        prop_assert!(render_letter(&l).unwrap().starts_with(b"%PDF-"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn poppler_reads_arbitrary_reports_cleanly(r in report()) {
        let pdf = render_report(&r).unwrap();
        if common::poppler() {
            common::rasterise(&pdf);
            common::text(&pdf, "-raw");
        }
    }
}
