//! The one-pass engine: a keyword automaton (anchors, context words, markers)
//! and one multi-pattern regex, compiled once; candidates validated in code and
//! scored with nearby context.

use crate::context::{self, ANCHORS, MARKERS, NEGATIVE, POSITIVE};
use crate::custom::{CompiledCustom, CustomRules};
use crate::detection::Detection;
use crate::detectors;
use crate::error::InspectError;
use crate::names::Lexicon;
use crate::pattern::{PatternDef, ValidateCtx, ascii_boundaries};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet, meta};
use std::collections::{HashMap, VecDeque};

/// Engine settings. `Default` gives every built-in detector with threshold 0.5.
#[derive(Clone, Debug, Default)]
pub struct EngineConfig {
    /// Minimum score per entity (entity name → threshold in [0, 1]); others use
    /// the custom rules' `[thresholds]`, then `default_threshold`. An unknown
    /// entity or a value outside [0, 1] is an error from [`Engine::new`].
    pub thresholds: HashMap<String, f32>,
    /// Threshold for entities not in `thresholds` (0.5 when `None`).
    pub default_threshold: Option<f32>,
    /// Region for phone numbers written without a country code (ISO 3166
    /// alpha-2, e.g. "US", "DE"). `None` means "US"; [`crate::NO_REGION`] means
    /// none (such numbers are then found only next to a phone word).
    pub default_region: Option<String>,
    pub custom_rules: Option<CustomRules>,
    /// Entities to leave out (e.g. "PERSON" when names are not wanted).
    pub disabled: Vec<String>,
}

/// What the caller knows about the message being scanned.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScanContext<'a> {
    /// Display names of the conversation's participants.
    pub participants: &'a [String],
    /// Texts of the messages just before this one in the same conversation,
    /// oldest first (the context window).
    pub previous: &'a [&'a str],
    /// Region for phone numbers, overriding the engine's default
    /// ([`crate::NO_REGION`]: none; see [`crate::choose_region`] for a conversation's).
    pub region: Option<&'a str>,
}

/// A candidate before thresholds and overlap resolution.
#[derive(Clone, Debug)]
pub(crate) struct Cand {
    pub entity: u16,
    pub detector: std::borrow::Cow<'static, str>,
    pub start: usize,
    pub end: usize,
    pub score: f32,
}

/// What a pattern candidate needs from context words to be kept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum CtxNeed {
    /// Kept whether or not a context word is near.
    None,
    /// Dropped unless a context word for the entity is near.
    Required,
    /// Without a context word near, kept only when its score reaches this.
    MinScoreWithout(f32),
}

#[derive(Clone, Debug, Default)]
struct KwRole {
    anchor: bool,
    marker: Option<f32>,
    positive: u128,
    negative: u128,
    boundary: bool,
}

/// Longest text scanned per message; longer texts are scanned in their first
/// part only (a chat message is far shorter; attachments are chunked).
const MAX_SCAN_BYTES: usize = 1 << 20;
/// How far (bytes) before and after a candidate a context word counts.
const WINDOW_BEFORE: usize = 96;
const WINDOW_AFTER: usize = 48;
const BOOST_SAME: f32 = 0.35;
const BOOST_PREVIOUS: f32 = 0.25;
const PENALTY: f32 = 0.3;
const MAX_PREVIOUS: usize = 4;
/// Lazy-DFA cache per regex and thread (bytes). The default (2 MiB) is far too
/// small for the union of every built-in pattern: it filled, was cleared over
/// and over, and the meta regex then gave up on the lazy DFA for the slower
/// NFA engines (a quarter of scan time went to rebuilding states).
const LAZY_DFA_CACHE: usize = 64 << 20;

