//! The archive: opening, ingesting and reading. Retention, holds, erasure, audit and
//! verification add their own `impl Archive` blocks in their files.
//!
//! Key scopes (one random data key each, wrapped by the master key):
//! * `archive` — the archive's own secret: seals audit details and holds, and is the HKDF
//!   input for the keyed hashes (blob names, custodian tags, finding value hashes);
//! * `c/<conv>/meta` — the conversation's title, source key and custodian;
//! * `c/<conv>/p/<participant>` — one participant's details (name, phone);
//! * `c/<conv>/s/<sender>/<yyyy-mm>` — the messages (and their findings) one sender wrote
//!   in one UTC month (`-` for system lines). Per sender so `erase --participant` can shred
//!   one person's words without touching the rest; per month so retention can shred old
//!   months while newer ones stay;
//! * `c/<conv>/b/<blob>` — one attachment file.

use crate::blob::BlobStore;
use crate::blob::local::LocalBlobStore;
use crate::error::ArchiveError;
use crate::keys::{self, KeyFile, Secret};
use crate::log::{self, LogState, PendingLeaves, kind};
use crate::seal;
use crate::store::sqlite::SqliteStore;
use crate::store::{
    AttachmentRefRow, BlobRow, ConversationRow, DataKeyRow, FindingQuery, FindingRow, MessageRow,
    ParticipantRow, RecordStore, WriteBatch,
};
use crate::tlog::{NoteSigner, TreeBuilder};
use chatwarden_model::{
    Channel, Conversation, ConversationId, Finding, IdHasher, Message, MessageId, Participant,
    ParticipantId,
};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

pub(crate) const DB_FILE: &str = "archive.sqlite";
pub(crate) const BLOB_DIR: &str = "blobs";
pub(crate) const CHECKPOINT_FILE: &str = "checkpoint";
pub(crate) const PUBKEY_FILE: &str = "log.pub";
pub(crate) const ARCHIVE_SCOPE: &str = "archive";
const FORMAT: &str = "1";

/// What `init` created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitInfo {
    /// The log's checkpoint verifier key (C2SP note verifier key text), also in `log.pub`.
    pub public_key: String,
    pub log_origin: String,
}

/// A stored attachment: its plaintext SHA-256 (hex) and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRef {
    pub sha256: String,
    pub size: u64,
}

/// What one `ingest_batch` stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Messages stored by this batch.
    pub new: u64,
    /// Messages already in the archive (or repeated within the batch), skipped.
    pub duplicate: u64,
    pub new_findings: u64,
    pub new_participants: u64,
    /// Log size after the batch.
    pub log_size: u64,
}

/// One line of the conversation listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub channel: Channel,
    /// `None` when the conversation's metadata key was shredded.
    pub title: Option<String>,
    pub custodian: Option<String>,
    pub is_group: bool,
    pub participants: u64,
    pub messages: u64,
    pub first_sent_at: Option<jiff::Timestamp>,
    pub last_sent_at: Option<jiff::Timestamp>,
    pub findings: u64,
}

/// A message as read back.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMessage {
    pub id: MessageId,
    pub conversation: ConversationId,
    pub seq: u64,
    pub sent_at: jiff::Timestamp,
    /// The decrypted message; `None` when its key was shredded.
    pub message: Option<Message>,
    pub findings: Vec<Finding>,
    pub shredded: bool,
}

/// Which findings to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FindingFilter {
    pub entity: Option<String>,
    pub conversation: Option<ConversationId>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct ConversationMeta {
    pub title: String,
    pub source_key: String,
    pub custodian: Option<String>,
}

/// An open archive.
pub struct Archive {
    pub(crate) dir: PathBuf,
    pub(crate) actor: String,
    pub(crate) keys: KeyFile,
    pub(crate) store: Box<dyn RecordStore>,
    pub(crate) blobs: Box<dyn BlobStore>,
    pub(crate) archive_key: Secret,
    pub(crate) signer: NoteSigner,
    pub(crate) origin: String,
    pub(crate) log: LogState,
    pub(crate) dek_cache: HashMap<String, Secret>,
    /// Nonces for records sealed during ingest.
    pub(crate) nonces: seal::NoncePool,
    /// Conversations whose last batch repeated stored messages: their next batch looks
    /// message ids up before sealing (see [`Archive::ingest_batch`]).
    pub(crate) look_up_first: HashSet<String>,
}

pub(crate) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

pub(crate) fn ts_of_ms(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn absolute(path: &Path) -> Result<PathBuf, ArchiveError> {
    // Canonicalize the longest existing ancestor, then add the rest.
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| ArchiveError::io(path, e))?
            .join(path)
    };
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for part in rest.into_iter().rev() {
        out.push(part);
    }
    Ok(out)
}

