//! Letters from a case: the templates (`GET /cases/{id}/letters`), a draft
//! filled from the case to edit (`GET …/letters/{template}`), an HTML
//! preview of the final text (`POST …/preview`), and issuing (`POST
//! …/letters/{template}`): the PDF is rendered and recorded in the ledger
//! as the template's action with the PDF attached (so the log holds exactly
//! what was sent), then offered for download through the case's audited
//! attachment route.
//!
//! Reading a draft needs `Read`; issuing needs `Disclose` (the owner, or a
//! manager the case is shared with).

use super::letter_form::{Editor, LetterForm, editor, preview as preview_letter, summary};
use super::templates::{self, TEMPLATES, TemplateInfo};
use crate::cases::audit;
use crate::cases::guard::{Actor, blocking, can, readable_case};
use crate::cases::labels;
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::{back_link, inset_text, notice, page, summary_list, title_with_errors};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use palisade_core::access::{Capability, Role};
use palisade_core::view::{ActionView, CaseView};
use palisade_guidance::letters::{Letter, LetterDetails, Template};
use palisade_service::{AuditAction, LetterRequest, ServiceError, letter_action, placeholders};
use std::path::PathBuf;
use std::sync::Arc;

/// The template a letter action was issued from, if it is a letter's action.
fn template_of(a: &ActionView) -> Option<Template> {
    let from_notes = a
        .notes
        .as_deref()?
        .strip_prefix("Letter issued from the ")?
        .split_once(' ')?
        .0
        .parse::<Template>()
        .ok()?;
    (letter_action(from_notes).as_str() == a.kind).then_some(from_notes)
}

/// Letters issued on the case, newest first.
fn issued_letters(case: &CaseView) -> Vec<(&ActionView, Template)> {
    let mut v: Vec<(&ActionView, Template)> = case
        .actions
        .iter()
        .filter(|a| !a.attachments.is_empty())
        .filter_map(|a| template_of(a).map(|t| (a, t)))
        .collect();
    v.sort_by_key(|(a, _)| std::cmp::Reverse(a.leaf_index));
    v
}

/// Letters issued on the case from `template`, newest first.
fn issued_of(case: &CaseView, template: Template) -> Vec<&ActionView> {
    issued_letters(case)
        .into_iter()
        .filter(|(_, t)| *t == template)
        .map(|(a, _)| a)
        .collect()
}

/// The answer to a form sent again after its letter was issued.
fn already_issued(user: &SignedIn, case_id: &str, latest: &ActionView) -> Response {
    let body = page(
        Some(user),
        "Letter already issued",
        html! {
            h1 { "This letter has already been issued" }
            p { "A letter from this template was issued after you opened this draft, so it was not issued again. Nothing new was recorded." }
            p { a href=(format!("/cases/{case_id}/letters/issued/{}", latest.id)) { "See the letter that was issued" } }
            p { "To send another letter, " a href=(format!("/cases/{case_id}/letters")) { "start a new draft" } "." }
        },
    );
    (StatusCode::CONFLICT, body).into_response()
}

/// `GET /cases/{id}/letters`.
pub async fn list(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let (relation, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        None,
        Some("letters"),
    )
    .await?;
    let may_issue = can(&actor, relation, Capability::Disclose);
    let issued = issued_letters(&case);
    Ok(page(
        Some(&user),
        "Letters",
        html! {
            (back_link(&format!("/cases/{case_id}")))
            h1 { "Letters" }
            p class="lede" { "Each letter is drafted from the case: who, what happened and when, what has been done. You can change every word before it is issued." }
            (inset_text(html! {
                p { "Issuing a letter records it in the case's log as an action, with the PDF attached, so the log shows exactly what was sent." }
                @if !may_issue {
                    p { "You can read and preview drafts. Only the case's owner, or a manager it is shared with, can issue a letter." }
                }
            }))
            @for t in &TEMPLATES {
                div class="card" {
                    h2 { a href=(format!("/cases/{case_id}/letters/{}", t.template.as_str())) { (t.title) } }
                    p { strong { (t.from_to) } " " (t.purpose) }
                    p class="hint" {
                        "Recorded as: " (labels::action_kind(letter_action(t.template).as_str())) ". "
                        (super::components::sources_line(t.sources))
                    }
                }
            }
            h2 { "Letters already issued" }
            @if issued.is_empty() {
                p { "None yet." }
            } @else {
                ul {
                    @for (a, t) in &issued {
                        li {
                            a href=(format!("/cases/{case_id}/letters/issued/{}", a.id)) { (templates::info(*t).title) }
                            ", " (labels::when(&a.date))
                        }
                    }
                }
            }
        },
    ))
}

