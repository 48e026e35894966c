//! Contact data: e-mail addresses, phone numbers, URLs, IP addresses.

use crate::checksum::digits;
use crate::pattern::{PatternDef, ValidateCtx, Verdict, accept, digit_run_before, trailing_punct};
use crate::region::NO_REGION;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// Top-level domains accepted for URLs written without a scheme (`example.com/x`).
/// A compact list of the common generic and country TLDs; schemeful URLs accept any.
const BARE_TLDS: &str = "com|org|net|edu|gov|io|co|ai|app|dev|info|biz|me|tv|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|cn|jp|kr|in|sg|hk|tw|au|nz|ca|us|br|mx|ar|ru|za|ae|sa|il|tr|gr|cz|hu|ro";

pub(crate) fn patterns() -> Vec<PatternDef> {
    vec![
        PatternDef::new(
            "EMAIL_ADDRESS",
            "email",
            r"\b[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b",
            email,
            0.95,
        ),
        PatternDef::new(
            "PHONE_NUMBER",
            "phone",
            r"(?:\+[0-9]|\([0-9]|\b[0-9])[0-9 ()./\-]{5,22}[0-9](?:(?-u:\s)?(?:x|ext\.?|extension)(?-u:\s)?[0-9]{1,6})?\b",
            phone,
            1.0,
        ),
        PatternDef::new("URL", "url", r"(?i:\bhttps?://|\bwww\.)[^\s<>]+", url, 0.6),
        PatternDef {
            regex: std::borrow::Cow::Owned(format!(
                r"\b[A-Za-z0-9](?:[A-Za-z0-9\-]{{0,62}}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{{0,62}}[A-Za-z0-9])?)*\.(?:{BARE_TLDS})(?:/[^\s<>]*)?\b"
            )),
            ..PatternDef::new("URL", "url_bare", "", url, 0.55)
        },
        PatternDef::new(
            "LOCATION",
            "street_address",
            r"\b[0-9]{1,5}[A-Za-z]? (?:[A-Z][a-z]+ ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Square|Sq|Parkway|Pkwy|Highway|Hwy|Close|Crescent)\b\.?",
            street,
            0.8,
        ),
        PatternDef::new(
            "LOCATION",
            "street_address_de",
            r"\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|weg|platz|allee|gasse|ring|damm|ufer)(?-u: )[0-9]{1,4}[a-z]?\b",
            accept,
            0.8,
        ),
        PatternDef::new(
            "IP_ADDRESS",
            "ipv4",
            r"\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b",
            ipv4,
            0.6,
        ),
        PatternDef::new(
            "IP_ADDRESS",
            "ipv6",
            r"(?:\b[0-9A-Fa-f]{1,4}|:):[0-9A-Fa-f:]{1,38}[0-9A-Fa-f]\b",
            ipv6,
            0.6,
        ),
    ]
}

/// Regexes the phone-number metadata may hold compiled at once.
///
/// The `phonenumber` crate compiles its metadata regexes lazily into one
/// process-wide LRU cache of 100 entries (`regex_cache::RegexCache::new(100)` in
/// `phonenumber::metadata::Database::from`, version 0.3.10). Validating one
/// number asks up to a dozen per-type patterns of its region, so a stream of
/// numbers from a few regions evicts and recompiles regexes on nearly every
/// call (measured: a third of `chatwarden scan` time went into regex
/// compilation). The whole metadata set is a few thousand patterns; this keeps
/// every one compiled once used.
const PHONE_REGEX_CACHE: usize = 16_384;

/// Raises the capacity of the `phonenumber` crate's shared regex cache (see
/// [`PHONE_REGEX_CACHE`]). Idempotent; called when an engine is built.
pub(crate) fn widen_phone_regex_cache() {
    let cache = phonenumber::metadata::DATABASE.cache();
    let mut guard = match cache.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    if guard.capacity() < PHONE_REGEX_CACHE {
        guard.set_capacity(PHONE_REGEX_CACHE);
    }
}

