//! Word expansion: from a raw bash word to what bash would pass as an argument.
//!
//! Quote removal and escapes are done exactly as bash does them (`g'i't` is `git`,
//! `--ha""rd` is `--hard`, `$'\x2d'` is `-`). Anything only known at run time
//! (parameters, command substitutions, arithmetic, `~user`, brace expansion) makes the
//! word [`Word::Unknown`]; the scripts inside command substitutions are handed back so
//! the caller analyses them too — they run even when the word itself is unknown.

use brush_parser::word::{ParameterExpr, WordPiece, WordPieceWithSource};

use super::Word;

/// Something inside a word that bash will execute while expanding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inner {
    /// `$(…)` or backticks: a script run in a subshell.
    Script(String),
    /// A substitution we could not take apart (e.g. inside an array index): fail closed.
    Opaque(String),
    /// Text that is arithmetic if it parses as such, else a subshell (`$(( … ))` versus
    /// `$( ( … ) )`): analysed as a script when it parses as one, ignored otherwise.
    MaybeScript(String),
}

/// The result of expanding one word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// The word as bash would pass it.
    pub word: Word,
    /// Scripts that run while it is expanded.
    pub inner: Vec<Inner>,
    /// A literal word that brace expansion turns into several (`{a,b}`, `x{1..3}`): the
    /// fields bash makes, in order. `word` then stands for all of them, unknown.
    pub fields: Option<Vec<Word>>,
}

/// Values of `$0`, `$1`, … when they are literal (from `bash -c '…' a b`).
pub type Positionals = Option<Vec<String>>;

/// Leads a positional value when the script may have changed `IFS`: quoted (`"$1"`,
/// `"$@"`) the value is exact; unquoted it may split anywhere, so it is unknown.
pub const IFS_UNCERTAIN: char = '\u{F8F0}';

/// A positional value only known at run time (`set -- "$x"`): the other positionals
/// stay known.
pub const UNKNOWN_POSITIONAL: &str = "\u{F8F1}";

/// The word a positional value makes when quoted (`"$1"`, one field of `"$@"`).
pub fn positional_word(value: &str) -> Word {
    if value == UNKNOWN_POSITIONAL {
        Word::unknown("$N", false)
    } else {
        Word::Lit(quoted_value(value).to_string())
    }
}

/// A positional value as bash passes it when quoted (without [`IFS_UNCERTAIN`]).
pub fn quoted_value(value: &str) -> &str {
    value.strip_prefix(IFS_UNCERTAIN).unwrap_or(value)
}

/// Builds the state of one word while walking its pieces.
struct Builder<'a> {
    text: String,
    /// What is known, as an fnmatch pattern (literal text escaped, unknown parts `*`).
    pattern: String,
    /// The word with quoted parts replaced by `q`: brace expansion needs unquoted braces
    /// and commas, but its members may be quoted (`{'reset','--hard'}`).
    shape: String,
    /// The literal characters of the word, each with whether it was quoted: what brace
    /// expansion works on.
    chars: Vec<(char, bool)>,
    unknown: bool,
    unknown_unquoted: bool,
    glob: bool,
    inner: Vec<Inner>,
    positionals: &'a Positionals,
}

/// Expands a raw word from the AST.
pub fn expand(raw: &str, positionals: &Positionals) -> Expanded {
    // Most words are plain (`git`, `status`, `--porcelain`, `src/main.rs`): bash passes
    // them as written. Skipping the word parser for them also skips its memo table's
    // set-up (an allocation and a random seed) on every judgement.
    if is_plain(raw) {
        return Expanded {
            word: Word::Lit(raw.to_string()),
            inner: Vec::new(),
            fields: None,
        };
    }
    expand_parsed(raw, positionals)
}

/// [`expand`] through the word parser.
fn expand_parsed(raw: &str, positionals: &Positionals) -> Expanded {
    let options = brush_parser::ParserOptions::default();
    let mut b = Builder::new(positionals);
    match brush_parser::word::parse(raw, &options) {
        Ok(pieces) => b.pieces(&pieces, false),
        Err(_) => {
            // SECURITY: a word brush cannot split into pieces is treated as unknown, and
            // any substitution-looking text in it as an opaque script.
            b.unknown = true;
            b.unknown_unquoted = true;
            if looks_like_substitution(raw) {
                b.inner.push(Inner::Opaque(raw.to_string()));
            }
        }
    }
    b.finish(raw)
}

/// Whether bash passes `raw` through unchanged: made only of characters that no
/// expansion, quoting, pattern or grammar gives a meaning inside a word (no `$`, quotes,
/// backslash, `~`, braces, glob or extglob characters, `!`, `#`, `^`). A table test
/// keeps this equal to the word parser's reading.
fn is_plain(raw: &str) -> bool {
    !raw.is_empty()
        && raw.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b',' | b':' | b'@' | b'%' | b'+' | b'='
                )
        })
}

/// Expands a heredoc body whose delimiter was unquoted (so `$` and backticks work, but
/// quotes are literal). Returns the text when fully literal, and the inner scripts.
pub fn expand_heredoc(body: &str, positionals: &Positionals) -> (Option<String>, Vec<Inner>) {
    let options = brush_parser::ParserOptions::default();
    let mut b = Builder::new(positionals);
    match brush_parser::word::parse_heredoc(body, &options) {
        Ok(pieces) => b.pieces(&pieces, true),
        Err(_) => {
            b.unknown = true;
            if looks_like_substitution(body) {
                b.inner.push(Inner::Opaque(body.to_string()));
            }
        }
    }
    let text = if b.unknown { None } else { Some(b.text) };
    (text, b.inner)
}

