//! End-to-end tests of the `chatwarden` binary, run as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, android_export, json};
use predicates::prelude::*;

#[test]
fn demo_ingests_the_corpus_finds_every_planted_value_and_verifies() {
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
    assert!(report["ingest"]["new"].as_u64().unwrap() >= 40, "{report}");
    assert_eq!(report["ingest"]["failed"], 0, "{report}");
    assert_eq!(report["ingest"]["files"].as_array().unwrap().len(), 9);
    // The Korean Android export: titled from `NAME님과의 WhatsApp 대화.txt`, its
    // `26/3/9 PM 2:10` dates read year first with the period before the time.
    let titled = |title: &str| -> Vec<&serde_json::Value> {
        report["ingest"]["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["title"] == title)
            .collect()
    };
    let korean = titled("박서준");
    assert_eq!(korean.len(), 1, "{report}");
    assert_eq!(korean[0]["new"], 7, "{report}");
    // The WhatsApp Desktop export: titled from its zip, every message read, and the
    // message the phone had not decrypted named in a warning.
    let treasury = titled("Treasury Ops_ EMEA");
    assert_eq!(treasury.len(), 1, "{report}");
    assert_eq!(treasury[0]["new"], 9, "{report}");
    assert!(
        report["ingest"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w
                .as_str()
                .unwrap()
                .contains("chat.txt:8: \"Waiting for this message\"")),
        "{report}"
    );
    assert_eq!(report["planted_found"], report["planted_total"], "{report}");
    assert_eq!(report["verify_ok"], true);
    // The default policy raises alerts, grouped into fewer review items.
    let policy = &report["policy"];
    assert!(policy["alerts"].as_u64().unwrap() >= 5, "{policy}");
    assert!(policy["items"].as_u64().unwrap() <= policy["alerts"].as_u64().unwrap());
    let rules: Vec<&str> = policy["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "credentials-anywhere",
        "verification-code-shared",
        "confidential-to-external",
    ] {
        assert!(rules.contains(&rule), "{rule} raised nothing: {policy}");
    }
    // The term sheet PDF's marker and the customer CSV's cards and emails.
    assert!(
        report["attachment_findings"].as_u64().unwrap() >= 5,
        "{report}"
    );
    // A second run starts afresh in the same folder.
    env.cmd()
        .arg("--json")
        .arg("demo")
        .arg("--dir")
        .arg(&dir)
        .assert()
        .success();
}

#[test]
fn demo_refuses_a_folder_it_did_not_make() {
    let env = Env::new();
    env.write("precious.txt", "keep me");
    env.cmd()
        .arg("demo")
        .arg("--dir")
        .arg(env.dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("not made by `chatwarden demo`"));
    assert!(env.dir.path().join("precious.txt").exists());
}

#[test]
fn parse_prints_normalized_json_lines_and_stores_nothing() {
    let env = Env::new();
    let file = env.write(
        "WhatsApp Chat with Bob Example.txt",
        "01/03/2026, 09:00 - Alice Example: hello\nsecond line\n01/03/2026, 09:01 - Bob Example: <Media omitted>\n",
    );
    let out = env
        .cmd()
        .arg("parse")
        .arg(&file)
        .arg("--tz")
        .arg("Europe/Berlin")
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for key in [
        "id",
        "conversation",
        "kind",
        "sender",
        "sent_at",
        "local_time",
        "text",
        "attachments",
        "deleted",
        "edited",
        "source",
    ] {
        assert!(lines[0].get(key).is_some(), "missing {key}: {}", lines[0]);
    }
    assert_eq!(lines[0]["text"], "hello\nsecond line");
    assert_eq!(lines[0]["sent_at"], "2026-03-01T08:00:00Z");
    assert_eq!(lines[0]["local_time"], "2026-03-01T09:00:00");
    assert_eq!(lines[1]["attachments"][0]["included"], false);
    assert!(!env.data().exists(), "parse must not create an archive");
}

#[test]
fn parse_without_tz_says_times_are_utc() {
    let env = Env::new();
    let file = env.write(
        "chat.txt",
        "01/03/2026, 09:00 - Alice Example: hello\n13/03/2026, 09:01 - Bob Example: hi\n",
    );
    env.cmd()
        .arg("parse")
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("UTC"))
        .stdout(predicate::str::contains(
            "\"sent_at\":\"2026-03-01T09:00:00Z\"",
        ));
}

