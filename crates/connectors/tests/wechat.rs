//! WeChat: WeChatMsg/MemoTrace CSV (1:1 with every message type, group with
//! system lines, local times only) and ChatLab JSON / JSON lines; detection; bad
//! input. Fixtures are synthetic, written from the column and field lists in
//! formats.md §9 (WeChatMsg `exporter_csv.py`, ChatLab format v0.0.2).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ConnectorError, ExportSource, Format, ParseOptions};
use chatwarden_model::{Channel, MediaKind, Message, MessageKind, TimeSource};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wechat")
        .join(name)
}

fn open(name: &str, opts: &ParseOptions) -> Box<dyn ExportSource> {
    chatwarden_connectors::open(&fixture(name), opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_all(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    src.messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn names(src: &dyn ExportSource) -> Vec<String> {
    src.conversation()
        .participants
        .iter()
        .map(|p| p.display_name.clone())
        .collect()
}

#[test]
fn csv_one_to_one_every_type() {
    let mut src = open("张伟_utf8.csv", &ParseOptions::default());
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Wechat);
    assert_eq!(conv.title, "张伟");
    assert_eq!(conv.source_key, "wechat::wxid_zhangwei88");
    assert!(!conv.is_group);
    assert_eq!(names(src.as_ref()), ["张伟", "Me"]);
    assert!(conv.participants[1].is_self && !conv.participants[0].is_self);

    let m = read_all(&mut src);
    assert_eq!(m.len(), 14);
    // Text: native id from localId + CreateTime, UTC from the epoch, wall clock as written.
    assert_eq!(m[0].id, Message::native_id(&conv.id, "101:1709601300"));
    assert_eq!(m[0].sender.as_deref(), Some("张伟"));
    assert_eq!(m[0].text, "王经理，早上好。合同草稿今天能发过来吗？");
    assert_eq!(m[0].sent_at.to_string(), "2024-03-05T01:15:00Z");
    assert_eq!(m[0].local_time.to_string(), "2024-03-05T09:15:00");
    assert_eq!(m[0].time_source, TimeSource::NativeUtc);
    assert_eq!(m[0].source.line, 2);
    // A quoted field with newlines: one message, lines kept; the next row's line follows.
    assert_eq!(m[1].sender.as_deref(), Some("Me"));
    assert_eq!(
        m[1].text,
        "可以，下午发。\n注意：价格条款还在审批，\n请勿外传。"
    );
    assert_eq!(m[1].source.line, 3);
    assert_eq!(m[2].source.line, 6);
    // Media: named only, never included.
    let kinds: Vec<_> = m[2..6].iter().map(|x| x.attachments[0].kind).collect();
    assert_eq!(
        kinds,
        [
            MediaKind::Image,
            MediaKind::Audio,
            MediaKind::Video,
            MediaKind::Sticker
        ]
    );
    assert_eq!(m[2].attachments[0].placeholder.as_deref(), Some("[图片]"));
    assert!(m[2..6].iter().all(|x| !x.attachments[0].included));
    // App messages (type 49): file, link, quote-reply.
    assert_eq!(m[6].attachments[0].kind, MediaKind::Document);
    assert_eq!(
        m[6].attachments[0].name.as_deref(),
        Some("合同草稿_v3.docx")
    );
    assert_eq!(
        m[7].text,
        "季度采购价格表 & 说明\n内部资料\nhttps://example.com/p?id=7&k=2"
    );
    assert_eq!(m[8].text, "收到，卡号 6222 0200 1234 5678 的付款已安排");
    assert_eq!(m[8].kind, MessageKind::Message);
    // Recalls (type 10000) are system events, the re-edit link dropped.
    assert_eq!(m[9].kind, MessageKind::System);
    assert_eq!(m[9].sender, None);
    assert_eq!(m[9].text, "\"张伟\" 撤回了一条消息");
    assert_eq!(m[10].text, "你撤回了一条消息");
    // A call (50) is a system event; a merged forward (49/19) is forwarded.
    assert_eq!(
        (m[11].kind, m[11].text.as_str()),
        (MessageKind::System, "call (VoIP)")
    );
    assert_eq!(m[12].forwarded_from.as_deref(), Some(""));
    assert_eq!(m[12].text, "群聊的聊天记录\n李娜: 发票已开\n王芳: 好的");
    // Location (48): the place's name and address are text; a location attachment.
    assert_eq!(m[13].text, "和平饭店\n上海市黄浦区南京东路100号");
    assert_eq!(m[13].attachments[0].kind, MediaKind::Location);
    assert!(src.warnings().is_empty(), "{:?}", src.warnings());
    // Reading twice gives the same ids.
    let again = read_all(&mut src);
    assert_eq!(
        again.iter().map(|x| &x.id).collect::<Vec<_>>(),
        m.iter().map(|x| &x.id).collect::<Vec<_>>()
    );
}

#[test]
fn csv_group_with_system_lines_and_custodian() {
    let opts = ParseOptions {
        custodian: Some("wang.jun".into()),
        ..Default::default()
    };
    let mut src = open("华东采购群_utf8.csv", &opts);
    let conv = src.conversation().clone();
    assert!(conv.is_group);
    assert_eq!(conv.title, "华东采购群");
    assert_eq!(conv.source_key, "wechat:wang.jun:20547718899@chatroom");
    assert_eq!(names(src.as_ref()), ["李娜", "芳姐", "王经理"]);
    assert!(conv.participants[2].is_self);
    let m = read_all(&mut src);
    assert_eq!(m.len(), 7);
    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(m[0].text, "\"李娜\"邀请\"王芳\"加入了群聊");
    assert_eq!(m[2].sender.as_deref(), Some("芳姐"));
    // Three "收到" in one minute: three messages, three ids.
    let ids: std::collections::HashSet<_> = m[3..6].iter().map(|x| x.id.clone()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(m[3].sender.as_deref(), Some("王经理"));
    // A revokemsg sysmsg (10002) reads as its replacement text.
    assert_eq!(m[6].kind, MessageKind::System);
    assert_eq!(m[6].text, "\"王芳\" 撤回了一条消息");
}

#[test]
fn csv_local_times_follow_tz() {
    let mut src = chatwarden_connectors::open(
        &fixture("strtime_only.csv"),
        &ParseOptions {
            format: Some(Format::Wechat),
            ..Default::default()
        },
    )
    .unwrap();
    let m = read_all(&mut src);
    assert_eq!(m[0].time_source, TimeSource::AssumedUtc);
    assert_eq!(m[0].sent_at.to_string(), "2024-11-03T01:30:00Z");
    // 01:30 on 3 Nov 2024 happens twice in New York: the earlier (EDT) is taken.
    let opts = ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("America/New_York").unwrap()),
        ..Default::default()
    };
    let mut src = open("strtime_only.csv", &opts);
    let m = read_all(&mut src);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].time_source, TimeSource::AssumedOperatorZone);
    assert_eq!(m[0].sent_at.to_string(), "2024-11-03T05:30:00Z");
    assert_eq!(m[0].local_time.to_string(), "2024-11-03T01:30:00");
    assert_eq!(m[1].sent_at.to_string(), "2024-11-03T14:00:00Z");
    assert_eq!(names(src.as_ref()), ["陈杰", "Me"]);
}

