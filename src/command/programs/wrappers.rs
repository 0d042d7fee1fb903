//! Program knowledge, wrappers: programs that run an argv (or a script) given in their
//! arguments, after options of their own — `sudo -u root git push` runs `git push`,
//! `timeout -s KILL 5 rm -rf x` runs `rm -rf x`, `flock F -c SCRIPT`, `su -c SCRIPT`,
//! `rimraf x` is `rm -rf x`.
//!
//! The grammars follow each tool's manual; an option we do not know is assumed to take
//! no argument, and a word we cannot read (unknown) ends the options — which makes the
//! inner program unknown, hence dynamic, never silently skipped. This module only
//! describes programs; the walk asks it.

use super::git::is_git_builtin;
use crate::command::Word;

/// What a wrapper runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inner {
    /// An argv.
    Words(Vec<Word>),
    /// A shell script string (`env -S`, `flock -c`).
    Script(String),
    /// Something that cannot be known before it runs.
    Unknown(String),
}

/// A wrapper's inner command and the directory it switches to, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwrapped {
    /// What runs inside.
    pub inner: Inner,
    /// A literal directory the wrapper changes to (`env -C dir`, `sudo -D dir`).
    pub chdir: Option<String>,
    /// `NAME=value` assignments the wrapper puts in the environment (`env GIT_DIR=x …`).
    pub assignments: Vec<(String, String)>,
}

/// An option grammar: short options that take an argument, long ones that take one.
pub(super) struct Grammar {
    pub(super) short_arg: &'static str,
    pub(super) long_arg: &'static [&'static str],
    /// Whether leading `NAME=value` words are assignments (env, sudo).
    pub(super) assignments: bool,
    /// Options (short or long) whose argument is a directory to change to.
    pub(super) chdir: &'static [&'static str],
}

