//! Program knowledge, command hooks: options whose value the program runs as a shell
//! command (`tar --to-command=CMD`, `rsync -e CMD`, `man -P CMD`, `zip -TT CMD`), or runs
//! when it is written as a shell escape (`vim -c '!CMD'`, `gdb -ex 'shell CMD'`,
//! `ssh -o ProxyCommand=CMD`).
//!
//! A row per program family; the walk asks [`command_values`] for every command and
//! analyses what it returns as nested scripts. This module only describes programs.

use super::Word;

/// How an option's value becomes a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The value is a shell command line.
    Script,
    /// The value runs when it starts with `exec=` (`tar --checkpoint-action=exec=CMD`).
    ExecPrefix,
    /// An editor command: a command line after `!` (`:!cmd`, `silent !cmd`).
    Bang,
    /// A debugger command: after `shell ` or `!`.
    Shell,
    /// ssh's `-o Key=Value`: the value of ProxyCommand / LocalCommand.
    SshOption,
    /// An output file that is a pipe when it starts with `|` or `!` (`strace -o '|CMD'`).
    PipeFile,
    /// A pager's initial command: a command line after a leading `!` (`less '+!CMD'`).
    LeadingBang,
    /// cargo's `--config KEY=VALUE`: the value of a key cargo runs as a program
    /// (`target.<triple>.runner`, `build.rustc-wrapper`, a linker), a TOML string or array.
    CargoConfig,
}

/// (programs, options taking the command as their value, how).
const HOOKS: [(&[&str], &[&str], Kind); 11] = [
    (
        &["tar", "bsdtar", "gtar"],
        &[
            "--to-command",
            "--use-compress-program",
            "-I",
            "--info-script",
            "--new-volume-script",
            "-F",
            "--rsh-command",
        ],
        Kind::Script,
    ),
    (
        &["tar", "bsdtar", "gtar"],
        &["--checkpoint-action"],
        Kind::ExecPrefix,
    ),
    (&["zip"], &["-TT", "--unzip-command"], Kind::Script),
    // `--rsync-path` runs on the remote end (which may be this machine), as `ssh HOST CMD`.
    (&["rsync"], &["-e", "--rsh", "--rsync-path"], Kind::Script),
    (&["man"], &["-P", "--pager", "-H", "--html"], Kind::Script),
    (
        &["vim", "vi", "nvim", "view", "vimdiff", "gvim", "ex", "rvim"],
        &["-c", "--cmd", "+"],
        Kind::Bang,
    ),
    (
        &["gdb", "gdb-multiarch", "cgdb"],
        &[
            "-ex",
            "--ex",
            "-eval-command",
            "--eval-command",
            "-iex",
            "--init-eval-command",
        ],
        Kind::Shell,
    ),
    (&["ssh", "scp", "sftp", "autossh"], &["-o"], Kind::SshOption),
    (&["strace"], &["-o", "--output"], Kind::PipeFile),
    (&["less", "more", "most"], &["+"], Kind::LeadingBang),
    (&["cargo"], &["--config"], Kind::CargoConfig),
];

/// The commands the options of `base` make it run: literal script text, or the word
/// when its value is only known at run time.
pub fn command_values(base: &str, args: &[Word]) -> Vec<Word> {
    let mut out = Vec::new();
    for (programs, options, kind) in HOOKS {
        if !programs.contains(&base) {
            continue;
        }
        let mut i = 0;
        while let Some(word) = args.get(i) {
            i += 1;
            let Some(text) = word.lit() else { continue };
            if text == "--" {
                break;
            }
            let value: Option<Word> = options.iter().find_map(|opt| {
                if text == *opt && *opt != "+" {
                    return args.get(i).cloned();
                }
                if let Some(v) = text.strip_prefix(&format!("{opt}=")) {
                    return Some(Word::Lit(v.to_string()));
                }
                // `+CMD` (vim), `-TTcmd` / `-ecmd` glued short options.
                let glued = *opt == "+" || (opt.len() == 2 && !opt.starts_with("--"));
                if glued
                    && text.len() > opt.len()
                    && text.starts_with(opt)
                    && !text.starts_with("--")
                {
                    return Some(Word::Lit(text.get(opt.len()..).unwrap_or("").to_string()));
                }
                None
            });
            let Some(value) = value else { continue };
            let Word::Lit(v) = &value else {
                out.push(value);
                continue;
            };
            if let Some(script) = command_of(kind, v) {
                out.push(Word::Lit(script));
            }
        }
    }
    out
}

