//! Shared pieces of the streaming JSON readers (Telegram, X, Messenger):
//! the path to the element being read, for error messages, and serde's
//! message without the position it appends (positions are reported apart).

use std::borrow::Cow;

/// One step of a JSON path: an object key or an array index.
pub(crate) enum Seg {
    Key(Cow<'static, str>),
    Index(usize),
}

/// Render a path as `$.messages[3].text`.
pub(crate) fn render(path: &[Seg]) -> String {
    let mut s = String::from("$");
    for seg in path {
        match seg {
            Seg::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Index(i) => {
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
    s
}

/// serde_json's message without its trailing " at line L column C".
pub(crate) fn serde_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
}

/// Distribute messages tagged with their container's index over the containers.
pub(crate) fn group_by_container<I, M, T>(
    containers: Vec<I>,
    items: Vec<(usize, M)>,
    make: impl Fn(I) -> T,
    push: impl Fn(&mut T, M),
) -> Vec<T> {
    let mut out: Vec<T> = containers.into_iter().map(make).collect();
    for (i, m) in items {
        if let Some(c) = out.get_mut(i) {
            push(c, m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_paths_and_groups() {
        let p = [
            Seg::Key("chats".into()),
            Seg::Index(2),
            Seg::Key("text".into()),
        ];
        assert_eq!(render(&p), "$.chats[2].text");
        assert_eq!(render(&[]), "$");
        let g = group_by_container(
            vec!["a", "b"],
            vec![(1, 10), (0, 20), (1, 30), (5, 40)],
            |c| (c, vec![]),
            |c, m| c.1.push(m),
        );
        assert_eq!(g, vec![("a", vec![20]), ("b", vec![10, 30])]);
    }
}
