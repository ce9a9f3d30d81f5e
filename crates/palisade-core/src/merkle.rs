//! RFC 6962 / RFC 9162 Merkle tree hashing, proofs and proof verification.
//!
//! The log is a Merkle Tree Hash (MTH) over an ordered list of leaves, exactly
//! as defined in RFC 6962 section 2.1 (unchanged in RFC 9162 section 2.1.1):
//!
//! * leaf hash: `SHA-256(0x00 || leaf)` ([`leaf_hash`]),
//! * interior node: `SHA-256(0x01 || left || right)` ([`node_hash`]),
//! * empty tree: `SHA-256("")` ([`empty_root`]),
//! * for `n > 1` leaves the tree splits at `k`, the largest power of two
//!   strictly smaller than `n`: `MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n]))`.
//!
//! Proof *generation* ([`inclusion_proof`], [`consistency_proof`]) follows the
//! recursive definitions `PATH(m, D[n])` and `PROOF(m, D[n])` of RFC 6962
//! sections 2.1.1 and 2.1.2, unrolled into loops. Each call hashes every leaf
//! at most once, so a proof costs `O(n)` hashes and `O(log n)` memory.
//!
//! Proof *verification* ([`verify_inclusion`], [`verify_consistency`])
//! implements the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by
//! step; they never need the leaves, only sizes, hashes and the proof.
//!
//! [`Frontier`] is the compact range `[0, size)`: the roots of the perfect
//! subtrees that cover the log, one per set bit of the size. It supports
//! appending in amortised `O(1)` (worst case `O(log n)`) hashes and computing
//! the root in `O(log n)`, without access to old leaves.
//!
//! All functions take *leaf hashes*, not leaf data: callers hash their leaf
//! encodings with [`leaf_hash`] first.

use sha2::{Digest, Sha256};

mod tree;
pub use tree::MerkleTree;

/// A SHA-256 digest: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// Domain-separation prefix for leaf hashes (RFC 6962 section 2.1).
const LEAF_PREFIX: u8 = 0x00;
/// Domain-separation prefix for interior node hashes (RFC 6962 section 2.1).
const NODE_PREFIX: u8 = 0x01;

/// Errors returned by proof generation, proof verification and [`Frontier`].
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum MerkleError {
    /// A leaf index is not smaller than the tree size.
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange {
        /// The offending leaf index.
        index: u64,
        /// The tree size it was checked against.
        size: u64,
    },
    /// A consistency proof was requested or checked from a larger to a
    /// smaller tree.
    #[error("old tree size {old_size} is greater than new tree size {new_size}")]
    OldSizeGreater {
        /// The claimed old (first) tree size.
        old_size: u64,
        /// The claimed new (second) tree size.
        new_size: u64,
    },
    /// The proof has the wrong number of hashes for the given sizes / index.
    #[error("proof has {got} hashes but {expected} are required")]
    BadProofLength {
        /// The number of hashes a valid proof for these parameters has.
        expected: usize,
        /// The number of hashes supplied.
        got: usize,
    },
    /// The root(s) recomputed from the proof differ from the supplied root(s).
    #[error("the root recomputed from the proof does not match the expected root")]
    RootMismatch,
    /// [`Frontier::from_parts`] was given a subtree list that does not match
    /// the size (one subtree per set bit of the size is required).
    #[error("a frontier of size {size} needs {expected} subtree hashes, got {got}")]
    FrontierShape {
        /// The claimed frontier size.
        size: u64,
        /// `size.count_ones()`.
        expected: usize,
        /// The number of subtree hashes supplied.
        got: usize,
    },
}

/// `SHA-256(0x00 || leaf)`: the RFC 6962 hash of one leaf entry.
#[must_use]
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([LEAF_PREFIX]);
    hasher.update(leaf);
    hasher.finalize().into()
}

/// `SHA-256(0x01 || left || right)`: the RFC 6962 hash of an interior node.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([NODE_PREFIX]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of the empty tree: SHA-256 of the empty string.
#[must_use]
pub fn empty_root() -> Hash {
    Sha256::new().finalize().into()
}

/// `MTH(D[n])` for the given leaf hashes; [`empty_root`] for an empty slice.
///
/// Uses `n - 1` node hashes and `O(log n)` memory.
#[must_use]
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    let mut frontier = Frontier::new();
    for leaf in leaves {
        frontier.push(*leaf);
    }
    frontier.root()
}

