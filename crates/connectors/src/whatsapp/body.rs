//! What follows the header: sender or system line (formats.md §2.6, §2.7), and a
//! user message's body: media placeholders, deleted and edited markers.

use super::normalize::{canonical_name_cow, strip_invisible_cow, trim_start_invisible};
use super::strings;
use chatwarden_model::{Attachment, MediaKind};
use std::borrow::Cow;

/// Longest text before `": "` still taken as a sender name.
const MAX_SENDER_CHARS: usize = 120;

/// The first line after the header, classified.
#[derive(Debug, PartialEq, Eq)]
pub enum Head<'a> {
    /// A system event; the text without leading invisible marks.
    System { text: &'a str },
    /// A user message: canonical sender and the raw body's first line.
    User { sender: Cow<'a, str>, body: &'a str },
}

fn split_sender(s: &str) -> Option<(&str, &str)> {
    // The first ": " (a colon search: senders are short, so it is found at once).
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes.get(from..).and_then(|b| memchr::memchr(b':', b)) {
        let at = from + i;
        if bytes.get(at + 1) == Some(&b' ') {
            return Some((s.get(..at)?, s.get(at + 2..)?));
        }
        from = at + 1;
    }
    s.strip_suffix(':').map(|head| (head, ""))
}

/// Most distinct raw sender texts whose system-phrase answer is remembered
/// (the cache is emptied when full).
const SENDER_CACHE: usize = 4096;

/// Remembers, per raw text before `": "`, whether it reads as a system phrase
/// ([`strings::is_system_before_colon`]), so the phrase tables run once per
/// distinct sender rather than once per message. Small chats are looked up by a
/// linear scan, larger ones through a map.
#[derive(Default)]
pub struct SenderCache {
    few: Vec<(Box<str>, bool)>,
    many: foldhash::HashMap<Box<str>, bool>,
}

impl SenderCache {
    fn is_system_before_colon(&mut self, raw: &str) -> bool {
        if let Some((_, v)) = self.few.iter().find(|(k, _)| **k == *raw) {
            return *v;
        }
        if let Some(v) = self.many.get(raw) {
            return *v;
        }
        let v = strings::is_system_before_colon(raw);
        if self.few.len() < 16 {
            self.few.push((raw.into(), v));
        } else {
            if self.many.len() >= SENDER_CACHE {
                self.many.clear();
            }
            self.many.insert(raw.into(), v);
        }
        v
    }
}

/// Splits the text after a header into sender and body, or a system line.
/// `chat_title` (from the file name) helps spot iOS events attributed to the chat.
pub fn classify<'a>(rest: &'a str, chat_title: Option<&str>) -> Head<'a> {
    classify_cached(rest, chat_title, &mut SenderCache::default())
}

/// [`classify_cached`] for the text after a header of a file's shape: after a
/// bracketed header, a line starting `- ` is an event, as WhatsApp Web / Desktop
/// writes them (`[date, time] - text`; its text may hold `": "`).
pub fn classify_after_header<'a>(
    rest: &'a str,
    bracketed: bool,
    chat_title: Option<&str>,
    cache: &mut SenderCache,
) -> Head<'a> {
    if bracketed && let Some(text) = trim_start_invisible(rest).strip_prefix("- ") {
        return Head::System { text };
    }
    classify_cached(rest, chat_title, cache)
}

/// [`classify`] with the per-sender answers kept in `cache` across calls.
pub fn classify_cached<'a>(
    rest: &'a str,
    chat_title: Option<&str>,
    cache: &mut SenderCache,
) -> Head<'a> {
    let visible = trim_start_invisible(rest);
    let Some((sender_raw, body)) = split_sender(visible) else {
        return Head::System { text: visible };
    };
    let sender = canonical_name_cow(sender_raw);
    if sender.is_empty()
        || (sender.len() > MAX_SENDER_CHARS && sender.chars().count() > MAX_SENDER_CHARS)
        || cache.is_system_before_colon(sender_raw)
    {
        return Head::System { text: visible };
    }
    // iOS writes events (encryption banner, security code, group events) as if
    // the chat partner or the group had sent them, with a leading LRM.
    let body_trim = body.trim_start_matches(' ');
    if strings::is_attributed_event(body_trim) {
        return Head::System { text: body_trim };
    }
    if body_trim.starts_with('\u{200E}') {
        let clean = strip_invisible_cow(body_trim);
        let clean = clean.trim();
        let is_content = strings::media_omitted(clean)
            || strings::omitted_kind(clean).is_some()
            || strings::attached_name(clean).is_some()
            || strings::is_deleted(clean);
        if !is_content
            && (strings::is_system_text(clean) || chat_title.is_some_and(|t| t == sender))
        {
            return Head::System {
                text: trim_start_invisible(body_trim),
            };
        }
    }
    Head::User { sender, body }
}

