//! Codex runs a user hook only once the user trusted it in its `/hooks` view, which
//! writes `[hooks.state."<hooks.json>:pre_tool_use:<group>:<handler>"]` with a
//! `trusted_hash` into `$CODEX_HOME/config.toml` (Codex 0.17x, `hooks/src/engine/
//! discovery.rs`). An installed hook without that entry is skipped by Codex: it is not in
//! front. Only the lines that matter are read (table headers, `trusted_hash`, `enabled`,
//! the top-level `bypass_hook_trust`): policy-exec carries no TOML parser for one key.
//!
//! Not checked: whether the trusted hash still matches the entry (Codex calls a hook
//! changed since it was trusted "modified" and skips it too).

use std::path::Path;

use serde_json::Value;

use crate::render::apply;

/// Whether Codex runs our hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trusted {
    /// A `trusted_hash` for its key, not disabled.
    Yes,
    /// `bypass_hook_trust = true`: every hook runs untrusted.
    Bypassed,
    /// Disabled by `enabled = false`.
    Disabled(String),
    /// No trust entry for its key.
    No(String),
}

/// `<path>:pre_tool_use:<group>:<handler>` for our entry in a Codex hooks.json.
pub(crate) fn codex_key(hooks_json: &Path, root: &Value) -> Option<String> {
    let groups = root.pointer("/hooks/PreToolUse")?.as_array()?;
    groups.iter().enumerate().find_map(|(g, group)| {
        let hooks = group.get("hooks")?.as_array()?;
        hooks.iter().enumerate().find_map(|(h, hook)| {
            let c = hook.get("command")?.as_str()?;
            apply::is_our_hook(c, "codex")
                .then(|| format!("{}:pre_tool_use:{g}:{h}", hooks_json.display()))
        })
    })
}

/// Unquotes a TOML basic or literal string key (JSON-like escapes).
fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(lit) = s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return Some(lit.to_string());
    }
    serde_json::from_str::<String>(s).ok()
}

/// Reads the trust state of `keys` (any spelling of our entry's key) from config.toml.
pub(crate) fn codex(config_toml: &str, keys: &[String]) -> Trusted {
    let mut table: Option<String> = None;
    let (mut hash, mut disabled) = (false, false);
    for line in config_toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            table = line
                .strip_prefix("[hooks.state.")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(unquote);
            if table.is_none() && line.starts_with("[hooks.state]") {
                table = Some("[inline]".into());
            }
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        match table.as_deref() {
            None if k == "bypass_hook_trust" && v.starts_with("true") => return Trusted::Bypassed,
            // `"<key>" = { trusted_hash = "…", enabled = false }`
            Some("[inline]") if unquote(k).is_some_and(|k| keys.contains(&k)) => {
                hash |= v.contains("trusted_hash");
                disabled |= v.replace(' ', "").contains("enabled=false");
            }
            Some(t) if keys.iter().any(|key| key == t) => {
                hash |= k == "trusted_hash";
                disabled |= k == "enabled" && v.starts_with("false");
            }
            _ => {}
        }
    }
    let shown = keys.first().cloned().unwrap_or_default();
    match (hash, disabled) {
        (_, true) => Trusted::Disabled(shown),
        (true, false) => Trusted::Yes,
        (false, false) => Trusted::No(shown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const KEY: &str = "/h/.codex/hooks.json:pre_tool_use:0:0";

    #[rstest]
    #[case("", false)]
    #[case(
        "model = \"x\"\n[hooks.state.\"/h/.codex/hooks.json:pre_tool_use:0:0\"]\ntrusted_hash = \"sha256:ab\"\n",
        true
    )]
    #[case(
        "[hooks.state.\"/h/.codex/hooks.json:pre_tool_use:1:0\"]\ntrusted_hash = \"sha256:ab\"\n",
        false
    )]
    #[case(
        "[hooks.state]\n\"/h/.codex/hooks.json:pre_tool_use:0:0\" = { trusted_hash = \"sha256:ab\" }\n",
        true
    )]
    fn trust_is_read_for_our_key(#[case] toml: &str, #[case] trusted: bool) {
        let got = codex(toml, &[KEY.to_string()]);
        assert_eq!(got == Trusted::Yes, trusted, "{got:?}");
    }

    #[test]
    fn a_disabled_or_bypassed_hook_is_told_apart() {
        let disabled = "[hooks.state.\"/h/.codex/hooks.json:pre_tool_use:0:0\"]\ntrusted_hash = \"x\"\nenabled = false\n";
        assert!(matches!(
            codex(disabled, &[KEY.into()]),
            Trusted::Disabled(_)
        ));
        assert_eq!(
            codex("bypass_hook_trust = true\n", &[KEY.into()]),
            Trusted::Bypassed
        );
    }

    #[test]
    fn our_entry_key_counts_groups_and_handlers() {
        let root = serde_json::json!({"hooks": {"PreToolUse": [
            {"matcher": "Edit", "hooks": [{"type": "command", "command": "x"}]},
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "y"},
                                          {"type": "command", "command": "/b/policy-exec hook codex"}]}]}});
        assert_eq!(
            codex_key(Path::new("/h/.codex/hooks.json"), &root).as_deref(),
            Some("/h/.codex/hooks.json:pre_tool_use:1:1")
        );
    }
}
