//! Files the script itself writes, then runs: `echo 'cmd' > x.sh; bash x.sh`,
//! `cat <<EOF > hook` then `git commit`, `cp /bin/rm ./ls; ./ls -rf /`.
//!
//! The walk records what each output redirection writes (its literal text when the
//! command prints literal text — `echo`, `printf` without `%`, `cat` of a heredoc — or
//! "unknown") and what `cp`/`mv`/`ln`/`install` copy, keyed by the path as the walk
//! knows it; running such a path later runs that text (or that program). Only paths
//! the walk can name (literal, in a known directory) are tracked; the rest of the
//! filesystem stays out of reach, as script files are.

use std::collections::HashMap;

use super::expand;
use super::walk::join_dir;
use super::{Dir, Word};

/// What the script put at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// This text (a script, when run).
    Text(String),
    /// Text only known at run time.
    Unknown,
    /// A copy of (or link to) this program: running the path runs it.
    Program(String),
}

/// The files a script wrote, by path.
#[derive(Debug, Clone, Default)]
pub struct Files {
    by_path: HashMap<String, Written>,
    /// Something was written into a hooks directory (`.git/hooks/…`, or under a
    /// `core.hooksPath`): git commands afterwards may run it.
    pub hooks: Vec<Written>,
}

/// The key of a literal path in a directory: normalised, relative to the start when
/// relative. A relative path in a directory only known at run time is keyed as written
/// (a write and a run of `x.sh` after `cd "$d"` most likely meet). `None` when the path
/// is not literal.
pub fn key(dir: &Dir, path: &Word) -> Option<String> {
    let text = path.lit()?;
    if text.is_empty() || text.starts_with('~') {
        return None;
    }
    let normal = |p: &str| crate::policy::rule::normalize_path(p);
    match join_dir(dir, text) {
        Dir::Path(p) => Some(normal(&p.display().to_string())),
        _ => Some(format!("?/{}", normal(text))),
    }
}

impl Files {
    /// Records a write (`>` replaces, `>>` appends).
    pub fn write(&mut self, key: String, content: Written, append: bool) {
        let content = match (append, self.by_path.get(&key), content) {
            (true, Some(Written::Text(old)), Written::Text(new)) => {
                Written::Text(old.clone() + &new)
            }
            (true, Some(_), _) => Written::Unknown,
            (_, _, content) => content,
        };
        if key.contains("hooks/") {
            self.hooks.push(content.clone());
        }
        self.by_path.insert(key, content);
    }

