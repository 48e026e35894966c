//! The organisation directory: who is internal.
//!
//! A participant is matched, strongest evidence first, by
//! 1. phone number: an employee's number, else a company phone range (E.164 prefix);
//!    any other number is **external** (a number is a positive identity);
//! 2. email address (when the display name is one, as Slack and Teams exports show
//!    people): an employee's address, else a company domain (or a subdomain of one);
//!    any other address is **external**;
//! 3. exact display name equal to an employee's name (case and spacing folded). This is
//!    the weakest evidence: a contact saved as "Alex Kim" on a phone may be anybody named
//!    so, and a colleague saved as "Alex (work)" is not found. It is reported as
//!    [`Basis::Name`] so reviewers can weigh it.
//!
//! Anything else is **unknown**. The participant who made the export (`is_self`) is the
//! custodian: [`Directory::classify_in`] looks the conversation's custodian up by
//! employee id, email or name.
//!
//! Phone numbers are normalized to their digits, with a leading `+` kept when the number
//! was written with `+` or an international `00` prefix. A number written without a
//! country code is compared with the same digits only; it never matches a `+` range.

use crate::error::PolicyError;
use chatwarden_model::{Conversation, Participant, ParticipantId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// One employee as the directory lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employee {
    /// The employee's id (HR id, user name): custodians are named by it.
    pub id: String,
    pub name: String,
    pub emails: Vec<String>,
    /// As written in the list; matched after normalization.
    pub phones: Vec<String>,
    pub department: Option<String>,
    /// The supervisor's employee id.
    pub supervisor: Option<String>,
}

/// What a participant is to the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party<'d> {
    /// One of ours: the employee when known, `None` when only a company phone range or
    /// domain matched.
    Internal(Option<&'d Employee>),
    /// Positively not ours: a phone number or email address outside the organisation.
    External,
    /// Nothing tells: a display name that matches nobody.
    Unknown,
}

impl Party<'_> {
    pub fn is_internal(&self) -> bool {
        matches!(self, Party::Internal(_))
    }

    /// `internal`, `external` or `unknown`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Party::Internal(_) => "internal",
            Party::External => "external",
            Party::Unknown => "unknown",
        }
    }
}

/// The evidence a classification rests on, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The participant is the custodian (the exporting account).
    Custodian,
    /// An employee's phone number.
    EmployeePhone,
    /// A company phone range.
    PhoneRange,
    /// A phone number outside the organisation.
    OtherPhone,
    /// An employee's email address.
    EmployeeEmail,
    /// A company domain.
    Domain,
    /// An email address outside the organisation.
    OtherEmail,
    /// An exact employee name (weakest).
    Name,
    /// Nothing matched.
    None,
}

/// A participant's party and the evidence for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classification<'d> {
    pub party: Party<'d>,
    pub basis: Basis,
}

/// Who is in a conversation, as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Every participant is internal.
    InternalOnly,
    /// At least one participant is external.
    ExternalInvolved,
    /// Nobody is external, but at least one participant is unknown.
    UnknownInvolved,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::InternalOnly => "internal_only",
            Direction::ExternalInvolved => "external_involved",
            Direction::UnknownInvolved => "unknown_involved",
        }
    }
}

/// A participant of a conversation who is not internal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterparty {
    pub participant: ParticipantId,
    pub display_name: String,
    /// True when positively external, false when unknown.
    pub external: bool,
    pub basis: Basis,
}

/// The organisation: its domains, phone ranges and employees.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    domains: Vec<String>,
    phone_prefixes: Vec<String>,
    employees: Vec<Employee>,
    by_phone: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
}

/// The directory settings file (TOML): domains, phone ranges, and the employee list's
/// path (relative paths are read against the settings file's folder).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirectoryFile {
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    phone_prefixes: Vec<String>,
    employees: Option<String>,
}

