#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `resolve`: scope discovery, validation, the reference's merge, `policy_hash`, the
//! `--emit` file, the stdout/`--json` shapes, exit codes and dropped-entry warnings.
//!
//! Every tree is built in a temp dir by the test. Expected hashes were computed with
//! Python (PyYAML `safe_load`, the reference's merge, `json.dumps(sort_keys=True)`,
//! `hashlib.sha256`) on the same YAML text, and are hard-coded here.

use std::fs;
use std::path::PathBuf;

use clap::Parser;
use policy_exec::resolve::cli::{ResolveArgs, resolve_from_args, run_resolve};
use policy_exec::resolve::{
    DroppedList, ResolveRequest, emit_json, python_json_dumps_sorted, resolve,
};
use rstest::rstest;
use serde_json::{Value, json};
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

/// A policy tree in a temp dir: `<root>/policy-config/…`.
struct Tree {
    dir: TempDir,
}

/// What `run_resolve` returned and printed.
struct Outcome {
    code: u8,
    stdout: String,
    stderr: String,
}

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: ResolveArgs,
}

impl Tree {
    /// A root with no policy config at all.
    fn empty() -> Tree {
        Tree {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The five required scope files, headers only.
    fn minimal() -> Tree {
        MINIMAL
            .iter()
            .fold(Tree::empty(), |tree, (rel, text)| tree.with(rel, text))
    }

    /// Writes `policy-config/<rel>`.
    fn with(self, rel: &str, text: &str) -> Tree {
        self.with_file(&format!("policy-config/{rel}"), text)
    }

    /// Writes `<root>/<rel>`.
    fn with_file(self, rel: &str, text: &str) -> Tree {
        let path = self.dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Writes raw bytes to `policy-config/<rel>`.
    fn with_bytes(self, rel: &str, bytes: &[u8]) -> Tree {
        fs::write(self.config(rel), bytes).unwrap();
        self
    }

    /// Appends to `policy-config/<rel>`.
    fn append(self, rel: &str, text: &str) -> Tree {
        let path = self.config(rel);
        let old = fs::read_to_string(&path).unwrap();
        fs::write(path, old + text).unwrap();
        self
    }

    /// Removes `policy-config/<rel>`.
    fn without(self, rel: &str) -> Tree {
        fs::remove_file(self.config(rel)).unwrap();
        self
    }

    /// The root as `Path.resolve()` gives it (temp dirs may sit behind a symlink).
    fn root(&self) -> PathBuf {
        fs::canonicalize(self.dir.path()).unwrap()
    }

    fn config(&self, rel: &str) -> PathBuf {
        self.root().join("policy-config").join(rel)
    }

    fn request(&self) -> ResolveRequest {
        ResolveRequest {
            root: self.root(),
            harness: "codex".into(),
            task_domain: "deployment".into(),
            task_instance: None,
            system: None,
            user: None,
        }
    }

    /// Parses `resolve` flags (`{root}` is replaced by the tree's root; `--root`,
    /// `--harness codex`, `--task-domain deployment` are added unless given).
    fn args(&self, extra: &[&str]) -> ResolveArgs {
        let root = self.root().display().to_string();
        let mut argv: Vec<String> = vec!["resolve".into()];
        for (flag, value) in [
            ("--root", root.as_str()),
            ("--harness", "codex"),
            ("--task-domain", "deployment"),
        ] {
            if !extra.contains(&flag) {
                argv.extend([flag.to_owned(), value.to_owned()]);
            }
        }
        argv.extend(extra.iter().map(|a| a.replace("{root}", &root)));
        Cli::try_parse_from(argv).unwrap().args
    }

    fn run(&self, extra: &[&str]) -> Outcome {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_resolve(&self.args(extra), &mut out, &mut err);
        Outcome {
            code,
            stdout: String::from_utf8(out).unwrap(),
            stderr: String::from_utf8(err).unwrap(),
        }
    }

    fn hash(&self) -> String {
        resolve(&self.request()).unwrap().policy_hash
    }
}

// ---------------------------------------------------------------------------------------
// The reference's own sample tree (policy-contract `policy-config/`, verbatim).

const REF_SYSTEM: &str = r#"policy_version: v1
scope: system
required_checks:
  - cli_first
  - lint
  - typecheck
commands:
  deny:
    - "git reset --hard"
    - "git checkout --"
    - "rm -rf .git"
  require:
    - "policy_merge"
tooling:
  cli_required: true
  fallback_allowed: false
  max_parallel_tasks: 4
approval:
  needs_confirmation_for:
    - external_network
    - production_release
  allow_destructive: false
observability:
  trace_enabled: true
  telemetry_targets:
    - langsmith
  audit_events:
    - policy_merge
    - scope_conflict
security:
  guardrails:
    - policy_contract_only
  secret_backends:
    - vault
    - aws_secrets_manager
  pii_policy: strict
notes: "Global baseline policy for all repos and harnesses."

"#;

const REF_USER: &str = r#"policy_version: v1
scope: user
commands:
  allow:
    - "source .venv/bin/activate"
    - "python cli.py lint check"
    - "python cli.py test run --scope unit"
  deny:
    - "curl -X POST http://127.0.0.1:8080/admin"
approval:
  allow_destructive: false
notes: "User/operator preference overrides."
"#;

const REF_REPO: &str = r#"policy_version: v1
scope: repo
required_checks:
  - session_docs
  - no_backwards_compat
tooling:
  cli_required: true
  max_parallel_tasks: 3
  fallback_allowed: false
  harness:
    - codex
    - cursor-agent
    - claude
    - factory-droid
commands:
  allow:
    - "python cli.py test run"
    - "python cli.py lint check"
  deny:
    - "python cli.py db migrate"
  require:
    - "docs/sessions/*"
command_rules:
  - id: git_checkout_safe_sync
    action: allow
    match: "git checkout*"
    on_mismatch: request
    conditions:
      all:
        - git_is_worktree
        - git_clean_worktree
        - git_synced_to_upstream
"#;

const REF_HARNESS_CODEX: &str = r#"policy_version: v1
scope: harness
commands:
  allow:
    - "python cli.py test run --scope unit"
    - "python cli.py lint check"
  deny:
    - "docker system prune -a"
  require:
    - "effective_policy_hash"
tooling:
  fallback_allowed: false
  max_parallel_tasks: 4
  harness:
    - codex
observability:
  audit_events:
    - codex_tool_dispatch
approval:
  needs_confirmation_for:
    - worktree_delete
  allow_destructive: false
"#;

const REF_DEPLOYMENT: &str = r#"policy_version: v1
scope: task_domain
required_checks:
  - tests_integration
commands:
  deny:
    - "rm -rf .venv"
  require:
    - "python cli.py test run --scope integration"
security:
  pii_policy: strict
  guardrails:
    - no_undeclared_secrets
"#;

const REF_QUERY: &str = r#"policy_version: v1
scope: task_domain
required_checks:
  - tests_unit
commands:
  allow:
    - "python cli.py test run --scope unit"
  require:
    - "docs/sessions/*/01_RESEARCH.md"
security:
  pii_policy: warn
"#;

const REF_TASK_INSTANCE: &str = r#"policy_version: v1
scope: task_instance
tooling:
  max_parallel_tasks: 2
approval:
  allow_destructive: true
  needs_confirmation_for:
    - production_deploy
commands:
  allow:
    - "python cli.py deploy --target canary"
  deny:
    - "python cli.py db migrate --all"
"#;

fn reference_tree() -> Tree {
    Tree::empty()
        .with("system.yaml", REF_SYSTEM)
        .with("user.yaml", REF_USER)
        .with("repo.yaml", REF_REPO)
        .with("harness/codex.yaml", REF_HARNESS_CODEX)
        .with("task-domain/deployment.yaml", REF_DEPLOYMENT)
        .with("task-domain/query.yaml", REF_QUERY)
        .with("task-instance/sample.yaml", REF_TASK_INSTANCE)
}

#[rstest]
// The reference's published snapshot hashes (policy-config/snapshots/).
#[case(
    "deployment",
    false,
    "7803866a1a3e43d9fecc18b656feeef9dba0552c98e879d8c710d1aa9938d790"
)]
#[case(
    "query",
    false,
    "a73b9755ebd083fdf7b5d1f6234a5691987eb6097e42828fdea9b72fef6cdda5"
)]
#[case(
    "deployment",
    true,
    "a63872d0d0ba199ef1e477679492f314324b56aac96106987419916f6575985a"
)]
fn reference_sample_tree_resolves_to_the_reference_hash(
    #[case] task_domain: &str,
    #[case] with_instance: bool,
    #[case] expected: &str,
) {
    let tree = reference_tree();
    let request = ResolveRequest {
        task_domain: task_domain.into(),
        task_instance: with_instance.then(|| tree.config("task-instance/sample.yaml")),
        ..tree.request()
    };
    assert_eq!(resolve(&request).unwrap().policy_hash, expected);
}

