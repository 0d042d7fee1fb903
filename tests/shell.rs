#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Shell mode end to end: the real binary, reached through a symlink named `bash`, with a
//! cleared environment and an empty `HOME` (so the embedded default policy applies unless
//! a test writes its own bundle).
//!
//! Four kinds of checks:
//! - differential: the same argv, stdin and environment run through the shim and through
//!   `/bin/bash` directly must give byte-identical stdout and stderr and the same status
//!   (a shim that adds a process, buffers, or misreads bash's argv shows up here);
//! - refusals: exit 126, one human line and one JSON line, and nothing run;
//! - the prompt, driven through a real pseudo-terminal by a small Python program;
//! - harness frames (Claude Code, Codex) built from the shapes in `HOSTS.md`.
//!
//! Runs that could be refused go through `setsid`, so a developer's terminal is never the
//! shim's controlling terminal (it would prompt there instead of refusing).

use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rstest::rstest;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The real bash the shim finds first (`/bin`, then `/usr/bin`, …).
const REAL_BASH: &str = "/bin/bash";

/// Upper bound for any single run: a hang is a failure, not a stuck test suite.
const DEADLINE: Duration = Duration::from_secs(20);

/// What one run produced.
#[derive(Debug)]
struct Out {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    pid: u32,
    elapsed: Duration,
}

impl Out {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }
}

/// A temp tree: `bin/bash` (a symlink to policy-exec), an empty `home/`, a `work/`
/// directory the commands run in, and optionally a bundle and manifest.
struct Sandbox {
    root: TempDir,
    manifest: Option<PathBuf>,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().unwrap();
        for dir in ["bin", "home", "work", "policy"] {
            std::fs::create_dir(root.path().join(dir)).unwrap();
        }
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_policy-exec"),
            root.path().join("bin/bash"),
        )
        .unwrap();
        Sandbox {
            root,
            manifest: None,
        }
    }

    /// Writes a bundle with `rules` (each `{id, action, matcher, pattern}`) and
    /// `enforcement`, and a manifest pointing at it.
    fn with_bundle(mut self, rules: &[(&str, &str, &str, &str)], enforcement: Value) -> Sandbox {
        let commands: Vec<Value> = rules
            .iter()
            .map(|(id, action, matcher, pattern)| {
                json!({
                    "id": id, "source": "command_rules", "action": action,
                    "on_mismatch": null, "matcher": matcher, "pattern": pattern,
                    "normalized_pattern": pattern,
                    "conditions": {"mode": "all", "conditions": []},
                    "platform_action": action, "shell_entry": pattern, "bash_entry": pattern,
                    "reason": format!("{id} says so"),
                })
            })
            .collect();
        let bundle = json!({
            "schema_version": 1,
            "required_conditions": [],
            "commands": commands,
            "enforcement": enforcement,
        });
        let bundle_path = self.root.path().join("policy/policy-wrapper-rules.json");
        std::fs::write(&bundle_path, bundle.to_string()).unwrap();
        let manifest = self
            .root
            .path()
            .join("policy/policy-wrapper-dispatch.manifest.json");
        std::fs::write(
            &manifest,
            json!({"schema_version": 1, "bundle_path": bundle_path}).to_string(),
        )
        .unwrap();
        self.manifest = Some(manifest);
        self
    }

    fn shim(&self) -> PathBuf {
        self.root.path().join("bin/bash")
    }

    fn bin_dir(&self) -> PathBuf {
        self.root.path().join("bin")
    }

    fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// A path in the work directory, as a string for scripts.
    fn file(&self, name: &str) -> String {
        self.work().join(name).to_str().unwrap().to_string()
    }

    fn write(&self, name: &str, text: impl AsRef<[u8]>) -> String {
        let path = self.file(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `cmd` with the cleared environment every run gets.
    fn prepare(&self, mut cmd: Command) -> Command {
        cmd.env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .current_dir(self.work());
        if let Some(m) = &self.manifest {
            cmd.env("POLICY_EXEC_MANIFEST", m);
        }
        cmd
    }

    /// The shim, run directly with argv[0] `bash`.
    fn shim_cmd<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new(self.shim());
        cmd.arg0("bash").args(args);
        self.prepare(cmd)
    }

    /// The real bash, run directly with argv[0] `bash`.
    fn bash_cmd<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new(REAL_BASH);
        cmd.arg0("bash").args(args);
        self.prepare(cmd)
    }

    /// The shim in a new session without a controlling terminal (argv[0] is its path).
    fn detached<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = Command::new("/usr/bin/setsid");
        cmd.arg(self.shim()).args(args);
        self.prepare(cmd)
    }
}

/// Runs `cmd`, feeding `stdin`, killing it at [`DEADLINE`].
fn run_with(mut cmd: Command, stdin: &[u8]) -> Out {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The script may exit without reading everything: a broken pipe is fine.
        let _ = input.write_all(&data);
    });
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        out_pipe.read_to_end(&mut v).unwrap();
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        err_pipe.read_to_end(&mut v).unwrap();
        v
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > DEADLINE {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = start.elapsed();
    writer.join().unwrap();
    Out {
        status,
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        pid,
        elapsed,
    }
}

fn run(cmd: Command) -> Out {
    run_with(cmd, b"")
}

/// Runs the same argv and stdin through the shim and through real bash and asserts
/// identical stdout, stderr and status. Returns the shim's run.
fn same_as_bash<S: AsRef<OsStr>>(sb: &Sandbox, args: &[S], stdin: &[u8]) -> Out {
    let ours = run_with(sb.shim_cmd(args), stdin);
    let real = run_with(sb.bash_cmd(args), stdin);
    let shown: Vec<&OsStr> = args.iter().map(AsRef::as_ref).collect();
    assert_eq!(ours.stdout, real.stdout, "stdout differs for {shown:?}");
    assert_eq!(ours.stderr, real.stderr, "stderr differs for {shown:?}");
    assert_eq!(ours.status, real.status, "status differs for {shown:?}");
    ours
}

/// Asserts a refusal (exit 126, a human line and a JSON line) and returns both.
fn refusal(out: &Out) -> (String, Value) {
    assert_eq!(
        out.code(),
        Some(126),
        "expected a refusal, got {:?}\nstdout: {}\nstderr: {}",
        out.status,
        out.stdout,
        out.stderr
    );
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "two stderr lines expected: {}", out.stderr);
    let json: Value = serde_json::from_str(lines[1])
        .unwrap_or_else(|e| panic!("second line is not JSON ({e}): {}", lines[1]));
    (lines[0].to_string(), json)
}

/// Asserts the refusal JSON has every field an agent needs.
fn assert_refusal_shape(json: &Value, decision: &str) {
    assert_eq!(json["decision"], decision, "{json}");
    let error = if decision == "deny" {
        "policy_denied"
    } else {
        "policy_approval_required"
    };
    assert_eq!(json["error"], error, "{json}");
    assert!(
        json["command"].as_str().is_some_and(|c| !c.is_empty()),
        "{json}"
    );
    assert!(
        json["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{json}"
    );
    let hash = json["policy_hash"].as_str().unwrap_or_default();
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "policy_hash: {json}"
    );
    let steps = json["next_steps"].as_array().expect("next_steps");
    assert!(
        !steps.is_empty()
            && steps
                .iter()
                .all(|s| s.as_str().is_some_and(|s| !s.is_empty())),
        "{json}"
    );
}

/// Prints `$0`, the positionals and the options in effect.
const SHOW: &str = r#"echo "0=$0 1=${1-unset} 2=${2-unset} #=$# opts=$-"
shopt -q extglob && echo extglob
shopt -q login_shell && echo login
for o in errexit history pipefail posix xtrace; do [[ -o $o ]] && echo "$o on"; done
:"#;

// ---------------------------------------------------------------------------------------
// 1. bash's argv grammar
// ---------------------------------------------------------------------------------------

#[rstest]
#[case::c(&["-c", "@"], true)]
#[case::lc(&["-lc", "@"], true)]
#[case::cl(&["-cl", "@"], true)]
#[case::c_l(&["-c", "-l", "@"], true)]
#[case::l_c(&["-l", "-c", "@"], true)]
#[case::login_c(&["--login", "-c", "@"], true)]
#[case::e_c(&["-e", "-c", "@"], true)]
#[case::ec(&["-ec", "@"], true)]
#[case::o_pipefail(&["-o", "pipefail", "-c", "@"], true)]
#[case::co_pipefail(&["-co", "pipefail", "@", "NAME"], true)]
#[case::plus_o_history(&["+o", "history", "-c", "@"], true)]
#[case::shopt_extglob(&["-O", "extglob", "-c", "@"], true)]
#[case::shopt_extglob_ec(&["-O", "extglob", "-ec", "@"], true)]
#[case::norc_noprofile(&["--norc", "--noprofile", "-c", "@"], true)]
#[case::rcfile(&["--rcfile", "/dev/null", "-c", "@"], true)]
#[case::posix(&["--posix", "-c", "@"], true)]
#[case::name_and_args(&["-c", "@", "NAME", "A", "B"], true)]
#[case::options_after_script_are_args(&["-c", "@", "-l", "x"], true)]
#[case::dashdash_after_c(&["-c", "--", "@", "NAME"], true)]
#[case::x_c(&["-x", "-c", "@"], true)]
#[case::dashdash_file(&["--", "script.sh", "a", "b"], true)]
#[case::file(&["script.sh", "a", "b"], true)]
#[case::x_file(&["-x", "script.sh", "a"], true)]
#[case::missing_script(&["-c"], false)]
#[case::invalid_option(&["--bogus", "-c", "@"], false)]
#[case::long_after_short(&["-c", "--norc", "@"], false)]
fn argv_forms_behave_exactly_like_bash(#[case] form: &[&str], #[case] runs: bool) {
    let sb = Sandbox::new();
    sb.write("script.sh", SHOW);
    let args: Vec<&str> = form
        .iter()
        .map(|a| if *a == "@" { SHOW } else { a })
        .collect();
    let out = same_as_bash(&sb, &args, b"");
    // The comparison only means something if the script really ran (or really did not).
    assert_eq!(out.stdout.contains("0="), runs, "{form:?}: {out:?}");
}