impl Directory {
    /// A directory of company domains (`example.com`; subdomains match too), phone
    /// ranges (E.164 prefixes such as `+4930123`) and employees. Refuses malformed
    /// domains or prefixes and two employees sharing an id, phone or email.
    pub fn new<D, P>(
        domains: D,
        phone_prefixes: P,
        employees: Vec<Employee>,
    ) -> Result<Self, PolicyError>
    where
        D: IntoIterator,
        D::Item: AsRef<str>,
        P: IntoIterator,
        P::Item: AsRef<str>,
    {
        let mut dir = Directory::default();
        for d in domains {
            let d = d.as_ref().trim().trim_start_matches('@').to_lowercase();
            if d.is_empty()
                || !d.contains('.')
                || d.contains(char::is_whitespace)
                || d.contains('@')
            {
                return Err(PolicyError::Directory(format!("not a domain: {d:?}")));
            }
            dir.domains.push(d);
        }
        for p in phone_prefixes {
            let raw = p.as_ref();
            let n = normalize_phone(raw);
            if !n.starts_with('+') || n.len() < 3 {
                return Err(PolicyError::Directory(format!(
                    "phone range {raw:?} must be an E.164 prefix starting with + and a country code"
                )));
            }
            dir.phone_prefixes.push(n);
        }
        for (i, e) in employees.iter().enumerate() {
            if dir.by_id.insert(e.id.clone(), i).is_some() {
                return Err(PolicyError::Directory(format!(
                    "employee id {:?} listed twice",
                    e.id
                )));
            }
            for ph in &e.phones {
                let n = normalize_phone(ph);
                if n.trim_start_matches('+').len() < 5 {
                    return Err(PolicyError::Directory(format!(
                        "employee {:?}: phone {ph:?} has too few digits",
                        e.id
                    )));
                }
                if dir.by_phone.insert(n, i).is_some() {
                    return Err(PolicyError::Directory(format!(
                        "employee {:?}: phone {ph:?} belongs to two employees",
                        e.id
                    )));
                }
            }
            for em in &e.emails {
                let n = em.trim().to_lowercase();
                if !is_email(&n) {
                    return Err(PolicyError::Directory(format!(
                        "employee {:?}: {em:?} is not an email address",
                        e.id
                    )));
                }
                if dir.by_email.insert(n, i).is_some() {
                    return Err(PolicyError::Directory(format!(
                        "employee {:?}: email {em:?} belongs to two employees",
                        e.id
                    )));
                }
            }
            // Two employees of one name make that name useless as evidence.
            let key = fold_name(&e.name);
            if !key.is_empty() && dir.by_name.insert(key.clone(), i).is_some() {
                dir.by_name.insert(key, usize::MAX);
            }
        }
        dir.employees = employees;
        Ok(dir)
    }

