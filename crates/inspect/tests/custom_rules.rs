#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Custom rules: dictionaries, regexes with validators and context, exact data
//! match on keyed hashes, gitleaks import. True and false positives for each.

use chatwarden_inspect::custom::{build_exact_hashes, normalize_token};
use chatwarden_inspect::{CustomRules, Detection, Engine, EngineConfig, ScanContext};

fn engine(rules: CustomRules) -> Engine {
    Engine::new(&EngineConfig {
        custom_rules: Some(rules),
        ..EngineConfig::default()
    })
    .unwrap()
}

fn found<'a>(ds: &'a [Detection], entity: &str) -> Vec<&'a str> {
    ds.iter()
        .filter(|d| d.entity == entity)
        .map(|d| d.value.as_str())
        .collect()
}

fn scan(e: &Engine, text: &str) -> Vec<Detection> {
    e.scan(text, &ScanContext::default())
}

// ---------------------------------------------------------------- dictionaries

const DICT: &str = r#"
[[dictionary]]
entity = "PROJECT_CODENAME"
words = ["Falcon", "Blue Heron", "猎鹰计划", "Müller-Werk"]
score = 0.8
"#;

#[test]
fn dictionary_words_are_found_case_insensitively_as_whole_words() {
    let e = engine(CustomRules::from_toml(DICT).unwrap());
    let ds = scan(
        &e,
        "The FALCON numbers are in, and blue heron slipped a week.",
    );
    assert_eq!(found(&ds, "PROJECT_CODENAME"), ["FALCON", "blue heron"]);
    let d = ds.iter().find(|d| d.value == "FALCON").unwrap();
    assert_eq!((d.start, d.end), (4, 10));
    assert_eq!(d.detector, "dictionary:project_codename");
    assert!((d.score - 0.8).abs() < 1e-6);
}

#[test]
fn dictionary_words_inside_other_words_are_not_found() {
    let e = engine(CustomRules::from_toml(DICT).unwrap());
    for text in [
        "falconry is a hobby",
        "peregrinefalcon",
        "Falcon9 launched",
        "blue herons nest here",
    ] {
        assert!(
            found(&scan(&e, text), "PROJECT_CODENAME").is_empty(),
            "{text}"
        );
    }
}

#[test]
fn dictionary_handles_cjk_and_non_ascii_case() {
    let e = engine(CustomRules::from_toml(DICT).unwrap());
    // CJK is written without spaces: neighbouring ideographs do not block.
    let text = "关于猎鹰计划的文件";
    let ds = scan(&e, text);
    assert_eq!(found(&ds, "PROJECT_CODENAME"), ["猎鹰计划"]);
    let d = &ds[0];
    assert_eq!((d.start, d.end), (2, 6), "span in characters");
    // Non-ASCII upper case folds too, and the span maps back to the original.
    let ds = scan(&e, "Ärger im MÜLLER-WERK heute");
    assert_eq!(found(&ds, "PROJECT_CODENAME"), ["MÜLLER-WERK"]);
    // A Latin letter glued to a Latin word still blocks, in non-ASCII text too.
    assert!(found(&scan(&e, "Überfalcon"), "PROJECT_CODENAME").is_empty());
}

#[test]
fn dictionary_words_can_come_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("drugs.txt"),
        "# trial compounds\nZX-4471\n\nOrvantis\n",
    )
    .unwrap();
    let rules = CustomRules::from_toml_in(
        "[[dictionary]]\nentity = \"TRIAL_COMPOUND\"\nfile = \"drugs.txt\"\n",
        dir.path(),
    )
    .unwrap();
    let e = engine(rules);
    let ds = scan(&e, "results for zx-4471 and ORVANTIS look good");
    assert_eq!(found(&ds, "TRIAL_COMPOUND"), ["zx-4471", "ORVANTIS"]);
    assert!(found(&scan(&e, "trial compounds"), "TRIAL_COMPOUND").is_empty());
}

