//! `chatwarden demo`: the product's front door. Writes a sample corpus, ingests it
//! into a fresh archive, and shows what chatwarden found.

use super::ingest::{print_summary, short};
use crate::cli::DemoArgs;
use crate::context::Context;
use crate::demo::corpus;
use crate::exit::Exit;
use crate::pipeline::Pipeline;
use crate::term::{interactive, safe_line};
use anyhow::{Context as _, Result, bail};
use chatwarden_archive::{Archive, FindingFilter};
use chatwarden_connectors::ParseOptions;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Marks a folder as the demo's own, so a re-run may clear it safely.
const MARKER: &str = ".chatwarden-demo";

#[derive(Serialize)]
struct DemoReport {
    corpus: String,
    data: String,
    key_file: String,
    ingest: crate::pipeline::IngestSummary,
    findings_by_entity: BTreeMap<String, u64>,
    planted_found: usize,
    planted_total: usize,
    verify_ok: bool,
    records_verified: u64,
}

pub fn run(ctx: &Context, args: DemoArgs) -> Result<Exit> {
    let dir = &args.dir;
    prepare(dir)?;
    let corpus_dir = dir.join("corpus");
    let data = dir.join("data");
    let key_file = dir.join("master.key");

    let files = corpus::write(&corpus_dir)?;
    let info = Archive::init(&data, &key_file)?;
    let mut archive = Archive::open(&data, &key_file, &ctx.actor)?;
    let engine = chatwarden_inspect::Engine::new(&chatwarden_inspect::EngineConfig::default())?;
    let options = ParseOptions {
        tz: Some(jiff::tz::TimeZone::get("Europe/London")?),
        custodian: Some("daniel.kim".to_string()),
        ..ParseOptions::default()
    };
    let summary = Pipeline {
        archive: &mut archive,
        engine: Some(&engine),
        options,
        batch_size: 5000,
        progress: interactive() && !ctx.json,
    }
    .run(&files);

    let findings = archive.findings(&FindingFilter::default())?;
    let mut by_entity: BTreeMap<String, u64> = BTreeMap::new();
    for f in &findings {
        *by_entity.entry(f.entity.clone()).or_default() += 1;
    }
    let planted_found = corpus::PLANTED
        .iter()
        .filter(|p| {
            findings
                .iter()
                .any(|f| f.entity == p.entity && planted_matches(&f.preview, p.value))
        })
        .count();
    let verify = archive.verify()?;

    if ctx.json {
        super::print_json(&DemoReport {
            corpus: corpus_dir.display().to_string(),
            data: data.display().to_string(),
            key_file: key_file.display().to_string(),
            ingest: summary,
            findings_by_entity: by_entity,
            planted_found,
            planted_total: corpus::PLANTED.len(),
            verify_ok: verify.ok,
            records_verified: verify.records_checked,
        })?;
        return Ok(Exit::Ok);
    }

    println!("chatwarden demo");
    println!("===============");
    println!();
    println!(
        "Sample corpus: {} WhatsApp exports in {}",
        files.len(),
        corpus_dir.display()
    );
    for f in &files {
        println!(
            "  · {}",
            safe_line(
                &f.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            )
        );
    }
    println!();
    println!(
        "Archive: {} (encrypted; master key {}, log key {})",
        data.display(),
        key_file.display(),
        info.public_key
    );
    println!("Times read as Europe/London; custodian daniel.kim.");
    println!();
    print_summary(&summary);
    println!();
    println!(
        "What inspection found ({} findings; values are masked, never stored in clear):",
        findings.len()
    );
    for (entity, count) in &by_entity {
        let example = findings
            .iter()
            .find(|f| &f.entity == entity)
            .map(|f| safe_line(&f.preview).into_owned())
            .unwrap_or_default();
        println!("  {entity:<22} {count:>3}   e.g. {example}");
    }
    println!(
        "  planted in the corpus and found: {planted_found} of {}",
        corpus::PLANTED.len()
    );
    println!();
    println!(
        "Integrity: {} — {} records re-hashed, {} signed checkpoint(s) checked",
        if verify.ok {
            "verified"
        } else {
            "PROBLEMS FOUND"
        },
        verify.records_checked,
        verify.checkpoints_checked
    );
    let conversations = archive.conversations()?;
    if let Some(first) = conversations.first() {
        println!();
        println!("Try next:");
        let d = data.display();
        let k = key_file.display();
        println!("  chatwarden --data {d} --key-file {k} conversations");
        println!(
            "  chatwarden --data {d} --key-file {k} show {}",
            short(first.id.as_str())
        );
        println!("  chatwarden --data {d} --key-file {k} findings --entity CREDIT_CARD");
        println!("  chatwarden --data {d} --key-file {k} verify");
        println!("  chatwarden --data {d} --key-file {k} audit");
    }
    Ok(if summary.failed > 0 {
        Exit::Partial
    } else {
        Exit::Ok
    })
}

/// A masked preview keeps the value's last characters: compare those.
fn planted_matches(preview: &str, value: &str) -> bool {
    let shown: String = preview
        .chars()
        .filter(|c| c.is_alphanumeric() && *c != '•')
        .collect();
    let value: String = value.chars().filter(|c| c.is_alphanumeric()).collect();
    value.ends_with(&shown)
}

/// Makes `dir` ready for a fresh demo: creates it, or clears a previous demo's output.
/// Refuses to touch a non-empty folder that the demo did not create.
fn prepare(dir: &Path) -> Result<()> {
    if dir.exists() {
        let is_demo = dir.join(MARKER).exists();
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("{}: cannot read", dir.display()))?
            .next()
            .is_none();
        if !is_demo && !empty {
            bail!(
                "{} exists and was not made by `chatwarden demo`; choose another folder with --dir",
                dir.display()
            );
        }
        for name in ["corpus", "data"] {
            let path = dir.join(name);
            if path.exists() {
                std::fs::remove_dir_all(&path)
                    .with_context(|| format!("{}: cannot clear", path.display()))?;
            }
        }
        let key = dir.join("master.key");
        if key.exists() {
            std::fs::remove_file(&key)
                .with_context(|| format!("{}: cannot clear", key.display()))?;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "made by chatwarden demo; safe to delete\n",
    )?;
    Ok(())
}
