//! Tests for `palisade_core::merkle`:
//!
//! 1. Known-answer vectors from the public Certificate Transparency reference
//!    implementations (8-leaf reference tree).
//! 2. Cross-checks against a naive implementation of MTH / PATH / PROOF
//!    written directly from the recursive definitions of RFC 6962 2.1.
//! 3. Property tests on random trees: roots, frontier, every proof verifies,
//!    and every corruption (bit flips, wrong index / sizes / roots,
//!    truncation, extension) is rejected with the expected error.

use palisade_core::merkle::{
    Frontier, Hash, MerkleError, consistency_proof, empty_root, inclusion_proof, leaf_hash,
    node_hash, root_from_leaf_hashes, subtree_root, verify_consistency, verify_inclusion,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// Known-answer vectors.
//
// Source: transparency-dev/merkle, `proof/verify_test.go` (`leaves`, `roots`,
// `inclusionProofs`, `consistencyProofs`); the same tree, roots and proofs
// appear in google/certificate-transparency `cpp/merkletree/merkle_tree_test.cc`
// (`kInputs`, `kSHA256Roots`, `kSHA256Paths`, `kSHA256Proofs`). The leaf hashes
// are `kLeafHashes` from Chromium's `net/cert/ct_log_verifier_unittest.cc`,
// which replicates that CT test data. The hasher vectors are from
// transparency-dev/merkle `rfc6962/rfc6962_test.go`.
// ---------------------------------------------------------------------------

/// The leaf data (hex) of the reference tree.
const KAT_LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

const KAT_LEAF_HASHES: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
];

/// `KAT_ROOTS[i]` is the root of the tree of the first `i + 1` leaves.
const KAT_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const EMPTY_TREE_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// `sha256SomeHash` from transparency-dev/merkle `proof/verify_test.go`.
const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

/// (0-based leaf index, tree size, proof). The upstream vectors use 1-based
/// leaf numbers (`{1, 8, ...}` is leaf index 0); they are converted here.
const KAT_INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, proof).
const KAT_CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn h(hex_str: &str) -> Hash {
    let bytes = hex::decode(hex_str).expect("valid hex");
    bytes.try_into().expect("32-byte hash")
}

fn hs(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|s| h(s)).collect()
}

fn kat_leaf_hashes() -> Vec<Hash> {
    KAT_LEAVES
        .iter()
        .map(|s| leaf_hash(&hex::decode(s).expect("valid hex")))
        .collect()
}

fn kat_root(size: u64) -> Hash {
    h(KAT_ROOTS[usize::try_from(size - 1).expect("small")])
}

fn len64(len: usize) -> u64 {
    u64::try_from(len).expect("fits")
}

fn with_appended(proof: &[Hash], extra: Hash) -> Vec<Hash> {
    let mut out = proof.to_vec();
    out.push(extra);
    out
}

fn with_prepended(proof: &[Hash], extra: Hash) -> Vec<Hash> {
    let mut out = vec![extra];
    out.extend_from_slice(proof);
    out
}

#[test]
fn kat_hasher() {
    assert_eq!(empty_root(), h(EMPTY_TREE_HASH));
    // "RFC6962 Empty Leaf": the empty leaf hash differs from the empty root.
    assert_eq!(
        leaf_hash(&b""[..]),
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    );
    // "RFC6962 Leaf": echo -n 004C313233343536 | xxd -r -p | sha256sum
    assert_eq!(
        leaf_hash(&b"L123456"[..]),
        h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
    );
    // Node hashing is order dependent and domain separated from leaves.
    let (a, b) = (leaf_hash(&b"Hello"[..]), leaf_hash(&b"World"[..]));
    assert_ne!(node_hash(&a, &b), node_hash(&b, &a));
    assert_ne!(node_hash(&a, &b), leaf_hash(&[a, b].concat()));
}

#[test]
fn kat_leaf_hashes_and_roots() {
    let leaves = kat_leaf_hashes();
    assert_eq!(leaves, hs(&KAT_LEAF_HASHES));
    assert_eq!(root_from_leaf_hashes(&[]), h(EMPTY_TREE_HASH));
    assert_eq!(Frontier::new().root(), h(EMPTY_TREE_HASH));
    let mut frontier = Frontier::new();
    for (i, leaf) in leaves.iter().enumerate() {
        let size = i + 1;
        let want = h(KAT_ROOTS[i]);
        assert_eq!(root_from_leaf_hashes(&leaves[..size]), want, "size {size}");
        assert_eq!(subtree_root(&leaves[..size]), want, "size {size}");
        frontier.push(*leaf);
        assert_eq!(frontier.size(), len64(size));
        assert_eq!(frontier.root(), want, "frontier size {size}");
    }
    // Node identities visible in the published proofs: MTH(D[0:2]) and
    // MTH(D[0:4]) are roots 2 and 4; the (6, 8) proof carries MTH(D[4:6]),
    // MTH(D[6:8]); the (6, 7) proof carries leaf 6.
    assert_eq!(node_hash(&leaves[0], &leaves[1]), h(KAT_ROOTS[1]));
    assert_eq!(
        subtree_root(&leaves[4..6]),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a")
    );
    assert_eq!(
        subtree_root(&leaves[6..8]),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0")
    );
}