// ---------------------------------------------------------------- regexes

const EMP: &str = r#"
[[regex]]
entity = "EMPLOYEE_ID"
pattern = '\bEMP-(\d{7})\b'
group = 1
validator = "luhn"
context = ["employee", "staff"]
score = 0.6
min_score_without_context = 0.7
"#;

// 1234567 + Luhn check digit: 12345674 is Luhn-valid.
#[test]
fn regex_rule_with_validator_and_required_context() {
    assert!(chatwarden_inspect_luhn_ok("12345674"));
    let e = engine(CustomRules::from_toml(EMP).unwrap());
    let pattern_only = "EMP-1234567";
    // Value is 7 digits; pick a Luhn-valid one.
    let valid = "EMP-1234566";
    let _ = pattern_only;
    let ds = scan(&e, &format!("new employee record {valid} created"));
    let got = found(&ds, "EMPLOYEE_ID");
    assert_eq!(got, ["1234566"], "{ds:?}");
    let d = ds.iter().find(|d| d.entity == "EMPLOYEE_ID").unwrap();
    assert!(
        (d.score - 0.95).abs() < 1e-3,
        "0.6 + context boost: {}",
        d.score
    );
    // No context word: 0.6 < min_score_without_context 0.7 → dropped.
    assert!(found(&scan(&e, &format!("ref {valid} attached")), "EMPLOYEE_ID").is_empty());
    // Context in an earlier message of the conversation counts.
    let prev = ["staff number?"];
    let ds = e.scan(
        valid,
        &ScanContext {
            previous: &prev,
            ..ScanContext::default()
        },
    );
    assert_eq!(found(&ds, "EMPLOYEE_ID"), ["1234566"]);
    // Failing checksum, wrong length: not found even with context.
    for t in [
        "employee EMP-1234567",
        "employee EMP-12345660",
        "employee EMP-123456",
    ] {
        assert!(found(&scan(&e, t), "EMPLOYEE_ID").is_empty(), "{t}");
    }
}

fn chatwarden_inspect_luhn_ok(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10).unwrap();
        sum += if i % 2 == 1 {
            (d * 2) % 9 + if d == 9 { 9 } else { 0 }
        } else {
            d
        };
    }
    sum % 10 == 0
}

#[test]
fn regex_rule_without_context_needs() {
    let rules = CustomRules::from_toml(
        "[[regex]]\nentity = \"TICKET\"\npattern = '\\bTCK-[A-Z]{3}\\b'\nscore = 0.9\n",
    )
    .unwrap();
    let e = engine(rules);
    // Letters only, no digits: custom regexes run even where built-in
    // patterns are skipped by the digit prefilter.
    assert_eq!(
        found(&scan(&e, "see TCK-ABC please"), "TICKET"),
        ["TCK-ABC"]
    );
    assert!(found(&scan(&e, "see TCK-ABCD please"), "TICKET").is_empty());
    assert!(found(&scan(&e, "xTCK-ABC"), "TICKET").is_empty());
}

#[test]
fn every_named_validator_is_accepted() {
    for v in chatwarden_inspect::custom::VALIDATORS {
        let src = format!("[[regex]]\nentity = \"X\"\npattern = '\\d+'\nvalidator = \"{v}\"\n");
        CustomRules::from_toml(&src).unwrap();
    }
}

#[test]
fn iban_validator_in_a_custom_rule() {
    let rules = CustomRules::from_toml(
        "[[regex]]\nentity = \"SUPPLIER_IBAN\"\npattern = '\\bDE\\d{20}\\b'\nvalidator = \"iban\"\nscore = 0.9\n",
    )
    .unwrap();
    let e = engine(rules);
    let ds = scan(&e, "pay DE89370400440532013000 today");
    assert_eq!(found(&ds, "SUPPLIER_IBAN"), ["DE89370400440532013000"]);
    assert!(
        found(
            &scan(&e, "pay DE89370400440532013001 today"),
            "SUPPLIER_IBAN"
        )
        .is_empty()
    );
}

