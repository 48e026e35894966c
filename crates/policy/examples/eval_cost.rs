//! Policy evaluation cost per message with 200 rules.
//!
//! `cargo run --release -p chatwarden-policy --example eval_cost [messages]`
//!
//! Builds a policy of 200 rules (the 8 default rules, 192 generated ones over the
//! inspection entities with varied directions, departments, sources, time windows and
//! custodians, plus the default promissory lexicon) and evaluates 200,000 synthetic
//! messages, about 5% of them carrying findings, in 50 conversations. Prints the cost
//! per message of `prepare` + `evaluate_prepared` (the ingest path) and of the one-call
//! `evaluate`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chatwarden_model::{
    Channel, Conversation, Finding, Message, MessageKind, Participant, SourceRef, TimeSource,
};
use chatwarden_policy::policy::KNOWN_ENTITIES;
use chatwarden_policy::{DEFAULT_POLICY, Directory, Employee, Policy, evaluate};
use std::fmt::Write as _;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);

    let mut src = DEFAULT_POLICY.to_owned();
    let directions = ["any", "internal", "external", "unknown", "not_internal"];
    let senders = ["any", "internal", "not_internal"];
    let sources = ["any", "message", "attachment"];
    for i in 0..192 {
        let e1 = KNOWN_ENTITIES[i % KNOWN_ENTITIES.len()];
        let e2 = KNOWN_ENTITIES[(i * 7 + 3) % KNOWN_ENTITIES.len()];
        let mut rule = format!(
            "\n[[rule]]\nid = \"generated-{i}\"\nseverity = \"{}\"\nentities = [\"{e1}\", \"{e2}\"]\nmin_score = 0.{}\nmin_count = {}\ndirection = \"{}\"\nsender = \"{}\"\nsource = \"{}\"\nactions = [\"alert\"]\n",
            ["low", "medium", "high", "critical"][i % 4],
            5 + i % 4,
            1 + i % 3,
            directions[i % directions.len()],
            senders[i % senders.len()],
            sources[i % sources.len()],
        );
        if i % 5 == 0 {
            rule.push_str("time = \"outside_business_hours\"\n");
        }
        if i % 7 == 0 {
            rule.push_str("except_departments = [\"Payments\", \"Finance\"]\n");
        }
        if i % 11 == 0 {
            writeln!(rule, "custodians = [\"e{}\"]", i % 10).unwrap();
        }
        src.push_str(&rule);
    }
    let policy = Policy::from_toml(&src, "bench.toml").unwrap();
    assert_eq!(policy.rules.len(), 200);

    let employees: Vec<Employee> = (0..10)
        .map(|i| Employee {
            id: format!("e{i}"),
            name: format!("Employee {i}"),
            emails: vec![format!("e{i}@northwind-capital.example")],
            phones: vec![format!("+44 20 7946 01{i:02}")],
            department: Some(["Sales", "Payments", "Research"][i % 3].to_owned()),
            supervisor: None,
        })
        .collect();
    let dir = Directory::new(["northwind-capital.example"], ["+44 20 7946 0"], employees).unwrap();

    let conversations: Vec<Conversation> = (0..50)
        .map(|c| {
            let key = format!("whatsapp:e{}:chat{c}", c % 10);
            let mut participants = vec![Participant {
                id: Participant::id_for(Channel::Whatsapp, "Me"),
                display_name: "Me".into(),
                phone: None,
                is_self: true,
            }];
            let other = match c % 3 {
                0 => (
                    "Colleague".to_owned(),
                    Some(format!("+44 20 7946 01{:02}", (c + 1) % 10)),
                ),
                1 => ("Client".to_owned(), Some(format!("+1 415 555 {:04}", c))),
                _ => ("Contact".to_owned(), None),
            };
            participants.push(Participant {
                id: Participant::id_for(Channel::Whatsapp, &other.0),
                display_name: other.0,
                phone: other.1,
                is_self: false,
            });
            Conversation {
                id: Conversation::id_for(Channel::Whatsapp, &key),
                channel: Channel::Whatsapp,
                title: format!("chat{c}"),
                source_key: key,
                custodian: Some(format!("e{}", c % 10)),
                is_group: false,
                participants,
            }
        })
        .collect();

    let texts = [
        "see you at the meeting tomorrow",
        "can you send me the latest numbers please",
        "ok",
        "I guarantee you a 12% return on this one",
        "thanks, will do",
    ];
    let mut work: Vec<(usize, Message, Vec<Finding>)> = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % conversations.len();
        let conv = &conversations[c];
        let local =
            jiff::civil::date(2024, 3, 4 + (i % 5) as i8).at((i % 24) as i8, (i % 60) as i8, 0, 0);
        let text = texts[i % texts.len()];
        let sender = if i % 2 == 0 {
            "Me"
        } else {
            conv.participants[1].display_name.as_str()
        };
        let msg = Message {
            id: Message::derived_id(&conv.id, &local, Some(sender), text, i as u64),
            conversation: conv.id.clone(),
            seq: i as u64,
            kind: MessageKind::Message,
            sender: Some(sender.to_owned()),
            sender_id: Some(Participant::id_for(Channel::Whatsapp, sender)),
            sent_at: local.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp(),
            local_time: local,
            time_source: TimeSource::AssumedUtc,
            text: text.to_owned(),
            attachments: Vec::new(),
            deleted: false,
            edited: false,
            source: SourceRef {
                file: "chat.txt".into(),
                line: i as u64,
            },
            reply_to: None,
            forwarded_from: None,
        };
        let findings = if i % 20 == 0 {
            (0..1 + i % 3)
                .map(|k| Finding {
                    message: msg.id.clone(),
                    entity: KNOWN_ENTITIES[(i / 20 + k) % KNOWN_ENTITIES.len()].to_owned(),
                    detector: "bench".into(),
                    start: 0,
                    end: 4,
                    score: 0.9,
                    preview: "••••".into(),
                    value_hash: "00".into(),
                    attachment: (k == 1).then(|| "file.pdf".to_owned()),
                })
                .collect()
        } else {
            Vec::new()
        };
        work.push((c, msg, findings));
    }

    // Ingest path: prepare each conversation once, evaluate its messages.
    let start = Instant::now();
    let prepared: Vec<_> = conversations
        .iter()
        .map(|c| policy.prepare(&dir, c))
        .collect();
    let mut hits = 0usize;
    for (c, msg, findings) in &work {
        hits += policy.evaluate_prepared(&prepared[*c], msg, findings).len();
    }
    let prepared_ns = start.elapsed().as_nanos() as f64 / n as f64;

    // One call per message (classifies the conversation every time).
    let start = Instant::now();
    let mut hits2 = 0usize;
    for (c, msg, findings) in &work {
        hits2 += evaluate(&policy, &dir, &conversations[*c], msg, findings).len();
    }
    let single_ns = start.elapsed().as_nanos() as f64 / n as f64;
    assert_eq!(hits, hits2);

    println!(
        "rules: {}, messages: {n}, with findings: {}, rule hits: {hits}",
        policy.rules.len(),
        n / 20
    );
    println!(
        "prepare once + evaluate_prepared: {prepared_ns:.0} ns/message ({:.2} M messages/s)",
        1e3 / prepared_ns
    );
    println!(
        "evaluate (per call):              {single_ns:.0} ns/message ({:.2} M messages/s)",
        1e3 / single_ns
    );
}
