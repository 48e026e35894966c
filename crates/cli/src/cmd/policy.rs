//! `policy check`: validate a policy and dry-run it over what the archive holds.

use super::print_json;
use crate::cli::PolicyCommand;
use crate::context::Context;
use crate::exit::Exit;
use crate::term::safe_line;
use anyhow::{Context as _, Result};
use chatwarden_archive::Archive;
use chatwarden_policy::{Alert, Directory, Grouper, Policy};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// What one rule would raise.
#[derive(Debug, Default, Serialize, Clone)]
pub struct RuleCount {
    pub rule: String,
    pub severity: String,
    /// One alert per rule hit per message.
    pub alerts: u64,
    /// Alerts grouped per conversation and time window: the review items.
    pub items: u64,
}

#[derive(Debug, Serialize)]
pub struct DryRun {
    pub rules: usize,
    pub messages: u64,
    pub alerts: u64,
    pub items: u64,
    pub by_rule: Vec<RuleCount>,
}

pub fn run(ctx: &Context, command: PolicyCommand) -> Result<Exit> {
    let (file, directory) = match command {
        PolicyCommand::Check { file, directory } => (file, directory),
        PolicyCommand::Apply { file, directory } => {
            return apply(ctx, file.as_deref(), directory.as_deref());
        }
    };
    let policy = load_policy(file.as_deref())?;
    let directory = load_directory(directory.as_deref())?;
    let name = file
        .as_deref()
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "the default policy".to_string());
    if !Archive::exists(&ctx.data) {
        if ctx.json {
            print_json(&serde_json::json!({"valid": true, "rules": policy.rules.len()}))?;
        } else {
            println!(
                "{name}: valid, {} rule(s); no archive at {} to dry-run over",
                policy.rules.len(),
                ctx.data.display()
            );
        }
        return Ok(Exit::Ok);
    }
    let mut archive = ctx.open()?;
    let report = dry_run(&mut archive, &policy, &directory)?;
    if ctx.json {
        print_json(&report)?;
    } else {
        println!("{name}: valid, {} rule(s)", report.rules);
        print_dry_run(&report);
    }
    Ok(Exit::Ok)
}

pub fn load_policy(file: Option<&Path>) -> Result<Policy> {
    Ok(match file {
        Some(path) => Policy::from_file(path)?,
        None => Policy::default_policy()?,
    })
}

pub fn load_directory(file: Option<&Path>) -> Result<Directory> {
    match file {
        Some(path) => Directory::from_toml_file(path)
            .with_context(|| format!("{}: invalid directory", path.display())),
        None => Ok(Directory::new(
            Vec::<String>::new(),
            Vec::<String>::new(),
            Vec::new(),
        )?),
    }
}

/// Evaluates the policy over every readable stored message (reading is audited).
pub fn dry_run(archive: &mut Archive, policy: &Policy, directory: &Directory) -> Result<DryRun> {
    let mut grouper = Grouper::new(policy.group_window);
    let mut by_rule: BTreeMap<String, RuleCount> = BTreeMap::new();
    let mut messages = 0u64;
    let mut alerts = 0u64;
    for summary in archive.conversations()? {
        let conversation = archive.find_conversation(summary.id.as_str())?;
        let prepared = policy.prepare(directory, &conversation);
        for stored in archive.messages(&conversation.id)? {
            let Some(message) = stored.message.as_ref() else {
                continue;
            };
            messages += 1;
            for hit in policy.evaluate_prepared(&prepared, message, &stored.findings) {
                let count = by_rule
                    .entry(hit.rule.clone())
                    .or_insert_with(|| RuleCount {
                        rule: hit.rule.clone(),
                        severity: format!("{:?}", hit.severity).to_lowercase(),
                        ..RuleCount::default()
                    });
                count.alerts += 1;
                alerts += 1;
                grouper.add(hit);
            }
        }
    }
    let groups = grouper.into_groups();
    for group in &groups {
        if let Some(count) = by_rule.get_mut(&group.rule) {
            count.items += 1;
        }
    }
    Ok(DryRun {
        rules: policy.rules.len(),
        messages,
        alerts,
        items: groups.len() as u64,
        by_rule: by_rule.into_values().collect(),
    })
}

