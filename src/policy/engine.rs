//! The decision engine: an analysed script, the rules, and repository state in; an
//! [`Evaluation`] out.
//!
//! Pure: it reads no file, environment or clock. Repository state comes through
//! [`RepoState`], asked lazily — only for rules that match and only once per
//! (directory, predicate).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Decision;
use super::policy::Policy;
use super::rule::{Match, Place, Rule, SYSTEM_DIRS};
use crate::command::{Analysis, Dir, SimpleCommand, Via};
use crate::git::{Predicate, PredicateValue, RepoState};

/// One predicate asked while judging a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredicateTrace {
    /// Which predicate.
    pub predicate: Predicate,
    /// Its value and why.
    pub value: PredicateValue,
}

/// What one rule said about one command.
#[derive(Debug, Clone)]
pub struct RuleMatch {
    /// Index of the rule in [`Policy::rules`].
    pub rule: usize,
    /// Whether it matched for sure or only possibly (unknown words).
    pub certainty: Match,
    /// Whether its conditions held (`None` when unconditional or not evaluated).
    pub condition_passed: Option<bool>,
    /// Predicates asked for this rule, in order.
    pub predicates: Vec<PredicateTrace>,
    /// The decision this rule gives, if any.
    pub outcome: Option<Decision>,
    /// A short explanation of the outcome.
    pub note: String,
}

/// The judgement of one simple command.
#[derive(Debug, Clone)]
pub struct CommandEvaluation {
    /// The command as analysed.
    pub command: SimpleCommand,
    /// The directory its predicates are evaluated in (`None` when unknown).
    pub dir: Option<PathBuf>,
    /// Every rule that matched or possibly matched.
    pub matches: Vec<RuleMatch>,
    /// Every path rule that applies to one of its file operands (see [`crate::paths`]).
    pub paths: Vec<crate::paths::PathMatch>,
    /// The command's decision.
    pub decision: Decision,
    /// Why, in one line.
    pub why: String,
    /// The grant that let it through, when a human's grant did (see [`crate::grants`]).
    pub grant: Option<String>,
}

/// The judgement of a whole script.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The script's decision: the strictest over its commands.
    pub decision: Decision,
    /// Every simple command with its judgement.
    pub commands: Vec<CommandEvaluation>,
    /// When the script did not parse: the parser's message (the decision is deny).
    pub parse_error: Option<String>,
}

impl Evaluation {
    /// The command that decided the outcome (the first with the final decision).
    pub fn deciding(&self) -> Option<&CommandEvaluation> {
        self.commands.iter().find(|c| c.decision == self.decision)
    }

    /// The rule that decided the outcome, if a rule did.
    pub fn deciding_rule<'p>(&self, policy: &'p Policy) -> Option<&'p Rule> {
        self.deciding_match(true)
            .and_then(|m| policy.rules.get(m.rule))
    }

    /// The rule that only could match and asked for the outcome, when no rule matched
    /// for sure (an unknown word could make it match).
    pub fn possible_rule<'p>(&self, policy: &'p Policy) -> Option<&'p Rule> {
        self.deciding_match(false)
            .and_then(|m| policy.rules.get(m.rule))
    }

    /// The path rule that decided the outcome, when no command rule did (a protected
    /// file operand made the command stricter than its rules).
    pub fn deciding_path<'p>(
        &self,
        policy: &'p Policy,
    ) -> Option<(&crate::paths::PathMatch, &'p crate::paths::PathRule)> {
        if self.deciding_rule(policy).is_some() {
            return None;
        }
        let cmd = self.deciding()?;
        let m = cmd.paths.iter().find(|m| m.outcome == self.decision)?;
        Some((m, policy.path_rules.get(m.rule)?))
    }

    fn deciding_match(&self, certain: bool) -> Option<&RuleMatch> {
        let cmd = self.deciding()?;
        cmd.matches
            .iter()
            .find(|m| m.outcome == Some(self.decision) && (m.certainty == Match::Yes) == certain)
    }
}

/// Memoises predicate values per (directory, predicate) for one evaluation.
struct Predicates<'a> {
    repo: &'a dyn RepoState,
    memo: RefCell<HashMap<(PathBuf, Predicate), PredicateValue>>,
}

