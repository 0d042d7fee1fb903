//! Per-judgement policy lookup (per-project policy): which scope files apply to a command
//! judged in a directory, and the compiled policy for them, cached.
//!
//! The machine holds the system, user, harness and task-domain scopes in the installed
//! tree (`$XDG_CONFIG_HOME/policy-exec/policy-config/`, else
//! `/etc/policy-exec/policy-config/`); a repository holds its own repo scope
//! (`<top>/policy-config/repo.yaml`, else `<top>/policy-contract/policy-config/repo.yaml`,
//! the reference's layout), and the installed `repo.yaml` applies where the repository
//! has none. The harness comes from the hook subcommand, `POLICY_EXEC_HARNESS`, or the
//! environment the harness sets (`CLAUDECODE=1`), else `default`; the task domain and
//! task instance from `POLICY_EXEC_TASK_DOMAIN` / `POLICY_EXEC_TASK_INSTANCE`, else the
//! installed mode (`<root>/mode`, see [`crate::modes`]) or `default`, and none.
//!
//! What it reads: scope files (through [`crate::resolve`]), a few `stat`s per judgement,
//! and its cache (`$XDG_CACHE_HOME/policy-exec/`, see [`cache`]). What it writes: only
//! the cache, atomically. What it must never do: fall back to another policy when the
//! installed one cannot be read — every failure is an error the caller turns into a deny
//! naming the file — or let a repository's file loosen what the machine decided (a
//! repository scope that drops a machine `commands.deny` entry is refused; loosening
//! `enforcement` and `log` settings are ignored by [`crate::policy::bundle::build`]).

pub mod cache;

use std::path::{Path, PathBuf};

use crate::policy::bundle;
use crate::policy::engine::Needs;
use crate::policy::policy::Policy;
use crate::resolve::{self, ResolveRequest};

/// The process environment lookup reads, captured once (tests build it by hand).
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `POLICY_EXEC_HARNESS`.
    pub harness: Option<String>,
    /// `POLICY_EXEC_TASK_DOMAIN`.
    pub task_domain: Option<String>,
    /// `POLICY_EXEC_TASK_INSTANCE`.
    pub task_instance: Option<PathBuf>,
    /// The harness the environment says is running (`CLAUDECODE=1` → `claude`).
    pub detected_harness: Option<String>,
    /// `$XDG_CACHE_HOME` or `~/.cache`.
    pub cache_home: Option<PathBuf>,
}

impl Env {
    /// From this process's environment.
    pub fn from_process() -> Env {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|h| h.is_absolute());
        Env {
            harness: var("POLICY_EXEC_HARNESS"),
            task_domain: var("POLICY_EXEC_TASK_DOMAIN"),
            task_instance: var("POLICY_EXEC_TASK_INSTANCE").map(PathBuf::from),
            detected_harness: (var("CLAUDECODE").as_deref() == Some("1"))
                .then(|| "claude".to_string()),
            cache_home: std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .or_else(|| home.map(|h| h.join(".cache"))),
        }
    }
}

/// The scope files one judgement uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The installed root (holds `policy-config/`).
    pub root: PathBuf,
    /// The harness scope's name.
    pub harness: String,
    /// The task-domain scope's name.
    pub task_domain: String,
    /// The task-instance file, when one is set.
    pub task_instance: Option<PathBuf>,
    /// The repository's own repo scope, when the judged directory is in a repository
    /// that has one.
    pub repo_file: Option<PathBuf>,
}

