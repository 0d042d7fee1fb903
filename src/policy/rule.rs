//! Compiled rules and how one rule matches one simple command.
//!
//! Matching is three-valued: a rule matches a command [`Match::Yes`], [`Match::No`], or
//! [`Match::Possible`] — it would match for some value of a word only known at run time.
//! The engine lets a possible deny or request ask a human, and never lets a possible
//! allow allow.

use std::path::{Component, Path, PathBuf};

use super::Decision;
use super::condition::Condition;
use super::glob::Glob;
use super::options::{self, Letter, ShortOptions, bundle_letters};
use crate::command::Word;

/// Three-valued match result, ordered No < Possible < Yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// The rule does not match for any value of the unknown words.
    No,
    /// The rule matches for some values of the unknown words.
    Possible,
    /// The rule matches.
    Yes,
}

impl Match {
    /// Both must hold.
    fn and(self, other: Match) -> Match {
        self.min(other)
    }
}

/// How a rule's pattern is compared with a command.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// The argv equals these words.
    Exact(Vec<String>),
    /// The argv starts with these words, token by token.
    Prefix(Vec<String>),
    /// `fnmatchcase` over the argv joined by single spaces (the reference's semantics).
    Glob(Glob),
}

impl Matcher {
    /// The program name this matcher can only match, when it has one: used to index.
    pub fn program(&self) -> Option<String> {
        let first = match self {
            Matcher::Exact(w) | Matcher::Prefix(w) => w.first()?.clone(),
            Matcher::Glob(g) => {
                let prefix = g.literal_prefix();
                // Only a complete first word (followed by a space, or the whole pattern)
                // names the program.
                let (word, rest) = match prefix.split_once(' ') {
                    Some((w, _)) => (w, true),
                    None => (prefix, prefix.len() == g.pattern().len()),
                };
                if !rest || word.is_empty() {
                    return None;
                }
                word.to_string()
            }
        };
        Some(basename(&first).to_string())
    }

    /// The matcher's name in bundles.
    pub fn kind(&self) -> &'static str {
        match self {
            Matcher::Exact(_) => "exact",
            Matcher::Prefix(_) => "prefix",
            Matcher::Glob(_) => "glob",
        }
    }
}

/// Extra conditions on the arguments after the matched prefix (our extension).
#[derive(Debug, Clone, Default)]
pub struct Refinements {
    /// At least one of these options is present.
    pub flags: Vec<String>,
    /// At least one argument matches one of these path globs ([`Glob::new_path`]: `*`
    /// stops at `/`, `**` crosses it, so `/*` is not every resolved relative path).
    pub args: Vec<Glob>,
    /// None of these options is present (carve-outs).
    pub unless_flags: Vec<String>,
    /// A literal argument matching one of these never counts for `args` (`.env.example`
    /// beside `.env.*`). Only literal arguments are excepted: a word only known at run
    /// time could still be a matching one.
    pub except_args: Vec<Glob>,
    /// The program, by basename, is one of these (a family of readers: `cat`, `less`, …,
    /// in one rule instead of one rule each).
    pub programs: Vec<String>,
    /// The command was reached through one of these frames (`GIT_SSH_COMMAND=`: the
    /// variable's value, which git runs as a command), whether the variable was set by an
    /// assignment prefix, `env` or `export`.
    pub via: Vec<String>,
}

impl Refinements {
    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
            && self.args.is_empty()
            && self.unless_flags.is_empty()
            && self.programs.is_empty()
            && self.via.is_empty()
    }
}

/// Where a rule was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The scope slot (`system`, `repo`, …).
    pub scope: String,
    /// The file it came from.
    pub path: String,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id (from the file, or derived like the reference's `static-deny:…`).
    pub id: String,
    /// What the rule gives when it matches (and its conditions hold).
    pub action: Decision,
    /// What it gives when its conditions do not hold; `None` gives nothing.
    pub on_mismatch: Option<Decision>,
    /// How the pattern is compared.
    pub matcher: Matcher,
    /// The pattern as written.
    pub pattern: String,
    /// Argument refinements.
    pub refinements: Refinements,
    /// Conditions; `None` when unconditional.
    pub condition: Option<Condition>,
    /// Where it was written.
    pub origin: Origin,
    /// The reference's `source` field (e.g. `command_rules`).
    pub source: String,
    /// Why the rule exists, for messages.
    pub reason: Option<String>,
    /// A safe alternative to suggest when the rule refuses.
    pub alternative: Option<String>,
    /// A human's grant may override this rule's deny (`exceptions: allowed`).
    pub exceptions_allowed: bool,
    /// Commands the rule must match.
    pub examples_match: Vec<String>,
    /// Commands the rule must not match.
    pub examples_not_match: Vec<String>,
}

/// Basename of a program path.
pub fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Directories from which a path-qualified program may be matched by allow rules.
pub const SYSTEM_DIRS: [&str; 5] = ["/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin"];

