//! Path rules (forbidden paths): which files a command may not read or write.
//!
//! Owns the compiled `path_rules` ([`PathRule`]), the table of what each program does
//! with its operands (`roles`), how an operand is resolved (the command's directory after
//! `cd` / `git -C`, `~`, lexical normalisation, then the symlinks of its longest existing
//! prefix) and how it meets a rule's patterns. [`judge`] is called by the engine for
//! every simple command it evaluates; it returns what each rule said about each operand.
//!
//! It reads what it needs of the file system only through [`RepoState`] (`home`,
//! `worktree_top`, `canonical`), so the engine stays pure and table-testable. It never
//! reads a file's contents, and it never allows: a path rule can only make a decision
//! stricter (deny or request). An operand only known at run time (`tee "$F"`) "could
//! match", which asks a human.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use crate::command::{Dir, SimpleCommand, Word};
use crate::git::RepoState;
use crate::policy::Decision;
use crate::policy::bundle::BundlePathRule;
use crate::policy::glob::Glob;
use crate::policy::policy::RuleError;
use crate::policy::rule::{Match, Origin, normalize_path};

mod roles;

pub(crate) use roles::text_shape;
pub use roles::{Operand, operands};

/// What a command does to a file, and what a path rule forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    /// Reads it.
    Read,
    /// Creates, changes, moves or deletes it.
    Write,
    /// Either: a program whose effect on the file is not known (as an operand), or
    /// both (as a rule's access).
    Any,
    /// Possibly writes it, never reads its contents (as an operand only): what `find
    /// -delete` deletes under a starting point depends on its expression. It could meet
    /// a write rule; a read rule never.
    MayWrite,
    /// Names it without reading its contents or changing it (as an operand only): `ls`,
    /// `stat`, `wc`, a checksum, `source` (the values are loaded, not printed), a key
    /// `ssh -i` uses. No rule's access meets it; `paths_inside_worktree` still counts it.
    Name,
}

impl Access {
    /// The word used in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Any => "any",
            Access::MayWrite => "may write",
            Access::Name => "name",
        }
    }

    /// Parses `read|write|any`.
    pub fn parse(word: &str) -> Option<Access> {
        match word {
            "read" => Some(Access::Read),
            "write" => Some(Access::Write),
            "any" => Some(Access::Any),
            _ => None,
        }
    }

    /// Whether a rule with this access applies to an operand with `operand` access:
    /// for sure, only possibly (a program of unknown effect), or not at all.
    fn meets(self, operand: Access) -> Match {
        match (self, operand) {
            (_, Access::Name) | (Access::Read, Access::MayWrite) => Match::No,
            (_, Access::MayWrite) => Match::Possible,
            (Access::Any, _) => Match::Yes,
            (rule, op) if rule == op => Match::Yes,
            (_, Access::Any) => Match::Possible,
            _ => Match::No,
        }
    }
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a pattern is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    /// An absolute pattern (`/etc/policy-exec/**`).
    Absolute,
    /// `~/…`: the home directory.
    Home,
    /// A relative pattern (`.git/**`): the top of the repository the command runs in
    /// (its directory when it is in none).
    Repo,
}

/// One compiled pattern of a path rule.
#[derive(Debug, Clone)]
pub struct PathPattern {
    /// As written in the policy.
    pub written: String,
    root: Root,
    /// The part after the root (the whole path for absolute patterns): `*` stops at `/`,
    /// `**` crosses it.
    glob: Glob,
}

impl PathPattern {
    fn compile(written: &str) -> Result<PathPattern, String> {
        let (root, rest) = if written == "~" {
            (Root::Home, String::new())
        } else if let Some(rest) = written.strip_prefix("~/") {
            (Root::Home, rest.to_string())
        } else if written.starts_with('/') {
            (Root::Absolute, written.to_string())
        } else if written.starts_with('~') {
            return Err(format!(
                "path `{written}`: `~user` is not supported, write `~/…` or an absolute path"
            ));
        } else {
            (Root::Repo, written.trim_start_matches("./").to_string())
        };
        let rest = if rest.is_empty() || root == Root::Absolute && rest == "/" {
            rest
        } else {
            normalize_path(&rest).trim_end_matches('/').to_string()
        };
        if root == Root::Repo && (rest.is_empty() || rest == "." || rest.starts_with("..")) {
            return Err(format!(
                "path `{written}`: a relative pattern is relative to the repository's top and cannot leave it"
            ));
        }
        let glob = Glob::new_path(&rest).map_err(|e| format!("path `{written}`: {e}"))?;
        Ok(PathPattern {
            written: written.to_string(),
            root,
            glob,
        })
    }

