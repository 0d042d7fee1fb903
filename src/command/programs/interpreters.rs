//! Program knowledge, interpreters: which programs run code (`python3.11` is python),
//! and where the code they run comes from — `python -c CODE`, `node -e CODE`, awk's
//! program operand, `python -m timeit STATEMENT`, or standard input.
//!
//! What the code itself runs is read by `interp`; this module only finds the code.

use super::is_stdin_path;
use crate::command::Word;

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