// ---------------------------------------------------------------------------------------
// policy_hash and Python's json.dumps(sort_keys=True)

#[rstest]
#[case::headers_only("", "4a28a48858a5ea301f4ddc320f7fecfac121a11ca4c0300c08b43e4cbac8f9d7")]
#[case::bmp_text(
    "label: \"caf\u{e9} \u{2615} \u{fc}\"\n",
    "14b40eedb7da5113e57dba7317058c67d42a27a40980798400c3ce7ef92aa762"
)]
#[case::astral_text_as_surrogate_pairs(
    "label: \"\u{1F600} \u{1D11E} emoji\"\n",
    "8c3e2bcf8739b033e12ad5b4f441caaf95b79ed994155151a767fac098118628"
)]
#[case::ints_and_floats_like_python_repr(
    "tooling:\n  limits:\n    ratio: 0.1\n    tiny: 0.00001\n    big: 1.0e+16\n    neg: -0.0\n    count: 12345678901234567\n    octal: 010\n    hex: 0x1F\n    sexagesimal: 1:30\n",
    "902c4df16e867cfa92276c30bccac48fce6996ef3ad12f38138f963f04725a19"
)]
#[case::keys_sorted_by_code_point(
    "keys:\n  \"\u{e9}\": 1\n  z: 2\n  \"\u{1F600}\": 3\n  \"\\uffff\": 4\n  A: 5\n",
    "910be4296b8d8a8772cf498b6a2c7fb49d3bf436fc51d9ea2989848e396b6fc0"
)]
#[case::yaml_1_1_scalars(
    "flags: [yes, no, on, off, 'yes', 1e5, ~, true, 1.5e3, -.5]\n",
    "7cacb6859867d857f81e2c8bbb98b35bc1309a85c46e8669b6eac48bf6c79d98"
)]
#[case::escapes_and_control_characters(
    r#"text: "tab\there\nnew \"q\" back\\slash \u0001 del\u007f""#,
    "5ca60a410d4198812948ad6b62446f00cfcba7e9ad215c53ebc78b2f6f31fce5"
)]
#[case::nested_maps_and_lists(
    "a: {b: {c: {d: [1, {e: 2.5}, [true, null]]}}}\n",
    "9cba63a9912fcefa64b8e484c2c6c2ff4e5a15c0c4e80fa4785ff80812c39111"
)]
fn policy_hash_matches_python(#[case] task_domain_body: &str, #[case] expected: &str) {
    let tree = Tree::minimal().append("task-domain/deployment.yaml", task_domain_body);
    assert_eq!(tree.hash(), expected);
}

