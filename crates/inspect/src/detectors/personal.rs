//! Personal data written as text: dates of birth.
//!
//! A date in a chat is a date of birth only when a context word says so ("born",
//! "DOB", "date of birth", "Geburtsdatum", "né le", "出生日期", …, near it in the
//! message or in one of the last few messages: "what's your date of birth?" …
//! "14/05/1979"), so the pattern needs context. Birth dates are one of the HIPAA Safe
//! Harbor identifiers (45 CFR 164.514(b)(2)(i)(C)) and a KYC field banks collect;
//! Presidio reports dates only as the generic DATE_TIME.
//!
//! Forms: numeric day/month/year or month/day/year with `/`, `.` or `-` and a 2- or
//! 4-digit year; ISO year-month-day; a day and a month name in English, German,
//! French, Spanish, Portuguese, Italian, Dutch or Russian (`14 May 1979`, `14th of May,
//! 1979`, `14. Mai 1979`, `14 de mayo de 1979`, `1er mai 1979`, `14 мая 1979`); an
//! English month name first (`May 14, 1979`); and Chinese/Japanese `1979年5月14日`. The
//! validator accepts only a real calendar date from 1900 up to today.

use crate::pattern::{PatternDef, ValidateCtx, Verdict};
use std::borrow::Cow;

/// Month names (lower case) and their numbers. Russian names are the genitive forms
/// dates use. Abbreviations: English, German and French ones.
const MONTHS: &[(&str, u8)] = &[
    // English
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // German
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("mär", 3),
    ("okt", 10),
    ("dez", 12),
    // French
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("janv", 1),
    ("févr", 2),
    ("avr", 4),
    ("juil", 7),
    ("déc", 12),
    // Spanish
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    // Portuguese
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("dezembro", 12),
    // Italian
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    // Dutch
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    // Russian (genitive)
    ("января", 1),
    ("февраля", 2),
    ("марта", 3),
    ("апреля", 4),
    ("мая", 5),
    ("июня", 6),
    ("июля", 7),
    ("августа", 8),
    ("сентября", 9),
    ("октября", 10),
    ("ноября", 11),
    ("декабря", 12),
];

/// English month names and abbreviations (the only ones written before the day).
const ENGLISH_MONTHS: usize = 24;

/// The names as a regex alternation, longest first (so `mars` is tried before `mar`).
fn alternation(names: &[(&str, u8)]) -> String {
    let mut v: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
    v.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    v.dedup();
    v.join("|")
}

pub(crate) fn patterns() -> Vec<PatternDef> {
    let all = alternation(MONTHS);
    let english = alternation(MONTHS.get(..ENGLISH_MONTHS).unwrap_or_default());
    let regex = [
        // 14/05/1979, 5.14.79, 14-05-1979
        r"\b[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{4}|[0-9]{2})\b".to_string(),
        // 1979-05-14, 1979/5/14
        r"\b(?:19|20)[0-9]{2}[./-][0-9]{1,2}[./-][0-9]{1,2}\b".to_string(),
        // 14 May 1979, 14th of May, 1979, 14. Mai 1979, 14 de mayo de 1979, 14 мая 1979
        format!(
            r"\b[0-9]{{1,2}}(?:st|nd|rd|th|er|\.)?(?:\s+(?:of|de))?\s+(?i:{all})\.?,?(?:\s+(?:de|del))?\s+(?:19|20)[0-9]{{2}}\b"
        ),
        // May 14, 1979, Sept. 3rd 1985
        format!(r"\b(?i:{english})\.?\s+[0-9]{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)[0-9]{{2}}\b"),
        // 1979年5月14日
        r"\b(?:19|20)[0-9]{2}\s?年\s?[0-9]{1,2}\s?月\s?[0-9]{1,2}\s?日".to_string(),
    ]
    .join("|");
    let mut def =
        PatternDef::new("DATE_OF_BIRTH", "date_of_birth", "", date_of_birth, 0.6).with_context();
    def.regex = Cow::Owned(regex);
    vec![def]
}

/// Today's date (UTC) from the system clock, as (year, month, day); far in the
/// future when the clock is unusable, so that no date is rejected for it.
fn today() -> (i32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    if days == 0 {
        return (2100, 12, 31);
    }
    civil_from_days(days)
}

