//! WeCom session-archive records: an interleaved JSON-lines pull with every
//! documented record type (formats.md §10.2, the doc examples' shapes), a JSON
//! array, a single object; grouping, recalls, consent records, switch, msgtime 0;
//! bad input. Fixtures are synthetic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions};
use chatwarden_model::{Channel, MediaKind, Message, MessageKind, TimeSource};
use std::path::PathBuf;

const EXT: &str = "wmErxtDgAA9AW32YyyuYRimKr7D1KWlw";
const ROOM: &str = "wrjc7bDwYAySjlsA9uKaG_vEOL7-LXnw";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wecom")
        .join(name)
}

fn all(name: &str) -> Vec<Box<dyn ExportSource>> {
    chatwarden_connectors::open_all(&fixture(name), &ParseOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_all(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    src.messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

#[test]
fn interleaved_pull_is_grouped_into_conversations() {
    let mut convs = all("archive.jsonl");
    let keys: Vec<_> = convs
        .iter()
        .map(|c| c.conversation().source_key.clone())
        .collect();
    assert_eq!(
        keys,
        [
            format!("wecom:chat:{EXT}|zhangsan"),
            format!("wecom:room:{ROOM}"),
            "wecom:switch:XuJinSheng".to_owned(),
            "wecom:chat:lisi|wo2oKWDAAAvRA0j_VYUjnTj55d2G1wNA|zhangsan".to_owned(),
        ]
    );
    let counts: Vec<usize> = convs.iter_mut().map(|c| read_all(c).len()).collect();
    assert_eq!(counts, [10, 10, 1, 1]);
    assert!(
        convs
            .iter()
            .all(|c| c.conversation().channel == Channel::Wecom)
    );
    let groups: Vec<bool> = convs.iter().map(|c| c.conversation().is_group).collect();
    assert_eq!(groups, [false, true, false, true]);
}

#[test]
fn room_messages_recalls_and_media() {
    let mut convs = all("archive.jsonl");
    let src = &mut convs[1];
    let conv = src.conversation().clone();
    assert_eq!(conv.title, ROOM);
    let people: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(people, ["lisi", "zhangsan", "wangwu", EXT]);
    let m = read_all(src);
    // Text, later recalled: kept, marked deleted; id from msgid; UTC from ms.
    assert_eq!(
        m[0].id,
        Message::native_id(&conv.id, "CAQQ2fbb4QUY0On2rYSAgAMgip/yzgs=")
    );
    assert_eq!(m[0].sender.as_deref(), Some("lisi"));
    assert_eq!(m[0].text, "本月回款账号：6222 0200 1234 5678");
    assert!(m[0].deleted);
    assert_eq!(m[0].sent_at.to_string(), "2024-06-03T02:00:05Z");
    assert_eq!(m[0].time_source, TimeSource::NativeUtc);
    assert_eq!(m[0].source.line, 2);
    // Image: named with md5 and size, never included.
    let a = &m[1].attachments[0];
    assert_eq!((a.kind, a.included), (MediaKind::Image, false));
    assert_eq!(
        a.placeholder.as_deref(),
        Some("[image] md5 50de8e5ae8ffe4f1df7a93841f71993a, 70961 bytes")
    );
    assert!(!m[1].deleted);
    // The recall itself: a system event pointing at the original.
    assert_eq!(m[2].kind, MessageKind::System);
    assert_eq!(m[2].text, "lisi recalled a message");
    assert_eq!(m[2].reply_to.as_ref(), Some(&m[0].id));
    assert_eq!(m[2].sender, None);
    // A recall whose original is in an earlier pull: the event names it.
    assert_eq!(
        m[3].text,
        "wangwu recalled message 14527413151758933201_1603876111 (the original is not in this file)"
    );
    // Body keys that are not the type's name: markdown → info, docmsg → doc.
    assert_eq!(m[4].text, "**周会**\n> 客户名单见附件");
    assert_eq!(m[5].text, "回款明细\nhttps://doc.weixin.qq.com/s/abc");
    // mixed: JSON inside strings.
    assert_eq!(m[6].text, "合同见图");
    assert_eq!(m[6].attachments[0].kind, MediaKind::Image);
    assert_eq!(m[7].text, "广州塔\n广东省广州市天河区珠江新城");
    assert_eq!(m[7].attachments[0].kind, MediaKind::Location);
    assert_eq!(m[8].attachments[0].kind, MediaKind::Sticker);
    // A type this reader does not model: its text fields kept, a warning.
    assert_eq!(m[9].text, "周五前提交报销\n发票原件交财务");
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("\"todo\"") && w.line == Some(20)),
        "{:?}",
        src.warnings()
    );
}

#[test]
fn one_to_one_consent_files_and_nested_records() {
    let opts = ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()),
        custodian: Some("zhangsan".into()),
        ..Default::default()
    };
    let mut src = chatwarden_connectors::open(&fixture("archive.jsonl"), &opts).unwrap();
    let conv = src.conversation().clone();
    assert_eq!(conv.title, format!("{EXT} ↔ zhangsan"));
    assert!(!conv.is_group);
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("file holds 4 conversations"))
    );
    let m = read_all(&mut src);
    assert_eq!(m.len(), 10);
    assert_eq!(m[0].text, "王总您好，报价单稍后发您");
    assert_eq!(m[0].local_time.to_string(), "2024-06-03T10:00:00");
    assert_eq!(m[0].sent_at.to_string(), "2024-06-03T02:00:00Z");
    let f = &m[1].attachments[0];
    assert_eq!(f.kind, MediaKind::Document);
    assert_eq!(f.name.as_deref(), Some("报价单_2024Q3.xlsx"));
    // Consent records: system events naming the external contact.
    assert_eq!(m[2].kind, MessageKind::System);
    assert_eq!(m[2].text, format!("{EXT} agreed to session archiving"));
    assert_eq!(
        m[2].id,
        Message::native_id(&conv.id, "13994179567758930587_1603875931_external")
    );
    assert_eq!(m[8].text, format!("{EXT} disagreed with session archiving"));
    assert_eq!(
        m[3].text,
        "企业微信报价系统\nQ3 价格\nhttps://work.example.com/q/3"
    );
    // chatrecord: a forwarded bundle, inner JSON strings read.
    assert_eq!(m[4].forwarded_from.as_deref(), Some(""));
    assert_eq!(m[4].text, "群聊的聊天记录\n价格已确认\n合同.pdf");
    assert_eq!(m[5].attachments[0].kind, MediaKind::Contact);
    assert_eq!(m[5].text, "华南贸易有限公司\nwmAAAcard");
    assert_eq!(m[6].attachments[0].kind, MediaKind::Audio);
    assert_eq!(m[6].sender.as_deref(), Some(EXT));
    assert_eq!(m[7].attachments[0].kind, MediaKind::Video);
    // msgtime 0 (a documented example): the epoch, with a warning.
    assert_eq!(m[9].sent_at.to_string(), "1970-01-01T00:00:00Z");
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("msgtime 0"))
    );
}

