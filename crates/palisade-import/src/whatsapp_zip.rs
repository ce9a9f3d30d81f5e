//! WhatsApp "Export chat" `.zip`: the chat text plus the media it names.
//!
//! Android writes `WhatsApp Chat with NAME.txt` and media under WhatsApp's
//! own names (`IMG-20240214-WA0003.jpg`, `PTT-20240214-WA0001.opus`); iOS
//! writes `_chat.txt` and numbered media (`00000012-PHOTO-2024-02-14-21-08-01.jpg`).
//! [`WhatsAppZip::open`] reads the archive's directory from any
//! `Read + Seek`, checks every entry, and finds the chat text;
//! [`WhatsAppZip::messages`] runs the two-pass [`whatsapp`] parser over it
//! (the entry is opened twice: once for [`whatsapp::detect_date_order`],
//! once for [`whatsapp::Parser`]); [`WhatsAppZip::resolve_media`] maps a
//! message's [`MediaRef::File`] to an entry and [`WhatsAppZip::open_media`]
//! streams that entry's bytes.
//!
//! The archive is treated as hostile input. [`WhatsAppZip::open`] refuses
//! the whole archive, with an error naming the entry, when any entry:
//!
//! * has a name that could escape a folder if extracted (`..`, a leading
//!   `/`, a backslash, a drive letter such as `C:`), or a NUL or other
//!   control character ([`ImportError::UnsafeZipEntry`]); or is a symbolic
//!   link; or appears twice under one name;
//! * is encrypted ([`ImportError::EncryptedZipEntry`]), or compressed with
//!   anything but deflate or stored ([`ImportError::ZipEntry`]);
//! * declares more bytes than [`ZipLimits`] allow: too many entries, an
//!   entry or a total too large, or a compression ratio typical of a zip
//!   bomb ([`ImportError::ZipLimitExceeded`]).
//!
//! Declared sizes are not trusted: every read is counted, an entry may not
//! produce more bytes than its header declares, and the same limits are
//! checked again on the bytes actually produced. Entry data is verified
//! against its CRC-32 at the end of the entry.
//!
//! ```
//! use std::io::{Cursor, Read, Write};
//! use palisade_import::whatsapp::WhatsAppOptions;
//! use palisade_import::whatsapp_zip::{WhatsAppZip, ZipLimits};
//!
//! // A small Android-style export, built here so the example is self-contained.
//! let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
//! let opts = zip::write::SimpleFileOptions::default();
//! zip.start_file("WhatsApp Chat with Bob.txt", opts)?;
//! zip.write_all(b"14/02/2024, 21:07 - Bob: IMG-20240214-WA0003.jpg (file attached)\n")?;
//! zip.start_file("IMG-20240214-WA0003.jpg", opts)?;
//! zip.write_all(b"\xFF\xD8 jpeg bytes")?;
//! let bytes = zip.finish()?.into_inner();
//!
//! let mut export = WhatsAppZip::open(Cursor::new(bytes), ZipLimits::default())?;
//! assert_eq!(export.chat_entry_name(), "WhatsApp Chat with Bob.txt");
//! let messages = export.parse_all(WhatsAppOptions::default())?;
//! let entry = export.resolve_ref(&messages[0].media[0]).and_then(|m| m.entry());
//! assert_eq!(entry, Some("IMG-20240214-WA0003.jpg"));
//! let mut photo = Vec::new();
//! export.open_media("IMG-20240214-WA0003.jpg")?.read_to_end(&mut photo)?;
//! assert_eq!(photo, b"\xFF\xD8 jpeg bytes");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use zip::read::ZipFile;
use zip::{CompressionMethod, ZipArchive};