/// Alias of [`root_from_leaf_hashes`]: the hash of the (sub)tree over `leaves`.
#[must_use]
pub fn subtree_root(leaves: &[Hash]) -> Hash {
    root_from_leaf_hashes(leaves)
}

/// The RFC 6962 split point: the largest power of two strictly below `n`.
/// Callers guarantee `n >= 2`.
fn split_point(n: usize) -> usize {
    debug_assert!(n >= 2);
    let exponent = usize::BITS - 1 - (n - 1).leading_zeros();
    1 << exponent
}

/// Converts a slice length to `u64` (lossless: `usize` is at most 64 bits).
fn len_u64(len: usize) -> u64 {
    len as u64
}

/// Compact range / right frontier of a log.
///
/// Holds the roots of the perfect subtrees covering leaves `[0, size)`,
/// largest (leftmost) first, one per set bit of `size`. For example a log of
/// 6 leaves is covered by `MTH(D[0:4])` and `MTH(D[4:6])`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    subtrees: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty log.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a frontier from a stored size and subtree list (largest
    /// subtree first). Fails unless `subtrees.len() == size.count_ones()`.
    ///
    /// The hashes themselves cannot be checked without the leaves; callers
    /// should compare [`Frontier::root`] against a trusted root.
    pub fn from_parts(size: u64, subtrees: Vec<Hash>) -> Result<Self, MerkleError> {
        let expected = size.count_ones() as usize;
        if subtrees.len() != expected {
            return Err(MerkleError::FrontierShape {
                size,
                expected,
                got: subtrees.len(),
            });
        }
        Ok(Self { size, subtrees })
    }

    /// Number of leaves appended so far.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Roots of the perfect subtrees covering `[0, size)`, largest first.
    #[must_use]
    pub fn subtrees(&self) -> &[Hash] {
        &self.subtrees
    }

    /// Appends one leaf hash, merging equal-sized subtrees (like a binary
    /// counter increment): one node hash per trailing one bit of the old size.
    ///
    /// A frontier cannot grow past `u64::MAX` leaves; that limit is not
    /// reachable in practice.
    pub fn push(&mut self, leaf_hash: Hash) {
        let mut hash = leaf_hash;
        let mut carry = self.size;
        while carry & 1 == 1 {
            match self.subtrees.pop() {
                Some(left) => hash = node_hash(&left, &hash),
                // Unreachable: `subtrees.len() == size.count_ones()` always holds.
                None => break,
            }
            carry >>= 1;
        }
        self.subtrees.push(hash);
        self.size += 1;
    }

    /// The tree root `MTH(D[size])`; equals [`root_from_leaf_hashes`] over all
    /// pushed leaves. The subtrees are folded right to left, which is exactly
    /// the RFC 6962 split at the largest power of two.
    #[must_use]
    pub fn root(&self) -> Hash {
        let mut rest = self.subtrees.iter().rev();
        match rest.next() {
            None => empty_root(),
            Some(last) => rest.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }
}

/// The audit path `PATH(m, D[n])` of RFC 6962 section 2.1.1 for leaf `index`
/// in the tree over `leaves` (`n = leaves.len()`), ordered from the leaf's
/// sibling up to the child of the root.
///
/// Fails with [`MerkleError::IndexOutOfRange`] if `index >= n` (including the
/// empty tree). Costs at most `n - 1` node hashes.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, MerkleError> {
    inclusion_path(&leaves, index)
}

/// A tree whose subtree roots can be computed: a slice of leaf hashes (each
/// root costs `O(len)`), or a [`MerkleTree`] (each root costs `O(log n)`).
pub(crate) trait SubtreeRoots {
    /// The number of leaves.
    fn size(&self) -> usize;
    /// `MTH` of the leaves `[start, start + len)`; `len >= 1`.
    fn root_of(&self, start: usize, len: usize) -> Hash;
}

impl SubtreeRoots for &[Hash] {
    fn size(&self) -> usize {
        self.len()
    }
    fn root_of(&self, start: usize, len: usize) -> Hash {
        subtree_root(&self[start..start + len])
    }
}

