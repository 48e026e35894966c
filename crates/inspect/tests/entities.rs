#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Per-entity true- and false-positive tests on synthetic chat lines.

use chatwarden_inspect::{Detection, Engine, EngineConfig, NO_REGION, ScanContext};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(&EngineConfig::default()).unwrap())
}

fn scan(text: &str) -> Vec<Detection> {
    engine().scan(text, &ScanContext::default())
}

fn scan_region(text: &str, region: &str) -> Vec<Detection> {
    engine().scan(
        text,
        &ScanContext {
            region: Some(region),
            ..ScanContext::default()
        },
    )
}

/// Asserts `entity` is found with exactly `value`, and the span matches the value
/// in Unicode scalar values.
fn assert_found(text: &str, entity: &str, value: &str) {
    let ds = scan(text);
    let d = ds
        .iter()
        .find(|d| d.entity == entity)
        .unwrap_or_else(|| panic!("{entity} not found in {text:?}: {ds:?}"));
    assert_eq!(d.value, value, "{text:?}");
    let chars: String = text.chars().skip(d.start).take(d.end - d.start).collect();
    assert_eq!(chars, value, "span of {entity} in {text:?}");
}

fn assert_not_found(text: &str, entity: &str) {
    let ds = scan(text);
    assert!(
        ds.iter().all(|d| d.entity != entity),
        "{entity} wrongly found in {text:?}: {ds:?}"
    );
}

#[test]
fn email() {
    assert_found(
        "mail me at jane.roe+work@example.co.uk.",
        "EMAIL_ADDRESS",
        "jane.roe+work@example.co.uk",
    );
    assert_not_found("meet @ 5pm at the office", "EMAIL_ADDRESS");
    assert_not_found("user@localhost is not routable", "EMAIL_ADDRESS");
}

#[test]
fn phone() {
    assert_found(
        "call me at +1 415-555-2671 tonight",
        "PHONE_NUMBER",
        "+1 415-555-2671",
    );
    assert_found("my number (415) 555-2671", "PHONE_NUMBER", "(415) 555-2671");
    assert_found(
        "Handy: +49 151 23456789",
        "PHONE_NUMBER",
        "+49 151 23456789",
    );
    let ds = scan_region("ruf mich an: 0151 23456789", "DE");
    assert!(
        ds.iter()
            .any(|d| d.entity == "PHONE_NUMBER" && d.value == "0151 23456789"),
        "{ds:?}"
    );
    assert_not_found("the meeting is on 2024-03-15 at 10:30", "PHONE_NUMBER");
    assert_not_found("see you 15.03.2024", "PHONE_NUMBER");
    assert_not_found("it costs $1,299.00 or 3.14159265", "PHONE_NUMBER");
    assert_not_found("order 1111111111 shipped", "PHONE_NUMBER");
    // A 10-digit number beside another identifier's name is that identifier with a
    // wrong check digit, not a phone number.
    assert_not_found("status of NHS no. 527 759 3218 pls", "PHONE_NUMBER");
    assert_not_found("where is NPI 2839764136?", "PHONE_NUMBER");
    assert_found(
        "Dr Patel (NPI on file) can be reached on +1 212-555-0134",
        "PHONE_NUMBER",
        "+1 212-555-0134",
    );
}

