//! Line-oriented scanning for `chatwarden scan`: JSONL in (`{"id", "text"}`),
//! one JSON line per detection out.
//!
//! A line that is not a JSON object with a string `text` stops the job with an
//! error naming the line number (1-based): a benchmark that silently skipped
//! lines would report wrong recall. Blank lines are skipped.

use crate::engine::{Engine, ScanContext};
use crate::error::InspectError;
use serde::Serialize;
use std::io::{BufRead, Write};

/// Counts from one scan job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Messages scanned.
    pub messages: u64,
    /// Detections written.
    pub detections: u64,
    /// Blank lines skipped.
    pub blank_lines: u64,
}

#[derive(Serialize)]
struct OutLine<'a> {
    id: &'a serde_json::Value,
    entity: &'a str,
    start: usize,
    end: usize,
    score: f32,
    detector: &'a str,
}

/// Reads `{"id": …, "text": …}` lines (id a string or a number, echoed as given)
/// and writes `{"id","entity","start","end","score","detector"}` per detection.
pub fn scan_jsonl(
    engine: &Engine,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<ScanStats, InspectError> {
    let mut stats = ScanStats::default();
    let ctx = ScanContext::default();
    for (n, line) in input.lines().enumerate() {
        let line_no = n as u64 + 1;
        let line = line?;
        if line.trim().is_empty() {
            stats.blank_lines += 1;
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| InspectError::Line {
                line: line_no,
                message: format!("not JSON: {e}"),
            })?;
        let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
        let text = value
            .get("text")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| InspectError::Line {
                line: line_no,
                message: "no string field \"text\"".into(),
            })?;
        stats.messages += 1;
        stats.detections += write_detections(engine, &id, text, &ctx, &mut output)?;
    }
    output.flush()?;
    Ok(stats)
}

/// Plain text, one message per line; the id is the 1-based line number.
pub fn scan_text(
    engine: &Engine,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<ScanStats, InspectError> {
    let mut stats = ScanStats::default();
    let ctx = ScanContext::default();
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        let id = serde_json::Value::from(n as u64 + 1);
        stats.messages += 1;
        stats.detections += write_detections(engine, &id, &line, &ctx, &mut output)?;
    }
    output.flush()?;
    Ok(stats)
}

fn write_detections(
    engine: &Engine,
    id: &serde_json::Value,
    text: &str,
    ctx: &ScanContext<'_>,
    output: &mut impl Write,
) -> Result<u64, InspectError> {
    let mut count = 0;
    for d in engine.scan(text, ctx) {
        let line = OutLine {
            id,
            entity: &d.entity,
            start: d.start,
            end: d.end,
            score: d.score,
            detector: &d.detector,
        };
        serde_json::to_writer(&mut *output, &line)?;
        output.write_all(b"\n")?;
        count += 1;
    }
    Ok(count)
}
