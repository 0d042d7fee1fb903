//! `policy-exec export --markdown` (SPEC §14): the effective policy written where agents
//! read first (`AGENTS.md`, `CLAUDE.md`), between markers, keeping the user's text.
//!
//! ```text
//! <!-- policy-exec:begin policy_hash=… -->
//! … never run / needs a human / only when / defaults / asking for an exception …
//! <!-- policy-exec:end -->
//! ```
//!
//! Writing is idempotent (the same policy writes the same bytes) and `--check` exits 1
//! when the section is missing or stale, so CI or `doctor` can tell.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::git::Predicate;
use crate::policy::Decision;
use crate::policy::condition::{Condition, Mode};
use crate::policy::load::{Loaded, Locator};
use crate::policy::policy::Policy;
use crate::policy::rule::{Matcher, Rule};

/// The first line of our section (followed by ` policy_hash=… -->`).
pub const BEGIN: &str = "<!-- policy-exec:begin";
/// The last line of our section.
pub const END: &str = "<!-- policy-exec:end -->";

/// `policy-exec export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write the policy as Markdown (the only format).
    #[arg(long, required = true)]
    pub markdown: bool,
    /// The file to write the section into (default: AGENTS.md here). `-` prints it.
    #[arg(long, default_value = "AGENTS.md")]
    pub out: PathBuf,
    /// Do not write: exit 1 when the file's section is missing or stale, 0 when current.
    #[arg(long)]
    pub check: bool,
}

/// The policy's section, markers included, ending in a newline.
pub fn section(policy: &Policy) -> String {
    let hash = policy.policy_hash.as_deref().unwrap_or("unknown");
    let mut t = format!("{BEGIN} policy_hash={hash} -->\n");
    t.push_str("## Shell commands: what policy-exec allows\n\n");
    t.push_str(
        "Every shell command you run is judged by policy-exec before it runs. Other spellings, \
wrappers (`env`, `sudo`, `bash -c`) and scripts are judged the same way: when a command is \
refused, do not retry it or a rewording of it. `policy-exec explain '<command>'` shows why.\n",
    );
    let mut never = Vec::new();
    let mut human = Vec::new();
    let mut only_when = Vec::new();
    for rule in &policy.rules {
        let line = match (&rule.condition, rule.action) {
            (Some(c), Decision::Allow) if !c.is_trivial() => {
                only_when.push(conditional(rule, c));
                continue;
            }
            (Some(c), d) if !c.is_trivial() => format!(
                "- {} — {} when {}{}",
                shown(rule),
                decision_words(d),
                condition_words(c),
                because(rule)
            ),
            (_, Decision::Deny) => format!("- {}{}{}", shown(rule), because(rule), extras(rule)),
            (_, Decision::Request) => format!("- {}{}{}", shown(rule), because(rule), extras(rule)),
            (_, Decision::Allow) => continue,
        };
        let list = match rule.action {
            Decision::Deny => &mut never,
            _ => &mut human,
        };
        if !list.contains(&line) {
            list.push(line);
        }
    }
    for (title, lines) in [
        ("Never run", &never),
        ("Needs a human's approval", &human),
        ("Only when", &only_when),
    ] {
        if lines.is_empty() {
            continue;
        }
        t.push_str(&format!("\n### {title}\n\n"));
        for l in lines {
            t.push_str(l);
            t.push('\n');
        }
    }
    if !policy.path_rules.is_empty() {
        t.push_str("\n### Protected files\n\n");
        for r in &policy.path_rules {
            let what = match r.access {
                crate::paths::Access::Read => "reading",
                crate::paths::Access::Write => "writing (creating, changing, moving or deleting)",
                crate::paths::Access::Any => "reading or writing",
                crate::paths::Access::Name => "naming",
                crate::paths::Access::MayWrite => "possibly writing",
            };
            let paths: Vec<String> = r
                .patterns
                .iter()
                .map(|p| format!("`{}`", p.written))
                .collect();
            t.push_str(&format!(
                "- {what} {} — {}{}\n",
                paths.join(", "),
                decision_words(r.action),
                r.reason
                    .as_deref()
                    .map(|x| format!(": {}", x.trim_end_matches('.')))
                    .unwrap_or_default()
            ));
        }
    }
    t.push_str("\n### Defaults\n\n");
    t.push_str(&format!(
        "- A command no rule names: {}.\n- A command only known when it runs (a computed program name, `eval` of a variable, a download piped into a shell): {}.\n- A script that does not parse as bash is not run: fix its quoting.\n",
        default_words(policy.enforcement.unmatched),
        default_words(policy.enforcement.dynamic)
    ));
    t.push_str("\n### When you need something refused\n\n");
    if policy.enforcement.proposals {
        t.push_str(
            "Propose the narrowest exception: `policy-exec propose --denial <denial_id> --reason '<why>'`, \
tell the user, and run `policy-exec wait <proposal_id>`; only the user approves, in their own \
terminal. Retry the command once when `wait` exits 0. Never edit policy files, grants or the \
harness's permission files.\n",
        );
    } else {
        t.push_str(
            "Tell the user what you need and why; they can run it themselves or change the policy. \
Never edit policy files or the harness's permission files to get around a refusal.\n",
        );
    }
    t.push_str(END);
    t.push('\n');
    t
}

