//! The ledger service: creating and opening a data directory, unlocking
//! its keys, and committing records (seal, hash, extend the tree, sign the
//! checkpoint, chain it, write atomically).

use crate::error::{Result, ServiceError};
use crate::keys::{self, KeyOptions};
use crate::stream::{Placer, RecordSealer};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use palisade_core::checkpoint::{CheckpointBody, LogSigner, NoteVerifier};
use palisade_core::compose::{self, Stamp};
use palisade_core::crypto::{self, KdfParams, SecretKey};
use palisade_core::ids::new_id;
use palisade_core::merkle::{self, Frontier, Hash};
use palisade_core::record::{Disclosure, Envelope, Record};
use palisade_core::time::Moment;
use palisade_store::{
    Append, FsBlobStore, Store, StoreError, StoredCheckpoint, StoredRecord, WrappedKey,
};
use palisade_store_sqlite::{DB_FILE, SqliteStore};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use zeroize::Zeroizing;

/// Scope of the installation-level data key (records that belong to no case).
pub const INSTALLATION_SCOPE: &str = "installation";
const FORMAT: &str = "palisade-store-v1";
const AAD_KEY_CHECK: &[u8] = b"palisade/v1/key-check";
const AAD_SIGNING_KEY: &[u8] = b"palisade/v1/signing-key";
const CHAIN_LABEL: &str = "palisade/v1/checkpoint-chain";
const SOFTWARE: &str = concat!("palisade ", env!("CARGO_PKG_VERSION"));

mod meta {
    pub const FORMAT: &str = "format";
    pub const INSTALLATION_ID: &str = "installation_id";
    pub const ORIGIN: &str = "origin";
    pub const KEY_MODE: &str = "key_mode";
    pub const KDF: &str = "kdf";
    pub const KEY_CHECK: &str = "key_check";
    pub const MASTER_FINGERPRINT: &str = "master_key_fingerprint";
    pub const SIGNING_KEY: &str = "signing_key";
    pub const PUBLIC_KEY: &str = "public_key";
    pub const CREATED_AT: &str = "created_at";
    /// MAC over every other entry, so no setting can be altered unnoticed.
    pub const MAC: &str = "meta_mac";
}

const META_MAC_LABEL: &str = "palisade/v1/meta";

/// The MAC over the store's settings: every (key, value) but `meta_mac`, sorted by key.
fn meta_mac(master: &SecretKey, entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut m = Vec::new();
    for (k, v) in entries.iter().filter(|(k, _)| k != meta::MAC) {
        m.extend_from_slice(&(k.len() as u64).to_be_bytes());
        m.extend_from_slice(k.as_bytes());
        m.extend_from_slice(&(v.len() as u64).to_be_bytes());
        m.extend_from_slice(v);
    }
    crypto::hmac_sha256(master.derive(META_MAC_LABEL).expose(), &m).to_vec()
}

#[derive(Serialize, Deserialize)]
struct KdfMeta {
    salt: String,
    #[serde(flatten)]
    params: KdfParams,
}

/// What `init` made, for the user to note down.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub data_dir: String,
    pub installation_id: String,
    pub origin: String,
    pub key_mode: String,
    pub key_file: Option<String>,
    pub master_key_fingerprint: String,
    pub public_key: String,
    pub public_key_fingerprint: String,
    pub checkpoint: String,
}

/// Proof that a record is durable: where it sits in the ledger.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub id: String,
    pub leaf_index: u64,
    pub recorded_at: String,
    pub tree_size: u64,
}

/// A record ready to commit, with the data-key scope it is sealed under.
pub struct Pending {
    pub record: Record,
    pub scope: String,
    /// A data key created with this record (a new case's key), stored wrapped.
    pub new_key: Option<SecretKey>,
}

/// An open Palisade data directory with its keys unlocked.
pub struct Palisade {
    pub(crate) dir: PathBuf,
    pub(crate) store: Box<dyn Store>,
    pub(crate) blobs: FsBlobStore,
    pub(crate) master: SecretKey,
    pub(crate) signer: LogSigner,
    pub(crate) verifier: NoteVerifier,
    pub(crate) origin: String,
    pub(crate) installation_id: String,
    chain_key: SecretKey,
    case_keys: Mutex<HashMap<String, SecretKey>>,
    pub(crate) write_lock: Mutex<()>,
    /// Case views as people read them, kept while current (see `case_cache`).
    pub(crate) case_cache: crate::case_cache::CaseCache,
}

