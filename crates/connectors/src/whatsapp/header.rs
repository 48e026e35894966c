//! The message header (`[DATE, TIME] ` / `DATE, TIME - `), parsed leniently into
//! numbers plus a *shape*: everything about its layout except the numbers. A file
//! has one shape; only lines with exactly that shape start a message
//! (formats.md §2.2 and §2.4 step 4).
//!
//! Grammar: `[BIDI*] ["["] DATE [SEP] TIME [AMPM] ["]"] (" - " | ": " | "; " | " ")`,
//! with TIME before DATE allowed (iOS Vietnamese) and AM/PM before the time (ko, zh).

use super::normalize::Normalized;

/// How many visible characters of a line are looked at for the header.
const HEADER_WINDOW: usize = 72;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Era {
    /// Gregorian, four digits.
    Full,
    /// Gregorian, two digits (20xx).
    Short,
    /// Thai Buddhist era (`2565 BE`): subtract 543.
    Buddhist,
    /// Japanese Reiwa (`R4` = 2022).
    Reiwa,
    /// Japanese Heisei (`H30` = 2018).
    Heisei,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Between {
    /// `DATE, TIME`
    Comma,
    /// `DATE TIME`
    Space,
    /// `DATE - TIME`
    Dash,
    /// `DATE klo TIME`, `DATE à TIME`, `DATE kl. TIME`, `DATE um TIME`
    Word(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AmPmPos {
    None,
    Before,
    After,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Terminator {
    /// `]` then a space (iOS)
    Bracket,
    /// ` - ` (Android)
    Dash,
    /// `: `
    Colon,
    /// `; `
    Semicolon,
    /// Only a space before the sender: `13. 6. 2018. 21:25:15 a: m` (one of the
    /// header layouts the npm whatsapp-chat-parser reads).
    Space,
}

/// The layout of a header, all but its numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    pub bracket: bool,
    pub time_first: bool,
    pub date_sep: char,
    /// The first date component has four digits (year first: zh, ja, ko, sv).
    pub year_first: bool,
    pub era: Era,
    pub date_trailing_dot: bool,
    pub between: Between,
    pub time_sep: char,
    pub seconds: bool,
    pub ampm: AmPmPos,
    pub terminator: Terminator,
}

/// A header as read from one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub shape: Shape,
    /// The three date numbers in written order (the era-marked one as its era number).
    pub date: [u32; 3],
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// `Some(true)` for PM, `Some(false)` for AM.
    pub pm: Option<bool>,
    /// Byte offset in the raw line where the text after the header starts.
    pub rest: usize,
    /// The last date number has one digit (`24/8/1`): it is a day, not a year,
    /// so the date is a two-digit year first (Korean Android, `yy/M/d`).
    pub last_one_digit: bool,
}

struct Cursor<'a> {
    s: Normalized<'a>,
    p: usize,
}

impl Cursor<'_> {
    fn peek(&mut self) -> Option<char> {
        self.s.get(self.p)
    }
    fn peek_at(&mut self, k: usize) -> Option<char> {
        self.s.get(self.p + k)
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.p += 1;
            true
        } else {
            false
        }
    }
    fn spaces(&mut self) -> usize {
        let start = self.p;
        while self.peek() == Some(' ') {
            self.p += 1;
        }
        self.p - start
    }
    /// 1..=max ASCII digits.
    fn number(&mut self, max: usize) -> Option<(u32, usize)> {
        let start = self.p;
        let mut value: u32 = 0;
        while let Some(c) = self.peek() {
            let Some(d) = c.to_digit(10) else { break };
            if !c.is_ascii_digit() || self.p - start >= max {
                break;
            }
            value = value * 10 + d;
            self.p += 1;
        }
        let len = self.p - start;
        if len == 0 {
            return None;
        }
        // A longer run of digits is not a date or time number.
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        Some((value, len))
    }
    /// Matches a literal (ASCII case-insensitive).
    fn literal(&mut self, lit: &str) -> bool {
        let mut k = 0;
        for lc in lit.chars() {
            match self.peek_at(k) {
                Some(c) if c == lc || (c.is_ascii() && c.eq_ignore_ascii_case(&lc)) => k += 1,
                _ => return false,
            }
        }
        self.p += k;
        true
    }
}

struct DatePart {
    nums: [u32; 3],
    sep: char,
    year_first: bool,
    era: Era,
    trailing_dot: bool,
    /// See [`Header::last_one_digit`].
    last_one_digit: bool,
}

fn parse_date(c: &mut Cursor<'_>) -> Option<DatePart> {
    let start = c.p;
    let (a, a_len) = c.number(4)?;
    if a_len == 3 {
        return None;
    }
    let sep = c.peek()?;
    if !matches!(sep, '/' | '.' | '-') {
        c.p = start;
        return None;
    }
    c.p += 1;
    c.spaces();
    let (b, _) = c.number(2)?;
    if !c.eat(sep) {
        c.p = start;
        return None;
    }
    c.spaces();
    let year_first = a_len == 4;
    let (third, era, last_one_digit) = if !year_first && c.peek() == Some('R') {
        c.p += 1;
        (c.number(2)?.0, Era::Reiwa, false)
    } else if !year_first && c.peek() == Some('H') {
        c.p += 1;
        (c.number(2)?.0, Era::Heisei, false)
    } else {
        let (v, len) = c.number(if year_first { 2 } else { 4 })?;
        let era = if year_first {
            Era::Full
        } else {
            match len {
                // `24/8/1`: only a two-digit year first writes a one-digit
                // last number (Korean Android writes `yy/M/d`).
                1 if a_len == 2 => Era::Short,
                2 => Era::Short,
                4 => Era::Full,
                _ => {
                    c.p = start;
                    return None;
                }
            }
        };
        (v, era, !year_first && len == 1)
    };
    if year_first && a_len != 4 {
        return None;
    }
    let mut era = era;
    let save = c.p;
    if c.literal(" BE") {
        era = Era::Buddhist;
    } else {
        c.p = save;
    }
    let trailing_dot = sep == '.' && c.peek() == Some('.');
    if trailing_dot {
        c.p += 1;
    }
    Some(DatePart {
        nums: [a, b, third],
        sep,
        year_first,
        era,
        trailing_dot,
        last_one_digit,
    })
}

