//! Helpers shared by the CLI's end-to-end tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn key(&self) -> PathBuf {
        self.dir.path().join("master.key")
    }

    /// `chatwarden` with this environment's data folder and key.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("chatwarden").unwrap();
        cmd.env_remove("CHATWARDEN_DATA")
            .env_remove("CHATWARDEN_KEY_FILE")
            .env("CHATWARDEN_ACTOR", "test-reviewer")
            .arg("--data")
            .arg(self.data())
            .arg("--key-file")
            .arg(self.key());
        cmd
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

/// An Android en-GB export of `count` messages, one per minute from 1 March 2026, with
/// repeats ("ok" twice in a minute) and multi-line messages.
pub fn android_export(count: usize, first: usize) -> String {
    let mut out = String::new();
    let start = jiff::civil::date(2026, 3, 1).at(0, 0, 0, 0);
    for i in first..first + count {
        let at = start
            .checked_add(jiff::Span::new().minutes(i as i64))
            .unwrap();
        let sender = if i % 2 == 0 {
            "Alice Example"
        } else {
            "Bob Example"
        };
        let body = match i % 5 {
            0 => "ok".to_string(),
            1 => format!("line one of message {i}\nline two - still {i}"),
            _ => format!("message number {i}"),
        };
        out.push_str(&format!(
            "{} - {sender}: {body}\n",
            at.strftime("%d/%m/%Y, %H:%M")
        ));
    }
    out
}

pub fn json(output: &[u8]) -> serde_json::Value {
    serde_json::from_slice(output)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(output)))
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    walk(dir)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
