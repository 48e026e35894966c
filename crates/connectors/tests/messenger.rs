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
    assert_eq!(conv.source_key, "messenger::marketcrew_1234567890");
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
    assert_eq!(old.conversation().source_key, "messenger::oldsupplier_555");
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
    // Any entry order: reversed names.
    zip_folder(&root, &zip_path, &[]);

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
    assert_eq!(conv.source_key, "instagram:dana:jordanreyes_17841400");
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

// ------------------------------------------------------------------------
// The 2024 root (`your_activity_across_facebook/messages/`) with every
// section, a group thread split over three files (one record repeated across
// the split), mojibake in names, text, reactions, share text and a file name,
// every attachment kind, unsent, calls and group events.

const FB2024: &str = "fb2024";
const HARBOUR_DIR: &str = "your_activity_across_facebook/messages/inbox/harbourproject_8812345678";

fn texts(msgs: &[Message]) -> Vec<&str> {
    msgs.iter().map(|m| m.text.as_str()).collect()
}

fn harbour_checks(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Messenger);
    assert_eq!(conv.title, "Harbour Project");
    assert!(conv.is_group);
    assert_eq!(conv.source_key, "messenger::harbourproject_8812345678");
    let names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    // Export-time participants (repaired), then a person who only reacted, then a
    // sender who left the group.
    assert_eq!(
        names,
        [
            "Dana Whitfield",
            "Zoë Müller",
            "Łukasz Nowak",
            "Amaru Quispe",
            "Oren Katz",
            "Priya Shah"
        ]
    );
    let msgs = read_all(src);
    // 17 distinct records (one repeated in message_3 and message_2 read once) + 3 reactions.
    assert_eq!(msgs.len(), 20, "{:#?}", texts(&msgs));
    assert_eq!(
        msgs.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (0..20).collect::<Vec<_>>()
    );
    let times: Vec<String> = msgs.iter().map(|m| m.sent_at.to_string()).collect();
    assert_eq!(
        times,
        [
            "2024-03-04T09:00:00Z",
            "2024-03-04T09:00:30Z",
            "2024-03-04T09:01:00Z",
            "2024-03-04T09:01:00Z",
            "2024-03-04T09:01:00Z",
            "2024-03-04T09:02:00Z",
            "2024-03-04T09:03:00Z",
            "2024-03-04T09:05:00Z",
            "2024-03-04T09:20:00Z",
            "2024-03-04T09:21:00Z",
            "2024-03-04T09:21:00Z",
            "2024-03-04T09:22:00Z",
            "2024-03-04T09:30:00Z",
            "2024-03-04T10:00:00Z",
            "2024-03-04T10:01:00Z",
            "2024-03-04T10:02:00Z",
            "2024-03-04T10:05:00Z",
            "2024-03-04T10:06:00Z",
            "2024-03-04T10:07:00Z",
            "2024-03-04T10:10:00Z",
        ]
    );
    assert!(msgs.iter().all(|m| m.time_source == TimeSource::NativeUtc));
    let senders: Vec<Option<&str>> = msgs.iter().map(|m| m.sender.as_deref()).collect();
    assert_eq!(
        senders,
        [
            None,
            None,
            Some("Zoë Müller"),
            Some("Oren Katz"),
            Some("Łukasz Nowak"),
            Some("Łukasz Nowak"),
            Some("Amaru Quispe"),
            None,
            Some("Priya Shah"),
            Some("Priya Shah"),
            Some("Dana Whitfield"),
            None,
            Some("Zoë Müller"),
            Some("Łukasz Nowak"),
            Some("Amaru Quispe"),
            Some("Amaru Quispe"),
            None,
            None,
            None,
            Some("Zoë Müller"),
        ]
    );
    let system: Vec<usize> = msgs
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind == MessageKind::System)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(system, [0, 1, 7, 11, 16, 17, 18]);
    assert_eq!(
        texts(&msgs),
        [
            "Dana Whitfield created the group.",
            "Dana Whitfield added Zoë Müller, Łukasz Nowak, Priya Shah to the group",
            "Guten Morgen! Die Pläne für Pier 4 sind fertig 🚢",
            "reacted 👍 to a message",
            "reacted ❤ to a message",
            "Wycena w załączniku",
            "",
            "Dana Whitfield started a call. (call, 754 s)",
            "Tide tables for next week\nhttps://tides.example.org/pier4?week=11\nGezeitentabelle für Pier 4",
            "",
            "reacted 😢 to a message",
            "Priya Shah left the group",
            "",
            "Dźwig już stoi",
            "",
            "",
            "Dana Whitfield set the nickname for Amaru Quispe to Capitán.",
            "You missed a call from Zoë Müller. (missed call)",
            "Dana Whitfield pinned a message.",
            "Danke! 👍",
        ]
    );
    // Reactions reply to their message, at its time.
    for (r, target) in [(3, 2), (4, 2), (10, 9)] {
        assert_eq!(msgs[r].reply_to.as_ref(), Some(&msgs[target].id), "{r}");
        assert_eq!(msgs[r].sent_at, msgs[target].sent_at);
    }
    // Unsent: deleted, empty, its reaction kept. Nothing else is deleted or edited.
    assert!(msgs[9].deleted);
    assert_eq!(msgs.iter().filter(|m| m.deleted).count(), 1);
    assert!(msgs.iter().all(|m| !m.edited));
    // Attachments: kind, included or not, the path as written (repaired).
    let att: Vec<(usize, MediaKind, bool, &str)> = msgs
        .iter()
        .enumerate()
        .flat_map(|(i, m)| {
            m.attachments.iter().map(move |a| {
                let name = a.name.as_deref().unwrap_or("");
                let short = name.rsplit('/').next().unwrap_or(name);
                (i, a.kind, a.included, short)
            })
        })
        .collect();
    assert_eq!(
        att,
        [
            (5, MediaKind::Document, true, "Devis_Société.pdf"),
            (6, MediaKind::Image, true, "pier4_a.jpg"),
            (6, MediaKind::Image, false, "pier4_b.jpg"),
            (
                12,
                MediaKind::Audio,
                false,
                "audioclip17095443000003456_1234567890.mp4"
            ),
            (13, MediaKind::Video, false, "crane_1098765432.mp4"),
            (14, MediaKind::Gif, false, "thumbs_up_2211.gif"),
            (
                15,
                MediaKind::Sticker,
                true,
                "851582_369239386556143_1497813874_n.png"
            ),
        ]
    );
    let pdf = msgs[5].attachments[0].name.clone().unwrap();
    assert_eq!(pdf, format!("{HARBOUR_DIR}/files/Devis_Société.pdf"));
    let mut bytes = Vec::new();
    src.open_attachment(&pdf)
        .unwrap()
        .expect("file bytes")
        .read_to_end(&mut bytes)
        .unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    // Positions: the oldest file first; record numbers count in the file as written
    // (newest first), and the repeated record is kept from the older file.
    assert!(msgs[0].source.file.ends_with("message_3.json"));
    assert_eq!(msgs[0].source.line, 5);
    assert!(msgs[6].source.file.ends_with("message_3.json"));
    assert_eq!(msgs[6].source.line, 1);
    assert!(msgs[7].source.file.ends_with("message_2.json"));
    assert!(msgs[19].source.file.ends_with("message_1.json"));
    assert_eq!(msgs[19].source.line, 1);
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message == "1 message(s) repeated across message_N.json files read once"),
        "{:?}",
        src.warnings()
    );
    // No warning carries message text.
    for w in src.warnings() {
        for m in &msgs {
            assert!(m.text.len() < 4 || !w.message.contains(&m.text), "{w:?}");
        }
    }
    let mut ids: Vec<_> = msgs.iter().map(|m| m.id.as_str().to_owned()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), msgs.len());
    msgs
}

