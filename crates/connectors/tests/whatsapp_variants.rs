//! Each header variant and locale, read from fixture exports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chatwarden_connectors::{DateOrder, ParseOptions};
use chatwarden_model::{MediaKind, MessageKind, TimeSource};
use common::*;

#[test]
fn android_en_us_12h_with_narrow_nbsp() {
    let (src, m) = read("WhatsApp Chat with Jordan Miles.txt");
    let conv = src.conversation();
    assert_eq!(conv.title, "Jordan Miles");
    assert_eq!(conv.source_key, "whatsapp::Jordan Miles");
    assert!(!conv.is_group);
    let names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Jordan Miles", "Sam Ortiz"]);
    assert_eq!(m.len(), 9);

    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(m[0].sender, None);
    assert!(
        m[0].text
            .starts_with("Messages and calls are end-to-end encrypted")
    );
    assert_eq!(local(&m[0]), "2023-01-04T09:15:00");
    assert_eq!(utc(&m[0]), "2023-01-04T09:15:00Z");
    assert_eq!(m[0].time_source, TimeSource::AssumedUtc);
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("read as UTC"))
    );

    // Multi-line with fake headers inside stays one message.
    assert_eq!(sender(&m[2]), Some("Sam Ortiz"));
    assert_eq!(
        m[2].text,
        "Yes, here are my notes:\n- Bob: this dash line is text\nnote: this colon line is text\n\
         12/03/2023 10:00 - Jordan: a differently shaped date is text too\n\
         [1/4/23, 9:18:00 AM] quoted iOS header is text\n\nend of notes"
    );
    assert_eq!(m[2].source.line, 3);
    assert_eq!(m[3].source.line, 10);

    // <Media omitted> is an attachment, never text; the caption stays text.
    assert_eq!(m[3].text, "");
    assert_eq!(m[3].attachments.len(), 1);
    assert!(!m[3].attachments[0].included);
    assert_eq!(
        m[3].attachments[0].placeholder.as_deref(),
        Some("<Media omitted>")
    );
    assert_eq!(local(&m[3]), "2023-01-04T12:05:00");
    assert_eq!(m[4].text, "caption for the second photo");
    assert_eq!(m[4].attachments.len(), 1);

    assert!(m[5].deleted);
    assert_eq!(m[5].text, "");
    assert_eq!(local(&m[5]), "2023-01-13T19:02:00");
    assert!(m[6].edited);
    assert_eq!(m[6].text, "Price is 4200 now");
    // The empty message stays a user message.
    assert_eq!(m[7].kind, MessageKind::Message);
    assert_eq!(sender(&m[7]), Some("Sam Ortiz"));
    assert_eq!(m[7].text, "");
    assert_eq!(local(&m[7]), "2023-01-13T23:59:00");
    // 0:24 PM is read as 12:24.
    assert_eq!(local(&m[8]), "2023-02-01T12:24:00");
    let seqs: Vec<u64> = m.iter().map(|x| x.seq).collect();
    assert_eq!(seqs, (0..9).collect::<Vec<_>>());
}

#[test]
fn android_en_gb_24h_group() {
    let (src, m) = read("WhatsApp Chat with Project Falcon.txt");
    let conv = src.conversation();
    assert!(conv.is_group);
    assert_eq!(conv.title, "Project Falcon");
    assert_eq!(m.len(), 9);
    let kinds: Vec<_> = m.iter().map(|x| x.kind).collect();
    use MessageKind::{Message as U, System as S};
    assert_eq!(kinds, [S, S, S, S, U, U, U, U, S]);
    assert_eq!(
        m[3].text,
        "Priya Shah changed the subject from \"Falcon: draft\" to \"Project Falcon\""
    );
    assert_eq!(m[3].sender, None);
    let phone = conv
        .participants
        .iter()
        .find(|p| p.display_name == "+44 7700 900123")
        .unwrap();
    assert_eq!(phone.phone.as_deref(), Some("+447700900123"));
    assert_eq!(sender(&m[6]), Some("+44 7700 900123"));
    assert_eq!(local(&m[6]), "2022-03-19T08:01:00");
    let att = &m[7].attachments[0];
    assert_eq!(att.name.as_deref(), Some("IMG-20220319-WA0002.jpg"));
    assert_eq!(att.kind, MediaKind::Image);
    assert!(!att.included);
    assert_eq!(m[7].text, "site photo");
    assert_eq!(m[8].text, "Tom Reed left");
    assert_eq!(local(&m[8]), "2022-03-20T23:59:00");
    assert_eq!(conv.participants.len(), 3);
}