use crate::whatsapp::{self, DateOrderGuess, Parser, WhatsAppOptions};
use crate::{ImportError, MediaRef, Message};

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Limits against zip bombs and oversized archives. Checked on the sizes the
/// archive declares when it is opened, and again on the bytes actually
/// produced while reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZipLimits {
    /// Most entries (files and folders) an archive may list. Default 100,000.
    pub max_entries: u64,
    /// Largest uncompressed entry, in bytes. Default 1 GiB.
    pub max_entry_bytes: u64,
    /// Largest sum of uncompressed entries, in bytes. Default 4 GiB.
    pub max_total_bytes: u64,
    /// Highest uncompressed-to-compressed ratio allowed for an entry larger
    /// than [`ZipLimits::ratio_threshold_bytes`]. Default 200 (200:1).
    /// Photos, video and voice notes barely compress; chat text compresses
    /// perhaps 10:1. Ratios in the hundreds or thousands are zip bombs.
    pub max_ratio: u64,
    /// Entries up to this many uncompressed bytes are exempt from the ratio
    /// check (tiny files can have silly ratios). Default 1 MiB.
    pub ratio_threshold_bytes: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            max_entry_bytes: GIB,
            max_total_bytes: 4 * GIB,
            max_ratio: 200,
            ratio_threshold_bytes: MIB,
        }
    }
}

/// Which of the [`ZipLimits`] an archive exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ZipLimitKind {
    /// [`ZipLimits::max_entries`].
    Entries,
    /// [`ZipLimits::max_entry_bytes`].
    EntryBytes,
    /// [`ZipLimits::max_total_bytes`].
    TotalBytes,
    /// [`ZipLimits::max_ratio`].
    Ratio,
    /// An entry produced more bytes than its header declares.
    DeclaredSize,
}

impl fmt::Display for ZipLimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ZipLimitKind::Entries => "number of entries",
            ZipLimitKind::EntryBytes => "size of one entry",
            ZipLimitKind::TotalBytes => "total uncompressed size",
            ZipLimitKind::Ratio => "compression ratio",
            ZipLimitKind::DeclaredSize => "declared size",
        })
    }
}

