//! Random sampling of unflagged messages for review.
//!
//! FINRA Regulatory Notice 07-59 accepts risk-based review that combines lexicon
//! surveillance with random review of the rest. Each custodian's messages are sampled
//! at a configured rate. The choice is a keyed hash of the message id,
//! `HMAC-SHA256(seed, "chatwarden-sample-v1\0" ‖ custodian ‖ "\0" ‖ message id)`: its
//! first 8 bytes, read as a fraction of 2^64, select the message when below the rate.
//! So the same message is always in or always out for a given seed (an auditor holding
//! the seed can recompute the sample), while employees without the seed cannot predict
//! it. Raising the rate keeps every message already sampled.

use chatwarden_model::{ConversationId, Message, MessageId};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::{BTreeMap, HashSet};

/// Sampling rates: a default, and per custodian (as conversations name them).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SamplingConfig {
    /// Share of each custodian's unflagged messages to sample, 0 to 1.
    pub rate: f64,
    pub custodians: BTreeMap<String, f64>,
}

impl SamplingConfig {
    /// The rate for a custodian (the default when not listed or unknown).
    pub fn rate_for(&self, custodian: Option<&str>) -> f64 {
        custodian
            .and_then(|c| self.custodians.get(c))
            .copied()
            .unwrap_or(self.rate)
    }
}

/// A message chosen for review by sampling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampledMessage {
    pub conversation: ConversationId,
    pub message: MessageId,
    pub custodian: Option<String>,
    pub sent_at: jiff::Timestamp,
    /// The rate it was sampled at.
    pub rate: f64,
}

/// Chooses messages for random review.
#[derive(Clone)]
pub struct Sampler {
    mac: Hmac<Sha256>,
    config: SamplingConfig,
}

impl std::fmt::Debug for Sampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sampler")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Sampler {
    /// A sampler keyed by `seed` (keep it with the archive's secrets; record which seed
    /// a review period used).
    pub fn new(seed: &[u8], config: SamplingConfig) -> Self {
        // HMAC's own key processing (RFC 2104): a key longer than the block is hashed,
        // then the key is zero-padded to the block size.
        let mut key = [0u8; 64];
        if seed.len() <= key.len() {
            for (d, s) in key.iter_mut().zip(seed) {
                *d = *s;
            }
        } else {
            let digest = <Sha256 as sha2::Digest>::digest(seed);
            for (d, s) in key.iter_mut().zip(digest.iter()) {
                *d = *s;
            }
        }
        let mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&key.into());
        Sampler { mac, config }
    }

    pub fn config(&self) -> &SamplingConfig {
        &self.config
    }

    /// The message's position in [0, 1): sampled when below the custodian's rate.
    pub fn position(&self, custodian: Option<&str>, message: &MessageId) -> f64 {
        let mut mac = self.mac.clone();
        mac.update(b"chatwarden-sample-v1\0");
        mac.update(custodian.unwrap_or("").as_bytes());
        mac.update(b"\0");
        mac.update(message.as_str().as_bytes());
        let tag = mac.finalize().into_bytes();
        let mut head = [0u8; 8];
        for (d, s) in head.iter_mut().zip(tag.iter()) {
            *d = *s;
        }
        // 53 bits fill an f64's mantissa exactly.
        (u64::from_be_bytes(head) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Whether a message is in the sample.
    pub fn selects(&self, custodian: Option<&str>, message: &MessageId) -> bool {
        self.position(custodian, message) < self.config.rate_for(custodian)
    }

    /// The sampled messages among `messages` that are not `flagged` (already raised by a
    /// rule, so reviewed anyway).
    pub fn sample<'m, I>(
        &self,
        custodian: Option<&str>,
        messages: I,
        flagged: &HashSet<MessageId>,
    ) -> Vec<SampledMessage>
    where
        I: IntoIterator<Item = &'m Message>,
    {
        let rate = self.config.rate_for(custodian);
        messages
            .into_iter()
            .filter(|m| {
                m.kind == chatwarden_model::MessageKind::Message && !flagged.contains(&m.id)
            })
            .filter(|m| self.position(custodian, &m.id) < rate)
            .map(|m| SampledMessage {
                conversation: m.conversation.clone(),
                message: m.id.clone(),
                custodian: custodian.map(str::to_owned),
                sent_at: m.sent_at,
                rate,
            })
            .collect()
    }
}