/// The shell command a hook value runs, if it runs one.
fn command_of(kind: Kind, value: &str) -> Option<String> {
    let v = value.trim_start();
    match kind {
        Kind::Script => Some(v.to_string()),
        Kind::ExecPrefix => v.strip_prefix("exec=").map(str::to_string),
        Kind::Bang => {
            // `:!cmd`, `silent !cmd`, `execute "!cmd"`, `call system("cmd")`: anything
            // after a `!`, or the string given to system().
            let v = v.trim_start_matches(':');
            if let Some(at) = v.find('!') {
                return Some(v.get(at + 1..).unwrap_or("").to_string());
            }
            v.find("system(").map(|at| {
                v.get(at + 7..)
                    .unwrap_or("")
                    .trim_end_matches(')')
                    .trim_matches(['"', '\''])
                    .to_string()
            })
        }
        Kind::Shell => {
            // gdb's `python CODE` (`py`, `pi`) runs Python: read as `python3 -c CODE`.
            let python = ["python ", "py ", "pi ", "python-interactive "]
                .iter()
                .find_map(|p| v.strip_prefix(p));
            if let Some(code) = python {
                return Some(format!("python3 -c '{}'", code.replace('\'', r"'\''")));
            }
            v.strip_prefix("shell ")
                .or_else(|| v.strip_prefix('!'))
                .map(str::to_string)
        }
        Kind::CargoConfig => {
            let (key, value) = v.split_once('=')?;
            let key = key.trim().to_ascii_lowercase();
            let runs = key.ends_with(".runner")
                || key.ends_with(".linker")
                || matches!(
                    key.as_str(),
                    "build.rustc"
                        | "build.rustdoc"
                        | "build.rustc-wrapper"
                        | "build.rustc-workspace-wrapper"
                );
            if !runs {
                return None;
            }
            // A TOML string (`"cmd args"`, split at blanks as cargo does) or array
            // (`["sh", "-c", "cmd"]`, one word each): the argv, each word quoted.
            let value = value.trim();
            let words: Vec<&str> = match value.strip_prefix('[') {
                Some(array) => array
                    .trim_end_matches(']')
                    .split(',')
                    .map(|w| w.trim().trim_matches(['"', '\'']))
                    .collect(),
                None => value.trim_matches(['"', '\'']).split_whitespace().collect(),
            };
            let quoted: Vec<String> = words
                .iter()
                .filter(|w| !w.is_empty())
                .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
                .collect();
            Some(quoted.join(" "))
        }
        Kind::PipeFile => v
            .strip_prefix('|')
            .or_else(|| v.strip_prefix('!'))
            .map(str::to_string),
        Kind::LeadingBang => v
            .strip_prefix('!')
            .or_else(|| v.strip_prefix(":!"))
            .map(str::to_string),
        Kind::SshOption => {
            let (key, val) = v.split_once(['=', ' '])?;
            matches!(
                key.to_ascii_lowercase().as_str(),
                "proxycommand" | "localcommand" | "knownhostscommand"
            )
            .then(|| val.trim_start_matches(['=', ' ']).to_string())
        }
    }
}

/// What a `sed` script makes sed run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SedRun {
    /// `e COMMAND`: a shell command line.
    Script(String),
    /// `e` alone or the `e` flag of `s///e`: the pattern space (text from the input) is
    /// run as a command.
    PatternSpace,
}

