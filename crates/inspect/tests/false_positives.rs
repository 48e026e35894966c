#![allow(clippy::unwrap_used, clippy::expect_used)]
//! False-positive tests for the secret detectors (and ES_NIE): near misses of
//! each format (wrong length, wrong prefix, wrong alphabet), documentation
//! placeholders, base64 blobs without context, and PEM blocks that are public
//! keys or certificates. Each group also checks a true positive of the same
//! shape, so a test cannot pass because the detector finds nothing at all.

use chatwarden_inspect::{Detection, Engine, EngineConfig, ScanContext};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(&EngineConfig::default()).unwrap())
}

fn scan(text: &str) -> Vec<Detection> {
    engine().scan(text, &ScanContext::default())
}

fn assert_found(text: &str, entity: &str, value: &str) {
    let ds = scan(text);
    assert!(
        ds.iter().any(|d| d.entity == entity && d.value == value),
        "{entity} {value:?} not found in {text:?}: {ds:?}"
    );
}

fn assert_none(entity: &str, texts: &[&str]) {
    for text in texts {
        let ds = scan(text);
        assert!(
            ds.iter().all(|d| d.entity != entity),
            "{entity} wrongly found in {text:?}: {ds:?}"
        );
    }
}

const SECRET_ENTITIES: &[&str] = &[
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "SLACK_TOKEN",
    "SLACK_WEBHOOK",
    "STRIPE_KEY",
    "GOOGLE_API_KEY",
    "OPENAI_API_KEY",
    "PRIVATE_KEY",
    "JWT",
    "GENERIC_SECRET",
    "PASSWORD",
];

fn assert_no_secret(texts: &[&str]) {
    for e in SECRET_ENTITIES {
        assert_none(e, texts);
    }
}

#[test]
fn aws_access_key_near_misses_and_documentation_keys() {
    assert_found(
        "key AKIA4QX7ZP2LJRKD3MWN ok",
        "AWS_ACCESS_KEY",
        "AKIA4QX7ZP2LJRKD3MWN",
    );
    assert_found(
        "temp ASIA4QX7ZP2LJRKD3MWN",
        "AWS_ACCESS_KEY",
        "ASIA4QX7ZP2LJRKD3MWN",
    );
    assert_none(
        "AWS_ACCESS_KEY",
        &[
            // 19 and 21 characters.
            "key AKIA4QX7ZP2LJRKD3MW ok",
            "key AKIA4QX7ZP2LJRKD3MWNQ ok",
            // Not an AWS prefix; lower case; inside a longer word.
            "key AKIB4QX7ZP2LJRKD3MWN ok",
            "key akia4qx7zp2ljrkd3mwn ok",
            "key XAKIA4QX7ZP2LJRKD3MWN ok",
            // 0, 1, 8 and 9 are not base32 digits.
            "key AKIA4QX7ZP2LJRKD3MW1 ok",
            "key AKIA4QX7ZP2LJRKD3M08 ok",
            // AWS's documentation examples and an X placeholder.
            "key AKIAIOSFODNN7EXAMPLE ok",
            "export AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE",
            "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX",
        ],
    );
}

#[test]
fn aws_secret_key_needs_context_and_rejects_placeholders_and_hashes() {
    let secret = "k9Xq2LmZ8vR4tW7pB1nC6yD3fH5jG0sQ/aE+uKoT";
    assert_found(
        &format!("aws_secret_access_key = {secret}"),
        "AWS_SECRET_KEY",
        secret,
    );
    assert_none(
        "AWS_SECRET_KEY",
        &[
            // The same value without a context word.
            secret,
            &format!("see {secret} above"),
            // 39 and 41 characters.
            "aws_secret_access_key = k9Xq2LmZ8vR4tW7pB1nC6yD3fH5jG0sQ/aE+uKo",
            "aws_secret_access_key = k9Xq2LmZ8vR4tW7pB1nC6yD3fH5jG0sQ/aE+uKoTz",
            // AWS's documentation secret.
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            // Hex digests (SHA-1): too little entropy per character.
            "secret key: da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "aws secret 9fceb02d0ae598e95dc970b74767f19372d61af8",
            // One character class only.
            "secret access key QWERTYUIOPASDFGHJKLZXCVBNMQWERTYUIOPASDF",
        ],
    );
}

