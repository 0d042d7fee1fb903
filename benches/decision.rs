//! Benchmarks, reported as ratios against baselines measured in the same run (the
//! machines are shared and noisy):
//!
//! 1. Shell mode (`-c true` through a shim named `bash`, which then execs the real
//!    bash) and `policy-exec check` as whole processes on the default bundle, next to
//!    `bash -c true` (median of many runs each, interleaved).
//! 2. In-process decision time against generated bundles of 100, 1,000 and 10,000 rules:
//!    rules are indexed by program, so time should grow sub-linearly.
//!
//! 3. A cold build of a 20,000-rule policy tree: `resolve` (merge and policy_hash) and
//!    compiling the bundle, in process and as whole `resolve` / `check --root` runs
//!    (28 s and 50 s before the merge and bundle build stopped comparing every pair).
//!
//! Run: `cargo bench --bench decision` (builds the release binary first, the way
//! `install.sh` does: `scripts/release-build.sh`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use policy_exec::git::{Predicate, PredicateValue, RepoState};
use policy_exec::policy::bundle::{Bundle, BundleRule};
use policy_exec::policy::engine;
use policy_exec::policy::policy::Policy;

struct Clean;

impl RepoState for Clean {
    fn predicate(&self, _dir: &Path, _p: Predicate) -> PredicateValue {
        PredicateValue {
            value: Ok(true),
            why: "clean".into(),
        }
    }
    fn git_alias(&self, _dir: &Path, _name: &str) -> Option<String> {
        None
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn run(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let took = start.elapsed();
    assert!(status.code().is_some());
    took
}

fn generated(n: usize) -> Policy {
    let programs = (n / 10).max(1);
    let commands = (0..n)
        .map(|i| {
            let program = format!("tool{}", i % programs);
            let (matcher, pattern) = match i % 3 {
                0 => ("prefix", format!("{program} sub{i}")),
                1 => ("exact", format!("{program} sub{i} --flag")),
                _ => ("glob", format!("{program} sub{i} *")),
            };
            BundleRule {
                id: format!("r{i}"),
                source: "bench".into(),
                action: ["allow", "request", "deny"][i % 3].into(),
                on_mismatch: None,
                matcher: matcher.into(),
                pattern: pattern.clone(),
                normalized_pattern: pattern.clone(),
                conditions: serde_json::json!({"mode": "all", "conditions": []}),
                platform_action: "allow".into(),
                shell_entry: pattern.clone(),
                bash_entry: pattern,
                origin: None,
                refinements: None,
                examples: None,
                reason: None,
                alternative: None,
                exceptions: None,
            }
        })
        .collect();
    let bundle = Bundle {
        schema_version: 1,
        required_conditions: vec![],
        commands,
        enforcement: None,
        policy_hash: None,
        log: None,
        approvals: None,
        ignored_settings: Vec::new(),
        path_rules: Vec::new(),
        bundle_sha256: None,
    };
    Policy::from_bundle(&bundle, "bench").unwrap()
}

/// Writes a policy tree whose system scope holds `n` command rules (prefix, exact and
/// glob in turn, over `n / 10` programs) and whose other scopes add one rule each, so
/// every later scope's merge appends to (and dedups) the long list.
fn large_tree(root: &Path, n: usize) {
    let pc = root.join("policy-config");
    std::fs::create_dir_all(pc.join("harness")).unwrap();
    std::fs::create_dir_all(pc.join("task-domain")).unwrap();
    let mut system = String::from("policy_version: v1\nscope: system\ncommand_rules:\n");
    for i in 0..n {
        let action = ["allow", "request", "deny"][i % 3];
        let matcher = ["prefix", "exact", "glob"][i % 3];
        system.push_str(&format!(
            "  - id: r{i}\n    action: {action}\n    match: {{{matcher}: \"tool{} sub{i}\"}}\n    reason: rule {i}\n",
            i % (n / 10).max(1)
        ));
    }
    std::fs::write(pc.join("system.yaml"), system).unwrap();
    for (file, scope) in [
        ("user.yaml", "user"),
        ("repo.yaml", "repo"),
        ("harness/h.yaml", "harness"),
        ("task-domain/d.yaml", "task_domain"),
    ] {
        std::fs::write(
            pc.join(file),
            format!("policy_version: v1\nscope: {scope}\ncommand_rules:\n  - id: x-{scope}\n    action: deny\n    match: {{prefix: \"zz {scope}\"}}\n"),
        )
        .unwrap();
    }
}

/// Cold resolve and compile of a large tree, in process and as whole commands.
fn large_tree_times(bin: &Path, home: &Path) {
    let n = 20_000;
    let root = home.join("large-tree");
    large_tree(&root, n);
    println!("cold build of a {n}-rule policy tree (median of 5):");
    let (mut resolving, mut compiling, mut resolve_cmd, mut check_cmd) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        let request = policy_exec::resolve::ResolveRequest {
            root: root.clone(),
            harness: "h".into(),
            task_domain: "d".into(),
            task_instance: None,
            system: None,
            user: None,
        };
        let start = Instant::now();
        let resolved = policy_exec::resolve::resolve(&request).unwrap();
        resolving.push(start.elapsed());
        let start = Instant::now();
        let bundle = policy_exec::render::bundle_for(&resolved, &root).unwrap();
        let policy = Policy::from_bundle(&bundle, "bench").unwrap();
        compiling.push(start.elapsed());
        assert_eq!(policy.rules.len(), n + 4);
        let tree = [
            "--root",
            root.to_str().unwrap(),
            "--harness",
            "h",
            "--task-domain",
            "d",
        ];
        resolve_cmd.push(run(Command::new(bin)
            .arg("resolve")
            .args(tree)
            .env_clear()
            .env("HOME", home)));
        check_cmd.push(run(Command::new(bin)
            .arg("check")
            .args(tree)
            .args(["--", "tool7", "sub7"])
            .env_clear()
            .env("HOME", home)));
    }
    for (label, times) in [
        ("resolve (merge + policy_hash), in process", resolving),
        ("bundle build + compile, in process", compiling),
        ("`policy-exec resolve`, whole process", resolve_cmd),
        ("`policy-exec check --root`, whole process", check_cmd),
    ] {
        println!(
            "  {label:<43} {:>8.1} ms",
            median(times).as_secs_f64() * 1e3
        );
    }
}

fn per_decision(policy: &Policy, scripts: &[&str], rounds: usize) -> Duration {
    let start = Instant::now();
    for _ in 0..rounds {
        for s in scripts {
            std::hint::black_box(engine::judge(s, policy, Path::new("/"), &Clean));
        }
    }
    start.elapsed() / u32::try_from(rounds * scripts.len()).unwrap()
}

/// Builds a static C program that does nothing but exec `/bin/bash` with its arguments,
/// when a C compiler can: the cost of any program placed in front of bash.
fn exec_floor(dir: &Path) -> Option<std::path::PathBuf> {
    let src = dir.join("floor.c");
    let out = dir.join("floor");
    std::fs::write(
        &src,
        "#include <unistd.h>\nint main(int c, char **v) { (void)c; execv(\"/bin/bash\", v); return 127; }\n",
    )
    .ok()?;
    let ok = Command::new("cc")
        .args(["-O2", "-static", "-o"])
        .arg(&out)
        .arg(&src)
        .status()
        .ok()?
        .success();
    ok.then_some(out)
}

/// Installs the default policy under `home/.config/policy-exec` the way install.sh does,
/// optionally with the decision log turned off in the user scope.
fn install_default(bin: &Path, home: &Path, log_off: bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = home.join(".config/policy-exec");
    let tree = config.join("policy-config");
    std::fs::create_dir_all(&config).unwrap();
    let copied = Command::new("cp")
        .arg("-R")
        .arg(root.join("bundles/default/policy-config"))
        .arg(&tree)
        .status()
        .unwrap();
    assert!(copied.success());
    if log_off {
        let user = tree.join("user.yaml");
        let mut text = std::fs::read_to_string(&user).unwrap();
        text.push_str("\nlog:\n  enabled: false\n");
        std::fs::write(&user, text).unwrap();
    }
    let out = Command::new(bin)
        .args(["resolve", "--root"])
        .arg(&config)
        .args([
            "--harness",
            "default",
            "--task-domain",
            "default",
            "--emit-host-rules",
            "--host-out-dir",
        ])
        .arg(&config)
        .env_clear()
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    // The binary as install.sh builds it (static-pie where the toolchain can).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let built = Command::new(root.join("scripts/release-build.sh"))
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let built = root.join(String::from_utf8_lossy(&built.stdout).trim());
    let home = tempfile::tempdir().unwrap();
    // Measured as installed: install.sh copies the binary, and a copy's pages sit in the
    // page cache the way a written file's do. The linker's own output (written through
    // a mapping) and a binary evicted and read back by readahead both start about
    // 0.1 ms slower with the same page faults (more work per fault on smaller folios):
    // the README reports that state too.
    let bin = home.path().join("bin/policy-exec");
    std::fs::create_dir_all(home.path().join("bin")).unwrap();
    std::fs::copy(&built, &bin).unwrap();
    println!("binary: {} (a copy of {})", bin.display(), built.display());

    // A small real repository, so the conditional rule opens it and computes status.
    let repo = home.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["commit", "-q", "--allow-empty", "-m", "i"],
    ] {
        let ok = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("HOME", home.path())
            .env("GIT_AUTHOR_NAME", "b")
            .env("GIT_AUTHOR_EMAIL", "b@example.com")
            .env("GIT_COMMITTER_NAME", "b")
            .env("GIT_COMMITTER_EMAIL", "b@example.com")
            .status()
            .unwrap();
        assert!(ok.success());
    }

