//! Stable ids: overlapping exports of one chat give identical ids for the
//! messages they share; identical repeats stay apart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ExportSource, ParseOptions};
use chatwarden_model::Message;
use std::collections::HashMap;

/// Message `i` (1-based) of a synthetic Android chat: some repeat "ok" in one minute.
fn line(i: u32) -> String {
    let day = 1 + (i / 40);
    let minute = i % 40;
    let who = if i.is_multiple_of(3) {
        "Ravi Kumar"
    } else {
        "Mei Chen"
    };
    let text = if i.is_multiple_of(10) || i % 10 == 1 {
        "ok".to_owned()
    } else {
        format!("update number {i}")
    };
    // i%10==1 shares the minute of i%10==0 → identical (time, sender, text) when the sender matches.
    let minute = if i % 10 == 1 { (i - 1) % 40 } else { minute };
    let who = if i % 10 == 1 {
        if (i - 1).is_multiple_of(3) {
            "Ravi Kumar"
        } else {
            "Mei Chen"
        }
    } else {
        who
    };
    let mut s = format!("{day:02}/05/2024, 10:{minute:02} - {who}: {text}\n");
    if i.is_multiple_of(7) {
        s.push_str("second line of the message\n");
    }
    s
}

fn export(range: std::ops::RangeInclusive<u32>) -> String {
    range.map(line).collect()
}

fn read(name: &str, text: String) -> (Box<dyn ExportSource>, Vec<Message>) {
    let mut src =
        chatwarden_connectors::open_bytes(name, text.into_bytes(), &ParseOptions::default())
            .unwrap();
    let msgs = src
        .messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (src, msgs)
}

#[test]
fn overlapping_exports_share_ids() {
    let (a_src, a) = read("WhatsApp Chat with Mei Chen.txt", export(1..=60));
    let (b_src, b) = read("WhatsApp Chat with Mei Chen (1).txt", export(40..=100));
    assert_eq!(a.len(), 60);
    assert_eq!(b.len(), 61);
    assert_eq!(a_src.conversation().id, b_src.conversation().id);
    let a_ids: Vec<_> = a.iter().map(|m| m.id.clone()).collect();
    let b_ids: Vec<_> = b.iter().map(|m| m.id.clone()).collect();
    // Messages 40..=60 are a[39..60] and b[0..21].
    assert_eq!(&a_ids[39..60], &b_ids[0..21]);
    // Nothing else is shared.
    let shared = a_ids.iter().filter(|id| b_ids.contains(id)).count();
    assert_eq!(shared, 21);
    // Ids are unique within an export even for identical repeats.
    let mut seen = HashMap::new();
    for m in &a {
        assert!(
            seen.insert(m.id.clone(), m.seq).is_none(),
            "duplicate id at seq {}",
            m.seq
        );
    }
    // There are identical repeats ("ok" twice in one minute by one sender).
    let repeats = a
        .windows(2)
        .filter(|w| {
            w[0].local_time == w[1].local_time
                && w[0].sender == w[1].sender
                && w[0].text == w[1].text
        })
        .count();
    assert!(repeats >= 3, "{repeats}");
    // Reading again gives the same ids.
    let (_, again) = read("WhatsApp Chat with Mei Chen.txt", export(1..=60));
    assert_eq!(
        again.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
        a_ids
    );
}

#[test]
fn ids_depend_on_custodian() {
    let text = export(1..=5);
    let opts = ParseOptions {
        custodian: Some("mei@corp.test".into()),
        ..Default::default()
    };
    let mut s1 = chatwarden_connectors::open_bytes(
        "WhatsApp Chat with Mei Chen.txt",
        text.clone().into_bytes(),
        &opts,
    )
    .unwrap();
    let (_, plain) = read("WhatsApp Chat with Mei Chen.txt", text);
    let with: Vec<_> = s1.messages().unwrap().map(|m| m.unwrap().id).collect();
    assert_eq!(with.len(), plain.len());
    assert!(with.iter().zip(&plain).all(|(a, b)| *a != b.id));
}