impl std::fmt::Debug for Palisade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Palisade")
            .field("dir", &self.dir)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

fn blob_dir(dir: &Path) -> PathBuf {
    dir.join("blobs")
}

pub(crate) fn now() -> Moment {
    Moment::utc(Timestamp::now())
}

/// The MAC that chains checkpoint `c` to the one before it (`prev`).
fn chain_mac(key: &SecretKey, prev: &Hash, c: &StoredCheckpoint) -> Hash {
    let mut m = Vec::with_capacity(128 + c.note.len() + 32 * c.frontier.len());
    m.extend_from_slice(prev);
    m.extend_from_slice(&c.size.to_be_bytes());
    m.extend_from_slice(&(c.note.len() as u64).to_be_bytes());
    m.extend_from_slice(c.note.as_bytes());
    for h in &c.frontier {
        m.extend_from_slice(h);
    }
    m.extend_from_slice(&(c.created_at.len() as u64).to_be_bytes());
    m.extend_from_slice(c.created_at.as_bytes());
    crypto::hmac_sha256(key.expose(), &m)
}

fn text_meta(store: &dyn Store, key: &str) -> Result<String> {
    let v = store.meta(key)?.ok_or_else(|| {
        ServiceError::NotAStore(format!(
            "the store has no '{key}' setting; it is damaged or not a Palisade store"
        ))
    })?;
    String::from_utf8(v)
        .map_err(|_| ServiceError::Integrity(format!("store setting '{key}' is not text")))
}

