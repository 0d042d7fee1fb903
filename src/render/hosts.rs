//! Native permission files for six harnesses, rendered from the compiled policy.
//!
//! Each harness can hold only part of what a policy says (see `HOSTS.md`): Codex matches
//! argv prefixes token by token, Claude matches `Bash(prefix:*)` or an exact command,
//! Cursor matches the first token only and has no ask list, Droid keeps plain command
//! strings, Gemini CLI matches a command prefix as written (followed by a space or the
//! end) with priorities, OpenCode matches globs and the last matching key wins. Copilot
//! CLI has no user-level file that can hold a partial policy ([`COPILOT_NO_FILE`]). A rule is therefore first reduced to a host-neutral [`Shape`] — literal
//! leading tokens, whether the argv must end there, option spellings that may follow —
//! together with how that shape relates to what the rule really matches (equal, a
//! superset, a subset). Each host then renders what it can.
//!
//! SECURITY: a renderer never widens. An allow entry is written only when the host form
//! matches no more than the rule does, and only when every rule that could deny or ask
//! for an overlapping command is held at least as strictly on that host (otherwise the
//! native allow would let such a command through without asking). A deny or ask entry
//! may be broader than its rule (tightened) or cover only part of it (partial: the host
//! still never allows more than before, and policy-exec enforces the rest). Everything
//! else is dropped, and every rule's fate is reported with the reason.
//!
//! Host versions these renderers were checked against are in [`Host::tested_with`].

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use crate::policy::Decision;
use crate::policy::policy::Policy;
use crate::policy::rule::{Matcher, Rule};

/// A harness with a native permission file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Host {
    /// Codex CLI: Starlark `prefix_rule`s.
    Codex,
    /// Claude Code: `permissions.allow/ask/deny` in settings.json.
    Claude,
    /// Cursor CLI: `permissions.allow/deny` in cli-config.json.
    Cursor,
    /// Factory Droid: command lists in settings.json.
    FactoryDroid,
    /// Gemini CLI: a policy TOML file of ours in `~/.gemini/policies/`.
    Gemini,
    /// OpenCode: the `permission.bash` map in opencode.json.
    OpenCode,
}

/// Why `sync` writes nothing for GitHub Copilot CLI (1.0.102), reported instead.
pub const COPILOT_NO_FILE: &str = "Copilot CLI has no user-level file that can hold a partial policy: its deny rules are command-line flags (--deny-tool), ~/.copilot/permissions-config.json holds allows only, and a rule in the root-only /etc/github-copilot/managed-settings.json makes every command no rule matches need approval (which changes more than the policy says); put policy-exec in front as its shell (COPILOT_BASH_PATH) or its preToolUse hook";

impl Host {
    /// Every host, in report order.
    pub const ALL: [Host; 6] = [
        Host::Codex,
        Host::Claude,
        Host::Cursor,
        Host::FactoryDroid,
        Host::Gemini,
        Host::OpenCode,
    ];

    /// The host's name in reports and flags.
    pub fn name(self) -> &'static str {
        match self {
            Host::Codex => "codex",
            Host::Claude => "claude",
            Host::Cursor => "cursor",
            Host::FactoryDroid => "factory-droid",
            Host::Gemini => "gemini",
            Host::OpenCode => "opencode",
        }
    }

    /// The live file is ours whole (and names its policy_hash in its first line),
    /// rather than a settings file we merge entries into.
    pub fn whole_file(self) -> bool {
        matches!(self, Host::Codex | Host::Gemini)
    }

    /// The artifact's file name in `--out-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Host::Codex => "codex.rules",
            Host::Claude => "claude.settings.json",
            Host::Cursor => "cursor.cli-config.json",
            Host::FactoryDroid => "factory-droid.settings.json",
            Host::Gemini => "gemini.policy.toml",
            Host::OpenCode => "opencode.json",
        }
    }

    /// The live file `--apply` merges into, relative to the home directory.
    pub fn live_path(self) -> &'static str {
        match self {
            Host::Codex => ".codex/rules/policy-exec.rules",
            Host::Claude => ".claude/settings.json",
            Host::Cursor => ".cursor/cli-config.json",
            Host::FactoryDroid => ".factory/settings.json",
            Host::Gemini => ".gemini/policies/policy-exec.toml",
            Host::OpenCode => ".config/opencode/opencode.json",
        }
    }

    /// What every entry on this host misses, whatever the rule: the host matches the
    /// command as written, while policy-exec normalises it first.
    pub fn limits(self) -> &'static str {
        match self {
            Host::Cursor => {
                "matches the first word as written; no ask list; wrappers (sudo, env), program paths and nested shells hide a command from it"
            }
            Host::Gemini => {
                "matches the command text as written, split at `&&`, `;` and `|`: a doubled space, wrappers (sudo, env, bash -c), git global options and program paths hide a command from it; policy-exec as the shell or the hook sees through them"
            }
            Host::OpenCode => {
                "matches globs over the command as written, the last matching key winning: bash -c, a doubled space, wrappers, git global options and program paths hide a command from it, and a project opencode.json or OPENCODE_PERMISSION can re-allow it; policy-exec as the shell sees through them"
            }
            _ => {
                "matches the command as written: wrappers (sudo, env), git global options (git -C), program paths, quoting and nested shells hide a command from it; policy-exec as the shell or the hook sees through them"
            }
        }
    }

    /// The harness version whose matching rules this renderer follows.
    pub fn tested_with(self) -> &'static str {
        match self {
            Host::Codex => "Codex CLI 0.171.0 (execpolicy prefix_rule)",
            Host::Claude => "Claude Code 2.1.332",
            Host::Cursor => "Cursor CLI (HOSTS.md, November 2026)",
            Host::FactoryDroid => "Factory Droid 0.225.2",
            Host::Gemini => "Gemini CLI 0.61.0 (policy engine, commandPrefix)",
            Host::OpenCode => "OpenCode 1.18.33 (permission.bash)",
        }
    }
}

