//! Program knowledge, editors and pagers: `ed`, `ex`, `vim -e` and `dc` read commands
//! (from standard input or `-e`) in which a shell escape runs a command line, as do
//! `sqlite3` (`.shell`, `.system`, in its arguments too) and `m4` (`syscmd`, `esyscmd`); vim's `-c
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
        names: &["sqlite3", "sqlite"],
        action: Action::LineEditor(Editor::Sqlite),
        stdin: Input::Script,
        ..Program::DEFAULT
    },
    Program {
        names: &["m4", "gm4"],
        action: Action::LineEditor(Editor::M4),
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

/// vim's options whose value is an editor command (`:!CMD` runs CMD), and `-S FILE`,
/// a file of such commands (only known at run time when its name is: `-S <(…)`).
const VIM: &[Hook] = &[
    Hook {
        options: &["-c", "--cmd", "+"],
        kind: Kind::Bang,
    },
    Hook {
        options: &["-S"],
        kind: Kind::SettingsFile,
    },
];

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
    /// `sqlite3`: the dot-commands `.shell CMD`, `.system CMD` (and their abbreviations
    /// `.sh`, `.sy`, …), and `.once|.output|.import|.read '|CMD'`, in its SQL and
    /// command arguments (`-cmd`) and in what it reads from stdin.
    Sqlite,
    /// `m4`: the macros `syscmd(CMD)` and `esyscmd(CMD)` in what it reads from stdin.
    M4,
}

