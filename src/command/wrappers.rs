//! Option grammars of the programs that run other programs.
//!
//! Each function takes the arguments after the program name and says what the program
//! will run: `sudo -u root git push` runs `git push`, `timeout -s KILL 5 rm -rf x` runs
//! `rm -rf x`. The grammars follow each tool's manual; an option we do not know is
//! assumed to take no argument, and a word we cannot read (unknown) ends the options —
//! which makes the inner program unknown, hence dynamic, never silently skipped.

use super::Word;

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
struct Grammar {
    short_arg: &'static str,
    long_arg: &'static [&'static str],
    /// Whether leading `NAME=value` words are assignments (env, sudo).
    assignments: bool,
    /// Options (short or long) whose argument is a directory to change to.
    chdir: &'static [&'static str],
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
fn skip_options(g: &Grammar, args: &[Word]) -> Result<(usize, Option<String>), String> {
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

/// Reads a shell's argv with bash's grammar ([`super::bash_argv`]): long options with one
/// or two dashes at the front, then bundles like `-lc`/`-ec`, `-o opt`, `+o opt`,
/// `-O shopt`, `--`.
pub fn shell_invocation(args: &[Word]) -> ShellRun {
    let reading = super::bash_argv::read(&args.iter().map(Word::lit).collect::<Vec<_>>());
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

/// git's built-in commands: aliases cannot shadow them.
const GIT_BUILTINS: &[&str] = &[
    "add",
    "am",
    "annotate",
    "apply",
    "archive",
    "bisect",
    "blame",
    "branch",
    "bugreport",
    "bundle",
    "cat-file",
    "check-attr",
    "check-ignore",
    "check-mailmap",
    "check-ref-format",
    "checkout",
    "checkout-index",
    "cherry",
    "cherry-pick",
    "citool",
    "clean",
    "clone",
    "column",
    "commit",
    "commit-graph",
    "commit-tree",
    "config",
    "count-objects",
    "credential",
    "daemon",
    "describe",
    "diagnose",
    "diff",
    "diff-files",
    "diff-index",
    "diff-tree",
    "difftool",
    "fast-export",
    "fast-import",
    "fetch",
    "fetch-pack",
    "filter-branch",
    "fmt-merge-msg",
    "for-each-ref",
    "for-each-repo",
    "format-patch",
    "fsck",
    "gc",
    "get-tar-commit-id",
    "grep",
    "gui",
    "hash-object",
    "help",
    "hook",
    "index-pack",
    "init",
    "instaweb",
    "interpret-trailers",
    "log",
    "ls-files",
    "ls-remote",
    "ls-tree",
    "mailinfo",
    "mailsplit",
    "maintenance",
    "merge",
    "merge-base",
    "merge-file",
    "merge-index",
    "merge-tree",
    "mergetool",
    "mktag",
    "mktree",
    "multi-pack-index",
    "mv",
    "name-rev",
    "notes",
    "pack-objects",
    "pack-refs",
    "prune",
    "prune-packed",
    "pull",
    "push",
    "range-diff",
    "read-tree",
    "rebase",
    "receive-pack",
    "reflog",
    "remote",
    "repack",
    "replace",
    "request-pull",
    "rerere",
    "reset",
    "restore",
    "rev-list",
    "rev-parse",
    "revert",
    "rm",
    "send-email",
    "send-pack",
    "shortlog",
    "show",
    "show-branch",
    "show-index",
    "show-ref",
    "sparse-checkout",
    "stage",
    "stash",
    "status",
    "stripspace",
    "submodule",
    "switch",
    "symbolic-ref",
    "tag",
    "unpack-file",
    "unpack-objects",
    "update-index",
    "update-ref",
    "update-server-info",
    "upload-archive",
    "upload-pack",
    "var",
    "verify-commit",
    "verify-pack",
    "verify-tag",
    "version",
    "whatchanged",
    "worktree",
    "write-tree",
];

/// Whether a `help.autocorrect` value makes git run its correction (`0`, `false`, `show`,
/// `never` and `prompt`-less defaults only suggest).
pub fn autocorrect_runs(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off" | "show" | "never" | "prompt"
    )
}

/// Whether `name` is one of git's built-in commands.
pub fn is_git_builtin(name: &str) -> bool {
    GIT_BUILTINS.contains(&name)
}

/// Built-in commands git's `help.autocorrect` could pick for a mistyped `name`: those
/// within an edit distance of 2 (transpositions count once).
pub fn git_autocorrections(name: &str) -> Vec<&'static str> {
    if name.chars().count() < 3 {
        return Vec::new();
    }
    GIT_BUILTINS
        .iter()
        .copied()
        .filter(|b| edit_distance(name, b) <= 2)
        .collect()
}

