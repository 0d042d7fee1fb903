//! Program knowledge, git: its built-in commands (an alias never shadows one), its
//! global options (`-C`, `-c k=v`, `--git-dir`), the configuration keys and subcommand
//! options whose value git runs as a shell command, and `help.autocorrect`.
//!
//! One row: git reads its own argv (global options, then a subcommand or an alias), so
//! its action is the walk's git walk. This module only describes git; the walk follows
//! it.

use super::{Action, Program};
use crate::command::Word;

/// git, as a row.
pub const ROWS: &[Program] = &[GIT];

/// git's row.
const GIT: Program = Program {
    names: &["git"],
    action: Action::Git,
    ..Program::DEFAULT
};

/// git's own commands under their `git-` names (`/usr/lib/git-core/git-push` is `git
/// push`): git's row.
pub fn by_command_name(base: &str) -> Option<&'static Program> {
    subcommand_of(base).map(|_| &GIT)
}

/// The built-in a `git-NAME` program is (`git-push` is `git push`).
pub fn subcommand_of(base: &str) -> Option<&str> {
    base.strip_prefix("git-").filter(|sub| is_git_builtin(sub))
}

/// Whether a configuration key includes configuration from a file (`include.path`,
/// `includeIf.…`), lower-cased.
pub fn includes(key: &str) -> bool {
    key == "include.path" || key.starts_with("includeif.")
}

/// Variables that tell git where its repository and configuration are.
pub const LOCATION_VARIABLES: [&str; 8] = [
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

/// git's built-in commands: aliases cannot shadow them.
const GIT_BUILTINS: &[&str] = &[
    "add",
    "am",
    "annotate",
    "apply",
    "archive",
    "bisect",
    "blame",
    "branch",
    "bugreport",
    "bundle",
    "cat-file",
    "check-attr",
    "check-ignore",
    "check-mailmap",
    "check-ref-format",
    "checkout",
    "checkout-index",
    "cherry",
    "cherry-pick",
    "citool",
    "clean",
    "clone",
    "column",
    "commit",
    "commit-graph",
    "commit-tree",
    "config",
    "count-objects",
    "credential",
    "daemon",
    "describe",
    "diagnose",
    "diff",
    "diff-files",
    "diff-index",
    "diff-tree",
    "difftool",
    "fast-export",
    "fast-import",
    "fetch",
    "fetch-pack",
    "filter-branch",
    "fmt-merge-msg",
    "for-each-ref",
    "for-each-repo",
    "format-patch",
    "fsck",
    "gc",
    "get-tar-commit-id",
    "grep",
    "gui",
    "hash-object",
    "help",
    "hook",
    "index-pack",
    "init",
    "instaweb",
    "interpret-trailers",
    "log",
    "ls-files",
    "ls-remote",
    "ls-tree",
    "mailinfo",
    "mailsplit",
    "maintenance",
    "merge",
    "merge-base",
    "merge-file",
    "merge-index",
    "merge-tree",
    "mergetool",
    "mktag",
    "mktree",
    "multi-pack-index",
    "mv",
    "name-rev",
    "notes",
    "pack-objects",
    "pack-refs",
    "prune",
    "prune-packed",
    "pull",
    "push",
    "range-diff",
    "read-tree",
    "rebase",
    "receive-pack",
    "reflog",
    "remote",
    "repack",
    "replace",
    "request-pull",
    "rerere",
    "reset",
    "restore",
    "rev-list",
    "rev-parse",
    "revert",
    "rm",
    "send-email",
    "send-pack",
    "shortlog",
    "show",
    "show-branch",
    "show-index",
    "show-ref",
    "sparse-checkout",
    "stage",
    "stash",
    "status",
    "stripspace",
    "submodule",
    "switch",
    "symbolic-ref",
    "tag",
    "unpack-file",
    "unpack-objects",
    "update-index",
    "update-ref",
    "update-server-info",
    "upload-archive",
    "upload-pack",
    "var",
    "verify-commit",
    "verify-pack",
    "verify-tag",
    "version",
    "whatchanged",
    "worktree",
    "write-tree",
];

/// Whether a `help.autocorrect` value makes git run its correction (`0`, `false`, `show`,
/// `never` and `prompt`-less defaults only suggest).
pub fn autocorrect_runs(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off" | "show" | "never" | "prompt"
    )
}