// ---------------------------------------------------------------- errors

fn err(src: &str) -> String {
    CustomRules::from_toml(src).unwrap_err().to_string()
}

#[test]
fn rule_file_errors_name_the_line() {
    let e = err("[[dictionary]]\nentity = \"A\"\nwords = [\"x\"]\ncolour = \"red\"\n");
    assert!(e.contains("line 4") && e.contains("colour"), "{e}");
    let e = err("\n[[regex]]\nentity = \"A\"\npattern = 'x'\nvalidator = \"crc32\"\n");
    assert!(
        e.contains("line 5") && e.contains("crc32") && e.contains("luhn"),
        "{e}"
    );
    let e = err("[[regex]]\nentity = \"A\"\npattern = '(unclosed'\n");
    assert!(
        e.contains("line 3") && e.contains("does not compile"),
        "{e}"
    );
    let e = err("[[dictionary]]\nentity = \"lower case\"\nwords = [\"x\"]\n");
    assert!(
        e.contains("line 2") && e.contains("UPPER_SNAKE_CASE"),
        "{e}"
    );
    let e = err("[[dictionary]]\nentity = \"A\"\nwords = [\"x\"]\nscore = 1.5\n");
    assert!(e.contains("line 4") && e.contains("between 0 and 1"), "{e}");
    let e = err("[[dictionary]]\nentity = \"A\"\nfile = \"/nonexistent/words.txt\"\n");
    assert!(e.contains("line 3"), "{e}");
    let e = err("[[dictionary]]\nentity = \"A\"\nwords = []\n");
    assert!(e.contains("no words"), "{e}");
    let e = err("[[regex]\n");
    assert!(e.contains("line 1"), "{e}");
}

// ---------------------------------------------------------------- exact match

const KEY: [u8; 32] = [7u8; 32];
const CUSTOMERS: &str = "customer_id,name,card\n\
C-10021,Ana Souza,4111 1111 1111 1111\n\
C-10022,Peter Hall,2221 0000 0000 0009\n\
,Nobody,\n";

fn exact_rules(column: &str, key: &[u8; 32]) -> (tempfile::TempDir, CustomRules) {
    let dir = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    let stats = build_exact_hashes(CUSTOMERS.as_bytes(), column, key, &mut out).unwrap();
    assert_eq!(stats.rows, 3);
    assert_eq!(stats.hashes, 2);
    assert_eq!(stats.empty, 1);
    std::fs::write(dir.path().join("h.txt"), &out).unwrap();
    let rules = CustomRules::from_toml_in(
        "[[exact]]\nentity = \"CUSTOMER_ID\"\nhashes = \"h.txt\"\n",
        dir.path(),
    )
    .unwrap();
    (dir, rules)
}

#[test]
fn exact_match_finds_listed_ids_only() {
    let (_d, mut rules) = exact_rules("customer_id", &KEY);
    rules.set_exact_key(KEY);
    let e = engine(rules);
    let ds = scan(
        &e,
        "Refund for customer c-10021, not C-10023 (ticket C10022).",
    );
    assert_eq!(found(&ds, "CUSTOMER_ID"), ["c-10021", "C10022"]);
    assert!(found(&scan(&e, "C-100211 and XC-10021"), "CUSTOMER_ID").is_empty());
}

#[test]
fn exact_match_spans_several_words() {
    let (_d, mut rules) = exact_rules("card", &KEY);
    rules.set_exact_key(KEY);
    let e = engine(rules);
    let ds = scan(&e, "card on file: 2221 0000 0000 0009, thanks");
    assert_eq!(found(&ds, "CUSTOMER_ID"), ["2221 0000 0000 0009"]);
}

