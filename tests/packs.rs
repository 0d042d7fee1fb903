//! Rule packs: every pack builds, every rule's examples hold, every pack's test file
//! (`bundles/packs/tests/<name>.yaml`, which includes a table of everyday commands that
//! must stay allowed) passes with all packs enabled, and `packs` merges as a union.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use policy_exec::packs;
use policy_exec::policy::bundle;
use policy_exec::policy::policy::Policy;
use serde_json::json;

fn all_packs_policy() -> Policy {
    let names: Vec<&str> = packs::names().collect();
    let b = bundle::build(&json!({ "packs": names }), &[], None).unwrap();
    Policy::from_bundle(&b, "all packs").unwrap()
}

#[test]
fn every_pack_rule_has_a_reason_and_examples_that_hold() {
    let policy = all_packs_policy();
    let failures = policy_exec::policy::examples::failures(&policy);
    assert!(failures.is_empty(), "{failures:#?}");
    for rule in &policy.rules {
        assert!(rule.reason.is_some(), "rule {} has no reason", rule.id);
        assert!(
            !rule.examples_match.is_empty(),
            "rule {} has no match examples",
            rule.id
        );
        assert_eq!(rule.origin.scope, "pack", "{}", rule.id);
    }
}

#[test]
fn an_unknown_pack_is_an_error_naming_the_known_ones() {
    let err = bundle::build(&json!({ "packs": ["git", "dockr"] }), &[], None).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`dockr`"), "{text}");
    assert!(text.contains("filesystem, disk"), "{text}");
}

const BIN: &str = env!("CARGO_BIN_EXE_policy-exec");

fn run(args: &[&str], home: &std::path::Path) -> (i32, String, String) {
    let out = std::process::Command::new(BIN)
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The default policy with every pack enabled, in a temp dir.
fn default_tree_with_all_packs(dir: &std::path::Path) -> std::path::PathBuf {
    let root = dir.join("policy");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/default");
    copy_tree(&source.join("policy-config"), &root.join("policy-config"));
    let system = root.join("policy-config/system.yaml");
    let text = std::fs::read_to_string(&system).unwrap();
    let all: Vec<&str> = packs::names().collect();
    let line = "packs: [git, filesystem, disk, privilege, secrets]";
    assert!(
        text.contains(line),
        "the default system.yaml no longer says `{line}`"
    );
    std::fs::write(
        &system,
        text.replace(line, &format!("packs: [{}]", all.join(", "))),
    )
    .unwrap();
    root
}

#[test]
fn every_pack_test_file_passes_with_all_packs_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let root = default_tree_with_all_packs(dir.path());
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/packs/tests");
    let mut files: Vec<String> = Vec::new();
    for name in packs::names() {
        let file = tests.join(format!("{name}.yaml"));
        assert!(
            file.is_file(),
            "pack `{name}` has no test file {}",
            file.display()
        );
        files.push(file.display().to_string());
    }
    let root_text = root.display().to_string();
    let mut args = vec!["test", "--root", root_text.as_str()];
    args.extend(files.iter().map(String::as_str));
    let (code, stdout, stderr) = run(&args, &home);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn each_pack_test_file_has_a_table_of_everyday_commands_that_stay_allowed() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/packs/tests");
    for name in packs::names() {
        let cases =
            policy_exec::govern::policy_test::read_cases(&tests.join(format!("{name}.yaml")))
                .unwrap();
        let allowed = cases.iter().filter(|c| c.expect == "allow").count();
        let refused = cases.len() - allowed;
        assert!(
            allowed >= 8,
            "pack `{name}` tests only {allowed} everyday commands"
        );
        assert!(refused >= 3, "pack `{name}` tests only {refused} refusals");
    }
}