/// Lexically normalises a path-like word: `//` and `/./` collapse, `..` pops, a trailing
/// `/` goes (`rm -rf //` is about `/`). Not path-like words come back unchanged.
pub fn normalize_path(word: &str) -> String {
    if !word.contains('/') || word.contains("://") {
        return word.to_string();
    }
    // `/proc/self/root/…` is the root directory seen through procfs.
    if let Some(rest) = word
        .strip_prefix("/proc/self/root")
        .or_else(|| word.strip_prefix("/proc/thread-self/root"))
        && (rest.is_empty() || rest.starts_with('/'))
    {
        return normalize_path(&format!("/{rest}"));
    }
    let mut out = PathBuf::new();
    let absolute = word.starts_with('/');
    let mut depth = 0usize;
    for c in Path::new(word).components() {
        match c {
            Component::RootDir => out.push("/"),
            Component::CurDir => {}
            Component::ParentDir => {
                if depth > 0 {
                    out.pop();
                    depth -= 1;
                } else if !absolute {
                    out.push("..");
                }
            }
            Component::Normal(p) => {
                out.push(p);
                depth += 1;
            }
            Component::Prefix(_) => {}
        }
    }
    let s = out.to_string_lossy().to_string();
    if s.is_empty() { ".".to_string() } else { s }
}

/// Compares one pattern token with one word.
fn token(pattern: &str, word: &Word, position: usize) -> Match {
    match word {
        Word::Lit(w) => {
            let same = if position == 0 && !pattern.contains('/') {
                basename(w) == pattern
            } else {
                w == pattern || normalize_path(w) == normalize_path(pattern)
            };
            if same { Match::Yes } else { Match::No }
        }
        Word::Glob(g) => {
            if g == pattern {
                Match::Yes
            } else if Glob::new(g).is_ok_and(|glob| glob.matches(pattern)) {
                Match::Possible
            } else {
                Match::No
            }
        }
        Word::Unknown { .. } => {
            if could_be(word, pattern) {
                Match::Possible
            } else {
                Match::No
            }
        }
    }
}

/// What is known of an unknown word, as a glob; `None` when nothing useful is known.
/// SECURITY: a pattern whose value lexical path normalisation could rewrite (`*/.`,
/// `*//x`, a trailing `/`) constrains nothing, because rules compare normalised forms.
fn known_shape(word: &Word) -> Option<Glob> {
    // A word that may split has a pattern other than `*` only when each field has that
    // shape (a listing's names: `$(find src -name '*.rs')`).
    let Word::Unknown { pattern, .. } = word else {
        return None;
    };
    if pattern == "*" || pattern.contains("/.") || pattern.contains("//") || pattern.ends_with('/')
    {
        return None;
    }
    Glob::new(pattern).ok()
}