#[test]
fn phone_extensions_trunk_and_other_countries() {
    // Extensions belong to the number.
    assert_found(
        "Desk: 650-752-7354x549 ask for Li",
        "PHONE_NUMBER",
        "650-752-7354x549",
    );
    assert_found(
        "call 415-555-2671 ext. 12 after 5",
        "PHONE_NUMBER",
        "415-555-2671 ext. 12",
    );
    // "(0)" trunk prefix in an international number.
    assert_found(
        "Desk: +41 (0)27 240 04 99",
        "PHONE_NUMBER",
        "+41 (0)27 240 04 99",
    );
    // Another country's national format next to a phone word (NL mobile, UK mobile).
    assert_found(
        "can you call me on 06-82237745?",
        "PHONE_NUMBER",
        "06-82237745",
    );
    assert_found("Mobile: 07700 900123", "PHONE_NUMBER", "07700 900123");
    // …but not without one: a foreign-looking number alone stays unreported.
    assert_not_found("ref 06-82237745 closed", "PHONE_NUMBER");
    // A window that starts inside a longer number is not a number of its own.
    assert_not_found("where is 9400 0181 5908 3016 6131 86", "PHONE_NUMBER");
    // Timestamps and IPv4 addresses are not phone numbers.
    assert_not_found("On 2016-12-30 14:05:01.412607 we met", "PHONE_NUMBER");
    let ds = scan("blocked from |60.247.78.241| again");
    assert!(
        ds.iter()
            .any(|d| d.entity == "IP_ADDRESS" && d.value == "60.247.78.241"),
        "{ds:?}"
    );
    assert!(ds.iter().all(|d| d.entity != "PHONE_NUMBER"), "{ds:?}");
}

#[test]
fn phone_default_region_stated_inferred_or_none() {
    let has = |ds: &[Detection], value: &str| {
        ds.iter()
            .any(|d| d.entity == "PHONE_NUMBER" && d.value == value)
    };
    // A UK mobile in national format, no phone word: found when the region is GB.
    let text = "sure, it's 07400 123456 after six";
    assert!(has(&scan_region(text, "GB"), "07400 123456"));
    assert!(!has(&scan_region(text, "US"), "07400 123456"));
    assert!(!has(&scan(text), "07400 123456"), "engine default is US");
    // No region: national numbers need a phone word (the US is tried then too) …
    assert!(!has(&scan_region(text, NO_REGION), "07400 123456"));
    assert!(has(
        &scan_region("call me on 07400 123456", NO_REGION),
        "07400 123456"
    ));
    assert!(!has(
        &scan_region("see (415) 555-2671 there", NO_REGION),
        "(415) 555-2671"
    ));
    assert!(has(
        &scan_region("my cell (415) 555-2671", NO_REGION),
        "(415) 555-2671"
    ));
    // … and numbers in international form are found whatever the region.
    assert!(has(
        &scan_region("it's +44 7400 123456", NO_REGION),
        "+44 7400 123456"
    ));
    // A German landline in a German chat.
    assert!(has(
        &scan_region("Büro 030 1234567, ab 9 Uhr", "DE"),
        "030 1234567"
    ));
    // An engine built without a default region behaves the same.
    let none = Engine::new(&EngineConfig {
        default_region: Some(NO_REGION.to_string()),
        ..EngineConfig::default()
    })
    .unwrap();
    let ds = none.scan(text, &ScanContext::default());
    assert!(!has(&ds, "07400 123456"), "{ds:?}");
    assert!(
        Engine::new(&EngineConfig {
            default_region: Some("XX".to_string()),
            ..EngineConfig::default()
        })
        .is_err()
    );
}

#[test]
fn url_and_ip() {
    assert_found(
        "docs at https://example.com/a/b?x=1.",
        "URL",
        "https://example.com/a/b?x=1",
    );
    assert_found("see www.example.org for more", "URL", "www.example.org");
    assert_found(
        "go to example.com/pricing today",
        "URL",
        "example.com/pricing",
    );
    assert_not_found("the file is report.pdf", "URL");
    assert_found(
        "server at 192.168.10.20 is down",
        "IP_ADDRESS",
        "192.168.10.20",
    );
    assert_found(
        "v6 host 2001:db8::8a2e:370:7334 up",
        "IP_ADDRESS",
        "2001:db8::8a2e:370:7334",
    );
    assert_not_found("upgrade to version 1.2.3.4 now", "IP_ADDRESS");
    assert_not_found("scores 300.1.2.999", "IP_ADDRESS");
    assert_not_found("meet at 10:30:00", "IP_ADDRESS");
}

