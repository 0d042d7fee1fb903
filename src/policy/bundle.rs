//! The wrapper bundle (`policy-wrapper-rules.json`) and dispatch manifest, as files, and
//! how a resolved policy becomes a bundle.
//!
//! Field names and shapes follow the reference so its consumers can read what we write;
//! our additions (`origin`, `refinements`, `examples`, `reason`, `enforcement`,
//! `policy_hash`) are optional and skipped when empty.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};

use super::Decision;

/// The bundle file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bundle {
    /// Always 1.
    pub schema_version: u32,
    /// Every predicate some rule needs.
    pub required_conditions: Vec<String>,
    /// The rules.
    pub commands: Vec<BundleRule>,
    /// Our enforcement settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforcement: Option<EnforcementSection>,
    /// The policy hash the bundle was built from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_hash: Option<String>,
    /// The decision log settings, taken from the system and user scopes only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogSection>,
    /// Where grants live and how long a remembered prompt answer lasts (machine scopes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<ApprovalsSection>,
    /// Settings a lower scope tried to loosen and that were ignored, one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_settings: Vec<String>,
    /// The path rules (`path_rules`, ours): files commands may not read or write.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_rules: Vec<BundlePathRule>,
    /// SHA-256 (hex) of everything above, as [`Bundle::content_sha256`] computes it:
    /// written by [`build`] and checked when a bundle is loaded, so a hand edit (which
    /// `policy_hash`, the hash of the resolved YAML policy, cannot reveal) is refused.
    /// Absent in bundles written before it existed and in the reference's: those load
    /// unchecked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_sha256: Option<String>,
}

impl Bundle {
    /// SHA-256 (hex) of the bundle's content without `bundle_sha256`: each field as
    /// compact JSON (rules in order, keys in the bundle's own order), length-prefixed.
    /// Keys a bundle file may hold that this type ignores change no decision and are
    /// not covered.
    pub fn content_sha256(&self) -> String {
        use sha2::{Digest as _, Sha256};
        // Destructured so a new field cannot be left out of the hash by accident.
        let Bundle {
            schema_version,
            required_conditions,
            commands,
            enforcement,
            policy_hash,
            log,
            approvals,
            ignored_settings,
            path_rules,
            bundle_sha256: _,
        } = self;
        let mut hasher = Sha256::new();
        let mut feed = |v: serde_json::Result<Vec<u8>>| {
            let bytes = v.unwrap_or_default();
            hasher.update(bytes.len().to_le_bytes());
            hasher.update(&bytes);
        };
        feed(serde_json::to_vec(schema_version));
        feed(serde_json::to_vec(required_conditions));
        feed(serde_json::to_vec(commands));
        feed(serde_json::to_vec(enforcement));
        feed(serde_json::to_vec(policy_hash));
        feed(serde_json::to_vec(log));
        if approvals.is_some() {
            // Only when set, so bundles written before the section existed keep their hash.
            feed(serde_json::to_vec(approvals));
        }
        feed(serde_json::to_vec(ignored_settings));
        // Only when present, so bundles written before path rules keep their hash.
        if !path_rules.is_empty() {
            feed(serde_json::to_vec(path_rules));
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Checks `bundle_sha256` against the content, when the bundle has one.
    pub fn verify_content(&self) -> Result<(), String> {
        match &self.bundle_sha256 {
            Some(claimed) if *claimed != self.content_sha256() => Err(format!(
                "its content no longer matches its `bundle_sha256` ({claimed})"
            )),
            _ => Ok(()),
        }
    }
}

/// `log` as written in the system and user scopes and in bundles. Unknown keys are
/// refused, like `enforcement`'s.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct LogSection {
    /// Whether judgements are logged (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Where the day files go (absolute, or `~/…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// Whether an allow becomes a deny when its line cannot be written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Day files older than this many days are removed by the `log` verbs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
}

/// The scopes whose settings may loosen enforcement or move its record: a repository
/// (or a harness or task file) cannot turn the log off or point it elsewhere.
pub const MACHINE_SCOPES: [&str; 2] = ["system", "user"];

/// The `log` section from the system and user layers, later keys replacing earlier
/// ones. SECURITY: a `log` key in any other scope is ignored here (and reported by
/// `validate`), so a repository cannot hide what agents do in it.
pub fn log_section(
    layers: &[Layer],
    notes: &mut Vec<String>,
) -> Result<Option<LogSection>, BuildError> {
    let mut merged = Map::new();
    for layer in layers {
        if !MACHINE_SCOPES.contains(&layer.scope.as_str()) {
            if layer.doc.get("log").is_some_and(|v| !v.is_null()) {
                notes.push(format!(
                    "`log` in {} ({} scope) is ignored: only the system and user scopes configure the decision log",
                    layer.path, layer.scope
                ));
            }
            continue;
        }
        match layer.doc.get("log") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => merged.extend(m.clone()),
            Some(other) => {
                return Err(BuildError(format!(
                    "`log` in {} is `{other}`, not a mapping: use enabled, dir, required, retention_days",
                    layer.path
                )));
            }
        }
    }
    if merged.is_empty() {
        return Ok(None);
    }
    serde_json::from_value(Value::Object(merged)).map(Some).map_err(|e| {
        BuildError(format!(
            "`log` is not valid ({e}): use enabled (bool), dir (absolute or ~/ path), required (bool), retention_days (days)"
        ))
    })
}

