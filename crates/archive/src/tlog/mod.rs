//! Transparency-log core: RFC 6962/9162 Merkle tree hashing and proofs, C2SP signed
//! notes, C2SP checkpoints and `c2sp.org/tlog-proof@v1` proof bundles.
//!
//! Pure code: no database, no files, no clock. The archive's store keeps leaf hashes and
//! calls these functions to compute roots, build proofs and sign checkpoints; the offline
//! verifier calls the `verify_*` / `open` functions.
//!
//! Sources (facts and formats, no code copied):
//! * RFC 9162 §2.1 (Merkle Tree Hash, inclusion and consistency proofs and their
//!   verification algorithms; the tree is the same as RFC 6962's).
//! * C2SP `signed-note`, `tlog-checkpoint` and `tlog-proof` specifications (c2sp.org).

mod checkpoint;
mod merkle;
mod note;
mod proof;

pub use checkpoint::Checkpoint;
pub use merkle::{
    Hash, TreeBuilder, consistency_proof, consistency_proof_ranges, empty_root, inclusion_proof,
    inclusion_proof_ranges, leaf_hash, node_hash, root, verify_consistency, verify_inclusion,
};
pub use note::{NoteSigner, NoteVerifier, add_signature, open_note, sign_note};
pub use proof::ProofBundle;

/// Everything that can go wrong building or checking log proofs, notes and checkpoints.
///
/// Each variant names the check that failed, so a verifier can tell a user *why* a proof
/// was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    /// A leaf index is not inside the tree.
    #[error("leaf index {index} is not inside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A tree size is larger than the number of leaves supplied.
    #[error("tree size {size} exceeds the {available} leaves available")]
    SizeOutOfRange { size: u64, available: u64 },
    /// A consistency proof was asked for between sizes that do not grow.
    #[error(
        "consistency between sizes {old_size} and {new_size} is undefined (old must be <= new)"
    )]
    InvalidSizes { old_size: u64, new_size: u64 },
    /// The proof has more hashes than the tree shape allows.
    #[error("proof has too many hashes for this tree shape")]
    ProofTooLong,
    /// The proof has fewer hashes than the tree shape needs.
    #[error("proof has too few hashes for this tree shape")]
    ProofTooShort,
    /// A proof that must be empty (equal sizes, or old size 0) was not.
    #[error("proof must be empty for sizes {old_size} -> {new_size}")]
    ProofNotEmpty { old_size: u64, new_size: u64 },
    /// The root computed from an inclusion proof differs from the expected root.
    #[error("inclusion proof does not lead to the expected root")]
    RootMismatch,
    /// The old root computed from a consistency proof differs from the expected one.
    #[error("consistency proof does not lead to the expected old root")]
    OldRootMismatch,
    /// The new root computed from a consistency proof differs from the expected one.
    #[error("consistency proof does not lead to the expected new root")]
    NewRootMismatch,
    /// A signed note's text is not well formed.
    #[error("malformed note: {0}")]
    MalformedNote(&'static str),
    /// A verifier key string is not well formed.
    #[error("malformed verifier key: {0}")]
    MalformedVerifierKey(&'static str),
    /// A verifier key or signer names a signature algorithm other than Ed25519.
    #[error("unsupported signature type 0x{0:02x} (only Ed25519, 0x01, is supported)")]
    UnsupportedKeyType(u8),
    /// A key name is empty or contains a space, '+' or a newline.
    #[error("invalid key name")]
    InvalidKeyName,
    /// The note carries a signature from the verifier's key (name and key id match),
    /// but the signature does not verify.
    #[error("signature by {0} does not verify")]
    BadSignature(String),
    /// The note has no signature from the verifier's key.
    #[error("note has no signature from key {0}")]
    NoSignature(String),
    /// A checkpoint body is not well formed.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    /// The operating system's random number generator failed.
    #[error("could not obtain random bytes for a new key")]
    Randomness,
    /// A proof bundle is not well formed.
    #[error("malformed proof bundle: {0}")]
    MalformedProof(&'static str),
}
