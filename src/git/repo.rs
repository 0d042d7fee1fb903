//! [`Git2RepoState`]: the real [`RepoState`], answering predicates with libgit2.
//!
//! This runs in front of every shell command an agent runs, on repositories the agent
//! controls, so it treats the repository as hostile input. It must never run a program the
//! repository configures (hooks, filter drivers, fsmonitor), never write to the repository,
//! and never let the environment (`GIT_DIR`, `GIT_WORK_TREE`, …) choose which repository is
//! read: the evaluation directory alone decides.
//!
//! SECURITY: what libgit2 does and does not do for us here.
//! - Hooks: libgit2 never runs hooks; we only read (open, status, refs, config).
//! - Filters: when a file's stat data is stale, status hashes its content through the
//!   filters libgit2 itself implements (`crlf`, `ident`). libgit2 has no support for
//!   `filter.<driver>.clean`/`process` commands, and this crate registers no custom filter,
//!   so a `.gitattributes` naming a driver runs nothing.
//! - fsmonitor: libgit2 does not implement `core.fsmonitor`, so no monitor hook runs.
//! - Environment: the repository is opened with [`Repository::open_ext`] without
//!   `FROM_ENV`, so `GIT_DIR`, `GIT_WORK_TREE`, `GIT_CEILING_DIRECTORIES`,
//!   `GIT_DISCOVERY_ACROSS_FILESYSTEM`, `GIT_INDEX_FILE`, `GIT_OBJECT_DIRECTORY` and
//!   `GIT_COMMON_DIR` are all ignored. libgit2 still reads `$HOME`/XDG for the user's
//!   configuration, as git does.
//! - Configuration from the environment: libgit2 does not read `GIT_CONFIG_GLOBAL`,
//!   `GIT_CONFIG_SYSTEM`, `GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_PARAMETERS` or
//!   `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`, but git does, and an agent's
//!   harness may pass them: an alias defined there is expanded by git. [`EnvConfig`]
//!   reads them from this process's environment (the one the judged command inherits) and
//!   answers configuration look-ups the way git layers them.
//! - Ownership: libgit2 refuses a repository owned by another user unless it is listed in
//!   `safe.directory`; that is reported as an evaluation error, and such a repository's
//!   configuration is never read (not even for aliases). As in git, a process running as
//!   root also accepts a repository owned by `$SUDO_UID`.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::{Config, ErrorCode, Repository, RepositoryOpenFlags, Status, StatusOptions};

use super::{Predicate, PredicateValue, RepoState};

/// [`RepoState`] over libgit2, memoised for one invocation.
///
/// Each directory is located (and its repository opened) at most once, and each predicate
/// is evaluated at most once per repository, so a value never changes within one instance
/// even if the repository does. Create one per invocation; it is not thread-safe (the
/// engine is single-threaded).
#[derive(Default)]
pub struct Git2RepoState {
    /// Where each directory we were asked about lives, keyed by the directory as given.
    locations: RefCell<HashMap<PathBuf, Rc<Location>>>,
    /// Open repositories, keyed by [`Location::key`], so subdirectories share one handle.
    repos: RefCell<HashMap<PathBuf, Rc<OpenRepo>>>,
    /// Evaluated predicates, keyed by [`Location::key`].
    values: RefCell<HashMap<(PathBuf, Predicate), PredicateValue>>,
    /// The user and system configuration, for alias look-ups outside a repository.
    global_config: OnceCell<Option<Config>>,
    /// The home directory `~` stands for, as given by the caller.
    home: Option<PathBuf>,
    /// Configuration git takes from the environment.
    env: EnvConfig,
    /// `$TMPDIR` (`""` when unset; `None` when not valid UTF-8 or not read).
    temp_dir: Option<String>,
    /// The editor variables that are set ([`RepoState::editor_variable`]).
    editors: Vec<(&'static str, String)>,
}

/// What git's environment adds to or changes in its configuration (git-config(1),
/// ENVIRONMENT): entries above every file, and other global and system files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvConfig {
    /// `GIT_CONFIG_PARAMETERS` (what `git -c` passes down) then `GIT_CONFIG_COUNT`,
    /// `GIT_CONFIG_KEY_n`, `GIT_CONFIG_VALUE_n`, in order (the last for a key wins).
    pub params: Vec<(String, String)>,
    /// `GIT_CONFIG_GLOBAL`: the global file instead of `~/.gitconfig` and the XDG one.
    pub global: Option<PathBuf>,
    /// `GIT_CONFIG_SYSTEM`: the system file instead of `/etc/gitconfig`.
    pub system: Option<PathBuf>,
    /// `GIT_CONFIG_NOSYSTEM`: no system file.
    pub nosystem: bool,
}

