//! The decision log (SPEC §9): one JSON line per judgement from every mode (shell, guard,
//! hook, `check`), in UTC day files under `$XDG_STATE_HOME/policy-exec/log/`, and the
//! views people read it with (`policy-exec log denials|tail|show|export`).
//!
//! What it owns: the record format ([`record`]), redaction and truncation ([`redact`]),
//! the files ([`store`]), the views and the OCSF export ([`view`], [`ocsf`]).
//!
//! What it reads: a finished [`crate::policy::engine::Evaluation`] and the policy's
//! [`LogSettings`] (taken from the system and user scopes only, so a repository cannot
//! turn its own record off). What it writes: day files, append-only.
//!
//! What it must never do: change a decision. The one exception is the operator's
//! `log.required: true`, applied by the callers ([`Outcome::blocks_allow`]): an allow whose
//! line cannot be written becomes a deny. Reading the log (the views) happens only in
//! the `log` verbs, never on a judgement's path; so does pruning old files.

pub mod clock;
pub mod ocsf;
pub mod record;
pub mod redact;
pub mod store;
pub mod view;

pub use clock::Instant;
pub use record::{Asked, DecisionId, Judgement, Mode};
pub use store::{LogError, Store};

use crate::policy::policy::LogSettings;

/// What became of a judgement's line.
#[derive(Debug)]
pub enum Outcome {
    /// Written.
    Written,
    /// Logging is off (`log.enabled: false`).
    Disabled,
    /// It could not be written.
    Failed {
        /// Why, in one line.
        message: String,
        /// Whether the operator made the log a condition of running (`log.required`).
        required: bool,
    },
}

impl Outcome {
    /// Whether an allow must become a deny: the line could not be written and the log is
    /// required.
    pub fn blocks_allow(&self) -> bool {
        matches!(self, Outcome::Failed { required: true, .. })
    }

    /// The one-line stderr warning for a failure the decision survives.
    pub fn warning(&self) -> Option<String> {
        match self {
            Outcome::Failed {
                message,
                required: false,
            } => Some(format!(
                "policy-exec: warning: {message}; the decision stands but is not recorded"
            )),
            _ => None,
        }
    }
}

/// Writes a judgement's line where the settings say.
pub fn write(settings: &LogSettings, judgement: &Judgement) -> Outcome {
    if !settings.enabled {
        return Outcome::Disabled;
    }
    let result = Store::locate(settings)
        .and_then(|store| store.append(&judgement.at.day(), &judgement.line()));
    match result {
        Ok(()) => Outcome::Written,
        Err(e) => Outcome::Failed {
            message: e.to_string(),
            required: settings.required,
        },
    }
}

/// One judgement's record keeping, started before the decision is shown so the refusal
/// can print the id the log will hold.
#[derive(Debug, Clone)]
pub struct Audit<'a> {
    /// The decision id (`denial_id` in refusals).
    pub id: DecisionId,
    /// When the judgement was made.
    pub at: Instant,
    /// Which front end judged.
    pub mode: Mode,
    /// The harness, when known.
    pub harness: Option<&'a str>,
    /// The script as received.
    pub script: &'a str,
    /// The directory it was judged in.
    pub cwd: &'a std::path::Path,
}

impl<'a> Audit<'a> {
    /// Starts the record of a judgement.
    pub fn new(
        mode: Mode,
        harness: Option<&'a str>,
        script: &'a str,
        cwd: &'a std::path::Path,
    ) -> Audit<'a> {
        let at = Instant::now();
        Audit {
            id: DecisionId::new(at),
            at,
            mode,
            harness,
            script,
            cwd,
        }
    }

    /// Writes the record of an evaluated judgement.
    pub fn evaluated(
        &self,
        eval: &crate::policy::engine::Evaluation,
        policy: &crate::policy::policy::Policy,
        asked: Option<Asked>,
        deferred_to_guards: bool,
    ) -> Outcome {
        let reason = crate::report::reason(eval, policy);
        write(
            &policy.log,
            &Judgement {
                id: &self.id,
                at: self.at,
                mode: self.mode,
                harness: self.harness,
                script: self.script,
                cwd: self.cwd,
                decision: eval.decision,
                asked,
                reason: &reason,
                eval: Some(eval),
                policy: Some(policy),
                deferred_to_guards,
            },
        )
    }

    /// Writes the record of a judgement made without a policy (none could be loaded,
    /// or the input could not be read): the default settings apply.
    pub fn unevaluated(
        &self,
        decision: crate::policy::Decision,
        reason: &str,
        asked: Option<Asked>,
    ) -> Outcome {
        self.unevaluated_in(&LogSettings::default(), decision, reason, asked)
    }

    /// Like [`Audit::unevaluated`], with the installed policy's log settings (a call
    /// that could not be read although the policy could).
    pub fn unevaluated_in(
        &self,
        settings: &LogSettings,
        decision: crate::policy::Decision,
        reason: &str,
        asked: Option<Asked>,
    ) -> Outcome {
        write(
            settings,
            &Judgement {
                id: &self.id,
                at: self.at,
                mode: self.mode,
                harness: self.harness,
                script: self.script,
                cwd: self.cwd,
                decision,
                asked,
                reason,
                eval: None,
                policy: None,
                deferred_to_guards: false,
            },
        )
    }
}

/// Writes a proposal, grant or mode event (`{"v":1, "event": name, …}`) where the
/// settings say. The fields are the event's own; texts in them must already be redacted
/// by the caller when they can hold secrets.
pub fn event(settings: &LogSettings, name: &str, fields: serde_json::Value) -> Outcome {
    if !settings.enabled {
        return Outcome::Disabled;
    }
    let at = Instant::now();
    let mut line = serde_json::json!({
        "v": record::VERSION,
        "id": DecisionId::new(at).as_str(),
        "ts": at.rfc3339(),
        "event": name,
        "pid": std::process::id(),
        "uid": rustix::process::getuid().as_raw(),
    });
    if let (Some(obj), serde_json::Value::Object(extra)) = (line.as_object_mut(), fields) {
        for (k, v) in extra {
            obj.entry(k).or_insert(v);
        }
    }
    let mut text = line.to_string();
    text.push('\n');
    if text.len() > record::MAX_LINE {
        return Outcome::Failed {
            message: format!("the `{name}` event is longer than a log line"),
            required: settings.required,
        };
    }
    let result = Store::locate(settings).and_then(|store| store.append(&at.day(), &text));
    match result {
        Ok(()) => Outcome::Written,
        Err(e) => Outcome::Failed {
            message: e.to_string(),
            required: settings.required,
        },
    }
}
