//! What a git directory holds, by name: the names git gives the entries it makes, and
//! the names a repository's users chose (branches, tags, remotes, worktrees,
//! submodules). `find . -name __pycache__ -exec rm -rf {} +` can only reach into `.git`
//! when some entry there has a name its `-name` pattern matches; this module answers
//! whether one may.

use std::path::{Path, PathBuf};

/// Names git itself gives entries of a git directory (gitrepository-layout(5), the
/// state files of merges, rebases, bisects and sequencer runs, hooks and their samples),
/// one of each kind for the patterned ones: an object directory (`ab`), a loose object,
/// pack files, temporary and lock files. A `-name` pattern that matches none of these
/// and no user-chosen name cannot name an entry git made. (`gc.log` is not among them:
/// git leaves it after a failed background gc and it stays until removed, so a git
/// directory holding one shows it among the names read; `find . -name '*.log'` is an
/// everyday clean-up.)
const GIT_NAMES: &[&str] = &[
    ".git",
    "HEAD",
    "config",
    "config.worktree",
    "description",
    "index",
    "hooks",
    "info",
    "logs",
    "objects",
    "refs",
    "heads",
    "tags",
    "remotes",
    "notes",
    "stash",
    "replace",
    "bisect",
    "packed-refs",
    "FETCH_HEAD",
    "ORIG_HEAD",
    "MERGE_HEAD",
    "MERGE_MSG",
    "MERGE_MODE",
    "MERGE_RR",
    "MERGE_AUTOSTASH",
    "AUTO_MERGE",
    "CHERRY_PICK_HEAD",
    "REVERT_HEAD",
    "REBASE_HEAD",
    "BISECT_LOG",
    "BISECT_START",
    "BISECT_EXPECTED_REV",
    "BISECT_TERMS",
    "BISECT_NAMES",
    "BISECT_ANCESTORS_OK",
    "BISECT_RUN",
    "BISECT_HEAD",
    "COMMIT_EDITMSG",
    "TAG_EDITMSG",
    "SQUASH_MSG",
    "NOTES_EDITMSG",
    "EDIT_DESCRIPTION",
    "NOTES_MERGE_PARTIAL",
    "NOTES_MERGE_REF",
    "NOTES_MERGE_WORKTREE",
    "shallow",
    "shallow.lock",
    "branches",
    "modules",
    "worktrees",
    "lfs",
    "rr-cache",
    "preimage",
    "postimage",
    "thisimage",
    "sequencer",
    "todo",
    "done",
    "opts",
    "abort-safety",
    "head",
    "rebase-merge",
    "rebase-apply",
    "git-rebase-todo",
    "git-rebase-todo.backup",
    "commondir",
    "gitdir",
    "locked",
    "prunable",
    "pack",
    "commit-graph",
    "commit-graphs",
    "commit-graph-chain",
    "multi-pack-index",
    "alternates",
    "http-alternates",
    "packs",
    "exclude",
    "attributes",
    "grafts",
    "sparse-checkout",
    "fsmonitor--daemon",
    "fsmonitor--daemon.ipc",
    "gc.pid",
    "maintenance.lock",
    "index.lock",
    "HEAD.lock",
    "FETCH_HEAD.lock",
    "x.lock",
    "ab",
    "0123456789abcdef0123456789abcdef01234567",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "pack-0123456789abcdef0123456789abcdef01234567.pack",
    "pack-0123456789abcdef0123456789abcdef01234567.idx",
    "pack-0123456789abcdef0123456789abcdef01234567.rev",
    "pack-0123456789abcdef0123456789abcdef01234567.keep",
    "pack-0123456789abcdef0123456789abcdef01234567.bitmap",
    "pack-0123456789abcdef0123456789abcdef01234567.mtimes",
    "pack-0123456789abcdef0123456789abcdef01234567.promisor",
    "multi-pack-index-0123456789abcdef0123456789abcdef01234567.bitmap",
    "graph-0123456789abcdef0123456789abcdef01234567.graph",
    "tmp_obj_AbC123",
    "tmp_pack_AbC123",
    "tmp_idx_AbC123",
    "incoming-AbC123",
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "pre-receive",
    "update",
    "proc-receive",
    "post-receive",
    "post-update",
    "reference-transaction",
    "push-to-checkout",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
    "post-index-change",
    "pre-commit.sample",
    ".COMMIT_EDITMSG.swp",
    "objects.lock",
    "tmp",
    "main",
    "master",
    "develop",
    "dev",
    "trunk",
    "origin",
    "upstream",
    "release",
    "gh-pages",
];

