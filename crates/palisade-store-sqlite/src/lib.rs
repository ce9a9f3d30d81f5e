//! The embedded SQLite backend: one database file in WAL mode with
//! `synchronous = FULL` (a write is acknowledged only once it is on disk),
//! foreign keys on, versioned migrations, and `BEGIN IMMEDIATE` appends.
#![forbid(unsafe_code)]

pub mod accounts;
mod flusher;
mod migrations;
mod write;

use write::{write_batch, write_stream};

pub use accounts::{ACCOUNTS_DB_FILE, SqliteAccounts};
use flusher::Flusher;
use palisade_store::{
    Append, Hash, PushRecord, RecordHead, Store, StoreError, StoredCheckpoint, StoredRecord,
    StoredTimestamp, WrappedKey,
};
use rusqlite::{
    CachedStatement, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params,
};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// File name of the database inside a data directory.
pub const DB_FILE: &str = "palisade.sqlite3";

/// Page size of new databases: SQLite's largest. Records are about 1 KiB
/// (envelope, sealed disclosures, lookup columns); large pages cut the number of
/// pages, and so of system calls, written, spilled, synced and checkpointed per
/// record. On the 2-core build machine a million-message import takes about
/// 7.4 s with 16 KiB pages and 6.1 s with 64 KiB (16 KiB was itself about 1.5x
/// as fast as SQLite's default of 4 KiB). The costs: a single-record commit
/// takes about 0.8 ms instead of 0.7 ms, and a write far larger than the
/// writer's cache rewrites more bytes for each page of the random-order `id`
/// index it misses (an 11-million-record import: 240-270 s instead of about
/// 200 s).
/// Existing databases keep the page size they were created with.
const PAGE_SIZE: i64 = 64 * 1024;

/// Pages of the writer's cache (`cache_size`, KiB when negative): a long import
/// keeps the b-tree pages it touches (chiefly the random-order `id` index) in memory
/// instead of spilling and rereading them. Bounded, so memory does not grow with the
/// size of a write.
const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// How the writer connection is opened. `NO_MUTEX`: each connection is only ever
/// used by one thread at a time (it sits behind a `Mutex`), so SQLite's own lock
/// around every call (ten binds, a step and a reset per appended record) is
/// not needed.
const WRITER_FLAGS: OpenFlags =
    OpenFlags::SQLITE_OPEN_READ_WRITE.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

/// Two connections: the writer (every append, serialised) and a reader for
/// everything else. In WAL mode a reader sees the last committed state and never
/// waits for a write in progress, so a long streaming append does not block reads
/// (not even reads made by the code producing its records).
pub struct SqliteStore {
    conn: Mutex<Connection>,
    reader: Mutex<Option<Connection>>,
    path: PathBuf,
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn hash_from(v: Vec<u8>, what: &str) -> Result<Hash, StoreError> {
    v.try_into()
        .map_err(|_| StoreError::Corrupt(format!("{what} is not 32 bytes")))
}

/// A stored hash that `verify` recomputes and compares (a leaf hash, a chain MAC).
/// One of the wrong length is read as all zeros, which matches nothing, so the
/// damage is reported at its record or checkpoint instead of aborting every read.
fn cached_hash(v: Vec<u8>) -> Hash {
    v.try_into().unwrap_or([0u8; 32])
}

fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{v} is out of range")))
}