#[test]
fn hash_file_holds_no_plaintext_and_needs_the_same_key() {
    let mut out = Vec::new();
    build_exact_hashes(CUSTOMERS.as_bytes(), "customer_id", &KEY, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("10021") && !text.to_lowercase().contains("c10021"));
    assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 2);
    assert!(normalize_token("C-10021") == "c10021");

    let (_d, rules) = exact_rules("customer_id", &KEY);
    // No key set: refused.
    let r = Engine::new(&EngineConfig {
        custom_rules: Some(rules.clone()),
        ..EngineConfig::default()
    });
    assert!(r.is_err());
    // Another key: refused by the key check.
    let mut wrong = rules;
    wrong.set_exact_key([8u8; 32]);
    let r = Engine::new(&EngineConfig {
        custom_rules: Some(wrong),
        ..EngineConfig::default()
    });
    let msg = r.err().unwrap().to_string();
    assert!(msg.contains("another key"), "{msg}");
}

#[test]
fn build_exact_hashes_reports_a_missing_column() {
    let e = build_exact_hashes(CUSTOMERS.as_bytes(), "iban", &KEY, Vec::new()).unwrap_err();
    assert!(e.to_string().contains("iban"));
}

// ---------------------------------------------------------------- gitleaks

const GITLEAKS: &str = r#"
title = "test config"

[allowlist]
stopwords = ["example"]

[[rules]]
id = "acme-api-token"
description = "ACME API token"
regex = '''\b(acme_[a-z0-9]{24})\b'''
keywords = ["acme_"]

[[rules]]
id = "generic-api-key"
description = "Generic API key"
regex = '''(?i)(?:api[_-]?key|token)\s*[:=]\s*['"]?([a-z0-9]{20,40})['"]?'''
secretGroup = 1
entropy = 3.5
keywords = ["api_key", "apikey", "api-key", "token"]
[rules.allowlist]
regexes = ['''^1234''']

[[rules]]
id = "lookahead-rule"
regex = '''secret(?=[0-9])'''

[[rules]]
id = "pem-files"
path = '''\.pem$'''
"#;

#[test]
fn gitleaks_rules_import_and_match() {
    let (rules, problems) = CustomRules::from_gitleaks_toml(GITLEAKS).unwrap();
    assert_eq!(rules.counts(), (0, 2, 0));
    let ids: Vec<&str> = problems.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["lookahead-rule", "pem-files"]);
    assert_eq!(problems[0].line, 23, "{problems:?}");
    assert!(problems[0].reason.contains("does not compile"));
    let e = engine(rules);

    let ds = scan(&e, "use acme_k3j9x0q2m5n8p1r4t7v6w2y9 for staging");
    assert_eq!(
        found(&ds, "ACME_API_TOKEN"),
        ["acme_k3j9x0q2m5n8p1r4t7v6w2y9"]
    );
    assert_eq!(ds[0].detector, "gitleaks:acme-api-token");

    let ds = scan(&e, "api_key = 'Zq8rT2mXv9LpK4sW7nB1cY6d'");
    assert_eq!(found(&ds, "GENERIC_API_KEY"), ["Zq8rT2mXv9LpK4sW7nB1cY6d"]);
}

#[test]
fn gitleaks_false_positives_are_filtered() {
    let (rules, _) = CustomRules::from_gitleaks_toml(GITLEAKS).unwrap();
    let e = engine(rules);
    for text in [
        // Low entropy.
        "api_key = aaaaaaaaaaaaaaaaaaaaaaaa",
        // Rule allowlist regex.
        "api_key = 1234Zq8rT2mXv9LpK4sW7nB",
        // Global stopword.
        "token: exampleZq8rT2mXv9LpK4sW7",
        // Too short for the token rule.
        "acme_abc",
    ] {
        let ds = scan(&e, text);
        assert!(
            found(&ds, "GENERIC_API_KEY").is_empty() && found(&ds, "ACME_API_TOKEN").is_empty(),
            "{text}: {ds:?}"
        );
    }
}