fn email(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let (local, domain) = c.split_once('@')?;
    if local.ends_with('.') || local.contains("..") || domain.contains("..") {
        return None;
    }
    Verdict::score(1.0)
}

fn phone(c: &str, ctx: &ValidateCtx<'_>) -> Option<Verdict> {
    if let Some(v) = phone_exact(c, ctx) {
        return Some(v);
    }
    // A greedy candidate may have run into a following number ("… 2671 415 …"):
    // try the prefixes that end before a space, longest first.
    let mut cut = c.len();
    let mut tries = 0;
    while let Some(i) = c.get(..cut).and_then(|s| s.rfind(' ')) {
        tries += 1;
        if tries > 4 {
            break;
        }
        let head = c.get(..i)?.trim_end();
        let n = head.bytes().filter(u8::is_ascii_digit).count();
        if !(7..=15).contains(&n) {
            cut = i;
            continue;
        }
        if let Some(v) = phone_exact(head, ctx) {
            return Verdict::trimmed(v.score, 0, c.len() - head.len());
        }
        cut = i;
    }
    None
}

/// Regions tried, in order, for a number written without a country code that
/// the default region rejects, when a phone word is near ("call", "Mobile:",
/// "fax" …): business chats carry colleagues' and customers' numbers from many
/// countries. Presidio's phone recognizer does the same with its own list
/// (`PhoneRecognizer.DEFAULT_SUPPORTED_REGIONS`).
const FALLBACK_REGIONS: &[phonenumber::country::Id] = {
    use phonenumber::country::Id::*;
    &[
        GB, DE, FR, NL, BE, CH, AT, IT, ES, IE, DK, SE, NO, FI, PL, CZ, PT, AU, IN, BR, IL,
    ]
};

/// Words that, within a few words before (or just after) a number, say it is a
/// phone number. Lowercase ASCII and a few CJK ones.
const PHONE_WORDS: &[&str] = &[
    "phone",
    "call",
    "tel",
    "mobile",
    "cell",
    "fax",
    "desk",
    "reach",
    "whatsapp",
    "sms",
    "text me",
    "messages to",
    "contact",
    "handy",
    "ruf",
    "telefon",
    "teléfono",
    "móvil",
    "llama",
    "appel",
    "portable",
    "电话",
    "手机",
];

/// True when a phone word is in the 48 bytes before the candidate or the 12
/// bytes after it (as in "0494 41 18 24-Office").
fn phone_word_near(ctx: &ValidateCtx<'_>, len: usize) -> bool {
    let before = window(ctx.text, ctx.start.saturating_sub(48), ctx.start);
    let end = ctx.start + len;
    let after = window(ctx.text, end, end + 12);
    let near = |w: &str| {
        let w = w.to_lowercase();
        PHONE_WORDS.iter().any(|k| w.contains(k))
    };
    near(before) || near(after) || after.to_lowercase().contains("office")
}

/// `text[lo..hi]`, both ends moved inward to character boundaries.
fn window(text: &str, lo: usize, hi: usize) -> &str {
    let mut lo = lo.min(text.len());
    let mut hi = hi.min(text.len());
    while lo < hi && !text.is_char_boundary(lo) {
        lo += 1;
    }
    while hi > lo && !text.is_char_boundary(hi) {
        hi -= 1;
    }
    text.get(lo..hi).unwrap_or("")
}

/// Regions of the North American Numbering Plan (country code 1).
const NANP: &[phonenumber::country::Id] = {
    use phonenumber::country::Id::*;
    &[
        US, CA, AG, AI, AS, BB, BM, BS, DM, DO, GD, GU, JM, KN, KY, LC, MP, MS, PR, SX, TC, TT, VC,
        VG, VI,
    ]
};

/// A cheap necessary condition checked before asking `phonenumber` (whose
/// validation runs a dozen metadata regexes): in a NANP region a national
/// number is NXX-NXX-XXXX, ten digits (eleven with the leading 1), area code
/// and exchange starting with 2–9 (ATIS-0300051, NANP numbering plan). Other
/// regions always pass.
fn nanp_shape(region: phonenumber::country::Id, ds: &[u8]) -> bool {
    if !NANP.contains(&region) {
        return true;
    }
    let national = match ds {
        [1, rest @ ..] if rest.len() == 10 => rest,
        _ if ds.len() == 10 => ds,
        _ => return false,
    };
    matches!(national.first(), Some(2..=9)) && matches!(national.get(3), Some(2..=9))
}

