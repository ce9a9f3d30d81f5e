//! Small pieces the guidance pages share: a labelled textarea in the
//! platform's form style, and the "Source:" line every recommendation carries.

use crate::layout::field_error;
use maud::{Markup, html};
use palisade_guidance::sources::Source;

/// A labelled textarea; `name` is also its id. `readonly` for text to copy.
pub fn textarea(
    name: &str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    rows: u32,
    error: Option<&str>,
    readonly: bool,
) -> Markup {
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let described: Vec<&str> = [
        hint.map(|_| hint_id.as_str()),
        error.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = described.join(" ");
    html! {
        div class={ "form-group" @if error.is_some() { " form-group--error" } } {
            label for=(name) { (label) }
            @if let Some(h) = hint { span class="hint" id=(hint_id) { (h) } }
            (field_error(name, error))
            textarea id=(name) name=(name) rows=(rows) readonly[readonly]
                class=[error.map(|_| "input--error")]
                spellcheck=[(!readonly).then_some("true")]
                aria-describedby=[(!described.is_empty()).then_some(described.as_str())]
                aria-invalid=[error.map(|_| "true")] { (value) }
        }
    }
}

/// "(Source: MDU, 'Doctors warned of Facebook flirts'; …)".
pub fn sources_line(sources: &[Source]) -> Markup {
    let text = sources
        .iter()
        .map(Source::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    html! { span class="source" { "(Source: " (text) ")" } }
}
