//! Connector throughput: for each format, a deterministic export of about the same
//! number of messages is written to a temporary folder, then opened with
//! `connectors::open_all` (detection included) and every message of every
//! conversation is streamed. Reports messages/s, MB/s of the export's bytes and the
//! growth of peak resident memory (VmHWM, reset before each format).
//!
//!   chatwarden-bench connectors MESSAGES     prints a JSON array, one object per format

use anyhow::{Context, Result};
use chatwarden_connectors::ParseOptions;
use serde_json::json;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

const PEOPLE: [&str; 5] = [
    "Maria Lopez",
    "Daniel Kim",
    "Priya Shah",
    "Tom Becker",
    "Wei Zhang",
];
const BODIES: [&str; 6] = [
    "ok",
    "Sounds good, talk tomorrow",
    "Can you send me the latest numbers for the Falcon deal? The board wants them before Thursday.",
    "The wire of $250,000.00 went out this morning, ref 20260302-88412",
    "Meeting moved to 10:30 - same room",
    "Card 4111 1111 1111 1111 exp 04/28, please keep it off email",
];
const BASE: i64 = 1_700_000_000;

fn body(i: u64) -> &'static str {
    BODIES[(i % BODIES.len() as u64) as usize]
}

fn who(i: u64) -> usize {
    ((i * 7 + i / 3) % PEOPLE.len() as u64) as usize
}

/// A JSON string literal.
fn q(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn utc(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_default()
}

fn create(path: &Path) -> Result<BufWriter<std::fs::File>> {
    let f = std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, f))
}

fn gen_telegram(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("result.json");
    let mut w = create(&path)?;
    write!(
        w,
        "{{\n \"name\": \"Deal desk\",\n \"type\": \"private_supergroup\",\n \"id\": 1555000111,\n \"messages\": ["
    )?;
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        let t = BASE + i as i64;
        write!(
            w,
            "{sep}\n  {{\"id\": {id}, \"type\": \"message\", \"date\": \"{d}\", \"date_unixtime\": \"{t}\", \
             \"from\": {from}, \"from_id\": \"user{u}\", \"text\": {text}, \"text_entities\": [{{\"type\": \"plain\", \"text\": {text}}}]}}",
            id = i + 1,
            d = utc(t),
            from = q(PEOPLE[who(i)]),
            u = who(i),
            text = q(body(i)),
        )?;
    }
    write!(w, "\n ]\n}}\n")?;
    w.flush()?;
    Ok(path)
}

fn gen_slack(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("slack-export.zip");
    let mut z = zip::ZipWriter::new(create(&path)?);
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("users.json", opts)?;
    let users: Vec<String> = PEOPLE
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{{\"id\": \"U{i:04}\", \"name\": \"u{i}\", \"real_name\": {}}}",
                q(p)
            )
        })
        .collect();
    write!(z, "[{}]", users.join(","))?;
    z.start_file("channels.json", opts)?;
    write!(
        z,
        "[{{\"id\": \"C0001\", \"name\": \"deals\", \"members\": [\"U0000\", \"U0001\", \"U0002\", \"U0003\", \"U0004\"]}}]"
    )?;
    let per_day = 5_000u64;
    let mut i = 0u64;
    let mut day = 0i64;
    while i < n {
        let date = jiff::Timestamp::from_second(BASE + day * 86_400)?
            .strftime("%Y-%m-%d")
            .to_string();
        z.start_file(format!("deals/{date}.json"), opts)?;
        z.write_all(b"[")?;
        for k in 0..per_day.min(n - i) {
            let sep = if k == 0 { "" } else { "," };
            write!(
                z,
                "{sep}\n {{\"type\": \"message\", \"user\": \"U{u:04}\", \"text\": {text}, \"ts\": \"{ts}.{frac:06}\"}}",
                u = who(i),
                text = q(body(i)),
                ts = BASE + day * 86_400 + k as i64,
                frac = i % 1_000_000,
            )?;
            i += 1;
        }
        z.write_all(b"\n]\n")?;
        day += 1;
    }
    z.finish()?.flush()?;
    Ok(path)
}