/// One piece of the text bash evaluates when a word is an operand it reads as arithmetic
/// or as a variable reference (`[[ -v W ]]`, `[[ W -eq 1 ]]`): the word's value after
/// quote removal, whatever mix of quoted and unquoted parts spelled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalPiece {
    /// Known text (literal parts, known positionals, `~`).
    Text(String),
    /// `$NAME` or `${NAME}`: the variable's value.
    Var(String),
    /// A value that is always a number (`$#`, `$?`, `${#x}`, `$((…))`, `$RANDOM`).
    Number,
    /// The output of a command substitution whose last stage is this program printing
    /// one number (`$(… | wc -l)`): a number unless the script redefines the program.
    Count(String),
    /// A value only known at run time (`$(cmd)`, `${x:-y}`, `"$@"`).
    Unknown,
}

/// The pieces of the value of `raw` (see [`EvalPiece`]). A word the parser cannot take
/// apart is one unknown piece.
pub fn evaluated_pieces(raw: &str, positionals: &Positionals) -> Vec<EvalPiece> {
    let options = brush_parser::ParserOptions::default();
    let mut out = Vec::new();
    match brush_parser::word::parse(raw, &options) {
        Ok(pieces) => eval_pieces(&pieces, false, positionals, &mut out),
        Err(_) => out.push(EvalPiece::Unknown),
    }
    out
}

fn eval_pieces(
    pieces: &[WordPieceWithSource],
    quoted: bool,
    positionals: &Positionals,
    out: &mut Vec<EvalPiece>,
) {
    use brush_parser::word::{Parameter, SpecialParameter as S};
    for piece in pieces {
        out.push(match &piece.piece {
            WordPiece::Text(t) | WordPiece::SingleQuotedText(t) => EvalPiece::Text(t.clone()),
            WordPiece::AnsiCQuotedText(t) => EvalPiece::Text(decode_ansi_c(t)),
            WordPiece::EscapeSequence(e) => EvalPiece::Text(unescape(e, quoted)),
            WordPiece::DoubleQuotedSequence(inner)
            | WordPiece::GettextDoubleQuotedSequence(inner) => {
                eval_pieces(inner, true, positionals, out);
                continue;
            }
            WordPiece::TildeExpansion(brush_parser::word::TildeExpr::Home) => {
                EvalPiece::Text("~".to_string())
            }
            WordPiece::CommandSubstitution(script)
            | WordPiece::BackquotedCommandSubstitution(script) => match counter(script) {
                Some(program) => EvalPiece::Count(program.to_string()),
                None => EvalPiece::Unknown,
            },
            WordPiece::TildeExpansion(_) => EvalPiece::Unknown,
            WordPiece::ArithmeticExpression(_) => EvalPiece::Number,
            WordPiece::ParameterExpansion(expr) => match expr {
                ParameterExpr::ParameterLength { .. } => EvalPiece::Number,
                ParameterExpr::Parameter {
                    parameter,
                    indirect: false,
                } => match parameter {
                    Parameter::Special(
                        S::PositionalParameterCount
                        | S::LastExitStatus
                        | S::CurrentOptionFlags
                        | S::ProcessId
                        | S::LastBackgroundProcessId,
                    ) => EvalPiece::Number,
                    Parameter::Named(name)
                        if matches!(
                            name.as_str(),
                            "RANDOM"
                                | "SRANDOM"
                                | "LINENO"
                                | "SECONDS"
                                | "BASHPID"
                                | "PPID"
                                | "UID"
                                | "EUID"
                                | "OPTIND"
                                | "SHLVL"
                        ) =>
                    {
                        EvalPiece::Number
                    }
                    Parameter::Named(name) => EvalPiece::Var(name.clone()),
                    Parameter::Positional(n) => {
                        let at = usize::try_from(*n).unwrap_or(usize::MAX);
                        match positionals.as_ref().and_then(|p| p.get(at)) {
                            Some(v) if v != UNKNOWN_POSITIONAL => {
                                EvalPiece::Text(quoted_value(v).to_string())
                            }
                            _ => EvalPiece::Unknown,
                        }
                    }
                    Parameter::Special(S::ShellName) => {
                        match positionals.as_ref().and_then(|p| p.first()) {
                            Some(v) if v != UNKNOWN_POSITIONAL => {
                                EvalPiece::Text(quoted_value(v).to_string())
                            }
                            _ => EvalPiece::Unknown,
                        }
                    }
                    _ => EvalPiece::Unknown,
                },
                _ => EvalPiece::Unknown,
            },
        });
    }
}

/// The program of a command substitution's script that certainly prints one number: its
/// last (or only) pipeline stage is `wc` counting standard input (`… | wc -l`,
/// `wc -c < f`), `nproc`, `id -u`/`-g` or `date +%s`, in plain words (no quoting,
/// expansion or second command after it). What runs before it is analysed as any
/// script; only the output counts here.
fn counter(script: &str) -> Option<&'static str> {
    let last = script.rsplit('|').next().unwrap_or(script).trim();
    if last.is_empty()
        || last.contains(|c: char| "'\"\\$`;&(){}\n*?[~#".contains(c))
        || script.contains("||")
    {
        return None;
    }
    let mut words = Vec::new();
    let mut tokens = last.split_whitespace();
    while let Some(t) = tokens.next() {
        if t == "<" {
            // Its file: `wc` then prints only the count.
            tokens.next()?;
        } else if t == "2>/dev/null" || (t.starts_with('<') && !t.starts_with("<<")) {
        } else if t.contains(['<', '>']) {
            return None;
        } else {
            words.push(t);
        }
    }
    let counts = match words.as_slice() {
        ["wc", options @ ..] => {
            !options.is_empty()
                && options.iter().all(|o| {
                    o.len() > 1
                        && o.starts_with('-')
                        && o.chars()
                            .skip(1)
                            .all(|c| matches!(c, 'l' | 'c' | 'w' | 'm'))
                })
                && options.iter().map(|o| o.len() - 1).sum::<usize>() == 1
        }
        ["nproc"] | ["date", "+%s"] => true,
        ["id", o] => matches!(*o, "-u" | "-g" | "-ru" | "-rg" | "-ur" | "-gr"),
        _ => false,
    };
    let program = match words.first() {
        Some(&"wc") => "wc",
        Some(&"nproc") => "nproc",
        Some(&"date") => "date",
        Some(&"id") => "id",
        _ => return None,
    };
    counts.then_some(program)
}