    /// Everything written under a directory (a `core.hooksPath`).
    pub fn under(&self, dir: &str) -> Vec<Written> {
        let dir = crate::policy::rule::normalize_path(dir);
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.by_path
            .iter()
            .filter(|(k, _)| {
                k.starts_with(&prefix)
                    || k.strip_prefix("?/").is_some_and(|r| r.starts_with(&prefix))
            })
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Everything the script put at a path whose last component is `name` (what a bare
    /// `name` may run once a directory of the script's is on PATH), with the path.
    pub fn named(&self, name: &str) -> Vec<(String, Written)> {
        let mut out: Vec<(String, Written)> = self
            .by_path
            .iter()
            .filter(|(k, _)| k.rsplit('/').next() == Some(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// What the script put at this path, if it wrote it.
    pub fn get(&self, key: &str) -> Option<&Written> {
        self.by_path.get(key)
    }

    /// `cp SRC DST`, `mv SRC DST`, `ln [-s] SRC DST`, `install SRC DST`: DST now holds
    /// what SRC holds — a tracked file's content, or, for a path that names a program
    /// (`/bin/rm`, `$(command -v rm)` is not literal), that program.
    pub fn copy(&mut self, dir: &Dir, args: &[Word]) {
        let operands: Vec<&Word> = args
            .iter()
            .filter(|w| !w.lit().is_some_and(|t| t.starts_with('-')))
            .collect();
        let [sources @ .., dest] = operands.as_slice() else {
            return;
        };
        for source in sources {
            let content = match key(dir, source).and_then(|k| self.by_path.get(&k).cloned()) {
                Some(c) => c,
                None => match source.lit() {
                    Some(path) if path.starts_with('/') => {
                        let base = path.rsplit('/').next().unwrap_or(path);
                        if base.is_empty() {
                            continue;
                        }
                        Written::Program(base.to_string())
                    }
                    Some(_) => continue,
                    None => Written::Unknown,
                },
            };
            // Into a directory (`cp x.sh bin/`, several sources): DST/NAME.
            let into_dir = sources.len() > 1 || dest.lit().is_some_and(|d| d.ends_with('/'));
            let target = if into_dir {
                match (dest.lit(), source.lit()) {
                    (Some(d), Some(s)) => Word::Lit(format!(
                        "{}/{}",
                        d.trim_end_matches('/'),
                        s.rsplit('/').next().unwrap_or(s)
                    )),
                    _ => continue,
                }
            } else {
                (*dest).clone()
            };
            if let Some(k) = key(dir, &target) {
                self.write(k, content, false);
            }
        }
    }
}

/// What a command prints when that is literal: `echo`/`printf` of literal words (no
/// `%` directives), `cat` (or `cat -`) of a literal stdin, `tee` of a literal stdin.
pub fn literal_output(words: &[Word], stdin_text: Option<&str>, echo: Echo) -> Option<String> {
    let literal: Option<Vec<&str>> = words.iter().map(Word::lit).collect();
    let literal = literal?;
    let (name, rest) = literal.split_first()?;
    match name.rsplit('/').next().unwrap_or(name) {
        "echo" => echo_output(rest, echo),
        "printf" => match rest {
            [format, args @ ..] if !format.starts_with('-') => printf_output(format, args),
            _ => None,
        },
        "cat" | "tee" => {
            let files = rest.iter().filter(|a| !a.starts_with('-') || **a == "-");
            let reads_stdin = name.ends_with("tee") || files.clone().all(|f| *f == "-");
            if reads_stdin {
                stdin_text.map(str::to_string)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What `printf FORMAT ARGS…` prints, for the directives `%%`, `%s`, `%b` and `%d`/`%i`
/// (of a number) without flags or widths; the format is reused while arguments remain,
/// as printf does. `None` for anything else.
fn printf_output(format: &str, args: &[&str]) -> Option<String> {
    let mut out = String::new();
    let mut args = args.iter();
    loop {
        let mut literal = String::new();
        let mut consumed = false;
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                literal.push(c);
                continue;
            }
            let directive = chars.next()?;
            if directive == '%' {
                literal.push_str("%%");
                continue;
            }
            out.push_str(&expand::decode_ansi_c(&literal).replace("%%", "%"));
            literal.clear();
            let arg = args.next().copied();
            consumed |= arg.is_some();
            let arg = arg.unwrap_or("");
            match directive {
                's' => out.push_str(arg),
                'b' => out.push_str(&expand::decode_ansi_c(arg)),
                'd' | 'i' if arg.is_empty() => out.push('0'),
                'd' | 'i'
                    if arg
                        .trim_start_matches('-')
                        .chars()
                        .all(|c| c.is_ascii_digit()) =>
                {
                    out.push_str(arg);
                }
                _ => return None,
            }
        }
        out.push_str(&expand::decode_ansi_c(&literal).replace("%%", "%"));
        if !consumed || args.len() == 0 {
            return Some(out);
        }
    }
}

/// Which `echo` a shell runs: what it does with options and backslashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Echo {
    /// bash's builtin: `-n`/`-e`/`-E` options, backslashes kept unless `-e`.
    #[default]
    Bash,
    /// dash's (`sh` on Debian and Ubuntu): only a first `-n` is an option, and
    /// backslash escapes are always decoded (`\055` is `-`, `\c` ends the output).
    Dash,
    /// A shell whose `echo` may do either (zsh, ksh, busybox, bash under `xpg_echo`): a
    /// backslash makes the output unknown.
    Unknown,
}

/// What `echo ARGS` prints, for literal arguments, as `echo` reads them (see [`Echo`]);
/// `None` when that is not known.
pub fn echo_output(args: &[&str], echo: Echo) -> Option<String> {
    match echo {
        Echo::Bash => Some(bash_echo_output(args)),
        Echo::Dash => Some(dash_echo_output(args)),
        Echo::Unknown if args.iter().any(|a| a.contains('\\')) => None,
        Echo::Unknown => Some(bash_echo_output(args)),
    }
}

/// What bash's `echo ARGS` prints: its leading `-n`/`-e`/`-E` flags read as bash's
/// builtin reads them (`-e` decodes backslash escapes, the last of `-e`/`-E` wins; `-n`
/// drops the newline).
fn bash_echo_output(args: &[&str]) -> String {
    let flags: Vec<&str> = args
        .iter()
        .copied()
        .take_while(|a| {
            a.len() > 1
                && a.starts_with('-')
                && a.chars().skip(1).all(|c| matches!(c, 'n' | 'e' | 'E'))
        })
        .collect();
    let text = args.get(flags.len()..).unwrap_or(&[]).join(" ");
    let decode = flags
        .iter()
        .flat_map(|f| f.chars())
        .rfind(|c| matches!(c, 'e' | 'E'))
        == Some('e');
    let mut newline = !flags.iter().any(|f| f.contains('n'));
    let text = if decode {
        let (text, stopped) = echo_escapes(&text, false);
        newline &= !stopped;
        text
    } else {
        text
    };
    if newline { format!("{text}\n") } else { text }
}

/// What dash's `echo ARGS` prints: a first argument `-n` drops the newline; the rest is
/// decoded (see [`echo_escapes`]).
fn dash_echo_output(args: &[&str]) -> String {
    let (newline, args) = match args.split_first() {
        Some((&"-n", rest)) => (false, rest),
        _ => (true, args),
    };
    let (mut out, stopped) = echo_escapes(&args.join(" "), true);
    if newline && !stopped {
        out.push('\n');
    }
    out
}

/// `echo`'s backslash escapes (bash's under `-e`, dash's always): `\a \b \e \f \n \r
/// \t \v \\` and `\0NNN` (octal, up to three digits after the `0`) in both; bash's
/// also `\E`, `\xHH`, `\uHHHH` and `\UHHHHHHHH`, dash's also `\NNN` (octal from `1`);
/// `\c` ends all output (returned as `true`); any other backslash stays.
fn echo_escapes(text: &str, dash: bool) -> (String, bool) {
    let mut out: Vec<u8> = Vec::with_capacity(text.len() + 1);
    let mut chars = text.chars().peekable();
    let number = |chars: &mut std::iter::Peekable<std::str::Chars>, radix: u32, max: usize| {
        let mut value: u32 = 0;
        let mut digits = 0;
        while digits < max {
            match chars.peek().and_then(|c| c.to_digit(radix)) {
                Some(d) => {
                    value = value.saturating_mul(radix).saturating_add(d);
                    chars.next();
                    digits += 1;
                }
                None => break,
            }
        }
        (value, digits)
    };
    let byte = |v: u32| u8::try_from(v & 0xff).unwrap_or(0);
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some(e) = chars.next() else {
            out.push(b'\\');
            break;
        };
        match e {
            'c' => return (String::from_utf8_lossy(&out).into_owned(), true),
            'a' => out.push(7),
            'b' => out.push(8),
            'e' => out.push(0x1b),
            'E' if !dash => out.push(0x1b),
            'f' => out.push(12),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'v' => out.push(11),
            '\\' => out.push(b'\\'),
            '0' => out.push(byte(number(&mut chars, 8, 3).0)),
            '1'..='7' if dash => {
                let first = e.to_digit(8).unwrap_or(0);
                let (rest, digits) = number(&mut chars, 8, 2);
                out.push(byte(
                    first * 8u32.pow(u32::try_from(digits).unwrap_or(0)) + rest,
                ));
            }
            'x' | 'u' | 'U' if !dash => {
                let max = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                match number(&mut chars, 16, max) {
                    (_, 0) => {
                        out.push(b'\\');
                        out.push(u8::try_from(e).unwrap_or(b'x'));
                    }
                    (v, _) if e == 'x' => out.push(byte(v)),
                    (v, _) => {
                        let c = char::from_u32(v).unwrap_or('\u{fffd}');
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
            other => {
                out.push(b'\\');
                let mut buf = [0u8; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each as dash 0.5.12 prints it (`dash -c 'echo "$@"' _ ARGS`).
    #[test]
    fn dash_echo_decodes_as_dash_does() {
        let dash = |args: &[&str]| echo_output(args, Echo::Dash).unwrap();
        assert_eq!(dash(&["a\\055b"]), "a-b\n");
        assert_eq!(dash(&["a\\55b"]), "a-b\n");
        assert_eq!(dash(&["a\\0101b"]), "aAb\n");
        assert_eq!(dash(&["a\\01234"]), "aS4\n");
        assert_eq!(dash(&["a\\08b"]), "a\u{0}8b\n");
        assert_eq!(dash(&["a\\cb", "c"]), "a");
        assert_eq!(dash(&["x\\\\y", "a\\qb"]), "x\\y a\\qb\n");
        assert_eq!(dash(&["-e", "a\\nb"]), "-e a\nb\n");
        assert_eq!(dash(&["-n", "-n", "x"]), "-n x");
        assert_eq!(dash(&["-nn", "x"]), "-nn x\n");
        assert_eq!(echo_output(&["a\\055"], Echo::Bash).unwrap(), "a\\055\n");
        assert_eq!(echo_output(&["a\\055"], Echo::Unknown), None);
        assert_eq!(echo_output(&["a"], Echo::Unknown).unwrap(), "a\n");
    }

    /// Each as bash 5.2 prints it (`bash -c 'echo -e "$@"' _ ARGS`).
    #[test]
    fn bash_echo_e_decodes_as_bash_does() {
        let bash = |args: &[&str]| echo_output(args, Echo::Bash).unwrap();
        assert_eq!(bash(&["-e", "a\\0055b"]), "a-b\n");
        assert_eq!(bash(&["-e", "a\\055b"]), "a-b\n");
        assert_eq!(bash(&["-e", "a\\101b"]), "a\\101b\n");
        assert_eq!(bash(&["-e", "a\\x41b\\u0041"]), "aAbA\n");
        assert_eq!(bash(&["-e", "a\\cb"]), "a");
        assert_eq!(bash(&["-e", "a\\qb", "a\\'b"]), "a\\qb a\\'b\n");
        assert_eq!(bash(&["-e", "a\\E"]), "a\u{1b}\n");
        assert_eq!(bash(&["-e", "a\\0400b"]), "a\u{0}b\n");
        assert_eq!(bash(&["-ne", "x\\ty"]), "x\ty");
        assert_eq!(bash(&["-eE", "x\\ty"]), "x\\ty\n");
        assert_eq!(echo_output(&["a\\0400b"], Echo::Dash).unwrap(), "a\u{0}b\n");
        assert_eq!(
            echo_output(&["a\\E\\u0041"], Echo::Dash).unwrap(),
            "a\\E\\u0041\n"
        );
    }
}