/// Optimal-string-alignment distance (Levenshtein with adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(c) = d.get_mut(at(i, 0)) {
            *c = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(c) = d.get_mut(at(0, j)) {
            *c = j;
        }
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a.get(i - 1) != b.get(j - 1));
            let get = |i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
            let mut best = (get(i - 1, j) + 1)
                .min(get(i, j - 1) + 1)
                .min(get(i - 1, j - 1) + cost);
            if i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1) {
                best = best.min(get(i - 2, j - 2) + 1);
            }
            if let Some(c) = d.get_mut(at(i, j)) {
                *c = best;
            }
        }
    }
    d.get(at(a.len(), b.len())).copied().unwrap_or(usize::MAX)
}

/// Options of git subcommands whose value git runs as a shell command
/// (`git rebase -x CMD`, `git difftool -x CMD`, `git push --receive-pack=CMD`, …).
pub fn git_subcommand_scripts(rest: &[Word]) -> Vec<Word> {
    let Some(sub) = rest.first().and_then(Word::lit) else {
        return Vec::new();
    };
    let options = git_script_options(sub);
    let mut out = Vec::new();
    let mut i = 1;
    while let Some(w) = rest.get(i) {
        i += 1;
        let Some(text) = w.lit() else { continue };
        for opt in options {
            if text == *opt {
                if let Some(v) = rest.get(i) {
                    out.push(v.clone());
                }
            } else if let Some(v) = text.strip_prefix(&format!("{opt}=")) {
                out.push(Word::Lit(v.to_string()));
            } else if opt.len() == 2
                && text.starts_with(opt)
                && text.len() > 2
                && !text.starts_with("--")
            {
                out.push(Word::Lit(text.get(2..).unwrap_or("").to_string()));
            }
        }
    }
    out
}

/// The options of a git subcommand whose value git runs as a shell command (none for
/// most subcommands).
pub fn git_script_options(sub: &str) -> &'static [&'static str] {
    match sub {
        "rebase" => &["-x", "--exec"],
        "difftool" | "mergetool" => &["-x", "--extcmd"],
        "grep" => &["-O", "--open-files-in-pager"],
        "filter-branch" => &[
            "--env-filter",
            "--tree-filter",
            "--index-filter",
            "--parent-filter",
            "--msg-filter",
            "--commit-filter",
            "--tag-name-filter",
        ],
        "push" | "send-pack" => &["--receive-pack", "--exec"],
        "daemon" => &["--access-hook"],
        "fetch" | "pull" | "clone" | "ls-remote" | "fetch-pack" | "archive" => {
            &["--upload-pack", "-u", "--exec"]
        }
        _ => &[],
    }
}

/// Paths that name standard input (`bash /dev/stdin <<< …`).
pub fn is_stdin_path(path: &str) -> bool {
    matches!(path, "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
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
    let (start, _) = skip_options(&g, args).ok()?;
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

/// What every path `find` passes to `-exec` is, as an fnmatch pattern: its starting
/// points are its first operands (`.` when none), and each result is a starting point or
/// below one — so it starts with their common prefix, and never with `-` (a starting
/// point cannot: it would be read as the expression). `-execdir` gives `./NAME`. `None`
/// when a starting point is only known at run time.
fn find_result_shape(args: &[Word], execdir: bool) -> Option<String> {
    if execdir {
        return Some("./*".into());
    }
    // Skip -H/-L/-P/-D x/-Ox, then the starting points up to the expression.
    let mut roots: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        match w.lit() {
            Some("-H" | "-L" | "-P") if roots.is_empty() => {}
            Some("-D") if roots.is_empty() => i += 1,
            Some(t) if t.starts_with("-O") && roots.is_empty() => {}
            Some("--") if roots.is_empty() => {}
            Some(t) if t.starts_with('-') || matches!(t, "(" | "!" | ",") => break,
            Some(t) => roots.push(t),
            None => return None,
        }
        i += 1;
    }
    if roots.is_empty() {
        roots.push(".");
    }
    let first = roots.first().copied().unwrap_or(".");
    let mut prefix_len = first.len();
    for r in &roots {
        prefix_len = prefix_len.min(
            first
                .char_indices()
                .zip(r.chars())
                .take_while(|((_, a), b)| a == b)
                .map(|((k, a), _)| k + a.len_utf8())
                .last()
                .unwrap_or(0),
        );
    }
    let prefix = first.get(..prefix_len).unwrap_or("");
    if prefix.is_empty() {
        return Some("[!-]*".into());
    }
    let mut pattern = String::new();
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[') {
            pattern.push('[');
            pattern.push(c);
            pattern.push(']');
        } else {
            pattern.push(c);
        }
    }
    pattern.push('*');
    Some(pattern)
}

