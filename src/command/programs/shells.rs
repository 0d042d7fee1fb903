//! Program knowledge, shells: which programs are shells, and in what grammar they read
//! the script they are given.
//!
//! A row per grammar. Shells of the Bourne family read their `-c` string close enough to
//! bash for the bash grammar (and bash's argv reader) to find what they run. Others
//! (fish, csh/tcsh, rc, …) have a grammar of their own: their script is still read with
//! bash's grammar where it is plain words and separators, which every one of them reads
//! alike; where it is not, what it runs is only known at run time (at least a request).
//! This module only describes programs; the walk asks it.

use super::{Action, Input, Program, is_stdin_path};
use crate::command::Word;

/// How a shell reads its script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grammar {
    /// bash itself, or a shell of the Bourne/Korn family read with bash's grammar.
    Bourne,
    /// A grammar of its own: only plain scripts are read.
    Other,
}

/// The shells, as rows: those that read their script with bash's grammar, then those
/// with a grammar of their own.
pub const ROWS: &[Program] = &[
    Program {
        names: &[
            "bash", "rbash", "sh", "dash", "ash", "hush", "zsh", "ksh", "ksh93", "mksh", "lksh",
            "pdksh", "oksh", "loksh", "posh", "yash",
        ],
        action: Action::Shell(Grammar::Bourne),
        stdin: Input::Script,
        ..Program::DEFAULT
    },
    Program {
        names: &[
            "fish", "csh", "tcsh", "rc", "es", "xonsh", "nu", "elvish", "pwsh", "ion",
        ],
        action: Action::Shell(Grammar::Other),
        stdin: Input::Script,
        ..Program::DEFAULT
    },
];

/// The grammar of a shell program, or `None` when `base` is not a shell.
pub fn grammar(base: &str) -> Option<Grammar> {
    match super::lookup(base).action {
        Action::Shell(grammar) => Some(grammar),
        _ => None,
    }
}

/// Shells that read POSIX quoting only (dash is `sh` on Debian and Ubuntu): `$'…'` and
/// `$"…"` are not quotes there.
pub fn posix_quoting(base: &str) -> bool {
    matches!(base, "sh" | "dash" | "ash" | "hush" | "posh")
}

/// The `echo` builtin of the shell `base`: bash's keeps backslashes, dash's (`sh` on
/// Debian and Ubuntu) decodes them; the others' may do either.
pub fn echo_of(base: &str) -> crate::command::files::Echo {
    use crate::command::files::Echo;
    match base {
        "bash" | "rbash" => Echo::Bash,
        "sh" | "dash" => Echo::Dash,
        _ => Echo::Unknown,
    }
}

