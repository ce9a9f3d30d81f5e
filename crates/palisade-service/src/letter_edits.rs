//! A person's changes to a drafted letter before it is issued (the web's
//! edit page): which parts are replaced, and the limits an edited letter
//! must keep to.

use crate::error::{Result, ServiceError};
use palisade_guidance::letters::Letter;

/// Changes to a draft. Each part given replaces the draft's; the date is always the
/// day of issue. Lines and paragraphs are trimmed and empty ones dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterEdits {
    pub sender: Option<Vec<String>>,
    pub recipient: Option<Vec<String>>,
    pub subject: Option<String>,
    pub salutation: Option<String>,
    pub paragraphs: Option<Vec<String>>,
    pub closing: Option<String>,
    pub signature: Option<Vec<String>>,
}

/// The most paragraphs, and characters in one paragraph, an edited letter may have.
pub const MAX_LETTER_PARAGRAPHS: usize = 60;
pub const MAX_PARAGRAPH_CHARS: usize = 6000;

fn clean_lines(v: &[String]) -> Vec<String> {
    v.iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

impl LetterEdits {
    /// `letter` with these edits, or what is wrong with them (naming the part).
    pub fn apply(&self, letter: &Letter) -> Result<Letter> {
        let mut l = letter.clone();
        let too_long = |what: &str, t: &str| {
            let n = t.chars().count();
            (n > MAX_PARAGRAPH_CHARS).then(|| {
                ServiceError::Invalid(format!(
                    "the letter's {what} is {n} characters long; keep it to {MAX_PARAGRAPH_CHARS} or fewer"
                ))
            })
        };
        for (what, part, target) in [
            ("sender", &self.sender, &mut l.sender),
            ("recipient", &self.recipient, &mut l.recipient),
            ("signature", &self.signature, &mut l.signature),
        ] {
            if let Some(lines) = part {
                *target = clean_lines(lines);
                if let Some(e) = too_long(what, &target.join("\n")) {
                    return Err(e);
                }
            }
        }
        for (what, part, target) in [
            ("subject", &self.subject, &mut l.subject),
            ("salutation", &self.salutation, &mut l.salutation),
            ("closing", &self.closing, &mut l.closing),
        ] {
            if let Some(text) = part {
                *target = text.trim().to_string();
                if let Some(e) = too_long(what, target) {
                    return Err(e);
                }
            }
        }
        if let Some(ps) = &self.paragraphs {
            l.paragraphs = clean_lines(ps);
            if l.paragraphs.len() > MAX_LETTER_PARAGRAPHS {
                return Err(ServiceError::Invalid(format!(
                    "the letter has {} paragraphs; keep it to {MAX_LETTER_PARAGRAPHS} or fewer",
                    l.paragraphs.len()
                )));
            }
            for (i, p) in l.paragraphs.iter().enumerate() {
                if let Some(e) = too_long(&format!("paragraph {}", i + 1), p) {
                    return Err(e);
                }
            }
        }
        for (what, empty) in [
            ("recipient", l.recipient.is_empty()),
            ("subject", l.subject.is_empty()),
            ("salutation", l.salutation.is_empty()),
            ("text (every paragraph is empty)", l.paragraphs.is_empty()),
        ] {
            if empty {
                return Err(ServiceError::Invalid(format!(
                    "the letter's {what} cannot be empty"
                )));
            }
        }
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Letter {
        Letter {
            sender: vec!["Dr A".into()],
            recipient: vec!["Mr B".into()],
            date: "2 March 2026".into(),
            reference: None,
            subject: "S".into(),
            salutation: "Dear Mr B".into(),
            paragraphs: vec!["One.".into()],
            closing: "Yours sincerely".into(),
            signature: vec!["Dr A".into()],
            footer: None,
        }
    }

    #[test]
    fn edits_replace_only_the_parts_given_trimmed() {
        let edits = LetterEdits {
            paragraphs: Some(vec![" First. ".into(), "\n".into(), "Second.".into()]),
            recipient: Some(vec![" Mr B ".into(), "".into(), "1 High Street".into()]),
            ..LetterEdits::default()
        };
        let l = edits.apply(&draft()).unwrap();
        assert_eq!(l.paragraphs, ["First.", "Second."]);
        assert_eq!(l.recipient, ["Mr B", "1 High Street"]);
        assert_eq!(l.subject, "S");
        assert_eq!(l.date, "2 March 2026");
    }

    #[test]
    fn bad_edits_say_what_is_wrong_and_where() {
        let d = draft();
        let empty = LetterEdits {
            paragraphs: Some(vec![" ".into()]),
            ..LetterEdits::default()
        };
        let e = empty.apply(&d).unwrap_err().to_string();
        assert!(e.contains("every paragraph is empty"), "{e}");
        let long = LetterEdits {
            paragraphs: Some(vec!["ok".into(), "x".repeat(MAX_PARAGRAPH_CHARS + 1)]),
            ..LetterEdits::default()
        };
        let e = long.apply(&d).unwrap_err().to_string();
        assert!(e.contains("paragraph 2 is 6001 characters"), "{e}");
        let no_subject = LetterEdits {
            subject: Some("  ".into()),
            ..LetterEdits::default()
        };
        let e = no_subject.apply(&d).unwrap_err().to_string();
        assert!(e.contains("subject cannot be empty"), "{e}");
        let many = LetterEdits {
            paragraphs: Some(vec!["p".into(); MAX_LETTER_PARAGRAPHS + 1]),
            ..LetterEdits::default()
        };
        assert!(
            many.apply(&d)
                .unwrap_err()
                .to_string()
                .contains("paragraphs")
        );
    }
}
