//! A line reader with a cap on line length: a 100 MB line costs at most the cap
//! in memory, and gives an error naming file and line.
//!
//! The text is read in large chunks into one buffer that is UTF-8-checked once
//! per chunk (not once per line), and lines are handed out as slices of it: no
//! per-line copy and no per-line validation.

use crate::error::ConnectorError;
use std::io::Read;

/// Bytes asked of the reader per refill.
const CHUNK: usize = 256 * 1024;

pub(crate) struct LineReader<R> {
    inner: R,
    file: String,
    max: usize,
    /// Bytes asked of the reader per refill.
    chunk: usize,
    /// Checked text; `text[pos..]` is not handed out yet.
    text: String,
    /// Unchecked bytes of the next refill (kept to reuse its allocation).
    scratch: Vec<u8>,
    pos: usize,
    /// The start of a character cut by the end of the last chunk (at most 3 bytes).
    carry: [u8; 4],
    carry_len: usize,
    /// The reader has no more bytes.
    eof: bool,
    /// The bytes after `text` are not UTF-8 (nothing more is read).
    bad: bool,
    /// 1-based number of the line last returned.
    line: u64,
    bytes_read: u64,
    /// Offset in the whole file of `text[0]`.
    base: u64,
    /// Offset in the whole file where the line last returned starts.
    line_start: u64,
    failed: bool,
}

/// How many bytes at the end of `v` are the start of a character the next chunk
/// completes (0 when `v` ends on a character boundary or the tail is invalid
/// anyway, which the full check then reports).
fn cut_char_len(v: &[u8]) -> usize {
    for back in 1..=3usize.min(v.len()) {
        let Some(&b) = v.get(v.len() - back) else {
            return 0;
        };
        if b & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back
        }
        let need = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return 0,
        };
        return if need > back { back } else { 0 };
    }
    0
}

impl<R: Read> LineReader<R> {
    pub(crate) fn new(inner: R, file: &str, max: usize) -> Self {
        LineReader {
            inner,
            file: file.to_owned(),
            max,
            chunk: CHUNK,
            text: String::new(),
            scratch: Vec::new(),
            pos: 0,
            carry: [0; 4],
            carry_len: 0,
            eof: false,
            bad: false,
            line: 0,
            bytes_read: 0,
            base: 0,
            line_start: 0,
            failed: false,
        }
    }

    /// A reader over a part of a file that starts at byte `offset` (a line start)
    /// after `lines_before` lines: line numbers and offsets it reports are the
    /// whole file's.
    pub(crate) fn starting_at(
        inner: R,
        file: &str,
        max: usize,
        lines_before: u64,
        offset: u64,
    ) -> Self {
        let mut r = Self::new(inner, file, max);
        r.line = lines_before;
        r.base = offset;
        r.line_start = offset;
        r
    }

    /// Reads into buffers a previous reader gave back ([`LineReader::take_buffers`]):
    /// a thread reading many parts of a file allocates its buffers once.
    pub(crate) fn with_buffers(mut self, buffers: (String, Vec<u8>)) -> Self {
        let (mut text, mut scratch) = buffers;
        text.clear();
        scratch.clear();
        if self.pos == 0 && self.text.is_empty() {
            self.text = text;
            self.scratch = scratch;
        }
        self
    }

    /// Gives back the buffers (emptied) for a next reader.
    pub(crate) fn take_buffers(&mut self) -> (String, Vec<u8>) {
        let mut text = std::mem::take(&mut self.text);
        let mut scratch = std::mem::take(&mut self.scratch);
        text.clear();
        scratch.clear();
        self.pos = 0;
        self.failed = true;
        (text, scratch)
    }

    /// Offset in the whole file of the first byte of the line last returned.
    pub(crate) fn line_start(&self) -> u64 {
        self.line_start
    }