    /// Whether the resolved absolute path `p` is protected by this pattern under `root`
    /// (a root of [`Root::Home`] or [`Root::Repo`]; ignored for absolute patterns).
    /// With `subtree` (deleting, moving, linking it), also when `p` is a directory above
    /// a protected path: `rm -r .git` and `mv ~/.codex/rules x` meet `.git/**` and
    /// `~/.codex/rules/**`.
    fn matches_known(&self, p: &str, root: &str, subtree: bool) -> bool {
        let rest = if self.root == Root::Absolute {
            Some(p)
        } else {
            if subtree && is_ancestor_or_self(p, root) {
                return true;
            }
            relative_to(p, root)
        };
        let Some(rest) = rest else {
            return false;
        };
        if self.glob.matches(rest) {
            return true;
        }
        if subtree {
            let prefix = self.glob.literal_prefix();
            return rest.is_empty()
                || rest == "/"
                || prefix == rest
                || prefix
                    .strip_prefix(rest)
                    .is_some_and(|tail| tail.starts_with('/') || rest.ends_with('/'));
        }
        false
    }

    /// Whether the directory its literal part names exists (`.codex/**`: the
    /// repository's `.codex`): a name of an existing file cannot lie in it otherwise.
    /// True when that directory is `/`, the root or unknown.
    fn directory_exists(&self, root: &str, repo: &dyn RepoState) -> bool {
        let pattern = self.glob.pattern();
        let parts: Vec<&str> = pattern.split('/').collect();
        let literal: Vec<&str> = parts
            .iter()
            .take(parts.len().saturating_sub(1))
            .take_while(|c| Glob::is_literal(c))
            .copied()
            .collect();
        let dir = literal.join("/");
        if dir.is_empty() || dir == "/" {
            return true;
        }
        let full = match self.root {
            Root::Absolute => dir,
            _ => format!("{root}/{dir}"),
        };
        repo.canonical(Path::new(&full)).is_some()
    }

    /// Whether it protects what lies in a `.git` directory (`.git/**`).
    fn names_git_dir(&self) -> bool {
        self.written.split('/').any(|c| c == ".git")
    }

    /// Whether some value of an operand only known as the fnmatch `pattern` could be
    /// protected by this pattern under `root`.
    fn could_match(&self, pattern: &str, root: &str, subtree: bool) -> bool {
        let operand = if subtree {
            format!("{pattern}*")
        } else {
            pattern.to_string()
        };
        let Ok(operand) = Glob::new(&operand) else {
            return true;
        };
        let full = |rest: &str| -> String {
            match self.root {
                Root::Absolute => rest.to_string(),
                _ if rest.is_empty() => escape(root),
                _ => format!("{}/{rest}", escape(root)),
            }
        };
        match Glob::new_path(&full(self.glob.pattern())) {
            Ok(g) => g.intersects(&operand),
            Err(_) => true,
        }
    }

    /// Whether some file a bash glob (`*.log`, `src/*/x`, as an absolute pattern) may
    /// expand to is protected by this pattern under `root`. Compared component by
    /// component, as bash expands globs: `*` never crosses `/`, and a wildcard does not
    /// match a leading `.` (bash's default; `dotglob` is not followed).
    fn glob_could_match(&self, glob: &str, root: &str, subtree: bool) -> bool {
        let full = match self.root {
            Root::Absolute => self.glob.pattern().to_string(),
            _ if self.glob.pattern().is_empty() => escape(root),
            _ => format!("{}/{}", escape(root), self.glob.pattern()),
        };
        let op = components(glob);
        let pat: Vec<&str> = full.split('/').filter(|c| !c.is_empty()).collect();
        // `**` inside a component (`/**.pem`: any path ending in `.pem`) spans any number
        // of components: compared as text, each glob's `*` within a component.
        if pat.iter().any(|c| c.contains("**") && *c != "**") {
            let op = if subtree {
                format!("{glob}/**")
            } else {
                glob.to_string()
            };
            return match (Glob::new_path(&full), Glob::new_path(&op)) {
                (Ok(p), Ok(o)) => p.intersects(&o),
                _ => true,
            };
        }
        components_overlap(&op, &pat, subtree)
    }
}

