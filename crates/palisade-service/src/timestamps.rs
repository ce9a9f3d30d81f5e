//! RFC 3161 trusted timestamps over checkpoints: obtaining one from a
//! Time-Stamp Authority, and re-checking the stored ones in `verify`.

use crate::error::{Result, ServiceError};
use crate::ledger::{Palisade, now};
use palisade_store::StoredTimestamp;
use serde::Serialize;
use std::time::Duration;

/// How long to wait for a Time-Stamp Authority.
const TSA_TIMEOUT: Duration = Duration::from_secs(30);

/// A token obtained and stored.
#[derive(Debug, Clone, Serialize)]
pub struct TimestampReceipt {
    /// The size of the checkpoint the token covers.
    pub tree_size: u64,
    pub authority: String,
    /// The time the authority vouches for.
    pub time: String,
    pub signer: String,
    pub signer_certificate_sha256: String,
}

impl Palisade {
    /// Ask the Time-Stamp Authority at `url` for a token over the latest
    /// checkpoint, check it, and keep it with the checkpoint.
    pub fn timestamp_checkpoint(&self, url: &str) -> Result<TimestampReceipt> {
        let (head, _) = self.checked_head()?;
        let digest = palisade_timestamp::digest_of(head.note.as_bytes());
        let stamp = palisade_timestamp::request_token(url, &digest, TSA_TIMEOUT)
            .map_err(|e| ServiceError::Invalid(format!("no timestamp from {url}: {e}")))?;
        self.store.add_timestamp(&StoredTimestamp {
            size: head.size,
            token: stamp.token_der,
            authority: url.to_string(),
            created_at: now().to_string(),
        })?;
        Ok(TimestampReceipt {
            tree_size: head.size,
            authority: url.to_string(),
            time: stamp.info.gen_time,
            signer: stamp.info.signer_subject,
            signer_certificate_sha256: stamp.info.signer_certificate_sha256,
        })
    }

    /// Every stored token against the checkpoint it claims to cover: `(count, problems)`
    /// with each problem as (checkpoint size, description).
    pub(crate) fn check_timestamps(&self) -> Result<(u64, Vec<(u64, String)>)> {
        let all = self.store.timestamps(u64::MAX)?;
        let mut problems = Vec::new();
        for t in &all {
            let Some(cp) = self.store.checkpoint_at(t.size)? else {
                problems.push((
                    t.size,
                    "a timestamp token covers a checkpoint that is missing".into(),
                ));
                continue;
            };
            let digest = palisade_timestamp::digest_of(cp.note.as_bytes());
            if let Err(e) = palisade_timestamp::verify_token(&t.token, &digest) {
                problems.push((t.size, format!("timestamp token from {}: {e}", t.authority)));
            }
        }
        Ok((all.len() as u64, problems))
    }
}