impl Archive {
    /// Creates the data folder and the key file (mode 0600, refuses to overwrite, refuses a
    /// key path inside `data_dir`).
    pub fn init(data_dir: &Path, key_file: &Path) -> Result<InitInfo, ArchiveError> {
        let data_abs = absolute(data_dir)?;
        let key_abs = absolute(key_file)?;
        if key_abs.starts_with(&data_abs) {
            return Err(ArchiveError::InitRefused(format!(
                "the key file {} must live outside the data folder {}",
                key_file.display(),
                data_dir.display()
            )));
        }
        if Archive::exists(data_dir) {
            return Err(ArchiveError::InitRefused(format!(
                "{} already holds an archive",
                data_dir.display()
            )));
        }
        if key_file.exists() {
            return Err(ArchiveError::InitRefused(format!(
                "key file {} already exists; refusing to overwrite it",
                key_file.display()
            )));
        }
        std::fs::create_dir_all(data_dir).map_err(|e| ArchiveError::io(data_dir, e))?;
        if let Some(parent) = key_file.parent()
            && !parent.as_os_str().is_empty()
            && !parent.exists()
        {
            create_private_dir(parent)?;
        }
        let mut id_bytes = [0u8; 16];
        keys::fill_random(&mut id_bytes)?;
        let archive_id = hex::encode(id_bytes);
        let origin = format!("chatwarden.archive/{archive_id}");
        let key = KeyFile::generate(key_file, &archive_id, &origin)?;
        key.write_new()?;

        let signer = NoteSigner::from_secret_bytes(&origin, &key.signing_key)?;
        let vkey = signer.verifier().to_vkey();
        let mut store = SqliteStore::open(&data_dir.join(DB_FILE))?;
        let archive_key = keys::random_secret()?;
        let (kek_version, wrapped) = key.wrap(ARCHIVE_SCOPE, &archive_key)?;
        let batch = WriteBatch {
            meta: vec![
                ("format".into(), FORMAT.into()),
                ("archive_id".into(), archive_id.clone()),
                ("log_origin".into(), origin.clone()),
                ("verifier_key".into(), vkey.clone()),
            ],
            data_keys: vec![DataKeyRow {
                scope: ARCHIVE_SCOPE.into(),
                conversation: None,
                sender: None,
                kind: "archive".into(),
                kek_version,
                wrapped: Some(wrapped),
                shredded_at: None,
                shred_reason: None,
            }],
            ..WriteBatch::default()
        };
        store.apply(&batch)?;
        drop(store);
        write_atomic(&data_dir.join(PUBKEY_FILE), format!("{vkey}\n").as_bytes())?;
        LocalBlobStore::open(&data_dir.join(BLOB_DIR))?;
        let mut archive = Archive::open(data_dir, key_file, "system")?;
        archive.record_event("init", &archive_id, serde_json::json!({ "origin": origin }))?;
        tracing::info!(archive_id = %archive_id, "archive initialised");
        Ok(InitInfo {
            public_key: vkey,
            log_origin: origin,
        })
    }

    /// True when `data_dir` holds an archive.
    pub fn exists(data_dir: &Path) -> bool {
        data_dir.join(DB_FILE).is_file()
    }

    /// Opens an archive. `actor` is recorded in the audit trail for everything done through
    /// this handle.
    pub fn open(data_dir: &Path, key_file: &Path, actor: &str) -> Result<Archive, ArchiveError> {
        if !Archive::exists(data_dir) {
            return Err(ArchiveError::NotAnArchive {
                path: data_dir.to_path_buf(),
                reason: format!("no {DB_FILE}"),
            });
        }
        if actor.trim().is_empty() {
            return Err(ArchiveError::Invalid("an actor name is required".into()));
        }
        let keys = KeyFile::load(key_file)?;
        let mut store = SqliteStore::open(&data_dir.join(DB_FILE))?;
        let format = store.meta("format")?;
        if format.as_deref() != Some(FORMAT) {
            return Err(ArchiveError::NotAnArchive {
                path: data_dir.to_path_buf(),
                reason: format!("unknown format {format:?}"),
            });
        }
        let archive_id = store.meta("archive_id")?.unwrap_or_default();
        if archive_id != keys.archive_id {
            return Err(ArchiveError::WrongKey(format!(
                "{} belongs to archive {}, this archive is {}",
                key_file.display(),
                keys.archive_id,
                archive_id
            )));
        }
        let origin = store.meta("log_origin")?.unwrap_or_default();
        let row = store
            .data_key(ARCHIVE_SCOPE)?
            .ok_or_else(|| ArchiveError::NotAnArchive {
                path: data_dir.to_path_buf(),
                reason: "archive key missing".into(),
            })?;
        let wrapped = row
            .wrapped
            .as_deref()
            .ok_or_else(|| ArchiveError::WrongKey("archive key destroyed".into()))?;
        let archive_key = keys.unwrap_key(ARCHIVE_SCOPE, row.kek_version, wrapped)?;
        let signer = NoteSigner::from_secret_bytes(&origin, &keys.signing_key)?;
        let tree = load_tree(&mut store)?;
        let blobs = LocalBlobStore::open(&data_dir.join(BLOB_DIR))?;
        Ok(Archive {
            dir: data_dir.to_path_buf(),
            actor: actor.to_string(),
            keys,
            store: Box::new(store),
            blobs: Box::new(blobs),
            archive_key,
            signer,
            origin,
            log: LogState { tree },
            dek_cache: HashMap::new(),
            nonces: seal::NoncePool::new(),
            look_up_first: HashSet::new(),
        })
    }

