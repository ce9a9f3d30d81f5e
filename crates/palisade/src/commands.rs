//! One function per command: turn flags into domain values, call the
//! service, hand the result to the renderer.

use crate::args::{
    ActionArgs, CaseCommand, Cli, Command, CorrectArgs, EntryFields, ImportArgs, LogArgs,
};
use crate::render::Out;
use anyhow::{Context, Result};
use palisade_core::compose::{EntryPatch, NewAction, NewCase, NewEntry};
use palisade_core::domain::{ActionKind, CaseKind, Channel, Direction, Party, RemovalMode, Source};
use palisade_core::time::{Moment, When};
use palisade_service::{ImportFormat, ImportOptions, KeyOptions, Palisade, keys};
use std::process::ExitCode;
use zeroize::Zeroizing;

fn key_options(cli: &Cli) -> KeyOptions {
    let passphrase = std::env::var("PALISADE_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(Zeroizing::new);
    if let Some(k) = cli.key_file.as_ref().filter(|k| keys::key_file_too_open(k)) {
        eprintln!(
            "warning: key file {} can be read by other users; run: chmod 600 {}",
            k.display(),
            k.display()
        );
    }
    KeyOptions {
        key_file: cli.key_file.clone(),
        passphrase,
    }
}

pub(crate) fn open(cli: &Cli) -> Result<Palisade> {
    Ok(Palisade::open(&cli.data_dir, &key_options(cli))?)
}

fn some_text(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let out = Out { json: cli.json };
    match &cli.command {
        Command::Init => {
            let (_, report) = Palisade::init(&cli.data_dir, &key_options(&cli))?;
            out.init(&report)
        }
        Command::Case(c) => case(&cli, c, &out),
        Command::Log(a) => log(&cli, a, &out),
        Command::Action(a) => action(&cli, a, &out),
        Command::Correct(a) => correct(&cli, a, &out),
        Command::Retract(a) => {
            let p = open(&cli)?;
            let r = p.retract_entry(&a.entry, &a.reason)?;
            out.receipt("Retracted entry", &a.entry, &r)
        }
        Command::Import(a) => import(&cli, a, &out),
        Command::Timeline { case } => {
            let p = open(&cli)?;
            let v = p.case_for_reading(case)?;
            out.timeline(&v)
        }
        Command::Verify => {
            let p = match open(&cli) {
                Ok(p) => p,
                Err(e) if cli.json => {
                    // Keep the report's shape even when the store cannot be opened.
                    let message = format!("{e:#}");
                    eprintln!("error: {message}");
                    crate::render::print_json(&serde_json::json!({
                        "ok": false,
                        "records": 0,
                        "errors": [{ "location": "store", "problem": message }],
                        "error": message,
                    }))?;
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Err(e),
            };
            let report = p.verify()?;
            out.verify(&report)?;
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            })
        }
        Command::Checkpoint(a) => {
            let p = open(&cli)?;
            match &a.timestamp {
                Some(url) => crate::bundle_cmds::timestamp(&p, url, cli.json),
                None => out.checkpoint(&p.checkpoint()?, &p),
            }
        }
        Command::Export(a) => crate::bundle_cmds::export(&open(&cli)?, a, cli.json),
        Command::VerifyBundle(a) => crate::bundle_cmds::verify_bundle_cmd(a, cli.json),
        Command::Triage(_) => crate::guidance_cmds::triage(cli.json),
        Command::Next {
            case,
            today,
            no_record,
        } => crate::guidance_cmds::next(&open(&cli)?, case, today.as_deref(), *no_record, cli.json),
        Command::Acknowledge(a) => crate::guidance_cmds::acknowledge(&open(&cli)?, a, cli.json),
        Command::Risk(a) => crate::guidance_cmds::risk(&open(&cli)?, a, cli.json),
        Command::Letter(a) => crate::guidance_cmds::letter(&open(&cli)?, a, cli.json),
        Command::User(c) => crate::user_cmds::run(&open(&cli)?, c, &out),
        Command::Serve(a) => {
            // The newcomer's one command: a data directory that does not hold a
            // store yet is created first, exactly as `palisade init` would.
            crate::serve_cmd::check_args(a)?;
            let palisade = if !Palisade::holds_store(&cli.data_dir) {
                let (p, report) = Palisade::init(&cli.data_dir, &key_options(&cli))?;
                out.init(&report)?;
                say!();
                p
            } else {
                open(&cli)?
            };
            crate::serve_cmd::serve(palisade, a)
        }
        Command::Share(a) => crate::sharing_cmds::share(&open(&cli)?, a, &out),
        Command::Unshare(a) => crate::sharing_cmds::unshare(&open(&cli)?, a, &out),
        Command::Flag(c) => crate::sharing_cmds::flag(&open(&cli)?, c, &out),
        Command::Exhibit(c) => crate::sharing_cmds::exhibit(&open(&cli)?, c, &out),
    }
}

