//! Program knowledge, wrappers: programs that run an argv (or a script) given in their
//! arguments, after options of their own — `sudo -u root git push` runs `git push`,
//! `timeout -s KILL 5 rm -rf x` runs `rm -rf x`, `flock F -c SCRIPT`, `su -c SCRIPT`,
//! a busybox applet, `rimraf x` (which is `rm -rf x`).
//!
//! A row per program (or per few with the same options). The grammars follow each
//! tool's manual; an option we do not know is assumed to take no argument, and a word
//! we cannot read (unknown) ends the options — which makes the inner program unknown,
//! hence dynamic, never silently skipped. This module only describes programs; the walk
//! asks it.

use super::git::is_git_builtin;
use super::hooks::{Hook, Kind};
use super::{Action, Input, Options, Program};
use crate::command::Word;

/// The wrappers, as rows.
pub const ROWS: &[Program] = &[
    Program {
        names: &["sudo"],
        options: Options {
            short: "CDghpRrTtUu",
            long: &[
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
            chdir: &["-D", "--chdir"],
            assignments: true,
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &["doas"],
        options: Options {
            short: "Cu",
            ..Options::NONE
        },
        ..WRAPPER
    },
    // env takes any word with `=` as an assignment (`BASH_FUNC_ls%%=…` too), among its
    // options; `-P PATH` (BSD: where to look the command up), `-a NAME` (argv[0]).
    Program {
        names: &["env"],
        options: Options {
            short: "uCSPa",
            long: &["--unset", "--chdir", "--split-string", "--argv0"],
            chdir: &["-C", "--chdir"],
            command: &["-S", "--split-string"],
            assignments: true,
            ..Options::NONE
        },
        action: Action::Wrapper {
            operand: Operand::Env,
            in_this_shell: false,
        },
        ..WRAPPER
    },
    Program {
        names: &["strace"],
        options: TRACE,
        hooks: &[Hook {
            options: &["-o", "--output"],
            kind: Kind::PipeFile,
        }],
        ..WRAPPER
    },
    Program {
        names: &["ltrace"],
        options: TRACE,
        ..WRAPPER
    },
    // Each of these with its own options: a shared grammar that takes `-f` or `-n` as
    // taking a value would swallow the program name (`unshare -f git …`).
    Program {
        names: &["unshare"],
        options: Options {
            short: "SGRw",
            long: &[
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
            chdir: &["-w", "--wd"],
            ..Options::NONE
        },
        ..WRAPPER
    },
    // prlimit's resource options take their value attached (`-n512`), never apart.
    Program {
        names: &["prlimit"],
        options: Options {
            short: "po",
            long: &["--pid", "--output"],
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &["nsenter"],
        options: Options {
            short: "tSG",
            long: &["--target", "--setuid", "--setgid", "--env"],
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &["systemd-run"],
        options: Options {
            short: "upEHM",
            long: &[
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
            chdir: &["--working-directory"],
            ..Options::NONE
        },
        ..WRAPPER
    },
    // Runners, each with its own options (a shared table that takes `-a` as taking a
    // value would make `numactl -a git …` run `push`).
    Program {
        names: &["xvfb-run"],
        options: Options {
            short: "efnpsw",
            long: &[
                "--error-file",
                "--auth-file",
                "--server-num",
                "--xauth-protocol",
                "--server-args",
                "--wait",
            ],
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &[
            "unbuffer",
            "chronic",
            "catchsegv",
            "dbus-run-session",
            "linux32",
            "linux64",
            "i386",
            "x86_64",
        ],
        options: Options {
            long: &["--config-file"],
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &["numactl"],
        options: Options {
            short: "CNmipP",
            long: &[
                "--physcpubind",
                "--cpunodebind",
                "--membind",
                "--interleave",
                "--preferred",
                "--preferred-many",
            ],
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &["fakeroot"],
        options: Options {
            short: "lsib",
            long: &["--lib", "--faked"],
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &[
            "setpriv",
            "valgrind",
            "ssh-agent",
            "cgexec",
            "firejail",
            "bwrap",
            "proot",
        ],
        options: Options {
            short: "GSRwlsifgatEn",
            long: &[
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
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &["nohup", "setsid"],
        ..WRAPPER
    },
    Program {
        names: &["nice"],
        options: Options {
            short: "n",
            long: &["--adjustment"],
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &["stdbuf"],
        options: Options {
            short: "ioe",
            long: &["--input", "--output", "--error"],
            ..Options::NONE
        },
        ..WRAPPER
    },
    Program {
        names: &["ionice"],
        options: Options {
            short: "cnP",
            long: &["--class", "--classdata", "--pgid", "--uid"],
            ..Options::NONE
        },
        ..WRAPPER
    },
    // timeout DURATION COMMAND: the duration operand comes first.
    Program {
        names: &["timeout"],
        options: Options {
            short: "sk",
            long: &["--signal", "--kill-after"],
            ..Options::NONE
        },
        action: AFTER_AN_OPERAND,
        ..WRAPPER
    },
    Program {
        names: &["taskset"],
        action: Action::Wrapper {
            operand: Operand::Taskset,
            in_this_shell: false,
        },
        ..WRAPPER
    },
    // setarch ARCH [options] COMMAND.
    Program {
        names: &["setarch"],
        options: CHROOT,
        action: AFTER_A_WORD,
        ..WRAPPER
    },
    // chroot [options] NEWROOT COMMAND.
    Program {
        names: &["chroot"],
        options: CHROOT,
        action: AFTER_AN_OPERAND,
        ..WRAPPER
    },
    // perf stat|record|trace [options] COMMAND.
    Program {
        names: &["perf"],
        options: Options {
            short: "eoGpCtrFcIm",
            long: &["--event", "--output", "--pid", "--cpu", "--tid", "--repeat"],
            ..Options::NONE
        },
        action: AFTER_A_WORD,
        ..WRAPPER
    },
    // chrt [options] PRIORITY COMMAND.
    Program {
        names: &["chrt"],
        options: Options {
            short: "T P D",
            long: &["--sched-runtime", "--sched-period", "--sched-deadline"],
            ..Options::NONE
        },
        action: AFTER_AN_OPERAND,
        ..WRAPPER
    },
    // `flock [options] FILE COMMAND…` or `flock [options] FILE -c SCRIPT`.
    Program {
        names: &["flock"],
        options: Options {
            short: "wEc",
            long: &["--timeout", "--wait", "--conflict-exit-code", "--command"],
            command: &["-c", "--command"],
            ..Options::NONE
        },
        action: Action::Flock,
        ..WRAPPER
    },
    Program {
        names: &["su", "script"],
        action: Action::CommandOption {
            argv_after_dashdash: false,
        },
        ..WRAPPER
    },
    Program {
        names: &["runuser"],
        action: Action::CommandOption {
            argv_after_dashdash: true,
        },
        ..WRAPPER
    },
    Program {
        names: &["sg", "capsh"],
        action: Action::ShellString,
        ..WRAPPER
    },
    Program {
        names: &["gdb"],
        action: Action::Argv(Argv::AfterArgs),
        hooks: GDB,
        ..WRAPPER
    },
    Program {
        names: &["gdb-multiarch", "cgdb"],
        hooks: GDB,
        ..Program::DEFAULT
    },
    Program {
        names: &["start-stop-daemon"],
        action: Action::Argv(Argv::ExecOption),
        ..WRAPPER
    },
    // GNU coreutils built as one program: `coreutils --coreutils-prog=rm -rf /`.
    Program {
        names: &["coreutils"],
        action: Action::Argv(Argv::ProgOption),
        ..WRAPPER
    },
    // `busybox sh -c …`, `toybox rm …`: the applet is the program.
    Program {
        names: &["busybox", "toybox"],
        action: Action::Argv(Argv::Applet),
        ..WRAPPER
    },
    // Programs that are another command under a different name: `rimraf x` removes `x`
    // recursively, as `rm -rf x` does.
    Program {
        names: &["rimraf", "del-cli", "del"],
        action: Action::Argv(Argv::SameAs(&["rm", "-rf"])),
        ..WRAPPER
    },
    Program {
        names: &["shx"],
        action: Action::Argv(Argv::SameAs(&[])),
        ..WRAPPER
    },
    Program {
        names: &["cross-env"],
        action: Action::Argv(Argv::SameAs(&["env"])),
        ..WRAPPER
    },
];

/// What a wrapper row leaves out: it runs the command after its options, handing it its
/// standard input.
const WRAPPER: Program = Program {
    action: Action::Wrapper {
        operand: Operand::AfterOptions { lead: 0, skip: 0 },
        in_this_shell: false,
    },
    stdin: Input::Passed,
    ..Program::DEFAULT
};

/// A wrapper whose command comes after its options and one operand (`timeout
/// DURATION`, `chroot NEWROOT`, `chrt PRIORITY`).
const AFTER_AN_OPERAND: Action = Action::Wrapper {
    operand: Operand::AfterOptions { lead: 0, skip: 1 },
    in_this_shell: false,
};

/// A wrapper whose command comes after a first word, then its options (`setarch ARCH`,
/// `perf stat`).
const AFTER_A_WORD: Action = Action::Wrapper {
    operand: Operand::AfterOptions { lead: 1, skip: 0 },
    in_this_shell: false,
};

/// strace's and ltrace's options.
const TRACE: Options = Options {
    short: "abeEIoOpPsSuUX",
    long: &["--output", "--trace", "--signal", "--user", "--env"],
    ..Options::NONE
};

/// setarch's and chroot's options.
const CHROOT: Options = Options {
    long: &["--userspec", "--groups", "--uname-2.6"],
    ..Options::NONE
};

/// gdb's options whose value is a debugger command (`shell CMD`, `!CMD`, `python CODE`).
const GDB: &[Hook] = &[Hook {
    options: &[
        "-ex",
        "--ex",
        "-eval-command",
        "--eval-command",
        "-iex",
        "--init-eval-command",
    ],
    kind: Kind::Shell,
}];

/// Where a wrapper's command is in its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// After its options: `lead` words come before them (`setarch ARCH`, `perf stat`),
    /// `skip` operands after them (`timeout DURATION`, `chroot NEWROOT`).
    AfterOptions {
        /// Words before the options.
        lead: usize,
        /// Operands between the options and the command.
        skip: usize,
    },
    /// `env`: assignments and `-S STRING` among its options; `-a NAME` is `argv[0]`.
    Env,
    /// `exec [-a NAME] COMMAND`: NAME is `argv[0]`.
    Exec,
    /// `taskset [-c] MASK COMMAND`; with `-p` it changes a running process instead.
    Taskset,
    /// `command [-p] COMMAND`; `-v`/`-V` only look COMMAND up.
    Command,
    /// A subcommand that runs a command (`uv [OPTIONS] run [OPTIONS] CMD…`, `conda run
    /// -n ENV CMD…`, `nix develop -c CMD…`): after the row's (global) options, the first
    /// word names one of these subcommands, or nothing runs.
    Subcommand(&'static [Sub]),
}

/// A subcommand that runs a command, with its own option table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sub {
    /// Its names (`run`, `exec`, `x`); none: the program itself (`uvx`, `nix-shell`).
    pub names: &'static [&'static str],
    /// Its options that take a value (`short`, `long`), those whose value is a shell
    /// script (`command`: `nix-shell --run`, `mise exec -c`) and its directory
    /// options (`chdir`: `conda run --cwd`).
    pub options: Options,
    /// Options after which the rest of the words are the argv it runs (`nix develop
    /// --command CMD ARGS…`).
    pub argv_options: &'static [&'static str],
    /// Where the argv it runs is among its operands.
    pub operands: Operands,
}

/// Where a subcommand's argv is among its operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operands {
    /// After this many operands (`rustup run TOOLCHAIN CMD…`, `direnv exec DIR CMD…`).
    After(usize),
    /// After `--` (`mise exec TOOL@VERSION… -- CMD…`); the operands before are data.
    AfterDashDash,
    /// Its operands are data (`nix-shell shell.nix`): only its options run something.
    Data,
}

/// Where the argv a program runs is found (see [`argv`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Argv {
    /// `gdb … --args PROG ARGS…`.
    AfterArgs,
    /// `start-stop-daemon --exec PROG … -- ARGS…` (`-x`, `--startas`, `-a`).
    ExecOption,
    /// `coreutils --coreutils-prog=NAME ARGS…`.
    ProgOption,
    /// `busybox NAME ARGS…`: the first word is the applet.
    Applet,
    /// Another command under another name: these words, then its arguments.
    SameAs(&'static [&'static str]),
}

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
    /// The `argv[0]` it gives the command (`exec -a NAME`, `env -a NAME`), when literal.
    pub argv0: Option<String>,
}

impl Unwrapped {
    /// What runs, with nothing else said.
    fn runs(inner: Inner) -> Unwrapped {
        Unwrapped {
            inner,
            chdir: None,
            assignments: Vec::new(),
            argv0: None,
        }
    }
}

/// Unwraps a known wrapper, by name. `None` when `base` is not a wrapper.
pub fn unwrap(base: &str, args: &[Word]) -> Option<Unwrapped> {
    read(super::lookup(base), args)
}

/// What a wrapper's arguments run. `None` when it is not a wrapper, or runs nothing of
/// them (`command -v NAME` only looks NAME up).
pub fn read(program: &Program, args: &[Word]) -> Option<Unwrapped> {
    let Action::Wrapper { operand, .. } = program.action else {
        return None;
    };
    let options = &program.options;
    Some(match operand {
        // `sudo -l`, `-v`, `-k` alone run nothing — still read as running the operand,
        // which is stricter.
        Operand::AfterOptions { lead, skip } => {
            with_operands(options, args.get(lead..).unwrap_or(&[]), skip)
        }
        Operand::Env => Unwrapped {
            argv0: env_argv0(args),
            ..env(options, args)
        },
        Operand::Exec => Unwrapped {
            argv0: exec_argv0(args),
            ..with_operands(options, args, 0)
        },
        // With `-p` it changes a running process: it runs nothing.
        Operand::Taskset => {
            if args.iter().any(|a| {
                a.lit()
                    .is_some_and(|t| t.starts_with('-') && !t.starts_with("--") && t.contains('p'))
            }) {
                Unwrapped::runs(Inner::Words(Vec::new()))
            } else {
                with_operands(options, args, 1)
            }
        }
        Operand::Command => {
            let looks_up = args.first().and_then(Word::lit).is_some_and(|f| {
                f.len() > 1
                    && f.starts_with('-')
                    && f.chars().skip(1).all(|c| matches!(c, 'v' | 'V' | 'p'))
                    && f.contains(['v', 'V'])
            });
            if looks_up {
                return None;
            }
            with_operands(options, args, 0)
        }
        Operand::Subcommand(subs) => return subcommand(options, subs, args),
    })
}

/// `PROGRAM [GLOBAL OPTIONS] SUB [OPTIONS] [OPERANDS] CMD…`: what the subcommand runs;
/// nothing when the subcommand is none of `subs` (`uv pip install …`).
fn subcommand(global: &Options, subs: &[Sub], args: &[Word]) -> Option<Unwrapped> {
    let (start, mut chdir) = match skip_options(global, args) {
        Ok(v) => v,
        Err(reason) => return Some(Unwrapped::runs(Inner::Unknown(reason))),
    };
    // Another subcommand runs nothing of its arguments as far as the table knows; what
    // they could run is still judged by the walk.
    let nothing = || Some(Unwrapped::runs(Inner::Words(Vec::new())));
    let (sub, from) = match subs.iter().find(|s| s.names.is_empty()) {
        // The program is its own subcommand: its options are the subcommand's.
        Some(sub) => (sub, 0),
        None => match args.get(start) {
            None => return nothing(),
            Some(Word::Lit(name)) => match subs.iter().find(|s| s.names.contains(&name.as_str())) {
                Some(sub) => (sub, start + 1),
                None => return nothing(),
            },
            Some(other) => {
                return Some(Unwrapped::runs(Inner::Unknown(format!(
                    "the subcommand `{}` is only known at run time",
                    other.display()
                ))));
            }
        },
    };
    let o = &sub.options;
    let mut operands = 0;
    let mut after_dashdash = false;
    let mut i = from;
    let inner = loop {
        let Some(word) = args.get(i) else {
            break Inner::Words(Vec::new());
        };
        let rest = || args.get(i + 1..).unwrap_or(&[]).to_vec();
        // Whether an operand here is the command.
        let runs_here = match sub.operands {
            Operands::After(n) => operands >= n,
            Operands::AfterDashDash => after_dashdash,
            Operands::Data => false,
        };
        let option = word
            .lit()
            .filter(|w| !after_dashdash && w.starts_with('-') && *w != "-");
        let Some(w) = option else {
            if runs_here {
                break Inner::Words(args.get(i..).unwrap_or(&[]).to_vec());
            }
            // A word only known at run time before the command is taken for an operand
            // (`rustup run "$TOOLCHAIN" CMD`); were it an option, what the arguments
            // could run is judged anyway.
            operands += 1;
            i += 1;
            continue;
        };
        if w == "--" {
            after_dashdash = true;
            // What follows `--` is the command, after any operands still due.
            i += 1;
            continue;
        }
        if sub.argv_options.contains(&w) {
            break Inner::Words(rest());
        }
        // The option's name, and its value when attached (`--call=…`, `-pVALUE`).
        let (name, attached) = match w.split_once('=').filter(|_| w.starts_with("--")) {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None if !w.starts_with("--") => {
                let letters: Vec<char> = w.chars().skip(1).collect();
                match letters.iter().position(|c| o.short.contains(*c)) {
                    Some(k) => {
                        let letter: String = letters.get(k..=k).unwrap_or(&[]).iter().collect();
                        let tail: String = letters.get(k + 1..).unwrap_or(&[]).iter().collect();
                        (format!("-{letter}"), Some(tail).filter(|t| !t.is_empty()))
                    }
                    None => (w.to_string(), None),
                }
            }
            None => (w.to_string(), None),
        };
        let takes = o.long.contains(&name.as_str())
            || o.command.contains(&name.as_str())
            || (name.len() == 2 && name.chars().nth(1).is_some_and(|c| o.short.contains(c)));
        if !takes {
            i += 1;
            continue;
        }
        let value = match attached {
            Some(v) => Some(Word::Lit(v)),
            None => {
                i += 1;
                args.get(i).cloned()
            }
        };
        i += 1;
        if o.chdir.contains(&name.as_str()) {
            chdir = value.as_ref().and_then(Word::lit).map(str::to_string);
        }
        if o.command.contains(&name.as_str()) {
            break match value {
                Some(Word::Lit(script)) => Inner::Script(script),
                Some(other) => Inner::Unknown(format!(
                    "`{name}` runs `{}`, only known at run time",
                    other.display()
                )),
                None => Inner::Words(Vec::new()),
            };
        }
    };
    Some(Unwrapped {
        inner,
        chdir,
        assignments: Vec::new(),
        argv0: None,
    })
}

/// The argv a program runs, found as `how` says (empty when there is none).
pub fn argv(how: Argv, args: &[Word]) -> Vec<Word> {
    match how {
        Argv::AfterArgs => args
            .iter()
            .skip_while(|w| w.lit() != Some("--args"))
            .skip(1)
            .cloned()
            .collect(),
        Argv::ExecOption => {
            let prog = args
                .windows(2)
                .find(|w| {
                    matches!(
                        w.first().and_then(Word::lit),
                        Some("--exec" | "-x" | "--startas" | "-a")
                    )
                })
                .and_then(|w| w.get(1).cloned());
            let rest = args
                .iter()
                .skip_while(|w| w.lit() != Some("--"))
                .skip(1)
                .cloned();
            prog.into_iter().chain(rest).collect()
        }
        Argv::ProgOption => {
            let prog = args.first().and_then(Word::lit).and_then(|a| {
                a.strip_prefix("--coreutils-prog=")
                    .or_else(|| a.strip_prefix("--coreutils-prog-shebang="))
            });
            match prog {
                Some(prog) => {
                    let mut words = vec![Word::Lit(prog.to_string())];
                    words.extend(args.get(1..).unwrap_or(&[]).iter().cloned());
                    words
                }
                None => Vec::new(),
            }
        }
        Argv::Applet => args.to_vec(),
        Argv::SameAs(lead) => {
            let mut words: Vec<Word> = lead.iter().map(|w| Word::Lit((*w).to_string())).collect();
            words.extend(args.iter().cloned());
            words
        }
    }
}

/// Skips options, then `skip` operands, and returns what remains as the inner argv.
fn with_operands(o: &Options, args: &[Word], skip: usize) -> Unwrapped {
    let (start, chdir) = match skip_options(o, args) {
        Ok(v) => v,
        Err(reason) => return Unwrapped::runs(Inner::Unknown(reason)),
    };
    let mut rest = args.get(start..).unwrap_or(&[]);
    let mut assignments = Vec::new();
    if o.assignments {
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
        argv0: None,
    }
}

/// Returns the index of the first operand and a literal chdir option value.
pub(super) fn skip_options(o: &Options, args: &[Word]) -> Result<(usize, Option<String>), String> {
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
            if o.long.contains(&name.as_str()) {
                let value = match value {
                    Some(v) => Some(v),
                    None => {
                        i += 1;
                        args.get(i).and_then(|a| a.lit()).map(str::to_string)
                    }
                };
                if o.chdir.contains(&name.as_str()) {
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
            if *c != ' ' && o.short.contains(*c) {
                let attached: String = flags.get(k + 1..).unwrap_or(&[]).iter().collect();
                let value = if attached.is_empty() {
                    i += 1;
                    args.get(i).and_then(|a| a.lit()).map(str::to_string)
                } else {
                    Some(attached)
                };
                if o.chdir.contains(&format!("-{c}").as_str()) {
                    chdir = value;
                }
                break;
            }
        }
        i += 1;
    }
    Ok((i, chdir))
}

/// `env [-i] [-u NAME] [-C DIR] [-S STRING] [NAME=VALUE]… [COMMAND [ARG]…]`: options
/// (`o`) and assignments in any order before the command.
fn env(o: &Options, args: &[Word]) -> Unwrapped {
    let mut i = 0;
    let mut chdir = None;
    let mut split: Option<String> = None;
    while let Some(word) = args.get(i) {
        let Word::Lit(w) = word else { break };
        if w == "--" {
            i += 1;
            break;
        }
        // The option that takes a value here, with the value when it is attached.
        let valued: Option<(String, Option<String>)> = if let Some(long) = w.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (w.clone(), None),
            };
            o.long.contains(&name.as_str()).then_some((name, attached))
        } else if w.starts_with('-') {
            // A bundle such as `-iS 'cmd'` or `-vu X`: the first letter that takes a
            // value takes the rest of the word or the next word.
            let flags: Vec<char> = w.chars().skip(1).collect();
            flags.iter().position(|c| o.short.contains(*c)).map(|k| {
                let letter: String = flags.get(k..=k).unwrap_or(&[]).iter().collect();
                let attached: String = flags.get(k + 1..).unwrap_or(&[]).iter().collect();
                (
                    format!("-{letter}"),
                    Some(attached).filter(|a| !a.is_empty()),
                )
            })
        } else if w.contains('=') {
            None
        } else {
            break;
        };
        if let Some((name, attached)) = valued {
            let value = match attached {
                Some(v) => Some(v),
                None => {
                    i += 1;
                    args.get(i).and_then(Word::lit).map(str::to_string)
                }
            };
            if o.chdir.contains(&name.as_str()) {
                chdir = value;
            } else if o.command.contains(&name.as_str()) {
                match value {
                    Some(v) => split = Some(v),
                    None => {
                        return Unwrapped {
                            chdir,
                            ..Unwrapped::runs(Inner::Unknown(
                                "`env -S` of a string only known at run time".into(),
                            ))
                        };
                    }
                }
            }
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
        argv0: None,
    }
}

/// `flock [options] file command…` or `flock [options] file -c script`.
pub fn flock_command(o: &Options, args: &[Word]) -> Option<Inner> {
    // `-c` can come before or after the file: look for it anywhere.
    for (k, w) in args.iter().enumerate() {
        if w.lit().is_some_and(|t| o.command.contains(&t)) {
            return Some(match args.get(k + 1) {
                Some(Word::Lit(s)) => Inner::Script(s.clone()),
                _ => Inner::Unknown("`flock -c` of a script only known at run time".into()),
            });
        }
    }
    let (start, _) = skip_options(o, args).ok()?;
    let rest = args.get(start + 1..)?;
    (!rest.is_empty()).then(|| Inner::Words(rest.to_vec()))
}

/// `runuser -u USER -- CMD…`: the command after `--`, when there is one.
pub fn after_dashdash(args: &[Word]) -> Option<&[Word]> {
    let at = args.iter().position(|w| w.lit() == Some("--"))?;
    args.get(at + 1..).filter(|r| !r.is_empty())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::programs::lits;

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
    fn subcommand_runners_run_after_their_options() {
        let inner = |base: &str, args: &str| unwrap(base, &lits(args)).map(|u| u.inner);
        assert_eq!(
            inner("uv", "--directory d run -p 3.12 --with x -- rm -rf y"),
            Some(Inner::Words(lits("rm -rf y")))
        );
        assert_eq!(
            unwrap("uv", &lits("--directory d run ls")).and_then(|u| u.chdir),
            Some("d".to_string())
        );
        assert_eq!(
            inner("uv", "pip install rm"),
            Some(Inner::Words(Vec::new()))
        );
        assert_eq!(
            inner("rustup", "run stable cargo build"),
            Some(Inner::Words(lits("cargo build")))
        );
        assert_eq!(
            inner("conda", "run -n base --cwd /tmp python x.py"),
            Some(Inner::Words(lits("python x.py")))
        );
        assert_eq!(
            inner("mise", "exec node@20 python@3 -- node x.js"),
            Some(Inner::Words(lits("node x.js")))
        );
        assert_eq!(
            inner("nix", "develop .#dev --command make test"),
            Some(Inner::Words(lits("make test")))
        );
        assert_eq!(inner("nix", "build .#x"), Some(Inner::Words(Vec::new())));
        assert_eq!(
            unwrap(
                "nix-shell",
                &[Word::Lit("--run".into()), Word::Lit("make test".into())]
            )
            .map(|u| u.inner),
            Some(Inner::Script("make test".into()))
        );
        assert_eq!(
            inner("nix-shell", "-p hello shell.nix"),
            Some(Inner::Words(Vec::new()))
        );
    }
}