// Day periods (the app's AM/PM word in the phone's language). Besides the
// forms seen in real exports (English, Spanish `a. m.`, Arabic `ص`/`م`, the CJK
// and Korean ones, the German and English phrases below), every locale's
// abbreviated and wide AM/PM of Unicode CLDR 39, 42 and 48 (as ICU 72.1, ICU
// 78.2 and JDK 17 print them; the space inside `a. m.` may be U+00A0 or
// U+202F, read as a space): Android formats the time with them when the phone
// is set to 12-hour time. Locales whose 12-hour pattern puts the period before
// the time (`a h:mm`: ko, tr, hu, ta, zh, ja) are in the `_BEFORE` lists; zh-Hant
// also writes its flexible periods there (凌晨 6:05, 中午 12:05, 晚上 8:05).

/// Before the time: ko, zh, zh-Hant (flexible periods too), ja, ko's `AM`/`PM`
/// (`24/8/21 PM 1:28 - `, seen in a real Korean Android export), tr, hu, ta.
const AM_BEFORE: [&str; 14] = [
    "오전",
    "上午",
    "午前",
    "凌晨",
    "清晨",
    "早上",
    "午夜",
    "AM",
    "A.M.",
    "ÖÖ",
    "öö",
    "de.",
    "முற்பகல்",
    "மு.ப",
];
const PM_BEFORE: [&str; 12] = [
    "오후",
    "下午",
    "午後",
    "中午",
    "晚上",
    "PM",
    "P.M.",
    "ÖS",
    "ös",
    "du.",
    "பிற்பகல்",
    "பி.ப",
];
/// After the time; the English day periods (`3:07 in the afternoon`) are what
/// iOS writes for some English regions (reported), the German ones
/// (`11:35 abends`) what WhatsR's German time pattern reads. `nachts` (night,
/// 0–5 h) and `12 … nachts` are AM. Longer markers come before their
/// prefixes (`a.m.` before `a.m`, `pr. p.` is not `p. m.`).
const AM_AFTER: [&str; 47] = [
    "a. m.",
    "a.m.",
    "a.m",
    "am",
    "ص",
    "上午",
    "午前",
    "오전",
    "vorm.",
    "in the morning",
    "morgens",
    "vormittags",
    "nachts",
    // CLDR: el, ms, sv, fi, cs/sl, vi, uk, bg, he, fa, is, sq, pt-PT, ta, th, lt,
    // lv, af, uz, mk, sr, kn, pa, am, tr, hu (after, in older data).
    "π.μ.",
    "πμ",
    "PG",
    "fm",
    "ap.",
    "dop.",
    "SA",
    "дп",
    "ч. пр.об.",
    "ч. am",
    "пр.об.",
    "לפנה״צ",
    "לפנה\"צ",
    "ق.ظ.",
    "قبل\u{200C}ازظهر",
    "قبلازظهر",
    "f.h.",
    "p.d.",
    "e paradites",
    "da manhã",
    "முற்பகல்",
    "ก่อนเที่ยง",
    "priešpiet",
    "pr. p.",
    "priekšpusdienā",
    "priekšp.",
    "vm.",
    "TO",
    "претпладне",
    "претпл.",
    "пре подне",
    "ಪೂರ್ವಾಹ್ನ",
    "ਪੂ.ਦੁ.",
    "ጥዋት",
];
const PM_AFTER: [&str; 47] = [
    "p. m.",
    "p.m.",
    "p.m",
    "pm",
    "م",
    "下午",
    "午後",
    "오후",
    "nachm.",
    "in the afternoon",
    "in the evening",
    "mittags",
    "nachmittags",
    "abends",
    // CLDR, as above.
    "μ.μ.",
    "μμ",
    "PTG",
    "em",
    "ip.",
    "odp.",
    "pop.",
    "CH",
    "пп",
    "ч. сл.об.",
    "ч. pm",
    "сл.об.",
    "אחה״צ",
    "אחה\"צ",
    "ب.ظ.",
    "بعدازظهر",
    "m.d.",
    "e pasdites",
    "e.h.",
    "da tarde",
    "பிற்பகல்",
    "หลังเที่ยง",
    "popiet",
    "pēcpusdienā",
    "pēcp.",
    "nm.",
    "TK",
    "попладне",
    "попл.",
    "по подне",
    "ಅಪರಾಹ್ನ",
    "ਬਾ.ਦੁ.",
    "ከሰዓት",
];
/// The English day period that is AM or PM by its hour: `11:30 at night` is
/// 23:30, `12:15 at night` 00:15 and `2:05 at night` 02:05 (night runs from 21:00
/// to 06:00).
const AT_NIGHT: &str = "at night";

struct TimePart {
    hour: u32,
    minute: u32,
    second: Option<u32>,
    sep: char,
    pm: Option<bool>,
    ampm: AmPmPos,
}

fn ampm_token(c: &mut Cursor<'_>, am: &[&str], pm: &[&str]) -> Option<bool> {
    let first = c.peek()?;
    for (list, is_pm) in [(am, false), (pm, true)] {
        for tok in list {
            // Only a marker whose first character matches can match (the test
            // `literal` applies to every character).
            let Some(t0) = tok.chars().next() else {
                continue;
            };
            if !(t0 == first || (first.is_ascii() && first.eq_ignore_ascii_case(&t0))) {
                continue;
            }
            let save = c.p;
            if c.literal(tok) {
                // An ASCII marker must not run on into a word ("amanda").
                let ascii_tail = tok.ends_with(|ch: char| ch.is_ascii_alphabetic());
                if ascii_tail && c.peek().is_some_and(|ch| ch.is_alphabetic()) {
                    c.p = save;
                    continue;
                }
                return Some(is_pm);
            }
        }
    }
    None
}

