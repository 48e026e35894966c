//! Which language a message is in, for lexicons that name `languages`.
//!
//! A lexicon that lists languages runs on a message **unless the message is known to be in
//! another language**. The message's main script decides first (`whatlang::detect_script`):
//! a script written by one language only (Hangul, Greek, Thai, kana …) names it; text
//! mainly in Han characters counts as both Chinese and Japanese (Japanese written in kanji
//! alone looks like Chinese to any detector). In a script several languages share (Latin,
//! Cyrillic, Arabic, Devanagari, Hebrew), a message of at least [`MIN_WORDS`] words is given
//! to the `whatlang` detector (character trigrams, 70 languages, no model files), and only
//! a confident detection (`Info::is_reliable`) counts as known. A shorter message ("ok",
//! "guaranteed returns!!", "I guarantee you a 12% return") is not known, and every lexicon
//! runs on it: trigram detection on a few words of chat is mostly a guess, and a
//! surveillance lexicon should rather raise an alert a reviewer closes than miss a promise.
//! Only the first [`DETECT_BYTES`] bytes are looked at.
//!
//! The detector runs only for a message where a lexicon that names languages has a hit,
//! so a policy whose lexicons find nothing in a message costs nothing here.

use whatlang::{Lang, Script};

/// Bytes of a message the detector looks at.
pub const DETECT_BYTES: usize = 1024;

/// Words (runs of letters) a message in a shared script needs before its language is
/// detected; below this it is not known.
pub const MIN_WORDS: usize = 10;

/// Every language the detector knows: ISO 639-1 code and whatlang's language.
const LANGUAGES: [(&str, Lang); 70] = [
    ("af", Lang::Afr),
    ("ak", Lang::Aka),
    ("am", Lang::Amh),
    ("ar", Lang::Ara),
    ("az", Lang::Aze),
    ("be", Lang::Bel),
    ("bg", Lang::Bul),
    ("bn", Lang::Ben),
    ("ca", Lang::Cat),
    ("cs", Lang::Ces),
    ("cy", Lang::Cym),
    ("da", Lang::Dan),
    ("de", Lang::Deu),
    ("el", Lang::Ell),
    ("en", Lang::Eng),
    ("eo", Lang::Epo),
    ("es", Lang::Spa),
    ("et", Lang::Est),
    ("fa", Lang::Pes),
    ("fi", Lang::Fin),
    ("fr", Lang::Fra),
    ("gu", Lang::Guj),
    ("he", Lang::Heb),
    ("hi", Lang::Hin),
    ("hr", Lang::Hrv),
    ("hu", Lang::Hun),
    ("hy", Lang::Hye),
    ("id", Lang::Ind),
    ("it", Lang::Ita),
    ("ja", Lang::Jpn),
    ("jv", Lang::Jav),
    ("ka", Lang::Kat),
    ("km", Lang::Khm),
    ("kn", Lang::Kan),
    ("ko", Lang::Kor),
    ("la", Lang::Lat),
    ("lt", Lang::Lit),
    ("lv", Lang::Lav),
    ("mk", Lang::Mkd),
    ("ml", Lang::Mal),
    ("mr", Lang::Mar),
    ("my", Lang::Mya),
    ("nb", Lang::Nob),
    ("ne", Lang::Nep),
    ("nl", Lang::Nld),
    ("or", Lang::Ori),
    ("pa", Lang::Pan),
    ("pl", Lang::Pol),
    ("pt", Lang::Por),
    ("ro", Lang::Ron),
    ("ru", Lang::Rus),
    ("si", Lang::Sin),
    ("sk", Lang::Slk),
    ("sl", Lang::Slv),
    ("sn", Lang::Sna),
    ("sr", Lang::Srp),
    ("sv", Lang::Swe),
    ("ta", Lang::Tam),
    ("te", Lang::Tel),
    ("th", Lang::Tha),
    ("tk", Lang::Tuk),
    ("tl", Lang::Tgl),
    ("tr", Lang::Tur),
    ("uk", Lang::Ukr),
    ("ur", Lang::Urd),
    ("uz", Lang::Uzb),
    ("vi", Lang::Vie),
    ("yi", Lang::Yid),
    ("zh", Lang::Cmn),
    ("zu", Lang::Zul),
];

/// Other names in use for some of them.
const ALIASES: [(&str, Lang); 6] = [
    ("no", Lang::Nob),
    ("nor", Lang::Nob),
    ("zho", Lang::Cmn),
    ("fas", Lang::Pes),
    ("fil", Lang::Tgl),
    ("iw", Lang::Heb),
];

/// A language as a policy names it: an ISO 639-1 code (`en`), an ISO 639-3 code (`eng`),
/// or a BCP 47 tag whose primary subtag is one (`en-GB`, `zh_Hant`); case-insensitive.
/// `None` for a language the detector does not know (or a typo).
pub(crate) fn parse_language(code: &str) -> Option<Lang> {
    let primary = code
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    LANGUAGES
        .iter()
        .chain(ALIASES.iter())
        .find(|(c, _)| *c == primary)
        .map(|(_, l)| *l)
        .or_else(|| Lang::from_code(primary.as_str()))
}

/// The ISO 639-1 codes of the languages the detector knows, for error messages.
pub fn known_languages() -> String {
    LANGUAGES
        .iter()
        .map(|(c, _)| *c)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ISO 639-1 code of a language.
fn code_of(lang: Lang) -> &'static str {
    LANGUAGES
        .iter()
        .find(|(_, l)| *l == lang)
        .map_or("", |(c, _)| *c)
}