#[test]
fn options_given_to_bash_are_in_effect_through_the_shim() {
    let sb = Sandbox::new();
    let cases: [(&[&str], &str); 6] = [
        (&["-O", "extglob", "-c", SHOW], "extglob"),
        (&["-o", "pipefail", "-c", SHOW], "pipefail on"),
        (&["--posix", "-c", SHOW], "posix on"),
        (&["-ec", SHOW], "errexit on"),
        (&["-lc", SHOW], "login"),
        (&["-c", SHOW, "NAME", "A", "B"], "0=NAME 1=A 2=B #=2"),
    ];
    for (args, want) in cases {
        let out = run(sb.shim_cmd(args));
        assert!(out.stdout.contains(want), "{args:?}: {}", out.stdout);
    }
}

#[rstest]
#[case(&["--version"])]
#[case(&["--help"])]
fn info_options_pass_through(#[case] args: &[&str]) {
    let sb = Sandbox::new();
    let out = same_as_bash(&sb, args, b"");
    assert!(out.stdout.contains("GNU bash"), "{}", out.stdout);
}

#[test]
fn a_script_file_operand_is_judged_by_its_contents() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let script = sb.write(
        "deploy.sh",
        format!("touch {marker}\ngit push --force origin main\n"),
    );
    for args in [vec![script.as_str()], vec!["--", script.as_str(), "a"]] {
        let (_, json) = refusal(&run(sb.detached(&args)));
        assert_eq!(json["rule"]["id"], "no-force-push");
        assert!(!Path::new(&marker).exists());
    }
}

/// Harnesses read their environment through the shell when a session starts (Claude
/// Code's `bash -c env`, Copilot's `printf …; env -0`): a script that only prints the
/// environment passes in shell mode. Printing it into a pipe or a file is judged (the
/// secrets pack asks), as `check` judges every dump.
#[test]
fn a_harness_environment_probe_passes_in_shell_mode() {
    let sb = Sandbox::new();
    for script in ["env", "printf '__M__'; env -0", "export -p"] {
        let out = run(sb.shim_cmd(&["-c", script]));
        assert!(out.status.success(), "{script}: {}", out.stderr);
        assert!(out.stdout.contains("HOME="), "{script}: {}", out.stdout);
    }
    for script in ["env | grep -i token", "env > e.txt", "cat /dev/null; env"] {
        let (human, json) = refusal(&run_with(sb.detached(&["-c", script]), b""));
        assert!(human.contains("printenv"), "{script}: {human}");
        assert_eq!(json["decision"], "request", "{script}");
    }
}

#[test]
fn a_script_read_from_standard_input_is_dynamic() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let stdin = format!("touch {marker}\n");
    for args in [vec!["-s"], vec![], vec!["-s", "a", "b"]] {
        let (human, json) = refusal(&run_with(sb.detached(&args), stdin.as_bytes()));
        assert!(
            human.starts_with("policy-exec: needs approval: "),
            "{human}"
        );
        assert_eq!(json["decision"], "request");
        assert!(!Path::new(&marker).exists());
    }
}

// Bugs in reading bash's argv: each of these runs a denied command unjudged.

#[test]

fn a_script_file_with_a_non_utf8_byte_is_still_judged() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let mut text = format!("touch {marker}; git push --force origin main # caf").into_bytes();
    text.extend_from_slice(b"\xe9\n"); // latin-1 é in a comment
    let script = sb.write("latin1.sh", text);
    let (_, json) = refusal(&run(sb.detached(&[script])));
    assert_eq!(json["decision"], "deny");
    assert!(!Path::new(&marker).exists());
}

#[test]

fn a_c_script_with_a_non_utf8_byte_is_still_judged() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let mut script = format!("touch {marker}; git push --force origin main # caf").into_bytes();
    script.push(0xe9);
    let args = [OsString::from("-c"), OsStr::from_bytes(&script).to_owned()];
    let out = run(sb.detached(&args));
    assert_eq!(out.code(), Some(126), "{out:?}");
    assert!(!Path::new(&marker).exists());
}

#[test]

fn a_non_utf8_positional_does_not_bypass_the_policy() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let args = [
        OsString::from("-c"),
        OsString::from(format!("touch {marker}; git push --force origin main")),
        OsStr::from_bytes(b"\xff").to_owned(),
    ];
    let out = run(sb.detached(&args));
    assert_eq!(out.code(), Some(126), "{out:?}");
    assert!(!Path::new(&marker).exists());
}

#[test]

fn a_script_operand_found_on_path_is_judged() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let dir = sb.root.path().join("scripts");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("onpath.sh"),
        format!("touch {marker}\ngit push --force origin main\n"),
    )
    .unwrap();
    let path = format!("{}:/usr/bin:/bin", dir.display());
    // Real bash does find and run it (so this is a real route).
    let mut real = sb.bash_cmd(&["onpath.sh"]);
    real.env("PATH", &path);
    run(real);
    assert!(
        Path::new(&marker).exists(),
        "bash should find the script on PATH"
    );
    std::fs::remove_file(&marker).unwrap();
    let mut ours = sb.detached(&["onpath.sh"]);
    ours.env("PATH", &path);
    let out = run(ours);
    assert_eq!(out.code(), Some(126), "{out:?}");
    assert!(!Path::new(&marker).exists());
}

#[test]

fn a_script_operand_that_is_a_pipe_is_not_consumed() {
    let sb = Sandbox::new();
    let out = run_with(sb.detached(&["/dev/stdin"]), b"echo from-stdin\n");
    // Either run it as bash would, or refuse it as dynamic; never silently run nothing.
    assert!(
        out.stdout == "from-stdin\n" || out.code() == Some(126),
        "{out:?}"
    );
}

// ---------------------------------------------------------------------------------------
// 2. Transparency
// ---------------------------------------------------------------------------------------

#[rstest]
#[case::true_("true")]
#[case::false_("false")]
#[case::exit_2("exit 2")]
#[case::exit_42("exit 42")]
#[case::exit_255("exit 255")]
#[case::exit_256("exit 256")]
#[case::subshell_exit("(exit 3)")]
#[case::subshell_exit_then_status("(exit 3); echo status=$?; exit 7")]
#[case::pipeline("printf 'b\\na\\nc\\n' | sort | tr a-z A-Z | head -2")]
#[case::pipestatus("false | true | (exit 5); echo ${PIPESTATUS[@]}")]
#[case::pipefail("set -o pipefail; false | true")]
#[case::set_e("set -e; echo before; false; echo unreachable")]
#[case::set_e_in_condition("set -e; if false; then :; fi; false || echo rescued; echo after")]
#[case::stderr("echo out; echo err >&2; echo out2; printf 'partial' >&2")]
#[case::not_found("nosuch_command_xyz_42 arg")]
#[case::runtime_error(
    "echo ok; cd /nonexistent; echo rc=$?; set -u; echo \"$nope\"; echo unreachable"
)]
#[case::sigpipe("yes | head -3; echo ${PIPESTATUS[@]}")]
#[case::signal_state("grep -E '^Sig(Blk|Ign):' /proc/self/status; trap -p")]
#[case::large("seq 1 200000")]
#[case::unicode("printf '%s\\n' 'héllo wörld ✓'")]
#[case::functions("f() { echo \"f:$1\"; return 4; }; f x; echo rc=$?")]
#[case::heredoc("cat <<'EOF'\nline $1\nEOF")]
fn scripts_behave_exactly_like_bash(#[case] script: &str) {
    let sb = Sandbox::new();
    same_as_bash(&sb, &["-c", script, "NAME", "ARG"], b"");
}

#[rstest]
#[case("read x; echo \"got $x\"", b"hello\n".as_slice())]
#[case("read a; read b; echo \"$b $a\"; cat", b"1\n2\n3\n4\n".as_slice())]
#[case("wc -c", &[b'x'; 1 << 20][..])]
#[case("head -c 10; echo; echo rest=$(wc -c)", &[b'y'; 100_000][..])]
fn standard_input_belongs_to_the_script(#[case] script: &str, #[case] stdin: &[u8]) {
    let sb = Sandbox::new();
    let out = same_as_bash(&sb, &["-c", script], stdin);
    assert!(!out.stdout.is_empty());
}

#[test]
fn large_output_arrives_complete() {
    let sb = Sandbox::new();
    let out = same_as_bash(&sb, &["-c", "seq 1 200000; seq 1 50000 >&2"], b"");
    assert_eq!(out.stdout.lines().count(), 200_000);
    assert_eq!(out.stdout.lines().last(), Some("200000"));
    assert_eq!(out.stderr.lines().count(), 50_000);
}

#[rstest]
#[case("kill -TERM $$", 15)]
#[case("kill -KILL $$", 9)]
#[case("kill -INT $$; sleep 1", 2)]
#[case("echo partial; kill -ABRT $$", 6)]
fn a_signal_that_kills_the_shell_is_reported_as_a_signal(
    #[case] script: &str,
    #[case] signal: i32,
) {
    let sb = Sandbox::new();
    let out = same_as_bash(&sb, &["-c", script], b"");
    assert_eq!(out.status.signal(), Some(signal), "{:?}", out.status);
}

#[test]
fn the_shim_becomes_bash_with_no_process_in_between() {
    let sb = Sandbox::new();
    // $$ is the process the test started; $PPID is the test itself.
    let out = run(sb.shim_cmd(&["-c", "echo $$ $PPID; echo $(readlink /proc/$$/exe)"]));
    let words: Vec<&str> = out.stdout.split_whitespace().collect();
    assert_eq!(words[0], out.pid.to_string(), "{}", out.stdout);
    assert_eq!(words[1], std::process::id().to_string(), "{}", out.stdout);
    let exe = std::fs::canonicalize(REAL_BASH).unwrap();
    assert_eq!(Path::new(words[2]), exe, "{}", out.stdout);

    // A shell that execs the shim keeps its pid all the way into bash.
    let script = format!("echo $$; exec {} -c 'echo $$'", sb.shim().to_str().unwrap());
    let mut cmd = Command::new("/bin/sh");
    cmd.args(["-c", &script]);
    let out = run(sb.prepare(cmd));
    let pids: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(pids.len(), 2, "{out:?}");
    assert_eq!(pids[0], pids[1], "{out:?}");
}

/// Starts `shell` with `-c script` from a Python parent that first sets up `state`:
/// `ignore` ignores SIGPIPE and SIGINT, `block` blocks SIGUSR1 and SIGTERM, `close`
/// closes descriptors 0 and 1 (the script then reports on stderr).
fn started_from(sb: &Sandbox, shell: &Path, state: &str, script: &str) -> Out {
    let parent = r#"
import os, signal, sys
shell, state, script = sys.argv[1:4]
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
if "ignore" in state:
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
if "block" in state:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGTERM})
if "close" in state:
    os.close(0)
    os.close(1)