#[rstest]
// Right-hand sides are Python 3.11's json.dumps(value, sort_keys=True).
#[case(json!({"b": [1, 2.5, -0.0], "a": null}), r#"{"a": null, "b": [1, 2.5, -0.0]}"#)]
#[case(json!([1e16, 1e15, 1e-5, 0.0001, 1.0]), "[1e+16, 1000000000000000.0, 1e-05, 0.0001, 1.0]")]
#[case(json!({"k": "\u{1F600}\u{e9}\u{7f}\u{1f}"}), r#"{"k": "\ud83d\ude00\u00e9\u007f\u001f"}"#)]
#[case(json!({"\u{10000}": 0, "\u{ffff}": 1, "~": 2}), r#"{"~": 2, "\uffff": 1, "\ud800\udc00": 0}"#)]
#[case(json!({"e": {}, "l": [], "t": true}), r#"{"e": {}, "l": [], "t": true}"#)]
fn python_json_dumps_sorted_matches_python(#[case] value: Value, #[case] expected: &str) {
    assert_eq!(python_json_dumps_sorted(&value), expected);
}

// ---------------------------------------------------------------------------------------
// Merge semantics

const DEDUP_SYSTEM: &str = r#"policy_version: v1
scope: system
required_checks: [lint, lint, test]
command_rules:
  - {id: a, action: deny, match: "git push"}
commands:
  allow: ["ls", "ls"]
  deny: ["git reset --hard", "rm -rf .git"]
  require: ["git push"]
tooling:
  other_list: [x, y]
  harness: [codex]
notes: dropped
"#;

const DEDUP_USER: &str = r#"policy_version: v1
scope: user
required_checks: [test, docs]
command_rules:
  - {action: deny, id: a, match: "git push"}
  - {id: a, action: deny, match: "git push"}
