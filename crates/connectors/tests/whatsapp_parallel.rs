//! A large plain-text export read by several threads gives exactly what a
//! one-thread read gives: the same messages (ids, sequence numbers, lines,
//! times, text), the same conversation and warnings, and the same error at the
//! same line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::whatsapp::WhatsAppExport;
use chatwarden_connectors::{ConnectorError, ExportSource, ParseOptions, Warning};
use chatwarden_model::{Conversation, Message};
use std::fmt::Write as _;

/// About `bytes` of Android export in Berlin time with everything that crosses
/// a part boundary: runs of identical messages in one minute, multi-line
/// messages whose lines look like headers (one with an impossible date), media
/// placeholders, deleted and edited markers, system lines, and local times in
/// the spring-forward gap (a warning each). The clock only moves forward.
fn big_export(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 1024);
    s.push_str("12/03/2023, 09:00 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n");
    s.push_str("12/03/2023, 09:00 - Priya Shah created group \"Desk\"\n");
    let senders = ["Priya Shah", "Tom Becker", "+44 7700 900123", "Léa Martin"];
    let mut i: u64 = 0;
    let start = jiff::civil::date(2023, 3, 24).at(9, 0, 0, 0);
    while s.len() < bytes {
        // Seven messages a minute from 24 March 2023 09:00, so the clock passes
        // 26 March 02:00–03:00, which does not exist in Berlin (a warning each).
        let at = start
            .checked_add(jiff::SignedDuration::from_mins((i / 7) as i64))
            .unwrap();
        let (day, month, hour, minute) = (at.day(), at.month(), at.hour(), at.minute());
        let who = senders[(i % 4) as usize];
        match i % 23 {
            // A run of identical "ok"s from one sender in one minute.
            0..=3 => writeln!(s, "{day:02}/{month:02}/2023, {hour:02}:{minute:02} - Tom Becker: ok").unwrap(),
            4 => {
                writeln!(
                    s,
                    "{day:02}/{month:02}/2023, {hour:02}:{minute:02} - {who}: figures below\n12/03/2023, 10:00 - not a header inside text {i}"
                )
                .unwrap();
                if i % 1000 == 4 {
                    // Reads as a header with no real date: a warning, kept as text.
                    s.push_str("30/02/2023, 10:00 - impossible date, still text\n");
                }
            }
            5 => writeln!(s, "{day:02}/{month:02}/2023, {hour:02}:{minute:02} - {who}: <Media omitted>").unwrap(),
            6 => writeln!(s, "{day:02}/{month:02}/2023, {hour:02}:{minute:02} - {who}: This message was deleted").unwrap(),
            7 => writeln!(
                s,
                "{day:02}/{month:02}/2023, {hour:02}:{minute:02} - {who}: moved to Thursday <This message was edited>"
            )
            .unwrap(),
            8 => writeln!(s, "{day:02}/{month:02}/2023, {hour:02}:{minute:02} - Tom Becker added Léa Martin").unwrap(),
            _ => writeln!(
                s,
                "{day:02}/{month:02}/2023, {hour:02}:{minute:02} - {who}: message {i} about the order book, café ☕"
            )
            .unwrap(),
        }
        i += 1;
    }
    s
}

fn options(threads: usize) -> ParseOptions {
    let mut o = ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("Europe/Berlin").unwrap()),
        ..ParseOptions::default()
    };
    o.limits.max_threads = threads;
    o
}

struct Read {
    conversation: Option<Conversation>,
    messages: Vec<Message>,
    error: Option<String>,
    warnings: Vec<Warning>,
    parts: usize,
}

fn read(bytes: &[u8], threads: usize) -> Read {
    read_with(bytes, options(threads))
}

