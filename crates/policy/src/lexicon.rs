//! Lexicons: word lists with proximity and exclusions, run like detectors.
//!
//! A lexicon raises a hit for
//! * a **term** found on its own (`"risk-free"`), or
//! * a **near** pair: a word of one list within `within` words of a word of the other,
//!   in either order (`"guarantee"` within 5 words of `"return"`: "I guarantee you a
//!   10% return" has 3 words between them, a distance of 4).
//!
//! Matching is case-insensitive (Unicode lowercase) and on whole words: a match is
//! kept when the character on each side is not a letter or digit, except that a CJK
//! character on either side never blocks (those scripts have no spaces). Words are
//! counted as runs of letters and digits. Hits inside an **exclusion** phrase are
//! dropped (a compliant disclaimer "returns are not guaranteed" must not trip
//! "guaranteed" — the false-positive pattern described by compliance vendors, see
//! docs/policy.md), and so is everything after an **exclude_after** marker (an email-style
//! signature delimiter, "Disclaimer:"). Overlapping hits of one lexicon are merged.
//!
//! All words of all lexicons go into one Aho-Corasick automaton (overlapping matches),
//! so the cost per message does not grow with the number of lexicons.

use crate::language::{detect_language, known_languages, parse_language};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use chatwarden_model::{Finding, MessageId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use whatlang::Lang;

/// A proximity pair: a word of `words` within `within` words of a word of `near`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Near {
    pub words: Vec<String>,
    pub near: Vec<String>,
    pub within: usize,
}

/// One word list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lexicon {
    /// Lowercase identifier; findings name their detector `lexicon:<name>`.
    pub name: String,
    /// The entity its findings carry (`PROMISSORY_LANGUAGE`), as rules name it.
    pub entity: String,
    /// Language codes (`en`, `de`); empty: every language.
    pub languages: Vec<String>,
    pub score: f32,
    pub terms: Vec<String>,
    pub near: Vec<Near>,
    pub exclude: Vec<String>,
    pub exclude_after: Vec<String>,
}

/// One lexicon hit in a text. Spans are in Unicode scalar values, end exclusive.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LexiconHit {
    pub lexicon: String,
    pub entity: String,
    pub start: usize,
    pub end: usize,
    pub score: f32,
    /// The lexicon's words that matched, as the lexicon writes them.
    pub terms: Vec<String>,
}

