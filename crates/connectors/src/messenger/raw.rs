//! The JSON shapes of Meta's exports (formats.md §4), and the latin-1 mojibake
//! repair every string of them needs.
//!
//! "Download Your Information" (`message_N.json`): snake_case, `timestamp_ms`.
//! The end-to-end-encrypted "secure storage" download (`<Name>_<N>.json`):
//! camelCase, `timestamp`, participants as plain strings.

use serde::Deserialize;

/// Repairs Meta's mojibake: every string is UTF-8 whose bytes were written as
/// `\u00XX` code points (`"caf\u00c3\u00a9"` is "café"). The repair happens only
/// when every char is at most U+00FF, at least one is above U+007F, and those
/// chars taken as bytes are valid UTF-8; otherwise the text is returned as it
/// was (a file that was already correct, e.g. converted by a third party).
pub fn repair(s: &str) -> Option<String> {
    if s.is_ascii() {
        return None;
    }
    let mut bytes = Vec::with_capacity(s.len());
    for c in s.chars() {
        let b = u8::try_from(u32::from(c)).ok()?;
        bytes.push(b);
    }
    String::from_utf8(bytes).ok()
}

/// [`repair`] in place.
pub fn fix(s: &mut String) {
    if let Some(r) = repair(s) {
        *s = r;
    }
}

fn fix_opt(s: &mut Option<String>) {
    if let Some(v) = s.as_mut() {
        fix(v);
    }
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
pub struct Named {
    pub name: Option<String>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
pub struct Media {
    pub uri: Option<String>,
    /// Seconds (not milliseconds) where present.
    pub creation_timestamp: Option<i64>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
pub struct Share {
    pub link: Option<String>,
    pub share_text: Option<String>,
    pub original_content_owner: Option<String>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
pub struct Reaction {
    pub reaction: Option<String>,
    pub actor: Option<String>,
    /// Seconds; Instagram only.
    pub timestamp: Option<i64>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
pub struct DyiMessage {
    pub sender_name: Option<String>,
    pub timestamp_ms: Option<i64>,
    pub content: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub is_unsent: Option<bool>,
    pub photos: Vec<Media>,
    pub videos: Vec<Media>,
    pub audio_files: Vec<Media>,
    pub files: Vec<Media>,
    pub gifs: Vec<Media>,
    pub sticker: Option<Media>,
    pub share: Option<Share>,
    pub reactions: Vec<Reaction>,
    pub users: Vec<Named>,
    pub call_duration: Option<i64>,
    pub missed: Option<bool>,
    pub is_geoblocked_for_viewer: Option<bool>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct DyiThread {
    pub participants: Vec<Named>,
    pub messages: Vec<DyiMessage>,
    pub title: Option<String>,
    pub thread_type: Option<String>,
    pub thread_path: Option<String>,
    pub is_still_participant: Option<bool>,
}

impl DyiThread {
    pub fn repair(&mut self) {
        for p in &mut self.participants {
            fix_opt(&mut p.name);
        }
        fix_opt(&mut self.title);
        fix_opt(&mut self.thread_path);
        for m in &mut self.messages {
            fix_opt(&mut m.sender_name);
            fix_opt(&mut m.content);
            for list in [
                &mut m.photos,
                &mut m.videos,
                &mut m.audio_files,
                &mut m.files,
                &mut m.gifs,
            ] {
                for a in list.iter_mut() {
                    fix_opt(&mut a.uri);
                }
            }
            if let Some(s) = m.sticker.as_mut() {
                fix_opt(&mut s.uri);
            }
            if let Some(s) = m.share.as_mut() {
                fix_opt(&mut s.link);
                fix_opt(&mut s.share_text);
                fix_opt(&mut s.original_content_owner);
            }
            for r in &mut m.reactions {
                fix_opt(&mut r.reaction);
                fix_opt(&mut r.actor);
            }
            for u in &mut m.users {
                fix_opt(&mut u.name);
            }
        }
    }
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
pub struct E2eeMedia {
    pub uri: Option<String>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
pub struct E2eeReaction {
    pub actor: Option<String>,
    pub reaction: Option<String>,
}

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct E2eeMessage {
    pub sender_name: Option<String>,
    pub text: Option<String>,
    /// Milliseconds.
    pub timestamp: Option<i64>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub is_unsent: Option<bool>,
    pub media: Vec<E2eeMedia>,
    pub reactions: Vec<E2eeReaction>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct E2eeThread {
    pub participants: Vec<String>,
    pub thread_name: Option<String>,
    pub messages: Vec<E2eeMessage>,
}

impl E2eeThread {
    pub fn repair(&mut self) {
        for p in &mut self.participants {
            fix(p);
        }
        fix_opt(&mut self.thread_name);
        for m in &mut self.messages {
            fix_opt(&mut m.sender_name);
            fix_opt(&mut m.text);
            for a in &mut m.media {
                fix_opt(&mut a.uri);
            }
            for r in &mut m.reactions {
                fix_opt(&mut r.actor);
                fix_opt(&mut r.reaction);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_is_repaired_only_when_it_is_mojibake() {
        assert_eq!(repair("caf\u{c3}\u{a9}").as_deref(), Some("café"));
        assert_eq!(
            repair("\u{f0}\u{9f}\u{98}\u{ad}").as_deref(),
            Some("\u{1f62d}")
        );
        // Already correct text: é alone is not valid UTF-8 as a byte.
        assert_eq!(repair("café"), None);
        // Chars above U+00FF: never mojibake.
        assert_eq!(repair("日本 Ã©"), None);
        assert_eq!(repair("plain"), None);
        let mut s = "Ren\u{c3}\u{a9}e".to_owned();
        fix(&mut s);
        assert_eq!(s, "Renée");
    }
}
