//! The shape of a pattern detector: a regex that finds candidates and a
//! validator that accepts, scores and trims them.

use std::borrow::Cow;

/// What a validator may look at besides the candidate.
pub(crate) struct ValidateCtx<'a> {
    /// Default region for phone numbers (ISO 3166 alpha-2), when known.
    pub region: Option<&'a str>,
    /// The whole message, for validators that look at the characters around.
    pub text: &'a str,
    /// Byte offset of the candidate in `text`.
    pub start: usize,
}

/// A validator's answer for an accepted candidate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Verdict {
    /// Score before context.
    pub score: f32,
    /// Bytes to drop at the start and end of the candidate (trailing punctuation,
    /// a greedy match that ran past the value).
    pub trim_start: usize,
    pub trim_end: usize,
}

impl Verdict {
    pub(crate) fn score(score: f32) -> Option<Verdict> {
        Some(Verdict {
            score,
            trim_start: 0,
            trim_end: 0,
        })
    }
    pub(crate) fn trimmed(score: f32, trim_start: usize, trim_end: usize) -> Option<Verdict> {
        Some(Verdict {
            score,
            trim_start,
            trim_end,
        })
    }
}

pub(crate) type Validator = fn(&str, &ValidateCtx<'_>) -> Option<Verdict>;

/// Accepts every candidate at the pattern's base score.
pub(crate) fn accept(_: &str, _: &ValidateCtx<'_>) -> Option<Verdict> {
    Verdict::score(1.0)
}

/// One pattern detector.
pub(crate) struct PatternDef {
    pub entity: Cow<'static, str>,
    pub detector: Cow<'static, str>,
    /// Regex source; `\b` is rewritten to the ASCII word boundary.
    pub regex: Cow<'static, str>,
    pub validate: Validator,
    /// Score when valid and no context is seen; multiplied by the validator's score.
    pub base: f32,
    /// Dropped unless a context word for the entity is near.
    pub needs_context: bool,
    /// Capture group holding the value (0 = the whole match).
    pub group: usize,
    /// Minimum Shannon entropy (bits per char) of the value, when set.
    pub min_entropy: Option<f32>,
}

impl PatternDef {
    pub(crate) fn new(
        entity: &'static str,
        detector: &'static str,
        regex: &'static str,
        validate: Validator,
        base: f32,
    ) -> PatternDef {
        PatternDef {
            entity: Cow::Borrowed(entity),
            detector: Cow::Borrowed(detector),
            regex: Cow::Borrowed(regex),
            validate,
            base,
            needs_context: false,
            group: 0,
            min_entropy: None,
        }
    }

    pub(crate) fn with_context(mut self) -> PatternDef {
        self.needs_context = true;
        self
    }

    pub(crate) fn group(mut self, group: usize) -> PatternDef {
        self.group = group;
        self
    }
}

/// Rewrites `\b` to `(?-u:\b)` (ASCII word boundary: much faster, and a
/// boundary between CJK text and a digit, which is what chat text needs).
pub(crate) fn ascii_boundaries(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + 16);
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b') => out.push_str("(?-u:\\b)"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Counts trailing bytes of `s` that are sentence punctuation (not part of a value).
pub(crate) fn trailing_punct(s: &str) -> usize {
    s.len()
        - s.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '>'])
            .len()
}

/// True when a numeric candidate `[start, start+len)` is a window of a longer
/// digit sequence: a digit touches it, or a separator (space, dash, dot) then
/// a digit does ("9400 3140 5730 0443 1471 25" holds many 12-digit windows;
/// none of them is a value of its own).
pub(crate) fn inside_digit_run(ctx: &ValidateCtx<'_>, len: usize) -> bool {
    digit_run_before(ctx) || digit_run_after(ctx, len)
}

fn is_digit(o: Option<u8>) -> bool {
    o.is_some_and(|c| c.is_ascii_digit())
}

fn is_sep(o: Option<u8>) -> bool {
    matches!(o, Some(b' ' | b'-' | b'.'))
}

/// A digit, or a separator after a digit, right before the candidate.
pub(crate) fn digit_run_before(ctx: &ValidateCtx<'_>) -> bool {
    let b = ctx.text.as_bytes();
    let before1 = ctx.start.checked_sub(1).and_then(|i| b.get(i).copied());
    let before2 = ctx.start.checked_sub(2).and_then(|i| b.get(i).copied());
    is_digit(before1) || (is_sep(before1) && is_digit(before2))
}

/// A digit, or a separator then a digit, right after the candidate.
fn digit_run_after(ctx: &ValidateCtx<'_>, len: usize) -> bool {
    let b = ctx.text.as_bytes();
    let end = ctx.start + len;
    let after1 = b.get(end).copied();
    let after2 = b.get(end + 1).copied();
    is_digit(after1) || (is_sep(after1) && is_digit(after2))
}
