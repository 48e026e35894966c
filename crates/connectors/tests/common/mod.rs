//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chatwarden_connectors::{ExportSource, ParseOptions};
use chatwarden_model::Message;
use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/whatsapp")
        .join(name)
}

pub fn open(name: &str, opts: &ParseOptions) -> Box<dyn ExportSource> {
    chatwarden_connectors::open(&fixture(name), opts)
        .unwrap_or_else(|e| panic!("opening {name}: {e}"))
}

pub fn messages(src: &mut Box<dyn ExportSource>) -> Vec<Message> {
    src.messages()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

pub fn read(name: &str) -> (Box<dyn ExportSource>, Vec<Message>) {
    let mut src = open(name, &ParseOptions::default());
    let msgs = messages(&mut src);
    (src, msgs)
}

pub fn local(m: &Message) -> String {
    m.local_time.to_string()
}

pub fn utc(m: &Message) -> String {
    m.sent_at.to_string()
}

pub fn sender(m: &Message) -> Option<&str> {
    m.sender.as_deref()
}
