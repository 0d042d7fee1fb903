//! Program knowledge, command runners: programs that run commands they read from their
//! arguments with a syntax of their own — `xargs`, GNU `parallel`, terminal multiplexers
//! (`tmux`, `screen`), `watch`, `ssh HOST CMD`, and containers (`docker run -v`).
//!
//! A row per program. Each reader takes the row's option table (which options take a
//! value) and says what the program runs: a shell script, an argv, keys typed into a
//! shell, or something only known at run time. The walk asks; this module never decides.

use super::hooks::{Hook, Kind};
use super::wrappers;
use super::{Action, Input, Options, Program};
use crate::command::Word;

/// The runners, as rows.
pub const ROWS: &[Program] = &[
    Program {
        names: &["xargs"],
        // GNU xargs: `-e[EOF]`, `-i[R]`, `-l[N]`, `--eof[=EOF]`, `--replace[=R]` and
        // `--max-lines[=N]` take a value only attached, so the next word is the command
        // (`xargs --replace bash -c '… {}'`).
        options: Options {
            short: "adEILnPs",
            long: &[
                "--arg-file",
                "--delimiter",
                "--max-args",
                "--max-procs",
                "--max-chars",
                "--process-slot-var",
            ],
            ..Options::NONE
        },
        action: Action::Xargs,
        stdin: Input::Arguments("xargs input"),
        ..Program::DEFAULT
    },
    Program {
        names: &["parallel"],
        options: Options {
            short: "aCdEIjPLnNSsJ",
            long: &[
                "--arg-file",
                "--arg-file-sep",
                "--arg-sep",
                "--basefile",
                "--bf",
                "--colsep",
                "--delimiter",
                "--env",
                "--joblog",
                "--jobs",
                "--max-procs",
                "--max-lines",
                "--max-args",
                "--results",
                "--res",
                "--sshlogin",
                "--sshloginfile",
                "--slf",
                "--max-chars",
                "--tmpdir",
                "--timeout",
                "--workdir",
                "--wd",
                "--delay",
                "--memfree",
                "--load",
                "--halt",
                "--retries",
                "--tag-string",
                "--tagstring",
                "--profile",
            ],
            ..Options::NONE
        },
        action: Action::Runner(Runner::Parallel),
        stdin: Input::Commands,
        ..Program::DEFAULT
    },
    // Global options: `-c` runs a shell command; -f -L -S -T take a value (tmux's
    // commands have their own table, see `tmux_command`).
    Program {
        names: &["tmux"],
        options: Options {
            short: "fLST",
            command: &["-c"],
            ..Options::NONE
        },
        action: Action::Runner(Runner::Tmux),
        ..Program::DEFAULT
    },
    Program {
        names: &["screen"],
        options: Options {
            short: "ceEhpSsTtX",
            long: &["-Logfile"],
            flags: &["-fn", "-fa", "-ln", "-ls", "-list", "-wipe"],
            ..Options::NONE
        },
        action: Action::Runner(Runner::Screen),
        ..Program::DEFAULT
    },
    Program {
        names: &["watch"],
        options: Options {
            short: "nq",
            long: &["--interval", "--differences", "--equexit"],
            ..Options::NONE
        },
        action: Action::Watch,
        ..Program::DEFAULT
    },
    // `at TIME` / `batch` read the job, a shell script, from stdin (`-f FILE` names a
    // script file; -l, -r, -d, -c only list or remove jobs).
    Program {
        names: &["at", "batch"],
        action: Action::At,
        stdin: Input::Script,
        ..Program::DEFAULT
    },
    Program {
        names: &["ssh"],
        options: Options {
            short: "BbcDEeFIiJLlmOoPpQRSWw",
            ..Options::NONE
        },
        action: Action::Remote,
        stdin: Input::Passed,
        hooks: SSH,
        ..Program::DEFAULT
    },
    Program {
        names: &["scp", "sftp", "autossh"],
        hooks: SSH,
        ..Program::DEFAULT
    },
    Program {
        names: &["docker", "podman", "nerdctl"],
        action: Action::Container,
        ..Program::DEFAULT
    },
];