fn gen_teams(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("chat_messages.json");
    let mut w = create(&path)?;
    write!(
        w,
        "{{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#chats('19%3Abench%40thread.v2')/messages\", \"value\": ["
    )?;
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(
            w,
            "{sep}\n {{\"id\": \"{id}\", \"messageType\": \"message\", \"createdDateTime\": \"{d}.000Z\", \
             \"chatId\": \"19:bench@thread.v2\", \"from\": {{\"user\": {{\"id\": \"00000000-0000-0000-0000-00000000000{u}\", \
             \"displayName\": {name}}}}}, \"body\": {{\"contentType\": \"html\", \"content\": {html}}}}}",
            id = 1_700_000_000_000u64 + i,
            d = utc(BASE + i as i64),
            u = who(i),
            name = q(PEOPLE[who(i)]),
            html = q(&format!("<p>{}</p>", body(i))),
        )?;
    }
    write!(w, "\n]}}\n")?;
    w.flush()?;
    Ok(path)
}

fn gen_signal(n: u64, dir: &Path) -> Result<PathBuf> {
    let sub = dir.join("Deal desk");
    std::fs::create_dir_all(&sub)?;
    let path = sub.join("data.json");
    let mut w = create(&path)?;
    for i in 0..n {
        writeln!(
            w,
            "{{\"date\": \"{d}\", \"sender\": {s}, \"body\": {b}, \"quote\": \"\", \"sticker\": null, \
             \"reactions\": [], \"attachments\": [], \"deleted\": false, \"call\": false, \"missed\": false}}",
            d = utc(BASE + i as i64),
            s = q(PEOPLE[who(i)]),
            b = q(body(i)),
        )?;
    }
    w.flush()?;
    Ok(path)
}

fn gen_discord(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("Acme - deals [111].json");
    let mut w = create(&path)?;
    write!(
        w,
        "{{\"guild\": {{\"id\": \"900\", \"name\": \"Acme\"}}, \"channel\": {{\"id\": \"111\", \"type\": \"GuildTextChat\", \"name\": \"deals\"}}, \"messages\": ["
    )?;
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(
            w,
            "{sep}\n {{\"id\": \"{id}\", \"type\": \"Default\", \"timestamp\": \"{d}+00:00\", \"content\": {c}, \
             \"author\": {{\"id\": \"70{u}\", \"name\": {name}}}, \"attachments\": [], \"stickers\": []}}",
            id = 1_200_000_000_000_000_000u64 + i,
            d = utc(BASE + i as i64),
            c = q(body(i)),
            u = who(i),
            name = q(PEOPLE[who(i)]),
        )?;
    }
    write!(w, "\n]}}\n")?;
    w.flush()?;
    Ok(path)
}

fn gen_wechat(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("Deal desk_utf8.csv");
    let mut w = create(&path)?;
    w.write_all(b"\xEF\xBB\xBFlocalId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender\r\n")?;
    for i in 0..n {
        let t = BASE + i as i64;
        let p = who(i);
        let text = body(i).replace('"', "\"\"");
        write!(
            w,
            "{id},12345@chatroom,1,0,{me},{t},2,\"{text}\",{st},,{name},wxid_{p}\r\n",
            id = i + 1,
            me = u8::from(p == 0),
            st = utc(t).replace('T', " "),
            name = PEOPLE[p],
        )?;
    }
    w.flush()?;
    Ok(path)
}

fn gen_wecom(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("wecom-pull.jsonl");
    let mut w = create(&path)?;
    for i in 0..n {
        // Four rooms and a 1:1 chat with an external contact, interleaved as a
        // pull returns them.
        let chat = i % 5;
        let mut from = format!("user{}", who(i));
        let (room, to) = if chat == 4 {
            from = "user0".to_owned();
            (String::new(), "[\"wmExternal01\"]".to_owned())
        } else {
            (
                format!("wrRoom{chat}"),
                "[\"user1\",\"user2\",\"user3\"]".to_owned(),
            )
        };
        writeln!(
            w,
            "{{\"msgid\": \"bench{i}_external\", \"action\": \"send\", \"from\": \"{from}\", \"tolist\": {to}, \
             \"roomid\": \"{room}\", \"msgtime\": {ms}, \"msgtype\": \"text\", \"text\": {{\"content\": {c}}}}}",
            ms = (BASE + i as i64) * 1000,
            c = q(body(i)),
        )?;
    }
    w.flush()?;
    Ok(path)
}

