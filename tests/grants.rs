#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Exceptions a human grants (SPEC §11), end to end through the real binary: a request
//! refused through the shim, `propose`, `approve` typed into a real pseudo-terminal that
//! is not under the shim, `wait`, the command running exactly once; racing one-use
//! grants; what a grant never covers; a proposal changed while shown; the human verbs
//! refused inside judged scripts and from the agent's own terminals (the `pty.fork`
//! forgery); proposals disabled; tier B with a root-owned store and a non-root agent.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

mod common;

use common::{BIN, copy_dir, python};

/// Runs a program on a new pseudo-terminal (its controlling terminal). When the output
/// shows `type the code X`, or the `[y/N/a/p]` prompt, it first touches argv[2] (a file to
/// change while the question is shown, or `-`) and then answers: `code` types the code
/// back, anything else is typed as it is. Prints the transcript and `@@STATUS n`.
const PTY_DRIVER: &str = r#"
import json, os, pty, re, select, sys, time
answer, tamper, prog, *argv = sys.argv[1:]
if prog.startswith("@"):
    prog, *argv = json.load(open(prog[1:]))
pid, fd = pty.fork()
if pid == 0:
    os.execv(prog, [prog] + argv)
buf = b""
sent = False
code = -998
start = time.time()
while time.time() - start < 20:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if data:
            buf += data
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        pid = None
        break
    m = re.search(rb"type the code (\w+) ", buf)
    asked = re.search(rb"\[y/N/a/p\][^\n]*\(\d+s\) $", buf)
    if not sent and (m or asked):
        if tamper != "-":
            with open(tamper, "a") as f:
                f.write(" ")
        reply = m.group(1) if (answer == "code" and m) else answer.encode()
        os.write(fd, reply + b"\n")
        sent = True
if pid is not None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
sys.stdout.write(buf.decode(errors="replace"))
sys.stdout.write("\n@@STATUS %d\n" % code)
"#;

/// A private HOME with the default policy installed, proposals enabled, and two request
/// rules of the user's own (`git push`, `touch`).
struct Env {
    tmp: TempDir,
}

const USER_RULES: &str = r#"
command_rules:
  - id: push-needs-human
    action: request
    reason: pushes publish work
    match: {prefix: git push}
  - id: touch-needs-human
    action: request
    reason: a test rule
    match: {prefix: touch}
"#;

impl Env {
    fn new(proposals: bool) -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let env = Env { tmp };
        for dir in ["home", "work", "bin"] {
            std::fs::create_dir_all(env.root().join(dir)).unwrap();
        }
        std::os::unix::fs::symlink(BIN, env.root().join("bin/bash")).unwrap();
        std::fs::write(env.root().join("driver.py"), PTY_DRIVER).unwrap();
        let tree = env.home().join(".config/policy-exec/policy-config");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/default/policy-config"),
            &tree,
        );
        let user = tree.join("user.yaml");
        let mut text = std::fs::read_to_string(&user).unwrap();
        if proposals {
            text.push_str("enforcement:\n  proposals: true\n");
        }
        text.push_str(USER_RULES);
        std::fs::write(&user, text).unwrap();
        let git = Command::new("git")
            .args(["init", "-q"])
            .current_dir(env.work())
            .output()
            .unwrap();
        assert!(git.status.success());
        env
    }

    fn root(&self) -> &Path {
        self.tmp.path()
    }

    fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    fn work(&self) -> PathBuf {
        self.root().join("work")
    }

    fn state(&self) -> PathBuf {
        self.home().join(".local/state/policy-exec")
    }

    fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.home())
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.root().join("bin").display()),
            )
            .current_dir(self.work())
            .stdin(Stdio::null());
        cmd
    }

    /// The shim as `bash -c script`, in its own session (no terminal: a request is
    /// refused).
    fn shell(&self, script: &str) -> Output {
        let mut cmd = self.cmd("/usr/bin/setsid");
        cmd.arg("-w")
            .arg(self.root().join("bin/bash"))
            .args(["-c", script]);
        cmd.output().unwrap()
    }

    fn exe(&self, args: &[&str]) -> Output {
        let mut cmd = self.cmd(BIN);
        cmd.args(args);
        cmd.output().unwrap()
    }

    /// Runs argv on a fresh pseudo-terminal driven by the test (not under the shim).
    fn on_pty(&self, answer: &str, tamper: Option<&Path>, argv: &[&str]) -> (String, i32) {
        let mut cmd = self.cmd(python());
        cmd.arg(self.root().join("driver.py"))
            .arg(answer)
            .arg(tamper.map_or("-".into(), |p| p.display().to_string()))
            .args(argv);
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let code = text
            .rsplit("@@STATUS ")
            .next()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(-1);
        (text, code)
    }

    /// The refusal JSON line of a shim run.
    fn refusal(&self, out: &Output) -> Value {
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .unwrap_or_else(|| panic!("no refusal line: {err}"));
        serde_json::from_str(line).unwrap()
    }

    fn propose_from(&self, out: &Output) -> String {
        let denial = self.refusal(out)["denial_id"].as_str().unwrap().to_string();
        let p = self.exe(&[
            "propose", "--denial", &denial, "--reason", "the task", "--json",
        ]);
        assert_eq!(p.status.code(), Some(0), "{p:?}");
        let v: Value = serde_json::from_slice(&p.stdout).unwrap();
        v["proposal_id"].as_str().unwrap().to_string()
    }

    fn events(&self, name: &str) -> Vec<Value> {
        let dir = self.state().join("log");
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            for l in text.lines() {
                let v: Value = serde_json::from_str(l).unwrap();
                if v["event"] == name {
                    out.push(v);
                }
            }
        }
        out
    }
}