/// A body's parts once placeholders and markers are taken out.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Body {
    pub text: String,
    pub attachments: Vec<Attachment>,
    pub deleted: bool,
    pub edited: bool,
    /// The body is the "Waiting for this message" placeholder: the app had not
    /// decrypted the message when the chat was exported (its content is missing).
    pub undecrypted: bool,
}

/// Size and digest of a file shipped in the bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaInfo {
    pub index: usize,
    pub size: u64,
    /// Hex SHA-256 of the content; `None` when media hashing is off
    /// ([`crate::ParseOptions::hash_media`]).
    pub sha256: Option<String>,
}

/// A name an attachment marker may carry: one with an extension, or Android's
/// own media name, which may lack one (`AUD-20201110-WA0043.` in a real export).
fn is_file_name(name: &str) -> bool {
    has_extension(name) || wa_media_prefix(name).is_some()
}

/// The kind prefix of an Android media name `IMG-20220323-WA0002.jpg`
/// (three capitals, `-`, eight digits, `-WA`, four or more digits, then the end,
/// a `.`, or an extension [`has_extension`] accepts).
fn wa_media_prefix(name: &str) -> Option<&str> {
    let b = name.as_bytes();
    let prefix = name.get(..3)?;
    let ok = prefix.bytes().all(|c| c.is_ascii_uppercase())
        && b.get(3) == Some(&b'-')
        && b.get(4..12)?.iter().all(u8::is_ascii_digit)
        && b.get(12..15)? == b"-WA";
    let digits = b
        .get(15..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let after = b.get(15 + digits..)?;
    let tail_ok = matches!(after, [] | [b'.']) || has_extension(name);
    (ok && digits >= 4 && tail_ok).then_some(prefix)
}

fn has_extension(name: &str) -> bool {
    match name.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
        }
        None => false,
    }
}

