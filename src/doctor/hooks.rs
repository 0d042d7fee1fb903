//! Hooks: is our `policy-exec hook <harness>` entry in the harness's hook file, and does
//! the program it names still exist and run?
//!
//! The entry's shape is `render::apply`'s (the code that writes it also finds it), so a
//! hook `sync --apply --hooks` wrote is always recognised, whichever policy-exec binary
//! it points at.

use super::shell::{Target, resolve};
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
