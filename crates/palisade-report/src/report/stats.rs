//! The figures of the summary page, computed from the entries and actions.

use crate::model::{Field, Report, ReportAction, ReportEntry};
use crate::time::When;
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap};

/// Entries and actions in time order, with their parsed times.
pub(crate) struct Prepared<'r> {
    pub entries: Vec<(&'r ReportEntry, When)>,
    pub actions: Vec<(&'r ReportAction, When)>,
    /// Entry id to its 1-based number in the chronology.
    pub numbers: HashMap<&'r str, usize>,
}

impl<'r> Prepared<'r> {
    pub(crate) fn new(r: &'r Report) -> Self {
        let mut entries: Vec<_> = r
            .entries
            .iter()
            .map(|e| (e, When::parse(&e.occurred_at)))
            .collect();
        entries.sort_by_key(|(e, w)| (w.sort_key(), e.leaf_index));
        let mut actions: Vec<_> = r
            .actions
            .iter()
            .map(|a| (a, When::parse(&a.date)))
            .collect();
        actions.sort_by_key(|(a, w)| (w.sort_key(), a.id.clone()));
        let mut numbers = HashMap::with_capacity(entries.len());
        for (i, (e, _)) in entries.iter().enumerate() {
            numbers.entry(e.id.as_str()).or_insert(i + 1);
        }
        Prepared {
            entries,
            actions,
            numbers,
        }
    }

    /// Entries that are not retracted.
    pub(crate) fn live(&self) -> impl Iterator<Item = &(&'r ReportEntry, When)> {
        self.entries.iter().filter(|(e, _)| !e.retracted)
    }
}

pub(crate) fn is_inbound(e: &ReportEntry) -> bool {
    matches!(&e.direction, Field::Disclosed(d) if d.trim().eq_ignore_ascii_case("inbound"))
}

pub(crate) fn is_outbound(e: &ReportEntry) -> bool {
    matches!(&e.direction, Field::Disclosed(d) if d.trim().eq_ignore_ascii_case("outbound"))
}

/// "asked_to_stop" as "asked to stop".
pub(crate) fn humanise(kind: &str) -> String {
    kind.replace('_', " ")
}

#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub contacts: usize,
    pub inbound: usize,
    pub outbound: usize,
}

impl Counts {
    fn add(&mut self, e: &ReportEntry) {
        self.contacts += 1;
        self.inbound += usize::from(is_inbound(e));
        self.outbound += usize::from(is_outbound(e));
    }
}

/// When the patient was first asked to stop, and what came after.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct AfterStop {
    pub when: String,
    /// The action had a date but no time: only later days count.
    pub date_only: bool,
    pub inbound_after: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub totals: Counts,
    pub retracted: usize,
    pub undated: usize,
    pub by_channel: Vec<(String, Counts)>,
    /// (year, month) with counts; every month in the span when it is not
    /// absurdly long, otherwise only months with contacts.
    pub by_month: Vec<((i16, i8), Counts)>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub asked_to_stop: Option<AfterStop>,
}

/// Longest run of months listed with empty ones included.
const MAX_MONTH_SPAN: i64 = 600;

fn month_index(y: i16, m: i8) -> i64 {
    i64::from(y) * 12 + i64::from(m) - 1
}

pub(crate) fn compute(p: &Prepared<'_>) -> Stats {
    let mut s = Stats {
        retracted: p.entries.iter().filter(|(e, _)| e.retracted).count(),
        ..Stats::default()
    };
    let mut channels: BTreeMap<String, Counts> = BTreeMap::new();
    let mut months: BTreeMap<(i16, i8), Counts> = BTreeMap::new();
    let mut dated = Vec::new();
    for (e, w) in p.live() {
        s.totals.add(e);
        let channel = match e.channel.trim() {
            "" => "not stated".to_string(),
            c => humanise(c),
        };
        channels.entry(channel).or_default().add(e);
        match w.date {
            Some(d) => {
                months.entry((d.year(), d.month())).or_default().add(e);
                dated.push((e, w));
            }
            None => s.undated += 1,
        }
    }
    s.first = dated.first().map(|(e, w)| w.display(&e.occurred_at));
    s.last = dated.last().map(|(e, w)| w.display(&e.occurred_at));
    let mut by_channel: Vec<_> = channels.into_iter().collect();
    by_channel.sort_by(|a, b| b.1.contacts.cmp(&a.1.contacts).then_with(|| a.0.cmp(&b.0)));
    s.by_channel = by_channel;
    s.by_month = fill_months(months);
    s.asked_to_stop = after_stop(p);
    s
}

