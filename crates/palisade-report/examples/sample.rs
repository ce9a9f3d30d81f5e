//! Writes a sample report (the test suite's) and a sample letter, for
//! looking at: `cargo run -p palisade-report --example sample -- report.pdf letter.pdf`.
#![allow(clippy::unwrap_used)] // A panic is a failed example.

#[path = "../tests/common/mod.rs"]
mod common;

use palisade_report::{Field, Letter, render_letter, render_report};

fn main() {
    let mut args = std::env::args().skip(1);
    let report = args.next().unwrap_or_else(|| "report.pdf".into());
    let letter = args.next().unwrap_or_else(|| "letter.pdf".into());
    std::fs::write(
        &report,
        render_report(&common::sample(Field::Withheld)).unwrap(),
    )
    .unwrap();
    let l = Letter {
        sender: vec![
            "Dr Jane Doe".into(),
            "High St Surgery".into(),
            "1 High Street".into(),
            "London N1 1AA".into(),
        ],
        recipient: vec![
            "Ms A. Brown".into(),
            "2 Low Road".into(),
            "London N2 2BB".into(),
        ],
        date: "3 March 2026".into(),
        reference: Some("JD/AB/40213".into()),
        subject: "Our professional relationship".into(),
        salutation: "Dear Ms Brown,".into(),
        paragraphs: vec![
            "I am writing about the messages, calls and gifts you have sent me since January. \
             I understand that you may value the care you have received, but our relationship \
             must remain a professional one."
                .into(),
            "Please do not contact me other than through the practice about your care. If the \
             contact continues, the practice may need to arrange for another doctor to look \
             after you."
                .into(),
        ],
        closing: "Yours sincerely,".into(),
        signature: vec!["Dr Jane Doe".into(), "General Practitioner".into()],
        footer: Some("High St Surgery · 1 High Street · London N1 1AA · 020 7946 0000".into()),
    };
    std::fs::write(&letter, render_letter(&l).unwrap()).unwrap();
    println!("wrote {report} and {letter}");
}
