//! Every simple command passes through [`Walker::dispatch`]: recorded, then looked
//! through.

use super::builtins::{cd_target, set_positionals, shifted};
use super::vars::{COMMAND_VARIABLES, command_value};
use super::{Scope, Stdin, Walker};
use super::{join_dir, parse, quote_words};
use crate::command::files;
use crate::command::programs::{
    data, editors, file_tools, git, hooks, interpreters, packages, runners, shells, wrappers,
};
use crate::command::{Dir, Via, Word};

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

/// Wrappers and frames around one command (`sudo env nice … cmd`) beyond this are refused.
const MAX_FRAMES: usize = 64;

impl Walker<'_> {
    /// Every simple command passes through here: recorded, then looked through.
    pub(super) fn dispatch(&mut self, words: Vec<Word>, scope: &mut Scope, stdin: &Stdin) {
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
            && git::is_git_builtin(sub)
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
            _ if interpreters::interpreter(&base).is_some() => {
                self.interpreter(&base, &args, scope, stdin);
                // `bun x PKG …` runs a package.
                if let Some(words) = packages::package_run(&base, &args) {
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
                if editors::line_escapes(&base, &args, None).is_some() =>
            {
                let text = match stdin {
                    Stdin::Literal(t) => Some(t.as_str()),
                    _ => None,
                };
                for command in editors::line_escapes(&base, &args, text).unwrap_or_default() {
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
                for script in file_tools::sed_scripts(&args) {
                    let Some(script) = script else {
                        continue;
                    };
                    for run in file_tools::sed_runs(&script) {
                        match run {
                            file_tools::SedRun::Script(s) => self.nested(&s, scope, "sed e", None),
                            file_tools::SedRun::PatternSpace => self.dynamic(
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
                let (evals, from_stdin) = packages::make_sources(&args);
                let mut texts: Vec<Word> = evals;
                if from_stdin {
                    texts.push(match stdin {
                        Stdin::Literal(t) => Word::Lit(t.clone()),
                        _ => Word::unknown("<makefile from stdin>", false),
                    });
                }
                // A makefile this script wrote.
                let (makefiles, chdir) = packages::make_files(&args);
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
                            for recipe in packages::makefile_recipes(&t) {
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
                for (name, value) in packages::package_scripts_set(&base, &args) {
                    self.package_scripts.insert(name, value);
                }
                if let Some(name) = packages::package_script_name(&base, &args) {
                    self.run_package_script(&name, scope);
                }
                if let Some(words) = packages::package_run(&base, &args) {
                    let mut sub = scope.clone();
                    sub.frames.push(base.clone());
                    self.dispatch(words, &mut sub, stdin);
                }
                self.could_run(&base, &args, scope);
            }
            // `rimraf x` is `rm -rf x`; `shx rm …` is `rm …`.
            _ if wrappers::same_as(&base, &args).is_some() => {
                if let Some(words) = wrappers::same_as(&base, &args) {
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
                } else if !data::treats_args_as_data(&base) {
                    self.could_run(&base, &args, scope);
                }
            }
        }
    }

    /// A program we have no model of: each run of its arguments that starts at a word
    /// naming a program (`runner git push --force`), and each argument that reads as a
    /// command line (`hyperfine 'rm -rf x'`), is walked as something it could run (see
    /// `programs`). Not repeated inside what was found, so a long argv stays linear.
    pub(super) fn could_run(&mut self, base: &str, args: &[Word], scope: &Scope) {
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

    /// A wrapper (`sudo`, `env`, `timeout`, …) around an inner command.
    pub(super) fn wrapped(
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
}
