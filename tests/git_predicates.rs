#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The git predicates and alias look-ups of `Git2RepoState`, against real repositories
//! built with the git CLI in temporary directories.
//!
//! libgit2 reads the user's configuration from `$HOME` of the process that uses it, so most
//! cases run the implementation in a child process (this test binary again, filtered to
//! `probe_child`) with a cleared environment and `HOME` in the sandbox. That is also how
//! `GIT_DIR` and friends are put in the environment without touching this process's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use policy_exec::git::{Git2RepoState, Predicate, PredicateValue, RepoState};
use rstest::rstest;
use tempfile::TempDir;

/// Set in the child: the directory to evaluate.
const PROBE_DIR: &str = "POLICY_EXEC_TEST_PROBE_DIR";
/// Set in the child: alias names to look up, separated by commas.
const PROBE_ALIASES: &str = "POLICY_EXEC_TEST_PROBE_ALIASES";

/// A temporary directory with a private `$HOME`, where repositories are built.
struct Sandbox {
    tmp: TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let sandbox = Sandbox {
            tmp: TempDir::new().unwrap(),
        };
        std::fs::create_dir(sandbox.home()).unwrap();
        sandbox.write(
            "home/.gitconfig",
            "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
        );
        sandbox
    }

    fn home(&self) -> PathBuf {
        self.path("home")
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.tmp.path().join(relative)
    }

    fn write(&self, relative: &str, contents: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// The git CLI with a fixed identity and only the sandbox's configuration.
    fn git_command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "Test Committer")
            .env("GIT_COMMITTER_EMAIL", "committer@example.com")
            .env("LC_ALL", "C");
        command
    }

    /// Runs git in `relative` and returns its stdout; panics if it fails.
    fn git(&self, relative: &str, args: &[&str]) -> String {
        let output = self
            .git_command(&self.path(relative), args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?} in {relative} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Writes `file` in repository `repo`, adds and commits it.
    fn commit(&self, repo: &str, file: &str, contents: &str) {
        self.write(&format!("{repo}/{file}"), contents);
        self.git(repo, &["add", "--", file]);
        self.git(repo, &["commit", "-q", "-m", &format!("write {file}")]);
    }

    /// A repository `name` with one commit (`a.txt`, `b.txt`), no remote.
    fn repo(&self, name: &str) -> PathBuf {
        self.git(".", &["init", "-q", name]);
        self.write(&format!("{name}/a.txt"), "a\n");
        self.write(&format!("{name}/b.txt"), "b\n");
        self.git(name, &["add", "."]);
        self.git(name, &["commit", "-q", "-m", "initial"]);
        self.path(name)
    }

    /// A bare `origin.git` and a clone `work` whose `main` tracks `origin/main`, in sync.
    fn with_upstream(&self) -> PathBuf {
        self.git(".", &["init", "-q", "--bare", "origin.git"]);
        self.git(".", &["clone", "-q", "origin.git", "work"]);
        self.commit("work", "a.txt", "a\n");
        self.git("work", &["push", "-q", "-u", "origin", "main"]);
        self.path("work")
    }

    /// Another clone pushes a commit to origin, and `work` fetches it: `work` is behind.
    fn upstream_moves_on(&self) {
        self.git(".", &["clone", "-q", "origin.git", "other"]);
        self.commit("other", "other.txt", "other\n");
        self.git("other", &["push", "-q", "origin", "main"]);
        self.git("work", &["fetch", "-q", "origin"]);
    }

    /// Evaluates every predicate (and the given aliases) for `dir` in a child process
    /// with a cleared environment plus `env`.
    fn probe_with(&self, dir: &Path, aliases: &[&str], env: &[(&str, &Path)]) -> Probe {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", "probe_child", "--nocapture", "--test-threads=1"])
            .env_clear()
            .env("HOME", self.home())
            .env(PROBE_DIR, dir)
            .env(PROBE_ALIASES, aliases.join(","));
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            output.status.success(),
            "probe failed: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        Probe::parse(&stdout)
    }

    fn probe(&self, dir: &Path) -> Probe {
        self.probe_with(dir, &[], &[])
    }
}

/// What the child process answered.
#[derive(Debug, Default)]
struct Probe {
    predicates: BTreeMap<Predicate, PredicateValue>,
    aliases: BTreeMap<String, Option<String>>,
}

