//! `parse` and `ingest`.

use super::{parse_options, print_json};
use crate::cli::{IngestArgs, ParseArgs};
use crate::context::Context;
use crate::exit::Exit;
use crate::pipeline::{IngestSummary, Pipeline, PolicyRun, expand_inputs};
use crate::term::{interactive, safe_line};
use anyhow::Result;
use std::io::Write;

pub fn parse(_ctx: &Context, args: ParseArgs) -> Result<Exit> {
    let options = parse_options(&args.export)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut warnings = Vec::new();
    for mut source in chatwarden_connectors::open_all(&args.file, &options)? {
        for message in source.messages()? {
            let message = message?;
            serde_json::to_writer(&mut out, &message)?;
            out.write_all(b"\n")?;
        }
        // After streaming: some warnings are only found while reading the messages.
        warnings.extend(source.warnings().iter().map(|w| w.to_string()));
    }
    out.flush()?;
    drop(out);
    crate::pipeline::dedup_from(&mut warnings, 0);
    for warning in warnings {
        eprintln!("warning: {}", safe_line(&warning));
    }
    Ok(Exit::Ok)
}

pub fn ingest(ctx: &Context, args: IngestArgs) -> Result<Exit> {
    let options = parse_options(&args.export)?;
    let files = expand_inputs(&args.paths)?;
    if files.is_empty() {
        anyhow::bail!("no .txt or .zip exports found in the given paths");
    }
    let mut archive = ctx.open_or_init()?;
    let engine = if args.no_inspect {
        None
    } else {
        Some(super::rules::build_engine(
            &args.inspect,
            Some(archive.finding_hash_key()),
        )?)
    };
    let policy = if args.policy.no_policy {
        None
    } else {
        Some((
            super::policy::load_policy(args.policy.policy.as_deref())?,
            super::policy::load_directory(args.policy.directory.as_deref())?,
        ))
    };
    let summary = Pipeline {
        archive: &mut archive,
        engine: engine.as_ref(),
        options,
        batch_size: args.batch_size.max(1),
        progress: interactive() && !ctx.json,
        attachment_limits: Default::default(),
        policy: policy
            .as_ref()
            .map(|(policy, directory)| PolicyRun { policy, directory }),
        region: args.inspect.region.clone(),
    }
    .run(&files);
    if ctx.json {
        print_json(&summary)?;
    } else {
        print_summary(&summary);
    }
    Ok(if summary.failed > 0 {
        Exit::Partial
    } else {
        Exit::Ok
    })
}

pub fn print_summary(summary: &IngestSummary) {
    for warning in &summary.warnings {
        eprintln!("warning: {}", safe_line(warning));
    }
    println!(
        "ingested {} file(s): {} new message(s), {} duplicate(s), {} file(s) failed, {} attachment(s) stored, {} finding(s)",
        summary.files.len(),
        summary.new,
        summary.duplicate,
        summary.failed,
        summary.attachments_stored,
        summary.findings
    );
    if summary.alerts > 0 {
        println!(
            "policy: {} alert(s) raised, {} new review item(s) (see `chatwarden alerts list`)",
            summary.alerts, summary.alert_items
        );
    }
    if summary.tips > 0 {
        println!(
            "policy: {} policy tip(s) logged for the employee report (see `chatwarden report tips`)",
            summary.tips
        );
    }
    if !summary.conversations.is_empty() {
        // The phone region column only when inspection ran (`--no-inspect` has none).
        let regions: Vec<Option<String>> = summary
            .conversations
            .iter()
            .map(|c| c.phone_region.as_ref().map(crate::phone_region::label))
            .collect();
        let width = regions
            .iter()
            .flatten()
            .map(String::len)
            .max()
            .map(|w| w.max("phone region".len()));
        println!();
        match width {
            Some(w) => println!(
                "  {:<12} {:>7} {:>9} {:>8}  {:<w$}  title",
                "conversation", "new", "duplicate", "findings", "phone region",
            ),
            None => println!(
                "  {:<12} {:>7} {:>9} {:>8}  title",
                "conversation", "new", "duplicate", "findings"
            ),
        }
        for (c, region) in summary.conversations.iter().zip(&regions) {
            let region = match width {
                Some(w) => format!("{:<w$}  ", region.as_deref().unwrap_or("-")),
                None => String::new(),
            };
            println!(
                "  {:<12} {:>7} {:>9} {:>8}  {region}{}",
                short(&c.id),
                c.new,
                c.duplicate,
                c.findings,
                safe_line(&c.title)
            );
        }
        let notes = crate::phone_region::notes(&summary.conversations);
        if !notes.is_empty() {
            println!();
            for note in notes {
                println!("phone region: {note}");
            }
        }
    }
    for file in summary.files.iter().filter(|f| !f.ok) {
        println!();
        println!(
            "FAILED {}: {}",
            safe_line(&file.path),
            safe_line(file.error.as_deref().unwrap_or("unknown error"))
        );
    }
}

/// The first 12 characters of an id, enough to name it uniquely in practice.
pub fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
