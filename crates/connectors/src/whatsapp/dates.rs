//! Turning header numbers into dates and instants: the per-file day/month order
//! inference (formats.md §2.4), years (two digits = 20xx, Buddhist and Japanese
//! eras), and the zone with explicit DST gap/fold handling.

use super::header::{Era, Header};
use crate::options::DateOrder;
use chatwarden_model::TimeSource;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};

/// Statistics over every header date of a file, gathered in one pass.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DateStats {
    count: u64,
    max_first: u32,
    max_second: u32,
    /// The first date added (to merge statistics of consecutive parts of a file).
    first: Option<(u32, u32, u32)>,
    prev: Option<(u32, u32, u32)>,
    dec_first: u64,
    dec_second: u64,
    delta_first: u64,
    delta_second: u64,
    /// Over every step (across years too): how often the first and the last
    /// number changed, the last went back, and only the last changed.
    changed_first: u64,
    changed_last: u64,
    dec_last: u64,
    last_only: u64,
    /// Headers whose last number has one digit (a day, so year first).
    one_digit_last: u64,
}

/// How the date order was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderReason {
    Override,
    YearFirst,
    Above12,
    Monotonic,
    ChangeFrequency,
    /// Nothing told: day first assumed.
    Ambiguous,
    /// Nothing told, but the file is WhatsApp Web's `chat.txt`, which always
    /// writes month first.
    Web,
    /// Two-digit year first (`21-03-25`): the first number never changes or
    /// goes back while the last goes back (a new month) or changes alone.
    ShortYearFirst,
    /// Two-digit year first, certainly: a last number written with one digit
    /// (`24/8/1`, Korean Android) is a day, never a year.
    OneDigitLast,
}

impl DateStats {
    /// Adds one header's date numbers (written order; year last).
    pub fn add(&mut self, nums: [u32; 3], last_one_digit: bool) {
        let [a, b, y] = nums;
        self.count += 1;
        self.one_digit_last += u64::from(last_one_digit);
        self.max_first = self.max_first.max(a);
        self.max_second = self.max_second.max(b);
        if let Some(prev) = self.prev {
            self.step(prev, (a, b, y));
        } else {
            self.first = Some((a, b, y));
        }
        self.prev = Some((a, b, y));
    }

    /// Counts the step between two consecutive dates.
    fn step(&mut self, (pa, pb, py): (u32, u32, u32), (a, b, y): (u32, u32, u32)) {
        self.changed_first += u64::from(a != pa);
        self.changed_last += u64::from(y != py);
        self.dec_last += u64::from(y < py);
        self.last_only += u64::from(a == pa && b == pb && y != py);
        if py != y {
            return;
        }
        if a < pa {
            self.dec_first += 1;
        }
        if b < pb {
            self.dec_second += 1;
        }
        self.delta_first += u64::from(a.abs_diff(pa));
        self.delta_second += u64::from(b.abs_diff(pb));
    }

    /// Adds the statistics of the part of the file that follows this one: the
    /// result is what one pass over both parts in order would have gathered.
    pub fn merge(&mut self, next: &DateStats) {
        if let (Some(prev), Some(first)) = (self.prev, next.first) {
            self.step(prev, first);
        }
        if self.first.is_none() {
            self.first = next.first;
        }
        if next.prev.is_some() {
            self.prev = next.prev;
        }
        self.count += next.count;
        self.max_first = self.max_first.max(next.max_first);
        self.max_second = self.max_second.max(next.max_second);
        self.dec_first += next.dec_first;
        self.dec_second += next.dec_second;
        self.delta_first += next.delta_first;
        self.delta_second += next.delta_second;
        self.changed_first += next.changed_first;
        self.changed_last += next.changed_last;
        self.dec_last += next.dec_last;
        self.last_only += next.last_only;
        self.one_digit_last += next.one_digit_last;
    }

    /// Whether some header's last number has one digit (so the year is first).
    pub fn one_digit_last(&self) -> bool {
        self.one_digit_last > 0
    }

    /// Whether a file whose numbers all have two digits writes the year first
    /// (`yy-mm-dd`): its first number (the year) never goes back and changes
    /// less often than its last (the day), and the last goes back (a new month)
    /// or, more than once and in most steps, changes alone. Read year last, the
    /// same file would have years that go back or step by one from message to
    /// message on the same day and month.
    pub fn short_year_first(&self) -> bool {
        let steps = self.count.saturating_sub(1);
        self.dec_first == 0
            && self.changed_last > self.changed_first
            && (self.dec_last > 0 || (self.last_only >= 3 && self.last_only * 2 > steps))
    }

