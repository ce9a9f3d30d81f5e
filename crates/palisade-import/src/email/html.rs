//! A small HTML-to-text reducer for email bodies that have no plain-text
//! part. It is not an HTML parser and renders nothing: it removes tags,
//! drops the contents of `script`, `style`, `title` and `template`,
//! decodes common character references, collapses whitespace as a browser
//! does (except inside `pre`) and keeps line breaks for `br` and block
//! elements. It never fails, runs in linear time (plus a bounded scan for
//! closing tags of dropped elements) and never interprets anything.

/// Elements whose contents are not text a person reads.
const DROPPED: &[&str] = &["script", "style", "title", "template"];

/// Elements that start on a new line.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "section",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

/// Elements followed by a blank line.
const PARAGRAPHS: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6"];

/// Reduces HTML to plain text; see the module docs.
///
/// ```
/// use palisade_import::email::html_to_text;
/// let html = "<html><head><style>p{color:red}</style></head><body>\
///             <p>Dear&nbsp;Dr.&#32;Weber,</p><div>I&rsquo;ll be <b>there</b>.<br>Tonight</div>\
///             <script>alert(1)</script></body></html>";
/// assert_eq!(html_to_text(html), "Dear\u{a0}Dr. Weber,\n\nI’ll be there.\nTonight");
/// ```
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut pre_depth = 0u32;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, rest.get(..lt).unwrap_or_default(), pre_depth > 0);
        rest = rest.get(lt..).unwrap_or_default();
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after
                .find("-->")
                .map_or("", |e| after.get(e + 3..).unwrap_or_default());
            continue;
        }
        let bytes = rest.as_bytes();
        let closing = bytes.get(1) == Some(&b'/');
        let name_start = if closing { 2 } else { 1 };
        let tail = rest.get(name_start..).unwrap_or_default();
        let name_len = tail
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let declaration = !closing && (tail.starts_with('!') || tail.starts_with('?'));
        if name_len == 0 && !declaration {
            // A `<` that opens no tag is text.
            push_text(&mut out, "<", pre_depth > 0);
            rest = rest.get(1..).unwrap_or_default();
            continue;
        }
        let name = tail
            .get(..name_len)
            .unwrap_or_default()
            .to_ascii_lowercase();
        rest = rest.get(tag_end(rest)..).unwrap_or_default();
        if declaration {
            continue;
        }
        let name = name.as_str();
        if DROPPED.contains(&name) {
            if !closing {
                rest = skip_element(rest, name);
            }
        } else if name == "br" {
            trim_line_end(&mut out);
            out.push('\n');
        } else if name == "pre" {
            pre_depth = if closing {
                pre_depth.saturating_sub(1)
            } else {
                pre_depth.saturating_add(1)
            };
            line_break(&mut out);
        } else if PARAGRAPHS.contains(&name) {
            line_break(&mut out);
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
        } else if BLOCKS.contains(&name) {
            line_break(&mut out);
        } else if matches!(name, "td" | "th")
            && !closing
            && !out.is_empty()
            && !out.ends_with([' ', '\n', '\t'])
        {
            out.push('\t');
        }
    }
    push_text(&mut out, rest, pre_depth > 0);
    finish(out)
}

/// Index just past the `>` that ends the tag at the start of `s`, ignoring
/// `>` inside quoted attribute values; if the quotes never close, the first
/// `>` ends it; without any `>`, the tag runs to the end.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, b) in s.bytes().enumerate() {
        match (quote, b) {
            (None, b'>') => return i + 1,
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            _ => {}
        }
    }
    s.find('>').map_or(s.len(), |i| i + 1)
}

/// Skips past `</name ...>` (case-insensitive), or to the end.
fn skip_element<'a>(s: &'a str, name: &str) -> &'a str {
    let needle = format!("</{name}");
    let hay = s.as_bytes();
    let found = hay
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
    match found {
        Some(i) => {
            let close = s.get(i..).unwrap_or_default();
            close.get(tag_end(close)..).unwrap_or_default()
        }
        None => "",
    }
}

fn push_text(out: &mut String, raw: &str, pre: bool) {
    if raw.is_empty() {
        return;
    }
    if pre {
        decode_into(out, raw);
        return;
    }
    let mut first = true;
    for word in raw.split_ascii_whitespace() {
        let space_before = !first || raw.starts_with(|c: char| c.is_ascii_whitespace());
        if space_before && !out.is_empty() && !out.ends_with([' ', '\n', '\t']) {
            out.push(' ');
        }
        decode_into(out, word);
        first = false;
    }
    if raw.ends_with(|c: char| c.is_ascii_whitespace())
        && !out.is_empty()
        && !out.ends_with([' ', '\n', '\t'])
    {
        out.push(' ');
    }
}

fn trim_line_end(out: &mut String) {
    let kept = out.trim_end_matches([' ', '\t']).len();
    out.truncate(kept);
}

