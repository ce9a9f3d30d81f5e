//! The guidance engine wired into the ledger: triage labels attached when a
//! case is read (never stored: they follow from an entry's words and the
//! engine), acknowledgements of flagged messages, risk assessments recorded
//! when completed or when the level changes, and letters issued as actions
//! with their PDF attached.

use crate::cases::{RecordReceipt, stamp};
use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, Pending, Receipt};
use crate::letter_edits::LetterEdits;
use jiff::civil::Date;
use palisade_core::compose::{self, NewAcknowledgement, NewAction};
use palisade_core::domain::{ActionKind, AssessmentTrigger, RecordKind, RemovalMode};
use palisade_core::time::When;
use palisade_core::view::{AttachmentView, CaseView, EntryState};
use palisade_guidance::deadlines::{self, RemovalKind};
use palisade_guidance::letters::{self, Letter, LetterDetails, Template};
use palisade_guidance::{Advice, Context, Label, QUESTIONS, Questionnaire};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `acknowledge` recorded.
#[derive(Debug, Clone, Serialize)]
pub struct AcknowledgementReceipt {
    pub id: String,
    pub leaf_index: u64,
    pub recorded_at: String,
    pub tree_size: u64,
    pub case: String,
    pub entry: String,
    /// The label acknowledged (`threat` or `self_harm`).
    pub label: String,
    pub engine: String,
}

/// A case assessed by the engine, and whether the assessment was recorded.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The case as read (without triage attached: see [`Palisade::case_for_reading`]).
    pub case: CaseView,
    pub advice: Advice,
    pub today: Date,
    /// The answers the assessment used (the latest recorded, with any new ones).
    pub answers: Option<Questionnaire>,
    /// The level of the last recorded assessment before this one.
    pub previous_level: Option<String>,
    /// The `risk_assessment` record written, if one was.
    pub recorded: Option<Receipt>,
    /// Why nothing was recorded when recording was asked for.
    pub not_recorded: Option<String>,
}

/// A letter to draft, render and (unless `dry_run`) issue.
#[derive(Debug, Clone)]
pub struct LetterRequest {
    pub case_id: String,
    pub template: Template,
    pub details: LetterDetails,
    /// The letter's date (and the action's).
    pub today: Date,
    /// Who issues it (recorded with the action).
    pub by: Option<String>,
    /// The recipient block, one line each, replacing the template's.
    pub to: Vec<String>,
    /// The PDF to write; it must not exist.
    pub out: PathBuf,
    /// Write the PDF but record nothing.
    pub dry_run: bool,
}

/// What `letter` did.
#[derive(Debug, Clone, Serialize)]
pub struct LetterReport {
    pub case: String,
    pub template: String,
    pub subject: String,
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub dry_run: bool,
    /// The action recorded (kind), with the PDF as its attachment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<RecordReceipt>,
    /// Bracketed placeholders left in the letter (facts the case does not hold).
    pub placeholders: Vec<String>,
}

/// A letter issued without writing a file: the report and the PDF's bytes
/// (the web offers them as a download).
#[derive(Debug, Clone)]
pub struct IssuedLetter {
    pub report: LetterReport,
    pub pdf: Vec<u8>,
}

/// The action that issuing a letter from `template` records.
pub fn letter_action(template: Template) -> ActionKind {
    match template {
        Template::Boundary => ActionKind::AskedToStop,
        Template::ManagerFormal => ActionKind::ManagerLetter,
        Template::RemovalWarning => ActionKind::RemovalWarning,
        Template::RemovalNotice => ActionKind::RemovalNotice,
        Template::DefenceReferral => ActionKind::DefenceOrgContacted,
        Template::PoliceSummary => ActionKind::PoliceReported,
    }
}

/// Render a letter draft to PDF (fonts embedded).
pub fn render_letter(l: &Letter) -> Result<Vec<u8>> {
    let r = palisade_report::Letter {
        sender: l.sender.clone(),
        recipient: l.recipient.clone(),
        date: l.date.clone(),
        reference: l.reference.clone(),
        subject: l.subject.clone(),
        salutation: l.salutation.clone(),
        paragraphs: l.paragraphs.clone(),
        closing: l.closing.clone(),
        signature: l.signature.clone(),
        footer: l.footer.clone(),
    };
    palisade_report::render_letter(&r)
        .map_err(|e| ServiceError::Invalid(format!("cannot render the letter: {e}")))
}