commands:
  allow: ["pwd", "ls"]
  deny: ["rm -rf .git", "rm -rf /"]
tooling:
  other_list: [z]
  harness: [codex, claude]
extends: system
"#;

#[test]
fn appended_lists_dedup_by_first_occurrence_and_other_lists_are_replaced() {
    let tree = Tree::minimal()
        .with("system.yaml", DEDUP_SYSTEM)
        .with("user.yaml", DEDUP_USER);
    let resolved = resolve(&tree.request()).unwrap();
    let policy = &resolved.policy;
    assert_eq!(policy["required_checks"], json!(["lint", "test", "docs"]));
    assert_eq!(policy["commands"]["allow"], json!(["ls", "pwd"]));
    assert_eq!(policy["tooling"]["harness"], json!(["codex", "claude"]));
    // Replaced, not appended: commands.deny and a list outside the append paths.
    assert_eq!(
        policy["commands"]["deny"],
        json!(["rm -rf .git", "rm -rf /"])
    );
    assert_eq!(policy["tooling"]["other_list"], json!(["z"]));
    // The reference dedups by repr(): the same rule with its keys in another order is
    // a different item.
    assert_eq!(policy["command_rules"].as_array().unwrap().len(), 2);
    assert!(policy.get("notes").is_none() && policy.get("extends").is_none());
    assert_eq!(policy["scope"], "task_domain");
    assert_eq!(
        resolved.policy_hash,
        "13b2921af76901387dfca3fdbcb30bacce5a1440f6e5c746065769a5f8e65c56"
    );
}

#[test]
fn scope_and_policy_version_come_from_the_last_file() {
    let resolved = resolve(&Tree::minimal().request()).unwrap();
    assert_eq!(resolved.policy["scope"], "task_domain");
    assert_eq!(resolved.policy["policy_version"], "v1");
}

// ---------------------------------------------------------------------------------------
// Dropped deny/require entries

#[test]
fn lower_scope_replacing_deny_and_require_lists_is_reported() {
    let tree = Tree::minimal()
        .with("system.yaml", DEDUP_SYSTEM)
        .with("user.yaml", DEDUP_USER)
        .append("repo.yaml", "commands:\n  require: []\n");
    let resolved = resolve(&tree.request()).unwrap();
    let found: Vec<(DroppedList, &str, PathBuf, PathBuf)> = resolved
        .warnings
        .iter()
        .map(|d| {
            (
                d.list,
                d.entry.as_str(),
                d.declared_in.clone(),
                d.dropped_by.clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                DroppedList::Deny,
                "git reset --hard",
                tree.config("system.yaml"),
                tree.config("user.yaml")
            ),
            (
                DroppedList::Require,
                "git push",
                tree.config("system.yaml"),
                tree.config("repo.yaml")
            ),
        ]
    );

    let outcome = tree.run(&[]);
    assert_eq!(outcome.code, 0);
    let lines: Vec<&str> = outcome.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", outcome.stderr);
    assert!(lines[0].starts_with("policy-exec: warning: `"));
    assert!(
        lines[0].contains("replaces `commands.deny` and drops `git reset --hard` declared in `")
    );

    let json_outcome = tree.run(&["--json"]);
    assert_eq!(json_outcome.code, 0);
    assert!(json_outcome.stderr.is_empty());
    let envelope: Value = serde_json::from_str(&json_outcome.stdout).unwrap();
    assert_eq!(
        envelope["details"]["warnings"][1],
        json!({
            "list": "require",
            "entry": "git push",
            "declared_in": tree.config("system.yaml").display().to_string(),
            "dropped_by": tree.config("repo.yaml").display().to_string(),
        })
    );
}

#[test]
fn strict_turns_dropped_entries_into_an_invalid_policy_error() {
    let tree = Tree::minimal()
        .with("system.yaml", DEDUP_SYSTEM)
        .with("user.yaml", DEDUP_USER);
    let emit = tree.root().join("out.json");
    let outcome = tree.run(&["--strict", "--emit", "{root}/out.json"]);
    assert_eq!(outcome.code, 4);
    assert!(outcome.stdout.is_empty());
    let last = outcome.stderr.lines().last().unwrap();
    assert!(last.starts_with("policy-exec: `"), "{last}");
    assert!(last.contains("drops `git reset --hard`"), "{last}");
    assert!(
        last.contains("`--strict` refuses dropped entries"),
        "{last}"
    );
    assert!(!emit.exists(), "--strict must fail before writing --emit");

    let json_outcome = tree.run(&["--strict", "--json"]);
    let envelope: Value = serde_json::from_str(&json_outcome.stdout).unwrap();
    assert_eq!(envelope["code"], "invalid");
    assert_eq!(envelope["details"]["warnings"][0]["list"], "deny");
}

