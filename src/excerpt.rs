//! Short forms of what a user wrote, for messages: a value printed with
//! hundreds of digits becomes `1e300`, a long text (an 18 MB line of a
//! file, a list of ten thousand numbers) becomes an excerpt, so a message
//! stays a line a person can read.

/// Most characters of a quoted text kept in a message.
pub(crate) const MAX_QUOTED: usize = 40;

/// Most characters of a line of a file shown around the place of an error.
const MAX_LINE: usize = 120;

/// Most characters of a line of a message kept (a list of valid keys
/// fits; a quoted 18 MB value does not).
const MAX_MESSAGE_LINE: usize = 2000;

/// Longest number kept as written; longer ones are shown as `1.5e300`.
const MAX_DIGITS: usize = 20;

/// At most `max` characters of `text`, marked with `...` when cut.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

/// `text` with every number longer than 20 characters written in
/// scientific notation (`1e300` rather than 301 digits).
pub(crate) fn short_numbers(text: &str) -> String {
    let is_num_char = |c: char| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E');
    // A number stands alone: digits inside a name (`desk_12345...`) stay.
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let len = rest[start..]
            .find(|c: char| !is_num_char(c))
            .unwrap_or(rest.len() - start);
        let token = &rest[start..start + len];
        let alone = !word(out.chars().next_back()) && !word(rest[start + len..].chars().next());
        match token.parse::<f64>() {
            Ok(x) if alone && token.len() > MAX_DIGITS => out.push_str(&format!("{x:e}")),
            _ => out.push_str(token),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// A TOML error's text with its quoted source line cut to a window
/// around the caret (`^`) when the line is long, and long numbers short.
pub(crate) fn clip_snippet(message: &str) -> String {
    let lines: Vec<&str> = message.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let caret_line = line.contains('^') && line.trim_start().starts_with('|');
        let long = line.chars().count() > MAX_LINE;
        match (long, lines.get(i + 1)) {
            // The source line: `3 | text`, followed by `  |   ^`.
            (true, Some(next)) if next.contains('^') && next.trim_start().starts_with('|') => {
                let bar = line.find('|').map_or(0, |b| b + 2).min(line.len());
                let bar_next = next.find('|').map_or(0, |b| b + 2).min(next.len());
                let caret = next.find('^').unwrap_or(bar_next).saturating_sub(bar_next);
                let text: Vec<char> = line[bar..].chars().collect();
                let from = caret.saturating_sub(MAX_LINE / 2).min(text.len());
                let to = (from + MAX_LINE).min(text.len());
                let lead = if from > 0 { "..." } else { "" };
                let tail = if to < text.len() { "..." } else { "" };
                let window: String = text[from..to].iter().collect();
                out.push(format!("{}{lead}{window}{tail}", &line[..bar]));
                let pad = " ".repeat(caret - from + lead.len());
                out.push(format!("{}{pad}^", &next[..bar_next]));
            }
            _ if caret_line && i > 0 && lines[i - 1].chars().count() > MAX_LINE => {}
            // Any other line is the program's own text (the rule, the
            // valid keys): cut only if a quoted value made it huge.
            (true, _) => out.push(excerpt(line, MAX_MESSAGE_LINE)),
            _ => out.push((*line).to_string()),
        }
    }
    short_numbers(&out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_get_a_short_form_and_short_ones_stay() {
        let big = format!("got {}", 1e300);
        assert!(big.len() > 300);
        assert_eq!(short_numbers(&big), "got 1e300");
        assert_eq!(
            short_numbers("got 0.8999999999999999 at line 12"),
            "got 0.8999999999999999 at line 12"
        );
        assert_eq!(short_numbers("2024-11-04T00:00"), "2024-11-04T00:00");
        let name = "unknown node \"desk_123456789012345678901234\"";
        assert_eq!(short_numbers(name), name);
        assert_eq!(short_numbers("got -1000000000000000000000000"), "got -1e24");
    }

    #[test]
    fn an_excerpt_is_marked_when_cut() {
        assert_eq!(excerpt("abcdef", 3), "abc...");
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("日本語です", 2), "日本...");
    }

    #[test]
    fn a_long_source_line_is_cut_around_the_caret() {
        let long = "x".repeat(100_000);
        let msg = format!(
            "TOML parse error at line 3, column 100005\n  |\n3 | a = {long} =\n  |{}^\nexpected nothing\n",
            " ".repeat(100_006)
        );
        let clipped = clip_snippet(&msg);
        assert!(clipped.len() < 600, "{clipped}");
        let lines: Vec<&str> = clipped.lines().collect();
        assert!(lines[2].starts_with("3 | ..."), "{}", lines[2]);
        let at = |l: &str, c: char| l.chars().position(|x| x == c).unwrap();
        let src: Vec<char> = lines[2].chars().collect();
        assert_eq!(
            src[at(lines[3], '^')],
            '=',
            "the caret still points at the error"
        );
        assert_eq!(lines[4], "expected nothing");
    }
}
