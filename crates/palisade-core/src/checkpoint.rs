//! Signed tree heads as C2SP checkpoints (c2sp.org/tlog-checkpoint) in the
//! C2SP signed-note format (c2sp.org/signed-note), signed with Ed25519.
//!
//! ```text
//! palisade/3k9x...            <- origin
//! 42                          <- tree size
//! q6Xb...=                    <- base64 root hash
//!
//! — palisade/3k9x... AAAAAbase64(key id || signature)
//! ```

use crate::crypto::{CryptoError, random_bytes};
use crate::merkle::Hash;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroize;

/// Signature type byte for Ed25519 in signed notes.
const ALG_ED25519: u8 = 0x01;
const SIG_PREFIX: &str = "\u{2014} ";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointError {
    #[error("checkpoint text is malformed: {0}")]
    Malformed(String),
    #[error("checkpoint origin is '{found}', expected '{expected}'")]
    WrongOrigin { expected: String, found: String },
    #[error("checkpoint has no signature by key '{0}'")]
    NoSignature(String),
    #[error("checkpoint signature by '{0}' is invalid")]
    BadSignature(String),
    #[error("public key is malformed: {0}")]
    BadKey(String),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// The installation's Ed25519 signing key. Never printed; zeroed on drop
/// (ed25519-dalek zeroizes `SigningKey` itself).
pub struct LogSigner {
    name: String,
    key: SigningKey,
}

impl fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogSigner")
            .field("name", &self.name)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl LogSigner {
    pub fn generate(name: &str) -> Result<Self, CryptoError> {
        let mut seed: [u8; 32] = random_bytes()?;
        let s = Self::from_seed(name, &seed);
        seed.zeroize();
        Ok(s)
    }

    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Self {
        Self {
            name: name.to_string(),
            key: SigningKey::from_bytes(seed),
        }
    }

    /// The 32-byte seed, for sealing under the master key.
    pub fn seed(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.key.to_bytes())
    }

    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// Sign a checkpoint body, returning the complete signed note.
    pub fn sign(&self, body: &CheckpointBody) -> String {
        let text = body.to_text();
        let sig = self.key.sign(text.as_bytes());
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&key_id(&self.name, &self.key.verifying_key()));
        blob.extend_from_slice(&sig.to_bytes());
        format!(
            "{text}\n{SIG_PREFIX}{} {}\n",
            self.name,
            STANDARD.encode(blob)
        )
    }
}

/// A public key that verifies notes, with the name it signs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key: VerifyingKey,
}

impl NoteVerifier {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn public_key_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The signed-note verifier key: `name+hex(key id)+base64(0x01 || public key)`.
    pub fn to_vkey(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(&self.key.to_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(key_id(&self.name, &self.key)),
            STANDARD.encode(raw)
        )
    }

    /// Parse a verifier key made by [`NoteVerifier::to_vkey`].
    pub fn from_vkey(vkey: &str) -> Result<Self, CheckpointError> {
        let bad = |m: &str| CheckpointError::BadKey(m.to_string());
        // Names may not contain '+'; the base64 key may.
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(hexid), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected name+keyid+key"));
        };
        let raw = STANDARD.decode(b64).map_err(|_| bad("key is not base64"))?;
        if raw.len() != 33 || raw[0] != ALG_ED25519 {
            return Err(bad("not an Ed25519 key"));
        }
        let bytes: [u8; 32] = raw[1..].try_into().map_err(|_| bad("key length"))?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad("not a valid Ed25519 point"))?;
        if hex::encode(key_id(name, &key)) != hexid {
            return Err(bad("key id does not match name and key"));
        }
        Ok(Self {
            name: name.to_string(),
            key,
        })
    }

    /// SHA-256 fingerprint of the public key (hex), for people to compare out of band.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.key.to_bytes()))
    }

    /// Verify a signed checkpoint note and return its body.
    pub fn verify(&self, note: &str) -> Result<CheckpointBody, CheckpointError> {
        let (text, sigs) = note
            .split_once("\n\n")
            .ok_or_else(|| CheckpointError::Malformed("no blank line before signatures".into()))?;
        let text = format!("{text}\n");
        let body = CheckpointBody::parse(&text)?;
        let want_id = key_id(&self.name, &self.key);
        let mut found = false;
        for line in sigs.lines() {
            let rest = line.strip_prefix(SIG_PREFIX).ok_or_else(|| {
                CheckpointError::Malformed(format!("signature line '{line}' lacks the em dash"))
            })?;
            let (name, b64) = rest
                .rsplit_once(' ')
                .ok_or_else(|| CheckpointError::Malformed("signature line".into()))?;
            if name != self.name {
                continue;
            }
            let blob = STANDARD
                .decode(b64)
                .map_err(|_| CheckpointError::Malformed("signature is not base64".into()))?;
            if blob.len() != 68 || blob[..4] != want_id {
                continue;
            }
            found = true;
            let sig = ed25519_dalek::Signature::from_slice(&blob[4..])
                .map_err(|_| CheckpointError::BadSignature(name.to_string()))?;
            self.key
                .verify_strict(text.as_bytes(), &sig)
                .map_err(|_| CheckpointError::BadSignature(name.to_string()))?;
        }
        if !found {
            return Err(CheckpointError::NoSignature(self.name.clone()));
        }
        Ok(body)
    }
}

