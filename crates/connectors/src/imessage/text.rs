//! imessage-exporter's text output, streamed record by record.
//!
//! A record starts at a line that begins with a time (`May 17, 2022  5:29:42 PM`)
//! at the left margin, at the start of the file or after a blank line: a message
//! (the time alone, or with a read receipt, then the sender on the next line) or
//! an announcement (the time, then its text on the same line). The record runs
//! to the next such line; its size is capped like a message. Inside a record:
//! body lines, attachment paths, `Tapbacks:` (older versions: `Reactions:`) with
//! the tapbacks below it, edit history (`<time> text`, then `Edited … later:
//! text`), unsent parts, and replies indented four spaces (records themselves,
//! read the same way once the indent is removed).

use super::{
    Att, Item, MAX_DEPTH, Part, is_attachment_path, is_expressive, is_unsent_line, later,
    parse_diff, parse_header, parse_stamp, parse_tapback, sticker_line,
};
use crate::error::ConnectorError;
use crate::lines::LineReader;
use crate::options::{ParseOptions, WarningSink};
use std::io::Read;

/// A record's lines with their 1-based numbers.
pub(crate) type Record = Vec<(u64, String)>;

const INDENT: &str = "    ";
const REPLY_NOTE: &str = "This message responded to an earlier message.";
const DELETED_NOTE: &str = "This message was deleted from the conversation!";

/// Whether `line` opens a record, given whether the line before it was blank
/// (or there was none).
fn is_boundary(prev_blank: bool, line: &str) -> bool {
    prev_blank && !line.starts_with(' ') && parse_stamp(line).is_some()
}

/// Splits a file into records, reading lines as they are needed.
pub(crate) struct Records<R> {
    lines: LineReader<R>,
    file: String,
    max: usize,
    /// A record's first line, read while ending the one before.
    pending: Option<(u64, String)>,
    prev_blank: bool,
    done: bool,
}

impl<R: Read> Records<R> {
    pub(crate) fn new(lines: LineReader<R>, file: &str, opts: &ParseOptions) -> Self {
        Records {
            lines,
            file: file.to_owned(),
            max: opts.limits.max_message_bytes,
            pending: None,
            prev_blank: true,
            done: false,
        }
    }

    /// The next record, or `None` at the end of the file.
    pub(crate) fn next_record(&mut self) -> Result<Option<Record>, ConnectorError> {
        let mut rec: Record = Vec::new();
        let mut bytes = 0usize;
        if let Some(first) = self.pending.take() {
            bytes += first.1.len();
            rec.push(first);
        }
        loop {
            if self.done {
                break;
            }
            let no = self.lines.line_no() + 1;
            let Some(raw) = self.lines.next_line()? else {
                self.done = true;
                break;
            };
            let line = if no == 1 {
                raw.trim_start_matches('\u{feff}')
            } else {
                raw
            };
            let blank = line.trim().is_empty();
            if is_boundary(self.prev_blank, line) {
                self.prev_blank = false;
                if rec.is_empty() {
                    rec.push((no, line.to_owned()));
                    bytes = line.len();
                    continue;
                }
                self.pending = Some((no, line.to_owned()));
                break;
            }
            self.prev_blank = blank;
            if rec.is_empty() {
                if blank {
                    continue;
                }
                return Err(ConnectorError::Malformed {
                    file: self.file.clone(),
                    line: no,
                    reason: "iMessage text: expected a message time such as \
                             `May 17, 2022  5:29:42 PM` at the start of a record"
                        .to_owned(),
                });
            }
            bytes += line.len() + 1;
            if bytes > self.max {
                let start = rec.first().map_or(no, |(n, _)| *n);
                return Err(ConnectorError::MessageTooLong {
                    file: self.file.clone(),
                    line: start,
                    limit: self.max,
                });
            }
            rec.push((no, line.to_owned()));
        }
        while rec.last().is_some_and(|(_, l)| l.trim().is_empty()) {
            rec.pop();
        }
        Ok((!rec.is_empty()).then_some(rec))
    }
}

/// Splits lines already in memory (a reply region) into records.
fn split(lines: &[(u64, String)]) -> Vec<&[(u64, String)]> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut prev_blank = true;
    for (i, (_, l)) in lines.iter().enumerate() {
        if is_boundary(prev_blank, l) {
            if let Some(s) = start
                && let Some(r) = lines.get(s..i)
            {
                out.push(r);
            }
            start = Some(i);
        }
        prev_blank = l.trim().is_empty();
    }
    if let Some(s) = start
        && let Some(r) = lines.get(s..)
    {
        out.push(r);
    }
    out
}

