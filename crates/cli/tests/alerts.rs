//! The demo corpus under the default policy: every planted incident raises exactly one
//! alert and ordinary messages raise none; the review workflow on the stored alerts;
//! sampling and re-evaluation. Run as a user would, through the binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, json};
use serde_json::Value;

/// The planted incidents of the demo corpus (crates/cli/src/demo/corpus.rs) under the
/// default policy and the demo's directory: (sender, text the message contains — empty
/// for a file sent on its own —, the rule that must raise it). docs/policy.md explains
/// why each is an incident and why the other planted values are not.
const INCIDENTS: &[(&str, &str, &str)] = &[
    (
        "Daniel Kim",
        "IBAN GB82 WEST",
        "payment-data-outside-approved-teams",
    ),
    (
        "Jonas Weber",
        "Kreditkarte ist 5555",
        "payment-data-outside-approved-teams",
    ),
    (
        "Jonas Weber",
        "DE89 3704",
        "payment-data-outside-approved-teams",
    ),
    (
        "Daniel Kim",
        "Bestätigungscode: 731905",
        "verification-code-shared",
    ),
    (
        "Priya Shah",
        "Strictly confidential - MNPI",
        "confidential-to-external",
    ),
    ("Priya Shah", "", "sensitive-attachment-to-external"),
    ("Priya Shah", "the password is", "credentials-anywhere"),
    ("Daniel Kim", "AKIA4QX7ZP2LJRKD3MWN", "credentials-anywhere"),
    ("Tom Becker", "", "payment-data-outside-approved-teams"),
    (
        "Lucía Fernández",
        "4000 0566 5566 5556",
        "payment-data-outside-approved-teams",
    ),
    ("Daniel Kim", "验证码 246810", "verification-code-shared"),
    (
        "Nadia Petrova",
        "FR14 2004",
        "payment-data-outside-approved-teams",
    ),
];

struct Demo {
    env: Env,
    data: std::path::PathBuf,
    key: std::path::PathBuf,
    report: Value,
}

fn demo() -> Demo {
    let env = Env::new();
    let dir = env.dir.path().join("demo");
    let out = env
        .cmd()
        .arg("--json")
        .arg("demo")
        .arg("--dir")
        .arg(&dir)
        .assert()
        .success();
    let report = json(&out.get_output().stdout);
    Demo {
        data: dir.join("data"),
        key: dir.join("master.key"),
        env,
        report,
    }
}

impl Demo {
    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("chatwarden").unwrap();
        cmd.env_remove("CHATWARDEN_DATA")
            .env_remove("CHATWARDEN_KEY_FILE")
            .env("CHATWARDEN_ACTOR", "sofia.marchetti")
            // The demo's compliance officer: sees quarantined and redacted messages.
            .env("CHATWARDEN_ROLE", "compliance-officer")
            .arg("--data")
            .arg(&self.data)
            .arg("--key-file")
            .arg(&self.key);
        cmd
    }

    fn run_json(&self, args: &[&str]) -> Value {
        let out = self.cmd().arg("--json").args(args).assert().success();
        json(&out.get_output().stdout)
    }

    /// Every stored alert as (rule, sender, text, message id), via `alerts list` and
    /// `alerts show`.
    fn alerts(&self) -> Vec<(String, String, String, String)> {
        let items = self.run_json(&["alerts", "list", "--status", "all"]);
        let mut out = Vec::new();
        for item in items.as_array().unwrap() {
            let shown = self.run_json(&["alerts", "show", item["id"].as_str().unwrap()]);
            let rule = shown["item"]["rule"].as_str().unwrap().to_string();
            for m in shown["messages"].as_array().unwrap() {
                out.push((
                    rule.clone(),
                    m["sender"].as_str().unwrap_or("").to_string(),
                    m["text"].as_str().unwrap_or("").to_string(),
                    m["id"].as_str().unwrap().to_string(),
                ));
            }
        }
        out
    }
}

fn is_incident(incident: &(&str, &str, &str), alert: &(String, String, String, String)) -> bool {
    let (sender, snippet, _) = incident;
    alert.1 == *sender
        && if snippet.is_empty() {
            alert.2.is_empty()
        } else {
            alert.2.contains(snippet)
        }
}