/// What happened to one rule on one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The host holds the rule exactly.
    Exact,
    /// The host form is stricter than the rule: a deny/ask that covers more, or an allow
    /// that covers less.
    Tightened,
    /// A deny/ask that covers only part of the rule; policy-exec enforces the rest.
    Partial,
    /// Not rendered.
    Dropped,
}

/// One rule's fate on one host.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    /// The rule's id.
    pub id: String,
    /// Where the rule was written.
    pub origin: String,
    /// The rule's action.
    pub action: Decision,
    /// The decision the host entry carries, when rendered.
    pub host_action: Option<Decision>,
    /// Exact, tightened, partial or dropped.
    pub outcome: Outcome,
    /// Why, when not exact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
    /// The entries written for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<String>,
}

/// One host's artifact.
#[derive(Debug, Clone)]
pub struct HostRender {
    /// The host.
    pub host: Host,
    /// The artifact file's text.
    pub text: String,
    /// For JSON hosts: our entries per list, keyed by dotted path
    /// (`permissions.allow`). For Codex: the whole file is ours.
    pub lists: BTreeMap<&'static str, Vec<String>>,
    /// Every rule's fate.
    pub rules: Vec<RuleReport>,
}

impl HostRender {
    /// Number of rules with each outcome: exact, tightened, partial, dropped.
    pub fn counts(&self) -> [usize; 4] {
        let n = |o: Outcome| self.rules.iter().filter(|r| r.outcome == o).count();
        [
            n(Outcome::Exact),
            n(Outcome::Tightened),
            n(Outcome::Partial),
            n(Outcome::Dropped),
        ]
    }
}

/// How a host form relates to the set of commands its rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// The same commands.
    Equal,
    /// Every command the rule matches, and more.
    Superset,
    /// Only commands the rule matches, but not all of them.
    Subset,
    /// Some of the rule's commands, and some others.
    Neither,
}

impl Relation {
    /// Both narrowings apply.
    fn and(self, other: Relation) -> Relation {
        use Relation::*;
        match (self, other) {
            (Equal, r) | (r, Equal) => r,
            (Superset, Superset) => Superset,
            (Subset, Subset) => Subset,
            _ => Neither,
        }
    }
}

/// A rule reduced to what token-prefix hosts can express.
#[derive(Debug, Clone)]
struct Shape {
    /// Literal leading tokens.
    tokens: Vec<String>,
    /// The argv must end after the tokens (and the option, if any).
    exact: bool,
    /// Option spellings, one of which must directly follow the tokens.
    flags: Vec<String>,
    /// How the shape relates to the rule.
    relation: Relation,
    /// Why the shape is not equal to the rule.
    notes: Vec<String>,
}

impl Shape {
    /// The shape's argv prefixes, one per option spelling.
    fn prefixes(&self) -> Vec<Vec<String>> {
        if self.flags.is_empty() {
            return vec![self.tokens.clone()];
        }
        self.flags
            .iter()
            .map(|f| {
                let mut t = self.tokens.clone();
                t.push(f.clone());
                t
            })
            .collect()
    }

    fn narrow(&mut self, relation: Relation, note: String) {
        self.relation = self.relation.and(relation);
        self.notes.push(note);
    }
}

/// Characters a host token may not contain: they would change how the host parses its
/// entry (`Bash(…:*)`, Starlark strings) or mean a glob.
fn token_is_plain(token: &str) -> bool {
    !token.is_empty()
        && !token.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '"' | '\''
                        | '\\'
                        | '('
                        | ')'
                        | '*'
                        | '?'
                        | '['
                        | ']'
                        | '$'
                        | '`'
                        | ';'
                        | '&'
                        | '|'
                        | '<'
                        | '>'
                        | '{'
                        | '}'
                        | '~'
                        | '#'
                )
        })
}

/// Does a native allow for commands starting with `prefix` let the host run commands the
/// engine would read as other commands? The engine sees through wrappers (`sudo`,
/// `timeout`, `valgrind`, …), shells and interpreters, `xargs`/`find -exec`/`ssh`, git
/// aliases and git options that run commands; a host matches the words as written. Such
/// an allow overlaps every rule.
fn runs_other_commands(prefix: &[String]) -> bool {
    use crate::command::Word;
    use crate::command::programs::{git, interpreters, wrappers};
    let Some(first) = prefix.first() else {
        return true;
    };
    let base = crate::policy::rule::basename(first);
    if interpreters::interpreter(base).is_some()
        || wrappers::unwrap(base, &[Word::Lit("true".into())]).is_some()
    {
        return true;
    }
    if base == "git" {
        // Only a pinned built-in subcommand that runs no command-valued option is safe:
        // `git` alone may be an alias (`!sh -c …`), `git -c alias.x=…`, `git rebase -x`.
        return !prefix.get(1).is_some_and(|sub| {
            !sub.starts_with('-')
                && git::is_git_builtin(sub)
                && git::git_script_options(sub).is_empty()
                && !matches!(sub.as_str(), "bisect" | "submodule" | "config" | "var")
        });
    }
    matches!(
        base,
        "bash"
            | "sh"
            | "zsh"
            | "dash"
            | "ksh"
            | "mksh"
            | "rbash"
            | "fish"
            | "csh"
            | "tcsh"
            | "busybox"
            | "su"
            | "runuser"
            | "script"
            | "pkexec"
            | "run0"
            | "eval"
            | "source"
            | "."
            | "xargs"
            | "parallel"
            | "find"
            | "ssh"
            | "watch"
            | "flock"
            | "gdb"
            | "start-stop-daemon"
            | "sg"
            | "tmux"
            | "screen"
            | "capsh"
            | "make"
            | "npm"
            | "npx"
            | "pnpm"
            | "yarn"
            | "policy-exec"
    )
}

