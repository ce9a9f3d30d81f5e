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
    /// Print the latest signed checkpoint, or obtain an RFC 3161 timestamp over it.
    Checkpoint(CheckpointArgs),
    /// Export a case as an evidence bundle (zip) under a disclosure profile.
    Export(ExportArgs),
    /// Check an evidence bundle offline: no data directory or key needed.
    VerifyBundle(VerifyBundleArgs),
    /// Sort messages read from standard input (one per line, or JSON Lines with a
    /// "text" field) into clinical, admin, personal, abusive, threat or self_harm,
    /// with the words that decided each. Needs no data directory.
    Triage(TriageArgs),
    /// What to do next on a case: recommended steps with reasons and sources,
    /// open deadlines, and the current risk level with every factor behind it.
    /// When the level differs from the last recorded assessment, the new
    /// assessment is recorded in the ledger.
    Next {
        #[arg(long = "case", value_name = "ID")]
        case: String,
        /// Evaluate as of this date (YYYY-MM-DD) instead of today (a
        /// what-if: nothing is recorded unless it is today's date).
        #[arg(long, value_name = "DATE")]
        today: Option<String>,
        /// Do not record the assessment, even if its level changed.
        #[arg(long)]
        no_record: bool,
    },
    /// Record that you have read and dealt with a message flagged as a threat
    /// or a risk of self-harm; until then it keeps the case urgent.
    Acknowledge(AcknowledgeArgs),
    /// The risk questionnaire: with --answer, record the answers (they update
    /// the last recorded ones) and print the assessment; without, show the
    /// questions and the answers on record.
    Risk(RiskArgs),
    /// Draft a letter from the case, write it as a PDF and record it as an
    /// action with the PDF attached (its SHA-256 is in the ledger).
    Letter(LetterArgs),
    /// Share a case with a user of the web application (recorded in the ledger).
    Share(crate::sharing_cmds::ShareArgs),
    /// Revoke a user's share of a case; it takes effect at once.
    Unshare(crate::sharing_cmds::UnshareArgs),
    /// Flags for colleagues: publish, withdraw or list them.
    #[command(subcommand)]
    Flag(crate::sharing_cmds::FlagCommand),
    /// The physical evidence register: add an item, record a hand-over.
    #[command(subcommand)]
    Exhibit(crate::sharing_cmds::ExhibitCommand),
    /// Serve the web application on this data directory. With no accounts yet,
    /// prints a one-time setup link to the console.
    Serve(ServeArgs),
    /// The web application's accounts, from the console (list; reset a password).
    #[command(subcommand)]
    User(crate::user_cmds::UserCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on.
    #[arg(
        long,
        env = "PALISADE_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub listen: String,
    /// Send session cookies over plain http (no `Secure` flag). Allowed only on
    /// a loopback address, for trying Palisade on this computer.
    #[arg(long)]
    pub insecure_http: bool,
    /// Palisade runs behind a reverse proxy on this machine (Caddy, nginx):
    /// take the client's address from the proxy's X-Forwarded-For (only on
    /// connections from a loopback address), so sign-in throttling and the
    /// audit trail see the real client.
    #[arg(long)]
    pub behind_proxy: bool,
}

#[derive(Debug, Args)]
pub struct AcknowledgeArgs {
    /// The flagged entry.
    #[arg(long, value_name = "ID")]
    pub entry: String,
    /// Who read the message and dealt with it.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// What was done, e.g. "Reported to police, ref 123" or "Duty GP called the patient".
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct RiskArgs {
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    /// An answer: QUESTION=yes, QUESTION=no or QUESTION=unknown (to clear it).
    /// Repeatable. Questions: afraid, previous_harassment, property_damaged,
    /// visits_home_or_work, loitering, threatened_violence, third_parties,
    /// violence, substance_misuse, fixated, obsessive, unwanted, repeated.
    #[arg(long = "answer", value_name = "QUESTION=yes|no")]
    pub answers: Vec<String>,
    /// Who answered.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct LetterArgs {
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    /// boundary, manager_formal, removal_warning, removal_notice,
    /// defence_referral or police_summary.
    #[arg(long, value_name = "TEMPLATE")]
    pub template: String,
    /// The PDF to write (it must not exist yet).
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// Who issues the letter (recorded with the action).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// The recipient's name and address, replacing the template's; commas
    /// separate lines ("AB, 1 High Street, Anytown"). Repeatable.
    #[arg(long = "to", value_name = "TEXT")]
    pub to: Vec<String>,
    /// Facts the case does not hold, as a JSON object: practice_name,
    /// practice_address (array), practice_phone, practice_online,
    /// clinician_name, clinician_role, manager_name, manager_role,
    /// patient_name, patient_address (array), patient_reference,
    /// defence_organisation, defence_reference, police_force,
    /// police_reference, removal_effective, immediate, reasons.
    #[arg(long, value_name = "FILE.json")]
    pub details: Option<PathBuf>,
    /// For removal_notice: immediate removal (violence or fear for safety).
    #[arg(long)]
    pub immediate: bool,
    /// Write the PDF but record nothing in the ledger.
    #[arg(long)]
    pub dry_run: bool,
}

/// `palisade triage`: output is one line per input line, `label<TAB>reasons`
/// (or, with --json, one JSON object per line with `label`, `reasons`, `other`
/// and `text`, plus `id` when the input object had one).
#[derive(Debug, Args)]
pub struct TriageArgs {}

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// Ask this RFC 3161 Time-Stamp Authority (http:// or https:// URL) for a
    /// token over the latest checkpoint, and keep it; bundles then carry it.
    #[arg(long, value_name = "URL")]
    pub timestamp: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long = "case", value_name = "ID")]
    pub case: String,
    /// Who the bundle is for: defence, police, manager, gmc or full.
    #[arg(long)]
    pub profile: String,
    /// The bundle file to write (it must not exist yet).
    #[arg(long, value_name = "FILE.zip")]
    pub out: std::path::PathBuf,
    /// Only contacts and actions on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only contacts and actions on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Include clinical notes under the police, manager or gmc profile (needs --reason).
    #[arg(long, requires = "reason")]
    pub include_clinical: bool,
    /// Why the bundle is made (recorded in the ledger with the disclosure).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// To whom the bundle goes, e.g. "PC Smith, Anytown Police, ref 123".
    #[arg(long, value_name = "TEXT")]
    pub recipient: Option<String>,
    /// Who is making the export (default: the login name).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// Encrypt the file with age, using the passphrase in PALISADE_BUNDLE_PASSPHRASE.
    #[arg(long, conflicts_with = "encrypt_to")]
    pub encrypt_passphrase: bool,
    /// Encrypt the file with age to this recipient key (age1…).
    #[arg(long, value_name = "AGE_RECIPIENT")]
    pub encrypt_to: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyBundleArgs {
    /// The bundle (zip, or age-encrypted zip).
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// An age identity file for a bundle encrypted to a recipient key (a
    /// passphrase-encrypted bundle reads PALISADE_BUNDLE_PASSPHRASE instead).
    #[arg(long, value_name = "FILE")]
    pub identity: Option<std::path::PathBuf>,
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
    /// psychiatric_referral, security_measure, removal_warning (warning before removal
    /// from the list), removal_notice, nhs_england_notified (written notice) or other.
    #[arg(long)]
    pub kind: String,
    /// For removal_notice: standard (takes effect on the eighth day) or
    /// immediate (violence or fear for safety; needs a police incident number).
    #[arg(long, value_name = "MODE")]
    pub mode: Option<String>,
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
