//! Import a message export into a case, in two steps: upload and preview
//! (a dry run of `palisade import`, nothing written), then confirm. Between
//! the two the upload waits in a private folder in the data directory under
//! a random id, tied to the case and the user; it is deleted on confirm,
//! and uploads older than an hour are swept away.

use super::audit;
use super::forms::{Problems, error_summary, input, select, some_text};
use super::guard::{Actor, authorize, blocking};
use super::uploads::{redact, safe_name, staging_root};
use crate::csrf::{CsrfForm, MultipartLimits, read_multipart};
use crate::error::WebError;
use crate::layout::{csrf_field, page};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use palisade_core::access::Capability;
use palisade_core::ids::{looks_like_id, new_id};
use palisade_service::{AuditAction, ImportFormat, ImportOptions, ImportReport};
use serde::Deserialize;
use std::path::{Path as FsPath, PathBuf};
use std::time::{Duration, SystemTime};

/// How long an upload waits for confirmation.
const PENDING_FOR: Duration = Duration::from_secs(3600);
const OWNER_FILE: &str = "owner";

fn pending_root(data_dir: &FsPath) -> PathBuf {
    staging_root(data_dir).join("imports")
}

/// Remove pending uploads older than [`PENDING_FOR`].
fn sweep(root: &FsPath) {
    let Ok(dirs) = std::fs::read_dir(root) else {
        return;
    };
    let now = SystemTime::now();
    for d in dirs.flatten() {
        let old = d
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > PENDING_FOR);
        if old {
            let _ = std::fs::remove_dir_all(d.path());
        }
    }
}

/// The form's fields, as text.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImportInput {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub tz: String,
    #[serde(default)]
    pub me: String,
    #[serde(default)]
    pub upload: String,
}

fn check(i: &ImportInput, p: &mut Problems) -> Option<(ImportFormat, String)> {
    let format = i.format.trim().parse::<ImportFormat>().ok();
    if format.is_none() {
        p.add("format", "Choose the kind of export");
    }
    let tz = some_text(&i.tz).unwrap_or_else(|| "Europe/London".into());
    if jiff::tz::TimeZone::get(&tz).is_err() {
        p.add("tz", "Enter a time zone like Europe/London");
    }
    format.filter(|_| p.is_empty()).map(|f| (f, tz))
}

fn formats() -> impl Iterator<Item = (&'static str, String)> {
    ImportFormat::ALL.iter().map(|f| {
        let label = match f {
            ImportFormat::Whatsapp => "WhatsApp chat export (.txt or .zip)",
            ImportFormat::SmsBackup => "SMS Backup & Restore (.xml)",
            ImportFormat::Mbox => "Email mailbox (.mbox)",
            ImportFormat::Eml => "Single email (.eml)",
            ImportFormat::Messenger => "Facebook Messenger (JSON or zip)",
            ImportFormat::Instagram => "Instagram messages (JSON or zip)",
            ImportFormat::Telegram => "Telegram export (result.json)",
            ImportFormat::XDm => "X (Twitter) direct messages",
        };
        (f.as_str(), label.to_string())
    })
}

fn upload_page(user: &SignedIn, case_id: &str, i: &ImportInput, p: &Problems) -> Markup {
    page(
        Some(user),
        if p.is_empty() {
            "Import messages"
        } else {
            "Error: Import messages"
        },
        html! {
            a.back-link href=(format!("/cases/{case_id}")) { "Back to the case" }
            h1 { "Import messages" }
            p { "Upload an export from the app. You will see what it holds before anything is added to the case. Messages already in the case are skipped." }
            (error_summary(p))
            form method="post" action=(format!("/cases/{case_id}/import")) enctype="multipart/form-data" novalidate {
                (csrf_field(user))
                (select("format", "Kind of export", None, formats(), &i.format, Some("Choose"), p))
                (input("tz", "text", "Time zone of the phone or account", Some("Times without a zone are read in it"), if i.tz.is_empty() { "Europe/London" } else { &i.tz }, p))
                (input("me", "text", "Your name in the export (optional)", Some("Your messages are recorded as sent by you"), &i.me, p))
                div.form-group {
                    label.label for="f-file" { "Export file" }
                    @if let Some(e) = p.of("file") { p.error-message { (e) } }
                    input.file-upload id="f-file" type="file" name="file";
                }
                button.button type="submit" { "Preview" }
            }
        },
    )
}