/// Builds a user message's body from its first line and its continuation lines
/// (`cont`, joined with `\n`, `None` when there are none). `media` finds files in
/// the bundle by name.
pub fn user_body(
    first: &str,
    cont: Option<&str>,
    media: &dyn Fn(&str) -> Option<MediaInfo>,
) -> Body {
    let first_visible = trim_start_invisible(first);
    let clean = strip_invisible_cow(first_visible);
    let clean = clean.trim();
    let mut out = Body::default();
    let mut cont = cont;
    // What stays of the first line as text: all of it, a caption after a
    // placeholder (WhatsApp Web writes it on the same line), or nothing.
    let mut first_text = Some(first_visible);
    if strings::media_omitted(clean) {
        // A document left out may be named on the one line after the
        // placeholder (`<Pominięto multimedia>` then `Umowa.pdf`, as a Polish
        // parser's author saw in his own exports): that line is its name.
        match cont.and_then(document_name_line) {
            Some(name) => {
                out.attachments.push(Attachment {
                    name: Some(name),
                    ..omitted(MediaKind::Document, clean)
                });
                cont = None;
            }
            None => out.attachments.push(omitted(MediaKind::Other, clean)),
        }
        first_text = None;
    } else if let Some(kind) = strings::omitted_kind(clean) {
        out.attachments.push(omitted(kind, clean));
        first_text = None;
    } else if let Some((name, _)) =
        strings::named_document_omitted(clean).filter(|(n, d)| d.is_some() || has_extension(n))
    {
        // iOS names a document it left out: `Resume.pdf • 2 pages document omitted`.
        out.attachments.push(Attachment {
            name: Some(name.to_owned()),
            ..omitted(MediaKind::Document, clean)
        });
        first_text = None;
    } else if let Some((name, _descr)) =
        strings::attached_name(clean).filter(|(n, _)| is_file_name(n))
    {
        out.attachments.push(named(name, clean, media));
        first_text = None;
    } else if let Some((kind, placeholder, caption)) = strings::omitted_with_caption(clean) {
        out.attachments.push(omitted(kind, placeholder));
        first_text = Some(caption).filter(|c| !c.is_empty());
    } else if let Some((name, caption)) =
        strings::attached_with_caption(clean).filter(|(n, _)| is_file_name(n))
    {
        out.attachments.push(named(name, clean, media));
        first_text = Some(caption);
    } else if clean == VIEW_ONCE_NULL && cont.is_none() {
        // Android writes `null` for media it cannot name: a view-once photo or
        // video, some GIFs (real exports, in every language).
        out.attachments.push(omitted(MediaKind::Other, clean));
        first_text = None;
    } else if clean.eq_ignore_ascii_case(GIF_ATTACHED) {
        // WhatsApp Web ships the GIF in `media/` but names no file for it.
        out.attachments.push(omitted(MediaKind::Gif, clean));
        first_text = None;
    }
    // One allocation of the final size (the first line, `\n`, the continuation).
    let room = first_text.map_or(0, |f| f.len() + 1) + cont.map_or(0, str::len);
    let mut text = String::with_capacity(room);
    if let Some(first) = first_text {
        text.push_str(first);
    }
    if let Some(cont) = cont {
        if first_text.is_some() {
            text.push('\n');
        }
        text.push_str(cont);
    }
    if out.attachments.is_empty() {
        let visible = strip_invisible_cow(&text);
        if strings::is_deleted(&visible) || strings::is_deleted_by_admin(&visible) {
            out.deleted = true;
            text.clear();
        } else if strings::is_waiting(&visible) {
            out.undecrypted = true;
        }
    }
    if let Some(stripped) = strings::strip_edited(&text) {
        out.edited = true;
        let stripped = stripped.trim_end_matches(crate::whatsapp::normalize::is_invisible);
        text = stripped.trim_end().to_owned();
    }
    out.text = text;
    out
}

