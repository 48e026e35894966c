//! One file per command group.

mod alerts;
mod archive_ops;
mod demo;
mod gate;
mod ingest;
mod inspect;
mod policy;
mod read;
mod report;
mod rules;

/// The short form of an id the tables print (also used by the ingest summary's notes).
pub(crate) use ingest::short;

use crate::cli::{Cli, Command, DateOrderArg, ExportOptions};
use crate::context::Context;
use crate::exit::Exit;
use anyhow::{Context as _, Result};
use chatwarden_connectors::{DateOrder, ParseOptions};

pub fn run(cli: Cli) -> Result<Exit> {
    let ctx = Context::new(cli.data, cli.key_file, cli.actor, cli.role.role(), cli.json);
    match cli.command {
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Init => archive_ops::init(&ctx),
        Command::Parse(args) => ingest::parse(&ctx, args),
        Command::Ingest(args) => ingest::ingest(&ctx, args),
        Command::Conversations => read::conversations(&ctx),
        Command::Show(args) => read::show(&ctx, args),
        Command::Findings(args) => read::findings(&ctx, args),
        Command::Scan(args) => inspect::scan(&ctx, args),
        Command::Verify(args) => archive_ops::verify(&ctx, args),
        Command::Prove(args) => archive_ops::prove(&ctx, args),
        Command::Audit(args) => archive_ops::audit(&ctx, args),
        Command::Hold(command) => archive_ops::hold(&ctx, command),
        Command::Retention(command) => archive_ops::retention(&ctx, command),
        Command::Erase(args) => archive_ops::erase(&ctx, args),
        Command::Keys(command) => archive_ops::keys(&ctx, command),
        Command::Rules(command) => rules::run(&ctx, command),
        Command::Policy(command) => policy::run(&ctx, command),
        Command::Alerts(command) => alerts::run(&ctx, command),
        Command::Review(command) => alerts::review(&ctx, command),
        Command::Report(command) => report::run(&ctx, command),
    }
}

/// Turns the shared export flags into the connectors' options.
pub fn parse_options(export: &ExportOptions) -> Result<ParseOptions> {
    let tz = match &export.tz {
        Some(name) => Some(jiff::tz::TimeZone::get(name).with_context(|| {
            format!("--tz {name}: not a known IANA time zone (try e.g. Europe/London)")
        })?),
        None => None,
    };
    Ok(ParseOptions {
        tz,
        date_order: export.date_order.map(|order| match order {
            DateOrderArg::Dmy => DateOrder::Dmy,
            DateOrderArg::Mdy => DateOrder::Mdy,
            DateOrderArg::Ymd => DateOrder::Ymd,
        }),
        custodian: export.custodian.clone(),
        format: match &export.format {
            Some(name) => Some(
                name.parse()
                    .map_err(|e| anyhow::anyhow!("--format {name}: {e}"))?,
            ),
            None => None,
        },
        ..ParseOptions::default()
    })
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