/// ssh's `-o Key=Value`: the value of ProxyCommand / LocalCommand runs.
const SSH: &[Hook] = &[Hook {
    options: &["-o"],
    kind: Kind::SshOption,
}];

/// A runner with a syntax of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// `tmux [-c SHELL-COMMAND] [options] [command [flags] [args]] [; command …]`.
    Tmux,
    /// `screen [options] [program [args]]`, `screen -X stuff KEYS`.
    Screen,
    /// `parallel [options] [command] ::: inputs…`.
    Parallel,
}

/// One thing a runner runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    /// A script run through a shell.
    Script(String),
    /// An argv run directly.
    Words(Vec<Word>),
    /// The runner reads commands from standard input (`parallel` with no input source).
    Stdin,
    /// Something only known at run time, with why.
    Unknown(String),
}

/// What a runner runs, its options read as `o` says.
pub fn runs(runner: Runner, o: &Options, args: &[Word]) -> Vec<Run> {
    match runner {
        Runner::Tmux => tmux(o, args),
        Runner::Screen => screen(o, args),
        Runner::Parallel => parallel(o, args),
    }
}

/// A literal word, or the reason it is not.
fn literal(word: &Word, what: &str) -> Result<String, Run> {
    word.lit().map(str::to_string).ok_or_else(|| {
        Run::Unknown(format!(
            "{what} `{}` is only known at run time",
            word.display()
        ))
    })
}

/// Skips options; `takes` lists the letters (in any bundle, the last letter's) and
/// `long` the whole-word options whose value is the next word; `flags` lists whole-word
/// options that take none (`screen -ls`). Returns the index of the first operand.
fn skip_options(args: &[Word], from: usize, takes: &str, long: &[&str], flags: &[&str]) -> usize {
    let mut i = from;
    while let Some(w) = args.get(i).and_then(Word::lit) {
        if w == "--" {
            return i + 1;
        }
        if !w.starts_with('-') || w == "-" {
            break;
        }
        if flags.contains(&w) {
            i += 1;
            continue;
        }
        if long.contains(&w) {
            i += 2;
            continue;
        }
        if !w.starts_with("--")
            && w.chars().skip(1).enumerate().any(|(k, c)| {
                // The letter takes the rest of the word, or the next word when it is last.
                takes.contains(c) && k + 2 == w.chars().count()
            })
        {
            i += 2;
            continue;
        }
        i += 1;
    }
    i
}

/// `tmux [-c SHELL-COMMAND] [options] [command [flags] [args]] [; command …]`.
fn tmux(o: &Options, args: &[Word]) -> Vec<Run> {
    let mut out = Vec::new();
    // Global options: the last letter of a bundle may take a value, or run it (`-c`).
    let runs_value = |w: &str| {
        o.command
            .iter()
            .filter_map(|c| c.strip_prefix('-'))
            .any(|letter| w.ends_with(letter))
    };
    let mut i = 0;
    while let Some(w) = args.get(i).and_then(Word::lit) {
        if !w.starts_with('-') || w == "--" {
            i += usize::from(w == "--");
            break;
        }
        if runs_value(w) && w.len() > 1 {
            match args.get(i + 1).map(|v| literal(v, "tmux -c")) {
                Some(Ok(s)) => out.push(Run::Script(s)),
                Some(Err(e)) => out.push(e),
                None => {}
            }
            i += 2;
            continue;
        }
        i += if w.ends_with(|c: char| o.short.contains(c)) {
            2
        } else {
            1
        };
    }
    // Commands, separated by `;` words.
    let rest = args.get(i..).unwrap_or(&[]);
    for command in rest.split(|w| matches!(w.lit(), Some(";" | "\\;"))) {
        out.extend(tmux_command(command));
    }
    out
}