/// Inspection engine. Build once (`Engine::new`), share across threads.
pub struct Engine {
    entities: Vec<String>,
    builtin_entities: Vec<&'static str>,
    entity_index: HashMap<String, u16>,
    thresholds: Vec<f32>,
    disabled: Vec<bool>,
    /// Entities whose anchor word ("SWIFT", "BIC") in a previous message lets
    /// the pattern pass run on a message the prefilter would skip (no digits,
    /// no anchor of its own): SWIFT_BIC.
    previous_anchored: u128,
    patterns: Vec<PatternDef>,
    pattern_entity: Vec<u16>,
    re: meta::Regex,
    re_all: meta::Regex,
    keywords: AhoCorasick,
    roles: Vec<KwRole>,
    region: String,
    lexicon: Lexicon,
    custom: Option<CompiledCustom>,
}

fn bit(idx: u16) -> u128 {
    if idx < 128 { 1u128 << idx } else { 0 }
}

impl Engine {
    pub fn new(cfg: &EngineConfig) -> Result<Engine, InspectError> {
        detectors::contact::widen_phone_regex_cache();
        let patterns = detectors::all();
        let custom = match &cfg.custom_rules {
            Some(rules) => Some(rules.compile()?),
            None => None,
        };
        let builtin_count = patterns.len();

        let mut entities: Vec<String> = Vec::new();
        let mut entity_index: HashMap<String, u16> = HashMap::new();
        let mut intern = |name: &str, entities: &mut Vec<String>| -> u16 {
            if let Some(&i) = entity_index.get(name) {
                return i;
            }
            let i = u16::try_from(entities.len()).unwrap_or(u16::MAX);
            entities.push(name.to_string());
            entity_index.insert(name.to_string(), i);
            i
        };
        let mut builtin_entities: Vec<&'static str> = Vec::new();
        for def in patterns.iter().take(builtin_count) {
            if let std::borrow::Cow::Borrowed(e) = def.entity
                && !builtin_entities.contains(&e)
            {
                builtin_entities.push(e);
            }
        }
        for e in [
            "CONFIDENTIAL_MARKER",
            "PERSON",
            "LOCATION",
            crate::attachments::UNSCANNABLE,
        ] {
            builtin_entities.push(e);
        }
        for e in &builtin_entities {
            intern(e, &mut entities);
        }
        let pattern_entity: Vec<u16> = patterns
            .iter()
            .map(|p| intern(&p.entity, &mut entities))
            .collect();
        if let Some(c) = &custom {
            for e in c.entity_names() {
                intern(&e, &mut entities);
            }
        }

        // Keyword automaton: one entry per distinct lowercase keyword, with roles.
        let mut words: Vec<String> = Vec::new();
        let mut roles: Vec<KwRole> = Vec::new();
        let mut word_index: HashMap<String, usize> = HashMap::new();
        let mut role_of = |w: &str, words: &mut Vec<String>, roles: &mut Vec<KwRole>| -> usize {
            let w = w.to_lowercase();
            if let Some(&i) = word_index.get(&w) {
                return i;
            }
            words.push(w.clone());
            roles.push(KwRole {
                boundary: context::wants_word_boundary(&w),
                ..KwRole::default()
            });
            word_index.insert(w, words.len() - 1);
            words.len() - 1
        };
        for a in ANCHORS {
            let i = role_of(a, &mut words, &mut roles);
            if let Some(r) = roles.get_mut(i) {
                r.anchor = true;
            }
        }
        for (m, score) in MARKERS {
            let i = role_of(m, &mut words, &mut roles);
            if let Some(r) = roles.get_mut(i) {
                r.marker = Some(*score);
            }
        }
        let context_lists = POSITIVE
            .iter()
            .map(|(e, w)| {
                (
                    true,
                    e.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                    w.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                )
            })
            .chain(NEGATIVE.iter().map(|(e, w)| {
                (
                    false,
                    e.iter().map(|s| s.to_string()).collect(),
                    w.iter().map(|s| s.to_string()).collect(),
                )
            }))
            .chain(
                custom
                    .iter()
                    .flat_map(|c| c.context_lists())
                    .map(|(e, w)| (true, vec![e], w)),
            );
        for (positive, ents, ws) in context_lists {
            let mask = ents
                .iter()
                .filter_map(|e| entity_index.get(e.as_str()))
                .fold(0u128, |m, &i| m | bit(i));
            for w in ws {
                let i = role_of(&w, &mut words, &mut roles);
                if let Some(r) = roles.get_mut(i) {
                    if positive {
                        r.positive |= mask;
                    } else {
                        r.negative |= mask;
                    }
                }
            }
        }
        // A keyword that contains an anchor ("swift code" ⊃ "swift") hides the
        // anchor from the leftmost-longest search, so it anchors too.
        for (w, r) in words.iter().zip(roles.iter_mut()) {
            if ANCHORS.iter().any(|a| w.contains(a)) {
                r.anchor = true;
            }
        }
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(AcMatchKind::Standard)
            .build(&words)
            .map_err(|e| InspectError::Pattern {
                name: "keywords".into(),
                message: e.to_string(),
            })?;

        let sources: Vec<String> = patterns
            .iter()
            .map(|p| open_long_repeats(&ascii_boundaries(&p.regex)))
            .collect();
        let build = |kind: MatchKind| {
            meta::Regex::builder()
                .configure(
                    meta::Config::new()
                        .match_kind(kind)
                        .nfa_size_limit(Some(64 << 20))
                        .hybrid_cache_capacity(LAZY_DFA_CACHE),
                )
                .build_many(&sources)
                .map_err(|e| {
                    let name = e
                        .pattern()
                        .and_then(|p| patterns.get(p.as_usize()))
                        .map_or_else(|| "?".to_string(), |p| p.detector.to_string());
                    InspectError::Pattern {
                        name,
                        message: e.to_string(),
                    }
                })
        };
        let re = build(MatchKind::LeftmostFirst)?;
        let re_all = build(MatchKind::All)?;

        let thresholds = entity_thresholds(cfg, &entities, &entity_index)?;
        let previous_anchored = entity_index.get("SWIFT_BIC").map_or(0, |&i| bit(i));
        let disabled = entities.iter().map(|e| cfg.disabled.contains(e)).collect();
        let region = cfg
            .default_region
            .clone()
            .unwrap_or_else(|| "US".to_string());
        let upper = region.to_ascii_uppercase();
        if upper != crate::region::NO_REGION && !crate::region::known_region(&upper) {
            return Err(InspectError::Config(format!("unknown region {region:?}")));
        }
        Ok(Engine {
            entities,
            builtin_entities,
            entity_index,
            thresholds,
            disabled,
            previous_anchored,
            patterns,
            pattern_entity,
            re,
            re_all,
            keywords,
            roles,
            region,
            lexicon: Lexicon::new()?,
            custom,
        })
    }

