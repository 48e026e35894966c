//! The ingest pipeline: capture (connectors) → inspect → keep (archive), in durable batches.

use crate::term::safe_line;
use anyhow::Result;
use chatwarden_archive::Archive;
use chatwarden_connectors::{ExportSource, ParseOptions};
use chatwarden_inspect::attachments::{AttachmentLimits, UNSCANNABLE, scan_attachment_parts};
use chatwarden_inspect::{ConversationContext, Detection, Engine, ScanContext};
use chatwarden_model::{Finding, Message, MessageKind};
use chatwarden_policy::{
    Alert, Directory, Grouper, Party, Policy, PreparedConversation, RuleHit, tip_text,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Serialize)]
pub struct IngestSummary {
    pub new: u64,
    pub duplicate: u64,
    pub failed: u64,
    pub findings: u64,
    pub attachments_stored: u64,
    /// Alerts the policy raised on this ingest, and the review items they opened.
    pub alerts: u64,
    pub alert_items: u64,
    /// Policy tips the `notify` action logged for the employee report (`report tips`).
    pub tips: u64,
    pub files: Vec<FileOutcome>,
    pub conversations: Vec<ConversationOutcome>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct FileOutcome {
    pub path: String,
    pub ok: bool,
    pub error: Option<String>,
    pub conversations: Vec<String>,
    pub new: u64,
    pub duplicate: u64,
}

#[derive(Debug, Default, Serialize, Clone)]
pub struct ConversationOutcome {
    pub id: String,
    pub title: String,
    pub new: u64,
    pub duplicate: u64,
    pub findings: u64,
    /// The default phone region the conversation was inspected with, and where it came
    /// from (`None` when inspection did not run).
    pub phone_region: Option<chatwarden_inspect::PhoneRegion>,
}

pub struct Pipeline<'a> {
    pub archive: &'a mut Archive,
    pub engine: Option<&'a Engine>,
    pub options: ParseOptions,
    pub batch_size: usize,
    pub progress: bool,
    pub attachment_limits: AttachmentLimits,
    /// The policy evaluated on every message (alerts stored after each batch); `None`: none.
    pub policy: Option<PolicyRun<'a>>,
    /// The phone region stated with `--region`; without it each conversation's is inferred
    /// (participants' numbers, then the policy directory's phone ranges), else none.
    pub region: Option<String>,
}

/// A policy and the directory it classifies participants with.
#[derive(Clone, Copy)]
pub struct PolicyRun<'a> {
    pub policy: &'a Policy,
    pub directory: &'a Directory,
}

/// One conversation's policy state during an ingest: classified once; its stored review
/// items are loaded at the first hit and kept, so later batches group into them.
struct AlertState<'d> {
    prepared: PreparedConversation<'d>,
    grouper: Option<Grouper>,
}

/// Expands folders into the export files inside them (.txt, .zip, .json, .jsonl, .html, and
/// .csv files with a chat export's header), sorted for a stable order.
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .follow_links(false)
                .into_iter()
                .filter_map(|entry| entry.ok())
                .filter(|entry| entry.file_type().is_file())
                .map(|entry| entry.into_path())
                .filter(|p| is_candidate(p))
                .collect();
            found.sort();
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            anyhow::bail!("{}: no such file or folder", path.display());
        }
    }
    Ok(files)
}

fn is_candidate(path: &Path) -> bool {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("txt" | "zip" | "json" | "jsonl" | "html") => true,
        // A folder's other CSV files (contacts, CRM extracts) are not exports: only a
        // chat export's header (WeChatMsg/MemoTrace) makes a CSV file an input.
        Some("csv") => csv_head(path).is_some_and(|head| chatwarden_connectors::is_chat_csv(&head)),
        _ => false,
    }
}

