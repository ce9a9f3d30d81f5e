//! Attachment blobs: sealed bytes addressed by an opaque name. The file
//! system store writes each blob to a temporary file, syncs it, renames it
//! into place and syncs the directory, so a blob is either whole or absent.

use crate::StoreError;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Where sealed attachment bytes live.
pub trait BlobStore: Send + Sync {
    /// Stream a new blob in. `write` produces the bytes; `finish` receives the
    /// writer's result and returns the blob's final name (so a name can depend on the
    /// content). If a blob of that name exists, the new bytes are discarded and
    /// the existing blob kept. Returns the name once durable.
    fn put(
        &self,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<String>,
    ) -> Result<String, StoreError>;

    /// Read a blob.
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, StoreError>;

    fn exists(&self, name: &str) -> Result<bool, StoreError>;
}

/// Blobs as files under `root/ab/abcdef…` (first two characters as a fan-out folder).
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Blob names are lower-case hex; anything else could escape the folder.
fn check_name(name: &str) -> Result<(), StoreError> {
    if name.len() < 8 || !name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(StoreError::Corrupt(format!("invalid blob name '{name}'")));
    }
    Ok(())
}

impl FsBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Create the folder layout.
    pub fn create(&self) -> Result<(), StoreError> {
        fs::create_dir_all(self.root.join("tmp")).map_err(io_err(&self.root))
    }

    pub fn path_of(&self, name: &str) -> Result<PathBuf, StoreError> {
        check_name(name)?;
        Ok(self.root.join(&name[..2]).join(name))
    }

    fn temp_file(&self) -> Result<(PathBuf, File), StoreError> {
        let dir = self.root.join("tmp");
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        for _ in 0..16 {
            let r: [u8; 12] = palisade_core::crypto::random_bytes()
                .map_err(|e| StoreError::Backend(e.to_string()))?;
            let p = dir.join(format!("{}.part", hex_lower(&r)));
            match OpenOptions::new().write(true).create_new(true).open(&p) {
                Ok(f) => return Ok((p, f)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_err(&p)(e)),
            }
        }
        Err(StoreError::Backend(
            "could not create a temporary blob file".into(),
        ))
    }
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

impl BlobStore for FsBlobStore {
    fn put(
        &self,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<String>,
    ) -> Result<String, StoreError> {
        let (tmp, file) = self.temp_file()?;
        let result = (|| {
            let mut w = BufWriter::with_capacity(256 * 1024, file);
            let name = write(&mut w).map_err(io_err(&tmp))?;
            let file = w.into_inner().map_err(|e| io_err(&tmp)(e.into_error()))?;
            file.sync_all().map_err(io_err(&tmp))?;
            let dest = self.path_of(&name)?;
            let parent = dest.parent().unwrap_or(&self.root).to_path_buf();
            fs::create_dir_all(&parent).map_err(io_err(&parent))?;
            if dest.exists() {
                fs::remove_file(&tmp).map_err(io_err(&tmp))?;
                return Ok(name);
            }
            fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
            sync_dir(&parent)?;
            Ok(name)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, StoreError> {
        let p = self.path_of(name)?;
        let f = File::open(&p).map_err(io_err(&p))?;
        Ok(Box::new(f))
    }

    fn exists(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.path_of(name)?.is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_names_that_could_escape() {
        let s = FsBlobStore::new("/tmp/x");
        for bad in ["../../etc/passwd", "ABCDEF0123", "abc", "0123456789abcdeg"] {
            assert!(s.path_of(bad).is_err(), "{bad}");
        }
        assert!(s.path_of("0123456789abcdef").is_ok());
    }
}