/// A bash glob with each component that starts with `*` or `?` made to start with a
/// character other than `.` (or `/`, which no bash wildcard matches): without `dotglob` (the walk makes globs unknown in a script
/// that may turn it on) bash matches a leading dot only when the pattern spells it, so
/// `build/*` never names `build/.git`.
fn without_leading_dots(glob: &str) -> String {
    glob.split('/')
        .map(|c| {
            if c.starts_with("**") {
                // An extglob group that spells a dot (`?(.)git` → `**git`).
                c.to_string()
            } else if let Some(rest) = c.strip_prefix('*') {
                format!("[!./]*{rest}")
            } else if let Some(rest) = c.strip_prefix('?') {
                format!("[!./]{rest}")
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether an unknown word known to lie outside every `.git` directory is kept from
/// `pattern` by that alone: a component of `pattern` is `.git` itself.
fn kept_out_of_git(word: &Word, pattern: &str) -> bool {
    matches!(
        word,
        Word::Unknown {
            outside_git: true,
            ..
        }
    ) && pattern.split('/').any(|c| c == ".git")
}

/// Whether an unknown word could take the literal value `value`.
fn could_be(word: &Word, value: &str) -> bool {
    if kept_out_of_git(word, value) {
        return false;
    }
    // A word that assigns a variable (`PATH="$HOME/bin:$PATH"` given to `export`) is
    // never a value that does not start with that assignment (`-p`).
    if let Word::Unknown {
        pattern,
        split: false,
        ..
    } = word
        && let Some(have) = assigned_name(pattern)
        && assigned_name(value) != Some(have)
    {
        return false;
    }
    match known_shape(word) {
        Some(shape) => shape.matches(value) || shape.matches(&normalize_path(value)),
        None => true,
    }
}

/// The variable an environment assignment sets (`NAME` of `NAME=…`), when `text` starts
/// with one.
fn assigned_name(text: &str) -> Option<&str> {
    let (name, _) = text.split_once('=')?;
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some(name)
}

/// Whether an unknown word could match the glob `g`.
fn could_match(word: &Word, g: &Glob) -> bool {
    // A word that assigns one variable (`PATH="$HOME/bin:$PATH"` given to `export` or
    // `env`) never sets another: a rule's `NAME=…` argument is an assignment, compared as
    // one, not as a path whose lexical forms (`PATH=x/../GIT_SSH=y`) could differ.
    if let Word::Unknown {
        pattern,
        split: false,
        ..
    } = word
        && let (Some(have), Some(want)) =
            (assigned_name(pattern), assigned_name(g.literal_prefix()))
        && have != want
    {
        return false;
    }
    if kept_out_of_git(word, g.pattern()) {
        return false;
    }
    match known_shape(word) {
        Some(shape) => shape.intersects(g),
        None => true,
    }
}

impl Rule {
    /// The program names this rule can only match (for the index): the matcher's own, or
    /// else its `programs` refinement; empty when it may match any program.
    pub fn programs(&self) -> Vec<String> {
        match self.matcher.program() {
            Some(p) => vec![p],
            None => self.refinements.programs.clone(),
        }
    }

    /// For a rule without [`Rule::programs`] whose pattern is a glob starting with part
    /// of a program name (`mkfs*`): that part. Every command it can match has a program
    /// whose basename starts with it: [`glob_argv`] compares the basename, then a space,
    /// then the arguments (known or as a pattern), and the prefix holds no space or `/`.
    pub fn program_prefix(&self) -> Option<&str> {
        let Matcher::Glob(g) = &self.matcher else {
            return None;
        };
        let prefix = g.literal_prefix();
        (self.programs().is_empty() && !prefix.is_empty() && !prefix.contains([' ', '/']))
            .then_some(prefix)
    }

    /// How this rule matches a command's words.
    pub fn matches(&self, words: &[Word]) -> Match {
        self.matches_in(words, &Place::default())
    }

    /// How this rule matches a command run in a known place: path arguments are also
    /// compared resolved against the directory and the home directory.
    pub fn matches_in(&self, words: &[Word], place: &Place) -> Match {
        let (base, consumed) = match &self.matcher {
            Matcher::Exact(p) => (token_seq(p, words, true), p.len()),
            Matcher::Prefix(p) => (token_seq(p, words, false), p.len()),
            Matcher::Glob(g) => (glob_argv(g, words), 1),
        };
        if base == Match::No || self.refinements.is_empty() {
            return base;
        }
        let rest = words.get(consumed.min(words.len())..).unwrap_or(&[]);
        let base = if self.refinements.programs.is_empty() {
            base
        } else {
            base.and(program_in(&self.refinements.programs, words.first()))
        };
        let via = &self.refinements.via;
        if !via.is_empty() && !place.frames.iter().any(|f| via.contains(f)) {
            return Match::No;
        }
        // Short-option bundles are read the way the program reads them when its options
        // are known (`git checkout -qbfeature` holds no `-f`).
        let options = match words {
            [Word::Lit(program), rest @ ..] => {
                options::lookup(basename(program), rest.first().and_then(Word::lit))
            }
            _ => None,
        };
        base.and(self.refine(rest, place, options.as_ref()))
    }

    fn refine(&self, args: &[Word], place: &Place, options: Option<&ShortOptions>) -> Match {
        let r = &self.refinements;
        let mut result = Match::Yes;
        if !r.flags.is_empty() {
            result = result.and(any_flag(&r.flags, args, options));
        }
        if !r.args.is_empty() {
            result = result.and(any_arg(&r.args, &r.except_args, args, place));
        }
        if !r.unless_flags.is_empty() && carve_out(&r.unless_flags, &r.flags, args, options) {
            result = Match::No;
        }
        result
    }
}

/// Whether the program word is one of `programs` (compared by basename); a word only
/// known at run time possibly is.
fn program_in(programs: &[String], word: Option<&Word>) -> Match {
    match word {
        None => Match::No,
        Some(w) => programs
            .iter()
            .map(|p| token(p, w, 0))
            .max()
            .unwrap_or(Match::No),
    }
}

/// Exact or prefix comparison, token by token. A word that may split into several fields
/// makes every later position uncertain.
fn token_seq(pattern: &[String], words: &[Word], exact: bool) -> Match {
    let mut result = Match::Yes;
    for (i, p) in pattern.iter().enumerate() {
        let Some(w) = words.get(i) else {
            return Match::No;
        };
        if w.may_split() {
            // It may stand for any number of words, including this one and the rest.
            return if token(p, w, i) == Match::No && matches!(w, Word::Glob(_)) {
                Match::No
            } else {
                Match::Possible
            };
        }
        result = result.and(token(p, w, i));
        if result == Match::No {
            return Match::No;
        }
    }
    if exact && words.len() != pattern.len() {
        return if words.iter().skip(pattern.len()).all(Word::may_split) {
            result.and(Match::Possible)
        } else {
            Match::No
        };
    }
    result
}

/// Glob over the joined argv. With unknown words the known text before the first one
/// must be consistent with the glob's literal prefix for a possible match.
fn glob_argv(g: &Glob, words: &[Word]) -> Match {
    let known: Option<Vec<String>> = words
        .iter()
        .enumerate()
        .map(|(i, w)| match w {
            Word::Lit(s) if i == 0 => Some(basename(s).to_string()),
            Word::Lit(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    if let Some(known) = known {
        let joined = known.join(" ");
        if g.matches(&joined) {
            return Match::Yes;
        }
        // Also try the normalised path form of each word.
        let normalized: Vec<String> = known.iter().map(|w| normalize_path(w)).collect();
        return if g.matches(&normalized.join(" ")) {
            Match::Yes
        } else {
            Match::No
        };
    }
    // Some words are only partly known: the argv is then itself a pattern (literal words
    // escaped, unknown ones as what is known of them, words that may split as `*`), and
    // the rule could match exactly when the two patterns share a string.
    let mut pattern = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            pattern.push(' ');
        }
        match w {
            Word::Lit(s) => escape_into(&mut pattern, if i == 0 { basename(s) } else { s }),
            Word::Glob(_) | Word::Unknown { split: true, .. } => pattern.push('*'),
            Word::Unknown { pattern: p, .. } => pattern.push_str(p),
        }
    }
    match Glob::new(&pattern) {
        Ok(argv) if !argv.intersects(g) => Match::No,
        _ => Match::Possible,
    }
}

/// Appends literal text to an fnmatch pattern, escaping its metacharacters.
pub fn escape_into(pattern: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[') {
            pattern.push('[');
            pattern.push(c);
            pattern.push(']');
        } else {
            pattern.push(c);
        }
    }
}

/// Whether any of `flags` is present among `args`, recognising bundled short options
/// (`-uf` ⊇ `-f`), `--opt=value`, and unambiguous long-option abbreviations (`--forc`).
/// Options after `--` are operands, not flags.
fn any_flag(flags: &[String], args: &[Word], options: Option<&ShortOptions>) -> Match {
    let mut result = Match::No;
    for arg in args {
        match arg {
            Word::Lit(a) => {
                if a == "--" {
                    break;
                }
                if flags.iter().any(|f| flag_present(f, a, options)) {
                    return Match::Yes;
                }
            }
            Word::Glob(a) => {
                if flags.iter().any(|f| flag_present(f, a, None)) {
                    return Match::Yes;
                }
                if flags.iter().any(|f| glob_could_be_flag(a, f)) {
                    result = Match::Possible;
                }
            }
            Word::Unknown { .. } => {
                // It could be an option only if it could start with `-`.
                if DASH.as_ref().is_none_or(|dash| could_match(arg, dash)) {
                    result = Match::Possible;
                }
            }
        }
    }
    result
}

/// `--abbr[=value]` completed to the long option the glob `g` names, when `abbr` is a
/// proper prefix of it (`--pru=now` against `--prune=now` is `--prune=now`).
fn completed_option(arg: &str, g: &Glob) -> Option<String> {
    let given = arg.strip_prefix("--")?;
    let (name, value) = match given.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (given, None),
    };
    let long = g.literal_prefix().strip_prefix("--")?;
    let end = long
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(long.len());
    let option = long.get(..end)?;
    if name.is_empty() || name.len() >= option.len() || !option.starts_with(name) {
        return None;
    }
    Some(match value {
        Some(v) => format!("--{option}={v}"),
        None => format!("--{option}"),
    })
}

/// Whether a glob word could expand to a file name that spells `flag`: for `-x`, a bundle
/// of letters and digits after one dash holding `x` (so `*.log`, whose `.` no bundle
/// has, cannot be `-r`); for `--name`, `--name` or an abbreviation of it, or
/// `--name=…` when the glob itself holds a literal `=`. A glob starting with a literal
/// other than `-` never is an option.
fn glob_could_be_flag(glob: &str, flag: &str) -> bool {
    let Ok(own) = Glob::new(glob) else {
        return true;
    };
    let could = |pattern: &str| Glob::new(pattern).is_ok_and(|g| own.intersects(&g));
    if let Some(long) = flag.strip_prefix("--") {
        let mut prefixes = (1..=long.len()).filter_map(|n| long.get(..n));
        return prefixes.any(|p| could(&format!("--{}", escaped(p))))
            || (literal_chars(glob).contains(&'=') && could(&format!("--{}=*", escaped(long))));
    }
    let Some(short) = flag.strip_prefix('-') else {
        return could(&escaped(flag));
    };
    if short.chars().count() != 1 {
        return could(&escaped(flag));
    }
    // Every literal character after a leading `-` must fit in a bundle.
    let literals = literal_chars(glob.strip_prefix('-').unwrap_or(glob));
    literals.iter().all(char::is_ascii_alphanumeric) && could(&format!("-*{}*", escaped(short)))
}

/// The characters of a glob outside wildcards and bracket expressions.
fn literal_chars(glob: &str) -> Vec<char> {
    let mut out = Vec::new();
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => {}
            '[' => {
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                }
            }
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// Literal text as an fnmatch pattern.
fn escaped(text: &str) -> String {
    let mut out = String::new();
    escape_into(&mut out, text);
    out
}

/// Whether a carve-out (`unless_flags`) certainly applies.
///
/// SECURITY: a carve-out weakens a rule, so it is read strictly: the option must be
/// spelled exactly as listed (no abbreviation, no bundle), a later `--no-…` negation
/// cancels it (`--dry-run --no-dry-run`), so does a later value of an option it names
/// with a value (`--dry-run=client --dry-run=none`), and a word right after an option we cannot
/// read may be that option's value (`-o -n` is push option `-n`), so it does not count.
/// An unknown word that could be `--dry-run` does not count either.
fn carve_out(
    unless: &[String],
    flags: &[String],
    args: &[Word],
    options: Option<&ShortOptions>,
) -> bool {
    let mut present = false;
    let mut previous: Option<&str> = None;
    for arg in args {
        let Word::Lit(a) = arg else {
            previous = None;
            continue;
        };
        if a == "--" {
            break;
        }
        let after_readable = previous.is_none_or(|p| {
            !p.starts_with('-')
                || p.contains('=')
                || flags.iter().chain(unless).any(|f| f == p)
                || options.is_some_and(|o| takes_no_next_word(p, o))
        });
        // The first letter of a short bundle is always an option (`-nf` is -n -f); later
        // letters may be an earlier letter's value (`-on`) unless the program's options
        // are known (`git clean -dn` is -d -n).
        let in_bundle = |u: &String| {
            let Some(letter) = short_letter(u) else {
                return false;
            };
            let Some(bundle) = a.strip_prefix('-').filter(|b| !b.starts_with('-')) else {
                return false;
            };
            match options.filter(|o| o.letter(letter) != Letter::Unknown) {
                // Every letter bundle_letters reads before the last is one without a value.
                Some(o) => bundle_letters(bundle, o).0.contains(&letter),
                None => {
                    bundle.starts_with(letter) && bundle.chars().all(|c| c.is_ascii_alphanumeric())
                }
            }
        };
        if unless.iter().any(|u| u == a || in_bundle(u)) && after_readable {
            present = true;
        }
        if let Some(negated) = a.strip_prefix("--no-")
            && unless.iter().any(|u| u.strip_prefix("--") == Some(negated))
        {
            present = false;
        }
        // A later value of an option the carve-out names with a value replaces it:
        // command lines take the last one (`kubectl delete ns x --dry-run=client
        // --dry-run=none` deletes). An abbreviation of the option counts too.
        if !unless.iter().any(|u| u == a)
            && let Some(given) = a.strip_prefix("--")
        {
            let given = given.split_once('=').map_or(given, |(n, _)| n);
            let replaces = |u: &String| {
                u.strip_prefix("--")
                    .and_then(|o| o.split_once('='))
                    .is_some_and(|(name, _)| !given.is_empty() && name.starts_with(given))
            };
            if unless.iter().any(replaces) {
                present = false;
            }
        }
        previous = Some(a);
    }
    present
}

/// The letter of a one-letter option (`-n` → `n`).
fn short_letter(option: &str) -> Option<char> {
    let mut chars = option.strip_prefix('-')?.chars();
    let letter = chars.next().filter(|c| *c != '-')?;
    chars.next().is_none().then_some(letter)
}

/// Whether an option word is whole by itself, so the next word is not its value: a long
/// option that takes no value, or a short bundle whose options are known and whose last
/// option, if it takes a value, has it attached.
fn takes_no_next_word(word: &str, options: &ShortOptions) -> bool {
    if !options.dashed_values {
        return true;
    }
    if word.starts_with("--") {
        return word.len() > 2 && !options.long_takes_next_word(word);
    }
    let Some(bundle) = word.strip_prefix('-').filter(|b| !b.is_empty()) else {
        return false;
    };
    let (letters, read) = bundle_letters(bundle, options);
    let attached = letters.len() < bundle.chars().count();
    read && letters
        .last()
        .is_some_and(|c| options.letter(*c) == Letter::Plain || attached)
}

/// Anything starting with a dash (`None` cannot happen: the pattern is valid).
static DASH: std::sync::LazyLock<Option<Glob>> = std::sync::LazyLock::new(|| Glob::new("-*").ok());

fn flag_present(flag: &str, arg: &str, options: Option<&ShortOptions>) -> bool {
    if let Some(long) = flag.strip_prefix("--") {
        let Some(given) = arg.strip_prefix("--") else {
            return false;
        };
        let (given, given_value) = match given.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (given, None),
        };
        // `--request=DELETE` names the option with that value: `--request GET` is not it.
        let (long, value) = match long.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (long, None),
        };
        if value.is_some() && given_value != value {
            return false;
        }
        if given == long {
            return true;
        }
        // An abbreviation (git and getopt_long accept any unambiguous prefix, even one
        // letter: `git push --m` is `--mirror`). We cannot know the program's other
        // options, so any prefix counts: that over-matches, which is safe for `flags`.
        !given.is_empty() && long.starts_with(given)
    } else if let Some(short) = flag.strip_prefix('-') {
        if arg.starts_with("--") || !arg.starts_with('-') {
            return false;
        }
        if short.chars().count() != 1 {
            return arg == flag;
        }
        let bundle = arg.get(1..).unwrap_or_default();
        // Read as the program reads it: letters after one that takes a value are that
        // value. Past a letter the table does not know, every letter still counts.
        if let Some(o) = options
            && let (letters, true) = bundle_letters(bundle, o)
        {
            return short.chars().all(|c| letters.contains(&c));
        }
        arg == flag || bundle.chars().all(|c| c.is_ascii_alphanumeric()) && bundle.contains(short)
    } else {
        arg == flag
    }
}

/// A glob word with its last path segment widened to `*` when that segment has
/// wildcards, after lexical normalisation: the set of entries it can name in that
/// directory, written the way rules name it (`/[a-z]*` → `/*`).
fn canonical_glob(word: &str) -> String {
    let normalized = normalize_path(word);
    let (dir, last) = match normalized.rsplit_once('/') {
        Some((d, l)) => (Some(d), l),
        None => (None, normalized.as_str()),
    };
    if !last.contains(['*', '?', '[']) {
        return normalized;
    }
    match dir {
        Some(d) => format!("{d}/*"),
        None => "*".to_string(),
    }
}

/// Where a command runs, for resolving its path arguments.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// The absolute directory it runs in, when known.
    pub dir: Option<PathBuf>,
    /// The home directory `~` stands for, when known.
    pub home: Option<PathBuf>,
    /// The frames that led to the command, outermost first (`["env", "GIT_SSH_COMMAND="]`).
    pub frames: Vec<String>,
}

