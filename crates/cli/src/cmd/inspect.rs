//! `scan`: inspection without storing anything.

use super::parse_options;
use crate::cli::{ScanArgs, ScanInput};
use crate::context::Context;
use crate::exit::Exit;
use anyhow::{Context as _, Result};
use chatwarden_inspect::{ConversationContext, Engine};
use std::io::{BufRead, BufReader, Write};

pub fn scan(ctx: &Context, args: ScanArgs) -> Result<Exit> {
    let exact_key = if chatwarden_archive::Archive::exists(&ctx.data) {
        Some(ctx.open()?.finding_hash_key())
    } else {
        None
    };
    let engine = super::rules::build_engine(&args.inspect, exact_key)?;
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    match args.input {
        ScanInput::Jsonl | ScanInput::Text => {
            let input: Box<dyn BufRead> = if args.file.as_os_str() == "-" {
                Box::new(BufReader::new(std::io::stdin().lock()))
            } else {
                Box::new(BufReader::new(
                    std::fs::File::open(&args.file)
                        .with_context(|| format!("{}: cannot open", args.file.display()))?,
                ))
            };
            let stats = if args.input == ScanInput::Jsonl {
                chatwarden_inspect::scan_jsonl(&engine, input, out)?
            } else {
                chatwarden_inspect::scan_text(&engine, input, out)?
            };
            tracing::info!(?stats, "scan finished");
        }
        ScanInput::Export => scan_export(&engine, &args, out)?,
    }
    Ok(Exit::Ok)
}

fn scan_export(engine: &Engine, args: &ScanArgs, mut out: impl Write) -> Result<()> {
    let options = parse_options(&args.export)?;
    for mut source in chatwarden_connectors::open_all(&args.file, &options)? {
        // As at ingest: --region, else the participants' numbers (no directory here).
        let region = crate::phone_region::for_conversation(
            args.inspect.region.as_deref(),
            source.conversation(),
            None,
        );
        let mut context = ConversationContext::new(
            source
                .conversation()
                .participants
                .iter()
                .map(|p| p.display_name.clone())
                .collect(),
            Some(region.scan_region().to_string()),
        );
        for message in source.messages()? {
            let message = message?;
            for d in context.scan(engine, &message.text) {
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({
                        "id": message.id,
                        "entity": d.entity,
                        "start": d.start,
                        "end": d.end,
                        "score": d.score,
                        "detector": d.detector,
                    }),
                )?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