#[test]
fn every_planted_incident_raises_exactly_one_alert_and_ordinary_messages_none() {
    let d = demo();
    assert_eq!(d.report["ingest"]["new"], 82, "{}", d.report);
    assert_eq!(d.report["ingest"]["alerts"], 12, "{}", d.report);
    assert_eq!(d.report["ingest"]["alert_items"], 10, "{}", d.report);
    assert_eq!(d.report["policy"]["alerts"], 12);
    assert_eq!(d.report["policy"]["items"], 10);
    assert_eq!(d.report["alerts"].as_array().unwrap().len(), 10);

    let alerts = d.alerts();
    assert_eq!(alerts.len(), INCIDENTS.len(), "{alerts:#?}");
    for incident in INCIDENTS {
        let matching: Vec<_> = alerts.iter().filter(|a| is_incident(incident, a)).collect();
        assert_eq!(matching.len(), 1, "{incident:?}: {matching:#?}");
        assert_eq!(matching[0].0, incident.2, "{incident:?}");
    }
    // No alert outside the incidents: 82 messages, 12 incidents, 70 ordinary messages
    // (customers giving their own details, the firm's phone number, a client number,
    // greetings, media, system lines, a WhatsApp Desktop chat of treasury routine, a
    // Korean chat about a shipment) with none.
    for alert in &alerts {
        assert!(
            INCIDENTS.iter().any(|i| is_incident(i, alert)),
            "alert on an ordinary message: {alert:?}"
        );
    }
    let stored: u64 = d.report["policy"]["messages"].as_u64().unwrap();
    assert_eq!(stored - INCIDENTS.len() as u64, 70);

    // Re-ingesting the same corpus raises nothing twice.
    let corpus = d.data.parent().unwrap().join("corpus");
    let again = d.run_json(&[
        "ingest",
        corpus.to_str().unwrap(),
        "--custodian",
        "daniel.kim",
        "--tz",
        "Europe/London",
        "--directory",
        d.data
            .parent()
            .unwrap()
            .join("company/directory.toml")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(again["new"], 0);
    assert_eq!(again["alerts"], 0);
    assert_eq!(d.alerts().len(), 12);
    drop(d.env);
}

#[test]
fn a_supervisor_sees_the_items_of_the_employees_who_report_to_them() {
    let demo = demo();
    let all = demo.run_json(&["alerts", "list"]);
    let all = all.as_array().unwrap();
    assert!(!all.is_empty());
    // The demo's directory: Daniel Kim (the custodian) and Priya Shah report to Sofia
    // Marchetti, so every item is in her queue, and each carries her id.
    let hers = demo.run_json(&["alerts", "list", "--supervisor", "sofia.marchetti"]);
    let hers = hers.as_array().unwrap();
    assert_eq!(hers.len(), all.len());
    assert!(
        hers.iter().all(|i| i["supervisor"] == "sofia.marchetti"),
        "{hers:?}"
    );
    // Daniel supervises nobody.
    let his = demo.run_json(&["alerts", "list", "--supervisor", "daniel.kim"]);
    assert!(his.as_array().unwrap().is_empty(), "{his}");
    let shown = demo
        .cmd()
        .args(["alerts", "show", hers[0]["id"].as_str().unwrap()])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&shown.get_output().stdout).into_owned();
    assert!(text.contains("supervisor sofia.marchetti"), "{text}");
}

#[test]
fn the_review_workflow_is_recorded_and_verified() {
    let d = demo();
    let queue = d.run_json(&["alerts", "list", "--severity", "critical"]);
    let items = queue.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["rule"], "credentials-anywhere");
    let id = items[0]["id"].as_str().unwrap().to_string();
    let short = &id[..10];

    d.cmd()
        .args(["alerts", "assign", short, "--to", "priya.shah"])
        .assert()
        .success();
    d.cmd()
        .args(["alerts", "comment", short, "--text", "keys rotated by IT"])
        .assert()
        .success();
    // A false positive needs a reason: a usage error, nothing recorded.
    d.cmd()
        .args(["alerts", "close", short, "--disposition", "false-positive"])
        .assert()
        .code(2);
    d.cmd()
        .args([
            "alerts",
            "escalate",
            short,
            "--reason",
            "MNPI data room password",
        ])
        .assert()
        .success();
    d.cmd()
        .args([
            "alerts",
            "close",
            short,
            "--disposition",
            "breach-reported",
            "--reason",
            "reported to the CISO",
        ])
        .assert()
        .success();
    // A closed item cannot be escalated again.
    d.cmd()
        .args(["alerts", "escalate", short, "--reason", "again"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("cannot"));

    let shown = d.run_json(&["alerts", "show", short]);
    assert_eq!(shown["item"]["status"], "closed");
    assert_eq!(shown["item"]["assignee"], "priya.shah");
    assert_eq!(shown["item"]["disposition"]["kind"], "breach_reported");
    let history: Vec<(&str, bool, &str)> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"]["action"].as_str().unwrap(),
                e["is_review"].as_bool().unwrap(),
                e["actor"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("assign", false, "sofia.marchetti"),
            ("comment", false, "sofia.marchetti"),
            ("start_review", false, "sofia.marchetti"),
            ("escalate", false, "sofia.marchetti"),
            ("close", true, "sofia.marchetti"),
        ]
    );
    // Closed items leave the default queue; --status closed finds them.
    let open = d.run_json(&["alerts", "list"]);
    assert_eq!(open.as_array().unwrap().len(), 9);
    let closed = d.run_json(&["alerts", "list", "--status", "closed"]);
    assert_eq!(closed.as_array().unwrap().len(), 1);
    let mine = d.run_json(&[
        "alerts",
        "list",
        "--status",
        "all",
        "--assignee",
        "priya.shah",
    ]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let payments = d.run_json(&[
        "alerts",
        "list",
        "--rule",
        "payment-data-outside-approved-teams",
        "--department",
        "private banking",
    ]);
    assert_eq!(payments.as_array().unwrap().len(), 5);

    // Showing is an audited access; review actions are log records that verify checks.
    let audit = d.run_json(&["audit"]);
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "read.alert" && e["target"] == id.as_str()),
        "{audit}"
    );
    let verify = d.run_json(&["verify"]);
    assert_eq!(verify["ok"], true, "{verify}");
}

