//! The policy's `quarantine`, `redact` and `notify` actions, through the binary: what each
//! declared `--role` sees in `show`, `alerts show` and `findings` (text and `--json`), the
//! audit record every such read leaves, and the policy tips of `report tips`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, json};
use serde_json::Value;

const KEY: &str = "AKIA4QX7ZP2LJRKD3MWN";
const CARD: &str = "4111 1111 1111 1111";

/// A small policy: keys are quarantined and tipped; cards redacted below compliance officer.
const POLICY: &str = r#"version = 1

[[rule]]
id = "keys-quarantined"
description = "Cloud keys in chat"
severity = "critical"
entities = ["AWS_ACCESS_KEY"]
actions = ["alert", "quarantine", "notify"]
notify_text = "Keys belong in the vault, not in chat."

[[rule]]
id = "cards-redacted"
description = "Card numbers in chat"
severity = "high"
entities = ["CREDIT_CARD"]
actions = ["alert", "redact"]
redact_below = "compliance_officer"
"#;

struct Case {
    env: Env,
    key_message: String,
    card_message: String,
    key_item: String,
    card_item: String,
}

fn case() -> Case {
    let env = Env::new();
    env.write(
        "employees.csv",
        "id,name,emails,department\ne100,Alice Example,alice@northwind.example,Sales\n",
    );
    let directory = env.write(
        "directory.toml",
        "domains = [\"northwind.example\"]\nemployees = \"employees.csv\"\n",
    );
    let policy = env.write("policy.toml", POLICY);
    let export = env.write(
        "WhatsApp Chat with Carol Client.txt",
        &format!(
            "01/03/2026, 09:00 - Alice Example: the card is {CARD} for the order\n\
             01/03/2026, 09:01 - Alice Example: use our key {KEY} for the bucket\n\
             01/03/2026, 09:02 - Carol Client: thanks, see you\n"
        ),
    );
    let out = env
        .cmd()
        .args(["--json", "ingest", "--custodian", "e100"])
        .arg("--policy")
        .arg(&policy)
        .arg("--directory")
        .arg(&directory)
        .arg(&export)
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    assert_eq!(summary["new"], 3, "{summary}");
    assert_eq!(summary["alerts"], 2, "{summary}");
    assert_eq!(summary["tips"], 1, "{summary}");

    let items = run_json(&env, "admin", &["alerts", "list"]);
    let item = |rule: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} item in {items}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (key_item, card_item) = (item("keys-quarantined"), item("cards-redacted"));
    let shown = run_json(&env, "admin", &["show", "Carol Client"]);
    let id_of = |needle: &str| {
        shown
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["message"]["text"].as_str().unwrap().contains(needle))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    Case {
        key_message: id_of(KEY),
        card_message: id_of(CARD),
        key_item,
        card_item,
        env,
    }
}

fn run(env: &Env, role: &str, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("CHATWARDEN_ROLE", role)
        .args(args)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn run_json(env: &Env, role: &str, args: &[&str]) -> Value {
    json(run(env, role, &[&["--json"], args].concat()).as_bytes())
}

/// The message with this id in `show --json` output.
fn message<'a>(shown: &'a Value, id: &str) -> &'a Value {
    shown
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap()
}

/// The `read.policy` audit records, oldest first: (role, command, withheld ids, masked ids).
fn policy_reads(env: &Env) -> Vec<(String, String, Vec<String>, Vec<String>)> {
    let entries = run_json(env, "admin", &["audit"]);
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x["message"].as_str().unwrap().to_string())
            .collect()
    };
    entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "read.policy")
        .map(|e| {
            assert!(
                e["actor"] == "test-reviewer" || e["actor"] == "someone-else",
                "{e}"
            );
            let d = &e["details"];
            (
                d["role"].as_str().unwrap().to_string(),
                d["command"].as_str().unwrap().to_string(),
                ids(&d["withheld"]),
                ids(&d["masked"]),
            )
        })
        .collect()
}

