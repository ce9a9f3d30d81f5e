//! `report.pdf`: the case as the bundle discloses it, for people to read.

use super::ExportOptions;
use super::select::Chosen;
use crate::error::{Result, ServiceError};
use crate::ledger::Palisade;
use palisade_bundle::format::Manifest;
use palisade_bundle::howto;
use palisade_core::domain::{ActionKind, field};
use palisade_core::view::{CaseView, EntryState};
use palisade_report::{
    Field, Report, ReportAction, ReportAttachment, ReportCustody, ReportEntry, ReportExhibit,
    Thumbnail,
};
use palisade_store::StoredTimestamp;
use std::collections::{BTreeMap, BTreeSet};

/// Images larger than this get no thumbnail (their hash is still listed).
pub(super) const THUMBNAIL_SOURCE_LIMIT: u64 = 32 << 20;

/// A value the profile may withhold.
fn shown(value: &Option<String>, withheld: bool) -> Field {
    match value {
        None => Field::Absent,
        Some(_) if withheld => Field::Withheld,
        Some(v) => Field::Disclosed(v.clone()),
    }
}

pub(super) fn render(
    p: &Palisade,
    o: &ExportOptions,
    view: &CaseView,
    manifest: &Manifest,
    items: &[Chosen<'_>],
    stored_timestamps: &[StoredTimestamp],
    mut thumbnails: BTreeMap<String, Thumbnail>,
) -> Result<Vec<u8>> {
    let in_bundle: BTreeSet<&str> = items
        .iter()
        .map(|c| c.record.envelope.id.as_str())
        .collect();
    let clinical_withheld = o.profile.withholds_clinical(o.include_clinical);
    let entries = view
        .entries
        .iter()
        .filter(|e| in_bundle.contains(e.id.as_str()))
        .map(|e| ReportEntry {
            id: e.id.clone(),
            leaf_index: e.leaf_index,
            occurred_at: e.occurred_at.clone(),
            recorded_at: e.recorded_at.clone(),
            channel: e.channel.clone(),
            direction: Field::from_option(e.direction.clone()),
            party: Field::from_option(e.party.clone()),
            place: Field::from_option(e.place.clone()),
            witnesses: if e.witnesses.is_empty() {
                Field::Absent
            } else {
                Field::Disclosed(e.witnesses.join(", "))
            },
            summary: Field::from_option(e.summary.clone()),
            content: Field::from_option(e.content.clone()),
            clinical: shown(&e.clinical, clinical_withheld),
            retracted: e.state == EntryState::Retracted,
            corrected: e.state == EntryState::Corrected,
            attachments: e.attachments.iter().map(|a| a.sha256.clone()).collect(),
        })
        .collect();
    let actions = view
        .actions
        .iter()
        .filter(|a| in_bundle.contains(a.id.as_str()))
        .map(|a| ReportAction {
            id: a.id.clone(),
            date: a.date.clone(),
            kind: a.kind.clone(),
            by: Field::from_option(a.by.clone()),
            reference: Field::from_option(a.reference.clone()),
            notes: shown(
                &a.notes,
                clinical_withheld && a.kind == ActionKind::PsychiatricReferral.as_str(),
            ),
        })
        .collect();
    let exhibits = view
        .exhibits
        .iter()
        .filter(|x| in_bundle.contains(x.id.as_str()))
        .map(|x| ReportExhibit {
            id: x.id.clone(),
            number: x.number,
            item_kind: x.item_kind.clone(),
            description: Field::Disclosed(x.description.clone()),
            received_at: x.received_at.clone(),
            received_by: Field::Disclosed(x.received_by.clone()),
            stored_at: Field::Disclosed(x.stored_at.clone()),
            bag_number: Field::from_option(x.bag_number.clone()),
            notes: Field::from_option(x.notes.clone()),
            photos: manifest
                .attachments
                .iter()
                .filter(|a| a.belongs_to == x.id)
                .count(),
            custody: x
                .custody
                .iter()
                .filter(|c| in_bundle.contains(c.id.as_str()))
                .map(|c| ReportCustody {
                    at: c.at.clone(),
                    from: Field::Disclosed(c.from.clone()),
                    to: Field::Disclosed(c.to.clone()),
                    purpose: Field::from_option(c.purpose.clone()),
                    bag_number: Field::from_option(c.bag_number.clone()),
                })
                .collect(),
        })
        .collect();
    let attachments = manifest
        .attachments
        .iter()
        .map(|a| ReportAttachment {
            record_id: a.record.clone(),
            belongs_to: a.belongs_to.clone(),
            name: Field::Disclosed(a.name.clone()),
            media_type: a.media_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            bytes_included: a.file.is_some(),
            thumbnail: if a.file.is_some() {
                thumbnails.remove(&a.sha256)
            } else {
                None
            },
        })
        .collect();
    let parties = view
        .parties
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let name = p.get("name").and_then(|v| v.as_str()).unwrap_or("?");
                    match p.get("role").and_then(|v| v.as_str()) {
                        Some(role) => format!("{name} ({role})"),
                        None => name.to_string(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let timestamps = manifest
        .timestamps
        .iter()
        .zip(stored_timestamps)
        .map(|(t, stored)| {
            let note = p.store.checkpoint_at(t.checkpoint_size).ok().flatten();
            let info = note.and_then(|n| {
                palisade_timestamp::verify_token(&stored.token, &palisade_timestamp::digest_of(n.note.as_bytes())).ok()
            });
            match info {
                Some(i) => format!(
                    "RFC 3161 timestamp over checkpoint {} (tree of {} records): {} by {} ({})",
                    t.checkpoint_size, t.checkpoint_size, i.gen_time, i.signer_subject, t.authority
                ),
                None => format!(
                    "RFC 3161 timestamp over checkpoint {} from {} (could not be read here; check it with verify-bundle)",
                    t.checkpoint_size, t.authority
                ),
            }
        })
        .collect();
    let report = Report {
        case_id: view.id.clone(),
        case_title: Field::Disclosed(view.title.clone()),
        case_subject: Field::Disclosed(view.subject.clone()),
        case_kind: view.kind.clone(),
        case_status: view.status.clone(),
        opened_at: view.opened_at.clone(),
        parties,
        profile: manifest.profile.clone(),
        profile_description: manifest.profile_description.clone(),
        exported_by: manifest.exported_by.clone(),
        exported_at: manifest.exported_at.clone(),
        recipient: manifest.recipient.clone(),
        purpose: manifest.reason.clone(),
        checkpoint_origin: manifest.checkpoint.origin.clone(),
        checkpoint_size: manifest.checkpoint.size,
        checkpoint_root: manifest.checkpoint.root.clone(),
        key_fingerprint: manifest.checkpoint.key_fingerprint.clone(),
        timestamps,
        entries,
        actions,
        exhibits,
        attachments,
        verification: howto::report_paragraphs(manifest),
    };
    // Nothing withheld may reach the renderer: a last check on the clinical field.
    debug_assert!(
        !clinical_withheld
            || items
                .iter()
                .all(|c| !c.record.envelope.fields.contains_key(field::CLINICAL)
                    || c.withheld.iter().any(|n| n == field::CLINICAL))
    );
    palisade_report::render_report(&report)
        .map_err(|e| ServiceError::Invalid(format!("cannot draw report.pdf: {e}")))
}