/// Whether `ds` (a national number, maybe with its trunk prefix) has a length
/// the region's numbering plan allows: a lookup in the metadata, no regex, so
/// most wrong regions are ruled out before the (slow) full validation.
fn length_possible(region: phonenumber::country::Id, ds: &[u8]) -> bool {
    let Some(meta) = phonenumber::metadata::DATABASE.by_id(region.as_ref()) else {
        return true;
    };
    let lens = meta.descriptors().general().possible_length();
    if lens.is_empty() {
        return true;
    }
    let fits = |n: usize| u16::try_from(n).is_ok_and(|n| lens.contains(&n));
    let trunk = meta.national_prefix().map_or(0, |p| {
        let starts = p
            .bytes()
            .zip(ds.iter())
            .all(|(a, &d)| a.checked_sub(b'0') == Some(d));
        if starts && p.len() < ds.len() {
            p.len()
        } else {
            0
        }
    });
    fits(ds.len()) || (trunk > 0 && fits(ds.len() - trunk))
}

/// Splits an extension ("x549", " ext. 12") off a candidate.
fn split_extension(c: &str) -> (&str, &str) {
    match c.find(['x', 'X', 'e', 'E']) {
        Some(i) => (c.get(..i).unwrap_or(c).trim_end(), c.get(i..).unwrap_or("")),
        None => (c, ""),
    }
}