fn parse_time(c: &mut Cursor<'_>) -> Option<TimePart> {
    let start = c.p;
    let mut pm = ampm_token(c, &AM_BEFORE, &PM_BEFORE);
    let mut ampm = if pm.is_some() {
        AmPmPos::Before
    } else {
        AmPmPos::None
    };
    if pm.is_some() {
        c.spaces();
    }
    let (hour, _) = c.number(2)?;
    let sep = c.peek()?;
    if !matches!(sep, ':' | '.') {
        c.p = start;
        return None;
    }
    c.p += 1;
    let (minute, mlen) = c.number(2)?;
    if mlen != 2 {
        return None;
    }
    let mut second = None;
    if c.peek() == Some(sep) && c.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
        c.p += 1;
        let (s, slen) = c.number(2)?;
        if slen != 2 {
            return None;
        }
        second = Some(s);
    }
    if pm.is_none() {
        let save = c.p;
        c.spaces();
        match ampm_token(c, &AM_AFTER, &PM_AFTER) {
            Some(v) => {
                pm = Some(v);
                ampm = AmPmPos::After;
            }
            None if c.literal(AT_NIGHT) => {
                pm = Some((6..12).contains(&hour));
                ampm = AmPmPos::After;
            }
            None => c.p = save,
        }
    }
    Some(TimePart {
        hour,
        minute,
        second,
        sep,
        pm,
        ampm,
    })
}

const BETWEEN_WORDS: [&str; 5] = ["klo", "kl.", "à", "um", "alle"];

fn parse_between(c: &mut Cursor<'_>) -> Option<Between> {
    let save = c.p;
    if c.eat(',') {
        c.spaces();
        return Some(Between::Comma);
    }
    if c.spaces() == 0 {
        c.p = save;
        return None;
    }
    if c.eat('-') {
        if c.spaces() == 0 {
            c.p = save;
            return None;
        }
        return Some(Between::Dash);
    }
    for w in BETWEEN_WORDS {
        let at = c.p;
        if c.literal(w) && c.spaces() > 0 {
            return Some(Between::Word(w));
        }
        c.p = at;
    }
    Some(Between::Space)
}

/// Whether the first visible character of `line` can start a header: `[`, a digit
/// (ASCII or Arabic-Indic) or the first character of an AM/PM word written before
/// the time. Everything else (most continuation lines) is rejected without
/// building the normalized window.
fn may_start_header(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(b) if b.is_ascii_digit() || *b == b'[' => return true,
        Some(b) if b.is_ascii() => return false,
        None => return false,
        Some(_) => {}
    }
    let Some(c) = line.chars().find(|c| !super::normalize::is_invisible(*c)) else {
        return false;
    };
    let c = super::normalize::ascii_digit(c);
    c == '['
        || c.is_ascii_digit()
        || AM_BEFORE
            .iter()
            .chain(PM_BEFORE.iter())
            .any(|t| t.starts_with(c))
}

/// ` - ` after the time, also with more spaces before the dash (`10:36 PM  - R:`,
/// a line quoted from a real export by rwhatsapp's tests).
fn dash_terminator(c: &mut Cursor<'_>) -> bool {
    let save = c.p;
    if c.spaces() >= 1 && c.eat('-') && c.eat(' ') {
        return true;
    }
    c.p = save;
    false
}

/// A cursor at the start of `line` when its first visible character can start a
/// header ([`may_start_header`]).
fn header_cursor(line: &str) -> Option<Cursor<'_>> {
    may_start_header(line).then(|| Cursor {
        s: Normalized::lazy(line, HEADER_WINDOW),
        p: 0,
    })
}

/// Parses the header at the start of `line`, if it has one.
pub fn parse(line: &str) -> Option<Header> {
    let mut c = header_cursor(line)?;
    let bracket = c.eat('[');
    let body_start = c.p;

    let mut time_first = false;
    let parts = (|| {
        let date = parse_date(&mut c)?;
        let between = parse_between(&mut c)?;
        let time = parse_time(&mut c)?;
        Some((date, between, time))
    })();
    let (date, between, time) = match parts {
        Some(p) => p,
        None => {
            c.p = body_start;
            time_first = true;
            let time = parse_time(&mut c)?;
            let between = parse_between(&mut c)?;
            let date = parse_date(&mut c)?;
            (date, between, time)
        }
    };
    let terminator = if bracket {
        c.spaces();
        if !c.eat(']') {
            return None;
        }
        c.eat(' ');
        Terminator::Bracket
    } else if dash_terminator(&mut c) {
        Terminator::Dash
    } else if c.literal(": ") {
        Terminator::Colon
    } else if c.literal("; ") {
        Terminator::Semicolon
    } else if c.eat(' ') && c.peek().is_some_and(|ch| !ch.is_whitespace() && ch != '-') {
        Terminator::Space
    } else {
        return None;
    };
    let shape = Shape {
        bracket,
        time_first,
        date_sep: date.sep,
        year_first: date.year_first,
        era: date.era,
        date_trailing_dot: date.trailing_dot,
        between,
        time_sep: time.sep,
        seconds: time.second.is_some(),
        ampm: time.ampm,
        terminator,
    };
    if time.minute > 59 || time.second.unwrap_or(0) > 60 {
        return None;
    }
    // A 24-hour time that also carries a marker (`23:59 PM`, seen in real
    // exports) is still a header: rejecting it would merge the message into the
    // one before. [`Header::hour24`] reads it on the 24-hour clock.
    let hour_ok = if time.pm.is_some() {
        time.hour <= 23
    } else {
        time.hour <= 24
    };
    if !hour_ok {
        return None;
    }
    let rest = c.s.raw_offset(c.p);
    // With only a space before the sender, a line of a log or a note that starts
    // with a date would read as a header: taken only with the day or month first
    // (logs write the year first) and a `Name: ` after it.
    if terminator == Terminator::Space {
        let window = line
            .as_bytes()
            .get(rest..)
            .and_then(|r| r.get(..r.len().min(SPACE_SENDER_BYTES)))
            .unwrap_or_default();
        let colon = memchr::memmem::find(window, b": ");
        // `2:22 μ.μ. - Νίκος: Γεια`: a dash header whose day period this reader
        // does not know. Read as a space header, the time would silently lose
        // its period and the sender gain it; no header is the honest answer.
        let dash_first = memchr::memmem::find(window, b" - ")
            .is_some_and(|dash| colon.is_none_or(|colon| dash < colon));
        if date.year_first || colon.is_none() || dash_first {
            return None;
        }
    }
    Some(Header {
        shape,
        date: date.nums,
        hour: time.hour,
        minute: time.minute,
        second: time.second.unwrap_or(0),
        pm: time.pm,
        rest,
        last_one_digit: date.last_one_digit,
    })
}