#[test]
fn strict_passes_when_lower_scopes_restate_the_entries() {
    let tree = Tree::minimal()
        .append("system.yaml", "commands:\n  deny: [a]\n")
        .append("user.yaml", "commands:\n  deny: [a, b]\n");
    assert_eq!(tree.run(&["--strict"]).code, 0);
}

// ---------------------------------------------------------------------------------------
// Failures: exit code and message

#[rstest]
#[case::missing_required_file(
    |t: Tree| t.without("user.yaml"), &[], 3, "user scope file `{config}/user.yaml` does not exist: create it"
)]
#[case::missing_harness_file(
    |t: Tree| t, &["--harness", "nope"], 3, "harness scope file `{config}/harness/nope.yaml` does not exist"
)]
#[case::no_config_root(|_| Tree::empty(), &[], 3, "no policy config under `{root}`")]
#[case::missing_task_instance(
    |t: Tree| t, &["--task-instance", "{root}/nope.yaml"], 3, "task_instance scope file `{root}/nope.yaml` does not exist"
)]
#[case::emit_into_missing_directory(
    |t: Tree| t, &["--emit", "{root}/no/such/dir/out.json"], 3, "cannot write `--emit` file `{root}/no/such/dir/out.json`"
)]
#[case::wrong_scope(
    |t: Tree| t.with("user.yaml", "policy_version: v1\nscope: repo\n"), &[], 4,
    "scope file `{config}/user.yaml` declares scope `repo`, expected `user`: fix its `scope:` key"
)]
#[case::missing_scope(
    |t: Tree| t.with("repo.yaml", "policy_version: v1\n"), &[], 4, "has no `scope` key, expected `repo`"
)]
#[case::wrong_version(
    |t: Tree| t.with("user.yaml", "policy_version: v2\nscope: user\n"), &[], 4,
    "declares `policy_version: v2`, which is not `v1`: set `policy_version: v1`"
)]
#[case::numeric_version(
    |t: Tree| t.with("user.yaml", "policy_version: 1\nscope: user\n"), &[], 4, "declares `policy_version: 1`"
)]
#[case::missing_version(
    |t: Tree| t.with("user.yaml", "scope: user\n"), &[], 4, "has no `policy_version`"
)]
#[case::list_document(
    |t: Tree| t.with("repo.yaml", "- a\n- b\n"), &[], 4, "holds a list at the top level, expected a mapping"
)]
#[case::scalar_document(
    |t: Tree| t.with("repo.yaml", "hello\n"), &[], 4, "holds a string at the top level"
)]
#[case::empty_file(
    |t: Tree| t.with("repo.yaml", ""), &[], 4, "repo scope file `{config}/repo.yaml` is empty"
)]
#[case::comment_only_file(
    |t: Tree| t.with("system.yaml", "# nothing yet\n"), &[], 4, "system scope file `{config}/system.yaml` is empty"
)]
#[case::bad_yaml(
    |t: Tree| t.append("repo.yaml", "commands: [a, b\n"), &[], 4, "scope file `{config}/repo.yaml` is not valid YAML: "
)]
#[case::bad_json(
    |t: Tree| t.without("harness/codex.yaml").with("harness/codex.json", "{"), &[], 4, "is not valid JSON: "
)]
#[case::control_character(
    |t: Tree| t.with("repo.yaml", "policy_version: v1\nscope: repo\nx: \u{0}"), &[], 4, "is not valid YAML"
)]
#[case::not_utf8(
    |t: Tree| t.with_bytes("repo.yaml", b"policy_version: v1\nscope: repo\nx: \xff\n"), &[], 4,
    "scope file `{config}/repo.yaml` is not valid UTF-8: save it as UTF-8"
)]
#[case::append_path_not_a_list(
    |t: Tree| t.append("repo.yaml", "commands:\n  allow: ls\n"), &[], 4,
    "sets `commands.allow` to a string, expected a list"
)]
#[case::mapping_replaced_by_scalar(
    |t: Tree| t.append("system.yaml", "limits: {a: 1}\n").append("user.yaml", "limits: 3\n"), &[], 4,
    "sets `limits` to an integer, but an earlier scope made it a mapping"
)]
#[case::list_replaced_by_mapping(
    |t: Tree| t.append("system.yaml", "extra: [1]\n").append("repo.yaml", "extra: {a: 1}\n"), &[], 4,
    "scope file `{config}/repo.yaml` sets `extra` to a mapping, but an earlier scope made it a list"
)]
#[case::append_path_parent_not_a_mapping(
    |t: Tree| t.append("harness/codex.yaml", "tooling: 3\n"), &[], 4,
    "sets `tooling` to an integer, expected a mapping"
)]
#[case::date_in_merged_policy(
    |t: Tree| t.append("repo.yaml", "since: 2024-01-01\n"), &[], 4,
    "the merged policy sets `since` to `2024-01-01`, which reads as a date"
)]
#[case::boolean_key(
    |t: Tree| t.append("repo.yaml", "on: 1\n"), &[], 4, "has mapping key `true` at the top level"
)]
#[case::nested_integer_key(
    |t: Tree| t.append("repo.yaml", "approval:\n  1: x\n"), &[], 4, "has mapping key `1` under `approval`"
)]
#[case::harness_with_a_path(
    |t: Tree| t, &["--harness", "../x"], 2, "`--harness` value `../x` must be a plain name"
)]
#[case::task_domain_dot(|t: Tree| t, &["--task-domain", "."], 2, "`--task-domain` value `.`")]
#[case::host_out_dir_alone(
    |t: Tree| t, &["--host-out-dir", "{root}/out"], 2, "`--host-out-dir` requires `--emit-host-rules`"
)]
fn failures_exit_with_the_reference_code_and_one_line_message(
    #[case] setup: fn(Tree) -> Tree,
    #[case] extra: &[&str],
    #[case] code: u8,
    #[case] needle: &str,
) {
    let tree = setup(Tree::minimal());
    let outcome = tree.run(extra);
    let root = tree.root().display().to_string();
    let needle = needle
        .replace("{config}", &format!("{root}/policy-config"))
        .replace("{root}", &root);
    assert_eq!(outcome.code, code, "{}", outcome.stderr);
    assert!(outcome.stdout.is_empty());
    assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
    let line = outcome.stderr.trim_end_matches('\n');
    let message = line.strip_prefix("policy-exec: ").expect(line);
    assert!(message.contains(&needle), "{message}\n  lacks: {needle}");
    assert!(!message.ends_with('.'), "{message}");
    let first = message.chars().next().unwrap();
    assert!(first == '`' || first.is_lowercase(), "{message}");
}

