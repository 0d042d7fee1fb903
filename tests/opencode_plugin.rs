//! The OpenCode plugin (`shims/opencode/policy-exec.js`) run by real Node against the
//! real binary: it lets a call through only on an allow or no opinion, and throws — which
//! blocks the call in OpenCode and shows the message to the model — on a deny, a
//! request, and every way of not getting a clear answer (no program, a non-zero exit,
//! an unreadable reply). The plugin is loaded as OpenCode loads it (an ES module whose
//! export is called with the project directory), with its COMMAND line rewritten as
//! `sync --apply --hooks` rewrites it.
//!
//! Skipped, saying so on stderr, where `node` is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rstest::rstest;
use serde_json::json;

/// Node, if installed.
fn node() -> Option<PathBuf> {
    ["/usr/bin/node", "/usr/local/bin/node"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// A temp directory holding the plugin with `command` as its COMMAND, a bundle, and a
/// driver that calls the plugin's `tool.execute.before` once.
struct Plugin {
    dir: tempfile::TempDir,
}

impl Plugin {
    fn new(command: impl FnOnce(&Path) -> Vec<String>) -> Plugin {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("policy-wrapper-rules.json");
        let rules: Vec<_> = [
            ("status-ok", "allow", "git status"),
            ("no-reset-hard", "deny", "git reset --hard"),
            ("sudo-asks", "request", "sudo"),
        ]
        .iter()
        .map(|(id, action, pattern)| {
            json!({
                "id": id, "source": "command_rules", "action": action,
                "on_mismatch": null, "matcher": "prefix", "pattern": pattern,
                "normalized_pattern": pattern,
                "conditions": {"mode": "all", "conditions": []},
                "platform_action": action, "shell_entry": pattern, "bash_entry": pattern,
                "reason": format!("{id} says so"),
            })
        })
        .collect();
        std::fs::write(
            &bundle,
            json!({"schema_version": 1, "required_conditions": [], "commands": rules}).to_string(),
        )
        .unwrap();
        let source = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("shims/opencode/policy-exec.js"),
        )
        .unwrap();
        let line = format!("const COMMAND = {};", json!(command(&bundle)));
        let mut replaced = 0;
        let text: Vec<String> = source
            .lines()
            .map(|l| {
                if l.starts_with("const COMMAND = ") {
                    replaced += 1;
                    line.clone()
                } else {
                    l.to_string()
                }
            })
            .collect();
        assert_eq!(replaced, 1, "the plugin has one COMMAND line");
        std::fs::write(dir.path().join("policy-exec.js"), text.join("\n")).unwrap();
        std::fs::write(
            dir.path().join("driver.mjs"),
            r#"import { PolicyExec } from "./policy-exec.js";
const [tool, command, directory] = process.argv.slice(2);
const hooks = await PolicyExec({ directory });
try {
  await hooks["tool.execute.before"]({ tool, sessionID: "ses_1", callID: "call_1" },
                                     { args: { command, description: "d" } });
  console.log("PASSED");
} catch (e) {
  console.log("THREW " + e.message);
}
"#,
        )
        .unwrap();
        Plugin { dir }
    }

    /// The policy-exec binary judging with the test bundle.
    fn ours() -> Plugin {
        Plugin::new(|bundle| {
            vec![
                env!("CARGO_BIN_EXE_policy-exec").to_string(),
                "hook".into(),
                "opencode".into(),
                "--bundle".into(),
                bundle.display().to_string(),
            ]
        })
    }

    /// Runs the driver for one call; `PASSED` or `THREW <message>`.
    fn call(&self, node: &Path, tool: &str, command: &str) -> String {
        let out = Command::new(node)
            .arg(self.dir.path().join("driver.mjs"))
            .args([tool, command, "/"])
            .env_clear()
            .env("HOME", self.dir.path())
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "node failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

#[rstest]
#[case::allowed_by_a_rule("bash", "git status --short", "PASSED")]
#[case::no_rule_speaks_for_it("bash", "ls -la", "PASSED")]
#[case::another_tool("read", "git reset --hard", "PASSED")]
#[case::denied(
    "bash",
    "git reset --hard",
    "THREW policy-exec: denied: `git reset --hard` — rule no-reset-hard"
)]
#[case::denied_inside_bash_c(
    "bash",
    "bash -c 'git  reset --hard'",
    "THREW policy-exec: denied: `git reset --hard` — rule no-reset-hard"
)]
#[case::request_cannot_be_asked("bash", "sudo ls", "THREW policy-exec: needs approval")]
fn the_plugin_blocks_what_policy_exec_does_not_allow(
    #[case] tool: &str,
    #[case] command: &str,
    #[case] want: &str,
) {
    let Some(node) = node() else {
        eprintln!("skipped: no node installed to load the OpenCode plugin");
        return;
    };
    let got = Plugin::ours().call(&node, tool, command);
    assert!(got.starts_with(want), "{got}");
}

/// Every way of not getting a clear answer blocks the call.
#[rstest]
#[case::program_missing(&["/nonexistent/policy-exec", "hook", "opencode"], "THREW policy-exec: denied: cannot start /nonexistent/policy-exec")]
#[case::non_zero_exit(&["/bin/false"], "THREW policy-exec: denied: policy-exec exited with 1")]
#[case::unreadable_reply(&["/bin/echo", "yes"], "THREW policy-exec: denied: unreadable reply from policy-exec: yes")]
#[case::unknown_decision(&["/bin/echo", r#"{"decision":"maybe"}"#], r#"THREW policy-exec: denied ("maybe")"#)]
fn the_plugin_blocks_when_it_gets_no_clear_answer(#[case] command: &[&str], #[case] want: &str) {
    let Some(node) = node() else {
        eprintln!("skipped: no node installed to load the OpenCode plugin");
        return;
    };
    let plugin = Plugin::new(|_| command.iter().map(ToString::to_string).collect());
    let got = plugin.call(&node, "bash", "ls");
    assert!(got.starts_with(want), "{got}");
}
