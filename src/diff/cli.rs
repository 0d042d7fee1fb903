//! `policy-exec diff FROM TO [--replay-days N] [--json]`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{Report, Side};

/// `diff` arguments.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The policy before the change: a file written by `resolve --emit`, or a directory
    /// holding `policy-config/` (with --harness and --task-domain).
    pub from: PathBuf,
    /// The policy after the change (same forms).
    pub to: PathBuf,
    /// Harness scope for trees.
    #[arg(long, default_value = "default")]
    pub harness: String,
    /// Task-domain scope for trees.
    #[arg(long, default_value = "default")]
    pub task_domain: String,
    /// Task-domain of TO when it differs from --task-domain (a mode switch).
    #[arg(long)]
    pub to_task_domain: Option<String>,
    /// Replay the decision log's commands of the last N days through both policies
    /// (0: examples only).
    #[arg(long, default_value_t = 14)]
    pub replay_days: u32,
    /// The decision log to replay (default: the configured one).
    #[arg(long)]
    pub log_dir: Option<PathBuf>,
    /// Directory the replayed commands are judged in (default: the current directory).
    #[arg(long)]
    pub cwd: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Loads one side: an emitted file or a tree.
pub fn side(path: &Path, harness: &str, task_domain: &str) -> Result<Side, String> {
    if path.is_dir() {
        Side::from_tree(path, harness, task_domain)
    } else {
        Side::from_file(path)
    }
}

/// Runs `diff`: exit 0 nothing widens, 1 something widens, 2 an error.
pub fn run_diff(args: &DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let to_domain = args.to_task_domain.as_deref().unwrap_or(&args.task_domain);
    let (from, to) = match (
        side(&args.from, &args.harness, &args.task_domain),
        side(&args.to, &args.harness, to_domain),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            let _ = writeln!(err, "policy-exec: diff: {e}");
            return 2;
        }
    };
    let cwd = args
        .cwd
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"));
    let mut replays = super::examples(&from, &to);
    if args.replay_days > 0 {
        let store = match &args.log_dir {
            Some(d) => Some(crate::log::store::Store::at(d)),
            None => crate::log::store::Store::locate(&from.policy.log).ok(),
        };
        if let Some(store) = store {
            let since = crate::log::clock::Instant::now().minus(std::time::Duration::from_secs(
                u64::from(args.replay_days) * 86_400,
            ));
            replays.extend(super::logged(&store, since));
        }
    }
    let repo = crate::git::Git2RepoState::with_home(std::env::var_os("HOME").map(PathBuf::from));
    let report: Report = super::compare(&from, &to, &replays, &cwd, &repo);
    if args.json {
        let v = serde_json::json!({
            "from": from.label,
            "to": to.label,
            "widening": report.widening,
            "changes": report.changes,
            "replayed": report.replayed,
            "flips_toward_allow": report.widened,
            "flips_stricter": report.narrowed,
        });
        let _ = writeln!(out, "{v}");
    } else {
        let _ = write!(out, "{}", super::render(&report, &from.label, &to.label));
    }
    u8::from(report.widening)
}
