//! Shell commands hidden in interpreter one-liners.
//!
//! `python -c "import os; os.system('git push --force')"` runs a shell command that no
//! shell parser sees. We cannot run Python, so we look at its string literals: a literal
//! that reads as a command line is analysed as a script, and a run of adjacent literals in
//! a list (`["git", "push", "--force"]`, as `subprocess.run` takes them) as an argv. The
//! engine treats what is found here as a hint: a deny or request match asks a human.

/// A shell-like string found in interpreter code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    /// A single literal that reads as a command line.
    Script(String),
    /// Adjacent literals in a list: an argv.
    Argv(Vec<String>),
}

/// Extracts the string literals of `code` (single, double, triple and backtick quotes,
/// with backslash escapes) with their byte spans.
fn literals(code: &str) -> Vec<(usize, usize, String)> {
    let bytes: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        if c == '#' && !code.contains("//") {
            // Skip to end of line for comment-like text (Python, Ruby, Perl).
            while bytes.get(i).is_some_and(|&c| c != '\n') {
                i += 1;
            }
            continue;
        }
        if !matches!(c, '\'' | '"' | '`') {
            i += 1;
            continue;
        }
        let triple = bytes.get(i + 1) == Some(&c) && bytes.get(i + 2) == Some(&c);
        let start = i;
        i += if triple { 3 } else { 1 };
        let mut text = String::new();
        let mut closed = false;
        while let Some(&d) = bytes.get(i) {
            if d == '\\' {
                if let Some(&e) = bytes.get(i + 1) {
                    text.push(match e {
                        // A carriage return ends a line typed to a shell (`send "…\r"`).
                        'n' | 'r' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
                i += 2;
                continue;
            }
            if d == c && (!triple || (bytes.get(i + 1) == Some(&c) && bytes.get(i + 2) == Some(&c)))
            {
                i += if triple { 3 } else { 1 };
                closed = true;
                break;
            }
            text.push(d);
            i += 1;
        }
        if closed {
            out.push((start, i, text));
        }
    }
    out
}

/// Whether a literal plausibly is a command line: it starts with a program-like word.
fn reads_as_command(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    !first.is_empty()
        && first
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | '+'))
        && first.chars().any(|c| c.is_ascii_alphabetic())
}

/// Functions and statements that only print their argument: a string literal that is
/// their first argument is output, not a command (`print("git reset --hard")`).
const PRINTERS: [&str; 22] = [
    "print",
    "println",
    "println!",
    "printf",
    "puts",
    "echo",
    "say",
    "console.log",
    "console.error",
    "console.warn",
    "console.info",
    "console.debug",
    "System.out.println",
    "System.out.print",
    "sys.stdout.write",
    "sys.stderr.write",
    "process.stdout.write",
    "process.stderr.write",
    "logging.info",
    "logging.warning",
    "logging.error",
    "cat",
];

/// Whether the literal that follows `before` is the first argument of a printer:
/// `print(`, `print "`, `console.log(`, with an optional string prefix (`f"…"`).
fn printed(before: &str) -> bool {
    let b = before.trim_end();
    // Python's string prefixes glued to the quote (`f"…"`, `rb'…'`).
    let b = match b
        .char_indices()
        .rev()
        .take(2)
        .take_while(|(_, c)| "fFrRbBuU".contains(*c))
        .last()
    {
        Some((k, _))
            if b.get(..k)
                .is_some_and(|head| head.ends_with(['(', ' ', '\t'])) =>
        {
            b.get(..k).unwrap_or(b).trim_end()
        }
        _ => b,
    };
    let b = b.strip_suffix('(').map_or(b, str::trim_end);
    PRINTERS.iter().any(|p| {
        b.strip_suffix(p).is_some_and(|head| {
            !head
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '$'))
        })
    })
}

