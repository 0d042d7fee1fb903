//! `policy-exec sync`: from a resolved policy to every harness's files.
//!
//! Reads the `--emit` file of `resolve` (`{policy, policy_hash, scopes}`), compiles it,
//! renders the six native permission files (Copilot CLI gets none, and the report says
//! why) plus the wrapper bundle and dispatch manifest, and reports per host what was
//! rendered exactly, tightened, partly held or dropped, and why. `--out-dir` writes the eight files; `--apply` merges into the live
//! files (see [`super::apply`]) and installs the bundle and manifest where shell mode
//! and `check` look for them. Without either, nothing is written: a preview.
//!
//! Exit codes follow the reference: 0 ok, 2 arguments or input, 3 the policy cannot be
//! rendered, 4 a file cannot be written (or a live file is malformed), 5 internal.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::apply::{self, FileChange, Planned, Targets};
use super::hosts::{self, Host, HostRender, Outcome};
use crate::policy::load::{BUNDLE_NAME, MANIFEST_NAME};
use crate::policy::policy::Policy;

/// Flags of `policy-exec sync`.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// The resolved policy: the `--emit` file of `policy-exec resolve`
    #[arg(long)]
    pub policy_json: PathBuf,
    /// Write the eight artifacts into this directory
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Merge into the live harness files and install the bundle and manifest
    #[arg(long)]
    pub apply: bool,
    /// Render conditional rules with the stricter of their outcomes
    #[arg(long)]
    pub include_conditional: bool,
    /// With --apply: also install `policy-exec hook <harness>` in each harness's hook file
    /// (and the OpenCode plugin that runs it)
    #[arg(long, requires = "apply")]
    pub hooks: bool,
    /// With --apply: create the exec-guard directory (an existing one is always refreshed)
    #[arg(long, requires = "apply")]
    pub guards: bool,
    /// With --apply: replace the installed policy even when this one drops rules it has
    /// (without it, such an apply is refused and the dropped rules are named)
    #[arg(long, requires = "apply")]
    pub replace: bool,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub targets: TargetArgs,
}

/// Where `--apply` writes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TargetArgs {
    /// Home directory whose harness files to update (default: $HOME)
    #[arg(long)]
    pub home: Option<PathBuf>,
    /// Codex rules file (default: ~/.codex/rules/policy-exec.rules)
    #[arg(long)]
    pub codex_rules: Option<PathBuf>,
    /// Claude Code settings (default: ~/.claude/settings.json)
    #[arg(long)]
    pub claude_settings: Option<PathBuf>,
    /// Cursor CLI config (default: ~/.cursor/cli-config.json)
    #[arg(long)]
    pub cursor_config: Option<PathBuf>,
    /// Factory Droid settings (default: ~/.factory/settings.json)
    #[arg(long)]
    pub droid_settings: Option<PathBuf>,
    /// Where to install the bundle and manifest (default: $XDG_CONFIG_HOME/policy-exec,
    /// or <home>/.config/policy-exec with --home)
    #[arg(long)]
    pub config_dir: Option<PathBuf>,
}

/// A failure of `sync`, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Bad arguments or input.
    #[error("{0}")]
    Input(String),
    /// The policy cannot be rendered.
    #[error("{0}")]
    Render(String),
    /// A file cannot be written.
    #[error("{0}")]
    Write(String),
}

impl SyncError {
    /// The reference's exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            SyncError::Input(_) => 2,
            SyncError::Render(_) => 3,
            SyncError::Write(_) => 4,
        }
    }
}

/// A resolved policy to sync.
#[derive(Debug, Clone)]
pub struct Source {
    /// The merged policy.
    pub policy: Value,
    /// Its hash.
    pub policy_hash: String,
    /// `(scope, path)` of each file merged.
    pub scopes: Vec<(String, PathBuf)>,
    /// The directory origins are shown relative to.
    pub root: PathBuf,
}