impl EnvConfig {
    /// From a variable lookup (the process environment in [`Git2RepoState::with_home`]).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> EnvConfig {
        let mut params = var("GIT_CONFIG_PARAMETERS")
            .map(|p| parse_parameters(&p))
            .unwrap_or_default();
        if let Some(count) = var("GIT_CONFIG_COUNT").and_then(|c| c.trim().parse::<usize>().ok()) {
            for i in 0..count.min(1024) {
                if let (Some(k), Some(v)) = (
                    var(&format!("GIT_CONFIG_KEY_{i}")),
                    var(&format!("GIT_CONFIG_VALUE_{i}")),
                ) {
                    params.push((k, v));
                }
            }
        }
        let truthy = |v: String| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        };
        EnvConfig {
            params,
            global: var("GIT_CONFIG_GLOBAL").map(PathBuf::from),
            system: var("GIT_CONFIG_SYSTEM").map(PathBuf::from),
            nosystem: var("GIT_CONFIG_NOSYSTEM").is_some_and(truthy),
        }
    }

    /// Whether the environment changes nothing.
    fn is_empty(&self) -> bool {
        self == &EnvConfig::default()
    }

    /// The value `git -c`-style entries give a key (section and name compare without
    /// case, as git's do).
    fn param(&self, key: &str) -> Option<String> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| same_key(k, key))
            .map(|(_, v)| v.clone())
    }
}

/// Whether two configuration keys are the same: section and variable name without case,
/// a subsection (`remote.<name>.url`) as written.
fn same_key(a: &str, b: &str) -> bool {
    let split = |k: &str| -> (String, String, String) {
        let (section, rest) = k.split_once('.').unwrap_or((k, ""));
        match rest.rsplit_once('.') {
            Some((sub, name)) => (
                section.to_ascii_lowercase(),
                sub.to_string(),
                name.to_ascii_lowercase(),
            ),
            None => (
                section.to_ascii_lowercase(),
                String::new(),
                rest.to_ascii_lowercase(),
            ),
        }
    };
    split(a) == split(b)
}

/// `GIT_CONFIG_PARAMETERS`: single-quoted words (`'\''` inside for a quote), each
/// `'key'='value'`, `'key=value'` or a lone `'key'` (a boolean true).
fn parse_parameters(text: &str) -> Vec<(String, String)> {
    let mut words: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let word = current.get_or_insert_with(String::new);
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    current.get_or_insert_with(String::new).push(n);
                }
            }
            c if c.is_whitespace() => {
                if let Some(w) = current.take() {
                    words.push(w);
                }
            }
            c => current.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = current.take() {
        words.push(w);
    }
    words
        .into_iter()
        .filter_map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Some((k.to_string(), v.to_string())),
            None if !w.is_empty() => Some((w, "true".to_string())),
            _ => None,
        })
        .collect()
}

impl Git2RepoState {
    /// A state with nothing opened or evaluated yet (git's configuration environment read
    /// from this process's).
    pub fn new() -> Self {
        Self::with_home(None)
    }

    /// The same, answering [`RepoState::home`] with `home` (the caller's `$HOME`).
    pub fn with_home(home: Option<PathBuf>) -> Self {
        Self {
            home: home.filter(|h| h.is_absolute()),
            env: EnvConfig::from_vars(|name| std::env::var(name).ok()),
            temp_dir: match std::env::var("TMPDIR") {
                Ok(dir) => Some(dir),
                Err(std::env::VarError::NotPresent) => Some(String::new()),
                Err(std::env::VarError::NotUnicode(_)) => None,
            },
            editors: crate::command::programs::git_editors::EDITOR_VARIABLES
                .iter()
                // (Lossily: a value that is not UTF-8 names no known editor.)
                .filter_map(|&name| Some((name, std::env::var_os(name)?.to_string_lossy().into())))
                .collect(),
            ..Self::default()
        }
    }