#[test]
fn kat_frontier_subtrees() {
    let leaves = kat_leaf_hashes();
    let mut frontier = Frontier::new();
    for leaf in &leaves[..6] {
        frontier.push(*leaf);
    }
    // 6 = 4 + 2: MTH(D[0:4]) (root 4) then MTH(D[4:6]).
    let six = hs(&[
        KAT_ROOTS[3],
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    ]);
    assert_eq!(frontier.subtrees(), &six[..]);
    frontier.push(leaves[6]);
    let seven = hs(&[
        KAT_ROOTS[3],
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        KAT_LEAF_HASHES[6],
    ]);
    assert_eq!(frontier.subtrees(), &seven[..]);
    frontier.push(leaves[7]);
    assert_eq!(frontier.subtrees(), &[h(KAT_ROOTS[7])][..]);

    // Restoring from stored parts and continuing gives the same roots.
    let mut restored = Frontier::from_parts(6, six).expect("6 has two set bits");
    restored.push(leaves[6]);
    assert_eq!(restored.root(), h(KAT_ROOTS[6]));
    restored.push(leaves[7]);
    assert_eq!(restored, frontier);
    assert_eq!(Frontier::from_parts(0, vec![]), Ok(Frontier::new()));
}

#[test]
fn frontier_from_parts_rejects_bad_shapes() {
    assert_eq!(
        Frontier::from_parts(6, vec![[0; 32]]),
        Err(MerkleError::FrontierShape {
            size: 6,
            expected: 2,
            got: 1
        })
    );
    assert_eq!(
        Frontier::from_parts(0, vec![[0; 32]]),
        Err(MerkleError::FrontierShape {
            size: 0,
            expected: 0,
            got: 1
        })
    );
    assert_eq!(
        Frontier::from_parts(u64::MAX, vec![]),
        Err(MerkleError::FrontierShape {
            size: u64::MAX,
            expected: 64,
            got: 0
        })
    );
}

/// Every way of corrupting a valid inclusion proof that the CT / Trillian
/// verifier tests try must be rejected.
fn assert_inclusion_probes_fail(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) {
    let some = h(SOME_HASH);
    let empty = h(EMPTY_TREE_HASH);
    let mut probes: Vec<(String, u64, u64, Hash, Vec<Hash>, Hash)> = vec![
        (
            "index - 1".into(),
            index.wrapping_sub(1),
            size,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "index + 1".into(),
            index + 1,
            size,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "index ^ 2".into(),
            index ^ 2,
            size,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "size * 2".into(),
            index,
            size * 2,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "size / 2".into(),
            index,
            size / 2,
            *leaf,
            proof.to_vec(),
            *root,
        ),
        (
            "wrong leaf".into(),
            index,
            size,
            leaf_hash(&b"WrongLeaf"[..]),
            proof.to_vec(),
            *root,
        ),
        (
            "empty root".into(),
            index,
            size,
            *leaf,
            proof.to_vec(),
            empty,
        ),
        (
            "random root".into(),
            index,
            size,
            *leaf,
            proof.to_vec(),
            some,
        ),
        (
            "trailing zero".into(),
            index,
            size,
            *leaf,
            with_appended(proof, [0; 32]),
            *root,
        ),
        (
            "trailing root".into(),
            index,
            size,
            *leaf,
            with_appended(proof, *root),
            *root,
        ),
        (
            "preceding zero".into(),
            index,
            size,
            *leaf,
            with_prepended(proof, [0; 32]),
            *root,
        ),
        (
            "preceding root".into(),
            index,
            size,
            *leaf,
            with_prepended(proof, *root),
            *root,
        ),
    ];
    for i in 0..proof.len() {
        let mut wrong = proof.to_vec();
        wrong[i][0] ^= 8;
        probes.push((format!("flip proof[{i}]"), index, size, *leaf, wrong, *root));
        let mut wrong = proof.to_vec();
        wrong[i] = empty;
        probes.push((
            format!("empty proof[{i}]"),
            index,
            size,
            *leaf,
            wrong,
            *root,
        ));
    }
    if let Some((_, head)) = proof.split_last() {
        probes.push((
            "removed last".into(),
            index,
            size,
            *leaf,
            head.to_vec(),
            *root,
        ));
    }
    if proof.len() > 1 {
        let mut wrong = vec![proof[0], some];
        wrong.extend_from_slice(&proof[1..]);
        probes.push((
            "inserted component".into(),
            index,
            size,
            *leaf,
            wrong,
            *root,
        ));
    }
    for (desc, i, s, l, p, r) in probes {
        assert!(
            verify_inclusion(i, s, &l, &p, &r).is_err(),
            "({index}, {size}) verified with corruption: {desc}"
        );
    }
}

