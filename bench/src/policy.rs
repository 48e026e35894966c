//! `chatwarden-bench policy FILE`: what evaluating a 200-rule data-governance policy
//! costs per message, as a share of ingest time.
//!
//! The export is parsed once beforehand (excluded); one message in twenty is then given
//! sensitive content (a card number, an IBAN, an SSN, a password, a confidential marker,
//! five email addresses, a promised return) so the rules have findings to work on — the
//! generated export alone holds none. Then, on the same messages:
//! 1. ingest as `chatwarden ingest` does it, without the policy: inspection (the built-in
//!    detectors, with the conversation context) and `Archive::ingest_batch` per 5,000
//!    messages (sealed, logged, signed checkpoint, durable);
//! 2. policy evaluation as the ingest pipeline does it: `Policy::prepare` once for the
//!    conversation, `evaluate_prepared` once per message with that message's findings.
//!    The policy is the shipped default (8 rules and its promissory lexicon) plus 192
//!    generated rules over every inspection entity with varied directions, senders,
//!    sources, score and count thresholds, time windows, departments and custodians;
//! 3. grouping the hits and storing the alerts (`Grouper`, `Archive::put_alerts`).
//!
//! The share is policy / (ingest + policy): the part of an ingest with the policy on that
//! the policy takes.

use anyhow::{Result, ensure};
use chatwarden_inspect::{ConversationContext, Engine, EngineConfig};
use chatwarden_model::{Finding, Message, MessageKind};
use chatwarden_policy::policy::KNOWN_ENTITIES;
use chatwarden_policy::{Alert, DEFAULT_POLICY, Directory, Employee, Grouper, Policy};
use std::fmt::Write as _;
use std::time::Instant;

const BATCH: usize = 5_000;
const RULES: usize = 200;

/// The default policy plus generated rules, `RULES` in all.
fn policy_with_200_rules() -> Result<Policy> {
    let mut src = DEFAULT_POLICY.to_owned();
    let directions = ["any", "internal", "external", "unknown", "not_internal"];
    let senders = ["any", "internal", "external", "not_internal"];
    let sources = ["any", "message", "attachment"];
    let base = Policy::from_toml(DEFAULT_POLICY, "default")?.rules.len();
    for i in 0..RULES - base {
        let e1 = KNOWN_ENTITIES[i % KNOWN_ENTITIES.len()];
        let e2 = KNOWN_ENTITIES[(i * 5 + 2) % KNOWN_ENTITIES.len()];
        write!(
            src,
            "\n[[rule]]\nid = \"bench-{i}\"\nseverity = \"{}\"\nentities = [\"{e1}\", \"{e2}\"]\nmin_score = 0.{}\nmin_count = {}\ndirection = \"{}\"\nsender = \"{}\"\nsource = \"{}\"\nactions = [\"alert\"]\n",
            ["low", "medium", "high", "critical"][i % 4],
            4 + i % 5,
            1 + i % 2,
            directions[i % directions.len()],
            senders[i % senders.len()],
            sources[i % sources.len()],
        )?;
        if i % 6 == 0 {
            src.push_str("time = \"outside_business_hours\"\n");
        }
        if i % 7 == 0 {
            src.push_str("except_departments = [\"Payments\", \"Finance\"]\n");
        }
        if i % 9 == 0 {
            src.push_str("departments = [\"Corporate Finance\", \"Private Banking\"]\n");
        }
        if i % 13 == 0 {
            src.push_str("custodians = [\"daniel.kim\"]\n");
        }
    }
    let policy = Policy::from_toml(&src, "bench-policy.toml")?;
    ensure!(policy.rules.len() == RULES, "{} rules", policy.rules.len());
    Ok(policy)
}

/// The people of the generated export: three employees; Tom Becker and the phone
/// number are not in the directory.
fn directory() -> Result<Directory> {
    let employee = |id: &str, name: &str, dept: &str| Employee {
        id: id.into(),
        name: name.into(),
        emails: vec![format!("{id}@northbridge.example")],
        phones: Vec::new(),
        department: Some(dept.into()),
        supervisor: None,
    };
    Ok(Directory::new(
        ["northbridge.example"],
        ["+44207946"],
        vec![
            employee("daniel.kim", "Daniel Kim", "Private Banking"),
            employee("priya.shah", "Priya Shah", "Corporate Finance"),
            employee("maria.lopez", "Maria Lopez", "Payments"),
        ],
    )?)
}

