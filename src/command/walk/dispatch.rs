//! Every simple command passes through [`Walker::dispatch`]: its name resolved, its
//! program looked up once in the table of programs, recorded, then followed as the
//! program's row says — by the walk's generic mechanisms here and in `builtins`,
//! `actions` and `git`, which know no program by name.

use std::borrow::Cow;

use super::{RunFile, Scope, Stdin, Walker, join_dir, parse, quote_words};
use crate::command::programs::editors::Editor;
use crate::command::programs::{
    self, Action, Input, Program, data, file_tools, git_editors, hooks, runners, shells, wrappers,
};
use crate::command::{Dir, Via, Word, files};

/// Wrappers and frames around one command (`sudo env nice … cmd`) beyond this are refused.
const MAX_FRAMES: usize = 64;

impl Walker<'_> {
    /// Every simple command passes through here: recorded, then looked through.
    pub(super) fn dispatch(&mut self, words: Vec<Word>, scope: &mut Scope, stdin: &Stdin) {
        let Some(name) = self.command_name(&words, scope) else {
            return;
        };
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        let args: Vec<Word> = words.get(1..).unwrap_or(&[]).to_vec();
        self.written_program(&name, &args, scope);
        self.alias(&name, &words, &args, scope);

        let program = programs::lookup(&base);
        // After `export $(…)`: a program (not a builtin of this shell) runs with an
        // environment only known at run time.
        if let Some(exported) = &scope.env_unknown
            && !BUILTINS.contains(&base.as_str())
            && !self.functions.contains_key(&name)
        {
            self.dynamic(
                scope,
                words.clone(),
                format!(
                    "`{base}` runs with variables only known at run time (`{exported}` set them: one may be PATH, LD_PRELOAD or GIT_SSH_COMMAND)"
                ),
            );
        }
        if program.action == Action::Git {
            self.git_command(&name, &base, args, scope, stdin);
            return;
        }
        // `read EDITOR`, `printf -v GIT_SEQUENCE_EDITOR …`: a command variable set to a
        // value only known at run time (a name its row says it sets, by its text: the
        // array of `read -a` and an option's value are among them).
        for name in program.assigns.literal_names(&args) {
            let name = name.split('[').next().unwrap_or(name);
            if programs::is_command_variable(name) {
                let value = Word::unknown(format!("the value `{base}` gives {name}"), false);
                self.variable(name, &value, scope);
            }
        }
        // A variable whose name is only known at run time may be IFS.
        if program.assigns.may_set_unknown(&args) {
            self.ifs_may_change = true;
            self.pwd_may_change = true;
            // It may be GLOBIGNORE.
            self.dot_glob = true;
        }
        // `shopt -s "$o"`: any option, the glob ones and `xpg_echo` included.
        if base == "shopt" && args.iter().any(|a| a.lit().is_none()) {
            self.nocase_glob = true;
            self.dot_glob = true;
            self.glob_star = true;
            self.xpg_echo = true;
        }
        if base == "dd" {
            self.copied_from_stdin(&base, &args, stdin, scope);
        }
        if base == "set" {
            let traced = args.iter().enumerate().any(|(i, a)| {
                a.lit().is_some_and(|t| {
                    (t.starts_with('-') && !t.starts_with("--") && t.contains(['v', 'x']))
                        || (t == "-o"
                            && matches!(
                                args.get(i + 1).and_then(Word::lit),
                                Some("verbose" | "xtrace")
                            ))
                })
            });
            self.shell_traces |= traced;
        }
        // A command that prints the whole environment (`env`, `env -0`, `export -p`,
        // `declare -px`, `typeset -x`, `compgen -e`, BSD `ps e`) is judged as the
        // `printenv` it amounts to, so one rule about printing the environment covers
        // every spelling; after `set -a; . ./.env` it prints what the file set.
        let dumps = programs::environment::prints_whole(&base, &args);
        // (Not when its output goes to /dev/null: Claude Code's snapshot script sources
        // the user's rc file, then runs `export -p > /dev/null`.)
        let discarded = scope.redirects.iter().any(|r| {
            matches!(r.operator.as_str(), ">" | "1>" | ">|" | "&>" | ">>")
                && r.target.lit() == Some("/dev/null")
        });
        if dumps && !discarded && !self.env_filtered && base != "printenv" {
            let mut sub = scope.clone();
            sub.frames.push(match &self.sourced {
                Some(file) => {
                    format!("`{base}` prints the whole environment, after `source {file}`")
                }
                None => format!("`{base}` prints the whole environment"),
            });
            self.record(&sub, vec![Word::Lit("printenv".into())]);
        }
        // `${!v}` with `v` only known at run time is the value of any variable:
        // `compgen -v | while read v; do echo "$v=${!v}"; done` prints them all.
        if !discarded
            && programs::environment::passes_values_on(&base)
            && let Some(Word::Unknown { text, .. }) = args.iter().find(|a| {
                matches!(a, Word::Unknown { text, .. } if programs::environment::indirect_value(text))
            })
        {
            let mut sub = scope.clone();
            sub.frames.push(format!(
                "`{text}` is the value of a variable named only at run time, any of them"
            ));
            self.record(&sub, vec![Word::Lit("printenv".into())]);
        }
        // `source .env && echo "$SECRET"`: a value the file set, printed one at a time,
        // is what the file holds: judged as reading the file (`cat FILE`), so the rules
        // about reading it (the secrets pack's) apply, and `. venv/bin/activate; echo
        // "$VIRTUAL_ENV"` stays allowed.
        let prints_values = match base.as_str() {
            "echo" | "printf" => args.iter().any(|a| matches!(a, Word::Unknown { .. })),
            "printenv" => !dumps,
            "declare" | "typeset" | "export" | "readonly" => {
                !dumps
                    && args.iter().any(|a| {
                        a.lit()
                            .is_some_and(|t| t.starts_with('-') && t.contains('p'))
                    })
            }
            "compgen" => args.iter().any(|a| a.lit() == Some("-v")),
            _ => false,
        };
        if prints_values
            && !discarded
            && let Some(file) = self.sourced.clone()
        {
            let mut sub = scope.clone();
            sub.frames
                .push(format!("printing what `source {file}` set"));
            self.record(&sub, vec![Word::Lit("cat".into()), Word::Lit(file)]);
        }
        if program.action == Action::FindExec {
            // find's `--` only ends its -H/-L/-P/-D/-O options; the expression after the
            // paths still counts (`find -- .git -delete` deletes).
            self.record(scope, file_tools::find_without_end_of_options(&words));
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
        if program.evaluates {
            for arg in &args {
                self.evaluated_subscript(arg, scope, &format!("{base} argument"));
            }
            // `test -v NAME` as `[[ -v NAME ]]`: a name only known at run time may hold
            // a subscript that runs commands.
            if matches!(base.as_str(), "test" | "[") {
                for pair in args.windows(2) {
                    if let [flag, Word::Unknown { text, .. }] = pair
                        && flag.lit() == Some("-v")
                        && !self.evaluated_text(text, scope).1
                    {
                        self.dynamic(
                            scope,
                            vec![Word::unknown(text.clone(), false)],
                            format!(
                                "`{base} -v` evaluates `{text}`, only known at run time: an array subscript in it (`a[$(cmd)]`) runs commands"
                            ),
                        );
                    }
                }
            }
        }
        // `NAME=value` arguments become environment variables under `set -k`, and
        // harmlessly arguments otherwise: their command-valued ones are analysed (a
        // declaration builtin's are assignments, followed by its action).
        if program.action != Action::Declare {
            self.command_valued_arguments(&args, scope);
        }
        self.option_commands(program, &base, &args, scope);
        self.command_files(&base, &args, scope, stdin);
        self.removals(program, &base, &args, scope);

        let inv = Invocation {
            program,
            base: &base,
            args: &args,
            stdin,
        };
        match program.action {
            Action::Cd => self.cd(&args, scope),
            Action::Popd => scope.dir = Dir::Unknown,
            Action::Shift => self.shift(&args, scope),
            Action::Set => self.set(&args, scope),
            Action::Alias => self.define_aliases(&args),
            Action::Eval => self.eval(&args, scope),
            Action::Source => self.source(&args, scope, stdin),
            Action::Trap => self.trap(&args, scope),
            Action::Declare => self.declare(&args, scope),
            Action::Hash => self.hash(&args),
            Action::Callbacks => self.callbacks(&base, &args, scope),
            Action::History => self.dynamic(
                scope,
                args.clone(),
                "`fc` re-runs commands from history".into(),
            ),
            Action::Prefix => {
                if !args.is_empty() {
                    self.dispatch(args.clone(), scope, &inv.handed_on());
                }
            }
            Action::Data => {}
            Action::CouldRun => self.could_run(&base, &args, scope),
            Action::Container => self.container(&inv, scope),
            Action::Wrapper { in_this_shell, .. } => self.wrapper(in_this_shell, &inv, scope),
            Action::Shell(shells::Grammar::Bourne) => self.shell(&inv, scope),
            Action::Shell(shells::Grammar::Other) => self.other_shell(&inv, scope),
            Action::Interpreter(lang) => self.interpreter_command(lang, &inv, scope),
            Action::Xargs => self.xargs(&inv, scope),
            Action::FindExec => self.find_exec(&inv, scope),
            Action::Remote => self.ssh(&inv, scope),
            Action::Watch => self.watch(&inv, scope),
            Action::Flock => self.flock(&inv, scope),
            Action::CommandOption {
                argv_after_dashdash,
            } => self.command_option(argv_after_dashdash, &inv, scope),
            Action::Argv(how) => self.argv(how, &inv, scope),
            Action::ShellString => self.shell_string(&inv, scope),
            Action::At => self.at(&inv, scope),
            Action::LineEditor(editor) => self.line_editor(editor, &inv, scope),
            Action::Sed => self.sed(&words, &args, scope),
            Action::Make => self.make(&inv, scope),
            Action::Runner(runner) => self.runner(runner, &inv, scope),
            Action::PackageManager => self.package_manager(&inv, scope),
            Action::Copy => {
                self.files.copy(&scope.dir, &args);
                self.copied_from_stdin(&base, &args, stdin, scope);
            }
            // Walked before the command was recorded, above.
            Action::Git => {}
        }
    }

    /// The command's name when it is literal; otherwise it is recorded as dynamic.
    fn command_name(&mut self, words: &[Word], scope: &Scope) -> Option<String> {
        let first = words.first()?;
        // SECURITY: each wrapper (`env env env … cmd`) is one more level of recursion;
        // a stack overflow would abort instead of failing closed.
        if scope.frames.len() >= MAX_FRAMES {
            let text: Vec<&str> = words.iter().map(Word::display).collect();
            self.unparsable(
                scope,
                &text.join(" "),
                &format!("commands wrapped more than {MAX_FRAMES} deep are not analysed"),
            );
            return None;
        }
        match first {
            Word::Lit(name) => Some(name.clone()),
            other => {
                let reason = format!(
                    "the command name `{}` is only known at run time",
                    other.display()
                );
                self.dynamic(scope, words.to_vec(), reason);
                None
            }
        }
    }

    /// `./x.sh` after `echo … > x.sh`: what runs is what the script wrote.
    fn written_program(&mut self, name: &str, args: &[Word], scope: &mut Scope) {
        if name.contains('/') {
            self.run_written(&Word::Lit(name.to_string()), args, scope, RunFile::Exec);
        } else {
            // A script may run what it copied or wrote by its bare name once it changes
            // PATH, which it can do without naming it (`declare P""ATH=…`, `printf -v`,
            // `read`): every file it wrote under that name is judged.
            for (path, written) in self.files.named(name) {
                self.run_content(written, &Word::Lit(path), args, scope, RunFile::Exec);
            }
        }
    }

    /// An alias the script defined: its value runs (with the arguments appended).
    fn alias(&mut self, name: &str, words: &[Word], args: &[Word], scope: &mut Scope) {
        if name.contains('/') || self.expanding.iter().any(|e| e == name) {
            return;
        }
        let Some(value) = self.aliases.get(name).cloned() else {
            return;
        };
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
                    None => format!("{value} {}", quote_words(args)),
                };
                self.expanding.push(name.to_string());
                self.nested_here(&script, scope, &format!("alias {name}"));
                self.expanding.pop();
            }
            None => self.dynamic(
                scope,
                words.to_vec(),
                format!("`{name}` is an alias whose value is only known at run time"),
            ),
        }
    }

    /// `NAME=value` arguments whose NAME programs run as a command (`EDITOR=…`).
    fn command_valued_arguments(&mut self, args: &[Word], scope: &mut Scope) {
        for arg in args {
            if let Word::Lit(t) = arg
                && let Some((n, v)) = t.split_once('=')
                && programs::is_command_variable(n)
            {
                self.command_variable(n, v, scope, &format!("{n}= (argument)"));
                if git_editors::EDITOR_VARIABLES.contains(&n) {
                    self.note_editor(n, &Word::Lit(v.to_string()));
                }
            }
        }
    }

    /// Files the program reads as commands in its own language (`gdb -x F`, `sed -f F`,
    /// `tmux source-file F`): one this script wrote is read for the shell commands it
    /// runs; one written with content only known at run time runs what only then is known.
    /// (A file the script did not write is as any script file it runs: not read.)
    fn command_files(&mut self, base: &str, args: &[Word], scope: &Scope, stdin: &Stdin) {
        // `run-parts DIR`: every executable the script wrote there runs.
        for dir in programs::command_files::directories_run(base, args) {
            let Some(key) = files::key(&scope.dir, &dir) else {
                continue;
            };
            for written in self.files.under(&key) {
                let frame = format!("{base} runs what this script wrote in `{}`", dir.display());
                match written {
                    files::Written::Text(text) => self.nested(&text, scope, &frame, None),
                    files::Written::Program(p) => {
                        let mut sub = scope.clone();
                        sub.frames.push(frame);
                        self.dispatch(vec![Word::Lit(p)], &mut sub, &Stdin::Inherit);
                    }
                    files::Written::Unknown => self.dynamic(
                        scope,
                        vec![Word::Lit(base.to_string()), dir.clone()],
                        format!("`{base}` runs a file this script wrote with content only known at run time"),
                    ),
                }
            }
        }
        // `cc -x c -o a - <<EOF`: the source it is fed, read as a source file would be.
        if programs::command_files::compiles_stdin(base, args)
            && let Stdin::Literal(source) = stdin
        {
            self.written_code("<standard input>.c", source, scope);
        }
        for (reading, file) in programs::command_files::command_files(base, args) {
            let Some(written) =
                files::key(&scope.dir, &file).and_then(|k| self.files.get(&k).cloned())
            else {
                continue;
            };
            let frame = format!("{base} reads commands from `{}`", file.display());
            match written {
                files::Written::Text(text) => {
                    for run in programs::command_files::commands_in(reading, &text) {
                        match run {
                            programs::command_files::Run::Script(s) => {
                                self.nested(&s, scope, &frame, None)
                            }
                            programs::command_files::Run::Unknown(why) => self.dynamic(
                                scope,
                                vec![Word::Lit(base.to_string()), file.clone()],
                                format!("`{base}` {why}"),
                            ),
                        }
                    }
                }
                _ => self.dynamic(
                    scope,
                    vec![Word::Lit(base.to_string()), file.clone()],
                    format!(
                        "`{base}` reads commands from `{}`, which this script wrote with content only known at run time",
                        file.display()
                    ),
                ),
            }
        }
    }

    /// Options whose value the program runs as a command (`tar --to-command=…`, `vim -c
    /// '!…'`, `gdb -ex 'shell …'`, `ssh -o ProxyCommand=…`).
    fn option_commands(&mut self, program: &Program, base: &str, args: &[Word], scope: &Scope) {
        for value in hooks::command_values(program.hooks, args) {
            match value {
                Word::Lit(script) => self.nested(&script, scope, &format!("{base} option"), None),
                other => self.dynamic(
                    scope,
                    vec![Word::Lit(base.to_string()), other],
                    format!("`{base}` runs a command given in an option, only known at run time"),
                ),
            }
        }
        // Editor commands that write, delete or read files (`vim -es -c 'call
        // writefile([…], expand("~/.bashrc"), "a")'`, `call delete(".git", "rf")`).
        for value in hooks::editor_commands(program.hooks, args) {
            for argv in crate::command::programs::editors::vim_file_effects(value.display()) {
                let mut sub = scope.clone();
                sub.via = Via::InterpreterString;
                sub.frames.push(format!("{base} editor command"));
                self.record(&sub, argv.into_iter().map(Word::Lit).collect());
            }
        }
        // A settings file this script wrote (`vim -S x.vim`, `apt-get -c x.conf`): vim's
        // is read as editor commands; any other program's, or one written with text
        // only known at run time, is dynamic.
        for name in hooks::settings_files(program.hooks, args) {
            let Some(written) = files::key(&scope.dir, &Word::Lit(name.clone()))
                .and_then(|k| self.files.get(&k).cloned())
            else {
                continue;
            };
            let vim = matches!(program.action, Action::LineEditor(Editor::Vim));
            match written {
                files::Written::Text(text) if vim => {
                    let escapes = crate::command::programs::editors::line_escapes(
                        Editor::Ex,
                        &[],
                        Some(&text),
                    );
                    for command in escapes.unwrap_or_default() {
                        self.nested(&command, scope, &format!("{base} -S {name}"), None);
                    }
                }
                _ => self.dynamic(
                    scope,
                    vec![Word::Lit(base.to_string()), Word::Lit(name.clone())],
                    format!("`{base}` reads settings from `{name}`, which this script wrote"),
                ),
            }
        }
    }

    /// What a program deletes as a side effect (`cargo clean --target-dir DIR`, `tar
    /// --remove-files`, `rsync --delete`), judged as the `rm` command that deletes the
    /// same, in a frame that says where it came from.
    fn removals(&mut self, program: &Program, base: &str, args: &[Word], scope: &Scope) {
        let Some(how) = program.removes else {
            return;
        };
        for argv in file_tools::removed(how, args) {
            let mut sub = scope.clone();
            sub.frames.push(format!("`{base}` deletes as `rm`"));
            self.dispatch(argv, &mut sub, &Stdin::Inherit);
        }
    }

    /// A program we have no model of: each run of its arguments that starts at a word
    /// naming a program (`runner git push --force`), and each argument that reads as a
    /// command line (`hyperfine 'rm -rf x'`), is walked as something it could run (see
    /// `programs::data`). Not repeated inside what was found, so a long argv stays
    /// linear.
    pub(super) fn could_run(&mut self, base: &str, args: &[Word], scope: &Scope) {
        if scope.via != Via::Direct {
            return;
        }
        let mut sub = scope.clone();
        sub.via = Via::CouldRun;
        sub.frames.push(format!("`{base}` could run its arguments"));
        let mut tried = 0;
        for (i, word) in args.iter().enumerate() {
            if tried >= data::MAX_CANDIDATES {
                break;
            }
            let Word::Lit(text) = word else { continue };
            // A program name with at least one argument after it: a lone name at the
            // end (`getent group sudo`, `killall node`) is far more often data.
            if data::names_a_program(text) && i + 1 < args.len() {
                tried += 1;
                let run = args.get(i..).unwrap_or(&[]).to_vec();
                self.dispatch(run, &mut sub.clone(), &Stdin::Inherit);
            } else if data::reads_as_command_line(text) && parse(text).is_ok() {
                tried += 1;
                self.nested(text, &sub, &format!("`{base}` argument"), Some(None));
            }
        }
    }

    /// A container engine: as [`Walker::could_run`], paths under a host mount read as
    /// the host's files they name.
    fn container(&mut self, inv: &Invocation, scope: &Scope) {
        let (base, args) = (inv.base, inv.args);
        let mounts = runners::container_mounts(args);
        if mounts.is_empty() {
            self.could_run(base, args, scope);
        } else {
            // Every command the container runs (its argv, a `sh -c` script, their
            // redirections) names the host's files under a mount.
            let mut sub = scope.clone();
            sub.mounts.extend(mounts);
            self.could_run(base, args, &sub);
        }
    }

    /// A wrapper (`sudo`, `env`, `timeout`, …): what it runs, and what its arguments
    /// could run.
    fn wrapper(&mut self, in_this_shell: bool, inv: &Invocation, scope: &mut Scope) {
        let (program, base, args) = (inv.program, inv.base, inv.args);
        // `command -v NAME` runs nothing.
        let Some(unwrapped) = wrappers::read(program, args) else {
            return;
        };
        self.wrapped(base, in_this_shell, unwrapped, scope, &inv.handed_on());
        // SECURITY: a wrong option table turns the next word into the program; what the
        // arguments could run is judged too.
        self.could_run(base, args, scope);
    }

    /// The command a wrapper runs, in a frame of its own.
    fn wrapped(
        &mut self,
        base: &str,
        in_this_shell: bool,
        unwrapped: wrappers::Unwrapped,
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
                if let (Some(name), Some(program)) =
                    (&unwrapped.argv0, inner.first().and_then(Word::lit))
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
                // `builtin cd x`, `command cd x` act in this shell.
                if in_this_shell {
                    scope.dir = sub.dir.clone();
                    scope.positionals = sub.positionals.clone();
                    scope.git_env = sub.git_env.clone();
                    scope.env_unknown = sub.env_unknown.clone();
                }
            }
            wrappers::Inner::Script(script) => self.nested(&script, &sub, base, None),
            wrappers::Inner::Unknown(reason) => self.dynamic(&sub, Vec::new(), reason),
        }
    }
}