impl Source {
    /// Reads a `resolve --emit` file, checking that its hash still matches its policy.
    pub fn from_emit_file(path: &Path) -> Result<Source, SyncError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            SyncError::Input(format!(
                "cannot read `{}` ({e}): write it with `policy-exec resolve --emit FILE`",
                path.display()
            ))
        })?;
        let v: Value = serde_json::from_str(&text).map_err(|e| {
            SyncError::Input(format!(
                "`{}` is not valid JSON ({e}): write it with `policy-exec resolve --emit FILE`",
                path.display()
            ))
        })?;
        // `resolve --emit` writes {policy, policy_hash, scopes}; its stdout nests that
        // under "policy" once more. Accept both.
        let v = match v.get("policy") {
            Some(inner) if inner.get("policy_hash").is_some() => inner.clone(),
            _ => v,
        };
        let (Some(policy), Some(hash)) = (
            v.get("policy"),
            v.get("policy_hash").and_then(Value::as_str),
        ) else {
            return Err(SyncError::Input(format!(
                "`{}` has no `policy` and `policy_hash`: write it with `policy-exec resolve --emit FILE`",
                path.display()
            )));
        };
        let actual = crate::resolve::policy_hash(policy);
        if actual != hash {
            return Err(SyncError::Input(format!(
                "`{}` says policy_hash {hash} but its policy hashes to {actual}: it was edited after `resolve`; resolve again",
                path.display()
            )));
        }
        let scopes: Vec<(String, PathBuf)> = v
            .get("scopes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|pair| {
                        let s = pair.get(0)?.as_str()?;
                        let p = pair.get(1)?.as_str()?;
                        Some((s.to_string(), PathBuf::from(p)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let root = scopes
            .first()
            .and_then(|(_, p)| {
                p.ancestors()
                    .find(|a| a.file_name().is_some_and(|n| n == "policy-config"))
                    .and_then(Path::parent)
                    .map(Path::to_path_buf)
            })
            .unwrap_or_else(|| PathBuf::from("/"));
        Ok(Source {
            policy: policy.clone(),
            policy_hash: hash.to_string(),
            scopes,
            root,
        })
    }
}

/// What to do with the rendered files.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Write the eight artifacts here.
    pub out_dir: Option<PathBuf>,
    /// Merge into live files (and install bundle and manifest in the given directory).
    pub apply: Option<(Targets, PathBuf)>,
    /// Render conditional rules.
    pub include_conditional: bool,
    /// Install hook entries (with `apply`), running this binary.
    pub hooks: Option<(Vec<apply::HookTarget>, PathBuf)>,
    /// Install the OpenCode plugin (with `apply`), running this binary.
    pub opencode_plugin: Option<PathBuf>,
    /// The exec-guard directory to refresh (with `apply`), whether to create it, and the
    /// binary its links lead to.
    pub guards: Option<(PathBuf, bool, PathBuf)>,
    /// Replace an installed policy even when this one drops some of its rules.
    pub replace: bool,
}

/// Everything `sync` did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The policy's hash.
    pub policy_hash: String,
    /// Number of rules.
    pub rules: usize,
    /// Conditional rules rendered?
    pub include_conditional: bool,
    /// Each host's rendering.
    pub hosts: Vec<HostRender>,
    /// Files written to `--out-dir`.
    pub written: Vec<PathBuf>,
    /// Live files changed by `--apply`.
    pub applied: Vec<FileChange>,
    /// The exec guards refreshed by `--apply`.
    pub guards: Option<GuardChange>,
    /// The agents' skill file: `installed <path>` or `removed <path>` (proposals on/off).
    pub skill: Option<String>,
}

/// What happened to the exec-guard directory.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GuardChange {
    /// The directory.
    pub dir: PathBuf,
    /// Every program now guarded.
    pub programs: Vec<String>,
    /// Links added or repointed.
    pub added: Vec<String>,
    /// Links of ours removed (the policy no longer guards them).
    pub removed: Vec<String>,
}

