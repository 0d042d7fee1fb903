//! Repository state for condition predicates, read through libgit2.
//!
//! The engine asks through the [`RepoState`] trait so it can be tested against a fake;
//! the real implementation opens the repository from the evaluation directory only.

use std::path::Path;

pub mod gitdir;
mod repo;

pub use repo::Git2RepoState;

/// A git predicate a rule condition can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Predicate {
    /// Inside a non-bare work tree.
    IsWorktree,
    /// No staged, unstaged or untracked changes (ignored files do not count).
    CleanWorktree,
    /// The current branch has an upstream and is neither ahead of nor behind it.
    SyncedToUpstream,
    /// Every file operand of the command resolves inside the repository's work tree
    /// (answered by the engine from the command's operands, see [`crate::paths`], not by
    /// [`RepoState`]).
    PathsInsideWorktree,
}

impl Predicate {
    /// Every predicate, in the order they are documented.
    pub const ALL: [Predicate; 4] = [
        Predicate::IsWorktree,
        Predicate::CleanWorktree,
        Predicate::SyncedToUpstream,
        Predicate::PathsInsideWorktree,
    ];

    /// The name used in policy files.
    pub fn name(self) -> &'static str {
        match self {
            Predicate::IsWorktree => "git_is_worktree",
            Predicate::CleanWorktree => "git_clean_worktree",
            Predicate::SyncedToUpstream => "git_synced_to_upstream",
            Predicate::PathsInsideWorktree => "paths_inside_worktree",
        }
    }

    /// Looks a predicate up by its policy-file name.
    pub fn from_name(name: &str) -> Option<Predicate> {
        Predicate::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The value of one predicate in one directory, with a short human reason such as
/// `2 modified, 1 untracked` or `branch main is 1 ahead of origin/main`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredicateValue {
    /// `Ok(true/false)` when it could be evaluated; `Err` when it could not (not a
    /// repository, no upstream, a git error). An `Err` is an evaluation error, which the
    /// engine turns into the manifest's `fallback_condition_eval_error`.
    pub value: Result<bool, String>,
    /// Why the value is what it is, for `explain`.
    pub why: String,
}

/// Answers predicates and git alias look-ups for a directory.
pub trait RepoState {
    /// Evaluates `predicate` for the repository containing `dir`.
    fn predicate(&self, dir: &Path, predicate: Predicate) -> PredicateValue;

    /// The value of `alias.<name>` in the configuration of the repository containing
    /// `dir` (repository, user and system config), if any.
    fn git_alias(&self, dir: &Path, name: &str) -> Option<String>;

    /// The value of any configuration key for the repository containing `dir` (such as
    /// `help.autocorrect`). Fakes that know no configuration keep the default.
    fn git_config(&self, _dir: &Path, _key: &str) -> Option<String> {
        None
    }

    /// The home directory `~` stands for (the engine reads no environment itself).
    fn home(&self) -> Option<std::path::PathBuf> {
        None
    }

    /// The names of the entries in the git directory of the repository holding `dir`
    /// ([`gitdir::entry_names`]); `None` when not known (fakes, an unreadable or huge git
    /// directory). `Some` of nothing outside a repository.
    fn git_dir_names(&self, _dir: &Path) -> Option<Vec<String>> {
        None
    }

    /// `$TMPDIR` as scripts started now see it (`""` when unset), for the path `mktemp`
    /// prints; `None` when not known (fakes).
    fn temp_dir(&self) -> Option<String> {
        None
    }

    /// The editor variables (`GIT_SEQUENCE_EDITOR`, `GIT_EDITOR`, `VISUAL`, `EDITOR`) as
    /// scripts started now inherit them: an interactive rebase gives its todo list to the
    /// first one set. `None` when unset or not known (fakes).
    fn editor_variable(&self, _name: &str) -> Option<String> {
        None
    }

    /// The top of the work tree containing `dir` (canonical), when it is in one: path
    /// rules written relative (`.git/**`) are relative to it.
    fn worktree_top(&self, _dir: &Path) -> Option<std::path::PathBuf> {
        None
    }

    /// `path` with every symlink resolved, when it exists. Path rules resolve an operand
    /// through the symlinks of its longest existing prefix with it; fakes that know no
    /// file system answer `None` (lexical resolution only).
    fn canonical(&self, _path: &Path) -> Option<std::path::PathBuf> {
        None
    }

    /// The text of a small regular file a command reads its arguments from (`xargs -a
    /// FILE`), as it is when judged: `None` when not known (fakes), not a regular file,
    /// over 64 KiB or not UTF-8. SECURITY: the file may change between the judgement
    /// and the run (as git configuration may); the agent runs as the same user.
    fn small_file(&self, _path: &Path) -> Option<String> {
        None
    }

    /// Every entry under the directory `dir` (files and directories, symbolic links not
    /// followed), as paths starting with `dir`, when there are at most `limit`: `None`
    /// when not known (fakes), `dir` is not a readable directory, or there are more.
    /// Path rules use it to see whether the names a listing prints (which exist when it
    /// runs) can be protected ones. SECURITY: the tree may change between the judgement
    /// and the run; the agent runs as the same user.
    fn tree_entries(&self, _dir: &Path, _limit: usize) -> Option<Vec<std::path::PathBuf>> {
        None
    }

    /// The files git tracks (its index) under the directory `dir`, as paths starting
    /// with `dir`, when there are at most `limit`: `None` when not known (fakes), outside
    /// a repository, or more.
    fn tracked_entries(&self, _dir: &Path, _limit: usize) -> Option<Vec<std::path::PathBuf>> {
        None
    }

    /// Whether git reports uncommitted changes (staged or not) to tracked files at or
    /// under `path`; `None` when not known (fakes, outside a repository).
    fn uncommitted_under(&self, path: &Path) -> Option<bool> {
        self.uncommitted_files(path).map(|files| !files.is_empty())
    }

    /// Whether `dir` is in a bare repository (a shared remote, usually: what it holds
    /// is fetched and pushed by others); `None` when not known (fakes).
    fn in_bare_repository(&self, _dir: &Path) -> Option<bool> {
        None
    }

    /// The tracked files at or under `path` with uncommitted changes (staged or not), as
    /// absolute paths; `None` when not known (fakes, outside a repository).
    fn uncommitted_files(&self, _path: &Path) -> Option<Vec<std::path::PathBuf>> {
        None
    }
}
