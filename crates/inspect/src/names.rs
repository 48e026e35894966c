//! PERSON and LOCATION without a model: the conversation's participant names,
//! a shipped lexicon (`lexicon/names.txt`: given names, surnames, places),
//! capitalisation, titles ("Dr.", "Mr.", "Frau") and cue phrases ("my name is",
//! "lives in").

use crate::engine::{Cand, Engine};
use crate::error::InspectError;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;

const LEXICON: &str = include_str!("../lexicon/names.txt");

const FIRST: u8 = 1;
const LAST: u8 = 2;
const PLACE: u8 = 4;
const AMBIG: u8 = 8;
const NOT_NAME: u8 = 16;

/// Titles before a name (compared lowercase, without the trailing dot).
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "herr",
    "frau",
    "sr",
    "sra",
    "srta",
    "señor",
    "señora",
    "don",
    "doña",
    "mme",
    "mlle",
    "monsieur",
    "madame",
    "uncle",
    "aunt",
    "auntie",
    "nurse",
    "doctor",
    "officer",
    "judge",
    "rev",
    "father",
];

/// Phrases after which a capitalised word is probably a name (lowercase).
const NAME_CUES: &[&str] = &[
    "my name is",
    "name is",
    "name's",
    "i'm",
    "i am",
    "this is",
    "call me",
    "ask",
    "tell",
    "meet",
    "met",
    "with",
    "contact",
    "spoke to",
    "talked to",
    "thanks",
    "thank you",
    "hi",
    "hello",
    "hey",
    "dear",
    "cc",
    "ich heiße",
    "ich bin",
    "mein name ist",
    "me llamo",
    "mi nombre es",
    "soy",
    "je m'appelle",
    "je suis",
    "mon nom est",
    "patient",
    "client",
    "customer",
    "name",
    "named",
    "called",
    "calls me",
    "partner",
    "partner's name",
    "by",
    "email",
    "meeting with",
    "change it to",
    "given",
    "add",
    "wife",
    "husband",
    "son",
    "daughter",
    "kid",
    "mother",
    "father",
    "brother",
    "sister",
    "player",
    "heard",
    "named him",
    "named her",
];

/// Lowercase particles inside a full name ("Christiane S. de Vaan").
const PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "le", "la", "ten", "ter",
    "bin", "al",
];

/// Words that make the capitalised words before them a street or a building,
/// not a person ("Morris Street", "Walter Road", "Dodson Street Apt").
const STREET_WORDS: &[&str] = &[
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "lane",
    "ln",
    "drive",
    "dr",
    "way",
    "court",
    "ct",
    "place",
    "pl",
    "boulevard",
    "blvd",
    "terrace",
    "square",
    "parkway",
    "highway",
    "apt",
    "suite",
    "valley",
    "radial",
    "viaduct",
    "crescent",
    "close",
    "grove",
    "gardens",
    "heights",
    "hill",
    "park",
    "bridge",
    "stream",
    "creek",
    "river",
    "mount",
    "port",
    "straße",
    "strasse",
    "weg",
    "platz",
    "group",
    "holdings",
    "inc",
    "ltd",
    "plc",
    "corp",
    "corporation",
    "company",
    "trust",
    "bank",
    "fund",
    "partners",
    "llc",
    "gmbh",
    "ag",
];

/// Words right after a capitalised word that say it is a person ("Anna said",
/// "Jakob had given", "Chloe's mobile"); lowercase, matched after one space or
/// the possessive.
const AFTER_CUES: &[&str] = &[
    " said",
    " says",
    " shouted",
    " asked",
    " replied",
    " wrote",
    " told",
    " lives",
    " lived",
    " had given",
    " is from",
    " was born",
    " is flying",
    "'s mobile",
    "'s phone",
    "'s number",
    "'s address",
    "'s email",
    "’s mobile",
    "’s number",
    "’s address",
];

/// Words before a place (lowercase).
const PLACE_CUES: &[&str] = &[
    "in",
    "at",
    "from",
    "to",
    "near",
    "lives in",
    "live in",
    "living in",
    "based in",
    "moved to",
    "moving to",
    "visit",
    "visiting",
    "address",
    "located in",
    "flying to",
    "flight to",
    "born in",
    "aus",
    "nach",
    "bei",
    "en",
    "desde",
    "à",
    "au",
    "vers",
    "de",
    "office in",
    "trip to",
];

