//! Scripts bash accepts that brush-parser refuses, rewritten into text it reads.
//!
//! Each repair is tried only after the parser refused the script as written, and each
//! keeps every command bash would run (it may add one that bash would not, never lose
//! one): a here-document left open at the end of the input (bash warns and takes the
//! rest of the input as its body), a process substitution as an assignment's value
//! (`BASH_ENV=<(…) bash`: read as a command substitution, whose script is analysed and
//! whose value is unknown), and `!` after assignments (`X=1 ! cmd`: bash runs a command
//! named `!`, which we judge together with the words after it).

use std::sync::LazyLock;

use regex::Regex;

/// `NAME=<(` / `NAME+=>(` at the start of a word.
static ASSIGNED_PROCESS_SUBSTITUTION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*(?:\[[^\]\s]*\])?\+?=)[<>]\(").ok()
});

/// Assignments followed by a `!` word.
static BANG_AFTER_ASSIGNMENTS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(^|[\n;&|(]\s*)((?:[A-Za-z_][A-Za-z0-9_]*\+?=[^\s;&|()<>]*[ \t]+)+)!([ \t])").ok()
});

/// Rewritten forms of `script` to try, in order, when the parser refuses it as written.
pub fn candidates(script: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = script.to_string();
    if let Some(re) = ASSIGNED_PROCESS_SUBSTITUTION.as_ref()
        && re.is_match(&current)
    {
        // Only where the text is unquoted: inside quotes it is a string's text (a script
        // for `bash -c "…"`, read when that runs), which the rewrite would change into a
        // command substitution of the outer script. Every match, as a fallback.
        let unquoted = unquoted_bytes(&current);
        let outside = re
            .replace_all(&current, |caps: &regex::Captures<'_>| {
                let at = caps.get(2).map_or(0, |m| m.start());
                let prefix = caps.get(1).map_or("", |m| m.as_str());
                let name = caps.get(2).map_or("", |m| m.as_str());
                if unquoted.get(at).copied().unwrap_or(true) {
                    format!("{prefix}{name}$(")
                } else {
                    caps.get(0).map_or("", |m| m.as_str()).to_string()
                }
            })
            .into_owned();
        let everywhere = re.replace_all(&current, "$1$2$$(").into_owned();
        if outside != everywhere && outside != current {
            out.push(outside.clone());
        }
        out.push(everywhere.clone());
        current = if outside == current {
            everywhere
        } else {
            outside
        };
    }
    if let Some(re) = BANG_AFTER_ASSIGNMENTS.as_ref()
        && re.is_match(&current)
    {
        current = re.replace_all(&current, "$1$2\\!$3").into_owned();
        out.push(current.clone());
    }
    let (_, open) = heredoc_bodies(&current);
    if !open.is_empty() {
        let mut closed = current.clone();
        if !closed.ends_with('\n') {
            closed.push('\n');
        }
        for delimiter in open {
            closed.push_str(&delimiter);
            closed.push('\n');
        }
        out.push(closed);
    }
    out
}

/// For each byte of `script`, whether it is outside quotes: at the top level, or inside a
/// `$(…)` or backquotes (also within double quotes). Here-document bodies count as quoted
/// (their text is a string, read as a script only when a shell is given it). Rough:
/// comments are read as text.
fn unquoted_bytes(script: &str) -> Vec<bool> {
    #[derive(PartialEq)]
    enum Ctx {
        Single,
        Double,
        Sub(usize),
        Backquote,
    }
    let mut out = vec![true; script.len()];
    let mut stack: Vec<Ctx> = Vec::new();
    let mut pending: Vec<(String, bool)> = Vec::new();
    let mut chars = script.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let quoted = matches!(stack.last(), Some(Ctx::Single | Ctx::Double));
        for flag in out.iter_mut().skip(at).take(c.len_utf8()) {
            *flag = !quoted;
        }
        let next = chars.peek().map(|(_, n)| *n);
        if !quoted && c == '<' && next == Some('<') {
            chars.next();
            let after = script.get(at + 2..).unwrap_or_default();
            if after.starts_with('<') {
                // `<<<`: a here-string.
                chars.next();
            } else if let Some(heredoc) = heredoc_delimiter(after) {
                pending.push(heredoc);
            }
            continue;
        }
        if !quoted && c == '\n' && !pending.is_empty() {
            // The bodies, line by line, up to each delimiter.
            let mut start = at + 1;
            for (delimiter, strip_tabs) in pending.drain(..) {
                while start < script.len() {
                    let end = script
                        .get(start..)
                        .and_then(|rest| rest.find('\n'))
                        .map_or(script.len(), |n| start + n);
                    let line = script.get(start..end).unwrap_or_default();
                    for flag in out.iter_mut().take(end).skip(start) {
                        *flag = false;
                    }
                    start = end + 1;
                    let candidate = if strip_tabs {
                        line.trim_start_matches('\t')
                    } else {
                        line
                    };
                    if candidate == delimiter {
                        break;
                    }
                }
            }
            while chars.peek().is_some_and(|(n, _)| *n < start) {
                chars.next();
            }
            continue;
        }
        match (stack.last(), c) {
            (Some(Ctx::Single), '\'') => {
                stack.pop();
            }
            (Some(Ctx::Single), _) => {}
            (_, '\\') => {
                if let Some((at, n)) = chars.next() {
                    for flag in out.iter_mut().skip(at).take(n.len_utf8()) {
                        *flag = false;
                    }
                }
            }
            (_, '$') if next == Some('(') => {
                chars.next();
                stack.push(Ctx::Sub(0));
            }
            (Some(Ctx::Double), '"') => {
                stack.pop();
            }
            (Some(Ctx::Backquote), '`') => {
                stack.pop();
            }
            (_, '`') => stack.push(Ctx::Backquote),
            (Some(Ctx::Double), _) => {}
            (_, '\'') => stack.push(Ctx::Single),
            (_, '"') => stack.push(Ctx::Double),
            (Some(Ctx::Sub(n)), '(') => {
                let n = *n + 1;
                stack.pop();
                stack.push(Ctx::Sub(n));
            }
            (Some(Ctx::Sub(n)), ')') => {
                let n = *n;
                stack.pop();
                if n > 0 {
                    stack.push(Ctx::Sub(n - 1));
                }
            }
            _ => {}
        }
    }
    out
}