/// `PATH(m, D[n])` over any [`SubtreeRoots`].
pub(crate) fn inclusion_path(
    tree: &impl SubtreeRoots,
    index: u64,
) -> Result<Vec<Hash>, MerkleError> {
    let n = tree.size();
    let mut m =
        usize::try_from(index)
            .ok()
            .filter(|&m| m < n)
            .ok_or(MerkleError::IndexOutOfRange {
                index,
                size: len_u64(n),
            })?;
    // Walk down from the root; each level contributes the MTH of the subtree
    // not containing leaf m. The RFC appends that hash *after* the deeper
    // path, so the walk collects root-first and reverses at the end.
    let mut proof = Vec::new();
    let (mut start, mut len) = (0usize, n);
    while len > 1 {
        let k = split_point(len);
        if m < k {
            proof.push(tree.root_of(start + k, len - k));
            len = k;
        } else {
            proof.push(tree.root_of(start, k));
            m -= k;
            start += k;
            len -= k;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// The consistency proof `PROOF(m, D[n])` of RFC 6962 section 2.1.2 between
/// the tree of the first `old_size` leaves and the tree over all `leaves`.
///
/// The proof is empty when `old_size == leaves.len()` and, as in RFC 6962
/// (and accepted by [`verify_consistency`]), when `old_size == 0`. Fails with
/// [`MerkleError::OldSizeGreater`] if `old_size > leaves.len()`.
pub fn consistency_proof(leaves: &[Hash], old_size: u64) -> Result<Vec<Hash>, MerkleError> {
    consistency_path(&leaves, old_size)
}

/// `PROOF(m, D[n])` over any [`SubtreeRoots`].
pub(crate) fn consistency_path(
    tree: &impl SubtreeRoots,
    old_size: u64,
) -> Result<Vec<Hash>, MerkleError> {
    let n = tree.size();
    let mut m =
        usize::try_from(old_size)
            .ok()
            .filter(|&m| m <= n)
            .ok_or(MerkleError::OldSizeGreater {
                old_size,
                new_size: len_u64(n),
            })?;
    let mut proof = Vec::new();
    if m == 0 || m == n {
        return Ok(proof);
    }
    // SUBPROOF(m, D[n], b) unrolled; `known_root` is the flag `b`: true while
    // the current subtree still starts at leaf 0, i.e. the verifier already
    // knows its hash when it equals the whole old tree.
    let (mut start, mut len) = (0usize, n);
    let mut known_root = true;
    loop {
        if m == len {
            if !known_root {
                proof.push(tree.root_of(start, len));
            }
            break;
        }
        // Here 0 < m < len, so len >= 2.
        let k = split_point(len);
        if m <= k {
            proof.push(tree.root_of(start + k, len - k));
            len = k;
        } else {
            proof.push(tree.root_of(start, k));
            m -= k;
            start += k;
            len -= k;
            known_root = false;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// Number of hashes in a valid inclusion proof for `index < size`
/// (RFC 9162 section 2.1.3.1 shape: inner part plus right-border part).
fn inclusion_proof_len(index: u64, size: u64) -> usize {
    let last = size.saturating_sub(1);
    let inner = u64::BITS - (index ^ last).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner + border) as usize
}

/// Number of hashes in a valid consistency proof for `0 < old < new`.
fn consistency_proof_len(old_size: u64, new_size: u64) -> usize {
    if old_size == 0 || old_size >= new_size {
        return 0;
    }
    // The proof is the inclusion proof of the last perfect subtree of the
    // old tree (at `level`), plus that subtree itself unless it is the
    // whole old tree (old_size a power of two).
    let level = old_size.trailing_zeros();
    let index = (old_size - 1) >> level;
    let size = ((new_size - 1) >> level) + 1;
    inclusion_proof_len(index, size) + usize::from(index != 0)
}

/// Verifies that `leaf_hash` is the leaf at `index` in the tree of `size`
/// leaves with root `root`, using the algorithm of RFC 9162 section 2.1.3.2.
///
/// Errors: [`MerkleError::IndexOutOfRange`] if `index >= size`,
/// [`MerkleError::BadProofLength`] if the proof is too long or too short,
/// [`MerkleError::RootMismatch`] if the recomputed root differs.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    let bad_length = || MerkleError::BadProofLength {
        expected: inclusion_proof_len(index, size),
        got: proof.len(),
    };
    // 1. leaf_index >= tree_size fails.
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    // 2.-3. fn = leaf_index, sn = tree_size - 1, r = hash.
    let mut fnode = index;
    let mut snode = size - 1;
    let mut r = *leaf_hash;
    // 4. For each p in inclusion_path:
    for p in proof {
        // a. sn == 0 means the path is longer than the tree is high.
        if snode == 0 {
            return Err(bad_length());
        }
        // b. p is a left sibling if fn is a right child or the last node of
        //    its level (then skip levels where the node has no sibling).
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        // c. Move up one level.
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. sn must be 0 (path reached the root) and r must equal the root.
    if snode != 0 {
        return Err(bad_length());
    }
    if r != *root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// Verifies that the tree of `new_size` leaves with root `new_root` is an
/// append-only extension of the tree of `old_size` leaves with root
/// `old_root`, using the algorithm of RFC 9162 section 2.1.4.2.
///
/// RFC 9162 only defines the check for `0 < old_size < new_size`. The other
/// cases are handled as follows:
///
/// * `old_size > new_size`: [`MerkleError::OldSizeGreater`].
/// * `old_size == new_size`: the proof must be empty and the roots equal.
/// * `old_size == 0`: the empty tree is a prefix of every tree, so an empty
///   proof is trivially consistent (as RFC 6962 and the CT / Trillian
///   verifiers allow). We additionally require `old_root == empty_root()`,
///   since that is the only correct root of a size-0 tree; any other claimed
///   root yields [`MerkleError::RootMismatch`].
///
/// A non-empty proof where an empty one is required, or a proof of the wrong
/// length, yields [`MerkleError::BadProofLength`]; a mismatch of either
/// recomputed root yields [`MerkleError::RootMismatch`].
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), MerkleError> {
    if old_size > new_size {
        return Err(MerkleError::OldSizeGreater { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        if !proof.is_empty() {
            return Err(MerkleError::BadProofLength {
                expected: 0,
                got: proof.len(),
            });
        }
        if old_size == 0 && *old_root != empty_root() {
            return Err(MerkleError::RootMismatch);
        }
        if old_size == new_size && old_root != new_root {
            return Err(MerkleError::RootMismatch);
        }
        return Ok(());
    }

    // RFC 9162 section 2.1.4.2, with 0 < first < second.
    let bad_length = || MerkleError::BadProofLength {
        expected: consistency_proof_len(old_size, new_size),
        got: proof.len(),
    };
    // 1. An empty consistency_path fails.
    if proof.is_empty() {
        return Err(bad_length());
    }
    // 2. If first is an exact power of 2, prepend first_hash to the path.
    let prefix = old_size.is_power_of_two().then_some(*old_root);
    let mut path = prefix.into_iter().chain(proof.iter().copied());
    // 3. fn = first - 1, sn = second - 1.
    let mut fnode = old_size - 1;
    let mut snode = new_size - 1;
    // 4. If LSB(fn) is set, right-shift fn and sn until LSB(fn) is not set.
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    // 5. fr = sr = first value of the path.
    let Some(first) = path.next() else {
        return Err(bad_length());
    };
    let mut fr = first;
    let mut sr = first;
    // 6. For each subsequent value c of the path:
    for c in path {
        // a. sn == 0: the path is too long.
        if snode == 0 {
            return Err(bad_length());
        }
        // b. c is a left sibling: it is part of both trees.
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(&c, &fr);
            sr = node_hash(&c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            // Otherwise c is a right sibling that only the new tree has.
            sr = node_hash(&sr, &c);
        }
        // c. Move up one level.
        fnode >>= 1;
        snode >>= 1;
    }
    // 7. sn must be 0, fr must equal first_hash and sr must equal second_hash.
    if snode != 0 {
        return Err(bad_length());
    }
    if fr != *old_root || sr != *new_root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        for n in 2..=1025usize {
            let k = split_point(n);
            assert!(k.is_power_of_two() && k < n && 2 * k >= n, "n={n} k={k}");
        }
    }

    #[test]
    fn proof_lengths_match_generated_proofs() {
        let leaves: Vec<Hash> = (0u32..33).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for n in 1..=leaves.len() {
            let tree = &leaves[..n];
            let size = len_u64(n);
            for i in 0..size {
                let proof = inclusion_proof(tree, i).expect("in range");
                assert_eq!(inclusion_proof_len(i, size), proof.len(), "i={i} n={n}");
            }
            for m in 1..size {
                let proof = consistency_proof(tree, m).expect("m <= n");
                assert_eq!(consistency_proof_len(m, size), proof.len(), "m={m} n={n}");
            }
        }
    }

    #[test]
    fn frontier_push_keeps_shape_invariant() {
        let mut frontier = Frontier::new();
        for i in 0u64..200 {
            frontier.push(leaf_hash(&i.to_le_bytes()));
            assert_eq!(frontier.size(), i + 1);
            assert_eq!(frontier.subtrees().len(), (i + 1).count_ones() as usize);
        }
    }
}
