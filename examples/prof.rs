#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
use policy_exec::lookup::{Env, policy_for};
use policy_exec::policy::load::{Loaded, Locator};
use std::path::Path;
use std::time::Instant;
fn med(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}
fn main() {
    let home = Path::new("/tmp/lh2");
    let loc = Locator {
        config_home: Some(home.join(".config")),
        system_config: None,
        ..Default::default()
    };
    let env = Env {
        cache_home: Some(home.join(".cache")),
        ..Default::default()
    };
    let cwd = Path::new("/tmp");
    let mut t1 = Vec::new();
    let mut t2 = Vec::new();
    let mut t3 = Vec::new();
    let mut t4 = Vec::new();
    for _ in 0..500 {
        let s = Instant::now();
        let p = policy_for(&loc, cwd, None, &env);
        t1.push(s.elapsed().as_secs_f64() * 1e6);
        let Loaded::Ready(policy) = p else { panic!() };
        let s = Instant::now();
        let text = std::fs::read_to_string(
            std::fs::read_dir(home.join(".cache/policy-exec"))
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path(),
        )
        .unwrap();
        let body = text.split_once('\n').unwrap().1;
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        t2.push(s.elapsed().as_secs_f64() * 1e6);
        let b: policy_exec::policy::bundle::Bundle =
            serde_json::from_value(v["bundle"].clone()).unwrap();
        let s = Instant::now();
        let _ = policy_exec::policy::policy::Policy::from_bundle(&b, "x").unwrap();
        t3.push(s.elapsed().as_secs_f64() * 1e6);
        let repo = policy_exec::git::Git2RepoState::with_home(None);
        let s = Instant::now();
        let _ = policy_exec::policy::engine::judge("true", &policy, cwd, &repo);
        t4.push(s.elapsed().as_secs_f64() * 1e6);
    }
    println!(
        "policy_for {:.1} µs; read+parse as Value {:.1} µs; compile {:.1} µs; judge true {:.1} µs",
        med(t1),
        med(t2),
        med(t3),
        med(t4)
    );
}