    /// Reads a directory settings file:
    ///
    /// ```toml
    /// domains = ["example.com"]
    /// phone_prefixes = ["+4930123456"]
    /// employees = "employees.csv"
    /// ```
    pub fn from_toml_file(path: &Path) -> Result<Self, PolicyError> {
        let name = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: name.clone(),
            source,
        })?;
        let file: DirectoryFile = toml::from_str(&src).map_err(|e| PolicyError::Policy {
            file: name.clone(),
            line: e.span().map_or(1, |s| crate::error::line_of(&src, s.start)),
            message: e.message().to_owned(),
        })?;
        let employees = match &file.employees {
            Some(rel) => {
                let p = path.parent().unwrap_or(Path::new(".")).join(rel);
                let pname = p.display().to_string();
                let f = std::fs::File::open(&p).map_err(|source| PolicyError::Io {
                    path: pname.clone(),
                    source,
                })?;
                read_employees_csv(f, &pname)?
            }
            None => Vec::new(),
        };
        Directory::new(&file.domains, &file.phone_prefixes, employees)
    }

    pub fn employees(&self) -> &[Employee] {
        &self.employees
    }

    /// The company phone ranges, normalized (`+` and digits, e.g. `+44207946`).
    pub fn phone_prefixes(&self) -> &[String] {
        &self.phone_prefixes
    }

    /// The employee with this id, email address or exact name (in that order).
    pub fn employee(&self, key: &str) -> Option<&Employee> {
        let i = self
            .by_id
            .get(key)
            .or_else(|| self.by_email.get(&key.trim().to_lowercase()))
            .or_else(|| self.by_name.get(&fold_name(key)))?;
        self.employees.get(*i)
    }

    /// Classifies a participant on its own (no custodian knowledge).
    pub fn classify(&self, p: &Participant) -> Party<'_> {
        self.classify_detailed(p).party
    }

    /// Classifies a participant, with the evidence.
    pub fn classify_detailed(&self, p: &Participant) -> Classification<'_> {
        if let Some(phone) = p.phone.as_deref().filter(|s| has_digits(s)) {
            return self.by_phone_number(phone);
        }
        let name = p.display_name.trim();
        if is_email(&name.to_lowercase()) {
            return self.by_email_address(name);
        }
        // WhatsApp shows unsaved contacts as their number in the name field.
        if looks_like_phone(name) {
            return self.by_phone_number(name);
        }
        match self
            .by_name
            .get(&fold_name(name))
            .and_then(|&i| self.employees.get(i))
        {
            Some(e) => Classification {
                party: Party::Internal(Some(e)),
                basis: Basis::Name,
            },
            None => Classification {
                party: Party::Unknown,
                basis: Basis::None,
            },
        }
    }

    /// Classifies a participant of a conversation: the exporting participant
    /// (`is_self`) is the conversation's custodian.
    pub fn classify_in(&self, conversation: &Conversation, p: &Participant) -> Classification<'_> {
        if p.is_self {
            let employee = conversation
                .custodian
                .as_deref()
                .and_then(|c| self.employee(c));
            return Classification {
                party: Party::Internal(employee),
                basis: Basis::Custodian,
            };
        }
        self.classify_detailed(p)
    }

    /// The conversation's participants who are not internal.
    pub fn counterparties(&self, conversation: &Conversation) -> Vec<Counterparty> {
        conversation
            .participants
            .iter()
            .filter_map(|p| {
                let c = self.classify_in(conversation, p);
                let external = match c.party {
                    Party::Internal(_) => return None,
                    Party::External => true,
                    Party::Unknown => false,
                };
                Some(Counterparty {
                    participant: p.id.clone(),
                    display_name: p.display_name.clone(),
                    external,
                    basis: c.basis,
                })
            })
            .collect()
    }

    /// Who the conversation involves as a whole. A conversation whose participants the
    /// export does not list is [`Direction::UnknownInvolved`].
    pub fn direction(&self, conversation: &Conversation) -> Direction {
        let mut unknown = conversation.participants.is_empty();
        for p in &conversation.participants {
            match self.classify_in(conversation, p).party {
                Party::External => return Direction::ExternalInvolved,
                Party::Unknown => unknown = true,
                Party::Internal(_) => {}
            }
        }
        if unknown {
            Direction::UnknownInvolved
        } else {
            Direction::InternalOnly
        }
    }

    /// The employee responsible for a conversation: its custodian, when listed.
    pub fn custodian(&self, conversation: &Conversation) -> Option<&Employee> {
        conversation
            .custodian
            .as_deref()
            .and_then(|c| self.employee(c))
    }

    fn by_phone_number(&self, phone: &str) -> Classification<'_> {
        let n = normalize_phone(phone);
        if let Some(e) = self.by_phone.get(&n).and_then(|&i| self.employees.get(i)) {
            return Classification {
                party: Party::Internal(Some(e)),
                basis: Basis::EmployeePhone,
            };
        }
        if n.starts_with('+')
            && self
                .phone_prefixes
                .iter()
                .any(|pre| n.starts_with(pre.as_str()))
        {
            return Classification {
                party: Party::Internal(None),
                basis: Basis::PhoneRange,
            };
        }
        Classification {
            party: Party::External,
            basis: Basis::OtherPhone,
        }
    }

    fn by_email_address(&self, email: &str) -> Classification<'_> {
        let n = email.trim().to_lowercase();
        if let Some(e) = self.by_email.get(&n).and_then(|&i| self.employees.get(i)) {
            return Classification {
                party: Party::Internal(Some(e)),
                basis: Basis::EmployeeEmail,
            };
        }
        let domain = n.rsplit_once('@').map_or("", |(_, d)| d);
        let ours = self.domains.iter().any(|d| {
            domain == d
                || domain
                    .strip_suffix(d.as_str())
                    .is_some_and(|head| head.ends_with('.'))
        });
        if ours {
            Classification {
                party: Party::Internal(None),
                basis: Basis::Domain,
            }
        } else {
            Classification {
                party: Party::External,
                basis: Basis::OtherEmail,
            }
        }
    }
}