    /// The same, with git's configuration environment given (tests).
    pub fn with_env(home: Option<PathBuf>, env: EnvConfig) -> Self {
        Self {
            home: home.filter(|h| h.is_absolute()),
            env,
            ..Self::default()
        }
    }

    /// Finds (once per directory) the repository containing `dir`.
    fn locate(&self, dir: &Path) -> Rc<Location> {
        if let Some(found) = self.locations.borrow().get(dir) {
            return Rc::clone(found);
        }
        let location = Rc::new(self.open(dir));
        self.locations
            .borrow_mut()
            .insert(dir.to_path_buf(), Rc::clone(&location));
        location
    }

    fn open(&self, dir: &Path) -> Location {
        let canonical = match std::fs::canonicalize(dir) {
            Ok(canonical) => canonical,
            Err(err) => {
                return Location::Failed {
                    key: dir.to_path_buf(),
                    reason: format!("cannot read directory `{}`: {err}", dir.display()),
                };
            }
        };
        // SECURITY: no FROM_ENV — only `dir` (searching upward from it) picks the
        // repository. No CROSS_FS either, matching git's default of stopping the search
        // at a filesystem boundary. No ceiling directories.
        let opened = Repository::open_ext(&canonical, RepositoryOpenFlags::empty(), NO_CEILINGS);
        let repo = match opened {
            Ok(repo) => repo,
            Err(err) if err.code() == ErrorCode::NotFound => {
                return Location::NotARepo { key: canonical };
            }
            Err(err) if err.code() == ErrorCode::Owner => {
                return Location::Failed {
                    key: canonical,
                    reason: format!(
                        "repository containing `{}` is owned by another user: add it to git's \
                         `safe.directory` if it is trusted",
                        dir.display()
                    ),
                };
            }
            Err(err) => {
                return Location::Failed {
                    key: canonical,
                    reason: format!(
                        "cannot open the git repository containing `{}`: {}",
                        dir.display(),
                        err.message()
                    ),
                };
            }
        };

        let git_dir = canonical_or_self(repo.path());
        let (place, key) = if repo.is_bare() {
            (Place::Bare, git_dir)
        } else if canonical.starts_with(&git_dir)
            || canonical.starts_with(canonical_or_self(repo.commondir()))
        {
            // `git status` refuses to run here too; this is no work tree.
            (Place::GitDir, git_dir)
        } else {
            match repo.workdir() {
                Some(workdir) => (Place::WorkTree, canonical_or_self(workdir)),
                None => (Place::Bare, git_dir),
            }
        };
        let repo = Rc::clone(
            self.repos
                .borrow_mut()
                .entry(key.clone())
                .or_insert_with(|| Rc::new(OpenRepo::new(repo))),
        );
        Location::Repo { key, place, repo }
    }

    fn evaluate(location: &Location, predicate: Predicate) -> PredicateValue {
        if predicate == Predicate::PathsInsideWorktree {
            // The engine answers it from the command's operands; a directory alone
            // cannot.
            return failure("`paths_inside_worktree` depends on the command's operands");
        }
        let (repo, place, key) = match location {
            Location::NotARepo { .. } => {
                let why = "not inside a git repository";
                return match predicate {
                    Predicate::IsWorktree => answer(false, why),
                    _ => failure(why),
                };
            }
            Location::Failed { reason, .. } => return failure(reason),
            Location::Repo { repo, place, key } => (&repo.repo, *place, key),
        };
        match (predicate, place) {
            // For a work tree, the key is its canonical root.
            (Predicate::IsWorktree, Place::WorkTree) => {
                answer(true, &format!("inside work tree `{}`", key.display()))
            }
            (_, Place::Bare) => match predicate {
                Predicate::IsWorktree => answer(false, "bare repository"),
                _ => failure("bare repository"),
            },
            (_, Place::GitDir) => {
                let why = format!(
                    "inside the git directory `{}`, not a work tree",
                    key.display()
                );
                match predicate {
                    Predicate::IsWorktree => answer(false, &why),
                    _ => failure(&why),
                }
            }
            (Predicate::CleanWorktree, Place::WorkTree) => from_result(clean_worktree(repo)),
            (Predicate::SyncedToUpstream, Place::WorkTree) => from_result(synced(repo)),
            (Predicate::PathsInsideWorktree, Place::WorkTree) => {
                failure("`paths_inside_worktree` depends on the command's operands")
            }
        }
    }