/// Reduces a rule to a [`Shape`], or says why no token form exists.
fn shape(rule: &Rule) -> Result<Shape, String> {
    let mut s = match &rule.matcher {
        Matcher::Exact(words) => Shape {
            tokens: words.clone(),
            exact: true,
            flags: Vec::new(),
            relation: Relation::Equal,
            notes: Vec::new(),
        },
        Matcher::Prefix(words) => Shape {
            tokens: words.clone(),
            exact: false,
            flags: Vec::new(),
            relation: Relation::Equal,
            notes: Vec::new(),
        },
        Matcher::Glob(g) => glob_shape(g.pattern())?,
    };
    let r = &rule.refinements;
    if !r.flags.is_empty() {
        s.flags = r.flags.clone();
        s.narrow(
            Relation::Subset,
            format!(
                "the host sees {} only when it directly follows `{}` and is spelled exactly (not bundled, abbreviated or later in the command)",
                r.flags.join("/"),
                s.tokens.join(" ")
            ),
        );
    }
    if !r.args.is_empty() {
        // Ignoring the arguments would turn `rm -r` of `/` into every recursive rm.
        return Err(format!(
            "the host cannot check the `args` refinement ({}); without it the entry would cover every `{}` command",
            rule.refinements
                .args
                .iter()
                .map(|g| format!("`{}`", g.pattern()))
                .collect::<Vec<_>>()
                .join(", "),
            s.tokens.join(" ")
        ));
    }
    if !r.via.is_empty() {
        // SECURITY: ignoring `via` would widen the entry to every command it names.
        return Err(format!(
            "the host cannot check the `via` refinement ({}): it only sees the command line",
            r.via.join(", ")
        ));
    }
    if !r.programs.is_empty() {
        // SECURITY: ignoring the program list would widen the entry to other programs.
        return Err(format!(
            "the host cannot check the `programs` refinement ({}); without it the entry would cover other programs",
            r.programs.join(", ")
        ));
    }
    if !r.unless_flags.is_empty() {
        s.narrow(
            Relation::Superset,
            format!(
                "the host cannot express the carve-out {}",
                r.unless_flags.join("/")
            ),
        );
    }
    if let Some(bad) = s.tokens.iter().chain(&s.flags).find(|t| !token_is_plain(t)) {
        return Err(format!(
            "token `{bad}` cannot be written as a literal host token"
        ));
    }
    if s.tokens.is_empty() {
        return Err("the pattern has no literal leading word".into());
    }
    Ok(s)
}

/// The token form of a glob (fnmatch over the argv joined by spaces).
fn glob_shape(pattern: &str) -> Result<Shape, String> {
    // fnmatch compares the argv joined by single spaces: any other spacing is literal
    // and cannot be written as host tokens.
    if pattern.chars().any(|c| c.is_whitespace() && c != ' ')
        || pattern.starts_with(' ')
        || pattern.contains("  ")
    {
        return Err(format!(
            "glob `{}` is not spaced like a command (single spaces between words)",
            pattern.escape_debug()
        ));
    }
    let wild = |c: char| matches!(c, '*' | '?' | '[');
    let Some(first_wild) = pattern.find(wild) else {
        // No wildcard: the joined argv must equal the pattern.
        if pattern.ends_with(' ') {
            return Err(format!("glob `{pattern}` ends with a space"));
        }
        return Ok(Shape {
            tokens: pattern.split(' ').map(str::to_string).collect(),
            exact: true,
            flags: Vec::new(),
            relation: Relation::Equal,
            notes: Vec::new(),
        });
    };
    let literal = pattern.get(..first_wild).unwrap_or_default();
    let rest = pattern.get(first_wild..).unwrap_or_default();
    let words: Vec<String> = literal
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if rest == "*" && literal.ends_with(' ') && !words.is_empty() {
        // `git push *`: the prefix also matches a bare `git push`.
        return Ok(Shape {
            tokens: words,
            exact: false,
            flags: Vec::new(),
            relation: Relation::Superset,
            notes: vec![format!(
                "the glob needs at least one more argument; the host entry also matches a bare `{}`",
                literal.trim_end()
            )],
        });
    }
    if rest == "*" && !literal.ends_with(' ') && !words.is_empty() {
        // `git push*`: the prefix misses `git pushy`.
        return Ok(Shape {
            tokens: words,
            exact: false,
            flags: Vec::new(),
            relation: Relation::Subset,
            notes: vec![format!(
                "the glob also matches words that merely start with `{}`; the host entry needs the whole word",
                literal.split(' ').next_back().unwrap_or_default()
            )],
        });
    }
    // Wildcards further in: keep only the complete literal words, a broader prefix.
    let mut complete = words;
    if !literal.ends_with(' ') {
        complete.pop();
    }
    if complete.len() < 2 {
        return Err(format!(
            "glob `{pattern}` has no literal prefix narrower than its program"
        ));
    }
    Ok(Shape {
        notes: vec![format!(
            "the host entry keeps only the literal prefix `{}` of glob `{pattern}`",
            complete.join(" ")
        )],
        tokens: complete,
        exact: false,
        flags: Vec::new(),
        relation: Relation::Superset,
    })
}

