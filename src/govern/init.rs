//! `policy-exec init [DIR]`: scaffolds `DIR/policy-config/` with every required scope,
//! one harness file per supported harness and a `default` task domain, each commented
//! with an example of every rule feature. The tree resolves and validates as written.
//! `--packs all|a,b` adds `packs: [...]` to its system.yaml (names checked first).
//!
//! The files live in `src/govern/init/policy-config/` and are embedded, so the scaffold
//! is reviewed like code and a test proves it valid. It never overwrites an existing
//! `policy-config/` unless `--force`, and then only the files it writes.
//!
//! Exit codes: 0 written, 2 argument error (an unknown pack among them), 3 `policy-config/` already exists (pass
//! `--force`), 10 a file could not be written.

use std::io::Write;
use std::path::PathBuf;

use super::GovernError;
use super::snapshot::write_atomic;

/// Flags of `policy-exec init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// Directory to create policy-config/ in
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite the scaffold's files in an existing policy-config/
    #[arg(long)]
    pub force: bool,
    /// Enable rule packs in system.yaml: `all`, or names separated by commas
    /// (`policy-exec packs` lists them)
    #[arg(long, value_name = "all|NAME,…")]
    pub packs: Option<String>,
}

/// The scaffold: path under `policy-config/` and content.
pub const FILES: [(&str, &str); 10] = [
    (
        "system.yaml",
        include_str!("init/policy-config/system.yaml"),
    ),
    ("user.yaml", include_str!("init/policy-config/user.yaml")),
    ("repo.yaml", include_str!("init/policy-config/repo.yaml")),
    (
        "harness/default.yaml",
        include_str!("init/policy-config/harness/default.yaml"),
    ),
    (
        "harness/codex.yaml",
        include_str!("init/policy-config/harness/codex.yaml"),
    ),
    (
        "harness/claude.yaml",
        include_str!("init/policy-config/harness/claude.yaml"),
    ),
    (
        "harness/cursor.yaml",
        include_str!("init/policy-config/harness/cursor.yaml"),
    ),
    (
        "harness/factory-droid.yaml",
        include_str!("init/policy-config/harness/factory-droid.yaml"),
    ),
    (
        "task-domain/default.yaml",
        include_str!("init/policy-config/task-domain/default.yaml"),
    ),
    ("snapshots/.gitkeep", ""),
];

/// Runs `policy-exec init` and returns its exit code.
pub fn run_init(args: &InitArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let packs = match args.packs.as_deref().map(crate::packs::parse_selection) {
        None => Vec::new(),
        Some(Ok(packs)) => packs,
        Some(Err(e)) => {
            let _ = writeln!(err, "policy-exec: --packs: {e}");
            return 2;
        }
    };
    let config = args.dir.join("policy-config");
    if config.exists() && !args.force {
        let _ = writeln!(
            err,
            "policy-exec: `{}` already exists: edit it, remove it, or pass `--force` to overwrite the scaffold's files",
            config.display()
        );
        return 3;
    }
    match write_all(&config, &packs) {
        Ok(written) => {
            for path in &written {
                let _ = writeln!(out, "created {}", path.display());
            }
            let _ = writeln!(
                out,
                "next: policy-exec validate --root {} && policy-exec resolve --root {} --harness codex --task-domain default",
                args.dir.display(),
                args.dir.display()
            );
            0
        }
        Err(e) => {
            let _ = writeln!(err, "policy-exec: {e}");
            10
        }
    }
}

/// The scaffold's system.yaml with `packs: [...]` after its `scope` line.
pub fn system_with_packs(text: &str, packs: &[String]) -> String {
    if packs.is_empty() {
        return text.to_string();
    }
    let line = format!(
        "scope: system\n\n# Rule packs (`policy-exec packs` lists them). Lower scopes can add packs, never\n# remove one.\npacks: [{}]\n",
        packs.join(", ")
    );
    text.replacen("scope: system\n", &line, 1)
}

fn write_all(config: &std::path::Path, packs: &[String]) -> Result<Vec<PathBuf>, GovernError> {
    let mut written = Vec::with_capacity(FILES.len());
    for (relative, text) in FILES {
        let path = config.join(relative);
        let text = if relative == "system.yaml" {
            system_with_packs(text, packs)
        } else {
            text.to_string()
        };
        write_atomic(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}
