//! `policy check`: validate a policy and dry-run it over what the archive holds.

use super::print_json;
use crate::cli::PolicyCommand;
use crate::context::Context;
use crate::exit::Exit;
use crate::term::safe_line;
use anyhow::{Context as _, Result};
use chatwarden_archive::Archive;
use chatwarden_policy::{Directory, Grouper, Policy};
use serde::Serialize;
use std::collections::BTreeMap;
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
    let PolicyCommand::Check { file, directory } = command;
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
