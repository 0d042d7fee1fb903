#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `policy-exec diff` end to end (SPEC §13): two policy trees (or emitted files) built in
//! the test, the real binary, its exit code and report. Every loosening the issue names
//! is widening (exit 1, the flipped command listed); an added or stricter rule is
//! narrowing (exit 0).

use std::path::{Path, PathBuf};
use std::process::Command;

use rstest::rstest;
use serde_json::Value;
use tempfile::TempDir;

/// The base policy: a deny, a request, an "ask if risky" allow, with examples.
const BASE: &str = r#"policy_version: v1
scope: system
enforcement:
  unmatched: allow
  dynamic: request
command_rules:
  - id: no-force-push
    action: deny
    match: {prefix: git push, flags: ["--force"]}
    examples: {match: [git push --force origin main], not_match: [git push origin main]}
  - id: deploy-needs-human
    action: request
    match: {prefix: make deploy}
    examples: {match: [make deploy]}
  - id: checkout-needs-clean
    action: allow
    on_mismatch: request
    conditions: [git_clean_worktree]
    match: {prefix: git checkout}
    examples: {match: [git checkout main]}
path_rules:
  - id: protect-rc
    action: deny
    access: write
    paths: ["~/.bashrc"]
"#;

fn tree(dir: &Path, system: &str) {
    let pc = dir.join("policy-config");
    std::fs::create_dir_all(pc.join("harness")).unwrap();
    std::fs::create_dir_all(pc.join("task-domain")).unwrap();
    std::fs::write(pc.join("system.yaml"), system).unwrap();
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
}

struct Diff {
    tmp: TempDir,
}

impl Diff {
    fn new(changed: &str) -> Diff {
        let d = Diff {
            tmp: tempfile::tempdir().unwrap(),
        };
        tree(&d.path("from"), BASE);
        tree(&d.path("to"), changed);
        std::fs::create_dir_all(d.path("home")).unwrap();
        std::fs::create_dir_all(d.path("log")).unwrap();
        d
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn run(&self, extra: &[&str]) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_policy-exec"))
            .arg("diff")
            .args(extra)
            .arg("--log-dir")
            .arg(self.path("log"))
            .current_dir(self.tmp.path())
            .env_clear()
            .env("HOME", self.path("home"))
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }
}

#[rstest]
#[case::deny_removed(
    BASE.replace("  - id: no-force-push\n    action: deny\n    match: {prefix: git push, flags: [\"--force\"]}\n    examples: {match: [git push --force origin main], not_match: [git push origin main]}\n", ""),
    "command rule no-force-push: removed",
    Some("git push --force origin main")
)]
#[case::deny_to_request(
    BASE.replace("id: no-force-push\n    action: deny", "id: no-force-push\n    action: request"),
    "command rule no-force-push: action deny → request",
    Some("git push --force origin main")
)]
#[case::request_to_allow(
    BASE.replace("id: deploy-needs-human\n    action: request", "id: deploy-needs-human\n    action: allow"),
    "command rule deploy-needs-human: action request → allow",
    Some("make deploy")
)]
#[case::condition_dropped(
    BASE.replace("    conditions: [git_clean_worktree]\n", "    conditions: []\n"),
    "command rule checkout-needs-clean: conditions dropped",
    None
)]
#[case::on_mismatch_loosened(
    BASE.replace("on_mismatch: request", "on_mismatch: allow"),
    "on_mismatch request → allow",
    None
)]
#[case::allow_added_while_unmatched_requests(
    BASE.replace("unmatched: allow", "unmatched: request").replace(
        "command_rules:\n",
        "command_rules:\n  - id: allow-curl\n    action: allow\n    match: {prefix: curl}\n    examples: {match: [curl https://x.example]}\n"
    ),
    "command rule allow-curl: added: it allows commands while enforcement.unmatched is request",
    None
)]
#[case::unmatched_loosened(
    BASE.replace("dynamic: request", "dynamic: allow"),
    "enforcement.dynamic: request → allow",
    None
)]
#[case::path_rule_removed(
    BASE.replace("path_rules:\n  - id: protect-rc\n    action: deny\n    access: write\n    paths: [\"~/.bashrc\"]\n", ""),
    "path rule protect-rc: removed",
    None
)]
fn a_loosened_policy_is_widening(
    #[case] changed: String,
    #[case] named: &str,
    #[case] flips: Option<&str>,
) {
    assert_ne!(changed, BASE, "the case must change the policy");
    let d = Diff::new(&changed);
    let (code, text) = d.run(&["from", "to", "--replay-days", "0"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("WIDENING"), "{text}");
    assert!(text.contains(named), "{text}");
    if let Some(cmd) = flips {
        assert!(
            text.contains(&format!("flips toward allow: `{cmd}`")),
            "{text}"
        );
    }
}

#[test]
fn a_loosened_unmatched_flips_the_examples_of_other_rules() {
    let d = Diff::new(&BASE.replace("unmatched: allow", "unmatched: request"));
    // From request to allow is the widening direction: swap the sides.
    let (code, text) = d.run(&["to", "from", "--replay-days", "0"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("enforcement.unmatched: request → allow"),
        "{text}"
    );
    assert!(
        text.contains("flips toward allow: `git push origin main` request → allow"),
        "{text}"
    );
}

#[rstest]
#[case::rule_added(BASE.replace(
    "command_rules:\n",
    "command_rules:\n  - id: no-rm-root\n    action: deny\n    match: {prefix: rm -rf /}\n    examples: {match: [rm -rf /]}\n"
))]
#[case::request_made_deny(
    BASE.replace("id: deploy-needs-human\n    action: request", "id: deploy-needs-human\n    action: deny")
)]
#[case::path_added(BASE.replace("paths: [\"~/.bashrc\"]", "paths: [\"~/.bashrc\", \"~/.profile\"]"))]
#[case::unchanged(BASE.to_string())]
fn an_added_or_stricter_rule_is_narrowing(#[case] changed: String) {
    let d = Diff::new(&changed);
    let (code, text) = d.run(&["from", "to", "--replay-days", "0"]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("WIDENING"), "{text}");
    assert!(text.contains("nothing widens"), "{text}");
}

