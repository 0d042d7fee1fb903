//! A workaround for brush-parser's handling of heredocs inside `$(…)`.
//!
//! brush-parser balances parentheses and quotes across the body of a heredoc that sits
//! inside a command substitution. A body line such as `1) build` (common in the commit
//! messages Claude Code writes with `"$(cat <<'EOF' … EOF)"`) then either fails to parse
//! or, worse, makes the parser swallow the commands after the heredoc as text.
//!
//! Bodies of heredocs with a quoted delimiter are pure data, so before parsing we replace
//! their parentheses and quotes with private-use characters, and put them back when the
//! body is read. The walker counts the marks it finds inside heredoc bodies; if any mark
//! ended up anywhere else (our scan disagreed with the parser about where a heredoc is),
//! the analysis is redone on the original text.

/// Private-use stand-ins for `(`, `)`, `"`, `'` and `` ` ``.
const MARKS: [(char, char); 5] = [
    ('(', '\u{E000}'),
    (')', '\u{E001}'),
    ('"', '\u{E002}'),
    ('\'', '\u{E003}'),
    ('`', '\u{E004}'),
];

/// Whether a character is one of our marks.
pub fn is_mark(c: char) -> bool {
    MARKS.iter().any(|(_, m)| *m == c)
}

/// Counts the marks in a text.
pub fn count_marks(text: &str) -> usize {
    text.chars().filter(|c| is_mark(*c)).count()
}

/// Puts the original characters back.
pub fn restore(text: &str) -> String {
    text.chars()
        .map(|c| MARKS.iter().find(|(_, m)| *m == c).map_or(c, |(o, _)| *o))
        .collect()
}

/// The script with the bodies of quoted-delimiter heredocs masked, and the number of
/// marks placed; `None` when there is nothing to mask (or the script already holds our
/// private-use characters).
pub fn mask(script: &str) -> Option<(String, usize)> {
    if !script.contains("<<") || script.chars().any(is_mark) {
        return None;
    }
    let mut out = String::with_capacity(script.len());
    let mut pending: std::collections::VecDeque<(String, bool, bool)> = Default::default();
    let mut placed = 0;
    for line in script.split_inclusive('\n') {
        if let Some((delim, strip_tabs, quoted)) = pending.front() {
            let body = line.trim_end_matches('\n');
            let body = if *strip_tabs {
                body.trim_start_matches('\t')
            } else {
                body
            };
            if body == delim {
                pending.pop_front();
                out.push_str(line);
            } else if *quoted {
                for c in line.chars() {
                    match MARKS.iter().find(|(o, _)| *o == c) {
                        Some((_, m)) => {
                            out.push(*m);
                            placed += 1;
                        }
                        None => out.push(c),
                    }
                }
            } else {
                out.push_str(line);
            }
            continue;
        }
        out.push_str(line);
        // Only heredocs opened inside a command substitution are affected.
        if line
            .find("$(")
            .is_some_and(|sub| line.get(sub..).is_some_and(|r| r.contains("<<")))
        {
            pending.extend(operators(line));
        }
    }
    (placed > 0).then_some((out, placed))
}

/// The heredocs a line opens: (delimiter, `<<-`, delimiter quoted).
fn operators(line: &str) -> Vec<(String, bool, bool)> {
    let mut found = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i + 1 < chars.len() {
        let is_op = chars.get(i) == Some(&'<')
            && chars.get(i + 1) == Some(&'<')
            && chars.get(i + 2) != Some(&'<')
            && (i == 0 || chars.get(i - 1) != Some(&'<'));
        if !is_op {
            i += 1;
            continue;
        }
        i += 2;
        let strip_tabs = chars.get(i) == Some(&'-');
        if strip_tabs {
            i += 1;
        }
        while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
            i += 1;
        }
        let mut delim = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.get(i) {
            if c.is_whitespace() || matches!(c, ';' | '|' | '&' | '<' | '>' | '(' | ')') {
                break;
            }
            if matches!(c, '\'' | '"' | '\\') {
                quoted = true;
            } else {
                delim.push(c);
            }
            i += 1;
        }
        if !delim.is_empty() {
            found.push((delim, strip_tabs, quoted));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_heredoc_bodies_are_masked_and_restored() {
        let script = "git commit -m \"$(cat <<'EOF'\nSteps:\n1) build\nEOF\n)\"";
        let (masked, placed) = mask(script).unwrap();
        assert_eq!(placed, 1);
        assert!(!masked.contains("1)"));
        assert_eq!(restore(&masked), script);
    }

    #[test]
    fn unquoted_heredocs_and_here_strings_are_left_alone() {
        assert!(mask("cat <<EOF\n(x)\nEOF\n").is_none());
        assert!(mask("cat <<< '(x)'").is_none());
    }
}
