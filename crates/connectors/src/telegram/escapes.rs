//! Repairs the invalid `\xHH` escapes that Telegram Desktop writes, while streaming.
//!
//! tdesktop escapes bytes below 0x20 (other than `\n`, `\r`, `\t`) as `\xHH`,
//! which no JSON parser accepts (formats.md §3, trap 2; tdesktop
//! `export_output_json.cpp`, `SerializeString`). This reader rewrites each
//! `\x` that starts an escape (not one whose backslash is itself escaped, as in
//! `\\x41`) to `\u00`, so `\x0B` becomes `\u000B`. A backslash can only occur
//! inside a JSON string, so tracking "the previous byte opened an escape" is
//! enough; no other JSON state is needed.
//!
//! Because each repair makes the output two bytes longer than the input, the
//! reader also maps positions in its output (what the JSON reader reports) back
//! to positions in the input file, so a chat found in one pass can be reopened
//! by seeking in the next.

use std::collections::VecDeque;
use std::io::{self, Read};

/// Output positions older than this many bytes before the newest output are no
/// longer asked about (the JSON reader buffers far less), so their repairs are
/// folded into a counter.
const WINDOW: u64 = 1 << 20;

/// A reader that rewrites `\xHH` escapes to `\u00HH`.
pub struct FixEscapes<R> {
    inner: R,
    /// Input read but not yet returned (after rewriting).
    buf: Vec<u8>,
    start: usize,
    /// The last input byte seen opened an escape.
    in_escape: bool,
    /// Bytes handed out so far.
    emitted: u64,
    /// Output positions of the `u` of each recent repair, oldest first.
    recent: VecDeque<u64>,
    /// Repairs older than those in `recent`.
    folded: u64,
    /// Input position this reader started at.
    base: u64,
}

impl<R: Read> FixEscapes<R> {
    /// Wraps `inner`, which is positioned at input byte `base` (not inside a string).
    pub fn new(inner: R, base: u64) -> Self {
        FixEscapes {
            inner,
            buf: Vec::with_capacity(16 * 1024),
            start: 0,
            in_escape: false,
            emitted: 0,
            recent: VecDeque::new(),
            folded: 0,
            base,
        }
    }

    /// The input position of output position `out` (which must be recent).
    pub fn input_pos(&self, out: u64) -> u64 {
        let newer = self.recent.iter().filter(|&&p| p >= out).count() as u64;
        let total = self.folded + self.recent.len() as u64;
        let before = total.saturating_sub(newer);
        self.base + out.saturating_sub(2 * before)
    }

    fn refill(&mut self) -> io::Result<bool> {
        let mut raw = [0u8; 8 * 1024];
        let n = loop {
            match self.inner.read(&mut raw) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            return Ok(false);
        }
        self.buf.clear();
        self.start = 0;
        let mut out_pos = self.emitted;
        for &b in raw.iter().take(n) {
            if self.in_escape {
                self.in_escape = false;
                if b == b'x' {
                    self.buf.extend_from_slice(b"u00");
                    self.recent.push_back(out_pos);
                    out_pos += 3;
                    continue;
                }
            } else if b == b'\\' {
                self.in_escape = true;
            }
            self.buf.push(b);
            out_pos += 1;
        }
        while self
            .recent
            .front()
            .is_some_and(|&p| p + WINDOW < self.emitted)
        {
            self.recent.pop_front();
            self.folded += 1;
        }
        Ok(true)
    }
}

impl<R: Read> Read for FixEscapes<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        while self.start >= self.buf.len() {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let avail = self.buf.get(self.start..).unwrap_or_default();
        let n = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.start += n;
        self.emitted += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        FixEscapes::new(input, 0).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn rewrites_x_escapes_but_not_escaped_backslashes() {
        assert_eq!(fix(br#""a\x0Bb""#), br#""a\u000Bb""#.to_vec());
        assert_eq!(fix(br#""a\\x0B""#), br#""a\\x0B""#.to_vec());
        assert_eq!(fix(br#""a\\\x1F""#), br#""a\\\u001F""#.to_vec());
        assert_eq!(fix(br#""\u2028 \n""#), br#""\u2028 \n""#.to_vec());
        let v: String = serde_json::from_slice(&fix(br#""tab\x09vt\x0B""#)).unwrap();
        assert_eq!(v, "tab\tvt\u{b}");
    }

    #[test]
    fn escapes_split_across_reads_are_repaired() {
        // A reader that hands out one byte at a time.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                match (self.0.split_first(), out.first_mut()) {
                    (Some((b, rest)), Some(o)) => {
                        *o = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut out = Vec::new();
        FixEscapes::new(OneByte(br#"["\x0B", "\\x"]"#), 0)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, br#"["\u000B", "\\x"]"#.to_vec());
    }

    #[test]
    fn maps_output_positions_back_to_input() {
        let input = br#"{"a":"\x01\x02","b":1}"#;
        let mut r = FixEscapes::new(&input[..], 100);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        let out_b = out.windows(3).position(|w| w == br#""b""#).unwrap() as u64;
        let in_b = input.windows(3).position(|w| w == br#""b""#).unwrap() as u64;
        assert_eq!(r.input_pos(out_b), 100 + in_b);
        assert_eq!(r.input_pos(0), 100);
    }
}
