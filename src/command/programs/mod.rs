//! Knowledge about programs, as data: a table with a row per program (or per few that
//! behave alike), grouped by family in the modules below.
//!
//! A row ([`Program`]) says what the walk needs to know of a program: the names it runs
//! by, its options that take a value, what it runs and where in its arguments that is
//! (its [`Action`]), what it does with its standard input, the options whose value it
//! runs as a command, and what it deletes. The walk over bash's grammar (`walk`) looks each simple
//! command's program up once ([`lookup`]) and follows the row's action with one of its
//! generic mechanisms (a nested script, a wrapped command, an `xargs`-like or a `find
//! -exec`-like run, …); it holds no knowledge of its own about programs.
//!
//! The families: `builtins` (bash's own: `cd`, `set`, `eval`, `source`, `export`, …),
//! `shells` (and in which grammar they read their script), `wrappers` (`sudo`, `env`,
//! `timeout`, `flock`, `su -c`, busybox applets, …), `runners` (`xargs`, GNU
//! `parallel`, tmux, screen, `watch`, `at`, `ssh`, containers), `packages` (npm and the
//! other package runners, `make`, package managers), `interpreters` (`python -c`, `node
//! -e`, awk, …), `git`, `git_editors` (the editor and pager git starts, and which
//! editors keep a rebase's todo list harmless), `file_tools` (`find -exec`, `sed e`, `cp`, `tar`, …), `editors`
//! (line editors and pagers with shell escapes), `command_files` (files a program
//! reads as commands: gdb `-x`, sed `-f`, tmux `source-file`, …), `listings` (what the names a file-listing
//! command prints look like: `find src -name '*.rs'`, `git ls-files`) and `data` (programs that treat their
//! arguments as data). `hooks` reads the options whose value a program runs (a column
//! of the rows); the `removes` column says what a program deletes as a side effect
//! (`tar --remove-files`, `rsync --delete`), read by `file_tools::removed` as the `rm`
//! command the rules judge. `packages::ENVIRONMENT_RUNNERS` are wrappers whose
//! subcommand runs a command (`uv run`, `conda run`, `nix develop -c`), each with its own
//! option table (`wrappers::Sub`).
//!
//! A program without a row is not known to treat its arguments as data: what they spell
//! is judged as something it could run (`data`'s "could run" rule).
//!
//! # How to add a program
//!
//! Add a row to its family's `ROWS` (or a family module and its `ROWS` to
//! [`FAMILIES`]): its names, the [`Options`] that take a value (where its action reads
//! them), its [`Action`], what it does with standard input ([`Input`]), its
//! [`hooks::Hook`]s and what it deletes ([`file_tools::Removes`]). Nothing else changes: the index is built from the rows when the
//! crate compiles, and a name given to two rows does not compile. A new kind of action
//! is a new [`Action`] variant, read by a function in the family's module and followed
//! by a mechanism of the walk.
//!
//! This module only describes programs; it never decides anything.

use crate::command::Word;

pub mod builtins;
pub mod command_files;
pub mod data;
pub mod editors;
pub mod environment;
pub mod file_tools;
pub mod git;
pub mod git_editors;
pub mod hooks;
pub mod interpreters;
pub mod listings;
pub mod packages;
pub mod runners;
pub mod shells;
pub mod wrappers;

/// What the walk knows about a program: a row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Program {
    /// The names it runs by, compared with the command's basename.
    pub names: &'static [&'static str],
    /// Whether a version after a name is the same program (`python3.11`, `lua5.4`).
    pub versioned: bool,
    /// Its options that take a value, as its action's reader reads them (empty where
    /// that reader has a grammar of its own: git, find, sed, make, package managers).
    pub options: Options,
    /// What the walk does with it: what it runs, and where in its arguments that is.
    pub action: Action,
    /// What it does with its standard input.
    pub stdin: Input,
    /// Options whose value it runs as a command (`tar --to-command=CMD`).
    pub hooks: &'static [hooks::Hook],
    /// A bash builtin that evaluates arithmetic and array subscripts in its arguments
    /// (`printf -v 'a[$(cmd)]' x`): the substitutions there run.
    pub evaluates: bool,
    /// A bash builtin's arguments that name variables it sets.
    pub assigns: Assigns,
    /// What it deletes, read as an `rm` command the rules judge (`cargo clean
    /// --target-dir DIR` as `rm -rf DIR`, `tar --remove-files`, `rsync --delete`).
    pub removes: Option<file_tools::Removes>,
}

