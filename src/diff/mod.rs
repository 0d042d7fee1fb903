//! `policy-exec diff`: does a policy change widen what agents may run? (SPEC §13)
//!
//! Owns the comparison of two resolved policies: every change is classified as
//! widening, narrowing or neutral — anything not provably narrowing is widening — and a
//! replay judges commands through both policies (every rule's examples, both sides, and
//! the commands of the decision log's last N days) and lists each decision that flips
//! toward allow. The CLI exits 1 when anything widens: a CI gate beside `snapshot`.
//!
//! It reads the two policies (an emitted policy file or a tree) and, for the replay, the
//! decision log through `log`'s own reader. It never writes anything, and it never
//! judges a change narrowing on a guess: a changed matcher, an unknown key of
//! `enforcement`, a condition list that is neither a subset nor a superset of the old
//! one are widening.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::git::RepoState;
use crate::policy::Decision;
use crate::policy::bundle::{self, Bundle, BundlePathRule, BundleRule};
use crate::policy::engine;
use crate::policy::policy::Policy;

/// What a change does to the authority agents have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Changes no decision (prose, origins, examples, settings decisions never read).
    Neutral,
    /// Every decision stays or gets stricter.
    Narrowing,
    /// Some decision may get looser (or it cannot be proven not to).
    Widening,
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed: `command rule no-force-push`, `path rule protect-git-dir`,
    /// `enforcement.unmatched`.
    pub what: String,
    /// Its effect.
    pub effect: Effect,
    /// Why, in words.
    pub why: String,
}

/// A command whose decision differs between the two policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flip {
    /// The command as replayed.
    pub command: String,
    /// Where it came from: `example of rule X`, `log YYYY-MM-DD`.
    pub source: String,
    /// The decision under the old policy.
    pub from: Decision,
    /// The decision under the new one.
    pub to: Decision,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Every change, widening first.
    pub changes: Vec<Change>,
    /// How many commands were replayed.
    pub replayed: usize,
    /// Decisions that got looser (toward allow).
    pub widened: Vec<Flip>,
    /// Decisions that got stricter.
    pub narrowed: Vec<Flip>,
    /// Whether anything widens (a change or a flip): the CI gate's answer.
    pub widening: bool,
}

/// A policy to compare: the merged policy document and its compiled form.
pub struct Side {
    /// Where it came from, for messages.
    pub label: String,
    /// The merged policy (as `resolve --emit` writes it under `policy`).
    pub document: Value,
    /// The bundle built from it (pack rules and `commands` lists included).
    pub bundle: Bundle,
    /// The compiled policy.
    pub policy: Policy,
}

impl Side {
    /// Builds a side from a merged policy document.
    pub fn from_document(label: &str, document: Value) -> Result<Side, String> {
        let bundle = bundle::build(&document, &[], None)
            .map_err(|e| format!("policy `{label}` cannot be built: {}", e.0))?;
        let policy = Policy::from_bundle(&bundle, label)
            .map_err(|e| format!("policy `{label}` does not compile: {e}"))?;
        Ok(Side {
            label: label.to_string(),
            document,
            bundle,
            policy,
        })
    }

    /// Reads an emitted policy file (`resolve --emit`: `{"policy": …}`, or a bare merged
    /// policy in JSON).
    pub fn from_file(path: &Path) -> Result<Side, String> {
        let text = crate::files::read_regular_text(path, crate::files::MAX_POLICY_FILE)
            .map_err(|e| format!("`{}` cannot be read ({e})", path.display()))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "`{}` is not JSON ({e}): give a file written by `policy-exec resolve --emit`, or a policy tree with --harness and --task-domain",
                path.display()
            )
        })?;
        let document = match value.get("policy") {
            Some(p) if value.get("policy_hash").is_some() => p.clone(),
            _ => value,
        };
        Side::from_document(&path.display().to_string(), document)
    }

    /// Resolves a policy tree with a harness and a task-domain.
    pub fn from_tree(root: &Path, harness: &str, task_domain: &str) -> Result<Side, String> {
        let resolved = crate::resolve::resolve(&crate::resolve::ResolveRequest {
            root: root.to_path_buf(),
            harness: harness.to_string(),
            task_domain: task_domain.to_string(),
            task_instance: None,
            system: None,
            user: None,
        })
        .map_err(|e| e.to_string())?;
        Side::from_document(
            &format!(
                "{} (harness {harness}, task-domain {task_domain})",
                root.display()
            ),
            resolved.policy,
        )
    }
}