impl Predicates<'_> {
    fn get(&self, dir: &Path, p: Predicate) -> PredicateValue {
        let key = (dir.to_path_buf(), p);
        if let Some(v) = self.memo.borrow().get(&key) {
            return v.clone();
        }
        let v = self.repo.predicate(dir, p);
        self.memo.borrow_mut().insert(key, v.clone());
        v
    }
}

/// Judges an analysed script.
pub fn evaluate(
    analysis: &Analysis,
    policy: &Policy,
    start: &Path,
    repo: &dyn RepoState,
) -> Evaluation {
    let predicates = Predicates {
        repo,
        memo: RefCell::new(HashMap::new()),
    };
    let mut commands = Vec::new();
    for cmd in &analysis.commands {
        commands.push(evaluate_command(cmd, policy, start, &predicates));
    }
    let decision = commands
        .iter()
        .map(|c| c.decision)
        .max()
        .unwrap_or(Decision::Allow);
    Evaluation {
        decision,
        commands,
        parse_error: None,
    }
}

/// The evaluation of a script that does not parse: denied, with the parser's message.
pub fn unparsable(message: &str) -> Evaluation {
    Evaluation {
        decision: Decision::Deny,
        commands: Vec::new(),
        parse_error: Some(message.to_string()),
    }
}

fn evaluate_command(
    cmd: &SimpleCommand,
    policy: &Policy,
    start: &Path,
    predicates: &Predicates<'_>,
) -> CommandEvaluation {
    let dir = match &cmd.dir {
        Dir::Start => Some(start.to_path_buf()),
        Dir::Path(p) => Some(start.join(p)),
        Dir::Unknown => None,
    };
    // SECURITY: `./git` or `/tmp/x/git` is not the git an allow rule was written for.
    let untrusted_path = cmd
        .words
        .first()
        .and_then(|w| w.lit())
        .filter(|w| w.contains('/'))
        .is_some_and(|w| {
            let parent = Path::new(w)
                .parent()
                .map(|p| p.to_string_lossy().to_string());
            !parent.is_some_and(|p| SYSTEM_DIRS.contains(&p.as_str()))
        });
    let place = Place {
        dir: dir.clone(),
        home: predicates.repo.home(),
        frames: cmd.frames.clone(),
    };
    let mut matches = Vec::new();
    for index in policy.candidates(cmd.program()) {
        let Some(rule) = policy.rules.get(index) else {
            continue;
        };
        let certainty = rule.matches_in(&cmd.words, &place);
        if certainty == Match::No {
            continue;
        }
        let inside = || {
            crate::paths::inside_worktree(
                cmd,
                &crate::paths::Context {
                    start,
                    dir: dir.as_deref(),
                    repo: predicates.repo,
                },
            )
        };
        let mut m = judge_rule(
            index,
            rule,
            certainty,
            dir.as_deref(),
            policy,
            predicates,
            &inside,
        );
        if untrusted_path && m.outcome == Some(Decision::Allow) {
            m.outcome = None;
            m.note = "allow rules do not match a program outside the system directories".into();
        }
        matches.push(m);
    }
    let ruled = matches.iter().filter_map(|m| m.outcome).max();
    let (mut decision, mut why) = match (ruled, &cmd.dynamic) {
        (Some(d), Some(reason)) => {
            let e = policy.enforcement.dynamic;
            if d > e {
                (d, format!("a rule could match ({reason})"))
            } else {
                (e, format!("dynamic: {reason}; enforcement.dynamic is {e}"))
            }
        }
        (None, Some(reason)) => {
            let e = policy.enforcement.dynamic;
            (e, format!("dynamic: {reason}; enforcement.dynamic is {e}"))
        }
        (Some(d), None) => (d, "strictest matching rule".to_string()),
        (None, None) => {
            let e = policy.enforcement.unmatched;
            (e, format!("no rule matched; enforcement.unmatched is {e}"))
        }
    };
    if let Some(e) = &cmd.parse_error {
        // SECURITY: fail closed on a nested script bash cannot parse.
        decision = Decision::Deny;
        why = format!("a nested script does not parse as bash ({e})");
    }
    // Path rules: files the command opens or names (for interpreter strings too, whose
    // literal writes are read as `tee -a PATH`, and a container's commands, whose host
    // mounts are mapped; never for other could-run words, a guess).
    let paths = if matches!(
        cmd.via,
        Via::Direct | Via::InterpreterString | Via::Container
    ) {
        crate::paths::judge(
            cmd,
            &policy.path_rules,
            &crate::paths::Context {
                start,
                dir: dir.as_deref(),
                repo: predicates.repo,
            },
        )
    } else {
        Vec::new()
    };
    // The first of the strictest, as `Evaluation::deciding_path` names it.
    let strictest = paths.iter().map(|m| m.outcome).max();
    if let Some(worst) = paths.iter().find(|m| Some(m.outcome) == strictest)
        && worst.outcome > decision
    {
        decision = worst.outcome;
        why = crate::paths::why(worst, policy.path_rules.get(worst.rule));
    }
    if matches!(
        cmd.via,
        Via::InterpreterString | Via::CouldRun | Via::Container
    ) {
        // A string in interpreter code, or words a program could run, are a hint, not a
        // command we know runs: a deny or request there asks a human; nothing there
        // allows.
        let what = if cmd.via == Via::CouldRun {
            "words a program could run as a command"
        } else if cmd.via == Via::Container {
            "words a container could run as a command"
        } else {
            "a string in interpreter code"
        };
        if let Some(worst) = paths.iter().find(|m| Some(m.outcome) == strictest)
            && worst.outcome > Decision::Allow
        {
            decision = Decision::Request;
            why = format!(
                "{what} read as a command a path rule refuses: {}",
                crate::paths::why(worst, policy.path_rules.get(worst.rule))
            );
        } else if ruled.is_some_and(|d| d > Decision::Allow) {
            decision = Decision::Request;
            why = format!("{what} read as a command a rule refuses");
        } else if let Some(reason) = &cmd.dynamic
            && policy.enforcement.dynamic > Decision::Allow
        {
            // `git x` with aliases from GIT_CONFIG_* the script exported, `$cmd …`.
            decision = Decision::Request;
            why = format!("{what} read as a command only known at run time: {reason}");
        } else {
            decision = Decision::Allow;
            why = format!("{what}; no deny or request rule matched");
        }
    }
    if let Some(verb) = human_verb(cmd) {
        // SECURITY: the verbs by which a human grants or widens are never the agent's
        // to run, whatever the policy says (SPEC §11, tier A).
        decision = Decision::Deny;
        why = format!(
            "`policy-exec {verb}` is a human verb: only a person runs it, in their own terminal, never an agent's script (built in, not a rule)"
        );
    }
    CommandEvaluation {
        command: cmd.clone(),
        dir,
        matches,
        paths,
        decision,
        why,
        grant: None,
    }
}

