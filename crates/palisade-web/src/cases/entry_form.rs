//! The fields of a contact entry as a form sends them, checked into the
//! ledger's `NewEntry` (quick log) or `EntryPatch` (correction), with a
//! message per field for anything that cannot be used.

use super::chart::org_tz;
use super::forms::{Problems, some_text};
use super::labels;
use jiff::Timestamp;
use jiff::civil::DateTime;
use maud::{Markup, html};
use palisade_core::compose::{EntryPatch, NewEntry};
use palisade_core::domain::{Channel, Direction, Source};
use palisade_core::time::Moment;
use palisade_core::view::EntryView;

/// The entry fields as text, exactly as submitted (re-shown on error).
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub channel: String,
    pub direction: String,
    pub occurred_at: String,
    pub place: String,
    pub party: String,
    pub witnesses: String,
    pub summary: String,
    pub content: String,
}

impl EntryInput {
    /// Read the fields from `(name, value)` pairs.
    pub fn from_fields<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let g = |n: &str| get(n).unwrap_or("").to_string();
        EntryInput {
            channel: g("channel"),
            direction: g("direction"),
            occurred_at: g("occurred_at"),
            place: g("place"),
            party: g("party"),
            witnesses: g("witnesses"),
            summary: g("summary"),
            content: g("content"),
        }
    }

    /// The form prefilled from an entry as it stands (for a correction).
    pub fn from_entry(e: &EntryView) -> Self {
        EntryInput {
            channel: e.channel.clone(),
            direction: e.direction.clone().unwrap_or_default(),
            occurred_at: Moment::parse(&e.occurred_at)
                .map(|m| local_input_value(m.instant()))
                .unwrap_or_default(),
            place: e.place.clone().unwrap_or_default(),
            party: e.party.clone().unwrap_or_default(),
            witnesses: e.witnesses.join("\n"),
            summary: e.summary.clone().unwrap_or_default(),
            content: e.content.clone().unwrap_or_default(),
        }
    }
}

/// A `datetime-local` value for `t` in the organisation's zone.
pub fn local_input_value(t: Timestamp) -> String {
    t.to_zoned(org_tz()).strftime("%Y-%m-%dT%H:%M").to_string()
}

/// A `datetime-local` value (`2026-03-03T21:40`, seconds optional) read in
/// the organisation's zone, or an RFC 3339 time with its own offset.
pub fn parse_local(s: &str) -> Option<Moment> {
    let s = s.trim();
    if let Ok(m) = Moment::parse(s) {
        return Some(m);
    }
    let dt: DateTime = s.parse().ok()?;
    let z = dt.to_zoned(org_tz()).ok()?;
    Some(Moment::from_timestamp(z.timestamp(), z.offset()))
}