#[test]
fn credit_card() {
    assert_found(
        "my card is 4111 1111 1111 1111 exp 09/27",
        "CREDIT_CARD",
        "4111 1111 1111 1111",
    );
    assert_found(
        "MC 2221-0000-0000-0009",
        "CREDIT_CARD",
        "2221-0000-0000-0009",
    );
    assert_found("amex 3782 822463 10005", "CREDIT_CARD", "3782 822463 10005");
    assert_found(
        "19 digits 4111111111111111110 ok",
        "CREDIT_CARD",
        "4111111111111111110",
    );
    assert_found("卡号6212345678901232", "CREDIT_CARD", "6212345678901232");
    // Bad Luhn, unknown issuer, mixed separators.
    assert_not_found("card 4111 1111 1111 1112", "CREDIT_CARD");
    assert_not_found("ref 1234567812345670", "CREDIT_CARD");
    assert_not_found("card 4111-1111 1111-1111", "CREDIT_CARD");
}

#[test]
fn credit_card_jcb_ranges_and_digit_runs() {
    // JCB: 35xx 16-digit, legacy 15-digit 2131 / 1800 (Luhn-valid).
    assert_found(
        "card 3530111333300000 lost",
        "CREDIT_CARD",
        "3530111333300000",
    );
    assert_found("cc 213100000000001 pls", "CREDIT_CARD", "213100000000001");
    assert_found("card 180000000000002 pls", "CREDIT_CARD", "180000000000002");
    // A Luhn-valid window inside a longer digit sequence is not a card.
    assert_not_found("invoice total 440785-4111111111111111, due", "CREDIT_CARD");
    assert_not_found("flying on 4172 4111 1111 1111 1111 tomorrow", "CREDIT_CARD");
    // A 12-digit Maestro number needs a card word.
    assert_not_found("ref 6759 6498 2648 pls", "CREDIT_CARD");
    assert_found(
        "maestro card 6759 6498 2648",
        "CREDIT_CARD",
        "6759 6498 2648",
    );
}

#[test]
fn iban_bic_bank() {
    assert_found(
        "IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX",
        "IBAN_CODE",
        "DE89 3704 0044 0532 0130 00",
    );
    assert_found(
        "pay GB82WEST12345698765432 today",
        "IBAN_CODE",
        "GB82WEST12345698765432",
    );
    assert_not_found("IBAN DE89 3704 0044 0532 0130 01", "IBAN_CODE");
    assert_not_found("code DE89370400440532013", "IBAN_CODE");
    assert_found("SWIFT code: DEUTDEFF500", "SWIFT_BIC", "DEUTDEFF500");
    assert_not_found("the BUSINESS plan is CONFIRMED", "SWIFT_BIC");
    assert_found(
        "bank account number 12345678901",
        "US_BANK_NUMBER",
        "12345678901",
    );
    assert_not_found("order number 12345678901", "US_BANK_NUMBER");
    assert_found(
        "routing number 011000015",
        "ABA_ROUTING_NUMBER",
        "011000015",
    );
    assert_not_found("routing number 011000016", "ABA_ROUTING_NUMBER");
}

