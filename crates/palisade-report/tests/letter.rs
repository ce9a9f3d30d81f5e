//! Letters, judged by poppler.
#![allow(clippy::unwrap_used)] // Test helpers too: a panic is a failed test.

mod common;

use common::*;
use palisade_report::{Letter, render_letter};

fn letter(paragraphs: usize) -> Letter {
    Letter {
        sender: vec![
            "Dr Jane Doe".into(),
            "High St Surgery".into(),
            "1 High Street, Łódź Road".into(),
            "London N1 1AA".into(),
        ],
        recipient: vec![
            "Ms Zoë Ó'Brien".into(),
            "2 Low Road".into(),
            "London N2 2BB".into(),
        ],
        date: "3 March 2026".into(),
        reference: Some("JD/AB/40213".into()),
        subject: "Our professional relationship".into(),
        salutation: "Dear Ms Ó'Brien,".into(),
        paragraphs: (0..paragraphs)
            .map(|i| {
                format!(
                    "Paragraph {i}. I am writing about the messages and gifts you have sent me. \
                     Our relationship must remain a professional one, and I must ask you to stop \
                     contacting me other than through the practice. Ευχαριστώ. 🚀"
                )
            })
            .collect(),
        closing: "Yours sincerely,".into(),
        signature: vec!["Dr Jane Doe".into(), "General Practitioner".into()],
        footer: Some("High St Surgery · 1 High Street · London N1 1AA · 020 7946 0000".into()),
    }
}

#[test]
fn letter_renders_cleanly_and_text_extracts() {
    let l = letter(3);
    let pdf = render_letter(&l).unwrap();
    assert_eq!(pdf, render_letter(&l).unwrap(), "deterministic");
    if !poppler() {
        return;
    }
    assert_eq!(rasterise(&pdf), 1);
    let t = text(&pdf, "-layout");
    for s in [
        "Dr Jane Doe",
        "1 High Street, Łódź Road",
        "Ms Zoë Ó'Brien",
        "3 March 2026",
        "Our reference: JD/AB/40213",
        "Our professional relationship",
        "Dear Ms Ó'Brien,",
        "Yours sincerely,",
        "General Practitioner",
        "020 7946 0000",
    ] {
        assert!(t.contains(s), "{s:?} missing from:\n{t}");
    }
    assert!(
        !t.contains("page 1 of"),
        "single page letters carry no page number"
    );
    let raw = squash(&text(&pdf, "-raw"));
    assert!(raw.contains(&squash(&l.paragraphs[2])));
}

#[test]
fn long_letter_runs_over_pages_with_numbers() {
    let pdf = render_letter(&letter(20)).unwrap();
    if !poppler() {
        return;
    }
    let pages = rasterise(&pdf);
    assert!(pages >= 2);
    let t = text(&pdf, "-layout");
    assert!(t.contains(&format!("page {pages} of {pages}")));
    assert!(t.contains("Paragraph 19."));
}

#[test]
fn empty_letter_renders() {
    let pdf = render_letter(&Letter::default()).unwrap();
    if poppler() {
        assert_eq!(rasterise(&pdf), 1);
    }
}