/// The components of an absolute glob, with `.` dropped and `..` applied to literal
/// components.
fn components(glob: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for c in glob.split('/') {
        match c {
            "" | "." => {}
            ".." if out.last().is_some_and(|l| Glob::is_literal(l)) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether a glob's components (`op`) and a path pattern's (`pat`, where `**` is any
/// number of components) can name one path; with `subtree`, also when the glob names a
/// directory above such a path.
fn components_overlap(op: &[&str], pat: &[&str], subtree: bool) -> bool {
    match (op.split_first(), pat.split_first()) {
        (None, None) => true,
        // `X/**` is everything below `X`, not `X` itself: at the end, `**` is at least
        // one component.
        (None, Some((&"**", []))) => subtree,
        (Some(_), Some((&"**", []))) => true,
        (_, Some((&"**", rest))) => {
            components_overlap(op, rest, subtree)
                || op
                    .split_first()
                    .is_some_and(|(_, tail)| components_overlap(tail, pat, subtree))
        }
        (None, Some(_)) => subtree,
        (Some(_), None) => false,
        (Some((a, op_rest)), Some((b, pat_rest))) => {
            component_overlap(a, b) && components_overlap(op_rest, pat_rest, subtree)
        }
    }
}

/// Whether one glob component and one pattern component can name the same file name.
fn component_overlap(glob: &str, pattern: &str) -> bool {
    let wild_start = glob.starts_with(['*', '?', '[']);
    if wild_start && pattern.starts_with('.') {
        return false;
    }
    match (Glob::new(glob), Glob::new(pattern)) {
        (Ok(a), Ok(b)) => a.intersects(&b),
        _ => true,
    }
}

/// Whether an operand is only known at run time but never lies in a `.git` directory
/// (the names `find . -name '*.pyc'` prints when no entry of the git directory has
/// such a name).
fn kept_out_of_git(word: &Word) -> bool {
    matches!(
        word,
        Word::Unknown {
            outside_git: true,
            ..
        }
    )
}

/// Whether an operand only known as the fnmatch `shape` could be protected by `pattern`
/// of `rule` under `root`: the pattern and shape meet, the rule does not except every
/// value of that shape, and what else is known of the operand (never in `.git`, only
/// names of existing files) does not keep it out.
fn unknown_could_match(
    rule: &PathRule,
    pattern: &PathPattern,
    shape: &str,
    root: &str,
    op: &Operand,
    ctx: &Context<'_>,
) -> bool {
    if !pattern.could_match(shape, root, op.subtree) || rule.excepts_every(shape) {
        return false;
    }
    if kept_out_of_git(&op.word) && pattern.names_git_dir() {
        return false;
    }
    !names_existing(&op.word) || pattern.directory_exists(root, ctx.repo)
}

/// Whether the directory `dir`, read whole (`grep -r`, `cp -r`, `tar c`), now holds an
/// entry `pattern` protects (and the rule does not except): `grep -r SECRET .` in a
/// tree holding a `.env` reads it. `false` when the tree cannot be read or holds more
/// than [`TREE_LIMIT`] entries (then only a directory above a protected pattern counts,
/// as before).
fn holds_protected(
    dir: &str,
    rule: &PathRule,
    pattern: &PathPattern,
    root: &str,
    ctx: &Context<'_>,
    roots: &dyn Fn(Root) -> Vec<String>,
) -> bool {
    let Some(entries) = ctx.repo.tree_entries(Path::new(dir), TREE_LIMIT) else {
        return false;
    };
    entries.iter().any(|entry| {
        let p = entry.display().to_string();
        pattern.matches_known(&p, root, false) && !rule.excepts(&p, roots)
    })
}

/// The most entries a directory tree may hold for [`existing_may_match`] to read it.
const TREE_LIMIT: usize = 20_000;

/// For an operand that names only files existing when the command runs (a bash glob,
/// names a listing prints): whether one of the entries now under the directory its
/// shape starts in has that shape and is protected by `pattern` (and not one of the
/// rule's exceptions). `true` when that cannot be known: a command after one that may
/// have made files (`op_fresh`), a shape not starting in a known directory, a tree over [`TREE_LIMIT`] entries, a file system the repository
/// state cannot read (fakes). SECURITY: the tree may change before the command runs
/// (the agent runs as the same user, and could create the file first in another
/// command, which is then judged on its own).
#[allow(clippy::too_many_arguments)]
fn existing_may_match(
    shape: &str,
    bash_glob: bool,
    rule: &PathRule,
    pattern: &PathPattern,
    root: &str,
    op: &Operand,
    op_fresh: bool,
    ctx: &Context<'_>,
    roots: &dyn Fn(Root) -> Vec<String>,
) -> bool {
    if op_fresh || !shape.starts_with('/') {
        // (A rule about uncommitted work asks only about trees it can see.)
        return !rule.uncommitted;
    }
    // (A `[` starts a set, which may hold a `/`: `[!/-]`.)
    let literal: Vec<&str> = shape
        .split('/')
        .take_while(|c| Glob::is_literal(c) && !c.contains('['))
        .collect();
    let dir = literal.join("/");
    if dir.is_empty() || dir.len() >= shape.len() {
        return !rule.uncommitted;
    }
    // What git lists is tracked: compared with git's index, not with every file.
    let tracked = matches!(op.word, Word::Unknown { tracked: true, .. });
    let entries = if tracked {
        ctx.repo.tracked_entries(Path::new(&dir), TREE_LIMIT)
    } else {
        ctx.repo.tree_entries(Path::new(&dir), TREE_LIMIT)
    };
    let Some(entries) = entries else {
        return !rule.uncommitted;
    };
    let compile = |p: &str| {
        if bash_glob {
            Glob::new_path(p)
        } else {
            Glob::new(p)
        }
    };
    let (Ok(own), Ok(below)) = (compile(shape), Glob::new(&format!("{shape}/*"))) else {
        return true;
    };
    // bash's wildcards never match a leading `.` (component by component).
    let dots_agree = |p: &str| {
        !bash_glob
            || p.split('/')
                .zip(shape.split('/'))
                .all(|(name, glob)| !name.starts_with('.') || glob.starts_with('.'))
    };
    // A listing's shape drops the `./` a program prints before names under `.` and
    // keeps a first character that is not `-` (`[!/-]*.env*` for `find . -name
    // '.env*'`): an entry is also tried as printed (`DIR/./.env`).
    let printed = |p: &str| -> String {
        match p.strip_prefix(dir.as_str()) {
            Some(rest) => format!("{dir}/.{rest}"),
            None => p.to_string(),
        }
    };
    entries.iter().any(|entry| {
        let p = entry.display().to_string();
        ((own.matches(&p) && dots_agree(&p))
            || (!bash_glob && own.matches(&printed(&p)))
            || (op.subtree && below.matches(&p)))
            && pattern.matches_known(&p, root, false)
            && !rule.excepts(&p, roots)
            && (!rule.uncommitted || ctx.repo.uncommitted_under(entry) == Some(true))
    })
}

/// Whether an operand only known at run time names only files that exist then.
fn names_existing(word: &Word) -> bool {
    matches!(word, Word::Unknown { existing: true, .. })
}

/// `p` relative to `root`: `""` when equal, the part after `root/` when inside.
fn relative_to<'p>(p: &'p str, root: &str) -> Option<&'p str> {
    if p == root {
        return Some("");
    }
    let root = root.trim_end_matches('/');
    p.strip_prefix(root)?.strip_prefix('/')
}

/// Whether `p` is `root` or a directory above it.
fn is_ancestor_or_self(p: &str, root: &str) -> bool {
    p == "/" || p == root || root.strip_prefix(p).is_some_and(|t| t.starts_with('/'))
}

/// `text` as an fnmatch pattern matching only itself.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '*' | '?' | '[' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// A compiled path rule.
#[derive(Debug, Clone)]
pub struct PathRule {
    /// Its id.
    pub id: String,
    /// `deny` or `request` (a path rule only restricts).
    pub action: Decision,
    /// What it forbids: reading, writing, or either.
    pub access: Access,
    /// The paths it protects.
    pub patterns: Vec<PathPattern>,
    /// Paths it leaves alone although a pattern covers them (`.env.example` beside
    /// `.env.*`). Only a path known when judging is excepted: an operand only known at
    /// run time could still be a protected one.
    pub except: Vec<PathPattern>,
    /// Only a file or tree the command deletes while git reports uncommitted changes to
    /// tracked files there ([`RepoState::uncommitted_under`]).
    pub uncommitted: bool,
    /// Why, for refusals.
    pub reason: Option<String>,
    /// Where it was written.
    pub origin: Origin,
}

impl PathRule {
    /// Compiles one bundle entry, refusing what would not restrict anything.
    pub fn compile(entry: &BundlePathRule) -> Result<PathRule, RuleError> {
        let err = |problem: String| RuleError {
            id: entry.id.clone(),
            problem,
        };
        let action = match Decision::parse(&entry.action) {
            Some(d @ (Decision::Deny | Decision::Request)) => d,
            _ => {
                return Err(err(format!(
                    "`action` is `{}`: a path rule is deny or request (it only restricts)",
                    entry.action
                )));
            }
        };
        let access = Access::parse(&entry.access).ok_or_else(|| {
            err(format!(
                "`access` is `{}`: use read, write or any",
                entry.access
            ))
        })?;
        if entry.paths.is_empty() {
            return Err(err("`paths` is empty: list the paths it protects".into()));
        }
        let patterns = entry
            .paths
            .iter()
            .map(|p| PathPattern::compile(p).map_err(err))
            .collect::<Result<Vec<_>, _>>()?;
        let except = entry
            .except
            .iter()
            .map(|p| PathPattern::compile(p).map_err(err))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PathRule {
            id: entry.id.clone(),
            action,
            access,
            patterns,
            except,
            uncommitted: entry.uncommitted,
            reason: entry.reason.clone(),
            origin: entry
                .origin
                .as_ref()
                .map(|o| Origin {
                    scope: o.scope.clone(),
                    path: o.path.clone(),
                })
                .unwrap_or_default(),
        })
    }
}

impl PathRule {
    /// Whether every path an operand only known as the fnmatch `shape` may be is one of
    /// the rule's exceptions: an exception `/**SUFFIX` (any path ending in a literal
    /// SUFFIX, `/**.md`) and a shape whose literal end ends with SUFFIX (`src/**.md`).
    fn excepts_every(&self, shape: &str) -> bool {
        let tail_start = shape.rfind(['*', '?', ']']).map_or(0, |i| i + 1);
        let tail = shape.get(tail_start..).unwrap_or("");
        self.except.iter().any(|e| {
            e.root == Root::Absolute
                && e.glob.pattern().strip_prefix("/**").is_some_and(|suffix| {
                    !suffix.is_empty() && Glob::is_literal(suffix) && tail.ends_with(suffix)
                })
        })
    }

    /// Whether the resolved path `p` is one of the rule's exceptions (under any of the
    /// roots `roots` gives for an exception's kind of pattern).
    fn excepts(&self, p: &str, roots: &dyn Fn(Root) -> Vec<String>) -> bool {
        self.except.iter().any(|e| {
            roots(e.root)
                .iter()
                .any(|root| e.matches_known(p, root, false))
        })
    }
}

/// What one path rule said about one operand of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMatch {
    /// Index of the rule in the policy's path rules.
    pub rule: usize,
    /// The operand as written (expanded where literal).
    pub operand: String,
    /// Where it comes from (`` `>` redirection ``, `operand of rm`).
    pub role: String,
    /// Its resolved absolute path, when known (through symlinks when they exist).
    pub resolved: Option<String>,
    /// What the command does to it.
    pub access: Access,
    /// The pattern that matched.
    pub pattern: String,
    /// For sure, or only possibly (unknown operand, or a program of unknown effect).
    pub certainty: Match,
    /// The decision it gives: the rule's action when certain, else request.
    pub outcome: Decision,
}