    fn global_config(&self) -> Option<&Config> {
        self.global_config
            .get_or_init(|| Config::open_default().and_then(|mut c| c.snapshot()).ok())
            .as_ref()
    }
}

impl RepoState for Git2RepoState {
    fn predicate(&self, dir: &Path, predicate: Predicate) -> PredicateValue {
        let location = self.locate(dir);
        let memo_key = (location.key().to_path_buf(), predicate);
        if let Some(value) = self.values.borrow().get(&memo_key) {
            return value.clone();
        }
        let value = Self::evaluate(&location, predicate);
        self.values.borrow_mut().insert(memo_key, value.clone());
        value
    }

    fn git_alias(&self, dir: &Path, name: &str) -> Option<String> {
        if !is_config_key_name(name) {
            return None;
        }
        self.git_config(dir, &format!("alias.{name}"))
    }

    fn home(&self) -> Option<PathBuf> {
        self.home.clone()
    }

    fn git_dir_names(&self, dir: &Path) -> Option<Vec<String>> {
        match crate::log::record::repo_top(dir) {
            Some(top) => super::gitdir::entry_names(&super::gitdir::git_dirs(top)),
            None => Some(Vec::new()),
        }
    }

    fn temp_dir(&self) -> Option<String> {
        self.temp_dir.clone()
    }

    fn editor_variable(&self, name: &str) -> Option<String> {
        self.editors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }

    fn worktree_top(&self, dir: &Path) -> Option<PathBuf> {
        // The nearest ancestor holding a `.git` entry: a few `stat`s, no repository
        // opened (path rules ask for every judged write; opening one costs ~90 µs).
        crate::log::record::repo_top(dir).map(canonical_or_self)
    }

    fn canonical(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
    }

    fn small_file(&self, path: &Path) -> Option<String> {
        use std::io::Read;
        const CAP: u64 = 64 * 1024;
        let file = std::fs::File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() > CAP {
            return None;
        }
        let mut text = String::new();
        file.take(CAP).read_to_string(&mut text).ok()?;
        Some(text)
    }

    fn tree_entries(&self, dir: &Path, limit: usize) -> Option<Vec<PathBuf>> {
        if !std::fs::symlink_metadata(dir).ok()?.is_dir() {
            return None;
        }
        let mut out = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(d) = pending.pop() {
            for entry in std::fs::read_dir(&d).ok()? {
                let entry = entry.ok()?;
                let path = entry.path();
                if entry.file_type().ok()?.is_dir() {
                    pending.push(path.clone());
                }
                out.push(path);
                if out.len() > limit {
                    return None;
                }
            }
        }
        Some(out)
    }

    fn in_bare_repository(&self, dir: &Path) -> Option<bool> {
        match &*self.locate(dir) {
            Location::Repo { place, .. } => Some(matches!(place, Place::Bare)),
            Location::NotARepo { .. } => Some(false),
            Location::Failed { .. } => None,
        }
    }

    fn uncommitted_files(&self, path: &Path) -> Option<Vec<PathBuf>> {
        let canon = std::fs::canonicalize(path).ok()?;
        let dir = if canon.is_dir() {
            canon.clone()
        } else {
            canon.parent()?.to_path_buf()
        };
        let location = self.locate(&dir);
        let Location::Repo { repo, .. } = &*location else {
            return None;
        };
        let top = repo.repo.workdir()?;
        let top = std::fs::canonicalize(top).unwrap_or_else(|_| top.to_path_buf());
        let rel = canon.strip_prefix(&top).ok()?;
        let mut options = StatusOptions::new();
        options
            .include_untracked(false)
            .include_ignored(false)
            .include_unmodified(false)
            .exclude_submodules(true)
            // SECURITY: as for `git_clean_worktree`, never write the index back.
            .update_index(false);
        if !rel.as_os_str().is_empty() {
            options.pathspec(rel);
        }
        let statuses = repo.repo.statuses(Some(&mut options)).ok()?;
        Some(
            statuses
                .iter()
                .filter(|e| {
                    e.status().intersects(
                        Status::WT_MODIFIED
                            | Status::WT_DELETED
                            | Status::WT_RENAMED
                            | Status::WT_TYPECHANGE
                            | Status::INDEX_MODIFIED
                            | Status::INDEX_NEW
                            | Status::INDEX_DELETED
                            | Status::INDEX_RENAMED
                            | Status::INDEX_TYPECHANGE,
                    )
                })
                .filter_map(|e| e.path().ok().map(|p| top.join(p)))
                .collect(),
        )
    }

