//! imessage-exporter's HTML output, parsed whole (capped) with `scraper`.
//!
//! ```html
//! <div class="message">
//! <div class="received">            (or "sent iMessage", "sent SMS")
//! <p><span class="timestamp"><a title="Reveal in Messages app"
//!    href="sms://open?message-guid=GUID">May 17, 2022  5:29:42 PM</a> (Read by …)</span>
//! <span class="sender">Sample Contact</span></p>
//! <hr><div class="message_part">
//! <span class="bubble">Hello world</span>
//! </div>
//! <div class="tapbacks"><hr><p>Tapbacks:</p>
//! <div class="tapback"><span class="tapback"><b>Loved</b> by Me</span></div>
//! </div>
//! <div class="replies"><div class="reply" id="GUID2"><div class="message">…</div></div></div>
//! </div>
//! </div>
//! <div class ="announcement"><p><span class="timestamp">…</span> You named the conversation <b>X</b></p></div>
//! ```
//!
//! Part bodies: `span.bubble` text, `div.attachment` (`img`/`video source`/`audio`
//! `src`, or a download link), `div.sticker`, `div.app` (link previews and app
//! balloons), `div.edited` (a table of versions: the first row untimed, later rows
//! "Edited … later"), `span.unsent`, `span.attachment_error`. Older versions wrote
//! `div.reactions > div.reaction` instead of tapbacks and no `message_part` divs;
//! both are read.

use super::{
    Att, Item, MAX_DEPTH, Part, Tapback, is_unsent_line, later, parse_diff, parse_stamp,
    parse_tapback,
};
use crate::error::ConnectorError;
use crate::options::WarningSink;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashMap;

fn has_class(el: &ElementRef<'_>, class: &str) -> bool {
    el.value().classes().any(|c| c == class)
}

fn selector(s: &str) -> Result<Selector, ConnectorError> {
    // Selectors are constants; a failure would be a bug, reported as an error
    // rather than a panic.
    Selector::parse(s).map_err(|e| ConnectorError::Malformed {
        file: String::new(),
        line: 0,
        reason: format!("internal selector {s:?}: {e}"),
    })
}

/// The text of an element: text nodes in order, `<br>` as a line break.
fn text_of(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    for node in el.descendants() {
        match node.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if e.name() == "br" => out.push('\n'),
            _ => {}
        }
    }
    out
}

fn child_elements<'a>(el: ElementRef<'a>) -> impl Iterator<Item = ElementRef<'a>> {
    el.children().filter_map(ElementRef::wrap)
}

/// Line numbers of the exporter's message and announcement tags, in order: the
/// k-th `div.message`/`div.announcement` of the document is the k-th tag (text
/// is escaped by the exporter, so these strings appear only as tags).
fn marker_lines(doc: &str) -> Vec<u64> {
    let mut found: Vec<usize> = Vec::new();
    for pat in [
        "<div class=\"message\"",
        "<div class =\"announcement\"",
        "<div class=\"announcement\"",
    ] {
        found.extend(doc.match_indices(pat).map(|(i, _)| i));
    }
    found.sort_unstable();
    let mut lines = Vec::with_capacity(found.len());
    let mut line = 1u64;
    let mut at = 0usize;
    for pos in found {
        line += doc
            .as_bytes()
            .get(at..pos)
            .map_or(0, |b| memchr::memchr_iter(b'\n', b).count() as u64);
        at = pos;
        lines.push(line);
    }
    lines
}

struct Ctx<'w> {
    file: String,
    /// Element (by address, stable while the document lives) → line.
    lines: HashMap<usize, u64>,
    warnings: &'w mut WarningSink,
    stamp: Selector,
    sender: Selector,
    guid_link: Selector,
    media: Selector,
    link: Selector,
    row: Selector,
    cell: Selector,
    tapback: Selector,
    subject: Selector,
}

/// Reads every top-level message and announcement, in document order.
pub(crate) fn parse(
    doc: &str,
    file: &str,
    warnings: &mut WarningSink,
) -> Result<Vec<Item>, ConnectorError> {
    let html = Html::parse_document(doc);
    let blocks = selector("div.message, div.announcement")?;
    let markers = marker_lines(doc);
    let all: Vec<ElementRef<'_>> = html.select(&blocks).collect();
    let lines = all
        .iter()
        .enumerate()
        .map(|(k, el)| {
            let line = markers
                .get(k)
                .or(markers.last())
                .copied()
                .unwrap_or(k as u64 + 1);
            (key(el), line)
        })
        .collect();
    let mut cx = Ctx {
        file: file.to_owned(),
        lines,
        warnings,
        stamp: selector("span.timestamp")?,
        sender: selector("span.sender")?,
        guid_link: selector("a[href]")?,
        media: selector("img[src], source[src], audio[src], video[src]")?,
        link: selector("a[href]")?,
        row: selector("tr")?,
        cell: selector("td")?,
        tapback: selector("div.tapback, div.reaction")?,
        subject: selector("span.subject")?,
    };
    let mut out = Vec::new();
    for el in all {
        // Messages inside another message are replies, read with their thread.
        let nested = el.ancestors().filter_map(ElementRef::wrap).any(|a| {
            a.value().name() == "div" && (has_class(&a, "message") || has_class(&a, "reply"))
        });
        if nested {
            continue;
        }
        let item = if has_class(&el, "announcement") {
            announcement(&mut cx, el)
        } else {
            message(&mut cx, el, 0)?
        };
        if let Some(it) = item {
            out.push(it);
        }
    }
    Ok(out)
}

