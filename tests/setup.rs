//! `policy-exec setup`, `uninstall` and `run codex` end to end: the real binary, a
//! cleared environment, a temp home holding an installed policy tree and the user's own
//! harness files (written oddly on purpose), real git, real bash, real namespaces.
//!
//! What must hold: setup wires each harness and ends with doctor's verdict; uninstall
//! gives back every harness file byte for byte (backups aside) and keeps the user's own
//! entries, also when the user changed the file in between; a file keeps at most a few
//! backups; `run codex` gives the program the shim as its login shell for that process
//! only, so a refused command is refused by policy-exec, and the real passwd is untouched.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rstest::rstest;

mod common;

use common::{BIN, output_text as text};

const SYSTEM: &str = r#"command_rules:
  - id: no-reset-hard
    action: deny
    match: {prefix: "git reset --hard"}
    reason: it throws away uncommitted work
  - id: status-ok
    action: allow
    match: {prefix: "git status"}
  - id: sudo-asks
    action: request
    match: {prefix: "sudo"}
  - id: no-shutdown
    action: deny
    match: {prefix: "shutdown"}
"#;

/// The user's own harness files before setup: odd spacing, no trailing newline, keys in
/// an unusual order — anything a rewrite would change.
const USER_FILES: [(&str, &str); 4] = [
    (
        ".claude/settings.json",
        r#"{"model":"opus","permissions":{"allow":["Bash(make:*)"]},"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"my-linter"}]}]}}"#,
    ),
    (
        ".cursor/cli-config.json",
        "{\n    \"version\": 1,\n    \"editor\": {\"vimMode\": true},\n    \"permissions\": {\"allow\": [\"Shell(ls)\"], \"deny\": []}\n}\n",
    ),
    (
        ".factory/settings.json",
        "{ \"commandAllowlist\" : [ \"ls\" ] }",
    ),
    (".codex/config.toml", "model = \"o4\"\n"),
];

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        env.write_policy(SYSTEM);
        for (rel, text) in USER_FILES {
            let p = env.home().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        env
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The installed policy tree, where install.sh puts it.
    fn write_policy(&self, system: &str) {
        let pc = self.home().join(".config/policy-exec/policy-config");
        common::write_scope_tree(&pc, "default", "default", system);
    }

    fn run(&self, args: &[&str]) -> Output {
        common::policy_exec(&self.home(), self.dir.path())
            .args(args)
            .output()
            .unwrap()
    }

    /// Every file under the home except policy-exec's own directories and backups.
    fn harness_files(&self) -> BTreeMap<String, Vec<u8>> {
        fn walk(dir: &Path, base: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                let rel = p.strip_prefix(base).unwrap().display().to_string();
                if rel.starts_with(".config/policy-exec")
                    || rel.starts_with(".local")
                    || rel.starts_with(".cache")
                    || rel.contains(".policy-exec-backup.")
                {
                    continue;
                }
                if p.is_dir() {
                    out.insert(format!("{rel}/"), Vec::new());
                    walk(&p, base, out);
                } else {
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.home(), &self.home(), &mut out);
        out
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.home().join(rel)).unwrap_or_default()
    }

    fn backups(&self, rel: &str) -> usize {
        let p = self.home().join(rel);
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{name}.policy-exec-backup."))
            })
            .count()
    }
}

