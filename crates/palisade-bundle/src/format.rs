//! The JSON documents inside a bundle (docs/bundle.md sections 3–6).
//!
//! Hashes of tree nodes are standard base64 (as in checkpoints); SHA-256s
//! of files are lower-case hex (as in attachment records).

use serde::{Deserialize, Serialize};

/// `manifest.json`: what the bundle holds and for whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `palisade-bundle`.
    pub format: String,
    /// Format version, `1`.
    pub version: u64,
    /// The case id.
    pub case: String,
    pub profile: String,
    pub profile_description: String,
    /// Whether clinical information was included on request (`--include-clinical`).
    pub include_clinical: bool,
    /// The id of the disclosure record this export wrote to the ledger.
    pub disclosure_record: String,
    /// When the export was made (the disclosure record's `recorded_at`).
    pub exported_at: String,
    pub exported_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub checkpoint: CheckpointRef,
    /// Every record in the bundle, in leaf order.
    pub records: Vec<ManifestRecord>,
    /// Every attachment record in the bundle, in leaf order.
    pub attachments: Vec<ManifestAttachment>,
    /// RFC 3161 timestamp tokens over checkpoints this bundle's tree extends.
    pub timestamps: Vec<ManifestTimestamp>,
}

/// The signed checkpoint every proof in the bundle leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRef {
    pub origin: String,
    pub size: u64,
    /// Root hash, base64.
    pub root: String,
    /// Hex SHA-256 of the 32-byte Ed25519 public key.
    pub key_fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestRecord {
    pub leaf_index: u64,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Names of the fields whose disclosures are included.
    pub disclosed: Vec<String>,
    /// Names of committed fields left out under the profile.
    pub withheld: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestAttachment {
    /// The attachment record's id.
    pub record: String,
    /// The entry, action or import it belongs to.
    pub belongs_to: String,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    /// The original file name.
    pub name: String,
    /// Path of the bytes inside the bundle, or absent when withheld.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Why the bytes are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestTimestamp {
    /// Path of the DER token inside the bundle.
    pub file: String,
    /// Size of the checkpoint the token covers.
    pub checkpoint_size: u64,
    /// The Time-Stamp Authority's URL, as configured (informative).
    pub authority: String,
}

/// One line of `records.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordLine {
    pub leaf_index: u64,
    /// The exact leaf bytes (the envelope's JCS form) as a string.
    pub envelope: String,
    /// Each included disclosure's exact JCS bytes `[salt, name, value]`, as a string.
    pub disclosures: Vec<String>,
    /// Committed fields whose disclosures are left out.
    pub withheld: Vec<String>,
}

/// `proofs.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proofs {
    /// The size of the checkpoint in `checkpoint.txt`.
    pub tree_size: u64,
    /// One inclusion proof per record, in leaf order.
    pub inclusion: Vec<InclusionProof>,
    /// From the checkpoint written with the case's first record to `tree_size`.
    pub consistency: ConsistencyProof,
    /// One per timestamp token, in manifest order.
    pub timestamps: Vec<ConsistencyProof>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    pub leaf_index: u64,
    /// The RFC 6962 audit path, leaf side first, base64.
    pub path: Vec<String>,
}

/// A consistency proof from an earlier signed checkpoint to the bundle's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// The earlier checkpoint, as the signed note text.
    pub checkpoint: String,
    /// The RFC 6962 consistency path, base64.
    pub path: Vec<String>,
}
