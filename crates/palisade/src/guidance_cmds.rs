//! `palisade triage`, `next`, `acknowledge`, `risk` and `letter`: the
//! guidance engine on the command line, and the triage warning of `log`.

use crate::args::{AcknowledgeArgs, LetterArgs, RiskArgs};
use crate::render::{Out, print_json};
use anyhow::{Context, Result, bail};
use palisade_core::view::CaseView;
use palisade_guidance::letters::{LetterDetails, Template};
use palisade_guidance::{Advice, QUESTIONS, Triage, classify};
use palisade_service::{Assessment, LetterRequest, Palisade, RecordReceipt};
use serde_json::{Value, json};
use std::io::{BufRead, BufWriter, ErrorKind, Write};
use std::process::ExitCode;

/// What one input line held.
enum Line {
    Text(String),
    /// A JSON object with a string `text`; `id` is echoed back when present.
    Object {
        text: String,
        id: Option<Value>,
    },
    Bad(String),
}

fn read_line(bytes: &[u8]) -> Line {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let s = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            return Line::Bad(format!(
                "not valid UTF-8 (first bad byte at offset {})",
                e.valid_up_to()
            ));
        }
    };
    if s.trim_start().starts_with('{')
        && let Ok(v) = serde_json::from_str::<Value>(s)
        && let Value::Object(mut o) = v
    {
        return match o.remove("text") {
            Some(Value::String(text)) => Line::Object {
                text,
                id: o.remove("id"),
            },
            _ => Line::Bad("JSON object without a string \"text\" field".into()),
        };
    }
    Line::Text(s.to_string())
}

fn plain(t: &Triage) -> String {
    let reasons: Vec<String> = t.reasons.iter().map(ToString::to_string).collect();
    format!("{}\t{}", t.label, reasons.join("; "))
}

fn as_json(t: &Triage, text: &str, id: Option<Value>) -> Value {
    let mut v = json!({
        "label": t.label,
        "reasons": t.reasons,
        "other": t.other,
        "text": text,
    });
    if let (Some(id), Value::Object(o)) = (id, &mut v) {
        o.insert("id".into(), id);
    }
    v
}

/// Classify stdin line by line (plain text or JSON Lines with `text`), one
/// result per input line, streaming. A line that cannot be read gets an error
/// result in its place; the command then fails, naming the first such line.
pub fn triage(json: bool) -> Result<ExitCode> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut buf = Vec::with_capacity(4096);
    let mut line_no = 0usize;
    let mut bad: Option<(usize, String)> = None;
    let mut bad_count = 0usize;
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .context("reading standard input")?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let written = match read_line(&buf) {
            Line::Text(text) => {
                let t = classify(&text);
                if json {
                    writeln!(out, "{}", as_json(&t, &text, None))
                } else {
                    writeln!(out, "{}", plain(&t))
                }
            }
            Line::Object { text, id } => {
                let t = classify(&text);
                if json {
                    writeln!(out, "{}", as_json(&t, &text, id))
                } else {
                    writeln!(out, "{}", plain(&t))
                }
            }
            Line::Bad(problem) => {
                bad_count += 1;
                let message = format!("line {line_no}: {problem}");
                let r = if json {
                    writeln!(out, "{}", json!({ "line": line_no, "error": message }))
                } else {
                    writeln!(out, "error\t{message}")
                };
                bad.get_or_insert((line_no, problem));
                r
            }
        };
        if let Err(e) = written {
            if e.kind() == ErrorKind::BrokenPipe {
                return Ok(ExitCode::SUCCESS);
            }
            return Err(e).context("writing standard output");
        }
    }
    match out.flush() {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            return Err(e).context("writing standard output");
        }
        _ => {}
    }
    match bad {
        None => Ok(ExitCode::SUCCESS),
        Some((line, problem)) => {
            let more = match bad_count {
                1 => String::new(),
                n => format!(" ({n} lines could not be read)"),
            };
            eprintln!("error: line {line}: {problem}{more}");
            Ok(ExitCode::from(1))
        }
    }
}

fn local_today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}

