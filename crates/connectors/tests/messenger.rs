//! Facebook Messenger / Instagram "Download Your Information" and the E2EE
//! Messenger download: folder layouts (2025+, pre-2024, Instagram), numeric
//! file order with newest-first files, mojibake repair (and a string it must
//! leave alone), reactions, unsent, calls, group events, shares, media
//! included or not, the same thread read from a zip, detection, bad input.
//! Fixtures are synthetic, written from the shapes in formats.md §4.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions};
use chatwarden_model::{Channel, MediaKind, Message, MessageKind, TimeSource};
use std::io::{Read, Write};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/messenger")
        .join(name)
}

fn read_all(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    src.messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn by_title<'a>(
    all: &'a mut [Box<dyn ExportSource>],
    title: &str,
) -> &'a mut Box<dyn ExportSource> {
    all.iter_mut()
        .find(|s| s.conversation().title == title)
        .unwrap_or_else(|| panic!("no thread titled {title}"))
}

fn crew_checks(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Messenger);
    assert_eq!(conv.title, "Market Crew");
    assert!(conv.is_group);
    assert_eq!(conv.source_key, "messenger::inbox/marketcrew_1234567890");
    let names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    // Participants at export time (names repaired), then a sender who left.
    assert_eq!(
        names,
        ["Dana Whitfield", "Renée Okafor", "Tomás Ibarra", "Li Wei"]
    );

    let msgs = read_all(src);
    // 14 distinct messages (one repeated across message_2/message_10 read once) + 2 reactions.
    assert_eq!(msgs.len(), 16);
    // Oldest first, across message_10 → message_2 → message_1.
    let times: Vec<_> = msgs.iter().map(|m| m.sent_at).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    let seqs: Vec<u64> = msgs.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (0..16).collect::<Vec<_>>());

    let m = &msgs[0];
    assert_eq!(m.text, "Welcome to the crew");
    assert_eq!(m.sender.as_deref(), Some("Dana Whitfield"));
    assert_eq!(m.sent_at.to_string(), "2026-01-01T10:00:00Z");
    assert_eq!(m.time_source, TimeSource::NativeUtc);
    assert!(m.source.file.ends_with("message_10.json"));
    assert_eq!(m.source.line, 3, "third record of message_10.json");

    // Subscribe: a system event.
    assert_eq!(msgs[1].kind, MessageKind::System);
    assert_eq!(msgs[1].text, "Dana Whitfield added Li Wei to the group.");
    assert_eq!(msgs[1].sender, None);

    // A file named but not in the download.
    let inv = &msgs[2];
    assert_eq!(inv.sender.as_deref(), Some("Li Wei"));
    assert_eq!(inv.attachments.len(), 1);
    assert_eq!(inv.attachments[0].kind, MediaKind::Document);
    assert!(!inv.attachments[0].included);

    // Mojibake repaired, with the emoji; the reaction follows as its own message.
    let cafe = &msgs[3];
    assert_eq!(cafe.text, "Le café ouvre à 8h 😭");
    assert_eq!(cafe.sender.as_deref(), Some("Renée Okafor"));
    let r = &msgs[4];
    assert_eq!(r.text, "reacted ❤ to a message");
    assert_eq!(r.sender.as_deref(), Some("Dana Whitfield"));
    assert_eq!(r.reply_to.as_ref(), Some(&cafe.id));
    assert_eq!(r.sent_at, cafe.sent_at);

    // A photo that is in the download.
    let photo = &msgs[5];
    assert_eq!(photo.text, "");
    assert_eq!(photo.attachments[0].kind, MediaKind::Image);
    assert!(photo.attachments[0].included);
    let name = photo.attachments[0].name.clone().unwrap();
    assert_eq!(
        name,
        "messages/inbox/marketcrew_1234567890/photos/shelf_1.jpg"
    );
    let mut bytes = Vec::new();
    src.open_attachment(&name)
        .unwrap()
        .expect("photo bytes")
        .read_to_end(&mut bytes)
        .unwrap();
    assert!(bytes.ends_with(b"fixture-bytes"));

    // A call, with its duration.
    assert_eq!(msgs[6].kind, MessageKind::System);
    assert_eq!(msgs[6].text, "Dana Whitfield started a call. (call, 192 s)");

    // Unsent: a tombstone that keeps its reaction.
    let unsent = &msgs[7];
    assert!(unsent.deleted);
    assert_eq!(unsent.text, "");
    assert_eq!(unsent.sender.as_deref(), Some("Tomás Ibarra"));
    assert_eq!(msgs[8].text, "reacted 😮 to a message");
    assert_eq!(msgs[8].sender.as_deref(), Some("Renée Okafor"));
    assert_eq!(msgs[8].reply_to.as_ref(), Some(&unsent.id));

    // Group rename written as an ordinary message: a system event.
    assert_eq!(msgs[9].kind, MessageKind::System);
    assert_eq!(
        msgs[9].text,
        "Dana Whitfield named the group Market Crew 2026."
    );
    // A share: the link and its text follow the message.
    assert_eq!(
        msgs[10].text,
        "Prices here\nhttps://example.com/price-list\nSpring price list"
    );
    assert_eq!(msgs[11].kind, MessageKind::System);
    assert_eq!(msgs[11].text, "Li Wei left the group.");
    // Latin-1 text that is not mojibake stays as it was.
    assert_eq!(msgs[12].text, "naïve café");
    // Sticker (shared folder, included), then audio + gif + video.
    assert_eq!(msgs[13].attachments[0].kind, MediaKind::Sticker);
    assert!(msgs[13].attachments[0].included);
    let kinds: Vec<_> = msgs[14]
        .attachments
        .iter()
        .map(|a| (a.kind, a.included))
        .collect();
    assert_eq!(
        kinds,
        [
            (MediaKind::Video, false),
            (MediaKind::Audio, false),
            (MediaKind::Gif, true)
        ]
    );
    assert_eq!(msgs[15].kind, MessageKind::System);
    assert_eq!(
        msgs[15].text,
        "Dana Whitfield missed a call from you. (missed call)"
    );
    // Ids are unique.
    let mut ids: Vec<_> = msgs.iter().map(|m| m.id.clone()).collect();
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    ids.dedup();
    assert_eq!(ids.len(), msgs.len());
    msgs
}

