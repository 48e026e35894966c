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
    // todo (待办): title and content, a known type (no warning).
    assert_eq!(m[9].text, "周五前提交报销\n发票原件交财务");
    assert!(
        !src.warnings()
            .iter()
            .any(|w| w.message.contains("is not known")),
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
    assert_eq!(
        m[0].text,
        "meeting voice call from wo2oKWDAAAvRA0j_VYUjnTj55d2G1wNA, ended 2024-06-03T02:03:20Z"
    );
    assert_eq!(m[0].sender, None);
    // The recording is named by its sdkfileid only: an attachment never included.
    assert_eq!(
        (m[0].attachments[0].kind, m[0].attachments[0].included),
        (MediaKind::Audio, false)
    );
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

// ------------------------------------------------------------------------
// types.jsonl: one record of every other documented type, in a room and a 1:1
// chat with an external contact (field layouts from the 会话内容存档 message
// formats, developer.work.weixin.qq.com/document/path/91774, as reproduced in
// the SDK wrappers named in docs/formats/wecom.md).

const TROOM: &str = "wrOgQhDgAAcwMTB7YmDkbeBsgT_KAAAA";
const TEXT: &str = "wmOgQhDgAAuXFJGwbve4g4iARSPW9nlQ";
const TBOT: &str = "wbOgQhDgAAgm3bN0M1rOqXfqbJk9BvAw";

fn placeholders(m: &Message) -> Vec<(MediaKind, Option<&str>, &str)> {
    m.attachments
        .iter()
        .map(|a| {
            assert!(!a.included, "WeCom media never come with the records");
            (
                a.kind,
                a.name.as_deref(),
                a.placeholder.as_deref().unwrap_or(""),
            )
        })
        .collect()
}

#[test]
fn every_other_record_type_in_a_room() {
    let mut convs = all("types.jsonl");
    assert_eq!(convs.len(), 2);
    let src = &mut convs[0];
    let conv = src.conversation().clone();
    assert_eq!(conv.source_key, format!("wecom:room:{TROOM}"));
    assert!(conv.is_group);
    let people: Vec<_> = conv
        .participants
        .iter()
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(people, ["chenjing", "liuyang", "wangfang", TEXT, TBOT]);
    let m = read_all(src);
    assert_eq!(m.len(), 20);
    // One record a minute from 01:00 UTC, in file order, ids from msgids.
    for (i, x) in m.iter().enumerate() {
        assert_eq!(x.seq, i as u64);
        assert_eq!(x.source.line, i as u64 + 1);
        assert_eq!(
            x.sent_at.to_string(),
            format!("2024-07-01T01:{:02}:00Z", i),
            "{i}"
        );
        assert_eq!(x.time_source, TimeSource::NativeUtc);
        assert!(!x.deleted && !x.edited);
    }
    assert_eq!(
        m[4].id,
        Message::native_id(&conv.id, "7800000000000000045_1719795840")
    );
    let senders: Vec<Option<&str>> = m.iter().map(|x| x.sender.as_deref()).collect();
    assert_eq!(
        senders,
        [
            Some("chenjing"),
            Some("chenjing"),
            Some("liuyang"),
            Some("wangfang"),
            Some("chenjing"),
            Some("liuyang"),
            Some("wangfang"),
            Some("chenjing"),
            Some(TEXT),
            Some(TBOT),
            Some(TBOT),
            Some("wangfang"),
            Some("liuyang"),
            Some(TEXT),
            Some("liuyang"),
            Some("chenjing"),
            Some("wangfang"),
            None,
            Some("liuyang"),
            Some("wangfang"),
        ]
    );
    let texts: Vec<&str> = m.iter().map(|x| x.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "下午三点项目评审，请准时参加",
            // meeting: an invitation (meetingtype 101), times in seconds, as UTC.
            "Q3 项目评审\n2024-07-01T07:00:00Z – 2024-07-01T08:00:00Z\n3楼 大会议室\n带上预算表",
            // a reply to it (meetingtype 102, status 2).
            "Q3 项目评审\n2024-07-01T07:00:00Z – 2024-07-01T08:00:00Z\nreply: declined",
            "供应商对账\nby 王芳\n2024-07-02T06:00:00Z – 2024-07-02T07:30:00Z\n线上\nattendees: 陈静, 刘洋\n准备6月流水",
            // vote: started (votetype 101), then a ballot (102) with its fields at the top level.
            "vote: 团建地点\n- 青岛\n- 杭州\n- 成都",
            "voted: 团建地点\n- 杭州",
            "form: 出差信息登记\nby 王芳 in 华南项目组 at 2024-07-01 09:06:00\n- 姓名 (Text)\n- 出发日期 (Date)\n- 预算(元) (Number)",
            // red packets: totalamount in fen.
            "red packet: 恭喜发财，大吉大利 (3 packets, 66.00 CNY in total)",
            "red packet: 合作愉快 (1 packet, 200.00 CNY in total)",
            // news and markdown: the body under `info`.
            "7月排班表\n点击查看本月排班\nhttps://work.example.com/shift/7\n安全须知\nhttps://work.example.com/safety",
            "**告警** 服务器 `db-2` 磁盘使用率 91%",
            "对账单如下\n有问题找我",
            "刘洋和客户的聊天记录\n发票抬头已更新\n[image]\n合同_v3.pdf\n物流查询",
            "广州塔\n广东省广州市海珠区阅江西路222号",
            "",
            "Q3 预算模板\n财务部共享\nhttps://doc.example.com/budget-q3",
            "",
            "会议「Q3 项目评审」将于15:00开始 (meeting 1210342560)",
            "周五前提交发票\n抄送财务",
            "新功能\n占位内容",
        ]
    );
    let kinds: Vec<usize> = m
        .iter()
        .enumerate()
        .filter(|(_, x)| x.kind == MessageKind::System)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        kinds,
        [17],
        "only the meeting notification is a system event"
    );
    // chatrecord: a forwarded bundle.
    assert_eq!(m[12].forwarded_from.as_deref(), Some(""));
    assert!(
        m.iter()
            .enumerate()
            .all(|(i, x)| (i == 12) == x.forwarded_from.is_some())
    );
    // Media named with what a later download is checked against.
    assert_eq!(
        placeholders(&m[11]),
        [(
            MediaKind::Image,
            None,
            "[image] md5 368b6c18c82e6441bfd89b343e9d2429, 13177 bytes"
        )]
    );
    assert_eq!(
        placeholders(&m[13]),
        [(MediaKind::Location, None, "[location] 23.099994, 113.32452")]
    );
    assert_eq!(
        placeholders(&m[14]),
        [(
            MediaKind::Sticker,
            None,
            "[emotion] md5 94c2b0bba52cc456cb8221b248096612, 36122 bytes"
        )]
    );
    assert_eq!(
        placeholders(&m[16]),
        [(
            MediaKind::Document,
            Some("2024Q2_报表.xlsx"),
            "[qydiskfile]"
        )]
    );
    let with_media: Vec<usize> = m
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.attachments.is_empty())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(with_media, [11, 13, 14, 16]);
    // Only the type nobody documents is warned about, once, with its line and
    // without the record's text.
    let unknown: Vec<_> = src
        .warnings()
        .iter()
        .filter(|w| w.message.contains("is not known"))
        .collect();
    assert_eq!(unknown.len(), 1, "{:?}", src.warnings());
    assert_eq!(unknown[0].line, Some(20));
    assert!(unknown[0].message.contains("\"future_kind\""));
    assert!(!unknown[0].message.contains("新功能"));
}

