//! Reading a large plain-text export in parallel parts, with output identical to
//! a one-thread read.
//!
//! Pass 1b splits the file at newlines into one part per thread and scans the
//! parts at once; their statistics merge exactly (date steps across a cut are
//! counted at the merge, the first part's leading text alone counts as text
//! before the first message). While scanning, every part notes a header line
//! about every [`SPLIT_BYTES`]: pass 2 cuts the file there into parts that each
//! start with a message, and reader threads build the parts' messages while the
//! caller's thread hands them out in file order. A message's sequence number is
//! given at hand-out, and so is its occurrence number (identical messages in one
//! minute): a part's reader counts only within its part, keeps the hash state of
//! the id without that number, and the hand-out finishes the id again in the
//! rare case where an identical message fell in an earlier part. Memory stays
//! bounded: at most `threads + 1` parts are read ahead.
//!
//! Whenever a parallel pass 1 meets anything unusual (a read error, invalid
//! text, an over-long line, more senders than the participant limit) it gives
//! up and the one-thread pass runs, so errors and warnings name the same lines.

use super::header::Header;
use super::{
    Backing, Built, Ctx, LineReader, MediaInfo, Messages, Occurrences, Scan, ScanParams, scan_lines,
};
use crate::error::ConnectorError;
use crate::options::WarningSink;
use chatwarden_model::Message;
use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex, mpsc};

/// Plain-text exports at least this large are read in parallel parts.
pub(crate) const MIN_PARALLEL_BYTES: u64 = 4 << 20;

/// About how many bytes of chat text one pass-2 part holds.
pub(crate) const SPLIT_BYTES: u64 = 128 << 10;

/// A header line where a pass-2 part may start.
#[derive(Clone, Debug)]
pub(crate) struct SplitPoint {
    /// Offset of the line's first byte in the file.
    pub(crate) offset: u64,
    /// Lines before it (in the part scanned, until merged; then in the file).
    pub(crate) lines_before: u64,
    /// The header, to check that it names a real time once the order is known.
    pub(crate) header: Header,
}

/// Offsets just after a newline near each `len * k / parts` (k = 1..parts), in
/// increasing order; `None` when a cut would have to search further than a line
/// may be long (the one-thread read then reports that line).
fn cuts(
    backing: &Backing,
    label: &str,
    len: u64,
    parts: usize,
    max_line: usize,
) -> Option<Vec<u64>> {
    let mut out: Vec<u64> = Vec::with_capacity(parts);
    let mut block = vec![0u8; 64 * 1024];
    for k in 1..parts as u64 {
        let target = len / parts as u64 * k;
        if out.last().is_some_and(|&c| c > target) {
            continue;
        }
        let mut r = backing.reader(label).ok()?;
        r.seek(SeekFrom::Start(target)).ok()?;
        let mut searched = 0usize;
        let cut = loop {
            let n = r.read(&mut block).ok()?;
            if n == 0 {
                return None;
            }
            if let Some(i) = memchr::memchr(b'\n', block.get(..n)?) {
                break target + (searched + i) as u64 + 1;
            }
            searched += n;
            if searched > max_line.saturating_add(2) {
                return None;
            }
        };
        if cut < len && out.last().is_none_or(|&c| cut > c) {
            out.push(cut);
        }
    }
    Some(out)
}

