//! Streaming commits: records are sealed, hashed into the tree and written one
//! by one inside a single store transaction, then the new tree head is signed
//! and chained, exactly as for a batch commit. Memory does not grow with the
//! number of records: besides a bounded queue, nothing but the tree's frontier
//! (one hash per set bit of the size) is kept from one record to the next.
//!
//! Two threads share the work. The calling thread runs the producer (which
//! parses and composes records) and a writer thread holds the store's write
//! transaction and inserts rows in leaf order. Sealing a record (its canonical
//! leaf bytes, their hash, the encrypted disclosures) does not depend on its
//! position, so it is done by whichever thread has less to do: the calling
//! thread seals a record itself while the writer's queue is long, and hands it
//! over unsealed while the queue is short. Leaf indexes and the frontier are
//! assigned only by the writer, in arrival order.

use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, Pending, Receipt};
use palisade_core::crypto::{self, NONCE_LEN, Sealer, SecretKey};
use palisade_core::merkle::{self, Frontier, Hash};
use palisade_core::record::{Record, write_sealed_plaintext};
use palisade_store::{StoreError, StoredCheckpoint, StoredRecord, WrappedKey};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use zeroize::Zeroizing;

/// What a streamed commit wrote: `count` records at leaf indexes
/// `first_leaf .. first_leaf + count`, in a tree of `tree_size` leaves whose
/// signed checkpoint was written with them. When nothing was pushed, `count` is
/// 0 and nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StreamReceipt {
    pub first_leaf: u64,
    pub count: u64,
    pub tree_size: u64,
}

/// The sink a streamed commit hands to its producer.
pub type PushPending<'a> = dyn FnMut(Pending) -> Result<()> + 'a;

/// How many times a commit is retried when another process wrote first (only
/// possible before the producer has run).
const CONFLICT_RETRIES: u32 = 16;
/// Records per hand-over to the writer thread.
const BATCH: usize = 256;
/// Batches queued for the writer at most (bounds memory).
const QUEUE_BATCHES: usize = 6;
/// Above this many records queued, the calling thread seals records itself.
const SEAL_HERE_ABOVE: usize = 2 * BATCH;
/// Nonces drawn from the OS generator per call.
const NONCES_PER_DRAW: usize = 64;

/// Sealing state for one commit: the order-independent part of writing a record
/// (leaf bytes and hash, disclosures encrypted under the scope's data key with
/// the leaf hash as associated data). Each thread that seals has its own.
pub(crate) struct RecordSealer<'a> {
    palisade: &'a Palisade,
    /// Data keys created by this commit, by scope (not in the store yet).
    fresh: &'a HashMap<String, SecretKey>,
    /// The last scope sealed under, keyed and ready (a commit's records are
    /// nearly always of one case).
    current: Option<(String, Sealer)>,
    /// Disclosure plaintext, reused from record to record; zeroed when dropped.
    plain: Zeroizing<Vec<u8>>,
    /// Nonces drawn from the OS generator in one call and used once each, in
    /// order, for the records of this commit only. Every nonce is 192 bits of
    /// OS randomness as before; only the number of system calls changes.
    nonces: [u8; NONCE_LEN * NONCES_PER_DRAW],
    next_nonce: usize,
}

impl<'a> RecordSealer<'a> {
    pub(crate) fn new(palisade: &'a Palisade, fresh: &'a HashMap<String, SecretKey>) -> Self {
        Self {
            palisade,
            fresh,
            current: None,
            plain: Zeroizing::new(Vec::with_capacity(16 * 1024)),
            nonces: [0; NONCE_LEN * NONCES_PER_DRAW],
            next_nonce: NONCES_PER_DRAW,
        }
    }

