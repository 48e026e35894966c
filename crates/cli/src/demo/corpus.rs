//! The demo's sample corpus: WhatsApp exports as the app writes them, from both
//! platforms and several locales, with media, system lines, deleted and edited
//! messages, and planted sensitive data for the inspection stage; a WhatsApp Desktop
//! export; a Telegram chat; and a Slack workspace export of ordinary internal talk.
//!
//! Everything here is synthetic: the people, companies and numbers are made up.
//! Card numbers are issuers' published test numbers; IBANs are the registries'
//! published examples.

use anyhow::{Context as _, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One value planted in the corpus that inspection must find.
pub struct Planted {
    pub entity: &'static str,
    pub value: &'static str,
}

/// The planted values, by the entity that should report them.
pub const PLANTED: &[Planted] = &[
    Planted {
        entity: "US_SSN",
        value: "512-48-7731",
    },
    Planted {
        entity: "DATE_OF_BIRTH",
        value: "14 May 1979",
    },
    Planted {
        entity: "IBAN_CODE",
        value: "GB82 WEST 1234 5698 7654 32",
    },
    Planted {
        entity: "EMAIL_ADDRESS",
        value: "maria.lopez@lopezfamilyoffice.com",
    },
    Planted {
        entity: "CREDIT_CARD",
        value: "5555 5555 5555 4444",
    },
    Planted {
        entity: "IBAN_CODE",
        value: "DE89 3704 0044 0532 0130 00",
    },
    Planted {
        entity: "VERIFICATION_CODE",
        value: "731905",
    },
    Planted {
        entity: "AWS_ACCESS_KEY",
        value: "AKIA4QX7ZP2LJRKD3MWN",
    },
    Planted {
        entity: "PASSWORD",
        value: "Falcon#2026!",
    },
    Planted {
        entity: "CONFIDENTIAL_MARKER",
        value: "Strictly confidential",
    },
    Planted {
        entity: "CREDIT_CARD",
        value: "4000 0566 5566 5556",
    },
    Planted {
        entity: "PHONE_NUMBER",
        value: "+44 20 7946 0018",
    },
    Planted {
        entity: "VERIFICATION_CODE",
        value: "246810",
    },
    Planted {
        entity: "IBAN_CODE",
        value: "FR14 2004 1010 0505 0001 3M02 606",
    },
    Planted {
        entity: "CUSTOMER_ID",
        value: "NB-448213",
    },
    Planted {
        entity: "PROJECT_CODENAME",
        value: "Project Falcon",
    },
];

/// The company's own files the demo uses: detection rules, and the customer list whose
/// identifiers become keyed hashes (exact data match).
pub const RULES_TOML: &str = r#"# chatwarden demo rules (see docs/detectors.md, "Custom rules")
[[dictionary]]
entity = "PROJECT_CODENAME"
words = ["Project Falcon", "Blue Heron"]
score = 0.9

[[exact]]
entity = "CUSTOMER_ID"
hashes = "customers.hashes"
score = 0.95
"#;

/// The organisation directory: who is internal.
pub const DIRECTORY_TOML: &str = r#"# chatwarden demo organisation directory
domains = ["northbridge.example"]
phone_prefixes = ["+44207946"]
employees = "employees.csv"
"#;

pub const EMPLOYEES_CSV: &str = "id,name,emails,phones,department,supervisor\n\
daniel.kim,Daniel Kim,daniel.kim@northbridge.example,,Private Banking,sofia.marchetti\n\
priya.shah,Priya Shah,priya.shah@northbridge.example,,Corporate Finance,sofia.marchetti\n\
sofia.marchetti,Sofia Marchetti,sofia.marchetti@northbridge.example,,Compliance,\n";

pub const CRM_CSV: &str = "customer_id,name,segment\nNB-448213,Maria Lopez,private\nNB-448214,Jonas Weber,private\nNB-512077,Lucía Fernández,retail\n";

const NNBSP: &str = "\u{202F}";

/// Android, English (United States): m/d/yy, 12-hour clock with U+202F before AM/PM, LF.
fn android_en_us() -> String {
    let lines = [
        "3/2/26, 9:10 AM - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
        "3/2/26, 9:12 AM - Maria Lopez: Hi Daniel, it's Maria Lopez. Thanks for the call yesterday.",
        "3/2/26, 9:13 AM - Daniel Kim: Hi Maria! Great to connect. To open the account I need a few details.",
        "3/2/26, 9:13 AM - Daniel Kim: Full legal name, date of birth and your SSN please",
        "3/2/26, 9:20 AM - Maria Lopez: Maria Elena Lopez, born 14 May 1979",
        "3/2/26, 9:20 AM - Maria Lopez: SSN is 512-48-7731",
        "3/2/26, 9:21 AM - Maria Lopez: Please send the paperwork to maria.lopez@lopezfamilyoffice.com",
        "3/2/26, 9:22 AM - Daniel Kim: Will do. Your client number with us is NB-448213",
        "3/2/26, 9:24 AM - Daniel Kim: Perfect. For the wire, use our client account:",
        "Northbridge Capital LLP",
        "IBAN GB82 WEST 1234 5698 7654 32",
        "Reference: LOPEZ-ONBOARD - please quote it exactly",
        "3/2/26, 9:25 AM - Maria Lopez: <Media omitted>",
        "3/2/26, 9:25 AM - Maria Lopez: That's my passport scan",
        "3/2/26, 9:31 AM - Daniel Kim: This message was deleted",
        "3/2/26, 9:32 AM - Daniel Kim: With this fund you are guaranteed 12% a year, no risk <This message was edited>",
        "3/2/26, 9:40 AM - Maria Lopez: ok",
        "3/2/26, 9:40 AM - Maria Lopez: ok",
        "3/2/26, 12:05 PM - Maria Lopez: Wire sent. Order #20260302-88412, amount $250,000.00",
        "3/3/26, 8:02 AM - Daniel Kim: Received, thank you! Call me on +44 20 7946 0018 if anything comes up.",
    ];
    lines
        .join("\n")
        .replace(" AM -", &format!("{NNBSP}AM -"))
        .replace(" PM -", &format!("{NNBSP}PM -"))
        + "\n"
}

/// Android, German: dd.mm.yy, 24-hour clock, localized placeholders.
fn android_de() -> String {
    [
        "04.03.26, 08:00 - Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie lesen oder anhören, nicht einmal WhatsApp. Tippe, um mehr zu erfahren.",
        "04.03.26, 08:01 - Jonas Weber: Guten Morgen Herr Kim, hier Jonas Weber.",
        "04.03.26, 08:02 - Daniel Kim: Guten Morgen! Wie kann ich helfen?",
        "04.03.26, 08:05 - Jonas Weber: Für die Einzahlung: meine Kreditkarte ist 5555 5555 5555 4444, gültig bis 09/28",
        "04.03.26, 08:06 - Jonas Weber: Alternativ per Überweisung von DE89 3704 0044 0532 0130 00",
        "04.03.26, 08:07 - Jonas Weber: <Medien ausgeschlossen>",
        "04.03.26, 08:10 - Daniel Kim: Danke. Bitte schicken Sie Kartendaten nicht über WhatsApp.",
        "04.03.26, 13:44 - Jonas Weber: Ich habe mein Handy gewechselt, WhatsApp hat Ihnen gerade einen Code geschickt.",
        "Können Sie mir den Bestätigungscode bitte weiterleiten?",
        "04.03.26, 13:46 - Daniel Kim: Bestätigungscode: 731905",
        "04.03.26, 13:50 - Jonas Weber: Diese Nachricht wurde gelöscht",
        "04.03.26, 17:30 - Daniel Kim: Termin am 12.03. um 10:00 passt.",
        "16.03.26, 09:12 - Jonas Weber: Danke für das Gespräch heute.",
    ]
    .join("\n")
        + "\n"
}

/// iOS, English (United Kingdom): [dd/mm/yyyy, HH:MM:SS], CRLF, LRM marks, a BOM,
/// and the system lines iOS attributes to the group as if it were a sender.
fn ios_en_gb_group() -> String {
    let lrm = "\u{200E}";
    let lines = [
        format!("\u{FEFF}[02/03/2026, 09:10:11] Project Falcon: {lrm}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them."),
        format!("[02/03/2026, 09:10:11] Project Falcon: {lrm}Priya Shah created group “Project Falcon”"),
        format!("[02/03/2026, 09:10:12] Project Falcon: {lrm}Priya Shah added Daniel Kim"),
        format!("[02/03/2026, 09:10:12] Project Falcon: {lrm}Priya Shah added Tom Becker"),
        "[02/03/2026, 09:12:40] Priya Shah: Strictly confidential - MNPI, do not forward. Falcon board votes on the offer Thursday.".to_string(),
        format!("[02/03/2026, 09:14:03] Priya Shah: {lrm}<attached: 00000012-PHOTO-2026-03-02-09-14-03.jpg>"),
        format!("[02/03/2026, 09:15:27] Priya Shah: Falcon term sheet.pdf {lrm}• {lrm}1 page {lrm}<attached: 00000015-Falcon term sheet.pdf>"),
        "[02/03/2026, 09:20:55] Tom Becker: Thanks. Price per share still 41.50?".to_string(),
        "[02/03/2026, 09:21:30] Priya Shah: Yes. Data room login: falcon-dd".to_string(),
        "the password is Falcon#2026!".to_string(),
        "[02/03/2026, 09:24:02] Daniel Kim: For the model I pulled the prices from our bucket, key AKIA4QX7ZP2LJRKD3MWN".to_string(),
        format!("[02/03/2026, 09:30:45] Tom Becker: {lrm}<attached: 00000019-customers.csv>"),
        "[02/03/2026, 09:31:10] Tom Becker: Customer list as promised - 1. onboarding 2. KYC".to_string(),
        "- the usual caveats apply: 10:30 call?".to_string(),
        format!("[02/03/2026, 09:40:00] Daniel Kim: {lrm}This message was deleted."),
        format!("[02/03/2026, 18:02:16] Project Falcon: {lrm}Tom Becker left"),
        "[17/03/2026, 08:05:51] Priya Shah: Board approved. Announcement at 7am tomorrow.".to_string(),
    ];
    lines.join("\r\n") + "\r\n"
}

/// iOS, Spanish (Spain): [d/m/yy, H:MM:SS p. m.] with NBSP inside the marker.
fn ios_es() -> String {
    let lrm = "\u{200E}";
    let lines = [
        format!("[5/3/26, 4:02:10\u{00A0}p.\u{00A0}m.] Lucía Fernández: {lrm}Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat, ni siquiera WhatsApp, puede leerlos ni escucharlos."),
        "[5/3/26, 4:03:00\u{00A0}p.\u{00A0}m.] Lucía Fernández: Hola Daniel, te paso los datos para el pago".to_string(),
        "[5/3/26, 4:03:41\u{00A0}p.\u{00A0}m.] Lucía Fernández: Número de tarjeta 4000 0566 5566 5556, caduca 11/27".to_string(),
        format!("[5/3/26, 4:04:15\u{00A0}p.\u{00A0}m.] Lucía Fernández: {lrm}imagen omitida"),
        "[5/3/26, 4:10:09\u{00A0}p.\u{00A0}m.] Daniel Kim: Gracias Lucía, lo proceso hoy.".to_string(),
        "[13/3/26, 10:01:33\u{00A0}a.\u{00A0}m.] Lucía Fernández: ¿Recibiste la transferencia?".to_string(),
    ];
    lines.join("\r\n") + "\r\n"
}

/// Android, Chinese: yyyy/m/d with 上午/下午 before the time.
fn android_zh() -> String {
    [
        "2026/3/6 上午9:00 - 消息和通话已进行端到端加密。此对话之外的任何人，甚至包括 WhatsApp 都无法读取或收听。点击了解更多。",
        "2026/3/6 上午9:01 - 李伟: 金先生您好，我是李伟",
        "2026/3/6 上午9:02 - Daniel Kim: 您好李先生",
        "2026/3/6 下午3:15 - 李伟: 我换了新手机，请把刚收到的验证码发给我",
        "2026/3/6 下午3:16 - Daniel Kim: 验证码 246810",
        "2026/3/6 下午3:20 - 李伟: <省略影音内容>",
        "2026/3/7 上午10:00 - Daniel Kim: 明天上午开会",
    ]
    .join("\n")
        + "\n"
}

/// Android, Korean: two-digit year first with one-digit month and day (`26/3/9`),
/// the day period before the time (`PM 2:10`), Korean placeholders, and the file
/// named `NAME님과의 WhatsApp 대화.txt`. Ordinary talk: nothing here should raise an
/// alert.
fn android_ko() -> String {
    [
        "26/3/9 PM 2:10 - 메시지와 통화는 종단간 암호화되어 안전하게 보호됩니다. 이 대화에 참여한 사람만 이러한 메시지와 통화를 읽거나 듣거나 공유할 수 있습니다. 더 알아보기.",
        "26/3/9 PM 2:11 - 박서준: 다니엘님, 부산항 선적 일정 공유드립니다",
        "26/3/9 PM 2:12 - 박서준: <미디어 파일 제외됨>",
        "26/3/9 PM 2:14 - Daniel Kim: 감사합니다. 목요일 오전에 확인하겠습니다",
        "26/3/9 PM 2:15 - 박서준: 이 메시지는 삭제되었습니다",
        "26/3/10 AM 9:05 - 박서준: 통관 서류 준비 완료",
        "인보이스와 패킹리스트는 오후에 보내드리겠습니다",
        "26/3/10 AM 9:30 - Daniel Kim: 좋습니다 👍",
    ]
    .join("\n")
        + "\n"
}

/// WhatsApp Desktop / Web (`chat.txt` in a zip named after the chat): [M/D/YY, H:MM:SS AM]
/// in every language, a header-less banner, `- ` before events, same-line captions,
/// `[Forwarded]`, a message the phone had not decrypted, and "You" for the exporter.
/// Ordinary talk: nothing here should raise an alert.
fn web_desktop_group() -> String {
    [
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
        "[3/9/26, 8:30:12 AM] - Sofia Marchetti created group \"Treasury Ops: EMEA\"",
        "[3/9/26, 8:30:40 AM] - Sofia Marchetti added Tom Becker",
        "[3/9/26, 8:31:05 AM] Sofia Marchetti: Morning. Cut-off for today's settlements is 3pm.",
        "[3/9/26, 8:32:18 AM] You: <image omitted> screenshot of the queue",
        "[3/9/26, 8:33:02 AM] Sofia Marchetti: settlement-calendar.jpg (file attached) updated calendar",
        "[3/9/26, 8:34:47 AM] Sofia Marchetti: [Forwarded] Reminder: the quarter-end freeze starts on the 27th",
        "[3/9/26, 8:36:10 AM] Tom Becker: Waiting for this message. This may take a while.",
        "[3/9/26, 8:41:30 AM] Tom Becker: <voice message omitted>",
        "[3/9/26, 8:45:00 AM] You: Poll: Move the daily call to 9:15?",
        "    - Yes",
        "    - No",
    ]
    .join("\n")
        + "\n"
}

/// Telegram Desktop, single-chat `result.json`: epoch times (`date_unixtime`), text as an
/// entity array, an edit, a reply, a service message, a file left out of the export.
fn telegram_chat() -> String {
    r#"{
 "name": "Alpine Trading Desk",
 "type": "private_group",
 "id": 4400123456,
 "messages": [
  {"id": 1, "type": "service", "date": "2026-03-09T08:00:00", "date_unixtime": "1773043200",
   "actor": "Daniel Kim", "actor_id": "user7001", "action": "create_group", "title": "Alpine Trading Desk",
   "members": ["Daniel Kim", "Nadia Petrova"], "text": "", "text_entities": []},
  {"id": 2, "type": "message", "date": "2026-03-09T08:05:00", "date_unixtime": "1773043500",
   "from": "Nadia Petrova", "from_id": "user7002",
   "text": ["Wire the margin to ", {"type": "bold", "text": "FR14 2004 1010 0505 0001 3M02 606"}, " today please"],
   "text_entities": [{"type": "plain", "text": "Wire the margin to "}, {"type": "bold", "text": "FR14 2004 1010 0505 0001 3M02 606"}, {"type": "plain", "text": " today please"}]},
  {"id": 3, "type": "message", "date": "2026-03-09T08:07:00", "date_unixtime": "1773043620",
   "from": "Daniel Kim", "from_id": "user7001", "reply_to_message_id": 2,
   "edited": "2026-03-09T08:09:00", "edited_unixtime": "1773043740",
   "text": "Done. Keep this between us - it is not public yet.", "text_entities": [{"type": "plain", "text": "Done. Keep this between us - it is not public yet."}]},
  {"id": 4, "type": "message", "date": "2026-03-09T08:12:00", "date_unixtime": "1773043920",
   "from": "Nadia Petrova", "from_id": "user7002",
   "file": "(File not included. Change data exporting settings to download.)", "file_name": "positions.xlsx",
   "mime_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
   "text": "", "text_entities": []}
 ]
}
"#
    .to_string()
}

