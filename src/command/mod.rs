//! From a script to every simple command bash could run.
//!
//! [`analyze`] parses with a real bash grammar (brush-parser), walks every list, pipeline,
//! compound command, function body and substitution, expands each word the way bash would
//! where it is literal (quote removal, escapes, `$'…'`), and marks it unknown where it is
//! not. It then unwraps wrappers (`env`, `sudo`, `timeout`, …), recurses into literal
//! nested scripts (`bash -c '…'`, `eval '…'`, heredocs fed to shells, `xargs`, `find
//! -exec`, git `!` aliases), and normalises git's global options.
//!
//! The walk over bash's grammar (`walk`, `expand`, `heredoc`, `repair`) is kept apart
//! from knowledge about programs, which is data in `programs`: a row per program (its
//! names, the options that take a value, what it runs and where in its arguments that
//! is, what it does with standard input, the options whose value it runs), grouped by
//! family — `builtins`, `shells`, `wrappers`, `runners`, `packages`, `interpreters`,
//! `git`, `file_tools`, `editors`, `data`. The walk looks each simple command's program
//! up once and follows its row's action with a generic mechanism (a nested script, a
//! wrapped command, an `xargs`- or `find -exec`-like run, …); adding a program is adding
//! a row. Beside them, `bash_argv` reads bash's own command line (shared with shell
//! mode), `interp` reads the code given to interpreters, and `files` follows files the
//! script writes, then runs.
//!
//! This module never decides anything: it only reports what would run. It must never
//! lose a command — anything it cannot see through is reported as dynamic.

use std::path::PathBuf;

/// One word of a simple command after expansion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Word {
    /// Fully known: exactly one field with this text.
    Lit(String),
    /// Unquoted glob characters: bash may replace it with 0..n file names, or keep the text
    /// as it is when nothing matches.
    Glob(String),
    /// Its value is only known when it runs (`$x`, `$(…)`, `~user`…). `split` is true when
    /// it is unquoted, so it may become any number of fields (even none). `text` is the
    /// source text for messages.
    Unknown {
        /// Source text of the word, for display.
        text: String,
        /// Whether the expansion may produce zero or several fields.
        split: bool,
        /// What is known of its value, as an fnmatch pattern: literal parts escaped,
        /// unknown parts as `*` (`"$TMP/build"` is `*/build`). `*` when nothing is known.
        /// For a word that may split, the shape of each field (the names a listing
        /// prints, `$(find src -name '*.rs')`: `src/**.rs`), else `*`.
        pattern: String,
        /// Known besides the pattern: no value lies in a `.git` directory or is one (a
        /// `find . -name __pycache__` result when no git directory holds such a name).
        outside_git: bool,
        /// Known besides the pattern: it names only files that exist when the command
        /// runs (a listing's names, a glob loop's values), so no value lies in a
        /// directory that does not exist.
        existing: bool,
        /// Known besides the pattern: it names only files git tracks (what `git
        /// ls-files` or `git diff --name-only` prints), never an ignored `.env`.
        tracked: bool,
    },
}

impl Word {
    /// An unknown word of which nothing is known.
    pub fn unknown(text: impl Into<String>, split: bool) -> Word {
        Word::Unknown {
            text: text.into(),
            split,
            pattern: "*".to_string(),
            outside_git: false,
            existing: false,
            tracked: false,
        }
    }

    /// The literal text, when the word is fully known.
    pub fn lit(&self) -> Option<&str> {
        match self {
            Word::Lit(s) => Some(s),
            _ => None,
        }
    }

    /// Text for display: the literal value, or the source text of an unknown word.
    pub fn display(&self) -> &str {
        match self {
            Word::Lit(s) | Word::Glob(s) => s,
            Word::Unknown { text, .. } => text,
        }
    }

    /// Whether this word may expand to a number of fields other than one.
    pub fn may_split(&self) -> bool {
        matches!(self, Word::Glob(_) | Word::Unknown { split: true, .. })
    }
}

/// The directory a command runs in, relative to the directory the script starts in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Dir {
    /// The starting directory.
    #[default]
    Start,
    /// A literal path: absolute, or relative to the starting directory.
    Path(PathBuf),
    /// Changed to something only known at run time (`cd "$x"`, `cd -`).
    Unknown,
}

/// How a simple command was reached; used to explain and to lift decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Run directly by the script (possibly nested in shells, substitutions, wrappers).
    Direct,
    /// A string literal inside interpreter code (`python -c`, `node -e`…) that reads as a
    /// shell command: a deny or request match there makes the whole command a request.
    InterpreterString,
    /// Words in the arguments of a program not known to treat them as data, which read
    /// as a command it could run (`unknown-runner git push --force`): like an
    /// interpreter string, a deny or request match there asks a human.
    CouldRun,
    /// Words a container could run (`docker run -v HOST:CTR IMAGE CMD`), with paths
    /// under a host mount read as the host's files: like [`Via::CouldRun`], and path
    /// rules judge them (a refused write through a mount asks a human).
    Container,
}