#[test]
fn chatlab_json_group() {
    let mut src = open("chatlab_group.json", &ParseOptions::default());
    let conv = src.conversation().clone();
    assert_eq!(conv.channel, Channel::Wechat);
    assert_eq!(conv.title, "华南销售群");
    assert_eq!(conv.source_key, "chatlab:wechat::38988428513@chatroom");
    assert!(conv.is_group);
    // Members first, then senders the member list lacks; the system sender is not one.
    assert_eq!(names(src.as_ref()), ["刘洋", "赵磊", "孙丽", "钱多多"]);
    assert!(conv.participants[0].is_self);
    let m = read_all(&mut src);
    assert_eq!(m.len(), 9);
    assert_eq!(m[0].id, Message::native_id(&conv.id, "5012001"));
    assert_eq!(m[0].sent_at.to_string(), "2024-04-01T02:00:00Z");
    assert_eq!(m[0].time_source, TimeSource::NativeUtc);
    assert_eq!(m[0].source.line, 36);
    assert_eq!(m[8].source.line, 103);
    assert_eq!(m[1].reply_to.as_ref(), Some(&m[0].id));
    assert_eq!(m[1].text, "收到，客户电话 138 0013 8000");
    assert_eq!(m[2].attachments[0].kind, MediaKind::Image);
    assert_eq!(m[2].attachments[0].placeholder.as_deref(), Some("[图片]"));
    assert_eq!(m[2].sender.as_deref(), Some("孙丽"));
    assert_eq!(m[3].attachments[0].name.as_deref(), Some("回款明细.xlsx"));
    assert_eq!(m[3].attachments[0].kind, MediaKind::Document);
    // Recall (81) and system (80): events without a sender.
    assert_eq!(
        (m[4].kind, m[4].sender.as_deref()),
        (MessageKind::System, None)
    );
    assert_eq!(m[4].text, "\"赵磊\" 撤回了一条消息");
    assert_eq!(m[5].kind, MessageKind::System);
    assert_eq!(m[6].text, "[链接] 报价系统 https://crm.example.com/q/77");
    assert_eq!(m[7].forwarded_from.as_deref(), Some(""));
    assert_eq!(m[8].attachments[0].kind, MediaKind::Location);
    assert_eq!(m[8].text, "深圳市南山区科技园");
}