/// A Messenger "Download Your Information" thread folder: `message_1.json` holds
/// the newest 10,000 messages, newest first, as Meta writes them.
fn gen_messenger(n: u64, dir: &Path) -> Result<PathBuf> {
    let root = dir.join("your_facebook_activity");
    let thread = root.join("messages/inbox/dealdesk_1234567890");
    std::fs::create_dir_all(&thread)?;
    let participants: Vec<String> = PEOPLE
        .iter()
        .map(|p| format!("{{\"name\": {}}}", q(p)))
        .collect();
    let per_file = 10_000u64;
    let files = n.div_ceil(per_file).max(1);
    for k in 0..files {
        let mut w = create(&thread.join(format!("message_{}.json", k + 1)))?;
        write!(
            w,
            "{{\n  \"participants\": [{}],\n  \"messages\": [",
            participants.join(", ")
        )?;
        let newest = n.saturating_sub(1 + k * per_file);
        let count = per_file.min(n - k * per_file);
        for j in 0..count {
            let i = newest - j;
            let sep = if j == 0 { "" } else { "," };
            write!(
                w,
                "{sep}\n    {{\"sender_name\": {s}, \"timestamp_ms\": {ms}, \"content\": {c}, \
                 \"type\": \"Generic\", \"is_geoblocked_for_viewer\": false}}",
                s = q(PEOPLE[who(i)]),
                ms = (BASE + i as i64) * 1000,
                c = q(body(i)),
            )?;
        }
        write!(
            w,
            "\n  ],\n  \"title\": \"Deal desk\",\n  \"is_still_participant\": true,\n  \
             \"thread_path\": \"inbox/dealdesk_1234567890\",\n  \"magic_words\": []\n}}\n"
        )?;
        w.flush()?;
    }
    Ok(root)
}

/// A LINE "Export chat history" text file (English, 12-hour times), one
/// message a minute.
fn gen_line(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("[LINE] Deal desk.txt");
    let mut w = create(&path)?;
    write!(
        w,
        "[LINE] Chat history in Deal desk\r\nSaved on: 2026/03/01 09:00\r\n\r\n"
    )?;
    let mut last_day = String::new();
    for i in 0..n {
        let t =
            jiff::Timestamp::from_second(BASE + 60 * i as i64)?.to_zoned(jiff::tz::TimeZone::UTC);
        let day = t.strftime("%Y.%m.%d %A").to_string();
        if day != last_day {
            if !last_day.is_empty() {
                w.write_all(b"\r\n")?;
            }
            write!(w, "{day}\r\n")?;
            last_day = day;
        }
        write!(
            w,
            "{hm}\t{s}\t{c}\r\n",
            hm = t.strftime("%I:%M%p").to_string().to_lowercase(),
            s = PEOPLE[who(i)],
            c = body(i),
        )?;
    }
    w.flush()?;
    Ok(path)
}

/// An imessage-exporter `-f txt` chat file: time line, sender line, body, blank line.
fn gen_imessage(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("Deal desk.txt");
    let mut w = create(&path)?;
    for i in 0..n {
        let t = jiff::Timestamp::from_second(BASE + i as i64)?.to_zoned(jiff::tz::TimeZone::UTC);
        // `%b %d, %Y %l:%M:%S %p`: the hour is space-padded.
        let hour = t.strftime("%I").to_string();
        let hour = hour
            .strip_prefix('0')
            .map_or(hour.clone(), |h| format!(" {h}"));
        let p = who(i);
        write!(
            w,
            "{date} {hour}:{rest}\n{s}\n{c}\n\n",
            date = t.strftime("%b %d, %Y"),
            rest = t.strftime("%M:%S %p"),
            s = if p == 0 { "Me" } else { PEOPLE[p] },
            c = body(i),
        )?;
    }
    w.flush()?;
    Ok(path)
}

/// WhatsApp Cloud API webhook bodies captured one per line: inbound text
/// messages from five customers to one business number.
fn gen_webhook(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("capture.jsonl");
    let mut w = create(&path)?;
    for i in 0..n {
        let p = who(i);
        writeln!(
            w,
            "{{\"object\":\"whatsapp_business_account\",\"entry\":[{{\"id\":\"102290129340398\",\"changes\":[{{\"value\":\
             {{\"messaging_product\":\"whatsapp\",\"metadata\":{{\"display_phone_number\":\"15550100001\",\
             \"phone_number_id\":\"106540352242922\"}},\"contacts\":[{{\"profile\":{{\"name\":{name}}},\
             \"wa_id\":\"4477009004{p:02}\"}}],\"messages\":[{{\"from\":\"4477009004{p:02}\",\
             \"id\":\"wamid.bench{i:012}\",\"timestamp\":\"{t}\",\"text\":{{\"body\":{c}}},\"type\":\"text\"}}]}},\
             \"field\":\"messages\"}}]}}]}}",
            name = q(PEOPLE[p]),
            t = BASE + i as i64,
            c = q(body(i)),
        )?;
    }
    w.flush()?;
    Ok(path)
}