/// A simple command being followed: its program's row, the name it was run by, its
/// arguments and its standard input.
#[derive(Clone, Copy)]
pub(super) struct Invocation<'c> {
    /// The program's row.
    pub(super) program: &'static Program,
    /// The basename it was run by.
    pub(super) base: &'c str,
    /// Its arguments.
    pub(super) args: &'c [Word],
    /// Its standard input.
    pub(super) stdin: &'c Stdin,
}

impl Invocation<'_> {
    /// The standard input of a command the program runs, as its row says it hands it on.
    pub(super) fn handed_on(&self) -> Cow<'_, Stdin> {
        match self.program.stdin {
            Input::Passed | Input::Script => Cow::Borrowed(self.stdin),
            Input::Arguments(what) => Cow::Owned(Stdin::Dynamic(what.to_string())),
            Input::Data | Input::Commands => Cow::Owned(Stdin::Inherit),
        }
    }
}

impl Walker<'_> {
    /// `cp /dev/stdin F`, `install -m 755 /dev/stdin F`, `dd of=F` (reading its stdin):
    /// F holds the command's standard input — its text when literal (`<<< "…"`, a
    /// heredoc), judged where it is written as any written file is, else unknown.
    pub(super) fn copied_from_stdin(
        &mut self,
        base: &str,
        args: &[Word],
        stdin: &Stdin,
        scope: &Scope,
    ) {
        let is_stdin = |t: &str| matches!(t, "/dev/stdin" | "/proc/self/fd/0" | "/dev/fd/0" | "-");
        let dest = if base == "dd" {
            let input = args
                .iter()
                .filter_map(Word::lit)
                .find_map(|t| t.strip_prefix("if="));
            if input.is_some_and(|i| !is_stdin(i)) {
                return;
            }
            args.iter()
                .filter_map(Word::lit)
                .find_map(|t| t.strip_prefix("of="))
                .map(|d| Word::Lit(d.to_string()))
        } else {
            let operands: Vec<&Word> = args
                .iter()
                .filter(|w| !w.lit().is_some_and(|t| t.starts_with('-') && t != "-"))
                .collect();
            match operands.as_slice() {
                [sources @ .., dest] if sources.iter().any(|s| s.lit().is_some_and(is_stdin)) => {
                    Some((*dest).clone())
                }
                _ => None,
            }
        };
        let Some(dest) = dest else {
            return;
        };
        let content = match stdin {
            Stdin::Literal(text) => files::Written::Text(text.clone()),
            _ => files::Written::Unknown,
        };
        if let files::Written::Text(text) = &content
            && let Some(path) =
                files::key(&scope.dir, &dest).or_else(|| dest.lit().map(str::to_string))
        {
            self.written_code(&path, text, scope);
        }
        if let Some(k) = files::key(&scope.dir, &dest) {
            self.files.write(k, content, false);
        }
    }
}

/// Builtins of bash that run no program (the environment does not change what they do).
const BUILTINS: &[&str] = &[
    "echo",
    "printf",
    "cd",
    "pwd",
    "test",
    "[",
    "true",
    "false",
    ":",
    "export",
    "declare",
    "typeset",
    "local",
    "readonly",
    "set",
    "unset",
    "shift",
    "read",
    "return",
    "exit",
    "let",
    "shopt",
    "umask",
    "ulimit",
    "getopts",
    "pushd",
    "popd",
    "dirs",
    "wait",
    "jobs",
    "alias",
    "unalias",
    "type",
    "hash",
    "mapfile",
    "readarray",
    "break",
    "continue",
    "trap",
];