#[test]
fn facebook_2024_download_every_section() {
    let mut all =
        chatwarden_connectors::open_all(&fixture(FB2024), &ParseOptions::default()).unwrap();
    let mut keys: Vec<String> = all
        .iter()
        .map(|s| s.conversation().source_key.clone())
        .collect();
    keys.sort();
    // autofill_information.json beside the sections is not a thread.
    assert_eq!(
        keys,
        [
            "messenger::benchen_3007",
            "messenger::cryptodesk_5550001",
            "messenger::harbourproject_8812345678",
            "messenger::mariagarcia_4471",
            "messenger::priyashah_777",
        ]
    );
    assert!(
        all.iter()
            .all(|s| s.conversation().channel == Channel::Messenger)
    );
    // The exporter is the one name in every thread.
    for s in &all {
        let me: Vec<_> = s
            .conversation()
            .participants
            .iter()
            .filter(|p| p.is_self)
            .map(|p| p.display_name.as_str())
            .collect();
        assert_eq!(me, ["Dana Whitfield"], "{}", s.conversation().title);
    }
    harbour_checks(by_title(&mut all, "Harbour Project"));

    // filtered_threads: what Messenger filtered as spam is captured too. Its share
    // names an `original_content_owner` (as Instagram's do), but under a Facebook
    // root the thread stays Messenger.
    let spam = by_title(&mut all, "Crypto Desk");
    assert!(!spam.conversation().is_group);
    let m = read_all(spam);
    assert_eq!(m.len(), 2);
    assert_eq!(
        m[0].text,
        "Earn 12% a day with our signals. Reply YES to join\nhttps://t.example.net/join?ref=cd77"
    );
    assert_eq!(m[0].sender.as_deref(), Some("Crypto Desk"));
    assert_eq!(m[0].sent_at.to_string(), "2024-02-11T22:14:05Z");
    assert_eq!(
        (m[1].attachments[0].kind, m[1].attachments[0].included),
        (MediaKind::Image, false)
    );

    // message_requests: a stranger's first messages, names and file name repaired.
    let req = by_title(&mut all, "María García");
    let names: Vec<_> = req
        .conversation()
        .participants
        .iter()
        .map(|p| p.display_name.clone())
        .collect();
    assert_eq!(names, ["María García", "Dana Whitfield"]);
    let m = read_all(req);
    assert_eq!(m.len(), 2);
    assert_eq!(
        m[0].text,
        "Hola Dana, soy María de Logística Andina. ¿Podemos hablar del envío a Callao?"
    );
    assert_eq!(m[0].sender.as_deref(), Some("María García"));
    assert_eq!(m[1].sent_at.to_string(), "2024-02-27T15:41:03Z");
    let f = &m[1].attachments[0];
    assert_eq!((f.kind, f.included), (MediaKind::Document, false));
    assert!(
        f.name
            .as_deref()
            .unwrap()
            .ends_with("/files/Catálogo_2024.pdf")
    );

    // archived_threads: calls without text get one.
    let old = by_title(&mut all, "Ben Chen");
    let m = read_all(old);
    assert_eq!(
        texts(&m),
        [
            "Invoice 2023-114 is paid",
            "Dana Whitfield called (call, 65 s)",
            "Ben Chen called (missed call)"
        ]
    );
    let kinds: Vec<_> = m.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [
            MessageKind::Message,
            MessageKind::System,
            MessageKind::System
        ]
    );
    assert_eq!(m[2].sent_at.to_string(), "2023-11-20T17:45:00Z");

    // e2ee_cutover: the history from before the chat became end-to-end encrypted.
    let cut = by_title(&mut all, "Priya Shah");
    let m = read_all(cut);
    assert_eq!(texts(&m), ["Here is the berth plan", "Thanks, Priya"]);
    assert_eq!(m[0].sender.as_deref(), Some("Priya Shah"));
    assert_eq!(
        (m[0].attachments[0].kind, m[0].attachments[0].included),
        (MediaKind::Image, true)
    );
    assert_eq!(m[1].sent_at.to_string(), "2023-12-01T12:03:00Z");
}

