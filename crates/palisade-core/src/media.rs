//! Media types from content, not file names: the first bytes of a file
//! decide, and the name's extension only refines text-like files.

/// How many leading bytes [`sniff`] looks at.
pub const SNIFF_LEN: usize = 512;

/// The media type of a file from its first bytes (up to [`SNIFF_LEN`]) and its name.
pub fn sniff(head: &[u8], name: &str) -> &'static str {
    let starts = |sig: &[u8]| head.starts_with(sig);
    if starts(b"\x89PNG\r\n\x1a\n") {
        return "image/png";
    }
    if starts(b"\xff\xd8\xff") {
        return "image/jpeg";
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return "image/gif";
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" {
        match &head[8..12] {
            b"WEBP" => return "image/webp",
            b"WAVE" => return "audio/wav",
            b"AVI " => return "video/x-msvideo",
            _ => {}
        }
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return match &head[8..12] {
            b"heic" | b"heix" | b"mif1" | b"msf1" => "image/heic",
            b"avif" => "image/avif",
            b"M4A " | b"M4B " => "audio/mp4",
            b"qt  " => "video/quicktime",
            b"3gp4" | b"3gp5" | b"3gp6" | b"3g2a" => "video/3gpp",
            _ => "video/mp4",
        };
    }
    if starts(b"%PDF-") {
        return "application/pdf";
    }
    if starts(b"OggS") {
        return if head.windows(4).any(|w| w == b"Opus") {
            "audio/ogg; codecs=opus"
        } else {
            "audio/ogg"
        };
    }
    if starts(b"ID3") || (head.len() >= 2 && head[0] == 0xff && (head[1] & 0xe0) == 0xe0) {
        return "audio/mpeg";
    }
    if starts(b"#!AMR") {
        return "audio/amr";
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return "application/zip";
    }
    if starts(b"\x1f\x8b") {
        return "application/gzip";
    }
    if starts(b"BM") && head.len() > 14 {
        return "image/bmp";
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return "image/tiff";
    }
    if looks_like_text(head) {
        let lower = name.to_ascii_lowercase();
        let trimmed = trim_bom(head);
        return if lower.ends_with(".json") || trimmed.starts_with(b"{") || trimmed.starts_with(b"[")
        {
            "application/json"
        } else if lower.ends_with(".xml") || trimmed.starts_with(b"<?xml") {
            "application/xml"
        } else if lower.ends_with(".eml") || lower.ends_with(".mbox") {
            "message/rfc822"
        } else if lower.ends_with(".html") || lower.ends_with(".htm") {
            // Served as text so that it can never render as a page.
            "text/plain; charset=utf-8"
        } else if lower.ends_with(".csv") {
            "text/csv"
        } else {
            "text/plain; charset=utf-8"
        };
    }
    "application/octet-stream"
}

fn trim_bom(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

/// UTF-8 (allowing a multi-byte character cut at the end of the sample) with no NUL.
fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn content_decides_not_name() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....", "letter.pdf"), "image/png");
        assert_eq!(sniff(b"\xff\xd8\xff\xe0..JFIF", "x.txt"), "image/jpeg");
        assert_eq!(sniff(b"%PDF-1.7\n", "scan"), "application/pdf");
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0", "IMG_1.HEIC"), "image/heic");
        assert_eq!(sniff(b"\0\0\0\x18ftypM4A \0\0", "voicemail"), "audio/mp4");
        assert_eq!(
            sniff(b"OggS\0\x02....OpusHead", "PTT-1.opus"),
            "audio/ogg; codecs=opus"
        );
        assert_eq!(sniff(b"PK\x03\x04rest", "chat.zip"), "application/zip");
        assert_eq!(
            sniff("Hello, caf\u{e9}".as_bytes(), "note"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            sniff(b"<script>alert(1)</script>", "x.html"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(sniff(b"{\"a\":1}", "result.json"), "application/json");
        assert_eq!(
            sniff(b"\0\x01\x02binary", "x.png"),
            "application/octet-stream"
        );
        assert_eq!(sniff(b"", "empty"), "text/plain; charset=utf-8");
    }
}