/// Whether text may hide a command substitution or process substitution.
fn looks_like_substitution(text: &str) -> bool {
    text.contains("$(") || text.contains('`') || text.contains("<(") || text.contains(">(")
}

impl<'a> Builder<'a> {
    fn new(positionals: &'a Positionals) -> Builder<'a> {
        Builder {
            text: String::new(),
            pattern: String::new(),
            shape: String::new(),
            chars: Vec::new(),
            unknown: false,
            unknown_unquoted: false,
            glob: false,
            inner: Vec::new(),
            positionals,
        }
    }

    fn pieces(&mut self, pieces: &[WordPieceWithSource], quoted: bool) {
        for piece in pieces {
            self.piece(&piece.piece, quoted);
        }
    }

    fn piece(&mut self, piece: &WordPiece, quoted: bool) {
        match piece {
            WordPiece::Text(t) => {
                // bash's bracket syntax (`[^…]`, `[[:alpha:]]`) as the fnmatch sets the
                // rules' matcher reads (`[!…]`, `[a-zA-Z]`).
                let translated;
                let t = if !quoted && has_glob_chars(t) {
                    translated = fnmatch_brackets(t);
                    translated.as_str()
                } else {
                    t.as_str()
                };
                if !quoted {
                    if has_glob_chars(t) {
                        self.glob = true;
                    }
                    self.shape.push_str(t);
                } else {
                    self.shape.push('q');
                }
                self.text.push_str(t);
                self.chars.extend(t.chars().map(|c| (c, quoted)));
                // Unquoted glob characters stay wildcards in the pattern.
                if quoted {
                    push_escaped(&mut self.pattern, t);
                } else {
                    self.pattern.push_str(t);
                }
            }
            WordPiece::SingleQuotedText(t) => self.literal(t),
            WordPiece::AnsiCQuotedText(t) => self.literal(&decode_ansi_c(t)),
            WordPiece::DoubleQuotedSequence(inner)
            | WordPiece::GettextDoubleQuotedSequence(inner) => self.pieces(inner, true),
            WordPiece::EscapeSequence(e) => self.literal(&unescape(e, quoted)),
            WordPiece::TildeExpansion(t) => {
                // `~` stays `~` so rules can name the home directory; other forms are
                // only known at run time.
                match t {
                    brush_parser::word::TildeExpr::Home => self.literal("~"),
                    _ => self.mark_unknown(quoted),
                }
            }
            WordPiece::ParameterExpansion(expr) => self.parameter(expr, quoted),
            WordPiece::CommandSubstitution(script) => {
                self.inner.push(Inner::Script(script.clone()));
                self.mark_unknown(quoted);
            }
            WordPiece::BackquotedCommandSubstitution(script) => {
                self.inner
                    .push(Inner::Script(unescape_backquoted(script, quoted)));
                self.mark_unknown(quoted);
            }
            WordPiece::ArithmeticExpression(expr) => {
                self.nested_text(&expr.value);
                self.inner.push(Inner::MaybeScript(expr.value.clone()));
                self.mark_unknown(true);
            }
        }
    }

    /// Appends known literal text.
    fn literal(&mut self, t: &str) {
        self.text.push_str(t);
        self.chars.extend(t.chars().map(|c| (c, true)));
        push_escaped(&mut self.pattern, t);
        self.shape.push('q');
    }

    fn mark_unknown(&mut self, quoted: bool) {
        self.unknown = true;
        if !self.pattern.ends_with('*') || self.pattern.ends_with("[*]") {
            self.pattern.push('*');
        }
        if !quoted {
            self.unknown_unquoted = true;
        }
    }

    /// A parameter expansion: positionals from a literal `bash -c` are substituted; all
    /// else is unknown. Strings inside the expression (defaults, patterns) may hold
    /// command substitutions, which bash runs: those are analysed.
    fn parameter(&mut self, expr: &ParameterExpr, quoted: bool) {
        use brush_parser::word::Parameter;
        // SECURITY: `${x@P}` expands the value like a prompt, running any `$(…)` in it;
        // the value is only known at run time.
        if let ParameterExpr::Transform {
            op: brush_parser::word::ParameterTransformOp::PromptExpand,
            ..
        } = expr
        {
            self.inner.push(Inner::Opaque("${…@P}".into()));
        }
        let position = match expr {
            ParameterExpr::Parameter {
                parameter: Parameter::Positional(n),
                indirect: false,
            } => Some(usize::try_from(*n).unwrap_or(usize::MAX)),
            ParameterExpr::Parameter {
                parameter: Parameter::Special(brush_parser::word::SpecialParameter::ShellName),
                indirect: false,
            } => Some(0),
            _ => None,
        };
        if let Some(position) = position {
            let value = self.positionals.as_ref().and_then(|p| p.get(position));
            if let Some(value) = value.filter(|v| *v != UNKNOWN_POSITIONAL) {
                // Unquoted, the value is split by IFS: kept only when it has no blank or
                // glob character, and IFS is the default.
                let ifs_uncertain = value.starts_with(IFS_UNCERTAIN);
                let exact = quoted_value(value).to_string();
                if quoted
                    || !(ifs_uncertain
                        || exact.chars().any(char::is_whitespace)
                        || has_glob_chars(&exact))
                {
                    self.literal(&exact);
                    return;
                }
            }
            self.mark_unknown(quoted);
            return;
        }
        if let ParameterExpr::Parameter {
            parameter:
                Parameter::Special(brush_parser::word::SpecialParameter::AllPositionalParameters {
                    concatenate: false,
                }),
            ..
        } = expr
        {
            // `"$@"` is one word per positional, even quoted: any number of words.
            self.mark_unknown(false);
            return;
        }
        for text in parameter_strings(expr) {
            self.nested_text(text);
        }
        // Indices and other parts we do not take apart: fail closed on anything that
        // could run a command.
        let debug = format!("{expr:?}");
        if looks_like_substitution(&debug) && self.inner.is_empty() {
            self.inner.push(Inner::Opaque(debug));
        }
        self.mark_unknown(quoted);
    }

    /// Finds substitutions inside a string that bash expands as a word.
    fn nested_text(&mut self, text: &str) {
        if !looks_like_substitution(text) {
            return;
        }
        let nested = expand(text, self.positionals);
        if nested.inner.is_empty() {
            self.inner.push(Inner::Opaque(text.to_string()));
        }
        self.inner.extend(nested.inner);
    }

    fn finish(mut self, raw: &str) -> Expanded {
        let mut fields = None;
        if has_brace_expansion(&self.shape) {
            // Brace expansion turns one word into several: `{git,push}`. When every part
            // is literal, the fields are what bash makes.
            if !self.unknown {
                fields = brace_fields(&self.chars);
            }
            self.unknown = true;
            self.unknown_unquoted = true;
        }
        // `@(…)`, `+(…)`, `!(…)`, `?(…)`, `*(…)` (extglob): a pattern; each group may
        // match anything, so it is `*` in what is known of the word.
        if has_extglob(&self.shape) {
            self.glob = true;
            self.text = without_extglob_groups(&self.text);
        }
        let word = if self.unknown {
            Word::Unknown {
                text: super::heredoc::restore(raw),
                split: self.unknown_unquoted,
                // A word that may split into fields constrains none of them.
                pattern: if self.unknown_unquoted {
                    "*".to_string()
                } else {
                    self.pattern
                },
                outside_git: false,
                existing: false,
                tracked: false,
            }
        } else if self.glob {
            Word::Glob(self.text)
        } else {
            Word::Lit(self.text)
        };
        Expanded {
            word,
            inner: self.inner,
            fields,
        }
    }
}

/// The strings inside a parameter expression that bash expands as words.
fn parameter_strings(expr: &ParameterExpr) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    match expr {
        ParameterExpr::UseDefaultValues { default_value, .. }
        | ParameterExpr::AssignDefaultValues { default_value, .. } => {
            out.extend(default_value.as_deref());
        }
        ParameterExpr::IndicateErrorIfNullOrUnset { error_message, .. } => {
            out.extend(error_message.as_deref());
        }
        ParameterExpr::UseAlternativeValue {
            alternative_value, ..
        } => out.extend(alternative_value.as_deref()),
        ParameterExpr::RemoveSmallestSuffixPattern { pattern, .. }
        | ParameterExpr::RemoveLargestSuffixPattern { pattern, .. }
        | ParameterExpr::RemoveSmallestPrefixPattern { pattern, .. }
        | ParameterExpr::RemoveLargestPrefixPattern { pattern, .. }
        | ParameterExpr::UppercaseFirstChar { pattern, .. }
        | ParameterExpr::UppercasePattern { pattern, .. }
        | ParameterExpr::LowercaseFirstChar { pattern, .. }
        | ParameterExpr::LowercasePattern { pattern, .. } => out.extend(pattern.as_deref()),
        ParameterExpr::ReplaceSubstring {
            pattern,
            replacement,
            ..
        } => {
            out.push(pattern);
            out.extend(replacement.as_deref());
        }
        ParameterExpr::Substring { offset, length, .. } => {
            out.push(&offset.value);
            out.extend(length.as_ref().map(|l| l.value.as_str()));
        }
        _ => {}
    }
    out
}