    /// The actor this handle records.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    /// The log origin (checkpoint first line, signing key name).
    pub fn log_origin(&self) -> &str {
        &self.origin
    }

    /// The checkpoint verifier key text (as in `log.pub`).
    pub fn verifier_key(&self) -> String {
        self.signer.verifier().to_vkey()
    }

    /// Key for keyed hashes of detected values (HMAC), derived from the archive secret with
    /// HKDF; stable across master-key rotation.
    pub fn finding_hash_key(&self) -> [u8; 32] {
        *keys::derive(&self.archive_key, b"finding-value-hash")
    }

    pub(crate) fn keyed_tag(&self, purpose: &str, value: &[u8]) -> String {
        let key = keys::derive(&self.archive_key, purpose.as_bytes());
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key.as_slice()) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(value);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Keyed tag of a custodian name (stored instead of the name for matching).
    pub(crate) fn custodian_tag(&self, custodian: &str) -> String {
        self.keyed_tag("custodian-tag", custodian.as_bytes())
    }

    /// Keyed blob name for a plaintext SHA-256 within a conversation.
    pub(crate) fn blob_tag(&self, conv: &ConversationId, sha256: &[u8; 32]) -> String {
        self.keyed_tag(&format!("blob-name/{}", conv.as_str()), sha256)
    }

    // ---- data keys ----

    /// The unwrapped data key of `scope`, `Shredded` if destroyed, `None` if absent.
    pub(crate) fn data_key(&mut self, scope: &str) -> Result<Option<Secret>, ArchiveError> {
        if let Some(k) = self.dek_cache.get(scope) {
            return Ok(Some(k.clone()));
        }
        let Some(row) = self.store.data_key(scope)? else {
            return Ok(None);
        };
        let Some(wrapped) = row.wrapped.as_deref() else {
            return Err(ArchiveError::Shredded {
                kind: "key".into(),
                id: scope.to_string(),
            });
        };
        let key = self.keys.unwrap_key(scope, row.kek_version, wrapped)?;
        self.dek_cache.insert(scope.to_string(), key.clone());
        Ok(Some(key))
    }

