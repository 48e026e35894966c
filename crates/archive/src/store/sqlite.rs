//! SQLite record store (rusqlite, bundled SQLite): WAL journal, `synchronous=FULL` so a
//! committed batch survives power loss, one transaction per [`WriteBatch`].

use super::*;
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::HashSet;
use std::path::Path;

const SCHEMA: &str = include_str!("../schema.sql");

/// The embedded record store.
pub struct SqliteStore {
    conn: Connection,
}

fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn hash_of(bytes: Vec<u8>) -> [u8; 32] {
    let mut h = [0u8; 32];
    if bytes.len() == 32 {
        h.copy_from_slice(&bytes);
    }
    h
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies the schema.
    pub fn open(path: &Path) -> Result<Self, ArchiveError> {
        let conn = Connection::open(path)?;
        Self::setup(conn)
    }

    /// An in-memory store (tests, conformance suite).
    pub fn in_memory() -> Result<Self, ArchiveError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(conn: Connection) -> Result<Self, ArchiveError> {
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // `apply` alone uses ~17 statements; keep them all prepared between batches.
        conn.set_prepared_statement_cache_capacity(64);
        // journal_mode returns a row; query it rather than execute.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
        // Performance only; durability is set above. A 5,000-message batch with its leaves
        // and indexes dirties more pages than SQLite's default 2 MiB cache, which then spills
        // pages into the WAL mid-transaction; 32 MiB keeps a batch in memory. A WAL
        // checkpoint every 8,000 pages (32 MiB) instead of 1,000 copies each hot page back
        // to the database less often. Neither changes what is fsynced at commit.
        conn.execute_batch("PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=8000;")?;
        conn.execute_batch(SCHEMA)?;
        Ok(SqliteStore { conn })
    }

    /// The underlying connection (tests use it to simulate tampering).
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

fn data_key_row(r: &Row<'_>) -> rusqlite::Result<DataKeyRow> {
    Ok(DataKeyRow {
        scope: r.get(0)?,
        conversation: r.get(1)?,
        sender: r.get(2)?,
        kind: r.get(3)?,
        kek_version: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        wrapped: r.get(5)?,
        shredded_at: r.get(6)?,
        shred_reason: r.get(7)?,
    })
}
const DATA_KEY_COLS: &str =
    "scope, conversation, sender, kind, kek_version, wrapped, shredded_at, shred_reason";

fn conversation_row(r: &Row<'_>) -> rusqlite::Result<ConversationRow> {
    Ok(ConversationRow {
        id: r.get(0)?,
        channel: r.get(1)?,
        is_group: r.get::<_, i64>(2)? != 0,
        custodian_tag: r.get(3)?,
        key_scope: r.get(4)?,
        sealed: r.get(5)?,
        leaf_index: u64_of(r.get(6)?),
    })
}
const CONVERSATION_COLS: &str =
    "id, channel, is_group, custodian_tag, key_scope, sealed, leaf_index";

fn participant_row(r: &Row<'_>) -> rusqlite::Result<ParticipantRow> {
    Ok(ParticipantRow {
        conversation: r.get(0)?,
        id: r.get(1)?,
        key_scope: r.get(2)?,
        sealed: r.get(3)?,
        leaf_index: u64_of(r.get(4)?),
    })
}
const PARTICIPANT_COLS: &str = "conversation, id, key_scope, sealed, leaf_index";

/// A message's key scope as stored: `./<rest>` for the usual `c/<conversation>/<rest>`
/// (the conversation is in the same row; 34 bytes less per message), any other scope as is.
/// A full scope never starts with `./`.
fn scope_to_disk<'a>(conversation: &str, scope: &'a str) -> std::borrow::Cow<'a, str> {
    match scope
        .strip_prefix("c/")
        .and_then(|r| r.strip_prefix(conversation))
        .and_then(|r| r.strip_prefix('/'))
    {
        Some(rest) => std::borrow::Cow::Owned(format!("./{rest}")),
        None => std::borrow::Cow::Borrowed(scope),
    }
}

/// The inverse of [`scope_to_disk`].
fn scope_from_disk(conversation: &str, stored: String) -> String {
    match stored.strip_prefix("./") {
        Some(rest) => format!("c/{conversation}/{rest}"),
        None => stored,
    }
}

