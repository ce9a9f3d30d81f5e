//! Uploaded files on their way into the ledger. Photos and files logged with
//! a contact go to the service in memory and are sealed from there. An
//! export to import is written to a private temporary folder inside the data
//! directory (never the system temp folder), because the parsers read files;
//! it is deleted when the import is confirmed or expires. The media type is
//! sniffed from the content.

use crate::csrf::Upload;
use crate::error::WebError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder (inside the data directory) where uploads wait.
pub fn staging_root(data_dir: &Path) -> PathBuf {
    data_dir.join("web-uploads")
}

/// Uploaded files staged on disk; the folder is removed on drop.
#[derive(Debug)]
pub struct Staged {
    dir: tempfile::TempDir,
    pub paths: Vec<PathBuf>,
}

impl Staged {
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A safe file name from what the browser sent: the last path component,
/// without control characters, at most 120 characters.
pub fn safe_name(given: &str) -> String {
    let base = given.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "attachment".to_string()
    } else {
        cleaned
    }
}

fn make_private_dir(root: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(root)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Uploads handed to the service in memory (contacts and their photos): it
/// seals them straight from memory, so the plaintext never touches disk.
/// Each keeps its sanitised name.
pub fn in_memory(files: &[&Upload]) -> Vec<palisade_service::UploadedFile> {
    files
        .iter()
        .map(|f| palisade_service::UploadedFile {
            name: safe_name(&f.file_name),
            bytes: f.bytes.clone(),
        })
        .collect()
}

/// Write `files` into a fresh private folder under the data directory (an
/// export to import, which the parsers read from a file). Each
/// file keeps its (sanitised) name, made unique within the folder.
pub fn stage(data_dir: &Path, files: &[&Upload]) -> Result<Staged, WebError> {
    let root = staging_root(data_dir);
    let io = |e: std::io::Error| WebError::Internal(format!("staging an upload: {e}"));
    make_private_dir(&root).map_err(io)?;
    let dir = tempfile::Builder::new()
        .prefix("up-")
        .tempdir_in(&root)
        .map_err(io)?;
    let mut paths = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        let name = safe_name(&f.file_name);
        // A folder per file keeps the original name without collisions.
        let sub = dir.path().join(format!("{i}"));
        std::fs::create_dir(&sub).map_err(io)?;
        let path = sub.join(&name);
        let mut out = std::fs::File::create_new(&path).map_err(io)?;
        out.write_all(&f.bytes).map_err(io)?;
        out.sync_all().map_err(io)?;
        paths.push(path);
    }
    Ok(Staged { dir, paths })
}

/// `message` with every path under `dir` (where uploads wait, named as the
/// browser sent them: a name can be patient data) replaced by a placeholder,
/// for messages that may reach a log.
pub fn redact(message: &str, dir: &Path) -> String {
    let d = dir.display().to_string();
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(&d) {
        out.push_str(&rest[..i]);
        out.push_str("<uploaded file>");
        // Drop the rest of the path, up to the next ':' (how errors end a path).
        let after = &rest[i + d.len()..];
        let end = after.find(':').unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The media type of an upload, from its first bytes.
pub fn sniffed_type(u: &Upload) -> &'static str {
    let head = &u.bytes[..u.bytes.len().min(palisade_core::media::SNIFF_LEN)];
    palisade_core::media::sniff(head, &u.file_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(safe_name("C:\\Users\\me\\photo.jpg"), "photo.jpg");
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("a\u{0}b\nc.png"), "abc.png");
        assert_eq!(safe_name(""), "attachment");
        assert_eq!(safe_name(".."), "attachment");
    }

    #[test]
    fn staged_files_vanish_with_the_folder() {
        let d = tempfile::tempdir().unwrap();
        let up = Upload {
            field: "attachments".into(),
            file_name: "x.png".into(),
            bytes: b"\x89PNG\r\n\x1a\nrest".to_vec(),
        };
        let s = stage(d.path(), &[&up, &up]).unwrap();
        assert_eq!(s.paths.len(), 2);
        assert!(s.paths.iter().all(|p| p.ends_with("x.png") && p.exists()));
        let folder = s.dir().to_path_buf();
        drop(s);
        assert!(!folder.exists());
        assert_eq!(sniffed_type(&up), "image/png");
    }

    #[test]
    fn upload_paths_are_redacted() {
        let dir = Path::new("/data/web-uploads/up-1");
        assert_eq!(
            redact(
                "cannot read attachment /data/web-uploads/up-1/0/Jane Doe.png: denied",
                dir
            ),
            "cannot read attachment <uploaded file>: denied"
        );
        assert_eq!(redact("nothing here", dir), "nothing here");
    }
}
