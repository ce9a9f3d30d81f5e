//! What every handler shares: the open ledger, the account store and the
//! settings the server was started with.

use palisade_service::Palisade;
use std::sync::Arc;
use std::time::Duration;

/// Settings fixed when the server starts.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Allow session cookies over plain http (loopback development only).
    pub insecure_http: bool,
    /// The largest request body accepted (uploads), in bytes.
    pub max_upload_bytes: usize,
    /// Default idle and absolute session timeouts (the organisation may shorten them).
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            insecure_http: false,
            max_upload_bytes: 50 * 1024 * 1024,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 3600),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    palisade: Arc<Palisade>,
    config: WebConfig,
}

impl AppState {
    pub fn new(palisade: Arc<Palisade>, config: WebConfig) -> Self {
        AppState {
            inner: Arc::new(Inner { palisade, config }),
        }
    }

    pub fn palisade(&self) -> &Arc<Palisade> {
        &self.inner.palisade
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }
}
