//! SMS Backup & Restore fixtures: a messages backup (SMS both ways, "null"
//! strings, surrogate-pair emoji, MMS with text, base64 media and
//! addresses) and a call-log backup.

mod common;

use std::fs::File;

use common::{fixture, instant, senders};
use palisade_import::sms_backup::{self, BackupKind, SmsBackup, SmsBackupOptions};
use palisade_import::{
    Direction, Kind, Locator, MediaKind, MediaRef, Recipient, RecipientRole, Summary,
};

fn sms(name: &str) -> SmsBackup {
    let f = File::open(fixture(name)).expect("fixture exists");
    sms_backup::parse_all(f, SmsBackupOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const MAX: &str = "+4917012345678";

fn rcpt(id: &str, name: Option<&str>, role: RecipientRole) -> Recipient {
    Recipient {
        id: id.into(),
        name: name.map(Into::into),
        role,
    }
}

#[test]
fn messages_backup_counts_senders_and_times() {
    let b = sms("sms_backup/messages.xml");
    assert_eq!(b.info.kind, BackupKind::Messages);
    assert_eq!(b.info.declared_count, Some(10));
    assert_eq!(
        b.info.backup_date.map(|t| t.to_string()).as_deref(),
        Some("2024-02-15T10:00:00Z")
    );
    assert_eq!(
        b.info.backup_set.as_deref(),
        Some("6c1f2b4e-0d7a-4c52-9b1e-3f0a5e8d2c11")
    );
    let ms = &b.messages;
    let s = Summary::of(ms);
    assert_eq!((s.messages, s.system), (10, 0));
    assert_eq!(
        s.senders,
        senders(&[
            ("Max Mustermann", 4),
            ("+491511111111", 1),
            ("+491522222222", 1)
        ])
    );
    // Outgoing messages: the backup never names the phone's owner.
    assert_eq!(s.without_sender, 4);
    assert_eq!(s.with_media, 2);
    assert_eq!(s.first, Some(instant("2024-02-14T20:07:00Z")));
    assert_eq!(s.last, Some(instant("2024-02-15T10:00:00Z")));
    let dirs: Vec<_> = ms.iter().map(|m| m.direction).collect();
    use Direction::{Incoming as I, Outgoing as O};
    assert_eq!(dirs, [I, O, I, I, I, O, I, I, O, O].map(Some).to_vec());
    let idx: Vec<_> = ms.iter().map(|m| m.index).collect();
    assert_eq!(idx, (0..10).collect::<Vec<_>>());
}

#[test]
fn sms_in_both_directions() {
    let b = sms("sms_backup/messages.xml");
    let ms = &b.messages;
    let first = &ms[0];
    assert_eq!(first.sender.as_deref(), Some("Max Mustermann"));
    assert_eq!(first.sender_id.as_deref(), Some(MAX));
    assert!(first.recipients.is_empty());
    assert_eq!(first.kind, Kind::Message);
    assert_eq!(first.action, None);
    assert_eq!(first.subject, None, "subject=\"null\" is absent");
    assert_eq!(
        first.text,
        "Why won't you answer me? I know where your practice is."
    );
    assert_eq!(
        first.locator,
        Locator::Line {
            line: 5,
            byte_offset: 296
        }
    );

    let sent = &ms[1];
    assert_eq!(
        (sent.sender.as_deref(), sent.sender_id.as_deref()),
        (None, None)
    );
    assert_eq!(
        sent.recipients,
        [rcpt(MAX, Some("Max Mustermann"), RecipientRole::To)]
    );
    assert_eq!(
        sent.text,
        "Please stop contacting me. See practice policy & \"house rules\"."
    );
    assert_eq!(sent.time, instant("2024-02-14T20:10:00Z"));

    let draft = &ms[5];
    assert_eq!(draft.action.as_deref(), Some("draft"));
    assert_eq!(draft.text, "I will call the police.");
    let failed = &ms[9];
    assert_eq!(failed.action.as_deref(), Some("failed"));
    assert_eq!(
        failed.locator,
        Locator::Line {
            line: 36,
            byte_offset: 5055
        }
    );
}

#[test]
fn null_strings_unknown_contacts_and_escapes() {
    let b = sms("sms_backup/messages.xml");
    let ms = &b.messages;
    // contact_name="(Unknown)": the number is the sender.
    assert_eq!(ms[3].sender.as_deref(), Some("+491511111111"));
    assert_eq!(ms[3].text, "Line one\nLine two");
    // contact_name="null", body="null".
    assert_eq!(ms[4].sender.as_deref(), Some("+491522222222"));
    assert_eq!(ms[4].sender_id.as_deref(), Some("+491522222222"));
    assert_eq!(ms[4].text, "");
    assert_eq!(ms[4].time, instant("2024-02-15T06:45:00Z"));
}

#[test]
fn surrogate_pair_references_become_emoji() {
    let b = sms("sms_backup/messages.xml");
    let ms = &b.messages;
    assert_eq!(ms[2].text, "\u{1F600} see you tomorrow <3");
    assert_eq!(ms[6].text, "lone \u{FFFD} half");
    assert_eq!(ms[7].text, "Your car, this morning 😀");
}

#[test]
fn mms_with_text_image_and_addresses() {
    let b = sms("sms_backup/messages.xml");
    let m = &b.messages[7];
    assert_eq!(m.kind, Kind::Message);
    assert_eq!(m.direction, Some(Direction::Incoming));
    assert_eq!(m.source_id.as_deref(), Some("mms-0001@example"));
    assert_eq!(m.sender.as_deref(), Some("Max Mustermann"));
    assert_eq!(m.sender_id.as_deref(), Some(MAX));
    assert_eq!(
        m.recipients,
        [rcpt("+4915900000000", None, RecipientRole::To)]
    );
    assert_eq!(m.time, instant("2024-02-15T08:00:00Z"));
    assert_eq!(
        m.locator,
        Locator::Line {
            line: 12,
            byte_offset: 2482
        }
    );
    // The SMIL layout part is not media.
    assert_eq!(m.media.len(), 1);
    let MediaRef::Inline {
        name,
        media_type,
        kind,
        bytes,
    } = &m.media[0]
    else {
        panic!("expected inline media, got {:?}", m.media[0]);
    };
    assert_eq!(name.as_deref(), Some("photo.png"));
    assert_eq!(media_type, "image/png");
    assert_eq!(*kind, MediaKind::Photo);
    assert_eq!(bytes.len(), 69);
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(bytes.ends_with(b"IEND\xaeB`\x82"));
}

#[test]
fn group_mms_sent_with_contact_card_and_omitted_video() {
    let b = sms("sms_backup/messages.xml");
    let m = &b.messages[8];
    assert_eq!(m.direction, Some(Direction::Outgoing));
    assert_eq!(m.action, None);
    // `insert-address-token` is no address.
    assert_eq!((m.sender.as_deref(), m.sender_id.as_deref()), (None, None));
    // Two parties: names cannot be matched to numbers.
    assert_eq!(
        m.recipients,
        [
            rcpt(MAX, None, RecipientRole::To),
            rcpt("+4916099999999", None, RecipientRole::To),
            rcpt("+4930123456", None, RecipientRole::Cc),
        ]
    );
    assert_eq!(m.subject.as_deref(), Some("Contact"));
    assert_eq!(m.text, "Stop writing to both of us.");
    assert_eq!(m.media.len(), 2);
    let MediaRef::Inline {
        name,
        media_type,
        kind,
        bytes,
    } = &m.media[0]
    else {
        panic!("expected inline vCard, got {:?}", m.media[0]);
    };
    assert_eq!(name.as_deref(), Some("Anna Weber.vcf"));
    assert_eq!(media_type, "text/x-vcard");
    assert_eq!(*kind, MediaKind::Contact);
    // The base64 was broken into lines with `&#10;`.
    assert_eq!(
        std::str::from_utf8(bytes).ok(),
        Some("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Weber;Anna\r\nTEL;CELL:+4930123456\r\nEND:VCARD\r\n")
    );
    assert_eq!(
        m.media[1],
        MediaRef::Omitted {
            kind: MediaKind::Video,
            placeholder: "clip.mp4".into()
        }
    );
}

#[test]
fn calls_backup() {
    let b = sms("sms_backup/calls.xml");
    assert_eq!(b.info.kind, BackupKind::Calls);
    assert_eq!(b.info.declared_count, Some(8));
    let ms = &b.messages;
    let s = Summary::of(ms);
    assert_eq!((s.messages, s.system), (0, 8));
    assert_eq!(s.first, Some(instant("2024-02-14T20:07:00Z")));
    assert_eq!(s.last, Some(instant("2024-02-15T08:00:00Z")));
    assert!(ms.iter().all(|m| m.kind == Kind::System));
    let texts: Vec<_> = ms.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "incoming_call: 65 s",
            "missed_call: 0 s",
            "missed_call: 0 s",
            "outgoing_call: 120 s",
            "missed_call: 0 s, number withheld",
            "rejected_call: 0 s",
            "blocked_call: 0 s",
            "voicemail: 31 s",
        ]
    );
    let actions: Vec<_> = ms
        .iter()
        .map(|m| m.action.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        actions,
        [
            "incoming_call",
            "missed_call",
            "missed_call",
            "outgoing_call",
            "missed_call",
            "rejected_call",
            "blocked_call",
            "voicemail"
        ]
    );
    let callers: Vec<_> = ms.iter().map(|m| m.sender.as_deref()).collect();
    assert_eq!(
        callers,
        [
            Some("Max Mustermann"),
            Some("Max Mustermann"),
            Some("Max Mustermann"),
            None,
            None,
            Some("+491511111111"),
            Some("Max Mustermann"),
            Some("Max Mustermann"),
        ]
    );
    assert_eq!(ms[0].sender_id.as_deref(), Some(MAX));
    assert_eq!(ms[3].direction, Some(Direction::Outgoing));
    assert_eq!(
        ms[3].recipients,
        [rcpt(MAX, Some("Max Mustermann"), RecipientRole::To)]
    );
    assert_eq!(ms[4].direction, Some(Direction::Incoming));
    assert_eq!(ms[4].sender_id, None, "withheld number");
    assert_eq!(
        ms[7].locator,
        Locator::Line {
            line: 11,
            byte_offset: 1569
        }
    );
}

