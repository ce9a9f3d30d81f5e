//! The HTTP transport of RFC 3161 §3.4: one POST of a `TimeStampReq`
//! (`application/timestamp-query`), answered by a `TimeStampResp`
//! (`application/timestamp-reply`). Blocking, via `ureq` with rustls (ring).

use std::io::Read;
use std::net::IpAddr;
use std::time::Duration;

use ureq::http::Uri;

use crate::{Stamp, TimestampError, request};

/// Largest response accepted (real ones are a few kilobytes).
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// How much of an error body is quoted in [`TimestampError::HttpStatus`].
const ERROR_EXCERPT_BYTES: usize = 200;

/// See [`crate::request_token`].
pub(crate) fn request_token(
    url: &str,
    digest: &[u8; 32],
    timeout: Duration,
) -> Result<Stamp, TimestampError> {
    let loopback = check_url(url)?;
    let nonce = getrandom::u64().map_err(|e| TimestampError::Random(e.to_string()))?;
    let query = request::build(digest, nonce);

    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("palisade-timestamp/", env!("CARGO_PKG_VERSION")));
    if loopback {
        // A proxy from the environment must not capture a TSA on this machine.
        config = config.proxy(None);
    }
    let agent = ureq::Agent::new_with_config(config.build());

    let mut response = agent
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .header("Accept", "application/timestamp-reply")
        .send(&query[..])
        .map_err(|e| transport_error(url, timeout, e))?;

    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if status != 200 {
        let detail = match response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
        {
            Some(location) if (300..400).contains(&status) => {
                format!(", redirecting to {location}")
            }
            _ => body_excerpt(response.body_mut().as_reader()),
        };
        return Err(TimestampError::HttpStatus {
            url: url.to_string(),
            status,
            detail,
        });
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES as u64)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => TimestampError::ResponseTooLarge {
                url: url.to_string(),
                limit: MAX_RESPONSE_BYTES,
            },
            other => transport_error(url, timeout, other),
        })?;
    request::parse_response(url, &content_type, &body, digest, nonce)
}

/// Accepts `http://` and `https://` URLs with a host; tells whether the host
/// is this machine.
fn check_url(url: &str) -> Result<bool, TimestampError> {
    let invalid = |reason: &str| TimestampError::InvalidUrl {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let uri: Uri = url
        .parse()
        .map_err(|e: ureq::http::uri::InvalidUri| invalid(&e.to_string()))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(invalid("only http:// and https:// URLs are supported")),
    }
    let host = uri.host().ok_or_else(|| invalid("no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok(host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()))
}

fn transport_error(url: &str, timeout: Duration, error: ureq::Error) -> TimestampError {
    match error {
        ureq::Error::Timeout(_) => TimestampError::Timeout {
            url: url.to_string(),
            timeout,
        },
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => TimestampError::Timeout {
            url: url.to_string(),
            timeout,
        },
        ureq::Error::BadUri(reason) => TimestampError::InvalidUrl {
            url: url.to_string(),
            reason,
        },
        other => TimestampError::Connection {
            url: url.to_string(),
            reason: other.to_string(),
        },
    }
}

/// `": <start of body>"` with control characters replaced, or `""`.
fn body_excerpt(reader: impl Read) -> String {
    let mut buf = Vec::with_capacity(ERROR_EXCERPT_BYTES);
    // The excerpt is best effort: a body that cannot be read is left out.
    let _ = reader
        .take(ERROR_EXCERPT_BYTES as u64)
        .read_to_end(&mut buf);
    let text: String = String::from_utf8_lossy(&buf)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_checks() {
        assert_eq!(check_url("http://127.0.0.1:1/tsa").ok(), Some(true));
        assert_eq!(check_url("http://[::1]:8080/").ok(), Some(true));
        assert_eq!(check_url("https://LOCALHOST/").ok(), Some(true));
        assert_eq!(check_url("https://timestamp.example/").ok(), Some(false));
        for bad in [
            "ftp://x/",
            "timestamp.example",
            "",
            "http://",
            "file:///etc/passwd",
        ] {
            let err = check_url(bad).unwrap_err();
            assert!(
                matches!(err, TimestampError::InvalidUrl { .. }),
                "{bad}: {err}"
            );
        }
    }
}
