//! Reading the times a case records, in the offset they were given in, and
//! the calendar arithmetic the removal rules use (calendar days and months;
//! weekends and bank holidays count and dates never move to a working day).

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use palisade_core::time::{Moment, When};

/// A recorded time read in the offset it was given in: the local wall-clock
/// time (what the person saw) and the instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub datetime: DateTime,
    pub instant: Timestamp,
}

impl Local {
    pub fn date(&self) -> Date {
        self.datetime.date()
    }
}

/// An RFC 3339 time with offset, as entries record `occurred_at`.
pub fn local(s: &str) -> Option<Local> {
    let m = Moment::parse(s).ok()?;
    let z = m.instant().to_zoned(TimeZone::fixed(m.offset()));
    Some(Local {
        datetime: z.datetime(),
        instant: m.instant(),
    })
}

/// When an action happened: a day, or a moment (then also its local day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionTime {
    Day(Date),
    At(Local),
}

impl ActionTime {
    pub fn parse(s: &str) -> Option<Self> {
        match When::parse(s).ok()? {
            When::Day(d) => Some(ActionTime::Day(d)),
            When::Moment(_) => local(s).map(ActionTime::At),
        }
    }

    pub fn date(&self) -> Date {
        match self {
            ActionTime::Day(d) => *d,
            ActionTime::At(l) => l.date(),
        }
    }

    /// Whether a contact at `t` came after this action. With only a day
    /// recorded, a contact on that same day cannot be placed before or after
    /// it: `None`.
    pub fn is_before(&self, t: &Local) -> Option<bool> {
        match self {
            ActionTime::At(a) => Some(t.instant > a.instant),
            ActionTime::Day(d) => {
                if t.date() > *d {
                    Some(true)
                } else if t.date() < *d {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }
}

/// `d` plus `n` calendar days.
pub fn plus_days(d: Date, n: i64) -> Date {
    d.checked_add(n.days()).unwrap_or(d)
}

/// `d` plus `n` calendar months (29 February plus 12 months is 28 February).
pub fn plus_months(d: Date, n: i64) -> Date {
    d.checked_add(n.months()).unwrap_or(d)
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    // A civil date span's largest unit is days, so this is the whole count.
    a.until(b).map_or(0, |s| i64::from(s.get_days()))
}

/// Outside core GP hours (08:00 to 18:30, Monday to Friday).
pub fn out_of_hours(t: &DateTime) -> bool {
    let weekend = matches!(t.weekday(), Weekday::Saturday | Weekday::Sunday);
    let minutes = i32::from(t.hour()) * 60 + i32::from(t.minute());
    weekend || !(8 * 60..18 * 60 + 30).contains(&minutes)
}

/// "Friday 6 March 2026".
pub fn long(d: Date) -> String {
    d.strftime("%A %-d %B %Y").to_string()
}

/// "6 March 2026".
pub fn medium(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn local_keeps_the_wall_clock() {
        let l = local("2026-03-01T23:40:00+01:00").unwrap();
        assert_eq!(l.date(), date(2026, 3, 1));
        assert_eq!(l.datetime.hour(), 23);
        assert!(local("yesterday").is_none());
    }

    #[test]
    fn calendar_arithmetic() {
        assert_eq!(plus_days(date(2026, 3, 6), 8), date(2026, 3, 14));
        assert_eq!(plus_months(date(2024, 2, 29), 12), date(2025, 2, 28));
        assert_eq!(days_between(date(2025, 1, 1), date(2026, 1, 2)), 366);
        assert_eq!(days_between(date(2026, 1, 2), date(2025, 1, 1)), -366);
        assert_eq!(long(date(2026, 3, 6)), "Friday 6 March 2026");
    }

    #[test]
    fn same_day_order_is_unknown_for_a_day() {
        let a = ActionTime::parse("2026-03-03").unwrap();
        let same = local("2026-03-03T20:00:00Z").unwrap();
        let next = local("2026-03-04T08:00:00Z").unwrap();
        assert_eq!(a.is_before(&same), None);
        assert_eq!(a.is_before(&next), Some(true));
        let at = ActionTime::parse("2026-03-03T12:00:00Z").unwrap();
        assert_eq!(at.is_before(&same), Some(true));
        assert_eq!(
            at.is_before(&local("2026-03-03T11:00:00Z").unwrap()),
            Some(false)
        );
    }

    #[test]
    fn out_of_hours_means_evenings_nights_and_weekends() {
        let t = |s: &str| local(s).unwrap().datetime;
        assert!(out_of_hours(&t("2026-03-02T07:59:00Z")));
        assert!(!out_of_hours(&t("2026-03-02T08:00:00Z")));
        assert!(out_of_hours(&t("2026-03-02T18:30:00Z")));
        assert!(out_of_hours(&t("2026-03-07T12:00:00Z"))); // Saturday
    }
}