/// The installed tree: the first of the candidate roots (`<config_home>/policy-exec`,
/// `<system_config>/policy-exec`) that holds a `policy-config` entry. An entry that
/// exists but cannot be read (a dangling link, a loop, no permission) is an error, never
/// a reason to look further.
pub fn installed_root(roots: &[PathBuf]) -> Result<Option<PathBuf>, String> {
    for root in roots {
        let tree = root.join("policy-config");
        // Followed first: an installed tree is one `stat` on every judgement. Only when
        // that fails does the entry itself say whether there is one (a dangling link, a
        // loop) or none.
        let error = match std::fs::metadata(&tree) {
            Ok(m) if m.is_dir() => return Ok(Some(root.clone())),
            Ok(_) => {
                return Err(format!(
                    "the installed policy tree `{}` is not a directory: reinstall it (`./install.sh`)",
                    tree.display()
                ));
            }
            Err(e) => e,
        };
        match std::fs::symlink_metadata(&tree) {
            Ok(_) => {
                return Err(format!(
                    "the installed policy tree `{}` cannot be read ({error}): fix it or reinstall it (`./install.sh`)",
                    tree.display()
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(format!(
                    "the installed policy tree `{}` cannot be read ({e}): fix its directory's permissions",
                    tree.display()
                ));
            }
        }
    }
    Ok(None)
}

/// The top of the repository containing `dir` (the nearest ancestor with a `.git`
/// entry) and its own repo scope file, if it has one.
pub fn repository_scope(dir: &Path) -> Option<PathBuf> {
    repository_scope_at(crate::log::record::repo_top(dir)?)
}

/// The repo scope file of the repository whose top is `top`, if it has one.
fn repository_scope_at(top: &Path) -> Option<PathBuf> {
    [
        top.join("policy-config"),
        top.join("policy-contract/policy-config"),
    ]
    .iter()
    // One `stat` of a directory most repositories do not have, instead of four of the
    // files it would hold: no file is found in a directory that cannot be reached.
    .filter(|config| config.is_dir())
    .find_map(|config| resolve::find_scope_file(config, "repo"))
}

/// Which scope files apply to a command judged in `cwd`.
pub fn select(root: &Path, cwd: &Path, harness_hint: Option<&str>, env: &Env) -> Selection {
    select_in(root, crate::log::record::repo_top(cwd), harness_hint, env)
}

/// [`select`], for a directory whose repository's top (if any) is `top`.
fn select_in(root: &Path, top: Option<&Path>, harness_hint: Option<&str>, env: &Env) -> Selection {
    let config = root.join("policy-config");
    let has_harness =
        |name: &str| resolve::find_scope_file(&config.join("harness"), name).is_some();
    // An operator's explicit choice is used as given (a missing file is an error later);
    // what the harness implies is used only when the tree has a file for it.
    let harness = env.harness.clone().unwrap_or_else(|| {
        harness_hint
            .map(str::to_string)
            .or_else(|| env.detected_harness.clone())
            .filter(|h| has_harness(h))
            .unwrap_or_else(|| "default".to_string())
    });
    Selection {
        root: root.to_path_buf(),
        harness,
        task_domain: env
            .task_domain
            .clone()
            .unwrap_or_else(|| "default".to_string()),
        task_instance: env.task_instance.clone(),
        repo_file: top.and_then(repository_scope_at),
    }
}

/// Resolves and compiles a selection (no cache): the slow path.
pub fn compile(selection: &Selection) -> Result<Compiled, String> {
    let request = ResolveRequest {
        root: selection.root.clone(),
        harness: selection.harness.clone(),
        task_domain: selection.task_domain.clone(),
        task_instance: selection.task_instance.clone(),
        system: None,
        user: None,
    };
    let resolved = resolve::resolve_strict(&request, selection.repo_file.as_deref())
        .map_err(|e| format!("the policy for this directory cannot be resolved: {e}"))?;
    // SECURITY: a repository's own file must not drop a machine deny by redeclaring
    // `commands.deny`/`commands.require` (the reference's merge replaces those lists).
    if let Some(repo) = &selection.repo_file {
        let dropped: Vec<String> = resolved
            .warnings
            .iter()
            .filter(|w| same_file(&w.dropped_by, repo))
            .map(|w| format!("`{}`", w.entry))
            .collect();
        if !dropped.is_empty() {
            return Err(format!(
                "the repository scope `{}` redeclares a commands list and would drop the machine's {}: a repository can only add rules; write them as `command_rules`",
                repo.display(),
                dropped.join(", ")
            ));
        }
    }
    let layers = crate::policy::load::layers(&resolved.scopes, &selection.root);
    let mut built = bundle::build(&resolved.policy, &layers, Some(&resolved.policy_hash))
        .map_err(|e| format!("the policy for this directory cannot be compiled: {e}"))?;
    // Refusals and explain name the file a human would edit: absolute, since the files
    // of one judgement come from two trees (the machine's and the repository's).
    let origins = built
        .commands
        .iter_mut()
        .filter_map(|r| r.origin.as_mut())
        .chain(
            built
                .path_rules
                .iter_mut()
                .filter_map(|r| r.origin.as_mut()),
        );
    for origin in origins {
        if !origin.path.is_empty() && Path::new(&origin.path).is_relative() {
            origin.path = selection.root.join(&origin.path).display().to_string();
        }
    }
    built.bundle_sha256 = Some(built.content_sha256());
    let scopes: Vec<(String, String)> = resolved
        .scopes
        .iter()
        .map(|(s, p)| (s.clone(), p.display().to_string()))
        .collect();
    let files: Vec<PathBuf> = resolved.scopes.iter().map(|(_, p)| p.clone()).collect();
    Ok(Compiled {
        bundle: built,
        scopes,
        files,
        rules: None,
    })
}

/// The rules of a cached selection, each as its JSON text, with an index by the program
/// a rule can match: a judgement parses and compiles only the rules for the programs
/// its script runs (with many rules, parsing and compiling every one was most of a
/// judgement's time), and the path rules only when a command names a file.
#[derive(Debug, Clone)]
pub struct RuleTexts {
    /// The cache file, open (a file renamed over it later does not change what is read);
    /// each rule is one line of it, as compact JSON.
    pub file: std::sync::Arc<std::fs::File>,
    /// The start of the file as read with the header: a line inside it is not read again.
    pub head: Vec<u8>,
    /// The path rules' line (a JSON list), as a byte range of `file`, and its checksum
    /// (`cache::sum64`).
    pub path_rules: (std::ops::Range<u64>, u64),
    /// Where the first rule line starts in `file`.
    pub first: u64,
    /// How many rule lines there are.
    pub count: usize,
    /// The header's list of where each rule line ends and its checksum, as a byte range
    /// of `head`: a line's entry is read when the line is (`cache::rule_line`).
    pub list: std::ops::Range<usize>,
    /// Rule positions by program ([`ProgramIndex`]'s text), as a byte range of `head`.
    pub index: std::ops::Range<usize>,
}

/// Rule positions by program name (`git`), or by program and subcommand (`git push`)
/// for token rules whose second token is a plain word, and those of rules that can
/// match any program, as the cache keeps them: one line of text,
/// `<key>=<i>.<i>…|<key>=…`, keys sorted and escaped (`%XX` for any byte but
/// letters, digits, space and `_-./+:@,`). A judgement looks up a few keys, so the
/// text is searched where it lies rather than turned into a map of strings first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramIndex(pub String);

impl ProgramIndex {
    /// The key of rules that can match any program (no program name escapes to it:
    /// `%` is always followed by two hex digits).
    pub const ANY: &'static str = "%";

    /// The key of rules with no program of their own that can match only a command
    /// reached through `frame` (a `via` refinement: `GIT_SSH_COMMAND=`). `%~` never
    /// starts an escaped program name.
    pub fn frame_key(frame: &str) -> String {
        format!("%~{}", escape_key(frame))
    }

    /// The key of rules with no program of their own that can match only a command whose
    /// program name starts with `prefix` (a glob such as `mkfs*`). `%*` never starts an
    /// escaped program name.
    pub fn prefix_key(prefix: &str) -> String {
        format!("%*{}", escape_key(prefix))
    }

    /// The index's text from positions by program key, by [`ProgramIndex::frame_key`] or
    /// [`ProgramIndex::prefix_key`] (`reach`, written as given), and those of rules that
    /// can match any program.
    pub fn text(
        built: &std::collections::BTreeMap<String, Vec<usize>>,
        reach: &std::collections::BTreeMap<String, Vec<usize>>,
        any: &[usize],
    ) -> String {
        let entry = |key: String, at: &[usize]| {
            let at: Vec<String> = at.iter().map(usize::to_string).collect();
            format!("{key}={}", at.join("."))
        };
        // Program keys sorted as escaped, so that a judgement finds a program's entries
        // by bisection ([`ProgramIndex::lookup`]).
        let mut programs: Vec<(String, &Vec<usize>)> = built
            .iter()
            .map(|(key, at)| (escape_key(key), at))
            .collect();
        programs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        std::iter::once(entry(Self::ANY.to_string(), any))
            .chain(reach.iter().map(|(key, at)| entry(key.clone(), at)))
            .chain(programs.into_iter().map(|(key, at)| entry(key, at)))
            .collect::<Vec<_>>()
            .join("|")
    }

    /// The positions of the rules that commands with these escaped keys (`git`, `git
    /// status`) can match, given the escaped frames they were reached through: those
    /// filed under `%` (any program), under a frame they were reached through, under a
    /// prefix of one of their programs, under each key's program and, for a key that is
    /// a program alone (its first argument not a plain word), under every subcommand of
    /// it (`git push`). Not in order, and possibly repeated.
    ///
    /// The entries of rules without a program of their own come first and are read one
    /// by one; then the program entries, sorted by key, are bisected for each program:
    /// a program's entries (`git`, then `git <sub>`) lie together, since a space sorts
    /// before every other byte of an escaped key. The whole index was walked on every
    /// judgement before (a tenth of a shell-mode judgement's instructions).
    pub fn lookup(&self, keys: &[String], frames: &[String]) -> Vec<usize> {
        Self::lookup_in(self.0.as_bytes(), keys, frames)
    }

    /// [`ProgramIndex::lookup`] in an index's text where it lies (in the cache file's
    /// first read: not copied out of it).
    pub fn lookup_in(text: &[u8], keys: &[String], frames: &[String]) -> Vec<usize> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some((key, at, next)) = entry_at(rest, 0) {
            let Some(special) = key.strip_prefix(b"%") else {
                break;
            };
            let wanted = if special.is_empty() {
                true
            } else if let Some(frame) = special.strip_prefix(b"~") {
                frames.iter().any(|f| f.as_bytes() == frame)
            } else if let Some(prefix) = special.strip_prefix(b"*") {
                // Escaping maps each byte on its own, so an escaped name starts with an
                // escaped prefix exactly when the name starts with the prefix.
                keys.iter()
                    .any(|k| program_part(k.as_bytes()).starts_with(prefix))
            } else {
                // An escaped program name (`%C3%A9`): the sorted entries start here.
                break;
            };
            if wanted {
                push_positions(&mut out, at);
            }
            rest = rest.get(next..).unwrap_or_default();
        }
        for key in keys {
            let key = key.as_bytes();
            let program = program_part(key);
            let whole_program = program.len() == key.len();
            let mut from = lower_bound(rest, program);
            while let Some((k, at, next)) = entry_at(rest, from) {
                let Some(tail) = k.strip_prefix(program) else {
                    break;
                };
                if !tail.is_empty() && !tail.starts_with(b" ") {
                    break;
                }
                if tail.is_empty() || whole_program || k == key {
                    push_positions(&mut out, at);
                }
                from = next;
            }
        }
        out
    }

    /// The positions filed under the escaped keys `accept` says yes to, walking every
    /// entry: what [`ProgramIndex::lookup`] is tested against.
    #[cfg(test)]
    fn positions(&self, accept: impl Fn(&[u8]) -> bool) -> Vec<usize> {
        let mut out = Vec::new();
        for entry in self.0.as_bytes().split(|b| *b == b'|') {
            let Some(eq) = entry.iter().position(|b| *b == b'=') else {
                continue;
            };
            let (Some(key), Some(at)) = (entry.get(..eq), entry.get(eq + 1..)) else {
                continue;
            };
            if accept(key) {
                out.extend(
                    at.split(|b| *b == b'.')
                        .filter_map(|i| std::str::from_utf8(i).ok()?.parse::<usize>().ok()),
                );
            }
        }
        out
    }
}

/// The program of an escaped key: up to its first space (`git` of `git push`).
fn program_part(key: &[u8]) -> &[u8] {
    let end = key.iter().position(|b| *b == b' ').unwrap_or(key.len());
    key.get(..end).unwrap_or(key)
}

/// The entry of an index text (`key=1.2|key=3`) that starts at `from`: its key, its
/// positions' text and where the next entry starts.
fn entry_at(text: &[u8], from: usize) -> Option<(&[u8], &[u8], usize)> {
    let entry = text.get(from..).filter(|e| !e.is_empty())?;
    let len = entry.iter().position(|b| *b == b'|').unwrap_or(entry.len());
    let entry = entry.get(..len)?;
    let eq = entry.iter().position(|b| *b == b'=').unwrap_or(len);
    Some((
        entry.get(..eq)?,
        entry.get(eq + 1..).unwrap_or_default(),
        from + len + 1,
    ))
}

/// The start of the first entry of `sorted` (entries `key=…` separated by `|`, in byte
/// order of their keys) whose key is not less than `target`; `sorted.len()` when none.
fn lower_bound(sorted: &[u8], target: &[u8]) -> usize {
    // Entries starting before `lo` have smaller keys, those starting at `hi` or after
    // do not; both are entry starts (or the end).
    let (mut lo, mut hi) = (0usize, sorted.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = sorted
            .get(lo..mid)
            .and_then(|s| s.iter().rposition(|b| *b == b'|'))
            .map_or(lo, |i| lo + i + 1);
        let Some((key, _, next)) = entry_at(sorted, start) else {
            return lo;
        };
        if key < target {
            lo = next.min(sorted.len());
        } else {
            hi = start;
        }
    }
    lo
}

/// Appends the positions of an entry (`1.2.3`).
fn push_positions(out: &mut Vec<usize>, at: &[u8]) {
    for digits in at.split(|b| *b == b'.') {
        if let Some(i) = std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse::<usize>().ok())
        {
            out.push(i);
        }
    }
}