impl Program {
    /// The fields a row leaves out. An action left out is [`Action::CouldRun`], what a
    /// program without a row gets: a row never makes the walk look at less.
    pub const DEFAULT: Program = Program {
        names: &[],
        versioned: false,
        options: Options::NONE,
        action: Action::CouldRun,
        stdin: Input::Data,
        hooks: &[],
        evaluates: false,
        assigns: Assigns::Nothing,
        removes: None,
    };
}

/// A program's options that take a value, for reading where its operands start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Letters of short options that take a value (`-u root`, `-uroot`, the last of a
    /// bundle `-Eu root`).
    pub short: &'static str,
    /// Long options, and options of more than one letter, that take a value.
    pub long: &'static [&'static str],
    /// Options of more than one letter that take none (`screen -ls`), where a reader
    /// would otherwise read them as a bundle of letters.
    pub flags: &'static [&'static str],
    /// Options whose value is the directory it changes to (`env -C DIR`).
    pub chdir: &'static [&'static str],
    /// Options whose value is the command, script or code it runs (`flock -c`, `python
    /// -c`, `env -S`).
    pub command: &'static [&'static str],
    /// Whether `NAME=value` words before its command are assignments (`env`, `sudo`).
    pub assignments: bool,
}

impl Options {
    /// No option takes a value.
    pub const NONE: Options = Options {
        short: "",
        long: &[],
        flags: &[],
        chdir: &[],
        command: &[],
        assignments: false,
    };
}

/// What the walk does with a program: each variant names the reader of its arguments
/// and the walk's mechanism that follows what it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    // Bash builtins that change what the walk knows.
    /// `cd DIR`, `pushd DIR`: the directory changes.
    Cd,
    /// `popd`: the directory becomes unknown.
    Popd,
    /// `shift [N]`: `$1…` move.
    Shift,
    /// `set -- ARGS`: `$1…` are replaced.
    Set,
    /// `alias NAME=VALUE`: NAME now runs VALUE.
    Alias,
    /// `eval ARGS`: the words, joined, are a script run in this shell.
    Eval,
    /// `source FILE`, `. FILE`: a script (from a file, or standard input) run in this
    /// shell.
    Source,
    /// `trap ACTION SIGNAL…`: ACTION runs later.
    Trap,
    /// `export`, `declare`, …: their `NAME=value` arguments are assignments.
    Declare,
    /// `hash -p PATH NAME`: NAME now runs PATH.
    Hash,
    /// `mapfile -C CMD`, `complete -C CMD`, `compgen -W LIST`: callbacks that run.
    Callbacks,
    /// `fc`: re-runs commands from history, only known at run time.
    History,
    /// A word bash's grammar leaves before a command (`time --`, `!`): the rest is the
    /// command, in this shell.
    Prefix,

    // Programs.
    /// Treats its arguments as data: runs nothing of them.
    Data,
    /// Not modelled: what its arguments spell is judged as something it could run.
    CouldRun,
    /// A container engine (`docker run -v HOST:DIR`): as [`Action::CouldRun`], with
    /// paths under a host mount read as the host's.
    Container,
    /// Runs the command its arguments give (after its options, as `operand` says),
    /// and what its arguments could run is judged too.
    Wrapper {
        /// Where the command is.
        operand: wrappers::Operand,
        /// Runs it in this shell (`builtin cd x`, `command cd x`): what it changes stays
        /// changed.
        in_this_shell: bool,
    },
    /// A shell: runs its `-c` script, a script file, or standard input.
    Shell(shells::Grammar),
    /// An interpreter: runs code (`-c CODE`, a program operand, standard input).
    Interpreter(interpreters::Lang),
    /// `xargs`: its operand is a command run with arguments read from standard input.
    Xargs,
    /// `find`: each `-exec … ;` (`-execdir`, `-ok`, `+`) is a command run on results.
    FindExec,
    /// `ssh HOST CMD…`: the words after the destination are a script run remotely.
    Remote,
    /// `watch CMD…`: a script run again and again (`-x`: an argv).
    Watch,
    /// `flock FILE CMD…` or `flock FILE -c SCRIPT`.
    Flock,
    /// `su -c SCRIPT`, `script -c SCRIPT`; with `argv_after_dashdash`, also `runuser -u
    /// USER -- CMD…`.
    CommandOption {
        /// The words after `--` are a command when there is no `-c`.
        argv_after_dashdash: bool,
    },
    /// Runs an argv found in its arguments as `wrappers::Argv` says (`gdb --args`, a
    /// busybox applet, `rimraf` as `rm -rf`).
    Argv(wrappers::Argv),
    /// `sg GROUP -c SCRIPT`, `capsh … -- ARGS` (a bash argv).
    ShellString,
    /// `at TIME`, `batch`: a job (a script) from standard input or `-f FILE`.
    At,
    /// A line editor (`ed`, `ex`, `vim -e`, `dc`): shell escapes in the commands it
    /// reads; otherwise as [`Action::CouldRun`].
    LineEditor(editors::Editor),
    /// GNU sed: the `e` command and the `e` flag of `s` run commands.
    Sed,
    /// make: recipes of the makefile text the walk can see.
    Make,
    /// A runner with a syntax of its own (tmux, screen, GNU parallel), and what its
    /// arguments could run.
    Runner(runners::Runner),
    /// npm and the other package runners: `-c SCRIPT`, package scripts, a package's
    /// program, and what the arguments could run.
    PackageManager,
    /// `cp`, `mv`, `ln`, `install`: the destination now holds what the source holds.
    Copy,
    /// git: global options, aliases, configuration and hooks (walked before the command
    /// is recorded, since git records itself as what its aliases make it).
    Git,
}