/// Appends literal text to an fnmatch pattern, escaping its metacharacters.
fn push_escaped(pattern: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '*' | '?' | '[' => {
                pattern.push('[');
                pattern.push(c);
                pattern.push(']');
            }
            c => pattern.push(c),
        }
    }
}

/// Inside backquotes bash removes the backslash before `\`, `` ` `` and `$` before it
/// parses the inner script.
fn unescape_backquoted(text: &str, in_double_quotes: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&n) = chars.peek()
            && (matches!(n, '\\' | '`' | '$') || (in_double_quotes && n == '"'))
        {
            out.push(n);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// Whether unquoted text contains pathname-expansion characters (`[` only with a later
/// `]`: `[ -f x ]` runs the command `[`).
pub fn has_glob_chars(text: &str) -> bool {
    text.contains(['*', '?'])
        || text
            .find('[')
            .is_some_and(|open| text.get(open + 1..).is_some_and(|rest| rest.contains(']')))
}

/// Unquoted glob text with bash's bracket expressions written as fnmatch sets: `[^…]`
/// is `[!…]`, and a character class (`[:alpha:]`, …) becomes ASCII ranges — a superset
/// where the class is large (`[:punct:]`, `[:graph:]`), so a set never matches less than
/// bash's; `[=c=]` and `[.c.]` are `c`. Text that is not a bracket expression stays.
fn fnmatch_brackets(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c != '[' {
            out.push(c);
            i += 1;
            continue;
        }
        match bracket_set(&chars, i + 1) {
            Some((set, next)) => {
                out.push_str(&set);
                i = next;
            }
            None => {
                out.push('[');
                i += 1;
            }
        }
    }
    out
}

