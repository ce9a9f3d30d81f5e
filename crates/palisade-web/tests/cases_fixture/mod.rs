//! A case with something of everything, made through the real service in a
//! real data directory, and the people around it: the owner, users it is
//! shared with, users it is not, a colleague. Every piece of case content
//! carries a unique marker so a test can prove it never leaked.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::common::{Client, TestApp, TestUser};
use palisade_core::access::Role;
use palisade_core::compose::{NewCase, NewEntry, NewExhibit};
use palisade_core::domain::{CaseKind, Channel, Direction, ItemKind, Party, PartyRole, Source};
use palisade_core::time::{Moment, When};
use palisade_service::Scope;
use std::path::PathBuf;

pub const TITLE: &str = "TITLE-MARKER-7731";
pub const SUBJECT: &str = "SUBJECT-MARKER-7731";
pub const CONTENT: &str = "CONTENT-MARKER-7731 please meet me";
pub const PARTY: &str = "PARTY-MARKER-7731";
pub const ATTACHMENT: &[u8] = b"ATTACHMENT-MARKER-7731";
/// Every marker as text (for denial bodies).
pub const MARKERS: &[&str] = &[
    "TITLE-MARKER-7731",
    "SUBJECT-MARKER-7731",
    "CONTENT-MARKER-7731",
    "PARTY-MARKER-7731",
    "ATTACHMENT-MARKER-7731",
];

/// A small real PNG (decodable), with the attachment marker after its end.
pub fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(32, 24, |x, y| {
        image::Rgb([(x * 8) as u8, (y * 10) as u8, 128])
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out.extend_from_slice(ATTACHMENT);
    out
}

/// A file written into the test's temp dir (not the data directory).
pub fn file(app: &TestApp, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = app
        .dir
        .path()
        .join("files")
        .join(format!("{}", bytes.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

pub fn entry(at: &str, content: &str) -> NewEntry {
    NewEntry {
        occurred_at: Moment::parse(at).unwrap(),
        channel: Channel::Sms,
        direction: Direction::Inbound,
        party: Some(PARTY.into()),
        place: None,
        witnesses: vec![],
        summary: Some("Texted again".into()),
        content: Some(content.into()),
        clinical: None,
        source: Source::Manual,
    }
}

pub struct Fixture {
    pub app: TestApp,
    pub admin: TestUser,
    pub owner: TestUser,
    pub shared_clinician: TestUser,
    pub shared_manager: TestUser,
    pub unshared_manager: TestUser,
    pub shared_admin: TestUser,
    pub colleague: TestUser,
    /// Shared at setup so the owner can revoke it in a test.
    pub spare: TestUser,
    pub spare2: TestUser,
    pub case_id: String,
    pub entry_id: String,
    pub attachment_id: String,
    pub exhibit_id: String,
}

impl Fixture {
    pub fn new() -> Self {
        let app = TestApp::new();
        let admin = app.setup_admin();
        let owner = app.create_user(Role::Clinician);
        let shared_clinician = app.create_user(Role::Clinician);
        let shared_manager = app.create_user(Role::Manager);
        let unshared_manager = app.create_user(Role::Manager);
        let shared_admin = app.create_user(Role::Admin);
        let colleague = app.create_user(Role::Colleague);
        let spare = app.create_user(Role::Clinician);
        let spare2 = app.create_user(Role::Clinician);
        let p = app.palisade().clone();
        let case_id = p
            .open_case(&NewCase {
                title: TITLE.into(),
                subject: SUBJECT.into(),
                kind: CaseKind::Amorous,
                parties: vec![Party {
                    name: PARTY.into(),
                    role: PartyRole::Patient,
                }],
                owner: Some(owner.id.clone()),
            })
            .unwrap()
            .id;
        let photo = file(&app, "photo.png", &png());
        let r = p
            .log_entry(&case_id, &entry("2026-03-01T21:00:00Z", CONTENT), &[photo])
            .unwrap();
        let entry_id = r.id;
        let attachment_id = r.attachments[0].id.clone();
        for u in [
            &shared_clinician,
            &shared_manager,
            &shared_admin,
            &spare,
            &spare2,
        ] {
            p.share_case(&case_id, &u.id, &u.username, "owner", None)
                .unwrap();
        }
        let exhibit_id = p
            .add_exhibit(
                &case_id,
                &NewExhibit {
                    description: "Card".into(),
                    item_kind: ItemKind::Card,
                    received_at: When::parse("2026-03-02").unwrap(),
                    received_by: "Reception".into(),
                    stored_at: "Safe".into(),
                    bag_number: None,
                    linked_entry: None,
                    notes: None,
                },
                &[],
            )
            .unwrap()
            .id;
        Fixture {
            app,
            admin,
            owner,
            shared_clinician,
            shared_manager,
            unshared_manager,
            shared_admin,
            colleague,
            spare,
            spare2,
            case_id,
            entry_id,
            attachment_id,
            exhibit_id,
        }
    }

    /// A write-scoped API token for `u`.
    pub fn token(&self, u: &TestUser, scope: Scope) -> String {
        self.app
            .accounts()
            .create_api_token(&u.id, "test", &[scope])
            .unwrap()
            .1
    }

    pub async fn client(&self, u: &TestUser) -> Client {
        self.app.sign_in(u).await
    }

    /// `/cases/{id}` + `rest`.
    pub fn case(&self, rest: &str) -> String {
        format!("/cases/{}{rest}", self.case_id)
    }
}

/// Whether `body` holds any of the case's markers.
pub fn leaks(body: &[u8]) -> Option<&'static str> {
    MARKERS
        .iter()
        .find(|m| body.windows(m.len()).any(|w| w == m.as_bytes()))
        .copied()
}
