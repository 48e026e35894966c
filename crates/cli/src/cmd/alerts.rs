//! `alerts list|show|assign|comment|escalate|close|reopen` and `review sample`: the review
//! queue kept in the archive. Every review action is a record of the archive's log, made
//! by the `--actor` (default: the OS user).

use super::gate::{self, Gate};
use super::ingest::short;
use super::print_json;
use crate::cli::{AlertsCommand, DispositionArg, ReviewCommand, SeverityArg, StatusArg};
use crate::context::Context;
use crate::exit::Exit;
use crate::term::{safe, safe_line};
use anyhow::{Result, bail};
use chatwarden_archive::{AlertItem, AlertQuery, Archive, FindingFilter, ReviewEntry, finding_id};
use chatwarden_model::MessageKind;
use chatwarden_policy::{
    AlertGroup, Disposition, QueueFilter, ReviewAction, Sampler, Severity, Status, Visibility,
    mask_preview_fully, queue,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

pub fn run(ctx: &Context, command: AlertsCommand) -> Result<Exit> {
    match command {
        AlertsCommand::List {
            status,
            severity,
            department,
            supervisor,
            rule,
            assignee,
        } => {
            let filter = QueueFilter {
                min_severity: severity.map(severity_of),
                department,
                supervisor,
                statuses: statuses_of(&status),
                assignee,
                include_samples: true,
            };
            list(ctx, &filter, rule)
        }
        AlertsCommand::Show { id } => show(ctx, &id),
        AlertsCommand::Assign { id, to } => act(ctx, &id, vec![ReviewAction::Assign { to }]),
        AlertsCommand::Comment { id, text } => act(ctx, &id, vec![ReviewAction::Comment { text }]),
        AlertsCommand::Escalate { id, reason } => {
            act(ctx, &id, vec![ReviewAction::Escalate { reason }])
        }
        AlertsCommand::Close {
            id,
            disposition,
            reason,
        } => {
            let disposition = match disposition {
                DispositionArg::FalsePositive => match reason.clone() {
                    Some(r) if !r.trim().is_empty() => Disposition::FalsePositive { reason: r },
                    _ => bail!(
                        "alerts close --disposition false-positive needs --reason (why it is not a breach)"
                    ),
                },
                DispositionArg::Acknowledged => Disposition::Acknowledged,
                DispositionArg::BreachReported => Disposition::BreachReported,
            };
            let note = match &disposition {
                Disposition::FalsePositive { .. } => None,
                _ => reason,
            };
            act(ctx, &id, vec![ReviewAction::Close { disposition, note }])
        }
        AlertsCommand::Reopen { id, reason } => {
            act(ctx, &id, vec![ReviewAction::Reopen { reason }])
        }
    }
}

fn severity_of(s: SeverityArg) -> Severity {
    match s {
        SeverityArg::Low => Severity::Low,
        SeverityArg::Medium => Severity::Medium,
        SeverityArg::High => Severity::High,
        SeverityArg::Critical => Severity::Critical,
    }
}

fn statuses_of(args: &[StatusArg]) -> Vec<Status> {
    if args.contains(&StatusArg::All) {
        return vec![
            Status::Open,
            Status::InReview,
            Status::Escalated,
            Status::Closed,
        ];
    }
    args.iter()
        .filter_map(|s| match s {
            StatusArg::Open => Some(Status::Open),
            StatusArg::InReview => Some(Status::InReview),
            StatusArg::Escalated => Some(Status::Escalated),
            StatusArg::Closed => Some(Status::Closed),
            StatusArg::All => None,
        })
        .collect()
}

/// One line of the queue, for people and scripts.
#[derive(Debug, Serialize)]
pub struct QueueLine {
    pub id: String,
    pub severity: Severity,
    pub status: Status,
    pub rule: String,
    pub alerts: usize,
    pub conversation: String,
    pub title: Option<String>,
    pub custodian: Option<String>,
    pub department: Option<String>,
    pub supervisor: Option<String>,
    pub assignee: Option<String>,
    pub first_at: String,
    pub last_at: String,
}

/// The review queue: stored items filtered and ordered by `chatwarden_policy::queue`.
pub fn queue_lines(
    archive: &mut Archive,
    filter: &QueueFilter,
    rule: Option<String>,
) -> Result<Vec<QueueLine>> {
    let items = archive.list_alerts(&AlertQuery {
        rule,
        ..AlertQuery::default()
    })?;
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let titles: HashMap<String, Option<String>> = archive
        .conversations()?
        .into_iter()
        .map(|c| (c.id.to_string(), c.title))
        .collect();
    let groups: Vec<AlertGroup> = items.iter().map(AlertItem::to_group).collect();
    let by_id: HashMap<&str, &AlertItem> = items.iter().map(|i| (i.id.as_str(), i)).collect();
    Ok(queue(&groups, filter)
        .into_iter()
        .filter_map(|g| by_id.get(g.id.as_str()))
        .map(|i| QueueLine {
            id: i.id.clone(),
            severity: i.severity,
            status: i.status,
            rule: i.rule.clone(),
            alerts: i.alerts.len(),
            conversation: i.conversation.to_string(),
            title: titles.get(i.conversation.as_str()).cloned().flatten(),
            custodian: i.custodian.clone(),
            department: i.department.clone(),
            supervisor: i.supervisor.clone(),
            assignee: i.assignee.clone(),
            first_at: i.first_at.to_string(),
            last_at: i.last_at.to_string(),
        })
        .collect())
}

pub fn print_queue(lines: &[QueueLine]) {
    if lines.is_empty() {
        println!("no review items match");
        return;
    }
    println!(
        "  {:<12} {:<9} {:<10} {:>6}  {:<36} {:<20} assignee",
        "item", "severity", "status", "alerts", "rule", "conversation"
    );
    for l in lines {
        let title = l
            .title
            .as_deref()
            .map(|t| safe_line(t).into_owned())
            .unwrap_or_else(|| short(&l.conversation).to_string());
        println!(
            "  {:<12} {:<9} {:<10} {:>6}  {:<36} {} {}",
            short(&l.id),
            l.severity.as_str(),
            l.status.as_str(),
            l.alerts,
            safe_line(&l.rule),
            crate::term::fit(&title, 20),
            l.assignee.as_deref().map(safe_line).unwrap_or_default()
        );
    }
}

fn list(ctx: &Context, filter: &QueueFilter, rule: Option<String>) -> Result<Exit> {
    let mut archive = ctx.open()?;
    let lines = queue_lines(&mut archive, filter, rule)?;
    if ctx.json {
        print_json(&lines)?;
    } else {
        print_queue(&lines);
        if !lines.is_empty() {
            println!("\n{} item(s)", lines.len());
        }
    }
    Ok(Exit::Ok)
}

/// A flagged message as `alerts show` presents it.
#[derive(Debug, Serialize)]
struct FlaggedMessage {
    id: String,
    sent_at: String,
    sender: Option<String>,
    /// `None` when the message's key was destroyed (retention, erasure), or when it is
    /// withheld (quarantine).
    text: Option<String>,
    findings: Vec<serde_json::Value>,
    /// Set when the policy's quarantine withholds the message from this reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    withheld: Option<serde_json::Value>,
    /// Set when the policy's redact masks the message for this reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    masked: Option<serde_json::Value>,
}

fn show(ctx: &Context, id: &str) -> Result<Exit> {
    let mut archive = ctx.open()?;
    let (item, history) = archive.alert(id)?;
    // The flagged messages and their findings (masked previews), read as any read is:
    // recorded in the audit trail.
    let wanted: HashSet<&str> = item.alerts.iter().map(|a| a.message.as_str()).collect();
    let stored = archive.messages(&item.conversation)?;
    let previews: HashMap<String, String> = archive
        .findings(&FindingFilter {
            conversation: Some(item.conversation.clone()),
            ..FindingFilter::default()
        })?
        .into_iter()
        .filter(|f| wanted.contains(f.message.as_str()))
        .map(|f| (finding_id(&f), f.preview))
        .collect();
    // The policy's quarantine and redact actions of every item on these messages, for
    // the reader's declared role; the read is audited with what was held back.
    let mut gate = Gate::new(ctx);
    gate.load(&mut archive, &item.conversation)?;
    let mut messages = Vec::new();
    for alert in &item.alerts {
        let found = stored.iter().find(|m| m.id == alert.message);
        let v = gate.decide(&alert.message);
        let message = match &v {
            Visibility::Withheld { .. } => None,
            Visibility::Clear => found.and_then(|m| m.message.clone()),
            Visibility::Masked { .. } => found.and_then(|m| {
                m.message
                    .as_ref()
                    .map(|x| gate::masked_message(x, &m.findings))
            }),
        };
        let preview = |id: &str| -> Option<String> {
            let p = previews.get(id)?;
            match &v {
                Visibility::Clear => Some(p.clone()),
                Visibility::Masked { .. } => Some(mask_preview_fully(p)),
                Visibility::Withheld { .. } => None,
            }
        };
        let withheld = matches!(v, Visibility::Withheld { .. });
        messages.push(FlaggedMessage {
            id: alert.message.to_string(),
            sent_at: alert.sent_at.to_string(),
            sender: message.as_ref().and_then(|m| m.sender.clone()),
            text: message.as_ref().map(|m| m.text.clone()),
            findings: alert
                .findings
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "id": f.id, "entity": f.entity, "detector": f.detector, "score": f.score,
                        "in_attachment": f.in_attachment, "preview": preview(&f.id),
                    })
                })
                .collect(),
            withheld: if withheld { gate::marker(&v) } else { None },
            masked: if withheld { None } else { gate::marker(&v) },
        });
    }
    gate.record(&mut archive, "alerts show", &item.id)?;
    if ctx.json {
        print_json(&serde_json::json!({
            "item": item, "messages": messages, "history": history,
        }))?;
        return Ok(Exit::Ok);
    }
    println!(
        "alert item {} — {} ({}), {}",
        item.id,
        safe_line(&item.rule),
        item.severity.as_str(),
        item.status.as_str()
    );
    println!(
        "conversation {}{}{}{}",
        item.conversation,
        item.custodian
            .as_deref()
            .map(|c| format!(", custodian {}", safe_line(c)))
            .unwrap_or_default(),
        item.department
            .as_deref()
            .map(|d| format!(", department {}", safe_line(d)))
            .unwrap_or_default(),
        item.supervisor
            .as_deref()
            .map(|s| format!(", supervisor {}", safe_line(s)))
            .unwrap_or_default()
    );
    if let Some(a) = &item.assignee {
        println!("assigned to {}", safe_line(a));
    }
    if let Some(d) = &item.disposition {
        println!("disposition: {}", disposition_text(d));
    }
    let actions: Vec<&str> = item
        .alerts
        .first()
        .map(|a| a.actions.iter().map(|x| x.name()).collect())
        .unwrap_or_default();
    println!("rule actions: {}", actions.join(", "));
    println!();
    println!("{} alert(s):", item.alerts.len());
    for m in &messages {
        if let Some(w) = &m.withheld {
            println!(
                "  [{}] {}",
                m.sent_at,
                w["notice"]
                    .as_str()
                    .unwrap_or("[quarantined pending review]")
            );
            continue;
        }
        let sender = m.sender.as_deref().map(safe_line).unwrap_or_default();
        let redacted = if m.masked.is_some() {
            " [redacted]"
        } else {
            ""
        };
        match &m.text {
            Some(text) => {
                let text = safe(text);
                let mut lines = text.lines();
                println!(
                    "  [{}] {sender}{redacted}: {}",
                    m.sent_at,
                    lines.next().unwrap_or("")
                );
                for line in lines {
                    println!("      {line}");
                }
            }
            None => println!(
                "  [{}] (content destroyed by retention or erasure)",
                m.sent_at
            ),
        }
        for f in &m.findings {
            println!(
                "      ⚠ {} {}{} (score {:.2})",
                f["entity"].as_str().unwrap_or(""),
                safe_line(
                    f["preview"]
                        .as_str()
                        .unwrap_or("(finding no longer readable)")
                ),
                if f["in_attachment"].as_bool().unwrap_or(false) {
                    " in an attachment"
                } else {
                    ""
                },
                f["score"].as_f64().unwrap_or(0.0)
            );
        }
    }
    println!();
    if history.is_empty() {
        println!("history: no review action yet");
    } else {
        println!("history:");
        for e in &history {
            print_entry(e);
        }
    }
    Ok(Exit::Ok)
}