impl Probe {
    fn parse(stdout: &str) -> Self {
        let mut probe = Probe::default();
        for line in stdout.lines() {
            if let Some(json) = line.split_once("PROBE-PREDICATE ").map(|(_, json)| json) {
                let v: serde_json::Value = serde_json::from_str(json).unwrap();
                let predicate = Predicate::from_name(v["name"].as_str().unwrap()).unwrap();
                let value = match v["value"].as_bool() {
                    Some(value) => Ok(value),
                    None => Err(v["error"].as_str().unwrap().to_owned()),
                };
                let why = v["why"].as_str().unwrap().to_owned();
                probe
                    .predicates
                    .insert(predicate, PredicateValue { value, why });
            } else if let Some(json) = line.split_once("PROBE-ALIAS ").map(|(_, json)| json) {
                let v: serde_json::Value = serde_json::from_str(json).unwrap();
                probe.aliases.insert(
                    v["name"].as_str().unwrap().to_owned(),
                    v["value"].as_str().map(str::to_owned),
                );
            }
        }
        assert_eq!(probe.predicates.len(), 3, "probe printed: {stdout}");
        probe
    }

    fn get(&self, predicate: Predicate) -> &PredicateValue {
        &self.predicates[&predicate]
    }

    fn alias(&self, name: &str) -> Option<&str> {
        self.aliases[name].as_deref()
    }
}

