//! Search `GET /search` (the form) and `POST /search` (`q` in the body,
//! never in the URL): across the cases the user may read, in titles,
//! subjects, and entries' words, summaries, places and people. Results are
//! grouped by case with snippets. One `search_hit` audit row per case found;
//! the query itself is not stored (it may be patient data), only the count.

use super::audit;
use super::dashboard::my_cases;
use super::guard::Actor;
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::{csrf_field, page};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::State;
use maud::{Markup, html};
use palisade_core::view::{CaseView, EntryState};
use palisade_service::AuditAction;
use serde::{Deserialize, Serialize};

/// Hits shown per case at most.
const MAX_SNIPPETS: usize = 5;
/// Characters of context either side of a match.
const CONTEXT: usize = 60;

/// A piece of text around a match: before, the match, after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// What matched: `title`, `subject`, `content`, `summary`, `place`, `party`.
    pub field: &'static str,
    /// The entry it is in, if any.
    pub entry: Option<String>,
    pub before: String,
    pub matched: String,
    pub after: String,
}

/// The hits in one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseHits {
    pub case_id: String,
    pub title: String,
    pub hits: usize,
    pub snippets: Vec<Snippet>,
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The first match of `needle` (already folded) in `text`, as a snippet.
pub fn find(
    text: &str,
    needle: &[char],
    field: &'static str,
    entry: Option<&str>,
) -> Option<Snippet> {
    if needle.is_empty() {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<char> = chars.iter().map(|c| fold(*c)).collect();
    let at = folded.windows(needle.len()).position(|w| w == needle)?;
    let end = at + needle.len();
    let from = at.saturating_sub(CONTEXT);
    let to = (end + CONTEXT).min(chars.len());
    let s = |r: std::ops::Range<usize>| chars[r].iter().collect::<String>();
    Some(Snippet {
        field,
        entry: entry.map(str::to_string),
        before: format!("{}{}", if from > 0 { "…" } else { "" }, s(from..at)),
        matched: s(at..end),
        after: format!("{}{}", s(end..to), if to < chars.len() { "…" } else { "" }),
    })
}

/// Search one case.
pub fn search_case(case: &CaseView, query: &str) -> Option<CaseHits> {
    let needle: Vec<char> = query.trim().chars().map(fold).collect();
    if needle.is_empty() {
        return None;
    }
    let mut snippets = Vec::new();
    let mut hits = 0;
    let mut push = |s: Option<Snippet>| {
        if let Some(s) = s {
            hits += 1;
            if snippets.len() < MAX_SNIPPETS {
                snippets.push(s);
            }
        }
    };
    push(find(&case.title, &needle, "title", None));
    push(find(&case.subject, &needle, "subject", None));
    for e in case
        .entries
        .iter()
        .filter(|e| e.state != EntryState::Retracted)
    {
        let id = Some(e.id.as_str());
        for (field, text) in [
            ("content", e.content.as_deref()),
            ("summary", e.summary.as_deref()),
            ("place", e.place.as_deref()),
            ("party", e.party.as_deref()),
        ] {
            push(text.and_then(|t| find(t, &needle, field, id)));
        }
    }
    (hits > 0).then(|| CaseHits {
        case_id: case.id.clone(),
        title: case.title.clone(),
        hits,
        snippets,
    })
}

/// Search every case `actor` may read and audit one hit per case.
pub async fn run(state: &AppState, actor: &Actor, query: &str) -> Result<Vec<CaseHits>, WebError> {
    let cases = my_cases(state, actor).await?;
    let found: Vec<CaseHits> = cases.iter().filter_map(|c| search_case(c, query)).collect();
    for h in &found {
        audit::record(
            state,
            actor,
            AuditAction::SearchHit,
            Some(&h.case_id),
            None,
            Some(&format!("{} matches", h.hits)),
        )
        .await?;
    }
    Ok(found)
}

fn form(user: &SignedIn, q: &str) -> Markup {
    html! {
        form.search method="post" action="/search" role="search" {
            (csrf_field(user))
            div.form-group {
                label.label for="f-q" { "Search your cases" }
                div.hint id="f-q-hint" { "Words from messages, summaries, places, people or case titles" }
                input.input id="f-q" type="search" name="q" value=(q) aria-describedby="f-q-hint";
            }
            button.button type="submit" { "Search" }
        }
    }
}

/// `GET /search`.
pub async fn show(user: SignedIn) -> Markup {
    page(
        Some(&user),
        "Search",
        html! { h1 { "Search" } (form(&user, "")) },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchInput {
    #[serde(default)]
    pub q: String,
}

/// `POST /search`.
pub async fn results(
    State(state): State<AppState>,
    user: SignedIn,
    CsrfForm(i): CsrfForm<SearchInput>,
) -> Result<Markup, WebError> {
    let actor = Actor::from(&user);
    let q = i.q.trim().to_string();
    let found = if q.is_empty() {
        Vec::new()
    } else {
        run(&state, &actor, &q).await?
    };
    Ok(page(
        Some(&user),
        "Search results",
        html! {
            h1 { "Search" }
            (form(&user, &q))
            @if q.is_empty() {
                p { "Type something to search for." }
            } @else if found.is_empty() {
                p role="status" { "Nothing found in the cases you can see." }
            } @else {
                p role="status" { "Found in " (found.len()) " case" @if found.len() != 1 { "s" } "." }
                @for h in &found {
                    section.search-result {
                        h2 { a href=(format!("/cases/{}", h.case_id)) { (h.title) } }
                        p.hint { (h.hits) " match" @if h.hits != 1 { "es" } }
                        ul {
                            @for s in &h.snippets {
                                li {
                                    span.search-result__field { (field_label(s.field)) ": " }
                                    (s.before) mark { (s.matched) } (s.after)
                                    @if let Some(e) = &s.entry {
                                        " " a href=(format!("/cases/{}#entry-{e}", h.case_id)) { "Open entry" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn field_label(f: &str) -> &'static str {
    match f {
        "title" => "Case title",
        "subject" => "About",
        "content" => "Words used",
        "summary" => "What happened",
        "place" => "Where",
        "party" => "Who",
        _ => "Match",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_keep_case_and_context() {
        let n: Vec<char> = "café".chars().collect();
        let s = find("We met at the CAFÉ on Main Street", &n, "place", None).unwrap();
        assert_eq!(s.matched, "CAFÉ");
        assert_eq!(s.before, "We met at the ");
        assert_eq!(s.after, " on Main Street");
        assert!(find("nothing here", &n, "place", None).is_none());
        let long = format!("{}needle{}", "a".repeat(100), "b".repeat(100));
        let n: Vec<char> = "needle".chars().collect();
        let s = find(&long, &n, "content", Some("ent_x")).unwrap();
        assert!(s.before.starts_with('…') && s.after.ends_with('…'));
        assert_eq!(s.before.chars().count(), CONTEXT + 1);
    }
}
