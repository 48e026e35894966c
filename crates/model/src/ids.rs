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

    /// [`IdHasher::finish_hex`] as an id's text (inline: nothing allocated).
    pub fn finish_id(self) -> IdText {
        let digest = self.hasher.finalize();
        IdText::hex(digest.get(..16).unwrap_or_default())
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

/// Longest id text kept inline (a derived id is 32 hex characters).
const INLINE: usize = 32;

/// The text of an id: kept inline when short (every derived id is), so that
/// making and copying ids allocates nothing; longer text is shared.
#[derive(Clone)]
pub struct IdText(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(std::sync::Arc<str>),
}

impl IdText {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Repr::Shared(s) => s,
        }
    }

    fn inline(text: &str) -> Option<Self> {
        let mut bytes = [0u8; INLINE];
        bytes
            .get_mut(..text.len())?
            .copy_from_slice(text.as_bytes());
        Some(IdText(Repr::Inline {
            len: u8::try_from(text.len()).ok()?,
            bytes,
        }))
    }

    /// The 32 hex characters of a digest's first 16 bytes, inline.
    fn hex(head: &[u8]) -> Self {
        let mut out = [0u8; 32];
        if hex::encode_to_slice(head, &mut out).is_ok()
            && let Ok(s) = std::str::from_utf8(&out)
        {
            return IdText::from(s);
        }
        IdText::from(hex::encode(head))
    }
}

impl From<&str> for IdText {
    fn from(value: &str) -> Self {
        IdText::inline(value).unwrap_or_else(|| IdText(Repr::Shared(value.into())))
    }
}

impl From<String> for IdText {
    fn from(value: String) -> Self {
        IdText::inline(&value).unwrap_or_else(|| IdText(Repr::Shared(value.into())))
    }
}

impl From<&String> for IdText {
    fn from(value: &String) -> Self {
        IdText::from(value.as_str())
    }
}

impl std::ops::Deref for IdText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for IdText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for IdText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for IdText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for IdText {}

impl PartialEq<str> for IdText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for IdText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for IdText {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IdText {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for IdText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for IdText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IdText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = IdText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IdText, E> {
                Ok(IdText::from(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<IdText, E> {
                Ok(IdText::from(v))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

macro_rules! id_type {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub IdText);

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
                Self(value.into())
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.into())
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

    /// Short ids are kept inline, long ones shared; either way an id compares,
    /// orders, hashes, prints and (de)serializes as its text.
    #[test]
    fn id_text_behaves_as_its_text() {
        use std::collections::HashMap;
        let hex = "0123456789abcdef0123456789abcdef";
        let long = "participant:".repeat(5);
        let texts = ["", "m1", "Zoë", hex, long.as_str()];
        for (i, t) in texts.iter().enumerate() {
            let id = MessageId::from(*t);
            assert_eq!(id.as_str(), *t);
            assert_eq!(id, MessageId::from(t.to_string()));
            assert_eq!(id.to_string(), *t);
            assert_eq!(format!("{id:?}"), format!("MessageId({t:?})"));
            let json = serde_json::to_string(&id).unwrap_or_default();
            assert_eq!(json, serde_json::to_string(t).unwrap_or_default());
            let back: MessageId =
                serde_json::from_str(&json).unwrap_or_else(|_| MessageId::from("x"));
            assert_eq!(back, id);
            let mut map: HashMap<IdText, usize> = HashMap::new();
            map.insert(id.0.clone(), i);
            assert_eq!(map.get(*t), Some(&i), "looked up by &str");
            for u in texts {
                assert_eq!(IdText::from(*t).cmp(&IdText::from(u)), t.cmp(&u));
                let (a, b) = (IdText::from(*t), IdText::from(u));
                assert_eq!(a == b, *t == u);
                assert_eq!(a == *u, *t == u);
            }
        }
        assert!(matches!(IdText::from(hex).0, Repr::Inline { .. }));
        assert!(matches!(IdText::from(long.as_str()).0, Repr::Shared(_)));
        let mut h = IdHasher::new("m");
        h.str("x");
        let copy = h.clone();
        assert_eq!(h.finish_id().as_str(), copy.finish_hex());
    }
}