fn witnesses(s: &str) -> Vec<String> {
    s.split(['\n', ','])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn channel(i: &EntryInput, p: &mut Problems) -> Option<Channel> {
    match i.channel.trim() {
        "" => {
            p.add("channel", "Choose how the contact happened");
            None
        }
        c => c.parse().ok().or_else(|| {
            p.add("channel", "Choose how the contact happened from the list");
            None
        }),
    }
}

fn direction(i: &EntryInput, p: &mut Problems) -> Option<Direction> {
    match i.direction.trim() {
        "" => Some(Direction::Inbound),
        d => d.parse().ok().or_else(|| {
            p.add("direction", "Choose 'To me' or 'From me'");
            None
        }),
    }
}

fn occurred(i: &EntryInput, now: Timestamp, p: &mut Problems) -> Option<Moment> {
    if i.occurred_at.trim().is_empty() {
        p.add("occurred_at", "Enter when it happened");
        return None;
    }
    match parse_local(&i.occurred_at) {
        None => {
            p.add(
                "occurred_at",
                "Enter when it happened as a date and time, like 03/03/2026 21:40",
            );
            None
        }
        Some(m) if m.instant().as_second() > now.as_second() + 300 => {
            p.add(
                "occurred_at",
                "The time is in the future: enter when the contact happened",
            );
            None
        }
        Some(m) => Some(m),
    }
}

/// A new entry from the quick log, or what is wrong with the form.
pub fn new_entry(i: &EntryInput, now: Timestamp) -> Result<NewEntry, Problems> {
    let mut p = Problems::default();
    let ch = channel(i, &mut p);
    let dir = direction(i, &mut p);
    let at = occurred(i, now, &mut p);
    let summary = some_text(&i.summary);
    let content = Some(i.content.clone()).filter(|c| !c.trim().is_empty());
    if summary.is_none() && content.is_none() {
        p.add(
            "summary",
            "Say what happened, or give the words used (or both)",
        );
    }
    match (ch, dir, at) {
        (Some(channel), Some(direction), Some(occurred_at)) if p.is_empty() => Ok(NewEntry {
            occurred_at,
            channel,
            direction,
            party: some_text(&i.party),
            place: some_text(&i.place),
            witnesses: witnesses(&i.witnesses),
            summary,
            content,
            clinical: None,
            source: Source::Manual,
        }),
        _ => Err(p),
    }
}

/// A correction: only the fields that differ from the entry as it stands.
pub fn patch(i: &EntryInput, e: &EntryView, now: Timestamp) -> Result<EntryPatch, Problems> {
    let mut p = Problems::default();
    let ch = channel(i, &mut p);
    let dir = direction(i, &mut p);
    let at = occurred(i, now, &mut p);
    if !p.is_empty() {
        return Err(p);
    }
    let current = EntryInput::from_entry(e);
    let changed = |new: &str, old: &str| new.trim() != old.trim();
    let text = |new: &str, old: &str| changed(new, old).then(|| new.trim().to_string());
    let patch = EntryPatch {
        occurred_at: at.filter(|_| changed(&i.occurred_at, &current.occurred_at)),
        channel: ch.filter(|c| c.as_str() != e.channel),
        direction: dir.filter(|d| Some(d.as_str()) != e.direction.as_deref()),
        party: text(&i.party, &current.party),
        place: text(&i.place, &current.place),
        witnesses: (witnesses(&i.witnesses) != e.witnesses).then(|| witnesses(&i.witnesses)),
        summary: text(&i.summary, &current.summary),
        content: (i.content != current.content).then(|| i.content.clone()),
        clinical: None,
    };
    Ok(patch)
}

/// The entry fields of the quick log and correction forms.
pub fn fields(i: &EntryInput, parties: &[String], p: &Problems) -> Markup {
    use super::forms::{input, select, textarea};
    html! {
        (select("channel", "How did the contact happen?", None, labels::channels(), &i.channel, Some("Choose"), p))
        (select("direction", "Which way?", None,
            [("inbound", "To me (from the patient or someone else)".to_string()), ("outbound", "From me".to_string())],
            if i.direction.is_empty() { "inbound" } else { &i.direction }, None, p))
        (input("occurred_at", "datetime-local", "When did it happen?", Some("UK time. Change it if you are logging it later."), &i.occurred_at, p))
        (input("place", "text", "Where?", Some("For example: reception, car park, my home address (optional)"), &i.place, p))
        (input("party", "text", "Who?", Some("The patient, or who else made contact (optional)"), &i.party, p))
        @if !parties.is_empty() {
            p.hint { "People in this case: " (parties.join(", ")) }
        }
        (textarea("witnesses", "Witnesses", Some("One per line (optional)"), &i.witnesses, 2, p))
        (textarea("summary", "What happened?", Some("In your own words"), &i.summary, 3, p))
        (textarea("content", "The words used", Some("Copy the message or what was said exactly, if you can"), &i.content, 5, p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_in_london() {
        let m = parse_local("2026-07-01T10:00").unwrap();
        assert_eq!(m.to_string(), "2026-07-01T10:00:00+01:00");
        let w = parse_local("2026-01-01T10:00").unwrap();
        assert_eq!(w.to_string(), "2026-01-01T10:00:00Z");
        assert!(parse_local("yesterday").is_none());
    }

    #[test]
    fn problems_name_each_field() {
        let now = Timestamp::now();
        let e = new_entry(&EntryInput::default(), now).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["channel", "occurred_at", "summary"]);
        let ok = new_entry(
            &EntryInput {
                channel: "sms".into(),
                occurred_at: "2026-01-01T10:00".into(),
                content: "hi".into(),
                witnesses: "A, B\nC".into(),
                ..EntryInput::default()
            },
            now,
        )
        .unwrap();
        assert_eq!(ok.witnesses, ["A", "B", "C"]);
        assert_eq!(ok.direction, Direction::Inbound);
    }
}
