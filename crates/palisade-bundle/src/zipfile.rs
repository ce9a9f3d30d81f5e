//! Writing a bundle's zip: fixed order (the caller's), fixed timestamps and
//! permissions, so the same content gives the same bytes.

use std::io::{Seek, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

#[derive(Debug, thiserror::Error)]
#[error("cannot write the bundle: {0}")]
pub struct ZipWriteError(String);

impl From<zip::result::ZipError> for ZipWriteError {
    fn from(e: zip::result::ZipError) -> Self {
        ZipWriteError(e.to_string())
    }
}

impl From<std::io::Error> for ZipWriteError {
    fn from(e: std::io::Error) -> Self {
        ZipWriteError(e.to_string())
    }
}

/// A bundle being written.
pub struct BundleZip<W: Write + Seek> {
    zip: ZipWriter<W>,
    time: DateTime,
}

impl<W: Write + Seek> BundleZip<W> {
    /// `when` is `(year, month, day, hour, minute, second)` in UTC; every
    /// member gets it as its modification time.
    pub fn new(out: W, when: (u16, u8, u8, u8, u8, u8)) -> Self {
        let (y, mo, d, h, mi, s) = when;
        let time = DateTime::from_date_and_time(y, mo, d, h, mi, s).unwrap_or_default();
        Self {
            zip: ZipWriter::new(out),
            time,
        }
    }

    fn options(&self, method: CompressionMethod, large: bool) -> SimpleFileOptions {
        SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(self.time)
            .unix_permissions(0o644)
            .large_file(large)
    }

    /// A small member, deflated.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), ZipWriteError> {
        let options = self.options(CompressionMethod::Deflated, false);
        self.zip.start_file(name, options)?;
        self.zip.write_all(bytes)?;
        Ok(())
    }

    /// A member stored as is (attachments are mostly compressed media already):
    /// returns the writer for its bytes, valid until the next call.
    pub fn start_stored(
        &mut self,
        name: &str,
        size: u64,
    ) -> Result<&mut impl Write, ZipWriteError> {
        let options = self.options(CompressionMethod::Stored, size >= 0xFFFF_FFFF);
        self.zip.start_file(name, options)?;
        Ok(&mut self.zip)
    }

    /// Write the central directory and return the output.
    pub fn finish(self) -> Result<W, ZipWriteError> {
        Ok(self.zip.finish()?)
    }
}
