//! `palisade share`, `unshare`, `flag` and `exhibit`: sharing a case with a
//! user of the web application, flags for colleagues, and the physical
//! evidence register; and the lines `timeline` and `case show` print about
//! them.

use crate::render::{Out, print_json};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use palisade_core::compose::{NewCustody, NewExhibit};
use palisade_core::domain::ItemKind;
use palisade_core::time::When;
use palisade_core::view::CaseView;
use palisade_service::{Palisade, PublishedFlag, Receipt};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ShareArgs {
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    /// The user's id in the web application (usr_…; shown on Settings → Users).
    #[arg(long, value_name = "USER_ID")]
    pub user: String,
    /// The user's name, recorded with the share for readers of a bundle.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Who gives the share (default: the login name).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct UnshareArgs {
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    #[arg(long, value_name = "USER_ID")]
    pub user: String,
    /// Who revokes the share (default: the login name).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum FlagCommand {
    /// Publish an alert for colleagues (they see the patient as you word it
    /// and the text, nothing of the case).
    Publish {
        #[arg(long = "case", value_name = "ID")]
        case: String,
        /// How colleagues recognise the patient, e.g. "AB, ref 40213".
        #[arg(long, value_name = "TEXT")]
        patient: String,
        /// What colleagues should do, e.g. "Chaperone required for this patient".
        #[arg(long, value_name = "TEXT")]
        text: String,
        /// Who publishes it (default: the login name).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Withdraw a flag.
    Withdraw {
        #[arg(long = "case", value_name = "ID")]
        case: String,
        #[arg(long = "flag", value_name = "FLAG_ID")]
        flag: String,
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Every flag in force, in every open case, newest first.
    List,
}

#[derive(Debug, Subcommand)]
pub enum ExhibitCommand {
    /// Add an item kept as evidence (a letter, card, gift, parcel, USB stick…)
    /// to the case's physical evidence register.
    Add(ExhibitAddArgs),
    /// Record a hand-over of an item (chain of custody).
    Custody(CustodyArgs),
}

#[derive(Debug, Args)]
pub struct ExhibitAddArgs {
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    /// What the item is, e.g. "Handwritten card in a red envelope".
    #[arg(long, value_name = "TEXT")]
    pub description: String,
    /// letter, card, gift, parcel, photo_print, digital_media or other.
    #[arg(long, value_name = "KIND")]
    pub kind: String,
    /// When it was received: a date (YYYY-MM-DD) or an RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    pub received: String,
    /// Who received it.
    #[arg(long, value_name = "NAME")]
    pub received_by: String,
    /// Where it is kept, e.g. "Practice safe".
    #[arg(long, value_name = "PLACE")]
    pub stored_at: String,
    /// The number of the sealed evidence bag it is in.
    #[arg(long, value_name = "NUMBER")]
    pub bag: Option<String>,
    /// The entry (contact) it arrived with.
    #[arg(long = "entry", value_name = "ID")]
    pub entry: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// A photograph of the item. Repeatable.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CustodyArgs {
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    #[arg(long = "exhibit", value_name = "ID")]
    pub exhibit: String,
    /// When it changed hands: a date (YYYY-MM-DD) or an RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    pub at: String,
    /// Who handed it over.
    #[arg(long, value_name = "NAME")]
    pub from: String,
    /// Who received it, or where it went, e.g. "PC 1234 Smith, Thames Valley Police".
    #[arg(long, value_name = "NAME")]
    pub to: String,
    #[arg(long, value_name = "TEXT")]
    pub purpose: Option<String>,
    /// A new evidence bag number, if it was re-sealed.
    #[arg(long, value_name = "NUMBER")]
    pub bag: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

fn some_text(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `--by`, else the login name.
fn who(by: &Option<String>, what: &str) -> Result<String> {
    some_text(by)
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .with_context(|| format!("say who {what} with --by NAME"))
}

fn when(flag: &str, s: &str) -> Result<When> {
    When::parse(s.trim()).with_context(|| flag.to_string())
}

pub fn share(p: &Palisade, a: &ShareArgs, out: &Out) -> Result<ExitCode> {
    let by = who(&a.by, "shares the case")?;
    let r = p.share_case(
        a.case.trim(),
        a.user.trim(),
        a.name.trim(),
        &by,
        some_text(&a.reason).as_deref(),
    )?;
    out.receipt(&format!("Shared with {}: case", a.name.trim()), &a.case, &r)
}

pub fn unshare(p: &Palisade, a: &UnshareArgs, out: &Out) -> Result<ExitCode> {
    let by = who(&a.by, "revokes the share")?;
    let r = p.revoke_share(
        a.case.trim(),
        a.user.trim(),
        &by,
        some_text(&a.reason).as_deref(),
    )?;
    out.receipt(
        &format!("Share revoked for {}: case", a.user.trim()),
        &a.case,
        &r,
    )
}

pub fn flag(p: &Palisade, c: &FlagCommand, out: &Out) -> Result<ExitCode> {
    match c {
        FlagCommand::Publish {
            case,
            patient,
            text,
            by,
        } => {
            let by = who(by, "publishes the flag")?;
            let r: Receipt = p.publish_flag(case.trim(), patient.trim(), text.trim(), &by)?;
            out.receipt("Published flag for colleagues in case", case, &r)
        }
        FlagCommand::Withdraw {
            case,
            flag,
            by,
            reason,
        } => {
            let by = who(by, "withdraws the flag")?;
            let r = p.withdraw_flag(case.trim(), flag.trim(), &by, some_text(reason).as_deref())?;
            out.receipt("Withdrew flag", flag, &r)
        }
        FlagCommand::List => flag_list(&p.published_flags()?, out.json),
    }
}

fn flag_list(flags: &[PublishedFlag], json: bool) -> Result<ExitCode> {
    if json {
        return print_json(flags);
    }
    if flags.is_empty() {
        say!("No flags for colleagues are in force.");
    }
    for f in flags {
        say!("{}  {}", f.patient, f.text);
        say!(
            "    published {} by {}  ({} in case {})",
            f.published_at,
            f.by,
            f.flag_id,
            f.case_id
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn exhibit(p: &Palisade, c: &ExhibitCommand, out: &Out) -> Result<ExitCode> {
    match c {
        ExhibitCommand::Add(a) => {
            let e = NewExhibit {
                description: a.description.trim().to_string(),
                item_kind: a.kind.trim().parse::<ItemKind>()?,
                received_at: when("--received", &a.received)?,
                received_by: a.received_by.trim().to_string(),
                stored_at: a.stored_at.trim().to_string(),
                bag_number: some_text(&a.bag),
                linked_entry: some_text(&a.entry),
                notes: some_text(&a.notes),
            };
            let r = p.add_exhibit(a.case.trim(), &e, &a.attach)?;
            out.recorded("exhibit", &r)
        }
        ExhibitCommand::Custody(a) => {
            let c = NewCustody {
                at: when("--at", &a.at)?,
                from: a.from.trim().to_string(),
                to: a.to.trim().to_string(),
                purpose: some_text(&a.purpose),
                bag_number: some_text(&a.bag),
                notes: some_text(&a.notes),
            };
            let r = p.record_custody(a.case.trim(), a.exhibit.trim(), &c)?;
            out.receipt("Recorded hand-over of exhibit", &a.exhibit, &r)
        }
    }
}

/// The register, the flags in force and the shares in force, briefly, after
/// the entries of `timeline` and `case show`.
pub fn print_register_and_flags(v: &CaseView) {
    if !v.exhibits.is_empty() {
        say!();
        say!("Physical evidence register ({}):", v.exhibits.len());
        for x in &v.exhibits {
            let bag = x
                .current_bag()
                .map(|b| format!(", bag {b}"))
                .unwrap_or_default();
            say!(
                "  {}. {} ({}), received {} by {}  {}",
                x.number,
                one_line(&x.description, 60),
                x.item_kind,
                x.received_at,
                x.received_by,
                x.id
            );
            say!("     now: {}{bag}", x.current_holder());
            for c in &x.custody {
                say!("     {}  {} → {}", c.at, c.from, c.to);
            }
            for a in &x.attachments {
                say!("     photo: {} (sha256 {})", a.name, a.sha256);
            }
        }
    }
    let flags: Vec<_> = v.active_flags().collect();
    if !flags.is_empty() {
        say!();
        say!("Flags for colleagues in force ({}):", flags.len());
        for f in flags {
            say!("  {}: {}  {}", f.patient, one_line(&f.text, 80), f.id);
        }
    }
    let shares: Vec<_> = v.shares.iter().filter(|s| s.is_active()).collect();
    if !shares.is_empty() {
        say!();
        say!("Shared with ({}):", shares.len());
        for s in shares {
            say!("  {} ({}) since {}", s.user_name, s.user, s.granted_at);
        }
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