/// Whether this kernel lets the current user make a private mount namespace.
fn namespaces_allowed() -> bool {
    let args: &[&str] = if rustix::process::getuid().is_root() {
        &["-m", "true"]
    } else {
        &["-r", "-m", "true"]
    };
    Command::new("unshare")
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

/// (harness, its hook file, what marks our hook there, its native file, an entry of ours)
const WIRED: [(&str, &str, &str, &str, &str); 7] = [
    (
        "claude",
        ".claude/settings.json",
        " hook claude",
        ".claude/settings.json",
        "Bash(git reset --hard:*)",
    ),
    (
        "codex",
        ".codex/hooks.json",
        " hook codex",
        ".codex/rules/policy-exec.rules",
        "\"reset\", \"--hard\"",
    ),
    (
        "cursor",
        ".cursor/hooks.json",
        " hook cursor",
        ".cursor/cli-config.json",
        "Shell(shutdown)",
    ),
    (
        "droid",
        ".factory/hooks.json",
        " hook droid",
        ".factory/settings.json",
        "git reset --hard",
    ),
    (
        "gemini",
        ".gemini/settings.json",
        " hook gemini",
        ".gemini/policies/policy-exec.toml",
        "git reset --hard",
    ),
    // Copilot has no native file: its hook file stands in for it here.
    (
        "copilot",
        ".copilot/hooks/policy-exec.json",
        " hook copilot",
        ".copilot/hooks/policy-exec.json",
        "preToolUse",
    ),
    (
        "opencode",
        ".config/opencode/plugin/policy-exec.js",
        "\"hook\",\"opencode\"",
        ".config/opencode/opencode.json",
        "git reset --hard *",
    ),
];

#[test]
fn setup_then_uninstall_gives_back_every_harness_file_byte_for_byte() {
    let env = Env::new();
    let before = env.harness_files();
    for (harness, hook_file, hook_mark, native, entry) in WIRED {
        let o = env.run(&["setup", harness]);
        let out = text(&o);
        // setup ends with doctor's verdict for this harness only.
        assert!(out.contains("current policy_hash"), "{harness}: {out}");
        assert!(out.contains("policy-exec is in front"), "{harness}: {out}");
        let in_front_ok = harness != "codex" || namespaces_allowed();
        if in_front_ok {
            assert_eq!(o.status.code(), Some(0), "{harness}: {out}");
        }
        assert!(
            env.read(hook_file).contains(hook_mark),
            "{harness}: {}",
            env.read(hook_file)
        );
        assert!(
            env.read(native).contains(entry),
            "{harness}: {}",
            env.read(native)
        );
    }
    // The user's own entries are still there while we are wired.
    assert!(env.read(".claude/settings.json").contains("my-linter"));
    assert!(env.read(".claude/settings.json").contains("Bash(make:*)"));
    assert!(env.read(".cursor/cli-config.json").contains("vimMode"));
    assert_eq!(env.read(".codex/config.toml"), "model = \"o4\"\n");
    for shell in ["bash", "sh", "zsh"] {
        let shim = env
            .home()
            .join(".local/share/policy-exec/shims")
            .join(shell);
        assert_eq!(
            shim.canonicalize().unwrap(),
            Path::new(BIN).canonicalize().unwrap()
        );
    }
    // Setting up again changes nothing.
    let again = env.harness_files();
    let o = env.run(&["setup", "claude"]);
    assert!(!text(&o).contains("updated "), "{}", text(&o));
    assert_eq!(env.harness_files(), again);

    for (harness, ..) in WIRED {
        let o = env.run(&["uninstall", "--harness", harness]);
        assert_eq!(o.status.code(), Some(0), "{harness}: {}", text(&o));
    }
    let after = env.harness_files();
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "the same files and directories"
    );
    for (name, bytes) in &before {
        assert_eq!(
            String::from_utf8_lossy(&after[name]),
            String::from_utf8_lossy(bytes),
            "{name}"
        );
    }
    // The shims stay until a full uninstall (another harness may use them).
    let shims = env.home().join(".local/share/policy-exec/shims");
    assert!(shims.join("bash").exists());
    let o = env.run(&["uninstall"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!shims.exists(), "{}", text(&o));
    assert_eq!(env.harness_files(), before);
}

#[rstest]
#[case::claude(
    "claude",
    ".claude/settings.json",
    "permissions.allow",
    "Bash(npm test:*)"
)]
#[case::droid("droid", ".factory/settings.json", "commandAllowlist", "npm test")]
fn uninstall_keeps_what_the_user_changed_after_setup(
    #[case] harness: &str,
    #[case] rel: &str,
    #[case] key: &str,
    #[case] added: &str,
) {
    let env = Env::new();
    assert!(env.run(&["setup", harness]).status.code().is_some());
    // The user adds an entry of their own while we are wired.
    let path = env.home().join(rel);
    let mut v: serde_json::Value = serde_json::from_str(&env.read(rel)).unwrap();
    let list = key
        .split('.')
        .try_fold(&mut v, |v, k| v.get_mut(k))
        .and_then(|l| l.as_array_mut())
        .unwrap();
    list.push(serde_json::json!(added));
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();

    let o = env.run(&["uninstall", "--harness", harness]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("cleaned"), "{}", text(&o));
    let left = env.read(rel);
    assert!(left.contains(added), "{left}");
    assert!(
        !left.contains("reset --hard"),
        "our entries are gone: {left}"
    );
    assert!(
        !left.contains("policy-exec hook"),
        "our hook is gone: {left}"
    );
    let original: serde_json::Value =
        serde_json::from_str(USER_FILES.iter().find(|(r, _)| *r == rel).unwrap().1).unwrap();
    let mut want = original.clone();
    key.split('.')
        .try_fold(&mut want, |v, k| v.get_mut(k))
        .and_then(|l| l.as_array_mut())
        .unwrap()
        .push(serde_json::json!(added));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&left).unwrap(),
        want
    );
}