/// One tmux command and what it runs.
fn tmux_command(words: &[Word]) -> Vec<Run> {
    let Some(name) = words.first().and_then(Word::lit) else {
        return match words.first() {
            Some(w) => vec![Run::Unknown(format!(
                "tmux command `{}` is only known at run time",
                w.display()
            ))],
            None => Vec::new(),
        };
    };
    // `set-hook [-agpRuw] [-t TARGET] HOOK COMMAND`: COMMAND is a tmux command, run
    // when the hook fires (`run-shell "…"`); `set-option … default-command|default-shell
    // VALUE`: what every new pane runs.
    if matches!(
        name,
        "set-hook" | "set-option" | "set" | "set-window-option" | "setw"
    ) {
        let start = skip_options(words, 1, "t", &[], &[]);
        let rest = words.get(start..).unwrap_or(&[]);
        let [option, value, ..] = rest else {
            return Vec::new();
        };
        let is_hook = name == "set-hook";
        let runs = is_hook
            || option
                .lit()
                .is_some_and(|o| matches!(o, "default-command" | "default-shell"));
        if !runs {
            return Vec::new();
        }
        return vec![match literal(value, "tmux command") {
            Ok(s) if is_hook => Run::Script(format!("tmux {s}")),
            Ok(s) => Run::Script(s),
            Err(e) => e,
        }];
    }
    // (letters taking a value, what the operands are)
    let (takes, operands): (&str, &str) = match name {
        "new-session" | "new" => ("cefFnstxy", "command"),
        "new-window" | "neww" => ("ceFnt", "command"),
        "split-window" | "splitw" => ("ceFlpt", "command"),
        "respawn-pane" | "respawnp" | "respawn-window" | "respawnw" => ("cet", "command"),
        "display-popup" | "popup" => ("bcdehsSTtwxy", "command"),
        "run-shell" | "run" | "if-shell" | "if" | "pipe-pane" | "pipep" => ("cdt", "script"),
        "send-keys" | "send" => ("cNt", "keys"),
        _ => return Vec::new(),
    };
    let start = skip_options(words, 1, takes, &[], &[]);
    let rest = words.get(start..).unwrap_or(&[]);
    match (operands, rest) {
        (_, []) => Vec::new(),
        // One operand is a shell command; several are an argv (tmux 3).
        // `if-shell SHELL-COMMAND TMUX-COMMAND [TMUX-COMMAND]`: the branches are tmux
        // commands, read as `tmux …`.
        ("script", [test, branches @ ..]) if matches!(name, "if-shell" | "if") => {
            let mut runs = vec![match literal(test, "tmux command") {
                Ok(s) => Run::Script(s),
                Err(e) => e,
            }];
            for branch in branches.iter().take(2) {
                runs.push(match literal(branch, "tmux command") {
                    Ok(s) => Run::Script(format!("tmux {s}")),
                    Err(e) => e,
                });
            }
            runs
        }
        ("command", [one]) | ("script", [one, ..]) => match literal(one, "tmux command") {
            Ok(s) => vec![Run::Script(s)],
            Err(e) => vec![e],
        },
        ("command", many) => vec![Run::Words(many.to_vec())],
        // Keys typed into the pane's shell: `send-keys 'git push -f' Enter`.
        _ => {
            let mut typed = String::new();
            for key in rest {
                match key.lit() {
                    Some("Enter" | "C-m" | "KPEnter" | "C-j") => typed.push('\n'),
                    Some("Space") => typed.push(' '),
                    Some("Tab") => typed.push('\t'),
                    Some(text) => typed.push_str(text),
                    None => {
                        return vec![Run::Unknown(format!(
                            "keys `{}` typed into a shell are only known at run time",
                            key.display()
                        ))];
                    }
                }
            }
            vec![Run::Script(typed)]
        }
    }
}