/// Lexicon entries that are also common words: found only with a cue or a
/// neighbouring name.
const AMBIGUOUS: &[&str] = &[
    "will",
    "may",
    "mark",
    "bill",
    "grace",
    "hope",
    "joy",
    "rose",
    "june",
    "april",
    "art",
    "faith",
    "sandy",
    "rich",
    "frank",
    "long",
    "young",
    "white",
    "black",
    "brown",
    "green",
    "gray",
    "little",
    "love",
    "day",
    "case",
    "page",
    "person",
    "price",
    "rice",
    "ball",
    "bell",
    "cook",
    "hall",
    "king",
    "hill",
    "wood",
    "woods",
    "stone",
    "short",
    "small",
    "strong",
    "good",
    "best",
    "golden",
    "rush",
    "church",
    "park",
    "lane",
    "fields",
    "house",
    "glass",
    "moody",
    "frost",
    "snow",
    "winter",
    "winters",
    "summers",
    "cherry",
    "rivers",
    "branch",
    "duke",
    "noble",
    "bass",
    "moon",
    "wolf",
    "fox",
    "hunt",
    "hunter",
    "miles",
    "marks",
    "chase",
    "ray",
    "wise",
    "ware",
    "best",
    "holt",
    "nice",
    "mobile",
    "reading",
    "bath",
    "split",
    "sale",
    "deal",
    "orange",
    "chad",
    "turkey",
    "jordan",
    "georgia",
    "victoria",
    "aurora",
    "phoenix",
    "mesa",
    "lincoln",
    "madison",
    "austin",
    "charlotte",
    "florence",
    "chandler",
    "gilbert",
    "henderson",
    "hamilton",
    "kingston",
    "richmond",
    "augusta",
    "darwin",
    "perth",
    "york",
    "rio",
    "lima",
    "cali",
    "mali",
    "niger",
    "guinea",
    "bali",
    "goa",
    "sofia",
    "valencia",
    "savannah",
    "salvador",
    "santiago",
    "columbus",
    "plano",
    "paris",
    "washington",
    "virginia",
    "dallas",
    "cameron",
    "jean",
    "marie",
    "paul",
    "louis",
    "max",
    "guy",
    "sun",
    "ma",
    "he",
    "hu",
    "lu",
    "li",
    "yu",
    "du",
    "ye",
    "fan",
    "long",
    "gu",
    "an",
    "do",
    "so",
    "ko",
    "oh",
    "ho",
    "lee",
    "le",
    "vo",
    "vu",
    "han",
    "gill",
    "das",
    "sen",
    "roy",
    "pan",
    "bo",
    "na",
    "min",
    "jun",
    "yan",
    "hui",
    "lin",
    "xin",
    "ping",
    "dan",
    "kai",
    "lan",
    "mei",
    "ting",
    "yun",
    "sara",
    "ali",
    "bose",
    "jain",
    "leo",
    "mason",
    "hunter",
    "rocha",
    "cruz",
    "reyes",
    "campos",
    "cano",
    "roman",
    "rey",
    "mata",
    "moya",
    "gil",
    "pons",
    "meza",
    "leon",
    "vega",
    "sosa",
    "soto",
    "mora",
    "costa",
    "street",
    "avenue",
    "road",
    "uk",
    "usa",
    "uae",
    "jersey",
    "buffalo",
    "mobile",
    "reno",
    "laredo",
    "irving",
    "garland",
    "fremont",
    "glendale",
    "arlington",
    "aurora",
    "durham",
    "newark",
    "stockton",
    "lexington",
    "riverside",
    "spokane",
    "akron",
    "birmingham",
    "portland",
    "cambridge",
    "oxford",
    "worcester",
    "providence",
    "hollywood",
    "salem",
    "sydney",
    "adelaide",
    "canberra",
    "hobart",
    "queenstown",
    "wellington",
    "victoria",
    "kent",
    "essex",
    "rochester",
    "tyler",
    "ford",
    "carson",
    "nash",
    "dean",
    "drake",
    "page",
];

/// Name-shaped words that are not names in a chat ("Monday", "Team", "Hi").
const NOT_NAMES: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "team",
    "hi",
    "hello",
    "hey",
    "thanks",
    "ok",
    "okay",
    "yes",
    "no",
    "the",
    "and",
    "but",
    "please",
    "sorry",
    "good",
    "great",
    "i",
    "we",
    "you",
    "they",
    "this",
    "that",
    "it",
    "my",
    "our",
    "your",
    "god",
    "lol",
    "omg",
    "pm",
    "am",
    "ceo",
    "cfo",
    "cto",
    "hr",
    "it",
    "qa",
    "pdf",
    "q1",
    "q2",
    "q3",
    "q4",
    "eod",
    "asap",
    "fyi",
    "btw",
    "tbd",
    "she",
    "he",
    "her",
    "his",
    "him",
    "their",
    "them",
    "its",
    "who",
    "what",
    "why",
    "when",
    "where",
    "how",
];

