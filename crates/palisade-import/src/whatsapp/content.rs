//! What a WhatsApp message body says: sender, media placeholders, the
//! "edited" marker, deletion notices and system lines.
//!
//! The word lists cover English plus the locales seen in real exports so
//! far; they are data, meant to grow as new exports show new wordings.

use crate::{Kind, MediaKind, MediaRef};

/// `<Media omitted>` as Android writes it without media, per locale.
const ANDROID_OMITTED: &[&str] = &[
    "<Media omitted>",
    "<Medien ausgeschlossen>",
    "<Multimedia omitido>",
    "<Archivo omitido>",
    "<Multimedia omitidos>",
    "<Mídia oculta>",
    "<Arquivo de mídia oculto>",
    "<Médias omis>",
    "<Media weggelaten>",
    "<Media omessi>",
    "<Без медиафайлов>",
    "<Медиа отсутствуют>",
    "<Media tidak disertakan>",
    "<Medya dahil edilmedi>",
    "<Pominięto multimedia>",
];

/// The suffix Android writes after an attached file's name, per locale.
const ANDROID_ATTACHED: &[&str] = &[
    "(file attached)",
    "(Datei angehängt)",
    "(archivo adjunto)",
    "(arquivo anexado)",
    "(fichier joint)",
    "(bestand bijgevoegd)",
    "(file allegato)",
    "(файл добавлен)",
    "(dosya ekli)",
    "(file terlampir)",
    "(plik załączony)",
];

/// iOS placeholders for media not included in the export, per locale
/// (English ones all end in " omitted" and are matched generally).
const IOS_OMITTED: &[&str] = &[
    "Bild weggelassen",
    "Video weggelassen",
    "Audio weggelassen",
    "Sticker weggelassen",
    "GIF weggelassen",
    "Dokument weggelassen",
    "imagen omitida",
    "video omitido",
    "audio omitido",
    "sticker omitido",
    "documento omitido",
    "imagem ocultada",
    "vídeo ocultado",
    "áudio ocultado",
    "figurinha omitida",
    "image absente",
    "vidéo absente",
    "audio absent",
];

/// The marker WhatsApp appends to edited messages, per locale.
const EDITED: &[&str] = &[
    "<This message was edited>",
    "<Diese Nachricht wurde bearbeitet>",
    "<Se editó este mensaje.>",
    "<Mensagem editada>",
    "<Ce message a été modifié>",
    "<Questo messaggio è stato modificato>",
    "<Dit bericht is bewerkt>",
];

/// Deletion notices, per locale.
const DELETED: &[&str] = &[
    "This message was deleted",
    "This message was deleted.",
    "You deleted this message",
    "You deleted this message.",
    "Diese Nachricht wurde gelöscht.",
    "Du hast diese Nachricht gelöscht.",
    "Se eliminó este mensaje.",
    "Eliminaste este mensaje.",
    "Esta mensagem foi apagada",
    "Você apagou esta mensagem",
    "Ce message a été supprimé",
    "Vous avez supprimé ce message",
    "Questo messaggio è stato eliminato",
    "Hai eliminato questo messaggio",
    "Dit bericht is verwijderd",
    "Je hebt dit bericht verwijderd",
];