#[test]
fn ingesting_twice_or_overlapping_exports_stores_each_message_once() {
    let env = Env::new();
    let first = env.write("WhatsApp Chat with Bob Example.txt", &android_export(60, 0));
    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .arg(&first)
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    assert_eq!(summary["new"], 60);
    assert_eq!(summary["duplicate"], 0);

    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .arg(&first)
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    assert_eq!(summary["new"], 0);
    assert_eq!(summary["duplicate"], 60);

    // A later export of the same chat, overlapping the first by 20 messages.
    let later_dir = env.dir.path().join("later");
    std::fs::create_dir(&later_dir).unwrap();
    let later = later_dir.join("WhatsApp Chat with Bob Example.txt");
    std::fs::write(&later, android_export(60, 40)).unwrap();
    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .arg(&later)
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    assert_eq!(summary["new"], 40);
    assert_eq!(summary["duplicate"], 20);

    let out = env
        .cmd()
        .args(["--json", "conversations"])
        .assert()
        .success();
    let list = json(&out.get_output().stdout);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["messages"], 100);
}

#[test]
fn a_bad_file_fails_alone_and_loses_nothing_already_stored() {
    let env = Env::new();
    let good = env.write("WhatsApp Chat with Bob Example.txt", &android_export(10, 0));
    env.cmd().arg("ingest").arg(&good).assert().success();
    let bad = env.write("notes.txt", "shopping list\nmilk\neggs\n");
    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .arg(&bad)
        .arg(&good)
        .assert()
        .code(3);
    let summary = json(&out.get_output().stdout);
    assert_eq!(summary["failed"], 1);
    assert!(
        summary["files"][0]["error"]
            .as_str()
            .unwrap()
            .contains("notes.txt"),
        "{summary}"
    );
    assert_eq!(summary["duplicate"], 10);
    let out = env
        .cmd()
        .args(["--json", "conversations"])
        .assert()
        .success();
    assert_eq!(json(&out.get_output().stdout)[0]["messages"], 10);
}

#[test]
fn show_escapes_terminal_control_sequences_in_message_text() {
    let env = Env::new();
    let file = env.write(
        "WhatsApp Chat with Mallory.txt",
        "01/03/2026, 09:00 - Mallory: look\u{1b}[2J\u{1b}]0;pwned\u{7} here \u{202E}fdp.exe\n13/03/2026, 09:00 - Bob: ?\n",
    );
    env.cmd().arg("ingest").arg(&file).assert().success();
    let out = env.cmd().args(["show", "Mallory"]).assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        !stdout.contains('\u{1b}'),
        "raw escape reached the terminal: {stdout:?}"
    );
    assert!(!stdout.contains('\u{202E}'));
    assert!(stdout.contains("<U+001B>[2J"));
}

#[test]
fn the_data_folder_alone_does_not_open_and_a_wrong_key_is_refused() {
    let env = Env::new();
    let file = env.write("WhatsApp Chat with Bob Example.txt", &android_export(5, 0));
    env.cmd().arg("ingest").arg(&file).assert().success();
    std::fs::rename(env.key(), env.dir.path().join("moved.key")).unwrap();
    env.cmd()
        .arg("conversations")
        .assert()
        .failure()
        .stderr(predicate::str::contains("key"));

    let other = Env::new();
    other.cmd().arg("init").assert().success();
    std::fs::copy(other.key(), env.key()).unwrap();
    env.cmd()
        .arg("conversations")
        .assert()
        .failure()
        .stderr(predicate::str::contains("key"));
}

#[test]
fn help_lists_commands_and_exit_codes() {
    let env = Env::new();
    env.cmd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("ingest"))
        .stdout(predicate::str::contains("Exit codes"));
}

fn connectors_fixture(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../connectors/tests/fixtures")
        .join(path)
}

#[test]
fn a_telegram_account_export_ingests_every_chat_and_twice_stores_once() {
    let env = Env::new();
    let file = connectors_fixture("telegram/account_export.json");
    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .arg(&file)
        .assert()
        .success();
    let first = json(&out.get_output().stdout);
    let chats = first["files"][0]["conversations"].as_array().unwrap().len();
    assert!(chats >= 2, "an account export holds several chats: {first}");
    assert!(first["new"].as_u64().unwrap() > 0);
    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .arg(&file)
        .assert()
        .success();
    let second = json(&out.get_output().stdout);
    assert_eq!(second["new"], 0);
    assert_eq!(second["duplicate"], first["new"]);
    let out = env
        .cmd()
        .args(["--json", "conversations"])
        .assert()
        .success();
    assert_eq!(
        json(&out.get_output().stdout).as_array().unwrap().len(),
        chats
    );
}

