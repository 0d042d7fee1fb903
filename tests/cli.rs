//! End to end: the real binary's `check` and `explain` on real git repositories, with a
//! cleared environment and temp files built per test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// A test environment: an empty HOME, and helpers to make repositories and run the binary.
struct Env {
    home: TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn git(&self, dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", "/usr/bin:/bin:/usr/local/bin")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A repository with one commit; `dirty` adds a modified and an untracked file.
    fn repo(&self, name: &str, dirty: bool) -> PathBuf {
        let dir = self.home.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        self.git(&dir, &["init", "-q", "-b", "main"]);
        std::fs::write(dir.join("f.txt"), "a\n").unwrap();
        self.git(&dir, &["add", "f.txt"]);
        self.git(&dir, &["commit", "-qm", "init"]);
        if dirty {
            std::fs::write(dir.join("f.txt"), "b\n").unwrap();
            std::fs::write(dir.join("new.txt"), "n\n").unwrap();
        }
        dir
    }

    /// A policy tree under `$HOME/tree` with harness `h` and task-domain `d`; `system`
    /// is appended to the system scope.
    fn tree(&self, system: &str) -> PathBuf {
        let root = self.home.path().join("tree");
        let pc = root.join("policy-config");
        std::fs::create_dir_all(pc.join("harness")).unwrap();
        std::fs::create_dir_all(pc.join("task-domain")).unwrap();
        let scope = |s: &str, extra: &str| format!("policy_version: v1\nscope: {s}\n{extra}\n");
        for (file, slot, extra) in [
            ("system.yaml", "system", system),
            ("user.yaml", "user", "notes: u"),
            ("repo.yaml", "repo", "notes: r"),
            ("harness/h.yaml", "harness", "notes: h"),
            ("task-domain/d.yaml", "task_domain", "notes: d"),
        ] {
            std::fs::write(pc.join(file), scope(slot, extra)).unwrap();
        }
        root
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_policy-exec"))
            .args(args)
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap()
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn checkout_is_allowed_on_a_clean_repo_and_requested_on_a_dirty_one() {
    let env = Env::new();
    let clean = env.repo("clean", false);
    let dirty = env.repo("dirty", true);
    let c = clean.to_str().unwrap();
    let d = dirty.to_str().unwrap();
    assert_eq!(
        code(&env.run(&["check", "--cwd", c, "--", "git", "checkout", "x"])),
        0
    );
    let o = env.run(&["check", "--cwd", d, "--json", "--", "git", "checkout", "x"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["decision"], "request");
    assert_eq!(v["matched"], true);
    assert_eq!(v["rule_id"], "branch-moves-need-clean-worktree");
    assert_eq!(v["condition_passed"], false);
}

#[test]
fn explain_shows_rule_origin_and_predicate_reasons_in_a_dirty_repo() {
    let env = Env::new();
    let dirty = env.repo("dirty", true);
    let o = env.run(&[
        "explain",
        "--cwd",
        dirty.to_str().unwrap(),
        "git checkout x",
    ]);
    let text = stdout(&o);
    assert_eq!(code(&o), 1, "{text}");
    assert!(text.contains("embedded default policy"), "{text}");
    assert!(
        text.contains("branch-moves-need-clean-worktree from policy-config/system.yaml"),
        "{text}"
    );
    assert!(
        text.contains("git_clean_worktree = false: 1 modified, 1 untracked"),
        "{text}"
    );
    assert!(text.contains("decision: REQUEST"), "{text}");
}

#[test]
fn cd_into_a_dirty_repo_is_followed_for_predicates() {
    let env = Env::new();
    let clean = env.repo("clean", false);
    let dirty = env.repo("dirty", true);
    let check = |cwd: &Path, script: String| {
        code(&env.run(&[
            "check",
            "--cwd",
            cwd.to_str().unwrap(),
            "--command",
            &script,
        ]))
    };
    let into_dirty = format!("cd {} && git checkout main", dirty.display());
    assert_eq!(check(&clean, into_dirty), 1);
    let on_clean = format!("git -C {} checkout main", clean.display());
    assert_eq!(check(&dirty, on_clean), 0);
}

#[test]
fn denied_commands_exit_2_with_rule_and_reason() {
    let env = Env::new();
    let o = env.run(&[
        "check",
        "--cwd",
        "/",
        "--json",
        "--command",
        "bash -c 'git push -uf origin main'",
    ]);
    assert_eq!(code(&o), 2);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["rule_id"], "no-force-push");
    assert_eq!(v["rule_origin"]["path"], "policy-config/system.yaml");
}

#[test]
fn a_script_that_does_not_parse_is_denied() {
    let env = Env::new();
    let o = env.run(&["check", "--cwd", "/", "--command", "if true; then echo"]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).contains("does not parse"));
}

#[test]
fn a_missing_bundle_is_denied_and_a_manifest_can_choose_otherwise() {
    let env = Env::new();
    let missing = env.home.path().join("nope.json");
    let o = env.run(&["check", "--bundle", missing.to_str().unwrap(), "--", "ls"]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let manifest = env.home.path().join("m.json");
    std::fs::write(
        &manifest,
        serde_json::json!({"schema_version": 1, "bundle_path": missing, "fallback_missing_policy": "request"})
            .to_string(),
    )
    .unwrap();
    let with_manifest = || {
        code(&env.run(&[
            "check",
            "--manifest",
            manifest.to_str().unwrap(),
            "--",
            "ls",
        ]))
    };
    assert_eq!(with_manifest(), 1);
    std::fs::write(&manifest, "{not json").unwrap();
    assert_eq!(with_manifest(), 2);
}

#[test]
fn a_malformed_bundle_is_denied() {
    let env = Env::new();
    let bundle = env.home.path().join("b.json");
    std::fs::write(&bundle, "[1, 2").unwrap();
    let o = env.run(&["check", "--bundle", bundle.to_str().unwrap(), "--", "ls"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn the_configured_manifest_is_found_under_xdg_config() {
    let env = Env::new();
    let dir = env.home.path().join(".config/policy-exec");
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("policy-wrapper-rules.json");
    std::fs::write(
        &bundle,
        serde_json::json!({"schema_version": 1, "required_conditions": [], "commands": [{
            "id": "no-ls", "source": "t", "action": "deny", "on_mismatch": null, "matcher": "prefix",
            "pattern": "ls", "normalized_pattern": "ls", "conditions": {"mode": "all", "conditions": []},
            "platform_action": "deny", "shell_entry": "ls", "bash_entry": "ls"}]})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("policy-wrapper-dispatch.manifest.json"),
        serde_json::json!({"schema_version": 1, "bundle_path": bundle}).to_string(),
    )
    .unwrap();
    let o = env.run(&["check", "--json", "--", "ls", "-la"]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(stdout(&o).contains("no-ls"));
}

#[test]
fn check_judges_straight_from_a_policy_tree() {
    let env = Env::new();
    let root = env.tree("commands:\n  deny: [\"make deploy*\"]");
    let r = root.to_str().unwrap();
    let args = [
        "check",
        "--root",
        r,
        "--harness",
        "h",
        "--task-domain",
        "d",
        "--json",
        "--",
    ];
    let o = env.run(&[&args[..], &["make", "deploy", "prod"]].concat());
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(stdout(&o).contains("static-deny:"));
    assert_eq!(code(&env.run(&[&args[..], &["make", "test"]].concat())), 0);
}

#[test]
fn resolve_fails_when_a_rule_example_disagrees_with_its_rule() {
    let env = Env::new();
    let rule = "command_rules:\n  - id: r1\n    action: deny\n    match: {prefix: git push}\n    examples: {match: [git pull], not_match: [git push x]}";
    let root = env.tree(rule);
    let o = env.run(&[
        "resolve",
        "--root",
        root.to_str().unwrap(),
        "--harness",
        "h",
        "--task-domain",
        "d",
    ]);
    assert_eq!(code(&o), 4);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("example `git pull` does not match"), "{err}");
    assert!(
        err.contains("example `git push x` matches but is listed under not_match"),
        "{err}"
    );
}

#[test]
fn absurdly_deep_nesting_is_denied_not_crashed() {
    let env = Env::new();
    let script = format!("echo {}x{}", "$(".repeat(5000), ")".repeat(5000));
    let o = env.run(&["check", "--cwd", "/", "--command", &script]);
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("nest deeper"));
}

#[test]
fn paths_are_resolved_against_home_and_the_directory_before_matching() {
    let env = Env::new();
    let repo = env.repo("r", false);
    let home = env.home.path().to_str().unwrap().to_string();
    let cwd = repo.to_str().unwrap();
    for script in [
        format!("rm -rf {home}"),
        format!("rm -rf {home}/"),
        // HOME is /tmp/.tmpXXXX here: two levels up is /.
        "rm -rf ~/../..".to_string(),
        "cd .git && rm -rf objects".to_string(),
        "rm -rf ../r/.git".to_string(),
        "rm -rf /proc/self/cwd/.git".to_string(),
    ] {
        let o = env.run(&["check", "--cwd", cwd, "--command", &script]);
        assert_eq!(code(&o), 2, "{script}: {}", stdout(&o));
    }
    let o = env.run(&[
        "check",
        "--cwd",
        cwd,
        "--command",
        "rm -rf ~/project/build target",
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

/// bash's `cd` is logical: `cd link/..` comes back to where it started, wherever the link
/// points (here into a clean repository's subdirectory), so the dirty repository's state
/// is what counts.
#[test]
fn cd_through_a_symlink_and_back_is_logical_like_bash() {
    let env = Env::new();
    let clean = env.repo("clean", false);
    let dirty = env.repo("dirty", true);
    std::fs::create_dir(clean.join("sub")).unwrap();
    std::os::unix::fs::symlink(clean.join("sub"), dirty.join("l")).unwrap();
    let o = env.run(&[
        "check",
        "--cwd",
        dirty.to_str().unwrap(),
        "--command",
        "cd l/.. && git checkout .",
    ]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    // git -C follows the link physically: it acts in the clean repository.
    let o = env.run(&[
        "check",
        "--cwd",
        dirty.to_str().unwrap(),
        "--command",
        "git -C l/.. checkout .",
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn completions_and_the_man_page_are_generated_from_the_cli() {
    let env = Env::new();
    let out = env.run(&["completions", "bash"]);
    assert_eq!(code(&out), 0);
    let script = stdout(&out);
    for word in ["explain", "check", "log", "denials", "--json"] {
        assert!(
            script.contains(word),
            "{word} missing from the bash completion"
        );
    }
    // The script is valid bash and registers a completion for policy-exec.
    let loaded = std::process::Command::new("bash")
        .args([
            "-c",
            "eval \"$1\" && complete -p policy-exec",
            "_",
            script.as_str(),
        ])
        .output()
        .unwrap();
    assert!(loaded.status.success(), "{loaded:?}");
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("policy-exec"));
    for shell in ["zsh", "fish"] {
        let out = env.run(&["completions", shell]);
        assert_eq!(code(&out), 0);
        assert!(stdout(&out).contains("explain"), "{shell}");
    }
    assert_ne!(code(&env.run(&["completions", "tcsh"])), 0);
    let man = env.run(&["man"]);
    assert_eq!(code(&man), 0);
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.contains(".TH policy-exec 1"),
        "{page}"
    );
    assert!(page.contains("explain"));
}

/// A conditional rule's `reason` is written for the branch that refuses: when its
/// conditions let a command through, `explain` and `check` say so instead of printing
/// that warning as the reason it was allowed (issue 17 item 7).
#[test]
fn an_allowed_command_is_not_explained_with_a_conditional_rules_warning() {
    let env = Env::new();
    let root = env.tree(
        "command_rules:\n  - id: discard-needs-clean\n    action: allow\n    on_mismatch: deny\n    reason: discards uncommitted changes\n    match: {prefix: git checkout .}\n    conditions: [git_clean_worktree]\n",
    );
    let r = root.to_str().unwrap();
    let scope = ["--root", r, "--harness", "h", "--task-domain", "d"];
    for (dirty, decision, want, not) in [
        (
            false,
            "ALLOW",
            "rule discard-needs-clean (policy-config/system.yaml) allows it: its conditions hold",
            "discards uncommitted changes",
        ),
        (true, "DENY", ": discards uncommitted changes", "allows it"),
    ] {
        let repo = env.repo(if dirty { "dirty" } else { "clean" }, dirty);
        let mut args = vec!["explain", "--cwd", repo.to_str().unwrap()];
        args.extend(scope);
        args.push("git checkout .");
        let text = stdout(&env.run(&args));
        let last = text.lines().last().unwrap_or_default();
        assert!(
            last.starts_with(&format!("decision: {decision} — ")),
            "{text}"
        );
        assert!(last.contains(want), "{last}");
        assert!(!last.contains(not), "{last}");
    }
}