fn shown(rule: &Rule) -> String {
    let mut s = match &rule.matcher {
        Matcher::Prefix(w) => format!("`{} …`", w.join(" ")),
        Matcher::Exact(w) => format!("`{}`", w.join(" ")),
        _ => format!("`{}`", rule.pattern),
    };
    let r = &rule.refinements;
    if !r.programs.is_empty() && rule.matcher.program().is_none() {
        s = format!("`{}` ({})", r.programs.join("`, `"), rule.pattern);
    }
    if !r.flags.is_empty() {
        s.push_str(&format!(" with `{}`", r.flags.join("` or `")));
    }
    if !r.unless_flags.is_empty() {
        s.push_str(&format!(" (unless `{}`)", r.unless_flags.join("` or `")));
    }
    s
}

fn because(rule: &Rule) -> String {
    rule.reason
        .as_deref()
        .map(|r| format!(": {}", r.trim_end_matches('.')))
        .unwrap_or_default()
}

fn extras(rule: &Rule) -> String {
    let mut s = String::new();
    if let Some(e) = rule.examples_match.first() {
        s.push_str(&format!(" (e.g. `{e}`)"));
    }
    if let Some(a) = &rule.alternative {
        s.push_str(&format!(". Instead: {}", a.trim_end_matches('.')));
    }
    s
}

fn decision_words(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allowed",
        Decision::Request => "needs a human's approval",
        Decision::Deny => "never run",
    }
}

fn default_words(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allowed",
        Decision::Request => "a human must approve it",
        Decision::Deny => "refused",
    }
}

/// "`git checkout …` needs a clean worktree: commit or stash first (otherwise it needs a
/// human's approval)."
fn conditional(rule: &Rule, c: &Condition) -> String {
    let otherwise = match rule.on_mismatch {
        Some(Decision::Deny) => " (otherwise it is refused)",
        Some(Decision::Request) => " (otherwise it needs a human's approval)",
        _ => "",
    };
    format!(
        "- {} needs {}{otherwise}{}",
        shown(rule),
        condition_words(c),
        because(rule)
    )
}

fn predicate_words(p: Predicate) -> &'static str {
    match p {
        Predicate::CleanWorktree => "a clean worktree: commit or stash first",
        Predicate::SyncedToUpstream => "the branch in sync with its upstream: pull or push first",
        Predicate::IsWorktree => "a git work tree",
        Predicate::PathsInsideWorktree => {
            "every file it names inside the repository (nothing outside it)"
        }
    }
}

