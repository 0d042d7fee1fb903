//! Program knowledge, command runners: programs that run commands they read from their
//! arguments with a syntax of their own — `xargs`, GNU `parallel`, terminal multiplexers
//! (`tmux`, `screen`), `watch`, `ssh HOST CMD`, and containers (`docker run -v`).
//!
//! Each model reads the program's option table (which options take a value) and says
//! what it runs: a shell script, an argv, keys typed into a shell, or something only
//! known at run time. The walk asks; this module never decides.

use super::wrappers::{self, Grammar};
use crate::command::Word;

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

/// What `tmux`, `screen` or `parallel` runs; `None` for other programs.
pub fn runs(base: &str, args: &[Word]) -> Option<Vec<Run>> {
    match base {
        "tmux" => Some(tmux(args)),
        "screen" => Some(screen(args)),
        "parallel" => Some(parallel(args)),
        _ => None,
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
fn tmux(args: &[Word]) -> Vec<Run> {
    let mut out = Vec::new();
    // Global options: `-c` runs a shell command; -f -L -S -T take a value.
    let mut i = 0;
    while let Some(w) = args.get(i).and_then(Word::lit) {
        if !w.starts_with('-') || w == "--" {
            i += usize::from(w == "--");
            break;
        }
        if w.ends_with('c') && w.len() > 1 {
            match args.get(i + 1).map(|v| literal(v, "tmux -c")) {
                Some(Ok(s)) => out.push(Run::Script(s)),
                Some(Err(e)) => out.push(e),
                None => {}
            }
            i += 2;
            continue;
        }
        i += if w.ends_with(['f', 'L', 'S', 'T']) {
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
fn screen(args: &[Word]) -> Vec<Run> {
    let start = skip_options(
        args,
        0,
        "ceEhpSsTtX",
        &["-Logfile"],
        &["-fn", "-fa", "-ln", "-ls", "-list", "-wipe"],
    );
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

/// GNU parallel's options that take a value.
const PARALLEL_LONG: [&str; 31] = [
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
];

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
fn parallel(args: &[Word]) -> Vec<Run> {
    let start = skip_options(args, 0, "aCdEIjPLnNSsJ", &PARALLEL_LONG, &[]);
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
        if !command_text.iter().any(|t| has_replacement(t)) {
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
/// arguments xargs will add.
pub fn xargs_command(args: &[Word]) -> Option<Vec<Word>> {
    let g = Grammar {
        short_arg: "adEILlnPs",
        long_arg: &[
            "--arg-file",
            "--delimiter",
            "--eof",
            "--replace",
            "--max-lines",
            "--max-args",
            "--max-procs",
            "--max-chars",
            "--process-slot-var",
        ],
        assignments: false,
        chdir: &[],
    };
    let (start, _) = wrappers::skip_options(&g, args).ok()?;
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
    match replace {
        Some(r) => {
            for w in inner.iter_mut().skip(1) {
                if w.display().contains(&r) {
                    *w = Word::unknown(w.display().to_string(), false);
                }
            }
        }
        None => inner.push(unknown()),
    }
    Some(inner)
}

/// `ssh [options] destination [command …]`: the remote command words, if any.
pub fn ssh_remote(args: &[Word]) -> Option<Vec<Word>> {
    let g = Grammar {
        short_arg: "BbcDEeFIiJLlmOoPpQRSWw",
        long_arg: &[],
        assignments: false,
        chdir: &[],
    };
    let (start, _) = wrappers::skip_options(&g, args).ok()?;
    // OpenSSH also takes options (and `--`) after the destination.
    let after = args.get(start + 1..)?;
    let (more, _) = wrappers::skip_options(&g, after).ok()?;
    let rest = after.get(more..)?;
    (!rest.is_empty()).then(|| rest.to_vec())
}

/// `watch [options] command…`: (`-x` exec form, the command words).
pub fn watch_command(args: &[Word]) -> Option<(bool, Vec<Word>)> {
    let g = Grammar {
        short_arg: "nq",
        long_arg: &["--interval", "--differences", "--equexit"],
        assignments: false,
        chdir: &[],
    };
    let exec = args
        .iter()
        .take_while(|w| w.lit().is_some_and(|x| x.starts_with('-')))
        .any(|w| {
            w.lit()
                .is_some_and(|x| x == "--exec" || (!x.starts_with("--") && x.contains('x')))
        });
    let (start, _) = wrappers::skip_options(&g, args).ok()?;
    let rest = args.get(start..)?;
    (!rest.is_empty()).then(|| (exec, rest.to_vec()))
}

/// Host directories a container sees (`docker|podman run -v HOST:CONTAINER`,
/// `--volume`, `--mount type=bind,source=…,target=…`): (host, container path), the host
/// `None` when only known at run time. Empty for other programs and subcommands.
pub fn container_mounts(base: &str, args: &[Word]) -> Vec<(Option<String>, String)> {
    if !matches!(base, "docker" | "podman" | "nerdctl") {
        return Vec::new();
    }
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
        let inline = w
            .strip_prefix("--volume=")
            .or_else(|| w.strip_prefix("--mount="))
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
    use super::*;

    fn lits(s: &str) -> Vec<Word> {
        s.split_whitespace()
            .map(|w| Word::Lit(w.to_string()))
            .collect()
    }

    #[test]
    fn parallel_composes_command_lines() {
        assert_eq!(
            parallel(&lits("-j 4 git ::: status push")),
            vec![
                Run::Script("git 'status'".into()),
                Run::Script("git 'push'".into())
            ]
        );
        assert_eq!(
            parallel(&lits("rm -rf {} ::: /")),
            vec![Run::Script("rm -rf '/'".into())]
        );
        assert_eq!(parallel(&lits("::: ls")), vec![Run::Script("ls".into())]);
        assert_eq!(parallel(&lits("-j2")), vec![Run::Stdin]);
    }

    #[test]
    fn tmux_commands_and_keys() {
        assert_eq!(
            tmux(&lits("new-session -d -s x git")),
            vec![Run::Script("git".into())]
        );
        assert_eq!(
            tmux(&lits("new -d git push")),
            vec![Run::Words(lits("git push"))]
        );
        assert_eq!(
            tmux(&lits("send-keys -t x ls Space -la Enter")),
            vec![Run::Script("ls -la\n".into())]
        );
    }

    #[test]
    fn screen_runs_its_operands() {
        assert_eq!(
            screen(&lits("-dmS s git push")),
            vec![Run::Words(lits("git push"))]
        );
        assert_eq!(
            screen(&lits("-S s -X stuff ls^M")),
            vec![Run::Script("ls\n".into())]
        );
    }
}
