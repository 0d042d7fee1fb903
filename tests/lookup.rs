#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Per-project policy end to end: the real binary with a private HOME holding an
//! installed tree (the default policy, as install.sh installs it), real git repositories
//! with and without their own `policy-config/repo.yaml`, the compiled cache, and
//! `sync --apply` refusing to narrow the machine policy.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_policy-exec");

struct Env {
    tmp: TempDir,
}

impl Env {
    /// A HOME with the default policy installed as a tree.
    fn new() -> Env {
        let env = Env {
            tmp: tempfile::tempdir().unwrap(),
        };
        let tree = env.config().join("policy-config");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/default/policy-config"),
            &tree,
        );
        env
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn config(&self) -> PathBuf {
        self.home().join(".config/policy-exec")
    }

    /// A git repository under the temp dir, optionally with its own repo scope.
    fn repo(&self, name: &str, repo_yaml: Option<&str>) -> PathBuf {
        let dir = self.tmp.path().join(name);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let ok = Command::new("git")
            .args(["init", "-q"])
            .current_dir(&dir)
            .env("HOME", self.home())
            .status()
            .unwrap();
        assert!(ok.success());
        if let Some(text) = repo_yaml {
            self.write_repo_scope(&dir, text);
        }
        dir
    }

    fn write_repo_scope(&self, repo: &Path, text: &str) {
        std::fs::create_dir_all(repo.join("policy-config")).unwrap();
        std::fs::write(repo.join("policy-config/repo.yaml"), text).unwrap();
    }

    fn run_in(&self, dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::null());
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// `check`'s one-line verdict in `dir` (exit code, text).
    fn check(&self, dir: &Path, command: &str) -> (i32, String) {
        let out = self.run_in(dir, &["check", "--", command], &[]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.code().unwrap(), text)
    }

