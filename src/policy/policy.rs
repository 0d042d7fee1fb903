//! The validated, immutable policy the engine judges with: compiled rules indexed by
//! program, the enforcement settings and the manifest fallbacks.

use std::collections::HashMap;

use super::Decision;
use super::bundle::{Bundle, BundleRule, ExamplesField, OriginField};
use super::condition::Condition;
use super::glob::Glob;
use super::rule::{Matcher, Origin, Refinements, Rule};

/// What to decide where no rule speaks, and what shell mode needs (our `enforcement`
/// section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enforcement {
    /// Decision for a command no rule matches.
    pub unmatched: Decision,
    /// Decision for what cannot be known before it runs.
    pub dynamic: Decision,
    /// The real shell per emulated name, when configured.
    pub shells: std::collections::BTreeMap<String, std::path::PathBuf>,
    /// How long a request prompt waits before it means no.
    pub prompt_timeout: std::time::Duration,
    /// Programs to guard at exec time, when listed explicitly.
    pub guards: Option<Vec<String>>,
    /// Hooks defer every allow to the harness (not only the commands no rule allows).
    pub hooks_defer_allows: bool,
    /// Agents may propose exceptions (`enforcement.proposals`, machine scopes only).
    pub proposals: bool,
}

impl Default for Enforcement {
    fn default() -> Self {
        Enforcement {
            unmatched: Decision::Allow,
            dynamic: Decision::Request,
            shells: std::collections::BTreeMap::new(),
            prompt_timeout: std::time::Duration::from_secs(60),
            guards: None,
            hooks_defer_allows: false,
            proposals: false,
        }
    }
}

/// The decision log's settings (`log`, from the system and user scopes only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    /// Whether judgements are logged.
    pub enabled: bool,
    /// Where the day files go, when configured (absolute, or starting with `~/`).
    pub dir: Option<String>,
    /// Whether an allow becomes a deny when its line cannot be written.
    pub required: bool,
    /// Day files older than this many days are removed by the `log` verbs.
    pub retention_days: u32,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            enabled: true,
            dir: None,
            required: false,
            retention_days: 14,
        }
    }
}

/// Where grants are kept and how long a remembered prompt answer lasts (`approvals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalSettings {
    /// The root-owned grant store (tier B), from the system scope only.
    pub store: Option<std::path::PathBuf>,
    /// How long a grant made with `a` at the prompt lasts.
    pub remember_ttl: std::time::Duration,
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        ApprovalSettings {
            store: None,
            remember_ttl: std::time::Duration::from_secs(24 * 3600),
        }
    }
}

/// Names never guarded: shell mode and policy-exec itself answer to these.
const NOT_GUARDED: [&str; 5] = ["bash", "sh", "zsh", "dash", "policy-exec"];

/// The manifest's fallbacks (ours default to deny, deny, request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fallbacks {
    /// The bundle is missing.
    pub missing_policy: Decision,
    /// The bundle is unreadable or invalid.
    pub malformed_bundle: Decision,
    /// A predicate could not be evaluated.
    pub condition_eval_error: Decision,
}

impl Default for Fallbacks {
    fn default() -> Self {
        Fallbacks {
            missing_policy: Decision::Deny,
            malformed_bundle: Decision::Deny,
            condition_eval_error: Decision::Request,
        }
    }
}

/// A bundle entry that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule `{id}`: {problem}")]
pub struct RuleError {
    /// The rule's id.
    pub id: String,
    /// What is wrong and what to change.
    pub problem: String,
}

/// The compiled policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Every rule, in bundle order (order never changes a decision).
    pub rules: Vec<Rule>,
    /// Rules by the program name they can match.
    by_program: HashMap<String, Vec<usize>>,
    /// Rules that can match any program (globs starting with a wildcard).
    any_program: Vec<usize>,
    /// Enforcement settings.
    pub enforcement: Enforcement,
    /// Manifest fallbacks.
    pub fallbacks: Fallbacks,
    /// Decision log settings.
    pub log: LogSettings,
    /// Approval settings.
    pub approvals: ApprovalSettings,
    /// The hash of the policy the bundle was built from, when known.
    pub policy_hash: Option<String>,
    /// Where the policy came from, for messages (`embedded default policy`, a path).
    pub source: String,
    /// The scope files it was resolved from, in merge order, as (scope, path), when known.
    pub scopes: Vec<(String, String)>,
    /// Settings a lower scope tried to loosen and that were ignored.
    pub notes: Vec<String>,
    /// The path rules (files commands may not read or write), in bundle order.
    pub path_rules: Vec<crate::paths::PathRule>,
    /// The directory an installed tree's lookup chose this policy for, and the top of
    /// its repository as the lookup found it: the decision log's `repo` field reads it
    /// instead of walking up for `.git` again.
    pub looked_up_in: Option<(std::path::PathBuf, Option<std::path::PathBuf>)>,
}