fn fill_months(months: BTreeMap<(i16, i8), Counts>) -> Vec<((i16, i8), Counts)> {
    let (Some(first), Some(last)) = (months.keys().next(), months.keys().next_back()) else {
        return Vec::new();
    };
    let (a, b) = (month_index(first.0, first.1), month_index(last.0, last.1));
    if b - a > MAX_MONTH_SPAN {
        return months.into_iter().collect();
    }
    let mut months = months;
    (a..=b)
        .filter_map(|i| {
            let y = i16::try_from(i.div_euclid(12)).ok()?;
            let m = i8::try_from(i.rem_euclid(12) + 1).ok()?;
            Some(((y, m), months.remove(&(y, m)).unwrap_or_default()))
        })
        .collect()
}

fn after_stop(p: &Prepared<'_>) -> Option<AfterStop> {
    let (action, when) = p
        .actions
        .iter()
        .find(|(a, w)| a.kind.trim() == "asked_to_stop" && w.date.is_some())?;
    let date_only = when.instant.is_none();
    let inbound_after = p
        .live()
        .filter(|(e, _)| is_inbound(e))
        .filter(|(_, w)| match (when.instant, w.instant) {
            (Some(stop), Some(t)) => t > stop,
            (Some(_), None) => false,
            (None, _) => matches!((w.date, when.date), (Some(d), Some(stop)) if d > stop),
        })
        .count();
    Some(AfterStop {
        when: when.display(&action.date),
        date_only,
        inbound_after,
    })
}

/// The local dates of live entries, for the chart.
pub(crate) fn entry_dates(p: &Prepared<'_>) -> Vec<Date> {
    p.live().filter_map(|(_, w)| w.date).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, at: &str, dir: &str, channel: &str) -> ReportEntry {
        ReportEntry {
            id: id.into(),
            occurred_at: at.into(),
            channel: channel.into(),
            direction: Field::Disclosed(dir.into()),
            ..ReportEntry::default()
        }
    }

    #[test]
    fn counts_contacts_after_asked_to_stop() {
        let mut r = Report {
            entries: vec![
                entry("e3", "2026-03-03T20:00:00+00:00", "inbound", "sms"),
                entry("e1", "2026-03-01T21:40:00+00:00", "inbound", "sms"),
                entry("e2", "2026-03-02T09:10:00+00:00", "outbound", "letter"),
                entry("e4", "2026-03-04T08:00:00+00:00", "inbound", "phone_call"),
                entry("e5", "2026-05-04T08:00:00+00:00", "inbound", "phone_call"),
                entry("e6", "not a date", "inbound", "sms"),
            ],
            actions: vec![ReportAction {
                id: "a1".into(),
                date: "2026-03-03".into(),
                kind: "asked_to_stop".into(),
                ..ReportAction::default()
            }],
            ..Report::default()
        };
        r.entries[4].retracted = true;
        let p = Prepared::new(&r);
        assert_eq!(p.entries[0].0.id, "e1");
        assert_eq!(p.entries[5].0.id, "e6");
        assert_eq!(p.numbers["e3"], 3);
        let s = compute(&p);
        assert_eq!(s.totals.contacts, 5);
        assert_eq!(s.totals.inbound, 4);
        assert_eq!(s.retracted, 1);
        assert_eq!(s.undated, 1);
        assert_eq!(s.first.as_deref(), Some("2026-03-01 21:40 +00:00"));
        assert_eq!(s.last.as_deref(), Some("2026-03-04 08:00 +00:00"));
        let stop = s.asked_to_stop.unwrap();
        assert!(stop.date_only);
        // Only e4 is on a later day (e3 is the same day, e5 retracted).
        assert_eq!(stop.inbound_after, 1);
        assert_eq!(s.by_channel[0].0, "sms");
        assert_eq!(s.by_channel[0].1.contacts, 3);
        assert_eq!(s.by_month.len(), 1);

        r.actions[0].date = "2026-03-03T12:00:00+00:00".into();
        let s = compute(&Prepared::new(&r));
        assert_eq!(s.asked_to_stop.unwrap().inbound_after, 2);
    }

    #[test]
    fn months_fill_gaps() {
        let r = Report {
            entries: vec![
                entry("a", "2025-11-01T10:00:00Z", "inbound", "sms"),
                entry("b", "2026-02-01T10:00:00Z", "inbound", "sms"),
            ],
            ..Report::default()
        };
        let s = compute(&Prepared::new(&r));
        let months: Vec<_> = s.by_month.iter().map(|(m, c)| (*m, c.contacts)).collect();
        assert_eq!(
            months,
            [
                ((2025, 11), 1),
                ((2025, 12), 0),
                ((2026, 1), 0),
                ((2026, 2), 1)
            ]
        );
    }
}