/// The human verb a command runs, when it runs policy-exec with one (or with a word only
/// known at run time where the verb goes: that could be one). Human verbs grant, widen,
/// or take back a human's decision: `approve`, `reject`, `grants revoke|suspend|resume`,
/// `rules promote`. `grants list|show` and `inbox` only read, and `mode set` checks for
/// itself (narrowing is anyone's; widening refuses to run under an agent).
fn human_verb(cmd: &SimpleCommand) -> Option<String> {
    let program = cmd.words.first()?;
    let name = match program {
        crate::command::Word::Lit(p) => p.rsplit('/').next().unwrap_or(p),
        _ => return None,
    };
    if name != "policy-exec" {
        return None;
    }
    let mut rest = cmd.words.iter().skip(1);
    let verb = loop {
        match rest.next()? {
            crate::command::Word::Lit(w) if w.starts_with('-') => continue,
            crate::command::Word::Lit(w) => break w.clone(),
            other => {
                return Some(format!(
                    "{} (a word only known at run time)",
                    other.display()
                ));
            }
        }
    };
    // The subcommand: the next word that is not an option; `?` when only known at run
    // time (then it could be the human one).
    let sub = rest
        .find(|w| !w.lit().is_some_and(|s| s.starts_with('-')))
        .map(|w| w.lit().unwrap_or("?").to_string());
    let human = match verb.as_str() {
        "approve" | "reject" => true,
        "grants" => !matches!(sub.as_deref(), Some("list" | "show") | None),
        "rules" => matches!(sub.as_deref(), Some("promote" | "?")),
        _ => false,
    };
    human.then(|| match sub {
        Some(s) if verb == "grants" || verb == "rules" => format!("{verb} {s}"),
        _ => verb,
    })
}

