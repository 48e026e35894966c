#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chatwarden_model::{Channel, Conversation, Finding, Message};
use chatwarden_policy::{Action, Policy, PolicyError, Role, RuleHit, Severity, evaluate};
use common::*;

fn policy(src: &str) -> Policy {
    Policy::from_toml(src, "test.toml").unwrap()
}

fn line_of_error(src: &str) -> (usize, String) {
    match Policy::from_toml(src, "test.toml") {
        Err(PolicyError::Policy { line, message, .. }) => (line, message),
        other => panic!("expected a policy error, got {other:?}"),
    }
}

/// Mei (e100, Sales) with an external client.
fn external_chat() -> Conversation {
    conversation(
        "e100",
        "Mei",
        &[participant("Client", Some("+14155550199"), false)],
    )
}

/// Ravi (e101, Payments) with Mei (internal).
fn internal_chat() -> Conversation {
    conversation(
        "e101",
        "Ravi",
        &[participant("Mei Chen", Some("+44 20 7946 0100"), false)],
    )
}

/// A confidentiality marker found in a message (the finding the time and period rules test).
fn marker(m: &Message) -> Vec<Finding> {
    vec![finding(&m.id, "CONFIDENTIAL_MARKER", "marker", 0.9, None)]
}

fn hits(p: &Policy, conv: &Conversation, msg: &Message, findings: &[Finding]) -> Vec<RuleHit> {
    evaluate(p, &directory(), conv, msg, findings)
}

const CARD_RULE: &str = r#"
[[rule]]
id = "cards"
severity = "high"
entities = ["CREDIT_CARD"]
min_score = 0.7
actions = ["alert"]
"#;

#[test]
fn entity_and_min_score() {
    let p = policy(CARD_RULE);
    let conv = external_chat();
    let m = message(&conv, 0, "Mei", 4, 10, 0, "card 4111…");
    let strong = [finding(&m.id, "CREDIT_CARD", "card_luhn", 0.9, None)];
    let weak = [finding(&m.id, "CREDIT_CARD", "card_luhn", 0.6, None)];
    let other = [finding(&m.id, "IBAN_CODE", "iban_mod97", 0.9, None)];
    let h = hits(&p, &conv, &m, &strong);
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].rule, "cards");
    assert_eq!(h[0].severity, Severity::High);
    assert_eq!(h[0].findings, strong.to_vec());
    assert_eq!(h[0].message, m.id);
    assert!(hits(&p, &conv, &m, &weak).is_empty());
    assert!(hits(&p, &conv, &m, &other).is_empty());
    assert!(hits(&p, &conv, &m, &[]).is_empty());
}

#[test]
fn detectors_min_count_and_all_of() {
    let p = policy(
        r#"
[[rule]]
id = "bulk-contacts"
severity = "medium"
entities = ["EMAIL_ADDRESS", "PHONE_NUMBER"]
min_count = 3
actions = ["alert"]

[[rule]]
id = "ssn-with-name"
severity = "critical"
all_of = ["PERSON", "US_SSN"]
actions = ["alert"]

[[rule]]
id = "by-detector"
severity = "low"
detectors = ["otp_code"]
actions = ["alert"]
"#,
    );
    let conv = external_chat();
    let m = message(&conv, 0, "Mei", 4, 10, 0, "list");
    let two = [
        finding(&m.id, "EMAIL_ADDRESS", "email", 1.0, None),
        finding(&m.id, "PHONE_NUMBER", "phone", 0.8, None),
    ];
    assert!(hits(&p, &conv, &m, &two).is_empty());
    let mut three = two.to_vec();
    three.push(finding(&m.id, "EMAIL_ADDRESS", "email", 1.0, None));
    let h = hits(&p, &conv, &m, &three);
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].findings.len(), 3);

    let ssn = [finding(&m.id, "US_SSN", "ssn_formatted", 0.9, None)];
    assert!(
        hits(&p, &conv, &m, &ssn).is_empty(),
        "all_of needs PERSON too"
    );
    let both = [
        ssn[0].clone(),
        finding(&m.id, "PERSON", "name_lexicon", 0.7, None),
    ];
    let h = hits(&p, &conv, &m, &both);
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].rule, "ssn-with-name");
    assert_eq!(h[0].findings.len(), 2);

    let code = [finding(&m.id, "VERIFICATION_CODE", "otp_code", 0.9, None)];
    assert_eq!(hits(&p, &conv, &m, &code)[0].rule, "by-detector");
}