/// Whether a redirection reads or writes its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedirectAccess {
    /// `<`, `<&file`.
    Read,
    /// `>`, `>>`, `>|`, `&>`, `n>`, `<>` (opened for writing, created or truncated).
    Write,
}

/// A file a redirection opens around a simple command: on the command itself, on a
/// compound command or function body that contains it, or on a shell that runs it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Redirect {
    /// The file operand, expanded as far as it is literal.
    pub target: Word,
    /// Read or write.
    pub access: RedirectAccess,
    /// The directory the redirection is opened in (that of the command or compound
    /// command it is written on, before any `cd` inside it).
    pub dir: Dir,
    /// The operator as written (`>`, `2>>`, `&>`, `<`), for `explain`.
    pub operator: String,
    /// When the target is one quoted variable (`"$F"`, `"${F}/x"`): which, and where in
    /// the walk. The walk replaces the target with the variable's value when the script
    /// assigns it a literal exactly once, unconditionally, before this point (Claude
    /// Code's snapshot script writes `"$SNAPSHOT_FILE"`).
    pub variable: Option<VarRef>,
}

/// A variable a redirection target names (see [`Redirect::variable`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VarRef {
    /// The variable's name.
    pub name: String,
    /// Literal text after it inside the quotes (`/x` in `"$F/x"`).
    pub tail: String,
    /// The position of the redirection in the walk (simple commands walked before it).
    pub at: usize,
}

/// One simple command that bash could execute, after unwrapping and normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// The argv: program first. Git global options are already removed.
    pub words: Vec<Word>,
    /// Where it runs (for predicates).
    pub dir: Dir,
    /// Why this command is dynamic (the program cannot be known before it runs), if it is.
    pub dynamic: Option<String>,
    /// How it was reached.
    pub via: Via,
    /// A nested script here does not parse (`bash -c 'if true; then'`): denied, as a
    /// top-level script that does not parse is.
    pub parse_error: Option<String>,
    /// The chain of frames that led here, outermost first, for `explain`
    /// (e.g. `["bash -c", "sudo"]`).
    pub frames: Vec<String>,
    /// Files opened by redirections around it (for path rules), innermost last.
    pub redirects: Vec<Redirect>,
    /// Run by `find -exec`/`-execdir`: what its `{}` stands for.
    pub find_results: Option<FindResults>,
    /// A command before it in the script may have created or changed files (an operand
    /// or redirection it writes): names that exist when this one runs (a glob,
    /// what `find` lists) may be files the script made, not only those in the tree now.
    pub fresh_files: bool,
}

/// What `find` hands an `-exec` command as `{}`: an entry at or below one of its
/// starting points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindResults {
    /// The starting points, when every one is literal (else empty).
    pub roots: Vec<String>,
    /// The directory `find` runs in (the starting points are relative to it).
    pub dir: Dir,
    /// Whether a name test (`-name`, `-path`, `-regex`, …) that every result must pass
    /// comes before the command: then the results are some entries, not all of them.
    pub narrowed: bool,
    /// The `-name` patterns among those tests (a result's last component matches one
    /// of each set).
    pub names: Vec<Vec<String>>,
    /// The repository's git directory (absolute) when a starting point holds it and the
    /// tests do not keep the results out of it: a write to `{}` may write there.
    pub git_dir: Option<String>,
}

impl SimpleCommand {
    /// The command as one line, words joined by spaces, for messages.
    pub fn text(&self) -> String {
        let parts: Vec<&str> = self.words.iter().map(Word::display).collect();
        parts.join(" ")
    }

    /// The program name compared by basename (`/usr/bin/git` is `git`), when literal.
    pub fn program(&self) -> Option<&str> {
        let first = self.words.first()?.lit()?;
        Some(first.rsplit('/').next().unwrap_or(first))
    }
}

/// Everything a script would run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysis {
    /// Every simple command, in source order (nested ones after their parent).
    pub commands: Vec<SimpleCommand>,
}

/// A script that does not parse as bash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("script does not parse as bash: {message}")]
pub struct ParseError {
    /// What the parser reported.
    pub message: String,
}

pub mod bash_argv;
mod computed;
mod expand;
mod files;
mod heredoc;
mod interp;
pub(crate) mod programs;
mod repair;
mod walk;

pub use programs::builtins::BASH_BUILTINS;
pub use programs::shells;

pub use walk::{analyze, analyze_as, analyze_with};
