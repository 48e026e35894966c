//! Reading zip archives that may be hostile: caps on entry count, per-entry and
//! total uncompressed size and compression ratio (checked on the declared sizes
//! *and* enforced while reading, since declared sizes can lie), and rejection of
//! entry names that could escape a folder (`..`, absolute paths, drive prefixes).
//!
//! The zip crate leaves these limits to its callers (zip-rs/zip2#989).

use crate::error::ConnectorError;
use std::io::{self, Read, Seek};
use zip::ZipArchive;
use zip::result::ZipError;

/// Caps applied to one archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipLimits {
    /// Most entries (files and folders). Default 100,000.
    pub max_entries: usize,
    /// Largest uncompressed entry (bytes). Default 4 GiB.
    pub max_entry_bytes: u64,
    /// Largest sum of uncompressed entries (bytes). Default 16 GiB.
    pub max_total_bytes: u64,
    /// Highest uncompressed/compressed ratio, checked for entries larger than
    /// `ratio_floor_bytes`. Default 200.
    pub max_ratio: u64,
    /// Entries up to this size are not ratio-checked (small text compresses well). Default 1 MiB.
    pub ratio_floor_bytes: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_entries: 100_000,
            max_entry_bytes: 4 << 30,
            max_total_bytes: 16 << 30,
            max_ratio: 200,
            ratio_floor_bytes: 1 << 20,
        }
    }
}

/// One checked entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryInfo {
    pub index: usize,
    /// The entry's path inside the archive, `/`-separated, checked safe.
    pub name: String,
    /// Declared uncompressed size.
    pub size: u64,
    pub compressed_size: u64,
    pub is_dir: bool,
}

impl EntryInfo {
    /// The last path component.
    pub fn file_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }
}

/// A zip archive whose every entry name and declared size passed the checks.
pub struct SafeZip<R> {
    archive: ZipArchive<R>,
    file: String,
    limits: ZipLimits,
    entries: Vec<EntryInfo>,
}

/// Why an entry name is unsafe, or `None` if it is fine.
pub fn unsafe_name_reason(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty name");
    }
    if name.contains('\0') {
        return Some("NUL byte in name");
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Some("absolute path");
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return Some("drive prefix");
    }
    if name.split(['/', '\\']).any(|component| component == "..") {
        return Some("parent-directory component");
    }
    None
}

fn zip_err(file: &str, e: ZipError) -> ConnectorError {
    match e {
        ZipError::Io(source) if source.kind() != io::ErrorKind::UnexpectedEof => {
            ConnectorError::io(file, source)
        }
        other => ConnectorError::CorruptZip {
            file: file.to_owned(),
            reason: other.to_string(),
        },
    }
}

impl<R: Read + Seek> SafeZip<R> {
    /// Opens an archive and checks every entry's name and declared sizes.
    /// `file` is the archive's name for error messages.
    pub fn open(reader: R, file: &str, limits: &ZipLimits) -> Result<Self, ConnectorError> {
        let mut archive = ZipArchive::new(reader).map_err(|e| zip_err(file, e))?;
        let count = archive.len();
        if count > limits.max_entries {
            return Err(ConnectorError::ZipLimit {
                file: file.to_owned(),
                entry: None,
                reason: format!(
                    "{count} entries, more than the limit of {}",
                    limits.max_entries
                ),
            });
        }
        let mut entries = Vec::with_capacity(count);
        let mut total: u64 = 0;
        for index in 0..count {
            let entry = archive.by_index_raw(index).map_err(|e| zip_err(file, e))?;
            let name = match entry.name() {
                Ok(n) => n.into_owned(),
                Err(e) => {
                    return Err(ConnectorError::UnsafeEntry {
                        file: file.to_owned(),
                        entry: String::from_utf8_lossy(entry.name_raw()).into_owned(),
                        reason: format!("unreadable name: {e}"),
                    });
                }
            };
            if let Some(reason) = unsafe_name_reason(&name) {
                return Err(ConnectorError::UnsafeEntry {
                    file: file.to_owned(),
                    entry: name,
                    reason: reason.to_owned(),
                });
            }
            let size = entry.size();
            let compressed_size = entry.compressed_size();
            let is_dir = entry.is_dir();
            check_sizes(file, &name, size, compressed_size, limits)?;
            total = total.saturating_add(size);
            if total > limits.max_total_bytes {
                return Err(ConnectorError::ZipLimit {
                    file: file.to_owned(),
                    entry: None,
                    reason: format!(
                        "total uncompressed size over the limit of {} bytes",
                        limits.max_total_bytes
                    ),
                });
            }
            entries.push(EntryInfo {
                index,
                name: name.replace('\\', "/"),
                size,
                compressed_size,
                is_dir,
            });
        }
        Ok(SafeZip {
            archive,
            file: file.to_owned(),
            limits: limits.clone(),
            entries,
        })
    }

    /// Every entry, in archive order.
    pub fn entries(&self) -> &[EntryInfo] {
        &self.entries
    }