fn is_mark(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Trims marks from both ends; all marks are 3-byte characters starting
/// with 0xE2 or 0xEF, so plain ASCII ends need no character decoding.
#[inline]
fn trim_marks(s: &str) -> &str {
    let b = s.as_bytes();
    let lead = matches!(b.first(), Some(0xE2 | 0xEF));
    let trail = b.len() >= 3 && matches!(b.get(b.len() - 3), Some(0xE2 | 0xEF));
    if lead || trail {
        s.trim_matches(is_mark)
    } else {
        s
    }
}

/// Splits a header's body into (sender, first text line). `None` for a
/// system line: no `": "`, or a "sender" that is really a system sentence
/// quoting something with a colon (`Alice changed the subject to "A: B"`).
#[inline]
pub(crate) fn split_sender(body: &str) -> Option<(&str, &str)> {
    let b = body.as_bytes();
    let mut i = 0;
    let at = loop {
        let colon = i + memchr::memchr(b':', b.get(i..)?)?;
        match b.get(colon + 1) {
            Some(b' ') => break colon,
            None => break colon,
            _ => i = colon + 1,
        }
    };
    let raw = body.get(..at)?;
    let text = body.get(at + 2..).unwrap_or("");
    let name = trim_marks(raw);
    if name.is_empty() || quotes(name) {
        return None;
    }
    Some((name, text))
}

/// Whether a "sender" contains a straight or curly double quote.
#[inline]
fn quotes(name: &str) -> bool {
    let mut curly = false;
    for &c in name.as_bytes() {
        if c == b'"' {
            return true;
        }
        curly |= c == 0xE2;
    }
    curly && (name.contains('“') || name.contains('”'))
}

/// The classified body of a message that has a sender.
pub(crate) struct Body {
    pub kind: Kind,
    pub media: Vec<MediaRef>,
    pub edited: bool,
    pub deleted: bool,
}

/// Classifies (and trims) the full text of a message that has a sender.
/// Removes the edited marker and a media placeholder line from `text`.
/// `first_len` is the length of the text's first line.
pub(crate) fn classify(text: &mut String, first_len: usize) -> Body {
    let edited = text.ends_with('>') && strip_edited(text);
    let mut first_len = first_len.min(text.len());
    let special = matches!(text.as_bytes().first(), Some(0xE2 | 0xEF)) && {
        let lead = text.len() - text.trim_start_matches(is_mark).len();
        text.drain(..lead);
        first_len = first_len.saturating_sub(lead);
        lead > 0
    };
    let mut media = Vec::new();
    if let Some(m) = take_media(text, first_len, special) {
        media.push(m);
    }
    let deleted = media.is_empty() && is_deleted(text);
    let kind = if special && media.is_empty() && !deleted {
        // iOS writes system lines (encryption notice, missed calls, group
        // changes) as messages whose text starts with U+200E.
        Kind::System
    } else {
        Kind::Message
    };
    Body {
        kind,
        media,
        edited,
        deleted,
    }
}

fn strip_edited(text: &mut String) -> bool {
    for m in EDITED {
        if let Some(rest) = text.strip_suffix(m) {
            let rest = rest.trim_end_matches(is_mark);
            let rest = rest.strip_suffix(' ').unwrap_or(rest);
            let keep = rest.len();
            text.truncate(keep);
            return true;
        }
    }
    false
}

fn is_deleted(text: &str) -> bool {
    if text.len() > 64 {
        return false;
    }
    let t = trim_marks(text);
    let first = t.as_bytes().first();
    DELETED
        .iter()
        .any(|d| d.len() == t.len() && d.as_bytes().first() == first && *d == t)
        || t.starts_with("This message was deleted by ")
}

/// Recognises a media placeholder on the first line and removes that line.
/// `special`: the text started with a mark, as iOS media lines do.
fn take_media(text: &mut String, first_end: usize, special: bool) -> Option<MediaRef> {
    let first = text.get(..first_end)?;
    // Cheap rejection: every placeholder starts with `<`, ends with `)`, or
    // (iOS) follows a mark; marks may also trail.
    let b = first.as_bytes();
    if !special && b.first() != Some(&b'<') && !matches!(b.last(), Some(b')' | 0x80..)) {
        return None;
    }
    let first = trim_marks(first);
    let media = media_line(first, special)?;
    let cut = (first_end + 1).min(text.len());
    if !text.is_char_boundary(cut) {
        return None;
    }
    text.drain(..cut);
    Some(media)
}

fn media_line(line: &str, special: bool) -> Option<MediaRef> {
    let omitted = |kind| {
        Some(MediaRef::Omitted {
            kind,
            placeholder: line.to_owned(),
        })
    };
    if line.starts_with('<') && line.ends_with('>') {
        if ANDROID_OMITTED.iter().any(|p| p.eq_ignore_ascii_case(line))
            || ends_with_ignore_case(line, " omitted>")
        {
            return omitted(kind_from_words(line));
        }
        // iOS: `<attached: 00000012-PHOTO-2024-02-14-21-08-01.jpg>`, localised.
        let inner = line.get(1..line.len() - 1)?;
        let (_, name) = inner.split_once(": ")?;
        let name = trim_marks(name).trim();
        if looks_like_file(name) {
            return Some(MediaRef::File {
                path: name.to_owned(),
                kind: kind_from_name(name),
            });
        }
        return None;
    }
    if line.ends_with(')') {
        let open = line.rfind(" (")?;
        let name = trim_marks(line.get(..open)?);
        let suffix = line.get(open + 1..)?;
        let known = ANDROID_ATTACHED
            .iter()
            .any(|s| s.eq_ignore_ascii_case(suffix));
        if looks_like_file(name) && (known || is_wa_media_name(name)) {
            return Some(MediaRef::File {
                path: name.to_owned(),
                kind: kind_from_name(name),
            });
        }
        return None;
    }
    // iOS writes these after U+200E; without it, it is text someone typed.
    if special
        && (ends_with_ignore_case(line, " omitted")
            || IOS_OMITTED.iter().any(|p| line.ends_with(p)))
    {
        return omitted(kind_from_words(line));
    }
    None
}

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()
            .get(s.len() - suffix.len()..)
            .is_some_and(|t| t.eq_ignore_ascii_case(suffix.as_bytes()))
}

fn looks_like_file(name: &str) -> bool {
    !name.is_empty()
        && !name.contains(['/', '\\', '\n'])
        && name
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && (1..=5).contains(&ext.len()))
}

/// Android's own media names: `IMG-20240214-WA0003.jpg`, `PTT-…`, `STK-…`.
fn is_wa_media_name(name: &str) -> bool {
    ["IMG-", "VID-", "AUD-", "PTT-", "STK-", "DOC-"]
        .iter()
        .any(|p| name.starts_with(p))
        && name.contains("-WA")
}