impl Palisade {
    /// Create a new store in `dir` (which must not exist or be empty).
    pub fn init(dir: &Path, keys: &KeyOptions) -> Result<(Palisade, InitReport)> {
        if db_path(dir).exists() {
            return Err(ServiceError::AlreadyExists(format!(
                "{} already holds a Palisade store; refusing to overwrite it",
                dir.display()
            )));
        }
        let existed = dir.exists();
        if existed
            && std::fs::read_dir(dir)
                .map_err(ServiceError::io(dir))?
                .next()
                .is_some()
        {
            return Err(ServiceError::AlreadyExists(format!(
                "{} exists and is not empty; choose a new or empty folder for the data directory",
                dir.display()
            )));
        }
        let installation_id = new_id("inst")?;
        let origin = format!("palisade/{installation_id}");
        // Decide where the master key comes from before writing anything.
        let (master, key_mode, key_file, kdf) = if let Some(path) = &keys.key_file {
            check_key_outside(dir, path)?;
            (SecretKey::generate()?, "file", Some(path.clone()), None)
        } else if let Some(pass) = &keys.passphrase {
            if pass.chars().count() < 12 {
                return Err(ServiceError::Invalid(
                    "PALISADE_PASSPHRASE must be at least 12 characters long".into(),
                ));
            }
            let salt: [u8; 16] = crypto::random_bytes()?;
            let params = KdfParams::DEFAULT;
            let k = crypto::derive_from_passphrase(pass.as_bytes(), &salt, params)?;
            let kdf = KdfMeta {
                salt: URL_SAFE_NO_PAD.encode(salt),
                params,
            };
            (k, "passphrase", None, Some(kdf))
        } else {
            let path = keys::default_key_path(&installation_id).ok_or_else(|| {
                ServiceError::KeyMissing(
                    "no home folder to keep the key in; give --key-file or PALISADE_PASSPHRASE"
                        .into(),
                )
            })?;
            check_key_outside(dir, &path)?;
            (SecretKey::generate()?, "file", Some(path), None)
        };
        if let Some(p) = key_file.as_ref().filter(|p| p.exists()) {
            return Err(ServiceError::AlreadyExists(format!(
                "a file already exists at {}; refusing to overwrite a key file",
                p.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(ServiceError::io(dir))?;
        let result = Self::create_store(
            dir,
            &installation_id,
            &origin,
            master,
            key_mode,
            kdf,
            key_file.as_deref(),
        );
        if result.is_err() {
            // Leave nothing half-made behind.
            let _ = std::fs::remove_file(db_path(dir));
            let _ = std::fs::remove_file(dir.join(format!("{DB_FILE}-wal")));
            let _ = std::fs::remove_file(dir.join(format!("{DB_FILE}-shm")));
            let _ = std::fs::remove_dir_all(blob_dir(dir));
            let _ = std::fs::remove_file(dir.join("README.txt"));
            if !existed {
                let _ = std::fs::remove_dir(dir);
            }
        }
        let (p, checkpoint) = result?;
        let report = InitReport {
            data_dir: dir.display().to_string(),
            installation_id,
            origin: p.origin.clone(),
            key_mode: key_mode.to_string(),
            key_file: key_file.map(|k| k.display().to_string()),
            master_key_fingerprint: p.master.fingerprint(),
            public_key: p.verifier.to_vkey(),
            public_key_fingerprint: p.verifier.fingerprint(),
            checkpoint,
        };
        Ok((p, report))
    }

    fn create_store(
        dir: &Path,
        installation_id: &str,
        origin: &str,
        master: SecretKey,
        key_mode: &str,
        kdf: Option<KdfMeta>,
        key_file: Option<&Path>,
    ) -> Result<(Palisade, String)> {
        let signer = LogSigner::generate(origin)?;
        let verifier = signer.verifier();
        let store = SqliteStore::create(&db_path(dir))?;
        let blobs = FsBlobStore::new(blob_dir(dir));
        blobs.create()?;
        std::fs::write(dir.join("README.txt"), DATA_DIR_README).map_err(ServiceError::io(dir))?;
        let created = now().to_string();
        let mut meta: Vec<(&str, Vec<u8>)> = vec![
            (meta::FORMAT, FORMAT.into()),
            (meta::INSTALLATION_ID, installation_id.into()),
            (meta::ORIGIN, origin.into()),
            (meta::KEY_MODE, key_mode.into()),
            (
                meta::KEY_CHECK,
                crypto::seal(&master, AAD_KEY_CHECK, b"palisade key check")?,
            ),
            (meta::MASTER_FINGERPRINT, master.fingerprint().into()),
            (
                meta::SIGNING_KEY,
                crypto::seal(&master, AAD_SIGNING_KEY, &signer.seed()[..])?,
            ),
            (meta::PUBLIC_KEY, verifier.to_vkey().into()),
            (meta::CREATED_AT, created.into()),
        ];
        if let Some(k) = &kdf {
            meta.push((meta::KDF, serde_json::to_vec(k).unwrap_or_default()));
        }
        let mut sorted: Vec<(String, Vec<u8>)> = meta
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        sorted.sort();
        meta.push((meta::MAC, meta_mac(&master, &sorted)));
        let install_key = SecretKey::generate()?;
        let p = Palisade::assemble(
            dir,
            Box::new(store),
            master,
            signer,
            origin,
            installation_id,
        );
        let stamp = Stamp {
            id: new_id("init")?,
            recorded_at: now(),
        };
        let record = compose::ledger_initialised(
            &stamp,
            origin,
            &verifier.to_vkey(),
            &p.master.fingerprint(),
            SOFTWARE,
        )?;
        let pending = Pending {
            record,
            scope: INSTALLATION_SCOPE.into(),
            new_key: Some(install_key),
        };
        let (rows, keys) = p.seal_pending(std::slice::from_ref(&pending))?;
        let mut frontier = Frontier::new();
        frontier.push(rows[0].leaf_hash);
        let checkpoint = p.make_checkpoint(&frontier, &[0u8; 32]);
        p.store.initialise(
            &meta,
            Append {
                expected_size: 0,
                records: &rows,
                keys: &keys,
                checkpoint: &checkpoint,
            },
        )?;
        if let Some(path) = key_file {
            keys::write_key_file(path, &p.master, installation_id)?;
        }
        crate::witness::record(installation_id, &checkpoint.note);
        if let Some(k) = pending.new_key {
            p.remember_key(INSTALLATION_SCOPE, k);
        }
        Ok((p, checkpoint.note))
    }

    fn assemble(
        dir: &Path,
        store: Box<dyn Store>,
        master: SecretKey,
        signer: LogSigner,
        origin: &str,
        installation_id: &str,
    ) -> Palisade {
        Palisade {
            dir: dir.to_path_buf(),
            store,
            blobs: FsBlobStore::new(blob_dir(dir)),
            chain_key: master.derive(CHAIN_LABEL),
            master,
            verifier: signer.verifier(),
            signer,
            origin: origin.to_string(),
            installation_id: installation_id.to_string(),
            case_keys: Mutex::new(HashMap::new()),
            write_lock: Mutex::new(()),
            case_cache: crate::case_cache::CaseCache::default(),
        }
    }

    /// Whether `dir` already holds a Palisade store (its database file), so a
    /// caller can offer to create one instead of failing to open it.
    pub fn holds_store(dir: &Path) -> bool {
        db_path(dir).is_file()
    }

    /// Open an existing store and unlock it.
    pub fn open(dir: &Path, keys: &KeyOptions) -> Result<Palisade> {
        if !dir.is_dir() {
            return Err(ServiceError::NotAStore(format!(
                "data directory {} does not exist (create one with `palisade init`)",
                dir.display()
            )));
        }
        if !db_path(dir).is_file() {
            return Err(ServiceError::NotAStore(format!(
                "{} is not a Palisade data directory (it has no {DB_FILE})",
                dir.display()
            )));
        }
        let store = SqliteStore::open(&db_path(dir))?;
        let format = store.meta(meta::FORMAT)?;
        if format.as_deref() != Some(FORMAT.as_bytes()) {
            return Err(ServiceError::NotAStore(format!(
                "{} is not a Palisade data directory (unknown database format)",
                dir.display()
            )));
        }
        let installation_id = text_meta(&store, meta::INSTALLATION_ID)?;
        let origin = text_meta(&store, meta::ORIGIN)?;
        let mode = text_meta(&store, meta::KEY_MODE)?;
        let expected_fp = text_meta(&store, meta::MASTER_FINGERPRINT)?;
        let (master, described) = match mode.as_str() {
            "passphrase" => {
                let pass = keys.passphrase.as_ref().ok_or_else(|| {
                    ServiceError::KeyMissing(
                        "this store is protected by a passphrase: set PALISADE_PASSPHRASE".into(),
                    )
                })?;
                let kdf: KdfMeta =
                    serde_json::from_slice(&store.meta(meta::KDF)?.unwrap_or_default()).map_err(
                        |_| ServiceError::Integrity("the passphrase settings are damaged".into()),
                    )?;
                let salt = URL_SAFE_NO_PAD.decode(&kdf.salt).map_err(|_| {
                    ServiceError::Integrity("the passphrase salt is damaged".into())
                })?;
                (
                    crypto::derive_from_passphrase(pass.as_bytes(), &salt, kdf.params)?,
                    "the passphrase in PALISADE_PASSPHRASE".to_string(),
                )
            }
            "file" => {
                let path = match &keys.key_file {
                    Some(p) => p.clone(),
                    None => keys::default_key_path(&installation_id).ok_or_else(|| {
                        ServiceError::KeyMissing(
                            "give the store's key file with --key-file or PALISADE_KEY_FILE".into(),
                        )
                    })?,
                };
                (
                    keys::read_key_file(&path)?,
                    format!("the key in {}", path.display()),
                )
            }
            other => {
                return Err(ServiceError::Integrity(format!(
                    "unknown key mode '{other}'"
                )));
            }
        };
        let check = store.meta(meta::KEY_CHECK)?.unwrap_or_default();
        if crypto::open(&master, AAD_KEY_CHECK, &check).is_err() {
            return Err(ServiceError::WrongKey(format!(
                "wrong key: {described} (fingerprint {}) does not open the store in {}, which expects key fingerprint {expected_fp}",
                master.fingerprint(),
                dir.display()
            )));
        }
        let sealed_seed = store.meta(meta::SIGNING_KEY)?.unwrap_or_default();
        let seed = Zeroizing::new(
            crypto::open(&master, AAD_SIGNING_KEY, &sealed_seed).map_err(|_| {
                ServiceError::Integrity("the sealed signing key cannot be opened".into())
            })?,
        );
        let seed: Zeroizing<[u8; 32]> =
            Zeroizing::new(seed.as_slice().try_into().map_err(|_| {
                ServiceError::Integrity("the signing key has the wrong length".into())
            })?);
        let signer = LogSigner::from_seed(&origin, &seed);
        let stored_vkey = text_meta(&store, meta::PUBLIC_KEY)?;
        if signer.verifier().to_vkey() != stored_vkey {
            return Err(ServiceError::Integrity(
                "the stored public key does not belong to this store's signing key".into(),
            ));
        }
        Ok(Palisade::assemble(
            dir,
            Box::new(store),
            master,
            signer,
            &origin,
            &installation_id,
        ))
    }

    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn installation_id(&self) -> &str {
        &self.installation_id
    }

    /// Open (creating it on first use) the account database `accounts.db` of this
    /// data directory; its keys are derived from the master key.
    pub fn open_accounts(
        &self,
        clock: std::sync::Arc<dyn crate::accounts::Clock>,
    ) -> Result<crate::accounts::Accounts> {
        crate::accounts::Accounts::open(&self.dir, &self.master, clock)
    }

    /// The signed-note verifier key (`name+id+key`) that checks this ledger's checkpoints.
    pub fn public_key(&self) -> String {
        self.verifier.to_vkey()
    }

    pub fn public_key_fingerprint(&self) -> String {
        self.verifier.fingerprint()
    }

    pub fn master_key_fingerprint(&self) -> String {
        self.master.fingerprint()
    }

    /// The latest signed checkpoint.
    pub fn checkpoint(&self) -> Result<String> {
        Ok(self.store.head()?.ok_or(StoreError::NotInitialised)?.note)
    }

    pub(crate) fn remember_key(&self, scope: &str, key: SecretKey) {
        if let Ok(mut m) = self.case_keys.lock() {
            m.insert(scope.to_string(), key);
        }
    }

    /// The data key of a scope (a case id or the installation), unwrapped once and cached.
    pub(crate) fn data_key(&self, scope: &str) -> Result<SecretKey> {
        if let Some(k) = self
            .case_keys
            .lock()
            .ok()
            .and_then(|m| m.get(scope).cloned())
        {
            return Ok(k);
        }
        let wrapped = self.store.wrapped_key(scope)?.ok_or_else(|| {
            ServiceError::Integrity(format!("the data key of '{scope}' is missing"))
        })?;
        let key = crypto::unwrap_key(&self.master, scope, &wrapped).map_err(|_| {
            ServiceError::Integrity(format!("the data key of '{scope}' cannot be unwrapped"))
        })?;
        self.remember_key(scope, key.clone());
        Ok(key)
    }

    /// Decrypt and check a stored record: envelope canonical, leaf hash right, every
    /// disclosure matching its digest.
    pub(crate) fn open_record(&self, row: &StoredRecord) -> Result<Record> {
        self.check_record(row).map_err(|what| {
            ServiceError::Integrity(format!("record {} ({}): {what}", row.leaf_index, row.id))
        })
    }

    /// [`Palisade::open_record`], with the problem as plain text for reports.
    pub(crate) fn check_record(&self, row: &StoredRecord) -> std::result::Result<Record, String> {
        let env = Envelope::parse(&row.envelope).map_err(|e| e.to_string())?;
        if merkle::leaf_hash(&row.envelope) != row.leaf_hash {
            return Err("stored leaf hash does not match the envelope".into());
        }
        let scope = env.case.as_deref().unwrap_or(INSTALLATION_SCOPE);
        let key = self.data_key(scope).map_err(|e| e.to_string())?;
        let plain = Zeroizing::new(crypto::open(&key, &row.leaf_hash, &row.sealed).map_err(
            |_| {
                "sealed fields cannot be decrypted (altered, or moved from another record)"
                    .to_string()
            },
        )?);
        let disclosures: Vec<Disclosure> = serde_json::from_slice(&plain)
            .map_err(|e| format!("sealed fields are malformed: {e}"))?;
        Record::open(env, disclosures).map_err(|e| e.to_string())
    }

    /// Seal records of the first write (nothing else is in the store yet).
    fn seal_pending(&self, pending: &[Pending]) -> Result<(Vec<StoredRecord>, Vec<WrappedKey>)> {
        let mut keys = Vec::new();
        let mut fresh: HashMap<String, SecretKey> = HashMap::new();
        for p in pending {
            if let Some(k) = &p.new_key {
                keys.push(WrappedKey {
                    scope: p.scope.clone(),
                    wrapped: crypto::wrap_key(&self.master, &p.scope, k)?,
                });
                fresh.insert(p.scope.clone(), k.clone());
            }
        }
        let mut sealer = RecordSealer::new(self, &fresh);
        let mut placer = Placer::new(Frontier::new());
        let rows = pending
            .iter()
            .map(|p| {
                let mut row = StoredRecord::default();
                sealer.seal_into(&p.record, &p.scope, &mut row)?;
                placer.place(&mut row);
                Ok(row)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, keys))
    }

    pub(crate) fn make_checkpoint(&self, frontier: &Frontier, prev_mac: &Hash) -> StoredCheckpoint {
        let note = self.signer.sign(&CheckpointBody {
            origin: self.origin.clone(),
            size: frontier.size(),
            root: frontier.root(),
        });
        let mut c = StoredCheckpoint {
            size: frontier.size(),
            note,
            frontier: frontier.subtrees().to_vec(),
            created_at: now().to_string(),
            mac: [0u8; 32],
        };
        c.mac = chain_mac(&self.chain_key, prev_mac, &c);
        c
    }

    /// Whether the store's settings still carry their MAC.
    pub(crate) fn settings_intact(&self) -> Result<bool> {
        let entries = self.store.meta_entries()?;
        let stored = entries
            .iter()
            .find(|(k, _)| k == meta::MAC)
            .map(|(_, v)| v.clone());
        Ok(stored.is_some_and(|mac| {
            subtle::ConstantTimeEq::ct_eq(&mac[..], &meta_mac(&self.master, &entries)[..]).into()
        }))
    }

    /// The MAC a checkpoint should carry given the previous one's.
    pub(crate) fn expected_mac(&self, prev: &Hash, c: &StoredCheckpoint) -> Hash {
        chain_mac(&self.chain_key, prev, c)
    }

    /// Check the head before extending it: signature, origin, frontier matches the signed root.
    pub(crate) fn checked_head(&self) -> Result<(StoredCheckpoint, Frontier)> {
        let head = self.store.head()?.ok_or(StoreError::NotInitialised)?;
        let body = CheckpointBody::verify_note(&head.note, &self.verifier, &self.origin)
            .map_err(|e| ServiceError::Integrity(format!("latest checkpoint: {e}")))?;
        let frontier = Frontier::from_parts(head.size, head.frontier.clone())
            .map_err(|e| ServiceError::Integrity(format!("latest checkpoint: {e}")))?;
        if body.size != head.size || frontier.root() != body.root {
            return Err(ServiceError::Integrity(
                "the latest checkpoint does not match the stored tree; refusing to write".into(),
            ));
        }
        Ok((head, frontier))
    }
}

fn check_key_outside(dir: &Path, key: &Path) -> Result<()> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if abs(key).starts_with(abs(dir)) {
        return Err(ServiceError::Invalid(format!(
            "the key file {} would be inside the data directory {}; keep the key elsewhere",
            key.display(),
            dir.display()
        )));
    }
    Ok(())
}

const DATA_DIR_README: &str = "This folder is a Palisade data directory.\n\
\n\
palisade.sqlite3  the ledger: every record, encrypted, with signed checkpoints\n\
blobs/            attachments, encrypted\n\
\n\
The master key is NOT kept here. Without it nothing in this folder can be read.\n\
Do not edit these files: `palisade verify` detects any change.\n\
Back up this folder and, separately and safely, the key file.\n";