    /// Names of the built-in entities this engine can report.
    pub fn entities(&self) -> Vec<&'static str> {
        self.builtin_entities.clone()
    }

    /// Names of every entity, built-in and custom.
    pub fn all_entities(&self) -> Vec<String> {
        self.entities.clone()
    }

    pub(crate) fn entity_id(&self, name: &str) -> Option<u16> {
        self.entity_index.get(name).copied()
    }

    /// Scans one message. Offsets in the result are Unicode scalar values.
    pub fn scan(&self, text: &str, ctx: &ScanContext<'_>) -> Vec<Detection> {
        let text = clip(text, MAX_SCAN_BYTES);
        if text.is_empty() {
            return Vec::new();
        }
        let mut cands: Vec<Cand> = Vec::new();

        // 1. Keywords: anchors, context words, markers.
        let mut hits: Vec<(usize, usize, usize)> = Vec::new();
        let mut anchored = false;
        for m in self.keywords.find_overlapping_iter(text) {
            let idx = m.pattern().as_usize();
            let Some(role) = self.roles.get(idx) else {
                continue;
            };
            anchored |= role.anchor;
            if role.boundary && !word_bounded(text, m.start(), m.end()) {
                continue;
            }
            if let Some(score) = role.marker
                && let Some(e) = self.entity_id("CONFIDENTIAL_MARKER")
            {
                cands.push(Cand {
                    entity: e,
                    detector: "marker".into(),
                    start: m.start(),
                    end: m.end(),
                    score,
                });
            }
            if role.positive != 0 || role.negative != 0 {
                hits.push((m.start(), m.end(), idx));
            }
        }

        // 2. Patterns, when the cheap signals say a candidate may be there: digits,
        //    an anchor, or a BIC-shaped word after "SWIFT" or "BIC" in one of the
        //    previous messages ("what's the SWIFT code?" … "COBADEFFXXX").
        let digit_count = text.bytes().filter(u8::is_ascii_digit).take(4).count();
        let region = ctx.region.unwrap_or(&self.region);
        let mut pattern_cands: Vec<(Cand, CtxNeed)> = Vec::new();
        let run_patterns = anchored
            || digit_count >= 4
            || has_long_token(text)
            || (!ctx.previous.is_empty()
                && has_bic_shape(text)
                && self.previous_anchor_mask(ctx.previous) & self.previous_anchored != 0);
        if run_patterns {
            self.pattern_pass(text, region, &mut pattern_cands);
        }

        // 3. Names and places.
        if !self.is_disabled("PERSON") || !self.is_disabled("LOCATION") {
            self.lexicon.scan(self, text, ctx.participants, &mut cands);
        }

        // 4. Context for pattern candidates.
        let mut previous_mask: Option<u128> = None;
        self.apply_context(
            pattern_cands,
            &hits,
            ctx.previous,
            &mut previous_mask,
            &mut cands,
        );
        let mut out = self.resolve(text, cands);

        // 5. Custom rules: dictionaries and exact data match (scored as found),
        //    regexes and imported gitleaks rules (scored with context). They are
        //    resolved among themselves, so a custom finding never hides a
        //    built-in one on the same span, nor the other way round.
        if let Some(c) = &self.custom {
            let mut direct: Vec<Cand> = Vec::new();
            let mut patterned: Vec<(Cand, CtxNeed)> = Vec::new();
            c.scan(self, text, region, &mut direct, &mut patterned);
            self.apply_context(
                patterned,
                &hits,
                ctx.previous,
                &mut previous_mask,
                &mut direct,
            );
            if !direct.is_empty() {
                out.extend(self.resolve(text, direct));
                out.sort_by_key(|d| (d.start, d.end));
            }
        }
        out
    }

    /// Raises or lowers pattern candidates' scores by the context words near
    /// them (in this message, else in the previous ones) and drops those that
    /// need context and have none.
    fn apply_context(
        &self,
        pattern_cands: Vec<(Cand, CtxNeed)>,
        hits: &[(usize, usize, usize)],
        previous: &[&str],
        previous_mask: &mut Option<u128>,
        out: &mut Vec<Cand>,
    ) {
        for (mut cand, need) in pattern_cands {
            let b = bit(cand.entity);
            let (lo, hi) = (
                cand.start.saturating_sub(WINDOW_BEFORE),
                cand.end + WINDOW_AFTER,
            );
            let mut near_pos = false;
            let mut near_neg = false;
            for &(s, e, idx) in hits {
                if e <= lo || s >= hi || (s >= cand.start && e <= cand.end) {
                    continue;
                }
                if let Some(role) = self.roles.get(idx) {
                    near_pos |= role.positive & b != 0;
                    near_neg |= role.negative & b != 0;
                }
            }
            let prev_pos = !near_pos
                && (*previous_mask.get_or_insert_with(|| self.previous_mask(previous)) & b != 0);
            match need {
                CtxNeed::Required if !near_pos && !prev_pos => continue,
                CtxNeed::MinScoreWithout(min) if !near_pos && !prev_pos && cand.score < min => {
                    continue;
                }
                _ => {}
            }
            if near_pos {
                cand.score += BOOST_SAME;
            } else if prev_pos {
                cand.score += BOOST_PREVIOUS;
            }
            if near_neg {
                cand.score -= PENALTY;
            }
            cand.score = cand.score.clamp(0.0, 1.0);
            out.push(cand);
        }
    }

    fn is_disabled(&self, entity: &str) -> bool {
        self.entity_id(entity)
            .and_then(|i| self.disabled.get(usize::from(i)))
            .copied()
            .unwrap_or(false)
    }

    /// Entities with a positive context word in the previous messages.
    fn previous_mask(&self, previous: &[&str]) -> u128 {
        self.previous_mask_of(previous, |_| true)
    }

    /// Entities with a positive context word that is also an anchor ("swift",
    /// "bic") in the previous messages.
    fn previous_anchor_mask(&self, previous: &[&str]) -> u128 {
        self.previous_mask_of(previous, |role| role.anchor)
    }

    /// Entities with a positive context word, among the keywords `keep` accepts, in the
    /// last [`MAX_PREVIOUS`] previous messages.
    fn previous_mask_of(&self, previous: &[&str], keep: impl Fn(&KwRole) -> bool) -> u128 {
        let mut mask = 0u128;
        let skip = previous.len().saturating_sub(MAX_PREVIOUS);
        for text in previous.iter().skip(skip) {
            let text = clip(text, 4096);
            for m in self.keywords.find_overlapping_iter(text) {
                if let Some(role) = self.roles.get(m.pattern().as_usize())
                    && role.positive != 0
                    && keep(role)
                    && (!role.boundary || word_bounded(text, m.start(), m.end()))
                {
                    mask |= role.positive;
                }
            }
        }
        mask
    }

    fn pattern_pass(&self, text: &str, region: &str, out: &mut Vec<(Cand, CtxNeed)>) {
        let len = text.len();
        let mut pos = 0usize;
        let mut set = PatternSet::new(self.re.pattern_len());
        let mut caps: Option<Captures> = None;
        let mut rounds = 0usize;
        while pos < len && rounds < 10_000 {
            rounds += 1;
            let Some(m) = self.re.search(&Input::new(text).span(pos..len)) else {
                break;
            };
            let s = m.start();
            set.clear();
            self.re_all.which_overlapping_matches(
                &Input::new(text).span(s..len).anchored(Anchored::Yes),
                &mut set,
            );
            // The leftmost-first match is always a candidate, even if the
            // overlapping search misses it.
            let _ = set.try_insert(m.pattern());
            let mut furthest: Option<usize> = None;
            for pid in set.iter() {
                if let Some(c) = self.try_pattern(text, s, pid, region, &mut caps) {
                    // A value captured after a cue ("password: x") does not hide
                    // other candidates that start between the cue and the value.
                    let whole = self
                        .patterns
                        .get(pid.as_usize())
                        .is_some_and(|p| p.group == 0);
                    if whole {
                        furthest = Some(furthest.map_or(c.0.end, |f: usize| f.max(c.0.end)));
                    }
                    out.push(c);
                }
            }
            pos = match furthest {
                Some(end) if end > s => end,
                _ => next_boundary(text, s),
            };
        }
    }

    fn try_pattern(
        &self,
        text: &str,
        s: usize,
        pid: PatternID,
        region: &str,
        caps: &mut Option<Captures>,
    ) -> Option<(Cand, CtxNeed)> {
        let def = self.patterns.get(pid.as_usize())?;
        let entity = *self.pattern_entity.get(pid.as_usize())?;
        if self
            .disabled
            .get(usize::from(entity))
            .copied()
            .unwrap_or(false)
        {
            return None;
        }
        let input = Input::new(text)
            .span(s..text.len())
            .anchored(Anchored::Pattern(pid));
        let (vs, ve) = if def.group == 0 {
            let m = self.re.search(&input)?;
            (m.start(), m.end())
        } else {
            let caps = caps.get_or_insert_with(|| self.re.create_captures());
            self.re.search_captures(&input, caps);
            // The value is the first group (from `def.group` on) that took part,
            // so alternatives can each hold their value in their own group.
            let groups = caps.group_len();
            let span = (def.group..groups).find_map(|g| caps.get_group(g))?;
            (span.start, span.end)
        };
        let value = text.get(vs..ve)?;
        let vctx = ValidateCtx {
            region: Some(region),
            text,
            start: vs,
        };
        let verdict = (def.validate)(value, &vctx)?;
        let start = vs + verdict.trim_start;
        let end = ve.checked_sub(verdict.trim_end)?;
        if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return None;
        }
        if let Some(min) = def.min_entropy
            && crate::checksum::entropy(text.get(start..end)?) < min
        {
            return None;
        }
        Some((
            Cand {
                entity,
                detector: def.detector.clone(),
                start,
                end,
                score: def.base * verdict.score,
            },
            if def.needs_context {
                CtxNeed::Required
            } else {
                CtxNeed::None
            },
        ))
    }

    /// Applies thresholds, keeps the best of overlapping candidates, converts
    /// byte offsets to character offsets.
    fn resolve(&self, text: &str, mut cands: Vec<Cand>) -> Vec<Detection> {
        cands.retain(|c| {
            let i = usize::from(c.entity);
            let off = self.disabled.get(i).copied().unwrap_or(false);
            let min = self.thresholds.get(i).copied().unwrap_or(0.5);
            !off && c.score >= min
        });
        cands.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then((b.end - b.start).cmp(&(a.end - a.start)))
                .then(a.start.cmp(&b.start))
        });
        let mut kept: Vec<Cand> = Vec::with_capacity(cands.len());
        for c in cands {
            if kept.iter().all(|k| c.end <= k.start || c.start >= k.end) {
                kept.push(c);
            }
        }
        kept.sort_by_key(|c| c.start);
        let mut out = Vec::with_capacity(kept.len());
        let mut byte = 0usize;
        let mut chars = 0usize;
        let mut to_char = |target: usize| -> usize {
            if target >= byte {
                chars += text.get(byte..target).map_or(0, |s| s.chars().count());
            } else {
                chars -= text.get(target..byte).map_or(0, |s| s.chars().count());
            }
            byte = target;
            chars
        };
        for c in kept {
            let start = to_char(c.start);
            let end = to_char(c.end);
            let value = text.get(c.start..c.end).unwrap_or_default().to_string();
            out.push(Detection {
                entity: self
                    .entities
                    .get(usize::from(c.entity))
                    .cloned()
                    .unwrap_or_default(),
                detector: c.detector.into_owned(),
                start,
                end,
                score: (c.score * 1000.0).round() / 1000.0,
                value,
            });
        }
        out
    }
}

