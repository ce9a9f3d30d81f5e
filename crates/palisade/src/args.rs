//! The command-line contract: every command, flag and environment variable.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "palisade",
    version,
    about = "A tamper-evident, encrypted record of unwanted contact from patients.",
    long_about = "Palisade keeps the log that defence organisations ask doctors to keep: every call, \
message, letter, gift and approach, every action taken, and the evidence, in a record that is \
encrypted at rest and that nobody can alter without `palisade verify` noticing."
)]
pub struct Cli {
    /// The data directory.
    #[arg(
        long,
        global = true,
        env = "PALISADE_DATA_DIR",
        default_value = "./palisade-data"
    )]
    pub data_dir: PathBuf,

    /// The master key file (default: the one `init` created for this store under
    /// ~/.config/palisade/keys/). With PALISADE_PASSPHRASE set instead, the store is
    /// protected by that passphrase.
    #[arg(long, global = true, env = "PALISADE_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new data directory, its master key and its signing key.
    Init,
    /// Open, list, show or close cases.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Record a contact: a call, message, letter, gift, approach or incident.
    Log(LogArgs),
    /// Record an action taken about a case.
    Action(ActionArgs),
    /// Amend an entry (the original stays in the history).
    Correct(CorrectArgs),
    /// Withdraw an entry that should not have been recorded (it stays in the history).
    Retract(RetractArgs),
    /// Import a message export (WhatsApp, SMS backup, email, Messenger, Instagram,
    /// Telegram, X) into a case, in one transaction; the original file is kept.
    Import(ImportArgs),
    /// A case's entries in the order they happened.
    Timeline {
        #[arg(long = "case", value_name = "ID")]
        case: String,
    },
    /// Re-check every record, checkpoint and attachment; exit non-zero on any discrepancy.
    Verify,
    /// Print the latest signed checkpoint.
    Checkpoint,
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Open a case about one person or situation.
    Open {
        #[arg(long)]
        title: String,
        /// How the patient is identified inside the practice, e.g. initials and a practice reference.
        #[arg(long)]
        subject: String,
        /// amorous, grievance, abuse, stalking or other.
        #[arg(long)]
        kind: String,
        /// A party: NAME for the patient, or ROLE:NAME with ROLE one of patient, family, friend, unknown, other.
        #[arg(long = "party", value_name = "[ROLE:]NAME")]
        parties: Vec<String>,
        /// The clinician the case is about.
        #[arg(long)]
        owner: Option<String>,
    },
    /// List all cases.
    List,
    /// Show a case with its entries and actions.
    Show { id: String },
    /// Close a case.
    Close {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    /// phone_call, voicemail, sms, whatsapp, email, facebook, instagram, x, linkedin, dating_app,
    /// other_social, letter, gift, in_person_practice, in_person_elsewhere, at_home, online_review,
    /// third_party or other.
    #[arg(long)]
    pub channel: String,
    /// When it happened, RFC 3339 with offset, e.g. 2026-03-01T21:40:00+00:00.
    #[arg(long, value_name = "TIME")]
    pub occurred_at: String,
    #[command(flatten)]
    pub fields: EntryFields,
    /// A file to keep with the entry (screenshot, scan, photo, audio). Repeatable.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<PathBuf>,
}

/// The descriptive fields shared by `log` and `correct`.
#[derive(Debug, Args)]
pub struct EntryFields {
    /// inbound (from the patient or a party; the default for `log`) or outbound (from you).
    #[arg(long)]
    pub direction: Option<String>,
    /// Who made the contact.
    #[arg(long)]
    pub party: Option<String>,
    /// Where it happened.
    #[arg(long)]
    pub place: Option<String>,
    /// A witness. Repeatable.
    #[arg(long = "witness", value_name = "NAME")]
    pub witnesses: Vec<String>,
    /// What happened, in a sentence.
    #[arg(long)]
    pub summary: Option<String>,
    /// The verbatim content (the message text, what was said).
    #[arg(long)]
    pub content: Option<String>,
    /// Clinical notes, kept apart so they can be withheld on disclosure.
    #[arg(long, value_name = "NOTES")]
    pub clinical: Option<String>,
}

#[derive(Debug, Args)]
pub struct ActionArgs {
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    /// asked_to_stop, informed_manager, manager_letter, defence_org_contacted, care_transferred,
    /// relationship_ended, chaperone_required, police_reported, colleagues_warned,
    /// psychiatric_referral, security_measure or other.
    #[arg(long)]
    pub kind: String,
    /// When: a date (YYYY-MM-DD) or an RFC 3339 time.
    #[arg(long)]
    pub date: String,
    /// A reference, e.g. the police incident or crime number.
    #[arg(long)]
    pub reference: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// Who took the action.
    #[arg(long)]
    pub by: Option<String>,
    /// A file to keep with the action (e.g. the letter sent). Repeatable.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CorrectArgs {
    #[arg(long, value_name = "ID")]
    pub entry: String,
    /// Why the entry is being corrected.
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub channel: Option<String>,
    #[arg(long, value_name = "TIME")]
    pub occurred_at: Option<String>,
    #[command(flatten)]
    pub fields: EntryFields,
    /// Remove all witnesses (use --witness to replace them instead).
    #[arg(long, conflicts_with = "witnesses")]
    pub clear_witnesses: bool,
}

#[derive(Debug, Args)]
pub struct RetractArgs {
    #[arg(long, value_name = "ID")]
    pub entry: String,
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// whatsapp, sms-backup, mbox, eml, messenger, instagram, telegram or x-dm.
    pub format: String,
    /// The export file (a Messenger or Instagram thread folder, or any message_N.json in it).
    pub path: PathBuf,
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    /// Your name (or account id) as the export shows it: your messages are recorded as outbound.
    #[arg(long, value_name = "NAME")]
    pub me: Option<String>,
    /// Map an account id, phone number or address in the export to a person's name. Repeatable.
    #[arg(long = "party", value_name = "ID=NAME")]
    pub parties: Vec<String>,
    /// Time zone for exports without offsets (WhatsApp, Telegram `date`), e.g. Europe/London.
    /// Default: this computer's zone.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// How the export writes dates, when Palisade cannot tell: dmy, mdy or ymd.
    #[arg(long, value_name = "ORDER")]
    pub date_order: Option<String>,
    /// Only this chat or conversation of a multi-chat export (name or id). Repeatable.
    #[arg(long = "chat", value_name = "NAME")]
    pub chats: Vec<String>,
    /// Read and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}