fn line_break(out: &mut String) {
    trim_line_end(out);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Trims every line's end, keeps at most one blank line in a row and trims
/// the whole.
fn finish(text: String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.split('\n') {
        let line = line.trim_end_matches([' ', '\t']);
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    let trimmed = out.trim_matches(['\n', ' ']);
    trimmed.to_owned()
}

/// Appends `s` with character references decoded; unknown or malformed
/// references are kept as written.
fn decode_into(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        rest = rest.get(amp..).unwrap_or_default();
        let body = rest.get(1..).unwrap_or_default();
        let end = body
            .bytes()
            .take(33)
            .position(|b| b == b';' || !(b.is_ascii_alphanumeric() || b == b'#'));
        let decoded = match end {
            Some(e) if body.as_bytes().get(e) == Some(&b';') => {
                entity(body.get(..e).unwrap_or_default()).map(|c| (c, e + 2))
            }
            _ => None,
        };
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = rest.get(used..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = body;
            }
        }
    }
    out.push_str(rest);
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return Some(match code {
            0 => '\u{FFFD}',
            c => char::from_u32(c).unwrap_or('\u{FFFD}'),
        });
    }
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        "shy" => '\u{AD}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "sect" => '§',
        "para" => '¶',
        "deg" => '°',
        "plusmn" => '±',
        "times" => '×',
        "divide" => '÷',
        "iexcl" => '¡',
        "iquest" => '¿',
        "szlig" => 'ß',
        "aelig" => 'æ',
        "AElig" => 'Æ',
        _ => return accented(name),
    })
}

/// `auml`, `Eacute`, `ccedil`, `ntilde`, …: a base letter and an accent.
fn accented(name: &str) -> Option<char> {
    let mut chars = name.chars();
    let base = chars.next()?;
    let accent = chars.as_str();
    let table: &[(char, &str)] = match accent {
        "uml" => &[
            ('a', "äÄ"),
            ('e', "ëË"),
            ('i', "ïÏ"),
            ('o', "öÖ"),
            ('u', "üÜ"),
            ('y', "ÿŸ"),
        ],
        "acute" => &[
            ('a', "áÁ"),
            ('e', "éÉ"),
            ('i', "íÍ"),
            ('o', "óÓ"),
            ('u', "úÚ"),
            ('y', "ýÝ"),
        ],
        "grave" => &[
            ('a', "àÀ"),
            ('e', "èÈ"),
            ('i', "ìÌ"),
            ('o', "òÒ"),
            ('u', "ùÙ"),
        ],
        "circ" => &[
            ('a', "âÂ"),
            ('e', "êÊ"),
            ('i', "îÎ"),
            ('o', "ôÔ"),
            ('u', "ûÛ"),
        ],
        "tilde" => &[('a', "ãÃ"), ('n', "ñÑ"), ('o', "õÕ")],
        "cedil" => &[('c', "çÇ")],
        "ring" => &[('a', "åÅ")],
        "slash" => &[('o', "øØ")],
        _ => return None,
    };
    let (_, pair) = table
        .iter()
        .find(|(b, _)| *b == base.to_ascii_lowercase())?;
    let mut pair = pair.chars();
    if base.is_ascii_lowercase() {
        pair.next()
    } else {
        pair.nth(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_script_style_and_comments() {
        let html = "<style type=\"text/css\">.x{}</style><!-- secret --><p>Hi</p>\
                    <SCRIPT>var a = '<p>';</SCRIPT>after";
        assert_eq!(html_to_text(html), "Hi\n\nafter");
    }

    #[test]
    fn entities_and_whitespace() {
        assert_eq!(
            html_to_text("a  &amp;\n b &lt;tag&gt; &#x1F600; &Uuml;ber &bogus; &amp"),
            "a & b <tag> 😀 Über &bogus; &amp"
        );
        assert_eq!(html_to_text("<pre>  two\n   lines</pre>"), "two\n   lines");
    }

    #[test]
    fn blocks_and_breaks() {
        assert_eq!(
            html_to_text("<div>one</div><div>two<br/>three</div><ul><li>a</li><li>b</li></ul>"),
            "one\ntwo\nthree\na\nb"
        );
        assert_eq!(
            html_to_text("<table><tr><td>x</td><td>y</td></tr></table>"),
            "x\ty"
        );
    }

    #[test]
    fn malformed_markup_is_kept_or_skipped_safely() {
        assert_eq!(
            html_to_text("1 < 2 and <a href=\"x>y\">link</a>"),
            "1 < 2 and link"
        );
        assert_eq!(html_to_text("<a href=\"unclosed>text"), "text");
        assert_eq!(html_to_text("text <b"), "text");
        assert_eq!(html_to_text("<script>never closed"), "");
        assert_eq!(html_to_text("<!-- never closed"), "");
    }
}