    fn tracked_entries(&self, dir: &Path, limit: usize) -> Option<Vec<PathBuf>> {
        let location = self.locate(dir);
        let Location::Repo { repo, .. } = &*location else {
            return None;
        };
        let top = repo.repo.workdir()?.to_path_buf();
        let index = repo.repo.index().ok()?;
        if index.len() > limit {
            return None;
        }
        // Entries are relative to the work tree's top; `dir` may be spelled through a
        // symbolic link: compared canonical, returned under `dir` as given.
        let canon = std::fs::canonicalize(dir).ok()?;
        let top = std::fs::canonicalize(&top).unwrap_or(top);
        let mut out = Vec::new();
        for entry in index.iter() {
            let rel = String::from_utf8_lossy(&entry.path).into_owned();
            let full = top.join(&rel);
            if let Ok(under) = full.strip_prefix(&canon) {
                out.push(dir.join(under));
            }
        }
        Some(out)
    }

    fn git_config(&self, dir: &Path, key: &str) -> Option<String> {
        // `git -c` entries and GIT_CONFIG_COUNT/KEY/VALUE sit above every file.
        if let Some(v) = self.env.param(key) {
            return Some(v);
        }
        let location = self.locate(dir);
        if self.env.is_empty() {
            let config = match &*location {
                // The repository's stack: repository, worktree, user (global and XDG),
                // system.
                Location::Repo { repo, .. } => repo.config(),
                // SECURITY: outside a repository, or in one libgit2 refused (not owned by
                // us), only the user's and system configuration count.
                Location::NotARepo { .. } | Location::Failed { .. } => self.global_config(),
            }?;
            return config.get_string(key).ok();
        }
        // Another global or system file, or none: the levels one by one, as git reads
        // them (worktree and repository above global above system).
        use git2::ConfigLevel as L;
        let level = |c: &Config, l: L| c.open_level(l).ok()?.get_string(key).ok();
        let file = |p: &Path| Config::open(p).ok()?.get_string(key).ok();
        let default = Config::open_default().ok();
        let local = match &*location {
            Location::Repo { repo, .. } => repo
                .config()
                .and_then(|c| level(c, L::Worktree).or_else(|| level(c, L::Local))),
            _ => None,
        };
        local
            .or_else(|| match &self.env.global {
                Some(p) => file(p),
                None => default
                    .as_ref()
                    .and_then(|c| level(c, L::Global).or_else(|| level(c, L::XDG))),
            })
            .or_else(|| match (&self.env.system, self.env.nosystem) {
                (_, true) => None,
                (Some(p), false) => file(p),
                (None, false) => default.as_ref().and_then(|c| level(c, L::System)),
            })
    }
}

/// No ceiling directories: search upward to the root (or a filesystem boundary).
const NO_CEILINGS: [&OsStr; 0] = [];

/// Where a directory is, relative to git.
enum Location {
    /// No repository at or above the directory.
    NotARepo { key: PathBuf },
    /// The directory or its repository could not be read; `reason` says why.
    Failed { key: PathBuf, reason: String },
    /// Inside a repository.
    Repo {
        /// The canonical work tree (for [`Place::WorkTree`]) or git directory.
        key: PathBuf,
        place: Place,
        repo: Rc<OpenRepo>,
    },
}