/// `approvals` as written in the system and user scopes: where grants are kept and how
/// long the prompt's `a` (always, here) lasts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ApprovalsSection {
    /// A root-owned directory holding the grants (tier B; system scope only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// How long a grant made with `a` at the prompt lasts (`24h`, `30m`, `7d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_ttl: Option<String>,
}

/// The `approvals` section: `store` from the system scope only (a user-scope file is the
/// agent's to write, so it cannot choose where grants are trusted from), `remember_ttl`
/// from the system and user scopes. SECURITY: any other scope is ignored and noted.
pub fn approvals_section(
    layers: &[Layer],
    notes: &mut Vec<String>,
) -> Result<Option<ApprovalsSection>, BuildError> {
    let mut out: Option<ApprovalsSection> = None;
    for layer in layers {
        let Some(value) = layer.doc.get("approvals").filter(|v| !v.is_null()) else {
            continue;
        };
        if !MACHINE_SCOPES.contains(&layer.scope.as_str()) {
            notes.push(format!(
                "`approvals` in {} ({} scope) is ignored: only the system and user scopes configure approvals",
                layer.path, layer.scope
            ));
            continue;
        }
        let section: ApprovalsSection = serde_json::from_value(value.clone()).map_err(|e| {
            BuildError(format!(
                "{}: `approvals` is not valid ({e}): use store (an absolute directory, system scope) and remember_ttl (e.g. 24h)",
                layer.path
            ))
        })?;
        if let Some(ttl) = &section.remember_ttl
            && crate::grants::parse_duration(ttl).is_none()
        {
            return Err(BuildError(format!(
                "{}: `approvals.remember_ttl` is `{ttl}`: use a duration such as 30m, 24h or 7d",
                layer.path
            )));
        }
        let current = out.get_or_insert_with(ApprovalsSection::default);
        if section.store.is_some() {
            if layer.scope == "system" {
                current.store = section.store;
            } else {
                notes.push(format!(
                    "`approvals.store` in {} ({} scope) is ignored: only the system scope chooses the grant store",
                    layer.path, layer.scope
                ));
            }
        }
        if section.remember_ttl.is_some() {
            current.remember_ttl = section.remember_ttl;
        }
    }
    Ok(out)
}

fn parse_enforcement(value: &Value) -> Result<EnforcementSection, BuildError> {
    serde_json::from_value::<EnforcementSection>(value.clone()).map_err(|e| {
        BuildError(format!(
            "`enforcement` is not valid ({e}): use unmatched, dynamic (allow|request|deny), shells (name: path), prompt_timeout_seconds, guards (program names), hooks_defer_allows (true|false), proposals (true|false)"
        ))
    })
}

