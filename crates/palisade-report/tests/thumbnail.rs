//! Thumbnails from real and hostile pictures.
#![allow(clippy::unwrap_used)] // Test helpers too: a panic is a failed test.

mod common;

use common::{jpeg, png};
use palisade_report::{THUMBNAIL_SIZE, Thumbnail, make_thumbnail};
use std::time::Instant;

#[test]
fn thumbnails_of_real_pictures() {
    let t = make_thumbnail(&png(400, 300), "image/png").unwrap();
    assert_eq!((t.width(), t.height()), (THUMBNAIL_SIZE, 120));
    assert!(t.jpeg().starts_with(&[0xFF, 0xD8]));
    let t = make_thumbnail(&jpeg(300, 600), "image/jpeg").unwrap();
    assert_eq!((t.width(), t.height()), (80, THUMBNAIL_SIZE));
    // Small pictures are not enlarged.
    let t = make_thumbnail(&png(20, 10), "image/png").unwrap();
    assert_eq!((t.width(), t.height()), (20, 10));
    // Content decides the decoder; the media type only has to be a picture.
    assert!(make_thumbnail(&png(50, 50), "image/jpeg").is_some());
    // A thumbnail's JPEG can be stored and brought back.
    assert_eq!(Thumbnail::from_jpeg(t.jpeg().to_vec()), Some(t));
}

#[test]
fn gif_and_webp_decode() {
    let img = image::RgbaImage::from_pixel(64, 32, image::Rgba([10, 200, 30, 255]));
    for (format, media) in [
        (image::ImageFormat::Gif, "image/gif"),
        (image::ImageFormat::WebP, "image/webp"),
    ] {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        let t = make_thumbnail(out.get_ref(), media).unwrap();
        assert_eq!((t.width(), t.height()), (64, 32), "{media}");
    }
}

#[test]
fn hostile_bytes_give_no_thumbnail() {
    let good = png(200, 200);
    assert!(make_thumbnail(&good[..good.len() / 2], "image/png").is_none());
    assert!(make_thumbnail(&good[..40], "image/png").is_none());
    let j = jpeg(200, 200);
    assert!(make_thumbnail(&j[..j.len() / 3], "image/jpeg").is_none());
    assert!(make_thumbnail(b"", "image/png").is_none());
    assert!(make_thumbnail(b"not an image at all", "image/png").is_none());
    assert!(make_thumbnail(&[0xFF; 4096], "image/jpeg").is_none());
    assert!(make_thumbnail(&good, "application/pdf").is_none());
    assert!(
        make_thumbnail(
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "image/svg+xml"
        )
        .is_none()
    );
    // A valid BMP is refused: only the four supported formats are decoded.
    let mut bmp = std::io::Cursor::new(Vec::new());
    image::RgbImage::new(4, 4)
        .write_to(&mut bmp, image::ImageFormat::Bmp)
        .ok();
    assert!(make_thumbnail(bmp.get_ref(), "image/png").is_none());
    assert!(Thumbnail::from_jpeg(good).is_none());
    assert!(Thumbnail::from_jpeg(b"garbage".to_vec()).is_none());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A PNG that claims to be `w`x`h` with a little (bogus) data.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00]));
    out.extend(chunk(b"IEND", &[]));
    out
}

#[test]
fn oversized_pictures_are_refused_before_decoding() {
    let start = Instant::now();
    for (w, h) in [
        (8000, 6000),
        (65_535, 65_535),
        (1, 50_000_000),
        (100_000, 1),
    ] {
        assert!(
            make_thumbnail(&png_claiming(w, h), "image/png").is_none(),
            "{w}x{h}"
        );
    }
    assert!(start.elapsed().as_secs() < 2, "refusal should not decode");
    // The same forged header at a modest size is merely damaged.
    assert!(make_thumbnail(&png_claiming(100, 100), "image/png").is_none());
}