/// The child half of [`Sandbox::probe_with`]; does nothing in a normal test run.
#[test]
fn probe_child() {
    let Some(dir) = std::env::var_os(PROBE_DIR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let state = Git2RepoState::new();
    // The git predicates (paths_inside_worktree is answered by the engine).
    for predicate in Predicate::ALL
        .into_iter()
        .filter(|p| *p != Predicate::PathsInsideWorktree)
    {
        let PredicateValue { value, why } = state.predicate(&dir, predicate);
        let line = serde_json::json!({
            "name": predicate.name(),
            "value": value.as_ref().ok(),
            "error": value.as_ref().err(),
            "why": why,
        });
        println!("PROBE-PREDICATE {line}");
    }
    let aliases = std::env::var(PROBE_ALIASES).unwrap_or_default();
    for name in aliases.split(',').filter(|name| !name.is_empty()) {
        let line = serde_json::json!({ "name": name, "value": state.git_alias(&dir, name) });
        println!("PROBE-ALIAS {line}");
    }
}

/// An expected predicate value, with a fragment its `why` must contain.
#[derive(Debug, Clone, Copy)]
enum Want {
    Yes(&'static str),
    No(&'static str),
    Fails(&'static str),
}
use Want::{Fails, No, Yes};

fn check(probe: &Probe, predicate: Predicate, want: Want) {
    let got = probe.get(predicate);
    let (value, fragment) = match want {
        Yes(fragment) => (Some(true), fragment),
        No(fragment) => (Some(false), fragment),
        Fails(fragment) => (None, fragment),
    };
    assert_eq!(
        got.value.as_ref().ok().copied(),
        value,
        "{}: {got:?}",
        predicate.name()
    );
    assert!(
        got.why.contains(fragment),
        "{}: why {:?} does not contain {fragment:?}",
        predicate.name(),
        got.why
    );
    if let Err(reason) = &got.value {
        assert_eq!(
            reason,
            &got.why,
            "{}: an error's why is its reason",
            predicate.name()
        );
    }
}

// Scenarios: each builds a repository state and returns the directory to evaluate.

fn clean(s: &Sandbox) -> PathBuf {
    s.repo("r")
}

fn staged(s: &Sandbox) -> PathBuf {
    let dir = s.repo("r");
    s.write("r/a.txt", "changed\n");
    s.git("r", &["add", "a.txt"]);
    dir
}

fn unstaged(s: &Sandbox) -> PathBuf {
    let dir = s.repo("r");
    s.write("r/a.txt", "changed\n");
    dir
}

fn deleted(s: &Sandbox) -> PathBuf {
    let dir = s.repo("r");
    std::fs::remove_file(s.path("r/b.txt")).unwrap();
    dir
}

fn untracked(s: &Sandbox) -> PathBuf {
    let dir = s.repo("r");
    s.write("r/new.txt", "new\n");
    dir
}

fn untracked_dir(s: &Sandbox) -> PathBuf {
    let dir = s.repo("r");
    s.write("r/newdir/deeper/one.txt", "1\n");
    s.write("r/newdir/two.txt", "2\n");
    dir
}

fn mixed(s: &Sandbox) -> PathBuf {
    let dir = s.repo("r");
    s.write("r/a.txt", "staged\n");
    s.git("r", &["add", "a.txt"]);
    s.write("r/a.txt", "staged then modified\n");
    s.write("r/b.txt", "modified\n");
    s.write("r/new.txt", "new\n");
    dir
}

fn only_ignored(s: &Sandbox) -> PathBuf {
    let dir = s.repo("r");
    s.commit("r", ".gitignore", "*.log\nbuild/\n");
    s.write("r/debug.log", "log\n");
    s.write("r/build/out.o", "obj\n");
    // An untracked directory holding only ignored files is not an untracked entry.
    s.write("r/cache/run.log", "log\n");
    dir
}

fn conflicted(s: &Sandbox) -> PathBuf {
    let dir = s.repo("r");
    s.git("r", &["checkout", "-q", "-b", "side"]);
    s.commit("r", "a.txt", "side\n");
    s.git("r", &["checkout", "-q", "main"]);
    s.commit("r", "a.txt", "main\n");
    let merge = s
        .git_command(&dir, &["merge", "-q", "side"])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge should conflict");
    dir
}

fn subdirectory_of_dirty(s: &Sandbox) -> PathBuf {
    s.repo("r");
    s.commit("r", "src/deep/lib.rs", "fn f() {}\n");
    s.write("r/top-level-untracked.txt", "new\n");
    s.path("r/src/deep")
}

fn synced(s: &Sandbox) -> PathBuf {
    s.with_upstream()
}

fn ahead(s: &Sandbox) -> PathBuf {
    let dir = s.with_upstream();
    s.commit("work", "local.txt", "local\n");
    dir
}

fn behind(s: &Sandbox) -> PathBuf {
    let dir = s.with_upstream();
    s.upstream_moves_on();
    dir
}

fn diverged(s: &Sandbox) -> PathBuf {
    let dir = s.with_upstream();
    s.upstream_moves_on();
    s.commit("work", "local.txt", "local\n");
    dir
}

fn upstream_not_fetched(s: &Sandbox) -> PathBuf {
    let dir = s.with_upstream();
    s.git(
        "work",
        &["config", "branch.main.merge", "refs/heads/never-fetched"],
    );
    dir
}

fn detached(s: &Sandbox) -> PathBuf {
    let dir = s.with_upstream();
    s.git("work", &["checkout", "-q", "--detach"]);
    dir
}

fn unborn(s: &Sandbox) -> PathBuf {
    s.git(".", &["init", "-q", "r"]);
    s.path("r")
}

fn bare(s: &Sandbox) -> PathBuf {
    s.git(".", &["init", "-q", "--bare", "bare.git"]);
    s.path("bare.git")
}

fn inside_bare(s: &Sandbox) -> PathBuf {
    bare(s).join("refs")
}

fn not_a_repository(s: &Sandbox) -> PathBuf {
    let dir = s.path("plain/dir");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn missing_directory(s: &Sandbox) -> PathBuf {
    s.path("does/not/exist")
}

fn inside_dot_git(s: &Sandbox) -> PathBuf {
    s.repo("r").join(".git")
}

fn deep_inside_dot_git(s: &Sandbox) -> PathBuf {
    s.repo("r").join(".git/objects")
}

/// The outer repository sees the inner one as an untracked directory; the inner one is
/// clean. Evaluating in the inner one answers for it.
fn nested_inner(s: &Sandbox) -> PathBuf {
    s.repo("outer");
    s.git("outer", &["init", "-q", "inner"]);
    s.commit("outer/inner", "x.txt", "x\n");
    s.path("outer/inner")
}

fn nested_outer(s: &Sandbox) -> PathBuf {
    nested_inner(s);
    s.path("outer")
}

fn linked_worktree(s: &Sandbox) -> PathBuf {
    s.repo("r");
    s.git("r", &["worktree", "add", "-q", "../linked"]);
    s.path("linked")
}

#[rstest]
#[case::clean(
    clean,
    Yes("inside work tree"),
    Yes("clean"),
    Fails("branch main has no upstream")
)]
#[case::staged(staged, Yes(""), No("1 staged"), Fails("no upstream"))]
#[case::unstaged(unstaged, Yes(""), No("1 modified"), Fails("no upstream"))]
#[case::deleted(deleted, Yes(""), No("1 modified"), Fails("no upstream"))]
#[case::untracked(untracked, Yes(""), No("1 untracked"), Fails("no upstream"))]
#[case::untracked_dir(untracked_dir, Yes(""), No("1 untracked"), Fails("no upstream"))]
#[case::mixed(
    mixed,
    Yes(""),
    No("2 modified, 1 staged, 1 untracked"),
    Fails("no upstream")
)]
#[case::only_ignored(only_ignored, Yes(""), Yes("clean"), Fails("no upstream"))]
#[case::conflicted(conflicted, Yes(""), No("1 conflicted"), Fails("no upstream"))]
#[case::subdirectory(
    subdirectory_of_dirty,
    Yes(""),
    No("1 untracked"),
    Fails("no upstream")
)]
#[case::synced(
    synced,
    Yes(""),
    Yes("clean"),
    Yes("branch main is in sync with origin/main")
)]
#[case::ahead(
    ahead,
    Yes(""),
    Yes("clean"),
    No("branch main is 1 ahead, 0 behind origin/main")
)]
#[case::behind(
    behind,
    Yes(""),
    Yes("clean"),
    No("branch main is 0 ahead, 1 behind origin/main")
)]
#[case::diverged(
    diverged,
    Yes(""),
    Yes("clean"),
    No("branch main is 1 ahead, 1 behind origin/main")
)]
#[case::not_fetched(upstream_not_fetched, Yes(""), Yes("clean"), Fails("does not exist"))]
#[case::detached(
    detached,
    Yes(""),
    Yes("clean"),
    Fails("detached HEAD has no upstream")
)]
#[case::unborn(unborn, Yes(""), Yes("clean"), Fails("branch main has no commits yet"))]
#[case::bare(
    bare,
    No("bare repository"),
    Fails("bare repository"),
    Fails("bare repository")
)]
#[case::inside_bare(inside_bare, No("bare repository"), Fails("bare"), Fails("bare"))]
#[case::not_a_repo(
    not_a_repository,
    No("not inside a git repository"),
    Fails("not inside a git repository"),
    Fails("not inside a git repository")
)]
#[case::missing_dir(
    missing_directory,
    Fails("cannot read directory"),
    Fails("cannot read directory"),
    Fails("cannot read directory")
)]
#[case::dot_git(
    inside_dot_git,
    No("inside the git directory"),
    Fails("not a work tree"),
    Fails("not a work tree")
)]
#[case::deep_dot_git(
    deep_inside_dot_git,
    No("inside the git directory"),
    Fails("not a work tree"),
    Fails("not a work tree")
)]
#[case::nested_inner(nested_inner, Yes("inner"), Yes("clean"), Fails("no upstream"))]
#[case::nested_outer(nested_outer, Yes("outer"), No("1 untracked"), Fails("no upstream"))]
#[case::linked_worktree(linked_worktree, Yes("linked"), Yes("clean"), Fails("no upstream"))]
fn predicates(
    #[case] setup: fn(&Sandbox) -> PathBuf,
    #[case] is_worktree: Want,
    #[case] clean_worktree: Want,
    #[case] synced_to_upstream: Want,
) {
    let sandbox = Sandbox::new();
    let dir = setup(&sandbox);
    let probe = sandbox.probe(&dir);
    check(&probe, Predicate::IsWorktree, is_worktree);
    check(&probe, Predicate::CleanWorktree, clean_worktree);
    check(&probe, Predicate::SyncedToUpstream, synced_to_upstream);
}

