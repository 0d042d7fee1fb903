//! The walk over a parsed script: every place bash can run a simple command.
//!
//! The walker keeps a small [`Scope`] per branch of execution (directory after literal
//! `cd`s, literal `$0 $1 …`, the frames that led here) and hands every simple command to
//! [`Walker::dispatch`], which records it, looks its program up in the table of programs
//! (`programs`) and follows the row's action: wrappers, nested shells, `eval`, `xargs`,
//! `find -exec`, `ssh`, interpreters, git aliases.
//!
//! This file walks bash's grammar: lists, pipelines, compound commands, function
//! bodies, words and nested scripts. Beside it, `redirects` and `vars` follow
//! redirections and variables, `dispatch` takes each simple command, `builtins` follows
//! the builtins that change what the walk knows (`cd`, `set`, `eval`, …), and `actions`
//! and `git` follow the programs that run other commands. None of them knows a program
//! by name: what a program's options are and where what it runs is in its arguments is
//! read by `programs`; the walk only follows it.
//!
//! SECURITY: whenever the walker cannot see what a construct will run, it records a
//! *dynamic* command instead of dropping it. Losing a command is the one bug this module
//! must never have.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use brush_parser::ast;

use super::expand::{self, Expanded, Inner, Positionals};
use super::files;
use super::heredoc;
use super::programs::{self, Action, file_tools, interpreters, shells};
use super::{Analysis, Dir, FindResults, ParseError, Redirect, SimpleCommand, Via, Word};
use crate::git::RepoState;

mod actions;
mod builtins;
mod dispatch;
mod git;
mod redirects;
mod vars;

use redirects::{output_targets, path_redirects, piped_output};
use vars::is_name;

/// `~+[/…]`, `"$PWD[/…]"`, `"${PWD}"[/…]`, `"$PWD"/…` with a plain literal tail (the
/// capture).
static WORKING_DIR_WORD: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(
    || {
        regex::Regex::new(
            r#"^(?:~\+((?:/[A-Za-z0-9._@%+=:,-]*)*)|"\$(?:PWD|\{PWD\}|\(pwd\))((?:/[A-Za-z0-9._@%+=:, -]*)*)"|"\$(?:PWD|\{PWD\}|\(pwd\))"((?:[/:][A-Za-z0-9._@%+=:,-]*)*))$"#,
        )
        .ok()
    },
);

/// The script's text without quote characters and backslashes: a name the script sets
/// can be spelled with quoting inside it (`declare I""FS=…`, `shopt -s nocase\glob`),
/// and the checks for `IFS`, `PWD` and `nocaseglob` read this text.
fn without_quotes(script: &str) -> std::borrow::Cow<'_, str> {
    if script.contains(['"', '\'', '\\']) {
        std::borrow::Cow::Owned(script.replace(['"', '\'', '\\'], ""))
    } else {
        std::borrow::Cow::Borrowed(script)
    }
}

/// Whether a script names `PWD` other than by expanding it (`PWD=/`, `read PWD`, `for
/// PWD in …`, `OLDPWD`).
fn names_pwd(script: &str) -> bool {
    script.match_indices("PWD").any(|(at, _)| {
        let before = script.get(..at).unwrap_or("");
        !(before.ends_with('$') || before.ends_with("${"))
    })
}

/// At most this many nested scripts are parsed per analysis; beyond, dynamic.
const MAX_WORK: usize = 4096;

/// A loop that changes `$1…` is walked with the values of at most this many passes
/// before they count as unknown.
const MAX_LOOP_PASSES: usize = 8;

/// Nested scripts deeper than this are not analysed further (and are dynamic).
const MAX_DEPTH: usize = 24;

/// Where a command's standard input comes from, as far as a shell reading it cares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stdin {
    /// Whatever the script's own stdin is.
    Inherit,
    /// A literal text (heredoc, here-string, `echo 'x' |`).
    Literal(String),
    /// A file redirect: like running a script file.
    File,
    /// Only known at run time (a download, a variable…).
    Dynamic(String),
}

/// What is known at one point of execution.
#[derive(Debug, Clone)]
struct Scope {
    dir: Dir,
    /// Set when GIT_DIR, GIT_WORK_TREE, GIT_CONFIG_*, HOME or XDG_CONFIG_HOME was changed:
    /// git then finds its repository or configuration elsewhere. Holds the reason.
    git_env: Option<String>,
    /// Walking a function body at its definition: `$1…` are the caller's arguments.
    in_function: bool,
    positionals: Positionals,
    frames: Vec<String>,
    via: Via,
    /// Files opened by redirections on the compound commands, function bodies and
    /// commands around this point: every command run inside opens them too.
    redirects: Vec<Redirect>,
    /// Inside a branch, loop, subshell, pipeline or after `&&`/`||`: an assignment here
    /// may not happen (or not in this shell).
    conditional: bool,
    /// Inside a `find -exec` command: what `{}` stands for.
    find_results: Option<FindResults>,
    /// The shell running this is a POSIX shell (dash), walked as its own reading of the
    /// script ([`shells::posix_reading`]): text it parses later in the same shell
    /// (`eval`, `trap`, `source`, an executed file without `#!`) is read that way too.
    posix: bool,
    /// The `echo` of the shell running these commands (dash's decodes backslashes).
    echo: files::Echo,
    /// Set when a declaration builtin gave a variable whose name is only known at run
    /// time a value (`export $(grep -v '^#' .env | xargs)`): it may be PATH,
    /// LD_PRELOAD or GIT_SSH_COMMAND, so every program run after it runs with an
    /// environment only known then. Holds the word.
    env_unknown: Option<String>,
    /// Inside a container: its host mounts (host path when known, container path). A
    /// path under one is the host file it names (`/h/root` with `-v /:/h` is `/root`).
    mounts: Vec<(Option<String>, String)>,
}

/// An editor the script names for git: where, the value's text, and what it may do to
/// a rebase's todo list.
#[derive(Debug, Clone)]
struct TodoEditor {
    name: String,
    text: String,
    traits: EditorTraits,
}

/// What an editor may do to a rebase's todo list.
#[derive(Debug, Clone, Copy)]
struct EditorTraits {
    /// It keeps every line a command that runs nothing
    /// ([`programs::git_editors::keeps_todo_commands`]).
    keeps: bool,
    /// It reads what to do from its standard input
    /// ([`programs::git_editors::reads_input`]).
    reads_input: bool,
    /// It rewrites lines by a script of its own (sed), `exec` lines included.
    rewrites: bool,
}

impl EditorTraits {
    /// A value only known at run time, or not one simple command: anything.
    const UNKNOWN: EditorTraits = EditorTraits {
        keeps: false,
        reads_input: true,
        rewrites: true,
    };
}

/// How a file the script wrote is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunFile {
    /// Executed (`./f`): the kernel honours its `#!` line.
    Exec,
    /// Given to a shell (`bash f`, `sh f`, `at -f f`): read as a script, `#!` and all.
    Shell,
    /// Sourced (`. f`, `source f`): read as a script by this shell.
    Source,
}

/// Parses `script` with bash's grammar and lists every simple command it could run.
///
/// `start` is the directory the script starts in; `repo` answers git alias look-ups.
pub fn analyze(script: &str, start: &Path, repo: &dyn RepoState) -> Result<Analysis, ParseError> {
    analyze_with(script, start, repo, None)
}

/// [`analyze`] with known `$0 $1 …` (from `bash -c SCRIPT NAME ARG…`).
pub fn analyze_with(
    script: &str,
    start: &Path,
    repo: &dyn RepoState,
    positionals: Positionals,
) -> Result<Analysis, ParseError> {
    analyze_in(script, start, repo, positionals, false, files::Echo::Bash)
}

/// [`analyze_with`]; `posix` when the script is a POSIX shell's own reading (see
/// [`Scope::posix`]), `echo` the `echo` builtin of the shell that runs it.
fn analyze_in(
    script: &str,
    start: &Path,
    repo: &dyn RepoState,
    positionals: Positionals,
    posix: bool,
    echo: files::Echo,
) -> Result<Analysis, ParseError> {
    // See `heredoc`: mask quoted heredoc bodies for the parser, and keep the result only
    // if every mark was found inside a heredoc body.
    if let Some((masked, placed)) = heredoc::mask(script)
        && let Ok(analysis) = analyze_parsed(
            &masked,
            start,
            repo,
            positionals.clone(),
            Some(placed),
            posix,
            echo,
        )
    {
        return Ok(analysis);
    }
    analyze_parsed(script, start, repo, positionals, None, posix, echo)
}

/// [`analyze_with`] for a script that the shell `shell` runs itself (shell mode's own
/// `-c` script or script file, installed as `sh`/`dash`).
///
/// SECURITY: the shells that read POSIX quoting only (dash) take `$'…'` as a `$` before a
/// plain quote: `$'\' ; cmd '` is one word to bash and runs `cmd` in dash; zsh runs
/// `=rm` as rm. Such a script is read both ways ([`shells::own_reading`]) and what either
/// reading runs is listed; a second reading that does not parse is a script that cannot
/// be judged (denied), as for nested `sh -c`.
pub fn analyze_as(
    script: &str,
    start: &Path,
    repo: &dyn RepoState,
    positionals: Positionals,
    shell: &str,
) -> Result<Analysis, ParseError> {
    let echo = shells::echo_of(shell);
    let mut analysis = analyze_in(script, start, repo, positionals.clone(), false, echo)?;
    if let Some((own, label)) = shells::own_reading(shell, script) {
        let posix = shells::posix_quoting(shell);
        let reading =
            analyze_in(&own, start, repo, positionals, posix, echo).map_err(|e| ParseError {
                message: format!("read as `{shell}` reads it ({label}): {}", e.message),
            })?;
        let frame = format!("{shell} ({label})");
        analysis
            .commands
            .extend(reading.commands.into_iter().map(|mut c| {
                c.frames.insert(0, frame.clone());
                c
            }));
    }
    Ok(analysis)
}

