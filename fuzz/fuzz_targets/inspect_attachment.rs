//! Feeds arbitrary bytes to attachment text extraction and scanning, as a file a
//! chat carried: the first byte picks the file name (and so the hint for text
//! files; the content is sniffed by its magic bytes: OOXML and ODF zips, plain
//! zips, nested zips, CSV and text). Limits are lowered so a run stays fast, and
//! `pdftotext` points nowhere (a PDF becomes an "unscannable" problem, not a
//! child process per input). Beyond never panicking: every problem names its part
//! and says why, and every finding's value is in the extracted text.
#![no_main]

use chatwarden_inspect::attachments::{AttachmentLimits, extract_text, scan_attachment};
use chatwarden_inspect::{Engine, EngineConfig, ScanContext};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::time::Duration;

const NAMES: [&str; 10] = [
    "report.docx",
    "sheet.xlsx",
    "deck.pptx",
    "letter.odt",
    "bundle.zip",
    "list.csv",
    "notes.txt",
    "scan.pdf",
    "photo.jpg",
    "no-extension",
];

fn engine() -> Option<&'static Engine> {
    static E: OnceLock<Option<Engine>> = OnceLock::new();
    E.get_or_init(|| Engine::new(&EngineConfig::default()).ok())
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some(engine) = engine() else {
        panic!("the engine does not build");
    };
    let name = NAMES
        .get(usize::from(data.first().copied().unwrap_or(0)) % NAMES.len())
        .copied()
        .unwrap_or("notes.txt");
    let bytes = data.get(1..).unwrap_or_default();
    let limits = AttachmentLimits {
        max_depth: 3,
        max_entries: 64,
        max_entry_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_ratio: 100,
        max_text_bytes: 1 << 20,
        pdf_timeout: Duration::from_millis(10),
        pdftotext: "/nonexistent/pdftotext".into(),
    };
    let extracted = extract_text(name, bytes, &limits);
    for (part, reason) in &extracted.problems {
        assert!(
            !part.is_empty() && !reason.is_empty(),
            "{part:?}: {reason:?}"
        );
    }
    for d in scan_attachment(engine, name, bytes, &limits, &ScanContext::default()) {
        if d.entity == "UNSCANNABLE_ATTACHMENT" {
            continue;
        }
        assert!(d.start < d.end, "span {d:?}");
        assert!(
            extracted
                .texts
                .iter()
                .any(|(_, t)| t.contains(d.value.as_str())),
            "a finding outside the extracted text: {d:?}"
        );
    }
});