/// A helper that keeps the last few messages of one conversation, so context
/// words in earlier messages ("what's the code?") count for later ones ("482 913").
#[derive(Debug, Default)]
pub struct ConversationContext {
    participants: Vec<String>,
    previous: VecDeque<String>,
    region: Option<String>,
}

impl ConversationContext {
    pub fn new(participants: Vec<String>, region: Option<String>) -> ConversationContext {
        ConversationContext {
            participants,
            previous: VecDeque::new(),
            region,
        }
    }

    /// Scans the next message of the conversation and remembers it as context.
    pub fn scan(&mut self, engine: &Engine, text: &str) -> Vec<Detection> {
        let previous: Vec<&str> = self.previous.iter().map(String::as_str).collect();
        let ctx = ScanContext {
            participants: &self.participants,
            previous: &previous,
            region: self.region.as_deref(),
        };
        let out = engine.scan(text, &ctx);
        self.push(text);
        out
    }

    /// Remembers a message without scanning it (e.g. a system line).
    pub fn push(&mut self, text: &str) {
        if self.previous.len() == MAX_PREVIOUS {
            self.previous.pop_front();
        }
        self.previous.push_back(clip(text, 4096).to_string());
    }
}

/// Per-entity thresholds: `EngineConfig::thresholds`, else the custom rules'
/// `[thresholds]` (a later entry wins), else the default. Unknown entities and
/// values outside [0, 1] are errors.
fn entity_thresholds(
    cfg: &EngineConfig,
    entities: &[String],
    index: &HashMap<String, u16>,
) -> Result<Vec<f32>, InspectError> {
    let known = || {
        let mut names: Vec<&str> = entities.iter().map(String::as_str).collect();
        names.sort_unstable();
        names.join(", ")
    };
    let default = cfg.default_threshold.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&default) {
        return Err(InspectError::Config(format!(
            "default threshold {default} is out of range: it must be between 0 and 1"
        )));
    }
    let mut out = vec![default; entities.len()];
    let rules = cfg.custom_rules.iter().flat_map(|r| r.thresholds.iter());
    for t in rules {
        let slot = index
            .get(&t.entity)
            .and_then(|&i| out.get_mut(usize::from(i)))
            .ok_or_else(|| {
                InspectError::Rules(format!(
                    "{}: [thresholds] names unknown entity {:?} (known: {})",
                    t.origin,
                    t.entity,
                    known()
                ))
            })?;
        *slot = t.min_score;
    }
    let mut explicit: Vec<(&String, &f32)> = cfg.thresholds.iter().collect();
    explicit.sort_by(|a, b| a.0.cmp(b.0));
    for (entity, &min_score) in explicit {
        if !(0.0..=1.0).contains(&min_score) {
            return Err(InspectError::Config(format!(
                "threshold for {entity} is {min_score}, out of range: it must be between 0 and 1"
            )));
        }
        let slot = index
            .get(entity)
            .and_then(|&i| out.get_mut(usize::from(i)))
            .ok_or_else(|| {
                InspectError::Config(format!(
                    "threshold for unknown entity {entity:?} (known: {})",
                    known()
                ))
            })?;
        *slot = min_score;
    }
    Ok(out)
}