/// Where a command runs and how to look at the file system, for [`judge`].
pub struct Context<'a> {
    /// The directory the script starts in.
    pub start: &'a Path,
    /// The command's directory, when known.
    pub dir: Option<&'a Path>,
    /// Home, repository top and symlinks.
    pub repo: &'a dyn RepoState,
}

/// How an operand resolved.
enum Resolved {
    /// Its absolute path: lexically normalised, and through symlinks when it differs.
    Known(Vec<String>),
    /// A bash glob, as an absolute pattern (it names the files that exist and match).
    Glob(String),
    /// Only known as an fnmatch pattern over absolute paths (`*` may cross `/`).
    Unknown(String),
}

/// Every path rule that applies to an operand of `cmd`.
///
/// Cost: nothing beyond a table look-up when `rules` is empty or the command has no
/// file operand; the file system (symlinks, the repository top) is asked only for an
/// operand some rule's access applies to.
pub fn judge(cmd: &SimpleCommand, rules: &[PathRule], ctx: &Context<'_>) -> Vec<PathMatch> {
    let mut out = Vec::new();
    if rules.is_empty() {
        return out;
    }
    let mut ops = operands(cmd);
    if rules.iter().any(|r| r.uncommitted) {
        ops.extend(changed_files_find_deletes(cmd, ctx));
    }
    if ops.is_empty() {
        return out;
    }
    let home: OnceCell<Vec<String>> = OnceCell::new();
    let tops: OnceCell<Vec<String>> = OnceCell::new();
    let roots = |root: Root| -> Vec<String> {
        match root {
            Root::Absolute => vec![String::new()],
            Root::Home => home
                .get_or_init(|| with_canonical(ctx.repo.home(), ctx.repo))
                .clone(),
            // The repository of the command's directory, and of the starting one (the
            // command's may not exist yet: `mkdir d && cd d && … > ../.git/x`); a
            // directory in no repository stands for its own top.
            Root::Repo => tops
                .get_or_init(|| {
                    let mut out = Vec::new();
                    for here in [ctx.dir, Some(ctx.start)].into_iter().flatten() {
                        let top = ctx
                            .repo
                            .worktree_top(here)
                            .unwrap_or_else(|| here.to_path_buf());
                        for root in with_canonical(Some(top), ctx.repo) {
                            if !out.contains(&root) {
                                out.push(root);
                            }
                        }
                    }
                    out
                })
                .clone(),
        }
    };
    // Rules about uncommitted work apply to what the command deletes (files and trees).
    let deletes = matches!(cmd.program(), Some("rm" | "rmdir" | "unlink"))
        || (cmd.program() == Some("find") && cmd.words.iter().any(|w| w.lit() == Some("-delete")))
        || (cmd.program() == Some("mv") && moves_out_of_worktree(cmd, ctx));
    for op in &ops {
        let mut resolved: Option<Resolved> = None;
        for (index, rule) in rules.iter().enumerate() {
            let access_match = rule.access.meets(op.access);
            if access_match == Match::No || (rule.uncommitted && !deletes) {
                continue;
            }
            let r = resolved.get_or_insert_with(|| resolve(op, ctx));
            let existing = |pattern: &PathPattern, pat: &str, root: &str, bash_glob: bool| {
                existing_may_match(
                    pat,
                    bash_glob,
                    rule,
                    pattern,
                    root,
                    op,
                    cmd.fresh_files,
                    ctx,
                    &roots,
                )
            };
            let hit = rule.patterns.iter().find_map(|pattern| {
                roots(pattern.root).iter().find_map(|root| match r {
                    Resolved::Known(forms) => forms
                        .iter()
                        .any(|p| {
                            let hit = (pattern.matches_known(p, root, op.subtree)
                                && !rule.excepts(p, &roots))
                                || (op.whole
                                    && holds_protected(p, rule, pattern, root, ctx, &roots));
                            hit && (!rule.uncommitted
                                || ctx.repo.uncommitted_under(Path::new(p)) == Some(true))
                        })
                        .then_some((pattern, Match::Yes)),
                    Resolved::Glob(pat) => (pattern.glob_could_match(pat, root, op.subtree)
                        && !rule.excepts_every(pat)
                        && existing(pattern, pat, root, true))
                    .then_some((pattern, Match::Possible)),
                    // Uncommitted work is judged on trees known when judging, and on
                    // the files a listing names (`find src -name '*.py' | xargs rm`).
                    Resolved::Unknown(pat) if rule.uncommitted => (names_existing(&op.word)
                        && existing(pattern, pat, root, false))
                    .then_some((pattern, Match::Possible)),
                    Resolved::Unknown(pat) => {
                        (unknown_could_match(rule, pattern, pat, root, op, ctx)
                            && (!names_existing(&op.word) || existing(pattern, pat, root, false)))
                        .then_some((pattern, Match::Possible))
                    }
                })
            });
            let Some((pattern, found)) = hit else {
                continue;
            };
            let certainty = if found == Match::Yes && access_match == Match::Yes {
                Match::Yes
            } else {
                Match::Possible
            };
            let outcome = if certainty == Match::Yes {
                rule.action
            } else {
                Decision::Request
            };
            out.push(PathMatch {
                rule: index,
                operand: op.word.display().to_string(),
                role: op.role.clone(),
                resolved: match r {
                    Resolved::Known(forms) => forms.last().cloned(),
                    Resolved::Glob(_) | Resolved::Unknown(_) => None,
                },
                access: op.access,
                pattern: pattern.written.clone(),
                certainty,
                outcome,
            });
        }
    }
    out
}

