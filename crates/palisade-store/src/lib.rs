//! The narrow storage interface of Palisade.
//!
//! A backend keeps four things and interprets none of them: the ledger's
//! records (opaque envelope and sealed bytes, plus the clear metadata used
//! for lookups), signed checkpoints, wrapped data keys, and a little
//! installation metadata. Every write is one atomic, durable append; nothing
//! is ever updated or deleted. Attachment bytes live in a [`BlobStore`].
//!
//! Backends: `palisade-store-sqlite` (embedded default). Every backend must
//! pass [`conformance`] (feature `conformance`).
#![forbid(unsafe_code)]

pub mod accounts;
pub mod blobs;
#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(feature = "conformance")]
pub mod conformance_accounts;

pub use accounts::AccountStore;
pub use blobs::{BlobStore, FsBlobStore};

/// A 32-byte hash.
pub type Hash = [u8; 32];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the ledger moved on while this write was prepared (expected size {expected}, found {found})"
    )]
    Conflict { expected: u64, found: u64 },
    #[error("there is no checkpoint of size {0}")]
    UnknownCheckpoint(u64),
    #[error("the store is already initialised")]
    AlreadyInitialised,
    #[error("the store is not initialised")]
    NotInitialised,
    #[error("{0}")]
    NotAStore(String),
    #[error("stored data is malformed: {0}")]
    Corrupt(String),
    #[error("storage backend error: {0}")]
    Backend(String),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// One ledger record as stored. Only `envelope` and `sealed` are authoritative;
/// the other columns repeat envelope values for lookups and are checked by `verify`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredRecord {
    pub leaf_index: u64,
    pub id: String,
    pub case_id: Option<String>,
    pub kind: String,
    pub target: Option<String>,
    pub occurred_at: Option<String>,
    pub recorded_at: String,
    /// Canonical envelope bytes (the Merkle leaf).
    pub envelope: Vec<u8>,
    /// SHA-256(0x00 || envelope), cached.
    pub leaf_hash: Hash,
    /// Disclosures, encrypted under the case's data key.
    pub sealed: Vec<u8>,
}

/// The clear metadata of a record, enough to answer "is this case closed?" or
/// "was this entry retracted?" without reading or decrypting the record. Not
/// authoritative: `verify` checks these columns against the signed envelopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHead {
    pub leaf_index: u64,
    pub id: String,
    pub kind: String,
    pub target: Option<String>,
}

/// A signed tree head as stored, with the tree's right frontier at that size and a
/// MAC chaining it to the previous checkpoint (so no checkpoint can be removed unnoticed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    /// The C2SP signed note.
    pub note: String,
    /// The roots of the perfect subtrees covering leaves [0, size), largest first.
    pub frontier: Vec<Hash>,
    pub created_at: String,
    /// HMAC over the previous checkpoint's MAC and this checkpoint's fields.
    pub mac: Hash,
}

/// An RFC 3161 timestamp token obtained over the checkpoint of `size` leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTimestamp {
    /// The size of the checkpoint whose note the token covers.
    pub size: u64,
    /// The DER TimeStampToken (a CMS ContentInfo).
    pub token: Vec<u8>,
    /// The Time-Stamp Authority's URL, as configured.
    pub authority: String,
    /// When Palisade stored it (the token's own time is inside it).
    pub created_at: String,
}

/// A data key wrapped under the master key, for a scope (a case id or the installation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub scope: String,
    pub wrapped: Vec<u8>,
}

/// One atomic write: records appended at `expected_size`, keys they need, and the
/// checkpoint that signs the new tree. Either all of it is durable or none of it.
#[derive(Debug, Clone, Copy)]
pub struct Append<'a> {
    pub expected_size: u64,
    pub records: &'a [StoredRecord],
    pub keys: &'a [WrappedKey],
    pub checkpoint: &'a StoredCheckpoint,
}

/// The sink [`Store::append_stream`] hands to its producer: call it once per record,
/// in leaf order. An error means the transaction is lost; return it.
pub type PushRecord<'a> = dyn FnMut(&StoredRecord) -> Result<(), StoreError> + 'a;

/// What a backend must do. Implementations are internally synchronised, and reads
/// do not wait for a write in progress (they see the last committed state), so a
/// producer feeding [`Store::append_stream`] may read from the same store.
pub trait Store: Send + Sync {
    /// A short name for messages (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;