/// What a program does with its standard input; a command it runs reads what
/// [`Input`] gives it (see each variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Reads it as data, or not at all; a command it runs reads the script's own
    /// standard input as far as the walk knows (`find -exec`, `watch`, a tmux pane).
    Data,
    /// Runs it as a script or as code when it is given none otherwise (shells, `at`,
    /// interpreters, line editors, `make -f -`); a command it runs reads it too.
    Script,
    /// Reads the commands it runs from it, one a line (`parallel` alone); they do not
    /// read it.
    Commands,
    /// Hands it to the command it runs (`sudo`, `env`, `flock`, a busybox applet).
    Passed,
    /// Reads the arguments of the command it runs from it (`xargs`); the command reads
    /// what is left of it, named by this text.
    Arguments(&'static str),
}

/// Which arguments of a bash builtin name variables it sets: a name only known at run
/// time may be `IFS` or `PWD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assigns {
    /// None.
    Nothing,
    /// Its operands (`read NAME…`, `mapfile NAME`).
    Operands,
    /// The value of `-v` (`printf -v NAME`).
    OptionV,
}

impl Assigns {
    /// The literal names these arguments may set (`read -r NAME`, `printf -v NAME …`);
    /// an option's value may be among them (`read -p PROMPT`).
    pub fn literal_names(self, args: &[Word]) -> Vec<&str> {
        match self {
            Assigns::Nothing => Vec::new(),
            Assigns::Operands => args
                .iter()
                .filter_map(Word::lit)
                .filter(|t| !t.starts_with('-'))
                .collect(),
            Assigns::OptionV => args
                .windows(2)
                .filter(|p| p.first().and_then(Word::lit) == Some("-v"))
                .filter_map(|p| p.get(1).and_then(Word::lit))
                .collect(),
        }
    }

