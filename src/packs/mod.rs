//! Rule packs: named sets of command rules (and path rules) shipped in `bundles/packs/<name>.yaml` and
//! embedded in the binary, enabled by a scope's `packs: [...]` key.
//!
//! This module owns the table of packs (name → text), parses a pack into its rules (the
//! same shape as a scope file's `command_rules`), and says which packs the default policy
//! enables. It reads no file at run time and never decides anything: the enabled packs'
//! rules join the bundle in [`crate::policy::bundle::build`], where they are compiled and
//! judged like any other rule.
//!
//! `packs` entries are united across scopes (the merge appends them, see
//! `resolve::merge`): a lower scope can add a pack, never remove one.

use std::io::Write;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

/// Every pack: its name and the text of `bundles/packs/<name>.yaml`.
pub const PACKS: [(&str, &str); 22] = [
    ("git", include_str!("../../bundles/packs/git.yaml")),
    (
        "filesystem",
        include_str!("../../bundles/packs/filesystem.yaml"),
    ),
    ("disk", include_str!("../../bundles/packs/disk.yaml")),
    (
        "privilege",
        include_str!("../../bundles/packs/privilege.yaml"),
    ),
    ("secrets", include_str!("../../bundles/packs/secrets.yaml")),
    (
        "containers",
        include_str!("../../bundles/packs/containers.yaml"),
    ),
    (
        "kubernetes",
        include_str!("../../bundles/packs/kubernetes.yaml"),
    ),
    ("cloud", include_str!("../../bundles/packs/cloud.yaml")),
    (
        "databases",
        include_str!("../../bundles/packs/databases.yaml"),
    ),
    ("iac", include_str!("../../bundles/packs/iac.yaml")),
    (
        "publishing",
        include_str!("../../bundles/packs/publishing.yaml"),
    ),
    ("system", include_str!("../../bundles/packs/system.yaml")),
    ("hosting", include_str!("../../bundles/packs/hosting.yaml")),
    ("backup", include_str!("../../bundles/packs/backup.yaml")),
    ("storage", include_str!("../../bundles/packs/storage.yaml")),
    ("http", include_str!("../../bundles/packs/http.yaml")),
    (
        "secrets-managers",
        include_str!("../../bundles/packs/secrets-managers.yaml"),
    ),
    (
        "messaging",
        include_str!("../../bundles/packs/messaging.yaml"),
    ),
    ("ci", include_str!("../../bundles/packs/ci.yaml")),
    ("remote", include_str!("../../bundles/packs/remote.yaml")),
    (
        "services",
        include_str!("../../bundles/packs/services.yaml"),
    ),
    (
        "workspace",
        include_str!("../../bundles/packs/workspace.yaml"),
    ),
];

/// The default policy's system scope, read for the packs it enables.
const DEFAULT_SYSTEM: &str = include_str!("../../bundles/default/policy-config/system.yaml");

/// One pack, parsed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Its name (the file stem, and the prefix of every rule id).
    pub name: String,
    /// One line: what the pack covers.
    pub summary: String,
    /// Its rules, in the shape of a scope file's `command_rules`.
    #[serde(default)]
    pub command_rules: Vec<Value>,
    /// Its path rules, in the shape of a scope file's `path_rules` (files whose contents
    /// a command may not read or write, whichever program it is).
    #[serde(default)]
    pub path_rules: Vec<Value>,
}

impl Pack {
    /// How many rules it has, command and path rules together.
    pub fn rule_count(&self) -> usize {
        self.command_rules.len() + self.path_rules.len()
    }
}

/// A problem with the packs a policy names, or with a pack's own text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// No pack has that name.
    #[error("unknown pack `{name}`: the packs are {}", known_list())]
    Unknown {
        /// The name as written.
        name: String,
    },
    /// A `packs` entry that is not a string.
    #[error(
        "`packs` entry `{entry}` is not a string: list pack names ({})",
        known_list()
    )]
    NotAName {
        /// The entry as JSON.
        entry: String,
    },
    /// `packs` is not a list.
    #[error(
        "`packs` is `{found}`, not a list: write `packs: [name, …]` ({})",
        known_list()
    )]
    NotAList {
        /// The value as JSON.
        found: String,
    },
    /// The embedded pack does not parse (a build defect, caught by the tests).
    #[error("pack `{name}` is malformed ({message}): this is a bug in policy-exec")]
    Malformed {
        /// The pack.
        name: String,
        /// The parser's message.
        message: String,
    },
}

fn known_list() -> String {
    names().collect::<Vec<_>>().join(", ")
}

/// Every pack name, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    PACKS.iter().map(|(name, _)| *name)
}

/// Parsed packs, once per process.
static PARSED: LazyLock<Vec<Result<Pack, PackError>>> =
    LazyLock::new(|| PACKS.iter().map(|(name, text)| parse(name, text)).collect());