/// `[practice telephone]`-style gaps left in a draft, each once, in order.
pub fn placeholders(l: &Letter) -> Vec<String> {
    let text = l.to_text();
    let mut out: Vec<String> = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find('[') {
        let after = &rest[i + 1..];
        match after.find(']') {
            Some(j) if j > 0 && j < 120 && !after[..j].contains(['\n', '[']) => {
                let p = format!("[{}]", &after[..j]);
                if !out.contains(&p) {
                    out.push(p);
                }
                rest = &after[j + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// Write `bytes` to `out` atomically, refusing to replace an existing file.
fn write_new_file(out: &Path, bytes: &[u8]) -> Result<()> {
    let io = ServiceError::io(out);
    if out.exists() {
        return Err(ServiceError::AlreadyExists(format!(
            "{} already exists; give a new file name (a letter is never written over another file)",
            out.display()
        )));
    }
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(ServiceError::io(out))?;
    tmp.write_all(bytes).map_err(ServiceError::io(out))?;
    tmp.as_file().sync_all().map_err(ServiceError::io(out))?;
    tmp.persist_noclobber(out).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            ServiceError::AlreadyExists(format!(
                "{} already exists; give a new file name (a letter is never written over another file)",
                out.display()
            ))
        } else {
            io(e.error)
        }
    })?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The file name of `out`, which names the letter's attachment.
fn attachment_name(out: &Path) -> Result<String> {
    out.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ServiceError::Invalid(format!("{} is not a file name", out.display())))
}

impl Palisade {
    /// A case as people read it: the current view with each inbound
    /// message's triage attached (computed now, from its words).
    pub fn case_for_reading(&self, case_id: &str) -> Result<CaseView> {
        let mut v = self.case(case_id)?;
        palisade_guidance::annotate(&mut v);
        Ok(v)
    }

    /// Record that a person has read and dealt with an entry flagged
    /// `threat` or `self_harm`. The label acknowledged is the entry's
    /// current triage label.
    pub fn acknowledge(
        &self,
        entry_id: &str,
        by: &str,
        note: Option<String>,
    ) -> Result<AcknowledgementReceipt> {
        let row = self
            .store
            .record(entry_id)?
            .filter(|r| r.kind == RecordKind::Entry.as_str())
            .ok_or_else(|| ServiceError::NotFound {
                what: "entry",
                id: entry_id.to_string(),
            })?;
        let case_id = row
            .case_id
            .ok_or_else(|| ServiceError::Integrity(format!("entry {entry_id} has no case")))?;
        self.ensure_open(&case_id)?;
        let view = self.case(&case_id)?;
        let e = view.entry(entry_id).ok_or_else(|| ServiceError::NotFound {
            what: "entry",
            id: entry_id.to_string(),
        })?;
        if e.state == EntryState::Retracted {
            return Err(ServiceError::Invalid(format!(
                "entry {entry_id} was retracted; there is nothing to acknowledge"
            )));
        }
        let t = palisade_guidance::entry_triage(e).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "entry {entry_id} has no message from the patient to triage (no content, or your own message); there is no flag to acknowledge"
            ))
        })?;
        let urgent = t.label.parse::<Label>().is_ok_and(Label::is_urgent);
        if !urgent {
            return Err(ServiceError::Invalid(format!(
                "entry {entry_id} is triaged '{}', not threat or self_harm; there is no flag to acknowledge",
                t.label
            )));
        }
        if let Some(a) = e.acknowledgements.iter().find(|a| a.label == t.label) {
            return Err(ServiceError::Invalid(format!(
                "the {} flag on entry {entry_id} was already acknowledged by {} on {} ({})",
                t.label,
                a.by.as_deref().unwrap_or("someone"),
                a.recorded_at,
                a.id
            )));
        }
        let ack = NewAcknowledgement {
            label: t.label.clone(),
            engine: t.engine.clone(),
            by: by.trim().to_string(),
            note: note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        };
        let record = compose::acknowledgement(&stamp("ack")?, &case_id, entry_id, &ack)?;
        let r = self.commit_one(record, &case_id)?;
        Ok(AcknowledgementReceipt {
            id: r.id,
            leaf_index: r.leaf_index,
            recorded_at: r.recorded_at,
            tree_size: r.tree_size,
            case: case_id,
            entry: entry_id.to_string(),
            label: ack.label,
            engine: ack.engine,
        })
    }

    /// Steps, deadlines and risk for a case as of `today`, using the latest
    /// recorded questionnaire answers and the acknowledged flags. With
    /// `record`, a `risk_assessment` is appended when the level differs from
    /// the last one recorded (or none has been), and the case is open.
    pub fn assess(&self, case_id: &str, today: Date, record: bool) -> Result<Assessment> {
        // Not annotated: the engine triages every entry itself.
        let view = self.case(case_id)?;
        let ctx = Context::for_case(&view, today);
        let advice = palisade_guidance::advise(&view, &ctx);
        let previous_level = view.latest_assessment().map(|a| a.level.clone());
        let mut recorded = None;
        let mut not_recorded = None;
        if record && previous_level.as_deref() != Some(advice.risk.level.as_str()) {
            match self.ensure_open(case_id) {
                Ok(()) => {
                    let r = palisade_guidance::assessment_record(
                        &advice.risk,
                        ctx.answers.as_ref(),
                        today,
                        AssessmentTrigger::LevelChanged,
                        None,
                    );
                    let rec = compose::risk_assessment(&stamp("risk")?, case_id, &r)?;
                    recorded = Some(self.commit_one(rec, case_id)?);
                }
                Err(ServiceError::Invalid(why)) => not_recorded = Some(why),
                Err(e) => return Err(e),
            }
        }
        Ok(Assessment {
            case: view,
            answers: ctx.answers,
            advice,
            today,
            previous_level,
            recorded,
            not_recorded,
        })
    }

    /// Complete the risk questionnaire: `answers` (question id → yes, no, or
    /// `None` for "not known") update the latest recorded answers; the
    /// assessment with them is recorded (`trigger: questionnaire`) and returned.
    pub fn complete_questionnaire(
        &self,
        case_id: &str,
        answers: &[(String, Option<bool>)],
        by: Option<String>,
        today: Date,
    ) -> Result<Assessment> {
        self.ensure_open(case_id)?;
        let view = self.case(case_id)?;
        let mut q = palisade_guidance::recorded_answers(&view).unwrap_or_default();
        for (id, a) in answers {
            q = set_answer(q, id, *a)?;
        }
        let ctx = Context::for_case(&view, today).with_answers(q);
        let advice = palisade_guidance::advise(&view, &ctx);
        let previous_level = view.latest_assessment().map(|a| a.level.clone());
        let r = palisade_guidance::assessment_record(
            &advice.risk,
            Some(&q),
            today,
            AssessmentTrigger::Questionnaire,
            by.map(|b| b.trim().to_string()).filter(|b| !b.is_empty()),
        );
        let rec = compose::risk_assessment(&stamp("risk")?, case_id, &r)?;
        let receipt = self.commit_one(rec, case_id)?;
        Ok(Assessment {
            case: view,
            advice,
            today,
            answers: Some(q),
            previous_level,
            recorded: Some(receipt),
            not_recorded: None,
        })
    }

    /// The draft `issue_letter` would render for `req` (the template
    /// filled from the case, `req.to` as the recipient), and whether the
    /// removal it concerns is immediate. Nothing is written.
    fn draft_for(&self, req: &LetterRequest) -> Result<(Letter, bool)> {
        let view = self.case(&req.case_id)?;
        let mut details = req.details.clone();
        let recorded_immediate = matches!(
            deadlines::last_removal(&view, req.today),
            Some((_, RemovalKind::Immediate, _))
        );
        details.immediate = details.immediate || recorded_immediate;
        let mut letter = letters::draft(req.template, &view, &details, req.today);
        if !req.to.is_empty() {
            let keep_private = letter
                .recipient
                .first()
                .filter(|l| l.as_str() == "Private and confidential")
                .cloned();
            letter.recipient = keep_private.into_iter().chain(req.to.clone()).collect();
        }
        Ok((letter, details.immediate))
    }

    /// The draft of the letter `req` asks for, to show a person before it is
    /// issued (`req.out` and `req.dry_run` are not used).
    pub fn draft_letter(&self, req: &LetterRequest) -> Result<Letter> {
        Ok(self.draft_for(req)?.0)
    }

    /// Draft a letter from the case, render it to PDF, write it (never over
    /// an existing file) and, unless a dry run, record the action it is with
    /// the PDF attached, in one write. If recording fails the PDF is removed.
    pub fn issue_letter(&self, req: &LetterRequest) -> Result<LetterReport> {
        if !req.dry_run {
            self.ensure_open(&req.case_id)?;
        }
        let (letter, immediate) = self.draft_for(req)?;
        let pdf = render_letter(&letter)?;
        let name = attachment_name(&req.out)?;
        write_new_file(&req.out, &pdf)?;
        self.record_letter(req, &letter, immediate, &name, &pdf)
            .inspect_err(|_| {
                // Nothing was recorded: do not leave a letter that looks issued.
                let _ = std::fs::remove_file(&req.out);
            })
    }

    /// [`Palisade::issue_letter`] for a draft a person has edited: the draft
    /// with `edits` applied is rendered and (unless a dry run) recorded with
    /// the PDF attached under `req.out`'s file name. No file is written; the
    /// PDF comes back with the report (whose `path` is that file name).
    pub fn issue_edited_letter(
        &self,
        req: &LetterRequest,
        edits: &LetterEdits,
    ) -> Result<IssuedLetter> {
        if !req.dry_run {
            self.ensure_open(&req.case_id)?;
        }
        let (draft, immediate) = self.draft_for(req)?;
        let letter = edits.apply(&draft)?;
        let pdf = render_letter(&letter)?;
        let name = attachment_name(&req.out)?;
        let report = self.record_letter(req, &letter, immediate, &name, &pdf)?;
        Ok(IssuedLetter { report, pdf })
    }

    /// The report for a rendered letter and, unless a dry run, the action
    /// recorded with the PDF attached as `name`.
    fn record_letter(
        &self,
        req: &LetterRequest,
        letter: &Letter,
        immediate: bool,
        name: &str,
        pdf: &[u8],
    ) -> Result<LetterReport> {
        let mut report = LetterReport {
            case: req.case_id.clone(),
            template: req.template.as_str().to_string(),
            subject: letter.subject.clone(),
            path: req.out.display().to_string(),
            sha256: sha256_hex(pdf),
            size: pdf.len() as u64,
            dry_run: req.dry_run,
            action_kind: None,
            action: None,
            placeholders: placeholders(letter),
        };
        if req.dry_run {
            return Ok(report);
        }
        let kind = letter_action(req.template);
        let reference = match req.template {
            Template::PoliceSummary => req.details.police_reference.clone(),
            Template::DefenceReferral => req.details.defence_reference.clone(),
            _ => None,
        }
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
        let action = NewAction {
            kind,
            date: When::Day(req.today),
            by: req
                .by
                .as_ref()
                .map(|b| b.trim().to_string())
                .filter(|b| !b.is_empty()),
            reference,
            notes: Some(format!(
                "Letter issued from the {} template: \"{}\"",
                req.template, letter.subject
            )),
            mode: (kind == ActionKind::RemovalNotice).then_some(if immediate {
                RemovalMode::Immediate
            } else {
                RemovalMode::Standard
            }),
        };
        let r = self.record_action_with_file(&req.case_id, &action, name, pdf)?;
        report.action_kind = Some(kind.as_str().to_string());
        report.action = Some(r);
        Ok(report)
    }

    /// Record an action with one file given as bytes (named `name`), in one write.
    pub fn record_action_with_file(
        &self,
        case_id: &str,
        action: &NewAction,
        name: &str,
        bytes: &[u8],
    ) -> Result<RecordReceipt> {
        self.ensure_open(case_id)?;
        let record = compose::action(&stamp("act")?, case_id, action)?;
        let target = record.envelope.id.clone();
        let key = self.data_key(case_id)?;
        let mut src = bytes;
        let a = self.store_attachment_from(case_id, &key, name, &mut src, name)?;
        let att = compose::attachment(&stamp("att")?, case_id, &target, &a)?;
        let pending = vec![
            Pending {
                record,
                scope: case_id.to_string(),
                new_key: None,
            },
            Pending {
                record: att.clone(),
                scope: case_id.to_string(),
                new_key: None,
            },
        ];
        let receipts = self.commit(pending)?;
        let first = receipts
            .first()
            .ok_or_else(|| ServiceError::Integrity("commit returned no receipt".into()))?;
        Ok(RecordReceipt {
            id: first.id.clone(),
            leaf_index: first.leaf_index,
            recorded_at: first.recorded_at.clone(),
            tree_size: receipts.last().map_or(first.tree_size, |r| r.tree_size),
            attachments: receipts[1..]
                .iter()
                .map(|r| AttachmentView::from_record(r.leaf_index, &att))
                .collect(),
        })
    }
}

