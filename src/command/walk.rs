//! The walk over a parsed script: every place bash can run a simple command.
//!
//! The walker keeps a small [`Scope`] per branch of execution (directory after literal
//! `cd`s, literal `$0 $1 …`, the frames that led here) and hands every simple command to
//! [`Walker::dispatch`], which records it and then looks through it: wrappers, nested
//! shells, `eval`, `xargs`, `find -exec`, `ssh`, interpreters, git aliases.
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
use super::hooks;
use super::programs;
use super::runners;
use super::shells;
use super::wrappers;
use super::{
    Analysis, Dir, ParseError, Redirect, RedirectAccess, SimpleCommand, VarRef, Via, Word,
};
use crate::git::RepoState;

/// Environment variables whose value programs run as a shell command (git, pagers,
/// editors, ssh).
const COMMAND_VARIABLES: [&str; 25] = [
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

/// `~+[/…]`, `"$PWD[/…]"`, `"${PWD}"[/…]`, `"$PWD"/…` with a plain literal tail (the
/// capture).
static WORKING_DIR_WORD: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(
    || {
        regex::Regex::new(
            r#"^(?:~\+((?:/[A-Za-z0-9._@%+=:,-]*)*)|"\$(?:PWD|\{PWD\})((?:/[A-Za-z0-9._@%+=:, -]*)*)"|"\$(?:PWD|\{PWD\})"((?:/[A-Za-z0-9._@%+=:,-]*)*))$"#,
        )
        .ok()
    },
);

/// Whether a script names `PWD` other than by expanding it (`PWD=/`, `read PWD`, `for
/// PWD in …`, `OLDPWD`).
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

fn names_pwd(script: &str) -> bool {
    script.match_indices("PWD").any(|(at, _)| {
        let before = script.get(..at).unwrap_or("");
        !(before.ends_with('$') || before.ends_with("${"))
    })
}

/// At most this many nested scripts are parsed per analysis; beyond, dynamic.
const MAX_WORK: usize = 4096;

/// Builtins that evaluate arithmetic or array subscripts found in their arguments.
const EVALUATING_BUILTINS: [&str; 17] = [
    "printf",
    "read",
    "unset",
    "test",
    "[",
    "let",
    "declare",
    "typeset",
    "local",
    "export",
    "readonly",
    "mapfile",
    "readarray",
    "wait",
    "shift",
    "exit",
    "return",
];

/// Variables that tell git where its repository and configuration are.
const GIT_LOCATION_VARIABLES: [&str; 8] = [
    // Where git finds its own commands (`git-push`, …) and the hooks a new repository
    // starts with.
    "GIT_EXEC_PATH",
    "GIT_TEMPLATE_DIR",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "HOME",
    "XDG_CONFIG_HOME",
    "GIT_CONFIG_NOSYSTEM",
];

/// A loop that changes `$1…` is walked with the values of at most this many passes
/// before they count as unknown.
const MAX_LOOP_PASSES: usize = 8;

/// Nested scripts deeper than this are not analysed further (and are dynamic).
const MAX_DEPTH: usize = 24;

/// Wrappers and frames around one command (`sudo env nice … cmd`) beyond this are refused.
const MAX_FRAMES: usize = 64;

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
    // See `heredoc`: mask quoted heredoc bodies for the parser, and keep the result only
    // if every mark was found inside a heredoc body.
    if let Some((masked, placed)) = heredoc::mask(script)
        && let Ok(analysis) =
            analyze_parsed(&masked, start, repo, positionals.clone(), Some(placed))
    {
        return Ok(analysis);
    }
    analyze_parsed(script, start, repo, positionals, None)
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
    let mut analysis = analyze_with(script, start, repo, positionals.clone())?;
    if let Some((own, label)) = shells::own_reading(shell, script) {
        let reading = analyze_with(&own, start, repo, positionals).map_err(|e| ParseError {
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

/// Parses and walks; with `marks`, fails unless exactly that many heredoc marks were met
/// inside heredoc bodies.
fn analyze_parsed(
    script: &str,
    start: &Path,
    repo: &dyn RepoState,
    positionals: Positionals,
    marks: Option<usize>,
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
        depth: 0,
        work: 0,
        expanding: Vec::new(),
        moving_functions: Vec::new(),
        functions: HashMap::new(),
        ifs_may_change: bare.contains("IFS"),
        pwd_may_change: names_pwd(&bare),
        nocase_glob: bare.contains("nocaseglob"),
        cdpath_set: false,
        heredoc_marks: 0,
        files: files::Files::default(),
        package_scripts: HashMap::new(),
        seq: 0,
        var_events: HashMap::new(),
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
    /// Whether the script may set `PWD` itself (names it other than as `$PWD`, or sets a
    /// variable whose name is only known at run time): then `~+` and `"$PWD"` are not
    /// the directory the walk follows.
    pwd_may_change: bool,
    /// Whether the script may turn on `nocaseglob`: a glob may then match names in any
    /// case (`.GI[T]` matches `.git`), so what is known of its shape does not hold.
    nocase_glob: bool,
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
}

impl Walker<'_> {
    /// Resolves redirection targets written as one quoted variable the script assigned
    /// a literal exactly once, unconditionally, before the redirection — and that the
    /// script text names nowhere else but in expansions (no `read F`, `for F in`,
    /// `unset F`, `declare F`). Anything else stays unknown (it could match a path rule).
    fn known_redirect_variables(&mut self, script: &str) {
        let events = std::mem::take(&mut self.var_events);
        let value = |v: &VarRef| -> Option<String> {
            let [(at, Some(value))] = events.get(&v.name)?.as_slice() else {
                return None;
            };
            (*at < v.at && assigned_once_by_name(script, &v.name))
                .then(|| format!("{value}{}", v.tail))
        };
        for cmd in &mut self.out {
            for r in &mut cmd.redirects {
                if let Some(known) = r.variable.as_ref().and_then(&value) {
                    r.target = Word::Lit(known);
                    r.variable = None;
                }
            }
        }
        self.var_events = events;
    }

    fn program(&mut self, program: &ast::Program, scope: &mut Scope) {
        for list in &program.complete_commands {
            self.list(list, scope);
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
        for cmd in &pipeline.seq {
            let mut sub = scope.clone();
            sub.conditional = true;
            self.command(cmd, &mut sub, &stdin);
            stdin = piped_output(cmd, &scope.positionals);
            // With `shopt -s lastpipe` the last part runs in this shell: a `cd` (or a
            // `set --`) there may change ours.
            if sub.dir != scope.dir {
                scope.dir = Dir::Unknown;
            }
            if sub.positionals != scope.positionals {
                scope.positionals = None;
            }
        }
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
                        path_redirects(self.seq, list.0.iter(), &scope.dir, &scope.positionals);
                    scope.redirects.extend(opened);
                }
                self.compound(compound, scope, &stdin);
                scope.redirects.truncate(outer);
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
                    let opened =
                        path_redirects(self.seq, list.0.iter(), &sub.dir, &sub.positionals);
                    sub.redirects.extend(opened);
                }
                self.compound(&def.body.0, &mut sub, &Stdin::Inherit);
                if let Some(list) = &def.body.1 {
                    for r in &list.0 {
                        self.redirect(r, &mut sub);
                    }
                }
                // Calling it may change the directory (or it may shadow `cd`).
                if sub.dir != scope.dir || def.fname.value == "cd" || def.fname.value == "pushd" {
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
                for w in f.values.iter().flatten() {
                    self.word(&w.value, scope);
                }
                self.repeat(&[&f.body.list], scope);
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
                let word = self.word(&w.value, scope);
                if matches!(
                    op,
                    ast::UnaryPredicate::ShellVariableIsSetAndAssigned
                        | ast::UnaryPredicate::ShellVariableIsSetAndNameRef
                ) {
                    self.evaluated_subscript(&word, scope, "[[ -v ]]");
                }
            }
            E::BinaryTest(op, a, b) => {
                let left = self.word(&a.value, scope);
                let right = self.word(&b.value, scope);
                if matches!(
                    op,
                    ast::BinaryPredicate::ArithmeticEqualTo
                        | ast::BinaryPredicate::ArithmeticNotEqualTo
                        | ast::BinaryPredicate::ArithmeticLessThan
                        | ast::BinaryPredicate::ArithmeticLessThanOrEqualTo
                        | ast::BinaryPredicate::ArithmeticGreaterThan
                        | ast::BinaryPredicate::ArithmeticGreaterThanOrEqualTo
                ) {
                    self.evaluated_subscript(&left, scope, "[[ arithmetic ]]");
                    self.evaluated_subscript(&right, scope, "[[ arithmetic ]]");
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
        if !self.pwd_may_change
            && let Some(path) = self.working_dir_word(raw, &scope.dir)
        {
            return Word::Lit(path);
        }
        self.case_blind(word)
    }

    /// With `nocaseglob` possibly on, a glob may match any spelling of a name.
    fn case_blind(&self, word: Word) -> Word {
        match word {
            Word::Glob(text) if self.nocase_glob => Word::unknown(text, true),
            other => other,
        }
    }

    /// `~+`, `"$PWD"` or `"${PWD}"`, alone or followed by a literal `/…`: the directory the
    /// command runs in, as an absolute path, when the walk knows it. (Tilde expansion is
    /// not split; unquoted `$PWD` is, so it is left unknown.)
    fn working_dir_word(&self, raw: &str, dir: &Dir) -> Option<String> {
        // Most words are neither: skip the regex (compiling it costs every judgement
        // tens of microseconds and page faults on the hot path).
        if !(raw.starts_with("~+") || raw.contains("PWD")) {
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

    /// Handles a redirect: analyses what it runs, and returns the stdin it provides.
    fn redirect(&mut self, r: &ast::IoRedirect, scope: &mut Scope) -> Option<Stdin> {
        match r {
            ast::IoRedirect::File(fd, kind, target) => {
                let reads_stdin =
                    matches!(kind, ast::IoFileRedirectKind::Read) && fd.is_none_or(|fd| fd == 0);
                match target {
                    ast::IoFileRedirectTarget::Filename(w)
                    | ast::IoFileRedirectTarget::Duplicate(w) => {
                        self.word(&w.value, scope);
                    }
                    ast::IoFileRedirectTarget::ProcessSubstitution(_, sub) => {
                        let mut inner = scope.clone();
                        inner.frames.push("<(…)".to_string());
                        self.list(&sub.list, &mut inner);
                        if reads_stdin {
                            return Some(Stdin::Dynamic(
                                "the output of a process substitution".to_string(),
                            ));
                        }
                    }
                    ast::IoFileRedirectTarget::Fd(_) => {}
                }
                reads_stdin.then_some(Stdin::File)
            }
            ast::IoRedirect::HereDocument(fd, doc) => {
                let text = if doc.requires_expansion {
                    let (text, inner) = expand::expand_heredoc(&doc.doc.value, &scope.positionals);
                    self.inner(inner, scope);
                    text
                } else {
                    self.heredoc_marks += heredoc::count_marks(&doc.doc.value);
                    Some(heredoc::restore(&doc.doc.value))
                };
                let stdin = match text {
                    Some(t) => Stdin::Literal(t),
                    None => Stdin::Dynamic("a heredoc with expansions".to_string()),
                };
                fd.is_none_or(|fd| fd == 0).then_some(stdin)
            }
            ast::IoRedirect::HereString(fd, w) => {
                let word = self.word(&w.value, scope);
                let stdin = match word {
                    Word::Lit(t) | Word::Glob(t) => Stdin::Literal(format!("{t}\n")),
                    Word::Unknown { text, .. } => {
                        Stdin::Dynamic(format!("a here-string with expansions `{text}`"))
                    }
                };
                fd.is_none_or(|fd| fd == 0).then_some(stdin)
            }
            ast::IoRedirect::OutputAndError(w, _) => {
                self.word(&w.value, scope);
                None
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
        if cmd.word_or_name.as_ref().is_some_and(|n| {
            matches!(
                n.value.as_str(),
                "export" | "declare" | "typeset" | "local" | "readonly"
            )
        }) {
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
                    };
                }
            }
        }
        // Output redirections: what this command writes where, for running it later.
        let redirects = cmd
            .prefix
            .iter()
            .flat_map(|p| p.0.iter())
            .chain(cmd.suffix.iter().flat_map(|s| s.0.iter()))
            .filter_map(|item| match item {
                ast::CommandPrefixOrSuffixItem::IoRedirect(r) => Some(r),
                _ => None,
            });
        let targets = output_targets(redirects, &scope.positionals);
        let stdin_text = match &stdin {
            Stdin::Literal(t) => Some(t.as_str()),
            _ => None,
        };
        let content = match files::literal_output(&words, stdin_text) {
            Some(text) => files::Written::Text(text),
            None => files::Written::Unknown,
        };
        // `tee FILE…` writes its stdin to each file.
        if words.first().and_then(Word::lit) == Some("tee") {
            let append = words
                .iter()
                .any(|w| matches!(w.lit(), Some("-a" | "--append")));
            for target in words
                .iter()
                .skip(1)
                .filter(|w| !w.lit().is_some_and(|t| t.starts_with('-')))
            {
                if let Some(k) = files::key(&scope.dir, target) {
                    self.files.write(k, content.clone(), append);
                }
            }
        }
        let dir = scope.dir.clone();
        // The files this command's own redirections open, for path rules.
        let outer = scope.redirects.len();
        let opened = path_redirects(
            seq,
            cmd.prefix
                .iter()
                .flat_map(|p| p.0.iter())
                .chain(cmd.suffix.iter().flat_map(|s| s.0.iter()))
                .filter_map(|item| match item {
                    ast::CommandPrefixOrSuffixItem::IoRedirect(r) => Some(r),
                    _ => None,
                }),
            &dir,
            &scope.positionals,
        );
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
        for (target, append) in targets {
            if let Some(k) = files::key(&dir, &target) {
                self.files.write(k, content.clone(), append);
            }
        }
    }

    /// Runs a file this script wrote, when `path` is one: its text as a script (or as
    /// interpreter code, by its `#!` line), the program it is a copy of, or — content
    /// only known at run time — a dynamic command. Returns whether it was one.
    fn run_written(&mut self, path: &Word, args: &[Word], scope: &mut Scope, here: bool) -> bool {
        let Some(written) = files::key(&scope.dir, path).and_then(|k| self.files.get(&k).cloned())
        else {
            return false;
        };
        self.run_content(written, path, args, scope, here);
        true
    }

    /// Runs what the script put at `path` (see [`Walker::run_written`]).
    fn run_content(
        &mut self,
        written: files::Written,
        path: &Word,
        args: &[Word],
        scope: &mut Scope,
        here: bool,
    ) {
        let frame = format!("{} (written by this script)", path.display());
        match written {
            files::Written::Text(text) => {
                let interpreter = text
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("#!"))
                    .and_then(|l| {
                        let mut parts = l.split_whitespace();
                        let first = parts.next()?;
                        let prog = first.rsplit('/').next().unwrap_or(first);
                        Some(if prog == "env" {
                            parts.next()?.to_string()
                        } else {
                            prog.to_string()
                        })
                    });
                match interpreter {
                    Some(prog) if wrappers::interpreter(&prog).is_some() => {
                        let mut sub = scope.clone();
                        sub.frames.push(frame);
                        self.interpreter(&prog, &[], &mut sub, &Stdin::Literal(text));
                    }
                    _ if here => self.nested_here(&text, scope, &frame),
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
                words.push(Word::unknown("/dev/fd/N".to_string(), false));
            }
        }
    }

    fn assignment(&mut self, a: &ast::Assignment, scope: &mut Scope) {
        match &a.value {
            ast::AssignmentValue::Scalar(w) => {
                let word = self.word(&w.value, scope);
                match &a.name {
                    ast::AssignmentName::VariableName(name) => self.variable(name, &word, scope),
                    ast::AssignmentName::ArrayElementName(name, index) => {
                        self.evaluable(&word, scope, name);
                        self.table_entry(name, index, &word, scope)
                    }
                }
            }
            ast::AssignmentValue::Array(items) => {
                for (k, v) in items {
                    let key = k.as_ref().map(|k| k.value.clone());
                    if let Some(k) = k {
                        self.word(&k.value, scope);
                    }
                    let value = self.word(&v.value, scope);
                    if let ast::AssignmentName::VariableName(name) = &a.name {
                        self.evaluable(&value, scope, name);
                    }
                    // `BASH_ALIASES+=([x]='git reset --hard')`, `declare -A BASH_CMDS=(…)`.
                    if let (ast::AssignmentName::VariableName(table), Some(key)) = (&a.name, key) {
                        let key = key
                            .trim_start_matches('[')
                            .trim_end_matches(']')
                            .to_string();
                        self.table_entry(table, &key, &value, scope);
                    }
                }
            }
        }
    }

    /// The effect of setting a variable (by assignment, `export`, `declare`, …).
    fn variable(&mut self, name: &str, value: &Word, scope: &mut Scope) {
        // For resolving redirection targets later: a literal value, when this assignment
        // certainly happens in this shell (not in a branch, loop, subshell, function,
        // nested script or after `&&`/`||`).
        let certain = scope.frames.is_empty() && !scope.conditional && !scope.in_function;
        self.var_events.entry(name.to_string()).or_default().push((
            self.seq,
            match value {
                Word::Lit(v) if certain => Some(v.clone()),
                _ => None,
            },
        ));
        if name == "IFS" {
            self.ifs_may_change = true;
        }
        // SECURITY: programs run these variables' values through a shell.
        if COMMAND_VARIABLES.contains(&name) {
            match value {
                Word::Lit(v) => {
                    self.nested(command_value(name, v), scope, &format!("{name}="), None)
                }
                other => self.dynamic(
                    scope,
                    vec![other.clone()],
                    format!("`{name}` holds a command only known at run time"),
                ),
            }
        }
        // SECURITY: these change which policy the exec guards load, or inject code into
        // every program started afterwards (the guards included).
        if name.starts_with("POLICY_EXEC_")
            || matches!(name, "XDG_CONFIG_HOME" | "LD_PRELOAD" | "LD_AUDIT")
        {
            self.dynamic(
                scope,
                vec![value.clone()],
                format!(
                    "`{name}` is set: it changes how policy-exec's guards or every program start"
                ),
            );
        }
        // An exported function (`BASH_FUNC_ls%%=() { …; }`) is defined in the next bash.
        if let (Some(f), Word::Lit(body)) = (name.strip_prefix("BASH_FUNC_"), value) {
            let f = f.trim_end_matches('%');
            self.nested(
                &format!("{f}{body}"),
                scope,
                &format!("exported function {f}"),
                None,
            );
        }
        // The next bash sources these files first: their content is not known.
        if matches!(name, "BASH_ENV" | "ENV") {
            self.dynamic(
                scope,
                vec![value.clone()],
                format!(
                    "`{name}` makes the next shell source `{}` first",
                    value.display()
                ),
            );
        }
        if GIT_LOCATION_VARIABLES.contains(&name) || name.starts_with("GIT_CONFIG") {
            scope.git_env = Some(format!(
                "`{name}` is set: git finds its repository or configuration elsewhere"
            ));
        }
        self.evaluable(value, scope, name);
        if name == "CDPATH" {
            // `cd x` may now land in any of its directories.
            self.cdpath_set = true;
        }
    }

    /// A value that bash may evaluate later (arithmetic, array subscripts, prompt
    /// expansion: `x='a[$(cmd)]'; (( x ))`) runs the substitutions in it.
    fn evaluable(&mut self, value: &Word, scope: &mut Scope, name: &str) {
        if let Word::Lit(v) = value
            && (v.contains("$(") || v.contains('`'))
        {
            let text = v.clone();
            self.nested_lenient(&text, scope, &format!("{name}= (if evaluated)"));
        }
    }

    /// A literal word that bash evaluates as a variable reference or arithmetic: only
    /// an array subscript holding a substitution (`a[$(cmd)]`) runs anything; other
    /// quoted text stays data (`printf '%s' '$(x)'`).
    fn evaluated_subscript(&mut self, word: &Word, scope: &mut Scope, frame: &str) {
        if let Word::Lit(t) = word
            && t.find('[')
                .and_then(|open| t.get(open..))
                .is_some_and(|rest| rest.contains("$(") || rest.contains('`'))
        {
            let text = t.clone();
            self.nested_lenient(&text, scope, frame);
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
            let opened = path_redirects(self.seq, list.0.iter(), &sub.dir, &sub.positionals);
            sub.redirects.extend(opened);
        }
        self.expanding.push(guard);
        self.depth += 1;
        self.compound(&body.0, &mut sub, &Stdin::Inherit);
        self.depth -= 1;
        self.expanding.pop();
    }

    /// `export NAME=value`, `declare -x NAME=value`, …: the same effects as assignments.
    fn declare(&mut self, args: &[Word], scope: &mut Scope) {
        for arg in args {
            let text = arg.display();
            let Some((name, value)) = text.split_once('=') else {
                continue;
            };
            if name.starts_with('-') {
                continue;
            }
            if !matches!(arg, Word::Lit(_)) {
                // `declare "$I=_"`: the name may be IFS (or PWD).
                self.ifs_may_change = true;
                self.pwd_may_change = true;
            }
            let value = match arg {
                Word::Lit(_) => Word::Lit(value.to_string()),
                _ => Word::unknown(value, false),
            };
            match name.split_once('[') {
                Some((table, index)) => {
                    let index = index.trim_end_matches(']').to_string();
                    self.table_entry(table, &index, &value, scope);
                }
                None => self.variable(name, &value, scope),
            }
        }
    }

    /// `BASH_ALIASES[name]=value` and `BASH_CMDS[name]=path` define what `name` runs.
    fn table_entry(&mut self, table: &str, index: &str, value: &Word, scope: &mut Scope) {
        self.arith(index, scope);
        if !matches!(table, "BASH_ALIASES" | "BASH_CMDS") {
            return;
        }
        let key = index.trim_matches(['"', '\'']).to_string();
        let value = match value {
            Word::Lit(v) => Some(v.clone()),
            _ => None,
        };
        self.aliases.insert(key, value);
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
        });
    }

    fn record(&mut self, scope: &Scope, words: Vec<Word>) {
        self.out.push(SimpleCommand {
            words,
            dir: scope.dir.clone(),
            dynamic: None,
            via: scope.via.clone(),
            frames: scope.frames.clone(),
            parse_error: None,
            redirects: scope.redirects.clone(),
        });
    }

    /// A nested script that runs in this shell (an alias, `source` of a literal, a
    /// `mapfile -C` callback): a directory change inside it may or may not have happened
    /// by the time later commands run, so it makes the directory unknown.
    fn nested_here(&mut self, script: &str, scope: &mut Scope, frame: &str) {
        if let Some(sub) = self.nested_scope(script, scope, frame, None) {
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
        self.nested_scope(script, scope, frame, positionals);
    }

    /// [`Walker::nested`], returning the scope the script ends in when it was walked.
    fn nested_scope(
        &mut self,
        script: &str,
        scope: &Scope,
        frame: &str,
        positionals: Option<Positionals>,
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
        self.program(&program, &mut sub);
        self.depth -= 1;
        Some(sub)
    }

    /// Every simple command passes through here: recorded, then looked through.
    fn dispatch(&mut self, words: Vec<Word>, scope: &mut Scope, stdin: &Stdin) {
        let Some(first) = words.first() else {
            return;
        };
        // SECURITY: each wrapper (`env env env … cmd`) is one more level of recursion;
        // a stack overflow would abort instead of failing closed.
        if scope.frames.len() >= MAX_FRAMES {
            let text: Vec<&str> = words.iter().map(Word::display).collect();
            self.unparsable(
                scope,
                &text.join(" "),
                &format!("commands wrapped more than {MAX_FRAMES} deep are not analysed"),
            );
            return;
        }
        let name = match first {
            Word::Lit(name) => name.clone(),
            other => {
                let reason = format!(
                    "the command name `{}` is only known at run time",
                    other.display()
                );
                self.dynamic(scope, words, reason);
                return;
            }
        };
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        let args: Vec<Word> = words.get(1..).unwrap_or(&[]).to_vec();
        // `./x.sh` after `echo … > x.sh`: what runs is what the script wrote.
        if name.contains('/') {
            self.run_written(&Word::Lit(name.clone()), &args, scope, false);
        } else {
            // A script may run what it copied or wrote by its bare name once it changes
            // PATH, which it can do without naming it (`declare P""ATH=…`, `printf -v`,
            // `read`): every file it wrote under that name is judged.
            for (path, written) in self.files.named(&name) {
                self.run_content(written, &Word::Lit(path), &args, scope, false);
            }
        }

        if !name.contains('/')
            && !self.expanding.contains(&name)
            && let Some(value) = self.aliases.get(&name).cloned()
        {
            match value {
                Some(value) => {
                    // An alias ending in a blank makes the next word an alias too.
                    let next = args
                        .first()
                        .and_then(Word::lit)
                        .filter(|_| value.ends_with([' ', '\t']));
                    let script = match next.and_then(|n| self.aliases.get(n).cloned().flatten()) {
                        Some(next_value) => format!(
                            "{value}{next_value} {}",
                            quote_words(args.get(1..).unwrap_or(&[]))
                        ),
                        None => format!("{value} {}", quote_words(&args)),
                    };
                    self.expanding.push(name.clone());
                    self.nested_here(&script, scope, &format!("alias {name}"));
                    self.expanding.pop();
                }
                None => self.dynamic(
                    scope,
                    words.clone(),
                    format!("`{name}` is an alias whose value is only known at run time"),
                ),
            }
        }
        if base == "git" {
            // A function named `git` runs instead of git: its body is what runs.
            if let Some(body) = self.functions.get(&name).cloned() {
                self.call(&name, &body, &args, scope);
            }
            self.git(&name, args, scope);
            return;
        }
        // `/usr/lib/git-core/git-push` is `git push`.
        if let Some(sub) = base.strip_prefix("git-")
            && wrappers::is_git_builtin(sub)
        {
            let mut git_args = vec![Word::Lit(sub.to_string())];
            git_args.extend(args);
            self.git("git", git_args, scope);
            return;
        }
        // A variable whose name is only known at run time may be IFS.
        let dynamic_target = match base.as_str() {
            "read" | "mapfile" | "readarray" => args
                .iter()
                .any(|w| !w.lit().is_some_and(|t| t.starts_with('-') || !t.is_empty())),
            "printf" => args.windows(2).any(|p| {
                p.first().and_then(Word::lit) == Some("-v")
                    && p.get(1).and_then(Word::lit).is_none()
            }),
            _ => false,
        };
        if dynamic_target {
            self.ifs_may_change = true;
            self.pwd_may_change = true;
        }
        if base == "find" {
            // find's `--` only ends its -H/-L/-P/-D/-O options; the expression after the
            // paths still counts (`find -- .git -delete` deletes).
            self.record(scope, find_without_end_of_options(&words));
        } else {
            self.record(scope, words.clone());
        }

        if self.moving_functions.contains(&name) {
            scope.dir = Dir::Unknown;
        }
        if let Some(body) = self.functions.get(&name).cloned() {
            self.call(&name, &body, &args, scope);
        }
        // Builtins that evaluate arithmetic or array subscripts in their (quoted)
        // arguments run the substitutions inside (`printf -v 'a[$(cmd)]' x`).
        if EVALUATING_BUILTINS.contains(&base.as_str()) {
            for arg in &args {
                self.evaluated_subscript(arg, scope, &format!("{base} argument"));
            }
        }
        // `NAME=value` arguments become environment variables under `set -k`, and
        // harmlessly arguments otherwise: their command-valued ones are analysed.
        if !matches!(
            base.as_str(),
            "export" | "declare" | "typeset" | "local" | "readonly"
        ) {
            for arg in &args {
                if let Word::Lit(t) = arg
                    && let Some((n, v)) = t.split_once('=')
                    && COMMAND_VARIABLES.contains(&n)
                {
                    self.nested(
                        command_value(n, v),
                        scope,
                        &format!("{n}= (argument)"),
                        None,
                    );
                }
            }
        }
        // Options whose value the program runs as a command (`tar --to-command=…`,
        // `vim -c '!…'`, `gdb -ex 'shell …'`, `ssh -o ProxyCommand=…`).
        for value in hooks::command_values(&base, &args) {
            match value {
                Word::Lit(script) => self.nested(&script, scope, &format!("{base} option"), None),
                other => self.dynamic(
                    scope,
                    vec![Word::Lit(base.clone()), other],
                    format!("`{base}` runs a command given in an option, only known at run time"),
                ),
            }
        }
        match base.as_str() {
            "cd" | "pushd" => {
                // With CDPATH set, `cd x` (not `./x`, `../x` or `/x`) searches it first.
                let searched = self.cdpath_set
                    && args
                        .iter()
                        .rev()
                        .find_map(Word::lit)
                        .is_some_and(|t| !t.starts_with(['/', '.', '-', '~']));
                scope.dir = if searched {
                    Dir::Unknown
                } else {
                    cd_target(&scope.dir, &args)
                };
            }
            // `set -- …` and `shift` change `$1…`: followed exactly where their words
            // are literal, unknown from there where they are not.
            "shift" => scope.positionals = shifted(scope.positionals.take(), &args),
            "set" => {
                if let Some(new) = set_positionals(&scope.positionals, &args, self.ifs_may_change) {
                    scope.positionals = new;
                }
            }
            "popd" => scope.dir = Dir::Unknown,
            "cp" | "mv" | "ln" | "install" => self.files.copy(&scope.dir, &args),
            "alias" => self.define_aliases(&args),
            "eval" => self.eval(&args, scope),
            "source" | "." => self.source(&args, scope, stdin),
            _ if shells::grammar(&base) == Some(shells::Grammar::Bourne) => {
                self.shell(&base, &args, scope, stdin)
            }
            _ if shells::grammar(&base) == Some(shells::Grammar::Other) => {
                self.other_shell(&base, &args, scope, stdin)
            }
            "xargs" => self.xargs(&args, scope),
            "find" => self.find_exec(&args, scope),
            "ssh" => self.ssh(&args, scope),
            "watch" => self.watch(&args, scope),
            "flock" => self.flock(&args, scope, stdin),
            "su" | "script" | "runuser" => match wrappers::dash_c_script(&args) {
                Some(wrappers::Inner::Script(s)) => {
                    self.nested(&s, scope, &format!("{base} -c"), None)
                }
                Some(wrappers::Inner::Unknown(reason)) => self.dynamic(scope, args.clone(), reason),
                // `runuser -u USER -- CMD…`
                _ if base == "runuser" => {
                    let at = args.iter().position(|w| w.lit() == Some("--"));
                    if let Some(inner) = at
                        .and_then(|at| args.get(at + 1..))
                        .filter(|r| !r.is_empty())
                    {
                        let mut sub = scope.clone();
                        sub.frames.push("runuser".into());
                        self.dispatch(inner.to_vec(), &mut sub, stdin);
                    }
                }
                _ => {}
            },
            // `gdb … --args PROG ARGS…`, `start-stop-daemon --exec PROG … -- ARGS…`
            "gdb" | "start-stop-daemon" => {
                let inner: Vec<Word> = if base == "gdb" {
                    args.iter()
                        .skip_while(|w| w.lit() != Some("--args"))
                        .skip(1)
                        .cloned()
                        .collect()
                } else {
                    let prog = args
                        .windows(2)
                        .find(|w| {
                            matches!(
                                w.first().and_then(Word::lit),
                                Some("--exec" | "-x" | "--startas" | "-a")
                            )
                        })
                        .and_then(|w| w.get(1).cloned());
                    let rest = args
                        .iter()
                        .skip_while(|w| w.lit() != Some("--"))
                        .skip(1)
                        .cloned();
                    prog.into_iter().chain(rest).collect()
                };
                if !inner.is_empty() {
                    let mut sub = scope.clone();
                    sub.frames.push(base.clone());
                    self.dispatch(inner, &mut sub, stdin);
                }
            }
            "trap" => self.trap(&args, scope),
            "export" | "declare" | "typeset" | "local" | "readonly" => self.declare(&args, scope),
            // `hash -p PATH NAME`: NAME now runs PATH.
            "hash" => {
                let lits: Vec<&str> = args
                    .iter()
                    .filter_map(Word::lit)
                    .filter(|a| *a != "--")
                    .collect();
                if let ["-p", path, names @ ..] = lits.as_slice() {
                    for n in names {
                        self.aliases
                            .insert((*n).to_string(), Some((*path).to_string()));
                    }
                }
            }
            // Callbacks run as commands: `mapfile -C CMD`, `compgen -C CMD`, `complete -C`.
            "mapfile" | "readarray" | "compgen" | "complete" => {
                for pair in args.windows(2) {
                    if let [Word::Lit(flag), Word::Lit(list)] = pair
                        && flag == "-W"
                    {
                        self.nested_lenient(list, scope, &format!("{base} -W"));
                    }
                }
                for pair in args.windows(2) {
                    if let [Word::Lit(flag), cmd] = pair
                        && (flag == "-C" || flag == "-F")
                    {
                        match cmd {
                            Word::Lit(c) => self.nested_here(c, scope, &format!("{base} -C")),
                            other => self.dynamic(
                                scope,
                                vec![other.clone()],
                                format!("`{base}` callback only known at run time"),
                            ),
                        }
                    }
                }
            }
            // History re-execution and `set -k`-style tricks: not knowable.
            "fc" => self.dynamic(
                scope,
                args.clone(),
                "`fc` re-runs commands from history".into(),
            ),
            // GNU coreutils built as one program: `coreutils --coreutils-prog=rm -rf /`.
            "coreutils" => {
                let prog = args.first().and_then(Word::lit).and_then(|a| {
                    a.strip_prefix("--coreutils-prog=")
                        .or_else(|| a.strip_prefix("--coreutils-prog-shebang="))
                });
                if let Some(prog) = prog {
                    let mut words = vec![Word::Lit(prog.to_string())];
                    words.extend(args.get(1..).unwrap_or(&[]).iter().cloned());
                    let mut sub = scope.clone();
                    sub.frames.push("coreutils".into());
                    self.dispatch(words, &mut sub, stdin);
                }
            }
            // `busybox sh -c …`, `toybox rm …`: the applet is the program.
            "busybox" | "toybox" => {
                if !args.is_empty() {
                    let mut sub = scope.clone();
                    sub.frames.push(base.clone());
                    self.dispatch(args.clone(), &mut sub, stdin);
                }
            }
            // `time -- cmd`: bash's `time` keyword accepts `--`, which reaches us as a
            // command named `--`.
            // `X=1 ! cmd` runs a command named `!` (not found): judged as `cmd` too.
            "--" | "!" => {
                if !args.is_empty() {
                    self.dispatch(args.clone(), scope, stdin);
                }
            }
            _ if wrappers::interpreter(&base).is_some() => {
                self.interpreter(&base, &args, scope, stdin);
                // `bun x PKG …` runs a package.
                if let Some(words) = runners::package_run(&base, &args) {
                    let mut sub = scope.clone();
                    sub.frames.push(base.clone());
                    self.dispatch(words, &mut sub, stdin);
                }
            }
            // `at TIME` / `batch` read the job, a shell script, from stdin (`-f FILE`
            // names a script file; -l, -r, -d, -c only list or remove jobs).
            "at" | "batch" => {
                let flags: Vec<&str> = args
                    .iter()
                    .filter_map(Word::lit)
                    .filter(|a| a.starts_with('-'))
                    .collect();
                let only_lists = flags
                    .iter()
                    .any(|f| f.contains(['l', 'r', 'd', 'c', 'V']) && !f.starts_with("--"));
                let job_file = args.iter().enumerate().find_map(|(k, w)| match w.lit() {
                    Some("-f") => args.get(k + 1).cloned(),
                    Some(t) if t.starts_with("-f") && t.len() > 2 => {
                        Some(Word::Lit(t.get(2..).unwrap_or("").to_string()))
                    }
                    _ => None,
                });
                if only_lists {
                } else if let Some(file) = job_file {
                    // `at -f FILE`: the job is FILE, as `sh FILE` (a file this script
                    // wrote is judged as what it wrote).
                    self.run_written(&file, &[], scope, false);
                } else if !flags.iter().any(|f| f.contains('f')) {
                    match stdin {
                        Stdin::Literal(text) => self.nested(text, scope, &base, None),
                        _ => self.script_from_stdin(&base, scope, stdin),
                    }
                }
            }
            // ed, ex, `vim -es`, dc: shell escapes in the commands they read.
            "ed" | "ex" | "dc" | "vim" | "vi" | "nvim"
                if hooks::line_escapes(&base, &args, None).is_some() =>
            {
                let text = match stdin {
                    Stdin::Literal(t) => Some(t.as_str()),
                    _ => None,
                };
                for command in hooks::line_escapes(&base, &args, text).unwrap_or_default() {
                    self.nested(&command, scope, &format!("{base} !"), None);
                }
                if text.is_none() && matches!(stdin, Stdin::Dynamic(_)) {
                    self.dynamic(
                        scope,
                        vec![Word::Lit(base.clone())],
                        format!(
                            "`{base}` reads commands (and shell escapes) only known at run time"
                        ),
                    );
                }
            }
            // GNU sed's `e` command and `s///e` flag run commands.
            "sed" | "gsed" => {
                for script in hooks::sed_scripts(&args) {
                    let Some(script) = script else {
                        continue;
                    };
                    for run in hooks::sed_runs(&script) {
                        match run {
                            hooks::SedRun::Script(s) => self.nested(&s, scope, "sed e", None),
                            hooks::SedRun::PatternSpace => self.dynamic(
                                scope,
                                words.clone(),
                                "`sed` runs text from its input as a command (`e`)".into(),
                            ),
                        }
                    }
                }
            }
            // Makefile text we can see: `make --eval TEXT`, `make -f -` reading a heredoc.
            "make" | "gmake" => {
                let (evals, from_stdin) = hooks::make_sources(&args);
                let mut texts: Vec<Word> = evals;
                if from_stdin {
                    texts.push(match stdin {
                        Stdin::Literal(t) => Word::Lit(t.clone()),
                        _ => Word::unknown("<makefile from stdin>", false),
                    });
                }
                // A makefile this script wrote.
                let (makefiles, chdir) = hooks::make_files(&args);
                let dir = match chdir {
                    Some(Word::Lit(d)) => join_dir(&scope.dir, &d),
                    Some(_) => Dir::Unknown,
                    None => scope.dir.clone(),
                };
                for makefile in &makefiles {
                    match files::key(&dir, makefile).and_then(|k| self.files.get(&k).cloned()) {
                        Some(files::Written::Text(t)) => texts.push(Word::Lit(t)),
                        Some(_) => texts.push(Word::unknown(makefile.display(), false)),
                        None => {}
                    }
                }
                for text in texts {
                    match text {
                        Word::Lit(t) => {
                            for recipe in hooks::makefile_recipes(&t) {
                                self.nested(&recipe, scope, "make recipe", None);
                            }
                        }
                        other => self.dynamic(
                            scope,
                            vec![Word::Lit(base.clone()), other],
                            "`make` runs recipes only known at run time".into(),
                        ),
                    }
                }
            }
            "tmux" | "screen" | "parallel" => {
                for run in runners::runs(&base, &args).unwrap_or_default() {
                    let mut sub = scope.clone();
                    sub.frames.push(base.clone());
                    match run {
                        runners::Run::Script(s) => self.nested(&s, scope, &base, None),
                        runners::Run::Words(w) => self.dispatch(w, &mut sub, &Stdin::Inherit),
                        runners::Run::Stdin => match stdin {
                            Stdin::Literal(text) => self.nested(text, scope, &base, None),
                            _ => self.script_from_stdin(&base, scope, stdin),
                        },
                        runners::Run::Unknown(reason) => self.dynamic(scope, args.clone(), reason),
                    }
                }
                // SECURITY: a backstop for options the tables do not know.
                self.could_run(&base, &args, scope);
            }
            "sg" | "capsh" => match wrappers::shell_string_command(&base, &args) {
                Some(wrappers::Inner::Script(s)) => self.nested(&s, scope, &base, None),
                Some(wrappers::Inner::Words(w)) if !w.is_empty() => {
                    let mut sub = scope.clone();
                    sub.frames.push(base.clone());
                    self.dispatch(w, &mut sub, stdin);
                }
                Some(wrappers::Inner::Unknown(reason)) => self.dynamic(scope, args.clone(), reason),
                _ => {}
            },
            "npx" | "npm" | "pnpm" | "yarn" | "pnpx" | "bunx" => {
                if let Some(wrappers::Inner::Script(s)) = wrappers::dash_c_script(&args) {
                    self.nested(&s, scope, &format!("{base} -c"), None);
                }
                for (name, value) in runners::package_scripts_set(&base, &args) {
                    self.package_scripts.insert(name, value);
                }
                if let Some(name) = runners::package_script_name(&base, &args) {
                    self.run_package_script(&name, scope);
                }
                if let Some(words) = runners::package_run(&base, &args) {
                    let mut sub = scope.clone();
                    sub.frames.push(base.clone());
                    self.dispatch(words, &mut sub, stdin);
                }
                self.could_run(&base, &args, scope);
            }
            // `rimraf x` is `rm -rf x`; `shx rm …` is `rm …`.
            _ if runners::same_as(&base, &args).is_some() => {
                if let Some(words) = runners::same_as(&base, &args) {
                    let mut sub = scope.clone();
                    sub.frames.push(format!(
                        "{base} (same as `{}`)",
                        words.first().map_or("", Word::display)
                    ));
                    self.dispatch(words, &mut sub, stdin);
                }
            }
            // `command -v NAME` / `-V`: only looks NAME up.
            "command"
                if args.first().and_then(Word::lit).is_some_and(|f| {
                    f.len() > 1
                        && f.starts_with('-')
                        && f.chars().skip(1).all(|c| matches!(c, 'v' | 'V' | 'p'))
                        && f.contains(['v', 'V'])
                }) => {}
            _ => {
                if let Some(unwrapped) = wrappers::unwrap(&base, &args) {
                    let argv0 = match base.as_str() {
                        "exec" => wrappers::exec_argv0(&args),
                        "env" => wrappers::env_argv0(&args),
                        _ => None,
                    };
                    self.wrapped(&base, unwrapped, argv0.as_deref(), scope, stdin);
                    // SECURITY: a wrong option table turns the next word into the
                    // program; what the arguments could run is judged too.
                    self.could_run(&base, &args, scope);
                } else if !programs::treats_args_as_data(&base) {
                    self.could_run(&base, &args, scope);
                }
            }
        }
    }

    /// A program we have no model of: each run of its arguments that starts at a word
    /// naming a program (`runner git push --force`), and each argument that reads as a
    /// command line (`hyperfine 'rm -rf x'`), is walked as something it could run (see
    /// `programs`). Not repeated inside what was found, so a long argv stays linear.
    fn could_run(&mut self, base: &str, args: &[Word], scope: &Scope) {
        if scope.via != Via::Direct {
            return;
        }
        let mut sub = scope.clone();
        sub.via = Via::CouldRun;
        sub.frames.push(format!("`{base}` could run its arguments"));
        // In a container, paths under a host mount name the host's files.
        let mounts = runners::container_mounts(base, args);
        let mapped: Vec<Word>;
        let args = if mounts.is_empty() {
            args
        } else {
            mapped = args.iter().map(|w| runners::on_host(w, &mounts)).collect();
            &mapped
        };
        let mut tried = 0;
        for (i, word) in args.iter().enumerate() {
            if tried >= programs::MAX_CANDIDATES {
                break;
            }
            let Word::Lit(text) = word else { continue };
            // A program name with at least one argument after it: a lone name at the
            // end (`getent group sudo`, `killall node`) is far more often data.
            if programs::names_a_program(text) && i + 1 < args.len() {
                tried += 1;
                let run = args.get(i..).unwrap_or(&[]).to_vec();
                self.dispatch(run, &mut sub.clone(), &Stdin::Inherit);
            } else if programs::reads_as_command_line(text) && parse(text).is_ok() {
                tried += 1;
                self.nested(text, &sub, &format!("`{base}` argument"), Some(None));
            }
        }
    }

    /// `npm run NAME` (and `pre`/`post` scripts) where the script defined NAME itself
    /// (`npm pkg set scripts.NAME=…`) or wrote the `package.json`.
    fn run_package_script(&mut self, name: &str, scope: &Scope) {
        let written = files::key(&scope.dir, &Word::Lit("package.json".into()))
            .and_then(|k| self.files.get(&k).cloned());
        let from_file = match &written {
            Some(files::Written::Text(t)) => runners::package_json_scripts(t),
            _ => Vec::new(),
        };
        for candidate in [
            format!("pre{name}"),
            name.to_string(),
            format!("post{name}"),
        ] {
            let value = self.package_scripts.get(&candidate).cloned().or_else(|| {
                from_file
                    .iter()
                    .find(|(k, _)| *k == candidate)
                    .map(|(_, v)| Word::Lit(v.clone()))
            });
            match value {
                Some(Word::Lit(v)) => self.nested(&v, scope, &format!("package script {candidate}"), None),
                Some(other) => self.dynamic(
                    scope,
                    vec![other],
                    format!("package script `{candidate}` is only known at run time"),
                ),
                None if candidate == name && matches!(written, Some(files::Written::Unknown)) => self.dynamic(
                    scope,
                    vec![Word::Lit(name.to_string())],
                    "runs a script from a package.json this script wrote with content only known at run time".into(),
                ),
                None => {}
            }
        }
    }

    /// A wrapper (`sudo`, `env`, `timeout`, …) around an inner command.
    fn wrapped(
        &mut self,
        base: &str,
        unwrapped: wrappers::Unwrapped,
        argv0: Option<&str>,
        scope: &mut Scope,
        stdin: &Stdin,
    ) {
        let mut sub = scope.clone();
        sub.frames.push(base.to_string());
        if let Some(dir) = &unwrapped.chdir {
            sub.dir = join_dir(&sub.dir, dir);
        }
        // `env GIT_DIR=… git …`, `sudo EDITOR=… …`: the same effects as assignments.
        for (name, value) in &unwrapped.assignments {
            self.variable(name, &Word::Lit(value.clone()), &mut sub);
        }
        match unwrapped.inner {
            wrappers::Inner::Words(inner) => {
                // `exec -a git-push git …`: a multi-call program runs what its argv[0]
                // names; the program itself is judged too.
                if let (Some(name), Some(program)) = (argv0, inner.first().and_then(Word::lit))
                    && let Some(lead) = wrappers::multi_call_as(program, name)
                {
                    let mut renamed: Vec<Word> = lead.into_iter().map(Word::Lit).collect();
                    renamed.extend(inner.get(1..).unwrap_or(&[]).iter().cloned());
                    let mut as_named = sub.clone();
                    as_named.frames.push(format!("argv[0] {name}"));
                    self.dispatch(renamed, &mut as_named, stdin);
                }
                if !inner.is_empty() {
                    self.dispatch(inner, &mut sub, stdin);
                }
                // `builtin cd x`, `command cd x`, `exec …` act in this shell.
                if matches!(base, "builtin" | "command") {
                    scope.dir = sub.dir.clone();
                    scope.positionals = sub.positionals.clone();
                    scope.git_env = sub.git_env.clone();
                }
            }
            wrappers::Inner::Script(script) => self.nested(&script, &sub, base, None),
            wrappers::Inner::Unknown(reason) => self.dynamic(&sub, Vec::new(), reason),
        }
    }

    /// `trap ACTION SIGNAL…`: bash runs ACTION later, so it counts as run.
    fn trap(&mut self, args: &[Word], scope: &mut Scope) {
        let args: Vec<&Word> = args.iter().skip_while(|w| w.lit() == Some("--")).collect();
        let Some(action) = args.first() else { return };
        if matches!(action.lit(), Some("-p" | "-l" | "-P" | "-")) || args.len() < 2 {
            return;
        }
        match action {
            // It runs later, wherever the script has moved by then.
            Word::Lit(script) => {
                let mut later = scope.clone();
                later.dir = Dir::Unknown;
                self.nested(script, &later, "trap", None)
            }
            other => self.dynamic(
                scope,
                vec![Word::Lit("trap".into()), (*other).clone()],
                "a trap action only known at run time".into(),
            ),
        }
    }

    fn define_aliases(&mut self, args: &[Word]) {
        for arg in args {
            match arg {
                Word::Lit(def) | Word::Glob(def) => {
                    if let Some((name, value)) = def.split_once('=') {
                        self.aliases
                            .insert(name.to_string(), Some(value.to_string()));
                    }
                }
                Word::Unknown { text, .. } => {
                    if let Some((name, _)) = text.split_once('=') {
                        self.aliases.insert(name.to_string(), None);
                    }
                }
            }
        }
    }

    fn eval(&mut self, args: &[Word], scope: &mut Scope) {
        match literal_join(args) {
            Some(script) => {
                // `eval` runs in the current shell: what it changes stays changed.
                if let Some(sub) = self.nested_scope(&script, scope, "eval", None) {
                    scope.dir = sub.dir;
                    scope.positionals = sub.positionals;
                    scope.git_env = sub.git_env;
                }
            }
            None => self.dynamic(
                scope,
                args.to_vec(),
                "eval of text only known at run time".to_string(),
            ),
        }
    }

    /// Runs words joined as a script when they are all literal (`ssh host CMD…`,
    /// `watch CMD…`), else records them as dynamic.
    fn nested_words(&mut self, words: Vec<Word>, sub: &Scope, frame: &str, unknown: &str) {
        match literal_join(&words) {
            Some(script) => self.nested(&script, sub, frame, None),
            None => self.dynamic(sub, words, unknown.to_string()),
        }
    }

    fn source(&mut self, args: &[Word], scope: &mut Scope, stdin: &Stdin) {
        let args = match args.first().and_then(Word::lit) {
            Some("--") => args.get(1..).unwrap_or(&[]),
            _ => args,
        };
        if let Some(path) = args.first()
            && self.run_written(path, args.get(1..).unwrap_or(&[]), scope, true)
        {
            return;
        }
        match args.first() {
            Some(Word::Lit(path)) if wrappers::is_stdin_path(path) || path == "-" => {
                match stdin {
                    // `source` runs it in this shell: a `cd` there moves us.
                    Stdin::Literal(text) => self.nested_here(text, scope, "source"),
                    _ => self.script_from_stdin("source", scope, stdin),
                }
            }
            Some(Word::Lit(path))
                if path.starts_with("/dev/fd/") || path.starts_with("/proc/self/fd/") =>
            {
                self.dynamic(
                    scope,
                    args.to_vec(),
                    format!("source of `{path}`, a script from another descriptor"),
                )
            }
            // A script file, like `./x.sh`: its commands are checked when they run.
            Some(Word::Lit(_) | Word::Glob(_)) | None => {}
            // `source <(…)` reads a script only known at run time.
            Some(Word::Unknown { text, .. }) if text == "/dev/fd/N" => self.dynamic(
                scope,
                args.to_vec(),
                "source of a process substitution, a script only known at run time".into(),
            ),
            Some(_) => {}
        }
    }

    /// A shell with a grammar of its own (`fish -c`, `csh -c`, `tcsh` reading a heredoc).
    fn other_shell(&mut self, base: &str, args: &[Word], scope: &Scope, stdin: &Stdin) {
        match shells::other_run(args) {
            shells::OtherRun::Scripts(words) => {
                for word in words {
                    match word {
                        Word::Lit(t) => self.foreign_script(base, shells::script_text(t), scope),
                        other => self.dynamic(
                            scope,
                            vec![Word::Lit(base.to_string()), other.clone()],
                            format!("`{base}` runs a script only known at run time"),
                        ),
                    }
                }
            }
            shells::OtherRun::File => {}
            shells::OtherRun::Stdin => match stdin {
                Stdin::Literal(text) => self.foreign_script(base, text, scope),
                _ => self.script_from_stdin(base, scope, stdin),
            },
        }
    }

    /// A script in another shell's grammar: read with bash's where it parses (plain
    /// commands read alike), and only known at run time unless it is plain.
    fn foreign_script(&mut self, base: &str, script: &str, scope: &Scope) {
        if parse(script).is_ok() {
            self.nested(script, scope, &format!("{base} -c"), Some(None));
        }
        if base == "pwsh"
            && let Some(deletions) = shells::pwsh_reading(script)
            && parse(&deletions).is_ok()
        {
            self.nested(&deletions, scope, "pwsh Remove-Item", Some(None));
        }
        if !shells::plain(script) {
            self.dynamic(
                scope,
                vec![Word::Lit(base.to_string()), Word::Lit(script.to_string())],
                format!("`{base}` reads its script with a grammar of its own"),
            );
        }
    }

    /// A shell that reads its script from stdin.
    fn script_from_stdin(&mut self, frame: &str, scope: &Scope, stdin: &Stdin) {
        match stdin {
            Stdin::Literal(text) => self.nested(text, scope, frame, Some(None)),
            Stdin::File => self.dynamic(
                scope,
                vec![Word::Lit(frame.to_string())],
                format!("`{frame}` reads its script from a file on standard input"),
            ),
            Stdin::Inherit => self.dynamic(
                scope,
                vec![Word::Lit(frame.to_string())],
                format!("`{frame}` reads its script from standard input"),
            ),
            Stdin::Dynamic(what) => self.dynamic(
                scope,
                vec![Word::Lit(frame.to_string())],
                format!("`{frame}` runs {what} as a script"),
            ),
        }
    }

    /// `bash|sh|zsh|dash … [-c script [$0 $1 …] | file | (stdin)]`.
    fn shell(&mut self, base: &str, args: &[Word], scope: &mut Scope, stdin: &Stdin) {
        match wrappers::shell_invocation(args) {
            wrappers::ShellRun::Script {
                script,
                positionals,
            } => match script {
                Word::Lit(s) => {
                    self.nested(&s, scope, &format!("{base} -c"), Some(positionals.clone()));
                    // SECURITY: dash reads `$'…'` as `$` and a plain quote, zsh expands
                    // `=cmd`; what they then run is judged too.
                    if let Some((own, label)) = shells::own_reading(base, &s) {
                        self.nested(
                            &own,
                            scope,
                            &format!("{base} -c ({label})"),
                            Some(positionals),
                        );
                    }
                }
                other => self.dynamic(
                    scope,
                    vec![Word::Lit(base.to_string()), other.clone()],
                    format!("`{base} -c` of a script only known at run time"),
                ),
            },
            wrappers::ShellRun::File => {
                // `bash x.sh` after writing x.sh.
                let reading =
                    super::bash_argv::read(&args.iter().map(Word::lit).collect::<Vec<_>>());
                if let Some(file) = args.get(reading.operands) {
                    let rest = args.get(reading.operands + 1..).unwrap_or(&[]).to_vec();
                    self.run_written(file, &rest, scope, false);
                }
                let operand = args
                    .iter()
                    .filter_map(Word::lit)
                    .find(|a| !a.starts_with(['-', '+']));
                if let Some(path) =
                    operand.filter(|p| p.starts_with("/dev/fd/") || p.starts_with("/proc/self/fd/"))
                {
                    self.dynamic(
                        scope,
                        args.to_vec(),
                        format!("`{base}` reads its script from `{path}`, another descriptor"),
                    );
                }
            }
            wrappers::ShellRun::Stdin => {
                self.script_from_stdin(base, scope, stdin);
                if let Stdin::Literal(text) = stdin
                    && let Some((own, label)) = shells::own_reading(base, text)
                {
                    self.nested(&own, scope, &format!("{base} ({label})"), Some(None));
                }
            }
            wrappers::ShellRun::Unknown(reason) => self.dynamic(scope, args.to_vec(), reason),
            wrappers::ShellRun::Nothing => {}
        }
    }

    fn xargs(&mut self, args: &[Word], scope: &mut Scope) {
        if let Some(inner) = wrappers::xargs_command(args) {
            let mut sub = scope.clone();
            sub.frames.push("xargs".to_string());
            self.dispatch(inner, &mut sub, &Stdin::Dynamic("xargs input".to_string()));
        }
    }

    fn find_exec(&mut self, args: &[Word], scope: &mut Scope) {
        for inner in wrappers::find_exec_commands(args) {
            let mut sub = scope.clone();
            sub.frames.push("find -exec".to_string());
            sub.dir = Dir::Unknown;
            self.dispatch(inner, &mut sub, &Stdin::Inherit);
        }
    }

    fn ssh(&mut self, args: &[Word], scope: &mut Scope) {
        if let Some(remote) = wrappers::ssh_remote(args) {
            let mut sub = scope.clone();
            sub.dir = Dir::Unknown;
            self.nested_words(remote, &sub, "ssh", "remote command only known at run time");
        }
    }

    fn watch(&mut self, args: &[Word], scope: &mut Scope) {
        if let Some((exec, inner)) = wrappers::watch_command(args) {
            let mut sub = scope.clone();
            sub.frames.push("watch".to_string());
            if exec {
                self.dispatch(inner, &mut sub, &Stdin::Inherit);
            } else {
                self.nested_words(
                    inner,
                    &sub,
                    "watch",
                    "watched command only known at run time",
                );
            }
        }
    }

    fn flock(&mut self, args: &[Word], scope: &mut Scope, stdin: &Stdin) {
        match wrappers::flock_command(args) {
            Some(wrappers::Inner::Words(inner)) => {
                let mut sub = scope.clone();
                sub.frames.push("flock".to_string());
                self.dispatch(inner, &mut sub, stdin);
            }
            Some(wrappers::Inner::Script(s)) => self.nested(&s, scope, "flock -c", None),
            Some(wrappers::Inner::Unknown(reason)) => self.dynamic(scope, args.to_vec(), reason),
            None => {}
        }
    }

    /// Inline code for an interpreter: string literals that read as shell commands are
    /// analysed, marked so that a deny or request there asks a human.
    fn interpreter(&mut self, base: &str, args: &[Word], scope: &mut Scope, stdin: &Stdin) {
        let family = wrappers::interpreter(base).unwrap_or("python");
        let code = match wrappers::interpreter_code(family, args) {
            wrappers::Code::Inline(Word::Lit(code)) => code,
            wrappers::Code::Inline(other) => {
                // `python3 -c "$code"`: code only known at run time.
                let reason = format!(
                    "`{base}` runs code only known at run time (`{}`)",
                    other.display()
                );
                self.dynamic(scope, vec![Word::Lit(base.to_string()), other], reason);
                return;
            }
            wrappers::Code::Stdin => match stdin {
                Stdin::Literal(code) => code.clone(),
                // `curl … | python3`: code only known at run time.
                Stdin::Dynamic(what) => {
                    let reason = format!("`{base}` runs {what} as code");
                    self.dynamic(scope, vec![Word::Lit(base.to_string())], reason);
                    return;
                }
                Stdin::Inherit | Stdin::File => return,
            },
            wrappers::Code::None => return,
        };
        let mut sub = scope.clone();
        sub.via = Via::InterpreterString;
        sub.frames.push(format!("{base} code"));
        let mut candidates = super::interp::shell_like_strings(&code);
        candidates.extend(super::interp::tree_deletions(&code));
        if family == "tcl" {
            candidates.extend(super::interp::tcl_commands(&code));
        }
        for candidate in candidates {
            match candidate {
                super::interp::Candidate::Script(s) => {
                    if let Ok(program) = parse(&s)
                        && self.depth < MAX_DEPTH
                    {
                        self.depth += 1;
                        self.program(&program, &mut sub.clone());
                        self.depth -= 1;
                    }
                }
                super::interp::Candidate::Argv(words) => self.dispatch(
                    words.into_iter().map(Word::Lit).collect(),
                    &mut sub.clone(),
                    &Stdin::Inherit,
                ),
            }
        }
    }

    /// git: global options removed, `-C` followed, aliases expanded (never over a
    /// built-in, as git does), then recorded; options and config that run commands are
    /// analysed.
    fn git(&mut self, program: &str, args: Vec<Word>, scope: &mut Scope) {
        // Hooks this script wrote (`.git/hooks/pre-commit`, or under a `core.hooksPath`
        // it set): git may run them now.
        let mut hooks = self.files.hooks.clone();
        if let Some(path) = self.script_git_config.get("core.hookspath").cloned() {
            hooks.extend(self.files.under(&path));
        }
        for hook in hooks {
            match hook {
                files::Written::Text(text) => {
                    self.nested(&text, scope, "git hook written by this script", None)
                }
                files::Written::Program(p) => {
                    let mut sub = scope.clone();
                    sub.frames.push("git hook written by this script".into());
                    self.dispatch(vec![Word::Lit(p)], &mut sub, &Stdin::Inherit);
                }
                files::Written::Unknown => self.dynamic(
                    scope,
                    vec![Word::Lit(program.to_string())],
                    "git may run a hook this script wrote with content only known at run time"
                        .into(),
                ),
            }
        }
        let mut sub = scope.clone();
        // `git config core.worktree X` earlier in the script: later commands act on X.
        if sub.git_env.is_none()
            && let Some(k) = ["core.worktree", "core.bare"]
                .iter()
                .find(|k| self.script_git_config.contains_key(**k))
        {
            sub.git_env = Some(format!(
                "`git config {k}` earlier in the script moves git's work tree"
            ));
        }
        // `git config include.path F` earlier: any setting (an alias, a pager, a push
        // refspec) may now come from F, which is not read here.
        if sub.git_env.is_none()
            && let Some(k) = self
                .script_git_config
                .keys()
                .find(|k| *k == "include.path" || k.starts_with("includeif."))
        {
            sub.git_env = Some(format!(
                "`git config {k}` earlier in the script includes configuration from a file"
            ));
        }
        if sub.git_env.is_some() {
            sub.dir = Dir::Unknown;
        }
        let mut words = args;
        let mut config_aliases: Vec<(String, String)> = Vec::new();
        let mut autocorrect: Option<String> = None;
        // `--git-dir=X`: aliases come from X's configuration.
        let mut alias_dir: Option<Dir> = None;
        for _ in 0..8 {
            let g = wrappers::git_globals(&words);
            for dir in &g.chdirs {
                sub.dir = match dir {
                    Some(d) => join_dir(&sub.dir, d),
                    None => Dir::Unknown,
                };
            }
            match &g.work_tree {
                Some(Some(tree)) => sub.dir = join_dir(&sub.dir, tree),
                Some(None) => sub.dir = Dir::Unknown,
                None if g.git_dir => sub.dir = Dir::Unknown,
                None => {}
            }
            // SECURITY: `-c core.pager=…` and friends make git run a shell command.
            for (key, value) in &g.config_commands {
                // Helpers and drivers written `!cmd` run `cmd` through the shell.
                let value = value.strip_prefix('!').unwrap_or(value);
                self.nested(value, &sub, &format!("git -c {key}"), None);
            }
            if let Some(path) = &g.git_dir_path {
                alias_dir = Some(join_dir(&sub.dir, path));
            }
            if let Some(reason) = g.config_unknown.clone().or_else(|| sub.git_env.clone()) {
                self.dynamic(&sub, vec![Word::Lit(program.to_string())], reason);
            }
            autocorrect = g.autocorrect.clone().or(autocorrect);
            config_aliases.extend(
                g.config_aliases
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone())),
            );
            let rest = g.rest;
            self.note_git_config(&rest, &sub);
            let mut record = vec![Word::Lit(program.to_string())];
            record.extend(rest.iter().cloned());
            let Some(Word::Lit(sub_name)) = rest.first() else {
                self.record(&sub, record);
                return;
            };
            if wrappers::is_git_builtin(sub_name) {
                if sub_name == "push"
                    && let Some(reason) = g.forced_push.clone().or_else(|| {
                        self.script_git_config
                            .iter()
                            .find(|(k, v)| {
                                k.starts_with("remote.")
                                    && ((k.ends_with(".push") && v.starts_with('+'))
                                        || (k.ends_with(".mirror")
                                            && !matches!(
                                                v.to_ascii_lowercase().as_str(),
                                                "false" | "no" | "off" | "0" | ""
                                            )))
                            })
                            .map(|(k, v)| format!("`git config {k} {v}` makes the push forced"))
                    })
                {
                    // Judge it as the forced push it is.
                    let mut forced = record.clone();
                    forced.push(Word::Lit("--force".into()));
                    let mut why = sub.clone();
                    why.frames.push(reason);
                    self.record(&why, forced);
                }
                self.record(&sub, record);
                for script in wrappers::git_subcommand_scripts(&rest) {
                    match script {
                        Word::Lit(s) => self.nested(&s, &sub, &format!("git {sub_name}"), None),
                        other => self.dynamic(
                            &sub,
                            vec![other],
                            format!("`git {sub_name}` runs a command only known at run time"),
                        ),
                    }
                }
                self.git_runs_commands(sub_name, &rest, &mut sub);
                return;
            }
            let key = sub_name.to_ascii_lowercase();
            let guard = format!("git alias {key}");
            let value = config_aliases
                .iter()
                .rev()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .or_else(|| self.script_git_aliases.get(&key).cloned())
                .or_else(|| self.repo_alias(alias_dir.as_ref().unwrap_or(&sub.dir), sub_name));
            let value = match value {
                Some(v) if !self.expanding.contains(&guard) => v,
                _ => {
                    // Not an alias: with help.autocorrect on, git runs the built-in it
                    // guesses a typo meant.
                    self.record(&sub, record);
                    let setting = autocorrect
                        .clone()
                        .or_else(|| self.script_git_config.get("help.autocorrect").cloned())
                        .or_else(|| self.repo_config(&sub.dir, "help.autocorrect"));
                    if !setting.as_deref().is_some_and(wrappers::autocorrect_runs) {
                        return;
                    }
                    for fixed in wrappers::git_autocorrections(sub_name) {
                        let mut words =
                            vec![Word::Lit(program.to_string()), Word::Lit(fixed.to_string())];
                        words.extend(rest.get(1..).unwrap_or(&[]).iter().cloned());
                        let mut guess = sub.clone();
                        guess
                            .frames
                            .push(format!("git autocorrect {sub_name} → {fixed}"));
                        self.record(&guess, words);
                    }
                    return;
                }
            };
            let tail = rest.get(1..).unwrap_or(&[]).to_vec();
            if let Some(shell) = value.strip_prefix('!') {
                // `!` aliases run through the shell with the arguments appended.
                self.record(&sub, record);
                let script = format!("{shell} {}", quote_words(&tail));
                self.expanding.push(guard);
                self.nested(&script, &sub, &format!("git alias {sub_name}"), None);
                self.expanding.pop();
                return;
            }
            // The expansion may start with global options again (`-c alias.y=… y`).
            words = split_git_alias(&value).into_iter().map(Word::Lit).collect();
            words.extend(tail);
            sub.frames.push(guard);
        }
        self.dynamic(
            &sub,
            vec![Word::Lit(program.to_string())],
            "git aliases nested more than 8 deep".into(),
        );
    }

    /// Built-ins that run commands given as operands (`git bisect run CMD…`,
    /// `git submodule foreach CMD`).
    fn git_runs_commands(&mut self, sub_name: &str, rest: &[Word], scope: &mut Scope) {
        let lits: Vec<Option<&str>> = rest.iter().map(Word::lit).collect();
        match (sub_name, lits.get(1).copied().flatten()) {
            ("bisect", Some("run")) => {
                let inner = rest.get(2..).unwrap_or(&[]).to_vec();
                if !inner.is_empty() {
                    let mut sub = scope.clone();
                    sub.frames.push("git bisect run".into());
                    self.dispatch(inner, &mut sub, &Stdin::Inherit);
                }
            }
            // A template directory's hooks are copied into the new repository, and a
            // clone runs its post-checkout hook at once.
            ("init" | "clone", _)
                if rest
                    .iter()
                    .any(|w| w.lit().is_some_and(|t| t.starts_with("--template"))) =>
            {
                self.dynamic(
                    scope,
                    rest.to_vec(),
                    format!(
                        "`git {sub_name} --template` copies hooks from a directory not read here"
                    ),
                );
            }
            ("submodule", _) => {
                let Some(at) = lits.iter().position(|w| *w == Some("foreach")) else {
                    return;
                };
                let cmd: Vec<Word> = rest
                    .get(at + 1..)
                    .unwrap_or(&[])
                    .iter()
                    .skip_while(|w| matches!(w.lit(), Some("--recursive" | "-q" | "--quiet")))
                    .cloned()
                    .collect();
                let mut sub = scope.clone();
                sub.dir = Dir::Unknown;
                self.nested_words(
                    cmd,
                    &sub,
                    "git submodule foreach",
                    "`git submodule foreach` of a command only known at run time",
                );
            }
            _ => {}
        }
    }

    /// `git config [--global|--file F|…] alias.NAME VALUE` (or `git config set …`) earlier
    /// in the script defines an alias later git commands use; a command-valued key
    /// (`core.editor`, `core.pager`, …) set this way is analysed as the script it is.
    fn note_git_config(&mut self, rest: &[Word], scope: &Scope) {
        // `git remote add --mirror[=push] NAME URL` sets `remote.NAME.mirror`: a later
        // plain `git push NAME` mirrors (forced, and deletes remote refs).
        if rest.first().and_then(Word::lit) == Some("remote")
            && rest.get(1).and_then(Word::lit) == Some("add")
        {
            let args = rest.get(2..).unwrap_or(&[]);
            let mirrors = args
                .iter()
                .filter_map(Word::lit)
                .any(|a| matches!(a, "--mirror" | "--mirror=push"));
            // `-t BRANCH` and `-m MASTER` take a value: it is not the remote's name.
            let valued = |i: usize| {
                i.checked_sub(1)
                    .and_then(|p| args.get(p))
                    .and_then(Word::lit)
                    .is_some_and(|p| matches!(p, "-t" | "--track" | "-m" | "--master"))
            };
            let name = args
                .iter()
                .enumerate()
                .find(|(i, w)| !w.lit().is_some_and(|t| t.starts_with('-')) && !valued(*i))
                .map_or("*", |(_, w)| w.display());
            if mirrors {
                self.script_git_config
                    .insert(format!("remote.{name}.mirror"), "true".into());
            }
            return;
        }
        if rest.first().and_then(Word::lit) != Some("config") {
            return;
        }
        // Operands, skipping the values of options that take one.
        let mut operands: Vec<&Word> = Vec::new();
        let mut i = 1;
        while let Some(w) = rest.get(i) {
            i += 1;
            match w.lit() {
                Some("-f" | "--file" | "--blob" | "--type" | "--default" | "--comment") => i += 1,
                Some("set" | "--add" | "--replace-all") => {}
                Some(t) if t.starts_with('-') => {}
                _ => operands.push(w),
            }
        }
        let [key, value, ..] = operands.as_slice() else {
            return;
        };
        let key = key.display().to_ascii_lowercase();
        if let Word::Lit(v) = value {
            self.script_git_config.insert(key.clone(), v.clone());
        } else if key == "include.path" || key.starts_with("includeif.") {
            self.script_git_config
                .insert(key.clone(), value.display().to_string());
        }
        if let Some(name) = key.strip_prefix("alias.") {
            let value = match value {
                Word::Lit(v) => v.clone(),
                // An alias whose value is unknown: using it runs something unknown.
                other => format!("!{}", other.display()),
            };
            self.script_git_aliases.insert(name.to_string(), value);
        } else if wrappers::is_command_key(&key) {
            match value {
                // Helpers and drivers written `!cmd` run `cmd` through the shell.
                Word::Lit(v) => self.nested(
                    v.strip_prefix('!').unwrap_or(v),
                    scope,
                    &format!("git config {key}"),
                    None,
                ),
                other => self.dynamic(
                    scope,
                    vec![(*other).clone()],
                    format!("`git config {key}` of a command only known at run time"),
                ),
            }
        }
    }

    /// Where to read git configuration for a directory (the start when it is unknown).
    fn config_dir(&self, dir: &Dir) -> PathBuf {
        match dir {
            Dir::Start | Dir::Unknown => self.start.to_path_buf(),
            Dir::Path(p) => self.start.join(p),
        }
    }

    fn repo_config(&self, dir: &Dir, key: &str) -> Option<String> {
        self.repo.git_config(&self.config_dir(dir), key)
    }

    fn repo_alias(&self, dir: &Dir, name: &str) -> Option<String> {
        self.repo.git_alias(&self.config_dir(dir), name)
    }
}

/// What a pipeline stage writes to the next: literal only for `echo`/`printf` of literals.
fn piped_output(cmd: &ast::Command, positionals: &Positionals) -> Stdin {
    let ast::Command::Simple(simple) = cmd else {
        return Stdin::Dynamic("the output of a compound command".to_string());
    };
    let mut words = Vec::new();
    if let Some(name) = &simple.word_or_name {
        words.push(expand::expand(&name.value, positionals).word);
    }
    for item in simple.suffix.iter().flat_map(|s| s.0.iter()) {
        match item {
            ast::CommandPrefixOrSuffixItem::Word(w) => {
                words.push(expand::expand(&w.value, positionals).word)
            }
            ast::CommandPrefixOrSuffixItem::IoRedirect(_) => {}
            _ => return Stdin::Dynamic("the output of a command".to_string()),
        }
    }
    let literal: Option<Vec<String>> = words.iter().map(|w| w.lit().map(str::to_string)).collect();
    match literal.as_deref() {
        Some([echo, rest @ ..]) if echo == "echo" => {
            let args: Vec<&str> = rest.iter().map(String::as_str).collect();
            Stdin::Literal(super::files::echo_output(&args))
        }
        Some([printf, fmt]) if printf == "printf" && !fmt.contains('%') => {
            Stdin::Literal(expand::decode_ansi_c(fmt))
        }
        _ => {
            let text: Vec<&str> = words.iter().map(Word::display).collect();
            Stdin::Dynamic(format!("the output of `{}`", text.join(" ")))
        }
    }
}

/// The directory after `cd ARGS`.
fn cd_target(dir: &Dir, args: &[Word]) -> Dir {
    let operands: Vec<&Word> = args
        .iter()
        .skip_while(|w| matches!(w.lit(), Some("-L" | "-P" | "-e" | "-@" | "-LP" | "-PL")))
        .collect();
    match operands.as_slice() {
        [Word::Lit(target)] | [Word::Lit(_), Word::Lit(target)]
            if target != "-" && !target.starts_with('~') =>
        {
            let target = target
                .strip_prefix("--")
                .filter(|t| t.is_empty())
                .map_or(target.as_str(), |_| "");
            if target.is_empty() {
                return Dir::Unknown;
            }
            // bash's `cd` is logical: `cd link/..` returns here, whatever `link` points
            // to (git -C, by contrast, follows the link).
            match join_dir(dir, target) {
                Dir::Path(p) => Dir::Path(std::path::PathBuf::from(
                    crate::policy::rule::normalize_path(&p.display().to_string()),
                )),
                other => other,
            }
        }
        _ => Dir::Unknown,
    }
}

/// `find [-H|-L|-P|-D x|-Ox…] -- paths expr` without the `--`, so rules about the
/// expression (`-delete`) see it.
fn find_without_end_of_options(words: &[Word]) -> Vec<Word> {
    let mut out = Vec::with_capacity(words.len());
    let mut in_options = true;
    let mut i = 0;
    while let Some(w) = words.get(i) {
        i += 1;
        if i == 1 {
            out.push(w.clone());
            continue;
        }
        if in_options {
            match w.lit() {
                Some("--") => {
                    in_options = false;
                    continue;
                }
                Some("-H" | "-L" | "-P") => {}
                Some("-D") => {
                    out.push(w.clone());
                    if let Some(v) = words.get(i) {
                        out.push(v.clone());
                        i += 1;
                    }
                    continue;
                }
                Some(t) if t.starts_with("-O") => {}
                _ => in_options = false,
            }
        }
        out.push(w.clone());
    }
    out
}

/// The files written by output redirections (`>`, `>>`, `>|`, `&>` on stdout), with
/// whether they append.
fn output_targets<'r>(
    redirects: impl Iterator<Item = &'r ast::IoRedirect>,
    positionals: &Positionals,
) -> Vec<(Word, bool)> {
    let mut out = Vec::new();
    for r in redirects {
        match r {
            ast::IoRedirect::File(fd, kind, ast::IoFileRedirectTarget::Filename(w))
                if fd.is_none_or(|fd| fd == 1) =>
            {
                let append = match kind {
                    ast::IoFileRedirectKind::Write | ast::IoFileRedirectKind::Clobber => false,
                    ast::IoFileRedirectKind::Append => true,
                    _ => continue,
                };
                out.push((expand::expand(&w.value, positionals).word, append));
            }
            ast::IoRedirect::OutputAndError(w, append) => {
                out.push((expand::expand(&w.value, positionals).word, *append));
            }
            _ => {}
        }
    }
    out
}

/// The files redirections open, with their access, for path rules: every file
/// operand (`<`, `>`, `>>`, `>|`, `<>`, `n>`, `&>`, `>&file`), whatever the descriptor.
/// Duplications of descriptors (`2>&1`, `>&-`) open no file.
fn path_redirects<'r>(
    at: usize,
    redirects: impl Iterator<Item = &'r ast::IoRedirect>,
    dir: &Dir,
    positionals: &Positionals,
) -> Vec<Redirect> {
    let mut out = Vec::new();
    for r in redirects {
        let (word, access, operator) = match r {
            ast::IoRedirect::File(fd, kind, target) => {
                let word = match target {
                    ast::IoFileRedirectTarget::Filename(w) => w,
                    // `>&word`: a file name unless it is a descriptor number or `-`.
                    ast::IoFileRedirectTarget::Duplicate(w) => {
                        let v = w.value.trim_end_matches('-');
                        if v.is_empty() || v.chars().all(|c| c.is_ascii_digit()) {
                            continue;
                        }
                        w
                    }
                    _ => continue,
                };
                let access = match kind {
                    ast::IoFileRedirectKind::Read | ast::IoFileRedirectKind::DuplicateInput => {
                        RedirectAccess::Read
                    }
                    _ => RedirectAccess::Write,
                };
                let fd = fd.map(|n| n.to_string()).unwrap_or_default();
                (word, access, format!("{fd}{kind}"))
            }
            ast::IoRedirect::OutputAndError(w, append) => (
                w,
                RedirectAccess::Write,
                if *append { "&>>" } else { "&>" }.to_string(),
            ),
            _ => continue,
        };
        let target = expand::expand(&word.value, positionals).word;
        let variable = match &target {
            Word::Unknown { .. } => {
                quoted_variable(&word.value).map(|(name, tail)| VarRef { name, tail, at })
            }
            _ => None,
        };
        out.push(Redirect {
            target,
            access,
            dir: dir.clone(),
            operator,
            variable,
        });
    }
    out
}