/// The `enforcement` section. From the layers when they are known: the system and user
/// scopes set it (later keys replacing earlier ones, `shells` merged by name, as the
/// reference merges maps); a repo, harness, task-domain or task-instance scope may only
/// make `unmatched` and `dynamic` stricter and set the prompt timeout. SECURITY: what a
/// lower scope cannot do — loosen a decision, choose the real shell that is exec'd, or
/// change the guarded programs — is ignored and named in `notes`. Without layers (a
/// single policy file) the merged policy's section is taken as written.
fn enforcement_section(
    policy: &Value,
    layers: &[Layer],
    notes: &mut Vec<String>,
) -> Result<Option<EnforcementSection>, BuildError> {
    if layers.is_empty() {
        return policy.get("enforcement").map(parse_enforcement).transpose();
    }
    let mut out: Option<EnforcementSection> = None;
    for layer in layers {
        let Some(value) = layer.doc.get("enforcement").filter(|v| !v.is_null()) else {
            continue;
        };
        let e = parse_enforcement(value)
            .map_err(|err| BuildError(format!("{}: {}", layer.path, err.0)))?;
        let current = out.get_or_insert_with(EnforcementSection::default);
        if MACHINE_SCOPES.contains(&layer.scope.as_str()) {
            if e.unmatched.is_some() {
                current.unmatched = e.unmatched;
            }
            if e.dynamic.is_some() {
                current.dynamic = e.dynamic;
            }
            current.shells.extend(e.shells);
            if e.prompt_timeout_seconds.is_some() {
                current.prompt_timeout_seconds = e.prompt_timeout_seconds;
            }
            if e.guards.is_some() {
                current.guards = e.guards;
            }
            if e.hooks_defer_allows.is_some() {
                current.hooks_defer_allows = e.hooks_defer_allows;
            }
            if e.proposals.is_some() {
                current.proposals = e.proposals;
            }
            continue;
        }
        let ignored = |key: &str, value: &str| {
            format!(
                "`enforcement.{key}: {value}` in {} ({} scope) is ignored: only the system and user scopes may loosen enforcement",
                layer.path, layer.scope
            )
        };
        for (key, new, slot, default) in [
            (
                "unmatched",
                &e.unmatched,
                &mut current.unmatched,
                Decision::Allow,
            ),
            (
                "dynamic",
                &e.dynamic,
                &mut current.dynamic,
                Decision::Request,
            ),
        ] {
            let Some(new) = new else { continue };
            let Some(wanted) = Decision::parse(new) else {
                return Err(BuildError(format!(
                    "{}: `enforcement.{key}` is `{new}`: use allow, request or deny",
                    layer.path
                )));
            };
            let now = slot.as_deref().and_then(Decision::parse).unwrap_or(default);
            if wanted >= now {
                *slot = Some(wanted.as_str().to_string());
            } else {
                notes.push(ignored(key, new));
            }
        }
        if e.prompt_timeout_seconds.is_some() {
            current.prompt_timeout_seconds = e.prompt_timeout_seconds;
        }
        if !e.shells.is_empty() {
            notes.push(ignored("shells", "…"));
        }
        if e.guards.is_some() {
            notes.push(ignored("guards", "…"));
        }
        if let Some(p) = e.proposals {
            notes.push(ignored("proposals", &p.to_string()));
        }
        // Deferring more only hands more commands to the harness's own questions.
        if e.hooks_defer_allows == Some(true) {
            current.hooks_defer_allows = Some(true);
        }
    }
    Ok(out)
}

/// `enforcement` as written in policies and bundles. Unknown keys are refused: a
/// misspelt `unmatchd: deny` must not silently leave the default allow in place.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct EnforcementSection {
    /// Decision for commands no rule matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmatched: Option<String>,
    /// Decision for dynamic commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic: Option<String>,
    /// The real shell for each emulated name (`bash: /usr/bin/bash`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub shells: std::collections::BTreeMap<String, String>,
    /// How long a request prompt waits for an answer before it means no.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_timeout_seconds: Option<u64>,
    /// Programs to guard at exec time, instead of those the deny and request rules name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guards: Option<Vec<String>>,
    /// Hooks answer no allow at all: every allow defers to the harness's own permission
    /// flow (system and user scopes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks_defer_allows: Option<bool>,
    /// Agents may propose exceptions (`policy-exec propose`; system and user scopes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposals: Option<bool>,
}

/// Where a rule was written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OriginField {
    /// Scope slot.
    pub scope: String,
    /// File path.
    pub path: String,
}

/// `flags`/`args`/`unless_flags`/`except_args`/`programs` refinements.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct RefinementsField {
    /// At least one present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// At least one argument matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// None present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless_flags: Vec<String>,
    /// Arguments matching one of these never count for `args`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except_args: Vec<String>,
    /// The program (by basename) is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    /// The command was reached through one of these frames (`GIT_SSH_COMMAND=`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

/// Rule examples.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ExamplesField {
    /// Must match.
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    /// Must not match.
    #[serde(default, rename = "not_match")]
    pub not_matches: Vec<String>,
}

