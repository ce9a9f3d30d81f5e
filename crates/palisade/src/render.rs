//! Output: one JSON document on stdout with `--json`, readable text otherwise.

use anyhow::Result;
use palisade_core::view::{CaseView, EntryState, EntryView};
use palisade_service::{
    CaseSummary, ImportReport, InitReport, Palisade, Receipt, RecordReceipt, VerifyReport,
};
use serde::Serialize;
use std::process::ExitCode;

pub struct Out {
    pub json: bool,
}

pub fn print_json<T: Serialize + ?Sized>(v: &T) -> Result<ExitCode> {
    say!("{}", serde_json::to_string_pretty(v)?);
    Ok(ExitCode::SUCCESS)
}

/// "1 record", "2 records".
fn count(n: u64, noun: &str) -> String {
    count_as(n, noun, &format!("{noun}s"))
}

fn count_as(n: u64, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{n} {plural}")
    }
}

fn one_line(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > max {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

/// `THREAT` or `SELF-HARM` for an entry flagged by triage (and not retracted).
fn flag(e: &EntryView) -> Option<(&'static str, bool)> {
    if e.state == EntryState::Retracted {
        return None;
    }
    let t = e.triage.as_ref()?;
    let name = match t.label.as_str() {
        "threat" => "THREAT",
        "self_harm" => "SELF-HARM",
        _ => return None,
    };
    Some((name, t.acknowledged))
}

/// The triage evidence in a few words: `threatens violence: "kill u"`.
fn triage_reasons(e: &EntryView) -> String {
    let Some(t) = &e.triage else {
        return String::new();
    };
    let parts: Vec<String> = t
        .reasons
        .as_array()
        .map(|rs| {
            rs.iter()
                .take(3)
                .map(|r| {
                    let feature = r["feature"].as_str().unwrap_or("");
                    match r["matched"].as_str().filter(|m| !m.is_empty()) {
                        Some(m) => format!("{feature}: \"{}\"", one_line(m, 40)),
                        None => feature.to_string(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    parts.join("; ")
}

fn entry_line(e: &EntryView) -> String {
    let state = match e.state {
        EntryState::Original => String::new(),
        EntryState::Corrected => " [corrected]".into(),
        EntryState::Retracted => " [RETRACTED]".into(),
    };
    let what = e
        .summary
        .as_deref()
        .or(e.content.as_deref())
        .unwrap_or("(no summary)");
    let att = match e.attachments.len() {
        0 => String::new(),
        1 => " [1 attachment]".into(),
        n => format!(" [{n} attachments]"),
    };
    let flagged = match flag(e) {
        Some((name, false)) => format!(" [{name}]"),
        Some((name, true)) => format!(" [{name}, acknowledged]"),
        None => String::new(),
    };
    format!(
        "{}{}  {:<18} {:<8} {}{}{}{}  {}",
        if matches!(flag(e), Some((_, false))) {
            "!! "
        } else {
            ""
        },
        e.occurred_at,
        e.channel,
        e.direction.as_deref().unwrap_or("-"),
        one_line(what, 80),
        att,
        state,
        flagged,
        e.id
    )
}

impl Out {
    pub fn init(&self, r: &InitReport) -> Result<ExitCode> {
        if self.json {
            return print_json(r);
        }
        say!("Created a Palisade store in {}", r.data_dir);
        match &r.key_file {
            Some(k) => say!("  master key file:         {k}"),
            None => {
                say!("  master key:              from the passphrase in PALISADE_PASSPHRASE")
            }
        }
        say!("  master key fingerprint:  {}", r.master_key_fingerprint);
        say!("  signing key fingerprint: {}", r.public_key_fingerprint);
        say!("  public key:              {}", r.public_key);
        say!();
        say!("Keep a backup of the master key somewhere safe and separate from the data:");
        say!("without it nobody, including you, can read the records.");
        Ok(ExitCode::SUCCESS)
    }

    pub fn case_opened(&self, v: &CaseView) -> Result<ExitCode> {
        if self.json {
            return print_json(v);
        }
        say!(
            "Opened case {}: {} ({}, {})",
            v.id,
            v.title,
            v.subject,
            v.kind
        );
        Ok(ExitCode::SUCCESS)
    }

    pub fn case_list(&self, list: &[CaseSummary]) -> Result<ExitCode> {
        if self.json {
            return print_json(list);
        }
        if list.is_empty() {
            say!("No cases yet. Open one with: palisade case open --title T --subject S --kind K");
        }
        for c in list {
            say!(
                "{}  {:<6} {:<9} {:>4} entries  last contact {:<25}  {} ({})",
                c.id,
                c.status,
                c.kind,
                c.entries,
                c.last_contact.as_deref().unwrap_or("-"),
                one_line(&c.title, 50),
                one_line(&c.subject, 30),
            );
        }
        Ok(ExitCode::SUCCESS)
    }

    pub fn case_show(&self, v: &CaseView) -> Result<ExitCode> {
        if self.json {
            return print_json(v);
        }
        say!("{}  {}", v.id, v.title);
        say!(
            "  subject: {}   kind: {}   status: {}",
            v.subject,
            v.kind,
            v.status
        );
        if let Some(o) = &v.owner {
            say!("  owner: {o}");
        }
        if let Some(arr) = v.parties.as_array().filter(|a| !a.is_empty()) {
            let names: Vec<String> = arr
                .iter()
                .map(|p| {
                    format!(
                        "{} ({})",
                        p["name"].as_str().unwrap_or("?"),
                        p["role"].as_str().unwrap_or("?")
                    )
                })
                .collect();
            say!("  parties: {}", names.join(", "));
        }
        say!("  opened: {}", v.opened_at);
        if let Some(c) = &v.closed_at {
            say!(
                "  closed: {c} ({})",
                v.close_reason.as_deref().unwrap_or("")
            );
        }
        say!();
        say!("Entries ({}):", v.live_entries().count());
        for e in &v.entries {
            say!("  {}", entry_line(e));
        }
        say!();
        say!("Actions ({}):", v.actions.len());
        for a in &v.actions {
            let reference = a
                .reference
                .as_deref()
                .map(|r| format!(" ref {r}"))
                .unwrap_or_default();
            let kind = match &a.mode {
                Some(m) => format!("{} ({m})", a.kind),
                None => a.kind.clone(),
            };
            say!(
                "  {}  {}{}{}  {}",
                a.date,
                kind,
                reference,
                a.notes
                    .as_deref()
                    .map(|n| format!(": {}", one_line(n, 60)))
                    .unwrap_or_default(),
                a.id
            );
        }
        if !v.assessments.is_empty() {
            say!();
            say!("Risk assessments recorded ({}):", v.assessments.len());
            for r in &v.assessments {
                let n = r.factors.as_array().map_or(0, Vec::len);
                say!(
                    "  {}  {:<8} as of {} ({}{}), {}  {}",
                    r.recorded_at,
                    r.level,
                    r.as_of,
                    r.trigger.replace('_', " "),
                    r.by.as_deref()
                        .map(|b| format!(" by {b}"))
                        .unwrap_or_default(),
                    count(n as u64, "factor"),
                    r.id
                );
            }
        }
        if !v.disclosures.is_empty() {
            say!();
            say!("Evidence bundles made ({}):", v.disclosures.len());
            for d in &v.disclosures {
                let to = d
                    .recipient
                    .as_deref()
                    .map(|r| format!(" for {r}"))
                    .unwrap_or_default();
                let clinical = if d.include_clinical {
                    ", clinical notes included"
                } else {
                    ""
                };
                say!(
                    "  {}  {} profile{to}, by {}: {} records{clinical}  {}",
                    d.recorded_at,
                    d.profile,
                    d.by.as_deref().unwrap_or("?"),
                    d.records,
                    d.id
                );
            }
        }
        crate::sharing_cmds::print_register_and_flags(v);
        Ok(ExitCode::SUCCESS)
    }

    pub fn timeline(&self, v: &CaseView) -> Result<ExitCode> {
        if self.json {
            return print_json(&v.entries);
        }
        if v.entries.is_empty() {
            say!("No entries in case {} yet.", v.id);
        }
        for e in &v.entries {
            say!("{}", entry_line(e));
            if let Some(c) = &e.content {
                say!("    \"{}\"", one_line(c, 120));
            }
            match flag(e) {
                Some((name, false)) => say!(
                    "    !! {name} ({}), not yet acknowledged: it keeps the case urgent. When dealt with: palisade acknowledge --entry {} --by NAME",
                    triage_reasons(e),
                    e.id
                ),
                Some((name, true)) => {
                    for a in e.acknowledgements.iter() {
                        say!(
                            "    {name} acknowledged by {} on {}{}",
                            a.by.as_deref().unwrap_or("?"),
                            a.recorded_at,
                            a.note
                                .as_deref()
                                .map(|n| format!(": {}", one_line(n, 80)))
                                .unwrap_or_default()
                        );
                    }
                }
                None => {}
            }
            for a in &e.attachments {
                say!(
                    "    attachment: {} ({}, {} bytes, sha256 {})",
                    a.name,
                    a.media_type,
                    a.size,
                    a.sha256
                );
            }
            for h in &e.history {
                say!(
                    "    {} on {}: {}",
                    h.kind,
                    h.recorded_at,
                    h.reason.as_deref().unwrap_or("")
                );
            }
        }
        crate::sharing_cmds::print_register_and_flags(v);
        Ok(ExitCode::SUCCESS)
    }

    pub fn recorded(&self, what: &str, r: &RecordReceipt) -> Result<ExitCode> {
        if self.json {
            return print_json(r);
        }
        say!(
            "Recorded {what} {} at ledger position {}",
            r.id,
            r.leaf_index
        );
        for a in &r.attachments {
            say!(
                "  attached {} ({}, {} bytes, sha256 {})",
                a.name,
                a.media_type,
                a.size,
                a.sha256
            );
        }
        Ok(ExitCode::SUCCESS)
    }

    pub fn receipt(&self, what: &str, id: &str, r: &Receipt) -> Result<ExitCode> {
        if self.json {
            return print_json(r);
        }
        say!(
            "{what} {id} (record {} at ledger position {})",
            r.id,
            r.leaf_index
        );
        Ok(ExitCode::SUCCESS)
    }

    pub fn verify(&self, r: &VerifyReport) -> Result<ExitCode> {
        if self.json {
            return print_json(r);
        }
        if r.ok {
            say!(
                "OK: {}, {} and {} ({}) verified.",
                count(r.records, "record"),
                count(r.checkpoints, "checkpoint"),
                count(r.attachments, "attachment"),
                count(r.attachment_bytes, "byte")
            );
            say!(
                "Tree size {}, root {}, signed by key fingerprint {}.",
                r.tree_size,
                r.root.as_deref().unwrap_or("-"),
                r.public_key_fingerprint
            );
            if r.timestamps > 0 {
                say!(
                    "{} checked against the checkpoints they cover.",
                    count_as(
                        r.timestamps,
                        "RFC 3161 timestamp token",
                        "RFC 3161 timestamp tokens"
                    )
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(first) = r.errors.first() {
            eprintln!("TAMPERING OR DAMAGE DETECTED: {first}");
        }
        say!(
            "FAILED: {} problem(s) found in {} records:",
            r.errors.len(),
            r.records
        );
        for p in &r.errors {
            say!("  {p}");
        }
        if r.more_errors {
            say!("  … and more");
        }
        Ok(ExitCode::SUCCESS)
    }

    pub fn checkpoint(&self, note: &str, p: &Palisade) -> Result<ExitCode> {
        if self.json {
            return print_json(&serde_json::json!({
                "checkpoint": note,
                "origin": p.origin(),
                "public_key": p.public_key(),
                "public_key_fingerprint": p.public_key_fingerprint(),
            }));
        }
        say!(@raw "{note}");
        Ok(ExitCode::SUCCESS)
    }
}

/// A progress display for long imports, on a terminal only (never under `--json`).
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub fn new(enabled: bool) -> Self {
        use std::io::IsTerminal;
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        });
        Self { bar }
    }

    pub fn update(&mut self, stage: &str, n: u64) {
        if let Some(b) = &self.bar {
            b.set_message(format!("{stage}: {n} messages"));
        }
    }

    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

impl Out {
    pub fn import(&self, r: &ImportReport) -> Result<ExitCode> {
        if self.json {
            return print_json(r);
        }
        let files: Vec<&str> = r.files.iter().map(|f| f.name.as_str()).collect();
        if r.dry_run {
            say!(
                "Dry run: {} would be imported from the {} export {} ({} already in the case). Nothing was written.",
                count_as(r.imported, "new entry", "new entries"),
                r.format,
                files.join(", "),
                r.duplicates
            );
        } else {
            say!(
                "Imported {} from the {} export {} ({} already in the case); import record {}.",
                count_as(r.imported, "new entry", "new entries"),
                r.format,
                files.join(", "),
                r.duplicates,
                r.import_id.as_deref().unwrap_or("-")
            );
        }
        let senders: Vec<String> = r.senders.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        say!(
            "  {} by {}; {}",
            count(r.messages, "message"),
            senders.join(", "),
            count(r.system, "system line")
        );
        say!(
            "  media: {} referenced, {} stored, {} not in the export",
            r.attachments,
            r.media_stored,
            r.media_missing
        );
        if r.not_sent > 0 {
            say!(
                "  {} the phone never sent (drafts, failed) not recorded as contacts",
                count(r.not_sent, "message")
            );
        }
        if let (Some(a), Some(b)) = (&r.first, &r.last) {
            say!("  from {a} to {b} (UTC)");
        }
        let order = r
            .date_order
            .as_deref()
            .map(|o| format!("; dates read as {o}"))
            .unwrap_or_default();
        say!("  times without an offset read in {}{order}", r.tz);
        if r.dst_ambiguous > 0 {
            say!(
                "  warning: {} fell in a daylight-saving change; see the import record:",
                count(r.dst_ambiguous, "time")
            );
            for n in &r.dst_notes {
                say!("    {n}");
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
