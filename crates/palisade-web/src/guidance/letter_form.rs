//! The letter editor: every part of a drafted letter in a field of its own
//! (one textarea per paragraph), read back into [`LetterEdits`]; the
//! problems to show (bracketed gaps the case could not fill, each linked to
//! the field that holds it); and the HTML preview of the final text.

use super::components::textarea;
use super::templates::TemplateInfo;
use crate::error::WebError;
use crate::forms::Input;
use crate::layout::{ButtonKind, csrf_field, error_summary};
use crate::session::SignedIn;
use maud::{Markup, html};
use palisade_guidance::letters::Letter;
use palisade_service::{LetterEdits, MAX_LETTER_PARAGRAPHS};

/// The editor's fields, as shown or as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterForm {
    /// One line each.
    pub sender: String,
    pub recipient: String,
    pub subject: String,
    pub salutation: String,
    pub paragraphs: Vec<String>,
    pub closing: String,
    pub signature: String,
    pub reference: String,
    /// How many letters from this template the case held when the draft
    /// was opened (a hidden field): issuing refuses if more exist now, so a
    /// form sent twice does not issue the letter twice.
    pub issued_before: usize,
}

/// The field that holds paragraph `i` (0-based): `paragraph_1`, …
pub fn paragraph_field(i: usize) -> String {
    format!("paragraph_{}", i + 1)
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim().to_string()).collect()
}

impl LetterForm {
    /// The editor filled with a draft.
    pub fn from_letter(l: &Letter, reference: Option<&str>, issued_before: usize) -> Self {
        LetterForm {
            sender: l.sender.join("\n"),
            recipient: l.recipient.join("\n"),
            subject: l.subject.clone(),
            salutation: l.salutation.clone(),
            paragraphs: l.paragraphs.clone(),
            closing: l.closing.clone(),
            signature: l.signature.join("\n"),
            reference: reference.unwrap_or_default().to_string(),
            issued_before,
        }
    }

    /// Read the posted fields (CSRF already checked). A missing field or a
    /// paragraph number out of range is a bad request naming the field.
    pub fn parse(fields: &[(String, String)]) -> Result<Self, WebError> {
        let one = |name: &str| -> Result<String, WebError> {
            let mut it = fields.iter().filter(|(k, _)| k == name);
            match (it.next(), it.next()) {
                (Some((_, v)), None) => Ok(v.replace("\r\n", "\n")),
                (None, _) => Err(WebError::BadRequest(format!(
                    "The letter form is missing the field '{name}'. Go back, reload the page and try again."
                ))),
                (Some(_), Some(_)) => Err(WebError::BadRequest(format!(
                    "The letter form has the field '{name}' twice."
                ))),
            }
        };
        let mut numbered: Vec<(usize, String)> = Vec::new();
        for (k, v) in fields {
            let Some(n) = k.strip_prefix("paragraph_") else {
                continue;
            };
            let n: usize = n
                .parse()
                .ok()
                .filter(|n| (1..=MAX_LETTER_PARAGRAPHS + 1).contains(n))
                .ok_or_else(|| {
                    WebError::BadRequest(format!(
                        "The letter form has an unexpected field '{k}' (paragraphs are numbered 1 to {}).",
                        MAX_LETTER_PARAGRAPHS + 1
                    ))
                })?;
            if numbered.iter().any(|(m, _)| *m == n) {
                return Err(WebError::BadRequest(format!(
                    "The letter form has the field '{k}' twice."
                )));
            }
            numbered.push((n, v.replace("\r\n", "\n")));
        }
        numbered.sort_by_key(|(n, _)| *n);
        Ok(LetterForm {
            sender: one("sender")?,
            recipient: one("recipient")?,
            subject: one("subject")?,
            salutation: one("salutation")?,
            paragraphs: numbered
                .into_iter()
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect(),
            closing: one("closing")?,
            signature: one("signature")?,
            reference: one("reference")?,
            issued_before: one("issued_before")?.trim().parse().map_err(|_| {
                WebError::BadRequest(
                    "The letter form's field 'issued_before' is not a number. Go back, reload the page and try again.".into(),
                )
            })?,
        })
    }

    /// The edits these fields make to the draft (every part replaced).
    pub fn edits(&self) -> LetterEdits {
        LetterEdits {
            sender: Some(lines(&self.sender)),
            recipient: Some(lines(&self.recipient)),
            subject: Some(self.subject.clone()),
            salutation: Some(self.salutation.clone()),
            paragraphs: Some(self.paragraphs.clone()),
            closing: Some(self.closing.clone()),
            signature: Some(lines(&self.signature)),
        }
    }

    /// The reference, if one was given.
    pub fn reference(&self) -> Option<String> {
        let r = self.reference.trim();
        (!r.is_empty()).then(|| r.to_string())
    }