fn case(cli: &Cli, c: &CaseCommand, out: &Out) -> Result<ExitCode> {
    match c {
        CaseCommand::Open {
            title,
            subject,
            kind,
            parties,
            owner,
        } => {
            let new = NewCase {
                title: title.trim().to_string(),
                subject: subject.trim().to_string(),
                kind: kind.parse::<CaseKind>()?,
                parties: parties
                    .iter()
                    .map(|p| p.parse::<Party>())
                    .collect::<Result<_, _>>()?,
                owner: some_text(owner),
            };
            let p = open(cli)?;
            let r = p.open_case(&new)?;
            let v = p.case(&r.id)?;
            out.case_opened(&v)
        }
        CaseCommand::List => {
            let p = open(cli)?;
            out.case_list(&p.list_cases()?)
        }
        CaseCommand::Show { id } => {
            let p = open(cli)?;
            out.case_show(&p.case_for_reading(id)?)
        }
        CaseCommand::Close { id, reason } => {
            let p = open(cli)?;
            let r = p.close_case(id, reason)?;
            out.receipt("Closed case", id, &r)
        }
    }
}

/// The free-text fields of `log` and `correct`, trimmed; empty means not given.
struct Texts {
    party: Option<String>,
    place: Option<String>,
    summary: Option<String>,
    content: Option<String>,
    clinical: Option<String>,
}

fn texts(f: &EntryFields) -> Texts {
    Texts {
        party: some_text(&f.party),
        place: some_text(&f.place),
        summary: some_text(&f.summary),
        // Verbatim content is kept exactly as given.
        content: f.content.clone().filter(|c| !c.is_empty()),
        clinical: some_text(&f.clinical),
    }
}

fn log(cli: &Cli, a: &LogArgs, out: &Out) -> Result<ExitCode> {
    let t = texts(&a.fields);
    let entry = NewEntry {
        occurred_at: Moment::parse(&a.occurred_at).context("--occurred-at")?,
        channel: a.channel.parse::<Channel>()?,
        direction: match &a.fields.direction {
            Some(d) => d.parse::<Direction>()?,
            None => Direction::Inbound,
        },
        party: t.party,
        place: t.place,
        witnesses: a
            .fields
            .witnesses
            .iter()
            .map(|w| w.trim().to_string())
            .collect(),
        summary: t.summary,
        content: t.content,
        clinical: t.clinical,
        source: Source::Manual,
    };
    let p = open(cli)?;
    let r = p.log_entry(&a.case, &entry, &a.attach)?;
    // Triage the words as they are recorded: a threat or a risk of self-harm
    // must be seen at once.
    let triage = match (&entry.content, entry.direction) {
        (Some(c), Direction::Inbound) => Some(palisade_guidance::classify(c)),
        _ => None,
    };
    crate::guidance_cmds::logged(out, &r, triage.as_ref())
}

fn action(cli: &Cli, a: &ActionArgs, out: &Out) -> Result<ExitCode> {
    let action = NewAction {
        kind: a.kind.parse::<ActionKind>()?,
        date: When::parse(&a.date).context("--date")?,
        by: some_text(&a.by),
        reference: some_text(&a.reference),
        notes: some_text(&a.notes),
        mode: a
            .mode
            .as_deref()
            .map(str::parse::<RemovalMode>)
            .transpose()?,
    };
    let p = open(cli)?;
    let r = p.record_action(&a.case, &action, &a.attach)?;
    out.recorded("action", &r)
}

fn correct(cli: &Cli, a: &CorrectArgs, out: &Out) -> Result<ExitCode> {
    let t = texts(&a.fields);
    let patch = EntryPatch {
        occurred_at: a
            .occurred_at
            .as_deref()
            .map(Moment::parse)
            .transpose()
            .context("--occurred-at")?,
        channel: a
            .channel
            .as_deref()
            .map(str::parse::<Channel>)
            .transpose()?,
        direction: a
            .fields
            .direction
            .as_deref()
            .map(str::parse::<Direction>)
            .transpose()?,
        party: t.party,
        place: t.place,
        witnesses: if a.clear_witnesses {
            Some(Vec::new())
        } else if a.fields.witnesses.is_empty() {
            None
        } else {
            Some(
                a.fields
                    .witnesses
                    .iter()
                    .map(|w| w.trim().to_string())
                    .collect(),
            )
        },
        summary: t.summary,
        content: t.content,
        clinical: t.clinical,
    };
    let p = open(cli)?;
    let r = p.correct_entry(&a.entry, &a.reason, &patch)?;
    out.receipt("Corrected entry", &a.entry, &r)
}

fn import(cli: &Cli, a: &ImportArgs, out: &Out) -> Result<ExitCode> {
    let format: ImportFormat = a.format.parse()?;
    let mut parties = std::collections::BTreeMap::new();
    for p in &a.parties {
        let (id, name) = p
            .split_once('=')
            .filter(|(id, name)| !id.trim().is_empty() && !name.trim().is_empty())
            .with_context(|| format!("--party '{p}' must be ID=NAME"))?;
        parties.insert(id.trim().to_string(), name.trim().to_string());
    }
    let opts = ImportOptions {
        format,
        path: a.path.clone(),
        me: some_text(&a.me),
        parties,
        tz: some_text(&a.tz),
        date_order: some_text(&a.date_order),
        chats: a.chats.clone(),
        dry_run: a.dry_run,
    };
    let p = open(cli)?;
    let mut bar = crate::render::Progress::new(!cli.json);
    let report = p.import(&a.case, &opts, &mut |stage, n| bar.update(stage, n));
    bar.finish();
    out.import(&report?)
}