    /// A usable key for new content in `base` scope: the existing one, or a new one added to
    /// `batch`. When `base` was shredded, new content goes to a new generation `base~2`, ….
    fn writable_key(
        &mut self,
        base: &str,
        conversation: Option<&str>,
        sender: Option<&str>,
        key_kind: &str,
        batch: &mut WriteBatch,
    ) -> Result<(String, Secret), ArchiveError> {
        for generation in 1..1000u32 {
            let scope = if generation == 1 {
                base.to_string()
            } else {
                format!("{base}~{generation}")
            };
            if let Some(k) = self.dek_cache.get(&scope) {
                return Ok((scope, k.clone()));
            }
            match self.data_key(&scope) {
                Ok(Some(k)) => return Ok((scope, k)),
                Ok(None) => {
                    let dek = keys::random_secret()?;
                    let (kek_version, wrapped) = self.keys.wrap(&scope, &dek)?;
                    batch.data_keys.push(DataKeyRow {
                        scope: scope.clone(),
                        conversation: conversation.map(str::to_string),
                        sender: sender.map(str::to_string),
                        kind: key_kind.to_string(),
                        kek_version,
                        wrapped: Some(wrapped),
                        shredded_at: None,
                        shred_reason: None,
                    });
                    self.dek_cache.insert(scope.clone(), dek.clone());
                    return Ok((scope, dek));
                }
                Err(ArchiveError::Shredded { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(ArchiveError::Invalid(format!(
            "too many shredded generations of {base}"
        )))
    }

    pub(crate) fn seal_with(
        key: &Secret,
        record_kind: &str,
        record_id: &str,
        scope: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, ArchiveError> {
        seal::seal(key, &record_aad(record_kind, record_id, scope), plaintext)
    }

    /// Opens a sealed record; `Ok(None)` when its key was shredded.
    pub(crate) fn open_record(
        &mut self,
        record_kind: &str,
        record_id: &str,
        scope: &str,
        sealed: &[u8],
    ) -> Result<Option<Vec<u8>>, ArchiveError> {
        let key = match self.data_key(scope) {
            Ok(Some(k)) => k,
            Ok(None) => {
                return Err(ArchiveError::Corrupt {
                    kind: record_kind.into(),
                    id: record_id.into(),
                    reason: format!("its key {scope} is missing"),
                });
            }
            Err(ArchiveError::Shredded { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        seal::open(&key, &record_aad(record_kind, record_id, scope), sealed)
            .map(Some)
            .map_err(|e| ArchiveError::Corrupt {
                kind: record_kind.into(),
                id: record_id.into(),
                reason: e.to_string(),
            })
    }

    // ---- writing ----

    /// Applies `batch` with `pending` leaves and a signed checkpoint, then updates the tree
    /// and the `checkpoint` file.
    pub(crate) fn commit(
        &mut self,
        mut batch: WriteBatch,
        pending: PendingLeaves,
    ) -> Result<u64, ArchiveError> {
        let now = now_ms();
        batch.expected_log_size = pending.start;
        if pending.leaves.is_empty() {
            self.store.apply(&batch)?;
            return Ok(self.log.tree.size());
        }
        let (tree, checkpoint) = self.log.extend(&pending, &self.origin, &self.signer, now)?;
        let note = checkpoint.note.clone();
        batch.leaves = pending.leaves;
        batch.checkpoint = Some(checkpoint);
        if let Err(e) = self.store.apply(&batch) {
            // Keys created for this batch were not stored: forget them.
            for k in &batch.data_keys {
                self.dek_cache.remove(&k.scope);
            }
            return Err(e);
        }
        self.log.tree = tree;
        write_atomic(&self.dir.join(CHECKPOINT_FILE), note.as_bytes())?;
        Ok(self.log.tree.size())
    }

    /// Stores (sealed) an attachment's bytes for a conversation; idempotent; returns the
    /// plaintext SHA-256 (hex) and size. The sealed file is written and fsynced before the
    /// row that references it is committed; it enters the log with the next batch.
    pub fn put_blob(
        &mut self,
        conv: &ConversationId,
        reader: &mut dyn Read,
    ) -> Result<BlobRef, ArchiveError> {
        let dek = keys::random_secret()?;
        let mut writer = self.blobs.begin()?;
        let blob_path = self.dir.join(BLOB_DIR);
        let summary =
            seal::seal_stream(&dek, &blob_context(conv), reader, &mut writer, &blob_path)?;
        let tag = self.blob_tag(conv, &summary.plaintext_sha256);
        let out = BlobRef {
            sha256: hex::encode(summary.plaintext_sha256),
            size: summary.plaintext_size,
        };
        if self.store.blob(&tag)?.is_some() {
            return Ok(out);
        }
        if self.blobs.exists(&tag)? {
            // A file with this name but no record: left by a crash before its record was
            // committed. Its key was never stored (unreadable) and it is not in the log,
            // so it is removed and this copy takes its place.
            tracing::warn!(blob = %tag, "replacing an orphan blob file left by an interrupted write");
            self.blobs.remove_orphan(&tag)?;
        }
        if !writer.publish(&tag)? {
            return Err(orphan_in_the_way());
        }
        let scope = format!("c/{}/b/{}", conv.as_str(), tag);
        let (kek_version, wrapped) = self.keys.wrap(&scope, &dek)?;
        let batch = WriteBatch {
            data_keys: vec![DataKeyRow {
                scope: scope.clone(),
                conversation: Some(conv.as_str().to_string()),
                sender: None,
                kind: "blob".into(),
                kek_version,
                wrapped: Some(wrapped),
                shredded_at: None,
                shred_reason: None,
            }],
            blobs: vec![BlobRow {
                name: tag,
                conversation: conv.as_str().to_string(),
                key_scope: scope,
                sealed_size: summary.sealed_size,
                sealed_sha256: hex::encode(summary.sealed_sha256),
                leaf_index: None,
            }],
            ..WriteBatch::default()
        };
        self.store.apply(&batch)?;
        Ok(out)
    }

    /// One transaction: upserts the conversation and its participants, inserts new
    /// messages (skipping ids already stored), findings, log leaves and a signed checkpoint.
    ///
    /// Fresh imports are the common case, so a batch is first built without looking its
    /// message ids up: the store refuses it whole if any id is already stored (the insert
    /// probes the id index anyway), and the batch is then rebuilt with the lookup. A
    /// conversation that had stored ids keeps the lookup until a batch finds none.
    pub fn ingest_batch(
        &mut self,
        conv: &Conversation,
        messages: &[Message],
        findings: &[Finding],
    ) -> Result<BatchReport, ArchiveError> {
        let conv_id = conv.id.as_str();
        if !self.look_up_first.contains(conv_id) {
            match self.ingest_batch_with(conv, messages, findings, false) {
                Err(ArchiveError::AlreadyStored { .. }) => {
                    tracing::debug!(conversation = %conv_id, "batch repeats stored messages; looking ids up");
                    self.look_up_first.insert(conv_id.to_string());
                }
                other => return other,
            }
        }
        let report = self.ingest_batch_with(conv, messages, findings, true)?;
        if report.duplicate == 0 {
            self.look_up_first.remove(conv_id);
        }
        Ok(report)
    }

    fn ingest_batch_with(
        &mut self,
        conv: &Conversation,
        messages: &[Message],
        findings: &[Finding],
        look_up_ids: bool,
    ) -> Result<BatchReport, ArchiveError> {
        let conv_id = conv.id.as_str().to_string();
        let mut batch = WriteBatch::default();
        let start = self.log.tree.size();
        let mut pending = PendingLeaves::new(start);
        let mut report = BatchReport::default();

        // Conversation (first import wins; later imports add participants and messages).
        let existing = self.store.conversation(&conv_id)?;
        if existing.is_none() {
            let (scope, key) = self.writable_key(
                &format!("c/{conv_id}/meta"),
                Some(&conv_id),
                None,
                "meta",
                &mut batch,
            )?;
            let meta = ConversationMeta {
                title: conv.title.clone(),
                source_key: conv.source_key.clone(),
                custodian: conv.custodian.clone(),
            };
            let sealed = Self::seal_with(
                &key,
                kind::CONVERSATION,
                &conv_id,
                &scope,
                &serde_json::to_vec(&meta)?,
            )?;
            let mut row = ConversationRow {
                id: conv_id.clone(),
                channel: conv.channel.as_str().to_string(),
                is_group: conv.is_group,
                custodian_tag: conv.custodian.as_deref().map(|c| self.custodian_tag(c)),
                key_scope: scope,
                sealed,
                leaf_index: 0,
            };
            row.leaf_index =
                pending.push(kind::CONVERSATION, &conv_id, &log::conversation_leaf(&row));
            batch.conversations.push(row);
        }

        // Participants: those not stored yet.
        let known: HashSet<String> = self
            .store
            .participants(&conv_id)?
            .into_iter()
            .map(|p| p.id)
            .collect();
        let mut seen_participants = HashSet::new();
        for p in &conv.participants {
            if known.contains(p.id.as_str()) || !seen_participants.insert(p.id.as_str().to_string())
            {
                continue;
            }
            self.add_participant(&conv_id, p, &mut batch, &mut pending)?;
            report.new_participants += 1;
        }

        // Messages: skip stored ids and repeats within the batch.
        let stored = if look_up_ids {
            let ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
            self.store.existing_messages(&ids)?
        } else {
            HashSet::new()
        };
        batch.messages_must_be_new = !look_up_ids;
        // message id -> its row in `batch.messages` (for findings' key scopes).
        let mut in_batch: HashMap<&str, usize> = HashMap::with_capacity(messages.len());
        // (sender, year, month) -> (key scope, data key), resolved once per batch.
        let mut scope_keys: HashMap<(Cow<'_, str>, i16, i8), (String, Secret)> = HashMap::new();
        let mut plaintext = Vec::with_capacity(1024);
        for m in messages {
            if m.conversation != conv.id {
                return Err(ArchiveError::Invalid(format!(
                    "message {} belongs to conversation {}, not {}",
                    m.id, m.conversation, conv.id
                )));
            }
            if stored.contains(m.id.as_str()) || in_batch.contains_key(m.id.as_str()) {
                report.duplicate += 1;
                continue;
            }
            let sender = sender_key(conv.channel, m);
            if sender != "-"
                && !known.contains(sender.as_ref())
                && !seen_participants.contains(sender.as_ref())
                && let Some(name) = m.sender.as_deref()
            {
                // A sender the conversation's participant list did not name.
                let p = Participant {
                    id: ParticipantId::from(sender.to_string()),
                    display_name: name.to_string(),
                    phone: None,
                    is_self: false,
                };
                seen_participants.insert(sender.to_string());
                self.add_participant(&conv_id, &p, &mut batch, &mut pending)?;
                report.new_participants += 1;
            }
            let dt = jiff::tz::TimeZone::UTC.to_datetime(m.sent_at);
            let slot = (sender, dt.year(), dt.month());
            let (scope, key) = match scope_keys.get(&slot) {
                Some(found) => found,
                None => {
                    let (sender, year, month) = &slot;
                    let found = self.writable_key(
                        &format!("c/{conv_id}/s/{sender}/{year:04}-{month:02}"),
                        Some(&conv_id),
                        Some(sender),
                        "content",
                        &mut batch,
                    )?;
                    scope_keys.entry(slot).or_insert(found)
                }
            };
            plaintext.clear();
            serde_json::to_writer(&mut plaintext, m)?;
            let nonce = self.nonces.next_nonce()?;
            let sealed = seal::seal_with_nonce(
                key,
                &nonce,
                &record_aad(kind::MESSAGE, m.id.as_str(), scope),
                &plaintext,
            )?;
            let mut row = MessageRow {
                id: m.id.as_str().to_string(),
                conversation: conv_id.clone(),
                seq: i64::try_from(m.seq).unwrap_or(i64::MAX),
                sent_at: m.sent_at.as_millisecond(),
                key_scope: scope.clone(),
                sealed,
                leaf_index: 0,
            };
            row.leaf_index =
                pending.push_hash(kind::MESSAGE, &row.id, log::message_leaf_hash(&row));
            in_batch.insert(m.id.as_str(), batch.messages.len());
            batch.messages.push(row);
            report.new += 1;
            for a in &m.attachments {
                if let Some(h) = a.content_hash.as_deref() {
                    let mut raw = [0u8; 32];
                    if hex::decode_to_slice(h, &mut raw).is_ok() {
                        batch.attachment_refs.push(AttachmentRefRow {
                            message: m.id.as_str().to_string(),
                            blob: self.blob_tag(&conv.id, &raw),
                        });
                    }
                }
            }
        }

        // Findings: new ones, for messages of this conversation.
        let finding_ids: Vec<String> = findings.iter().map(finding_id).collect();
        let id_refs: Vec<&str> = finding_ids.iter().map(String::as_str).collect();
        let stored_findings = self.store.finding_ids(&id_refs)?;
        let mut seen_findings = HashSet::new();
        for (f, fid) in findings.iter().zip(&finding_ids) {
            if stored_findings.contains(fid) || !seen_findings.insert(fid.clone()) {
                continue;
            }
            let in_this_batch = in_batch
                .get(f.message.as_str())
                .and_then(|&i| batch.messages.get(i));
            let scope = match in_this_batch {
                Some(row) => row.key_scope.clone(),
                None => match self.store.message(f.message.as_str())? {
                    Some(row) if row.conversation == conv_id => row.key_scope,
                    _ => {
                        return Err(ArchiveError::Invalid(format!(
                            "finding {fid} refers to message {} which is not in conversation {conv_id}",
                            f.message
                        )));
                    }
                },
            };
            let key = match self.data_key(&scope) {
                Ok(Some(k)) => k,
                Ok(None) => {
                    return Err(ArchiveError::Invalid(format!("no data key {scope}")));
                }
                Err(ArchiveError::Shredded { .. }) => continue, // content gone: nothing to attach to
                Err(e) => return Err(e),
            };
            let sealed =
                Self::seal_with(&key, kind::FINDING, fid, &scope, &serde_json::to_vec(f)?)?;
            let mut row = FindingRow {
                id: fid.clone(),
                message: f.message.as_str().to_string(),
                conversation: conv_id.clone(),
                entity: f.entity.clone(),
                key_scope: scope,
                sealed,
                leaf_index: 0,
            };
            row.leaf_index = pending.push(kind::FINDING, fid, &log::finding_leaf(&row));
            batch.findings.push(row);
            report.new_findings += 1;
        }

        // Attachments stored with put_blob since the last batch enter the log now.
        for mut b in self.store.blobs(&conv_id)? {
            if b.leaf_index.is_none() {
                let idx = pending.next_index();
                b.leaf_index = Some(idx);
                pending.push(kind::ATTACHMENT, &b.name, &log::blob_leaf(&b));
                batch.blob_leaves.push((b.name.clone(), idx));
            }
        }

        // The batch records itself in the audit trail.
        let details = serde_json::json!({
            "new": report.new,
            "duplicate": report.duplicate,
            "findings": report.new_findings,
            "participants": report.new_participants,
        });
        self.push_event(&mut batch, &mut pending, "ingest", &conv_id, details)?;
        report.log_size = self.commit(batch, pending)?;
        tracing::info!(
            conversation = %conv_id,
            new = report.new,
            duplicate = report.duplicate,
            findings = report.new_findings,
            "batch stored"
        );
        Ok(report)
    }

    fn add_participant(
        &mut self,
        conv_id: &str,
        p: &Participant,
        batch: &mut WriteBatch,
        pending: &mut PendingLeaves,
    ) -> Result<(), ArchiveError> {
        let pid = p.id.as_str();
        let (scope, key) = self.writable_key(
            &format!("c/{conv_id}/p/{pid}"),
            Some(conv_id),
            Some(pid),
            "profile",
            batch,
        )?;
        let record_id = format!("{conv_id}/{pid}");
        let sealed = Self::seal_with(
            &key,
            kind::PARTICIPANT,
            &record_id,
            &scope,
            &serde_json::to_vec(p)?,
        )?;
        let mut row = ParticipantRow {
            conversation: conv_id.to_string(),
            id: pid.to_string(),
            key_scope: scope,
            sealed,
            leaf_index: 0,
        };
        row.leaf_index = pending.push(kind::PARTICIPANT, &record_id, &log::participant_leaf(&row));
        batch.participants.push(row);
        Ok(())
    }

    // ---- reading ----

    pub(crate) fn conversation_meta(
        &mut self,
        row: &ConversationRow,
    ) -> Result<Option<ConversationMeta>, ArchiveError> {
        match self.open_record(kind::CONVERSATION, &row.id, &row.key_scope, &row.sealed)? {
            Some(bytes) => Ok(Some(serde_json::from_slice(&bytes).map_err(|e| {
                ArchiveError::Corrupt {
                    kind: kind::CONVERSATION.into(),
                    id: row.id.clone(),
                    reason: e.to_string(),
                }
            })?)),
            None => Ok(None),
        }
    }

    /// Every conversation with counts. Records an audit event.
    pub fn conversations(&mut self) -> Result<Vec<ConversationSummary>, ArchiveError> {
        let rows = self.store.conversations()?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let meta = self.conversation_meta(&row)?;
            let stats = self.store.conversation_stats(&row.id)?;
            out.push(ConversationSummary {
                id: ConversationId::from(row.id.clone()),
                channel: Channel::parse(&row.channel).unwrap_or(Channel::Whatsapp),
                title: meta.as_ref().map(|m| m.title.clone()),
                custodian: meta.and_then(|m| m.custodian),
                is_group: row.is_group,
                participants: stats.participants,
                messages: stats.messages,
                first_sent_at: stats.first_sent_at.map(ts_of_ms),
                last_sent_at: stats.last_sent_at.map(ts_of_ms),
                findings: stats.findings,
            });
        }
        self.record_event(
            "list",
            "conversations",
            serde_json::json!({ "count": out.len() }),
        )?;
        Ok(out)
    }

    /// Finds one conversation by id prefix or exact title (case-insensitive).
    pub fn find_conversation(
        &mut self,
        id_prefix_or_title: &str,
    ) -> Result<Conversation, ArchiveError> {
        let query = id_prefix_or_title.trim();
        if query.is_empty() {
            return Err(ArchiveError::Invalid("empty conversation query".into()));
        }
        let rows = self.store.conversations()?;
        let by_id: Vec<&ConversationRow> =
            rows.iter().filter(|r| r.id.starts_with(query)).collect();
        let chosen: Vec<ConversationRow> = if by_id.is_empty() {
            let mut by_title = Vec::new();
            for r in &rows {
                if let Some(meta) = self.conversation_meta(r)?
                    && meta.title.to_lowercase() == query.to_lowercase()
                {
                    by_title.push(r.clone());
                }
            }
            by_title
        } else {
            by_id.into_iter().cloned().collect()
        };
        let row = match chosen.as_slice() {
            [] => {
                return Err(ArchiveError::NotFound {
                    kind: "conversation",
                    query: query.to_string(),
                });
            }
            [one] => one.clone(),
            many => {
                return Err(ArchiveError::Ambiguous {
                    kind: "conversation",
                    query: query.to_string(),
                    count: many.len(),
                    examples: many
                        .iter()
                        .take(3)
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        };
        let conv = self.load_conversation(&row)?;
        self.record_event("read.conversation", &row.id, serde_json::json!({}))?;
        Ok(conv)
    }

    pub(crate) fn load_conversation(
        &mut self,
        row: &ConversationRow,
    ) -> Result<Conversation, ArchiveError> {
        let meta = self.conversation_meta(row)?;
        let channel = Channel::parse(&row.channel).ok_or_else(|| ArchiveError::Corrupt {
            kind: kind::CONVERSATION.into(),
            id: row.id.clone(),
            reason: format!("unknown channel {}", row.channel),
        })?;
        let mut participants = Vec::new();
        for p in self.store.participants(&row.id)? {
            let record_id = log::participant_record_id(&p);
            if let Some(bytes) =
                self.open_record(kind::PARTICIPANT, &record_id, &p.key_scope, &p.sealed)?
            {
                participants.push(serde_json::from_slice(&bytes).map_err(|e| {
                    ArchiveError::Corrupt {
                        kind: kind::PARTICIPANT.into(),
                        id: record_id.clone(),
                        reason: e.to_string(),
                    }
                })?);
            }
        }
        let (title, source_key, custodian) = match meta {
            Some(m) => (m.title, m.source_key, m.custodian),
            None => (String::new(), String::new(), None),
        };
        Ok(Conversation {
            id: ConversationId::from(row.id.clone()),
            channel,
            title,
            source_key,
            custodian,
            is_group: row.is_group,
            participants,
        })
    }

    fn decode_finding(&mut self, row: &FindingRow) -> Result<Option<Finding>, ArchiveError> {
        match self.open_record(kind::FINDING, &row.id, &row.key_scope, &row.sealed)? {
            Some(bytes) => Ok(Some(serde_json::from_slice(&bytes).map_err(|e| {
                ArchiveError::Corrupt {
                    kind: kind::FINDING.into(),
                    id: row.id.clone(),
                    reason: e.to_string(),
                }
            })?)),
            None => Ok(None),
        }
    }

    /// A conversation's messages (decrypted) with their findings, in time order. Shredded
    /// messages come back with `shredded: true` and no content. Records an audit "read".
    pub fn messages(&mut self, conv: &ConversationId) -> Result<Vec<StoredMessage>, ArchiveError> {
        if self.store.conversation(conv.as_str())?.is_none() {
            return Err(ArchiveError::NotFound {
                kind: "conversation",
                query: conv.to_string(),
            });
        }
        let rows = self.store.messages(conv.as_str())?;
        let finding_rows = self.store.findings(&FindingQuery {
            conversation: Some(conv.as_str().to_string()),
            ..FindingQuery::default()
        })?;
        let mut by_message: HashMap<String, Vec<Finding>> = HashMap::new();
        for fr in &finding_rows {
            if let Some(f) = self.decode_finding(fr)? {
                by_message.entry(fr.message.clone()).or_default().push(f);
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let message: Option<Message> =
                match self.open_record(kind::MESSAGE, &row.id, &row.key_scope, &row.sealed)? {
                    Some(bytes) => {
                        Some(
                            serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Corrupt {
                                kind: kind::MESSAGE.into(),
                                id: row.id.clone(),
                                reason: e.to_string(),
                            })?,
                        )
                    }
                    None => None,
                };
            out.push(StoredMessage {
                id: MessageId::from(row.id.clone()),
                conversation: conv.clone(),
                seq: u64::try_from(row.seq).unwrap_or(0),
                sent_at: ts_of_ms(row.sent_at),
                shredded: message.is_none(),
                findings: by_message.remove(&row.id).unwrap_or_default(),
                message,
            });
        }
        self.record_event(
            "read.messages",
            conv.as_str(),
            serde_json::json!({ "count": out.len() }),
        )?;
        Ok(out)
    }

    /// Findings by entity and/or conversation (shredded ones are left out). Records an audit event.
    pub fn findings(&mut self, filter: &FindingFilter) -> Result<Vec<Finding>, ArchiveError> {
        let rows = self.store.findings(&FindingQuery {
            entity: filter.entity.clone(),
            conversation: filter.conversation.as_ref().map(|c| c.as_str().to_string()),
            message: None,
        })?;
        let mut out = Vec::new();
        for r in &rows {
            if let Some(f) = self.decode_finding(r)? {
                out.push(f);
            }
        }
        let target = filter
            .conversation
            .as_ref()
            .map_or("*", |c| c.as_str())
            .to_string();
        self.record_event(
            "read.findings",
            &target,
            serde_json::json!({ "entity": filter.entity, "count": out.len() }),
        )?;
        Ok(out)
    }

    /// An attachment's bytes, by its plaintext SHA-256 (hex). Records an audit event.
    pub fn read_blob(
        &mut self,
        conv: &ConversationId,
        sha256: &str,
    ) -> Result<Vec<u8>, ArchiveError> {
        let mut raw = [0u8; 32];
        hex::decode_to_slice(sha256, &mut raw).map_err(|_| {
            ArchiveError::Invalid(format!("{sha256:?} is not a SHA-256 hex digest"))
        })?;
        let tag = self.blob_tag(conv, &raw);
        let row = self
            .store
            .blob(&tag)?
            .ok_or_else(|| ArchiveError::NotFound {
                kind: "attachment",
                query: sha256.to_string(),
            })?;
        let key = match self.data_key(&row.key_scope)? {
            Some(k) => k,
            None => {
                return Err(ArchiveError::Corrupt {
                    kind: kind::ATTACHMENT.into(),
                    id: tag,
                    reason: "its key is missing".into(),
                });
            }
        };
        let mut sealed = Vec::new();
        self.blobs
            .open(&row.name)?
            .read_to_end(&mut sealed)
            .map_err(|e| ArchiveError::io(self.dir.join(BLOB_DIR).join(&row.name), e))?;
        let plain = seal::open_stream(&key, &blob_context(conv), &sealed).map_err(|e| {
            ArchiveError::Corrupt {
                kind: kind::ATTACHMENT.into(),
                id: row.name.clone(),
                reason: e.to_string(),
            }
        })?;
        let digest: [u8; 32] = <Sha256 as sha2::Digest>::digest(&plain).into();
        if digest != raw {
            return Err(ArchiveError::Corrupt {
                kind: kind::ATTACHMENT.into(),
                id: row.name,
                reason: "content does not match its hash".into(),
            });
        }
        self.record_event(
            "read.attachment",
            conv.as_str(),
            serde_json::json!({ "blob": row.name }),
        )?;
        Ok(plain)
    }

    /// Number of stored messages (shredded included).
    pub fn message_count(&mut self) -> Result<u64, ArchiveError> {
        self.store.message_count()
    }
}

fn orphan_in_the_way() -> ArchiveError {
    ArchiveError::Invalid(
        "an unreferenced blob file with this name appeared while storing it; \
         is another process writing to this archive?"
            .into(),
    )
}

pub(crate) fn blob_context(conv: &ConversationId) -> Vec<u8> {
    seal::aad(&[b"attachment", conv.as_str().as_bytes()])
}

pub(crate) fn record_aad(record_kind: &str, record_id: &str, scope: &str) -> Vec<u8> {
    // The data key's version is fixed (data keys are never re-generated, only re-wrapped);
    // it is bound as 1 so a future re-keying scheme can change it.
    seal::aad(&[
        b"chatwarden-record",
        record_kind.as_bytes(),
        record_id.as_bytes(),
        scope.as_bytes(),
        &1u32.to_le_bytes(),
    ])
}

/// The key-scope sender of a message: its participant id, derived from the name when the
/// connector gave none, `-` for system lines.
fn sender_key(channel: Channel, m: &Message) -> Cow<'_, str> {
    match (&m.sender_id, &m.sender) {
        (Some(id), _) => Cow::Borrowed(id.as_str()),
        (None, Some(name)) => Cow::Owned(Participant::id_for(channel, name).0.as_str().to_owned()),
        (None, None) => Cow::Borrowed("-"),
    }
}

/// A finding's stable id: message, entity, detector, span and attachment.
pub fn finding_id(f: &Finding) -> String {
    let mut h = IdHasher::new("finding");
    h.str(f.message.as_str())
        .str(&f.entity)
        .str(&f.detector)
        .u64(f.start as u64)
        .u64(f.end as u64)
        .str(f.attachment.as_deref().unwrap_or(""));
    h.finish_hex()
}

fn load_tree(store: &mut SqliteStore) -> Result<TreeBuilder, ArchiveError> {
    let size = store.log_size()?;
    if let Some(cp) = store.latest_checkpoint()?
        && cp.size == size
        && let Some(frontier) = log::frontier_from_bytes(&cp.frontier)
        && let Ok(tree) = TreeBuilder::from_frontier(cp.size, frontier)
    {
        return Ok(tree);
    }
    let mut tree = TreeBuilder::new();
    store.for_each_leaf(&mut |l| {
        tree.push(l.hash);
        Ok(())
    })?;
    Ok(tree)
}

/// Creates a folder (and its parents) readable by its owner only.
fn create_private_dir(dir: &Path) -> Result<(), ArchiveError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| ArchiveError::io(dir, e))
}

/// Writes a file atomically (temporary file, fsync, rename, fsync folder).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ArchiveError> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(|e| ArchiveError::io(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| ArchiveError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| ArchiveError::io(path, e))?;
    keys::sync_parent(path)
}