#[test]
fn a_quarantined_message_is_withheld_below_supervisor_and_shown_to_a_supervisor() {
    let c = case();
    let env = &c.env;

    // A viewer (the default role) sees neither the key nor its finding's preview.
    let text = run(env, "viewer", &["show", "Carol Client"]);
    assert!(!text.contains(KEY), "{text}");
    assert!(
        text.contains(&format!(
            "[quarantined pending review: alert {}]",
            &c.key_item[..12]
        )),
        "{text}"
    );
    assert!(text.contains("see you"), "{text}");
    let shown = run_json(env, "viewer", &["show", "Carol Client"]);
    let m = message(&shown, &c.key_message);
    assert_eq!(m["message"], Value::Null, "{m}");
    assert_eq!(m["findings"], serde_json::json!([]), "{m}");
    assert_eq!(m["withheld"]["action"], "quarantine");
    assert_eq!(m["withheld"]["item"], c.key_item.as_str());
    assert!(!shown.to_string().contains(KEY));

    let alert = run_json(env, "reviewer", &["alerts", "show", &c.key_item]);
    let flagged = &alert["messages"][0];
    assert_eq!(flagged["text"], Value::Null, "{alert}");
    assert_eq!(flagged["withheld"]["item"], c.key_item.as_str());
    assert_eq!(flagged["findings"][0]["preview"], Value::Null);
    let text = run(env, "reviewer", &["alerts", "show", &c.key_item]);
    assert!(!text.contains(KEY) && text.contains("quarantined pending review"));
    let findings = run_json(env, "viewer", &["findings", "--entity", "AWS_ACCESS_KEY"]);
    assert_eq!(findings[0]["withheld"]["item"], c.key_item.as_str());
    assert!(
        !findings[0]["preview"].as_str().unwrap().contains("MWN"),
        "{findings}"
    );

    // A supervisor sees it, in text and JSON.
    let text = run(env, "supervisor", &["show", "Carol Client"]);
    assert!(text.contains(KEY), "{text}");
    let shown = run_json(env, "supervisor", &["show", "Carol Client"]);
    let m = message(&shown, &c.key_message);
    assert!(m["message"]["text"].as_str().unwrap().contains(KEY));
    assert!(m.get("withheld").is_none());
    let alert = run_json(env, "supervisor", &["alerts", "show", &c.key_item]);
    assert!(alert["messages"][0]["text"].as_str().unwrap().contains(KEY));

    // The reviewer the item is assigned to sees it, whatever the declared role; another
    // reader below supervisor still does not.
    env.cmd()
        .args(["alerts", "assign", &c.key_item, "--to", "test-reviewer"])
        .assert()
        .success();
    assert!(run(env, "viewer", &["show", "Carol Client"]).contains(KEY));
    let other = env
        .cmd()
        .env("CHATWARDEN_ACTOR", "someone-else")
        .args(["show", "Carol Client"])
        .assert()
        .success();
    assert!(!String::from_utf8_lossy(&other.get_output().stdout).contains(KEY));

    // Closing the item ends the quarantine.
    env.cmd()
        .args([
            "alerts",
            "close",
            &c.key_item,
            "--disposition",
            "acknowledged",
        ])
        .assert()
        .success();
    let other = env
        .cmd()
        .env("CHATWARDEN_ACTOR", "someone-else")
        .args(["show", "Carol Client"])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&other.get_output().stdout).contains(KEY));

    // Each read left an audit record with the role and what was withheld (ids only).
    let reads = policy_reads(env);
    let withheld_for = |role: &str, command: &str| {
        reads
            .iter()
            .any(|r| r.0 == role && r.1 == command && r.2.contains(&c.key_message))
    };
    assert!(reads.iter().any(|r| r.0 == "viewer" && r.1 == "show"));
    // The other reader (a viewer, by default) was refused the key until the item closed.
    assert!(
        reads
            .iter()
            .filter(|r| r.0 == "viewer" && r.1 == "show" && r.2.is_empty())
            .count()
            >= 2,
        "{reads:?}"
    );
    assert!(withheld_for("viewer", "show"), "{reads:?}");
    assert!(withheld_for("reviewer", "alerts show"), "{reads:?}");
    assert!(withheld_for("viewer", "findings"), "{reads:?}");
    assert!(
        reads
            .iter()
            .filter(|r| r.0 == "supervisor")
            .all(|r| r.2.is_empty())
            && reads.iter().any(|r| r.0 == "supervisor"),
        "{reads:?}"
    );
    let audit = run(env, "admin", &["--json", "audit"]);
    assert!(!audit.contains(KEY) && !audit.contains(CARD));
}