/// A key as the index writes it.
fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b" _-./+:@,".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl RuleTexts {
    /// The texts of the rules at `wanted` (sorted, distinct), each checked against its
    /// checksum and handed to `each`: lines close together are read with one `pread`,
    /// lines in the first read not read again. `Err(DAMAGED)` when a line cannot be read
    /// or fails its checksum.
    fn texts(
        &self,
        wanted: &[usize],
        mut each: impl FnMut(&[u8]) -> Result<(), String>,
    ) -> Result<(), String> {
        /// Lines at most this far apart are read together.
        const GAP: u64 = 4096;
        let damaged = || DAMAGED.to_string();
        let list = self.head.get(self.list.clone()).ok_or_else(damaged)?;
        let line = |i: usize| cache::rule_line(list, self.first, i).ok_or_else(damaged);
        let mut rest = wanted;
        while let Some((&first, _)) = rest.split_first() {
            let start = line(first)?.0.start;
            // The run of wanted lines that starts here.
            let mut end = start;
            let mut run = 0;
            for &i in rest {
                let (span, _) = line(i)?;
                if span.start > end.saturating_add(GAP) {
                    break;
                }
                end = span.end.max(end);
                run += 1;
            }
            let buf = self.read(start..end)?;
            let (now, later) = rest.split_at(run);
            for &i in now {
                let (span, sum) = line(i)?;
                let (from, to) = (
                    span.start
                        .checked_sub(start)
                        .and_then(|n| usize::try_from(n).ok()),
                    span.end
                        .checked_sub(start)
                        .and_then(|n| usize::try_from(n).ok()),
                );
                let text = from
                    .zip(to)
                    .and_then(|(from, to)| buf.get(from..to))
                    .ok_or_else(damaged)?;
                if cache::sum64(text) != sum {
                    return Err(damaged());
                }
                each(text)?;
            }
            rest = later;
        }
        Ok(())
    }

    /// The path rules, checked against their line's checksum (`Err(DAMAGED)` when it
    /// fails or the line does not parse: it was written by this code).
    fn path_rules(&self) -> Result<Vec<bundle::BundlePathRule>, String> {
        let (span, sum) = &self.path_rules;
        let line = self.read(span.clone())?;
        if cache::sum64(&line) != *sum {
            return Err(DAMAGED.to_string());
        }
        serde_json::from_slice(&line).map_err(|_| DAMAGED.to_string())
    }

    /// The bytes at `span`: from the first read when it holds them, else read now.
    fn read(&self, span: std::ops::Range<u64>) -> Result<std::borrow::Cow<'_, [u8]>, String> {
        use std::os::unix::fs::FileExt;
        let damaged = || DAMAGED.to_string();
        let (start, end) = (
            usize::try_from(span.start).map_err(|_| damaged())?,
            usize::try_from(span.end).map_err(|_| damaged())?,
        );
        if let Some(held) = self.head.get(start..end) {
            return Ok(std::borrow::Cow::Borrowed(held));
        }
        let mut buf = vec![0u8; end.checked_sub(start).ok_or_else(damaged)?];
        self.file
            .read_exact_at(&mut buf, span.start)
            .map_err(|_| damaged())?;
        Ok(std::borrow::Cow::Owned(buf))
    }

    /// The rules the commands of `needs` can match, in one pass over the index: `git
    /// status` → the rules filed under `git` (no subcommand of their own) and under `git
    /// status`; `git` (its first argument not a plain word) → every rule of `git`; the
    /// rules of a program-name prefix its program starts with (`mkfs*` for
    /// `mkfs.ext4`); those of a frame a command was reached through; and those that
    /// can match any program.
    /// `Err(DAMAGED)` when the index is not where the header put it (SECURITY: an index
    /// that cannot be read must not read as one that files no rule).
    fn for_needs(&self, needs: &Needs) -> Result<Vec<usize>, String> {
        let keys: Vec<String> = needs.programs.iter().map(|k| escape_key(k)).collect();
        let frames: Vec<String> = needs.frames.iter().map(|f| escape_key(f)).collect();
        let index = self
            .head
            .get(self.index.clone())
            .ok_or_else(|| DAMAGED.to_string())?;
        Ok(ProgramIndex::lookup_in(index, &keys, &frames))
    }
}

