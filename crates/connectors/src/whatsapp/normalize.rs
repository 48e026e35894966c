//! Character clean-up before matching (formats.md §2.3): invisible bidi marks and
//! BOMs removed, odd spaces made plain, Arabic-Indic and Persian digits made ASCII.

use std::borrow::Cow;

/// Marks WhatsApp scatters through exports: LRM, RLM, LRE…RLO, LRI…PDI, BOM.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Spaces that stand for a plain space: NBSP, NARROW NBSP, THIN SPACE.
pub fn is_odd_space(c: char) -> bool {
    matches!(c, '\u{00A0}' | '\u{202F}' | '\u{2009}')
}

/// Maps Arabic-Indic (U+0660…) and Extended Arabic-Indic (U+06F0…) digits to ASCII.
pub fn ascii_digit(c: char) -> char {
    match c {
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        _ => c,
    }
}

/// Removes invisible marks, turns odd spaces into plain ones, trims.
pub fn canonical_name(raw: &str) -> String {
    canonical_name_cow(raw).into_owned()
}

/// [`canonical_name`], borrowing when nothing but trimming is needed (always so
/// for ASCII names).
pub fn canonical_name_cow(raw: &str) -> Cow<'_, str> {
    if raw.is_ascii() || !raw.chars().any(|c| is_invisible(c) || is_odd_space(c)) {
        return Cow::Borrowed(raw.trim());
    }
    let cleaned: String = raw
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| if is_odd_space(c) { ' ' } else { c })
        .collect();
    Cow::Owned(cleaned.trim().to_owned())
}

/// Removes invisible marks only.
pub fn strip_invisible(raw: &str) -> String {
    strip_invisible_cow(raw).into_owned()
}

/// [`strip_invisible`], borrowing when there is nothing to remove (always so for
/// ASCII text).
pub fn strip_invisible_cow(raw: &str) -> Cow<'_, str> {
    if raw.is_ascii() || !raw.chars().any(is_invisible) {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.chars().filter(|c| !is_invisible(*c)).collect())
}

/// Drops invisible marks at the start of a string.
pub fn trim_start_invisible(raw: &str) -> &str {
    raw.trim_start_matches(is_invisible)
}

/// Capacity of [`Normalized`]: the most characters a header window may hold.
pub const NORMALIZED_CAP: usize = 72;

/// The first `max` visible characters of a line (at most [`NORMALIZED_CAP`]),
/// normalized for header matching, each with the byte offset in the raw line where
/// it starts. Held on the stack and filled lazily, as far as a reader looks:
/// building one allocates nothing, a line that is no header is rarely read past
/// its first few characters, and ASCII bytes (which need no normalization) are
/// taken without UTF-8 decoding.
pub struct Normalized<'a> {
    line: &'a str,
    max: usize,
    /// Raw byte offset of the next character to take.
    next: usize,
    chars: [char; NORMALIZED_CAP],
    offsets: [u32; NORMALIZED_CAP],
    len: usize,
    /// Raw byte offset just past the last character taken.
    end: usize,
}

