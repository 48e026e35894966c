//! Regex rules (from the rules file and from gitleaks imports): one regex set
//! finds which rules match a text at all, then each matching rule's own regex
//! finds the values, which are checked (validator, entropy, allowlist) and
//! scored with context by the engine.

use crate::checksum::{self, digits};
use crate::engine::{Cand, CtxNeed, Engine};
use crate::error::InspectError;
use crate::pattern::{ValidateCtx, Validator, Verdict, ascii_boundaries};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use std::borrow::Cow;

/// Names accepted by `validator = "…"`, each an algorithm of `checksum.rs`.
pub const VALIDATORS: &[&str] = &[
    "luhn",
    "iban",
    "mod11",
    "iso7064_mod11_2",
    "verhoeff",
    "dea",
    "npi",
    "aba",
    "sg_nric",
    "es_nif",
    "it_fiscal",
    "eip55",
];

fn ok(valid: bool) -> Option<Verdict> {
    if valid { Verdict::score(1.0) } else { None }
}

fn compact_upper(v: &str) -> String {
    v.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn v_luhn(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::luhn(&digits(v)))
}
fn v_iban(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::iban_mod97(&compact_upper(v)))
}
fn v_mod11(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::nhs_mod11(&digits(v)))
}
fn v_iso7064(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::iso7064_mod11_2(&compact_upper(v)))
}
fn v_verhoeff(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::verhoeff(&digits(v)))
}
fn v_dea(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::dea_check(&digits(v)))
}
fn v_npi(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::npi_check(&digits(v)))
}
fn v_aba(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::aba_routing(&digits(v)))
}
fn v_nric(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::sg_nric(&compact_upper(v)))
}
fn v_nif(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::es_nif(&compact_upper(v)))
}
fn v_fiscal(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::it_fiscal(&compact_upper(v)))
}
fn v_eip55(v: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    ok(checksum::eip55(v.trim()))
}

/// The validator named `name` (one of [`VALIDATORS`]).
pub(crate) fn validator(name: &str) -> Option<(&'static str, Validator)> {
    let f: Validator = match name {
        "luhn" => v_luhn,
        "iban" => v_iban,
        "mod11" => v_mod11,
        "iso7064_mod11_2" => v_iso7064,
        "verhoeff" => v_verhoeff,
        "dea" => v_dea,
        "npi" => v_npi,
        "aba" => v_aba,
        "sg_nric" => v_nric,
        "es_nif" => v_nif,
        "it_fiscal" => v_fiscal,
        "eip55" => v_eip55,
        _ => return None,
    };
    let name = VALIDATORS.iter().copied().find(|n| *n == name)?;
    Some((name, f))
}

/// Which part of a match is the value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum GroupSel {
    Whole,
    Index(usize),
    /// The first capture group that matched something (gitleaks' rule when
    /// `secretGroup` is not set), else the whole match.
    FirstNonEmpty,
}

