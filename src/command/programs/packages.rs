//! Program knowledge, package managers and build tools: what `npm`, `pnpm`, `yarn`,
//! `npx` and `bun x` run (a package's program, a package script), the recipes `make`
//! runs from makefile text the walk can see (and `$(shell …)` calls in it, `SHELL=`
//! given on its command line), cargo's `--config` runners, APT's and dpkg's hook
//! options, environment runners (`uv run`, `conda run`, `bundle exec`, `nix develop
//! -c`, …), and the package managers that treat their arguments as data.
//!
//! A row per program (or per few that behave alike). This module only describes
//! programs; the walk asks it.

use super::file_tools::Removes;
use super::hooks::{Hook, Kind};
use super::wrappers::{Inner, Operand, Operands, Sub};
use super::{Action, Input, Options, Program, is_stdin_path};
use crate::command::Word;

/// The package managers and build tools, as rows.
pub const ROWS: &[Program] = &[
    Program {
        names: &["npx", "npm", "pnpm", "yarn", "pnpx", "bunx"],
        action: Action::PackageManager,
        stdin: Input::Passed,
        ..Program::DEFAULT
    },
    // Makefile text we can see: `make --eval TEXT`, `make -f -` reading a heredoc, a
    // makefile this script wrote.
    Program {
        names: &["make", "gmake"],
        action: Action::Make,
        stdin: Input::Script,
        ..Program::DEFAULT
    },
    Program {
        names: &["cargo"],
        action: Action::Data,
        removes: Some(Removes::CargoClean),
        hooks: &[Hook {
            options: &["--config"],
            kind: Kind::CargoConfig,
        }],
        ..Program::DEFAULT
    },
    // APT: `-o KEY=VALUE` sets a hook that runs a shell command, `-c FILE` reads
    // settings that may set one.
    Program {
        names: &["apt", "apt-get", "apt-cache", "apt-mark", "aptitude"],
        action: Action::Data,
        hooks: &[
            Hook {
                options: &["-o", "--option"],
                kind: Kind::AptOption,
            },
            Hook {
                options: &["-c", "--config-file"],
                kind: Kind::SettingsFile,
            },
        ],
        ..Program::DEFAULT
    },
    // dpkg's hook options run a shell command around the run, or per status change.
    Program {
        names: &["dpkg"],
        action: Action::Data,
        hooks: &[Hook {
            options: &["--pre-invoke", "--post-invoke", "--status-logger"],
            kind: Kind::Script,
        }],
        ..Program::DEFAULT
    },
    // Packages to install, query or remove: data.
    Program {
        names: &[
            "brew", "pipx", "go", "gem", "dnf", "yum", "pacman", "apk", "snap",
        ],
        action: Action::Data,
        ..Program::DEFAULT
    },
    // pip's `--python PROG` runs PROG (the interpreter whose environment it manages).
    Program {
        names: &["pip", "pip3"],
        action: Action::Data,
        hooks: &[Hook {
            options: &["--python"],
            kind: Kind::Script,
        }],
        ..Program::DEFAULT
    },
];