impl SqliteStore {
    /// Create a new database at `path`; fails if a file is already there.
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::AlreadyInitialised);
        }
        let conn = Connection::open_with_flags(path, WRITER_FLAGS | OpenFlags::SQLITE_OPEN_CREATE)
            .map_err(backend)?;
        // Before anything is written: the page size is fixed when the file is made.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(backend)?;
        Self::configure(conn, path)
    }

    /// Open an existing database; never creates one.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::NotAStore(format!(
                "{} does not exist",
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(path, WRITER_FLAGS).map_err(backend)?;
        // Look before touching anything: never migrate or re-journal a database
        // that Palisade did not create.
        let ours: rusqlite::Result<i64> = conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            [],
            |r| r.get(0),
        );
        match ours {
            Ok(1) => Self::configure(conn, path),
            Ok(_) => Err(StoreError::NotAStore(format!(
                "{} is not a Palisade database",
                path.display()
            ))),
            Err(e) => Err(StoreError::NotAStore(format!(
                "{} is not a Palisade database: {e}",
                path.display()
            ))),
        }
    }

    fn configure(conn: Connection, path: &Path) -> Result<Self, StoreError> {
        let not_db = |e: rusqlite::Error| {
            StoreError::NotAStore(format!(
                "{} is not a Palisade database: {e}",
                path.display()
            ))
        };
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(not_db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(not_db)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(not_db)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(backend)?;
        // Performance only; durability is unchanged (WAL, synchronous = FULL).
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)
            .map_err(backend)?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(backend)?;
        let mut conn = conn;
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            reader: Mutex::new(None),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The writer connection.
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Backend("store lock poisoned".into()))
    }

    /// The reader connection, opened on first use.
    fn read(&self) -> Result<ReadGuard<'_>, StoreError> {
        let mut guard = self
            .reader
            .lock()
            .map_err(|_| StoreError::Backend("store lock poisoned".into()))?;
        if guard.is_none() {
            let conn = Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(backend)?;
            conn.busy_timeout(std::time::Duration::from_secs(30))
                .map_err(backend)?;
            conn.pragma_update(None, "query_only", "ON")
                .map_err(backend)?;
            *guard = Some(conn);
        }
        Ok(ReadGuard(guard))
    }
}

/// A locked reader connection.
struct ReadGuard<'a>(std::sync::MutexGuard<'a, Option<Connection>>);

impl std::ops::Deref for ReadGuard<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // `SqliteStore::read` fills the option before handing out a guard.
        match self.0.as_ref() {
            Some(c) => c,
            None => unreachable!("reader connection is opened before use"),
        }
    }
}

/// Rows read per page while scanning.
const SCAN_PAGE: i64 = 1024;

const RECORD_COLS: &str =
    "leaf_index, id, case_id, kind, target, occurred_at, recorded_at, envelope, leaf_hash, sealed";

fn record_from_row(row: &Row<'_>) -> rusqlite::Result<Result<StoredRecord, StoreError>> {
    let leaf: i64 = row.get(0)?;
    let hash: Vec<u8> = row.get(8)?;
    Ok((|| {
        Ok(StoredRecord {
            leaf_index: u64::try_from(leaf)
                .map_err(|_| StoreError::Corrupt(format!("negative leaf index {leaf}")))?,
            id: row.get(1).map_err(backend)?,
            case_id: row.get(2).map_err(backend)?,
            kind: row.get(3).map_err(backend)?,
            target: row.get(4).map_err(backend)?,
            occurred_at: row.get(5).map_err(backend)?,
            recorded_at: row.get(6).map_err(backend)?,
            envelope: row.get(7).map_err(backend)?,
            leaf_hash: cached_hash(hash),
            sealed: row.get(9).map_err(backend)?,
        })
    })())
}