fn judge_rule(
    index: usize,
    rule: &Rule,
    certainty: Match,
    dir: Option<&Path>,
    policy: &Policy,
    predicates: &Predicates<'_>,
    paths_inside: &dyn Fn() -> PredicateValue,
) -> RuleMatch {
    let mut m = RuleMatch {
        rule: index,
        certainty,
        condition_passed: None,
        predicates: Vec::new(),
        outcome: None,
        note: String::new(),
    };
    if certainty == Match::Possible {
        // A word only known at run time could make this rule match.
        let strictest = rule.action.max(rule.on_mismatch.unwrap_or(Decision::Allow));
        if strictest > Decision::Allow {
            m.outcome = Some(Decision::Request);
            m.note = format!(
                "could match for some value of a word only known at run time (rule action {strictest})"
            );
        } else {
            m.note = "could match, but an allow rule that only could match does not allow".into();
        }
        return m;
    }
    let Some(condition) = &rule.condition else {
        m.outcome = Some(rule.action);
        m.note = format!("matched: {}", rule.action);
        return m;
    };
    let mut trace = Vec::new();
    let outcome = condition.evaluate(&mut |p: Predicate| {
        let value = match dir {
            // A property of this command's operands, not of the directory: never memoised
            // per directory.
            _ if p == Predicate::PathsInsideWorktree => paths_inside(),
            Some(d) => predicates.get(d, p),
            None => PredicateValue {
                value: Err("the directory is only known at run time".to_string()),
                why: "the directory is only known at run time".to_string(),
            },
        };
        trace.push(PredicateTrace {
            predicate: p,
            value: value.clone(),
        });
        value.value
    });
    m.predicates = trace;
    m.condition_passed = Some(outcome.passed);
    if outcome.has_error {
        let fallback = policy.fallbacks.condition_eval_error;
        m.outcome = Some(fallback);
        m.note = format!(
            "conditions could not be evaluated ({}); fallback_condition_eval_error is {fallback}",
            outcome.errors.join("; ")
        );
    } else if outcome.passed {
        m.outcome = Some(rule.action);
        m.note = format!("conditions hold: {}", rule.action);
    } else if let Some(d) = rule.on_mismatch {
        m.outcome = Some(d);
        m.note = format!("conditions do not hold: on_mismatch {d}");
    } else {
        m.note = "conditions do not hold and the rule has no on_mismatch: no decision".into();
    }
    m
}

/// The largest script judged, in bytes. Real harness scripts are far smaller (Claude
/// Code's snapshot frames are a few KiB; `bash -c` itself cannot take an argument over
/// 128 KiB on Linux); analysis costs a few hundred bytes of memory per script byte, so a
/// cap keeps a huge script from exhausting memory instead of being refused.
pub const MAX_SCRIPT_BYTES: usize = 1024 * 1024;

/// The evaluation of a script longer than [`MAX_SCRIPT_BYTES`]: denied unread.
pub fn too_large(len: usize) -> Evaluation {
    let limit = u64::try_from(MAX_SCRIPT_BYTES).unwrap_or(u64::MAX);
    let why = format!(
        "script too large to judge: {len} bytes, the limit is {limit} bytes ({}): split it into smaller scripts",
        crate::files::bytes(limit)
    );
    let command = SimpleCommand {
        words: vec![crate::command::Word::unknown(
            format!("(a script of {len} bytes)"),
            false,
        )],
        dir: Dir::Start,
        dynamic: Some(why.clone()),
        via: Via::Direct,
        parse_error: None,
        frames: Vec::new(),
        redirects: Vec::new(),
        find_results: None,
        fresh_files: false,
    };
    Evaluation {
        decision: Decision::Deny,
        commands: vec![CommandEvaluation {
            command,
            dir: None,
            matches: Vec::new(),
            paths: Vec::new(),
            decision: Decision::Deny,
            why,
            grant: None,
        }],
        parse_error: None,
    }
}