/// Reads an employee list: CSV with a header row naming the columns `id`, `name`,
/// `emails`, `phones`, `department`, `supervisor` (any order; `id` and `name`
/// required, the others optional). Several emails or phones in one cell are separated
/// by `;` or `|`. `file` names the source in errors, which carry the line.
pub fn read_employees_csv<R: Read>(reader: R, file: &str) -> Result<Vec<Employee>, PolicyError> {
    let err = |line: u64, message: String| PolicyError::Employees {
        file: file.to_owned(),
        line,
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| err(e.position().map_or(1, |p| p.line()), e.to_string()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let (Some(id_col), Some(name_col)) = (col("id"), col("name")) else {
        return Err(err(
            1,
            "the header must name the columns id and name".into(),
        ));
    };
    for (i, h) in headers.iter().enumerate() {
        let known = ["id", "name", "emails", "phones", "department", "supervisor"];
        let h = h.trim_start_matches('\u{feff}');
        if !known.iter().any(|k| h.eq_ignore_ascii_case(k)) {
            return Err(err(1, format!("unknown column {h:?} (column {})", i + 1)));
        }
    }
    let (emails_col, phones_col, dept_col, sup_col) = (
        col("emails"),
        col("phones"),
        col("department"),
        col("supervisor"),
    );
    let mut out = Vec::new();
    for record in rdr.records() {
        let record =
            record.map_err(|e| err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("");
        let list = |c: Option<usize>| {
            cell(c)
                .split([';', '|'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let opt = |c: Option<usize>| Some(cell(c)).filter(|s| !s.is_empty()).map(str::to_owned);
        let id = cell(Some(id_col));
        let name = cell(Some(name_col));
        if id.is_empty() || name.is_empty() {
            return Err(err(line, "id and name must not be empty".into()));
        }
        let emails = list(emails_col);
        if let Some(bad) = emails.iter().find(|e| !is_email(&e.to_lowercase())) {
            return Err(err(line, format!("{bad:?} is not an email address")));
        }
        let phones = list(phones_col);
        if let Some(bad) = phones.iter().find(|p| !looks_like_phone(p)) {
            return Err(err(line, format!("{bad:?} is not a phone number")));
        }
        out.push(Employee {
            id: id.to_owned(),
            name: name.to_owned(),
            emails,
            phones,
            department: opt(dept_col),
            supervisor: opt(sup_col),
        });
    }
    Ok(out)
}

/// A phone number's digits, with `+` in front when it was written with `+` or `00`.
pub fn normalize_phone(s: &str) -> String {
    let t = s.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if t.starts_with('+') {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else {
        digits
    }
}

fn has_digits(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
}

/// Only digits, spaces and phone punctuation, with 5 to 15 digits.
fn looks_like_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=15).contains(&digits)
        && s.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.' | '\u{a0}')
        })
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

/// Lowercase, with runs of whitespace collapsed to one space.
fn fold_name(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalize_to_digits_with_plus() {
        assert_eq!(normalize_phone("+1 (555) 010-0199"), "+15550100199");
        assert_eq!(normalize_phone("0049 30 1234567"), "+49301234567");
        assert_eq!(normalize_phone("030 1234567"), "0301234567");
    }

    #[test]
    fn emails_and_phones_are_recognized() {
        assert!(is_email("mei.chen@example.com"));
        assert!(!is_email("Mei Chen"));
        assert!(!is_email("a@b"));
        assert!(looks_like_phone("+49 151 2345 6789"));
        assert!(!looks_like_phone("Room 12345 B"));
    }
}
