//! The policy file (TOML) and its evaluation over one message.
//!
//! The language is described in docs/policy.md. Unknown keys are errors, and every
//! error names its line (from the TOML parser's spans).

use crate::directory::{Direction, Directory, Employee, Party};
use crate::error::{PolicyError, line_of};
use crate::lexicon::{Lexicon, Lexicons, Near};
use crate::rule::MessageFacts;
use crate::rule::{
    Action, DirectionFilter, Role, Rule, RuleHit, SenderFilter, Severity, SourceFilter, TimeFilter,
};
use crate::sampling::SamplingConfig;
use chatwarden_model::{Channel, Conversation, ConversationId, Finding, Message, Participant};
use jiff::SignedDuration;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use toml::Spanned;

/// The shipped default policy (see docs/policy.md for what each rule is for).
pub const DEFAULT_POLICY: &str = include_str!("../default_policy.toml");

/// The rule id sampled review items carry; no policy rule may use it.
pub const SAMPLE_RULE_ID: &str = "random-sample";

/// Entities the inspection stage (crates/inspect, docs/detectors.md) reports. A rule
/// naming another entity must be declared in `settings.custom_entities` or come from
/// a lexicon, so a typo is an error instead of a rule that never hits.
pub const KNOWN_ENTITIES: &[&str] = &[
    "ABA_ROUTING_NUMBER",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "CN_RESIDENT_ID",
    "CONFIDENTIAL_MARKER",
    "CREDIT_CARD",
    "CRYPTO",
    "DATE_OF_BIRTH",
    "DB_CONNECTION_STRING",
    "DEA_NUMBER",
    "EMAIL_ADDRESS",
    "ES_NIE",
    "ES_NIF",
    "GENERIC_SECRET",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "GOOGLE_API_KEY",
    "IBAN_CODE",
    "ICD10_CODE",
    "IN_AADHAAR",
    "IN_PAN",
    "IP_ADDRESS",
    "IT_FISCAL_CODE",
    "JWT",
    "LOCATION",
    "MEDICAL_RECORD_NUMBER",
    "OPENAI_API_KEY",
    "PASSWORD",
    "PERSON",
    "PHONE_NUMBER",
    "PRIVATE_KEY",
    "SG_NRIC",
    "SLACK_TOKEN",
    "SLACK_WEBHOOK",
    "STRIPE_KEY",
    "SWIFT_BIC",
    "UK_NHS",
    "UK_NINO",
    "UNSCANNABLE_ATTACHMENT",
    "URL",
    "US_BANK_NUMBER",
    "US_DRIVER_LICENSE",
    "US_MBI",
    "US_NPI",
    "US_PASSPORT",
    "US_SSN",
    "VERIFICATION_CODE",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: Option<Spanned<i64>>,
    settings: Option<RawSettings>,
    sampling: Option<RawSampling>,
    #[serde(default)]
    lexicon: Vec<Spanned<RawLexicon>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    group_window_minutes: Option<Spanned<i64>>,
    findings_used_once: Option<bool>,
    #[serde(default)]
    custom_entities: Vec<Spanned<String>>,
    business_hours: Option<RawHours>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    days: Vec<Spanned<String>>,
    start: Spanned<String>,
    end: Spanned<String>,
    time_zone: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSampling {
    rate: Spanned<f64>,
    #[serde(default)]
    custodians: BTreeMap<String, Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    name: Spanned<String>,
    entity: Spanned<String>,
    #[serde(default)]
    languages: Vec<Spanned<String>>,
    score: Option<Spanned<f64>>,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    near: Vec<Spanned<RawNear>>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    exclude_after: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNear {
    words: Vec<String>,
    near: Vec<String>,
    within: Spanned<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ActionName {
    Alert,
    Redact,
    Quarantine,
    Notify,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default = "yes")]
    enabled: bool,
    severity: Severity,
    #[serde(default)]
    entities: Vec<Spanned<String>>,
    #[serde(default)]
    detectors: Vec<String>,
    #[serde(default)]
    all_of: Vec<Spanned<String>>,
    min_score: Option<Spanned<f64>>,
    min_count: Option<Spanned<i64>>,
    #[serde(default)]
    channels: Vec<Channel>,
    direction: Option<Spanned<String>>,
    sender: Option<Spanned<String>>,
    #[serde(default)]
    custodians: Vec<String>,
    #[serde(default)]
    departments: Vec<String>,
    #[serde(default)]
    except_departments: Vec<String>,
    source: Option<SourceFilter>,
    time: Option<Spanned<TimeFilter>>,
    from: Option<Spanned<String>>,
    until: Option<Spanned<String>>,
    actions: Spanned<Vec<ActionName>>,
    redact_below: Option<Spanned<Role>>,
    notify_text: Option<String>,
}

fn yes() -> bool {
    true
}

/// When the organisation works. Outside these hours, `time = "outside_business_hours"`
/// rules apply.
#[derive(Clone, Debug, PartialEq)]
pub struct BusinessHours {
    pub days: Vec<Weekday>,
    pub start: Time,
    /// Exclusive. An end before the start wraps past midnight.
    pub end: Time,
    /// The zone the hours are in; `None`: the message's wall-clock time as written.
    pub time_zone: Option<TimeZone>,
}

impl BusinessHours {
    /// Whether a message was sent within business hours.
    pub fn contains(&self, message: &Message) -> bool {
        let dt = match &self.time_zone {
            Some(tz) => message.sent_at.to_zoned(tz.clone()).datetime(),
            None => message.local_time,
        };
        let t = dt.time();
        let inside = if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        };
        inside && self.days.contains(&dt.weekday())
    }
}

