//! RFC 6962 / RFC 9162 §2.1 Merkle tree: hashing, streaming roots, inclusion and
//! consistency proofs and their verification.
//!
//! The algorithms follow RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH), §2.1.3.2 (verifying an
//! inclusion proof), §2.1.4.1 (PROOF / SUBPROOF) and §2.1.4.2 (verifying a consistency
//! proof). The tree itself is unchanged from RFC 6962.

use sha2::{Digest, Sha256};

use super::TlogError;

/// A SHA-256 digest: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// Leaf hash: `SHA-256(0x00 || data)` (RFC 9162 §2.1.1).
#[must_use]
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// Interior node hash: `SHA-256(0x01 || left || right)` (RFC 9162 §2.1.1).
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Root of the empty tree: `SHA-256("")` (RFC 9162 §2.1.1).
#[must_use]
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Streaming Merkle tree hash over leaf hashes, in O(log n) memory.
///
/// Keeps the "compact range" of the tree: the roots of the perfect subtrees that the
/// binary representation of the size decomposes the tree into, largest (leftmost) first.
/// Pushing a leaf merges equal-sized subtrees like a binary counter carries; the root folds
/// the subtrees right to left, which equals RFC 9162's MTH because MTH always splits at the
/// largest power of two below the size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeBuilder {
    size: u64,
    /// Roots of perfect subtrees, one per set bit of `size`, from the highest bit down.
    frontier: Vec<Hash>,
}

impl TreeBuilder {
    /// An empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Resume from a saved compact range: `frontier` must hold exactly one hash per set
    /// bit of `size` (as returned by [`TreeBuilder::frontier`]).
    pub fn from_frontier(size: u64, frontier: Vec<Hash>) -> Result<Self, TlogError> {
        if frontier.len() != size.count_ones() as usize {
            return Err(TlogError::SizeOutOfRange {
                size: u64::from(size.count_ones()),
                available: frontier.len() as u64,
            });
        }
        Ok(Self { size, frontier })
    }

    /// Append one leaf hash (already `leaf_hash`ed).
    pub fn push(&mut self, leaf: Hash) {
        let mut carry = leaf;
        let mut n = self.size;
        while n & 1 == 1 {
            match self.frontier.pop() {
                Some(left) => carry = node_hash(&left, &carry),
                // Cannot happen: the frontier has one entry per set bit of `size`.
                None => break,
            }
            n >>= 1;
        }
        self.frontier.push(carry);
        self.size += 1;
    }

    /// Number of leaves pushed so far.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The compact range: roots of the perfect subtrees, largest first.
    #[must_use]
    pub fn frontier(&self) -> &[Hash] {
        &self.frontier
    }

    /// The Merkle tree hash of all leaves pushed so far.
    #[must_use]
    pub fn root(&self) -> Hash {
        let mut iter = self.frontier.iter().rev();
        match iter.next() {
            None => empty_root(),
            Some(last) => iter.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }
}

/// Largest power of two strictly less than `n`; `n` must be at least 2.
fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// MTH over leaf hashes (RFC 9162 §2.1.1), recursively.
fn mth(d: &[Hash]) -> Hash {
    match d {
        [] => empty_root(),
        [one] => *one,
        _ => {
            let k = usize::try_from(split_point(d.len() as u64)).unwrap_or(d.len() / 2);
            let (left, right) = d.split_at(k);
            node_hash(&mth(left), &mth(right))
        }
    }
}

/// Merkle tree hash over all of `leaves` (leaf hashes, already `leaf_hash`ed).
///
/// To hash a prefix, pass `&leaves[..size]`.
#[must_use]
pub fn root(leaves: &[Hash]) -> Hash {
    mth(leaves)
}

fn to_usize(v: u64) -> Option<usize> {
    usize::try_from(v).ok()
}

/// The first `size` leaves, or an error if there are fewer.
fn prefix(leaves: &[Hash], size: u64) -> Result<&[Hash], TlogError> {
    to_usize(size)
        .and_then(|n| leaves.get(..n))
        .ok_or(TlogError::SizeOutOfRange {
            size,
            available: leaves.len() as u64,
        })
}

/// PATH(m, D[start..start+n]) from RFC 9162 §2.1.3.1, as leaf ranges, appended to `out`
/// from the leaf upwards.
fn path(m: u64, start: u64, n: u64, out: &mut Vec<(u64, u64)>) {
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    if m < k {
        path(m, start, k, out);
        out.push((start + k, start + n));
    } else {
        path(m - k, start + k, n - k, out);
        out.push((start, start + k));
    }
}

/// The leaf ranges `[start, end)` whose Merkle tree hashes make up the inclusion proof for
/// leaf `index` in a tree of `size` leaves, in proof order.
///
/// For stores that keep leaves elsewhere: every range is either a perfect subtree
/// (`start` a multiple of the power-of-two length) or ends at `size`, so perfect-subtree
/// hashes can be cached (as C2SP tlog-tiles does). Compute each with [`root`].
pub fn inclusion_proof_ranges(index: u64, size: u64) -> Result<Vec<(u64, u64)>, TlogError> {
    if index >= size {
        return Err(TlogError::IndexOutOfRange { index, size });
    }
    let mut out = Vec::with_capacity(64);
    path(index, 0, size, &mut out);
    Ok(out)
}

/// Hash each leaf range of `d` (ranges produced by the range functions, inside `d`).
fn hash_ranges(d: &[Hash], ranges: &[(u64, u64)]) -> Result<Vec<Hash>, TlogError> {
    ranges
        .iter()
        .map(|&(a, b)| {
            to_usize(a)
                .zip(to_usize(b))
                .and_then(|(a, b)| d.get(a..b))
                .map(mth)
                .ok_or(TlogError::SizeOutOfRange {
                    size: b,
                    available: d.len() as u64,
                })
        })
        .collect()
}

/// Inclusion proof (audit path) for leaf `index` in the tree made of the first `size`
/// of `leaves` (RFC 9162 §2.1.3.1). Hashes are ordered from the leaf upwards.
pub fn inclusion_proof(leaves: &[Hash], index: u64, size: u64) -> Result<Vec<Hash>, TlogError> {
    let d = prefix(leaves, size)?;
    hash_ranges(d, &inclusion_proof_ranges(index, size)?)
}

/// Verify an inclusion proof (RFC 9162 §2.1.3.2): `leaf` (a leaf hash) sits at `index` in
/// the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), TlogError> {
    if index >= size {
        return Err(TlogError::IndexOutOfRange { index, size });
    }
    let mut f_n = index;
    let mut s_n = size - 1;
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return Err(TlogError::ProofTooLong);
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(TlogError::ProofTooShort);
    }
    if r != *root {
        return Err(TlogError::RootMismatch);
    }
    Ok(())
}