/// Longest word (in characters) taken for an unknown day period.
const DAY_PERIOD_CHARS: usize = 24;

/// The word after the time of a line that would be a header but for it: a day
/// period (the app's AM/PM word in the phone's language) this reader does not
/// know, followed by ` - ` or, in brackets, by `]` (`12/3/2020, 2:22 xq.x. - A: b`
/// gives `xq.x.`). For an error that names it instead of "no header".
pub fn unknown_day_period(line: &str) -> Option<String> {
    let mut c = header_cursor(line)?;
    let bracket = c.eat('[');
    parse_date(&mut c)?;
    parse_between(&mut c)?;
    let time = parse_time(&mut c)?;
    if time.pm.is_some() || c.spaces() == 0 {
        return None;
    }
    let mut word = String::new();
    for taken in 0..=DAY_PERIOD_CHARS {
        let at = c.p;
        let ends = if bracket {
            c.peek() == Some(']')
        } else {
            dash_terminator(&mut c)
        };
        if ends {
            break;
        }
        c.p = at;
        let ch = c.peek()?;
        if ch.is_ascii_digit() || ch == ':' || taken == DAY_PERIOD_CHARS {
            return None;
        }
        word.push(ch);
        c.p += 1;
    }
    let word = word.trim();
    word.chars()
        .any(char::is_alphabetic)
        .then(|| word.to_owned())
}

/// How far after a space-terminated header the sender's `": "` must come.
const SPACE_SENDER_BYTES: usize = 128;

/// What a line's start is, for a file of a given header shape.
#[derive(Debug, PartialEq, Eq)]
pub enum LineStart {
    /// A header of the file's shape: a message starts here.
    Header(Header),
    /// A header of another layout (text of the message before it).
    OtherLayout,
    /// No header.
    Text,
}

/// Reads the start of `line` for a file of header shape `shape`: a header of
/// that shape exactly when `parse(line)` gives one, with a byte-level fast path
/// for the common layouts (verified against [`parse`] in debug builds).
pub fn line_start(line: &str, shape: &Shape) -> LineStart {
    if let Some(h) = fast(line.as_bytes(), shape) {
        debug_assert_eq!(
            parse(line).filter(|g| g.shape == *shape).as_ref(),
            Some(&h),
            "header fast path disagrees on {line:?}"
        );
        return LineStart::Header(h);
    }
    match parse(line) {
        Some(h) if h.shape == *shape => LineStart::Header(h),
        Some(_) => LineStart::OtherLayout,
        None => LineStart::Text,
    }
}

/// Parses the header at the start of `line` when it has the file's `shape`:
/// exactly `parse(line).filter(|h| h.shape == *shape)` ([`line_start`]).
pub fn parse_for(line: &str, shape: &Shape) -> Option<Header> {
    match line_start(line, shape) {
        LineStart::Header(h) => Some(h),
        LineStart::OtherLayout | LineStart::Text => None,
    }
}

/// A byte cursor over a header: ASCII only, except that the odd spaces
/// (U+00A0, U+202F, U+2009) stand for a plain space as [`Normalized`] makes them.
/// Anything else non-ASCII (invisible marks, other digits, the Arabic comma)
/// ends the fast path: the general parser decides.
struct Bytes<'a> {
    b: &'a [u8],
    p: usize,
}

impl Bytes<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.p).copied()
    }
    /// The length of an odd space at the cursor, if one is there.
    fn odd_space(&self) -> Option<usize> {
        match self.b.get(self.p..self.p + 2)? {
            [0xC2, 0xA0] => Some(2),
            [0xE2, 0x80] => match self.b.get(self.p + 2)? {
                0xAF | 0x89 => Some(3),
                _ => None,
            },
            _ => None,
        }
    }
    /// Skips plain and odd spaces; how many.
    fn spaces(&mut self) -> usize {
        let mut n = 0;
        loop {
            if self.peek() == Some(b' ') {
                self.p += 1;
            } else if let Some(k) = self.odd_space() {
                self.p += k;
            } else {
                return n;
            }
            n += 1;
        }
    }
    /// One space (plain or odd).
    fn space(&mut self) -> bool {
        if self.peek() == Some(b' ') {
            self.p += 1;
            true
        } else if let Some(k) = self.odd_space() {
            self.p += k;
            true
        } else {
            false
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.p += 1;
            true
        } else {
            false
        }
    }
    /// 1..=max ASCII digits ending at a non-digit, as [`Cursor::number`]; `None`
    /// also when a non-ASCII byte follows (it may be a digit there).
    fn number(&mut self, max: usize) -> Option<(u32, usize)> {
        let start = self.p;
        let mut value = 0u32;
        while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
            if self.p - start >= max {
                return None;
            }
            value = value * 10 + u32::from(d - b'0');
            self.p += 1;
        }
        let len = self.p - start;
        if len == 0 || (self.peek().is_some_and(|b| b >= 0x80) && self.odd_space().is_none()) {
            return None;
        }
        Some((value, len))
    }
}