#[test]
fn base64_blobs_without_context_are_not_secrets() {
    assert_no_secret(&[
        // A public key's DER body, a PDF's base64 and a 40-character base64 run.
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQAB",
        "JVBERi0xLjcKCjEgMCBvYmogICUgZW50cnkgcG9pbnQKPDwKICAvVHlwZSAvQ2F0YWxvZwo+Pgo=",
        "blob SGVsbG8gd29ybGQhIFRoaXMgaXMgYSBiYXNlNjQgYmxvYg== ok",
        "k9Xq2LmZ8vR4tW7pB1nC6yD3fH5jG0sQ/aE+uKoT",
    ]);
}

#[test]
fn github_token_near_misses_and_placeholders() {
    let token = "ghp_R8x2Kq9LmZ4vT7pW1nB6yC3dF5hJ0sQaE2uK";
    assert_found(&format!("use {token} for CI"), "GITHUB_TOKEN", token);
    assert_none(
        "GITHUB_TOKEN",
        &[
            // 35 characters after the prefix.
            "use ghp_R8x2Kq9LmZ4vT7pW1nB6yC3dF5hJ0sQaE2u for CI",
            // Unknown prefix letter, a dash instead of the underscore, a prefix
            // inside a word, the prefix alone.
            "use ghx_R8x2Kq9LmZ4vT7pW1nB6yC3dF5hJ0sQaE2uK for CI",
            "use ghp-R8x2Kq9LmZ4vT7pW1nB6yC3dF5hJ0sQaE2uK for CI",
            "use xghp_R8x2Kq9LmZ4vT7pW1nB6yC3dF5hJ0sQaE2uK for CI",
            "tokens start with ghp_ or github_pat_",
            "github_pat_short",
            // Placeholders.
            "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "GITHUB_TOKEN=github_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "GITHUB_TOKEN=github_pat_your_token_here_1234567890",
        ],
    );
}

#[test]
fn gitlab_token_near_misses_and_placeholders() {
    assert_found(
        "glpat-xY9zA8bC7dE6fG5hI4jK",
        "GITLAB_TOKEN",
        "glpat-xY9zA8bC7dE6fG5hI4jK",
    );
    assert_none(
        "GITLAB_TOKEN",
        &[
            // 19 characters after the prefix.
            "glpat-xY9zA8bC7dE6fG5hI4j",
            // Wrong prefixes.
            "glpatx-xY9zA8bC7dE6fG5hI4jK",
            "glpat_xY9zA8bC7dE6fG5hI4jK",
            "gl-xY9zA8bC7dE6fG5hI4jKxY9z",
            "see glpat- tokens in the docs",
            // Placeholders.
            "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx",
            "GITLAB_TOKEN=glpat-XXXXXXXXXXXXXXXXXXXX",
            "GITLAB_TOKEN=glpat-your_access_token_here",
            "GITLAB_TOKEN=glpat-replace-with-your-token",
        ],
    );
}

