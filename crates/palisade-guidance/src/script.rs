//! Case histories written as a short script and folded into a real
//! [`CaseView`] through the same record composition the ledger uses: for
//! tests, scenario fixtures, demonstrations and the web application's
//! examples. Nothing is stored.

use palisade_core::compose::{self, NewAcknowledgement, NewAction, NewCase, NewEntry, Stamp};
use palisade_core::domain::{
    ActionKind, AssessmentTrigger, CaseKind, Channel, Direction, Party, RecordKind, RemovalMode,
    Source,
};
use palisade_core::time::{Moment, When};
use palisade_core::view::{CaseView, LedgerRecord, fold_case};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ScriptError {
    #[error("script step {step}: {problem}")]
    Step { step: usize, problem: String },
}

/// A case history under construction.
#[derive(Debug, Clone)]
pub struct CaseScript {
    case_id: String,
    records: Vec<LedgerRecord>,
    error: Option<ScriptError>,
    party: Option<String>,
}

const RECORDED: &str = "2026-01-01T00:00:00Z";

impl CaseScript {
    /// A new case: `parties` as the CLI takes them (`NAME` or `ROLE:NAME`).
    pub fn new(title: &str, kind: &str, parties: &[&str]) -> Self {
        let mut s = CaseScript {
            case_id: "case_0000000000000001".into(),
            records: Vec::new(),
            error: None,
            party: None,
        };
        let new = kind
            .parse::<CaseKind>()
            .map_err(|e| e.to_string())
            .and_then(|kind| {
                Ok(NewCase {
                    title: title.into(),
                    subject: "Patient (initials and practice reference)".into(),
                    kind,
                    parties: parties
                        .iter()
                        .map(|p| p.parse::<Party>())
                        .collect::<Result<_, _>>()
                        .map_err(|e| e.to_string())?,
                    owner: Some("Dr A. Example".into()),
                })
            });
        match new {
            Ok(c) => {
                s.push(|stamp, id| compose::case_opened(stamp, id, &c).map_err(|e| e.to_string()))
            }
            Err(e) => s.fail(e),
        }
        s
    }

    fn fail(&mut self, problem: String) {
        if self.error.is_none() {
            self.error = Some(ScriptError::Step {
                step: self.records.len(),
                problem,
            });
        }
    }

    fn push(
        &mut self,
        make: impl FnOnce(&Stamp, &str) -> Result<palisade_core::record::Record, String>,
    ) {
        if self.error.is_some() {
            return;
        }
        let n = self.records.len() as u64 + 1;
        let stamp = match Moment::parse(RECORDED) {
            Ok(m) => Stamp {
                id: format!("rec_{n:016}"),
                recorded_at: m,
            },
            Err(e) => return self.fail(e.to_string()),
        };
        match make(&stamp, &self.case_id) {
            Ok(record) => self.records.push(LedgerRecord {
                leaf_index: n,
                record,
            }),
            Err(e) => self.fail(e),
        }
    }

    /// Who the following contacts come from (default: the patient).
    pub fn from(mut self, party: &str) -> Self {
        self.party = Some(party.to_string());
        self
    }

    /// Following contacts come from the patient again.
    pub fn from_patient(mut self) -> Self {
        self.party = None;
        self
    }

    /// An inbound contact: RFC 3339 time, channel, and the words (verbatim
    /// content) or a summary of what happened.
    pub fn contact(self, at: &str, channel: &str, words: &str) -> Self {
        self.entry(at, channel, Direction::Inbound, words, false)
    }

    /// A contact described by a summary only (e.g. an approach in person).
    pub fn event(self, at: &str, channel: &str, summary: &str) -> Self {
        self.entry(at, channel, Direction::Inbound, summary, true)
    }

    /// The doctor's own message.
    pub fn reply(self, at: &str, channel: &str, words: &str) -> Self {
        self.entry(at, channel, Direction::Outbound, words, false)
    }

    fn entry(
        mut self,
        at: &str,
        channel: &str,
        direction: Direction,
        words: &str,
        summary: bool,
    ) -> Self {
        let e = Moment::parse(at)
            .map_err(|e| e.to_string())
            .and_then(|occurred_at| {
                Ok(NewEntry {
                    occurred_at,
                    channel: channel.parse::<Channel>().map_err(|e| e.to_string())?,
                    direction,
                    party: self.party.clone(),
                    place: None,
                    witnesses: Vec::new(),
                    summary: summary.then(|| words.to_string()),
                    content: (!summary).then(|| words.to_string()),
                    clinical: None,
                    source: Source::Manual,
                })
            });
        match e {
            Ok(e) => {
                self.push(|stamp, id| compose::entry(stamp, id, &e).map_err(|e| e.to_string()))
            }
            Err(e) => self.fail(e),
        }
        self
    }

