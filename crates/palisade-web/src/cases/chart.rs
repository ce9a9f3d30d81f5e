//! The contact-frequency chart of a case page: contacts per day (or per week
//! when the span is long) as inline SVG bars, with the actions taken as
//! labelled vertical lines. Accessible: `role="img"` with a title and a
//! description, and the same figures in a visually hidden table. No inline
//! style: presentation attributes and CSS classes only.

use super::labels;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use maud::{Markup, html};
use palisade_core::time::{Moment, When};
use palisade_core::view::CaseView;
use std::collections::BTreeMap;

/// The organisation's time zone: days are counted in it.
pub const ORG_TZ: &str = "Europe/London";

/// Spans longer than this many days are drawn per week.
const DAILY_LIMIT_DAYS: i64 = 92;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 56.0;
const BOTTOM: f64 = 36.0;

pub fn org_tz() -> TimeZone {
    TimeZone::get(ORG_TZ).unwrap_or(TimeZone::UTC)
}

/// The organisation-local day of an RFC 3339 time (or a bare date).
pub fn local_day(s: &str) -> Option<Date> {
    if let Ok(m) = Moment::parse(s) {
        return Some(m.instant().to_zoned(org_tz()).date());
    }
    match When::parse(s).ok()? {
        When::Day(d) => Some(d),
        When::Moment(m) => Some(m.instant().to_zoned(org_tz()).date()),
    }
}

/// One bar: the first day it covers and how many contacts fell in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bin {
    pub start: Date,
    pub count: usize,
}

/// A marker for an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub day: Date,
    pub label: String,
}

/// What the chart shows, computed from a case (pure; tested directly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// Days per bar: 1 or 7.
    pub days_per_bin: i64,
    pub bins: Vec<Bin>,
    pub markers: Vec<Marker>,
    pub total: usize,
}

/// "3 Mar 2026".
pub fn short_date(d: Date) -> String {
    d.strftime("%-d %b %Y").to_string()
}

/// "3 Mar".
fn day_month(d: Date) -> String {
    d.strftime("%-d %b").to_string()
}

fn monday_of(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap_or(d)
}

fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

/// The series of live contacts and actions of `case`.
pub fn series(case: &CaseView) -> Series {
    let days: Vec<Date> = case
        .live_entries()
        .filter_map(|e| local_day(&e.occurred_at))
        .collect();
    let markers: Vec<Marker> = case
        .actions
        .iter()
        .filter_map(|a| {
            let day = local_day(&a.date)?;
            Some(Marker {
                day,
                label: format!("{}, {}", labels::action_kind(&a.kind), day_month(day)),
            })
        })
        .collect();
    let all = days.iter().chain(markers.iter().map(|m| &m.day));
    let (Some(first), Some(last)) = (all.clone().min().copied(), all.max().copied()) else {
        return Series {
            days_per_bin: 1,
            bins: Vec::new(),
            markers,
            total: 0,
        };
    };
    let span = days_between(first, last);
    let days_per_bin = if span > DAILY_LIMIT_DAYS { 7 } else { 1 };
    let start = if days_per_bin == 7 {
        monday_of(first)
    } else {
        first
    };
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for d in &days {
        *counts
            .entry(days_between(start, *d) / days_per_bin)
            .or_default() += 1;
    }
    let n_bins = days_between(start, last) / days_per_bin + 1;
    let bins = (0..n_bins)
        .map(|i| Bin {
            start: add_days(start, i * days_per_bin),
            count: counts.get(&i).copied().unwrap_or(0),
        })
        .collect();
    Series {
        days_per_bin,
        bins,
        markers,
        total: days.len(),
    }
}

