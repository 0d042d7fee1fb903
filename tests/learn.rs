#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Learning from human approvals (SPEC §14) and `export --markdown`: a synthetic decision
//! log written through the crate's own log writer (timestamps injected), the states the
//! real binary computes from it (`rules status|suggest|risky|suspended`), `rules promote`
//! from a terminal outside any agent shell, the pattern grant it makes letting a new
//! command through, and the Markdown section in AGENTS.md.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use policy_exec::git::Git2RepoState;
use policy_exec::log::{self, DecisionId, Instant, Judgement, Mode};
use policy_exec::policy::engine;
use policy_exec::policy::load::Loaded;
use serde_json::Value;
use tempfile::TempDir;

mod common;

use common::{BIN, copy_dir, python};
const DAY: u64 = 86_400_000;

/// Gives the program a terminal (`rules promote` asks no code) and answers `p` to shell
/// mode's prompt. Prints the transcript and `@@STATUS n`.
const PTY: &str = r#"
import os, pty, re, select, sys, time
prog, *argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(prog, [prog] + argv)
buf = b""
code = -998
sent = False
start = time.time()
while time.time() - start < 20:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        buf += data
    if not sent and re.search(rb"\[y/N/a/p\][^\n]*\(\d+s\) $", buf):
        os.write(fd, b"p\n")
        sent = True
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        break
sys.stdout.write(buf.decode(errors="replace"))
sys.stdout.write("\n@@STATUS %d\n" % code)
"#;

const USER_RULES: &str = r#"
command_rules:
  - id: make-needs-human
    action: request
    reason: a test rule
    match: {prefix: make}
  - id: touch-needs-human
    action: request
    reason: a test rule
    match: {prefix: touch}
"#;

