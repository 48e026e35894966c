//! Import of gitleaks rule files (the `gitleaks.toml` format: `[[rules]]` with
//! `id`, `description`, `regex`, `keywords`, `entropy`, `secretGroup`,
//! `[rules.allowlist]` / `[[rules.allowlists]]`, and a global `[allowlist]`).
//! Format facts from gitleaks' documented configuration; no code is taken.
//!
//! Mapping: entity = the rule id upper-cased with every run of other characters
//! made `_` ("github-pat" → `GITHUB_PAT`); detector = `gitleaks:<id>`; score
//! 0.8, no context needed. Keywords gate the rule as in gitleaks (one must occur
//! in the text, case-insensitively). `secretGroup` picks the value, else the
//! first non-empty group, else the whole match. `entropy`: the value's Shannon
//! entropy must exceed it. Allowlist `regexes` are tested against the value and
//! `stopwords` against the value (lowercase); `paths` and `commits` do not apply
//! to chat text (an `AND` allowlist that needs them is ignored).

use super::line_of;
use super::regex_rule::{GroupSel, RegexRule};
use crate::error::InspectError;
use serde::Deserialize;
use toml::Spanned;

/// A rule that could not be imported, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleProblem {
    pub id: String,
    /// 1-based line of the rule in the file.
    pub line: usize,
    pub reason: String,
}

#[derive(Deserialize)]
struct GitleaksFile {
    #[serde(default)]
    rules: Vec<Spanned<GitleaksRule>>,
    allowlist: Option<Allowlist>,
    #[serde(default)]
    allowlists: Vec<Allowlist>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GitleaksRule {
    #[serde(default)]
    id: String,
    regex: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    entropy: Option<f64>,
    secret_group: Option<i64>,
    allowlist: Option<Allowlist>,
    #[serde(default)]
    allowlists: Vec<Allowlist>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
struct Allowlist {
    condition: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
}

impl Allowlist {
    /// False for an AND allowlist that also needs paths or commits: those
    /// never match chat text, so the allowlist never applies.
    fn applies(&self) -> bool {
        let and = self
            .condition
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("and"));
        !(and && (!self.paths.is_empty() || !self.commits.is_empty()))
    }
}

/// Entity name for a gitleaks rule id.
pub(crate) fn entity_for_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

pub(crate) fn import(src: &str) -> Result<(Vec<RegexRule>, Vec<RuleProblem>), InspectError> {
    let file: GitleaksFile = toml::from_str(src)
        .map_err(|e| InspectError::Rules(format!("gitleaks: {}", e.to_string().trim())))?;
    let global: Vec<Allowlist> = file
        .allowlist
        .into_iter()
        .chain(file.allowlists)
        .filter(Allowlist::applies)
        .collect();
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    for spanned in &file.rules {
        let line = line_of(src, spanned.span().start);
        let r = spanned.get_ref();
        let problem = |reason: String| RuleProblem {
            id: r.id.clone(),
            line,
            reason,
        };
        let entity = entity_for_id(&r.id);
        if entity.is_empty() {
            problems.push(problem("rule has no usable id".into()));
            continue;
        }
        let Some(regex) = r.regex.as_deref().filter(|s| !s.is_empty()) else {
            problems.push(problem(
                "rule has no regex (path-only rules do not apply to chat)".into(),
            ));
            continue;
        };
        let lists: Vec<&Allowlist> = r
            .allowlist
            .iter()
            .chain(r.allowlists.iter())
            .chain(global.iter())
            .filter(|a| a.applies())
            .collect();
        let rule = RegexRule {
            entity,
            detector: format!("gitleaks:{}", r.id),
            pattern: regex.to_string(),
            validator: None,
            context: Vec::new(),
            score: 0.8,
            min_score_without_context: None,
            group: match r.secret_group {
                Some(g) if g > 0 => GroupSel::Index(usize::try_from(g).unwrap_or(0)),
                _ => GroupSel::FirstNonEmpty,
            },
            keywords: r.keywords.clone(),
            // Precision loss from f64 to f32 is irrelevant at entropy scale.
            entropy: r.entropy.map(|e| e as f32),
            allow_regexes: lists
                .iter()
                .flat_map(|a| a.regexes.iter().cloned())
                .collect(),
            stopwords: lists
                .iter()
                .flat_map(|a| a.stopwords.iter().cloned())
                .collect(),
        };
        if let Err(m) = rule.check() {
            problems.push(problem(format!("regex does not compile: {m}")));
            continue;
        }
        if let Some(bad) = rule
            .allow_regexes
            .iter()
            .find_map(|a| super::regex_rule::check_pattern(a).err())
        {
            problems.push(problem(format!("allowlist regex does not compile: {bad}")));
            continue;
        }
        rules.push(rule);
    }
    tracing::debug!(
        imported = rules.len(),
        skipped = problems.len(),
        "gitleaks rules"
    );
    Ok((rules, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_entity_names() {
        assert_eq!(entity_for_id("github-pat"), "GITHUB_PAT");
        assert_eq!(entity_for_id("  aws.access--token "), "AWS_ACCESS_TOKEN");
        assert_eq!(entity_for_id("--"), "");
    }
}