/// Field labels that open a line like a chat transcript's speaker ("Email: …",
/// "Address: …") but are not names (lowercase).
const FIELD_LABELS: &[&str] = &[
    "name", "email", "e-mail", "mail", "address", "phone", "mobile", "tel", "fax", "website",
    "web", "note", "notes", "subject", "re", "fwd", "to", "from", "cc", "bcc", "date", "time",
    "password", "pw", "user", "username", "login", "code", "pin", "card", "iban", "account",
    "total", "price", "order", "ref", "id", "dob", "ssn", "city", "country", "zip", "company",
    "title", "job", "role", "status", "update", "reminder", "warning", "error", "info", "question",
    "answer", "step", "tip", "result", "edit", "ps", "update", "location", "venue", "agenda",
];

pub(crate) struct Lexicon {
    words: HashMap<String, u8>,
    places: AhoCorasick,
}

#[derive(Clone, Copy)]
struct Token<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    cap: bool,
    sentence_start: bool,
}

impl Lexicon {
    pub(crate) fn new() -> Result<Lexicon, InspectError> {
        let mut words: HashMap<String, u8> = HashMap::new();
        let mut places: Vec<&str> = Vec::new();
        let mut section = 0u8;
        for line in LEXICON.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line {
                "[first]" => section = FIRST,
                "[last]" => section = LAST,
                "[place]" => section = PLACE,
                _ => {
                    for entry in line.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                        if section == PLACE {
                            places.push(entry);
                        }
                        if !entry.contains(' ') {
                            *words.entry(entry.to_lowercase()).or_insert(0) |= section;
                        }
                    }
                }
            }
        }
        for w in AMBIGUOUS {
            *words.entry((*w).to_string()).or_insert(0) |= AMBIG;
        }
        for w in NOT_NAMES {
            *words.entry((*w).to_string()).or_insert(0) |= NOT_NAME;
        }
        let places = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&places)
            .map_err(|e| InspectError::Pattern {
                name: "place lexicon".into(),
                message: e.to_string(),
            })?;
        Ok(Lexicon { words, places })
    }

    fn flags(&self, word: &str) -> u8 {
        self.words.get(&word.to_lowercase()).copied().unwrap_or(0)
    }

    pub(crate) fn scan(
        &self,
        engine: &Engine,
        text: &str,
        participants: &[String],
        out: &mut Vec<Cand>,
    ) {
        let has_upper = text.bytes().any(|b| b.is_ascii_uppercase());
        let has_non_ascii = !text.is_ascii();
        if !has_upper && !has_non_ascii && participants.is_empty() {
            return;
        }
        let person = engine.entity_id("PERSON");
        let location = engine.entity_id("LOCATION");
        let tokens = tokenize(text);

        if let Some(e) = person {
            self.persons(text, &tokens, participants, e, out);
        }
        if let Some(e) = location
            && (has_upper || has_non_ascii)
        {
            self.locations(text, e, out);
        }
    }

    fn persons(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        participants: &[String],
        entity: u16,
        out: &mut Vec<Cand>,
    ) {
        let first_cand = out.len();
        // Participant names: whole names first, then single name parts.
        let parts: Vec<Vec<String>> = participants
            .iter()
            .map(|p| {
                p.split(|c: char| !c.is_alphabetic() && c != '\'' && c != '-')
                    .filter(|w| w.chars().count() >= 3)
                    .map(str::to_lowercase)
                    .collect()
            })
            .collect();
        // Transcript lines ("Arya: What a wife.\nShawn: Remember me?"): a
        // capitalised word opening a line, right before ": " and a word.
        let speakers = tokens
            .iter()
            .filter(|t| self.is_speaker(text, t))
            .take(2)
            .count();
        let mut i = 0;
        while i < tokens.len() {
            let Some(t) = tokens.get(i) else { break };
            if !t.cap && parts.is_empty() {
                i += 1;
                continue;
            }
            let lower = t.text.to_lowercase();
            let flags = self.words.get(&lower).copied().unwrap_or(0);
            let ambiguous = flags & AMBIG != 0;
            let not_name = flags & NOT_NAME != 0;

            // Participant match.
            if !not_name && parts.iter().any(|p| p.contains(&lower)) && (t.cap || !ambiguous) {
                let mut j = i;
                while let Some(n) = tokens.get(j + 1) {
                    let nl = n.text.to_lowercase();
                    if adjacent(text, tokens.get(j), n) && parts.iter().any(|p| p.contains(&nl)) {
                        j += 1;
                    } else {
                        break;
                    }
                }
                let end = tokens.get(j).map_or(t.end, |x| x.end);
                let score = if j > i {
                    0.9
                } else if t.cap {
                    0.8
                } else {
                    0.6
                };
                out.push(cand(entity, "participant_name", t.start, end, score));
                i = j + 1;
                continue;
            }
            if !t.cap || not_name {
                i += 1;
                continue;
            }
            let titled = i
                .checked_sub(1)
                .and_then(|p| tokens.get(p))
                .is_some_and(|p| TITLES.contains(&p.text.to_lowercase().as_str()) && p.cap);
            let is_name = flags & (FIRST | LAST) != 0;
            let cued = cue_before(text, t.start, NAME_CUES);
            // A run of capitalised words after this one (a full name), with
            // middle initials ("Jennifer B Eiffel", "Albina H. Tomaszewska").
            let card = t.sentence_start && first_line(text, t.start);
            let mut j = i;
            while let Some(n) = tokens.get(j + 1) {
                let nflags = self.flags(n.text);
                let next_cap = tokens.get(j + 2).is_some_and(|m| m.cap);
                let initial = is_initial(n)
                    && (next_cap
                        || tokens
                            .get(j + 2)
                            .is_some_and(|m| PARTICLES.contains(&m.text)));
                let particle = PARTICLES.contains(&n.text) && next_cap;
                let joined = adjacent(text, tokens.get(j), n)
                    || (tokens.get(j).is_some_and(is_initial)
                        && tokens.get(j).and_then(|p| text.get(p.end..n.start)) == Some(". "));
                let street = is_street_word(n.text);
                if j - i < 3
                    && (n.cap || initial || particle)
                    && joined
                    && !street
                    && nflags & NOT_NAME == 0
                    && (nflags & (FIRST | LAST) != 0
                        || titled
                        || cued
                        || is_name
                        || initial
                        || particle
                        || card)
                    && (nflags & PLACE == 0 || nflags & (AMBIG | LAST) != 0)
                {
                    j += 1;
                } else {
                    break;
                }
            }
            // A trailing initial or particle is not part of the name.
            while j > i
                && tokens
                    .get(j)
                    .is_some_and(|x| is_initial(x) || PARTICLES.contains(&x.text))
            {
                j -= 1;
            }
            // Capitalised words before "Street", "Apt", "Ltd" name a place or a firm.
            let before_street = tokens
                .get(j + 1)
                .is_some_and(|n| adjacent(text, tokens.get(j), n) && is_street_word(n.text));
            if before_street {
                i = j + 1;
                continue;
            }
            let end = tokens.get(j).map_or(t.end, |x| x.end);
            let multi = j > i;
            let after_cued = cue_after(text, end, AFTER_CUES);
            let score: f32 = if titled {
                0.85
            } else if !multi
                && self.is_speaker(text, t)
                && ((flags & FIRST != 0 && !ambiguous) || speakers >= 2)
            {
                // A transcript speaker: a known given name, or one of two or
                // more speakers.
                0.6
            } else if multi && is_name {
                if t.sentence_start && ambiguous {
                    0.6
                } else {
                    0.85
                }
            } else if flags & FIRST != 0 && !ambiguous {
                match (cued || after_cued, t.sentence_start) {
                    (true, _) => 0.8,
                    (false, false) => 0.65,
                    (false, true) => 0.45,
                }
            } else if is_name && (cued || after_cued) {
                0.6
            } else if (cued || after_cued) && flags & PLACE == 0 && t.text.chars().count() > 2 {
                // An unknown capitalised word with a cue: a full name, or a
                // single word not at the start of a sentence (where any word
                // is capitalised) unless a person verb follows.
                if multi || after_cued || !t.sentence_start {
                    0.6
                } else {
                    0.0
                }
            } else if multi && t.sentence_start && contact_card_line(text, t.start, end) {
                0.6
            } else {
                0.0
            };
            if score > 0.0 {
                out.push(cand(entity, "name_lexicon", t.start, end, score));
                i = j + 1;
            } else {
                i += 1;
            }
        }
        self.coordinated(text, tokens, entity, first_cand, out);
    }

    /// Capitalised words listed with a name found above ("Sulimat, Brian and
    /// Susan", "Caird and Jones"): names too. Spreads along the list.
    fn coordinated(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        entity: u16,
        first_cand: usize,
        out: &mut Vec<Cand>,
    ) {
        let found = |out: &[Cand], t: &Token<'_>| {
            out.get(first_cand..).is_some_and(|cs| {
                cs.iter()
                    .any(|c| c.score >= 0.5 && c.start <= t.start && t.end <= c.end)
            })
        };
        // Whether tokens a < b are neighbours in a list: ", ", " & ", or a
        // conjunction token between them ("Caird and Jones", "Ana, y Luis").
        let listed = |a: usize, b: usize| {
            let (Some(x), Some(y)) = (tokens.get(a), tokens.get(b)) else {
                return false;
            };
            match b - a {
                1 => text
                    .get(x.end..y.start)
                    .is_some_and(|gap| matches!(gap, ", " | " & ")),
                2 => tokens.get(a + 1).is_some_and(|c| {
                    matches!(c.text, "and" | "or" | "und" | "y" | "et")
                        && text
                            .get(x.end..c.start)
                            .is_some_and(|g| matches!(g, " " | ", "))
                        && text.get(c.end..y.start) == Some(" ")
                }),
                _ => false,
            }
        };
        for _ in 0..6 {
            let mut added = false;
            for (k, t) in tokens.iter().enumerate() {
                if !t.cap || found(out, t) || t.text.chars().count() < 3 || is_street_word(t.text) {
                    continue;
                }
                let flags = self.flags(t.text);
                if flags & NOT_NAME != 0 || (flags & PLACE != 0 && flags & (FIRST | LAST) == 0) {
                    continue;
                }
                let prev = (1..=2).any(|d| {
                    k.checked_sub(d).is_some_and(|p| {
                        listed(p, k) && tokens.get(p).is_some_and(|x| found(out, x))
                    })
                });
                let next = (1..=2)
                    .any(|d| listed(k, k + d) && tokens.get(k + d).is_some_and(|x| found(out, x)));
                if prev || next {
                    out.push(cand(entity, "name_list", t.start, t.end, 0.6));
                    added = true;
                }
            }
            if !added {
                break;
            }
        }
    }

    /// A capitalised word opening a line and followed by ": " and a letter or
    /// a quote, that is no field label, common word or place: a speaker.
    fn is_speaker(&self, text: &str, t: &Token<'_>) -> bool {
        if !t.cap || !t.sentence_start || t.text.chars().count() < 3 {
            return false;
        }
        let Some(rest) = text.get(t.end..) else {
            return false;
        };
        let Some(after) = rest.strip_prefix(':') else {
            return false;
        };
        let after = after.strip_prefix(' ').unwrap_or(after);
        if !after.starts_with(|c: char| c.is_alphabetic() || c == '"' || c == '\u{201c}') {
            return false;
        }
        let lower = t.text.to_lowercase();
        let line_start = text.get(..t.start).is_some_and(|b| {
            let b = b.trim_end_matches([' ', '\t']);
            b.is_empty() || b.ends_with(['\n', '\r']) || b.ends_with("\\n")
        });
        line_start
            && !FIELD_LABELS.contains(&lower.as_str())
            && self.flags(t.text) & (NOT_NAME | PLACE | AMBIG) == 0
    }

    fn locations(&self, text: &str, entity: u16, out: &mut Vec<Cand>) {
        for m in self.places.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            let Some(word) = text.get(s..e) else { continue };
            if word.is_ascii() && !crate::engine::word_bounded(text, s, e) {
                continue;
            }
            let cued = cue_before(text, s, PLACE_CUES);
            let flags = self.flags(word);
            let ambiguous = flags & (FIRST | LAST | AMBIG) != 0;
            let score = match (ambiguous, cued) {
                (false, true) => 0.85,
                (false, false) => 0.7,
                (true, true) => 0.6,
                (true, false) => 0.3,
            };
            out.push(cand(entity, "place_lexicon", s, e, score));
        }
    }
}