#[test]
fn the_whole_loop_runs_the_command_exactly_once() {
    let env = Env::new(true);
    let marker = env.work().join("ran");
    let script = format!("touch {}", marker.display());
    let refused = env.shell(&script);
    assert_eq!(refused.status.code(), Some(126), "{refused:?}");
    assert!(!marker.exists());
    let refusal = env.refusal(&refused);
    assert_eq!(refusal["proposals"], "enabled");
    assert!(
        refusal["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "propose"),
        "{refusal}"
    );
    let id = env.propose_from(&refused);
    // Pending: wait says so (exit 1).
    let w = env.exe(&["wait", &id, "--timeout", "1"]);
    assert_eq!(w.status.code(), Some(1), "{w:?}");
    let (transcript, code) = env.on_pty("code", None, &[BIN, "approve", &id]);
    assert_eq!(code, 0, "{transcript}");
    assert!(transcript.contains("the agent says (its claim, not verified): the task"));
    assert!(transcript.contains("touch-needs-human"), "{transcript}");
    let w = env.exe(&["wait", &id, "--timeout", "5"]);
    assert_eq!(w.status.code(), Some(0), "{w:?}");
    let v: Value = serde_json::from_slice(&w.stdout).unwrap();
    assert_eq!(v["status"], "approved");
    assert_eq!(v["policy_reloaded"], true, "{v}");
    let first = env.shell(&script);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();
    let second = env.shell(&script);
    assert_eq!(second.status.code(), Some(126), "one use only: {second:?}");
    assert!(!marker.exists());
    for event in [
        "proposal_submitted",
        "proposal_approved",
        "grant_created",
        "grant_used",
    ] {
        assert_eq!(env.events(event).len(), 1, "{event}");
    }
}

#[test]
fn racing_processes_use_a_one_use_grant_once() {
    let env = Env::new(true);
    let out = env.work().join("out");
    let script = format!(
        "touch {}; echo x >> {}",
        env.work().join("t").display(),
        out.display()
    );
    let refused = env.shell(&script);
    let id = env.propose_from(&refused);
    let (t, code) = env.on_pty("code", None, &[BIN, "approve", &id]);
    assert_eq!(code, 0, "{t}");
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut cmd = env.cmd("/usr/bin/setsid");
            cmd.arg("-w")
                .arg(env.root().join("bin/bash"))
                .args(["-c", &script])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            cmd.spawn().unwrap()
        })
        .collect();
    let ran = children
        .into_iter()
        .map(|mut c| c.wait().unwrap().code())
        .filter(|c| *c == Some(0))
        .count();
    assert_eq!(ran, 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "x\n");
}

