//! Program knowledge, files a program reads as commands in its own language: gdb's `-x
//! FILE` (`shell CMD`, `!CMD`), sed's `-f FILE` (`e CMD`), m4's and dc's input files,
//! vim's `-u`/`-S` files (`:!CMD`), expect's script (`spawn`, `exec`), tmux's `-f` and
//! `source-file` (`run-shell CMD`), sqlite3's `-init FILE` (`.shell CMD`). A file the
//! same script wrote is read here for the shell commands it runs; the walk judges them.
//!
//! This module only describes these programs; the walk asks it.

use super::editors::{self, Editor};
use super::file_tools::{self, SedRun};
use crate::command::Word;

/// Directories whose every executable file the program runs (`run-parts DIR`).
pub fn directories_run(base: &str, args: &[Word]) -> Vec<Word> {
    match base {
        "run-parts" => args
            .iter()
            .filter(|w| !w.lit().is_some_and(|t| t.starts_with('-')))
            .take(1)
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a compiler reads its source from standard input (`cc -x c -o a -`): the
/// text it is fed is source code, read as source written to a file is.
pub fn compiles_stdin(base: &str, args: &[Word]) -> bool {
    matches!(
        base,
        "cc" | "gcc" | "g++" | "c++" | "clang" | "clang++" | "tcc" | "x86_64-linux-gnu-gcc"
    ) && args.iter().any(|w| w.lit() == Some("-"))
}

/// How a program reads its command file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// gdb: a line `shell CMD` or `!CMD` runs CMD.
    Gdb,
    /// sed: a script (`e CMD`, `s///e`).
    Sed,
    /// A line editor's commands (ed, ex and vim, dc, sqlite3, m4).
    Editor(Editor),
    /// tmux: `run-shell CMD` (`run`), `if-shell CMD …`.
    Tmux,
    /// expect and Tcl: `spawn CMD`, `exec CMD`.
    Tcl,
}

/// What a command file runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    /// A shell command line.
    Script(String),
    /// Something only known when it runs (sed's `e` on its input), and why.
    Unknown(String),
}

/// The command files `base ARGS…` reads, each with how it reads it.
pub fn command_files(base: &str, args: &[Word]) -> Vec<(Reading, Word)> {
    let valued = |options: &[&str]| -> Vec<Word> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(w) = it.next() {
            let Some(t) = w.lit() else { continue };
            if options.contains(&t) {
                out.extend(it.next().cloned());
            } else if let Some((name, value)) = t.split_once('=')
                && options.contains(&name)
            {
                out.push(Word::Lit(value.to_string()));
            }
        }
        out
    };
    let operands = || {
        args.iter()
            .filter(|w| !w.lit().is_some_and(|t| t.starts_with('-')))
            .cloned()
            .collect::<Vec<_>>()
    };
    let with =
        |reading: Reading, files: Vec<Word>| files.into_iter().map(|f| (reading, f)).collect();
    match base {
        "gdb" | "gdb-multiarch" => {
            let mut files = valued(&[
                "-x",
                "--command",
                "-command",
                "-ix",
                "--init-command",
                "-init-command",
            ]);
            // `-ex 'source FILE'`.
            files.extend(
                valued(&["-ex", "--eval-command", "-eval-command", "-iex"])
                    .into_iter()
                    .filter_map(|c| {
                        c.lit()
                            .and_then(|t| t.trim().strip_prefix("source "))
                            .map(|f| Word::Lit(f.trim().to_string()))
                    }),
            );
            with(Reading::Gdb, files)
        }
        "sed" | "gsed" => with(Reading::Sed, valued(&["-f", "--file"])),
        "m4" | "gm4" => with(Reading::Editor(Editor::M4), operands()),
        "dc" => {
            // `-f FILE`, `--file=FILE` and the operands are all files of commands.
            let mut files = Vec::new();
            let mut it = args.iter();
            while let Some(w) = it.next() {
                match w.lit() {
                    Some("-f" | "--file") => files.extend(it.next().cloned()),
                    Some(t) if t.starts_with("--file=") => {
                        files.push(Word::Lit(t.get(7..).unwrap_or("").to_string()))
                    }
                    Some("-e" | "--expression") => {
                        it.next();
                    }
                    Some(t) if t.starts_with('-') => {}
                    _ => files.push(w.clone()),
                }
            }
            with(Reading::Editor(Editor::Dc), files)
        }
        "vim" | "vi" | "nvim" | "ex" | "view" | "gvim" => {
            with(Reading::Editor(Editor::Ex), valued(&["-u", "-S"]))
        }
        "sqlite3" | "sqlite" => with(Reading::Editor(Editor::Sqlite), valued(&["-init"])),
        "expect" => {
            let mut files = valued(&["-f"]);
            if files.is_empty() {
                files.extend(operands().into_iter().take(1));
            }
            with(Reading::Tcl, files)
        }
        "tmux" => {
            let mut files = valued(&["-f"]);
            // `source-file FILE` (`source`), also after `\;` in one invocation.
            for pair in args.windows(2) {
                if matches!(
                    pair.first().and_then(Word::lit),
                    Some("source-file" | "source")
                ) && let Some(file) = pair.get(1)
                {
                    files.push(file.clone());
                }
            }
            with(Reading::Tmux, files)
        }
        _ => Vec::new(),
    }
}

