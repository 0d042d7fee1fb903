#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `validate`, `versions`, `snapshot` and `init`, driven through the real binary on
//! policy trees built in temp dirs: every exit code, the schema's pointers, drift
//! reports, and the `init` scaffold resolving and validating as written.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rstest::rstest;
use serde_json::Value;
use tempfile::TempDir;

/// The five required scopes with nothing but their header.
const MINIMAL: [(&str, &str); 5] = [
    ("system.yaml", "policy_version: v1\nscope: system\n"),
    ("user.yaml", "policy_version: v1\nscope: user\n"),
    ("repo.yaml", "policy_version: v1\nscope: repo\n"),
    ("harness/codex.yaml", "policy_version: v1\nscope: harness\n"),
    (
        "task-domain/deployment.yaml",
        "policy_version: v1\nscope: task_domain\n",
    ),
];

/// A repo rule using every extension: refinements, nested conditions, examples.
const RICH_RULES: &str = r#"command_rules:
  - id: no-force-push
    action: deny
    reason: force pushes rewrite history
    match: {prefix: git push, flags: [--force, -f], unless_flags: [--dry-run]}
    examples:
      match: [git push -f origin main]
      not_match: [git push origin main, git push --dry-run -f]
  - id: checkout-clean
    action: allow
    on_mismatch: request
    match: {prefix: git checkout, args: ["*"]}
    conditions:
      all:
        - git_is_worktree
        - any:
            - {name: git_clean_worktree, required: false}
            - mode: all
              conditions: [[git_synced_to_upstream]]
"#;

/// A policy tree in a temp dir, plus helpers to run the binary against it.
struct Tree {
    dir: TempDir,
}

/// What the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