/// How a media file name from the chat matched the archive's entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaMatch<'a> {
    /// An entry has exactly this name.
    Exact(&'a str),
    /// No entry has this exact name, but exactly one entry has the same base
    /// name (the part after the last `/`), such as `Media/IMG-….jpg`.
    BaseName(&'a str),
    /// Several entries share the base name; none is chosen.
    Ambiguous(Vec<&'a str>),
    /// The export does not contain the file (WhatsApp leaves out media that
    /// was never downloaded to the phone).
    Missing,
}

impl<'a> MediaMatch<'a> {
    /// The matched entry's name, when exactly one entry matched.
    pub fn entry(&self) -> Option<&'a str> {
        match self {
            MediaMatch::Exact(name) | MediaMatch::BaseName(name) => Some(name),
            MediaMatch::Ambiguous(_) | MediaMatch::Missing => None,
        }
    }
}

/// One file entry of the archive (folders are not listed).
#[derive(Clone, Debug)]
struct Entry {
    /// Position in the archive's directory.
    index: usize,
    name: String,
    size: u64,
    compressed: u64,
}

/// An opened WhatsApp export archive.
pub struct WhatsAppZip<R> {
    archive: ZipArchive<R>,
    limits: ZipLimits,
    /// File entries in archive order; `chat` indexes into it.
    entries: Vec<Entry>,
    chat: usize,
    by_name: HashMap<String, usize>,
    /// Base name → positions in `entries` (media only).
    by_base: HashMap<String, Vec<usize>>,
    meter: Meter,
}

impl<R> fmt::Debug for WhatsAppZip<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhatsAppZip")
            .field("chat", &self.chat_entry_name())
            .field("entries", &self.entries.len())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl<R: Read + Seek> WhatsAppZip<R> {
    /// Reads the archive's directory, checks every entry (names, encryption,
    /// compression, declared sizes against `limits`) and finds the chat
    /// text. Reads no entry data.
    pub fn open(mut reader: R, limits: ZipLimits) -> Result<Self, ImportError> {
        precheck_entry_count(&mut reader, limits.max_entries)?;
        let archive = ZipArchive::new(reader).map_err(|e| ImportError::NotZip {
            reason: e.to_string(),
        })?;
        let listed = archive.len() as u64;
        if listed > limits.max_entries {
            return Err(too_many(listed, limits.max_entries));
        }
        if archive.has_duplicate_names() {
            return Err(ImportError::NotZip {
                reason: "the directory lists the same entry name more than once (a WhatsApp \
                         export never does; the archive was altered)"
                    .into(),
            });
        }

        let mut entries = Vec::new();
        let mut total: u64 = 0;
        for index in 0..archive.len() {
            let data = archive
                .by_index_data(index)
                .map_err(|e| ImportError::NotZip {
                    reason: e.to_string(),
                })?;
            let raw = String::from_utf8_lossy(data.name_raw()).into_owned();
            let name = match data.name() {
                Ok(name) => name.into_owned(),
                Err(e) => return Err(unsafe_entry(&raw, &format!("unreadable name: {e}"))),
            };
            for n in [&name, &raw] {
                if let Some(reason) = unsafe_name(n) {
                    return Err(unsafe_entry(n, reason));
                }
            }
            if data.is_symlink() {
                return Err(unsafe_entry(&name, "it is a symbolic link"));
            }
            if data.encrypted() {
                return Err(ImportError::EncryptedZipEntry { entry: name });
            }
            if data.is_dir() {
                continue;
            }
            let method = data.compression();
            if !matches!(
                method,
                CompressionMethod::Stored | CompressionMethod::Deflated
            ) {
                return Err(ImportError::ZipEntry {
                    entry: name,
                    reason: format!(
                        "compression method {method} is not supported (WhatsApp exports use \
                         deflate or no compression)"
                    ),
                });
            }
            let (size, compressed) = (data.size(), data.compressed_size());
            check_entry(&limits, &name, size, compressed)?;
            total = total.saturating_add(size);
            if total > limits.max_total_bytes {
                return Err(limit(
                    ZipLimitKind::TotalBytes,
                    Some(&name),
                    format!(
                        "the entries declare more than {} bytes in total (at entry {name:?}), \
                         the limit for one archive",
                        limits.max_total_bytes
                    ),
                ));
            }
            entries.push(Entry {
                index,
                name,
                size,
                compressed,
            });
        }

        let chat = find_chat(&entries)?;
        let mut by_name = HashMap::with_capacity(entries.len());
        let mut by_base: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_name.insert(e.name.clone(), i);
            if i != chat {
                by_base
                    .entry(base_name(&e.name).to_owned())
                    .or_default()
                    .push(i);
            }
        }
        let meter = Meter {
            high_water: vec![0; archive.len()],
            total: 0,
        };
        Ok(Self {
            archive,
            limits,
            entries,
            chat,
            by_name,
            by_base,
            meter,
        })
    }

    /// Opens the chat text for reading (raw bytes, limits enforced).
    pub fn open_chat(&mut self) -> Result<ZipEntryReader<'_, R>, ImportError> {
        self.open_at(self.chat)
    }

    /// Opens a media entry by its exact name (from [`WhatsAppZip::media_names`]
    /// or [`MediaMatch::entry`]). Reads are limited: an entry may not produce
    /// more than its declared size, [`ZipLimits::max_entry_bytes`], or
    /// [`ZipLimits::max_ratio`] times its compressed size, and all reads
    /// together not more than [`ZipLimits::max_total_bytes`] (re-reading an
    /// entry does not count twice). A read past a limit fails with an
    /// `io::Error` of kind `InvalidData` whose inner error is the
    /// [`ImportError`]; so does damaged data (including a CRC mismatch,
    /// reported at the end of the entry).
    pub fn open_media(&mut self, name: &str) -> Result<ZipEntryReader<'_, R>, ImportError> {
        match self.by_name.get(name) {
            Some(&i) if i != self.chat => self.open_at(i),
            _ => Err(ImportError::ZipEntryNotFound {
                name: name.to_owned(),
            }),
        }
    }

    fn open_at(&mut self, i: usize) -> Result<ZipEntryReader<'_, R>, ImportError> {
        let Self {
            archive,
            limits,
            entries,
            meter,
            ..
        } = self;
        let entry = entries
            .get(i)
            .ok_or_else(|| ImportError::ZipEntryNotFound {
                name: format!("#{i}"),
            })?;
        let file = archive
            .by_index(entry.index)
            .map_err(|e| ImportError::ZipEntry {
                entry: entry.name.clone(),
                reason: e.to_string(),
            })?;
        Ok(ZipEntryReader {
            inner: Limited {
                inner: file,
                entry,
                limits: *limits,
                produced: 0,
                meter,
            },
        })
    }

    /// First pass over the chat text: infers the date order (see
    /// [`whatsapp::detect_date_order`]).
    pub fn detect_date_order(&mut self) -> Result<DateOrderGuess, ImportError> {
        let chat = self.open_chat()?;
        whatsapp::detect_date_order(BufReader::with_capacity(64 << 10, chat)).map_err(unwrap_io)
    }

    /// Streams the chat's messages. Unless `options.date_order` is set, the
    /// chat entry is read once to infer the date order
    /// ([`ImportError::AmbiguousDateOrder`] when it cannot be decided), then
    /// opened again to parse. Errors from reading the archive (limits,
    /// damaged data) come back as their own [`ImportError`] variants, not
    /// wrapped in [`ImportError::Io`].
    pub fn messages(
        &mut self,
        options: WhatsAppOptions,
    ) -> Result<ChatMessages<'_, R>, ImportError> {
        let order = match options.date_order {
            Some(order) => order,
            None => self.detect_date_order()?.order,
        };
        let chat = self.open_chat()?;
        Ok(ChatMessages {
            parser: Parser::new(BufReader::with_capacity(64 << 10, chat), order, options),
        })
    }

    /// The whole chat in memory (convenience for small exports and tests).
    pub fn parse_all(&mut self, options: WhatsAppOptions) -> Result<Vec<Message>, ImportError> {
        self.messages(options)?.collect()
    }
}

