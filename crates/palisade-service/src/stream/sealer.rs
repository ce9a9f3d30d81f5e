//! The order-independent part of writing a record (sealing) and the ordered
//! part (placing it in the tree).

use super::NONCES_PER_DRAW;
use crate::error::Result;
use crate::ledger::Palisade;
use palisade_core::crypto::{self, NONCE_LEN, Sealer, SecretKey};
use palisade_core::merkle::{self, Frontier};
use palisade_core::record::{Record, write_sealed_plaintext};
use palisade_store::StoredRecord;
use std::collections::HashMap;
use zeroize::Zeroizing;

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
