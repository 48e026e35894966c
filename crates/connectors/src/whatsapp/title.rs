//! The chat's title from the export's file name (formats.md §2.1): Android
//! `WhatsApp Chat with X.txt` (localized), iOS `WhatsApp Chat - X.zip`.

/// Localized "WhatsApp Chat with " prefixes (Android string `email_conversation_subject`).
/// Those not in formats.md §2.1 are from real file names where marked, else from
/// the per-locale subject table of an Android e-mail importer (docs/formats/whatsapp.md).
const PREFIXES: &[&str] = &[
    "WhatsApp Chat with ",
    "WhatsApp Chat - ",
    "WhatsApp Chat mit ",
    "WhatsApp-Chat mit ",
    "Discussion WhatsApp avec ",
    "Chat de WhatsApp con ",
    "Conversa do WhatsApp com ",
    "Chat WhatsApp con ",
    "WhatsApp-chat met ",
    "WhatsApp-chatt med ",
    "Chat WhatsApp s uživatelem ",
    "Чат WhatsApp с контактом ",
    "Чат WhatsApp с ",
    // Real file names (pl, he; tr iOS zips).
    "Czat WhatsApp z ",
    "צ'אט WhatsApp עם ",
    "WhatsApp Sohbeti - ",
    "WhatsApp-samtale med ",
    "WhatsApp chat med ",
    "Συνομιλία WhatsApp με ",
    "Conversație WhatsApp cu ",
    "Sembang WhatsApp dengan ",
    "Xat de WhatsApp amb ",
    "گفتگوی WhatsApp با ",
];

/// Names that wrap the title: (before, after). Turkish Android writes the name
/// first (`NAME ile WhatsApp Sohbeti.txt`, real file names), Korean and Finnish
/// around it, Chinese both ways.
const WRAPPED: &[(&str, &str)] = &[
    ("", " ile WhatsApp Sohbeti"),
    ("", "님과의 WhatsApp 대화"),
    ("WhatsApp-keskustelu henkilön ", " kanssa"),
    ("与", "的WhatsApp聊天"),
    ("WhatsApp 与 ", " 的对话"),
];

/// The title a file name tells, if it follows a known export naming.
pub fn from_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base
        .strip_suffix(".txt")
        .or_else(|| base.strip_suffix(".zip"))
        .or_else(|| base.strip_suffix(".TXT"))
        .or_else(|| base.strip_suffix(".ZIP"))
        .unwrap_or(base);
    let stem = strip_copy_suffix(stem);
    let normalized: String = stem
        .chars()
        .map(|c| {
            if super::normalize::is_odd_space(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    for (before, after) in WRAPPED {
        if let Some(t) = normalized
            .strip_prefix(before)
            .and_then(|rest| rest.strip_suffix(after))
        {
            return non_empty(t);
        }
    }
    for p in PREFIXES {
        if let Some(rest) = normalized.strip_prefix(p) {
            return non_empty(rest);
        }
    }
    None
}

/// The chat title WhatsApp Web / Desktop gives its export zip: the title itself,
/// with `/ \\ ? % * : | " < >` replaced by `_` (so the title as it reads here).
pub fn web_zip_title(zip_name: &str) -> Option<String> {
    let base = zip_name.rsplit(['/', '\\']).next().unwrap_or(zip_name);
    let stem = base
        .strip_suffix(".zip")
        .or_else(|| base.strip_suffix(".ZIP"))
        .unwrap_or(base);
    non_empty(strip_copy_suffix(stem).trim())
}

fn non_empty(t: &str) -> Option<String> {
    let t = super::normalize::canonical_name(t);
    if t.is_empty() { None } else { Some(t) }
}

/// Drops a browser's duplicate-download suffix: `name (1)`.
fn strip_copy_suffix(stem: &str) -> &str {
    if let Some(open) = stem.rfind(" (") {
        let inner = &stem[open + 2..];
        if let Some(num) = inner.strip_suffix(')')
            && !num.is_empty()
            && num.chars().all(|c| c.is_ascii_digit())
        {
            return &stem[..open];
        }
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::from_file_name;

    #[test]
    fn titles_from_names() {
        assert_eq!(
            from_file_name("/x/WhatsApp Chat with Acme Sales.txt").as_deref(),
            Some("Acme Sales")
        );
        assert_eq!(
            from_file_name("WhatsApp Chat - Elon Musk.zip").as_deref(),
            Some("Elon Musk")
        );
        assert_eq!(
            from_file_name("WhatsApp Chat mit Anna (1).txt").as_deref(),
            Some("Anna")
        );
        assert_eq!(
            from_file_name("Chat WhatsApp s\u{00A0}uživatelem Jan.txt").as_deref(),
            Some("Jan")
        );
        // Real file names: Turkish (name first), Polish, Hebrew.
        for (file, title) in [
            ("Balkız ile WhatsApp Sohbeti.txt", "Balkız"),
            ("WhatsApp Sohbeti - Proje Ekibi.zip", "Proje Ekibi"),
            ("Czat WhatsApp z Mama.txt", "Mama"),
            ("צ'אט WhatsApp עם רוזה.txt", "רוזה"),
            ("민수님과의 WhatsApp 대화.txt", "민수"),
            ("WhatsApp-keskustelu henkilön Sami kanssa.txt", "Sami"),
            ("与张伟的WhatsApp聊天.txt", "张伟"),
            ("WhatsApp 与 张伟 的对话.txt", "张伟"),
        ] {
            assert_eq!(from_file_name(file).as_deref(), Some(title), "{file}");
        }
        assert_eq!(from_file_name(" ile WhatsApp Sohbeti.txt"), None);
        assert_eq!(from_file_name("_chat.txt"), None);
        assert_eq!(from_file_name("notes.txt"), None);
    }
}