    /// A reader asking for `chunk` bytes per refill (tests cut characters and
    /// lines at chunk ends with small ones).
    #[cfg(test)]
    fn with_chunk(inner: R, file: &str, max: usize, chunk: usize) -> Self {
        let mut r = Self::new(inner, file, max);
        r.chunk = chunk.max(1);
        r
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

    /// Reads one more chunk after the text not handed out yet, checks it, and
    /// appends it to `text`.
    fn refill(&mut self) -> Result<(), ConnectorError> {
        // The bytes not handed out yet, the carried character start, then a new
        // chunk, gathered in a scratch buffer, checked (SIMD), and copied into
        // `text` (a copy is cheaper than the standard library's check).
        let mut v = std::mem::take(&mut self.scratch);
        v.clear();
        let consumed = self.pos.min(self.text.len());
        v.extend_from_slice(self.text.as_bytes().get(consumed..).unwrap_or_default());
        self.base += consumed as u64;
        self.pos = 0;
        v.extend_from_slice(self.carry.get(..self.carry_len).unwrap_or_default());
        self.carry_len = 0;
        let before = v.len();
        // Read into room made once (a reused buffer keeps it): `read_to_end`
        // would grow a fresh buffer step by step for every part of a file.
        v.resize(before + self.chunk, 0);
        let mut filled = before;
        while filled < v.len() {
            match v.get_mut(filled..).map(|room| self.inner.read(room)) {
                Some(Ok(0)) | None => break,
                Some(Ok(n)) => filled += n,
                Some(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Some(Err(e)) => {
                    self.failed = true;
                    v.truncate(before);
                    self.scratch = v;
                    return Err(ConnectorError::io(&self.file, e));
                }
            }
        }
        v.truncate(filled);
        if v.len() == before {
            self.eof = true;
        }
        if !self.eof {
            let cut = cut_char_len(&v);
            let at = v.len() - cut;
            if let Some(tail) = v.get(at..)
                && let Some(slot) = self.carry.get_mut(..cut)
            {
                slot.copy_from_slice(tail);
                self.carry_len = cut;
            }
            v.truncate(at);
        }
        self.text.clear();
        match simdutf8::basic::from_utf8(&v) {
            Ok(s) => self.text.push_str(s),
            Err(_) => {
                // Keep the good part (it ends on a character boundary); what
                // follows is reported when the line holding it is reached.
                let good = match std::str::from_utf8(&v) {
                    Ok(s) => s.len(),
                    Err(e) => e.valid_up_to(),
                };
                if let Some(Ok(s)) = v.get(..good).map(std::str::from_utf8) {
                    self.text.push_str(s);
                }
                self.bad = true;
                self.eof = true;
            }
        }
        self.scratch = v;
        Ok(())
    }

    /// The next line without its `\n` / `\r\n`, or `None` at the end.
    pub(crate) fn next_line(&mut self) -> Result<Option<&str>, ConnectorError> {
        Ok(self
            .next_range()?
            .and_then(|(start, end)| self.text.get(start..end)))
    }

    /// [`LineReader::next_line`] with the offset in the whole file where the line
    /// starts and its 1-based number.
    pub(crate) fn next_line_at(&mut self) -> Result<Option<(u64, u64, &str)>, ConnectorError> {
        Ok(match self.next_range()? {
            Some((start, end)) => {
                let at = self.line_start;
                let no = self.line;
                self.text.get(start..end).map(|l| (at, no, l))
            }
            None => None,
        })
    }

    /// The byte range in `text` of the next line.
    fn next_range(&mut self) -> Result<Option<(usize, usize)>, ConnectorError> {
        if self.failed {
            return Ok(None);
        }
        let (start, end, next) = loop {
            let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
            if let Some(i) = memchr::memchr(b'\n', rest) {
                break (self.pos, self.pos + i, self.pos + i + 1);
            }
            if rest.len() > self.max.saturating_add(1) {
                // Longer than the cap whatever ends it.
                self.line += 1;
                self.failed = true;
                return Err(ConnectorError::LineTooLong {
                    file: self.file.clone(),
                    line: self.line,
                    limit: self.max,
                });
            }
            if self.eof {
                if self.bad {
                    self.line += 1;
                    self.failed = true;
                    return Err(ConnectorError::InvalidUtf8 {
                        file: self.file.clone(),
                        line: self.line,
                    });
                }
                if rest.is_empty() {
                    return Ok(None);
                }
                let len = self.text.len();
                break (self.pos, len, len);
            }
            self.refill()?;
        };
        self.bytes_read += (next - start) as u64;
        self.line_start = self.base + start as u64;
        self.pos = next;
        self.line += 1;
        let bytes = self.text.as_bytes();
        let mut end = end;
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        if end - start > self.max {
            self.failed = true;
            return Err(ConnectorError::LineTooLong {
                file: self.file.clone(),
                line: self.line,
                limit: self.max,
            });
        }
        Ok(Some((start, end)))
    }
}

#[cfg(test)]
mod tests {
    use super::LineReader;
    use crate::ConnectorError;
    use std::io::Cursor;

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
        let mut r = LineReader::with_chunk(Cursor::new(data), "f.txt", 50, 7);
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

    /// Every chunk size gives the same lines as splitting the whole text, with
    /// characters of 2, 3 and 4 bytes cut at chunk ends.
    #[test]
    fn chunk_ends_cut_nothing() {
        let text = "Zoë: ¿qué?\r\n下午 3:06 😂😂\n\nlast é";
        let want: Vec<String> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
            .collect();
        for chunk in 1..=text.len() + 1 {
            let mut r =
                LineReader::with_chunk(Cursor::new(text.as_bytes().to_vec()), "f", 100, chunk);
            let mut got = Vec::new();
            while let Some(l) = r.next_line().unwrap() {
                got.push(l.to_owned());
            }
            assert_eq!(got, want, "chunk {chunk}");
            assert_eq!(r.bytes_read(), text.len() as u64);
        }
    }

    #[test]
    fn bad_bytes_fail_their_own_line_at_any_chunk_size() {
        for data in [
            &b"ok\nstill ok\nbad \xe2\x82 here\nnever\n"[..],
            b"ok\nstill ok\ncut at end \xf0\x9f\x98",
        ] {
            for chunk in 1..=data.len() + 1 {
                let mut r = LineReader::with_chunk(Cursor::new(data.to_vec()), "f.txt", 100, chunk);
                assert_eq!(r.next_line().unwrap(), Some("ok"));
                assert_eq!(r.next_line().unwrap(), Some("still ok"));
                let err = r.next_line().unwrap_err();
                assert_eq!(err.to_string(), "f.txt:3: invalid UTF-8", "chunk {chunk}");
                assert_eq!(r.next_line().unwrap(), None);
            }
        }
    }

    #[test]
    fn line_cap_counts_content_not_line_ends() {
        for chunk in [1, 3, 64] {
            let data = b"12345\r\n123456\n".to_vec();
            let mut r = LineReader::with_chunk(Cursor::new(data), "f", 5, chunk);
            assert_eq!(r.next_line().unwrap(), Some("12345"));
            assert!(matches!(
                r.next_line().unwrap_err(),
                ConnectorError::LineTooLong {
                    line: 2,
                    limit: 5,
                    ..
                }
            ));
        }
    }

    /// A reader that gives one byte per call and is interrupted every other call.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        calls: usize,
    }

    impl std::io::Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(2) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            match (self.data.get(self.at), buf.first_mut()) {
                (Some(&b), Some(slot)) => {
                    *slot = b;
                    self.at += 1;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// Short and interrupted reads fill a chunk all the same, and a reader given
    /// the buffers of an earlier one (with text left in them) reads only its own.
    #[test]
    fn short_reads_and_reused_buffers() {
        let text = "first é\nsecond 😂\r\nthird";
        let mut r = LineReader::with_chunk(
            Trickle {
                data: text.as_bytes().to_vec(),
                at: 0,
                calls: 0,
            },
            "f",
            100,
            5,
        );
        assert_eq!(r.next_line().unwrap(), Some("first é"));
        let mut buffers = r.take_buffers();
        assert_eq!(r.next_line().unwrap(), None);
        buffers.0.push_str("stale text\n");
        buffers.1.extend_from_slice(b"stale bytes\n");
        let mut again = LineReader::with_chunk(Cursor::new(text.as_bytes().to_vec()), "f", 100, 4)
            .with_buffers(buffers);
        let mut got = Vec::new();
        while let Some(l) = again.next_line().unwrap() {
            got.push(l.to_owned());
        }
        assert_eq!(got, ["first é", "second 😂", "third"]);
    }
}