#[test]
fn git_dir_and_work_tree_in_the_environment_are_ignored() {
    let sandbox = Sandbox::new();
    let clean = sandbox.repo("clean");
    let dirty = unstaged_in(&sandbox, "dirty");
    let plain = not_a_repository(&sandbox);
    let env = [
        ("GIT_DIR", dirty.join(".git")),
        ("GIT_WORK_TREE", dirty.clone()),
        ("GIT_INDEX_FILE", dirty.join(".git/index")),
        ("GIT_COMMON_DIR", dirty.join(".git")),
        ("GIT_CEILING_DIRECTORIES", sandbox.path("")),
    ];
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();

    let probe = sandbox.probe_with(&clean, &[], &env);
    check(&probe, Predicate::IsWorktree, Yes("clean"));
    check(&probe, Predicate::CleanWorktree, Yes("clean"));

    let probe = sandbox.probe_with(&plain, &[], &env);
    check(
        &probe,
        Predicate::IsWorktree,
        No("not inside a git repository"),
    );
    check(&probe, Predicate::CleanWorktree, Fails("not inside"));
}

fn unstaged_in(s: &Sandbox, name: &str) -> PathBuf {
    let dir = s.repo(name);
    s.write(&format!("{name}/a.txt"), "changed\n");
    dir
}

