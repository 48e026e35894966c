//! Teams message HTML to plain text for inspection (the HTML itself is not
//! kept by the model; see docs/formats/teams.md).
//!
//! Tags Teams writes (Microsoft Graph "chatMessage" and "Send chatMessage"
//! docs; formats.md §7 trap 2): `<at id="0">Name</at>` mentions,
//! `<attachment id="…"></attachment>` placeholders, `<emoji alt="👍" …>`,
//! `<img src="…/hostedContents/…/$value">` inline images, `<p>`, `<div>`,
//! `<br>`, lists, `<systemEventMessage/>`. Entities are decoded with the
//! `html-escape` crate.

/// The text of an HTML body, and how many inline images (`<img>`) it holds.
pub fn to_text(html: &str) -> (String, usize) {
    let mut out = String::with_capacity(html.len());
    let mut images = 0;
    let mut rest = html;
    let mut skip_depth = 0usize;
    while let Some(open) = rest.find('<') {
        let (plain, tail) = rest.split_at(open);
        if skip_depth == 0 {
            out.push_str(&html_escape::decode_html_entities(plain));
        }
        let Some(close) = tail.find('>') else {
            // A `<` that opens no tag: text.
            if skip_depth == 0 {
                out.push_str(&html_escape::decode_html_entities(tail));
            }
            rest = "";
            break;
        };
        let tag = tail.get(1..close).unwrap_or_default();
        rest = tail.get(close + 1..).unwrap_or_default();
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("at", false) => out.push('@'),
            ("style" | "script", false) => skip_depth += 1,
            ("style" | "script", true) => skip_depth = skip_depth.saturating_sub(1),
            ("br", _) => out.push('\n'),
            ("p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "blockquote", true)
                if !out.is_empty() && !out.ends_with('\n') =>
            {
                out.push('\n');
            }
            ("li", false) => out.push_str("- "),
            ("emoji", false) => {
                if let Some(alt) = attr(tag, "alt") {
                    out.push_str(&html_escape::decode_html_entities(alt));
                }
            }
            ("img", false) => {
                images += 1;
                if let Some(alt) = attr(tag, "alt").filter(|a| !a.is_empty()) {
                    out.push_str(&html_escape::decode_html_entities(alt));
                }
            }
            _ => {}
        }
    }
    if skip_depth == 0 {
        out.push_str(&html_escape::decode_html_entities(rest));
    }
    let trimmed = out.trim_end_matches(['\n', ' ']).len();
    out.truncate(trimmed);
    (out, images)
}

/// The value of `name="…"` (or `'…'`) inside a tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(pos) = tag.get(from..)?.find(name) {
        let start = from + pos;
        from = start + name.len();
        let before_ok = tag
            .get(..start)
            .and_then(|b| b.chars().last())
            .is_some_and(char::is_whitespace);
        let after = tag.get(from..)?.trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value = after.get(1..)?.trim_start();
        let quote = value.chars().next()?;
        if quote == '"' || quote == '\'' {
            let inner = value.get(1..)?;
            let end = inner.find(quote)?;
            return inner.get(..end);
        }
        let end = value
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(value.len());
        return value.get(..end);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_tags_become_text() {
        let (t, images) = to_text(
            "<div><div><at id=\"0\">Adele Vance</at>&nbsp;can you check the Q3 numbers? \
             <emoji id=\"like\" alt=\"👍\" title=\"Like\"></emoji></div>\
             <attachment id=\"7d5b\"></attachment>\
             <p>Tom &amp; Jerry&#39;s <b>deal</b></p><br>\
             <img src=\"https://graph.microsoft.com/v1.0/chats/x/messages/1/hostedContents/aWQ=/$value\" alt=\"image\"></div>",
        );
        assert_eq!(
            t,
            "@Adele Vance\u{a0}can you check the Q3 numbers? 👍\nTom & Jerry's deal\n\nimage"
        );
        assert_eq!(images, 1);
        assert_eq!(to_text("<systemEventMessage/>").0, "");
        assert_eq!(to_text("a < b").0, "a < b");
        assert_eq!(to_text("<style>p{}</style>x").0, "x");
    }

    #[test]
    fn attributes_are_read_with_either_quote() {
        assert_eq!(attr(r#"emoji id="x" alt='🙂'"#, "alt"), Some("🙂"));
        assert_eq!(attr(r#"img data-alt="no" alt=hi"#, "alt"), Some("hi"));
        assert_eq!(attr("img src=x", "alt"), None);
    }
}
