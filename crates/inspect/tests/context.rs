#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Context words: words near a candidate (in several languages) raise its score
//! or make a context-dependent finding appear, score-lowering words lower it,
//! and words in the previous messages of the conversation count too (less).

use chatwarden_inspect::{ConversationContext, Detection, Engine, EngineConfig, ScanContext};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(&EngineConfig::default()).unwrap())
}

fn scan_after(previous: &[&str], text: &str) -> Vec<Detection> {
    engine().scan(
        text,
        &ScanContext {
            previous,
            ..ScanContext::default()
        },
    )
}

/// The score of `entity` with `value` in `text` scanned after `previous`, if found.
fn score_after(previous: &[&str], text: &str, entity: &str, value: &str) -> Option<f32> {
    scan_after(previous, text)
        .into_iter()
        .find(|d| d.entity == entity && d.value == value)
        .map(|d| d.score)
}

fn score(text: &str, entity: &str, value: &str) -> Option<f32> {
    score_after(&[], text, entity, value)
}

const CARD: &str = "4111 1111 1111 1111";
/// A 12-digit Maestro number: below the threshold without a card word.
const SHORT_CARD: &str = "6759 6498 2648";

#[test]
fn card_words_in_german_spanish_and_chinese_raise_the_score() {
    let alone = score(CARD, "CREDIT_CARD", CARD).unwrap();
    assert!(alone < 1.0, "{alone}");
    for prefix in [
        "meine Karte: ",
        "Kreditkarte ",
        "mi tarjeta es ",
        "número de tarjeta ",
        "卡号",
        "信用卡 ",
    ] {
        let text = format!("{prefix}{CARD}");
        let with = score(&text, "CREDIT_CARD", CARD).unwrap();
        assert!(with > alone, "{text:?}: {with} <= {alone}");
    }
}

#[test]
fn card_words_make_a_short_card_number_appear() {
    assert_eq!(score(SHORT_CARD, "CREDIT_CARD", SHORT_CARD), None);
    assert_eq!(
        score(&format!("ref {SHORT_CARD}"), "CREDIT_CARD", SHORT_CARD),
        None
    );
    for text in [
        format!("Karte {SHORT_CARD}"),
        format!("tarjeta {SHORT_CARD}"),
        format!("卡号 {SHORT_CARD}"),
        format!("{SHORT_CARD} ist meine Karte"),
    ] {
        assert!(
            score(&text, "CREDIT_CARD", SHORT_CARD).is_some(),
            "{text:?}: {:?}",
            scan_after(&[], &text)
        );
    }
}

#[test]
fn a_context_word_counts_only_within_the_window() {
    // 96 bytes before the value, 48 after.
    let near = format!("Karte {} {SHORT_CARD}", "x".repeat(60));
    let far = format!("Karte {} {SHORT_CARD}", "x".repeat(120));
    assert!(score(&near, "CREDIT_CARD", SHORT_CARD).is_some());
    assert_eq!(score(&far, "CREDIT_CARD", SHORT_CARD), None);
}

#[test]
fn password_cues_in_spanish_german_and_chinese_make_the_password_appear() {
    let value = "Lim0nada77";
    assert_eq!(score(value, "PASSWORD", value), None);
    assert_eq!(
        score(&format!("the {value} arrived"), "PASSWORD", value),
        None
    );
    for text in [
        format!("contraseña: {value}"),
        format!("la contraseña es {value}"),
        format!("Passwort: {value}"),
        format!("das Passwort ist {value}"),
        format!("密码是{value}"),
        format!("密码：{value}"),
    ] {
        assert!(
            score(&text, "PASSWORD", value).is_some(),
            "{text:?}: {:?}",
            scan_after(&[], &text)
        );
    }
}

#[test]
fn code_words_in_spanish_german_and_chinese_make_the_code_appear() {
    assert_eq!(score("482913", "VERIFICATION_CODE", "482913"), None);
    assert_eq!(
        score("wir haben 482913 Stück", "VERIFICATION_CODE", "482913"),
        None
    );
    for text in [
        "código 482913",
        "tu código de verificación es 482913",
        "Bestätigungscode: 482913",
        "der Code ist 482913",
        "验证码482913",
        "验证码：482913",
    ] {
        assert!(
            score(text, "VERIFICATION_CODE", "482913").is_some(),
            "{text:?}: {:?}",
            scan_after(&[], text)
        );
    }
}

