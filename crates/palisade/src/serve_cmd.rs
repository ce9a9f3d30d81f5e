//! `palisade serve`: the web application on this data directory.

use crate::args::ServeArgs;
use anyhow::{Context, Result, bail};
use palisade_service::Palisade;
use palisade_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

/// Check the flags, open the accounts, print the one-time setup link if no
/// account exists yet (to the console only), and serve until Ctrl-C/SIGTERM.
pub fn serve(palisade: Palisade, a: &ServeArgs) -> Result<ExitCode> {
    let addr = check_args(a)?;
    serve_on(palisade, a, addr)
}

/// The listening address, once the flags are known to be safe together
/// (checked before anything is created on disk).
pub fn check_args(a: &ServeArgs) -> Result<SocketAddr> {
    let addr: SocketAddr = a.listen.parse().with_context(|| {
        format!(
            "--listen '{}' is not an address and port, like 127.0.0.1:8080",
            a.listen
        )
    })?;
    if a.insecure_http && !addr.ip().is_loopback() {
        bail!(
            "--insecure-http sends session cookies over plain http, so it is allowed only on a \
             loopback address (127.0.0.1 or [::1]), not {addr}; put Palisade behind an HTTPS \
             reverse proxy instead"
        );
    }
    Ok(addr)
}

fn serve_on(palisade: Palisade, a: &ServeArgs, addr: SocketAddr) -> Result<ExitCode> {
    let config = WebConfig {
        insecure_http: a.insecure_http,
        behind_proxy: a.behind_proxy,
        ..WebConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the web server's runtime")?;
    runtime.block_on(async move {
        let state = AppState::open(Arc::new(palisade), config)
            .context("cannot open the account database (accounts.db)")?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener
            .local_addr()
            .context("cannot read the listening address")?;
        say!("Palisade is serving on http://{local} (Ctrl-C to stop).");
        if !a.insecure_http {
            say!(
                "Session cookies are marked Secure: open Palisade through an HTTPS reverse proxy \
                 (or, on this computer only, restart with --insecure-http)."
            );
        }
        if let Some(token) = state.accounts().issue_setup_token()? {
            say!();
            say!("No accounts exist yet. Open this link to set up the organisation and the first");
            say!("administrator. It works once; restarting the server replaces it with a new one:");
            say!();
            say!("    http://{local}/setup/{token}");
            say!();
        }
        palisade_web::serve(listener, state)
            .await
            .context("the web server stopped with an error")?;
        say!("Palisade has stopped.");
        Ok(ExitCode::SUCCESS)
    })
}