/// Signed-note key id: the first four bytes of SHA-256(name || "\n" || 0x01 || public key).
fn key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(key.to_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The signed body of a checkpoint: origin, tree size, root hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointBody {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl CheckpointBody {
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        )
    }

    fn parse(text: &str) -> Result<Self, CheckpointError> {
        let bad = |m: &str| CheckpointError::Malformed(m.to_string());
        let mut lines = text.lines();
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| bad("no origin"))?;
        let size_line = lines.next().ok_or_else(|| bad("no tree size"))?;
        if size_line.is_empty()
            || !size_line.bytes().all(|b| b.is_ascii_digit())
            || (size_line.len() > 1 && size_line.starts_with('0'))
        {
            return Err(bad("tree size is not a decimal number"));
        }
        let size: u64 = size_line
            .parse()
            .map_err(|_| bad("tree size out of range"))?;
        let root_line = lines.next().ok_or_else(|| bad("no root hash"))?;
        let root: Hash = STANDARD
            .decode(root_line)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or_else(|| bad("root hash is not 32 bytes of base64"))?;
        if STANDARD.encode(root) != root_line {
            return Err(bad("root hash is not canonical base64"));
        }
        Ok(Self {
            origin: origin.to_string(),
            size,
            root,
        })
    }

    /// Verify `note` with `verifier` and check it is for `origin`.
    pub fn verify_note(
        note: &str,
        verifier: &NoteVerifier,
        origin: &str,
    ) -> Result<CheckpointBody, CheckpointError> {
        let body = verifier.verify(note)?;
        if body.origin != origin {
            return Err(CheckpointError::WrongOrigin {
                expected: origin.to_string(),
                found: body.origin,
            });
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> CheckpointBody {
        CheckpointBody {
            origin: "palisade/test".into(),
            size: 7,
            root: [9u8; 32],
        }
    }

    #[test]
    fn sign_verify_roundtrip_and_format() {
        let s = LogSigner::generate("palisade/test").unwrap();
        let note = s.sign(&body());
        let lines: Vec<&str> = note.lines().collect();
        assert_eq!(lines[0], "palisade/test");
        assert_eq!(lines[1], "7");
        assert_eq!(lines[3], "");
        assert!(lines[4].starts_with("\u{2014} palisade/test "));
        assert!(note.ends_with('\n'));
        let v = s.verifier();
        assert_eq!(
            CheckpointBody::verify_note(&note, &v, "palisade/test").unwrap(),
            body()
        );
        assert!(matches!(
            CheckpointBody::verify_note(&note, &v, "palisade/other"),
            Err(CheckpointError::WrongOrigin { .. })
        ));
        let vk = NoteVerifier::from_vkey(&v.to_vkey()).unwrap();
        assert_eq!(vk, v);
    }

    #[test]
    fn other_key_and_edits_are_rejected() {
        let s = LogSigner::generate("palisade/test").unwrap();
        let other = LogSigner::generate("palisade/test").unwrap();
        let note = other.sign(&body());
        assert!(s.verifier().verify(&note).is_err());
        let good = s.sign(&body());
        let edited = good.replacen("\n7\n", "\n8\n", 1);
        assert_eq!(
            s.verifier().verify(&edited),
            Err(CheckpointError::BadSignature("palisade/test".into()))
        );
        for i in 0..good.len() {
            let mut b = good.clone().into_bytes();
            b[i] ^= 0x01;
            if let Ok(t) = String::from_utf8(b) {
                assert!(s.verifier().verify(&t).is_err(), "flip at {i} accepted");
            }
        }
    }

    #[test]
    fn signer_debug_is_redacted() {
        let s = LogSigner::from_seed("n", &[1u8; 32]);
        assert!(format!("{s:?}").contains("redacted"));
    }
}