/// The bytes of a file, or of every file under a folder.
fn size_of(path: &Path) -> Result<u64> {
    if !path.is_dir() {
        return Ok(std::fs::metadata(path)?.len());
    }
    let mut total = 0;
    for e in std::fs::read_dir(path)? {
        total += size_of(&e?.path())?;
    }
    Ok(total)
}

fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn measure(format: &str, path: &Path) -> Result<serde_json::Value> {
    let bytes = size_of(path)?;
    // Reset the peak to the current resident size (Linux), then read.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kb("VmRSS:");
    let started = Instant::now();
    let mut sources = chatwarden_connectors::open_all(path, &ParseOptions::default())
        .with_context(|| format!("{format}: {}", path.display()))?;
    let mut messages = 0u64;
    let mut text_bytes = 0u64;
    for src in &mut sources {
        for m in src.messages()? {
            let m = m?;
            messages += 1;
            text_bytes += m.text.len() as u64;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let growth = match (before, status_kb("VmHWM:")) {
        (Some(b), Some(p)) => Some(p.saturating_sub(b) as f64 / 1024.0),
        _ => None,
    };
    Ok(json!({
        "format": format,
        "conversations": sources.len(),
        "messages": messages,
        "text_bytes": text_bytes,
        "export_bytes": bytes,
        "seconds": seconds,
        "messages_per_second": messages as f64 / seconds,
        "mb_per_second": bytes as f64 / (1 << 20) as f64 / seconds,
        "peak_rss_growth_mb": growth,
    }))
}

/// Generates and reads one export per format; prints the results as JSON.
pub fn run(count: &str) -> Result<()> {
    let n: u64 = count.parse().context("MESSAGES")?;
    let dir = tempfile::tempdir()?;
    type Gen = fn(u64, &Path) -> Result<PathBuf>;
    let whatsapp: Gen = |n, dir| {
        let p = dir.join("WhatsApp Chat with Deal desk.txt");
        crate::gen_whatsapp(n, &p.display().to_string())?;
        Ok(p)
    };
    let gens: [(&str, Gen); 13] = [
        ("whatsapp", whatsapp),
        ("telegram", gen_telegram),
        ("slack", gen_slack),
        ("teams", gen_teams),
        ("signal", gen_signal),
        ("discord", gen_discord),
        ("wechat", gen_wechat),
        ("wecom", gen_wecom),
        ("wechat-chatlab", gen_chatlab),
        ("messenger", gen_messenger),
        ("line", gen_line),
        ("imessage", gen_imessage),
        ("whatsapp-webhook", gen_webhook),
    ];
    let mut out = Vec::new();
    for (name, gen_fn) in gens {
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub)?;
        let path = gen_fn(n, &sub)?;
        out.push(measure(name, &path)?);
        std::fs::remove_dir_all(&sub)?;
    }
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}

fn gen_chatlab(n: u64, dir: &Path) -> Result<PathBuf> {
    let path = dir.join("deal-desk.chatlab.json");
    let mut w = create(&path)?;
    let members: Vec<String> = PEOPLE
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{{\"platformId\": \"wxid_{i}\", \"accountName\": {}}}",
                q(p)
            )
        })
        .collect();
    write!(
        w,
        "{{\"chatlab\": {{\"version\": \"0.0.2\", \"exportedAt\": {BASE}}}, \"meta\": {{\"name\": \"Deal desk\", \
         \"platform\": \"wechat\", \"type\": \"group\", \"groupId\": \"12345@chatroom\"}}, \"members\": [{}], \"messages\": [",
        members.join(", ")
    )?;
    for i in 0..n {
        let sep = if i == 0 { "" } else { "," };
        write!(
            w,
            "{sep}\n {{\"platformMessageId\": \"{id}\", \"sender\": \"wxid_{u}\", \"accountName\": {name}, \
             \"timestamp\": {t}, \"type\": 0, \"content\": {c}}}",
            id = 5_000_000 + i,
            u = who(i),
            name = q(PEOPLE[who(i)]),
            t = BASE + i as i64,
            c = q(body(i)),
        )?;
    }
    write!(w, "\n]}}\n")?;
    w.flush()?;
    Ok(path)
}