/// Makes `dir` hold exactly one link to `exe` per program (links of ours only; anything
/// else there is left alone). Each link is created under a temporary name and renamed,
/// so a guard is never missing while it is replaced.
pub fn refresh_guards(
    dir: &Path,
    programs: &[String],
    exe: &Path,
) -> Result<GuardChange, SyncError> {
    let werr = |p: &Path, e: std::io::Error| {
        SyncError::Write(format!(
            "cannot update the exec guard `{}` ({e})",
            p.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(|e| werr(dir, e))?;
    let ours = |p: &Path| {
        std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
            && std::fs::read_link(p).is_ok_and(|t| {
                t.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("policy-exec"))
                    || t.canonicalize().ok().as_deref() == Some(exe)
            })
    };
    let mut change = GuardChange {
        dir: dir.to_path_buf(),
        programs: programs.to_vec(),
        added: Vec::new(),
        removed: Vec::new(),
    };
    for entry in std::fs::read_dir(dir).map_err(|e| werr(dir, e))? {
        let path = entry.map_err(|e| werr(dir, e))?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if ours(&path) && !programs.contains(&name) {
            std::fs::remove_file(&path).map_err(|e| werr(&path, e))?;
            change.removed.push(name);
        }
    }
    for program in programs {
        let link = dir.join(program);
        if std::fs::read_link(&link).ok().as_deref() == Some(exe) {
            continue;
        }
        if link.exists() && !ours(&link) {
            return Err(SyncError::Write(format!(
                "`{}` is not a policy-exec guard: move it away so `{program}` can be guarded",
                link.display()
            )));
        }
        let tmp = dir.join(format!(".{program}.policy-exec-new"));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(exe, &tmp).map_err(|e| werr(&tmp, e))?;
        std::fs::rename(&tmp, &link).map_err(|e| werr(&link, e))?;
        change.added.push(program.clone());
    }
    Ok(change)
}

/// Resolves `--apply` targets from flags and the environment.
pub fn targets_from(args: &TargetArgs) -> Result<(Targets, PathBuf), SyncError> {
    let env_home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute());
    let home = match (&args.home, env_home) {
        (Some(h), _) => h.clone(),
        (None, Some(h)) => h,
        (None, None) => {
            return Err(SyncError::Input(
                "no home directory: pass --home or set HOME".into(),
            ));
        }
    };
    let mut targets = Targets::under_home(&home);
    for (host, path) in [
        (Host::Codex, &args.codex_rules),
        (Host::Claude, &args.claude_settings),
        (Host::Cursor, &args.cursor_config),
        (Host::FactoryDroid, &args.droid_settings),
    ] {
        if let Some(p) = path {
            targets.files.insert(host, p.clone());
        }
    }
    let config_dir = match (&args.config_dir, &args.home) {
        (Some(d), _) => d.clone(),
        (None, Some(h)) => h.join(".config/policy-exec"),
        (None, None) => std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| home.join(".config"))
            .join("policy-exec"),
    };
    Ok((targets, config_dir))
}

/// A whole file we own (bundle, manifest, artifacts), planned like a live file.
fn whole_file(label: &str, path: PathBuf, text: String) -> Planned {
    let existing = std::fs::read_to_string(&path).ok();
    Planned {
        host: label.to_string(),
        exists: existing.is_some(),
        text: (existing.as_deref() != Some(text.as_str())).then_some(text),
        path,
        added: 0,
        removed: 0,
        markers_removed: 0,
        original: existing,
    }
}