#[test]
fn facebook_2025_folder() {
    let mut all =
        chatwarden_connectors::open_all(&fixture("fb2025"), &ParseOptions::default()).unwrap();
    assert_eq!(all.len(), 3, "inbox, archived_threads, e2ee_cutover");
    let crew = by_title(&mut all, "Market Crew");
    let msgs = crew_checks(crew);
    assert_eq!(msgs.len(), 16);
    // The exporter is the one name in every thread.
    let me: Vec<_> = crew
        .conversation()
        .participants
        .iter()
        .filter(|p| p.is_self)
        .map(|p| p.display_name.clone())
        .collect();
    assert_eq!(me, ["Dana Whitfield"]);
    // Warnings say a repeat was dropped, without content.
    assert!(
        crew.warnings()
            .iter()
            .any(|w| w.message.contains("repeated"))
    );

    let old = by_title(&mut all, "Northwind Supplies");
    assert!(!old.conversation().is_group);
    assert_eq!(
        old.conversation().source_key,
        "messenger::archived_threads/oldsupplier_555"
    );
    let m = read_all(old);
    assert_eq!(
        m.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
        ["Hello, how can we help?", "Please send the 2023 statement"]
    );
    let cut = by_title(&mut all, "Priya Shah");
    assert_eq!(read_all(cut)[0].text, "Before the switch to encryption");
}

#[test]
fn zip_of_the_download_reads_the_same() {
    let root = fixture("fb2025");
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("facebook-dana-2026.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let mut stack = vec![root.clone()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    // Any entry order: reversed names.
    files.sort();
    files.reverse();
    for p in files {
        let name = p
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&std::fs::read(&p).unwrap()).unwrap();
    }
    w.finish().unwrap();

    let mut all = chatwarden_connectors::open_all(&zip_path, &ParseOptions::default()).unwrap();
    assert_eq!(all.len(), 3);
    let crew = by_title(&mut all, "Market Crew");
    let from_zip = crew_checks(crew);
    let mut dir_all =
        chatwarden_connectors::open_all(&fixture("fb2025"), &ParseOptions::default()).unwrap();
    let from_dir = read_all(by_title(&mut dir_all, "Market Crew"));
    let ids = |v: &[Message]| v.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&from_zip),
        ids(&from_dir),
        "same ids from zip and folder"
    );
    assert!(from_zip[0].source.file.contains(".zip!/"));
}

#[test]
fn one_message_file_alone() {
    let path = fixture(
        "fb2025/your_facebook_activity/messages/inbox/marketcrew_1234567890/message_2.json",
    );
    let mut src = chatwarden_connectors::open(&path, &ParseOptions::default()).unwrap();
    assert_eq!(src.conversation().title, "Market Crew");
    let msgs = read_all(&mut src);
    // 4 messages (newest first in the file) come out oldest first, + 1 reaction.
    assert_eq!(msgs.len(), 5);
    assert_eq!(msgs[0].text, "Thanks! Invoice 4411 attached");
    assert_eq!(msgs[0].source.line, 4);
    // The photo beside the file is found from the folder around it.
    assert!(msgs[3].attachments[0].included);
    // The thread's id does not depend on how it was opened.
    let mut dir_all =
        chatwarden_connectors::open_all(&fixture("fb2025"), &ParseOptions::default()).unwrap();
    assert_eq!(
        by_title(&mut dir_all, "Market Crew").conversation().id,
        src.conversation().id
    );
}

#[test]
fn legacy_messages_root() {
    let mut all =
        chatwarden_connectors::open_all(&fixture("legacy"), &ParseOptions::default()).unwrap();
    assert_eq!(all.len(), 1);
    let m = read_all(&mut all[0]);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].sender.as_deref(), Some("Alex Morgan"));
    assert_eq!(m[0].sent_at.to_string(), "2020-09-13T12:26:40Z");
    assert!(m[0].attachments[0].included);
}

