//! Reading the archive: `conversations`, `show`, `findings`. Every read is audited by the archive.

use super::gate::{self, Gate};
use super::ingest::short;
use super::print_json;
use crate::cli::{FindingsArgs, ShowArgs};
use crate::context::Context;
use crate::exit::Exit;
use crate::term::{safe, safe_line};
use anyhow::Result;
use chatwarden_archive::FindingFilter;
use chatwarden_model::{Finding, Message, MessageKind};
use chatwarden_policy::{Visibility, mask_preview_fully};
use serde_json::json;
use std::collections::HashSet;

pub fn conversations(ctx: &Context) -> Result<Exit> {
    let mut archive = ctx.open()?;
    let list = archive.conversations()?;
    if ctx.json {
        print_json(
            &list
                .iter()
                .map(|c| {
                    json!({
                        "id": c.id, "channel": c.channel, "title": c.title, "custodian": c.custodian,
                        "is_group": c.is_group, "participants": c.participants, "messages": c.messages,
                        "first_sent_at": c.first_sent_at.map(|t| t.to_string()),
                        "last_sent_at": c.last_sent_at.map(|t| t.to_string()),
                        "findings": c.findings,
                    })
                })
                .collect::<Vec<_>>(),
        )?;
        return Ok(Exit::Ok);
    }
    if list.is_empty() {
        println!("the archive holds no conversations yet: try `chatwarden ingest PATH`");
        return Ok(Exit::Ok);
    }
    println!(
        "{:<12}  {:<9} {:>8} {:>6} {:>8}  {:<16}  {:<16}  title",
        "id", "channel", "messages", "people", "findings", "first", "last"
    );
    for c in &list {
        println!(
            "{:<12}  {:<9} {:>8} {:>6} {:>8}  {:<16}  {:<16}  {}{}",
            short(c.id.as_str()),
            c.channel.as_str(),
            c.messages,
            c.participants,
            c.findings,
            c.first_sent_at.map(minute).unwrap_or_default(),
            c.last_sent_at.map(minute).unwrap_or_default(),
            c.title
                .as_deref()
                .map(safe_line)
                .unwrap_or("(shredded)".into()),
            if c.is_group { " (group)" } else { "" }
        );
    }
    Ok(Exit::Ok)
}

pub fn show(ctx: &Context, args: ShowArgs) -> Result<Exit> {
    let mut archive = ctx.open()?;
    let conversation = archive.find_conversation(&args.conversation)?;
    let messages = archive.messages(&conversation.id)?;
    // The policy's quarantine and redact actions, for the reader's declared role.
    let mut gate = Gate::new(ctx);
    gate.load(&mut archive, &conversation.id)?;
    let shown: Vec<(Visibility, Option<Message>, Vec<Finding>)> = messages
        .iter()
        .map(|m| {
            let v = gate.decide(&m.id);
            let (message, findings) = match &v {
                Visibility::Clear => (m.message.clone(), m.findings.clone()),
                Visibility::Withheld { .. } => (None, Vec::new()),
                Visibility::Masked { .. } => (
                    m.message
                        .as_ref()
                        .map(|x| gate::masked_message(x, &m.findings)),
                    gate::masked_findings(&m.findings),
                ),
            };
            (v, message, findings)
        })
        .collect();
    gate.record(&mut archive, "show", conversation.id.as_str())?;
    if ctx.json {
        print_json(
            &messages
                .iter()
                .zip(&shown)
                .map(|(m, (v, message, findings))| {
                    let mut line = json!({
                        "id": m.id, "seq": m.seq, "sent_at": m.sent_at.to_string(), "shredded": m.shredded,
                        "message": message, "findings": findings,
                    });
                    gate::annotate(&mut line, v);
                    line
                })
                .collect::<Vec<_>>(),
        )?;
        return Ok(Exit::Ok);
    }
    println!(
        "{} — {} conversation {}{}",
        safe_line(&conversation.title),
        conversation.channel,
        conversation.id,
        conversation
            .custodian
            .as_deref()
            .map(|c| format!(", custodian {}", safe_line(c)))
            .unwrap_or_default()
    );
    let names: Vec<String> = conversation
        .participants
        .iter()
        .map(|p| safe_line(&p.display_name).into_owned())
        .collect();
    println!("participants: {}", names.join(", "));
    println!("{}", "─".repeat(72));
    for (stored, (v, message, findings)) in messages.iter().zip(&shown) {
        if let Visibility::Withheld { item } = v {
            println!(
                "[{} UTC] {}",
                stored.sent_at.strftime("%Y-%m-%d %H:%M:%S"),
                gate::notice(item)
            );
            continue;
        }
        let Some(m) = message.as_ref().filter(|_| !stored.shredded) else {
            println!(
                "[{} UTC] (content destroyed by retention or erasure)",
                stored.sent_at.strftime("%Y-%m-%d %H:%M:%S")
            );
            continue;
        };
        let time = format!("{}", m.local_time.strftime("%Y-%m-%d %H:%M:%S"));
        let mut flags = Vec::new();
        if m.deleted {
            flags.push("deleted");
        }
        if m.edited {
            flags.push("edited");
        }
        if matches!(v, Visibility::Masked { .. }) {
            flags.push("redacted");
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", flags.join(", "))
        };
        match m.kind {
            MessageKind::System => println!("[{time}] · {}{flags}", safe(&m.text)),
            MessageKind::Message => {
                let sender = m.sender.as_deref().map(safe_line).unwrap_or_default();
                let text = safe(&m.text);
                let mut lines = text.lines();
                println!("[{time}] {sender}{flags}: {}", lines.next().unwrap_or(""));
                for line in lines {
                    println!("{:width$}{line}", "", width = time.len() + 3);
                }
            }
        }
        for a in &m.attachments {
            let name = a.name.as_deref().map(safe_line).unwrap_or_default();
            let state = if a.included {
                format!("stored, {} bytes", a.size.unwrap_or(0))
            } else {
                "not included in the export".to_string()
            };
            println!(
                "{:width$}📎 {} {name} ({state})",
                "",
                a.kind.as_str(),
                width = time.len() + 3
            );
        }
        for f in findings {
            println!(
                "{:width$}⚠ {} {} (score {:.2})",
                "",
                f.entity,
                safe_line(&f.preview),
                f.score,
                width = time.len() + 3
            );
        }
    }
    Ok(Exit::Ok)
}

