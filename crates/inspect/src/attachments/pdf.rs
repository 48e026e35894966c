//! PDF text through poppler's `pdftotext` (Debian package poppler-utils), run
//! as a child process: a crash, a hang or a memory blow-up in the PDF parser
//! costs that child only. The child is killed at the time limit, and its output
//! is read only up to the text limit.

use super::AttachmentLimits;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

/// How often the child is polled while it runs.
const POLL: std::time::Duration = std::time::Duration::from_millis(10);

/// Returns the text and whether it was cut at the limit, or a reason.
pub(crate) fn extract(bytes: &[u8], limits: &AttachmentLimits) -> Result<(String, bool), String> {
    let mut file = tempfile::Builder::new()
        .prefix("chatwarden-pdf-")
        .suffix(".pdf")
        .tempfile()
        .map_err(|e| format!("cannot stage PDF for extraction: {e}"))?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot stage PDF for extraction: {e}"))?;
    let mut child = Command::new(&limits.pdftotext)
        .arg("-q")
        .arg("-enc")
        .arg("UTF-8")
        .arg(file.path())
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!(
                "PDF text extraction unavailable ({}: {e}; install poppler-utils)",
                limits.pdftotext.display()
            )
        })?;
    let Some(mut stdout) = child.stdout.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("PDF text extraction: no output pipe".into());
    };
    let cap = limits.max_text_bytes;
    // The reader stops at the cap and closes the pipe, so a child writing
    // without end gets SIGPIPE (and is killed below in any case).
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let read = (&mut stdout)
            .take(u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1))
            .read_to_end(&mut out);
        drop(stdout);
        (out, read.is_ok())
    });
    let deadline = Instant::now() + limits.pdf_timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("PDF text extraction: {e}"));
            }
        }
    };
    let (out, _) = reader
        .join()
        .map_err(|_| "PDF text extraction: reader failed".to_string())?;
    let Some(status) = status else {
        return Err(format!(
            "PDF text extraction timed out after {} s",
            limits.pdf_timeout.as_secs_f32()
        ));
    };
    let cut = out.len() > cap;
    // A child killed by SIGPIPE after the cap was reached still gave its text.
    if !status.success() && !cut {
        return Err(match status.code() {
            Some(code) => format!("not a readable PDF (pdftotext exit {code})"),
            None => "PDF text extraction crashed".to_string(),
        });
    }
    let mut text = String::from_utf8_lossy(&out).into_owned();
    super::cap_text(&mut text, cap);
    Ok((text, cut))
}