/// The script as a POSIX shell reads it, written for bash's grammar: every unquoted
/// `$'` and `$"` becomes `"$"'` / `"$""` — a literal `$` before an ordinary quote, as
/// dash reads it (`$'x\' ; cmd '` is one word to bash, and runs `cmd` in dash) — and
/// every unquoted `~+` / `~-` becomes `\~+` / `\~-` (dash has no such tilde prefixes: the
/// word stays as written). `[[` is no keyword to dash: an unquoted `[[` that starts a
/// word becomes `\[\[`, the command `[[` whose words and redirections follow as any
/// command's (`[[ x > ~/.bashrc ]]` truncates `~/.bashrc` in dash). Quoted text is left alone (`$'` means nothing there to either
/// shell), and so are comments and here-document bodies, whose quote characters open
/// nothing in dash (`#'` does not start a quoted string); a `$(…)` inside double quotes
/// is a new unquoted context. `None` when the script has no such spelling, and parses no
/// text at run time that could have one (`eval`, `trap`, `source`, `.`, aliases, a file
/// executed without `#!`: their text is read this way when the walk reaches it).
pub fn posix_reading(script: &str) -> Option<String> {
    const MARKS: [&str; 14] = [
        "[[",
        "$'",
        "$\"",
        "~+",
        "~-",
        "\\~",
        "eval",
        "trap",
        "alias",
        "source",
        ". ",
        "./",
        "mapfile",
        "readarray",
    ];
    if !MARKS.iter().any(|m| script.contains(m)) {
        return None;
    }
    /// What the text at the current position is inside of.
    #[derive(PartialEq)]
    enum Ctx {
        Single,
        Double,
        /// `$(…)`, with how many unclosed `(` it holds.
        Sub(usize),
    }
    let chars: Vec<char> = script.chars().collect();
    let mut out = String::with_capacity(script.len() + 8);
    let mut stack: Vec<Ctx> = Vec::new();
    // Here-documents whose bodies start after the next unquoted newline.
    let mut pending: Vec<(String, bool)> = Vec::new();
    let mut prev = '\n';
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        let next = chars.get(i).copied();
        let at_word_start = " \t\n;&|()<>".contains(prev);
        match (stack.last(), c) {
            (Some(Ctx::Single), '\'') => {
                stack.pop();
            }
            (Some(Ctx::Single), _) => {}
            (_, '\\') => {
                out.push(c);
                if let Some(n) = next {
                    out.push(n);
                    i += 1;
                }
                prev = 'x';
                continue;
            }
            (_, '$') if next == Some('(') => {
                stack.push(Ctx::Sub(0));
                out.push_str("$(");
                i += 1;
                prev = '(';
                continue;
            }
            (Some(Ctx::Double), '"') => {
                stack.pop();
            }
            (_, '`') => {
                // The text up to the closing backquote, with one level of `\\`, `\``
                // and `\$` escapes removed, is a script of its own: read it so, then
                // escape it again.
                let mut end = i;
                while let Some(&n) = chars.get(end) {
                    match n {
                        '\\' => end += 2,
                        '`' => break,
                        _ => end += 1,
                    }
                }
                let mut inner = String::new();
                let mut k = i;
                while k < end.min(chars.len()) {
                    let n = chars.get(k).copied().unwrap_or_default();
                    let after = chars.get(k + 1).copied();
                    if n == '\\' && matches!(after, Some('\\' | '`' | '$')) {
                        inner.extend(after);
                        k += 2;
                    } else {
                        inner.push(n);
                        k += 1;
                    }
                }
                let read = posix_reading(&inner).unwrap_or(inner);
                out.push('`');
                for n in read.chars() {
                    if matches!(n, '\\' | '`' | '$') {
                        out.push('\\');
                    }
                    out.push(n);
                }
                if chars.get(end) == Some(&'`') {
                    out.push('`');
                }
                i = end + 1;
                prev = '`';
                continue;
            }
            (Some(Ctx::Double), _) => {}
            // Unquoted from here on.
            (_, '#') if at_word_start => {
                // A comment, to the end of the line.
                out.push(c);
                while let Some(&n) = chars.get(i) {
                    if n == '\n' {
                        break;
                    }
                    out.push(n);
                    i += 1;
                }
                prev = 'x';
                continue;
            }
            (_, '$') if matches!(next, Some('\'' | '"')) => {
                out.push_str("\"$\"");
                prev = '$';
                continue;
            }
            (_, '[') if next == Some('[') && at_word_start => {
                out.push_str("\\[\\[");
                i += 1;
                prev = '[';
                continue;
            }
            (_, '~')
                if matches!(next, Some('+' | '-')) && (at_word_start || "=:".contains(prev)) =>
            {
                out.push('\\');
            }
            (_, '\'') => stack.push(Ctx::Single),
            (_, '"') => stack.push(Ctx::Double),
            (Some(Ctx::Sub(n)), '(') => {
                let n = *n;
                stack.pop();
                stack.push(Ctx::Sub(n + 1));
            }
            (Some(Ctx::Sub(n)), ')') => {
                let n = *n;
                stack.pop();
                if n > 0 {
                    stack.push(Ctx::Sub(n - 1));
                }
            }
            (_, '<') if next == Some('<') && chars.get(i + 1) != Some(&'<') => {
                let after: String = chars.get(i + 1..).into_iter().flatten().collect();
                if let Some(heredoc) = crate::command::repair::heredoc_delimiter(&after)
                    && closes_later(&chars, i, &heredoc)
                {
                    pending.push(heredoc);
                }
                out.push_str("<<");
                i += 1;
                prev = '<';
                continue;
            }
            (_, '\n') if !pending.is_empty() => {
                out.push('\n');
                for (delimiter, strip_tabs) in pending.drain(..) {
                    while i < chars.len() {
                        let end = chars
                            .get(i..)
                            .and_then(|rest| rest.iter().position(|&n| n == '\n'))
                            .map_or(chars.len(), |at| i + at);
                        let line: String = chars.get(i..end).into_iter().flatten().collect();
                        out.push_str(&line);
                        i = end;
                        if i < chars.len() {
                            out.push('\n');
                            i += 1;
                        }
                        let candidate = if strip_tabs {
                            line.trim_start_matches('\t')
                        } else {
                            line.as_str()
                        };
                        if candidate == delimiter {
                            break;
                        }
                    }
                }
                prev = '\n';
                continue;
            }
            _ => {}
        }
        out.push(c);
        prev = c;
    }
    Some(out)
}
/// Whether a line after the one holding position `from` closes the here-document
/// `(delimiter, strip_tabs)`: `<<` not followed by such a line is no here-document
/// (`$((x<<y))`), and its text is read on.
fn closes_later(chars: &[char], from: usize, (delimiter, strip_tabs): &(String, bool)) -> bool {
    let rest: String = chars.get(from..).into_iter().flatten().collect();
    rest.split('\n').skip(1).any(|line| {
        let line = if *strip_tabs {
            line.trim_start_matches('\t')
        } else {
            line
        };
        line == delimiter
    })
}

