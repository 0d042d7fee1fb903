//! Rule examples checked like unit tests (as Codex checks `match`/`not_match` at load):
//! each `match` example must be matched by its rule, each `not_match` must not.

use std::path::Path;

use super::policy::Policy;
use super::rule::Match;
use crate::git::{Predicate, PredicateValue, RepoState};

/// Repository state for examples: no repository, no aliases. Examples are about matching,
/// never about conditions.
struct NoRepo;

impl RepoState for NoRepo {
    fn predicate(&self, _dir: &Path, _p: Predicate) -> PredicateValue {
        PredicateValue {
            value: Err("examples are checked without a repository".into()),
            why: "examples are checked without a repository".into(),
        }
    }

    fn git_alias(&self, _dir: &Path, _name: &str) -> Option<String> {
        None
    }
}

/// Every example that disagrees with its rule, as a message naming the rule and origin.
pub fn failures(policy: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    let start = Path::new("/");
    for rule in &policy.rules {
        let origin = if rule.origin.path.is_empty() {
            String::new()
        } else {
            format!(" ({})", rule.origin.path)
        };
        let matched = |example: &str| -> Result<bool, String> {
            let analysis =
                crate::command::analyze(example, start, &NoRepo).map_err(|e| e.message.clone())?;
            Ok(analysis.commands.iter().any(|c| {
                let place = crate::policy::rule::Place {
                    frames: c.frames.clone(),
                    ..Default::default()
                };
                rule.matches_in(&c.words, &place) == Match::Yes
            }))
        };
        for (examples, want) in [
            (&rule.examples_match, true),
            (&rule.examples_not_match, false),
        ] {
            for example in examples {
                match matched(example) {
                    Ok(got) if got == want => {}
                    Ok(_) => out.push(format!(
                        "rule `{}`{origin}: example `{example}` {}: fix the example or the rule's match",
                        rule.id,
                        if want { "does not match" } else { "matches but is listed under not_match" }
                    )),
                    Err(e) => out.push(format!(
                        "rule `{}`{origin}: example `{example}` does not parse as bash ({e})",
                        rule.id
                    )),
                }
            }
        }
    }
    out
}