impl Tree {
    fn empty() -> Tree {
        Tree {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn minimal() -> Tree {
        MINIMAL
            .iter()
            .fold(Tree::empty(), |tree, (rel, text)| tree.with(rel, text))
    }

    /// Writes `policy-config/<rel>`.
    fn with(self, rel: &str, text: &str) -> Tree {
        let path = self.config(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Appends to `policy-config/<rel>`.
    fn append(self, rel: &str, text: &str) -> Tree {
        let old = fs::read_to_string(self.config(rel)).unwrap();
        self.with(rel, &(old + text))
    }

    fn root(&self) -> PathBuf {
        fs::canonicalize(self.dir.path()).unwrap()
    }

    fn config(&self, rel: &str) -> PathBuf {
        self.dir.path().join("policy-config").join(rel)
    }

    /// Runs `policy-exec <args>`, with `{root}` replaced by the tree's root.
    fn run(&self, args: &[&str]) -> Run {
        let root = self.root().display().to_string();
        let args: Vec<String> = args.iter().map(|a| a.replace("{root}", &root)).collect();
        let out: Output = Command::new(env!("CARGO_BIN_EXE_policy-exec"))
            .args(&args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("HOME", self.dir.path())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn snapshot(&self, extra: &[&str]) -> Run {
        let mut args = vec![
            "snapshot",
            "--root",
            "{root}",
            "--harness",
            "codex",
            "--task-domain",
            "deployment",
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn canonical(&self) -> PathBuf {
        self.config("snapshots/policy_snapshot_codex_deployment.json")
    }
}

// ---------------------------------------------------------------- validate

#[test]
fn a_valid_tree_with_every_extension_validates() {
    let tree = Tree::minimal()
        .append("repo.yaml", RICH_RULES)
        .append(
            "system.yaml",
            "enforcement:\n  unmatched: allow\n  dynamic: request\n  prompt_timeout_seconds: 30\n  shells: {bash: /bin/bash}\n  guards: [git, rm]\n",
        );
    let run = tree.run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("ok: 5 scope files valid"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_shipped_default_policy_validates_strictly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/default");
    let run = Tree::empty().run(&["validate", "--root", root.to_str().unwrap(), "--strict"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[rstest]
#[case::nested_lists("[[git_is_worktree, [git_clean_worktree]]]")]
#[case::all_any_mode("{all: [{any: [{mode: any, conditions: [{all: [git_clean_worktree]}]}]}]}")]
#[case::optional_leaf("{any: [{name: git_clean_worktree, required: false}, git_is_worktree]}")]
#[case::bare_name("git_synced_to_upstream")]
fn the_schema_accepts_nested_conditions(#[case] conditions: &str) {
    let rule = format!(
        "command_rules:\n  - action: allow\n    on_mismatch: deny\n    match: {{prefix: git pull}}\n    conditions: {conditions}\n"
    );
    let run = Tree::minimal()
        .append("repo.yaml", &rule)
        .run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[rstest]
#[case::action_typo("acton: deny\n    match: x", "/command_rules/0", "`acton`")]
#[case::refinement_typo(
    "action: deny\n    match: {prefix: x, flagz: []}",
    "/command_rules/0/match",
    "`flagz`"
)]
#[case::two_matchers(
    "action: deny\n    match: {prefix: x, glob: y}",
    "/command_rules/0/match",
    "exactly one of exact, prefix, glob"
)]
#[case::bad_action("action: alow\n    match: x", "/command_rules/0/action", "`alow`")]
#[case::bad_mode(
    "action: deny\n    match: x\n    conditions: {mode: some, conditions: []}",
    "/command_rules/0/conditions/mode",
    "`some`"
)]
#[case::nested_required_not_bool(
    "action: deny\n    match: x\n    conditions: {all: [{any: [{name: git_is_worktree, required: maybe}]}]}",
    "/command_rules/0/conditions/all/0/any/0/required",
    "boolean"
)]
#[case::examples_typo(
    "action: deny\n    match: x\n    examples: {matches: [x]}",
    "/command_rules/0/examples",
    "`matches`"
)]
fn the_schema_rejects_typos_with_a_pointer(
    #[case] rule: &str,
    #[case] pointer: &str,
    #[case] needle: &str,
) {
    let tree = Tree::minimal().append("repo.yaml", &format!("command_rules:\n  - {rule}\n"));
    let run = tree.run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(&format!("at `{pointer}`:")) && l.contains(needle))
        .unwrap_or_else(|| panic!("no error at {pointer} about {needle}: {}", run.stderr));
    assert!(line.contains("repo.yaml"), "{line}");
    assert!(line.contains("schema error"), "{line}");
}

#[test]
fn the_json_report_lists_each_error_with_file_pointer_and_kind() {
    let tree = Tree::minimal().append(
        "system.yaml",
        "enforcement: {unmatched: maybe, prompt_timeout: 3}\n",
    );
    let run = tree.run(&["validate", "--root", "{root}", "--json"]);
    assert_eq!(run.code, 5);
    let report = run.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["exit_code"], 5);
    assert_eq!(report["checked"], 5);
    let system = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["scope"] == "system")
        .unwrap();
    assert_eq!(system["ok"], false);
    let pointers: Vec<&str> = system["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/enforcement", "/enforcement/unmatched"]);
    assert_eq!(system["errors"][0]["kind"], "schema");
    assert!(
        system["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("prompt_timeout_seconds")
    );
}

#[rstest]
#[case::unknown_predicate(
    "  - action: allow\n    on_mismatch: deny\n    match: x\n    conditions: [{all: [git_is_wortree]}]\n",
    "/command_rules/0/conditions/0/all/0",
    "unknown predicate `git_is_wortree`"
)]
#[case::empty_prefix(
    "  - action: deny\n    match: {prefix: '  '}\n",
    "/command_rules/0/match/prefix",
    "is empty"
)]
#[case::example_disagrees(
    "  - id: fp\n    action: deny\n    match: {prefix: git push, flags: [--force]}\n    examples: {match: [git push origin]}\n",
    "/command_rules/0/examples",
    "example `git push origin` does not match"
)]
#[case::not_match_matches(
    "  - id: fp\n    action: deny\n    match: {prefix: git push}\n    examples: {not_match: [git push -f]}\n",
    "/command_rules/0/examples",
    "listed under not_match"
)]
#[case::duplicate_id(
    "  - {id: a, action: deny, match: x}\n  - {id: a, action: deny, match: y}\n",
    "/command_rules/1/id",
    "id `a` is already used"
)]
fn semantic_failures_exit_5_with_a_pointer(
    #[case] rules: &str,
    #[case] pointer: &str,
    #[case] needle: &str,
) {
    let tree = Tree::minimal().append("repo.yaml", &format!("command_rules:\n{rules}"));
    let run = tree.run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(&format!("at `{pointer}`:")))
        .unwrap_or_else(|| panic!("no error at {pointer}: {}", run.stderr));
    assert!(line.contains("semantic error"), "{line}");
    assert!(line.contains(needle), "{line}");
}

