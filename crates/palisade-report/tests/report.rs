//! The chronology report, judged by poppler.
#![allow(clippy::unwrap_used)] // Test helpers too: a panic is a failed test.

mod common;

use common::*;
use palisade_report::{Field, render_report};

#[test]
fn report_renders_cleanly_and_text_extracts() {
    let pdf = render_report(&sample(Field::Withheld)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if !poppler() {
        return;
    }
    let pages = rasterise(&pdf);
    assert!(pages >= 5, "{pages} pages");

    let layout = text(&pdf, "-layout");
    for s in SUMMARIES {
        assert!(layout.contains(s), "summary {s:?} missing from:\n{layout}");
    }
    for s in [
        "Chronology of contacts",
        "withheld under profile police",
        "Zoë Ó'Brien",
        "proszę o spotkanie",
        "θέλω να σας δω",
        "RETRACTED",
        "asked to stop 3 Mar",
        "case_7m2k9q4xw1ba3hce",
        "q0lC0kTbf5w6Xyz9D0uVb2nGQ2x9lC9K3y3m2n1o4pA=",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "CR/123/26",
        "screenshot.png",
        "Physical evidence register",
        "USB stick in a padded envelope",
        "PC 1234 Smith, Metropolitan Police",
        "re-sealed in bag MET-77",
        &format!("page 1 of {pages}"),
        &format!("page {pages} of {pages}"),
    ] {
        assert!(layout.contains(s), "{s:?} missing");
    }
    // Missing glyphs (🚀, 中) still extract, via the ToUnicode map.
    let raw = squash(&text(&pdf, "-raw"));
    for s in [
        "😀🚀",
        "中文",
        "Clinical notes withheld under profile police",
    ] {
        assert!(raw.contains(s), "{s:?} missing from raw text");
    }
    // Long content wraps and continues across pages without loss: its words
    // appear in order (page footers and repeated headers come in between).
    let long = sample(Field::Absent).entries[0]
        .content
        .disclosed()
        .unwrap()
        .replace(LONG_WORD, "");
    let mut words = raw.split(' ');
    for w in long.split_whitespace() {
        assert!(words.any(|x| x == w), "{w:?} missing or out of order");
    }
    // The hash is broken across lines by the wrap, not lost.
    assert!(raw.replace(' ', "").contains(&"a".repeat(64)));
}

#[test]
fn withheld_clinical_notes_are_nowhere_in_the_file() {
    let disclosed = render_report(&sample(Field::Disclosed(SECRET.into()))).unwrap();
    let withheld = render_report(&sample(Field::Withheld)).unwrap();
    let marker = SECRET.chars().next().unwrap();
    let utf16 = format!("{:04X}", marker as u32);
    let in_streams = |pdf: &[u8]| {
        streams(pdf)
            .iter()
            .any(|s| find(s, SECRET.as_bytes()).is_some() || find(s, utf16.as_bytes()).is_some())
    };
    // The checks can see the notes when they are disclosed...
    assert!(
        in_streams(&disclosed),
        "ToUnicode should map the disclosed notes"
    );
    // ...and they are absent, raw or inflated, when withheld.
    assert!(find(&withheld, SECRET.as_bytes()).is_none());
    assert!(find(&withheld, b"hypothyroidism").is_none());
    assert!(!in_streams(&withheld));
    if !poppler() {
        return;
    }
    assert!(squash(&text(&disclosed, "-raw")).contains(SECRET));
    for mode in ["-layout", "-raw"] {
        let t = text(&withheld, mode);
        assert!(!t.contains("hypothyroidism"), "{mode}");
        assert!(!t.contains(marker), "{mode}");
    }
}

#[test]
fn rendering_is_deterministic() {
    let r = sample(Field::Withheld);
    let a = render_report(&r).unwrap();
    let b = render_report(&r).unwrap();
    assert_eq!(a, b);
    let mut changed = r.clone();
    changed.entries[0].summary = Field::Disclosed("Something else".into());
    let c = render_report(&changed).unwrap();
    assert_ne!(a, c);
    // The file ID follows the content.
    let id = |pdf: &[u8]| {
        let i = find(pdf, b"/ID [").unwrap();
        pdf[i..i + 80].to_vec()
    };
    assert_ne!(id(&a), id(&c));
}

#[test]
fn empty_report_renders() {
    let pdf = render_report(&Default::default()).unwrap();
    if poppler() {
        rasterise(&pdf);
        let t = text(&pdf, "-layout");
        assert!(t.contains("No contacts recorded."));
        assert!(t.contains("No attachments."));
    }
}

#[test]
fn long_rows_continue_on_the_next_page() {
    let mut r = sample(Field::Withheld);
    let huge: String = (0..1500).map(|i| format!("word{i} ")).collect();
    r.entries[0].content = Field::Disclosed(huge.clone());
    let pdf = render_report(&r).unwrap();
    if !poppler() {
        return;
    }
    rasterise(&pdf);
    let raw = squash(&text(&pdf, "-raw"));
    assert!(raw.contains("(cont.)"));
    assert!(raw.contains("word0 word1"));
    assert!(raw.contains("word1498 word1499"));
}