#[test]
fn score_lowering_words_lower_the_score() {
    let plain = score(CARD, "CREDIT_CARD", CARD).unwrap();
    for text in [
        format!("order {CARD}"),
        format!("invoice {CARD}"),
        format!("Bestellung {CARD}"),
        format!("pedido {CARD}"),
        format!("订单 {CARD}"),
    ] {
        let lowered = score(&text, "CREDIT_CARD", CARD).unwrap();
        assert!(lowered < plain, "{text:?}: {lowered} >= {plain}");
    }
    // Both kinds of word: the raise and the fall both apply.
    let raised = score(&format!("Karte {CARD}"), "CREDIT_CARD", CARD).unwrap();
    let both = score(&format!("Karte {CARD} order"), "CREDIT_CARD", CARD).unwrap();
    assert!(both < raised, "{both} >= {raised}");

    let code = score("código 482913", "VERIFICATION_CODE", "482913").unwrap();
    let ordered = score("Bestellung 482913 código", "VERIFICATION_CODE", "482913").unwrap();
    assert!(ordered < code, "{ordered} >= {code}");

    // "account" lowers a phone reading of a bare number and raises the bank one.
    let ds = scan_after(&[], "account 12345678901");
    assert!(ds.iter().all(|d| d.entity != "PHONE_NUMBER"), "{ds:?}");
    assert!(ds.iter().any(|d| d.entity == "US_BANK_NUMBER"), "{ds:?}");
}

#[test]
fn a_word_in_a_previous_message_brings_out_an_account_number() {
    let number = "12345678901";
    assert_eq!(score(number, "US_BANK_NUMBER", number), None);
    for previous in [
        "can you send me the account number?",
        "what's your IBAN?",
        "¿me pasas el número de cuenta?",
        "schick mir deine Kontonummer",
    ] {
        let got = score_after(&[previous], number, "US_BANK_NUMBER", number);
        let same = score(&format!("{previous} {number}"), "US_BANK_NUMBER", number);
        let (got, same) = (got.unwrap(), same.unwrap());
        // A word in the same message counts more than one in a previous message.
        assert!(got < same, "{previous:?}: {got} >= {same}");
    }
    // An unrelated previous message does not.
    assert_eq!(
        score_after(&["see you at lunch"], number, "US_BANK_NUMBER", number),
        None
    );
}

#[test]
fn a_word_in_a_previous_message_brings_out_a_card_and_a_routing_number() {
    assert!(
        score_after(&["which card?"], SHORT_CARD, "CREDIT_CARD", SHORT_CARD).is_some(),
        "{:?}",
        scan_after(&["which card?"], SHORT_CARD)
    );
    assert!(score_after(&["dime tu tarjeta"], SHORT_CARD, "CREDIT_CARD", SHORT_CARD).is_some());
    assert_eq!(score("011000015", "ABA_ROUTING_NUMBER", "011000015"), None);
    assert!(
        score_after(
            &["and the routing number?"],
            "011000015",
            "ABA_ROUTING_NUMBER",
            "011000015"
        )
        .is_some()
    );
}

#[test]
fn swift_or_bic_in_a_previous_message_brings_out_a_bic_alone() {
    let bic = "COBADEFFXXX";
    assert_eq!(score(bic, "SWIFT_BIC", bic), None);
    for previous in ["what's the SWIFT code?", "und der BIC?"] {
        assert!(
            score_after(&[previous], bic, "SWIFT_BIC", bic).is_some(),
            "{previous:?}: {:?}",
            scan_after(&[previous], bic)
        );
        assert!(
            score_after(
                &[previous],
                &format!("it is {bic} thanks"),
                "SWIFT_BIC",
                bic
            )
            .is_some()
        );
    }
    // Shouted words are not BICs without such a word.
    assert_eq!(score_after(&["see you later"], bic, "SWIFT_BIC", bic), None);
}

#[test]
fn previous_messages_count_for_verification_codes_in_several_languages() {
    for previous in [
        "¿me mandas el código que te llegó?",
        "把验证码发给我",
        "schick mir den Bestätigungscode",
    ] {
        assert!(
            score_after(&[previous], "482913", "VERIFICATION_CODE", "482913").is_some(),
            "{previous:?}"
        );
    }
}

#[test]
fn the_conversation_context_remembers_four_messages() {
    let number = "12345678901";
    let found_after = |chatter: usize| {
        let mut conv = ConversationContext::new(Vec::new(), None);
        conv.scan(engine(), "what's your account number?");
        for i in 0..chatter {
            conv.scan(engine(), &format!("hold on {}", "…".repeat(i + 1)));
        }
        conv.scan(engine(), number)
            .iter()
            .any(|d| d.entity == "US_BANK_NUMBER")
    };
    assert!(found_after(0));
    assert!(found_after(3));
    assert!(!found_after(4));
}

#[test]
fn a_date_of_birth_asked_for_in_the_previous_message() {
    let asked = ["Can you confirm your date of birth for the KYC form?"];
    assert!(
        scan_after(&asked, "14/05/1979")
            .iter()
            .any(|d| d.entity == "DATE_OF_BIRTH" && d.value == "14/05/1979")
    );
    let unrelated = ["When does the trade settle?"];
    assert!(
        scan_after(&unrelated, "14/05/1979")
            .iter()
            .all(|d| d.entity != "DATE_OF_BIRTH")
    );
}