/// Every `-exec`/`-execdir`/`-ok`/`-okdir` command of a `find`, `{}` as unknown words
/// (each of known shape when the starting points tell it: results of `find .` start with
/// `.`, so they are never options).
pub fn find_exec_commands(args: &[Word]) -> Vec<Vec<Word>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        if !matches!(w.lit(), Some("-exec" | "-execdir" | "-ok" | "-okdir")) {
            continue;
        }
        let shape = find_result_shape(args, matches!(w.lit(), Some("-execdir" | "-okdir")));
        let mut inner = Vec::new();
        let mut plus = false;
        while let Some(a) = args.get(i) {
            i += 1;
            match a.lit() {
                Some(";") => break,
                Some("+") if inner.last().is_some_and(|l: &Word| l.display() == "{}") => {
                    plus = true;
                    break;
                }
                _ => {}
            }
            inner.push(if a.display().contains("{}") {
                Word::unknown(a.display().to_string(), plus)
            } else {
                a.clone()
            });
        }
        if plus && let Some(last) = inner.last_mut() {
            *last = Word::unknown("{}", true);
        }
        // A lone `{}` is a result of the shape the starting points give. (With `+` it
        // stands for one or more results, each of that shape: kept as one word of it,
        // which only matters to an `exact` rule counting words.)
        if let Some(pattern) = &shape {
            for w in inner.iter_mut().skip(1) {
                if w.display() == "{}" {
                    *w = Word::Unknown {
                        text: "{}".into(),
                        split: false,
                        pattern: pattern.clone(),
                    };
                }
            }
        }
        if !inner.is_empty() {
            out.push(inner);
        }
    }
    out
}

/// `ssh [options] destination [command …]`: the remote command words, if any.
pub fn ssh_remote(args: &[Word]) -> Option<Vec<Word>> {
    let g = Grammar {
        short_arg: "BbcDEeFIiJLlmOoPpQRSWw",
        long_arg: &[],
        assignments: false,
        chdir: &[],
    };
    let (start, _) = skip_options(&g, args).ok()?;
    // OpenSSH also takes options (and `--`) after the destination.
    let after = args.get(start + 1..)?;
    let (more, _) = skip_options(&g, after).ok()?;
    let rest = after.get(more..)?;
    (!rest.is_empty()).then(|| rest.to_vec())
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
    let (start, _) = skip_options(&g, args).ok()?;
    let rest = args.get(start..)?;
    (!rest.is_empty()).then(|| (exec, rest.to_vec()))
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

/// Where an interpreter's code comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    /// `-c CODE` / `-e CODE`.
    Inline(Word),
    /// `-` or no operand: code from stdin.
    Stdin,
    /// A script file, a module (`-m`), or nothing we read.
    None,
}

/// The interpreter family of a program name (`python3.11` is python), if any.
pub fn interpreter(base: &str) -> Option<&'static str> {
    let family = base.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    match family {
        "python" | "pypy" => Some("python"),
        "node" | "nodejs" | "deno" | "bun" => Some("node"),
        "perl" => Some("perl"),
        "ruby" => Some("ruby"),
        "awk" | "gawk" | "mawk" | "nawk" | "busybox-awk" => Some("awk"),
        "php" => Some("php"),
        "lua" | "luajit" => Some("lua"),
        "Rscript" | "R" => Some("r"),
        "tclsh" | "wish" | "jimsh" | "expect" => Some("tcl"),
        "emacs" => Some("elisp"),
        _ => None,
    }
}