/// zsh expands an unquoted word `=NAME` to the path of the command NAME (its EQUALS
/// option, on by default): `=rm -rf x` runs rm. The script with each such `=` removed,
/// for bash's grammar; `None` when it has none. Quoted text is left alone.
pub fn zsh_reading(script: &str) -> Option<String> {
    let mut out = String::with_capacity(script.len());
    let mut state = None::<char>;
    let mut changed = false;
    let mut prev = ' ';
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match (state, c) {
            (None | Some('"'), '\\') => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                    prev = n;
                }
                continue;
            }
            (None, '=')
                if " \t\n;|&(`".contains(prev)
                    && chars
                        .peek()
                        .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_') =>
            {
                changed = true;
                prev = c;
                continue;
            }
            // `>!` and `>>!` override `noclobber`: `>|` and `>>` to bash.
            (None, '>') if chars.peek() == Some(&'!') => {
                chars.next();
                out.push_str(">|");
                changed = true;
                prev = '|';
                continue;
            }
            (None, '>') if chars.peek() == Some(&'>') => {
                chars.next();
                out.push_str(">>");
                if chars.peek() == Some(&'!') {
                    chars.next();
                    changed = true;
                }
                prev = '>';
                continue;
            }
            // `zmodload zsh/files` makes `zf_rm`, `zf_mv`, … builtins of those programs.
            (None, 'z')
                if " \t\n;|&(`".contains(prev)
                    && chars.clone().take(2).collect::<String>() == "f_" =>
            {
                chars.next();
                chars.next();
                changed = true;
                prev = '_';
                continue;
            }
            (None, '\'' | '"') => state = Some(c),
            (Some(q), _) if c == q => state = None,
            _ => {}
        }
        out.push(c);
        prev = c;
    }
    changed.then_some(out)
}

/// How `shell` reads a script differently from bash, where that can run other commands:
/// the script as bash's grammar would have to be written to run what `shell` runs, and a
/// label for `explain`. dash and the other POSIX shells read `$'…'` plainly; zsh
/// expands `=cmd`.
pub fn own_reading(shell: &str, script: &str) -> Option<(String, &'static str)> {
    if posix_quoting(shell) {
        return posix_reading(script).map(|s| (s, "POSIX quoting"));
    }
    if shell == "zsh" {
        return zsh_reading(script).map(|s| (s, "zsh's `=cmd`, `>!`, `zf_` builtins"));
    }
    None
}

/// PowerShell's names for deleting (the `Remove-Item` cmdlet and its aliases).
const PWSH_REMOVE: [&str; 7] = ["remove-item", "ri", "rm", "del", "erase", "rd", "rmdir"];

