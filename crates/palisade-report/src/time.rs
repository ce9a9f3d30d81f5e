//! Reading the ledger's RFC 3339 times and dates and showing them as written:
//! local date and time with their offset.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::tz::Offset;

/// A parsed moment or date. Unparseable input has neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct When {
    /// The instant, when a time with an offset was given.
    pub instant: Option<Timestamp>,
    /// The local date as written.
    pub date: Option<Date>,
    time: Option<Time>,
    offset: Option<(Offset, bool)>,
}

impl When {
    pub(crate) fn parse(s: &str) -> When {
        let none = When {
            instant: None,
            date: None,
            time: None,
            offset: None,
        };
        let Ok(p) = Pieces::parse(s.trim()) else {
            return none;
        };
        let date = p.date();
        let time = p.time();
        let offset = p.offset().map(|o| match o {
            PiecesOffset::Zulu => (Offset::UTC, true),
            other => (other.to_numeric_offset(), false),
        });
        let instant = match (time, offset) {
            (Some(t), Some((o, _))) => o.to_timestamp(date.to_datetime(t)).ok(),
            _ => None,
        };
        When {
            instant,
            date: Some(date),
            time,
            offset,
        }
    }

    /// A key ordering moments by instant; dates alone count from their start
    /// in UTC; unparseable values sort last.
    pub(crate) fn sort_key(&self) -> i128 {
        if let Some(i) = self.instant {
            return i.as_nanosecond();
        }
        self.date
            .and_then(|d| {
                Offset::UTC
                    .to_timestamp(d.to_datetime(Time::midnight()))
                    .ok()
            })
            .map_or(i128::MAX, |t| t.as_nanosecond())
    }

    /// "2026-03-01 21:40 +00:00", "2026-03-01", or `raw` when unreadable.
    pub(crate) fn display(&self, raw: &str) -> String {
        let Some(date) = self.date else {
            return raw.to_string();
        };
        let mut s = date.strftime("%Y-%m-%d").to_string();
        if let Some(t) = self.time {
            let fmt = if t.second() == 0 { "%H:%M" } else { "%H:%M:%S" };
            s.push(' ');
            s.push_str(&t.strftime(fmt).to_string());
        }
        match self.offset {
            Some((_, true)) => s.push_str(" UTC"),
            Some((o, false)) => {
                s.push(' ');
                s.push_str(&offset_text(o));
            }
            None => {}
        }
        s
    }
}

/// Display a time as written; `raw` when unreadable.
pub(crate) fn display(raw: &str) -> String {
    When::parse(raw).display(raw)
}

fn offset_text(o: Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_abbr(d: Date) -> &'static str {
    MONTHS[usize::try_from(d.month() - 1).unwrap_or(0) % 12]
}

/// "3 Mar".
pub(crate) fn day_month(d: Date) -> String {
    format!("{} {}", d.day(), month_abbr(d))
}

/// "3 Mar 2026".
pub(crate) fn day_month_year(d: Date) -> String {
    format!("{} {} {}", d.day(), month_abbr(d), d.year())
}

/// "Mar 2026".
pub(crate) fn month_year(d: Date) -> String {
    format!("{} {}", month_abbr(d), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_with_offset() {
        let w = When::parse("2026-03-01T21:40:00+01:00");
        assert_eq!(w.display(""), "2026-03-01 21:40 +01:00");
        assert_eq!(
            w.instant.unwrap(),
            "2026-03-01T20:40:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            When::parse("2026-03-01T21:40:05.123Z").display(""),
            "2026-03-01 21:40:05 UTC"
        );
        assert_eq!(When::parse("2026-03-03").display(""), "2026-03-03");
        assert_eq!(
            When::parse("2026-03-01T09:00-05:30").display(""),
            "2026-03-01 09:00 -05:30"
        );
        assert_eq!(display("yesterday"), "yesterday");
        assert_eq!(When::parse("yesterday").sort_key(), i128::MAX);
    }

    #[test]
    fn orders_by_instant_not_text() {
        let a = When::parse("2026-03-01T23:30:00-02:00");
        let b = When::parse("2026-03-02T00:30:00+00:00");
        assert!(b.sort_key() < a.sort_key());
        assert!(When::parse("2026-03-01").sort_key() < a.sort_key());
    }

    #[test]
    fn short_dates() {
        let d = Date::new(2026, 3, 3).unwrap();
        assert_eq!(day_month(d), "3 Mar");
        assert_eq!(day_month_year(d), "3 Mar 2026");
        assert_eq!(month_year(d), "Mar 2026");
    }
}