/// The decision a host entry carries for a rule, or why it has none. Conditional rules
/// are only rendered with `--include-conditional`, with the stricter of their outcomes.
fn host_action(
    rule: &Rule,
    include_conditional: bool,
) -> Result<(Decision, Option<String>), String> {
    if rule.condition.is_none() {
        return Ok((rule.action, None));
    }
    if !include_conditional {
        return Err(
            "conditional: its decision depends on the repository state (pass --include-conditional to render the stricter of its outcomes)"
                .into(),
        );
    }
    match rule.on_mismatch {
        // A predicate that cannot be evaluated asks (the default fallback): never allow.
        Some(m) if m == rule.action && m > Decision::Allow => Ok((rule.action, None)),
        Some(m) => {
            let host = rule.action.max(m).max(Decision::Request);
            Ok((
                host,
                Some(format!(
                    "conditional: rendered as {host} whatever the repository state (a predicate that cannot be evaluated asks)"
                )),
            ))
        }
        None if rule.action == Decision::Allow => {
            Err("conditional allow without on_mismatch: a host cannot tell when it holds".into())
        }
        None => Ok((
            rule.action,
            Some("conditional: rendered as if its conditions always held".into()),
        )),
    }
}

/// Can a rule give deny or request? A conditional rule can, whatever its outcomes: a
/// predicate that cannot be evaluated falls back to request by default.
fn can_restrict(rule: &Rule) -> bool {
    rule.action > Decision::Allow
        || rule.on_mismatch.is_some_and(|d| d > Decision::Allow)
        || rule.condition.is_some()
}

/// Literal leading words every command the rule matches starts with (possibly none).
fn leading_words(rule: &Rule) -> Vec<String> {
    match &rule.matcher {
        Matcher::Exact(w) | Matcher::Prefix(w) => w.clone(),
        Matcher::Glob(g) => {
            let p = g.pattern();
            match p.find(['*', '?', '[']) {
                None => p.split(' ').map(str::to_string).collect(),
                Some(i) => {
                    let lit = p.get(..i).unwrap_or_default();
                    let mut w: Vec<String> = lit.split_whitespace().map(str::to_string).collect();
                    if !lit.ends_with(' ') {
                        w.pop();
                    }
                    w
                }
            }
        }
    }
}

/// Could a command starting with `prefix` also be matched by a rule whose matches start
/// with the literal words `lead` ([`leading_words`])? Tokens are compared the way the
/// engine compares them (program by basename, paths normalised), and a prefix that runs
/// other commands overlaps everything.
fn overlaps(prefix: &[String], rule: &Rule, lead: &[String]) -> bool {
    if runs_other_commands(prefix) {
        return true;
    }
    // A rule limited to some programs (`programs` refinement) cannot match a command
    // whose program is another one.
    if let Some(first) = prefix.first()
        && !rule.refinements.programs.is_empty()
        && !rule
            .refinements
            .programs
            .iter()
            .any(|p| p.as_str() == crate::policy::rule::basename(first))
    {
        return false;
    }
    let norm = |w: &str, first: bool| {
        if first {
            crate::policy::rule::basename(w).to_string()
        } else {
            crate::policy::rule::normalize_path(w)
        }
    };
    prefix
        .iter()
        .zip(lead)
        .enumerate()
        .all(|(i, (a, b))| norm(a, i == 0) == norm(b, i == 0))
}

/// The rules that can restrict, in policy order, indexed by the program their matches
/// start with: the allow-safety pass compares an allow entry only with the rules that
/// could match the same program (and those that could match any), instead of with every
/// rule — which took hours for every host on a 20,000-rule policy.
struct Restricting<'a> {
    /// Each rule with its [`leading_words`].
    rules: Vec<(&'a Rule, Vec<String>)>,
    /// Positions in `rules` by the basename of the first leading word.
    by_program: std::collections::HashMap<String, Vec<usize>>,
    /// Positions of rules without a literal first word (they may match any program).
    any_program: Vec<usize>,
}