fn checkpoint_from_row(row: &Row<'_>) -> rusqlite::Result<Result<StoredCheckpoint, StoreError>> {
    let size: i64 = row.get(0)?;
    let note: String = row.get(1)?;
    let frontier: Vec<u8> = row.get(2)?;
    let created_at: String = row.get(3)?;
    let mac: Vec<u8> = row.get(4)?;
    Ok((|| {
        // A frontier of the wrong length is read as empty: its shape and the chain
        // MAC then fail where `verify` reports them, at this checkpoint.
        let frontier = if frontier.len().is_multiple_of(32) {
            frontier
        } else {
            Vec::new()
        };
        Ok(StoredCheckpoint {
            size: u64::try_from(size)
                .map_err(|_| StoreError::Corrupt(format!("negative checkpoint size {size}")))?,
            note,
            frontier: frontier
                .chunks(32)
                .map(|c| hash_from(c.to_vec(), "frontier node"))
                .collect::<Result<_, _>>()?,
            created_at,
            mac: cached_hash(mac),
        })
    })())
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn initialise(&self, meta: &[(&str, Vec<u8>)], first: Append<'_>) -> Result<(), StoreError> {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let used: i64 = tx
            .query_row(
                "SELECT (SELECT COUNT(*) FROM meta) + (SELECT COUNT(*) FROM records)",
                [],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if used > 0 {
            return Err(StoreError::AlreadyInitialised);
        }
        for (k, v) in meta {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![k, v],
            )
            .map_err(backend)?;
        }
        write_batch(&tx, first)?;
        tx.commit().map_err(backend)
    }

    fn meta_entries(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let conn = self.read()?;
        let mut stmt = conn
            .prepare("SELECT key, value FROM meta ORDER BY key")
            .map_err(backend)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)).collect()
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read()?
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(backend)
    }

    fn append(&self, batch: Append<'_>) -> Result<(), StoreError> {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        write_batch(&tx, batch)?;
        tx.commit().map_err(backend)
    }

    fn append_stream(
        &self,
        expected_size: u64,
        keys: &[WrappedKey],
        produce: &mut dyn FnMut(&mut PushRecord<'_>) -> Result<StoredCheckpoint, StoreError>,
    ) -> Result<(), StoreError> {
        let mut conn = self.lock()?;
        // A long write gets a helper that writes the log back early (see `flusher`).
        let flusher = Flusher::new(&self.path);
        std::thread::scope(|scope| {
            let result = (|| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(backend)?;
                write_stream(&tx, expected_size, keys, produce, &mut || {
                    // Only an optimisation: if no thread can be had, do without.
                    let _ = std::thread::Builder::new()
                        .name("palisade-flusher".into())
                        .spawn_scoped(scope, || flusher.run());
                })?;
                flusher.committing();
                tx.commit().map_err(backend)
            })();
            flusher.done();
            result
        })
    }

    fn head(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.read()?
            .query_row(
                "SELECT size, note, frontier, created_at, mac FROM checkpoints ORDER BY size DESC LIMIT 1",
                [],
                checkpoint_from_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()
    }

    fn scan_checkpoints(
        &self,
        f: &mut dyn FnMut(StoredCheckpoint) -> bool,
    ) -> Result<(), StoreError> {
        let mut cursor: i64 = -1;
        loop {
            // Read a page, then release the connection before calling back, so the
            // callback may use the store (e.g. to fetch a key).
            let page: Vec<StoredCheckpoint> = {
                let conn = self.read()?;
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT size, note, frontier, created_at, mac FROM checkpoints WHERE size > ?1 ORDER BY size LIMIT ?2",
                    )
                    .map_err(backend)?;
                let rows = stmt
                    .query_map(params![cursor, SCAN_PAGE], checkpoint_from_row)
                    .map_err(backend)?;
                rows.map(|r| r.map_err(backend)?)
                    .collect::<Result<_, _>>()?
            };
            let Some(last) = page.last() else {
                return Ok(());
            };
            cursor = to_i64(last.size)?;
            for c in page {
                if !f(c) {
                    return Ok(());
                }
            }
        }
    }

    fn scan_records(
        &self,
        from: u64,
        f: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), StoreError> {
        let mut cursor = to_i64(from)?;
        loop {
            let page: Vec<StoredRecord> = {
                let conn = self.read()?;
                let mut stmt = conn
                    .prepare_cached(&format!(
                        "SELECT {RECORD_COLS} FROM records WHERE leaf_index >= ?1 ORDER BY leaf_index LIMIT ?2"
                    ))
                    .map_err(backend)?;
                let rows = stmt
                    .query_map(params![cursor, SCAN_PAGE], record_from_row)
                    .map_err(backend)?;
                rows.map(|r| r.map_err(backend)?)
                    .collect::<Result<_, _>>()?
            };
            let Some(last) = page.last() else {
                return Ok(());
            };
            cursor = to_i64(last.leaf_index)? + 1;
            for r in page {
                if !f(r) {
                    return Ok(());
                }
            }
        }
    }

    fn case_records(&self, case_id: &str) -> Result<Vec<StoredRecord>, StoreError> {
        let conn = self.read()?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS} FROM records WHERE case_id = ?1 ORDER BY leaf_index"
            ))
            .map_err(backend)?;
        let rows = stmt
            .query_map([case_id], record_from_row)
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn case_newest_leaf(&self, case_id: &str) -> Result<Option<u64>, StoreError> {
        // Answered from the (case_id, leaf_index) index: one seek.
        let conn = self.read()?;
        let mut stmt = conn
            .prepare_cached("SELECT MAX(leaf_index) FROM records WHERE case_id = ?1")
            .map_err(backend)?;
        let newest: Option<i64> = stmt.query_row([case_id], |r| r.get(0)).map_err(backend)?;
        newest
            .map(|n| u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("leaf index {n}"))))
            .transpose()
    }

    fn case_index(&self, case_id: &str) -> Result<Vec<RecordHead>, StoreError> {
        let conn = self.read()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT leaf_index, id, kind, target FROM records WHERE case_id = ?1 ORDER BY leaf_index",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map([case_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(backend)?;
        rows.map(|r| {
            let (leaf, id, kind, target) = r.map_err(backend)?;
            Ok(RecordHead {
                leaf_index: u64::try_from(leaf)
                    .map_err(|_| StoreError::Corrupt(format!("negative leaf index {leaf}")))?,
                id,
                kind,
                target,
            })
        })
        .collect()
    }

    fn leaf_hashes(&self, from: u64, to: u64) -> Result<Vec<Hash>, StoreError> {
        let conn = self.read()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT leaf_hash FROM records WHERE leaf_index >= ?1 AND leaf_index < ?2 ORDER BY leaf_index",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map(params![to_i64(from)?, to_i64(to)?], |r| {
                r.get::<_, Vec<u8>>(0)
            })
            .map_err(backend)?;
        let hashes: Vec<Hash> = rows
            .map(|r| r.map_err(backend).map(cached_hash))
            .collect::<Result<_, _>>()?;
        if hashes.len() as u64 != to.saturating_sub(from) {
            return Err(StoreError::Corrupt(format!(
                "leaves {from}..{to}: found {} of {} records",
                hashes.len(),
                to.saturating_sub(from)
            )));
        }
        Ok(hashes)
    }

    fn checkpoint_covering(&self, leaf_index: u64) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.read()?
            .query_row(
                "SELECT size, note, frontier, created_at, mac FROM checkpoints WHERE size > ?1 ORDER BY size LIMIT 1",
                [to_i64(leaf_index)?],
                checkpoint_from_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()
    }

    fn checkpoint_at(&self, size: u64) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.read()?
            .query_row(
                "SELECT size, note, frontier, created_at, mac FROM checkpoints WHERE size = ?1",
                [to_i64(size)?],
                checkpoint_from_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()
    }

    fn add_timestamp(&self, t: &StoredTimestamp) -> Result<(), StoreError> {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let exists: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM checkpoints WHERE size = ?1",
                [to_i64(t.size)?],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if exists == 0 {
            return Err(StoreError::UnknownCheckpoint(t.size));
        }
        tx.execute(
            "INSERT INTO timestamps (size, token, authority, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![to_i64(t.size)?, t.token, t.authority, t.created_at],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }

    fn timestamps(&self, max_size: u64) -> Result<Vec<StoredTimestamp>, StoreError> {
        let conn = self.read()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT size, token, authority, created_at FROM timestamps WHERE size <= ?1 ORDER BY size, seq",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map([i64::try_from(max_size).unwrap_or(i64::MAX)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(backend)?;
        rows.map(|r| {
            let (size, token, authority, created_at) = r.map_err(backend)?;
            Ok(StoredTimestamp {
                size: u64::try_from(size)
                    .map_err(|_| StoreError::Corrupt(format!("negative checkpoint size {size}")))?,
                token,
                authority,
                created_at,
            })
        })
        .collect()
    }

    fn record(&self, id: &str) -> Result<Option<StoredRecord>, StoreError> {
        self.read()?
            .query_row(
                &format!("SELECT {RECORD_COLS} FROM records WHERE id = ?1"),
                [id],
                record_from_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()
    }

    fn case_ids(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.read()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT case_id FROM records WHERE kind = 'case_opened' AND case_id IS NOT NULL ORDER BY leaf_index",
            )
            .map_err(backend)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(backend)?;
        rows.map(|r| r.map_err(backend)).collect()
    }

    fn wrapped_key(&self, scope: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read()?
            .query_row("SELECT wrapped FROM keys WHERE scope = ?1", [scope], |r| {
                r.get(0)
            })
            .optional()
            .map_err(backend)
    }

    fn record_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .read()?
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
            .map_err(backend)?;
        Ok(n as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_passes_the_conformance_suite() {
        let dir = tempfile::tempdir().expect("tempdir");
        let counter = std::cell::Cell::new(0);
        palisade_store::conformance::run_all(&|| {
            counter.set(counter.get() + 1);
            let p = dir.path().join(format!("s{}.sqlite3", counter.get()));
            Box::new(SqliteStore::create(&p).expect("create"))
        });
    }

    #[test]
    fn durability_settings_and_page_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("s.sqlite3");
        let store = SqliteStore::create(&p).expect("create");
        {
            let conn = store.lock().expect("lock");
            let int = |name: &str| -> i64 {
                conn.pragma_query_value(None, name, |r| r.get(0))
                    .expect("pragma")
            };
            let mode: String = conn
                .pragma_query_value(None, "journal_mode", |r| r.get(0))
                .expect("pragma");
            assert_eq!(mode, "wal");
            assert_eq!(int("synchronous"), 2, "FULL");
            assert_eq!(int("foreign_keys"), 1);
            assert_eq!(int("page_size"), PAGE_SIZE);
        }
        drop(store);
        // Reopened, a database keeps its page size and is put back in the same mode.
        let store = SqliteStore::open(&p).expect("open");
        let conn = store.lock().expect("lock");
        let synchronous: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .expect("pragma");
        assert_eq!(synchronous, 2);
        let page: i64 = conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .expect("pragma");
        assert_eq!(page, PAGE_SIZE);
    }

    #[test]
    fn refuses_to_open_what_is_not_a_database() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.sqlite3");
        std::fs::write(&p, b"this is a text file, not SQLite").expect("write");
        let e = SqliteStore::open(&p).err().expect("must fail");
        assert!(e.to_string().contains("not a Palisade database"), "{e}");
        // Another application's SQLite database is refused and left untouched.
        let other = dir.path().join("other.sqlite3");
        {
            let c = Connection::open(&other).expect("open");
            c.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep');")
                .expect("seed");
        }
        let before = std::fs::read(&other).expect("read");
        let e = SqliteStore::open(&other).err().expect("must fail");
        assert!(e.to_string().contains("not a Palisade database"), "{e}");
        assert_eq!(std::fs::read(&other).expect("read"), before);
        assert!(!dir.path().join("other.sqlite3-wal").exists());
        assert!(matches!(
            SqliteStore::open(&dir.path().join("absent")),
            Err(StoreError::NotAStore(_))
        ));
        assert!(matches!(
            SqliteStore::create(&p),
            Err(StoreError::AlreadyInitialised)
        ));
    }
}