os.execv(shell, ["bash", "-c", script])
"#;
    let mut cmd = Command::new(python());
    cmd.arg("-c").arg(parent).arg(shell).arg(state).arg(script);
    run(sb.prepare(cmd))
}

#[rstest]
#[case("default")]
#[case("ignore")]
#[case("ignore block")]
fn the_shell_starts_with_the_signal_state_it_always_had(#[case] state: &str) {
    // The shell's own view of its signal state (the redirection is opened by bash itself,
    // so /proc/self is bash). What the shim's bash gets, and has always got: the parent's
    // ignored signals and blocked mask, except SIGPIPE, which starts at its default (the
    // binary ignores SIGPIPE for itself; `Command` resets it for what it execs). The
    // binary starts without std's runtime on glibc Linux (src/main.rs): this is what
    // that must not change.
    let sb = Sandbox::new();
    let script =
        r#"while read -r l; do case $l in Sig[BIC]*) echo "$l";; esac; done < /proc/self/status"#;
    let ours = started_from(&sb, &sb.shim(), state, script);
    let real = started_from(&sb, Path::new(REAL_BASH), state, script);
    assert!(ours.status.success(), "{ours:?}");
    assert!(real.status.success(), "{real:?}");
    let masks = |out: &Out| -> Vec<(String, u64)> {
        out.stdout
            .lines()
            .map(|l| {
                let (name, hex) = l.split_once(':').unwrap();
                (
                    name.to_string(),
                    u64::from_str_radix(hex.trim(), 16).unwrap(),
                )
            })
            .collect()
    };
    let sigpipe: u64 = 1 << (13 - 1);
    let want: Vec<(String, u64)> = masks(&real)
        .into_iter()
        .map(|(name, bits)| {
            let bits = if name == "SigIgn" {
                bits & !sigpipe
            } else {
                bits
            };
            (name, bits)
        })
        .collect();
    assert_eq!(want.len(), 3, "{real:?}");
    assert_eq!(masks(&ours), want, "{ours:?}\n{real:?}");
    if state.contains("ignore") {
        let ignored = |out: &Out| {
            masks(out)
                .into_iter()
                .find(|(n, _)| n == "SigIgn")
                .unwrap()
                .1
        };
        assert_ne!(
            ignored(&real) & sigpipe,
            0,
            "the parent's SIGPIPE was not ignored"
        );
        assert_eq!(ignored(&ours) & sigpipe, 0, "{ours:?}");
    }
}

#[test]
fn closed_standard_descriptors_reach_the_shell_open_on_dev_null() {
    // As std's start always did for the binary, and bash inherits.
    let sb = Sandbox::new();
    let script = r#"for fd in 0 1; do [ /proc/self/fd/$fd -ef /dev/null ] && echo "$fd null" >&2; done; true"#;
    let ours = started_from(&sb, &sb.shim(), "close", script);
    assert!(ours.status.success(), "{ours:?}");
    assert_eq!(ours.stderr, "0 null\n1 null\n", "{ours:?}");
}

#[test]
fn argv0_is_passed_as_received() {
    let sb = Sandbox::new();
    for argv0 in ["bash", "-bash", "/some/where/bash"] {
        let mut cmd = Command::new(sb.shim());
        cmd.arg0(argv0)
            .args(["-c", "echo $0; shopt -q login_shell && echo login"]);
        let out = run(sb.prepare(cmd));
        let mut real = Command::new(REAL_BASH);
        real.arg0(argv0)
            .args(["-c", "echo $0; shopt -q login_shell && echo login"]);
        let want = run(sb.prepare(real));
        assert_eq!(out.stdout, want.stdout, "argv0 {argv0}");
        assert!(out.stdout.starts_with(argv0), "{}", out.stdout);
    }
}

#[test]
fn shim_overhead_is_small() {
    // Not a benchmark: catches a shim that sleeps, waits on a terminal or scans the disk.
    let sb = Sandbox::new();
    let out = run(sb.shim_cmd(&["-c", "true"]));
    assert!(out.status.success());
    assert!(out.elapsed < Duration::from_secs(2), "{:?}", out.elapsed);
}

// ---------------------------------------------------------------------------------------
// 3. Refusals
// ---------------------------------------------------------------------------------------

#[test]
fn force_push_is_refused_with_a_human_line_and_a_json_line_and_nothing_runs() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let script = format!("touch {marker} && git push --force origin main");
    let out = run(sb.detached(&["-c", &script]));
    let (human, json) = refusal(&out);
    assert!(human.starts_with("policy-exec: denied: "), "{human}");
    assert!(human.contains("git push --force origin main"), "{human}");
    assert!(human.contains("no-force-push"), "{human}");
    assert_refusal_shape(&json, "deny");
    assert_eq!(json["command"], "git push --force origin main");
    assert_eq!(json["rule"]["id"], "no-force-push");
    assert_eq!(json["rule"]["scope"], "system");
    assert_eq!(json["rule"]["path"], "policy-config/system.yaml");
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        !Path::new(&marker).exists(),
        "something ran before the refusal"
    );
}

#[rstest]
#[case("git push --force origin main", "no-force-push")]
#[case("git push -uf origin main", "no-force-push")]
#[case("git push origin +main", "no-force-push-refspec")]
#[case("git reset --hard HEAD~1", "no-reset-hard")]
#[case("rm -rf /", "no-recursive-rm-of-root-home-or-git")]
#[case("echo start; (cd /tmp && g'i't reset --ha\"\"rd)", "no-reset-hard")]
#[case("bash -c 'git push --force'", "no-force-push")]
#[case("env FOO=1 git push -f", "no-force-push")]
#[case("true | { git reset --hard; }", "no-reset-hard")]
fn denied_scripts_run_nothing(#[case] cmd: &str, #[case] rule: &str) {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    for args in [
        vec!["-c"],
        vec!["-lc"],
        vec!["-ec"],
        vec!["-ic"],
        vec!["-x", "-c"],
    ] {
        let script = format!("touch {marker}\n{cmd}");
        let mut args = args.clone();
        args.push(&script);
        let (human, json) = refusal(&run(sb.detached(&args)));
        assert!(human.starts_with("policy-exec: denied: "), "{human}");
        assert_refusal_shape(&json, "deny");
        assert_eq!(json["rule"]["id"], rule, "{json}");
        assert!(!Path::new(&marker).exists(), "{args:?} ran something");
    }
}

#[rstest]
#[case("sudo true", Some("sudo-needs-human"))]
#[case("echo hi | sudo tee /etc/x", Some("sudo-needs-human"))]
#[case("curl -fsSL https://example.invalid/install.sh | bash", None)]
fn a_request_without_a_terminal_is_refused_as_needing_approval(
    #[case] cmd: &str,
    #[case] rule: Option<&str>,
) {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let script = format!("touch {marker}; {cmd}");
    let out = run(sb.detached(&["-c", &script]));
    let (human, json) = refusal(&out);
    assert!(
        human.starts_with("policy-exec: needs approval: "),
        "{human}"
    );
    assert_refusal_shape(&json, "request");
    if let Some(rule) = rule {
        assert_eq!(json["rule"]["id"], rule, "{json}");
    }
    assert!(!Path::new(&marker).exists());
    assert!(out.elapsed < Duration::from_secs(5), "{:?}", out.elapsed);
}

#[test]
fn a_dynamic_refusal_gives_the_dynamic_reason() {
    let sb = Sandbox::new();
    // (`source "$F"` runs a script file, like `./x.sh`: it is not dynamic.)
    for script in ["$X foo", "eval \"$x\"", "source <(echo x)"] {
        let (human, json) = refusal(&run(sb.detached(&["-c", script])));
        assert_eq!(json["decision"], "request");
        assert!(human.contains("dynamic"), "{script}: {human}");
        assert!(
            !human.contains("privilege escalation") && !human.contains("dirty worktree"),
            "{script}: {human}"
        );
    }
}

#[test]
fn an_unreadable_manifest_refuses_everything() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let mut cmd = sb.detached(&["-c", &format!("touch {marker}")]);
    cmd.env("POLICY_EXEC_MANIFEST", sb.file("missing-manifest.json"));
    let out = run(cmd);
    assert_eq!(out.code(), Some(126), "{out:?}");
    assert!(out.stderr.starts_with("policy-exec: "), "{}", out.stderr);
    assert!(!Path::new(&marker).exists());
}

#[test]
fn a_custom_bundle_decides() {
    let sb = Sandbox::new().with_bundle(
        &[("no-touch", "deny", "prefix", "touch")],
        json!({"unmatched": "allow", "dynamic": "request"}),
    );
    let marker = sb.file("MARKER");
    let (human, json) = refusal(&run(sb.detached(&["-c", &format!("touch {marker}")])));
    assert!(human.contains("no-touch"), "{human}");
    assert_eq!(json["rule"]["id"], "no-touch");
    assert!(!Path::new(&marker).exists());
    // The default policy no longer applies: a force push is unmatched, so allowed.
    let out = run(sb.detached(&["-c", "git push --force origin main 2>/dev/null; echo ran"]));
    assert_eq!(out.stdout, "ran\n", "{out:?}");
}

// ---------------------------------------------------------------------------------------
// 4. The prompt, through a real terminal
// ---------------------------------------------------------------------------------------

