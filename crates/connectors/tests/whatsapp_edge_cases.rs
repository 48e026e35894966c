//! Smaller variants and edge cases, read through `open_bytes`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ExportSource, ParseOptions};
use chatwarden_model::{Message, MessageKind};

fn read(name: &str, text: &str) -> (Box<dyn ExportSource>, Vec<Message>) {
    let mut src =
        chatwarden_connectors::open_bytes(name, text.as_bytes().to_vec(), &ParseOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
    let msgs = src
        .messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (src, msgs)
}

fn locals(m: &[Message]) -> Vec<String> {
    m.iter().map(|x| x.local_time.to_string()).collect()
}

#[test]
fn vietnamese_time_first() {
    let (_, m) = read(
        "vi.txt",
        "[21:41:55, 27/3/22] Minh: Xin chào\n[08:00:00, 28/3/22] Lan: Chào anh\n",
    );
    assert_eq!(locals(&m), ["2022-03-27T21:41:55", "2022-03-28T08:00:00"]);
}

#[test]
fn buddhist_and_japanese_eras() {
    let (_, m) = read(
        "th.txt",
        "[3/18/2565 BE, 14:56:01] Somchai: สวัสดี\n[3/19/2565 BE, 09:00:00] Malee: ครับ\n",
    );
    assert_eq!(locals(&m), ["2022-03-18T14:56:01", "2022-03-19T09:00:00"]);
    let (_, m) = read(
        "ja.txt",
        "[3/18/R4, 14:56:01] 佐藤: こんにちは\n[3/19/R4, 09:00:00] 鈴木: どうも\n",
    );
    assert_eq!(locals(&m), ["2022-03-18T14:56:01", "2022-03-19T09:00:00"]);
}

#[test]
fn bom_inside_the_bracket_and_text_before_the_first_header() {
    let text = "Exported by hand\n[\u{FEFF}27.03.22, 10:00:00] Jonas: Hallo\n[27.03.22, 10:01:00] Anna: Hi\n";
    let (src, m) = read("de_ios.txt", text);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].source.line, 2);
    assert_eq!(locals(&m), ["2022-03-27T10:00:00", "2022-03-27T10:01:00"]);
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("before the first message were skipped"))
    );
}

#[test]
fn impossible_date_is_text_with_a_warning() {
    let text = "28/02/2023, 10:00 - Ana: before\n31/02/2023, 10:01 - Ana: not a real day\n01/03/2023, 09:00 - Ben: after\n";
    let (src, m) = read("pt.txt", text);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].text, "before\n31/02/2023, 10:01 - Ana: not a real day");
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.line == Some(2) && w.message.contains("no valid date"))
    );
}

#[test]
fn system_line_continuation_and_you_events() {
    let text = "1/2/24, 10:00 - You created group \"Ops\"\n1/2/24, 10:01 - You added Kai\nand more\n1/2/24, 10:02 - Kai: hi\n";
    let (src, m) = read("WhatsApp Chat with Ops.txt", text);
    assert!(src.conversation().is_group);
    assert_eq!(m[1].kind, MessageKind::System);
    assert_eq!(m[1].text, "You added Kai\nand more");
    assert_eq!(src.conversation().participants.len(), 1);
}

#[test]
fn colon_terminator_and_semicolon_terminator() {
    let (_, m) = read(
        "a.txt",
        "12.07.2017, 22:35:22: Jan: hoi\n13.07.2017, 09:12:44: Piet: dag\n",
    );
    assert_eq!(m[0].sender.as_deref(), Some("Jan"));
    // rwhatsapp's expected instants: 1499898922 and 1499937164 (GMT).
    assert_eq!(m[0].sent_at.as_second(), 1_499_898_922);
    assert_eq!(m[1].sent_at.as_second(), 1_499_937_164);
    let (_, m) = read(
        "b.txt",
        "12.07.2017 - 22:35:22; Jan: hoi\n13.07.2017 - 09:12:44; Piet: dag\n",
    );
    assert_eq!(m[1].sender.as_deref(), Some("Piet"));
    assert_eq!(m[1].sent_at.as_second(), 1_499_937_164);
}

#[test]
fn out_of_order_lines_keep_file_order() {
    // chat-analytics notes real files with an out-of-order line.
    let text =
        "[15/3/22, 10:00:00] A: one\n[15/3/22, 09:59:00] B: two\n[15/3/22, 10:01:00] A: three\n";
    let (_, m) = read("o.txt", text);
    assert_eq!(m.iter().map(|x| x.seq).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(m[1].text, "two");
    assert!(m[1].sent_at < m[0].sent_at);
}

#[test]
fn english_day_periods_instead_of_am_pm() {
    // iOS in some English regions writes a day period where AM/PM would be.
    let (_, m) = read(
        "_chat.txt",
        "[18/03/2024, 10:10:05 in the morning] Nora Quist: morning\n\
         [18/03/2024, 3:07:00 in the afternoon] Nora Quist: afternoon\n\
         continued\n\
         [18/03/2024, 7:45:30 in the evening] Nora Quist: evening\n\
         [18/03/2024, 11:30:00 at night] Nora Quist: late\n\
         [19/03/2024, 12:15:00 at night] Nora Quist: after midnight\n",
    );
    assert_eq!(
        locals(&m),
        [
            "2024-03-18T10:10:05",
            "2024-03-18T15:07:00",
            "2024-03-18T19:45:30",
            "2024-03-18T23:30:00",
            "2024-03-19T00:15:00",
        ]
    );
    assert_eq!(m[1].text, "afternoon\ncontinued");
    assert!(m.iter().all(|x| x.kind == MessageKind::Message));
}

#[test]
fn blank_lines_after_a_message_are_not_its_text() {
    const CHAT: &str = "1/29/18, 23:58 - Bob: hi\n\
                        \n\
                        1/30/18, 00:13 - Carol: two lines\n\
                        \n\
                        and a blank one inside\n\
                        1/30/18, 00:23 - Dave: Maybe next time!\n";
    let (_, m) = read("_chat.txt", &format!("{CHAT}\n\n\n"));
    let texts: Vec<&str> = m.iter().map(|x| x.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "hi",
            "two lines\n\nand a blank one inside",
            "Maybe next time!"
        ]
    );
    // The text is what the message said whether or not the file has blank lines
    // after it; the id keeps hashing the body as the file wrote it, so ids made
    // by earlier versions stay the same.
    let (_, trimmed) = read("_chat.txt", CHAT);
    assert_eq!(trimmed[0].id, m[0].id);
    assert_eq!(trimmed[2].text, m[2].text);
}

