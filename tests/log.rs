#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The decision log end to end: the real binary in every mode (shell, guard, hook,
//! `check`) with a cleared environment and a private `HOME`, the records it leaves, the
//! views (`log denials|show|tail|export --ocsf`), redaction in the file, `log.required`,
//! and many writers at once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use policy_exec::log::{self, Audit, Mode};
use policy_exec::policy::load::Locator;
use serde_json::{Value, json};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_policy-exec");

/// A private HOME with `bin/bash` and `bin/git` linked to policy-exec.
struct Env {
    tmp: TempDir,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        for dir in ["home", "work", "bin"] {
            std::fs::create_dir_all(tmp.path().join(dir)).unwrap();
        }
        for name in ["bash", "git"] {
            std::os::unix::fs::symlink(BIN, tmp.path().join("bin").join(name)).unwrap();
        }
        Env { tmp }
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn work(&self) -> PathBuf {
        self.tmp.path().join("work")
    }

    fn log_dir(&self) -> PathBuf {
        self.home().join(".local/state/policy-exec/log")
    }

    fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .current_dir(self.work())
            .stdin(Stdio::null());
        cmd
    }

    /// The shim as `bash -c script`, in its own session (no terminal to prompt on).
    fn shell(&self, script: &str) -> Output {
        let mut cmd = self.cmd("/usr/bin/setsid");
        cmd.arg("-w")
            .arg(self.tmp.path().join("bin/bash"))
            .args(["-c", script]);
        cmd.output().unwrap()
    }

    fn exe(&self, args: &[&str]) -> Output {
        let mut cmd = self.cmd(BIN);
        cmd.args(args);
        cmd.output().unwrap()
    }

    fn hook(&self, payload: &Value) -> Output {
        let mut cmd = self.cmd(BIN);
        cmd.args(["hook", "claude"]).stdin(Stdio::piped());
        let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(payload.to_string().as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Every record in the log, oldest first.
    fn records(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.log_dir()) else {
            return out;
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            for line in std::fs::read_to_string(f).unwrap().lines() {
                out.push(serde_json::from_str(line).unwrap());
            }
        }
        out
    }

    /// A user scope with these `log` settings, installed the way `sync --apply` does.
    fn install_user_log(&self, log: Value) {
        let root = self.tmp.path().join("tree");
        let cfg = root.join("policy-config");
        for d in ["harness", "task-domain"] {
            std::fs::create_dir_all(cfg.join(d)).unwrap();
        }
        let scope = |s: &str, extra: &str| {
            format!(
                "policy_version: v1\nscope: {s}\ncommand_rules:\n  - id: {s}-rule\n    action: deny\n    match: {{prefix: \"{s}-nope\"}}\n{extra}"
            )
        };
        std::fs::write(cfg.join("system.yaml"), scope("system", "")).unwrap();
        std::fs::write(
            cfg.join("user.yaml"),
            scope("user", &format!("log: {log}\n")),
        )
        .unwrap();
        // A repository scope cannot turn the log off: ignored.
        std::fs::write(
            cfg.join("repo.yaml"),
            scope("repo", "log: {enabled: false}\n"),
        )
        .unwrap();
        std::fs::write(cfg.join("harness/h.yaml"), scope("harness", "")).unwrap();
        std::fs::write(cfg.join("task-domain/d.yaml"), scope("task_domain", "")).unwrap();
        let config = self.home().join(".config/policy-exec");
        std::fs::create_dir_all(&config).unwrap();
        let out = self.exe(&[
            "resolve",
            "--root",
            root.to_str().unwrap(),
            "--harness",
            "h",
            "--task-domain",
            "d",
            "--emit-host-rules",
            "--host-out-dir",
            config.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{out:?}");
    }
}

/// The refusal JSON a run printed on stderr (its last line).
fn refusal(out: &Output) -> Value {
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {err}"))
}

#[test]
fn every_mode_writes_one_line_per_judgement_and_refusal_ids_resolve() {
    let env = Env::new();
    // Shell mode: an allow and a deny.
    let out = env.shell("echo hi");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = env.shell("git reset --hard HEAD~1");
    assert_eq!(out.status.code(), Some(126), "{out:?}");
    let shell_id = refusal(&out)["denial_id"].as_str().unwrap().to_string();
    // A guard (a link named git): a deny.
    let mut guard = env.cmd(env.tmp.path().join("bin/git"));
    guard.args(["push", "--force"]);
    let out = guard.output().unwrap();
    assert_eq!(out.status.code(), Some(126), "{out:?}");
    let guard_id = refusal(&out)["denial_id"].as_str().unwrap().to_string();
    // A hook: a deny.
    let payload = json!({
        "hook_event_name": "PreToolUse", "tool_name": "Bash", "session_id": "s",
        "cwd": env.work(), "tool_input": {"command": "git clean -fdx"},
    });
    let out = env.hook(&payload);
    assert!(out.status.success(), "{out:?}");
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = reply["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap();
    let hook_json: Value = serde_json::from_str(reason.lines().last().unwrap()).unwrap();
    let hook_id = hook_json["denial_id"].as_str().unwrap().to_string();
    // check: a deny, with its id in the JSON.
    let out = env.exe(&["check", "--json", "--", "git push -f origin main"]);
    assert_eq!(out.status.code(), Some(2));
    let check: Value = serde_json::from_slice(&out.stdout).unwrap();
    let check_id = check["decision_id"].as_str().unwrap().to_string();
    // explain judges nothing: no line.
    env.exe(&["explain", "rm -rf /"]);

    let records = env.records();
    let modes: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r["mode"].as_str().unwrap(), r["decision"].as_str().unwrap()))
        .collect();
    assert_eq!(
        modes,
        [
            ("shell", "allow"),
            ("shell", "deny"),
            ("guard", "deny"),
            ("hook", "deny"),
            ("check", "deny")
        ],
        "{records:#?}"
    );
    assert_eq!(records[3]["harness"], "claude");
    for (id, script) in [
        (&shell_id, "git reset --hard HEAD~1"),
        (&guard_id, "'git' 'push' '--force'"),
        (&hook_id, "git clean -fdx"),
        (&check_id, "git push -f origin main"),
    ] {
        let out = env.exe(&["log", "show", "--json", id]);
        assert!(out.status.success(), "{id}: {out:?}");
        let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(shown["id"], id.as_str());
        assert_eq!(shown["script"], script);
        assert_eq!(shown["v"], 1);
        let cmd = &shown["commands"][0];
        assert_eq!(cmd["argv_sha256"].as_str().unwrap().len(), 64);
        assert!(cmd["rule"]["id"].is_string(), "{shown}");
    }
    let out = env.exe(&["log", "show", "20261204-000000-0000000000"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn refusal_v2_fields_are_in_shell_mode_refusals() {
    let env = Env::new();
    let out = env.shell("git reset --hard");
    let json = refusal(&out);
    assert_eq!(json["error"], "policy_denied");
    assert_eq!(json["proposals"], "disabled");
    assert!(json["agent_guidance"].as_str().unwrap().len() > 20);
    let actions = json["actions"].as_array().unwrap();
    let names: Vec<&str> = actions
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["explain", "recent_denials"]);
    // Each action runs as given.
    for a in actions {
        let argv: Vec<String> = a["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect();
        assert_eq!(argv[0], "policy-exec");
        let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
        let out = env.exe(&args);
        assert!(out.status.success() || out.status.code() == Some(2), "{a}");
        assert!(!out.stdout.is_empty(), "{a}");
    }
    // A script that does not parse: fix the syntax, and the script is shown.
    let out = env.shell("echo 'unclosed");
    assert_eq!(out.status.code(), Some(126));
    let json = refusal(&out);
    assert_eq!(json["error"], "script_unparsable");
    assert_eq!(json["command"], "echo 'unclosed");
    let steps = json["next_steps"].to_string();
    assert!(steps.contains("fix the quoting"), "{steps}");
    assert!(!steps.contains("forbids"), "{steps}");
}

#[test]
fn a_rules_alternative_is_offered() {
    let env = Env::new();
    let bundle = env.tmp.path().join("b.json");
    let rule = json!({"id": "no-reset", "source": "command_rules", "action": "deny",
        "on_mismatch": null, "matcher": "prefix", "pattern": "git reset", "normalized_pattern": "git reset",
        "conditions": {"mode": "all", "conditions": []}, "platform_action": "deny",
        "shell_entry": "git reset", "bash_entry": "git reset", "alternative": "git stash"});
    std::fs::write(
        &bundle,
        json!({"schema_version": 1, "required_conditions": [], "commands": [rule]}).to_string(),
    )
    .unwrap();
    let manifest = env.tmp.path().join("m.json");
    std::fs::write(
        &manifest,
        json!({"schema_version": 1, "bundle_path": bundle}).to_string(),
    )
    .unwrap();
    let mut cmd = env.cmd("/usr/bin/setsid");
    cmd.env("POLICY_EXEC_MANIFEST", &manifest)
        .arg("-w")
        .arg(env.tmp.path().join("bin/bash"))
        .args(["-c", "git reset --hard"]);
    let json = refusal(&cmd.output().unwrap());
    assert_eq!(json["alternative"], "git stash");
    assert!(
        json["next_steps"]
            .to_string()
            .contains("a safe alternative: `git stash`"),
        "{json}"
    );
}

#[test]
fn secrets_are_redacted_in_the_log_file() {
    let env = Env::new();
    let secrets = [
        "ghp_0123456789abcdefghijABCDEFGHIJ",
        "hunter2pass",
        "s3cr3tQuery",
        "AKIAIOSFODNN7EXAMPLE",
    ];
    let script = format!(
        "curl 'https://me:{}@h.io/x?sig={}' && GITHUB_TOKEN={} gh pr list && aws --profile x --token {} s3 ls",
        secrets[1], secrets[2], secrets[0], secrets[3]
    );
    env.exe(&["check", "--", &script]);
    let text = std::fs::read_to_string(
        std::fs::read_dir(env.log_dir())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap();
    for s in secrets {
        assert!(!text.contains(s), "{s} leaked: {text}");
    }
    assert!(text.contains("[redacted]"));
}

#[test]
fn log_settings_come_from_the_user_scope_and_a_repo_scope_cannot_turn_it_off() {
    let env = Env::new();
    let dir = env.tmp.path().join("elsewhere");
    env.install_user_log(json!({"dir": dir}));
    let out = env.exe(&["check", "--", "ls"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        std::fs::read_dir(&dir).unwrap().count() == 1,
        "log.dir from the user scope is used"
    );
    assert!(
        !env.log_dir().exists(),
        "nothing in the default place either"
    );
}

#[test]
fn a_required_log_that_cannot_be_written_turns_an_allow_into_a_deny() {
    let env = Env::new();
    // A file where the log directory should be: nothing can be created under it.
    let blocker = env.tmp.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    env.install_user_log(json!({"dir": blocker.join("log"), "required": true}));
    let marker = env.work().join("MARKER");
    let out = env.shell(&format!("touch {}", marker.display()));
    assert_eq!(out.status.code(), Some(126), "{out:?}");
    assert!(!marker.exists());
    let json = refusal(&out);
    assert_eq!(json["error"], "log_unavailable");
    assert_eq!(json["decision"], "deny");
    let out = env.exe(&["check", "--", "ls"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    // Not required: it runs, with exactly one warning.
    env.install_user_log(json!({"dir": blocker.join("log")}));
    let out = env.shell(&format!("touch {}", marker.display()));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(marker.exists());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("warning") && err.contains("decision log"),
        "{err}"
    );
}

/// Writes a record by hand, as the log would.
fn record(id: &str, ts: &str, decision: &str, script: &str, cwd: &str) -> String {
    json!({"v": 1, "id": id, "ts": ts, "mode": "shell", "harness": null, "decision": decision,
        "asked": null, "script": script, "commands": [{"text": script, "decision": decision,
        "argv_sha256": "0", "rule": {"id": "r", "scope": "system", "path": "s.yaml"}, "predicates": [], "grant": null}],
        "reason": "because", "cwd": cwd, "repo": null, "policy_hash": "h", "pid": 1, "ppid": 1, "tty": null})
    .to_string()
}

#[test]
fn denials_are_newest_first_across_days_and_bounded() {
    let env = Env::new();
    let dir = env.log_dir();
    let out = env.exe(&["log", "denials", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["log_available"], false);
    assert!(v["note"].as_str().unwrap().contains("no decision log"));

    // Two recent days; the log verbs keep them (retention 14 days).
    let now = log::Instant::now();
    let day = |back: u64| now.minus(std::time::Duration::from_secs(back * 86_400));
    let (yesterday, today) = (day(1), day(0));
    std::fs::create_dir_all(&dir).unwrap();
    let mut old = String::new();
    for i in 0..80 {
        let ts = yesterday.rfc3339();
        old += &record(
            &format!("y{i:03}"),
            &ts,
            "deny",
            &format!("rm -rf y{i}"),
            "/w/a",
        );
        old.push('\n');
    }
    old += &record("y-allow", &yesterday.rfc3339(), "allow", "ls", "/w/a");
    old.push('\n');
    std::fs::write(
        dir.join(format!("decisions-{}.jsonl", yesterday.day())),
        old,
    )
    .unwrap();
    let mut new = String::new();
    for i in 0..80 {
        new += &record(
            &format!("t{i:03}"),
            &today.rfc3339(),
            "request",
            &format!("sudo t{i}"),
            "/w/b/c",
        );
        new.push('\n');
    }
    new += "{not json\n";
    std::fs::write(dir.join(format!("decisions-{}.jsonl", today.day())), new).unwrap();
    // One far past the retention: removed by the log verbs.
    let ancient = dir.join("decisions-2001-01-01.jsonl");
    std::fs::write(
        &ancient,
        record("a", "2001-01-01T00:00:00Z", "deny", "x", "/"),
    )
    .unwrap();

    let denials = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["log", "denials", "--json"];
        all.extend_from_slice(args);
        let out = env.exe(&all);
        assert!(out.status.success(), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["log_available"], true);
        v["denials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        denials(&[]),
        (70..80)
            .rev()
            .map(|i| format!("t{i:03}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(denials(&["--last", "0"]), ["t079"]);
    let hundred = denials(&["--last", "999"]);
    assert_eq!(hundred.len(), 100);
    assert_eq!(hundred[79], "t000");
    assert_eq!(hundred[80], "y079", "the older day follows, newest first");
    assert_eq!(
        denials(&["--cwd", "/w/a", "--last", "3"]),
        ["y079", "y078", "y077"]
    );
    assert_eq!(denials(&["--since", "2h", "--last", "100"]).len(), 80);
    assert!(!ancient.exists(), "files past the retention are removed");

    let out = env.exe(&["log", "denials", "--since", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn ocsf_export_matches_the_ocsf_class_shapes() {
    let env = Env::new();
    env.shell("echo ok");
    env.shell("git reset --hard");
    env.exe(&["check", "--", "sudo ls"]);
    // An event line, as proposals and grants will write.
    let day = log::Instant::now();
    std::fs::write(
        env.log_dir().join(format!("decisions-{}.jsonl", day.day())),
        {
            let mut t = std::fs::read_to_string(
                env.log_dir().join(format!("decisions-{}.jsonl", day.day())),
            )
            .unwrap();
            t += &json!({"v": 1, "id": "e1", "ts": day.rfc3339(), "event": "grant_created", "reason": "approved"}).to_string();
            t.push('\n');
            t
        },
    )
    .unwrap();
    let out = env.exe(&["log", "export", "--ocsf"]);
    assert!(out.status.success(), "{out:?}");
    let schema = |name: &str| {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/ocsf")
                .join(name),
        )
        .unwrap();
        jsonschema::draft202012::new(&serde_json::from_str::<Value>(&text).unwrap()).unwrap()
    };
    let process = schema("process_activity.schema.json");
    let config = schema("device_config_state_change.schema.json");
    let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 4);
    let mut dispositions = Vec::new();
    for e in &events {
        let validator = if e["class_uid"] == 1007 {
            &process
        } else {
            &config
        };
        let errors: Vec<String> = validator.iter_errors(e).map(|x| x.to_string()).collect();
        assert!(errors.is_empty(), "{e:#}: {errors:?}");
        dispositions.push(e["disposition"].as_str().unwrap_or("-").to_string());
    }
    assert_eq!(dispositions, ["Allowed", "Blocked", "Blocked", "-"]);
    assert_eq!(events[3]["class_uid"], 5019);
    // The wrong class for an event is caught by the fixtures.
    assert!(!config.is_valid(&events[0]));
}

/// One worker process of the parallel test: judges and logs `n` commands through the
/// library, as `check` does.
fn parallel_worker(n: usize) {
    let policy = match Locator::default().load() {
        policy_exec::policy::load::Loaded::Ready(p) => p,
        policy_exec::policy::load::Loaded::Failed { message, .. } => panic!("{message}"),
    };
    let cwd = std::env::current_dir().unwrap();
    let pid = std::process::id();
    // Long lines make interleaving visible if writes were ever split.
    let padding = "x".repeat(1500);
    for i in 0..n {
        let script = format!("echo {pid}-{i} {padding}");
        let eval = policy_exec::policy::engine::judge(
            &script,
            &policy,
            &cwd,
            &policy_exec::git::Git2RepoState::with_home(None),
        );
        let audit = Audit::new(Mode::Check, None, &script, &cwd);
        match audit.evaluated(&eval, &policy, None, false) {
            log::Outcome::Written => {}
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn sixteen_processes_writing_at_once_lose_and_mix_no_line() {
    if let Ok(n) = std::env::var("POLICY_EXEC_LOG_WORKER") {
        parallel_worker(n.parse().unwrap());
        return;
    }
    let env = Env::new();
    let me = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..16)
        .map(|_| {
            Command::new(&me)
                .args([
                    "--exact",
                    "sixteen_processes_writing_at_once_lose_and_mix_no_line",
                    "--nocapture",
                ])
                .env_clear()
                .env("HOME", env.home())
                .env("POLICY_EXEC_LOG_WORKER", "1000")
                .current_dir(env.work())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let records = env.records();
    assert_eq!(records.len(), 16_000);
    let mut seen = std::collections::HashSet::new();
    for r in &records {
        let script = r["script"].as_str().unwrap();
        let tag = script.split_whitespace().nth(1).unwrap().to_string();
        assert!(seen.insert(tag), "duplicate line {script}");
        assert!(script.ends_with('x'));
    }
}

/// The refusal's `actions` are pinned here, and each parses with the CLI's own
/// definitions: a renamed subcommand or flag fails this test instead of handing agents a
/// command that does not exist.
#[test]
fn refusal_actions_are_pinned_and_parse_with_the_cli() {
    let actions = policy_exec::cli::agent_actions("git push --force", false, None);
    assert_eq!(
        Value::Array(actions.clone()),
        json!([
            {"action": "explain", "argv": ["policy-exec", "explain", "--command=git push --force"]},
            {"action": "recent_denials", "argv": ["policy-exec", "log", "denials", "--last=5", "--json"]},
        ])
    );
    for a in &actions {
        let argv: Vec<String> = a["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect();
        policy_exec::cli::parses(&argv).unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    // A command that starts with a dash is still the explain action's value.
    let odd = policy_exec::cli::agent_actions("-rf /", false, None);
    let argv: Vec<String> = odd[0]["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    policy_exec::cli::parses(&argv).unwrap();
}