/// Whether `name` is one of git's built-in commands.
pub fn is_git_builtin(name: &str) -> bool {
    GIT_BUILTINS.contains(&name)
}

/// Built-in commands git's `help.autocorrect` could pick for a mistyped `name`: those
/// within an edit distance of 2 (transpositions count once).
pub fn git_autocorrections(name: &str) -> Vec<&'static str> {
    if name.chars().count() < 3 {
        return Vec::new();
    }
    GIT_BUILTINS
        .iter()
        .copied()
        .filter(|b| edit_distance(name, b) <= 2)
        .collect()
}

/// Optimal-string-alignment distance (Levenshtein with adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(c) = d.get_mut(at(i, 0)) {
            *c = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(c) = d.get_mut(at(0, j)) {
            *c = j;
        }
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a.get(i - 1) != b.get(j - 1));
            let get = |i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
            let mut best = (get(i - 1, j) + 1)
                .min(get(i, j - 1) + 1)
                .min(get(i - 1, j - 1) + cost);
            if i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1) {
                best = best.min(get(i - 2, j - 2) + 1);
            }
            if let Some(c) = d.get_mut(at(i, j)) {
                *c = best;
            }
        }
    }
    d.get(at(a.len(), b.len())).copied().unwrap_or(usize::MAX)
}

/// Options of git subcommands whose value git runs as a shell command
/// (`git rebase -x CMD`, `git difftool -x CMD`, `git push --receive-pack=CMD`, …).
pub fn git_subcommand_scripts(rest: &[Word]) -> Vec<Word> {
    let Some(sub) = rest.first().and_then(Word::lit) else {
        return Vec::new();
    };
    let options = git_script_options(sub);
    let mut out = Vec::new();
    let mut i = 1;
    while let Some(w) = rest.get(i) {
        i += 1;
        let Some(text) = w.lit() else { continue };
        for opt in options {
            if text == *opt {
                if let Some(v) = rest.get(i) {
                    out.push(v.clone());
                }
            } else if let Some(v) = text.strip_prefix(&format!("{opt}=")) {
                out.push(Word::Lit(v.to_string()));
            } else if opt.len() == 2
                && text.starts_with(opt)
                && text.len() > 2
                && !text.starts_with("--")
            {
                out.push(Word::Lit(text.get(2..).unwrap_or("").to_string()));
            }
        }
    }
    out
}

/// The options of a git subcommand whose value git runs as a shell command (none for
/// most subcommands).
pub fn git_script_options(sub: &str) -> &'static [&'static str] {
    match sub {
        "rebase" => &["-x", "--exec"],
        "difftool" | "mergetool" => &["-x", "--extcmd"],
        "grep" => &["-O", "--open-files-in-pager"],
        "filter-branch" => &[
            "--env-filter",
            "--tree-filter",
            "--index-filter",
            "--parent-filter",
            "--msg-filter",
            "--commit-filter",
            "--tag-name-filter",
        ],
        "push" | "send-pack" => &["--receive-pack", "--exec"],
        "daemon" => &["--access-hook"],
        "fetch" | "pull" | "clone" | "ls-remote" | "fetch-pack" | "archive" => {
            &["--upload-pack", "-u", "--exec"]
        }
        _ => &[],
    }
}

/// Git after its global options: the directories `-C` moves to, `-c alias.*` values,
/// and the remaining words (the subcommand first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitGlobals {
    /// Each `-C` in order (None when the directory is unknown).
    pub chdirs: Vec<Option<String>>,
    /// `--work-tree DIR`: the literal directory, or `Some(None)` when unknown.
    pub work_tree: Option<Option<String>>,
    /// `--git-dir` was given: the repository is not found from the directory.
    pub git_dir: bool,
    /// Its literal value, for looking aliases up in that repository.
    pub git_dir_path: Option<String>,
    /// `(name, value)` of each `-c alias.NAME=VALUE`.
    pub config_aliases: Vec<(String, String)>,
    /// `(key, value)` of each `-c KEY=VALUE` whose value git runs as a shell command.
    pub config_commands: Vec<(String, String)>,
    /// Configuration only known at run time (`-c "$x"`, `--config-env`, `-c include.path`).
    pub config_unknown: Option<String>,
    /// `-c help.autocorrect=…` turns typos into built-in commands.
    pub autocorrect: Option<String>,
    /// `-c remote.X.push=+…` or `-c remote.X.mirror=true`: a plain `git push` forces.
    pub forced_push: Option<String>,
    /// The subcommand and its arguments.
    pub rest: Vec<Word>,
}