/// Shell-like strings in interpreter code.
pub fn shell_like_strings(code: &str) -> Vec<Candidate> {
    let chars: Vec<char> = code.chars().collect();
    let between = |a: usize, b: usize| -> String {
        chars
            .get(a..b)
            .map(|c| c.iter().collect())
            .unwrap_or_default()
    };
    // Adjacent literals joined by nothing, `+` or `.` are one string (`"git re" + "set"`).
    let mut pieces: Vec<(usize, usize, String)> = Vec::new();
    for (start, end, text) in literals(code) {
        if let Some(last) = pieces.last_mut() {
            let gap = between(last.1, start);
            let gap = gap.trim();
            if gap.is_empty() || gap == "+" || gap == "." {
                last.1 = end;
                last.2.push_str(&text);
                continue;
            }
        }
        pieces.push((start, end, text));
    }
    // A quoted literal printed as data (backquotes run commands in Perl, Ruby and PHP, so
    // they never count as printed).
    // SECURITY: printed text is data only while nothing feeds output to a process
    // (awk's `print … | "sh"`, Perl's `open(F, "| sh")`, a `popen`, a child's stdin).
    let may_pipe = ["|", "popen", "stdin", "spawn", "exec", "pipe", "open"]
        .iter()
        .any(|m| code.to_ascii_lowercase().contains(m));
    let is_printed = |start: usize| {
        !may_pipe
            && chars.get(start).is_some_and(|q| *q != '`')
            && printed(&between(start.saturating_sub(64), start))
    };
    let mut out = Vec::new();
    let mut group: Vec<String> = Vec::new();
    let mut group_printed = false;
    let mut prev_end: Option<usize> = None;
    for (start, end, text) in &pieces {
        // Literals in one list (`["git", "push"]`, `'git', ['reset', '--hard']`) are an argv.
        let joined = prev_end.is_some_and(|p| {
            let gap = between(p, *start);
            let bare: String = gap.chars().filter(|c| !c.is_whitespace()).collect();
            (gap.contains(',')
                && gap
                    .chars()
                    .all(|c| c.is_whitespace() || matches!(c, ',' | '[' | ']')))
                // Deno's `new Deno.Command("git", { args: ["reset", "--hard"] })`.
                || bare == ",{args:["
        });
        if !joined && group.len() > 1 && !group_printed {
            push_argv(&mut out, std::mem::take(&mut group));
        }
        let printed_here = is_printed(*start);
        if !joined {
            group.clear();
            // `print(["git", "reset"])`: a printed list.
            let bracket = between(prev_end.unwrap_or(0).max(start.saturating_sub(64)), *start);
            group_printed = printed_here
                || (bracket.trim_end().ends_with('[')
                    && printed(bracket.trim_end().trim_end_matches('[')));
        }
        group.push(text.clone());
        if reads_as_command(text) && !printed_here {
            // `"rm -rf " + path`: what the code appends is only known at run time, a
            // word (or the rest of one) bash cannot know either.
            let appended = between(*end, (*end + 8).min(chars.len()));
            let appended = appended.trim_start();
            if appended.starts_with('+') || appended.starts_with(". ") {
                out.push(Candidate::Script(format!("{text}${{INTERPRETER_VALUE}}")));
            } else {
                out.push(Candidate::Script(text.clone()));
            }
        }
        prev_end = Some(*end);
    }
    if group.len() > 1 && !group_printed {
        push_argv(&mut out, group);
    }
    out.extend(perl_quotes(&chars));
    out.extend(ruby_percent_literals(&chars));
    out
}

/// A list of literals as an argv; `os.spawnlp(mode, "git", "git", "push")` and
/// `execlp("git", "git", …)` name the program, then give its argv\[0\]: read from the
/// second as well.
fn push_argv(out: &mut Vec<Candidate>, group: Vec<String>) {
    if group.len() > 2 && group.first() == group.get(1) {
        out.push(Candidate::Argv(group.get(1..).unwrap_or_default().to_vec()));
    }
    out.push(Candidate::Argv(group));
}