/// A validated policy.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Enabled rules, in file order (earlier rules take findings first).
    pub rules: Vec<Rule>,
    pub lexicons: Lexicons,
    pub business_hours: Option<BusinessHours>,
    /// Hits of one rule in one conversation closer than this form one alert group.
    pub group_window: SignedDuration,
    /// When true (the default), a finding used by one rule's hit is not available to
    /// later rules, so one incident raises one alert.
    pub findings_used_once: bool,
    pub sampling: SamplingConfig,
    /// entity or detector → rule indices that count it.
    index: HashMap<String, Vec<usize>>,
}

struct Ctx<'s> {
    src: &'s str,
    file: &'s str,
}

impl Ctx<'_> {
    fn err(&self, offset: usize, message: impl Into<String>) -> PolicyError {
        PolicyError::Policy {
            file: self.file.to_owned(),
            line: line_of(self.src, offset),
            message: message.into(),
        }
    }
}

fn is_entity_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// What a rule's `from` / `until` may be, for its error.
const INSTANT_FORMS: &str = "expected a date (2026-03-01) or a date and time with an offset \
                             (2026-03-01T09:30:00-05:00)";

/// A rule's `from` / `until`: an RFC 3339 instant with its offset, or a date, which
/// starts at midnight in the business hours' zone (UTC without one).
fn parse_instant(text: &str, zone: &TimeZone) -> Option<jiff::Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    let date: jiff::civil::Date = text.parse().ok()?;
    date.to_zoned(zone.clone()).ok().map(|z| z.timestamp())
}

fn parse_time(s: &str) -> Option<Time> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    if h == 24 && m == 0 {
        return Time::new(23, 59, 59, 999_999_999).ok();
    }
    Time::new(h, m, 0, 0).ok()
}

fn parse_day(s: &str) -> Option<Weekday> {
    Some(match s.to_ascii_lowercase().get(..3)? {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        _ => return None,
    })
}

