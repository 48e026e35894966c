#![allow(clippy::unwrap_used, clippy::expect_used)]
//! RFC 6962 Merkle tree vectors and property tests for `chatwarden_archive::tlog`.
//!
//! The 8-leaf tree and its roots, inclusion paths and consistency proofs are the
//! well-known test data of certificate-transparency's `merkle_tree_test` (also used by
//! transparency-dev/merkle and sigstore-rs `rfc6962.rs`).

use chatwarden_archive::tlog::{
    Hash, TlogError, TreeBuilder, consistency_proof, empty_root, inclusion_proof, leaf_hash,
    node_hash, root, verify_consistency, verify_inclusion,
};
use chatwarden_archive::tlog::{consistency_proof_ranges, inclusion_proof_ranges};
use proptest::prelude::*;

fn h(s: &str) -> Hash {
    let v = hex::decode(s).unwrap();
    v.try_into().unwrap()
}

fn leaves8() -> Vec<Hash> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|s| leaf_hash(&hex::decode(s).unwrap()))
    .collect()
}

const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

#[test]
fn empty_tree_root() {
    let e = h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(empty_root(), e);
    assert_eq!(root(&[]), e);
    assert_eq!(TreeBuilder::new().root(), e);
    assert_eq!(TreeBuilder::new().size(), 0);
}

#[test]
fn leaf_and_node_hash_domain_separation() {
    // leaf hash of the empty string = SHA-256(0x00)
    assert_eq!(
        leaf_hash(b""),
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    );
    let a = leaf_hash(b"a");
    let b = leaf_hash(b"b");
    assert_ne!(node_hash(&a, &b), node_hash(&b, &a));
    // A node hash is never equal to the leaf hash of the concatenated children.
    let mut cat = a.to_vec();
    cat.extend_from_slice(&b);
    assert_ne!(node_hash(&a, &b), leaf_hash(&cat));
}

#[test]
fn known_roots_for_each_size() {
    let leaves = leaves8();
    let mut tb = TreeBuilder::new();
    for (i, want) in ROOTS.iter().enumerate() {
        tb.push(leaves[i]);
        assert_eq!(tb.size(), i as u64 + 1);
        assert_eq!(tb.root(), h(want), "builder root, size {}", i + 1);
        assert_eq!(
            root(&leaves[..=i]),
            h(want),
            "recursive root, size {}",
            i + 1
        );
    }
}

