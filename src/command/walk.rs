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
use super::wrappers;
use super::{Analysis, Dir, ParseError, SimpleCommand, Via, Word};
use crate::git::RepoState;

/// Environment variables whose value programs run as a shell command (git, pagers,
/// editors, ssh).
const COMMAND_VARIABLES: [&str; 10] = [
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
    positionals: Positionals,
    frames: Vec<String>,
    via: Via,
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
    let program = parse(script)?;
    let mut walker = Walker {
        start,
        repo,
        out: Vec::new(),
        aliases: HashMap::new(),
        script_git_aliases: HashMap::new(),
        depth: 0,
    };
    let mut scope = Scope {
        dir: Dir::Start,
        positionals,
        frames: Vec::new(),
        via: Via::Direct,
    };
    walker.heredoc_hazard(script, &scope);
    walker.program(&program, &mut scope);
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

/// Parses a script into brush's AST.
fn parse(script: &str) -> Result<ast::Program, ParseError> {
    if nesting_depth(script) > MAX_NESTING {
        return Err(ParseError {
            message: format!("brackets nest deeper than {MAX_NESTING} levels"),
        });
    }
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
    depth: usize,
}

impl Walker<'_> {
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
    fn list_with_stdin(&mut self, list: &ast::CompoundList, scope: &mut Scope, stdin: &Stdin) {
        for item in &list.0 {
            let aol = &item.0;
            self.pipeline(&aol.first, scope, stdin);
            for next in &aol.additional {
                match next {
                    ast::AndOr::And(p) | ast::AndOr::Or(p) => self.pipeline(p, scope, stdin),
                }
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
            self.command(cmd, &mut sub, &stdin);
            stdin = piped_output(cmd, &scope.positionals);
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
                }
                self.compound(compound, scope, &stdin);
            }
            ast::Command::Function(def) => {
                // A function body counts as run: it may be called anywhere, under any
                // name, and we do not track calls.
                let mut sub = scope.clone();
                sub.frames.push(format!("function {}", def.fname.value));
                // Inside the body `$1…` are the function's own arguments: unknown here.
                sub.positionals = sub.positionals.map(|p| p.into_iter().take(1).collect());
                self.compound(&def.body.0, &mut sub, &Stdin::Inherit);
                if let Some(list) = &def.body.1 {
                    for r in &list.0 {
                        self.redirect(r, &mut sub);
                    }
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
                self.branch(&f.body.list, scope);
            }
            C::ForClause(f) => {
                for w in f.values.iter().flatten() {
                    self.word(&w.value, scope);
                }
                self.branch(&f.body.list, scope);
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
            C::WhileClause(w) | C::UntilClause(w) => {
                self.branch(&w.0, scope);
                self.branch(&w.1.list, scope);
            }
            C::Coprocess(c) => {
                let mut sub = scope.clone();
                self.command(&c.body, &mut sub, stdin);
            }
        }
    }

    /// A list that may run zero or more times.
    fn branch(&mut self, list: &ast::CompoundList, scope: &mut Scope) {
        let mut sub = scope.clone();
        self.list(list, &mut sub);
        if sub.dir != scope.dir {
            scope.dir = Dir::Unknown;
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
            E::UnaryTest(_, w) => {
                self.word(&w.value, scope);
            }
            E::BinaryTest(_, a, b) => {
                self.word(&a.value, scope);
                self.word(&b.value, scope);
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
        let Expanded { word, inner } = expand::expand(raw, &scope.positionals);
        self.inner(inner, scope);
        word
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
                    Some(doc.doc.value.clone())
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
        let mut stdin = stdin.clone();
        let mut words = Vec::new();
        for item in cmd.prefix.iter().flat_map(|p| p.0.iter()) {
            self.item(item, scope, &mut words, &mut stdin);
        }
        if let Some(name) = &cmd.word_or_name {
            words.push(self.word(&name.value, scope));
        }
        for item in cmd.suffix.iter().flat_map(|s| s.0.iter()) {
            self.item(item, scope, &mut words, &mut stdin);
        }
        if !words.is_empty() {
            self.dispatch(words, scope, &stdin);
        }
    }

    /// One prefix or suffix item of a simple command.
    fn item(
        &mut self,
        item: &ast::CommandPrefixOrSuffixItem,
        scope: &mut Scope,
        words: &mut Vec<Word>,
        stdin: &mut Stdin,
    ) {
        match item {
            ast::CommandPrefixOrSuffixItem::Word(w) => words.push(self.word(&w.value, scope)),
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
                // SECURITY: programs run these variables' values through a shell.
                if let ast::AssignmentName::VariableName(name) = &a.name
                    && COMMAND_VARIABLES.contains(&name.as_str())
                {
                    match word {
                        Word::Lit(v) => self.nested(&v, scope, &format!("{name}="), None),
                        other => self.dynamic(
                            scope,
                            vec![other],
                            format!("`{name}` holds a command only known at run time"),
                        ),
                    }
                }
            }
            ast::AssignmentValue::Array(items) => {
                for (k, v) in items {
                    if let Some(k) = k {
                        self.word(&k.value, scope);
                    }
                    self.word(&v.value, scope);
                }
            }
        }
        if let ast::AssignmentName::ArrayElementName(_, index) = &a.name {
            self.arith(index, scope);
        }
    }

    /// Records a dynamic command: something will run that cannot be known before.
    fn dynamic(&mut self, scope: &Scope, words: Vec<Word>, reason: String) {
        self.out.push(SimpleCommand {
            words,
            dir: scope.dir.clone(),
            dynamic: Some(reason),
            via: scope.via.clone(),
            frames: scope.frames.clone(),
            parse_error: None,
        });
    }

    /// brush-parser mis-tokenizes `$(…)` and `${…}` that follow a heredoc operator on the
    /// same line (`cat <<EOF $(cmd)` loses `cmd`). Until that is fixed upstream, such a
    /// script gets a dynamic entry, so it is never allowed on a misread.
    fn heredoc_hazard(&mut self, script: &str, scope: &Scope) {
        let hazard = script.lines().any(|line| {
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
        });
    }

    /// Parses and walks a nested literal script (from `bash -c`, `eval`, `$(…)`, …).
    fn nested(
        &mut self,
        script: &str,
        scope: &Scope,
        frame: &str,
        positionals: Option<Positionals>,
    ) {
        if self.depth >= MAX_DEPTH {
            self.dynamic(
                scope,
                vec![Word::Lit(script.to_string())],
                format!("scripts nested deeper than {MAX_DEPTH} levels are not analysed"),
            );
            return;
        }
        let program = match parse(script) {
            Ok(p) => p,
            Err(e) => {
                // The outer script parsed, but this nested one does not: fail closed.
                self.unparsable(scope, script, &e.message);
                return;
            }
        };
        self.heredoc_hazard(script, scope);
        let mut sub = scope.clone();
        sub.frames.push(frame.to_string());
        if let Some(p) = positionals {
            sub.positionals = p;
        }
        self.depth += 1;
        self.program(&program, &mut sub);
        self.depth -= 1;
    }

    /// Every simple command passes through here: recorded, then looked through.
    fn dispatch(&mut self, words: Vec<Word>, scope: &mut Scope, stdin: &Stdin) {
        let Some(first) = words.first() else {
            return;
        };
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

        if !name.contains('/')
            && let Some(value) = self.aliases.get(&name).cloned()
        {
            match value {
                Some(value) => {
                    let script = format!("{value} {}", quote_words(&args));
                    self.nested(&script, scope, &format!("alias {name}"), None);
                }
                None => self.dynamic(
                    scope,
                    words.clone(),
                    format!("`{name}` is an alias whose value is only known at run time"),
                ),
            }
        }
        if base == "git" {
            self.git(&name, args, scope);
            return;
        }
        self.record(scope, words.clone());

        match base.as_str() {
            "cd" | "pushd" => scope.dir = cd_target(&scope.dir, &args),
            // `set -- …` and `shift` change `$1…`: from here they are unknown.
            "shift" => {
                scope.positionals = scope
                    .positionals
                    .take()
                    .map(|p| p.into_iter().take(1).collect())
            }
            "set"
                if args.iter().any(|a| {
                    !a.lit()
                        .is_some_and(|t| t.starts_with(['-', '+']) && t != "--" && t != "-")
                }) || args.iter().any(|a| matches!(a.lit(), Some("--" | "-"))) =>
            {
                scope.positionals = scope
                    .positionals
                    .take()
                    .map(|p| p.into_iter().take(1).collect());
            }
            "popd" => scope.dir = Dir::Unknown,
            "alias" => self.define_aliases(&args),
            "eval" => self.eval(&args, scope),
            "source" | "." => self.source(&args, scope, stdin),
            "bash" | "sh" | "zsh" | "dash" | "ksh" | "mksh" | "rbash" => {
                self.shell(&base, &args, scope, stdin)
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
                _ => {}
            },
            "trap" => self.trap(&args, scope),
            // `busybox sh -c …`: the applet is the program.
            "busybox" => {
                if !args.is_empty() {
                    let mut sub = scope.clone();
                    sub.frames.push("busybox".into());
                    self.dispatch(args.clone(), &mut sub, stdin);
                }
            }
            // `time -- cmd`: bash's `time` keyword accepts `--`, which reaches us as a
            // command named `--`.
            "--" => {
                if !args.is_empty() {
                    self.dispatch(args.clone(), scope, stdin);
                }
            }
            "python" | "python2" | "python3" | "node" | "nodejs" | "perl" | "ruby" => {
                self.interpreter(&base, &args, scope, stdin)
            }
            _ => {
                if let Some(unwrapped) = wrappers::unwrap(&base, &args) {
                    self.wrapped(&base, unwrapped, scope, stdin);
                }
            }
        }
    }

    /// A wrapper (`sudo`, `env`, `timeout`, …) around an inner command.
    fn wrapped(
        &mut self,
        base: &str,
        unwrapped: wrappers::Unwrapped,
        scope: &mut Scope,
        stdin: &Stdin,
    ) {
        let mut sub = scope.clone();
        sub.frames.push(base.to_string());
        if let Some(dir) = &unwrapped.chdir {
            sub.dir = join_dir(&sub.dir, dir);
        }
        match unwrapped.inner {
            wrappers::Inner::Words(inner) => {
                if !inner.is_empty() {
                    self.dispatch(inner, &mut sub, stdin);
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
            Word::Lit(script) => self.nested(script, scope, "trap", None),
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
                // `eval` runs in the current shell: a `cd` inside it moves us too.
                if self.depth >= MAX_DEPTH {
                    self.nested(&script, scope, "eval", None);
                    return;
                }
                match parse(&script) {
                    Ok(program) => {
                        let frames = scope.frames.clone();
                        scope.frames.push("eval".to_string());
                        self.depth += 1;
                        self.program(&program, scope);
                        self.depth -= 1;
                        scope.frames = frames;
                    }
                    Err(e) => self.unparsable(scope, &script, &e.message),
                }
            }
            None => self.dynamic(
                scope,
                args.to_vec(),
                "eval of text only known at run time".to_string(),
            ),
        }
    }

    fn source(&mut self, args: &[Word], scope: &mut Scope, stdin: &Stdin) {
        match args.first() {
            Some(Word::Lit(path)) if wrappers::is_stdin_path(path) || path == "-" => {
                self.script_from_stdin("source", scope, stdin)
            }
            Some(Word::Lit(_)) | None => {}
            Some(other) => self.dynamic(
                scope,
                args.to_vec(),
                format!("source of `{}`, only known at run time", other.display()),
            ),
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
                Word::Lit(s) => self.nested(&s, scope, &format!("{base} -c"), Some(positionals)),
                other => self.dynamic(
                    scope,
                    vec![Word::Lit(base.to_string()), other.clone()],
                    format!("`{base} -c` of a script only known at run time"),
                ),
            },
            wrappers::ShellRun::File => {}
            wrappers::ShellRun::Stdin => self.script_from_stdin(base, scope, stdin),
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
            match literal_join(&remote) {
                Some(script) => self.nested(&script, &sub, "ssh", None),
                None => self.dynamic(
                    &sub,
                    remote,
                    "remote command only known at run time".to_string(),
                ),
            }
        }
    }

    fn watch(&mut self, args: &[Word], scope: &mut Scope) {
        if let Some((exec, inner)) = wrappers::watch_command(args) {
            let mut sub = scope.clone();
            sub.frames.push("watch".to_string());
            if exec {
                self.dispatch(inner, &mut sub, &Stdin::Inherit);
            } else {
                match literal_join(&inner) {
                    Some(script) => self.nested(&script, &sub, "watch", None),
                    None => {
                        self.dynamic(&sub, inner, "watched command only known at run time".into())
                    }
                }
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
        let code = match wrappers::interpreter_code(base, args) {
            wrappers::Code::Inline(Word::Lit(code)) => code,
            wrappers::Code::Inline(_) => return,
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
        for candidate in super::interp::shell_like_strings(&code) {
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

    /// git: global options removed, `-C` followed, aliases expanded, then recorded.
    fn git(&mut self, program: &str, args: Vec<Word>, scope: &mut Scope) {
        let normalized = wrappers::git_globals(&args);
        let mut sub = scope.clone();
        for dir in &normalized.chdirs {
            sub.dir = match dir {
                Some(d) => join_dir(&sub.dir, d),
                None => Dir::Unknown,
            };
        }
        // SECURITY: `-c core.pager=…` and friends make git run a shell command.
        for (key, value) in &normalized.config_commands {
            self.nested(value, &sub, &format!("git -c {key}"), None);
        }
        let mut rest = normalized.rest;
        self.note_git_config(&rest);
        // Expand aliases (bounded: git itself refuses alias loops).
        for _ in 0..8 {
            let Some(Word::Lit(sub_name)) = rest.first() else {
                break;
            };
            let value = normalized
                .config_aliases
                .iter()
                .rev()
                .find(|(k, _)| k == sub_name)
                .map(|(_, v)| v.clone())
                .or_else(|| self.script_git_aliases.get(sub_name).cloned())
                .or_else(|| self.repo_alias(&sub.dir, sub_name));
            let Some(value) = value else {
                break;
            };
            let tail = rest.get(1..).unwrap_or(&[]).to_vec();
            if let Some(shell) = value.strip_prefix('!') {
                // `!` aliases run through the shell with the arguments appended.
                let mut words = vec![Word::Lit(program.to_string())];
                words.extend(rest.iter().cloned());
                self.record(&sub, words);
                let script = format!("{shell} {}", quote_words(&tail));
                self.nested(&script, &sub, &format!("git alias {sub_name}"), None);
                return;
            }
            let mut expanded: Vec<Word> =
                split_git_alias(&value).into_iter().map(Word::Lit).collect();
            expanded.extend(tail);
            sub.frames.push(format!("git alias {sub_name}"));
            rest = expanded;
        }
        let mut words = vec![Word::Lit(program.to_string())];
        words.extend(rest);
        self.record(&sub, words);
    }

    /// `git config [--global|--local|…] alias.NAME VALUE` (or `git config set …`) earlier in
    /// the script defines an alias that later git commands use.
    fn note_git_config(&mut self, rest: &[Word]) {
        if rest.first().and_then(Word::lit) != Some("config") {
            return;
        }
        let operands: Vec<&Word> = rest
            .iter()
            .skip(1)
            .filter(|w| !w.lit().is_some_and(|t| t.starts_with('-') || t == "set"))
            .collect();
        if let [key, value, ..] = operands.as_slice() {
            let key = key.display().to_ascii_lowercase();
            if let Some(name) = key.strip_prefix("alias.") {
                let value = match value {
                    Word::Lit(v) => v.clone(),
                    // An alias whose value is unknown: make using it a shell alias that
                    // runs something unknown.
                    other => format!("!{}", other.display()),
                };
                self.script_git_aliases.insert(name.to_string(), value);
            }
        }
    }

    fn repo_alias(&self, dir: &Dir, name: &str) -> Option<String> {
        let path = match dir {
            Dir::Start => self.start.to_path_buf(),
            Dir::Path(p) => self.start.join(p),
            Dir::Unknown => self.start.to_path_buf(),
        };
        self.repo.git_alias(&path, name)
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
            let flags: Vec<&str> = rest
                .iter()
                .map(String::as_str)
                .take_while(|a| {
                    a.len() > 1
                        && a.starts_with('-')
                        && a.chars().skip(1).all(|c| matches!(c, 'n' | 'e' | 'E'))
                })
                .collect();
            let text = rest.get(flags.len()..).unwrap_or(&[]).join(" ");
            // `echo -e` decodes backslash escapes (the last of -e/-E wins).
            let decode = flags
                .iter()
                .flat_map(|f| f.chars())
                .rfind(|c| matches!(c, 'e' | 'E'))
                == Some('e');
            let text = if decode {
                expand::decode_ansi_c(&text)
            } else {
                text
            };
            Stdin::Literal(format!("{text}\n"))
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
            join_dir(dir, target)
        }
        _ => Dir::Unknown,
    }
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
