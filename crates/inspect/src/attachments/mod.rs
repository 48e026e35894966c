//! Attachment text extraction and scanning.
//!
//! [`extract_text`] sniffs a file by its magic bytes (the extension is only a
//! hint for text files), extracts its text (DOCX, XLSX, PPTX, ODT/ODS/ODP,
//! CSV/TXT, ZIP recursively, PDF through `pdftotext` in a child process), and
//! reports every part it could not read as a problem instead of failing.
//! [`scan_attachment`] runs the engine over the texts and turns problems into
//! `UNSCANNABLE_ATTACHMENT` detections.
//!
//! Magic numbers: PDF `%PDF-`; ZIP `PK\x03\x04` / `PK\x05\x06` (PKWARE
//! APPNOTE); OLE2 compound file `D0 CF 11 E0 A1 B1 1A E1`; media signatures as
//! published by their formats (JPEG, PNG, GIF, WebP/WAV RIFF, ISO BMFF `ftyp`,
//! Ogg, MP3/ID3, AMR, Matroska/WebM).

mod archive;
mod office;
mod pdf;

use crate::detection::Detection;
use crate::engine::{Engine, ScanContext};
use std::path::PathBuf;
use std::time::Duration;

/// Entity reported when an attachment cannot be parsed.
pub const UNSCANNABLE: &str = "UNSCANNABLE_ATTACHMENT";

/// Bounds on what one attachment may cost.
#[derive(Clone, Debug)]
pub struct AttachmentLimits {
    /// Deepest nesting of archives (a ZIP in a ZIP is depth 2).
    pub max_depth: usize,
    /// Most entries read from one archive (more are reported, not read).
    pub max_entries: usize,
    /// Largest uncompressed size of one archive entry or OOXML/ODF part.
    pub max_entry_bytes: u64,
    /// Largest uncompressed total read from one attachment, all levels.
    pub max_total_bytes: u64,
    /// Largest uncompressed/compressed ratio of an entry above 1 MiB.
    pub max_ratio: u64,
    /// Most text kept per part (more is cut and reported).
    pub max_text_bytes: usize,
    /// Wall-clock limit for one `pdftotext` run (then it is killed).
    pub pdf_timeout: Duration,
    /// The `pdftotext` program (Debian package poppler-utils).
    pub pdftotext: PathBuf,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        AttachmentLimits {
            max_depth: 3,
            max_entries: 1000,
            max_entry_bytes: 64 << 20,
            max_total_bytes: 256 << 20,
            max_ratio: 100,
            max_text_bytes: 8 << 20,
            pdf_timeout: Duration::from_secs(20),
            pdftotext: PathBuf::from("pdftotext"),
        }
    }
}

/// Text extracted from one attachment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extracted {
    /// (part, text): the part is the attachment's name, or for archive
    /// members `bundle.zip!/dir/a.csv` (nested: `a.zip!/b.zip!/c.txt`).
    pub texts: Vec<(String, String)>,
    /// (part, reason) for parts that could not be read; each is a finding.
    pub problems: Vec<(String, String)>,
    /// (part, kind) for parts that hold no text to scan (photos, audio,
    /// video); not findings.
    pub skipped: Vec<(String, String)>,
}

/// What was read so far from one attachment (all levels).
pub(crate) struct Budget {
    pub total: u64,
}

#[derive(Debug, PartialEq)]
enum Kind {
    Pdf,
    Zip,
    Ole,
    Media(&'static str),
    OtherArchive(&'static str),
    Text,
    Binary,
}

fn sniff(name: &str, bytes: &[u8]) -> Kind {
    let head = bytes.get(..bytes.len().min(16)).unwrap_or_default();
    let starts = |sig: &[u8]| head.starts_with(sig);
    if bytes
        .get(..1024.min(bytes.len()))
        .is_some_and(|h| h.windows(5).any(|w| w == b"%PDF-"))
    {
        return Kind::Pdf;
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return Kind::Zip;
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Kind::Ole;
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Kind::Media("JPEG image");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Kind::Media("PNG image");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Kind::Media("GIF image");
    }
    if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Kind::Media("WebP image");
    }
    if starts(b"RIFF") && head.get(8..12) == Some(b"WAVE") {
        return Kind::Media("WAV audio");
    }
    if head.get(4..8) == Some(b"ftyp") {
        return Kind::Media("MP4/HEIF media");
    }
    if starts(b"OggS") {
        return Kind::Media("Ogg audio");
    }
    if starts(b"ID3") || matches!(head, [0xFF, b, ..] if b & 0xE0 == 0xE0) {
        return Kind::Media("MP3 audio");
    }
    if starts(b"#!AMR") {
        return Kind::Media("AMR audio");
    }
    if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Kind::Media("Matroska/WebM video");
    }
    if starts(&[0x1F, 0x8B]) {
        return Kind::OtherArchive("gzip");
    }
    if starts(b"7z\xBC\xAF\x27\x1C") {
        return Kind::OtherArchive("7-Zip");
    }
    if starts(b"Rar!\x1A\x07") {
        return Kind::OtherArchive("RAR");
    }
    if looks_like_text(name, bytes) {
        return Kind::Text;
    }
    Kind::Binary
}

