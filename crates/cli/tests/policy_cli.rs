//! `policy check`, `policy apply`, `review sample` with a policy's per-custodian rates, and
//! lexicon languages at ingest, run through the binary over small exports ingested here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, android_export, json};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Daniel Kim's chat with Maria Lopez: an IBAN, two cards a minute apart, ordinary talk.
const MARIA: &str = "\
01/03/2026, 09:00 - Daniel Kim: Morning Maria, the account for the transfer is GB82 WEST 1234 5698 7654 32
01/03/2026, 09:05 - Maria Lopez: Thanks. My card for the deposit is 4111 1111 1111 1111
01/03/2026, 09:06 - Maria Lopez: and the backup card is 5555 5555 5555 4444
01/03/2026, 09:10 - Daniel Kim: ok, thanks
01/03/2026, 14:00 - Maria Lopez: see you tomorrow at the office
";

/// Cards and IBANs, one rule each, and a rule that nothing in [`MARIA`] raises.
const CHECK_POLICY: &str = r#"version = 1

[settings]
group_window_minutes = 60

[[rule]]
id = "cards"
severity = "high"
entities = ["CREDIT_CARD"]
actions = ["alert"]

[[rule]]
id = "bank-accounts"
severity = "medium"
entities = ["IBAN_CODE"]
actions = ["alert"]

[[rule]]
id = "ssns"
severity = "low"
entities = ["US_SSN"]
actions = ["alert"]
"#;

fn run_json(env: &Env, args: &[&str]) -> Value {
    let out = env.cmd().arg("--json").args(args).assert().success();
    json(&out.get_output().stdout)
}

