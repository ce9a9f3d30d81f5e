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

mod sealer;
#[cfg(test)]
mod tests;
mod threads;

pub(crate) use sealer::{Placer, RecordSealer};

use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, Pending, Receipt};
use palisade_core::crypto::{self, SecretKey};
use palisade_store::{StoreError, StoredRecord, WrappedKey};
use serde::Serialize;
use std::collections::HashMap;
use threads::WriterOutcome;

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