/// `q` with question `id` answered (or cleared with `None`).
fn set_answer(q: Questionnaire, id: &str, answer: Option<bool>) -> Result<Questionnaire> {
    if !QUESTIONS.iter().any(|x| x.id == id) {
        let ids: Vec<&str> = QUESTIONS.iter().map(|x| x.id).collect();
        return Err(ServiceError::Invalid(format!(
            "unknown risk question '{id}' (expected one of: {})",
            ids.join(", ")
        )));
    }
    let mut v = serde_json::to_value(q)
        .map_err(|e| ServiceError::Integrity(format!("questionnaire: {e}")))?;
    if let Some(o) = v.as_object_mut() {
        o.insert(
            id.to_string(),
            answer.map_or(serde_json::Value::Null, serde_json::Value::Bool),
        );
    }
    serde_json::from_value(v).map_err(|e| ServiceError::Integrity(format!("questionnaire: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyOptions;
    use palisade_core::compose::{NewCase, NewEntry, NewRiskAssessment};
    use palisade_core::domain::{CaseKind, Channel, Direction, RiskLevel, Source};
    use palisade_core::time::Moment;

    fn store() -> (tempfile::TempDir, Palisade, String) {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = KeyOptions {
            key_file: Some(dir.path().join("master.key")),
            passphrase: None,
        };
        let (p, _) = Palisade::init(&dir.path().join("data"), &keys).expect("init");
        let case = p
            .open_case(&NewCase {
                title: "T".into(),
                subject: "AB".into(),
                kind: CaseKind::Grievance,
                parties: vec![],
                owner: None,
            })
            .expect("open case")
            .id;
        (dir, p, case)
    }

    fn pending(record: palisade_core::record::Record, case: &str) -> Pending {
        Pending {
            record,
            scope: case.to_string(),
            new_key: None,
        }
    }

    /// `verify` rejects acknowledgements that point at anything but an entry
    /// and risk assessments that point at anything at all.
    #[test]
    fn verify_enforces_the_structure_of_the_new_record_types() {
        let (_dir, p, case) = store();
        let entry = p
            .log_entry(
                &case,
                &NewEntry {
                    occurred_at: Moment::parse("2026-03-01T21:00:00Z").unwrap(),
                    channel: Channel::Sms,
                    direction: Direction::Inbound,
                    party: None,
                    place: None,
                    witnesses: vec![],
                    summary: None,
                    content: Some("I'm gonna kill u".into()),
                    clinical: None,
                    source: Source::Manual,
                },
                &[],
            )
            .unwrap();
        let ack = p.acknowledge(&entry.id, "Dr A", None).unwrap();
        assert_eq!(ack.label, "threat");
        let r = p
            .assess(&case, jiff::civil::date(2026, 3, 2), true)
            .unwrap();
        assert!(r.recorded.is_some());
        assert!(p.verify().unwrap().ok);
        let action = p
            .record_action_with_file(
                &case,
                &NewAction {
                    kind: ActionKind::Other,
                    date: When::parse("2026-03-02").unwrap(),
                    by: None,
                    reference: None,
                    notes: None,
                    mode: None,
                },
                "note.txt",
                b"hello",
            )
            .unwrap();
        assert_eq!(action.attachments.len(), 1);
        assert_eq!(action.attachments[0].name, "note.txt");
        assert!(p.verify().unwrap().ok);

        // An acknowledgement of an action, and an assessment with a target.
        let bad_ack = compose::acknowledgement(
            &stamp("ack").unwrap(),
            &case,
            &action.id,
            &NewAcknowledgement {
                label: "threat".into(),
                engine: "e".into(),
                by: "Dr A".into(),
                note: None,
            },
        )
        .unwrap();
        let mut bad_risk = compose::risk_assessment(
            &stamp("risk").unwrap(),
            &case,
            &NewRiskAssessment {
                level: RiskLevel::High,
                factors: serde_json::json!([]),
                answers: None,
                as_of: jiff::civil::date(2026, 3, 2),
                engine: "e".into(),
                trigger: AssessmentTrigger::LevelChanged,
                by: None,
            },
        )
        .unwrap();
        bad_risk.envelope.target = Some(entry.id.clone());
        p.commit(vec![pending(bad_ack, &case), pending(bad_risk, &case)])
            .unwrap();
        let report = p.verify().unwrap();
        assert!(!report.ok);
        let problems: Vec<String> = report.errors.iter().map(|e| e.problem.clone()).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("not an earlier record of this case"));
        assert!(problems[1].contains("has no target"));
    }

    #[test]
    fn answers_are_set_by_question_id_and_unknown_ids_refused() {
        let q = set_answer(Questionnaire::default(), "afraid", Some(true)).unwrap();
        assert_eq!(q.afraid, Some(true));
        let q = set_answer(q, "afraid", None).unwrap();
        assert_eq!(q.afraid, None);
        let e = set_answer(q, "sdash_q1", Some(true)).unwrap_err();
        assert!(e.to_string().contains("unknown risk question 'sdash_q1'"));
        assert!(e.to_string().contains("threatened_violence"));
    }

    #[test]
    fn placeholders_are_found_once_each() {
        let l = Letter {
            sender: vec!["[practice name]".into()],
            recipient: vec!["AB".into()],
            date: "1 March 2026".into(),
            reference: None,
            subject: "S".into(),
            salutation: "Dear AB".into(),
            paragraphs: vec!["Call [practice telephone] or [practice name]. [x".into()],
            closing: "Yours".into(),
            signature: vec![],
            footer: None,
        };
        assert_eq!(
            placeholders(&l),
            ["[practice name]", "[practice telephone]"]
        );
    }

    #[test]
    fn an_edited_letter_is_recorded_with_its_hash_and_no_file_is_written() {
        let (_dir, p, case) = store();
        let req = LetterRequest {
            case_id: case.clone(),
            template: Template::Boundary,
            details: LetterDetails::default(),
            today: jiff::civil::date(2026, 3, 2),
            by: Some("Dr A".into()),
            to: vec![],
            out: PathBuf::from("boundary-letter.pdf"),
            dry_run: false,
        };
        let draft = p.draft_letter(&req).unwrap();
        assert!(!placeholders(&draft).is_empty());
        let edits = LetterEdits {
            paragraphs: Some(vec![
                "  First, edited. ".into(),
                " ".into(),
                "Second.".into(),
            ]),
            recipient: Some(vec!["Mr B".into(), "1 High Street".into()]),
            ..LetterEdits::default()
        };
        let issued = p.issue_edited_letter(&req, &edits).unwrap();
        let action = issued.report.action.as_ref().unwrap();
        assert_eq!(issued.report.sha256, sha256_hex(&issued.pdf));
        assert_eq!(issued.report.path, "boundary-letter.pdf");
        assert!(!req.out.exists(), "nothing is written to disk");
        let view = p.case(&case).unwrap();
        let a = view.actions.iter().find(|a| a.id == action.id).unwrap();
        assert_eq!(a.attachments[0].sha256, issued.report.sha256);
        assert_eq!(a.date, "2026-03-02");

        let empty = LetterEdits {
            paragraphs: Some(vec![" ".into()]),
            ..LetterEdits::default()
        };
        let before = p.case(&case).unwrap().actions.len();
        assert!(p.issue_edited_letter(&req, &empty).is_err());
        assert_eq!(
            p.case(&case).unwrap().actions.len(),
            before,
            "nothing recorded"
        );
    }

    #[test]
    fn every_template_maps_to_an_action() {
        let kinds: Vec<&str> = Template::ALL
            .iter()
            .map(|t| letter_action(*t).as_str())
            .collect();
        assert_eq!(
            kinds,
            [
                "asked_to_stop",
                "manager_letter",
                "removal_warning",
                "removal_notice",
                "defence_org_contacted",
                "police_reported"
            ]
        );
    }
}