/// Whether `name` is a shell variable name (a letter or `_`, then letters, digits, `_`).
fn is_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `"$NAME"`, `"${NAME}"`, optionally followed inside the quotes by a plain `/…` tail:
/// the name and the tail.
fn quoted_variable(raw: &str) -> Option<(String, String)> {
    let inner = raw.strip_prefix("\"$")?.strip_suffix('"')?;
    let (name, tail) = match inner.strip_prefix('{') {
        Some(rest) => rest.split_once('}')?,
        None => {
            let end = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            inner.split_at(end)
        }
    };
    let name_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let tail_ok = tail.is_empty()
        || (tail.starts_with('/')
            && tail
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-@%+=:,".contains(c)));
    (name_ok && tail_ok).then(|| (name.to_string(), tail.to_string()))
}

/// Whether `script` names `name` only in expansions (`$NAME`, `${NAME…}`) and in exactly
/// one assignment `NAME=`: no other way to set it (`read`, `for`, `declare`, `unset`,
/// `printf -v`, `getopts`, `export NAME`, `+=`) appears anywhere.
fn assigned_once_by_name(script: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut assignments = 0;
    for (at, _) in script.match_indices(name) {
        let before = script.get(..at).unwrap_or("");
        let after = script.get(at + name.len()..).unwrap_or("");
        if before.chars().next_back().is_some_and(ident) || after.chars().next().is_some_and(ident)
        {
            continue;
        }
        if before.ends_with('$') || before.ends_with("${") {
            continue;
        }
        if after.starts_with('=') && !after.starts_with("==") {
            assignments += 1;
            continue;
        }
        return false;
    }
    assignments == 1
}

/// The command line in a command-valued variable: less's input preprocessors are written
/// `|cmd %s`, `||cmd %s` or `|-cmd`.
fn command_value<'v>(name: &str, value: &'v str) -> &'v str {
    if name.starts_with("LESS") {
        value.trim_start_matches(['|', '-'])
    } else {
        value
    }
}