#[test]
fn channel_direction_and_sender() {
    let p = policy(
        r#"
[[rule]]
id = "out"
severity = "high"
entities = ["US_SSN"]
channels = ["whatsapp", "signal"]
direction = "not_internal"
sender = "internal"
actions = ["alert"]
"#,
    );
    let conv = external_chat();
    let from_mei = message(&conv, 0, "Mei", 4, 10, 0, "ssn");
    let from_client = message(&conv, 1, "Client", 4, 10, 1, "ssn");
    let f = |m: &Message| vec![finding(&m.id, "US_SSN", "ssn_formatted", 0.9, None)];
    assert_eq!(hits(&p, &conv, &from_mei, &f(&from_mei)).len(), 1);
    assert!(
        hits(&p, &conv, &from_client, &f(&from_client)).is_empty(),
        "sender is external"
    );

    let internal = internal_chat();
    let m = message(&internal, 0, "Ravi", 4, 10, 0, "ssn");
    assert!(hits(&p, &internal, &m, &f(&m)).is_empty(), "internal only");

    let unknown = conversation("e100", "Mei", &[participant("Dentist", None, false)]);
    let m = message(&unknown, 0, "Mei", 4, 10, 0, "ssn");
    assert_eq!(
        hits(&p, &unknown, &m, &f(&m)).len(),
        1,
        "not_internal covers unknown"
    );

    let mut telegram = external_chat();
    telegram.channel = Channel::Telegram;
    let m = message(&telegram, 0, "Mei", 4, 10, 0, "ssn");
    assert!(
        hits(&p, &telegram, &m, &f(&m)).is_empty(),
        "channel not listed"
    );
}

#[test]
fn direction_external_excludes_unknown() {
    let p = policy(
        r#"
[[rule]]
id = "ext"
severity = "high"
entities = ["US_SSN"]
direction = "external"
actions = ["alert"]
"#,
    );
    let unknown = conversation("e100", "Mei", &[participant("Dentist", None, false)]);
    let m = message(&unknown, 0, "Mei", 4, 10, 0, "ssn");
    let f = [finding(&m.id, "US_SSN", "ssn_formatted", 0.9, None)];
    assert!(hits(&p, &unknown, &m, &f).is_empty());
    let conv = external_chat();
    let m = message(&conv, 0, "Mei", 4, 10, 0, "ssn");
    let f = [finding(&m.id, "US_SSN", "ssn_formatted", 0.9, None)];
    assert_eq!(hits(&p, &conv, &m, &f).len(), 1);
}

