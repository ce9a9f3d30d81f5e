//! WhatsApp "Export chat" `.txt` (Android and iOS layouts).
//!
//! Parsing is streaming: [`Parser`] reads one line at a time from a
//! `BufRead` and holds only the message being assembled, so memory is
//! bounded by [`WhatsAppOptions::max_message_bytes`] whatever the file size.
//!
//! The export does not say whether `03/04/2024` is 3 April or 4 March. The
//! order is inferred by [`detect_date_order`], a first pass that looks only at
//! header dates and keeps a few counters; then a second pass parses. For a
//! seekable source [`parse_seekable`] does both passes. For a source that
//! can be opened twice but not sought (a member of a .zip), call
//! [`detect_date_order`] on one opening and [`Parser::new`] on another. When
//! the order cannot be decided, [`ImportError::AmbiguousDateOrder`] asks the
//! caller for an explicit [`DateOrder`] (set [`WhatsAppOptions::date_order`]).
//!
//! Times are the exporting phone's wall clock, returned as
//! [`MessageTime::Civil`]; resolve them with [`crate::resolve`]. Messages are
//! returned in file order (exports can be out of chronological order; the
//! parser does not reorder evidence).

mod content;
mod header;

use std::fmt;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::iter::FusedIterator;
use std::str::FromStr;

use jiff::civil::DateTime;

use crate::{ImportError, Kind, Locator, Message, MessageTime};
use header::{Header, Meridiem, Style};

/// Order of the date fields as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `14/02/2024`
    Dmy,
    /// `02/14/2024`
    Mdy,
    /// `2024/02/14`
    Ymd,
}

impl fmt::Display for DateOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
            DateOrder::Ymd => "ymd",
        })
    }
}

impl FromStr for DateOrder {
    type Err = ImportError;
    fn from_str(s: &str) -> Result<Self, ImportError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dmy" => Ok(DateOrder::Dmy),
            "mdy" => Ok(DateOrder::Mdy),
            "ymd" => Ok(DateOrder::Ymd),
            _ => Err(ImportError::UnknownDateOrder(s.to_owned())),
        }
    }
}

/// How [`detect_date_order`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderBasis {
    /// The first field has four digits (or is above 31): a year.
    YearFirst { line: u64 },
    /// A field above 12 on this line can only be a day.
    FieldAbove12 { line: u64 },
    /// Between consecutive headers, one field changed alone this many times
    /// while the other never (or less often) did: that field is the day.
    DayLikeChanges { first_field: u64, second_field: u64 },
    /// Every date has day equal to month, so the order makes no difference.
    Indifferent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateOrderGuess {
    pub order: DateOrder,
    pub basis: OrderBasis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WhatsAppOptions {
    /// Skip inference and read dates in this order.
    pub date_order: Option<DateOrder>,
    /// Longest message (and longest line) accepted, in bytes. WhatsApp caps
    /// messages at 65,536 characters, so the default of 4 MiB is generous.
    pub max_message_bytes: usize,
}

impl Default for WhatsAppOptions {
    fn default() -> Self {
        Self {
            date_order: None,
            max_message_bytes: 4 << 20,
        }
    }
}

impl WhatsAppOptions {
    pub fn with_date_order(order: DateOrder) -> Self {
        Self {
            date_order: Some(order),
            ..Self::default()
        }
    }
}

/// One line, without its line ending.
#[derive(Clone, Copy)]
struct Line<'a> {
    bytes: &'a [u8],
    /// 1-based line number.
    no: u64,
    /// Byte offset of the line's start.
    start: u64,
}

impl Line<'_> {
    fn not_whatsapp(&self) -> ImportError {
        let excerpt: String = String::from_utf8_lossy(self.bytes)
            .chars()
            .take(60)
            .collect();
        ImportError::NotWhatsApp {
            line: self.no,
            byte_offset: self.start,
            excerpt,
        }
    }
}

/// Reads lines with a length cap, tracking line numbers and byte offsets.
/// A line that lies whole in the reader's buffer is lent out without a copy;
/// only lines that straddle a buffer refill are copied.
struct Lines<R> {
    r: R,
    buf: Vec<u8>,
    line: u64,
    next_start: u64,
    limit: usize,
    /// Bytes of the line lent out last time, consumed on the next call.
    lent: usize,
}