/// A Slack workspace export (the zip an admin downloads): one channel of the private
/// banking team with a thread, an edit and a reaction. Ordinary internal talk: nothing in
/// it should raise a finding or an alert.
fn slack_export() -> Vec<(&'static str, Vec<u8>)> {
    let users = r#"[
  {"id": "U01", "team_id": "T01", "name": "daniel.kim", "deleted": false, "real_name": "Daniel Kim", "tz": "Europe/London", "is_bot": false,
   "profile": {"display_name": "Daniel", "real_name": "Daniel Kim", "email": "daniel.kim@northbridge.example"}},
  {"id": "U02", "team_id": "T01", "name": "sofia.marchetti", "deleted": false, "real_name": "Sofia Marchetti", "tz": "Europe/London", "is_bot": false,
   "profile": {"display_name": "Sofia", "real_name": "Sofia Marchetti", "email": "sofia.marchetti@northbridge.example"}}
]
"#;
    let channels = r#"[
  {"id": "C01", "name": "private-banking", "created": 1772960000, "creator": "U02", "is_archived": false, "is_general": false,
   "members": ["U01", "U02"], "topic": {"value": "Desk coordination", "creator": "U02", "last_set": 1772960000},
   "purpose": {"value": "Private banking team", "creator": "U02", "last_set": 1772960000}}
]
"#;
    let day = r#"[
  {"type": "message", "user": "U02", "text": "Morning all, client reviews move to Thursday this week", "ts": "1773133200.000100",
   "thread_ts": "1773133200.000100", "reply_count": 1, "replies": [{"user": "U01", "ts": "1773133500.000200"}],
   "reactions": [{"name": "thumbsup", "users": ["U01"], "count": 1}]},
  {"type": "message", "user": "U01", "text": "Noted, I will move my two meetings", "ts": "1773133500.000200", "thread_ts": "1773133200.000100",
   "parent_user_id": "U02"},
  {"type": "message", "user": "U01", "text": "Onboarding pack for the new account is on the shared drive", "ts": "1773134100.000300",
   "edited": {"user": "U01", "ts": "1773134160.000000"}},
  {"type": "message", "subtype": "channel_join", "user": "U01", "text": "<@U01> has joined the channel", "ts": "1773046800.000400"}
]
"#;
    vec![
        ("users.json", users.as_bytes().to_vec()),
        ("channels.json", channels.as_bytes().to_vec()),
        ("private-banking/2026-03-10.json", day.as_bytes().to_vec()),
    ]
}