#[test]
fn kat_inclusion_proofs() {
    let leaves = kat_leaf_hashes();
    for (index, size, want) in KAT_INCLUSION {
        let want = hs(want);
        let tree = &leaves[..usize::try_from(size).expect("small")];
        let got = inclusion_proof(tree, index).expect("valid index");
        assert_eq!(got, want, "inclusion proof ({index}, {size})");
        let root = kat_root(size);
        let leaf = leaves[usize::try_from(index).expect("small")];
        assert_eq!(verify_inclusion(index, size, &leaf, &want, &root), Ok(()));
        assert_inclusion_probes_fail(index, size, &leaf, &want, &root);
    }
}

#[test]
fn inclusion_edge_cases() {
    let leaves = kat_leaf_hashes();
    // Generation: index must be < size (cases from transparency-dev TestInclusion).
    for (size, index) in [(0usize, 0u64), (0, 1), (1, 2), (0, 3), (7, 8), (7, 7)] {
        assert_eq!(
            inclusion_proof(&leaves[..size], index),
            Err(MerkleError::IndexOutOfRange {
                index,
                size: len64(size)
            })
        );
    }
    assert_eq!(
        inclusion_proof(&leaves, u64::MAX),
        Err(MerkleError::IndexOutOfRange {
            index: u64::MAX,
            size: 8
        })
    );
    // Verification with an empty proof (transparency-dev TestVerifyInclusion).
    let some = h(SOME_HASH);
    let empty = h(EMPTY_TREE_HASH);
    for (index, size) in [(0u64, 0u64), (0, 1), (1, 0), (2, 1)] {
        assert!(verify_inclusion(index, size, &some, &[], &[0; 32]).is_err());
        assert!(verify_inclusion(index, size, &[0; 32], &[], &empty).is_err());
        assert!(verify_inclusion(index, size, &some, &[], &empty).is_err());
    }
    assert_eq!(
        verify_inclusion(3, 3, &some, &[], &some),
        Err(MerkleError::IndexOutOfRange { index: 3, size: 3 })
    );
    // Single-entry tree: the root is the leaf hash and the proof is empty.
    let leaf = leaf_hash(&b"data"[..]);
    assert_eq!(verify_inclusion(0, 1, &leaf, &[], &leaf), Ok(()));
    assert_eq!(
        verify_inclusion(0, 1, &leaf, &[], &empty),
        Err(MerkleError::RootMismatch)
    );
    assert_eq!(
        verify_inclusion(0, 1, &leaf, &[leaf], &leaf),
        Err(MerkleError::BadProofLength {
            expected: 0,
            got: 1
        })
    );
    // Too short / too long proofs report the expected length.
    let proof = inclusion_proof(&leaves, 5).expect("valid");
    assert_eq!(
        verify_inclusion(5, 8, &leaves[5], &proof[..2], &kat_root(8)),
        Err(MerkleError::BadProofLength {
            expected: 3,
            got: 2
        })
    );
}