/// Removes git's global options (`-C dir`, `-c k=v`, `--git-dir`, `--no-pager`, …).
pub fn git_globals(args: &[Word]) -> GitGlobals {
    let mut out = GitGlobals::default();
    let mut i = 0;
    // The value of an option: attached after `=` (or for `-C`/`-c`, glued on), else the
    // next word.
    let value = |i: &mut usize, attached: Option<&str>| -> Option<Word> {
        match attached {
            Some(v) => Some(Word::Lit(v.to_string())),
            None => {
                *i += 1;
                args.get(*i).cloned()
            }
        }
    };
    while let Some(word) = args.get(i) {
        let Word::Lit(w) = word else { break };
        let (name, attached) = match w.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ if (w.starts_with("-C") || w.starts_with("-c")) && w.len() > 2 => {
                (w.get(..2).unwrap_or(""), w.get(2..))
            }
            _ => (w.as_str(), None),
        };
        match name {
            "-C" => out
                .chdirs
                .push(value(&mut i, attached).and_then(|v| v.lit().map(str::to_string))),
            "-c" => match value(&mut i, attached) {
                Some(Word::Lit(kv)) => record_config(&mut out, &kv),
                other => {
                    out.config_unknown = Some(format!(
                        "`git -c {}` sets configuration only known at run time",
                        other.as_ref().map_or("", Word::display)
                    ))
                }
            },
            "--config-env" => {
                let spec = value(&mut i, attached);
                out.config_unknown = Some(format!(
                    "`git --config-env {}` takes configuration from the environment",
                    spec.as_ref().map_or("", Word::display)
                ));
            }
            "--work-tree" => {
                out.work_tree =
                    Some(value(&mut i, attached).and_then(|v| v.lit().map(str::to_string)))
            }
            "--git-dir" => {
                out.git_dir = true;
                out.git_dir_path =
                    value(&mut i, attached).and_then(|v| v.lit().map(str::to_string));
            }
            // `--exec-path=DIR`: git runs its subcommands (`git-push`, …) from DIR.
            "--exec-path" if attached.is_some() => {
                out.config_unknown = Some(format!(
                    "`git --exec-path={}` runs git's commands from that directory",
                    attached.unwrap_or_default()
                ));
            }
            "--namespace" | "--super-prefix" | "--exec-path" | "--list-cmds" | "--attr-source" => {
                if attached.is_none() && name != "--exec-path" && name != "--list-cmds" {
                    i += 1;
                }
            }
            "--" => {
                i += 1;
                break;
            }
            _ if w.starts_with('-') => {}
            _ => break,
        }
        i += 1;
    }
    out.rest = args.get(i..).unwrap_or(&[]).to_vec();
    out
}

