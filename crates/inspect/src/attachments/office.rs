//! Office documents, which are ZIPs of XML parts: DOCX (`word/document.xml`,
//! headers, footers, notes, comments), XLSX (`xl/sharedStrings.xml` and the
//! sheets), PPTX (slides and notes), and OpenDocument text/spreadsheet/
//! presentation (`content.xml`). Part names follow ECMA-376 (Office Open XML)
//! and OASIS OpenDocument 1.2; text is read with quick-xml, so no XML entity
//! expansion beyond the five predefined ones and character references.

use super::archive::{Zip, read_named};
use super::{AttachmentLimits, Budget, Extracted, push_text};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

#[derive(Debug, PartialEq)]
enum Doc {
    Docx,
    Xlsx,
    Pptx,
    Odf,
}

fn kind(zip: &Zip<'_>) -> Option<Doc> {
    let has = |n: &str| zip.index_for_name(n).is_some();
    if has("word/document.xml") {
        Some(Doc::Docx)
    } else if has("xl/workbook.xml") {
        Some(Doc::Xlsx)
    } else if has("ppt/presentation.xml") {
        Some(Doc::Pptx)
    } else if has("content.xml") && has("mimetype") {
        Some(Doc::Odf)
    } else {
        None
    }
}

/// Names of entries under `dir` starting with `stem` and ending in `.xml`,
/// ordered by the number in them (slide2 before slide10).
fn numbered(zip: &Zip<'_>, dir: &str, stem: &str) -> Vec<String> {
    let mut names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| {
            n.strip_prefix(dir)
                .is_some_and(|r| r.starts_with(stem) && r.ends_with(".xml") && !r.contains('/'))
        })
        .collect();
    let num = |n: &str| -> u64 {
        n.chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0)
    };
    names.sort_by(|a, b| num(a).cmp(&num(b)).then(a.cmp(b)));
    names
}

/// Returns true when the ZIP is an office document (its text or problems are
/// then in `out`); false for a plain ZIP.
pub(crate) fn try_extract(
    part: &str,
    zip: &mut Zip<'_>,
    limits: &AttachmentLimits,
    budget: &mut Budget,
    out: &mut Extracted,
) -> bool {
    let Some(doc) = kind(zip) else {
        return false;
    };
    match extract(&doc, zip, limits, budget) {
        Ok(text) => push_text(out, part, text, limits),
        Err(reason) => out.problems.push((part.to_string(), reason)),
    }
    true
}

fn extract(
    doc: &Doc,
    zip: &mut Zip<'_>,
    limits: &AttachmentLimits,
    budget: &mut Budget,
) -> Result<String, String> {
    let mut read = |zip: &mut Zip<'_>, name: &str| -> Result<String, String> {
        let bytes = match read_named(zip, name, limits, budget) {
            Some(r) => r.map_err(|e| format!("{name}: {e}"))?,
            None => return Err(format!("{name}: missing")),
        };
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    let mut text = String::new();
    match doc {
        Doc::Docx => {
            let mut parts = vec!["word/document.xml".to_string()];
            for stem in ["header", "footer", "footnotes", "endnotes", "comments"] {
                parts.extend(numbered(zip, "word/", stem));
            }
            for p in parts {
                let xml = read(zip, &p)?;
                text.push_str(&xml_text(&xml, &DOCX).map_err(|e| format!("{p}: {e}"))?);
                text.push('\n');
            }
        }
        Doc::Pptx => {
            let mut parts = numbered(zip, "ppt/slides/", "slide");
            parts.extend(numbered(zip, "ppt/notesSlides/", "notesSlide"));
            for p in parts {
                let xml = read(zip, &p)?;
                text.push_str(&xml_text(&xml, &PPTX).map_err(|e| format!("{p}: {e}"))?);
                text.push('\n');
            }
        }
        Doc::Odf => {
            let xml = read(zip, "content.xml")?;
            text = xml_text(&xml, &ODF).map_err(|e| format!("content.xml: {e}"))?;
        }
        Doc::Xlsx => {
            let shared = if zip.index_for_name("xl/sharedStrings.xml").is_some() {
                let xml = read(zip, "xl/sharedStrings.xml")?;
                shared_strings(&xml).map_err(|e| format!("xl/sharedStrings.xml: {e}"))?
            } else {
                Vec::new()
            };
            for p in numbered(zip, "xl/worksheets/", "sheet") {
                let xml = read(zip, &p)?;
                text.push_str(&sheet_text(&xml, &shared).map_err(|e| format!("{p}: {e}"))?);
                text.push('\n');
            }
        }
    }
    Ok(text)
}

/// Which elements hold text and which separate it, by local name.
struct Spec {
    /// Text is kept only inside these (empty: everywhere).
    text_in: &'static [&'static str],
    newline_after: &'static [&'static str],
    tab_after: &'static [&'static str],
    newline_empty: &'static [&'static str],
    tab_empty: &'static [&'static str],
    space_empty: &'static [&'static str],
}

const DOCX: Spec = Spec {
    // delText: text removed under tracked changes is still in the file.
    text_in: &["t", "delText"],
    newline_after: &["p", "tr"],
    tab_after: &["tc"],
    newline_empty: &["br", "cr"],
    tab_empty: &["tab"],
    space_empty: &[],
};

const PPTX: Spec = Spec {
    text_in: &["t"],
    newline_after: &["p", "tr"],
    tab_after: &["tc"],
    newline_empty: &["br"],
    tab_empty: &[],
    space_empty: &[],
};

