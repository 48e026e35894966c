//! End-to-end tests of `chatwarden scan` (JSON lines from a file and from standard
//! input, plain text, chat exports stored nowhere), of per-entity thresholds in a
//! `--rules` file, of `rules hash` with exact data match, and of `--gitleaks` import.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;
use predicates::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// The JSON lines of a successful run's standard output.
fn lines(output: &[u8]) -> Vec<Value> {
    String::from_utf8(output.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn scan_out(env: &Env, args: &[&str], stdin: Option<&str>) -> Vec<Value> {
    let mut cmd = env.cmd();
    cmd.arg("scan").args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_string());
    }
    let out = cmd.assert().success();
    lines(&out.get_output().stdout)
}

/// `scan --input text --rules RULES -` over `text` refuses to run (exit code 1).
fn scan_with_rules_refused(
    env: &Env,
    rules: &std::path::Path,
    text: &str,
) -> assert_cmd::assert::Assert {
    env.cmd()
        .args(["scan", "--input", "text", "--rules"])
        .arg(rules)
        .arg("-")
        .write_stdin(text.to_string())
        .assert()
        .code(1)
}

/// Every output line has exactly the fields Presidio comparisons expect.
fn assert_fields(found: &[Value]) {
    let want: BTreeSet<&str> = ["id", "entity", "start", "end", "score", "detector"].into();
    for line in found {
        let keys: BTreeSet<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, want, "{line}");
        assert!(line["start"].is_u64() && line["end"].is_u64(), "{line}");
        let score = line["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score), "{line}");
    }
}

fn find<'a>(found: &'a [Value], entity: &str) -> Vec<&'a Value> {
    found.iter().filter(|l| l["entity"] == entity).collect()
}

/// The characters `[start, end)` of `text`, counted in Unicode scalar values.
fn chars(text: &str, line: &Value) -> String {
    let start = line["start"].as_u64().unwrap() as usize;
    let end = line["end"].as_u64().unwrap() as usize;
    text.chars().skip(start).take(end - start).collect()
}

const CARD_TEXT: &str = "😀 naïve 卡号 4111 1111 1111 1111";
const MAIL_TEXT: &str = "Grüße, schreib an jane.roe@example.com";

fn jsonl_input() -> String {
    format!(
        "{}\n\n{}\n{}\n",
        serde_json::json!({"id": 1, "text": CARD_TEXT}),
        serde_json::json!({"id": "m-2", "text": MAIL_TEXT}),
        serde_json::json!({"id": 3, "text": "nothing to see here"}),
    )
}

#[test]
fn scan_jsonl_from_a_file_prints_the_fields_with_character_offsets() {
    let env = Env::new();
    let file = env.write("messages.jsonl", &jsonl_input());
    let found = scan_out(&env, &["--input", "jsonl", file.to_str().unwrap()], None);
    assert_fields(&found);
    assert_eq!(found.len(), 2, "{found:?}");

    let card = find(&found, "CREDIT_CARD");
    assert_eq!(card.len(), 1, "{found:?}");
    assert_eq!(card[0]["id"], 1);
    // After an emoji, a precomposed ï and two Han characters: character (not
    // byte, not UTF-16) offsets.
    assert_eq!(
        (card[0]["start"].as_u64(), card[0]["end"].as_u64()),
        (Some(11), Some(30))
    );
    assert_eq!(chars(CARD_TEXT, card[0]), "4111 1111 1111 1111");
    assert_eq!(card[0]["detector"], "card_luhn");
    assert_eq!(card[0]["score"], 1.0);

    let mail = find(&found, "EMAIL_ADDRESS");
    assert_eq!(mail.len(), 1, "{found:?}");
    assert_eq!(mail[0]["id"], "m-2", "the id is echoed as given");
    assert_eq!(chars(MAIL_TEXT, mail[0]), "jane.roe@example.com");
    assert_eq!(mail[0]["detector"], "email");
    assert!(!env.data().exists(), "scan must not create an archive");
}

#[test]
fn scan_jsonl_from_standard_input_gives_the_same_lines() {
    let env = Env::new();
    let file = env.write("messages.jsonl", &jsonl_input());
    let from_file = scan_out(&env, &["--input", "jsonl", file.to_str().unwrap()], None);
    let from_stdin = scan_out(&env, &["--input", "jsonl", "-"], Some(&jsonl_input()));
    assert_eq!(from_stdin, from_file);
    // jsonl and - are the defaults.
    let defaults = scan_out(&env, &[], Some(&jsonl_input()));
    assert_eq!(defaults, from_file);
    assert!(!env.data().exists());
}

#[test]
fn scan_jsonl_names_a_bad_line() {
    let env = Env::new();
    env.cmd()
        .args(["scan", "--input", "jsonl", "-"])
        .write_stdin("{\"id\": 1, \"text\": \"ok\"}\n{\"id\": 2}\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 2").and(predicate::str::contains("text")));
}

