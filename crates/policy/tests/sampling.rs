#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use chatwarden_model::MessageId;
use chatwarden_policy::{Sampler, SamplingConfig};
use std::collections::{BTreeMap, HashSet};

fn config(rate: f64) -> SamplingConfig {
    SamplingConfig {
        rate,
        custodians: BTreeMap::from([("e102".to_owned(), 0.5)]),
    }
}

fn ids(n: usize) -> Vec<MessageId> {
    (0..n)
        .map(|i| MessageId::from(format!("{i:032x}")))
        .collect()
}

#[test]
fn the_same_seed_selects_the_same_messages() {
    let a = Sampler::new(b"review-period-2024Q1", config(0.1));
    let b = Sampler::new(b"review-period-2024Q1", config(0.1));
    let other = Sampler::new(b"review-period-2024Q2", config(0.1));
    let ids = ids(5000);
    let pick = |s: &Sampler| {
        ids.iter()
            .filter(|m| s.selects(Some("e100"), m))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (pa, pb, po) = (pick(&a), pick(&b), pick(&other));
    assert_eq!(pa, pb);
    assert_ne!(pa, po, "another seed, another sample");
    // About 10 % (binomial, n = 5000: sd ≈ 21).
    assert!((400..=600).contains(&pa.len()), "{}", pa.len());
}

#[test]
fn rates_per_custodian_and_monotonic_in_rate() {
    let s = Sampler::new(b"k", config(0.02));
    let ids = ids(4000);
    let e102 = ids.iter().filter(|m| s.selects(Some("e102"), m)).count();
    let e100 = ids.iter().filter(|m| s.selects(Some("e100"), m)).count();
    let nobody = ids.iter().filter(|m| s.selects(None, m)).count();
    assert!((1800..=2200).contains(&e102), "{e102}");
    assert!((40..=130).contains(&e100), "{e100}");
    assert!((40..=130).contains(&nobody), "{nobody}");
    // Raising the rate keeps everything already sampled.
    let more = Sampler::new(b"k", config(0.05));
    for m in &ids {
        if s.selects(Some("e100"), m) {
            assert!(more.selects(Some("e100"), m));
        }
    }
    assert!(
        ids.iter()
            .all(|m| !Sampler::new(b"k", config(0.0)).selects(Some("e100"), m))
    );
    assert!(
        ids.iter()
            .all(|m| Sampler::new(b"k", config(1.0)).selects(Some("e100"), m))
    );
}

#[test]
fn sample_skips_flagged_and_system_messages() {
    let conv = common::conversation(
        "e102",
        "Sofia",
        &[common::participant("Client", Some("+14155550199"), false)],
    );
    let mut msgs: Vec<_> = (0..200)
        .map(|i| {
            common::message(
                &conv,
                i,
                "Sofia",
                4,
                10,
                (i % 60) as i8,
                &format!("note {i}"),
            )
        })
        .collect();
    msgs[1].kind = chatwarden_model::MessageKind::System;
    let s = Sampler::new(b"seed", config(0.0));
    let all = s.sample(Some("e102"), &msgs, &HashSet::new());
    assert!(
        all.iter()
            .all(|x| x.rate == 0.5 && x.custodian.as_deref() == Some("e102"))
    );
    assert!(
        !all.iter().any(|x| x.message == msgs[1].id),
        "system lines are not sampled"
    );
    let flagged: HashSet<MessageId> = all.iter().take(3).map(|x| x.message.clone()).collect();
    let rest = s.sample(Some("e102"), &msgs, &flagged);
    assert_eq!(rest.len(), all.len() - 3);
    assert!(rest.iter().all(|x| !flagged.contains(&x.message)));
}
