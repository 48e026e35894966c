//! ZIP archives: OOXML/ODF documents are recognised by their parts; any other
//! ZIP is walked recursively. Nothing is written to disk (no zip slip), and
//! every entry is read through a counting reader that stops at the size, ratio
//! and total limits whatever the headers claim (zip bombs).

use super::{AttachmentLimits, Budget, Extracted, extract_into, office};
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// Entries smaller than this are not ratio-checked (tiny files compress well).
const RATIO_FLOOR: u64 = 1 << 20;

pub(crate) type Zip<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// Reads one entry by index within the limits. Errors are reasons for a problem.
pub(crate) fn read_entry(
    zip: &mut Zip<'_>,
    index: usize,
    limits: &AttachmentLimits,
    budget: &mut Budget,
) -> Result<Vec<u8>, String> {
    let mut entry = zip
        .by_index(index)
        .map_err(|e| format!("cannot read entry: {e}"))?;
    if entry.encrypted() {
        return Err("encrypted entry".into());
    }
    let declared = entry.size();
    if declared > limits.max_entry_bytes {
        return Err(format!(
            "entry is {declared} bytes uncompressed, over the {} byte limit",
            limits.max_entry_bytes
        ));
    }
    let compressed = entry.compressed_size().max(1);
    let ratio_cap = compressed.saturating_mul(limits.max_ratio).max(RATIO_FLOOR);
    let mut out = Vec::with_capacity(usize::try_from(declared.min(1 << 20)).unwrap_or(0));
    let mut buf = [0u8; 64 << 10];
    loop {
        let n = entry
            .read(&mut buf)
            .map_err(|e| format!("cannot decompress entry: {e}"))?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(buf.get(..n).unwrap_or_default());
        let len = out.len() as u64;
        budget.total = budget.total.saturating_add(n as u64);
        if len > limits.max_entry_bytes {
            return Err(format!(
                "entry expands past the {} byte limit",
                limits.max_entry_bytes
            ));
        }
        if len > ratio_cap {
            return Err(format!(
                "compression ratio over {}:1 (zip bomb?)",
                limits.max_ratio
            ));
        }
        if budget.total > limits.max_total_bytes {
            return Err(format!(
                "attachment expands past the {} byte total limit",
                limits.max_total_bytes
            ));
        }
    }
    Ok(out)
}

/// Reads an entry by name, if present.
pub(crate) fn read_named(
    zip: &mut Zip<'_>,
    name: &str,
    limits: &AttachmentLimits,
    budget: &mut Budget,
) -> Option<Result<Vec<u8>, String>> {
    let index = zip.index_for_name(name)?;
    Some(read_entry(zip, index, limits, budget))
}

pub(crate) fn extract_zip(
    part: &str,
    bytes: &[u8],
    depth: usize,
    limits: &AttachmentLimits,
    budget: &mut Budget,
    out: &mut Extracted,
) {
    let mut zip = match ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            out.problems
                .push((part.to_string(), format!("not a readable ZIP file: {e}")));
            return;
        }
    };
    if office::try_extract(part, &mut zip, limits, budget, out) {
        return;
    }
    if depth > limits.max_depth {
        out.problems.push((
            part.to_string(),
            format!("archive nested deeper than {} levels", limits.max_depth),
        ));
        return;
    }
    let count = zip.len();
    if count > limits.max_entries {
        out.problems.push((
            part.to_string(),
            format!(
                "archive has {count} entries; only the first {} were scanned",
                limits.max_entries
            ),
        ));
    }
    for i in 0..count.min(limits.max_entries) {
        let (name, is_dir) = match zip.by_index_raw(i) {
            Ok(e) => (
                e.name()
                    .map_or_else(|_| format!("#{i}"), |n| n.into_owned()),
                e.is_dir(),
            ),
            Err(e) => {
                out.problems
                    .push((format!("{part}!/#{i}"), format!("cannot read entry: {e}")));
                continue;
            }
        };
        if is_dir {
            continue;
        }
        let child = format!("{part}!/{name}");
        if budget.total > limits.max_total_bytes {
            out.problems.push((
                child,
                format!(
                    "not read: attachment already expanded past {} bytes",
                    limits.max_total_bytes
                ),
            ));
            continue;
        }
        match read_entry(&mut zip, i, limits, budget) {
            Ok(data) => extract_into(&child, &data, depth + 1, limits, budget, out),
            Err(reason) => out.problems.push((child, reason)),
        }
    }
}