    // The default policy installed twice, as install.sh does: once as is (the decision
    // log on, its default) and once with `log: {enabled: false}` in the user scope, so
    // the log's cost is measured side by side in the same run.
    let home_off = tempfile::tempdir().unwrap();
    install_default(&bin, home.path(), false);
    install_default(&bin, home_off.path(), true);

    // 1. Whole-process check vs bash -c true, interleaved so noise hits both alike.
    let rounds = 200;
    let shim_dir = home.path().join("shims");
    std::fs::create_dir_all(&shim_dir).unwrap();
    let shim = shim_dir.join("bash");
    std::os::unix::fs::symlink(&bin, &shim).unwrap();
    let guards = home.path().join("guards");
    std::fs::create_dir_all(&guards).unwrap();
    std::os::unix::fs::symlink(&bin, guards.join("git")).unwrap();
    let guard_path = format!("{}:/usr/bin:/bin", guards.display());
    let (mut plain, mut git, mut bash, mut shell) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut git_direct, mut git_guarded) = (Vec::new(), Vec::new());
    let mut shell_log_off = Vec::new();
    let mut typed = Vec::new();
    let mut true_bin = Vec::new();
    // The floor for any shim: a static C program that only execs bash with its argv.
    let floor = exec_floor(home.path());
    let mut floor_times = Vec::new();
    for _ in 0..rounds {
        shell_log_off.push(run(Command::new(&shim)
            .args(["-c", "true"])
            .env_clear()
            .env("HOME", home_off.path())));
        // Every baseline gets the environment the shim and `check` get: bash started with
        // the bench's own environment took about 0.19 ms longer than with `HOME` alone
        // (its `LANG` makes bash load a locale), which flattered every "over bash" figure.
        bash.push(run(Command::new("/bin/bash")
            .args(["-c", "true"])
            .env_clear()
            .env("HOME", home.path())));
        true_bin.push(run(Command::new("/bin/true")
            .env_clear()
            .env("HOME", home.path())));
        if let Some(f) = &floor {
            floor_times.push(run(Command::new(f)
                .args(["-c", "true"])
                .env_clear()
                .env("HOME", home.path())));
        }
        git_direct.push(run(Command::new("/usr/bin/git")
            .arg("--version")
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", home.path())));
        git_guarded.push(run(Command::new(guards.join("git"))
            .arg("--version")
            .env_clear()
            .env("PATH", &guard_path)
            .env("HOME", home.path())));
        shell.push(run(Command::new(&shim)
            .args(["-c", "true"])
            .env_clear()
            .env("HOME", home.path())));
        plain.push(run(Command::new(&bin)
            .args([
                "check",
                "--cwd",
                "/",
                "--command",
                "git status && ls -la | head",
            ])
            .env_clear()
            .env("HOME", home.path())));
        // The form people and most integrations type: the command as one word.
        typed.push(run(Command::new(&bin)
            .args(["check", "git status && ls -la | head"])
            .current_dir("/")
            .env_clear()
            .env("HOME", home.path())));
        git.push(run(Command::new(&bin)
            .args(["check", "--cwd"])
            .arg(&repo)
            .args(["--command", "git checkout main"])
            .env_clear()
            .env("HOME", home.path())));
    }
    let bash = median(bash);
    let true_bin = median(true_bin);
    println!("whole process, median of {rounds}:");
    println!(
        "  bash -c true                                {:>8.3} ms",
        bash.as_secs_f64() * 1e3
    );
    println!(
        "  /bin/true                                   {:>8.3} ms",
        true_bin.as_secs_f64() * 1e3
    );
    if !floor_times.is_empty() {
        let f = median(floor_times);
        println!(
            "  a static C program that only execs bash     {:>8.3} ms  ({:+.3} ms: the floor for any shim)",
            f.as_secs_f64() * 1e3,
            (f.as_secs_f64() - bash.as_secs_f64()) * 1e3
        );
    }
    let check_plain = median(plain.clone());
    println!(
        "  check (no predicate) vs /bin/true           {:.2}x",
        check_plain.as_secs_f64() / true_bin.as_secs_f64()
    );
    for (label, times) in [
        ("shell mode: `bash -c true` via the shim", shell.clone()),
        ("check, no predicate needed", plain.clone()),
        ("the same as `check '<command>'`", typed),
        ("check `git checkout main` in a clean repo", git),
    ] {
        let t = median(times);
        println!(
            "  {label:<43} {:>8.3} ms  ({:.2}x bash, {:+.3} ms)",
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() / bash.as_secs_f64(),
            (t.as_secs_f64() - bash.as_secs_f64()) * 1e3
        );
    }

    let (on, off) = (median(shell), median(shell_log_off));
    println!(
        "  shell mode, decision log off                {:>8.3} ms  (the log costs {:+.1} µs at the median)",
        off.as_secs_f64() * 1e3,
        (on.as_secs_f64() - off.as_secs_f64()) * 1e6
    );

    // 2. In-process decision time by bundle size.
    let scripts = [
        "tool7 sub77 --flag",
        "git status && tool3 sub3 x | grep y",
        "bash -c 'tool5 sub995 a b' ; echo done",
    ];
    let (direct, guarded) = (median(git_direct), median(git_guarded));
    println!(
        "  `git --version` direct                      {:>8.3} ms\n  `git --version` through its exec guard       {:>8.3} ms  ({:+.3} ms)",
        direct.as_secs_f64() * 1e3,
        guarded.as_secs_f64() * 1e3,
        (guarded.as_secs_f64() - direct.as_secs_f64()) * 1e3
    );
    // 3. Cold build of a large tree.
    large_tree_times(&bin, home.path());

    println!("in-process decision time (3 scripts, mean per script):");
    let mut base = None;
    for n in [100usize, 1_000, 10_000] {
        let policy = generated(n);
        per_decision(&policy, &scripts, 50); // warm up
        let t = per_decision(&policy, &scripts, 500);
        let ratio = t.as_secs_f64() / base.get_or_insert(t).as_secs_f64();
        println!(
            "  {n:>6} rules  {:>8.1} µs  ({ratio:.2}x the 100-rule time)",
            t.as_secs_f64() * 1e6
        );
    }
    log_write_time(home.path());
}

/// The decision log's share of a judgement, in process (steadier than two whole-process
/// medians on a noisy machine): the same evaluation recorded 2,000 times into a day file,
/// median per line, next to the median of building the line alone.
fn log_write_time(dir: &Path) {
    use policy_exec::log::{DecisionId, Judgement, Mode, Store};
    let policy = match policy_exec::policy::load::embedded() {
        policy_exec::policy::load::Loaded::Ready(p) => p,
        policy_exec::policy::load::Loaded::Failed { message, .. } => panic!("{message}"),
    };
    let cwd = std::env::current_dir().unwrap();
    let script = "git status && ls -la | head";
    let eval = engine::judge(script, &policy, &cwd, &Clean);
    let store = Store::at(dir.join("log-bench"));
    let (mut build, mut write) = (Vec::new(), Vec::new());
    for _ in 0..2_000 {
        let start = Instant::now();
        let at = policy_exec::log::Instant::now();
        let id = DecisionId::new(at);
        let line = Judgement {
            id: &id,
            at,
            mode: Mode::Shell,
            harness: None,
            script,
            cwd: &cwd,
            decision: eval.decision,
            asked: None,
            reason: "bench",
            eval: Some(&eval),
            policy: Some(&policy),
            deferred_to_guards: false,
        }
        .line();
        build.push(start.elapsed());
        store.append(&at.day(), &line).unwrap();
        write.push(start.elapsed());
    }
    println!(
        "decision log, in process (median of 2000): build the line {:.1} µs, build and append it {:.1} µs",
        median(build).as_secs_f64() * 1e6,
        median(write).as_secs_f64() * 1e6
    );
}