fn condition_words(c: &Condition) -> String {
    match c {
        Condition::Predicate { predicate, .. } => predicate_words(*predicate).to_string(),
        Condition::Group { mode, items, .. } => {
            // A clean worktree (or one in sync) is a work tree: say the stronger one.
            let implied = |c: &Condition| {
                *mode == Mode::All
                    && matches!(c, Condition::Predicate { predicate: Predicate::IsWorktree, .. })
                    && items.iter().any(|o| {
                        matches!(o, Condition::Predicate { predicate, .. } if *predicate != Predicate::IsWorktree)
                    })
            };
            let parts: Vec<String> = items
                .iter()
                .filter(|c| !implied(c))
                .map(condition_words)
                .collect();
            match (mode, parts.len()) {
                (_, 1) => parts.into_iter().next().unwrap_or_default(),
                (Mode::All, _) => parts.join(", and "),
                (Mode::Any, _) => format!("one of: {}", parts.join("; or ")),
            }
        }
        Condition::Unknown { name, .. } => format!("`{name}` (an unknown condition)"),
        Condition::Malformed { .. } => "a condition that cannot be read".into(),
    }
}

/// The file's text with our section in place of the old one (or appended), the user's
/// text around it kept byte for byte.
pub fn merged(existing: &str, section: &str) -> String {
    if let Some(start) = existing.find(BEGIN)
        && let Some(end_rel) = existing.get(start..).and_then(|rest| rest.find(END))
    {
        let end = start + end_rel + END.len();
        let after = existing.get(end..).unwrap_or("");
        let after = after.strip_prefix('\n').unwrap_or(after);
        return format!("{}{section}{after}", existing.get(..start).unwrap_or(""));
    }
    if existing.is_empty() {
        return section.to_string();
    }
    let sep = if existing.ends_with("\n\n") {
        ""
    } else if existing.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{existing}{sep}{section}")
}

/// Whether a file's section is the current one: `Some(true)` current, `Some(false)`
/// stale or missing, `None` when the file has no section at all.
pub fn is_current(path: &Path, policy: &Policy) -> Option<bool> {
    let text = std::fs::read_to_string(path).ok()?;
    if !text.contains(BEGIN) {
        return None;
    }
    Some(merged(&text, &section(policy)) == text)
}

/// Runs `export`.
pub fn run_export(
    a: &ExportArgs,
    locator: &Locator,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    // Not from the compiled cache: it leaves out the rules' examples, which the section
    // shows.
    let env = crate::lookup::Env {
        cache_home: None,
        ..crate::lookup::Env::from_process()
    };
    let policy = match crate::lookup::policy_for(locator, &here, None, &env) {
        Loaded::Ready(p) => p,
        Loaded::Failed { message, .. } => {
            let _ = writeln!(err, "policy-exec: {message}");
            return 2;
        }
    };
    let section = section(&policy);
    if a.out.as_os_str() == "-" {
        let _ = out.write_all(section.as_bytes());
        return 0;
    }
    let existing = match std::fs::read_to_string(&a.out) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            let _ = writeln!(err, "policy-exec: cannot read `{}` ({e})", a.out.display());
            return 2;
        }
    };
    let next = merged(&existing, &section);
    if a.check {
        if next == existing {
            let _ = writeln!(out, "{}: current", a.out.display());
            return 0;
        }
        let _ = writeln!(
            out,
            "{}: stale or missing: run `policy-exec export --markdown --out {}`",
            a.out.display(),
            a.out.display()
        );
        return 1;
    }
    if next == existing {
        let _ = writeln!(out, "{}: already current", a.out.display());
        return 0;
    }
    if let Err(e) = crate::render::write_text(&a.out, &next) {
        let _ = writeln!(err, "policy-exec: cannot write `{}` ({e})", a.out.display());
        return 2;
    }
    let _ = writeln!(
        out,
        "{}: written (policy_hash {})",
        a.out.display(),
        policy.policy_hash.as_deref().unwrap_or("unknown")
    );
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_the_users_text() {
        let s = format!("{BEGIN} policy_hash=1 -->\nA\n{END}\n");
        assert_eq!(merged("", &s), s);
        let once = merged("# Mine\n\ntext", &s);
        assert_eq!(once, format!("# Mine\n\ntext\n\n{s}"));
        assert_eq!(merged(&once, &s), once);
        let newer = format!("{BEGIN} policy_hash=2 -->\nB\n{END}\n");
        let around = format!("top\n{s}bottom\n");
        assert_eq!(merged(&around, &newer), format!("top\n{newer}bottom\n"));
    }
}