/// A script split around its here-document bodies (roughly: `<<WORD`, `<<-WORD`,
/// `<<'WORD'`, `<<"WORD"`; `<<<` is a here-string): the script without the bodies (each
/// kept line followed by a newline), and the delimiters still open at its end.
pub(super) fn heredoc_bodies(script: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(script.len());
    let mut pending: Vec<(String, bool)> = Vec::new();
    for line in script.split('\n') {
        if let Some((delim, strip_tabs)) = pending.first() {
            let candidate = if *strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if candidate == delim {
                pending.remove(0);
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
        let mut rest = line;
        while let Some(at) = rest.find("<<") {
            let after = rest.get(at + 2..).unwrap_or_default();
            rest = after;
            if let Some(tail) = after.strip_prefix('<') {
                rest = tail;
                continue;
            }
            if let Some(delimiter) = heredoc_delimiter(after) {
                pending.push(delimiter);
            }
        }
    }
    (out, pending.into_iter().map(|(d, _)| d).collect())
}

/// The delimiter of a heredoc from the text after its `<<` (a leading `-` strips tabs),
/// with quotes and backslashes removed: `(word, strip_tabs)`.
pub(super) fn heredoc_delimiter(after: &str) -> Option<(String, bool)> {
    let (after, strip_tabs) = match after.strip_prefix('-') {
        Some(a) => (a, true),
        None => (after, false),
    };
    let word: String = after
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && !";&|()<>".contains(*c))
        .filter(|c| !"'\"\\".contains(*c))
        .collect();
    (!word.is_empty()).then_some((word, strip_tabs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_substitution_values_become_command_substitutions() {
        let c = candidates("BASH_ENV=<(echo x) bash -c true");
        assert_eq!(
            c.first().map(String::as_str),
            Some("BASH_ENV=$(echo x) bash -c true")
        );
    }

    #[test]
    fn process_substitution_values_in_quotes_are_left_alone() {
        let c = candidates("V=<(a) b; bash -c \"{ V=>(c) d; }\"; echo \"$( W=<(e) f)\"");
        assert_eq!(
            c.first().map(String::as_str),
            Some("V=$(a) b; bash -c \"{ V=>(c) d; }\"; echo \"$( W=$(e) f)\"")
        );
        // Every match, as a fallback.
        assert_eq!(
            c.get(1).map(String::as_str),
            Some("V=$(a) b; bash -c \"{ V=$(c) d; }\"; echo \"$( W=$(e) f)\"")
        );
    }

    #[test]
    fn process_substitution_values_in_heredoc_bodies_are_left_alone() {
        let c = candidates("V=<(a) b; bash <<E\n{ V=>(c) d; }\nE\ne");
        assert_eq!(
            c.first().map(String::as_str),
            Some("V=$(a) b; bash <<E\n{ V=>(c) d; }\nE\ne")
        );
    }

    #[test]
    fn bang_after_assignments_is_a_word() {
        let c = candidates("X=1 Y=2 ! git status");
        assert_eq!(
            c.first().map(String::as_str),
            Some("X=1 Y=2 \\! git status")
        );
    }

    #[test]
    fn open_heredocs_are_closed_at_the_end() {
        let c = candidates("cat <<EOF\nhello");
        assert_eq!(
            c.first().map(String::as_str),
            Some("cat <<EOF\nhello\nEOF\n")
        );
        let c = candidates("cat <<-'A' <<B\nx\n\tA\ny");
        assert_eq!(
            c.first().map(String::as_str),
            Some("cat <<-'A' <<B\nx\n\tA\ny\nB\n")
        );
    }
}