/// The facts a draft starts from: the organisation's name, the case
/// owner's name, the issuer (and, for a manager, their name as the sender).
async fn request(
    state: &AppState,
    user: &SignedIn,
    case: &CaseView,
    template: Template,
    reference: Option<String>,
) -> Result<LetterRequest, WebError> {
    let accounts = Arc::clone(state.accounts());
    let owner = case.owner.clone();
    let (org, owner_name) = tokio::task::spawn_blocking(move || {
        let org = accounts.org().map(|o| o.name).ok();
        let owner_name = owner
            .and_then(|id| accounts.user(&id).ok().flatten())
            .map(|u| u.display_name);
        (org, owner_name)
    })
    .await
    .map_err(|e| WebError::Internal(format!("worker failed: {e}")))?;
    let mut details = LetterDetails {
        practice_name: org.filter(|o| !o.trim().is_empty()),
        clinician_name: owner_name,
        ..LetterDetails::default()
    };
    if user.user.role == Role::Manager {
        details.manager_name = Some(user.user.display_name.clone());
    }
    templates::set_reference(template, &mut details, reference);
    let today = super::today(state);
    Ok(LetterRequest {
        case_id: case.id.clone(),
        template,
        details,
        today,
        by: Some(user.user.display_name.clone()),
        to: Vec::new(),
        out: PathBuf::from(format!(
            "{}-letter-{today}.pdf",
            template.as_str().replace('_', "-")
        )),
        dry_run: true,
    })
}

/// The field a service refusal of the edits is about.
fn field_of(message: &str) -> String {
    if let Some(rest) = message.split("paragraph ").nth(1)
        && let Some(n) = rest.split(' ').next().and_then(|n| n.parse::<usize>().ok())
    {
        return format!("paragraph_{n}");
    }
    [
        "sender",
        "recipient",
        "subject",
        "salutation",
        "closing",
        "signature",
    ]
    .into_iter()
    .find(|f| message.contains(&format!("letter's {f}")))
    .unwrap_or("paragraph_1")
    .to_string()
}

/// The draft with the form's edits, and the problems to show.
struct Edited {
    letter: Option<Letter>,
    problems: Vec<(String, String)>,
    gaps: Vec<String>,
}

async fn edited(
    state: &AppState,
    req: &LetterRequest,
    form: &LetterForm,
) -> Result<Edited, WebError> {
    let (req2, edits) = (req.clone(), form.edits());
    let result = blocking(state, move |p| {
        let draft = p.draft_letter(&req2)?;
        Ok(edits.apply(&draft))
    })
    .await?;
    Ok(match result {
        Ok(letter) => {
            let gaps = placeholders(&letter);
            Edited {
                problems: form.gap_problems(&gaps),
                letter: Some(letter),
                gaps,
            }
        }
        Err(ServiceError::Invalid(m)) => Edited {
            letter: None,
            problems: vec![(field_of(&m), capitalised(&m))],
            gaps: Vec::new(),
        },
        Err(e) => return Err(e.into()),
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

struct EditPage<'a> {
    user: &'a SignedIn,
    case_id: &'a str,
    info: &'a TemplateInfo,
    can_issue: bool,
    /// The case is closed: nothing more can be recorded in it.
    closed: bool,
    form: &'a LetterForm,
    edited: &'a Edited,
    date: String,
    show_preview: bool,
}

fn edit_page(e: &EditPage<'_>) -> Markup {
    let title = title_with_errors(
        &format!("Letter: {}", e.info.title),
        !e.edited.problems.is_empty(),
    );
    page(
        Some(e.user),
        &title,
        html! {
            (back_link(&format!("/cases/{}/letters", e.case_id)))
            (summary(&e.edited.problems))
            h1 { (e.info.title) }
            p class="lede" { (e.info.from_to) " " (e.info.purpose) }
            p class="hint" { (super::components::sources_line(e.info.sources)) }
            @if !e.edited.gaps.is_empty() {
                p { "Words in square brackets are facts the case does not hold. Replace each with the real detail, or delete it, before the letter is issued." }
            }
            @if e.show_preview {
                @if let Some(l) = &e.edited.letter {
                    h2 id="preview" { "Preview" }
                    p { "This is the text the PDF will contain." }
                    (preview_letter(l, &e.edited.gaps))
                    h2 { "Change the letter" }
                }
            }
            (inset_text(html! {
                @if e.closed {
                    p { "This case is closed, so no letter can be issued from it. You can still read and preview the draft." }
                } @else if e.can_issue {
                    p { "Nothing is sent or recorded until you choose " strong { "Issue the letter" } ". Issuing records '"
                        (labels::action_kind(letter_action(e.info.template).as_str()))
                        "' in the case's log with the PDF attached. Palisade does not post or email it: you send it." }
                } @else {
                    p { "You can read and preview this draft. Only the case's owner, or a manager it is shared with, can issue a letter." }
                }
            }))
            (editor(&Editor {
                user: e.user,
                case_id: e.case_id,
                info: e.info,
                date: &e.date,
                problems: &e.edited.problems,
                can_issue: e.can_issue,
            }, e.form))
        },
    )
}

fn long_date(d: jiff::civil::Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// `GET /cases/{id}/letters/{template}`: the draft to edit.
pub async fn edit(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, template)): Path<(String, String)>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let (relation, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    let template = templates::from_path(&template)?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        None,
        Some("letter draft"),
    )
    .await?;
    let req = request(&state, &user, &case, template, None).await?;
    let r2 = req.clone();
    let draft = blocking(&state, move |p| p.draft_letter(&r2)).await?;
    let before = issued_of(&case, template).len();
    let form = LetterForm::from_letter(
        &draft,
        templates::reference_of(template, &req.details),
        before,
    );
    let gaps = placeholders(&draft);
    let edited = Edited {
        problems: form.gap_problems(&gaps),
        letter: Some(draft),
        gaps,
    };
    Ok(edit_page(&EditPage {
        user: &user,
        case_id: &case_id,
        info: templates::info(template),
        can_issue: can(&actor, relation, Capability::Disclose) && case.status != "closed",
        closed: case.status == "closed",
        form: &form,
        edited: &edited,
        date: long_date(req.today),
        show_preview: false,
    }))
}

/// `POST /cases/{id}/letters/{template}/preview`: the final text as HTML,
/// with the editor below it.
pub async fn preview(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, template)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    let (relation, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    let template = templates::from_path(&template)?;
    let form = LetterForm::parse(&fields)?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        None,
        Some("letter preview"),
    )
    .await?;
    let req = request(&state, &user, &case, template, form.reference()).await?;
    let edited = edited(&state, &req, &form).await?;
    let status = if edited.letter.is_some() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = edit_page(&EditPage {
        user: &user,
        case_id: &case_id,
        info: templates::info(template),
        can_issue: can(&actor, relation, Capability::Disclose) && case.status != "closed",
        closed: case.status == "closed",
        form: &form,
        edited: &edited,
        date: long_date(req.today),
        show_preview: true,
    });
    Ok((status, body).into_response())
}

