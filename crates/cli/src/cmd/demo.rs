//! `chatwarden demo`: the product's front door. Writes a sample corpus, ingests it
//! into a fresh archive, and shows what chatwarden found.

use super::gate::Gate;
use super::ingest::{print_summary, short};
use crate::cli::{DemoArgs, InspectOptions};
use crate::context::Context;
use crate::demo::corpus;
use crate::exit::Exit;
use crate::pipeline::Pipeline;
use crate::term::{interactive, safe_line};
use anyhow::{Context as _, Result, bail};
use chatwarden_archive::{Archive, FindingFilter};
use chatwarden_connectors::ParseOptions;
use chatwarden_policy::{Visibility, mask_preview_fully};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
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
    /// What the default policy raised at ingest (stored alerts, by rule).
    policy: super::policy::DryRun,
    /// The review queue the ingest filled.
    alerts: Vec<super::alerts::QueueLine>,
    attachment_findings: usize,
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
    // The company's side: detection rules, and its customer list turned into keyed
    // hashes (the list itself is not kept).
    let company = dir.join("company");
    std::fs::create_dir_all(&company)?;
    let rules_path = company.join("rules.toml");
    std::fs::write(&rules_path, corpus::RULES_TOML)?;
    let hashes = chatwarden_inspect::custom::build_exact_hashes(
        corpus::CRM_CSV.as_bytes(),
        "customer_id",
        &archive.finding_hash_key(),
        std::fs::File::create(company.join("customers.hashes"))?,
    )?;
    let engine = super::rules::build_engine(
        &InspectOptions {
            rules: vec![rules_path.clone()],
            ..InspectOptions::default()
        },
        Some(archive.finding_hash_key()),
    )?;
    // The organisation directory: who is internal, for the data-governance policy the
    // ingest evaluates (the shipped default policy).
    std::fs::write(company.join("directory.toml"), corpus::DIRECTORY_TOML)?;
    std::fs::write(company.join("employees.csv"), corpus::EMPLOYEES_CSV)?;
    let directory = super::policy::load_directory(Some(&company.join("directory.toml")))?;
    let policy = chatwarden_policy::Policy::default_policy()?;
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
        attachment_limits: Default::default(),
        policy: Some(crate::pipeline::PolicyRun {
            policy: &policy,
            directory: &directory,
        }),
        region: None,
    }
    .run(&files);

    let findings = archive.findings(&FindingFilter::default())?;
    let queue = super::alerts::queue_lines(
        &mut archive,
        &chatwarden_policy::QueueFilter::default(),
        None,
    )?;
    let policy_run = super::policy::stored_counts(&mut archive, &policy, &queue)?;
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
            policy: policy_run,
            alerts: queue,
            attachment_findings: findings.iter().filter(|f| f.attachment.is_some()).count(),
            verify_ok: verify.ok,
            records_verified: verify.records_checked,
        })?;
        return Ok(Exit::Ok);
    }

    println!("chatwarden demo");
    println!("===============");
    println!();
    println!(
        "Sample corpus: {} chat exports (WhatsApp Android and iOS in six languages, WhatsApp Desktop, Telegram, Slack) in {}",
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
    println!(
        "Company rules: {} (a code-name dictionary; {} customer ids as keyed hashes, no plaintext list kept)",
        rules_path.display(),
        hashes.hashes
    );
    println!();
    print_summary(&summary);
    println!();
    println!(
        "What inspection found ({} findings; values are masked, never stored in clear):",
        findings.len()
    );
    // The example previews obey the policy's quarantine and redact actions for the
    // reader's role, as `findings` does: an example the reader may see as stored is
    // preferred, else a fully masked one; the read is audited like any other.
    let mut gate = Gate::new(ctx);
    let ids: HashSet<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    gate.load_for_messages(&mut archive, &ids)?;
    let mut examples = Vec::with_capacity(by_entity.len());
    for (entity, count) in &by_entity {
        let rank = |v: &Visibility| match v {
            Visibility::Clear => 0,
            Visibility::Masked { .. } => 1,
            Visibility::Withheld { .. } => 2,
        };
        let example = findings
            .iter()
            .filter(|f| &f.entity == entity)
            .min_by_key(|f| rank(&gate.peek(&f.message)))
            .map(|f| match gate.decide(&f.message) {
                Visibility::Clear => safe_line(&f.preview).into_owned(),
                Visibility::Masked { .. } => mask_preview_fully(&f.preview),
                Visibility::Withheld { item } => super::gate::notice(&item),
            })
            .unwrap_or_default();
        examples.push((entity, count, example));
    }
    gate.record(&mut archive, "demo", "*")?;
    for (entity, count, example) in examples {
        println!("  {entity:<22} {count:>3}   e.g. {example}");
    }
    println!(
        "  (examples from messages the policy redacts or quarantines are held back for --role {})",
        ctx.role.as_str()
    );
    println!(
        "  planted in the corpus and found: {planted_found} of {}",
        corpus::PLANTED.len()
    );
    println!();
    println!(
        "What the default data-governance policy raised at ingest (directory: {}):",
        company.join("directory.toml").display()
    );
    print!("  ");
    super::policy::print_dry_run(&policy_run);
    println!();
    println!("The review queue (most severe first):");
    super::alerts::print_queue(&queue);
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
        let run = invocation();
        let d = data.display();
        let k = key_file.display();
        println!("  {run} --data {d} --key-file {k} conversations");
        println!(
            "  {run} --data {d} --key-file {k} --role compliance-officer show {}",
            short(first.id.as_str())
        );
        println!("  {run} --data {d} --key-file {k} findings --entity CREDIT_CARD");
        if let Some(item) = queue.first() {
            println!("  {run} --data {d} --key-file {k} alerts list");
            println!(
                "  {run} --data {d} --key-file {k} alerts show {}",
                short(&item.id)
            );
        }
        println!("  {run} --data {d} --key-file {k} verify");
        println!("  {run} --data {d} --key-file {k} audit");
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
        for name in ["corpus", "data", "company"] {
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

/// How the person ran us: `chatwarden`, or `cargo run --release --` from a checkout.
fn invocation() -> &'static str {
    let from_target = std::env::current_exe()
        .map(|p| p.components().any(|c| c.as_os_str() == "target"))
        .unwrap_or(false);
    if from_target && std::env::var_os("CARGO").is_some() {
        "cargo run --release --"
    } else {
        "chatwarden"
    }
}
