//! Attachments: the original bytes as a download (never inline, under a
//! generic name: the original file name may itself be patient data), and a
//! re-encoded thumbnail for raster images (the original bytes are never
//! served as an image).

use super::audit;
use super::guard::{Actor, blocking, readable_case};
use crate::error::WebError;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use palisade_core::access::Capability;
use palisade_core::view::{AttachmentView, CaseView};
use palisade_service::AuditAction;

/// The largest thumbnail edge, in pixels.
pub const THUMBNAIL_EDGE: u32 = 240;

/// Raster types the thumbnail route decodes. SVG is never among them.
const THUMBNAIL_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Types a download may be labelled with; anything else (text, HTML, SVG,
/// XML, JSON…) goes out as `application/octet-stream`.
const DOWNLOAD_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/avif",
    "image/tiff",
    "image/bmp",
    "application/pdf",
    "application/zip",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "audio/ogg; codecs=opus",
    "audio/wav",
    "audio/amr",
    "video/mp4",
    "video/quicktime",
    "video/3gpp",
    "video/x-msvideo",
];

pub fn thumbnailable(media_type: &str) -> bool {
    THUMBNAIL_TYPES.contains(&media_type)
}

/// Every attachment of a case (entries, actions, imports).
pub fn find<'a>(case: &'a CaseView, id: &str) -> Option<&'a AttachmentView> {
    case.entries
        .iter()
        .flat_map(|e| &e.attachments)
        .chain(case.actions.iter().flat_map(|a| &a.attachments))
        .chain(case.imports.iter().flat_map(|i| &i.attachments))
        .find(|a| a.id == id)
}

fn extension(media_type: &str) -> &'static str {
    match media_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/heic" => "heic",
        "image/avif" => "avif",
        "image/tiff" => "tif",
        "image/bmp" => "bmp",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "audio/mpeg" => "mp3",
        "audio/mp4" => "m4a",
        "audio/ogg" | "audio/ogg; codecs=opus" => "ogg",
        "audio/wav" => "wav",
        "audio/amr" => "amr",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/3gpp" => "3gp",
        "video/x-msvideo" => "avi",
        "text/plain; charset=utf-8" => "txt",
        "application/json" => "json",
        "text/csv" => "csv",
        "message/rfc822" => "eml",
        _ => "bin",
    }
}

/// The name a download is saved under: `attachment-<sha256 prefix>.<ext>`.
pub fn download_name(a: &AttachmentView) -> String {
    let prefix: String = a
        .sha256
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    format!("attachment-{prefix}.{}", extension(&a.media_type))
}

/// The bytes of an attachment, checked against their hash.
pub async fn read_bytes(
    state: &AppState,
    case_id: &str,
    a: &AttachmentView,
) -> Result<Vec<u8>, WebError> {
    let (case_id, sha, size) = (case_id.to_string(), a.sha256.clone(), a.size);
    blocking(state, move |p| {
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        p.read_attachment(&case_id, &sha, size, &mut out)?;
        Ok(out)
    })
    .await
}

/// `GET /cases/{id}/attachments/{aid}`: the original bytes, as a download.
pub async fn download(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, att_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    let a = find(&case, &att_id).ok_or(WebError::NotFound)?.clone();
    let bytes = read_bytes(&state, &case_id, &a).await?;
    audit::record(
        &state,
        &actor,
        AuditAction::AttachmentDownloaded,
        Some(&case_id),
        Some(&att_id),
        None,
    )
    .await?;
    Ok(download_response(&a, bytes))
}

pub fn download_response(a: &AttachmentView, bytes: Vec<u8>) -> Response {
    let media_type = if DOWNLOAD_TYPES.contains(&a.media_type.as_str()) {
        a.media_type.as_str()
    } else {
        "application/octet-stream"
    };
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", download_name(a)),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Decode a raster image (with limits against decompression bombs) and
/// re-encode it as a small JPEG.
pub fn make_thumbnail(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| e.to_string())?;
    let small = img.thumbnail(THUMBNAIL_EDGE, THUMBNAIL_EDGE).to_rgb8();
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    small.write_with_encoder(enc).map_err(|e| e.to_string())?;
    Ok(out)
}

/// `GET /cases/{id}/attachments/{aid}/thumbnail`: a re-encoded JPEG of a
/// raster image; anything else is 404.
pub async fn thumbnail(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case_id, att_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let actor = Actor::from(&user);
    let (_, case) = readable_case(&state, &actor, &case_id, Capability::Read).await?;
    let a = find(&case, &att_id).ok_or(WebError::NotFound)?.clone();
    if !thumbnailable(&a.media_type) {
        return Err(WebError::NotFound);
    }
    let bytes = read_bytes(&state, &case_id, &a).await?;
    let jpeg = tokio::task::spawn_blocking(move || make_thumbnail(&bytes))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(|_| WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        jpeg,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_named_by_hash_and_svg_is_never_an_image() {
        let a = AttachmentView {
            id: "att_x".into(),
            leaf_index: 1,
            sha256: "abcdef0123456789ffff".into(),
            size: 3,
            media_type: "text/plain; charset=utf-8".into(),
            name: "Jane Doe's letter.svg".into(),
        };
        assert_eq!(download_name(&a), "attachment-abcdef012345.txt");
        let r = download_response(&a, b"<svg/>".to_vec());
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/octet-stream"
        );
        assert!(
            r.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert!(!thumbnailable("image/svg+xml"));
        assert!(make_thumbnail(b"<svg><script>alert(1)</script></svg>").is_err());
    }
}