#[rstest]
#[case(|t: Tree| t.without("repo.yaml"), "missing", 3)]
#[case(|t: Tree| t.with("repo.yaml", "x: [\n"), "invalid", 4)]
#[case(|t: Tree| t.with("repo.yaml", "policy_version: v1\nscope: user\n"), "invalid", 4)]
fn json_failures_print_the_reference_envelope_on_stdout(
    #[case] setup: fn(Tree) -> Tree,
    #[case] word: &str,
    #[case] code: u8,
) {
    let tree = setup(Tree::minimal());
    let outcome = tree.run(&["--json"]);
    assert_eq!(outcome.code, code);
    assert!(outcome.stderr.is_empty());
    assert!(
        outcome.stdout.starts_with("{\n  \"code\": "),
        "{}",
        outcome.stdout
    );
    let envelope: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(envelope["code"], word);
    assert!(envelope["message"].as_str().unwrap().contains("repo.yaml"));
    assert_eq!(
        envelope["details"]["path"],
        tree.config("repo.yaml").display().to_string()
    );
}

#[test]
fn argument_errors_in_json_mode_use_the_arg_code() {
    let outcome = Tree::minimal().run(&["--json", "--harness", "a/b"]);
    assert_eq!(outcome.code, 2);
    let envelope: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(envelope["code"], "arg");
    assert!(envelope.get("details").is_none());
}

#[test]
fn emit_host_rules_is_left_to_the_caller() {
    let tree = Tree::minimal();
    let args = tree.args(&["--emit-host-rules", "--include-conditional"]);
    assert!(args.emit_host_rules && args.include_conditional);
    // The hook: the caller resolves and renders.
    assert_eq!(resolve_from_args(&args).unwrap().scopes.len(), 5);
    // run_resolve alone refuses rather than silently skipping the host files.
    assert_eq!(tree.run(&["--emit-host-rules"]).code, 2);
}

// ---------------------------------------------------------------------------------------
// Discovery, task instance, overrides