impl Policy {
    /// Compiles a bundle, rejecting rules that cannot be compiled.
    pub fn from_bundle(bundle: &Bundle, source: &str) -> Result<Policy, RuleError> {
        let rules = bundle
            .commands
            .iter()
            .map(compile)
            .collect::<Result<Vec<_>, _>>()?;
        Policy::with_rules(rules, bundle, source)
    }

    /// [`Policy::from_bundle`] for a bundle the caller gives up: the text its rules keep
    /// (ids, patterns, refinements, reasons) moves into them instead of being copied and
    /// dropped, which a judgement does once per run for every rule it reads.
    pub fn from_bundle_owned(mut bundle: Bundle, source: &str) -> Result<Policy, RuleError> {
        let rules = std::mem::take(&mut bundle.commands)
            .into_iter()
            .map(compile_owned)
            .collect::<Result<Vec<_>, _>>()?;
        Policy::with_rules(rules, &bundle, source)
    }

    /// The policy of compiled `rules` and the rest of `bundle` (its rules are not read).
    fn with_rules(rules: Vec<Rule>, bundle: &Bundle, source: &str) -> Result<Policy, RuleError> {
        let mut policy = Policy {
            rules: Vec::new(),
            by_program: HashMap::new(),
            any_program: Vec::new(),
            enforcement: Enforcement::default(),
            fallbacks: Fallbacks::default(),
            log: LogSettings::default(),
            approvals: ApprovalSettings::default(),
            policy_hash: bundle.policy_hash.clone(),
            source: source.to_string(),
            scopes: Vec::new(),
            notes: bundle.ignored_settings.clone(),
            path_rules: bundle
                .path_rules
                .iter()
                .map(crate::paths::PathRule::compile)
                .collect::<Result<_, _>>()?,
            looked_up_in: None,
        };
        if let Some(e) = &bundle.enforcement {
            if let Some(d) = e.unmatched.as_deref() {
                policy.enforcement.unmatched = parse_decision("enforcement", "unmatched", d)?;
            }
            if let Some(d) = e.dynamic.as_deref() {
                policy.enforcement.dynamic = parse_decision("enforcement", "dynamic", d)?;
            }
            for (name, path) in &e.shells {
                policy
                    .enforcement
                    .shells
                    .insert(name.clone(), std::path::PathBuf::from(path));
            }
            policy.enforcement.hooks_defer_allows = e.hooks_defer_allows.unwrap_or(false);
            policy.enforcement.proposals = e.proposals.unwrap_or(false);
            if let Some(secs) = e.prompt_timeout_seconds {
                policy.enforcement.prompt_timeout = std::time::Duration::from_secs(secs);
            }
            if let Some(guards) = &e.guards {
                for g in guards {
                    if g.is_empty()
                        || g.contains('/')
                        || NOT_GUARDED.contains(&g.as_str())
                        || crate::command::BASH_BUILTINS.contains(&g.as_str())
                    {
                        return Err(RuleError {
                            id: "enforcement".into(),
                            problem: format!(
                                "`guards` lists `{g}`: give program names (no `/`), not a shell, a bash builtin (bash never runs a guard for those) or policy-exec"
                            ),
                        });
                    }
                }
                policy.enforcement.guards = Some(guards.clone());
            }
        }
        if let Some(l) = &bundle.log {
            policy.log.enabled = l.enabled.unwrap_or(true);
            policy.log.required = l.required.unwrap_or(false);
            policy.log.retention_days = l.retention_days.unwrap_or(14).max(1);
            if let Some(dir) = &l.dir {
                if !(dir.starts_with('/') || dir.starts_with("~/")) {
                    return Err(RuleError {
                        id: "log".into(),
                        problem: format!(
                            "`dir` is `{dir}`: give an absolute path or one starting with `~/`"
                        ),
                    });
                }
                policy.log.dir = Some(dir.clone());
            }
        }
        if let Some(a) = &bundle.approvals {
            if let Some(store) = &a.store {
                if !store.starts_with('/') {
                    return Err(RuleError {
                        id: "approvals".into(),
                        problem: format!("`store` is `{store}`: give an absolute directory"),
                    });
                }
                policy.approvals.store = Some(std::path::PathBuf::from(store));
            }
            if let Some(ttl) = &a.remember_ttl {
                policy.approvals.remember_ttl =
                    crate::grants::parse_duration(ttl).ok_or_else(|| RuleError {
                        id: "approvals".into(),
                        problem: format!("`remember_ttl` is `{ttl}`: use e.g. 30m, 24h or 7d"),
                    })?;
            }
        }
        // By `Rule::programs`, without copying a name the index already holds.
        for (i, rule) in rules.iter().enumerate() {
            match rule.matcher.program() {
                Some(p) => policy.by_program.entry(p).or_default().push(i),
                None if rule.refinements.programs.is_empty() => policy.any_program.push(i),
                None => {
                    for p in &rule.refinements.programs {
                        match policy.by_program.get_mut(p) {
                            Some(at) => at.push(i),
                            None => {
                                policy.by_program.insert(p.clone(), vec![i]);
                            }
                        }
                    }
                }
            }
        }
        policy.rules = rules;
        Ok(policy)
    }

