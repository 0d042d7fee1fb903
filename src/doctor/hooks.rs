//! Hooks: is our `policy-exec hook <harness>` entry in the harness's hook file, and does
//! the program it names still exist and run?
//!
//! The entry's shape is `render::apply`'s (the code that writes it also finds it), so a
//! hook `sync --apply --hooks` wrote is always recognised, whichever policy-exec binary
//! it points at.

use super::shell::{Target, resolve};
use super::trust::{self, Trusted};
use super::{Context, Finding, read_json};
use crate::render::apply;

/// The hook finding for `harness` (`claude`, `droid`, `cursor`, `codex`).
pub(crate) fn find(ctx: &Context, harness: &str) -> Finding {
    let path = apply::hook_targets(&ctx.home)
        .into_iter()
        .find(|t| t.harness == harness)
        .map_or_else(|| ctx.home.join("hooks.json"), |t| t.path);
    let shown = path.display().to_string();
    let missing = |detail: String| Finding {
        present: false,
        detail,
        fix: Some(ctx.sync_fix()),
        emulates: None,
    };
    let root = match read_json(&path) {
        Ok(Some(v)) => v,
        Ok(None) => {
            return missing(format!(
                "`{shown}` does not exist: no `policy-exec hook {harness}` entry"
            ));
        }
        Err(why) => return missing(format!("{why}: the harness cannot read its hooks either")),
    };
    let Some(command) = apply::find_our_hook(&root, harness) else {
        return missing(format!(
            "no `policy-exec hook {harness}` entry in `{shown}`"
        ));
    };
    let Some(program) = apply::hook_program(&command, harness) else {
        return missing(format!(
            "cannot read the program of `{command}` in `{shown}`"
        ));
    };
    match resolve(&program, &ctx.exe) {
        Target::PolicyExec(_) if harness == "codex" => codex_trust(ctx, &path, &root, &command),
        Target::PolicyExec(_) => Finding {
            present: true,
            detail: format!("`{command}` in `{shown}`"),
            fix: None,
            emulates: None,
        },
        Target::Other(c) => missing(format!(
            "`{command}` in `{shown}` runs `{}`, which is not policy-exec",
            c.display()
        )),
        Target::Broken(why) => missing(format!(
            "`{command}` in `{shown}` runs `{}`, which {why}",
            program.display()
        )),
    }
}

/// Codex runs our hook only once the user trusted it (`/hooks` in its TUI).
fn codex_trust(
    ctx: &Context,
    path: &std::path::Path,
    root: &serde_json::Value,
    command: &str,
) -> Finding {
    let config = ctx.codex_home.join("config.toml");
    let mut keys: Vec<String> = trust::codex_key(path, root).into_iter().collect();
    if let Ok(canon) = path.canonicalize()
        && let Some(k) = trust::codex_key(&canon, root)
        && !keys.contains(&k)
    {
        keys.push(k);
    }
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    let fix = Some(format!(
        "open Codex, type /hooks and trust `{command}` (Codex asks again whenever the entry changes); or start Codex as `policy-exec run codex`, which needs no hook"
    ));
    let shown = path.display();
    match trust::codex(&text, &keys) {
        Trusted::Yes => Finding {
            present: true,
            detail: format!(
                "`{command}` in `{shown}`, trusted in `{}`",
                config.display()
            ),
            fix: None,
            emulates: None,
        },
        Trusted::Bypassed => Finding {
            present: true,
            detail: format!(
                "`{command}` in `{shown}`; `bypass_hook_trust = true` in `{}` runs every hook unreviewed",
                config.display()
            ),
            fix: None,
            emulates: None,
        },
        Trusted::Disabled(key) => Finding {
            present: false,
            detail: format!(
                "`{command}` in `{shown}` is installed but disabled in `{}` (`[hooks.state.\"{key}\"]` has `enabled = false`): Codex skips it",
                config.display()
            ),
            fix,
            emulates: None,
        },
        Trusted::No(key) => Finding {
            present: false,
            detail: format!(
                "`{command}` in `{shown}` is installed but not trusted (no `trusted_hash` for `{key}` in `{}`): Codex skips untrusted hooks",
                config.display()
            ),
            fix,
            emulates: None,
        },
    }
}

/// The OpenCode hook: policy-exec's plugin in `~/.config/opencode/plugin/`, running a
/// policy-exec that exists. Present or not, OpenCode skips a plugin that fails to load
/// without a word, and `opencode run --pure` loads none: the detail says so.
pub(crate) fn opencode_plugin(ctx: &Context) -> Finding {
    const BYPASS: &str = "OpenCode skips a plugin that fails to load, and `opencode run --pure` loads none: shell mode is the recommended wiring";
    let path = ctx.home.join(apply::OPENCODE_PLUGIN_PATH);
    let shown = path.display().to_string();
    let missing = |detail: String| Finding {
        present: false,
        detail,
        fix: Some(ctx.sync_fix()),
        emulates: None,
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return missing(format!("`{shown}` does not exist: no policy-exec plugin"));
        }
        Err(e) => return missing(format!("cannot read `{shown}` ({e})")),
    };
    let Some(command) = apply::plugin_command(&text) else {
        return missing(format!(
            "`{shown}` is not policy-exec's plugin (or its COMMAND line is not a JSON array)"
        ));
    };
    let Some(program) = command.first().map(std::path::PathBuf::from) else {
        return missing(format!("`{shown}` names no program in its COMMAND line"));
    };
    let program = if program.is_absolute() {
        program
    } else {
        return missing(format!(
            "`{shown}` runs `{}` by name, found on OpenCode's PATH: pin it to an absolute path",
            program.display()
        ));
    };
    match resolve(&program, &ctx.exe) {
        Target::PolicyExec(_) => Finding {
            present: true,
            detail: format!("`{shown}` runs `{}` ({BYPASS})", command.join(" ")),
            fix: None,
            emulates: None,
        },
        Target::Other(c) => missing(format!(
            "`{shown}` runs `{}`, which is not policy-exec",
            c.display()
        )),
        Target::Broken(why) => missing(format!(
            "`{shown}` runs `{}`, which {why}",
            program.display()
        )),
    }
}
