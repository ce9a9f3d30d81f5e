//! The embedded assets: one stylesheet, one small script (progressive
//! enhancement only), the icon. Compiled into the binary; no CDN.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use crate::error::WebError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "palisade.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("palisade.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("app.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("favicon.svg"),
    },
];

/// A short hash of every asset, appended to asset URLs (`?v=…`) so they can
/// be cached for a year and still change with the binary.
fn version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut h = Sha256::new();
        for a in ASSETS {
            h.update(a.bytes);
        }
        let d = h.finalize();
        d.iter().take(6).map(|b| format!("{b:02x}")).collect()
    })
}

/// The URL of asset `name` (with its version), for links in pages.
pub fn url(name: &str) -> String {
    format!("/static/{name}?v={}", version())
}

/// `GET /static/{name}`.
pub async fn serve_asset(Path(name): Path<String>) -> Result<Response, WebError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .ok_or(WebError::NotFound)?;
    let mut res = asset.bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    Ok(res)
}
