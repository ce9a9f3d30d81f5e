//! Splitting an mbox stream into messages, one at a time, with a cap on
//! each message's size.

use std::io::BufRead;
use std::iter::FusedIterator;

use super::{EmailOptions, MboxQuoting, convert};
use crate::{ImportError, Message};

/// A streaming iterator over the messages of an mbox file (mboxo or
/// mboxrd). Holds one message at a time; a message larger than
/// [`EmailOptions::max_message_bytes`] is skipped without being held and
/// reported as [`ImportError::MessageTooLong`].
///
/// Errors that concern one message (too long, no usable `Date`, not an
/// email, attachment too large) are yielded in its place and the iterator
/// goes on with the next message, so one bad message does not hide the
/// rest; a read error, or a file that is not an mbox at all, ends it.
pub struct Mbox<R> {
    r: R,
    options: EmailOptions,
    /// Lines and bytes consumed so far.
    lines: u64,
    offset: u64,
    /// Line and byte offset of the next message's `From ` line, already read.
    next: Option<(u64, u64)>,
    started: bool,
    done: bool,
    index: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> Mbox<R> {
    pub fn new(reader: R, options: EmailOptions) -> Self {
        Self {
            r: reader,
            options,
            lines: 0,
            offset: 0,
            next: None,
            started: false,
            done: false,
            index: 0,
            buf: Vec::new(),
        }
    }

    /// Reads one line, appending at most `keep` of its bytes to `out`.
    /// Returns the line's full length (0 at the end of input).
    fn read_line(&mut self, out: &mut Vec<u8>, keep: usize) -> Result<usize, ImportError> {
        let no = self.lines + 1;
        let mut total = 0usize;
        loop {
            let avail = self
                .r
                .fill_buf()
                .map_err(|source| ImportError::Io { line: no, source })?;
            if avail.is_empty() {
                break;
            }
            let (n, end) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            let room = keep.saturating_sub(total);
            out.extend_from_slice(avail.get(..n.min(room)).unwrap_or_default());
            self.r.consume(n);
            total += n;
            if end {
                break;
            }
        }
        if total > 0 {
            self.lines = no;
            self.offset += total as u64;
        }
        Ok(total)
    }

    /// Finds the first `From ` line, skipping blank lines before it.
    fn start(&mut self) -> Result<(), ImportError> {
        let mut line = Vec::new();
        loop {
            line.clear();
            let (no, at) = (self.lines + 1, self.offset);
            if self.read_line(&mut line, 200)? == 0 {
                return Ok(());
            }
            if line.starts_with(b"From ") {
                self.next = Some((no, at));
                return Ok(());
            }
            if !line.trim_ascii().is_empty() {
                let excerpt: String = String::from_utf8_lossy(&line)
                    .trim_end()
                    .chars()
                    .take(60)
                    .collect();
                return Err(ImportError::NotMbox {
                    line: no,
                    byte_offset: at,
                    excerpt,
                });
            }
        }
    }

    /// Reads the message whose `From ` line was at `at`, up to the next
    /// `From ` line. Returns whether it fit within the cap.
    fn read_message(&mut self) -> Result<bool, ImportError> {
        let limit = self.options.max_message_bytes;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let mut fits = true;
        let mut probe = Vec::new();
        loop {
            let (no, at) = (self.lines + 1, self.offset);
            let start = buf.len();
            let len = if fits {
                self.read_line(&mut buf, (limit + 1).saturating_sub(start).max(5))?
            } else {
                probe.clear();
                self.read_line(&mut probe, 5)?
            };
            if len == 0 {
                break;
            }
            let head = if fits {
                buf.get(start..).unwrap_or_default()
            } else {
                &probe[..]
            };
            if head.starts_with(b"From ") {
                buf.truncate(start);
                self.next = Some((no, at));
                break;
            }
            if !fits {
                continue;
            }
            if buf.len() > limit {
                fits = false;
                buf = Vec::new();
                continue;
            }
            if self.options.quoting == MboxQuoting::Mboxrd {
                let line = buf.get(start..).unwrap_or_default();
                let quotes = line.iter().take_while(|&&b| b == b'>').count();
                if quotes > 0 && line.get(quotes..).is_some_and(|l| l.starts_with(b"From ")) {
                    buf.remove(start);
                }
            }
        }
        // The blank line before the next `From ` belongs to the separator.
        if buf.ends_with(b"\r\n\r\n") {
            buf.truncate(buf.len() - 2);
        } else if buf.ends_with(b"\n\n") {
            buf.pop();
        }
        self.buf = buf;
        Ok(fits)
    }
}

impl<R: BufRead> Iterator for Mbox<R> {
    type Item = Result<Message, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            if let Err(e) = self.start() {
                self.done = true;
                return Some(Err(e));
            }
        }
        let Some((line, byte_offset)) = self.next.take() else {
            self.done = true;
            return None;
        };
        match self.read_message() {
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
            Ok(false) => Some(Err(ImportError::MessageTooLong {
                line,
                byte_offset,
                limit: self.options.max_message_bytes,
            })),
            Ok(true) => {
                let m = convert(&self.buf, self.index, line, byte_offset, &self.options);
                self.index += u64::from(m.is_ok());
                Some(m)
            }
        }
    }
}

impl<R: BufRead> FusedIterator for Mbox<R> {}