/// The bracket expression starting after the `[` at `start`, as an fnmatch set, and the
/// index after its closing `]`; `None` when it is not closed (a literal `[`).
fn bracket_set(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut set = String::from("[");
    let mut j = start;
    let negated = matches!(chars.get(j), Some('!' | '^'));
    if negated {
        set.push('!');
        j += 1;
    }
    // Whether a member was widened to a superset (a class read as every visible
    // character, a collating symbol by name): fine in a set, but a negated set would then
    // match less than bash's, so it becomes any one character.
    let mut widened = false;
    // A `]` first is a member.
    if chars.get(j) == Some(&']') {
        set.push(']');
        j += 1;
    }
    loop {
        match chars.get(j)? {
            ']' => {
                set.push(']');
                if negated && widened {
                    return Some(("?".to_string(), j + 1));
                }
                return Some((set, j + 1));
            }
            '[' if matches!(chars.get(j + 1), Some(':' | '=' | '.')) => {
                let kind = *chars.get(j + 1)?;
                let body_start = j + 2;
                let mut k = body_start;
                while !(chars.get(k)? == &kind && chars.get(k + 1)? == &']') {
                    k += 1;
                }
                let body: String = chars.get(body_start..k)?.iter().collect();
                if kind == ':' {
                    set.push_str(match body.as_str() {
                        "alpha" => "a-zA-Z",
                        "upper" => "A-Z",
                        "lower" => "a-z",
                        "digit" => "0-9",
                        "alnum" => "a-zA-Z0-9",
                        "xdigit" => "0-9A-Fa-f",
                        "word" => "a-zA-Z0-9_",
                        "blank" => " \t",
                        "space" => " \t\n\r\u{b}\u{c}",
                        "cntrl" => "\u{1}-\u{1f}\u{7f}",
                        // punct, graph, print and anything else: every visible character.
                        _ => {
                            widened = true;
                            " -~"
                        }
                    });
                } else if body.chars().count() == 1 {
                    set.push_str(&body);
                } else {
                    // `[.period.]`, `[=e=]` of a name: one character we do not map.
                    widened = true;
                    set.push_str(" -~");
                }
                j = k + 2;
            }
            &c => {
                set.push(c);
                j += 1;
            }
        }
    }
}

/// Whether unquoted text holds an extglob group opener.
fn has_extglob(shape: &str) -> bool {
    shape.char_indices().any(|(k, c)| {
        matches!(c, '@' | '+' | '!' | '?' | '*')
            && shape.get(k + 1..).is_some_and(|r| r.starts_with('('))
    })
}

/// Replaces each extglob group (innermost first) with `*`.
fn without_extglob_groups(text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..32 {
        let Some(open) = out.char_indices().find_map(|(k, c)| {
            (matches!(c, '@' | '+' | '!' | '?' | '*')
                && out.get(k + 1..).is_some_and(|r| r.starts_with('(')))
            .then_some(k)
        }) else {
            break;
        };
        // The matching `)` of this group.
        let mut depth = 0usize;
        let mut close = None;
        for (k, c) in out.char_indices().skip_while(|(k, _)| *k <= open) {
            match c {
                '(' => depth += 1,
                ')' if depth <= 1 => {
                    close = Some(k);
                    break;
                }
                ')' => depth -= 1,
                _ => {}
            }
        }
        let end = close.map_or(out.len(), |c| c + 1);
        // A group that spells a dot (`?(.)git`) may match a leading dot, which a plain
        // wildcard does not: `**` keeps that open (see `rule::without_leading_dots`).
        let spells_dot = out.get(open..end).is_some_and(|g| {
            !g.starts_with('!')
                && g.get(2..g.len().saturating_sub(1))
                    .is_some_and(|inner| inner.split('|').any(|alt| alt.starts_with('.')))
        });
        out.replace_range(open..end, if spells_dot { "**" } else { "*" });
    }
    out
}

/// Whether unquoted text contains a brace expansion (`{a,b}` or `{1..3}`).
fn has_brace_expansion(text: &str) -> bool {
    text.match_indices('{').any(|(open, _)| {
        let rest = text.get(open..).unwrap_or("");
        rest.rfind('}').is_some_and(|close| {
            let body = rest.get(..close).unwrap_or("");
            body.contains(',') || body.contains("..")
        })
    })
}

/// At most this many fields come from one brace expansion; beyond, the word stays unknown.
const MAX_BRACE_FIELDS: usize = 256;