fn record_config(out: &mut GitGlobals, kv: &str) {
    let (key, value) = kv.split_once('=').unwrap_or((kv, "true"));
    // Config keys are case-insensitive in section and name.
    let key = key.to_ascii_lowercase();
    if let Some(name) = key.strip_prefix("alias.") {
        out.config_aliases
            .push((name.to_string(), value.to_string()));
    } else if key.starts_with("remote.")
        && ((key.ends_with(".push") && value.starts_with('+'))
            || (key.ends_with(".mirror") && !matches!(value, "false" | "0" | "no" | "off")))
    {
        out.forced_push = Some(format!("`git -c {key}={value}` makes the push forced"));
    } else if key == "help.autocorrect" {
        out.autocorrect = Some(value.to_string());
    } else if includes(&key) {
        out.config_unknown = Some(format!("`git -c {key}` includes configuration from a file"));
    } else if rewrites_to_ext(&key) {
        out.config_unknown = Some(format!(
            "`git -c {key}` rewrites remote URLs to the `ext::` transport, which runs a command"
        ));
    } else if key == "core.hookspath" && value != "/dev/null" {
        // Hooks from a directory this reading does not see (`/dev/null` disables them).
        out.config_unknown = Some(format!("`git -c {key}={value}` runs hooks from `{value}`"));
    } else if matches!(
        key.as_str(),
        "gc.reflogexpire" | "gc.reflogexpireunreachable" | "gc.pruneexpire"
    ) && expires_now(value)
    {
        // SECURITY: `git gc` then expires every reflog entry (or prunes every
        // unreachable object) at once, as `git reflog expire --expire=now` would.
        out.config_unknown = Some(format!(
            "`git -c {key}={value}` makes git gc delete reflog entries or unreachable objects now"
        ));
    } else if (key == "pull.rebase" || (key.starts_with("branch.") && key.ends_with(".rebase")))
        && super::git_editors::interactive_rebase_mode(value)
    {
        // The pull then gives a rebase's todo list to an editor, which may be this
        // command's own `-c sequence.editor=…`.
        out.config_unknown = Some(format!(
            "`git -c {key}={value}` makes the pull an interactive rebase, whose todo list an editor may fill with `exec` lines"
        ));
    } else if key == "rebase.instructionformat" {
        // SECURITY: the format writes commit text into the todo list a rebase runs;
        // `%n` (or a body) there starts an `exec` line.
        out.config_unknown = Some(format!(
            "`git -c {key}` writes commit text into a rebase's todo list, whose `exec` lines git runs"
        ));
    } else if key == "init.templatedir" {
        // `git init`/`clone` copy the template's hooks into the new repository, as
        // `--template` does.
        out.config_unknown = Some(format!(
            "`git -c {key}={value}` copies hooks from `{value}` into the repository"
        ));
    } else if is_command_key(&key) {
        out.config_commands.push((key, value.to_string()));
    }
}

/// Whether an expiry setting (`gc.reflogExpire`, `gc.pruneExpire`) means "everything,
/// now": `now`, `all`, `0`, a date in the past given as a number of seconds, or
/// anything git reads that this reading does not (only `never`/`false` and a plain
/// `N.units.ago` of days or more are known to keep recent entries).
pub fn expires_now(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    if matches!(v.as_str(), "never" | "false") {
        return false;
    }
    let mut parts = v.split('.');
    let (Some(n), Some(unit), Some("ago"), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return true;
    };
    let days_or_more = matches!(
        unit.trim_end_matches('s'),
        "day" | "week" | "month" | "year"
    );
    !(days_or_more && n.parse::<u32>().is_ok_and(|n| n > 0))
}

/// Whether `git SUB ARGS…` moves, deletes or rewrites refs or their history — in a bare
/// repository, a shared remote's branches that others fetch: `reset`, `update-ref`,
/// `symbolic-ref`, `branch`/`tag` with a change (`-d`, `-D`, `-m`, `-M`, `-f`, `-c`,
/// `-C`, `--delete`, `--move`, `--force`, or creating one), `fetch` into refs (a
/// refspec with `:`, or `--force`), `gc --prune`, `reflog expire|delete`, `prune`,
/// `replace`, `filter-branch`, `filter-repo`, `commit`, `merge`, `rebase`,
/// `cherry-pick`, `revert`, `am`, `pull`.
pub fn changes_refs(rest: &[Word]) -> bool {
    let Some(sub) = rest.first().and_then(Word::lit) else {
        return false;
    };
    let args = rest.get(1..).unwrap_or(&[]);
    let has = |names: &[&str]| {
        args.iter().any(|w| {
            w.lit().is_some_and(|t| {
                names
                    .iter()
                    .any(|n| t == *n || t.starts_with(&format!("{n}=")))
            })
        })
    };
    match sub {
        "reset" | "update-ref" | "symbolic-ref" | "replace" | "filter-branch" | "filter-repo"
        | "commit" | "merge" | "rebase" | "cherry-pick" | "revert" | "am" | "pull" | "prune" => {
            // (Reading forms: `symbolic-ref HEAD` with one operand, `replace -l`.)
            let operands = args
                .iter()
                .filter(|w| !w.lit().is_some_and(|t| t.starts_with('-')))
                .count();
            let reads_symbolic_ref = sub == "symbolic-ref" && operands < 2;
            let lists_replacements = sub == "replace" && has(&["-l", "--list"]);
            !reads_symbolic_ref && !lists_replacements
        }
        "branch" | "tag" => {
            has(&[
                "-d", "-D", "-m", "-M", "-f", "-c", "-C", "--delete", "--move", "--force", "--copy",
            ]) || (!has(&[
                "-l",
                "--list",
                "-a",
                "--all",
                "-r",
                "--remotes",
                "-v",
                "-vv",
                "--contains",
                "--merged",
                "--no-merged",
                "--points-at",
                "--show-current",
                "-n",
            ]) && args
                .iter()
                .any(|w| !w.lit().is_some_and(|t| t.starts_with('-'))))
        }
        "fetch" => {
            has(&["-f", "--force"]) || args.iter().any(|w| w.lit().is_none_or(|t| t.contains(':')))
        }
        "gc" => has(&["--prune"]),
        "reflog" => args
            .first()
            .and_then(Word::lit)
            .is_some_and(|a| matches!(a, "expire" | "delete")),
        _ => false,
    }
}