#[test]
fn custodians_and_departments() {
    let p = policy(
        r#"
[[rule]]
id = "payments-outside"
severity = "high"
entities = ["CREDIT_CARD"]
except_departments = ["payments"]
actions = ["alert"]

[[rule]]
id = "sofia-only"
severity = "low"
entities = ["IBAN_CODE"]
custodians = ["sofia.alvarez@northwind-capital.example"]
actions = ["alert"]

[[rule]]
id = "sales-only"
severity = "low"
entities = ["US_BANK_NUMBER"]
departments = ["Sales"]
actions = ["alert"]
"#,
    );
    // Card in Payments' (Ravi's) chat: excepted. In Sales' (Mei's) chat: hit.
    let payments = internal_chat();
    let m = message(&payments, 0, "Ravi", 4, 10, 0, "card");
    let card = |m: &Message| vec![finding(&m.id, "CREDIT_CARD", "card_luhn", 0.9, None)];
    assert!(hits(&p, &payments, &m, &card(&m)).is_empty());
    let sales = external_chat();
    let m = message(&sales, 0, "Mei", 4, 10, 0, "card");
    let h = hits(&p, &sales, &m, &card(&m));
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].department.as_deref(), Some("Sales"));
    assert_eq!(h[0].custodian.as_deref(), Some("e100"));
    // A card sent by Mei (Sales) into Ravi's archive: the sender is responsible.
    let m = message(&payments, 1, "Mei Chen", 4, 10, 0, "card");
    assert_eq!(hits(&p, &payments, &m, &card(&m)).len(), 1);

    // Custodian named by email matches the e102 custodian id.
    let sofia = conversation(
        "e102",
        "Sofia",
        &[participant("Client", Some("+14155550199"), false)],
    );
    let m = message(&sofia, 0, "Sofia", 4, 10, 0, "iban");
    let iban = [finding(&m.id, "IBAN_CODE", "iban_mod97", 0.9, None)];
    assert_eq!(hits(&p, &sofia, &m, &iban).len(), 1);
    let m = message(&sales, 1, "Mei", 4, 10, 0, "iban");
    let iban = [finding(&m.id, "IBAN_CODE", "iban_mod97", 0.9, None)];
    assert!(hits(&p, &sales, &m, &iban).is_empty());

    let bank = [finding(&m.id, "US_BANK_NUMBER", "bank_account", 0.9, None)];
    assert_eq!(hits(&p, &sales, &m, &bank).len(), 1);
    let m = message(&sofia, 1, "Sofia", 4, 10, 0, "acct");
    let bank = [finding(&m.id, "US_BANK_NUMBER", "bank_account", 0.9, None)];
    assert!(
        hits(&p, &sofia, &m, &bank).is_empty(),
        "Wealth Management is not Sales"
    );
}

#[test]
fn message_versus_attachment() {
    let p = policy(
        r#"
[[rule]]
id = "in-files"
severity = "high"
entities = ["US_SSN"]
source = "attachment"
actions = ["quarantine"]

[[rule]]
id = "in-text"
severity = "medium"
entities = ["US_SSN"]
source = "message"
actions = ["alert"]
"#,
    );
    let conv = external_chat();
    let m = message(&conv, 0, "Mei", 4, 10, 0, "see file");
    let in_file = [finding(
        &m.id,
        "US_SSN",
        "ssn_formatted",
        0.9,
        Some("clients.xlsx"),
    )];
    let h = hits(&p, &conv, &m, &in_file);
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].rule, "in-files");
    assert!(h[0].has_action("quarantine"));
    let in_text = [finding(&m.id, "US_SSN", "ssn_formatted", 0.9, None)];
    assert_eq!(hits(&p, &conv, &m, &in_text)[0].rule, "in-text");
}

#[test]
fn outside_business_hours() {
    let p = policy(
        r#"
[settings.business_hours]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "08:00"
end = "18:00"
time_zone = "Europe/London"

[[rule]]
id = "after-hours"
severity = "medium"
entities = ["CONFIDENTIAL_MARKER"]
time = "outside_business_hours"
actions = ["alert"]
"#,
    );
    let conv = external_chat();
    let f = marker;
    // 2024-03-04 is a Monday; London is on GMT (UTC+0) until 31 March.
    let monday_noon = message(&conv, 0, "Mei", 4, 12, 0, "x");
    let monday_night = message(&conv, 1, "Mei", 4, 22, 30, "x");
    let saturday_noon = message(&conv, 2, "Mei", 9, 12, 0, "x");
    assert!(hits(&p, &conv, &monday_noon, &f(&monday_noon)).is_empty());
    assert_eq!(hits(&p, &conv, &monday_night, &f(&monday_night)).len(), 1);
    assert_eq!(hits(&p, &conv, &saturday_noon, &f(&saturday_noon)).len(), 1);
    // After the clocks change (BST, UTC+1): 17:30 UTC is 18:30 in London.
    let mut april = message(&conv, 3, "Mei", 4, 17, 30, "x");
    april.sent_at = "2024-04-03T17:30:00Z".parse().unwrap();
    assert_eq!(hits(&p, &conv, &april, &f(&april)).len(), 1);
    april.sent_at = "2024-04-03T16:30:00Z".parse().unwrap();
    assert!(hits(&p, &conv, &april, &f(&april)).is_empty());
}