/// Library calls that delete a directory tree, with no command string to read
/// (`shutil.rmtree(p)`, `fs.rmSync(p, {recursive: true})`, `FileUtils.rm_rf(p)`,
/// `os.RemoveAll(p)`, `remove_dir_all(p)`): each as the argv `rm -rf PATH`, where PATH
/// is the first argument when it is a string literal, `~` for the home directory
/// (`Path.home()`, `os.homedir()`, `expanduser("~")`), `.` for the working directory
/// (`os.getcwd()`, `process.cwd()`, `Dir.pwd`); a variable is not followed.
pub fn tree_deletions(code: &str) -> Vec<Candidate> {
    static CALL: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?:shutil\.rmtree|\brmtree|\.rmSync|\.rmdirSync|\bfs\.rm|\.promises\.rm|fsPromises\.rm|\brimraf(?:\.sync)?|FileUtils\.rm_rf|FileUtils\.rm_r|FileUtils\.remove_dir|FileUtils\.remove_entry(?:_secure)?|os\.RemoveAll|remove_dir_all|File::Path::remove_tree|\bremove_tree|\bunlink_r|Deno\.removeSync|Deno\.remove|\bunlink)(?:\s*\(\s*|[ \t]+)(?:['"`]([^'"`]*)['"`]|([^,;\n]*))"#,
        )
        .ok()
    });
    let Some(call) = CALL.as_ref() else {
        return Vec::new();
    };
    // `fs.rm` only deletes a tree with `recursive: true`.
    let node_recursive = code.contains("recursive");
    let mut out = Vec::new();
    for m in call.captures_iter(code) {
        let Some(all) = m.get(0) else {
            continue;
        };
        // Node's `fs.rm*`, Deno's `Deno.remove*` and R's `unlink` delete a tree only with
        // `recursive` (`{recursive: true}`, `recursive=TRUE`); `unlink` elsewhere is one file.
        let node = [
            "rmSync",
            "rmdirSync",
            "fs.rm",
            "promises.rm",
            "Promises.rm",
            "Deno.remove",
        ]
        .iter()
        .any(|n| all.as_str().contains(n))
            || (all.as_str().starts_with("unlink") && !all.as_str().starts_with("unlink_r"));
        if node && !node_recursive {
            continue;
        }
        let arg = m.get(2).map_or("", |a| a.as_str().trim());
        // A literal wrapped in a one-argument constructor (`Path(".git")`,
        // `Pathname.new("x")`, `path.resolve("x")`) is that path.
        static WRAPPED: std::sync::LazyLock<Option<regex::Regex>> =
            std::sync::LazyLock::new(|| {
                regex::Regex::new(r#"^[\w.:]+\(\s*['"]([^'"]*)['"]\s*\)*$"#).ok()
            });
        let wrapped = WRAPPED
            .as_ref()
            .and_then(|w| w.captures(arg))
            .and_then(|c| c.get(1))
            .map(|l| l.as_str().to_string());
        let path = if let Some(lit) = m.get(1) {
            lit.as_str().to_string()
        } else if let Some(lit) = wrapped {
            lit
        } else if [
            "home()",
            "homedir()",
            "expanduser(",
            "HOME",
            "Dir.home",
            "home_dir",
        ]
        .iter()
        .any(|h| arg.contains(h))
        {
            "~".to_string()
        } else if ["getcwd()", "cwd()", "Dir.pwd", "current_dir"]
            .iter()
            .any(|h| arg.contains(h))
        {
            ".".to_string()
        } else {
            // A variable: only known at run time, and most often a build directory.
            continue;
        };
        out.push(Candidate::Argv(vec!["rm".into(), "-rf".into(), path]));
    }
    // Emacs Lisp: `(delete-directory "DIR" t)` deletes the tree (`t`: recursive).
    static LISP: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\(\s*delete-directory\s+"([^"]*)"\s+'?t\b"#).ok()
    });
    if let Some(lisp) = LISP.as_ref() {
        for m in lisp.captures_iter(code) {
            if let Some(path) = m.get(1) {
                out.push(Candidate::Argv(vec![
                    "rm".into(),
                    "-rf".into(),
                    path.as_str().to_string(),
                ]));
            }
        }
    }
    out
}

/// Library calls that delete one file, given as a string literal (`os.remove('x')`,
/// `Path('x').unlink()`, `fs.unlinkSync('x')`, `unlink "x"`, `File.delete("x")`,
/// `os.Remove("x")`, `fs::remove_file("x")`): each as the argv `rm -f PATH`, so the path
/// rules judge what they delete (a tracked file with uncommitted changes, a startup
/// file). A variable is not followed.
pub fn file_deletions(code: &str) -> Vec<Candidate> {
    static CALLS: std::sync::LazyLock<Vec<regex::Regex>> = std::sync::LazyLock::new(|| {
        [
            r#"(?:\bos\.remove|\bos\.unlink|\.unlinkSync|\bfs\.unlink|\.promises\.unlink|\.rmSync|\bunlink|\bFile\.delete|\bFile\.unlink|\bFileUtils\.rm(?:_f)?\b|\bFileUtils\.remove_file|\bos\.Remove|\bremove_file|\bfile\.remove|\bDeno\.removeSync|\bDeno\.remove)(?:\s*\(\s*|[ \t]+)['"`]([^'"`]*)['"`]"#,
            r#"\bPath\(\s*['"]([^'"]*)['"]\s*\)\s*\.unlink\("#,
        ]
        .iter()
        .filter_map(|r| regex::Regex::new(r).ok())
        .collect()
    });
    CALLS
        .iter()
        .flat_map(|call| call.captures_iter(code))
        .filter_map(|m| m.get(1))
        .map(|path| Candidate::Argv(vec!["rm".into(), "-f".into(), path.as_str().to_string()]))
        .collect()
}