/// Unwraps a known wrapper. `None` when `base` is not a wrapper.
pub fn unwrap(base: &str, args: &[Word]) -> Option<Unwrapped> {
    let grammar = match base {
        "sudo" => Grammar {
            short_arg: "CDghpRrTtUu",
            long_arg: &[
                "--close-from",
                "--chdir",
                "--group",
                "--host",
                "--prompt",
                "--chroot",
                "--role",
                "--command-timeout",
                "--type",
                "--other-user",
                "--user",
            ],
            assignments: true,
            chdir: &["-D", "--chdir"],
        },
        "doas" => Grammar {
            short_arg: "Cu",
            long_arg: &[],
            assignments: false,
            chdir: &[],
        },
        "env" => return Some(env(args)),
        "strace" | "ltrace" => Grammar {
            short_arg: "abeEIoOpPsSuUX",
            long_arg: &["--output", "--trace", "--signal", "--user", "--env"],
            assignments: false,
            chdir: &[],
        },
        // Each of these with its own options: a shared grammar that takes `-f` or `-n` as
        // taking a value would swallow the program name (`unshare -f git …`).
        "unshare" => Grammar {
            short_arg: "SGRw",
            long_arg: &[
                "--setuid",
                "--setgid",
                "--root",
                "--wd",
                "--propagation",
                "--setgroups",
                "--map-user",
                "--map-group",
                "--map-users",
                "--map-groups",
            ],
            assignments: false,
            chdir: &["-w", "--wd"],
        },
        // prlimit's resource options take their value attached (`-n512`), never apart.
        "prlimit" => Grammar {
            short_arg: "po",
            long_arg: &["--pid", "--output"],
            assignments: false,
            chdir: &[],
        },
        "nsenter" => Grammar {
            short_arg: "tSG",
            long_arg: &["--target", "--setuid", "--setgid", "--env"],
            assignments: false,
            chdir: &[],
        },
        "systemd-run" => Grammar {
            short_arg: "upEHM",
            long_arg: &[
                "--unit",
                "--property",
                "--setenv",
                "--host",
                "--machine",
                "--description",
                "--slice",
                "--uid",
                "--gid",
                "--working-directory",
                "--nice",
                "--service-type",
                "--on-active",
                "--on-boot",
                "--on-startup",
                "--on-unit-active",
                "--on-unit-inactive",
                "--on-calendar",
                "--timer-property",
                "--path-property",
                "--socket-property",
            ],
            assignments: false,
            chdir: &["--working-directory"],
        },
        // Runners, each with its own options (a shared table that takes `-a` as taking a
        // value would make `numactl -a git …` run `push`).
        "xvfb-run" => Grammar {
            short_arg: "efnpsw",
            long_arg: &[
                "--error-file",
                "--auth-file",
                "--server-num",
                "--xauth-protocol",
                "--server-args",
                "--wait",
            ],
            assignments: false,
            chdir: &[],
        },
        "unbuffer" | "chronic" | "catchsegv" | "dbus-run-session" | "linux32" | "linux64"
        | "i386" | "x86_64" => Grammar {
            short_arg: "",
            long_arg: &["--config-file"],
            assignments: false,
            chdir: &[],
        },
        "numactl" => Grammar {
            short_arg: "CNmipP",
            long_arg: &[
                "--physcpubind",
                "--cpunodebind",
                "--membind",
                "--interleave",
                "--preferred",
                "--preferred-many",
            ],
            assignments: false,
            chdir: &[],
        },
        "fakeroot" => Grammar {
            short_arg: "lsib",
            long_arg: &["--lib", "--faked"],
            assignments: false,
            chdir: &[],
        },
        "setpriv" | "valgrind" | "ssh-agent" | "cgexec" | "firejail" | "bwrap" | "proot" => {
            Grammar {
                short_arg: "GSRwlsifgatEn",
                long_arg: &[
                    "--setuid",
                    "--setgid",
                    "--wd",
                    "--root",
                    "--reuid",
                    "--regid",
                    "--groups",
                    "--inh-caps",
                    "--ambient-caps",
                    "--bounding-set",
                    "--pid",
                    "--config-file",
                    "--lib",
                    "--faked",
                    "--unit",
                    "--property",
                    "--uid",
                    "--gid",
                    "--bind",
                    "--ro-bind",
                    "--chdir",
                    "--setenv",
                ],
                assignments: false,
                chdir: &[],
            }
        }
        "command" | "builtin" | "nohup" | "setsid" => Grammar {
            short_arg: "",
            long_arg: &[],
            assignments: false,
            chdir: &[],
        },
        "exec" => Grammar {
            short_arg: "a",
            long_arg: &[],
            assignments: false,
            chdir: &[],
        },
        "time" => Grammar {
            short_arg: "fo",
            long_arg: &["--format", "--output"],
            assignments: false,
            chdir: &[],
        },
        "nice" => Grammar {
            short_arg: "n",
            long_arg: &["--adjustment"],
            assignments: false,
            chdir: &[],
        },
        "stdbuf" => Grammar {
            short_arg: "ioe",
            long_arg: &["--input", "--output", "--error"],
            assignments: false,
            chdir: &[],
        },
        "ionice" => Grammar {
            short_arg: "cnP",
            long_arg: &["--class", "--classdata", "--pgid", "--uid"],
            assignments: false,
            chdir: &[],
        },
        "timeout" => {
            let g = Grammar {
                short_arg: "sk",
                long_arg: &["--signal", "--kill-after"],
                assignments: false,
                chdir: &[],
            };
            // timeout DURATION COMMAND: skip the duration operand.
            return Some(with_operands(&g, args, 1));
        }
        "taskset" => {
            let g = Grammar {
                short_arg: "",
                long_arg: &[],
                assignments: false,
                chdir: &[],
            };
            // taskset [-c] MASK COMMAND (with -p it changes a running process instead).
            if args.iter().any(|a| {
                a.lit()
                    .is_some_and(|t| t.starts_with('-') && !t.starts_with("--") && t.contains('p'))
            }) {
                return Some(Unwrapped {
                    inner: Inner::Words(Vec::new()),
                    chdir: None,
                    assignments: Vec::new(),
                });
            }
            return Some(with_operands(&g, args, 1));
        }
        "setarch" | "chroot" => {
            // setarch ARCH [options] COMMAND; chroot [options] NEWROOT COMMAND.
            let g = Grammar {
                short_arg: "",
                long_arg: &["--userspec", "--groups", "--uname-2.6"],
                assignments: false,
                chdir: &[],
            };
            let skip = if base == "setarch" { 0 } else { 1 };
            if base == "setarch" {
                let rest = args.get(1..).unwrap_or(&[]);
                return Some(with_operands(&g, rest, skip));
            }
            return Some(with_operands(&g, args, skip));
        }
        "perf" => {
            // perf stat|record|trace [options] COMMAND.
            let g = Grammar {
                short_arg: "eoGpCtrFcIm",
                long_arg: &["--event", "--output", "--pid", "--cpu", "--tid", "--repeat"],
                assignments: false,
                chdir: &[],
            };
            return Some(with_operands(&g, args.get(1..).unwrap_or(&[]), 0));
        }
        "chrt" => {
            let g = Grammar {
                short_arg: "T P D",
                long_arg: &["--sched-runtime", "--sched-period", "--sched-deadline"],
                assignments: false,
                chdir: &[],
            };
            return Some(with_operands(&g, args, 1));
        }
        _ => return None,
    };
    // `command -v x` / `command -V x` only look the name up; `sudo -l`, `-v`, `-k`
    // alone run nothing — still treated as running the operand, which is stricter.
    Some(with_operands(&grammar, args, 0))
}