/// Four dot-separated groups of 1–3 digits: an IPv4 address, not a phone.
fn looks_like_ipv4(c: &str) -> bool {
    let parts: Vec<&str> = c.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Starts with an ISO date (`2016-12-30 14…`): a timestamp, not a phone.
fn starts_with_iso_date(c: &str) -> bool {
    let b = c.as_bytes();
    b.len() >= 10
        && b.iter().take(4).all(u8::is_ascii_digit)
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(5..7)
            .is_some_and(|m| m.iter().all(u8::is_ascii_digit))
        && b.get(8..10)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

fn phone_exact(full: &str, ctx: &ValidateCtx<'_>) -> Option<Verdict> {
    let (c, ext) = split_extension(full);
    if !ext.is_empty() && !ext.bytes().last().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    if !c.ends_with(|ch: char| ch.is_ascii_digit()) {
        return None;
    }
    // The "+" was part of the number and the international reading failed.
    let before = ctx.text.get(..ctx.start).unwrap_or("");
    // … nor does a window that starts inside a longer number ("+41 53 147 37 99"
    // read from "53", a tracking number's tail).
    if before.ends_with('+')
        || digit_run_before(ctx)
        || looks_like_ipv4(c)
        || starts_with_iso_date(c)
    {
        return None;
    }
    let ds = digits(c);
    if !(7..=15).contains(&ds.len()) {
        return None;
    }
    // Parentheses must balance: "(415) 555-2671" yes, "2671)" no.
    let opens = c.bytes().filter(|&b| b == b'(').count();
    let closes = c.bytes().filter(|&b| b == b')').count();
    if opens != closes || opens > 1 {
        return None;
    }
    if before.ends_with(['$', '€', '£', '¥', '#']) || before.ends_with("No.") {
        return None;
    }
    if looks_like_date_or_decimal(c) || ds.iter().all(|&d| Some(&d) == ds.first()) {
        return None;
    }
    let international = c.starts_with('+') || c.starts_with("00");
    let mut normalized: String = if let Some(rest) = c.strip_prefix("00") {
        format!("+{rest}")
    } else {
        c.to_string()
    };
    if international {
        // "+41 (0)27 240 04 99": the bracketed trunk prefix is not dialled
        // from abroad.
        normalized = normalized.replacen("(0)", "", 1);
    }
    let valid_in = |region: Option<phonenumber::country::Id>| {
        phonenumber::parse(region, &normalized)
            .ok()
            .is_some_and(|p| phonenumber::is_valid(&p))
    };
    let separated = c
        .bytes()
        .any(|b| matches!(b, b' ' | b'-' | b'.' | b'(' | b'/'));
    if international {
        return if valid_in(None) {
            Verdict::score(0.8)
        } else {
            None
        };
    }
    let region = ctx.region.unwrap_or("US").to_ascii_uppercase();
    // No default region (`NO_REGION`): a national number needs a phone word, and
    // the US joins the regions tried.
    let region = if region == NO_REGION {
        None
    } else {
        Some(phonenumber::country::Id::from_str(&region).ok()?)
    };
    if let Some(region) = region
        && nanp_shape(region, &ds)
        && valid_in(Some(region))
    {
        return Verdict::score(if separated { 0.65 } else { 0.5 });
    }
    // Another country's national format, only next to a phone word.
    let without_region: &[phonenumber::country::Id] = if region.is_none() {
        &[phonenumber::country::Id::US]
    } else {
        &[]
    };
    if phone_word_near(ctx, full.len())
        && without_region.iter().chain(FALLBACK_REGIONS).any(|&r| {
            Some(r) != region && nanp_shape(r, &ds) && length_possible(r, &ds) && valid_in(Some(r))
        })
    {
        return Verdict::score(0.6);
    }
    None
}

/// Dates (2024-03-15, 15.03.2024, 03/15/24) and plain decimals (3.14159265)
/// are not phone numbers.
fn looks_like_date_or_decimal(c: &str) -> bool {
    let parts: Vec<&str> = c.split(['.', '/', '-']).collect();
    let only_digit_parts = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if only_digit_parts && parts.len() == 3 {
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        let date_shape = matches!(
            lens.as_slice(),
            [4, 1 | 2, 1 | 2] | [1 | 2, 1 | 2, 4] | [1 | 2, 1 | 2, 2]
        );
        if date_shape {
            return true;
        }
    }
    if only_digit_parts && parts.len() == 2 && c.contains('.') {
        return true;
    }
    false
}

fn url(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let mut end = c.len() - trailing_punct(c);
    let body = c.get(..end)?;
    // Keep a closing parenthesis only when the URL opened one (Wikipedia style).
    if body.ends_with(')') && !body.contains('(') {
        end -= 1;
    }
    let body = c.get(..end)?;
    let lower = body.to_ascii_lowercase();
    let host_start = lower.find("://").map_or(0, |i| i + 3);
    let host = lower.get(host_start..)?.split(['/', '?', '#']).next()?;
    if !host.contains('.') || host.ends_with('.') || host.len() < 4 {
        return None;
    }
    let score = if host_start > 0 || lower.starts_with("www.") {
        1.0
    } else {
        0.95
    };
    Verdict::trimmed(score, 0, c.len() - end)
}

fn ipv4(c: &str, ctx: &ValidateCtx<'_>) -> Option<Verdict> {
    let ip = Ipv4Addr::from_str(c).ok()?;
    if ip.octets().first() == Some(&0) {
        return None;
    }
    // "v1.2.3.4" and "1.2.3.4.5" are versions, not addresses.
    let before = ctx.text.get(..ctx.start).unwrap_or("");
    let after = ctx.text.get(ctx.start + c.len()..).unwrap_or("");
    let sentence_end = after.starts_with(". ") || after == ".";
    if before.ends_with(['v', 'V', '.']) || (after.starts_with(['.', '-']) && !sentence_end) {
        return None;
    }
    Verdict::score(1.0)
}

fn ipv6(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let ip = Ipv6Addr::from_str(c).ok()?;
    if ip.is_unspecified() {
        return None;
    }
    let colons = c.bytes().filter(|&b| b == b':').count();
    if colons < 2 {
        return None;
    }
    Verdict::score(1.0)
}

fn street(c: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    let trim = usize::from(c.ends_with('.'));
    Verdict::trimmed(1.0, 0, trim)
}