/// The scripts of a `sed` command line: each `-e SCRIPT` / `--expression=SCRIPT`, or the
/// first operand when there is none; `None` in the list for a script only known at run
/// time or read from a file (`-f`).
pub fn sed_scripts(args: &[Word]) -> Vec<Option<String>> {
    let mut scripts = Vec::new();
    let mut first_operand = None;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let Some(w) = word.lit() else {
            if first_operand.is_none() {
                first_operand = Some(None);
            }
            continue;
        };
        match w {
            "-e" | "--expression" => {
                scripts.push(args.get(i).and_then(Word::lit).map(str::to_string));
                i += 1;
            }
            "-f" | "--file" => {
                scripts.push(None);
                i += 1;
            }
            "-l" | "--line-length" => i += 1,
            _ if w.starts_with("--expression=") => {
                scripts.push(w.get(13..).map(str::to_string));
            }
            _ if w.starts_with("--file=") => scripts.push(None),
            _ if w.starts_with('-') && w.len() > 1 && !w.starts_with("--") => {
                // A bundle: `-ne SCRIPT`, `-e…` glued, `-f FILE`.
                let letters: Vec<char> = w.chars().skip(1).collect();
                if let Some(k) = letters.iter().position(|c| matches!(c, 'e' | 'f' | 'l')) {
                    let glued: String = letters.get(k + 1..).unwrap_or(&[]).iter().collect();
                    let value = if glued.is_empty() {
                        i += 1;
                        args.get(i - 1).and_then(Word::lit).map(str::to_string)
                    } else {
                        Some(glued)
                    };
                    match letters.get(k) {
                        Some('e') => scripts.push(value),
                        Some('f') => scripts.push(None),
                        _ => {}
                    }
                }
            }
            _ if w.starts_with('-') => {}
            _ => {
                if first_operand.is_none() {
                    first_operand = Some(Some(w.to_string()));
                }
            }
        }
    }
    if scripts.is_empty()
        && let Some(script) = first_operand
    {
        scripts.push(script);
    }
    scripts
}