#[test]
fn business_hours_and_night_shifts_that_wrap_past_midnight() {
    let p = policy(
        r#"
[settings.business_hours]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "22:00"
end = "06:00"

[[rule]]
id = "in-shift"
severity = "low"
entities = ["CONFIDENTIAL_MARKER"]
time = "business_hours"
actions = ["alert"]
"#,
    );
    let conv = external_chat();
    let f = marker;
    // No zone: the wall-clock time as written. 2024-03-04 is a Monday.
    let late = message(&conv, 0, "Mei", 4, 23, 15, "x");
    let early = message(&conv, 1, "Mei", 5, 5, 59, "x");
    let end = message(&conv, 2, "Mei", 5, 6, 0, "x");
    let noon = message(&conv, 3, "Mei", 4, 12, 0, "x");
    assert_eq!(hits(&p, &conv, &late, &f(&late)).len(), 1);
    assert_eq!(hits(&p, &conv, &early, &f(&early)).len(), 1);
    assert!(
        hits(&p, &conv, &end, &f(&end)).is_empty(),
        "the end is exclusive"
    );
    assert!(hits(&p, &conv, &noon, &f(&noon)).is_empty());
}

#[test]
fn rules_apply_from_and_until() {
    let p = policy(
        r#"
[settings.business_hours]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "08:00"
end = "18:00"
time_zone = "America/New_York"

[[rule]]
id = "quiet-period"
severity = "high"
entities = ["CONFIDENTIAL_MARKER"]
from = "2024-03-05"
until = "2024-03-07T16:00:00-05:00"
actions = ["alert"]
"#,
    );
    let conv = external_chat();
    let f = marker;
    let at = |ts: &str| {
        let mut m = message(&conv, 0, "Mei", 5, 12, 0, "x");
        m.sent_at = ts.parse().unwrap();
        m
    };
    // A date starts at midnight in the business hours' zone (EST, UTC-5).
    let before = at("2024-03-05T04:59:59Z");
    let first = at("2024-03-05T05:00:00Z");
    let last = at("2024-03-07T20:59:59Z");
    let after = at("2024-03-07T21:00:00Z");
    assert!(hits(&p, &conv, &before, &f(&before)).is_empty());
    assert_eq!(hits(&p, &conv, &first, &f(&first)).len(), 1);
    assert_eq!(hits(&p, &conv, &last, &f(&last)).len(), 1);
    assert!(
        hits(&p, &conv, &after, &f(&after)).is_empty(),
        "until is exclusive"
    );
}

#[test]
fn a_period_is_checked() {
    let base = "[[rule]]\nid = \"a\"\nseverity = \"high\"\nentities = [\"US_SSN\"]\nactions = [\"alert\"]\n";
    let (line, msg) = line_of_error(&format!("{base}from = \"next tuesday\"\n"));
    assert_eq!(line, 6, "{msg}");
    assert!(msg.contains("from"), "{msg}");
    let (line, msg) = line_of_error(&format!(
        "{base}from = \"2024-03-07\"\nuntil = \"2024-03-01\"\n"
    ));
    assert_eq!(line, 7, "{msg}");
    assert!(msg.contains("until must be after from"), "{msg}");
}

#[test]
fn actions_and_redaction_roles() {
    let p = policy(
        r#"
[[rule]]
id = "secrets"
severity = "critical"
entities = ["PASSWORD"]
actions = ["alert", "redact", "quarantine", "notify"]
redact_below = "compliance_officer"
notify_text = "Rotate it."
"#,
    );
    let rule = p.rule("secrets").unwrap();
    assert_eq!(
        rule.actions,
        vec![
            Action::Alert,
            Action::Redact {
                below: Role::ComplianceOfficer
            },
            Action::Quarantine,
            Action::Notify {
                text: Some("Rotate it.".into())
            },
        ]
    );
    let conv = internal_chat();
    let m = message(&conv, 0, "Ravi", 4, 10, 0, "pw");
    let h = hits(
        &p,
        &conv,
        &m,
        &[finding(&m.id, "PASSWORD", "password_cue", 0.9, None)],
    );
    assert_eq!(h.len(), 1, "no direction: internal chats too");
    assert!(h[0].masks_for(Role::Supervisor));
    assert!(!h[0].masks_for(Role::ComplianceOfficer));
    assert!(!h[0].masks_for(Role::Admin));
    // Default role for redact.
    let p = policy(
        r#"
[[rule]]
id = "r"
severity = "low"
entities = ["PASSWORD"]
actions = ["redact"]
"#,
    );
    assert!(p.rule("r").unwrap().masks_for(Role::Reviewer));
    assert!(!p.rule("r").unwrap().masks_for(Role::Supervisor));
}