/// The fast path of [`parse_for`]: `Some` only when sure the general parser
/// gives the same header; `None` means "ask the general parser".
fn fast(line: &[u8], shape: &Shape) -> Option<Header> {
    if shape.time_first
        || shape.ampm == AmPmPos::Before
        || matches!(shape.between, Between::Word(_))
        || matches!(shape.era, Era::Reiwa | Era::Heisei | Era::Buddhist)
        || !shape.date_sep.is_ascii()
        || !shape.time_sep.is_ascii()
    {
        return None;
    }
    let mut c = Bytes { b: line, p: 0 };
    if c.eat(b'[') != shape.bracket {
        return None;
    }
    // Date.
    let (a, a_len) = c.number(4)?;
    if a_len == 3 || (a_len == 4) != shape.year_first {
        return None;
    }
    let sep = shape.date_sep as u8;
    if !c.eat(sep) {
        return None;
    }
    c.spaces();
    let (b, _) = c.number(2)?;
    if !c.eat(sep) {
        return None;
    }
    c.spaces();
    if matches!(c.peek(), Some(b'R' | b'H')) {
        return None;
    }
    let (third, len) = c.number(if shape.year_first { 2 } else { 4 })?;
    let era = if shape.year_first {
        Era::Full
    } else {
        match len {
            2 => Era::Short,
            4 => Era::Full,
            _ => return None,
        }
    };
    if era != shape.era {
        return None;
    }
    // " BE" (any case, any space) would make a Buddhist year.
    let save = c.p;
    if c.space() && matches!(c.peek(), Some(b'B' | b'b')) {
        return None;
    }
    c.p = save;
    let trailing_dot = sep == b'.' && c.eat(b'.');
    if trailing_dot != shape.date_trailing_dot {
        return None;
    }
    // Between date and time.
    let between = if c.eat(b',') {
        c.spaces();
        Between::Comma
    } else {
        if c.spaces() == 0 {
            return None;
        }
        if c.eat(b'-') {
            if c.spaces() == 0 {
                return None;
            }
            Between::Dash
        } else {
            Between::Space
        }
    };
    if between != shape.between || !c.peek().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    // Time.
    let (hour, _) = c.number(2)?;
    let tsep = shape.time_sep as u8;
    if !c.eat(tsep) {
        return None;
    }
    let (minute, mlen) = c.number(2)?;
    if mlen != 2 {
        return None;
    }
    let mut second = None;
    if c.peek() == Some(tsep) {
        match c.b.get(c.p + 1) {
            Some(d) if d.is_ascii_digit() => {
                c.p += 1;
                let (s, slen) = c.number(2)?;
                if slen != 2 {
                    return None;
                }
                second = Some(s);
            }
            Some(d) if *d >= 0x80 => return None,
            _ => {}
        }
    }
    if second.is_some() != shape.seconds {
        return None;
    }
    // AM/PM after the time: only a plain `AM` / `PM` (any case) is read here.
    let save = c.p;
    c.spaces();
    let pm = match c.peek() {
        Some(x) if x >= 0x80 => return None,
        Some(b'a' | b'A' | b'p' | b'P') => {
            let is_pm = matches!(c.peek(), Some(b'p' | b'P'));
            if !matches!(c.b.get(c.p + 1), Some(b'm' | b'M')) {
                return None;
            }
            match c.b.get(c.p + 2) {
                Some(x) if *x >= 0x80 || x.is_ascii_alphabetic() => return None,
                _ => {}
            }
            c.p += 2;
            Some(is_pm)
        }
        Some(b'v' | b'V' | b'n' | b'N') => return None,
        _ => {
            c.p = save;
            None
        }
    };
    let ampm = if pm.is_some() {
        AmPmPos::After
    } else {
        AmPmPos::None
    };
    if ampm != shape.ampm {
        return None;
    }
    // Terminator.
    let ok = match shape.terminator {
        Terminator::Bracket => {
            c.spaces();
            if !c.eat(b']') {
                return None;
            }
            c.space();
            true
        }
        Terminator::Dash => c.spaces() >= 1 && c.eat(b'-') && c.space(),
        Terminator::Colon => c.eat(b':') && c.space(),
        Terminator::Semicolon => c.eat(b';') && c.space(),
        // Left to the general parser.
        Terminator::Space => return None,
    };
    if !ok || shape.bracket != (shape.terminator == Terminator::Bracket) {
        return None;
    }
    // The text after the header starts at the next visible character: an
    // invisible mark there (or a too long header) is left to the general parser.
    if c.peek().is_some_and(|b| b >= 0x80) || c.p > 64 {
        return None;
    }
    if minute > 59 || second.unwrap_or(0) > 60 {
        return None;
    }
    if hour > if pm.is_some() { 23 } else { 24 } {
        return None;
    }
    Some(Header {
        shape: *shape,
        date: [a, b, third],
        hour,
        minute,
        second: second.unwrap_or(0),
        pm,
        rest: c.p,
        last_one_digit: false,
    })
}

