//! Reading an export from disk with the right parser: which files make up
//! the export, their hashes, the messages in them, and where the media
//! they name can be found.

use super::{ImportFormat, ImportOptions};
use crate::error::{Result, ServiceError};
use palisade_import::whatsapp::{self, DateOrder, WhatsAppOptions};
use palisade_import::whatsapp_zip::{WhatsAppZip, ZipLimits};
use palisade_import::{Message, email, instagram, messenger, sms_backup, telegram, x_dm};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};

/// One file of the export, hashed before it is parsed.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    pub name: String,
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
}

/// An export ready to be read: its files (hashed), how its dates are read, and
/// where relative media paths are resolved. [`Export::for_each`] parses it,
/// streaming, as often as needed.
pub(crate) struct Export {
    format: ImportFormat,
    pub files: Vec<SourceFile>,
    /// `dmy`/`mdy`/`ymd` and how it was decided, for formats with bare dates.
    pub date_order: Option<(String, String)>,
    whatsapp_order: Option<DateOrder>,
    /// Folders under which the export's relative media paths may lie, nearest first.
    pub media_roots: Vec<PathBuf>,
    chats: Vec<String>,
    /// A WhatsApp .zip, kept open to find and read the media it holds (the chat
    /// itself is read through a second handle, so both can be open at once).
    zip: Option<RefCell<WhatsAppZip<File>>>,
}

/// Where the bytes of a media file named by the export are.
pub(crate) enum Found {
    File(PathBuf),
    ZipEntry(String),
}

fn is_zip(path: &Path) -> Result<bool> {
    let mut head = [0u8; 4];
    let n = open(path)?
        .read(&mut head)
        .map_err(|e| import_error(path, e))?;
    Ok(n == 4 && (&head == b"PK\x03\x04" || &head == b"PK\x05\x06"))
}

fn open_zip(path: &Path) -> Result<WhatsAppZip<File>> {
    WhatsAppZip::open(open(path)?, ZipLimits::default()).map_err(|e| import_error(path, e))
}

fn import_error(path: &Path, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::ImportFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| import_error(path, e))
}

/// Hash a file (SHA-256, hex) and measure it.
pub(crate) fn hash_file(path: &Path) -> Result<SourceFile> {
    let mut f = open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| import_error(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
    }
    Ok(SourceFile {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
        path: path.to_path_buf(),
        sha256: hex::encode(h.finalize()),
        size,
    })
}