/// One bundle entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BundleRule {
    /// Rule id.
    pub id: String,
    /// Which list it came from (`command_rules`, `commands.deny`, …).
    pub source: String,
    /// allow | request | deny.
    pub action: String,
    /// Decision when conditions fail.
    pub on_mismatch: Option<String>,
    /// exact | prefix | glob.
    pub matcher: String,
    /// The pattern as written.
    pub pattern: String,
    /// The pattern with whitespace collapsed.
    pub normalized_pattern: String,
    /// `{mode, conditions}`.
    pub conditions: Value,
    /// The action for platforms (same words).
    pub platform_action: String,
    /// Shell form of the entry.
    pub shell_entry: String,
    /// Bash form of the entry.
    pub bash_entry: String,
    /// Where the rule was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<OriginField>,
    /// Argument refinements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refinements: Option<RefinementsField>,
    /// Examples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examples: Option<ExamplesField>,
    /// Why the rule exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A safe alternative shown when the rule refuses (`git stash`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
    /// `allowed`: a human's grant may let a command this deny rule refuses through
    /// (SPEC §11); absent or `never`: no grant overrides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exceptions: Option<String>,
}

/// One path rule (`path_rules` entry), as written in policies and bundles.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BundlePathRule {
    /// Rule id.
    pub id: String,
    /// deny | request.
    pub action: String,
    /// read | write | any (default any).
    #[serde(default = "any_access")]
    pub access: String,
    /// The protected paths: `~/…`, absolute, or relative to the repository's top; `*`
    /// stops at `/`, `**` crosses it.
    pub paths: Vec<String>,
    /// Paths left alone although `paths` covers them (`.env.example`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
    /// Only a tree a command deletes (`rm -r`) while git reports uncommitted changes
    /// to tracked files under it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uncommitted: bool,
    /// Why the paths are protected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the rule was written (bundles only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<OriginField>,
}

fn any_access() -> String {
    "any".to_string()
}

/// The `path_rules` of a merged policy, with their origins. An entry without an `id`
/// gets `path:<first 8 hex of sha1 of its JSON>`; two different rules with one id are
/// refused.
fn path_rules(policy: &Value, layers: &[Layer]) -> Result<Vec<BundlePathRule>, BuildError> {
    let Some(list) = policy.get("path_rules") else {
        return Ok(Vec::new());
    };
    let Some(list) = list.as_array() else {
        if list.is_null() {
            return Ok(Vec::new());
        }
        return Err(BuildError(
            "`path_rules` is not a list: write it as a YAML list of rules".into(),
        ));
    };
    let rule_origins = origins(layers, &["path_rules"]);
    let mut out: Vec<BundlePathRule> = Vec::new();
    let mut seen = HashSet::new();
    for (i, value) in list.iter().enumerate() {
        let key = key_of(value);
        if !seen.insert(key.clone()) {
            continue;
        }
        let mut value = value.clone();
        if let Some(map) = value.as_object_mut()
            && !map.contains_key("id")
        {
            map.insert(
                "id".into(),
                Value::String(format!("path:{}", short_sha1(&key))),
            );
        }
        let mut rule: BundlePathRule = serde_json::from_value(value).map_err(|e| {
            BuildError(format!(
                "path_rules[{i}] is not valid ({e}): write {{id, action: deny|request, access: read|write|any, paths: [...], reason}}"
            ))
        })?;
        rule.origin = rule_origins.get(&key).cloned();
        if out.iter().any(|r| r.id == rule.id) {
            return Err(BuildError(format!(
                "path_rules[{i}]: id `{}` is used by two different path rules: give each its own id",
                rule.id
            )));
        }
        // Compiled here too, so a bad rule fails the build that wrote it.
        crate::paths::PathRule::compile(&rule)
            .map_err(|e| BuildError(format!("path_rules[{i}]: {e}")))?;
        out.push(rule);
    }
    Ok(out)
}