/// A compiled selection: the bundle and where it came from.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The bundle (enforcement, log settings, ignored settings; and its rules, unless
    /// they are in `rules`).
    pub bundle: bundle::Bundle,
    /// (scope, path) in merge order.
    pub scopes: Vec<(String, String)>,
    /// Every file that contributed.
    pub files: Vec<PathBuf>,
    /// The rules as texts, when read from the cache.
    pub rules: Option<RuleTexts>,
}

impl Compiled {
    /// The policy to judge with: every rule, or (with `needs`) only the rules that can
    /// match a command of its programs, and the path rules only when it needs them.
    /// SECURITY: the engine asks a policy only for the rules of each command's program
    /// (and those that match any program), so a policy holding exactly those decides
    /// every command of those programs as the whole policy would; a script with a
    /// program not known before it runs gets every rule. Path rules: see
    /// [`crate::policy::engine::Analysed::needs`].
    pub fn into_policy(self, source: &str, needs: Option<&Needs>) -> Result<Policy, String> {
        let invalid = |e: String| format!("the installed policy has an invalid rule: {e}");
        let path_rules = needs.is_none_or(|n| n.path_rules);
        let mut bundle = self.bundle;
        if !path_rules {
            // Compiling them was a sixth of a judgement that names no file.
            bundle.path_rules = Vec::new();
        }
        let mut p = match &self.rules {
            None => {
                Policy::from_bundle_owned(bundle, source).map_err(|e| invalid(e.to_string()))?
            }
            Some(rules) => {
                let mut wanted: Vec<usize> = match needs {
                    None => (0..rules.count).collect(),
                    Some(needs) => rules.for_needs(needs)?,
                };
                wanted.sort_unstable();
                wanted.dedup();
                let mut subset = bundle;
                if path_rules {
                    // The cache keeps them on their own line (the header has none).
                    subset.path_rules = rules.path_rules()?;
                }
                subset.commands = Vec::with_capacity(wanted.len());
                rules.texts(&wanted, |text| {
                    subset
                        .commands
                        .push(serde_json::from_slice(text).map_err(|e| invalid(e.to_string()))?);
                    Ok(())
                })?;
                Policy::from_bundle_owned(subset, source).map_err(|e| invalid(e.to_string()))?
            }
        };
        p.scopes = self.scopes;
        Ok(p)
    }
}