fn has_text_extension(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".txt", ".csv", ".tsv", ".md", ".json", ".xml", ".html", ".htm", ".vcf", ".log", ".ics",
        ".eml", ".yaml", ".yml", ".ini", ".sql",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

fn looks_like_text(name: &str, bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = bytes.get(..bytes.len().min(8192)).unwrap_or_default();
    if head.contains(&0) {
        return false;
    }
    if std::str::from_utf8(head).is_ok() || has_text_extension(name) {
        return true;
    }
    // A few invalid sequences (cut at the 8 KiB mark, Latin-1 letters) are fine.
    let bad = String::from_utf8_lossy(head).matches('\u{FFFD}').count();
    bad * 50 < head.len()
}

/// Decodes text: UTF-16 with a BOM, else UTF-8 (invalid bytes replaced).
fn decode_text(bytes: &[u8]) -> String {
    let utf16 = |be: bool| -> String {
        let units = bytes
            .get(2..)
            .unwrap_or_default()
            .chunks_exact(2)
            .map(|c| match c {
                [a, b] if be => u16::from_be_bytes([*a, *b]),
                [a, b] => u16::from_le_bytes([*a, *b]),
                _ => 0xFFFD,
            });
        char::decode_utf16(units)
            .map(|r| r.unwrap_or('\u{FFFD}'))
            .collect()
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return utf16(false);
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return utf16(true);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// Cuts `text` to at most `max` bytes (at a character boundary); true if cut.
pub(crate) fn cap_text(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    true
}

/// Adds a part's text, reporting a cut.
pub(crate) fn push_text(
    out: &mut Extracted,
    part: &str,
    mut text: String,
    limits: &AttachmentLimits,
) {
    if cap_text(&mut text, limits.max_text_bytes) {
        out.problems.push((
            part.to_string(),
            format!(
                "text longer than {} bytes; the rest was not scanned",
                limits.max_text_bytes
            ),
        ));
    }
    if !text.trim().is_empty() {
        out.texts.push((part.to_string(), text));
    }
}

/// Extracts the text of one attachment. Never panics: every failure becomes
/// an entry in `problems`.
pub fn extract_text(name: &str, bytes: &[u8], limits: &AttachmentLimits) -> Extracted {
    let mut out = Extracted::default();
    let mut budget = Budget { total: 0 };
    extract_into(name, bytes, 1, limits, &mut budget, &mut out);
    out
}

pub(crate) fn extract_into(
    part: &str,
    bytes: &[u8],
    depth: usize,
    limits: &AttachmentLimits,
    budget: &mut Budget,
    out: &mut Extracted,
) {
    let kind = sniff(part, bytes);
    tracing::debug!(bytes = bytes.len(), kind = ?kind, depth, "attachment part");
    // Parsers return errors rather than panicking; this is a second fence so a
    // bug in one of them costs one finding, not the ingest.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut local = Extracted::default();
        match kind {
            Kind::Pdf => match pdf::extract(bytes, limits) {
                Ok((text, cut)) => {
                    if cut {
                        local.problems.push((
                            part.to_string(),
                            format!(
                                "PDF text longer than {} bytes; the rest was not scanned",
                                limits.max_text_bytes
                            ),
                        ));
                    }
                    push_text(&mut local, part, text, limits);
                }
                Err(reason) => local.problems.push((part.to_string(), reason)),
            },
            Kind::Zip => archive::extract_zip(part, bytes, depth, limits, budget, &mut local),
            Kind::Ole => local.problems.push((
                part.to_string(),
                "legacy Office (OLE2) file: format not supported".into(),
            )),
            Kind::Media(what) => local.skipped.push((part.to_string(), what.to_string())),
            Kind::OtherArchive(what) => local.problems.push((
                part.to_string(),
                format!("{what} archive: format not supported"),
            )),
            Kind::Text => push_text(&mut local, part, decode_text(bytes), limits),
            Kind::Binary => local
                .problems
                .push((part.to_string(), "unrecognized binary format".into())),
        }
        local
    }));
    match result {
        Ok(local) => {
            out.texts.extend(local.texts);
            out.problems.extend(local.problems);
            out.skipped.extend(local.skipped);
        }
        Err(_) => out
            .problems
            .push((part.to_string(), "parser failed unexpectedly".into())),
    }
}