fn is_street_word(w: &str) -> bool {
    let lower = w.to_lowercase();
    STREET_WORDS.contains(&lower.as_str())
}

/// Nothing but blanks before `pos`: the token opens the message.
fn first_line(text: &str, pos: usize) -> bool {
    text.get(..pos)
        .unwrap_or("")
        .trim_start_matches([' ', '\t', '\r', '\n', '\u{feff}'])
        .is_empty()
}

/// A single capital letter ("B", "H." without its dot): a middle initial.
fn is_initial(t: &Token<'_>) -> bool {
    let mut cs = t.text.chars();
    cs.next().is_some_and(char::is_uppercase) && cs.next().is_none()
}

/// Whether one of `cues` starts right at `pos` (case-insensitive).
fn cue_after(text: &str, pos: usize, cues: &[&str]) -> bool {
    let Some(after) = text.get(pos..) else {
        return false;
    };
    let mut end = after.len().min(24);
    while end > 0 && !after.is_char_boundary(end) {
        end -= 1;
    }
    let head = after.get(..end).unwrap_or("").to_lowercase();
    cues.iter().any(|c| {
        head.starts_with(c)
            && head
                .get(c.len()..)
                .is_none_or(|r| r.is_empty() || r.starts_with(|ch: char| !ch.is_alphanumeric()))
    })
}