#[test]
fn instagram_edits_and_reaction_times() {
    let tz: jiff::tz::TimeZone = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
    let opts = ParseOptions {
        tz: Some(tz),
        custodian: Some("dana".into()),
        ..ParseOptions::default()
    };
    let mut all = chatwarden_connectors::open_all(&fixture("instagram"), &opts).unwrap();
    let src = &mut all[0];
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Instagram);
    assert_eq!(conv.source_key, "instagram:dana:inbox/jordanreyes_17841400");
    assert!(!conv.is_group);
    let m = read_all(src);
    assert_eq!(m.len(), 5);
    assert!(!m[0].attachments[0].included);
    // Instagram reactions carry their own time (seconds).
    assert_eq!(m[1].text, "reacted ❤ to a message");
    assert_eq!(m[1].sent_at.to_string(), "2026-01-01T10:54:10Z");
    // Likes arrive as text.
    assert_eq!(m[2].text, "Liked a message");
    // The pre-edit version stays; the edit is marked and its suffix removed.
    assert_eq!((m[3].text.as_str(), m[3].edited), ("See you at 4", false));
    assert_eq!((m[4].text.as_str(), m[4].edited), ("See you at 5", true));
    // --tz changes only the wall-clock shown, never the instant or the id.
    assert_eq!(m[4].local_time.to_string(), "2026-01-01T19:56:40");
    assert_eq!(m[4].time_source, TimeSource::NativeUtc);
    let mut utc_all = chatwarden_connectors::open_all(
        &fixture("instagram"),
        &ParseOptions {
            custodian: Some("dana".into()),
            ..ParseOptions::default()
        },
    )
    .unwrap();
    let m_utc = read_all(&mut utc_all[0]);
    assert_eq!(m_utc[4].id, m[4].id);
}

#[test]
fn e2ee_download() {
    let path = fixture("e2ee/messages/Priya Shah_1.json");
    let mut src = chatwarden_connectors::open(&path, &ParseOptions::default()).unwrap();
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Messenger);
    assert_eq!(conv.title, "Priya Shah");
    assert_eq!(conv.source_key, "messenger-e2ee::Priya Shah_1");
    let m = read_all(&mut src);
    assert_eq!(m.len(), 5);
    assert_eq!(m[0].text, "Contract draft is ready");
    assert_eq!(
        m[1].attachments[0].name.as_deref(),
        Some("./media/contract.pdf")
    );
    assert_eq!(m[1].attachments[0].kind, MediaKind::Document);
    assert!(m[1].attachments[0].included);
    assert!(m[2].deleted);
    assert_eq!(m[3].text, "Merci, c'est bon 👍");
    assert_eq!(m[4].text, "reacted 👍 to a message");
    assert_eq!(m[4].sender.as_deref(), Some("Priya Shah"));
    // The folder holding it is read too.
    let all = chatwarden_connectors::open_all(&fixture("e2ee"), &ParseOptions::default()).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].conversation().id, conv.id);
}

#[test]
fn detection_and_forced_format() {
    assert_eq!("instagram".parse::<Format>(), Ok(Format::Messenger));
    assert_eq!(Format::Messenger.to_string(), "messenger");
    let path = fixture("legacy/messages/inbox/alexmorgan_55/message_1.json");
    let forced = ParseOptions {
        format: Some(Format::Messenger),
        ..ParseOptions::default()
    };
    let src = chatwarden_connectors::open(&path, &forced).unwrap();
    assert_eq!(src.conversation().title, "Alex Morgan");
    // In memory (no folder around it): read, media not reachable.
    let bytes = std::fs::read(&path).unwrap();
    let mut src =
        chatwarden_connectors::open_bytes("message_1.json", bytes, &ParseOptions::default())
            .unwrap();
    let m = read_all(&mut src);
    assert!(!m[0].attachments[0].included);
}

#[test]
fn bad_input_names_file_and_position() {
    let err = chatwarden_connectors::open(&fixture("bad/message_1.json"), &ParseOptions::default())
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(matches!(err, ConnectorError::Malformed { .. }), "{text}");
    assert!(text.contains("bad/message_1.json:6:"), "{text}");
    let err = chatwarden_connectors::open(
        &fixture("bad/no_time/message_1.json"),
        &ParseOptions::default(),
    )
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .ends_with("message_1.json:2: messenger message 2 has no timestamp_ms"),
        "{err}"
    );
    // A folder with no thread in it.
    let empty = tempfile::tempdir().unwrap();
    let err = chatwarden_connectors::open_all(empty.path(), &ParseOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, ConnectorError::NotRecognized { .. }));
    // Random bytes forced through the reader: an error, not a panic.
    let err = chatwarden_connectors::open_bytes(
        "x.json",
        b"{\"participants\": 7, \"messages\": {}}".to_vec(),
        &ParseOptions {
            format: Some(Format::Messenger),
            ..ParseOptions::default()
        },
    )
    .err()
    .unwrap();
    assert!(
        err.to_string().starts_with("x.json:1: messenger JSON:"),
        "{err}"
    );
}