#[test]
fn aliases_come_from_the_repository_then_the_user_config() {
    let sandbox = Sandbox::new();
    let repo = sandbox.repo("r");
    let plain = not_a_repository(&sandbox);
    sandbox.git(".", &["config", "--global", "alias.st", "status --short"]);
    sandbox.git(".", &["config", "--global", "alias.lg", "log --global"]);
    sandbox.git("r", &["config", "alias.co", "checkout"]);
    sandbox.git("r", &["config", "alias.lg", "log --repo"]);
    let names = ["co", "st", "lg", "Lg", "missing", "st.x"];

    let in_repo = sandbox.probe_with(&repo, &names, &[]);
    assert_eq!(in_repo.alias("co"), Some("checkout"));
    assert_eq!(in_repo.alias("st"), Some("status --short"));
    assert_eq!(in_repo.alias("lg"), Some("log --repo"));
    assert_eq!(
        in_repo.alias("Lg"),
        Some("log --repo"),
        "variable names are case-insensitive"
    );
    assert_eq!(in_repo.alias("missing"), None);
    assert_eq!(in_repo.alias("st.x"), None);

    let outside = sandbox.probe_with(&plain, &names, &[]);
    assert_eq!(outside.alias("co"), None);
    assert_eq!(outside.alias("st"), Some("status --short"));
    assert_eq!(outside.alias("lg"), Some("log --global"));
}

/// Values are memoised per instance (one instance per invocation): a repository that
/// changes after a predicate was evaluated keeps its first answer, for any directory in it.
#[test]
fn values_are_memoised_per_instance_and_repository() {
    let sandbox = Sandbox::new();
    let root = sandbox.repo("r");
    sandbox.commit("r", "sub/c.txt", "c\n");
    let sub = root.join("sub");

    let state = Git2RepoState::new();
    assert_eq!(
        state.predicate(&root, Predicate::CleanWorktree).value,
        Ok(true)
    );
    sandbox.write("r/new.txt", "new\n");
    assert_eq!(
        state.predicate(&root, Predicate::CleanWorktree).value,
        Ok(true)
    );
    assert_eq!(
        state.predicate(&sub, Predicate::CleanWorktree).value,
        Ok(true)
    );

    let fresh = Git2RepoState::new();
    assert_eq!(
        fresh.predicate(&sub, Predicate::CleanWorktree).value,
        Ok(false)
    );
}

/// Only the predicate asked for is computed: a repository whose status cannot be read
/// still answers `git_is_worktree` and `git_synced_to_upstream`.
#[test]
fn status_is_only_computed_when_asked() {
    let sandbox = Sandbox::new();
    let dir = sandbox.with_upstream();
    // A corrupt index makes status fail, and nothing else.
    std::fs::write(sandbox.path("work/.git/index"), "not an index").unwrap();

    let probe = sandbox.probe(&dir);
    check(&probe, Predicate::IsWorktree, Yes(""));
    check(
        &probe,
        Predicate::CleanWorktree,
        Fails("cannot read the status"),
    );
    check(&probe, Predicate::SyncedToUpstream, Yes("in sync"));
}

