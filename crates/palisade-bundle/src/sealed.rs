//! Encrypting a bundle for sending (age, <https://age-encryption.org/v1>):
//! with a passphrase (scrypt) or to a recipient's X25519 key (`age1…`).
//! Any age implementation can decrypt the file; `verify-bundle` does too.

use age::secrecy::SecretString;
use std::io::{Read, Write};
use std::str::FromStr;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("'{0}' is not an age recipient (it should start with age1)")]
    BadRecipient(String),
    #[error("encrypting the bundle failed: {0}")]
    Encrypt(String),
    #[error("the bundle is encrypted: {0}")]
    Decrypt(String),
}

/// The first bytes of every binary age file.
pub const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// Whether `head` (the first bytes of a file) starts an age file.
pub fn is_age(head: &[u8]) -> bool {
    head.starts_with(AGE_MAGIC)
}

fn copy_and_finish<W: Write>(
    plain: &mut dyn Read,
    mut writer: age::stream::StreamWriter<W>,
) -> Result<(), SealError> {
    std::io::copy(plain, &mut writer).map_err(|e| SealError::Encrypt(e.to_string()))?;
    let mut out = writer
        .finish()
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    out.flush().map_err(|e| SealError::Encrypt(e.to_string()))
}

pub fn encrypt_with_passphrase<W: Write>(
    plain: &mut dyn Read,
    out: W,
    passphrase: &str,
) -> Result<(), SealError> {
    let enc = age::Encryptor::with_user_passphrase(SecretString::from(passphrase.to_string()));
    let writer = enc
        .wrap_output(out)
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    copy_and_finish(plain, writer)
}

pub fn encrypt_to_recipient<W: Write>(
    plain: &mut dyn Read,
    out: W,
    recipient: &str,
) -> Result<(), SealError> {
    let r = age::x25519::Recipient::from_str(recipient.trim())
        .map_err(|_| SealError::BadRecipient(recipient.to_string()))?;
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    let writer = enc
        .wrap_output(out)
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    copy_and_finish(plain, writer)
}

/// How to open an encrypted bundle.
pub enum Opener {
    Passphrase(String),
    /// The text of an age identity file (`AGE-SECRET-KEY-1…` lines).
    Identities(String),
}

/// Decrypt an age file to `out`.
pub fn decrypt<W: Write>(sealed: impl Read, mut out: W, how: &Opener) -> Result<(), SealError> {
    let d = age::Decryptor::new(sealed).map_err(|e| SealError::Decrypt(e.to_string()))?;
    let mut reader = match how {
        Opener::Passphrase(p) => {
            if !d.is_scrypt() {
                return Err(SealError::Decrypt(
                    "it was encrypted to an age recipient; give the identity file (--identity)"
                        .into(),
                ));
            }
            let id = age::scrypt::Identity::new(SecretString::from(p.clone()));
            d.decrypt(std::iter::once(&id as &dyn age::Identity))
                .map_err(|e| {
                    SealError::Decrypt(format!("cannot decrypt with this passphrase ({e})"))
                })?
        }
        Opener::Identities(text) => {
            let ids: Vec<age::x25519::Identity> = text
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("AGE-SECRET-KEY-"))
                .filter_map(|l| age::x25519::Identity::from_str(l).ok())
                .collect();
            if ids.is_empty() {
                return Err(SealError::Decrypt(
                    "the identity file holds no AGE-SECRET-KEY line".into(),
                ));
            }
            d.decrypt(ids.iter().map(|i| i as &dyn age::Identity))
                .map_err(|e| {
                    SealError::Decrypt(format!("cannot decrypt with this identity ({e})"))
                })?
        }
    };
    std::io::copy(&mut reader, &mut out).map_err(|e| SealError::Decrypt(e.to_string()))?;
    out.flush().map_err(|e| SealError::Decrypt(e.to_string()))
}