/// Line-oriented tools with a shell escape, reading commands from stdin (or `-e`):
/// `ed` (`!cmd`, `r !cmd`, `w !cmd`), `ex` / `vim -e[s]` (`:!cmd`, `silent !cmd`), and
/// `dc` (`!cmd`, except the comparisons `!=`, `!<`, `!>`). The command lines they run;
/// `None` when it reads no script we can see (`vim` without `-e`).
pub fn line_escapes(editor: Editor, args: &[Word], stdin: Option<&str>) -> Option<Vec<String>> {
    let reads_commands = match editor {
        Editor::Ed | Editor::Ex | Editor::Dc | Editor::Sqlite | Editor::M4 => true,
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
    if editor == Editor::Sqlite {
        // Its arguments are the database, SQL and dot-commands, `-cmd COMMAND`.
        texts.extend(args.iter().filter_map(Word::lit).map(str::to_string));
    }
    texts.extend(stdin.map(str::to_string));
    let mut out = Vec::new();
    if editor == Editor::M4 {
        for text in &texts {
            out.extend(m4_system_calls(text));
        }
        return Some(out);
    }
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
            } else if editor == Editor::Sqlite {
                sqlite_dot_command(line)
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

/// The files SQL text reads and writes through sqlite3's functions: `readfile('F')`
/// (read), `writefile('F', …)` and `edit(…, 'F')`-less forms (written), as (writes,
/// the argument's text between its quotes).
pub fn sqlite_file_calls(sql: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    // `.output FILE`, `.once FILE`, `.log FILE`, `.save FILE`, `.backup FILE`: written
    // (a `|CMD` one runs CMD, read elsewhere); `.import FILE T`, `.read FILE`: read.
    for line in sql.lines() {
        let mut words = line.split_whitespace();
        let (Some(dot), Some(file)) = (words.next(), words.next()) else {
            continue;
        };
        // (A word only partly known comes as its source text, quotes and all.)
        let dot = dot.trim_start_matches(['\'', '"']);
        let file = file.trim_matches(['\'', '"']);
        if file.starts_with('|') || file.starts_with('-') || file == "stdout" || file == "off" {
            continue;
        }
        match dot {
            ".output" | ".once" | ".log" | ".save" | ".backup" => {
                out.push((true, file.to_string()));
            }
            ".import" | ".read" | ".open" => out.push((false, file.to_string())),
            _ => {}
        }
    }
    if !sql.to_ascii_lowercase().contains("file(") {
        return out;
    }
    // The source text of a double-quoted word keeps its escaped quotes.
    let sql = sql.replace("\\\"", "\"");
    let sql = sql.as_str();
    for (name, writes) in [("readfile(", false), ("writefile(", true)] {
        let lower = sql.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = lower.get(from..).and_then(|l| l.find(name)) {
            let start = from + at + name.len();
            let rest = sql.get(start..).unwrap_or("").trim_start();
            let mut chars = rest.chars();
            if let Some(q @ ('\'' | '"')) = chars.next() {
                let body: String = chars.take_while(|c| *c != q).collect();
                out.push((writes, body));
            } else {
                // Not a literal: any file.
                out.push((writes, "*".to_string()));
            }
            from = start;
        }
    }
    out
}

/// What an editor command vim runs from `-c`/`--cmd`/`+` does to files, as the argv of
/// the program that does the same: `call writefile(…, F)` and `:w[!] F`, `:saveas F`,
/// `:redir > F` write F (`tee -a F`); `call delete(F, "rf")` removes the tree (`rm -rf
/// F`), `call delete(F)` the file (`rm -f F`); `:r F` and `readfile(F)` read it (`cat
/// F`). `expand("~/x")` and `$HOME/x` are `~/x`.
pub fn vim_file_effects(command: &str) -> Vec<Vec<String>> {
    let text = crate::command::computed::home_literals(command);
    let text = text.replace("$HOME/", "~/");
    let mut out = Vec::new();
    static CALLS: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?x)
            \bwritefile\s*\(\s*(?:\[[^\]]*\]|[^,]+)\s*,\s*['"]([^'"]+)['"]
            | \bdelete\s*\(\s*['"]([^'"]+)['"]\s*(,\s*['"][^'"]*r[^'"]*['"])?
            | \breadfile\s*\(\s*['"]([^'"]+)['"]
            | (?:^|[|:\s])(?:w|write|sav|saveas|w!|write!|wq|x)\s+!?\s*([^\s|!][^\s|]*)
            | \bredir!?\s*>>?\s*([^\s|]+)
            | (?:^|[|:\s])r(?:ead)?\s+([^\s|!][^\s|]*)
            "#,
        )
        .ok()
    });
    let Some(calls) = CALLS.as_ref() else {
        return out;
    };
    for c in calls.captures_iter(&text) {
        if let Some(f) = c.get(1).or_else(|| c.get(5)).or_else(|| c.get(6)) {
            out.push(vec!["tee".into(), "-a".into(), f.as_str().to_string()]);
        } else if let Some(f) = c.get(2) {
            let flag = if c.get(3).is_some() { "-rf" } else { "-f" };
            out.push(vec!["rm".into(), flag.into(), f.as_str().to_string()]);
        } else if let Some(f) = c.get(4).or_else(|| c.get(7)) {
            out.push(vec!["cat".into(), f.as_str().to_string()]);
        }
    }
    out
}

/// For a sqlite3 argument only partly known (`".shell rm -rf $PWD"`): the shell text of
/// the command its dot-command runs (`rm -rf $PWD`, expansions and all), when what is
/// known of it starts with a dot-command that runs one.
pub fn sqlite_unknown_escape(word: &Word) -> Option<String> {
    let Word::Unknown { text, pattern, .. } = word else {
        return None;
    };
    let known: String = pattern
        .chars()
        .take_while(|c| *c != '*' && *c != '?' && *c != '[')
        .collect();
    let dot = known
        .split_once(char::is_whitespace)
        .map_or(known.as_str(), |(d, _)| d);
    sqlite_dot_command(&format!("{dot} x"))?;
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .trim_start();
    inner
        .split_once(char::is_whitespace)
        .map(|(_, rest)| rest.trim().to_string())
}

/// The command line a sqlite3 dot-command runs: `.shell CMD`, `.system CMD` (a unique
/// prefix of two letters or more), or output/input through a pipe (`.once '|CMD'`).
fn sqlite_dot_command(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('.')?;
    let (name, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let arg = arg.trim();
    let abbreviates = |full: &str| name.len() >= 2 && full.starts_with(name);
    if abbreviates("shell") || abbreviates("system") {
        return Some(arg);
    }
    if ["once", "output", "import", "read", "excel"]
        .iter()
        .any(|full| name.len() >= 2 && full.starts_with(name))
    {
        // The file argument (after `--csv`-like options): a pipe when it starts with
        // `|`; quoted, it is one argument with its blanks.
        let mut file = arg;
        while let Some((opt, more)) = file.split_once(char::is_whitespace)
            && opt.starts_with('-')
        {
            file = more.trim_start();
        }
        let file = match file.chars().next() {
            Some(q @ ('\'' | '"')) => file.get(1..).and_then(|f| f.split(q).next()),
            _ => file.split_whitespace().next(),
        };
        return file.and_then(|f| f.strip_prefix('|'));
    }
    None
}

/// The commands of m4's `syscmd(…)` and `esyscmd(…)` calls in `text`, their m4 quotes
/// (`` `…' ``) removed.
fn m4_system_calls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|t| t.find("syscmd(")) {
        let open = from + at + "syscmd(".len();
        let mut depth = 1usize;
        let mut end = text.len();
        for (k, c) in text.get(open..).unwrap_or("").char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k;
                        break;
                    }
                }
                _ => {}
            }
        }
        let arg = text.get(open..end).unwrap_or("").trim();
        let arg = arg.strip_prefix('`').unwrap_or(arg);
        let arg = arg.strip_suffix('\'').unwrap_or(arg);
        if !arg.is_empty() {
            out.push(arg.to_string());
        }
        from = end.max(open);
    }
    out
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

    #[test]
    fn sqlite_and_m4_escapes() {
        let esc = |e: Editor, t: &str| line_escapes(e, &[], Some(t)).unwrap_or_default();
        assert_eq!(
            esc(Editor::Sqlite, "select 1;\n.shell rm -rf x\n.sy ls"),
            vec!["rm -rf x".to_string(), "ls".to_string()]
        );
        assert_eq!(
            esc(
                Editor::Sqlite,
                ".once '|rm -rf x'\n.output --bom |wc\n.schema"
            ),
            vec!["rm -rf x".to_string(), "wc".to_string()]
        );
        assert!(esc(Editor::Sqlite, ".show\n.s x\n.output out.txt").is_empty());
        assert_eq!(
            esc(Editor::M4, "define(a,1)syscmd(`rm -rf x')esyscmd(ls (y))"),
            vec!["rm -rf x".to_string(), "ls (y)".to_string()]
        );
    }
}