#[rstest]
#[case::yaml_beats_yml_and_json(&["yaml", "yml", "json"], "yaml")]
#[case::yml_beats_json(&["yml", "json"], "yml")]
#[case::json_alone(&["json"], "json")]
fn discovery_prefers_yaml_then_yml_then_json(#[case] present: &[&str], #[case] chosen: &str) {
    let mut tree = Tree::minimal().without("harness/codex.yaml");
    for ext in present {
        let text = if *ext == "json" {
            r#"{"policy_version": "v1", "scope": "harness", "label": "from-json"}"#.to_owned()
        } else {
            format!("policy_version: v1\nscope: harness\nlabel: from-{ext}\n")
        };
        tree = tree.with(&format!("harness/codex.{ext}"), &text);
    }
    let resolved = resolve(&tree.request()).unwrap();
    assert_eq!(resolved.policy["label"], format!("from-{chosen}"));
    assert_eq!(
        resolved.scopes[3],
        (
            "harness".to_owned(),
            tree.config(&format!("harness/codex.{chosen}"))
        )
    );
}

#[test]
fn config_under_policy_contract_is_found() {
    let tree = MINIMAL.iter().fold(Tree::empty(), |t, (rel, text)| {
        t.with_file(&format!("policy-contract/policy-config/{rel}"), text)
    });
    let resolved = resolve(&tree.request()).unwrap();
    assert_eq!(
        resolved.scopes[0].1,
        tree.root()
            .join("policy-contract/policy-config/system.yaml")
    );
}

#[test]
fn task_instance_is_merged_last_and_listed() {
    let tree = Tree::minimal().with_file(
        "tasks/t1.yaml",
        "policy_version: v1\nscope: task_instance\ncommands:\n  allow: [deploy]\n",
    );
    let resolved = resolve(&ResolveRequest {
        task_instance: Some(tree.root().join("tasks/t1.yaml")),
        ..tree.request()
    })
    .unwrap();
    assert_eq!(resolved.policy["scope"], "task_instance");
    assert_eq!(resolved.policy["commands"]["allow"], json!(["deploy"]));
    assert_eq!(
        resolved.scopes.last().unwrap(),
        &(
            "task_instance".to_owned(),
            tree.root().join("tasks/t1.yaml")
        )
    );
}

#[test]
fn empty_task_instance_is_skipped_like_the_reference() {
    let tree = Tree::minimal().with_file("tasks/empty.yaml", "");
    let resolved = resolve(&ResolveRequest {
        task_instance: Some(tree.root().join("tasks/empty.yaml")),
        ..tree.request()
    })
    .unwrap();
    assert_eq!(resolved.scopes.len(), 5);
    assert_eq!(resolved.policy_hash, Tree::minimal().hash());
}

#[test]
fn task_instance_with_the_wrong_scope_is_rejected() {
    let tree = Tree::minimal().with_file("t.yaml", "policy_version: v1\nscope: repo\n");
    let outcome = tree.run(&["--task-instance", "{root}/t.yaml"]);
    assert_eq!(outcome.code, 4);
    assert!(outcome.stderr.contains("expected `task_instance`"));
}

#[test]
fn system_and_user_flags_replace_the_config_files() {
    let tree = Tree::minimal()
        .with_file(
            "elsewhere/sys.yml",
            "policy_version: v1\nscope: system\nrequired_checks: [from-override]\n",
        )
        .with_file(
            "elsewhere/usr.json",
            r#"{"policy_version": "v1", "scope": "user", "required_checks": ["user-json"]}"#,
        );
    let args = tree.args(&[
        "--system",
        "{root}/other/../elsewhere/sys.yml",
        "--user",
        "{root}/elsewhere/usr.json",
    ]);
    let resolved = resolve_from_args(&args).unwrap();
    assert_eq!(
        resolved.policy["required_checks"],
        json!(["from-override", "user-json"])
    );
    // Paths are resolved like Python's Path.resolve(): absolute, `..` applied.
    assert_eq!(resolved.scopes[0].1, tree.root().join("elsewhere/sys.yml"));
    assert_eq!(resolved.scopes[1].1, tree.root().join("elsewhere/usr.json"));
}

// ---------------------------------------------------------------------------------------
// Output formats