fn summary(r: &ImportReport) -> Markup {
    html! {
        dl.summary-list {
            div { dt { "Messages" } dd { (r.messages) } }
            div { dt { "New entries" } dd { (if r.dry_run { r.messages.saturating_sub(r.duplicates).saturating_sub(r.not_sent) } else { r.imported }) } }
            div { dt { "Already in the case" } dd { (r.duplicates) } }
            div { dt { "Calls" } dd { (r.calls) } }
            div { dt { "Media found / missing" } dd { (r.media_stored) " / " (r.media_missing) } }
            div { dt { "First and last" } dd { (r.first.as_deref().map(super::labels::when).unwrap_or_default()) " – " (r.last.as_deref().map(super::labels::when).unwrap_or_default()) } }
            div { dt { "Time zone" } dd { (r.tz) } }
            div { dt { "Senders" } dd { ul { @for (s, n) in &r.senders { li { (s) ": " (n) } } } } }
        }
        @if r.dst_ambiguous > 0 {
            p.warning-text { (r.dst_ambiguous) " times fell in a clock change; the reading chosen is noted with each." }
        }
    }
}

/// `GET /cases/{id}/import`.
pub async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
) -> Result<Markup, WebError> {
    authorize(&state, &Actor::from(&user), &case_id, Capability::Disclose).await?;
    Ok(upload_page(
        &user,
        &case_id,
        &ImportInput::default(),
        &Problems::default(),
    ))
}

fn options(
    format: ImportFormat,
    tz: String,
    me: Option<String>,
    path: PathBuf,
    dry_run: bool,
) -> ImportOptions {
    ImportOptions {
        format,
        path,
        me,
        parties: Default::default(),
        tz: Some(tz),
        date_order: None,
        chats: Vec::new(),
        dry_run,
    }
}

/// The pending upload `id` of `case_id` by `user_id`: its file, if it is theirs.
fn pending_file(root: &FsPath, id: &str, case_id: &str, user_id: &str) -> Option<PathBuf> {
    if !looks_like_id(id) || !id.starts_with("upl_") {
        return None;
    }
    let dir = root.join(id);
    let owner = std::fs::read_to_string(dir.join(OWNER_FILE)).ok()?;
    if owner != format!("{case_id}\n{user_id}") {
        return None;
    }
    std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n != OWNER_FILE))
}

