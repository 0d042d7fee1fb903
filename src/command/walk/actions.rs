//! What programs that run other commands run, as their rows' actions say: shells,
//! interpreters, `xargs`, `find -exec`, `ssh`, `watch`, `flock`, `su -c`, argvs found
//! in arguments, `at` jobs, line editors' escapes, `sed e`, make recipes, runners and
//! package scripts. The programs' options and syntax are read by `programs`; this file
//! follows what they run.

use super::dispatch::Invocation;
use super::{MAX_DEPTH, literal_join, parse};
use super::{RunFile, Scope, Stdin, Walker, join_dir};
use crate::command::files;
use crate::command::programs::editors::Editor;
use crate::command::programs::interpreters::Lang;
use crate::command::programs::runners::Runner;
use crate::command::programs::{
    Options, editors, file_tools, interpreters, packages, runners, shells, wrappers,
};
use crate::command::{Dir, FindResults, Via, Word};

/// At most this many entries are looked at to see that a listing's names are plain.
const PLAIN_NAMES_LIMIT: usize = 20_000;

/// The variable an `xargs -I R sh -c SCRIPT` script reads each item as, R replaced by it.
const XARGS_ITEM: &str = "XARGS_ITEM";

impl Walker<'_> {
    /// `npm run NAME` (and `pre`/`post` scripts) where the script defined NAME itself
    /// (`npm pkg set scripts.NAME=…`) or wrote the `package.json`.
    pub(super) fn run_package_script(&mut self, name: &str, scope: &Scope) {
        let written = files::key(&scope.dir, &Word::Lit(packages::MANIFEST.into()))
            .and_then(|k| self.files.get(&k).cloned());
        let from_file = match &written {
            Some(files::Written::Text(t)) => packages::package_json_scripts(t),
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

    /// Runs words joined as a script when they are all literal (`ssh host CMD…`,
    /// `watch CMD…`), else records them as dynamic.
    pub(super) fn nested_words(
        &mut self,
        words: Vec<Word>,
        sub: &Scope,
        frame: &str,
        unknown: &str,
    ) {
        match literal_join(&words) {
            Some(script) => self.nested(&script, sub, frame, None),
            None => self.dynamic(sub, words, unknown.to_string()),
        }
    }

    /// A shell with a grammar of its own (`fish -c`, `csh -c`, `tcsh` reading a heredoc).
    pub(super) fn other_shell(&mut self, inv: &Invocation, scope: &Scope) {
        let (base, args, stdin) = (inv.base, inv.args, inv.stdin);
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
    pub(super) fn foreign_script(&mut self, base: &str, script: &str, scope: &Scope) {
        if parse(script).is_ok() {
            self.nested(script, scope, &format!("{base} -c"), Some(None));
        }
        if let Some(deletions) = shells::own_deletions(base, script)
            && parse(&deletions).is_ok()
        {
            self.nested(
                &deletions,
                scope,
                &format!("{base} Remove-Item"),
                Some(None),
            );
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
    pub(super) fn script_from_stdin(&mut self, frame: &str, scope: &Scope, stdin: &Stdin) {
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
    pub(super) fn shell(&mut self, inv: &Invocation, outer: &mut Scope) {
        let (base, args, stdin) = (inv.base, inv.args, inv.stdin);
        // What the shell runs uses its own `echo` (dash's decodes backslashes).
        let mut inner = outer.clone();
        inner.echo = shells::echo_of(base);
        let scope = &mut inner;
        self.startup_files(base, args, scope);
        match shells::shell_invocation(args) {
            shells::ShellRun::Script {
                script,
                positionals,
            } => match script {
                Word::Lit(s) => {
                    let (bash, own_shell) = shell_scopes(base, scope);
                    self.nested(&s, &bash, &format!("{base} -c"), Some(positionals.clone()));
                    // SECURITY: dash reads `$'…'` as `$` and a plain quote, zsh expands
                    // `=cmd`; what they then run is judged too.
                    if let Some((own, label)) = shells::own_reading(base, &s) {
                        self.nested(
                            &own,
                            &own_shell,
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
            shells::ShellRun::File => {
                // `bash x.sh` after writing x.sh.
                let reading = crate::command::bash_argv::read(
                    &args.iter().map(Word::lit).collect::<Vec<_>>(),
                );
                if let Some(file) = args.get(reading.operands) {
                    let rest = args.get(reading.operands + 1..).unwrap_or(&[]).to_vec();
                    let (mut bash, _) = shell_scopes(base, scope);
                    self.run_written(file, &rest, &mut bash, RunFile::Shell);
                    // SECURITY: dash reads the file's `$'…'` its own way, as for `-c`.
                    self.run_written_own_reading(base, file, &rest, scope);
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
            shells::ShellRun::Stdin => {
                let (bash, own_shell) = shell_scopes(base, scope);
                self.script_from_stdin(base, &bash, stdin);
                if let Stdin::Literal(text) = stdin
                    && let Some((own, label)) = shells::own_reading(base, text)
                {
                    self.nested(&own, &own_shell, &format!("{base} ({label})"), Some(None));
                }
            }
            shells::ShellRun::Unknown(reason) => self.dynamic(scope, args.to_vec(), reason),
            shells::ShellRun::Nothing => {}
        }
    }

    /// An interactive or login shell sources startup files before its script: its
    /// `--rcfile`/`--init-file`, else `~/.bashrc` (`-i`); the profile files (`-l`). One
    /// the script wrote is run as sourced; with a `HOME` the script may set, the home's
    /// files are only known at run time. (Files already on disk are out of reach, as
    /// for `source f`; `~/.bashrc` and the profiles are protected by path rules.)
    fn startup_files(&mut self, base: &str, args: &[Word], scope: &mut Scope) {
        let reading =
            crate::command::bash_argv::read(&args.iter().map(Word::lit).collect::<Vec<_>>());
        if !(reading.interactive || reading.login) || reading.runs_nothing() {
            return;
        }
        let mut files: Vec<Word> = Vec::new();
        let mut from_home = false;
        if reading.interactive && !reading.norc {
            match reading.rcfile.and_then(|i| args.get(i)) {
                Some(rc) => files.push(rc.clone()),
                None => {
                    files.push(Word::Lit("~/.bashrc".into()));
                    from_home = true;
                }
            }
        }
        if reading.login && !reading.noprofile {
            for f in ["~/.bash_profile", "~/.bash_login", "~/.profile"] {
                files.push(Word::Lit(f.into()));
            }
            from_home = true;
        }
        if from_home && self.text.contains("HOME=") {
            self.dynamic(
                scope,
                vec![Word::Lit(base.to_string())],
                format!("`{base}` sources startup files from a HOME the script may set"),
            );
        }
        for file in files {
            match &file {
                Word::Lit(_) => {
                    self.run_written(&file, &[], scope, RunFile::Source);
                }
                other => self.dynamic(
                    scope,
                    vec![Word::Lit(base.to_string()), other.clone()],
                    format!("`{base}` sources a startup file only known at run time"),
                ),
            }
        }
    }

    /// `xargs CMD`: CMD runs with arguments read from standard input.
    pub(super) fn xargs(&mut self, inv: &Invocation, scope: &Scope) {
        let (program, base, args) = (inv.program, inv.base, inv.args);
        if let Some((mut inner, replace)) = runners::xargs_command(&program.options, args) {
            let item = match replace {
                None => {
                    self.xargs_input(inv, &mut inner, scope);
                    None
                }
                Some(r) => self.xargs_items(inv, &mut inner, &r, scope),
            };
            // A `sh -c` script reads each item as the variable `XARGS_ITEM`, of the shape
            // every item has (as a `for` loop's variable does).
            let outer = item.and_then(|item| self.loop_shapes.insert(XARGS_ITEM.into(), item));
            self.run_argv(inv, base.to_string(), inner, scope);
            match outer {
                Some(outer) => self.loop_shapes.insert(XARGS_ITEM.into(), outer),
                None => self.loop_shapes.remove(XARGS_ITEM),
            };
        }
    }

    /// `xargs -I R CMD…`: each input item replaces R in CMD's words, as text. When the
    /// input is a listing (`find . -name '*.sh' |`) whose every name is plain now
    /// ([`Walker::listing_names_plain`]), a word that is R is one of those names, and a
    /// `sh -c` script holding R reads it as the variable [`XARGS_ITEM`] (`'wc -l {}'` as
    /// `'wc -l "$XARGS_ITEM"'`): what is known of every item is returned, to bind it;
    /// otherwise every word holding R is only known at run time.
    fn xargs_items(
        &self,
        inv: &Invocation,
        inner: &mut Vec<Word>,
        replace: &str,
        scope: &Scope,
    ) -> Option<Word> {
        let reading =
            runners::xargs_reading(runners::xargs_options(&inv.program.options, inv.args));
        let custom = reading.custom || reading.from_file;
        let listing = match (&self.piped_listing, inv.stdin) {
            (Some((piped, listing)), Stdin::Dynamic(what))
                if piped == what && !custom && self.listing_names_plain(listing, &scope.dir) =>
            {
                Some(listing)
            }
            _ => None,
        };
        let Some(listing) = listing else {
            runners::with_items(inner, replace, &Word::unknown(replace, false));
            return None;
        };
        let item = Word::Unknown {
            text: "<xargs input>".into(),
            split: false,
            pattern: listing.pattern.clone(),
            outside_git: listing.outside_git,
            existing: true,
            tracked: listing.tracked,
        };
        if let [shell, flag, script] = inner.as_slice()
            && let (Some(shell), Some("-c"), Some(script)) = (shell.lit(), flag.lit(), script.lit())
            && shells::grammar(shell.rsplit('/').next().unwrap_or(shell))
                == Some(shells::Grammar::Bourne)
            && let Some(script) = runners::with_item_variable(script, replace, XARGS_ITEM)
        {
            *inner = vec![
                Word::Lit(shell.to_string()),
                Word::Lit("-c".into()),
                Word::Lit(script),
            ];
            return Some(item);
        }
        runners::with_items(inner, replace, &item);
        None
    }

    /// Whether every name a listing can print now is plain: ASCII letters, digits and
    /// `._-+,@%:/` only, so that xargs reads it as it is (no quotes or backslashes to
    /// remove, no blank to split at) and a shell as one word with nothing to expand.
    /// Every entry under the listing's literal directory is looked at (git's index for
    /// what git lists), not only those its pattern matches; `false` when they cannot
    /// be listed (more than [`PLAIN_NAMES_LIMIT`], or not a directory). SECURITY: the
    /// tree may change between the judgement and the run; the agent runs as the same
    /// user.
    fn listing_names_plain(
        &self,
        listing: &crate::command::programs::listings::Listing,
        dir: &Dir,
    ) -> bool {
        if matches!(dir, Dir::Unknown) || !listing.files {
            return false;
        }
        let cwd = self.config_dir(dir);
        let literal: Vec<&str> = listing
            .pattern
            .split('/')
            .take_while(|c| !c.contains(['*', '?', '[', '\\']))
            .collect();
        let root = cwd.join(literal.join("/"));
        let entries = if listing.tracked {
            self.repo.tracked_entries(&root, PLAIN_NAMES_LIMIT)
        } else {
            self.repo.tree_entries(&root, PLAIN_NAMES_LIMIT)
        };
        let plain = |c: char| c.is_ascii_alphanumeric() || "._-+,@%:/".contains(c);
        entries.is_some_and(|entries| {
            entries.iter().all(|e| {
                e.strip_prefix(&cwd)
                    .unwrap_or(e)
                    .to_str()
                    .is_some_and(|name| name.chars().all(plain))
            })
        })
    }

    /// What `xargs` appends to its command (the `<xargs input>` word), when its input is
    /// known: the words of a literal text (`echo .env | xargs cat`), or the names a
    /// listing prints, by their shape (`find src -name '*.rs' | xargs grep -l x`).
    fn xargs_input(&self, inv: &Invocation, inner: &mut Vec<Word>, scope: &Scope) {
        let Some(at) = inner
            .iter()
            .position(|w| matches!(w, Word::Unknown { text, .. } if text == "<xargs input>"))
        else {
            return;
        };
        // How xargs reads its input: NUL-separated, split at another delimiter or up to
        // an end-of-file string, or from a file instead of stdin.
        let runners::XargsReading {
            nul,
            custom,
            from_file,
        } = runners::xargs_reading(runners::xargs_options(&inv.program.options, inv.args));
        // `xargs -a FILE` (a file this script did not write): its names as they are now.
        if let Some(text) = self.xargs_arg_file(inv, scope)
            && !text.contains(['\'', '"', '\\'])
            && !nul
            && !custom
        {
            inner.splice(
                at..=at,
                text.split_whitespace().map(|t| Word::Lit(t.to_string())),
            );
            return;
        }
        match inv.stdin {
            Stdin::Literal(text)
                if !nul && !custom && !from_file && !text.contains(['\'', '"', '\\']) =>
            {
                inner.splice(
                    at..=at,
                    text.split_whitespace().map(|t| Word::Lit(t.to_string())),
                );
            }
            Stdin::Dynamic(what) => {
                if let Some((piped, listing)) = &self.piped_listing
                    && piped == what
                    && !custom
                    && !from_file
                    && let Some(Word::Unknown {
                        pattern,
                        outside_git,
                        existing,
                        tracked,
                        ..
                    }) = inner.get_mut(at)
                {
                    pattern.clone_from(&listing.pattern);
                    *outside_git = listing.outside_git;
                    *existing = true;
                    *tracked = listing.tracked;
                }
            }
            _ => {}
        }
    }

    /// The text of the file `xargs -a FILE` reads, when FILE is literal: what this script
    /// wrote there, or (in a known directory) the file as it is now, when small.
    fn xargs_arg_file(&self, inv: &Invocation, scope: &Scope) -> Option<String> {
        let mut file = None;
        let own = runners::xargs_options(&inv.program.options, inv.args);
        for (i, w) in own.iter().enumerate() {
            match w.lit() {
                Some("-a" | "--arg-file") => file = own.get(i + 1),
                Some(t) if t.starts_with("--arg-file=") || t.starts_with("-a") && t.len() > 2 => {
                    return None;
                }
                _ => {}
            }
        }
        let name = file?.lit()?;
        let key = files::key(&scope.dir, file?)?;
        match self.files.get(&key) {
            Some(files::Written::Text(text)) => return Some(text.clone()),
            Some(_) => return None,
            None => {}
        }
        let path = match &scope.dir {
            Dir::Start => self.start.join(name),
            Dir::Path(p) => self.start.join(p).join(name),
            Dir::Unknown => return None,
        };
        self.repo.small_file(&path)
    }

    /// `find … -exec CMD ;`: CMD runs on results, from a directory only known then.
    pub(super) fn find_exec(&mut self, inv: &Invocation, scope: &Scope) {
        let (base, args) = (inv.base, inv.args);
        let (roots, guard) = file_tools::find_roots(args);
        let known = self.find_results(&roots, &guard, &scope.dir);
        for mut inner in file_tools::find_exec_commands(args) {
            for w in inner.iter_mut().skip(1) {
                if let Word::Unknown {
                    text,
                    split: false,
                    pattern,
                    outside_git,
                    ..
                } = w
                    && text == "{}"
                {
                    if let Some(below) = &known.below {
                        pattern.clone_from(below);
                    }
                    *outside_git = known.outside_git;
                }
            }
            let mut sub = scope.clone();
            sub.frames.push(format!("{base} -exec"));
            sub.find_results = Some(FindResults {
                roots: roots.clone(),
                dir: scope.dir.clone(),
                narrowed: guard.narrowed,
                names: guard.names.clone(),
                git_dir: known.git_dir.clone(),
            });
            sub.dir = Dir::Unknown;
            self.dispatch(inner, &mut sub, &inv.handed_on());
        }
    }

    /// What is known of `find`'s results from its starting points and tests (see
    /// [`FindKnown`]). SECURITY (known limit): git directories of other repositories
    /// under the starting points are not read.
    pub(super) fn find_results(
        &self,
        roots: &[String],
        guard: &file_tools::Guard,
        dir: &Dir,
    ) -> FindKnown {
        let mut known = FindKnown::default();
        let here = match dir {
            Dir::Start => self.start.to_path_buf(),
            Dir::Path(p) => self.start.join(p),
            Dir::Unknown => return known,
        };
        if roots.is_empty() {
            return known;
        }
        let basename = |r: &str| {
            std::path::Path::new(r)
                .file_name()
                .map_or_else(|| r.to_string(), |b| b.to_string_lossy().into_owned())
        };
        // Every result lies below a starting point when none passes the name tests.
        let first = guard.names.first().map(Vec::as_slice).unwrap_or_default();
        let globs: Option<Vec<crate::policy::glob::Glob>> = first
            .iter()
            .filter(|n| !n.contains(['/', '\\']))
            .map(|n| crate::policy::glob::Glob::new(n).ok())
            .collect();
        if let Some(globs) = globs.filter(|g| !g.is_empty() && g.len() == first.len())
            && !roots.iter().any(|r| {
                globs
                    .iter()
                    .any(|g| g.matches(&basename(r)) || g.matches(r))
            })
        {
            // Results start with the starting points' common text, never with `-`.
            let prefix = file_tools::common_prefix(roots);
            let mut pattern = if prefix.is_empty() {
                "[!-]".to_string()
            } else {
                String::new()
            };
            crate::policy::rule::escape_into(&mut pattern, prefix);
            // `find ~`: its results are `~/…` (the home directory's, as rules about `~`
            // name them), a direct child included.
            pattern.push_str(if prefix == "~" { "/*" } else { "*/" });
            match first {
                [one] => pattern.push_str(one),
                _ => pattern.push('*'),
            }
            known.below = Some(pattern);
        }
        let Some(top) = self.repo.worktree_top(&here) else {
            return known;
        };
        let absolute = |r: &str| {
            std::path::PathBuf::from(crate::policy::rule::normalize_path(
                &here.join(r).to_string_lossy(),
            ))
        };
        let in_git = |p: &std::path::Path| p.components().any(|c| c.as_os_str() == ".git");
        // Kept out of the repository's git directory by a `-name` set none of whose
        // patterns names an entry there, or by a `-path` that cannot reach it.
        let entries = self.repo.git_dir_names(&here);
        let names_keep_out = entries.as_ref().is_some_and(|entries| {
            guard.names.iter().any(|set| {
                set.iter()
                    .all(|n| !crate::git::gitdir::may_name_entry(n, entries))
            })
        });
        // `-path './src/*'` cannot reach `./.git/…`; `-not -path './.git/*'` excludes
        // all below it, and `.git` itself unless a `-name` set cannot name it.
        let names_skip_git_itself = guard.names.iter().any(|set| {
            set.iter()
                .all(|n| crate::policy::glob::Glob::new(n).map_or(true, |g| !g.matches(".git")))
        });
        let paths_keep_out = |root: &str| {
            let root = root.trim_end_matches('/');
            let inside = format!("{root}/.git/*");
            let deep = format!("{root}/.git/x/y");
            let reaching = guard.paths.iter().any(|p| {
                match (
                    crate::policy::glob::Glob::new(p),
                    crate::policy::glob::Glob::new(&inside),
                ) {
                    (Ok(p), Ok(inside)) => !p.intersects(&inside),
                    _ => false,
                }
            });
            let excluded = guard.not_paths.iter().any(|p| {
                crate::policy::glob::Glob::new(p).is_ok_and(|g| {
                    g.matches(&deep)
                        && (g.matches(&format!("{root}/.git")) || names_skip_git_itself)
                })
            });
            reaching || excluded
        };
        let holds_top = roots
            .iter()
            .any(|r| top.starts_with(absolute(r)) && !paths_keep_out(r));
        if holds_top && !names_keep_out {
            known.git_dir = Some(top.join(".git").display().to_string());
        }
        known.outside_git = (names_keep_out || roots.iter().all(|r| paths_keep_out(r)))
            && roots.iter().all(|r| {
                let abs = absolute(r);
                abs.starts_with(&top) && !in_git(&abs)
            });
        known
    }

    /// `ssh HOST CMD…`: CMD, joined, runs through the remote shell.
    pub(super) fn ssh(&mut self, inv: &Invocation, scope: &Scope) {
        let (program, base, args) = (inv.program, inv.base, inv.args);
        if let Some(remote) = runners::ssh_remote(&program.options, args) {
            let mut sub = scope.clone();
            sub.dir = Dir::Unknown;
            self.nested_words(remote, &sub, base, "remote command only known at run time");
        }
    }

    /// `watch CMD…`: CMD, joined, runs through a shell (`-x`: as an argv).
    pub(super) fn watch(&mut self, inv: &Invocation, scope: &Scope) {
        let (program, base, args) = (inv.program, inv.base, inv.args);
        if let Some((exec, inner)) = runners::watch_command(&program.options, args) {
            if exec {
                self.run_argv(inv, base.to_string(), inner, scope);
            } else {
                let mut sub = scope.clone();
                sub.frames.push(base.to_string());
                self.nested_words(inner, &sub, base, "watched command only known at run time");
            }
        }
    }

    /// `flock FILE CMD…`, `flock FILE -c SCRIPT`.
    pub(super) fn flock(&mut self, inv: &Invocation, scope: &Scope) {
        let (program, base, args) = (inv.program, inv.base, inv.args);
        match wrappers::flock_command(&program.options, args) {
            Some(wrappers::Inner::Words(inner)) => {
                self.run_argv(inv, base.to_string(), inner, scope)
            }
            Some(wrappers::Inner::Script(s)) => self.nested(&s, scope, &format!("{base} -c"), None),
            Some(wrappers::Inner::Unknown(reason)) => self.dynamic(scope, args.to_vec(), reason),
            None => {}
        }
    }

    /// Inline code for an interpreter: string literals that read as shell commands are
    /// analysed, marked so that a deny or request there asks a human.
    pub(super) fn interpreter(
        &mut self,
        lang: Lang,
        options: &Options,
        base: &str,
        args: &[Word],
        scope: &Scope,
        stdin: &Stdin,
    ) {
        if let Some(argv) = interpreters::module_command(lang, args) {
            let mut sub = scope.clone();
            sub.frames.push(format!(
                "`{base}` runs as `{}`",
                argv.first().map(Word::display).unwrap_or_default()
            ));
            self.dispatch(argv, &mut sub, stdin);
            return;
        }
        let code = match interpreters::interpreter_code(lang, options, args) {
            interpreters::Code::Inline(Word::Lit(code)) => code,
            interpreters::Code::Inline(other) => {
                // `python3 -c "$code"`: code only known at run time.
                let reason = format!(
                    "`{base}` runs code only known at run time (`{}`)",
                    other.display()
                );
                self.dynamic(scope, vec![Word::Lit(base.to_string()), other], reason);
                return;
            }
            interpreters::Code::Stdin => match stdin {
                Stdin::Literal(code) => code.clone(),
                // `curl … | python3`: code only known at run time.
                Stdin::Dynamic(what) => {
                    let reason = format!("`{base}` runs {what} as code");
                    self.dynamic(scope, vec![Word::Lit(base.to_string())], reason);
                    return;
                }
                Stdin::Inherit | Stdin::File => return,
            },
            interpreters::Code::None => {
                // `awk -f <(…)`, `python3 <(curl …)`: code from a process substitution.
                let pipe = |w: Option<&Word>| matches!(w, Some(Word::Unknown { text, .. }) if text == "/dev/fd/N");
                let from_pipe = args
                    .iter()
                    .enumerate()
                    .any(|(k, w)| w.lit() == Some("-f") && pipe(args.get(k + 1)))
                    || pipe(
                        args.iter()
                            .find(|w| !w.lit().is_some_and(|t| t.starts_with('-'))),
                    );
                if from_pipe {
                    self.dynamic(
                        scope,
                        vec![Word::Lit(base.to_string())],
                        format!("`{base}` runs code from a process substitution"),
                    );
                    return;
                }
                // A program file this script wrote (`curl -so x.py URL; python3 x.py`,
                // `awk -f x.awk`): its text is the code, or only known at run time.
                let file = args
                    .iter()
                    .enumerate()
                    .find(|(k, w)| {
                        !w.lit().is_some_and(|t| t.starts_with('-'))
                            && (*k == 0 || args.get(k - 1).and_then(Word::lit) != Some("-m"))
                    })
                    .map(|(_, w)| w);
                let awk_file = args
                    .iter()
                    .position(|w| w.lit() == Some("-f"))
                    .and_then(|k| args.get(k + 1));
                let file = if lang == Lang::Awk { awk_file } else { file };
                let written = file.and_then(|f| {
                    crate::command::files::key(&scope.dir, f)
                        .and_then(|k| self.files.get(&k).cloned())
                        .map(|w| (f.display().to_string(), w))
                });
                match written {
                    Some((_, crate::command::files::Written::Text(code))) => code,
                    Some((name, _)) => {
                        self.dynamic(
                            scope,
                            vec![Word::Lit(base.to_string()), Word::Lit(name.clone())],
                            format!(
                                "`{base}` runs `{name}`, which this script wrote with content only known at run time"
                            ),
                        );
                        return;
                    }
                    None => return,
                }
            }
        };
        // Modules the code imports that this script wrote (`import helper`), and those
        // python imports at start up (`sitecustomize.py`): their code runs too.
        if lang == Lang::Python {
            for name in interpreters::python_imports(&code) {
                self.written_module(base, &name, scope);
            }
        }
        let mut sub = scope.clone();
        sub.via = Via::InterpreterString;
        sub.frames.push(format!("{base} code"));
        let mut candidates = crate::command::interp::shell_like_strings(&code);
        candidates.extend(crate::command::interp::tree_deletions(&code));
        candidates.extend(crate::command::interp::file_deletions(&code));
        match lang {
            Lang::Tcl => {
                candidates.extend(crate::command::interp::tcl_commands(&code));
                candidates.extend(crate::command::interp::tcl_file_commands(&code));
            }
            Lang::Lua => candidates.extend(crate::command::interp::lua_long_strings(&code)),
            _ => {}
        }
        // SECURITY: a call that runs, deletes or evaluates a value the code builds.
        if let Some(reason) = crate::command::computed::dynamic_call(&code, lang) {
            self.dynamic(
                scope,
                vec![Word::Lit(base.to_string())],
                format!("`{base}` {reason}"),
            );
        }
        // Files the code writes by literal name, for path rules (as `tee -a` writes), and
        // reads, for rules about reading files (as `cat` reads). awk's `-v` variables
        // name files too.
        let code = if lang == Lang::Awk {
            crate::command::computed::awk_with_variables(&code, args)
        } else {
            code
        };
        for path in crate::command::computed::literal_writes(&code) {
            candidates.push(crate::command::interp::Candidate::Argv(vec![
                "tee".into(),
                "-a".into(),
                path,
            ]));
        }
        // A pattern the code expands itself names the files it matches, which the code
        // may then read (`[open(f).read() for f in glob.glob('.e*')]`): as `cat GLOB`.
        for glob in crate::command::computed::literal_globs(&code) {
            candidates.push(crate::command::interp::Candidate::Script(format!(
                "cat {glob}"
            )));
        }
        // The whole environment printed or handed on: as `printenv` would print it.
        if crate::command::computed::environment_dump(&code) {
            candidates.push(crate::command::interp::Candidate::Argv(vec![
                "printenv".into(),
            ]));
        }
        // Values a sourced file set (`set -a; . ./.env`), or a file the interpreter loads
        // into its environment (`node --env-file=.env`), read by the code
        // (`os.environ["SECRET"]`, `process.env.X`): what the file holds, as `cat FILE`
        // (the rules about reading it apply, as for `echo "$SECRET"` after sourcing).
        let env_files: Vec<String> = self
            .sourced
            .iter()
            .cloned()
            .chain(args.iter().enumerate().filter_map(|(k, w)| match w.lit() {
                Some("--env-file") => args.get(k + 1).and_then(Word::lit).map(str::to_string),
                Some(t) => t.strip_prefix("--env-file=").map(str::to_string),
                None => None,
            }))
            .collect();
        if !env_files.is_empty() && crate::command::computed::reads_environment(&code) {
            for file in env_files {
                candidates.push(crate::command::interp::Candidate::Argv(vec![
                    "cat".into(),
                    file,
                ]));
            }
        }
        let mut read = crate::command::computed::literal_reads(&code);
        // Any other literal path the code names may be read through a call the tables
        // do not know (`os.open`, `linecache`, `fileinput`, `createReadStream`,
        // `io.lines`): as `cat` would, for the rules about reading files.
        for path in crate::command::computed::literal_paths(&code) {
            if !read.contains(&path) {
                read.push(path);
            }
        }
        for path in read {
            candidates.push(crate::command::interp::Candidate::Argv(vec![
                "cat".into(),
                path,
            ]));
        }
        // A rename moves the path away from where it was: as removing it would.
        for path in crate::command::computed::literal_moves(&code) {
            candidates.push(crate::command::interp::Candidate::Argv(vec![
                "rm".into(),
                "-r".into(),
                path,
            ]));
        }
        self.hints(candidates, &sub);
    }

    /// Judges what code would run, each as an interpreter string (a hint: a refused one
    /// asks a human).
    fn hints(&mut self, candidates: Vec<crate::command::interp::Candidate>, sub: &Scope) {
        for candidate in candidates {
            match candidate {
                crate::command::interp::Candidate::Script(s) => {
                    if let Ok(program) = parse(&s)
                        && self.depth < MAX_DEPTH
                    {
                        self.depth += 1;
                        self.program(&program, &mut sub.clone());
                        self.depth -= 1;
                    }
                }
                crate::command::interp::Candidate::Argv(words) => self.dispatch(
                    words.into_iter().map(Word::Lit).collect(),
                    &mut sub.clone(),
                    &Stdin::Inherit,
                ),
            }
        }
    }

    /// Code the script writes to a file that some program may run later — a module an
    /// import, a test runner or an installer loads (`conftest.py`, `setup.py`,
    /// `sitecustomize.py`), a build script (`build.rs`), a makefile, a package manifest or
    /// configuration: what runs it is mostly out of reach of the walk, so the commands its
    /// string literals (and a makefile's recipes and `$(shell …)`) read as are judged
    /// where it is written, as interpreter strings. SECURITY (known limit): commands the
    /// code builds at run time are not read here (agents write such code every day).
    pub(super) fn written_code(&mut self, path: &str, content: &str, scope: &Scope) {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        let makefile = matches!(name, "Makefile" | "makefile" | "GNUmakefile") || ext == "mk";
        let code = matches!(
            ext,
            "py" | "pyw"
                | "js"
                | "mjs"
                | "cjs"
                | "ts"
                | "mts"
                | "cts"
                | "jsx"
                | "tsx"
                | "rb"
                | "gemspec"
                | "rake"
                | "pl"
                | "pm"
                | "t"
                | "php"
                | "lua"
                | "r"
                | "R"
                | "tcl"
                | "exp"
                | "rs"
                | "go"
                // Compiled and run later in the same script (`cc x.c && ./a.out`), or
                // read by python's `site` at start up (`.pth` lines that `import`).
                | "c"
                | "cc"
                | "cpp"
                | "cxx"
                | "h"
                | "hpp"
                | "java"
                | "kt"
                | "cs"
                | "swift"
                | "scala"
                | "zig"
                | "nim"
                | "pth"
                | "cmake"
                | "gdb"
                | "toml"
                | "json"
                | "cfg"
                | "ini"
                | "yaml"
                | "yml"
        ) || matches!(
            name,
            ".npmrc"
                | ".gdbinit"
                | "Rakefile"
                | "Gemfile"
                | ".pythonrc"
                | "Dockerfile"
                | "CMakeLists.txt"
        );
        let mut candidates = crate::command::interp::configured_commands(name, content);
        if !makefile && !code {
            if !candidates.is_empty() {
                let mut sub = scope.clone();
                sub.via = Via::InterpreterString;
                sub.frames.push(format!("configuration written to {path}"));
                self.hints(candidates, &sub);
            }
            return;
        }
        // A gdb command file: `shell CMD` and `!CMD` lines run CMD.
        if matches!(ext, "gdb") || name == ".gdbinit" {
            for line in content.lines() {
                let line = line.trim_start();
                if let Some(cmd) = line
                    .strip_prefix("shell ")
                    .or_else(|| line.strip_prefix('!'))
                {
                    candidates.push(crate::command::interp::Candidate::Script(cmd.to_string()));
                }
            }
        }
        if makefile {
            for line in content.lines() {
                if let Some(recipe) = line.strip_prefix('\t') {
                    let recipe = recipe.trim_start_matches(['@', '-', '+']);
                    candidates.push(crate::command::interp::Candidate::Script(
                        recipe.to_string(),
                    ));
                }
            }
            let mut rest = content;
            while let Some(at) = rest.find("$(shell ") {
                let after = rest.get(at + 8..).unwrap_or("");
                let end = after.find(')').unwrap_or(after.len());
                candidates.push(crate::command::interp::Candidate::Script(
                    after.get(..end).unwrap_or("").to_string(),
                ));
                rest = after.get(end..).unwrap_or("");
            }
        } else {
            candidates.extend(crate::command::interp::shell_like_strings(content));
            candidates.extend(crate::command::interp::tree_deletions(content));
            candidates.extend(crate::command::interp::file_deletions(content));
        }
        let mut sub = scope.clone();
        sub.via = Via::InterpreterString;
        sub.frames.push(format!("code written to {path}"));
        self.hints(candidates, &sub);
    }

    /// A module file named `name` that this script wrote, loaded by `interpreter`
    /// (`import helper`, `PERL5OPT=-MEv`): run as `interpreter FILE` would run it, its
    /// text judged as the interpreter's code.
    pub(super) fn written_module(&mut self, interpreter: &str, name: &str, scope: &Scope) {
        for (key, _) in self.files.named(name) {
            let guard = format!("module {key}");
            if self.expanding.contains(&guard) {
                continue;
            }
            let mut sub = scope.clone();
            sub.dir = Dir::Start;
            sub.frames.push(format!(
                "`{interpreter}` loads `{key}`, which this script wrote"
            ));
            self.expanding.push(guard);
            self.dispatch(
                vec![Word::Lit(interpreter.to_string()), Word::Lit(key)],
                &mut sub,
                &Stdin::Inherit,
            );
            self.expanding.pop();
        }
    }

    /// An interpreter: the code it runs, and `bun x PKG …` (a package's program).
    pub(super) fn interpreter_command(&mut self, lang: Lang, inv: &Invocation, scope: &Scope) {
        let (program, base, args, stdin) = (inv.program, inv.base, inv.args, inv.stdin);
        self.interpreter(lang, &program.options, base, args, scope, stdin);
        if let Some(words) = packages::package_run(base, args) {
            self.run_argv(inv, base.to_string(), words, scope);
        }
    }

    /// `su -c SCRIPT`, `script -c SCRIPT`; with `argv_after_dashdash`, also `runuser -u
    /// USER -- CMD…`.
    pub(super) fn command_option(
        &mut self,
        argv_after_dashdash: bool,
        inv: &Invocation,
        scope: &Scope,
    ) {
        let (base, args) = (inv.base, inv.args);
        match wrappers::dash_c_script(args) {
            Some(wrappers::Inner::Script(s)) => self.nested(&s, scope, &format!("{base} -c"), None),
            Some(wrappers::Inner::Unknown(reason)) => self.dynamic(scope, args.to_vec(), reason),
            _ if argv_after_dashdash => {
                if let Some(inner) = wrappers::after_dashdash(args) {
                    self.run_argv(inv, base.to_string(), inner.to_vec(), scope);
                }
            }
            _ => {}
        }
    }

    /// An argv found in a program's arguments (`gdb --args PROG`, a busybox applet,
    /// `rimraf x` as `rm -rf x`).
    pub(super) fn argv(&mut self, how: wrappers::Argv, inv: &Invocation, scope: &Scope) {
        let (base, args) = (inv.base, inv.args);
        let words = wrappers::argv(how, args);
        let Some(first) = words.first() else {
            return;
        };
        let frame = match how {
            wrappers::Argv::SameAs(_) => format!("{base} (same as `{}`)", first.display()),
            _ => base.to_string(),
        };
        self.run_argv(inv, frame, words, scope);
    }

    /// `sg GROUP -c SCRIPT`, `capsh … -- ARGS`.
    pub(super) fn shell_string(&mut self, inv: &Invocation, scope: &Scope) {
        let (base, args) = (inv.base, inv.args);
        match wrappers::shell_string_command(base, args) {
            Some(wrappers::Inner::Script(s)) => self.nested(&s, scope, base, None),
            Some(wrappers::Inner::Words(w)) if !w.is_empty() => {
                self.run_argv(inv, base.to_string(), w, scope)
            }
            Some(wrappers::Inner::Unknown(reason)) => self.dynamic(scope, args.to_vec(), reason),
            _ => {}
        }
    }

    /// `at TIME`, `batch`: the job, a shell script, from standard input or `-f FILE`.
    pub(super) fn at(&mut self, inv: &Invocation, scope: &mut Scope) {
        let (base, args, stdin) = (inv.base, inv.args, inv.stdin);
        match runners::at_job(args) {
            runners::Job::Nothing => {}
            // `at -f FILE`: the job is FILE, as `sh FILE` (a file this script wrote is
            // judged as what it wrote).
            runners::Job::File(file) => {
                self.run_written(&file, &[], scope, RunFile::Shell);
            }
            runners::Job::Stdin => match stdin {
                Stdin::Literal(text) => self.nested(text, scope, base, None),
                _ => self.script_from_stdin(base, scope, stdin),
            },
        }
    }

    /// ed, ex, `vim -es`, dc: shell escapes in the commands they read. (`vim FILE`
    /// reads none: a program that could run its arguments.)
    pub(super) fn line_editor(&mut self, editor: Editor, inv: &Invocation, scope: &Scope) {
        let (base, args, stdin) = (inv.base, inv.args, inv.stdin);
        // sqlite3's readfile()/writefile() read and write files: judged as `cat F` and
        // `tee F` would be (a name only partly known, `"$HOME/.ssh/id_rsa"`, by its shape).
        if editor == Editor::Sqlite {
            let texts = args
                .iter()
                .map(|a| (a.display().to_string(), a.lit().is_some()))
                .chain(match stdin {
                    Stdin::Literal(t) => Some((t.clone(), true)),
                    _ => None,
                });
            let mut sub = scope.clone();
            sub.via = Via::InterpreterString;
            sub.frames.push(format!("{base} SQL"));
            for (text, literal) in texts {
                for (writes, file) in editors::sqlite_file_calls(&text) {
                    let word = if literal && file != "*" {
                        Word::Lit(file)
                    } else {
                        Word::Unknown {
                            text: file.clone(),
                            split: false,
                            pattern: if file == "*" {
                                "*".into()
                            } else {
                                crate::paths::text_shape(&file)
                            },
                            outside_git: false,
                            existing: false,
                            tracked: false,
                        }
                    };
                    let program = if writes { "tee" } else { "cat" };
                    self.record(&sub, vec![Word::Lit(program.into()), word]);
                }
            }
        }
        // A sqlite3 argument only partly known that starts with `.shell`/`.system`.
        if editor == Editor::Sqlite {
            for command in args.iter().filter_map(editors::sqlite_unknown_escape) {
                self.nested(&command, scope, &format!("{base} !"), None);
            }
        }
        if editors::line_escapes(editor, args, None).is_none() {
            self.could_run(base, args, scope);
            return;
        }
        let text = match stdin {
            Stdin::Literal(t) => Some(t.as_str()),
            _ => None,
        };
        for command in editors::line_escapes(editor, args, text).unwrap_or_default() {
            self.nested(&command, scope, &format!("{base} !"), None);
        }

        // sqlite3 and m4 are read for escapes in what the walk sees only: SQL and m4
        // input from a pipe is too common to ask for (a known limit).
        let sees_only = matches!(editor, Editor::Sqlite | Editor::M4);
        if text.is_none() && !sees_only && matches!(stdin, Stdin::Dynamic(_)) {
            self.dynamic(
                scope,
                vec![Word::Lit(base.to_string())],
                format!("`{base}` reads commands (and shell escapes) only known at run time"),
            );
        }
    }

    /// GNU sed's `e` command and `s///e` flag run commands.
    pub(super) fn sed(&mut self, words: &[Word], args: &[Word], scope: &Scope) {
        for script in file_tools::sed_scripts(args) {
            let Some(script) = script else {
                continue;
            };
            for run in file_tools::sed_runs(&script) {
                match run {
                    file_tools::SedRun::Script(s) => self.nested(&s, scope, "sed e", None),
                    file_tools::SedRun::PatternSpace => self.dynamic(
                        scope,
                        words.to_vec(),
                        "`sed` runs text from its input as a command (`e`)".into(),
                    ),
                    // The file `w` writes, for path rules (as `tee` writes it).
                    file_tools::SedRun::Write(file) if !file.is_empty() => {
                        let mut sub = scope.clone();
                        sub.frames.push(format!("sed w {file}"));
                        self.record(&sub, vec![Word::Lit("tee".into()), Word::Lit(file)]);
                    }
                    file_tools::SedRun::Write(_) => {}
                }
            }
        }
    }

    /// Makefile text we can see: `make --eval TEXT`, `make -f -` reading a heredoc, a
    /// makefile this script wrote; its recipes run.
    pub(super) fn make(&mut self, inv: &Invocation, scope: &Scope) {
        let (base, args, stdin) = (inv.base, inv.args, inv.stdin);
        let (evals, from_stdin) = packages::make_sources(args);
        let mut texts: Vec<Word> = evals;
        if from_stdin {
            texts.push(match stdin {
                Stdin::Literal(t) => Word::Lit(t.clone()),
                _ => Word::unknown("<makefile from stdin>", false),
            });
        }
        // A makefile this script wrote.
        let (makefiles, chdir) = packages::make_files(args);
        let dir = match chdir {
            Some(Word::Lit(d)) => join_dir(&scope.dir, &d),
            Some(_) => Dir::Unknown,
            None => scope.dir.clone(),
        };
        for makefile in &makefiles {
            if makefile.lit().is_none() {
                // `make -f <(printf …)`, `make -f "$F"`: a makefile only known at run time.
                texts.push(makefile.clone());
                continue;
            }
            match files::key(&dir, makefile).and_then(|k| self.files.get(&k).cloned()) {
                Some(files::Written::Text(t)) => texts.push(Word::Lit(t)),
                Some(_) => texts.push(Word::unknown(makefile.display(), false)),
                None => {}
            }
        }
        // `make SHELL=PROG .SHELLFLAGS=FLAGS`: every recipe runs as `PROG FLAGS RECIPE`
        // (make splits that line as the shell would), those of makefiles the walk does
        // not see too. `.SHELLFLAGS` alone changes what `/bin/sh` is given.
        let (shell, flags) = packages::make_shell(args);
        let shell = match (shell, &flags) {
            (Some(shell), _) => Some(shell),
            (None, Some(_)) => Some(Word::Lit("/bin/sh".into())),
            (None, None) => None,
        };
        if let Some(shell) = shell {
            match (shell, flags.clone()) {
                (Word::Lit(shell), None | Some(Word::Lit(_))) => {
                    let flags = flags
                        .as_ref()
                        .and_then(Word::lit)
                        .unwrap_or("-c")
                        .to_string();
                    let mut recipes: Vec<String> = texts
                        .iter()
                        .filter_map(Word::lit)
                        .flat_map(packages::makefile_recipes)
                        .map(|r| format!("'{}'", r.replace('\'', r"'\''")))
                        .collect();
                    if recipes.is_empty() {
                        // The recipes of a makefile the walk does not see: a shell runs
                        // them as it would anyway; another program gets an argument only
                        // known at run time.
                        let name = shell.rsplit('/').next().unwrap_or(&shell);
                        let is_shell = matches!(
                            crate::command::programs::lookup(name).action,
                            crate::command::programs::Action::Shell(_)
                        );
                        recipes.push(if is_shell { "true" } else { "\"$MAKE_RECIPE\"" }.into());
                    }
                    let shell = format!("'{}'", shell.replace('\'', r"'\''"));
                    for recipe in recipes {
                        self.nested(
                            &format!("{shell} {flags} {recipe}"),
                            scope,
                            &format!("{base} SHELL="),
                            None,
                        );
                    }
                }
                (shell, flags) => {
                    let mut words = vec![Word::Lit(base.to_string()), shell];
                    words.extend(flags);
                    self.dynamic(
                        scope,
                        words,
                        "`make` runs its recipes with a shell only known at run time".into(),
                    );
                }
            }
        }
        for text in texts {
            match text {
                Word::Lit(t) => {
                    for recipe in packages::makefile_recipes(&t) {
                        self.nested(&recipe, scope, "make recipe", None);
                    }
                }
                other => self.dynamic(
                    scope,
                    vec![Word::Lit(base.to_string()), other],
                    "`make` runs recipes only known at run time".into(),
                ),
            }
        }
    }

    /// tmux, screen, GNU parallel: what they run, and what their arguments could run.
    pub(super) fn runner(&mut self, runner: Runner, inv: &Invocation, scope: &Scope) {
        let (program, base, args, stdin) = (inv.program, inv.base, inv.args, inv.stdin);
        for run in runners::runs(runner, &program.options, args) {
            match run {
                runners::Run::Script(s) => self.nested(&s, scope, base, None),
                runners::Run::Words(w) => self.run_argv(inv, base.to_string(), w, scope),
                runners::Run::Stdin => match stdin {
                    Stdin::Literal(text) => self.nested(text, scope, base, None),
                    _ => self.script_from_stdin(base, scope, stdin),
                },
                runners::Run::Unknown(reason) => self.dynamic(scope, args.to_vec(), reason),
            }
        }
        // SECURITY: a backstop for options the tables do not know.
        self.could_run(base, args, scope);
    }

    /// npm and the other package runners: `-c SCRIPT`, package scripts the script
    /// defined or wrote, a package's program, and what the arguments could run.
    pub(super) fn package_manager(&mut self, inv: &Invocation, scope: &Scope) {
        let (base, args) = (inv.base, inv.args);
        match packages::call_script(args) {
            Some(wrappers::Inner::Script(s)) => self.nested(&s, scope, &format!("{base} -c"), None),
            Some(wrappers::Inner::Unknown(reason)) => {
                let mut words = vec![Word::Lit(base.to_string())];
                words.extend(args.iter().cloned());
                self.dynamic(scope, words, reason);
            }
            _ => {}
        }
        for (name, value) in packages::package_scripts_set(base, args) {
            self.package_scripts.insert(name, value);
        }
        if let Some(name) = packages::package_script_name(base, args) {
            self.run_package_script(&name, scope);
        }
        if let Some(words) = packages::package_run(base, args) {
            self.run_argv(inv, base.to_string(), words, scope);
        }
        self.could_run(base, args, scope);
    }

    /// An argv a program runs, in a frame of its own, reading what the program hands it
    /// of its standard input.
    fn run_argv(&mut self, inv: &Invocation, frame: String, words: Vec<Word>, scope: &Scope) {
        let mut sub = scope.clone();
        sub.frames.push(frame);
        self.dispatch(words, &mut sub, &inv.handed_on());
    }
}

/// What the walk knows of the entries `find` hands its `-exec` commands.
#[derive(Default)]
pub(super) struct FindKnown {
    /// Their shape when every one lies below a starting point (`./*/__pycache__`).
    below: Option<String>,
    /// None lies in a `.git` directory: the starting points are in the repository,
    /// outside its git directory, and a `-name` set names nothing it holds.
    pub(super) outside_git: bool,
    /// The repository's git directory, when a starting point holds it and the tests do
    /// not keep the results out of it.
    git_dir: Option<String>,
}

/// The scopes a new shell `base` runs its script in: read as bash reads it, and as
/// `base` reads it itself (a POSIX shell's own reading: see [`Scope::posix`]).
fn shell_scopes(base: &str, scope: &Scope) -> (Scope, Scope) {
    let mut bash = scope.clone();
    bash.posix = false;
    let mut own = scope.clone();
    own.posix = shells::posix_quoting(base);
    (bash, own)
}
