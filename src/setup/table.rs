//! The wiring table: `shims/wiring.yaml`, embedded at build time and checked when read.
//!
//! One entry per harness says where its hook lives, which native permission file it
//! reads and how it picks its shell. `setup`, `uninstall` and `doctor` read it, so a new
//! harness is wired by adding an entry (plus its hook format and renderer).

use std::path::PathBuf;

use serde::Deserialize;

use crate::render::hosts::Host;

/// The table as written in `shims/wiring.yaml`.
const WIRING: &str = include_str!("../../shims/wiring.yaml");

/// The shell names policy-exec is linked as (`shims/shells`).
const SHELLS: &str = include_str!("../../shims/shells");

/// What `setup` installs for a harness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Wire {
    /// The native permission file (`sync --apply` for this host).
    Native,
    /// The `policy-exec hook NAME` entry.
    Hook,
    /// Shell mode, the way the harness picks its shell.
    Shell,
}

/// How a harness picks the shell it runs commands with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "how", rename_all = "lowercase", deny_unknown_fields)]
pub enum ShellWiring {
    /// The account's login shell from passwd: `policy-exec run NAME` gives it a private
    /// passwd view.
    Passwd {
        /// The shim name (`bash`).
        shim: String,
    },
    /// An environment variable the user sets.
    Env {
        /// The variable.
        var: String,
        /// The shim name.
        shim: String,
    },
    /// A key in the harness's own settings file.
    Settings {
        /// The file, relative to the home directory.
        file: PathBuf,
        /// The dotted key.
        key: String,
        /// The shim name.
        shim: String,
    },
    /// The harness runs the first `bash` on `PATH`: it is started with the shims first
    /// on its `PATH` (never the user's whole `PATH`, which would catch every
    /// `#!/usr/bin/env bash` script too).
    Path {
        /// The shim name.
        shim: String,
    },
    /// The harness always runs its own shell.
    None,
}

/// A hook the harness runs only once the user trusted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trust {
    /// Codex: `[hooks.state."<hooks.json>:pre_tool_use:G:H"]` with a `trusted_hash` in
    /// `$CODEX_HOME/config.toml`.
    Codex,
}

/// One harness's entry as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHarness {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    title: String,
    #[serde(default)]
    host: Option<String>,
    hook: PathBuf,
    #[serde(default)]
    trust: Option<Trust>,
    shell: ShellWiring,
    wires: Vec<Wire>,
    note: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    harnesses: Vec<RawHarness>,
}

/// One harness, checked: its host is a known renderer and its name a known hook.
#[derive(Debug, Clone)]
pub struct Harness {
    /// The name `setup`, `uninstall --harness` and `hook` take.
    pub name: String,
    /// Other accepted names.
    pub aliases: Vec<String>,
    /// The harness's name for people.
    pub title: String,
    /// Its native permission file's renderer (None: the harness has no file that can
    /// hold a partial policy, e.g. Copilot CLI).
    pub host: Option<Host>,
    /// Its hook file, relative to the home directory.
    pub hook: PathBuf,
    /// Whether the harness runs the hook only once trusted.
    pub trust: Option<Trust>,
    /// How it picks its shell.
    pub shell: ShellWiring,
    /// What `setup` installs by default.
    pub wires: Vec<Wire>,
    /// The line `setup` prints after wiring.
    pub note: String,
}

impl Harness {
    /// Whether `name` is this harness (its name or an alias, case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        self.name == name || self.aliases.contains(&name)
    }

    /// The name `doctor` reports it under (its host's name, else its own).
    pub fn doctor_name(&self) -> &str {
        match self.host {
            Some(host) => host.name(),
            None => &self.name,
        }
    }
}

/// The wiring table could not be read (a build with a broken `shims/wiring.yaml`).
#[derive(Debug, thiserror::Error)]
#[error("the embedded wiring table `shims/wiring.yaml` is broken ({0}): rebuild policy-exec")]
pub struct TableError(String);

