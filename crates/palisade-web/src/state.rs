//! What every handler shares: the open ledger, the account store, the clock
//! and the settings the server was started with.

use crate::error::WebError;
use crate::session::SignedIn;
use palisade_service::{Accounts, AuditAction, AuditEvent, Clock, Palisade, SystemClock};
use std::sync::Arc;

/// Settings fixed when the server starts.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Allow session cookies over plain http (loopback development only;
    /// `serve` refuses it on any other address).
    pub insecure_http: bool,
    /// Trust `X-Forwarded-For` from a reverse proxy on this machine (loopback
    /// peers only) for the client's address: see [`crate::proxy`].
    pub behind_proxy: bool,
    /// The largest request body accepted (uploads), in bytes.
    pub max_upload_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            insecure_http: false,
            behind_proxy: false,
            max_upload_bytes: 50 * 1024 * 1024,
        }
    }
}

/// Someone whose request is audited: a signed-in user or an API caller.
pub trait Actor {
    /// The user id.
    fn actor_id(&self) -> &str;
    /// The client address.
    fn client(&self) -> &str;
}

impl Actor for SignedIn {
    fn actor_id(&self) -> &str {
        &self.user.id
    }
    fn client(&self) -> &str {
        &self.client
    }
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    palisade: Arc<Palisade>,
    accounts: Arc<Accounts>,
    clock: Arc<dyn Clock>,
    config: WebConfig,
}

impl AppState {
    /// A state from parts already open (tests pass a `ManualClock`).
    pub fn new(
        palisade: Arc<Palisade>,
        accounts: Arc<Accounts>,
        clock: Arc<dyn Clock>,
        config: WebConfig,
    ) -> Self {
        AppState {
            inner: Arc::new(Inner {
                palisade,
                accounts,
                clock,
                config,
            }),
        }
    }

    /// Production: open the accounts of `palisade` on the system clock.
    pub fn open(palisade: Arc<Palisade>, config: WebConfig) -> palisade_service::Result<Self> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let accounts = Arc::new(palisade.open_accounts(clock.clone())?);
        Ok(AppState::new(palisade, accounts, clock, config))
    }

    pub fn palisade(&self) -> &Arc<Palisade> {
        &self.inner.palisade
    }

    pub fn accounts(&self) -> &Arc<Accounts> {
        &self.inner.accounts
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    /// Write one row of the audit trail for a signed-in user's request.
    ///
    /// Every view is audited, so a failed write fails the request (500,
    /// "Nothing was saved") rather than letting an unrecorded view through:
    /// call this *before* sending case content.
    pub fn audit(
        &self,
        who: &impl Actor,
        action: AuditAction,
        case_id: Option<&str>,
        target: Option<&str>,
    ) -> Result<(), WebError> {
        self.audit_detail(who, action, case_id, target, None)
    }

    /// [`AppState::audit`] with a short detail (never case content).
    pub fn audit_detail(
        &self,
        who: &impl Actor,
        action: AuditAction,
        case_id: Option<&str>,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), WebError> {
        self.inner
            .accounts
            .audit(&AuditEvent {
                actor: Some(who.actor_id()),
                action,
                case_id,
                target,
                detail,
                client: Some(who.client()),
            })
            .map(|_| ())
            .map_err(|e| WebError::Internal(format!("audit write failed: {e}")))
    }
}

/// Run slow synchronous work (Argon2 password checks, hashing) on the
/// blocking thread pool so it does not stall other requests.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WebError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| WebError::Internal(format!("blocking task failed: {e}")))
}