#[test]
fn every_other_record_type_one_to_one_and_calls() {
    let mut convs = all("types.jsonl");
    let src = &mut convs[1];
    let conv = src.conversation().clone();
    // Room-less call records (no `roomid` key) join the 1:1 chat of their people.
    assert_eq!(conv.source_key, format!("wecom:chat:liuyang|{TEXT}"));
    assert!(!conv.is_group);
    let m = read_all(src);
    assert_eq!(m.len(), 7);
    let times: Vec<String> = m.iter().map(|x| x.sent_at.to_string()).collect();
    assert_eq!(
        times,
        [
            "2024-07-01T02:00:00Z",
            "2024-07-01T02:01:00Z",
            "2024-07-01T02:02:00Z",
            "2024-07-01T02:03:00Z",
            "2024-07-01T02:10:00Z",
            "2024-07-01T02:20:00Z",
            "2024-07-01T02:25:00Z",
        ]
    );
    assert_eq!(m[0].source.line, 21);
    assert_eq!(
        m[1].id,
        Message::native_id(&conv.id, "9100000000002304038_1719799260_external")
    );
    let senders: Vec<Option<&str>> = m.iter().map(|x| x.sender.as_deref()).collect();
    assert_eq!(
        senders,
        [
            Some("liuyang"),
            Some(TEXT),
            Some("liuyang"),
            Some(TEXT),
            None,
            Some("liuyang"),
            None
        ]
    );
    let texts: Vec<&str> = m.iter().map(|x| x.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "开始聊天前请仔细阅读服务须知事项\n客户需同意存档聊天记录\n服务须知",
            "云游天地旅行家\n瑞士丨盖尔默缆车，名副其实的过山车~\n\n#旅行#风景",
            "华南贸易有限公司\nwangfang",
            "邀请你加入群聊\n技术支持群，进入可查看详情\nhttps://work.weixin.qq.com/wework_admin/external_room/join/exceed?vcode=x",
            "voice call from liuyang, 125 s",
            "shared in a call",
            &format!(
                "meeting voice call from liuyang, ended 2024-07-01T02:24:30Z\nliuyang showed 报价方案.pdf\n{TEXT} shared the screen"
            ),
        ]
    );
    let system: Vec<bool> = m.iter().map(|x| x.kind == MessageKind::System).collect();
    assert_eq!(system, [false, false, false, false, true, false, true]);
    assert_eq!(placeholders(&m[2]), [(MediaKind::Contact, None, "[card]")]);
    assert_eq!(
        placeholders(&m[5]),
        [(
            MediaKind::Document,
            Some("报价方案.pdf"),
            "[voip_doc_share] md5 ff893900f24e55e216e617a40e5c4648, 4400654 bytes"
        )]
    );
    assert_eq!(
        placeholders(&m[6]),
        [
            (MediaKind::Audio, None, "[meeting_voice_call]"),
            (MediaKind::Document, Some("报价方案.pdf"), "[demofiledata]")
        ]
    );
    assert!(
        !src.warnings()
            .iter()
            .any(|w| w.message.contains("is not known")),
        "{:?}",
        src.warnings()
    );
}