#[test]
fn switch_and_room_less_meeting_call() {
    let mut convs = all("archive.jsonl");
    let m = read_all(&mut convs[2]);
    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(m[0].text, "XuJinSheng switched enterprise");
    assert_eq!(m[0].sent_at.to_string(), "2024-06-03T02:00:50Z");
    let m = read_all(&mut convs[3]);
    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(m[0].text, "meeting voice call");
}

#[test]
fn array_and_single_object_files() {
    let mut convs = all("records.json");
    assert_eq!(convs.len(), 1);
    let m = read_all(&mut convs[0]);
    let texts: Vec<_> = m.iter().map(|x| x.text.as_str()).collect();
    assert_eq!(texts, ["数组格式第一条", "第二条", "第三条"]);
    assert_eq!(m[0].source.line, 2);
    let mut one = all("single.json");
    let m = read_all(&mut one[0]);
    assert_eq!(m.len(), 1);
    assert_eq!(one[0].conversation().source_key, "wecom:chat:lisi|wangwu");
    // Re-reading the same records gives the same ids (idempotent re-import).
    let again = read_all(&mut one[0]);
    assert_eq!(again[0].id, m[0].id);
}

#[test]
fn detection_and_names() {
    for name in ["archive.jsonl", "records.json", "single.json"] {
        let src = chatwarden_connectors::open(&fixture(name), &ParseOptions::default()).unwrap();
        assert_eq!(src.conversation().channel, Channel::Wecom, "{name}");
    }
    assert_eq!("WeCom".parse::<Format>(), Ok(Format::Wecom));
    assert_eq!("wework".parse::<Format>(), Ok(Format::Wecom));
    let bytes = std::fs::read(fixture("records.json")).unwrap();
    let mut src =
        chatwarden_connectors::open_bytes("pull.json", bytes, &ParseOptions::default()).unwrap();
    assert_eq!(read_all(&mut src).len(), 3);
}

fn open_err(name: &str) -> ConnectorError {
    chatwarden_connectors::open_all(&fixture(name), &ParseOptions::default())
        .err()
        .unwrap_or_else(|| panic!("{name} opened"))
}

#[test]
fn bad_input_names_file_and_line() {
    let e = open_err("bad_time.jsonl");
    assert!(
        matches!(e, ConnectorError::Malformed { line: 3, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("bad_time.jsonl:3:") && e.to_string().contains("soon"));
    let e = open_err("no_msgid.jsonl");
    assert!(
        matches!(e, ConnectorError::Malformed { line: 2, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("without msgid"), "{e}");
    let e = open_err("truncated.json");
    assert!(matches!(e, ConnectorError::Malformed { .. }), "{e}");
    assert!(e.to_string().contains("truncated.json:"), "{e}");
    // Records that are not objects, forced as WeCom.
    let forced = ParseOptions {
        format: Some(Format::Wecom),
        ..Default::default()
    };
    let e = chatwarden_connectors::open_bytes("x.json", b"[1, 2]".to_vec(), &forced)
        .err()
        .unwrap();
    assert!(e.to_string().starts_with("x.json:1: "), "{e}");
    let e = chatwarden_connectors::open_bytes("empty.json", b"  ".to_vec(), &forced)
        .err()
        .unwrap();
    assert!(matches!(e, ConnectorError::NotRecognized { .. }), "{e}");
}