/// Whether `mv`'s destination may lie outside the work tree its command runs in
/// (`mv src/main.py /tmp/`, `mv * ~/old/`): what it moves then leaves the repository, as
/// a deletion does (`mv src /tmp/x && rm -rf /tmp/x`). A destination only known at run
/// time may. Not in a repository: false.
fn moves_out_of_worktree(cmd: &SimpleCommand, ctx: &Context<'_>) -> bool {
    let here = ctx.dir.unwrap_or(ctx.start);
    let Some(top) = ctx.repo.worktree_top(here) else {
        return false;
    };
    let args = cmd.words.get(1..).unwrap_or(&[]);
    // `-t DIR`, `--target-directory[=]DIR`, else the last operand.
    let target = args.iter().enumerate().find_map(|(i, w)| match w.lit() {
        Some("-t" | "--target-directory") => args.get(i + 1).cloned(),
        Some(t) => t
            .strip_prefix("--target-directory=")
            .map(|d| Word::Lit(d.to_string())),
        None => None,
    });
    let last = || {
        args.iter()
            .rev()
            .find(|w| !w.lit().is_some_and(|t| t.starts_with('-')))
            .cloned()
    };
    let Some(dest) = target.or_else(last) else {
        return false;
    };
    let Word::Lit(dest) = dest else {
        return true;
    };
    let absolute = match (dest.strip_prefix('~'), ctx.repo.home()) {
        (Some(rest), Some(h)) if rest.is_empty() || rest.starts_with('/') => {
            format!("{}{rest}", h.display())
        }
        (Some(_), _) => return true,
        (None, _) if dest.starts_with('/') => dest.clone(),
        (None, _) => here.join(&dest).display().to_string(),
    };
    let dest = PathBuf::from(crate::policy::rule::normalize_path(&absolute));
    let canonical_top = ctx.repo.canonical(&top).unwrap_or(top.clone());
    !(dest.starts_with(&top)
        || dest.starts_with(&canonical_top)
        || ctx
            .repo
            .canonical(&dest)
            .is_some_and(|d| d.starts_with(&canonical_top)))
}