#[test]
fn init_with_all_packs_scaffolds_a_tree_that_validates() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tree");
    let target_text = target.display().to_string();
    let (code, _, stderr) = run(&["init", &target_text, "--packs", "all"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let system = std::fs::read_to_string(target.join("policy-config/system.yaml")).unwrap();
    let all: Vec<&str> = packs::names().collect();
    assert!(
        system.contains(&format!("packs: [{}]", all.join(", "))),
        "{system}"
    );
    let (code, stdout, stderr) = run(&["validate", "--root", &target_text], dir.path());
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, _, stderr) = run(
        &["init", &target_text, "--packs", "git,nope", "--force"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown pack `nope`"), "{stderr}");
}

#[test]
fn packs_lists_every_pack_with_its_rule_count_and_default() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(&["packs", "--json"], dir.path());
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), packs::PACKS.len());
    let git = list.iter().find(|p| p["name"] == "git").unwrap();
    assert_eq!(git["default"], true);
    assert!(git["rules"].as_u64().unwrap() >= 30);
}

#[test]
fn a_policy_test_mismatch_exits_1_with_the_reason_and_a_bad_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.yaml");
    std::fs::write(
        &file,
        "- {command: git status, expect: allow}\n- {command: git checkout main, expect: request, state: dirty}\n- {command: git reset --hard, expect: allow, note: wrong on purpose}\n",
    )
    .unwrap();
    let bundle = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bundles/default/policy-wrapper-rules.json");
    let (bundle, file) = (bundle.display().to_string(), file.display().to_string());
    let (code, stdout, _) = run(&["test", "--bundle", &bundle, &file], dir.path());
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("case 3: `git reset --hard`"), "{stdout}");
    assert!(stdout.contains("expected allow, got deny"), "{stdout}");
    assert!(stdout.contains("no-reset-hard"), "{stdout}");
    assert!(stdout.contains("2 passed, 1 failed"), "{stdout}");
    std::fs::write(
        dir.path().join("bad.yaml"),
        "- {command: ls, expect: maybe}\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.yaml").display().to_string();
    let (code, _, stderr) = run(&["test", "--bundle", &bundle, &bad], dir.path());
    assert_eq!(code, 2, "{stderr}");
}

// Path-aware `args`: `*` stops at `/`, `**` crosses it; the `glob` matcher keeps fnmatch.

fn judge_with_rule(rule: serde_json::Value, script: &str) -> policy_exec::policy::Decision {
    let b = bundle::build(&json!({ "command_rules": [rule] }), &[], None).unwrap();
    let policy = Policy::from_bundle(&b, "test").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let repo = policy_exec::git::Git2RepoState::with_home(Some(dir.path().join("home")));
    policy_exec::policy::engine::judge(script, &policy, dir.path(), &repo).decision
}

#[rstest::rstest]
#[case("rm -rf target", "allow")]
#[case("rm -rf ./target/debug", "allow")]
#[case("rm -rf /", "deny")]
#[case("rm -rf //", "deny")]
#[case("rm -rf /usr", "deny")]
#[case("rm -rf /*", "deny")]
#[case("rm -rf /usr/lib", "allow")]
fn a_root_rule_written_with_a_single_star_means_the_entries_of_root(
    #[case] script: &str,
    #[case] want: &str,
) {
    let rule = json!({
        "id": "no-rm-root", "action": "deny",
        "match": {"prefix": "rm", "flags": ["-r", "-R", "--recursive"], "args": ["/", "/*"]}
    });
    assert_eq!(judge_with_rule(rule, script).as_str(), want, "{script}");
}

#[rstest::rstest]
#[case("rm -rf /usr/lib/x", "deny")]
#[case("rm -rf a/b/.git", "deny")]
#[case("rm -rf target", "allow")]
fn a_double_star_crosses_slashes(#[case] script: &str, #[case] want: &str) {
    let rule = json!({
        "id": "deep", "action": "deny",
        "match": {"prefix": "rm", "args": ["/usr/**", "**/.git"]}
    });
    assert_eq!(judge_with_rule(rule, script).as_str(), want, "{script}");
}