/// Tcl and expect run programs with bare words, not strings: `exec rm -rf x`,
/// `spawn git push`, `[exec …]`. Each such command (up to `]`, `;`, `}` or the end of
/// the line) as a shell command line, Tcl's `{…}` grouping read as single quotes.
/// Whether the Tcl word at byte `at` of `code` starts a command: at the start, after a
/// line end, `[`, `;` or `{` (blanks between).
fn tcl_starts_command(code: &str, at: usize) -> bool {
    code.get(..at)
        .unwrap_or("")
        .trim_end_matches([' ', '\t'])
        .chars()
        .next_back()
        .is_none_or(|c| matches!(c, '\n' | '[' | ';' | '{'))
}

/// Tcl's file commands as the programs that do the same: `file delete [-force] P…` as
/// `rm [-rf] P…`, `file rename|copy S D` as `mv|cp S D`, `open P` (read) as `cat P`,
/// `open P w|a|…` as `tee -a P`. A word is a bare word, a braced or quoted literal, or
/// one starting with `~` or `$env(HOME)` (the home directory); a word with another
/// substitution ends the command's reading (it is not known).
pub fn tcl_file_commands(code: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(['f', 'o']) {
        let rest = code.get(at..).unwrap_or("");
        if !tcl_starts_command(code, at)
            || !(rest.starts_with("file ") || rest.starts_with("open "))
        {
            continue;
        }
        let line: String = rest
            .chars()
            .take_while(|c| !matches!(c, ']' | ';' | '\n'))
            .collect();
        let mut words = Vec::new();
        for raw in line.split_whitespace() {
            let w = raw.trim_matches(['{', '}', '"']);
            let w = w
                .strip_prefix("$env(HOME)")
                .or_else(|| w.strip_prefix("$::env(HOME)"))
                .map_or_else(|| w.to_string(), |r| format!("~{r}"));
            if w.contains(['$', '[']) {
                break;
            }
            words.push(w);
        }
        let argv: Vec<String> = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["file", "delete", ref paths @ ..] => {
                let force = paths.first() == Some(&"-force");
                let paths = paths.iter().filter(|p| !p.starts_with('-') || **p == "--");
                let flag = if force { "-rf" } else { "-f" };
                ["rm", flag]
                    .into_iter()
                    .chain(paths.filter(|p| **p != "--").copied())
                    .map(str::to_string)
                    .collect()
            }
            ["file", verb @ ("rename" | "copy"), ref paths @ ..] => {
                let program = if verb == "rename" { "mv" } else { "cp" };
                std::iter::once(program)
                    .chain(paths.iter().copied().filter(|p| !p.starts_with('-')))
                    .map(str::to_string)
                    .collect()
            }
            ["open", path] => vec!["cat".into(), path.to_string()],
            ["open", path, mode, ..]
                if mode.contains(['w', 'a', '+']) || mode.contains("WRONLY") =>
            {
                vec!["tee".into(), "-a".into(), path.to_string()]
            }
            ["open", path, ..] => vec!["cat".into(), path.to_string()],
            _ => continue,
        };
        if argv.len() > 1 {
            out.push(Candidate::Argv(argv));
        }
    }
    out
}