#[test]
fn two_digit_year_first_dates() {
    // `yy-mm-dd`: read year last, these would be 2025-03-21, 2026-03-21, 2002-04-21.
    let (src, m) = read(
        "_chat.txt",
        "21-03-25, 09:05 - Alice Smith: Hello there\n\
         21-03-26, 09:06 - Bob: hi\n\
         21-04-02, 09:07 - Bob: later\n",
    );
    assert_eq!(
        locals(&m),
        [
            "2021-03-25T09:05:00",
            "2021-03-26T09:06:00",
            "2021-04-02T09:07:00"
        ]
    );
    assert!(
        src.warnings()
            .iter()
            .any(|w| w.message.contains("two-digit year first"))
    );
    // An ordinary d/m/yy file is not taken for one.
    let (src, m) = read(
        "_chat.txt",
        "25-03-21, 09:05 - Alice Smith: Hello there\n\
         30-03-21, 09:06 - Bob: hi\n\
         02-04-21, 09:07 - Bob: later\n",
    );
    assert_eq!(locals(&m)[2], "2021-04-02T09:07:00");
    assert!(
        !src.warnings()
            .iter()
            .any(|w| w.message.contains("two-digit year first"))
    );
}

#[test]
fn headers_that_name_no_real_date_are_an_error_not_an_empty_read() {
    // Year, day, month: no order WhatsApp writes reads these as dates.
    let text = "2021-25-03, 09:05 - Alice Smith: Hello there\ncontinued\n\
                2021-26-03, 09:06 - Bob: hi\n";
    let err = chatwarden_connectors::open_bytes(
        "_chat.txt",
        text.as_bytes().to_vec(),
        &ParseOptions::default(),
    )
    .err()
    .expect("an error");
    let msg = err.to_string();
    assert!(msg.starts_with("_chat.txt:1:"), "{msg}");
    assert!(msg.contains("no message header names a real date"), "{msg}");
    // A wrong override says it was the order given.
    let opts = ParseOptions {
        date_order: Some(chatwarden_connectors::DateOrder::Mdy),
        ..Default::default()
    };
    let err = chatwarden_connectors::open_bytes(
        "_chat.txt",
        b"25/03/2021, 09:05 - Alice: hi\n26/03/2021, 09:06 - Bob: hi\n".to_vec(),
        &opts,
    )
    .err()
    .expect("an error");
    assert!(err.to_string().contains("the order given"), "{err}");
}

#[test]
fn an_invalid_first_header_is_reported_as_skipped() {
    let (src, m) = read(
        "_chat.txt",
        "31/02/2021, 09:05 - Alice: bad first date\n\
         13/03/2021, 09:06 - Bob: hi\n",
    );
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].text, "hi");
    let w: Vec<String> = src.warnings().iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains(":1:") && w.contains("no message comes before it: skipped")),
        "{w:?}"
    );
}

#[test]
fn only_a_space_between_time_and_sender() {
    // A layout the npm whatsapp-chat-parser reads (its format 6).
    let (_, m) = read(
        "_chat.txt",
        "13. 6. 2018. 21:25:15 Ana Horvat: dobro jutro\n\
         13. 6. 2018. 21:26:15 Marko: hi\n\
         13. 6. 2018. 21:27 was the time we said\n",
    );
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].sender.as_deref(), Some("Ana Horvat"));
    assert_eq!(locals(&m)[1], "2018-06-13T21:26:15");
    // A date line with no `Name: ` after it is text, not a header.
    assert_eq!(m[1].text, "hi\n13. 6. 2018. 21:27 was the time we said");
}

#[test]
fn lines_of_another_layout_are_text_and_counted_in_one_warning() {
    let (src, m) = read(
        "_chat.txt",
        "12/03/2023, 09:00 - Priya: quoting the other chat:\n\
         [12/03/2023, 08:55:10] Tom: the price is 41.50\n\
         [12/03/2023, 08:56:00] Tom: confirmed\n\
         12/03/2023, 09:01 - Tom: thanks\n",
    );
    assert_eq!(m.len(), 2);
    assert!(m[0].text.ends_with("[12/03/2023, 08:56:00] Tom: confirmed"));
    let w: Vec<String> = src.warnings().iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("_chat.txt:2:") && w.contains("2 line(s) from here on")),
        "{w:?}"
    );
}