    /// Whether these arguments may set a variable whose name is only known at run time.
    pub fn may_set_unknown(self, args: &[Word]) -> bool {
        match self {
            Assigns::Nothing => false,
            Assigns::Operands => args
                .iter()
                .any(|w| !w.lit().is_some_and(|t| t.starts_with('-') || !t.is_empty())),
            Assigns::OptionV => args.windows(2).any(|p| {
                p.first().and_then(Word::lit) == Some("-v")
                    && p.get(1).and_then(Word::lit).is_none()
            }),
        }
    }
}

/// Every family's rows.
pub const FAMILIES: [&[Program]; 12] = [
    builtins::ROWS,
    builtins::GRAMMAR,
    shells::ROWS,
    wrappers::ROWS,
    runners::ROWS,
    packages::ROWS,
    packages::ENVIRONMENT_RUNNERS,
    interpreters::ROWS,
    git::ROWS,
    file_tools::ROWS,
    editors::ROWS,
    data::ROWS,
];

/// A name and its row.
type Entry = (&'static str, &'static Program);

/// How many names the rows give.
const NAMES: usize = count(&FAMILIES);

/// Every name with its row, sorted by name: built when the crate compiles, so a lookup
/// is a binary search and nothing is built per judgement.
static INDEX: [Entry; NAMES] = index(&FAMILIES);

// A name given to two rows would make the lookup pick one of them: refused at compile
// time.
const _: () = assert!(
    strictly_sorted(&INDEX),
    "a program name is given to two rows"
);

/// The row of a program, by its basename: its own row; for `git-push` (git's own
/// commands under their `git-` names) git's; for `python3.11` the row of `python` when
/// that row is versioned; else the row of a program without a model.
pub fn lookup(base: &str) -> &'static Program {
    if let Some(program) = find(base) {
        return program;
    }
    if let Some(program) = git::by_command_name(base) {
        return program;
    }
    let unversioned = base.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    if unversioned.len() < base.len()
        && let Some(program) = find(unversioned).filter(|p| p.versioned)
    {
        return program;
    }
    &UNKNOWN
}

/// A program without a row.
const UNKNOWN: Program = Program::DEFAULT;

/// The row that gives exactly this name.
fn find(name: &str) -> Option<&'static Program> {
    let at = INDEX.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
    INDEX.get(at).map(|(_, program)| *program)
}

/// Literal words, split at blanks: arguments for tests.
#[cfg(test)]
pub(crate) fn lits(s: &str) -> Vec<Word> {
    s.split_whitespace()
        .map(|w| Word::Lit(w.to_string()))
        .collect()
}

/// Paths that name standard input (`bash /dev/stdin <<< …`).
pub fn is_stdin_path(path: &str) -> bool {
    matches!(path, "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
}

/// Environment variables whose value programs run as a command (git, pagers, editors,
/// ssh, bash's prompts): as a shell command line, except [`PROGRAM_VARIABLES`].
pub const COMMAND_VARIABLES: [&str; 26] = [
    "GIT_SSH",
    "MANPAGER",
    "LESSOPEN",
    "LESSCLOSE",
    "BROWSER",
    "SUDO_EDITOR",
    "FCEDIT",
    "SSH_ASKPASS",
    "RSYNC_RSH",
    "SYSTEMD_PAGER",
    "GIT_PROXY_COMMAND",
    "PS0",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "GIT_PAGER",
    "PAGER",
    "GIT_EDITOR",
    "EDITOR",
    "VISUAL",
    "GIT_SSH_COMMAND",
    "GIT_SEQUENCE_EDITOR",
    "GIT_EXTERNAL_DIFF",
    "GIT_ASKPASS",
    "PROMPT_COMMAND",
];

/// Command variables whose value is one program's path, run without a shell
/// (`GIT_SSH=/tmp/x` runs `/tmp/x HOST CMD`; spaces are part of the name): git's ssh,
/// the compiler and wrappers cargo runs, the shell npm runs package scripts with.
const PROGRAM_VARIABLES: [&str; 9] = [
    "GIT_SSH",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTDOC",
    "CARGO_BUILD_RUSTC",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "npm_config_script_shell",
    "NPM_CONFIG_SCRIPT_SHELL",
];

/// Whether programs run the value of the variable `name` as a command: the
/// [`COMMAND_VARIABLES`], the [`PROGRAM_VARIABLES`], and cargo's per-target runners and
/// linkers (`CARGO_TARGET_<TRIPLE>_RUNNER`, a command line cargo splits at spaces).
pub fn is_command_variable(name: &str) -> bool {
    COMMAND_VARIABLES.contains(&name)
        || PROGRAM_VARIABLES.contains(&name)
        || (name.starts_with("CARGO_TARGET_")
            && (name.ends_with("_RUNNER") || name.ends_with("_LINKER")))
}

/// The command line in a command-valued variable: less's input preprocessors are written
/// `|cmd %s`, `||cmd %s` or `|-cmd`; a program path is quoted as one word.
pub fn command_value<'v>(name: &str, value: &'v str) -> std::borrow::Cow<'v, str> {
    if name.starts_with("LESS") {
        value.trim_start_matches(['|', '-']).into()
    } else if PROGRAM_VARIABLES.contains(&name) {
        format!("'{}'", value.replace('\'', r"'\''")).into()
    } else {
        value.into()
    }
}