impl Location {
    /// What predicate values are memoised by: directories that must give the same
    /// answers share a key.
    fn key(&self) -> &Path {
        match self {
            Location::NotARepo { key }
            | Location::Failed { key, .. }
            | Location::Repo { key, .. } => key,
        }
    }
}

/// Where inside a repository a directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// In the work tree of a non-bare repository.
    WorkTree,
    /// In the git directory (`.git`) of a non-bare repository.
    GitDir,
    /// In a bare repository.
    Bare,
}

/// An open repository with its configuration, read at most once.
struct OpenRepo {
    repo: Repository,
    config: OnceCell<Option<Config>>,
}

impl OpenRepo {
    fn new(repo: Repository) -> Self {
        Self {
            repo,
            config: OnceCell::new(),
        }
    }

    /// A snapshot of the repository's configuration stack, or `None` if it cannot be read.
    fn config(&self) -> Option<&Config> {
        self.config
            .get_or_init(|| self.repo.config().and_then(|mut c| c.snapshot()).ok())
            .as_ref()
    }
}

/// `git_clean_worktree`: no staged, unstaged, conflicted or untracked entries.
fn clean_worktree(repo: &Repository) -> Result<(bool, String), String> {
    let mut options = StatusOptions::new();
    options
        .include_untracked(true)
        // An untracked directory is one entry (as in `git status`); libgit2 still looks
        // inside it far enough to skip directories holding only ignored files.
        .recurse_untracked_dirs(false)
        .include_ignored(false)
        .recurse_ignored_dirs(false)
        .include_unmodified(false)
        .exclude_submodules(false)
        .renames_head_to_index(false)
        .renames_index_to_workdir(false)
        // SECURITY: never write the refreshed stat cache back to the index: evaluating a
        // predicate must not modify the repository. Reading a fresh index is fine.
        .update_index(false);
    // SECURITY: comparing a stat-dirty file with the index hashes its content through
    // libgit2's built-in filters only (`crlf`, `ident`); a `filter.<driver>` named in
    // `.gitattributes` is never run, and there is no fsmonitor or hook on this path.
    let statuses = repo.statuses(Some(&mut options)).map_err(|err| {
        format!(
            "cannot read the status of `{}`: {}",
            repo.workdir().unwrap_or(repo.path()).display(),
            err.message()
        )
    })?;

    let mut counts = StatusCounts::default();
    for entry in statuses.iter() {
        counts.add(entry.status());
    }
    Ok((counts.is_clean(), counts.to_string()))
}

/// How many entries are in each state, for the `why` of `git_clean_worktree`.
#[derive(Debug, Default)]
struct StatusCounts {
    conflicted: usize,
    modified: usize,
    staged: usize,
    untracked: usize,
}

impl StatusCounts {
    fn add(&mut self, status: Status) {
        // An entry can be both staged and modified; it counts in both.
        if status.is_conflicted() {
            self.conflicted += 1;
            return;
        }
        if status.intersects(
            Status::INDEX_NEW
                | Status::INDEX_MODIFIED
                | Status::INDEX_DELETED
                | Status::INDEX_RENAMED
                | Status::INDEX_TYPECHANGE,
        ) {
            self.staged += 1;
        }
        if status.intersects(
            Status::WT_MODIFIED
                | Status::WT_DELETED
                | Status::WT_RENAMED
                | Status::WT_TYPECHANGE
                | Status::WT_UNREADABLE,
        ) {
            self.modified += 1;
        }
        if status.is_wt_new() {
            self.untracked += 1;
        }
    }

    fn is_clean(&self) -> bool {
        self.conflicted == 0 && self.modified == 0 && self.staged == 0 && self.untracked == 0
    }
}

impl std::fmt::Display for StatusCounts {
    /// `clean`, or e.g. `2 modified, 1 staged, 1 untracked` (zero counts left out).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_clean() {
            return f.write_str("clean");
        }
        let mut text = String::new();
        for (count, label) in [
            (self.conflicted, "conflicted"),
            (self.modified, "modified"),
            (self.staged, "staged"),
            (self.untracked, "untracked"),
        ] {
            if count > 0 {
                if !text.is_empty() {
                    text.push_str(", ");
                }
                let _ = write!(text, "{count} {label}");
            }
        }
        f.write_str(&text)
    }
}