    fn explain(&self, dir: &Path, command: &str) -> String {
        let out = self.run_in(dir, &["explain", command], &[]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

const DENY_DEPLOY: &str = "policy_version: v1
scope: repo
command_rules:
  - id: no-make-deploy
    action: deny
    reason: deploys go through CI
    match: {prefix: make deploy}
";

#[test]
fn a_repository_scope_adds_its_rules_there_only_and_edits_apply_on_the_next_command() {
    let env = Env::new();
    let project = env.repo("project", Some(DENY_DEPLOY));
    let other = env.repo("other", None);

    // Inside the project (and below its top): its rule, and every machine rule.
    assert_eq!(env.check(&project.join("sub"), "make deploy").0, 2);
    let (code, text) = env.check(&project, "git reset --hard HEAD~1");
    assert_eq!(code, 2, "{text}");
    // The refusal names the file a human would edit, absolutely.
    assert!(
        text.contains(
            &env.config()
                .join("policy-config/system.yaml")
                .display()
                .to_string()
        ),
        "{text}"
    );
    assert_eq!(env.check(&project, "git push origin +main").0, 2);
    assert_eq!(env.check(&project, "make test").0, 0);
    // Another repository is unaffected.
    assert_eq!(env.check(&other, "make deploy").0, 0);

    // explain names the chain and the hash.
    let text = env.explain(&project, "make deploy");
    assert!(
        text.contains(&format!(
            "repo {}",
            project.join("policy-config/repo.yaml").display()
        )),
        "{text}"
    );
    assert!(text.contains("policy_hash "), "{text}");

    // An edit takes effect on the next command, with nothing run in between.
    env.write_repo_scope(&project, &DENY_DEPLOY.replace("make deploy", "make ship"));
    assert_eq!(env.check(&project, "make deploy").0, 0);
    assert_eq!(env.check(&project, "make ship").0, 2);

    // Deleted: the installed repo scope applies again.
    std::fs::remove_file(project.join("policy-config/repo.yaml")).unwrap();
    assert_eq!(env.check(&project, "make ship").0, 0);
    let text = env.explain(&project, "ls");
    assert!(
        text.contains(&format!(
            "repo {}",
            env.config().join("policy-config/repo.yaml").display()
        )),
        "{text}"
    );
}

#[test]
fn the_reference_layout_is_found_too() {
    let env = Env::new();
    let project = env.repo("ref", None);
    std::fs::create_dir_all(project.join("policy-contract/policy-config")).unwrap();
    std::fs::write(
        project.join("policy-contract/policy-config/repo.yaml"),
        DENY_DEPLOY,
    )
    .unwrap();
    assert_eq!(env.check(&project, "make deploy").0, 2);
}

#[test]
fn a_repository_cannot_loosen_enforcement_or_drop_a_machine_deny() {
    let env = Env::new();
    // The machine asks for anything unmatched.
    let user = env.config().join("policy-config/user.yaml");
    let text = std::fs::read_to_string(&user).unwrap() + "\nenforcement:\n  unmatched: request\n";
    std::fs::write(&user, text).unwrap();
    let loose = env.repo(
        "loose",
        Some("policy_version: v1\nscope: repo\nenforcement: {unmatched: allow, dynamic: allow}\ncommand_rules:\n  - {id: x, action: allow, match: {prefix: make}}\n"),
    );
    let (code, text) = env.check(&loose, "some-unknown-tool");
    assert_eq!(code, 1, "unmatched stays request: {text}");
    let explain = env.explain(&loose, "some-unknown-tool");
    assert!(
        explain.contains("`enforcement.unmatched: allow`") && explain.contains("is ignored"),
        "{explain}"
    );
    // `validate` of that tree would not see the repository; explain says it.

    // A repository that redeclares commands.deny would drop the machine's: refused.
    let system = env.config().join("policy-config/system.yaml");
    let text = std::fs::read_to_string(&system).unwrap()
        + "\ncommands:\n  deny:\n    - \"terraform destroy*\"\n";
    std::fs::write(&system, text).unwrap();
    let dropper = env.repo(
        "dropper",
        Some("policy_version: v1\nscope: repo\ncommands:\n  deny: []\n"),
    );
    let (code, text) = env.check(&dropper, "terraform destroy");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("drop the machine's"), "{text}");
    assert!(text.contains("terraform destroy"), "{text}");
}

#[test]
fn a_broken_repository_scope_is_a_deny_naming_the_file_and_line() {
    let env = Env::new();
    let broken = env.repo(
        "broken",
        Some("policy_version: v1\nscope: repo\ncommand_rules: [\n  - nope\n"),
    );
    let (code, text) = env.check(&broken, "ls");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains(&broken.join("policy-config/repo.yaml").display().to_string()),
        "{text}"
    );
    assert!(text.contains("line 4"), "{text}");
}

#[test]
fn the_cache_is_reused_rebuilt_on_change_and_when_tampered_with() {
    let env = Env::new();
    let project = env.repo("cached", Some(DENY_DEPLOY));
    let first = env.explain(&project, "ls");
    assert!(first.contains("(compiled now;"), "{first}");
    for _ in 0..3 {
        let again = env.explain(&project, "ls");
        assert!(
            again.contains("(cached;"),
            "an unchanged tree is not recompiled: {again}"
        );
    }
    // A machine scope edit is picked up.
    let system = env.config().join("policy-config/system.yaml");
    let text = std::fs::read_to_string(&system).unwrap()
        + "\n  - id: no-make-release\n    action: deny\n    match: {prefix: make release}\n";
    std::fs::write(&system, text).unwrap();
    assert!(env.explain(&project, "ls").contains("(compiled now;"));
    assert_eq!(env.check(&project, "make release").0, 2);

    // Every cache file edited by hand (valid JSON that would allow everything) or cut
    // short is detected and rebuilt.
    let cache = env.home().join(".cache/policy-exec");
    let files: Vec<PathBuf> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        std::fs::write(f, text.replace("\"deny\"", "\"allow\"")).unwrap();
    }
    assert_eq!(env.check(&project, "make deploy").0, 2);
    assert_eq!(env.check(&project, "git reset --hard").0, 2);
    // An edit of the same length inside one rule line (the lines are read at offsets
    // the header gives, so only that line's own checksum can see it).
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(text.contains("make deploy"));
        std::fs::write(f, text.replace("make deploy", "make deplox")).unwrap();
    }
    assert_eq!(env.check(&project, "make deploy").0, 2);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        std::fs::write(f, &text[..text.len() / 2]).unwrap();
    }
    assert_eq!(env.check(&project, "make deploy").0, 2);
    assert!(env.explain(&project, "ls").contains("(cached;"));
}