/// A PowerShell script's deletions as the `rm` commands they are, for the rules about
/// `rm`: `Remove-Item -Recurse -Force .git` (parameters may be abbreviated, any case)
/// reads as `rm -r -f .git`, a comma list of paths as several operands. `None` when the
/// script deletes nothing.
pub fn pwsh_reading(script: &str) -> Option<String> {
    let mut out = Vec::new();
    for statement in script.split([';', '\n', '|']) {
        let mut tokens = statement.split_whitespace();
        let Some(first) = tokens.next() else { continue };
        if !PWSH_REMOVE.contains(&first.to_ascii_lowercase().as_str()) {
            continue;
        }
        let mut words = vec!["rm".to_string()];
        for token in tokens {
            match token.strip_prefix('-').map(str::to_ascii_lowercase) {
                Some(p) if !p.is_empty() && "recurse".starts_with(&p) => words.push("-r".into()),
                Some(p) if p.len() >= 2 && "force".starts_with(&p) => words.push("-f".into()),
                // `-Path X`, `-LiteralPath X`: X is an operand like any other.
                Some(_) => {}
                None => words.extend(token.split(',').filter(|t| !t.is_empty()).map(String::from)),
            }
        }
        out.push(words.join(" "));
    }
    (!out.is_empty()).then(|| out.join("\n"))
}

/// What `shell` deletes, read from its script as the `rm` commands it amounts to
/// (PowerShell's `Remove-Item`, see [`pwsh_reading`]); `None` for other shells.
pub fn own_deletions(shell: &str, script: &str) -> Option<String> {
    if shell == "pwsh" {
        pwsh_reading(script)
    } else {
        None
    }
}

/// Options of the other shells whose value is a script they run (`fish -c`, `fish -C`
/// init commands, `pwsh -Command`), with `=` forms.
const SCRIPT_OPTIONS: [&str; 7] = [
    "-c",
    "-C",
    "--command",
    "--init-command",
    "-Command",
    "-command",
    "-e",
];

/// What a shell of another grammar is asked to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtherRun<'a> {
    /// Script strings given with `-c` and friends (the words as given).
    Scripts(Vec<&'a Word>),
    /// A script file operand.
    File,
    /// No script operand: the script comes from standard input.
    Stdin,
}

/// Reads the argv of a shell of another grammar: every `-c`-like option's value, a
/// bundle ending in `c` (`csh -fc`), or the first operand as a file.
pub fn other_run(args: &[Word]) -> OtherRun<'_> {
    let mut scripts = Vec::new();
    let mut i = 0;
    let mut file = false;
    while let Some(w) = args.get(i) {
        i += 1;
        let Some(t) = w.lit() else {
            // An unknown word where an option could be: it may be `-c`, its value a
            // script; the next word is taken as one.
            scripts.extend(args.get(i));
            continue;
        };
        if t == "--" {
            file = args.get(i).is_some();
            break;
        }
        if let Some((name, _)) = t.split_once('=')
            && SCRIPT_OPTIONS.contains(&name)
        {
            // The `=` form: the value is part of this word.
            scripts.push(w);
            continue;
        }
        let bundle_c = t.len() > 2
            && t.starts_with('-')
            && !t.starts_with("--")
            && t.ends_with('c')
            && t.chars().skip(1).all(|c| c.is_ascii_alphabetic());
        if SCRIPT_OPTIONS.contains(&t) || bundle_c {
            scripts.extend(args.get(i));
            i += 1;
            continue;
        }
        if !t.starts_with('-') && !t.starts_with('+') {
            file = true;
            break;
        }
    }
    if !scripts.is_empty() {
        OtherRun::Scripts(scripts)
    } else if file {
        OtherRun::File
    } else {
        OtherRun::Stdin
    }
}

/// The script of an `=` form (`--command=…`), else the word's text.
pub fn script_text(word: &str) -> &str {
    match word.split_once('=') {
        Some((name, value)) if SCRIPT_OPTIONS.contains(&name) => value,
        _ => word,
    }
}