/// Every harness in the table, in its order.
pub fn harnesses() -> Result<Vec<Harness>, TableError> {
    parse(WIRING)
}

/// The harness named `name`, or an error listing the names there are.
pub fn harness(name: &str) -> Result<Harness, String> {
    let all = harnesses().map_err(|e| e.to_string())?;
    let names: Vec<String> = all.iter().map(|h| h.name.clone()).collect();
    all.into_iter().find(|h| h.is(name)).ok_or_else(|| {
        format!(
            "unknown harness `{name}`: choose one of {}",
            names.join(", ")
        )
    })
}

/// The shell names policy-exec is linked as.
pub fn shell_names() -> Vec<&'static str> {
    SHELLS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

fn parse(text: &str) -> Result<Vec<Harness>, TableError> {
    let raw: RawTable = serde_yaml_ng::from_str(text).map_err(|e| TableError(e.to_string()))?;
    raw.harnesses
        .into_iter()
        .map(|r| {
            let host = match &r.host {
                None => None,
                Some(name) => Some(
                    Host::ALL
                        .into_iter()
                        .find(|h| h.name() == name)
                        .ok_or_else(|| {
                            TableError(format!("harness `{}`: unknown host `{name}`", r.name))
                        })?,
                ),
            };
            if host.is_none() && r.wires.contains(&Wire::Native) {
                return Err(TableError(format!(
                    "harness `{}` wires native rules but names no host",
                    r.name
                )));
            }
            if crate::hook::Harness::parse(&r.name).is_none() {
                return Err(TableError(format!(
                    "harness `{}` has no `policy-exec hook {}`",
                    r.name, r.name
                )));
            }
            if r.hook.is_absolute() {
                return Err(TableError(format!(
                    "harness `{}`: hook file must be relative to the home directory",
                    r.name
                )));
            }
            Ok(Harness {
                name: r.name,
                aliases: r.aliases,
                title: r.title,
                host,
                hook: r.hook,
                trust: r.trust,
                shell: r.shell,
                wires: r.wires,
                note: r.note.trim().to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use rstest::rstest;

    #[test]
    fn the_embedded_table_reads_and_names_known_hosts_and_hooks() {
        let all = harnesses().unwrap();
        let names: Vec<&str> = all.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "claude", "codex", "cursor", "droid", "gemini", "copilot", "opencode"
            ]
        );
        assert_eq!(shell_names(), ["bash", "sh", "zsh"]);
    }

    #[test]
    fn the_table_agrees_with_the_hook_files_sync_writes() {
        let home = std::path::Path::new("/h");
        for t in crate::render::apply::hook_targets(home) {
            let h = harness(t.harness).unwrap();
            assert_eq!(home.join(&h.hook), t.path, "{}", t.harness);
        }
    }

    #[rstest]
    #[case("claude", "claude")]
    #[case("Factory-Droid", "droid")]
    #[case("droid", "droid")]
    fn harnesses_are_found_by_name_or_alias(#[case] given: &str, #[case] name: &str) {
        assert_eq!(harness(given).unwrap().name, name);
    }

    #[test]
    fn an_unknown_harness_lists_the_valid_names() {
        let e = harness("vim").unwrap_err();
        assert!(
            e.contains("claude, codex, cursor, droid, gemini, copilot, opencode"),
            "{e}"
        );
    }

    #[rstest]
    #[case(
        "harnesses: [{name: claude, title: C, host: nope, hook: x, shell: {how: none}, wires: [], note: n}]",
        "unknown host"
    )]
    #[case(
        "harnesses: [{name: vim, title: C, host: claude, hook: x, shell: {how: none}, wires: [], note: n}]",
        "no `policy-exec hook vim`"
    )]
    #[case(
        "harnesses: [{name: claude, title: C, host: claude, hook: x, shell: {how: none}, wires: [], note: n, extra: 1}]",
        "unknown field"
    )]
    fn a_broken_table_is_refused(#[case] text: &str, #[case] why: &str) {
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains(why), "{e}");
    }
}
