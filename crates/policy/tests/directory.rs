#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chatwarden_policy::directory::read_employees_csv;
use chatwarden_policy::{Basis, Direction, Directory, Party, PolicyError};
use common::*;

#[test]
fn employees_csv_is_read_with_multiple_emails() {
    let dir = directory();
    assert_eq!(dir.employees().len(), 4);
    let ravi = dir.employee("e101").unwrap();
    assert_eq!(ravi.emails.len(), 2);
    assert_eq!(ravi.department.as_deref(), Some("Payments"));
    assert_eq!(dir.employee("RAVI@NWC.EXAMPLE").unwrap().id, "e101");
    assert_eq!(dir.employee("mei  chen").unwrap().id, "e100");
}

#[test]
fn phone_of_an_employee_is_internal_whatever_its_formatting() {
    let dir = directory();
    let p = participant("Ravi", Some("+447700900101"), false);
    let c = dir.classify_detailed(&p);
    assert!(matches!(c.party, Party::Internal(Some(e)) if e.id == "e101"));
    assert_eq!(c.basis, Basis::EmployeePhone);
    // International 00 prefix, spaces and punctuation.
    let p = participant("R", Some("0044 (7700) 900-101"), false);
    assert!(matches!(dir.classify(&p), Party::Internal(Some(e)) if e.id == "e101"));
}

#[test]
fn company_phone_range_is_internal_without_an_employee() {
    let dir = directory();
    let p = participant("Front desk", Some("+44 20 7946 0555"), false);
    let c = dir.classify_detailed(&p);
    assert_eq!(c.party, Party::Internal(None));
    assert_eq!(c.basis, Basis::PhoneRange);
}

#[test]
fn other_numbers_are_external_and_names_alone_unknown() {
    let dir = directory();
    let p = participant("+1 415 555 0199", Some("+14155550199"), false);
    assert_eq!(dir.classify_detailed(&p).basis, Basis::OtherPhone);
    assert_eq!(dir.classify(&p), Party::External);
    // WhatsApp puts an unsaved number in the name field.
    let p = participant("+49 151 23456789", None, false);
    assert_eq!(dir.classify(&p), Party::External);
    let p = participant("Uncle Bob", None, false);
    assert_eq!(dir.classify_detailed(&p).party, Party::Unknown);
    assert_eq!(dir.classify_detailed(&p).basis, Basis::None);
}

#[test]
fn email_names_are_classified_by_address_then_domain() {
    let dir = directory();
    let p = participant("sofia.alvarez@northwind-capital.example", None, false);
    assert!(matches!(dir.classify(&p), Party::Internal(Some(e)) if e.id == "e102"));
    let p = participant("intern@london.northwind-capital.example", None, false);
    assert_eq!(dir.classify_detailed(&p).basis, Basis::Domain);
    assert_eq!(dir.classify(&p), Party::Internal(None));
    // A look-alike domain is not ours.
    let p = participant("mei.chen@northwind-capital.example.co", None, false);
    assert_eq!(dir.classify(&p), Party::External);
    let p = participant("x@evilnorthwind-capital.example", None, false);
    assert_eq!(dir.classify(&p), Party::External);
}

#[test]
fn exact_name_is_the_weakest_match_and_says_so() {
    let dir = directory();
    let p = participant("Sofia Alvarez", None, false);
    let c = dir.classify_detailed(&p);
    assert!(matches!(c.party, Party::Internal(Some(e)) if e.id == "e102"));
    assert_eq!(c.basis, Basis::Name);
    assert_eq!(
        dir.classify(&participant("Sofia", None, false)),
        Party::Unknown
    );
}

#[test]
fn the_exporting_participant_is_the_custodian() {
    let dir = directory();
    let conv = conversation(
        "e100",
        "Me",
        &[participant("Client", Some("+14155550199"), false)],
    );
    let me = &conv.participants[0];
    let c = dir.classify_in(&conv, me);
    assert!(matches!(c.party, Party::Internal(Some(e)) if e.id == "e100"));
    assert_eq!(c.basis, Basis::Custodian);
}

#[test]
fn direction_and_counterparties() {
    let dir = directory();
    let internal = conversation(
        "e100",
        "Me",
        &[participant("Ravi Patel", Some("+447700900101"), false)],
    );
    assert_eq!(dir.direction(&internal), Direction::InternalOnly);
    assert!(dir.counterparties(&internal).is_empty());

    let unknown = conversation(
        "e100",
        "Me",
        &[
            participant("Ravi Patel", Some("+447700900101"), false),
            participant("Dentist", None, false),
        ],
    );
    assert_eq!(dir.direction(&unknown), Direction::UnknownInvolved);
    let cps = dir.counterparties(&unknown);
    assert_eq!(cps.len(), 1);
    assert_eq!(cps[0].display_name, "Dentist");
    assert!(!cps[0].external);

    let external = conversation(
        "e100",
        "Me",
        &[
            participant("Dentist", None, false),
            participant("Client", Some("+14155550199"), false),
        ],
    );
    assert_eq!(dir.direction(&external), Direction::ExternalInvolved);
    let cps = dir.counterparties(&external);
    assert_eq!(cps.len(), 2);
    assert!(cps.iter().any(|c| c.external && c.display_name == "Client"));
}

#[test]
fn employee_list_errors_name_the_line() {
    let csv = "id,name,emails,phones\ne1,A B,a@x.example,+1 212 555 0100\ne2,C D,not-an-email,\n";
    let err = read_employees_csv(csv.as_bytes(), "staff.csv").unwrap_err();
    assert!(
        matches!(&err, PolicyError::Employees { line: 3, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("staff.csv: line 3"));

    let err = read_employees_csv("id,name,badge\n".as_bytes(), "staff.csv").unwrap_err();
    assert!(
        err.to_string().contains("unknown column \"badge\""),
        "{err}"
    );

    let err = read_employees_csv("name\nA\n".as_bytes(), "staff.csv").unwrap_err();
    assert!(err.to_string().contains("id and name"), "{err}");
}

#[test]
fn directory_refuses_duplicates_and_bad_ranges() {
    let csv = "id,name,phones\ne1,A,+44 7700 900001\ne2,B,+447700900001\n";
    let emps = read_employees_csv(csv.as_bytes(), "x.csv").unwrap();
    assert!(Directory::new(["x.example"], Vec::<String>::new(), emps).is_err());
    assert!(Directory::new(["x.example"], ["4420"], vec![]).is_err());
    assert!(Directory::new(["localhost"], Vec::<String>::new(), vec![]).is_err());
}
