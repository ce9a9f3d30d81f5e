//! Points in time as people give them: RFC 3339 with the offset they were
//! given in (a message at 23:40 local time stays 23:40+01:00), or a calendar
//! date for actions recorded by day.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TimeError {
    #[error(
        "'{0}' is not an RFC 3339 time with an offset (expected e.g. 2026-03-01T21:40:00+00:00 or 2026-03-01T21:40:00Z)"
    )]
    NotRfc3339(String),
    #[error("'{0}' is not a date (expected YYYY-MM-DD) or an RFC 3339 time with an offset")]
    NotDate(String),
    #[error("'{0}' is not a valid calendar time: {1}")]
    Invalid(String, String),
}

/// An instant together with the UTC offset it was expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    instant: Timestamp,
    offset: Offset,
}

impl Moment {
    /// Parse strict RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    /// A space or lower-case `t` may separate date and time (RFC 3339 §5.6 note).
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        let err = || TimeError::NotRfc3339(s.to_string());
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone())
                .is_some_and(|x| x.iter().all(u8::is_ascii_digit))
        };
        if !(digits(0..4)
            && b.get(4) == Some(&b'-')
            && digits(5..7)
            && b.get(7) == Some(&b'-')
            && digits(8..10)
            && matches!(b.get(10), Some(b'T' | b't' | b' '))
            && digits(11..13)
            && b.get(13) == Some(&b':')
            && digits(14..16)
            && b.get(16) == Some(&b':')
            && digits(17..19))
        {
            return Err(err());
        }
        let mut i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start || i - start > 9 {
                return Err(err());
            }
        }
        let offset_secs: i32 = match &b[i..] {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
                if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) =>
            {
                let h = i32::from((h1 - b'0') * 10 + (h2 - b'0'));
                let m = i32::from((m1 - b'0') * 10 + (m2 - b'0'));
                if h > 23 || m > 59 {
                    return Err(err());
                }
                let v = h * 3600 + m * 60;
                if *sign == b'-' { -v } else { v }
            }
            _ => return Err(err()),
        };
        let normal: String = s
            .char_indices()
            .map(|(j, c)| if j == 10 { 'T' } else { c.to_ascii_uppercase() })
            .collect();
        let instant: Timestamp = normal
            .parse()
            .map_err(|e: jiff::Error| TimeError::Invalid(s.to_string(), e.to_string()))?;
        let offset = Offset::from_seconds(offset_secs)
            .map_err(|e| TimeError::Invalid(s.to_string(), e.to_string()))?;
        Ok(Self { instant, offset })
    }

    pub fn from_timestamp(instant: Timestamp, offset: Offset) -> Self {
        Self { instant, offset }
    }

    /// A UTC moment (used for server-side `recorded_at`).
    pub fn utc(instant: Timestamp) -> Self {
        Self {
            instant,
            offset: Offset::UTC,
        }
    }

    pub fn instant(&self) -> Timestamp {
        self.instant
    }

    pub fn offset(&self) -> Offset {
        self.offset
    }

    /// Nanoseconds since the Unix epoch: the chronological sort key.
    pub fn sort_key(&self) -> i128 {
        self.instant.as_nanosecond()
    }
}

impl fmt::Display for Moment {
    /// Canonical RFC 3339: fractional seconds only when non-zero, `Z` for UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let z = self.instant.to_zoned(TimeZone::fixed(self.offset));
        if self.offset == Offset::UTC {
            write!(f, "{}", z.strftime("%Y-%m-%dT%H:%M:%S%.fZ"))
        } else {
            write!(f, "{}", z.strftime("%Y-%m-%dT%H:%M:%S%.f%:z"))
        }
    }
}

/// When an action happened: a full moment, or just the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Moment(Moment),
    Day(Date),
}

impl When {
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        if s.len() == 10 {
            let d: Date = s.parse().map_err(|_| TimeError::NotDate(s.to_string()))?;
            return Ok(When::Day(d));
        }
        Moment::parse(s)
            .map(When::Moment)
            .map_err(|_| TimeError::NotDate(s.to_string()))
    }

    /// Chronological sort key; a day sorts at its midnight UTC.
    pub fn sort_key(&self) -> i128 {
        match self {
            When::Moment(m) => m.sort_key(),
            When::Day(d) => d
                .to_zoned(TimeZone::UTC)
                .map(|z| z.timestamp().as_nanosecond())
                .unwrap_or(0),
        }
    }

    /// The instant this refers to (a day: its midnight UTC).
    pub fn instant(&self) -> Timestamp {
        Timestamp::from_nanosecond(self.sort_key()).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Moment(m) => m.fmt(f),
            When::Day(d) => write!(f, "{d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_offset_and_normalises() {
        let m = Moment::parse("2026-03-01T21:40:00+01:00").unwrap();
        assert_eq!(m.to_string(), "2026-03-01T21:40:00+01:00");
        assert_eq!(
            m.instant(),
            "2026-03-01T20:40:00Z".parse::<Timestamp>().unwrap()
        );
        let z = Moment::parse("2026-03-01t21:40:00.250z").unwrap();
        assert_eq!(z.to_string(), "2026-03-01T21:40:00.25Z");
        let s = Moment::parse("2026-03-01 21:40:00-05:30").unwrap();
        assert_eq!(s.to_string(), "2026-03-01T21:40:00-05:30");
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        for bad in [
            "2026-03-01",
            "2026-03-01T21:40:00",
            "2026-03-01T21:40+01:00",
            "01/03/2026 21:40",
            "2026-03-01T21:40:00+0100",
            "2026-03-01T21:40:00+01:00[Europe/London]",
            "2026-02-30T10:00:00Z",
            "2026-03-01T25:00:00Z",
            "yesterday",
            "",
        ] {
            assert!(Moment::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn when_accepts_day_or_moment() {
        assert_eq!(When::parse("2026-03-03").unwrap().to_string(), "2026-03-03");
        assert!(matches!(
            When::parse("2026-03-03T09:00:00Z").unwrap(),
            When::Moment(_)
        ));
        assert!(When::parse("3rd March").is_err());
        assert!(When::parse("2026-13-03").is_err());
    }
}