impl<'a> Restricting<'a> {
    fn new(policy: &'a Policy) -> Restricting<'a> {
        let mut index = Restricting {
            rules: Vec::new(),
            by_program: std::collections::HashMap::new(),
            any_program: Vec::new(),
        };
        for rule in policy.rules.iter().filter(|r| can_restrict(r)) {
            let lead = leading_words(rule);
            let at = index.rules.len();
            match lead.first() {
                Some(program) => index
                    .by_program
                    .entry(crate::policy::rule::basename(program).to_string())
                    .or_default()
                    .push(at),
                None => index.any_program.push(at),
            }
            index.rules.push((rule, lead));
        }
        index
    }

    /// The first rule (in policy order), other than `id`, that could match a command
    /// starting with one of `prefixes`.
    fn blocker(&self, id: &str, prefixes: &[Vec<String>]) -> Option<&'a Rule> {
        let mut candidates: Vec<usize> = Vec::new();
        for prefix in prefixes {
            match prefix.first() {
                Some(program) if !runs_other_commands(prefix) => {
                    let program = crate::policy::rule::basename(program);
                    if let Some(same) = self.by_program.get(program) {
                        candidates.extend(same);
                    }
                    candidates.extend(&self.any_program);
                }
                // Empty, or runs other commands: it overlaps every rule.
                _ => {
                    candidates = (0..self.rules.len()).collect();
                    break;
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|i| self.rules.get(i))
            .find(|(rule, lead)| {
                rule.id != id && prefixes.iter().any(|prefix| overlaps(prefix, rule, lead))
            })
            .map(|(rule, _)| *rule)
    }
}

/// One rule's rendering on one host, before the allow-safety pass.
struct Planned {
    report: RuleReport,
    /// Argv prefixes of the entries (for the overlap check).
    prefixes: Vec<Vec<String>>,
    /// Codex: the `prefix_rule` text; Gemini: the `[[rule]]` table.
    codex: Option<String>,
}

/// Renders every host's artifact from a compiled policy.
pub fn render_all(policy: &Policy, include_conditional: bool) -> Vec<HostRender> {
    Host::ALL
        .iter()
        .map(|&h| render(h, policy, include_conditional))
        .collect()
}

/// Renders one host's artifact.
pub fn render(host: Host, policy: &Policy, include_conditional: bool) -> HostRender {
    let mut planned: Vec<Planned> = policy
        .rules
        .iter()
        .map(|r| plan(host, r, include_conditional))
        .collect();
    // SECURITY: an allow entry must not pass a command that another rule would deny or
    // ask about, unless the host holds that rule at least as strictly.
    // A host entry matches the command as written, so no deny or ask entry covers the
    // spellings the engine sees through (`sudo git push`, `git -C . push`, `rm -rf //`):
    // every rule that can restrict counts, however well the host holds it.
    let weak = Restricting::new(policy);
    for p in &mut planned {
        if p.report.host_action != Some(Decision::Allow) {
            continue;
        }
        let blocker = weak.blocker(&p.report.id, &p.prefixes);
        if let Some(w) = blocker {
            p.report.outcome = Outcome::Dropped;
            p.report.host_action = None;
            p.report.entries.clear();
            p.codex = None;
            p.report.why.push(format!(
                "a native allow could pass spellings of commands that rule `{}` denies or asks about ({} matches commands as written)",
                w.id,
                host.name()
            ));
        }
    }
    let mut lists: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for key in list_keys(host) {
        lists.insert(key, Vec::new());
    }
    for p in &planned {
        if let Some(action) = p.report.host_action {
            for key in keys_for(host, action) {
                let list = lists.entry(key).or_default();
                for e in &p.report.entries {
                    if !list.contains(e) {
                        list.push(e.clone());
                    }
                }
            }
        }
    }
    let text = match host {
        Host::Codex | Host::Gemini => codex_text(host, policy, &planned),
        Host::OpenCode => opencode_text(policy, &lists),
        _ => json_text(host, policy, &lists),
    };
    let mut rules: Vec<RuleReport> = planned.into_iter().map(|p| p.report).collect();
    rules.extend(policy.path_rules.iter().map(|r| path_rule_report(host, r)));
    HostRender {
        host,
        text,
        lists: if host.whole_file() {
            BTreeMap::new()
        } else {
            lists
        },
        rules,
    }
}

/// A path rule on a host: none of the four permission files can say "this command may
/// not write that file" (they match the command line, not the files it opens), so it is
/// reported dropped, never rendered as anything looser; policy-exec enforces it wherever
/// it judges commands (shell mode, guards, hooks).
fn path_rule_report(host: Host, rule: &crate::paths::PathRule) -> RuleReport {
    RuleReport {
        id: rule.id.clone(),
        origin: if rule.origin.path.is_empty() {
            String::new()
        } else {
            format!("{} ({})", rule.origin.path, rule.origin.scope)
        },
        action: rule.action,
        host_action: None,
        outcome: Outcome::Dropped,
        why: vec![format!(
            "a path rule ({} of {}): {}'s permission file matches command lines, not the files a command opens; policy-exec enforces it in shell mode, guards and hooks",
            rule.access,
            rule.patterns
                .iter()
                .map(|p| format!("`{}`", p.written))
                .collect::<Vec<_>>()
                .join(", "),
            host.name()
        )],
        entries: Vec::new(),
    }
}

/// OpenCode's entries are keys of one map (`permission.bash`) whose value is the
/// decision: these list keys name them per decision, `<map>:<value>`.
pub const OPENCODE_ALLOW: &str = "permission.bash:allow";
/// OpenCode keys whose value is `ask`.
pub const OPENCODE_ASK: &str = "permission.bash:ask";
/// OpenCode keys whose value is `deny`.
pub const OPENCODE_DENY: &str = "permission.bash:deny";

/// The JSON lists each host file has.
fn list_keys(host: Host) -> &'static [&'static str] {
    match host {
        Host::Codex | Host::Gemini => &[],
        Host::Claude => &["permissions.allow", "permissions.ask", "permissions.deny"],
        // One list per decision, all kept in the one `permission.bash` map.
        Host::OpenCode => &[OPENCODE_ALLOW, OPENCODE_ASK, OPENCODE_DENY],
        Host::Cursor => &["permissions.allow", "permissions.deny"],
        Host::FactoryDroid => &[
            "commandAllowlist",
            "commandRequestlist",
            "commandDenylist",
            "commandBlocklist",
        ],
    }
}

/// Which lists an entry with this decision goes into.
fn keys_for(host: Host, action: Decision) -> &'static [&'static str] {
    match (host, action) {
        (Host::Codex | Host::Gemini, _) => &[],
        (Host::OpenCode, Decision::Allow) => &[OPENCODE_ALLOW],
        (Host::OpenCode, Decision::Request) => &[OPENCODE_ASK],
        (Host::OpenCode, Decision::Deny) => &[OPENCODE_DENY],
        (Host::Claude, Decision::Allow) => &["permissions.allow"],
        (Host::Claude, Decision::Request) => &["permissions.ask"],
        (Host::Claude, Decision::Deny) => &["permissions.deny"],
        (Host::Cursor, Decision::Allow) => &["permissions.allow"],
        (Host::Cursor, Decision::Request) => &[],
        (Host::Cursor, Decision::Deny) => &["permissions.deny"],
        (Host::FactoryDroid, Decision::Allow) => &["commandAllowlist"],
        // Droid asks for what is in its denylist: the only list that makes it ask.
        (Host::FactoryDroid, Decision::Request) => &["commandRequestlist", "commandDenylist"],
        // The reference writes denies to commandDenylist; real Droid only refuses what
        // is in commandBlocklist.
        (Host::FactoryDroid, Decision::Deny) => &["commandDenylist", "commandBlocklist"],
    }
}