/// The chart as inline SVG, with its accessible summary and data table.
pub fn render(case: &CaseView) -> Markup {
    let s = series(case);
    if s.bins.is_empty() {
        return html! { p.hint { "No contacts recorded yet: the chart appears with the first one." } };
    }
    let unit = if s.days_per_bin == 7 { "week" } else { "day" };
    let max = s.bins.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let n = s.bins.len() as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let bar_w = plot_w / n;
    let x_of = |d: Date| {
        let first = s.bins[0].start;
        LEFT + (days_between(first, d) as f64 / s.days_per_bin as f64) * bar_w + bar_w / 2.0
    };
    let first = s.bins[0].start;
    let last = s.bins[s.bins.len() - 1].start;
    let busiest = s
        .bins
        .iter()
        .max_by_key(|b| (b.count, std::cmp::Reverse(b.start)))
        .map(|b| (b.start, b.count));
    let summary = format!(
        "{} between {} and {}, shown per {unit}. {}{} marked.",
        plural(s.total, "contact", "contacts"),
        short_date(first),
        short_date(add_days(last, s.days_per_bin - 1)),
        busiest
            .filter(|(_, c)| *c > 0)
            .map(|(d, c)| format!("Busiest {unit}: {} ({c}). ", short_date(d)))
            .unwrap_or_default(),
        plural(s.markers.len(), "action", "actions")
    );
    let mut ticks = vec![0, max / 2, max];
    ticks.dedup();
    html! {
        figure.chart {
            svg.chart__svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img"
                aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet" {
                title id="chart-title" { "Contacts per " (unit) }
                desc id="chart-desc" { (summary) }
                @for t in &ticks {
                    @let y = TOP + plot_h - (*t as f64 / max as f64) * plot_h;
                    line.chart__grid x1=(LEFT) x2=(WIDTH - RIGHT) y1=(fmt(y)) y2=(fmt(y)) stroke="#d8dde0" stroke-width="1" {}
                    text.chart__axis x=(LEFT - 6.0) y=(fmt(y + 4.0)) text-anchor="end" font-size="11" { (t) }
                }
                @for b in &s.bins {
                    @if b.count > 0 {
                        @let h = (b.count as f64 / max as f64) * plot_h;
                        @let x = x_of(b.start) - bar_w / 2.0;
                        rect.chart__bar x=(fmt(x + bar_w * 0.1)) y=(fmt(TOP + plot_h - h))
                            width=(fmt((bar_w * 0.8).max(1.0))) height=(fmt(h)) fill="#005eb8" {
                            title { (short_date(b.start)) ": " (b.count) }
                        }
                    }
                }
                line.chart__baseline x1=(LEFT) x2=(WIDTH - RIGHT) y1=(TOP + plot_h) y2=(TOP + plot_h) stroke="#4c6272" stroke-width="1" {}
                text.chart__axis x=(LEFT) y=(HEIGHT - 12.0) font-size="11" { (short_date(first)) }
                text.chart__axis x=(WIDTH - RIGHT) y=(HEIGHT - 12.0) text-anchor="end" font-size="11" { (short_date(last)) }
                @for (i, m) in s.markers.iter().enumerate() {
                    @let x = x_of(m.day);
                    @let label_y = 14.0 + (i % 3) as f64 * 14.0;
                    line.chart__action x1=(fmt(x)) x2=(fmt(x)) y1=(fmt(label_y + 4.0)) y2=(TOP + plot_h)
                        stroke="#d5281b" stroke-width="2" stroke-dasharray="4 3" {}
                    text.chart__action-label x=(fmt(x)) y=(fmt(label_y)) font-size="11"
                        text-anchor=(if x > WIDTH * 0.7 { "end" } else { "start" }) { (m.label) }
                }
            }
            figcaption { (summary) }
            table.visually-hidden {
                caption { "Contacts per " (unit) " (periods with contacts) and actions" }
                thead { tr { th scope="col" { (if unit == "week" { "Week starting" } else { "Day" }) } th scope="col" { "Contacts" } th scope="col" { "Actions" } } }
                tbody {
                    @for b in s.bins.iter().filter(|b| b.count > 0 || s.markers.iter().any(|m| in_bin(m.day, b, s.days_per_bin))) {
                        tr {
                            td { (short_date(b.start)) }
                            td { (b.count) }
                            td {
                                @for m in s.markers.iter().filter(|m| in_bin(m.day, b, s.days_per_bin)) { (m.label) "; " }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn in_bin(d: Date, b: &Bin, days_per_bin: i64) -> bool {
    let k = days_between(b.start, d);
    (0..days_per_bin).contains(&k)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_days_use_london_time() {
        // 23:30 UTC in summer is already the next day in London.
        assert_eq!(
            local_day("2026-06-01T23:30:00Z"),
            Some(jiff::civil::date(2026, 6, 2))
        );
        assert_eq!(
            local_day("2026-01-01T23:30:00Z"),
            Some(jiff::civil::date(2026, 1, 1))
        );
        assert_eq!(local_day("2026-03-03"), Some(jiff::civil::date(2026, 3, 3)));
        assert_eq!(local_day("nonsense"), None);
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-03-05 is a Thursday.
        assert_eq!(
            monday_of(jiff::civil::date(2026, 3, 5)),
            jiff::civil::date(2026, 3, 2)
        );
    }
}