/// Computing status on a file whose stat data is stale must not refresh the index on disk.
#[test]
fn status_does_not_write_the_index() {
    let sandbox = Sandbox::new();
    let dir = sandbox.repo("r");
    let index = sandbox.path("r/.git/index");
    let before = (std::fs::read(&index).unwrap(), modified(&index));
    set_modified(
        &sandbox.path("r/a.txt"),
        SystemTime::now() + Duration::from_secs(60),
    );

    let probe = sandbox.probe(&dir);
    check(&probe, Predicate::CleanWorktree, Yes("clean"));
    assert_eq!((std::fs::read(&index).unwrap(), modified(&index)), before);
    assert!(!sandbox.path("r/.git/index.lock").exists());
}

/// Hooks, an fsmonitor hook and a clean filter driver that git itself would run while
/// computing status are all left alone.
#[test]
fn repository_configured_programs_are_never_run() {
    let sandbox = Sandbox::new();
    let dir = sandbox.repo("r");
    let markers = sandbox.path("markers");
    std::fs::create_dir(&markers).unwrap();
    let trap = sandbox.path("trap.sh");
    std::fs::write(
        &trap,
        format!(
            "#!/bin/sh\ntouch '{}'/\"$(basename \"$0\")-$1\"\ncat\n",
            markers.display()
        ),
    )
    .unwrap();
    make_executable(&trap);
    // The same script under hook names, as the fsmonitor hook and as a filter driver.
    for hook in [
        "post-index-change",
        "reference-transaction",
        "pre-commit",
        "post-checkout",
    ] {
        let path = sandbox.path(&format!("r/.git/hooks/{hook}"));
        std::fs::copy(&trap, &path).unwrap();
        make_executable(&path);
    }
    let trap = trap.display().to_string();
    sandbox.git("r", &["config", "core.fsmonitor", &trap]);
    sandbox.git(
        "r",
        &["config", "filter.evil.clean", &format!("{trap} clean")],
    );
    sandbox.git(
        "r",
        &["config", "filter.evil.smudge", &format!("{trap} smudge")],
    );
    sandbox.write("r/.git/info/attributes", "*.txt filter=evil\n");
    // Stale stat data forces a content comparison, which is where a filter would run.
    set_modified(
        &sandbox.path("r/a.txt"),
        SystemTime::now() + Duration::from_secs(60),
    );

    let probe = sandbox.probe(&dir);
    assert!(probe.get(Predicate::CleanWorktree).value.is_ok());
    let ran: Vec<_> = std::fs::read_dir(&markers).unwrap().collect();
    assert!(ran.is_empty(), "repository programs ran: {ran:?}");

    // The traps are live: git itself runs them for the same question.
    sandbox.git("r", &["status", "--porcelain"]);
    let ran = std::fs::read_dir(&markers).unwrap().count();
    assert!(ran > 0, "git status ran none of the traps");
}

/// libgit2 refuses a repository owned by another user (unless it is in `safe.directory`);
/// that is an evaluation error, and that repository's aliases are not read. Needs root to
/// give the repository away, so it only checks something when run as root.
#[test]
fn repository_owned_by_another_user_is_an_error() {
    let uid = Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!("skipped: needs root to chown a repository to another user");
        return;
    }
    let sandbox = Sandbox::new();
    let dir = sandbox.repo("r");
    sandbox.git("r", &["config", "alias.co", "checkout"]);
    sandbox.git(".", &["config", "--global", "alias.st", "status"]);
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(chown.success());

    let probe = sandbox.probe_with(&dir, &["co", "st"], &[]);
    for predicate in Predicate::ALL
        .into_iter()
        .filter(|p| *p != Predicate::PathsInsideWorktree)
    {
        check(&probe, predicate, Fails("owned by another user"));
    }
    assert_eq!(probe.alias("co"), None);
    assert_eq!(probe.alias("st"), Some("status"));

    let safe = dir.display().to_string();
    sandbox.git(".", &["config", "--global", "safe.directory", &safe]);
    let probe = sandbox.probe(&dir);
    check(&probe, Predicate::CleanWorktree, Yes("clean"));
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

