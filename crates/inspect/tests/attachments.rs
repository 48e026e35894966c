#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Attachment extraction and scanning on fixtures built here: minimal valid
//! DOCX/XLSX/PPTX/ODT/ODS (ZIPs of XML), a hand-written PDF, broken files, a
//! zip bomb and nested ZIPs. The PDF tests need `pdftotext` (poppler-utils)
//! and fail when it is missing.

use chatwarden_inspect::attachments::{
    AttachmentLimits, UNSCANNABLE, extract_text, scan_attachment, scan_attachment_parts,
};
use chatwarden_inspect::{Engine, EngineConfig, ScanContext};
use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(&EngineConfig::default()).unwrap())
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const CARD: &str = "4111 1111 1111 1111";
const MC: &str = "5555555555554444";

fn docx(body: &str) -> Vec<u8> {
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let header = r#"<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:r><w:t>Internal only - do not forward</w:t></w:r></w:p></w:hdr>"#;
    zip_of(&[
        (
            "[Content_Types].xml",
            br#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
        ),
        ("word/document.xml", doc.as_bytes()),
        ("word/header1.xml", header.as_bytes()),
    ])
}

fn docx_with_card_table() -> Vec<u8> {
    docx(&format!(
        "<w:p><w:r><w:t>Customer refund list</w:t></w:r></w:p>\
         <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Ana Souza</w:t></w:r></w:p></w:tc>\
         <w:tc><w:p><w:r><w:t>Card</w:t></w:r></w:p></w:tc>\
         <w:tc><w:p><w:r><w:t>{CARD}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    ))
}

fn xlsx() -> Vec<u8> {
    let shared = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>customer</t></si><si><t>card number</t></si><si><t>{MC}</t></si></sst>"#
    );
    let sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>Peter Hall</t></is></c><c r="B2" t="s"><v>2</v></c><c r="C2"><v>1250.5</v></c></row>
</sheetData></worksheet>"#;
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        (
            "xl/workbook.xml",
            b"<workbook><sheets><sheet name=\"S\" sheetId=\"1\"/></sheets></workbook>",
        ),
        ("xl/sharedStrings.xml", shared.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

fn pptx() -> Vec<u8> {
    let slide = |n: u32, text: &str| {
        format!(
            r#"<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Slide {n}</a:t></a:r></a:p><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#
        )
    };
    let s1 = slide(1, "Wire to IBAN DE89 3704 0044 0532 0130 00");
    let s2 = slide(2, "Q3 plan");
    let s10 = slide(10, "Appendix");
    zip_of(&[
        ("ppt/presentation.xml", b"<p:presentation xmlns:p=\"x\"/>"),
        ("ppt/slides/slide10.xml", s10.as_bytes()),
        ("ppt/slides/slide2.xml", s2.as_bytes()),
        ("ppt/slides/slide1.xml", s1.as_bytes()),
    ])
}

fn odf(mime: &str, body: &str) -> Vec<u8> {
    let content = format!(
        r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>{body}</office:body></office:document-content>"#
    );
    zip_of(&[
        ("mimetype", mime.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

/// A one-page PDF whose content stream shows `text` (Helvetica), with a
/// correct cross-reference table.
fn pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn unscannable(ds: &[(String, chatwarden_inspect::Detection)]) -> Vec<String> {
    ds.iter()
        .filter(|(_, d)| d.entity == UNSCANNABLE)
        .map(|(p, d)| {
            assert_eq!((d.start, d.end), (0, 0));
            assert!((d.score - 1.0).abs() < 1e-6);
            assert_eq!(&d.value, p);
            p.clone()
        })
        .collect()
}

fn scan_parts(
    name: &str,
    bytes: &[u8],
    limits: &AttachmentLimits,
) -> Vec<(String, chatwarden_inspect::Detection)> {
    scan_attachment_parts(engine(), name, bytes, limits, &ScanContext::default())
}

// ---------------------------------------------------------------- formats

#[test]
fn docx_text_tables_and_headers_are_extracted() {
    let ex = extract_text(
        "refunds.docx",
        &docx_with_card_table(),
        &AttachmentLimits::default(),
    );
    assert!(ex.problems.is_empty(), "{:?}", ex.problems);
    assert_eq!(ex.texts.len(), 1);
    let (part, text) = &ex.texts[0];
    assert_eq!(part, "refunds.docx");
    assert!(text.contains("Customer refund list\n"), "{text:?}");
    assert!(
        text.contains(&format!("Ana Souza\n\tCard\n\t{CARD}\n")),
        "{text:?}"
    );
    assert!(
        text.contains("Internal only - do not forward"),
        "header: {text:?}"
    );
}

#[test]
fn card_number_in_a_docx_table_is_detected() {
    let ds = scan_parts(
        "refunds.docx",
        &docx_with_card_table(),
        &AttachmentLimits::default(),
    );
    let card = ds
        .iter()
        .find(|(_, d)| d.entity == "CREDIT_CARD")
        .expect("card");
    assert_eq!(card.0, "refunds.docx");
    assert_eq!(card.1.value, CARD);
    assert!(ds.iter().any(|(_, d)| d.entity == "CONFIDENTIAL_MARKER"));
    assert!(unscannable(&ds).is_empty());
}

#[test]
fn xlsx_cells_are_extracted_and_a_card_in_a_cell_is_detected() {
    let ex = extract_text("book.xlsx", &xlsx(), &AttachmentLimits::default());
    assert!(ex.problems.is_empty(), "{:?}", ex.problems);
    let text = &ex.texts[0].1;
    assert!(text.contains("customer\tcard number\t\n"), "{text:?}");
    assert!(
        text.contains(&format!("Peter Hall\t{MC}\t1250.5\t\n")),
        "{text:?}"
    );
    let ds = scan_attachment(
        engine(),
        "book.xlsx",
        &xlsx(),
        &AttachmentLimits::default(),
        &ScanContext::default(),
    );
    let card = ds.iter().find(|d| d.entity == "CREDIT_CARD").expect("card");
    assert_eq!(card.value, MC);
    // Offsets are characters into the extracted text.
    let chars: String = text
        .chars()
        .skip(card.start)
        .take(card.end - card.start)
        .collect();
    assert_eq!(chars, MC);
}

#[test]
fn pptx_slides_are_extracted_in_order() {
    let ex = extract_text("deck.pptx", &pptx(), &AttachmentLimits::default());
    assert!(ex.problems.is_empty(), "{:?}", ex.problems);
    let text = &ex.texts[0].1;
    let (a, b, c) = (
        text.find("Slide 1").unwrap(),
        text.find("Slide 2").unwrap(),
        text.find("Slide 10").unwrap(),
    );
    assert!(a < b && b < c, "{text:?}");
    let ds = scan_parts("deck.pptx", &pptx(), &AttachmentLimits::default());
    assert!(
        ds.iter()
            .any(|(_, d)| d.entity == "IBAN_CODE" && d.value == "DE89 3704 0044 0532 0130 00"),
        "{ds:?}"
    );
}

#[test]
fn odt_and_ods_text_is_extracted() {
    let odt = odf(
        "application/vnd.oasis.opendocument.text",
        "<office:text><text:h>Minutes</text:h><text:p>Mail<text:s/>ana.souza@example.com<text:tab/>today &amp; tomorrow</text:p></office:text>",
    );
    let ex = extract_text("minutes.odt", &odt, &AttachmentLimits::default());
    assert!(ex.problems.is_empty(), "{:?}", ex.problems);
    assert_eq!(
        ex.texts[0].1,
        "Minutes\nMail ana.souza@example.com\ttoday & tomorrow\n"
    );
    let ds = scan_parts("minutes.odt", &odt, &AttachmentLimits::default());
    assert!(
        ds.iter()
            .any(|(_, d)| d.entity == "EMAIL_ADDRESS" && d.value == "ana.souza@example.com")
    );

    let ods = odf(
        "application/vnd.oasis.opendocument.spreadsheet",
        &format!(
            "<office:spreadsheet><table:table><table:table-row><table:table-cell><text:p>card</text:p></table:table-cell><table:table-cell><text:p>{CARD}</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>"
        ),
    );
    let ds = scan_parts("sheet.ods", &ods, &AttachmentLimits::default());
    assert!(
        ds.iter()
            .any(|(_, d)| d.entity == "CREDIT_CARD" && d.value == CARD),
        "{ds:?}"
    );
}

#[test]
fn csv_and_text_are_read_as_utf8_lossily() {
    let csv = b"customer_id,email\nC-1,peter.hall@example.org\nC-2,\xE9t\xE9@example.com\n";
    let ex = extract_text("customers.csv", csv, &AttachmentLimits::default());
    assert!(ex.problems.is_empty());
    assert!(ex.texts[0].1.contains("peter.hall@example.org"));
    assert!(ex.texts[0].1.contains('\u{FFFD}'));
    let ds = scan_parts(
        "notes.txt",
        "pw: Tr0ub4dor&3xyz".as_bytes(),
        &AttachmentLimits::default(),
    );
    assert!(ds.iter().any(|(_, d)| d.entity == "PASSWORD"), "{ds:?}");
}

#[test]
fn media_is_skipped_not_flagged() {
    let jpg = [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1,
    ];
    let ex = extract_text("IMG-0001.jpg", &jpg, &AttachmentLimits::default());
    assert!(ex.texts.is_empty() && ex.problems.is_empty());
    assert_eq!(
        ex.skipped,
        [("IMG-0001.jpg".to_string(), "JPEG image".to_string())]
    );
    assert!(scan_parts("IMG-0001.jpg", &jpg, &AttachmentLimits::default()).is_empty());
}

#[test]
fn magic_bytes_win_over_the_extension() {
    // A DOCX named .txt is still read as DOCX; a PDF named .docx as PDF.
    let ex = extract_text(
        "refunds.txt",
        &docx_with_card_table(),
        &AttachmentLimits::default(),
    );
    assert!(ex.texts[0].1.contains("Customer refund list"));
    assert!(!ex.texts[0].1.contains("w:document"));
}

// ---------------------------------------------------------------- PDF

#[test]
fn pdf_text_is_extracted_by_pdftotext() {
    let bytes = pdf("Term sheet CONFIDENTIAL card 4111 1111 1111 1111");
    let ex = extract_text("terms.pdf", &bytes, &AttachmentLimits::default());
    assert!(
        ex.problems.is_empty(),
        "pdftotext must be installed (apt-get install poppler-utils): {:?}",
        ex.problems
    );
    assert!(
        ex.texts[0].1.contains("Term sheet CONFIDENTIAL"),
        "{:?}",
        ex.texts
    );
    let ds = scan_parts("terms.pdf", &bytes, &AttachmentLimits::default());
    assert!(ds.iter().any(|(_, d)| d.entity == "CREDIT_CARD"), "{ds:?}");
}

#[test]
fn broken_pdf_is_unscannable() {
    let mut bytes = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R".to_vec();
    bytes.extend_from_slice(&[0x8F; 300]);
    let ds = scan_parts("broken.pdf", &bytes, &AttachmentLimits::default());
    assert_eq!(unscannable(&ds), ["broken.pdf"]);
    // Truncated in the middle of a valid file.
    let good = pdf("hello world");
    let ds = scan_parts(
        "cut.pdf",
        &good[..good.len() / 3],
        &AttachmentLimits::default(),
    );
    assert_eq!(unscannable(&ds), ["cut.pdf"], "{ds:?}");
}

#[cfg(unix)]
#[test]
fn hung_pdf_parser_is_killed_at_the_time_limit() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("slow-pdftotext");
    std::fs::write(&fake, "#!/bin/sh\nexec sleep 30\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let limits = AttachmentLimits {
        pdftotext: fake,
        pdf_timeout: Duration::from_millis(300),
        ..AttachmentLimits::default()
    };
    let t = Instant::now();
    let ex = extract_text("slow.pdf", &pdf("x"), &limits);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(ex.problems.len(), 1);
    assert!(ex.problems[0].1.contains("timed out"), "{:?}", ex.problems);
}

#[cfg(unix)]
#[test]
fn endless_pdf_output_is_capped() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("chatty-pdftotext");
    std::fs::write(&fake, "#!/bin/sh\nexec yes 'call me at the office'\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let limits = AttachmentLimits {
        pdftotext: fake,
        max_text_bytes: 10_000,
        ..AttachmentLimits::default()
    };
    let ex = extract_text("big.pdf", &pdf("x"), &limits);
    assert!(ex.texts[0].1.len() <= 10_000);
    assert!(
        ex.problems.iter().any(|(_, r)| r.contains("not scanned")),
        "{:?}",
        ex.problems
    );
}

#[test]
fn missing_pdftotext_is_a_problem_not_a_panic() {
    let limits = AttachmentLimits {
        pdftotext: "/nonexistent/pdftotext".into(),
        ..AttachmentLimits::default()
    };
    let ex = extract_text("a.pdf", &pdf("x"), &limits);
    assert!(
        ex.problems[0].1.contains("poppler-utils"),
        "{:?}",
        ex.problems
    );
}

// ---------------------------------------------------------------- broken files

#[test]
fn broken_office_files_are_unscannable() {
    let bad_xml = zip_of(&[("word/document.xml", b"<w:document><w:body><w:p></w:body>")]);
    let ds = scan_parts("bad.docx", &bad_xml, &AttachmentLimits::default());
    assert_eq!(unscannable(&ds), ["bad.docx"]);

    let good = docx_with_card_table();
    let truncated = &good[..good.len() / 2];
    let ds = scan_parts("cut.docx", truncated, &AttachmentLimits::default());
    assert_eq!(unscannable(&ds), ["cut.docx"]);

    let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];
    let ex = extract_text("old.doc", &ole, &AttachmentLimits::default());
    assert!(ex.problems[0].1.contains("OLE2"));

    let ex = extract_text(
        "blob.bin",
        &[0u8, 159, 146, 150, 0, 1, 2, 3],
        &AttachmentLimits::default(),
    );
    assert_eq!(ex.problems[0].1, "unrecognized binary format");
}

#[test]
fn arbitrary_bytes_never_panic() {
    // Deterministic mutations of every fixture.
    let fixtures = [
        docx_with_card_table(),
        xlsx(),
        pptx(),
        pdf("abc"),
        zip_of(&[("a.txt", b"x")]),
    ];
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for f in &fixtures {
        for _ in 0..40 {
            let mut b = f.clone();
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = (seed % b.len() as u64) as usize;
                b[i] = (seed >> 32) as u8;
            }
            let limits = AttachmentLimits {
                pdf_timeout: Duration::from_secs(5),
                ..AttachmentLimits::default()
            };
            let ex = extract_text("m.bin", &b, &limits);
            assert!(ex.texts.len() + ex.problems.len() + ex.skipped.len() <= 10);
        }
    }
}

// ---------------------------------------------------------------- ZIP limits

#[test]
fn nested_zips_are_scanned_with_part_names() {
    let inner = zip_of(&[("a.csv", format!("name,card\nAna,{CARD}\n").as_bytes())]);
    let outer = zip_of(&[
        ("docs/inner.zip", &inner),
        ("readme.txt", b"see inner"),
        ("refunds.docx", &docx_with_card_table()),
    ]);
    let ds = scan_parts("bundle.zip", &outer, &AttachmentLimits::default());
    let cards: Vec<&str> = ds
        .iter()
        .filter(|(_, d)| d.entity == "CREDIT_CARD")
        .map(|(p, _)| p.as_str())
        .collect();
    assert_eq!(
        cards,
        [
            "bundle.zip!/docs/inner.zip!/a.csv",
            "bundle.zip!/refunds.docx"
        ]
    );
}

#[test]
fn nesting_deeper_than_the_limit_is_reported() {
    let mut z = zip_of(&[("deep.txt", format!("card {CARD}").as_bytes())]);
    for i in 0..5 {
        z = zip_of(&[(&format!("l{i}.zip"), &z)]);
    }
    let limits = AttachmentLimits {
        max_depth: 3,
        ..AttachmentLimits::default()
    };
    let ex = extract_text("matryoshka.zip", &z, &limits);
    assert!(ex.texts.is_empty());
    assert_eq!(ex.problems.len(), 1, "{:?}", ex.problems);
    assert_eq!(ex.problems[0].0, "matryoshka.zip!/l4.zip!/l3.zip!/l2.zip");
    assert!(ex.problems[0].1.contains("nested deeper"));
}

#[test]
fn zip_bomb_is_stopped_by_the_ratio_limit() {
    let zeros = vec![0u8; 8 << 20];
    let bomb = zip_of(&[("zeros.txt", &zeros)]);
    assert!(bomb.len() < 100_000);
    let t = Instant::now();
    let ds = scan_parts("bomb.zip", &bomb, &AttachmentLimits::default());
    assert!(t.elapsed() < Duration::from_secs(10));
    assert_eq!(unscannable(&ds), ["bomb.zip!/zeros.txt"]);
    let ex = extract_text("bomb.zip", &bomb, &AttachmentLimits::default());
    assert!(ex.problems[0].1.contains("ratio"), "{:?}", ex.problems);
}

#[test]
fn entry_size_total_and_count_limits_hold() {
    let big = "x".repeat(5000);
    let z = zip_of(&[
        ("big.txt", big.as_bytes()),
        ("small.txt", b"card 4111 1111 1111 1111"),
    ]);
    let limits = AttachmentLimits {
        max_entry_bytes: 1000,
        ..AttachmentLimits::default()
    };
    let ex = extract_text("z.zip", &z, &limits);
    assert_eq!(ex.problems.len(), 1);
    assert_eq!(ex.problems[0].0, "z.zip!/big.txt");
    assert_eq!(ex.texts.len(), 1, "the small entry is still read");

    let limits = AttachmentLimits {
        max_total_bytes: 6000,
        ..AttachmentLimits::default()
    };
    let z2 = zip_of(&[
        ("a.txt", big.as_bytes()),
        ("b.txt", big.as_bytes()),
        ("c.txt", big.as_bytes()),
    ]);
    let ex = extract_text("z.zip", &z2, &limits);
    assert_eq!(ex.texts.len(), 1, "{:?}", ex.problems);
    assert_eq!(ex.problems.len(), 2);

    let many: Vec<(String, Vec<u8>)> = (0..10)
        .map(|i| (format!("f{i}.txt"), b"hello".to_vec()))
        .collect();
    let refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let limits = AttachmentLimits {
        max_entries: 3,
        ..AttachmentLimits::default()
    };
    let ex = extract_text("many.zip", &zip_of(&refs), &limits);
    assert_eq!(ex.texts.len(), 3);
    assert!(ex.problems[0].1.contains("10 entries"));
}

#[test]
fn long_text_is_cut_and_reported() {
    let limits = AttachmentLimits {
        max_text_bytes: 100,
        ..AttachmentLimits::default()
    };
    let ex = extract_text("long.txt", "é".repeat(200).as_bytes(), &limits);
    assert!(ex.texts[0].1.len() <= 100);
    assert_eq!(ex.problems.len(), 1);
}

#[test]
fn offsets_stay_right_across_chunks() {
    // Longer than one engine chunk: the card at the end keeps its offset.
    let mut text = "lorem ipsum dolor sit amet ".repeat(20_000);
    let before = text.chars().count();
    text.push_str("card ");
    text.push_str(CARD);
    let ds = scan_parts("long.txt", text.as_bytes(), &AttachmentLimits::default());
    let d = &ds
        .iter()
        .find(|(_, d)| d.entity == "CREDIT_CARD")
        .expect("card")
        .1;
    assert_eq!(d.start, before + 5);
    assert_eq!(d.end, before + 5 + CARD.chars().count());
}