/// The policy for a command judged in `cwd`, from the installed tree at `root`, through
/// the cache when it is fresh: every rule, or (with `needs`, from
/// [`crate::policy::engine::Analysed::needs`]) only what judging that script reads.
pub fn load_for(
    root: &Path,
    cwd: &Path,
    harness_hint: Option<&str>,
    env: &Env,
    needs: Option<&Needs>,
) -> Result<Policy, String> {
    let top = crate::log::record::repo_top(cwd);
    let mut selection = select_in(root, top, harness_hint, env);
    let looked_up_in = Some((cwd.to_path_buf(), top.map(Path::to_path_buf)));
    if env.task_domain.is_none() {
        // The installed mode (`policy-exec mode set`), unless the environment names one.
        selection.task_domain = crate::modes::installed(root)?;
    }
    let store = env
        .cache_home
        .as_ref()
        .map(|c| cache::Cache::at(c.join("policy-exec")));
    let source = |how: &str| {
        format!(
            "policy tree `{}` ({how}; harness {}, task-domain {}{})",
            root.display(),
            selection.harness,
            selection.task_domain,
            selection
                .repo_file
                .as_ref()
                .map(|r| format!(", repository scope `{}`", r.display()))
                .unwrap_or_default()
        )
    };
    let found = |mut p: Policy| {
        p.looked_up_in = looked_up_in.clone();
        p
    };
    if let Some(hit) = store.as_ref().and_then(|c| c.get(&selection)) {
        match hit.into_policy(&source("cached"), needs) {
            // A damaged rule line is a miss: rebuild it rather than deny.
            Err(e) if e == DAMAGED => {}
            other => return other.map(found),
        }
    }
    let before = cache::slots(&selection);
    let compiled = compile(&selection)?;
    if let Some(c) = &store {
        // A cache that cannot be written only costs the next judgement a rebuild.
        let _ = c.put(&selection, &compiled, &before);
    }
    compiled
        .into_policy(&source("compiled now"), needs)
        .map(found)
}