/// `python -m timeit [-n N] [-r N] [-u U] [-s SETUP]… STATEMENT…`: every setup and
/// statement is Python code, run as if on its own line.
fn timeit_code(args: &[Word]) -> Code {
    let mut code = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let Some(text) = w.lit() else {
            return Code::Inline(w.clone());
        };
        match text {
            "-s" | "--setup" => {
                match args.get(i + 1) {
                    Some(v) => match v.lit() {
                        Some(t) => code.push(t.to_string()),
                        None => return Code::Inline(v.clone()),
                    },
                    None => break,
                }
                i += 2;
            }
            "-n" | "-r" | "-u" | "--number" | "--repeat" | "--unit" => i += 2,
            "--" => {
                i += 1;
                for w in args.get(i..).unwrap_or_default() {
                    match w.lit() {
                        Some(t) => code.push(t.to_string()),
                        None => return Code::Inline(w.clone()),
                    }
                }
                break;
            }
            t if t.starts_with("--setup=") => {
                code.push(t.trim_start_matches("--setup=").to_string());
                i += 1;
            }
            t if t.starts_with("-s") && t.len() > 2 => {
                code.push(t.get(2..).unwrap_or_default().to_string());
                i += 1;
            }
            t if t.starts_with('-') && t.len() > 1 => i += 1,
            t => {
                code.push(t.to_string());
                i += 1;
            }
        }
    }
    if code.is_empty() {
        Code::None
    } else {
        Code::Inline(Word::Lit(code.join("\n")))
    }
}

/// Finds the code an interpreter runs: `python -c`, `node -e`/`--eval`, `perl -e`,
/// `ruby -e`, `php -r`, awk's program, or stdin (`-`, `/dev/stdin`, no operand).
pub fn interpreter_code(family: &str, args: &[Word]) -> Code {
    // (options taking inline code, options taking another value)
    let (inline, valued): (&[&str], &[&str]) = match family {
        "python" => (&["-c"], &["-W", "-X", "-Q", "--check-hash-based-pycs"]),
        "node" => (
            // `deno eval CODE` (for node, a script file named `eval`: read as code too).
            &["-e", "--eval", "-p", "--print", "eval"],
            &[
                "-r",
                "--require",
                "--import",
                "--loader",
                "--input-type",
                "-C",
                "--conditions",
                "--env-file",
            ],
        ),
        "perl" => (&["-e", "-E"], &["-I", "-M", "-m", "-x", "-C", "-d"]),
        "ruby" => (&["-e"], &["-I", "-r", "-C", "-E", "-x"]),
        "php" => (&["-r"], &["-d", "-c", "-z"]),
        "lua" => (&["-e"], &["-l"]),
        "r" => (&["-e"], &["--file"]),
        // expect's `-c` commands (tclsh has none: a file, or stdin).
        "tcl" => (&["-c"], &["-f"]),
        // `emacs --batch --eval '(shell-command "…")'`.
        "elisp" => (
            &["--eval", "-eval", "--execute", "-execute"],
            &[
                "-l",
                "--load",
                "-load",
                "-f",
                "--funcall",
                "-funcall",
                "-L",
                "--directory",
                "--chdir",
                "-t",
                "--terminal",
                "-d",
                "--display",
                "--script",
                "-script",
            ],
        ),
        "awk" => (
            &["-e", "--source"],
            &[
                "-F",
                "-v",
                "-f",
                "-i",
                "-l",
                "--field-separator",
                "--assign",
            ],
        ),
        _ => (&[], &[]),
    };
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let Some(text) = w.lit() else {
            // An unknown word where the code or an option would be.
            return Code::Inline(w.clone());
        };
        if text == "-" || is_stdin_path(text) {
            return Code::Stdin;
        }
        if text.starts_with("/dev/fd/") || text.starts_with("/proc/self/fd/") {
            return Code::Inline(Word::unknown(text, false));
        }
        if text == "--" {
            i += 1;
            break;
        }
        if let Some((name, value)) = text.split_once('=')
            && name.starts_with("--")
        {
            if inline.contains(&name) {
                return Code::Inline(Word::Lit(value.to_string()));
            }
            i += 1;
            continue;
        }
        if inline.contains(&text) {
            return args
                .get(i + 1)
                .map_or(Code::None, |c| Code::Inline(c.clone()));
        }
        if valued.contains(&text) {
            if family == "awk" && text == "-f" {
                return Code::None;
            }
            i += 2;
            continue;
        }
        if text.starts_with('-') && !text.starts_with("--") && text.len() > 2 {
            // A bundle (`-le`) or attached value (`-c'code'`, `-Wignore`, `-I/tmp`).
            let chars: Vec<char> = text.chars().skip(1).collect();
            // `node -pe CODE`: every letter takes the code, which is the next word.
            if chars
                .iter()
                .all(|c| inline.contains(&format!("-{c}").as_str()))
            {
                return args
                    .get(i + 1)
                    .map_or(Code::None, |c| Code::Inline(c.clone()));
            }
            for (k, c) in chars.iter().enumerate() {
                let flag = format!("-{c}");
                let rest: String = chars.get(k + 1..).unwrap_or(&[]).iter().collect();
                if inline.contains(&flag.as_str()) {
                    return if rest.is_empty() {
                        args.get(i + 1)
                            .map_or(Code::None, |c| Code::Inline(c.clone()))
                    } else {
                        Code::Inline(Word::Lit(rest))
                    };
                }
                if valued.contains(&flag.as_str()) {
                    if rest.is_empty() {
                        i += 1;
                    }
                    break;
                }
            }
            i += 1;
            continue;
        }
        if text == "-m" || text.starts_with('-') {
            if text == "-m" {
                if family == "python" && args.get(i + 1).and_then(Word::lit) == Some("timeit") {
                    return timeit_code(args.get(i + 2..).unwrap_or_default());
                }
                return Code::None;
            }
            i += 1;
            continue;
        }
        // The first operand: awk's program; for the others a script file.
        return if family == "awk" {
            Code::Inline(w.clone())
        } else {
            Code::None
        };
    }
    match family {
        "awk" => args.get(i).map_or(Code::None, |w| Code::Inline(w.clone())),
        // emacs reads no code from stdin: alone, it is an editor.
        "elisp" => Code::None,
        _ if args.get(i).is_some() => Code::None,
        _ => Code::Stdin,
    }
}