#[test]
fn chatlab_jsonl_private() {
    let opts = ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()),
        ..Default::default()
    };
    let mut src = open("chatlab_private.jsonl", &opts);
    let conv = src.conversation().clone();
    assert_eq!(conv.title, "周敏");
    assert!(!conv.is_group);
    assert_eq!(names(src.as_ref()), ["刘洋", "周敏"]);
    let m = read_all(&mut src);
    assert_eq!(m.len(), 5);
    // Line numbers count the comment and member rows.
    assert_eq!(m[0].source.line, 5);
    assert_eq!(m[0].local_time.to_string(), "2024-04-01T11:00:00");
    assert_eq!(m[0].sent_at.to_string(), "2024-04-01T03:00:00Z");
    // No platformMessageId: derived ids; two identical "在" in one second stay two.
    assert_eq!((m[1].text.as_str(), m[2].text.as_str()), ("在", "在"));
    assert_ne!(m[1].id, m[2].id);
    assert_eq!(m[3].attachments[0].kind, MediaKind::Audio);
    assert_eq!(
        (m[4].kind, m[4].text.as_str()),
        (MessageKind::System, "通话时长 02:03")
    );
    // Ids do not depend on --tz.
    let mut utc = open("chatlab_private.jsonl", &ParseOptions::default());
    let m2 = read_all(&mut utc);
    assert_eq!(m2[1].id, m[1].id);
    assert_ne!(m2[0].local_time, m[0].local_time);
}

#[test]
fn detection_and_names() {
    for name in [
        "张伟_utf8.csv",
        "chatlab_group.json",
        "chatlab_private.jsonl",
    ] {
        let src = open(name, &ParseOptions::default());
        assert_eq!(src.conversation().channel, Channel::Wechat, "{name}");
    }
    assert_eq!("wechat".parse::<Format>(), Ok(Format::Wechat));
    assert_eq!("ChatLab".parse::<Format>(), Ok(Format::Wechat));
    assert!(Format::all().contains(&Format::Wechat));
    let bytes = std::fs::read(fixture("chatlab_private.jsonl")).unwrap();
    let mut src =
        chatwarden_connectors::open_bytes("chat.jsonl", bytes, &ParseOptions::default()).unwrap();
    assert_eq!(read_all(&mut src).len(), 5);
}

fn open_err(name: &str, opts: &ParseOptions) -> ConnectorError {
    match chatwarden_connectors::open(&fixture(name), opts) {
        Ok(mut src) => match src.messages() {
            Ok(it) => it
                .filter_map(Result::err)
                .next()
                .unwrap_or_else(|| panic!("{name} read without error")),
            Err(e) => e,
        },
        Err(e) => e,
    }
}

#[test]
fn bad_input_names_file_and_line() {
    let e = open_err("bad_time.csv", &ParseOptions::default());
    let s = e.to_string();
    assert!(
        matches!(e, ConnectorError::Malformed { line: 3, .. }),
        "{s}"
    );
    assert!(
        s.contains("bad_time.csv:3:") && s.contains("CreateTime") && s.contains("yesterday"),
        "{s}"
    );

    let forced = ParseOptions {
        format: Some(Format::Wechat),
        ..Default::default()
    };
    let s = open_err("no_type_column.csv", &forced).to_string();
    assert!(
        s.contains("no_type_column.csv:1:") && s.contains("`Type`"),
        "{s}"
    );

    let e = open_err("bad_line.jsonl", &ParseOptions::default());
    assert!(
        matches!(e, ConnectorError::Malformed { line: 4, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("bad_line.jsonl:4:"));

    let e = open_err("truncated.json", &ParseOptions::default());
    assert!(matches!(e, ConnectorError::Malformed { .. }), "{e}");
    assert!(e.to_string().contains("truncated.json:"));

    // Another format's file forced as WeChat: a clear error, no panic.
    let discord =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discord/dm_utc.json");
    let e = chatwarden_connectors::open(&discord, &forced)
        .err()
        .unwrap();
    assert!(e.to_string().contains("dm_utc.json"), "{e}");
}

#[test]
fn oversized_csv_row_is_refused_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big_utf8.csv");
    let mut body = String::from(
        "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\r\n1,wxid_a,1,0,0,1709601300,2,ok,,A,A,\r\n2,wxid_a,1,0,0,1709601301,2,\"",
    );
    body.push_str(&"x".repeat(8 << 20));
    body.push_str("\",,A,A,\r\n");
    std::fs::write(&path, body).unwrap();
    let e = chatwarden_connectors::open(&path, &ParseOptions::default())
        .err()
        .unwrap();
    assert!(
        matches!(e, ConnectorError::MessageTooLong { line: 3, .. }),
        "{e}"
    );
}
