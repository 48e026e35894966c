//! The default phone region each ingested conversation is inspected with: `--region`,
//! else the most common country among the participants' phone numbers, else the
//! organisation directory's phone ranges, else none (see `chatwarden_inspect::region`).

use crate::cmd::short;
use crate::pipeline::ConversationOutcome;
use chatwarden_inspect::region::RegionTally;
use chatwarden_inspect::{PhoneRegion, RegionBasis, choose_region};
use chatwarden_model::Conversation;
use chatwarden_policy::Directory;

/// Checks `--region` for clap: ISO 3166 alpha-2 with a phone numbering plan, upper-cased.
pub fn parse_arg(value: &str) -> Result<String, String> {
    chatwarden_inspect::parse_region(value).map_err(|e| {
        let message = match e {
            chatwarden_inspect::InspectError::Config(m) => m,
            other => other.to_string(),
        };
        if value.trim().eq_ignore_ascii_case("uk") {
            format!("{message}; the United Kingdom's code is GB")
        } else {
            message
        }
    })
}

/// The region the directory's phone ranges point to (the most common country among
/// them), when it has ranges and they do not tie.
pub fn directory_region(directory: &Directory) -> Option<String> {
    RegionTally::from_prefixes(directory.phone_prefixes())
        .winner()
        .map(|(region, _)| region.to_string())
}

/// The default phone region for one conversation.
pub fn for_conversation(
    stated: Option<&str>,
    conversation: &Conversation,
    directory: Option<&Directory>,
) -> PhoneRegion {
    let fallback = directory.and_then(directory_region);
    let chosen = choose_region(stated, conversation, fallback.as_deref());
    tracing::debug!(
        conversation = %conversation.id,
        region = chosen.region.as_deref().unwrap_or("none"),
        basis = chosen.basis.as_str(),
        "phone region"
    );
    chosen
}

/// A short label for the ingest summary's table: `GB (participants 2/3)`, `DE (--region)`,
/// `GB (directory)`, `none`.
pub fn label(region: &PhoneRegion) -> String {
    let code = region.region.as_deref().unwrap_or("none");
    match region.basis {
        RegionBasis::Stated => format!("{code} (--region)"),
        RegionBasis::Participants => {
            format!("{code} (participants {}/{})", region.votes, region.numbers)
        }
        RegionBasis::Directory => format!("{code} (directory)"),
        RegionBasis::None => code.to_string(),
    }
}

/// Notes for the ingest summary about conversations whose region could not be told
/// from their participants (ties, none at all). Never names a number or message content.
pub fn notes(conversations: &[ConversationOutcome]) -> Vec<String> {
    const NATIONAL_NEED_A_WORD: &str =
        "numbers written without a country code were found there only next to a phone word";
    let mut notes = Vec::new();
    let mut none = 0usize;
    for c in conversations {
        let Some(r) = &c.phone_region else { continue };
        if !r.tied.is_empty() {
            let fell_back = match (&r.region, r.basis) {
                (Some(region), RegionBasis::Directory) => {
                    format!("read with the directory's region {region}")
                }
                _ => format!("no default region: {NATIONAL_NEED_A_WORD}"),
            };
            notes.push(format!(
                "conversation {}: participants' phone numbers are split evenly between {}; {fell_back} (state one with --region CC)",
                short(&c.id),
                r.tied.join(" and ")
            ));
        } else if r.basis == RegionBasis::None {
            none += 1;
        }
    }
    if none > 0 {
        notes.push(format!(
            "{none} conversation(s) had no phone region (no participant numbers in international form, no directory phone ranges): {NATIONAL_NEED_A_WORD}; state the region with --region CC"
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chatwarden_model::{Channel, Participant};

    fn conversation(names: &[&str]) -> Conversation {
        Conversation {
            id: Conversation::id_for(Channel::Whatsapp, "t"),
            channel: Channel::Whatsapp,
            title: "t".into(),
            source_key: "t".into(),
            custodian: None,
            is_group: true,
            participants: names
                .iter()
                .map(|n| Participant {
                    id: Participant::id_for(Channel::Whatsapp, n),
                    display_name: (*n).to_string(),
                    phone: n.starts_with('+').then(|| (*n).to_string()),
                    is_self: false,
                })
                .collect(),
        }
    }

    fn directory(prefixes: &[&str]) -> Directory {
        Directory::new(Vec::<String>::new(), prefixes, Vec::new()).unwrap()
    }

    #[test]
    fn participants_then_directory_then_none() {
        let uk = conversation(&["+44 7700 900123", "+44 7400 654321", "Daniel Kim"]);
        let named = conversation(&["Maria Lopez", "Daniel Kim"]);
        let de = directory(&["+4930123456"]);
        let r = for_conversation(None, &uk, Some(&de));
        assert_eq!(
            (r.region.as_deref(), r.basis),
            (Some("GB"), RegionBasis::Participants)
        );
        assert_eq!(label(&r), "GB (participants 2/2)");
        let r = for_conversation(None, &named, Some(&de));
        assert_eq!(
            (r.region.as_deref(), r.basis),
            (Some("DE"), RegionBasis::Directory)
        );
        assert_eq!(label(&r), "DE (directory)");
        let r = for_conversation(None, &named, Some(&directory(&[])));
        assert_eq!((r.region.as_deref(), r.basis), (None, RegionBasis::None));
        assert_eq!(label(&r), "none");
        let r = for_conversation(Some("FR"), &uk, Some(&de));
        assert_eq!(label(&r), "FR (--region)");
    }

    #[test]
    fn the_notes_name_ties_and_missing_regions_without_numbers() {
        let tie = conversation(&["+44 7700 900123", "+49 151 23456789"]);
        let outcome = |r: PhoneRegion| ConversationOutcome {
            id: "0123456789abcdef".into(),
            phone_region: Some(r),
            ..Default::default()
        };
        let notes = notes(&[
            outcome(for_conversation(None, &tie, None)),
            outcome(for_conversation(None, &conversation(&["A"]), None)),
        ]);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].contains("split evenly between DE and GB; no default region"),
            "{notes:?}"
        );
        assert!(
            notes[1].starts_with("1 conversation(s) had no phone region"),
            "{notes:?}"
        );
        let de = directory(&["+4930123456"]);
        let with_directory = super::notes(&[outcome(for_conversation(None, &tie, Some(&de)))]);
        assert_eq!(with_directory.len(), 1, "{with_directory:?}");
        assert!(
            with_directory[0].contains("read with the directory's region DE"),
            "{with_directory:?}"
        );
        assert!(
            notes
                .iter()
                .all(|n| !n.contains("7700") && !n.contains("151"))
        );
    }

    #[test]
    fn region_arguments_are_checked() {
        assert_eq!(parse_arg("gb").unwrap(), "GB");
        assert!(parse_arg("UK").unwrap_err().contains("code is GB"));
        assert!(parse_arg("USA").unwrap_err().contains("ISO 3166 alpha-2"));
        assert!(
            parse_arg("XX")
                .unwrap_err()
                .contains("phone numbering plan")
        );
    }
}