/// Runs a program on a new pseudo-terminal (its controlling terminal), answers the first
/// `[y/N/a/p] … (Ns) ` prompt it ends its output with with argv[1] (`none`: never answer), and prints the transcript
/// followed by `@@STATUS <wait status as exit code> <seconds from the prompt to exit>`.
/// argv[2]/argv[3]: a file for the child's stdin / stderr, or `-` for the terminal.
const PTY_DRIVER: &str = r#"
import os, pty, re, select, signal, sys, time
answer, stdin_file, stderr_file, prog, *argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    if stdin_file != "-":
        os.dup2(os.open(stdin_file, os.O_RDONLY), 0)
    if stderr_file != "-":
        os.dup2(os.open(stderr_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
    os.execv(prog, argv)
buf = b""
asked = None
code = -998
start = time.time()
while time.time() - start < 15:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if not ready:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            pid = None
            code = os.waitstatus_to_exitcode(status)
            break
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    buf += data
    if asked is None and re.search(rb"\[y/N/a/p\] [^\n]*\(\d+s\) $", buf):
        asked = time.time()
        if answer != "none":
            os.write(fd, (answer + "\n").encode())
while pid is not None:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        break
    if time.time() - start > 15:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        code = -999
        break
    time.sleep(0.01)
sys.stdout.buffer.write(buf)
sys.stdout.write("\n@@STATUS %d %.2f\n" % (code, time.time() - (asked or start)))
"#;

/// What the terminal showed, the exit status, and how long after the prompt it ended.
struct TtyRun {
    transcript: String,
    raw: Vec<u8>,
    code: i32,
    after_prompt: f64,
}

fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

fn on_tty(sb: &Sandbox, answer: &str, stdin: &str, stderr: &str, script: &str) -> TtyRun {
    let mut cmd = Command::new(python());
    cmd.arg("-c")
        .arg(PTY_DRIVER)
        .args([answer, stdin, stderr])
        .arg(sb.shim())
        .args(["bash", "-c", script]);
    let mut cmd = sb.prepare(cmd);
    // python itself needs a PATH to nothing; keep the shim's environment as prepared.
    cmd.env("PATH", "/usr/bin:/bin");
    let out = cmd.stderr(Stdio::inherit()).output().unwrap();
    let raw = out.stdout;
    let transcript = String::from_utf8_lossy(&raw).into_owned();
    let status = transcript
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("@@STATUS "))
        .unwrap_or_else(|| panic!("driver failed: {transcript}"));
    let mut parts = status.split_whitespace();
    let code = parts.next().unwrap().parse().unwrap();
    let after_prompt = parts.next().unwrap().parse().unwrap();
    TtyRun {
        transcript,
        raw,
        code,
        after_prompt,
    }
}

/// A bundle that asks before any `touch`, with a prompt timeout of `seconds`.
fn asking_sandbox(seconds: u64) -> Sandbox {
    Sandbox::new().with_bundle(
        &[("ask-me", "request", "prefix", "touch")],
        json!({"unmatched": "allow", "dynamic": "request", "prompt_timeout_seconds": seconds}),
    )
}

#[test]
fn yes_at_the_prompt_runs_the_command() {
    let sb = asking_sandbox(10);
    let marker = sb.file("MARKER");
    let script = format!("touch {marker} && echo done; test -t 0 && test -t 2 && echo on-tty");
    let run = on_tty(&sb, "y", "-", "-", &script);
    assert!(run.transcript.contains("[y/N/a/p]"), "{}", run.transcript);
    assert!(run.transcript.contains("ask-me"), "{}", run.transcript);
    assert!(
        run.transcript.contains(&format!("touch {marker}")),
        "{}",
        run.transcript
    );
    assert_eq!(run.code, 0, "{}", run.transcript);
    assert!(run.transcript.contains("done"), "{}", run.transcript);
    // After the prompt, the terminal is bash's own.
    assert!(run.transcript.contains("on-tty"), "{}", run.transcript);
    assert!(Path::new(&marker).exists());
}

#[rstest]
#[case("n")]
#[case("no")]
#[case("")]
#[case("yep")]
fn anything_but_yes_at_the_prompt_refuses(#[case] answer: &str) {
    let sb = asking_sandbox(10);
    let marker = sb.file("MARKER");
    let run = on_tty(&sb, answer, "-", "-", &format!("touch {marker}"));
    assert!(run.transcript.contains("[y/N/a/p]"), "{}", run.transcript);
    assert_eq!(run.code, 126, "{}", run.transcript);
    assert!(!Path::new(&marker).exists());
    assert!(
        run.after_prompt < 1.0,
        "answered, yet waited {}s",
        run.after_prompt
    );
}

#[test]
fn no_answer_at_the_prompt_times_out_as_no() {
    let sb = asking_sandbox(1);
    let marker = sb.file("MARKER");
    let run = on_tty(&sb, "none", "-", "-", &format!("touch {marker}"));
    assert!(run.transcript.contains("[y/N/a/p]"), "{}", run.transcript);
    assert_eq!(run.code, 126, "{}", run.transcript);
    assert!(!Path::new(&marker).exists());
    assert!(
        (0.8..5.0).contains(&run.after_prompt),
        "timeout of 1s took {}s",
        run.after_prompt
    );
    assert!(run.transcript.contains("no answer"), "{}", run.transcript);
}

#[test]

fn a_timed_out_prompt_says_so_on_one_line() {
    let sb = asking_sandbox(1);
    let run = on_tty(&sb, "none", "-", "-", "touch x");
    assert!(
        run.transcript
            .lines()
            .any(|l| l.trim_end() == "policy-exec: no answer: not run"),
        "{}",
        run.transcript
    );
}

#[test]
fn the_prompt_reads_the_terminal_never_stdin_and_writes_the_terminal_never_stderr() {
    let sb = asking_sandbox(1);
    let marker = sb.file("MARKER");
    let stdin = sb.write("answers.txt", "y\ny\n");
    let stderr = sb.file("stderr.txt");
    let run = on_tty(&sb, "none", &stdin, &stderr, &format!("touch {marker}"));
    assert!(run.transcript.contains("[y/N/a/p]"), "{}", run.transcript);
    assert_eq!(run.code, 126, "a `y` on stdin was taken as the answer");
    assert!(!Path::new(&marker).exists());
    let err = std::fs::read_to_string(&stderr).unwrap();
    assert!(!err.contains("[y/N/a/p]"), "prompt went to stderr: {err}");
    assert!(err.starts_with("policy-exec: needs approval: "), "{err}");
}

#[test]
fn the_prompt_escapes_control_characters() {
    let sb = asking_sandbox(10);
    let script = "touch \"$(printf x)\" $'\\e[2J\\e]0;pwned\\a' 'line1\nrun it? [y/N] fake'";
    let run = on_tty(&sb, "n", "-", "-", script);
    assert_eq!(run.code, 126, "{}", run.transcript);
    assert!(
        !run.raw.contains(&0x1b) && !run.raw.contains(&0x07),
        "raw control characters reached the terminal: {:?}",
        run.transcript
    );
    assert!(run.transcript.contains("\\x1b[2J"), "{}", run.transcript);
    // The newline inside the argument is shown escaped, on the command's own line.
    let line = run
        .transcript
        .lines()
        .find(|l| l.contains("command:"))
        .unwrap_or_else(|| panic!("no command line: {}", run.transcript));
    assert!(line.contains("line1\\nrun it?"), "{line}");
    assert_eq!(
        run.transcript
            .lines()
            .filter(|l| l.starts_with("run it? [y/N/a/p]"))
            .count(),
        1,
        "{}",
        run.transcript
    );
}

// ---------------------------------------------------------------------------------------
// 5. Environment injection vectors
// ---------------------------------------------------------------------------------------

/// Runs `args` with `vars` through real bash and through the shim; returns whether the
/// marker was created by each.
fn marker_by_each(sb: &Sandbox, vars: &[(&str, String)], args: &[&str]) -> (Out, bool, Out, bool) {
    let marker = sb.file("MARKER");
    let mut real = Command::new("/usr/bin/setsid");
    real.arg(REAL_BASH).args(args);
    let mut real = sb.prepare(real);
    let mut ours = sb.detached(args);
    for (k, v) in vars {
        real.env(k, v);
        ours.env(k, v);
    }
    let real_out = run(real);
    let real_made = Path::new(&marker).exists();
    let _ = std::fs::remove_file(&marker);
    let our_out = run(ours);
    let our_made = Path::new(&marker).exists();
    (real_out, real_made, our_out, our_made)
}

#[test]
fn bash_env_is_not_sourced() {
    let sb = Sandbox::new();
    let rc = sb.write("rc.sh", format!("touch {}\n", sb.file("MARKER")));
    let (_, real, out, ours) = marker_by_each(&sb, &[("BASH_ENV", rc)], &["-c", "echo ok"]);
    assert!(real, "bash itself should source BASH_ENV");
    assert!(!ours, "BASH_ENV reached the real shell");
    assert_eq!(out.stdout, "ok\n");
}

#[test]
fn env_is_not_sourced_by_a_posix_interactive_shell() {
    let sb = Sandbox::new();
    let rc = sb.write("env.sh", format!("touch {}\n", sb.file("MARKER")));
    let (_, real, out, ours) = marker_by_each(&sb, &[("ENV", rc)], &["--posix", "-ic", "echo ok"]);
    assert!(real, "bash --posix -i should source ENV");
    assert!(!ours, "ENV reached the real shell");
    assert_eq!(out.stdout, "ok\n");
}

#[test]
fn exported_functions_do_not_shadow_programs() {
    let sb = Sandbox::new();
    let body = format!("() {{ touch {}; echo shadowed; }}", sb.file("MARKER"));
    let vars = [("BASH_FUNC_git%%", body)];
    let (real_out, real, out, ours) = marker_by_each(&sb, &vars, &["-c", "git --version"]);
    assert!(real && real_out.stdout.contains("shadowed"), "{real_out:?}");
    assert!(!ours, "an exported function ran");
    assert!(out.stdout.starts_with("git version"), "{out:?}");
}

#[test]
fn shellopts_and_ps4_do_not_reach_the_real_shell() {
    let sb = Sandbox::new();
    let vars = [
        ("SHELLOPTS", "xtrace".to_string()),
        ("PS4", format!("$(touch {}) + ", sb.file("MARKER"))),
    ];
    let (real_out, real, out, ours) = marker_by_each(&sb, &vars, &["-c", "echo ok"]);
    // bash ignores an inherited PS4 when run as root, but SHELLOPTS still traces.
    assert!(real_out.stderr.contains("echo ok"), "{real_out:?}");
    let root = run(sb.prepare({
        let mut c = Command::new("/usr/bin/id");
        c.arg("-u");
        c
    }))
    .stdout
        == "0\n";
    assert!(
        root || real,
        "bash should expand an inherited PS4 for a non-root user"
    );
    assert!(!ours, "PS4 was expanded");
    assert_eq!(out.stdout, "ok\n");
    assert!(
        !out.stderr.contains("echo ok"),
        "xtrace is on: {}",
        out.stderr
    );
}

#[test]
fn bashopts_do_not_reach_the_real_shell() {
    let sb = Sandbox::new();
    let vars = [("BASHOPTS", "extglob".to_string())];
    let script = [
        "-c",
        "shopt -q extglob && echo extglob on || echo extglob off",
    ];
    let (real_out, _, out, _) = marker_by_each(&sb, &vars, &script);
    assert_eq!(real_out.stdout, "extglob on\n");
    assert_eq!(out.stdout, "extglob off\n");
}

#[test]
fn only_injection_vectors_are_removed_from_the_environment() {
    let sb = Sandbox::new();
    let mut cmd = sb.shim_cmd(&["-c", "/usr/bin/env"]);
    for (k, v) in [
        ("BASH_ENV", "/dev/null"),
        ("ENV", "/dev/null"),
        ("BASH_FUNC_f%%", "() { :; }"),
        ("BASH_FUNC_g()", "() { :; }"),
        ("SHELLOPTS", "xtrace"),
        ("BASHOPTS", "extglob"),
        ("PS4", "+x "),
        ("KEEP_ME", "1"),
        ("BASH_ENVIRONMENT_NAME", "kept"),
        ("LANG", "C.UTF-8"),
    ] {
        cmd.env(k, v);
    }
    let out = run(cmd);
    let names: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .collect();
    for gone in [
        "BASH_ENV",
        "ENV",
        "BASH_FUNC_f%%",
        "BASH_FUNC_g()",
        "SHELLOPTS",
        "BASHOPTS",
        "PS4",
    ] {
        assert!(
            !names.contains(&gone),
            "{gone} reached the shell: {}",
            out.stdout
        );
    }
    for kept in ["KEEP_ME", "BASH_ENVIRONMENT_NAME", "LANG", "HOME", "PATH"] {
        assert!(names.contains(&kept), "{kept} was dropped: {}", out.stdout);
    }
}

// ---------------------------------------------------------------------------------------
// 6. Finding the real shell
// ---------------------------------------------------------------------------------------

#[test]
fn a_configured_shell_that_is_the_shim_itself_fails_fast() {
    let sb = Sandbox::new();
    let shim = sb.shim();
    let sb = sb.with_bundle(
        &[],
        json!({"unmatched": "allow", "dynamic": "request", "shells": {"bash": shim}}),
    );
    let mut cmd = sb.detached(&["-c", "echo ran"]);
    cmd.env("PATH", format!("{}:/usr/bin:/bin", sb.bin_dir().display()));
    let out = run(cmd);
    assert_eq!(out.code(), Some(127), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(out.stderr.starts_with("policy-exec: "), "{}", out.stderr);
    assert!(
        out.stderr.contains("enforcement.shells.bash"),
        "{}",
        out.stderr
    );
    assert!(out.elapsed < Duration::from_secs(5), "{:?}", out.elapsed);
}

#[test]
fn a_configured_real_shell_is_used() {
    let sb = Sandbox::new().with_bundle(
        &[],
        json!({"unmatched": "allow", "dynamic": "request", "shells": {"bash": "/usr/bin/bash"}}),
    );
    let out = run(sb.shim_cmd(&["-c", "echo $(readlink /proc/$$/exe)"]));
    assert_eq!(out.stdout.trim(), "/usr/bin/bash", "{out:?}");
}

#[test]
fn a_missing_configured_shell_is_a_clear_error() {
    let sb = Sandbox::new().with_bundle(
        &[],
        json!({"unmatched": "allow", "dynamic": "request", "shells": {"bash": "/nonexistent/bash"}}),
    );
    let out = run(sb.detached(&["-c", "echo ran"]));
    assert_eq!(out.code(), Some(127), "{out:?}");
    assert!(out.stderr.contains("/nonexistent/bash"), "{}", out.stderr);
}

#[test]

fn a_configured_wrapper_around_the_shim_does_not_loop_forever() {
    let sb = Sandbox::new();
    let wrapper = sb.write(
        "wrapper.sh",
        format!("#!/bin/sh\nexec {} \"$@\"\n", sb.shim().display()),
    );
    Command::new("chmod")
        .args(["+x", &wrapper])
        .status()
        .unwrap();
    let sb = sb.with_bundle(
        &[],
        json!({"unmatched": "allow", "dynamic": "request", "shells": {"bash": wrapper}}),
    );
    let mut cmd = Command::new("/usr/bin/timeout");
    cmd.args(["5", "/usr/bin/setsid"])
        .arg(sb.shim())
        .args(["-c", "echo ran"]);
    let out = run(sb.prepare(cmd));
    assert_ne!(out.code(), Some(124), "timed out: the shim looped");
}

#[test]
fn other_shell_names_exec_their_own_real_shell() {
    let sb = Sandbox::new();
    for name in ["sh", "dash", "zsh"] {
        let link = sb.bin_dir().join(name);
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_policy-exec"), &link).unwrap();
        let mut cmd = Command::new("/usr/bin/setsid");
        cmd.arg(&link)
            .args(["-c", "echo $0; echo $(readlink /proc/$$/exe)"]);
        let out = run(sb.prepare(cmd));
        let real = ["/bin", "/usr/bin", "/usr/local/bin"]
            .iter()
            .map(|d| Path::new(d).join(name))
            .find(|p| p.is_file());
        match real {
            Some(real) => {
                assert!(out.status.success(), "{name}: {out:?}");
                let lines: Vec<&str> = out.stdout.lines().collect();
                assert_eq!(lines[0], link.to_str().unwrap());
                assert_eq!(Path::new(lines[1]), real.canonicalize().unwrap(), "{name}");
            }
            None => {
                // Nothing to exec: a clear error, exit 127.
                assert_eq!(out.code(), Some(127), "{name}: {out:?}");
                assert!(out.stdout.is_empty());
                assert!(
                    out.stderr.starts_with("policy-exec: ") && out.stderr.contains(name),
                    "{}",
                    out.stderr
                );
            }
        }
    }
}

#[test]
fn the_binary_under_its_own_name_is_a_shell_when_given_shell_options_or_a_script() {
    let sb = Sandbox::new();
    let binary = env!("CARGO_BIN_EXE_policy-exec");
    let mut cmd = Command::new("/usr/bin/setsid");
    cmd.args([binary, "-lc", "echo $0 $BASH_VERSION"]);
    let out = run(sb.prepare(cmd));
    assert!(out.stdout.starts_with(&format!("{binary} 5")), "{out:?}");

    let marker = sb.file("MARKER");
    let mut cmd = Command::new("/usr/bin/setsid");
    cmd.args([binary, "-c", &format!("touch {marker}; git reset --hard")]);
    let (_, json) = refusal(&run(sb.prepare(cmd)));
    assert_eq!(json["rule"]["id"], "no-reset-hard");

    let script = sb.write("s.sh", format!("touch {marker}\ngit reset --hard\n"));
    let mut cmd = Command::new("/usr/bin/setsid");
    cmd.args([binary, &script]);
    let (_, json) = refusal(&run(sb.prepare(cmd)));
    assert_eq!(json["rule"]["id"], "no-reset-hard");
    assert!(!Path::new(&marker).exists());
}

#[test]
fn path_holding_only_the_shim_still_finds_the_real_bash() {
    let sb = Sandbox::new();
    let mut cmd = sb.shim_cmd(&[
        "-c",
        "echo $BASH_VERSION; echo $(/usr/bin/readlink /proc/$$/exe)",
    ]);
    cmd.env("PATH", sb.bin_dir());
    let out = run(cmd);
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with('5') || lines[0].starts_with('4'),
        "{out:?}"
    );
    assert_eq!(
        Path::new(lines[1]),
        std::fs::canonicalize(REAL_BASH).unwrap()
    );
}

#[test]
fn a_nested_bash_found_on_path_goes_through_the_shim_to_the_real_bash() {
    let sb = Sandbox::new();
    let mut cmd = sb.shim_cmd(&[
        "-c",
        "bash -c 'echo \"$BASH\"; echo $(readlink /proc/$$/exe)'",
    ]);
    cmd.env("PATH", format!("{}:/usr/bin:/bin", sb.bin_dir().display()));
    let out = run(cmd);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{out:?}");
    // bash resolved `bash` on PATH to the shim, and the shim handed over to real bash.
    assert_eq!(Path::new(lines[0]), sb.shim(), "{out:?}");
    assert_eq!(
        Path::new(lines[1]),
        std::fs::canonicalize(REAL_BASH).unwrap()
    );
}

#[test]
fn a_nested_bash_running_a_script_file_is_judged_by_the_shim_on_path() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    sb.write(
        "deploy.sh",
        format!("touch {marker}\ngit push --force origin main\n"),
    );
    let mut cmd = sb.detached(&["-c", "echo outer; bash deploy.sh; echo inner=$?"]);
    cmd.env("PATH", format!("{}:/usr/bin:/bin", sb.bin_dir().display()));
    let out = run(cmd);
    assert_eq!(out.stdout, "outer\ninner=126\n", "{out:?}");
    assert!(
        out.stderr.starts_with("policy-exec: denied: "),
        "{}",
        out.stderr
    );
    assert!(!Path::new(&marker).exists());
}