fn set_modified(path: &Path, time: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// git reads configuration from its environment too — `GIT_CONFIG_PARAMETERS` (what
/// `git -c` passes on), `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n` above every file, and
/// `GIT_CONFIG_GLOBAL`/`GIT_CONFIG_SYSTEM`/`GIT_CONFIG_NOSYSTEM` choosing the files — and a
/// harness may pass them to the commands it runs: aliases defined there are read the same.
#[test]
fn aliases_come_from_git_configuration_in_the_environment() {
    let sandbox = Sandbox::new();
    let repo = sandbox.repo("r");
    sandbox.git(".", &["config", "--global", "alias.st", "status --short"]);
    sandbox.git("r", &["config", "alias.co", "checkout"]);
    sandbox.write("other-global", "[alias]\n\tgl = reset --hard\n");
    sandbox.write("system", "[alias]\n\tsy = clean -fdx\n");
    let names = ["st", "co", "gl", "sy", "pp", "kk"];
    let count = [
        ("GIT_CONFIG_COUNT", Path::new("2")),
        ("GIT_CONFIG_KEY_0", Path::new("alias.kk")),
        ("GIT_CONFIG_VALUE_0", Path::new("reset --hard")),
        ("GIT_CONFIG_KEY_1", Path::new("Alias.CO")),
        ("GIT_CONFIG_VALUE_1", Path::new("push --force")),
    ];
    let p = sandbox.probe_with(&repo, &names, &count);
    assert_eq!(p.alias("kk"), Some("reset --hard"));
    assert_eq!(
        p.alias("co"),
        Some("push --force"),
        "above the repository's file"
    );
    assert_eq!(p.alias("st"), Some("status --short"));
    let params = [(
        "GIT_CONFIG_PARAMETERS",
        Path::new("'alias.pp'='push --force' 'alias.kk=reset --hard'"),
    )];
    let p = sandbox.probe_with(&repo, &names, &params);
    assert_eq!(p.alias("pp"), Some("push --force"));
    assert_eq!(p.alias("kk"), Some("reset --hard"));
    let global = sandbox.path("other-global");
    let system = sandbox.path("system");
    let files = [
        ("GIT_CONFIG_GLOBAL", global.as_path()),
        ("GIT_CONFIG_SYSTEM", system.as_path()),
    ];
    let p = sandbox.probe_with(&repo, &names, &files);
    assert_eq!(p.alias("gl"), Some("reset --hard"));
    assert_eq!(p.alias("sy"), Some("clean -fdx"));
    assert_eq!(
        p.alias("st"),
        None,
        "GIT_CONFIG_GLOBAL replaces ~/.gitconfig"
    );
    assert_eq!(
        p.alias("co"),
        Some("checkout"),
        "the repository's file still counts"
    );
    let nosystem = [
        ("GIT_CONFIG_SYSTEM", system.as_path()),
        ("GIT_CONFIG_NOSYSTEM", Path::new("1")),
    ];
    let p = sandbox.probe_with(&repo, &names, &nosystem);
    assert_eq!(p.alias("sy"), None);
    // The same answers from git itself.
    let out = Command::new("git")
        .args(["config", "--get", "alias.gl"])
        .current_dir(&repo)
        .env("HOME", sandbox.home())
        .env("GIT_CONFIG_GLOBAL", &global)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "reset --hard");
}

/// Through the binary: an alias the harness's environment defines is judged as what git
/// runs for it.
#[test]
fn an_alias_from_the_environment_is_judged_as_its_expansion() {
    let sandbox = Sandbox::new();
    let repo = sandbox.repo("r");
    let check = |vars: &[(&str, &str)]| -> Option<i32> {
        let mut c = Command::new(env!("CARGO_BIN_EXE_policy-exec"));
        c.args(["check", "--", "git", "st"])
            .current_dir(&repo)
            .env_clear()
            .env("HOME", sandbox.home())
            .env("PATH", "/usr/bin:/bin");
        for (k, v) in vars {
            c.env(k, v);
        }
        c.output().unwrap().status.code()
    };
    assert_eq!(check(&[]), Some(0));
    assert_eq!(
        check(&[
            ("GIT_CONFIG_COUNT", "1"),
            ("GIT_CONFIG_KEY_0", "alias.st"),
            ("GIT_CONFIG_VALUE_0", "reset --hard"),
        ]),
        Some(2)
    );
    assert_eq!(
        check(&[("GIT_CONFIG_PARAMETERS", "'alias.st'='reset --hard'")]),
        Some(2)
    );
}