impl<R: BufRead> Lines<R> {
    fn new(r: R, limit: usize) -> Self {
        Self {
            r,
            buf: Vec::new(),
            line: 0,
            next_start: 0,
            limit,
            lent: 0,
        }
    }

    fn next_line(&mut self) -> Result<Option<Line<'_>>, ImportError> {
        if self.lent > 0 {
            self.r.consume(self.lent);
            self.lent = 0;
        }
        let no = self.line + 1;
        let io = |source| ImportError::Io { line: no, source };
        let found = {
            let avail = self.r.fill_buf().map_err(io)?;
            if avail.is_empty() {
                return Ok(None);
            }
            memchr::memchr(b'\n', avail)
        };
        self.line = no;
        let start = self.next_start;
        if let Some(pos) = found.filter(|&p| p <= self.limit.saturating_add(1)) {
            self.lent = pos + 1;
            self.next_start += pos as u64 + 1;
            let limit = self.limit;
            let avail = self.r.fill_buf().map_err(io)?;
            let bytes = strip_cr(avail.get(..pos).unwrap_or_default());
            if bytes.len() > limit {
                return Err(too_long(no, start, limit));
            }
            return Ok(Some(Line { bytes, no, start }));
        }
        self.buf.clear();
        let cap = u64::try_from(self.limit)
            .unwrap_or(u64::MAX)
            .saturating_add(2);
        let n = (&mut self.r)
            .take(cap)
            .read_until(b'\n', &mut self.buf)
            .map_err(io)?;
        self.next_start += n as u64;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        let (limit, buf) = (self.limit, &self.buf);
        let bytes = strip_cr(buf);
        if bytes.len() > limit {
            return Err(too_long(no, start, limit));
        }
        Ok(Some(Line { bytes, no, start }))
    }
}

fn strip_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

fn too_long(line: u64, byte_offset: u64, limit: usize) -> ImportError {
    ImportError::MessageTooLong {
        line,
        byte_offset,
        limit,
    }
}

fn is_blank(line: &[u8]) -> bool {
    let mut rest = line;
    loop {
        rest = rest.trim_ascii_start();
        match header::mark_len(rest) {
            Some(n) => rest = rest.get(n..).unwrap_or_default(),
            None => return rest.is_empty(),
        }
    }
}

/// First pass: infers the date order from header dates alone. Reads until
/// the evidence is decisive (a year-first date or a field above 12) or to
/// the end; keeps only a few counters.
pub fn detect_date_order<R: BufRead>(reader: R) -> Result<DateOrderGuess, ImportError> {
    let mut lines = Lines::new(reader, WhatsAppOptions::default().max_message_bytes);
    let mut style: Option<Style> = None;
    let mut prev: Option<(u16, u16)> = None;
    let (mut only_first, mut only_second) = (0u64, 0u64);
    let mut any_differs = false;
    let mut sample: Option<(u64, String)> = None;
    while let Some(l) = lines.next_line()? {
        let Some(h) = header::scan(l.bytes).filter(|h| style.is_none_or(|s| s == h.style)) else {
            if style.is_none() && !is_blank(l.bytes) {
                return Err(l.not_whatsapp());
            }
            continue;
        };
        style.get_or_insert(h.style);
        let line = l.no;
        let [a, b, _] = h.fields;
        if h.lens[0] > 2 || a > 31 {
            return Ok(guess(DateOrder::Ymd, OrderBasis::YearFirst { line }));
        }
        if a > 12 && b > 12 {
            return Err(ImportError::InvalidDate {
                line,
                byte_offset: l.start,
                text: stamp_text(l.bytes, &h),
                order: DateOrder::Dmy,
                reason: "both leading fields are above 12, so neither is a month".into(),
            });
        }
        if a > 12 {
            return Ok(guess(DateOrder::Dmy, OrderBasis::FieldAbove12 { line }));
        }
        if b > 12 {
            return Ok(guess(DateOrder::Mdy, OrderBasis::FieldAbove12 { line }));
        }
        if a != b {
            any_differs = true;
            if sample.is_none() {
                sample = Some((line, stamp_text(l.bytes, &h)));
            }
        }
        if let Some((pa, pb)) = prev {
            only_first += u64::from(pa != a && pb == b);
            only_second += u64::from(pa == a && pb != b);
        }
        prev = Some((a, b));
    }
    if style.is_none() {
        return Err(ImportError::NoHeader { lines: lines.line });
    }
    let basis = OrderBasis::DayLikeChanges {
        first_field: only_first,
        second_field: only_second,
    };
    if only_first > only_second {
        Ok(guess(DateOrder::Dmy, basis))
    } else if only_second > only_first {
        Ok(guess(DateOrder::Mdy, basis))
    } else if !any_differs {
        Ok(guess(DateOrder::Dmy, OrderBasis::Indifferent))
    } else {
        let (line, sample) = sample.unwrap_or_default();
        Err(ImportError::AmbiguousDateOrder { line, sample })
    }
}

