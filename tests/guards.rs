//! Exec guards: policy-exec linked as `git` in a directory first on the shell's PATH
//! judges the exact argv of a `git` started by anything (a script file, make, xargs,
//! a Python script, a computed name) and execs the real git or refuses.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// A home with a guard directory for `git`, a `bash` shim, a policy whose dynamic
/// decision is allow (guards check at exec time), and a git repository.
struct Guarded {
    tmp: TempDir,
}

impl Guarded {
    fn new() -> Guarded {
        let g = Guarded {
            tmp: tempfile::tempdir().unwrap(),
        };
        let bin = Path::new(env!("CARGO_BIN_EXE_policy-exec"));
        std::fs::create_dir_all(g.guards()).unwrap();
        std::fs::create_dir_all(g.path("shims")).unwrap();
        std::os::unix::fs::symlink(bin, g.guards().join("git")).unwrap();
        std::os::unix::fs::symlink(bin, g.path("shims/bash")).unwrap();
        let bundle = g.path("bundle.json");
        std::fs::write(
            &bundle,
            serde_json::json!({
                "schema_version": 1, "required_conditions": [],
                "enforcement": {"unmatched": "allow", "dynamic": "allow"},
                "commands": [{
                    "id": "no-reset-hard", "source": "t", "action": "deny", "on_mismatch": null,
                    "matcher": "prefix", "pattern": "git reset", "normalized_pattern": "git reset",
                    "conditions": {"mode": "all", "conditions": []}, "platform_action": "deny",
                    "shell_entry": "git reset", "bash_entry": "git reset",
                    "refinements": {"flags": ["--hard"]}}]})
            .to_string(),
        )
        .unwrap();
        std::fs::write(
            g.path("manifest.json"),
            serde_json::json!({"schema_version": 1, "bundle_path": bundle}).to_string(),
        )
        .unwrap();
        std::fs::create_dir_all(g.repo()).unwrap();
        for args in [
            &["init", "-q", "-b", "main"][..],
            &["commit", "-q", "--allow-empty", "-m", "i"],
        ] {
            let ok = Command::new("git")
                .args(args)
                .current_dir(g.repo())
                .env("HOME", g.tmp.path())
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .status()
                .unwrap();
            assert!(ok.success());
        }
        g
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn guards(&self) -> PathBuf {
        self.path(".local/share/policy-exec/guards")
    }

    fn repo(&self) -> PathBuf {
        self.path("repo")
    }

    /// Runs a script through the shim, in the repository.
    fn shell(&self, script: &str, stdin: &str) -> Output {
        let mut child = Command::new(self.path("shims/bash"))
            .args(["-c", script])
            .current_dir(self.repo())
            .env_clear()
            .env("HOME", self.tmp.path())
            .env("PATH", "/usr/bin:/bin:/usr/local/bin")
            .env("POLICY_EXEC_MANIFEST", self.path("manifest.json"))
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[rstest::rstest]
#[case::script_file("printf 'git reset --hard\\n' > s.sh; bash s.sh")]
#[case::makefile("printf 'all:\\n\\tgit reset --hard\\n' > Makefile; make -s")]
#[case::xargs("printf 'reset\\n--hard\\n' | xargs git")]
#[case::python_script(
    "printf 'import subprocess\\nsubprocess.run([\"git\", \"reset\", \"--hard\"], check=True)\\n' > x.py; python3 x.py"
)]
#[case::computed_name("g=gi; g=${g}t; $g reset --hard")]
fn a_guarded_git_reset_hard_is_refused_at_exec_time(#[case] script: &str) {
    let g = Guarded::new();
    let o = g.shell(script, "");
    let err = text(&o.stderr);
    // Refused by the guard at exec time, or already by the shell: it sees that `$g` could
    // be git, and reads the code the script writes to x.py.
    assert!(
        err.contains("policy-exec: denied: `git reset --hard`")
            || err.contains("policy-exec: needs approval: `$g reset --hard`")
            || err.contains("policy-exec: needs approval: `git reset --hard`"),
        "{script}: {err}"
    );
    assert_ne!(o.status.code(), Some(0), "{script}");
}

#[rstest::rstest]
#[case::script_file("printf 'git rev-parse --is-inside-work-tree\\n' > s.sh; bash s.sh")]
#[case::makefile("printf 'all:\\n\\tgit rev-parse --is-inside-work-tree\\n' > Makefile; make -s")]
#[case::xargs("printf -- '--is-inside-work-tree\\n' | xargs git rev-parse")]
#[case::computed_name("g=gi; g=${g}t; $g rev-parse --is-inside-work-tree")]
fn a_guarded_harmless_git_runs_normally(#[case] script: &str) {
    let g = Guarded::new();
    let o = g.shell(script, "");
    assert_eq!(
        text(&o.stdout).trim(),
        "true",
        "{script}: {}",
        text(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn exit_codes_and_stdin_pass_through_a_guarded_exec() {
    let g = Guarded::new();
    let o = g.shell("bash -c 'git hash-object --stdin'", "hello\n");
    assert_eq!(
        text(&o.stdout).trim(),
        "ce013625030ba8dba906f756967f9e9ca394464a",
        "{}",
        text(&o.stderr)
    );
    let o = g.shell(
        "bash -c 'git rev-parse --verify nope 2>/dev/null; echo $?'",
        "",
    );
    assert_eq!(text(&o.stdout).trim(), "128");
}

#[test]
fn a_guard_with_no_real_program_behind_it_is_a_clear_error() {
    let g = Guarded::new();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_policy-exec"),
        g.guards().join("nosuchprog"),
    )
    .unwrap();
    let o = g.shell("bash -c nosuchprog", "");
    assert_eq!(o.status.code(), Some(127));
    assert!(
        text(&o.stderr).contains("no real `nosuchprog` on PATH"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_guard_that_only_finds_itself_on_path_is_a_clear_error_not_a_loop() {
    let g = Guarded::new();
    // A second directory with another link to us as `git`, after the guards.
    let other = g.path("other");
    std::fs::create_dir_all(&other).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_policy-exec"), other.join("git")).unwrap();
    let o = Command::new(g.guards().join("git"))
        .arg("status")
        .env_clear()
        .env(
            "PATH",
            format!("{}:{}", g.guards().display(), other.display()),
        )
        .env("HOME", g.tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(127));
    assert!(
        text(&o.stderr).contains("no real `git` on PATH"),
        "{}",
        text(&o.stderr)
    );
}
