#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Micro-benchmarks for the Merkle tree, ignored by default. Run in release mode:
//! `cargo test --release -p chatwarden-archive --test tlog_bench -- --ignored --nocapture`

use std::time::Instant;

use chatwarden_archive::tlog::{
    Hash, TreeBuilder, consistency_proof, inclusion_proof, leaf_hash, root, verify_consistency,
    verify_inclusion,
};

const N: u64 = 1_000_000;

#[test]
#[ignore = "benchmark; run with --release --ignored --nocapture"]
fn tree_builder_one_million_leaves() {
    let leaves: Vec<Hash> = (0..N).map(|i| leaf_hash(&i.to_le_bytes())).collect();

    let t = Instant::now();
    let mut tb = TreeBuilder::new();
    for l in &leaves {
        tb.push(*l);
    }
    let streamed = tb.root();
    let push_time = t.elapsed();

    let t = Instant::now();
    let recursive = root(&leaves);
    let root_time = t.elapsed();
    assert_eq!(streamed, recursive);

    let t = Instant::now();
    let idx = N / 3;
    let p = inclusion_proof(&leaves, idx, N).unwrap();
    let incl_time = t.elapsed();
    let t = Instant::now();
    verify_inclusion(&leaves[idx as usize], idx, N, &p, &streamed).unwrap();
    let vincl_time = t.elapsed();

    let old = N - 12_345;
    let t = Instant::now();
    let c = consistency_proof(&leaves, old, N).unwrap();
    let cons_time = t.elapsed();
    let old_root = root(&leaves[..old as usize]);
    verify_consistency(old, N, &old_root, &streamed, &c).unwrap();

    println!(
        "TreeBuilder push x{N} + root: {push_time:?} ({:.0} ns/leaf); recursive root: {root_time:?}; \
         inclusion_proof: {incl_time:?} ({} hashes), verify: {vincl_time:?}; consistency_proof: {cons_time:?} ({} hashes)",
        push_time.as_nanos() as f64 / N as f64,
        p.len(),
        c.len()
    );
}