#[test]
fn crypto() {
    assert_found(
        "send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "CRYPTO",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    );
    assert_found(
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq please",
        "CRYPTO",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    );
    assert_found(
        "eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "CRYPTO",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    );
    // Fewer than four digits and no anchor word: found by its shape alone.
    assert_found(
        "wallet: 1KLxpVxWKxLFAHatn7QSWKw2YagLpuFUcd",
        "CRYPTO",
        "1KLxpVxWKxLFAHatn7QSWKw2YagLpuFUcd",
    );
    assert_found(
        "1NmckBKxMzSMdhUcSZSrLpsedKheUJdYoZ",
        "CRYPTO",
        "1NmckBKxMzSMdhUcSZSrLpsedKheUJdYoZ",
    );
    assert_not_found("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "CRYPTO");
    assert_not_found("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx", "CRYPTO");
    assert_not_found("eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "CRYPTO");
}

#[test]
fn us_ids() {
    assert_found("my SSN is 536-22-1954", "US_SSN", "536-22-1954");
    assert_found("social security 536221954", "US_SSN", "536221954");
    assert_not_found("SSN 666-12-3456", "US_SSN");
    assert_not_found("SSN 912-12-3456", "US_SSN");
    assert_not_found("SSN 536-00-1954", "US_SSN");
    assert_not_found("ticket 536221954", "US_SSN");
    assert_found("passport number 912803456", "US_PASSPORT", "912803456");
    assert_not_found("tracking 912803456", "US_PASSPORT");
    assert_found("driver's license D8274619", "US_DRIVER_LICENSE", "D8274619");
    assert_not_found("room D8274619 is booked", "US_DRIVER_LICENSE");
}

#[test]
fn uk_ids() {
    assert_found("NI number AB 12 34 56 C", "UK_NINO", "AB 12 34 56 C");
    assert_found("nino AB123456A", "UK_NINO", "AB123456A");
    assert_not_found("ref GB123456A", "UK_NINO");
    assert_found("NHS number 943 476 5919", "UK_NHS", "943 476 5919");
    assert_not_found("NHS number 943 476 5918", "UK_NHS");
    // A bare 10-digit run needs an NHS word (epoch seconds pass mod 11 too).
    assert_found("NHS no 9434765919", "UK_NHS", "9434765919");
    assert_not_found("status of ts=9434765919 pls", "UK_NHS");
    assert_not_found("parcel 12 943 476 5919 shipped", "UK_NHS");
}

#[test]
fn asia_and_eu_ids() {
    assert_found(
        "身份证号：11010519491231002X",
        "CN_RESIDENT_ID",
        "11010519491231002X",
    );
    assert_not_found("身份证号：110105194912310021", "CN_RESIDENT_ID");
    // A Sichuan id that also passes Luhn with a card-like prefix is the id, not a card.
    assert_found(
        "ID card (身份证): 510107197812074577",
        "CN_RESIDENT_ID",
        "510107197812074577",
    );
    assert_not_found("ID card (身份证): 510107197812074577", "CREDIT_CARD");
    assert_found("Aadhaar 2345 6789 0124", "IN_AADHAAR", "2345 6789 0124");
    // Valid numbers whose check runs through the fifth row of Verhoeff's permutation
    // table (mistyped before: about a third of real numbers were missed).
    assert_found("Aadhaar: 3959 4357 5110", "IN_AADHAAR", "3959 4357 5110");
    assert_found(
        "his aadhaar number is 6675 0028 6429",
        "IN_AADHAAR",
        "6675 0028 6429",
    );
    assert_found(
        "Aadhaar: 314593186278 for the KYC",
        "IN_AADHAAR",
        "314593186278",
    );
    assert_not_found("Aadhaar 2345 6789 0125", "IN_AADHAAR");
    // Windows of a tracking number or a longer card are not Aadhaar numbers.
    assert_not_found("where is 9400 3140 2345 6789 0124 25?", "IN_AADHAAR");
    assert_not_found("is 2345 6789 0124 7969 the right one", "IN_AADHAAR");
    // A bare 12-digit run needs context.
    assert_not_found("ref 234567890124 ok", "IN_AADHAAR");
    assert_found("my aadhaar is 234567890124", "IN_AADHAAR", "234567890124");
    assert_found("PAN ABCPE1234F", "IN_PAN", "ABCPE1234F");
    assert_not_found("PAN ABCXE1234F", "IN_PAN");
    assert_found("NRIC S1234567D", "SG_NRIC", "S1234567D");
    assert_not_found("NRIC S1234567A", "SG_NRIC");
    assert_found("DNI 12345678Z", "ES_NIF", "12345678Z");
    assert_not_found("DNI 12345678A", "ES_NIF");
    assert_found("NIE X1234567L", "ES_NIE", "X1234567L");
    assert_found(
        "codice fiscale RSSMRA85T10A562S",
        "IT_FISCAL_CODE",
        "RSSMRA85T10A562S",
    );
    assert_not_found("codice fiscale RSSMRA85T10A562T", "IT_FISCAL_CODE");
}

#[test]
fn health() {
    assert_found("prescriber NPI 1234567893", "US_NPI", "1234567893");
    assert_not_found("NPI 1234567894", "US_NPI");
    assert_found("DEA AB1234563", "DEA_NUMBER", "AB1234563");
    assert_not_found("DEA AB1234564", "DEA_NUMBER");
    assert_found("medicare MBI 1EG4-TE5-MK73", "US_MBI", "1EG4-TE5-MK73");
    assert_not_found("code 1EG4-TE5MK73", "US_MBI");
    assert_found("diagnosis code E11.9 confirmed", "ICD10_CODE", "E11.9");
    assert_not_found("flight E11 boards at gate 9", "ICD10_CODE");
    assert_found("patient MRN 00482913", "MEDICAL_RECORD_NUMBER", "00482913");
    assert_not_found("invoice 00482913 attached", "MEDICAL_RECORD_NUMBER");
}

#[test]
fn secrets() {
    // (AWS's documentation keys, AKIAIOSFODNN7EXAMPLE and …EXAMPLEKEY, are
    // placeholders and not reported: see secrets_false_positives.)
    assert_found(
        "key AKIA4QX7ZP2LJRKD3MWN ok",
        "AWS_ACCESS_KEY",
        "AKIA4QX7ZP2LJRKD3MWN",
    );
    assert_found(
        "aws_secret_access_key = k9Xq2LmZ8vR4tW7pB1nC6yD3fH5jG0sQ/aE+uKoT",
        "AWS_SECRET_KEY",
        "k9Xq2LmZ8vR4tW7pB1nC6yD3fH5jG0sQ/aE+uKoT",
    );
    // How keys are handed over in chat: the id, then "secret" and the value.
    assert_found(
        "aws key AKIABQNSPUQ2IDW52IJB secret 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",
        "AWS_SECRET_KEY",
        "4xatws8phP9nhFyJfm5di4PzJ59FHz5r1pY4OjE2",
    );
    assert_found(
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "GITHUB_TOKEN",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    );
    assert_found(
        "glpat-xY9zA8bC7dE6fG5hI4jK",
        "GITLAB_TOKEN",
        "glpat-xY9zA8bC7dE6fG5hI4jK",
    );
    assert_found(
        "xoxb-1234567890-abcdefghijkl",
        "SLACK_TOKEN",
        "xoxb-1234567890-abcdefghijkl",
    );
    assert_found(
        "hook https://hooks.slack.com/services/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",
        "SLACK_WEBHOOK",
        "https://hooks.slack.com/services/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",
    );
    assert_found(
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "STRIPE_KEY",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    );
    assert_found(
        "AIzaSyA1234567890abcdefghijklmnopqrstuv",
        "GOOGLE_API_KEY",
        "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    );
    assert_found(
        "sk-proj-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP1234",
        "OPENAI_API_KEY",
        "sk-proj-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP1234",
    );
    assert_not_found("the task-force meeting", "OPENAI_API_KEY");
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\nabc+/=\n-----END RSA PRIVATE KEY-----";
    assert_found(&format!("here: {pem}"), "PRIVATE_KEY", pem);
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    assert_found(&format!("token {jwt}"), "JWT", jwt);
    assert_not_found("eyJub3RhIjoiand0In0.eyJhYmNkZWZnaGlq.abcdefghijkl", "JWT");
    assert_found(
        "postgres://admin:s3cr3t@db.internal:5432/prod",
        "DB_CONNECTION_STRING",
        "postgres://admin:s3cr3t@db.internal:5432/prod",
    );
    assert_not_found(
        "postgres://admin:<password>@db:5432/prod",
        "DB_CONNECTION_STRING",
    );
    assert_found(
        "Server=db1;Database=x;User Id=sa;Password=Pa55w0rd!;",
        "DB_CONNECTION_STRING",
        "Server=db1;Database=x;User Id=sa;Password=Pa55w0rd!",
    );
    assert_found("the password is Hunter2!x", "PASSWORD", "Hunter2!x");
    assert_found("Passwort: Sommer2024#", "PASSWORD", "Sommer2024#");
    // Sentence punctuation after the value is not part of it.
    assert_found("Passwort: Sommer2024!", "PASSWORD", "Sommer2024");
    assert_found("密码是abc12345", "PASSWORD", "abc12345");
    // A few words between the cue and "is" / ":" ("the vpn password for Priya is …").
    assert_found(
        "the vpn password for Priya is idDn87XG3#q#x",
        "PASSWORD",
        "idDn87XG3#q#x",
    );
    assert_found(
        "wifi password for the office: Garden564#",
        "PASSWORD",
        "Garden564#",
    );
    assert_found(
        "Passwort für den Server ist Tiger77$x",
        "PASSWORD",
        "Tiger77$x",
    );
    assert_not_found("the password for the account is reset", "PASSWORD");
    // A value may start with a symbol; only %-templates are placeholders.
    assert_found("Hallo wifi pw: %$*2J6OZ8p", "PASSWORD", "%$*2J6OZ8p");
    assert_found("la contraseña es %ja6vIuB%1%", "PASSWORD", "%ja6vIuB%1%");
    assert_not_found("password: %PASSWORD%", "PASSWORD");
    assert_not_found("pw: %s", "PASSWORD");
    assert_not_found("password = %(db_password)s", "PASSWORD");
    assert_not_found("the password is wrong", "PASSWORD");
    assert_not_found("password reset link sent", "PASSWORD");
    assert_found(
        "api_key: 9f8Xk2LmQ7vT4pR1zW6y",
        "GENERIC_SECRET",
        "9f8Xk2LmQ7vT4pR1zW6y",
    );
    assert_not_found("token: refresh-token-interval", "GENERIC_SECRET");
}

#[test]
fn verification_code() {
    assert_found(
        "your WhatsApp code is 123-456",
        "VERIFICATION_CODE",
        "123-456",
    );
    assert_found("验证码 482913", "VERIFICATION_CODE", "482913");
    assert_found(
        "Dein Bestätigungscode: 482913",
        "VERIFICATION_CODE",
        "482913",
    );
    assert_not_found("we sold 482913 units", "VERIFICATION_CODE");
    assert_not_found("code price is 482913.50", "VERIFICATION_CODE");
}

#[test]
fn verification_code_from_previous_message() {
    let prev = [
        "hey it's me, I got locked out",
        "can you send me the code you just got?",
    ];
    let ds = engine().scan(
        "482913",
        &ScanContext {
            previous: &prev,
            ..ScanContext::default()
        },
    );
    assert!(ds.iter().any(|d| d.entity == "VERIFICATION_CODE"), "{ds:?}");
    assert!(scan("482913").is_empty());
}

#[test]
fn confidential_markers() {
    assert_found(
        "STRICTLY CONFIDENTIAL: Q3 numbers",
        "CONFIDENTIAL_MARKER",
        "STRICTLY CONFIDENTIAL",
    );
    assert_found(
        "das ist nur intern, bitte nicht weiterleiten",
        "CONFIDENTIAL_MARKER",
        "nur intern",
    );
    assert_found("这是机密文件", "CONFIDENTIAL_MARKER", "机密");
    assert_found("this is MNPI, careful", "CONFIDENTIAL_MARKER", "MNPI");
    assert_not_found("confidentiality is key", "CONFIDENTIAL_MARKER");
}

#[test]
fn person_and_location() {
    assert_found(
        "My name is Sarah Connor and I live in Berlin",
        "PERSON",
        "Sarah Connor",
    );
    assert_found(
        "My name is Sarah Connor and I live in Berlin",
        "LOCATION",
        "Berlin",
    );
    assert_found("please ask Dr. Okonkwo", "PERSON", "Okonkwo");
    assert_found("Meeting with Zhang Wei in Shanghai", "PERSON", "Zhang Wei");
    assert_found("She moved to New York last year", "LOCATION", "New York");
    assert_found(
        "Send it to 1600 Pennsylvania Avenue please",
        "LOCATION",
        "1600 Pennsylvania Avenue",
    );
    assert_not_found("Mark the calendar for Friday", "PERSON");
    assert_not_found("Will you be there?", "PERSON");
    assert_not_found("that was a nice dinner", "LOCATION");
    let people = vec!["Aoife Brennan".to_string()];
    let ds = engine().scan(
        "ask aoife about it",
        &ScanContext {
            participants: &people,
            ..ScanContext::default()
        },
    );
    assert!(
        ds.iter()
            .any(|d| d.entity == "PERSON" && d.value == "aoife"),
        "{ds:?}"
    );
}

#[test]
fn person_cues_initials_cards_and_streets() {
    // Possessive: the name without "'s".
    assert_found("Chloe's mobile is off", "PERSON", "Chloe");
    // Unknown names after a cue, with middle initials and particles.
    assert_found(
        "It's under my partner's name Brodie Walkowiak",
        "PERSON",
        "Brodie Walkowiak",
    );
    assert_found(
        "a mandolin coda (not by Albina H. Tomaszewska).",
        "PERSON",
        "Albina H. Tomaszewska",
    );
    assert_found(
        "My name is Christiane S. de Vaan but everyone calls me Chris",
        "PERSON",
        "Christiane S. de Vaan",
    );
    // A person verb after an unknown capitalised word.
    assert_found("Sophia shouted at him", "PERSON", "Sophia");
    assert_found("Csanád had given me his address", "PERSON", "Csanád");
    // A contact card: a name alone on the first line, numbers below.
    assert_found(
        "Helena Carlsen\n\n637 Strojírenská 1006\n Suite 026",
        "PERSON",
        "Helena Carlsen",
    );
    assert_not_found("Quarterly Review\nnothing numeric here", "PERSON");
    // Streets and firms are not people; pronouns are not names.
    assert_not_found("it is the corner of 4308 Morris Street and Elm", "PERSON");
    assert_not_found("She was born on 4/18/1960.", "PERSON");
    assert_not_found("He lives on the north side", "PERSON");
}

#[test]
fn person_census_names_escaped_lines_and_speakers() {
    // Given names and surnames from the US Census 1990 lists.
    assert_found("I'll ask Colleen tomorrow", "PERSON", "Colleen");
    assert_found(
        "We met Tyrone Hatfield at lunch",
        "PERSON",
        "Tyrone Hatfield",
    );
    // Common English words among the census names stay out.
    assert_not_found("There is a Chance of rain, Key points below", "PERSON");
    assert_not_found("Rocky road ice cream for the Son of the boss", "PERSON");
    // A literal "\n" (escaped text) is a line break: a contact card.
    assert_found(
        "Leigha Mackay\\n\\n637 Strojirenska 1006\\n Suite 026",
        "PERSON",
        "Leigha Mackay",
    );
    assert_not_found("Quarterly Review\\nnothing numeric here", "PERSON");
    assert_not_found("see C:\\new\\notes for the draft", "PERSON");
    // Transcript speakers: two or more lines opened by "Name: ".
    assert_found("Arya: What a wife.\nNaile: Remember me?", "PERSON", "Arya");
    let both = scan("Arya: What a wife.\nNaile: Remember me?");
    assert!(
        both.iter()
            .any(|d| d.entity == "PERSON" && d.value == "Naile"),
        "{both:?}"
    );
    assert_not_found("Naile: remember me?", "PERSON");
    // A known given name opening a line as a speaker.
    assert_found("Vanessa: \"Who are you?\"", "PERSON", "Vanessa");
    assert_not_found("Vanessa: 5 pm", "PERSON");
    // Capitalised words listed with a found name are names too.
    let list = scan("They had 6: Sulimat, Brian, Susan, Cory and Zorbek.");
    for name in ["Sulimat", "Brian", "Susan", "Cory", "Zorbek"] {
        assert!(
            list.iter().any(|d| d.entity == "PERSON" && d.value == name),
            "{name}: {list:?}"
        );
    }
    // ... but not places, field labels or words after a name without a list.
    let trip = scan("Ask Brian about Berlin and Paris");
    assert!(
        !trip
            .iter()
            .any(|d| d.entity == "PERSON" && d.value != "Brian"),
        "{trip:?}"
    );
    let weekdays = scan("Brian and Monday, Tuesday");
    assert!(
        !weekdays
            .iter()
            .any(|d| d.entity == "PERSON" && d.value.contains("day")),
        "{weekdays:?}"
    );
    // One unknown speaker-like word, field labels and places are not names.
    assert_not_found("Reminder: the meeting moved", "PERSON");
    assert_not_found("Name: pending\nEmail: pending\nAddress: pending", "PERSON");
    assert_not_found("Status: done\nUpdate: shipped", "PERSON");
    assert_not_found("Berlin: rainy\nParis: sunny", "PERSON");
}

#[test]
fn offsets_are_unicode_scalar_values() {
    let text = "😀 naïve 卡号 4111 1111 1111 1111";
    let d = scan(text)
        .into_iter()
        .find(|d| d.entity == "CREDIT_CARD")
        .unwrap();
    assert_eq!((d.start, d.end), (11, 30));
}

#[test]
fn thresholds_are_configurable() {
    let mut cfg = EngineConfig::default();
    cfg.thresholds.insert("IP_ADDRESS".into(), 0.9);
    let e = Engine::new(&cfg).unwrap();
    assert!(e.scan("host 10.1.2.3", &ScanContext::default()).is_empty());
    assert!(!scan("host 10.1.2.3").is_empty());
}

#[test]
fn hostile_input_does_not_panic() {
    let long_digits = "1".repeat(100_000);
    let _ = scan(&long_digits);
    let mixed: String = (0..20_000)
        .map(|i| {
            if i % 7 == 0 {
                '-'
            } else {
                char::from(b'0' + (i % 10) as u8)
            }
        })
        .collect();
    let _ = scan(&mixed);
    let _ = scan("@@@@ ::: ---- password: ");
    let _ = scan("\u{0}\u{FEFF}😀😀😀 4111");
}

#[test]
fn date_of_birth_in_every_written_form() {
    let cases = [
        ("Maria Elena Lopez, born 14 May 1979", "14 May 1979"),
        ("DOB: 14/05/1979", "14/05/1979"),
        ("date of birth 05/14/1979 (US format)", "05/14/1979"),
        ("d.o.b. 14.05.79", "14.05.79"),
        ("her birthday is May 14, 1979.", "May 14, 1979"),
        ("born on the 3rd of Sept. 1985", "3rd of Sept. 1985"),
        ("Date of birth: 1979-05-14", "1979-05-14"),
        ("Geburtsdatum: 14. Mai 1979", "14. Mai 1979"),
        ("geboren am 29. Februar 1980", "29. Februar 1980"),
        ("Date de naissance : 1er août 1990", "1er août 1990"),
        (
            "fecha de nacimiento: 14 de mayo de 1979",
            "14 de mayo de 1979",
        ),
        ("nascido em 2 de março de 1988", "2 de março de 1988"),
        ("data di nascita 7 luglio 1975", "7 luglio 1975"),
        ("geboortedatum 14 mei 1979", "14 mei 1979"),
        ("дата рождения 14 мая 1979", "14 мая 1979"),
        ("出生日期：1979年5月14日", "1979年5月14日"),
    ];
    for (text, value) in cases {
        assert_found(text, "DATE_OF_BIRTH", value);
    }
}

#[test]
fn dates_that_are_not_dates_of_birth() {
    for text in [
        // A date with no word about birth near it is a meeting, a deadline, a trade.
        "the trade settles on 14/05/2026",
        "Meeting moved to May 14, 2026 - same room",
        "invoice dated 1979-05-14 attached",
        // Near a birth word but not a real date, or not a plausible year of birth.
        "born 31/02/1979",
        "born 14/13/1979",
        "DOB 30 February 1980",
        "born in the year 1850: 14 May 1850",
        "date of birth 14/05/2999",
        // Mixed separators, versions and scores.
        "DOB 14/05-1979",
        "birthday party score was 3-2-1",
    ] {
        assert_not_found(text, "DATE_OF_BIRTH");
    }
}