impl<R> WhatsAppZip<R> {
    /// The entry holding the chat text, such as `_chat.txt` or
    /// `WhatsApp Chat with Bob.txt`.
    pub fn chat_entry_name(&self) -> &str {
        self.entries
            .get(self.chat)
            .map(|e| e.name.as_str())
            .unwrap_or_default()
    }

    /// Every file entry other than the chat text, in archive order (folders
    /// are not listed).
    pub fn media_names(&self) -> impl Iterator<Item = &str> {
        let chat = self.chat;
        self.entries
            .iter()
            .enumerate()
            .filter(move |&(i, _)| i != chat)
            .map(|(_, e)| e.name.as_str())
    }

    /// The uncompressed size an entry declares (the chat entry included).
    pub fn entry_size(&self, name: &str) -> Option<u64> {
        let &i = self.by_name.get(name)?;
        self.entries.get(i).map(|e| e.size)
    }

    pub fn limits(&self) -> ZipLimits {
        self.limits
    }

    /// Finds the media entry for a file name as the chat writes it: by
    /// exact name first, then by base name.
    pub fn resolve_media(&self, path: &str) -> MediaMatch<'_> {
        if let Some(&i) = self.by_name.get(path)
            && i != self.chat
        {
            return MediaMatch::Exact(self.name_at(i));
        }
        match self.by_base.get(base_name(path)).map(Vec::as_slice) {
            None | Some([]) => MediaMatch::Missing,
            Some([i]) => MediaMatch::BaseName(self.name_at(*i)),
            Some(many) => MediaMatch::Ambiguous(many.iter().map(|&i| self.name_at(i)).collect()),
        }
    }

    /// [`WhatsAppZip::resolve_media`] for a message's media; `None` for
    /// anything but [`MediaRef::File`] (omitted media, inline media, links).
    pub fn resolve_ref(&self, media: &MediaRef) -> Option<MediaMatch<'_>> {
        match media {
            MediaRef::File { path, .. } => Some(self.resolve_media(path)),
            _ => None,
        }
    }

    fn name_at(&self, i: usize) -> &str {
        self.entries
            .get(i)
            .map(|e| e.name.as_str())
            .unwrap_or_default()
    }
}