/// The fields brace expansion makes of a literal word (characters with their quoted
/// flag), as words; `None` when there are too many, or when a field starts with a
/// tilde form we do not know (`{~root,x}`).
fn brace_fields(chars: &[(char, bool)]) -> Option<Vec<Word>> {
    let mut budget = MAX_BRACE_FIELDS;
    let fields = brace_expand(chars, &mut budget)?;
    let any_quoted = chars.iter().any(|(_, quoted)| *quoted);
    fields
        .into_iter()
        // An empty field is removed, as every unquoted empty word is (`x{,}` is `x`);
        // with quotes in the word (`''{a,}`) an empty field may be a quoted empty
        // argument, which the characters alone cannot tell.
        .filter(|field| !field.is_empty() || any_quoted)
        .map(|field| {
            if field.is_empty() {
                return None;
            }
            let text: String = field.iter().map(|(c, _)| *c).collect();
            let shape: String = field
                .iter()
                .map(|(c, quoted)| if *quoted { 'q' } else { *c })
                .collect();
            // Tilde expansion follows brace expansion: `~` and `~/…` stay as the rules
            // name them; other tilde forms are only known at run time.
            if shape.starts_with('~') && !(text == "~" || text.starts_with("~/")) {
                return None;
            }
            Some(if has_glob_chars(&shape) {
                Word::Glob(text)
            } else {
                Word::Lit(text)
            })
        })
        .collect()
}

/// bash's brace expansion over characters with their quoted flag: the first unquoted
/// `{` that opens a valid expression (a top-level unquoted `,`, or a sequence
/// `x..y[..step]`) is expanded, members first, then the rest of the word; an invalid
/// `{` is kept literally and the search goes on after it.
fn brace_expand(w: &[(char, bool)], budget: &mut usize) -> Option<Vec<Vec<(char, bool)>>> {
    let mut from = 0;
    while let Some(open) = (from..w.len()).find(|&i| w.get(i) == Some(&('{', false))) {
        from = open + 1;
        // The matching `}` and the top-level commas.
        let mut depth = 0usize;
        let mut commas = Vec::new();
        let mut close = None;
        for (k, item) in w.iter().enumerate().skip(open + 1) {
            match item {
                ('{', false) => depth += 1,
                ('}', false) if depth == 0 => {
                    close = Some(k);
                    break;
                }
                ('}', false) => depth -= 1,
                (',', false) if depth == 0 => commas.push(k),
                _ => {}
            }
        }
        let Some(close) = close else { continue };
        let preamble = w.get(..open)?;
        let body = w.get(open + 1..close)?;
        let postscript = w.get(close + 1..)?;
        let members: Vec<Vec<(char, bool)>> = if commas.is_empty() {
            let text: String = body.iter().map(|(c, _)| *c).collect();
            if body.iter().any(|(_, quoted)| *quoted) {
                continue;
            }
            match sequence(&text, budget)? {
                Some(items) => items
                    .into_iter()
                    .map(|s| s.chars().map(|c| (c, false)).collect())
                    .collect(),
                None => continue,
            }
        } else {
            let mut out = Vec::new();
            let mut start = open + 1;
            for end in commas.iter().copied().chain(std::iter::once(close)) {
                out.extend(brace_expand(w.get(start..end)?, budget)?);
                start = end + 1;
            }
            out
        };
        let tails = brace_expand(postscript, budget)?;
        let mut result = Vec::new();
        for member in &members {
            for tail in &tails {
                *budget = budget.checked_sub(1)?;
                let mut field = preamble.to_vec();
                field.extend_from_slice(member);
                field.extend_from_slice(tail);
                result.push(field);
            }
        }
        return Some(result);
    }
    Some(vec![w.to_vec()])
}

/// A sequence expression's members: `1..3`, `03..1`, `a..e`, `1..10..3`. `Some(None)`
/// when the text is not a sequence (the braces stay literal); `None` when it has more
/// members than the budget allows.
fn sequence(text: &str, budget: &mut usize) -> Option<Option<Vec<String>>> {
    let parts: Vec<&str> = text.split("..").collect();
    let (from, to, step) = match parts.as_slice() {
        [a, b] => (*a, *b, None),
        [a, b, c] => (*a, *b, Some(*c)),
        _ => return Some(None),
    };
    let step: i64 = match step.map(str::parse::<i64>) {
        Some(Ok(s)) => s.checked_abs().unwrap_or(1).max(1),
        Some(Err(_)) => return Some(None),
        None => 1,
    };
    let count = |a: i64, b: i64| {
        usize::try_from(a.abs_diff(b) / step.unsigned_abs())
            .unwrap_or(usize::MAX)
            .saturating_add(1)
    };
    if let (Ok(a), Ok(b)) = (from.parse::<i64>(), to.parse::<i64>()) {
        if count(a, b) > *budget {
            return None;
        }
        // Zero-padded when either end has a leading zero: to the wider end's width.
        let padded = |s: &str| {
            let digits = s.trim_start_matches(['-', '+']);
            digits.len() > 1 && digits.starts_with('0')
        };
        let width = if padded(from) || padded(to) {
            from.len().max(to.len())
        } else {
            0
        };
        let out = members(a, b, step)
            .map(|v| {
                if width == 0 {
                    v.to_string()
                } else if v < 0 {
                    format!("-{:0w$}", v.unsigned_abs(), w = width.saturating_sub(1))
                } else {
                    format!("{v:0width$}")
                }
            })
            .collect();
        return Some(Some(out));
    }
    let (mut fc, mut tc) = (from.chars(), to.chars());
    let (Some(a), None, Some(b), None) = (fc.next(), fc.next(), tc.next(), tc.next()) else {
        return Some(None);
    };
    if !(a.is_ascii_alphabetic() && b.is_ascii_alphabetic()) {
        return Some(None);
    }
    let (a, b) = (i64::from(u32::from(a)), i64::from(u32::from(b)));
    if count(a, b) > *budget {
        return None;
    }
    let mut out = Vec::new();
    for v in members(a, b, step) {
        out.push(char::from_u32(u32::try_from(v).ok()?)?.to_string());
    }
    Some(Some(out))
}