/// Zips a fixture folder with its entries in the given order of file names
/// (any name not listed follows, in reverse path order).
fn zip_folder(root: &std::path::Path, zip_path: &std::path::Path, first: &[&str]) {
    let mut stack = vec![root.to_path_buf()];
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
    files.sort();
    files.reverse();
    let rank = |p: &PathBuf| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        first.iter().position(|f| *f == name).unwrap_or(first.len())
    };
    files.sort_by_key(rank);
    let mut w = zip::ZipWriter::new(std::fs::File::create(zip_path).unwrap());
    for p in files {
        let name = p
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&std::fs::read(&p).unwrap()).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn facebook_2024_zip_with_the_split_thread_out_of_order() {
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp
        .path()
        .join("facebook-danawhitfield-2024-03-05-AbCdEf.zip");
    // message_2 first, then the newest, media in between, the oldest last.
    zip_folder(
        &fixture(FB2024),
        &zip_path,
        &[
            "message_2.json",
            "pier4_a.jpg",
            "message_1.json",
            "Devis_Société.pdf",
            "autofill_information.json",
        ],
    );
    let mut all = chatwarden_connectors::open_all(&zip_path, &ParseOptions::default()).unwrap();
    assert_eq!(all.len(), 5);
    let from_zip = harbour_checks(by_title(&mut all, "Harbour Project"));
    assert!(from_zip[0].source.file.contains(".zip!/"));
    let mut dir_all =
        chatwarden_connectors::open_all(&fixture(FB2024), &ParseOptions::default()).unwrap();
    let from_dir = read_all(by_title(&mut dir_all, "Harbour Project"));
    let ids = |v: &[Message]| v.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&from_zip),
        ids(&from_dir),
        "same ids from zip and folder"
    );
    assert_eq!(
        by_title(&mut all, "Harbour Project").conversation().id,
        by_title(&mut dir_all, "Harbour Project").conversation().id
    );
}