#[test]
fn android_de_24h_dots() {
    let (src, m) = read("WhatsApp Chat mit Anna Becker.txt");
    assert_eq!(src.conversation().title, "Anna Becker");
    assert_eq!(m.len(), 7);
    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(local(&m[0]), "2022-03-18T15:10:00");
    assert_eq!(
        m[2].attachments[0].placeholder.as_deref(),
        Some("<Medien ausgeschlossen>")
    );
    assert!(m[3].deleted);
    assert!(m[4].edited);
    assert_eq!(m[4].text, "Preis bleibt bei 300");
    assert_eq!(local(&m[4]), "2022-03-19T09:00:00");
    assert_eq!(
        m[5].attachments[0].name.as_deref(),
        Some("DOC-20220319-WA0001.pdf")
    );
    assert_eq!(m[5].attachments[0].kind, MediaKind::Document);
    assert!(m[6].deleted);
}

#[test]
fn ios_crlf_bom_lrm_seconds_and_attributed_system_lines() {
    let (src, m) = read("_chat.txt");
    let conv = src.conversation();
    // _chat.txt names no chat: the title falls back to the participants.
    assert_eq!(conv.title, "Dmitry S, Elon Musk");
    assert!(!conv.is_group);
    assert_eq!(m.len(), 10);
    // Encryption banner and security code attributed to the partner are system lines.
    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(m[0].sender, None);
    assert_eq!(local(&m[0]), "2022-03-27T21:41:55");
    assert_eq!(m[2].kind, MessageKind::System);
    assert!(m[2].text.contains("security code"));
    assert_eq!(m[3].attachments[0].kind, MediaKind::Image);
    assert_eq!(m[3].text, "");
    let att = &m[4].attachments[0];
    assert_eq!(
        att.name.as_deref(),
        Some("00000035-PHOTO-2022-03-27-21-43-10.jpg")
    );
    assert!(!att.included);
    // Sender with a leading LRM is the same person; CRLF gone; text inside a line stays.
    assert_eq!(sender(&m[5]), Some("Dmitry S"));
    assert_eq!(
        m[5].text,
        "Line one\nline two with [3/27/22 21:44:00] inside"
    );
    // Mid-file BOM before a header.
    assert!(m[6].deleted);
    assert_eq!(local(&m[6]), "2022-03-28T07:00:05");
    assert_eq!(m[6].source.line, 8);
    assert!(m[7].deleted);
    assert_eq!(sender(&m[7]), Some("Dmitry S"));
    assert_eq!(
        m[8].attachments[0].name.as_deref(),
        Some("00000047-Resume.pdf")
    );
    assert_eq!(m[8].attachments[0].kind, MediaKind::Document);
    assert_eq!(m[9].kind, MessageKind::Message);
    assert_eq!(m[9].text, "Missed voice call");
    assert!(m.iter().all(|x| !x.text.contains('\r')));
    assert_eq!(conv.participants.len(), 2);
}

#[test]
fn ios_group_events_attributed_to_the_group() {
    let (src, m) = read("WhatsApp Chat - Field Team.txt");
    let conv = src.conversation();
    assert_eq!(conv.title, "Field Team");
    assert!(conv.is_group);
    assert_eq!(m.len(), 5);
    assert!(
        m[..3]
            .iter()
            .all(|x| x.kind == MessageKind::System && x.sender.is_none())
    );
    assert_eq!(m[1].text, "Maria Lopez created group “Field Team”");
    assert_eq!(sender(&m[4]), Some("~ Ken"));
    assert_eq!(m[4].attachments[0].kind, MediaKind::Sticker);
    let names: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(names, ["Maria Lopez", "~ Ken"]);
    assert_eq!(local(&m[3]), "2024-05-13T08:01:00");
}