    /// Programs to guard at exec time: `enforcement.guards` when listed, else those named
    /// by a rule that can deny or ask (sorted, without duplicates).
    pub fn guarded_programs(&self) -> Vec<String> {
        if let Some(explicit) = &self.enforcement.guards {
            let mut out = explicit.clone();
            out.sort();
            out.dedup();
            return out;
        }
        let mut out: Vec<String> = self
            .rules
            .iter()
            .filter(|r| {
                r.action > Decision::Allow || r.on_mismatch.is_some_and(|d| d > Decision::Allow)
            })
            // Only the matcher's own program: a `programs` refinement names families of
            // readers (`cat`, `grep`, …) that an exec guard should not sit in front of.
            .filter_map(|r| r.matcher.program())
            .filter(|p| !NOT_GUARDED.contains(&p.as_str()))
            // Bash runs its builtins itself (`kill`, `echo`, `test`): a guard never would.
            .filter(|p| !crate::command::BASH_BUILTINS.contains(&p.as_str()))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Indices of the rules that could match a command with this program name (all rules
    /// when the program is unknown), in rule order.
    pub fn candidates(&self, program: Option<&str>) -> Vec<usize> {
        let Some(program) = program else {
            return (0..self.rules.len()).collect();
        };
        let mut out: Vec<usize> = self
            .by_program
            .get(program)
            .map(|v| v.to_vec())
            .unwrap_or_default();
        out.extend(self.any_program.iter().copied());
        out.sort_unstable();
        out
    }
}

fn parse_decision(id: &str, field: &str, word: &str) -> Result<Decision, RuleError> {
    Decision::parse(word).ok_or_else(|| RuleError {
        id: id.to_string(),
        problem: format!("`{field}` is `{word}`: use allow, request or deny"),
    })
}

/// Compiles one bundle entry.
pub fn compile(entry: &BundleRule) -> Result<Rule, RuleError> {
    let kept = Kept {
        id: entry.id.clone(),
        source: entry.source.clone(),
        pattern: entry.pattern.clone(),
        origin: entry.origin.clone(),
        refinements: entry.refinements.as_ref().map(|r| Refined {
            flags: r.flags.clone(),
            unless_flags: r.unless_flags.clone(),
            programs: r.programs.clone(),
            via: r.via.clone(),
        }),
        examples: entry.examples.clone(),
        reason: entry.reason.clone(),
        alternative: entry.alternative.clone(),
    };
    compile_kept(kept, entry)
}

/// [`compile`] of an entry the caller gives up: the text the rule keeps moves into it.
pub fn compile_owned(mut entry: BundleRule) -> Result<Rule, RuleError> {
    let kept = Kept {
        id: std::mem::take(&mut entry.id),
        source: std::mem::take(&mut entry.source),
        pattern: std::mem::take(&mut entry.pattern),
        origin: entry.origin.take(),
        refinements: entry.refinements.as_mut().map(|r| Refined {
            flags: std::mem::take(&mut r.flags),
            unless_flags: std::mem::take(&mut r.unless_flags),
            programs: std::mem::take(&mut r.programs),
            via: std::mem::take(&mut r.via),
        }),
        examples: entry.examples.take(),
        reason: entry.reason.take(),
        alternative: entry.alternative.take(),
    };
    compile_kept(kept, &entry)
}

/// What a compiled rule keeps of its bundle entry, copied or moved out of it.
struct Kept {
    id: String,
    source: String,
    pattern: String,
    origin: Option<OriginField>,
    refinements: Option<Refined>,
    examples: Option<ExamplesField>,
    reason: Option<String>,
    alternative: Option<String>,
}

/// The refinements a rule keeps as words (its `args` globs are compiled from the entry).
struct Refined {
    flags: Vec<String>,
    unless_flags: Vec<String>,
    programs: Vec<String>,
    via: Vec<String>,
}

/// Compiles `kept` with the rest of its `entry` (action, matcher, `args` globs,
/// conditions, exceptions), which is only read.
fn compile_kept(kept: Kept, entry: &BundleRule) -> Result<Rule, RuleError> {
    let id = kept.id;
    let err = |problem: String| RuleError {
        id: id.clone(),
        problem,
    };
    let action = parse_decision(&id, "action", &entry.action)?;
    let on_mismatch = match entry.on_mismatch.as_deref() {
        Some(d) => Some(parse_decision(&id, "on_mismatch", d)?),
        None => None,
    };
    let words = || -> Vec<String> {
        kept.pattern
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let matcher = match entry.matcher.as_str() {
        "exact" => Matcher::Exact(words()),
        "prefix" => Matcher::Prefix(words()),
        "glob" => {
            Matcher::Glob(Glob::new(&kept.pattern).map_err(|e| err(format!("bad glob: {e}")))?)
        }
        other => {
            return Err(err(format!(
                "unknown matcher `{other}`: use exact, prefix or glob"
            )));
        }
    };
    if let Matcher::Exact(w) | Matcher::Prefix(w) = &matcher
        && w.is_empty()
    {
        return Err(err("empty pattern".into()));
    }
    let mut refinements = Refinements::default();
    if let Some(r) = &entry.refinements {
        for a in &r.args {
            refinements
                .args
                .push(Glob::new_path(a).map_err(|e| err(format!("bad `args` glob `{a}`: {e}")))?);
        }
        for a in &r.except_args {
            refinements.except_args.push(
                Glob::new_path(a).map_err(|e| err(format!("bad `except_args` glob `{a}`: {e}")))?,
            );
        }
    }
    if let Some(r) = kept.refinements {
        refinements.flags = r.flags;
        refinements.unless_flags = r.unless_flags;
        refinements.programs = r.programs;
        refinements.via = r.via;
    }
    let problems = super::condition::validate(&entry.conditions);
    if !problems.is_empty() {
        return Err(err(format!("conditions: {}", problems.join("; "))));
    }
    let condition = Condition::parse(&entry.conditions);
    let condition = if condition.is_trivial() {
        None
    } else {
        Some(condition)
    };
    let origin = kept
        .origin
        .map(|o| Origin {
            scope: o.scope,
            path: o.path,
        })
        .unwrap_or_default();
    let (examples_match, examples_not_match) = kept
        .examples
        .map(|e| (e.matches, e.not_matches))
        .unwrap_or_default();
    Ok(Rule {
        id,
        action,
        on_mismatch,
        matcher,
        pattern: kept.pattern,
        refinements,
        condition,
        origin,
        source: kept.source,
        reason: kept.reason,
        alternative: kept.alternative,
        exceptions_allowed: entry.exceptions.as_deref() == Some("allowed"),
        examples_match,
        examples_not_match,
    })
}