fn message_row(r: &Row<'_>) -> rusqlite::Result<MessageRow> {
    let conversation: String = r.get(1)?;
    Ok(MessageRow {
        id: r.get(0)?,
        key_scope: scope_from_disk(&conversation, r.get(4)?),
        conversation,
        seq: r.get(2)?,
        sent_at: r.get(3)?,
        sealed: r.get(5)?,
        leaf_index: u64_of(r.get(6)?),
    })
}
const MESSAGE_COLS: &str = "id, conversation, seq, sent_at, key_scope, sealed, leaf_index";

fn finding_row(r: &Row<'_>) -> rusqlite::Result<FindingRow> {
    Ok(FindingRow {
        id: r.get(0)?,
        message: r.get(1)?,
        conversation: r.get(2)?,
        entity: r.get(3)?,
        key_scope: r.get(4)?,
        sealed: r.get(5)?,
        leaf_index: u64_of(r.get(6)?),
    })
}
const FINDING_COLS: &str = "id, message, conversation, entity, key_scope, sealed, leaf_index";

fn blob_row(r: &Row<'_>) -> rusqlite::Result<BlobRow> {
    Ok(BlobRow {
        name: r.get(0)?,
        conversation: r.get(1)?,
        key_scope: r.get(2)?,
        sealed_size: u64_of(r.get(3)?),
        sealed_sha256: r.get(4)?,
        leaf_index: r.get::<_, Option<i64>>(5)?.map(u64_of),
    })
}
const BLOB_COLS: &str = "name, conversation, key_scope, sealed_size, sealed_sha256, leaf_index";

fn event_row(r: &Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        seq: u64_of(r.get(0)?),
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        target: r.get(4)?,
        sealed: r.get(5)?,
        leaf_index: u64_of(r.get(6)?),
    })
}
const EVENT_COLS: &str = "seq, at, actor, action, target, sealed, leaf_index";

fn hold_row(r: &Row<'_>) -> rusqlite::Result<HoldRow> {
    Ok(HoldRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        target_tag: r.get(2)?,
        sealed: r.get(3)?,
        created_at: r.get(4)?,
        created_by: r.get(5)?,
        released_at: r.get(6)?,
        released_by: r.get(7)?,
    })
}
const HOLD_COLS: &str =
    "id, kind, target_tag, sealed, created_at, created_by, released_at, released_by";

fn alert_row(r: &Row<'_>) -> rusqlite::Result<AlertRow> {
    Ok(AlertRow {
        id: r.get(0)?,
        group_id: r.get(1)?,
        conversation: r.get(2)?,
        message: r.get(3)?,
        rule: r.get(4)?,
        severity: r.get(5)?,
        sent_at: r.get(6)?,
        created_at: r.get(7)?,
        sealed: r.get(8)?,
        leaf_index: u64_of(r.get(9)?),
    })
}
const ALERT_COLS: &str =
    "id, group_id, conversation, message, rule, severity, sent_at, created_at, sealed, leaf_index";

fn review_row(r: &Row<'_>) -> rusqlite::Result<ReviewRow> {
    Ok(ReviewRow {
        seq: u64_of(r.get(0)?),
        group_id: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        action: r.get(4)?,
        is_review: r.get::<_, i64>(5)? != 0,
        sealed: r.get(6)?,
        leaf_index: u64_of(r.get(7)?),
    })
}
const REVIEW_COLS: &str = "seq, group_id, at, actor, action, is_review, sealed, leaf_index";

fn leaf_row(r: &Row<'_>) -> rusqlite::Result<LeafRow> {
    Ok(LeafRow {
        index: u64_of(r.get(0)?),
        kind: r.get(1)?,
        record_id: r.get(2)?,
        hash: hash_of(r.get(3)?),
    })
}

fn checkpoint_row(r: &Row<'_>) -> rusqlite::Result<CheckpointRow> {
    Ok(CheckpointRow {
        size: u64_of(r.get(0)?),
        root: hash_of(r.get(1)?),
        note: r.get(2)?,
        frontier: r.get(3)?,
        created_at: r.get(4)?,
    })
}
const CHECKPOINT_COLS: &str = "size, root, note, frontier, created_at";

/// Ids per `SELECT id FROM … WHERE id IN (…)` (well under SQLite's 32,766 bound parameters).
const IN_CHUNK: usize = 500;

