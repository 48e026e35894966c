//! `verify`: recomputes every leaf from the stored sealed rows and blob files, rebuilds
//! the tree, checks every checkpoint's signature and root, and names each record that
//! does not match.
//!
//! One streaming pass per table (no per-row queries); memory is 40 bytes per leaf.
//! Checkpoint consistency: every checkpoint's root is compared with the root of the same
//! leaf sequence at that size, which is what a consistency proof between two checkpoints
//! establishes (RFC 9162 §2.1.4), without building one proof per pair.

use crate::archive::{Archive, BLOB_DIR, CHECKPOINT_FILE, PUBKEY_FILE};
use crate::error::ArchiveError;
use crate::log;
use crate::store::StoredRecord;
use crate::tlog::{Checkpoint, Hash, TreeBuilder, leaf_hash};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Read;

/// Stop listing problems after this many (the count keeps going).
const MAX_PROBLEMS: usize = 10_000;

/// One thing that does not match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Record kind (`message`, `attachment`, `event`, …), or `checkpoint` / `log`.
    pub kind: String,
    /// Record id (or checkpoint size).
    pub id: String,
    pub leaf_index: Option<u64>,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.leaf_index {
            Some(i) => write!(f, "{} {} (leaf {}): {}", self.kind, self.id, i, self.what),
            None => write!(f, "{} {}: {}", self.kind, self.id, self.what),
        }
    }
}

/// What `verify` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// True when no problem was found.
    pub ok: bool,
    /// Records whose leaf was recomputed.
    pub records_checked: u64,
    pub leaves: u64,
    pub checkpoints_checked: u64,
    /// Records whose data key was destroyed (retention, erasure): verified, not readable.
    pub shredded: u64,
    /// Attachments stored but not yet logged (a batch was interrupted after `put_blob`).
    pub pending: u64,
    /// Blob files no record refers to (left by an interrupted write).
    pub orphan_blobs: Vec<String>,
    pub problems: Vec<Problem>,
    /// Problems found in all (`problems` stops at 10,000).
    pub problem_count: u64,
}

impl VerifyReport {
    fn problem(&mut self, kind: &str, id: &str, leaf_index: Option<u64>, what: impl Into<String>) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                kind: kind.to_string(),
                id: id.to_string(),
                leaf_index,
                what: what.into(),
            });
        }
    }
}

fn fingerprint(kind: &str, id: &str) -> u64 {
    let d = Sha256::new()
        .chain_update(kind.as_bytes())
        .chain_update([0u8])
        .chain_update(id.as_bytes())
        .finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(d.get(..8).unwrap_or(&[0u8; 8]));
    u64::from_le_bytes(b)
}