/// Git after its global options: the directories `-C` moves to, `-c alias.*` values,
/// and the remaining words (the subcommand first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitGlobals {
    /// Each `-C` in order (None when the directory is unknown).
    pub chdirs: Vec<Option<String>>,
    /// `--work-tree DIR`: the literal directory, or `Some(None)` when unknown.
    pub work_tree: Option<Option<String>>,
    /// `--git-dir` was given: the repository is not found from the directory.
    pub git_dir: bool,
    /// Its literal value, for looking aliases up in that repository.
    pub git_dir_path: Option<String>,
    /// `(name, value)` of each `-c alias.NAME=VALUE`.
    pub config_aliases: Vec<(String, String)>,
    /// `(key, value)` of each `-c KEY=VALUE` whose value git runs as a shell command.
    pub config_commands: Vec<(String, String)>,
    /// Configuration only known at run time (`-c "$x"`, `--config-env`, `-c include.path`).
    pub config_unknown: Option<String>,
    /// `-c help.autocorrect=…` turns typos into built-in commands.
    pub autocorrect: Option<String>,
    /// `-c remote.X.push=+…` or `-c remote.X.mirror=true`: a plain `git push` forces.
    pub forced_push: Option<String>,
    /// The subcommand and its arguments.
    pub rest: Vec<Word>,
}

/// Removes git's global options (`-C dir`, `-c k=v`, `--git-dir`, `--no-pager`, …).
pub fn git_globals(args: &[Word]) -> GitGlobals {
    let mut out = GitGlobals::default();
    let mut i = 0;
    // The value of an option: attached after `=` (or for `-C`/`-c`, glued on), else the
    // next word.
    let value = |i: &mut usize, attached: Option<&str>| -> Option<Word> {
        match attached {
            Some(v) => Some(Word::Lit(v.to_string())),
            None => {
                *i += 1;
                args.get(*i).cloned()
            }
        }
    };
    while let Some(word) = args.get(i) {
        let Word::Lit(w) = word else { break };
        let (name, attached) = match w.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ if (w.starts_with("-C") || w.starts_with("-c")) && w.len() > 2 => {
                (w.get(..2).unwrap_or(""), w.get(2..))
            }
            _ => (w.as_str(), None),
        };
        match name {
            "-C" => out
                .chdirs
                .push(value(&mut i, attached).and_then(|v| v.lit().map(str::to_string))),
            "-c" => match value(&mut i, attached) {
                Some(Word::Lit(kv)) => record_config(&mut out, &kv),
                other => {
                    out.config_unknown = Some(format!(
                        "`git -c {}` sets configuration only known at run time",
                        other.as_ref().map_or("", Word::display)
                    ))
                }
            },
            "--config-env" => {
                let spec = value(&mut i, attached);
                out.config_unknown = Some(format!(
                    "`git --config-env {}` takes configuration from the environment",
                    spec.as_ref().map_or("", Word::display)
                ));
            }
            "--work-tree" => {
                out.work_tree =
                    Some(value(&mut i, attached).and_then(|v| v.lit().map(str::to_string)))
            }
            "--git-dir" => {
                out.git_dir = true;
                out.git_dir_path =
                    value(&mut i, attached).and_then(|v| v.lit().map(str::to_string));
            }
            // `--exec-path=DIR`: git runs its subcommands (`git-push`, …) from DIR.
            "--exec-path" if attached.is_some() => {
                out.config_unknown = Some(format!(
                    "`git --exec-path={}` runs git's commands from that directory",
                    attached.unwrap_or_default()
                ));
            }
            "--namespace" | "--super-prefix" | "--exec-path" | "--list-cmds" | "--attr-source" => {
                if attached.is_none() && name != "--exec-path" && name != "--list-cmds" {
                    i += 1;
                }
            }
            "--" => {
                i += 1;
                break;
            }
            _ if w.starts_with('-') => {}
            _ => break,
        }
        i += 1;
    }
    out.rest = args.get(i..).unwrap_or(&[]).to_vec();
    out
}

