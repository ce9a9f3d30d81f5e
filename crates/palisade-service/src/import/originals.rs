//! The original export files, kept as attachments of the import record. They
//! are sealed into the blob store on a second thread while the export is first
//! read, so that this work overlaps the planning pass instead of delaying the
//! write. A blob is made durable only once the import is decided: until then
//! its sealed bytes wait in the blob store's temporary file, which is removed
//! if the import writes nothing (a damaged export, or nothing new).

use super::sources::SourceFile;
use crate::error::{Result, ServiceError};
use crate::ledger::Palisade;
use palisade_core::compose::NewAttachment;
use palisade_core::crypto::SecretKey;
use palisade_core::media;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Condvar, Mutex};

/// Whether the import goes ahead: undecided until [`Gate::decide`], then fixed
/// (the first decision stands).
#[derive(Default)]
pub(super) struct Gate {
    decided: Mutex<Option<bool>>,
    changed: Condvar,
}

impl Gate {
    pub(super) fn decide(&self, go: bool) {
        let mut d = self.decided.lock().unwrap_or_else(|e| e.into_inner());
        if d.is_none() {
            *d = Some(go);
            self.changed.notify_all();
        }
    }

    /// The decision, if made.
    fn peek(&self) -> Option<bool> {
        *self.decided.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait(&self) -> bool {
        let mut d = self.decided.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(go) = *d {
                return go;
            }
            d = self.changed.wait(d).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Refuses the import when dropped undecided: whichever way the planning ends
/// (an error, nothing to write, a panic), the sealing thread is released.
pub(super) struct RefuseUnlessDecided<'g>(pub &'g Gate);

impl Drop for RefuseUnlessDecided<'_> {
    fn drop(&mut self) {
        self.0.decide(false);
    }
}

/// A file read to its end, where it waits for the gate: the end is reported once
/// the import goes ahead, and an error in its place if it does not (so the blob
/// store discards what it wrote).
struct Gated<'g> {
    file: File,
    gate: &'g Gate,
}

impl Read for Gated<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Refused already: stop sealing what will not be kept.
        if self.gate.peek() == Some(false) {
            return Err(refused());
        }
        let n = self.file.read(buf)?;
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        if self.gate.wait() {
            Ok(0)
        } else {
            Err(refused())
        }
    }
}

fn refused() -> io::Error {
    io::Error::other("the import wrote nothing")
}

/// The name an original file is attached under.
fn attachment_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "attachment".into())
}

fn changed(f: &SourceFile) -> ServiceError {
    ServiceError::ImportFile {
        path: f.path.display().to_string(),
        reason: "the file changed while it was being imported".into(),
    }
}

/// Seal the export's files into the blob store for `case_id`, each made durable
/// only if `gate` lets the import go ahead. Runs on its own thread.
pub(super) fn keep(
    p: &Palisade,
    case_id: &str,
    key: &SecretKey,
    files: &[SourceFile],
    gate: &Gate,
) -> Result<Vec<NewAttachment>> {
    files
        .iter()
        .map(|f| {
            let file = File::open(&f.path).map_err(ServiceError::io(&f.path))?;
            let mut src = Gated { file, gate };
            let origin = f.path.display().to_string();
            p.store_attachment_from(case_id, key, &attachment_name(&f.path), &mut src, &origin)
        })
        .collect()
}

/// The attachment record of an original file, known before its blob is stored
/// (its hash and size were measured when the export was opened; its media type
/// is sniffed from its first bytes as the blob store does).
pub(super) fn expected(f: &SourceFile) -> Result<NewAttachment> {
    let name = attachment_name(&f.path);
    let mut head = Vec::with_capacity(media::SNIFF_LEN);
    File::open(&f.path)
        .and_then(|file| file.take(media::SNIFF_LEN as u64).read_to_end(&mut head))
        .map_err(ServiceError::io(&f.path))?;
    Ok(NewAttachment {
        sha256: f.sha256.clone(),
        size: f.size,
        media_type: media::sniff(&head, &name).to_string(),
        name,
    })
}

/// Check what was stored against the records already written for it.
pub(super) fn check(
    files: &[SourceFile],
    expected: &[NewAttachment],
    stored: &[NewAttachment],
) -> Result<()> {
    for ((f, e), s) in files.iter().zip(expected).zip(stored) {
        if (&e.sha256, e.size, &e.media_type, &e.name)
            != (&s.sha256, s.size, &s.media_type, &s.name)
        {
            return Err(changed(f));
        }
    }
    if expected.len() != files.len() || stored.len() != files.len() {
        return Err(ServiceError::Integrity(
            "not every original file was stored".into(),
        ));
    }
    Ok(())
}
