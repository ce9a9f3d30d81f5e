//! Export an evidence bundle (`GET`/`POST /cases/{id}/export`): choose who
//! it is for (the profile decides what is withheld, shown before anything
//! is made), an optional date range and recipient; the disclosure is
//! recorded in the ledger and the bundle zip is downloaded. The same
//! service call as `palisade export`.

use super::audit;
use super::forms::{Problems, error_summary, input, some_text, textarea};
use super::guard::{Actor, authorize, blocking};
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::{csrf_field, page};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use palisade_bundle::Profile;
use palisade_core::access::Capability;
use palisade_service::{AuditAction, ExportOptions, ExportRange, ExportReport};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExportInput {
    #[serde(default)]
    pub profile: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub include_clinical: Option<String>,
    #[serde(default)]
    pub reason: String,
}

/// What the form asks for, checked.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub profile: Profile,
    pub range: ExportRange,
    pub include_clinical: bool,
    pub reason: Option<String>,
    pub recipient: Option<String>,
}

pub fn parse(i: &ExportInput) -> Result<ExportRequest, Problems> {
    let mut p = Problems::default();
    let profile = i.profile.trim().parse::<Profile>().ok();
    if profile.is_none() {
        p.add("profile", "Choose who the bundle is for");
    }
    let mut date = |field: &'static str, s: &str| -> Option<jiff::civil::Date> {
        let t = s.trim();
        if t.is_empty() {
            return None;
        }
        t.parse().ok().or_else(|| {
            p.add(field, "Enter a real date, like 2026-03-01");
            None
        })
    };
    let from = date("from", &i.from);
    let to = date("to", &i.to);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        p.add("to", "The end date must be on or after the start date");
    }
    let include_clinical = i.include_clinical.as_deref().is_some_and(|v| !v.is_empty());
    let reason = some_text(&i.reason);
    if include_clinical {
        if profile.is_some_and(|pr| !pr.can_include_clinical()) {
            p.add(
                "include_clinical",
                "This profile already includes clinical notes: untick the box",
            );
        }
        if reason.is_none() {
            p.add(
                "reason",
                "Say why clinical information must be disclosed (it is recorded in the ledger)",
            );
        }
    }
    match profile {
        Some(profile) if p.is_empty() => Ok(ExportRequest {
            profile,
            range: ExportRange { from, to },
            include_clinical,
            reason,
            recipient: some_text(&i.recipient),
        }),
        _ => Err(p),
    }
}

fn form_page(user: &SignedIn, case_id: &str, i: &ExportInput, p: &Problems) -> Markup {
    let chosen = if i.profile.is_empty() {
        "police"
    } else {
        i.profile.as_str()
    };
    page(
        Some(user),
        if p.is_empty() {
            "Export evidence"
        } else {
            "Error: Export evidence"
        },
        html! {
            a.back-link href=(format!("/cases/{case_id}")) { "Back to the case" }
            h1 { "Export an evidence bundle" }
            p { "The bundle is a zip file anyone can check with the verifier inside it. Making it is recorded in the case's ledger: the profile, the recipient and who made it." }
            (error_summary(p))
            form method="post" action=(format!("/cases/{case_id}/export")) novalidate {
                (csrf_field(user))
                fieldset.fieldset id="f-profile" {
                    legend { "Who is it for?" }
                    @if let Some(e) = p.of("profile") { p.error-message { (e) } }
                    @for pr in Profile::ALL {
                        div.radio {
                            input id=(format!("profile-{}", pr.as_str())) type="radio" name="profile" value=(pr.as_str()) checked[chosen == pr.as_str()];
                            label for=(format!("profile-{}", pr.as_str())) { strong { (pr.as_str()) } }
                            div.hint { "Withheld: " (pr.description(false)) }
                        }
                    }
                }
                (input("from", "date", "From (optional)", Some("Only contacts on or after this day"), &i.from, p))
                (input("to", "date", "To (optional)", None, &i.to, p))
                (input("recipient", "text", "Recipient (optional)", Some("For example: PC 1234, Thames Valley Police"), &i.recipient, p))
                div.checkbox id="f-include_clinical" {
                    input id="include-clinical" type="checkbox" name="include_clinical" value="yes" checked[i.include_clinical.is_some()];
                    label for="include-clinical" { "Include clinical notes (police, manager and GMC profiles only)" }
                    @if let Some(e) = p.of("include_clinical") { p.error-message { (e) } }
                }
                (textarea("reason", "Reason (required with clinical notes)", Some("Recorded in the ledger"), &i.reason, 2, p))
                button.button type="submit" { "Make and download the bundle" }
            }
        },
    )
}

/// `GET /cases/{id}/export`.
pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
) -> Result<Markup, WebError> {
    authorize(&state, &Actor::from(&user), &case_id, Capability::Disclose).await?;
    Ok(form_page(
        &user,
        &case_id,
        &ExportInput::default(),
        &Problems::default(),
    ))
}

/// Make the bundle in a private folder in the data directory and return
/// its bytes and the report; the file is removed afterwards.
pub async fn make(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    r: ExportRequest,
) -> Result<(ExportReport, Vec<u8>), WebError> {
    let root = super::uploads::staging_root(state.palisade().data_dir());
    let (id, by) = (case_id.to_string(), super::sharing::by_line(actor));
    let out = blocking(state, move |p| {
        let io = |e: std::io::Error| palisade_service::ServiceError::Io {
            path: root.display().to_string(),
            source: e,
        };
        std::fs::create_dir_all(&root).map_err(io)?;
        let dir = tempfile::Builder::new()
            .prefix("exp-")
            .tempdir_in(&root)
            .map_err(io)?;
        let path = dir.path().join("bundle.zip");
        let report = p.export(&ExportOptions {
            case_id: id,
            profile: r.profile,
            range: r.range,
            include_clinical: r.include_clinical,
            reason: r.reason,
            recipient: r.recipient,
            by,
            out: path.clone(),
            encryption: None,
        })?;
        let bytes = std::fs::read(&path).map_err(io)?;
        Ok((report, bytes))
    })
    .await?;
    audit::record(
        state,
        actor,
        AuditAction::Export,
        Some(case_id),
        Some(&out.0.disclosure_record),
        Some(&format!(
            "profile {}, {} records",
            out.0.profile, out.0.records
        )),
    )
    .await?;
    Ok(out)
}

/// The bundle as a download.
pub fn bundle_response(report: &ExportReport, bytes: Vec<u8>) -> Response {
    let name = format!(
        "palisade-bundle-{}-{}.zip",
        report.profile,
        report.sha256.chars().take(12).collect::<String>()
    );
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// `POST /cases/{id}/export`.
pub async fn create(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    CsrfForm(i): CsrfForm<ExportInput>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Disclose).await?;
    let req = match parse(&i) {
        Ok(r) => r,
        Err(p) => {
            return Ok(
                (StatusCode::BAD_REQUEST, form_page(&user, &case_id, &i, &p)).into_response(),
            );
        }
    };
    match make(&state, &actor, &case_id, req).await {
        Ok((report, bytes)) => Ok(bundle_response(&report, bytes)),
        Err(WebError::BadRequest(m)) => {
            let mut p = Problems::default();
            p.add("profile", m);
            Ok((StatusCode::BAD_REQUEST, form_page(&user, &case_id, &i, &p)).into_response())
        }
        Err(e) => Err(e),
    }
}