/// Every way of corrupting a valid non-empty consistency proof that the CT /
/// Trillian verifier tests try must be rejected.
fn assert_consistency_probes_fail(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) {
    let wrong_root = leaf_hash(&b"WrongRoot"[..]);
    let mut probes: Vec<(String, u64, u64, Hash, Hash, Vec<Hash>)> = vec![
        (
            "size1 - 1".into(),
            size1 - 1,
            size2,
            *root1,
            *root2,
            proof.to_vec(),
        ),
        (
            "size1 + 1".into(),
            size1 + 1,
            size2,
            *root1,
            *root2,
            proof.to_vec(),
        ),
        (
            "size1 ^ 2".into(),
            size1 ^ 2,
            size2,
            *root1,
            *root2,
            proof.to_vec(),
        ),
        (
            "size2 * 2".into(),
            size1,
            size2 * 2,
            *root1,
            *root2,
            proof.to_vec(),
        ),
        (
            "size2 / 2".into(),
            size1,
            size2 / 2,
            *root1,
            *root2,
            proof.to_vec(),
        ),
        (
            "wrong root1".into(),
            size1,
            size2,
            wrong_root,
            *root2,
            proof.to_vec(),
        ),
        (
            "wrong root2".into(),
            size1,
            size2,
            *root1,
            wrong_root,
            proof.to_vec(),
        ),
        (
            "swapped roots".into(),
            size1,
            size2,
            *root2,
            *root1,
            proof.to_vec(),
        ),
        ("empty proof".into(), size1, size2, *root1, *root2, vec![]),
        (
            "trailing zero".into(),
            size1,
            size2,
            *root1,
            *root2,
            with_appended(proof, [0; 32]),
        ),
        (
            "trailing root1".into(),
            size1,
            size2,
            *root1,
            *root2,
            with_appended(proof, *root1),
        ),
        (
            "trailing root2".into(),
            size1,
            size2,
            *root1,
            *root2,
            with_appended(proof, *root2),
        ),
        (
            "preceding zero".into(),
            size1,
            size2,
            *root1,
            *root2,
            with_prepended(proof, [0; 32]),
        ),
        (
            "preceding root1".into(),
            size1,
            size2,
            *root1,
            *root2,
            with_prepended(proof, *root1),
        ),
        (
            "preceding root2".into(),
            size1,
            size2,
            *root1,
            *root2,
            with_prepended(proof, *root2),
        ),
        (
            "preceding proof[0]".into(),
            size1,
            size2,
            *root1,
            *root2,
            with_prepended(proof, proof[0]),
        ),
        (
            "truncated".into(),
            size1,
            size2,
            *root1,
            *root2,
            proof[..proof.len() - 1].to_vec(),
        ),
    ];
    for i in 0..proof.len() {
        let mut wrong = proof.to_vec();
        wrong[i][0] ^= 16;
        probes.push((
            format!("flip proof[{i}]"),
            size1,
            size2,
            *root1,
            *root2,
            wrong,
        ));
        let mut wrong = proof.to_vec();
        wrong[i] = empty_root();
        probes.push((
            format!("empty proof[{i}]"),
            size1,
            size2,
            *root1,
            *root2,
            wrong,
        ));
    }
    for (desc, s1, s2, r1, r2, p) in probes {
        assert!(
            verify_consistency(s1, s2, &r1, &r2, &p).is_err(),
            "({size1}, {size2}) verified with corruption: {desc}"
        );
    }
}

#[test]
fn kat_consistency_proofs() {
    let leaves = kat_leaf_hashes();
    for (size1, size2, want) in KAT_CONSISTENCY {
        let want = hs(want);
        let tree = &leaves[..usize::try_from(size2).expect("small")];
        let got = consistency_proof(tree, size1).expect("valid sizes");
        assert_eq!(got, want, "consistency proof ({size1}, {size2})");
        let (root1, root2) = (kat_root(size1), kat_root(size2));
        assert_eq!(
            verify_consistency(size1, size2, &root1, &root2, &want),
            Ok(())
        );
        if !want.is_empty() {
            assert_consistency_probes_fail(size1, size2, &root1, &root2, &want);
        }
    }
}

#[test]
fn consistency_edge_cases() {
    let leaves = kat_leaf_hashes();
    let empty = empty_root();
    let (r1, r2) = (kat_root(1), kat_root(2));
    // Generation.
    assert_eq!(consistency_proof(&leaves, 0), Ok(vec![]));
    assert_eq!(consistency_proof(&[], 0), Ok(vec![]));
    assert_eq!(consistency_proof(&leaves, 8), Ok(vec![]));
    assert_eq!(
        consistency_proof(&leaves, 9),
        Err(MerkleError::OldSizeGreater {
            old_size: 9,
            new_size: 8
        })
    );
    assert_eq!(
        consistency_proof(&[], 5),
        Err(MerkleError::OldSizeGreater {
            old_size: 5,
            new_size: 0
        })
    );
    // Same size: empty proof, verifies iff roots are equal.
    assert_eq!(verify_consistency(1, 1, &r1, &r1, &[]), Ok(()));
    assert_eq!(verify_consistency(8, 8, &r2, &r2, &[]), Ok(()));
    assert_eq!(
        verify_consistency(1, 1, &r1, &r2, &[]),
        Err(MerkleError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(1, 1, &empty, &empty, &[empty]),
        Err(MerkleError::BadProofLength {
            expected: 0,
            got: 1
        })
    );
    // Old size 0: trivially consistent with an empty proof, but the old root
    // must be the empty-tree root (our documented choice).
    assert_eq!(verify_consistency(0, 0, &empty, &empty, &[]), Ok(()));
    assert_eq!(verify_consistency(0, 1, &empty, &r1, &[]), Ok(()));
    assert_eq!(verify_consistency(0, 8, &empty, &kat_root(8), &[]), Ok(()));
    assert_eq!(
        verify_consistency(0, 1, &r1, &r1, &[]),
        Err(MerkleError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(0, 0, &empty, &r1, &[]),
        Err(MerkleError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(0, 1, &empty, &empty, &[empty]),
        Err(MerkleError::BadProofLength {
            expected: 0,
            got: 1
        })
    );
    // Time travel to the past.
    assert_eq!(
        verify_consistency(1, 0, &r1, &r2, &[]),
        Err(MerkleError::OldSizeGreater {
            old_size: 1,
            new_size: 0
        })
    );
    assert!(verify_consistency(2, 1, &r1, &r2, &[]).is_err());
    // 0 < old < new requires a non-empty proof.
    assert_eq!(
        verify_consistency(1, 2, &r1, &r2, &[]),
        Err(MerkleError::BadProofLength {
            expected: 1,
            got: 0
        })
    );
    assert_eq!(verify_consistency(1, 2, &r1, &r2, &[leaves[1]]), Ok(()));
}

// ---------------------------------------------------------------------------
// Naive reference implementation, straight from RFC 6962 section 2.1.
// ---------------------------------------------------------------------------

/// The largest power of two smaller than `n` (n > 1).
fn ref_k(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]).
fn ref_mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => empty_root(),
        1 => d[0],
        n => {
            let k = ref_k(n);
            node_hash(&ref_mth(&d[..k]), &ref_mth(&d[k..]))
        }
    }
}