impl Place {
    /// The forms a path argument is compared in: as written, normalised, resolved to an
    /// absolute path (against the directory, `~` against home), that absolute path
    /// written with `~` when it lies in the home directory, and `.` for the directory
    /// itself or `..` for any directory above it — so `rm -rf ~/..`,
    /// `rm -rf /root` (HOME=/root) and `cd .git && rm -rf objects` meet rules about `/`,
    /// `~` and `.git`.
    /// The patterns a glob word's expansions are compared in. Where the directory is
    /// known, a glob expands to existing names, and its `*` never crosses `/` (bash's
    /// pathname expansion): so the glob itself and its absolute form (resolved against
    /// the directory or home) are read as path globs, with `~` when that lies in home,
    /// and `.` or `..` when it can name the directory or one above it (`rm -rf /work/*`
    /// run in /work/repo removes the repository). In a directory only known at run time,
    /// `*` may stand for any text, as in a word only known at run time.
    fn glob_forms(&self, word: &str) -> Vec<Glob> {
        let normalized = without_leading_dots(&normalize_path(word));
        let Some(dir) = &self.dir else {
            return Glob::new(&normalized).into_iter().collect();
        };
        let escaped = |path: &Path| {
            let mut pattern = String::new();
            escape_into(&mut pattern, &normalize_path(&path.display().to_string()));
            pattern
        };
        let absolute = match normalized.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                self.home.as_ref().map(|h| format!("{}{rest}", escaped(h)))
            }
            Some(_) => None,
            None if normalized.starts_with('/') => Some(normalized.clone()),
            None => Some(normalize_path(&format!("{}/{normalized}", escaped(dir)))),
        };
        let mut forms = vec![normalized];
        if let Some(abs) = absolute {
            if let Some(home) = &self.home
                && let Some(rest) = abs.strip_prefix(&escaped(home))
                && rest.starts_with('/')
            {
                forms.push(format!("~{rest}"));
            }
            if let Ok(g) = Glob::new_path(&abs) {
                let dir = Path::new(&normalize_path(&dir.display().to_string())).to_path_buf();
                let text = |p: &Path| p.display().to_string();
                if g.matches(&text(&dir)) {
                    forms.push(".".to_string());
                }
                if dir.ancestors().skip(1).any(|a| g.matches(&text(a))) {
                    forms.push("..".to_string());
                }
            }
            forms.push(abs);
        }
        forms
            .iter()
            .filter_map(|f| Glob::new_path(f).ok())
            .collect()
    }

    fn forms(&self, arg: &str) -> Vec<String> {
        // A URL is not a path: resolving `http://h/x` against the directory would only
        // make forms that no URL pattern means.
        if arg.contains("://") {
            return vec![arg.to_string()];
        }
        // `/dev/fd` is `/proc/self/fd`, so `/dev/fd/..` is `/proc/self`; and
        // `/proc/self/cwd` is the directory the command runs in.
        let procfs = match arg.strip_prefix("/dev/fd/") {
            Some(rest) => normalize_path(&format!("/proc/self/fd/{rest}")),
            None if arg.starts_with("/proc/") => normalize_path(arg),
            None => arg.to_string(),
        };
        let cwd_rest = procfs
            .strip_prefix("/proc/self/cwd")
            .or_else(|| procfs.strip_prefix("/proc/thread-self/cwd"));
        let arg = match (cwd_rest, &self.dir) {
            (Some(rest), Some(dir)) if rest.is_empty() || rest.starts_with('/') => {
                format!("{}{rest}", dir.display())
            }
            _ => arg.to_string(),
        };
        let arg = arg.as_str();
        let mut forms = vec![arg.to_string(), normalize_path(arg)];
        let absolute = match (arg.strip_prefix('~'), &self.home, &self.dir) {
            (Some(rest), Some(home), _) if rest.is_empty() || rest.starts_with('/') => {
                Some(format!("{}{rest}", home.display()))
            }
            (Some(_), _, _) => None,
            (None, _, _) if arg.starts_with('/') => Some(arg.to_string()),
            (None, _, Some(dir)) if !arg.starts_with('-') => {
                Some(dir.join(arg).display().to_string())
            }
            _ => None,
        };
        if let Some(abs) = absolute.map(|a| normalize_path(&a)) {
            // The directory itself is `.`, any directory above it `..`: `git restore
            // /abs/top` from the top is `git restore .`, and `rm -rf /abs/top` from
            // a subdirectory removes a parent (and the repository it holds).
            if let Some(dir) = &self.dir {
                let dir = normalize_path(&dir.display().to_string());
                if abs == dir {
                    forms.push(".".to_string());
                } else if Path::new(&dir).starts_with(&abs) {
                    forms.push("..".to_string());
                }
            }
            if let Some(home) = &self.home
                && let Some(rest) = Path::new(&abs).strip_prefix(home).ok()
            {
                let rest = rest.display().to_string();
                forms.push(if rest.is_empty() {
                    "~".to_string()
                } else {
                    format!("~/{rest}")
                });
            }
            forms.push(abs);
        }
        forms
    }
}

