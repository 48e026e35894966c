//! What the streaming JSON readers (struson) share: their settings and the line a
//! reader stands on, for errors that name file and line.

use std::io::Read;
use struson::reader::{JsonReader, JsonStreamReader, ReaderSettings};

/// No path tracking (not needed, and it costs on every value); nesting capped at 64 so
/// hostile input cannot recurse without bound.
pub(crate) fn settings() -> ReaderSettings {
    ReaderSettings {
        track_path: false,
        max_nesting_depth: Some(64),
        ..Default::default()
    }
}

/// [`settings`] for a file of several top-level values (JSON lines, concatenated bodies).
pub(crate) fn settings_multiple() -> ReaderSettings {
    ReaderSettings {
        allow_multiple_top_level: true,
        ..settings()
    }
}

/// The 1-based line the reader is at.
pub(crate) fn line<R: Read>(r: &JsonStreamReader<R>) -> u64 {
    r.current_position(false).line_pos.map_or(0, |l| l.line) + 1
}
