//! The rule model, matching, condition semantics and the pure decision engine.
//!
//! Nothing here reads a file, the environment or the clock: a [`bundle::Bundle`] comes in
//! already parsed, repository state comes through [`crate::git::RepoState`], and the
//! engine returns an [`engine::Evaluation`] that `check` and `explain` print.

pub mod bundle;
pub mod condition;
pub mod engine;
pub mod examples;
pub mod glob;
pub mod load;
pub mod options;
#[allow(clippy::module_inception)]
pub mod policy;
pub mod rule;

use serde::{Deserialize, Serialize};

/// The outcome of judging a command. Ordered from most to least permissive, so the
/// strictest of several decisions is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The command may run.
    Allow,
    /// A human must approve the command first.
    Request,
    /// The command must not run.
    Deny,
}

impl Decision {
    /// The lowercase word used in files, JSON and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Request => "request",
            Decision::Deny => "deny",
        }
    }

    /// Parses the words the reference uses for an action (`require` is its old name for
    /// `request`).
    pub fn parse(word: &str) -> Option<Decision> {
        match word {
            "allow" => Some(Decision::Allow),
            "request" | "require" => Some(Decision::Request),
            "deny" => Some(Decision::Deny),
            _ => None,
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
