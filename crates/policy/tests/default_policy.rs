#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chatwarden_model::Finding;
use chatwarden_policy::{Grouper, Policy, Severity, evaluate};
use common::*;

#[test]
fn the_default_policy_parses_with_its_rules() {
    let p = Policy::default_policy().unwrap();
    let ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "credentials-anywhere",
            "verification-code-shared",
            "payment-data-outside-approved-teams",
            "sensitive-attachment-to-external",
            "personal-data-to-external",
            "contact-list-to-external",
            "confidential-to-external",
            "promissory-language-to-external",
        ]
    );
    assert_eq!(
        p.rule("credentials-anywhere").unwrap().severity,
        Severity::Critical
    );
    assert_eq!(p.lexicons.lexicons().len(), 1);
    assert!((p.sampling.rate - 0.01).abs() < 1e-12);
    assert_eq!(p.group_window, jiff::SignedDuration::from_mins(60));
}

/// Each planted incident raises exactly one hit of the intended rule; ordinary
/// messages (with the everyday findings inspection reports on them) raise none.
#[test]
fn planted_incidents_raise_one_hit_each_and_ordinary_messages_none() {
    let p = Policy::default_policy().unwrap();
    let dir = directory();
    let client = participant("Client", Some("+14155550199"), false);
    let external = conversation("e100", "Mei", std::slice::from_ref(&client));
    let unknown = conversation("e100", "Mei", &[participant("Dentist", None, false)]);
    let internal = conversation(
        "e101",
        "Ravi",
        &[participant("Mei Chen", Some("+44 20 7946 0100"), false)],
    );

    type Case<'a> = (
        &'a chatwarden_model::Conversation,
        &'a str,
        &'a str,
        Vec<(&'a str, &'a str, f32, Option<&'a str>)>,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        // Incidents.
        (
            &internal,
            "Ravi",
            "the db password is hunter2-Xq9",
            vec![("PASSWORD", "password_cue", 0.9, None)],
            Some("credentials-anywhere"),
        ),
        (
            &external,
            "Client",
            "my code is 482 913",
            vec![("VERIFICATION_CODE", "otp_code", 0.9, None)],
            Some("verification-code-shared"),
        ),
        (
            &external,
            "Mei",
            "card for the booking",
            vec![("CREDIT_CARD", "card_luhn", 0.95, None)],
            Some("payment-data-outside-approved-teams"),
        ),
        (
            &unknown,
            "Mei",
            "here is the file",
            vec![("US_SSN", "ssn_formatted", 0.9, Some("clients.xlsx"))],
            Some("sensitive-attachment-to-external"),
        ),
        // A positively external contact is at least as much "outside" as an unknown one.
        (
            &external,
            "Mei",
            "the list you asked for",
            vec![("US_SSN", "ssn_formatted", 0.9, Some("clients.xlsx"))],
            Some("sensitive-attachment-to-external"),
        ),
        (
            &external,
            "Mei",
            "his ssn is …",
            vec![("US_SSN", "ssn_formatted", 0.9, None)],
            Some("personal-data-to-external"),
        ),
        (
            &external,
            "Mei",
            "contacts",
            vec![("EMAIL_ADDRESS", "email", 1.0, None); 6],
            Some("contact-list-to-external"),
        ),
        (
            &external,
            "Mei",
            "CONFIDENTIAL - do not forward",
            vec![("CONFIDENTIAL_MARKER", "marker", 0.95, None)],
            Some("confidential-to-external"),
        ),
        (
            &external,
            "Mei",
            "This fund is guaranteed to return 15% a year",
            vec![],
            Some("promissory-language-to-external"),
        ),
        // Ordinary traffic.
        (&external, "Mei", "see you at 3", vec![], None),
        (
            &external,
            "Mei",
            "mail me at mei.chen@northwind-capital.example",
            vec![("EMAIL_ADDRESS", "email", 1.0, None)],
            None,
        ),
        (
            &external,
            "Client",
            "I'm Dana Smith, call me on +1 415 555 0199",
            vec![
                ("PERSON", "name_lexicon", 0.8, None),
                ("PHONE_NUMBER", "phone", 0.9, None),
            ],
            None,
        ),
        (
            &internal,
            "Ravi",
            "card for the refund",
            vec![("CREDIT_CARD", "card_luhn", 0.95, None)],
            None,
        ),
        (
            &internal,
            "Mei Chen",
            "CONFIDENTIAL draft for Ravi",
            vec![("CONFIDENTIAL_MARKER", "marker", 0.95, None)],
            None,
        ),
        (
            &external,
            "Client",
            "my SSN is …",
            vec![("US_SSN", "ssn_formatted", 0.9, None)],
            None,
        ),
        (
            &external,
            "Mei",
            "Past performance is no guarantee of future returns.",
            vec![],
            None,
        ),
        (
            &external,
            "Mei",
            "Returns are not guaranteed, as always.",
            vec![],
            None,
        ),
        (
            &external,
            "Mei",
            "version 4.2.1 shipped",
            vec![("VERIFICATION_CODE", "otp_code", 0.55, None)],
            None,
        ),
    ];

    let mut grouper = Grouper::new(p.group_window);
    let mut alerts = 0;
    for (i, (conv, sender, text, fs, want)) in cases.iter().enumerate() {
        let m = message(conv, i as u64, sender, 4, 10, i as i8, text);
        let findings: Vec<Finding> = fs
            .iter()
            .map(|(e, d, s, a)| finding(&m.id, e, d, *s, *a))
            .collect();
        let hits = evaluate(&p, &dir, conv, &m, &findings);
        let got: Vec<&str> = hits.iter().map(|h| h.rule.as_str()).collect();
        match want {
            Some(rule) => assert_eq!(got, [*rule], "case {i}: {text}"),
            None => assert!(got.is_empty(), "case {i}: {text} raised {got:?}"),
        }
        for h in hits {
            alerts += 1;
            grouper.add(h);
        }
    }
    assert_eq!(alerts, 9);
    // The two attachment hits are in one chat ("Mei", seen with two participant lists)
    // minutes apart: one review item.
    assert_eq!(grouper.groups().len(), 8);
}