/// Whether a script (without its quotes) may turn on `dotglob`: it names the option, or
/// `GLOBIGNORE`, whose being set turns it on.
fn names_dot_glob(bare: &str) -> bool {
    bare.contains("dotglob") || bare.contains("GLOBIGNORE")
}

/// Parses and walks; with `marks`, fails unless exactly that many heredoc marks were met
/// inside heredoc bodies.
fn analyze_parsed(
    script: &str,
    start: &Path,
    repo: &dyn RepoState,
    positionals: Positionals,
    marks: Option<usize>,
    posix: bool,
    echo: files::Echo,
) -> Result<Analysis, ParseError> {
    let program = parse(script)?;
    let bare = without_quotes(script);
    let positionals = without_ifs(&bare, positionals);
    let mut walker = Walker {
        start,
        repo,
        out: Vec::new(),
        aliases: HashMap::new(),
        script_git_aliases: HashMap::new(),
        script_git_config: HashMap::new(),
        todo_editors: Vec::new(),
        depth: 0,
        work: 0,
        expanding: Vec::new(),
        moving_functions: Vec::new(),
        functions: HashMap::new(),
        ifs_may_change: bare.contains("IFS"),
        stdin_may_be_redirected: bare.contains(['|', '<']) || bare.contains("exec"),
        pwd_may_change: names_pwd(&bare),
        nocase_glob: bare.contains("nocaseglob"),
        dot_glob: names_dot_glob(&bare),
        glob_star: bare.contains("globstar"),
        xpg_echo: bare.contains("xpg_echo"),
        for_plain: HashMap::new(),
        numeric: HashMap::new(),
        cdpath_set: false,
        heredoc_marks: 0,
        files: files::Files::default(),
        package_scripts: HashMap::new(),
        seq: 0,
        var_events: HashMap::new(),
        fresh: HashMap::new(),
        piped_listing: None,
        loop_shapes: HashMap::new(),
        sourced: None,
        wrote_files: false,
        ignores_changed: false,
        env_filtered: false,
        shell_traces: false,
        text: script,
    };
    let mut scope = Scope {
        dir: Dir::Start,
        git_env: None,
        in_function: false,
        positionals,
        frames: Vec::new(),
        via: Via::Direct,
        redirects: Vec::new(),
        conditional: false,
        find_results: None,
        posix,
        echo,
        env_unknown: None,
        mounts: Vec::new(),
    };
    walker.heredoc_hazard(script, &scope);
    walker.program(&program, &mut scope);
    // A mark in any word means masking touched something that was not a heredoc body.
    let leaked = walker.out.iter().any(|c| {
        c.words.iter().any(|w| match w {
            Word::Lit(t) | Word::Glob(t) => t.chars().any(heredoc::is_mark),
            Word::Unknown { pattern, .. } => pattern.chars().any(heredoc::is_mark),
        })
    });
    if let Some(expected) = marks
        && (walker.heredoc_marks != expected || leaked)
    {
        return Err(ParseError {
            message: "heredoc masking disagreed with the parser".into(),
        });
    }
    walker.known_redirect_variables(script);
    Ok(Analysis {
        commands: walker.out,
    })
}

/// Scripts whose brackets nest deeper than this are refused before parsing: the parser
/// recurses per level, and a stack overflow would abort instead of failing closed.
const MAX_NESTING: usize = 256;