/// Environment runners: a subcommand runs the command after its options and operands
/// in a project's or tool's environment, as a wrapper does (and what the arguments could
/// run is judged too). Their other subcommands run nothing of their arguments.
pub const ENVIRONMENT_RUNNERS: &[Program] = &[
    // `uv [OPTIONS] run [OPTIONS] [--] CMD…` (uv's global options may come on either
    // side of `run`); `uvx [OPTIONS] PKG ARGS…` runs the package's program.
    Program {
        names: &["uv"],
        options: UV_GLOBAL,
        action: subcommand(&[Sub {
            names: &["run"],
            options: UV_RUN,
            argv_options: &[],
            operands: Operands::After(0),
        }]),
        ..RUNNER
    },
    Program {
        names: &["uvx"],
        options: UV_GLOBAL,
        action: subcommand(&[Sub {
            names: &[],
            options: UV_RUN,
            argv_options: &[],
            operands: Operands::After(0),
        }]),
        ..RUNNER
    },
    // `rustup [+TOOLCHAIN] run [--install] TOOLCHAIN CMD…`.
    Program {
        names: &["rustup"],
        action: subcommand(&[Sub {
            names: &["run"],
            options: Options::NONE,
            argv_options: &[],
            operands: Operands::After(1),
        }]),
        ..RUNNER
    },
    // `poetry [-C DIR] [-P PROJECT] run CMD…`.
    Program {
        names: &["poetry"],
        options: POETRY,
        action: subcommand(&[Sub {
            names: &["run"],
            options: POETRY,
            argv_options: &[],
            operands: Operands::After(0),
        }]),
        ..RUNNER
    },
    // `pipenv [--python VERSION] run CMD…`.
    Program {
        names: &["pipenv"],
        options: PIPENV,
        action: subcommand(&[Sub {
            names: &["run"],
            options: PIPENV,
            argv_options: &[],
            operands: Operands::After(0),
        }]),
        ..RUNNER
    },
    // `conda run [-n ENV | -p PREFIX] [--cwd DIR] CMD…` (mamba, micromamba alike).
    Program {
        names: &["conda", "mamba", "micromamba"],
        action: subcommand(&[Sub {
            names: &["run"],
            options: Options {
                short: "npa",
                long: &["--name", "--prefix", "--cwd", "--arguments"],
                chdir: &["--cwd"],
                ..Options::NONE
            },
            argv_options: &[],
            operands: Operands::After(0),
        }]),
        ..RUNNER
    },
    // `bundle exec [--gemfile=GEMFILE] CMD…`.
    Program {
        names: &["bundle", "bundler"],
        options: Options {
            short: "r",
            long: &["--retry"],
            ..Options::NONE
        },
        action: subcommand(&[Sub {
            names: &["exec"],
            options: Options {
                long: &["--gemfile"],
                ..Options::NONE
            },
            argv_options: &[],
            operands: Operands::After(0),
        }]),
        ..RUNNER
    },
    // `nix-shell [OPTIONS] [FILE] --run|--command SCRIPT`: its operands are Nix files.
    Program {
        names: &["nix-shell"],
        action: subcommand(&[Sub {
            names: &[],
            options: Options {
                short: "IAEp",
                long: &[
                    "--run",
                    "--command",
                    "--attr",
                    "--include",
                    "--keep",
                    "--expr",
                    "--arg",
                    "--argstr",
                    "--option",
                ],
                command: &["--run", "--command"],
                ..Options::NONE
            },
            argv_options: &[],
            operands: Operands::Data,
        }]),
        ..RUNNER
    },
    // `nix develop|shell [OPTIONS] [INSTALLABLE…] --command|-c CMD ARGS…`.
    Program {
        names: &["nix"],
        options: Options {
            long: &[
                "--option",
                "--extra-experimental-features",
                "--experimental-features",
                "--store",
                "--log-format",
            ],
            ..Options::NONE
        },
        action: subcommand(&[Sub {
            names: &["develop", "shell"],
            options: Options {
                short: "fIo",
                long: &[
                    "--file",
                    "--expr",
                    "--profile",
                    "--phase",
                    "--override-input",
                    "--inputs-from",
                    "--include",
                    "--keep",
                    "--unset",
                    "--redirect",
                    "--output-lock-file",
                    "--reference-lock-file",
                    "--option",
                    "--arg",
                    "--argstr",
                ],
                ..Options::NONE
            },
            argv_options: &["-c", "--command"],
            operands: Operands::Data,
        }]),
        ..RUNNER
    },
    // `direnv exec DIR CMD…`: CMD runs with DIR's `.envrc` loaded.
    Program {
        names: &["direnv"],
        action: subcommand(&[Sub {
            names: &["exec"],
            options: Options::NONE,
            argv_options: &[],
            operands: Operands::After(1),
        }]),
        ..RUNNER
    },
    // `mise [-C DIR] exec|x [OPTIONS] [TOOL@VERSION…] -- CMD…` or `-c SCRIPT`.
    Program {
        names: &["mise", "rtx"],
        options: MISE,
        action: subcommand(&[Sub {
            names: &["exec", "x"],
            options: MISE,
            argv_options: &[],
            operands: Operands::AfterDashDash,
        }]),
        ..RUNNER
    },
    // `asdf exec CMD…`.
    Program {
        names: &["asdf"],
        action: subcommand(&[Sub {
            names: &["exec"],
            options: Options::NONE,
            argv_options: &[],
            operands: Operands::After(0),
        }]),
        ..RUNNER
    },
];