/// `screen [options] [program [args]]`, `screen -X stuff KEYS`, `screen -X exec …`.
fn screen(o: &Options, args: &[Word]) -> Vec<Run> {
    let start = skip_options(args, 0, o.short, o.long, o.flags);
    let command = args.iter().position(|w| {
        w.lit()
            .is_some_and(|t| t.starts_with('-') && t.ends_with('X') && !t.starts_with("--"))
    });
    if let Some(x) = command {
        // `-X CMD ARGS…` sends a screen command to a running session.
        let rest = args.get(x + 1..).unwrap_or(&[]);
        return match rest.first().and_then(Word::lit) {
            Some("stuff") => match rest.get(1).map(|k| literal(k, "keys")) {
                Some(Ok(keys)) => vec![Run::Script(
                    keys.replace("^M", "\n")
                        .replace("\\r", "\n")
                        .replace("\\n", "\n"),
                )],
                Some(Err(e)) => vec![e],
                None => Vec::new(),
            },
            Some("exec" | "screen") => {
                let words: Vec<Word> = rest
                    .get(1..)
                    .unwrap_or(&[])
                    .iter()
                    .skip_while(|w| {
                        w.lit()
                            .is_some_and(|t| t.starts_with(['.', '!', '|']) && t.len() <= 3)
                    })
                    .cloned()
                    .collect();
                if words.is_empty() {
                    Vec::new()
                } else {
                    vec![Run::Words(words)]
                }
            }
            Some(_) => Vec::new(),
            None => match rest.first() {
                Some(w) => vec![Run::Unknown(format!(
                    "screen command `{}` is only known at run time",
                    w.display()
                ))],
                None => Vec::new(),
            },
        };
    }
    match args.get(start..) {
        Some(words) if !words.is_empty() => vec![Run::Words(words.to_vec())],
        _ => Vec::new(),
    }
}

/// Replacement strings parallel substitutes with an input (`{}`, `{.}`, `{1}`, …).
fn has_replacement(text: &str) -> bool {
    [
        "{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}", "{1}", "{2}", "{=", "{+",
    ]
    .iter()
    .any(|r| text.contains(r))
}

/// `parallel [options] [command] ::: inputs… [::: more…]`: the command line for each
/// input, composed as parallel does (inputs shell-quoted, put where a replacement string
/// is or appended), run through a shell. Without `:::`, inputs come from standard input
/// or a file.
fn parallel(o: &Options, args: &[Word]) -> Vec<Run> {
    let start = skip_options(args, 0, o.short, o.long, o.flags);
    let rest = args.get(start..).unwrap_or(&[]);
    let separator = |w: &Word| matches!(w.lit(), Some(":::" | "::::" | ":::+" | "::::+"));
    let cut = rest.iter().position(separator).unwrap_or(rest.len());
    let command = rest.get(..cut).unwrap_or(&[]);
    let from_file = args.get(..start).unwrap_or(&[]).iter().any(|w| {
        matches!(w.lit(), Some("-a" | "--arg-file"))
            || w.lit().is_some_and(|t| t.starts_with("--arg-file="))
    });
    // The input sources: each `:::` group (literal), `::::` files (unknown).
    let mut sources: Vec<Vec<Word>> = Vec::new();
    let mut i = cut;
    while let Some(sep) = rest.get(i) {
        let files = matches!(sep.lit(), Some("::::" | "::::+"));
        let end = rest
            .get(i + 1..)
            .and_then(|r| r.iter().position(separator))
            .map_or(rest.len(), |p| i + 1 + p);
        let values: Vec<Word> = rest
            .get(i + 1..end)
            .unwrap_or(&[])
            .iter()
            .map(|w| {
                if files {
                    Word::unknown("<parallel input file>", true)
                } else {
                    w.clone()
                }
            })
            .collect();
        sources.push(values);
        i = end;
    }
    let command_text: Option<Vec<String>> = command
        .iter()
        .map(|w| w.lit().map(str::to_string))
        .collect();
    let Some(command_text) = command_text else {
        return vec![Run::Unknown(
            "the command `parallel` runs is only known at run time".into(),
        )];
    };
    if sources.is_empty() {
        if command_text.is_empty() && !from_file {
            return vec![Run::Stdin];
        }
        // Inputs from stdin or a file: the command with unknown inputs.
        let mut words = command.to_vec();
        if command_text.is_empty() {
            return vec![Run::Unknown(
                "`parallel` runs commands read from a file".into(),
            )];
        }
        if command_text.iter().any(|t| has_replacement(t)) {
            // Each input takes the replacement string's place: `parallel bash -c {}`
            // runs what it reads.
            for w in words.iter_mut() {
                if w.lit().is_some_and(has_replacement) {
                    *w = Word::unknown(w.display().to_string(), false);
                }
            }
        } else {
            words.push(Word::unknown("<parallel input>", true));
        }
        return vec![Run::Words(words)];
    }
    // Every combination of one input per source (bounded).
    let mut combos: Vec<Vec<Word>> = vec![Vec::new()];
    for source in &sources {
        let mut next = Vec::new();
        for combo in &combos {
            for value in source {
                let mut c = combo.clone();
                c.push(value.clone());
                next.push(c);
            }
        }
        combos = next;
        if combos.len() > 64 {
            return vec![Run::Unknown(
                "`parallel` runs too many combinations to list".into(),
            )];
        }
    }
    let quote = |v: &str| format!("'{}'", v.replace('\'', "'\\''"));
    let mut out = Vec::new();
    for combo in combos {
        let Some(values) = combo
            .iter()
            .map(|w| w.lit().map(str::to_string))
            .collect::<Option<Vec<String>>>()
        else {
            // An input only known at run time (a glob, `$x`, a `::::` file): appended to
            // a literal command it is that command's argument (`gzip ::: *.log`).
            if !command_text.is_empty() && !has_replacement(&command_text.join(" ")) {
                let mut words = command.to_vec();
                words.extend(combo);
                out.push(Run::Words(words));
            } else {
                out.push(Run::Unknown(
                    "`parallel` runs an input only known at run time".into(),
                ));
            }
            continue;
        };
        if command_text.is_empty() {
            // No command: each input is a command line.
            out.push(Run::Script(values.join(" ")));
            continue;
        }
        let joined = command_text.join(" ");
        let script = if has_replacement(&joined) {
            let mut s = joined;
            for (k, v) in values.iter().enumerate() {
                s = s.replace(&format!("{{{}}}", k + 1), &quote(v));
            }
            let all: Vec<String> = values.iter().map(|v| quote(v)).collect();
            for r in ["{}", "{.}", "{/}", "{//}", "{/.}"] {
                s = s.replace(r, &all.join(" "));
            }
            s
        } else {
            let all: Vec<String> = values.iter().map(|v| quote(v)).collect();
            format!("{joined} {}", all.join(" "))
        };
        out.push(Run::Script(script));
    }
    out
}