/// `url.<base>.insteadOf`/`pushInsteadOf` whose base is an `ext::` URL: git then reaches
/// the remote by running the command the URL names (`url.'ext::sh -c …'.insteadOf=x:`).
/// `key` is lower case.
pub fn rewrites_to_ext(key: &str) -> bool {
    key.strip_prefix("url.")
        .is_some_and(|rest| rest.trim_start().starts_with("ext::"))
        && (key.ends_with(".insteadof") || key.ends_with(".pushinsteadof"))
}

/// Git configuration keys whose value git runs through the shell.
pub fn is_command_key(key: &str) -> bool {
    let (section, rest) = key.split_once('.').unwrap_or((key, ""));
    let last = key.rsplit('.').next().unwrap_or(key);
    matches!(
        key,
        "core.pager"
            | "core.editor"
            | "core.sshcommand"
            | "core.fsmonitor"
            | "core.askpass"
            | "sequence.editor"
            | "diff.external"
            | "credential.helper"
            | "gpg.program"
            | "gpg.ssh.program"
            | "web.browser"
            | "uploadpack.packobjectshook"
            | "core.gitproxy"
            | "core.alternaterefscommand"
            | "imap.tunnel"
            | "sendemail.sendmailcmd"
            | "interactive.difffilter"
    ) || section == "pager"
        // `gpg.x509.program`, `gpg.openpgp.program`.
        || (section == "gpg" && last == "program")
        || (section == "trailer" && matches!(last, "cmd" | "command"))
        || (section == "tar" && last == "command")
        || (section == "man" && matches!(last, "cmd" | "path"))
        // `sendemail.[IDENTITY.]toCmd`, `ccCmd`, `headerCmd`, `sendmailCmd`; an smtpServer
        // that is a path is a program sendemail runs.
        || (section == "sendemail"
            && matches!(last, "tocmd" | "cccmd" | "headercmd" | "sendmailcmd" | "smtpserver"))
        // Configuration-defined hooks (`hook.NAME.command`), `instaweb.httpd`.
        || (section == "hook" && last == "command")
        || key == "instaweb.httpd"
        // `submodule.NAME.update = !cmd` (`checkout`, `rebase`, … name no program run).
        || (section == "submodule" && last == "update")
        || (section == "remote" && matches!(last, "uploadpack" | "receivepack" | "proxy"))
        || (matches!(section, "difftool" | "mergetool") && last == "cmd")
        || (section == "filter" && matches!(last, "clean" | "smudge" | "process"))
        || (section == "diff" && matches!(last, "textconv" | "command"))
        || (section == "merge" && last == "driver")
        || (section == "credential" && last == "helper")
        || (!rest.is_empty() && section == "browser" && matches!(last, "cmd" | "path"))
}

/// Whether `git config KEY VALUE` makes a later plain `git push` forced: a `+` push
/// refspec, or a remote that mirrors.
pub fn forces_push(key: &str, value: &str) -> bool {
    // (`:ref` deletes the remote's ref: judged with the forced pushes, which are denied
    // as remote deletions are.)
    key.starts_with("remote.")
        && ((key.ends_with(".push") && value.starts_with(['+', ':']))
            || (key.ends_with(".mirror")
                && !matches!(
                    value.to_ascii_lowercase().as_str(),
                    "false" | "no" | "off" | "0" | ""
                )))
}