    /// Write installation metadata and the first append, once. Fails with
    /// [`StoreError::AlreadyInitialised`] if the store holds anything.
    fn initialise(&self, meta: &[(&str, Vec<u8>)], first: Append<'_>) -> Result<(), StoreError>;

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Every metadata entry, sorted by key.
    fn meta_entries(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError>;

    /// Append atomically; [`StoreError::Conflict`] if the ledger is not at `expected_size`.
    /// Returns only once the write is durable.
    fn append(&self, batch: Append<'_>) -> Result<(), StoreError>;

    /// Append a stream of records in one atomic, durable transaction, without holding
    /// them all in memory. The backend starts the write (excluding other writers) and
    /// checks that the ledger holds `expected_size` records; on a mismatch it returns
    /// [`StoreError::Conflict`] *without calling `produce`*, so the caller may retry.
    /// Then it stores `keys` and calls `produce` once: `produce` pushes the records one
    /// by one (leaf indexes contiguous from `expected_size`) and returns the checkpoint
    /// over the new tree, which must cover exactly the records pushed. The backend
    /// writes the checkpoint and commits, returning once the write is durable.
    ///
    /// Any error (from `produce`, a push, or the backend; a push error is returned
    /// even if `produce` ignores it) rolls everything back: nothing is written.
    /// `produce` must not write to this store.
    fn append_stream(
        &self,
        expected_size: u64,
        keys: &[WrappedKey],
        produce: &mut dyn FnMut(&mut PushRecord<'_>) -> Result<StoredCheckpoint, StoreError>,
    ) -> Result<(), StoreError>;

    /// The latest checkpoint.
    fn head(&self) -> Result<Option<StoredCheckpoint>, StoreError>;

    /// Every checkpoint in order of size; stop early when `f` returns false.
    fn scan_checkpoints(
        &self,
        f: &mut dyn FnMut(StoredCheckpoint) -> bool,
    ) -> Result<(), StoreError>;

    /// Records with `leaf_index >= from` in leaf order; stop early when `f` returns false.
    fn scan_records(
        &self,
        from: u64,
        f: &mut dyn FnMut(StoredRecord) -> bool,
    ) -> Result<(), StoreError>;

    /// A case's records in leaf order.
    fn case_records(&self, case_id: &str) -> Result<Vec<StoredRecord>, StoreError>;

    /// The heads of a case's records in leaf order (cheap: no envelopes, no sealed bytes).
    fn case_index(&self, case_id: &str) -> Result<Vec<RecordHead>, StoreError>;

    /// The leaf index of a case's newest record (`None` for an unknown case).
    /// Every write to a case changes it, so it tells a reader whether a view
    /// folded earlier is still current. Backends should answer from an index.
    fn case_newest_leaf(&self, case_id: &str) -> Result<Option<u64>, StoreError> {
        Ok(self.case_index(case_id)?.last().map(|h| h.leaf_index))
    }

    fn record(&self, id: &str) -> Result<Option<StoredRecord>, StoreError>;

    /// Ids of all cases (from their opening records), in ledger order.
    fn case_ids(&self) -> Result<Vec<String>, StoreError>;

    fn wrapped_key(&self, scope: &str) -> Result<Option<Vec<u8>>, StoreError>;

    fn record_count(&self) -> Result<u64, StoreError>;

    /// The leaf hashes of leaves `[from, to)`, in leaf order (for building proofs).
    fn leaf_hashes(&self, from: u64, to: u64) -> Result<Vec<Hash>, StoreError>;

    /// The first checkpoint whose tree contains leaf `leaf_index` (size > leaf_index).
    fn checkpoint_covering(&self, leaf_index: u64) -> Result<Option<StoredCheckpoint>, StoreError>;

    /// The checkpoint of exactly `size` leaves, if one was written.
    fn checkpoint_at(&self, size: u64) -> Result<Option<StoredCheckpoint>, StoreError>;

    /// Keep a timestamp token; its checkpoint must exist ([`StoreError::UnknownCheckpoint`] otherwise).
    fn add_timestamp(&self, timestamp: &StoredTimestamp) -> Result<(), StoreError>;

    /// Every stored timestamp token over a checkpoint of at most `max_size` leaves,
    /// by checkpoint size then in the order they were added.
    fn timestamps(&self, max_size: u64) -> Result<Vec<StoredTimestamp>, StoreError>;
}