/// Parses one pack's text and checks its name and rule ids.
pub fn parse(name: &str, text: &str) -> Result<Pack, PackError> {
    let malformed = |message: String| PackError::Malformed {
        name: name.to_string(),
        message,
    };
    let pack: Pack = serde_yaml_ng::from_str(text).map_err(|e| malformed(e.to_string()))?;
    if pack.name != name {
        return Err(malformed(format!("it calls itself `{}`", pack.name)));
    }
    let prefix = format!("{name}/");
    for (i, rule) in pack
        .command_rules
        .iter()
        .chain(&pack.path_rules)
        .enumerate()
    {
        match rule.get("id").and_then(Value::as_str) {
            Some(id) if id.starts_with(&prefix) && id.len() > prefix.len() => {}
            other => {
                return Err(malformed(format!(
                    "rule {i} has id {other:?}, which does not start with `{prefix}`"
                )));
            }
        }
    }
    Ok(pack)
}

/// The pack called `name`.
pub fn get(name: &str) -> Result<&'static Pack, PackError> {
    let index = PACKS
        .iter()
        .position(|(n, _)| *n == name)
        .ok_or_else(|| PackError::Unknown {
            name: name.to_string(),
        })?;
    match PARSED.get(index) {
        Some(Ok(pack)) => Ok(pack),
        Some(Err(e)) => Err(e.clone()),
        None => Err(PackError::Unknown {
            name: name.to_string(),
        }),
    }
}

/// The pack names a merged policy (or one scope file) enables, in order, each once;
/// an error names an unknown pack or a malformed entry.
pub fn enabled(policy: &Value) -> Result<Vec<&'static Pack>, PackError> {
    let entries = match policy.get("packs") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(PackError::NotAList {
                found: other.to_string(),
            });
        }
    };
    let mut out: Vec<&'static Pack> = Vec::with_capacity(entries.len());
    for entry in entries {
        let name = entry.as_str().ok_or_else(|| PackError::NotAName {
            entry: entry.to_string(),
        })?;
        let pack = get(name)?;
        if !out.iter().any(|p| p.name == pack.name) {
            out.push(pack);
        }
    }
    Ok(out)
}

/// The packs the default policy (`bundles/default/policy-config/system.yaml`) enables.
pub fn default_enabled() -> Vec<String> {
    #[derive(Deserialize)]
    struct Packs {
        #[serde(default)]
        packs: Vec<String>,
    }
    serde_yaml_ng::from_str::<Packs>(DEFAULT_SYSTEM)
        .map(|p| p.packs)
        .unwrap_or_default()
}

/// Parses a `--packs` value: `all`, or names separated by commas, each checked.
pub fn parse_selection(text: &str) -> Result<Vec<String>, PackError> {
    if text.trim() == "all" {
        return Ok(names().map(str::to_string).collect());
    }
    let mut out: Vec<String> = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        get(name)?;
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// Flags of `policy-exec packs`.
#[derive(Debug, Clone, clap::Args)]
pub struct PacksArgs {
    /// Print JSON: a list of {name, rules, default, summary}
    #[arg(long)]
    pub json: bool,
}

/// Runs `policy-exec packs`: every pack with its rule count, whether the default policy
/// enables it, and what it covers. Exit 0, or 5 when an embedded pack does not parse.
pub fn run_packs(args: &PacksArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let defaults = default_enabled();
    let mut rows = Vec::with_capacity(PACKS.len());
    for name in names() {
        match get(name) {
            Ok(pack) => rows.push((pack, defaults.iter().any(|d| d == name))),
            Err(e) => {
                let _ = writeln!(err, "policy-exec: {e}");
                return 5;
            }
        }
    }
    if args.json {
        let list: Vec<Value> = rows
            .iter()
            .map(|(pack, on)| {
                serde_json::json!({
                    "name": pack.name,
                    "rules": pack.rule_count(),
                    "default": on,
                    "summary": pack.summary,
                })
            })
            .collect();
        let _ = writeln!(out, "{}", Value::Array(list));
        return 0;
    }
    let width = rows
        .iter()
        .map(|(p, _)| p.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(out, "{:width$}  RULES  DEFAULT  COVERS", "PACK");
    for (pack, on) in &rows {
        let _ = writeln!(
            out,
            "{:width$}  {:>5}  {:7}  {}",
            pack.name,
            pack.rule_count(),
            if *on { "on" } else { "opt-in" },
            pack.summary
        );
    }
    let _ = writeln!(
        out,
        "enable with `packs: [name, …]` in a scope file (united across scopes), or `policy-exec init DIR --packs all|a,b`"
    );
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_pack_parses_with_prefixed_ids() {
        for name in names() {
            let pack = get(name).unwrap();
            assert!(!pack.command_rules.is_empty(), "{name} has no rules");
        }
    }

    #[test]
    fn unknown_pack_names_the_known_ones() {
        let err = enabled(&serde_json::json!({"packs": ["gti"]})).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("`gti`") && text.contains("git, filesystem"),
            "{text}"
        );
    }

    #[test]
    fn selection_all_lists_every_pack() {
        assert_eq!(parse_selection("all").unwrap().len(), PACKS.len());
        assert_eq!(parse_selection("git, disk,git").unwrap(), ["git", "disk"]);
        assert!(parse_selection("git,nope").is_err());
    }

    #[test]
    fn default_policy_enables_the_always_on_packs() {
        assert_eq!(
            default_enabled(),
            ["git", "filesystem", "disk", "privilege", "secrets"]
        );
    }
}