/// `POST /cases/{id}/letters/{template}`: issue. Refused (the form again,
/// 400) while any bracketed gap is left; otherwise recorded, audited, and
/// redirected to the issued letter's page.
pub async fn issue(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, template)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Disclose).await?;
    let template = templates::from_path(&template)?;
    let form = LetterForm::parse(&fields)?;
    let issued_now = issued_of(&case, template);
    if issued_now.len() > form.issued_before
        && let Some(latest) = issued_now.first()
    {
        return Ok(already_issued(&user, &case_id, latest));
    }
    let mut req = request(&state, &user, &case, template, form.reference()).await?;
    let checked = edited(&state, &req, &form).await?;
    if !checked.problems.is_empty() {
        let body = edit_page(&EditPage {
            user: &user,
            case_id: &case_id,
            info: templates::info(template),
            can_issue: true,
            closed: false,
            form: &form,
            edited: &checked,
            date: long_date(req.today),
            show_preview: true,
        });
        return Ok((StatusCode::BAD_REQUEST, body).into_response());
    }
    req.dry_run = false;
    let edits = form.edits();
    let issued = blocking(&state, move |p| p.issue_edited_letter(&req, &edits)).await?;
    let action = issued
        .report
        .action
        .ok_or_else(|| WebError::Internal("the letter was issued without an action".into()))?;
    audit::record(
        &state,
        &actor,
        AuditAction::LetterIssued,
        Some(&case_id),
        Some(&action.id),
        Some(template.as_str()),
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}/letters/issued/{}", action.id)).into_response())
}

/// `GET /cases/{id}/letters/issued/{action}`: what was recorded, and the
/// PDF to download.
pub async fn issued(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, action_id)): Path<(String, String)>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    let (action, template) = case
        .actions
        .iter()
        .find(|a| a.id == action_id)
        .and_then(|a| template_of(a).map(|t| (a, t)))
        .ok_or(WebError::NotFound)?;
    let pdf = action.attachments.first().ok_or(WebError::NotFound)?;
    audit::record(
        &state,
        &actor,
        AuditAction::CaseViewed,
        Some(&case_id),
        Some(&action.id),
        Some("letter issued"),
    )
    .await?;
    let info = templates::info(template);
    Ok(page(
        Some(&user),
        "Letter issued",
        html! {
            (back_link(&format!("/cases/{case_id}/letters")))
            (notice("The letter is recorded in the case's log with its PDF."))
            h1 { "Letter issued" }
            (summary_list(&[
                ("Letter", html! { (info.title) }),
                ("Recorded as", html! { (labels::action_kind(&action.kind)) ", " (labels::when(&action.date)) }),
                ("Issued by", html! { (action.by.as_deref().unwrap_or("Not recorded")) }),
                ("Ledger position", html! { (action.leaf_index) }),
                ("PDF fingerprint (SHA-256)", html! { code { (pdf.sha256) } }),
                ("Size", html! { (pdf.size) " bytes" }),
            ]))
            p {
                a class="button" href=(format!("/cases/{case_id}/attachments/{}", pdf.id)) download { "Download the PDF" }
            }
            p { "Send it yourself, by post or secure email. The fingerprint lets anyone check later that the PDF is the one recorded." }
            p { a href=(format!("/cases/{case_id}")) { "Back to the case" } }
        },
    ))
}