/// A tiny but well-formed PDF (one page, one line of text).
fn term_sheet_pdf() -> Vec<u8> {
    let text = "Project Falcon - indicative term sheet - CONFIDENTIAL - price 41.50 per share";
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// The smallest JPEG header a viewer recognises (SOI, JFIF APP0, EOI).
fn photo_jpg() -> Vec<u8> {
    let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    jpg.extend_from_slice(b"JFIF\0");
    jpg.extend_from_slice(&[
        0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9,
    ]);
    jpg
}

fn customers_csv() -> Vec<u8> {
    b"customer_id,name,email,card\n\
C-10021,Ana Souza,ana.souza@example.com,4111 1111 1111 1111\n\
C-10022,Peter Hall,peter.hall@example.org,2221 0000 0000 0009\n"
        .to_vec()
}

fn write_zip(path: &Path, entries: &[(&str, Vec<u8>)]) -> Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("{}: cannot create", path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?;
    Ok(())
}

/// Writes the corpus into `dir` and returns the files written.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let mut files = Vec::new();
    let mut text = |name: &str, content: String| -> Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, content)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        files.push(path);
        Ok(())
    };
    text("WhatsApp Chat with Maria Lopez.txt", android_en_us())?;
    text("WhatsApp Chat mit Jonas Weber.txt", android_de())?;
    text("WhatsApp Chat with 李伟.txt", android_zh())?;
    text("박서준님과의 WhatsApp 대화.txt", android_ko())?;
    text("telegram-alpine-desk-result.json", telegram_chat())?;

    let falcon = dir.join("WhatsApp Chat - Project Falcon.zip");
    write_zip(
        &falcon,
        &[
            ("_chat.txt", ios_en_gb_group().into_bytes()),
            ("00000012-PHOTO-2026-03-02-09-14-03.jpg", photo_jpg()),
            ("00000015-Falcon term sheet.pdf", term_sheet_pdf()),
            ("00000019-customers.csv", customers_csv()),
        ],
    )?;
    files.push(falcon);

    let lucia = dir.join("WhatsApp Chat - Lucía Fernández.zip");
    write_zip(&lucia, &[("_chat.txt", ios_es().into_bytes())])?;
    files.push(lucia);

    // WhatsApp Desktop replaces `:` in the chat's name with `_` for the zip's name.
    let treasury = dir.join("Treasury Ops_ EMEA.zip");
    write_zip(
        &treasury,
        &[
            ("chat.txt", web_desktop_group().into_bytes()),
            (
                "chat.md",
                b"# WhatsApp Chat Export: Treasury Ops_ EMEA\n".to_vec(),
            ),
            ("media/settlement-calendar.jpg", photo_jpg()),
        ],
    )?;
    files.push(treasury);

    let slack = dir.join("Northbridge Slack export Mar 10 2026.zip");
    write_zip(&slack, &slack_export())?;
    files.push(slack);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_planted_value_is_in_the_corpus() {
        let all = [
            android_en_us(),
            android_de(),
            ios_en_gb_group(),
            ios_es(),
            android_zh(),
            telegram_chat(),
        ]
        .concat();
        for planted in PLANTED {
            assert!(
                all.contains(planted.value),
                "{} not planted",
                planted.entity
            );
        }
    }

    #[test]
    fn the_korean_export_reads_year_first_with_its_periods() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let files = write(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let ko = files
            .iter()
            .find(|f| f.to_string_lossy().ends_with("님과의 WhatsApp 대화.txt"))
            .unwrap_or_else(|| panic!("no Korean export"));
        let opts = chatwarden_connectors::ParseOptions::default();
        let mut src = chatwarden_connectors::open(ko, &opts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(src.conversation().title, "박서준");
        let m: Vec<_> = src
            .messages()
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|m| m.unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let times: Vec<String> = m.iter().map(|m| m.local_time.to_string()).collect();
        assert_eq!(
            times.first().map(String::as_str),
            Some("2026-03-09T14:10:00")
        );
        assert_eq!(
            times.last().map(String::as_str),
            Some("2026-03-10T09:30:00")
        );
        assert_eq!(m.len(), 7);
        assert_eq!(m[2].attachments.len(), 1);
        assert!(m[4].deleted);
        assert!(
            src.warnings()
                .iter()
                .all(|w| !w.to_string().contains("order"))
        );
    }

    #[test]
    fn the_pdf_has_a_valid_xref_offset() {
        let pdf = term_sheet_pdf();
        let text = String::from_utf8_lossy(&pdf);
        let start = text
            .rfind("startxref\n")
            .map(|i| i + "startxref\n".len())
            .unwrap_or(0);
        let offset: usize = text[start..]
            .lines()
            .next()
            .unwrap_or("")
            .parse()
            .unwrap_or(0);
        assert!(text[offset..].starts_with("xref"));
    }
}