pub fn tcl_commands(code: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    for keyword in ["exec", "spawn", "system"] {
        for (at, _) in code.match_indices(keyword) {
            let after = code.get(at + keyword.len()..).unwrap_or("");
            if !tcl_starts_command(code, at) || !after.starts_with([' ', '\t']) {
                continue;
            }
            let mut depth = 0usize;
            let mut line = String::new();
            for c in after.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        line.push('\'');
                    }
                    '}' if depth > 0 => {
                        depth -= 1;
                        line.push('\'');
                    }
                    ']' | ';' | '}' | '\n' if depth == 0 => break,
                    c => line.push(c),
                }
            }
            // `exec -ignorestderr -- cmd`: exec's own switches.
            let words: Vec<&str> = line.split_whitespace().collect();
            let skip = words
                .iter()
                .take_while(|w| w.starts_with('-') && keyword == "exec")
                .count();
            let command = words.get(skip..).unwrap_or(&[]).join(" ");
            if reads_as_command(&command) {
                out.push(Candidate::Script(command));
            }
        }
    }
    out
}

/// Perl's quote operators: `q{…}`, `qq(…)`, `qx[…]` (strings) and `qw(…)` (a word list).
fn perl_quotes(chars: &[char]) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let starts_word = i == 0
            || chars
                .get(i - 1)
                .is_some_and(|p| !p.is_alphanumeric() && *p != '_');
        if c != 'q' || !starts_word {
            i += 1;
            continue;
        }
        let kind = match chars.get(i + 1) {
            Some('q' | 'x' | 'w') => chars.get(i + 1).copied(),
            _ => None,
        };
        let mut j = i + 1 + usize::from(kind.is_some());
        while chars.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        let Some(&open) = chars.get(j) else { break };
        let close = match open {
            '{' => '}',
            '(' => ')',
            '[' => ']',
            '<' => '>',
            '/' | '|' | '!' | '#' => open,
            _ => {
                i += 1;
                continue;
            }
        };
        i = quoted_candidate(chars, j, close, kind == Some('w'), &mut out);
    }
    out
}

/// The body of a quote operator whose opening delimiter is at `open` (up to `close`):
/// a word list (`words`) as an argv, else a string that reads as a command line as a
/// script. Returns the index after the closing delimiter.
fn quoted_candidate(
    chars: &[char],
    open: usize,
    close: char,
    words: bool,
    out: &mut Vec<Candidate>,
) -> usize {
    let mut k = open + 1;
    while chars.get(k).is_some_and(|c| *c != close) {
        k += 1;
    }
    let body: String = chars
        .get(open + 1..k)
        .map(|b| b.iter().collect())
        .unwrap_or_default();
    if words {
        out.push(Candidate::Argv(
            body.split_whitespace().map(str::to_string).collect(),
        ));
    } else if reads_as_command(&body) {
        out.push(Candidate::Script(body));
    }
    k + 1
}

/// Ruby's percent literals: `%q(…)`, `%Q[…]`, `%(…)` and `%x{…}` (strings; `%x` runs
/// its body) and `%w[…]`/`%W[…]` (a word list, an argv for `system(*%w[…])`). Only the
/// bracket delimiters (`(`, `[`, `{`, `<`), so a format's `%s` is not one.
fn ruby_percent_literals(chars: &[char]) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c != '%' {
            i += 1;
            continue;
        }
        let kind = match chars.get(i + 1) {
            Some(k @ ('q' | 'Q' | 'x' | 'w' | 'W')) => Some(*k),
            _ => None,
        };
        let j = i + 1 + usize::from(kind.is_some());
        let close = match chars.get(j) {
            Some('(') => ')',
            Some('[') => ']',
            Some('{') => '}',
            Some('<') => '>',
            _ => {
                i += 1;
                continue;
            }
        };
        i = quoted_candidate(chars, j, close, matches!(kind, Some('w' | 'W')), &mut out);
    }
    out
}