#[test]
fn emit_file_is_sorted_indented_ascii_json_with_a_trailing_newline() {
    let tree = Tree::minimal().append("task-domain/deployment.yaml", "label: \"caf\u{e9}\"\n");
    let outcome = tree.run(&["--emit", "{root}/resolved.json"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let written = fs::read_to_string(tree.root().join("resolved.json")).unwrap();
    let config = tree.root().join("policy-config").display().to_string();
    let scope_entry = |scope: &str, rel: &str| {
        format!("    [\n      \"{scope}\",\n      \"{config}/{rel}\"\n    ]")
    };
    let expected = format!(
        "{{\n  \"policy\": {{\n    \"label\": \"caf\\u00e9\",\n    \"policy_version\": \"v1\",\n    \"scope\": \"task_domain\"\n  }},\n  \"policy_hash\": \"1357ef642581aafd66971a0325ee622fcd0805197696b96dddc217fc0396251e\",\n  \"scopes\": [\n{}\n  ]\n}}\n",
        [
            scope_entry("system", "system.yaml"),
            scope_entry("user", "user.yaml"),
            scope_entry("repo", "repo.yaml"),
            scope_entry("harness", "harness/codex.yaml"),
            scope_entry("task_domain", "task-domain/deployment.yaml"),
        ]
        .join(",\n")
    );
    assert_eq!(written, expected);
    assert_eq!(emit_json(&resolve(&tree.request()).unwrap()), expected);
}

#[test]
fn plain_output_is_the_policy_payload_in_reference_key_order() {
    let tree = Tree::minimal().append("repo.yaml", "zeta: 1\nalpha: 2\n");
    let outcome = tree.run(&[]);
    assert_eq!(outcome.code, 0);
    // Keys the format does not have are resolved as the reference resolves them, with
    // one warning (an error with --strict and wherever commands are judged).
    assert!(
        outcome
            .stderr
            .lines()
            .all(|l| l.starts_with("policy-exec: warning: ") && l.contains("unknown key `zeta`")),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stdout
            .starts_with("{\n  \"policy\": {\n    \"policy_hash\": \"")
    );
    // The reference prints json.dumps(indent=2) without sort_keys: insertion order.
    let zeta = outcome.stdout.find("\"zeta\"").unwrap();
    let alpha = outcome.stdout.find("\"alpha\"").unwrap();
    assert!(zeta < alpha);
    assert!(outcome.stdout.ends_with("}\n"));
    let parsed: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let resolved = resolve(&tree.request()).unwrap();
    assert_eq!(parsed["policy"]["policy"], resolved.policy);
    assert_eq!(parsed["policy"]["policy_hash"], resolved.policy_hash);
}

#[test]
fn json_success_envelope_matches_the_reference_shape() {
    let tree = Tree::minimal().with_file("t.yaml", "policy_version: v1\nscope: task_instance\n");
    let outcome = tree.run(&[
        "--json",
        "--task-instance",
        "{root}/t.yaml",
        "--emit",
        "{root}/e.json",
    ]);
    assert_eq!(outcome.code, 0);
    let text = &outcome.stdout;
    let order: Vec<usize> = ["\"code\"", "\"message\"", "\"details\"", "\"result\""]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    let envelope: Value = serde_json::from_str(text).unwrap();
    assert_eq!(envelope["code"], "ok");
    assert_eq!(envelope["message"], "policy resolved");
    assert_eq!(
        envelope["details"],
        json!({
            "scope_count": 6,
            "chain_length": 6,
            "emit_path": tree.root().join("e.json").display().to_string(),
            "scopes_ordering_assertion_path": "result.policy.scopes",
        })
    );
    let payload = &envelope["result"]["policy"];
    assert_eq!(payload["scopes"][5][0], "task_instance");
    let emitted: Value =
        serde_json::from_str(&fs::read_to_string(tree.root().join("e.json")).unwrap()).unwrap();
    assert_eq!(&emitted, payload);
}

#[test]
fn packs_are_united_across_scopes_and_a_lower_scope_cannot_remove_one() {
    let without = Tree::minimal();
    let hash_without = without.hash();
    let tree = Tree::minimal()
        .append("system.yaml", "packs: [git, disk]\n")
        .append("repo.yaml", "packs: [secrets, git]\n")
        .append("task-domain/deployment.yaml", "packs: []\n");
    let resolved = resolve(&tree.request()).unwrap();
    assert_eq!(resolved.policy["packs"], json!(["git", "disk", "secrets"]));
    assert_ne!(resolved.policy_hash, hash_without);
    // A tree without the key hashes as before (the reference's hashes above still hold).
    assert_eq!(Tree::minimal().hash(), hash_without);
}