#[test]
fn a_redacted_message_is_masked_below_its_role_and_clear_at_it() {
    let c = case();
    let env = &c.env;
    let masked_card = "•••• •••• •••• ••••";

    for role in ["viewer", "supervisor"] {
        let text = run(env, role, &["show", "Carol Client"]);
        assert!(!text.contains(CARD), "{role}: {text}");
        assert!(text.contains(&format!("the card is {masked_card} for the order")));
        assert!(text.contains("[redacted]"), "{text}");
        let shown = run_json(env, role, &["show", "Carol Client"]);
        let m = message(&shown, &c.card_message);
        assert_eq!(
            m["message"]["text"],
            format!("the card is {masked_card} for the order")
        );
        assert_eq!(m["findings"][0]["preview"], masked_card, "{m}");
        assert_eq!(m["masked"]["action"], "redact");
        assert_eq!(m["masked"]["items"][0], c.card_item.as_str());

        let alert = run_json(env, role, &["alerts", "show", &c.card_item]);
        let flagged = &alert["messages"][0];
        assert!(!alert.to_string().contains(CARD), "{alert}");
        assert!(flagged["text"].as_str().unwrap().contains(masked_card));
        assert_eq!(flagged["findings"][0]["preview"], masked_card);
        assert!(run(env, role, &["alerts", "show", &c.card_item]).contains(masked_card));

        let findings = run_json(env, role, &["findings", "--entity", "CREDIT_CARD"]);
        assert_eq!(findings[0]["preview"], masked_card, "{findings}");
        assert_eq!(findings[0]["masked"]["items"][0], c.card_item.as_str());
        assert!(run(env, role, &["findings"]).contains(masked_card));
    }

    for role in ["compliance-officer", "admin"] {
        let text = run(env, role, &["show", "Carol Client"]);
        assert!(text.contains(CARD), "{role}: {text}");
        assert!(!text.contains("[redacted]"));
        let shown = run_json(env, role, &["show", "Carol Client"]);
        let m = message(&shown, &c.card_message);
        assert!(m["message"]["text"].as_str().unwrap().contains(CARD));
        assert_eq!(m["findings"][0]["preview"], "•••• •••• •••• 1111");
        assert!(m.get("masked").is_none());
        let alert = run_json(env, role, &["alerts", "show", &c.card_item]);
        assert!(
            alert["messages"][0]["text"]
                .as_str()
                .unwrap()
                .contains(CARD)
        );
        let findings = run_json(env, role, &["findings", "--entity", "CREDIT_CARD"]);
        assert_eq!(findings[0]["preview"], "•••• •••• •••• 1111");
    }

    // Closing the item does not lift a redaction: it is about who reads, not review.
    env.cmd()
        .args([
            "alerts",
            "close",
            &c.card_item,
            "--disposition",
            "false-positive",
            "--reason",
            "test card",
        ])
        .assert()
        .success();
    assert!(!run(env, "viewer", &["show", "Carol Client"]).contains(CARD));

    let reads = policy_reads(env);
    for command in ["show", "alerts show", "findings"] {
        for role in ["viewer", "supervisor"] {
            assert!(
                reads
                    .iter()
                    .any(|r| r.0 == role && r.1 == command && r.3.contains(&c.card_message)),
                "{role} {command}: {reads:?}"
            );
        }
        assert!(
            reads
                .iter()
                .any(|r| r.0 == "compliance_officer" && r.1 == command && r.3.is_empty()),
            "{command}: {reads:?}"
        );
    }
}