/// Longest piece of text given to the engine at once; longer texts are cut at
/// whitespace into pieces and the offsets added back.
const CHUNK_BYTES: usize = 256 << 10;

fn chunks(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    while start < text.len() {
        let mut end = (start + CHUNK_BYTES).min(text.len());
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        if end < text.len()
            && let Some(piece) = text.get(start..end)
            && let Some(ws) = piece.rfind(char::is_whitespace)
            && ws > CHUNK_BYTES / 2
        {
            end = start + ws;
        }
        if let Some(piece) = text.get(start..end) {
            out.push((start, piece));
        }
        if end <= start {
            break;
        }
        start = end;
    }
    out
}

/// Scans an attachment: every extracted text through the engine (offsets
/// relative to the part's text, in Unicode scalar values), and one
/// `UNSCANNABLE_ATTACHMENT` detection (span 0..0, score 1.0, value = part) per
/// problem. Returns (part, detection) pairs.
pub fn scan_attachment_parts(
    engine: &Engine,
    name: &str,
    bytes: &[u8],
    limits: &AttachmentLimits,
    ctx: &ScanContext<'_>,
) -> Vec<(String, Detection)> {
    let extracted = extract_text(name, bytes, limits);
    let mut out = Vec::new();
    for (part, text) in &extracted.texts {
        let mut chars_before = 0usize;
        let mut last_byte = 0usize;
        for (i, (byte_start, piece)) in chunks(text).into_iter().enumerate() {
            chars_before += text
                .get(last_byte..byte_start)
                .map_or(0, |s| s.chars().count());
            last_byte = byte_start;
            let piece_ctx = ScanContext {
                previous: if i == 0 { ctx.previous } else { &[] },
                ..*ctx
            };
            for mut d in engine.scan(piece, &piece_ctx) {
                d.start += chars_before;
                d.end += chars_before;
                out.push((part.clone(), d));
            }
        }
    }
    for (part, _reason) in extracted.problems {
        out.push((
            part.clone(),
            Detection {
                entity: UNSCANNABLE.to_string(),
                detector: "attachment".to_string(),
                start: 0,
                end: 0,
                score: 1.0,
                value: part,
            },
        ));
    }
    out
}

/// As [`scan_attachment_parts`], without the part names.
pub fn scan_attachment(
    engine: &Engine,
    name: &str,
    bytes: &[u8],
    limits: &AttachmentLimits,
    ctx: &ScanContext<'_>,
) -> Vec<Detection> {
    scan_attachment_parts(engine, name, bytes, limits, ctx)
        .into_iter()
        .map(|(_, d)| d)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_uses_magic_bytes_not_names() {
        assert_eq!(sniff("x.txt", b"%PDF-1.4\n"), Kind::Pdf);
        assert_eq!(sniff("x.pdf", b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(
            sniff("x.docx", b"\xFF\xD8\xFF\xE0"),
            Kind::Media("JPEG image")
        );
        assert_eq!(sniff("a.bin", "héllo, wörld\n".as_bytes()), Kind::Text);
        assert_eq!(sniff("a.bin", &[0u8, 1, 2, 3, 0, 0xFF]), Kind::Binary);
        assert_eq!(sniff("a.csv", b"a,b\n1,\xE9\n"), Kind::Text);
    }

    #[test]
    fn utf16_text_is_decoded() {
        let mut b = vec![0xFF, 0xFE];
        for u in "hi €".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(&b), "hi €");
    }

    #[test]
    fn chunks_cover_the_text_and_cut_at_whitespace() {
        let word = "abcdefg ";
        let text = word.repeat(100_000);
        let cs = chunks(&text);
        assert!(cs.len() > 2);
        let joined: String = cs.iter().map(|(_, p)| *p).collect();
        assert_eq!(joined, text);
        for (s, p) in &cs {
            assert_eq!(&text[*s..*s + p.len()], *p);
            assert!(p.len() <= CHUNK_BYTES);
        }
    }
}
