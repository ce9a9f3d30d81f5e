//! Attachment bytes: sealed in one streaming pass (hashing the plaintext as
//! it goes) under the case's data key, stored under a name derived from the
//! plaintext hash with a keyed MAC (so equal files in a case are kept once,
//! and the data directory does not reveal which known file it holds).

use crate::error::{Result, ServiceError};
use crate::ledger::Palisade;
use palisade_core::compose::NewAttachment;
use palisade_core::crypto::{self, CHUNK_LEN, SecretKey, StreamOpener, StreamSealer, TAG_LEN};
use palisade_core::media;
use palisade_store::BlobStore;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// A file a user asks to attach, checked to be readable before anything is
/// written: a file on disk, or bytes already in memory (an upload).
pub struct AttachmentFile {
    /// Where the bytes come from, for error messages (a path, or "uploaded file NAME").
    pub origin: String,
    source: Box<dyn Read + Send>,
    pub name: String,
}

impl std::fmt::Debug for AttachmentFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentFile")
            .field("origin", &self.origin)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// An uploaded file held in memory (the web application's quick log and
/// API): sealed straight from memory, so the plaintext never touches disk.
#[derive(Clone)]
pub struct UploadedFile {
    /// The name the uploader gave (kept in the attachment record; may be empty).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for UploadedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadedFile")
            .field("name", &self.name)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl AttachmentFile {
    pub fn open(path: &Path) -> Result<Self> {
        let err = |reason: String| ServiceError::Attachment {
            path: path.display().to_string(),
            reason,
        };
        let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
        if !meta.is_file() {
            return Err(err("not a regular file".into()));
        }
        let file = File::open(path).map_err(|e| err(e.to_string()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "attachment".into());
        Ok(Self {
            origin: path.display().to_string(),
            source: Box::new(file),
            name,
        })
    }

    /// An upload already in memory.
    pub fn uploaded(u: UploadedFile) -> Self {
        let name = Path::new(&u.name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "attachment".into());
        Self {
            origin: format!("uploaded file {name}"),
            source: Box::new(std::io::Cursor::new(u.bytes)),
            name,
        }
    }
}

fn blob_aad(case_id: &str) -> Vec<u8> {
    format!("palisade/v1/blob/{case_id}").into_bytes()
}

/// The stored name of a blob: HMAC of its plaintext hash under the case's naming key.
pub(crate) fn blob_name(case_key: &SecretKey, sha256_hex: &str) -> String {
    let k = case_key.derive("palisade/v1/blob-name");
    hex::encode(crypto::hmac_sha256(k.expose(), sha256_hex.as_bytes()))
}

/// Fill `buf` from `r` until full or end of input; returns bytes read.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl Palisade {
    /// Seal a file into the blob store for `case_id`; returns what the attachment record holds.
    pub(crate) fn store_attachment(
        &self,
        case_id: &str,
        case_key: &SecretKey,
        mut file: AttachmentFile,
    ) -> Result<NewAttachment> {
        let origin = std::mem::take(&mut file.origin);
        self.store_attachment_from(case_id, case_key, &file.name, &mut file.source, &origin)
    }

    /// Seal bytes read from `src` (named `file_name`; `origin` says where they come
    /// from, for errors) into the blob store for `case_id`.
    pub(crate) fn store_attachment_from(
        &self,
        case_id: &str,
        case_key: &SecretKey,
        file_name: &str,
        src: &mut dyn Read,
        origin: &str,
    ) -> Result<NewAttachment> {
        let mut size = 0u64;
        let mut sha = String::new();
        let mut media_type = "application/octet-stream";
        self.blobs
            .put(&mut |out: &mut dyn Write| {
                let (mut sealer, header) =
                    StreamSealer::new(case_key, &blob_aad(case_id)).map_err(io::Error::other)?;
                out.write_all(&header)?;
                let mut hasher = Sha256::new();
                let mut buf = vec![0u8; CHUNK_LEN];
                let mut next = vec![0u8; CHUNK_LEN];
                let mut n = read_full(src, &mut buf)?;
                media_type = media::sniff(&buf[..n.min(media::SNIFF_LEN)], file_name);
                loop {
                    // Read ahead to know whether this chunk is the last.
                    let m = if n == CHUNK_LEN {
                        read_full(src, &mut next)?
                    } else {
                        0
                    };
                    let last = m == 0;
                    let mut chunk = buf[..n].to_vec();
                    hasher.update(&chunk);
                    size += n as u64;
                    sealer
                        .seal_chunk(&mut chunk, last)
                        .map_err(io::Error::other)?;
                    out.write_all(&chunk)?;
                    if last {
                        break;
                    }
                    std::mem::swap(&mut buf, &mut next);
                    n = m;
                }
                sha = hex::encode(hasher.finalize());
                Ok(blob_name(case_key, &sha))
            })
            .map_err(|e| ServiceError::Attachment {
                path: origin.to_string(),
                reason: e.to_string(),
            })?;
        Ok(NewAttachment {
            sha256: sha,
            size,
            media_type: media_type.to_string(),
            name: file_name.to_string(),
        })
    }

    /// Stream an attachment's plaintext to `out`, checking its size and SHA-256.
    /// Nothing is trusted until the check at the end passes: callers that need a
    /// guarantee before using bytes should write to a temporary place first.
    pub fn read_attachment(
        &self,
        case_id: &str,
        sha256_hex: &str,
        size: u64,
        out: &mut dyn Write,
    ) -> Result<()> {
        self.check_blob(case_id, sha256_hex, size, out)
            .map_err(ServiceError::Integrity)
    }

    /// [`Palisade::read_attachment`], with the problem as plain text for reports.
    pub(crate) fn check_blob(
        &self,
        case_id: &str,
        sha256_hex: &str,
        size: u64,
        out: &mut dyn Write,
    ) -> std::result::Result<(), String> {
        let key = self.data_key(case_id).map_err(|e| e.to_string())?;
        let name = blob_name(&key, sha256_hex);
        let bad = |what: String| format!("attachment blob {name}: {what}");
        let path = self.blobs.path_of(&name).map_err(|e| e.to_string())?;
        let actual_len = std::fs::metadata(&path)
            .map_err(|e| bad(format!("missing or unreadable ({e})")))?
            .len();
        if actual_len != crypto::sealed_stream_len(size) {
            return Err(bad(format!(
                "is {actual_len} bytes, expected {} for {size} bytes of content",
                crypto::sealed_stream_len(size)
            )));
        }
        let mut f = File::open(&path).map_err(|e| bad(e.to_string()))?;
        let mut header = vec![0u8; crypto::STREAM_HEADER_LEN];
        f.read_exact(&mut header).map_err(|e| bad(e.to_string()))?;
        let mut opener =
            StreamOpener::new(&key, &blob_aad(case_id), &header).map_err(|e| bad(e.to_string()))?;
        let chunks = if size == 0 {
            1
        } else {
            size.div_ceil(CHUNK_LEN as u64)
        };
        let mut hasher = Sha256::new();
        let mut buf = Vec::with_capacity(CHUNK_LEN + TAG_LEN);
        for i in 0..chunks {
            let plain_len = if i + 1 == chunks {
                (size - i * CHUNK_LEN as u64) as usize
            } else {
                CHUNK_LEN
            };
            buf.resize(plain_len + TAG_LEN, 0);
            f.read_exact(&mut buf).map_err(|e| bad(e.to_string()))?;
            opener.open_chunk(&mut buf, i + 1 == chunks).map_err(|_| {
                bad(format!(
                    "chunk {i} fails authentication (altered or truncated)"
                ))
            })?;
            hasher.update(&buf);
            out.write_all(&buf).map_err(|e| bad(e.to_string()))?;
        }
        let got = hex::encode(hasher.finalize());
        if got != sha256_hex {
            return Err(bad(format!(
                "content hash is {got}, the record says {sha256_hex}"
            )));
        }
        Ok(())
    }
}
