//! The default region for phone numbers written without a country code: checking a
//! stated one, and inferring one for a conversation from the phone numbers of its
//! participants (WhatsApp shows an unsaved contact as "+44 7700 900123"; Signal,
//! iMessage and the WhatsApp webhooks carry numbers) or from a list of company
//! phone ranges.

use crate::error::InspectError;
use chatwarden_model::Conversation;
use serde::Serialize;
use std::collections::BTreeMap;

/// "No default region" (libphonenumber's code for an unknown region), for
/// [`crate::ScanContext::region`] and [`crate::EngineConfig::default_region`]: a number
/// written without a country code is then found only next to a phone word ("call",
/// "Mobile:", "Handy" …) and valid in one of the fallback regions (US and the 21 listed
/// in docs/detectors.md); numbers in international form are found as always.
pub const NO_REGION: &str = "ZZ";

/// Checks a region code stated by a user: ISO 3166 alpha-2, in any case, of a region
/// with a phone numbering plan. Returns it in upper case.
pub fn parse_region(code: &str) -> Result<String, InspectError> {
    let upper = code.trim().to_ascii_uppercase();
    let shaped = upper.len() == 2 && upper.bytes().all(|b| b.is_ascii_uppercase());
    if !shaped {
        return Err(InspectError::Config(format!(
            "region {code:?} is not an ISO 3166 alpha-2 code (two letters, e.g. US, GB, DE)"
        )));
    }
    if !known_region(&upper) {
        return Err(InspectError::Config(format!(
            "region {code:?} is not a country or territory with a phone numbering plan (e.g. US, GB, DE)"
        )));
    }
    Ok(upper)
}

/// Whether the phone metadata knows this (upper-case) region.
pub(crate) fn known_region(upper: &str) -> bool {
    upper.parse::<phonenumber::country::Id>().is_ok()
        && phonenumber::metadata::DATABASE.by_id(upper).is_some()
}

/// A phone number in international form ("+44 7700 900123", "0044 …", "+1 (571)
/// 370-4480"), as one participant's number: its region and country calling code.
/// `None` for anything else (a name, a national number, an unknown country code).
fn number_region(number: &str) -> Option<(String, u16)> {
    let trimmed = number.trim();
    let rest = trimmed
        .strip_prefix('+')
        .or_else(|| trimmed.strip_prefix("00"))?;
    let phone_shaped = rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'));
    let digits = rest.bytes().filter(u8::is_ascii_digit).count();
    if !phone_shaped || !(7..=15).contains(&digits) {
        return None;
    }
    let parsed = phonenumber::parse(None, format!("+{rest}")).ok()?;
    let country = parsed.country();
    let code = country.code();
    // A number outside the ranges the metadata knows (a new range, a reserved one
    // such as the UK's 07700 900xxx) still tells its country: the code's main region.
    let region = match country.id() {
        Some(id) => id.as_ref().to_string(),
        None => main_region(code)?,
    };
    Some((region, code))
}

/// The main region of a country calling code (1 → US, 44 → GB, 7 → RU).
fn main_region(code: u16) -> Option<String> {
    let main = phonenumber::metadata::DATABASE
        .by_code(&code)?
        .into_iter()
        .next()?;
    Some(main.id().to_string())
}

/// The region of a phone number in international form ("+44 7700 900123" → "GB",
/// "+1 416 555 0123" → "CA"); `None` for names and national numbers.
pub fn region_of_number(number: &str) -> Option<String> {
    number_region(number).map(|(region, _)| region)
}

/// The region of an E.164 prefix such as a company phone range ("+44207946" → "GB",
/// "+49" → "DE"): the region of the number when the prefix is one, else the main
/// region of its country calling code.
pub fn region_of_prefix(prefix: &str) -> Option<String> {
    if let Some(region) = region_of_number(prefix) {
        return Some(region);
    }
    let rest = prefix.trim().strip_prefix('+')?;
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    // Calling codes are prefix-free: at most one of the first 1, 2 or 3 digits is one.
    (1..=3).find_map(|len| main_region(digits.get(..len)?.parse().ok()?))
}