/// `xargs [options] [command [initial-arguments]]`: the command with the unknown
/// arguments xargs will add, or, with `-I R`/`--replace`, the command as written and R,
/// which xargs replaces with each input item ([`with_items`]).
pub fn xargs_command(o: &Options, args: &[Word]) -> Option<(Vec<Word>, Option<String>)> {
    let (start, _) = wrappers::skip_options(o, args).ok()?;
    // Options up to the command (the values of `-a FILE`, `-d X` … do not end them).
    let options = args.get(..start).unwrap_or(&[]);
    let mut replace: Option<String> = None;
    for (k, w) in options.iter().enumerate() {
        match w.lit() {
            Some("-I") => replace = args.get(k + 1).and_then(|a| a.lit()).map(str::to_string),
            Some(x) if x.starts_with("-I") && x.len() > 2 => {
                replace = x.get(2..).map(str::to_string)
            }
            Some(x) if x.starts_with("--replace=") => replace = x.get(10..).map(str::to_string),
            Some("-i" | "--replace") => replace = Some("{}".into()),
            _ => {}
        }
    }
    let mut inner: Vec<Word> = args.get(start..).unwrap_or(&[]).to_vec();
    if inner.is_empty() {
        inner.push(Word::Lit("echo".into()));
    }
    let unknown = || Word::unknown("<xargs input>", true);
    if replace.is_none() {
        inner.push(unknown());
    }
    Some((inner, replace))
}

/// xargs' own options: its arguments before the command it runs (`xargs -0 -I{} git
/// branch -d {}` has `-0 -I{}`; the command's `-d` is not xargs' delimiter).
pub fn xargs_options<'a>(o: &Options, args: &'a [Word]) -> &'a [Word] {
    let start = wrappers::skip_options(o, args).map_or(args.len(), |(start, _)| start);
    args.get(..start).unwrap_or(args)
}

/// How xargs reads its input, by its own options ([`xargs_options`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct XargsReading {
    /// NUL-separated (`-0`, `--null`).
    pub nul: bool,
    /// Split at another delimiter or up to an end-of-file string (`-d`, `-E`, `-e`).
    pub custom: bool,
    /// From a file instead of standard input (`-a FILE`, `--arg-file`).
    pub from_file: bool,
}