// ------------------------------------------------------------------------
// Instagram's earlier download layout: `messages/inbox/…` at the root (no
// `your_instagram_activity`), with message requests.

#[test]
fn instagram_older_layout_and_message_requests() {
    let mut all = chatwarden_connectors::open_all(
        &fixture("instagram_legacy"),
        &ParseOptions {
            custodian: Some("dana".into()),
            ..ParseOptions::default()
        },
    )
    .unwrap();
    assert_eq!(all.len(), 2);
    for s in &all {
        assert_eq!(
            s.conversation().channel,
            Channel::Instagram,
            "{}",
            s.conversation().title
        );
        let me: Vec<_> = s
            .conversation()
            .participants
            .iter()
            .filter(|p| p.is_self)
            .map(|p| p.display_name.as_str())
            .collect();
        assert_eq!(me, ["dana.whitfield"]);
    }
    // No `is_geoblocked_for_viewer` in this older thread: the share of an
    // Instagram post (`original_content_owner`) tells it is Instagram.
    let sam = by_title(&mut all, "Sam Okafor");
    assert_eq!(
        sam.conversation().source_key,
        "instagram:dana:samokafor_2021830"
    );
    assert!(!sam.conversation().is_group);
    let m = read_all(sam);
    assert_eq!(
        texts(&m),
        [
            "https://www.instagram.com/p/CSxq2mLn4Tb/\nNew drop Friday 🔥 #harbourthreads",
            "Liked a message",
            "",
            "reacted ❤ to a message",
            "Can you hold two in medium?",
            "Yes until 5pm",
            "Yes until 6pm",
            ""
        ]
    );
    let senders: Vec<_> = m.iter().map(|m| m.sender.as_deref().unwrap()).collect();
    assert_eq!(
        senders,
        [
            "Sam Okafor",
            "dana.whitfield",
            "Sam Okafor",
            "dana.whitfield",
            "dana.whitfield",
            "Sam Okafor",
            "Sam Okafor",
            "Sam Okafor"
        ]
    );
    assert_eq!(m[0].sent_at.to_string(), "2021-08-30T18:00:00Z");
    // The photo's `messages/inbox/…` path resolves from the download's root.
    assert_eq!(
        (m[2].attachments[0].kind, m[2].attachments[0].included),
        (MediaKind::Image, true)
    );
    // No reaction time in this layout: the reaction takes its message's.
    assert_eq!(m[3].sent_at, m[2].sent_at);
    assert_eq!(m[3].reply_to.as_ref(), Some(&m[2].id));
    // The edit: suffix removed and marked; the earlier version stays.
    assert_eq!(
        m.iter().map(|m| m.edited).collect::<Vec<_>>(),
        [false, false, false, false, false, false, true, false]
    );
    assert_eq!(
        (m[7].attachments[0].kind, m[7].attachments[0].included),
        (MediaKind::Audio, false)
    );
    assert!(
        m.iter()
            .all(|m| m.kind == MessageKind::Message && !m.deleted)
    );

    let luna = by_title(&mut all, "Luna Boutique");
    assert_eq!(
        luna.conversation().source_key,
        "instagram:dana:lunaboutique_7781"
    );
    assert!(!luna.conversation().is_group);
    let m = read_all(luna);
    assert_eq!(
        texts(&m),
        [
            "Hi! Interested in wholesale? 💬",
            "Our catalogue is in the bio ✨"
        ]
    );
    assert_eq!(m[1].sent_at.to_string(), "2021-09-02T10:00:20Z");
}

