//! Program knowledge, the programs git starts on its own files and output: the editor
//! it hands a commit message or a rebase's todo list to (`GIT_SEQUENCE_EDITOR`,
//! `sequence.editor`, `GIT_EDITOR`, `core.editor`, `VISUAL`, `EDITOR`) and the pager it
//! sends its output through (`GIT_PAGER`, `core.pager`, `pager.<cmd>`, `PAGER`).
//!
//! SECURITY: an interactive rebase runs the `exec` (`x`) lines of its todo list through
//! the shell, after its editor has had the list. An editor value that writes into the
//! list (`sed -i 's/^pick/exec rm -rf ~ #/'`) runs a command nobody judged, so a value
//! is only known to be harmless there when it keeps the list's lines commands that run
//! nothing: no change at all (`true`, `:`), an interactive editor run without options
//! that script it, or a sed that only swaps one such command for another
//! ([`keeps_todo_commands`]). A pager reads git's output, which the agent's own
//! arguments shape (`--format`): its value is judged as a command reading text only
//! known at run time.
//!
//! This module only describes these programs; the walk asks it.

use super::file_tools::{SedCommand, sed_plain_edit};
use crate::command::Word;

/// Variables naming the editor git starts, most binding first for a rebase's todo list
/// (`GIT_SEQUENCE_EDITOR`, then the editor of everything else).
pub const EDITOR_VARIABLES: [&str; 4] = ["GIT_SEQUENCE_EDITOR", "GIT_EDITOR", "VISUAL", "EDITOR"];

/// Variables naming the pager git and man send their output through.
pub const PAGER_VARIABLES: [&str; 4] = ["GIT_PAGER", "PAGER", "MANPAGER", "SYSTEMD_PAGER"];

/// Where the program that edits a rebase's todo list is named, most binding first: git
/// takes the first that is set (`git var GIT_SEQUENCE_EDITOR`). Variables are the
/// environment's; keys are git configuration (lower-cased).
pub const TODO_EDITOR_ORDER: [Source; 6] = [
    Source::Variable("GIT_SEQUENCE_EDITOR"),
    Source::Key("sequence.editor"),
    Source::Variable("GIT_EDITOR"),
    Source::Key("core.editor"),
    Source::Variable("VISUAL"),
    Source::Variable("EDITOR"),
];

/// One place an editor is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// An environment variable.
    Variable(&'static str),
    /// A git configuration key, lower-cased.
    Key(&'static str),
}

impl Source {
    /// The variable or key, as written.
    pub fn name(self) -> &'static str {
        match self {
            Source::Variable(n) | Source::Key(n) => n,
        }
    }
}

/// Whether a (lower-cased) git configuration key names an editor git starts.
pub fn is_editor_key(key: &str) -> bool {
    matches!(key, "core.editor" | "sequence.editor")
}

/// Whether a (lower-cased) git configuration key names a pager (`core.pager`,
/// `pager.<cmd>`, whose value may also be a boolean).
pub fn is_pager_key(key: &str) -> bool {
    key == "core.pager" || key.starts_with("pager.")
}

/// Whether `git rebase ARGS…` gives its todo list to an editor: `-i`/`--interactive`
/// (also abbreviated, `--inter`, and in a bundle of short options, `-ri`),
/// `--edit-todo` (`--edit`); `git pull --rebase=interactive` (`=i`).
pub fn edits_todo(rest: &[Word]) -> bool {
    let long = |t: &str, option: &str| {
        let name = t.split_once('=').map_or(t, |(n, _)| n);
        name.len() >= 4 && option.starts_with(name)
    };
    let pull = rest.first().and_then(Word::lit) == Some("pull");
    rest.iter().skip(1).any(|w| match w.lit() {
        Some(t) if pull => {
            t.split_once('=').is_some_and(|(name, value)| {
                long(name, "--rebase") && matches!(value, "interactive" | "i")
            }) || (t.starts_with("-r=") && matches!(t.get(3..), Some("interactive" | "i")))
        }
        Some(t) if t.starts_with("--") => long(t, "--interactive") || long(t, "--edit-todo"),
        Some(t) if t.starts_with('-') && !t.starts_with("--") => {
            // Short options up to the first that takes a value (`-x CMD`, `-s STRATEGY`,
            // `-X OPT`, `-C N`); `-i` before it.
            t.chars()
                .skip(1)
                .take_while(|c| !matches!(c, 'x' | 's' | 'X' | 'C' | 'S'))
                .any(|c| c == 'i')
        }
        // A word only known at run time may be `-i`.
        None => true,
        _ => false,
    })
}