impl Policy {
    /// Parses and validates a policy. `file` names it in errors.
    pub fn from_toml(src: &str, file: &str) -> Result<Policy, PolicyError> {
        let cx = Ctx { src, file };
        let raw: RawPolicy = toml::from_str(src).map_err(|e| PolicyError::Policy {
            file: file.to_owned(),
            line: e.span().map_or(1, |s| line_of(src, s.start)),
            message: e.message().trim().to_owned(),
        })?;
        if let Some(v) = &raw.version
            && *v.get_ref() != 1
        {
            return Err(cx.err(v.span().start, "only policy version 1 is known"));
        }

        // Settings.
        let settings = raw.settings;
        let mut group_window = SignedDuration::from_mins(60);
        let mut findings_used_once = true;
        let mut custom: HashSet<String> = HashSet::new();
        let mut business_hours = None;
        if let Some(s) = settings {
            if let Some(w) = s.group_window_minutes {
                let m = *w.get_ref();
                if !(0..=7 * 24 * 60).contains(&m) {
                    return Err(cx.err(
                        w.span().start,
                        "group_window_minutes must be 0 to 10080 (a week)",
                    ));
                }
                group_window = SignedDuration::from_mins(m);
            }
            findings_used_once = s.findings_used_once.unwrap_or(true);
            for e in &s.custom_entities {
                if !is_entity_name(e.get_ref()) {
                    return Err(cx.err(
                        e.span().start,
                        format!("{:?} is not an UPPER_SNAKE_CASE entity name", e.get_ref()),
                    ));
                }
                custom.insert(e.get_ref().clone());
            }
            if let Some(h) = s.business_hours {
                let mut days = Vec::new();
                for d in &h.days {
                    let day = parse_day(d.get_ref()).ok_or_else(|| {
                        cx.err(
                            d.span().start,
                            format!("{:?} is not a weekday (mon … sun)", d.get_ref()),
                        )
                    })?;
                    days.push(day);
                }
                let time = |t: &Spanned<String>| {
                    parse_time(t.get_ref()).ok_or_else(|| {
                        cx.err(
                            t.span().start,
                            format!("{:?} is not a time of day (HH:MM)", t.get_ref()),
                        )
                    })
                };
                let (start, end) = (time(&h.start)?, time(&h.end)?);
                let time_zone = match &h.time_zone {
                    Some(z) => Some(TimeZone::get(z.get_ref()).map_err(|e| {
                        cx.err(
                            z.span().start,
                            format!("unknown time zone {:?}: {e}", z.get_ref()),
                        )
                    })?),
                    None => None,
                };
                business_hours = Some(BusinessHours {
                    days,
                    start,
                    end,
                    time_zone,
                });
            }
        }

        // Sampling.
        let sampling = match raw.sampling {
            Some(s) => {
                let rate = |r: &Spanned<f64>| {
                    let v = *r.get_ref();
                    if (0.0..=1.0).contains(&v) {
                        Ok(v)
                    } else {
                        Err(cx.err(
                            r.span().start,
                            "a sampling rate is a share from 0 to 1 (0.01 = 1 in 100)",
                        ))
                    }
                };
                let mut custodians = BTreeMap::new();
                for (k, v) in &s.custodians {
                    custodians.insert(k.clone(), rate(v)?);
                }
                SamplingConfig {
                    rate: rate(&s.rate)?,
                    custodians,
                }
            }
            None => SamplingConfig::default(),
        };

        // Lexicons.
        let mut lexicons = Vec::new();
        let mut lexicon_entities: HashSet<String> = HashSet::new();
        for l in raw.lexicon {
            let at = l.span().start;
            let l = l.into_inner();
            if !is_id(l.name.get_ref()) {
                return Err(cx.err(
                    l.name.span().start,
                    "a lexicon name is lowercase letters, digits, - and _",
                ));
            }
            if lexicons
                .iter()
                .any(|x: &Lexicon| x.name == *l.name.get_ref())
            {
                return Err(cx.err(
                    l.name.span().start,
                    format!("lexicon {:?} defined twice", l.name.get_ref()),
                ));
            }
            if !is_entity_name(l.entity.get_ref()) {
                return Err(cx.err(
                    l.entity.span().start,
                    "a lexicon entity is an UPPER_SNAKE_CASE name",
                ));
            }
            for code in &l.languages {
                if crate::language::parse_language(code.get_ref()).is_none() {
                    return Err(cx.err(
                        code.span().start,
                        format!(
                            "unknown language {:?}: an ISO 639-1 or 639-3 code of a language \
                             the detector knows ({})",
                            code.get_ref(),
                            crate::language::known_languages()
                        ),
                    ));
                }
            }
            let score = match &l.score {
                Some(s) if (0.0..=1.0).contains(s.get_ref()) => *s.get_ref() as f32,
                Some(s) => return Err(cx.err(s.span().start, "score must be from 0 to 1")),
                None => 0.8,
            };
            let mut near = Vec::new();
            for n in l.near {
                let nat = n.span().start;
                let n = n.into_inner();
                let within = *n.within.get_ref();
                if !(1..=50).contains(&within) {
                    return Err(cx.err(n.within.span().start, "within must be 1 to 50 words"));
                }
                if n.words.iter().all(|w| w.trim().is_empty())
                    || n.near.iter().all(|w| w.trim().is_empty())
                {
                    return Err(cx.err(nat, "a near pair needs words on both sides"));
                }
                near.push(Near {
                    words: n.words,
                    near: n.near,
                    within: within as usize,
                });
            }
            if l.terms.iter().all(|t| t.trim().is_empty()) && near.is_empty() {
                return Err(cx.err(at, "a lexicon needs terms or near pairs"));
            }
            lexicon_entities.insert(l.entity.get_ref().clone());
            lexicons.push(Lexicon {
                name: l.name.into_inner(),
                entity: l.entity.into_inner(),
                languages: l.languages.into_iter().map(Spanned::into_inner).collect(),
                score,
                terms: l.terms,
                near,
                exclude: l.exclude,
                exclude_after: l.exclude_after,
            });
        }
        let lexicons = Lexicons::new(lexicons).map_err(|e| cx.err(0, format!("lexicons: {e}")))?;

        // Rules.
        let known = |e: &str| {
            KNOWN_ENTITIES.contains(&e) || custom.contains(e) || lexicon_entities.contains(e)
        };
        let mut rules: Vec<Rule> = Vec::new();
        let mut ids: HashSet<String> = HashSet::new();
        // Rule periods' dates start at midnight in the business hours' zone (UTC without one).
        let period_zone = business_hours
            .as_ref()
            .and_then(|h| h.time_zone.clone())
            .unwrap_or(TimeZone::UTC);
        for r in raw.rule {
            let at = r.span().start;
            let r = r.into_inner();
            let id = r.id.get_ref();
            if !is_id(id) {
                return Err(cx.err(
                    r.id.span().start,
                    "a rule id is 1–64 lowercase letters, digits, - and _",
                ));
            }
            if id == SAMPLE_RULE_ID {
                return Err(cx.err(
                    r.id.span().start,
                    format!("{SAMPLE_RULE_ID:?} is reserved for sampled review items"),
                ));
            }
            if !ids.insert(id.clone()) {
                return Err(cx.err(r.id.span().start, format!("rule id {id:?} used twice")));
            }
            for e in r.entities.iter().chain(&r.all_of) {
                if !is_entity_name(e.get_ref()) {
                    return Err(cx.err(
                        e.span().start,
                        format!("{:?} is not an UPPER_SNAKE_CASE entity name", e.get_ref()),
                    ));
                }
                if !known(e.get_ref()) {
                    return Err(cx.err(
                        e.span().start,
                        format!(
                            "unknown entity {:?}: not reported by the inspection stage, not a lexicon's entity, and not in settings.custom_entities",
                            e.get_ref()
                        ),
                    ));
                }
            }
            if r.entities.is_empty() && r.detectors.is_empty() && r.all_of.is_empty() {
                return Err(cx.err(at, "a rule needs entities, detectors or all_of (a rule on conditions alone would hit every message)"));
            }
            let min_score = match &r.min_score {
                Some(s) if (0.0..=1.0).contains(s.get_ref()) => *s.get_ref() as f32,
                Some(s) => return Err(cx.err(s.span().start, "min_score must be from 0 to 1")),
                None => 0.0,
            };
            let min_count = match &r.min_count {
                Some(c) if (1..=10_000).contains(c.get_ref()) => *c.get_ref() as usize,
                Some(c) => return Err(cx.err(c.span().start, "min_count must be 1 to 10000")),
                None => 1,
            };
            let direction = match &r.direction {
                Some(d) => DirectionFilter::parse(d.get_ref()).ok_or_else(|| {
                    cx.err(
                        d.span().start,
                        format!(
                            "direction {:?}: expected one of {}",
                            d.get_ref(),
                            DirectionFilter::NAMES
                        ),
                    )
                })?,
                None => DirectionFilter::Any,
            };
            let sender = match &r.sender {
                Some(d) => SenderFilter::parse(d.get_ref()).ok_or_else(|| {
                    cx.err(
                        d.span().start,
                        format!(
                            "sender {:?}: expected one of {}",
                            d.get_ref(),
                            SenderFilter::NAMES
                        ),
                    )
                })?,
                None => SenderFilter::Any,
            };
            let time = match &r.time {
                Some(t) => {
                    if *t.get_ref() != TimeFilter::Any && business_hours.is_none() {
                        return Err(cx.err(t.span().start, "time needs [settings.business_hours]"));
                    }
                    *t.get_ref()
                }
                None => TimeFilter::Any,
            };
            // A period: a quiet period before results, a deal's blackout window.
            let instant = |v: &Option<Spanned<String>>, what: &str| match v {
                None => Ok(None),
                Some(t) => parse_instant(t.get_ref(), &period_zone)
                    .map(Some)
                    .ok_or_else(|| {
                        cx.err(
                            t.span().start,
                            format!("{what} {:?}: {INSTANT_FORMS}", t.get_ref()),
                        )
                    }),
            };
            let (from, until) = (instant(&r.from, "from")?, instant(&r.until, "until")?);
            if let (Some(f), Some(u), Some(at)) = (from, until, r.until.as_ref())
                && u <= f
            {
                return Err(cx.err(at.span().start, "until must be after from"));
            }
            let names = r.actions.get_ref();
            if names.is_empty() {
                return Err(cx.err(r.actions.span().start, "a rule needs at least one action"));
            }
            let mut actions = Vec::new();
            for n in names {
                let a = match n {
                    ActionName::Alert => Action::Alert,
                    ActionName::Quarantine => Action::Quarantine,
                    ActionName::Redact => Action::Redact {
                        below: r
                            .redact_below
                            .as_ref()
                            .map_or(Role::Supervisor, |b| *b.get_ref()),
                    },
                    ActionName::Notify => Action::Notify {
                        text: r.notify_text.clone(),
                    },
                };
                if actions.iter().any(|x: &Action| x.name() == a.name()) {
                    return Err(cx.err(
                        r.actions.span().start,
                        format!("action {:?} listed twice", a.name()),
                    ));
                }
                actions.push(a);
            }
            if let Some(b) = &r.redact_below
                && !names.contains(&ActionName::Redact)
            {
                return Err(cx.err(b.span().start, "redact_below without the redact action"));
            }
            if r.notify_text.is_some() && !names.contains(&ActionName::Notify) {
                return Err(cx.err(at, "notify_text without the notify action"));
            }
            if !r.enabled {
                continue;
            }
            rules.push(Rule {
                id: id.clone(),
                description: r.description,
                severity: r.severity,
                entities: r.entities.into_iter().map(Spanned::into_inner).collect(),
                detectors: r.detectors,
                all_of: r.all_of.into_iter().map(Spanned::into_inner).collect(),
                min_score,
                min_count,
                channels: r.channels,
                direction,
                sender,
                custodians: r.custodians,
                departments: r.departments,
                except_departments: r.except_departments,
                source: r.source.unwrap_or(SourceFilter::Any),
                time,
                from,
                until,
                actions,
                line: line_of(src, at),
            });
        }

        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            for key in r.entities.iter().chain(&r.all_of).chain(&r.detectors) {
                let v = index.entry(key.clone()).or_default();
                if v.last() != Some(&i) {
                    v.push(i);
                }
            }
        }
        Ok(Policy {
            rules,
            lexicons,
            business_hours,
            group_window,
            findings_used_once,
            sampling,
            index,
        })
    }

    /// Reads and validates a policy file.
    pub fn from_file(path: &Path) -> Result<Policy, PolicyError> {
        let name = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: name.clone(),
            source,
        })?;
        Policy::from_toml(&src, &name)
    }

    /// The shipped default policy.
    pub fn default_policy() -> Result<Policy, PolicyError> {
        Policy::from_toml(DEFAULT_POLICY, "default_policy.toml")
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Classifies a conversation once, for evaluating its messages.
    pub fn prepare<'d>(
        &self,
        directory: &'d Directory,
        conversation: &Conversation,
    ) -> PreparedConversation<'d> {
        let direction = directory.direction(conversation);
        let custodian_employee = directory.custodian(conversation);
        let parties = conversation
            .participants
            .iter()
            .map(|p| (p.clone(), directory.classify_in(conversation, p).party))
            .collect();
        let rules_ok = self
            .rules
            .iter()
            .map(|r| {
                r.accepts_conversation(
                    conversation.channel,
                    direction,
                    conversation.custodian.as_deref(),
                    custodian_employee,
                )
            })
            .collect();
        PreparedConversation {
            directory,
            id: conversation.id.clone(),
            custodian: conversation.custodian.clone(),
            custodian_employee,
            direction,
            parties,
            rules_ok,
        }
    }

    /// Evaluates one message of a prepared conversation. `findings` are the message's
    /// inspection findings (text and attachments); the policy's lexicons run over the
    /// message text here and add their findings.
    pub fn evaluate_prepared(
        &self,
        conv: &PreparedConversation<'_>,
        message: &Message,
        findings: &[Finding],
    ) -> Vec<RuleHit> {
        let lexicon_findings = if self.lexicons.is_empty() {
            Vec::new()
        } else {
            self.lexicons.findings_detecting(&message.id, &message.text)
        };
        let findings: Cow<'_, [Finding]> = if lexicon_findings.is_empty() {
            Cow::Borrowed(findings)
        } else {
            let mut all = findings.to_vec();
            all.extend(lexicon_findings);
            Cow::Owned(all)
        };
        if findings.is_empty() {
            return Vec::new();
        }
        let mut candidates: Vec<usize> = Vec::new();
        for f in findings.iter() {
            for key in [&f.entity, &f.detector] {
                if let Some(rs) = self.index.get(key.as_str()) {
                    candidates.extend(rs.iter().copied());
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates.retain(|&i| conv.rules_ok.get(i).copied().unwrap_or(false));
        if candidates.is_empty() {
            return Vec::new();
        }

        let sender = conv.sender_party(message);
        let responsible = match sender {
            Party::Internal(Some(e)) => Some(e),
            _ => conv.custodian_employee,
        };
        let facts = MessageFacts {
            sender,
            responsible,
            in_business_hours: self
                .business_hours
                .as_ref()
                .is_some_and(|h| h.contains(message)),
            sent_at: message.sent_at,
            findings: &findings,
        };
        let mut used = vec![false; findings.len()];
        let mut hits = Vec::new();
        for i in candidates {
            let Some(rule) = self.rules.get(i) else {
                continue;
            };
            let Some(which) = rule.matches(&facts, &used) else {
                continue;
            };
            if self.findings_used_once {
                for &w in &which {
                    if let Some(u) = used.get_mut(w) {
                        *u = true;
                    }
                }
            }
            tracing::debug!(rule = %rule.id, message = %message.id, findings = which.len(), "rule hit");
            hits.push(RuleHit {
                rule: rule.id.clone(),
                severity: rule.severity,
                actions: rule.actions.clone(),
                conversation: conv.id.clone(),
                message: message.id.clone(),
                sent_at: message.sent_at,
                custodian: conv.custodian.clone(),
                department: responsible.and_then(|e| e.department.clone()),
                supervisor: responsible.and_then(|e| e.supervisor.clone()),
                findings: which
                    .iter()
                    .filter_map(|&w| findings.get(w).cloned())
                    .collect(),
            });
        }
        hits
    }
}

/// A conversation classified once: its direction, custodian, participants' parties,
/// and which rules its channel, direction and custodian allow.
#[derive(Clone, Debug)]
pub struct PreparedConversation<'d> {
    directory: &'d Directory,
    pub id: ConversationId,
    pub custodian: Option<String>,
    pub custodian_employee: Option<&'d Employee>,
    pub direction: Direction,
    parties: Vec<(Participant, Party<'d>)>,
    rules_ok: Vec<bool>,
}

impl<'d> PreparedConversation<'d> {
    /// The sender's party: by participant id, else by display name among the
    /// participants, else from the name alone (a phone number or email address is
    /// classified; a bare name is looked up). System lines are unknown.
    pub fn sender_party(&self, message: &Message) -> Party<'d> {
        if let Some(id) = &message.sender_id
            && let Some((_, party)) = self.parties.iter().find(|(p, _)| p.id == *id)
        {
            return *party;
        }
        let Some(name) = message.sender.as_deref() else {
            return Party::Unknown;
        };
        if let Some((_, party)) = self.parties.iter().find(|(p, _)| p.display_name == name) {
            return *party;
        }
        self.directory.classify(&Participant {
            id: message
                .sender_id
                .clone()
                .unwrap_or_else(|| chatwarden_model::ParticipantId::from(String::new())),
            display_name: name.to_owned(),
            phone: None,
            is_self: false,
        })
    }
}

/// Evaluates one message: every rule that hits it, in policy order. For many messages
/// of one conversation, [`Policy::prepare`] once and call [`Policy::evaluate_prepared`].
pub fn evaluate(
    policy: &Policy,
    directory: &Directory,
    conversation: &Conversation,
    message: &Message,
    findings: &[Finding],
) -> Vec<RuleHit> {
    let prepared = policy.prepare(directory, conversation);
    policy.evaluate_prepared(&prepared, message, findings)
}

/// The severities in use, for queue filters and reports.
pub fn severity_names() -> impl Iterator<Item = &'static str> {
    Severity::ALL.into_iter().map(Severity::as_str)
}