    /// Every field with its id and label, in form order.
    fn fields(&self) -> Vec<(String, String, &str)> {
        let mut v = vec![
            (
                "sender".to_string(),
                "From".to_string(),
                self.sender.as_str(),
            ),
            ("recipient".into(), "To".into(), self.recipient.as_str()),
            (
                "reference".into(),
                "Reference".into(),
                self.reference.as_str(),
            ),
            ("subject".into(), "Subject".into(), self.subject.as_str()),
            (
                "salutation".into(),
                "Greeting".into(),
                self.salutation.as_str(),
            ),
        ];
        for (i, p) in self.paragraphs.iter().enumerate() {
            v.push((
                paragraph_field(i),
                format!("Paragraph {}", i + 1),
                p.as_str(),
            ));
        }
        v.push(("closing".into(), "Closing".into(), self.closing.as_str()));
        v.push((
            "signature".into(),
            "Signature".into(),
            self.signature.as_str(),
        ));
        v
    }

    /// For each field holding any of `gaps`, its id and what to do.
    pub fn gap_problems(&self, gaps: &[String]) -> Vec<(String, String)> {
        self.fields()
            .into_iter()
            .filter_map(|(id, label, text)| {
                let here: Vec<&str> = gaps
                    .iter()
                    .filter(|g| text.contains(g.as_str()))
                    .map(String::as_str)
                    .collect();
                match here.as_slice() {
                    [] => None,
                    [one] => Some((
                        id,
                        format!("{label}: replace {one} with the real detail, or delete it"),
                    )),
                    many => Some((
                        id,
                        format!(
                            "{label}: replace {} with the real details, or delete them",
                            many.join(", ")
                        ),
                    )),
                }
            })
            .collect()
    }
}

fn rows_for(text: &str) -> u32 {
    let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    let breaks = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
    (chars / 70 + breaks + 1).clamp(3, 16)
}

/// What the editor page needs besides the form.
pub struct Editor<'a> {
    pub user: &'a SignedIn,
    pub case_id: &'a str,
    pub info: &'a TemplateInfo,
    /// The letter's date, as printed.
    pub date: &'a str,
    /// (field id, message), for the summary and the fields.
    pub problems: &'a [(String, String)],
    /// Whether this user may issue (else only preview).
    pub can_issue: bool,
}

/// The edit form.
pub fn editor(e: &Editor<'_>, form: &LetterForm) -> Markup {
    let err = |id: &str| {
        e.problems
            .iter()
            .find(|(f, _)| f == id)
            .map(|(_, m)| m.as_str())
    };
    let template = e.info.template.as_str();
    let issue_to = format!("/cases/{}/letters/{template}", e.case_id);
    let preview_to = format!("/cases/{}/letters/{template}/preview", e.case_id);
    let extra = paragraph_field(form.paragraphs.len());
    html! {
        form method="post" action=(preview_to) novalidate {
            (csrf_field(e.user))
            input type="hidden" name="issued_before" value=(form.issued_before);
            (textarea("sender", "From", Some("One line each: name, role, practice, address."), &form.sender, rows_for(&form.sender), err("sender"), false))
            (textarea("recipient", "To", Some("One line each. Keep 'Private and confidential' on letters to the patient."), &form.recipient, rows_for(&form.recipient), err("recipient"), false))
            p { strong { "Date: " } (e.date) span class="hint" { "A letter is dated the day it is issued." } }
            (Input::text("reference", e.info.reference_label).value(&form.reference).hint(e.info.reference_hint).error_opt(err("reference")))
            (Input::text("subject", "Subject").value(&form.subject).error_opt(err("subject")))
            (Input::text("salutation", "Greeting").value(&form.salutation).error_opt(err("salutation")))
            @for (i, p) in form.paragraphs.iter().enumerate() {
                @let id = paragraph_field(i);
                (textarea(&id, &format!("Paragraph {}", i + 1), None, p, rows_for(p), err(&id), false))
            }
            (textarea(&extra, "Add a paragraph (optional)", Some("Leave empty to add nothing. Empty a paragraph above to remove it."), "", 3, None, false))
            (Input::text("closing", "Closing").value(&form.closing).error_opt(err("closing")))
            (textarea("signature", "Signature", Some("One line each."), &form.signature, rows_for(&form.signature), err("signature"), false))
            div class="button-group" {
                (crate::layout::button("Preview the letter", ButtonKind::Secondary))
                @if e.can_issue {
                    button type="submit" class="button" formaction=(issue_to) { "Issue the letter" }
                }
            }
        }
    }
}

/// The error summary for the editor's problems.
pub fn summary(problems: &[(String, String)]) -> Markup {
    let pairs: Vec<(&str, &str)> = problems
        .iter()
        .map(|(f, m)| (f.as_str(), m.as_str()))
        .collect();
    error_summary(&pairs)
}

