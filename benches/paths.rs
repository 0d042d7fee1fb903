//! The cost of path rules per judgement, in process: the embedded default policy as
//! shipped (with its path rules) against the same policy with its path rules removed,
//! interleaved in one run so the machine's noise hits both alike. Scripts without a file
//! operand should cost the same; scripts with one pay for resolving it (a `stat` per
//! existing prefix, the repository top once per judgement).
//!
//! Run: `cargo bench --bench paths`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use policy_exec::git::Git2RepoState;
use policy_exec::policy::engine;
use policy_exec::policy::load::{self, Loaded};

const SCRIPTS: [(&str, &str); 6] = [
    ("no operand", "git status"),
    ("no operand, pipeline", "cargo test 2>&1 | tail -5"),
    ("reader", "cat src/main.rs"),
    ("redirection", "echo x > notes.md"),
    ("copy and move", "cp a b && mv b c"),
    ("protected write", "echo x >> ~/.bashrc"),
];

fn main() {
    let home = tempfile::tempdir().unwrap();
    let repo = home.path().join("repo");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    let ok = Command::new("git")
        .args(["init", "-q", "-b", "main"])
        .current_dir(&repo)
        .status()
        .unwrap();
    assert!(ok.success());
    let Loaded::Ready(with) = load::embedded() else {
        panic!("embedded policy does not load")
    };
    let mut without = (*with).clone();
    without.path_rules.clear();
    println!(
        "path rules in the default policy: {}",
        with.path_rules.len()
    );
    let rounds = 400;
    for (what, script) in SCRIPTS {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            // A fresh repository state per judgement, as each process has.
            for (policy, times) in [(&without, &mut a), (&*with, &mut b)] {
                let state = Git2RepoState::with_home(Some(home.path().to_path_buf()));
                let start = Instant::now();
                let e = engine::judge(script, policy, Path::new(&repo), &state);
                times.push(start.elapsed());
                std::hint::black_box(e);
            }
        }
        let (a, b) = (median(a), median(b));
        println!(
            "{what:<22} `{script}`: without path rules {:>7.1} µs, with {:>7.1} µs ({:+.1} µs, ×{:.2})",
            micros(a),
            micros(b),
            micros(b) - micros(a),
            micros(b) / micros(a).max(0.001)
        );
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