/// A name alone on the first line of a multi-line message whose next lines
/// carry digits (an address or a number): a signature or a shared contact card
/// ("Helena Carlsen\n637 Main St …").
fn contact_card_line(text: &str, start: usize, end: usize) -> bool {
    let rest = text.get(end..).unwrap_or("");
    let line_ends_here = rest.starts_with(['\n', '\r']) || rest.starts_with("\\n");
    first_line(text, start) && line_ends_here && rest.bytes().take(200).any(|b| b.is_ascii_digit())
}

fn cand(entity: u16, detector: &'static str, start: usize, end: usize, score: f32) -> Cand {
    Cand {
        entity,
        detector: detector.into(),
        start,
        end,
        score,
    }
}

/// Two tokens separated by exactly one space.
fn adjacent(text: &str, a: Option<&Token<'_>>, b: &Token<'_>) -> bool {
    a.is_some_and(|a| text.get(a.end..b.start) == Some(" "))
}

/// Whether one of `cues` ends right before `pos` (one space between).
fn cue_before(text: &str, pos: usize, cues: &[&str]) -> bool {
    let Some(before) = text.get(..pos) else {
        return false;
    };
    let before = before.trim_end_matches([' ', ',', ':']);
    let tail_start = before.len().saturating_sub(24);
    let mut ts = tail_start;
    while ts > 0 && !before.is_char_boundary(ts) {
        ts -= 1;
    }
    let tail = before.get(ts..).unwrap_or("").to_lowercase();
    cues.iter().any(|c| {
        tail.ends_with(c)
            && tail
                .get(..tail.len() - c.len())
                .is_none_or(|p| p.is_empty() || p.ends_with(|ch: char| !ch.is_alphanumeric()))
    })
}