/// The positionals after `shift [N]`: the first N go; more than there are is an error
/// that shifts nothing; an unknown N makes them unknown.
fn shifted(positionals: Positionals, args: &[Word]) -> Positionals {
    let mut p = positionals?;
    let n = match args.iter().find(|a| a.lit() != Some("--")) {
        None => 1,
        Some(Word::Lit(n)) => n.parse::<usize>().ok()?,
        Some(_) => return None,
    };
    if n < p.len() {
        p.drain(1..=n);
    }
    Some(p)
}

/// The positionals after `set ARGS`: `None` when they are unchanged (`set -e`, `set -o x`,
/// `set -` alone), `Some(None)` when only known at run time, else the new list (`$0`
/// kept, unknown when it was).
fn set_positionals(old: &Positionals, args: &[Word], ifs_may_change: bool) -> Option<Positionals> {
    let mut i = 0;
    let mut dashdash = false;
    while let Some(word) = args.get(i) {
        // An unknown word may be an option or the first positional.
        let Word::Lit(w) = word else {
            return Some(None);
        };
        if w == "--" {
            dashdash = true;
            i += 1;
            break;
        }
        if w == "-" {
            i += 1;
            break;
        }
        if !(w.starts_with('-') || w.starts_with('+')) || w.len() < 2 {
            break;
        }
        // `-o NAME` / `+o NAME` (also in a bundle) take the next word.
        i += 1 + usize::from(w.contains('o'));
    }
    let rest = args.get(i..).unwrap_or(&[]);
    if rest.is_empty() && !dashdash {
        return None;
    }
    let zero = old
        .as_ref()
        .and_then(|p| p.first().cloned())
        .unwrap_or_else(|| expand::UNKNOWN_POSITIONAL.to_string());
    let mut new = vec![zero];
    for word in rest {
        match word {
            Word::Lit(v) if ifs_may_change => new.push(format!("{}{v}", expand::IFS_UNCERTAIN)),
            Word::Lit(v) => new.push(v.clone()),
            // One field, value unknown.
            Word::Unknown { split: false, .. } => new.push(expand::UNKNOWN_POSITIONAL.to_string()),
            // Any number of fields: every later position is unknown too.
            _ => return Some(None),
        }
    }
    Some(Some(new))
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

/// Splits a git alias value the way git's `split_cmdline` does: whitespace separates,
/// single and double quotes group, backslash escapes.
fn split_git_alias(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote: Option<char> = None;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                has = true;
            }
            (Some(q), c) if c == q => quote = None,
            (_, '\\') if quote != Some('\'') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    has = true;
                }
            }
            (_, c) => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has {
        out.push(cur);
    }
    out
}
