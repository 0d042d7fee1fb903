//! The embedded default bundle is generated from `bundles/default/policy-config`; this
//! test fails when the two drift apart (run with `POLICY_EXEC_UPDATE_BUNDLE=1` to
//! regenerate), and checks every rule's examples.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use policy_exec::policy::bundle;
use policy_exec::policy::load::{self, EMBEDDED_BUNDLE, Loaded};
use policy_exec::policy::policy::Policy;
use policy_exec::resolve::{ResolveRequest, resolve};

fn generated_bundle() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/default");
    let resolved = resolve(&ResolveRequest {
        root: root.clone(),
        harness: "default".into(),
        task_domain: "default".into(),
        task_instance: None,
        system: None,
        user: None,
    })
    .expect("the default policy resolves");
    let layers = load::layers(&resolved.scopes, &root);
    let b = bundle::build(&resolved.policy, &layers, Some(&resolved.policy_hash)).unwrap();
    format!("{}\n", serde_json::to_string_pretty(&b).unwrap())
}

#[test]
fn embedded_bundle_matches_its_yaml_sources() {
    let generated = generated_bundle();
    if std::env::var_os("POLICY_EXEC_UPDATE_BUNDLE").is_some() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("bundles/default/policy-wrapper-rules.json");
        std::fs::write(path, &generated).unwrap();
        return;
    }
    assert_eq!(
        EMBEDDED_BUNDLE, generated,
        "bundles/default/policy-wrapper-rules.json is stale: run `POLICY_EXEC_UPDATE_BUNDLE=1 cargo test --test default_policy`"
    );
}

#[test]
fn every_default_rule_has_examples_and_they_hold() {
    let Loaded::Ready(policy) = load::embedded() else {
        panic!("embedded bundle does not load");
    };
    let policy: &Policy = &policy;
    assert!(policy.rules.len() >= 10);
    for rule in &policy.rules {
        assert!(
            !rule.examples_match.is_empty(),
            "rule {} has no match examples",
            rule.id
        );
    }
    let failures = policy_exec::policy::examples::failures(policy);
    assert!(failures.is_empty(), "{failures:#?}");
}
