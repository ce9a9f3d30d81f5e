//! Early write-back for long appends. A write of a million records puts about a
//! gigabyte into the write-ahead log, and the kernel keeps it in memory until
//! someone asks for it on disk: left alone, the commit's own `fsync` of the log
//! and, after SQLite copies the log into the database, the `fsync` of the
//! database would each wait for the whole gigabyte. A helper thread asks for
//! the log on disk (`fdatasync`) every so often while records are written, and
//! for the log and the database while the commit runs, so that those waits
//! overlap the work instead of following it.
//!
//! Only when the data is on disk is anything different; durability is
//! unchanged: SQLite still syncs the log before the commit is acknowledged and
//! the database after copying the log into it (`synchronous = FULL`). A failed
//! early sync is ignored: the syncs that count are SQLite's own, and they report
//! their errors.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Rows written before the helper is started (small writes never start it).
pub(crate) const AFTER_ROWS: u64 = 8192;
/// How often the log is synced while records are written.
const WHILE_WRITING: Duration = Duration::from_millis(250);
/// How often the log and the database are synced while the commit runs.
const WHILE_COMMITTING: Duration = Duration::from_millis(50);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Writing,
    Committing,
    Done,
}

pub(crate) struct Flusher {
    db: PathBuf,
    phase: Mutex<Phase>,
    changed: Condvar,
}

impl Flusher {
    pub(crate) fn new(db: &Path) -> Self {
        Self {
            db: db.to_path_buf(),
            phase: Mutex::new(Phase::Writing),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, phase: Phase) {
        *self.lock() = phase;
        self.changed.notify_all();
    }

    /// The records are written; the commit (and the copy of the log into the
    /// database) begins.
    pub(crate) fn committing(&self) {
        self.set(Phase::Committing);
    }

    /// The write is over, committed or not: the helper stops.
    pub(crate) fn done(&self) {
        self.set(Phase::Done);
    }

    /// The helper thread's loop, until [`Flusher::done`].
    pub(crate) fn run(&self) {
        let mut wal_name = OsString::from(self.db.as_os_str());
        wal_name.push("-wal");
        let wal = File::open(PathBuf::from(wal_name)).ok();
        let db = File::open(&self.db).ok();
        let mut phase = self.lock();
        loop {
            let wait = match *phase {
                Phase::Writing => WHILE_WRITING,
                Phase::Committing => WHILE_COMMITTING,
                Phase::Done => return,
            };
            phase = self
                .changed
                .wait_timeout(phase, wait)
                .map(|(p, _)| p)
                .unwrap_or_else(|e| e.into_inner().0);
            let now = *phase;
            if now == Phase::Done {
                return;
            }
            // Sync without holding the lock, so that phase changes never wait.
            drop(phase);
            if let Some(f) = &wal {
                let _ = f.sync_data();
            }
            if now == Phase::Committing
                && let Some(f) = &db
            {
                let _ = f.sync_data();
            }
            phase = self.lock();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_helper_stops_when_told_whatever_the_phase() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("x.sqlite3");
        std::fs::write(&db, b"db").expect("write");
        std::fs::write(dir.path().join("x.sqlite3-wal"), b"wal").expect("write");
        for commit in [false, true] {
            let f = Flusher::new(&db);
            std::thread::scope(|s| {
                s.spawn(|| f.run());
                std::thread::sleep(Duration::from_millis(300));
                if commit {
                    f.committing();
                    std::thread::sleep(Duration::from_millis(120));
                }
                f.done();
            });
        }
        // Missing files are no reason to fail.
        let f = Flusher::new(&dir.path().join("absent"));
        std::thread::scope(|s| {
            s.spawn(|| f.run());
            f.committing();
            f.done();
        });
    }
}
