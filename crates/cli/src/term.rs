//! Showing hostile text on a terminal: message text may carry escape sequences
//! (to rewrite the screen) or bidi overrides (to make text read backwards).
//! Everything printed for a person goes through `safe`.

use std::borrow::Cow;

/// Replaces control characters (other than newline and tab) and bidi controls with
/// visible `<U+XXXX>` markers so the terminal shows exactly what was sent.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like `safe`, for one-line fields (names, titles): newlines are escaped too.
pub fn safe_line(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c == '\n' || c == '\r' || needs_escape(c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c == '\n' || c == '\r' || needs_escape(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` cut and padded to exactly `width` terminal columns: wide characters (CJK,
/// most emoji) take two columns, so padding by `char` count would skew a table. A cut
/// ends with `…`.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let mut out = String::with_capacity(text.len() + width);
    let mut used = 0usize;
    if text.width() <= width {
        out.push_str(text);
        used = text.width();
    } else {
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w + 1 > width {
                break;
            }
            out.push(c);
            used += w;
        }
        if width > 0 {
            out.push('…');
            used += 1;
        }
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Whether standard error is a terminal a person is watching (progress bars go there).
pub fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_terminal_columns() {
        assert_eq!(fit("abc", 5), "abc  ");
        // Two columns per CJK character: 李伟 fills four of six.
        assert_eq!(fit("李伟", 6), "李伟  ");
        assert_eq!(fit("abcdefgh", 5), "abcd…");
        // A wide character that would straddle the cut is left out, and the rest padded.
        assert_eq!(fit("李伟张三", 6), "李伟… ");
        assert_eq!(fit("", 3), "   ");
    }

    #[test]
    fn escape_sequences_and_bidi_overrides_are_shown_not_obeyed() {
        assert_eq!(safe("a\u{1b}[2Jb"), "a<U+001B>[2Jb");
        assert_eq!(safe("invoice\u{202E}fdp.exe"), "invoice<U+202E>fdp.exe");
        assert_eq!(safe("two\nlines\tok"), "two\nlines\tok");
        assert_eq!(safe_line("two\nlines"), "two<U+000A>lines");
    }
}