impl Header {
    /// The hour on a 24-hour clock. `0:24 PM` is read as 12:24 (formats.md §2.3);
    /// an hour above 12 is already on the 24-hour clock, whatever its marker says
    /// (`23:59 PM` is 23:59, `13:05 AM` 13:05).
    pub fn hour24(&self) -> u32 {
        match self.pm {
            None => self.hour % 24,
            Some(_) if self.hour > 12 => self.hour % 24,
            Some(false) => self.hour % 12,
            Some(true) => (self.hour % 12) + 12,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::DateOrder;

    fn h(line: &str) -> Header {
        parse(line).unwrap_or_else(|| panic!("no header in {line:?}"))
    }

    #[test]
    fn android_variants() {
        let x = h("18/03/2022, 15:10 - Dmitry S: hi");
        assert_eq!(x.date, [18, 3, 2022]);
        assert_eq!((x.hour24(), x.minute), (15, 10));
        assert_eq!(x.shape.terminator, Terminator::Dash);
        assert_eq!(
            &"18/03/2022, 15:10 - Dmitry S: hi"[x.rest..],
            "Dmitry S: hi"
        );

        let x = h("1/4/23, 7:02\u{202F}PM - Ann: yo");
        assert_eq!((x.hour24(), x.shape.ampm), (19, AmPmPos::After));
        let x = h("1/29/18, 0:24 PM - Ann: yo");
        assert_eq!(x.hour24(), 12);
        // A 24-hour time with a marker anyway (real exports): the hour as written.
        for (line, hour) in [
            ("1/29/18, 23:59 PM - Bob: x", 23),
            ("1/29/18, 13:05 PM - Bob: x", 13),
            ("1/29/18, 13:05 AM - Bob: x", 13),
            ("1/30/18, 00:04 AM - Bob: x", 0),
        ] {
            assert_eq!(h(line).hour24(), hour, "{line}");
            assert_eq!(
                parse_for(line, &h(line).shape).map(|x| x.hour24()),
                Some(hour),
                "{line}"
            );
        }
        assert!(parse("1/29/18, 24:05 PM - Bob: x").is_none());
        let x = h("03/06/2023, 6:12\u{202F}am - author: x");
        assert_eq!(x.hour24(), 6);
        let x = h("18.03.22 15:10 - a: b");
        assert_eq!(
            (x.shape.date_sep, x.shape.between, x.shape.era),
            ('.', Between::Space, Era::Short)
        );
        let x = h("18-03-2022 15:10 - a: b");
        assert_eq!(x.shape.date_sep, '-');
        let x = h("3/6/2018 1:55 p.\u{00A0}m. - a: b");
        assert_eq!(x.hour24(), 13);
        let x = h("3/6/18, 1:55 a.m. - a: b");
        assert_eq!(x.hour24(), 1);
    }

    #[test]
    fn ios_variants() {
        let x = h("[3/27/22, 21:41:55] Dmitry S: hi");
        assert_eq!(
            (x.second, x.shape.bracket, x.shape.seconds),
            (55, true, true)
        );
        let x = h("\u{FEFF}[3/27/22 21.41.55] a: b");
        assert_eq!((x.shape.time_sep, x.shape.between), ('.', Between::Space));
        let x = h("[21:41:55, 3/27/22] a: b");
        assert!(x.shape.time_first);
        assert_eq!(x.date, [3, 27, 22]);
        let x = h("[3/18/2565 BE, 14:56:01] a: b");
        assert_eq!(x.shape.era, Era::Buddhist);
        let x = h("[3/18/R4, 14:56:01] a: b");
        assert_eq!((x.shape.era, x.date[2]), (Era::Reiwa, 4));
        let x =
            h("\u{200F}[٢٧\u{200F}/٣\u{200F}/٢٠٢٢، ٩:٥٤:٥٥\u{00A0}م] \u{202A}+40 521\u{202C}: x");
        assert_eq!(
            (x.date, x.hour24(), x.minute, x.second),
            ([27, 3, 2022], 21, 54, 55)
        );
        let x = h("[2024/01/02 오후 03:06] a: b");
        assert_eq!(
            (x.shape.year_first, x.shape.ampm, x.hour24()),
            (true, AmPmPos::Before, 15)
        );
        let x = h("[1/15/24, 9:41:07\u{202F}PM] a: b");
        assert_eq!(x.hour24(), 21);
        let x = h("[3/6/18 1:55:00 p. m.] a: b");
        assert_eq!(x.hour24(), 13);
        // More than one space before the dash.
        let line = "13.07.17, 10:36 PM  - R: Yes, it was";
        let x = h(line);
        assert_eq!((x.shape.terminator, x.hour24()), (Terminator::Dash, 22));
        assert_eq!(&line[x.rest..], "R: Yes, it was");
        assert_eq!(parse_for(line, &x.shape), Some(x));
        // Day periods instead of AM/PM: German (Android and iOS layouts), English.
        for (line, hour) in [
            ("29.01.18, 11:35 abends - a: b", 23),
            ("29.01.18, 1:35 mittags - a: b", 13),
            ("29.01.18, 3:10 nachmittags - a: b", 15),
            ("29.01.18, 7:05 morgens - a: b", 7),
            ("29.01.18, 10:05 vormittags - a: b", 10),
            ("29.01.18, 12:20 nachts - a: b", 0),
            ("29.01.18, 2:20 nachts - a: b", 2),
            ("[29.01.18, 11:35:03 abends] a: b", 23),
            ("[18/03/2024, 10:10:00 in the morning] a: b", 10),
            ("[18/03/2024, 3:07:00 in the afternoon] a: b", 15),
            ("[18/03/2024, 12:30:00 in the afternoon] a: b", 12),
            ("[18/03/2024, 7:45:00 in the evening] a: b", 19),
            ("[18/03/2024, 11:30:00 at night] a: b", 23),
            ("[18/03/2024, 12:15:00 at night] a: b", 0),
            ("[18/03/2024, 2:05:00 at night] a: b", 2),
        ] {
            let x = h(line);
            assert_eq!((x.hour24(), x.shape.ampm), (hour, AmPmPos::After), "{line}");
            assert_eq!(&line[x.rest..], "a: b", "{line}");
        }
    }

    /// Every CLDR day period in the tables, at 2:22 (AM: 2, PM: 14) and at 12:05
    /// (AM: 0, PM: 12), after the time in an Android header and (for the
    /// locales whose 12-hour pattern puts it there) before it; U+202F or U+00A0
    /// before and inside the period as CLDR 42+ writes it.
    #[test]
    fn cldr_day_periods_in_every_table() {
        for (list, pm) in [(&AM_AFTER[..], false), (&PM_AFTER[..], true)] {
            for marker in list {
                for (clock, hour) in [("2:22", 2), ("12:05", 0)] {
                    let want = hour + if pm { 12 } else { 0 };
                    for space in [" ", "\u{202F}", "\u{00A0}"] {
                        let line = format!("12/3/2020, {clock}{space}{marker} - Νίκος: Γεια");
                        let x = h(&line);
                        assert_eq!(
                            (x.hour24(), x.shape.ampm, &line[x.rest..]),
                            (want, AmPmPos::After, "Νίκος: Γεια"),
                            "{line}"
                        );
                    }
                }
            }
        }
        for (list, pm) in [(&AM_BEFORE[..], false), (&PM_BEFORE[..], true)] {
            for marker in list {
                for (clock, hour) in [("2:22", 2), ("12:05", 0)] {
                    let want = hour + if pm { 12 } else { 0 };
                    for line in [
                        format!("24/8/21 {marker} {clock} - 민수: 안녕"),
                        format!("2020/3/12 {marker}{clock} - 張: 你好"),
                        format!("2020. 03. 12. {marker}\u{202F}{clock} - Marek: szia"),
                    ] {
                        let x = h(&line);
                        assert_eq!(
                            (x.hour24(), x.shape.ampm),
                            (want, AmPmPos::Before),
                            "{line}"
                        );
                    }
                }
            }
        }
        // Spellings inside a period: Spanish/Catalan with U+202F or U+00A0
        // between the letters, Hebrew with gershayim or an ASCII quote, Persian
        // with or without the zero-width non-joiner.
        for (line, hour) in [
            ("12/3/20, 2:22\u{202F}p.\u{202F}m. - a: b", 14),
            ("12/3/20, 9:23\u{00A0}a.\u{00A0}m. - a: b", 9),
            ("12.3.2020, 2:22 אחה\"צ - a: b", 14),
            ("12/3/2020, 9:23 قبل\u{200C}ازظهر - a: b", 9),
            ("12/3/2020, 9:23 قبلازظهر - a: b", 9),
            ("[12.3.2020, 2:22:05 μ.μ.] a: b", 14),
            ("1.04.2020 ÖS 1:45 - a: b", 13),
            ("2020/3/14 午夜12:05 - a: b", 0),
            ("2020/3/13 中午12:05 - a: b", 12),
        ] {
            assert_eq!(h(line).hour24(), hour, "{line}");
        }
    }

    /// Header layouts quoted from real Persian and Arabic Android exports (an
    /// rwhatsapp issue; a real Arabic export): Gregorian years in Persian or
    /// Arabic-Indic digits, the Arabic comma, RLM after the day and month.
    #[test]
    fn real_persian_and_arabic_android_headers() {
        let x = h("۲۰۲۱/۵/۳۰، ۱۸:۴۴ - Sattar-b: سلام");
        assert_eq!((x.date, x.hour24(), x.minute), ([2021, 5, 30], 18, 44));
        assert!(x.shape.year_first);
        let x = h("٢٤\u{200F}/٤\u{200F}/٢٠٢٢، ٢:٠٧ م - Name: مرحبا");
        assert_eq!((x.date, x.hour24(), x.minute), ([24, 4, 2022], 14, 7));
    }

    /// Korean Android writes `yy/M/d`: a one-digit last number is a day, and the
    /// header is still one (it was text before, merging the message into the
    /// one before it).
    #[test]
    fn one_digit_last_number_is_a_day() {
        let x = h("24/8/1 AM 1:00 - kEn: hi");
        assert_eq!((x.date, x.last_one_digit), ([24, 8, 1], true));
        assert_eq!(x.shape, h("24/8/21 AM 1:00 - kEn: hi").shape);
        assert!(!h("24/8/21 AM 1:00 - kEn: hi").last_one_digit);
        // Read year last it is no date; year first it is 2024-08-01.
        use super::super::dates::local_time;
        assert_eq!(local_time(&x, DateOrder::Dmy), None);
        assert_eq!(local_time(&x, DateOrder::Mdy), None);
        assert_eq!(
            local_time(&x, DateOrder::Ymd).map(|t| t.to_string()),
            Some("2024-08-01T01:00:00".to_owned())
        );
        // A one-digit first number with a one-digit last is no header layout.
        assert!(parse("4/8/1 1:00 - kEn: hi").is_none());
    }

    #[test]
    fn other_locales() {
        let x = h("13.6.2018 klo 21.25.15 - a: b");
        assert_eq!(
            (x.shape.between, x.shape.time_sep),
            (Between::Word("klo"), '.')
        );
        let x = h("12/07/2017 à 22:35 - a: b");
        assert_eq!(x.shape.between, Between::Word("à"));
        let x = h("12.07.2017 - 22:35:22; a: b");
        assert_eq!(
            (x.shape.between, x.shape.terminator),
            (Between::Dash, Terminator::Semicolon)
        );
        let x = h("12.07.2017, 22:35:22: a: b");
        assert_eq!(x.shape.terminator, Terminator::Colon);
        let x = h("13. 6. 2018. 21:25:15 a: m");
        assert_eq!(
            (x.shape.terminator, x.hour24(), x.date),
            (Terminator::Space, 21, [13, 6, 2018])
        );
        assert_eq!(&"13. 6. 2018. 21:25:15 a: m"[x.rest..], "a: m");
        let x = h("13-06-18 21:25 Bob: hi");
        assert_eq!(x.shape.terminator, Terminator::Space);
        // A dash stays a dash terminator; two spaces or nothing after are no header.
        assert_eq!(
            h("13-06-18 21:25 - Bob: hi").shape.terminator,
            Terminator::Dash
        );
        assert!(parse("13-06-18 21:25  Bob: hi").is_none());
        // The sender's `": "` must come within the bound, also when the bound
        // falls inside a character (`é` across byte 128).
        let far = format!("13-06-18 21:25 {}é: x", "a".repeat(SPACE_SENDER_BYTES - 1));
        assert!(parse(&far).is_none());
        let near = format!("13-06-18 21:25 {}é: x", "a".repeat(SPACE_SENDER_BYTES - 6));
        assert!(parse(&near).is_some());
        assert!(parse("13-06-18 21:25").is_none());
        // An unknown word before ` - ` is not a space-terminated sender: the
        // line is a dash header with a day period this reader does not know.
        assert!(parse("12/3/2020, 2:22 xq.x. - Bob: hi").is_none());
        assert!(parse("12/3/2020, 2:22 xq - Bob: hi").is_none());
        assert_eq!(
            unknown_day_period("12/3/2020, 2:22 xq.x. - Bob: hi").as_deref(),
            Some("xq.x.")
        );
        assert_eq!(
            unknown_day_period("[12/3/2020, 2:22:05 xq.x.] Bob: hi").as_deref(),
            Some("xq.x.")
        );
        // A known period, no word, or a word with digits: none.
        assert_eq!(unknown_day_period("12/3/2020, 2:22 PM - Bob: hi"), None);
        assert_eq!(unknown_day_period("12/3/2020, 2:22 - Bob: hi"), None);
        assert_eq!(unknown_day_period("12/3/2020, 2:22 v2 - Bob: hi"), None);
        assert_eq!(unknown_day_period("hello - Bob: hi"), None);
        let x = h("13-06-18 21:25 Bob: hi - see below");
        assert_eq!(x.shape.terminator, Terminator::Space);
        let x = h("02/01/2024 03:04 下午 - a: b");
        assert_eq!(x.hour24(), 15);
        let x = h("13. 6. 2018. 21:25:15 - a: b");
        assert!(x.shape.date_trailing_dot);
    }

    #[test]
    fn header_start_check_agrees_with_the_parser() {
        for line in [
            "\u{200E}[1/2/23, 10:00] a: b",
            "\u{FEFF}1/2/23, 10:00 - a: b",
            "\u{0661}/\u{0662}/23, 10:00 - a: b",
            "오후 3:06, 2024/01/02 - a: b",
        ] {
            assert!(may_start_header(line), "{line:?}");
        }
        for line in [
            "",
            "hello",
            " 1/2/23, 10:00 - a: b",
            "\u{00A0}[1/2/23, 10:00] a: b",
            "é",
        ] {
            assert!(!may_start_header(line), "{line:?}");
            assert!(parse(line).is_none(), "{line:?}");
        }
    }

    /// The fast path answers for the common layouts (and agrees with the
    /// general parser); it leaves the rest to it.
    #[test]
    fn fast_path_takes_common_layouts_and_agrees() {
        for line in [
            "1/4/23, 7:02\u{202F}PM - Ann: yo",
            "1/29/18, 0:24 PM - Ann: yo",
            "18/03/2022, 15:10 - Dmitry S: hi",
            "18.03.22 15:10 - a: b",
            "18-03-2022 15:10 - a: b",
            "[3/27/22, 21:41:55] Dmitry S: hi",
            "[3/27/22 21.41.55] a: b",
            "[1/15/24, 9:41:07\u{202F}PM] a: b",
            "12.07.2017 - 22:35:22; a: b",
            "12.07.2017, 22:35:22: a: b",
            "13. 6. 2018. 21:25:15 - a: b",
            "2024-01-02 03:04 - a: b",
            "1/4/23, 7:02\u{00A0}am - ",
            "1/4/23, 7:02 am -\u{2009}x",
        ] {
            let general = parse(line).unwrap_or_else(|| panic!("{line:?}"));
            assert_eq!(
                fast(line.as_bytes(), &general.shape),
                Some(general.clone()),
                "{line:?}"
            );
            assert_eq!(parse_for(line, &general.shape), Some(general), "{line:?}");
        }
        // Left to the general parser: marks, other digits, other AM/PM words.
        let shape = h("1/4/23, 7:02 PM - a: b").shape;
        for line in [
            "\u{200E}1/4/23, 7:02 PM - a: b",
            "1/4/23, 7:02 PM - \u{200E}a: b",
            "1/\u{0664}/23, 7:02 PM - a: b",
            "1/4/23, 7:02 p.m. - a: b",
            "1/4/23, 7:02 PMx - a: b",
        ] {
            assert_eq!(fast(line.as_bytes(), &shape), None, "{line:?}");
            assert_eq!(
                parse_for(line, &shape),
                parse(line).filter(|g| g.shape == shape),
                "{line:?}"
            );
        }
    }

    #[test]
    fn non_headers() {
        for line in [
            "",
            "hello",
            "2016-04-29 10:30:00 is when",
            "12/12/2020 was a day",
            "12/12/2020 10:00 was a day",
            "2024-01-01 10:00:00 worker: started",
            "[1/2/3] x",
            "1/2/23, 25:00 - a: b",
            "1/2/23, 10:61 - a: b",
            "123/2/23, 10:00 - a: b",
        ] {
            assert!(parse(line).is_none(), "{line:?}");
        }
    }
}
