//! Counts over a parsed export, for previews and for tests.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::DateTime;

use crate::{Kind, Message, MessageTime};

/// What an export contains, accumulated one message at a time so it works
/// on a stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Messages written by people ([`Kind::Message`]).
    pub messages: u64,
    /// Lines the app wrote ([`Kind::System`]).
    pub system: u64,
    /// Person messages per sender name.
    pub senders: BTreeMap<String, u64>,
    /// Person messages with no sender (Telegram deleted accounts).
    pub without_sender: u64,
    pub with_media: u64,
    pub edited: u64,
    pub deleted: u64,
    /// Time of the first and last item in export order (system lines too).
    pub first: Option<MessageTime>,
    pub last: Option<MessageTime>,
    /// Earliest and latest wall-clock times, when the export has any.
    pub civil_range: Option<(DateTime, DateTime)>,
    /// Earliest and latest exact instants, when the export has any.
    pub instant_range: Option<(Timestamp, Timestamp)>,
}

impl Summary {
    pub fn new() -> Self {
        Self::default()
    }

    /// Summarises a whole slice of messages.
    pub fn of<'a>(messages: impl IntoIterator<Item = &'a Message>) -> Self {
        let mut s = Self::new();
        for m in messages {
            s.add(m);
        }
        s
    }

    pub fn add(&mut self, m: &Message) {
        match m.kind {
            Kind::Message => {
                self.messages += 1;
                match &m.sender {
                    Some(name) => {
                        if let Some(n) = self.senders.get_mut(name.as_str()) {
                            *n += 1;
                        } else {
                            self.senders.insert(name.clone(), 1);
                        }
                    }
                    None => self.without_sender += 1,
                }
            }
            Kind::System => self.system += 1,
        }
        self.with_media += u64::from(!m.media.is_empty());
        self.edited += u64::from(m.edited);
        self.deleted += u64::from(m.deleted);
        if self.first.is_none() {
            self.first = Some(m.time);
        }
        self.last = Some(m.time);
        match m.time {
            MessageTime::Civil(t) => widen(&mut self.civil_range, t),
            MessageTime::Instant(t) => widen(&mut self.instant_range, t),
        }
    }

    /// Number of distinct senders of person messages.
    pub fn authors(&self) -> usize {
        self.senders.len()
    }
}

fn widen<T: Ord + Copy>(range: &mut Option<(T, T)>, t: T) {
    *range = Some(match *range {
        None => (t, t),
        Some((lo, hi)) => (lo.min(t), hi.max(t)),
    });
}