pub fn run(file: &str) -> Result<()> {
    let options = chatwarden_connectors::ParseOptions {
        custodian: Some("daniel.kim".into()),
        ..chatwarden_connectors::ParseOptions::default()
    };
    let mut source = chatwarden_connectors::open(std::path::Path::new(file), &options)?;
    let conversation = source.conversation().clone();
    let mut messages: Vec<Message> = source.messages()?.collect::<Result<_, _>>()?;
    const SENSITIVE: [&str; 7] = [
        "card for the deposit: 4111 1111 1111 1111, exp 09/28",
        "wire it to DE89 3704 0044 0532 0130 00 today please",
        "my SSN is 512-48-7731 for the form",
        "data room login falcon-dd, the password is Falcon#2026!",
        "Strictly confidential - MNPI, do not forward",
        "contacts: ana@example.com, bo@example.org, cy@example.net, di@example.com, ed@example.org",
        "I guarantee you a 12% return on this fund",
    ];
    for (i, m) in messages.iter_mut().enumerate() {
        if i % 20 == 7
            && m.kind == MessageKind::Message
            && let Some(text) = SENSITIVE.get((i / 20) % SENSITIVE.len())
        {
            m.text = (*text).to_string();
        }
    }
    let count = messages.len();
    let policy = policy_with_200_rules()?;
    let directory = directory()?;

    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let key = dir.path().join("master.key");
    chatwarden_archive::Archive::init(&data, &key)?;
    let mut archive = chatwarden_archive::Archive::open(&data, &key, "bench")?;
    let engine = Engine::new(&EngineConfig::default())?;
    let hash_key = archive.finding_hash_key();

    // 1. Ingest: inspection + sealed, logged batches. The findings are kept for step 2.
    let mut context = ConversationContext::new(
        conversation
            .participants
            .iter()
            .map(|p| p.display_name.clone())
            .collect(),
        None,
    );
    let mut per_message: Vec<Vec<Finding>> = Vec::with_capacity(count);
    let start = Instant::now();
    for chunk in messages.chunks(BATCH) {
        let mut findings = Vec::new();
        for m in chunk {
            let mut own = Vec::new();
            if m.kind == MessageKind::Message && !m.text.is_empty() {
                for d in context.scan(&engine, &m.text) {
                    own.push(chatwarden_inspect::to_finding(&d, &m.id, &hash_key, None));
                }
            } else {
                context.push(&m.text);
            }
            findings.extend(own.iter().cloned());
            per_message.push(own);
        }
        archive.ingest_batch(&conversation, chunk, &findings)?;
    }
    let ingest_seconds = start.elapsed().as_secs_f64();
    let findings_total: usize = per_message.iter().map(Vec::len).sum();

    // 2. Policy evaluation, once per message.
    let start = Instant::now();
    let prepared = policy.prepare(&directory, &conversation);
    let mut hits = Vec::new();
    for (m, own) in messages.iter().zip(&per_message) {
        hits.extend(policy.evaluate_prepared(&prepared, m, own));
    }
    let policy_seconds = start.elapsed().as_secs_f64();

    // 3. Grouping and storing the alerts (one transaction per batch of hits).
    let start = Instant::now();
    let mut grouper = Grouper::new(policy.group_window);
    let mut stored = 0u64;
    for chunk in hits.chunks(BATCH) {
        let mut alerts = Vec::with_capacity(chunk.len());
        for hit in chunk {
            let alert = Alert::from(hit.clone());
            let i = grouper.add(hit.clone());
            let group = grouper.groups().get(i).map(|g| g.id.clone());
            alerts.push((group.unwrap_or_default(), alert));
        }
        stored += archive.put_alerts(&alerts, "bench")?.new_alerts;
    }
    let alerts_seconds = start.elapsed().as_secs_f64();
    let report = archive.verify()?;
    ensure!(report.ok, "verify failed: {:?}", report.problems.first());

    println!(
        "{}",
        serde_json::json!({
            "messages": count,
            "rules": policy.rules.len(),
            "findings": findings_total,
            "alerts": stored,
            "items": grouper.groups().len(),
            "ingest_seconds": ingest_seconds,
            "policy_seconds": policy_seconds,
            "policy_us_per_message": policy_seconds * 1e6 / count.max(1) as f64,
            "policy_share": policy_seconds / (ingest_seconds + policy_seconds),
            "alerts_seconds": alerts_seconds,
        })
    );
    Ok(())
}