    /// Decides day/month order for a year-last file: the > 12 rule, then
    /// monotonicity within a year (months never go back), then which component
    /// changes more often (the day).
    pub fn decide(&self) -> (DateOrder, OrderReason) {
        let a_big = self.max_first > 12;
        let b_big = self.max_second > 12;
        match (a_big, b_big) {
            (true, false) => return (DateOrder::Dmy, OrderReason::Above12),
            (false, true) => return (DateOrder::Mdy, OrderReason::Above12),
            _ => {}
        }
        if self.dec_first > 0 && self.dec_second == 0 {
            return (DateOrder::Dmy, OrderReason::Monotonic);
        }
        if self.dec_second > 0 && self.dec_first == 0 {
            return (DateOrder::Mdy, OrderReason::Monotonic);
        }
        if self.delta_first > self.delta_second {
            return (DateOrder::Dmy, OrderReason::ChangeFrequency);
        }
        if self.delta_second > self.delta_first {
            return (DateOrder::Mdy, OrderReason::ChangeFrequency);
        }
        (DateOrder::Dmy, OrderReason::Ambiguous)
    }
}

/// Four-digit years from here on are Buddhist-era years written without iOS's
/// `BE` (CLDR's default calendar for Thai is the Buddhist one, in which 2020 is
/// 2563): no chat is dated in the 25th century.
const BUDDHIST_YEARS_FROM: u32 = 2400;

fn full_year(y: u32, era: Era) -> Option<i16> {
    let year = match era {
        Era::Full if y >= BUDDHIST_YEARS_FROM => y.checked_sub(543)?,
        Era::Full => y,
        Era::Short => 2000 + y,
        Era::Buddhist => y.checked_sub(543)?,
        Era::Reiwa => 2018 + y,
        Era::Heisei => 1988 + y,
    };
    i16::try_from(year).ok()
}

/// The wall-clock time a header states, or `None` if it names no real date.
pub fn local_time(h: &Header, order: DateOrder) -> Option<DateTime> {
    // A one-digit last number is a day: no real date reads it as a year.
    if h.last_one_digit && order != DateOrder::Ymd {
        return None;
    }
    let [a, b, c] = h.date;
    let (y, m, d) = if h.shape.year_first {
        (a, b, c)
    } else {
        match order {
            DateOrder::Dmy => (c, b, a),
            DateOrder::Mdy => (c, a, b),
            DateOrder::Ymd => (a, b, c),
        }
    };
    let era = if h.shape.year_first || order != DateOrder::Ymd {
        h.shape.era
    } else if a < 100 {
        Era::Short
    } else {
        Era::Full
    };
    let year = full_year(y, era)?;
    let date = Date::new(year, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()?;
    let hour = h.hour24();
    // `24:00` is read as the last instant's next minute is not representable: reject.
    if hour > 23 {
        return None;
    }
    let sec = h.second.min(59);
    date.at(
        i8::try_from(hour).ok()?,
        i8::try_from(h.minute).ok()?,
        i8::try_from(sec).ok()?,
        0,
    )
    .into()
}

/// What happened when a wall-clock time was placed in a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    Exact,
    /// The time fell in a DST gap (skipped hour): moved forward by the gap.
    Gap,
    /// The time occurred twice (DST fall-back): the earlier instant taken.
    Fold,
}