/// The Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil-from-days).
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        i32::try_from(year).unwrap_or(2100),
        u32::try_from(month).unwrap_or(12),
        u32::try_from(day).unwrap_or(31),
    )
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A real date, from 1900 on and not after today (a birthday party next week is not
/// anyone's date of birth).
fn plausible(year: i32, month: u32, day: u32, today: (i32, u32, u32)) -> bool {
    year >= 1900 && day >= 1 && day <= days_in_month(year, month) && (year, month, day) <= today
}

fn month_number(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    MONTHS
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|&(_, m)| u32::from(m))
}

/// The runs of ASCII digits in `s`, with their lengths.
fn numbers(s: &str) -> Vec<(u32, usize)> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .filter_map(|t| t.parse().ok().map(|n| (n, t.len())))
        .collect()
}

/// A 2-digit year read as the most recent year ending so that is not in the future.
fn full_year(yy: u32, now: i32) -> i32 {
    let yy = i32::try_from(yy).unwrap_or(0);
    let century = now - now.rem_euclid(100);
    if century + yy <= now {
        century + yy
    } else {
        century - 100 + yy
    }
}

fn date_of_birth(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let today = today();
    let now = today.0;
    let nums = numbers(c);
    if c.contains('年') {
        let [(y, 4), (m, _), (d, _)] = nums.as_slice() else {
            return None;
        };
        let y = i32::try_from(*y).ok()?;
        return verdict_if(plausible(y, *m, *d, today), 1.0);
    }
    let word = c
        .split(|ch: char| !ch.is_alphabetic())
        .find_map(month_number);
    if let Some(month) = word {
        // A month name: the 4-digit number is the year, the other one the day.
        let year = nums.iter().find(|&&(_, len)| len == 4)?.0;
        let day = nums.iter().find(|&&(_, len)| len <= 2)?.0;
        let year = i32::try_from(year).ok()?;
        return verdict_if(plausible(year, month, day, today), 1.0);
    }
    // Numeric: the two separators must be the same character.
    let seps: Vec<char> = c
        .chars()
        .filter(|ch| matches!(ch, '/' | '.' | '-'))
        .collect();
    if seps.len() != 2 || seps.first() != seps.get(1) {
        return None;
    }
    let [(a, alen), (b, _), (x, xlen)] = nums.as_slice() else {
        return None;
    };
    if *alen == 4 {
        let y = i32::try_from(*a).ok()?;
        return verdict_if(plausible(y, *b, *x, today), 1.0);
    }
    let (year, score) = match xlen {
        4 => (i32::try_from(*x).ok()?, 1.0),
        // 14/05/79 is also a price range or a fraction more often than 14/05/1979.
        _ => (full_year(*x, now), 0.85),
    };
    // Day first (most of the world) or month first (US): either reading will do.
    verdict_if(
        plausible(year, *b, *a, today) || plausible(year, *a, *b, today),
        score,
    )
}

fn verdict_if(ok: bool, score: f32) -> Option<Verdict> {
    if ok { Verdict::score(score) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(364), (1970, 12, 31));
        assert_eq!(civil_from_days(365), (1971, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_088), (2024, 12, 31));
        assert_eq!(civil_from_days(20_089), (2025, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn dates_after_today_are_not_dates_of_birth() {
        let today = (2026, 12, 4);
        assert!(plausible(2026, 12, 4, today));
        assert!(plausible(1979, 5, 14, today));
        assert!(!plausible(2026, 12, 5, today));
        assert!(!plausible(2027, 1, 1, today));
        assert!(!plausible(1899, 12, 31, today));
        assert!(!plausible(1980, 2, 30, today));
        assert!(plausible(1980, 2, 29, today));
        assert!(!plausible(1900, 2, 29, today));
    }

    #[test]
    fn month_names_have_no_regex_syntax() {
        for (name, m) in MONTHS {
            assert!(name.chars().all(char::is_alphabetic), "{name}");
            assert!((1..=12).contains(m));
            assert_eq!(*name, name.to_lowercase());
        }
        assert_eq!(MONTHS.get(ENGLISH_MONTHS - 1), Some(&("dec", 12)));
    }

    #[test]
    fn two_digit_years_are_never_in_the_future() {
        assert_eq!(full_year(79, 2026), 1979);
        assert_eq!(full_year(26, 2026), 2026);
        assert_eq!(full_year(27, 2026), 1927);
        assert_eq!(full_year(5, 2026), 2005);
    }
}