impl<'a> Normalized<'a> {
    /// A window of up to `max` characters over `line`, filled on demand.
    pub fn lazy(line: &'a str, max: usize) -> Normalized<'a> {
        Normalized {
            // Offsets are kept as u32: a window never reaches past 4 GiB.
            line: line
                .get(..line.len().min(u32::MAX as usize))
                .unwrap_or(line),
            max: max.min(NORMALIZED_CAP),
            next: 0,
            chars: ['\0'; NORMALIZED_CAP],
            offsets: [0; NORMALIZED_CAP],
            len: 0,
            end: 0,
        }
    }

    /// A window of up to `max` characters over `line`, filled at once.
    pub fn new(line: &'a str, max: usize) -> Normalized<'a> {
        let mut n = Self::lazy(line, max);
        n.fill(usize::MAX);
        n
    }

    /// Takes characters until `want` are held, the window is full or the line ends.
    fn fill(&mut self, want: usize) {
        let want = want.min(self.max);
        let bytes = self.line.as_bytes();
        while self.len < want {
            let i = self.next;
            let Some(&b) = bytes.get(i) else {
                return;
            };
            if b < 0x80 {
                self.push(char::from(b), i);
                self.next = i + 1;
                self.end = self.next;
                continue;
            }
            let Some(c) = self.line.get(i..).and_then(|rest| rest.chars().next()) else {
                return;
            };
            self.next = i + c.len_utf8();
            self.end = self.next;
            if is_invisible(c) {
                continue;
            }
            let c = if is_odd_space(c) {
                ' '
            } else if c == '\u{060C}' {
                ','
            } else {
                ascii_digit(c)
            };
            self.push(c, i);
        }
    }

    fn push(&mut self, c: char, at: usize) {
        if let (Some(slot), Some(off)) =
            (self.chars.get_mut(self.len), self.offsets.get_mut(self.len))
        {
            *slot = c;
            *off = at as u32;
            self.len += 1;
        }
    }

    /// The normalized character at `pos`.
    pub fn get(&mut self, pos: usize) -> Option<char> {
        if pos >= self.len {
            self.fill(pos.saturating_add(1));
        }
        self.chars.get(..self.len)?.get(pos).copied()
    }

    /// The normalized characters taken so far (all of them after [`Normalized::new`]).
    pub fn chars(&self) -> &[char] {
        self.chars.get(..self.len).unwrap_or_default()
    }

    /// Raw byte offset of normalized position `pos` (the end when past the last char).
    pub fn raw_offset(&mut self, pos: usize) -> usize {
        if pos >= self.len {
            self.fill(pos.saturating_add(1));
        }
        if pos < self.len {
            self.offsets.get(pos).map_or(self.end, |&o| o as usize)
        } else {
            self.end
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_arabic_header() {
        let line = "\u{200F}[٢٧\u{200F}/٣\u{200F}/٢٠٢٢، ٩:٥٤:٥٥\u{00A0}م] x";
        let mut n = Normalized::new(line, 64);
        let s: String = n.chars().iter().collect();
        assert_eq!(s, "[27/3/2022, 9:54:55 م] x");
        assert_eq!(&line[n.raw_offset(s.chars().count() - 1)..], "x");
    }

    #[test]
    fn lazy_window_matches_the_full_one() {
        let lines = [
            "\u{200F}[٢٧\u{200F}/٣\u{200F}/٢٠٢٢، ٩:٥٤:٥٥\u{00A0}م] x",
            "1/1/20, 9:00\u{202F}AM - Ann: hi",
            "\u{200E}\u{200E}",
            "",
            "abc\u{200E}",
        ];
        for line in lines {
            for max in [0, 1, 3, 8, 72] {
                let mut full = Normalized::new(line, max);
                let want: Vec<char> = full.chars().to_vec();
                let offsets: Vec<usize> = (0..want.len() + 2).map(|p| full.raw_offset(p)).collect();
                for step in 1..4 {
                    let mut lazy = Normalized::lazy(line, max);
                    let mut got = Vec::new();
                    let mut pos = 0;
                    while let Some(c) = lazy.get(pos) {
                        got.push(c);
                        pos += 1;
                    }
                    assert_eq!(got, want, "{line:?} {max}");
                    let mut lazy = Normalized::lazy(line, max);
                    for p in (0..want.len() + 2).rev().step_by(step) {
                        assert_eq!(lazy.raw_offset(p), offsets[p], "{line:?} {max} {p}");
                    }
                }
            }
        }
    }

    #[test]
    fn borrowed_forms_agree_with_owned_ones() {
        for raw in [
            "",
            " Ann ",
            "Ann\u{200E}",
            "\u{202F}Zoë ",
            "Zoë",
            "a\u{FEFF}b",
        ] {
            assert_eq!(canonical_name_cow(raw), canonical_name(raw));
            assert_eq!(
                strip_invisible_cow(raw),
                raw.chars()
                    .filter(|c| !is_invisible(*c))
                    .collect::<String>()
            );
        }
        assert!(matches!(canonical_name_cow(" Ann "), Cow::Borrowed("Ann")));
        assert!(matches!(strip_invisible_cow("Zoë"), Cow::Borrowed("Zoë")));
    }

    #[test]
    fn canonical_names_lose_marks_and_odd_spaces() {
        assert_eq!(canonical_name("\u{200E}Dmitry\u{00A0}S "), "Dmitry S");
        assert_eq!(
            canonical_name("\u{202A}+40 521 028 61 88\u{202C}"),
            "+40 521 028 61 88"
        );
    }
}