fn guess(order: DateOrder, basis: OrderBasis) -> DateOrderGuess {
    DateOrderGuess { order, basis }
}

fn stamp_text(line: &[u8], h: &Header) -> String {
    String::from_utf8_lossy(line.get(h.stamp.0..h.stamp.1).unwrap_or_default()).into_owned()
}

/// Builds the wall-clock time of a header in the given order.
fn civil_time(h: &Header, order: DateOrder) -> Result<DateTime, String> {
    let [f0, f1, f2] = h.fields;
    let [l0, _, l2] = h.lens;
    let (y, ylen, m, d, dm_len) = match order {
        DateOrder::Dmy => (f2, l2, f1, f0, l0),
        DateOrder::Mdy => (f2, l2, f0, f1, l0),
        DateOrder::Ymd => (f0, l0, f1, f2, l2),
    };
    if dm_len > 2 {
        return Err(format!("a {dm_len}-digit field cannot be a day or month"));
    }
    let year = match ylen {
        2 => 2000 + y,
        4 => y,
        n => return Err(format!("a year has 2 or 4 digits, not {n}")),
    };
    let hour = match (h.meridiem, h.hour) {
        (Meridiem::None, h) => h,
        (Meridiem::Am, 12) => 0,
        (Meridiem::Am, h @ 0..=11) => h,
        (Meridiem::Pm, 0 | 12) => 12,
        (Meridiem::Pm, h @ 1..=11) => h + 12,
        (_, h) => return Err(format!("hour {h} on a 12-hour clock")),
    };
    let num = |v: u16| i8::try_from(v).map_err(|_| format!("field {v} out of range"));
    let year = i16::try_from(year).map_err(|_| format!("year {year} out of range"))?;
    DateTime::new(
        year,
        num(m)?,
        num(d)?,
        num(u16::from(hour))?,
        num(u16::from(h.minute))?,
        num(u16::from(h.second))?,
        0,
    )
    .map_err(|e| e.to_string())
}

struct Pending {
    line: u64,
    offset: u64,
    time: DateTime,
    sender: Option<String>,
    text: String,
    first_len: usize,
}

fn finish(p: Pending, index: u64) -> Message {
    let mut text = p.text;
    let (kind, media, edited, deleted) = if p.sender.is_some() {
        let b = content::classify(&mut text, p.first_len);
        (b.kind, b.media, b.edited, b.deleted)
    } else {
        (Kind::System, Vec::new(), false, false)
    };
    Message {
        index,
        source_id: None,
        sender: p.sender,
        sender_id: None,
        time: MessageTime::Civil(p.time),
        text,
        kind,
        action: None,
        media,
        edited,
        deleted,
        locator: Locator::Line {
            line: p.line,
            byte_offset: p.offset,
        },
        recipients: Vec::new(),
        direction: None,
        subject: None,
        reactions: Vec::new(),
    }
}

/// Second pass: a streaming iterator of messages in file order. Stops after
/// the first error.
pub struct Parser<R> {
    lines: Lines<R>,
    state: State,
    done: bool,
}

/// Everything but the reader, so a lent line and the state can be borrowed
/// together.
struct State {
    order: DateOrder,
    limit: usize,
    style: Option<Style>,
    pending: Option<Pending>,
    index: u64,
}