/// The chat's messages, streamed from the archive (see
/// [`WhatsAppZip::messages`]). Stops after the first error.
pub struct ChatMessages<'a, R: Read + Seek> {
    parser: Parser<BufReader<ZipEntryReader<'a, R>>>,
}

impl<R: Read + Seek> fmt::Debug for ChatMessages<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatMessages")
            .field("date_order", &self.parser.date_order())
            .finish_non_exhaustive()
    }
}

impl<R: Read + Seek> ChatMessages<'_, R> {
    pub fn date_order(&self) -> whatsapp::DateOrder {
        self.parser.date_order()
    }
}

impl<R: Read + Seek> Iterator for ChatMessages<'_, R> {
    type Item = Result<Message, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.parser.next().map(|r| r.map_err(unwrap_io))
    }
}

impl<R: Read + Seek> std::iter::FusedIterator for ChatMessages<'_, R> {}

/// Reads one entry with the limits enforced on the bytes produced.
pub struct ZipEntryReader<'a, R: Read + Seek> {
    inner: Limited<'a, ZipFile<'a, R>>,
}

impl<R: Read + Seek> ZipEntryReader<'_, R> {
    /// The entry's name.
    pub fn name(&self) -> &str {
        &self.inner.entry.name
    }

    /// The uncompressed size the entry declares (reads stop there).
    pub fn declared_size(&self) -> u64 {
        self.inner.entry.size
    }
}

impl<R: Read + Seek> fmt::Debug for ZipEntryReader<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZipEntryReader")
            .field("name", &self.inner.entry.name)
            .field("declared_size", &self.inner.entry.size)
            .field("produced", &self.inner.produced)
            .finish_non_exhaustive()
    }
}

impl<R: Read + Seek> Read for ZipEntryReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

/// Bytes produced so far: the highest position reached in each entry, and
/// their sum (so a second pass over the chat does not count twice).
#[derive(Debug)]
struct Meter {
    high_water: Vec<u64>,
    total: u64,
}

/// Counts what `inner` produces and fails once a limit is passed.
struct Limited<'a, I> {
    inner: I,
    entry: &'a Entry,
    limits: ZipLimits,
    produced: u64,
    meter: &'a mut Meter,
}

impl<I: Read> Limited<'_, I> {
    fn fail(&self, e: ImportError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }

    fn check(&mut self) -> Result<(), ImportError> {
        let (e, l, n) = (self.entry, &self.limits, self.produced);
        if n > e.size {
            return Err(limit(
                ZipLimitKind::DeclaredSize,
                Some(&e.name),
                format!(
                    "entry {:?} produced more than the {} bytes its header declares",
                    e.name, e.size
                ),
            ));
        }
        check_entry(l, &e.name, n, e.compressed)?;
        let hw = self.meter.high_water.get_mut(e.index);
        if let Some(hw) = hw
            && n > *hw
        {
            self.meter.total = self.meter.total.saturating_add(n - *hw);
            *hw = n;
        }
        if self.meter.total > l.max_total_bytes {
            return Err(limit(
                ZipLimitKind::TotalBytes,
                Some(&e.name),
                format!(
                    "reading entry {:?} took the archive past {} bytes in total, the limit for \
                     one archive",
                    e.name, l.max_total_bytes
                ),
            ));
        }
        Ok(())
    }
}

impl<I: Read> Read for Limited<'_, I> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                return Err(self.fail(ImportError::ZipEntry {
                    entry: self.entry.name.clone(),
                    reason: format!("damaged or inconsistent data: {e}"),
                }));
            }
        };
        self.produced = self.produced.saturating_add(n as u64);
        self.check().map_err(|e| self.fail(e))?;
        Ok(n)
    }
}