/// [`Compiled::into_policy`]'s error for a cached rule line that fails its checksum.
const DAMAGED: &str = "a rule line of the compiled-policy cache is damaged";

/// Whether two paths name the same file (canonically; as written when they cannot be
/// canonicalised).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The policy for a judgement in `cwd`: an explicit `--bundle`, `--manifest` or
/// `POLICY_EXEC_MANIFEST` first; else the installed tree, with the repository's own repo
/// scope (per-project policy, cached); else an installed manifest without a tree (an
/// older installation); else the embedded default. An installed tree that cannot be
/// read, resolved or compiled is a deny naming the file — never a fall back.
pub fn policy_for(
    locator: &crate::policy::load::Locator,
    cwd: &Path,
    harness_hint: Option<&str>,
    env: &Env,
) -> crate::policy::load::Loaded {
    policy_for_programs(locator, cwd, harness_hint, env, None)
}

/// [`policy_for`] for judging a script whose programs are known
/// ([`crate::policy::engine::Analysed::needs`]): from an installed tree, only their rules
/// (and the path rules when a command names a file) are read and compiled. Use the whole
/// policy (`needs: None`) for anything that lists or counts rules.
pub fn policy_for_programs(
    locator: &crate::policy::load::Locator,
    cwd: &Path,
    harness_hint: Option<&str>,
    env: &Env,
    needs: Option<&Needs>,
) -> crate::policy::load::Loaded {
    use crate::policy::Decision;
    use crate::policy::load::Loaded;
    if locator.bundle.is_some() || locator.manifest.is_some() || locator.env_manifest.is_some() {
        return locator.load();
    }
    if let Some(pinned) = &locator.installation {
        return pinned_policy(locator, pinned, cwd, harness_hint, env, needs);
    }
    let roots: Vec<PathBuf> = [&locator.config_home, &locator.system_config]
        .into_iter()
        .flatten()
        .map(|d| d.join("policy-exec"))
        .collect();
    match installed_root(&roots) {
        Err(message) => Loaded::Failed {
            decision: Decision::Deny,
            message,
        },
        Ok(Some(root)) => match load_for(&root, cwd, harness_hint, env, needs) {
            Ok(p) => Loaded::Ready(Box::new(p)),
            Err(message) => Loaded::Failed {
                decision: Decision::Deny,
                message,
            },
        },
        Ok(None) => locator.load(),
    }
}

