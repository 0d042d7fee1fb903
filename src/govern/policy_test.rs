//! `policy-exec test FILE…`: policy tests. Each file is a YAML list of cases
//! `{command, expect: allow|request|deny, state: clean|dirty|none, cwd, note}`, judged
//! with the same engine as `check` against the policy the caller loaded (a tree, a
//! manifest or bundle, or the installed/default one).
//!
//! `state` (default `clean`) is the repository the command is judged in: a temporary git
//! repository built here with libgit2 — one commit, plus an uncommitted change for
//! `dirty` — or, for `none`, an empty temporary directory that is no repository. `cwd`
//! is a directory inside it (created), or an absolute path used as it is. It writes only
//! in its own temporary directories and never runs a judged command.
//!
//! Exit codes: 0 every case passed, 1 a case disagreed, 2 an argument, file or policy
//! error.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::git::Git2RepoState;
use crate::policy::Decision;
use crate::policy::engine;
use crate::policy::policy::Policy;
use crate::report;

/// Flags of `policy-exec test`.
#[derive(Debug, Clone, clap::Args)]
pub struct TestArgs {
    /// Policy test files: YAML lists of {command, expect, state?, cwd?, note?}
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The wrapper bundle to judge with.
    #[arg(long, conflicts_with = "manifest")]
    pub bundle: Option<PathBuf>,
    /// The dispatch manifest naming the bundle.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Judge with a policy tree (with --harness and --task-domain).
    #[arg(long, conflicts_with_all = ["bundle", "manifest"])]
    pub root: Option<PathBuf>,
    /// Harness scope for --root.
    #[arg(long, requires = "root")]
    pub harness: Option<String>,
    /// Task-domain scope for --root.
    #[arg(long, requires = "root")]
    pub task_domain: Option<String>,
    /// Print every case, not only the ones that disagree.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// The repository a case is judged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// A repository with one commit and nothing uncommitted.
    #[default]
    Clean,
    /// The same with an uncommitted change to a tracked file.
    Dirty,
    /// A directory that is no repository.
    None,
}

/// One case of a policy test file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The script, as an agent would send it.
    pub command: String,
    /// The decision it must get.
    pub expect: String,
    /// The repository it is judged in.
    #[serde(default)]
    pub state: State,
    /// A directory inside that repository (or an absolute path).
    #[serde(default)]
    pub cwd: Option<String>,
    /// Why the case is there (shown with a mismatch).
    #[serde(default)]
    pub note: Option<String>,
}

/// Reads one policy test file.
pub fn read_cases(path: &Path) -> Result<Vec<Case>, String> {
    let text = crate::files::read_regular_text(path, 8 * 1024 * 1024)
        .map_err(|e| format!("`{}` cannot be read: {e}", path.display()))?;
    serde_yaml_ng::from_str(&text).map_err(|e| {
        format!(
            "`{}` is not a policy test file ({e}): write a YAML list of {{command, expect: allow|request|deny, state: clean|dirty|none, cwd}}",
            path.display()
        )
    })
}

/// The temporary repositories, built on first use.
struct Places {
    base: tempfile::TempDir,
    built: Vec<(State, PathBuf)>,
}

impl Places {
    fn new() -> Result<Places, String> {
        let base = tempfile::Builder::new()
            .prefix("policy-exec-test-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        Ok(Places {
            base,
            built: Vec::new(),
        })
    }

    fn dir(&mut self, state: State) -> Result<PathBuf, String> {
        if let Some((_, dir)) = self.built.iter().find(|(s, _)| *s == state) {
            return Ok(dir.clone());
        }
        let name = match state {
            State::Clean => "clean",
            State::Dirty => "dirty",
            State::None => "plain",
        };
        let dir = self.base.path().join(name).join("repo");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
        if state != State::None {
            build_repo(&dir, state == State::Dirty)
                .map_err(|e| format!("cannot build a {name} repository: {e}"))?;
        }
        // Canonical, as a harness reports its directory.
        let dir = dir.canonicalize().unwrap_or(dir);
        self.built.push((state, dir.clone()));
        Ok(dir)
    }
}

/// A repository with one committed file, and an uncommitted edit to it when `dirty`.
fn build_repo(dir: &Path, dirty: bool) -> Result<(), git2::Error> {
    let repo = git2::Repository::init(dir)?;
    let file = dir.join("README.md");
    std::fs::write(&file, "policy test repository\n")
        .map_err(|e| git2::Error::from_str(&e.to_string()))?;
    let mut index = repo.index()?;
    index.add_path(Path::new("README.md"))?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let who = git2::Signature::now("policy-exec test", "policy-exec@invalid")?;
    repo.commit(Some("HEAD"), &who, &who, "initial", &tree, &[])?;
    if dirty {
        std::fs::write(&file, "policy test repository\nan uncommitted change\n")
            .map_err(|e| git2::Error::from_str(&e.to_string()))?;
    }
    Ok(())
}

/// Runs the cases of every file against `policy` and returns the exit code.
pub fn run_tests(
    args: &TestArgs,
    policy: &Policy,
    home: Option<PathBuf>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut places = match Places::new() {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(err, "policy-exec: {e}");
            return 2;
        }
    };
    let repo_state = Git2RepoState::with_home(home);
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &args.files {
        let cases = match read_cases(file) {
            Ok(cases) => cases,
            Err(e) => {
                let _ = writeln!(err, "policy-exec: {e}");
                return 2;
            }
        };
        for (i, case) in cases.iter().enumerate() {
            let at = format!("{}: case {}", file.display(), i + 1);
            let Some(expect) = Decision::parse(&case.expect) else {
                let _ = writeln!(
                    err,
                    "policy-exec: {at}: `expect: {}` is not allow, request or deny",
                    case.expect
                );
                return 2;
            };
            let dir = match places.dir(case.state) {
                Ok(dir) => dir,
                Err(e) => {
                    let _ = writeln!(err, "policy-exec: {e}");
                    return 2;
                }
            };
            let dir = match case.cwd.as_deref() {
                None => dir,
                Some(c) if Path::new(c).is_absolute() => PathBuf::from(c),
                Some(c) => {
                    let sub = dir.join(c);
                    if let Err(e) = std::fs::create_dir_all(&sub) {
                        let _ = writeln!(
                            err,
                            "policy-exec: {at}: cannot create `{}`: {e}",
                            sub.display()
                        );
                        return 2;
                    }
                    sub
                }
            };
            let eval = engine::judge(&case.command, policy, &dir, &repo_state);
            if eval.decision == expect {
                passed += 1;
                if args.verbose {
                    let _ = writeln!(out, "ok    {at}: `{}` → {expect}", case.command);
                }
                continue;
            }
            failed += 1;
            let _ = writeln!(
                out,
                "FAIL  {at}: `{}` ({} tree): expected {expect}, got {}",
                case.command,
                match case.state {
                    State::Clean => "clean",
                    State::Dirty => "dirty",
                    State::None => "no",
                },
                eval.decision
            );
            if let Some(note) = &case.note {
                let _ = writeln!(out, "      note: {note}");
            }
            let _ = writeln!(out, "      {}", report::reason(&eval, policy));
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    u8::from(failed > 0)
}
