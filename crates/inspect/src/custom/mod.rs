//! Custom rules from a TOML file: dictionaries, regexes with validators and
//! context, exact data match against keyed hashes, and imported gitleaks rules.
//!
//! ```toml
//! [[dictionary]]
//! entity = "PROJECT_CODENAME"
//! words = ["Falcon", "Blue Heron"]     # or: file = "codenames.txt"
//! score = 0.8
//!
//! [[regex]]
//! entity = "EMPLOYEE_ID"
//! pattern = '\bEMP-\d{6}\b'
//! validator = "luhn"
//! context = ["employee", "staff id"]
//! score = 0.6
//! min_score_without_context = 0.7      # > score: context is required
//!
//! [[exact]]
//! entity = "CUSTOMER_ID"
//! hashes = "customers.hashes"          # made by build_exact_hashes
//!
//! [thresholds]                         # minimum score per entity, 0..1
//! IP_ADDRESS = 0.9
//! EMPLOYEE_ID = 0.7
//! ```
//!
//! Relative file names are resolved against the directory given to
//! [`CustomRules::from_toml_in`] (the rules file's own directory for
//! [`CustomRules::from_toml_file`]; the working directory for
//! [`CustomRules::from_toml`]).

mod dictionary;
mod exact_match;
mod gitleaks;
mod regex_rule;

pub use exact_match::{ExactStats, build_exact_hashes, normalize_token};
pub use gitleaks::RuleProblem;
pub use regex_rule::VALIDATORS;