/// `rules` (the policy's own path rules) followed by the path rules of every pack the
/// policy enables (origin: scope `pack`, path `packs/<name>.yaml`).
fn with_pack_path_rules(
    policy: &Value,
    mut rules: Vec<BundlePathRule>,
) -> Result<Vec<BundlePathRule>, BuildError> {
    let packs = crate::packs::enabled(policy).map_err(|e| BuildError(e.to_string()))?;
    for pack in packs {
        for (i, value) in pack.path_rules.iter().enumerate() {
            let mut rule: BundlePathRule = serde_json::from_value(value.clone())
                .map_err(|e| BuildError(format!("pack `{}` path rule {i}: {e}", pack.name)))?;
            rule.origin = Some(OriginField {
                scope: "pack".into(),
                path: format!("packs/{}.yaml", pack.name),
            });
            if rules.iter().any(|r| r.id == rule.id) {
                return Err(BuildError(format!(
                    "path rule id `{}` is used by pack `{}` and by a path rule of the policy: rename the policy's rule (ids starting with `{}/` belong to the pack)",
                    rule.id, pack.name, pack.name
                )));
            }
            crate::paths::PathRule::compile(&rule)
                .map_err(|e| BuildError(format!("pack `{}` path rule {i}: {e}", pack.name)))?;
            rules.push(rule);
        }
    }
    Ok(rules)
}

/// The dispatch manifest file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always 1.
    pub schema_version: u32,
    /// Absolute path of the bundle.
    pub bundle_path: String,
    /// Bundle path relative to the manifest.
    #[serde(default)]
    pub bundle_relative: String,
    /// The script or binary that dispatches.
    #[serde(default)]
    pub dispatch_script: String,
    /// argv with whole-element `{command}` and `{cwd}` placeholders.
    #[serde(default)]
    pub dispatch_command: Vec<String>,
    /// Predicates the bundle needs.
    #[serde(default)]
    pub required_conditions: Vec<String>,
    /// Number of rules.
    #[serde(default)]
    pub wrapper_rule_count: usize,
    /// Decision when the bundle is missing.
    #[serde(default = "deny")]
    pub fallback_missing_policy: String,
    /// Decision when the bundle is malformed.
    #[serde(default = "deny")]
    pub fallback_malformed_bundle: String,
    /// Decision when a predicate cannot be evaluated.
    #[serde(default = "request")]
    pub fallback_condition_eval_error: String,
    /// The policy hash it was built from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_hash: Option<String>,
}

fn deny() -> String {
    "deny".into()
}

fn request() -> String {
    "request".into()
}

/// One scope file's parsed content, for finding where a rule was written.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Scope slot.
    pub scope: String,
    /// File path.
    pub path: String,
    /// Its parsed content.
    pub doc: Value,
}

/// A problem building the bundle from a policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

/// First 8 hex digits of sha1, as the reference derives static rule ids.
fn short_sha1(text: &str) -> String {
    let digest = Sha1::digest(text.as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// The `{mode, conditions}` form of a rule's conditions.
fn normalized_conditions(conditions: Option<&Value>) -> Value {
    match conditions {
        None | Some(Value::Null) => json!({"mode": "all", "conditions": []}),
        Some(Value::Object(m)) if m.contains_key("mode") => Value::Object(m.clone()),
        Some(Value::Object(m))
            if m.len() == 1 && (m.contains_key("all") || m.contains_key("any")) =>
        {
            let (mode, list) = m
                .iter()
                .next()
                .map(|(k, v)| (k.clone(), v.clone()))
                .unwrap_or_default();
            json!({"mode": mode, "conditions": list})
        }
        Some(Value::Array(a)) => json!({"mode": "all", "conditions": a}),
        Some(other) => json!({"mode": "all", "conditions": [other]}),
    }
}

/// A key for a JSON value that is equal for two values exactly when they are `==`
/// (object keys in any order, `1` unlike `1.0`, `0.0` like `-0.0`), so long lists can be
/// deduplicated and looked up through a hash map instead of comparing every pair.
fn value_key(v: &Value, out: &mut String) {
    use std::fmt::Write as _;
    match v {
        Value::Null => out.push('n'),
        Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                let _ = write!(out, "u{u};");
            } else if let Some(i) = n.as_i64() {
                let _ = write!(out, "i{i};");
            } else {
                let f = n.as_f64().unwrap_or(0.0);
                // `==` on floats: 0.0 equals -0.0.
                let f = if f == 0.0 { 0.0 } else { f };
                let _ = write!(out, "f{f:?};");
            }
        }
        Value::String(s) => {
            let _ = write!(out, "s{}:{s}", s.len());
        }
        Value::Array(items) => {
            let _ = write!(out, "[{}:", items.len());
            for item in items {
                value_key(item, out);
            }
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let _ = write!(out, "{{{}:", map.len());
            for k in keys {
                let _ = write!(out, "{}:{k}", k.len());
                if let Some(item) = map.get(k) {
                    value_key(item, out);
                }
            }
        }
    }
}