// The index is built by `const fn`s, with slice patterns and `split_at_checked` rather
// than indexing: nothing here can fail at run time.

/// How many names the rows of `families` give.
const fn count(families: &[&[Program]]) -> usize {
    let mut n = 0;
    let mut rest = families;
    while let [rows, more @ ..] = rest {
        let mut rows: &[Program] = rows;
        while let [row, others @ ..] = rows {
            n += row.names.len();
            rows = others;
        }
        rest = more;
    }
    n
}

/// Every name of `families` with its row, sorted by name.
const fn index<const N: usize>(families: &[&'static [Program]]) -> [Entry; N] {
    let mut out = entries(families);
    heapsort(&mut out);
    out
}

/// Every name of `families` with its row, in the rows' order.
const fn entries<const N: usize>(families: &[&'static [Program]]) -> [Entry; N] {
    let mut out: [Entry; N] = [("", &UNKNOWN); N];
    let mut slots: &mut [Entry] = &mut out;
    let mut rest = families;
    while let [rows, more @ ..] = rest {
        let mut rows: &'static [Program] = rows;
        while let [row, others @ ..] = rows {
            let mut names = row.names;
            while let [name, tail @ ..] = names {
                if let [slot, free @ ..] = slots {
                    *slot = (name, row);
                    slots = free;
                }
                names = tail;
            }
            rows = others;
        }
        rest = more;
    }
    out
}

/// The names of `rows`, in their order.
pub(crate) const fn names<const N: usize>(rows: &'static [Program]) -> [&'static str; N] {
    let entries: [Entry; N] = entries(&[rows]);
    let mut out: [&'static str; N] = [""; N];
    let mut slots: &mut [&'static str] = &mut out;
    let mut rest: &[Entry] = &entries;
    while let ([(name, _), more @ ..], [slot, free @ ..]) = (rest, slots) {
        *slot = name;
        rest = more;
        slots = free;
    }
    out
}

/// Whether `a` sorts before `b`, byte by byte (as `str`'s `Ord` does).
const fn before(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a, b) {
            ([x, xs @ ..], [y, ys @ ..]) => {
                if *x != *y {
                    return *x < *y;
                }
                a = xs;
                b = ys;
            }
            ([], [_, ..]) => return true,
            _ => return false,
        }
    }
}

/// The name of the `i`th entry.
const fn name_at(entries: &[Entry], i: usize) -> &'static str {
    match entries.split_at_checked(i) {
        Some((_, [(name, _), ..])) => name,
        _ => "",
    }
}

/// Sorts entries by name (heapsort: in place, and few steps for the compiler).
const fn heapsort(entries: &mut [Entry]) {
    let n = entries.len();
    let mut start = n / 2;
    while start > 0 {
        start -= 1;
        sift_down(entries, start, n);
    }
    let mut end = n;
    while end > 1 {
        end -= 1;
        entries.swap(0, end);
        sift_down(entries, 0, end);
    }
}

/// Moves the entry at `root` down the heap of the first `end` entries.
const fn sift_down(entries: &mut [Entry], mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && before(name_at(entries, child), name_at(entries, child + 1)) {
            child += 1;
        }
        if !before(name_at(entries, root), name_at(entries, child)) {
            return;
        }
        entries.swap(root, child);
        root = child;
    }
}