/// Limits that apply to one entry, for a declared or an actual size.
fn check_entry(l: &ZipLimits, name: &str, size: u64, compressed: u64) -> Result<(), ImportError> {
    if size > l.max_entry_bytes {
        return Err(limit(
            ZipLimitKind::EntryBytes,
            Some(name),
            format!(
                "entry {name:?} is larger than {} bytes, the limit for one entry",
                l.max_entry_bytes
            ),
        ));
    }
    if size > l.ratio_threshold_bytes
        && u128::from(size) > u128::from(compressed) * u128::from(l.max_ratio)
    {
        return Err(limit(
            ZipLimitKind::Ratio,
            Some(name),
            format!(
                "entry {name:?} expands {compressed} compressed bytes to {size} bytes, a ratio \
                 above {}:1",
                l.max_ratio
            ),
        ));
    }
    Ok(())
}

fn limit(kind: ZipLimitKind, entry: Option<&str>, detail: String) -> ImportError {
    ImportError::ZipLimitExceeded {
        limit: kind,
        entry: entry.map(str::to_owned),
        detail,
    }
}

fn too_many(count: u64, max: u64) -> ImportError {
    limit(
        ZipLimitKind::Entries,
        None,
        format!("the archive lists {count} entries, more than the limit of {max}"),
    )
}

fn unsafe_entry(name: &str, reason: &str) -> ImportError {
    ImportError::UnsafeZipEntry {
        entry: name.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Why an entry name is unsafe to use as a path, if it is.
fn unsafe_name(name: &str) -> Option<&'static str> {
    let b = name.as_bytes();
    if name.is_empty() {
        return Some("the name is empty");
    }
    if name.contains('\\') {
        return Some("the name contains a backslash, a Windows path separator");
    }
    if name.starts_with('/') {
        return Some("the name is an absolute path");
    }
    if b.len() >= 2 && b.first().is_some_and(u8::is_ascii_alphabetic) && b.get(1) == Some(&b':') {
        return Some("the name starts with a drive letter");
    }
    if name.split('/').any(|c| c == "..") {
        return Some("the name climbs out of its folder with `..`");
    }
    if name.chars().any(char::is_control) {
        return Some("the name contains a control character");
    }
    None
}

fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Chooses the chat text among the `.txt` entries: the only one; else the
/// only `_chat.txt` (iOS); else the only one whose name mentions WhatsApp
/// (Android: `WhatsApp Chat with NAME.txt`, `WhatsApp-Chat mit NAME.txt`,
/// `Chat de WhatsApp con NAME.txt`, …). macOS metadata (`__MACOSX/`, `._*`)
/// is never a candidate.
fn find_chat(entries: &[Entry]) -> Result<usize, ImportError> {
    let candidates: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            let base = base_name(&e.name);
            base.len() > 4
                && base
                    .get(base.len() - 4..)
                    .is_some_and(|ext| ext.eq_ignore_ascii_case(".txt"))
                && !base.starts_with("._")
                && !e.name.starts_with("__MACOSX/")
        })
        .map(|(i, _)| i)
        .collect();
    let only = |pred: &dyn Fn(&str) -> bool| -> Option<usize> {
        let mut hits = candidates
            .iter()
            .copied()
            .filter(|&i| entries.get(i).is_some_and(|e| pred(base_name(&e.name))));
        match (hits.next(), hits.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    };
    match candidates.as_slice() {
        [] => Err(ImportError::NoWhatsAppChat {
            entries: entries.len(),
        }),
        [one] => Ok(*one),
        _ => only(&|b| b == "_chat.txt")
            .or_else(|| only(&|b| b.to_lowercase().contains("whatsapp")))
            .ok_or_else(|| ImportError::AmbiguousWhatsAppChat {
                candidates: candidates
                    .iter()
                    .filter_map(|&i| entries.get(i).map(|e| e.name.clone()))
                    .collect(),
            }),
    }
}