fn parent(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Find the export named by `opts`, hash its files and settle how to read it.
pub(crate) fn open_export(opts: &ImportOptions) -> Result<Export> {
    let path = opts.path.as_path();
    if !path.exists() {
        return Err(import_error(path, "no such file or folder"));
    }
    let mut export = Export {
        format: opts.format,
        files: Vec::new(),
        date_order: None,
        whatsapp_order: None,
        media_roots: Vec::new(),
        chats: opts.chats.clone(),
        zip: None,
    };
    match opts.format {
        ImportFormat::Messenger | ImportFormat::Instagram => {
            let dir = if path.is_dir() {
                path.to_path_buf()
            } else {
                parent(path)
            };
            let mut names: Vec<String> = std::fs::read_dir(&dir)
                .map_err(|e| import_error(&dir, e))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            for name in messenger::thread_files(&names).map_err(|e| import_error(&dir, e))? {
                export.files.push(hash_file(&dir.join(name))?);
            }
            // Media `uri`s are relative to the export's root, some folders above the thread.
            export.media_roots = dir.ancestors().take(8).map(Path::to_path_buf).collect();
            return Ok(export);
        }
        _ if path.is_dir() => {
            return Err(import_error(
                path,
                format!("is a folder; give the {} export file", opts.format),
            ));
        }
        ImportFormat::Whatsapp if is_zip(path)? => {
            let mut zip = open_zip(path)?;
            let (order, basis) = match opts.date_order.as_deref() {
                Some(o) => given_order(o)?,
                None => zip
                    .detect_date_order()
                    .map(|g| (g.order, format!("inferred ({:?})", g.basis)))
                    .map_err(|e| order_error(path, e))?,
            };
            export.whatsapp_order = Some(order);
            export.date_order = Some((order.to_string(), basis));
            export.zip = Some(RefCell::new(zip));
        }
        ImportFormat::Whatsapp => {
            let (order, basis) = whatsapp_order(path, opts.date_order.as_deref())?;
            export.whatsapp_order = Some(order);
            export.date_order = Some((order.to_string(), basis));
            export.media_roots = vec![parent(path)];
        }
        ImportFormat::Telegram | ImportFormat::XDm => export.media_roots = vec![parent(path)],
        ImportFormat::SmsBackup | ImportFormat::Eml | ImportFormat::Mbox => {}
    }
    export.files.push(hash_file(path)?);
    Ok(export)
}

fn given_order(o: &str) -> Result<(DateOrder, String)> {
    let order = o.parse::<DateOrder>().map_err(|_| {
        ServiceError::Invalid(format!("--date-order '{o}' must be dmy, mdy or ymd"))
    })?;
    Ok((order, "given with --date-order".into()))
}

fn order_error(path: &Path, e: palisade_import::ImportError) -> ServiceError {
    match e {
        e @ palisade_import::ImportError::AmbiguousDateOrder { .. } => import_error(
            path,
            format!("{e}; say how dates are written with --date-order dmy|mdy|ymd"),
        ),
        e => import_error(path, e),
    }
}

fn whatsapp_order(path: &Path, given: Option<&str>) -> Result<(DateOrder, String)> {
    if let Some(o) = given {
        return given_order(o);
    }
    whatsapp::detect_date_order(BufReader::new(open(path)?))
        .map(|g| (g.order, format!("inferred ({:?})", g.basis)))
        .map_err(|e| order_error(path, e))
}

/// Whether a chat/conversation is selected by `--chat` (none given: all are).
fn wanted(chats: &[String], names: [Option<&str>; 2]) -> bool {
    chats.is_empty()
        || names
            .iter()
            .flatten()
            .any(|n| chats.iter().any(|c| c.eq_ignore_ascii_case(n)))
}

/// The callback's own error, carried through a parser that only knows `ImportError`.
struct Stop(Option<ServiceError>);

impl Stop {
    fn wrap(&mut self, r: Result<()>) -> std::result::Result<(), palisade_import::ImportError> {
        r.map_err(|e| {
            self.0 = Some(e);
            palisade_import::ImportError::Io {
                line: 0,
                source: std::io::Error::other("stopped by the importer"),
            }
        })
    }

    fn finish<T>(
        self,
        path: &Path,
        r: std::result::Result<T, palisade_import::ImportError>,
    ) -> Result<T> {
        match (self.0, r) {
            (Some(e), _) => Err(e),
            (None, r) => r.map_err(|e| import_error(path, e)),
        }
    }
}

impl Export {
    /// Parse the export, handing each message (with the index of its file) to `f`
    /// in export order. Streaming: memory does not grow with the export, except
    /// for Messenger/Instagram threads, which are merged in memory.
    pub(crate) fn for_each(&self, f: &mut dyn FnMut(usize, Message) -> Result<()>) -> Result<()> {
        let Some(first) = self.files.first() else {
            return Ok(());
        };
        let path = first.path.as_path();
        let mut stop = Stop(None);
        match self.format {
            ImportFormat::Whatsapp if self.zip.is_some() => {
                let mut zip = open_zip(path)?;
                let options = WhatsAppOptions {
                    date_order: self.whatsapp_order,
                    ..WhatsAppOptions::default()
                };
                for m in zip.messages(options).map_err(|e| import_error(path, e))? {
                    f(0, m.map_err(|e| import_error(path, e))?)?;
                }
                Ok(())
            }
            ImportFormat::Whatsapp => {
                let order = self.whatsapp_order.unwrap_or(DateOrder::Dmy);
                let parser = whatsapp::Parser::new(
                    BufReader::new(open(path)?),
                    order,
                    WhatsAppOptions {
                        date_order: Some(order),
                        ..WhatsAppOptions::default()
                    },
                );
                for m in parser {
                    f(0, m.map_err(|e| import_error(path, e))?)?;
                }
                Ok(())
            }
            ImportFormat::SmsBackup => {
                let parser = sms_backup::Parser::new(
                    BufReader::new(open(path)?),
                    sms_backup::SmsBackupOptions::default(),
                );
                for m in parser {
                    f(0, m.map_err(|e| import_error(path, e))?)?;
                }
                Ok(())
            }
            ImportFormat::Mbox => {
                for m in
                    email::parse_mbox(BufReader::new(open(path)?), email::EmailOptions::default())
                {
                    f(0, m.map_err(|e| import_error(path, e))?)?;
                }
                Ok(())
            }
            ImportFormat::Eml => {
                let m =
                    email::parse_eml(BufReader::new(open(path)?), email::EmailOptions::default())
                        .map_err(|e| import_error(path, e))?;
                f(0, m)
            }
            ImportFormat::Telegram => {
                let r = telegram::parse(BufReader::new(open(path)?), |chat, m| {
                    if wanted(&self.chats, [chat.name.as_deref(), chat.id.as_deref()]) {
                        stop.wrap(f(0, m))
                    } else {
                        Ok(())
                    }
                });
                stop.finish(path, r).map(|_| ())
            }
            ImportFormat::XDm => {
                let r = x_dm::parse(
                    BufReader::new(open(path)?),
                    &x_dm::XDmOptions::default(),
                    |conv, m| {
                        if wanted(&self.chats, [conv.id.as_deref(), None]) {
                            stop.wrap(f(0, m))
                        } else {
                            Ok(())
                        }
                    },
                );
                stop.finish(path, r).map(|_| ())
            }
            ImportFormat::Messenger | ImportFormat::Instagram => {
                let dir = parent(path);
                let names: Vec<&str> = self.files.iter().map(|f| f.name.as_str()).collect();
                let open_in = |name: &str| File::open(dir.join(name)).map(BufReader::new);
                let thread = match self.format {
                    ImportFormat::Instagram => instagram::parse_thread(&names, open_in),
                    _ => messenger::parse_thread(&names, open_in),
                }
                .map_err(|e| import_error(&dir, e))?;
                for m in thread.messages {
                    let index = match &m.locator {
                        palisade_import::Locator::FileJsonPath { file, .. } => {
                            self.files.iter().position(|f| &f.name == file).unwrap_or(0)
                        }
                        _ => 0,
                    };
                    f(index, m)?;
                }
                Ok(())
            }
        }
    }
}

impl Export {
    /// Where the media file the export names as `rel` is, if the export has it.
    pub(crate) fn find_media(&self, rel: &str) -> Option<Found> {
        match &self.zip {
            Some(zip) => zip
                .borrow()
                .resolve_media(rel)
                .entry()
                .map(|name| Found::ZipEntry(name.to_string())),
            None => resolve_media(&self.media_roots, rel).map(Found::File),
        }
    }

    /// Read a media entry of the export's .zip.
    pub(crate) fn read_zip_entry<T>(
        &self,
        name: &str,
        f: impl FnOnce(&mut dyn Read) -> Result<T>,
    ) -> Result<T> {
        let path = self
            .files
            .first()
            .map(|f| f.path.clone())
            .unwrap_or_default();
        let zip = self
            .zip
            .as_ref()
            .ok_or_else(|| import_error(&path, "not a .zip export"))?;
        let mut zip = zip.borrow_mut();
        let mut entry = zip.open_media(name).map_err(|e| import_error(&path, e))?;
        f(&mut entry)
    }
}

/// Find a media file named by a relative path inside one of the roots. Paths that
/// are absolute or climb out (`..`) are never followed.
pub(crate) fn resolve_media(roots: &[PathBuf], rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    roots.iter().find_map(|root| {
        let p = root.join(rel);
        let real = p.canonicalize().ok()?;
        let base = root.canonicalize().ok()?;
        (real.starts_with(&base) && real.is_file()).then_some(real)
    })
}
