//! The contact-frequency chart: vector bars per day, week, month or year,
//! with every action marked as a labelled dashed line.

use crate::fonts::FontId;
use crate::layout::text::truncate;
use crate::layout::{BLUE, DARK, Doc, GREY, RED, RULE};
use crate::time::{day_month, day_month_year, month_year};
use jiff::civil::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        }
    }
}

/// Bucketed counts ready to draw.
#[derive(Debug)]
pub(crate) struct Chart {
    pub unit: Unit,
    start: i64,
    pub buckets: Vec<u32>,
    /// (bucket position as a fraction, label).
    marks: Vec<(f64, String)>,
    multi_year: bool,
}

const MAX_BUCKETS: i64 = 400;

/// Days since 1970-01-01.
fn day_number(d: Date) -> i64 {
    let epoch = Date::constant(1970, 1, 1);
    i64::from(epoch.until(d).map_or(0, |s| s.get_days()))
}

fn month_number(d: Date) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month()) - 1
}

impl Unit {
    /// Bucket number and fraction through it (for marks) of `d`.
    fn position(self, d: Date) -> (i64, f64) {
        match self {
            Unit::Day => (day_number(d), 0.5),
            Unit::Week => {
                // Weeks start on Monday: 1970-01-05 was a Monday.
                let n = day_number(d) - 4;
                (n.div_euclid(7), (n.rem_euclid(7) as f64 + 0.5) / 7.0)
            }
            Unit::Month => (
                month_number(d),
                (f64::from(d.day()) - 0.5) / f64::from(d.days_in_month()),
            ),
            Unit::Year => (
                i64::from(d.year()),
                (f64::from(d.day_of_year()) - 0.5) / f64::from(d.days_in_year()),
            ),
        }
    }
}

impl Chart {
    /// Bucket `dates`; `None` when there is nothing to draw or the span is
    /// too long to draw meaningfully.
    pub(crate) fn new(dates: &[Date], actions: &[(Date, String)]) -> Option<Chart> {
        let all = || dates.iter().copied().chain(actions.iter().map(|a| a.0));
        let first = all().min()?;
        let last = all().max()?;
        if dates.is_empty() {
            return None;
        }
        let days = day_number(last) - day_number(first);
        let unit = [Unit::Day, Unit::Week, Unit::Month, Unit::Year]
            .into_iter()
            .find(|u| u.position(last).0 - u.position(first).0 < MAX_BUCKETS)?;
        let unit = if unit == Unit::Day && days > 92 {
            Unit::Week
        } else {
            unit
        };
        let start = unit.position(first).0;
        let n = usize::try_from(unit.position(last).0 - start + 1).ok()?;
        let mut buckets = vec![0u32; n];
        for &d in dates {
            if let Some(b) = usize::try_from(unit.position(d).0 - start)
                .ok()
                .and_then(|i| buckets.get_mut(i))
            {
                *b = b.saturating_add(1);
            }
        }
        let multi_year = first.year() != last.year();
        let marks = actions
            .iter()
            .map(|(d, label)| {
                let (i, f) = unit.position(*d);
                let when = if multi_year {
                    day_month_year(*d)
                } else {
                    day_month(*d)
                };
                ((i - start) as f64 + f, format!("{label} {when}"))
            })
            .collect();
        Some(Chart {
            unit,
            start,
            buckets,
            marks,
            multi_year,
        })
    }

    /// The label under bucket `i`.
    fn tick_label(&self, i: usize) -> String {
        let n = self.start + i as i64;
        let date = match self.unit {
            Unit::Day | Unit::Week => {
                let offset = if self.unit == Unit::Day { n } else { n * 7 + 4 };
                jiff::Span::new()
                    .try_days(offset)
                    .ok()
                    .and_then(|s| Date::constant(1970, 1, 1).checked_add(s).ok())
            }
            Unit::Month => i16::try_from(n.div_euclid(12))
                .ok()
                .and_then(|y| Date::new(y, (n.rem_euclid(12) + 1) as i8, 1).ok()),
            Unit::Year => i16::try_from(n).ok().and_then(|y| Date::new(y, 1, 1).ok()),
        };
        let Some(date) = date else {
            return String::new();
        };
        match self.unit {
            Unit::Day | Unit::Week if self.multi_year => day_month_year(date),
            Unit::Day | Unit::Week => day_month(date),
            Unit::Month => month_year(date),
            Unit::Year => date.year().to_string(),
        }
    }
}

/// The smallest 1, 2 or 5 times a power of ten that is at least `v`.
fn nice(v: u32) -> u32 {
    let mut p = 1u32;
    loop {
        for m in [1u32, 2, 5] {
            let c = m.saturating_mul(p);
            if c >= v || c == u32::MAX {
                return c.max(1);
            }
        }
        p = p.saturating_mul(10);
    }
}

const PLOT_H: f32 = 150.0;
const LABEL: f32 = 6.5;
const ROW: f32 = 9.0;
const MAX_LEVELS: usize = 6;

