//! Reading an export from disk with the right parser: which files make up
//! the export, their hashes, the messages in them, and where the media
//! they name can be found.

use super::{ImportFormat, ImportOptions};
use crate::error::{Result, ServiceError};
use palisade_import::whatsapp::{self, DateOrder, WhatsAppOptions};
use palisade_import::{Message, email, instagram, messenger, sms_backup, telegram, x_dm};
use sha2::{Digest, Sha256};
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

/// A parsed export: its files, its messages (each with the index of the file
/// it came from) and where relative media paths are resolved.
pub(crate) struct ParsedExport {
    pub files: Vec<SourceFile>,
    pub messages: Vec<(usize, Message)>,
    /// `dmy`/`mdy`/`ymd` and how it was decided, for formats with bare dates.
    pub date_order: Option<(String, String)>,
    /// Folders under which the export's relative media paths may lie, nearest first.
    pub media_roots: Vec<PathBuf>,
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

/// Read the export named by `opts` (not yet written anywhere).
pub(crate) fn read_export(opts: &ImportOptions) -> Result<ParsedExport> {
    let path = opts.path.as_path();
    if !path.exists() {
        return Err(import_error(path, "no such file or folder"));
    }
    match opts.format {
        ImportFormat::Messenger | ImportFormat::Instagram => read_meta_thread(opts),
        _ if path.is_dir() => Err(import_error(
            path,
            format!("is a folder; give the {} export file", opts.format),
        )),
        ImportFormat::Whatsapp => read_whatsapp(opts),
        ImportFormat::Telegram => {
            let file = hash_file(path)?;
            let chats = telegram::parse_all(BufReader::new(open(path)?))
                .map_err(|e| import_error(path, e))?;
            let messages = chats
                .into_iter()
                .filter(|c| wanted(&opts.chats, [c.info.name.as_deref(), c.info.id.as_deref()]))
                .flat_map(|c| c.messages)
                .map(|m| (0, m))
                .collect();
            Ok(single(file, messages, vec![parent(path)]))
        }
        ImportFormat::XDm => {
            let file = hash_file(path)?;
            let convs = x_dm::parse_all(BufReader::new(open(path)?), &x_dm::XDmOptions::default())
                .map_err(|e| import_error(path, e))?;
            let messages = convs
                .into_iter()
                .filter(|c| wanted(&opts.chats, [c.info.id.as_deref(), None]))
                .flat_map(|c| c.messages)
                .map(|m| (0, m))
                .collect();
            Ok(single(file, messages, vec![parent(path)]))
        }
        ImportFormat::SmsBackup => {
            let file = hash_file(path)?;
            let parsed = sms_backup::parse_all(
                BufReader::new(open(path)?),
                sms_backup::SmsBackupOptions::default(),
            )
            .map_err(|e| import_error(path, e))?;
            let messages = parsed.messages.into_iter().map(|m| (0, m)).collect();
            Ok(single(file, messages, Vec::new()))
        }
        ImportFormat::Eml => {
            let file = hash_file(path)?;
            let m = email::parse_eml(BufReader::new(open(path)?), email::EmailOptions::default())
                .map_err(|e| import_error(path, e))?;
            Ok(single(file, vec![(0, m)], Vec::new()))
        }
        ImportFormat::Mbox => {
            let file = hash_file(path)?;
            let mut messages = Vec::new();
            for m in email::parse_mbox(BufReader::new(open(path)?), email::EmailOptions::default())
            {
                messages.push((0, m.map_err(|e| import_error(path, e))?));
            }
            Ok(single(file, messages, Vec::new()))
        }
    }
}

fn single(file: SourceFile, messages: Vec<(usize, Message)>, roots: Vec<PathBuf>) -> ParsedExport {
    ParsedExport {
        files: vec![file],
        messages,
        date_order: None,
        media_roots: roots,
    }
}

/// Whether a chat/conversation is selected by `--chat` (none given: all are).
fn wanted(chats: &[String], names: [Option<&str>; 2]) -> bool {
    chats.is_empty()
        || names
            .iter()
            .flatten()
            .any(|n| chats.iter().any(|c| c.eq_ignore_ascii_case(n)))
}

fn read_whatsapp(opts: &ImportOptions) -> Result<ParsedExport> {
    let path = opts.path.as_path();
    let file = hash_file(path)?;
    let (order, basis) = match &opts.date_order {
        Some(o) => (
            o.parse::<DateOrder>().map_err(|_| {
                ServiceError::Invalid(format!("--date-order '{o}' must be dmy, mdy or ymd"))
            })?,
            "given with --date-order".to_string(),
        ),
        None => {
            let guess =
                whatsapp::detect_date_order(BufReader::new(open(path)?)).map_err(|e| match e {
                    palisade_import::ImportError::AmbiguousDateOrder { .. } => {
                        ServiceError::ImportFile {
                            path: path.display().to_string(),
                            reason: format!(
                                "{e}; say how dates are written with --date-order dmy|mdy|ymd"
                            ),
                        }
                    }
                    other => import_error(path, other),
                })?;
            (guess.order, format!("inferred ({:?})", guess.basis))
        }
    };
    let parser = whatsapp::Parser::new(
        BufReader::new(open(path)?),
        order,
        WhatsAppOptions {
            date_order: Some(order),
            ..WhatsAppOptions::default()
        },
    );
    let mut messages = Vec::new();
    for m in parser {
        messages.push((0, m.map_err(|e| import_error(path, e))?));
    }
    Ok(ParsedExport {
        files: vec![file],
        messages,
        date_order: Some((order.to_string(), basis)),
        media_roots: vec![parent(path)],
    })
}

/// Messenger and Instagram: a thread folder, or one `message_N.json` in it.
fn read_meta_thread(opts: &ImportOptions) -> Result<ParsedExport> {
    let path = opts.path.as_path();
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
    let open_in = |name: &str| File::open(dir.join(name)).map(BufReader::new);
    let thread = match opts.format {
        ImportFormat::Instagram => instagram::parse_thread(&names, open_in),
        _ => messenger::parse_thread(&names, open_in),
    }
    .map_err(|e| import_error(&dir, e))?;
    let files = thread
        .files
        .iter()
        .map(|f| hash_file(&dir.join(&f.file)))
        .collect::<Result<Vec<_>>>()?;
    let index_of = |m: &Message| match &m.locator {
        palisade_import::Locator::FileJsonPath { file, .. } => {
            files.iter().position(|f| &f.name == file).unwrap_or(0)
        }
        _ => 0,
    };
    let messages = thread
        .messages
        .into_iter()
        .map(|m| (index_of(&m), m))
        .collect();
    // Media `uri`s are relative to the export's root, some folders above the thread.
    let media_roots = dir.ancestors().take(8).map(Path::to_path_buf).collect();
    Ok(ParsedExport {
        files,
        messages,
        date_order: None,
        media_roots,
    })
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