/// A built-in that runs a command given as operands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runs {
    /// `git bisect run CMD…`: an argv.
    Argv(Vec<Word>),
    /// `git init|clone --template=DIR`: the template's hooks are copied into the new
    /// repository (and a clone runs its post-checkout hook at once).
    Hooks,
    /// `git submodule foreach CMD…`: words joined into a script, run in each submodule.
    Foreach(Vec<Word>),
}

/// What a built-in (`rest` is the subcommand and its arguments) runs of its operands.
pub fn subcommand_runs(sub_name: &str, rest: &[Word]) -> Option<Runs> {
    let lits: Vec<Option<&str>> = rest.iter().map(Word::lit).collect();
    match (sub_name, lits.get(1).copied().flatten()) {
        ("bisect", Some("run")) => {
            let inner = rest.get(2..).unwrap_or(&[]).to_vec();
            (!inner.is_empty()).then_some(Runs::Argv(inner))
        }
        ("init" | "clone", _)
            if rest
                .iter()
                .any(|w| w.lit().is_some_and(|t| t.starts_with("--template"))) =>
        {
            Some(Runs::Hooks)
        }
        ("submodule", _) => {
            let at = lits.iter().position(|w| *w == Some("foreach"))?;
            let cmd: Vec<Word> = rest
                .get(at + 1..)
                .unwrap_or(&[])
                .iter()
                .skip_while(|w| matches!(w.lit(), Some("--recursive" | "-q" | "--quiet")))
                .cloned()
                .collect();
            Some(Runs::Foreach(cmd))
        }
        _ => None,
    }
}

/// The setting a git command makes (`rest` is the subcommand and its arguments):
/// `git config [--global|--file F|…] KEY VALUE` (or `git config set …`), the key
/// lower-cased; `git remote add --mirror[=push] NAME URL`, which sets
/// `remote.NAME.mirror` (a later plain `git push NAME` mirrors: forced, and deletes
/// remote refs).
pub fn config_set(rest: &[Word]) -> Option<(String, Word)> {
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
        return mirrors.then(|| (format!("remote.{name}.mirror"), Word::Lit("true".into())));
    }
    if rest.first().and_then(Word::lit) != Some("config") {
        return None;
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
        return None;
    };
    Some((key.display().to_ascii_lowercase(), (*value).clone()))
}