/// `git_synced_to_upstream`: the current branch's upstream exists and the two point at
/// commits that are neither ahead of nor behind each other. Uses the remote-tracking
/// branch as last fetched; never fetches.
fn synced(repo: &Repository) -> Result<(bool, String), String> {
    let head = repo
        .find_reference("HEAD")
        .map_err(|err| format!("cannot read HEAD: {}", err.message()))?;
    let Some(refname) = head
        .symbolic_target()
        .map_err(|err| format!("cannot read HEAD: {}", err.message()))?
    else {
        return Err("detached HEAD has no upstream".to_owned());
    };
    let refname = refname.to_owned();
    let branch = refname
        .strip_prefix("refs/heads/")
        .unwrap_or(&refname)
        .to_owned();

    let local = match repo.refname_to_id(&refname) {
        Ok(oid) => oid,
        Err(err) if err.code() == ErrorCode::NotFound => {
            return Err(format!("branch {branch} has no commits yet"));
        }
        Err(err) => return Err(format!("cannot read branch {branch}: {}", err.message())),
    };

    let upstream = match repo.branch_upstream_name(&refname) {
        Ok(name) => name
            .as_str()
            .map(str::to_owned)
            .map_err(|_| format!("the upstream of branch {branch} is not valid UTF-8"))?,
        Err(err) if err.code() == ErrorCode::NotFound => {
            return Err(format!("branch {branch} has no upstream"));
        }
        Err(err) => {
            return Err(format!(
                "cannot read the upstream of branch {branch}: {}",
                err.message()
            ));
        }
    };
    let upstream_short = upstream
        .strip_prefix("refs/remotes/")
        .or_else(|| upstream.strip_prefix("refs/heads/"))
        .unwrap_or(&upstream);
    let remote = match repo.refname_to_id(&upstream) {
        Ok(oid) => oid,
        Err(err) if err.code() == ErrorCode::NotFound => {
            return Err(format!(
                "upstream {upstream_short} of branch {branch} does not exist (not fetched yet?)"
            ));
        }
        Err(err) => {
            return Err(format!(
                "cannot read upstream {upstream_short}: {}",
                err.message()
            ));
        }
    };

    let (ahead, behind) = repo.graph_ahead_behind(local, remote).map_err(|err| {
        format!(
            "cannot compare branch {branch} with {upstream_short}: {}",
            err.message()
        )
    })?;
    if ahead == 0 && behind == 0 {
        Ok((
            true,
            format!("branch {branch} is in sync with {upstream_short}"),
        ))
    } else {
        Ok((
            false,
            format!("branch {branch} is {ahead} ahead, {behind} behind {upstream_short}"),
        ))
    }
}

fn answer(value: bool, why: &str) -> PredicateValue {
    PredicateValue {
        value: Ok(value),
        why: why.to_owned(),
    }
}

fn failure(reason: &str) -> PredicateValue {
    PredicateValue {
        value: Err(reason.to_owned()),
        why: reason.to_owned(),
    }
}

fn from_result(result: Result<(bool, String), String>) -> PredicateValue {
    match result {
        Ok((value, why)) => PredicateValue {
            value: Ok(value),
            why,
        },
        Err(reason) => failure(&reason),
    }
}

fn canonical_or_self(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether `name` can be the last part of a config key (`alias.<name>`): a letter, then
/// letters, digits and `-`. Anything else (dots, spaces) could address another key.
fn is_config_key_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_like_git_status() {
        let mut counts = StatusCounts::default();
        assert_eq!(counts.to_string(), "clean");
        counts.add(Status::WT_MODIFIED);
        counts.add(Status::WT_MODIFIED | Status::INDEX_MODIFIED);
        counts.add(Status::WT_NEW);
        assert_eq!(counts.to_string(), "2 modified, 1 staged, 1 untracked");
        assert!(!counts.is_clean());
    }

    #[test]
    fn alias_names_cannot_address_other_keys() {
        assert!(is_config_key_name("co"));
        assert!(is_config_key_name("push-all2"));
        assert!(!is_config_key_name(""));
        assert!(!is_config_key_name("x.y"));
        assert!(!is_config_key_name("1x"));
        assert!(!is_config_key_name("a b"));
    }
}