/// `exec -a NAME PROG …`: NAME, when literal. It is only `argv[0]`: the program run is
/// still PROG — but a multi-call program (git, busybox, toybox) picks what to do by it.
pub fn exec_argv0(args: &[Word]) -> Option<String> {
    let mut name = None;
    for pair in args.windows(2) {
        let (Some(flag), Some(value)) = (pair.first().and_then(Word::lit), pair.get(1)) else {
            break;
        };
        if !flag.starts_with('-') || flag == "--" {
            break;
        }
        if flag.ends_with('a') && !flag.starts_with("--") {
            name = value.lit().map(str::to_string);
        }
    }
    name
}

/// `env -a NAME` / `env --argv0=NAME PROG …`: NAME, when literal (see [`exec_argv0`]).
pub fn env_argv0(args: &[Word]) -> Option<String> {
    let mut name = None;
    let mut i = 0;
    while let Some(w) = args.get(i).and_then(Word::lit) {
        i += 1;
        if let Some(v) = w.strip_prefix("--argv0=") {
            name = Some(v.to_string());
        } else if w == "-a" || w == "--argv0" {
            name = args.get(i).and_then(Word::lit).map(str::to_string);
            i += 1;
        } else if w == "--" || !w.starts_with('-') {
            break;
        }
    }
    name
}

/// What a multi-call program runs when started with `argv[0]` NAME (`git-push` is
/// `git push`, busybox's `rm` is `rm`), as the words to put before its arguments.
pub fn multi_call_as(program: &str, name: &str) -> Option<Vec<String>> {
    let base = name.rsplit('/').next().unwrap_or(name);
    match program.rsplit('/').next().unwrap_or(program) {
        "git" => base
            .strip_prefix("git-")
            .filter(|sub| is_git_builtin(sub))
            .map(|sub| vec!["git".to_string(), sub.to_string()]),
        "busybox" | "toybox" | "coreutils"
            if !base.is_empty() && !matches!(base, "busybox" | "toybox" | "coreutils") =>
        {
            Some(vec![base.to_string()])
        }
        _ => None,
    }
}

/// Skips options, then `skip` operands, and returns what remains as the inner argv.
fn with_operands(g: &Grammar, args: &[Word], skip: usize) -> Unwrapped {
    let (start, chdir) = match skip_options(g, args) {
        Ok(v) => v,
        Err(reason) => {
            return Unwrapped {
                inner: Inner::Unknown(reason),
                chdir: None,
                assignments: Vec::new(),
            };
        }
    };
    let mut rest = args.get(start..).unwrap_or(&[]);
    let mut assignments = Vec::new();
    if g.assignments {
        while let Some(Word::Lit(w)) = rest.first() {
            match w.split_once('=').filter(|_| is_assignment(w)) {
                Some((n, v)) => {
                    assignments.push((n.to_string(), v.to_string()));
                    rest = rest.get(1..).unwrap_or(&[]);
                }
                None => break,
            }
        }
    }
    let rest = rest.get(skip..).unwrap_or(&[]);
    Unwrapped {
        inner: Inner::Words(rest.to_vec()),
        chdir,
        assignments,
    }
}

/// Whether a word is `NAME=value`.
pub fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// Returns the index of the first operand and a literal chdir option value.
pub(super) fn skip_options(g: &Grammar, args: &[Word]) -> Result<(usize, Option<String>), String> {
    let mut i = 0;
    let mut chdir = None;
    while let Some(word) = args.get(i) {
        let Word::Lit(w) = word else {
            // An unknown word could be an option or the program: we cannot tell.
            return Ok((i, chdir));
        };
        if w == "--" {
            return Ok((i + 1, chdir));
        }
        if w == "-" || !w.starts_with('-') {
            return Ok((i, chdir));
        }
        if let Some(long) = w.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (w.clone(), None),
            };
            if g.long_arg.contains(&name.as_str()) {
                let value = match value {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        args.get(i).and_then(|a| a.lit()).map(str::to_string)
                    }
                };
                if g.chdir.contains(&name.as_str()) {
                    chdir = value;
                }
            }
            i += 1;
            continue;
        }
        // A bundle of short options; the first that takes an argument consumes the rest
        // of the word or the next word.
        let flags: Vec<char> = w.chars().skip(1).collect();
        for (k, c) in flags.iter().enumerate() {
            if *c != ' ' && g.short_arg.contains(*c) {
                let attached: String = flags.get(k + 1..).unwrap_or(&[]).iter().collect();
                let value = if attached.is_empty() {
                    i += 1;
                    args.get(i).and_then(|a| a.lit()).map(str::to_string)
                } else {
                    Some(attached)
                };
                if g.chdir.contains(&format!("-{c}").as_str()) {
                    chdir = value;
                }
                break;
            }
        }
        i += 1;
    }
    Ok((i, chdir))
}