    fn nonce(&mut self) -> Result<[u8; NONCE_LEN]> {
        if self.next_nonce == NONCES_PER_DRAW {
            crypto::fill_random(&mut self.nonces)?;
            self.next_nonce = 0;
        }
        let at = self.next_nonce * NONCE_LEN;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&self.nonces[at..at + NONCE_LEN]);
        // A nonce is used once: forget it.
        self.nonces[at..at + NONCE_LEN].fill(0);
        self.next_nonce += 1;
        Ok(nonce)
    }

    fn sealer(&mut self, scope: &str) -> Result<&Sealer> {
        if self.current.as_ref().is_none_or(|(s, _)| s != scope) {
            let key = match self.fresh.get(scope) {
                Some(k) => k.clone(),
                None => self.palisade.data_key(scope)?,
            };
            self.current = Some((scope.to_string(), Sealer::new(&key)));
        }
        match &self.current {
            Some((_, sealer)) => Ok(sealer),
            None => unreachable!("the sealer was set just above"),
        }
    }

    /// Seal a record into `row`, reusing its buffers. The leaf index is left at 0:
    /// [`Placer::place`] sets it.
    pub(crate) fn seal_into(
        &mut self,
        record: &Record,
        scope: &str,
        row: &mut StoredRecord,
    ) -> Result<()> {
        let env = &record.envelope;
        row.envelope.clear();
        env.write_canonical(&mut row.envelope);
        row.leaf_hash = merkle::leaf_hash(&row.envelope);
        self.plain.clear();
        write_sealed_plaintext(&record.disclosures, &mut self.plain);
        let nonce = self.nonce()?;
        let plain = std::mem::take(&mut *self.plain);
        let sealed = self
            .sealer(scope)
            .and_then(|s| Ok(s.seal_into(&nonce, &row.leaf_hash, &plain, &mut row.sealed)?));
        *self.plain = plain;
        sealed?;
        row.leaf_index = 0;
        set(&mut row.id, &env.id);
        set_opt(&mut row.case_id, env.case.as_deref());
        set(&mut row.kind, env.kind.as_str());
        set_opt(&mut row.target, env.target.as_deref());
        set_opt(&mut row.occurred_at, env.occurred_at.as_deref());
        set(&mut row.recorded_at, &env.recorded_at);
        Ok(())
    }
}

/// Overwrite a string, keeping its allocation.
fn set(to: &mut String, from: &str) {
    to.clear();
    to.push_str(from);
}

fn set_opt(to: &mut Option<String>, from: Option<&str>) {
    match (to.as_mut(), from) {
        (Some(t), Some(f)) => set(t, f),
        (None, Some(f)) => *to = Some(f.to_string()),
        (_, None) => *to = None,
    }
}

/// The ordered part of writing records: leaf indexes and the tree's frontier.
pub(crate) struct Placer {
    frontier: Frontier,
}

impl Placer {
    pub(crate) fn new(frontier: Frontier) -> Self {
        Self { frontier }
    }

    /// Give `row` the next leaf index and add its leaf to the tree.
    pub(crate) fn place(&mut self, row: &mut StoredRecord) {
        row.leaf_index = self.frontier.size();
        self.frontier.push(row.leaf_hash);
    }

    pub(crate) fn frontier(&self) -> &Frontier {
        &self.frontier
    }
}

/// A record on its way to the writer: sealed already (into a reused row), or
/// still to seal.
enum Item {
    Sealed(StoredRecord),
    Open(Record, String),
}

enum ToWriter {
    Batch(Vec<Item>),
    /// The producer finished without error: sign and commit.
    Done,
}

/// What the writer thread reports once its transaction is over.
struct WriterOutcome {
    /// The store result (commit, conflict, or the error that rolled back).
    result: std::result::Result<(), StoreError>,
    /// The writer's own failure (sealing a record), if that was the cause.
    failure: Option<ServiceError>,
    /// The checkpoint handed to the store, when the producer finished.
    checkpoint: Option<StoredCheckpoint>,
    /// The producer finished without pushing anything (so nothing was written).
    empty: bool,
}