/// How many entries of a git directory are read at most: past it every name may be in
/// there.
const MAX_ENTRIES: usize = 20_000;

/// The git directory of the repository whose work tree holds `dir` (following a `.git`
/// file's `gitdir:` and a linked worktree's `commondir`), with its common directory.
pub fn git_dirs(top: &Path) -> Vec<PathBuf> {
    let dot_git = top.join(".git");
    let Ok(meta) = std::fs::symlink_metadata(&dot_git) else {
        return Vec::new();
    };
    let mut out = vec![dot_git.clone()];
    if meta.is_file() {
        let Ok(text) = crate::files::read_regular(&dot_git, 4096) else {
            return out;
        };
        if let Some(target) = String::from_utf8_lossy(&text)
            .lines()
            .find_map(|l| l.strip_prefix("gitdir:"))
        {
            let gitdir = top.join(target.trim());
            if let Ok(common) = crate::files::read_regular(&gitdir.join("commondir"), 4096) {
                out.push(gitdir.join(String::from_utf8_lossy(&common).trim()));
            }
            out.push(gitdir);
        }
    }
    out
}

/// The names of the entries of the git directories `dirs`, every level but object
/// stores (`objects/`, whose names [`may_name_entry`] knows by shape), or `None` past
/// [`MAX_ENTRIES`] or when one cannot be read. Besides what git makes, these are the
/// names users chose (branches, tags, remotes, worktrees, submodules) and what other
/// tools keep there.
pub fn entry_names(dirs: &[PathBuf]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(_) => return None,
        };
        for entry in entries {
            let entry = entry.ok()?;
            if names.len() >= MAX_ENTRIES {
                return None;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().ok()?.is_dir() && name != "objects" {
                stack.push(entry.path());
            }
            names.push(name);
        }
    }
    Some(names)
}

/// Whether the `find -name` pattern `pattern` may match an entry of a git directory:
/// a name git gives (or a common branch or remote name, for git directories not read),
/// or one of `user_names`. (find's `-name` is fnmatch without
/// `FNM_PERIOD`: `*` matches a leading dot.)
pub fn may_name_entry(pattern: &str, user_names: &[String]) -> bool {
    let Ok(glob) = crate::policy::glob::Glob::new(pattern) else {
        return true;
    };
    GIT_NAMES.iter().any(|n| glob.matches(n)) || user_names.iter().any(|n| glob.matches(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rstest::rstest]
    #[case("__pycache__", false)]
    #[case("node_modules", false)]
    #[case("*.pyc", false)]
    #[case("*.log", false)]
    #[case(".pytest_cache", false)]
    #[case("main", true)]
    #[case("config", true)]
    #[case("*", true)]
    #[case("??", true)]
    #[case("*.pack", true)]
    #[case("*.lock", true)]
    #[case("pre-*", true)]
    #[case(".git", true)]
    #[case("[0-9a-f][0-9a-f]", true)]
    #[case("H*", true)]
    fn names_git_may_give(#[case] pattern: &str, #[case] may: bool) {
        let users = vec!["main".to_string(), "origin".to_string()];
        assert_eq!(may_name_entry(pattern, &users), may, "{pattern}");
    }

    #[test]
    fn user_names_are_read_from_a_real_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let ok = std::process::Command::new("git")
                .args(args)
                .current_dir(tmp.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", tmp.path())
                .output()
                .unwrap()
                .status
                .success();
            assert!(ok, "git {args:?}");
        };
        run(&["init", "-q", "-b", "trunk"]);
        run(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ]);
        run(&["branch", "feature/__pycache__"]);
        let dirs = git_dirs(tmp.path());
        let names = entry_names(&dirs).unwrap();
        assert!(names.iter().any(|n| n == "trunk"), "{names:?}");
        assert!(names.iter().any(|n| n == "pre-commit.sample"), "{names:?}");
        assert!(
            !names.iter().any(|n| n.len() == 38),
            "objects are not listed: {names:?}"
        );
        assert!(may_name_entry("__pycache__", &names));
        assert!(!may_name_entry("node_modules", &names));
    }
}