/// Which of `ids` are stored in `table` (`messages`, `findings` or `alerts`): one query per
/// [`IN_CHUNK`] ids rather than one per id. The lookup reads only the id index.
fn existing_ids(
    conn: &Connection,
    table: &'static str,
    ids: &[&str],
) -> Result<HashSet<String>, ArchiveError> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let mut st = conn.prepare_cached(&format!(
            "SELECT id FROM {table} WHERE id IN ({placeholders})"
        ))?;
        let mut rows = st.query(rusqlite::params_from_iter(chunk.iter()))?;
        while let Some(r) = rows.next()? {
            found.insert(r.get::<_, String>(0)?);
        }
    }
    Ok(found)
}

impl RecordStore for SqliteStore {
    fn apply(&mut self, b: &WriteBatch) -> Result<(), ArchiveError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if !b.leaves.is_empty() {
            // The log's size is one past its last index (leaves are appended contiguously;
            // `verify` reports gaps). MAX is one B-tree descent where COUNT(*) read the
            // whole table on every batch.
            let last: Option<i64> = tx
                .prepare_cached("SELECT MAX(idx) FROM leaves")?
                .query_row([], |r| r.get(0))?;
            let found = last.map_or(0, |i| u64_of(i).saturating_add(1));
            if found != b.expected_log_size {
                return Err(ArchiveError::LogConflict {
                    expected: b.expected_log_size,
                    found,
                });
            }
        }
        {
            let mut st = tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?;
            for (k, v) in &b.meta {
                st.execute(params![k, v])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO data_keys (scope, conversation, sender, kind, kek_version, wrapped, shredded_at, shred_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (scope) DO NOTHING",
            )?;
            for k in &b.data_keys {
                st.execute(params![
                    k.scope,
                    k.conversation,
                    k.sender,
                    k.kind,
                    i64::from(k.kek_version),
                    k.wrapped,
                    k.shredded_at,
                    k.shred_reason
                ])?;
            }
            for u in &b.key_updates {
                match u {
                    KeyUpdate::Rewrap {
                        scope,
                        kek_version,
                        wrapped,
                    } => {
                        tx.prepare_cached(
                            "UPDATE data_keys SET kek_version = ?2, wrapped = ?3 WHERE scope = ?1 AND wrapped IS NOT NULL",
                        )?
                        .execute(params![scope, i64::from(*kek_version), wrapped])?;
                    }
                    KeyUpdate::Shred { scope, at, reason } => {
                        tx.prepare_cached(
                            "UPDATE data_keys SET wrapped = NULL, shredded_at = ?2, shred_reason = ?3 WHERE scope = ?1 AND wrapped IS NOT NULL",
                        )?
                        .execute(params![scope, at, reason])?;
                    }
                }
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO conversations (id, channel, is_group, custodian_tag, key_scope, sealed, leaf_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            )?;
            for c in &b.conversations {
                st.execute(params![
                    c.id,
                    c.channel,
                    i64::from(c.is_group),
                    c.custodian_tag,
                    c.key_scope,
                    c.sealed,
                    i64_of(c.leaf_index)
                ])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO participants (conversation, id, key_scope, sealed, leaf_index)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (conversation, id) DO NOTHING",
            )?;
            for p in &b.participants {
                st.execute(params![
                    p.conversation,
                    p.id,
                    p.key_scope,
                    p.sealed,
                    i64_of(p.leaf_index)
                ])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO messages (id, conversation, seq, sent_at, key_scope, sealed, leaf_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            )?;
            for m in &b.messages {
                let inserted = st.execute(params![
                    m.id,
                    m.conversation,
                    m.seq,
                    m.sent_at,
                    scope_to_disk(&m.conversation, &m.key_scope),
                    m.sealed,
                    i64_of(m.leaf_index)
                ])?;
                if inserted == 0 && b.messages_must_be_new {
                    // Dropping `tx` rolls the whole batch back.
                    return Err(ArchiveError::AlreadyStored {
                        kind: "message",
                        id: m.id.clone(),
                    });
                }
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO findings (id, message, conversation, entity, key_scope, sealed, leaf_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            )?;
            for f in &b.findings {
                st.execute(params![
                    f.id,
                    f.message,
                    f.conversation,
                    f.entity,
                    f.key_scope,
                    f.sealed,
                    i64_of(f.leaf_index)
                ])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO blobs (name, conversation, key_scope, sealed_size, sealed_sha256, leaf_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING",
            )?;
            for bl in &b.blobs {
                st.execute(params![
                    bl.name,
                    bl.conversation,
                    bl.key_scope,
                    i64_of(bl.sealed_size),
                    bl.sealed_sha256,
                    bl.leaf_index.map(i64_of)
                ])?;
            }
            let mut st = tx.prepare_cached(
                "UPDATE blobs SET leaf_index = ?2 WHERE name = ?1 AND leaf_index IS NULL",
            )?;
            for (name, idx) in &b.blob_leaves {
                st.execute(params![name, i64_of(*idx)])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO attachment_refs (message, blob, conversation)
                 SELECT ?1, ?2, conversation FROM messages WHERE id = ?1
                 ON CONFLICT (message, blob) DO NOTHING",
            )?;
            for a in &b.attachment_refs {
                st.execute(params![a.message, a.blob])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO events (seq, at, actor, action, target, sealed, leaf_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for e in &b.events {
                st.execute(params![
                    i64_of(e.seq),
                    e.at,
                    e.actor,
                    e.action,
                    e.target,
                    e.sealed,
                    i64_of(e.leaf_index)
                ])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO holds (id, kind, target_tag, sealed, created_at, created_by, released_at, released_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for h in &b.holds {
                st.execute(params![
                    h.id,
                    h.kind,
                    h.target_tag,
                    h.sealed,
                    h.created_at,
                    h.created_by,
                    h.released_at,
                    h.released_by
                ])?;
            }
            let mut st = tx.prepare_cached(
                "UPDATE holds SET released_at = ?2, released_by = ?3 WHERE id = ?1 AND released_at IS NULL",
            )?;
            for (id, at, by) in &b.hold_releases {
                st.execute(params![id, at, by])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO alerts (id, group_id, conversation, message, rule, severity, sent_at, created_at, sealed, leaf_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO NOTHING",
            )?;
            for a in &b.alerts {
                st.execute(params![
                    a.id,
                    a.group_id,
                    a.conversation,
                    a.message,
                    a.rule,
                    a.severity,
                    a.sent_at,
                    a.created_at,
                    a.sealed,
                    i64_of(a.leaf_index)
                ])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO reviews (seq, group_id, at, actor, action, is_review, sealed, leaf_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for v in &b.reviews {
                st.execute(params![
                    i64_of(v.seq),
                    v.group_id,
                    v.at,
                    v.actor,
                    v.action,
                    i64::from(v.is_review),
                    v.sealed,
                    i64_of(v.leaf_index)
                ])?;
            }
            let mut st = tx.prepare_cached(
                "INSERT INTO leaves (idx, kind, record_id, hash) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for l in &b.leaves {
                st.execute(params![i64_of(l.index), l.kind, l.record_id, &l.hash[..]])?;
            }
            if let Some(c) = &b.checkpoint {
                tx.prepare_cached(
                    "INSERT INTO checkpoints (size, root, note, frontier, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (size) DO NOTHING",
                )?
                .execute(params![i64_of(c.size), &c.root[..], c.note, c.frontier, c.created_at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn meta(&mut self, key: &str) -> Result<Option<String>, ArchiveError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn data_key(&mut self, scope: &str) -> Result<Option<DataKeyRow>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {DATA_KEY_COLS} FROM data_keys WHERE scope = ?1"
            ))?
            .query_row(params![scope], data_key_row)
            .optional()?)
    }

    fn data_keys(&mut self) -> Result<Vec<DataKeyRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {DATA_KEY_COLS} FROM data_keys ORDER BY scope"
        ))?;
        let rows = st
            .query_map([], data_key_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn conversation(&mut self, id: &str) -> Result<Option<ConversationRow>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {CONVERSATION_COLS} FROM conversations WHERE id = ?1"
            ))?
            .query_row(params![id], conversation_row)
            .optional()?)
    }

    fn conversations(&mut self) -> Result<Vec<ConversationRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {CONVERSATION_COLS} FROM conversations ORDER BY id"
        ))?;
        let rows = st
            .query_map([], conversation_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn conversation_stats(&mut self, id: &str) -> Result<ConversationStats, ArchiveError> {
        let (messages, first, last): (i64, Option<i64>, Option<i64>) = self.conn.query_row(
            "SELECT COUNT(*), MIN(sent_at), MAX(sent_at) FROM messages WHERE conversation = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let participants: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM participants WHERE conversation = ?1",
            params![id],
            |r| r.get(0),
        )?;
        let findings: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM findings WHERE conversation = ?1",
            params![id],
            |r| r.get(0),
        )?;
        Ok(ConversationStats {
            participants: u64_of(participants),
            messages: u64_of(messages),
            findings: u64_of(findings),
            first_sent_at: first,
            last_sent_at: last,
        })
    }

    fn participants(&mut self, conversation: &str) -> Result<Vec<ParticipantRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {PARTICIPANT_COLS} FROM participants WHERE conversation = ?1 ORDER BY leaf_index"
        ))?;
        let rows = st
            .query_map(params![conversation], participant_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn existing_messages(&mut self, ids: &[&str]) -> Result<HashSet<String>, ArchiveError> {
        existing_ids(&self.conn, "messages", ids)
    }

    fn messages(&mut self, conversation: &str) -> Result<Vec<MessageRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLS} FROM messages WHERE conversation = ?1 ORDER BY sent_at, seq, id"
        ))?;
        let rows = st
            .query_map(params![conversation], message_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn message(&mut self, id: &str) -> Result<Option<MessageRow>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {MESSAGE_COLS} FROM messages WHERE id = ?1"
            ))?
            .query_row(params![id], message_row)
            .optional()?)
    }

    fn message_scopes(
        &mut self,
        conversation: &str,
    ) -> Result<Vec<(String, String, i64)>, ArchiveError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, key_scope, sent_at FROM messages WHERE conversation = ?1",
        )?;
        let rows = st
            .query_map(params![conversation], |r| {
                Ok((
                    r.get(0)?,
                    scope_from_disk(conversation, r.get(1)?),
                    r.get(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn message_count(&mut self) -> Result<u64, ArchiveError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))?;
        Ok(u64_of(n))
    }

    fn findings(&mut self, q: &FindingQuery) -> Result<Vec<FindingRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {FINDING_COLS} FROM findings
             WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR conversation = ?2) AND (?3 IS NULL OR message = ?3)
             ORDER BY leaf_index"
        ))?;
        let rows = st
            .query_map(params![q.entity, q.conversation, q.message], finding_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn finding_ids(&mut self, ids: &[&str]) -> Result<HashSet<String>, ArchiveError> {
        existing_ids(&self.conn, "findings", ids)
    }

    fn blob(&mut self, name: &str) -> Result<Option<BlobRow>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {BLOB_COLS} FROM blobs WHERE name = ?1"))?
            .query_row(params![name], blob_row)
            .optional()?)
    }

    fn blobs(&mut self, conversation: &str) -> Result<Vec<BlobRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {BLOB_COLS} FROM blobs WHERE conversation = ?1 ORDER BY name"
        ))?;
        let rows = st
            .query_map(params![conversation], blob_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn attachment_refs(
        &mut self,
        conversation: &str,
    ) -> Result<Vec<AttachmentRefRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(
            "SELECT message, blob FROM attachment_refs WHERE conversation = ?1 ORDER BY message, blob",
        )?;
        let rows = st
            .query_map(params![conversation], |r| {
                Ok(AttachmentRefRow {
                    message: r.get(0)?,
                    blob: r.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn events_since(&mut self, since_ms: i64) -> Result<Vec<EventRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {EVENT_COLS} FROM events WHERE at >= ?1 ORDER BY seq"
        ))?;
        let rows = st
            .query_map(params![since_ms], event_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn next_event_seq(&mut self) -> Result<u64, ArchiveError> {
        let n: Option<i64> = self
            .conn
            .query_row("SELECT MAX(seq) FROM events", [], |r| r.get(0))?;
        Ok(n.map_or(0, |n| u64_of(n) + 1))
    }

    fn holds(&mut self) -> Result<Vec<HoldRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {HOLD_COLS} FROM holds ORDER BY created_at, id"
        ))?;
        let rows = st.query_map([], hold_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn alerts(&mut self, q: &AlertQuery) -> Result<Vec<AlertRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {ALERT_COLS} FROM alerts
             WHERE (?1 IS NULL OR group_id = ?1) AND (?2 IS NULL OR conversation = ?2) AND (?3 IS NULL OR rule = ?3)
             ORDER BY sent_at, id"
        ))?;
        let rows = st
            .query_map(params![q.group, q.conversation, q.rule], alert_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn alert_ids(&mut self, ids: &[&str]) -> Result<HashSet<String>, ArchiveError> {
        existing_ids(&self.conn, "alerts", ids)
    }

    fn reviews(&mut self, group: Option<&str>) -> Result<Vec<ReviewRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {REVIEW_COLS} FROM reviews WHERE (?1 IS NULL OR group_id = ?1) ORDER BY seq"
        ))?;
        let rows = st
            .query_map(params![group], review_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn next_review_seq(&mut self) -> Result<u64, ArchiveError> {
        let n: Option<i64> = self
            .conn
            .query_row("SELECT MAX(seq) FROM reviews", [], |r| r.get(0))?;
        Ok(n.map_or(0, |n| u64_of(n) + 1))
    }

    fn log_size(&mut self) -> Result<u64, ArchiveError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM leaves", [], |r| r.get(0))?;
        Ok(u64_of(n))
    }

    fn for_each_leaf(
        &mut self,
        f: &mut dyn FnMut(LeafRow) -> Result<(), ArchiveError>,
    ) -> Result<(), ArchiveError> {
        let mut st = self
            .conn
            .prepare("SELECT idx, kind, record_id, hash FROM leaves ORDER BY idx")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(leaf_row(r)?)?;
        }
        Ok(())
    }

    fn leaf(&mut self, index: u64) -> Result<Option<LeafRow>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached("SELECT idx, kind, record_id, hash FROM leaves WHERE idx = ?1")?
            .query_row(params![i64_of(index)], leaf_row)
            .optional()?)
    }

    fn checkpoints(&mut self) -> Result<Vec<CheckpointRow>, ArchiveError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {CHECKPOINT_COLS} FROM checkpoints ORDER BY size"
        ))?;
        let rows = st
            .query_map([], checkpoint_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn latest_checkpoint(&mut self) -> Result<Option<CheckpointRow>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {CHECKPOINT_COLS} FROM checkpoints ORDER BY size DESC LIMIT 1"
            ))?
            .query_row([], checkpoint_row)
            .optional()?)
    }

    fn for_each_record(
        &mut self,
        f: &mut dyn FnMut(StoredRecord) -> Result<(), ArchiveError>,
    ) -> Result<(), ArchiveError> {
        macro_rules! stream {
            ($cols:expr, $table:literal, $conv:ident, $variant:ident) => {{
                let mut st = self
                    .conn
                    .prepare(&format!("SELECT {} FROM {}", $cols, $table))?;
                let mut rows = st.query([])?;
                while let Some(r) = rows.next()? {
                    f(StoredRecord::$variant($conv(r)?))?;
                }
            }};
        }
        stream!(
            CONVERSATION_COLS,
            "conversations",
            conversation_row,
            Conversation
        );
        stream!(
            PARTICIPANT_COLS,
            "participants",
            participant_row,
            Participant
        );
        stream!(MESSAGE_COLS, "messages", message_row, Message);
        stream!(FINDING_COLS, "findings", finding_row, Finding);
        stream!(BLOB_COLS, "blobs", blob_row, Blob);
        stream!(EVENT_COLS, "events", event_row, Event);
        stream!(ALERT_COLS, "alerts", alert_row, Alert);
        stream!(REVIEW_COLS, "reviews", review_row, Review);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_scopes_are_stored_short_and_read_back_whole() {
        let conv = "c0ffee";
        for scope in [
            "c/c0ffee/s/ab12/2024-01",
            "c/c0ffee/meta",
            "c/other/s/ab12/2024-01",
            "archive",
            "c/c0ffee",
            "",
        ] {
            let disk = scope_to_disk(conv, scope);
            assert_eq!(scope_from_disk(conv, disk.to_string()), scope, "{scope}");
        }
        assert_eq!(
            scope_to_disk(conv, "c/c0ffee/s/ab12/2024-01"),
            "./s/ab12/2024-01"
        );
        // Rows written before the short form (full scopes) read back unchanged.
        assert_eq!(
            scope_from_disk(conv, "c/c0ffee/s/ab12/2024-01".into()),
            "c/c0ffee/s/ab12/2024-01"
        );
    }

    #[test]
    fn in_memory_sqlite_passes_the_conformance_suite() {
        crate::store::conformance::run(&|| Ok(Box::new(SqliteStore::in_memory()?))).unwrap();
    }

    #[test]
    fn file_sqlite_in_wal_mode_passes_the_conformance_suite() {
        let dir = tempfile::tempdir().unwrap();
        let counter = std::cell::Cell::new(0);
        crate::store::conformance::run(&|| {
            counter.set(counter.get() + 1);
            let store = SqliteStore::open(&dir.path().join(format!("s{}.sqlite", counter.get())))?;
            Ok(Box::new(store))
        })
        .unwrap();
        let mut s = SqliteStore::open(&dir.path().join("s1.sqlite")).unwrap();
        let mode: String = s
            .connection()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = s
            .connection()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
    }
}