/// The policy of a pinned installation (a hook entry written by `sync --apply --hooks`
/// names the installation it was written for): its tree, else its manifest. SECURITY: a
/// pinned installation that is gone is a deny saying so, not whatever the hook's
/// environment would otherwise find.
fn pinned_policy(
    locator: &crate::policy::load::Locator,
    pinned: &Path,
    cwd: &Path,
    harness_hint: Option<&str>,
    env: &Env,
    needs: Option<&Needs>,
) -> crate::policy::load::Loaded {
    use crate::policy::Decision;
    use crate::policy::load::{Loaded, MANIFEST_NAME};
    let fail = |message: String| Loaded::Failed {
        decision: Decision::Deny,
        message,
    };
    match installed_root(&[pinned.to_path_buf()]) {
        Err(message) => fail(message),
        Ok(Some(root)) => match load_for(&root, cwd, harness_hint, env, needs) {
            Ok(p) => Loaded::Ready(Box::new(p)),
            Err(message) => fail(message),
        },
        Ok(None) => {
            let manifest = pinned.join(MANIFEST_NAME);
            if std::fs::symlink_metadata(&manifest).is_ok() {
                let explicit = crate::policy::load::Locator {
                    manifest: Some(manifest),
                    ..locator.clone()
                };
                explicit.load()
            } else {
                fail(format!(
                    "the installation this hook was written for, `{}`, has no policy-config/ and no manifest: run `policy-exec sync --policy-json P --apply --hooks` again",
                    pinned.display()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ProgramIndex, escape_key};

    #[test]
    fn the_program_index_finds_keys_with_any_bytes() {
        let mut built = std::collections::BTreeMap::new();
        let keys = [
            "git",
            "git push",
            "git push-all",
            "gitk",
            "a=b",
            "x|y",
            "%",
            "100%",
            "é",
            "p q=r",
        ];
        for (i, k) in keys.iter().enumerate() {
            built.insert(k.to_string(), vec![i, i + 100]);
        }
        let mut reach = std::collections::BTreeMap::new();
        reach.insert(ProgramIndex::frame_key("GIT_SSH_COMMAND="), vec![8]);
        reach.insert(ProgramIndex::prefix_key("mkfs"), vec![9]);
        let index = ProgramIndex(ProgramIndex::text(&built, &reach, &[7]));
        for (i, k) in keys.iter().enumerate() {
            let key = escape_key(k);
            assert_eq!(
                index.positions(|e| e == key.as_bytes()),
                vec![i, i + 100],
                "{k}"
            );
        }
        assert_eq!(index.positions(|e| e == b"%"), vec![7]);
        assert_eq!(index.positions(|e| e == b"%~GIT_SSH_COMMAND%3D"), vec![8]);
        assert_eq!(index.positions(|e| e == b"%*mkfs"), vec![9]);
        // `git` alone reads every rule of git, subcommands included; `gitk` is not git.
        let git: Vec<usize> = index.positions(|e| e == b"git" || e.starts_with(b"git "));
        assert_eq!(git, vec![0, 100, 1, 101, 2, 102]);
    }

    /// The bisecting lookup finds exactly what a walk over every entry finds.
    #[test]
    fn the_lookup_finds_what_a_walk_over_the_whole_index_finds() {
        let names = [
            "git",
            "git push",
            "git push-all",
            "git  x",
            "gitk",
            "gi",
            "g",
            "git%",
            "a=b",
            "x|y",
            "%",
            "100%",
            "é",
            "éa",
            "p q=r",
            "p",
            "p q",
            "+",
            "-",
            "0",
            "zz",
            "mkfs",
            "mkfs.ext4",
            "git status",
            "kubectl",
            "kubectl delete",
        ];
        let mut built = std::collections::BTreeMap::new();
        for (i, k) in names.iter().enumerate() {
            built.insert(k.to_string(), vec![i]);
        }
        let mut reach = std::collections::BTreeMap::new();
        reach.insert(ProgramIndex::frame_key("GIT_SSH_COMMAND="), vec![900]);
        reach.insert(ProgramIndex::prefix_key("mkfs"), vec![901]);
        reach.insert(ProgramIndex::prefix_key("é"), vec![902]);
        for built in [built.clone(), std::collections::BTreeMap::new()] {
            let index = ProgramIndex(ProgramIndex::text(&built, &reach, &[7]));
            let mut queries: Vec<Vec<&str>> = names.iter().map(|n| vec![*n]).collect();
            queries.extend([
                vec![],
                vec!["git status", "ls"],
                vec!["true"],
                vec!["mkfs.xfs"],
                vec!["git", "p q"],
                vec!["éb", "zzz", "!"],
            ]);
            for frames in [vec![], vec!["GIT_SSH_COMMAND="], vec!["env"]] {
                for q in &queries {
                    let keys: Vec<String> = q.iter().map(|k| escape_key(k)).collect();
                    let escaped: Vec<String> = frames.iter().map(|f| escape_key(f)).collect();
                    let mut got = index.lookup(&keys, &escaped);
                    let mut want = index.positions(|k| {
                        if k == b"%" {
                            return true;
                        }
                        if let Some(f) = k.strip_prefix(b"%~") {
                            return escaped.iter().any(|e| e.as_bytes() == f);
                        }
                        if let Some(p) = k.strip_prefix(b"%*") {
                            return keys
                                .iter()
                                .any(|key| super::program_part(key.as_bytes()).starts_with(p));
                        }
                        keys.iter().any(|key| {
                            let program = super::program_part(key.as_bytes());
                            k == program
                                || k == key.as_bytes()
                                || (program.len() == key.len()
                                    && k.strip_prefix(program).is_some_and(|s| s.starts_with(b" ")))
                        })
                    });
                    got.sort_unstable();
                    got.dedup();
                    want.sort_unstable();
                    want.dedup();
                    assert_eq!(got, want, "{q:?} {frames:?}");
                }
            }
        }
    }
}