#[test]
fn a_scope_key_that_does_not_match_its_slot_is_a_semantic_failure() {
    let run = Tree::minimal()
        .with("user.yaml", "policy_version: v1\nscope: repo\n")
        .run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 5);
    assert!(run.stderr.contains("at `/scope`"), "{}", run.stderr);
}

#[test]
fn unparseable_yaml_is_an_invalid_file() {
    let run = Tree::minimal()
        .with("repo.yaml", "policy_version: v1\nscope: [repo\n")
        .run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 5);
    assert!(run.stderr.contains("parse error"), "{}", run.stderr);
    assert!(run.stderr.contains("repo.yaml"), "{}", run.stderr);
}

#[test]
fn a_missing_required_file_exits_4_unless_allowed() {
    let tree = Tree::minimal();
    fs::remove_file(tree.config("user.yaml")).unwrap();
    let run = tree.run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 4);
    assert!(run.stderr.contains("user.yaml"), "{}", run.stderr);
    let run = tree.run(&["validate", "--root", "{root}", "--allow-missing", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["missing"][0]["scope"], "user");
}

#[test]
fn a_root_without_policy_config_is_missing() {
    let run = Tree::empty().run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 4);
    assert!(run.stderr.contains("policy-exec init"), "{}", run.stderr);
}

#[test]
fn dropped_denies_warn_and_fail_with_strict() {
    let tree = Tree::minimal()
        .append("system.yaml", "commands:\n  deny: [\"git reset --hard\"]\n")
        .append("repo.yaml", "commands:\n  deny: [\"rm -rf /\"]\n");
    let run = tree.run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("drops `git reset --hard`"),
        "{}",
        run.stderr
    );
    let run = tree.run(&["validate", "--root", "{root}", "--strict", "--json"]);
    assert_eq!(run.code, 5);
    let report = run.json();
    assert_eq!(report["warnings"][0]["entry"], "git reset --hard");
    assert_eq!(report["warnings"][0]["list"], "deny");
}

#[test]
fn input_files_are_validated_alone() {
    let tree = Tree::minimal().with(
        "extra/broken.yaml",
        "policy_version: v1\nscope: repo\ncomands: {}\n",
    );
    let good = tree.config("repo.yaml").display().to_string();
    let bad = tree.config("extra/broken.yaml").display().to_string();
    assert_eq!(tree.run(&["validate", "--input", &good]).code, 0);
    let run = tree.run(&["validate", "--input", &good, "--input", &bad]);
    assert_eq!(run.code, 5);
    assert!(run.stderr.contains("`comands`"), "{}", run.stderr);
    let run = tree.run(&["validate", "--input", "/nonexistent/x.yaml"]);
    assert_eq!(run.code, 4);
}

#[test]
fn validate_argument_errors_exit_2() {
    assert_eq!(Tree::minimal().run(&["validate", "--bogus"]).code, 2);
}

#[test]
fn an_unlistable_scope_directory_is_internal_for_validate_and_versions() {
    // `task-instance` is a file, so it cannot be listed as a directory.
    let tree = Tree::minimal().with("task-instance", "not a directory\n");
    assert_eq!(tree.run(&["validate", "--root", "{root}"]).code, 10);
    assert_eq!(tree.run(&["versions", "--root", "{root}"]).code, 10);
}

// ---------------------------------------------------------------- versions