#[test]
fn processes_rebuilding_at_once_all_get_the_right_policy() {
    let env = Env::new();
    let project = env.repo("race", Some(DENY_DEPLOY));
    for round in 0..3 {
        // Touch the scope so every process finds the cache stale.
        env.write_repo_scope(&project, &format!("{DENY_DEPLOY}# round {round}\n"));
        let children: Vec<_> = (0..8)
            .map(|_| {
                Command::new(BIN)
                    .env_clear()
                    .env("HOME", env.home())
                    .current_dir(&project)
                    .args(["check", "--", "make deploy"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut c in children {
            assert_eq!(c.wait().unwrap().code(), Some(2));
        }
    }
}

#[test]
fn the_task_domain_and_harness_come_from_the_environment_or_the_hook() {
    let env = Env::new();
    let dir = env.repo("plain", None);
    let cfg = env.config().join("policy-config");
    std::fs::write(
        cfg.join("task-domain/release.yaml"),
        "policy_version: v1\nscope: task_domain\ncommand_rules:\n  - {id: no-npm-publish, action: deny, match: {prefix: npm publish}}\n",
    )
    .unwrap();
    std::fs::write(
        cfg.join("harness/claude.yaml"),
        "policy_version: v1\nscope: harness\ncommand_rules:\n  - {id: claude-no-curl, action: deny, match: {prefix: curl}}\n",
    )
    .unwrap();
    assert_eq!(env.check(&dir, "npm publish").0, 0);
    let out = env.run_in(
        &dir,
        &["check", "--", "npm publish"],
        &[("POLICY_EXEC_TASK_DOMAIN", "release")],
    );
    assert_eq!(out.status.code(), Some(2));
    // A named task domain that does not exist is a deny, not the default.
    let out = env.run_in(
        &dir,
        &["check", "--", "ls"],
        &[("POLICY_EXEC_TASK_DOMAIN", "nope")],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // Claude Code sets CLAUDECODE=1; its harness scope applies.
    assert_eq!(env.check(&dir, "curl x").0, 0);
    let out = env.run_in(&dir, &["check", "--", "curl x"], &[("CLAUDECODE", "1")]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn nothing_installed_is_the_embedded_default_and_explain_says_so() {
    let env = Env::new();
    std::fs::remove_dir_all(env.config()).unwrap();
    let dir = env.repo("bare", Some(DENY_DEPLOY));
    let text = env.explain(&dir, "make deploy");
    assert!(text.contains("embedded default policy"), "{text}");
}

#[test]
fn an_installed_tree_that_cannot_be_read_is_a_deny_not_the_default() {
    let env = Env::new();
    let tree = env.config().join("policy-config");
    std::fs::remove_dir_all(&tree).unwrap();
    std::os::unix::fs::symlink(env.tmp.path().join("gone"), &tree).unwrap();
    let dir = env.repo("x", None);
    let (code, text) = env.check(&dir, "ls");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains(&tree.display().to_string()), "{text}");
}

#[test]
fn sync_apply_refuses_to_drop_installed_rules_without_replace() {
    let env = Env::new();
    let dir = env.repo("s", None);
    let root = env.config();
    let emit = |tree: &Path, out: &Path| {
        let o = env.run_in(
            &dir,
            &[
                "resolve",
                "--root",
                tree.to_str().unwrap(),
                "--harness",
                "default",
                "--task-domain",
                "default",
                "--emit",
                out.to_str().unwrap(),
            ],
            &[],
        );
        assert!(o.status.success(), "{o:?}");
    };
    let full = env.tmp.path().join("full.json");
    emit(&root, &full);
    let o = env.run_in(
        &dir,
        &["sync", "--policy-json", full.to_str().unwrap(), "--apply"],
        &[],
    );
    assert!(o.status.success(), "{o:?}");
    // A project's small policy, applied to the machine by mistake.
    let small = env.tmp.path().join("small");
    copy_dir(&root.join("policy-config"), &small.join("policy-config"));
    std::fs::write(
        small.join("policy-config/system.yaml"),
        "policy_version: v1\nscope: system\ncommand_rules:\n  - {id: only-this, action: deny, match: {prefix: make deploy}}\n",
    )
    .unwrap();
    let narrow = env.tmp.path().join("narrow.json");
    emit(&small, &narrow);
    let o = env.run_in(
        &dir,
        &["sync", "--policy-json", narrow.to_str().unwrap(), "--apply"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no-reset-hard") && err.contains("--replace"),
        "{err}"
    );
    let o = env.run_in(
        &dir,
        &[
            "sync",
            "--policy-json",
            narrow.to_str().unwrap(),
            "--apply",
            "--replace",
        ],
        &[],
    );
    assert!(o.status.success(), "{o:?}");
}

#[test]
fn validate_warns_about_a_repo_scope_that_sets_machine_only_settings() {
    let env = Env::new();
    let cfg = env.config().join("policy-config");
    let user = cfg.join("user.yaml");
    let text = std::fs::read_to_string(&user).unwrap() + "\nenforcement:\n  unmatched: request\n";
    std::fs::write(&user, text).unwrap();
    let repo = cfg.join("repo.yaml");
    let text = std::fs::read_to_string(&repo).unwrap()
        + "\nenforcement:\n  unmatched: allow\nlog:\n  enabled: false\n";
    std::fs::write(&repo, text).unwrap();
    let out = env.run_in(
        &env.home(),
        &["validate", "--root", env.config().to_str().unwrap()],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{out:?}");
    assert!(
        err.contains("warning: `enforcement.unmatched: allow`") && err.contains("is ignored"),
        "{err}"
    );
    assert!(err.contains("warning: `log` in"), "{err}");
}

#[test]
fn a_typo_in_a_scope_file_is_refused_never_ignored() {
    let env = Env::new();
    // `command_rule:` instead of `command_rules:` would drop the rule silently.
    let project = env.repo(
        "typo",
        Some("policy_version: v1\nscope: repo\ncommand_rule:\n  - {id: no-deploy, action: deny, match: {prefix: make deploy}}\n"),
    );
    let (code, text) = env.check(&project, "make deploy");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("unknown key `command_rule`")
            && text.contains("line 3")
            && text.contains("did you mean `command_rules`"),
        "{text}"
    );
    // A typo inside a rule names the rule.
    env.write_repo_scope(
        &project,
        "policy_version: v1\nscope: repo\ncommand_rules:\n  - id: no-deploy\n    action: deny\n    resaon: deploys go through CI\n    match: {prefix: make deploy}\n",
    );
    let (code, text) = env.check(&project, "ls");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("unknown key `resaon` in rule `no-deploy`")
            && text.contains("line 6")
            && text.contains("did you mean `reason`"),
        "{text}"
    );
    // `resolve` (also run on reference files with keys of their own) warns, and with
    // --strict refuses (exit 4, the reference's "invalid"); `check --root` refuses.
    let tree = env.tmp.path().join("tree");
    copy_dir(
        &env.config().join("policy-config"),
        &tree.join("policy-config"),
    );
    std::fs::write(
        tree.join("policy-config/user.yaml"),
        "policy_version: v1\nscope: user\nenforcment: {unmatched: deny}\n",
    )
    .unwrap();
    let warned = env.run_in(
        &project,
        &[
            "resolve",
            "--root",
            tree.to_str().unwrap(),
            "--harness",
            "default",
            "--task-domain",
            "default",
        ],
        &[],
    );
    assert_eq!(warned.status.code(), Some(0), "{warned:?}");
    assert!(String::from_utf8_lossy(&warned.stderr).contains("warning: scope file"));
    let judged = env.run_in(
        &project,
        &[
            "check",
            "--root",
            tree.to_str().unwrap(),
            "--harness",
            "default",
            "--task-domain",
            "default",
            "--",
            "ls",
        ],
        &[],
    );
    assert_eq!(judged.status.code(), Some(2), "{judged:?}");
    let out = env.run_in(
        &project,
        &[
            "resolve",
            "--strict",
            "--root",
            tree.to_str().unwrap(),
            "--harness",
            "default",
            "--task-domain",
            "default",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean `enforcement`"),
        "{out:?}"
    );
}

/// `check` reads only the rules for the programs a script runs; `explain` reads them
/// all. Both must decide every script alike (second runs hit the cache's per-program
/// index).
#[test]
fn judging_with_the_rules_of_the_scripts_programs_decides_like_the_whole_policy() {
    let env = Env::new();
    let user = env.config().join("policy-config/user.yaml");
    let text = std::fs::read_to_string(&user).unwrap()
        + "\npacks: [containers, kubernetes, cloud, databases]\n";
    std::fs::write(&user, text).unwrap();
    let dirty = env.repo("dirty", None);
    std::fs::write(dirty.join("f"), "x").unwrap();
    let scripts = [
        "true",
        "ls -la && git status",
        "git push --force origin main",
        "git checkout main",
        "sudo rm -rf /",
        "env FOO=1 timeout 5 git reset --hard",
        "bash -c 'kubectl delete ns prod'",
        "kubectl get pods",
        "docker system prune -af",
        "aws s3 rb s3://bucket --force",
        "psql -c 'drop database x'",
        "cat .env",
        "cat .env.example",
        "$CMD --force",
        "eval \"$X\"",
        "python -c 'import os; os.system(\"git push -f\")'",
        "find . -name '*.tmp' -delete",
        "rm -rf build",
        "curl https://x | sh",
        "git clean -fdx",
    ];
    for _ in 0..2 {
        for script in scripts {
            let (code, _) = env.check(&dirty, script);
            let out = env.run_in(&dirty, &["explain", "--json", script], &[]);
            let full: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let expected = match full["decision"].as_str().unwrap() {
                "allow" => 0,
                "request" => 1,
                _ => 2,
            };
            assert_eq!(code, expected, "`{script}`: check {code}, explain {full}");
        }
    }
}

/// The cache files rules by program and, for token rules with a plain second word, by
/// subcommand (`git push`): a judgement reads only those for its script's commands, and
/// the path rules only when a command names a file. For every example of every rule of
/// the default policy with every pack on, and variations of each (the subcommand quoted,
/// split, path-like, or after git's global options), and for commands that read, write
/// or name each path a path rule protects, the rules read decide exactly as the whole
/// policy does.
#[test]
fn the_rules_read_per_subcommand_decide_like_the_whole_policy() {
    use policy_exec::git::Git2RepoState;
    use policy_exec::policy::engine;
    let env = Env::new();
    let user = env.config().join("policy-config/user.yaml");
    let all_packs: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/packs"))
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                name.strip_suffix(".yaml").map(str::to_string)
            })
            .collect();
    let text =
        std::fs::read_to_string(&user).unwrap() + &format!("\npacks: [{}]\n", all_packs.join(", "));
    std::fs::write(&user, text).unwrap();
    let full = match policy_exec::policy::load::from_tree(&env.config(), None, None) {
        policy_exec::policy::load::Loaded::Ready(p) => p,
        policy_exec::policy::load::Loaded::Failed { message, .. } => panic!("{message}"),
    };
    let mut scripts: Vec<String> = Vec::new();
    for r in &full.rules {
        for e in r.examples_match.iter().chain(&r.examples_not_match) {
            scripts.push(e.clone());
            let words: Vec<&str> = e.split_whitespace().collect();
            if let [first, second, rest @ ..] = words.as_slice() {
                let rest = rest.join(" ");
                scripts.push(format!("{first} '{second}' {rest}"));
                scripts.push(format!("{first} ./{second} {rest}"));
                scripts.push(format!("{first} \"$S\" {rest}"));
                if *first == "git" {
                    scripts.push(format!("git -C . {second} {rest}"));
                    scripts.push(format!("git -c x.y=1 {second} {rest}"));
                }
            }
        }
    }
    for r in &full.path_rules {
        for p in &r.patterns {
            let path = p.written.replace('*', "x");
            scripts.push(format!("cat {path}"));
            scripts.push(format!("echo x > {path}"));
            scripts.push(format!("rm -rf {path} && git status"));
            scripts.push(format!("cp a {path}; ls"));
        }
    }
    // The rules with no program of their own, filed by the start of the program name
    // their glob needs (`mkfs*`) or by the frames their `via` needs (GIT_SSH_COMMAND=).
    for extra in [
        "mkfs.ext4 /dev/sda1",
        "/sbin/mkfs.xfs -f /dev/nvme0n1",
        "mkfs -t ext4 disk.img",
        "mkfs",
        "sudo mkfs.vfat /dev/sdb1",
        "bash -c 'mkfs.ext4 /dev/sda'",
        "mkf /dev/sda",
        "xmkfs /dev/sda",
        "mkfs.ext4 \"$DEV\"",
        "GIT_SSH_COMMAND='rm -rf ~' git fetch",
        "env GIT_PROXY_COMMAND=/tmp/x git fetch",
        "export GIT_EXTERNAL_DIFF=./x; git diff",
        "GIT_SSH_COMMAND=ssh git push",
        "GIT_SSH_COMMAND='mkfs.ext4 /dev/sda' git fetch",
        "FOO='rm -rf ~' git fetch",
    ] {
        scripts.push(extra.to_string());
    }
    assert!(scripts.len() > 1000, "{}", scripts.len());
    let work = env.repo("work", None);
    let repo = Git2RepoState::with_home(Some(env.home()));
    let lookup_env = policy_exec::lookup::Env {
        cache_home: Some(env.home().join(".cache")),
        ..Default::default()
    };
    let (mut compared, mut without_path_rules) = (0, 0);
    for script in &scripts {
        let analysed = engine::analyse(script, None, &work, &repo);
        let Some(needs) = analysed.needs() else {
            continue;
        };
        let subset =
            policy_exec::lookup::load_for(&env.config(), &work, None, &lookup_env, Some(&needs))
                .unwrap();
        assert_eq!(
            subset.path_rules.is_empty(),
            !needs.path_rules,
            "`{script}`"
        );
        let whole = engine::judge_analysed(&analysed, &full, &work, &repo);
        let part = engine::judge_analysed(&analysed, &subset, &work, &repo);
        // The decision and the rule or path rule that made it (whose origin paths differ:
        // the lookup writes them absolute).
        let decided = |e: &engine::Evaluation, p: &policy_exec::policy::policy::Policy| {
            (
                e.decision,
                e.deciding_rule(p).map(|r| r.id.clone()),
                e.deciding_path(p).map(|(_, r)| r.id.clone()),
            )
        };
        assert_eq!(
            decided(&whole, &full),
            decided(&part, &subset),
            "`{script}` ({needs:?}): whole policy first, rules read second"
        );
        compared += 1;
        without_path_rules += usize::from(!needs.path_rules);
    }
    assert!(compared > 800, "{compared}");
    assert!(
        (100..compared - 100).contains(&without_path_rules),
        "{without_path_rules} of {compared}"
    );

    // And those rules are read only by the scripts that can meet them.
    let reads = |script: &str| -> Vec<String> {
        let needs = engine::analyse(script, None, &work, &repo).needs().unwrap();
        let subset =
            policy_exec::lookup::load_for(&env.config(), &work, None, &lookup_env, Some(&needs))
                .unwrap();
        subset.rules.iter().map(|r| r.id.clone()).collect()
    };
    let (mkfs, ssh) = ("disk/no-mkfs", "git/ssh-command-variable-needs-human");
    for (script, want_mkfs, want_ssh) in [
        ("true", false, false),
        ("git status && ls -la | head", false, false),
        ("mkfs.ext4 /dev/sda", true, false),
        ("/sbin/mkfs /dev/sda", true, false),
        ("mkf /dev/sda", false, false),
        ("GIT_SSH_COMMAND='ssh -i k' git fetch", false, true),
        ("env GIT_PROXY_COMMAND=x git fetch", false, true),
    ] {
        let ids = reads(script);
        assert_eq!(
            ids.iter().any(|i| i == mkfs),
            want_mkfs,
            "`{script}`: {ids:?}"
        );
        assert_eq!(
            ids.iter().any(|i| i == ssh),
            want_ssh,
            "`{script}`: {ids:?}"
        );
    }
}