#[test]
fn zh_pm_after_time() {
    let (_, m) = read("WhatsApp Chat with 张伟.txt");
    assert_eq!(m.len(), 4);
    assert_eq!(local(&m[0]), "2024-01-02T15:04:00");
    assert_eq!(m[0].text, "你好，报价单在这里");
    assert_eq!(
        m[1].attachments[0].placeholder.as_deref(),
        Some("<省略影音内容>")
    );
    assert_eq!(local(&m[2]), "2024-01-15T09:30:00");
    assert!(m[2].deleted);
    assert!(m[3].edited);
    assert_eq!(m[3].text, "明天见");
}

#[test]
fn ko_pm_before_time_year_first() {
    let (src, m) = read("ko_chat.txt");
    assert_eq!(m.len(), 3);
    assert_eq!(local(&m[0]), "2024-01-02T15:06:00");
    assert_eq!(local(&m[1]), "2024-01-02T11:07:00");
    assert_eq!(local(&m[2]), "2024-01-13T12:30:00");
    assert_eq!(sender(&m[1]), Some("이지은"));
    assert!(
        !src.warnings()
            .iter()
            .any(|w| w.message.contains("ambiguous"))
    );
}

#[test]
fn es_p_m_with_nbsp() {
    let (_, m) = read("WhatsApp Chat with Lucía Gómez.txt");
    assert_eq!(m.len(), 6);
    assert_eq!(local(&m[0]), "2018-06-14T13:55:00");
    assert_eq!(
        m[1].attachments[0].placeholder.as_deref(),
        Some("<Multimedia omitido>")
    );
    assert!(m[2].deleted);
    assert_eq!(local(&m[2]), "2018-06-15T09:05:00");
    assert!(m[3].edited);
    assert_eq!(m[3].text, "Nos vemos el lunes");
    assert_eq!(
        m[4].attachments[0].name.as_deref(),
        Some("IMG-20180615-WA0003.jpg")
    );
    assert_eq!(local(&m[5]), "2018-06-16T00:00:00");
}

#[test]
fn fr_a_without_comma() {
    let (src, m) = read("Discussion WhatsApp avec Claire Dubois.txt");
    assert_eq!(src.conversation().title, "Claire Dubois");
    assert_eq!(m.len(), 4);
    // rwhatsapp's test: 2017-07-12 22:35 (seconds differ there).
    assert_eq!(local(&m[0]), "2017-07-12T22:35:00");
    assert_eq!(
        m[1].attachments[0].placeholder.as_deref(),
        Some("<Médias omis>")
    );
    assert!(m[2].deleted);
    assert!(m[3].edited);
    assert_eq!(m[3].text, "Signé demain");
}

#[test]
fn arabic_indic_digits_rlm_and_phone_sender() {
    let (src, m) = read("ar_chat.txt");
    assert_eq!(m.len(), 4);
    assert_eq!(local(&m[0]), "2022-03-27T21:54:55");
    assert_eq!(sender(&m[0]), Some("+40 521 028 61 88"));
    assert_eq!(m[0].text, "مرحبا");
    assert_eq!(m[1].attachments[0].kind, MediaKind::Image);
    assert_eq!(local(&m[2]), "2022-03-28T10:01:00");
    assert!(m[2].deleted);
    assert!(m[3].edited);
    let phone = src
        .conversation()
        .participants
        .iter()
        .find_map(|p| p.phone.clone())
        .unwrap();
    assert_eq!(phone, "+405210286188");
}

#[test]
fn finnish_klo_and_dotted_time() {
    let (_, m) = read("fi_chat.txt");
    assert_eq!(m.len(), 3);
    assert_eq!(local(&m[0]), "2018-06-13T21:25:15");
    assert_eq!(local(&m[2]), "2018-06-14T07:05:30");
}