#[test]
fn slack_token_near_misses_and_placeholders() {
    assert_found(
        "bot xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
        "SLACK_TOKEN",
        "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    );
    assert_none(
        "SLACK_TOKEN",
        &[
            // Too short; unknown token type; an underscore after the type.
            "xoxb-12345678",
            "xoxz-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
            "xoxb_17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
            // Placeholders.
            "SLACK_BOT_TOKEN=xoxb-your-bot-token-here",
            "SLACK_BOT_TOKEN=xoxb-xxxxxxxxxxxx-xxxxxxxxxxxx",
            "SLACK_USER_TOKEN=xoxp-XXXXXXXXXXXX",
            "token: xoxb-replace-me",
        ],
    );
}

#[test]
fn slack_webhook_near_misses_and_placeholders() {
    let hook = "https://hooks.slack.com/services/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";
    assert_found(&format!("post to {hook}"), "SLACK_WEBHOOK", hook);
    let misses = [
        // Path too short; not a webhook path; plain http; a look-alike host.
        "https://hooks.slack.com/services/short",
        "https://hooks.slack.com/apps/T024BE7LD/B01H2KQ3M4N/q8ZrT2mXv9LpK4sW7nB1cY6d",
        "http://hooks.slack.com/services/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",
        "https://hooks.slack.com.evil.example/services/T024BE7LD/B01H2KQ3M4N/q8ZrT2mXv9LpK4sW7nB1cY6d",
        // Slack's documentation placeholder, and an all-X one.
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX",
    ];
    assert_none("SLACK_WEBHOOK", &misses);
    // They are still URLs.
    for text in misses {
        assert!(scan(text).iter().any(|d| d.entity == "URL"), "{text}");
    }
}

#[test]
fn stripe_key_near_misses_and_placeholders() {
    assert_found(
        "STRIPE_SECRET=sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "STRIPE_KEY",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    );
    assert_found(
        "restricted rk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "STRIPE_KEY",
        "rk_test_4eC39HqLyjWDarjtT1zdp7dc",
    );
    assert_none(
        "STRIPE_KEY",
        &[
            // Publishable keys are meant to be public.
            "pk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "pk_test_TYooMQauvdEDq54NiTphI7jx",
            // Unknown mode, too short, elided.
            "sk_demo_4eC39HqLyjWDarjtT1zdp7dc",
            "sk_live_short",
            "sk_live_... (from the dashboard)",
            // Placeholders.
            "STRIPE_SECRET=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "STRIPE_SECRET=sk_test_XXXXXXXXXXXXXXXXXXXXXXXX",
        ],
    );
}

#[test]
fn google_api_key_near_misses_and_placeholders() {
    let key = "AIzaSyA1234567890abcdefghijklmnopqrstuv";
    assert_found(&format!("key={key}"), "GOOGLE_API_KEY", key);
    // Punctuation after the key ends it.
    assert_found(&format!("the key is {key}."), "GOOGLE_API_KEY", key);
    assert_found(&format!("\"key\": \"{key}\""), "GOOGLE_API_KEY", key);
    assert_none(
        "GOOGLE_API_KEY",
        &[
            // 38 and 40 characters: a Google API key has exactly 39.
            "key=AIzaSyA1234567890abcdefghijklmnopqrstu",
            "key=AIzaSyA1234567890abcdefghijklmnopqrstuvw",
            // Wrong prefix (case matters).
            "key=AIzbSyA1234567890abcdefghijklmnopqrstuv",
            "key=aizaSyA1234567890abcdefghijklmnopqrstuv",
            // Placeholders.
            "key=AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "key=AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        ],
    );
}

#[test]
fn pem_public_keys_and_certificates_are_not_private_keys() {
    let private = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oJ7oV6bQu9zUoAoGCCqGSM49\n-----END EC PRIVATE KEY-----";
    assert_found(private, "PRIVATE_KEY", private);
    assert_none(
        "PRIVATE_KEY",
        &[
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n-----END PUBLIC KEY-----",
            "-----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\nRTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE REQUEST-----\nMIICvDCCAaQCAQAwdzELMAkGA1UEBhMCVVMxDTALBgNVBAgMBFV0YWgxDzANBgNV\n-----END CERTIFICATE REQUEST-----",
            "-----BEGIN OPENSSH PUBLIC KEY-----\nAAAAB3NzaC1yc2EAAAADAQABAAABAQC7\n-----END OPENSSH PUBLIC KEY-----",
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBFzsq2MBEAC\n-----END PGP PUBLIC KEY BLOCK-----",
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7u1SU1LfVLPHCozMxH2Mo daniel@laptop",
            // Not a PEM header: four dashes, no dashes, no "KEY".
            "----BEGIN RSA PRIVATE KEY----",
            "grep for BEGIN RSA PRIVATE KEY in the repo",
            "-----BEGIN RSA PRIVATE-----",
            // A private key's body without its header.
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvuNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s",
        ],
    );
    // A certificate chain pasted with its key: only the key block is reported.
    let cert = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----";
    let ds = scan(&format!("{cert}\n{private}"));
    let keys: Vec<&str> = ds
        .iter()
        .filter(|d| d.entity == "PRIVATE_KEY")
        .map(|d| d.value.as_str())
        .collect();
    assert_eq!(keys, [private], "{ds:?}");
}

#[test]
fn es_nie_near_misses() {
    assert_found("NIE X1234567L", "ES_NIE", "X1234567L");
    assert_found("NIE: Z1234567R", "ES_NIE", "Z1234567R");
    assert_none(
        "ES_NIE",
        &[
            // Wrong check letter (mod 23 gives L).
            "NIE X1234567A",
            "NIE Y1234567L",
            // Not X, Y or Z in front; lower case.
            "NIE W1234567L",
            "NIE x1234567l",
            // 8 digits, 6 digits, no letter at the end.
            "NIE X12345678L",
            "NIE X123456L",
            "NIE X1234567",
            // Inside a longer token.
            "ref AX1234567L",
            "ref X1234567L9",
        ],
    );
}