/// The instant of a wall-clock time: in `tz` when given (gap: shifted forward;
/// fold: the earlier instant), else read as UTC.
pub fn instant(dt: DateTime, tz: Option<&TimeZone>) -> Option<(Timestamp, TimeSource, Placement)> {
    match tz {
        None => {
            let ts = dt.to_zoned(TimeZone::UTC).ok()?.timestamp();
            Some((ts, TimeSource::AssumedUtc, Placement::Exact))
        }
        Some(tz) => {
            let amb = tz.to_ambiguous_timestamp(dt);
            let placement = match amb.offset() {
                AmbiguousOffset::Unambiguous { .. } => Placement::Exact,
                AmbiguousOffset::Gap { .. } => Placement::Gap,
                AmbiguousOffset::Fold { .. } => Placement::Fold,
            };
            let ts = match placement {
                Placement::Fold => amb.earlier().ok()?,
                _ => amb.compatible().ok()?,
            };
            Some((ts, TimeSource::AssumedOperatorZone, placement))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(dates: &[[u32; 3]]) -> DateStats {
        let mut s = DateStats::default();
        for d in dates {
            s.add(*d, false);
        }
        s
    }

    #[test]
    fn buddhist_years_without_be_are_read_as_such() {
        let read = |line: &str| {
            let h = super::super::header::parse(line).unwrap_or_else(|| panic!("{line}"));
            local_time(&h, DateOrder::Dmy).map(|t| t.to_string())
        };
        // Without `BE`, with it as before, and a Gregorian year that stays one.
        for (line, want) in [
            ("12/3/2563 14:22 - a: b", "2020-03-12T14:22:00"),
            ("[12/3/2563, 14:22:05] a: b", "2020-03-12T14:22:05"),
            ("[18/3/2565 BE, 14:56:01] a: b", "2022-03-18T14:56:01"),
            ("12/3/2399 14:22 - a: b", "2399-03-12T14:22:00"),
        ] {
            assert_eq!(read(line).as_deref(), Some(want), "{line}");
        }
    }

    #[test]
    fn merged_parts_equal_one_pass() {
        let dates = [
            [1, 2, 2020],
            [3, 2, 2020],
            [2, 3, 2020],
            [28, 12, 2020],
            [1, 1, 2021],
            [5, 1, 2021],
            [4, 2, 2021],
        ];
        let whole = stats(&dates);
        for cut in 0..=dates.len() {
            for cut2 in cut..=dates.len() {
                let mut merged = stats(&dates[..cut]);
                merged.merge(&stats(&dates[cut..cut2]));
                merged.merge(&stats(&dates[cut2..]));
                assert_eq!(merged, whole, "cut at {cut} and {cut2}");
            }
        }
    }

    #[test]
    fn above_12_anywhere_in_the_file_decides() {
        // Pustur/whatsapp-chat-parser issue #237: 30/12/2020 then 13/1/2021.
        let s = stats(&[[1, 2, 2020], [30, 12, 2020], [13, 1, 2021]]);
        assert_eq!(s.decide(), (DateOrder::Dmy, OrderReason::Above12));
        let s = stats(&[[1, 2, 20], [1, 13, 20]]);
        assert_eq!(s.decide(), (DateOrder::Mdy, OrderReason::Above12));
    }

    #[test]
    fn two_digit_year_first_is_told_apart() {
        // yy-mm-dd across a month end: the last number goes back, the first never.
        let s = stats(&[[21, 3, 25], [21, 3, 30], [21, 4, 2], [21, 4, 9]]);
        assert!(s.short_year_first());
        // Within a month: only the last number changes, step after step.
        let s = stats(&[[21, 3, 25], [21, 3, 26], [21, 3, 28], [21, 3, 29]]);
        assert!(s.short_year_first());
        // Ordinary d/m/yy and m/d/yy files are not.
        for dates in [
            &[[25, 3, 21], [30, 3, 21], [2, 4, 21], [9, 4, 21]][..],
            &[
                [3, 25, 21],
                [3, 30, 21],
                [4, 2, 21],
                [12, 31, 21],
                [1, 1, 22],
            ],
            &[[25, 3, 21], [25, 3, 22]],
            &[[4, 4, 23], [4, 4, 23]],
        ] {
            assert!(!stats(dates).short_year_first(), "{dates:?}");
        }
    }

    #[test]
    fn monotonic_then_frequency_then_ambiguous() {
        // 5/1, 9/1, 2/2, 6/2 (d/m): the first component goes back within the year.
        let s = stats(&[[5, 1, 23], [9, 1, 23], [2, 2, 23], [6, 2, 23]]);
        assert_eq!(s.decide(), (DateOrder::Dmy, OrderReason::Monotonic));
        let s = stats(&[[1, 5, 23], [1, 9, 23], [2, 2, 23], [2, 6, 23]]);
        assert_eq!(s.decide(), (DateOrder::Mdy, OrderReason::Monotonic));
        let s = stats(&[[1, 3, 23], [2, 3, 23], [3, 3, 23]]);
        assert_eq!(s.decide(), (DateOrder::Dmy, OrderReason::ChangeFrequency));
        let s = stats(&[[3, 1, 23], [3, 2, 23]]);
        assert_eq!(s.decide(), (DateOrder::Mdy, OrderReason::ChangeFrequency));
        let s = stats(&[[4, 4, 23], [4, 4, 23]]);
        assert_eq!(s.decide(), (DateOrder::Dmy, OrderReason::Ambiguous));
    }

    #[test]
    fn dst_fold_takes_the_earlier_instant_and_gap_moves_forward() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let fold = jiff::civil::date(2023, 10, 29).at(2, 30, 0, 0);
        let (ts, src, p) = instant(fold, Some(&tz)).unwrap();
        assert_eq!((src, p), (TimeSource::AssumedOperatorZone, Placement::Fold));
        assert_eq!(ts.to_string(), "2023-10-29T00:30:00Z");
        let gap = jiff::civil::date(2023, 3, 26).at(2, 30, 0, 0);
        let (ts, _, p) = instant(gap, Some(&tz)).unwrap();
        assert_eq!(p, Placement::Gap);
        assert_eq!(ts.to_string(), "2023-03-26T01:30:00Z");
        let (ts, src, _) = instant(gap, None).unwrap();
        assert_eq!(
            (ts.to_string().as_str(), src),
            ("2023-03-26T02:30:00Z", TimeSource::AssumedUtc)
        );
    }
}