/// The continuation of a media-omitted placeholder when it is one document's
/// file name: a single line with a document extension (`Umowa.pdf`).
fn document_name_line(cont: &str) -> Option<String> {
    if cont.contains('\n') || cont.len() > MAX_FILE_NAME_BYTES {
        return None;
    }
    let line = strip_invisible_cow(cont);
    let name = line.trim();
    let (stem, ext) = name.rsplit_once('.')?;
    // A name no phone writes (`:` `/` `\`) or an extension that is no
    // document's is a caption.
    (!stem.is_empty()
        && !name.contains([':', '/', '\\'])
        && DOCUMENT_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
    .then(|| name.to_owned())
}

/// Longest file name taken from the line after a placeholder.
const MAX_FILE_NAME_BYTES: usize = 255;

/// Extensions of documents people send (office, PDF, text, archives, mail).
const DOCUMENT_EXTENSIONS: [&str; 23] = [
    "pdf", "doc", "docx", "xls", "xlsx", "xlsm", "ppt", "pptx", "odt", "ods", "odp", "rtf", "txt",
    "csv", "zip", "rar", "7z", "key", "pages", "eml", "msg", "epub", "apk",
];

/// Android's whole body for media it cannot name (view once, some GIFs).
const VIEW_ONCE_NULL: &str = "null";

/// WhatsApp Web's body for a GIF it put in the export without naming the file.
const GIF_ATTACHED: &str = "GIF attached";

/// An attachment the body names: linked to the file when the export holds it.
fn named(name: &str, line: &str, media: &dyn Fn(&str) -> Option<MediaInfo>) -> Attachment {
    let kind = named_kind(name);
    match media(name) {
        Some(info) => Attachment {
            name: Some(name.to_owned()),
            kind,
            included: true,
            size: Some(info.size),
            content_hash: info.sha256,
            placeholder: None,
        },
        None => Attachment {
            name: Some(name.to_owned()),
            kind,
            included: false,
            size: None,
            content_hash: None,
            placeholder: Some(line.to_owned()),
        },
    }
}

/// The kind of a named file: from its extension, except that iOS names a GIF
/// it converted to video `00000051-GIF-2022-03-27-21-51-57.mp4`.
fn named_kind(name: &str) -> MediaKind {
    let kind = MediaKind::from_file_name(name);
    if kind == MediaKind::Video && name.contains("-GIF-") {
        return MediaKind::Gif;
    }
    if kind == MediaKind::Other {
        // No extension: Android's media name still tells the kind.
        return match wa_media_prefix(name) {
            Some("IMG") => MediaKind::Image,
            Some("VID") => MediaKind::Video,
            Some("AUD" | "PTT") => MediaKind::Audio,
            Some("STK") => MediaKind::Sticker,
            Some("DOC") => MediaKind::Document,
            _ => kind,
        };
    }
    kind
}

fn omitted(kind: MediaKind, placeholder: &str) -> Attachment {
    Attachment {
        name: None,
        kind,
        included: false,
        size: None,
        content_hash: None,
        placeholder: Some(placeholder.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<MediaInfo> {
        None
    }

    #[test]
    fn a_document_named_after_the_media_placeholder() {
        // The one line after the placeholder names the document left out.
        let b = user_body("<Pominięto multimedia>", Some("Umowa najmu.pdf"), &none);
        assert_eq!(b.text, "");
        assert_eq!(b.attachments.len(), 1);
        let a = &b.attachments[0];
        assert_eq!(a.name.as_deref(), Some("Umowa najmu.pdf"));
        assert_eq!(a.kind, MediaKind::Document);
        assert!(!a.included);
        assert_eq!(a.placeholder.as_deref(), Some("<Pominięto multimedia>"));
        let b = user_body("<Media omitted>", Some("\u{200E}Q3 forecast.xlsx"), &none);
        assert_eq!(b.attachments[0].name.as_deref(), Some("Q3 forecast.xlsx"));
        // Anything else after it is a caption: a photo name, prose, more lines.
        for cont in [
            "IMG-1.jpg",
            "see you at 5",
            "Report.pdf\nsigned",
            "report",
            "Ana: the file.pdf",
            "ok then.da",
        ] {
            let b = user_body("<Media omitted>", Some(cont), &none);
            assert_eq!(b.text, cont, "{cont}");
            assert_eq!(b.attachments[0].name, None, "{cont}");
            assert_eq!(b.attachments[0].kind, MediaKind::Other, "{cont}");
        }
    }

    #[test]
    fn classifies_senders_and_system_lines() {
        assert_eq!(
            classify("Luke: ", None),
            Head::User {
                sender: "Luke".into(),
                body: ""
            }
        );
        assert_eq!(
            classify("\u{200E}Dmitry\u{00A0}S: hi: there", None),
            Head::User {
                sender: "Dmitry S".into(),
                body: "hi: there"
            }
        );
        assert!(matches!(classify("Alice left", None), Head::System { .. }));
        assert!(matches!(
            classify("Alice changed the subject from \"Q: plan\" to \"X\"", None),
            Head::System { .. }
        ));
        assert!(matches!(
            classify(
                "Elon Musk: \u{200E}Messages and calls are end-to-end encrypted. Tap to learn more.",
                None
            ),
            Head::System { .. }
        ));
        assert!(matches!(
            classify("Team: \u{200E}Bob joined", Some("Team")),
            Head::System { .. }
        ));
        assert!(matches!(
            classify("Elon Musk: \u{200E}image omitted", None),
            Head::User { .. }
        ));
    }

    #[test]
    fn events_written_as_if_sent_are_events_without_a_mark() {
        for line in [
            "Alam: You turned off disappearing messages. Tap to change.",
            "Lln: You turned on disappearing messages. All new messages will disappear from \
             this chat 7 days after they're sent. Tap to change.",
            "Elon Musk: Your security code with Elon changed. Tap to learn more.",
            "Amu: Messages and calls are end-to-end encrypted. No one outside of this chat, not \
             even WhatsApp, can read or listen to them.",
        ] {
            assert!(
                matches!(classify(line, None), Head::System { .. }),
                "{line}"
            );
        }
        for line in [
            "Alam: You turned off disappearing messages?",
            "Alam: you turned off disappearing messages. Tap to change.",
            "Bo: Messages and calls are end-to-end encrypted. Are they though?",
        ] {
            assert!(matches!(classify(line, None), Head::User { .. }), "{line}");
        }
    }

    #[test]
    fn security_code_lines_in_more_languages_are_events() {
        // As iOS writes them (real exports), attributed to the chat partner.
        for line in [
            "Elon Musk: \u{200E}Код безпеки з контактом Elon змінився. Натисніть, щоб дізнатися більше.",
            "Elon Musk: \u{200E}Elonとのセキュリティコードが変更されました。 タップして詳細を表示。",
        ] {
            assert!(
                matches!(classify(line, None), Head::System { .. }),
                "{line}"
            );
        }
    }

    #[test]
    fn cached_answers_match_uncached_ones() {
        let mut cache = SenderCache::default();
        let heads: Vec<String> = (0..40)
            .map(|i| format!("Person {i}: hi"))
            .chain(["Alice left".into(), "Security code changed: x".into()])
            .collect();
        for _ in 0..3 {
            for h in &heads {
                assert_eq!(
                    classify_cached(h, None, &mut cache),
                    classify(h, None),
                    "{h}"
                );
            }
        }
    }

    #[test]
    fn placeholders_become_attachments_and_captions_stay() {
        let b = user_body("<Media omitted>", Some("the caption"), &none);
        assert_eq!(b.text, "the caption");
        assert_eq!(b.attachments.len(), 1);
        assert!(!b.attachments[0].included);
        let b = user_body("\u{200E}Bild weggelassen", None, &none);
        assert_eq!(
            (b.text.as_str(), b.attachments[0].kind),
            ("", MediaKind::Image)
        );
        let b = user_body(
            "\u{200E}<attached: 00000035-PHOTO-2022-03-27-21-41-55.jpg>",
            None,
            &|n: &str| {
                (n == "00000035-PHOTO-2022-03-27-21-41-55.jpg").then(|| MediaInfo {
                    index: 1,
                    size: 3,
                    sha256: Some("ab".into()),
                })
            },
        );
        assert!(b.attachments[0].included);
        assert_eq!(b.attachments[0].size, Some(3));
        let b = user_body(
            "\u{200E}<attached: 00000051-GIF-2022-03-27-21-51-57.mp4>",
            None,
            &none,
        );
        assert_eq!(b.attachments[0].kind, MediaKind::Gif);
        let b = user_body(
            "\u{200E}<attached: 00000052-VIDEO-2022-03-27.mp4>",
            None,
            &none,
        );
        assert_eq!(b.attachments[0].kind, MediaKind::Video);
        let b = user_body("\u{2039}angehängt: PTT-20180129-WA0025.opus>", None, &none);
        assert_eq!(
            (b.text.as_str(), b.attachments[0].kind),
            ("", MediaKind::Audio)
        );
        let b = user_body("AUD-20201110-WA0043. (file attached)", None, &none);
        assert_eq!(
            (b.text.as_str(), b.attachments[0].kind),
            ("", MediaKind::Audio)
        );
        assert_eq!(
            b.attachments[0].name.as_deref(),
            Some("AUD-20201110-WA0043.")
        );
        let b = user_body(
            "\u{200E}<terlampir: 00000159-PHOTO-2021-03-16-16-27-37.jpg>",
            None,
            &none,
        );
        assert_eq!(b.attachments[0].kind, MediaKind::Image);
        for text in [
            "AUD-2020111-WA0043 (file attached)",
            "IMG-20201110-WA12 (file attached)",
        ] {
            assert!(
                user_body(text, None, &none).attachments.is_empty(),
                "{text}"
            );
        }
        let b = user_body("null", None, &none);
        assert_eq!((b.text.as_str(), b.attachments.len()), ("", 1));
        assert_eq!(b.attachments[0].placeholder.as_deref(), Some("null"));
        // With more lines, or as part of a sentence, it is text.
        assert!(
            user_body("null", Some("pointer"), &none)
                .attachments
                .is_empty()
        );
        assert!(user_body("not null", None, &none).attachments.is_empty());
        let b = user_body("see photo (file attached)", None, &none);
        assert!(b.attachments.is_empty());
    }

    #[test]
    fn deleted_and_edited_markers() {
        let b = user_body("\u{200E}This message was deleted.", None, &none);
        assert!(b.deleted);
        assert_eq!(b.text, "");
        let b = user_body(
            "line one",
            Some("line two <This message was edited>"),
            &none,
        );
        assert!(b.edited);
        assert_eq!(b.text, "line one\nline two");
    }
}