/// Draw the chart at the cursor across the page width.
pub(crate) fn draw(doc: &mut Doc<'_>, chart: &Chart) {
    let x0 = doc.left() + 28.0;
    let x1 = doc.left() + doc.width();
    let n = chart.buckets.len().max(1);
    let bw = (x1 - x0) / n as f32;

    // Give each action label the lowest row where it does not overlap.
    let mut ends = [f32::MIN; MAX_LEVELS];
    let mut placed = Vec::with_capacity(chart.marks.len());
    for (pos, label) in &chart.marks {
        let x = x0 + *pos as f32 * bw;
        let label = truncate(&doc.fonts, FontId::Regular, LABEL, label, (x1 - x0) * 0.4);
        let w = doc.fonts.width(FontId::Regular, &label, LABEL);
        let lx = if x + 2.0 + w <= x1 {
            x + 2.0
        } else {
            (x - 2.0 - w).max(doc.left())
        };
        let level = (0..MAX_LEVELS)
            .find(|&l| ends[l] + 4.0 <= lx)
            .unwrap_or_else(|| {
                (0..MAX_LEVELS)
                    .min_by(|&a, &b| ends[a].total_cmp(&ends[b]))
                    .unwrap_or(0)
            });
        ends[level] = ends[level].max(lx + w);
        placed.push((x, lx, level, label));
    }
    let levels = placed.iter().map(|p| p.2 + 1).max().unwrap_or(0);
    let height = levels as f32 * ROW + 4.0 + PLOT_H + 14.0;
    doc.ensure(height);
    let top = doc.y;
    let plot_top = top + levels as f32 * ROW + 4.0;
    let plot_bottom = plot_top + PLOT_H;

    let max = chart.buckets.iter().copied().max().unwrap_or(0).max(1);
    let scale_max = nice(max);
    let step = nice(scale_max.div_ceil(5));
    let y_of = |v: u32| plot_bottom - v as f32 / scale_max as f32 * PLOT_H;
    let mut v = 0u32;
    while v <= scale_max {
        let y = y_of(v);
        doc.line(x0, y, x1, y, 0.3, RULE, None);
        let label = v.to_string();
        let page = doc.pages.len() - 1;
        doc.text_right_on(
            page,
            x0 - 3.0,
            y - 4.0,
            FontId::Regular,
            LABEL,
            GREY,
            &label,
        );
        match v.checked_add(step.max(1)) {
            Some(next) => v = next,
            None => break,
        }
    }

    let gap = if bw > 4.0 { bw * 0.15 } else { 0.0 };
    for (i, &count) in chart.buckets.iter().enumerate() {
        if count > 0 {
            let x = x0 + i as f32 * bw + gap / 2.0;
            let h = count as f32 / scale_max as f32 * PLOT_H;
            doc.fill_rect(x, plot_bottom - h, (bw - gap).max(0.3), h, BLUE);
        }
    }
    doc.line(x0, plot_bottom, x1, plot_bottom, 0.6, DARK, None);

    // Evenly spaced tick labels that do not collide.
    let widest = (0..chart.buckets.len().min(40))
        .map(|i| {
            doc.fonts
                .width(FontId::Regular, &chart.tick_label(i), LABEL)
        })
        .fold(0.0f32, f32::max);
    let every = ((widest + 8.0) / bw).ceil().max(1.0) as usize;
    for i in (0..chart.buckets.len()).step_by(every) {
        let x = x0 + i as f32 * bw;
        doc.line(x, plot_bottom, x, plot_bottom + 2.0, 0.4, DARK, None);
        let label = chart.tick_label(i);
        if x + doc.fonts.width(FontId::Regular, &label, LABEL) <= x1 + 2.0 {
            doc.text(x, plot_bottom + 3.0, FontId::Regular, LABEL, GREY, &label);
        }
    }

    for (x, lx, level, label) in placed {
        let label_top = plot_top - 4.0 - (level as f32 + 1.0) * ROW;
        doc.line(x, label_top + ROW, x, plot_bottom, 0.7, RED, Some(2.0));
        doc.text(lx, label_top, FontId::Regular, LABEL, RED, &label);
    }
    doc.y = top + height;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i16, m: i8, day: i8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn picks_unit_by_span() {
        let c = Chart::new(&[d(2026, 3, 1), d(2026, 3, 1), d(2026, 3, 5)], &[]).unwrap();
        assert_eq!(c.unit, Unit::Day);
        assert_eq!(c.buckets, [2, 0, 0, 0, 1]);
        assert_eq!(c.tick_label(0), "1 Mar");
        let c = Chart::new(&[d(2026, 1, 1), d(2026, 12, 31)], &[]).unwrap();
        assert_eq!(c.unit, Unit::Week);
        // 2025-12-29 is the Monday of the first week.
        assert_eq!(c.tick_label(0), "29 Dec");
        let c = Chart::new(&[d(2010, 1, 1), d(2026, 12, 31)], &[]).unwrap();
        assert_eq!(c.unit, Unit::Month);
        assert_eq!(c.tick_label(0), "Jan 2010");
        let c = Chart::new(&[d(1, 1, 1), d(9999, 12, 31)], &[]);
        assert!(c.is_none());
        assert!(Chart::new(&[], &[(d(2026, 1, 1), "x".into())]).is_none());
    }

    #[test]
    fn marks_actions() {
        let c = Chart::new(
            &[d(2026, 3, 1), d(2026, 3, 5)],
            &[(d(2026, 3, 3), "asked to stop".into())],
        )
        .unwrap();
        assert_eq!(c.marks, [(2.5, "asked to stop 3 Mar".to_string())]);
    }

    #[test]
    fn nice_numbers() {
        assert_eq!(nice(0), 1);
        assert_eq!(nice(3), 5);
        assert_eq!(nice(7), 10);
        assert_eq!(nice(11), 20);
        assert_eq!(nice(u32::MAX), u32::MAX);
    }
}