/// The channels between the two threads. Written batches go back to the
/// producer, which reuses their rows and frees their records: memory is freed by
/// the thread that allocated it (glibc's allocator slows down badly when one
/// thread allocates and another frees), and rows are not allocated again.
struct Pipe {
    to_writer: SyncSender<ToWriter>,
    written: Receiver<Vec<Item>>,
}

/// What the writer thread is given.
struct Writer<'a> {
    frontier: Frontier,
    prev_mac: Hash,
    wrapped: &'a [WrappedKey],
    fresh: &'a HashMap<String, SecretKey>,
    from_producer: Receiver<ToWriter>,
    written: SyncSender<Vec<Item>>,
    started: SyncSender<()>,
    queued: &'a AtomicUsize,
    on_row: &'a mut (dyn FnMut(&StoredRecord) + Send),
}

/// Checks every push of one write: a pushed record may not bring a data key, and
/// once a push has failed every later one is refused and the write cannot
/// commit, even if the producer ignores the error and carries on.
#[derive(Default)]
struct Guard {
    refused: Option<String>,
}

impl Guard {
    fn admit(&self, p: &Pending) -> Result<()> {
        if let Some(first) = &self.refused {
            return Err(ServiceError::Invalid(format!(
                "the write was abandoned after an earlier error: {first}"
            )));
        }
        if p.new_key.is_some() {
            return Err(ServiceError::Invalid(
                "a streamed record cannot bring a new data key; pass it in new_keys".into(),
            ));
        }
        Ok(())
    }

    fn note(&mut self, pushed: Result<()>) -> Result<()> {
        if let Err(e) = &pushed
            && self.refused.is_none()
        {
            self.refused = Some(e.to_string());
        }
        pushed
    }

    /// The producer's result, failed if any push failed.
    fn finish(self, produced: Result<()>) -> Result<()> {
        match (produced, self.refused) {
            (Err(e), _) => Err(e),
            (Ok(()), Some(first)) => Err(ServiceError::Invalid(format!(
                "a record could not be written: {first}"
            ))),
            (Ok(()), None) => Ok(()),
        }
    }
}

fn abandoned() -> StoreError {
    StoreError::Backend("the write was abandoned".into())
}