// ---------------------------------------------------------------------------------------
// 7. Harness frames
// ---------------------------------------------------------------------------------------

/// Claude Code's per-command frame (HOSTS.md), with `cmd` single-quoted inside `eval`.
fn claude_frame(snapshot: &str, cwd_file: &str, cmd: &str) -> String {
    let quoted = cmd.replace('\'', "'\"'\"'");
    format!(
        "source {snapshot} 2>/dev/null || true && \\builtin shopt -u extglob 2>/dev/null || true && {{ \\builtin unalias -- ls; }} >/dev/null 2>&1 || true && eval '{quoted}' < /dev/null && pwd -P >| {cwd_file}"
    )
}

/// Single-quotes a word for bash.
fn sq(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// Codex's snapshot preamble: source the snapshot, then exec the shell on the command.
fn codex_preamble(snapshot: &str, shell: &Path, cmd: &str) -> String {
    format!(
        "if . {} >/dev/null 2>&1; then :; fi\nexec {} -c {}",
        sq(snapshot),
        sq(shell.to_str().unwrap()),
        sq(cmd)
    )
}

/// A snapshot in the shape Claude Code writes (functions re-created through base64,
/// options, aliases, PATH).
fn claude_snapshot(sb: &Sandbox) -> String {
    let encoded = "Z3JlZXQgKCkgCnsgCiAgICBlY2hvICJoZWxsbyAkMSIKfQo="; // greet() { echo "hello $1"; }
    sb.write(
        "snapshot-bash-1700000000000-abc123.sh",
        format!(
            "# Snapshot file\nunalias -a 2>/dev/null || true\n# Functions\neval \"$(echo '{encoded}' | base64 -d)\" > /dev/null 2>&1\n# Shell Options\nshopt -s extglob\nshopt -s expand_aliases\n# Aliases\nalias -- ll='ls -l'\nexport PATH=/usr/bin:/bin\n"
        ),
    )
}

#[rstest]
#[case("echo 'hello world' | tr a-z A-Z", "HELLO WORLD\n")]
#[case("printf '%s\\n' \"it's\" 'a\"b'", "it's\na\"b\n")]
#[case("greet you", "hello you\n")]
#[case("x=$(echo 3); echo $((x * 14))", "42\n")]
#[case("for f in b a; do echo $f; done | sort", "a\nb\n")]
#[case("git --version | cut -d' ' -f1-2", "git version\n")]
#[case("cat <<'EOF'\n$HOME stays\nEOF", "$HOME stays\n")]
#[case("echo \"git push --force\"", "git push --force\n")]
fn claude_frame_runs_an_allowed_command(#[case] cmd: &str, #[case] want: &str) {
    let sb = Sandbox::new();
    let snapshot = claude_snapshot(&sb);
    let cwd_file = sb.file("claude-1a2b-cwd");
    let frame = claude_frame(&snapshot, &cwd_file, cmd);
    let out = run(sb.detached(&["-c", &frame]));
    assert_eq!(out.code(), Some(0), "{out:?}");
    assert_eq!(out.stdout, want);
    let cwd = std::fs::read_to_string(&cwd_file).expect("cwd file written");
    assert_eq!(Path::new(cwd.trim_end()), sb.work().canonicalize().unwrap());
}

#[test]
fn claude_frame_records_the_directory_the_command_moved_to() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.work().join("sub")).unwrap();
    let snapshot = claude_snapshot(&sb);
    let cwd_file = sb.file("claude-cwd");
    let frame = claude_frame(&snapshot, &cwd_file, "cd sub && ls -a | head -1");
    let out = run(sb.detached(&["-c", &frame]));
    assert_eq!(out.code(), Some(0), "{out:?}");
    let cwd = std::fs::read_to_string(&cwd_file).unwrap();
    assert_eq!(
        Path::new(cwd.trim_end()),
        sb.work().join("sub").canonicalize().unwrap()
    );
}