fn key_of(v: &Value) -> String {
    let mut out = String::new();
    value_key(v, &mut out);
    out
}

/// Which layer first wrote each value of the list at `path` (e.g. `command_rules`),
/// keyed by [`key_of`]: one pass over the layers instead of one per rule.
fn origins(layers: &[Layer], path: &[&str]) -> HashMap<String, OriginField> {
    let mut out = HashMap::new();
    for l in layers {
        let list = path
            .iter()
            .try_fold(&l.doc, |v, key| v.get(key))
            .and_then(Value::as_array);
        for entry in list.into_iter().flatten() {
            out.entry(key_of(entry)).or_insert_with(|| OriginField {
                scope: l.scope.clone(),
                path: l.path.clone(),
            });
        }
    }
    out
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Builds the bundle (every rule, with its origin) from a merged policy.
pub fn build(
    policy: &Value,
    layers: &[Layer],
    policy_hash: Option<&str>,
) -> Result<Bundle, BuildError> {
    let mut commands = Vec::new();
    let mut ids = HashSet::new();
    if let Some(rules) = policy.get("command_rules").and_then(Value::as_array) {
        let rule_origins = origins(layers, &["command_rules"]);
        let mut seen: HashSet<String> = HashSet::with_capacity(rules.len());
        for (i, rule) in rules.iter().enumerate() {
            // The reference dedups by Python repr, so the same rule written with its keys
            // in another order survives the merge twice: it is still one rule.
            let key = key_of(rule);
            let origin = rule_origins.get(&key).cloned();
            if !seen.insert(key) {
                continue;
            }
            let entry = command_rule(rule, i, origin)?;
            if !ids.insert(entry.id.clone()) {
                // Name the files: the index is into the merged list, which no one wrote.
                let first = commands
                    .iter()
                    .find(|c: &&BundleRule| c.id == entry.id)
                    .and_then(|c| c.origin.as_ref())
                    .map(|o| o.path.clone());
                let here = entry.origin.as_ref().map(|o| o.path.clone());
                let files = match (first, here) {
                    (Some(a), Some(b)) if a == b => format!(" (both in `{a}`)"),
                    (Some(a), Some(b)) => format!(" (in `{a}` and `{b}`)"),
                    _ => String::new(),
                };
                return Err(BuildError(format!(
                    "command_rules[{i}]: id `{}` is used by two different rules{files}: give each rule its own id",
                    entry.id
                )));
            }
            commands.push(entry);
        }
    }
    add_pack_rules(policy, &mut commands, &mut ids)?;
    let rule_ids = ids.clone();
    for (list, action) in [("deny", "deny"), ("require", "request"), ("allow", "allow")] {
        let source = format!("commands.{list}");
        let entries = policy
            .get("commands")
            .and_then(|c| c.get(list))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let list_origins = origins(layers, &["commands", list]);
        for (i, value) in entries.iter().enumerate() {
            // SECURITY: an entry that is not a string would otherwise vanish, and a deny
            // with it.
            let Some(pattern) = value.as_str().map(str::to_string) else {
                return Err(BuildError(format!(
                    "commands.{list}[{i}] is `{value}`, not a string: write the command pattern as a string"
                )));
            };
            let id = format!("static-{list}:{}", short_sha1(&pattern));
            let origin = list_origins.get(&key_of(value)).cloned();
            // SECURITY: a command rule that takes this entry's id would silently replace
            // it (a lower scope dropping a system deny).
            if rule_ids.contains(&id) {
                return Err(BuildError(format!(
                    "command rule id `{id}` is the id of the commands.{list} entry `{pattern}`: rename the rule (ids starting with `static-` are derived)"
                )));
            }
            if !ids.insert(id.clone()) {
                // The same pattern twice in one list is one rule.
                continue;
            }
            commands.push(entry(
                id,
                &source,
                action,
                None,
                "glob",
                &pattern,
                json!({"mode": "all", "conditions": []}),
                origin,
            ));
        }
    }
    let mut required: Vec<String> = Vec::new();
    for c in &commands {
        let cond = super::condition::Condition::parse(&c.conditions);
        for p in cond.required_predicates() {
            let name = p.name().to_string();
            if !required.contains(&name) {
                required.push(name);
            }
        }
    }
    let mut notes = Vec::new();
    let enforcement = enforcement_section(policy, layers, &mut notes)?;
    let log = log_section(layers, &mut notes)?;
    let approvals = approvals_section(layers, &mut notes)?;
    let mut bundle = Bundle {
        schema_version: 1,
        required_conditions: required,
        commands,
        enforcement,
        policy_hash: policy_hash.map(str::to_string),
        log,
        approvals,
        ignored_settings: notes,
        path_rules: with_pack_path_rules(policy, path_rules(policy, layers)?)?,
        bundle_sha256: None,
    };
    bundle.bundle_sha256 = Some(bundle.content_sha256());
    Ok(bundle)
}

/// What a rule does, without its id, origin and prose: two rules with the same effect
/// give the same decision for every command.
fn effect_key(rule: &BundleRule) -> String {
    key_of(&json!([
        rule.action,
        rule.on_mismatch,
        rule.matcher,
        rule.normalized_pattern,
        rule.conditions,
        serde_json::to_value(&rule.refinements).unwrap_or(Value::Null),
    ]))
}

/// Adds the rules of every pack the policy enables (origin: scope `pack`, path
/// `packs/<name>.yaml`). A pack rule with the same effect as a rule already in the policy
/// is left out, so the default policy's own rules (and their ids) stay the only copy.
fn add_pack_rules(
    policy: &Value,
    commands: &mut Vec<BundleRule>,
    ids: &mut HashSet<String>,
) -> Result<(), BuildError> {
    let packs = crate::packs::enabled(policy).map_err(|e| BuildError(e.to_string()))?;
    if packs.is_empty() {
        return Ok(());
    }
    let mut effects: HashSet<String> = commands.iter().map(effect_key).collect();
    for pack in packs {
        let path = format!("packs/{}.yaml", pack.name);
        for (i, rule) in pack.command_rules.iter().enumerate() {
            let origin = OriginField {
                scope: "pack".into(),
                path: path.clone(),
            };
            let entry = command_rule(rule, i, Some(origin)).map_err(|e| {
                let text =
                    e.0.strip_prefix(&format!("command_rules[{i}]: "))
                        .unwrap_or(&e.0)
                        .to_string();
                BuildError(format!("pack `{}` rule {i}: {text}", pack.name))
            })?;
            if !effects.insert(effect_key(&entry)) {
                continue;
            }
            if !ids.insert(entry.id.clone()) {
                return Err(BuildError(format!(
                    "rule id `{}` is used by pack `{}` and by a rule of the policy: rename the policy's rule (ids starting with `{}/` belong to the pack)",
                    entry.id, pack.name, pack.name
                )));
            }
            commands.push(entry);
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn entry(
    id: String,
    source: &str,
    action: &str,
    on_mismatch: Option<String>,
    matcher: &str,
    pattern: &str,
    conditions: Value,
    origin: Option<OriginField>,
) -> BundleRule {
    let normalized: Vec<&str> = pattern.split_whitespace().collect();
    let normalized = normalized.join(" ");
    BundleRule {
        id,
        source: source.to_string(),
        action: action.to_string(),
        on_mismatch,
        matcher: matcher.to_string(),
        pattern: pattern.to_string(),
        shell_entry: normalized.clone(),
        bash_entry: normalized.clone(),
        normalized_pattern: normalized,
        conditions,
        platform_action: action.to_string(),
        origin,
        refinements: None,
        examples: None,
        reason: None,
        alternative: None,
        exceptions: None,
    }
}

/// One `command_rules` entry as a bundle rule.
fn command_rule(
    rule: &Value,
    index: usize,
    origin: Option<OriginField>,
) -> Result<BundleRule, BuildError> {
    let at = |what: String| BuildError(format!("command_rules[{index}]: {what}"));
    let obj = rule
        .as_object()
        .ok_or_else(|| at("is not a mapping".into()))?;
    let action = obj
        .get("action")
        .and_then(Value::as_str)
        .ok_or_else(|| at("has no `action`: use allow, request or deny".into()))?;
    let action = Decision::parse(action)
        .ok_or_else(|| at(format!("action `{action}` is not allow, request or deny")))?;
    let on_mismatch = match obj.get("on_mismatch") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            Decision::parse(s)
                .ok_or_else(|| at(format!("on_mismatch `{s}` is not allow, request or deny")))?
                .as_str()
                .to_string(),
        ),
        Some(other) => return Err(at(format!("on_mismatch `{other}` is not a string"))),
    };
    let (matcher, pattern, refinements) = match obj.get("match") {
        Some(Value::String(s)) => ("glob", s.clone(), None),
        Some(Value::Object(m)) => match_object(m).map_err(at)?,
        _ => {
            return Err(at(
                "has no `match`: give a glob string or {exact|prefix|glob: …}".into(),
            ));
        }
    };
    let id = match obj.get("id").and_then(Value::as_str) {
        Some(id) => id.to_string(),
        None => format!(
            "rule-{}",
            short_sha1(&format!("{matcher}:{pattern}:{}", action.as_str()))
        ),
    };
    let mut e = entry(
        id,
        "command_rules",
        action.as_str(),
        on_mismatch,
        matcher,
        &pattern,
        normalized_conditions(obj.get("conditions")),
        origin,
    );
    e.refinements = refinements;
    e.reason = ["reason", "justification", "description"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str).map(str::to_string));
    e.alternative = match obj.get("alternative") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(other) => {
            return Err(at(format!(
                "`alternative` is `{other}`: give the safe command to use instead, as a string"
            )));
        }
    };
    e.exceptions = match obj.get("exceptions") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "allowed" || s == "never" => Some(s.clone()),
        Some(other) => {
            return Err(at(format!(
                "`exceptions` is `{other}`: use allowed (a human's grant may override this rule) or never"
            )));
        }
    };
    if let Some(ex) = obj.get("examples") {
        let ex: ExamplesField = serde_json::from_value(ex.clone()).map_err(|e| {
            at(format!(
                "`examples` must be {{match: [...], not_match: [...]}} ({e})"
            ))
        })?;
        e.examples = Some(ex);
    }
    Ok(e)
}

