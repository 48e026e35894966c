//! A line reader with a cap on line length: a 100 MB line costs at most the cap
//! in memory, and gives an error naming file and line.

use crate::error::ConnectorError;
use std::io::BufRead;

pub(crate) struct LineReader<R> {
    inner: R,
    file: String,
    max: usize,
    buf: Vec<u8>,
    /// 1-based number of the line last returned.
    line: u64,
    bytes_read: u64,
    failed: bool,
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(inner: R, file: &str, max: usize) -> Self {
        LineReader {
            inner,
            file: file.to_owned(),
            max,
            buf: Vec::new(),
            line: 0,
            bytes_read: 0,
            failed: false,
        }
    }

    /// The 1-based number of the line last returned.
    pub(crate) fn line_no(&self) -> u64 {
        self.line
    }

    /// Bytes consumed so far.
    #[allow(dead_code)]
    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The next line without its `\n` / `\r\n`, or `None` at the end.
    pub(crate) fn next_line(&mut self) -> Result<Option<&str>, ConnectorError> {
        if self.failed {
            return Ok(None);
        }
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.failed = true;
                    return Err(ConnectorError::io(&self.file, e));
                }
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > self.max.saturating_add(2) {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.inner.consume(take);
            self.bytes_read += take as u64;
            if done {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.line += 1;
        if too_long {
            self.failed = true;
            return Err(ConnectorError::LineTooLong {
                file: self.file.clone(),
                line: self.line,
                limit: self.max,
            });
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.buf.len() > self.max {
            self.failed = true;
            return Err(ConnectorError::LineTooLong {
                file: self.file.clone(),
                line: self.line,
                limit: self.max,
            });
        }
        match std::str::from_utf8(&self.buf) {
            Ok(s) => Ok(Some(s)),
            Err(_) => {
                self.failed = true;
                Err(ConnectorError::InvalidUtf8 {
                    file: self.file.clone(),
                    line: self.line,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LineReader;
    use crate::ConnectorError;
    use std::io::{BufReader, Cursor};

    #[test]
    fn splits_lf_and_crlf_and_keeps_blank_lines() {
        let mut r = LineReader::new(Cursor::new(b"a\r\nb\n\nc".to_vec()), "f", 10);
        let mut got = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            got.push(l.to_owned());
        }
        assert_eq!(got, vec!["a", "b", "", "c"]);
        assert_eq!(r.line_no(), 4);
    }

    #[test]
    fn long_line_is_an_error_naming_the_line() {
        let data = format!("ok\n{}\nnext\n", "x".repeat(100));
        let mut r = LineReader::new(BufReader::with_capacity(7, Cursor::new(data)), "f.txt", 50);
        assert_eq!(r.next_line().unwrap(), Some("ok"));
        let err = r.next_line().unwrap_err();
        assert!(matches!(
            err,
            ConnectorError::LineTooLong {
                line: 2,
                limit: 50,
                ..
            }
        ));
        assert!(err.to_string().starts_with("f.txt:2:"));
        assert_eq!(r.next_line().unwrap(), None);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut r = LineReader::new(Cursor::new(b"a\nb\xff\n".to_vec()), "f.txt", 50);
        assert_eq!(r.next_line().unwrap(), Some("a"));
        let err = r.next_line().unwrap_err();
        assert_eq!(err.to_string(), "f.txt:2: invalid UTF-8");
    }
}