impl Palisade {
    /// Commit a stream of records atomically: one transaction, one signed
    /// checkpoint, however many records. `produce` is called once and pushes the
    /// records in order; each is sealed, hashed into the tree and written as it
    /// arrives, so memory does not grow with their number. When `produce`
    /// returns, the new tree head is signed and chained (after the same checks
    /// of the current head as [`Palisade::commit`]) and everything is committed;
    /// the receipt is returned once it is durable.
    ///
    /// Data keys for new scopes (a case opened in the same write) are given in
    /// `new_keys`; a pushed record may not carry one. If `produce` or a push
    /// fails, nothing is written and the first error is returned. `produce` runs
    /// on the calling thread; it may read the ledger (it sees the state before
    /// this commit) but must not write to it.
    pub fn commit_stream(
        &self,
        new_keys: Vec<(String, SecretKey)>,
        produce: &mut dyn FnMut(&mut PushPending<'_>) -> Result<()>,
    ) -> Result<StreamReceipt> {
        self.write_stream(new_keys, true, produce, &mut |_| {})
    }

    /// Commit records atomically (one transaction, one signed checkpoint) and return
    /// their receipts once durable. The records' new data keys are written with them.
    pub fn commit(&self, mut pending: Vec<Pending>) -> Result<Vec<Receipt>> {
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let new_keys = pending
            .iter_mut()
            .filter_map(|p| p.new_key.take().map(|k| (p.scope.clone(), k)))
            .collect();
        let mut receipts = Vec::with_capacity(pending.len());
        // A small commit is not worth a second thread.
        let threaded = pending.len() > BATCH;
        let mut queue = pending.into_iter();
        let done = self.write_stream(
            new_keys,
            threaded,
            &mut |push| queue.try_for_each(&mut *push),
            &mut |row| {
                receipts.push(Receipt {
                    id: row.id.clone(),
                    leaf_index: row.leaf_index,
                    recorded_at: row.recorded_at.clone(),
                    tree_size: 0,
                })
            },
        )?;
        for r in &mut receipts {
            r.tree_size = done.tree_size;
        }
        Ok(receipts)
    }

    /// The one write path: check the head, start the store's streaming append (on
    /// a writer thread when `threaded`), seal and push every record `produce`
    /// gives, sign and chain the checkpoint, commit; retry if another process
    /// wrote first (before `produce` ran). `on_row` sees each row as it is written.
    fn write_stream(
        &self,
        new_keys: Vec<(String, SecretKey)>,
        threaded: bool,
        produce: &mut dyn FnMut(&mut PushPending<'_>) -> Result<()>,
        on_row: &mut (dyn FnMut(&StoredRecord) + Send),
    ) -> Result<StreamReceipt> {
        let wrapped = new_keys
            .iter()
            .map(|(scope, k)| {
                Ok(WrappedKey {
                    scope: scope.clone(),
                    wrapped: crypto::wrap_key(&self.master, scope, k)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let fresh: HashMap<String, SecretKey> = new_keys.into_iter().collect();
        let _guard = self
            .write_lock
            .lock()
            .map_err(|_| ServiceError::Integrity("writer lock poisoned".into()))?;
        let mut attempt = 0;
        loop {
            let (head, frontier) = self.checked_head()?;
            let Attempt {
                outcome,
                producer_error,
                started,
            } = if threaded {
                self.attempt_threaded(frontier, &head.mac, &wrapped, &fresh, produce, on_row)?
            } else {
                self.attempt_inline(frontier, &head.mac, &wrapped, &fresh, produce, on_row)
            };
            if let Some(f) = outcome.failure {
                return Err(f);
            }
            if let Some(e) = producer_error {
                return Err(e);
            }
            match outcome.result {
                Ok(()) => {
                    let checkpoint = outcome.checkpoint.ok_or_else(|| {
                        ServiceError::Integrity("the store committed without a checkpoint".into())
                    })?;
                    crate::witness::record(&self.installation_id, &checkpoint.note);
                    for (scope, k) in fresh {
                        self.remember_key(&scope, k);
                    }
                    return Ok(StreamReceipt {
                        first_leaf: head.size,
                        count: checkpoint.size - head.size,
                        tree_size: checkpoint.size,
                    });
                }
                Err(StoreError::Conflict { .. }) if !started && attempt < CONFLICT_RETRIES => {
                    attempt += 1;
                }
                // The producer pushed nothing: nothing was to be written.
                Err(_) if outcome.empty => {
                    return Ok(StreamReceipt {
                        first_leaf: head.size,
                        count: 0,
                        tree_size: head.size,
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// One attempt on two threads: the producer here, the writer on its own thread.
    fn attempt_threaded(
        &self,
        frontier: Frontier,
        prev_mac: &Hash,
        wrapped: &[WrappedKey],
        fresh: &HashMap<String, SecretKey>,
        produce: &mut dyn FnMut(&mut PushPending<'_>) -> Result<()>,
        on_row: &mut (dyn FnMut(&StoredRecord) + Send),
    ) -> Result<Attempt> {
        // Records handed to the writer and not yet written.
        let queued = AtomicUsize::new(0);
        std::thread::scope(|threads| {
            let (to_writer, from_producer) = mpsc::sync_channel(QUEUE_BATCHES);
            let (written_tx, written) = mpsc::sync_channel(QUEUE_BATCHES + 2);
            let (started_tx, started_rx) = mpsc::sync_channel(1);
            let writer = {
                let queued = &queued;
                let prev_mac = *prev_mac;
                std::thread::Builder::new()
                    .name("palisade-writer".into())
                    .spawn_scoped(threads, move || {
                        self.run_writer(Writer {
                            frontier,
                            prev_mac,
                            wrapped,
                            fresh,
                            from_producer,
                            written: written_tx,
                            started: started_tx,
                            queued,
                            on_row,
                        })
                    })
                    .map_err(|e| {
                        ServiceError::Integrity(format!("cannot start the writer thread: {e}"))
                    })?
            };
            // Wait until the store has begun the write and checked its size: until
            // then a conflict can be retried, because `produce` has not run.
            if started_rx.recv().is_err() {
                return Ok(Attempt {
                    outcome: join(writer)?,
                    producer_error: None,
                    started: false,
                });
            }
            let pipe = Pipe { to_writer, written };
            let mut stopped = false;
            let produced = self.run_producer(produce, &pipe, &queued, fresh, &mut stopped);
            if produced.is_ok() {
                // A failed send means the writer has stopped; its outcome says why.
                let _ = pipe.to_writer.send(ToWriter::Done);
            }
            drop(pipe);
            let outcome = join(writer)?;
            Ok(Attempt {
                outcome,
                // When the writer stopped first, its error is the cause, not the
                // producer's report of the failed hand-over.
                producer_error: produced.err().filter(|_| !stopped),
                started: true,
            })
        })
    }

    /// One attempt on the calling thread alone (small commits).
    fn attempt_inline(
        &self,
        frontier: Frontier,
        prev_mac: &Hash,
        wrapped: &[WrappedKey],
        fresh: &HashMap<String, SecretKey>,
        produce: &mut dyn FnMut(&mut PushPending<'_>) -> Result<()>,
        on_row: &mut (dyn FnMut(&StoredRecord) + Send),
    ) -> Attempt {
        let size = frontier.size();
        let mut started = false;
        let mut producer_error = None;
        let mut checkpoint = None;
        let mut empty = false;
        let result = self.store.append_stream(size, wrapped, &mut |push| {
            started = true;
            let mut sealer = RecordSealer::new(self, fresh);
            let mut placer = Placer::new(frontier.clone());
            let mut row = StoredRecord::default();
            let mut guard = Guard::default();
            let produced = produce(&mut |p: Pending| {
                let pushed = guard.admit(&p).and_then(|()| {
                    sealer.seal_into(&p.record, &p.scope, &mut row)?;
                    placer.place(&mut row);
                    push(&row)?;
                    on_row(&row);
                    Ok(())
                });
                guard.note(pushed)
            });
            if let Err(e) = guard.finish(produced) {
                producer_error = Some(e);
                return Err(abandoned());
            }
            if placer.frontier().size() == size {
                empty = true;
                return Err(abandoned());
            }
            let c = self.make_checkpoint(placer.frontier(), prev_mac);
            checkpoint = Some(c.clone());
            Ok(c)
        });
        Attempt {
            outcome: WriterOutcome {
                result,
                failure: None,
                checkpoint,
                empty,
            },
            producer_error,
            started,
        }
    }

    /// The calling thread: run `produce`, sealing records here while the writer
    /// is behind and passing them on unsealed while it keeps up.
    fn run_producer(
        &self,
        produce: &mut dyn FnMut(&mut PushPending<'_>) -> Result<()>,
        pipe: &Pipe,
        queued: &AtomicUsize,
        fresh: &HashMap<String, SecretKey>,
        writer_stopped: &mut bool,
    ) -> Result<()> {
        let mut sealer = RecordSealer::new(self, fresh);
        // Rows and batch buffers back from the writer, for reuse.
        let mut rows: Vec<StoredRecord> = Vec::new();
        let mut spare: Vec<Vec<Item>> = Vec::new();
        let mut batch: Vec<Item> = Vec::with_capacity(BATCH);
        let mut stopped = || {
            *writer_stopped = true;
            ServiceError::Integrity("the writer stopped; the write was not committed".into())
        };
        let mut send =
            |batch: &mut Vec<Item>, rows: &mut Vec<StoredRecord>, spare: &mut Vec<Vec<Item>>| {
                // Take back what the writer has finished with (never waiting for it).
                while let Ok(mut done) = pipe.written.try_recv() {
                    for item in done.drain(..) {
                        if let Item::Sealed(row) = item
                            && rows.len() < 2 * BATCH
                        {
                            rows.push(row);
                        }
                    }
                    spare.push(done);
                }
                let next = spare.pop().unwrap_or_else(|| Vec::with_capacity(BATCH));
                let full = std::mem::replace(batch, next);
                queued.fetch_add(full.len(), Ordering::Relaxed);
                pipe.to_writer
                    .send(ToWriter::Batch(full))
                    .map_err(|_| stopped())
            };
        let mut guard = Guard::default();
        let produced = produce(&mut |p: Pending| {
            let pushed = guard.admit(&p).and_then(|()| {
                let item = if queued.load(Ordering::Relaxed) > SEAL_HERE_ABOVE {
                    let mut row = rows.pop().unwrap_or_default();
                    sealer.seal_into(&p.record, &p.scope, &mut row)?;
                    Item::Sealed(row)
                } else {
                    Item::Open(p.record, p.scope)
                };
                batch.push(item);
                if batch.len() == BATCH {
                    send(&mut batch, &mut rows, &mut spare)?;
                }
                Ok(())
            });
            guard.note(pushed)
        });
        guard.finish(produced)?;
        if batch.is_empty() {
            return Ok(());
        }
        send(&mut batch, &mut rows, &mut spare)
    }

    /// The writer thread: one streaming append; seals what arrives unsealed,
    /// places every record in leaf order, and signs the checkpoint at the end.
    fn run_writer(&self, w: Writer<'_>) -> WriterOutcome {
        let Writer {
            frontier,
            prev_mac,
            wrapped,
            fresh,
            from_producer,
            written,
            started,
            queued,
            on_row,
        } = w;
        let size = frontier.size();
        let mut failure = None;
        let mut checkpoint = None;
        let mut empty = false;
        let result = self.store.append_stream(size, wrapped, &mut |push| {
            // The size is checked and the write is ours: the producer may start.
            let _ = started.send(());
            let mut sealer = RecordSealer::new(self, fresh);
            let mut placer = Placer::new(frontier.clone());
            // Records that arrive unsealed are sealed into this one row.
            let mut scratch = StoredRecord::default();
            for message in from_producer.iter() {
                let mut items = match message {
                    ToWriter::Batch(items) => items,
                    ToWriter::Done => {
                        if placer.frontier().size() == size {
                            empty = true;
                            return Err(abandoned());
                        }
                        let c = self.make_checkpoint(placer.frontier(), &prev_mac);
                        checkpoint = Some(c.clone());
                        return Ok(c);
                    }
                };
                for item in &mut items {
                    let row = match item {
                        Item::Sealed(row) => row,
                        Item::Open(record, scope) => {
                            if let Err(e) = sealer.seal_into(record, scope, &mut scratch) {
                                failure = Some(e);
                                return Err(abandoned());
                            }
                            &mut scratch
                        }
                    };
                    placer.place(row);
                    push(row)?;
                    on_row(row);
                }
                queued.fetch_sub(items.len(), Ordering::Relaxed);
                // Back to the producer for reuse; if it is not taking them, free here.
                let _ = written.try_send(items);
            }
            // The producer failed (or stopped) before finishing: roll back.
            Err(abandoned())
        });
        WriterOutcome {
            result,
            failure,
            checkpoint,
            empty,
        }
    }
}

/// How one attempt at a write ended.
struct Attempt {
    outcome: WriterOutcome,
    /// The producer's own failure (the writer then rolled back because of it).
    producer_error: Option<ServiceError>,
    /// Whether the store had started the write (so `produce` has run).
    started: bool,
}

fn join(writer: std::thread::ScopedJoinHandle<'_, WriterOutcome>) -> Result<WriterOutcome> {
    writer.join().map_err(|_| {
        ServiceError::Integrity("the writer thread panicked; nothing was written".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyOptions;
    use palisade_core::compose::{self, NewCase, NewEntry, Stamp};
    use palisade_core::domain::{CaseKind, Channel, Direction, Source};
    use palisade_core::ids::new_id;
    use palisade_core::time::Moment;

    fn store() -> (tempfile::TempDir, Palisade, String) {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = KeyOptions {
            key_file: Some(dir.path().join("master.key")),
            passphrase: None,
        };
        let (p, _) = Palisade::init(&dir.path().join("data"), &keys).expect("init");
        let case = p.open_case(&new_case()).expect("open case").id;
        (dir, p, case)
    }

    fn new_case() -> NewCase {
        NewCase {
            title: "Messages from patient AB".into(),
            subject: "AB".into(),
            kind: CaseKind::Amorous,
            parties: vec![],
            owner: None,
        }
    }

    fn entry(case: &str, i: u64) -> Pending {
        let e = NewEntry {
            occurred_at: Moment::parse("2024-02-14T21:07:00+01:00").expect("time"),
            channel: Channel::Whatsapp,
            direction: Direction::Inbound,
            party: Some("AB".into()),
            place: None,
            witnesses: vec![],
            summary: None,
            content: Some(format!("message {i}: please answer")),
            clinical: None,
            source: Source::Manual,
        };
        let stamp = Stamp {
            id: new_id("ent").expect("id"),
            recorded_at: Moment::parse("2024-02-15T08:00:00Z").expect("time"),
        };
        Pending {
            record: compose::entry(&stamp, case, &e).expect("compose"),
            scope: case.to_string(),
            new_key: None,
        }
    }

    fn state(p: &Palisade) -> (u64, String) {
        (
            p.store.record_count().expect("count"),
            p.checkpoint().expect("head"),
        )
    }

    fn verified(p: &Palisade) -> u64 {
        let r = p.verify().expect("verify");
        assert!(r.ok, "{:?}", r.errors);
        r.records
    }

    #[test]
    fn streams_many_records_in_one_write() {
        let (_dir, p, case) = store();
        let before = state(&p).0;
        let n = 3 * BATCH as u64 + 17;
        let receipt = p
            .commit_stream(Vec::new(), &mut |push| {
                (0..n).try_for_each(|i| push(entry(&case, i)))
            })
            .expect("commit_stream");
        assert_eq!(
            receipt,
            StreamReceipt {
                first_leaf: before,
                count: n,
                tree_size: before + n
            }
        );
        assert_eq!(verified(&p), before + n);
        let view = p.case(&case).expect("case");
        assert_eq!(view.entries.len() as u64, n);
        // One checkpoint for the whole write.
        let mut sizes = Vec::new();
        p.store
            .scan_checkpoints(&mut |c| {
                sizes.push(c.size);
                true
            })
            .expect("scan");
        assert_eq!(sizes.last(), Some(&(before + n)));
        assert_eq!(sizes.iter().filter(|s| **s > before).count(), 1);
    }

    #[test]
    fn a_failing_producer_writes_nothing() {
        let (_dir, p, case) = store();
        let before = state(&p);
        for fail_at in [0, 5, 2 * BATCH as u64 + 3] {
            let err = p
                .commit_stream(Vec::new(), &mut |push| {
                    for i in 0..fail_at {
                        push(entry(&case, i))?;
                    }
                    Err(ServiceError::Invalid(format!(
                        "export damaged at {fail_at}"
                    )))
                })
                .expect_err("must fail");
            assert_eq!(err.to_string(), format!("export damaged at {fail_at}"));
            assert_eq!(state(&p), before);
        }
        verified(&p);
        // And the ledger takes writes afterwards.
        p.commit_stream(Vec::new(), &mut |push| push(entry(&case, 1)))
            .expect("commit after failures");
        assert_eq!(verified(&p), before.0 + 1);
    }

    #[test]
    fn a_failed_push_cannot_be_ignored() {
        let (_dir, p, case) = store();
        let before = state(&p);
        for n in [3, 2 * BATCH as u64] {
            let mut refused = 0;
            let err = p
                .commit_stream(Vec::new(), &mut |push| {
                    for i in 0..n {
                        let mut e = entry(&case, i);
                        if i == 1 {
                            // Not allowed in a stream: keys go in `new_keys`.
                            e.new_key = Some(SecretKey::generate()?);
                        }
                        if push(e).is_err() {
                            refused += 1;
                        }
                    }
                    Ok(())
                })
                .expect_err("must fail");
            assert!(err.to_string().contains("new_keys"), "{err}");
            assert_eq!(refused, n - 1, "every push after the failed one is refused");
            assert_eq!(state(&p), before);
        }
    }

    #[test]
    fn a_store_error_is_reported_and_rolls_back() {
        let (_dir, p, case) = store();
        let before = state(&p);
        for n in [2, 3 * BATCH] {
            let err = p
                .commit_stream(Vec::new(), &mut |push| {
                    let first = entry(&case, 0);
                    let mut dup = entry(&case, 1);
                    dup.record.envelope.id = first.record.envelope.id.clone();
                    push(first)?;
                    for i in 2..n {
                        push(entry(&case, i as u64))?;
                    }
                    push(dup)
                })
                .expect_err("a duplicate id must fail");
            assert!(err.to_string().contains("UNIQUE"), "{err}");
            assert_eq!(state(&p), before);
        }
        verified(&p);
    }

    #[test]
    fn an_empty_stream_writes_nothing() {
        let (_dir, p, _case) = store();
        let before = state(&p);
        let r = p
            .commit_stream(Vec::new(), &mut |_| Ok(()))
            .expect("empty stream");
        assert_eq!(
            r,
            StreamReceipt {
                first_leaf: before.0,
                count: 0,
                tree_size: before.0
            }
        );
        assert_eq!(state(&p), before);
    }

    #[test]
    fn the_producer_may_read_the_ledger_meanwhile() {
        let (_dir, p, case) = store();
        let before = state(&p);
        let mut seen = Vec::new();
        p.commit_stream(Vec::new(), &mut |push| {
            for i in 0..(2 * BATCH as u64) {
                push(entry(&case, i))?;
                if i % 100 == 0 {
                    seen.push((state(&p), p.case(&case)?.entries.len()));
                }
            }
            Ok(())
        })
        .expect("commit_stream");
        assert!(seen.iter().all(|s| *s == (before.clone(), 0)), "{seen:?}");
        verified(&p);
    }

    #[test]
    fn a_new_case_and_its_entries_in_one_stream() {
        let (_dir, p, _) = store();
        let stamp = Stamp {
            id: new_id("case").expect("id"),
            recorded_at: Moment::parse("2024-02-15T08:00:00Z").expect("time"),
        };
        let case = stamp.id.clone();
        let key = SecretKey::generate().expect("key");
        let r = p
            .commit_stream(vec![(case.clone(), key)], &mut |push| {
                push(Pending {
                    record: compose::case_opened(&stamp, &case, &new_case())?,
                    scope: case.clone(),
                    new_key: None,
                })?;
                (0..600).try_for_each(|i| push(entry(&case, i)))
            })
            .expect("commit_stream");
        assert_eq!(r.count, 601);
        verified(&p);
        assert_eq!(p.case(&case).expect("case").entries.len(), 600);
    }

    #[test]
    fn commit_gives_receipts_in_leaf_order_small_and_large() {
        let (_dir, p, case) = store();
        for n in [1u64, 3, BATCH as u64 + 1, 2000] {
            let start = state(&p).0;
            let batch: Vec<Pending> = (0..n).map(|i| entry(&case, i)).collect();
            let ids: Vec<String> = batch.iter().map(|b| b.record.envelope.id.clone()).collect();
            let receipts = p.commit(batch).expect("commit");
            assert_eq!(receipts.len() as u64, n);
            for (i, (r, id)) in receipts.iter().zip(&ids).enumerate() {
                assert_eq!(&r.id, id);
                assert_eq!(r.leaf_index, start + i as u64);
                assert_eq!(r.tree_size, start + n);
            }
        }
        verified(&p);
    }
}
