//! Program knowledge, interpreters: which programs run code (`python3.11` is python),
//! and where the code they run comes from — `python -c CODE`, `node -e CODE`, awk's
//! program operand, `python -m timeit STATEMENT`, or standard input.
//!
//! A row per language: its names (a version after one is the same program), the
//! options whose value is code, and the other options that take a value. What the code
//! itself runs is read by `interp`; this module only finds the code.

use super::{Action, Input, Options, Program, is_stdin_path};
use crate::command::Word;

/// The interpreters, as rows.
pub const ROWS: &[Program] = &[
    Program {
        names: &["python", "pypy"],
        options: Options {
            command: &["-c"],
            long: &["-W", "-X", "-Q", "--check-hash-based-pycs"],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Python),
        ..INTERPRETER
    },
    Program {
        names: &["node", "nodejs", "deno", "bun"],
        options: Options {
            // `deno eval CODE` (for node, a script file named `eval`: read as code too).
            command: &["-e", "--eval", "-p", "--print", "eval"],
            long: &[
                "-r",
                "--require",
                "--import",
                "--loader",
                "--input-type",
                "-C",
                "--conditions",
                "--env-file",
            ],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Node),
        ..INTERPRETER
    },
    Program {
        names: &["perl"],
        options: Options {
            command: &["-e", "-E"],
            long: &["-I", "-M", "-m", "-x", "-C", "-d"],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Perl),
        ..INTERPRETER
    },
    // irb reads Ruby from stdin; erb's `<% … %>` tags are Ruby too.
    Program {
        names: &["irb", "erb"],
        options: Options {
            long: &["-I", "-r", "-T", "-E"],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Ruby),
        ..INTERPRETER
    },
    Program {
        names: &["ruby"],
        options: Options {
            command: &["-e"],
            long: &["-I", "-r", "-C", "-E", "-x"],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Ruby),
        ..INTERPRETER
    },
    Program {
        names: &["awk", "gawk", "mawk", "nawk", "busybox-awk"],
        options: Options {
            command: &["-e", "--source"],
            long: &[
                "-F",
                "-v",
                "-f",
                "-i",
                "-l",
                "--field-separator",
                "--assign",
            ],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Awk),
        ..INTERPRETER
    },
    Program {
        names: &["php"],
        options: Options {
            command: &["-r"],
            long: &["-d", "-c", "-z"],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Php),
        ..INTERPRETER
    },
    Program {
        names: &["lua", "luajit"],
        options: Options {
            command: &["-e"],
            long: &["-l"],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Lua),
        ..INTERPRETER
    },
    Program {
        names: &["Rscript", "R"],
        options: Options {
            command: &["-e"],
            long: &["--file"],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::R),
        ..INTERPRETER
    },
    // expect's `-c` commands (tclsh has none: a file, or stdin).
    Program {
        names: &["tclsh", "wish", "jimsh", "expect"],
        options: Options {
            command: &["-c"],
            long: &["-f"],
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Tcl),
        ..INTERPRETER
    },
    // `emacs --batch --eval '(shell-command "…")'`.
    Program {
        names: &["emacs"],
        options: Options {
            command: &["--eval", "-eval", "--execute", "-execute"],
            long: &[
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
            ..Options::NONE
        },
        action: Action::Interpreter(Lang::Elisp),
        ..INTERPRETER
    },
];

/// What an interpreter row leaves out: a version after its name is the same program,
/// and it runs standard input as code when given none otherwise.
const INTERPRETER: Program = Program {
    versioned: true,
    stdin: Input::Script,
    ..Program::DEFAULT
};

/// The language an interpreter runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Python (`python`, `pypy`).
    Python,
    /// JavaScript (`node`, `deno`, `bun`).
    Node,
    /// Perl.
    Perl,
    /// Ruby.
    Ruby,
    /// awk: the first operand is the program.
    Awk,
    /// PHP.
    Php,
    /// Lua.
    Lua,
    /// R (`Rscript`, `R`).
    R,
    /// Tcl (`tclsh`, `expect`): its commands are read too (`exec rm …`).
    Tcl,
    /// Emacs Lisp (`emacs --eval`): emacs alone reads no code from stdin.
    Elisp,
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

/// The language of an interpreter, by its name (`python3.11` is python), if it is one.
pub fn interpreter(base: &str) -> Option<Lang> {
    match super::lookup(base).action {
        Action::Interpreter(lang) => Some(lang),
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
pub fn interpreter_code(lang: Lang, o: &Options, args: &[Word]) -> Code {
    // Options whose value is code, and the other options that take a value.
    let (inline, valued) = (o.command, o.long);
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
            if lang == Lang::Awk && text == "-f" {
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
                if lang == Lang::Python && args.get(i + 1).and_then(Word::lit) == Some("timeit") {
                    return timeit_code(args.get(i + 2..).unwrap_or_default());
                }
                // `python -m pdb -c CMD …`: pdb runs each command, Python statements
                // included (`import os; os.system(…)`).
                if lang == Lang::Python && args.get(i + 1).and_then(Word::lit) == Some("pdb") {
                    let rest = args.get(i + 2..).unwrap_or_default();
                    let commands: Vec<&Word> = rest
                        .windows(2)
                        .filter(|p| {
                            matches!(p.first().and_then(Word::lit), Some("-c" | "--command"))
                        })
                        .filter_map(|p| p.get(1))
                        .collect();
                    return match commands.as_slice() {
                        [] => Code::None,
                        words => match words.iter().map(|w| w.lit()).collect::<Option<Vec<_>>>() {
                            Some(texts) => Code::Inline(Word::Lit(texts.join("\n"))),
                            None => Code::Inline(Word::unknown("pdb -c", false)),
                        },
                    };
                }
                return Code::None;
            }
            i += 1;
            continue;
        }
        // The first operand: awk's program; for the others a script file.
        return if lang == Lang::Awk {
            Code::Inline(w.clone())
        } else {
            Code::None
        };
    }
    match lang {
        Lang::Awk => args.get(i).map_or(Code::None, |w| Code::Inline(w.clone())),
        // emacs reads no code from stdin: alone, it is an editor.
        Lang::Elisp => Code::None,
        _ if args.get(i).is_some() => Code::None,
        _ => Code::Stdin,
    }
}

/// A command-line module that turns the interpreter into a file utility: Ruby's `un`
/// (`ruby -run -e rm -- -rf DIR`: `rm`, `mv`, `cp`, `ln`, `mkdir`, `rmdir`, `install`,
/// `chmod`, `touch`) and Perl's `ExtUtils::Command` (`perl -MExtUtils::Command -e rm_rf
/// DIR`: `rm_rf`, `rm_f`, `mv`, `cp`, `touch`, `mkpath`, `cat`, `chmod`). The argv of
/// the utility it runs, with the words after the function name as its arguments.
pub fn module_command(lang: Lang, args: &[Word]) -> Option<Vec<Word>> {
    let lits: Vec<Option<&str>> = args.iter().map(Word::lit).collect();
    let loads = |module: &str, flag: &str| {
        lits.iter().enumerate().any(|(k, w)| {
            w.is_some_and(|t| t == format!("{flag}{module}"))
                || (*w == Some(flag) && lits.get(k + 1).copied().flatten() == Some(module))
        })
    };
    let e = lits.iter().position(|w| *w == Some("-e"))?;
    let function = lits.get(e + 1).copied().flatten()?;
    let rest = args.get(e + 2..).unwrap_or_default();
    let program: &[&str] = match lang {
        Lang::Ruby if loads("un", "-r") => match function {
            "rm" | "mv" | "cp" | "ln" | "mkdir" | "rmdir" | "install" | "chmod" | "touch" => {
                &[function][..]
            }
            _ => return None,
        },
        Lang::Perl if loads("ExtUtils::Command", "-M") => match function {
            "rm_rf" => &["rm", "-rf"],
            "rm_f" => &["rm", "-f"],
            "mkpath" => &["mkdir", "-p"],
            "mv" | "cp" | "touch" | "cat" | "chmod" => &[function][..],
            _ => return None,
        },
        _ => return None,
    };
    // Ruby's `un` takes the utility's options after `--`.
    let rest = match rest.first().and_then(Word::lit) {
        Some("--") => rest.get(1..).unwrap_or_default(),
        _ => rest,
    };
    Some(
        program
            .iter()
            .map(|p| Word::Lit((*p).to_string()))
            .chain(rest.iter().cloned())
            .collect(),
    )
}

/// A file an interpreter loads because a variable says so, before the code it is given:
/// `PYTHONSTARTUP=F` (an interactive python runs F), `NODE_OPTIONS='--require F'`
/// (`-r`, `--import`, `--loader`), `RUBYOPT=-rF` (a path, not a library name). Each as
/// (the interpreter, the file).
pub fn startup_files(name: &str, value: &str) -> Vec<(&'static str, String)> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let mut out = Vec::new();
    match name {
        "PYTHONSTARTUP" if !value.is_empty() => out.push(("python3", value.to_string())),
        "NODE_OPTIONS" => {
            let mut it = words.iter();
            while let Some(w) = it.next() {
                let (option, glued) = match w.split_once('=') {
                    Some((o, v)) => (o, Some(v)),
                    None => (*w, None),
                };
                if matches!(
                    option,
                    "-r" | "--require" | "--import" | "--loader" | "--experimental-loader"
                ) && let Some(file) = glued.or_else(|| it.next().copied())
                {
                    out.push(("node", file.to_string()));
                }
            }
        }
        "RUBYOPT" => {
            let mut it = words.iter();
            while let Some(w) = it.next() {
                let file = match w.strip_prefix("-r") {
                    Some("") => it.next().copied(),
                    Some(glued) => Some(glued),
                    None => None,
                };
                if let Some(file) = file.filter(|f| f.contains('/') || f.ends_with(".rb")) {
                    out.push(("ruby", file.to_string()));
                }
            }
        }
        _ => {}
    }
    out
}

/// Perl modules `PERL5OPT` loads (`-MFoo::Bar`, `-mFoo=x`): their file names
/// (`Bar.pm`), to look for among the files the script wrote.
pub fn perl5opt_modules(value: &str) -> Vec<String> {
    value
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("-M").or_else(|| w.strip_prefix("-m")))
        .map(|m| m.split(['=', ' ']).next().unwrap_or(m))
        .filter(|m| !m.is_empty())
        .map(|m| format!("{}.pm", m.rsplit("::").next().unwrap_or(m)))
        .collect()
}