/// `text` with each of `gaps` marked.
fn marked(text: &str, gaps: &[String]) -> Markup {
    let mut parts: Vec<(bool, &str)> = Vec::new();
    let mut rest = text;
    while let Some((at, gap)) = gaps
        .iter()
        .filter_map(|g| rest.find(g.as_str()).map(|i| (i, g.as_str())))
        .min_by_key(|(i, _)| *i)
    {
        parts.push((false, &rest[..at]));
        parts.push((true, gap));
        rest = &rest[at + gap.len()..];
    }
    parts.push((false, rest));
    html! {
        @for (gap, t) in parts {
            @if gap { mark { (t) } } @else { (t) }
        }
    }
}

fn line_block(ls: &[String], gaps: &[String]) -> Markup {
    html! {
        p {
            @for (i, l) in ls.iter().enumerate() {
                @if i > 0 { br; }
                (marked(l, gaps))
            }
        }
    }
}

/// The final text of the letter as it will be printed, with any gaps marked.
pub fn preview(l: &Letter, gaps: &[String]) -> Markup {
    html! {
        div class="card letter-preview" {
            (line_block(&l.sender, gaps))
            (line_block(&l.recipient, gaps))
            p { (l.date) }
            @if let Some(r) = &l.reference { p { "Reference: " (marked(r, gaps)) } }
            p { strong { (marked(&l.subject, gaps)) } }
            p { (marked(&l.salutation, gaps)) }
            @for p in &l.paragraphs { p { (marked(p, gaps)) } }
            p { (marked(&l.closing, gaps)) }
            (line_block(&l.signature, gaps))
            @if let Some(f) = &l.footer { p class="hint" { (f) } }
        }
    }
}

/// `Input::error` from an `Option` (the platform's builder takes errors
/// from its own `FormErrors`).
trait ErrorOpt<'a> {
    fn error_opt(self, e: Option<&'a str>) -> Self;
}

impl<'a> ErrorOpt<'a> for Input<'a> {
    fn error_opt(mut self, e: Option<&'a str>) -> Self {
        self.error = e;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const BASE: [(&str, &str); 8] = [
        ("sender", "Dr A\r\nRiverside"),
        ("recipient", "Private and confidential\nMr B"),
        ("subject", "S"),
        ("salutation", "Dear Mr B"),
        ("closing", "Yours sincerely"),
        ("signature", "Dr A"),
        ("reference", ""),
        ("issued_before", "0"),
    ];

    #[test]
    fn paragraphs_are_read_in_number_order_and_empty_ones_dropped() {
        let mut v = pairs(&BASE);
        v.extend(pairs(&[
            ("paragraph_10", "ten"),
            ("paragraph_2", "two"),
            ("paragraph_1", " one "),
            ("paragraph_3", "  "),
        ]));
        let f = LetterForm::parse(&v).unwrap();
        assert_eq!(f.paragraphs, ["one", "two", "ten"]);
        assert_eq!(f.sender, "Dr A\nRiverside");
        assert_eq!(f.edits().sender.unwrap(), ["Dr A", "Riverside"]);
        assert_eq!(f.reference(), None);
    }

    #[test]
    fn a_missing_or_odd_field_is_named() {
        let v = pairs(&BASE[1..]);
        let e = LetterForm::parse(&v).unwrap_err().to_string();
        assert!(e.contains("'sender'"), "{e}");
        let mut v = pairs(&BASE);
        v.push(("paragraph_x".into(), "p".into()));
        let e = LetterForm::parse(&v).unwrap_err().to_string();
        assert!(e.contains("'paragraph_x'"), "{e}");
        let mut v = pairs(&BASE);
        v.push(("paragraph_1".into(), "a".into()));
        v.push(("paragraph_1".into(), "b".into()));
        assert!(LetterForm::parse(&v).is_err());
    }

    #[test]
    fn gaps_are_linked_to_the_fields_that_hold_them_and_marked() {
        let f = LetterForm {
            sender: "Dr A\n[practice address]".into(),
            paragraphs: vec!["Call [practice telephone] or [practice address].".into()],
            ..LetterForm::default()
        };
        let gaps = vec![
            "[practice address]".to_string(),
            "[practice telephone]".to_string(),
        ];
        let p = f.gap_problems(&gaps);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].0, "sender");
        assert_eq!(p[1].0, "paragraph_1");
        assert!(
            p[1].1.contains("[practice address], [practice telephone]"),
            "{}",
            p[1].1
        );
        let html = marked("Call [practice telephone] <now>", &gaps).into_string();
        assert_eq!(html, "Call <mark>[practice telephone]</mark> &lt;now&gt;");
    }
}