/// An environment runner's row: a wrapper whose subcommand runs a command.
const RUNNER: Program = Program {
    stdin: Input::Passed,
    ..Program::DEFAULT
};

/// The action of a runner whose subcommands `subs` run a command.
const fn subcommand(subs: &'static [Sub]) -> Action {
    Action::Wrapper {
        operand: Operand::Subcommand(subs),
        in_this_shell: false,
    }
}

/// uv's global options that take a value (`--directory` changes directory first).
const UV_GLOBAL: Options = Options {
    long: &[
        "--directory",
        "--project",
        "--cache-dir",
        "--config-file",
        "--color",
        "--python-preference",
        "--allow-insecure-host",
    ],
    chdir: &["--directory"],
    ..Options::NONE
};

/// `uv run`'s and `uvx`'s options that take a value (and uv's global ones).
const UV_RUN: Options = Options {
    short: "pwfiPC",
    long: &[
        "--directory",
        "--project",
        "--cache-dir",
        "--config-file",
        "--color",
        "--python-preference",
        "--allow-insecure-host",
        "--python",
        "--with",
        "--with-editable",
        "--with-requirements",
        "--from",
        "--package",
        "--extra",
        "--no-extra",
        "--group",
        "--no-group",
        "--only-group",
        "--env-file",
        "--index",
        "--index-url",
        "--extra-index-url",
        "--default-index",
        "--find-links",
        "--upgrade-package",
        "--reinstall-package",
        "--refresh-package",
        "--config-setting",
        "--no-binary-package",
        "--no-build-package",
        "--index-strategy",
        "--keyring-provider",
        "--resolution",
        "--prerelease",
        "--link-mode",
        "--exclude-newer",
        "--python-platform",
    ],
    chdir: &["--directory"],
    ..Options::NONE
};

/// poetry's options that take a value (`-C DIR` changes directory first).
const POETRY: Options = Options {
    short: "CP",
    long: &["--directory", "--project"],
    chdir: &["-C", "--directory"],
    ..Options::NONE
};

/// pipenv's options that take a value.
const PIPENV: Options = Options {
    long: &["--python", "--pypi-mirror"],
    ..Options::NONE
};

/// mise's options that take a value: `-C DIR` changes directory, `-c SCRIPT` runs.
const MISE: Options = Options {
    short: "CjEc",
    long: &["--cd", "--jobs", "--env", "--command"],
    chdir: &["-C", "--cd"],
    command: &["-c", "--command"],
    ..Options::NONE
};

/// The file that holds a package's scripts.
pub const MANIFEST: &str = "package.json";

