//! Options every connector takes, and the warnings it hands back.

use crate::zipsafe::ZipLimits;
use std::fmt;
use std::str::FromStr;

/// The order of day, month and year in a numeric date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// day/month/year (en-GB, de, fr, …)
    Dmy,
    /// month/day/year (en-US)
    Mdy,
    /// year/month/day (zh, ja, ko, sv)
    Ymd,
}

impl DateOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
            DateOrder::Ymd => "ymd",
        }
    }
}

impl fmt::Display for DateOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text given for a date order was none of `dmy`, `mdy`, `ymd`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown date order {0:?} (expected dmy, mdy or ymd)")]
pub struct ParseDateOrderError(pub String);

impl FromStr for DateOrder {
    type Err = ParseDateOrderError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dmy" => Ok(DateOrder::Dmy),
            "mdy" => Ok(DateOrder::Mdy),
            "ymd" => Ok(DateOrder::Ymd),
            _ => Err(ParseDateOrderError(s.to_owned())),
        }
    }
}

/// Caps that keep memory bounded whatever the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest single line accepted (bytes). Default 1 MiB.
    pub max_line_bytes: usize,
    /// Longest message text accepted, all its lines together (bytes). Default 4 MiB.
    pub max_message_bytes: usize,
    /// Most distinct participants recorded for one conversation. Default 10,000.
    pub max_participants: usize,
    /// Most warnings kept for one export; later ones are counted, not kept. Default 200.
    pub max_warnings: usize,
    /// Limits applied to zip archives.
    pub zip: ZipLimits,
    /// Most threads one reader uses (a large plain-text WhatsApp export is read in
    /// parallel parts; the messages still come out in file order, identical to a
    /// one-thread read). Default: the machine's available parallelism, at most 4.
    /// `1` reads with the calling thread only.
    pub max_threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: 1 << 20,
            max_message_bytes: 4 << 20,
            max_participants: 10_000,
            max_warnings: 200,
            zip: ZipLimits::default(),
            max_threads: std::thread::available_parallelism()
                .map_or(1, std::num::NonZeroUsize::get)
                .min(4),
        }
    }
}

/// How to read an export.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// The zone the export's wall-clock times are in. `None`: read them as UTC and
    /// mark them [`chatwarden_model::TimeSource::AssumedUtc`].
    pub tz: Option<jiff::tz::TimeZone>,
    /// Forces the date order instead of inferring it from the file.
    pub date_order: Option<DateOrder>,
    /// The employee whose device the export came from (part of the conversation key).
    pub custodian: Option<String>,
    /// The chat's title, overriding what the file name tells.
    pub title: Option<String>,
    /// Forces the format instead of detecting it from the content (`--format NAME`).
    pub format: Option<crate::detect::Format>,
    pub limits: Limits,
    /// Hash every media file of a zipped export when it is opened (size and
    /// SHA-256 go into the attachments). Default `true`; a caller that only
    /// wants attachment bytes ([`crate::ExportSource::open_attachment`]) sets
    /// `false` and skips reading every media entry at open.
    pub hash_media: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            tz: None,
            date_order: None,
            custodian: None,
            title: None,
            format: None,
            limits: Limits::default(),
            hash_media: true,
        }
    }
}

/// Something the reader noticed that the operator should know (an assumption it
/// made, lines it skipped). Never holds message content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub file: String,
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Collects warnings up to a cap; counts the rest.
#[derive(Debug, Default)]
pub(crate) struct WarningSink {
    pub(crate) list: Vec<Warning>,
    pub(crate) dropped: u64,
    pub(crate) cap: usize,
}

impl WarningSink {
    pub(crate) fn new(cap: usize) -> Self {
        WarningSink {
            list: Vec::new(),
            dropped: 0,
            cap,
        }
    }

    /// Takes over the warnings another sink gathered (already logged there).
    pub(crate) fn absorb(&mut self, other: WarningSink) {
        for w in other.list {
            if self.list.len() < self.cap {
                self.list.push(w);
            } else {
                self.dropped += 1;
            }
        }
        self.dropped += other.dropped;
    }

    pub(crate) fn push(&mut self, file: &str, line: Option<u64>, message: impl Into<String>) {
        let message = message.into();
        tracing::warn!(file, line, %message, "export warning");
        if self.list.len() < self.cap {
            self.list.push(Warning {
                file: file.to_owned(),
                line,
                message,
            });
        } else {
            self.dropped += 1;
        }
    }
}

/// The first of the conversations a file holds, for callers that open just one: a file
/// with none is not recognised (`tried` says what was looked for); a file with more says
/// so in the first one's warnings (`holds` and `what` word it: "file holds", "chats").
pub(crate) fn first_conversation<T>(
    mut all: Vec<T>,
    file: &str,
    tried: &str,
    holds: &str,
    what: &str,
    warnings: impl FnOnce(&mut T) -> &mut WarningSink,
) -> Result<T, crate::ConnectorError> {
    let count = all.len();
    if all.is_empty() {
        return Err(crate::ConnectorError::NotRecognized {
            file: file.to_owned(),
            tried: tried.to_owned(),
        });
    }
    let mut first = all.swap_remove(0);
    if count > 1 {
        warnings(&mut first).push(
            file,
            None,
            format!("{holds} {count} {what}; only the first is read here (use open_all)"),
        );
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_order_parses_case_insensitively() {
        assert_eq!("DMY".parse::<DateOrder>(), Ok(DateOrder::Dmy));
        assert_eq!(" mdy ".parse::<DateOrder>(), Ok(DateOrder::Mdy));
        assert_eq!(
            "ymd".parse::<DateOrder>().map(|o| o.to_string()),
            Ok("ymd".to_owned())
        );
        let err = "d/m/y".parse::<DateOrder>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown date order \"d/m/y\" (expected dmy, mdy or ymd)"
        );
    }

    #[test]
    fn warnings_display_file_and_line_and_cap() {
        let mut sink = WarningSink::new(2);
        sink.push("a.txt", Some(3), "first");
        sink.push("a.txt", None, "second");
        sink.push("a.txt", None, "third");
        assert_eq!(sink.list[0].to_string(), "a.txt:3: first");
        assert_eq!(sink.list[1].to_string(), "a.txt: second");
        assert_eq!((sink.list.len(), sink.dropped), (2, 1));
        assert_eq!(Limits::default().max_line_bytes, 1 << 20);
    }
}