/// SECURITY: `sync --apply` installs the machine's bundle. A policy that lacks rules the
/// installed one has (a project's policy applied by mistake, a trimmed copy) would
/// silently drop them for every repository: refuse and name them, unless `--replace`.
fn refuse_narrowing(
    installed: &Path,
    new: &crate::policy::bundle::Bundle,
) -> Result<(), SyncError> {
    let Ok(text) = std::fs::read_to_string(installed) else {
        return Ok(());
    };
    let Ok(old) = serde_json::from_str::<crate::policy::bundle::Bundle>(&text) else {
        return Ok(());
    };
    let kept: std::collections::HashSet<&str> =
        new.commands.iter().map(|r| r.id.as_str()).collect();
    let dropped: Vec<String> = old
        .commands
        .iter()
        .filter(|r| !kept.contains(r.id.as_str()))
        .map(|r| {
            let from = r
                .origin
                .as_ref()
                .map(|o| format!(" from {}", o.path))
                .unwrap_or_default();
            format!("`{}` ({} `{}`{from})", r.id, r.action, r.pattern)
        })
        .collect();
    if dropped.is_empty() {
        return Ok(());
    }
    Err(SyncError::Input(format!(
        "the installed policy `{}` has {} rule(s) this one drops: {}; project rules belong in the repository's own `policy-config/repo.yaml` (the machine policy keeps applying there); pass --replace to replace the machine policy anyway",
        installed.display(),
        dropped.len(),
        dropped.join(", ")
    )))
}

/// Renders, writes and applies.
pub fn sync(source: &Source, req: &Request) -> Result<Report, SyncError> {
    let bundle = super::bundle_from(
        &source.policy,
        &source.policy_hash,
        &source.scopes,
        &source.root,
    )
    .map_err(|e| SyncError::Render(e.to_string()))?;
    let policy = Policy::from_bundle(&bundle, "resolved policy")
        .map_err(|e| SyncError::Render(e.to_string()))?;
    let renders = hosts::render_all(&policy, req.include_conditional);
    let mut report = Report {
        policy_hash: source.policy_hash.clone(),
        rules: policy.rules.len(),
        include_conditional: req.include_conditional,
        hosts: renders.clone(),
        written: Vec::new(),
        applied: Vec::new(),
        guards: None,
        skill: None,
    };
    let write_err = |e: apply::ApplyError| match e {
        apply::ApplyError::Malformed { .. } => SyncError::Write(e.to_string()),
        apply::ApplyError::Write { .. } | apply::ApplyError::Changed { .. } => {
            SyncError::Write(e.to_string())
        }
    };
    if let Some(dir) = &req.out_dir {
        let dir = super::absolute_dir(dir).map_err(|e| SyncError::Write(e.to_string()))?;
        let (bundle_text, manifest_text) = super::wrapper_texts(&bundle, &dir);
        let mut files: Vec<Planned> = renders
            .iter()
            .map(|r| whole_file(r.host.name(), dir.join(r.host.file_name()), r.text.clone()))
            .collect();
        files.push(whole_file(
            "policy-exec",
            dir.join(BUNDLE_NAME),
            bundle_text,
        ));
        files.push(whole_file(
            "policy-exec",
            dir.join(MANIFEST_NAME),
            manifest_text,
        ));
        report.written = files.iter().map(|f| f.path.clone()).collect();
        for f in files.iter().filter(|f| f.text.is_some()) {
            if let Some(t) = &f.text {
                super::write_text(&f.path, t).map_err(|e| SyncError::Write(e.to_string()))?;
            }
        }
    }
    if let Some((targets, config_dir)) = &req.apply {
        let (mut planned, before, after) = apply::plan(&renders, targets).map_err(write_err)?;
        let config_abs = if config_dir.is_absolute() {
            config_dir.clone()
        } else {
            std::env::current_dir()
                .map_err(|e| SyncError::Write(format!("cannot read the current directory ({e})")))?
                .join(config_dir)
        };
        if let Some((hook_targets, exe)) = &req.hooks {
            apply::plan_hooks(hook_targets, exe, Some(&config_abs), &mut planned)
                .map_err(write_err)?;
        }
        if let Some(exe) = &req.opencode_plugin {
            apply::plan_opencode_plugin(&targets.home, exe, Some(&config_abs), &mut planned)
                .map_err(write_err)?;
        }
        if !req.replace {
            refuse_narrowing(&config_abs.join(BUNDLE_NAME), &bundle)?;
        }
        // The agents' guide to proposals, where Claude Code reads skills: only while
        // proposals are enabled (SPEC §11).
        let skill = targets.home.join(SKILL_PATH);
        if policy.enforcement.proposals {
            planned.push(whole_file(
                "policy-exec",
                skill.clone(),
                crate::grants::SKILL.to_string(),
            ));
            report.skill = Some(format!("installed {}", skill.display()));
        } else if std::fs::read_to_string(&skill).is_ok_and(|t| t == crate::grants::SKILL) {
            std::fs::remove_file(&skill).map_err(|e| {
                SyncError::Write(format!("cannot remove `{}` ({e})", skill.display()))
            })?;
            if let Some(dir) = skill.parent() {
                let _ = std::fs::remove_dir(dir);
            }
            report.skill = Some(format!(
                "removed {} (proposals are disabled)",
                skill.display()
            ));
        }
        let (bundle_text, manifest_text) = super::wrapper_texts(&bundle, &config_abs);
        planned.push(whole_file(
            "policy-exec",
            config_abs.join(BUNDLE_NAME),
            bundle_text,
        ));
        planned.push(whole_file(
            "policy-exec",
            config_abs.join(MANIFEST_NAME),
            manifest_text,
        ));
        report.applied = apply::write(
            &planned,
            &before,
            &after,
            &targets.ledger,
            &source.policy_hash,
        )
        .map_err(write_err)?;
        if let Some((dir, create, exe)) = &req.guards
            && (*create || dir.is_dir())
        {
            report.guards = Some(refresh_guards(dir, &policy.guarded_programs(), exe)?);
        }
    }
    Ok(report)
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Exact => "exact",
        Outcome::Tightened => "tightened",
        Outcome::Partial => "partial",
        Outcome::Dropped => "dropped",
    }
}

