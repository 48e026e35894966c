//! Exact data match: a company's list of identifiers (customer numbers, account
//! ids, e-mail addresses) is turned into keyed hashes once; scanning hashes the
//! candidate tokens of a text the same way and looks them up. The plaintext
//! list is never needed at scan time, and the hash file alone does not reveal
//! it without the key.
//!
//! Hash: HMAC-SHA256(key, "chatwarden-exact-v1\0" ‖ normalize_token(value)).
//! File: `#` header lines (format, column, key check, token lengths, most
//! words), then one lowercase hex hash per line, sorted.

use crate::engine::{Cand, Engine};
use crate::error::InspectError;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};
use std::io::{BufRead, Read, Write};
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

const DOMAIN: &[u8] = b"chatwarden-exact-v1\0";
const FORMAT_LINE: &str = "# chatwarden exact-match hashes v1";
/// Longest run of words one identifier may span ("4111 1111 1111 1111").
const MAX_WORDS: usize = 6;

/// The form an identifier is hashed in: Unicode lowercase, letters and digits
/// only ("C-10021" and "c10021" are the same token; so are
/// "+1 (555) 010-0199" and "15550100199").
pub fn normalize_token(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn keyed(key: &[u8; 32]) -> Result<HmacSha256, InspectError> {
    HmacSha256::new_from_slice(key).map_err(|e| InspectError::Config(e.to_string()))
}

fn hash_with(mac: &HmacSha256, normalized: &str) -> [u8; 32] {
    let mut m = mac.clone();
    m.update(DOMAIN);
    m.update(normalized.as_bytes());
    m.finalize().into_bytes().into()
}

/// A short value derived from the key, stored in the file header, so a file
/// used with the wrong key is refused instead of silently matching nothing.
fn key_check(key: &[u8; 32]) -> Result<String, InspectError> {
    let mut m = keyed(key)?;
    m.update(b"chatwarden-exact-key-check");
    let out = m.finalize().into_bytes();
    Ok(hex::encode(out.get(..8).unwrap_or_default()))
}

/// What [`build_exact_hashes`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExactStats {
    /// Data rows read.
    pub rows: u64,
    /// Distinct hashes written.
    pub hashes: u64,
    /// Rows whose cell was empty after normalization.
    pub empty: u64,
}

/// Reads a CSV with a header row, takes the column named `column`, and writes
/// the keyed hash of each normalized cell to `out` (hash-file format above).
pub fn build_exact_hashes(
    csv: impl Read,
    column: &str,
    key: &[u8; 32],
    mut out: impl Write,
) -> Result<ExactStats, InspectError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    let headers = reader
        .headers()
        .map_err(|e| InspectError::Rules(format!("CSV header: {e}")))?;
    let col = headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(column.trim()))
        .ok_or_else(|| InspectError::Rules(format!("CSV has no column {column:?}")))?;
    let mac = keyed(key)?;
    let mut stats = ExactStats::default();
    let mut hashes: BTreeSet<[u8; 32]> = BTreeSet::new();
    let (mut min_len, mut max_len, mut max_words) = (usize::MAX, 0usize, 1usize);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            InspectError::Rules(format!("CSV line {line}: {e}"))
        })?;
        stats.rows += 1;
        let cell = record.get(col).unwrap_or("");
        let norm = normalize_token(cell);
        if norm.is_empty() {
            stats.empty += 1;
            continue;
        }
        min_len = min_len.min(norm.len());
        max_len = max_len.max(norm.len());
        max_words = max_words.max(cell.split_whitespace().count().min(MAX_WORDS));
        hashes.insert(hash_with(&mac, &norm));
    }
    if hashes.is_empty() {
        min_len = 0;
    }
    stats.hashes = hashes.len() as u64;
    writeln!(out, "{FORMAT_LINE}")?;
    writeln!(out, "# column: {}", column.trim())?;
    writeln!(out, "# key-check: {}", key_check(key)?)?;
    writeln!(out, "# lengths: {min_len}-{max_len}")?;
    writeln!(out, "# max-words: {max_words}")?;
    for h in &hashes {
        writeln!(out, "{}", hex::encode(h))?;
    }
    out.flush()?;
    Ok(stats)
}

/// A loaded hash file.
#[derive(Clone)]
pub(crate) struct HashSetFile {
    hashes: Arc<HashSet<[u8; 32]>>,
    key_check: String,
    min_len: usize,
    max_len: usize,
    max_words: usize,
}

impl std::fmt::Debug for HashSetFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashSetFile")
            .field("hashes", &self.hashes.len())
            .field("lengths", &(self.min_len..=self.max_len))
            .field("max_words", &self.max_words)
            .finish()
    }
}