/// Todo-list commands that run nothing (`exec`/`x` run their line through the shell):
/// pick, reword, edit, squash, fixup, drop, break, label, reset, merge, update-ref, in
/// their long and one-letter forms. No letter string made of these, by replacing one of
/// them with another, spells `x` or `exec`: the only `x` among them, fixup's, always
/// has an `i` before it, and none of them ends in `i`.
const QUIET_COMMANDS: [&str; 22] = [
    "pick",
    "p",
    "reword",
    "r",
    "edit",
    "e",
    "squash",
    "s",
    "fixup",
    "f",
    "drop",
    "d",
    "break",
    "b",
    "label",
    "l",
    "reset",
    "t",
    "merge",
    "m",
    "update-ref",
    "u",
];

/// Programs that leave the file they are given as it is.
const NO_CHANGE: [&str; 4] = ["true", ":", "false", "cat"];

/// Interactive editors, by basename, with the options that do not script them (a
/// `-c`/`+CMD` for vim would): a person edits the list in them.
const INTERACTIVE: &[(&[&str], &[&str])] = &[
    (
        &["vim", "vi", "nvim", "gvim", "mvim"],
        &["-f", "--nofork", "-n", "-R"],
    ),
    (&["nano", "pico"], &["-w", "--nowrap", "-i", "--autoindent"]),
    (
        &["emacs", "emacsclient"],
        &["-nw", "-t", "--tty", "-c", "--create-frame", "-q"],
    ),
    (
        &[
            "code",
            "code-insiders",
            "codium",
            "cursor",
            "windsurf",
            "subl",
            "sublime_text",
            "mate",
            "atom",
            "zed",
            "gedit",
            "kate",
            "kwrite",
            "mousepad",
            "pluma",
            "xed",
            "gnome-text-editor",
            "geany",
            "lite-xl",
            "idea",
            "pycharm",
            "webstorm",
            "goland",
            "clion",
            "rubymine",
            "phpstorm",
            "rider",
            "fleet",
            "neovide",
            "nvim-qt",
        ],
        &[
            "-w",
            "--wait",
            "-n",
            "--new-window",
            "-r",
            "--reuse-window",
            "--new",
        ],
    ),
    (
        &[
            "micro",
            "hx",
            "helix",
            "kak",
            "joe",
            "jed",
            "ne",
            "mcedit",
            "tilde",
            "mg",
            "zile",
            "jove",
            "vis",
            // Debian's alternatives for the system's editor.
            "editor",
            "sensible-editor",
        ],
        &[],
    ),
];

/// Whether a pull's configured rebase mode is interactive (`pull.rebase`,
/// `branch.<name>.rebase`: `interactive` or `i`).
pub fn interactive_rebase_mode(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "interactive" | "i"
    )
}

/// Whether `git rebase ARGS…` adds `exec` lines to its todo list (`-x CMD`, `--exec`).
pub fn adds_exec_lines(rest: &[Word]) -> bool {
    rest.iter().skip(1).any(|w| match w.lit() {
        Some(t) if t.starts_with("--") => {
            let name = t.split_once('=').map_or(t, |(n, _)| n);
            name.len() >= 4 && "--exec".starts_with(name)
        }
        Some(t) if t.starts_with('-') => t.chars().skip(1).any(|c| c == 'x'),
        Some(_) => false,
        None => true,
    })
}

/// Whether the editor `words` rewrites lines by a script of its own (sed): given a todo
/// list that already holds `exec` lines, it may rewrite their commands.
pub fn rewrites_lines(words: &[String]) -> bool {
    words
        .first()
        .is_some_and(|p| matches!(p.rsplit('/').next(), Some("sed" | "gsed")))
}

/// Whether the command `words` (an editor value, as the shell splits it; git appends
/// the todo list's path), given a rebase's todo list, keeps every line a command that
/// runs nothing. See the module's SECURITY note.
pub fn keeps_todo_commands(words: &[String]) -> bool {
    let Some((program, args)) = words.split_first() else {
        // No program (not reached through the walk, which reads the value as one
        // command first): nothing edits the list.
        return true;
    };
    let base = program.rsplit('/').next().unwrap_or(program);
    if NO_CHANGE.contains(&base) {
        return true;
    }
    if let Some((_, options)) = INTERACTIVE.iter().find(|(names, _)| names.contains(&base)) {
        return args.iter().all(|a| options.contains(&a.as_str()));
    }
    if matches!(base, "sed" | "gsed") {
        return sed_plain_edit(args).is_some_and(|commands| commands.iter().all(keeps_commands));
    }
    false
}

/// Whether the editor `words` is one to keep in git's configuration for good: a program
/// that leaves the file as it is or an interactive editor without scripting options
/// (not a sed, whose script would run on every message and todo list).
pub fn plain_editor(words: &[String]) -> bool {
    keeps_todo_commands(words) && !rewrites_lines(words)
}