/// The report as JSON.
pub fn report_json(r: &Report) -> Value {
    let hosts: Vec<Value> = r
        .hosts
        .iter()
        .map(|h| {
            let [exact, tightened, partial, dropped] = h.counts();
            json!({
                "host": h.host.name(),
                "tested_with": h.host.tested_with(),
                "limits": h.host.limits(),
                "file": h.host.file_name(),
                "counts": {"exact": exact, "tightened": tightened, "partial": partial, "dropped": dropped},
                "rules": h.rules,
            })
        })
        .collect();
    json!({
        "code": "ok",
        "policy_hash": r.policy_hash,
        "rules": r.rules,
        "include_conditional": r.include_conditional,
        "preview": r.written.is_empty() && r.applied.is_empty(),
        "hosts": hosts,
        "not_rendered": [{"host": "copilot", "why": hosts::COPILOT_NO_FILE}],
        "written": r.written,
        "applied": r.applied,
        "guards": r.guards,
        "skill": r.skill,
    })
}

/// The report as text.
pub fn report_text(r: &Report) -> String {
    let mut t = format!(
        "policy_hash {} · {} rules{}\n",
        r.policy_hash,
        r.rules,
        if r.include_conditional {
            " · conditional rules rendered with the stricter of their outcomes"
        } else {
            " · conditional rules not rendered (--include-conditional renders them)"
        }
    );
    for h in &r.hosts {
        let [exact, tightened, partial, dropped] = h.counts();
        t.push_str(&format!(
            "\n{} ({}): {exact} exact, {tightened} tightened, {partial} partial, {dropped} dropped\n",
            h.host.name(),
            h.host.tested_with()
        ));
        t.push_str(&format!("  (every entry: {})\n", h.host.limits()));
        for rule in h.rules.iter().filter(|x| x.outcome != Outcome::Exact) {
            let action = match rule.host_action {
                Some(a) if a != rule.action => format!("{} → {a}", rule.action),
                _ => rule.action.to_string(),
            };
            t.push_str(&format!(
                "  {:<9} {} ({}) {action}: {}\n",
                outcome_word(rule.outcome),
                rule.id,
                rule.origin,
                rule.why.join("; ")
            ));
        }
    }
    t.push_str(&format!(
        "\ncopilot: no native file: {}\n",
        hosts::COPILOT_NO_FILE
    ));
    if r.written.is_empty() && r.applied.is_empty() {
        t.push_str(
            "\npreview only: pass --out-dir DIR to write the files, --apply to install them\n",
        );
    }
    if !r.written.is_empty() {
        t.push_str("\nwritten:\n");
        for w in &r.written {
            t.push_str(&format!("  {}\n", w.display()));
        }
    }
    if !r.applied.is_empty() {
        t.push_str("\napplied:\n");
        for c in &r.applied {
            let mut line = format!("  {:<9} {} ({})", c.status, c.path.display(), c.host);
            if c.added + c.removed > 0 {
                line.push_str(&format!(" +{} −{}", c.added, c.removed));
            }
            if c.markers_removed > 0 {
                line.push_str(&format!(
                    ", {} reference markers removed",
                    c.markers_removed
                ));
            }
            if let Some(b) = &c.backup {
                line.push_str(&format!(", backup {}", b.display()));
            }
            t.push_str(&line);
            t.push('\n');
        }
    }
    if let Some(skill) = &r.skill {
        t.push_str(&format!("\nagents' skill file: {skill}\n"));
    }
    if let Some(g) = &r.guards {
        t.push_str(&format!(
            "\nexec guards in {}: {} (added {}, removed {})\n",
            g.dir.display(),
            if g.programs.is_empty() {
                "none".to_string()
            } else {
                g.programs.join(" ")
            },
            g.added.len(),
            g.removed.len()
        ));
    }
    t
}

