//! Output: one JSON document on stdout with `--json`, readable text otherwise.

use anyhow::Result;
use palisade_core::view::{CaseView, EntryState, EntryView};
use palisade_service::{CaseSummary, InitReport, Palisade, Receipt, RecordReceipt, VerifyReport};
use serde::Serialize;
use std::process::ExitCode;

pub struct Out {
    pub json: bool,
}

pub fn print_json<T: Serialize + ?Sized>(v: &T) -> Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(ExitCode::SUCCESS)
}

/// "1 record", "2 records".
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
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
    format!(
        "{}  {:<18} {:<8} {}{}{}  {}",
        e.occurred_at,
        e.channel,
        e.direction.as_deref().unwrap_or("-"),
        one_line(what, 80),
        att,
        state,
        e.id
    )
}

impl Out {
    pub fn init(&self, r: &InitReport) -> Result<ExitCode> {
        if self.json {
            return print_json(r);
        }
        println!("Created a Palisade store in {}", r.data_dir);
        match &r.key_file {
            Some(k) => println!("  master key file:         {k}"),
            None => {
                println!("  master key:              from the passphrase in PALISADE_PASSPHRASE")
            }
        }
        println!("  master key fingerprint:  {}", r.master_key_fingerprint);
        println!("  signing key fingerprint: {}", r.public_key_fingerprint);
        println!("  public key:              {}", r.public_key);
        println!();
        println!("Keep a backup of the master key somewhere safe and separate from the data:");
        println!("without it nobody, including you, can read the records.");
        Ok(ExitCode::SUCCESS)
    }

    pub fn case_opened(&self, v: &CaseView) -> Result<ExitCode> {
        if self.json {
            return print_json(v);
        }
        println!(
            "Opened case {}: {} ({}, {})",
            v.id, v.title, v.subject, v.kind
        );
        Ok(ExitCode::SUCCESS)
    }

    pub fn case_list(&self, list: &[CaseSummary]) -> Result<ExitCode> {
        if self.json {
            return print_json(list);
        }
        if list.is_empty() {
            println!(
                "No cases yet. Open one with: palisade case open --title T --subject S --kind K"
            );
        }
        for c in list {
            println!(
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
        println!("{}  {}", v.id, v.title);
        println!(
            "  subject: {}   kind: {}   status: {}",
            v.subject, v.kind, v.status
        );
        if let Some(o) = &v.owner {
            println!("  owner: {o}");
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
            println!("  parties: {}", names.join(", "));
        }
        println!("  opened: {}", v.opened_at);
        if let Some(c) = &v.closed_at {
            println!(
                "  closed: {c} ({})",
                v.close_reason.as_deref().unwrap_or("")
            );
        }
        println!();
        println!("Entries ({}):", v.live_entries().count());
        for e in &v.entries {
            println!("  {}", entry_line(e));
        }
        println!();
        println!("Actions ({}):", v.actions.len());
        for a in &v.actions {
            let reference = a
                .reference
                .as_deref()
                .map(|r| format!(" ref {r}"))
                .unwrap_or_default();
            println!(
                "  {}  {}{}{}  {}",
                a.date,
                a.kind,
                reference,
                a.notes
                    .as_deref()
                    .map(|n| format!(": {}", one_line(n, 60)))
                    .unwrap_or_default(),
                a.id
            );
        }
        Ok(ExitCode::SUCCESS)
    }

    pub fn timeline(&self, v: &CaseView) -> Result<ExitCode> {
        if self.json {
            return print_json(&v.entries);
        }
        if v.entries.is_empty() {
            println!("No entries in case {} yet.", v.id);
        }
        for e in &v.entries {
            println!("{}", entry_line(e));
            if let Some(c) = &e.content {
                println!("    \"{}\"", one_line(c, 120));
            }
            for a in &e.attachments {
                println!(
                    "    attachment: {} ({}, {} bytes, sha256 {})",
                    a.name, a.media_type, a.size, a.sha256
                );
            }
            for h in &e.history {
                println!(
                    "    {} on {}: {}",
                    h.kind,
                    h.recorded_at,
                    h.reason.as_deref().unwrap_or("")
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    }

    pub fn recorded(&self, what: &str, r: &RecordReceipt) -> Result<ExitCode> {
        if self.json {
            return print_json(r);
        }
        println!(
            "Recorded {what} {} at ledger position {}",
            r.id, r.leaf_index
        );
        for a in &r.attachments {
            println!(
                "  attached {} ({}, {} bytes, sha256 {})",
                a.name, a.media_type, a.size, a.sha256
            );
        }
        Ok(ExitCode::SUCCESS)
    }

    pub fn receipt(&self, what: &str, id: &str, r: &Receipt) -> Result<ExitCode> {
        if self.json {
            return print_json(r);
        }
        println!(
            "{what} {id} (record {} at ledger position {})",
            r.id, r.leaf_index
        );
        Ok(ExitCode::SUCCESS)
    }

    pub fn verify(&self, r: &VerifyReport) -> Result<ExitCode> {
        if self.json {
            return print_json(r);
        }
        if r.ok {
            println!(
                "OK: {}, {} and {} ({}) verified.",
                count(r.records, "record"),
                count(r.checkpoints, "checkpoint"),
                count(r.attachments, "attachment"),
                count(r.attachment_bytes, "byte")
            );
            println!(
                "Tree size {}, root {}, signed by key fingerprint {}.",
                r.tree_size,
                r.root.as_deref().unwrap_or("-"),
                r.public_key_fingerprint
            );
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(first) = r.errors.first() {
            eprintln!("TAMPERING OR DAMAGE DETECTED: {first}");
        }
        println!(
            "FAILED: {} problem(s) found in {} records:",
            r.errors.len(),
            r.records
        );
        for p in &r.errors {
            println!("  {p}");
        }
        if r.more_errors {
            println!("  … and more");
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
        print!("{note}");
        Ok(ExitCode::SUCCESS)
    }
}