/// Turns an `Io` error whose source is one of ours (from [`Limited`]) back
/// into that error.
fn unwrap_io(e: ImportError) -> ImportError {
    match e {
        ImportError::Io { line, source }
            if source
                .get_ref()
                .is_some_and(|inner| inner.is::<ImportError>()) =>
        {
            let kind = source.kind();
            match source
                .into_inner()
                .map(|inner| inner.downcast::<ImportError>())
            {
                Some(Ok(ours)) => *ours,
                Some(Err(other)) => ImportError::Io {
                    line,
                    source: io::Error::new(kind, other),
                },
                None => ImportError::Io {
                    line,
                    source: io::Error::from(kind),
                },
            }
        }
        other => other,
    }
}

const EOCD_SIG: &[u8; 4] = b"PK\x05\x06";
const EOCD64_LOCATOR_SIG: &[u8; 4] = b"PK\x06\x07";
const EOCD64_SIG: &[u8; 4] = b"PK\x06\x06";
/// End-of-central-directory record without its comment.
const EOCD_LEN: usize = 22;
const EOCD64_LOCATOR_LEN: usize = 20;
const EOCD64_LEN: usize = 56;

/// Refuses an archive whose end-of-directory records declare more entries
/// than `max`, before the zip reader allocates anything for them. Every
/// end-of-directory signature in the last 64 KiB (where a reader looks for
/// one) is checked, and for ZIP64 the record its locator points at. An
/// input too short or without any record is left to the zip reader, which
/// says it is not a zip.
fn precheck_entry_count<R: Read + Seek>(reader: &mut R, max: u64) -> Result<(), ImportError> {
    let io = |e: io::Error| ImportError::NotZip {
        reason: e.to_string(),
    };
    let start = reader.stream_position().map_err(io)?;
    let len = reader.seek(SeekFrom::End(0)).map_err(io)?;
    let window = (EOCD_LEN + usize::from(u16::MAX) + EOCD64_LOCATOR_LEN) as u64;
    let tail_start = len.saturating_sub(window);
    reader.seek(SeekFrom::Start(tail_start)).map_err(io)?;
    let mut tail = Vec::new();
    reader.take(window).read_to_end(&mut tail).map_err(io)?;

    let mut zip64_offsets = Vec::new();
    for at in memchr::memmem::find_iter(&tail, EOCD_SIG) {
        let Some(rec) = tail.get(at..at + EOCD_LEN) else {
            continue;
        };
        let on_disk = u64::from(le16(rec, 8));
        let total = u64::from(le16(rec, 10));
        let zip64 = on_disk == 0xFFFF
            || total == 0xFFFF
            || le32(rec, 12) == u32::MAX
            || le32(rec, 16) == u32::MAX;
        let locator = at
            .checked_sub(EOCD64_LOCATOR_LEN)
            .and_then(|l| tail.get(l..at))
            .filter(|l| l.starts_with(EOCD64_LOCATOR_SIG));
        match locator {
            Some(loc) if zip64 => zip64_offsets.push(le64(loc, 8)),
            _ => {
                let count = on_disk.max(total);
                if count > max {
                    return Err(too_many(count, max));
                }
            }
        }
    }
    for offset in zip64_offsets {
        let mut rec = [0u8; EOCD64_LEN];
        let found = reader.seek(SeekFrom::Start(offset)).is_ok()
            && reader.read_exact(&mut rec).is_ok()
            && rec.starts_with(EOCD64_SIG);
        if !found {
            return Err(ImportError::NotZip {
                reason: format!(
                    "the ZIP64 end-of-directory record is not at offset {offset}, where its \
                     locator says"
                ),
            });
        }
        let count = le64(&rec, 24).max(le64(&rec, 32));
        if count > max {
            return Err(too_many(count, max));
        }
    }
    reader.seek(SeekFrom::Start(start)).map_err(io)?;
    Ok(())
}

fn le16(b: &[u8], at: usize) -> u16 {
    let mut a = [0u8; 2];
    if let Some(s) = b.get(at..at + 2) {
        a.copy_from_slice(s);
    }
    u16::from_le_bytes(a)
}