fn origin_text(rule: &Rule) -> String {
    if rule.origin.path.is_empty() {
        rule.source.clone()
    } else {
        rule.origin.path.clone()
    }
}

/// Plans one rule on one host.
fn plan(host: Host, rule: &Rule, include_conditional: bool) -> Planned {
    let mut report = RuleReport {
        id: rule.id.clone(),
        origin: origin_text(rule),
        action: rule.action,
        host_action: None,
        outcome: Outcome::Dropped,
        why: Vec::new(),
        entries: Vec::new(),
    };
    let dropped = |mut report: RuleReport, why: String| {
        report.why.push(why);
        Planned {
            report,
            prefixes: Vec::new(),
            codex: None,
        }
    };
    let (action, cond_note) = match host_action(rule, include_conditional) {
        Ok(a) => a,
        Err(why) => return dropped(report, why),
    };
    let mut s = match shape(rule) {
        Ok(s) => s,
        Err(why) => return dropped(report, why),
    };
    if let Some(n) = cond_note {
        // Rendered whatever the repository state: an allow would be wider, a deny stricter.
        s.narrow(Relation::Superset, n);
    }
    // Host capabilities.
    match host {
        // OpenCode's globs hold an exact command (no `*`) and a token prefix
        // (a trailing ` *` also matches the bare command) exactly.
        Host::OpenCode => {}
        Host::Codex | Host::FactoryDroid | Host::Gemini => {
            if s.exact {
                s.exact = false;
                s.narrow(
                    Relation::Superset,
                    format!(
                        "{} matches prefixes only: the entry also matches longer commands",
                        host.name()
                    ),
                );
            }
        }
        Host::Claude => {
            if s.exact && !s.flags.is_empty() {
                s.exact = false;
                s.narrow(
                    Relation::Superset,
                    "an exact command with an option cannot be written: rendered as a prefix"
                        .into(),
                );
            }
        }
        Host::Cursor => {
            if action == Decision::Request {
                return dropped(
                    report,
                    "cursor has no ask list (commands no entry allows already prompt)".into(),
                );
            }
            if s.tokens.len() > 1 || !s.flags.is_empty() {
                let first = s.tokens.first().cloned().unwrap_or_default();
                return dropped(
                    report,
                    format!(
                        "cursor matches the first token only: an entry would {} every `{first}` command",
                        if action == Decision::Allow {
                            "allow"
                        } else {
                            "block"
                        }
                    ),
                );
            }
            if s.exact {
                s.exact = false;
                s.narrow(
                    Relation::Superset,
                    "cursor matches the first token only: the entry also matches longer commands"
                        .into(),
                );
            }
        }
    }
    if action == Decision::Allow
        && let Some(first) = s.tokens.first()
    {
        // The engine never lets such an allow allow: it strips `NAME=value` before the
        // program, and a program path outside the system directories is untrusted.
        let parent = std::path::Path::new(first)
            .parent()
            .map(|p| p.display().to_string());
        let untrusted_path = first.contains('/')
            && !parent.is_some_and(|p| crate::policy::rule::SYSTEM_DIRS.contains(&p.as_str()));
        if first.contains('=') || untrusted_path {
            return dropped(
                report,
                format!(
                    "`{first}` is judged differently by policy-exec (an assignment or a program outside the system directories): a native allow would widen it"
                ),
            );
        }
    }
    let outcome = match (action, s.relation) {
        (_, Relation::Equal) => Outcome::Exact,
        (Decision::Allow, Relation::Subset) => Outcome::Tightened,
        (Decision::Allow, _) => {
            let mut why = s.notes.clone();
            why.push("an allow that matches more than its rule would widen it".into());
            report.why = why;
            return Planned {
                report,
                prefixes: Vec::new(),
                codex: None,
            };
        }
        (_, Relation::Superset) => Outcome::Tightened,
        (_, Relation::Subset | Relation::Neither) => Outcome::Partial,
    };
    report.outcome = outcome;
    report.host_action = Some(action);
    report.why = s.notes.clone();
    let prefixes = s.prefixes();
    report.entries = match host {
        Host::Codex => vec![format!("[{}]", codex_pattern(&s).join(", "))],
        Host::Claude => prefixes
            .iter()
            .map(|p| {
                if s.exact {
                    format!("Bash({})", p.join(" "))
                } else {
                    format!("Bash({}:*)", p.join(" "))
                }
            })
            .collect(),
        Host::Cursor => prefixes
            .iter()
            .map(|p| format!("Shell({})", p.join(" ")))
            .collect(),
        Host::FactoryDroid | Host::Gemini => prefixes.iter().map(|p| p.join(" ")).collect(),
        Host::OpenCode => prefixes
            .iter()
            .map(|p| {
                if s.exact {
                    p.join(" ")
                } else {
                    format!("{} *", p.join(" "))
                }
            })
            .collect(),
    };
    let codex = match host {
        Host::Codex => Some(codex_rule(rule, action, &s)),
        Host::Gemini => Some(gemini_rule(rule, action, &report.entries)),
        _ => None,
    };
    Planned {
        report,
        prefixes,
        codex,
    }
}