/// The members of a brace sequence from `a` toward `b` by `step`: never past `b`, and
/// stopping where the next member would overflow.
fn members(a: i64, b: i64, step: i64) -> impl Iterator<Item = i64> {
    std::iter::successors(Some(a), move |&v| {
        if v == b {
            return None;
        }
        let next = if a < b {
            v.checked_add(step)
        } else {
            v.checked_sub(step)
        }?;
        (!((a < b && next > b) || (a > b && next < b))).then_some(next)
    })
}

/// Removes the backslash of an escape sequence the way bash does: outside quotes it always
/// goes (a backslash-newline disappears entirely); inside double quotes only before
/// `$`, `` ` ``, `"`, `\` and newline.
fn unescape(seq: &str, quoted: bool) -> String {
    let rest = seq.strip_prefix('\\').unwrap_or(seq);
    if rest.starts_with('\n') {
        return rest.get(1..).unwrap_or("").to_string();
    }
    if !quoted || rest.starts_with(['$', '`', '"', '\\']) {
        rest.to_string()
    } else {
        seq.to_string()
    }
}

/// Decodes the body of a `$'…'` word as bash does.
pub fn decode_ansi_c(body: &str) -> String {
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' | '\'' | '"' | '?' => out.push(e),
            'x' if chars.peek() == Some(&'{') => {
                // `\x{HH…}`: any number of hex digits in braces.
                chars.next();
                let mut digits = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    digits.push(d);
                }
                push_code(&mut out, u32::from_str_radix(&digits, 16).ok());
            }
            'x' => push_code(&mut out, take_digits(&mut chars, 16, 2)),
            'u' => push_code(&mut out, take_digits(&mut chars, 16, 4)),
            'U' => push_code(&mut out, take_digits(&mut chars, 16, 8)),
            'c' => {
                // Control character: `\cX` is X & 0x1f.
                if let Some(x) = chars.next() {
                    out.push(char::from((x as u32 & 0x1f) as u8));
                }
            }
            '0'..='7' => {
                let mut digits = e.to_string();
                while digits.len() < 3 {
                    match chars.peek() {
                        Some(d @ '0'..='7') => {
                            digits.push(*d);
                            chars.next();
                        }
                        _ => break,
                    }
                }
                push_code(
                    &mut out,
                    u32::from_str_radix(&digits, 8).ok().map(|v| v & 0xff),
                );
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    // bash ends the string at the first NUL (`$'--hard\0junk'` is `--hard`).
    match out.find('\0') {
        Some(nul) => out.get(..nul).unwrap_or("").to_string(),
        None => out,
    }
}

fn take_digits(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    radix: u32,
    max: usize,
) -> Option<u32> {
    let mut digits = String::new();
    while digits.len() < max {
        match chars.peek() {
            Some(d) if d.is_digit(radix) => {
                digits.push(*d);
                chars.next();
            }
            _ => break,
        }
    }
    u32::from_str_radix(&digits, radix).ok()
}

