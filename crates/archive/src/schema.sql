-- chatwarden archive schema, version 1.
-- Portable subset of SQLite and PostgreSQL: TEXT, BIGINT, BLOB (BYTEA on PostgreSQL).
-- Content columns named `sealed` hold XChaCha20-Poly1305 ciphertext; nothing readable.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS data_keys (
    scope        TEXT PRIMARY KEY,
    conversation TEXT,
    sender       TEXT,
    kind         TEXT NOT NULL,
    kek_version  BIGINT NOT NULL,
    wrapped      BLOB,
    shredded_at  BIGINT,
    shred_reason TEXT
);
CREATE INDEX IF NOT EXISTS data_keys_conversation ON data_keys (conversation);

CREATE TABLE IF NOT EXISTS conversations (
    id            TEXT PRIMARY KEY,
    channel       TEXT NOT NULL,
    is_group      BIGINT NOT NULL,
    custodian_tag TEXT,
    key_scope     TEXT NOT NULL,
    sealed        BLOB NOT NULL,
    leaf_index    BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS participants (
    conversation TEXT NOT NULL,
    id           TEXT NOT NULL,
    key_scope    TEXT NOT NULL,
    sealed       BLOB NOT NULL,
    leaf_index   BIGINT NOT NULL,
    PRIMARY KEY (conversation, id)
);

CREATE TABLE IF NOT EXISTS messages (
    id           TEXT PRIMARY KEY,
    conversation TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    sent_at      BIGINT NOT NULL,
    key_scope    TEXT NOT NULL,
    sealed       BLOB NOT NULL,
    leaf_index   BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation, sent_at, seq);
-- No index on (key_scope, ...): nothing queries messages by scope (retention walks a
-- conversation's messages), and every index is written once per stored message.
DROP INDEX IF EXISTS messages_scope;

CREATE TABLE IF NOT EXISTS findings (
    id           TEXT PRIMARY KEY,
    message      TEXT NOT NULL,
    conversation TEXT NOT NULL,
    entity       TEXT NOT NULL,
    key_scope    TEXT NOT NULL,
    sealed       BLOB NOT NULL,
    leaf_index   BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_message ON findings (message);
CREATE INDEX IF NOT EXISTS findings_conversation ON findings (conversation, entity);

CREATE TABLE IF NOT EXISTS blobs (
    name          TEXT PRIMARY KEY,
    conversation  TEXT NOT NULL,
    key_scope     TEXT NOT NULL,
    sealed_size   BIGINT NOT NULL,
    sealed_sha256 TEXT NOT NULL,
    leaf_index    BIGINT
);
CREATE INDEX IF NOT EXISTS blobs_conversation ON blobs (conversation);

CREATE TABLE IF NOT EXISTS attachment_refs (
    message TEXT NOT NULL,
    blob    TEXT NOT NULL,
    conversation TEXT NOT NULL,
    PRIMARY KEY (message, blob)
);
CREATE INDEX IF NOT EXISTS attachment_refs_conversation ON attachment_refs (conversation);

CREATE TABLE IF NOT EXISTS events (
    seq        BIGINT PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    sealed     BLOB NOT NULL,
    leaf_index BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_at ON events (at);

CREATE TABLE IF NOT EXISTS holds (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    target_tag  TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    released_at BIGINT,
    released_by TEXT
);

-- Alerts and review actions (issue 6). Added with IF NOT EXISTS, so an archive made before
-- them gains the empty tables the next time it is opened; nothing else changes (format 1).
CREATE TABLE IF NOT EXISTS alerts (
    id           TEXT PRIMARY KEY,
    group_id     TEXT NOT NULL,
    conversation TEXT NOT NULL,
    message      TEXT NOT NULL,
    rule         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    sent_at      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    sealed       BLOB NOT NULL,
    leaf_index   BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_group ON alerts (group_id);
CREATE INDEX IF NOT EXISTS alerts_conversation ON alerts (conversation, rule);

CREATE TABLE IF NOT EXISTS reviews (
    seq        BIGINT PRIMARY KEY,
    group_id   TEXT NOT NULL,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    is_review  BIGINT NOT NULL,
    sealed     BLOB NOT NULL,
    leaf_index BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_group ON reviews (group_id, seq);

-- `idx INTEGER PRIMARY KEY` makes the leaf index SQLite's rowid: the table is its own
-- index on idx (no second B-tree written per leaf) and MAX(idx) is one descent. It is a
-- 64-bit integer in SQLite; use BIGINT PRIMARY KEY on PostgreSQL. Archives created with
-- `idx BIGINT PRIMARY KEY` keep working (same column, same queries).
CREATE TABLE IF NOT EXISTS leaves (
    idx       INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    record_id TEXT NOT NULL,
    hash      BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS checkpoints (
    size       BIGINT PRIMARY KEY,
    root       BLOB NOT NULL,
    note       TEXT NOT NULL,
    frontier   BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
