//! Thumbnails of picture attachments for the attachments index.
//!
//! Attachments are untrusted: a thumbnail is made only from JPEG, PNG, GIF
//! or WebP, decoding is capped in size, and any failure (or panic in a
//! decoder) gives no thumbnail rather than an error.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// Thumbnails fit in a square of this many pixels.
pub const THUMBNAIL_SIZE: u32 = 160;
/// Pictures larger than this are not decoded.
pub const MAX_PIXELS: u64 = 40_000_000;
const MAX_SIDE: u32 = 65_535;
const MAX_ALLOC: u64 = 512 * 1024 * 1024;
const QUALITY: u8 = 80;

/// A small baseline JPEG (8-bit RGB) picture of an attachment, ready to be
/// embedded in a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    width: u32,
    height: u32,
    jpeg: Vec<u8>,
}

impl Thumbnail {
    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The JPEG file.
    pub fn jpeg(&self) -> &[u8] {
        &self.jpeg
    }

    /// A thumbnail from a JPEG made earlier by [`make_thumbnail`] (e.g.
    /// cached). The bytes are checked: `None` unless they decode as an 8-bit
    /// RGB JPEG no larger than [`THUMBNAIL_SIZE`] on either side.
    pub fn from_jpeg(jpeg: Vec<u8>) -> Option<Thumbnail> {
        let (img, format) = guarded(|| decode(&jpeg))?;
        let ok = format == ImageFormat::Jpeg
            && matches!(img, DynamicImage::ImageRgb8(_))
            && img.width() <= THUMBNAIL_SIZE
            && img.height() <= THUMBNAIL_SIZE;
        ok.then(|| Thumbnail {
            width: img.width(),
            height: img.height(),
            jpeg,
        })
    }
}

/// A thumbnail of a picture attachment, fitting in [`THUMBNAIL_SIZE`]
/// pixels, or `None` if `media_type` is not a supported picture type or the
/// bytes are not a picture that can be safely decoded (damaged, hostile, or
/// more than [`MAX_PIXELS`] pixels). Never panics.
pub fn make_thumbnail(bytes: &[u8], media_type: &str) -> Option<Thumbnail> {
    if !supported(media_type) {
        return None;
    }
    guarded(|| {
        let (img, _) = decode(bytes)?;
        encode(&shrink(img))
    })
}

/// Run `f`, turning a panic into `None`.
fn guarded<T>(f: impl FnOnce() -> Option<T>) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .ok()
        .flatten()
}

fn supported(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "image/jpeg" | "image/jpg" | "image/pjpeg" | "image/png" | "image/gif" | "image/webp"
    )
}

/// Decode a picture, recognised by its content, within the size caps.
fn decode(bytes: &[u8]) -> Option<(DynamicImage, ImageFormat)> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let format = reader.format()?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP
    ) {
        return None;
    }
    if format == ImageFormat::Jpeg && !jpeg_complete(bytes) {
        return None;
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return None;
    }
    if decoder.total_bytes() > MAX_ALLOC {
        return None;
    }
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).ok()?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Some((img, format))
}

/// Whether a JPEG's segments run intact to its end-of-image marker. JPEG
/// decoders quietly fill in missing data, so without this a truncated file
/// would give a half-grey picture rather than none.
fn jpeg_complete(b: &[u8]) -> bool {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return false;
    }
    let mut i = 2;
    while i + 1 < b.len() {
        if b[i] != 0xFF {
            return false;
        }
        let marker = b[i + 1];
        match marker {
            0xD9 => return true,
            // Fill byte, or a marker without a length.
            0xFF => {
                i += 1;
                continue;
            }
            0x01 | 0xD0..=0xD7 => {
                i += 2;
                continue;
            }
            _ => {}
        }
        let Some(len) = b.get(i + 2..i + 4) else {
            return false;
        };
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if len < 2 {
            return false;
        }
        i += 2 + len;
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is neither a
            // stuffed 0xFF nor a restart.
            loop {
                match (b.get(i), b.get(i + 1)) {
                    (None, _) | (Some(0xFF), None) => return false,
                    (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                    (Some(0xFF), Some(0xFF)) => i += 1,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => i += 1,
                }
            }
        }
    }
    false
}

/// Fit in the thumbnail square (never enlarging) and flatten onto white.
fn shrink(img: DynamicImage) -> RgbImage {
    let img = if img.width() > THUMBNAIL_SIZE || img.height() > THUMBNAIL_SIZE {
        img.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
    } else {
        img
    };
    let rgba = img.to_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = px.0;
        let a = u16::from(a);
        let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        out.0 = [blend(r), blend(g), blend(b)];
    }
    rgb
}

fn encode(rgb: &RgbImage) -> Option<Thumbnail> {
    if rgb.width() == 0 || rgb.height() == 0 {
        return None;
    }
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode_image(rgb)
        .ok()?;
    Some(Thumbnail {
        width: rgb.width(),
        height: rgb.height(),
        jpeg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert!(supported("image/PNG"));
        assert!(supported("image/jpeg; charset=binary"));
        assert!(!supported("application/pdf"));
        assert!(!supported("image/svg+xml"));
    }

    #[test]
    fn jpeg_completeness() {
        let img =
            image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 7]));
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&img)
            .unwrap();
        assert!(jpeg_complete(&jpeg));
        let mut trailing = jpeg.clone();
        trailing.extend_from_slice(b"trailing data some phones append");
        assert!(jpeg_complete(&trailing));
        for cut in [2, 10, jpeg.len() / 2, jpeg.len() - 2, jpeg.len() - 1] {
            assert!(!jpeg_complete(&jpeg[..cut]), "cut at {cut}");
        }
        assert!(!jpeg_complete(b""));
        assert!(!jpeg_complete(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00]));
    }

    #[test]
    fn shrinks_and_keeps_aspect() {
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            800,
            400,
            image::Rgba([255, 0, 0, 0]),
        ));
        let rgb = shrink(img);
        assert_eq!((rgb.width(), rgb.height()), (160, 80));
        // Fully transparent flattens to white.
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 255, 255]);
        let t = encode(&rgb).unwrap();
        assert_eq!(Thumbnail::from_jpeg(t.jpeg().to_vec()), Some(t));
    }
}
