//! Program knowledge for the "could run" rule: which programs treat their arguments as
//! data, and which arguments of an unknown program could be a command it runs.
//!
//! Command runners are an open set (`unbuffer`, `hyperfine`, `concurrently`, `docker
//! exec`, a project's own `./run`): the common ones are modelled exactly elsewhere, and
//! for any other program the walk looks for a run of words that reads as a command — a
//! program name followed by its arguments, or one argument that reads as a command line
//! — and reports it as something the program *could* run. The engine treats those as
//! hints (a deny or request match there asks a human; nothing there allows), so an
//! everyday command is only affected when its arguments spell a refused command.
//! This module only describes programs; it never decides.

use super::{Action, Program};

/// Programs known to treat their arguments as data (text to print, search or send,
/// names to look up, processes to list or signal), exempt from the "could run" rule, as
/// rows. (The file tools, package managers, pagers and builtins that do are in their
/// own families.)
pub const ROWS: &[Program] = &[
    // Documentation and look-ups.
    Program {
        names: &[
            "info", "whatis", "apropos", "which", "whereis", "tldr", "getent", "id", "groups",
        ],
        ..DATA
    },
    // Time, arithmetic, messages.
    Program {
        names: &[
            "date",
            "sleep",
            "expr",
            "notify-send",
            "logger",
            "journalctl",
        ],
        ..DATA
    },
    // Network clients and forges: what they send or fetch is data.
    Program {
        names: &["curl", "wget", "gh", "glab", "hub"],
        ..DATA
    },
    // Processes to list or signal.
    Program {
        names: &["pgrep", "pkill", "killall", "ps", "lsof", "fuser"],
        ..DATA
    },
];

/// What a row of this family leaves out.
const DATA: Program = Program {
    action: Action::Data,
    ..Program::DEFAULT
};

/// At most this many runs of words are tried per command.
pub const MAX_CANDIDATES: usize = 16;

/// Whether a word could name a program (a run of words starting at it, with at least
/// one more word, is tried): a plain name (`git`, `rm`, `python3.11`) or a
/// path to one (`/usr/bin/git`), not an option, an assignment or a number.
pub fn names_a_program(word: &str) -> bool {
    let base = word.rsplit('/').next().unwrap_or(word);
    !base.is_empty()
        && (word == base || word.starts_with('/') || word.starts_with("./"))
        && base
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-'))
}

/// Whether one argument reads as a command line (`hyperfine 'rm -rf x'`): two or more
/// words, the first naming a program.
pub fn reads_as_command_line(word: &str) -> bool {
    let mut words = word.split_whitespace();
    words.next().is_some_and(names_a_program) && words.next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_names_are_told_from_other_words() {
        assert!(names_a_program("git"));
        assert!(names_a_program("/usr/bin/rm"));
        assert!(!names_a_program("--force"));
        assert!(!names_a_program("A=1"));
        assert!(!names_a_program("42"));
        assert!(!names_a_program("src/main.rs"));
        assert!(reads_as_command_line("rm -rf /"));
        assert!(!reads_as_command_line("word"));
    }
}