use crate::engine::{Cand, CtxNeed, Engine};
use crate::error::InspectError;
use dictionary::{CompiledDictionaries, DictionaryRule};
use exact_match::{CompiledExact, ExactRule};
use regex_rule::{CompiledRegexes, GroupSel, RegexRule};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A parsed set of custom rules. Build with [`CustomRules::from_toml`] (and/or
/// [`CustomRules::from_gitleaks_toml`]), give it to
/// [`crate::EngineConfig::custom_rules`].
#[derive(Clone, Debug, Default)]
pub struct CustomRules {
    pub(crate) dictionaries: Vec<DictionaryRule>,
    pub(crate) regexes: Vec<RegexRule>,
    pub(crate) exact: Vec<ExactRule>,
    pub(crate) thresholds: Vec<ThresholdRule>,
    exact_key: Option<ExactKey>,
}

/// A minimum score for one entity from a `[thresholds]` table. Whether the
/// entity exists is checked when the engine is built (it may be defined by
/// another rules file merged in); `origin` ("rules.toml: line 7") names it then.
#[derive(Clone, Debug)]
pub(crate) struct ThresholdRule {
    pub entity: String,
    pub min_score: f32,
    pub origin: String,
}

/// The key for exact data match, kept out of `Debug` output.
#[derive(Clone)]
struct ExactKey([u8; 32]);

impl std::fmt::Debug for ExactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExactKey(..)")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    dictionary: Vec<DictionaryToml>,
    #[serde(default)]
    regex: Vec<RegexToml>,
    #[serde(default)]
    exact: Vec<ExactToml>,
    #[serde(default)]
    thresholds: BTreeMap<String, Spanned<f32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DictionaryToml {
    entity: Spanned<String>,
    #[serde(default)]
    words: Vec<String>,
    file: Option<Spanned<String>>,
    score: Option<Spanned<f32>>,
    detector: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegexToml {
    entity: Spanned<String>,
    pattern: Spanned<String>,
    validator: Option<Spanned<String>>,
    #[serde(default)]
    context: Vec<String>,
    score: Option<Spanned<f32>>,
    min_score_without_context: Option<Spanned<f32>>,
    /// Capture group holding the value (0 = whole match).
    group: Option<usize>,
    detector: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExactToml {
    entity: Spanned<String>,
    hashes: Spanned<String>,
    score: Option<Spanned<f32>>,
    detector: Option<String>,
}

/// 1-based line of a byte offset in `src`.
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn at<T>(src: &str, s: &Spanned<T>, message: impl std::fmt::Display) -> InspectError {
    InspectError::Rules(format!("line {}: {message}", line_of(src, s.span().start)))
}

fn entity_name(src: &str, e: &Spanned<String>) -> Result<String, InspectError> {
    let name = e.get_ref().trim();
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name.to_string())
    } else {
        Err(at(
            src,
            e,
            format_args!("entity {name:?} must be UPPER_SNAKE_CASE (A-Z, 0-9, _)"),
        ))
    }
}

fn score(src: &str, s: Option<&Spanned<f32>>, default: f32) -> Result<f32, InspectError> {
    match s {
        None => Ok(default),
        Some(v) if (0.0..=1.0).contains(v.get_ref()) => Ok(*v.get_ref()),
        Some(v) => Err(at(src, v, "score must be between 0 and 1")),
    }
}

impl CustomRules {
    /// Parses a rules file; relative file names are read from the working
    /// directory. Errors name the line.
    pub fn from_toml(src: &str) -> Result<CustomRules, InspectError> {
        CustomRules::from_toml_in(src, Path::new("."))
    }

    /// Reads and parses a rules file; relative names inside it are resolved
    /// against the file's own directory.
    pub fn from_toml_file(path: &Path) -> Result<CustomRules, InspectError> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| InspectError::Rules(format!("{}: cannot read: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut rules = CustomRules::from_toml_in(&src, base).map_err(|e| match e {
            InspectError::Rules(m) => InspectError::Rules(format!("{}: {m}", path.display())),
            other => other,
        })?;
        for t in &mut rules.thresholds {
            t.origin = format!("{}: {}", path.display(), t.origin);
        }
        Ok(rules)
    }

    /// Parses a rules file, resolving relative file names against `base`.
    pub fn from_toml_in(src: &str, base: &Path) -> Result<CustomRules, InspectError> {
        let file: RulesFile =
            toml::from_str(src).map_err(|e| InspectError::Rules(e.to_string().trim().into()))?;
        let resolve = |p: &str| -> PathBuf {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let mut rules = CustomRules::default();
        for d in &file.dictionary {
            let entity = entity_name(src, &d.entity)?;
            let mut words: Vec<String> = d.words.clone();
            if let Some(f) = &d.file {
                let text = std::fs::read_to_string(resolve(f.get_ref()))
                    .map_err(|e| at(src, f, format_args!("{}: {e}", f.get_ref())))?;
                words.extend(
                    text.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                        .map(str::to_string),
                );
            }
            words.retain(|w| !w.trim().is_empty());
            if words.is_empty() {
                return Err(at(
                    src,
                    &d.entity,
                    "dictionary has no words (words or file)",
                ));
            }
            rules.dictionaries.push(DictionaryRule {
                detector: d
                    .detector
                    .clone()
                    .unwrap_or_else(|| format!("dictionary:{}", entity.to_lowercase())),
                entity,
                words,
                score: score(src, d.score.as_ref(), 0.8)?,
            });
        }
        for r in &file.regex {
            let entity = entity_name(src, &r.entity)?;
            let validator = match &r.validator {
                None => None,
                Some(v) => Some(regex_rule::validator(v.get_ref()).ok_or_else(|| {
                    at(
                        src,
                        v,
                        format_args!(
                            "unknown validator {:?} (known: {})",
                            v.get_ref(),
                            VALIDATORS.join(", ")
                        ),
                    )
                })?),
            };
            let min_without = match &r.min_score_without_context {
                None => None,
                Some(m) => Some(score(src, Some(m), 0.0)?),
            };
            let rule = RegexRule {
                detector: r
                    .detector
                    .clone()
                    .unwrap_or_else(|| format!("regex:{}", entity.to_lowercase())),
                entity,
                pattern: r.pattern.get_ref().clone(),
                validator,
                context: r.context.clone(),
                score: score(src, r.score.as_ref(), 0.6)?,
                min_score_without_context: min_without,
                group: r.group.map_or(GroupSel::Whole, GroupSel::Index),
                keywords: Vec::new(),
                entropy: None,
                allow_regexes: Vec::new(),
                stopwords: Vec::new(),
            };
            rule.check().map_err(|m| {
                at(
                    src,
                    &r.pattern,
                    format_args!("pattern does not compile: {m}"),
                )
            })?;
            rules.regexes.push(rule);
        }
        for x in &file.exact {
            let entity = entity_name(src, &x.entity)?;
            let path = resolve(x.hashes.get_ref());
            let file = std::fs::File::open(&path)
                .map_err(|e| at(src, &x.hashes, format_args!("{}: {e}", x.hashes.get_ref())))?;
            let set = exact_match::read_hash_file(std::io::BufReader::new(file))
                .map_err(|m| at(src, &x.hashes, format_args!("{}: {m}", x.hashes.get_ref())))?;
            rules.exact.push(ExactRule {
                detector: x
                    .detector
                    .clone()
                    .unwrap_or_else(|| format!("exact:{}", entity.to_lowercase())),
                entity,
                score: score(src, x.score.as_ref(), 0.95)?,
                set,
            });
        }
        for (entity, value) in &file.thresholds {
            let line = line_of(src, value.span().start);
            let ok_name = !entity.is_empty()
                && entity
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if !ok_name {
                return Err(at(
                    src,
                    value,
                    format_args!(
                        "[thresholds] entity {entity:?} must be UPPER_SNAKE_CASE (A-Z, 0-9, _)"
                    ),
                ));
            }
            let min_score = *value.get_ref();
            if !(0.0..=1.0).contains(&min_score) {
                return Err(at(
                    src,
                    value,
                    format_args!(
                        "[thresholds] {entity} = {min_score} is out of range: a threshold must be between 0 and 1"
                    ),
                ));
            }
            rules.thresholds.push(ThresholdRule {
                entity: entity.clone(),
                min_score,
                origin: format!("line {line}"),
            });
        }
        Ok(rules)
    }

    /// Imports a gitleaks configuration (`[[rules]]` with `id`, `regex`,
    /// `keywords`, `entropy`, `secretGroup`, `[rules.allowlist]`). Rules that
    /// cannot be used (no regex, a regex Rust's engine rejects) are returned as
    /// problems, not errors. See docs/detectors.md for the mapping.
    pub fn from_gitleaks_toml(src: &str) -> Result<(CustomRules, Vec<RuleProblem>), InspectError> {
        let (regexes, problems) = gitleaks::import(src)?;
        Ok((
            CustomRules {
                regexes,
                ..CustomRules::default()
            },
            problems,
        ))
    }

    /// Adds another set's rules to this one (e.g. a rules file and a gitleaks import).
    pub fn merge(&mut self, other: CustomRules) {
        self.dictionaries.extend(other.dictionaries);
        self.regexes.extend(other.regexes);
        self.exact.extend(other.exact);
        // Applied in order, so a later set's threshold for an entity wins.
        self.thresholds.extend(other.thresholds);
        if self.exact_key.is_none() {
            self.exact_key = other.exact_key;
        }
    }

    /// Sets the key the exact-match hash files were built with (required when
    /// the rules have `[[exact]]` entries; checked against each file's header).
    pub fn set_exact_key(&mut self, key: [u8; 32]) {
        self.exact_key = Some(ExactKey(key));
    }

    /// Number of rules of each kind: (dictionaries, regexes, exact).
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.dictionaries.len(),
            self.regexes.len(),
            self.exact.len(),
        )
    }

    /// The `[thresholds]` entries (entity, minimum score), in the order they
    /// apply (a later entry for the same entity wins).
    pub fn thresholds(&self) -> Vec<(&str, f32)> {
        self.thresholds
            .iter()
            .map(|t| (t.entity.as_str(), t.min_score))
            .collect()
    }

    pub(crate) fn compile(&self) -> Result<CompiledCustom, InspectError> {
        let exact = if self.exact.is_empty() {
            None
        } else {
            let key = self.exact_key.as_ref().ok_or_else(|| {
                InspectError::Config(
                    "custom rules have [[exact]] entries but no key was set (set_exact_key)".into(),
                )
            })?;
            Some(CompiledExact::new(&self.exact, &key.0)?)
        };
        Ok(CompiledCustom {
            dictionaries: CompiledDictionaries::new(&self.dictionaries)?,
            regexes: CompiledRegexes::new(&self.regexes)?,
            exact,
        })
    }
}

pub(crate) struct CompiledCustom {
    dictionaries: Option<CompiledDictionaries>,
    regexes: Option<CompiledRegexes>,
    exact: Option<CompiledExact>,
}

impl CompiledCustom {
    pub(crate) fn entity_names(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(d) = &self.dictionaries {
            v.extend(d.entities());
        }
        if let Some(r) = &self.regexes {
            v.extend(r.entities());
        }
        if let Some(x) = &self.exact {
            v.extend(x.entities());
        }
        v
    }

    pub(crate) fn context_lists(&self) -> Vec<(String, Vec<String>)> {
        self.regexes
            .as_ref()
            .map(CompiledRegexes::context_lists)
            .unwrap_or_default()
    }

    pub(crate) fn scan(
        &self,
        engine: &Engine,
        text: &str,
        region: &str,
        direct: &mut Vec<Cand>,
        patterned: &mut Vec<(Cand, CtxNeed)>,
    ) {
        if let Some(d) = &self.dictionaries {
            d.scan(engine, text, direct);
        }
        if let Some(x) = &self.exact {
            x.scan(engine, text, direct);
        }
        if let Some(r) = &self.regexes {
            r.scan(engine, text, region, patterned);
        }
    }
}