/// Package runners: `npx PKG …`, `npm exec|x [--] PKG …`, `pnpm dlx|exec PKG …`,
/// `pnpx`, `yarn dlx|exec PKG …`, `bunx PKG …`, `bun x PKG …`: the package's program
/// and its arguments (`@version` dropped from the name).
pub fn package_run(base: &str, args: &[Word]) -> Option<Vec<Word>> {
    let sub = args.first().and_then(Word::lit);
    let rest = match (base, sub) {
        ("npx" | "pnpx" | "bunx", _) => args,
        ("npm", Some("exec" | "x")) | ("pnpm", Some("dlx" | "exec")) => args.get(1..)?,
        ("yarn", Some("dlx" | "exec")) | ("bun", Some("x")) => args.get(1..)?,
        _ => return None,
    };
    // Options: -y/--yes, -q, --no-install, -p/--package PKG (a package to install, not
    // the program), `--` ends them.
    let mut i = 0;
    while let Some(w) = rest.get(i).and_then(Word::lit) {
        match w {
            "--" => {
                i += 1;
                break;
            }
            "-p" | "--package" | "-w" | "--workspace" | "-c" | "--call" | "--prefix" => i += 2,
            _ if w.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let mut words = rest.get(i..)?.to_vec();
    if let Some(Word::Lit(name)) = words.first_mut() {
        // `rimraf@5`, `@scope/tool@1.2`: the program is the name without the version.
        let cut = name.get(1..).and_then(|t| t.find('@')).map(|at| at + 1);
        if let Some(at) = cut {
            name.truncate(at);
        }
        if let Some(bin) = name.rsplit('/').next().filter(|_| name.starts_with('@')) {
            *name = bin.to_string();
        }
    }
    (!words.is_empty()).then_some(words)
}

/// The package script a command runs: `npm run NAME`, `npm run-script NAME`,
/// `npm test|start|stop|restart`, `yarn [run] NAME`, `pnpm [run] NAME`, `bun run NAME`.
pub fn package_script_name(base: &str, args: &[Word]) -> Option<String> {
    let words: Vec<&str> = args
        .iter()
        .map_while(Word::lit)
        .filter(|w| !w.starts_with('-'))
        .collect();
    let name = match (base, words.as_slice()) {
        ("npm" | "pnpm" | "yarn" | "bun", ["run" | "run-script", name, ..]) => *name,
        ("npm" | "pnpm" | "yarn", [name @ ("test" | "start" | "stop" | "restart"), ..]) => *name,
        ("npm" | "bun", _) => return None,
        // `yarn NAME` / `pnpm NAME` run a script of that name when it is not a command.
        ("yarn" | "pnpm", [name, ..])
            if !matches!(
                *name,
                "add"
                    | "install"
                    | "i"
                    | "remove"
                    | "upgrade"
                    | "up"
                    | "why"
                    | "dlx"
                    | "exec"
                    | "create"
                    | "init"
                    | "info"
                    | "list"
                    | "ls"
                    | "link"
                    | "unlink"
                    | "pack"
                    | "publish"
                    | "config"
                    | "cache"
                    | "audit"
                    | "outdated"
                    | "update"
            ) =>
        {
            *name
        }
        _ => return None,
    };
    Some(name.to_string())
}

/// Package scripts a command defines: `npm pkg set scripts.NAME=VALUE …`,
/// `npm set-script NAME VALUE`. (name, value word).
pub fn package_scripts_set(base: &str, args: &[Word]) -> Vec<(String, Word)> {
    if base != "npm" && base != "pnpm" {
        return Vec::new();
    }
    let lits: Vec<Option<&str>> = args.iter().map(Word::lit).collect();
    match lits.as_slice() {
        [Some("pkg"), Some("set"), ..] => args
            .iter()
            .skip(2)
            .filter_map(|w| match w {
                Word::Lit(t) => {
                    let (k, v) = t.split_once('=')?;
                    let name = k.strip_prefix("scripts.")?;
                    Some((name.to_string(), Word::Lit(v.to_string())))
                }
                Word::Unknown { text, .. } => {
                    let (k, _) = text.split_once('=')?;
                    let name = k.trim_matches(['"', '\'']).strip_prefix("scripts.")?;
                    Some((name.to_string(), w.clone()))
                }
                Word::Glob(_) => None,
            })
            .collect(),
        [Some("set-script"), Some(name), ..] => args
            .get(2)
            .map(|v| vec![((*name).to_string(), v.clone())])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The shell script `npm exec -c|--call SCRIPT` (`npx -c`, `pnpm exec -c`) runs: among
/// the words before `--` (after it they are the package program's arguments).
pub fn call_script(args: &[Word]) -> Option<Inner> {
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let Some(text) = word.lit() else { continue };
        if text == "--" {
            break;
        }
        if let Some(script) = text
            .strip_prefix("--call=")
            .or_else(|| text.strip_prefix("-c="))
        {
            return Some(Inner::Script(script.to_string()));
        }
        if text == "--call" || text == "-c" {
            return match args.get(i) {
                Some(Word::Lit(s)) => Some(Inner::Script(s.clone())),
                Some(_) => Some(Inner::Unknown(format!(
                    "`{text}` of a script only known at run time"
                ))),
                None => None,
            };
        }
    }
    None
}

/// The scripts of a `package.json` text.
pub fn package_json_scripts(text: &str) -> Vec<(String, String)> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    json.get("scripts")
        .and_then(serde_json::Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The recipe lines of makefile text (`make -f -`, `make --eval`): lines starting with a
/// tab, and what follows `;` on a rule line (`all: ; cmd`); the commands of `$(shell
/// CMD)` calls anywhere (make expands them while it reads) and of `VAR != CMD`
/// assignments. make runs each with the shell, `$$` standing for `$`.
pub fn makefile_recipes(text: &str) -> Vec<String> {
    let mut out = shell_calls(text);
    for line in text.lines() {
        if !line.starts_with('\t')
            && let Some((name, command)) = line.split_once("!=")
            && !name.contains([':', '#', '('])
        {
            out.push(command.trim().replace("$$", "$"));
            continue;
        }
        if let Some(recipe) = line.strip_prefix('\t') {
            out.push(
                recipe
                    .trim_start_matches(['@', '-', '+'])
                    .replace("$$", "$"),
            );
        } else if let Some((rule, recipe)) = line.split_once(';')
            && rule.contains(':')
            && !rule.trim_start().starts_with('#')
        {
            out.push(
                recipe
                    .trim_start()
                    .trim_start_matches(['@', '-', '+'])
                    .replace("$$", "$"),
            );
        }
    }
    out
}

/// The commands of make's `$(shell CMD)` / `${shell CMD}` calls in `text`.
fn shell_calls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [("$(shell ", ('(', ')')), ("${shell ", ('{', '}'))] {
        let mut from = 0;
        while let Some(at) = text.get(from..).and_then(|t| t.find(open)) {
            let start = from + at + open.len();
            let mut depth = 1usize;
            let mut end = text.len();
            for (k, c) in text.get(start..).unwrap_or("").char_indices() {
                if c == close.0 {
                    depth += 1;
                } else if c == close.1 {
                    depth -= 1;
                    if depth == 0 {
                        end = start + k;
                        break;
                    }
                }
            }
            out.push(text.get(start..end).unwrap_or("").replace("$$", "$"));
            from = end.max(start);
        }
    }
    out
}

/// `make`'s command-line assignments of `SHELL` and `.SHELLFLAGS`: every recipe runs as
/// `SHELL SHELLFLAGS… RECIPE`.
pub fn make_shell(args: &[Word]) -> (Option<Word>, Option<Word>) {
    let mut shell = None;
    let mut flags = None;
    for word in args {
        let text = match word {
            Word::Lit(t) => t.as_str(),
            Word::Unknown { text, .. } => text.as_str(),
            Word::Glob(_) => continue,
        };
        for (name, slot) in [("SHELL", &mut shell), (".SHELLFLAGS", &mut flags)] {
            let value = text
                .strip_prefix(name)
                .map(|r| r.trim_start_matches([':', ':']))
                .and_then(|r| r.strip_prefix('='));
            if let Some(v) = value {
                *slot = Some(match word {
                    Word::Lit(_) => Word::Lit(v.to_string()),
                    other => other.clone(),
                });
            }
        }
    }
    (shell, flags)
}

/// The makefiles `make` reads: each `-f FILE` (else `GNUmakefile`, `makefile`,
/// `Makefile`), and the directory `-C DIR` moves to first.
pub fn make_files(args: &[Word]) -> (Vec<Word>, Option<Word>) {
    let mut files = Vec::new();
    let mut chdir = None;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let Some(w) = word.lit() else { continue };
        match w {
            "-f" | "--file" | "--makefile" => {
                files.extend(args.get(i).cloned());
                i += 1;
            }
            "-C" | "--directory" => {
                chdir = args.get(i).cloned();
                i += 1;
            }
            _ if w.starts_with("-f") && w.len() > 2 => {
                files.push(Word::Lit(w.get(2..).unwrap_or("").to_string()))
            }
            _ if w.starts_with("--file=") || w.starts_with("--makefile=") => {
                files.push(Word::Lit(
                    w.split_once('=').map_or("", |(_, v)| v).to_string(),
                ));
            }
            _ if w.starts_with("-C") && w.len() > 2 => {
                chdir = Some(Word::Lit(w.get(2..).unwrap_or("").to_string()))
            }
            _ => {}
        }
    }
    if files.is_empty() {
        files = ["GNUmakefile", "makefile", "Makefile"]
            .iter()
            .map(|f| Word::Lit((*f).to_string()))
            .collect();
    }
    (files, chdir)
}

/// Where `make` reads makefile text we can see: `--eval TEXT` / `-E TEXT`, and whether
/// it reads a makefile from standard input (`-f -`, `-f /dev/stdin`).
pub fn make_sources(args: &[Word]) -> (Vec<Word>, bool) {
    let mut evals = Vec::new();
    let mut stdin = false;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let Some(w) = word.lit() else { continue };
        match w {
            "--eval" | "-E" => {
                evals.extend(args.get(i).cloned());
                i += 1;
            }
            "-f" | "--file" | "--makefile" => {
                stdin |= args
                    .get(i)
                    .and_then(Word::lit)
                    .is_some_and(|f| f == "-" || is_stdin_path(f));
                i += 1;
            }
            _ if w.starts_with("--eval=") => {
                evals.push(Word::Lit(w.get(7..).unwrap_or("").to_string()))
            }
            _ if w.starts_with("-E") && w.len() > 2 => {
                evals.push(Word::Lit(w.get(2..).unwrap_or("").to_string()));
            }
            _ if w.starts_with("-f") && w.len() > 2 => {
                let f = w.get(2..).unwrap_or("");
                stdin |= f == "-" || is_stdin_path(f);
            }
            _ if w.starts_with("--file=") || w.starts_with("--makefile=") => {
                let f = w.split_once('=').map_or("", |(_, v)| v);
                stdin |= f == "-" || is_stdin_path(f);
            }
            _ => {}
        }
    }
    (evals, stdin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makefile_recipes_are_found() {
        assert_eq!(
            makefile_recipes("all:\n\t@rm -rf $$HOME\nx: y ; git push -f"),
            vec!["rm -rf $HOME".to_string(), "git push -f".to_string()]
        );
    }

    #[test]
    fn makefile_shell_calls_and_shell_assignments() {
        assert_eq!(
            makefile_recipes("X := $(shell rm -rf $$HOME)\nY != git push -f\nZ = ${shell ls (a)}"),
            vec![
                "rm -rf $HOME".to_string(),
                "ls (a)".to_string(),
                "git push -f".to_string()
            ]
        );
        let (shell, flags) = make_shell(&crate::command::programs::lits(
            "SHELL=/bin/rm .SHELLFLAGS=-rf all",
        ));
        assert_eq!(shell, Some(Word::Lit("/bin/rm".into())));
        assert_eq!(flags, Some(Word::Lit("-rf".into())));
    }

    #[test]
    fn npm_call_scripts() {
        let lits = crate::command::programs::lits;
        assert_eq!(
            call_script(&lits("exec --call=ls")),
            Some(Inner::Script("ls".into()))
        );
        assert_eq!(
            call_script(&lits("exec -c ls")),
            Some(Inner::Script("ls".into()))
        );
        assert_eq!(call_script(&lits("test -- -c ls")), None);
        assert_eq!(call_script(&lits("exec -c")), None);
    }
}