#[test]
fn a_folder_ingests_wechat_csv_exports_and_leaves_other_csv_files_alone() {
    let env = Env::new();
    let folder = env.dir.path().join("exports");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(
        connectors_fixture("wechat/张伟_utf8.csv"),
        folder.join("张伟_utf8.csv"),
    )
    .unwrap();
    // A CRM extract beside the export: not a chat export, so neither read nor failed.
    std::fs::write(
        folder.join("contacts.csv"),
        "name,email,phone\nMaria Lopez,maria@example.com,+1 571 370 4480\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .arg(&folder)
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    let files = summary["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{summary}");
    assert!(
        files[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("张伟_utf8.csv"),
        "{summary}"
    );
    assert!(summary["new"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(summary["failed"].as_u64().unwrap_or(0), 0, "{summary}");
}

/// A webhook fixture body as one JSON line.
fn webhook_line(name: &str) -> String {
    let v: serde_json::Value = serde_json::from_slice(
        &std::fs::read(connectors_fixture(&format!("webhook/{name}"))).unwrap(),
    )
    .unwrap();
    serde_json::to_string(&v).unwrap()
}

#[test]
fn webhook_captures_store_each_wamid_once_redelivered_or_out_of_order() {
    let env = Env::new();
    let ingest = |path: &std::path::Path| {
        let out = env
            .cmd()
            .args(["--json", "ingest"])
            .arg(path)
            .assert()
            .success();
        json(&out.get_output().stdout)
    };
    // capture.jsonl: Priya's edit arrives before the message it edits, her text is
    // delivered twice, statuses in between; then Marco's eight messages.
    let capture = connectors_fixture("webhook/capture.jsonl");
    let first = ingest(&capture);
    assert_eq!(first["failed"], 0, "{first}");
    assert_eq!(
        first["new"], 11,
        "Priya: edit, text, image; Marco: 8: {first}"
    );
    assert_eq!(first["duplicate"], 1, "the redelivered text: {first}");
    // The capture-level warning (statuses are not messages) is reported once, not once
    // per conversation of the capture.
    let warnings = first["warnings"].as_array().unwrap();
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.as_str().unwrap().contains("are not messages"))
            .count(),
        1,
        "{warnings:?}"
    );
    // The same capture again: nothing new.
    let second = ingest(&capture);
    assert_eq!(second["new"], 0, "{second}");
    assert_eq!(second["duplicate"], 12, "{second}");
    // A later capture of Priya's chat: the image before the text it followed (out of
    // order), the text redelivered once more, two new reactions, an errors body.
    let later = env.write(
        "later.jsonl",
        &[
            "image.json",
            "reaction.json",
            "text.json",
            "errors.json",
            "text.json",
        ]
        .iter()
        .map(|n| webhook_line(n) + "\n")
        .collect::<String>(),
    );
    let third = ingest(&later);
    assert_eq!(third["new"], 2, "the two reactions: {third}");
    assert_eq!(third["duplicate"], 3, "{third}");
    // Each wamid is stored once.
    let out = env
        .cmd()
        .args(["--json", "conversations"])
        .assert()
        .success();
    let conversations = json(&out.get_output().stdout);
    let count = |title: &str| {
        conversations
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["title"] == title)
            .unwrap()["messages"]
            .clone()
    };
    assert_eq!(count("Priya Shah"), 5);
    assert_eq!(count("Marco Rossi"), 8);
    let out = env
        .cmd()
        .args(["--json", "show", "Priya Shah"])
        .assert()
        .success();
    let shown = json(&out.get_output().stdout);
    let ids: std::collections::HashSet<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 5);
}

#[test]
fn format_can_be_forced_and_unknown_input_names_what_was_tried() {
    let env = Env::new();
    let file = connectors_fixture("telegram/single_chat.json");
    env.cmd()
        .args(["parse", "--format", "whatsapp"])
        .arg(&file)
        .assert()
        .failure();
    env.cmd()
        .args(["parse", "--format", "telegram"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"time_source\":\"native_utc\""));
    env.cmd()
        .args(["parse", "--format", "fax"])
        .arg(&file)
        .assert()
        .failure()
        .stderr(predicate::str::contains("telegram"));
    let notes = env.write("notes.txt", "shopping list\nmilk\n");
    let out = env
        .cmd()
        .arg("parse")
        .arg(&notes)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "notes.txt: not a recognized export",
        ));
    // A plain-text file no connector recognises: every format tried, each with its reason.
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    for format in [
        "telegram: not JSON",
        "slack: not a zip",
        "line: no `[LINE] Chat history` first line",
        "signal: not JSON lines",
        "wechat: the first line is not the WeChatMsg/MemoTrace CSV header",
        "imessage: the first line is not an imessage-exporter message time",
        "whatsapp: no message header",
    ] {
        assert!(stderr.contains(format), "{format:?} missing: {stderr}");
    }
    // Ingesting it fails that file (exit 3), with the same list in the summary.
    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .arg(&notes)
        .assert()
        .code(3);
    let summary = json(&out.get_output().stdout);
    assert_eq!(summary["failed"], 1, "{summary}");
    let error = summary["files"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("notes.txt: not a recognized export"),
        "{error}"
    );
    assert!(error.contains("line: ") && error.contains("imessage: ") && error.contains("wechat: "));
}