/// The deepest nesting of `(`, `{` and `[` in the text (quotes not considered, which only
/// over-counts).
fn nesting_depth(script: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in script.chars() {
        match c {
            '(' | '{' | '[' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The deepest nesting of compound-command keywords (`if`…`fi`, `while`/`until`/`for`/
/// `select`…`done`, `case`…`esac`), counted over every word, quoted or not. The parser
/// recurses per level of these too.
fn keyword_depth(script: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let (text, _) = super::repair::heredoc_bodies(script);
    let words = text.split(|c: char| c.is_whitespace() || ";&|()<>`\"'".contains(c));
    for word in words {
        match word {
            "if" | "while" | "until" | "for" | "select" | "case" => {
                depth += 1;
                max = max.max(depth);
            }
            "fi" | "done" | "esac" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Parses a script into brush's AST.
fn parse(script: &str) -> Result<ast::Program, ParseError> {
    // SECURITY: a stack overflow aborts instead of failing closed (and a hook that dies
    // lets the harness run the command), so pathological nesting is refused up front.
    if nesting_depth(script) + keyword_depth(script) > MAX_NESTING {
        return Err(ParseError {
            message: format!(
                "brackets and compound commands nest deeper than {MAX_NESTING} levels"
            ),
        });
    }
    let first = parse_text(script);
    if first.is_ok() {
        return first;
    }
    // Constructs bash accepts and brush-parser refuses: see `repair`.
    for candidate in super::repair::candidates(script) {
        if let Ok(program) = parse_text(&candidate) {
            return Ok(program);
        }
    }
    first
}

fn parse_text(script: &str) -> Result<ast::Program, ParseError> {
    let options = brush_parser::ParserOptions::default();
    let mut parser =
        brush_parser::Parser::new(std::io::BufReader::new(script.as_bytes()), &options);
    parser.parse_program().map_err(|e| ParseError {
        message: e.to_string(),
    })
}

struct Walker<'a> {
    start: &'a Path,
    repo: &'a dyn RepoState,
    out: Vec<SimpleCommand>,
    /// Aliases defined in the script: name → value (None when not literal).
    aliases: HashMap<String, Option<String>>,
    /// Git aliases set by `git config alias.…` earlier in the script.
    script_git_aliases: HashMap<String, String>,
    /// Other git configuration set by `git config KEY VALUE` earlier in the script.
    script_git_config: HashMap<String, String>,
    /// Editors the script names for git (`GIT_SEQUENCE_EDITOR=…`, `git -c core.editor=…`,
    /// `git config sequence.editor …`), for an interactive rebase's todo list.
    todo_editors: Vec<TodoEditor>,
    depth: usize,
    /// Nested scripts parsed so far: bounded, so alias or eval bombs end (as dynamic)
    /// instead of hanging.
    work: usize,
    /// Aliases being expanded: bash does not expand an alias inside its own expansion.
    expanding: Vec<String>,
    /// Functions whose body changes the directory: after a call it is unknown.
    moving_functions: Vec<String>,
    /// Function bodies defined in the script, for walking them again at each call.
    functions: HashMap<String, ast::FunctionBody>,
    /// Whether the script sets `CDPATH`: a relative `cd` may then go anywhere.
    cdpath_set: bool,
    /// Whether the script may change `IFS` (names it, or assigns a variable whose name is
    /// only known at run time): then `$1` in a function is not split the default way.
    ifs_may_change: bool,
    /// The script may give its commands an input of its own where the walk sees them
    /// inherit the script's (`exec <keys`, a pipe into a function or a nested shell):
    /// an interactive editor may then be driven by it.
    stdin_may_be_redirected: bool,
    /// Whether the script may set `PWD` itself (names it other than as `$PWD`, or sets a
    /// variable whose name is only known at run time): then `~+` and `"$PWD"` are not
    /// the directory the walk follows.
    pwd_may_change: bool,
    /// Whether the script may turn on `nocaseglob`: a glob may then match names in any
    /// case (`.GI[T]` matches `.git`), so what is known of its shape does not hold.
    nocase_glob: bool,
    /// Whether the script may turn on `dotglob` or set `GLOBIGNORE` (which turns it on):
    /// a wildcard leading a component may then match a leading `.` (`?git` is `.git`).
    dot_glob: bool,
    /// Whether the script may turn on `globstar`: a `**` component may then match any
    /// number of directories.
    glob_star: bool,
    /// Variables of `for NAME in …` loops, with whether every list walked was plain
    /// literal words (no `[`, `$` or backquote): such a value is harmless to evaluate.
    for_plain: HashMap<String, bool>,
    /// Variables every assignment the walk saw gave a number (`i=0`, `i=$((i+1))`,
    /// `n=$(… | wc -l)`): `false` once one did not.
    numeric: HashMap<String, bool>,
    /// Whether the script may turn on `xpg_echo`: bash's `echo` then decodes backslash
    /// escapes as dash's does, so what it prints with a backslash is not known.
    xpg_echo: bool,
    /// Masked characters met inside heredoc bodies (see `heredoc`).
    heredoc_marks: usize,
    /// Files this script wrote (or copied), for running them later (see `files`).
    files: files::Files,
    /// Package scripts the script defined (`npm pkg set scripts.x=…`).
    package_scripts: HashMap<String, Word>,
    /// Simple commands walked so far: the position of assignments and redirections.
    seq: usize,
    /// Every assignment of each variable, in walk order: (position, the literal value
    /// when it is certain to happen in this shell, else `None`).
    var_events: HashMap<String, Vec<(usize, Option<String>)>>,
    /// Variables holding the path `mktemp` printed (`t=$(mktemp -d)`), as a glob: see
    /// `fresh_temp`.
    fresh: HashMap<String, String>,
    /// The standard input a pipeline hands its next command, when it is a listing of
    /// file names (`find src -name '*.rs' |`): the `Stdin::Dynamic` text that stands for
    /// it, and the names' shape, for `xargs`.
    piped_listing: Option<(String, programs::listings::Listing)>,
    /// Variables of the `for` loop being walked whose list was plain words and globs, with
    /// the shape every value has (`for f in src/*.rs`: `src/*.rs`), while its body is
    /// walked.
    /// As the word `"$NAME"` stands for: one glob item's own glob (bash expands it into
    /// the values), else unknown with the pattern, `existing` when every item was a
    /// glob (each value names a file that exists, or is the glob that matched nothing).
    loop_shapes: HashMap<String, Word>,
    /// A file the script sourced (`set -a; . ./.env`): printing the environment after
    /// it prints what that file set, so a bare `env` or `export -p` then is judged as
    /// `printenv` (which harnesses do not run themselves).
    sourced: Option<String>,
    /// `set -v`/`-x` (or `-o verbose`/`xtrace`) ran: the shell prints what it reads.
    shell_traces: bool,
    /// The command being walked pipes its output into a `grep` for a harmless variable
    /// name (`env | grep -i ^node_`): printing the environment there is not a dump.
    env_filtered: bool,
    /// A command recorded so far may have created or changed files (see
    /// [`SimpleCommand::fresh_files`]).
    wrote_files: bool,
    /// A command recorded so far wrote or removed a `.gitignore` (or a file of which
    /// nothing is known, or extracted into `.`): a later `git add` is judged as forced.
    ignores_changed: bool,
    /// The script as given (for what it names anywhere).
    text: &'a str,
}

impl Walker<'_> {
    fn program(&mut self, program: &ast::Program, scope: &mut Scope) {
        self.program_reading(program, scope, &Stdin::Inherit);
    }

    /// A script whose commands read `stdin` (a pager's value reads what it pages).
    fn program_reading(&mut self, program: &ast::Program, scope: &mut Scope, stdin: &Stdin) {
        for list in &program.complete_commands {
            self.list_with_stdin(list, scope, stdin);
        }
    }

    fn list(&mut self, list: &ast::CompoundList, scope: &mut Scope) {
        self.list_with_stdin(list, scope, &Stdin::Inherit);
    }

    /// A list whose commands read `stdin` (a group fed by a heredoc or a pipe): the
    /// first stage of each pipeline inherits it.
    ///
    /// The directory is tracked only where it is certain: a `cd` followed by `&&` has
    /// succeeded when the next command runs; after `;`, `||`, or at the end of an and-or
    /// list it may have failed (or not run at all), so the directory becomes unknown.
    /// A list run in the background (`cd x &`) runs in a subshell and moves nothing.
    fn list_with_stdin(&mut self, list: &ast::CompoundList, scope: &mut Scope, stdin: &Stdin) {
        for item in &list.0 {
            let aol = &item.0;
            let background = matches!(item.1, ast::SeparatorOperator::Async);
            let mut own = scope.clone();
            own.conditional = true;
            let target = if background { &mut own } else { &mut *scope };
            // After `&&`/`||` a pipeline may not run: assignments there are not certain.
            let was_conditional = target.conditional;
            let before = target.dir.clone();
            let pipelines =
                std::iter::once((&aol.first, None)).chain(aol.additional.iter().map(|a| match a {
                    ast::AndOr::And(p) => (p, Some(true)),
                    ast::AndOr::Or(p) => (p, Some(false)),
                }));
            let mut previous_dir = before.clone();
            for (pipeline, joined_by_and) in pipelines {
                // Entering via `||` (or after a `cd` whose success we did not follow via
                // `&&`), the previous pipeline's `cd` may not have happened.
                if joined_by_and == Some(false) && target.dir != previous_dir {
                    target.dir = Dir::Unknown;
                }
                previous_dir = target.dir.clone();
                let positionals = target.positionals.clone();
                if joined_by_and.is_some() {
                    target.conditional = true;
                }
                self.pipeline(pipeline, target, stdin);
                // After `&&`/`||` a `set --`/`shift` may not have run.
                if joined_by_and.is_some() && target.positionals != positionals {
                    target.positionals = None;
                }
            }
            if !background {
                scope.conditional = was_conditional;
            }
            if !background && scope.dir != before {
                scope.dir = Dir::Unknown;
            }
        }
    }

    fn pipeline(&mut self, pipeline: &ast::Pipeline, scope: &mut Scope, stdin: &Stdin) {
        if let [only] = pipeline.seq.as_slice() {
            self.command(only, scope, stdin);
            return;
        }
        // Each part of a multi-command pipeline runs in its own subshell.
        let mut stdin = stdin.clone();
        let outer_listing = self.piped_listing.take();
        let mut listing: Option<programs::listings::Listing> = None;
        let mut previous: Option<Vec<String>> = None;
        for (index, cmd) in pipeline.seq.iter().enumerate() {
            let mut sub = scope.clone();
            sub.conditional = true;
            self.piped_listing = match (&stdin, &listing) {
                (Stdin::Dynamic(what), Some(l)) => Some((what.clone(), l.clone())),
                _ => None,
            };
            // `env | grep ^PATH=`: what reaches the output is the variables so named.
            self.env_filtered = programs::environment::output_filtered(
                pipeline
                    .seq
                    .iter()
                    .skip(index + 1)
                    .map(|next| literal_words(next, &scope.positionals)),
            );
            self.command(cmd, &mut sub, &stdin);
            self.env_filtered = false;
            let words = literal_words(cmd, &scope.positionals);
            // `git archive REV | tar -x`: restores the tree as `git checkout REV -- .`.
            if let (Some(before), Some(now)) = (&previous, &words)
                && let Some(checkout) = programs::git::archive_restore(before, now)
            {
                let mut sub = scope.clone();
                sub.frames.push(
                    "`git archive | tar -x`: the committed files overwrite the work tree".into(),
                );
                self.dispatch(checkout, &mut sub, &Stdin::Inherit);
            }
            // `git show REV:F | tee F` (or `| dd of=F`): restores F the same way.
            if let (Some(before), Some(now)) = (&previous, &words) {
                let target = match now.first().map(String::as_str) {
                    Some("tee") => now.iter().skip(1).find(|w| !w.starts_with('-')).cloned(),
                    Some("dd") => now
                        .iter()
                        .find_map(|w| w.strip_prefix("of=").map(str::to_string)),
                    _ => None,
                };
                let shown: Vec<Word> = before.iter().map(|w| Word::Lit(w.clone())).collect();
                if let Some(t) = target
                    && let Some(checkout) = programs::git::blob_restore(&shown, &t)
                {
                    let mut sub = scope.clone();
                    let program = now.first().map_or("", String::as_str);
                    sub.frames.push(format!(
                        "`| {program} {t}`: the committed content overwrites {t}"
                    ));
                    self.dispatch(checkout, &mut sub, &Stdin::Inherit);
                }
            }
            previous.clone_from(&words);
            // (`ls src/*.py`: a listing whose operand is a glob, kept as its pattern.)
            let words = words.or_else(|| {
                literal_words_or_globs(cmd, &scope.positionals)
                    .filter(|w| w.first().is_some_and(|p| p == "ls"))
            });
            listing = match (words, listing) {
                (Some(words), Some(l)) if programs::listings::line_filter(&words) => Some(l),
                (Some(words), _) => self.listing(&[words], &scope.dir),
                (None, _) => None,
            };
            stdin = piped_output(cmd, &scope.positionals, self.echo(scope));
            // With `shopt -s lastpipe` the last part runs in this shell: a `cd` (or a
            // `set --`) there may change ours.
            if sub.dir != scope.dir {
                scope.dir = Dir::Unknown;
            }
            if sub.positionals != scope.positionals {
                scope.positionals = None;
            }
        }
        self.piped_listing = outer_listing;
    }

    fn command(&mut self, cmd: &ast::Command, scope: &mut Scope, stdin: &Stdin) {
        match cmd {
            ast::Command::Simple(simple) => self.simple(simple, scope, stdin),
            ast::Command::Compound(compound, redirects) => {
                let mut stdin = stdin.clone();
                if let Some(list) = redirects {
                    for r in &list.0 {
                        if let Some(s) = self.redirect(r, scope) {
                            stdin = s;
                        }
                    }
                    // `{ …; } > f`: what lands in `f` is not tracked.
                    for (target, append) in output_targets(list.0.iter(), &scope.positionals) {
                        if let Some(k) = files::key(&scope.dir, &target) {
                            self.files.write(k, files::Written::Unknown, append);
                        }
                    }
                }
                // Every command inside runs with the compound command's files open.
                let outer = scope.redirects.len();
                if let Some(list) = redirects {
                    let opened =
                        self.opened(self.seq, list.0.iter(), &scope.dir, &scope.positionals);
                    scope.redirects.extend(opened);
                }
                self.compound(compound, scope, &stdin);
                let opened: Vec<Redirect> = scope.redirects.drain(outer..).collect();
                self.input_files(&opened, scope);
            }
            ast::Command::Function(def) => {
                // A function body counts as run: it may be called anywhere, under any
                // name. Calls we see are walked again with their arguments as `$1…`.
                self.functions
                    .insert(def.fname.value.clone(), def.body.clone());
                // bash calls this one itself, with any command it cannot find as its
                // arguments: what it runs is only known at run time.
                if def.fname.value == "command_not_found_handle" {
                    self.dynamic(
                        scope,
                        vec![Word::Lit(def.fname.value.clone())],
                        "`command_not_found_handle` runs in place of every command bash cannot find".into(),
                    );
                }
                let mut sub = scope.clone();
                sub.frames.push(format!("function {}", def.fname.value));
                sub.in_function = true;
                // Inside the body `$1…` are the function's own arguments: unknown here.
                sub.positionals = sub.positionals.map(|p| p.into_iter().take(1).collect());
                if let Some(list) = &def.body.1 {
                    let opened = self.opened(self.seq, list.0.iter(), &sub.dir, &sub.positionals);
                    sub.redirects.extend(opened);
                }
                self.compound(&def.body.0, &mut sub, &Stdin::Inherit);
                if let Some(list) = &def.body.1 {
                    for r in &list.0 {
                        self.redirect(r, &mut sub);
                    }
                }
                // Calling it may change the directory (or it may shadow `cd`).
                if sub.dir != scope.dir || programs::lookup(&def.fname.value).action == Action::Cd {
                    self.moving_functions.push(def.fname.value.clone());
                }
            }
            ast::Command::ExtendedTest(test, _) => self.extended_test(&test.expr, scope),
        }
    }

    /// A compound command. Branches that may or may not run are walked on copies of the
    /// scope; when they change the directory differently the directory becomes unknown.
    fn compound(&mut self, cmd: &ast::CompoundCommand, scope: &mut Scope, stdin: &Stdin) {
        use ast::CompoundCommand as C;
        match cmd {
            C::BraceGroup(g) => self.list_with_stdin(&g.list, scope, stdin),
            C::Subshell(s) => {
                let mut sub = scope.clone();
                sub.conditional = true;
                self.list_with_stdin(&s.list, &mut sub, stdin);
            }
            C::Arithmetic(a) => {
                self.arith(&a.expr.value, scope);
                self.maybe_script(&a.expr.value, scope);
            }
            C::ArithmeticForClause(f) => {
                for e in [&f.initializer, &f.condition, &f.updater]
                    .into_iter()
                    .flatten()
                {
                    self.arith(&e.value, scope);
                }
                self.repeat(&[&f.body.list], scope);
            }
            C::ForClause(f) => {
                let mut plain = f.values.is_some();
                let mut items = Vec::new();
                for w in f.values.iter().flatten() {
                    let word = self.word(&w.value, scope);
                    plain &= word.lit().is_some_and(|v| !v.contains(['[', '$', '`']));
                    items.push(word);
                }
                let name = &f.variable_name;
                let shape = (f.values.is_some()
                    && !self.text.contains("nullglob")
                    && !self.text.contains("failglob")
                    && vars::set_only_by_for(self.text, name))
                .then(|| match items.as_slice() {
                    [glob @ Word::Glob(_)] => Some(glob.clone()),
                    _ => loop_shape(&items).map(|pattern| Word::Unknown {
                        text: format!("\"${name}\""),
                        split: false,
                        pattern,
                        outside_git: false,
                        existing: items.iter().all(|w| matches!(w, Word::Glob(_))),
                        tracked: false,
                    }),
                })
                .flatten();
                let outer_shape = match shape {
                    Some(shape) => self.loop_shapes.insert(name.clone(), shape),
                    None => self.loop_shapes.remove(name),
                };
                // Whether every `for NAME in …` list was plain literal words: see
                // `evaluated_text`.
                let entry = self
                    .for_plain
                    .entry(f.variable_name.clone())
                    .or_insert(plain);
                *entry &= plain;
                self.repeat(&[&f.body.list], scope);
                match outer_shape {
                    Some(outer) => self.loop_shapes.insert(name.clone(), outer),
                    None => self.loop_shapes.remove(name),
                };
            }
            C::CaseClause(c) => {
                self.word(&c.value.value, scope);
                for item in &c.cases {
                    for p in &item.patterns {
                        self.word(&p.value, scope);
                    }
                    if let Some(list) = &item.cmd {
                        self.branch(list, scope);
                    }
                }
            }
            C::IfClause(i) => {
                self.list(&i.condition, scope);
                self.branch(&i.then, scope);
                for e in i.elses.iter().flatten() {
                    if let Some(cond) = &e.condition {
                        self.branch(cond, scope);
                    }
                    self.branch(&e.body, scope);
                }
            }
            C::WhileClause(w) | C::UntilClause(w) => self.repeat(&[&w.0, &w.1.list], scope),
            C::Coprocess(c) => {
                let mut sub = scope.clone();
                sub.conditional = true;
                self.command(&c.body, &mut sub, stdin);
            }
        }
    }

    /// A list that may run or not.
    fn branch(&mut self, list: &ast::CompoundList, scope: &mut Scope) {
        let mut sub = scope.clone();
        sub.conditional = true;
        self.list(list, &mut sub);
        if sub.dir != scope.dir {
            scope.dir = Dir::Unknown;
        }
        if sub.positionals != scope.positionals {
            scope.positionals = None;
        }
    }

    /// The lists of a loop (condition and body), run zero or more times in turn. When
    /// one pass changes `$1…` (`shift`, `set --`), later passes see other values: a few
    /// more passes are walked with the values each leaves (`while …; do "$@"; shift;
    /// done`), then one with them unknown.
    fn repeat(&mut self, lists: &[&ast::CompoundList], scope: &mut Scope) {
        let mut sub = scope.clone();
        sub.conditional = true;
        for list in lists {
            self.list(list, &mut sub);
        }
        if sub.dir != scope.dir {
            scope.dir = Dir::Unknown;
        }
        if sub.positionals != scope.positionals {
            scope.positionals = None;
            // SECURITY: each extra pass counts as work, so nested loops stay bounded; past
            // the bound the later passes are dynamic rather than lost.
            if self.work + MAX_LOOP_PASSES + 1 >= MAX_WORK {
                self.dynamic(
                    scope,
                    Vec::new(),
                    "a loop changes `$1…` too often to analyse every pass".into(),
                );
                return;
            }
            let mut passes = 0;
            let mut pass = sub.clone();
            while passes < MAX_LOOP_PASSES && pass.positionals.is_some() {
                self.work += 1;
                let before = pass.positionals.clone();
                for list in lists {
                    self.list(list, &mut pass);
                }
                if pass.positionals == before {
                    break;
                }
                passes += 1;
            }
            self.work += 1;
            let mut again = scope.clone();
            again.conditional = true;
            for list in lists {
                self.list(list, &mut again);
            }
        }
    }

    fn extended_test(&mut self, expr: &ast::ExtendedTestExpr, scope: &mut Scope) {
        use ast::ExtendedTestExpr as E;
        match expr {
            E::And(a, b) | E::Or(a, b) => {
                self.extended_test(a, scope);
                self.extended_test(b, scope);
            }
            E::Not(a) | E::Parenthesized(a) => self.extended_test(a, scope),
            // `-v NAME` and the arithmetic comparisons evaluate array subscripts in their
            // operands, running the substitutions there (`[[ -v 'a[$(cmd)]' ]]`,
            // `[[ 'a[$(cmd)]' -eq 1 ]]`), quoted or not.
            E::UnaryTest(op, w) => {
                self.word(&w.value, scope);
                if matches!(
                    op,
                    ast::UnaryPredicate::ShellVariableIsSetAndAssigned
                        | ast::UnaryPredicate::ShellVariableIsSetAndNameRef
                ) {
                    self.evaluated_operand(&w.value, scope, "[[ -v ]]");
                }
            }
            E::BinaryTest(op, a, b) => {
                self.word(&a.value, scope);
                self.word(&b.value, scope);
                if matches!(
                    op,
                    ast::BinaryPredicate::ArithmeticEqualTo
                        | ast::BinaryPredicate::ArithmeticNotEqualTo
                        | ast::BinaryPredicate::ArithmeticLessThan
                        | ast::BinaryPredicate::ArithmeticLessThanOrEqualTo
                        | ast::BinaryPredicate::ArithmeticGreaterThan
                        | ast::BinaryPredicate::ArithmeticGreaterThanOrEqualTo
                ) {
                    self.evaluated_operand(&a.value, scope, "[[ arithmetic ]]");
                    self.evaluated_operand(&b.value, scope, "[[ arithmetic ]]");
                }
            }
        }
    }

    /// Text the parser read as arithmetic that bash may run as commands: `( ( a x ) )` is
    /// two subshells to bash, but brush-parser reads `((a x))`. Walked when it parses as
    /// a script; real arithmetic (`i++`, `x > 3`) only yields harmless words.
    fn maybe_script(&mut self, text: &str, scope: &Scope) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        if let Ok(program) = parse(text) {
            let mut sub = scope.clone();
            sub.frames.push("( … )".to_string());
            let before = self.out.len();
            self.depth += 1;
            self.program(&program, &mut sub);
            self.depth -= 1;
            // Keep only what reads as a command; arithmetic such as `i*2` or `i++` would
            // otherwise show up as dynamic or odd program names.
            let mut k = 0;
            self.out.retain(|c| {
                k += 1;
                k <= before
                    || (c.dynamic.is_none()
                        && c.program().is_some_and(|p| {
                            p.chars().all(|ch| {
                                ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '-')
                            })
                        }))
            });
        }
    }

    /// Arithmetic text: only substitutions inside it can run anything.
    fn arith(&mut self, text: &str, scope: &mut Scope) {
        let expanded = expand::expand(&format!("\"{text}\""), &scope.positionals);
        self.inner(expanded.inner, scope);
    }

    /// Expands a word only for what it runs.
    fn word(&mut self, raw: &str, scope: &mut Scope) -> Word {
        let Expanded { word, inner, .. } = expand::expand(raw, &scope.positionals);
        self.inner(inner, scope);
        if let Some(fresh) = self.fresh_word(raw) {
            return fresh;
        }
        if let Some(listed) = self.listed_word(raw, &word, &scope.dir) {
            return listed;
        }
        if let Some(value) = self.loop_word(raw, &word) {
            return value;
        }
        // SECURITY: an unquoted `${…}` that bash's grammar did not take as an expansion
        // (`${:-rm}`: a bad substitution to bash) is one to zsh and ksh: only known at
        // run time, never the literal text.
        if let Word::Lit(t) = &word
            && t.contains("${")
            && raw.contains("${")
            && !raw.contains(['\'', '"', '\\'])
        {
            return Word::unknown(raw, false);
        }
        if !self.pwd_may_change
            && let Some(path) = self.working_dir_word(raw, &scope.dir)
        {
            return Word::Lit(path);
        }
        self.case_blind(word)
    }

    /// What the names a pipeline of literal commands prints look like
    /// ([`programs::listings`]); for `find`, also whether its tests keep them out of the
    /// repository's git directory (as for `find -exec`).
    fn listing(&self, commands: &[Vec<String>], dir: &Dir) -> Option<programs::listings::Listing> {
        let mut listing = programs::listings::pipeline(commands)?;
        if let Some((program, args)) = commands.first().and_then(|c| c.split_first())
            && program.rsplit('/').next() == Some("find")
        {
            // What its tests require of what it prints is what they would require of the
            // entries an `-exec` after them runs on.
            let args: Vec<Word> = args
                .iter()
                .map(|a| Word::Lit(a.clone()))
                .chain([Word::Lit("-exec".into())])
                .collect();
            let (roots, guard) = file_tools::find_roots(&args);
            listing.outside_git |= self.find_results(&roots, &guard, dir).outside_git;
        }
        Some(listing)
    }

    /// A word that is one command substitution of a listing (`$(find src -name
    /// '*.rs')`, `"$(git ls-files)"`): unknown, with the shape of the names it prints.
    fn listed_word(&self, raw: &str, expanded: &Word, dir: &Dir) -> Option<Word> {
        let Word::Unknown { text, split, .. } = expanded else {
            return None;
        };
        let commands = programs::listings::plain_pipeline(substitution_text(raw)?)?;
        let listing = self.listing(&commands, dir)?;
        Some(Word::Unknown {
            text: text.clone(),
            split: *split,
            pattern: listing.pattern,
            outside_git: listing.outside_git,
            existing: true,
            tracked: listing.tracked,
        })
    }

    /// The `echo` these commands run: the shell's, unless bash may have `xpg_echo` on.
    fn echo(&self, scope: &Scope) -> files::Echo {
        match scope.echo {
            files::Echo::Bash if self.xpg_echo => files::Echo::Unknown,
            other => other,
        }
    }

    /// The files redirections open (see [`path_redirects`]), their glob targets read
    /// under the script's glob options.
    fn opened<'r>(
        &self,
        at: usize,
        redirects: impl Iterator<Item = &'r ast::IoRedirect>,
        dir: &Dir,
        positionals: &Positionals,
    ) -> Vec<Redirect> {
        let mut opened = path_redirects(at, redirects, dir, positionals);
        for r in &mut opened {
            r.target = self.case_blind(std::mem::replace(&mut r.target, Word::Lit(String::new())));
            // `< "$f"` in a loop over plain words and globs (or an `xargs -I` item): the
            // loop's shape, as for a word (`Walker::loop_word`).
            if let Some(var) = &r.variable
                && var.tail.is_empty()
                && let Some(shape) = self.loop_shapes.get(&var.name)
            {
                r.target = shape.clone();
            }
        }
        opened
    }

    /// A glob under the glob options the script may turn on, which the rules' reading of
    /// globs does not follow: with `nocaseglob` it may match any spelling of a name; with
    /// `dotglob` (or `GLOBIGNORE` set) a component led by a wildcard or a bracket may
    /// match a leading `.` (`?git`, `*it`, `[.]git` name `.git`); with `globstar` a `**`
    /// component may be any number of directories. Such a glob is any words.
    fn case_blind(&self, word: Word) -> Word {
        match word {
            Word::Glob(text)
                if self.nocase_glob
                    || (self.dot_glob
                        && text.split('/').any(|c| c.starts_with(['*', '?', '['])))
                    || (self.glob_star && text.split('/').any(|c| c == "**")) =>
            {
                Word::unknown(text, true)
            }
            other => other,
        }
    }

    /// `~+`, `"$PWD"`, `"${PWD}"` or `"$(pwd)"` (the builtin prints `$PWD`), alone or
    /// followed by a literal `/…`: the directory the command runs in, as an absolute path,
    /// when the walk knows it. (Tilde expansion is not split; unquoted `$PWD` is, so it is
    /// left unknown.)
    fn working_dir_word(&self, raw: &str, dir: &Dir) -> Option<String> {
        // Most words are neither: skip the regex (compiling it costs every judgement
        // tens of microseconds and page faults on the hot path).
        if !(raw.starts_with("~+") || raw.contains("PWD") || raw.contains("$(pwd)")) {
            return None;
        }
        let rest = WORKING_DIR_WORD.as_ref()?.captures(raw)?;
        let tail = rest
            .get(1)
            .or_else(|| rest.get(2))
            .or_else(|| rest.get(3))
            .map_or("", |m| m.as_str());
        let here = match dir {
            Dir::Start => self.start.to_path_buf(),
            Dir::Path(p) => self.start.join(p),
            Dir::Unknown => return None,
        };
        Some(crate::policy::rule::normalize_path(&format!(
            "{}{tail}",
            here.display()
        )))
    }

    /// Analyses the scripts run while expanding a word.
    fn inner(&mut self, inner: Vec<Inner>, scope: &Scope) {
        for item in inner {
            match item {
                Inner::Script(script) => self.nested(&script, scope, "$(…)", None),
                Inner::MaybeScript(text) => self.maybe_script(&text, scope),
                Inner::Opaque(text) => self.dynamic(
                    scope,
                    vec![Word::unknown(text.clone(), true)],
                    format!("a substitution inside `{text}` cannot be taken apart"),
                ),
            }
        }
    }

    fn simple(&mut self, cmd: &ast::SimpleCommand, scope: &mut Scope, stdin: &Stdin) {
        self.seq += 1;
        let seq = self.seq;
        let mut stdin = stdin.clone();
        let mut words = Vec::new();
        for item in cmd.prefix.iter().flat_map(|p| p.0.iter()) {
            self.item(item, scope, &mut words, &mut stdin);
        }
        if let Some(name) = &cmd.word_or_name {
            self.push_word(&name.value, scope, &mut words);
        }
        for item in cmd.suffix.iter().flat_map(|s| s.0.iter()) {
            self.item(item, scope, &mut words, &mut stdin);
        }
        // `export NAME=$x`: after a declaration builtin written as a plain word, an
        // argument that reads as an assignment is one (bash does not split or glob its
        // value). Quoted or reached through `command`/`builtin`, it is an ordinary word.
        if cmd
            .word_or_name
            .as_ref()
            .is_some_and(|n| programs::builtins::is_declaration(&n.value))
        {
            for w in words.iter_mut().skip(1) {
                if let Word::Unknown {
                    text, split: true, ..
                } = w
                    && let Some((name, _)) = text.split_once('=')
                    && is_name(name)
                {
                    *w = Word::Unknown {
                        pattern: format!("{name}=*"),
                        text: text.clone(),
                        split: false,
                        outside_git: false,
                        existing: false,
                        tracked: false,
                    };
                }
            }
        }
        // Output redirections: what this command writes where, for running it later.
        let redirects = io_redirects(cmd);
        let targets = output_targets(redirects, &scope.positionals);
        let stdin_text = match &stdin {
            Stdin::Literal(t) => Some(t.as_str()),
            _ => None,
        };
        let content = match files::literal_output(&words, stdin_text, self.echo(scope)) {
            Some(text) => files::Written::Text(text),
            None => files::Written::Unknown,
        };
        // `tee FILE…` writes its stdin to each file.
        if let Some((append, targets)) = file_tools::tee_files(&words) {
            for target in targets {
                let key = files::key(&scope.dir, target);
                if let files::Written::Text(text) = &content
                    && let Some(path) = key.clone().or_else(|| target.lit().map(str::to_string))
                {
                    self.written_code(&path, text, scope);
                }
                if let Some(k) = key {
                    self.files.write(k, content.clone(), append);
                }
            }
        }
        let dir = scope.dir.clone();
        // The files this command's own redirections open, for path rules.
        let outer = scope.redirects.len();
        let opened = self.opened(seq, io_redirects(cmd), &dir, &scope.positionals);
        let inputs: Vec<Redirect> = opened
            .iter()
            .filter(|r| r.access == super::RedirectAccess::Read)
            .cloned()
            .collect();
        let bare = words.is_empty() && !opened.is_empty();
        if !words.is_empty() {
            // `F=x cmd`: F is set for cmd only, not in this shell.
            for item in cmd.prefix.iter().flat_map(|p| p.0.iter()) {
                if let ast::CommandPrefixOrSuffixItem::AssignmentWord(
                    ast::Assignment {
                        name: ast::AssignmentName::VariableName(name),
                        ..
                    },
                    _,
                ) = item
                {
                    self.var_events
                        .entry(name.clone())
                        .or_default()
                        .push((seq, None));
                }
            }
        }
        scope.redirects.extend(opened);
        // `git show REV:F > F`: restores F as `git checkout REV -- F` would.
        for (target, append) in &targets {
            if let (false, Some(t)) = (append, target.lit())
                && let Some(checkout) = programs::git::blob_restore(&words, t)
            {
                let mut sub = scope.clone();
                sub.frames
                    .push(format!("`> {t}`: the committed content overwrites {t}"));
                self.dispatch(checkout, &mut sub, &Stdin::Inherit);
            }
        }
        if !words.is_empty() {
            self.dispatch(words, scope, &stdin);
        } else if bare {
            // `> f` alone (or `x=1 > f`) opens `f` as `: > f` does: recorded as `:` so
            // path rules see the file.
            let mut sub = scope.clone();
            sub.frames.push("redirection without a command".to_string());
            self.record(&sub, vec![Word::Lit(":".to_string())]);
        }
        scope.redirects.truncate(outer.min(scope.redirects.len()));
        self.input_files(&inputs, scope);
        for (target, append) in targets {
            let key = files::key(&dir, &target);
            if let files::Written::Text(text) = &content
                && let Some(path) = key.clone().or_else(|| target.lit().map(str::to_string))
            {
                self.written_code(&path, text, scope);
            }
            if let Some(k) = key {
                self.files.write(k, content.clone(), append);
            }
        }
    }

    /// Runs a file this script wrote, when `path` is one: its text as a script (or as
    /// interpreter code, by its `#!` line), the program it is a copy of, or — content
    /// only known at run time — a dynamic command. Returns whether it was one.
    fn run_written(&mut self, path: &Word, args: &[Word], scope: &mut Scope, how: RunFile) -> bool {
        let Some(written) = files::key(&scope.dir, path).and_then(|k| self.files.get(&k).cloned())
        else {
            return false;
        };
        self.run_content(written, path, args, scope, how);
        true
    }

    /// A file this script wrote, run by `shell` (`sh f.sh`), as that shell reads it where
    /// it reads differently from bash ([`shells::own_reading`]): what it runs then is
    /// listed too.
    fn run_written_own_reading(&mut self, shell: &str, path: &Word, args: &[Word], scope: &Scope) {
        let Some(files::Written::Text(text)) =
            files::key(&scope.dir, path).and_then(|k| self.files.get(&k).cloned())
        else {
            return;
        };
        let Some((own, label)) = shells::own_reading(shell, &text) else {
            return;
        };
        let positionals: Option<Vec<String>> = std::iter::once(Some(path.display().to_string()))
            .chain(args.iter().map(|a| a.lit().map(str::to_string)))
            .collect();
        let frame = format!("{} (written by this script, {label})", path.display());
        let mut sub = scope.clone();
        sub.posix = shells::posix_quoting(shell);
        self.nested(&own, &sub, &frame, Some(positionals));
    }

    /// Runs what the script put at `path` (see [`Walker::run_written`]).
    fn run_content(
        &mut self,
        written: files::Written,
        path: &Word,
        args: &[Word],
        scope: &mut Scope,
        how: RunFile,
    ) {
        let frame = format!("{} (written by this script)", path.display());
        match written {
            files::Written::Text(text) => {
                // A `#!` line naming an interpreter: the text is its code — when the file
                // is executed. A shell given the file (`bash f`, `. f`) reads every line
                // as shell, the `#!` line as a comment.
                let shebang = match how {
                    RunFile::Exec => interpreters::shebang_program(&text),
                    RunFile::Shell | RunFile::Source => None,
                };
                let interpreter = shebang.and_then(|prog| {
                    let program = programs::lookup(&prog);
                    match program.action {
                        Action::Interpreter(lang) => Some((prog, lang, program)),
                        _ => None,
                    }
                });
                match interpreter {
                    Some((prog, lang, program)) => {
                        let mut sub = scope.clone();
                        sub.frames.push(frame);
                        let code = Stdin::Literal(text);
                        self.interpreter(lang, &program.options, &prog, &[], &sub, &code);
                    }
                    _ if how == RunFile::Source => self.nested_here(&text, scope, &frame),
                    _ => {
                        let positionals: Option<Vec<String>> =
                            std::iter::once(Some(path.display().to_string()))
                                .chain(args.iter().map(|a| a.lit().map(str::to_string)))
                                .collect();
                        self.nested(&text, scope, &frame, Some(positionals));
                    }
                }
            }
            files::Written::Program(program) => {
                let mut words = vec![Word::Lit(program)];
                words.extend(args.iter().cloned());
                let mut sub = scope.clone();
                sub.frames.push(frame);
                self.dispatch(words, &mut sub, &Stdin::Inherit);
            }
            files::Written::Unknown => self.dynamic(
                scope,
                vec![path.clone()],
                format!(
                    "`{}` runs a file this script wrote with content only known at run time",
                    path.display()
                ),
            ),
        }
    }

    /// One prefix or suffix item of a simple command.
    /// Expands a word into the argv; `"$@"` with known positionals becomes one word per
    /// positional, as bash makes it.
    fn push_word(&mut self, raw: &str, scope: &mut Scope, words: &mut Vec<Word>) {
        if matches!(raw, "\"$@\"" | "\"${@}\"")
            && let Some(p) = &scope.positionals
        {
            words.extend(p.iter().skip(1).map(|a| expand::positional_word(a)));
            return;
        }
        // `"$*"`: the positionals joined by a space (IFS's first character), one word.
        if matches!(raw, "\"$*\"" | "\"${*}\"")
            && !self.ifs_may_change
            && let Some(p) = &scope.positionals
        {
            words.push(Word::Lit(
                p.iter().skip(1).cloned().collect::<Vec<_>>().join(" "),
            ));
            return;
        }
        // `{a,b}` with literal parts: one word per field, as bash makes them.
        let expanded = expand::expand(raw, &scope.positionals);
        if let Some(fields) = expanded.fields {
            self.inner(expanded.inner, scope);
            words.extend(fields.into_iter().map(|w| self.case_blind(w)));
            return;
        }
        let word = self.word(raw, scope);
        words.push(word);
    }

    fn item(
        &mut self,
        item: &ast::CommandPrefixOrSuffixItem,
        scope: &mut Scope,
        words: &mut Vec<Word>,
        stdin: &mut Stdin,
    ) {
        match item {
            ast::CommandPrefixOrSuffixItem::Word(w) => self.push_word(&w.value, scope, words),
            ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                if words.is_empty() {
                    self.assignment(a, scope);
                } else {
                    // `declare x=$(…)` and friends: the word is an argument.
                    words.push(self.word(&w.value, scope));
                }
            }
            ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                if let Some(s) = self.redirect(r, scope) {
                    *stdin = s;
                }
            }
            ast::CommandPrefixOrSuffixItem::ProcessSubstitution(_, sub) => {
                let mut inner = scope.clone();
                inner.frames.push("<(…)".to_string());
                self.list(&sub.list, &mut inner);
                // A pipe's name: `/dev/fd/` and the number bash picks (63 and down), never
                // a file a rule protects.
                words.push(Word::Unknown {
                    text: "/dev/fd/N".to_string(),
                    split: false,
                    pattern: "/dev/fd/[0-9][0-9]".to_string(),
                    outside_git: true,
                    existing: false,
                    tracked: false,
                });
            }
        }
    }

    /// A call of a function defined in the script: its body runs with the call's
    /// arguments as `$1…` (unknown when any argument is).
    fn call(&mut self, name: &str, body: &ast::FunctionBody, args: &[Word], scope: &Scope) {
        let guard = format!("function {name}");
        if self.expanding.contains(&guard) {
            // A recursive call: the body is being walked already.
            return;
        }
        if self.work >= MAX_WORK || self.depth >= MAX_DEPTH {
            self.dynamic(
                scope,
                args.to_vec(),
                format!("the call of function `{name}` is nested too deep to analyse"),
            );
            return;
        }
        self.work += 1;
        let literal: Option<Vec<String>> =
            args.iter().map(|w| w.lit().map(str::to_string)).collect();
        let mut sub = scope.clone();
        sub.frames.push(format!("call {name}"));
        sub.in_function = false;
        // With IFS possibly changed, `$1` unquoted may split anywhere: mark the values
        // (quoted, `"$1"` and `"$@"` stay exact).
        let ifs_may_change = self.ifs_may_change;
        sub.positionals = literal.map(|a| {
            let mut p = vec![name.to_string()];
            p.extend(a.into_iter().map(|v| {
                if ifs_may_change {
                    format!("{}{v}", expand::IFS_UNCERTAIN)
                } else {
                    v
                }
            }));
            p
        });
        // `f() { …; } > out`: every call opens `out` (in the caller's directory).
        if let Some(list) = &body.1 {
            let opened = self.opened(self.seq, list.0.iter(), &sub.dir, &sub.positionals);
            sub.redirects.extend(opened);
        }
        self.expanding.push(guard);
        self.depth += 1;
        self.compound(&body.0, &mut sub, &Stdin::Inherit);
        self.depth -= 1;
        self.expanding.pop();
    }

    /// Walks text that bash may or may not run as a script; parse errors are ignored
    /// (it is data unless evaluated).
    fn nested_lenient(&mut self, text: &str, scope: &Scope, frame: &str) {
        if self.depth >= MAX_DEPTH || self.work >= MAX_WORK {
            return;
        }
        self.work += 1;
        // `a[$(cmd)]` is an array reference: analyse it as a word.
        let expanded = expand::expand(&format!("\"{text}\""), &scope.positionals);
        let mut sub = scope.clone();
        sub.frames.push(frame.to_string());
        self.depth += 1;
        self.inner(expanded.inner, &sub);
        self.depth -= 1;
    }

    /// Records a dynamic command: something will run that cannot be known before.
    ///
    /// Inside a function body walked at its definition, nothing is recorded: what is only
    /// known at run time there (`"$@"`, `$cmd`) depends on the caller, and every call the
    /// script makes is walked again with its arguments. (Functions cannot come from
    /// outside: shell mode strips exported `BASH_FUNC_*`.)
    fn dynamic(&mut self, scope: &Scope, words: Vec<Word>, reason: String) {
        if scope.in_function {
            return;
        }
        self.out.push(SimpleCommand {
            words,
            dir: scope.dir.clone(),
            dynamic: Some(reason),
            via: scope.via.clone(),
            frames: scope.frames.clone(),
            parse_error: None,
            redirects: scope.redirects.clone(),
            find_results: scope.find_results.clone(),
            fresh_files: false,
        });
    }

    /// brush-parser mis-tokenizes `$(…)` and `${…}` that follow a heredoc operator on the
    /// same line (`cat <<EOF $(cmd)` loses `cmd`). Until that is fixed upstream, such a
    /// script gets a dynamic entry, so it is never allowed on a misread.
    fn heredoc_hazard(&mut self, script: &str, scope: &Scope) {
        // `${x#<<E}`: brush reads a heredoc inside the expansion and hides later lines.
        let in_expansion = script.match_indices("${").any(|(at, _)| {
            let rest = script.get(at..).unwrap_or("");
            let end = rest.find('}').unwrap_or(rest.len());
            rest.get(..end).is_some_and(|inner| inner.contains("<<"))
        });
        // `<<` inside arithmetic (`$((1<<2))`, `((x<<=1))`) is a shift, not a heredoc.
        let script = &without_arithmetic(script);
        let hazard = in_expansion
            || script.lines().any(|line| {
                let mut rest = line;
                while let Some(at) = rest.find("<<") {
                    let after = rest.get(at + 2..).unwrap_or("");
                    if let Some(tail) = after.strip_prefix('<') {
                        rest = tail;
                        continue;
                    }
                    return after.contains("$(") || after.contains("${");
                }
                false
            });
        if hazard {
            self.dynamic(
                scope,
                Vec::new(),
                "a substitution after a heredoc operator on the same line is not analysed reliably"
                    .to_string(),
            );
        }
    }

    /// Records a nested script that does not parse.
    fn unparsable(&mut self, scope: &Scope, script: &str, message: &str) {
        self.out.push(SimpleCommand {
            words: vec![Word::Lit(script.to_string())],
            dir: scope.dir.clone(),
            dynamic: None,
            via: scope.via.clone(),
            frames: scope.frames.clone(),
            parse_error: Some(message.to_string()),
            redirects: scope.redirects.clone(),
            find_results: scope.find_results.clone(),
            fresh_files: false,
        });
    }

    /// A file a `<` redirection names is read into the command as `cat FILE` would read
    /// it: recorded as that, so rules about reading files (the secrets pack's) see
    /// `cat < .env`, `$(< ~/.ssh/id_rsa)` and `while read …; done < .env`. Only literal
    /// targets outside `/dev` (a target only known at run time is left to path rules).
    fn input_files(&mut self, opened: &[Redirect], scope: &Scope) {
        for r in opened {
            if r.access != super::RedirectAccess::Read {
                continue;
            }
            if let Word::Lit(target) = &r.target
                && !target.starts_with("/dev/")
            {
                let mut sub = scope.clone();
                sub.dir = r.dir.clone();
                sub.frames
                    .push(format!("`{}` redirection reads {target}", r.operator));
                self.record(&sub, vec![Word::Lit("cat".into()), r.target.clone()]);
            }
        }
    }

    fn record(&mut self, scope: &Scope, words: Vec<Word>) {
        // A file a command writes (`sed -i`, `dd of=`, awk's `print > "f"`): what it then
        // holds is not known, so running it later in the script is dynamic. (Writes whose
        // text the walk follows are recorded with it: redirections and `tee` after this,
        // `cp`/`mv`/`install` by their action.)
        let program = words
            .first()
            .and_then(Word::lit)
            .map(|p| p.rsplit('/').next().unwrap_or(p));
        // Only programs that write text into a file (not `rm`, `chmod`, `mkdir`: a
        // deleted or re-moded file keeps what the walk knows), and not in could-run
        // guesses.
        let writes_text = match program {
            Some("tee") => scope.via != Via::Direct,
            Some(
                "sed" | "gsed" | "perl" | "dd" | "sort" | "uniq" | "iconv" | "xxd" | "truncate"
                | "sponge" | "patch",
            ) => true,
            // Downloads, extractions and other output files: what they hold is only
            // known at run time (`curl -o run.sh URL; bash run.sh`).
            Some(
                "curl" | "wget" | "aria2c" | "tar" | "unzip" | "git" | "openssl" | "gpg" | "base64",
            ) => true,
            _ => false,
        };
        if writes_text && !matches!(scope.via, Via::CouldRun | Via::Container) && words.len() > 1 {
            let cmd = SimpleCommand {
                words: words.clone(),
                dir: scope.dir.clone(),
                dynamic: None,
                via: scope.via.clone(),
                frames: Vec::new(),
                parse_error: None,
                redirects: Vec::new(),
                find_results: None,
                fresh_files: false,
            };
            for op in crate::paths::operands(&cmd) {
                // Files, not the directories a command writes into (`tar -x` writes `.`).
                if op.access == crate::paths::Access::Write
                    && !op.subtree
                    && op.word.lit() != Some(".")
                    && let Some(k) = files::key(&scope.dir, &op.word)
                {
                    self.files.write(k, files::Written::Unknown, false);
                }
            }
        }
        // In a container, paths under a host mount are the host's files (not the program
        // word: it is the image's).
        let (words, redirects) = if scope.mounts.is_empty() {
            (words, scope.redirects.clone())
        } else {
            let words = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.clone()
                    } else {
                        programs::runners::on_host(w, &scope.mounts)
                    }
                })
                .collect();
            let redirects = scope
                .redirects
                .iter()
                .map(|r| Redirect {
                    target: programs::runners::on_host(&r.target, &scope.mounts),
                    ..r.clone()
                })
                .collect();
            (words, redirects)
        };
        let via = if scope.mounts.is_empty() || scope.via != Via::CouldRun {
            scope.via.clone()
        } else {
            Via::Container
        };
        self.out.push(SimpleCommand {
            words,
            dir: scope.dir.clone(),
            dynamic: None,
            via,
            frames: scope.frames.clone(),
            parse_error: None,
            redirects,
            find_results: scope.find_results.clone(),
            fresh_files: self.wrote_files,
        });
        // Whether what this command does may create or change files later commands see
        // (a program of unknown effect is not counted, nor a write to a name only known
        // at run time: `… | xargs sed -i` is that write itself).
        if let Some(cmd) = self.out.last() {
            let ops = if self.wrote_files && self.ignores_changed {
                Vec::new()
            } else {
                crate::paths::operands(cmd)
            };
            let writes = || {
                ops.iter().filter(|o| {
                    matches!(
                        o.access,
                        crate::paths::Access::Write | crate::paths::Access::MayWrite
                    )
                })
            };
            self.wrote_files |= writes().any(|o| !matches!(o.word, Word::Unknown { .. }));
            // `.gitignore` (or `.git/info/exclude`) changed or removed: a later `git add`
            // may stage what it kept out.
            self.ignores_changed |= writes().any(|o| match &o.word {
                Word::Lit(t) => {
                    t.ends_with(".gitignore") || t.ends_with("info/exclude") || t == "."
                }
                Word::Unknown { pattern, .. } => pattern == "*",
                Word::Glob(_) => false,
            });
        }
        // `rm .gitignore && git add -A`: judged as the forced add it amounts to.
        if self.ignores_changed
            && let Some(cmd) = self.out.last()
            && cmd.program() == Some("git")
            && matches!(cmd.words.get(1).and_then(Word::lit), Some("add" | "stage"))
        {
            let mut forced = cmd.clone();
            forced.words.insert(2, Word::Lit("--force".to_string()));
            forced
                .frames
                .push("after `.gitignore` changed (staging what it kept out)".to_string());
            self.out.push(forced);
        }
    }

    /// A nested script that runs in this shell (an alias, `source` of a literal, a
    /// `mapfile -C` callback): a directory change inside it may or may not have happened
    /// by the time later commands run, so it makes the directory unknown.
    fn nested_here(&mut self, script: &str, scope: &mut Scope, frame: &str) {
        if let Some(sub) = self.nested_scope(script, scope, frame, None, &Stdin::Inherit) {
            if sub.dir != scope.dir {
                scope.dir = Dir::Unknown;
            }
            // `set --` and `shift` in it change ours.
            scope.positionals = sub.positionals;
        }
    }

    /// Parses and walks a nested literal script (from `bash -c`, `eval`, `$(…)`, …).
    fn nested(
        &mut self,
        script: &str,
        scope: &Scope,
        frame: &str,
        positionals: Option<Positionals>,
    ) {
        self.nested_scope(script, scope, frame, positionals, &Stdin::Inherit);
    }

    /// [`Walker::nested`] for a script that reads `stdin` (a pager's value: the output it
    /// pages).
    fn nested_reading(&mut self, script: &str, scope: &Scope, frame: &str, stdin: &Stdin) {
        self.nested_scope(script, scope, frame, None, stdin);
    }

    /// [`Walker::nested`], returning the scope the script ends in when it was walked.
    fn nested_scope(
        &mut self,
        script: &str,
        scope: &Scope,
        frame: &str,
        positionals: Option<Positionals>,
        stdin: &Stdin,
    ) -> Option<Scope> {
        if self.depth >= MAX_DEPTH || self.work >= MAX_WORK {
            self.dynamic(
                scope,
                vec![Word::Lit(script.to_string())],
                format!(
                    "scripts nested deeper than {MAX_DEPTH} levels, or more than {MAX_WORK} of them, are not analysed"
                ),
            );
            return None;
        }
        self.work += 1;
        // Text a POSIX shell parses at run time, read its way.
        let reading = if scope.posix {
            shells::posix_reading(script)
        } else {
            None
        };
        let script = reading.as_deref().unwrap_or(script);
        let bare = without_quotes(script);
        if bare.contains("IFS") {
            self.ifs_may_change = true;
        }
        if names_pwd(&bare) {
            self.pwd_may_change = true;
        }
        if bare.contains("nocaseglob") {
            self.nocase_glob = true;
        }
        if bare.contains("xpg_echo") {
            self.xpg_echo = true;
        }
        if names_dot_glob(&bare) {
            self.dot_glob = true;
        }
        if bare.contains("globstar") {
            self.glob_star = true;
        }
        let program = match parse(script) {
            Ok(p) => p,
            Err(e) => {
                // The outer script parsed, but this nested one does not: fail closed.
                self.unparsable(scope, script, &e.message);
                return None;
            }
        };
        self.heredoc_hazard(script, scope);
        let mut sub = scope.clone();
        sub.frames.push(frame.to_string());
        if let Some(p) = positionals {
            sub.positionals = without_ifs(&bare, p);
        }
        self.depth += 1;
        self.program_reading(&program, &mut sub, stdin);
        self.depth -= 1;
        Some(sub)
    }
}