impl Archive {
    /// Recomputes everything; see the module docs. Records a `verify` audit event after
    /// checking (so the event itself is checked by the next run).
    pub fn verify(&mut self) -> Result<VerifyReport, ArchiveError> {
        let mut report = VerifyReport::default();

        // 1. Leaves, in index order; gaps mean deleted or renumbered leaves.
        let mut hashes: Vec<Hash> = Vec::new();
        let mut prints: Vec<u64> = Vec::new();
        let mut gaps: Vec<(u64, u64)> = Vec::new();
        self.store.for_each_leaf(&mut |l| {
            let expected = hashes.len() as u64;
            if l.index != expected {
                gaps.push((expected, l.index));
                // Keep positions aligned with indexes so later leaves are still checked.
                while (hashes.len() as u64) < l.index {
                    hashes.push([0u8; 32]);
                    prints.push(0);
                }
                if (hashes.len() as u64) > l.index {
                    return Ok(());
                }
            }
            hashes.push(l.hash);
            prints.push(fingerprint(&l.kind, &l.record_id));
            Ok(())
        })?;
        for (expected, found) in gaps {
            if found > expected {
                report.problem(
                    "log",
                    "leaves",
                    Some(expected),
                    format!("leaves {expected}..{found} are missing (deleted)"),
                );
            } else {
                report.problem("log", "leaves", Some(found), "leaf index out of order");
            }
        }
        report.leaves = hashes.len() as u64;

        // 2. Records: recompute each leaf from the stored row.
        let shredded: HashSet<String> = self
            .store
            .data_keys()?
            .into_iter()
            .filter(|k| k.wrapped.is_none())
            .map(|k| k.scope)
            .collect();
        let mut seen = vec![false; hashes.len()];
        let mut blob_rows = Vec::new();
        {
            let report = &mut report;
            let hashes = &hashes;
            let prints = &prints;
            let seen = &mut seen;
            let shredded = &shredded;
            let blob_rows = &mut blob_rows;
            self.store.for_each_record(&mut |rec| {
                let (kind, id, input) = log::leaf_input(&rec);
                let (index, scope) = match &rec {
                    StoredRecord::Conversation(r) => (Some(r.leaf_index), Some(&r.key_scope)),
                    StoredRecord::Participant(r) => (Some(r.leaf_index), Some(&r.key_scope)),
                    StoredRecord::Message(r) => (Some(r.leaf_index), Some(&r.key_scope)),
                    StoredRecord::Finding(r) => (Some(r.leaf_index), Some(&r.key_scope)),
                    StoredRecord::Blob(r) => (r.leaf_index, Some(&r.key_scope)),
                    StoredRecord::Event(r) => (Some(r.leaf_index), None),
                    StoredRecord::Alert(r) => (Some(r.leaf_index), None),
                    StoredRecord::Review(r) => (Some(r.leaf_index), None),
                };
                if let StoredRecord::Blob(b) = &rec {
                    blob_rows.push(b.clone());
                }
                let Some(index) = index else {
                    report.pending += 1;
                    return Ok(());
                };
                report.records_checked += 1;
                if scope.is_some_and(|s| shredded.contains(s)) {
                    report.shredded += 1;
                }
                let Ok(pos) = usize::try_from(index) else {
                    report.problem(kind, &id, Some(index), "leaf index out of range");
                    return Ok(());
                };
                let (Some(expected), Some(print)) = (hashes.get(pos), prints.get(pos)) else {
                    report.problem(kind, &id, Some(index), "its leaf is missing from the log");
                    return Ok(());
                };
                if *print != fingerprint(kind, &id) {
                    report.problem(
                        kind,
                        &id,
                        Some(index),
                        "the log's leaf at this index belongs to another record (reordered)",
                    );
                } else if *expected != leaf_hash(&input) {
                    report.problem(
                        kind,
                        &id,
                        Some(index),
                        "stored row does not match its logged hash (changed)",
                    );
                }
                if let Some(s) = seen.get_mut(pos) {
                    if *s {
                        report.problem(kind, &id, Some(index), "two records claim the same leaf");
                    }
                    *s = true;
                }
                Ok(())
            })?;
        }

        // 3. Leaves with no record: the row was deleted.
        let mut unclaimed = Vec::new();
        for (i, s) in seen.iter().enumerate() {
            if !*s && prints.get(i).is_some_and(|p| *p != 0) {
                unclaimed.push(i as u64);
            }
        }
        for i in unclaimed {
            match self.store.leaf(i)? {
                Some(l) => report.problem(
                    &l.kind,
                    &l.record_id,
                    Some(i),
                    "logged record is missing from the store (deleted)",
                ),
                None => report.problem(
                    "log",
                    "leaves",
                    Some(i),
                    "leaf vanished during verification",
                ),
            }
        }

        // 4. Blob files: each logged attachment's sealed file must hash as recorded.
        let mut referenced = HashSet::new();
        for b in &blob_rows {
            referenced.insert(b.name.clone());
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            let result = self.blobs.open(&b.name).and_then(|mut r| {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = r
                        .read(&mut buf)
                        .map_err(|e| ArchiveError::io(self.dir.join(BLOB_DIR).join(&b.name), e))?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(buf.get(..n).unwrap_or_default());
                    size += n as u64;
                }
                Ok(())
            });
            match result {
                Err(ArchiveError::NotFound { .. }) => {
                    report.problem(
                        "attachment",
                        &b.name,
                        b.leaf_index,
                        "sealed file is missing",
                    );
                }
                Err(e) => return Err(e),
                Ok(()) => {
                    if size != b.sealed_size || hex::encode(hasher.finalize()) != b.sealed_sha256 {
                        report.problem(
                            "attachment",
                            &b.name,
                            b.leaf_index,
                            "sealed file was changed",
                        );
                    }
                }
            }
        }
        for name in self.blobs.list()? {
            if !referenced.contains(&name) {
                report.orphan_blobs.push(name);
            }
        }