#[test]
fn one_incident_one_hit_unless_findings_are_reused() {
    let src = r#"
[[rule]]
id = "first"
severity = "high"
entities = ["US_SSN"]
actions = ["alert"]

[[rule]]
id = "second"
severity = "medium"
entities = ["US_SSN", "CREDIT_CARD"]
actions = ["alert"]
"#;
    let conv = external_chat();
    let m = message(&conv, 0, "Mei", 4, 10, 0, "x");
    let ssn = [finding(&m.id, "US_SSN", "ssn_formatted", 0.9, None)];
    let h = hits(&policy(src), &conv, &m, &ssn);
    assert_eq!(
        h.iter().map(|h| h.rule.as_str()).collect::<Vec<_>>(),
        ["first"]
    );
    // A second, different finding still reaches the second rule.
    let both = [
        ssn[0].clone(),
        finding(&m.id, "CREDIT_CARD", "card_luhn", 0.9, None),
    ];
    let h = hits(&policy(src), &conv, &m, &both);
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].findings.len(), 1);
    assert_eq!(h[1].findings[0].entity, "CREDIT_CARD");
    let reuse = format!("[settings]\nfindings_used_once = false\n{src}");
    assert_eq!(hits(&policy(&reuse), &conv, &m, &ssn).len(), 2);
}

#[test]
fn lexicons_run_like_detectors_inside_evaluate() {
    let p = policy(
        r#"
[[lexicon]]
name = "promissory"
entity = "PROMISSORY_LANGUAGE"
exclude = ["returns are not guaranteed"]
[[lexicon.near]]
words = ["guarantee", "guaranteed"]
near = ["return", "returns"]
within = 5

[[rule]]
id = "promises"
severity = "medium"
entities = ["PROMISSORY_LANGUAGE"]
direction = "not_internal"
sender = "internal"
actions = ["alert"]
"#,
    );
    let conv = external_chat();
    let m = message(
        &conv,
        0,
        "Mei",
        4,
        10,
        0,
        "I can guarantee a 12% return this year",
    );
    let h = hits(&p, &conv, &m, &[]);
    assert_eq!(h.len(), 1);
    let f = &h[0].findings[0];
    assert_eq!(f.detector, "lexicon:promissory");
    assert_eq!((f.start, f.end), (6, 6 + "guarantee a 12% return".len()));
    assert_eq!(f.preview, "guarantee … return");
    let m = message(
        &conv,
        1,
        "Mei",
        4,
        10,
        1,
        "Please note returns are not guaranteed.",
    );
    assert!(hits(&p, &conv, &m, &[]).is_empty());
    let m = message(&conv, 2, "Client", 4, 10, 2, "you guarantee my return?");
    assert!(hits(&p, &conv, &m, &[]).is_empty(), "client's own words");
}

#[test]
fn disabled_rules_are_validated_but_skipped() {
    let p = policy(&CARD_RULE.replace("actions", "enabled = false\nactions"));
    assert!(p.rules.is_empty());
}