#[test]
fn scan_text_numbers_the_lines() {
    let env = Env::new();
    let file = env.write("notes.txt", &format!("hello\n{MAIL_TEXT}\n{CARD_TEXT}\n"));
    let found = scan_out(&env, &["--input", "text", file.to_str().unwrap()], None);
    assert_fields(&found);
    let mail = find(&found, "EMAIL_ADDRESS");
    assert_eq!(mail.len(), 1, "{found:?}");
    assert_eq!(mail[0]["id"], 2);
    assert_eq!(chars(MAIL_TEXT, mail[0]), "jane.roe@example.com");
    let card = find(&found, "CREDIT_CARD");
    assert_eq!(card.len(), 1, "{found:?}");
    assert_eq!(card[0]["id"], 3);
    assert_eq!(
        (card[0]["start"].as_u64(), card[0]["end"].as_u64()),
        (Some(11), Some(30))
    );
    // From standard input too.
    let piped = scan_out(
        &env,
        &["--input", "text", "-"],
        Some(&format!("hello\n{MAIL_TEXT}\n{CARD_TEXT}\n")),
    );
    assert_eq!(piped, found);
}

#[test]
fn scan_export_reads_a_whatsapp_export_and_stores_nothing() {
    let env = Env::new();
    let export = env.write(
        "WhatsApp Chat with Maria Lopez.txt",
        "01/03/2026, 09:00 - Daniel Kim: can you send me the card number?\n\
         01/03/2026, 09:01 - Maria Lopez: 6759 6498 2648\n\
         01/03/2026, 09:02 - Maria Lopez: ok\n\
         13/03/2026, 09:03 - Maria Lopez: and my mail is maria.lopez@example.com\n",
    );
    let found = scan_out(
        &env,
        &[
            "--input",
            "export",
            export.to_str().unwrap(),
            "--tz",
            "Europe/Madrid",
        ],
        None,
    );
    assert_fields(&found);
    // A 12-digit card number alone is found because the message before it asked
    // for the card: the conversation's context is used.
    let card = find(&found, "CREDIT_CARD");
    assert_eq!(card.len(), 1, "{found:?}");
    assert_eq!(
        (card[0]["start"].as_u64(), card[0]["end"].as_u64()),
        (Some(0), Some(14))
    );
    let mail = find(&found, "EMAIL_ADDRESS");
    assert_eq!(mail.len(), 1, "{found:?}");
    assert_eq!(
        chars("and my mail is maria.lopez@example.com", mail[0]),
        "maria.lopez@example.com"
    );
    // Message ids, as `parse` prints them.
    assert!(card[0]["id"].is_string() && mail[0]["id"].is_string());
    assert_ne!(card[0]["id"], mail[0]["id"]);
    // Nothing stored: no data folder, no key, nothing else beside the export.
    assert!(!env.data().exists(), "scan must not create an archive");
    assert!(!env.key().exists(), "scan must not create a key");
    let names: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

/// An export is scanned with its conversation's phone region, as at ingest: here
/// the participants' numbers are British, so a number written the British way, with
/// no country code and no phone word, is found; `--region US` overrides it.
#[test]
fn scan_export_reads_national_numbers_in_the_participants_region() {
    let env = Env::new();
    let export = env.write(
        "chat.txt",
        "01/03/2026, 09:00 - +44 7700 900123: morning\n\
         01/03/2026, 09:01 - +44 7700 900456: 020 7946 0018 after lunch\n\
         13/03/2026, 09:02 - +44 7700 900123: ok\n",
    );
    let path = export.to_str().unwrap();
    let found = scan_out(&env, &["--input", "export", path], None);
    let phones = find(&found, "PHONE_NUMBER");
    assert_eq!(phones.len(), 1, "{found:?}");
    assert_eq!(
        chars("020 7946 0018 after lunch", phones[0]),
        "020 7946 0018"
    );
    let us = scan_out(&env, &["--input", "export", path, "--region", "US"], None);
    assert!(find(&us, "PHONE_NUMBER").is_empty(), "{us:?}");
}

#[test]
fn scan_export_leaves_an_existing_archive_untouched() {
    let env = Env::new();
    env.cmd().arg("init").assert().success();
    let before = snapshot(&env);
    let export = env.write(
        "chat.txt",
        "01/03/2026, 09:00 - Alice Example: card 4111 1111 1111 1111\n",
    );
    let found = scan_out(&env, &["--input", "export", export.to_str().unwrap()], None);
    assert_eq!(find(&found, "CREDIT_CARD").len(), 1, "{found:?}");
    assert_eq!(snapshot(&env), before, "scan changed the data folder");
}

/// Every file under the data folder with its content.
fn snapshot(env: &Env) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = common::files_under(&env.data())
        .into_iter()
        .map(|p| {
            let content = std::fs::read(&p).unwrap();
            (p, content)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn thresholds_in_a_rules_file_change_what_scan_reports() {
    let env = Env::new();
    let text = "host 10.1.2.3\nit is 6759 6498 2648\n";
    let entities = |found: &[Value]| -> Vec<String> {
        found
            .iter()
            .map(|l| l["entity"].as_str().unwrap().to_string())
            .collect()
    };
    let plain = scan_out(&env, &["--input", "text", "-"], Some(text));
    assert_eq!(entities(&plain), ["IP_ADDRESS"]);

    let rules = env.write(
        "rules.toml",
        "[thresholds]\nIP_ADDRESS = 0.9\nCREDIT_CARD = 0.4\n",
    );
    let strict = scan_out(
        &env,
        &["--input", "text", "--rules", rules.to_str().unwrap(), "-"],
        Some(text),
    );
    assert_eq!(entities(&strict), ["CREDIT_CARD"]);

    // Errors name the file, the line and the entity or value; nothing is scanned.
    let refused = |name: &str, toml: &str| {
        scan_with_rules_refused(&env, &env.write(name, toml), text).stdout("")
    };
    refused("bad.toml", "[thresholds]\nIP_ADRESS = 0.9\n").stderr(
        predicate::str::contains("bad.toml: line 2")
            .and(predicate::str::contains("unknown entity \"IP_ADRESS\"")),
    );
    refused("range.toml", "[thresholds]\nIP_ADDRESS = 1.5\n").stderr(
        predicate::str::contains("line 2")
            .and(predicate::str::contains("IP_ADDRESS = 1.5"))
            .and(predicate::str::contains("between 0 and 1")),
    );
}

#[test]
fn rules_hash_makes_an_exact_match_list_without_the_plaintext() {
    let env = Env::new();
    env.cmd().arg("init").assert().success();
    let csv = env.write(
        "crm.csv",
        "customer_id,name\nC-10021,Ana Souza\nC-10022,Peter Hall\n,Nobody\n",
    );
    let hashes = env.dir.path().join("customers.hashes");
    env.cmd()
        .args(["rules", "hash"])
        .arg(&csv)
        .args(["--column", "customer_id", "-o"])
        .arg(&hashes)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "wrote 2 keyed hash(es) from 3 row(s) (1 empty)",
        ));
    let list = std::fs::read_to_string(&hashes).unwrap();
    for plain in ["10021", "10022", "Ana", "Peter", "c10021"] {
        assert!(!list.contains(plain), "{plain} in the hash file:\n{list}");
    }
    // The hashing was audited.
    let audit = env.cmd().args(["--json", "audit"]).assert().success();
    let audit = String::from_utf8(audit.get_output().stdout.clone()).unwrap();
    assert!(audit.contains("rules hash"), "{audit}");

    let rules = env.write(
        "rules.toml",
        "[[exact]]\nentity = \"CUSTOMER_ID\"\nhashes = \"customers.hashes\"\n",
    );
    let text = "customer c-10021 called\nC-10022, again\nC-10023 is new\n";
    let found = scan_out(
        &env,
        &["--input", "text", "--rules", rules.to_str().unwrap(), "-"],
        Some(text),
    );
    let ids: Vec<(u64, String)> = find(&found, "CUSTOMER_ID")
        .iter()
        .map(|l| {
            let line = l["id"].as_u64().unwrap();
            let text_line = text.lines().nth(line as usize - 1).unwrap();
            (line, chars(text_line, l))
        })
        .collect();
    assert_eq!(
        ids,
        [(1, "c-10021".to_string()), (2, "C-10022".to_string())]
    );
    assert!(
        find(&found, "CUSTOMER_ID")
            .iter()
            .all(|l| l["detector"] == "exact:customer_id")
    );

    let refused = |env: &Env| scan_with_rules_refused(env, &rules, text);
    // Another archive's key does not match the list: refused, not silently empty.
    let other = Env::new();
    other.cmd().arg("init").assert().success();
    refused(&other).stdout("");
    // Without an archive there is no key at all.
    refused(&Env::new()).stderr(predicate::str::contains("archive's key"));
}

#[test]
fn gitleaks_rules_are_imported_and_unusable_ones_are_named() {
    let env = Env::new();
    let gitleaks = env.write(
        "gitleaks.toml",
        r#"title = "acme"

[[rules]]
id = "acme-api-token"
description = "ACME API token"
regex = '''acme_[a-z0-9]{24}'''
keywords = ["acme_"]

[[rules]]
id = "lookahead-rule"
regex = '''secret(?=[0-9])'''
"#,
    );
    let text = "use acme_k3j9x0q2m5n8p1r4t7v6w2y9 for staging\nacme_short\n";
    let plain = scan_out(&env, &["--input", "text", "-"], Some(text));
    assert!(find(&plain, "ACME_API_TOKEN").is_empty(), "{plain:?}");

    let out = env
        .cmd()
        .args(["scan", "--input", "text", "--gitleaks"])
        .arg(&gitleaks)
        .arg("-")
        .write_stdin(text)
        .assert()
        .success()
        .stderr(predicate::str::contains("rule lookahead-rule skipped"));
    let found = lines(&out.get_output().stdout);
    assert_fields(&found);
    let tokens = find(&found, "ACME_API_TOKEN");
    assert_eq!(tokens.len(), 1, "{found:?}");
    assert_eq!(tokens[0]["id"], 1);
    assert_eq!(tokens[0]["detector"], "gitleaks:acme-api-token");
    assert_eq!(
        chars(text.lines().next().unwrap(), tokens[0]),
        "acme_k3j9x0q2m5n8p1r4t7v6w2y9"
    );
}
