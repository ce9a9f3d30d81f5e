//! Resolving wall-clock times in a time zone without hiding DST trouble.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

use crate::ImportError;

/// A wall-clock time placed in a time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Resolved {
    /// The instant chosen with the usual ("compatible") rule: in a gap, the
    /// time is read with the offset before the transition (so it lands after
    /// the gap); in an overlap, the earlier of the two instants.
    pub timestamp: Timestamp,
    pub ambiguity: Ambiguity,
}

/// Whether the wall-clock time was unique in the zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ambiguity {
    None,
    /// The wall-clock time never happened (clocks jumped forward over it).
    /// `earlier` and `later` are the instants it maps to with the offsets
    /// after and before the transition.
    Gap {
        earlier: Timestamp,
        later: Timestamp,
    },
    /// The wall-clock time happened twice (clocks went back).
    Overlap {
        earlier: Timestamp,
        later: Timestamp,
    },
}

/// Places `civil` in `tz`, reporting DST gaps and overlaps.
pub fn resolve(civil: DateTime, tz: &TimeZone) -> Result<Resolved, ImportError> {
    let err = |e: jiff::Error| ImportError::Time {
        civil,
        zone: tz.iana_name().unwrap_or("(unnamed zone)").to_owned(),
        message: e.to_string(),
    };
    let amb = tz.to_ambiguous_timestamp(civil);
    let ambiguity = match amb.offset() {
        AmbiguousOffset::Unambiguous { .. } => Ambiguity::None,
        AmbiguousOffset::Gap { .. } => Ambiguity::Gap {
            earlier: amb.earlier().map_err(err)?,
            later: amb.later().map_err(err)?,
        },
        AmbiguousOffset::Fold { .. } => Ambiguity::Overlap {
            earlier: amb.earlier().map_err(err)?,
            later: amb.later().map_err(err)?,
        },
    };
    let timestamp = amb.compatible().map_err(err)?;
    Ok(Resolved {
        timestamp,
        ambiguity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").expect("bundled tzdb")
    }

    #[test]
    fn ordinary_time_is_unambiguous() {
        let r = resolve(date(2024, 2, 14).at(21, 7, 0, 0), &berlin()).expect("resolves");
        assert_eq!(r.ambiguity, Ambiguity::None);
        assert_eq!(r.timestamp.to_string(), "2024-02-14T20:07:00Z");
    }

    #[test]
    fn spring_forward_gap_is_reported() {
        // 2024-03-31 02:30 does not exist in Berlin (02:00 -> 03:00).
        let r = resolve(date(2024, 3, 31).at(2, 30, 0, 0), &berlin()).expect("resolves");
        let Ambiguity::Gap { earlier, later } = r.ambiguity else {
            panic!("expected a gap, got {:?}", r.ambiguity);
        };
        assert_eq!(earlier.to_string(), "2024-03-31T00:30:00Z");
        assert_eq!(later.to_string(), "2024-03-31T01:30:00Z");
        assert_eq!(r.timestamp, later);
    }

    #[test]
    fn fall_back_overlap_is_reported() {
        // 2024-10-27 02:30 happens twice in Berlin.
        let r = resolve(date(2024, 10, 27).at(2, 30, 0, 0), &berlin()).expect("resolves");
        let Ambiguity::Overlap { earlier, later } = r.ambiguity else {
            panic!("expected an overlap, got {:?}", r.ambiguity);
        };
        assert_eq!(earlier.to_string(), "2024-10-27T00:30:00Z");
        assert_eq!(later.to_string(), "2024-10-27T01:30:00Z");
        assert_eq!(r.timestamp, earlier);
    }
}