/// Whether every shell reads `script` alike: plain words (letters, digits, `-_./=:,@%+`)
/// separated by blanks, newlines, `;`, `|`, `&&` and `||` — no quotes, expansions,
/// globs, redirections or grouping, where the grammars differ.
pub fn plain(script: &str) -> bool {
    script
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " \t\n-_./=:,@%+;|&".contains(c))
}

/// What a shell invocation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellRun {
    /// `-c SCRIPT [$0 $1 …]`: the literal operands become the positionals.
    Script {
        /// The script operand.
        script: Word,
        /// `$0`, `$1`, … when every operand is literal.
        positionals: Option<Vec<String>>,
    },
    /// A script file operand: like running the file.
    File,
    /// Reads its script from stdin (no operand, or `-s`).
    Stdin,
    /// `--version`, `--help`: runs nothing.
    Nothing,
    /// Options we cannot read.
    Unknown(String),
}

/// Reads a shell's argv with bash's grammar ([`crate::command::bash_argv`]): long
/// options with one or two dashes at the front, then bundles like `-lc`/`-ec`, `-o
/// opt`, `+o opt`, `-O shopt`, `--`.
pub fn shell_invocation(args: &[Word]) -> ShellRun {
    let reading = crate::command::bash_argv::read(&args.iter().map(Word::lit).collect::<Vec<_>>());
    if let Some(at) = reading.unknown_at {
        return ShellRun::Unknown(format!(
            "shell option `{}` only known at run time",
            args.get(at).map_or("", Word::display)
        ));
    }
    // `--help`/`--version` print and exit; `-n` reads without running (an interactive
    // shell ignores it, so `-i` keeps it from counting).
    if reading.runs_nothing() {
        return ShellRun::Nothing;
    }
    let (c, s, i) = (reading.command, reading.stdin, reading.operands);
    let operands = args.get(i..).unwrap_or(&[]);
    if !c
        && operands
            .first()
            .and_then(Word::lit)
            .is_some_and(is_stdin_path)
    {
        return ShellRun::Stdin;
    }
    if c {
        let Some(script) = operands.first() else {
            return ShellRun::Unknown("`-c` without a script".into());
        };
        let positionals: Option<Vec<String>> = operands
            .get(1..)
            .unwrap_or(&[])
            .iter()
            .map(|w| w.lit().map(str::to_string))
            .collect();
        return ShellRun::Script {
            script: script.clone(),
            positionals,
        };
    }
    if s || operands.is_empty() {
        return ShellRun::Stdin;
    }
    match operands.first() {
        Some(Word::Lit(_)) => ShellRun::File,
        _ => ShellRun::Unknown("the script file is only known at run time".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::programs::lits;

    #[test]
    fn zsh_equals_expansion_is_read_as_the_command() {
        assert_eq!(zsh_reading("=rm -rf x").as_deref(), Some("rm -rf x"));
        assert_eq!(
            zsh_reading("echo a; =git push -f").as_deref(),
            Some("echo a; git push -f")
        );
        assert_eq!(zsh_reading("x=1 ls --color=auto"), None);
        assert_eq!(zsh_reading("echo '=rm' \"=rm\" \\=rm"), None);
        assert_eq!(own_reading("bash", "=rm x"), None);
        assert!(own_reading("dash", "echo $'x'").is_some());
    }

    #[test]
    fn pwsh_deletions_read_as_rm() {
        assert_eq!(
            pwsh_reading("Remove-Item -Recurse -Force .git").as_deref(),
            Some("rm -r -f .git")
        );
        assert_eq!(
            pwsh_reading("ri -rec -fo a,b; Get-Date").as_deref(),
            Some("rm -r -f a b")
        );
        assert_eq!(
            pwsh_reading("remove-item -Path x -Filter *.log").as_deref(),
            Some("rm x *.log")
        );
        assert_eq!(pwsh_reading("Get-ChildItem -Recurse"), None);
    }

    #[test]
    fn scripts_of_other_shells_are_found() {
        let args = lits("-l -c x");
        assert_eq!(
            other_run(&args),
            OtherRun::Scripts(vec![&Word::Lit("x".into())])
        );
        let args = lits("-fc y");
        assert_eq!(
            other_run(&args),
            OtherRun::Scripts(vec![&Word::Lit("y".into())])
        );
        let args = lits("--command=z");
        assert_eq!(
            other_run(&args),
            OtherRun::Scripts(vec![&Word::Lit("--command=z".into())])
        );
        assert_eq!(other_run(&lits("run.fish a")), OtherRun::File);
        assert_eq!(other_run(&lits("-l")), OtherRun::Stdin);
    }

    #[test]
    fn posix_reading_makes_dollar_quotes_literal() {
        assert_eq!(posix_reading("echo $'x'").as_deref(), Some("echo \"$\"'x'"));
        assert_eq!(posix_reading("echo \\$'x'").as_deref(), Some("echo \\$'x'"));
        assert_eq!(
            posix_reading("echo \"a$'b\" 'c$'").as_deref(),
            Some("echo \"a$'b\" 'c$'")
        );
        assert_eq!(posix_reading("echo $x"), None);
    }

    #[test]
    fn posix_reading_skips_comments_and_heredoc_bodies() {
        // `#'` opens no quote: the second `$'` is rewritten too.
        assert_eq!(
            posix_reading("echo $'q\\' ; a #'\necho $'q\\' ; b #'").as_deref(),
            Some("echo \"$\"'q\\' ; a #'\necho \"$\"'q\\' ; b #'")
        );
        // Nor does a quote in a here-document body.
        assert_eq!(
            posix_reading("cat <<E\nit's\nE\necho $'x'").as_deref(),
            Some("cat <<E\nit's\nE\necho \"$\"'x'")
        );
        // A shift is no here-document.
        assert_eq!(
            posix_reading("echo $((1<<2)) $'x'").as_deref(),
            Some("echo $((1<<2)) \"$\"'x'")
        );
        // So is the text in backquotes, with one level of escapes removed.
        assert_eq!(
            posix_reading("echo `a 'it'\\\\''s'` $'x'").as_deref(),
            Some("echo `a 'it'\\\\''s'` \"$\"'x'")
        );
        assert_eq!(
            posix_reading("echo `echo \\$'x'`").as_deref(),
            Some("echo `echo \"\\$\"'x'`")
        );
        // `$(…)` in double quotes is read afresh.
        assert_eq!(
            posix_reading("echo \"$(echo $'x')\"").as_deref(),
            Some("echo \"$(echo \"$\"'x')\"")
        );
        // `~+` and `~-` are no tilde prefixes to dash.
        assert_eq!(
            posix_reading("a ~+ x=~-/y '~+' \"~+\" b~+").as_deref(),
            Some("a \\~+ x=\\~-/y '~+' \"~+\" b~+")
        );
    }

    #[test]
    fn plain_scripts_have_no_grammar_of_their_own() {
        assert!(plain("git status; ls -la && make test"));
        assert!(!plain("echo $PATH"));
        assert!(!plain("rm -rf (pwd)"));
        assert!(!plain("git 'reset' --hard"));
    }

    #[test]
    fn posix_reading_makes_double_brackets_a_command() {
        assert_eq!(
            posix_reading("[[ x > f ]] && a; b [[ c; echo '[[ q'").as_deref(),
            Some("\\[\\[ x > f ]] && a; b \\[\\[ c; echo '[[ q'")
        );
        assert_eq!(
            posix_reading("if [[ -n x ]]; then :; fi").as_deref(),
            Some("if \\[\\[ -n x ]]; then :; fi")
        );
        assert_eq!(posix_reading("echo x"), None);
    }

    #[test]
    fn shell_grammar_finds_script_and_positionals() {
        let run = shell_invocation(&lits("-lc script a b"));
        assert_eq!(
            run,
            ShellRun::Script {
                script: Word::Lit("script".into()),
                positionals: Some(vec!["a".into(), "b".into()])
            }
        );
        assert_eq!(
            shell_invocation(&lits("-o pipefail -c x")),
            ShellRun::Script {
                script: Word::Lit("x".into()),
                positionals: Some(vec![])
            }
        );
        assert_eq!(shell_invocation(&lits("-s")), ShellRun::Stdin);
        assert_eq!(shell_invocation(&lits("run.sh a")), ShellRun::File);
    }
}
