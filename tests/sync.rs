//! `sync`: host renderings per rule shape (library tables), and `--out-dir`/`--apply`
//! through the real binary into a temp home (missing files, the user's keys and entries,
//! the reference's markers, malformed files, idempotence, stale entries, a failure
//! part-way). When a `codex` binary is on PATH, the rendered rules are loaded by the real
//! Codex parser and every example is checked with `codex execpolicy check`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use policy_exec::policy::bundle::Bundle;
use policy_exec::policy::policy::Policy;
use policy_exec::render::hosts::{self, Host, Outcome};
use rstest::rstest;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Rendering tables
// ---------------------------------------------------------------------------------------

/// A bundle rule from a compact description.
fn rule(id: &str, action: &str, matcher: &str, pattern: &str, extra: Value) -> Value {
    let mut r = json!({
        "id": id, "source": "command_rules", "action": action, "on_mismatch": null,
        "matcher": matcher, "pattern": pattern, "normalized_pattern": pattern,
        "conditions": {"mode": "all", "conditions": []},
        "platform_action": action, "shell_entry": pattern, "bash_entry": pattern,
        "origin": {"scope": "system", "path": "policy-config/system.yaml"},
    });
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

fn policy(rules: Vec<Value>) -> Policy {
    let b: Bundle = serde_json::from_value(json!({
        "schema_version": 1, "required_conditions": [], "commands": rules,
        "policy_hash": "0".repeat(64),
    }))
    .unwrap();
    Policy::from_bundle(&b, "test").unwrap()
}

/// Renders one rule alone and returns (outcome, entries) for the host.
fn one(host: Host, r: Value, include_conditional: bool) -> (Outcome, Vec<String>) {
    let p = policy(vec![r]);
    let out = hosts::render(host, &p, include_conditional);
    let rep = &out.rules[0];
    (rep.outcome, rep.entries.clone())
}

const CLEAN: &str = r#"{"mode": "all", "conditions": ["git_clean_worktree"]}"#;

fn cond() -> Value {
    serde_json::from_str(CLEAN).unwrap()
}

#[rstest]
// unconditional prefix deny
#[case::deny_prefix_codex(Host::Codex, rule("r", "deny", "prefix", "git reset --hard", json!({})), false, Outcome::Exact, &[r#"["git", "reset", "--hard"]"#])]
#[case::deny_prefix_claude(Host::Claude, rule("r", "deny", "prefix", "git reset --hard", json!({})), false, Outcome::Exact, &["Bash(git reset --hard:*)"])]
#[case::deny_prefix_cursor_multi_token(Host::Cursor, rule("r", "deny", "prefix", "git reset --hard", json!({})), false, Outcome::Dropped, &[])]
#[case::deny_prefix_droid(Host::FactoryDroid, rule("r", "deny", "prefix", "git reset --hard", json!({})), false, Outcome::Exact, &["git reset --hard"])]
#[case::deny_single_token_cursor(Host::Cursor, rule("r", "deny", "prefix", "shutdown", json!({})), false, Outcome::Exact, &["Shell(shutdown)"])]
// allow
#[case::allow_prefix_codex(Host::Codex, rule("r", "allow", "prefix", "git status", json!({})), false, Outcome::Exact, &[r#"["git", "status"]"#])]
#[case::allow_prefix_claude(Host::Claude, rule("r", "allow", "prefix", "git status", json!({})), false, Outcome::Exact, &["Bash(git status:*)"])]
#[case::allow_multi_token_cursor(Host::Cursor, rule("r", "allow", "prefix", "git status", json!({})), false, Outcome::Dropped, &[])]
#[case::allow_single_token_cursor(Host::Cursor, rule("r", "allow", "prefix", "ls", json!({})), false, Outcome::Exact, &["Shell(ls)"])]
// exact matcher: only Claude can hold it; an allow elsewhere would widen
#[case::allow_exact_claude(Host::Claude, rule("r", "allow", "exact", "git status", json!({})), false, Outcome::Exact, &["Bash(git status)"])]
#[case::allow_exact_codex(Host::Codex, rule("r", "allow", "exact", "git status", json!({})), false, Outcome::Dropped, &[])]
#[case::allow_exact_droid(Host::FactoryDroid, rule("r", "allow", "exact", "git status", json!({})), false, Outcome::Dropped, &[])]
#[case::deny_exact_codex(Host::Codex, rule("r", "deny", "exact", "rm -rf /", json!({})), false, Outcome::Tightened, &[r#"["rm", "-rf", "/"]"#])]
#[case::deny_exact_claude(Host::Claude, rule("r", "deny", "exact", "rm -rf /", json!({})), false, Outcome::Exact, &["Bash(rm -rf /)"])]
// glob matcher
#[case::deny_glob_codex(Host::Codex, rule("r", "deny", "glob", "git push *", json!({})), false, Outcome::Tightened, &[r#"["git", "push"]"#])]
#[case::allow_glob_wider_codex(Host::Codex, rule("r", "allow", "glob", "git log *", json!({})), false, Outcome::Dropped, &[])]
#[case::allow_glob_narrower_claude(Host::Claude, rule("r", "allow", "glob", "git log*", json!({})), false, Outcome::Tightened, &["Bash(git log:*)"])]
#[case::deny_glob_leading_wildcard(Host::Claude, rule("r", "deny", "glob", "*rm -rf*", json!({})), false, Outcome::Dropped, &[])]
// refinements
#[case::flags_codex_alternatives(Host::Codex, rule("r", "deny", "prefix", "git push", json!({"refinements": {"flags": ["--force", "-f"]}})), false, Outcome::Partial, &[r#"["git", "push", ["--force", "-f"]]"#])]
#[case::flags_claude_one_per_spelling(Host::Claude, rule("r", "deny", "prefix", "git push", json!({"refinements": {"flags": ["--force", "-f"]}})), false, Outcome::Partial, &["Bash(git push --force:*)", "Bash(git push -f:*)"])]
#[case::flags_allow_is_narrower(Host::Claude, rule("r", "allow", "prefix", "git push", json!({"refinements": {"flags": ["--dry-run"]}})), false, Outcome::Tightened, &["Bash(git push --dry-run:*)"])]
#[case::carve_out_deny_tightened(Host::Claude, rule("r", "deny", "prefix", "git push", json!({"refinements": {"unless_flags": ["--dry-run"]}})), false, Outcome::Tightened, &["Bash(git push:*)"])]
#[case::carve_out_allow_dropped(Host::Claude, rule("r", "allow", "prefix", "git push", json!({"refinements": {"unless_flags": ["--force"]}})), false, Outcome::Dropped, &[])]
#[case::args_dropped(Host::Codex, rule("r", "deny", "prefix", "rm", json!({"refinements": {"args": ["/"]}})), false, Outcome::Dropped, &[])]
// request
#[case::request_codex(Host::Codex, rule("r", "request", "prefix", "sudo", json!({})), false, Outcome::Exact, &[r#"["sudo"]"#])]
#[case::request_claude(Host::Claude, rule("r", "request", "prefix", "sudo", json!({})), false, Outcome::Exact, &["Bash(sudo:*)"])]
#[case::request_cursor_dropped(Host::Cursor, rule("r", "request", "prefix", "sudo", json!({})), false, Outcome::Dropped, &[])]
#[case::request_droid(Host::FactoryDroid, rule("r", "request", "prefix", "sudo", json!({})), false, Outcome::Exact, &["sudo"])]
// conditional
#[case::conditional_skipped(Host::Claude, rule("r", "allow", "prefix", "git checkout", json!({"conditions": cond(), "on_mismatch": "deny"})), false, Outcome::Dropped, &[])]
#[case::conditional_stricter_outcome(Host::Claude, rule("r", "allow", "prefix", "git checkout", json!({"conditions": cond(), "on_mismatch": "deny"})), true, Outcome::Tightened, &["Bash(git checkout:*)"])]
#[case::conditional_allow_without_mismatch(Host::Claude, rule("r", "allow", "prefix", "git checkout", json!({"conditions": cond()})), true, Outcome::Dropped, &[])]
#[case::conditional_deny_without_mismatch(Host::Codex, rule("r", "deny", "prefix", "git checkout", json!({"conditions": cond()})), true, Outcome::Tightened, &[r#"["git", "checkout"]"#])]
// Gemini CLI: a command prefix (followed by a space or the end of the command)
#[case::deny_prefix_gemini(Host::Gemini, rule("r", "deny", "prefix", "git reset --hard", json!({})), false, Outcome::Exact, &["git reset --hard"])]
#[case::allow_prefix_gemini(Host::Gemini, rule("r", "allow", "prefix", "git status", json!({})), false, Outcome::Exact, &["git status"])]
#[case::allow_exact_gemini(Host::Gemini, rule("r", "allow", "exact", "git status", json!({})), false, Outcome::Dropped, &[])]
#[case::deny_exact_gemini(Host::Gemini, rule("r", "deny", "exact", "rm -rf /", json!({})), false, Outcome::Tightened, &["rm -rf /"])]
#[case::flags_gemini(Host::Gemini, rule("r", "deny", "prefix", "git push", json!({"refinements": {"flags": ["--force", "-f"]}})), false, Outcome::Partial, &["git push --force", "git push -f"])]
#[case::request_gemini(Host::Gemini, rule("r", "request", "prefix", "sudo", json!({})), false, Outcome::Exact, &["sudo"])]
#[case::carve_out_allow_gemini(Host::Gemini, rule("r", "allow", "prefix", "git push", json!({"refinements": {"unless_flags": ["--force"]}})), false, Outcome::Dropped, &[])]
#[case::args_gemini(Host::Gemini, rule("r", "deny", "prefix", "rm", json!({"refinements": {"args": ["/"]}})), false, Outcome::Dropped, &[])]
// OpenCode: globs; a trailing ` *` also matches the bare command
#[case::deny_prefix_opencode(Host::OpenCode, rule("r", "deny", "prefix", "git reset --hard", json!({})), false, Outcome::Exact, &["git reset --hard *"])]
#[case::allow_prefix_opencode(Host::OpenCode, rule("r", "allow", "prefix", "git status", json!({})), false, Outcome::Exact, &["git status *"])]
#[case::allow_exact_opencode(Host::OpenCode, rule("r", "allow", "exact", "git status", json!({})), false, Outcome::Exact, &["git status"])]
#[case::deny_glob_opencode(Host::OpenCode, rule("r", "deny", "glob", "git push *", json!({})), false, Outcome::Tightened, &["git push *"])]
#[case::allow_glob_wider_opencode(Host::OpenCode, rule("r", "allow", "glob", "git log *", json!({})), false, Outcome::Dropped, &[])]
#[case::flags_opencode(Host::OpenCode, rule("r", "deny", "prefix", "git push", json!({"refinements": {"flags": ["--force"]}})), false, Outcome::Partial, &["git push --force *"])]
#[case::request_opencode(Host::OpenCode, rule("r", "request", "prefix", "sudo", json!({})), false, Outcome::Exact, &["sudo *"])]
#[case::conditional_opencode(Host::OpenCode, rule("r", "allow", "prefix", "git checkout", json!({"conditions": cond(), "on_mismatch": "deny"})), true, Outcome::Tightened, &["git checkout *"])]
#[case::wildcard_token_opencode(Host::OpenCode, rule("r", "allow", "prefix", "ls *.txt", json!({})), false, Outcome::Dropped, &[])]
fn renders_each_rule_shape(
    #[case] host: Host,
    #[case] r: Value,
    #[case] include_conditional: bool,
    #[case] outcome: Outcome,
    #[case] entries: &[&str],
) {
    let (got, got_entries) = one(host, r, include_conditional);
    assert_eq!(got, outcome);
    assert_eq!(got_entries, entries);
}

#[test]
fn conditional_allow_with_request_mismatch_becomes_ask_on_claude() {
    let p = policy(vec![rule(
        "co",
        "allow",
        "prefix",
        "git checkout",
        json!({"conditions": cond(), "on_mismatch": "request"}),
    )]);
    let out = hosts::render(Host::Claude, &p, true);
    assert_eq!(out.lists["permissions.ask"], ["Bash(git checkout:*)"]);
    assert!(out.lists["permissions.allow"].is_empty());
}

#[test]
fn a_native_allow_is_dropped_when_an_overlapping_deny_is_only_partly_held() {
    let p = policy(vec![
        rule("all-git", "allow", "prefix", "git", json!({})),
        rule("status", "allow", "prefix", "git status", json!({})),
        rule(
            "no-force",
            "deny",
            "prefix",
            "git push",
            json!({"refinements": {"flags": ["--force"]}}),
        ),
    ]);
    for host in [
        Host::Codex,
        Host::Claude,
        Host::FactoryDroid,
        Host::Gemini,
        Host::OpenCode,
    ] {
        let out = hosts::render(host, &p, false);
        let all = out.rules.iter().find(|r| r.id == "all-git").unwrap();
        assert_eq!(all.outcome, Outcome::Dropped, "{host:?}");
        assert!(all.why.join(" ").contains("no-force"), "{:?}", all.why);
        let status = out.rules.iter().find(|r| r.id == "status").unwrap();
        assert_eq!(status.outcome, Outcome::Exact, "{host:?}");
    }
}

/// A host matches commands as written: an allow that overlaps any rule that can deny or
/// ask is dropped, however exactly the host holds that rule (`sudo rm -rf /`,
/// `git -C . push`, `rm -rf //` are spellings no host entry sees).
#[rstest]
#[case::wrapper_over_exact_deny("sudo", "rm -rf /", Outcome::Dropped)]
#[case::valgrind_wrapper("valgrind", "rm -rf /", Outcome::Dropped)]
#[case::whole_git_over_git_deny("git", "git push", Outcome::Dropped)]
#[case::git_subcommand_running_commands("git rebase", "rm -rf /", Outcome::Dropped)]
#[case::git_alias_position("git -c", "rm -rf /", Outcome::Dropped)]
#[case::whole_program_over_its_deny("rm", "rm -rf /", Outcome::Dropped)]
#[case::path_spelling("rm -rf ./build", "rm -rf build", Outcome::Dropped)]
#[case::unrelated_subcommand("git status", "git push", Outcome::Exact)]
#[case::unrelated_program("ls", "rm -rf /", Outcome::Exact)]
fn a_native_allow_overlapping_any_restricting_rule_is_dropped(
    #[case] allow: &str,
    #[case] deny: &str,
    #[case] outcome: Outcome,
) {
    let p = policy(vec![
        rule("the-allow", "allow", "prefix", allow, json!({})),
        rule("the-deny", "deny", "prefix", deny, json!({})),
    ]);
    for host in [
        Host::Codex,
        Host::Claude,
        Host::FactoryDroid,
        Host::Gemini,
        Host::OpenCode,
    ] {
        let out = hosts::render(host, &p, false);
        assert_eq!(
            out.rules[0].outcome, outcome,
            "{host:?}: {:?}",
            out.rules[0].why
        );
    }
}

#[test]
fn an_allow_next_to_a_conditional_rule_is_dropped_and_a_conditional_allow_asks() {
    // A predicate that cannot be evaluated asks: a conditional rule can always restrict.
    let p = policy(vec![
        rule("git-ok", "allow", "prefix", "git checkout", json!({})),
        rule(
            "checkout-clean",
            "allow",
            "prefix",
            "git checkout",
            json!({"conditions": cond()}),
        ),
    ]);
    assert_eq!(
        hosts::render(Host::Claude, &p, false).rules[0].outcome,
        Outcome::Dropped
    );
    let p = policy(vec![rule(
        "npm-clean",
        "allow",
        "prefix",
        "npm",
        json!({"conditions": cond(), "on_mismatch": "allow"}),
    )]);
    let out = hosts::render(Host::Claude, &p, true);
    assert_eq!(
        out.rules[0].host_action,
        Some(policy_exec::policy::Decision::Request)
    );
}

#[rstest]
#[case::assignment("prefix", "LC_ALL=C sort")]
#[case::untrusted_path("prefix", "./build.sh")]
#[case::double_space_glob("glob", "git  log*")]
#[case::leading_space_glob("glob", " git diff*")]
#[case::tab_glob("glob", "git\tshow*")]
fn allows_the_engine_reads_differently_are_dropped(#[case] matcher: &str, #[case] pattern: &str) {
    let (outcome, entries) = one(
        Host::Claude,
        rule("r", "allow", matcher, pattern, json!({})),
        false,
    );
    assert_eq!(outcome, Outcome::Dropped, "{entries:?}");
}

/// Gemini's file: one `[[rule]]` per rendered rule, denies above asks above allows
/// (Gemini applies the highest-priority match), and a deny carries its reason.
#[test]
fn gemini_rules_put_denies_above_allows() {
    let p = policy(vec![
        rule("status", "allow", "prefix", "git status", json!({})),
        rule("sudo", "request", "prefix", "sudo", json!({})),
        rule(
            "no-reset",
            "deny",
            "prefix",
            "git reset --hard",
            json!({"reason": "throws \"work\" away"}),
        ),
    ]);
    let out = hosts::render(Host::Gemini, &p, false);
    let text = &out.text;
    assert!(
        text.starts_with(&format!(
            "# Generated by `policy-exec sync` from policy_hash {}.",
            "0".repeat(64)
        )),
        "{text}"
    );
    for want in [
        "[[rule]]\ntoolName = \"run_shell_command\"\ncommandPrefix = \"git status\"\ndecision = \"allow\"\npriority = 700\n",
        "commandPrefix = \"sudo\"\ndecision = \"ask_user\"\npriority = 800\n",
        "commandPrefix = \"git reset --hard\"\ndecision = \"deny\"\npriority = 900\ndenyMessage = \"throws \\\"work\\\" away (policy-exec rule no-reset, policy-config/system.yaml)\"\n",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    assert_eq!(text.matches("[[rule]]").count(), 3, "{text}");
}

/// OpenCode's last matching key wins: the rendered map lists allows, then asks, then
/// denies, and a key two rules give keeps the stricter decision.
#[test]
fn opencode_keys_are_ordered_so_the_strictest_wins() {
    let p = policy(vec![
        rule(
            "reset-deny",
            "deny",
            "prefix",
            "git reset --hard",
            json!({}),
        ),
        rule("status", "allow", "prefix", "git status", json!({})),
        rule("sudo", "request", "prefix", "sudo", json!({})),
    ]);
    let out = hosts::render(Host::OpenCode, &p, false);
    let v: Value = serde_json::from_str(&out.text).unwrap();
    let keys: Vec<(&String, &Value)> = v["permission"]["bash"]
        .as_object()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        keys,
        [
            (&"git status *".to_string(), &json!("allow")),
            (&"sudo *".to_string(), &json!("ask")),
            (&"git reset --hard *".to_string(), &json!("deny")),
        ]
    );
}

/// `sync` says why Copilot CLI gets no file, in the text and the JSON report.
#[test]
fn copilot_gets_a_reason_instead_of_a_file() {
    let env = Env::new();
    let p = env.resolve();
    let o = env.run(&["sync", "--policy-json", p.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("copilot: no native file: Copilot CLI has no user-level file"),
        "{text}"
    );
    let o = env.run(&["sync", "--policy-json", p.to_str().unwrap(), "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["not_rendered"][0]["host"], "copilot", "{v}");
    assert!(
        v["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["host"] != "copilot")
    );
}

#[test]
fn a_rule_id_cannot_inject_codex_rules() {
    let p = policy(vec![rule(
        "x\nprefix_rule(pattern=[\"curl\"], decision=\"allow\")\n#",
        "deny",
        "prefix",
        "git reset --hard",
        json!({}),
    )]);
    let text = hosts::render(Host::Codex, &p, false).text;
    let rules = text
        .lines()
        .filter(|l| l.starts_with("prefix_rule("))
        .count();
    assert_eq!(rules, 1, "{text}");
    assert!(
        !text.lines().any(|l| l.trim() == "decision = \"allow\","),
        "{text}"
    );
}

#[test]
fn droid_denies_go_to_the_blocklist_and_requests_to_the_denylist() {
    let p = policy(vec![
        rule("d", "deny", "prefix", "git reset --hard", json!({})),
        rule("q", "request", "prefix", "sudo", json!({})),
        rule("a", "allow", "prefix", "git status", json!({})),
    ]);
    let out = hosts::render(Host::FactoryDroid, &p, false);
    assert_eq!(out.lists["commandBlocklist"], ["git reset --hard"]);
    assert_eq!(out.lists["commandDenylist"], ["git reset --hard", "sudo"]);
    assert_eq!(out.lists["commandRequestlist"], ["sudo"]);
    assert_eq!(out.lists["commandAllowlist"], ["git status"]);
}

#[test]
fn codex_examples_are_kept_only_where_the_host_form_agrees() {
    let p = policy(vec![rule(
        "no-force",
        "deny",
        "prefix",
        "git push",
        json!({"refinements": {"flags": ["--force"]},
               "examples": {"match": ["git push --force origin", "git push origin --force"],
                            "not_match": ["git push origin", "git push origin --force-x"]}}),
    )]);
    let text = hosts::render(Host::Codex, &p, false).text;
    assert!(
        text.contains(r#"match = ["git push --force origin"]"#),
        "{text}"
    );
    assert!(!text.contains(r#""git push origin --force""#), "{text}");
    assert!(
        text.contains(r#"not_match = ["git push origin", "git push origin --force-x"]"#),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------
// The real binary: resolve, sync --out-dir, sync --apply
// ---------------------------------------------------------------------------------------

struct Env {
    dir: tempfile::TempDir,
}

const SYSTEM: &str = r#"command_rules:
  - id: no-reset-hard
    action: deny
    match: {prefix: "git reset --hard"}
    examples: {match: ["git reset --hard", "git reset --hard HEAD~1"], not_match: ["git reset HEAD f"]}
  - id: no-force-push
    action: deny
    match: {prefix: "git push", flags: ["--force", "-f"]}
    examples: {match: ["git push --force origin main", "git push -f"], not_match: ["git push origin main"]}
  - id: status-ok
    action: allow
    match: {prefix: "git status"}
    examples: {match: ["git status --short"], not_match: ["git stash"]}
  - id: sudo-asks
    action: request
    match: {prefix: "sudo"}
    examples: {match: ["sudo ls"]}
  - id: checkout-clean
    action: allow
    match: {prefix: "git checkout"}
    conditions: [git_clean_worktree]
    on_mismatch: deny
"#;

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
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

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_policy-exec"))
            .args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .unwrap()
    }

    /// Resolves the tree into `policy.json` and returns its path.
    fn resolve(&self) -> PathBuf {
        let emit = self.path("policy.json");
        let o = self.run(&[
            "resolve",
            "--root",
            self.path("tree").to_str().unwrap(),
            "--harness",
            "codex",
            "--task-domain",
            "default",
            "--emit",
            emit.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        emit
    }

    fn apply(&self) -> Output {
        self.apply_with(&[])
    }

    /// `apply` that replaces the installed policy even when rules are dropped.
    fn apply_replacing(&self) -> Output {
        self.apply_with(&["--replace"])
    }

    fn apply_with(&self, extra: &[&str]) -> Output {
        let p = self.resolve();
        let home = self.home();
        let mut args = vec![
            "sync",
            "--policy-json",
            p.to_str().unwrap(),
            "--apply",
            "--home",
            home.to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn read_json(&self, rel: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.home().join(rel)).unwrap()).unwrap()
    }

    /// Every file under home with its bytes.
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.insert(p.clone(), std::fs::read(&p).unwrap_or_default());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.home(), &mut out);
        out
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn sync_without_out_dir_is_a_preview_that_writes_nothing() {
    let env = Env::new();
    let p = env.resolve();
    let before = env.snapshot();
    let o = env.run(&["sync", "--policy-json", p.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("preview only"), "{text}");
    assert!(text.contains("checkout-clean"), "{text}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn sync_out_dir_writes_eight_files_and_a_json_report() {
    let env = Env::new();
    let p = env.resolve();
    let out = env.path("out");
    let o = env.run(&[
        "sync",
        "--policy-json",
        p.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in [
        "codex.rules",
        "claude.settings.json",
        "cursor.cli-config.json",
        "factory-droid.settings.json",
        "gemini.policy.toml",
        "opencode.json",
        "policy-wrapper-rules.json",
        "policy-wrapper-dispatch.manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let claude = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["host"] == "claude")
        .unwrap();
    assert_eq!(claude["counts"]["exact"], 3);
    assert_eq!(claude["counts"]["partial"], 1);
    assert_eq!(claude["counts"]["dropped"], 1);
    assert_eq!(report["written"].as_array().unwrap().len(), 8);
    // The manifest points at the bundle beside it, with the policy hash.
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("policy-wrapper-dispatch.manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["policy_hash"], report["policy_hash"]);
}

#[test]
fn sync_refuses_an_emit_file_edited_after_resolve() {
    let env = Env::new();
    let p = env.resolve();
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["policy"]["command_rules"][0]["action"] = json!("allow");
    std::fs::write(&p, v.to_string()).unwrap();
    let o = env.run(&["sync", "--policy-json", p.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("edited after `resolve`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn apply_into_a_bare_home_creates_every_file_and_the_policy_for_shell_mode() {
    let env = Env::new();
    let o = env.apply();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let claude = env.read_json(".claude/settings.json");
    assert_eq!(
        claude["permissions"]["deny"],
        json!([
            "Bash(git reset --hard:*)",
            "Bash(git push --force:*)",
            "Bash(git push -f:*)"
        ])
    );
    assert_eq!(claude["permissions"]["ask"], json!(["Bash(sudo:*)"]));
    assert_eq!(
        claude["permissions"]["allow"],
        json!(["Bash(git status:*)"])
    );
    let droid = env.read_json(".factory/settings.json");
    assert!(
        droid["commandBlocklist"]
            .as_array()
            .unwrap()
            .contains(&json!("git reset --hard"))
    );
    let rules = std::fs::read_to_string(env.home().join(".codex/rules/policy-exec.rules")).unwrap();
    assert!(
        rules.contains(r#"pattern = ["git", "reset", "--hard"]"#),
        "{rules}"
    );
    assert!(!env.home().join(".codex/rules/default.rules").exists());
    // Shell mode and `check` now use the synced policy.
    assert!(
        env.home()
            .join(".config/policy-exec/policy-wrapper-dispatch.manifest.json")
            .is_file()
    );
    let o = env.run(&["check", "--cwd", "/", "git", "reset", "--hard"]);
    assert_eq!(code(&o), 2);
    let o = env.run(&["check", "--cwd", "/", "--json", "sudo", "ls"]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn apply_keeps_unrelated_keys_and_the_users_own_entries() {
    let env = Env::new();
    let settings = env.home().join(".claude/settings.json");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(
        &settings,
        r#"{"model": "opus", "permissions": {"defaultMode": "acceptEdits", "allow": ["Bash(npm test:*)"], "deny": ["Bash(git reset --hard:*)"]}, "env": {"A": "1"}}"#,
    )
    .unwrap();
    let o = env.apply();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = env.read_json(".claude/settings.json");
    assert_eq!(v["model"], "opus");
    assert_eq!(v["env"]["A"], "1");
    assert_eq!(v["permissions"]["defaultMode"], "acceptEdits");
    assert_eq!(
        v["permissions"]["allow"],
        json!(["Bash(npm test:*)", "Bash(git status:*)"])
    );
    // The user's identical deny is kept once and stays theirs.
    let deny = v["permissions"]["deny"].as_array().unwrap();
    assert_eq!(
        deny.iter()
            .filter(|e| *e == "Bash(git reset --hard:*)")
            .count(),
        1
    );
    // Key order is kept.
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["model", "permissions", "env"]);
    // A backup of the old file exists.
    let backups: Vec<_> = std::fs::read_dir(settings.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains(".policy-exec-backup.")
        })
        .collect();
    assert_eq!(backups.len(), 1);

    // Remove the rules from the policy: our entries go, the user's stay.
    env.write_tree("notes: empty");
    let o = env.apply_replacing();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = env.read_json(".claude/settings.json");
    assert_eq!(v["permissions"]["allow"], json!(["Bash(npm test:*)"]));
    assert_eq!(
        v["permissions"]["deny"],
        json!(["Bash(git reset --hard:*)"])
    );
    assert_eq!(v["permissions"]["ask"], json!([]));
}

#[test]
fn a_rule_removed_from_the_policy_disappears_from_every_host() {
    let env = Env::new();
    assert_eq!(code(&env.apply()), 0);
    let without_sudo = SYSTEM.replace(
        "  - id: sudo-asks\n    action: request\n    match: {prefix: \"sudo\"}\n    examples: {match: [\"sudo ls\"]}\n",
        "",
    );
    assert_ne!(without_sudo, SYSTEM);
    env.write_tree(&without_sudo);
    // Without --replace, dropping an installed rule is refused and named.
    let o = env.apply();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("`sudo-asks`"), "{}", stderr(&o));
    let o = env.apply_replacing();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        env.read_json(".claude/settings.json")["permissions"]["ask"],
        json!([])
    );
    let droid = env.read_json(".factory/settings.json");
    assert_eq!(droid["commandRequestlist"], json!([]));
    assert!(
        !droid["commandDenylist"]
            .as_array()
            .unwrap()
            .contains(&json!("sudo"))
    );
    let rules = std::fs::read_to_string(env.home().join(".codex/rules/policy-exec.rules")).unwrap();
    assert!(!rules.contains("sudo"), "{rules}");
    let gemini =
        std::fs::read_to_string(env.home().join(".gemini/policies/policy-exec.toml")).unwrap();
    assert!(!gemini.contains("sudo"), "{gemini}");
    let opencode = env.read_json(".config/opencode/opencode.json");
    assert!(
        opencode["permission"]["bash"].get("sudo *").is_none(),
        "{opencode}"
    );
}

/// OpenCode's `permission.bash` is a map where the last matching key wins: the user's
/// keys stay in their order (a leading `*` stays first), our allows go before them,
/// our asks and denies after; a user key as strict as ours stays the user's, a weaker
/// one is taken over. Removing the rules later removes only our keys.
#[test]
fn apply_merges_opencode_keys_so_our_denies_win_and_the_users_stay() {
    let env = Env::new();
    let config = env.home().join(".config/opencode/opencode.json");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        json!({"model": "x/y", "permission": {"edit": "ask", "bash": {
            "*": "ask", "git status *": "deny", "git reset --hard *": "allow", "npm *": "allow"}}})
        .to_string(),
    )
    .unwrap();
    let o = env.apply();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = env.read_json(".config/opencode/opencode.json");
    assert_eq!(v["model"], "x/y");
    assert_eq!(v["permission"]["edit"], "ask");
    let keys: Vec<(String, String)> = v["permission"]["bash"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let want: Vec<(String, String)> = [
        ("*", "ask"),
        ("git status *", "deny"),
        ("npm *", "allow"),
        ("sudo *", "ask"),
        ("git reset --hard *", "deny"),
        ("git push --force *", "deny"),
        ("git push -f *", "deny"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(keys, want);
    let before = env.snapshot();
    assert_eq!(code(&env.apply()), 0);
    assert_eq!(env.snapshot(), before);
    // A policy without the deny rules: only our keys go.
    env.write_tree("notes: nothing\n");
    let o = env.apply_replacing();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = env.read_json(".config/opencode/opencode.json");
    assert_eq!(
        v["permission"]["bash"],
        json!({"*": "ask", "git status *": "deny", "npm *": "allow"})
    );
}

/// A `"bash": "ask"` string is OpenCode's short form of `{"*": "ask"}`.
#[test]
fn apply_turns_an_opencode_bash_string_into_a_map() {
    let env = Env::new();
    let config = env.home().join(".config/opencode/opencode.json");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, r#"{"permission": {"bash": "allow"}}"#).unwrap();
    assert_eq!(code(&env.apply()), 0);
    let v = env.read_json(".config/opencode/opencode.json");
    let bash = v["permission"]["bash"].as_object().unwrap();
    assert_eq!(bash.keys().next().unwrap(), "*");
    assert_eq!(bash["*"], "allow");
    assert_eq!(bash["git reset --hard *"], "deny");
}

#[test]
fn a_second_apply_changes_nothing() {
    let env = Env::new();
    assert_eq!(code(&env.apply()), 0);
    let before = env.snapshot();
    let o = env.apply();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(env.snapshot(), before, "files or backups changed");
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    for c in report["applied"].as_array().unwrap() {
        // Cursor holds none of this policy's rules: its file is never created.
        let want = if c["host"] == "cursor" {
            "not needed"
        } else {
            "unchanged"
        };
        assert_eq!(c["status"], want, "{c}");
    }
}

#[test]
fn the_references_managed_block_is_replaced_by_this_rendering() {
    let env = Env::new();
    let settings = env.home().join(".factory/settings.json");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(
        &settings,
        r#"{"commandAllowlist": ["__POLICY_CONTRACT_MANAGED_START__", "git checkout", "__POLICY_CONTRACT_MANAGED_END__", "mine"],
            "commandDenylist": ["__POLICY_CONTRACT_MANAGED_START__", "git reset --hard", "__POLICY_CONTRACT_MANAGED_END__"]}"#,
    )
    .unwrap();
    let o = env.apply();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = env.read_json(".factory/settings.json");
    let list = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_string())
            .collect()
    };
    // The reference's plain allow of a conditional rule is gone; the user's entry stays.
    assert_eq!(list("commandAllowlist"), ["mine", "git status"]);
    let deny = list("commandDenylist");
    assert!(
        !deny.iter().any(|e| e.contains("POLICY_CONTRACT")),
        "{deny:?}"
    );
    assert_eq!(deny.iter().filter(|e| *e == "git reset --hard").count(), 1);
}

#[rstest]
#[case::not_json(".claude/settings.json", "{not json")]
#[case::not_an_object(".cursor/cli-config.json", "[1, 2]")]
#[case::list_of_wrong_type(".factory/settings.json", r#"{"commandBlocklist": "rm"}"#)]
#[case::permissions_not_an_object(".claude/settings.json", r#"{"permissions": []}"#)]
#[case::duplicate_key(
    ".claude/settings.json",
    r#"{"permissions": {"allow": ["Bash(ls:*)"]}, "permissions": {"deny": []}}"#
)]
#[case::opencode_permission_not_an_object(
    ".config/opencode/opencode.json",
    r#"{"permission": "ask"}"#
)]
#[case::opencode_bash_a_list(
    ".config/opencode/opencode.json",
    r#"{"permission": {"bash": ["ls"]}}"#
)]
fn a_malformed_file_is_refused_and_nothing_is_touched(#[case] rel: &str, #[case] text: &str) {
    let env = Env::new();
    let path = env.home().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let before = env.snapshot();
    let o = env.apply();
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains(rel), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was changed"), "{}", stderr(&o));
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_read_only_settings_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let path = env.home().join(".cursor/cli-config.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, r#"{"version": 1}"#).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = env.snapshot();
    let o = env.apply();
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(env.snapshot(), before);
}

#[test]
fn entries_follow_a_settings_file_moved_behind_a_symlink() {
    let env = Env::new();
    assert_eq!(code(&env.apply()), 0);
    // Move the file into a dotfiles directory and link it back.
    let live = env.home().join(".claude/settings.json");
    let real = env.path("dotfiles/claude.json");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::rename(&live, &real).unwrap();
    std::os::unix::fs::symlink(&real, &live).unwrap();
    env.write_tree("notes: empty");
    let o = env.apply_replacing();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(v["permissions"]["allow"], json!([]), "{v}");
    assert_eq!(v["permissions"]["deny"], json!([]), "{v}");
}

#[test]
fn a_ledger_that_is_not_ours_is_refused() {
    let env = Env::new();
    let ledger = env.home().join(".local/state/policy-exec/applied.json");
    std::fs::create_dir_all(ledger.parent().unwrap()).unwrap();
    std::fs::write(&ledger, "{}").unwrap();
    let o = env.apply();
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("ledger"), "{}", stderr(&o));
}

#[test]
fn a_failure_part_way_leaves_every_file_old() {
    let env = Env::new();
    // Existing files for the first three hosts…
    for (rel, text) in [
        (".claude/settings.json", r#"{"model": "opus"}"#),
        (".cursor/cli-config.json", r#"{"version": 1}"#),
        (".codex/rules/policy-exec.rules", "# old\n"),
    ] {
        let p = env.home().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    // …and the last host's directory cannot be created (a file is in the way).
    std::fs::write(env.home().join(".factory"), "not a directory").unwrap();
    let before = env.snapshot();
    let o = env.apply();
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains(".factory"), "{}", stderr(&o));
    assert_eq!(
        env.snapshot(),
        before,
        "a file changed or a temp file was left"
    );
}

#[test]
fn a_symlinked_settings_file_is_updated_at_its_target() {
    let env = Env::new();
    let real = env.path("dotfiles/claude.json");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, r#"{"model": "opus"}"#).unwrap();
    std::fs::create_dir_all(env.home().join(".claude")).unwrap();
    std::os::unix::fs::symlink(&real, env.home().join(".claude/settings.json")).unwrap();
    assert_eq!(code(&env.apply()), 0);
    assert!(
        std::fs::symlink_metadata(env.home().join(".claude/settings.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(v["model"], "opus");
    assert!(v["permissions"]["deny"].as_array().unwrap().len() == 3);
}

#[test]
fn resolve_emit_host_rules_writes_the_host_files_too() {
    let env = Env::new();
    let out = env.path("hostout");
    let o = env.run(&[
        "resolve",
        "--root",
        env.path("tree").to_str().unwrap(),
        "--harness",
        "codex",
        "--task-domain",
        "default",
        "--emit-host-rules",
        "--host-out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(out.join("codex.rules").is_file());
    assert!(out.join("claude.settings.json").is_file());
    assert!(stderr(&o).contains("claude (Claude Code"), "{}", stderr(&o));
    // stdout is still the resolved policy.
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["policy"]["policy_hash"].is_string());
}

/// The real Codex parser loads the rendered rules (it checks every `match`/`not_match`
/// example at load) and gives the policy's decision for each example.
#[test]
fn codex_loads_the_rendered_rules_and_agrees_on_the_examples() {
    let codex = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("codex"))
            .find(|p| p.is_file())
    });
    let Some(codex) = codex else {
        eprintln!("SKIPPED: no `codex` binary on PATH (install @openai/codex to run this check)");
        return;
    };
    let env = Env::new();
    let p = env.resolve();
    let out = env.path("out");
    let o = env.run(&[
        "sync",
        "--policy-json",
        p.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0);
    let rules = out.join("codex.rules");
    let check = |cmd: &str| -> Value {
        let o = Command::new(&codex)
            .args(["execpolicy", "check", "--rules", rules.to_str().unwrap()])
            .args(cmd.split_whitespace())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "codex refused the rules: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    };
    for (cmd, want) in [
        ("git reset --hard", Some("forbidden")),
        ("git reset --hard HEAD~1", Some("forbidden")),
        ("git push --force origin main", Some("forbidden")),
        ("git push -f", Some("forbidden")),
        ("git status --short", Some("allow")),
        ("sudo ls", Some("prompt")),
        ("git push origin main", None),
        ("git checkout main", None),
    ] {
        let v = check(cmd);
        assert_eq!(v["decision"].as_str(), want, "{cmd}: {v}");
    }
}

// ---------------------------------------------------------------------------------------
// sync --apply --hooks
// ---------------------------------------------------------------------------------------

impl Env {
    fn apply_hooks(&self) -> Output {
        let p = self.resolve();
        self.run(&[
            "sync",
            "--policy-json",
            p.to_str().unwrap(),
            "--apply",
            "--hooks",
            "--home",
            self.home().to_str().unwrap(),
            "--json",
        ])
    }
}

/// The hook commands of one event in a Claude-shaped hook file, per matcher.
fn hook_commands(v: &Value, event: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // Droid keeps its events at the top level of hooks.json.
    let list = v["hooks"][event].as_array().or(v[event].as_array());
    for entry in list.cloned().unwrap_or_default() {
        let matcher = entry["matcher"].as_str().unwrap_or_default().to_string();
        match entry["hooks"].as_array() {
            Some(hooks) => {
                for h in hooks {
                    out.push((matcher.clone(), h["command"].as_str().unwrap().to_string()));
                }
            }
            None => out.push((matcher, entry["command"].as_str().unwrap().to_string())),
        }
    }
    out
}

#[test]
fn apply_hooks_installs_one_entry_per_harness_and_it_answers() {
    let env = Env::new();
    let o = env.apply_hooks();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let claude = hook_commands(&env.read_json(".claude/settings.json"), "PreToolUse");
    assert_eq!(claude.len(), 1, "{claude:?}");
    assert_eq!(claude[0].0, "Bash");
    // Each entry is pinned to the installation sync wrote.
    let pin = format!(
        " --installation {}",
        env.home().join(".config/policy-exec").display()
    );
    let ours = |cmd: &str, harness: &str| cmd.ends_with(&format!(" hook {harness}{pin}"));
    assert!(ours(&claude[0].1, "claude"), "{claude:?}");
    let droid_file = env.read_json(".factory/hooks.json");
    assert!(droid_file.get("hooks").is_none(), "{droid_file}");
    let droid = hook_commands(&droid_file, "PreToolUse");
    assert_eq!(droid[0].0, "Execute");
    assert!(ours(&droid[0].1, "droid"));
    let codex = hook_commands(&env.read_json(".codex/hooks.json"), "PreToolUse");
    assert!(ours(&codex[0].1, "codex"));
    let cursor = env.read_json(".cursor/hooks.json");
    assert_eq!(cursor["version"], 1);
    let cursor = hook_commands(&cursor, "beforeShellExecution");
    assert!(ours(&cursor[0].1, "cursor"));
    // The installed command answers with the synced policy, even from a HOME that has
    // no installation of its own (the pin), and refuses once that installation is gone.
    let words: Vec<&str> = claude[0].1.split(' ').collect();
    let elsewhere = tempfile::tempdir().unwrap();
    let run_hook = |home: &Path| {
        let mut child = Command::new(words[0])
            .args(&words[1..])
            .env_clear()
            .env("HOME", home)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(
                json!({"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": "/",
                       "tool_input": {"command": "git reset --hard"}})
                .to_string()
                .as_bytes(),
            )
            .unwrap();
        let out = child.wait_with_output().unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let reply = run_hook(elsewhere.path());
    assert_eq!(reply["hookSpecificOutput"]["permissionDecision"], "deny");
    let moved = env.home().join(".config/policy-exec.moved");
    std::fs::rename(env.home().join(".config/policy-exec"), &moved).unwrap();
    let gone = run_hook(env.home().as_path());
    assert_eq!(gone["hookSpecificOutput"]["permissionDecision"], "deny");
    assert!(
        gone["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .contains("the installation this hook was written for"),
        "{gone}"
    );
    std::fs::rename(&moved, env.home().join(".config/policy-exec")).unwrap();
    let reply = run_hook(env.home().as_path());
    assert_eq!(reply["hookSpecificOutput"]["permissionDecision"], "deny");
    assert!(
        reply["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .contains("no-reset-hard")
    );
}

/// Gemini CLI (its settings.json, `BeforeTool` with timeout in ms), Copilot CLI (a file
/// of its own in ~/.copilot/hooks) and OpenCode (the plugin, its command pinned to this
/// binary and installation): installed once, left alone on a second run, and a plugin
/// file that is not ours is refused with nothing touched.
#[test]
fn apply_hooks_installs_gemini_copilot_and_the_opencode_plugin() {
    let env = Env::new();
    let gemini = env.home().join(".gemini/settings.json");
    std::fs::create_dir_all(gemini.parent().unwrap()).unwrap();
    std::fs::write(
        &gemini,
        r#"{"security": {"auth": {"selectedType": "gemini-api-key"}}}"#,
    )
    .unwrap();
    let o = env.apply_hooks();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let install = env.home().join(".config/policy-exec");
    let pin = format!(" --installation {}", install.display());
    let v = env.read_json(".gemini/settings.json");
    assert_eq!(v["security"]["auth"]["selectedType"], "gemini-api-key");
    let entry = &v["hooks"]["BeforeTool"][0];
    assert_eq!(entry["matcher"], "run_shell_command");
    assert_eq!(entry["hooks"][0]["timeout"], 10000);
    assert!(
        entry["hooks"][0]["command"]
            .as_str()
            .unwrap()
            .ends_with(&format!(" hook gemini{pin}")),
        "{v}"
    );
    let v = env.read_json(".copilot/hooks/policy-exec.json");
    assert_eq!(v["version"], 1);
    let entry = &v["hooks"]["preToolUse"][0];
    assert_eq!(entry["type"], "command");
    assert_eq!(entry["timeoutSec"], 10);
    assert!(
        entry["bash"]
            .as_str()
            .unwrap()
            .ends_with(&format!(" hook copilot{pin}")),
        "{v}"
    );
    let plugin = env.home().join(".config/opencode/plugin/policy-exec.js");
    let text = std::fs::read_to_string(&plugin).unwrap();
    let exe = Path::new(env!("CARGO_BIN_EXE_policy-exec"))
        .canonicalize()
        .unwrap();
    let line = format!(
        "const COMMAND = {};",
        json!([exe, "hook", "opencode", "--installation", install])
    );
    assert!(text.lines().any(|l| l == line), "{text}");
    assert!(text.contains("\"tool.execute.before\""), "{text}");
    let before = env.snapshot();
    let o = env.apply_hooks();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(env.snapshot(), before);
    std::fs::write(&plugin, "export const Mine = async () => ({});\n").unwrap();
    let before = env.snapshot();
    let o = env.apply_hooks();
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not policy-exec's OpenCode plugin"),
        "{}",
        stderr(&o)
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn apply_hooks_keeps_the_users_hooks_replaces_stale_ones_and_is_idempotent() {
    let env = Env::new();
    let settings = env.home().join(".claude/settings.json");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(
        &settings,
        json!({"hooks": {"PreToolUse": [
            {"matcher": "Bash", "hooks": [
                {"type": "command", "command": "/home/u/lint-bash.sh"},
                {"type": "command", "command": "/old/place/policy-exec hook claude", "timeout": 10}
            ]},
            {"matcher": "Edit", "hooks": [{"type": "command", "command": "/home/u/edit.sh"}]}
        ], "PostToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "log"}]}]}})
        .to_string(),
    )
    .unwrap();
    let o = env.apply_hooks();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = env.read_json(".claude/settings.json");
    let cmds = hook_commands(&v, "PreToolUse");
    assert_eq!(cmds.len(), 3, "{cmds:?}");
    assert_eq!(cmds[0], ("Bash".into(), "/home/u/lint-bash.sh".into()));
    assert!(cmds[1].1.contains(" hook claude --installation ") && !cmds[1].1.starts_with("/old/"));
    assert_eq!(cmds[2], ("Edit".into(), "/home/u/edit.sh".into()));
    assert_eq!(hook_commands(&v, "PostToolUse").len(), 1);
    // Permissions were merged into the same file.
    assert!(v["permissions"]["deny"].as_array().unwrap().len() == 3);
    let before = env.snapshot();
    let o = env.apply_hooks();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_malformed_hook_file_is_refused_and_nothing_is_touched() {
    let env = Env::new();
    let hooks = env.home().join(".cursor/hooks.json");
    std::fs::create_dir_all(hooks.parent().unwrap()).unwrap();
    std::fs::write(
        &hooks,
        r#"{"hooks": {"beforeShellExecution": {"command": "x"}}}"#,
    )
    .unwrap();
    let before = env.snapshot();
    let o = env.apply_hooks();
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("beforeShellExecution"),
        "{}",
        stderr(&o)
    );
    assert_eq!(env.snapshot(), before);
}

// ---------------------------------------------------------------------------------------
// sync --apply --guards
// ---------------------------------------------------------------------------------------

fn guard_links(env: &Env) -> Vec<String> {
    let dir = env.home().join(".local/share/policy-exec/guards");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn apply_guards_links_the_programs_the_policy_guards_and_refreshes_them() {
    let env = Env::new();
    let p = env.resolve();
    let home = env.home();
    let args = |extra: &[&str]| {
        let mut a = vec![
            "sync",
            "--policy-json",
            p.to_str().unwrap(),
            "--apply",
            "--home",
            home.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| env.run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    // Without --guards and no guard directory: none is created.
    assert_eq!(code(&run(args(&[]))), 0);
    assert!(!env.home().join(".local/share/policy-exec/guards").exists());
    let o = run(args(&["--guards"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(guard_links(&env), ["git", "sudo"]);
    let link = env.home().join(".local/share/policy-exec/guards/git");
    assert_eq!(
        std::fs::canonicalize(&link).unwrap(),
        std::fs::canonicalize(env!("CARGO_BIN_EXE_policy-exec")).unwrap()
    );
    // An explicit list replaces the default; an existing directory is refreshed.
    env.write_tree(&format!("{SYSTEM}enforcement:\n  guards: [git, rm]\n"));
    env.resolve();
    let o = run(args(&[]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(guard_links(&env), ["git", "rm"]);
}

#[test]
fn a_guard_list_naming_a_shell_is_refused() {
    let env = Env::new();
    env.write_tree(&format!("{SYSTEM}enforcement:\n  guards: [bash]\n"));
    let emit = env.path("policy.json");
    let o = env.run(&[
        "resolve",
        "--root",
        env.path("tree").to_str().unwrap(),
        "--harness",
        "codex",
        "--task-domain",
        "default",
        "--emit",
        emit.to_str().unwrap(),
    ]);
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("guards"), "{}", stderr(&o));
}

#[test]
fn apply_installs_the_agents_skill_only_while_proposals_are_enabled() {
    let env = Env::new();
    let skill = env.home().join(".claude/skills/policy-exec/SKILL.md");
    env.write_tree("notes: s");
    let o = env.apply();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!skill.exists(), "proposals are off by default");
    env.write_tree("enforcement:\n  proposals: true");
    let o = env.apply();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(&skill).unwrap();
    assert!(text.contains("policy-exec propose --denial"), "{text}");
    let out = env.run(&["skill"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), text);
    env.write_tree("notes: s");
    let o = env.apply();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!skill.exists(), "removed when proposals are turned off");
}