/// Where body lines go.
#[derive(PartialEq)]
enum Mode {
    Body,
    Tapbacks,
    /// Continuation lines of the last version of an edited part.
    Edit,
}

/// Adds a body line to the last text part (blank lines kept only between text).
fn push_text(item: &mut Item, blanks: &mut usize, line: &str) {
    if let Some(Part::Text(t)) = item.parts.last_mut() {
        for _ in 0..*blanks {
            t.push('\n');
        }
        t.push('\n');
        t.push_str(line);
    } else {
        item.parts.push(Part::Text(line.to_owned()));
    }
    *blanks = 0;
}

/// Reads one record into an item (`None` for a line the exporter writes when it
/// could not render an announcement: it has no time).
pub(crate) fn parse_record(
    rec: &[(u64, String)],
    depth: usize,
    file: &str,
    warnings: &mut WarningSink,
) -> Result<Option<Item>, ConnectorError> {
    let Some((no, first)) = rec.first() else {
        return Ok(None);
    };
    let Some((local, rest)) = parse_stamp(first) else {
        return Err(ConnectorError::Malformed {
            file: file.to_owned(),
            line: *no,
            reason: "iMessage text: a record that does not start with a time".to_owned(),
        });
    };
    let mut item = Item::new(*no, local);
    let Some((_, read_by_them)) = parse_header(first) else {
        // An announcement: its text follows the time; extra lines continue it.
        item.announcement = true;
        let mut text = rest.trim().to_owned();
        for (_, l) in rec.iter().skip(1) {
            if l.trim().is_empty() || l.trim() == "Unable to format announcement!" {
                continue;
            }
            text.push('\n');
            text.push_str(l);
        }
        if text.contains(" unsent a message.") {
            item.deleted = true;
        }
        item.parts.push(Part::Text(text));
        return Ok(Some(item));
    };
    let sender = rec
        .get(1)
        .map(|(_, l)| l.trim())
        .filter(|l| !l.is_empty() && !rec.get(1).is_some_and(|(_, r)| r.starts_with(' ')));
    let Some(sender) = sender else {
        return Err(ConnectorError::Malformed {
            file: file.to_owned(),
            line: no + 1,
            reason: "iMessage text: the sender's line is missing after the message time".to_owned(),
        });
    };
    item.sender = Some(sender.to_owned());
    item.from_me = sender == "Me" || read_by_them;
    let mut mode = Mode::Body;
    let mut blanks = 0usize;
    let mut i = 2usize;
    while let Some((lno, line)) = rec.get(i) {
        i += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if mode == Mode::Tapbacks {
                mode = Mode::Body;
            }
            blanks += 1;
            continue;
        }
        if let Some(inner) = line.strip_prefix(INDENT) {
            if mode == Mode::Tapbacks
                && let Some(t) = parse_tapback(inner)
            {
                item.tapbacks.push(t);
                continue;
            }
            if parse_header(inner).is_some() && depth < MAX_DEPTH {
                // A reply region: this line and every blank or indented line after it.
                let mut region: Vec<(u64, String)> = vec![(*lno, inner.to_owned())];
                while let Some((n, l)) = rec.get(i) {
                    if l.trim().is_empty() {
                        region.push((*n, String::new()));
                    } else if let Some(x) = l.strip_prefix(INDENT) {
                        region.push((*n, x.to_owned()));
                    } else {
                        break;
                    }
                    i += 1;
                }
                for r in split(&region) {
                    if let Some(reply) = parse_record(r, depth + 1, file, warnings)? {
                        item.replies.push(reply);
                    }
                }
                mode = Mode::Body;
                blanks = 0;
                continue;
            }
        }
        match trimmed {
            "Tapbacks:" | "Reactions:" => {
                mode = Mode::Tapbacks;
                blanks = 0;
                continue;
            }
            REPLY_NOTE => {
                item.is_reply = true;
                continue;
            }
            DELETED_NOTE => {
                item.deleted = true;
                continue;
            }
            "Unable to format announcement!" => {
                warnings.push(
                    file,
                    Some(*lno),
                    "announcement the exporter could not render skipped",
                );
                continue;
            }
            "Attachment missing!" => {
                item.attachments.push(Att {
                    path: None,
                    placeholder: Some(trimmed.to_owned()),
                    sticker: false,
                });
                continue;
            }
            _ => {}
        }
        if mode == Mode::Tapbacks
            && let Some(t) = parse_tapback(trimmed)
        {
            item.tapbacks.push(t);
            continue;
        }
        mode = if mode == Mode::Tapbacks {
            Mode::Body
        } else {
            mode
        };
        if is_unsent_line(trimmed) {
            item.unsent = true;
            continue;
        }
        if is_expressive(trimmed) {
            continue;
        }
        if !line.starts_with(' ')
            && let Some((at, text)) = parse_stamp(line)
            && !text.trim().is_empty()
        {
            // The first row of an edit history: the original time and text.
            item.parts
                .push(Part::Edited(vec![(at, text.trim_start().to_owned())]));
            mode = Mode::Edit;
            blanks = 0;
            continue;
        }
        if let Some(after) = trimmed.strip_prefix("Edited ")
            && let Some((diff, text)) = after.split_once(" later: ")
        {
            let secs = parse_diff(diff);
            match item.parts.last_mut() {
                Some(Part::Edited(v)) if mode == Mode::Edit => {
                    let prev = v.last().map_or(local, |(t, _)| *t);
                    v.push((later(prev, secs), text.to_owned()));
                }
                _ => item
                    .parts
                    .push(Part::Edited(vec![(later(local, secs), text.to_owned())])),
            }
            mode = Mode::Edit;
            blanks = 0;
            continue;
        }
        if let Some((_, path)) = sticker_line(trimmed)
            && trimmed.contains(':')
        {
            item.attachments.push(Att {
                path,
                placeholder: Some(trimmed.to_owned()),
                sticker: true,
            });
            mode = Mode::Body;
            blanks = 0;
            continue;
        }
        if is_attachment_path(trimmed) {
            item.attachments.push(Att {
                path: Some(trimmed.to_owned()),
                placeholder: None,
                sticker: false,
            });
            mode = Mode::Body;
            blanks = 0;
            continue;
        }
        if mode == Mode::Edit
            && let Some(Part::Edited(v)) = item.parts.last_mut()
            && let Some((_, t)) = v.last_mut()
        {
            for _ in 0..blanks {
                t.push('\n');
            }
            t.push('\n');
            t.push_str(line);
            blanks = 0;
            continue;
        }
        push_text(&mut item, &mut blanks, line);
    }
    item.finish();
    Ok(Some(item))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(text: &str) -> Record {
        text.lines()
            .enumerate()
            .map(|(i, l)| (i as u64 + 1, l.to_owned()))
            .collect()
    }

    #[test]
    fn a_message_with_everything() {
        let r = rec(
            "May 17, 2022  5:29:42 PM (Read by you after 1 hour, 49 seconds)\n\
                     Sample Contact\n\
                     Hello world\n\
                     \n\
                     second paragraph\n\
                     /Users/me/Library/Messages/Attachments/aa/10/X/IMG_1.jpeg\n\
                     Tapbacks:\n    Loved by Me\n    ☕️ by Sample Contact\n\
                     May 17, 2022  5:30:00 PM typo\n\
                     Edited 30 seconds later: fixed\n\
                     Sent with Confetti\n\
                     \n    May 17, 2022  5:31:00 PM\n    Me\n    a reply\n    Tapbacks:\n        Liked by Sample Contact\n\
                     \n    May 17, 2022  5:32:00 PM\n    Sample Contact\n    another",
        );
        let mut w = WarningSink::new(10);
        let it = parse_record(&r, 0, "f.txt", &mut w).unwrap().unwrap();
        assert_eq!(it.sender.as_deref(), Some("Sample Contact"));
        assert!(!it.from_me);
        assert_eq!(it.final_text(), "Hello world\n\nsecond paragraph\nfixed");
        assert_eq!(it.original_text(), "Hello world\n\nsecond paragraph\ntypo");
        assert_eq!(it.attachments.len(), 1);
        assert_eq!(it.tapbacks.len(), 2);
        assert_eq!(it.replies.len(), 2);
        assert_eq!(it.replies[0].final_text(), "a reply");
        assert_eq!(it.replies[0].tapbacks[0].what, "Liked");
        assert_eq!(it.replies[1].sender.as_deref(), Some("Sample Contact"));
        let Part::Edited(v) = &it.parts[1] else {
            panic!("edited part")
        };
        assert_eq!(v[1].0.to_string(), "2022-05-17T17:30:30");
    }

    #[test]
    fn records_split_on_times_after_blank_lines() {
        let lines = rec(
            "May 17, 2022  5:29:42 PM\nMe\nhi\n\nMay 17, 2022  5:29:50 PM You left the conversation.\n\nMay 17, 2022  5:30:00 PM\nMe\nbye",
        );
        let parts = split(&lines);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[1][0].0, 5);
    }
}