fn le32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        a.copy_from_slice(s);
    }
    u32::from_le_bytes(a)
}

fn le64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        a.copy_from_slice(s);
    }
    u64::from_le_bytes(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(size: u64, compressed: u64) -> Entry {
        Entry {
            index: 0,
            name: "x.bin".into(),
            size,
            compressed,
        }
    }

    /// Reads `data` through the limiter as if it were an entry declaring
    /// `declared` bytes from `compressed` compressed bytes.
    fn drain(
        data: &[u8],
        e: &Entry,
        limits: ZipLimits,
        meter: &mut Meter,
    ) -> Result<u64, ImportError> {
        let mut r = Limited {
            inner: data,
            entry: e,
            limits,
            produced: 0,
            meter,
        };
        let mut sink = Vec::new();
        match r.read_to_end(&mut sink) {
            Ok(n) => Ok(n as u64),
            Err(err) => Err(*err
                .into_inner()
                .and_then(|i| i.downcast::<ImportError>().ok())
                .expect("limiter errors carry an ImportError")),
        }
    }

    fn meter() -> Meter {
        Meter {
            high_water: vec![0],
            total: 0,
        }
    }

    fn kind(r: Result<u64, ImportError>) -> ZipLimitKind {
        match r {
            Err(ImportError::ZipLimitExceeded { limit, .. }) => limit,
            other => panic!("expected a limit error, got {other:?}"),
        }
    }

    #[test]
    fn actual_bytes_are_limited_whatever_the_header_says() {
        let data = vec![0u8; 3 << 20];
        // The header understates the size: refused at the declared size.
        let k = kind(drain(
            &data,
            &entry(1000, 1000),
            ZipLimits::default(),
            &mut meter(),
        ));
        assert_eq!(k, ZipLimitKind::DeclaredSize);
        // Honest header, but the bytes pass the per-entry limit.
        let small = ZipLimits {
            max_entry_bytes: 2 << 20,
            ..ZipLimits::default()
        };
        let k = kind(drain(&data, &entry(3 << 20, 3 << 20), small, &mut meter()));
        assert_eq!(k, ZipLimitKind::EntryBytes);
        // Ratio: 3 MiB out of 1 KiB in.
        let k = kind(drain(
            &data,
            &entry(3 << 20, 1024),
            ZipLimits::default(),
            &mut meter(),
        ));
        assert_eq!(k, ZipLimitKind::Ratio);
        // Total: two full reads of the same entry count once.
        let total = ZipLimits {
            max_total_bytes: (3 << 20) + 10,
            ..ZipLimits::default()
        };
        let e = entry(3 << 20, 3 << 20);
        let mut m = meter();
        assert_eq!(drain(&data, &e, total, &mut m).ok(), Some(3 << 20));
        assert_eq!(drain(&data, &e, total, &mut m).ok(), Some(3 << 20));
        assert_eq!(m.total, 3 << 20);
        let tight = ZipLimits {
            max_total_bytes: 1 << 20,
            ..ZipLimits::default()
        };
        assert_eq!(
            kind(drain(&data, &e, tight, &mut meter())),
            ZipLimitKind::TotalBytes
        );
    }

    #[test]
    fn names() {
        for bad in [
            "../x.jpg",
            "a/../../x.jpg",
            "..",
            "/etc/passwd",
            "a\\b.jpg",
            "..\\x.jpg",
            "C:/x.jpg",
            "c:x.jpg",
            "",
            "a\0b",
            "a\nb.txt",
        ] {
            assert!(unsafe_name(bad).is_some(), "{bad:?} should be refused");
        }
        for good in [
            "_chat.txt",
            "WhatsApp Chat with Dr. Müller.txt",
            "IMG-20240214-WA0003.jpg",
            "00000012-PHOTO-2024-02-14-21-08-01.jpg",
            "Media/IMG-20240214-WA0003.jpg",
            "a..b.jpg",
            "notes:2.txt",
        ] {
            assert_eq!(unsafe_name(good), None, "{good:?} should be accepted");
        }
    }
}