/// `env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=VALUE]… [COMMAND [ARG]…]`.
fn env(args: &[Word]) -> Unwrapped {
    let mut i = 0;
    let mut chdir = None;
    let mut split: Option<String> = None;
    while let Some(word) = args.get(i) {
        let Word::Lit(w) = word else { break };
        let take_next = |i: &mut usize| -> Option<String> {
            *i += 1;
            args.get(*i).and_then(|a| a.lit()).map(str::to_string)
        };
        match w.as_str() {
            "--" => {
                i += 1;
                break;
            }
            "-" | "-i" | "-0" | "-v" | "--ignore-environment" | "--null" | "--debug" => {}
            // `-P PATH` (BSD: where to look the command up), `-a NAME` (argv[0]).
            "-u" | "--unset" | "-P" | "-a" | "--argv0" => {
                take_next(&mut i);
            }
            _ if w.starts_with("--argv0=") => {}
            "-C" | "--chdir" => chdir = take_next(&mut i),
            "-S" | "--split-string" => match take_next(&mut i) {
                Some(s) => split = Some(s),
                None => {
                    return Unwrapped {
                        inner: Inner::Unknown("`env -S` of a string only known at run time".into()),
                        chdir,
                        assignments: Vec::new(),
                    };
                }
            },
            _ if w.starts_with("--unset=") => {}
            _ if w.starts_with("--chdir=") => chdir = w.get(8..).map(str::to_string),
            _ if w.starts_with("--split-string=") => split = w.get(15..).map(str::to_string),
            // env takes any word with `=` as an assignment (`BASH_FUNC_ls%%=…` too).
            _ if w.contains('=') && !w.starts_with('-') => {}
            _ if w.starts_with("--") => {}
            _ if w.starts_with('-') => {
                // A bundle such as `-iS 'cmd'` or `-vu X`: the first of u, C, S takes the
                // rest of the word or the next word.
                let flags: Vec<char> = w.chars().skip(1).collect();
                if let Some(k) = flags
                    .iter()
                    .position(|c| matches!(c, 'u' | 'C' | 'S' | 'P' | 'a'))
                {
                    let attached: String = flags.get(k + 1..).unwrap_or(&[]).iter().collect();
                    let value = if attached.is_empty() {
                        take_next(&mut i)
                    } else {
                        Some(attached)
                    };
                    match flags.get(k) {
                        Some('C') => chdir = value,
                        Some('S') => match value {
                            Some(v) => split = Some(v),
                            None => {
                                return Unwrapped {
                                    inner: Inner::Unknown(
                                        "`env -S` of a string only known at run time".into(),
                                    ),
                                    chdir,
                                    assignments: Vec::new(),
                                };
                            }
                        },
                        _ => {}
                    }
                }
            }
            _ => break,
        }
        i += 1;
    }
    let rest = args.get(i..).unwrap_or(&[]);
    let inner = match split {
        // env -S splits its string like a command line and prepends it to the rest.
        Some(s) => {
            let tail: Vec<String> = rest.iter().map(|w| quote(w.display())).collect();
            Inner::Script(format!("{s} {}", tail.join(" ")))
        }
        None => Inner::Words(rest.to_vec()),
    };
    let assignments = args
        .get(..i)
        .unwrap_or(&[])
        .iter()
        .filter_map(|w| w.lit().filter(|t| t.contains('=') && !t.starts_with('-')))
        .filter_map(|t| {
            t.split_once('=')
                .map(|(n, v)| (n.to_string(), v.to_string()))
        })
        .collect();
    Unwrapped {
        inner,
        chdir,
        assignments,
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// `sg GROUP [-c] SCRIPT`, `tmux new-session … 'SCRIPT'`, `capsh … -- ARGS`: the script
/// they run through a shell, when they run one.
pub fn shell_string_command(base: &str, args: &[Word]) -> Option<Inner> {
    let script = |w: Option<&Word>| match w {
        Some(Word::Lit(s)) => Inner::Script(s.clone()),
        Some(other) => Inner::Unknown(format!(
            "`{base}` runs `{}`, only known at run time",
            other.display()
        )),
        None => Inner::Words(Vec::new()),
    };
    match base {
        "sg" => {
            let rest: Vec<&Word> = args
                .iter()
                .skip(1)
                .filter(|w| w.lit() != Some("-c"))
                .collect();
            Some(script(rest.first().copied()))
        }
        "capsh" => {
            // Everything after `--` is passed to /bin/bash.
            let at = args.iter().position(|w| w.lit() == Some("--"))?;
            let mut words = vec![Word::Lit("bash".into())];
            words.extend(args.get(at + 1..).unwrap_or(&[]).iter().cloned());
            Some(Inner::Words(words))
        }
        _ => None,
    }
}

/// `su [options] [user] -c SCRIPT` and `script [options] -c SCRIPT [file]`: the script.
pub fn dash_c_script(args: &[Word]) -> Option<Inner> {
    for (k, w) in args.iter().enumerate() {
        let Some(text) = w.lit() else { continue };
        let inline = text.strip_prefix("--command=");
        // `-c`, or a bundle of flags ending in it (`-qc`, `-lc`).
        let bundled = text.len() > 1
            && text.starts_with('-')
            && !text.starts_with("--")
            && text.ends_with('c')
            && text.chars().skip(1).all(|c| c.is_ascii_alphabetic());
        if bundled || text == "--command" || inline.is_some() {
            let script = match inline {
                Some(s) => Some(Word::Lit(s.to_string())),
                None => args.get(k + 1).cloned(),
            };
            return Some(match script {
                Some(Word::Lit(s)) => Inner::Script(s),
                _ => Inner::Unknown("`-c` of a script only known at run time".into()),
            });
        }
    }
    None
}

/// `flock [options] file command…` or `flock [options] file -c script`.
pub fn flock_command(args: &[Word]) -> Option<Inner> {
    let g = Grammar {
        short_arg: "wEc",
        long_arg: &["--timeout", "--wait", "--conflict-exit-code", "--command"],
        assignments: false,
        chdir: &[],
    };
    // `-c` can come before or after the file: look for it anywhere.
    for (k, w) in args.iter().enumerate() {
        if matches!(w.lit(), Some("-c" | "--command")) {
            return Some(match args.get(k + 1) {
                Some(Word::Lit(s)) => Inner::Script(s.clone()),
                _ => Inner::Unknown("`flock -c` of a script only known at run time".into()),
            });
        }
    }
    let (start, _) = skip_options(&g, args).ok()?;
    let rest = args.get(start + 1..)?;
    (!rest.is_empty()).then(|| Inner::Words(rest.to_vec()))
}

/// Programs that are another command under a different name: (name, what it runs
/// before its own arguments). `rimraf x` removes `x` recursively, as `rm -rf x` does.
const SAME_AS: [(&str, &[&str]); 5] = [
    ("rimraf", &["rm", "-rf"]),
    ("del-cli", &["rm", "-rf"]),
    ("del", &["rm", "-rf"]),
    ("shx", &[]),
    ("cross-env", &["env"]),
];

/// What a program known to be another command runs, as an argv.
pub fn same_as(base: &str, args: &[Word]) -> Option<Vec<Word>> {
    let (_, lead) = SAME_AS.iter().find(|(n, _)| *n == base)?;
    let mut words: Vec<Word> = lead.iter().map(|w| Word::Lit((*w).to_string())).collect();
    words.extend(args.iter().cloned());
    (!words.is_empty()).then_some(words)
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
    fn sudo_options_are_skipped() {
        let u = unwrap("sudo", &lits("-u root -E FOO=1 git push")).unwrap();
        assert_eq!(u.inner, Inner::Words(lits("git push")));
    }

    #[test]
    fn timeout_skips_duration() {
        let u = unwrap("timeout", &lits("-s KILL 5 rm -rf x")).unwrap();
        assert_eq!(u.inner, Inner::Words(lits("rm -rf x")));
    }

    #[test]
    fn env_chdir_and_assignments() {
        let u = unwrap("env", &lits("-C /tmp A=1 git status")).unwrap();
        assert_eq!(u.inner, Inner::Words(lits("git status")));
        assert_eq!(u.chdir.as_deref(), Some("/tmp"));
    }
}