#[test]
fn logged_commands_are_replayed_and_emitted_files_compare_like_trees() {
    let d = Diff::new(&BASE.replace(
        "id: deploy-needs-human\n    action: request",
        "id: deploy-needs-human\n    action: allow",
    ));
    // A logged command no example covers.
    std::fs::write(
        d.path("log/decisions-2999-01-01.jsonl"),
        "{\"v\":1,\"id\":\"a\",\"ts\":\"2999-01-01T00:00:00.000Z\",\"mode\":\"shell\",\"decision\":\"request\",\"script\":\"make deploy STAGE=prod\",\"cwd\":\"/\"}\n",
    )
    .unwrap();
    for side in ["from", "to"] {
        let out = Command::new(env!("CARGO_BIN_EXE_policy-exec"))
            .args(["resolve", "--root"])
            .arg(d.path(side))
            .args(["--harness", "default", "--task-domain", "default", "--emit"])
            .arg(d.path(&format!("{side}.json")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (code, text) = d.run(&["from.json", "to.json", "--json"]);
    assert_eq!(code, 1, "{text}");
    let v: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["widening"], true);
    let flips: Vec<(String, String)> = v["flips_toward_allow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["command"].as_str().unwrap().to_string(),
                f["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        flips.contains(&(
            "make deploy STAGE=prod".to_string(),
            "log 2999-01-01".to_string()
        )),
        "{flips:?}"
    );
    // Without the log, the logged command is not replayed.
    let (_, text) = d.run(&["from.json", "to.json", "--replay-days", "0"]);
    assert!(!text.contains("STAGE=prod"), "{text}");
}

#[test]
fn an_unreadable_side_is_an_error_not_a_pass() {
    let d = Diff::new(BASE);
    let (code, text) = d.run(&["from", "missing.json"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("missing.json"), "{text}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_loosened_default_rule_that_a_pack_still_holds_is_widening_without_a_flip() {
    let d = Diff::new(BASE);
    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/default");
    copy_tree(&default, &d.path("a"));
    copy_tree(&default, &d.path("b"));
    let system = d.path("b/policy-config/system.yaml");
    let text = std::fs::read_to_string(&system).unwrap().replacen(
        "  - id: no-reset-hard\n    action: deny",
        "  - id: no-reset-hard\n    action: request",
        1,
    );
    std::fs::write(&system, text).unwrap();
    let (code, text) = d.run(&["a", "b", "--replay-days", "0"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("WIDENING  command rule no-reset-hard: action deny → request"),
        "{text}"
    );
    // The git pack's equal rule comes out from behind it: not a narrowing, and it keeps
    // `git reset --hard` denied, so nothing flips.
    assert!(
        text.contains("neutral   command rule git/no-reset-hard: in force before"),
        "{text}"
    );
    assert!(
        text.contains("no replayed command flips toward allow"),
        "{text}"
    );
}