fn run_text(env: &Env, args: &[&str]) -> String {
    let out = env.cmd().args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// Writes `content` as a WhatsApp Android export named for `title`.
fn export(env: &Env, title: &str, content: &str) -> PathBuf {
    env.write(&format!("WhatsApp Chat with {title}.txt"), content)
}

fn ingest(env: &Env, file: &Path, custodian: &str, policy: &[&str]) -> Value {
    let mut args = vec!["ingest", file.to_str().unwrap(), "--custodian", custodian];
    args.extend_from_slice(policy);
    run_json(env, &args)
}

fn str_of(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn policy_check_validates_and_counts_per_rule_over_the_archive() {
    let env = Env::new();
    let file = env.write("check.toml", CHECK_POLICY);
    // Without an archive: validated only.
    let out = run_json(&env, &["policy", "check", str_of(&file)]);
    assert_eq!(out["valid"], true, "{out}");
    assert_eq!(out["rules"], 3);
    assert!(!env.data().exists(), "check created an archive");

    // A small export ingested without any policy: nothing in the queue.
    let chat = export(&env, "Maria Lopez", MARIA);
    let ingested = ingest(&env, &chat, "daniel.kim", &["--no-policy"]);
    assert_eq!(ingested["new"], 5, "{ingested}");
    assert_eq!(ingested["alerts"], 0);

    let report = run_json(&env, &["policy", "check", str_of(&file)]);
    assert_eq!(report["rules"], 3, "{report}");
    assert_eq!(report["messages"], 5, "{report}");
    assert_eq!(report["alerts"], 3, "{report}");
    assert_eq!(report["items"], 2, "{report}");
    let by_rule = report["by_rule"].as_array().unwrap();
    let rule = |id: &str| by_rule.iter().find(|r| r["rule"] == id).cloned();
    let cards = rule("cards").unwrap();
    assert_eq!(
        (&cards["alerts"], &cards["items"], &cards["severity"]),
        (&Value::from(2), &Value::from(1), &Value::from("high")),
        "two cards a minute apart: one review item"
    );
    let ibans = rule("bank-accounts").unwrap();
    assert_eq!((&ibans["alerts"], &ibans["items"]), (&1.into(), &1.into()));
    assert!(
        rule("ssns").is_none(),
        "a rule that raises nothing: {report}"
    );

    // The same in text.
    let text = run_text(&env, &["policy", "check", str_of(&file)]);
    assert!(text.contains("check.toml: valid, 3 rule(s)"), "{text}");
    assert!(
        text.contains("over 5 stored message(s): 3 alert(s) in 2 review item(s)"),
        "{text}"
    );
    let row = |id: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .find(|w| w.first().map(String::as_str) == Some(id))
            .unwrap_or_else(|| panic!("no row for {id}: {text}"))
    };
    assert_eq!(row("cards"), ["cards", "high", "2", "1"]);
    assert_eq!(row("bank-accounts"), ["bank-accounts", "medium", "1", "1"]);

    // A dry run stores nothing: the queue is still empty.
    let queue = run_json(&env, &["alerts", "list", "--status", "all"]);
    assert_eq!(queue.as_array().unwrap().len(), 0, "{queue}");
    // The default policy dry-runs too (no file).
    let default = run_json(&env, &["policy", "check"]);
    assert_eq!(default["messages"], 5, "{default}");
}

#[test]
fn policy_check_names_the_line_of_an_invalid_policy_and_fails() {
    let env = Env::new();
    let chat = export(&env, "Maria Lopez", MARIA);
    ingest(&env, &chat, "daniel.kim", &["--no-policy"]);
    // An entity name nobody reports (line 6).
    let bad = env.write(
        "bad.toml",
        "version = 1\n\n[[rule]]\nid = \"cards\"\nseverity = \"high\"\nentities = [\"CREDIT_CRAD\"]\nactions = [\"alert\"]\n",
    );
    env.cmd()
        .args(["policy", "check"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.toml: line 6:"))
        .stderr(predicate::str::contains("CREDIT_CRAD"));
    // A TOML syntax error (line 4), also with --json.
    let broken = env.write("broken.toml", "version = 1\n\n[[rule]]\nid = \"cards\n");
    env.cmd()
        .args(["--json", "policy", "check"])
        .arg(&broken)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("broken.toml: line 4:"));
    // An unknown key (line 5).
    let unknown = env.write(
        "unknown.toml",
        "version = 1\n\n[[rule]]\nid = \"cards\"\nseverty = \"high\"\nentities = [\"CREDIT_CARD\"]\nactions = [\"alert\"]\n",
    );
    env.cmd()
        .args(["policy", "check"])
        .arg(&unknown)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown.toml: line 5:"));
}

/// An English and a German message that both say "gift", and a short one.
const GIFTS: &str = "\
02/03/2026, 10:00 - Tom Becker: I will send you a gift card as a thank you for the referral, the whole team really appreciated the introduction.
02/03/2026, 10:05 - Jonas Weber: Das ist reines Gift für unsere Rendite, das sage ich dir ganz ehrlich und offen.
02/03/2026, 10:07 - Jonas Weber: das klingt gut, danke
";

fn gifts_policy(languages: &str) -> String {
    format!(
        r#"version = 1

[[lexicon]]
name = "gifts"
entity = "GIFT_LANGUAGE"
{languages}
terms = ["gift", "gift card"]

[[rule]]
id = "gifts"
severity = "low"
entities = ["GIFT_LANGUAGE"]
actions = ["alert"]
"#
    )
}

#[test]
fn lexicon_languages_apply_at_ingest_check_and_apply() {
    let env = Env::new();
    let english_only = env.write("gifts-en.toml", &gifts_policy("languages = [\"en\"]"));
    let chat = export(&env, "Desk", GIFTS);
    // At ingest: the English lexicon raises the English message, not the German one.
    let ingested = ingest(
        &env,
        &chat,
        "daniel.kim",
        &["--policy", str_of(&english_only)],
    );
    assert_eq!(ingested["new"], 3, "{ingested}");
    assert_eq!(ingested["alerts"], 1, "{ingested}");
    let items = run_json(&env, &["alerts", "list", "--rule", "gifts"]);
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 1);
    let shown = env
        .cmd()
        .args(["--json", "--role", "admin", "alerts", "show"])
        .arg(items[0]["id"].as_str().unwrap())
        .assert()
        .success();
    let shown = json(&shown.get_output().stdout);
    let flagged = shown["messages"].as_array().unwrap();
    assert_eq!(flagged.len(), 1, "{shown}");
    assert_eq!(flagged[0]["sender"], "Tom Becker");

    // The dry run agrees.
    let report = run_json(&env, &["policy", "check", str_of(&english_only)]);
    assert_eq!(report["alerts"], 1, "{report}");
    // English and German listed: both messages.
    let both = env.write(
        "gifts-en-de.toml",
        &gifts_policy("languages = [\"en\", \"de\"]"),
    );
    let report = run_json(&env, &["policy", "check", str_of(&both)]);
    assert_eq!(report["alerts"], 2, "{report}");
    // Re-evaluation without languages: the German message is raised anew.
    let any = env.write("gifts-any.toml", &gifts_policy(""));
    let applied = run_json(&env, &["policy", "apply", str_of(&any)]);
    assert_eq!(applied["new_alerts"], 1, "{applied}");
}

#[test]
fn review_sample_uses_the_policys_per_custodian_rates() {
    let env = Env::new();
    // Three custodians, 40 ordinary messages each; Alice's chat also holds a card number,
    // flagged at ingest by the policy's card rule.
    let policy = env.write(
        "sampling.toml",
        r#"version = 1

[sampling]
rate = 0.5
custodians = { "alice.ng" = 1.0, "bob.tan" = 0.0 }

[[rule]]
id = "cards"
severity = "high"
entities = ["CREDIT_CARD"]
actions = ["alert"]
"#,
    );
    let mut alice_chat = android_export(40, 0);
    alice_chat.push_str("02/03/2026, 09:00 - Bob Example: my card is 4111 1111 1111 1111\n");
    let alice = export(&env, "Alice Client", &alice_chat);
    let bob = export(&env, "Bob Client", &android_export(40, 100));
    let carol = export(&env, "Carol Client", &android_export(40, 200));
    let with_policy = ["--policy", str_of(&policy)];
    assert_eq!(ingest(&env, &alice, "alice.ng", &with_policy)["alerts"], 1);
    ingest(&env, &bob, "bob.tan", &with_policy);
    ingest(&env, &carol, "carol.diaz", &with_policy);

    let first = run_json(&env, &["review", "sample", "--policy", str_of(&policy)]);
    let per = &first["custodians"];
    // alice.ng at 100 %: every message except the flagged one.
    assert_eq!(per["alice.ng"]["rate"], 1.0, "{first}");
    assert_eq!(per["alice.ng"]["messages"], 41);
    assert_eq!(per["alice.ng"]["flagged"], 1);
    assert_eq!(per["alice.ng"]["sampled"], 40);
    // bob.tan at 0 %: none.
    assert_eq!(per["bob.tan"]["rate"], 0.0);
    assert_eq!(per["bob.tan"]["sampled"], 0);
    // carol.diaz is not listed: the policy's default rate, 50 %.
    assert_eq!(per["carol.diaz"]["rate"], 0.5);
    let carol_sampled = per["carol.diaz"]["sampled"].as_u64().unwrap();
    assert!((5..=35).contains(&carol_sampled), "{first}");
    assert_eq!(first["sampled"].as_u64().unwrap(), 40 + carol_sampled);
    assert_eq!(first["new_items"], first["sampled"]);

    // The queue holds them as random-sample items; a re-run adds nothing.
    let samples = run_json(&env, &["alerts", "list", "--rule", "random-sample"]);
    assert_eq!(samples.as_array().unwrap().len() as u64, 40 + carol_sampled);
    let again = run_json(&env, &["review", "sample", "--policy", str_of(&policy)]);
    assert_eq!(again["new_items"], 0, "{again}");
    assert_eq!(again["custodians"]["carol.diaz"]["sampled"], carol_sampled);

    // --custodian limits the run; --rate overrides every per-custodian rate.
    let bob_all = run_json(
        &env,
        &[
            "review",
            "sample",
            "--policy",
            str_of(&policy),
            "--custodian",
            "bob.tan",
            "--rate",
            "1",
        ],
    );
    let custodians = bob_all["custodians"].as_object().unwrap();
    assert_eq!(custodians.len(), 1, "{bob_all}");
    assert_eq!(bob_all["custodians"]["bob.tan"]["sampled"], 40);
    assert_eq!(bob_all["new_items"], 40);

    // The text report shows each custodian's rate.
    let text = run_text(&env, &["review", "sample", "--policy", str_of(&policy)]);
    assert!(
        text.lines()
            .any(|l| l.contains("alice.ng") && l.contains("100.0%")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("carol.diaz") && l.contains("50.0%")),
        "{text}"
    );
}

#[test]
fn policy_apply_reports_alerts_the_changed_policy_no_longer_raises() {
    let env = Env::new();
    let before = env.write("before.toml", CHECK_POLICY);
    let chat = export(&env, "Maria Lopez", MARIA);
    let ingested = ingest(&env, &chat, "daniel.kim", &["--policy", str_of(&before)]);
    assert_eq!(ingested["alerts"], 3, "{ingested}");
    // The changed policy drops the IBAN rule and adds one on account numbers.
    let after = env.write(
        "after.toml",
        &CHECK_POLICY.replace(
            "id = \"bank-accounts\"\nseverity = \"medium\"\nentities = [\"IBAN_CODE\"]",
            "id = \"ssn-two\"\nseverity = \"medium\"\nentities = [\"US_SSN\"]",
        ),
    );
    let text = run_text(&env, &["policy", "apply", str_of(&after)]);
    assert!(
        text.contains("1 stored alert(s) this policy no longer raises"),
        "{text}"
    );
    let header = text
        .lines()
        .find(|l| l.contains("rule") && l.contains("raised"))
        .unwrap_or_else(|| panic!("no table: {text}"));
    assert!(header.contains("no longer raised"), "{header}");
    let row = |id: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .find(|w| w.first().map(String::as_str) == Some(id))
            .unwrap_or_else(|| panic!("no row for {id}: {text}"))
    };
    // rule, raised, new, no longer raised
    assert_eq!(row("bank-accounts"), ["bank-accounts", "0", "0", "1"]);
    assert_eq!(row("cards"), ["cards", "2", "0", "0"]);

    let applied = run_json(&env, &["policy", "apply", str_of(&after)]);
    assert_eq!(applied["no_longer_raised"], 1, "{applied}");
    assert_eq!(applied["new_alerts"], 0, "{applied}");
    // The alert is kept, with its item.
    let kept = run_json(&env, &["alerts", "list", "--rule", "bank-accounts"]);
    assert_eq!(kept.as_array().unwrap().len(), 1);
}
