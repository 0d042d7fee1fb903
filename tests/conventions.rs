//! CLI conventions (issue 17 item 6) on the real binary with a cleared environment:
//! options after a command given as one word, `resolve`'s defaults and its list of valid
//! scope names, a quiet `--emit`, `--version`'s commit and date, colour only on a terminal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::{BIN, output_text as text};

const SYSTEM: &str = "policy_version: v1\nscope: system\ncommand_rules:\n  - id: no-force-push\n    action: deny\n    match: {prefix: git push, flags: [--force, -f]}\n";

/// A home with an installed policy tree (harness `claude`, task-domain `dev`, recorded in
/// its `policy.json` as install.sh and setup record them).
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        let pc = env.config().join("policy-config");
        for (rel, text) in [
            ("system.yaml", SYSTEM.to_string()),
            ("user.yaml", "policy_version: v1\nscope: user\n".into()),
            ("repo.yaml", "policy_version: v1\nscope: repo\n".into()),
            (
                "harness/claude.yaml",
                "policy_version: v1\nscope: harness\nnotes: c\n".into(),
            ),
            (
                "harness/default.yaml",
                "policy_version: v1\nscope: harness\n".into(),
            ),
            (
                "task-domain/dev.yaml",
                "policy_version: v1\nscope: task_domain\nnotes: d\n".into(),
            ),
            (
                "task-domain/default.yaml",
                "policy_version: v1\nscope: task_domain\n".into(),
            ),
        ] {
            let p = pc.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let emit = env.config().join("policy.json");
        let root = env.config();
        let o = env.run(&[
            "resolve",
            "--root",
            root.to_str().unwrap(),
            "--harness",
            "claude",
            "--task-domain",
            "dev",
            "--emit",
            emit.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        env
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn config(&self) -> PathBuf {
        self.home().join(".config/policy-exec")
    }

    fn run(&self, args: &[&str]) -> Output {
        std::fs::create_dir_all(self.home()).unwrap();
        common::policy_exec(&self.home(), self.dir.path())
            .args(args)
            .output()
            .unwrap()
    }
}

#[test]
fn options_after_a_command_given_as_one_word_are_not_swallowed() {
    let env = Env::new();
    let o = env.run(&["check", "git push -f origin main", "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["command"], "git push -f origin main");
    // As several words, every word stays the command's.
    let o = env.run(&["check", "git", "push", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("allow: `git push --json`"));
}

#[test]
fn resolve_defaults_to_the_installations_scopes_and_lists_valid_names() {
    let env = Env::new();
    let root = env.config();
    let o = env.run(&["resolve", "--root", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let scopes = v["policy"]["scopes"].to_string();
    assert!(scopes.contains("harness/claude.yaml"), "{scopes}");
    assert!(scopes.contains("task-domain/dev.yaml"), "{scopes}");

    let o = env.run(&[
        "resolve",
        "--root",
        root.to_str().unwrap(),
        "--harness",
        "cluade",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("`--harness` can be claude, default"), "{err}");
}

#[test]
fn resolve_emit_does_not_also_print_the_policy() {
    let env = Env::new();
    let root = env.config();
    let out = env.dir.path().join("out.json");
    let o = env.run(&[
        "resolve",
        "--root",
        root.to_str().unwrap(),
        "--emit",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("policy_hash ") && stdout.contains("out.json"),
        "{stdout}"
    );
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("\"policy_hash\"")
    );
}

#[test]
fn version_names_the_commit_and_the_build_date() {
    let o = Command::new(BIN)
        .arg("--version")
        .env_clear()
        .output()
        .unwrap();
    let v = String::from_utf8_lossy(&o.stdout);
    let re = regex::Regex::new(
        r"^policy-exec \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}|unknown), built \d{4}-\d{2}-\d{2}\)\n$",
    )
    .unwrap();
    assert!(re.is_match(&v), "{v}");
}

/// `doctor` under a pseudo-terminal (util-linux `script`), with and without NO_COLOR.
fn doctor_on_a_terminal(env: &Env, no_color: bool) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    let mut cmd = Command::new(script);
    cmd.args([
        "-qec",
        &format!("{BIN} doctor --harness droid"),
        "/dev/null",
    ])
    .env_clear()
    .env("HOME", env.home())
    .env("TERM", "xterm")
    .env("PATH", std::env::var("PATH").unwrap_or_default());
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    Some(String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned())
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let env = Env::new();
    let piped = env.run(&["doctor", "--harness", "droid"]);
    assert!(String::from_utf8_lossy(&piped.stdout).contains("FAIL"));
    assert!(!piped.stdout.contains(&0x1b), "piped: no escape codes");
    let Some(tty) = doctor_on_a_terminal(&env, false) else {
        eprintln!("no util-linux `script`: the terminal half is not checked here");
        return;
    };
    assert!(tty.contains("\x1b[1;31mFAIL\x1b[0m"), "{tty:?}");
    let plain = doctor_on_a_terminal(&env, true).unwrap();
    assert!(
        plain.contains("FAIL") && !plain.contains('\x1b'),
        "{plain:?}"
    );
}