#[test]
fn instagram_thread_given_alone_is_detected() {
    let path =
        fixture("instagram_legacy/messages/message_requests/lunaboutique_7781/message_1.json");
    let bytes = std::fs::read(&path).unwrap();
    // Content detection: the first keys are a Meta thread's.
    assert_eq!(
        chatwarden_connectors::detect::sniff(&bytes),
        chatwarden_connectors::detect::Sniffed::Json(Format::Messenger)
    );
    // In memory, under a neutral name: Instagram from `is_geoblocked_for_viewer`.
    let mut src =
        chatwarden_connectors::open_bytes("message_1.json", bytes, &ParseOptions::default())
            .unwrap();
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Instagram);
    assert_eq!(conv.source_key, "instagram::lunaboutique_7781");
    assert_eq!(conv.title, "Luna Boutique");
    assert_eq!(read_all(&mut src).len(), 2);
    // The same thread from the folder is the same conversation.
    let all =
        chatwarden_connectors::open_all(&fixture("instagram_legacy"), &ParseOptions::default())
            .unwrap();
    assert!(all.iter().any(|s| s.conversation().id == conv.id));
    // A thread file opened alone from disk: Instagram from a shared post, edits
    // read as Instagram's, the photo found from the folders around it.
    let mut src = chatwarden_connectors::open(
        &fixture("instagram_legacy/messages/inbox/samokafor_2021830/message_1.json"),
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(src.conversation().channel, Channel::Instagram);
    let m = read_all(&mut src);
    assert_eq!((m[6].text.as_str(), m[6].edited), ("Yes until 6pm", true));
    assert!(m[2].attachments[0].included);
}

/// A message request accepted later sits in `inbox/` in the next download, under the
/// same `<slug>_<id>` folder: both downloads are one conversation with the same
/// message ids, so ingesting both stores each message once.
#[test]
fn a_thread_that_moved_section_between_downloads_is_one_conversation() {
    let src =
        fixture("instagram_legacy/messages/message_requests/lunaboutique_7781/message_1.json");
    let text = std::fs::read_to_string(&src).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut reads = Vec::new();
    for (section, body) in [
        ("message_requests", text.clone()),
        (
            "inbox",
            text.replace(
                "message_requests/lunaboutique_7781",
                "inbox/lunaboutique_7781",
            ),
        ),
    ] {
        let thread = dir
            .path()
            .join(section)
            .join("messages")
            .join(section)
            .join("lunaboutique_7781");
        std::fs::create_dir_all(&thread).unwrap();
        std::fs::write(thread.join("message_1.json"), body).unwrap();
        let mut all =
            chatwarden_connectors::open_all(&dir.path().join(section), &ParseOptions::default())
                .unwrap();
        assert_eq!(all.len(), 1);
        let conv = all[0].conversation().clone();
        assert_eq!(conv.source_key, "instagram::lunaboutique_7781");
        let ids: Vec<_> = read_all(&mut all[0]).into_iter().map(|m| m.id).collect();
        assert_eq!(ids.len(), 2);
        reads.push((conv.id, ids));
    }
    assert_eq!(reads[0], reads[1]);
}