/// Python modules code imports by a plain name (`import helper`, `from helper import
/// x`), and the two python imports at start up by itself from its path
/// (`sitecustomize`, `usercustomize`): their file names (`helper.py`), to look for among
/// the files the script wrote.
pub fn python_imports(code: &str) -> Vec<String> {
    let mut out = vec![
        "sitecustomize.py".to_string(),
        "usercustomize.py".to_string(),
    ];
    for statement in code.split(['\n', ';']) {
        let statement = statement.trim_start();
        let names = if let Some(rest) = statement.strip_prefix("import ") {
            rest.split(',').map(str::trim).collect::<Vec<_>>()
        } else if let Some(rest) = statement.strip_prefix("from ") {
            vec![rest.split_whitespace().next().unwrap_or("")]
        } else {
            continue;
        };
        for name in names {
            let module = name.split([' ', '.']).next().unwrap_or("");
            if !module.is_empty()
                && module
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                out.push(format!("{module}.py"));
            }
        }
    }
    out
}

/// The program a script's `#!` line names (`#!/usr/bin/env python3` names `python3`).
pub fn shebang_program(text: &str) -> Option<String> {
    let line = text.lines().next()?.strip_prefix("#!")?;
    let mut parts = line.split_whitespace();
    let first = parts.next()?;
    let prog = first.rsplit('/').next().unwrap_or(first);
    Some(if prog == "env" {
        parts.next()?.to_string()
    } else {
        prog.to_string()
    })
}