/// The tracked files with uncommitted changes that a `find` deletes by name: `find ROOT
/// -name NAME -delete`, or the `rm`/`unlink` a `find ROOT -name NAME -exec` runs on what
/// it finds. Each is named by the names read off the expression (every `-name`/`-iname`
/// value, as if any one selected it), looked up among the changed files under ROOT
/// (libgit2's status), as a known path the command deletes.
fn changed_files_find_deletes(cmd: &SimpleCommand, ctx: &Context<'_>) -> Vec<Operand> {
    let (roots, names, dir): (Vec<String>, Vec<String>, Option<Dir>) =
        match (cmd.program(), &cmd.find_results) {
            (Some("rm" | "unlink"), Some(found)) => (
                found.roots.clone(),
                found.names.iter().flatten().cloned().collect(),
                Some(found.dir.clone()),
            ),
            (Some("find"), _) if cmd.words.iter().any(|w| w.lit() == Some("-delete")) => {
                let args = cmd.words.get(1..).unwrap_or(&[]);
                let (roots, _) = crate::command::programs::file_tools::find_roots(args);
                let names = args
                    .windows(2)
                    .filter(|p| matches!(p.first().and_then(Word::lit), Some("-name" | "-iname")))
                    .filter_map(|p| p.get(1).and_then(Word::lit).map(str::to_string))
                    .collect();
                (roots, names, None)
            }
            _ => return Vec::new(),
        };
    if names.is_empty() {
        return Vec::new();
    }
    let base = match dir.as_ref() {
        Some(Dir::Start) => Some(ctx.start.to_path_buf()),
        Some(Dir::Path(p)) => Some(ctx.start.join(p)),
        Some(Dir::Unknown) => None,
        None => ctx.dir.map(Path::to_path_buf),
    };
    let Some(base) = base else {
        return Vec::new();
    };
    let home = ctx.repo.home();
    let globs: Vec<Glob> = names.iter().filter_map(|n| Glob::new(n).ok()).collect();
    let mut out = Vec::new();
    for root in &roots {
        let root_path = match (root.strip_prefix('~'), &home) {
            (Some(rest), Some(h)) if rest.is_empty() || rest.starts_with('/') => {
                PathBuf::from(format!("{}{rest}", h.display()))
            }
            _ => base.join(root),
        };
        for file in ctx.repo.uncommitted_files(&root_path).unwrap_or_default() {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.is_some_and(|n| globs.iter().any(|g| g.matches(&n))) {
                out.push(Operand {
                    word: Word::Lit(file.display().to_string()),
                    dir: None,
                    access: Access::Write,
                    subtree: false,
                    whole: false,
                    role: format!("a changed file `find` deletes under `{root}`"),
                });
            }
        }
    }
    out
}