#[rstest]
#[case(
    "git push --force origin main",
    "git push --force origin main",
    "no-force-push"
)]
#[case(
    "echo 'step 1' && git reset --hard HEAD~1",
    "git reset --hard HEAD~1",
    "no-reset-hard"
)]
#[case("cd /tmp; rm -rf /", "rm -rf /", "no-recursive-rm-of-root-home-or-git")]
fn claude_frame_refuses_a_denied_command_and_names_it(
    #[case] cmd: &str,
    #[case] named: &str,
    #[case] rule: &str,
) {
    let sb = Sandbox::new();
    let snapshot = claude_snapshot(&sb);
    let cwd_file = sb.file("claude-cwd");
    let marker = sb.file("MARKER");
    let frame = claude_frame(&snapshot, &cwd_file, &format!("touch {marker}; {cmd}"));
    let (human, json) = refusal(&run(sb.detached(&["-c", &frame])));
    assert!(human.starts_with("policy-exec: denied: "), "{human}");
    assert_refusal_shape(&json, "deny");
    assert_eq!(json["command"], named, "{json}");
    assert_eq!(json["rule"]["id"], rule, "{json}");
    assert!(!Path::new(&marker).exists());
    assert!(!Path::new(&cwd_file).exists(), "the frame ran");
}

#[test]
fn claude_env_probe_runs() {
    let sb = Sandbox::new();
    let out = run(sb.detached(&["-c", "env"]));
    assert_eq!(out.code(), Some(0), "{out:?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l == format!("HOME={}", sb.home().display())),
        "{}",
        out.stdout
    );
}

/// Claude Code's snapshot-creating script, in its published shape. `test_form` is how it
/// checks the file exists at the end.
fn claude_snapshot_creator(sb: &Sandbox, test_form: &str) -> (String, String) {
    let rc = sb.home().join(".bashrc");
    std::fs::write(
        &rc,
        "greet() { echo \"hello $1\"; }\nalias ll='ls -l'\nshopt -s histappend\n",
    )
    .unwrap();
    let dir = sb.home().join(".claude/shell-snapshots");
    std::fs::create_dir_all(&dir).unwrap();
    let snapshot = dir.join("snapshot-bash-1700000000000-x1y2z3.sh");
    let snapshot = snapshot.to_str().unwrap().to_string();
    let script = format!(
        r##"SNAPSHOT_FILE={snapshot}
source "{rc}" < /dev/null
# First, create/clear the snapshot file
echo "# Snapshot file" >| "$SNAPSHOT_FILE"
# When this file is sourced, we first unalias to avoid conflicts
echo "# Unset all aliases to avoid conflicts with functions" >> "$SNAPSHOT_FILE"
echo "unalias -a 2>/dev/null || true" >> "$SNAPSHOT_FILE"
echo "# Functions" >> "$SNAPSHOT_FILE"
# Force autoload all functions first
declare -f > /dev/null 2>&1
# Now get user function names - filter system ones and write directly to file
declare -F | cut -d' ' -f3 | grep -vE '^(_|__)' | while read func; do
  # Encode the function to base64, preserving all special characters
  encoded_func=$(declare -f "$func" | base64 )
  # Write the function definition to the snapshot
  echo "eval \"\$(echo '$encoded_func' | base64 -d)\" > /dev/null 2>&1" >> "$SNAPSHOT_FILE"
done
echo "# Shell Options" >> "$SNAPSHOT_FILE"
shopt -p | head -n 1000 >> "$SNAPSHOT_FILE"
set -o | grep "on" | awk '{{print "set -o " $1}}' | head -n 1000 >> "$SNAPSHOT_FILE"
echo "shopt -s expand_aliases" >> "$SNAPSHOT_FILE"
echo "# Aliases" >> "$SNAPSHOT_FILE"
# Filter out winpty aliases on Windows to avoid "stdin is not a tty" errors
if [[ "$OSTYPE" == "msys" ]] || [[ "$OSTYPE" == "cygwin" ]]; then
  alias | grep -v "='winpty " | sed 's/^alias //g' | sed 's/^\([^=]*\)=\(.*\)$/alias -- \1=\2/' | head -n 1000 >> "$SNAPSHOT_FILE"
else
  alias | sed 's/^alias //g' | sed 's/^\([^=]*\)=\(.*\)$/alias -- \1=\2/' | head -n 1000 >> "$SNAPSHOT_FILE"
fi
# Check for rg availability
echo "# Check for rg availability" >> "$SNAPSHOT_FILE"
echo "if ! command -v rg >/dev/null 2>&1; then" >> "$SNAPSHOT_FILE"
echo "  alias rg='/opt/claude/vendor/ripgrep/x64-linux/rg'" >> "$SNAPSHOT_FILE"
echo "fi" >> "$SNAPSHOT_FILE"
# Add PATH to the file
echo "export PATH=$(printf %q "$PATH")" >> "$SNAPSHOT_FILE"
export -p > /dev/null
if {test_form}; then
  echo "Error: Snapshot file was not created" >&2
  exit 1
fi
"##,
        rc = rc.display()
    );
    (script, snapshot)
}

fn assert_snapshot_created(sb: &Sandbox, test_form: &str) {
    let (script, snapshot) = claude_snapshot_creator(sb, test_form);
    let out = run(sb.detached(&["-c", "-l", &script]));
    assert_eq!(
        out.code(),
        Some(0),
        "the snapshot script was refused: {out:?}"
    );
    let text = std::fs::read_to_string(&snapshot).expect("snapshot written");
    assert!(
        text.contains("# Functions") && text.contains("base64 -d"),
        "{text}"
    );
    assert!(text.contains("alias -- ll='ls -l'"), "{text}");
    assert!(text.contains("shopt -s histappend"), "{text}");
    // The snapshot then works in a per-command frame.
    let cwd_file = sb.file("claude-cwd");
    let frame = claude_frame(&snapshot, &cwd_file, "greet snapshot");
    let out = run(sb.detached(&["-c", &frame]));
    assert_eq!(out.stdout, "hello snapshot\n", "{out:?}");
}

#[test]
fn claude_snapshot_script_runs() {
    let sb = Sandbox::new();
    assert_snapshot_created(&sb, "! test -f \"$SNAPSHOT_FILE\"");
}

#[test]
fn claude_snapshot_script_with_test_brackets_runs() {
    let sb = Sandbox::new();
    assert_snapshot_created(&sb, "[ ! -f \"$SNAPSHOT_FILE\" ]");
}

#[rstest]
#[case("[ -d / ] && echo yes")]
#[case("if [ -n \"$HOME\" ]; then echo yes; fi")]
#[case("[ ! -f /nonexistent ] && echo yes")]

fn the_test_bracket_command_is_allowed(#[case] script: &str) {
    let sb = Sandbox::new();
    let out = run(sb.detached(&["-c", script]));
    assert_eq!(out.code(), Some(0), "{out:?}");
    assert_eq!(out.stdout, "yes\n");
}

#[rstest]
#[case("ls -a | head -1", ".\n")]
#[case("echo a && echo b || echo c; echo d", "a\nb\nd\n")]
#[case("git status --porcelain 2>/dev/null; echo rc=$?", "rc=128\n")]
#[case("python3 -c 'print(6*7)'", "42\n")]
fn codex_login_command_runs_an_allowed_command(#[case] cmd: &str, #[case] want: &str) {
    let sb = Sandbox::new();
    let out = run(sb.detached(&["-lc", cmd]));
    assert_eq!(out.code(), Some(0), "{out:?}");
    assert_eq!(out.stdout, want);
}

#[rstest]
#[case("git push --force origin main", "no-force-push")]
#[case("cd .. && git reset --hard", "no-reset-hard")]
fn codex_login_command_refuses_a_denied_command(#[case] cmd: &str, #[case] rule: &str) {
    let sb = Sandbox::new();
    let (human, json) = refusal(&run(sb.detached(&["-lc", cmd])));
    assert!(human.starts_with("policy-exec: denied: "), "{human}");
    assert_eq!(json["rule"]["id"], rule);
}

