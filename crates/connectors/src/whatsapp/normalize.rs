//! Character clean-up before matching (formats.md §2.3): invisible bidi marks and
//! BOMs removed, odd spaces made plain, Arabic-Indic and Persian digits made ASCII.

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
    let cleaned: String = raw
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| if is_odd_space(c) { ' ' } else { c })
        .collect();
    cleaned.trim().to_owned()
}

/// Removes invisible marks only.
pub fn strip_invisible(raw: &str) -> String {
    raw.chars().filter(|c| !is_invisible(*c)).collect()
}

/// Drops invisible marks at the start of a string.
pub fn trim_start_invisible(raw: &str) -> &str {
    raw.trim_start_matches(is_invisible)
}

/// The first `max` visible characters of a line, normalized for header matching,
/// each with the byte offset in the raw line where it starts.
pub struct Normalized {
    pub chars: Vec<char>,
    pub offsets: Vec<usize>,
    /// Raw byte offset just past the last character taken.
    pub end: usize,
}

impl Normalized {
    pub fn new(line: &str, max: usize) -> Normalized {
        let mut chars = Vec::with_capacity(max.min(64));
        let mut offsets = Vec::with_capacity(max.min(64));
        let mut end = 0;
        for (i, c) in line.char_indices() {
            if chars.len() >= max {
                break;
            }
            end = i + c.len_utf8();
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
            chars.push(c);
            offsets.push(i);
        }
        Normalized {
            chars,
            offsets,
            end,
        }
    }

    /// Raw byte offset of normalized position `pos` (the end when past the last char).
    pub fn raw_offset(&self, pos: usize) -> usize {
        self.offsets.get(pos).copied().unwrap_or(self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_arabic_header() {
        let line = "\u{200F}[٢٧\u{200F}/٣\u{200F}/٢٠٢٢، ٩:٥٤:٥٥\u{00A0}م] x";
        let n = Normalized::new(line, 64);
        let s: String = n.chars.iter().collect();
        assert_eq!(s, "[27/3/2022, 9:54:55 م] x");
        assert_eq!(&line[n.raw_offset(s.chars().count() - 1)..], "x");
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