/// `paths_inside_worktree`: whether every file operand of `cmd` resolves (through
/// symlinks) inside the work tree of the repository it runs in. No operand: true. Not in
/// a repository, or an operand only known at run time: false, with why.
pub fn inside_worktree(cmd: &SimpleCommand, ctx: &Context<'_>) -> crate::git::PredicateValue {
    let answer = |value: bool, why: String| crate::git::PredicateValue {
        value: Ok(value),
        why,
    };
    let ops = operands(cmd);
    if ops.is_empty() {
        return answer(true, "the command names no file".into());
    }
    let here = ctx.dir.unwrap_or(ctx.start);
    let Some(top) = ctx.repo.worktree_top(here) else {
        return answer(false, "not inside a git work tree".into());
    };
    let top = top.display().to_string();
    for op in &ops {
        let inside = match resolve(op, ctx) {
            // The last form is the one through symlinks, when it differs.
            Resolved::Known(forms) => forms.last().is_some_and(|p| relative_to(p, &top).is_some()),
            Resolved::Glob(pattern) => {
                let dir = pattern.rsplit_once('/').map_or("", |(d, _)| d);
                !pattern.contains("/../")
                    && Glob::is_literal(dir)
                    && (dir == top || dir.starts_with(&format!("{top}/")))
            }
            Resolved::Unknown(_) => false,
        };
        if !inside {
            return answer(
                false,
                format!(
                    "`{}` ({}) is outside `{top}` or only known at run time",
                    op.word.display(),
                    op.role
                ),
            );
        }
    }
    answer(true, format!("every file operand is inside `{top}`"))
}

/// One line saying why a path rule decided: the operand, what the command does to it,
/// where it resolved, the pattern and the rule.
pub fn why(m: &PathMatch, rule: Option<&PathRule>) -> String {
    let id = rule.map_or("?", |r| r.id.as_str());
    let origin = rule
        .filter(|r| !r.origin.path.is_empty())
        .map(|r| format!(" ({})", r.origin.path))
        .unwrap_or_default();
    let reason = rule
        .and_then(|r| r.reason.as_deref())
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    let resolved = m
        .resolved
        .as_deref()
        .filter(|r| *r != m.operand)
        .map(|r| format!(" (`{r}`)"))
        .unwrap_or_default();
    let what = match (m.certainty, m.resolved.is_some()) {
        (Match::Yes, _) => "is protected by",
        (_, true) => "may be written by a program whose effect is not known, and is protected by",
        (_, false) => "is only known at run time and could be protected by",
    };
    format!(
        "path rule {id}{origin}: `{}` ({}, {}){resolved} {what} `{}`{reason}",
        m.operand, m.role, m.access, m.pattern
    )
}