#[rstest]
#[case::all_v1(&[], &[], 0)]
#[case::missing_version(&[("user.yaml", "scope: user\n")], &[], 2)]
#[case::not_allowed(&[("repo.yaml", "policy_version: v2\nscope: repo\n")], &[], 4)]
#[case::unparseable(&[("repo.yaml", "policy_version: [v1\n")], &[], 4)]
#[case::not_a_string(&[("repo.yaml", "policy_version: 1\nscope: repo\n")], &[], 4)]
#[case::mixed(&[("repo.yaml", "policy_version: v2\nscope: repo\n")], &["--allowed", "v1,v2"], 5)]
#[case::allowed_v2(
    &[("system.yaml", "policy_version: v2\nscope: system\n"),
      ("user.yaml", "policy_version: v2\nscope: user\n"),
      ("repo.yaml", "policy_version: v2\nscope: repo\n"),
      ("harness/codex.yaml", "policy_version: v2\nscope: harness\n"),
      ("task-domain/deployment.yaml", "policy_version: v2\nscope: task_domain\n")],
    &["--allowed", "v2"],
    0
)]
fn versions_exit_codes(
    #[case] files: &[(&str, &str)],
    #[case] extra: &[&str],
    #[case] expected: i32,
) {
    let tree = files
        .iter()
        .fold(Tree::minimal(), |tree, (rel, text)| tree.with(rel, text));
    let mut args = vec!["versions", "--root", "{root}"];
    args.extend_from_slice(extra);
    let run = tree.run(&args);
    assert_eq!(run.code, expected, "{}{}", run.stdout, run.stderr);
}