/// Shortest run of ASCII letters and digits that passes the pre-filter on its own.
const LONG_TOKEN: usize = 25;

/// Whether the text holds a run of at least [`LONG_TOKEN`] ASCII letters and digits:
/// the shape of a Bitcoin address or a key, which may carry fewer than four digits and
/// stand without any anchor word ("wallet: 1KLxpVxWKxLFAHatn7QSWKw2YagLpuFUcd").
fn has_long_token(text: &str) -> bool {
    let mut run = 0usize;
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            run += 1;
            if run >= LONG_TOKEN {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// True when the text has a run of 8 or more ASCII capitals and digits whose
/// first 6 are letters (the shape of a SWIFT/BIC code).
fn has_bic_shape(text: &str) -> bool {
    let mut letters = 0usize;
    let mut len = 0usize;
    for b in text.bytes() {
        if b.is_ascii_uppercase() {
            if letters == len {
                letters += 1;
            }
            len += 1;
        } else if b.is_ascii_digit() {
            len += 1;
        } else {
            letters = 0;
            len = 0;
            continue;
        }
        if letters >= 6 && len >= 8 {
            return true;
        }
    }
    false
}

pub(crate) fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

fn next_boundary(text: &str, s: usize) -> usize {
    let mut p = s + 1;
    while p < text.len() && !text.is_char_boundary(p) {
        p += 1;
    }
    p
}

/// True when the bytes around `[s, e)` are not ASCII letters or digits.
pub(crate) fn word_bounded(text: &str, s: usize, e: usize) -> bool {
    let b = text.as_bytes();
    let before = s
        .checked_sub(1)
        .and_then(|i| b.get(i))
        .is_some_and(u8::is_ascii_alphanumeric);
    let after = b.get(e).is_some_and(u8::is_ascii_alphanumeric);
    !before && !after
}

/// Rewrites `{m,n}` with a large `n` (>= 64) to `{m,}`. A bounded repeat
/// compiles to `n` copies of its body, and every copy multiplies the states the
/// lazy DFA (forward and reverse) must build on ordinary text; the validators
/// check value lengths themselves.
fn open_long_repeats(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(i) = rest.find('{') {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let escaped = head.ends_with('\\') && !head.ends_with("\\\\");
        let close = tail.find('}');
        let rewritten = close.and_then(|c| {
            let inner = tail.get(1..c)?;
            let (lo, hi) = inner.split_once(',')?;
            let lo_ok = lo.bytes().all(|b| b.is_ascii_digit()) && !lo.is_empty();
            let hi: usize = hi.parse().ok()?;
            (!escaped && lo_ok && hi >= 64).then(|| (format!("{{{lo},}}"), c))
        });
        match rewritten {
            Some((rep, c)) => {
                out.push_str(&rep);
                rest = tail.get(c + 1..).unwrap_or("");
            }
            None => {
                out.push('{');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}