/// Where the agents' skill file goes, under the home directory (Claude Code's skills).
pub const SKILL_PATH: &str = ".claude/skills/policy-exec/SKILL.md";

/// Runs `policy-exec sync` and returns its exit code.
pub fn run_sync(args: &SyncArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = (|| {
        let source = Source::from_emit_file(&args.policy_json)?;
        let apply = if args.apply {
            Some(targets_from(&args.targets)?)
        } else {
            None
        };
        let exe = || {
            std::env::current_exe()
                .and_then(|p| p.canonicalize())
                .map_err(|e| SyncError::Input(format!("cannot locate this binary ({e})")))
        };
        let guards = match &apply {
            Some((targets, _)) => {
                let data = match &args.targets.home {
                    Some(h) => h.join(".local/share"),
                    None => std::env::var_os("XDG_DATA_HOME")
                        .map(PathBuf::from)
                        .filter(|p| p.is_absolute())
                        .unwrap_or_else(|| targets.home.join(".local/share")),
                };
                Some((data.join("policy-exec/guards"), args.guards, exe()?))
            }
            None => None,
        };
        let hooks = match (&apply, args.hooks) {
            (Some((targets, _)), true) => {
                let home = targets.home.clone();
                Some((apply::hook_targets(&home), exe()?))
            }
            _ => None,
        };
        let opencode_plugin = hooks.as_ref().map(|(_, exe)| exe.clone());
        sync(
            &source,
            &Request {
                out_dir: args.out_dir.clone(),
                apply,
                include_conditional: args.include_conditional,
                hooks,
                opencode_plugin,
                guards,
                replace: args.replace,
            },
        )
    })();
    finish(result, args.json, out, err)
}

/// Prints a sync result and returns the exit code.
pub fn finish(
    result: Result<Report, SyncError>,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    match result {
        Ok(report) => {
            let text = if json {
                format!("{:#}\n", report_json(&report))
            } else {
                report_text(&report)
            };
            let _ = out.write_all(text.as_bytes());
            0
        }
        Err(e) => {
            if json {
                let code = match e {
                    SyncError::Input(_) => "arg",
                    SyncError::Render(_) => "render",
                    SyncError::Write(_) => "write",
                };
                let _ = writeln!(out, "{:#}", json!({"code": code, "message": e.to_string()}));
            }
            let _ = writeln!(err, "policy-exec: {e}");
            e.exit_code()
        }
    }
}