/// Whether any argument matches one of `globs` (also in normalised and resolved forms);
/// a literal argument's form that matches one of `except` does not count.
fn any_arg(globs: &[Glob], except: &[Glob], args: &[Word], place: &Place) -> Match {
    let mut result = Match::No;
    for arg in args {
        match arg {
            Word::Lit(a) => {
                // A form counts when it matches `args` and, itself, no `except_args`:
                // `~/.cache/x` is excepted as `~/.cache/*` even though its absolute
                // form is not, and `~/.ssh/k` is not excepted by `/tmp/*` when the home
                // directory happens to be under /tmp.
                let forms = place.forms(a);
                if forms.iter().any(|f| {
                    globs.iter().any(|g| g.matches(f)) && !except.iter().any(|g| g.matches(f))
                }) {
                    return Match::Yes;
                }
                // `--pru=now` is `--prune=now` to git and getopt_long (any unambiguous
                // prefix): an abbreviated long option counts for an argument naming the
                // whole option, as it does for `flags`.
                if globs.iter().any(|g| {
                    completed_option(a, g).is_some_and(|full| {
                        g.matches(&full) && !except.iter().any(|e| e.matches(&full))
                    })
                }) {
                    return Match::Yes;
                }
            }
            Word::Glob(a) => {
                // `/[a-z]*`, `//*` and `/./*` all expand to every top-level entry: the
                // same as `/*`, which is what a rule about `/*` means.
                let canonical = canonical_glob(a);
                if globs.iter().any(|g| g.matches(a) || g.matches(&canonical)) {
                    return Match::Yes;
                }
                // Could it expand to a name the rule matches (`./.gi[t]` → `.git`)? A
                // rule's `~…` is the home directory: only the glob's `~/…` form (when it
                // lies there) meets it, not a file named `~` that `*` may expand to.
                let home_rule = |g: &Glob| g.pattern().starts_with('~');
                if globs.iter().any(|g| {
                    place
                        .glob_forms(a)
                        .iter()
                        .any(|o| o.intersects(g) && (!home_rule(g) || home_rule(o)))
                }) {
                    result = Match::Possible;
                }
            }
            Word::Unknown { .. } => {
                if globs.iter().any(|g| could_match(arg, g)) {
                    result = Match::Possible;
                }
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("//", "/")]
    #[case("/./", "/")]
    #[case("/tmp/../", "/")]
    #[case("./.git/", ".git")]
    #[case("a//b/./c", "a/b/c")]
    #[case("plain", "plain")]
    fn paths_normalise_lexically(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(normalize_path(raw), want);
    }

    #[rstest]
    #[case("--force", "--force", true)]
    #[case("--force", "--force=yes", true)]
    #[case("--force", "--forc", true)]
    #[case("--force", "--f", true)]
    #[case("--force", "--x", false)]
    #[case("-f", "-uf", true)]
    #[case("-f", "-f", true)]
    #[case("-f", "--follow", false)]
    #[case("-f", "-u", false)]
    #[case("--request=DELETE", "--request", false)]
    #[case("--request=DELETE", "--request=GET", false)]
    #[case("--request=DELETE", "--request=DELETE", true)]
    #[case("--request=DELETE", "--req=DELETE", true)]
    fn flag_spellings(#[case] flag: &str, #[case] arg: &str, #[case] present: bool) {
        assert_eq!(flag_present(flag, arg, None), present);
    }

    /// Rules refined by flags and carve-outs, judged on commands whose short options are
    /// known (git) and unknown (a made-up program): a bundle is read the way the program
    /// reads it only in the first case.
    #[rstest]
    #[case::value_hides_the_letter("git checkout -qbfeature", &["-f"], &[], Match::No)]
    #[case::letter_before_the_value("git checkout -fbfeature", &["-f"], &[], Match::Yes)]
    #[case::bundle_of_plain_letters("git checkout -qf main", &["-f"], &[], Match::Yes)]
    #[case::unknown_letter_counts_all("git checkout -Zqf main", &["-f"], &[], Match::Yes)]
    #[case::unknown_program_over_matches("tool -qbfeature", &["-f"], &[], Match::Yes)]
    #[case::carve_out_inside_a_bundle("git clean -dn", &[], &["-n"], Match::No)]
    #[case::carve_out_after_force("git clean -fdn", &[], &["-n"], Match::No)]
    #[case::carve_out_is_a_value("git clean -en", &[], &["-n"], Match::Yes)]
    #[case::carve_out_next_word_is_a_value("git clean -e -n", &[], &["-n"], Match::Yes)]
    #[case::carve_out_after_whole_bundle("git clean -fd -n", &[], &["-n"], Match::No)]
    #[case::carve_out_behind_unknown("git clean -Zn", &[], &["-n"], Match::Yes)]
    #[case::carve_out_of_unknown_program("tool -dn", &[], &["-n"], Match::Yes)]
    #[case::kubectl_boolean_before_carve_out("kubectl delete pods --all --dry-run=client", &[], &["--dry-run=client"], Match::No)]
    #[case::kubectl_value_before_carve_out("kubectl delete pods -n --dry-run=client", &[], &["--dry-run=client"], Match::Yes)]
    #[case::kubectl_long_value_before_carve_out("kubectl delete pods --namespace --dry-run=client", &[], &["--dry-run=client"], Match::Yes)]
    #[case::argparse_never_takes_an_option_as_value("aws s3 rm s3://b/ --recursive --dryrun", &[], &["--dryrun"], Match::No)]
    #[case::unknown_program_long_before_carve_out("tool --all --dry-run", &[], &["--dry-run"], Match::Yes)]
    #[case::valued_carve_out_later_in_bundle("git checkout -fbfeature", &["-f"], &["-b"], Match::No)]
    fn bundles_are_read_as_the_program_reads_them(
        #[case] command: &str,
        #[case] flags: &[&str],
        #[case] unless: &[&str],
        #[case] want: Match,
    ) {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        let r = rule(Refinements {
            flags: strings(flags),
            unless_flags: strings(unless),
            ..Refinements::default()
        });
        assert_eq!(r.matches(&lits(command)), want, "{command}");
    }

    fn lits(words: &str) -> Vec<Word> {
        words.split(' ').map(|w| Word::Lit(w.to_string())).collect()
    }

    fn rule(refinements: Refinements) -> Rule {
        Rule {
            id: "r".into(),
            action: Decision::Request,
            on_mismatch: None,
            matcher: Matcher::Glob(Glob::new("*").unwrap()),
            pattern: "*".into(),
            refinements,
            condition: None,
            origin: Origin::default(),
            source: "command_rules".into(),
            reason: None,
            alternative: None,
            exceptions_allowed: false,
            examples_match: Vec::new(),
            examples_not_match: Vec::new(),
        }
    }

    fn globs(patterns: &[&str]) -> Vec<Glob> {
        patterns.iter().map(|p| Glob::new(p).unwrap()).collect()
    }

    #[rstest]
    #[case("cat .env", Match::Yes)]
    #[case("/usr/bin/less config/.env.local", Match::Yes)]
    #[case("cat .env.example", Match::No)]
    #[case("cat .env.example .env", Match::Yes)]
    #[case("cp .env.example .env", Match::No)]
    fn programs_and_except_args_narrow_a_reader_rule(#[case] command: &str, #[case] want: Match) {
        let r = rule(Refinements {
            args: globs(&[".env", "*/.env", ".env.*", "*/.env.*"]),
            except_args: globs(&["*.example"]),
            programs: vec!["cat".into(), "less".into()],
            ..Refinements::default()
        });
        let place = Place {
            dir: Some(PathBuf::from("/work/repo")),
            home: Some(PathBuf::from("/home/u")),
            ..Place::default()
        };
        assert_eq!(r.matches_in(&lits(command), &place), want, "{command}");
        assert_eq!(r.programs(), ["cat", "less"]);
    }

    /// A glob word run in a known directory expands to names in it: `*.log` is never
    /// `/etc/x.log`, while `*` run in /etc is every entry of /etc and `.g*` may be `.git`.
    #[rstest]
    #[case::relative_glob_stays_here("rm -f *.log", "/work/repo", Match::No)]
    #[case::relative_glob_in_etc("rm -f *.conf", "/etc", Match::Possible)]
    #[case::absolute_glob("rm -f /etc/*.conf", "/work/repo", Match::Possible)]
    #[case::glob_may_be_git("rm -f .g*", "/work/repo", Match::Possible)]
    #[case::star_does_not_cross_slash("rm -f */*.log", "/", Match::Possible)]
    #[case::glob_naming_a_directory_above("rm -f /work/*", "/work/repo/sub", Match::Possible)]
    #[case::glob_naming_the_directory("rm -f ../su*", "/work/repo/sub", Match::Possible)]
    #[case::glob_beside_the_directory("rm -f ../*.log", "/work/repo/sub", Match::No)]
    fn glob_words_expand_in_the_directory(
        #[case] command: &str,
        #[case] dir: &str,
        #[case] want: Match,
    ) {
        let r = rule(Refinements {
            args: globs(&["/etc/**", ".git", ".", ".."]),
            ..Refinements::default()
        });
        let words: Vec<Word> = command
            .split(' ')
            .map(|w| {
                if w.contains('*') {
                    Word::Glob(w.to_string())
                } else {
                    Word::Lit(w.to_string())
                }
            })
            .collect();
        let place = Place {
            dir: Some(PathBuf::from(dir)),
            home: Some(PathBuf::from("/home/u")),
            ..Place::default()
        };
        assert_eq!(r.matches_in(&words, &place), want, "{command} in {dir}");
    }

    #[test]
    fn an_exception_applies_to_the_form_that_matched() {
        // A home under /tmp does not except `~/.ssh/k` through `/tmp/*`: the `~` form
        // matched, and no exception matches that form.
        let r = rule(Refinements {
            args: globs(&["~/.*", "/*"]),
            except_args: globs(&["~/.cache/*", "/tmp/*"]),
            ..Refinements::default()
        });
        let place = Place {
            dir: Some(PathBuf::from("/work")),
            home: Some(PathBuf::from("/tmp/home")),
            ..Place::default()
        };
        assert_eq!(r.matches_in(&lits("rm ~/.ssh/k"), &place), Match::Yes);
        assert_eq!(r.matches_in(&lits("rm ~/.cache/x"), &place), Match::No);
        // The absolute form `/tmp/home/.cache/x` matches `/*` and nothing excepts it.
        let r = rule(Refinements {
            args: globs(&["~/.*", "/*"]),
            except_args: globs(&["~/.cache/*"]),
            ..Refinements::default()
        });
        assert_eq!(r.matches_in(&lits("rm ~/.cache/x"), &place), Match::Yes);
    }

    #[rstest]
    #[case(&["GIT_SSH_COMMAND="], Match::Yes)]
    #[case(&["env", "GIT_SSH_COMMAND="], Match::Yes)]
    #[case(&["env"], Match::No)]
    #[case(&[], Match::No)]
    fn via_matches_a_command_reached_through_a_named_frame(
        #[case] frames: &[&str],
        #[case] want: Match,
    ) {
        let r = rule(Refinements {
            via: vec!["GIT_SSH_COMMAND=".into(), "GIT_PROXY_COMMAND=".into()],
            ..Refinements::default()
        });
        let place = Place {
            frames: frames.iter().map(|f| f.to_string()).collect(),
            ..Place::default()
        };
        assert_eq!(
            r.matches_in(&lits("ssh -i key"), &place),
            want,
            "{frames:?}"
        );
    }

    #[test]
    fn a_url_is_not_resolved_as_a_path() {
        let place = Place {
            dir: Some(PathBuf::from("/a.b")),
            home: None,
            ..Place::default()
        };
        assert_eq!(place.forms("https://h.example/x"), ["https://h.example/x"]);
    }
}