/// PATH(m, D[n]).
fn ref_path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n == 1 {
        return vec![];
    }
    let k = ref_k(n);
    if m < k {
        let mut p = ref_path(m, &d[..k]);
        p.push(ref_mth(&d[k..]));
        p
    } else {
        let mut p = ref_path(m - k, &d[k..]);
        p.push(ref_mth(&d[..k]));
        p
    }
}

/// PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 < m <= n.
fn ref_proof(m: usize, d: &[Hash]) -> Vec<Hash> {
    fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { vec![] } else { vec![ref_mth(d)] };
        }
        let k = ref_k(n);
        if m <= k {
            let mut p = subproof(m, &d[..k], b);
            p.push(ref_mth(&d[k..]));
            p
        } else {
            let mut p = subproof(m - k, &d[k..], false);
            p.push(ref_mth(&d[..k]));
            p
        }
    }
    subproof(m, d, true)
}

/// The shape of PATH(m, D[n]): for each proof element (leaf to root) whether
/// it is a left sibling. Two (index, size) pairs with equal shapes are
/// verified by exactly the same hash computation.
fn ref_path_shape(m: u64, n: u64) -> Vec<bool> {
    if n <= 1 {
        return vec![];
    }
    let k = u64::try_from(ref_k(usize::try_from(n).expect("small"))).expect("small");
    let mut shape = if m < k {
        ref_path_shape(m, k)
    } else {
        ref_path_shape(m - k, n - k)
    };
    shape.push(m >= k);
    shape
}

/// Symbolic form of how the old and new roots are rebuilt from a
/// consistency proof: `Old` is the old root itself (for power-of-two old
/// sizes), `P(j)` the j-th proof element.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expr {
    Old,
    P(usize),
    Node(Box<Expr>, Box<Expr>),
}

fn node(l: Expr, r: Expr) -> Expr {
    Expr::Node(Box::new(l), Box::new(r))
}

/// (proof length, old-root expression, new-root expression) of
/// SUBPROOF(m, D[n], b), computed symbolically from the RFC 6962 recursion.
fn ref_consistency_shape(m: u64, n: u64, b: bool) -> (usize, Expr, Expr) {
    if m == n {
        return if b {
            (0, Expr::Old, Expr::Old)
        } else {
            (1, Expr::P(0), Expr::P(0))
        };
    }
    let k = u64::try_from(ref_k(usize::try_from(n).expect("small"))).expect("small");
    if m <= k {
        let (len, old, new) = ref_consistency_shape(m, k, b);
        (len + 1, old, node(new, Expr::P(len)))
    } else {
        let (len, old, new) = ref_consistency_shape(m - k, n - k, false);
        (len + 1, node(Expr::P(len), old), node(Expr::P(len), new))
    }
}

/// What `verify_inclusion(index, size, leaf, proof, root)` must return when
/// `proof` / `root` are a valid proof and root for `(true_index, true_size)`
/// and `leaf` is the right leaf hash (no hash collisions assumed).
fn expected_inclusion(
    index: u64,
    size: u64,
    true_index: u64,
    true_size: u64,
    proof_len: usize,
) -> Result<(), MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let shape = ref_path_shape(index, size);
    if shape.len() != proof_len {
        return Err(MerkleError::BadProofLength {
            expected: shape.len(),
            got: proof_len,
        });
    }
    if shape == ref_path_shape(true_index, true_size) {
        Ok(())
    } else {
        Err(MerkleError::RootMismatch)
    }
}