/// SECURITY: positionals are only substituted in scripts that never mention IFS, since
/// `IFS=_; git $1` with `reset_--hard` splits the value where bash's default would not.
/// `bare` is the script as [`without_quotes`] gives it.
fn without_ifs(bare: &str, positionals: Positionals) -> Positionals {
    if bare.contains("IFS") {
        None
    } else {
        positionals
    }
}

/// The script with the text of `$((…))` and `((…))` blanked out.
fn without_arithmetic(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut rest = script;
    while let Some(open) = rest.find("((") {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after.find("))") {
            Some(close) => {
                out.push_str(&" ".repeat(close + 2));
                rest = after.get(close + 2..).unwrap_or("");
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Joins a literal path onto a directory.
pub(crate) fn join_dir(dir: &Dir, path: &str) -> Dir {
    if path.starts_with('/') {
        return Dir::Path(PathBuf::from(path));
    }
    if path.starts_with('~') {
        return Dir::Unknown;
    }
    match dir {
        Dir::Start => Dir::Path(PathBuf::from(path)),
        Dir::Path(p) => Dir::Path(p.join(path)),
        Dir::Unknown => Dir::Unknown,
    }
}

/// Joins words into a script when every one is literal.
/// A simple command's redirections, prefix and suffix, in order.
fn io_redirects(cmd: &ast::SimpleCommand) -> impl Iterator<Item = &ast::IoRedirect> {
    cmd.prefix
        .iter()
        .flat_map(|p| p.0.iter())
        .chain(cmd.suffix.iter().flat_map(|s| s.0.iter()))
        .filter_map(|item| match item {
            ast::CommandPrefixOrSuffixItem::IoRedirect(r) => Some(r),
            _ => None,
        })
}

/// What the values of a `for` loop over `items` look like, as one fnmatch pattern: the
/// items' common literal start, `*`, their common literal end (`src/*.rs tests/*.rs`:
/// `*.rs`); relative items give a relative shape. `None` when an item is only known at
/// run time, starts with `~`, or holds a set or an extglob (`[`, `(`).
fn loop_shape(items: &[Word]) -> Option<String> {
    let texts: Vec<&str> = items
        .iter()
        .map(|w| match w {
            Word::Lit(t) | Word::Glob(t) => Some(t.as_str()),
            Word::Unknown { .. } => None,
        })
        .collect::<Option<_>>()?;
    let first = *texts.first()?;
    if texts
        .iter()
        .any(|t| t.starts_with('~') || t.contains(['[', '(', '\\']) || t.is_empty())
        || texts.iter().any(|t| t.starts_with('/')) != texts.iter().all(|t| t.starts_with('/'))
    {
        return None;
    }
    let wild = |c: char| c == '*' || c == '?';
    let literal = |w: &Word, t: &str| -> bool { matches!(w, Word::Lit(_)) || !t.contains(wild) };
    if let [only] = items
        && literal(only, first)
    {
        let mut p = String::new();
        crate::policy::rule::escape_into(&mut p, first);
        return Some(programs::listings::relative(p));
    }
    // The longest start and end no item's wildcard reaches.
    let mut start = first.len();
    let mut end = first.len();
    for (w, t) in items.iter().zip(&texts) {
        let head = if matches!(w, Word::Lit(_)) {
            t.len()
        } else {
            t.find(wild).unwrap_or(t.len())
        };
        let common = first
            .bytes()
            .zip(t.bytes())
            .take(head.min(start))
            .take_while(|(a, b)| a == b)
            .count();
        start = start.min(common);
        let tail = if matches!(w, Word::Lit(_)) {
            t.len()
        } else {
            t.len() - t.rfind(wild).map_or(0, |i| i + 1)
        };
        let common = first
            .bytes()
            .rev()
            .zip(t.bytes().rev())
            .take(tail.min(end))
            .take_while(|(a, b)| a == b)
            .count();
        end = end.min(common);
    }
    let (Some(prefix), Some(suffix)) = (
        first.get(..start),
        first.get(first.len().saturating_sub(end).max(start)..),
    ) else {
        return None;
    };
    let mut p = String::new();
    crate::policy::rule::escape_into(&mut p, prefix);
    p.push('*');
    crate::policy::rule::escape_into(&mut p, suffix);
    Some(programs::listings::relative(p))
}

/// The words of a script that is one simple command of literal words, with no
/// assignments or redirections (`sed -i 's/pick/squash/'`); `None` for anything else.
fn literal_command(script: &str) -> Option<Vec<String>> {
    let program = parse(script).ok()?;
    let [list] = program.complete_commands.as_slice() else {
        return None;
    };
    let [item] = list.0.as_slice() else {
        return None;
    };
    let aol = &item.0;
    if !aol.additional.is_empty() || aol.first.bang {
        return None;
    }
    let [command] = aol.first.seq.as_slice() else {
        return None;
    };
    let ast::Command::Simple(simple) = command else {
        return None;
    };
    if simple.prefix.is_some()
        || simple
            .suffix
            .iter()
            .flat_map(|s| s.0.iter())
            .any(|item| !matches!(item, ast::CommandPrefixOrSuffixItem::Word(_)))
    {
        return None;
    }
    literal_words(command, &None)
}

/// The words of a pipeline element that is a simple command of literal words only
/// (`find src -name '*.rs'`, `sort -u`), for [`Walker::listing`].
fn literal_words(cmd: &ast::Command, positionals: &Positionals) -> Option<Vec<String>> {
    words_of(cmd, positionals, false)
}

/// [`literal_words`], a glob word kept as its pattern text (`ls src/*.py`).
fn literal_words_or_globs(cmd: &ast::Command, positionals: &Positionals) -> Option<Vec<String>> {
    words_of(cmd, positionals, true)
}

fn words_of(cmd: &ast::Command, positionals: &Positionals, globs: bool) -> Option<Vec<String>> {
    let ast::Command::Simple(simple) = cmd else {
        return None;
    };
    if simple.prefix.is_some() {
        return None;
    }
    let mut words = Vec::new();
    let mut push = |raw: &str| -> Option<()> {
        let word = expand::expand(raw, positionals).word;
        let text = match &word {
            Word::Glob(t) if globs => t.as_str(),
            other => other.lit()?,
        };
        words.push(text.to_string());
        Some(())
    };
    if let Some(name) = &simple.word_or_name {
        push(&name.value)?;
    }
    for item in simple.suffix.iter().flat_map(|s| s.0.iter()) {
        match item {
            ast::CommandPrefixOrSuffixItem::Word(w)
            | ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => push(&w.value)?,
            // `2>/dev/null`: what it prints to the pipe is the same (a `>` redirection
            // sends nothing on, which no shape misdescribes).
            ast::CommandPrefixOrSuffixItem::IoRedirect(_) => {}
            _ => return None,
        }
    }
    Some(words)
}

/// The text of a word that is one command substitution (`$(…)`, `"$(…)"`, `` `…` ``).
fn substitution_text(raw: &str) -> Option<&str> {
    let body = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    body.strip_prefix("$(")
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| body.strip_prefix('`').and_then(|r| r.strip_suffix('`')))
}

fn literal_join(words: &[Word]) -> Option<String> {
    let parts: Option<Vec<&str>> = words.iter().map(Word::lit).collect();
    parts.map(|p| p.join(" "))
}

/// Re-quotes words so they can be appended to a script as literal arguments.
fn quote_words(words: &[Word]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| match w {
            Word::Lit(s) => format!("'{}'", s.replace('\'', "'\\''")),
            Word::Glob(s) => s.clone(),
            Word::Unknown { text, .. } => text.clone(),
        })
        .collect();
    quoted.join(" ")
}
