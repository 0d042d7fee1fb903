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

/// Programs known to treat their arguments as data (text to print, search or send,
/// packages to install, files to read): exempt from the "could run" rule.
const DATA_PROGRAMS: [&str; 93] = [
    "echo",
    "printf",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ack",
    "man",
    "info",
    "whatis",
    "apropos",
    "which",
    "whereis",
    "type",
    "help",
    "tldr",
    "cat",
    "less",
    "more",
    "head",
    "tail",
    "wc",
    "sort",
    "uniq",
    "cut",
    "tr",
    "jq",
    "yq",
    "ls",
    "touch",
    "mkdir",
    "rmdir",
    "cp",
    "mv",
    "ln",
    "chmod",
    "chown",
    "stat",
    "file",
    "diff",
    "cmp",
    "tee",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "date",
    "sleep",
    "true",
    "false",
    "test",
    "[",
    "expr",
    "curl",
    "wget",
    "gh",
    "glab",
    "hub",
    "notify-send",
    "logger",
    "apt",
    "apt-get",
    "apt-cache",
    "dpkg",
    "brew",
    "pip",
    "pip3",
    "pipx",
    "uv",
    "cargo",
    "rustup",
    "go",
    "gem",
    "conda",
    "dnf",
    "yum",
    "pacman",
    "apk",
    "snap",
    "tar",
    "zip",
    "unzip",
    "pgrep",
    "pkill",
    "killall",
    "ps",
    "lsof",
    "fuser",
    "getent",
    "id",
    "groups",
    "journalctl",
];

/// Whether `base` treats its arguments as data.
pub fn treats_args_as_data(base: &str) -> bool {
    DATA_PROGRAMS.contains(&base) || crate::command::BASH_BUILTINS.contains(&base)
}

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
