//! bash's own command-line grammar, so policy-exec can stand in for it.
//!
//! We only need to know what bash will run: the `-c` script and its `$0 $1 …`, a script
//! file and its arguments, or standard input. Everything else is passed through
//! untouched to the real shell, so options we merely skip keep bash's meaning.

use std::ffi::OsString;

/// What a shell invocation will run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// `-c SCRIPT [NAME [ARG…]]`.
    Command {
        /// The script.
        script: String,
        /// `$0` and the positional parameters.
        positionals: Vec<String>,
    },
    /// `FILE [ARG…]`: bash reads the script from the file.
    File {
        /// The script file operand.
        path: OsString,
        /// `$1…`.
        args: Vec<String>,
    },
    /// No script operand: an interactive shell (stdin is a terminal) or a script read
    /// from standard input (`-s`, or stdin not a terminal).
    Stdin {
        /// `-s` was given, or `-i` was not: decided by the caller from the terminal.
        explicit: bool,
        /// `-i` was given.
        interactive: bool,
    },
    /// `--version`, `--help`: runs nothing.
    Info,
}

/// A command line bash itself would reject; passed through so bash prints its error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

/// Reads bash's argv (without `argv[0]`) with the same reader nested shells use
/// ([`crate::command::bash_argv`]): `-posix`, `-rcfile F` and the other long options
/// with one dash are bash's long options, not bundles of letters.
pub fn parse(args: &[OsString]) -> Result<Invocation, Unreadable> {
    let lossy: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let reading = crate::command::bash_argv::read(
        &lossy.iter().map(|a| Some(a.as_str())).collect::<Vec<_>>(),
    );
    // `--help`/`--version` print and exit; `-n` (not interactive) reads and runs nothing.
    if reading.runs_nothing() {
        return Ok(Invocation::Info);
    }
    let (c, s, interactive, i) = (
        reading.command,
        reading.stdin,
        reading.interactive,
        reading.operands,
    );
    let operands: Vec<&OsString> = args.get(i..).unwrap_or(&[]).iter().collect();
    // SECURITY: bytes that are not UTF-8 are judged as U+FFFD rather than refused or
    // passed through: word boundaries, and so the commands, are unchanged.
    let text =
        |o: &OsString| -> Result<String, Unreadable> { Ok(o.to_string_lossy().into_owned()) };
    if c {
        let Some(script) = operands.first() else {
            return Err(Unreadable("-c: option requires an argument".into()));
        };
        let positionals = operands
            .iter()
            .skip(1)
            .map(|o| text(o))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Invocation::Command {
            script: text(script)?,
            positionals,
        });
    }
    if s || operands.is_empty() {
        return Ok(Invocation::Stdin {
            explicit: s,
            interactive,
        });
    }
    let (path, rest) = match operands.split_first() {
        Some((p, rest)) => ((*p).clone(), rest),
        None => return Err(Unreadable("no operand".into())),
    };
    let args = rest
        .iter()
        .map(|o| text(o))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Invocation::File { path, args })
}

/// Whether argv looks like a shell invocation rather than a policy-exec subcommand.
pub fn looks_like_shell(argv0: &str, first: Option<&str>) -> bool {
    let name = argv0.rsplit('/').next().unwrap_or(argv0);
    let name = name.strip_prefix('-').unwrap_or(name); // login shells: `-bash`
    if matches!(name, "bash" | "sh" | "zsh" | "dash") {
        return true;
    }
    matches!(first, Some(f) if (f.starts_with('-') || f.starts_with('+')) && f.len() > 1
        && !matches!(f, "--help" | "-h" | "--version" | "-V"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn command(script: &str, positionals: &[&str]) -> Invocation {
        Invocation::Command {
            script: script.into(),
            positionals: positionals.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[rstest]
    #[case(&["-c", "echo hi"], command("echo hi", &[]))]
    #[case(&["-lc", "echo hi"], command("echo hi", &[]))]
    #[case(&["-cl", "echo hi"], command("echo hi", &[]))]
    #[case(&["-c", "-l", "echo hi"], command("echo hi", &[]))]
    #[case(&["-l", "-c", "echo hi"], command("echo hi", &[]))]
    #[case(&["--login", "-c", "x", "n", "a"], command("x", &["n", "a"]))]
    #[case(&["-o", "pipefail", "-c", "x"], command("x", &[]))]
    #[case(&["+o", "history", "-ec", "x"], command("x", &[]))]
    #[case(&["-O", "extglob", "-c", "x"], command("x", &[]))]
    #[case(&["--norc", "--noprofile", "-c", "x"], command("x", &[]))]
    #[case(&["--rcfile", "f", "-c", "x"], command("x", &[]))]
    #[case(&["--posix", "-c", "x", "--", "a"], command("x", &["--", "a"]))]
    #[case(&["-c", "x", "-l"], command("x", &["-l"]))]
    #[case(&["--", "f.sh", "a"], Invocation::File { path: "f.sh".into(), args: vec!["a".into()] })]
    #[case(&["f.sh"], Invocation::File { path: "f.sh".into(), args: vec![] })]
    #[case(&[], Invocation::Stdin { explicit: false, interactive: false })]
    #[case(&["-s"], Invocation::Stdin { explicit: true, interactive: false })]
    #[case(&["-i"], Invocation::Stdin { explicit: false, interactive: true })]
    #[case(&["--version"], Invocation::Info)]
    #[case(&["-posix", "-c", "x"], command("x", &[]))]
    #[case(&["-rcfile", "f", "-noediting", "-c", "x"], command("x", &[]))]
    #[case(&["-init-file", "f", "-login", "-lc", "x"], command("x", &[]))]
    #[case(&["-verbose", "-debugger", "-c", "x", "n"], command("x", &["n"]))]
    #[case(&["-version", "-c", "x"], command("x", &[]))]
    #[case(&["-n", "-c", "x"], Invocation::Info)]
    #[case(&["-o", "noexec", "f.sh"], Invocation::Info)]
    #[case(&["-n", "+n", "-c", "x"], command("x", &[]))]
    fn bash_argv_grammar(#[case] args: &[&str], #[case] want: Invocation) {
        assert_eq!(parse(&os(args)), Ok(want));
    }

    #[rstest]
    #[case("bash", None, true)]
    #[case("/home/u/.local/share/policy-exec/shims/bash", Some("-c"), true)]
    #[case("-bash", None, true)]
    #[case("policy-exec", Some("-lc"), true)]
    #[case("policy-exec", Some("check"), false)]
    #[case("policy-exec", Some("--help"), false)]
    fn shell_mode_detection(#[case] argv0: &str, #[case] first: Option<&str>, #[case] want: bool) {
        assert_eq!(looks_like_shell(argv0, first), want);
    }
}