/// Commands a configuration file makes a program run, read from its text: a shell
/// startup file (`.zshenv`, `.bashrc`, `.envrc` … by name: all of it runs), npm's
/// `.npmrc` (`script-shell=`, `shell=`, `git=`, `editor=`), git configuration (by name,
/// or a text with git's section headers: `[alias]` entries — `!cmd` runs cmd, others
/// run `git …` — and the keys whose value git runs: `pager`, `editor`, `sshCommand`,
/// `fsmonitor`, `askPass`, `external`, `textconv`, `clean`, `smudge`, `process`,
/// `helper` given as `!cmd`), and ssh configuration (`ProxyCommand`, `LocalCommand`,
/// `KnownHostsCommand`, `Match exec`, in a text of any name).
pub fn configured_commands(name: &str, content: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    if matches!(
        name,
        ".zshenv"
            | ".zshrc"
            | ".zprofile"
            | ".zlogin"
            | ".zlogout"
            | ".bashrc"
            | ".bash_profile"
            | ".bash_login"
            | ".bash_logout"
            | ".profile"
            | ".kshrc"
            | ".mkshrc"
            | ".envrc"
            | "config.fish"
    ) {
        out.push(Candidate::Script(content.to_string()));
        return out;
    }
    let key_value = |line: &str| -> Option<(String, String)> {
        let (k, v) = line.split_once('=')?;
        Some((
            k.trim().to_ascii_lowercase(),
            v.trim().trim_matches('"').to_string(),
        ))
    };
    if name == ".npmrc" || name == "npmrc" {
        for line in content.lines() {
            if let Some((k, v)) = key_value(line)
                && matches!(
                    k.as_str(),
                    "script-shell" | "shell" | "git" | "editor" | "browser"
                )
                && !v.is_empty()
            {
                out.push(Candidate::Script(v));
            }
        }
    }
    let git_named = matches!(name, ".gitconfig" | "gitconfig" | "config" | ".gitmodules")
        || name.ends_with(".gitconfig");
    let git_headers = content.lines().any(|l| {
        let l = l.trim_start().to_ascii_lowercase();
        [
            "[alias]",
            "[core]",
            "[diff",
            "[filter",
            "[credential",
            "[sequence]",
            "[pager]",
            "[include",
            "[url",
        ]
        .iter()
        .any(|h| l.starts_with(h))
    });
    if git_named || git_headers {
        let mut section = String::new();
        for line in content.lines() {
            let line = line.trim();
            if let Some(header) = line.strip_prefix('[') {
                section = header
                    .split([']', ' ', '"'])
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                continue;
            }
            let Some((k, v)) = key_value(line) else {
                continue;
            };
            if section == "alias" {
                match v.strip_prefix('!') {
                    Some(cmd) => out.push(Candidate::Script(cmd.to_string())),
                    None => out.push(Candidate::Script(format!("git {v}"))),
                }
            } else if matches!(
                k.as_str(),
                "pager"
                    | "editor"
                    | "sshcommand"
                    | "fsmonitor"
                    | "askpass"
                    | "external"
                    | "textconv"
                    | "clean"
                    | "smudge"
                    | "process"
                    | "command"
            ) || section == "pager"
                || k == "helper" && v.starts_with('!')
            {
                out.push(Candidate::Script(v.trim_start_matches('!').to_string()));
            }
        }
    }
    for line in content.lines() {
        let line = line.trim_start();
        let (key, rest) = line
            .split_once(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or((line, ""));
        let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '=');
        match key.to_ascii_lowercase().as_str() {
            "proxycommand" | "localcommand" | "knownhostscommand" if !rest.is_empty() => {
                out.push(Candidate::Script(rest.to_string()));
            }
            "match" => {
                if let Some(at) = rest.find("exec ") {
                    let cmd = rest.get(at + 5..).unwrap_or("").trim().trim_matches('"');
                    out.push(Candidate::Script(cmd.to_string()));
                }
            }
            _ => {}
        }
    }
    out
}