/// Splits a git alias value the way git's `split_cmdline` does: whitespace separates,
/// single and double quotes group, backslash escapes.
pub fn split_alias(value: &str) -> Vec<String> {
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

/// `git show REV:PATH > PATH`, `git cat-file -p|blob REV:PATH > PATH`: the blob's
/// committed content overwrites the file it came from, as `git checkout REV -- PATH`
/// would (discarding its uncommitted changes). Given the command's words and a file its
/// output is written to: the `git checkout` it amounts to, or `None`.
pub fn blob_restore(words: &[Word], written: &str) -> Option<Vec<Word>> {
    let lits: Vec<&str> = words.iter().map(Word::lit).collect::<Option<_>>()?;
    let (program, rest) = lits.split_first()?;
    if program.rsplit('/').next() != Some("git") {
        return None;
    }
    let (sub, args) = rest.split_first()?;
    let operands: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .copied()
        .collect();
    let object = match (*sub, operands.as_slice()) {
        ("show", [object]) => *object,
        ("cat-file", [object]) if args.contains(&"-p") => *object,
        ("cat-file", ["blob", object]) => *object,
        _ => return None,
    };
    let (rev, path) = object.split_once(':')?;
    let path = path.strip_prefix("./").unwrap_or(path);
    let written = written.strip_prefix("./").unwrap_or(written);
    (!path.is_empty()
        && crate::policy::rule::normalize_path(path)
            == crate::policy::rule::normalize_path(written))
    .then(|| {
        let rev = if rev.is_empty() { "HEAD" } else { rev };
        ["git", "checkout", rev, "--", written]
            .iter()
            .map(|w| Word::Lit((*w).to_string()))
            .collect()
    })
}

/// `git archive REV | tar -x` (into the command's directory): the tree's committed files
/// overwrite the work tree's, as `git checkout REV -- .` would. Given the two commands'
/// words: that `git checkout`, or `None`.
pub fn archive_restore(archive: &[String], tar: &[String]) -> Option<Vec<Word>> {
    let (program, rest) = archive.split_first()?;
    if program.rsplit('/').next() != Some("git")
        || rest.first().map(String::as_str) != Some("archive")
    {
        return None;
    }
    let args = rest.get(1..)?;
    if args.iter().any(|a| {
        a.starts_with("--prefix")
            || a.starts_with("-o")
            || a.starts_with("--output")
            || a.starts_with("--remote")
    }) {
        return None;
    }
    let rev = args.iter().find(|a| !a.starts_with('-'))?;
    let (tar_program, tar_args) = tar.split_first()?;
    if !matches!(
        tar_program.rsplit('/').next(),
        Some("tar" | "gtar" | "bsdtar")
    ) {
        return None;
    }
    let first = tar_args.first().map_or("", String::as_str);
    let extracts = tar_args.iter().any(|a| a == "--extract" || a == "-x")
        || (!first.starts_with("--") && first.contains('x'));
    let elsewhere = tar_args.iter().enumerate().any(|(i, a)| {
        (a == "-C" || a == "--directory")
            && tar_args.get(i + 1).is_some_and(|d| d != "." && d != "./")
            || a.starts_with("--directory=") && a != "--directory=."
            || a.starts_with("-C") && a.len() > 2 && a != "-C."
            || a.starts_with("--strip-components")
    });
    (extracts && !elsewhere).then(|| {
        ["git", "checkout", rev.as_str(), "--", "."]
            .iter()
            .map(|w| Word::Lit((*w).to_string()))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[rstest::rstest]
    #[case("reset --soft HEAD~1", true)]
    #[case("update-ref -d refs/heads/x", true)]
    #[case("symbolic-ref refs/heads/a refs/heads/b", true)]
    #[case("symbolic-ref HEAD", false)]
    #[case("branch -m a b", true)]
    #[case("branch new", true)]
    #[case("branch", false)]
    #[case("branch --list", false)]
    #[case("tag -d v1", true)]
    #[case("fetch . +main:main", true)]
    #[case("fetch origin", false)]
    #[case("gc --prune=now", true)]
    #[case("gc", false)]
    #[case("reflog expire --all", true)]
    #[case("log --oneline", false)]
    #[case("replace -l", false)]
    fn commands_that_change_refs(#[case] args: &str, #[case] changes: bool) {
        let rest: Vec<Word> = args.split(' ').map(|w| Word::Lit(w.to_string())).collect();
        assert_eq!(changes_refs(&rest), changes, "{args}");
    }

    use super::*;
    use crate::command::programs::lits;

    #[test]
    fn git_globals_are_removed() {
        let g = git_globals(&lits("-C repo -c alias.p=push --no-pager p --force"));
        assert_eq!(g.chdirs, vec![Some("repo".to_string())]);
        assert_eq!(g.config_aliases, vec![("p".into(), "push".into())]);
        assert_eq!(g.rest, lits("p --force"));
    }

    #[test]
    fn settings_made_by_git_commands_are_read() {
        assert_eq!(
            config_set(&lits("config --global -f x Alias.P push")),
            Some(("alias.p".into(), Word::Lit("push".into())))
        );
        assert_eq!(
            config_set(&lits("remote add -t main --mirror=push Up https://h/r")),
            Some(("remote.Up.mirror".into(), Word::Lit("true".into())))
        );
        assert_eq!(config_set(&lits("remote add up https://h/r")), None);
        assert!(forces_push("remote.up.push", "+refs/heads/*"));
        assert!(!forces_push("remote.up.mirror", "False"));
    }

    #[test]
    fn subcommands_that_run_commands_are_read() {
        assert_eq!(
            subcommand_runs("bisect", &lits("bisect run make test")),
            Some(Runs::Argv(lits("make test")))
        );
        assert_eq!(
            subcommand_runs(
                "submodule",
                &lits("submodule foreach --recursive git clean")
            ),
            Some(Runs::Foreach(lits("git clean")))
        );
        assert_eq!(
            subcommand_runs("clone", &lits("clone --template=t u")),
            Some(Runs::Hooks)
        );
        assert_eq!(subcommand_runs("log", &lits("log --oneline")), None);
        assert_eq!(
            split_alias(r#"!sh -c 'a b' "c\" d""#),
            ["!sh", "-c", "a b", "c\" d"]
        );
    }
}