/// The strictness order of decisions, for "looser" and "stricter".
fn rank(d: Decision) -> u8 {
    match d {
        Decision::Allow => 0,
        Decision::Request => 1,
        Decision::Deny => 2,
    }
}

fn decision(word: Option<&str>) -> Option<Decision> {
    word.and_then(Decision::parse)
}

/// Classifies every change between two policies.
pub fn classify(from: &Side, to: &Side) -> Vec<Change> {
    let mut out = Vec::new();
    let unmatched_from = from.policy.enforcement.unmatched;
    let unmatched_to = to.policy.enforcement.unmatched;
    for (name, a, b) in [
        ("unmatched", unmatched_from, unmatched_to),
        (
            "dynamic",
            from.policy.enforcement.dynamic,
            to.policy.enforcement.dynamic,
        ),
    ] {
        if a != b {
            out.push(Change {
                what: format!("enforcement.{name}"),
                effect: if rank(b) < rank(a) {
                    Effect::Widening
                } else {
                    Effect::Narrowing
                },
                why: format!("{a} → {b}"),
            });
        }
    }
    // The rest of `enforcement` (guards, shells, hooks_defer_allows, …): not provably
    // narrowing when changed, except the prompt's patience.
    let enforcement = |s: &Side| {
        let mut e = s
            .document
            .get("enforcement")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for k in ["unmatched", "dynamic", "prompt_timeout_seconds"] {
            e.remove(k);
        }
        e
    };
    let (ea, eb) = (enforcement(from), enforcement(to));
    let keys: BTreeSet<&String> = ea.keys().chain(eb.keys()).collect();
    for k in keys {
        if ea.get(k) != eb.get(k) {
            out.push(Change {
                what: format!("enforcement.{k}"),
                effect: Effect::Widening,
                why: format!(
                    "{} → {}: how commands are enforced changed (not provably narrowing)",
                    show(ea.get(k)),
                    show(eb.get(k))
                ),
            });
        }
    }
    command_rules(from, to, unmatched_to, &mut out);
    path_rules(&from.bundle.path_rules, &to.bundle.path_rules, &mut out);
    out.sort_by(|a, b| b.effect.cmp(&a.effect).then(a.what.cmp(&b.what)));
    out
}

fn show(v: Option<&Value>) -> String {
    v.map_or("(unset)".to_string(), Value::to_string)
}

/// The strictest outcome a rule can give, and the loosest (an unconditional rule gives
/// its action; a conditional one its action or its mismatch outcome, where "no
/// outcome" leaves the command to `unmatched`).
fn outcomes(r: &BundleRule, unmatched: Decision) -> (Decision, Decision) {
    let action = decision(Some(&r.action)).unwrap_or(Decision::Deny);
    if !has_conditions(r) {
        return (action, action);
    }
    let other = decision(r.on_mismatch.as_deref()).unwrap_or(unmatched);
    (action.max(other), action.min(other))
}

