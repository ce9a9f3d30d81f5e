//! The client's real address when Palisade runs behind a reverse proxy.
//!
//! Behind a proxy every connection comes from the proxy itself, so sign-in
//! throttling per address would lump every user together and the audit
//! trail would name the proxy. With `--behind-proxy`, and only for
//! connections whose peer is a loopback address (the proxy on the same
//! machine), the address the proxy appended last to `X-Forwarded-For` is
//! taken as the client's. Anything else in the header was written by the
//! client and is ignored; a connection from elsewhere keeps its own address,
//! so the header cannot be used to forge one.

use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

/// Middleware: replace the connection's peer address with the proxy's
/// `X-Forwarded-For` client when the configuration says to trust it.
pub async fn forwarded_client(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if state.config().behind_proxy {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| *a);
        if let Some(peer) = peer
            && peer.ip().is_loopback()
            && let Some(client) = last_forwarded(req.headers())
        {
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(client, peer.port())));
        }
    }
    next.run(req).await
}

/// The last address in the last `X-Forwarded-For` header (the one the
/// nearest proxy appended), if it parses.
fn last_forwarded(headers: &axum::http::HeaderMap) -> Option<IpAddr> {
    let value = headers.get_all("x-forwarded-for").iter().next_back()?;
    let last = value.to_str().ok()?.rsplit(',').next()?.trim();
    last.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().expect("header value"));
        }
        h
    }

    #[test]
    fn the_nearest_proxy_entry_wins() {
        assert_eq!(
            last_forwarded(&headers(&["6.6.6.6, 203.0.113.7"])),
            Some("203.0.113.7".parse().expect("ip"))
        );
        assert_eq!(
            last_forwarded(&headers(&["6.6.6.6", "2001:db8::1"])),
            Some("2001:db8::1".parse().expect("ip"))
        );
    }

    #[test]
    fn garbage_is_ignored() {
        assert_eq!(last_forwarded(&headers(&["not an address"])), None);
        assert_eq!(last_forwarded(&HeaderMap::new()), None);
    }
}