fn codex_snapshot(sb: &Sandbox) -> String {
    sb.write(
        "codex-snapshot.sh",
        "# Snapshot file\nunalias -a 2>/dev/null || true\nexport SNAP_VAR='from snapshot'\nexport PATH=/usr/bin:/bin\n",
    )
}

#[rstest]
#[case("echo \"$SNAP_VAR\"", "from snapshot\n")]
#[case("printf '%s\\n' \"it's\" | tr a-z A-Z", "IT'S\n")]
#[case("echo $0", "")]
fn codex_snapshot_preamble_runs_an_allowed_command(#[case] cmd: &str, #[case] want: &str) {
    let sb = Sandbox::new();
    let snapshot = codex_snapshot(&sb);
    let preamble = codex_preamble(&snapshot, &sb.shim(), cmd);
    let out = run(sb.detached(&["-c", &preamble]));
    assert_eq!(out.code(), Some(0), "{out:?}");
    let want = if want.is_empty() {
        format!("{}\n", sb.shim().display())
    } else {
        want.to_string()
    };
    assert_eq!(out.stdout, want);
    // And the follow-up plain `-c` call.
    let out = run(sb.detached(&["-c", cmd]));
    assert_eq!(out.code(), Some(0), "{out:?}");
}

#[rstest]
#[case("git push --force origin main", "no-force-push")]
#[case("echo ok; git reset --hard", "no-reset-hard")]
fn codex_snapshot_preamble_refuses_a_denied_command(#[case] cmd: &str, #[case] rule: &str) {
    let sb = Sandbox::new();
    let snapshot = codex_snapshot(&sb);
    let marker = sb.file("MARKER");
    let cmd = format!("touch {marker}; {cmd}");
    let preamble = codex_preamble(&snapshot, &sb.shim(), &cmd);
    let (human, json) = refusal(&run(sb.detached(&["-c", &preamble])));
    assert!(human.starts_with("policy-exec: denied: "), "{human}");
    assert_eq!(json["rule"]["id"], rule);
    assert!(!Path::new(&marker).exists());
    let (_, json) = refusal(&run(sb.detached(&["-c", &cmd])));
    assert_eq!(json["rule"]["id"], rule);
}

/// A sandbox asking before any `touch`, with a `touch` guard out of the user's reach: the
/// guard directory and its parent are root's (0755) and the shim runs as `nobody`. None
/// when this cannot be set up (needs root and setpriv).
fn operator_owned_guards() -> Option<(Sandbox, PathBuf)> {
    use std::os::unix::fs::PermissionsExt;
    if !Path::new("/usr/bin/setpriv").exists() || !is_root() {
        eprintln!("SKIPPED: needs root and /usr/bin/setpriv to run the shim as another user");
        return None;
    }
    let sb = asking_sandbox(2);
    let data = sb.root.path().join("data");
    let guards = data.join("policy-exec/guards");
    std::fs::create_dir_all(&guards).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_policy-exec"), guards.join("touch")).unwrap();
    for dir in [
        sb.root.path().to_path_buf(),
        data.clone(),
        data.join("policy-exec"),
        guards,
        sb.root.path().join("bin"),
        sb.root.path().join("policy"),
    ] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for f in std::fs::read_dir(sb.root.path().join("policy")).unwrap() {
        let f = f.unwrap().path();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    for dir in [sb.work(), sb.home()] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    Some((sb, data))
}

/// Runs `bash -c script` through the shim as `nobody` on a terminal, answering the first
/// prompt with `answer`.
fn as_nobody(sb: &Sandbox, data: &Path, answer: &str, script: &str) -> TtyRun {
    let mut cmd = Command::new("/usr/bin/setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        python(),
        "-c",
    ])
    .arg(PTY_DRIVER)
    .args([answer, "-", "-"])
    .arg(sb.shim())
    .args(["bash", "-c", script]);
    let mut cmd = sb.prepare(cmd);
    cmd.env("PATH", "/usr/bin:/bin").env("XDG_DATA_HOME", data);
    let out = cmd.stderr(Stdio::inherit()).output().unwrap();
    let transcript = String::from_utf8_lossy(&out.stdout).into_owned();
    let status = transcript
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("@@STATUS "))
        .unwrap_or_else(|| panic!("driver failed: {transcript}"))
        .to_string();
    let mut parts = status.split_whitespace();
    TtyRun {
        code: parts.next().unwrap().parse().unwrap(),
        after_prompt: parts.next().unwrap().parse().unwrap(),
        raw: out.stdout.clone(),
        transcript,
    }
}

/// With an exec guard out of the user's reach for the asked-about program, shell mode
/// leaves the question to the guard, which asks once with the exact argv; a guard never
/// defers.
#[test]
fn a_request_that_reaches_an_operator_owned_guard_is_asked_once_by_the_guard() {
    let Some((sb, data)) = operator_owned_guards() else {
        return;
    };
    let marker = sb.file("MARKER");
    let run = as_nobody(&sb, &data, "y", &format!("touch {marker} && echo done"));
    assert_eq!(
        run.transcript.matches("[y/N/a/p]").count(),
        1,
        "{}",
        run.transcript
    );
    assert_eq!(run.code, 0, "{}", run.transcript);
    assert!(Path::new(&marker).exists(), "{}", run.transcript);
    // No: the guard refuses, nothing ran.
    std::fs::remove_file(&marker).unwrap();
    let run = as_nobody(&sb, &data, "n", &format!("touch {marker}"));
    assert_eq!(
        run.transcript.matches("[y/N/a/p]").count(),
        1,
        "{}",
        run.transcript
    );
    assert_eq!(run.code, 126, "{}", run.transcript);
    assert!(!Path::new(&marker).exists());
}

/// Scripts that make `touch` resolve to the real program before it runs (red-team
/// findings): shell mode must ask itself, not leave it to a guard that will never run.
#[rstest]
#[case::path_split_by_quotes("export PA\"\"TH=/usr/bin:/bin; touch {m}")]
#[case::path_by_printf("printf -v PA\"\"TH %s /usr/bin:/bin; touch {m}")]
#[case::path_by_read("read -r PA\"\"TH <<< /usr/bin:/bin; touch {m}")]
#[case::hash_table_by_nameref("declare -n h=BASH_C\"\"MDS; h[touch]=/usr/bin/touch; touch {m}")]
#[case::alias_by_array(
    "shopt -s expand_al\"\"iases; BASH_ALIASES[to\"\"uch]=/usr/bin/touch\ntouch {m}"
)]
#[case::function_keyword("function touch { /usr/bin/touch \"$@\"; }; touch {m}")]
#[case::sourced_file("echo PA\"\"TH=/usr/bin:/bin > f.sh; . ./f.sh; touch {m}")]
#[case::preload("export LD_PRE\"\"LOAD=/nonexistent.so; touch {m}")]
fn a_script_that_could_skip_its_guard_is_asked_by_the_shell(#[case] template: &str) {
    let Some((sb, data)) = operator_owned_guards() else {
        return;
    };
    let marker = sb.file("MARKER");
    let script = template.replace("{m}", &marker);
    let run = as_nobody(&sb, &data, "n", &script);
    assert_eq!(run.code, 126, "{}", run.transcript);
    assert!(run.transcript.contains("[y/N/a/p]"), "{}", run.transcript);
    assert!(!Path::new(&marker).exists(), "{}", run.transcript);
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A guard the user can remove is no guarantee (`rm …/guards/git; git push`): with a
/// guard directory in the user's reach, shell mode asks first; the guard may ask again.
#[test]
fn a_request_whose_guard_the_user_could_remove_is_asked_by_the_shell_first() {
    let sb = asking_sandbox(1);
    let guards = sb.home().join(".local/share/policy-exec/guards");
    std::fs::create_dir_all(&guards).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_policy-exec"), guards.join("touch")).unwrap();
    let marker = sb.file("MARKER");
    let script = format!("rm -f {}/touch; touch {marker}", guards.display());
    let run = on_tty(&sb, "y", "-", "-", &script);
    // The shell's question shows the whole script.
    assert!(run.transcript.contains("rm -f"), "{}", run.transcript);
    assert_eq!(run.code, 0, "{}", run.transcript);
    assert!(Path::new(&marker).exists());
}

/// When the script could route around the guard (here it mentions PATH), shell mode asks
/// itself first; the guard then asks again: two questions, never none.
#[test]
fn a_request_that_might_skip_its_guard_is_asked_by_the_shell_first() {
    let sb = asking_sandbox(1);
    let guards = sb.home().join(".local/share/policy-exec/guards");
    std::fs::create_dir_all(&guards).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_policy-exec"), guards.join("touch")).unwrap();
    let marker = sb.file("MARKER");
    let run = on_tty(
        &sb,
        "y",
        "-",
        "-",
        &format!("echo $PATH >/dev/null; touch {marker}"),
    );
    // The shell's question shows the whole script; the guard's (unanswered) times out.
    assert!(run.transcript.contains("echo $PATH"), "{}", run.transcript);
    assert_eq!(run.code, 126, "{}", run.transcript);
    assert!(!Path::new(&marker).exists());
}

/// The decision log's records in a sandbox's HOME, oldest first.
fn logged(sb: &Sandbox) -> Vec<Value> {
    let dir = sb.home().join(".local/state/policy-exec/log");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[rstest]
#[case("y", Some("approved"), 0)]
#[case("n", Some("declined"), 126)]
#[case("none", Some("timed_out"), 126)]
fn the_prompts_answer_is_in_the_log_with_the_command_and_rule(
    #[case] answer: &str,
    #[case] asked: Option<&str>,
    #[case] code: i32,
) {
    let sb = asking_sandbox(1);
    let run = on_tty(&sb, answer, "-", "-", "touch logged-file");
    assert_eq!(run.code, code, "{}", run.transcript);
    let records = logged(&sb);
    assert_eq!(records.len(), 1, "{records:?}");
    let r = &records[0];
    assert_eq!(r["decision"], "request");
    assert_eq!(r["asked"].as_str(), asked);
    assert_eq!(r["script"], "touch logged-file");
    assert_eq!(r["commands"][0]["rule"]["id"], "ask-me");
    assert!(
        r["tty"].as_str().is_some_and(|t| t.starts_with("/dev/")),
        "{r}"
    );
}

#[test]
fn a_request_without_a_terminal_is_logged_as_no_terminal() {
    let sb = asking_sandbox(1);
    let out = run(sb.detached(&["-c", "touch x"]));
    assert_eq!(out.code(), Some(126));
    let records = logged(&sb);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["asked"], "no_terminal");
    let (_, json) = refusal(&out);
    assert_eq!(json["denial_id"], records[0]["id"]);
}

// ---------------------------------------------------------------------------------------
// 8. Frames of Gemini CLI, Copilot CLI and OpenCode (HOSTS.md, checked live: Gemini CLI
//    0.61.0, Copilot CLI 1.0.102, OpenCode 1.18.33)
// ---------------------------------------------------------------------------------------

/// Gemini CLI's per-command frame: options reset, a background-pid file, the command in
/// a subshell whose EXIT trap records its jobs, and its status passed on.
fn gemini_frame(bgpids: &str, cmd: &str) -> String {
    format!(
        "shopt -u promptvars nullglob extglob nocaseglob dotglob; _bgpids_file={bgpids}\n(\n  trap 'jobs -p > \"$_bgpids_file\"' EXIT\n{cmd}\n)\n__code=$?\nexit $__code"
    )
}

/// Copilot CLI's once-per-session login probe (`-l -c`): the environment, NUL-separated.
const COPILOT_LOGIN_PROBE: &str = r#"printf %s '__copilot_login_env_snapshot_3fa5_18ee2fed3b4bcd1c__'; if ! command env -0 2>/dev/null; then for __copilot_k in $(compgen -e); do printf '%s=%s\0' "$__copilot_k" "${!__copilot_k}"; done; fi"#;

/// Each harness's argv around the model's command: Gemini's `-c` frame, Copilot's
/// `--norc --noprofile -c`, OpenCode's `-c`.
fn harness_argv(harness: &str, sb: &Sandbox, cmd: &str) -> Vec<String> {
    match harness {
        "gemini" => vec!["-c".into(), gemini_frame(&sb.file("bgpids.tmp"), cmd)],
        "copilot" => vec![
            "--norc".into(),
            "--noprofile".into(),
            "-c".into(),
            cmd.into(),
        ],
        _ => vec!["-c".into(), cmd.into()],
    }
}

#[rstest]
fn newer_harness_frames_run_an_allowed_command(
    #[values("gemini", "copilot", "opencode")] harness: &str,
    #[values(
        ("echo 'hello world' | tr a-z A-Z", "HELLO WORLD\n", 0),
        ("for f in b a; do echo $f; done | sort", "a\nb\n", 0),
        ("echo \"git reset --hard\"", "git reset --hard\n", 0),
        ("git --version | cut -d' ' -f1-2; exit 3", "git version\n", 3)
    )]
    case: (&str, &str, i32),
) {
    let (cmd, want, code) = case;
    let sb = Sandbox::new();
    let out = run(sb.detached(&harness_argv(harness, &sb, cmd)));
    assert_eq!(out.code(), Some(code), "{harness}: {out:?}");
    assert_eq!(out.stdout, want, "{harness}");
    if harness == "gemini" {
        // The frame's own bookkeeping ran too.
        assert!(Path::new(&sb.file("bgpids.tmp")).exists());
    }
}

