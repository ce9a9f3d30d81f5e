//! Where the master key comes from: a key file outside the data directory
//! (created by `init` with mode 0600) or a passphrase stretched with
//! Argon2id. The data directory holds only a key-check value and the
//! parameters needed to re-derive, never the key.

use crate::error::{Result, ServiceError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use palisade_core::crypto::SecretKey;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// What the caller can offer to unlock a store. Which one is used depends on how
/// the store was created: a key-file store reads `key_file` (or the default
/// location), a passphrase store needs `passphrase`.
#[derive(Debug, Clone, Default)]
pub struct KeyOptions {
    pub key_file: Option<PathBuf>,
    pub passphrase: Option<Zeroizing<String>>,
}

const KEY_FILE_TAG: &str = "palisade-master-key-v1";

/// Palisade's per-user configuration folder: `$PALISADE_CONFIG_DIR`, else
/// `$XDG_CONFIG_HOME/palisade`, else `$HOME/.config/palisade`.
pub fn config_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("PALISADE_CONFIG_DIR")
        .or_else(|| env("XDG_CONFIG_HOME").map(|p| p.join("palisade")))
        .or_else(|| env("HOME").map(|p| p.join(".config").join("palisade")))
}

/// The default key location: `<config dir>/keys/<installation-id>.key`.
pub fn default_key_path(installation_id: &str) -> Option<PathBuf> {
    Some(
        config_dir()?
            .join("keys")
            .join(format!("{installation_id}.key")),
    )
}

/// Write a new key file; refuses to overwrite. Mode 0600, parent folders 0700.
pub fn write_key_file(path: &Path, key: &SecretKey, installation_id: &str) -> Result<()> {
    if path.exists() {
        return Err(ServiceError::AlreadyExists(format!(
            "a file already exists at {}; refusing to overwrite a key file",
            path.display()
        )));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let mut b = fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(parent).map_err(ServiceError::io(parent))?;
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(ServiceError::io(path))?;
    let text = Zeroizing::new(format!(
        "# Palisade master key for installation {installation_id}.\n\
         # Keep it secret and keep a backup: without it the records cannot be read.\n\
         {KEY_FILE_TAG} {}\n",
        URL_SAFE_NO_PAD.encode(key.expose())
    ));
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(ServiceError::io(path))?;
    Ok(())
}

/// Read a key file written by [`write_key_file`].
pub fn read_key_file(path: &Path) -> Result<SecretKey> {
    let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            ServiceError::KeyMissing(format!(
                "no key file at {} (give the store's key with --key-file or PALISADE_KEY_FILE)",
                path.display()
            ))
        } else {
            ServiceError::KeyMissing(format!("cannot read key file {}: {e}", path.display()))
        }
    })?);
    let not_key = || {
        ServiceError::WrongKey(format!(
            "{} is not a Palisade key file (expected a line '{KEY_FILE_TAG} …')",
            path.display()
        ))
    };
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(not_key)?;
    let b64 = line
        .strip_prefix(KEY_FILE_TAG)
        .map(str::trim)
        .ok_or_else(not_key)?;
    let raw = Zeroizing::new(URL_SAFE_NO_PAD.decode(b64).map_err(|_| not_key())?);
    SecretKey::from_slice(&raw).map_err(|_| not_key())
}

/// Whether a key file can be read by others than its owner (Unix permissions).
pub fn key_file_too_open(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}