/// Pass 1b in parallel parts, or `None` when the one-thread pass should run.
pub(crate) fn scan_parallel(
    backing: &Backing,
    label: &str,
    len: u64,
    threads: usize,
    max_line: usize,
    params: &ScanParams,
) -> Option<Scan> {
    let cuts = cuts(backing, label, len, threads, max_line)?;
    let mut bounds = Vec::with_capacity(cuts.len() + 2);
    bounds.push(0);
    bounds.extend(cuts);
    bounds.push(len);
    let ranges: Vec<(u64, u64)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    if ranges.len() < 2 {
        return None;
    }
    let parts: Vec<Option<Scan>> = std::thread::scope(|s| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|&(start, end)| {
                s.spawn(move || -> Option<Scan> {
                    let mut r = backing.reader(label).ok()?;
                    r.seek(SeekFrom::Start(start)).ok()?;
                    let mut lines =
                        LineReader::starting_at(r.take(end - start), label, max_line, 0, start);
                    scan_lines(&mut lines, params).ok()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    let mut merged = Scan::default();
    for part in parts {
        let part = part?;
        if part.senders_dropped {
            return None;
        }
        // Lines before a later part's first header follow a message of an
        // earlier part: they count as a one-thread read counts them.
        let lead = merged.headers > 0;
        if merged.headers == 0 {
            merged.text_before_first += part.text_before_first;
            merged.earlier_missing |= part.earlier_missing;
        }
        merged.headers += part.headers;
        merged.stats.merge(&part.stats);
        merged.senders.extend(part.senders);
        if merged.senders.len() > params.max_participants {
            return None;
        }
        merged.group_event |= part.group_event;
        merged.title_plain |= part.title_plain;
        let base = merged.lines;
        if merged.first_header_line.is_none() {
            merged.first_header_line = part.first_header_line.map(|l| l + base);
        }
        if merged.first_other_layout.is_none() {
            merged.first_other_layout = part
                .first_lead_other_layout
                .filter(|_| lead)
                .or(part.first_other_layout)
                .map(|l| l + base);
        }
        merged.other_layout += part.other_layout + if lead { part.lead_other_layout } else { 0 };
        for (m, p) in merged.valid_under.iter_mut().zip(part.valid_under) {
            *m |= p;
        }
        merged
            .splits
            .extend(part.splits.into_iter().map(|sp| SplitPoint {
                lines_before: sp.lines_before + base,
                ..sp
            }));
        merged.lines += part.lines;
    }
    Some(merged)
}

/// What every reader thread shares.
pub(crate) struct Shared {
    pub(crate) backing: Backing,
    pub(crate) ctx: Arc<Ctx>,
    pub(crate) media: Arc<HashMap<String, MediaInfo>>,
    /// The occurrence-key seed of this read (one for all parts).
    pub(crate) keys: foldhash::quality::RandomState,
}

/// One part to read: bytes `start..end`, after `lines_before` lines.
struct Job {
    start: u64,
    end: u64,
    lines_before: u64,
    reply: mpsc::SyncSender<Part>,
}

/// A part's messages (in order), the error that ended it, and its warnings.
struct Part {
    items: Vec<Built>,
    error: Option<ConnectorError>,
    warnings: WarningSink,
}

/// What a reader thread carries from one part to the next: its line buffers,
/// its occurrence list (emptied for each part) and its per-sender caches (the
/// same answers for every part of a file).
struct Carry {
    buffers: (String, Vec<u8>),
    occurrences: Occurrences,
    sender_ids: foldhash::HashMap<String, chatwarden_model::ParticipantId>,
    names: super::body::SenderCache,
}

fn read_part(shared: &Shared, job: &Job, carry: &mut Carry) -> Part {
    let ctx = &*shared.ctx;
    let mut warnings = WarningSink::new(ctx.limits.max_warnings);
    // About one message per 64 bytes of chat text: room up front instead of
    // moving every message again as the list grows.
    let guess = usize::try_from((job.end - job.start) / 64).unwrap_or(0);
    let mut items = Vec::with_capacity(guess.min(1 << 16));
    let reader = shared.backing.reader(&ctx.label).and_then(|mut r| {
        r.seek(SeekFrom::Start(job.start))
            .map_err(|e| ConnectorError::io(&ctx.label, e))?;
        Ok(r.take(job.end - job.start))
    });
    let error = match reader {
        Err(e) => Some(e),
        Ok(reader) => {
            let mut messages = Messages {
                lines: LineReader::starting_at(
                    reader,
                    &ctx.label,
                    ctx.limits.max_line_bytes,
                    job.lines_before,
                    job.start,
                )
                .with_buffers(std::mem::take(&mut carry.buffers)),
                ctx,
                media: &shared.media,
                warnings: &mut warnings,
                pending: None,
                seq: 0,
                occurrences: std::mem::take(&mut carry.occurrences),
                done: false,
                spare: (String::new(), String::new()),
                sender_ids: std::mem::take(&mut carry.sender_ids),
                names: std::mem::take(&mut carry.names),
                keep_prefix: true,
                ids: chatwarden_model::MessageIds::new(&ctx.conversation),
                label: ctx.label.as_str().into(),
            };
            let mut error = None;
            while let Some(item) = messages.step() {
                match item {
                    Ok(built) => items.push(built),
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                }
            }
            carry.buffers = messages.lines.take_buffers();
            carry.occurrences = std::mem::take(&mut messages.occurrences);
            carry.occurrences.reset();
            carry.sender_ids = std::mem::take(&mut messages.sender_ids);
            carry.names = std::mem::take(&mut messages.names);
            error
        }
    };
    Part {
        items,
        error,
        warnings,
    }
}

fn worker(shared: Arc<Shared>, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut carry = Carry {
        buffers: Default::default(),
        occurrences: Occurrences::with_keys(shared.keys.clone()),
        sender_ids: Default::default(),
        names: Default::default(),
    };
    loop {
        let job = match jobs.lock() {
            Ok(rx) => match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
            Err(_) => return,
        };
        let part = read_part(&shared, &job, &mut carry);
        // The reader may have been dropped: nothing more to do for this part.
        let _ = job.reply.send(part);
    }
}

/// Pass 2 over parallel parts: messages in file order, as a one-thread read
/// would give them.
pub(crate) struct ParMessages<'a> {
    label: String,
    warnings: &'a mut WarningSink,
    jobs: Option<mpsc::Sender<Job>>,
    waiting: std::vec::IntoIter<(u64, u64, u64)>,
    in_flight: VecDeque<mpsc::Receiver<Part>>,
    current: std::vec::IntoIter<Built>,
    current_error: Option<ConnectorError>,
    occurrences: Occurrences,
    seq: u64,
    done: bool,
}

impl<'a> ParMessages<'a> {
    /// Starts the reader threads on the parts that `splits` (offset, lines
    /// before) cut a `len`-byte file into.
    pub(crate) fn start(
        shared: Shared,
        splits: &[(u64, u64)],
        len: u64,
        warnings: &'a mut WarningSink,
    ) -> Self {
        let mut starts = Vec::with_capacity(splits.len() + 1);
        starts.push((0u64, 0u64));
        starts.extend(splits.iter().copied().filter(|&(o, _)| o > 0 && o < len));
        let mut parts = Vec::with_capacity(starts.len());
        for (i, &(start, lines_before)) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(len, |&(o, _)| o);
            parts.push((start, end, lines_before));
        }
        let threads = shared.ctx.limits.max_threads.clamp(1, parts.len().max(1));
        let label = shared.ctx.label.clone();
        let occurrences = Occurrences::with_keys(shared.keys.clone());
        let shared = Arc::new(shared);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..threads {
            let (shared, rx) = (Arc::clone(&shared), Arc::clone(&rx));
            let spawned = std::thread::Builder::new()
                .name("whatsapp-part".into())
                .spawn(move || worker(shared, rx));
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "could not start a reader thread");
            }
        }
        let mut this = ParMessages {
            label,
            warnings,
            jobs: Some(tx),
            waiting: parts.into_iter(),
            in_flight: VecDeque::new(),
            current: Vec::new().into_iter(),
            current_error: None,
            occurrences,
            seq: 0,
            done: false,
        };
        for _ in 0..=threads {
            this.submit_next();
        }
        this
    }

    /// Hands the next waiting part to the reader threads.
    fn submit_next(&mut self) {
        let (Some(jobs), Some((start, end, lines_before))) = (&self.jobs, self.waiting.next())
        else {
            return;
        };
        let (reply, rx) = mpsc::sync_channel(1);
        // If no reader thread runs, the job (and its reply end) is dropped and
        // the receive below reports it.
        let _ = jobs.send(Job {
            start,
            end,
            lines_before,
            reply,
        });
        self.in_flight.push_back(rx);
    }

    fn stop(&mut self) {
        self.done = true;
        self.jobs = None;
        self.in_flight.clear();
        self.current = Vec::new().into_iter();
    }
}

impl Iterator for ParMessages<'_> {
    type Item = Result<Message, ConnectorError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((mut message, extra)) = self.current.next() {
                if let Some(x) = extra {
                    let n = self.occurrences.next(x.key, message.local_time);
                    if n != x.occurrence {
                        message.id = x.prefix.finish(n);
                    }
                }
                message.seq = self.seq;
                self.seq += 1;
                return Some(Ok(message));
            }
            if let Some(e) = self.current_error.take() {
                self.stop();
                return Some(Err(e));
            }
            if self.done {
                return None;
            }
            let Some(rx) = self.in_flight.pop_front() else {
                self.stop();
                return None;
            };
            self.submit_next();
            match rx.recv() {
                Ok(part) => {
                    self.warnings.absorb(part.warnings);
                    self.current = part.items.into_iter();
                    self.current_error = part.error;
                }
                Err(_) => {
                    self.stop();
                    return Some(Err(ConnectorError::io(
                        &self.label,
                        io::Error::other("a reader thread stopped before finishing its part"),
                    )));
                }
            }
        }
    }
}

impl Drop for ParMessages<'_> {
    fn drop(&mut self) {
        // Closing the job queue ends the reader threads after their current part.
        self.stop();
    }
}
