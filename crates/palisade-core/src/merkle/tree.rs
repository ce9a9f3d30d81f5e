//! A whole Merkle tree held in memory, for producing many proofs at once.
//!
//! [`super::inclusion_proof`] recomputes the subtrees it needs from the
//! leaves, `O(n)` hashes per proof. An evidence bundle needs one proof per
//! record, so it builds a [`MerkleTree`] once (`n - 1` hashes, `2n` hashes of
//! memory) and then answers every proof in `O(log² n)` lookups and hashes.

use super::{Hash, MerkleError, SubtreeRoots, consistency_path, inclusion_path, node_hash};

/// Every perfect, aligned subtree root of a tree: `levels[k][i]` is the root
/// of leaves `[i·2^k, (i+1)·2^k)`.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (leaf hashes, in order).
    #[must_use]
    pub fn new(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        while let Some(below) = levels.last().filter(|l| l.len() > 1) {
            let above: Vec<Hash> = below
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            levels.push(above);
        }
        Self { levels }
    }

    /// The number of leaves.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, Vec::len) as u64
    }

    /// The leaf hash at `index`, if any.
    #[must_use]
    pub fn leaf(&self, index: u64) -> Option<&Hash> {
        let i = usize::try_from(index).ok()?;
        self.levels.first()?.get(i)
    }

    /// The root of the tree over the first `size` leaves (`MTH(D[size])`).
    pub fn root_at(&self, size: u64) -> Result<Hash, MerkleError> {
        let n = self.checked_size(size)?;
        if n == 0 {
            return Ok(super::empty_root());
        }
        Ok(self.root_of(0, n))
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, MerkleError> {
        let n = self.checked_size(size)?;
        inclusion_path(
            &Prefix {
                tree: self,
                size: n,
            },
            index,
        )
    }

    /// The consistency proof from the tree of `old_size` leaves to the tree of
    /// `new_size` leaves.
    pub fn consistency_proof(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<Hash>, MerkleError> {
        let n = self.checked_size(new_size)?;
        consistency_path(
            &Prefix {
                tree: self,
                size: n,
            },
            old_size,
        )
    }

    fn checked_size(&self, size: u64) -> Result<usize, MerkleError> {
        usize::try_from(size)
            .ok()
            .filter(|&s| s as u64 <= self.size())
            .ok_or(MerkleError::IndexOutOfRange {
                index: size,
                size: self.size(),
            })
    }

    /// `MTH` of leaves `[start, start + len)`, where `start` is aligned to the
    /// largest power of two not above `len` (as in every RFC 6962 split).
    fn root_of(&self, start: usize, len: usize) -> Hash {
        if len.is_power_of_two() && start.is_multiple_of(len) {
            let level = len.trailing_zeros() as usize;
            if let Some(h) = self.levels.get(level).and_then(|l| l.get(start >> level)) {
                return *h;
            }
        }
        if len == 1 {
            return self.levels[0][start];
        }
        let k = 1usize << (usize::BITS - 1 - (len - 1).leading_zeros());
        node_hash(&self.root_of(start, k), &self.root_of(start + k, len - k))
    }
}

/// The tree restricted to its first `size` leaves.
struct Prefix<'a> {
    tree: &'a MerkleTree,
    size: usize,
}

impl SubtreeRoots for Prefix<'_> {
    fn size(&self) -> usize {
        self.size
    }
    fn root_of(&self, start: usize, len: usize) -> Hash {
        self.tree.root_of(start, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{consistency_proof, inclusion_proof, leaf_hash, root_from_leaf_hashes};

    #[test]
    fn agrees_with_the_slice_proofs_for_every_prefix() {
        let leaves: Vec<Hash> = (0u32..70).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let tree = MerkleTree::new(leaves.clone());
        for n in 1..=leaves.len() {
            let size = n as u64;
            assert_eq!(
                tree.root_at(size).unwrap(),
                root_from_leaf_hashes(&leaves[..n])
            );
            for i in 0..size {
                assert_eq!(
                    tree.inclusion_proof(i, size).unwrap(),
                    inclusion_proof(&leaves[..n], i).unwrap(),
                    "i={i} n={n}"
                );
            }
            for m in 0..=size {
                assert_eq!(
                    tree.consistency_proof(m, size).unwrap(),
                    consistency_proof(&leaves[..n], m).unwrap(),
                    "m={m} n={n}"
                );
            }
        }
        assert!(tree.inclusion_proof(0, 71).is_err());
        assert!(tree.consistency_proof(5, 3).is_err());
    }
}