/// How `xargs` with these options of its own reads its input.
pub fn xargs_reading(own: &[Word]) -> XargsReading {
    let given = |pred: &dyn Fn(&str) -> bool| own.iter().any(|w| w.lit().is_some_and(pred));
    XargsReading {
        nul: given(&|t| matches!(t, "-0" | "--null")),
        custom: given(&|t| {
            ["-d", "--delimiter", "-E", "-e", "--eof"]
                .iter()
                .any(|o| t.starts_with(o))
        }),
        from_file: given(&|t| t.starts_with("-a") || t.starts_with("--arg-file")),
    }
}

/// The words of an `xargs -I R` command with R replaced by input items: a word that is
/// R becomes `item` (what is known of every item), any other word holding R unknown.
pub fn with_items(words: &mut [Word], replace: &str, item: &Word) {
    for w in words.iter_mut().skip(1) {
        if w.lit() == Some(replace) {
            *w = item.clone();
        } else if w.display().contains(replace) {
            *w = Word::unknown(w.display().to_string(), false);
        }
    }
}

/// A `sh -c SCRIPT` script in which `placeholder` (xargs' `{}`) is replaced by the
/// variable `var`, quoted for where it stands (`"$var"` outside quotes and for a whole
/// `'{}'`, `'"$var"'` inside single quotes, `$var` inside double ones), for input items
/// that are plain names (one shell word, nothing for the shell to expand): the script
/// then reads each item as that variable's value. `None` when the script names `var`
/// or has text this reading does not follow (`$(…)`, backquotes, `$'…'`, heredocs, a
/// backslash before the placeholder, an unclosed quote).
pub fn with_item_variable(script: &str, placeholder: &str, var: &str) -> Option<String> {
    if placeholder.is_empty()
        || placeholder.contains(['\'', '"', '\\', '$', '`'])
        || script.contains(&format!("\\{placeholder}"))
        || script.contains(var)
        // (A `#` may start a comment, in which quotes do not count.)
        || ["$(", "`", "$'", "<<", "#"].iter().any(|t| script.contains(t))
    {
        return None;
    }
    #[derive(PartialEq)]
    enum Quote {
        None,
        Single,
        Double,
    }
    let whole = format!("'{placeholder}'");
    let mut quote = Quote::None;
    let mut out = String::new();
    let mut rest = script;
    while let Some(c) = rest.chars().next() {
        if quote == Quote::None
            && let Some(after) = rest.strip_prefix(whole.as_str())
        {
            out.push_str(&format!("\"${var}\""));
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix(placeholder) {
            out.push_str(&match quote {
                Quote::None => format!("\"${var}\""),
                Quote::Single => format!("'\"${var}\"'"),
                Quote::Double => format!("${var}"),
            });
            rest = after;
            continue;
        }
        let mut take = c.len_utf8();
        match (&quote, c) {
            (Quote::None, '\\') | (Quote::Double, '\\') => {
                take += rest.get(take..)?.chars().next()?.len_utf8();
            }
            (Quote::None, '\'') => quote = Quote::Single,
            (Quote::None, '"') => quote = Quote::Double,
            (Quote::Single, '\'') | (Quote::Double, '"') => quote = Quote::None,
            _ => {}
        }
        out.push_str(rest.get(..take)?);
        rest = rest.get(take..)?;
    }
    (quote == Quote::None).then_some(out)
}

/// `ssh [options] destination [command …]`: the remote command words, if any.
pub fn ssh_remote(o: &Options, args: &[Word]) -> Option<Vec<Word>> {
    let (start, _) = wrappers::skip_options(o, args).ok()?;
    // OpenSSH also takes options (and `--`) after the destination.
    let after = args.get(start + 1..)?;
    let (more, _) = wrappers::skip_options(o, after).ok()?;
    let rest = after.get(more..)?;
    (!rest.is_empty()).then(|| rest.to_vec())
}

/// `watch [options] command…`: (`-x` exec form, the command words).
pub fn watch_command(o: &Options, args: &[Word]) -> Option<(bool, Vec<Word>)> {
    let exec = args
        .iter()
        .take_while(|w| w.lit().is_some_and(|x| x.starts_with('-')))
        .any(|w| {
            w.lit()
                .is_some_and(|x| x == "--exec" || (!x.starts_with("--") && x.contains('x')))
        });
    let (start, _) = wrappers::skip_options(o, args).ok()?;
    let rest = args.get(start..)?;
    (!rest.is_empty()).then(|| (exec, rest.to_vec()))
}

/// Where an `at` or `batch` job comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// No job: `-l`, `-r`, `-d`, `-c` only list or remove jobs.
    Nothing,
    /// `-f FILE`: the job is the script FILE.
    File(Word),
    /// The job is a script read from standard input.
    Stdin,
}