/// `POST /cases/{id}/import` (multipart): store the upload and preview it.
pub async fn preview(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Disclose).await?;
    let form = read_multipart(
        &user,
        multipart,
        MultipartLimits {
            max_files: 1,
            ..MultipartLimits::default()
        },
    )
    .await?;
    let i = ImportInput {
        format: form.text("format").unwrap_or_default().to_string(),
        tz: form.text("tz").unwrap_or_default().to_string(),
        me: form.text("me").unwrap_or_default().to_string(),
        upload: String::new(),
    };
    let mut p = Problems::default();
    let checked = check(&i, &mut p);
    let file = form.files_in("file").next();
    if file.is_none() {
        p.add("file", "Choose the export file");
    }
    let (Some((format, tz)), Some(file)) = (checked, file) else {
        return Ok((
            StatusCode::BAD_REQUEST,
            upload_page(&user, &case_id, &i, &p),
        )
            .into_response());
    };
    let root = pending_root(state.palisade().data_dir());
    let upload_id = new_id("upl").map_err(|e| WebError::Internal(e.to_string()))?;
    let dir = root.join(&upload_id);
    let io = |e: std::io::Error| WebError::Internal(format!("keeping an import upload: {e}"));
    std::fs::create_dir_all(&root).map_err(io)?;
    sweep(&root);
    std::fs::create_dir(&dir).map_err(io)?;
    std::fs::write(
        dir.join(OWNER_FILE),
        format!("{case_id}\n{}", actor.user_id),
    )
    .map_err(io)?;
    let mut name = safe_name(&file.file_name);
    if name == OWNER_FILE {
        name = "export".into();
    }
    let path = dir.join(name);
    std::fs::write(&path, &file.bytes).map_err(io)?;
    let (id, me) = (case_id.clone(), some_text(&i.me));
    let opts = options(format, tz.clone(), me, path, true);
    let report = match blocking(&state, move |p| p.import(&id, &opts, &mut |_, _| {})).await {
        Ok(r) => r,
        Err(WebError::BadRequest(m)) => {
            let _ = std::fs::remove_dir_all(&dir);
            p.add("file", redact(&m, &dir));
            return Ok((
                StatusCode::BAD_REQUEST,
                upload_page(&user, &case_id, &i, &p),
            )
                .into_response());
        }
        Err(WebError::Internal(m)) => {
            // An export that cannot be read: tell the person who uploaded it
            // why (without the upload's path), and log nothing of it.
            let _ = std::fs::remove_dir_all(&dir);
            p.add(
                "file",
                format!(
                    "The file could not be read as that kind of export ({}). Check the kind and the file.",
                    redact(&m, &dir)
                ),
            );
            return Ok((
                StatusCode::BAD_REQUEST,
                upload_page(&user, &case_id, &i, &p),
            )
                .into_response());
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    Ok(page(
        Some(&user),
        "Check the import",
        html! {
            a.back-link href=(format!("/cases/{case_id}/import")) { "Choose another file" }
            h1 { "Check the import" }
            p { "Nothing has been added yet. This is what the export holds:" }
            (summary(&report))
            form method="post" action=(format!("/cases/{case_id}/import/confirm")) {
                (csrf_field(&user))
                input type="hidden" name="upload" value=(upload_id);
                input type="hidden" name="format" value=(format.as_str());
                input type="hidden" name="tz" value=(tz);
                input type="hidden" name="me" value=(i.me);
                button.button type="submit" { "Import into the case" }
            }
        },
    )
    .into_response())
}

/// `POST /cases/{id}/import/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case_id): Path<String>,
    CsrfForm(i): CsrfForm<ImportInput>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    authorize(&state, &actor, &case_id, Capability::Disclose).await?;
    let root = pending_root(state.palisade().data_dir());
    let mut p = Problems::default();
    let checked = check(&i, &mut p);
    let file = pending_file(&root, i.upload.trim(), &case_id, &actor.user_id);
    let (Some((format, tz)), Some(path)) = (checked, file) else {
        p.add(
            "file",
            "The upload has expired or was already imported: choose the file again",
        );
        return Ok((
            StatusCode::BAD_REQUEST,
            upload_page(&user, &case_id, &i, &p),
        )
            .into_response());
    };
    let dir = root.join(i.upload.trim());
    let (id, me) = (case_id.clone(), some_text(&i.me));
    let opts = options(format, tz, me, path, false);
    let result = blocking(&state, move |p| p.import(&id, &opts, &mut |_, _| {})).await;
    let _ = std::fs::remove_dir_all(&dir);
    let report = match result {
        Ok(r) => r,
        Err(WebError::BadRequest(m) | WebError::Internal(m)) => {
            p.add("file", format!("The import failed: {}", redact(&m, &dir)));
            return Ok((
                StatusCode::BAD_REQUEST,
                upload_page(&user, &case_id, &i, &p),
            )
                .into_response());
        }
        Err(e) => return Err(e),
    };
    audit::record(
        &state,
        &actor,
        AuditAction::Import,
        Some(&case_id),
        report.import_id.as_deref(),
        Some(&format!(
            "{} entries from a {} export",
            report.imported, report.format
        )),
    )
    .await?;
    Ok(page(
        Some(&user),
        "Import complete",
        html! {
            div.notification-banner.notification-banner--success role="status" {
                h1 { "Import complete" }
                p { (report.imported) " new entries added; " (report.duplicates) " were already in the case." }
            }
            (summary(&report))
            p { a.button href=(format!("/cases/{case_id}#timeline")) { "Back to the case" } }
        },
    )
    .into_response())
}
