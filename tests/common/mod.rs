//! Helpers shared by the integration tests: the binary under test, a minimal policy tree
//! written into a temp directory, and a command's output as text. Each test file that
//! uses them says `mod common;` (cargo builds every file in `tests/` as its own crate,
//! so a helper one of them does not use is dead code there).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

/// The policy-exec binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_policy-exec");

/// Writes a five-file scope tree under `policy_config` (the `policy-config` directory):
/// `system.yaml` with `policy_version`, `scope` and then `system`; user, repo, harness
/// `harness` and task-domain `task_domain` files that only carry a note (so none is
/// empty).
pub fn write_scope_tree(policy_config: &Path, harness: &str, task_domain: &str, system: &str) {
    let files = [
        ("system.yaml".to_string(), "system", system),
        ("user.yaml".to_string(), "user", "notes: u"),
        ("repo.yaml".to_string(), "repo", "notes: r"),
        (format!("harness/{harness}.yaml"), "harness", "notes: h"),
        (
            format!("task-domain/{task_domain}.yaml"),
            "task_domain",
            "notes: d",
        ),
    ];
    for (rel, slot, body) in files {
        let path = policy_config.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("policy_version: v1\nscope: {slot}\n{body}\n")).unwrap();
    }
}

/// A command's stdout then stderr, as text (for assertion messages and searches).
pub fn output_text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The binary with a cleared environment: only `HOME` and the test's `PATH`, run in
/// `cwd` (logs, cache and the installed policy all land under that home).
pub fn policy_exec(home: &Path, cwd: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(cwd)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    c
}

/// Copies a directory tree (the default policy into a test's home).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The Python the pseudo-terminal drivers run with.
pub fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}
