//! The two threads of a streamed write: the producer (the calling thread, which
//! runs `produce` and seals records while the writer is behind) and the writer
//! (which holds the store's transaction and places records in leaf order); and
//! the single-threaded variant for small writes.

use super::{
    Attempt, BATCH, Guard, Placer, PushPending, QUEUE_BATCHES, RecordSealer, SEAL_HERE_ABOVE,
    abandoned, join,
};
use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, Pending};
use palisade_core::crypto::SecretKey;
use palisade_core::merkle::{Frontier, Hash};
use palisade_core::record::Record;
use palisade_store::{StoreError, StoredCheckpoint, StoredRecord, WrappedKey};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};

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
pub(super) struct WriterOutcome {
    /// The store result (commit, conflict, or the error that rolled back).
    pub(super) result: std::result::Result<(), StoreError>,
    /// The writer's own failure (sealing a record), if that was the cause.
    pub(super) failure: Option<ServiceError>,
    /// The checkpoint handed to the store, when the producer finished.
    pub(super) checkpoint: Option<StoredCheckpoint>,
    /// The producer finished without pushing anything (so nothing was written).
    pub(super) empty: bool,
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

impl Palisade {
    /// One attempt on two threads: the producer here, the writer on its own thread.
    pub(super) fn attempt_threaded(
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
    pub(super) fn attempt_inline(
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