#[test]
fn a_notify_rule_logs_a_tip_for_the_employee_report() {
    let c = case();
    let env = &c.env;
    let tips = run_json(env, "viewer", &["report", "tips"]);
    let tips = tips.as_array().unwrap();
    assert_eq!(tips.len(), 1, "{tips:?}");
    let tip = &tips[0];
    assert_eq!(tip["rule"], "keys-quarantined");
    assert_eq!(tip["message"], c.key_message.as_str());
    assert_eq!(tip["employee"], "e100");
    assert_eq!(tip["custodian"], "e100");
    assert_eq!(tip["tip"], "Keys belong in the vault, not in chat.");
    assert!(!tip.to_string().contains(KEY), "{tip}");

    let text = run(env, "viewer", &["report", "tips", "--employee", "e100"]);
    assert!(text.contains("Keys belong in the vault") && text.contains("1 tip(s)"));
    assert_eq!(
        run_json(env, "viewer", &["report", "tips", "--employee", "e999"]),
        serde_json::json!([])
    );

    // Re-ingesting the same export raises nothing new and gives no second tip.
    let export = env.dir.path().join("WhatsApp Chat with Carol Client.txt");
    let out = env
        .cmd()
        .args(["--json", "ingest", "--custodian", "e100"])
        .arg("--policy")
        .arg(env.dir.path().join("policy.toml"))
        .arg("--directory")
        .arg(env.dir.path().join("directory.toml"))
        .arg(&export)
        .assert()
        .success();
    assert_eq!(json(&out.get_output().stdout)["tips"], 0);
    let audit = run_json(env, "admin", &["audit"]);
    let logged = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "policy.tip")
        .count();
    assert_eq!(logged, 1);
}

#[test]
fn policy_apply_logs_the_tips_of_the_notify_hits_it_raises_anew() {
    let env = Env::new();
    env.write(
        "employees.csv",
        "id,name,emails,department\ne100,Alice Example,alice@northwind.example,Sales\n",
    );
    let directory = env.write(
        "directory.toml",
        "domains = [\"northwind.example\"]\nemployees = \"employees.csv\"\n",
    );
    let policy = env.write("policy.toml", POLICY);
    let export = env.write(
        "WhatsApp Chat with Carol Client.txt",
        &format!(
            "01/03/2026, 09:01 - Alice Example: use our key {KEY} for the bucket\n\
             01/03/2026, 09:02 - Carol Client: thanks, see you\n"
        ),
    );
    // Stored without a policy: no alert, no tip.
    let out = env
        .cmd()
        .args(["--json", "ingest", "--custodian", "e100", "--no-policy"])
        .arg(&export)
        .assert()
        .success();
    assert_eq!(json(&out.get_output().stdout)["tips"], 0);
    let apply = |env: &Env| {
        let out = env
            .cmd()
            .args(["--json", "policy", "apply"])
            .arg(&policy)
            .arg("--directory")
            .arg(&directory)
            .assert()
            .success();
        json(&out.get_output().stdout)
    };
    // Re-evaluation raises the key alert and logs its tip once.
    let first = apply(&env);
    assert_eq!(first["new_alerts"], 1, "{first}");
    assert_eq!(first["tips"], 1, "{first}");
    let tips = run_json(&env, "viewer", &["report", "tips"]);
    assert_eq!(tips.as_array().unwrap().len(), 1, "{tips}");
    assert_eq!(tips[0]["rule"], "keys-quarantined");
    assert_eq!(tips[0]["employee"], "e100");
    assert!(!tips.to_string().contains(KEY));
    // Applying again raises nothing new and logs no second tip.
    let second = apply(&env);
    assert_eq!(second["new_alerts"], 0, "{second}");
    assert_eq!(second["tips"], 0, "{second}");
    assert_eq!(
        run_json(&env, "viewer", &["report", "tips"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_role_is_validated() {
    let env = Env::new();
    env.cmd()
        .args(["--role", "boss", "conversations"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("viewer"));
}

#[test]
fn the_demo_shows_example_previews_by_the_same_rules() {
    let env = Env::new();
    let demo = |role: &str, dir: &str| {
        let out = env
            .cmd()
            .env("CHATWARDEN_ROLE", role)
            .arg("demo")
            .arg("--dir")
            .arg(env.dir.path().join(dir))
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    // The demo's AWS key (••••••••••••••••3MWN) sits in a message of credentials-anywhere:
    // quarantined and redacted below compliance officer.
    let viewer = demo("viewer", "as-viewer");
    let line = |out: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with("AWS_ACCESS_KEY"))
            .unwrap()
            .to_string()
    };
    assert!(
        line(&viewer).contains("[quarantined pending review: alert "),
        "{viewer}"
    );
    assert!(!viewer.contains("3MWN"));
    let officer = demo("compliance-officer", "as-officer");
    assert!(line(&officer).ends_with("3MWN"), "{officer}");
}