fn disposition_text(d: &Disposition) -> String {
    match d {
        Disposition::FalsePositive { reason } => {
            format!("false positive — {}", safe_line(reason))
        }
        Disposition::Acknowledged => "acknowledged".to_string(),
        Disposition::BreachReported => "breach reported".to_string(),
    }
}

fn print_entry(e: &ReviewEntry) {
    let r = &e.record;
    let detail = match &r.action {
        ReviewAction::Assign { to } => format!(" to {}", safe_line(to)),
        ReviewAction::Escalate { reason } | ReviewAction::Reopen { reason } => {
            format!(": {}", safe_line(reason))
        }
        ReviewAction::Close { disposition, note } => format!(
            ": {}{}",
            disposition_text(disposition),
            note.as_deref()
                .map(|n| format!(" — {}", safe_line(n)))
                .unwrap_or_default()
        ),
        ReviewAction::Comment { text } => format!(": {}", safe_line(text)),
        _ => String::new(),
    };
    let change = if r.from == r.to {
        String::new()
    } else {
        format!(" [{} → {}]", r.from.as_str(), r.to.as_str())
    };
    println!(
        "  {} UTC {} {}{detail}{change}{}",
        r.at.strftime("%Y-%m-%d %H:%M:%S"),
        safe_line(&r.actor),
        r.action.name(),
        if r.is_review { " (review record)" } else { "" }
    );
}