/// A directory and its canonical form (when it differs), as root prefixes.
fn with_canonical(dir: Option<PathBuf>, repo: &dyn RepoState) -> Vec<String> {
    let Some(dir) = dir else {
        return Vec::new();
    };
    let mut out = vec![normalize_path(&dir.display().to_string())];
    if let Some(c) = repo.canonical(&dir) {
        let c = c.display().to_string();
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Resolves an operand against its directory, `~`, `.`/`..`, and the symlinks of its
/// longest existing prefix.
fn resolve(op: &Operand, ctx: &Context<'_>) -> Resolved {
    let base: Option<PathBuf> = match &op.dir {
        Some(Dir::Start) => Some(ctx.start.to_path_buf()),
        Some(Dir::Path(p)) => Some(ctx.start.join(p)),
        Some(Dir::Unknown) => None,
        None => ctx.dir.map(Path::to_path_buf),
    };
    let home = ctx.repo.home();
    // The operand as an absolute path, or as a pattern when not fully known.
    // `unknown`: a leading `*` may stand for an absolute path (`"$F"`, `"$TMP/x"`);
    // in a glob it is a file name in the directory.
    let as_pattern = |text: &str, literal: bool, unknown: bool| -> String {
        let text = if literal {
            escape(text)
        } else {
            text.to_string()
        };
        if text.starts_with('/') || (unknown && text.starts_with('*')) {
            return text;
        }
        match &base {
            Some(b) => format!("{}/{text}", escape(&b.display().to_string())),
            None => format!("*/{text}"),
        }
    };
    match &op.word {
        Word::Lit(t) => {
            let absolute = if t == "~" || t.starts_with("~/") {
                match &home {
                    Some(h) => format!("{}{}", h.display(), t.get(1..).unwrap_or("")),
                    None => return Resolved::Unknown("*".to_string()),
                }
            } else if t.starts_with('~') {
                // `~user/…`: another user's home.
                return Resolved::Unknown("*".to_string());
            } else if let Some(rest) = t
                .strip_prefix("/proc/self/cwd")
                .or_else(|| t.strip_prefix("/proc/thread-self/cwd"))
                .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            {
                // The directory the command runs in, seen through procfs (before `..`
                // is resolved: `/proc/self/cwd/..` is the directory's parent).
                match &base {
                    Some(b) => format!("{}{rest}", b.display()),
                    None => return Resolved::Unknown("*".to_string()),
                }
            } else if t.starts_with('/') {
                t.clone()
            } else {
                match &base {
                    Some(b) => format!("{}/{t}", b.display()),
                    None => return Resolved::Unknown(as_pattern(t, true, false)),
                }
            };
            let lexical = normalize_path(&absolute);
            let mut forms = vec![lexical.clone()];
            if let Some(real) = through_symlinks(&lexical, ctx.repo)
                && real != lexical
            {
                forms.push(real);
            }
            Resolved::Known(forms)
        }
        Word::Glob(t) => {
            // `~/…` is the home directory (a glob's tilde expands before its wildcards).
            let pattern = match (t.strip_prefix("~/"), &home) {
                (Some(rest), Some(h)) => format!("{}/{rest}", escape(&h.display().to_string())),
                _ => as_pattern(t, false, false),
            };
            if pattern.starts_with('*') {
                // Its directory is not known: any file.
                Resolved::Unknown(pattern)
            } else {
                Resolved::Glob(pattern)
            }
        }
        Word::Unknown { pattern, .. } => match (pattern.strip_prefix("~/"), &home) {
            // `~/…` is the home directory (a `find ~` result's shape).
            (Some(rest), Some(h)) => {
                Resolved::Unknown(format!("{}/{rest}", escape(&h.display().to_string())))
            }
            _ => Resolved::Unknown(as_pattern(pattern, false, true)),
        },
    }
}

/// `path` with the symlinks of its longest existing prefix resolved.
fn through_symlinks(path: &str, repo: &dyn RepoState) -> Option<String> {
    let mut prefix = PathBuf::from(path);
    let mut tail: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Some(real) = repo.canonical(&prefix) {
            let mut out = real;
            for part in tail.iter().rev() {
                out.push(part);
            }
            return Some(out.display().to_string());
        }
        let name = prefix.file_name()?.to_os_string();
        tail.push(name);
        if !prefix.pop() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(p: &str) -> PathPattern {
        PathPattern::compile(p).unwrap()
    }

    #[test]
    fn double_star_protects_the_directory_and_everything_under_it() {
        let p = pattern(".git/**");
        assert!(!p.matches_known("/r/.git", "/r", false));
        assert!(p.matches_known("/r/.git", "/r", true));
        assert!(p.matches_known("/r/.git/objects/ab", "/r", false));
        assert!(!p.matches_known("/r/.gitignore", "/r", false));
        assert!(!p.matches_known("/r", "/r", false));
        // Deleting or moving a directory above it writes it too.
        assert!(p.matches_known("/r", "/r", true));
        assert!(p.matches_known("/", "/r", true));
        assert!(!p.matches_known("/r/src", "/r", true));
    }

    #[test]
    fn single_star_stops_at_a_slash() {
        let p = pattern("~/.cursor/*.json");
        assert!(p.matches_known("/h/.cursor/cli-config.json", "/h", false));
        assert!(!p.matches_known("/h/.cursor/x/cli-config.json", "/h", false));
        assert!(p.matches_known("/h/.cursor", "/h", true));
        assert!(!p.matches_known("/h/.cursorx", "/h", true));
    }

    #[test]
    fn unknown_operands_could_match() {
        let p = pattern("~/.bashrc");
        assert!(p.could_match("*", "/h", false));
        assert!(p.could_match("*/.bashrc", "/h", false));
        assert!(!p.could_match("*/notes.md", "/h", false));
        assert!(p.could_match("/h/*", "/h", true));
    }

    #[test]
    fn globs_expand_component_by_component() {
        let p = pattern(".git/**");
        assert!(!p.glob_could_match("/r/*.log", "/r", false));
        assert!(!p.glob_could_match("/r/*", "/r", true));
        assert!(p.glob_could_match("/r/.g*", "/r", true));
        assert!(p.glob_could_match("/r/.git/*", "/r", false));
        assert!(p.glob_could_match("/r/./.git/hooks/*", "/r", false));
        assert!(!p.glob_could_match("/r/src/*/x", "/r", false));
        let home = pattern("~/.codex/rules/**");
        assert!(home.glob_could_match("/h/.codex/*/x", "/h", false));
        let fish = pattern("~/.config/fish/**");
        assert!(!fish.glob_could_match("/work/wt/*.log", "/root", false));
    }

    #[test]
    fn bad_patterns_are_refused() {
        assert!(PathPattern::compile("../x").is_err());
        assert!(PathPattern::compile("~root/x").is_err());
        assert!(PathPattern::compile(".").is_err());
    }
}