impl LexiconHit {
    /// The hit as a finding (detector `lexicon:<name>`). The preview is the lexicon's
    /// own matched words (policy vocabulary, not personal data); the hash is a SHA-256
    /// of the lexicon name and those words, so equal hits correlate.
    pub fn to_finding(&self, message: &MessageId, attachment: Option<&str>) -> Finding {
        let preview = self.terms.join(" … ");
        let mut h = Sha256::new();
        h.update(b"chatwarden-lexicon-v1\0");
        h.update(self.lexicon.as_bytes());
        h.update(b"\0");
        h.update(preview.as_bytes());
        Finding {
            message: message.clone(),
            entity: self.entity.clone(),
            detector: format!("lexicon:{}", self.lexicon),
            start: self.start,
            end: self.end,
            score: self.score,
            preview,
            value_hash: hex::encode(h.finalize()),
            attachment: attachment.map(str::to_owned),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Role {
    Term,
    NearA(usize),
    NearB(usize),
    Exclude,
    ExcludeAfter,
}

#[derive(Clone, Debug)]
struct Pattern {
    lexicon: usize,
    role: Role,
    /// The word as the lexicon writes it.
    word: String,
    /// Whether the pattern starts / ends with a letter or digit (needs a word edge).
    edge_start: bool,
    edge_end: bool,
}

/// All lexicons of a policy, compiled together.
#[derive(Clone, Debug, Default)]
pub struct Lexicons {
    lexicons: Vec<Lexicon>,
    /// Each lexicon's `languages`, parsed (empty: every language).
    languages: Vec<Vec<Lang>>,
    patterns: Vec<Pattern>,
    ac: Option<AhoCorasick>,
}

/// A match after the word-edge check, in the scanned text's bytes.
#[derive(Clone, Copy, Debug)]
struct Hit {
    pattern: usize,
    start: usize,
    end: usize,
}

impl Lexicons {
    /// Compiles lexicons. Fails when a lexicon names a language the detector does not
    /// know (see [`crate::language`]), or when the automaton cannot be built (too large).
    pub fn new(lexicons: Vec<Lexicon>) -> Result<Self, String> {
        let mut languages = Vec::with_capacity(lexicons.len());
        for lex in &lexicons {
            let mut langs = Vec::new();
            for code in &lex.languages {
                let lang = parse_language(code).ok_or_else(|| {
                    format!(
                        "lexicon {:?}: unknown language {code:?} (an ISO 639-1 or 639-3 code of: {})",
                        lex.name,
                        known_languages()
                    )
                })?;
                langs.push(lang);
            }
            languages.push(langs);
        }
        let mut patterns = Vec::new();
        for (li, lex) in lexicons.iter().enumerate() {
            let mut add = |word: &String, role: Role| {
                let w = word.trim();
                if !w.is_empty() {
                    patterns.push(Pattern {
                        lexicon: li,
                        role,
                        word: w.to_owned(),
                        edge_start: w.chars().next().is_some_and(char::is_alphanumeric),
                        edge_end: w.chars().next_back().is_some_and(char::is_alphanumeric),
                    });
                }
            };
            lex.terms.iter().for_each(|w| add(w, Role::Term));
            for (ni, near) in lex.near.iter().enumerate() {
                near.words.iter().for_each(|w| add(w, Role::NearA(ni)));
                near.near.iter().for_each(|w| add(w, Role::NearB(ni)));
            }
            lex.exclude.iter().for_each(|w| add(w, Role::Exclude));
            lex.exclude_after
                .iter()
                .for_each(|w| add(w, Role::ExcludeAfter));
        }
        let ac = if patterns.is_empty() {
            None
        } else {
            let lowered: Vec<String> = patterns.iter().map(|p| p.word.to_lowercase()).collect();
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&lowered)
                    .map_err(|e| e.to_string())?,
            )
        };
        Ok(Lexicons {
            lexicons,
            languages,
            patterns,
            ac,
        })
    }

    pub fn lexicons(&self) -> &[Lexicon] {
        &self.lexicons
    }

    pub fn is_empty(&self) -> bool {
        self.lexicons.is_empty()
    }

    /// Scans a text. `languages`: the text's languages when the caller knows them (a
    /// lexicon whose languages are all different is skipped); `None` runs every lexicon.
    pub fn scan(&self, text: &str, languages: Option<&[&str]>) -> Vec<LexiconHit> {
        let given: Option<Vec<Option<Lang>>> =
            languages.map(|codes| codes.iter().map(|c| parse_language(c)).collect());
        let enabled: Vec<bool> = self
            .lexicons
            .iter()
            .zip(&self.languages)
            .map(|(l, langs)| {
                langs.is_empty()
                    || given.as_ref().is_none_or(|given| {
                        given
                            .iter()
                            .zip(languages.unwrap_or_default())
                            .any(|(g, code)| match g {
                                Some(g) => langs.contains(g),
                                None => l.languages.iter().any(|y| y.eq_ignore_ascii_case(code)),
                            })
                    })
            })
            .collect();
        self.scan_enabled(text, &enabled)
            .into_iter()
            .map(|(_, hit)| hit)
            .collect()
    }

    /// Scans a text, deciding its language itself: a lexicon that names languages runs
    /// unless the text is confidently in another language ([`detect_language`]). The
    /// detector runs only when such a lexicon has a hit.
    pub fn scan_detecting(&self, text: &str) -> Vec<LexiconHit> {
        let all = vec![true; self.lexicons.len()];
        let mut hits = self.scan_enabled(text, &all);
        let restricted = |li: usize| self.languages.get(li).is_some_and(|l| !l.is_empty());
        if hits.iter().any(|(li, _)| restricted(*li)) {
            let language = detect_language(text);
            hits.retain(|(li, _)| {
                !restricted(*li)
                    || self
                        .languages
                        .get(*li)
                        .is_some_and(|langs| language.admits(langs))
            });
        }
        hits.into_iter().map(|(_, hit)| hit).collect()
    }

    /// The hits of the enabled lexicons, each with its lexicon's index.
    fn scan_enabled(&self, text: &str, enabled: &[bool]) -> Vec<(usize, LexiconHit)> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        // ASCII text is scanned as is (the automaton folds ASCII case). Other text is
        // lowercased, with a map from each lowered byte to its original character.
        let lowered;
        let mut char_of: Vec<usize> = Vec::new();
        let scanned: &str = if text.is_ascii() {
            text
        } else {
            let mut s = String::with_capacity(text.len());
            for (ci, c) in text.chars().enumerate() {
                for l in c.to_lowercase() {
                    let before = s.len();
                    s.push(l);
                    char_of.extend(std::iter::repeat_n(ci, s.len() - before));
                }
            }
            lowered = s;
            &lowered
        };
        let mut hits: Vec<Hit> = Vec::new();
        for m in ac.find_overlapping_iter(scanned) {
            let Some(p) = self.patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            if !enabled.get(p.lexicon).copied().unwrap_or(false) {
                continue;
            }
            if p.edge_start && blocks(scanned.get(..m.start()).and_then(|s| s.chars().next_back()))
            {
                continue;
            }
            if p.edge_end && blocks(scanned.get(m.end()..).and_then(|s| s.chars().next())) {
                continue;
            }
            hits.push(Hit {
                pattern: m.pattern().as_usize(),
                start: m.start(),
                end: m.end(),
            });
        }
        if hits.is_empty() {
            return Vec::new();
        }
        let words = word_starts(scanned);
        let to_char = |byte: usize| -> usize {
            if char_of.is_empty() {
                byte
            } else {
                char_of.get(byte).copied().unwrap_or(text.chars().count())
            }
        };

        let mut out = Vec::new();
        for (li, lex) in self.lexicons.iter().enumerate() {
            let mine: Vec<(Role, &Pattern, Hit)> = hits
                .iter()
                .filter_map(|h| {
                    let p = self.patterns.get(h.pattern)?;
                    (p.lexicon == li).then_some((p.role, p, *h))
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let cutoff = mine
                .iter()
                .filter(|(r, _, _)| matches!(r, Role::ExcludeAfter))
                .map(|(_, _, h)| h.start)
                .min()
                .unwrap_or(usize::MAX);
            let excluded: Vec<(usize, usize)> = mine
                .iter()
                .filter(|(r, _, _)| matches!(r, Role::Exclude))
                .map(|(_, _, h)| (h.start, h.end))
                .collect();
            let keep = |h: &Hit| {
                h.start < cutoff && !excluded.iter().any(|&(s, e)| h.start < e && s < h.end)
            };

            // (start, end, words) in scanned bytes.
            let mut found: Vec<(usize, usize, Vec<String>)> = Vec::new();
            for (role, p, h) in &mine {
                if !keep(h) {
                    continue;
                }
                match role {
                    Role::Term => found.push((h.start, h.end, vec![p.word.clone()])),
                    Role::NearA(ni) => {
                        let Some(near) = lex.near.get(*ni) else {
                            continue;
                        };
                        let best = mine
                            .iter()
                            .filter(|(r, _, b)| matches!(r, Role::NearB(x) if x == ni) && keep(b))
                            .filter_map(|(_, q, b)| {
                                word_distance(&words, h, b)
                                    .filter(|d| *d <= near.within)
                                    .map(|d| (d, q, b))
                            })
                            .min_by_key(|(d, _, b)| (*d, b.start));
                        if let Some((_, q, b)) = best {
                            let (first, second) = if h.start <= b.start { (p, q) } else { (q, p) };
                            found.push((
                                h.start.min(b.start),
                                h.end.max(b.end),
                                vec![first.word.clone(), second.word.clone()],
                            ));
                        }
                    }
                    _ => {}
                }
            }
            found.sort_by_key(|f| (f.0, f.1));
            let mut merged: Vec<(usize, usize, Vec<String>)> = Vec::new();
            for (s, e, ws) in found {
                match merged.last_mut() {
                    Some(last) if s < last.1 => {
                        last.1 = last.1.max(e);
                        for w in ws {
                            if !last.2.contains(&w) {
                                last.2.push(w);
                            }
                        }
                    }
                    _ => merged.push((s, e, ws)),
                }
            }
            for (s, e, ws) in merged {
                let start = to_char(s);
                let end = if e == 0 { 0 } else { to_char(e - 1) + 1 };
                out.push((
                    li,
                    LexiconHit {
                        lexicon: lex.name.clone(),
                        entity: lex.entity.clone(),
                        start,
                        end,
                        score: lex.score,
                        terms: ws,
                    },
                ));
            }
        }
        out
    }

    /// Scans a message's text and returns the hits as findings (`languages` as in
    /// [`Lexicons::scan`]).
    pub fn findings(
        &self,
        message: &MessageId,
        text: &str,
        languages: Option<&[&str]>,
    ) -> Vec<Finding> {
        self.scan(text, languages)
            .iter()
            .map(|h| h.to_finding(message, None))
            .collect()
    }

    /// Scans a message's text, deciding its language itself ([`Lexicons::scan_detecting`]),
    /// and returns the hits as findings. This is what policy evaluation uses.
    pub fn findings_detecting(&self, message: &MessageId, text: &str) -> Vec<Finding> {
        self.scan_detecting(text)
            .iter()
            .map(|h| h.to_finding(message, None))
            .collect()
    }
}

/// Whether the character next to a match edge makes it part of a longer word.
fn blocks(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() && !is_cjk(c))
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FFFF) // CJK Extensions B–F
}