/// Applies review actions in order; escalating or closing an open item takes it into
/// review first (recorded as its own action).
fn act(ctx: &Context, id: &str, actions: Vec<ReviewAction>) -> Result<Exit> {
    let mut archive = ctx.open()?;
    let mut done: Vec<ReviewEntry> = Vec::new();
    for action in actions {
        if matches!(
            action,
            ReviewAction::Escalate { .. } | ReviewAction::Close { .. }
        ) {
            let (item, _) = archive.alert(id)?;
            if item.status == Status::Open {
                done.push(archive.review_alert(id, ReviewAction::StartReview)?);
            }
        }
        done.push(archive.review_alert(id, action)?);
    }
    if ctx.json {
        print_json(&done)?;
    } else {
        for e in &done {
            print!("alert {}: ", short(&e.record.group));
            print_entry(e);
        }
    }
    Ok(Exit::Ok)
}

pub fn review(ctx: &Context, command: ReviewCommand) -> Result<Exit> {
    let ReviewCommand::Sample {
        rate,
        custodian,
        policy,
    } = command;
    let policy = super::policy::load_policy(policy.as_deref())?;
    let mut config = policy.sampling.clone();
    if let Some(r) = rate {
        if !(0.0..=1.0).contains(&r) || r.is_nan() {
            bail!("--rate {r}: a sampling rate is a share from 0 to 1 (0.01 = 1 in 100)");
        }
        config.rate = r;
        config.custodians.clear();
    }
    let mut archive = ctx.open()?;
    let sampler = Sampler::new(&archive.sampling_seed(), config);
    let flagged: HashSet<chatwarden_model::MessageId> = archive
        .alert_keys()?
        .into_iter()
        .filter(|k| k.rule != chatwarden_archive::SAMPLE_RULE)
        .map(|k| chatwarden_model::MessageId::from(k.message))
        .collect();
    #[derive(Default, Serialize)]
    struct PerCustodian {
        messages: u64,
        flagged: u64,
        sampled: u64,
        rate: f64,
    }
    let mut per: BTreeMap<String, PerCustodian> = BTreeMap::new();
    let mut alerts = Vec::new();
    for summary in archive.conversations()? {
        if custodian
            .as_deref()
            .is_some_and(|c| summary.custodian.as_deref() != Some(c))
        {
            continue;
        }
        let who = summary.custodian.clone();
        let stored = archive.messages(&summary.id)?;
        let messages: Vec<&chatwarden_model::Message> =
            stored.iter().filter_map(|s| s.message.as_ref()).collect();
        let entry = per
            .entry(who.clone().unwrap_or_else(|| "(no custodian)".into()))
            .or_default();
        entry.rate = sampler.config().rate_for(who.as_deref());
        for m in &messages {
            if m.kind == MessageKind::Message {
                entry.messages += 1;
                if flagged.contains(&m.id) {
                    entry.flagged += 1;
                }
            }
        }
        for s in sampler.sample(who.as_deref(), messages.iter().copied(), &flagged) {
            entry.sampled += 1;
            let group = AlertGroup::from_sample(&s);
            for alert in group.alerts {
                alerts.push((group.id.clone(), alert));
            }
        }
    }
    if custodian.is_some() && per.is_empty() {
        bail!(
            "no conversation has custodian {:?} (custodians are named as at ingest, --custodian)",
            custodian.unwrap_or_default()
        );
    }
    let report = archive.put_alerts(&alerts, "sample")?;
    if ctx.json {
        print_json(&serde_json::json!({
            "custodians": per, "sampled": alerts.len(), "new_items": report.new_items,
            "already_in_queue": report.existing,
        }))?;
        return Ok(Exit::Ok);
    }
    println!(
        "  {:<24} {:>8} {:>8} {:>6} {:>8}",
        "custodian", "messages", "flagged", "rate", "sampled"
    );
    for (c, p) in &per {
        println!(
            "  {:<24} {:>8} {:>8} {:>5.1}% {:>8}",
            safe_line(c),
            p.messages,
            p.flagged,
            p.rate * 100.0,
            p.sampled
        );
    }
    println!(
        "{} sampled message(s): {} new review item(s), {} already in the queue (rule random-sample; see `chatwarden alerts list --rule random-sample`)",
        alerts.len(),
        report.new_items,
        report.existing
    );
    Ok(Exit::Ok)
}