fn tokenize<'a>(text: &'a str) -> Vec<Token<'a>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut sentence_start = true;
    let mut prev_end = 0usize;
    let push = |s: usize, e: usize, out: &mut Vec<Token<'a>>, sentence_start: &mut bool| {
        let Some(word) = text.get(s..e) else { return };
        let word = word.trim_end_matches(['\'', '-']);
        // "Chloe's" is the name "Chloe".
        let word = word
            .strip_suffix("'s")
            .or_else(|| word.strip_suffix("\u{2019}s"))
            .unwrap_or(word);
        if word.is_empty() {
            return;
        }
        let cap = word.chars().next().is_some_and(char::is_uppercase)
            && word.chars().skip(1).any(char::is_lowercase);
        out.push(Token {
            start: s,
            end: s + word.len(),
            text: word,
            cap,
            sentence_start: *sentence_start,
        });
        *sentence_start = false;
    };
    // A literal backslash escape ("\\n", "\\t" as text, common in pasted or
    // exported text) is a line break, not the start of a word "n…".
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\'
            && text
                .get(i + 1..i + 2)
                .is_some_and(|n| matches!(n, "n" | "r" | "t"))
        {
            escaped = true;
        }
        let in_word = !escaped
            && (c.is_alphabetic()
                || (start.is_some() && (c == '\'' || c == '-' || c == '\u{2019}')));
        match (start, in_word) {
            (None, true) => {
                if let Some(gap) = text.get(prev_end..i)
                    && gap.contains(['.', '!', '?', '\n', ':', '\\'])
                {
                    sentence_start = true;
                }
                start = Some(i);
            }
            (Some(s), false) => {
                push(s, i, &mut out, &mut sentence_start);
                prev_end = i;
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push(s, text.len(), &mut out, &mut sentence_start);
    }
    out
}