/// Whether every name sorts strictly after the one before it: sorted, and no name twice.
const fn strictly_sorted(entries: &[Entry]) -> bool {
    let mut rest = entries;
    while let [(a, _), (b, _), ..] = rest {
        if !before(a, b) {
            return false;
        }
        if let [_, more @ ..] = rest {
            rest = more;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of every family. (Rows are told apart by their names: a `const`'s
    /// rows may be copied, so their addresses are not theirs.)
    fn rows() -> impl Iterator<Item = &'static Program> {
        FAMILIES.iter().flat_map(|family| family.iter())
    }

    #[test]
    fn every_name_resolves_to_its_own_row() {
        for row in rows() {
            assert!(!row.names.is_empty(), "a row without a name: {row:?}");
            for name in row.names {
                assert!(!name.is_empty() && !name.contains('/'), "bad name `{name}`");
                assert_eq!(lookup(name).names, row.names, "`{name}` finds another row");
            }
        }
    }

    #[test]
    fn a_version_after_a_name_is_the_same_program_only_for_versioned_rows() {
        assert_eq!(lookup("python3.11").action, lookup("python").action);
        assert_eq!(lookup("lua5.4").action, lookup("lua").action);
        assert_eq!(lookup("sed4").action, Action::CouldRun);
        assert_eq!(lookup("sudo2").action, Action::CouldRun);
        // No other row's name reads as a versioned row's name with a version.
        for row in rows() {
            for name in row.names {
                let unversioned = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
                if unversioned != *name
                    && let Some(other) = find(unversioned)
                {
                    assert!(
                        !other.versioned,
                        "`{name}` reads as a version of `{unversioned}`"
                    );
                }
            }
        }
    }

    #[test]
    fn programs_without_a_row_could_run_their_arguments() {
        assert_eq!(lookup("no-such-program").action, Action::CouldRun);
        assert_eq!(lookup("git-push").action, Action::Git);
        assert_eq!(lookup("git-no-such-command").action, Action::CouldRun);
    }

    #[test]
    fn bash_builtins_are_the_builtin_rows() {
        for name in builtins::BASH_BUILTINS {
            assert!(
                builtins::ROWS
                    .iter()
                    .any(|row| lookup(name).names == row.names),
                "`{name}`"
            );
        }
        assert!(!builtins::BASH_BUILTINS.contains(&"--"));
    }

    #[test]
    fn option_tables_are_consistent() {
        for row in rows() {
            let o = &row.options;
            let takes_value = |opt: &str| {
                o.long.contains(&opt)
                    || opt
                        .strip_prefix('-')
                        .is_some_and(|l| l.len() == 1 && o.short.contains(l))
            };
            for opt in o.long.iter().chain(o.flags) {
                assert!(opt.starts_with('-'), "{:?}: `{opt}`", row.names);
            }
            for opt in o.chdir {
                assert!(takes_value(opt), "{:?}: `{opt}` takes no value", row.names);
            }
            for opt in o.flags {
                assert!(!o.long.contains(opt), "{:?}: `{opt}` both ways", row.names);
            }
        }
    }

    #[test]
    fn rows_say_what_the_commands_they_run_read() {
        for row in rows() {
            match row.action {
                Action::Wrapper { .. } | Action::Flock | Action::Argv(_) => {
                    assert_eq!(row.stdin, Input::Passed, "{:?}", row.names)
                }
                Action::Shell(_) | Action::Interpreter(_) => {
                    assert_eq!(row.stdin, Input::Script, "{:?}", row.names)
                }
                Action::Xargs => assert!(matches!(row.stdin, Input::Arguments(_))),
                _ => {}
            }
            assert_eq!(
                row.versioned,
                matches!(row.action, Action::Interpreter(_)),
                "{:?}",
                row.names
            );
        }
    }
}