fn has_conditions(r: &BundleRule) -> bool {
    r.conditions
        .get("conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty())
}

/// What decides which commands a rule matches.
fn coverage(r: &BundleRule) -> Value {
    json!([r.matcher, r.normalized_pattern, r.refinements])
}

fn command_rules(from: &Side, to: &Side, unmatched_to: Decision, out: &mut Vec<Change>) {
    let a: BTreeMap<&str, &BundleRule> = from
        .bundle
        .commands
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let b: BTreeMap<&str, &BundleRule> = to
        .bundle
        .commands
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let unmatched_from = from.policy.enforcement.unmatched;
    for (id, old) in &a {
        let what = format!("command rule {id}");
        let Some(new) = b.get(id) else {
            let (strict, _) = outcomes(old, unmatched_from);
            out.push(if strict > Decision::Allow {
                Change {
                    what,
                    effect: Effect::Widening,
                    why: format!("removed: it gave {strict}"),
                }
            } else {
                Change {
                    what,
                    effect: Effect::Narrowing,
                    why: "an allow rule removed".into(),
                }
            });
            continue;
        };
        let mut effects: Vec<(Effect, String)> = Vec::new();
        if coverage(old) != coverage(new) {
            // What it matches changed: a restricting rule may now miss commands, an
            // allowing one may now catch more. Not provably narrowing.
            effects.push((
                Effect::Widening,
                format!(
                    "what it matches changed ({} `{}` → {} `{}`)",
                    old.matcher, old.pattern, new.matcher, new.pattern
                ),
            ));
        }
        let (oa, na) = (
            decision(Some(&old.action)).unwrap_or(Decision::Deny),
            decision(Some(&new.action)).unwrap_or(Decision::Deny),
        );
        if oa != na {
            effects.push((
                if rank(na) < rank(oa) {
                    Effect::Widening
                } else {
                    Effect::Narrowing
                },
                format!("action {oa} → {na}"),
            ));
        }
        let (om, nm) = (
            decision(old.on_mismatch.as_deref()).unwrap_or(unmatched_from),
            decision(new.on_mismatch.as_deref()).unwrap_or(unmatched_to),
        );
        if (old.on_mismatch != new.on_mismatch || om != nm) && has_conditions(new) {
            effects.push((
                if rank(nm) < rank(om) {
                    Effect::Widening
                } else if nm == om {
                    Effect::Neutral
                } else {
                    Effect::Narrowing
                },
                format!(
                    "on_mismatch {} → {}",
                    old.on_mismatch.as_deref().unwrap_or("(none)"),
                    new.on_mismatch.as_deref().unwrap_or("(none)")
                ),
            ));
        }
        if old.conditions != new.conditions {
            effects.push(conditions_change(old, new, na, nm));
        }
        if effects.is_empty() {
            if serde_json::to_value(old).ok() != serde_json::to_value(new).ok() {
                out.push(Change {
                    what,
                    effect: Effect::Neutral,
                    why: "reason, examples or origin changed".into(),
                });
            }
            continue;
        }
        let effect = effects
            .iter()
            .map(|(e, _)| *e)
            .max()
            .unwrap_or(Effect::Neutral);
        let why: Vec<String> = effects.into_iter().map(|(_, w)| w).collect();
        out.push(Change {
            what,
            effect,
            why: why.join("; "),
        });
    }
    for (id, new) in &b {
        if a.contains_key(id) {
            continue;
        }
        let (strict, loose) = outcomes(new, unmatched_to);
        let what = format!("command rule {id}");
        // A pack's copy of a rule the old policy held under another id (the bundle
        // keeps one copy of equal rules): it was in force already.
        let same = |r: &&&BundleRule| {
            coverage(r) == coverage(new)
                && r.action == new.action
                && r.on_mismatch == new.on_mismatch
                && r.conditions == new.conditions
        };
        if let Some(twin) = a.values().find(same) {
            out.push(Change {
                what,
                effect: Effect::Neutral,
                why: format!(
                    "in force before as the equal rule `{}` (a pack's copy, hidden behind it until now)",
                    twin.id
                ),
            });
            continue;
        }
        out.push(
            if loose == Decision::Allow && unmatched_to != Decision::Allow {
                Change {
                    what,
                    effect: Effect::Widening,
                    why: format!(
                        "added: it allows commands while enforcement.unmatched is {unmatched_to}"
                    ),
                }
            } else if loose == Decision::Allow {
                Change {
                    what,
                    effect: Effect::Neutral,
                    why: "added: an allow while enforcement.unmatched is allow".into(),
                }
            } else {
                Change {
                    what,
                    effect: Effect::Narrowing,
                    why: format!("added: it gives {strict}"),
                }
            },
        );
    }
}

/// A rule's conditions changed: dropping conditions from the outcome they gate widens
/// when that outcome is the looser one (`allow` when clean, else `request`), and
/// narrows when it is the stricter one; anything but a subset or superset is widening.
fn conditions_change(
    old: &BundleRule,
    new: &BundleRule,
    action: Decision,
    mismatch: Decision,
) -> (Effect, String) {
    let list = |r: &BundleRule| -> Option<(String, BTreeSet<String>)> {
        let mode = r
            .conditions
            .get("mode")
            .and_then(Value::as_str)
            .unwrap_or("all")
            .to_string();
        let items = r
            .conditions
            .get("conditions")
            .and_then(Value::as_array)?
            .iter()
            .map(Value::to_string)
            .collect();
        Some((mode, items))
    };
    let (Some((mo, a)), Some((mn, b))) = (list(old), list(new)) else {
        return (Effect::Widening, "conditions changed".into());
    };
    let gates_looser = rank(action) < rank(mismatch);
    if mo == mn && mo == "all" {
        if b.is_subset(&a) {
            let effect = if gates_looser {
                Effect::Widening
            } else {
                Effect::Narrowing
            };
            return (
                effect,
                format!("conditions dropped ({} → {})", a.len(), b.len()),
            );
        }
        if a.is_subset(&b) {
            let effect = if gates_looser {
                Effect::Narrowing
            } else {
                Effect::Widening
            };
            return (
                effect,
                format!("conditions added ({} → {})", a.len(), b.len()),
            );
        }
    }
    (
        Effect::Widening,
        "conditions changed (not provably narrowing)".into(),
    )
}

fn path_rules(a: &[BundlePathRule], b: &[BundlePathRule], out: &mut Vec<Change>) {
    let strict = |r: &BundlePathRule| decision(Some(&r.action)).unwrap_or(Decision::Deny);
    for old in a {
        let what = format!("path rule {}", old.id);
        let Some(new) = b.iter().find(|r| r.id == old.id) else {
            out.push(Change {
                what,
                effect: Effect::Widening,
                why: "removed: its paths are no longer protected".into(),
            });
            continue;
        };
        let mut effects: Vec<(Effect, String)> = Vec::new();
        if strict(new) != strict(old) {
            effects.push((
                if rank(strict(new)) < rank(strict(old)) {
                    Effect::Widening
                } else {
                    Effect::Narrowing
                },
                format!("action {} → {}", old.action, new.action),
            ));
        }
        if new.access != old.access {
            effects.push((
                if new.access == "any" {
                    Effect::Narrowing
                } else {
                    Effect::Widening
                },
                format!("access {} → {}", old.access, new.access),
            ));
        }
        let (pa, pb): (BTreeSet<&String>, BTreeSet<&String>) =
            (old.paths.iter().collect(), new.paths.iter().collect());
        let removed: Vec<&&String> = pa.difference(&pb).collect();
        let added: Vec<&&String> = pb.difference(&pa).collect();
        if !removed.is_empty() {
            effects.push((
                Effect::Widening,
                format!(
                    "paths no longer protected: {}",
                    removed
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if !added.is_empty() {
            effects.push((Effect::Narrowing, format!("{} path(s) added", added.len())));
        }
        if let Some(effect) = effects.iter().map(|(e, _)| *e).max() {
            out.push(Change {
                what,
                effect,
                why: effects
                    .into_iter()
                    .map(|(_, w)| w)
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        } else if old != new {
            out.push(Change {
                what,
                effect: Effect::Neutral,
                why: "reason or origin changed".into(),
            });
        }
    }
    for new in b {
        if !a.iter().any(|r| r.id == new.id) {
            out.push(Change {
                what: format!("path rule {}", new.id),
                effect: Effect::Narrowing,
                why: format!(
                    "added: {} {} of {} path(s)",
                    new.action,
                    new.access,
                    new.paths.len()
                ),
            });
        }
    }
}

/// A command to replay, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The script.
    pub command: String,
    /// `example of rule X`, `log 2026-12-04`.
    pub source: String,
    /// The directory to judge it in (the logged `cwd` when it still exists).
    pub cwd: Option<PathBuf>,
}

/// Every rule example of both sides, as replays.
pub fn examples(from: &Side, to: &Side) -> Vec<Replay> {
    let mut out = Vec::new();
    for side in [from, to] {
        for rule in &side.bundle.commands {
            let Some(e) = &rule.examples else { continue };
            for c in e.matches.iter().chain(&e.not_matches) {
                out.push(Replay {
                    command: c.clone(),
                    source: format!("example of rule {}", rule.id),
                    cwd: None,
                });
            }
        }
    }
    out
}

/// The commands of the decision log since `since` (newest first), read with the log's
/// own reader. Logged scripts are redacted: a redacted secret replays as its mask.
pub fn logged(store: &crate::log::store::Store, since: crate::log::clock::Instant) -> Vec<Replay> {
    let since = since.rfc3339();
    crate::log::view::newest_first(store)
        .take_while(|r| {
            r.get("ts")
                .and_then(Value::as_str)
                .is_some_and(|t| *t >= *since)
        })
        .filter_map(|r| {
            let script = r.get("script")?.as_str()?.to_string();
            let day = r
                .get("ts")
                .and_then(Value::as_str)
                .and_then(|t| t.get(..10))
                .unwrap_or("?")
                .to_string();
            Some(Replay {
                command: script,
                source: format!("log {day}"),
                cwd: r
                    .get("cwd")
                    .and_then(Value::as_str)
                    .map(PathBuf::from)
                    .filter(|p| p.is_dir()),
            })
        })
        .collect()
}

/// Classifies the changes and replays `commands` through both policies, in `cwd` unless
/// a replay names its own directory.
pub fn compare(
    from: &Side,
    to: &Side,
    commands: &[Replay],
    cwd: &Path,
    repo: &dyn RepoState,
) -> Report {
    let changes = classify(from, to);
    let mut seen = BTreeSet::new();
    let (mut widened, mut narrowed) = (Vec::new(), Vec::new());
    let mut replayed = 0;
    for r in commands {
        let dir = r.cwd.as_deref().unwrap_or(cwd);
        if !seen.insert((r.command.clone(), dir.to_path_buf())) {
            continue;
        }
        replayed += 1;
        let a = engine::judge(&r.command, &from.policy, dir, repo).decision;
        let b = engine::judge(&r.command, &to.policy, dir, repo).decision;
        let flip = Flip {
            command: r.command.clone(),
            source: r.source.clone(),
            from: a,
            to: b,
        };
        if rank(b) < rank(a) {
            widened.push(flip);
        } else if rank(b) > rank(a) {
            narrowed.push(flip);
        }
    }
    let widening = !widened.is_empty() || changes.iter().any(|c| c.effect == Effect::Widening);
    Report {
        changes,
        replayed,
        widened,
        narrowed,
        widening,
    }
}

/// The report as text: one line per change, then the flips.
pub fn render(report: &Report, from: &str, to: &str) -> String {
    let mut out = format!("policy diff: {from} → {to}\n");
    if report.changes.is_empty() {
        out.push_str("no rule or enforcement changes\n");
    }
    for c in &report.changes {
        let word = match c.effect {
            Effect::Widening => "WIDENING ",
            Effect::Narrowing => "narrowing",
            Effect::Neutral => "neutral  ",
        };
        out.push_str(&format!("{word} {}: {}\n", c.what, c.why));
    }
    out.push_str(&format!(
        "replayed {} command(s) through both policies\n",
        report.replayed
    ));
    if report.widening && report.widened.is_empty() {
        out.push_str(
            "  no replayed command flips toward allow: the widening is in the rules above (another rule may still hold the same commands)\n",
        );
    }
    for f in &report.widened {
        out.push_str(&format!(
            "  flips toward allow: `{}` {} → {} ({})\n",
            crate::report::one_line(&f.command),
            f.from,
            f.to,
            f.source
        ));
    }
    for f in &report.narrowed {
        out.push_str(&format!(
            "  stricter: `{}` {} → {} ({})\n",
            crate::report::one_line(&f.command),
            f.from,
            f.to,
            f.source
        ));
    }
    out.push_str(if report.widening {
        "result: the change WIDENS what agents may run (exit 1): a human must review it\n"
    } else {
        "result: nothing widens (exit 0)\n"
    });
    out
}

pub mod cli;
