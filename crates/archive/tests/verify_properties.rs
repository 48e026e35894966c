#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Property tests of tamper evidence at the archive level (issue 4): any sequence of
//! appended batches verifies, and any single changed byte of a stored record, any
//! deleted leaf and any two swapped leaves is detected, with the record it touches
//! named by kind and id. (`tlog_merkle.rs` tests the same at the level of the hashes.)

mod common;

use chatwarden_archive::VerifyReport;
use common::*;
use proptest::prelude::*;
use rusqlite::{Connection, params};

/// Tables whose rows are log records: (table, kind as verify names it, SQL giving the
/// record id as the log names it).
const RECORD_TABLES: [(&str, &str, &str); 5] = [
    ("conversations", "conversation", "id"),
    ("participants", "participant", "conversation || '/' || id"),
    ("messages", "message", "id"),
    ("findings", "finding", "id"),
    ("events", "event", "CAST(seq AS TEXT)"),
];

/// An archive holding `batches` ingest batches of generated messages (some with a card
/// finding), built through the public API as ingest does.
fn archive_with(batches: &[Vec<String>]) -> Env {
    let env = Env::new();
    let conv = conversation(
        "Desk – rates",
        "dana.desk",
        &["Dana Desk", "Omar Trader", "Lia Sales"],
    );
    let people = ["Dana Desk", "Omar Trader", "Lia Sales"];
    let mut a = env.open();
    let mut seq = 0u64;
    for (b, texts) in batches.iter().enumerate() {
        let mut msgs = Vec::new();
        let mut findings = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let minute = u8::try_from((seq % 60) as usize).unwrap();
            let day = u8::try_from(1 + b).unwrap();
            let sender = people[i % people.len()];
            let m = message(&conv, seq, sender, &format!("{text} #{seq}"), day, minute);
            if i % 3 == 0 {
                let text = format!("card 4111 1111 1111 1111 #{seq}");
                let m = message(&conv, seq, sender, &text, day, minute);
                findings.push(card_finding(&m, 5, 24));
                msgs.push(m);
            } else {
                msgs.push(m);
            }
            seq += 1;
        }
        a.ingest_batch(&conv, &msgs, &findings).unwrap();
    }
    env
}

fn db(env: &Env) -> Connection {
    Connection::open(env.data.join("archive.sqlite")).unwrap()
}

fn verify(env: &Env) -> VerifyReport {
    env.open().verify().unwrap()
}

fn names(report: &VerifyReport, kind: &str, id: &str) -> bool {
    report.problems.iter().any(|p| p.kind == kind && p.id == id)
}

/// Every (table, kind, record id, leaf index) stored.
fn records(conn: &Connection) -> Vec<(&'static str, &'static str, String, i64)> {
    let mut out = Vec::new();
    for (table, kind, id_sql) in RECORD_TABLES {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {id_sql}, leaf_index FROM {table} ORDER BY leaf_index"
            ))
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .unwrap();
        for row in rows {
            let (id, leaf) = row.unwrap();
            out.push((table, kind, id, leaf));
        }
    }
    out.sort_by_key(|r| r.3);
    out
}

fn where_clause(table: &str) -> &'static str {
    match table {
        "participants" => "conversation || '/' || id = ?1",
        "events" => "CAST(seq AS TEXT) = ?1",
        _ => "id = ?1",
    }
}

fn batches() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(prop::collection::vec("[a-z ]{1,24}", 1..6), 1..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Any appended sequence verifies; one changed byte in any record's sealed bytes is
    /// named (kind and id); restoring the byte verifies again.
    #[test]
    fn any_changed_byte_is_named(batches in batches(), pick in any::<prop::sample::Index>(), byte in any::<prop::sample::Index>(), bit in 0u8..8) {
        let env = archive_with(&batches);
        let clean = verify(&env);
        prop_assert!(clean.ok, "{:?}", clean.problems);
        let conn = db(&env);
        let all = records(&conn);
        let (table, kind, id, _) = all[pick.index(all.len())].clone();
        let sql = format!("SELECT sealed FROM {table} WHERE {}", where_clause(table));
        let original: Vec<u8> = conn.query_row(&sql, params![id], |r| r.get(0)).unwrap();
        let mut changed = original.clone();
        let at = byte.index(changed.len());
        changed[at] ^= 1 << bit;
        let update = format!("UPDATE {table} SET sealed = ?2 WHERE {}", where_clause(table));
        conn.execute(&update, params![id, changed]).unwrap();
        let r = verify(&env);
        prop_assert!(!r.ok);
        prop_assert!(names(&r, kind, &id), "{kind} {id} not named: {:?}", r.problems);
        conn.execute(&update, params![id, original]).unwrap();
        drop(conn);
        let r = verify(&env);
        prop_assert!(r.ok, "{:?}", r.problems);
    }

    /// A deleted leaf is reported, and the record it belonged to is named.
    #[test]
    fn any_deleted_leaf_is_named(batches in batches(), pick in any::<prop::sample::Index>()) {
        let env = archive_with(&batches);
        let conn = db(&env);
        let all = records(&conn);
        let (_, kind, id, leaf) = all[pick.index(all.len())].clone();
        conn.execute("DELETE FROM leaves WHERE idx = ?1", params![leaf]).unwrap();
        drop(conn);
        let r = verify(&env);
        prop_assert!(!r.ok);
        prop_assert!(names(&r, kind, &id), "{kind} {id} not named: {:?}", r.problems);
    }

    /// Two swapped leaves (the log reordered) name both records.
    #[test]
    fn any_two_swapped_leaves_are_named(batches in batches(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let env = archive_with(&batches);
        let conn = db(&env);
        let all = records(&conn);
        let (i, j) = (a.index(all.len()), b.index(all.len()));
        prop_assume!(i != j);
        let (_, kind_a, id_a, leaf_a) = all[i].clone();
        let (_, kind_b, id_b, leaf_b) = all[j].clone();
        conn.execute_batch(&format!(
            "UPDATE leaves SET idx = -1 WHERE idx = {leaf_a};
             UPDATE leaves SET idx = {leaf_a} WHERE idx = {leaf_b};
             UPDATE leaves SET idx = {leaf_b} WHERE idx = -1;"
        )).unwrap();
        drop(conn);
        let r = verify(&env);
        prop_assert!(!r.ok);
        prop_assert!(names(&r, kind_a, &id_a), "{kind_a} {id_a} not named: {:?}", r.problems);
        prop_assert!(names(&r, kind_b, &id_b), "{kind_b} {id_b} not named: {:?}", r.problems);
    }
}