/// Pagers, by basename, with their options: none runs a command from an option given
/// here (`less +!cmd` would; `+` options are not accepted).
const PAGERS: [&str; 12] = [
    "less",
    "more",
    "most",
    "cat",
    "bat",
    "batcat",
    "delta",
    "diff-so-fancy",
    "diff-highlight",
    "moar",
    "ov",
    "true",
];

/// Whether the pager `words` is one to keep in git's configuration for good: a known
/// pager given only `-` options, or a boolean (`pager.<cmd>` takes `true`/`false`).
pub fn plain_pager(words: &[String]) -> bool {
    match words {
        [] => true,
        [one]
            if matches!(
                one.as_str(),
                "false" | "no" | "off" | "0" | "yes" | "on" | "1"
            ) =>
        {
            true
        }
        [program, args @ ..] => {
            PAGERS.contains(&program.rsplit('/').next().unwrap_or(program))
                && args.iter().all(|a| {
                    // (delta's `--pager=CMD`, and any option naming a command, is not.)
                    a.starts_with('-')
                        && !a.contains('!')
                        && !["pager", "cmd", "command", "exec"]
                            .iter()
                            .any(|n| a.contains(n))
                })
        }
    }
}

/// Whether the editor `words` (an editor value, as the shell splits it) reads what to
/// do from its standard input: an interactive editor does when it is not a terminal
/// (`printf ':%s/^pick/x id #/\n:wq\n' | git rebase -i HEAD~2` drives vi). Programs
/// that leave the file as it is and sed do not; anything else may.
pub fn reads_input(words: &[String]) -> bool {
    let Some(program) = words.first() else {
        return false;
    };
    let base = program.rsplit('/').next().unwrap_or(program);
    !(NO_CHANGE.contains(&base) || matches!(base, "sed" | "gsed"))
}

