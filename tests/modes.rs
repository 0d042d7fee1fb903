#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Modes (SPEC §13) end to end: an installed tree with task-domains `default` and
//! `strict` in a private HOME, `policy-exec mode show|diff|set` run directly and from a
//! script judged by the `bash` shim. A narrowing switch applies at once (even from a
//! judged script); a widening one is refused with a clear message and changes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

struct Installed {
    tmp: TempDir,
}

impl Installed {
    fn new() -> Installed {
        let i = Installed {
            tmp: tempfile::tempdir().unwrap(),
        };
        let pc = i.path("home/.config/policy-exec/policy-config");
        std::fs::create_dir_all(pc.join("harness")).unwrap();
        std::fs::create_dir_all(pc.join("task-domain")).unwrap();
        std::fs::create_dir_all(i.path("bin")).unwrap();
        std::fs::create_dir_all(i.path("work")).unwrap();
        std::fs::write(
            pc.join("system.yaml"),
            "policy_version: v1\nscope: system\nenforcement: {unmatched: allow, dynamic: request}\ncommand_rules:\n  - id: no-force-push\n    action: deny\n    match: {prefix: git push, flags: [--force]}\n    examples: {match: [git push --force]}\n",
        )
        .unwrap();
        for (file, scope) in [
            ("user.yaml", "user"),
            ("repo.yaml", "repo"),
            ("harness/default.yaml", "harness"),
            ("task-domain/default.yaml", "task_domain"),
        ] {
            std::fs::write(
                pc.join(file),
                format!("policy_version: v1\nscope: {scope}\nnotes: n\n"),
            )
            .unwrap();
        }
        std::fs::write(
            pc.join("task-domain/strict.yaml"),
            "policy_version: v1\nscope: task_domain\ncommand_rules:\n  - id: no-deploy\n    action: deny\n    match: {prefix: make deploy}\n    examples: {match: [make deploy]}\n",
        )
        .unwrap();
        let bin = Path::new(env!("CARGO_BIN_EXE_policy-exec"));
        std::os::unix::fs::symlink(bin, i.path("bin/bash")).unwrap();
        std::os::unix::fs::symlink(bin, i.path("bin/policy-exec")).unwrap();
        i
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn cmd(&self, program: &Path) -> Command {
        let mut c = Command::new("/usr/bin/setsid");
        c.arg(program)
            .current_dir(self.path("work"))
            .env_clear()
            .env("HOME", self.path("home"))
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.path("bin").display()),
            )
            .stdin(Stdio::null());
        c
    }

    fn policy_exec(&self, args: &[&str]) -> Output {
        self.cmd(Path::new(env!("CARGO_BIN_EXE_policy-exec")))
            .args(args)
            .output()
            .unwrap()
    }

    fn shell(&self, script: &str) -> Output {
        self.cmd(&self.path("bin/bash"))
            .args(["-c", script])
            .output()
            .unwrap()
    }

    fn mode(&self) -> String {
        let out = self.policy_exec(&["mode", "show"]);
        text(&out.stdout)
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn show_lists_the_installed_mode_and_the_modes() {
    let i = Installed::new();
    let t = i.mode();
    assert!(t.starts_with("mode: default"), "{t}");
    assert!(t.contains("modes: default, strict"), "{t}");
}

#[test]
fn diff_reports_what_a_switch_changes() {
    let i = Installed::new();
    let out = i.policy_exec(&["mode", "diff", "strict", "--replay-days", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(t.contains("narrowing command rule no-deploy"), "{t}");
    assert!(t.contains("stricter: `make deploy` allow → deny"), "{t}");
}

#[test]
fn a_narrowing_switch_applies_at_once_even_from_a_judged_script() {
    let i = Installed::new();
    assert_eq!(
        i.policy_exec(&["check", "make deploy"]).status.code(),
        Some(0)
    );
    let out = i.shell("policy-exec mode set strict --replay-days 0");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("mode: default → strict"));
    assert!(i.mode().starts_with("mode: strict"));
    // Judgements now use the strict mode.
    assert_eq!(
        i.policy_exec(&["check", "make deploy"]).status.code(),
        Some(2)
    );
    // The switch is in the decision log.
    let log = i.path("home/.local/state/policy-exec/log");
    let lines: String = std::fs::read_dir(&log)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        lines.contains("\"event\":\"mode_switched\"") && lines.contains("\"to\":\"strict\""),
        "{lines}"
    );
}

#[test]
fn a_widening_switch_is_refused_from_a_judged_script_and_directly() {
    let i = Installed::new();
    assert!(i.policy_exec(&["mode", "set", "strict"]).status.success());
    for out in [
        i.shell("policy-exec mode set default --replay-days 0"),
        i.policy_exec(&["mode", "set", "default", "--replay-days", "0"]),
    ] {
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let e = text(&out.stderr);
        assert!(e.contains("widens what agents may run"), "{e}");
        assert!(e.contains("command rule no-deploy"), "{e}");
        assert!(e.contains("is a human verb"), "{e}");
    }
    assert!(i.mode().starts_with("mode: strict"), "unchanged");
    assert_eq!(
        i.policy_exec(&["check", "make deploy"]).status.code(),
        Some(2)
    );
}

#[test]
fn an_unknown_mode_is_an_error_and_the_environment_still_wins() {
    let i = Installed::new();
    let out = i.policy_exec(&["mode", "set", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("there is no mode `nosuch`"));
    let out = i.policy_exec(&["mode", "set", "../x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(i.policy_exec(&["mode", "set", "strict"]).status.success());
    let out = i
        .cmd(Path::new(env!("CARGO_BIN_EXE_policy-exec")))
        .args(["check", "make deploy"])
        .env("POLICY_EXEC_TASK_DOMAIN", "default")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// A human at a terminal of their own widens the mode by typing back the code shown.
#[test]
fn a_widening_switch_is_applied_when_a_human_types_the_code() {
    let i = Installed::new();
    assert!(i.policy_exec(&["mode", "set", "strict"]).status.success());
    let driver = r#"
import os, pty, re, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
buf = b""; sent = False; start = time.time(); code = -1
while time.time() - start < 20:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            buf += os.read(fd, 4096)
        except OSError:
            pass
    m = re.search(rb"type the code (\w+) ", buf)
    if m and not sent:
        os.write(fd, m.group(1) + b"\n"); sent = True
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(st); break
print(buf.decode(errors="replace")); print("@@STATUS", code)
"#;
    let out = Command::new("python3")
        .args(["-c", driver, env!("CARGO_BIN_EXE_policy-exec")])
        .args(["mode", "set", "default", "--replay-days", "0"])
        .current_dir(i.path("work"))
        .env_clear()
        .env("HOME", i.path("home"))
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    let t = text(&out.stdout);
    assert!(t.contains("@@STATUS 0"), "{t}");
    assert!(i.mode().starts_with("mode: default"), "{}", i.mode());
}