#[test]
fn a_grant_covers_exactly_its_command() {
    let env = Env::new(true);
    let refused = env.shell("git push origin x");
    let id = env.propose_from(&refused);
    let (t, code) = env.on_pty("code", None, &[BIN, "approve", &id]);
    assert_eq!(code, 0, "{t}");
    let check = |script: &str| -> String {
        let out = env.exe(&["check", "--json", "--command", script]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["decision"].as_str().unwrap().to_string()
    };
    assert_eq!(check("git push origin x"), "allow");
    let explain = env.exe(&["explain", "--command", "git push origin x"]);
    assert!(
        String::from_utf8_lossy(&explain.stdout).contains("allowed by grant"),
        "{explain:?}"
    );
    assert_eq!(check("git push origin \"$B\""), "request");
    assert_eq!(check("git push origin x; sudo ls"), "request");
    assert_eq!(check("git push origin x --force"), "deny");
    assert_eq!(check("git push origin y"), "request");
    assert_eq!(check("cd /tmp && git push origin x"), "request");
    // `check` previews: the one use is still there.
    assert_eq!(check("git push origin x"), "allow");
}

#[test]
fn a_proposal_changed_while_shown_is_not_approved() {
    let env = Env::new(true);
    let refused = env.shell("git push origin x");
    let id = env.propose_from(&refused);
    let file = env.state().join(format!("proposals/{id}.json"));
    let (t, code) = env.on_pty("code", Some(&file), &[BIN, "approve", &id]);
    assert_eq!(code, 2, "{t}");
    assert!(t.contains("changed while it was shown"), "{t}");
    let w = env.exe(&["wait", &id, "--timeout", "1"]);
    assert_eq!(w.status.code(), Some(1), "still pending: {w:?}");
}

#[test]
fn a_wrong_code_approves_nothing_and_reject_reaches_wait() {
    let env = Env::new(true);
    let refused = env.shell("git push origin x");
    let id = env.propose_from(&refused);
    let (t, code) = env.on_pty("nope", None, &[BIN, "approve", &id]);
    assert_eq!(code, 1, "{t}");
    let r = env.exe(&[
        "reject",
        &id,
        "--reason",
        "push a branch instead",
        "--hint",
        "use_exact",
    ]);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let w = env.exe(&["wait", &id, "--timeout", "2"]);
    assert_eq!(w.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&w.stdout).unwrap();
    assert_eq!(v["rejection_reason"], "push a branch instead");
    assert_eq!(v["hints"][0], "use_exact");
}

#[test]
fn human_verbs_are_denied_inside_judged_scripts() {
    let env = Env::new(true);
    for script in [
        "policy-exec approve p-1",
        "policy-exec reject p-1 --reason x",
        "policy-exec grants revoke g-1",
        "bash -c 'policy-exec approve p-1'",
        "/usr/local/bin/policy-exec approve \"$ID\"",
        "policy-exec \"$VERB\" p-1",
    ] {
        let out = env.shell(script);
        assert_eq!(out.status.code(), Some(126), "{script}: {out:?}");
        let v = env.refusal(&out);
        assert_eq!(v["decision"], "deny", "{script}: {v}");
    }
    // Reading stays the policy's.
    let out = env.shell(&format!("{BIN} grants list"));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn approve_refuses_the_agents_environment() {
    let env = Env::new(true);
    let refused = env.shell("git push origin x");
    let id = env.propose_from(&refused);
    // The shell-mode marker.
    let mut cmd = env.cmd(BIN);
    cmd.args(["approve", &id])
        .env("POLICY_EXEC_SHELL_PID", "1:0");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    // No terminal.
    let out = env.exe(&["approve", &id]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("terminal"));
    // Under a policy-exec shell, with the marker removed, started from a program file on
    // disk that the built-in check does not read (inline code that computes what it runs
    // is asked about by the shell itself).
    let args = env.root().join("args.json");
    std::fs::write(&args, serde_json::json!([BIN, "approve", id]).to_string()).unwrap();
    let program = env.root().join("run.py");
    std::fs::write(
        &program,
        "import json, os, sys\na = json.load(open(sys.argv[1]))\nos.execv(a[0], a)\n",
    )
    .unwrap();
    let out = env.shell(&format!(
        "env -u POLICY_EXEC_SHELL_PID python3 {} {}",
        program.display(),
        args.display()
    ));
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("policy-exec shell"),
        "{out:?}"
    );
    // The same, from a child process (its parent is the shell that exec'd python).
    let child = env.root().join("child.py");
    std::fs::write(
        &child,
        "import json, subprocess, sys\na = json.load(open(sys.argv[1]))\nsys.exit(subprocess.call(a))\n",
    )
    .unwrap();
    let out = env.shell(&format!(
        "env -u POLICY_EXEC_SHELL_PID python3 {} {}",
        child.display(),
        args.display()
    ));
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(!env.events("human_verb_refused").is_empty());
}

#[test]
fn the_pty_fork_forgery_is_refused_at_the_prompt_and_at_approve() {
    let env = Env::new(true);
    let marker = env.work().join("forged");
    let driver = env.root().join("driver.py");
    // The agent's script opens its own pseudo-terminal, runs the shim in it and answers
    // `y` to the prompt.
    let forged = format!(
        "python3 {} y - {} -c 'touch {}'",
        driver.display(),
        env.root().join("bin/bash").display(),
        marker.display()
    );
    let out = env.shell(&forged);
    let transcript = String::from_utf8_lossy(&out.stdout);
    assert!(!marker.exists(), "{transcript}");
    assert!(transcript.contains("not asking"), "{transcript}");
    assert!(!env.events("prompt_refused").is_empty());
    // The same, with the marker removed and the shell replaced by the forger.
    let out = env.shell(&format!(
        "exec env -u POLICY_EXEC_SHELL_PID python3 {} y - {} -c 'touch {}'",
        driver.display(),
        env.root().join("bin/bash").display(),
        marker.display()
    ));
    assert!(!marker.exists(), "{}", String::from_utf8_lossy(&out.stdout));
    // Against approve: the agent types the code into its own terminal.
    let refused = env.shell("git push origin x");
    let id = env.propose_from(&refused);
    // The argv comes from a file, so the script's words do not show the human verb.
    let args = env.root().join("args.json");
    std::fs::write(&args, serde_json::json!([BIN, "approve", id]).to_string()).unwrap();
    for prefix in ["", "exec env -u POLICY_EXEC_SHELL_PID "] {
        let out = env.shell(&format!(
            "{prefix}python3 {} code - @{}",
            driver.display(),
            args.display()
        ));
        let t = String::from_utf8_lossy(&out.stdout);
        assert!(t.contains("approve refused"), "{t}");
        assert!(t.contains("@@STATUS 4"), "{t}");
    }
    let w = env.exe(&["wait", &id, "--timeout", "1"]);
    assert_eq!(w.status.code(), Some(1), "still pending: {w:?}");
}

#[test]
fn the_prompt_can_remember_an_answer() {
    let env = Env::new(false);
    let marker = env.work().join("ran");
    let script = format!("touch {}", marker.display());
    let (t, code) = env.on_pty(
        "a",
        None,
        &[env.root().join("bin/bash").to_str().unwrap(), "-c", &script],
    );
    assert_eq!(code, 0, "{t}");
    assert!(t.contains("remembered as g-"), "{t}");
    std::fs::remove_file(&marker).unwrap();
    // No terminal now: the remembered grant lets it through.
    let out = env.shell(&script);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(marker.exists());
}

#[test]
fn proposals_disabled() {
    let env = Env::new(false);
    let refused = env.shell("git push origin x");
    let v = env.refusal(&refused);
    assert_eq!(v["proposals"], "disabled");
    assert!(
        !v["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "propose" || a["action"] == "read_skill")
    );
    let denial = v["denial_id"].as_str().unwrap();
    let p = env.exe(&["propose", "--denial", denial]);
    assert_eq!(p.status.code(), Some(3), "{p:?}");
    let out: Value = serde_json::from_slice(&p.stdout).unwrap();
    assert_eq!(out["error"], "feature_disabled");
}

#[test]
fn proposals_that_cannot_be_granted_are_refused_at_submit() {
    let env = Env::new(true);
    for (args, why) in [
        (
            vec!["--command", "git push --force origin main"],
            "does not allow exceptions",
        ),
        (vec!["--command", "git push origin \"$B\""], "not exact"),
        (
            vec!["--command", "git push origin x", "--match", "prefix:1"],
            "at least two",
        ),
        (
            vec!["--command", "sudo ls", "--match", "prefix:2"],
            "runs other programs",
        ),
        (
            vec![
                "--command",
                "git push https://u:ghp_abcdefghijklmnopqrstuvwxyz0123456789@h/r x",
            ],
            "secret",
        ),
        (vec!["--command", "policy-exec approve p-1"], "built-in"),
    ] {
        let mut argv = vec!["propose"];
        argv.extend(args.iter().copied());
        let out = env.exe(&argv);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(why),
            "{args:?}: {out:?}"
        );
    }
}

/// Tier B: the agent runs as a non-root user; grants live in a root-owned store named by
/// the system scope; a grant planted in the agent's own state is never read; approving
/// needs root (`sudo policy-exec approve`).
#[test]
fn tier_b_reads_grants_only_from_the_root_owned_store() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: tier B needs to run as root to switch to a non-root agent user");
        return;
    }
    let env = Env::new(true);
    let agent_uid = 65534u32;
    // Readable by the agent, writable only by root (tempdir is 0700).
    std::fs::set_permissions(env.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let store = env.root().join("grants.d");
    std::fs::create_dir(&store).unwrap();
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o755)).unwrap();
    let tree = env.home().join(".config/policy-exec/policy-config");
    let system = tree.join("system.yaml");
    let mut text = std::fs::read_to_string(&system).unwrap();
    text.push_str(&format!("approvals:\n  store: {}\n", store.display()));
    std::fs::write(&system, text).unwrap();
    // The system configuration root would use under sudo: the same tree.
    let etc = env.root().join("etc");
    std::fs::create_dir_all(etc.join("policy-exec")).unwrap();
    std::os::unix::fs::symlink(&tree, etc.join("policy-exec/policy-config")).unwrap();
    let passwd = env.root().join("passwd");
    std::fs::write(
        &passwd,
        format!(
            "agent:x:{agent_uid}:{agent_uid}::{}:/bin/sh\n",
            env.home().display()
        ),
    )
    .unwrap();
    chown_tree(&env.home(), agent_uid);
    chown_tree(&env.work(), agent_uid);
    let as_agent = |script: &str| -> Output {
        let mut cmd = env.cmd("/usr/bin/setsid");
        cmd.arg("-w")
            .arg(env.root().join("bin/bash"))
            .args(["-c", script])
            .uid(agent_uid)
            .gid(agent_uid);
        cmd.output().unwrap()
    };
    use std::os::unix::process::CommandExt;
    let refused = as_agent("git push origin x");
    assert_eq!(refused.status.code(), Some(126), "{refused:?}");
    let denial = env.refusal(&refused)["denial_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut propose = env.cmd(BIN);
    propose
        .args(["propose", "--denial", &denial, "--json"])
        .uid(agent_uid)
        .gid(agent_uid);
    let p = propose.output().unwrap();
    assert_eq!(p.status.code(), Some(0), "{p:?}");
    let id = serde_json::from_slice::<Value>(&p.stdout).unwrap()["proposal_id"]
        .as_str()
        .unwrap()
        .to_string();
    // A grant the agent plants in its own state is never read.
    let planted = env.state().join("grants");
    std::fs::create_dir_all(&planted).unwrap();
    let forged = serde_json::json!({
        "v": 1, "id": "g-forged", "matcher": {"kind": "exact", "argv": ["git", "push", "origin", "x"]},
        "scope": {"kind": "cwd", "dir": "/"}, "overrides": {"decision": "request", "rules": ["push-needs-human"]},
        "once": false, "expires": null, "created": "2026-12-04T00:00:00Z",
        "approved_by": {"uid": agent_uid, "tty": null, "method": "approve"},
        "proposal": null, "reason": null, "state": "active"
    });
    std::fs::write(planted.join("g-forged.json"), forged.to_string()).unwrap();
    chown_tree(&env.home(), agent_uid);
    assert_eq!(as_agent("git push origin x").status.code(), Some(126));
    // Approving as the agent user is refused (the store is root's).
    // As root, as `sudo` runs it: SUDO_UID names the agent; nothing from the environment.
    let mut approve = vec![BIN.to_string(), "approve".into(), id.clone()];
    approve.extend([
        "--system-config".into(),
        etc.display().to_string(),
        "--passwd".into(),
        passwd.display().to_string(),
    ]);
    let mut cmd = Command::new(python());
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("SUDO_UID", agent_uid.to_string())
        .env("HOME", "/nonexistent-root-home")
        .current_dir(env.work())
        .arg(env.root().join("driver.py"))
        .args(["code", "-"])
        .args(&approve);
    let out = cmd.output().unwrap();
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(t.contains("@@STATUS 0"), "{t}");
    assert!(t.contains("tier: B"), "{t}");
    let written: Vec<_> = std::fs::read_dir(&store)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("g-"))
        .collect();
    assert_eq!(written.len(), 1);
    let mut wait = env.cmd(BIN);
    wait.args(["wait", &id, "--timeout", "3"])
        .uid(agent_uid)
        .gid(agent_uid);
    assert_eq!(wait.output().unwrap().status.code(), Some(0));
    assert_eq!(
        as_agent("git push origin x 2>/dev/null; true")
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        as_agent("git push origin x").status.code(),
        Some(126),
        "one use"
    );
}