/// Whether one sed command keeps every todo line's command one that runs nothing:
/// deleting a line; swapping one such command word for another anywhere (`s/pick/
/// squash/`, `s/^p /f /`); or replacing from the start of the line with text that
/// starts with one, a blank, and no new line (`s/^pick \(abc\)/edit \1/`).
fn keeps_commands(command: &SedCommand) -> bool {
    match command {
        SedCommand::Delete => true,
        SedCommand::Substitute {
            pattern,
            replacement,
        } => {
            let word = |t: &str| {
                let t = t.strip_suffix(' ').unwrap_or(t);
                QUIET_COMMANDS.contains(&t)
            };
            // `pick 1a2b3c` → `fixup 1a2b3c`: the same hash after each word.
            let with_hash = |t: &str| -> Option<(String, String)> {
                let (w, hash) = t.split_once(' ')?;
                let hex = hash.len() >= 4 && hash.chars().all(|c| c.is_ascii_hexdigit());
                (QUIET_COMMANDS.contains(&w) && hex).then(|| (w.to_string(), hash.to_string()))
            };
            let bare = pattern.strip_prefix('^').unwrap_or(pattern);
            if word(bare) && word(replacement) {
                return true;
            }
            if let (Some((_, a)), Some((_, b))) = (with_hash(bare), with_hash(replacement))
                && a == b
            {
                return true;
            }
            // SECURITY: with an alternation (`^z|true`, `^z\|true`) a `^` pattern also
            // matches inside a line.
            if pattern.contains('|') {
                return false;
            }
            let Some(rest) = pattern.strip_prefix('^').and(
                QUIET_COMMANDS
                    .iter()
                    .filter_map(|c| replacement.strip_prefix(c))
                    .find(|rest| rest.starts_with([' ', '\t'])),
            ) else {
                return false;
            };
            // No new line: escapes are back-references (`\1`) or a literal `&` only.
            let mut chars = rest.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\n' => return false,
                    '\\' if !chars.next().is_some_and(|n| n.is_ascii_digit() || n == '&') => {
                        return false;
                    }
                    _ => {}
                }
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[rstest]
    #[case::no_change(&["true"], true)]
    #[case::colon(&[":"], true)]
    #[case::cat(&["cat"], true)]
    #[case::empty(&[], true)]
    #[case::vim(&["vim"], true)]
    #[case::vim_path(&["/usr/bin/vim"], true)]
    #[case::code_wait(&["code", "--wait"], true)]
    #[case::emacsclient(&["emacsclient", "-t"], true)]
    #[case::debian_editor(&["editor"], true)]
    #[case::jetbrains(&["idea", "--wait"], true)]
    #[case::vim_scripted(&["vim", "-c", "%s/^pick/exec rm -rf ~ #/", "-c", "wq"], false)]
    #[case::vim_plus(&["vim", "+%s/^pick/x id/"], false)]
    #[case::emacs_eval(&["emacs", "--eval", "(shell-command \"id\")"], false)]
    #[case::python(&["python3"], false)]
    #[case::sh(&["sh", "-c", "echo exec id >> \"$1\"", "x"], false)]
    #[case::perl(&["perl", "-pi", "-e", "s/^pick/exec id #/"], false)]
    #[case::cp(&["cp", "todo.txt"], false)]
    #[case::tee(&["tee"], false)]
    #[case::sed_squash(&["sed", "-i", "s/pick/squash/"], true)]
    #[case::sed_range(&["sed", "-i", "2,$s/^pick/squash/"], true)]
    #[case::sed_global(&["sed", "-i", "-e", "s/^pick /fixup /g"], true)]
    #[case::sed_backref(&["sed", "-i", "s/^pick \\(abc123\\)/edit \\1/"], true)]
    #[case::sed_delete(&["sed", "-i", "/WIP/d"], true)]
    #[case::sed_regex_address(&["sed", "-i", "/abc123/s/pick/drop/"], true)]
    #[case::sed_bundle(&["sed", "-Ei", "s/^pick/reword/"], true)]
    #[case::sed_two(&["sed", "-i", "-e", "1s/^pick/edit/", "-e", "3d"], true)]
    #[case::sed_exec(&["sed", "-i", "s/^pick/exec rm -rf ~ #/"], false)]
    #[case::sed_x(&["sed", "-i", "s/^pick/x/"], false)]
    #[case::sed_strip(&["sed", "-i", "s/^pick [0-9a-f]* //"], false)]
    #[case::sed_newline(&["sed", "-i", "s/^pick \\(.*\\)/pick \\1\\nexec id/"], false)]
    #[case::sed_anchor_word_then_backref(&["sed", "-i", "s/^pick/pick\\1/"], false)]
    #[case::sed_edit_to_exec(&["sed", "-i", "s/dit/xec/"], false)]
    #[case::sed_append(&["sed", "-i", "1a exec id"], false)]
    #[case::sed_e_flag(&["sed", "-i", "s/^pick.*/id/e"], false)]
    #[case::sed_write(&["sed", "-i", "s/a/b/w /tmp/x"], false)]
    #[case::sed_file(&["sed", "-i", "-f", "edit.sed"], false)]
    #[case::sed_null(&["sed", "-z", "-i", "s/pick/squash/"], false)]
    #[case::sed_ie_suffix(&["sed", "-ie", "s/pick/squash/"], true)]
    #[case::sed_hash(&["sed", "-i", "s/pick 1a2b3c/fixup 1a2b3c/"], true)]
    #[case::sed_hash_changed(&["sed", "-i", "s/pick 1a2b3c/fixup 1a2b3d/"], false)]
    #[case::sed_alternation(&["sed", "-i", "-E", "s,^z|true,pick ; id,"], false)]
    #[case::sed_bre_alternation(&["sed", "-i", "s,^z\\|true,pick ; id,"], false)]
    fn todo_editors(#[case] value: &[&str], #[case] keeps: bool) {
        let value: Vec<String> = value.iter().map(|s| s.to_string()).collect();
        assert_eq!(keeps_todo_commands(&value), keeps, "{value:?}");
    }

    #[rstest]
    #[case("rebase -i HEAD~3", true)]
    #[case("rebase --interactive main", true)]
    #[case("rebase -ri main", true)]
    #[case("rebase --edit-todo", true)]
    #[case("rebase main", false)]
    #[case("rebase --continue", false)]
    #[case("rebase -x make main", false)]
    #[case("rebase -X theirs main", false)]
    #[case("rebase -xi main", false)]
    #[case("rebase --inter HEAD~2", true)]
    #[case("rebase --edit HEAD~2", true)]
    #[case("rebase --exec make main", false)]
    #[case("pull --rebase=interactive", true)]
    #[case("pull --rebase=i origin main", true)]
    #[case("pull --rebase origin main", false)]
    fn rebases_that_edit_the_todo(#[case] args: &str, #[case] edits: bool) {
        let rest: Vec<Word> = words(args).into_iter().map(Word::Lit).collect();
        assert_eq!(edits_todo(&rest), edits, "{args}");
    }

    #[rstest]
    #[case("vim", true)]
    #[case("code --wait", true)]
    #[case("true", false)]
    #[case("sed -i s/pick/squash/", false)]
    #[case("python3 edit.py", true)]
    fn editors_that_read_their_input(#[case] value: &str, #[case] reads: bool) {
        assert_eq!(reads_input(&words(value)), reads, "{value}");
    }
}
