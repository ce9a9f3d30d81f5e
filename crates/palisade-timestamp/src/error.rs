//! The error type: one variant per way a request or a token can fail.

use std::time::Duration;

/// Why a time-stamp request or a token verification failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    // ----- talking to the Time-Stamp Authority -----
    /// The URL is not an `http://` or `https://` URL.
    #[error("invalid time-stamp authority URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },

    /// No connection could be made (refused, DNS failure, TLS failure, …).
    #[error("cannot reach the time-stamp authority at {url}: {reason}")]
    Connection { url: String, reason: String },

    /// The TSA did not answer in time.
    #[error("the time-stamp authority at {url} did not answer within {timeout:?}")]
    Timeout { url: String, timeout: Duration },

    /// The TSA answered with an HTTP status other than 200.
    #[error("the time-stamp authority at {url} answered HTTP {status}{detail}")]
    HttpStatus {
        url: String,
        status: u16,
        /// A short, printable excerpt of the body or the redirect target (may be empty).
        detail: String,
    },

    /// The TSA's answer is larger than this crate accepts.
    #[error("the answer from the time-stamp authority at {url} exceeds {limit} bytes")]
    ResponseTooLarge { url: String, limit: usize },

    /// The TSA's answer is not a DER `TimeStampResp`.
    #[error(
        "the time-stamp authority at {url} sent no valid TimeStampResp \
         (content type {content_type:?}): {source}"
    )]
    MalformedResponse {
        url: String,
        content_type: String,
        source: der::Error,
    },

    /// The TSA refused the request (`PKIStatus` other than granted/grantedWithMods).
    #[error("the time-stamp authority refused the request: status {status}{}{}",
        if fail_info.is_empty() { String::new() } else { format!(", failure {}", fail_info.join(", ")) },
        if text.is_empty() { String::new() } else { format!(", text {text:?}") })]
    Rejected {
        status: String,
        fail_info: Vec<String>,
        text: String,
    },

    /// The status was granted, but no token came with it.
    #[error("the time-stamp response grants the request but carries no token")]
    MissingToken,

    /// The token does not echo the nonce of the request.
    #[error("the token's nonce {found} does not match the request's nonce {sent}")]
    NonceMismatch { sent: String, found: String },

    /// A random nonce could not be drawn.
    #[error("cannot draw a random nonce: {0}")]
    Random(String),

    // ----- the token itself -----
    /// Some DER structure could not be parsed.
    #[error("malformed {what}: {source}")]
    Malformed {
        what: &'static str,
        source: der::Error,
    },

    /// The token is not a CMS SignedData.
    #[error("not a time-stamp token: content type is {0}, expected id-signedData")]
    NotSignedData(String),

    /// The SignedData does not carry a TSTInfo.
    #[error("not a time-stamp token: signed content type is {0}, expected id-ct-TSTInfo")]
    NotATimestamp(String),

    /// The SignedData has no encapsulated content.
    #[error("the token has no encapsulated TSTInfo (detached content)")]
    MissingTstInfo,

    /// The message imprint uses another hash than SHA-256.
    #[error("the token stamps a {0} hash, expected SHA-256")]
    ImprintAlgorithm(String),

    /// The token stamps another hash than the one expected.
    #[error("the token stamps hash {found}, not the expected {expected}")]
    ImprintMismatch { expected: String, found: String },

    /// RFC 3161 tokens carry exactly one signature, the TSA's.
    #[error("a time-stamp token has exactly one signer, this one has {0}")]
    SignerCount(usize),

    /// The signer's certificate is not in the token.
    #[error("the signer certificate ({sid}) is not among the token's certificates")]
    SignerCertificateMissing { sid: String },

    /// The SignerInfo has no signed attributes (required for TSTInfo content).
    #[error("the token's signer info has no signed attributes")]
    MissingSignedAttributes,

    /// A required signed attribute is absent.
    #[error("the signed attribute {0} is missing")]
    MissingAttribute(&'static str),

    /// A signed attribute is present but malformed (several values, wrong type, …).
    #[error("the signed attribute {name} is malformed: {reason}")]
    BadAttribute { name: &'static str, reason: String },

    /// The signed content-type attribute is not id-ct-TSTInfo.
    #[error("the signed content-type attribute is {0}, expected id-ct-TSTInfo")]
    ContentTypeMismatch(String),

    /// The signed message-digest attribute does not match the TSTInfo.
    #[error(
        "the signed message digest ({algorithm}) does not match the TSTInfo: the TSTInfo was altered"
    )]
    MessageDigestMismatch { algorithm: String },

    /// A digest algorithm this crate does not accept (SHA-1 and unknown ones).
    #[error("unsupported digest algorithm {0}")]
    UnsupportedDigest(String),

    /// A signature algorithm this crate does not accept.
    #[error("unsupported signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(String),

    /// The certificate's key is unusable (unknown type, bad encoding, too short).
    #[error("unusable signer public key: {0}")]
    UnsupportedKey(String),

    /// The signature algorithm does not fit the certificate's key type.
    #[error("signature algorithm {algorithm} does not fit the signer certificate's {key} key")]
    KeyAlgorithmMismatch { algorithm: String, key: String },

    /// The signature does not verify.
    #[error(
        "the time-stamp authority's signature does not verify with the signer certificate's key"
    )]
    BadSignature,

    /// The signer certificate is not a time-stamping certificate (RFC 3161 §2.3).
    #[error("the signer certificate is not a time-stamping certificate: {0}")]
    NotTimestampingCertificate(String),

    /// The signer certificate's validity period does not cover the time stamped.
    #[error(
        "the signer certificate is valid from {not_before} to {not_after}, not at the time stamped ({gen_time})"
    )]
    CertificateNotValidAtGenTime {
        gen_time: String,
        not_before: String,
        not_after: String,
    },

    /// The ESS signing-certificate attribute names another certificate.
    #[error("the signed {attribute} attribute names another certificate than the signer's")]
    SigningCertificateMismatch { attribute: &'static str },
}

impl TimestampError {
    /// Shorthand for [`TimestampError::Malformed`].
    pub(crate) fn malformed(what: &'static str) -> impl FnOnce(der::Error) -> Self {
        move |source| Self::Malformed { what, source }
    }
}