/// `palisade next`: the steps, open deadlines and risk for one case. The
/// assessment is recorded when its level differs from the last recorded one
/// (only when evaluating today, and not with --no-record).
pub fn next(
    p: &Palisade,
    case: &str,
    today: Option<&str>,
    no_record: bool,
    json: bool,
) -> Result<ExitCode> {
    let real_today = local_today();
    let today = match today {
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .with_context(|| format!("--today '{d}' is not a date (expected YYYY-MM-DD)"))?,
        None => real_today,
    };
    let a = p.assess(case, today, !no_record && today == real_today)?;
    if json {
        let mut v = a.advice.to_json();
        if let Value::Object(o) = &mut v {
            o.insert("assessment".into(), assessment_json(&a));
            o.insert("flagged".into(), flagged_json(&a));
        }
        say!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        say!("{}", text(&a.case, &a.advice));
        say!("{}", flagged_text(&a));
        say!("{}", recorded_text(&a));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether and what was recorded, for `--json`.
fn assessment_json(a: &Assessment) -> Value {
    json!({
        "level": a.advice.risk.level,
        "as_of": a.today.to_string(),
        "previous_level": a.previous_level,
        "recorded": a.recorded.as_ref().map(|r| r.id.clone()),
        "leaf_index": a.recorded.as_ref().map(|r| r.leaf_index),
        "not_recorded": a.not_recorded,
        "answers": a.answers.as_ref().map(palisade_guidance::answers_json),
        "engine": palisade_guidance::ENGINE,
    })
}

/// The threat and self-harm messages still waiting for a person.
fn flagged_json(a: &Assessment) -> Value {
    let ind = &a.advice.indicators;
    let one = |label: &str, f: &palisade_guidance::indicators::Flagged| json!({ "entry": f.entry, "label": label, "date": f.date.to_string(), "reason": f.reason, "quote": f.quote });
    Value::Array(
        ind.threats
            .iter()
            .map(|f| one("threat", f))
            .chain(ind.self_harm.iter().map(|f| one("self_harm", f)))
            .collect(),
    )
}

fn flagged_text(a: &Assessment) -> String {
    let ind = &a.advice.indicators;
    if ind.threats.is_empty() && ind.self_harm.is_empty() {
        return String::new();
    }
    let mut s =
        String::from("\nFlagged messages not yet acknowledged (each keeps the case urgent):\n");
    for (name, f) in ind
        .threats
        .iter()
        .map(|f| ("THREAT", f))
        .chain(ind.self_harm.iter().map(|f| ("SELF-HARM", f)))
    {
        s.push_str(&format!("  {name}  {}  {}\n", f.describe(), f.entry));
    }
    s.push_str(
        "  When one has been dealt with: palisade acknowledge --entry ID --by NAME [--note TEXT]",
    );
    s
}

fn recorded_text(a: &Assessment) -> String {
    match (&a.recorded, &a.previous_level) {
        (Some(r), Some(prev)) => format!(
            "\nRisk assessment recorded ({r_id}, ledger position {}): level {} (was {prev}).",
            r.leaf_index,
            a.advice.risk.level,
            r_id = r.id
        ),
        (Some(r), None) => format!(
            "\nRisk assessment recorded ({}, ledger position {}): level {}.",
            r.id, r.leaf_index, a.advice.risk.level
        ),
        (None, _) => match &a.not_recorded {
            Some(why) => format!("\nAssessment not recorded: {why}"),
            None => String::new(),
        },
    }
}

/// `palisade log`'s output: the receipt, and a prominent warning when the
/// message reads as a threat or a risk of self-harm (`--json`: a `triage`
/// member, and the warning on stderr).
pub fn logged(out: &Out, r: &RecordReceipt, triage: Option<&Triage>) -> Result<ExitCode> {
    let warning = triage.filter(|t| t.label.is_urgent()).map(|t| {
        let why: Vec<String> = t.reasons.iter().take(3).map(ToString::to_string).collect();
        let (what, then) = if t.label == palisade_guidance::Label::SelfHarm {
            (
                "a RISK OF SELF-HARM to the sender",
                "This is a safeguarding matter: a clinician must see it today.",
            )
        } else {
            (
                "a THREAT",
                "If anyone is in immediate danger, call 999.",
            )
        };
        (
            format!(
                "WARNING: this message reads as {what} ({}). {then}",
                why.join("; ")
            ),
            format!(
                "The case stays urgent until someone acknowledges it: palisade acknowledge --entry {} --by NAME [--note TEXT]",
                r.id
            ),
        )
    });
    if out.json {
        let mut v = serde_json::to_value(r)?;
        if let (Some(t), Value::Object(o)) = (triage, &mut v) {
            o.insert(
                "triage".into(),
                json!({
                    "label": t.label,
                    "reasons": t.reasons,
                    "engine": palisade_guidance::ENGINE,
                }),
            );
        }
        if let Some((w, how)) = &warning {
            eprintln!("{w} {how}");
        }
        return print_json(&v);
    }
    out.recorded("entry", r)?;
    if let Some((w, how)) = warning {
        let bar = "!".repeat(72);
        say!("{bar}");
        say!("!! {w}");
        say!("!! {how}");
        say!("{bar}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `palisade acknowledge`.
pub fn acknowledge(p: &Palisade, a: &AcknowledgeArgs, json: bool) -> Result<ExitCode> {
    if a.by.trim().is_empty() {
        bail!("--by must name who dealt with the message");
    }
    let r = p.acknowledge(&a.entry, &a.by, a.note.clone())?;
    if json {
        return print_json(&r);
    }
    say!(
        "Acknowledged the {} flag on entry {} (record {} at ledger position {}).",
        r.label,
        r.entry,
        r.id,
        r.leaf_index
    );
    Ok(ExitCode::SUCCESS)
}

fn parse_answer(s: &str) -> Result<(String, Option<bool>)> {
    let (k, v) = s.split_once('=').with_context(|| {
        format!("--answer '{s}' must be QUESTION=yes, QUESTION=no or QUESTION=unknown")
    })?;
    let a = match v.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        "unknown" | "" => None,
        other => bail!("--answer {}: '{other}' is not yes, no or unknown", k.trim()),
    };
    Ok((k.trim().to_string(), a))
}

/// `palisade risk`: record answers and print the assessment, or show the questions.
pub fn risk(p: &Palisade, a: &RiskArgs, json: bool) -> Result<ExitCode> {
    let answers = a
        .answers
        .iter()
        .map(|s| parse_answer(s))
        .collect::<Result<Vec<_>>>()?;
    let today = local_today();
    let assessed = if answers.is_empty() {
        p.assess(&a.case, today, false)?
    } else {
        p.complete_questionnaire(&a.case, &answers, a.by.clone(), today)?
    };
    let q = assessed.answers.unwrap_or_default();
    if json {
        let questions: Vec<Value> = QUESTIONS
            .iter()
            .map(|x| json!({ "id": x.id, "text": x.text, "why": x.why, "answer": q.answer(x.id) }))
            .collect();
        return print_json(&json!({
            "case": a.case,
            "questions": questions,
            "risk": assessed.advice.risk,
            "assessment": assessment_json(&assessed),
        }));
    }
    say!("Risk questions for case {} (answers on record):", a.case);
    for x in QUESTIONS {
        let ans = match q.answer(x.id) {
            Some(true) => "yes",
            Some(false) => "no",
            None => "-",
        };
        say!("  {:<4} {:<20} {}", ans, x.id, x.text);
    }
    let r = &assessed.advice.risk;
    say!();
    say!("Risk: {}", r.level);
    if let Some(lead) = &r.lead {
        say!("URGENT: {lead}");
    }
    for f in &r.factors {
        say!("  - [{}] {}: {}", f.level, f.title, f.explanation);
    }
    match &assessed.recorded {
        Some(rec) => say!(
            "\nRecorded the questionnaire and assessment ({}, ledger position {}).",
            rec.id,
            rec.leaf_index
        ),
        None => say!(
            "\nAnswer with: palisade risk --case {} --answer QUESTION=yes|no ...",
            a.case
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `--to` values as lines: commas and newlines separate lines.
fn to_lines(to: &[String]) -> Vec<String> {
    to.iter()
        .flat_map(|t| t.split([',', '\n']))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// `palisade letter`.
pub fn letter(p: &Palisade, a: &LetterArgs, json: bool) -> Result<ExitCode> {
    let template: Template = a.template.parse()?;
    let mut details: LetterDetails = match &a.details {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --details {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| {
                format!(
                    "--details {} is not a letter details object",
                    path.display()
                )
            })?
        }
        None => LetterDetails::default(),
    };
    if a.immediate {
        if template != Template::RemovalNotice {
            bail!("--immediate applies only to the removal_notice template");
        }
        details.immediate = true;
    }
    let req = LetterRequest {
        case_id: a.case.clone(),
        template,
        details,
        today: local_today(),
        by: a.by.clone(),
        to: to_lines(&a.to),
        out: a.out.clone(),
        dry_run: a.dry_run,
    };
    let r = p.issue_letter(&req)?;
    if !r.placeholders.is_empty() {
        eprintln!(
            "warning: the letter still has placeholders for facts the case does not hold: {} (give them with --details FILE.json)",
            r.placeholders.join(", ")
        );
    }
    if json {
        return print_json(&r);
    }
    say!(
        "Wrote {} ({} letter, {} bytes, sha256 {}).",
        r.path,
        r.template,
        r.size,
        r.sha256
    );
    match (&r.action, &r.action_kind) {
        (Some(act), Some(kind)) => say!(
            "Recorded action {} ({kind}) at ledger position {}, with the PDF attached.",
            act.id,
            act.leaf_index
        ),
        _ => say!("Dry run: nothing was recorded in the ledger."),
    }
    Ok(ExitCode::SUCCESS)
}

fn text(view: &CaseView, a: &Advice) -> String {
    let mut s = format!("{} ({}): risk {}\n", view.title, view.id, a.risk.level);
    if let Some(lead) = &a.risk.lead {
        s.push_str(&format!("\nURGENT: {lead}\n"));
    }
    s.push_str("\nWhy this level:\n");
    for f in &a.risk.factors {
        s.push_str(&format!(
            "  - [{}] {}: {}\n",
            f.level, f.title, f.explanation
        ));
    }
    if a.risk.factors.is_empty() {
        s.push_str("  - nothing in the log raises the level above standard\n");
    }
    s.push_str("\nWhat to do next:\n");
    for (i, st) in a.steps.iter().enumerate() {
        s.push_str(&format!(
            "  {}. {}\n     Why: {}\n     Source: {}\n",
            i + 1,
            st.title,
            st.reason,
            st.source
        ));
    }
    s.push_str("\nDeadlines:\n");
    if a.deadlines.is_empty() {
        s.push_str("  none open\n");
    }
    for d in &a.deadlines {
        s.push_str(&format!(
            "  {}  {} [{}]\n     {}\n",
            d.due, d.what, d.status, d.basis
        ));
    }
    s.trim_end().to_string()
}
