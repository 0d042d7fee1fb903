//! What programs that run other commands run: shells, interpreters, `xargs`, `find
//! -exec`, `ssh`, `watch`, `flock`, package scripts.

use super::{MAX_DEPTH, literal_join, parse};
use super::{Scope, Stdin, Walker};
use crate::command::files;
use crate::command::programs::{file_tools, interpreters, packages, runners, shells, wrappers};
use crate::command::{Dir, Via, Word};

impl Walker<'_> {
    /// `npm run NAME` (and `pre`/`post` scripts) where the script defined NAME itself
    /// (`npm pkg set scripts.NAME=…`) or wrote the `package.json`.
    pub(super) fn run_package_script(&mut self, name: &str, scope: &Scope) {
        let written = files::key(&scope.dir, &Word::Lit("package.json".into()))
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
    pub(super) fn other_shell(&mut self, base: &str, args: &[Word], scope: &Scope, stdin: &Stdin) {
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
    pub(super) fn shell(&mut self, base: &str, args: &[Word], scope: &mut Scope, stdin: &Stdin) {
        match shells::shell_invocation(args) {
            shells::ShellRun::Script {
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
            shells::ShellRun::File => {
                // `bash x.sh` after writing x.sh.
                let reading = crate::command::bash_argv::read(
                    &args.iter().map(Word::lit).collect::<Vec<_>>(),
                );
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
            shells::ShellRun::Stdin => {
                self.script_from_stdin(base, scope, stdin);
                if let Stdin::Literal(text) = stdin
                    && let Some((own, label)) = shells::own_reading(base, text)
                {
                    self.nested(&own, scope, &format!("{base} ({label})"), Some(None));
                }
            }
            shells::ShellRun::Unknown(reason) => self.dynamic(scope, args.to_vec(), reason),
            shells::ShellRun::Nothing => {}
        }
    }

    pub(super) fn xargs(&mut self, args: &[Word], scope: &mut Scope) {
        if let Some(inner) = runners::xargs_command(args) {
            let mut sub = scope.clone();
            sub.frames.push("xargs".to_string());
            self.dispatch(inner, &mut sub, &Stdin::Dynamic("xargs input".to_string()));
        }
    }

    pub(super) fn find_exec(&mut self, args: &[Word], scope: &mut Scope) {
        for inner in file_tools::find_exec_commands(args) {
            let mut sub = scope.clone();
            sub.frames.push("find -exec".to_string());
            sub.dir = Dir::Unknown;
            self.dispatch(inner, &mut sub, &Stdin::Inherit);
        }
    }

    pub(super) fn ssh(&mut self, args: &[Word], scope: &mut Scope) {
        if let Some(remote) = runners::ssh_remote(args) {
            let mut sub = scope.clone();
            sub.dir = Dir::Unknown;
            self.nested_words(remote, &sub, "ssh", "remote command only known at run time");
        }
    }

    pub(super) fn watch(&mut self, args: &[Word], scope: &mut Scope) {
        if let Some((exec, inner)) = runners::watch_command(args) {
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

    pub(super) fn flock(&mut self, args: &[Word], scope: &mut Scope, stdin: &Stdin) {
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
    pub(super) fn interpreter(
        &mut self,
        base: &str,
        args: &[Word],
        scope: &mut Scope,
        stdin: &Stdin,
    ) {
        let family = interpreters::interpreter(base).unwrap_or("python");
        let code = match interpreters::interpreter_code(family, args) {
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
            interpreters::Code::None => return,
        };
        let mut sub = scope.clone();
        sub.via = Via::InterpreterString;
        sub.frames.push(format!("{base} code"));
        let mut candidates = crate::command::interp::shell_like_strings(&code);
        candidates.extend(crate::command::interp::tree_deletions(&code));
        if family == "tcl" {
            candidates.extend(crate::command::interp::tcl_commands(&code));
        }
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
}
