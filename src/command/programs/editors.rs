//! Program knowledge, line editors: `ed`, `ex`, `vim -e` and `dc` read commands (from
//! standard input or `-e`) in which a shell escape runs a command line.
//!
//! This module only describes programs; the walk asks it.

use crate::command::Word;

/// Line-oriented tools with a shell escape, reading commands from stdin (or `-e`):
/// `ed` (`!cmd`, `r !cmd`, `w !cmd`), `ex` / `vim -e[s]` (`:!cmd`, `silent !cmd`), and
/// `dc` (`!cmd`, except the comparisons `!=`, `!<`, `!>`). The command lines they run;
/// `None` when `base` is not one of them or reads no script we can see.
pub fn line_escapes(base: &str, args: &[Word], stdin: Option<&str>) -> Option<Vec<String>> {
    let reads_commands = match base {
        "ed" => true,
        "ex" => true,
        "vim" | "vi" | "nvim" => args.iter().any(|w| {
            w.lit().is_some_and(|t| {
                t.starts_with('-') && !t.starts_with("--") && t.contains(['e', 'E']) && t.len() <= 4
            })
        }),
        "dc" => true,
        _ => false,
    };
    if !reads_commands {
        return None;
    }
    let mut texts: Vec<String> = Vec::new();
    if base == "dc" {
        let mut i = 0;
        while let Some(w) = args.get(i) {
            i += 1;
            match w.lit() {
                Some("-e" | "--expression") => {
                    texts.extend(args.get(i).and_then(Word::lit).map(str::to_string));
                    i += 1;
                }
                Some(t) if t.starts_with("--expression=") => {
                    texts.push(t.get(13..).unwrap_or("").to_string())
                }
                _ => {}
            }
        }
    }
    texts.extend(stdin.map(str::to_string));
    let mut out = Vec::new();
    for text in texts {
        for line in text.lines() {
            let line = line.trim();
            let command = if base == "dc" {
                line.match_indices('!')
                    .find(|(at, _)| {
                        !line
                            .get(at + 1..)
                            .is_some_and(|r| r.starts_with(['=', '<', '>']))
                    })
                    .map(|(at, _)| line.get(at + 1..).unwrap_or(""))
            } else if base == "ed" {
                // `!cmd`, or an address and r/w/e/W followed by `!cmd`.
                let rest =
                    line.trim_start_matches(|c: char| c.is_ascii_digit() || ",.$;+-'".contains(c));
                rest.strip_prefix('!').or_else(|| {
                    rest.strip_prefix(['r', 'w', 'e', 'W', 'E'])
                        .map(str::trim_start)
                        .and_then(|r| r.strip_prefix('!'))
                })
            } else {
                line.find('!').map(|at| line.get(at + 1..).unwrap_or(""))
            };
            if let Some(command) = command.map(str::trim).filter(|c| !c.is_empty()) {
                out.push(command.to_string());
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_escapes_of_line_tools() {
        let esc = |b: &str, t: &str| line_escapes(b, &[], Some(t)).unwrap_or_default();
        assert_eq!(esc("ed", "1p\n!rm -rf /\nq"), vec!["rm -rf /".to_string()]);
        assert_eq!(esc("ed", "w !git push -f"), vec!["git push -f".to_string()]);
        assert_eq!(
            esc("ex", ":silent !git reset --hard"),
            vec!["git reset --hard".to_string()]
        );
        assert_eq!(
            esc("dc", "1 2 !=x\n!rm -rf ~"),
            vec!["rm -rf ~".to_string()]
        );
        assert!(esc("ed", ",s/a/b/g\nw\nq").is_empty());
    }
}