/// Byte offsets where words (runs of letters and digits) start.
fn word_starts(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut in_word = false;
    for (i, c) in s.char_indices() {
        let w = c.is_alphanumeric();
        if w && (!in_word || is_cjk(c)) {
            out.push(i);
        }
        in_word = w;
    }
    out
}

/// Words from the end of the earlier match to the start of the later one (adjacent
/// words: 1). `None` when the matches overlap.
fn word_distance(words: &[usize], a: &Hit, b: &Hit) -> Option<usize> {
    let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
    if second.start < first.end {
        return None;
    }
    // Index of the last word starting inside `first`, and of the word `second` starts at.
    let first_last = words.partition_point(|&w| w < first.end).checked_sub(1)?;
    let second_first = words.partition_point(|&w| w < second.start);
    second_first.checked_sub(first_last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promissory() -> Lexicons {
        Lexicons::new(vec![Lexicon {
            name: "promissory".into(),
            entity: "PROMISSORY_LANGUAGE".into(),
            languages: vec!["en".into()],
            score: 0.8,
            terms: vec!["risk-free".into(), "can't lose".into()],
            near: vec![Near {
                words: vec!["guarantee".into(), "guaranteed".into()],
                near: vec!["return".into(), "returns".into()],
                within: 5,
            }],
            exclude: vec!["returns are not guaranteed".into()],
            exclude_after: vec!["disclaimer:".into()],
        }])
        .unwrap()
    }

    #[test]
    fn proximity_counts_words_between() {
        let l = promissory();
        let hits = l.scan("I guarantee you a 10% return on this", None);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].terms, vec!["guarantee", "return"]);
        assert_eq!(hits[0].start, 2);
        assert_eq!(hits[0].end, 2 + "guarantee you a 10% return".len());
        // Seven words apart: too far.
        assert!(
            l.scan(
                "guarantee that we will all meet again next month to discuss the return",
                None
            )
            .is_empty()
        );
        // Reverse order counts too.
        assert_eq!(l.scan("Returns are guaranteed!", None).len(), 1);
    }

    #[test]
    fn whole_words_only() {
        let l = promissory();
        assert!(l.scan("the guaranteeing bank returned it", None).is_empty());
        assert_eq!(l.scan("this is RISK-FREE, honestly", None).len(), 1);
    }

    #[test]
    fn exclusions_and_signature_cutoff() {
        let l = promissory();
        assert!(
            l.scan("Please note returns are not guaranteed.", None)
                .is_empty()
        );
        assert!(
            l.scan("See you. Disclaimer: we guarantee no return", None)
                .is_empty()
        );
        assert_eq!(
            l.scan("We guarantee a return. Disclaimer: none", None)
                .len(),
            1
        );
    }

    #[test]
    fn languages_filter_and_unicode_spans() {
        let l = promissory();
        assert!(l.scan("risk-free", Some(&["de"])).is_empty());
        assert_eq!(l.scan("risk-free", Some(&["en", "de"])).len(), 1);
        // Codes are compared as languages: `eng` and `en-GB` are `en`.
        assert_eq!(l.scan("risk-free", Some(&["eng"])).len(), 1);
        assert_eq!(l.scan("risk-free", Some(&["en-GB"])).len(), 1);
        // Deciding the language itself: a confident German sentence skips the English
        // lexicon, a short text runs it.
        assert!(
            l.scan_detecting(
                "Das ist ein risk-free Geschäft, sagt er, aber ich glaube ihm das nicht so ganz."
            )
            .is_empty()
        );
        assert_eq!(l.scan_detecting("risk-free!").len(), 1);
        // An unknown language code is refused.
        let mut bad = l.lexicons()[0].clone();
        bad.languages = vec!["english".into()];
        assert!(Lexicons::new(vec![bad]).is_err());
        // Non-ASCII text: spans are in characters.
        let hits = l.scan("Ünd GUARANTEED RETURNS", None);
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].start, hits[0].end), (4, 22));
    }
}