#[test]
fn streaming_parser_reports_info_before_the_end() {
    let f = File::open(fixture("sms_backup/messages.xml")).expect("open");
    let mut p = sms_backup::Parser::new(f, SmsBackupOptions::default());
    assert!(p.info().is_none());
    let first = p.next().expect("one message").expect("parses");
    assert_eq!(first.index, 0);
    assert_eq!(p.info().map(|i| i.declared_count), Some(Some(10)));
    assert_eq!(p.by_ref().count(), 9);
    assert!(p.next().is_none(), "fused");
}

#[test]
fn byte_order_mark_and_crlf_keep_positions() {
    let data = "\u{FEFF}<?xml version='1.0' encoding='UTF-8'?>\r\n<smses count=\"1\">\r\n  \
                <sms address=\"1\" date=\"0\" type=\"1\" body=\"x\" />\r\n</smses>\r\n";
    let b = sms_backup::parse_all(data.as_bytes(), SmsBackupOptions::default()).expect("parses");
    let at = data.find("<sms ").expect("present") as u64;
    assert_eq!(
        b.messages[0].locator,
        Locator::Line {
            line: 3,
            byte_offset: at
        }
    );
    assert_eq!(b.messages[0].time, instant("1970-01-01T00:00:00Z"));
}

#[test]
fn self_closed_root_and_empty_backup() {
    let b = sms_backup::parse_all(&b"<smses count=\"0\"/>"[..], SmsBackupOptions::default())
        .expect("parses");
    assert_eq!(b.info.declared_count, Some(0));
    assert!(b.messages.is_empty());
}