    /// Any entry, with every field as the ledger takes it.
    pub fn add_entry(mut self, e: NewEntry) -> Self {
        self.push(|stamp, id| compose::entry(stamp, id, &e).map_err(|e| e.to_string()));
        self
    }

    /// An action: date (`YYYY-MM-DD` or RFC 3339), kind, optional notes and reference.
    pub fn action(
        mut self,
        date: &str,
        kind: &str,
        notes: Option<&str>,
        reference: Option<&str>,
    ) -> Self {
        let a = When::parse(date)
            .map_err(|e| e.to_string())
            .and_then(|date| {
                Ok(NewAction {
                    kind: kind.parse::<ActionKind>().map_err(|e| e.to_string())?,
                    date,
                    by: None,
                    reference: reference.map(str::to_string),
                    notes: notes.map(str::to_string),
                    mode: None,
                })
            });
        match a {
            Ok(a) => {
                self.push(|stamp, id| compose::action(stamp, id, &a).map_err(|e| e.to_string()))
            }
            Err(e) => self.fail(e),
        }
        self
    }

    /// A `removal_notice` action on `date`, standard or immediate.
    pub fn removal_notice(mut self, date: &str, immediate: bool, reference: Option<&str>) -> Self {
        match When::parse(date) {
            Ok(date) => {
                let a = NewAction {
                    kind: ActionKind::RemovalNotice,
                    date,
                    by: None,
                    reference: reference.map(str::to_string),
                    notes: None,
                    mode: Some(if immediate {
                        RemovalMode::Immediate
                    } else {
                        RemovalMode::Standard
                    }),
                };
                self.push(|stamp, id| compose::action(stamp, id, &a).map_err(|e| e.to_string()));
            }
            Err(e) => self.fail(e.to_string()),
        }
        self
    }

    /// The id of the latest entry added so far.
    pub fn last_entry_id(&self) -> Option<String> {
        self.records
            .iter()
            .rev()
            .find(|r| r.record.envelope.kind == RecordKind::Entry)
            .map(|r| r.record.envelope.id.clone())
    }

    /// A person acknowledges the latest entry's triage flag (`label`).
    pub fn acknowledge_last(mut self, label: &str, by: &str) -> Self {
        let Some(target) = self.last_entry_id() else {
            self.fail("no entry to acknowledge".into());
            return self;
        };
        let a = NewAcknowledgement {
            label: label.to_string(),
            engine: crate::ENGINE.to_string(),
            by: by.to_string(),
            note: None,
        };
        self.push(|stamp, id| {
            compose::acknowledgement(stamp, id, &target, &a).map_err(|e| e.to_string())
        });
        self
    }

    /// The doctor completes the risk questionnaire on `as_of` (`YYYY-MM-DD`):
    /// assessed as the ledger would assess it and recorded as a
    /// `risk_assessment` with these answers.
    pub fn answered(mut self, as_of: &str, answers: &crate::Questionnaire) -> Self {
        let r = as_of
            .parse::<jiff::civil::Date>()
            .map_err(|e| e.to_string())
            .and_then(|as_of| {
                let view = self.view().map_err(|e| e.to_string())?;
                let ctx = crate::Context::for_case(&view, as_of).with_answers(*answers);
                let advice = crate::advise(&view, &ctx);
                Ok(crate::assessment_record(
                    &advice.risk,
                    Some(answers),
                    as_of,
                    AssessmentTrigger::Questionnaire,
                    None,
                ))
            });
        match r {
            Ok(r) => self.push(|stamp, id| {
                compose::risk_assessment(stamp, id, &r).map_err(|e| e.to_string())
            }),
            Err(e) => self.fail(e),
        }
        self
    }

    /// The case as it stands.
    pub fn view(&self) -> Result<CaseView, ScriptError> {
        if let Some(ScriptError::Step { step, problem }) = &self.error {
            return Err(ScriptError::Step {
                step: *step,
                problem: problem.clone(),
            });
        }
        fold_case(&self.case_id, &self.records).map_err(|e| ScriptError::Step {
            step: self.records.len(),
            problem: e.to_string(),
        })
    }
}