#[test]
fn known_inclusion_paths() {
    let leaves = leaves8();
    let cases: &[(u64, u64, &[&str])] = &[
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
    for (index, size, want) in cases {
        let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
        let got = inclusion_proof(&leaves, *index, *size).unwrap();
        assert_eq!(got, want, "index {index} size {size}");
        let r = h(ROOTS[*size as usize - 1]);
        verify_inclusion(&leaves[*index as usize], *index, *size, &got, &r).unwrap();
    }
}

#[test]
fn known_consistency_proofs() {
    let leaves = leaves8();
    let cases: &[(u64, u64, &[&str])] = &[
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
    ];
    for (old, new, want) in cases {
        let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
        let got = consistency_proof(&leaves, *old, *new).unwrap();
        assert_eq!(got, want, "{old} -> {new}");
        let r1 = h(ROOTS[*old as usize - 1]);
        let r2 = h(ROOTS[*new as usize - 1]);
        verify_consistency(*old, *new, &r1, &r2, &got).unwrap();
    }
}

#[test]
fn argument_errors() {
    let leaves = leaves8();
    assert_eq!(
        inclusion_proof(&leaves, 8, 8),
        Err(TlogError::IndexOutOfRange { index: 8, size: 8 })
    );
    assert_eq!(
        inclusion_proof(&leaves, 0, 9),
        Err(TlogError::SizeOutOfRange {
            size: 9,
            available: 8
        })
    );
    assert_eq!(
        inclusion_proof(&leaves, 0, 0),
        Err(TlogError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert_eq!(
        consistency_proof(&leaves, 5, 4),
        Err(TlogError::InvalidSizes {
            old_size: 5,
            new_size: 4
        })
    );
    assert_eq!(
        consistency_proof(&leaves, 4, 9),
        Err(TlogError::SizeOutOfRange {
            size: 9,
            available: 8
        })
    );
    let r = root(&leaves);
    assert_eq!(
        verify_inclusion(&leaves[0], 8, 8, &[], &r),
        Err(TlogError::IndexOutOfRange { index: 8, size: 8 })
    );
    // Huge sizes are rejected, not panicked on.
    assert!(verify_inclusion(&leaves[0], u64::MAX - 1, u64::MAX, &[], &r).is_err());
    assert!(verify_consistency(u64::MAX - 1, u64::MAX, &r, &r, &[r]).is_err());
}

#[test]
fn consistency_edge_cases() {
    let leaves = leaves8();
    let r8 = root(&leaves);
    let e = empty_root();
    // From the empty tree: empty proof, old root must be the empty root.
    assert_eq!(
        consistency_proof(&leaves, 0, 8).unwrap(),
        Vec::<Hash>::new()
    );
    verify_consistency(0, 8, &e, &r8, &[]).unwrap();
    assert_eq!(
        verify_consistency(0, 8, &r8, &r8, &[]),
        Err(TlogError::OldRootMismatch)
    );
    assert_eq!(
        verify_consistency(0, 8, &e, &r8, &[r8]),
        Err(TlogError::ProofNotEmpty {
            old_size: 0,
            new_size: 8
        })
    );
    // Same size: roots must match, proof empty.
    verify_consistency(8, 8, &r8, &r8, &[]).unwrap();
    assert_eq!(
        verify_consistency(8, 8, &r8, &e, &[]),
        Err(TlogError::NewRootMismatch)
    );
    // Real growth needs a non-empty proof.
    let r4 = root(&leaves[..4]);
    assert_eq!(
        verify_consistency(4, 8, &r4, &r8, &[]),
        Err(TlogError::ProofTooShort)
    );
}

#[test]
fn builder_resumes_from_frontier() {
    let leaves = leaves8();
    let mut a = TreeBuilder::new();
    for l in &leaves[..5] {
        a.push(*l);
    }
    assert_eq!(a.frontier().len(), 2); // 5 = 0b101
    let mut b = TreeBuilder::from_frontier(a.size(), a.frontier().to_vec()).unwrap();
    for l in &leaves[5..] {
        b.push(*l);
    }
    assert_eq!(b.root(), h(ROOTS[7]));
    assert!(TreeBuilder::from_frontier(5, vec![leaves[0]]).is_err());
}

fn make_leaves(n: usize, salt: u8) -> Vec<Hash> {
    (0..n)
        .map(|i| {
            let mut d = (i as u64).to_be_bytes().to_vec();
            d.push(salt);
            leaf_hash(&d)
        })
        .collect()
}

fn flip(h: &Hash, byte: usize, bit: u8) -> Hash {
    let mut x = *h;
    x[byte % 32] ^= 1 << (bit % 8);
    x
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn builder_matches_recursive_root(n in 0usize..300, salt in any::<u8>()) {
        let leaves = make_leaves(n, salt);
        let mut tb = TreeBuilder::new();
        for l in &leaves { tb.push(*l); }
        prop_assert_eq!(tb.size(), n as u64);
        prop_assert_eq!(tb.root(), root(&leaves));
        prop_assert_eq!(tb.frontier().len() as u32, (n as u64).count_ones());
    }

    #[test]
    fn every_inclusion_proof_verifies_and_tampering_fails(
        n in 1usize..130, salt in any::<u8>(), byte in 0usize..32, bit in 0u8..8, pick in any::<usize>()
    ) {
        let leaves = make_leaves(n, salt);
        let r = root(&leaves);
        let size = n as u64;
        for i in 0..n {
            let idx = i as u64;
            let p = inclusion_proof(&leaves, idx, size).unwrap();
            prop_assert!(p.len() <= 64);
            prop_assert_eq!(verify_inclusion(&leaves[i], idx, size, &p, &r), Ok(()));
            // flipped leaf
            prop_assert!(verify_inclusion(&flip(&leaves[i], byte, bit), idx, size, &p, &r).is_err());
            // flipped root
            prop_assert!(verify_inclusion(&leaves[i], idx, size, &p, &flip(&r, byte, bit)).is_err());
            // flipped proof hash
            if !p.is_empty() {
                let mut q = p.clone();
                let k = pick % q.len();
                q[k] = flip(&q[k], byte, bit);
                prop_assert!(verify_inclusion(&leaves[i], idx, size, &q, &r).is_err());
                // truncated / extended proof
                prop_assert!(verify_inclusion(&leaves[i], idx, size, &p[..p.len() - 1], &r).is_err());
            }
            let mut longer = p.clone();
            longer.push(r);
            prop_assert!(verify_inclusion(&leaves[i], idx, size, &longer, &r).is_err());
            // wrong index: another leaf's position with this leaf's proof
            if n > 1 {
                let j = (i + 1 + pick % (n - 1)) % n;
                prop_assert!(verify_inclusion(&leaves[i], j as u64, size, &p, &r).is_err());
                // another leaf at this leaf's index
                prop_assert!(verify_inclusion(&leaves[j], idx, size, &p, &r).is_err());
            }
        }
        // swapped leaves change the root, so old proofs fail against the new root
        if n > 1 {
            let a = pick % n;
            let b = (a + 1) % n;
            let mut swapped = leaves.clone();
            swapped.swap(a, b);
            let r2 = root(&swapped);
            prop_assert_ne!(r, r2);
            let p = inclusion_proof(&leaves, a as u64, size).unwrap();
            prop_assert!(verify_inclusion(&leaves[a], a as u64, size, &p, &r2).is_err());
        }
    }

    #[test]
    fn every_consistency_proof_verifies_and_tampering_fails(
        n in 1usize..48, salt in any::<u8>(), byte in 0usize..32, bit in 0u8..8, pick in any::<usize>()
    ) {
        let leaves = make_leaves(n, salt);
        let roots: Vec<Hash> = (0..=n).map(|m| root(&leaves[..m])).collect();
        for new in 1..=n {
            for old in 0..=new {
                let p = consistency_proof(&leaves, old as u64, new as u64).unwrap();
                prop_assert_eq!(
                    verify_consistency(old as u64, new as u64, &roots[old], &roots[new], &p),
                    Ok(())
                );
                if old == 0 || old == new {
                    prop_assert!(p.is_empty());
                    continue;
                }
                prop_assert!(verify_consistency(old as u64, new as u64, &flip(&roots[old], byte, bit), &roots[new], &p).is_err());
                prop_assert!(verify_consistency(old as u64, new as u64, &roots[old], &flip(&roots[new], byte, bit), &p).is_err());
                let mut q = p.clone();
                let k = pick % q.len();
                q[k] = flip(&q[k], byte, bit);
                prop_assert!(verify_consistency(old as u64, new as u64, &roots[old], &roots[new], &q).is_err());
                prop_assert!(verify_consistency(old as u64, new as u64, &roots[old], &roots[new], &p[..p.len() - 1]).is_err());
                let mut longer = p.clone();
                longer.push(roots[new]);
                prop_assert!(verify_consistency(old as u64, new as u64, &roots[old], &roots[new], &longer).is_err());
                // wrong sizes
                if old + 1 < new {
                    prop_assert!(verify_consistency(old as u64 + 1, new as u64, &roots[old], &roots[new], &p).is_err());
                }
                // swapped leaves inside the old tree: new root must not be consistent
                if old > 1 {
                    let a = pick % old;
                    let b = (a + 1) % old;
                    let mut swapped = leaves[..new].to_vec();
                    swapped.swap(a, b);
                    let r_sw = root(&swapped);
                    prop_assert!(verify_consistency(old as u64, new as u64, &roots[old], &r_sw, &p).is_err());
                }
            }
        }
    }
}

/// Each proof range is a perfect aligned subtree or the right edge of the tree.
fn range_shape_ok(a: u64, b: u64, size: u64) -> bool {
    let len = b - a;
    a < b && b <= size && ((len.is_power_of_two() && a.is_multiple_of(len)) || b == size)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn proof_ranges_match_proofs(size in 1u64..5000, i in any::<u64>(), j in any::<u64>(), salt in any::<u8>()) {
        let index = i % size;
        let old = j % (size + 1);
        let ir = inclusion_proof_ranges(index, size).unwrap();
        let cr = consistency_proof_ranges(old, size).unwrap();
        for &(a, b) in ir.iter().chain(cr.iter()) {
            prop_assert!(range_shape_ok(a, b, size), "range {a}..{b} in {size}");
        }
        // ranges never contain the proven leaf
        prop_assert!(ir.iter().all(|&(a, b)| index < a || index >= b));
        if size <= 600 {
            let leaves = make_leaves(size as usize, salt);
            let hashed: Vec<Hash> = ir.iter().map(|&(a, b)| root(&leaves[a as usize..b as usize])).collect();
            prop_assert_eq!(hashed, inclusion_proof(&leaves, index, size).unwrap());
            let hashed: Vec<Hash> = cr.iter().map(|&(a, b)| root(&leaves[a as usize..b as usize])).collect();
            prop_assert_eq!(hashed, consistency_proof(&leaves, old, size).unwrap());
        }
    }
}

#[test]
fn proof_ranges_for_huge_trees() {
    let size = u64::MAX;
    // 2^64-1 leaves = perfect subtrees of 2^63, 2^62, ..., 1 leaves.
    let last = inclusion_proof_ranges(size - 1, size).unwrap();
    assert_eq!(last.len(), 63);
    assert_eq!(last[0], (size - 3, size - 1));
    let first = inclusion_proof_ranges(0, size).unwrap();
    assert_eq!(first.len(), 64);
    assert_eq!(first[63], (1 << 63, size));
    let c = consistency_proof_ranges(size / 3, size).unwrap();
    assert!(!c.is_empty() && c.len() <= 130);
    assert!(inclusion_proof_ranges(5, 5).is_err());
    assert!(consistency_proof_ranges(6, 5).is_err());
    assert_eq!(consistency_proof_ranges(0, 5).unwrap(), vec![]);
    assert_eq!(consistency_proof_ranges(5, 5).unwrap(), vec![]);
}