/// What a sed script runs (GNU sed's `e` command and the `e` flag of `s`).
pub fn sed_runs(script: &str) -> Vec<SedRun> {
    let mut out = Vec::new();
    // Text of `a\`, `i\`, `c\` continues on the next lines while they end with `\`.
    let mut text_follows = false;
    for line in script.split('\n') {
        if text_follows {
            text_follows = line.ends_with('\\');
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            // Separators, blocks and addresses.
            while chars
                .get(i)
                .is_some_and(|c| matches!(c, ' ' | '\t' | ';' | '{' | '}'))
            {
                i += 1;
            }
            i = skip_sed_address(&chars, i);
            if chars.get(i) == Some(&',') {
                i = skip_sed_address(&chars, i + 1);
            }
            while chars.get(i).is_some_and(|c| matches!(c, ' ' | '\t' | '!')) {
                i += 1;
            }
            let Some(&command) = chars.get(i) else { break };
            i += 1;
            match command {
                'e' => {
                    let rest: String = chars.get(i..).unwrap_or(&[]).iter().collect();
                    let rest = rest.trim();
                    out.push(if rest.is_empty() {
                        SedRun::PatternSpace
                    } else {
                        SedRun::Script(rest.to_string())
                    });
                    break;
                }
                's' | 'y' => {
                    let Some(&delim) = chars.get(i) else { break };
                    i += 1;
                    for _ in 0..2 {
                        while let Some(&c) = chars.get(i) {
                            i += 1;
                            if c == '\\' {
                                i += 1;
                            } else if c == delim {
                                break;
                            }
                        }
                    }
                    let flags: String = chars
                        .get(i..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|c| !matches!(c, ';' | '}'))
                        .collect();
                    i += flags.chars().count();
                    // Flags before `w FILE` only: `w` takes the rest of the line.
                    let flags = flags.split('w').next().unwrap_or("");
                    if command == 's' && flags.contains('e') {
                        out.push(SedRun::PatternSpace);
                    }
                }
                'a' | 'i' | 'c' => {
                    text_follows = line.ends_with('\\');
                    break;
                }
                // Commands whose argument is the rest of the line.
                'r' | 'R' | 'w' | 'W' | ':' | '#' => break,
                // Labels end at `;`.
                'b' | 't' | 'T' => {
                    while chars.get(i).is_some_and(|c| *c != ';') {
                        i += 1;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Skips one sed address (`12`, `$`, `/re/`, `\%re%`, `first~step`) at `i`.
fn skip_sed_address(chars: &[char], mut i: usize) -> usize {
    match chars.get(i) {
        Some(c) if c.is_ascii_digit() => {
            while chars
                .get(i)
                .is_some_and(|c| c.is_ascii_digit() || *c == '~')
            {
                i += 1;
            }
        }
        Some('$') => i += 1,
        Some('/') | Some('\\') => {
            let delim = if chars.get(i) == Some(&'\\') {
                i += 1;
                chars.get(i).copied().unwrap_or('/')
            } else {
                '/'
            };
            i += 1;
            while let Some(&c) = chars.get(i) {
                i += 1;
                if c == '\\' {
                    i += 1;
                } else if c == delim {
                    break;
                }
            }
            // `I` / `M` modifiers.
            while chars.get(i).is_some_and(|c| matches!(c, 'I' | 'M')) {
                i += 1;
            }
        }
        _ => {}
    }
    i
}

/// The recipe lines of makefile text (`make -f -`, `make --eval`): lines starting with a
/// tab, and what follows `;` on a rule line (`all: ; cmd`). make runs each with the
/// shell, `$$` standing for `$`.
pub fn makefile_recipes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
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
                    .is_some_and(|f| f == "-" || super::wrappers::is_stdin_path(f));
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
                stdin |= f == "-" || super::wrappers::is_stdin_path(f);
            }
            _ if w.starts_with("--file=") || w.starts_with("--makefile=") => {
                let f = w.split_once('=').map_or("", |(_, v)| v);
                stdin |= f == "-" || super::wrappers::is_stdin_path(f);
            }
            _ => {}
        }
    }
    (evals, stdin)
}

/// Line-oriented tools with a shell escape, reading commands from stdin (or `-e`):
/// `ed` (`!cmd`, `r !cmd`, `w !cmd`), `ex` / `vim -e[s]` (`:!cmd`, `silent !cmd`), and
/// `dc` (`!cmd`, except the comparisons `!=`, `!<`, `!>`). The command lines they run;
/// `None` when `base` is not one of them or reads no script we can see.
pub fn line_escapes(base: &str, args: &[Word], stdin: Option<&str>) -> Option<Vec<String>> {
    let reads_commands = match base {
        "ed" => true,
        "ex" => true,
        "vim" | "vi" | "nvim" => args.iter().any(|w| {
            w.lit().is_some_and(|t| {
                t.starts_with('-') && !t.starts_with("--") && t.contains(['e', 'E']) && t.len() <= 4
            })
        }),
        "dc" => true,
        _ => false,
    };
    if !reads_commands {
        return None;
    }
    let mut texts: Vec<String> = Vec::new();
    if base == "dc" {
        let mut i = 0;
        while let Some(w) = args.get(i) {
            i += 1;
            match w.lit() {
                Some("-e" | "--expression") => {
                    texts.extend(args.get(i).and_then(Word::lit).map(str::to_string));
                    i += 1;
                }
                Some(t) if t.starts_with("--expression=") => {
                    texts.push(t.get(13..).unwrap_or("").to_string())
                }
                _ => {}
            }
        }
    }
    texts.extend(stdin.map(str::to_string));
    let mut out = Vec::new();
    for text in texts {
        for line in text.lines() {
            let line = line.trim();
            let command = if base == "dc" {
                line.match_indices('!')
                    .find(|(at, _)| {
                        !line
                            .get(at + 1..)
                            .is_some_and(|r| r.starts_with(['=', '<', '>']))
                    })
                    .map(|(at, _)| line.get(at + 1..).unwrap_or(""))
            } else if base == "ed" {
                // `!cmd`, or an address and r/w/e/W followed by `!cmd`.
                let rest =
                    line.trim_start_matches(|c: char| c.is_ascii_digit() || ",.$;+-'".contains(c));
                rest.strip_prefix('!').or_else(|| {
                    rest.strip_prefix(['r', 'w', 'e', 'W', 'E'])
                        .map(str::trim_start)
                        .and_then(|r| r.strip_prefix('!'))
                })
            } else {
                line.find('!').map(|at| line.get(at + 1..).unwrap_or(""))
            };
            if let Some(command) = command.map(str::trim).filter(|c| !c.is_empty()) {
                out.push(command.to_string());
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &[&str]) -> Vec<Word> {
        s.iter().map(|w| Word::Lit((*w).into())).collect()
    }

    #[test]
    fn hook_options_give_their_commands() {
        let v = command_values("tar", &lits(&["xf", "a.tar", "--to-command=rm -rf /"]));
        assert_eq!(v, lits(&["rm -rf /"]));
        let v = command_values(
            "tar",
            &lits(&["cf", "x", "--checkpoint-action=exec=id", "."]),
        );
        assert_eq!(v, lits(&["id"]));
        let v = command_values("vim", &lits(&["-c", ":!git reset --hard", "+q"]));
        assert_eq!(v, lits(&["git reset --hard"]));
        let v = command_values("gdb", &lits(&["-batch", "-ex", "shell rm -rf ~"]));
        assert_eq!(v, lits(&["rm -rf ~"]));
        let v = command_values("ssh", &lits(&["-oProxyCommand=sh -c x", "h"]));
        assert_eq!(v, lits(&["sh -c x"]));
        assert!(command_values("vim", &lits(&["-c", "set nu", "f"])).is_empty());
        assert!(command_values("tar", &lits(&["czf", "a.tgz", "src"])).is_empty());
    }

    #[test]
    fn sed_e_commands_and_flags() {
        assert_eq!(
            sed_runs("1e rm -rf /"),
            vec![SedRun::Script("rm -rf /".into())]
        );
        assert_eq!(
            sed_runs("/x/,$ e git status"),
            vec![SedRun::Script("git status".into())]
        );
        assert_eq!(sed_runs("s/.*/id/e"), vec![SedRun::PatternSpace]);
        assert_eq!(sed_runs("s/e/E/g; $ e"), vec![SedRun::PatternSpace]);
        assert!(sed_runs("s/foo/bar/g").is_empty());
        assert!(sed_runs("/^#/d; s|a|e|").is_empty());
        assert!(sed_runs("1i\\\nexec me").is_empty());
        assert_eq!(
            sed_scripts(&lits(&["-n", "-e", "1e id", "f"])),
            vec![Some("1e id".into())]
        );
        assert_eq!(
            sed_scripts(&lits(&["-i", "s/a/b/", "f"])),
            vec![Some("s/a/b/".into())]
        );
    }

    #[test]
    fn shell_escapes_of_line_tools() {
        let esc = |b: &str, t: &str| line_escapes(b, &[], Some(t)).unwrap_or_default();
        assert_eq!(esc("ed", "1p\n!rm -rf /\nq"), vec!["rm -rf /".to_string()]);
        assert_eq!(esc("ed", "w !git push -f"), vec!["git push -f".to_string()]);
        assert_eq!(
            esc("ex", ":silent !git reset --hard"),
            vec!["git reset --hard".to_string()]
        );
        assert_eq!(
            esc("dc", "1 2 !=x\n!rm -rf ~"),
            vec!["rm -rf ~".to_string()]
        );
        assert!(esc("ed", ",s/a/b/g\nw\nq").is_empty());
    }

    #[test]
    fn makefile_recipes_are_found() {
        assert_eq!(
            makefile_recipes("all:\n\t@rm -rf $$HOME\nx: y ; git push -f"),
            vec!["rm -rf $HOME".to_string(), "git push -f".to_string()]
        );
    }
}