/// SUBPROOF(m, D[start..start+n], b) from RFC 9162 §2.1.4.1, as leaf ranges.
fn subproof(m: u64, start: u64, n: u64, b: bool, out: &mut Vec<(u64, u64)>) {
    if m == n {
        if !b {
            out.push((start, start + n));
        }
        return;
    }
    // Here 0 < m < n, so n >= 2.
    let k = split_point(n);
    if m <= k {
        subproof(m, start, k, b, out);
        out.push((start + k, start + n));
    } else {
        subproof(m - k, start + k, n - k, false, out);
        out.push((start, start + k));
    }
}

/// The leaf ranges `[start, end)` whose Merkle tree hashes make up the consistency proof
/// from `old_size` to `new_size`, in proof order (see [`inclusion_proof_ranges`]).
pub fn consistency_proof_ranges(
    old_size: u64,
    new_size: u64,
) -> Result<Vec<(u64, u64)>, TlogError> {
    if old_size > new_size {
        return Err(TlogError::InvalidSizes { old_size, new_size });
    }
    let mut out = Vec::with_capacity(64);
    if old_size != 0 && old_size != new_size {
        subproof(old_size, 0, new_size, true, &mut out);
    }
    Ok(out)
}

/// Consistency proof between the tree of the first `old_size` leaves and the tree of the
/// first `new_size` leaves (RFC 9162 §2.1.4.1).
///
/// For `old_size == 0` or `old_size == new_size` the proof is empty.
pub fn consistency_proof(
    leaves: &[Hash],
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, TlogError> {
    let ranges = consistency_proof_ranges(old_size, new_size)?;
    let d = prefix(leaves, new_size)?;
    hash_ranges(d, &ranges)
}

/// Verify a consistency proof (RFC 9162 §2.1.4.2): the tree of `new_size` leaves with root
/// `new_root` extends the tree of `old_size` leaves with root `old_root`.
///
/// Edge cases: equal sizes need an empty proof and equal roots; `old_size == 0` needs an
/// empty proof and `old_root` equal to [`empty_root`].
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), TlogError> {
    if old_size > new_size {
        return Err(TlogError::InvalidSizes { old_size, new_size });
    }
    if old_size == new_size || old_size == 0 {
        if !proof.is_empty() {
            return Err(TlogError::ProofNotEmpty { old_size, new_size });
        }
        if old_size == 0 {
            return if *old_root == empty_root() {
                Ok(())
            } else {
                Err(TlogError::OldRootMismatch)
            };
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(TlogError::NewRootMismatch)
        };
    }
    // 0 < old_size < new_size.
    let Some((first, rest)) = proof.split_first() else {
        return Err(TlogError::ProofTooShort);
    };
    // Step 2: if old_size is a power of two, the old root itself starts the path.
    let (start, path): (&Hash, &[Hash]) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        (first, rest)
    };
    let mut f_n = old_size - 1;
    let mut s_n = new_size - 1;
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let mut fr = *start;
    let mut sr = *start;
    for c in path {
        if s_n == 0 {
            return Err(TlogError::ProofTooLong);
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(TlogError::ProofTooShort);
    }
    if fr != *old_root {
        return Err(TlogError::OldRootMismatch);
    }
    if sr != *new_root {
        return Err(TlogError::NewRootMismatch);
    }
    Ok(())
}