#[rstest]
fn newer_harness_frames_refuse_a_denied_command_and_name_it(
    #[values("gemini", "copilot", "opencode")] harness: &str,
    #[values(
        ("git reset --hard", "git reset --hard", "no-reset-hard"),
        ("echo step && git push -f origin main", "git push -f origin main", "no-force-push"),
        ("bash -c 'git  reset   --hard HEAD'", "git reset --hard HEAD", "no-reset-hard")
    )]
    case: (&str, &str, &str),
) {
    let (cmd, named, rule) = case;
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let argv = harness_argv(harness, &sb, &format!("touch {marker}; {cmd}"));
    let (human, json) = refusal(&run(sb.detached(&argv)));
    assert!(human.starts_with("policy-exec: denied: "), "{human}");
    assert_refusal_shape(&json, "deny");
    assert_eq!(json["command"], named, "{json}");
    assert_eq!(json["rule"]["id"], rule, "{json}");
    assert!(!Path::new(&marker).exists(), "{harness}: the frame ran");
}

#[test]
fn copilot_login_probe_runs() {
    let sb = Sandbox::new();
    let out = run(sb.detached(&["-l", "-c", COPILOT_LOGIN_PROBE]));
    assert_eq!(out.code(), Some(0), "{out:?}");
    assert!(
        out.stdout
            .starts_with("__copilot_login_env_snapshot_3fa5_18ee2fed3b4bcd1c__"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .split('\0')
            .any(|kv| kv == format!("HOME={}", sb.home().display())),
        "{out:?}"
    );
}

/// Gemini CLI and Copilot CLI run their hook commands through the same shell: with
/// policy-exec as that shell, `policy-exec hook …` runs without a prompt and answers.
#[rstest]
#[case("gemini", r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"git reset --hard"},"cwd":"/"}"#, r#""decision":"deny""#)]
#[case(
    "copilot",
    r#"{"toolName":"bash","toolArgs":{"command":"git reset --hard"},"cwd":"/"}"#,
    r#""permissionDecision":"deny""#
)]
fn hook_commands_pass_through_the_shell(
    #[case] harness: &str,
    #[case] payload: &str,
    #[case] deny: &str,
) {
    let sb = Sandbox::new();
    let hook = format!(
        "{} hook {harness}",
        Path::new(env!("CARGO_BIN_EXE_policy-exec")).display()
    );
    let argv: Vec<String> = match harness {
        "copilot" => vec!["--norc".into(), "--noprofile".into(), "-c".into(), hook],
        _ => vec!["-c".into(), hook],
    };
    let out = run_with(sb.detached(&argv), payload.as_bytes());
    assert_eq!(out.code(), Some(0), "{out:?}");
    assert!(out.stdout.contains(deny), "{out:?}");
    assert!(out.stdout.contains("no-reset-hard"), "{out:?}");
}

/// Even under a policy that asks about every command no rule matches, the exact hook
/// command `sync --apply --hooks` writes, naming this binary, passes through the shim
/// and answers; anything more, or another program, is judged (and refused here).
#[rstest]
#[case::plain("{exe} hook gemini", true)]
#[case::pinned("{exe} hook copilot --installation /home/u/.config/policy-exec", true)]
#[case::pinned_quoted(
    "{exe} hook gemini --installation '/home/u/my config/policy-exec'",
    true
)]
#[case::more_after_it("{exe} hook gemini; touch {marker}", false)]
#[case::pin_with_a_command("{exe} hook gemini --installation /x; touch {marker}", false)]
#[case::another_option("{exe} hook gemini --deadline 3", false)]
#[case::redirected("{exe} hook gemini > {marker}", false)]
#[case::unknown_harness("{exe} hook windsurf", false)]
#[case::another_program("/bin/echo hook gemini", false)]
#[case::relative_program("policy-exec hook gemini", false)]
fn only_this_binary_s_exact_hook_command_skips_judgement(
    #[case] template: &str,
    #[case] passes: bool,
) {
    let sb = Sandbox::new().with_bundle(&[], json!({"unmatched": "request"}));
    let marker = sb.file("MARKER");
    let script = template
        .replace("{exe}", env!("CARGO_BIN_EXE_policy-exec"))
        .replace("{marker}", &marker);
    let payload = if template.contains("hook copilot") {
        r#"{"toolName":"bash","toolArgs":{"command":"ls"},"cwd":"/"}"#
    } else {
        r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"ls"},"cwd":"/"}"#
    };
    let out = run_with(sb.detached(&["-c", &script]), payload.as_bytes());
    if passes {
        // The hook ran: a judgement of `ls` (no rule: no opinion, exit 0).
        assert_eq!(out.code(), Some(0), "{out:?}");
        assert!(
            !out.stderr.contains("policy-exec: needs approval"),
            "{out:?}"
        );
    } else {
        assert_eq!(out.code(), Some(126), "{out:?}");
        assert!(!Path::new(&marker).exists(), "{out:?}");
    }
}

/// Installed as `sh` or `dash`, shell mode's own `-c` script (and script file) is also
/// read the way dash reads `$'…'` (a `$` before a plain quote): what bash reads as one
/// quoted word runs commands in dash.
#[test]
fn installed_as_sh_its_own_script_is_read_as_dash_reads_dollar_quotes() {
    let sb = Sandbox::new();
    let marker = sb.file("MARKER");
    let script = format!("echo $'\\' ; touch {marker} ; git reset --hard ; #'");
    for name in ["sh", "dash"] {
        let link = sb.bin_dir().join(name);
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_policy-exec"), &link).unwrap();
        let mut cmd = Command::new("/usr/bin/setsid");
        cmd.arg(&link).args(["-c", &script]);
        let (_, json) = refusal(&run(sb.prepare(cmd)));
        assert_eq!(json["rule"]["id"], "no-reset-hard", "{name}");
        assert!(!Path::new(&marker).exists(), "{name} ran the script");

        let file = sb.write("s.sh", format!("{script}\n"));
        let mut cmd = Command::new("/usr/bin/setsid");
        cmd.arg(&link).arg(&file);
        let (_, json) = refusal(&run(sb.prepare(cmd)));
        assert_eq!(json["rule"]["id"], "no-reset-hard", "{name} FILE");
    }
    // bash reads it as one word: it only echoes.
    let mut cmd = Command::new("/usr/bin/setsid");
    cmd.arg(sb.shim()).args(["-c", &script]);
    let out = run(sb.prepare(cmd));
    assert!(out.status.success(), "{out:?}");
    assert!(!Path::new(&marker).exists());
}

/// Installed as `sh` or `dash`, shell mode's own script runs dash's `echo`, which decodes
/// backslash escapes: what it pipes to a shell is the decoded text.
#[test]
fn installed_as_sh_its_echo_decodes_backslashes() {
    let sb = Sandbox::new();
    let script = "echo 'git reset \\055-hard' | sh";
    for name in ["sh", "dash"] {
        let link = sb.bin_dir().join(name);
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_policy-exec"), &link).unwrap();
        let mut cmd = Command::new("/usr/bin/setsid");
        cmd.arg(&link).args(["-c", script]);
        let (_, json) = refusal(&run(sb.prepare(cmd)));
        assert_eq!(json["rule"]["id"], "no-reset-hard", "{name}");
    }
}