/// The first 4 KiB of a file (`None` when it cannot be read; a named file that cannot
/// be read is reported when it is opened, a folder's is left out).
fn csv_head(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

impl Pipeline<'_> {
    pub fn run(&mut self, files: &[PathBuf]) -> IngestSummary {
        let mut summary = IngestSummary::default();
        let mut per_conversation: BTreeMap<String, ConversationOutcome> = BTreeMap::new();
        let total: u64 = files
            .iter()
            .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
            .sum();
        let bar = if self.progress && total > 0 {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} ingesting [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            Some(bar)
        } else {
            None
        };
        let mut done_bytes = 0u64;
        for file in files {
            let file_len = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
            let progress = bar.as_ref().map(|bar| FileProgress {
                bar,
                base: done_bytes,
                len: file_len,
                consumed: 0,
            });
            let outcome = self.ingest_file(file, progress, &mut summary, &mut per_conversation);
            done_bytes += file_len;
            if let Some(bar) = &bar {
                bar.set_position(done_bytes);
            }
            summary.new += outcome.new;
            summary.duplicate += outcome.duplicate;
            if !outcome.ok {
                summary.failed += 1;
            }
            summary.files.push(outcome);
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        summary.conversations = per_conversation.into_values().collect();
        summary
    }

    fn ingest_file(
        &mut self,
        path: &Path,
        mut progress: Option<FileProgress<'_>>,
        summary: &mut IngestSummary,
        per_conversation: &mut BTreeMap<String, ConversationOutcome>,
    ) -> FileOutcome {
        let mut outcome = FileOutcome {
            path: path.display().to_string(),
            ok: true,
            error: None,
            conversations: Vec::new(),
            new: 0,
            duplicate: 0,
        };
        if let Some(progress) = &progress {
            progress.bar.set_message(
                path.file_name()
                    .map(|n| safe_line(&n.to_string_lossy()).into_owned())
                    .unwrap_or_default(),
            );
        }
        let first_warning = summary.warnings.len();
        let result = self.ingest_source(
            path,
            progress.as_mut(),
            summary,
            &mut outcome,
            per_conversation,
        );
        // The conversations of one file (a webhook capture's, an account export's) share
        // the file's own warnings: each is reported once.
        dedup_from(&mut summary.warnings, first_warning);
        if let Err(error) = result {
            tracing::warn!(file = %path.display(), "ingest of a file failed");
            outcome.ok = false;
            outcome.error = Some(format!("{error:#}"));
        }
        outcome
    }

    /// Ingests every conversation a file holds (a Telegram account export holds many).
    fn ingest_source(
        &mut self,
        path: &Path,
        mut progress: Option<&mut FileProgress<'_>>,
        summary: &mut IngestSummary,
        outcome: &mut FileOutcome,
        per_conversation: &mut BTreeMap<String, ConversationOutcome>,
    ) -> Result<()> {
        let sources = chatwarden_connectors::open_all(path, &self.options)?;
        for (index, source) in sources.into_iter().enumerate() {
            self.ingest_conversation(
                path,
                index,
                source,
                progress.as_deref_mut(),
                summary,
                outcome,
                per_conversation,
            )?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn ingest_conversation(
        &mut self,
        path: &Path,
        index: usize,
        mut source: Box<dyn ExportSource>,
        mut progress: Option<&mut FileProgress<'_>>,
        summary: &mut IngestSummary,
        outcome: &mut FileOutcome,
        per_conversation: &mut BTreeMap<String, ConversationOutcome>,
    ) -> Result<()> {
        let conversation = source.conversation().clone();
        outcome.conversations.push(conversation.id.to_string());
        let phone_region = crate::phone_region::for_conversation(
            self.region.as_deref(),
            &conversation,
            self.policy.map(|run| run.directory),
        );
        let region = phone_region.scan_region().to_string();
        let mut context = ConversationContext::new(
            conversation
                .participants
                .iter()
                .map(|p| p.display_name.clone())
                .collect(),
            Some(region.clone()),
        );
        let hash_key = self.archive.finding_hash_key();
        let conv_stats = per_conversation
            .entry(conversation.id.to_string())
            .or_insert_with(|| ConversationOutcome {
                id: conversation.id.to_string(),
                title: conversation.title.clone(),
                ..Default::default()
            });
        if self.engine.is_some() {
            conv_stats.phone_region = Some(phone_region);
        }

        // Attachments are read through a second handle on the same export, opened
        // only when a message carries an included file.
        let mut attachment_source: Option<Box<dyn ExportSource>> = None;
        let mut batch: Vec<Message> = Vec::with_capacity(self.batch_size.min(10_000));
        let mut findings: Vec<Finding> = Vec::new();
        let mut alert_state = self.policy.map(|run| AlertState {
            prepared: run.policy.prepare(run.directory, &conversation),
            grouper: None,
        });

        let messages = source.messages()?;
        for message in messages {
            let mut message = message?;
            for attachment in message.attachments.iter_mut().filter(|a| a.included) {
                let Some(name) = attachment.name.clone() else {
                    continue;
                };
                if attachment_source.is_none() {
                    // This handle only serves bytes: skip hashing every media entry again.
                    let options = ParseOptions {
                        hash_media: false,
                        ..self.options.clone()
                    };
                    attachment_source = chatwarden_connectors::open_all(path, &options)?
                        .into_iter()
                        .nth(index);
                }
                let Some(handle) = attachment_source.as_ref() else {
                    continue;
                };
                let Some(reader) = handle.open_attachment(&name)? else {
                    continue;
                };
                let (blob, detections) = store_and_scan(
                    self.archive,
                    self.engine,
                    &conversation.id,
                    &name,
                    reader,
                    &self.attachment_limits,
                    &region,
                )?;
                for (part, detection) in detections {
                    findings.push(chatwarden_inspect::to_finding(
                        &detection,
                        &message.id,
                        &hash_key,
                        Some(&part),
                    ));
                }
                attachment.content_hash = Some(blob.sha256);
                attachment.size = Some(blob.size);
                summary.attachments_stored += 1;
            }
            if let Some(engine) = self.engine {
                if message.kind == MessageKind::Message && !message.text.is_empty() {
                    for detection in context.scan(engine, &message.text) {
                        findings.push(chatwarden_inspect::to_finding(
                            &detection,
                            &message.id,
                            &hash_key,
                            None,
                        ));
                    }
                } else {
                    context.push(&message.text);
                }
            }
            if let Some(progress) = progress.as_deref_mut() {
                progress.advance(&message);
            }
            batch.push(message);
            if batch.len() >= self.batch_size {
                self.commit(
                    &conversation,
                    &mut batch,
                    &mut findings,
                    summary,
                    outcome,
                    conv_stats,
                    alert_state.as_mut(),
                )?;
            }
        }
        self.commit(
            &conversation,
            &mut batch,
            &mut findings,
            summary,
            outcome,
            conv_stats,
            alert_state.as_mut(),
        )?;
        // Read after streaming: some warnings (DST gaps, impossible dates) are found in pass 2.
        for warning in source.warnings() {
            summary.warnings.push(warning.to_string());
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn commit(
        &mut self,
        conversation: &chatwarden_model::Conversation,
        batch: &mut Vec<Message>,
        findings: &mut Vec<Finding>,
        summary: &mut IngestSummary,
        outcome: &mut FileOutcome,
        conv_stats: &mut ConversationOutcome,
        alert_state: Option<&mut AlertState<'_>>,
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let report = self.archive.ingest_batch(conversation, batch, findings)?;
        // The batch is committed and fsynced: what this line counts survives any crash
        // from here on (crates/cli/tests/crash.rs holds the archive to it).
        tracing::info!(
            messages = batch.len(),
            new = report.new,
            acknowledged = outcome.new + outcome.duplicate + report.new + report.duplicate,
            "batch durable"
        );
        // Alerts are stored once their messages are: a crash in between loses no message,
        // and re-ingesting (or `policy apply`) raises the same alerts again (same ids).
        if let (Some(run), Some(state)) = (self.policy, alert_state) {
            let (raised, tips) = raise_alerts(self.archive, run.policy, state, batch, findings)?;
            summary.alerts += raised.new_alerts;
            summary.alert_items += raised.new_items;
            summary.tips += tips;
        }
        outcome.new += report.new;
        outcome.duplicate += report.duplicate;
        conv_stats.new += report.new;
        conv_stats.duplicate += report.duplicate;
        summary.findings += report.new_findings;
        conv_stats.findings += report.new_findings;
        batch.clear();
        findings.clear();
        Ok(())
    }
}

/// Drops repeats among `warnings[from..]`, keeping the first of each, in order.
pub fn dedup_from(warnings: &mut Vec<String>, from: usize) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut index = 0usize;
    warnings.retain(|w| {
        let keep = index < from || seen.insert(w.clone());
        index += 1;
        keep
    });
}

/// Evaluates the policy once per message of a committed batch (with the findings of that
/// message), groups the hits into review items and stores the new alerts; logs the policy
/// tips of new `notify` hits first. Returns what was stored and the number of tips.
fn raise_alerts(
    archive: &mut Archive,
    policy: &Policy,
    state: &mut AlertState<'_>,
    batch: &[Message],
    findings: &[Finding],
) -> Result<(chatwarden_archive::PutAlertsReport, u64)> {
    // The pipeline pushes each message's findings right before the message itself, so
    // they form consecutive runs in batch order.
    let mut hits = Vec::new();
    let mut next = 0usize;
    for message in batch {
        let start = next;
        while findings.get(next).is_some_and(|f| f.message == message.id) {
            next += 1;
        }
        let own = findings.get(start..next).unwrap_or_default();
        hits.extend(policy.evaluate_prepared(&state.prepared, message, own));
    }
    if next != findings.len() {
        // Not in runs after all: evaluate again with each message's findings looked up.
        tracing::debug!("findings not in message order; matching them by id");
        hits.clear();
        for message in batch {
            let own: Vec<Finding> = findings
                .iter()
                .filter(|f| f.message == message.id)
                .cloned()
                .collect();
            hits.extend(policy.evaluate_prepared(&state.prepared, message, &own));
        }
    }
    if hits.is_empty() {
        return Ok(Default::default());
    }
    let tips = log_tips(archive, &state.prepared, batch, &hits)?;
    let grouper = match &mut state.grouper {
        Some(g) => g,
        None => {
            let stored = archive.review_groups(&state.prepared.id)?;
            state
                .grouper
                .insert(Grouper::with_groups(policy.group_window, stored))
        }
    };
    let mut alerts = Vec::with_capacity(hits.len());
    for hit in hits {
        let alert = Alert::from(hit.clone());
        let index = grouper.add(hit);
        let group = grouper
            .groups()
            .get(index)
            .map(|g| g.id.clone())
            .unwrap_or_default();
        alerts.push((group, alert));
    }
    Ok((archive.put_alerts(&alerts, "ingest")?, tips))
}

/// The audit action of a logged policy tip.
pub const TIP_ACTION: &str = "policy.tip";

/// The `notify` action. No capture route can send a message back into the chat (exports
/// are read after the fact; the WhatsApp webhook endpoint comes with the server), so each
/// tip is logged for the employee report as an archive event (`policy.tip`, target the
/// message id): rule, message, conversation, employee, custodian, tip text — never message
/// content. Only hits whose alert is not stored yet give a tip (re-ingesting gives none);
/// tips are logged before their alerts are stored, so a crash in between loses none, and
/// `report tips` lists each (rule, message) once. `policy apply` logs the tips of the hits it
/// raises anew the same way.
pub(crate) fn log_tips(
    archive: &mut Archive,
    prepared: &PreparedConversation<'_>,
    batch: &[Message],
    hits: &[RuleHit],
) -> Result<u64> {
    let notify: Vec<(&RuleHit, String)> = hits
        .iter()
        .filter_map(|h| tip_text(h).map(|t| (h, t)))
        .collect();
    if notify.is_empty() {
        return Ok(0);
    }
    let stored: HashSet<String> = archive.alert_keys()?.into_iter().map(|k| k.id).collect();
    let actor = archive.actor().to_string();
    let mut logged = 0;
    for (hit, tip) in notify {
        if stored.contains(&Alert::id_for(&hit.rule, &hit.message)) {
            continue;
        }
        // The employee the tip is for: the sender when a known employee, else the custodian.
        let sender = batch
            .iter()
            .find(|m| m.id == hit.message)
            .map(|m| prepared.sender_party(m));
        let employee = match sender {
            Some(Party::Internal(Some(e))) => Some(e),
            _ => prepared.custodian_employee,
        };
        archive.record_access_with(
            &actor,
            TIP_ACTION,
            hit.message.as_str(),
            serde_json::json!({
                "rule": hit.rule,
                "severity": hit.severity.as_str(),
                "message": hit.message,
                "conversation": hit.conversation,
                "sent_at": hit.sent_at.to_string(),
                "employee": employee.map(|e| e.id.clone()),
                "custodian": hit.custodian,
                "tip": tip,
                "delivered": "logged for the employee report (no channel route)",
            }),
        )?;
        logged += 1;
    }
    if logged > 0 {
        tracing::info!(tips = logged, "policy tips logged");
    }
    Ok(logged)
}

/// Stores an attachment (sealed, streamed) and, when inspection runs, scans its text.
/// Files larger than the scan limit are stored whole and reported as unscannable.
fn store_and_scan(
    archive: &mut Archive,
    engine: Option<&Engine>,
    conversation: &chatwarden_model::ConversationId,
    name: &str,
    mut reader: Box<dyn Read + '_>,
    limits: &AttachmentLimits,
    region: &str,
) -> Result<(chatwarden_archive::BlobRef, Vec<(String, Detection)>)> {
    let Some(engine) = engine else {
        return Ok((archive.put_blob(conversation, &mut reader)?, Vec::new()));
    };
    let mut head = Vec::new();
    (&mut reader)
        .take(limits.max_entry_bytes.saturating_add(1))
        .read_to_end(&mut head)?;
    if head.len() as u64 > limits.max_entry_bytes {
        let mut whole = std::io::Cursor::new(head).chain(reader);
        let blob = archive.put_blob(conversation, &mut whole)?;
        let detection = Detection {
            entity: UNSCANNABLE.to_string(),
            detector: "attachment_size".to_string(),
            start: 0,
            end: 0,
            score: 1.0,
            value: name.to_string(),
        };
        return Ok((blob, vec![(name.to_string(), detection)]));
    }
    let blob = archive.put_blob(conversation, &mut head.as_slice())?;
    let ctx = ScanContext {
        region: Some(region),
        ..ScanContext::default()
    };
    let detections = scan_attachment_parts(engine, name, &head, limits, &ctx);
    Ok((blob, detections))
}

/// Moves the progress bar through one file as its messages are read. Messages do not
/// carry byte offsets, so the position is estimated from their sizes (header, sender,
/// text) and never passes the file's end.
struct FileProgress<'a> {
    bar: &'a ProgressBar,
    base: u64,
    len: u64,
    consumed: u64,
}

impl FileProgress<'_> {
    fn advance(&mut self, message: &Message) {
        const HEADER_BYTES: u64 = 22;
        self.consumed += HEADER_BYTES
            + message.text.len() as u64
            + message.sender.as_ref().map_or(0, |s| s.len() as u64);
        self.bar
            .set_position(self.base + self.consumed.min(self.len));
    }
}