/// The same counts as [`dry_run`], for the alerts stored in the queue (samples left out).
pub fn stored_counts(
    archive: &mut Archive,
    policy: &Policy,
    queue: &[super::alerts::QueueLine],
) -> Result<DryRun> {
    let mut by_rule: BTreeMap<String, RuleCount> = BTreeMap::new();
    for line in queue
        .iter()
        .filter(|l| l.rule != chatwarden_archive::SAMPLE_RULE)
    {
        let count = by_rule
            .entry(line.rule.clone())
            .or_insert_with(|| RuleCount {
                rule: line.rule.clone(),
                severity: line.severity.as_str().to_string(),
                ..RuleCount::default()
            });
        count.alerts += line.alerts as u64;
        count.items += 1;
    }
    Ok(DryRun {
        rules: policy.rules.len(),
        messages: archive.message_count()?,
        alerts: by_rule.values().map(|r| r.alerts).sum(),
        items: by_rule.values().map(|r| r.items).sum(),
        by_rule: by_rule.into_values().collect(),
    })
}

pub fn print_dry_run(report: &DryRun) {
    println!(
        "over {} stored message(s): {} alert(s) in {} review item(s)",
        report.messages, report.alerts, report.items
    );
    if !report.by_rule.is_empty() {
        println!(
            "  {:<44} {:<9} {:>6} {:>6}",
            "rule", "severity", "alerts", "items"
        );
        for r in &report.by_rule {
            println!(
                "  {:<44} {:<9} {:>6} {:>6}",
                safe_line(&r.rule),
                r.severity,
                r.alerts,
                r.items
            );
        }
    }
}

/// What re-evaluation changed for one rule.
#[derive(Debug, Default, Serialize, Clone)]
pub struct RuleChange {
    pub rule: String,
    /// Alerts this policy raises over the stored messages.
    pub raised: u64,
    /// Of those, stored now (not raised before).
    pub new: u64,
    /// Stored alerts of this rule that this policy no longer raises (kept, with their history).
    pub no_longer_raised: u64,
}

#[derive(Debug, Serialize)]
pub struct ApplyReport {
    pub policy: String,
    pub rules: usize,
    pub messages: u64,
    pub new_alerts: u64,
    pub new_items: u64,
    /// Policy tips of `notify` hits raised anew, logged for the employee report.
    pub tips: u64,
    /// Stored alerts this policy no longer raises (kept, with their review history).
    pub no_longer_raised: u64,
    pub by_rule: Vec<RuleChange>,
}