fn read_with(bytes: &[u8], options: ParseOptions) -> Read {
    let opened =
        WhatsAppExport::open_bytes("WhatsApp Chat with Desk.txt", bytes.to_vec(), &options);
    let mut export = match opened {
        Ok(export) => export,
        Err(e) => {
            return Read {
                conversation: None,
                messages: Vec::new(),
                error: Some(e.to_string()),
                warnings: Vec::new(),
                parts: 0,
            };
        }
    };
    let parts = export.parallel_parts();
    let mut messages = Vec::new();
    let mut error = None;
    for m in export.messages().unwrap() {
        match m {
            Ok(m) => messages.push(m),
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    Read {
        conversation: Some(export.conversation().clone()),
        messages,
        error,
        warnings: export.warnings().to_vec(),
        parts,
    }
}

fn assert_same(one: &Read, many: &Read) {
    assert_eq!(one.conversation, many.conversation);
    assert_eq!(one.messages.len(), many.messages.len());
    for (a, b) in one.messages.iter().zip(&many.messages) {
        assert_eq!(a, b, "message at line {}", a.source.line);
    }
    assert_eq!(one.error, many.error);
    assert_eq!(one.warnings, many.warnings);
}

#[test]
fn parallel_read_equals_one_thread_read() {
    let text = big_export(5 << 20);
    let one = read(text.as_bytes(), 1);
    assert_eq!(one.parts, 1);
    assert!(
        one.messages.len() > 50_000,
        "{} {:?}",
        one.messages.len(),
        one.error
    );
    // Identical messages within a part and across parts keep distinct ids.
    let ids: std::collections::HashSet<_> = one.messages.iter().map(|m| &m.id).collect();
    assert_eq!(ids.len(), one.messages.len());
    assert!(
        one.warnings
            .iter()
            .any(|w| w.message.contains("daylight-saving gap"))
    );
    for threads in [2, 4] {
        let many = read(text.as_bytes(), threads);
        assert!(
            many.parts > 5,
            "{threads} threads read {} parts",
            many.parts
        );
        assert_same(&one, &many);
    }
}

#[test]
fn a_run_of_identical_messages_across_every_part_boundary_keeps_one_thread_ids() {
    // Nothing but identical messages in one minute: every part boundary cuts a run.
    let mut text = String::new();
    while text.len() < 9 << 19 {
        text.push_str("01/02/2024, 10:00 - Tom Becker: ok\n");
    }
    let one = read(text.as_bytes(), 1);
    let many = read(text.as_bytes(), 2);
    assert!(many.parts > 5);
    assert_same(&one, &many);
}

#[test]
fn an_error_deep_in_the_file_is_the_same_error_at_the_same_line() {
    let mut bytes = big_export(9 << 19).into_bytes();
    // Invalid UTF-8 in a message two thirds in.
    let at = bytes.len() / 3 * 2;
    let nl = at + bytes[at..].iter().position(|&b| b == b'\n').unwrap();
    bytes.splice(nl..nl, [b' ', 0xff, 0xfe]);
    let one = read(&bytes, 1);
    let many = read(&bytes, 2);
    let err = one.error.as_deref().unwrap();
    assert!(err.contains("UTF-8"), "{err}");
    assert_same(&one, &many);
}

#[test]
fn a_message_over_the_size_cap_deep_in_the_file_ends_both_reads_alike() {
    // Pass 1 does not look at message sizes: pass 2's parts meet the cap.
    let mut text = big_export(9 << 19);
    let at = text.len() / 4 * 3;
    let nl = at + text[at..].find('\n').unwrap() + 1;
    let long: String = (0..3000)
        .map(|k| format!("continued line {k} of a very long paste\n"))
        .collect();
    text.insert_str(nl, &long);
    let limited = |threads| {
        let mut o = options(threads);
        o.limits.max_message_bytes = 64 * 1024;
        o
    };
    let one = read_with(text.as_bytes(), limited(1));
    let many = read_with(text.as_bytes(), limited(2));
    let err = one.error.as_deref().unwrap();
    assert!(err.contains("longer than"), "{err}");
    assert!(many.parts > 5);
    assert_same(&one, &many);
}

#[test]
fn stopping_early_is_clean() {
    let text = big_export(9 << 19);
    let mut export =
        WhatsAppExport::open_bytes("chat.txt", text.into_bytes(), &options(2)).unwrap();
    let first: Vec<_> = export.messages().unwrap().take(10).collect();
    assert_eq!(first.len(), 10);
    // Reading again from the start gives the same first messages.
    let again: Vec<_> = export.messages().unwrap().take(10).collect();
    let ids = |v: &[Result<Message, ConnectorError>]| {
        v.iter()
            .map(|m| m.as_ref().unwrap().id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&again));
}

#[test]
fn headers_of_another_layout_are_counted_alike_across_parts() {
    // A block of iOS-layout lines inside an Android export's message, placed
    // across the middle so that a two-part read cuts inside it: the second part
    // starts with such lines before its first header.
    let text = big_export(5 << 20);
    let block: String = (0..4000)
        .map(|i| {
            format!(
                "[12/03/2023, 10:00:{:02}] Quoted: an iOS line {i}\n",
                i % 60
            )
        })
        .collect();
    // The block starts at the middle of the export, so the middle of the
    // joined text falls inside it.
    let at = text[..text.len() / 2].rfind('\n').unwrap() + 1;
    let joined = format!("{}{block}{}", &text[..at], &text[at..]);
    let one = read(joined.as_bytes(), 1);
    let w = one
        .warnings
        .iter()
        .find(|w| w.message.contains("another layout"))
        .expect("a warning");
    assert!(w.message.starts_with("4000 line(s)"), "{}", w.message);
    for threads in [2, 3, 4] {
        let many = read(joined.as_bytes(), threads);
        assert!(many.parts > 1);
        assert_same(&one, &many);
    }
}