fn chown_tree(path: &Path, uid: u32) {
    let out = Command::new("chown")
        .args(["-R", &format!("{uid}:{uid}")])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn doctor_names_the_approval_tier() {
    let env = Env::new(true);
    let out = env.exe(&["doctor", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["approvals"]["tier"], "A", "{v}");
    assert_eq!(v["approvals"]["proposals"], true, "{v}");
    let text = String::from_utf8_lossy(&env.exe(&["doctor"]).stdout).into_owned();
    assert!(text.contains("approvals (tier A)"), "{text}");
    // A configured store that is not root-owned is a failure, and no grant is honoured.
    let tree = env
        .home()
        .join(".config/policy-exec/policy-config/system.yaml");
    let mut system = std::fs::read_to_string(&tree).unwrap();
    let store = env.root().join("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o777)).unwrap();
    system.push_str(&format!("approvals:\n  store: {}\n", store.display()));
    std::fs::write(&tree, system).unwrap();
    let out = env.exe(&["doctor", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["approvals"]["tier"], "B", "{v}");
    assert_eq!(v["approvals"]["checks"][0]["status"], "fail", "{v}");
}

/// The Codex hook turns a request into a deny; an approved grant is the way through, used
/// once like in shell mode.
#[test]
fn hooks_use_grants_too() {
    let env = Env::new(true);
    let refused = env.shell("git push origin x");
    let id = env.propose_from(&refused);
    let (t, code) = env.on_pty("code", None, &[BIN, "approve", &id]);
    assert_eq!(code, 0, "{t}");
    let hook = |command: &str| -> Value {
        let payload = serde_json::json!({
            "session_id": "s", "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "cwd": env.work(), "tool_input": {"command": command},
        });
        let mut cmd = env.cmd(BIN);
        cmd.args(["hook", "codex"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(payload.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    };
    let decision = |v: &Value| v["hookSpecificOutput"]["permissionDecision"].clone();
    // Codex: an allow is said by saying nothing (it reports `allow` as unsupported).
    assert_eq!(decision(&hook("git push origin x")), Value::Null);
    // The harness then runs it, through shell mode when both are wired: the same use.
    let ran = env.shell("git push origin x");
    assert_ne!(ran.status.code(), Some(126), "{ran:?}");
    // Nothing after that: not the shell again, not the hook.
    assert_eq!(env.shell("git push origin x").status.code(), Some(126));
    assert_eq!(decision(&hook("git push origin x")), "deny", "one use");
}

#[test]
fn withdraw_and_status() {
    let env = Env::new(true);
    let refused = env.shell("git push origin x");
    let id = env.propose_from(&refused);
    let s = env.exe(&["status", &id, "--json"]);
    assert_eq!(s.status.code(), Some(1));
    let w = env.exe(&["withdraw", &id]);
    assert_eq!(w.status.code(), Some(0), "{w:?}");
    let w = env.exe(&["wait", &id, "--timeout", "1"]);
    assert_eq!(w.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&w.stdout).unwrap();
    assert_eq!(v["status"], "withdrawn");
    assert_eq!(env.exe(&["status", "p-nope"]).status.code(), Some(3));
    assert_eq!(env.events("proposal_withdrawn").len(), 1);
}

#[test]
fn grants_can_be_suspended_resumed_and_revoked() {
    let env = Env::new(true);
    let refused = env.shell("git push origin x");
    let denial = env.refusal(&refused)["denial_id"]
        .as_str()
        .unwrap()
        .to_string();
    let p = env.exe(&["propose", "--denial", &denial, "--ttl", "2h", "--json"]);
    let id = serde_json::from_slice::<Value>(&p.stdout).unwrap()["proposal_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Widening what was asked is refused; narrowing is the human's call.
    let (t, code) = env.on_pty("code", None, &[BIN, "approve", &id, "--durable"]);
    assert_eq!(code, 2, "{t}");
    let (t, code) = env.on_pty("code", None, &[BIN, "approve", &id, "--ttl", "1h"]);
    assert_eq!(code, 0, "{t}");
    let list: Value =
        serde_json::from_slice(&env.exe(&["grants", "list", "--json"]).stdout).unwrap();
    let grant = list["grants"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(list["grants"][0]["once"], false);
    let decision = |script: &str| -> String {
        let out = env.exe(&["check", "--json", "--command", script]);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["decision"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(decision("git push origin x"), "allow");
    assert_eq!(
        env.exe(&["grants", "suspend", &grant]).status.code(),
        Some(0)
    );
    assert_eq!(decision("git push origin x"), "request");
    // Resuming widens: it needs a terminal of the human's.
    assert_eq!(
        env.exe(&["grants", "resume", &grant]).status.code(),
        Some(4)
    );
    let (t, code) = env.on_pty("-", None, &[BIN, "grants", "resume", &grant]);
    assert_eq!(code, 0, "{t}");
    assert_eq!(decision("git push origin x"), "allow");
    assert_eq!(
        env.exe(&["grants", "revoke", &grant]).status.code(),
        Some(0)
    );
    assert_eq!(decision("git push origin x"), "request");
    for event in ["grant_suspended", "grant_resumed", "grant_archived"] {
        assert_eq!(env.events(event).len(), 1, "{event}");
    }
}

/// With exec guards on, the guard judges the granted command again below the shell that
/// used the one-use grant: it counts as the same use, and the next script is refused.
#[test]
fn a_one_use_grant_passes_the_exec_guard_of_the_run_that_used_it() {
    let env = Env::new(true);
    let guards = env.home().join(".local/share/policy-exec/guards");
    std::fs::create_dir_all(&guards).unwrap();
    std::os::unix::fs::symlink(BIN, guards.join("touch")).unwrap();
    let marker = env.work().join("ran");
    let script = format!("touch {}", marker.display());
    let refused = env.shell(&script);
    assert_eq!(refused.status.code(), Some(126), "{refused:?}");
    let id = env.propose_from(&refused);
    let (t, code) = env.on_pty("code", None, &[BIN, "approve", &id]);
    assert_eq!(code, 0, "{t}");
    let first = env.shell(&script);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();
    let second = env.shell(&script);
    assert_eq!(second.status.code(), Some(126), "{second:?}");
    assert!(!marker.exists());
}