/// What `verify_consistency(m, n, root_m', root_n', proof)` must return when
/// the proof and roots are valid for `(true_m, true_n)`, `0 < true_m < true_n`.
fn expected_consistency(
    m: u64,
    n: u64,
    true_m: u64,
    true_n: u64,
    proof_len: usize,
) -> Result<(), MerkleError> {
    if m > n {
        return Err(MerkleError::OldSizeGreater {
            old_size: m,
            new_size: n,
        });
    }
    if m == 0 || m == n {
        return Err(MerkleError::BadProofLength {
            expected: 0,
            got: proof_len,
        });
    }
    let shape = ref_consistency_shape(m, n, true);
    if shape.0 != proof_len {
        return Err(MerkleError::BadProofLength {
            expected: shape.0,
            got: proof_len,
        });
    }
    if shape == ref_consistency_shape(true_m, true_n, true) {
        Ok(())
    } else {
        Err(MerkleError::RootMismatch)
    }
}

/// Distinct leaf hashes (distinct even while proptest shrinks the seed).
fn make_leaves(seed: u64, n: usize) -> Vec<Hash> {
    (0..len64(n))
        .map(|i| leaf_hash(&[seed.to_be_bytes(), i.to_be_bytes()].concat()))
        .collect()
}

#[test]
fn naive_reference_agrees_on_vectors() {
    // Sanity-check the reference itself against the published vectors.
    let leaves = kat_leaf_hashes();
    for size in 1..=8 {
        assert_eq!(ref_mth(&leaves[..size]), h(KAT_ROOTS[size - 1]));
    }
    for (index, size, want) in KAT_INCLUSION {
        let tree = &leaves[..usize::try_from(size).expect("small")];
        assert_eq!(
            ref_path(usize::try_from(index).expect("small"), tree),
            hs(want)
        );
    }
    for (size1, size2, want) in KAT_CONSISTENCY {
        let tree = &leaves[..usize::try_from(size2).expect("small")];
        assert_eq!(
            ref_proof(usize::try_from(size1).expect("small"), tree),
            hs(want)
        );
    }
}

#[test]
fn exhaustive_small_trees_match_reference() {
    let all = make_leaves(7, 48);
    let mut frontier = Frontier::new();
    assert_eq!(root_from_leaf_hashes(&[]), ref_mth(&[]));
    for n in 1..=all.len() {
        let d = &all[..n];
        frontier.push(d[n - 1]);
        let root = ref_mth(d);
        assert_eq!(root_from_leaf_hashes(d), root, "MTH n={n}");
        assert_eq!(frontier.root(), root, "frontier n={n}");
        assert_eq!(
            Frontier::from_parts(frontier.size(), frontier.subtrees().to_vec()),
            Ok(frontier.clone())
        );
        for m in 0..n {
            let proof = inclusion_proof(d, len64(m)).expect("in range");
            assert_eq!(proof, ref_path(m, d), "PATH({m}, D[{n}])");
            assert_eq!(
                verify_inclusion(len64(m), len64(n), &d[m], &proof, &root),
                Ok(())
            );
        }
        for m in 1..=n {
            let proof = consistency_proof(d, len64(m)).expect("m <= n");
            assert_eq!(proof, ref_proof(m, d), "PROOF({m}, D[{n}])");
            let old_root = ref_mth(&d[..m]);
            assert_eq!(
                verify_consistency(len64(m), len64(n), &old_root, &root, &proof),
                Ok(())
            );
        }
    }
}

/// For every valid proof in small trees, verifying it against *any* other
/// (index, size) / (old, new) pair gives exactly the outcome predicted by the
/// RFC 6962 recursion: success iff the proof shape is identical.
#[test]
fn exhaustive_wrong_parameters_small_trees() {
    let all = make_leaves(11, 40);
    for n in 1..=20usize {
        let d = &all[..n];
        let root = root_from_leaf_hashes(d);
        for i in 0..n {
            let proof = inclusion_proof(d, len64(i)).expect("in range");
            for size in 0..=len64(2 * n + 2) {
                for index in 0..=size {
                    assert_eq!(
                        verify_inclusion(index, size, &d[i], &proof, &root),
                        expected_inclusion(index, size, len64(i), len64(n), proof.len()),
                        "proof ({i}, {n}) checked as ({index}, {size})"
                    );
                }
            }
        }
        for m in 1..n {
            let proof = consistency_proof(d, len64(m)).expect("m <= n");
            let old_root = root_from_leaf_hashes(&d[..m]);
            for new in 0..=len64(2 * n + 2) {
                for old in 0..=new + 1 {
                    assert_eq!(
                        verify_consistency(old, new, &old_root, &root, &proof),
                        expected_consistency(old, new, len64(m), len64(n), proof.len()),
                        "proof ({m}, {n}) checked as ({old}, {new})"
                    );
                }
            }
        }
    }
}

