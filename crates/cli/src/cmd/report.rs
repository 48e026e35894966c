//! `report tips`: the policy tips the `notify` action logged at ingest, for the employee
//! report. They are audit events of the archive (`policy.tip`), read back through the
//! audit trail (which records that read).

use super::ingest::short;
use super::print_json;
use crate::cli::ReportCommand;
use crate::context::Context;
use crate::exit::Exit;
use crate::pipeline::TIP_ACTION;
use crate::term::safe_line;
use anyhow::Result;
use serde::Serialize;
use std::collections::HashSet;

/// One logged tip.
#[derive(Debug, Serialize)]
struct Tip {
    /// When it was logged (UTC).
    logged_at: String,
    /// The audit record holding it.
    seq: u64,
    rule: String,
    severity: Option<String>,
    message: String,
    conversation: Option<String>,
    sent_at: Option<String>,
    /// The directory id of the employee it is for (the sender when a known employee,
    /// else the conversation's custodian); `None` when neither is in the directory.
    employee: Option<String>,
    custodian: Option<String>,
    tip: String,
    delivered: Option<String>,
}

pub fn run(ctx: &Context, command: ReportCommand) -> Result<Exit> {
    let ReportCommand::Tips { employee } = command;
    let mut archive = ctx.open()?;
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut tips = Vec::new();
    for e in archive.audit_log(None)? {
        if e.action != TIP_ACTION {
            continue;
        }
        let d = &e.details;
        let text = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let rule = text("rule").unwrap_or_default();
        let message = text("message").unwrap_or_else(|| e.target.clone());
        // A tip logged twice (an ingest interrupted between the tip and its alert, then
        // re-run) is one tip.
        if !seen.insert((rule.clone(), message.clone())) {
            continue;
        }
        tips.push(Tip {
            logged_at: e.at.to_string(),
            seq: e.seq,
            rule,
            severity: text("severity"),
            message,
            conversation: text("conversation"),
            sent_at: text("sent_at"),
            employee: text("employee"),
            custodian: text("custodian"),
            tip: text("tip").unwrap_or_default(),
            delivered: text("delivered"),
        });
    }
    if let Some(who) = &employee {
        tips.retain(|t| {
            [&t.employee, &t.custodian]
                .into_iter()
                .flatten()
                .any(|x| x.eq_ignore_ascii_case(who))
        });
    }
    if ctx.json {
        print_json(&tips)?;
        return Ok(Exit::Ok);
    }
    if tips.is_empty() {
        println!(
            "no policy tips{}",
            employee
                .as_deref()
                .map(|e| format!(" for {}", safe_line(e)))
                .unwrap_or_default()
        );
        return Ok(Exit::Ok);
    }
    println!(
        "  {:<20} {:<14} {:<14} {:<34} {:<12}  tip",
        "sent (UTC)", "employee", "custodian", "rule", "message"
    );
    for t in &tips {
        println!(
            "  {:<20} {:<14} {:<14} {:<34} {:<12}  {}",
            t.sent_at
                .as_deref()
                .and_then(|s| s.parse::<jiff::Timestamp>().ok())
                .map(|ts| ts.strftime("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            t.employee.as_deref().map(safe_line).unwrap_or("-".into()),
            t.custodian.as_deref().map(safe_line).unwrap_or("-".into()),
            safe_line(&t.rule),
            short(&t.message),
            safe_line(&t.tip)
        );
    }
    println!(
        "\n{} tip(s), logged for the employee report: no capture route can send a tip back into the chat yet (the WhatsApp webhook endpoint comes with the server)",
        tips.len()
    );
    Ok(Exit::Ok)
}