/// Parses and judges a script: a script that does not parse is denied.
///
/// SECURITY: a panic anywhere below (our code or the parser's) becomes a deny, never a
/// crash that a harness could treat as "no answer".
pub fn judge(script: &str, policy: &Policy, start: &Path, repo: &dyn RepoState) -> Evaluation {
    judge_with(script, None, policy, start, repo)
}

/// [`judge`] with known `$0 $1 …` (shell mode's `-c SCRIPT NAME ARG…`).
pub fn judge_with(
    script: &str,
    positionals: Option<Vec<String>>,
    policy: &Policy,
    start: &Path,
    repo: &dyn RepoState,
) -> Evaluation {
    judge_analysed(
        &analyse(script, positionals, start, repo),
        policy,
        start,
        repo,
    )
}

/// A script read once, before its policy is loaded, so the lookup can read only the
/// rules for the programs it runs and the judgement uses that same reading (a second
/// reading could see files the script reads changed in between).
#[derive(Debug)]
pub struct Analysed {
    outcome: Result<crate::command::Analysis, String>,
    too_large: Option<usize>,
}

/// Reads a script for [`judge_analysed`]: capped in size, and a panic while reading is
/// a script that cannot be judged (denied).
pub fn analyse(
    script: &str,
    positionals: Option<Vec<String>>,
    start: &Path,
    repo: &dyn RepoState,
) -> Analysed {
    analyse_as(script, positionals, start, repo, "bash")
}

/// [`analyse`] for a script the shell `shell` runs itself (shell mode installed as
/// `sh`/`dash` reads `$'…'` as dash does, too).
pub fn analyse_as(
    script: &str,
    positionals: Option<Vec<String>>,
    start: &Path,
    repo: &dyn RepoState,
    shell: &str,
) -> Analysed {
    if script.len() > MAX_SCRIPT_BYTES {
        return Analysed {
            outcome: Err(String::new()),
            too_large: Some(script.len()),
        };
    }
    let run = std::panic::AssertUnwindSafe(|| {
        crate::command::analyze_as(script, start, repo, positionals, shell).map_err(|e| e.message)
    });
    let outcome = std::panic::catch_unwind(run).unwrap_or_else(|_| Err(PANICKED.to_string()));
    Analysed {
        outcome,
        too_large: None,
    }
}

/// A word a rule's second token can be compared with by plain equality: no `/` (paths
/// are compared normalised), no pattern character, no space (a glob over the joined argv
/// could then match across words), not empty.
pub fn plain_token(w: &str) -> bool {
    !w.is_empty() && !w.contains(['/', '*', '?', '[', ' ', '\\'])
}

const PANICKED: &str = "internal error while analysing the script (denied to fail closed)";

/// What judging an analysed script reads of its policy ([`Analysed::needs`]), so the
/// lookup can build only that part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// The programs its commands run, as [`Analysed::programs`] gives them.
    pub programs: std::collections::BTreeSet<String>,
    /// Whether some command names a file: only then can a path rule apply.
    pub path_rules: bool,
    /// The frames its commands were reached through (`GIT_SSH_COMMAND=`, `env`, …):
    /// only then can a rule with a `via` refinement naming one of them match.
    pub frames: std::collections::BTreeSet<String>,
}

impl Analysed {
    /// The programs the script runs, when every command's program is a literal name;
    /// `None` otherwise (then every rule is needed). A program whose first argument is a
    /// plain literal word (no `/`, no pattern) comes with it, `git status`: only the
    /// rules for that subcommand (and the program's rules that name none) can match it
    /// (see [`crate::lookup::RuleTexts`]).
    pub fn programs(&self) -> Option<std::collections::BTreeSet<String>> {
        let analysis = self.outcome.as_ref().ok()?;
        let mut out = std::collections::BTreeSet::new();
        for command in &analysis.commands {
            if command.dynamic.is_some() {
                return None;
            }
            let program = command.program()?;
            let sub = command
                .words
                .get(1)
                .and_then(crate::command::Word::lit)
                .filter(|w| plain_token(w));
            out.insert(match sub {
                Some(sub) => format!("{program} {sub}"),
                None => program.to_string(),
            });
        }
        Some(out)
    }
}