/// Media kind from a WhatsApp file name (Android `IMG-…`, iOS
/// `00000012-PHOTO-…`) or its extension.
pub(crate) fn kind_from_name(name: &str) -> MediaKind {
    let mut parts = name.split('-');
    let (first, second) = (parts.next(), parts.next());
    let tag = match first {
        Some("IMG") => Some(MediaKind::Photo),
        Some("VID") => Some(MediaKind::Video),
        Some("PTT") => Some(MediaKind::Voice),
        Some("AUD") => Some(MediaKind::Audio),
        Some("STK") => Some(MediaKind::Sticker),
        Some("DOC") => Some(MediaKind::Document),
        _ => match second {
            Some("PHOTO") => Some(MediaKind::Photo),
            Some("VIDEO") => Some(MediaKind::Video),
            Some("AUDIO") => Some(MediaKind::Audio),
            Some("STICKER") => Some(MediaKind::Sticker),
            Some("GIF") => Some(MediaKind::Gif),
            Some("CONTACT") => Some(MediaKind::Contact),
            _ => None,
        },
    };
    if let Some(kind) = tag {
        return kind;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("jpg" | "jpeg" | "png" | "heic" | "gif") => MediaKind::Photo,
        Some("mp4" | "mov" | "3gp" | "mkv") => MediaKind::Video,
        Some("opus" | "ogg" | "m4a" | "mp3" | "aac" | "amr" | "wav") => MediaKind::Audio,
        Some("webp") => MediaKind::Sticker,
        Some("vcf") => MediaKind::Contact,
        Some("pdf" | "doc" | "docx" | "xls" | "xlsx" | "ppt" | "pptx" | "txt" | "zip") => {
            MediaKind::Document
        }
        _ => MediaKind::Other,
    }
}

/// Media kind from a placeholder's words (`image omitted`, `<Media omitted>`).
fn kind_from_words(line: &str) -> MediaKind {
    for word in line.split(|c: char| !c.is_alphabetic()) {
        let kind = match word.to_lowercase().as_str() {
            "sticker" | "figurinha" => MediaKind::Sticker,
            "gif" => MediaKind::Gif,
            "video" | "vídeo" | "vidéo" => MediaKind::Video,
            "image" | "imagen" | "imagem" | "bild" | "photo" => MediaKind::Photo,
            "audio" | "áudio" => MediaKind::Audio,
            "document" | "dokument" | "documento" => MediaKind::Document,
            "contact" | "kontakt" | "contacto" => MediaKind::Contact,
            _ => continue,
        };
        return kind;
    }
    MediaKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_split() {
        assert_eq!(split_sender("Bob: hi: there"), Some(("Bob", "hi: there")));
        assert_eq!(split_sender("Bob:"), Some(("Bob", "")));
        assert_eq!(
            split_sender("\u{202A}+49 170 1234567\u{202C}: hi"),
            Some(("+49 170 1234567", "hi"))
        );
        assert_eq!(split_sender("John Doe:."), None);
        assert_eq!(split_sender("You blocked this contact"), None);
        assert_eq!(split_sender("Al changed the subject to \"A: B\""), None);
        assert_eq!(split_sender("a:b: c"), Some(("a:b", "c")));
    }

    fn cls(s: &str) -> (String, Body) {
        let mut t = s.to_owned();
        let first = t.find('\n').unwrap_or(t.len());
        let b = classify(&mut t, first);
        (t, b)
    }

    #[test]
    fn media_placeholders() {
        let (t, b) = cls("IMG-20240214-WA0003.jpg (file attached)\nlook at this");
        assert_eq!(t, "look at this");
        assert_eq!(
            b.media,
            vec![MediaRef::File {
                path: "IMG-20240214-WA0003.jpg".into(),
                kind: MediaKind::Photo
            }]
        );
        let (t, b) = cls("\u{200E}<attached: 00000012-PHOTO-2024-02-14-21-08-01.jpg>");
        assert_eq!(t, "");
        assert_eq!(b.media[0].kind(), MediaKind::Photo);
        assert_eq!(b.kind, Kind::Message);
        let (_, b) = cls("\u{200E}sticker omitted");
        assert_eq!(b.media[0].kind(), MediaKind::Sticker);
        let (_, b) = cls("<Medien ausgeschlossen>");
        assert!(matches!(b.media[0], MediaRef::Omitted { .. }));
        let (t, b) = cls("<3 you>");
        assert_eq!((t.as_str(), b.media.len()), ("<3 you>", 0));
        let (t, b) = cls("see (this)");
        assert_eq!((t.as_str(), b.media.len()), ("see (this)", 0));
    }

    #[test]
    fn edited_deleted_system() {
        let (t, b) = cls("hello <This message was edited>");
        assert_eq!(t, "hello");
        assert!(b.edited);
        let (t, b) = cls("hello \u{200E}<This message was edited>");
        assert_eq!(t, "hello");
        assert!(b.edited);
        let (_, b) = cls("This message was deleted");
        assert!(b.deleted && b.kind == Kind::Message);
        let (t, b) = cls("\u{200E}Missed voice call");
        assert_eq!(t, "Missed voice call");
        assert_eq!(b.kind, Kind::System);
    }
}
