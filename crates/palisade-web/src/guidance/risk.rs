//! The risk questionnaire (`GET/POST /cases/{id}/risk`): Palisade's own
//! questions on the warning signs public guidance names, and the College of
//! Policing's FOUR. The page leads with the assessment (urgent first: what
//! to do now), every factor explained; answering records a risk assessment
//! in the case's log.
//!
//! Reading needs `Read`; answering needs `Record` (the owner, or a clinician
//! or manager the case is shared with), like logging a contact.

use super::components::sources_line;
use crate::cases::audit;
use crate::cases::guard::{Actor, blocking, can, readable_case};
use crate::cases::labels;
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::forms::Done;
use crate::layout::{ButtonKind, back_link, button, csrf_field, notice, page};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_core::access::Capability;
use palisade_guidance::sources;
use palisade_guidance::{QUESTIONS, Question, Questionnaire, RiskAssessment, RiskLevel};
use palisade_service::AuditAction;

/// The questions that are the police's FOUR (the rest are warning signs).
const FOUR: [&str; 4] = ["fixated", "obsessive", "unwanted", "repeated"];

/// The form field of a question.
pub fn field(q: &Question) -> String {
    format!("q_{}", q.id)
}

/// Read the answers: every question's field must be `yes`, `no` or
/// `unknown`; anything else names the question.
pub fn parse_answers(fields: &[(String, String)]) -> Result<Vec<(String, Option<bool>)>, WebError> {
    QUESTIONS
        .iter()
        .map(|q| {
            let name = field(q);
            let value = fields
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str());
            let answer = match value {
                Some("yes") => Some(true),
                Some("no") => Some(false),
                Some("unknown") => None,
                _ => {
                    return Err(WebError::BadRequest(format!(
                        "Answer yes, no or not known to the question \"{}\" and send the form again.",
                        q.text
                    )));
                }
            };
            Ok((q.id.to_string(), answer))
        })
        .collect()
}

fn lead(risk: &RiskAssessment) -> Markup {
    html! {
        @if risk.level == RiskLevel::Urgent {
            div class="warning-callout" role="alert" {
                h2 class="warning-callout__label" { "Do this now" }
                p { strong { (risk.lead.as_deref().unwrap_or(palisade_guidance::risk::CALL_POLICE_NOW)) } }
                p { "If anyone is in immediate danger, call 999. If a message suggests the patient may harm themselves, a clinician must deal with it today." }
                p { "When the danger has passed, acknowledge the flagged messages on the case page so the level reflects what has been done." }
            }
        }
        h2 { "Risk: " strong class=(labels::risk_tag(risk.level.as_str())) { (labels::risk(risk.level.as_str())) } }
        @if risk.factors.is_empty() {
            p { "Nothing in the log or in your answers raises the level above standard. Keep logging every contact." }
        } @else {
            p { "Each reason below says what in the log, or in your answers, raised the level." }
            ul {
                @for f in &risk.factors {
                    li {
                        strong { (f.title) }
                        " (" (labels::risk(f.level.as_str())) "): " (f.explanation)
                    }
                }
            }
        }
    }
}

fn radios(q: &Question, answer: Option<bool>) -> Markup {
    let name = field(q);
    let options = [
        ("yes", "Yes", answer == Some(true)),
        ("no", "No", answer == Some(false)),
        ("unknown", "Not known", answer.is_none()),
    ];
    html! {
        div class="form-group" {
            fieldset aria-describedby={ (name) "-hint" } {
                legend { (q.text) }
                span class="hint" id={ (name) "-hint" } { (q.why) }
                @for (i, (value, label, checked)) in options.into_iter().enumerate() {
                    @let id = if i == 0 { name.clone() } else { format!("{name}-{value}") };
                    div class="radios__item" {
                        input type="radio" id=(id) name=(name) value=(value) checked[checked];
                        label for=(id) { (label) }
                    }
                }
            }
        }
    }
}

fn answer_text(a: Option<bool>) -> &'static str {
    match a {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not known",
    }
}

fn questions(four: bool) -> impl Iterator<Item = &'static Question> {
    QUESTIONS
        .iter()
        .filter(move |q| FOUR.contains(&q.id) == four)
}