/// An element's identity while the document lives.
fn key(el: &ElementRef<'_>) -> usize {
    std::ptr::from_ref(el.value()) as usize
}

fn line_of(cx: &Ctx<'_>, el: &ElementRef<'_>) -> u64 {
    cx.lines.get(&key(el)).copied().unwrap_or(0)
}

fn announcement(cx: &mut Ctx<'_>, el: ElementRef<'_>) -> Option<Item> {
    let line = line_of(cx, &el);
    let stamp = el.select(&cx.stamp).next();
    let stamp_text = stamp.map(text_of).unwrap_or_default();
    let Some((local, _)) = parse_stamp(stamp_text.trim()) else {
        cx.warnings
            .push(&cx.file, Some(line), "announcement without a time skipped");
        return None;
    };
    let all = text_of(el);
    let text = all
        .trim()
        .strip_prefix(stamp_text.trim())
        .unwrap_or(all.trim())
        .trim()
        .to_owned();
    let mut item = Item::new(line, local);
    item.announcement = true;
    item.deleted = text.contains(" unsent a message.");
    item.parts.push(Part::Text(text));
    Some(item)
}

/// One `div.message` (and its thread).
fn message(
    cx: &mut Ctx<'_>,
    el: ElementRef<'_>,
    depth: usize,
) -> Result<Option<Item>, ConnectorError> {
    let line = line_of(cx, &el);
    let Some(inner) = child_elements(el)
        .find(|c| c.value().name() == "div" && (has_class(c, "sent") || has_class(c, "received")))
    else {
        return Err(ConnectorError::Malformed {
            file: cx.file.clone(),
            line,
            reason: "iMessage HTML: a message without its `sent` or `received` block".to_owned(),
        });
    };
    let Some(stamp) = inner.select(&cx.stamp).next() else {
        return Err(ConnectorError::Malformed {
            file: cx.file.clone(),
            line,
            reason: "iMessage HTML: a message without a timestamp".to_owned(),
        });
    };
    let guid = stamp.select(&cx.guid_link).find_map(|a| {
        a.value()
            .attr("href")
            .and_then(|h| h.strip_prefix("sms://open?message-guid="))
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
    });
    let stamp_text = text_of(stamp);
    let Some((local, _)) = parse_stamp(stamp_text.trim()) else {
        return Err(ConnectorError::Malformed {
            file: cx.file.clone(),
            line,
            reason: "iMessage HTML: a timestamp not in the form `May 17, 2022  5:29:42 PM`"
                .to_owned(),
        });
    };
    let mut item = Item::new(line, local);
    item.guid = guid;
    item.from_me = has_class(&inner, "sent");
    let sender = inner
        .select(&cx.sender)
        .next()
        .map(|s| text_of(s).trim().to_owned())
        .filter(|s| !s.is_empty());
    item.sender = Some(sender.unwrap_or_else(|| {
        if item.from_me {
            "Me".to_owned()
        } else {
            "Unknown".to_owned()
        }
    }));
    for child in child_elements(inner) {
        if child.value().name() == "div" && has_class(&child, "message_part") {
            for part in child_elements(child) {
                body_element(cx, &mut item, part, depth)?;
            }
        } else {
            body_element(cx, &mut item, child, depth)?;
        }
    }
    item.finish();
    Ok(Some(item))
}