/// `at [options] TIME`, `batch`: where the job comes from.
pub fn at_job(args: &[Word]) -> Job {
    let flags: Vec<&str> = args
        .iter()
        .filter_map(Word::lit)
        .filter(|a| a.starts_with('-'))
        .collect();
    let only_lists = flags
        .iter()
        .any(|f| f.contains(['l', 'r', 'd', 'c', 'V']) && !f.starts_with("--"));
    let job_file = args.iter().enumerate().find_map(|(k, w)| match w.lit() {
        Some("-f") => args.get(k + 1).cloned(),
        Some(t) if t.starts_with("-f") && t.len() > 2 => {
            Some(Word::Lit(t.get(2..).unwrap_or("").to_string()))
        }
        _ => None,
    });
    if only_lists {
        Job::Nothing
    } else if let Some(file) = job_file {
        Job::File(file)
    } else if !flags.iter().any(|f| f.contains('f')) {
        Job::Stdin
    } else {
        Job::Nothing
    }
}

/// Host directories a container sees (`docker|podman run -v HOST:CONTAINER`,
/// `--volume`, `--mount type=bind,source=…,target=…`): (host, container path), the host
/// `None` when only known at run time. Empty for subcommands that run no container.
pub fn container_mounts(args: &[Word]) -> Vec<(Option<String>, String)> {
    let runs = args
        .iter()
        .take(3)
        .any(|w| matches!(w.lit(), Some("run" | "create")));
    if !runs {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        // A word only partly known (`--volume="$HOME":/h`) is read from what is known of
        // it, its pattern (`--volume=*:/h`): the host side is then unknown.
        let (w, known) = match word {
            Word::Lit(t) => (t.as_str(), true),
            Word::Unknown { pattern, .. } => (pattern.as_str(), false),
            Word::Glob(_) => continue,
        };
        let spec: Option<&Word> = match w {
            "-v" | "--volume" | "--mount" if known => {
                i += 1;
                args.get(i - 1)
            }
            _ => None,
        };
        // pflag takes `-v=VALUE` as `-v VALUE`.
        let inline = w
            .strip_prefix("--volume=")
            .or_else(|| w.strip_prefix("--mount="))
            .or_else(|| w.strip_prefix("-v="))
            .or_else(|| w.strip_prefix("-v").filter(|v| !v.is_empty()));
        let (text, host_known) = match (spec, inline) {
            (Some(Word::Lit(t)), _) => (t.clone(), true),
            // `-v "$HOME:/h"`: the container side from the pattern (`*:/h`); nothing
            // known (`-v $X`) may mount anything anywhere.
            (Some(Word::Unknown { pattern, .. }), _) => {
                if !pattern.contains(':') && !pattern.contains("target=") {
                    out.push((None, String::new()));
                    continue;
                }
                (pattern.clone(), false)
            }
            (Some(Word::Glob(_)), _) => continue,
            (_, Some(t)) => (t.to_string(), known),
            _ => continue,
        };
        if text.contains("type=") || text.contains("source=") || text.contains("target=") {
            // --mount type=bind,source=/,target=/host
            let field = |k: &str| {
                text.split(',')
                    .find_map(|f| f.strip_prefix(k))
                    .map(str::to_string)
            };
            let source = field("source=").or_else(|| field("src="));
            let target = field("target=")
                .or_else(|| field("dst="))
                .or_else(|| field("destination="));
            if let Some(target) = target {
                out.push((source.filter(|_| host_known), target));
            }
            continue;
        }
        let mut parts = text.splitn(3, ':');
        let (Some(host), Some(container)) = (parts.next(), parts.next()) else {
            continue;
        };
        // A named volume (`data:/var/lib`) is not a host directory.
        if host_known && !host.starts_with(['/', '.', '~']) {
            continue;
        }
        out.push((host_known.then(|| host.to_string()), container.to_string()));
    }
    out
}

