//! git: global options followed, aliases expanded, configuration set earlier in the
//! script remembered, and the options and hooks through which git runs commands.

use std::path::PathBuf;

use super::{EditorTraits, Scope, Stdin, TodoEditor, Walker};
use super::{join_dir, literal_command, quote_words};
use crate::command::files;
use crate::command::programs::{git, git_editors};
use crate::command::{Dir, Word};

impl Walker<'_> {
    /// git's row: `git …`, or one of git's own commands under its `git-` name.
    pub(super) fn git_command(
        &mut self,
        name: &str,
        base: &str,
        args: Vec<Word>,
        scope: &mut Scope,
        stdin: &Stdin,
    ) {
        // `/usr/lib/git-core/git-push` is `git push`.
        if let Some(sub) = git::subcommand_of(base) {
            let mut git_args = vec![Word::Lit(sub.to_string())];
            git_args.extend(args);
            self.git("git", git_args, scope, stdin);
            return;
        }
        // A function named `git` runs instead of git: its body is what runs.
        if let Some(body) = self.functions.get(name).cloned() {
            self.call(name, &body, &args, scope);
        }
        self.git(name, args, scope, stdin);
    }

    /// git: global options removed, `-C` followed, aliases expanded (never over a
    /// built-in, as git does), then recorded; options and config that run commands are
    /// analysed.
    pub(super) fn git(&mut self, program: &str, args: Vec<Word>, scope: &mut Scope, stdin: &Stdin) {
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
            && let Some(k) = self.script_git_config.keys().find(|k| git::includes(k))
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
            let g = git::git_globals(&words);
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
                self.config_command(key, value, &sub, &format!("git -c {key}"));
                let lower = key.to_ascii_lowercase();
                if git_editors::is_editor_key(&lower) {
                    self.note_editor(&lower, &Word::Lit(value.clone()));
                }
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
            if git::is_git_builtin(sub_name) {
                if sub_name == "push"
                    && let Some(reason) = g.forced_push.clone().or_else(|| {
                        self.script_git_config
                            .iter()
                            .find(|(k, v)| git::forces_push(k, v))
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
                for script in git::git_subcommand_scripts(&rest) {
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
                if matches!(sub_name.as_str(), "rebase" | "pull") {
                    self.rebase_start(&rest, &sub, stdin);
                }
                // SECURITY: in a bare repository (`cd ../origin.git && git reset --soft
                // HEAD~1`, `git --git-dir=origin.git update-ref -d …`) these move the
                // branches a shared remote serves, as a forced push would.
                if git::changes_refs(&rest)
                    && self.repo.in_bare_repository(
                        &self.config_dir(alias_dir.as_ref().unwrap_or(&sub.dir)),
                    ) == Some(true)
                {
                    let mut words = vec![Word::Lit(program.to_string())];
                    words.extend(rest.iter().cloned());
                    self.dynamic(
                        &sub,
                        words,
                        format!(
                            "`git {sub_name}` changes the refs of a bare repository, which others fetch from as a remote"
                        ),
                    );
                }
                if matches!(sub_name.as_str(), "gc" | "maintenance")
                    || (sub_name == "reflog" && rest.iter().any(|w| w.lit() == Some("expire")))
                {
                    self.expiry_settings(&sub);
                }
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
                    // Not an alias: git runs `git-NAME` from its exec path or PATH, which
                    // may be a program the script wrote (`d/git-zap` with `d` put on
                    // PATH).
                    self.record(&sub, record.clone());
                    let tail = rest.get(1..).unwrap_or(&[]).to_vec();
                    for (key, written) in self.files.named(&format!("git-{sub_name}")) {
                        let mut plugin = sub.clone();
                        plugin
                            .frames
                            .push(format!("git {sub_name} runs git-{sub_name}"));
                        self.run_content(
                            written,
                            &Word::Lit(key),
                            &tail,
                            &mut plugin,
                            super::RunFile::Exec,
                        );
                    }
                    // With help.autocorrect on, git runs the built-in it guesses a typo
                    // meant.
                    let setting = autocorrect
                        .clone()
                        .or_else(|| self.script_git_config.get("help.autocorrect").cloned())
                        .or_else(|| self.repo_config(&sub.dir, "help.autocorrect"));
                    if !setting.as_deref().is_some_and(git::autocorrect_runs) {
                        return;
                    }
                    for fixed in git::git_autocorrections(sub_name) {
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
            words = git::split_alias(&value)
                .into_iter()
                .map(Word::Lit)
                .collect();
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
    pub(super) fn git_runs_commands(&mut self, sub_name: &str, rest: &[Word], scope: &mut Scope) {
        match git::subcommand_runs(sub_name, rest) {
            Some(git::Runs::Argv(inner)) => {
                let mut sub = scope.clone();
                sub.frames.push(format!("git {sub_name} run"));
                self.dispatch(inner, &mut sub, &Stdin::Inherit);
            }
            Some(git::Runs::Hooks) => self.dynamic(
                scope,
                rest.to_vec(),
                format!("`git {sub_name} --template` copies hooks from a directory not read here"),
            ),
            Some(git::Runs::Foreach(cmd)) => {
                let mut sub = scope.clone();
                sub.dir = Dir::Unknown;
                self.nested_words(
                    cmd,
                    &sub,
                    &format!("git {sub_name} foreach"),
                    &format!("`git {sub_name} foreach` of a command only known at run time"),
                );
            }
            None => {}
        }
    }

    /// `git config [--global|--file F|…] alias.NAME VALUE` (or `git config set …`) earlier
    /// in the script defines an alias later git commands use; a command-valued key
    /// (`core.editor`, `core.pager`, …) set this way is analysed as the script it is.
    pub(super) fn note_git_config(&mut self, rest: &[Word], scope: &Scope) {
        let Some((key, value)) = git::config_set(rest) else {
            return;
        };
        let value = &value;
        if let Word::Lit(v) = value {
            self.script_git_config.insert(key.clone(), v.clone());
        } else if git::includes(&key) {
            self.script_git_config
                .insert(key.clone(), value.display().to_string());
        }
        if git::rewrites_to_ext(&key.to_ascii_lowercase()) {
            self.dynamic(
                scope,
                vec![value.clone()],
                format!("`git config {key}` rewrites remote URLs to the `ext::` transport, which runs a command"),
            );
        }
        if let Some(name) = key.strip_prefix("alias.") {
            let value = match value {
                Word::Lit(v) => v.clone(),
                // An alias whose value is unknown: using it runs something unknown.
                other => format!("!{}", other.display()),
            };
            self.script_git_aliases.insert(name.to_string(), value);
        } else if git::is_command_key(&key) {
            match value {
                Word::Lit(v) => self.config_command(&key, v, scope, &format!("git config {key}")),
                other => self.dynamic(
                    scope,
                    vec![(*other).clone()],
                    format!("`git config {key}` of a command only known at run time"),
                ),
            }
            let lower = key.to_ascii_lowercase();
            if git_editors::is_editor_key(&lower) {
                self.note_editor(&lower, value);
            }
            // SECURITY: set for good, the value runs later, in whatever state the
            // repository is then (`git checkout -- .; less` judged on a clean tree
            // discards tomorrow's work): only a plain pager or editor is judged here.
            let lasting = value.lit().and_then(literal_command).is_some_and(|words| {
                if git_editors::is_editor_key(&lower) {
                    git_editors::plain_editor(&words)
                } else {
                    git_editors::plain_pager(&words)
                }
            });
            if (git_editors::is_editor_key(&lower) || git_editors::is_pager_key(&lower)) && !lasting
            {
                self.dynamic(
                    scope,
                    vec![value.clone()],
                    format!(
                        "`git config {key}` names a command git runs later, in whatever state the repository is then (and an editor there may write commands into a rebase's todo list)"
                    ),
                );
            }
        }
    }

    /// The command a command-valued git setting holds (`core.pager`, `core.editor`, a
    /// helper or driver), judged as run from `frame`. Helpers and drivers written `!cmd`
    /// run `cmd` through the shell; a pager reads git's output, which the command's own
    /// arguments shape (`--format`).
    fn config_command(&mut self, key: &str, value: &str, scope: &Scope, frame: &str) {
        let lower = key.to_ascii_lowercase();
        let script = value.strip_prefix('!').unwrap_or(value);
        if git_editors::is_pager_key(&lower) {
            let output = Stdin::Dynamic("git's output".into());
            self.nested_reading(script, scope, frame, &output);
        } else {
            self.nested(script, scope, frame, None);
        }
    }

    /// An editor named for git (`GIT_SEQUENCE_EDITOR=…`, `EDITOR=…`, `git -c
    /// core.editor=…`, `git config sequence.editor …`), noted for an interactive rebase
    /// anywhere in the script.
    pub(super) fn note_editor(&mut self, name: &str, value: &Word) {
        let traits = match value.lit() {
            Some(v) => editor_traits(v),
            None => EditorTraits::UNKNOWN,
        };
        self.todo_editors.push(TodoEditor {
            name: name.to_string(),
            text: value.display().to_string(),
            traits,
        });
    }

    /// `git gc`, `git maintenance`, `git reflog`: expiry settings set earlier in the
    /// script or in the configuration (`gc.reflogExpire=now`) make them delete every
    /// reflog entry or unreachable object at once, as `git reflog expire --expire=now`
    /// and `git gc --prune=now` would.
    fn expiry_settings(&mut self, scope: &Scope) {
        for key in [
            "gc.reflogexpire",
            "gc.reflogexpireunreachable",
            "gc.pruneexpire",
        ] {
            let value = self
                .script_git_config
                .get(key)
                .cloned()
                .or_else(|| self.repo_config(&scope.dir, key));
            if let Some(value) = value.filter(|v| git::expires_now(v)) {
                self.dynamic(
                    scope,
                    vec![Word::Lit(value.clone())],
                    format!("`{key}` is `{value}`: git deletes reflog entries or unreachable objects now"),
                );
            }
        }
    }

    /// A rebase starting (`git rebase …`, `git pull` that may rebase). SECURITY: git
    /// writes a todo list and runs its `exec` lines. `rebase.instructionFormat` (set
    /// earlier in the script or in the configuration) writes commit text into it (`%n`
    /// then `exec …`), so any rebase is dynamic then; an interactive one gives the list
    /// to an editor first ([`Walker::rebase_todo`]).
    fn rebase_start(&mut self, rest: &[Word], scope: &Scope, stdin: &Stdin) {
        let controls = [
            "--continue",
            "--abort",
            "--skip",
            "--quit",
            "--show-current-patch",
        ];
        if rest.first().and_then(Word::lit) == Some("rebase")
            && rest
                .iter()
                .any(|w| w.lit().is_some_and(|t| controls.contains(&t)))
        {
            return;
        }
        let setting = |walker: &Self, key: &str| {
            walker
                .script_git_config
                .get(key)
                .cloned()
                .or_else(|| walker.repo_config(&scope.dir, key))
        };
        if let Some(format) = setting(self, "rebase.instructionformat") {
            self.dynamic(
                scope,
                vec![Word::Lit(format)],
                "`rebase.instructionFormat` writes commit text into the rebase's todo list, whose `exec` lines git runs".into(),
            );
        }
        let pull = rest.first().and_then(Word::lit) == Some("pull");
        let interactive = git_editors::edits_todo(rest)
            || (pull
                && setting(self, "pull.rebase")
                    .is_some_and(|v| git_editors::interactive_rebase_mode(&v)));
        if interactive {
            self.rebase_todo(scope, stdin, git_editors::adds_exec_lines(rest));
        }
    }

    /// `git rebase -i`: git gives its todo list to the editor in effect and then runs
    /// the list's `exec` lines. SECURITY: an editor that may write commands into it runs
    /// them unjudged, so the rebase is dynamic unless every editor the script names, and
    /// the first one set outside it (environment, then configuration, in git's order),
    /// keeps the list's commands ones that run nothing. With `-x`/`--exec` the list
    /// already holds `exec` lines, which a sed may rewrite. An editor that reads its
    /// input is driven by what the script feeds it: a pipe, a heredoc, a file, or a
    /// script whose own input may have been redirected (`exec <keys`, a pipe into a
    /// function or a nested shell).
    fn rebase_todo(&mut self, scope: &Scope, stdin: &Stdin, execs: bool) {
        // (`< /dev/null` gives nothing to read: an editor there reads no keystroke.)
        let fed = match stdin {
            Stdin::Inherit => self.depth > 0 || self.stdin_may_be_redirected,
            Stdin::Literal(text) => !text.is_empty(),
            Stdin::File | Stdin::Dynamic(_) => true,
        };
        let unsafe_for =
            |t: &EditorTraits| !t.keeps || (execs && t.rewrites) || (fed && t.reads_input);
        let refuse = |who: &str, text: &str| {
            format!(
                "`git rebase -i` gives its todo list, whose `exec` lines git runs, to the editor `{text}` ({who}), which may write commands into it (by a script of its own, or keystrokes this script feeds it)"
            )
        };
        if let Some(editor) = self.todo_editors.iter().find(|e| !e.traits.keeps) {
            let reason = refuse(&editor.name, &editor.text);
            self.dynamic(scope, vec![Word::Lit(editor.text.clone())], reason);
            return;
        }
        for source in git_editors::TODO_EDITOR_ORDER {
            let name = source.name();
            let named: Vec<&TodoEditor> = self
                .todo_editors
                .iter()
                .filter(|e| e.name.eq_ignore_ascii_case(name))
                .collect();
            if !named.is_empty() {
                if let Some(editor) = named.iter().find(|e| unsafe_for(&e.traits)) {
                    let reason = refuse(name, &editor.text);
                    self.dynamic(scope, vec![Word::Lit(editor.text.clone())], reason);
                }
                return;
            }
            let outside = match source {
                git_editors::Source::Variable(n) => self.repo.editor_variable(n),
                git_editors::Source::Key(k) => self.repo_config(&scope.dir, k),
            };
            if let Some(value) = outside {
                if unsafe_for(&editor_traits(&value)) {
                    let reason = refuse(name, &value);
                    self.dynamic(scope, vec![Word::Lit(value)], reason);
                }
                return;
            }
        }
        // Nothing names one: git starts vi.
        if fed {
            let reason = refuse("git's default", "vi");
            self.dynamic(scope, vec![Word::Lit("vi".into())], reason);
        }
    }

    /// Where to read git configuration for a directory (the start when it is unknown).
    pub(super) fn config_dir(&self, dir: &Dir) -> PathBuf {
        match dir {
            Dir::Start | Dir::Unknown => self.start.to_path_buf(),
            Dir::Path(p) => self.start.join(p),
        }
    }

    pub(super) fn repo_config(&self, dir: &Dir, key: &str) -> Option<String> {
        self.repo.git_config(&self.config_dir(dir), key)
    }

    pub(super) fn repo_alias(&self, dir: &Dir, name: &str) -> Option<String> {
        self.repo.git_alias(&self.config_dir(dir), name)
    }
}

/// What an editor value (a command line, run by the shell with the file appended) may do
/// to a rebase's todo list: one simple command of literal words, without redirections,
/// that [`git_editors`] knows; anything else may do everything.
fn editor_traits(value: &str) -> EditorTraits {
    match literal_command(value) {
        Some(words) => EditorTraits {
            keeps: git_editors::keeps_todo_commands(&words),
            reads_input: git_editors::reads_input(&words),
            rewrites: git_editors::rewrites_lines(&words),
        },
        None => EditorTraits::UNKNOWN,
    }
}