    /// The archive's name as given to [`SafeZip::open`].
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Opens an entry for reading. The reader fails (with an `io::Error` whose
    /// inner error is a [`ConnectorError::ZipLimit`]) as soon as more bytes come
    /// out than the entry declared or the per-entry cap allows.
    pub fn open_entry(
        &mut self,
        index: usize,
    ) -> Result<LimitedReader<zip::read::ZipFile<'_, R>>, ConnectorError> {
        let info = self
            .entries
            .get(index)
            .cloned()
            .ok_or_else(|| ConnectorError::CorruptZip {
                file: self.file.clone(),
                reason: format!("no entry number {index}"),
            })?;
        let cap = info.size.min(self.limits.max_entry_bytes);
        let file = self.file.clone();
        let entry = self
            .archive
            .by_index(index)
            .map_err(|e| zip_err(&file, e))?;
        Ok(LimitedReader {
            inner: entry,
            remaining: cap,
            file,
            entry: info.name,
        })
    }
}

fn check_sizes(
    file: &str,
    name: &str,
    size: u64,
    compressed: u64,
    limits: &ZipLimits,
) -> Result<(), ConnectorError> {
    let fail = |reason: String| ConnectorError::ZipLimit {
        file: file.to_owned(),
        entry: Some(name.to_owned()),
        reason,
    };
    if size > limits.max_entry_bytes {
        return Err(fail(format!(
            "declared size {size} bytes over the limit of {} bytes",
            limits.max_entry_bytes
        )));
    }
    if size > limits.ratio_floor_bytes {
        let ratio = size / compressed.max(1);
        if ratio > limits.max_ratio {
            return Err(fail(format!(
                "compression ratio {ratio}:1 over the limit of {}:1",
                limits.max_ratio
            )));
        }
    }
    Ok(())
}

/// A reader that yields at most `remaining` bytes and fails past that.
pub struct LimitedReader<R> {
    inner: R,
    remaining: u64,
    file: String,
    entry: String,
}

impl<R: Read> Read for LimitedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            // Probe one byte: any more data means the entry is larger than declared.
            let mut probe = [0u8; 1];
            let n = self.inner.read(&mut probe)?;
            if n == 0 {
                return Ok(0);
            }
            return Err(io::Error::other(ConnectorError::ZipLimit {
                file: self.file.clone(),
                entry: Some(self.entry.clone()),
                reason: "entry yields more bytes than declared or allowed".to_owned(),
            }));
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Turns an `io::Error` from a [`LimitedReader`] back into the connector error it carries.
pub fn unwrap_io_error(file: &str, e: io::Error) -> ConnectorError {
    if e.get_ref()
        .is_some_and(|inner| inner.is::<ConnectorError>())
    {
        if let Some(inner) = e.into_inner() {
            if let Ok(ce) = inner.downcast::<ConnectorError>() {
                return *ce;
            }
            return ConnectorError::CorruptZip {
                file: file.to_owned(),
                reason: "read failed".to_owned(),
            };
        }
        return ConnectorError::CorruptZip {
            file: file.to_owned(),
            reason: "read failed".to_owned(),
        };
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData => ConnectorError::CorruptZip {
            file: file.to_owned(),
            reason: e.to_string(),
        },
        _ => ConnectorError::io(file, e),
    }
}

#[cfg(test)]
mod tests {
    use super::{LimitedReader, unsafe_name_reason, unwrap_io_error};
    use crate::ConnectorError;
    use std::io::{Cursor, Read};

    #[test]
    fn limited_reader_fails_past_the_declared_size() {
        let mut r = LimitedReader {
            inner: Cursor::new(vec![b'A'; 4000]),
            remaining: 10,
            file: "z.zip".into(),
            entry: "IMG-1.jpg".into(),
        };
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert_eq!(out.len(), 10);
        let err = unwrap_io_error("z.zip", err);
        assert!(
            matches!(err, ConnectorError::ZipLimit { ref entry, .. } if entry.as_deref() == Some("IMG-1.jpg")),
            "{err}"
        );
        let mut exact = LimitedReader {
            inner: Cursor::new(vec![b'A'; 10]),
            remaining: 10,
            file: "z.zip".into(),
            entry: "e".into(),
        };
        let mut out = Vec::new();
        assert_eq!(exact.read_to_end(&mut out).unwrap(), 10);
    }

    #[test]
    fn rejects_escaping_names() {
        assert_eq!(
            unsafe_name_reason("../evil"),
            Some("parent-directory component")
        );
        assert_eq!(
            unsafe_name_reason("a/../../b"),
            Some("parent-directory component")
        );
        assert_eq!(
            unsafe_name_reason("a\\..\\b"),
            Some("parent-directory component")
        );
        assert_eq!(unsafe_name_reason("/abs"), Some("absolute path"));
        assert_eq!(unsafe_name_reason("C:evil"), Some("drive prefix"));
        assert_eq!(unsafe_name_reason("_chat.txt"), None);
        assert_eq!(unsafe_name_reason("media/IMG-1.jpg"), None);
        assert_eq!(unsafe_name_reason("a..b.txt"), None);
    }
}