impl Analysed {
    /// Whether the script only prints the environment and text: every command is
    /// `env`/`printenv` with options only, `export -p`, `compgen -e`, `printf`, `echo` or
    /// `true` (Copilot's probe falls back to `compgen -e` and `printf`), with
    /// no redirection other than to `/dev/null` or another descriptor, and one of them
    /// prints the environment (`env`, `printf '%s' "$M"; env -0`).
    pub fn only_prints_environment(&self) -> bool {
        let Ok(analysis) = &self.outcome else {
            return false;
        };
        let mut prints = false;
        let every = analysis.commands.iter().all(|cmd| {
            // `command env -0`: the builtin that only skips functions.
            let words = match cmd.words.first().and_then(crate::command::Word::lit) {
                Some("command") => cmd.words.get(1..).unwrap_or(&[]),
                _ => &cmd.words[..],
            };
            let args = words.get(1..).unwrap_or(&[]);
            let options = || {
                args.iter()
                    .all(|a| a.lit().is_some_and(|t| t.starts_with('-')))
            };
            let plain = cmd.dynamic.is_none()
                && cmd.parse_error.is_none()
                && cmd.redirects.iter().all(|r| {
                    r.access == crate::command::RedirectAccess::Write
                        && (r.target.lit() == Some("/dev/null")
                            || r.target
                                .lit()
                                .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit() || c == '-')))
                });
            let program = words
                .first()
                .and_then(crate::command::Word::lit)
                .map(|p| p.rsplit('/').next().unwrap_or(p));
            let fits = match program {
                Some("env" | "printenv") => options(),
                Some("export") => args.iter().all(|a| a.lit() == Some("-p")),
                Some("compgen") => args.iter().all(|a| matches!(a.lit(), Some("-e" | "-v"))),
                // Their words may hold expansions (a marker, `$HOME`): a substitution
                // would be a command of its own, which must fit too.
                Some("printf" | "echo") => true,
                Some("true" | ":") => true,
                _ => false,
            };
            prints |= matches!(program, Some("env" | "printenv" | "export"));
            plain && fits
        });
        every && prints && !analysis.commands.is_empty()
    }

    /// What its judgement reads of a policy: the rules of its programs, and the path
    /// rules only when a command names a file. `None` when every rule may be needed
    /// ([`Analysed::programs`]). SECURITY: [`evaluate`] asks the path rules only through
    /// [`crate::paths::judge`], for the analysis's direct commands and interpreter
    /// strings, and that answers
    /// nothing for a command without file operands, whatever the rules; so a policy
    /// without path rules judges a script whose commands name no file as the whole
    /// policy would.
    pub fn needs(&self) -> Option<Needs> {
        let programs = self.programs()?;
        let analysis = self.outcome.as_ref().ok()?;
        let path_rules = analysis.commands.iter().any(|c| {
            matches!(c.via, Via::Direct | Via::InterpreterString | Via::Container)
                && !crate::paths::operands(c).is_empty()
        });
        let frames = analysis
            .commands
            .iter()
            .flat_map(|c| c.frames.iter().cloned())
            .collect();
        Some(Needs {
            programs,
            path_rules,
            frames,
        })
    }
}

/// Judges an [`Analysed`] script.
pub fn judge_analysed(
    analysed: &Analysed,
    policy: &Policy,
    start: &Path,
    repo: &dyn RepoState,
) -> Evaluation {
    if let Some(len) = analysed.too_large {
        return too_large(len);
    }
    match &analysed.outcome {
        Ok(analysis) => {
            let run = std::panic::AssertUnwindSafe(|| evaluate(analysis, policy, start, repo));
            std::panic::catch_unwind(run).unwrap_or_else(|_| Evaluation {
                decision: Decision::Deny,
                commands: Vec::new(),
                parse_error: Some(PANICKED.into()),
            })
        }
        Err(message) if message == PANICKED => Evaluation {
            decision: Decision::Deny,
            commands: Vec::new(),
            parse_error: Some(PANICKED.into()),
        },
        Err(message) => unparsable(message),
    }
}