struct Env {
    tmp: TempDir,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let env = Env { tmp };
        for dir in ["home", "work", "bin"] {
            std::fs::create_dir_all(env.root().join(dir)).unwrap();
        }
        std::os::unix::fs::symlink(BIN, env.root().join("bin/bash")).unwrap();
        std::fs::write(env.root().join("drive_pty.py"), PTY).unwrap();
        let tree = env.tree().join("policy-config");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/default/policy-config"),
            &tree,
        );
        let user = tree.join("user.yaml");
        let mut text = std::fs::read_to_string(&user).unwrap();
        text.push_str(USER_RULES);
        std::fs::write(&user, text).unwrap();
        env
    }

    fn root(&self) -> &Path {
        self.tmp.path()
    }

    fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    fn tree(&self) -> PathBuf {
        self.home().join(".config/policy-exec")
    }

    fn work(&self) -> PathBuf {
        self.root().join("work")
    }

    fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .current_dir(self.work())
            .stdin(Stdio::null());
        cmd
    }

    fn exe(&self, args: &[&str]) -> Output {
        let mut cmd = self.cmd(BIN);
        cmd.args(args);
        cmd.output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.exe(args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"))
    }

    /// One human act on a command, written by the crate's log writer at `at`.
    fn act(&self, text: &str, approved: bool, at: u64) {
        let policy = match policy_exec::policy::load::from_tree(&self.tree(), None, None) {
            Loaded::Ready(p) => p,
            Loaded::Failed { message, .. } => panic!("{message}"),
        };
        let repo = Git2RepoState::with_home(Some(self.home()));
        let eval = engine::judge(text, &policy, &self.work(), &repo);
        assert_eq!(eval.decision.as_str(), "request", "{text}");
        let at = Instant { millis: at };
        let id = DecisionId::new(at);
        let line = Judgement {
            id: &id,
            at,
            mode: Mode::Shell,
            harness: None,
            script: text,
            cwd: &self.work(),
            decision: eval.decision,
            asked: Some(if approved {
                log::Asked::Approved
            } else {
                log::Asked::Declined
            }),
            reason: "test",
            eval: Some(&eval),
            policy: Some(&policy),
            deferred_to_guards: false,
        }
        .line();
        log::Store::at(self.home().join(".local/state/policy-exec/log"))
            .append(&at.day(), &line)
            .unwrap();
    }

    fn states(&self) -> Vec<(String, String)> {
        let v = self.json(&["rules", "suggest", "--json"]);
        let mut out: Vec<(String, String)> = v["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["pattern"].as_str().unwrap().to_string(),
                    c["id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        out.sort();
        out
    }
}

fn now() -> u64 {
    Instant::now().millis
}

#[test]
fn three_approvals_on_two_days_make_a_candidate() {
    let env = Env::new();
    let t = now();
    env.act("make build", true, t - 2 * DAY);
    env.act("make build V=1", true, t - 2 * DAY + 1000);
    env.act("make build", true, t - DAY);
    let states = env.states();
    assert_eq!(states.len(), 1, "{states:?}");
    assert_eq!(states[0].0, "make build …", "{states:?}");
    let status = env.json(&["rules", "status", "--json"]);
    assert_eq!(status["counts"]["candidate"], 1, "{status}");
    // The snippet for a human to commit.
    let yaml = String::from_utf8_lossy(&env.exe(&["rules", "suggest", "--format", "yaml"]).stdout)
        .into_owned();
    assert!(
        yaml.contains("command_rules:") && yaml.contains("prefix: \"make build\""),
        "{yaml}"
    );
}

#[test]
fn a_decline_or_one_day_or_a_runner_is_no_candidate() {
    let env = Env::new();
    let t = now();
    // One decline among the approvals.
    for (i, text) in ["touch a", "touch b", "touch c"].iter().enumerate() {
        env.act(text, true, t - 2 * DAY + (i as u64) * DAY / 2);
    }
    env.act("touch d", false, t - 1000);
    // Three approvals on one day only.
    for text in ["make build", "make build", "make build V=1"] {
        env.act(text, true, t - 1000);
    }
    assert!(env.states().is_empty(), "{:?}", env.states());
    let status = env.json(&["rules", "status", "--json"]);
    assert_eq!(status["counts"]["hint"], 2, "{status}");
    // A program that runs others never becomes a candidate.
    let env = Env::new();
    for (i, text) in ["sudo ls", "sudo id", "sudo ls -l"].iter().enumerate() {
        env.act(text, true, t - 2 * DAY + (i as u64) * DAY);
    }
    assert!(env.states().is_empty());
}

#[test]
fn promote_confirms_a_pattern_that_lets_a_new_command_through_and_declines_suspend_it() {
    let env = Env::new();
    let t = now();
    env.act("make build", true, t - 2 * DAY);
    env.act("make build V=1", true, t - DAY);
    env.act("make build", true, t - DAY + 1000);
    let (_, id) = env.states().pop().unwrap();
    // A human verb: refused without a terminal, and inside a judged script.
    assert_eq!(env.exe(&["rules", "promote", &id]).status.code(), Some(4));
    let mut shim = env.cmd("/usr/bin/setsid");
    shim.arg("-w")
        .arg(env.root().join("bin/bash"))
        .args(["-c", &format!("policy-exec rules promote {id}")]);
    assert_eq!(shim.output().unwrap().status.code(), Some(126));
    let mut cmd = env.cmd(python());
    cmd.arg(env.root().join("drive_pty.py"))
        .args([BIN, "rules", "promote", &id]);
    let out = cmd.output().unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.contains("@@STATUS 0"), "{out}");
    let check = |script: &str| -> String {
        let v = env.json(&["check", "--json", "--command", script]);
        v["decision"].as_str().unwrap().to_string()
    };
    // A command never seen, of the same shape.
    assert_eq!(check("make build CC=clang"), "allow");
    // Another shape (an option, another target) is not covered.
    assert_eq!(check("make -j8 build"), "request");
    assert_eq!(check("make install"), "request");
    let status = env.json(&["rules", "status", "--json"]);
    assert_eq!(status["counts"]["confirmed"], 1, "{status}");
    // Two human declines under it suspend it.
    env.act("make build X=1", false, now() + 1000);
    env.act("make build X=2", false, now() + 2000);
    let v = env.json(&["rules", "suspended", "--json"]);
    assert_eq!(v["suspended"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(check("make build CC=clang"), "request");
    let recent = env.json(&["rules", "recent", "--json"]);
    assert!(
        recent["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "grant_suspended"),
        "{recent}"
    );
}

#[test]
fn a_deny_rule_over_its_examples_suspends_it_with_reason_conflict() {
    let env = Env::new();
    let t = now();
    env.act("make build", true, t - 2 * DAY);
    env.act("make build V=1", true, t - DAY);
    env.act("make build", true, t - DAY + 1000);
    let (_, id) = env.states().pop().unwrap();
    let mut cmd = env.cmd(python());
    cmd.arg(env.root().join("drive_pty.py"))
        .args([BIN, "rules", "promote", &id]);
    let out = cmd.output().unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.contains("@@STATUS 0"), "{out}");
    let user = env.tree().join("policy-config/user.yaml");
    let mut text = std::fs::read_to_string(&user).unwrap();
    text.push_str("  - id: no-make-build\n    action: deny\n    match: {prefix: make build}\n");
    std::fs::write(&user, text).unwrap();
    let v = env.json(&["rules", "suspended", "--json"]);
    let why = v["suspended"][0]["why"].as_str().unwrap_or("");
    assert!(why.starts_with("conflict"), "{v}");
}

#[test]
fn risky_lists_a_durable_pattern_grant_on_a_program_a_rule_names() {
    let env = Env::new();
    let t = now();
    env.act("make build", true, t - 2 * DAY);
    env.act("make build V=1", true, t - DAY);
    env.act("make build", true, t - DAY + 1000);
    let (_, id) = env.states().pop().unwrap();
    let mut cmd = env.cmd(python());
    cmd.arg(env.root().join("drive_pty.py"))
        .args([BIN, "rules", "promote", &id, "--durable"]);
    let out = cmd.output().unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.contains("@@STATUS 0"), "{out}");
    let v = env.json(&["rules", "risky", "--json"]);
    let why: Vec<&str> = v["risky"][0]["why"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(why.iter().any(|w| w.contains("no expiry")), "{why:?}");
    assert!(
        why.iter()
            .any(|w| w.contains("named by a deny or request rule")),
        "{why:?}"
    );
}

#[test]
fn export_markdown_keeps_the_users_text_is_idempotent_and_goes_stale() {
    let env = Env::new();
    let agents = env.work().join("AGENTS.md");
    std::fs::write(&agents, "# Project\n\nOur own notes.\n").unwrap();
    let out = env.exe(&["export", "--markdown", "--out", "AGENTS.md"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let first = std::fs::read_to_string(&agents).unwrap();
    assert!(
        first.starts_with("# Project\n\nOur own notes.\n"),
        "{first}"
    );
    assert!(first.contains("<!-- policy-exec:begin policy_hash="));
    assert!(first.contains("### Never run"));
    assert!(first.contains("`git reset …` with `--hard`"), "{first}");
    assert!(first.contains("### Protected files"), "{first}");
    // A conditional rule reads as a sentence.
    assert!(
        first.contains("needs a clean worktree: commit or stash first"),
        "{first}"
    );
    let again = env.exe(&["export", "--markdown", "--out", "AGENTS.md"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&agents).unwrap(), first);
    assert_eq!(
        env.exe(&["export", "--markdown", "--out", "AGENTS.md", "--check"])
            .status
            .code(),
        Some(0)
    );
    // Text after the section is kept too.
    std::fs::write(&agents, format!("{first}\n## More of ours\n")).unwrap();
    let user = env.tree().join("policy-config/user.yaml");
    let mut text = std::fs::read_to_string(&user).unwrap();
    text.push_str(
        "  - id: no-curl\n    action: deny\n    reason: no downloads\n    match: {prefix: curl}\n",
    );
    std::fs::write(&user, text).unwrap();
    assert_eq!(
        env.exe(&["export", "--markdown", "--out", "AGENTS.md", "--check"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        env.exe(&["export", "--markdown", "--out", "AGENTS.md"])
            .status
            .code(),
        Some(0)
    );
    let updated = std::fs::read_to_string(&agents).unwrap();
    assert!(updated.contains("`curl …`: no downloads"), "{updated}");
    assert!(updated.starts_with("# Project\n\nOur own notes.\n"));
    assert!(updated.ends_with("## More of ours\n"), "{updated}");
    assert_eq!(updated.matches("policy-exec:begin").count(), 1);
}

#[test]
fn harness_allow_lists_are_hints_never_candidates() {
    let env = Env::new();
    std::fs::create_dir_all(env.work().join(".claude")).unwrap();
    std::fs::write(
        env.work().join(".claude/settings.local.json"),
        r#"{"permissions": {"allow": ["Bash(make build:*)", "Read(*)"]}}"#,
    )
    .unwrap();
    std::fs::create_dir_all(env.home().join(".codex/rules")).unwrap();
    std::fs::write(
        env.home().join(".codex/rules/default.rules"),
        "prefix_rule(pattern=[\"touch\", \"x\"], decision=\"allow\")\n",
    )
    .unwrap();
    let status = env.json(&["rules", "status", "--json"]);
    assert_eq!(status["counts"]["hint"], 2, "{status}");
    assert_eq!(status["counts"]["candidate"], 0, "{status}");
    assert!(env.states().is_empty());
}

#[test]
fn doctor_reports_a_stale_export() {
    let env = Env::new();
    assert_eq!(
        env.exe(&["export", "--markdown", "--out", "CLAUDE.md"])
            .status
            .code(),
        Some(0)
    );
    let v = env.json(&["doctor", "--json"]);
    let export = |v: &Value| -> Vec<String> {
        v["approvals"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["name"] == "export")
            .map(|c| c["status"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(export(&v), ["ok"], "{v}");
    let user = env.tree().join("policy-config/user.yaml");
    let mut text = std::fs::read_to_string(&user).unwrap();
    text.push_str("  - id: no-curl\n    action: deny\n    match: {prefix: curl}\n");
    std::fs::write(&user, text).unwrap();
    let v = env.json(&["doctor", "--json"]);
    assert_eq!(export(&v), ["warn"], "{v}");
}

#[test]
fn p_at_the_prompt_confirms_a_candidate() {
    let env = Env::new();
    let t = now();
    env.act("make build", true, t - 2 * DAY);
    env.act("make build V=1", true, t - DAY);
    env.act("make build", true, t - DAY + 1000);
    let mut cmd = env.cmd(python());
    cmd.arg(env.root().join("drive_pty.py")).args([
        env.root().join("bin/bash").to_str().unwrap(),
        "-c",
        "make build V=2 2>/dev/null; true",
    ]);
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("confirmed as pattern grant"), "{text}");
    let v = env.json(&["check", "--json", "--command", "make build V=3"]);
    assert_eq!(v["decision"], "allow", "{v}");
}