/// Reads a hash file; errors name the line.
pub(crate) fn read_hash_file(r: impl BufRead) -> Result<HashSetFile, String> {
    let mut hashes = HashSet::new();
    let mut key_check = None;
    let (mut min_len, mut max_len, mut max_words) = (1usize, usize::MAX, MAX_WORDS);
    let mut format_seen = false;
    for (i, line) in r.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("line {n}: {e}"))?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(h) = line.strip_prefix('#') {
            let h = h.trim();
            if line == FORMAT_LINE {
                format_seen = true;
            } else if let Some(v) = h.strip_prefix("key-check:") {
                key_check = Some(v.trim().to_string());
            } else if let Some(v) = h.strip_prefix("lengths:") {
                let (a, b) = v.trim().split_once('-').unwrap_or(("1", ""));
                min_len = a.parse().unwrap_or(1);
                max_len = b.parse().unwrap_or(usize::MAX);
            } else if let Some(v) = h.strip_prefix("max-words:") {
                max_words = v.trim().parse().unwrap_or(MAX_WORDS).clamp(1, MAX_WORDS);
            }
            continue;
        }
        let mut h = [0u8; 32];
        hex::decode_to_slice(line, &mut h)
            .map_err(|_| format!("line {n}: not a 64-digit hex hash"))?;
        hashes.insert(h);
    }
    if !format_seen {
        return Err(format!(
            "not a hash file (first line should be {FORMAT_LINE:?})"
        ));
    }
    let key_check = key_check.ok_or("hash file has no key-check line")?;
    Ok(HashSetFile {
        hashes: Arc::new(hashes),
        key_check,
        min_len: min_len.max(1),
        max_len,
        max_words,
    })
}

#[derive(Clone, Debug)]
pub(crate) struct ExactRule {
    pub entity: String,
    pub detector: String,
    pub score: f32,
    pub set: HashSetFile,
}

pub(crate) struct CompiledExact {
    mac: HmacSha256,
    rules: Vec<ExactRule>,
    min_len: usize,
    max_len: usize,
    max_words: usize,
}

/// Characters that separate tokens besides whitespace; `-`, `.`, `@`, `_`,
/// `/`, `+` stay inside a token (ids, e-mail addresses, phone numbers).
fn is_delim(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | ';'
                | ':'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '"'
                | '\''
                | '<'
                | '>'
                | '='
                | '|'
                | '!'
                | '?'
                | '«'
                | '»'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '，'
                | '：'
                | '；'
                | '。'
        )
}

/// Byte spans of tokens, trailing dots trimmed ("C-10021." → "C-10021").
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let push = |s: usize, e: usize, out: &mut Vec<(usize, usize)>| {
        let tok = text.get(s..e).unwrap_or("");
        let trimmed = tok
            .trim_end_matches(['.', '-', '/', '+'])
            .trim_start_matches(['.', '/']);
        let off = tok.len() - tok.trim_start_matches(['.', '/']).len();
        if !trimmed.is_empty() {
            out.push((s + off, s + off + trimmed.len()));
        }
    };
    for (i, c) in text.char_indices() {
        if is_delim(c) {
            if let Some(s) = start.take() {
                push(s, i, &mut out);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        push(s, text.len(), &mut out);
    }
    out
}

impl CompiledExact {
    pub(crate) fn new(rules: &[ExactRule], key: &[u8; 32]) -> Result<CompiledExact, InspectError> {
        let check = key_check(key)?;
        for r in rules {
            if r.set.key_check != check {
                return Err(InspectError::Config(format!(
                    "exact-match hashes for {} were built with another key",
                    r.entity
                )));
            }
        }
        Ok(CompiledExact {
            mac: keyed(key)?,
            min_len: rules.iter().map(|r| r.set.min_len).min().unwrap_or(1),
            max_len: rules.iter().map(|r| r.set.max_len).max().unwrap_or(0),
            max_words: rules.iter().map(|r| r.set.max_words).max().unwrap_or(1),
            rules: rules.to_vec(),
        })
    }

    pub(crate) fn entities(&self) -> Vec<String> {
        self.rules.iter().map(|r| r.entity.clone()).collect()
    }

    pub(crate) fn scan(&self, engine: &Engine, text: &str, out: &mut Vec<Cand>) {
        let toks = tokens(text);
        let norms: Vec<String> = toks
            .iter()
            .map(|&(s, e)| normalize_token(text.get(s..e).unwrap_or("")))
            .collect();
        for i in 0..toks.len() {
            let mut joined = String::new();
            for n in 0..self.max_words {
                let Some(part) = norms.get(i + n) else { break };
                joined.push_str(part);
                if joined.len() > self.max_len {
                    break;
                }
                if joined.len() < self.min_len {
                    continue;
                }
                let h = hash_with(&self.mac, &joined);
                for r in &self.rules {
                    if !r.set.hashes.contains(&h) {
                        continue;
                    }
                    let (Some(&(s, _)), Some(&(_, e))) = (toks.get(i), toks.get(i + n)) else {
                        continue;
                    };
                    if let Some(id) = engine.entity_id(&r.entity) {
                        out.push(Cand {
                            entity: id,
                            detector: Cow::Owned(r.detector.clone()),
                            start: s,
                            end: e,
                            score: r.score,
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_punctuation_but_keep_ids_and_emails() {
        let t = "id C-10021, mail ana.souza@example.com. (x)";
        let got: Vec<&str> = tokens(t).iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(got, ["id", "C-10021", "mail", "ana.souza@example.com", "x"]);
    }

    #[test]
    fn normalization_drops_separators_and_case() {
        assert_eq!(normalize_token("C-10021"), "c10021");
        assert_eq!(normalize_token("+1 (555) 010-0199"), "15550100199");
        assert_eq!(normalize_token("MÜLLER"), "müller");
    }
}