#[test]
fn gitleaks_syntax_errors_are_errors() {
    assert!(CustomRules::from_gitleaks_toml("[[rules]\n").is_err());
}

#[test]
fn rule_sets_merge() {
    let mut rules = CustomRules::from_toml(DICT).unwrap();
    let (g, _) = CustomRules::from_gitleaks_toml(GITLEAKS).unwrap();
    rules.merge(g);
    assert_eq!(rules.counts(), (1, 2, 0));
    let e = engine(rules);
    let ds = scan(&e, "Falcon key acme_k3j9x0q2m5n8p1r4t7v6w2y9");
    assert_eq!(found(&ds, "PROJECT_CODENAME"), ["Falcon"]);
    assert_eq!(found(&ds, "ACME_API_TOKEN").len(), 1);
}

#[test]
fn shipped_example_rules_load() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rules.toml");
    let rules = CustomRules::from_toml_file(&path).unwrap();
    assert_eq!(rules.counts(), (1, 1, 0));
    let e = engine(rules);
    let ds = scan(
        &e,
        "Status of Project Falcon: staff file EMP-1234566 updated",
    );
    assert_eq!(found(&ds, "PROJECT_CODENAME"), ["Project Falcon"]);
    assert_eq!(found(&ds, "EMPLOYEE_ID"), ["1234566"]);
}

// ---------------------------------------------------------------- thresholds

#[test]
fn thresholds_table_raises_and_lowers_entity_thresholds() {
    let e = engine(
        CustomRules::from_toml(
            "[[dictionary]]\nentity = \"PROJECT_CODENAME\"\nwords = [\"Falcon\"]\n\n\
             [thresholds]\nIP_ADDRESS = 0.9\nPROJECT_CODENAME = 0.85\nCREDIT_CARD = 0.4\n",
        )
        .unwrap(),
    );
    let plain = engine(CustomRules::from_toml(DICT).unwrap());
    // Raised: an IP address (0.6) and the dictionary word (0.8) drop out.
    assert_eq!(
        found(&scan(&plain, "host 10.1.2.3"), "IP_ADDRESS"),
        ["10.1.2.3"]
    );
    assert!(found(&scan(&e, "host 10.1.2.3"), "IP_ADDRESS").is_empty());
    assert_eq!(
        found(&scan(&plain, "Falcon"), "PROJECT_CODENAME"),
        ["Falcon"]
    );
    assert!(found(&scan(&e, "Falcon"), "PROJECT_CODENAME").is_empty());
    // Lowered: a 12-digit card number without a card word (0.45) now shows.
    assert!(found(&scan(&plain, "it is 6759 6498 2648"), "CREDIT_CARD").is_empty());
    assert_eq!(
        found(&scan(&e, "it is 6759 6498 2648"), "CREDIT_CARD"),
        ["6759 6498 2648"]
    );
    // Entities not named keep the default.
    assert_eq!(
        found(&scan(&e, "mail jane@example.com"), "EMAIL_ADDRESS"),
        ["jane@example.com"]
    );
}

#[test]
fn thresholds_accept_integers_and_the_bounds() {
    let rules = CustomRules::from_toml("[thresholds]\nIP_ADDRESS = 1\nURL = 0\n").unwrap();
    assert_eq!(rules.thresholds(), [("IP_ADDRESS", 1.0), ("URL", 0.0)]);
    let e = engine(rules);
    assert!(found(&scan(&e, "host 10.1.2.3"), "IP_ADDRESS").is_empty());
}

