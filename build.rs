//! Build script: records the commit and the build date for `policy-exec --version`.
//!
//! The commit comes from git at build time (`git rev-parse --short=12 HEAD`; uncommitted
//! changes are not flagged, since the script reruns only when HEAD moves); outside a git
//! checkout (a source tarball, `cargo install` from crates.io) it is `unknown`. The date is `SOURCE_DATE_EPOCH` when
//! set (reproducible builds), else the build's UTC day.

use std::process::Command;

/// The output of `git ARGS` in the crate's directory, trimmed, when git succeeds.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// `YYYY-MM-DD` of a Unix time (Howard Hinnant's civil-from-days).
fn civil_date(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0) + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=POLICY_EXEC_COMMIT={commit}");
    println!(
        "cargo:rustc-env=POLICY_EXEC_BUILD_DATE={}",
        civil_date(secs)
    );
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    // A new commit or checkout moves HEAD's reflog (per work tree, also in a linked one).
    for path in ["HEAD", "logs/HEAD"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p);
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
    // scripts/release-build.sh hands this list to the linker: a new list must relink.
    println!("cargo:rerun-if-changed=scripts/hot-symbols.txt");
    println!("cargo:rerun-if-changed=build.rs");
}