type MatchParts = (&'static str, String, Option<RefinementsField>);

fn match_object(m: &Map<String, Value>) -> Result<MatchParts, String> {
    let mut kind = None;
    for k in ["exact", "prefix", "glob"] {
        if let Some(v) = m.get(k) {
            if kind.is_some() {
                return Err("`match` has more than one of exact, prefix, glob".into());
            }
            let s = v.as_str().ok_or(format!("`match.{k}` is not a string"))?;
            kind = Some((k, s.to_string()));
        }
    }
    let (matcher, pattern) = kind.ok_or("`match` needs one of exact, prefix, glob")?;
    let matcher: &'static str = match matcher {
        "exact" => "exact",
        "prefix" => "prefix",
        _ => "glob",
    };
    for k in m.keys() {
        if ![
            "exact",
            "prefix",
            "glob",
            "flags",
            "args",
            "unless_flags",
            "except_args",
            "programs",
            "via",
        ]
        .contains(&k.as_str())
        {
            return Err(format!(
                "`match.{k}` is not a known key: use flags, args, unless_flags, except_args, programs or via"
            ));
        }
    }
    let refinements = RefinementsField {
        flags: string_list(m.get("flags")),
        args: string_list(m.get("args")),
        unless_flags: string_list(m.get("unless_flags")),
        except_args: string_list(m.get("except_args")),
        programs: string_list(m.get("programs")),
        via: string_list(m.get("via")),
    };
    if let Some(p) = refinements
        .programs
        .iter()
        .find(|p| p.is_empty() || p.contains('/'))
    {
        return Err(format!(
            "`match.programs` entry `{p}` is not a program name: write basenames such as `cat`"
        ));
    }
    if !refinements.except_args.is_empty() && refinements.args.is_empty() {
        return Err(
            "`match.except_args` narrows `args`, and there is no `args`: add the `args` globs it excepts from".into(),
        );
    }
    let refinements = (refinements != RefinementsField::default()).then_some(refinements);
    Ok((matcher, pattern, refinements))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `key_of` must agree with `==` exactly: it replaces pairwise comparison in the
    /// dedup of rules and the origin look-up.
    #[test]
    fn value_keys_are_equal_exactly_when_values_are() {
        let values = [
            json!(null),
            json!(true),
            json!(1),
            json!(1.0),
            json!(-1),
            json!(0.0),
            json!(-0.0),
            json!("1"),
            json!("a"),
            json!(["a"]),
            json!(["a", "b"]),
            json!([["a", "b"]]),
            json!({"a": 1, "b": 2}),
            json!({"b": 2, "a": 1}),
            json!({"a": 1}),
            json!({"a": "1"}),
            json!({"ab": ""}),
            json!({"a": "b"}),
        ];
        for a in &values {
            for b in &values {
                assert_eq!(key_of(a) == key_of(b), a == b, "{a} vs {b}");
            }
        }
    }
}