fn form(user: &SignedIn, case_id: &str, answers: &Questionnaire) -> Markup {
    html! {
        form method="post" action=(format!("/cases/{case_id}/risk")) {
            (csrf_field(user))
            h3 { "What has happened" }
            p class="hint" { "Palisade's own questions, on the warning signs public guidance on stalking and harassment names. They are not a licensed screening tool." }
            @for q in questions(false) { (radios(q, answers.answer(q.id))) }
            h3 { "The police's FOUR signs of stalking" }
            p class="hint" { "Fixated, Obsessive, Unwanted, Repeated. " (sources_line(&[sources::COP_STALKING])) }
            @for q in questions(true) { (radios(q, answers.answer(q.id))) }
            (button("Save my answers", ButtonKind::Primary))
        }
    }
}

fn read_only(answers: &Questionnaire) -> Markup {
    html! {
        dl class="summary-list" {
            @for q in QUESTIONS {
                div class="summary-list__row" {
                    dt class="summary-list__key" { (q.text) }
                    dd class="summary-list__value" { (answer_text(answers.answer(q.id))) }
                }
            }
        }
    }
}

/// `GET /cases/{id}/risk`.
pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    done: Done,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let (relation, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    let closed = case.status == "closed";
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        None,
        Some("risk"),
    )
    .await?;
    let today = super::today(&state);
    let id = case_id.clone();
    let a = blocking(&state, move |p| p.assess(&id, today, false)).await?;
    let answers = a.answers.unwrap_or_default();
    let last = a.case.latest_assessment();
    Ok(page(
        Some(&user),
        "Risk questionnaire",
        html! {
            (back_link(&format!("/cases/{case_id}")))
            @if done.code() == Some("recorded") {
                (notice("Your answers are recorded in the case's log, with the assessment they give."))
            }
            h1 { "Risk" }
            (lead(&a.advice.risk))
            @if let Some(l) = last {
                p class="hint" {
                    "Last recorded assessment: " (labels::risk(&l.level)) ", for " (labels::when(&l.as_of))
                    @if let Some(by) = &l.by { ", by " (by) }
                    "."
                }
            }
            h2 { "Questions" }
            p { "Answer as far as you know. 'Not known' is a proper answer; you can come back and change it." }
            @if closed {
                p { "This case is closed, so the answers can no longer be changed." }
                (read_only(&answers))
            } @else if can(&actor, relation, Capability::Record) {
                (form(&user, &case_id, &answers))
            } @else {
                p { "Only the case's owner, or a clinician or manager it is shared with, can change the answers." }
                (read_only(&answers))
            }
        },
    ))
}

/// `POST /cases/{id}/risk`: record the answers and the assessment, then
/// show it (POST, redirect, GET).
pub async fn answer(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    readable_case(&state, &actor, &case_id, Capability::Record).await?;
    let answers = parse_answers(&fields)?;
    let today = super::today(&state);
    let (id, by) = (case_id.clone(), user.user.display_name.clone());
    let a = blocking(&state, move |p| {
        p.complete_questionnaire(&id, &answers, Some(by), today)
    })
    .await?;
    let record = a.recorded.map(|r| r.id);
    audit::record(
        &state,
        &actor,
        AuditAction::ActionRecorded,
        Some(&case_id),
        record.as_deref(),
        Some("risk questionnaire"),
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}/risk?done=recorded")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_must_be_answered_one_of_three_ways() {
        let mut fields: Vec<(String, String)> = QUESTIONS
            .iter()
            .map(|q| (field(q), "unknown".to_string()))
            .collect();
        fields[0].1 = "yes".into();
        fields[1].1 = "no".into();
        let a = parse_answers(&fields).unwrap();
        assert_eq!(a.len(), QUESTIONS.len());
        assert_eq!(a[0], ("afraid".to_string(), Some(true)));
        assert_eq!(a[1].1, Some(false));
        assert_eq!(a[2].1, None);
        fields[3].1 = "maybe".into();
        let e = parse_answers(&fields).unwrap_err().to_string();
        assert!(e.contains(QUESTIONS[3].text), "{e}");
        fields.remove(3);
        assert!(parse_answers(&fields).is_err());
        assert_eq!(questions(true).count(), 4);
        assert_eq!(questions(false).count(), QUESTIONS.len() - 4);
    }
}