const ODF: Spec = Spec {
    text_in: &["p", "h"],
    newline_after: &["p", "h", "table-row"],
    tab_after: &["table-cell"],
    newline_empty: &["line-break"],
    tab_empty: &["tab"],
    space_empty: &["s"],
};

/// The character a reference stands for (`&amp;`, `&#x41;`).
fn resolve_ref(r: &BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c);
    }
    match &**r {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

fn xml_text(xml: &str, spec: &Spec) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut inside = 0usize;
    let keep = |inside: usize| spec.text_in.is_empty() || inside > 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if spec.text_in.contains(&e.local_name().as_ref()) {
                    inside += 1;
                }
            }
            Ok(Event::End(e)) => {
                let n = e.local_name();
                let n = n.as_ref();
                if spec.text_in.contains(&n) {
                    inside = inside.saturating_sub(1);
                }
                if spec.newline_after.contains(&n) {
                    out.push('\n');
                } else if spec.tab_after.contains(&n) {
                    out.push('\t');
                }
            }
            Ok(Event::Empty(e)) => {
                let n = e.local_name();
                let n = n.as_ref();
                if spec.newline_empty.contains(&n) || spec.newline_after.contains(&n) {
                    out.push('\n');
                } else if spec.tab_empty.contains(&n) || spec.tab_after.contains(&n) {
                    out.push('\t');
                } else if spec.space_empty.contains(&n) {
                    out.push(' ');
                }
            }
            Ok(Event::Text(t)) if keep(inside) => out.push_str(&t),
            Ok(Event::CData(t)) if keep(inside) => {
                out.push_str(&t);
            }
            Ok(Event::GeneralRef(r)) if keep(inside) => {
                if let Some(c) = resolve_ref(&r) {
                    out.push(c);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "XML error at byte {}: {e}",
                    reader.error_position()
                ));
            }
        }
    }
    Ok(out)
}

/// `xl/sharedStrings.xml`: each `<si>` is one string (rich-text runs joined,
/// phonetic runs left out).
fn shared_strings(xml: &str) -> Result<Vec<String>, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut in_t, mut in_phonetic) = (false, false);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "si" => cur.clear(),
                "t" => in_t = true,
                "rPh" => in_phonetic = true,
                _ => {}
            },
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "si" => out.push(std::mem::take(&mut cur)),
                "t" => in_t = false,
                "rPh" => in_phonetic = false,
                _ => {}
            },
            Ok(Event::Empty(e)) if e.local_name().as_ref() == "si" => out.push(String::new()),
            Ok(Event::Text(t)) if in_t && !in_phonetic => cur.push_str(&t),
            Ok(Event::GeneralRef(r)) if in_t && !in_phonetic => {
                if let Some(c) = resolve_ref(&r) {
                    cur.push(c);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "XML error at byte {}: {e}",
                    reader.error_position()
                ));
            }
        }
    }
    Ok(out)
}

/// A worksheet: cells tab-separated, rows on lines; shared strings (`t="s"`)
/// looked up, inline strings and numbers as written.
fn sheet_text(xml: &str, shared: &[String]) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut cell = String::new();
    let mut cell_type = String::new();
    let (mut in_v, mut in_t) = (false, false);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "c" => {
                    cell.clear();
                    cell_type = e
                        .try_get_attribute("t")
                        .ok()
                        .flatten()
                        .map(|a| a.value.into_owned())
                        .unwrap_or_default();
                }
                "v" => in_v = true,
                "t" => in_t = true,
                _ => {}
            },
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "c" => {
                    let value = if cell_type == "s" {
                        cell.trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| shared.get(i))
                            .cloned()
                            .unwrap_or_default()
                    } else {
                        std::mem::take(&mut cell)
                    };
                    out.push_str(&value);
                    out.push('\t');
                }
                "v" => in_v = false,
                "t" => in_t = false,
                "row" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_v || in_t => cell.push_str(&t),
            Ok(Event::GeneralRef(r)) if in_v || in_t => {
                if let Some(c) = resolve_ref(&r) {
                    cell.push(c);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "XML error at byte {}: {e}",
                    reader.error_position()
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docx_xml_keeps_text_and_separates_cells_and_paragraphs() {
        let xml = r#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>Tom &amp; Jerry</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve"> ok</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>b&#x41;</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:instrText>HYPERLINK</w:instrText></w:r></w:p></w:body></w:document>"#;
        let t = xml_text(xml, &DOCX).unwrap();
        assert!(t.starts_with("Tom & Jerry\t ok\n"), "{t:?}");
        assert!(t.contains("a\n\tbA\n\t\n"), "{t:?}");
        assert!(!t.contains("HYPERLINK"));
    }

    #[test]
    fn broken_xml_is_an_error() {
        assert!(xml_text("<a><b></a>", &DOCX).is_err());
    }

    #[test]
    fn sheet_cells_resolve_shared_strings() {
        let shared = shared_strings(r#"<sst><si><t>Name</t></si><si><r><t>Ana </t></r><r><t>Souza</t></r><rPh><t>アナ</t></rPh></si></sst>"#).unwrap();
        assert_eq!(shared, ["Name", "Ana Souza"]);
        let xml = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>42.5</v></c></row><row r="2"><c t="s"><v>1</v></c><c t="inlineStr"><is><t>x&lt;y</t></is></c><c t="s"><v>99</v></c></row></sheetData></worksheet>"#;
        assert_eq!(
            sheet_text(xml, &shared).unwrap(),
            "Name\t42.5\t\nAna Souza\tx<y\t\t\n"
        );
    }
}