        // 5. Checkpoints: signature, origin, and root of the leaf sequence at their size.
        let verifier = self.signer.verifier();
        let checkpoints = self.store.checkpoints()?;
        let mut tree = TreeBuilder::new();
        let mut next_leaf = 0usize;
        for cp in &checkpoints {
            report.checkpoints_checked += 1;
            let id = cp.size.to_string();
            match Checkpoint::open(&cp.note, &verifier) {
                Err(e) => {
                    report.problem(
                        "checkpoint",
                        &id,
                        None,
                        format!("signature does not verify ({e})"),
                    );
                    continue;
                }
                Ok(c) => {
                    if c.origin != self.origin || c.size != cp.size || c.root != cp.root {
                        report.problem(
                            "checkpoint",
                            &id,
                            None,
                            "signed note does not match its row",
                        );
                    }
                }
            }
            if cp.size > hashes.len() as u64 {
                report.problem(
                    "checkpoint",
                    &id,
                    None,
                    format!(
                        "signed for {} leaves, the log holds {} (leaves deleted)",
                        cp.size,
                        hashes.len()
                    ),
                );
                continue;
            }
            while (tree.size()) < cp.size {
                if let Some(h) = hashes.get(next_leaf) {
                    tree.push(*h);
                }
                next_leaf += 1;
            }
            if tree.root() != cp.root {
                report.problem(
                    "checkpoint",
                    &id,
                    None,
                    "the log's leaves do not hash to this signed root (leaves changed, reordered or replaced)",
                );
            }
        }
        if let Some(last) = checkpoints.last()
            && last.size != hashes.len() as u64
        {
            report.problem(
                "log",
                "leaves",
                Some(last.size),
                "leaves were appended without a signed checkpoint",
            );
        }
        if checkpoints.is_empty() && !hashes.is_empty() {
            report.problem("log", "checkpoints", None, "no signed checkpoint");
        }
        // The checkpoint file (outside SQLite) must not be ahead of the database: a restored
        // older database would be caught here.
        let file = self.dir.join(CHECKPOINT_FILE);
        if let Ok(text) = std::fs::read_to_string(&file) {
            match Checkpoint::open(&text, &verifier) {
                Ok(c) if c.size > hashes.len() as u64 => report.problem(
                    "checkpoint",
                    "file",
                    None,
                    format!("the checkpoint file is signed for {} leaves, the database holds {} (rolled back)", c.size, hashes.len()),
                ),
                Ok(c) if !checkpoints.iter().any(|r| r.size == c.size && r.root == c.root) => {
                    report.problem("checkpoint", "file", None, "the checkpoint file matches no stored checkpoint")
                }
                Ok(_) => {}
                Err(e) => report.problem("checkpoint", "file", None, format!("signature does not verify ({e})")),
            }
        }
        if let Ok(text) = std::fs::read_to_string(self.dir.join(PUBKEY_FILE))
            && text.trim() != verifier.to_vkey()
        {
            report.problem(
                "log",
                PUBKEY_FILE,
                None,
                "the published verifier key is not the archive's signing key",
            );
        }

        report.ok = report.problem_count == 0;
        tracing::info!(
            ok = report.ok,
            records = report.records_checked,
            problems = report.problem_count,
            "verify finished"
        );
        let recorded = self.record_event(
            "verify",
            "archive",
            serde_json::json!({
                "ok": report.ok,
                "records": report.records_checked,
                "problems": report.problem_count,
                "shredded": report.shredded,
            }),
        );
        if let Err(e) = recorded {
            // A damaged log (a deleted leaf, say) may refuse the append: the report of
            // what is damaged matters more than the event, so it is returned with one
            // more problem rather than lost behind the error.
            if report.ok {
                return Err(e);
            }
            tracing::warn!(error = %e, "verify event not recorded: the log is damaged");
            report.problem(
                "log",
                "events",
                None,
                format!("the verify event could not be appended ({e})"),
            );
        }
        Ok(report)
    }

    /// The latest signed checkpoint (C2SP signed note text).
    pub fn latest_checkpoint(&self) -> Result<Option<String>, ArchiveError> {
        match std::fs::read_to_string(self.dir.join(CHECKPOINT_FILE)) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ArchiveError::io(self.dir.join(CHECKPOINT_FILE), e)),
        }
    }

    /// A `c2sp.org/tlog-proof@v1` bundle proving the message is in the log under the latest
    /// signed checkpoint; verifiable offline with the archive's verifier key.
    pub fn prove_message(
        &mut self,
        id: &chatwarden_model::MessageId,
    ) -> Result<String, ArchiveError> {
        let row = self
            .store
            .message(id.as_str())?
            .ok_or_else(|| ArchiveError::NotFound {
                kind: "message",
                query: id.to_string(),
            })?;
        let input = log::message_leaf(&row);
        let text = self.prove_leaf(row.leaf_index, &input)?;
        self.record_event(
            "prove",
            id.as_str(),
            serde_json::json!({ "leaf": row.leaf_index }),
        )?;
        Ok(text)
    }

    pub(crate) fn prove_leaf(&mut self, index: u64, input: &[u8]) -> Result<String, ArchiveError> {
        let cp = self
            .store
            .latest_checkpoint()?
            .ok_or_else(|| ArchiveError::NotFound {
                kind: "checkpoint",
                query: "latest".into(),
            })?;
        let mut hashes = Vec::new();
        self.store.for_each_leaf(&mut |l| {
            if l.index < cp.size {
                hashes.push(l.hash);
            }
            Ok(())
        })?;
        let proof = crate::tlog::inclusion_proof(&hashes, index, cp.size)?;
        let bundle = crate::tlog::ProofBundle {
            index,
            record: input.to_vec(),
            proof,
            checkpoint_note: cp.note,
        };
        Ok(bundle.to_text())
    }
}