/// What is known of a text's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextLanguage {
    /// Not known (a short message, no letters, no confident detection): every lexicon runs.
    Unknown,
    /// One of these (ISO 639-1 codes): a confident detection, or `zh` and `ja` for text
    /// mainly in Han characters.
    OneOf(Vec<&'static str>),
}

impl TextLanguage {
    /// Whether a lexicon of these languages runs on the text (an empty list: every text).
    pub(crate) fn admits(&self, languages: &[Lang]) -> bool {
        match self {
            TextLanguage::Unknown => true,
            TextLanguage::OneOf(codes) => {
                languages.is_empty()
                    || languages
                        .iter()
                        .any(|l| codes.iter().any(|c| *c == code_of(*l)))
            }
        }
    }
}

/// Detects a text's language (see the module documentation for what counts as known).
pub fn detect_language(text: &str) -> TextLanguage {
    let mut end = text.len().min(DETECT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = text.get(..end).unwrap_or_default();
    let Some(script) = whatlang::detect_script(text) else {
        return TextLanguage::Unknown;
    };
    match script {
        Script::Mandarin => return TextLanguage::OneOf(vec!["zh", "ja"]),
        Script::Hiragana | Script::Katakana => return TextLanguage::OneOf(vec!["ja"]),
        _ => {}
    }
    if let [only] = script.langs() {
        return TextLanguage::OneOf(vec![code_of(*only)]);
    }
    if words(text) < MIN_WORDS {
        return TextLanguage::Unknown;
    }
    match whatlang::detect(text) {
        Some(info) if info.is_reliable() => TextLanguage::OneOf(vec![code_of(info.lang())]),
        _ => TextLanguage::Unknown,
    }
}

/// Runs of letters in a text.
fn words(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        let letter = c.is_alphabetic();
        if letter && !in_word {
            count += 1;
        }
        in_word = letter;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_every_usual_form() {
        assert_eq!(parse_language("en"), Some(Lang::Eng));
        assert_eq!(parse_language("ENG"), Some(Lang::Eng));
        assert_eq!(parse_language("en-GB"), Some(Lang::Eng));
        assert_eq!(parse_language("zh_Hant"), Some(Lang::Cmn));
        assert_eq!(parse_language("no"), Some(Lang::Nob));
        assert_eq!(parse_language("deu"), Some(Lang::Deu));
        assert_eq!(parse_language("english"), None);
        assert_eq!(parse_language("xx"), None);
        assert_eq!(parse_language(""), None);
        // Every detector language has a 639-1 code and round-trips.
        assert_eq!(Lang::all().len(), LANGUAGES.len());
        for lang in Lang::all() {
            assert_eq!(parse_language(code_of(*lang)), Some(*lang), "{lang:?}");
            assert_eq!(parse_language(lang.code()), Some(*lang), "{lang:?}");
        }
    }

    #[test]
    fn only_a_confident_detection_names_the_language() {
        assert_eq!(
            detect_language("We guarantee a return on this investment by the end of the year."),
            TextLanguage::OneOf(vec!["en"])
        );
        assert_eq!(
            detect_language(
                "Das ist Gift für unsere Rendite, das sage ich dir ganz ehrlich und offen."
            ),
            TextLanguage::OneOf(vec!["de"])
        );
        assert_eq!(detect_language("ok"), TextLanguage::Unknown);
        // Fewer than MIN_WORDS words in a shared script: not known, even where the
        // detector would guess.
        assert_eq!(
            detect_language("Das ist Gift für die Rendite, sagt er"),
            TextLanguage::Unknown
        );
        assert_eq!(
            detect_language("I guarantee you a 12% return on this one"),
            TextLanguage::Unknown
        );
        // A script of one language names it, however short.
        assert_eq!(
            detect_language("수익 보장"),
            TextLanguage::OneOf(vec!["ko"])
        );
        assert_eq!(
            detect_language("εγγυημένη απόδοση"),
            TextLanguage::OneOf(vec!["el"])
        );
        assert_eq!(
            detect_language("guaranteed returns!!"),
            TextLanguage::Unknown
        );
        assert_eq!(
            detect_language("4111 1111 1111 1111"),
            TextLanguage::Unknown
        );
        assert_eq!(detect_language(""), TextLanguage::Unknown);
        assert_eq!(
            detect_language("保证收益"),
            TextLanguage::OneOf(vec!["zh", "ja"])
        );
        assert_eq!(
            detect_language("必ず儲かります、保証します"),
            TextLanguage::OneOf(vec!["ja"])
        );
        // A long text: only its start is looked at, and a cut inside a character is safe.
        let long = "é ".repeat(DETECT_BYTES);
        let _ = detect_language(&long);
        assert_eq!(words("one, two-three  4 five"), 4);
    }

    #[test]
    fn admits_follows_the_detection() {
        let en = [Lang::Eng];
        assert!(TextLanguage::Unknown.admits(&en));
        assert!(TextLanguage::OneOf(vec!["en"]).admits(&en));
        assert!(!TextLanguage::OneOf(vec!["de"]).admits(&en));
        assert!(TextLanguage::OneOf(vec!["de"]).admits(&[Lang::Eng, Lang::Deu]));
        assert!(TextLanguage::OneOf(vec!["de"]).admits(&[]));
        assert!(TextLanguage::OneOf(vec!["zh", "ja"]).admits(&[Lang::Jpn]));
    }
}