#[test]
fn each_file_keeps_at_most_three_backups() {
    let env = Env::new();
    for n in 0..6 {
        env.write_policy(&format!(
            "{SYSTEM}  - id: extra-{n}\n    action: deny\n    match: {{prefix: \"shutdown{n}\"}}\n"
        ));
        // Each round replaces the last round's rule: setup installs the installed tree
        // as it is now, also when that drops a rule.
        let o = env.run(&["setup", "claude"]);
        assert!(text(&o).contains("updated"), "{}", text(&o));
    }
    assert_eq!(env.backups(".claude/settings.json"), 3);
}

#[test]
fn setup_without_an_installed_policy_says_to_run_the_installer() {
    let env = Env::new();
    std::fs::remove_dir_all(env.home().join(".config/policy-exec")).unwrap();
    let before = env.harness_files();
    let o = env.run(&["setup", "claude"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("./install.sh"), "{}", text(&o));
    assert_eq!(env.harness_files(), before, "nothing was changed");
    let o = env.run(&["setup", "vim"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("claude, codex, cursor, droid"),
        "{}",
        text(&o)
    );
}

#[test]
fn setup_claude_with_shell_sets_claude_code_shell_and_uninstall_takes_it_back() {
    let env = Env::new();
    let before = env.harness_files();
    let o = env.run(&["setup", "claude", "--shell"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_str(&env.read(".claude/settings.json")).unwrap();
    let shell = v["env"]["CLAUDE_CODE_SHELL"].as_str().unwrap();
    assert!(
        shell.ends_with("/.local/share/policy-exec/shims/bash"),
        "{shell}"
    );
    // doctor (setup's last step) now sees Claude Code's shell as policy-exec.
    assert!(text(&o).contains("ok   shell"), "{}", text(&o));
    let o = env.run(&["uninstall", "--harness", "claude"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(env.harness_files(), before);
}

/// A stand-in for what Codex does to run a command: read the account's login shell
/// from passwd (getpwuid, like Codex) and run `<shell> -lc '<cmd>'`.
const CODEX_LIKE: &str = r#"#!/bin/sh
shell=$(getent passwd "$(id -u)" | cut -d: -f7)
echo "login shell: $shell"
echo "uid: $(id -u)"
exec "$shell" -lc "$1"
"#;

#[test]
fn run_codex_gives_only_that_process_the_shim_as_login_shell() {
    let env = Env::new();
    assert!(env.run(&["setup", "codex"]).status.code().is_some());
    let prog = env.dir.path().join("codex-like");
    std::fs::write(&prog, CODEX_LIKE).unwrap();
    std::fs::set_permissions(&prog, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let repo = env.dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    assert!(
        Command::new("git")
            .args(["init", "-q"])
            .current_dir(&repo)
            .status()
            .unwrap()
            .success()
    );
    let passwd_before = std::fs::read("/etc/passwd").unwrap();
    let run = |cmd: &str| {
        Command::new(BIN)
            .args(["run", "--program", prog.to_str().unwrap(), "codex", cmd])
            .current_dir(&repo)
            .env_clear()
            .env("HOME", env.home())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .unwrap()
    };
    let denied = run("git reset --hard");
    let shim = env.home().join(".local/share/policy-exec/shims/bash");
    if namespaces_allowed() {
        let out = text(&denied);
        assert!(
            out.contains(&format!("login shell: {}", shim.display())),
            "{out}"
        );
        assert!(
            out.contains(&format!("uid: {}", rustix::process::getuid().as_raw())),
            "the program runs as the user it was: {out}"
        );
        assert_eq!(denied.status.code(), Some(126), "{out}");
        assert!(
            out.contains("policy-exec: denied") && out.contains("no-reset-hard"),
            "{out}"
        );
        let allowed = run("git status --short");
        assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed));
    } else {
        assert_eq!(denied.status.code(), Some(1));
        let out = text(&denied);
        assert!(
            out.contains("namespace") && out.contains("usermod"),
            "{out}"
        );
    }
    // Only that process saw the other passwd.
    assert_eq!(std::fs::read("/etc/passwd").unwrap(), passwd_before);
}

#[test]
fn run_refuses_a_harness_that_needs_no_launcher_and_a_missing_shim() {
    let env = Env::new();
    let o = env.run(&["run", "claude"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("setup claude"), "{}", text(&o));
    let o = env.run(&["run", "--program", "/bin/true", "codex"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("policy-exec setup codex"), "{}", text(&o));
}

#[test]
fn setup_list_shows_every_harness_of_the_wiring_table_and_the_shims() {
    let env = Env::new();
    let before = env.harness_files();
    let o = env.run(&["setup", "--list"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    for line in [
        "policy-exec setup claude",
        "policy-exec setup codex",
        "policy-exec setup cursor",
        "policy-exec setup droid",
        "policy-exec run codex",
        "policy-exec/shims (bash sh zsh)",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    assert_eq!(env.harness_files(), before, "--list changes nothing");
}