/// `policy apply`: re-evaluates every readable stored message under `file`, adds the new
/// alerts to the review queue (grouped with open items where they fall in their window),
/// keeps every stored alert and its history, and records the run in the audit trail.
fn apply(ctx: &Context, file: Option<&Path>, directory: Option<&Path>) -> Result<Exit> {
    let policy = load_policy(file)?;
    let directory = load_directory(directory)?;
    let name = file
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "the default policy".to_string());
    let mut archive = ctx.open()?;
    let before: Vec<(String, String)> = archive
        .alert_keys()?
        .into_iter()
        .filter(|k| k.rule != chatwarden_archive::SAMPLE_RULE)
        .map(|k| (k.id, k.rule))
        .collect();
    let mut by_rule: BTreeMap<String, RuleChange> = BTreeMap::new();
    let mut raised_ids: HashSet<String> = HashSet::new();
    let mut messages = 0u64;
    let mut new_alerts = 0u64;
    let mut new_items = 0u64;
    let mut tips = 0u64;
    for summary in archive.conversations()? {
        let conversation = archive.find_conversation(summary.id.as_str())?;
        let prepared = policy.prepare(&directory, &conversation);
        let mut alerts = Vec::new();
        let mut grouper: Option<Grouper> = None;
        // `notify` hits and their messages: their tips are logged before the alerts are
        // stored, as at ingest (a hit whose alert is stored already gives no tip).
        let mut notify_hits = Vec::new();
        let mut notify_messages = Vec::new();
        for stored in archive.messages(&conversation.id)? {
            let Some(message) = stored.message.as_ref() else {
                continue;
            };
            messages += 1;
            let hits = policy.evaluate_prepared(&prepared, message, &stored.findings);
            if hits.is_empty() {
                continue;
            }
            let grouper = match &mut grouper {
                Some(g) => g,
                None => {
                    let groups = archive.review_groups(&conversation.id)?;
                    grouper.insert(Grouper::with_groups(policy.group_window, groups))
                }
            };
            if hits
                .iter()
                .any(|h| chatwarden_policy::tip_text(h).is_some())
            {
                notify_messages.push(message.clone());
                notify_hits.extend(
                    hits.iter()
                        .filter(|h| chatwarden_policy::tip_text(h).is_some())
                        .cloned(),
                );
            }
            for hit in hits {
                by_rule
                    .entry(hit.rule.clone())
                    .or_insert_with(|| RuleChange {
                        rule: hit.rule.clone(),
                        ..RuleChange::default()
                    })
                    .raised += 1;
                let alert = Alert::from(hit.clone());
                raised_ids.insert(alert.id.clone());
                let index = grouper.add(hit);
                let group = grouper
                    .groups()
                    .get(index)
                    .map(|g| g.id.clone())
                    .unwrap_or_default();
                alerts.push((group, alert));
            }
        }
        tips += crate::pipeline::log_tips(&mut archive, &prepared, &notify_messages, &notify_hits)?;
        let report = archive.put_alerts(&alerts, "policy-apply")?;
        new_alerts += report.new_alerts;
        new_items += report.new_items;
    }
    let stored_ids: HashSet<&str> = before.iter().map(|(id, _)| id.as_str()).collect();
    for (id, rule) in &before {
        if !raised_ids.contains(id) {
            by_rule
                .entry(rule.clone())
                .or_insert_with(|| RuleChange {
                    rule: rule.clone(),
                    ..RuleChange::default()
                })
                .no_longer_raised += 1;
        }
    }
    // New per rule: raised now, not stored before.
    let mut new_by_rule: BTreeMap<String, u64> = BTreeMap::new();
    for summary in archive.alert_keys()? {
        if raised_ids.contains(&summary.id) && !stored_ids.contains(summary.id.as_str()) {
            *new_by_rule.entry(summary.rule).or_default() += 1;
        }
    }
    for (rule, n) in new_by_rule {
        if let Some(c) = by_rule.get_mut(&rule) {
            c.new = n;
        }
    }
    let report = ApplyReport {
        policy: name.clone(),
        rules: policy.rules.len(),
        messages,
        new_alerts,
        new_items,
        tips,
        no_longer_raised: by_rule.values().map(|r| r.no_longer_raised).sum(),
        by_rule: by_rule.into_values().collect(),
    };
    archive.record_access_with(
        &ctx.actor,
        "policy.apply",
        &name,
        serde_json::json!({
            "rules": report.rules, "messages": messages,
            "new_alerts": new_alerts, "new_items": new_items, "tips": tips,
            "no_longer_raised": report.no_longer_raised,
        }),
    )?;
    if ctx.json {
        print_json(&report)?;
        return Ok(Exit::Ok);
    }
    println!(
        "{name}: {} rule(s) re-evaluated over {messages} stored message(s)",
        report.rules
    );
    println!(
        "{new_alerts} new alert(s) in {new_items} new review item(s); stored alerts and their review history are kept"
    );
    if report.no_longer_raised > 0 {
        println!(
            "{} stored alert(s) this policy no longer raises (kept, with their review history; \
             close them with `chatwarden alerts close`)",
            report.no_longer_raised
        );
    }
    if tips > 0 {
        println!(
            "{tips} policy tip(s) logged for the employee report (see `chatwarden report tips`)"
        );
    }
    if !report.by_rule.is_empty() {
        println!(
            "  {:<44} {:>6} {:>5} {:>17}",
            "rule", "raised", "new", "no longer raised"
        );
        for r in &report.by_rule {
            println!(
                "  {:<44} {:>6} {:>5} {:>17}",
                safe_line(&r.rule),
                r.raised,
                r.new,
                r.no_longer_raised
            );
        }
    }
    Ok(Exit::Ok)
}