#[test]
fn threshold_errors_name_the_entity_the_value_and_the_line() {
    let e = err("[thresholds]\nIP_ADDRESS = 0.9\nCREDIT_CARD = 1.5\n");
    assert!(
        e.contains("line 3") && e.contains("CREDIT_CARD = 1.5") && e.contains("between 0 and 1"),
        "{e}"
    );
    let e = err("[thresholds]\nCREDIT_CARD = -0.2\n");
    assert!(e.contains("line 2") && e.contains("-0.2"), "{e}");
    let e = err("[thresholds]\nCREDIT_CARD = nan\n");
    assert!(e.contains("line 2") && e.contains("out of range"), "{e}");
    let e = err("[thresholds]\ncredit_card = 0.5\n");
    assert!(
        e.contains("line 2") && e.contains("credit_card") && e.contains("UPPER_SNAKE_CASE"),
        "{e}"
    );
    let e = err("[thresholds]\nCREDIT_CARD = \"high\"\n");
    assert!(e.contains("line 2"), "{e}");
    let e = err("[threshold]\nCREDIT_CARD = 0.5\n");
    assert!(e.contains("threshold"), "{e}");

    // An entity neither built in nor defined by the rules: named when the engine is built.
    let rules = CustomRules::from_toml("\n[thresholds]\nCREDIT_CARDS = 0.9\n").unwrap();
    let e = Engine::new(&EngineConfig {
        custom_rules: Some(rules),
        ..EngineConfig::default()
    })
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("line 3")
            && e.contains("unknown entity \"CREDIT_CARDS\"")
            && e.contains("CREDIT_CARD,"),
        "{e}"
    );
}

#[test]
fn threshold_errors_from_a_file_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strict.toml");
    std::fs::write(&path, "[thresholds]\nNOT_AN_ENTITY = 0.9\n").unwrap();
    let rules = CustomRules::from_toml_file(&path).unwrap();
    let e = Engine::new(&EngineConfig {
        custom_rules: Some(rules),
        ..EngineConfig::default()
    })
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("strict.toml: line 2") && e.contains("NOT_AN_ENTITY"),
        "{e}"
    );
}

#[test]
fn thresholds_apply_to_entities_of_merged_rules_and_the_library_setting_wins() {
    // A threshold for an entity a gitleaks import defines (its rules score 0.8).
    let mut rules = CustomRules::from_toml("[thresholds]\nACME_API_TOKEN = 0.9\n").unwrap();
    let (g, _) = CustomRules::from_gitleaks_toml(GITLEAKS).unwrap();
    rules.merge(g);
    let text = "use acme_k3j9x0q2m5n8p1r4t7v6w2y9 for staging";
    assert!(found(&scan(&engine(rules.clone()), text), "ACME_API_TOKEN").is_empty());

    // A later rules set overrides an earlier one.
    let mut later = rules.clone();
    later.merge(CustomRules::from_toml("[thresholds]\nACME_API_TOKEN = 0.5\n").unwrap());
    assert_eq!(
        found(&scan(&engine(later), text), "ACME_API_TOKEN").len(),
        1
    );

    // EngineConfig::thresholds wins over the rules file.
    let mut cfg = EngineConfig {
        custom_rules: Some(rules),
        ..EngineConfig::default()
    };
    cfg.thresholds.insert("ACME_API_TOKEN".into(), 0.7);
    let e = Engine::new(&cfg).unwrap();
    assert_eq!(found(&scan(&e, text), "ACME_API_TOKEN").len(), 1);
}

#[test]
fn library_thresholds_are_checked_too() {
    let bad = |entity: &str, value: f32| {
        let mut cfg = EngineConfig::default();
        cfg.thresholds.insert(entity.into(), value);
        Engine::new(&cfg).err().unwrap().to_string()
    };
    let e = bad("IP_ADRESS", 0.9);
    assert!(e.contains("unknown entity \"IP_ADRESS\""), "{e}");
    let e = bad("IP_ADDRESS", 2.0);
    assert!(
        e.contains("IP_ADDRESS") && e.contains("between 0 and 1"),
        "{e}"
    );
    let e = Engine::new(&EngineConfig {
        default_threshold: Some(-1.0),
        ..EngineConfig::default()
    })
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("default threshold"), "{e}");
}