fn push_code(out: &mut String, code: Option<u32>) {
    if let Some(c) = code.and_then(char::from_u32) {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_print_one_number() {
        assert_eq!(counter("git status --porcelain | wc -l"), Some("wc"));
        assert_eq!(counter("wc -c < notes.txt"), Some("wc"));
        assert_eq!(counter("id -u"), Some("id"));
        assert_eq!(counter("wc -l notes.txt"), None);
        assert_eq!(counter("wc -lc"), None);
        assert_eq!(counter("x | wc -l; cat y"), None);
        assert_eq!(counter("x || wc -l"), None);
        assert_eq!(counter("wc -l > f"), None);
        assert_eq!(counter("wc -l <<< 'a[$(x)]'"), None);
    }

    #[test]
    fn evaluated_pieces_join_quoted_and_unquoted_parts() {
        use EvalPiece::*;
        let p = evaluated_pieces("'a['$(:)\"$x\"'$(cmd)]'", &None);
        assert_eq!(
            p,
            vec![
                Text("a[".into()),
                Unknown,
                Var("x".into()),
                Text("$(cmd)]".into())
            ]
        );
        assert_eq!(
            evaluated_pieces("$#${#y}$((1+2))", &None),
            vec![Number, Number, Number]
        );
        let known = Some(vec!["s".to_string(), "v".to_string()]);
        assert_eq!(evaluated_pieces("\"$1\"", &known), vec![Text("v".into())]);
    }
    use rstest::rstest;

    #[rstest]
    #[case(".[[:alpha:]]it", ".[a-zA-Z]it")]
    #[case(".[![:upper:]]it", ".[!A-Z]it")]
    #[case(".[^x]it", ".[!x]it")]
    #[case("[[:digit:][:lower:]_]*", "[0-9a-z_]*")]
    #[case("x[[:punct:]]", "x[ -~]")]
    #[case("[[=g=]]it", "[g]it")]
    #[case("[]a]", "[]a]")]
    #[case("[!]x]", "[!]x]")]
    #[case("a[b", "a[b")]
    #[case("[[:alpha:]", "[[:alpha:]")]
    #[case("*.log", "*.log")]
    fn bash_brackets_become_fnmatch_sets(#[case] bash: &str, #[case] fnmatch: &str) {
        assert_eq!(fnmatch_brackets(bash), fnmatch);
    }

    fn lit(raw: &str) -> Option<String> {
        expand(raw, &None).word.lit().map(str::to_string)
    }

    #[rstest]
    #[case("g'i't", "git")]
    #[case("--ha\"\"rd", "--hard")]
    #[case("$'\\x2d'", "-")]
    #[case("$'\\x2d\\x2dforce'", "--force")]
    #[case("$'\\055f'", "-f")]
    #[case("$'\\u0072m'", "rm")]
    #[case("a\\ b", "a b")]
    #[case("\"a\\$b\\\"c\"", "a$b\"c")]
    #[case("\"a\\qb\"", "a\\qb")]
    #[case("\\r\\m", "rm")]
    #[case("~", "~")]
    #[case("~/x", "~/x")]
    #[case("'$(rm -rf /)'", "$(rm -rf /)")]
    fn literal_words_expand_like_bash(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(lit(raw).as_deref(), Some(want));
    }

    #[test]
    fn plain_words_read_as_the_word_parser_reads_them() {
        // Every character of the plain set, alone, in pairs, and in pseudo-random words
        // up to 12 long: the shortcut must give what the parser gives.
        let alphabet: Vec<char> = ('a'..='z')
            .chain('A'..='Z')
            .chain('0'..='9')
            .chain("_-./,:@%+=".chars())
            .collect();
        let mut words: Vec<String> = alphabet.iter().map(|c| c.to_string()).collect();
        for a in &alphabet {
            for b in "-.=/:@%+,_".chars() {
                words.push(format!("{a}{b}"));
                words.push(format!("{b}{a}"));
            }
        }
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..5000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = 1 + (seed >> 60) as usize % 12;
            let word: String = (0..len)
                .map(|k| {
                    let r = (seed.rotate_left(7 * k as u32) >> 33) as usize;
                    alphabet.get(r % alphabet.len()).copied().unwrap_or('a')
                })
                .collect();
            words.push(word);
        }
        words.extend(
            [
                "--force-with-lease=main:abc",
                "user@host:/srv/x",
                "a=b,c=d",
                "100%",
                "-",
            ]
            .map(String::from),
        );
        for w in &words {
            assert!(is_plain(w), "{w}");
            assert_eq!(expand(w, &None), expand_parsed(w, &None), "{w}");
        }
        for not_plain in [
            "", "~", "a~", "$x", "'a'", "a\\b", "{a,b}", "*.log", "a?", "[ab]", "!x", "a#b", "x^y",
            "@(a)", "a b",
        ] {
            assert!(!is_plain(not_plain), "{not_plain}");
        }
    }

    #[rstest]
    #[case("$x")]
    #[case("\"$x\"")]
    #[case("$(echo git)")]
    #[case("`echo git`")]
    #[case("{git,x}")]
    #[case("$((1+2))")]
    #[case("~root")]
    fn run_time_words_are_unknown(#[case] raw: &str) {
        assert!(matches!(expand(raw, &None).word, Word::Unknown { .. }));
    }

    #[rstest]
    #[case("$(rm -rf /)", "rm -rf /")]
    #[case("\"x$(id)\"", "id")]
    #[case("${x:-$(id)}", "id")]
    #[case("`whoami`", "whoami")]
    fn substitutions_are_reported(#[case] raw: &str, #[case] script: &str) {
        let inner = expand(raw, &None).inner;
        assert!(
            inner.contains(&Inner::Script(script.to_string())),
            "{inner:?}"
        );
    }

    #[rstest]
    #[case("\"$TMP/build\"", "*/build")]
    #[case("\"${x}-[1]\"", "*-[[]1]")]
    #[case("\"$a$b\"", "*")]
    #[case("$x/build", "*")]
    fn unknown_words_keep_what_is_known(#[case] raw: &str, #[case] want: &str) {
        match expand(raw, &None).word {
            Word::Unknown { pattern, .. } => assert_eq!(pattern, want),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn positionals_substitute_when_literal_and_quoted() {
        let p = Some(vec!["sh".to_string(), "push".to_string()]);
        assert_eq!(expand("\"$1\"", &p).word, Word::Lit("push".into()));
        assert!(matches!(expand("\"$2\"", &p).word, Word::Unknown { .. }));
        assert_eq!(expand("\"$0\"", &p).word, Word::Lit("sh".into()));
        // Unquoted, a value with no blank or glob character stays one word.
        assert_eq!(expand("$1", &p).word, Word::Lit("push".into()));
        let spaced = Some(vec!["sh".to_string(), "a b".to_string()]);
        assert!(matches!(
            expand("$1", &spaced).word,
            Word::Unknown { split: true, .. }
        ));
    }

    #[rstest]
    #[case("{'reset','--hard'}")]
    #[case("{$'/',x}")]
    #[case(".{git,''}")]
    #[case("{\\/,x}")]
    fn brace_expansion_with_quoted_members_is_unknown(#[case] raw: &str) {
        assert!(matches!(
            expand(raw, &None).word,
            Word::Unknown { split: true, .. }
        ));
    }

    #[rstest]
    #[case("{-9223372036854775808..9223372036854775807}", None)]
    #[case("{9223372036854775806..9223372036854775807..5}", Some(vec!["9223372036854775806"]))]
    #[case("{01..3}", Some(vec!["01", "02", "03"]))]
    #[case("{c..a}", Some(vec!["c", "b", "a"]))]
    #[case("x{,}", Some(vec!["x", "x"]))]
    fn brace_fields_follow_bash(#[case] raw: &str, #[case] want: Option<Vec<&str>>) {
        let fields = expand(raw, &None).fields.map(|f| {
            f.iter()
                .map(|w| w.display().to_string())
                .collect::<Vec<String>>()
        });
        assert_eq!(
            fields,
            want.map(|w| w.iter().map(|s| s.to_string()).collect())
        );
    }

    #[test]
    fn ansi_c_strings_end_at_nul() {
        assert_eq!(lit("$'--hard\\0junk'").as_deref(), Some("--hard"));
        assert_eq!(lit("$'/\\x00x'").as_deref(), Some("/"));
    }
}
