//! git: global options followed, aliases expanded, configuration set earlier in the
//! script remembered, and the options and hooks through which git runs commands.

use std::path::PathBuf;

use super::{Scope, Stdin, Walker};
use super::{join_dir, quote_words};
use crate::command::files;
use crate::command::programs::git;
use crate::command::{Dir, Word};

impl Walker<'_> {
    /// git's row: `git …`, or one of git's own commands under its `git-` name.
    pub(super) fn git_command(
        &mut self,
        name: &str,
        base: &str,
        args: Vec<Word>,
        scope: &mut Scope,
    ) {
        // `/usr/lib/git-core/git-push` is `git push`.
        if let Some(sub) = base.strip_prefix("git-") {
            let mut git_args = vec![Word::Lit(sub.to_string())];
            git_args.extend(args);
            self.git("git", git_args, scope);
            return;
        }
        // A function named `git` runs instead of git: its body is what runs.
        if let Some(body) = self.functions.get(name).cloned() {
            self.call(name, &body, &args, scope);
        }
        self.git(name, args, scope);
    }

    /// git: global options removed, `-C` followed, aliases expanded (never over a
    /// built-in, as git does), then recorded; options and config that run commands are
    /// analysed.
    pub(super) fn git(&mut self, program: &str, args: Vec<Word>, scope: &mut Scope) {
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
            if git::is_git_builtin(sub_name) {
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
    pub(super) fn git_runs_commands(&mut self, sub_name: &str, rest: &[Word], scope: &mut Scope) {
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
    pub(super) fn note_git_config(&mut self, rest: &[Word], scope: &Scope) {
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
        } else if git::is_command_key(&key) {
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

/// Splits a git alias value the way git's `split_cmdline` does: whitespace separates,
/// single and double quotes group, backslash escapes.
pub(super) fn split_git_alias(value: &str) -> Vec<String> {
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