#[test]
fn large_tree_smoke() {
    // Proof generation is iterative and O(n) per proof: fine on a ~100k log.
    let n = 100_003usize;
    let old = 65_537usize;
    let leaves = make_leaves(3, n);
    let mut frontier = Frontier::new();
    let mut old_root = empty_root();
    for (i, leaf) in leaves.iter().enumerate() {
        if i == old {
            old_root = frontier.root();
        }
        frontier.push(*leaf);
    }
    let root = root_from_leaf_hashes(&leaves);
    assert_eq!(frontier.root(), root);
    let index = 77_777u64;
    let proof = inclusion_proof(&leaves, index).expect("in range");
    assert_eq!(proof.len(), 17);
    assert_eq!(
        verify_inclusion(index, len64(n), &leaves[77_777], &proof, &root),
        Ok(())
    );
    let proof = consistency_proof(&leaves, len64(old)).expect("old <= n");
    assert_eq!(
        verify_consistency(len64(old), len64(n), &old_root, &root, &proof),
        Ok(())
    );
}

// ---------------------------------------------------------------------------
// Property tests.
// ---------------------------------------------------------------------------

fn proptest_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

fn flip(proof: &[Hash], element: usize, byte: usize, bit: u8) -> Vec<Hash> {
    let mut out = proof.to_vec();
    out[element][byte] ^= 1 << bit;
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(proptest_cases()))]

    #[test]
    fn prop_roots_and_frontier(n in 0usize..300, seed in any::<u64>(), split in any::<prop::sample::Index>()) {
        let leaves = make_leaves(seed, n);
        let root = root_from_leaf_hashes(&leaves);
        prop_assert_eq!(root, ref_mth(&leaves));
        let mut frontier = Frontier::new();
        for leaf in &leaves {
            frontier.push(*leaf);
        }
        prop_assert_eq!(frontier.size(), len64(n));
        prop_assert_eq!(frontier.subtrees().len(), n.count_ones() as usize);
        prop_assert_eq!(frontier.root(), root);
        // Restore a frontier mid-way and continue appending.
        let cut = if n == 0 { 0 } else { split.index(n + 1) };
        let mut partial = Frontier::new();
        for leaf in &leaves[..cut] {
            partial.push(*leaf);
        }
        prop_assert_eq!(partial.root(), root_from_leaf_hashes(&leaves[..cut]));
        let mut restored = Frontier::from_parts(partial.size(), partial.subtrees().to_vec())
            .expect("valid shape");
        for leaf in &leaves[cut..] {
            restored.push(*leaf);
        }
        prop_assert_eq!(&restored, &frontier);
    }

    #[test]
    fn prop_inclusion(
        n in 1usize..300,
        seed in any::<u64>(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 3),
        byte in 0usize..32,
        bit in 0u8..8,
        other_size in 1u64..700,
    ) {
        let leaves = make_leaves(seed, n);
        let size = len64(n);
        let root = root_from_leaf_hashes(&leaves);
        let wrong_root = flip(&[root], 0, byte, bit)[0];
        let picked: Vec<usize> = picks.iter().map(|p| p.index(n)).collect();
        for (i, leaf) in leaves.iter().enumerate() {
            let index = len64(i);
            let proof = inclusion_proof(&leaves, index).expect("in range");
            if picked.contains(&i) {
                prop_assert_eq!(&proof, &ref_path(i, &leaves));
            }
            prop_assert_eq!(verify_inclusion(index, size, leaf, &proof, &root), Ok(()));
            let len = proof.len();
            // Any flipped bit of any proof node breaks the root.
            for j in 0..len {
                let bytes: Vec<usize> = if picked.contains(&i) { (0..32).collect() } else { vec![byte] };
                for b in bytes {
                    prop_assert_eq!(
                        verify_inclusion(index, size, leaf, &flip(&proof, j, b, bit), &root),
                        Err(MerkleError::RootMismatch)
                    );
                }
            }
            // Wrong root, wrong leaf.
            prop_assert_eq!(
                verify_inclusion(index, size, leaf, &proof, &wrong_root),
                Err(MerkleError::RootMismatch)
            );
            let other_leaf = leaves[(i + 1) % n];
            if n > 1 {
                prop_assert_eq!(
                    verify_inclusion(index, size, &other_leaf, &proof, &root),
                    Err(MerkleError::RootMismatch)
                );
            }
            // Truncated and extended proofs.
            if len > 0 {
                prop_assert_eq!(
                    verify_inclusion(index, size, leaf, &proof[..len - 1], &root),
                    Err(MerkleError::BadProofLength { expected: len, got: len - 1 })
                );
            }
            for extra in [root, *leaf, [0; 32]] {
                let bad_len = Err(MerkleError::BadProofLength { expected: len, got: len + 1 });
                prop_assert_eq!(
                    verify_inclusion(index, size, leaf, &with_appended(&proof, extra), &root),
                    bad_len.clone()
                );
                prop_assert_eq!(
                    verify_inclusion(index, size, leaf, &with_prepended(&proof, extra), &root),
                    bad_len
                );
            }
            // Wrong index or size: fails unless the RFC recursion gives the
            // very same path shape (then the hash computation is identical).
            let candidates = [
                (index.wrapping_sub(1), size),
                (index + 1, size),
                (index ^ 1, size),
                (index ^ 2, size),
                (index, size - 1),
                (index, size + 1),
                (index, size * 2),
                (index, size / 2),
                (index, other_size),
                (other_size % size, size),
            ];
            for (wrong_index, wrong_size) in candidates {
                if (wrong_index, wrong_size) == (index, size) {
                    continue;
                }
                let want = expected_inclusion(wrong_index, wrong_size, index, size, len);
                if wrong_size == size && wrong_index < size {
                    // Within the same tree a path identifies its leaf.
                    prop_assert!(want.is_err());
                }
                prop_assert_eq!(
                    verify_inclusion(wrong_index, wrong_size, leaf, &proof, &root),
                    want
                );
            }
        }
    }

    #[test]
    fn prop_consistency(
        n in 1usize..300,
        seed in any::<u64>(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 3),
        byte in 0usize..32,
        bit in 0u8..8,
        other_size in 0u64..700,
    ) {
        let leaves = make_leaves(seed, n);
        let new_size = len64(n);
        let new_root = root_from_leaf_hashes(&leaves);
        let picked: Vec<usize> = picks.iter().map(|p| p.index(n + 1)).collect();
        // Incrementally maintained old roots, checked against the frontier.
        let mut frontier = Frontier::new();
        for m in 0..=n {
            if m > 0 {
                frontier.push(leaves[m - 1]);
            }
            let old_size = len64(m);
            let old_root = frontier.root();
            let proof = consistency_proof(&leaves, old_size).expect("m <= n");
            if picked.contains(&m) {
                prop_assert_eq!(old_root, ref_mth(&leaves[..m]));
                let want = if m == 0 { vec![] } else { ref_proof(m, &leaves) };
                prop_assert_eq!(&proof, &want);
            }
            prop_assert_eq!(
                verify_consistency(old_size, new_size, &old_root, &new_root, &proof),
                Ok(())
            );
            let len = proof.len();
            if m == 0 || m == n {
                prop_assert_eq!(len, 0);
                let one = vec![new_root];
                prop_assert_eq!(
                    verify_consistency(old_size, new_size, &old_root, &new_root, &one),
                    Err(MerkleError::BadProofLength { expected: 0, got: 1 })
                );
                continue;
            }
            // Bit flips in any proof node.
            for j in 0..len {
                let bytes: Vec<usize> = if picked.contains(&m) { (0..32).collect() } else { vec![byte] };
                for b in bytes {
                    prop_assert_eq!(
                        verify_consistency(old_size, new_size, &old_root, &new_root, &flip(&proof, j, b, bit)),
                        Err(MerkleError::RootMismatch)
                    );
                }
            }
            // Wrong roots.
            let bad_old = flip(&[old_root], 0, byte, bit)[0];
            let bad_new = flip(&[new_root], 0, byte, bit)[0];
            for (r1, r2) in [(bad_old, new_root), (old_root, bad_new), (new_root, old_root)] {
                prop_assert_eq!(
                    verify_consistency(old_size, new_size, &r1, &r2, &proof),
                    Err(MerkleError::RootMismatch)
                );
            }
            // Truncated and extended proofs.
            prop_assert_eq!(
                verify_consistency(old_size, new_size, &old_root, &new_root, &proof[..len - 1]),
                Err(MerkleError::BadProofLength { expected: len, got: len - 1 })
            );
            for extra in [old_root, new_root, proof[0], [0; 32]] {
                let bad_len = Err(MerkleError::BadProofLength { expected: len, got: len + 1 });
                prop_assert_eq!(
                    verify_consistency(old_size, new_size, &old_root, &new_root, &with_appended(&proof, extra)),
                    bad_len.clone()
                );
                prop_assert_eq!(
                    verify_consistency(old_size, new_size, &old_root, &new_root, &with_prepended(&proof, extra)),
                    bad_len
                );
            }
            // Wrong sizes: fail unless the RFC recursion rebuilds both roots
            // from the proof in exactly the same way.
            let candidates = [
                (old_size - 1, new_size),
                (old_size + 1, new_size),
                (old_size ^ 2, new_size),
                (old_size, new_size - 1),
                (old_size, new_size + 1),
                (old_size, new_size * 2),
                (old_size, new_size / 2),
                (old_size, other_size),
                (other_size, new_size),
                (old_size * 2, new_size * 2),
            ];
            for (wrong_old, wrong_new) in candidates {
                if (wrong_old, wrong_new) == (old_size, new_size) {
                    continue;
                }
                let want = expected_consistency(wrong_old, wrong_new, old_size, new_size, len);
                prop_assert_eq!(
                    verify_consistency(wrong_old, wrong_new, &old_root, &new_root, &proof),
                    want
                );
            }
        }
    }
}
