//! Stable identifiers derived from source identity.
//!
//! Ids are hex SHA-256 digests (truncated to 128 bits) over length-prefixed
//! fields, so the same source identity always gives the same id and no two
//! field sequences collide by concatenation.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Builds an id from a sequence of fields. Each field is length-prefixed.
#[derive(Clone, Default)]
pub struct IdHasher {
    hasher: Sha256,
}

impl IdHasher {
    /// Starts an id for one kind of object (the domain keeps kinds apart).
    pub fn new(domain: &str) -> Self {
        let mut id = Self::default();
        id.field(domain.as_bytes());
        id
    }

    /// Adds one field.
    pub fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
        self
    }

    /// Adds one field given in pieces, hashed exactly as their concatenation
    /// would be (one length prefix for the whole), without building it.
    pub fn field_parts(&mut self, parts: &[&[u8]]) -> &mut Self {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        self.hasher.update((len as u64).to_le_bytes());
        for p in parts {
            self.hasher.update(p);
        }
        self
    }

    /// Adds bytes with no length prefix: a caller hashing one field in pieces
    /// (its length first, then its bytes) for a state it keeps half-way.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.hasher.update(bytes);
        self
    }

    /// Adds one string field.
    pub fn str(&mut self, value: &str) -> &mut Self {
        self.field(value.as_bytes())
    }

    /// Adds one integer field.
    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.field(&value.to_le_bytes())
    }

    /// The first 128 bits of the digest, as 32 lowercase hex characters.
    pub fn finish_hex(self) -> String {
        let digest = self.hasher.finalize();
        let mut out = [0u8; 32];
        let head = digest.get(..16).unwrap_or_default();
        if hex::encode_to_slice(head, &mut out).is_ok()
            && let Ok(s) = std::str::from_utf8(&out)
        {
            return s.to_owned();
        }
        hex::encode(head)
    }
}

macro_rules! id_type {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    ConversationId,
    "Identifies one conversation across every export of it."
);
id_type!(
    MessageId,
    "Identifies one message across every export that holds it."
);
id_type!(
    ParticipantId,
    "Identifies one participant within a channel."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_prefix_prevents_concatenation_collisions() {
        let mut a = IdHasher::new("m");
        a.str("ab").str("c");
        let mut b = IdHasher::new("m");
        b.str("a").str("bc");
        assert_ne!(a.finish_hex(), b.finish_hex());
    }

    #[test]
    fn field_parts_hash_like_the_joined_field() {
        let mut a = IdHasher::new("m");
        a.str("line one\nline two").u64(1);
        let mut b = IdHasher::new("m");
        b.field_parts(&[b"line one", b"\n", b"line two"]).u64(1);
        assert_eq!(a.finish_hex(), b.finish_hex());
        let mut c = IdHasher::new("m");
        c.str("");
        let mut d = IdHasher::new("m");
        d.field_parts(&[]);
        assert_eq!(c.finish_hex(), d.finish_hex());
    }

    #[test]
    fn ids_are_stable_and_32_hex() {
        let mut a = IdHasher::new("m");
        a.str("x").u64(7);
        let mut b = IdHasher::new("m");
        b.str("x").u64(7);
        let (a, b) = (a.finish_hex(), b.finish_hex());
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
