//! Dictionary rules: case-insensitive, whole-word matching of word lists with
//! one Aho-Corasick automaton. Word boundaries are Unicode-aware: a letter or
//! digit next to a match blocks it, except CJK characters (Han, kana, Hangul),
//! which are written without spaces, so "张伟说" still matches "张伟".

use crate::engine::{Cand, Engine};
use crate::error::InspectError;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub(crate) struct DictionaryRule {
    pub entity: String,
    pub detector: String,
    pub words: Vec<String>,
    pub score: f32,
}

pub(crate) struct CompiledDictionaries {
    ac: AhoCorasick,
    /// For each automaton pattern, the rules (index into `rules`) it belongs to.
    owners: Vec<Vec<usize>>,
    rules: Vec<(String, String, f32)>,
}

/// True for scripts written without spaces between words.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x1100..=0x11FF    // Hangul Jamo
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F  // CJK Extensions B–F, compatibility supplement
    )
}

fn blocks(neighbour: Option<char>, edge: Option<char>) -> bool {
    match (neighbour, edge) {
        (Some(n), Some(e)) => n.is_alphanumeric() && !is_cjk(n) && !is_cjk(e),
        _ => false,
    }
}

/// Lowercases `text`, returning the lowered string and, for each of its byte
/// offsets (and its end), the byte offset in `text` of the character it came from.
fn lower_with_map(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        for l in c.to_lowercase() {
            for _ in 0..l.len_utf8() {
                map.push(i);
            }
            out.push(l);
        }
    }
    map.push(text.len());
    (out, map)
}

impl CompiledDictionaries {
    pub(crate) fn new(
        rules: &[DictionaryRule],
    ) -> Result<Option<CompiledDictionaries>, InspectError> {
        if rules.is_empty() {
            return Ok(None);
        }
        let mut words: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (r, rule) in rules.iter().enumerate() {
            for w in &rule.words {
                let w = w.trim().to_lowercase();
                let i = *index.entry(w.clone()).or_insert_with(|| {
                    words.push(w);
                    owners.push(Vec::new());
                    words.len() - 1
                });
                if let Some(o) = owners.get_mut(i)
                    && !o.contains(&r)
                {
                    o.push(r);
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&words)
            .map_err(|e| InspectError::Pattern {
                name: "dictionary".into(),
                message: e.to_string(),
            })?;
        Ok(Some(CompiledDictionaries {
            ac,
            owners,
            rules: rules
                .iter()
                .map(|r| (r.entity.clone(), r.detector.clone(), r.score))
                .collect(),
        }))
    }

    pub(crate) fn entities(&self) -> Vec<String> {
        self.rules.iter().map(|r| r.0.clone()).collect()
    }

    pub(crate) fn scan(&self, engine: &Engine, text: &str, out: &mut Vec<Cand>) {
        // ASCII text: the automaton's ASCII case folding is enough. Otherwise
        // scan a lowercased copy and map offsets back.
        let lowered;
        let (hay, map): (&str, Option<&[usize]>) = if text.is_ascii() {
            (text, None)
        } else {
            lowered = lower_with_map(text);
            (lowered.0.as_str(), Some(lowered.1.as_slice()))
        };
        for m in self.ac.find_overlapping_iter(hay) {
            let (s, e) = match map {
                None => (m.start(), m.end()),
                Some(map) => match (map.get(m.start()), map.get(m.end())) {
                    (Some(&s), Some(&e)) => (s, e),
                    _ => continue,
                },
            };
            if s >= e || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
                continue;
            }
            let (Some(before), Some(after)) = (text.get(..s), text.get(e..)) else {
                continue;
            };
            let Some(word) = text.get(s..e) else { continue };
            if blocks(before.chars().next_back(), word.chars().next())
                || blocks(after.chars().next(), word.chars().next_back())
            {
                continue;
            }
            for &r in self
                .owners
                .get(m.pattern().as_usize())
                .into_iter()
                .flatten()
            {
                let Some((entity, detector, score)) = self.rules.get(r) else {
                    continue;
                };
                if let Some(id) = engine.entity_id(entity) {
                    out.push(Cand {
                        entity: id,
                        detector: Cow::Owned(detector.clone()),
                        start: s,
                        end: e,
                        score: *score,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowering_keeps_a_map_to_the_original() {
        let (l, map) = lower_with_map("ÄB İx");
        assert!(l.starts_with("äb "));
        assert_eq!(map.first(), Some(&0));
        assert_eq!(map.last(), Some(&"ÄB İx".len()));
        assert_eq!(map.len(), l.len() + 1);
    }

    #[test]
    fn cjk_neighbours_do_not_block() {
        assert!(!blocks(Some('说'), Some('伟')));
        assert!(!blocks(Some('a'), Some('伟')));
        assert!(blocks(Some('x'), Some('a')));
        assert!(!blocks(Some(' '), Some('a')));
        assert!(!blocks(None, Some('a')));
    }
}
