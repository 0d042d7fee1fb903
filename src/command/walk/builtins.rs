//! Bash builtins that change what the walk knows: the directory, `$1…`, aliases, traps,
//! callbacks, `eval` and `source` (the actions of `programs::builtins`' rows).

use super::{RunFile, Scope, Stdin, Walker};
use super::{join_dir, literal_join};
use crate::command::expand::{self, Positionals};
use crate::command::programs;
use crate::command::{Dir, Word};

impl Walker<'_> {
    /// `cd DIR`, `pushd DIR`: where later commands run.
    pub(super) fn cd(&mut self, args: &[Word], scope: &mut Scope) {
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
            cd_target(&scope.dir, args)
        };
    }

    // `set -- …` and `shift` change `$1…`: followed exactly where their words are
    // literal, unknown from there where they are not.

    /// `shift [N]`.
    pub(super) fn shift(&mut self, args: &[Word], scope: &mut Scope) {
        scope.positionals = shifted(scope.positionals.take(), args);
    }

    /// `set ARGS`.
    pub(super) fn set(&mut self, args: &[Word], scope: &mut Scope) {
        if let Some(new) = set_positionals(&scope.positionals, args, self.ifs_may_change) {
            scope.positionals = new;
        }
    }

    /// `hash -p PATH NAME`: NAME now runs PATH.
    pub(super) fn hash(&mut self, args: &[Word]) {
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

    /// Callbacks run as commands: `mapfile -C CMD`, `compgen -C CMD`, `complete -C`
    /// (and `-F`), and the words of `compgen -W LIST`, which bash expands.
    pub(super) fn callbacks(&mut self, base: &str, args: &[Word], scope: &mut Scope) {
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

    /// `trap ACTION SIGNAL…`: bash runs ACTION later, so it counts as run.
    pub(super) fn trap(&mut self, args: &[Word], scope: &mut Scope) {
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

    pub(super) fn define_aliases(&mut self, args: &[Word]) {
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

    pub(super) fn eval(&mut self, args: &[Word], scope: &mut Scope) {
        match literal_join(args) {
            Some(script) => {
                // `eval` runs in the current shell: what it changes stays changed.
                if let Some(sub) = self.nested_scope(&script, scope, "eval", None, &Stdin::Inherit)
                {
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

    pub(super) fn source(&mut self, args: &[Word], scope: &mut Scope, stdin: &Stdin) {
        let args = match args.first().and_then(Word::lit) {
            Some("--") => args.get(1..).unwrap_or(&[]),
            _ => args,
        };
        // Under `set -v` (or `-x`) the shell prints each line it reads (or runs): a file
        // sourced then is printed, as `cat FILE` would print it.
        if self.shell_traces
            && let Some(path) = args.first()
        {
            let mut sub = scope.clone();
            sub.frames
                .push("sourced under `set -v`/`-x`, which prints it".to_string());
            self.record(&sub, vec![Word::Lit("cat".into()), path.clone()]);
        }
        // A file of settings the script loads (`. ./.env`); the shell's own startup
        // files hold what a login shell's environment holds anyway.
        if let Some(path) = args.first()
            && !matches!(
                path.display().rsplit('/').next(),
                Some(
                    ".bashrc"
                        | ".bash_profile"
                        | ".bash_login"
                        | ".profile"
                        | ".zshrc"
                        | ".zshenv"
                        | ".zprofile"
                )
            )
        {
            self.sourced = Some(path.display().to_string());
        }
        if let Some(path) = args.first()
            && self.run_written(path, args.get(1..).unwrap_or(&[]), scope, RunFile::Source)
        {
            return;
        }
        match args.first() {
            Some(Word::Lit(path)) if programs::is_stdin_path(path) || path == "-" => {
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