/// The shell commands a command file with this text runs, read as `reading` says.
pub fn commands_in(reading: Reading, text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    match reading {
        Reading::Gdb => {
            for line in text.lines() {
                let line = line.trim_start();
                if let Some(cmd) = line
                    .strip_prefix("shell ")
                    .or_else(|| line.strip_prefix('!'))
                {
                    out.push(Run::Script(cmd.to_string()));
                }
            }
        }
        Reading::Sed => {
            for run in file_tools::sed_runs(text) {
                match run {
                    SedRun::Script(s) => out.push(Run::Script(s)),
                    SedRun::PatternSpace => out.push(Run::Unknown(
                        "runs text from its input as a command (`e`)".into(),
                    )),
                    // (A `w FILE` of a script file is not followed.)
                    SedRun::Write(_) => {}
                }
            }
        }
        Reading::Editor(editor) => {
            out.extend(
                editors::line_escapes(editor, &[], Some(text))
                    .unwrap_or_default()
                    .into_iter()
                    .map(Run::Script),
            );
        }
        Reading::Tmux => {
            for line in text.lines() {
                let words: Vec<&str> = line.split_whitespace().collect();
                for (i, w) in words.iter().enumerate() {
                    if matches!(*w, "run-shell" | "run" | "if-shell" | "if") {
                        // Flags (`-b`, `-C`, `-F`) then the command, quoted or not.
                        let rest: Vec<&str> = words
                            .iter()
                            .skip(i + 1)
                            .skip_while(|a| a.starts_with('-'))
                            .copied()
                            .collect();
                        let command = rest.join(" ");
                        let command = command.trim();
                        let unquoted = command
                            .strip_prefix('"')
                            .and_then(|c| c.split_once('"'))
                            .or_else(|| command.strip_prefix('\'').and_then(|c| c.split_once('\'')))
                            .map_or(command, |(inner, _)| inner);
                        if !unquoted.is_empty() {
                            out.push(Run::Script(unquoted.to_string()));
                        }
                        break;
                    }
                }
            }
        }
        Reading::Tcl => {
            for candidate in crate::command::interp::tcl_commands(text) {
                match candidate {
                    crate::command::interp::Candidate::Script(s) => out.push(Run::Script(s)),
                    crate::command::interp::Candidate::Argv(words) => {
                        out.push(Run::Script(words.join(" ")))
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &str) -> Vec<Word> {
        s.split(' ').map(|w| Word::Lit(w.to_string())).collect()
    }

    #[rstest::rstest]
    #[case("gdb", "-q -batch -x /tmp/g.cmds", 1)]
    #[case("sed", "-n -f /tmp/s.sed", 1)]
    #[case("m4", "/tmp/x.m4", 1)]
    #[case("dc", "-f /tmp/x.dc", 1)]
    #[case("vim", "-es -u /tmp/vrc", 1)]
    #[case("expect", "-f /tmp/x.exp", 1)]
    #[case("tmux", "-L x new -d ; source-file /tmp/t.conf", 1)]
    #[case("sqlite3", "-init /tmp/i.sql :memory:", 1)]
    #[case("sed", "-n s/a/b/p file", 0)]
    fn files_read_as_commands(#[case] base: &str, #[case] args: &str, #[case] count: usize) {
        assert_eq!(
            command_files(base, &lits(args)).len(),
            count,
            "{base} {args}"
        );
    }

    #[rstest::rstest]
    #[case(Reading::Gdb, "shell git reset --hard\n", "git reset --hard")]
    #[case(Reading::Sed, "1e git reset --hard\n", "git reset --hard")]
    #[case(
        Reading::Editor(Editor::Ex),
        "silent !git reset --hard\nqa!\n",
        "git reset --hard"
    )]
    #[case(Reading::Editor(Editor::Dc), "!cat .env\n", "cat .env")]
    #[case(Reading::Tmux, "run-shell \"git reset --hard\"\n", "git reset --hard")]
    #[case(
        Reading::Tcl,
        "spawn git reset --hard\nexpect eof\n",
        "git reset --hard"
    )]
    fn commands_a_file_runs(#[case] reading: Reading, #[case] text: &str, #[case] want: &str) {
        assert!(
            commands_in(reading, text).contains(&Run::Script(want.to_string())),
            "{text:?}: {:?}",
            commands_in(reading, text)
        );
    }
}