#[test]
fn errors_name_the_line() {
    let (line, msg) = line_of_error(
        "[[rule]]\nid = \"a\"\nseverity = \"high\"\nentities = [\"US_SSN\"]\nactions = [\"alert\"]\ncolour = \"red\"\n",
    );
    assert_eq!(line, 6, "{msg}");
    assert!(msg.contains("colour"), "{msg}");

    let (line, msg) = line_of_error(
        "[[rule]]\nid = \"a\"\nseverity = \"urgent\"\nentities = [\"US_SSN\"]\nactions = [\"alert\"]\n",
    );
    assert_eq!(line, 3, "{msg}");
    assert!(msg.contains("urgent"), "{msg}");

    let (line, msg) = line_of_error(
        "\n[[rule]]\nid = \"a\"\nseverity = \"high\"\nentities = [\"US_SNN\"]\nactions = [\"alert\"]\n",
    );
    assert_eq!(line, 5, "{msg}");
    assert!(msg.contains("unknown entity \"US_SNN\""), "{msg}");

    let two = format!("{CARD_RULE}{CARD_RULE}");
    let (line, msg) = line_of_error(&two);
    assert_eq!(line, 10, "{msg}");
    assert!(msg.contains("used twice"), "{msg}");

    let (line, msg) = line_of_error(
        "[[rule]]\nid = \"a\"\nseverity = \"high\"\nentities = [\"US_SSN\"]\ntime = \"outside_business_hours\"\nactions = [\"alert\"]\n",
    );
    assert_eq!(line, 5, "{msg}");
    assert!(msg.contains("business_hours"), "{msg}");

    let (line, msg) =
        line_of_error("[[rule]]\nid = \"a\"\nseverity = \"high\"\nactions = [\"alert\"]\n");
    assert_eq!(line, 1, "{msg}");
    assert!(msg.contains("needs entities"), "{msg}");

    let (line, msg) = line_of_error(
        "[[rule]]\nid = \"a\"\nseverity = \"high\"\nentities = [\"US_SSN\"]\nmin_score = 1.5\nactions = [\"alert\"]\n",
    );
    assert_eq!(line, 5, "{msg}");

    let (line, msg) = line_of_error(
        "[[rule]]\nid = \"a\"\nseverity = \"high\"\nentities = [\"US_SSN\"]\nactions = [\"alert\", \"shout\"]\n",
    );
    assert_eq!(line, 5, "{msg}");
    assert!(msg.contains("shout"), "{msg}");

    let (line, msg) = line_of_error(
        "[[rule]]\nid = \"a\"\nseverity = \"high\"\nentities = [\"US_SSN\"]\nactions = [\"alert\"]\nredact_below = \"admin\"\n",
    );
    assert_eq!(line, 6, "{msg}");

    let (line, _) = line_of_error(
        "[[rule]]\nid = \"random-sample\"\nseverity = \"high\"\nentities = [\"US_SSN\"]\nactions = [\"alert\"]\n",
    );
    assert_eq!(line, 2);

    let (line, msg) = line_of_error("[sampling]\nrate = 2.0\n");
    assert_eq!(line, 2, "{msg}");

    let (line, msg) = line_of_error(
        "[settings.business_hours]\ndays = [\"mon\"]\nstart = \"8am\"\nend = \"18:00\"\n",
    );
    assert_eq!(line, 3, "{msg}");

    let (line, msg) = line_of_error(
        "[[lexicon]]\nname = \"x\"\nentity = \"X\"\n[[lexicon.near]]\nwords = [\"a\"]\nnear = [\"b\"]\nwithin = 0\n",
    );
    assert_eq!(line, 7, "{msg}");

    let (line, msg) = line_of_error("[[rule]\n");
    assert_eq!(line, 1, "{msg}");
}

#[test]
fn custom_entities_are_declared() {
    let src = r#"
[settings]
custom_entities = ["PROJECT_CODENAME"]

[[rule]]
id = "codenames"
severity = "medium"
entities = ["PROJECT_CODENAME"]
direction = "not_internal"
actions = ["alert"]
"#;
    let p = policy(src);
    let conv = external_chat();
    let m = message(&conv, 0, "Mei", 4, 10, 0, "Project Falcon");
    let f = [finding(&m.id, "PROJECT_CODENAME", "dictionary", 0.8, None)];
    assert_eq!(hits(&p, &conv, &m, &f).len(), 1);
}