/// A JSON string literal (also a valid Starlark string for the plain tokens we allow).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The `pattern` list of a Codex rule: tokens, then the option alternatives.
fn codex_pattern(s: &Shape) -> Vec<String> {
    let mut out: Vec<String> = s.tokens.iter().map(|t| quoted(t)).collect();
    match s.flags.as_slice() {
        [] => {}
        [one] => out.push(quoted(one)),
        many => out.push(format!(
            "[{}]",
            many.iter()
                .map(|f| quoted(f))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    out
}

/// Does Codex's prefix rule match this example (words split on whitespace)?
fn codex_matches(s: &Shape, example: &str) -> bool {
    let words: Vec<&str> = example.split_whitespace().collect();
    let mut want: Vec<Vec<&str>> = s.tokens.iter().map(|t| vec![t.as_str()]).collect();
    if !s.flags.is_empty() {
        want.push(s.flags.iter().map(String::as_str).collect());
    }
    words.len() >= want.len() && want.iter().zip(&words).all(|(alts, w)| alts.contains(w))
}

/// Examples Codex can check: plain words only (Codex splits them with shlex).
fn plain_example(example: &str) -> bool {
    example.split_whitespace().all(token_is_plain) && !example.trim().is_empty()
}

fn codex_decision(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allow",
        Decision::Request => "prompt",
        Decision::Deny => "forbidden",
    }
}

/// One `prefix_rule(...)`, with the rule's examples that hold for the host form (Codex
/// refuses to load a file whose examples disagree).
fn codex_rule(rule: &Rule, action: Decision, s: &Shape) -> String {
    let justification = match &rule.reason {
        Some(r) => format!("{r} (policy-exec rule {}, {})", rule.id, origin_text(rule)),
        None => format!("policy-exec rule {} ({})", rule.id, origin_text(rule)),
    };
    let matches: Vec<String> = rule
        .examples_match
        .iter()
        .filter(|e| plain_example(e) && codex_matches(s, e))
        .map(|e| quoted(&e.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect();
    let not_matches: Vec<String> = rule
        .examples_not_match
        .iter()
        .filter(|e| plain_example(e) && !codex_matches(s, e))
        .map(|e| quoted(&e.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect();
    let mut text = format!(
        "prefix_rule(\n    pattern = [{}],\n    decision = \"{}\",\n    justification = {},\n",
        codex_pattern(s).join(", "),
        codex_decision(action),
        quoted(&justification)
    );
    if !matches.is_empty() {
        text.push_str(&format!("    match = [{}],\n", matches.join(", ")));
    }
    if !not_matches.is_empty() {
        text.push_str(&format!("    not_match = [{}],\n", not_matches.join(", ")));
    }
    text.push_str(")\n");
    text
}

fn header_hash(policy: &Policy) -> String {
    policy
        .policy_hash
        .clone()
        .unwrap_or_else(|| "unknown".into())
}

/// The start of the first line of every rules file we write; the policy_hash and a
/// period follow.
const CODEX_HEADER: &str = "# Generated by `policy-exec sync` from policy_hash ";

/// The policy_hash a Codex rules file we wrote was generated from (its header line), or
/// None when the file does not start with our header.
pub fn codex_header_hash(text: &str) -> Option<&str> {
    let first = text.lines().next()?;
    first
        .strip_prefix(CODEX_HEADER)?
        .strip_suffix('.')
        .filter(|h| !h.is_empty())
}

/// Gemini's priority for a decision: denies above asks above allows, so the strictest
/// matching rule wins (Gemini applies the highest-priority match; a user policy file
/// sits in its user tier, above its built-in rules, and 999 is the most a rule may say).
fn gemini_priority(d: Decision) -> u16 {
    match d {
        Decision::Allow => 700,
        Decision::Request => 800,
        Decision::Deny => 900,
    }
}

/// A TOML basic string: JSON's escapes are TOML's, except that TOML also forbids a raw
/// DEL, which JSON leaves as it is.
fn toml_string(s: &str) -> String {
    quoted(s).replace('\u{7f}', "\\u007F")
}

/// One Gemini `[[rule]]` for a rule's entries (command prefixes).
fn gemini_rule(rule: &Rule, action: Decision, entries: &[String]) -> String {
    let decision = match action {
        Decision::Allow => "allow",
        Decision::Request => "ask_user",
        Decision::Deny => "deny",
    };
    let prefixes: Vec<String> = entries.iter().map(|e| toml_string(e)).collect();
    let mut text = format!(
        "[[rule]]\ntoolName = \"run_shell_command\"\ncommandPrefix = {}\ndecision = \"{decision}\"\npriority = {}\n",
        match prefixes.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        },
        gemini_priority(action)
    );
    if action == Decision::Deny {
        let message = match &rule.reason {
            Some(r) => format!("{r} (policy-exec rule {}, {})", rule.id, origin_text(rule)),
            None => format!("policy-exec rule {} ({})", rule.id, origin_text(rule)),
        };
        text.push_str(&format!("denyMessage = {}\n", toml_string(&message)));
    }
    text
}

/// OpenCode's file: the `permission.bash` map, allows first, then asks, then denies
/// (the last matching key wins, so a deny beats an allow that overlaps it).
fn opencode_text(policy: &Policy, lists: &BTreeMap<&'static str, Vec<String>>) -> String {
    let mut bash = serde_json::Map::new();
    for (key, value) in [
        (OPENCODE_ALLOW, "allow"),
        (OPENCODE_ASK, "ask"),
        (OPENCODE_DENY, "deny"),
    ] {
        for entry in lists.get(key).into_iter().flatten() {
            // One key holds one decision: a later (stricter) one replaces it, at the end.
            bash.shift_remove(entry);
            bash.insert(entry.clone(), json!(value));
        }
    }
    let root = json!({
        "permission": {"bash": bash},
        "_policy_exec": {
            "generated_by": "policy-exec sync",
            "policy_hash": header_hash(policy),
            "host": Host::OpenCode.name(),
            "tested_with": Host::OpenCode.tested_with(),
        },
    });
    let mut text = serde_json::to_string_pretty(&root).unwrap_or_default();
    text.push('\n');
    text
}

fn codex_text(host: Host, policy: &Policy, planned: &[Planned]) -> String {
    let mut text = format!(
        "{CODEX_HEADER}{}.\n# Do not edit: change the policy and run `policy-exec sync --apply` again.\n# Matching follows {}.\n",
        header_hash(policy),
        host.tested_with()
    );
    for p in planned {
        if let Some(rule) = &p.codex {
            // SECURITY: a rule id or path with a newline must not become Starlark code.
            text.push_str(&format!(
                "\n# {} ({})\n",
                p.report.id.escape_debug(),
                p.report.origin.escape_debug()
            ));
            text.push_str(rule);
        }
    }
    text
}

fn json_text(host: Host, policy: &Policy, lists: &BTreeMap<&'static str, Vec<String>>) -> String {
    let mut root = json!({});
    for (key, entries) in lists {
        super::apply::set_path(&mut root, key, json!(entries));
    }
    if let Some(obj) = root.as_object_mut() {
        obj.insert(
            "_policy_exec".into(),
            json!({
                "generated_by": "policy-exec sync",
                "policy_hash": header_hash(policy),
                "host": host.name(),
                "tested_with": host.tested_with(),
            }),
        );
    }
    let mut text = serde_json::to_string_pretty(&root).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_escape_what_toml_forbids() {
        assert_eq!(toml_string("a\"b\\c\n\u{7f}"), r#""a\"b\\c\n\u007F""#);
    }

    #[test]
    fn glob_shapes() {
        let s = glob_shape("git push *").unwrap();
        assert_eq!(s.tokens, ["git", "push"]);
        assert_eq!(s.relation, Relation::Superset);
        let s = glob_shape("git push*").unwrap();
        assert_eq!(s.relation, Relation::Subset);
        let s = glob_shape("git status").unwrap();
        assert!(s.exact);
        assert_eq!(s.relation, Relation::Equal);
        assert!(glob_shape("*rm -rf*").is_err());
        assert!(glob_shape("git  log*").is_err());
        assert!(glob_shape(" git diff*").is_err());
        assert!(glob_shape("git\tshow*").is_err());
        assert!(glob_shape("curl * | sh").is_err());
        // `/*` also matches `/usr`; the host's whole-word `/` is narrower.
        let s = glob_shape("rm -rf /*").unwrap();
        assert_eq!(s.tokens, ["rm", "-rf", "/"]);
        assert_eq!(s.relation, Relation::Subset);
        let s = glob_shape("git push * --force").unwrap();
        assert_eq!(s.tokens, ["git", "push"]);
        assert_eq!(s.relation, Relation::Superset);
    }

    fn one_rule(rule: serde_json::Value) -> Rule {
        let doc = serde_json::json!({ "command_rules": [rule] });
        let bundle = crate::policy::bundle::build(&doc, &[], None).unwrap();
        let policy = Policy::from_bundle(&bundle, "test").unwrap();
        policy.rules.into_iter().next().unwrap()
    }

    #[test]
    fn a_programs_refinement_is_never_dropped_by_a_host_and_limits_overlaps() {
        let reader = one_rule(serde_json::json!({
            "id": "r", "action": "request",
            "match": {"glob": "*", "programs": ["cat", "less"], "args": [".env"]}
        }));
        let allow = one_rule(serde_json::json!({
            "id": "a", "action": "allow", "match": {"glob": "cat *", "programs": ["less"]}
        }));
        assert!(shape(&allow).is_err_and(|e| e.contains("`programs`")));
        let lead = leading_words(&reader);
        assert!(overlaps(&["cat".into(), "notes".into()], &reader, &lead));
        assert!(overlaps(&["/bin/less".into()], &reader, &lead));
        assert!(!overlaps(&["cargo".into(), "test".into()], &reader, &lead));
        assert!(overlaps(&["bash".into(), "-c".into()], &reader, &lead));
    }
}
