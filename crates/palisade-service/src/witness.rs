//! A local witness against rollback. After every write, the latest signed
//! checkpoint is also copied outside the data directory, into this user's
//! configuration folder. Someone who can change the data directory but not
//! that folder cannot then remove the newest records (with their
//! checkpoints) or restore an older copy of the store without `verify`
//! noticing. The witness may lag behind the store (a crash between commit
//! and copy, two writers racing); it must never be ahead of it.

use crate::keys::config_dir;
use std::path::PathBuf;

/// Where this computer keeps the witness for an installation.
pub(crate) fn witness_path(installation_id: &str) -> Option<PathBuf> {
    Some(
        config_dir()?
            .join("witness")
            .join(format!("{installation_id}.checkpoint")),
    )
}

/// Record `note` as the newest checkpoint seen. Best effort: failing to write the
/// witness never fails the write it follows (the ledger itself is already durable).
pub(crate) fn record(installation_id: &str, note: &str) {
    let Some(path) = witness_path(installation_id) else {
        return;
    };
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, note).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The witnessed checkpoint note, if this computer has one.
pub(crate) fn read(installation_id: &str) -> Option<(PathBuf, String)> {
    let path = witness_path(installation_id)?;
    let note = std::fs::read_to_string(&path).ok()?;
    Some((path, note))
}