/// An argument inside a container, as the host path it names when it lies under a
/// mount (`/host/etc` with `-v /:/host` is `/etc`), unknown when the host side is.
pub fn on_host(word: &Word, mounts: &[(Option<String>, String)]) -> Word {
    let Some(text) = word.lit() else {
        return word.clone();
    };
    for (host, container) in mounts {
        let container = container.trim_end_matches('/');
        // A mount at `/` (or anywhere: `-v $X`) covers every absolute path.
        let rest = if container.is_empty() {
            Some(text).filter(|t| t.starts_with('/'))
        } else {
            text.strip_prefix(container)
                .filter(|r| r.is_empty() || r.starts_with('/'))
        };
        if let Some(rest) = rest {
            return match host {
                Some(h) => {
                    let joined = format!("{}{rest}", h.trim_end_matches('/'));
                    Word::Lit(if joined.is_empty() {
                        "/".to_string()
                    } else {
                        joined
                    })
                }
                None => Word::unknown(text, false),
            };
        }
    }
    word.clone()
}

#[cfg(test)]
mod tests {
    #[rstest::rstest]
    #[case("wc -l {}", Some("wc -l \"$v\""))]
    #[case("wc -l '{}'", Some("wc -l \"$v\""))]
    #[case("echo 'file: {}'", Some("echo 'file: '\"$v\"''"))]
    #[case("cp \"{}\" \"{}.bak\"", Some("cp \"$v\" \"$v.bak\""))]
    #[case("echo {}; head -1 {}", Some("echo \"$v\"; head -1 \"$v\""))]
    #[case("cat $(echo {})", None)]
    #[case("echo \\{}", None)]
    #[case("echo 'x", None)]
    #[case("echo $v {}", None)]
    #[case("echo hi # it's\ncat {} # '", None)]
    fn xargs_items_in_a_shell_script(#[case] script: &str, #[case] want: Option<&str>) {
        assert_eq!(
            super::with_item_variable(script, "{}", "v").as_deref(),
            want,
            "{script}"
        );
    }

    use super::*;
    use crate::command::programs::lits;

    /// What the runner `name` runs, read with its row's options.
    fn run(name: &str, args: &str) -> Vec<Run> {
        let program = crate::command::programs::lookup(name);
        let Action::Runner(runner) = program.action else {
            return Vec::new();
        };
        runs(runner, &program.options, &lits(args))
    }

    #[test]
    fn parallel_composes_command_lines() {
        assert_eq!(
            run("parallel", "-j 4 git ::: status push"),
            vec![
                Run::Script("git 'status'".into()),
                Run::Script("git 'push'".into())
            ]
        );
        assert_eq!(
            run("parallel", "rm -rf {} ::: /"),
            vec![Run::Script("rm -rf '/'".into())]
        );
        assert_eq!(run("parallel", "::: ls"), vec![Run::Script("ls".into())]);
        assert_eq!(run("parallel", "-j2"), vec![Run::Stdin]);
    }

    #[test]
    fn tmux_commands_and_keys() {
        assert_eq!(
            run("tmux", "new-session -d -s x git"),
            vec![Run::Script("git".into())]
        );
        assert_eq!(
            run("tmux", "new -d git push"),
            vec![Run::Words(lits("git push"))]
        );
        assert_eq!(
            run("tmux", "send-keys -t x ls Space -la Enter"),
            vec![Run::Script("ls -la\n".into())]
        );
    }

    #[test]
    fn screen_runs_its_operands() {
        assert_eq!(
            run("screen", "-dmS s git push"),
            vec![Run::Words(lits("git push"))]
        );
        assert_eq!(
            run("screen", "-S s -X stuff ls^M"),
            vec![Run::Script("ls\n".into())]
        );
    }
}
