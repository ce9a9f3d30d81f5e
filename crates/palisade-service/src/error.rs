//! Errors a user can act on: each message says what is wrong and where.

use palisade_core::compose::ComposeError;
use palisade_core::crypto::CryptoError;
use palisade_core::time::TimeError;
use palisade_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    NotAStore(String),
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{0}")]
    KeyMissing(String),
    #[error("{0}")]
    WrongKey(String),
    #[error("no {what} with id '{id}'")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Invalid(String),
    #[error("cannot read attachment {path}: {reason}")]
    Attachment { path: String, reason: String },
    #[error("cannot import {path}: {reason}")]
    ImportFile { path: String, reason: String },
    #[error("stored data failed an integrity check: {0} (run `palisade verify` for a full report)")]
    Integrity(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Sign-in refused for a while after repeated failures (account or client address).
    #[error("Too many failed sign-in attempts. Wait {} and try again.", wait_text(*retry_after_secs))]
    Throttled { retry_after_secs: u64 },
    /// Wrong username or password (the same for an unknown or disabled account).
    #[error("The username or password is wrong.")]
    BadCredentials,
    /// Wrong or already used authenticator code or recovery code.
    #[error(
        "That code is wrong or has already been used. Enter the current code from your authenticator app, or an unused recovery code."
    )]
    BadSecondFactor,
    /// The signed-in user's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Compose(#[from] ComposeError),
    #[error(transparent)]
    Time(#[from] TimeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl ServiceError {
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ServiceError + '_ {
        move |source| ServiceError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// "N minutes" (rounded up; at least one).
fn wait_text(secs: u64) -> String {
    let minutes = secs.div_ceil(60).max(1);
    if minutes == 1 {
        "1 minute".to_string()
    } else {
        format!("{minutes} minutes")
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
