//! Slack `mrkdwn` to plain text, and access tokens stripped from file URLs.
//!
//! Format facts from Slack's "Formatting text for app surfaces" reference
//! (<https://api.slack.com/reference/surfaces/formatting>): `&`, `<`, `>` are
//! escaped as `&amp;`, `&lt;`, `&gt;`; `<@U123>`/`<@U123|name>` are user
//! mentions, `<#C123|name>` channels, `<!here>`/`<!channel>`/`<!everyone>`
//! specials, `<!subteam^S123|@team>` user groups, `<!date^…|fallback>` dates,
//! `<url|label>` links. Old exports' file URLs carry `?t=xox…` tokens
//! (formats.md §6 trap 3).

use std::collections::HashMap;

/// What replaces a Slack access token found in a URL.
pub const TOKEN_REDACTED: &str = "[redacted-slack-token]";

/// Undoes Slack's three HTML escapes (`&amp;` last, so `&amp;lt;` stays `&lt;`).
pub fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Replaces the value of a `t=xox…` query parameter in a URL. Returns the URL
/// and whether a token was removed.
pub fn redact_url_token(url: &str) -> (String, bool) {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    let mut found = false;
    while let Some(pos) = rest.find("t=xox") {
        let before_ok = pos > 0 && matches!(rest.as_bytes().get(pos - 1), Some(b'?' | b'&' | b';'));
        let (head, tail) = rest.split_at(pos + 2);
        out.push_str(head);
        if !before_ok {
            rest = tail;
            continue;
        }
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(tail.len());
        out.push_str(TOKEN_REDACTED);
        found = true;
        rest = tail.get(end..).unwrap_or_default();
    }
    out.push_str(rest);
    (out, found)
}

/// Converts `mrkdwn` to the text a reader sees: mentions become `@name`
/// (names from `users`, else the label, else the id), links keep both label
/// and URL (so inspection sees the URL), escapes are undone. Returns the text
/// and how many URL tokens were stripped.
pub fn to_plain(raw: &str, users: &HashMap<String, String>) -> (String, usize) {
    let mut out = String::with_capacity(raw.len());
    let mut tokens = 0;
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        let (plain, tail) = rest.split_at(open);
        out.push_str(&unescape(plain));
        let tail = tail.get(1..).unwrap_or_default();
        let Some(close) = tail.find('>') else {
            // An unmatched `<` (not written by Slack): kept as it is.
            out.push('<');
            rest = tail;
            continue;
        };
        let inner = tail.get(..close).unwrap_or_default();
        rest = tail.get(close + 1..).unwrap_or_default();
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, Some(unescape(l))),
            None => (inner, None),
        };
        let label = label.filter(|l| !l.is_empty());
        if let Some(id) = target.strip_prefix('@') {
            out.push('@');
            match (users.get(id), label) {
                (Some(name), _) => out.push_str(name),
                (None, Some(l)) => out.push_str(l.trim_start_matches('@')),
                (None, None) => out.push_str(id),
            }
        } else if let Some(id) = target.strip_prefix('#') {
            out.push('#');
            out.push_str(label.as_deref().unwrap_or(id));
        } else if let Some(special) = target.strip_prefix('!') {
            match label {
                Some(l) => out.push_str(&l),
                None => {
                    let word = special.split('^').next().unwrap_or(special);
                    out.push('@');
                    out.push_str(word);
                }
            }
        } else {
            let (url, removed) = redact_url_token(&unescape(target));
            if removed {
                tokens += 1;
            }
            let bare = url.strip_prefix("mailto:").unwrap_or(&url);
            match label {
                Some(l) if l != url && l != bare => {
                    out.push_str(&l);
                    out.push_str(" (");
                    out.push_str(&url);
                    out.push(')');
                }
                Some(l) => out.push_str(&l),
                None => out.push_str(&url),
            }
        }
    }
    out.push_str(&unescape(rest));
    (out, tokens)
}

/// Text of `rich_text` blocks (for messages whose `text` is empty): text runs,
/// links, user and channel mentions, emoji, joined in order.
pub fn blocks_text(blocks: &[serde_json::Value], users: &HashMap<String, String>) -> String {
    let mut out = String::new();
    for b in blocks {
        walk_block(b, users, &mut out, 0);
    }
    out
}

fn walk_block(
    v: &serde_json::Value,
    users: &HashMap<String, String>,
    out: &mut String,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let get = |k: &str| v.get(k).and_then(|x| x.as_str());
    match get("type") {
        Some("text") => out.push_str(get("text").unwrap_or_default()),
        Some("link") => match (get("text"), get("url")) {
            (Some(t), Some(u)) if t != u => {
                out.push_str(t);
                out.push_str(" (");
                out.push_str(&redact_url_token(u).0);
                out.push(')');
            }
            (_, Some(u)) => out.push_str(&redact_url_token(u).0),
            (Some(t), None) => out.push_str(t),
            (None, None) => {}
        },
        Some("user") => {
            let id = get("user_id").unwrap_or_default();
            out.push('@');
            out.push_str(users.get(id).map(String::as_str).unwrap_or(id));
        }
        Some("channel") => {
            out.push('#');
            out.push_str(get("channel_id").unwrap_or_default());
        }
        Some("emoji") => {
            out.push(':');
            out.push_str(get("name").unwrap_or_default());
            out.push(':');
        }
        Some("section") | Some("header") | Some("context") => {
            if let Some(t) = v
                .get("text")
                .and_then(|t| t.get("text"))
                .and_then(|t| t.as_str())
            {
                out.push_str(t);
            }
        }
        _ => {}
    }
    if let Some(children) = v.get("elements").and_then(|e| e.as_array()) {
        for c in children {
            walk_block(c, users, out, depth + 1);
        }
        if matches!(
            get("type"),
            Some("rich_text_section" | "rich_text_preformatted" | "rich_text_quote")
        ) && !out.ends_with('\n')
        {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> HashMap<String, String> {
        HashMap::from([("U01".to_owned(), "Mei Chen".to_owned())])
    }

    #[test]
    fn mentions_links_and_escapes() {
        let (t, n) = to_plain(
            "hi <@U01> and <@U99|ravi> in <#C1|general> <!here> 1 &lt; 2 &amp;&amp; \
             <https://example.com/a?b=1&amp;c=2|the doc> <mailto:a@example.com|a@example.com> \
             <!subteam^S1|@sales> <!date^1392734382^{date}|Feb 18, 2014>",
            &users(),
        );
        assert_eq!(
            t,
            "hi @Mei Chen and @ravi in #general @here 1 < 2 && the doc \
             (https://example.com/a?b=1&c=2) a@example.com @sales Feb 18, 2014"
        );
        assert_eq!(n, 0);
        assert_eq!(to_plain("a < b", &users()).0, "a < b");
    }

    #[test]
    fn tokens_in_file_urls_are_removed() {
        let (u, found) = redact_url_token("https://files.slack.com/f/x.pdf?t=xoxe-1234-abcd&dl=1");
        assert!(found);
        assert_eq!(
            u,
            "https://files.slack.com/f/x.pdf?t=[redacted-slack-token]&dl=1"
        );
        let (u, found) = redact_url_token("https://example.com/?at=xoxb-1");
        assert!(!found);
        assert_eq!(u, "https://example.com/?at=xoxb-1");
        let (t, n) = to_plain("see <https://files.slack.com/a.png?t=xoxs-99-aa>", &users());
        assert_eq!(n, 1);
        assert!(!t.contains("xoxs"));
    }
}