#[test]
fn versions_reports_observed_and_missing_in_json() {
    let tree = Tree::minimal()
        .with("repo.yaml", "policy_version: v2\nscope: repo\n")
        .with("user.yaml", "scope: user\n");
    let run = tree.run(&[
        "versions",
        "--root",
        "{root}",
        "--json",
        "--allowed",
        "v1,v2",
    ]);
    assert_eq!(run.code, 2);
    let report = run.json();
    assert_eq!(report["allowed_versions"], serde_json::json!(["v1", "v2"]));
    assert_eq!(
        report["observed_versions"]["v1"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        report["observed_versions"]["v2"].as_array().unwrap().len(),
        1
    );
    let missing = report["missing_required"].as_array().unwrap();
    assert_eq!(missing.len(), 1);
    assert!(missing[0].as_str().unwrap().ends_with("user.yaml"));
    assert_eq!(report["files"].as_array().unwrap().len(), 5);
}

#[test]
fn versions_with_no_files_exits_3() {
    assert_eq!(Tree::empty().run(&["versions", "--root", "{root}"]).code, 3);
    let tree = Tree::empty().with("snapshots/x.json", "{}");
    assert_eq!(tree.run(&["versions", "--root", "{root}"]).code, 3);
}

// ---------------------------------------------------------------- snapshot

/// The policy_hash `resolve` gives the tree.
fn resolved_hash(tree: &Tree) -> String {
    let run = tree.run(&[
        "resolve",
        "--root",
        "{root}",
        "--harness",
        "codex",
        "--task-domain",
        "deployment",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()["policy"]["policy_hash"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_canonical_snapshot_has_the_reference_shape_byte_for_byte() {
    let tree = Tree::minimal().append("repo.yaml", RICH_RULES);
    let run = tree.snapshot(&["--write-canonical"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hash = resolved_hash(&tree);
    let mut expected = format!("{{\n  \"policy_hash\": \"{hash}\",\n  \"scopes\": [\n");
    let scopes = [
        ("policy-config/system.yaml", "system"),
        ("policy-config/user.yaml", "user"),
        ("policy-config/repo.yaml", "repo"),
        ("policy-config/harness/codex.yaml", "harness"),
        ("policy-config/task-domain/deployment.yaml", "task_domain"),
    ];
    let items: Vec<String> = scopes
        .iter()
        .map(|(path, scope)| {
            format!("    {{\n      \"path\": \"{path}\",\n      \"scope\": \"{scope}\"\n    }}")
        })
        .collect();
    expected.push_str(&items.join(",\n"));
    expected.push_str("\n  ]\n}\n");
    assert_eq!(fs::read_to_string(tree.canonical()).unwrap(), expected);
    // Printing and --output give the same bytes.
    assert_eq!(tree.snapshot(&[]).stdout, expected);
    let out = tree.root().join("out/snap.json");
    let run = tree.snapshot(&["--output", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(fs::read_to_string(out).unwrap(), expected);
}

#[test]
fn check_existing_passes_on_an_unchanged_policy() {
    let tree = Tree::minimal().append("repo.yaml", RICH_RULES);
    assert_eq!(tree.snapshot(&["--write-canonical"]).code, 0);
    let run = tree.snapshot(&["--check-existing"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = tree.snapshot(&["--validate-canonical", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["status"], "ok");
}

#[test]
fn changing_one_rule_is_drift_with_hashes_and_the_first_differing_key() {
    let tree = Tree::minimal().append("repo.yaml", RICH_RULES);
    assert_eq!(tree.snapshot(&["--write-canonical"]).code, 0);
    let before = resolved_hash(&tree);
    let text = fs::read_to_string(tree.config("repo.yaml")).unwrap();
    let tree = tree.with(
        "repo.yaml",
        &text.replace("on_mismatch: request", "on_mismatch: deny"),
    );
    let after = resolved_hash(&tree);
    assert_ne!(before, after);

    let run = tree.snapshot(&["--check-existing"]);
    assert_eq!(run.code, 11, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("expected policy_hash {before}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("actual {after}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("first differs at `/command_rules/1/on_mismatch`"),
        "{}",
        run.stderr
    );

    let report = tree.snapshot(&["--check-existing", "--json"]).json();
    assert_eq!(report["status"], "drift");
    let check = &report["checked"][0];
    assert_eq!(check["expected_hash"], before.as_str());
    assert_eq!(check["actual_hash"], after.as_str());
    assert_eq!(
        check["first_difference"]["pointer"],
        "/command_rules/1/on_mismatch"
    );
    assert_eq!(check["first_difference"]["expected"], "request");
    assert_eq!(check["first_difference"]["actual"], "deny");
    // Nothing was rewritten by checking.
    assert!(
        fs::read_to_string(tree.canonical())
            .unwrap()
            .contains(&before)
    );
}

#[test]
fn drift_without_the_saved_policy_still_names_both_hashes() {
    let tree = Tree::minimal();
    assert_eq!(tree.snapshot(&["--write-canonical"]).code, 0);
    fs::remove_file(tree.config("snapshots/policy_resolved_codex_deployment.json")).unwrap();
    let tree = tree.append("repo.yaml", "commands:\n  allow: [\"ls *\"]\n");
    let run = tree.snapshot(&["--check-existing", "--json"]);
    assert_eq!(run.code, 11);
    let check = &run.json()["checked"][0];
    assert!(check["first_difference"].is_null());
    assert!(check["message"].as_str().unwrap().contains("unknown"));
}

#[test]
fn validate_canonical_checks_every_stored_snapshot() {
    let tree = Tree::minimal().with(
        "task-domain/query.yaml",
        "policy_version: v1\nscope: task_domain\n",
    );
    assert_eq!(tree.snapshot(&["--write-canonical"]).code, 0);
    let run = tree.run(&[
        "snapshot",
        "--root",
        "{root}",
        "--harness",
        "codex",
        "--task-domain",
        "query",
        "--write-canonical",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(tree.snapshot(&["--validate-canonical"]).code, 0);
    // Only the query chain changes; validating from the deployment chain still sees it.
    let tree = tree.append("task-domain/query.yaml", "commands:\n  allow: [\"ls\"]\n");
    let run = tree.snapshot(&["--validate-canonical", "--json"]);
    assert_eq!(run.code, 11, "{}", run.stdout);
    let checked = run.json()["checked"].as_array().unwrap().clone();
    assert_eq!(checked.len(), 2);
    assert_eq!(checked[0]["status"], "ok");
    assert_eq!(checked[1]["status"], "drift");
    assert_eq!(checked[1]["first_difference"]["pointer"], "/commands");
}

#[test]
fn a_missing_snapshot_exits_12() {
    let tree = Tree::minimal();
    let run = tree.snapshot(&["--check-existing"]);
    assert_eq!(run.code, 12);
    assert!(run.stderr.contains("--write-canonical"), "{}", run.stderr);
    assert_eq!(tree.snapshot(&["--validate-canonical"]).code, 12);
}

#[rstest]
#[case::not_json("{\"policy_hash\": ")]
#[case::no_hash("{\"scopes\": []}\n")]
#[case::short_hash("{\"policy_hash\": \"abc\", \"scopes\": []}\n")]
#[case::bad_scopes(
    "{\"policy_hash\": \"0000000000000000000000000000000000000000000000000000000000000000\", \"scopes\": [{\"path\": 1}]}\n"
)]
#[case::extra_key(
    "{\"policy_hash\": \"0000000000000000000000000000000000000000000000000000000000000000\", \"scopes\": [], \"policy\": {}}\n"
)]
fn an_invalid_snapshot_exits_13(#[case] text: &str) {
    let tree = Tree::minimal().with("snapshots/policy_snapshot_codex_deployment.json", text);
    let run = tree.snapshot(&["--check-existing"]);
    assert_eq!(run.code, 13, "{}", run.stderr);
}

#[test]
fn a_write_failure_exits_10() {
    let tree = Tree::minimal().with("blocker", "a file, not a directory\n");
    let target = tree.config("blocker/snap.json");
    let run = tree.snapshot(&["--output", target.to_str().unwrap()]);
    assert_eq!(run.code, 10, "{}", run.stderr);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
}

#[test]
fn an_unreadable_scope_file_is_internal_for_snapshot() {
    let tree = Tree::minimal();
    fs::remove_file(tree.config("repo.yaml")).unwrap();
    fs::create_dir(tree.config("repo.yaml")).unwrap();
    assert_eq!(tree.snapshot(&[]).code, 14);
}

#[rstest]
#[case::missing_scope_file("user.yaml", None, 3)]
#[case::invalid_scope_file("user.yaml", Some("policy_version: v1\nscope: repo\n"), 4)]
fn snapshot_exits_like_resolve_when_the_tree_does_not_resolve(
    #[case] rel: &str,
    #[case] text: Option<&str>,
    #[case] code: i32,
) {
    let tree = Tree::minimal();
    match text {
        Some(text) => fs::write(tree.config(rel), text).unwrap(),
        None => fs::remove_file(tree.config(rel)).unwrap(),
    }
    assert_eq!(tree.snapshot(&["--check-existing"]).code, code);
    let bad_name = tree.run(&[
        "snapshot",
        "--root",
        "{root}",
        "--harness",
        "../x",
        "--task-domain",
        "deployment",
    ]);
    assert_eq!(bad_name.code, 2);
}

// ---------------------------------------------------------------- init

#[test]
fn init_scaffolds_a_tree_that_resolves_and_validates_for_every_harness() {
    let tree = Tree::empty();
    let run = tree.run(&["init", "{root}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = tree.run(&["validate", "--root", "{root}", "--strict"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("ok: 9 scope files valid"),
        "{}",
        run.stdout
    );
    // `default` is the harness the installer and shell mode use when none is named.
    for harness in ["default", "codex", "claude", "cursor", "factory-droid"] {
        let run = tree.run(&[
            "resolve",
            "--root",
            "{root}",
            "--harness",
            harness,
            "--task-domain",
            "default",
        ]);
        assert_eq!(run.code, 0, "{harness}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{harness}: {}", run.stderr);
    }
    assert_eq!(tree.run(&["versions", "--root", "{root}"]).code, 0);
}

#[test]
fn the_scaffold_shows_every_rule_feature() {
    let tree = Tree::empty();
    assert_eq!(tree.run(&["init", "{root}"]).code, 0);
    let mut all = String::new();
    for rel in ["system.yaml", "repo.yaml", "task-domain/default.yaml"] {
        all.push_str(&fs::read_to_string(tree.config(rel)).unwrap());
    }
    for needle in [
        "exact:",
        "prefix:",
        "glob:",
        "flags:",
        "args:",
        "unless_flags:",
        "all:",
        "any:",
        "mode: all",
        "required: false",
        "on_mismatch:",
        "examples:",
        "not_match:",
        "enforcement:",
        "unmatched:",
        "dynamic:",
        "  deny:",
        "  require:",
        "  allow:",
    ] {
        assert!(all.contains(needle), "the scaffold has no `{needle}`");
    }
}

#[test]
fn the_scaffold_policy_decides_as_its_comments_say() {
    let tree = Tree::empty();
    assert_eq!(tree.run(&["init", "{root}"]).code, 0);
    let check = |cmd: &str| {
        tree.run(&[
            "check",
            "--root",
            "{root}",
            "--harness",
            "codex",
            "--task-domain",
            "default",
            "--command",
            cmd,
        ])
        .code
    };
    assert_eq!(check("git push --force origin main"), 2);
    assert_eq!(check("terraform destroy -auto-approve"), 2);
    assert_eq!(check("terraform destroy"), 1);
    assert_eq!(check("git reset --hard"), 1);
    assert_eq!(check("ls -la"), 0);
}

#[test]
fn init_refuses_an_existing_policy_config_unless_forced() {
    let tree = Tree::minimal();
    let run = tree.run(&["init", "{root}"]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    // Nothing was written.
    assert!(!tree.config("harness/claude.yaml").exists());
    let run = tree.run(&["init", "{root}", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(tree.config("harness/claude.yaml").exists());
}

#[test]
fn init_defaults_to_the_current_directory() {
    let tree = Tree::empty();
    let run = tree.run(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(Path::new(&tree.config("system.yaml")).is_file());
}

// ---------------------------------------------------------------------------------------
// Regressions from a review of the governance commands
// ---------------------------------------------------------------------------------------

/// `static-deny:` + first 8 hex of sha1("rm -rf .git"): the id the deny entry gets.
const RM_GIT_ID: &str = "static-deny:bc2f3fab";

#[test]
fn a_rule_taking_a_deny_entrys_id_is_refused_not_allowed_to_replace_it() {
    let tree = Tree::minimal()
        .append("system.yaml", "commands:\n  deny: [\"rm -rf .git\"]\n")
        .append(
            "task-domain/deployment.yaml",
            &format!(
                "command_rules:\n  - id: \"{RM_GIT_ID}\"\n    action: allow\n    match: {{exact: \"true\"}}\n"
            ),
        );
    let resolve = tree.run(&[
        "resolve",
        "--root",
        "{root}",
        "--harness",
        "codex",
        "--task-domain",
        "deployment",
    ]);
    assert_eq!(resolve.code, 4, "{}", resolve.stderr);
    assert!(resolve.stderr.contains(RM_GIT_ID), "{}", resolve.stderr);
    let validate = tree.run(&["validate", "--root", "{root}", "--strict"]);
    assert_eq!(validate.code, 5, "{}", validate.stderr);
}

#[rstest]
#[case::misspelt_enforcement_key("enforcement:\n  unmatchd: deny\n")]
#[case::deny_entry_not_a_string("commands:\n  deny: [1]\n")]
fn resolve_refuses_what_would_silently_vanish(#[case] extra: &str) {
    let tree = Tree::minimal().append("system.yaml", extra);
    let run = tree.run(&[
        "resolve",
        "--root",
        "{root}",
        "--harness",
        "codex",
        "--task-domain",
        "deployment",
    ]);
    assert_eq!(run.code, 4, "{}", run.stderr);
}

#[test]
fn validate_resolves_each_task_instance_too() {
    let rule = "command_rules:\n  - id: same\n    action: deny\n    match: {prefix: git push}\n";
    let other = "command_rules:\n  - id: same\n    action: allow\n    match: {prefix: git pull}\n";
    let tree = Tree::minimal().append("repo.yaml", rule).with(
        "task-instance/t1.yaml",
        &format!("policy_version: v1\nscope: task_instance\n{other}"),
    );
    let run = tree.run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(run.stderr.contains("t1.yaml"), "{}", run.stderr);
}

#[test]
fn a_scope_file_renamed_to_yml_is_not_drift() {
    let tree = Tree::minimal();
    let args = [
        "snapshot",
        "--root",
        "{root}",
        "--harness",
        "codex",
        "--task-domain",
        "deployment",
    ];
    let mut write = args.to_vec();
    write.push("--write-canonical");
    assert_eq!(tree.run(&write).code, 0);
    fs::rename(
        tree.config("task-domain/deployment.yaml"),
        tree.config("task-domain/deployment.yml"),
    )
    .unwrap();
    let mut check = args.to_vec();
    check.push("--check-existing");
    let run = tree.run(&check);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn versions_skips_an_empty_task_instance_and_calls_a_list_invalid() {
    let tree = Tree::minimal().with("task-instance/empty.yaml", "");
    let run = tree.run(&["versions", "--root", "{root}"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let tree = Tree::minimal().with("task-instance/list.yaml", "- a\n- b\n");
    let run = tree.run(&["versions", "--root", "{root}"]);
    assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
}

#[test]
fn an_unknown_pack_is_a_semantic_failure_naming_the_known_packs() {
    let run = Tree::minimal()
        .append("repo.yaml", "packs: [git, dockr]\n")
        .run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("at `/packs`:"))
        .unwrap_or_else(|| panic!("no error at /packs: {}", run.stderr));
    assert!(
        line.contains("`dockr`") && line.contains("git, filesystem"),
        "{line}"
    );
}

#[test]
fn a_tree_enabling_packs_validates() {
    let run = Tree::minimal()
        .append("repo.yaml", "packs: [git, secrets]\n")
        .run(&["validate", "--root", "{root}"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// `validate`'s exit codes, as the reference's validator gives them: 0 valid, 2 bad
/// arguments, 4 a required file missing, 5 a scope file that is invalid in any way —
/// unparseable, against the schema, or refused by the engine (3 is kept for a missing or
/// broken schema, which a built binary cannot have: a unit test pins that mapping).
#[rstest]
#[case::valid(None, &[], 0)]
#[case::bad_flag(None, &["--no-such-flag"], 2)]
#[case::missing_file(Some(("user.yaml", None)), &[], 4)]
#[case::missing_file_allowed(Some(("user.yaml", None)), &["--allow-missing"], 0)]
#[case::unparseable(Some(("user.yaml", Some("policy_version: v1\nscope: user\nnotes: [\n"))), &[], 5)]
#[case::schema_failure(Some(("system.yaml", Some("policy_version: v1\nscope: system\nenforcement: {unmatched: maybe}\n"))), &[], 5)]
#[case::unknown_key(Some(("repo.yaml", Some("policy_version: v1\nscope: repo\ncommand_rule: []\n"))), &[], 5)]
#[case::wrong_scope(Some(("repo.yaml", Some("policy_version: v1\nscope: user\n"))), &[], 5)]
#[case::semantic(Some(("repo.yaml", Some("policy_version: v1\nscope: repo\ncommand_rules:\n  - {id: x, action: allow, match: ls, conditions: [git_is_wortree]}\n"))), &[], 5)]
fn validate_exit_codes_follow_the_reference(
    #[case] change: Option<(&str, Option<&str>)>,
    #[case] extra: &[&str],
    #[case] code: i32,
) {
    let tree = Tree::minimal();
    let tree = match change {
        Some((rel, Some(text))) => tree.with(rel, text),
        Some((rel, None)) => {
            fs::remove_file(tree.config(rel)).unwrap();
            tree
        }
        None => tree,
    };
    let mut args = vec!["validate", "--root", "{root}"];
    args.extend_from_slice(extra);
    let run = tree.run(&args);
    assert_eq!(run.code, code, "{}{}", run.stdout, run.stderr);
}

#[test]
fn validate_without_arguments_checks_the_installed_policy() {
    let home = tempfile::tempdir().unwrap();
    let installed = home.path().join(".config/policy-exec/policy-config");
    for (rel, text) in MINIMAL {
        let p = installed.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let validate = || {
        Command::new(env!("CARGO_BIN_EXE_policy-exec"))
            .arg("validate")
            .current_dir(elsewhere.path())
            .env_clear()
            .env("HOME", home.path())
            .output()
            .unwrap()
    };
    let o = validate();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    fs::write(
        installed.join("repo.yaml"),
        "policy_version: v1\nscope: repo\nacton: deny\n",
    )
    .unwrap();
    let o = validate();
    assert_eq!(o.status.code(), Some(5));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&installed.join("repo.yaml").display().to_string())
            || err.contains("repo.yaml"),
        "{err}"
    );
}