/// How often each region occurs among a set of phone numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegionTally {
    /// (region, country calling code, count), most common first, then by region.
    counts: Vec<(String, u16, usize)>,
}

impl RegionTally {
    /// Tallies the regions of numbers in international form (others are ignored).
    pub fn from_numbers<I, S>(numbers: I) -> RegionTally
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::from_regions(
            numbers
                .into_iter()
                .filter_map(|n| number_region(n.as_ref())),
        )
    }

    /// Tallies the regions of E.164 prefixes (company phone ranges).
    pub fn from_prefixes<I, S>(prefixes: I) -> RegionTally
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::from_regions(prefixes.into_iter().filter_map(|p| {
            let region = region_of_prefix(p.as_ref())?;
            let code = phonenumber::metadata::DATABASE
                .by_id(region.as_str())?
                .country_code();
            Some((region, code))
        }))
    }

    fn from_regions(regions: impl Iterator<Item = (String, u16)>) -> RegionTally {
        let mut map: BTreeMap<(String, u16), usize> = BTreeMap::new();
        for key in regions {
            *map.entry(key).or_default() += 1;
        }
        let mut counts: Vec<(String, u16, usize)> =
            map.into_iter().map(|((r, c), n)| (r, c, n)).collect();
        counts.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        RegionTally { counts }
    }

    /// The numbers that had a region.
    pub fn total(&self) -> usize {
        self.counts.iter().map(|c| c.2).sum()
    }

    /// Regions with their counts, most common first.
    pub fn counts(&self) -> impl Iterator<Item = (&str, usize)> {
        self.counts.iter().map(|(r, _, n)| (r.as_str(), *n))
    }

    /// The most common country: the country calling code most numbers have (a tie
    /// between codes gives `None`), then within it the most common region, or the
    /// code's main region when its regions tie (+1: US and CA share one plan).
    pub fn winner(&self) -> Option<(&str, usize)> {
        let mut by_code: BTreeMap<u16, usize> = BTreeMap::new();
        for (_, code, n) in &self.counts {
            *by_code.entry(*code).or_default() += n;
        }
        let top = by_code.values().copied().max()?;
        let mut tops = by_code.iter().filter(|(_, n)| **n == top);
        let (&code, _) = tops.next()?;
        if tops.next().is_some() {
            return None;
        }
        let within: Vec<&(String, u16, usize)> =
            self.counts.iter().filter(|c| c.1 == code).collect();
        let best = within.first().map_or(0, |c| c.2);
        let tied: Vec<&str> = within
            .iter()
            .filter(|c| c.2 == best)
            .map(|c| c.0.as_str())
            .collect();
        let region = if let [one] = tied.as_slice() {
            *one
        } else {
            let main = main_region(code);
            tied.iter()
                .copied()
                .find(|r| main.as_deref() == Some(*r))
                .or_else(|| tied.first().copied())?
        };
        Some((region, top))
    }
}

/// The region (and calling code) of each participant known by a number: their number
/// when the export gives one, else a display name written as an international number.
/// Each number is parsed once.
fn participant_regions(conversation: &Conversation) -> impl Iterator<Item = (String, u16)> + '_ {
    conversation.participants.iter().filter_map(|p| {
        p.phone
            .as_deref()
            .and_then(number_region)
            .or_else(|| number_region(&p.display_name))
    })
}

/// Where a conversation's default phone region came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionBasis {
    /// Stated by the user (`--region`).
    Stated,
    /// The most common country among the participants' phone numbers.
    Participants,
    /// The company's phone ranges (the organisation directory).
    Directory,
    /// None could be told: national-format numbers are found only next to a phone word.
    None,
}

impl RegionBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionBasis::Stated => "stated",
            RegionBasis::Participants => "participants",
            RegionBasis::Directory => "directory",
            RegionBasis::None => "none",
        }
    }
}