#[test]
fn sampling_fills_the_queue_once_and_policy_apply_adds_only_new_alerts() {
    let d = demo();
    let first = d.run_json(&["review", "sample", "--rate", "0.25"]);
    let sampled = first["sampled"].as_u64().unwrap();
    assert!(sampled > 0, "{first}");
    assert_eq!(first["new_items"].as_u64().unwrap(), sampled);
    // Deterministic: the same sample again, nothing new.
    let again = d.run_json(&["review", "sample", "--rate", "0.25"]);
    assert_eq!(again["sampled"].as_u64().unwrap(), sampled);
    assert_eq!(again["new_items"], 0);
    // A higher rate keeps every message already sampled.
    let more = d.run_json(&["review", "sample", "--rate", "0.5"]);
    assert!(
        more["already_in_queue"].as_u64().unwrap() >= sampled,
        "{more}"
    );
    let samples = d.run_json(&["alerts", "list", "--rule", "random-sample"]);
    let samples = samples.as_array().unwrap();
    assert!(samples.iter().all(|s| s["severity"] == "low"));
    // Flagged messages are never sampled: no sampled message carries a rule's alert.
    let all = d.alerts();
    let flagged: std::collections::HashSet<&str> = all
        .iter()
        .filter(|a| a.0 != "random-sample")
        .map(|a| a.3.as_str())
        .collect();
    assert_eq!(flagged.len(), 12);
    let sampled_ids: Vec<&str> = all
        .iter()
        .filter(|a| a.0 == "random-sample")
        .map(|a| a.3.as_str())
        .collect();
    assert_eq!(sampled_ids.len(), samples.len());
    assert!(sampled_ids.iter().all(|m| !flagged.contains(m)));
    d.cmd()
        .args(["review", "sample", "--rate", "2"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("from 0 to 1"));

    // Re-evaluation under a changed policy: a new rule on customer numbers adds one alert;
    // the payment rule now excepting Private Banking raises nothing, but its stored
    // alerts stay with their history.
    let company = d.data.parent().unwrap().join("company");
    let policy = chatwarden_policy::DEFAULT_POLICY
        .replace(
            r#"except_departments = ["Payments", "Finance", "Treasury"]"#,
            r#"except_departments = ["Payments", "Finance", "Treasury", "Private Banking"]"#,
        )
        .replace(
            "findings_used_once = true\n",
            "findings_used_once = true\ncustom_entities = [\"CUSTOMER_ID\"]\n",
        )
        + "\n[[rule]]\nid = \"customer-numbers-in-chat\"\nseverity = \"low\"\nentities = [\"CUSTOMER_ID\"]\nactions = [\"alert\"]\n";
    let file = d.env.write("changed.toml", &policy);
    let applied = d.run_json(&[
        "policy",
        "apply",
        file.to_str().unwrap(),
        "--directory",
        company.join("directory.toml").to_str().unwrap(),
    ]);
    assert_eq!(applied["new_alerts"], 1, "{applied}");
    assert_eq!(applied["new_items"], 1, "{applied}");
    let rules = applied["by_rule"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["rule"] == id).unwrap().clone();
    assert_eq!(rule("customer-numbers-in-chat")["new"], 1);
    assert_eq!(rule("payment-data-outside-approved-teams")["raised"], 0);
    assert_eq!(
        rule("payment-data-outside-approved-teams")["no_longer_raised"],
        6
    );
    assert_eq!(rule("credentials-anywhere")["raised"], 2);
    assert_eq!(rule("credentials-anywhere")["new"], 0);
    let payments = d.run_json(&[
        "alerts",
        "list",
        "--rule",
        "payment-data-outside-approved-teams",
    ]);
    assert_eq!(payments.as_array().unwrap().len(), 5);
    // Applying the same policy again changes nothing.
    let twice = d.run_json(&[
        "policy",
        "apply",
        file.to_str().unwrap(),
        "--directory",
        company.join("directory.toml").to_str().unwrap(),
    ]);
    assert_eq!(twice["new_alerts"], 0);
    let verify = d.run_json(&["verify"]);
    assert_eq!(verify["ok"], true, "{verify}");
}
