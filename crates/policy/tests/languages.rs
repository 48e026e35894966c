//! Lexicon `languages` inside policy evaluation: a lexicon that names languages runs on a
//! message unless the message is confidently in another language; an unknown language code
//! is a line-numbered error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chatwarden_policy::{Policy, PolicyError, evaluate};
use common::{conversation, directory, message, participant};

/// "Gift" is a present in English and poison in German: one lexicon per language.
const POLICY: &str = r#"
version = 1

[[lexicon]]
name = "gifts-en"
entity = "GIFT_EN"
languages = ["en"]
terms = ["gift", "gift card"]

[[lexicon]]
name = "gifts-de"
entity = "GIFT_DE"
languages = ["de-DE"]
terms = ["gift"]

[[lexicon]]
name = "gifts-any"
entity = "GIFT_ANY"
terms = ["gift"]

[[rule]]
id = "gifts-en"
severity = "low"
entities = ["GIFT_EN"]
actions = ["alert"]

[[rule]]
id = "gifts-de"
severity = "low"
entities = ["GIFT_DE"]
actions = ["alert"]

[[rule]]
id = "gifts-any"
severity = "low"
entities = ["GIFT_ANY"]
actions = ["alert"]
"#;

fn rules_hit(text: &str) -> Vec<String> {
    let policy = Policy::from_toml(POLICY, "gifts.toml").unwrap();
    let dir = directory();
    let conv = conversation("e100", "Alex Kim", &[participant("Mei", None, false)]);
    let m = message(&conv, 0, "Mei", 4, 10, 0, text);
    let mut rules: Vec<String> = evaluate(&policy, &dir, &conv, &m, &[])
        .into_iter()
        .map(|h| h.rule)
        .collect();
    rules.sort();
    rules
}

#[test]
fn a_lexicon_runs_only_where_the_language_may_be_its_own() {
    // Confidently English: the English and the language-free lexicons.
    assert_eq!(
        rules_hit(
            "I will send you a gift card as a thank you for the referral, \
             the whole team really appreciated the introduction."
        ),
        ["gifts-any", "gifts-en"]
    );
    // Confidently German: the German and the language-free lexicons.
    assert_eq!(
        rules_hit(
            "Das ist reines Gift für unsere Rendite, das sage ich dir ganz ehrlich und offen."
        ),
        ["gifts-any", "gifts-de"]
    );
    // Too short to know: every lexicon runs (surveillance over-alerts rather than miss).
    assert_eq!(rules_hit("gift?"), ["gifts-any", "gifts-de", "gifts-en"]);
    // No hit, no detection needed.
    assert!(rules_hit("nothing to see here").is_empty());
}

#[test]
fn an_unknown_language_is_a_line_numbered_error() {
    let src = "version = 1\n\n[[lexicon]]\nname = \"x\"\nentity = \"X\"\nlanguages = [\"en\", \"english\"]\nterms = [\"a\"]\n";
    let err = Policy::from_toml(src, "bad.toml").unwrap_err();
    let PolicyError::Policy { line, message, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(*line, 6, "{err}");
    assert!(message.contains("unknown language \"english\""), "{err}");
    assert!(message.contains("en, eo, es"), "{err}");
    // ISO 639-3 codes and BCP 47 tags are accepted.
    let ok = src.replace("\"english\"", "\"deu\", \"pt-BR\"");
    assert!(Policy::from_toml(&ok, "ok.toml").is_ok());
}