/// One element of a message's block or part.
fn body_element(
    cx: &mut Ctx<'_>,
    item: &mut Item,
    el: ElementRef<'_>,
    depth: usize,
) -> Result<(), ConnectorError> {
    let name = el.value().name();
    let is = |c: &str| has_class(&el, c);
    match name {
        "span" if is("bubble") => {
            let t = text_of(el);
            if !t.is_empty() {
                item.parts.push(Part::Text(t));
            }
        }
        "span" if is("unsent") => item.unsent = true,
        "span" if is("deleted") => item.deleted = true,
        "span" if is("reply_context") => item.is_reply = true,
        "span" if is("attachment_error") => {
            let t = text_of(el);
            let name = t
                .trim()
                .strip_prefix("Unable to locate attachment: ")
                .map(str::to_owned);
            item.attachments.push(Att {
                path: None,
                placeholder: Some(name.unwrap_or_else(|| t.trim().to_owned())),
                sticker: false,
            });
        }
        "span" if is("shareplay") || is("shared_location") => {
            item.parts.push(Part::Text(text_of(el).trim().to_owned()));
        }
        "p" => {
            // The time and sender line, or a subject.
            if let Some(s) = el.select(&cx.subject).next() {
                item.parts.push(Part::Text(text_of(s).trim().to_owned()));
            }
        }
        "div" if is("attachment") || is("sticker") => {
            let mut paths: Vec<String> = Vec::new();
            for m in el.select(&cx.media) {
                if let Some(src) = m.value().attr("src")
                    && !paths.iter().any(|p| p == src)
                {
                    paths.push(src.to_owned());
                }
            }
            if paths.is_empty() {
                for a in el.select(&cx.link) {
                    if let Some(h) = a.value().attr("href")
                        && !paths.iter().any(|p| p == h)
                    {
                        paths.push(h.to_owned());
                    }
                }
            }
            let sticker = is("sticker");
            if paths.is_empty() {
                item.attachments.push(Att {
                    path: None,
                    placeholder: Some(text_of(el).trim().to_owned()),
                    sticker,
                });
            }
            for p in paths {
                item.attachments.push(Att {
                    path: Some(p),
                    placeholder: None,
                    sticker,
                });
            }
            // An audio transcription is text.
            let t = text_of(el);
            if let Some(tr) = t.split("Transcription: ").nth(1) {
                item.parts.push(Part::Text(tr.trim().to_owned()));
            }
        }
        "div" if is("app") => {
            let mut t = text_of(el).trim().to_owned();
            for a in el.select(&cx.link) {
                if let Some(h) = a.value().attr("href")
                    && !t.contains(h)
                {
                    t = if t.is_empty() {
                        h.to_owned()
                    } else {
                        format!("{h}\n{t}")
                    };
                }
            }
            if !t.is_empty() {
                item.parts.push(Part::Text(t));
            }
        }
        "div" if is("edited") => {
            let mut versions = Vec::new();
            for row in el.select(&cx.row) {
                let cells: Vec<ElementRef<'_>> = row.select(&cx.cell).collect();
                let (Some(when), Some(what)) = (cells.first(), cells.get(1)) else {
                    continue;
                };
                let when = text_of(*when);
                let when = when.trim();
                let prev = versions.last().map_or(item.local, |(t, _)| *t);
                let at = if let Some((t, _)) = parse_stamp(when) {
                    t
                } else if let Some(d) = when
                    .strip_prefix("Edited ")
                    .and_then(|w| w.strip_suffix(" later"))
                {
                    later(prev, parse_diff(d))
                } else {
                    prev
                };
                versions.push((at, text_of(*what)));
            }
            if !versions.is_empty() {
                item.parts.push(Part::Edited(versions));
            }
        }
        "div" if is("tapbacks") || is("reactions") => {
            for t in el.select(&cx.tapback) {
                let text = text_of(t).replace('\u{a0}', " ");
                let text = text.trim();
                let parsed = parse_tapback(text).or_else(|| {
                    // A sticker tapback: the sticker, then "by WHO".
                    let who = text.rsplit_once("by ").map(|(_, w)| w.trim().to_owned())?;
                    let src = t
                        .select(&cx.media)
                        .next()
                        .and_then(|m| m.value().attr("src"))
                        .map(str::to_owned);
                    (!who.is_empty()).then_some(Tapback {
                        who,
                        what: "sticker".to_owned(),
                        sticker: src,
                    })
                });
                match parsed {
                    Some(tb) => item.tapbacks.push(tb),
                    None if !text.is_empty() => cx.warnings.push(
                        &cx.file,
                        Some(item.line),
                        "tapback in an unknown form skipped",
                    ),
                    None => {}
                }
            }
        }
        "div" if is("replies") => {
            for reply in child_elements(el).filter(|r| has_class(r, "reply")) {
                for m in child_elements(reply).filter(|m| has_class(m, "message")) {
                    if depth >= MAX_DEPTH {
                        cx.warnings.push(
                            &cx.file,
                            Some(item.line),
                            "replies nested too deep skipped",
                        );
                        continue;
                    }
                    if let Some(r) = message(cx, m, depth + 1)? {
                        item.replies.push(r);
                    }
                }
            }
        }
        "div" if is("message_part") => {
            for part in child_elements(el) {
                body_element(cx, item, part, depth)?;
            }
        }
        _ => {
            // Unsent notices written bare, and anything else with text the
            // exporter may add: kept as text unless it is a known note.
            let t = text_of(el);
            let t = t.trim();
            if is_unsent_line(t) {
                item.unsent = true;
            }
        }
    }
    Ok(())
}