fn record_config(out: &mut GitGlobals, kv: &str) {
    let (key, value) = kv.split_once('=').unwrap_or((kv, "true"));
    // Config keys are case-insensitive in section and name.
    let key = key.to_ascii_lowercase();
    if let Some(name) = key.strip_prefix("alias.") {
        out.config_aliases
            .push((name.to_string(), value.to_string()));
    } else if key.starts_with("remote.")
        && ((key.ends_with(".push") && value.starts_with('+'))
            || (key.ends_with(".mirror") && !matches!(value, "false" | "0" | "no" | "off")))
    {
        out.forced_push = Some(format!("`git -c {key}={value}` makes the push forced"));
    } else if key == "help.autocorrect" {
        out.autocorrect = Some(value.to_string());
    } else if key == "include.path" || key.starts_with("includeif.") {
        out.config_unknown = Some(format!("`git -c {key}` includes configuration from a file"));
    } else if key == "core.hookspath" && value != "/dev/null" {
        // Hooks from a directory this reading does not see (`/dev/null` disables them).
        out.config_unknown = Some(format!("`git -c {key}={value}` runs hooks from `{value}`"));
    } else if is_command_key(&key) {
        out.config_commands.push((key, value.to_string()));
    }
}

/// Git configuration keys whose value git runs through the shell.
pub fn is_command_key(key: &str) -> bool {
    let (section, rest) = key.split_once('.').unwrap_or((key, ""));
    let last = key.rsplit('.').next().unwrap_or(key);
    matches!(
        key,
        "core.pager"
            | "core.editor"
            | "core.sshcommand"
            | "core.fsmonitor"
            | "core.askpass"
            | "sequence.editor"
            | "diff.external"
            | "credential.helper"
            | "gpg.program"
            | "gpg.ssh.program"
            | "web.browser"
            | "uploadpack.packobjectshook"
            | "core.gitproxy"
            | "core.alternaterefscommand"
            | "imap.tunnel"
            | "sendemail.sendmailcmd"
            | "interactive.difffilter"
    ) || section == "pager"
        // `gpg.x509.program`, `gpg.openpgp.program`.
        || (section == "gpg" && last == "program")
        || (section == "trailer" && matches!(last, "cmd" | "command"))
        || (section == "tar" && last == "command")
        || (section == "man" && last == "cmd")
        // `submodule.NAME.update = !cmd` (`checkout`, `rebase`, … name no program run).
        || (section == "submodule" && last == "update")
        || (section == "remote" && matches!(last, "uploadpack" | "receivepack" | "proxy"))
        || (matches!(section, "difftool" | "mergetool") && last == "cmd")
        || (section == "filter" && matches!(last, "clean" | "smudge" | "process"))
        || (section == "diff" && matches!(last, "textconv" | "command"))
        || (section == "merge" && last == "driver")
        || (section == "credential" && last == "helper")
        || (!rest.is_empty() && section == "browser" && last == "cmd")
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

    #[test]
    fn git_globals_are_removed() {
        let g = git_globals(&lits("-C repo -c alias.p=push --no-pager p --force"));
        assert_eq!(g.chdirs, vec![Some("repo".to_string())]);
        assert_eq!(g.config_aliases, vec![("p".into(), "push".into())]);
        assert_eq!(g.rest, lits("p --force"));
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