/// Lua's long-bracket strings (`[[…]]`, `[==[…]==]`), which quote nothing else: a body
/// that reads as a command line (`os.execute[[rm -rf .git]]`, `io.popen[=[…]=]`). A
/// newline right after the opening bracket is not part of the string, as in Lua.
pub fn lua_long_strings(code: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find('[') {
        let after = rest.get(at + 1..).unwrap_or("");
        let level = after.len() - after.trim_start_matches('=').len();
        let Some(body) = after.get(level..).and_then(|b| b.strip_prefix('[')) else {
            rest = after;
            continue;
        };
        let close = format!("]{}]", "=".repeat(level));
        let Some(end) = body.find(&close) else {
            break;
        };
        let text = body.get(..end).unwrap_or("");
        let text = text.strip_prefix('\n').unwrap_or(text);
        let before = code.get(..code.len() - rest.len() + at).unwrap_or("");
        if reads_as_command(text) && !printed(before) {
            out.push(Candidate::Script(text.to_string()));
        }
        rest = body.get(end + close.len()..).unwrap_or("");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rstest::rstest]
    #[case("import os; os.remove('a.txt')", Some("a.txt"))]
    #[case("os.unlink(\"a.txt\")", Some("a.txt"))]
    #[case("from pathlib import Path; Path('a.txt').unlink()", Some("a.txt"))]
    #[case("require('fs').unlinkSync('a.txt')", Some("a.txt"))]
    #[case("fs.promises.unlink(`a.txt`)", Some("a.txt"))]
    #[case("unlink 'a.txt'", Some("a.txt"))]
    #[case("File.delete(\"a.txt\")", Some("a.txt"))]
    #[case("FileUtils.rm_f('a.txt')", Some("a.txt"))]
    #[case("os.Remove(\"a.txt\")", Some("a.txt"))]
    #[case("std::fs::remove_file(\"a.txt\")", Some("a.txt"))]
    #[case("os.remove(name)", None)]
    #[case("print('os.remove')", None)]
    fn one_file_deletions(#[case] code: &str, #[case] path: Option<&str>) {
        let want: Vec<Candidate> = path
            .map(|p| Candidate::Argv(vec!["rm".into(), "-f".into(), p.into()]))
            .into_iter()
            .collect();
        assert_eq!(file_deletions(code), want, "{code}");
    }

    #[test]
    fn concatenated_and_perl_quoted_strings_are_found() {
        let c = shell_like_strings("os.system(\"git re\" + \"set --hard\")");
        assert!(c.contains(&Candidate::Script("git reset --hard".into())));
        let c = shell_like_strings(
            "new Deno.Command(\"git\", { args: [\"reset\", \"--hard\"] }).outputSync()",
        );
        assert!(c.contains(&Candidate::Argv(vec![
            "git".into(),
            "reset".into(),
            "--hard".into()
        ])));
        let c = shell_like_strings("spawnSync('git', ['reset', '--hard'])");
        assert!(c.contains(&Candidate::Argv(vec![
            "git".into(),
            "reset".into(),
            "--hard".into()
        ])));
        let c = shell_like_strings("system qw(git reset --hard); qx{rm -rf /}");
        assert!(c.contains(&Candidate::Argv(vec![
            "git".into(),
            "reset".into(),
            "--hard".into()
        ])));
        assert!(c.contains(&Candidate::Script("rm -rf /".into())));
    }

    #[test]
    fn lua_long_strings_are_found() {
        let c = lua_long_strings("os.execute[[rm -rf .git]]; io.popen[==[git push -f]==]");
        assert_eq!(
            c,
            vec![
                Candidate::Script("rm -rf .git".into()),
                Candidate::Script("git push -f".into())
            ]
        );
        assert_eq!(
            lua_long_strings("os.execute[=[\ngit reset --hard]=] t[1] = x[[2]]"),
            vec![Candidate::Script("git reset --hard".into())]
        );
        assert!(lua_long_strings("t[ [[1]] ] [[unclosed").is_empty());
        assert!(lua_long_strings("print [[rm -rf .git]]; print([[git push -f]])").is_empty());
    }

    #[test]
    fn os_system_string_is_found() {
        let c = shell_like_strings("import os; os.system('git push --force')");
        assert!(c.contains(&Candidate::Script("git push --force".into())));
    }

    #[test]
    fn subprocess_list_is_an_argv() {
        let c = shell_like_strings("subprocess.run([\"git\", \"reset\", \"--hard\"])");
        assert!(c.contains(&Candidate::Argv(vec![
            "git".into(),
            "reset".into(),
            "--hard".into()
        ])));
    }
}