#[test]
fn other_languages_placeholders_deleted_edited() {
    for (file, omitted, name) in [
        ("pt_chat.txt", "<Mídia oculta>", "DOC-20230225-WA0001.pdf"),
        ("it_chat.txt", "<Media omessi>", "IMG-20230225-WA0001.jpg"),
        (
            "nl_chat.txt",
            "<Media weggelaten>",
            "IMG-20230225-WA0001.jpg",
        ),
        (
            "ru_chat.txt",
            "<Без медиафайлов>",
            "IMG-20230225-WA0001.jpg",
        ),
        ("hi_chat.txt", "<मीडिया के बिना>", "IMG-20230225-WA0001.jpg"),
    ] {
        let (_, m) = read(file);
        assert_eq!(m.len(), 5, "{file}");
        assert_eq!(
            m[1].attachments[0].placeholder.as_deref(),
            Some(omitted),
            "{file}"
        );
        assert_eq!(m[1].text, "", "{file}");
        assert!(m[2].deleted, "{file}");
        assert_eq!(m[2].text, "", "{file}");
        assert!(m[3].edited, "{file}");
        assert!(!m[3].text.contains('<'), "{file}: {}", m[3].text);
        assert_eq!(m[4].attachments[0].name.as_deref(), Some(name), "{file}");
        assert_eq!(local(&m[0]).get(..10), Some("2023-02-05"), "{file}");
        assert_eq!(local(&m[3]).get(..10), Some("2023-02-25"), "{file}");
    }
    let (_, hi) = read("hi_chat.txt");
    assert_eq!(local(&hi[3]), "2023-02-25T22:03:00");
}

#[test]
fn ambiguous_date_order_warns_and_override_applies() {
    let (src, m) = read("ambiguous_chat.txt");
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("date order is ambiguous")
                && w.file.ends_with("ambiguous_chat.txt"))
    );
    assert_eq!(local(&m[0]), "2023-04-03T10:00:00");
    let opts = ParseOptions {
        date_order: Some("mdy".parse::<DateOrder>().unwrap()),
        ..Default::default()
    };
    let mut src = open("ambiguous_chat.txt", &opts);
    let m = messages(&mut src);
    assert_eq!(local(&m[0]), "2023-03-04T10:00:00");
    assert!(
        !src.warnings()
            .iter()
            .any(|w| w.message.contains("ambiguous"))
    );
}

#[test]
fn operator_zone_with_dst_fold_and_gap() {
    let opts = ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("Europe/Berlin").unwrap()),
        ..Default::default()
    };
    let mut src = open("dst_chat.txt", &opts);
    let m = messages(&mut src);
    assert_eq!(m.len(), 5);
    assert!(
        m.iter()
            .all(|x| x.time_source == TimeSource::AssumedOperatorZone)
    );
    assert_eq!(utc(&m[0]), "2023-10-28T23:59:00Z");
    // Fold: the earlier instant; the two identical messages keep their order and distinct ids.
    assert_eq!(utc(&m[1]), "2023-10-29T00:30:00Z");
    assert_eq!(utc(&m[2]), "2023-10-29T00:30:00Z");
    assert_ne!(m[1].id, m[2].id);
    assert!(m[1].seq < m[2].seq);
    assert_eq!(utc(&m[3]), "2023-10-29T02:10:00Z");
    // Gap: moved forward.
    assert_eq!(local(&m[4]), "2023-03-26T02:30:00");
    assert_eq!(utc(&m[4]), "2023-03-26T01:30:00Z");
    let w = src.warnings();
    assert!(
        w.iter()
            .any(|w| w.line == Some(2) && w.message.contains("earlier instant"))
    );
    assert!(
        w.iter()
            .any(|w| w.line == Some(5) && w.message.contains("gap"))
    );
    assert!(!w.iter().any(|w| w.message.contains("read as UTC")));
}

#[test]
fn custodian_and_title_override_change_the_conversation_key() {
    let opts = ParseOptions {
        custodian: Some("sam@acme.test".into()),
        title: Some("Jordan (Acme)".into()),
        ..Default::default()
    };
    let src = open("WhatsApp Chat with Jordan Miles.txt", &opts);
    let conv = src.conversation();
    assert_eq!(conv.source_key, "whatsapp:sam@acme.test:Jordan (Acme)");
    assert_eq!(
        conv.id,
        chatwarden_model::Conversation::id_for(
            chatwarden_model::Channel::Whatsapp,
            &conv.source_key
        )
    );
    assert_eq!(conv.custodian.as_deref(), Some("sam@acme.test"));
}