/// A conversation's default phone region and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhoneRegion {
    /// ISO 3166 alpha-2; `None` when no region applies.
    pub region: Option<String>,
    pub basis: RegionBasis,
    /// Participants' numbers in international form, and how many of them were from
    /// the chosen country (0 unless the basis is `participants` or `none`).
    pub numbers: usize,
    pub votes: usize,
    /// The regions the participants' numbers were split between, when they tied.
    pub tied: Vec<String>,
}

impl PhoneRegion {
    /// The value for [`crate::ScanContext::region`]: the region, or [`NO_REGION`].
    pub fn scan_region(&self) -> &str {
        self.region.as_deref().unwrap_or(NO_REGION)
    }
}

/// Chooses the default phone region of one conversation: the stated one; else the most
/// common country among the participants' numbers; else `fallback` (the company's
/// phone ranges, see [`RegionTally::from_prefixes`]); else none.
pub fn choose_region(
    stated: Option<&str>,
    conversation: &Conversation,
    fallback: Option<&str>,
) -> PhoneRegion {
    if let Some(region) = stated {
        return PhoneRegion {
            region: Some(region.to_ascii_uppercase()),
            basis: RegionBasis::Stated,
            numbers: 0,
            votes: 0,
            tied: Vec::new(),
        };
    }
    let tally = RegionTally::from_regions(participant_regions(conversation));
    let numbers = tally.total();
    if let Some((region, votes)) = tally.winner() {
        return PhoneRegion {
            region: Some(region.to_string()),
            basis: RegionBasis::Participants,
            numbers,
            votes,
            tied: Vec::new(),
        };
    }
    let top = tally.counts().next().map_or(0, |(_, n)| n);
    let mut tied: Vec<String> = tally
        .counts()
        .filter(|(_, n)| *n == top && top > 0)
        .map(|(r, _)| r.to_string())
        .collect();
    tied.sort();
    let (region, basis) = match fallback {
        Some(r) => (Some(r.to_ascii_uppercase()), RegionBasis::Directory),
        None => (None, RegionBasis::None),
    };
    PhoneRegion {
        region,
        basis,
        numbers,
        votes: 0,
        tied,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chatwarden_model::{Channel, Participant};

    fn conversation(names: &[(&str, Option<&str>)]) -> Conversation {
        Conversation {
            id: Conversation::id_for(Channel::Whatsapp, "t"),
            channel: Channel::Whatsapp,
            title: "t".into(),
            source_key: "t".into(),
            custodian: None,
            is_group: names.len() > 1,
            participants: names
                .iter()
                .map(|(name, phone)| Participant {
                    id: Participant::id_for(Channel::Whatsapp, name),
                    display_name: (*name).to_string(),
                    phone: phone.map(str::to_string),
                    is_self: false,
                })
                .collect(),
        }
    }

    #[test]
    fn regions_of_numbers_and_prefixes() {
        assert_eq!(region_of_number("+44 7700 900123").as_deref(), Some("GB"));
        assert_eq!(region_of_number("+49 30 1234567").as_deref(), Some("DE"));
        assert_eq!(region_of_number("+1 (571) 370-4480").as_deref(), Some("US"));
        assert_eq!(region_of_number("+1 416 555 0123").as_deref(), Some("CA"));
        assert_eq!(region_of_number("0034 612 345 678").as_deref(), Some("ES"));
        assert_eq!(region_of_number("07700 900123"), None);
        assert_eq!(region_of_number("Maria Lopez"), None);
        assert_eq!(region_of_number("+44"), None);
        assert_eq!(region_of_number("+999 1234 5678"), None);
        assert_eq!(region_of_prefix("+44207946").as_deref(), Some("GB"));
        assert_eq!(region_of_prefix("+49").as_deref(), Some("DE"));
        assert_eq!(region_of_prefix("+1").as_deref(), Some("US"));
        assert_eq!(region_of_prefix("+4930123456").as_deref(), Some("DE"));
        assert_eq!(region_of_prefix("44207946"), None);
    }

    #[test]
    fn stated_regions_are_checked() {
        assert_eq!(parse_region("gb").unwrap(), "GB");
        assert_eq!(parse_region("DE").unwrap(), "DE");
        for bad in ["", "G", "GBR", "UK", "ZZ", "1A", "uk ", "Ü1"] {
            let err = parse_region(bad).unwrap_err().to_string();
            assert!(err.contains("region"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn the_most_common_country_among_participants_wins() {
        let c = conversation(&[
            ("+44 7700 900123", Some("+447700900123")),
            ("+44 7700 900456", Some("+447700900456")),
            ("+49 151 23456789", Some("+4915123456789")),
            ("Daniel Kim", None),
        ]);
        let r = choose_region(None, &c, Some("US"));
        assert_eq!(r.region.as_deref(), Some("GB"));
        assert_eq!(r.basis, RegionBasis::Participants);
        assert_eq!((r.votes, r.numbers), (2, 3));
        assert_eq!(r.scan_region(), "GB");
    }

    #[test]
    fn a_display_name_written_as_a_number_counts() {
        // Formats without a phone field (sigexport, iMessage handles) show the number as the name.
        let c = conversation(&[("+49 30 1234567", None), ("Jonas", None)]);
        let r = choose_region(None, &c, None);
        assert_eq!(r.region.as_deref(), Some("DE"));
        assert_eq!(r.basis, RegionBasis::Participants);
    }

    #[test]
    fn a_stated_region_wins_over_participants() {
        let c = conversation(&[("+44 7700 900123", Some("+447700900123"))]);
        let r = choose_region(Some("us"), &c, Some("DE"));
        assert_eq!(r.region.as_deref(), Some("US"));
        assert_eq!(r.basis, RegionBasis::Stated);
    }

    #[test]
    fn without_participant_numbers_the_directory_then_nothing() {
        let c = conversation(&[("Maria Lopez", None), ("Daniel Kim", None)]);
        let r = choose_region(None, &c, Some("gb"));
        assert_eq!(r.region.as_deref(), Some("GB"));
        assert_eq!(r.basis, RegionBasis::Directory);
        let r = choose_region(None, &c, None);
        assert_eq!(r.region, None);
        assert_eq!(r.basis, RegionBasis::None);
        assert_eq!(r.scan_region(), NO_REGION);
    }

    #[test]
    fn a_tie_between_countries_is_not_guessed() {
        let c = conversation(&[
            ("+44 7700 900123", Some("+447700900123")),
            ("+49 151 23456789", Some("+4915123456789")),
        ]);
        let r = choose_region(None, &c, None);
        assert_eq!(r.basis, RegionBasis::None);
        assert_eq!(r.tied, vec!["DE".to_string(), "GB".to_string()]);
        let r = choose_region(None, &c, Some("FR"));
        assert_eq!(r.basis, RegionBasis::Directory);
        assert_eq!(r.region.as_deref(), Some("FR"));
    }

    #[test]
    fn regions_sharing_a_calling_code_count_together() {
        // One US and one Canadian number: one numbering plan, read as the code's main region.
        let c = conversation(&[
            ("a", Some("+1 571 370 4480")),
            ("b", Some("+1 416 555 0123")),
            ("c", Some("+49 151 23456789")),
        ]);
        let r = choose_region(None, &c, None);
        assert_eq!(r.region.as_deref(), Some("US"));
        assert_eq!((r.votes, r.numbers), (2, 3));
    }

    #[test]
    fn company_ranges_tally() {
        let t = RegionTally::from_prefixes(["+44207946", "+4420", "+4930"]);
        assert_eq!(t.winner(), Some(("GB", 2)));
        assert_eq!(
            RegionTally::from_prefixes(Vec::<String>::new()).winner(),
            None
        );
    }
}
