//! The default phone region at ingest: stated with `--region`, else inferred per
//! conversation from the participants' phone numbers or the directory's phone ranges,
//! else none; and the summary says which applied.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Env, json};
use predicates::prelude::*;

/// A UK WhatsApp group (Android, en-GB) whose other members are unsaved contacts, so the
/// export shows them as "+44 …" numbers (one wrapped in the direction marks WhatsApp
/// writes around numbers). One message gives a UK mobile in national format, with no
/// phone word near it; another a London number in international form.
fn uk_export() -> String {
    [
        "12/03/2026, 09:15 - \u{202A}+44 7700 900456\u{202C}: Morning Daniel, Tom from the lettings office here",
        "12/03/2026, 09:16 - Daniel Kim: Morning Tom",
        "12/03/2026, 09:17 - +44 7400 654321: Hi both, Sarah here. Best number for me today is 07400 123456, after six",
        "12/03/2026, 09:18 - +44 7700 900456: Or the office on +44 20 7946 0018",
        "12/03/2026, 09:19 - Daniel Kim: Thanks, noted",
    ]
    .join("\n")
        + "\n"
}

/// (number of PHONE_NUMBER findings, their previews).
fn phone_findings(env: &Env) -> Vec<String> {
    let out = env
        .cmd()
        .args([
            "--json",
            "--role",
            "admin",
            "findings",
            "--entity",
            "PHONE_NUMBER",
        ])
        .assert()
        .success();
    json(&out.get_output().stdout)
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["preview"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_region_is_inferred_from_the_participants_numbers() {
    let env = Env::new();
    let export = env.write("WhatsApp Chat with Lettings.txt", &uk_export());
    let out = env
        .cmd()
        .args(["--json", "ingest"])
        .arg(&export)
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    let region = &summary["conversations"][0]["phone_region"];
    assert_eq!(region["region"], "GB", "{summary}");
    assert_eq!(region["basis"], "participants", "{summary}");
    assert_eq!(
        (region["votes"].as_u64(), region["numbers"].as_u64()),
        (Some(2), Some(2))
    );
    let found = phone_findings(&env);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .any(|p| p.ends_with("56") && !p.starts_with('+')),
        "{found:?}"
    );
    assert!(found.iter().any(|p| p.ends_with("018")), "{found:?}");

    // The human summary names the region and where it came from.
    let env = Env::new();
    let export = env.write("WhatsApp Chat with Lettings.txt", &uk_export());
    env.cmd()
        .arg("ingest")
        .arg(&export)
        .assert()
        .success()
        .stdout(predicate::str::contains("phone region"))
        .stdout(predicate::str::contains("GB (participants 2/2)"))
        // Never the participants' numbers in a note.
        .stdout(predicate::str::contains("no phone region").not());
}

#[test]
fn a_stated_region_wins_and_the_uk_number_is_not_read_as_american() {
    let env = Env::new();
    let export = env.write("WhatsApp Chat with Lettings.txt", &uk_export());
    let out = env
        .cmd()
        .args(["--json", "ingest", "--region", "us"])
        .arg(&export)
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    let region = &summary["conversations"][0]["phone_region"];
    assert_eq!(region["region"], "US", "{summary}");
    assert_eq!(region["basis"], "stated", "{summary}");
    // Only the number in international form; 07400 123456 is no US number.
    let found = phone_findings(&env);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("018"), "{found:?}");

    let env = Env::new();
    let export = env.write("WhatsApp Chat with Lettings.txt", &uk_export());
    env.cmd()
        .args(["ingest", "--region", "GB"])
        .arg(&export)
        .assert()
        .success()
        .stdout(predicate::str::contains("GB (--region)"));
    assert_eq!(phone_findings(&env).len(), 2);
}

#[test]
fn without_participant_numbers_the_directory_ranges_then_none() {
    let german = [
        "04.03.26, 08:01 - Jonas Weber: Guten Morgen, hier Jonas.",
        "04.03.26, 08:02 - Jonas Weber: Mein Büro: 030 1234567, ab 9 Uhr",
        "04.03.26, 08:03 - Daniel Kim: Danke!",
    ]
    .join("\n")
        + "\n";
    // No numbers, no directory: no region; the German landline has no phone word near it.
    let env = Env::new();
    let export = env.write("WhatsApp Chat mit Jonas Weber.txt", &german);
    env.cmd()
        .arg("ingest")
        .arg(&export)
        .assert()
        .success()
        .stdout(predicate::str::contains("none"))
        .stdout(predicate::str::contains(
            "1 conversation(s) had no phone region",
        ))
        .stdout(predicate::str::contains("--region CC"));
    assert_eq!(phone_findings(&env).len(), 0);

    // The company's phone ranges are in Germany: the directory's region applies.
    let env = Env::new();
    let export = env.write("WhatsApp Chat mit Jonas Weber.txt", &german);
    let directory = env.write(
        "directory.toml",
        "domains = [\"example.de\"]\nphone_prefixes = [\"+4930123\"]\n",
    );
    let out = env
        .cmd()
        .args(["--json", "ingest", "--directory"])
        .arg(&directory)
        .arg(&export)
        .assert()
        .success();
    let summary = json(&out.get_output().stdout);
    let region = &summary["conversations"][0]["phone_region"];
    assert_eq!(region["region"], "DE", "{summary}");
    assert_eq!(region["basis"], "directory", "{summary}");
    let found = phone_findings(&env);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("67"), "{found:?}");
}

#[test]
fn a_bad_region_is_refused_with_a_clear_error() {
    let env = Env::new();
    let export = env.write("WhatsApp Chat with Lettings.txt", &uk_export());
    for (bad, says) in [
        ("UK", "the United Kingdom's code is GB"),
        (
            "XX",
            "not a country or territory with a phone numbering plan",
        ),
        ("GBR", "not an ISO 3166 alpha-2 code"),
    ] {
        env.cmd()
            .args(["ingest", "--region", bad])
            .arg(&export)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--region"))
            .stderr(predicate::str::contains(says));
    }
    // Nothing was stored.
    assert!(!env.data().exists());
}
