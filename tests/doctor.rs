//! `policy-exec doctor` end to end: the real binary, a cleared environment, temp homes
//! set up by the real `resolve` and `sync --apply [--hooks]`, shims that are symlinks to
//! the binary under test, and a passwd file written by the test (`--passwd`).
//!
//! What must hold: a harness is in front when its shell or its hook reaches policy-exec
//! (Droid: only its hook); artifacts are fresh only for the current policy_hash; every
//! problem carries a fix command; exit 0 when everything needed is in place, 1 when not,
//! 2 on bad arguments.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rstest::rstest;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_policy-exec");

const SYSTEM: &str = r#"command_rules:
  - id: no-reset-hard
    action: deny
    match: {prefix: "git reset --hard"}
  - id: status-ok
    action: allow
    match: {prefix: "git status"}
  - id: ls-ok
    action: allow
    match: {prefix: "ls"}
  - id: sudo-asks
    action: request
    match: {prefix: "sudo"}
"#;

/// A rule added to make a new policy_hash.
const EXTRA: &str = r#"  - id: no-shutdown
    action: deny
    match: {prefix: "shutdown"}
"#;

/// A temp directory with a policy tree, a home, shims and a passwd file.
struct Env {
    dir: tempfile::TempDir,
    /// Extra environment for `doctor` (SHELL, CLAUDE_CODE_SHELL).
    vars: Vec<(String, PathBuf)>,
    /// The login shell written to the passwd file for the current uid.
    login_shell: PathBuf,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
            vars: Vec::new(),
            login_shell: PathBuf::from("/bin/bash"),
        };
        env.write_tree(SYSTEM);
        std::fs::create_dir_all(env.home()).unwrap();
        env
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn home(&self) -> PathBuf {
        self.path("home")
    }

    fn write_tree(&self, system: &str) {
        common::write_scope_tree(&self.path("tree/policy-config"), "codex", "default", system);
    }

    fn run(&self, args: &[&str], vars: &[(String, PathBuf)]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// Resolves the tree into `name` and returns its path.
    fn resolve(&self, name: &str) -> PathBuf {
        let emit = self.path(name);
        let tree = self.path("tree");
        let o = self.run(
            &[
                "resolve",
                "--root",
                tree.to_str().unwrap(),
                "--harness",
                "codex",
                "--task-domain",
                "default",
                "--emit",
                emit.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        emit
    }

    /// `sync --apply [--hooks] --home` with a resolved policy.
    fn sync(&self, policy: &Path, hooks: bool) {
        let home = self.home();
        let mut args = vec![
            "sync",
            "--policy-json",
            policy.to_str().unwrap(),
            "--apply",
            "--home",
            home.to_str().unwrap(),
        ];
        if hooks {
            args.push("--hooks");
        }
        let o = self.run(&args, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        if hooks {
            self.trust_codex_hook();
        }
    }

    /// What trusting the hook in Codex's `/hooks` view writes: a `trusted_hash` for the
    /// entry's key in `~/.codex/config.toml`.
    fn trust_codex_hook(&self) {
        let hooks = self.home().join(".codex/hooks.json");
        std::fs::write(
            self.home().join(".codex/config.toml"),
            format!(
                "model = \"o4\"\n\n[hooks.state.\"{}:pre_tool_use:0:0\"]\ntrusted_hash = \"sha256:0123\"\n",
                hooks.display()
            ),
        )
        .unwrap();
    }

    /// A shim named `name` (a symlink to the binary under test) where install.sh puts it.
    fn shim(&self, name: &str) -> PathBuf {
        let dir = self.home().join(".local/share/policy-exec/shims");
        std::fs::create_dir_all(&dir).unwrap();
        let shim = dir.join(name);
        if !shim.exists() {
            std::os::unix::fs::symlink(BIN, &shim).unwrap();
        }
        shim
    }

    /// Wires every harness that can take a shell: login shell, SHELL (also OpenCode's),
    /// CLAUDE_CODE_SHELL, COPILOT_BASH_PATH, and the shim's directory first on PATH
    /// (Gemini CLI).
    fn wire_shells(&mut self) {
        let shim = self.shim("bash");
        self.login_shell = shim.clone();
        self.vars.push(("SHELL".into(), shim.clone()));
        self.vars.push(("CLAUDE_CODE_SHELL".into(), shim.clone()));
        self.vars.push(("COPILOT_BASH_PATH".into(), shim.clone()));
        let mut path = shim.parent().unwrap().as_os_str().to_owned();
        path.push(":");
        path.push(std::env::var("PATH").unwrap_or_default());
        self.vars.push(("PATH".into(), PathBuf::from(path)));
    }

    fn passwd(&self) -> PathBuf {
        let uid = rustix::process::getuid().as_raw();
        let p = self.path("passwd");
        std::fs::write(
            &p,
            format!(
                "# accounts around ours\nother:x:{}:100::/nowhere:/bin/sh\nsomeone:x:{}:100::/nowhere:/bin/false\nme:x:{uid}:{uid}:Me:{}:{}\n",
                uid.wrapping_add(1),
                uid.wrapping_add(2),
                self.home().display(),
                self.login_shell.display()
            ),
        )
        .unwrap();
        p
    }

    /// Runs `doctor --home H --passwd P` plus `args`; returns the exit code and stdout.
    fn doctor(&self, args: &[&str]) -> (i32, String) {
        let home = self.home();
        let passwd = self.passwd();
        let mut all = vec![
            "doctor",
            "--home",
            home.to_str().unwrap(),
            "--passwd",
            passwd.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        let o = self.run(&all, &self.vars);
        (
            o.status.code().unwrap(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    }

    /// `doctor --json`: the exit code and the report.
    fn doctor_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let (code, out) = self.doctor(&all);
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        (code, v)
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn harness<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["harnesses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("no harness {name} in {report:#}"))
}

fn check<'a>(report: &'a Value, harness_name: &str, check: &str) -> &'a Value {
    harness(report, harness_name)["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == check)
        .unwrap_or_else(|| panic!("no check {check} for {harness_name} in {report:#}"))
}

fn policy_check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["policy"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no policy check {name} in {report:#}"))
}

const HARNESSES: [&str; 7] = [
    "codex",
    "claude",
    "cursor",
    "factory-droid",
    "gemini",
    "copilot",
    "opencode",
];

/// Copilot CLI has no native file policy-exec can write: its native check is information.
fn native_status(name: &str, otherwise: &'static str) -> &'static str {
    if name == "copilot" { "info" } else { otherwise }
}

#[rstest]
#[case::current_hash_from_the_manifest(false)]
#[case::current_hash_from_policy_json(true)]
fn a_fully_wired_home_has_every_harness_in_front(#[case] pass_policy_json: bool) {
    let mut env = Env::new();
    let p = env.resolve("policy.json");
    env.sync(&p, true);
    env.wire_shells();
    let args: Vec<&str> = if pass_policy_json {
        vec!["--policy-json", p.to_str().unwrap()]
    } else {
        vec![]
    };
    let (code, report) = env.doctor_json(&args);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["ok"], true);
    let hash = report["policy_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 64, "{report:#}");
    for name in HARNESSES {
        let h = harness(&report, name);
        assert_eq!(h["in_front"], true, "{name}: {h:#}");
        // The launcher depends on what the kernel allows: its own test covers it.
        for c in h["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["name"] != "launcher")
        {
            let want = if name == "factory-droid" && c["name"] == "shell" {
                "info"
            } else if c["name"] == "native" {
                native_status(name, "ok")
            } else {
                "ok"
            };
            assert_eq!(c["status"], want, "{name}: {c:#}");
            assert!(c.get("fix").is_none(), "{name}: {c:#}");
        }
        if name != "copilot" {
            assert!(
                check(&report, name, "native")["detail"]
                    .as_str()
                    .unwrap()
                    .contains(hash)
            );
        }
    }
    assert_eq!(report["policy"]["embedded_default"], false);
    assert_eq!(report["policy"]["rules"], 4);
    assert_eq!(report["policy"]["policy_hash"], hash);
    assert_eq!(policy_check(&report, "policy")["status"], "ok");
    let shell = policy_check(&report, "real shell");
    assert_eq!(shell["status"], "ok");
    assert!(
        !shell["detail"].as_str().unwrap().contains("policy-exec"),
        "the real shell is never ourselves: {shell:#}"
    );
    // The text report says the same, one line per check.
    let (code, text) = env.doctor(&args);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("FAIL"), "{text}");
    assert!(text.contains("everything needed is in place"), "{text}");
    assert_eq!(text.matches("policy-exec is in front").count(), 7, "{text}");
}

#[test]
fn a_bare_home_has_no_harness_in_front_and_names_the_sync_command() {
    let env = Env::new();
    let (code, report) = env.doctor_json(&[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["ok"], false);
    assert!(report["policy_hash"].is_null());
    for name in HARNESSES {
        let h = harness(&report, name);
        assert_eq!(h["in_front"], false, "{name}: {h:#}");
        let hook = check(&report, name, "hook");
        assert_eq!(hook["status"], "fail", "{name}: {hook:#}");
        let fix = hook["fix"].as_str().unwrap();
        assert!(
            fix.starts_with("policy-exec sync --policy-json ") && fix.contains(" --apply --hooks"),
            "{name}: {fix}"
        );
        assert!(fix.contains(&env.home().display().to_string()), "{fix}");
        let native = check(&report, name, "native");
        assert_eq!(
            native["status"],
            native_status(name, "fail"),
            "{name}: {native:#}"
        );
        if name != "copilot" {
            assert!(native["fix"].as_str().unwrap().contains("--apply"));
        }
    }
    // Every non-ok check carries a fix; Droid's shell is only information.
    for h in report["harnesses"].as_array().unwrap() {
        for c in h["checks"].as_array().unwrap() {
            if c["status"] == "fail" || c["status"] == "warn" {
                assert!(c["fix"].is_string(), "{c:#}");
            }
        }
    }
    let codex_fix = check(&report, "codex", "shell")["fix"].as_str().unwrap();
    assert!(
        codex_fix.contains("ln -sfn")
            && codex_fix.contains("chsh -s ")
            && codex_fix.ends_with(" me"),
        "{codex_fix}"
    );
    assert!(
        check(&report, "claude", "shell")["fix"]
            .as_str()
            .unwrap()
            .contains("export CLAUDE_CODE_SHELL=")
    );
    assert_eq!(check(&report, "factory-droid", "shell")["status"], "info");
    assert_eq!(report["policy"]["embedded_default"], true);
    assert_eq!(policy_check(&report, "policy")["status"], "warn");
    let (code, text) = env.doctor(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        text.matches("policy-exec is NOT in front").count(),
        7,
        "{text}"
    );
    // How each of the three newer harnesses is wired, in its fix.
    for (name, fix) in [
        ("gemini", "start gemini with PATH="),
        ("copilot", "export COPILOT_BASH_PATH="),
        ("opencode", "\"shell\": "),
    ] {
        let shell = check(&report, name, "shell");
        assert_eq!(shell["status"], "fail", "{shell:#}");
        assert!(shell["fix"].as_str().unwrap().contains(fix), "{shell:#}");
    }
    assert!(text.contains("  FAIL hook"), "{text}");
    assert!(
        text.contains("fix: policy-exec sync --policy-json"),
        "{text}"
    );
}

#[test]
fn a_changed_policy_makes_every_artifact_stale_with_both_hashes() {
    let mut env = Env::new();
    let old = env.resolve("old.json");
    env.sync(&old, true);
    env.wire_shells();
    env.write_tree(&format!("{SYSTEM}{EXTRA}"));
    let new = env.resolve("new.json");
    let (code, before) = env.doctor_json(&["--policy-json", old.to_str().unwrap()]);
    assert_eq!(code, 0, "{before:#}");
    let old_hash = before["policy_hash"].as_str().unwrap().to_string();

    let (code, report) = env.doctor_json(&["--policy-json", new.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    let new_hash = report["policy_hash"].as_str().unwrap();
    assert_ne!(new_hash, old_hash);
    for name in HARNESSES.into_iter().filter(|n| *n != "copilot") {
        let native = check(&report, name, "native");
        assert_eq!(native["status"], "fail", "{name}: {native:#}");
        let detail = native["detail"].as_str().unwrap();
        assert!(detail.contains("stale"), "{detail}");
        assert!(
            detail.contains(&old_hash) && detail.contains(new_hash),
            "{detail}"
        );
        assert!(
            native["fix"]
                .as_str()
                .unwrap()
                .contains(new.to_str().unwrap())
        );
        // Still in front: stale files do not unwire anything.
        assert_eq!(harness(&report, name)["in_front"], true);
    }
    let detail = check(&report, "codex", "native")["detail"]
        .as_str()
        .unwrap();
    assert!(
        detail.contains(".codex/rules/policy-exec.rules"),
        "{detail}"
    );
    let fresh = policy_check(&report, "fresh");
    assert_eq!(fresh["status"], "fail", "{fresh:#}");
    assert!(fresh["detail"].as_str().unwrap().contains(&old_hash));

    // Syncing the new policy makes it fresh again.
    env.sync(&new, true);
    let (code, after) = env.doctor_json(&["--policy-json", new.to_str().unwrap()]);
    assert_eq!(code, 0, "{after:#}");
}

#[rstest]
#[case::hooks_only(true, false, [true, true, true, true], 0)]
#[case::shell_only(false, true, [true, true, true, false], 1)]
#[case::both(true, true, [true, true, true, true], 0)]
#[case::neither(false, false, [false, false, false, false], 1)]
fn a_harness_is_in_front_through_its_shell_or_its_hook(
    #[case] hooks: bool,
    #[case] shells: bool,
    #[case] in_front: [bool; 4],
    #[case] exit: i32,
) {
    let mut env = Env::new();
    let p = env.resolve("policy.json");
    env.sync(&p, hooks);
    if shells {
        env.wire_shells();
    }
    let (code, report) = env.doctor_json(&[]);
    assert_eq!(code, exit, "{report:#}");
    for (name, want) in HARNESSES.iter().zip(in_front) {
        assert_eq!(
            harness(&report, name)["in_front"],
            want,
            "{name}: {report:#}"
        );
    }
    let droid_hook = check(&report, "factory-droid", "hook");
    assert_eq!(
        droid_hook["status"],
        if hooks { "ok" } else { "fail" },
        "{droid_hook:#}"
    );
    for name in ["codex", "claude", "cursor"] {
        let (shell, hook) = (check(&report, name, "shell"), check(&report, name, "hook"));
        let (want_shell, want_hook) = match (shells, hooks) {
            (true, true) => ("ok", "ok"),
            (true, false) => ("ok", "warn"),
            (false, true) => ("warn", "ok"),
            (false, false) => ("fail", "fail"),
        };
        assert_eq!(shell["status"], want_shell, "{name}: {shell:#}");
        assert_eq!(hook["status"], want_hook, "{name}: {hook:#}");
    }
}

/// How Claude Code's shell is set: (where, value) pairs; `shim`, `binary` and `bash`
/// stand for the `bash` shim, the policy-exec binary itself and /bin/bash.
#[rstest]
#[case::shim_in_env(&[("CLAUDE_CODE_SHELL", "shim")], true)]
#[case::shim_in_shell(&[("SHELL", "shim")], true)]
#[case::binary_without_bash_in_its_path_is_ignored(&[("CLAUDE_CODE_SHELL", "binary")], false)]
#[case::binary_ignored_then_shell_used(&[("CLAUDE_CODE_SHELL", "binary"), ("SHELL", "shim")], true)]
#[case::real_bash_wins_over_shell(&[("CLAUDE_CODE_SHELL", "bash"), ("SHELL", "shim")], false)]
#[case::settings_env_wins_over_process_env(&[("settings", "bash"), ("CLAUDE_CODE_SHELL", "shim")], false)]
#[case::settings_env_alone(&[("settings", "shim")], true)]
fn claude_uses_claude_code_shell_then_shell_when_they_name_bash_or_zsh(
    #[case] setup: &[(&str, &str)],
    #[case] wired: bool,
) {
    let mut env = Env::new();
    let shim = env.shim("bash");
    let value = |v: &str| match v {
        "shim" => shim.clone(),
        "binary" => PathBuf::from(BIN),
        _ => PathBuf::from("/bin/bash"),
    };
    for (place, v) in setup {
        if *place == "settings" {
            let settings = env.home().join(".claude/settings.json");
            std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
            let body = serde_json::json!({"env": {"CLAUDE_CODE_SHELL": value(v)}});
            std::fs::write(&settings, body.to_string()).unwrap();
        } else {
            env.vars.push(((*place).to_string(), value(v)));
        }
    }
    let (_, report) = env.doctor_json(&[]);
    let shell = check(&report, "claude", "shell");
    assert_eq!(shell["status"] == "ok", wired, "{shell:#}");
    assert_eq!(harness(&report, "claude")["in_front"], wired);
    if !wired && setup.iter().any(|(p, _)| *p == "settings") {
        let fix = shell["fix"].as_str().unwrap();
        assert!(
            fix.contains("env.CLAUDE_CODE_SHELL") && fix.contains("settings.json"),
            "{fix}"
        );
    }
}

/// Codex's login shell: recognised by basename, and it must resolve to policy-exec.
#[rstest]
#[case::shim_named_bash("bash", true)]
#[case::shim_named_zsh("zsh", true)]
#[case::shim_named_sh("sh", true)]
#[case::link_named_policy_exec_is_ignored("policy-exec", false)]
#[case::real_bash("/bin/bash", false)]
#[case::missing_shell("/nonexistent/bash", false)]
fn codex_runs_the_passwd_login_shell_named_bash_zsh_or_sh(
    #[case] login: &str,
    #[case] wired: bool,
) {
    let mut env = Env::new();
    env.login_shell = if login.starts_with('/') {
        PathBuf::from(login)
    } else {
        env.shim(login)
    };
    let (code, report) = env.doctor_json(&[]);
    assert_eq!(code, 1, "nothing else is set up: {report:#}");
    let shell = check(&report, "codex", "shell");
    assert_eq!(shell["status"] == "ok", wired, "{shell:#}");
    assert!(
        shell["detail"]
            .as_str()
            .unwrap()
            .contains(env.login_shell.to_str().unwrap()),
        "{shell:#}"
    );
    if wired {
        assert_eq!(harness(&report, "codex")["in_front"], true);
        // The emulated shell's real counterpart is checked too.
        let shells = report["policy"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["name"] == "real shell")
            .count();
        assert_eq!(shells, if login == "bash" { 1 } else { 2 }, "{report:#}");
    }
}

#[test]
fn a_hook_naming_a_missing_binary_is_not_in_front() {
    let env = Env::new();
    let p = env.resolve("policy.json");
    env.sync(&p, true);
    let hooks = env.home().join(".factory/hooks.json");
    let text = std::fs::read_to_string(&hooks).unwrap();
    let bin = std::fs::canonicalize(BIN).unwrap();
    let gone = text.replace(bin.to_str().unwrap(), "/nonexistent/policy-exec");
    assert_ne!(text, gone);
    std::fs::write(&hooks, gone).unwrap();
    let (code, report) = env.doctor_json(&[]);
    assert_eq!(code, 1, "{report:#}");
    let hook = check(&report, "factory-droid", "hook");
    assert_eq!(hook["status"], "fail", "{hook:#}");
    assert!(
        hook["detail"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/policy-exec"),
        "{hook:#}"
    );
    assert_eq!(harness(&report, "factory-droid")["in_front"], false);
    assert_eq!(harness(&report, "claude")["in_front"], true);
}

#[rstest]
#[case::claude_entry_removed(".claude/settings.json", "Bash(git status:*)", "lacks")]
#[case::droid_entry_removed(".factory/settings.json", "\"ls\"", "lacks")]
#[case::codex_header_edited(".codex/rules/policy-exec.rules", "# Generated by", "not written by")]
fn an_edited_native_file_fails_with_what_is_wrong(
    #[case] rel: &str,
    #[case] remove: &str,
    #[case] says: &str,
) {
    let env = Env::new();
    let p = env.resolve("policy.json");
    env.sync(&p, true);
    let file = env.home().join(rel);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(remove), "{text}");
    let replacement = if remove.starts_with('"') {
        "\"pwd\""
    } else {
        "# Edited by"
    };
    let replacement = if remove.starts_with("Bash(") {
        "Bash(git log:*)"
    } else {
        replacement
    };
    std::fs::write(&file, text.replace(remove, replacement)).unwrap();
    let (code, report) = env.doctor_json(&[]);
    assert_eq!(code, 1, "{report:#}");
    let name = match rel {
        r if r.starts_with(".claude") => "claude",
        r if r.starts_with(".factory") => "factory-droid",
        _ => "codex",
    };
    let native = check(&report, name, "native");
    assert_eq!(native["status"], "fail", "{native:#}");
    assert!(
        native["detail"].as_str().unwrap().contains(says),
        "{native:#}"
    );
}

#[rstest]
#[case::unknown_flag(&["--bogus"])]
#[case::missing_policy_json(&["--policy-json", "/nonexistent/policy.json"])]
#[case::missing_home(&["--home", "/nonexistent/home"])]
fn bad_arguments_exit_2(#[case] args: &[&str]) {
    let env = Env::new();
    let mut all = vec!["doctor"];
    all.extend_from_slice(args);
    let o = env.run(&all, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("policy-exec") || stderr(&o).contains("error"));
}

#[test]
fn an_edited_policy_json_is_refused() {
    let env = Env::new();
    let p = env.resolve("policy.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["policy_hash"] = Value::String("0".repeat(64));
    std::fs::write(&p, v.to_string()).unwrap();
    let o = env.run(&["doctor", "--policy-json", p.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("resolve again"), "{}", stderr(&o));
}

#[test]
fn a_harness_the_policy_gives_no_native_rules_needs_no_file() {
    let mut env = Env::new();
    // Cursor matches first tokens only: a multi-word deny is dropped for it.
    env.write_tree(
        "command_rules:\n  - id: no-reset-hard\n    action: deny\n    match: {prefix: \"git reset --hard\"}\n",
    );
    let p = env.resolve("policy.json");
    env.sync(&p, true);
    env.wire_shells();
    assert!(!env.home().join(".cursor/cli-config.json").exists());
    let (code, report) = env.doctor_json(&["--policy-json", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{report:#}");
    let native = check(&report, "cursor", "native");
    assert_eq!(native["status"], "ok", "{native:#}");
    assert!(native["detail"].as_str().unwrap().contains("not needed"));
}

#[test]
fn a_deleted_native_file_holding_our_entries_fails() {
    let mut env = Env::new();
    let p = env.resolve("policy.json");
    env.sync(&p, true);
    env.wire_shells();
    std::fs::remove_file(env.home().join(".factory/settings.json")).unwrap();
    let (code, report) = env.doctor_json(&[]);
    assert_eq!(code, 1, "{report:#}");
    let native = check(&report, "factory-droid", "native");
    assert_eq!(native["status"], "fail", "{native:#}");
    assert!(
        native["detail"]
            .as_str()
            .unwrap()
            .contains("something removed it"),
        "{native:#}"
    );
}

#[test]
fn an_untrusted_codex_hook_is_not_in_front_and_says_how_to_trust_it() {
    let env = Env::new();
    let p = env.resolve("policy.json");
    env.sync(&p, true);
    // What Codex's /hooks view writes when the user reviews the hook, taken away again.
    std::fs::remove_file(env.home().join(".codex/config.toml")).unwrap();
    let (code, report) = env.doctor_json(&["--harness", "codex"]);
    let hook = check(&report, "codex", "hook");
    assert_eq!(hook["status"], "fail", "{hook:#}");
    let detail = hook["detail"].as_str().unwrap();
    assert!(detail.contains("not trusted"), "{detail}");
    assert!(detail.contains(":pre_tool_use:0:0"), "{detail}");
    let fix = hook["fix"].as_str().unwrap();
    assert!(
        fix.contains("/hooks") && fix.contains("hook codex"),
        "{fix}"
    );
    assert_eq!(
        report["harnesses"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    // Without a shim the launcher cannot help either: Codex is not in front.
    assert_eq!(harness(&report, "codex")["in_front"], false, "{report:#}");
    assert_eq!(code, 1);

    // Disabled after trusting it: still not in front.
    let hooks = env.home().join(".codex/hooks.json");
    std::fs::write(
        env.home().join(".codex/config.toml"),
        format!(
            "[hooks.state.\"{}:pre_tool_use:0:0\"]\ntrusted_hash = \"sha256:0123\"\nenabled = false\n",
            hooks.display()
        ),
    )
    .unwrap();
    let (_, report) = env.doctor_json(&["--harness", "codex"]);
    let hook = check(&report, "codex", "hook");
    assert!(
        hook["detail"].as_str().unwrap().contains("disabled"),
        "{hook:#}"
    );

    env.trust_codex_hook();
    let (code, report) = env.doctor_json(&["--harness", "codex"]);
    assert_eq!(
        check(&report, "codex", "hook")["status"],
        "ok",
        "{report:#}"
    );
    assert_eq!(harness(&report, "codex")["in_front"], true);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn the_codex_launcher_is_in_front_where_the_kernel_allows_it_and_says_why_not_elsewhere() {
    let env = Env::new();
    let p = env.resolve("policy.json");
    env.sync(&p, false);
    env.shim("bash");
    let (_, report) = env.doctor_json(&["--harness", "codex"]);
    let launcher = check(&report, "codex", "launcher");
    let allowed = Command::new("unshare")
        .args(if rustix::process::getuid().is_root() {
            vec!["-m", "true"]
        } else {
            vec!["-r", "-m", "true"]
        })
        .status()
        .is_ok_and(|s| s.success());
    if allowed {
        assert_eq!(launcher["status"], "ok", "{launcher:#}");
        assert_eq!(harness(&report, "codex")["in_front"], true, "{report:#}");
        let shell = check(&report, "codex", "shell");
        assert_eq!(shell["status"], "warn", "{shell:#}");
        assert_eq!(shell["fix"], "policy-exec run codex [ARGS…]", "{shell:#}");
    } else {
        assert_eq!(launcher["status"], "warn", "{launcher:#}");
        assert!(
            launcher["detail"].as_str().unwrap().contains("namespace"),
            "{launcher:#}"
        );
        assert!(
            launcher["fix"].as_str().unwrap().contains("usermod"),
            "{launcher:#}"
        );
    }
}

/// Gemini CLI runs the first `bash` on PATH, Copilot CLI `$COPILOT_BASH_PATH`, OpenCode
/// the `shell` key of its config before `$SHELL`; each is followed to policy-exec. An
/// OpenCode plugin whose command names a missing program does not count.
#[test]
fn the_newer_harnesses_are_found_through_their_own_shell_settings() {
    let mut env = Env::new();
    let shim = env.shim("bash");
    let (_, report) = env.doctor_json(&[]);
    for name in ["gemini", "copilot", "opencode"] {
        assert_eq!(check(&report, name, "shell")["status"], "fail", "{name}");
    }
    let config = env.home().join(".config/opencode/opencode.json");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, serde_json::json!({"shell": shim}).to_string()).unwrap();
    // $SHELL names the real bash: the config's `shell` wins over it.
    env.vars.push(("SHELL".into(), PathBuf::from("/bin/bash")));
    env.vars.push(("COPILOT_BASH_PATH".into(), shim.clone()));
    let mut path = shim.parent().unwrap().as_os_str().to_owned();
    path.push(":/usr/bin:/bin");
    env.vars.push(("PATH".into(), PathBuf::from(path)));
    let (_, report) = env.doctor_json(&[]);
    for name in ["gemini", "copilot", "opencode"] {
        let shell = check(&report, name, "shell");
        assert_eq!(shell["status"], "ok", "{name}: {shell:#}");
        assert_eq!(harness(&report, name)["in_front"], true, "{name}");
    }
    assert!(
        check(&report, "opencode", "shell")["detail"]
            .as_str()
            .unwrap()
            .contains("`shell` in `"),
        "{report:#}"
    );
    // A plugin of ours whose program is gone.
    let p = env.resolve("policy.json");
    env.sync(&p, true);
    let plugin = env.home().join(".config/opencode/plugin/policy-exec.js");
    let text = std::fs::read_to_string(&plugin).unwrap();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("const COMMAND = ") {
                r#"const COMMAND = ["/nonexistent/policy-exec", "hook", "opencode"];"#.to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&plugin, text).unwrap();
    let (_, report) = env.doctor_json(&[]);
    let hook = check(&report, "opencode", "hook");
    assert_eq!(hook["status"], "warn", "{hook:#}");
    assert!(
        hook["detail"]
            .as_str()
            .unwrap()
            .contains("does not resolve"),
        "{hook:#}"
    );
    let ok_hook = check(&report, "gemini", "hook");
    assert_eq!(ok_hook["status"], "ok", "{ok_hook:#}");
}