impl<R: BufRead> Parser<R> {
    /// Parses with a known date order (from [`detect_date_order`] or the
    /// caller). `options.date_order` is not consulted here.
    pub fn new(reader: R, order: DateOrder, options: WhatsAppOptions) -> Self {
        Self {
            lines: Lines::new(reader, options.max_message_bytes),
            state: State {
                order,
                limit: options.max_message_bytes,
                style: None,
                pending: None,
                index: 0,
            },
            done: false,
        }
    }

    pub fn date_order(&self) -> DateOrder {
        self.state.order
    }
}

impl State {
    /// Handles one line; returns a finished message when this line starts
    /// the next one.
    fn step(&mut self, l: Line<'_>) -> Result<Option<Message>, ImportError> {
        let header = header::scan(l.bytes).filter(|h| self.style.is_none_or(|s| s == h.style));
        let Some(h) = header else {
            let Some(p) = self.pending.as_mut() else {
                return if is_blank(l.bytes) {
                    Ok(None)
                } else {
                    Err(l.not_whatsapp())
                };
            };
            let text = utf8(l.bytes, l.no, l.start)?;
            if p.text.len() + 1 + text.len() > self.limit {
                return Err(too_long(p.line, p.offset, self.limit));
            }
            p.text.push('\n');
            p.text.push_str(text);
            return Ok(None);
        };
        self.style.get_or_insert(h.style);
        // The scanner consumed only ASCII and whole multi-byte marks and
        // spaces, so only the body needs validating.
        let rest = l.bytes.get(h.body..).unwrap_or_default();
        let body = utf8(rest, l.no, l.start + h.body as u64)?;
        let time = civil_time(&h, self.order).map_err(|reason| ImportError::InvalidDate {
            line: l.no,
            byte_offset: l.start,
            text: stamp_text(l.bytes, &h),
            order: self.order,
            reason,
        })?;
        let (sender, first) = match content::split_sender(body) {
            Some((s, t)) => (Some(s.to_owned()), t),
            None => (None, body),
        };
        let next = Pending {
            line: l.no,
            offset: l.start,
            time,
            sender,
            text: first.to_owned(),
            first_len: first.len(),
        };
        Ok(self.pending.replace(next).map(|p| self.emit(p)))
    }

    fn emit(&mut self, p: Pending) -> Message {
        let m = finish(p, self.index);
        self.index += 1;
        m
    }
}

fn utf8(buf: &[u8], line: u64, start: u64) -> Result<&str, ImportError> {
    std::str::from_utf8(buf).map_err(|e| ImportError::InvalidUtf8 {
        line,
        byte_offset: start + e.valid_up_to() as u64,
    })
}

impl<R: BufRead> Iterator for Parser<R> {
    type Item = Result<Message, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let step = match self.lines.next_line() {
                Ok(Some(line)) => self.state.step(line),
                Ok(None) => {
                    self.done = true;
                    return match self.state.pending.take() {
                        Some(p) => Some(Ok(self.state.emit(p))),
                        None if self.state.index == 0 => Some(Err(ImportError::NoHeader {
                            lines: self.lines.line,
                        })),
                        None => None,
                    };
                }
                Err(e) => Err(e),
            };
            match step {
                Ok(Some(m)) => return Some(Ok(m)),
                Ok(None) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

impl<R: BufRead> FusedIterator for Parser<R> {}

/// Both passes over a seekable source (a file): infers the date order unless
/// `options.date_order` is set, rewinds to where the source was, and returns
/// the streaming parser.
pub fn parse_seekable<R: Read + Seek>(
    mut source: R,
    options: WhatsAppOptions,
) -> Result<Parser<BufReader<R>>, ImportError> {
    let order = match options.date_order {
        Some(order) => order,
        None => {
            let io = |source| ImportError::Io { line: 0, source };
            let start = source.stream_position().map_err(io)?;
            let guess = detect_date_order(BufReader::new(&mut source))?;
            source.seek(SeekFrom::Start(start)).map_err(io)?;
            guess.order
        }
    };
    Ok(Parser::new(
        BufReader::with_capacity(64 << 10, source),
        order,
        options,
    ))
}

/// Parses a whole seekable source into memory (convenience for small files
/// and tests).
pub fn parse_all<R: Read + Seek>(
    source: R,
    options: WhatsAppOptions,
) -> Result<Vec<Message>, ImportError> {
    parse_seekable(source, options)?.collect()
}