pub fn findings(ctx: &Context, args: FindingsArgs) -> Result<Exit> {
    let mut archive = ctx.open()?;
    let conversation = match &args.conversation {
        Some(c) => Some(archive.find_conversation(c)?.id),
        None => None,
    };
    let filter = FindingFilter {
        entity: args.entity.clone(),
        conversation,
    };
    let found = archive.findings(&filter)?;
    // A finding of a quarantined message shows no preview (nor the file's name); one of a
    // redacted message shows a fully masked preview.
    let mut gate = Gate::new(ctx);
    let ids: HashSet<&str> = found.iter().map(|f| f.message.as_str()).collect();
    gate.load_for_messages(&mut archive, &ids)?;
    let mut list = Vec::with_capacity(found.len());
    let mut marks = Vec::with_capacity(found.len());
    for f in &found {
        let v = gate.decide(&f.message);
        let shown = match &v {
            Visibility::Clear => f.clone(),
            Visibility::Masked { .. } => Finding {
                preview: mask_preview_fully(&f.preview),
                ..f.clone()
            },
            Visibility::Withheld { item } => Finding {
                preview: gate::notice(item),
                attachment: f.attachment.as_ref().map(|_| "(withheld)".to_string()),
                ..f.clone()
            },
        };
        list.push(shown);
        marks.push(v);
    }
    let target = filter.conversation.as_ref().map_or("*", |c| c.as_str());
    gate.record(&mut archive, "findings", target)?;
    if ctx.json {
        let out: Vec<serde_json::Value> = list
            .iter()
            .zip(&marks)
            .map(|(f, v)| {
                let mut value = serde_json::to_value(f)?;
                gate::annotate(&mut value, v);
                Ok(value)
            })
            .collect::<Result<_>>()?;
        print_json(&out)?;
        return Ok(Exit::Ok);
    }
    if list.is_empty() {
        println!("no findings");
        return Ok(Exit::Ok);
    }
    println!(
        "{:<22} {:>5}  {:<12}  {:<28}  {:<18}  found in",
        "entity", "score", "message", "preview", "detector"
    );
    for f in &list {
        println!(
            "{:<22} {:>5.2}  {:<12}  {:<28}  {:<18}  {}",
            f.entity,
            f.score,
            short(f.message.as_str()),
            safe_line(&f.preview),
            f.detector,
            f.attachment
                .as_deref()
                .map(|a| format!("attachment {}", safe_line(a)))
                .unwrap_or_else(|| "message text".to_string())
        );
    }
    println!("\n{} finding(s)", list.len());
    Ok(Exit::Ok)
}

fn minute(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M").to_string()
}
