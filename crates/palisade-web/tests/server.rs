//! The real server on a loopback socket: `palisade_web::serve_until` with
//! real TCP, the client's address taken from the connection, and graceful
//! shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use palisade_service::{KeyOptions, Palisade};
use palisade_web::{AppState, WebConfig};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn serves_pages_over_tcp_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyOptions {
        key_file: Some(dir.path().join("master.key")),
        passphrase: None,
    };
    let (palisade, _) = Palisade::init(&dir.path().join("data"), &keys).unwrap();
    let config = WebConfig {
        insecure_http: true,
        ..WebConfig::default()
    };
    let state = AppState::open(Arc::new(palisade), config).unwrap();
    let token = state.accounts().issue_setup_token().unwrap().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(palisade_web::serve_until(listener, state, async move {
        let _ = stopped.await;
    }));

    let login = http_get(addr, "/login").await;
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(
        login
            .to_ascii_lowercase()
            .contains("content-security-policy: default-src 'none'")
    );
    assert!(login.contains("Sign in to Palisade"));
    assert!(login.contains("set-cookie: palisade-pre="), "{login}");
    let setup = http_get(addr, &format!("/setup/{token}")).await;
    assert!(setup.starts_with("HTTP/1.1 200"), "{setup}");
    let css = http_get(addr, "/static/palisade.css").await;
    assert!(css.contains("content-type: text/css"), "{css}");

    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server stops when told")
        .unwrap()
        .unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
