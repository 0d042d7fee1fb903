//! Program knowledge, editors and pagers: `ed`, `ex`, `vim -e` and `dc` read commands
//! (from standard input or `-e`) in which a shell escape runs a command line; vim's `-c
//! '!CMD'`, less's `+!CMD` and man's `-P PAGER` run one from an option.
//!
//! A row per program (or per few that behave alike). This module only describes
//! programs; the walk asks it.

use super::hooks::{Hook, Kind};
use super::{Action, Input, Program};
use crate::command::Word;

/// The editors and pagers, as rows.
pub const ROWS: &[Program] = &[
    Program {
        names: &["ed"],
        action: Action::LineEditor(Editor::Ed),
        stdin: Input::Script,
        ..Program::DEFAULT
    },
    Program {
        names: &["ex"],
        action: Action::LineEditor(Editor::Ex),
        stdin: Input::Script,
        hooks: VIM,
        ..Program::DEFAULT
    },
    Program {
        names: &["vim", "vi", "nvim"],
        action: Action::LineEditor(Editor::Vim),
        stdin: Input::Script,
        hooks: VIM,
        ..Program::DEFAULT
    },
    Program {
        names: &["view", "vimdiff", "gvim", "rvim"],
        hooks: VIM,
        ..Program::DEFAULT
    },
    Program {
        names: &["dc"],
        action: Action::LineEditor(Editor::Dc),
        stdin: Input::Script,
        ..Program::DEFAULT
    },
    Program {
        names: &["less", "more"],
        action: Action::Data,
        hooks: PAGER,
        ..Program::DEFAULT
    },
    Program {
        names: &["most"],
        hooks: PAGER,
        ..Program::DEFAULT
    },
    Program {
        names: &["man"],
        action: Action::Data,
        hooks: &[Hook {
            options: &["-P", "--pager", "-H", "--html"],
            kind: Kind::Script,
        }],
        ..Program::DEFAULT
    },
];

/// vim's options whose value is an editor command (`:!CMD` runs CMD).
const VIM: &[Hook] = &[Hook {
    options: &["-c", "--cmd", "+"],
    kind: Kind::Bang,
}];

/// A pager's `+CMD`: its initial command (`+!CMD` runs CMD).
const PAGER: &[Hook] = &[Hook {
    options: &["+"],
    kind: Kind::LeadingBang,
}];

/// A line editor with a shell escape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editor {
    /// `ed`: `!cmd`, `r !cmd`, `w !cmd`.
    Ed,
    /// `ex`: `:!cmd`, `silent !cmd`.
    Ex,
    /// `vim`, `vi`, `nvim`: as `ex` with `-e`/`-es`; otherwise a screen editor.
    Vim,
    /// `dc`: `!cmd` (not the comparisons `!=`, `!<`, `!>`), from stdin or `-e`.
    Dc,
}

/// Line-oriented tools with a shell escape, reading commands from stdin (or `-e`):
/// `ed` (`!cmd`, `r !cmd`, `w !cmd`), `ex` / `vim -e[s]` (`:!cmd`, `silent !cmd`), and
/// `dc` (`!cmd`, except the comparisons `!=`, `!<`, `!>`). The command lines they run;
/// `None` when it reads no script we can see (`vim` without `-e`).
pub fn line_escapes(editor: Editor, args: &[Word], stdin: Option<&str>) -> Option<Vec<String>> {
    let reads_commands = match editor {
        Editor::Ed | Editor::Ex | Editor::Dc => true,
        Editor::Vim => args.iter().any(|w| {
            w.lit().is_some_and(|t| {
                t.starts_with('-') && !t.starts_with("--") && t.contains(['e', 'E']) && t.len() <= 4
            })
        }),
    };
    if !reads_commands {
        return None;
    }
    let mut texts: Vec<String> = Vec::new();
    if editor == Editor::Dc {
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
            let command = if editor == Editor::Dc {
                line.match_indices('!')
                    .find(|(at, _)| {
                        !line
                            .get(at + 1..)
                            .is_some_and(|r| r.starts_with(['=', '<', '>']))
                    })
                    .map(|(at, _)| line.get(at + 1..).unwrap_or(""))
            } else if editor == Editor::Ed {
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
        let esc = |e: Editor, t: &str| line_escapes(e, &[], Some(t)).unwrap_or_default();
        assert_eq!(
            esc(Editor::Ed, "1p\n!rm -rf /\nq"),
            vec!["rm -rf /".to_string()]
        );
        assert_eq!(
            esc(Editor::Ed, "w !git push -f"),
            vec!["git push -f".to_string()]
        );
        assert_eq!(
            esc(Editor::Ex, ":silent !git reset --hard"),
            vec!["git reset --hard".to_string()]
        );
        assert_eq!(
            esc(Editor::Dc, "1 2 !=x\n!rm -rf ~"),
            vec!["rm -rf ~".to_string()]
        );
        assert!(esc(Editor::Ed, ",s/a/b/g\nw\nq").is_empty());
        assert_eq!(line_escapes(Editor::Vim, &[], Some(":!ls")), None);
    }
}