#[derive(Clone, Debug)]
pub(crate) struct RegexRule {
    pub entity: String,
    pub detector: String,
    pub pattern: String,
    pub validator: Option<(&'static str, Validator)>,
    pub context: Vec<String>,
    pub score: f32,
    pub min_score_without_context: Option<f32>,
    pub group: GroupSel,
    /// gitleaks: the rule runs only when one of these occurs in the text.
    pub keywords: Vec<String>,
    /// gitleaks: minimum Shannon entropy of the value (strictly above).
    pub entropy: Option<f32>,
    /// gitleaks allowlist: a value matching one of these is dropped.
    pub allow_regexes: Vec<String>,
    /// gitleaks allowlist: a value containing one of these is dropped.
    pub stopwords: Vec<String>,
}

impl RegexRule {
    /// Compiles the pattern once to report an error early.
    pub(crate) fn check(&self) -> Result<(), String> {
        build(&self.pattern).map(|_| ())
    }
}

/// Cap on the compiled size of one rule's regex.
const RULE_SIZE_LIMIT: usize = 16 << 20;
/// Cap on the compiled size of the regex set over all rules.
const SET_SIZE_LIMIT: usize = 128 << 20;
/// Most values taken from one rule in one text.
const MAX_MATCHES_PER_RULE: usize = 256;

fn build(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(&ascii_boundaries(pattern))
        .size_limit(RULE_SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

struct CompiledRule {
    entity: String,
    detector: String,
    re: Regex,
    validator: Option<Validator>,
    score: f32,
    need: CtxNeed,
    group: GroupSel,
    entropy: Option<f32>,
    allow: Vec<Regex>,
    stopwords: Vec<String>,
    has_keywords: bool,
}

pub(crate) struct CompiledRegexes {
    rules: Vec<CompiledRule>,
    set: Option<RegexSet>,
    keywords: Option<(AhoCorasick, Vec<Vec<usize>>)>,
    contexts: Vec<(String, Vec<String>)>,
}

impl CompiledRegexes {
    pub(crate) fn new(rules: &[RegexRule]) -> Result<Option<CompiledRegexes>, InspectError> {
        if rules.is_empty() {
            return Ok(None);
        }
        let mut compiled = Vec::with_capacity(rules.len());
        let mut kw_words: Vec<String> = Vec::new();
        let mut kw_owners: Vec<Vec<usize>> = Vec::new();
        let mut contexts: Vec<(String, Vec<String>)> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let re = build(&r.pattern).map_err(|message| InspectError::Pattern {
                name: r.detector.clone(),
                message,
            })?;
            let mut allow = Vec::new();
            for a in &r.allow_regexes {
                allow.push(build(a).map_err(|message| InspectError::Pattern {
                    name: format!("{} allowlist", r.detector),
                    message,
                })?);
            }
            for k in &r.keywords {
                let k = k.to_lowercase();
                match kw_words.iter().position(|w| *w == k) {
                    Some(p) => {
                        if let Some(o) = kw_owners.get_mut(p) {
                            o.push(i);
                        }
                    }
                    None => {
                        kw_words.push(k);
                        kw_owners.push(vec![i]);
                    }
                }
            }
            if !r.context.is_empty() {
                contexts.push((r.entity.clone(), r.context.clone()));
            }
            compiled.push(CompiledRule {
                entity: r.entity.clone(),
                detector: r.detector.clone(),
                re,
                validator: r.validator.map(|v| v.1),
                score: r.score,
                need: match r.min_score_without_context {
                    Some(m) => CtxNeed::MinScoreWithout(m),
                    None => CtxNeed::None,
                },
                group: r.group,
                entropy: r.entropy,
                allow,
                stopwords: r.stopwords.iter().map(|s| s.to_lowercase()).collect(),
                has_keywords: !r.keywords.is_empty(),
            });
        }
        // One pass to learn which rules match at all; if the set is too large
        // to compile, every rule runs on its own.
        let set = RegexSetBuilder::new(rules.iter().map(|r| ascii_boundaries(&r.pattern)))
            .size_limit(SET_SIZE_LIMIT)
            .build()
            .ok();
        if set.is_none() {
            tracing::warn!(
                rules = rules.len(),
                "custom regex set too large; rules run one by one"
            );
        }
        let keywords = if kw_words.is_empty() {
            None
        } else {
            let ac = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&kw_words)
                .map_err(|e| InspectError::Pattern {
                    name: "keywords".into(),
                    message: e.to_string(),
                })?;
            Some((ac, kw_owners))
        };
        Ok(Some(CompiledRegexes {
            rules: compiled,
            set,
            keywords,
            contexts,
        }))
    }

    pub(crate) fn entities(&self) -> Vec<String> {
        self.rules.iter().map(|r| r.entity.clone()).collect()
    }

    pub(crate) fn context_lists(&self) -> Vec<(String, Vec<String>)> {
        self.contexts.clone()
    }

    pub(crate) fn scan(
        &self,
        engine: &Engine,
        text: &str,
        region: &str,
        out: &mut Vec<(Cand, CtxNeed)>,
    ) {
        let mut keyword_seen: Vec<bool> = Vec::new();
        if let Some((ac, owners)) = &self.keywords {
            keyword_seen = vec![false; self.rules.len()];
            for m in ac.find_overlapping_iter(text) {
                for &r in owners.get(m.pattern().as_usize()).into_iter().flatten() {
                    if let Some(s) = keyword_seen.get_mut(r) {
                        *s = true;
                    }
                }
            }
        }
        let matched: Vec<usize> = match &self.set {
            Some(set) => set.matches(text).into_iter().collect(),
            None => (0..self.rules.len()).collect(),
        };
        for i in matched {
            let Some(rule) = self.rules.get(i) else {
                continue;
            };
            if rule.has_keywords && !keyword_seen.get(i).copied().unwrap_or(false) {
                continue;
            }
            let Some(entity) = engine.entity_id(&rule.entity) else {
                continue;
            };
            for caps in rule.re.captures_iter(text).take(MAX_MATCHES_PER_RULE) {
                let m = match rule.group {
                    GroupSel::Whole => caps.get(0),
                    GroupSel::Index(g) => caps.get(g),
                    GroupSel::FirstNonEmpty => caps
                        .iter()
                        .skip(1)
                        .flatten()
                        .find(|m| !m.is_empty())
                        .or_else(|| caps.get(0)),
                };
                let Some(m) = m else { continue };
                let value = m.as_str();
                if value.is_empty() || !rule.accepts(value) {
                    continue;
                }
                let mut score = rule.score;
                if let Some(v) = rule.validator {
                    let ctx = ValidateCtx {
                        region: Some(region),
                        text,
                        start: m.start(),
                    };
                    match v(value, &ctx) {
                        Some(verdict) => score *= verdict.score,
                        None => continue,
                    }
                }
                out.push((
                    Cand {
                        entity,
                        detector: Cow::Owned(rule.detector.clone()),
                        start: m.start(),
                        end: m.end(),
                        score,
                    },
                    rule.need,
                ));
            }
        }
    }
}

impl CompiledRule {
    /// Entropy and allowlist checks (gitleaks semantics).
    fn accepts(&self, value: &str) -> bool {
        if let Some(min) = self.entropy
            && checksum::entropy(value) <= min
        {
            return false;
        }
        if self.allow.iter().any(|a| a.is_match(value)) {
            return false;
        }
        if !self.stopwords.is_empty() {
            let lower = value.to_lowercase();
            if self.stopwords.iter().any(|s| lower.contains(s.as_str())) {
                return false;
            }
        }
        true
    }
}

/// Compiles a pattern as a rule would, to report an error early.
pub(crate) fn check_pattern(pattern: &str) -> Result<(), String> {
    build(pattern).map(|_| ())
}
