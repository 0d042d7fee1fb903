//! Interpreter code that runs a command, deletes files or evaluates code from a value
//! built at run time.
//!
//! `interp` reads the string literals of interpreter code: `os.system('git push -f')` is
//! seen. Code that builds the string (`"r".."m -rf ~"`, `[::-1]`, `base64`, `%`,
//! `sys.argv[1]`, `$ENV{HOME}`, an alias of the function) hides it. This module finds the
//! calls that run, delete or evaluate ([`CALLS`], per language) and checks their
//! arguments: a call whose arguments are not plain literals — strings without
//! interpolation, lists and maps of them, flags — makes the code dynamic (a human is
//! asked), with the call named. A function named but not called at once
//! (`f = shutil.rmtree`) counts as such a call.
//!
//! Literal file writes (`open('.git/config', 'a')`, `writeFileSync('x', …)`, awk's
//! `print > "x"`) are returned as the paths they write, for path rules.

use crate::command::programs::interpreters::Lang;

/// Calls that run a command, delete files or evaluate code, per language, as regex
/// alternatives (matched as whole names).
fn calls(lang: Lang) -> &'static str {
    match lang {
        Lang::Python => {
            r"os\.system|os\.popen\w*|os\.exec\w*|os\.spawn\w*|os\.posix_spawn\w*|subprocess\.\w+|pty\.spawn|commands\.\w+|shutil\.rmtree|\brmtree|os\.remove|os\.unlink|os\.rmdir|os\.removedirs|\.unlink|\.rmdir|\bexec|\beval|\bcompile|\bsystem|\bpopen|__import__|getattr|importlib\.\w+"
        }
        Lang::Node => {
            r"\bexecSync|\bexecFileSync|\bspawnSync|\bexecFile|\bspawn|\bfork|\.exec|\bexec|\.rmSync|\.rmdirSync|\.unlinkSync|\bfs\.rm\w*|\bfs\.unlink\w*|promises\.rm\w*|promises\.unlink|\brimraf\w*|Deno\.remove\w*|Deno\.run|Deno\.Command|Bun\.spawn\w*|\$`|\beval|\bFunction|\bvm\.\w+"
        }
        Lang::Perl => {
            r"\bsystem|\bexec|\bqx|`|\bopen|\brmtree|\bremove_tree|\bunlink|\brmdir|\beval|\bdo|\brequire"
        }
        Lang::Ruby => {
            r"\bsystem|\bexec|\bspawn|%x|`|IO\.popen|Open3\.\w+|Process\.spawn|Kernel\.\w+|FileUtils\.\w+|File\.delete|File\.unlink|Dir\.rmdir|Dir\.delete|\beval|\binstance_eval|\bclass_eval|\bsend|\bpublic_send|\bmethod"
        }
        Lang::Php => {
            r"\bexec|\bsystem|\bshell_exec|\bpassthru|\bpopen|\bproc_open|\bpcntl_exec|`|\bunlink|\brmdir|\beval|\bassert|\bcreate_function|\bcall_user_func\w*"
        }
        Lang::Awk => r"\bsystem|\|",
        Lang::Lua => r"os\.execute|io\.popen|os\.remove|\bload|\bloadstring|\bdofile|\brequire",
        Lang::R => r"\bsystem2?|\bshell|\bunlink|file\.remove|\beval|\bparse|\bsource",
        Lang::Tcl => r"\bexec|\bspawn|\bopen|file\s+delete|\beval|\buplevel|\bsubst|\bsend",
        Lang::Elisp => {
            r"shell-command\S*|call-process\S*|start-process\S*|make-process|delete-directory|delete-file|\beval"
        }
    }
}

/// Why `code` is dynamic: the first call of [`calls`] whose arguments are not plain
/// literals, described; `None` when every such call's arguments are (those the string
/// heuristic reads).
pub fn dynamic_call(code: &str, lang: Lang) -> Option<String> {
    let pattern = format!("(?:{})", calls(lang));
    let re = regex::Regex::new(&pattern).ok()?;
    for m in re.find_iter(code) {
        let name = m.as_str();
        let after = code.get(m.end()..).unwrap_or("");
        // Constants and exception types of those modules run nothing.
        if matches!(
            name,
            "subprocess.PIPE"
                | "subprocess.DEVNULL"
                | "subprocess.STDOUT"
                | "subprocess.CalledProcessError"
                | "subprocess.TimeoutExpired"
                | "subprocess.CompletedProcess"
                | "subprocess.SubprocessError"
        ) {
            continue;
        }
        // A method or variable that merely ends in such a name (`re.exec` in a regex,
        // `my_system`): the regex anchors names; `.exec` on a RegExp is not a call of
        // ours unless child_process is used.
        if lang == Lang::Node && name == ".exec" && !code.contains("child_process") {
            continue;
        }
        if lang == Lang::Perl && matches!(name, "do" | "require" | "open") {
            // `do FILE`/`require FILE` with a literal, and `open` for reading, are data.
            if !perl_dynamic(name, after) {
                continue;
            }
        }
        if lang == Lang::Awk && name == "|" {
            // `cmd | getline`, `print | cmd`, `|&`: a pipe to or from a command. `||` is
            // a logical or.
            if after.starts_with('|') || code.get(..m.start()).is_some_and(|b| b.ends_with('|')) {
                continue;
            }
            let arg = pipe_operand(code, m.start(), after);
            if plain(arg, lang) {
                continue;
            }
            return Some(format!(
                "awk pipes to or from a command built at run time (`{}`)",
                short(arg)
            ));
        }
        if lang == Lang::Tcl && name == "open" && !after.trim_start().starts_with(['"', '{', '[']) {
            continue;
        }
        let (arg, called) = arguments(after);
        if called && plain(arg, lang) {
            continue;
        }
        if !called && lang_calls_without_parens(lang) && plain(arg, lang) && !arg.trim().is_empty()
        {
            continue;
        }
        return Some(if called || lang_calls_without_parens(lang) {
            format!(
                "code calls `{name}` with a value built at run time (`{}`)",
                short(arg)
            )
        } else {
            format!(
                "code refers to `{name}` (a call that may run a command, delete files or evaluate code)"
            )
        });
    }
    None
}

/// Perl's `open`, `do`, `require`: dynamic when the file is not a plain literal, or
/// `open` runs a command (`|`) or writes (`>`).
fn perl_dynamic(name: &str, after: &str) -> bool {
    let (arg, _) = arguments(after);
    match name {
        "open" => {
            arg.contains('|')
                || arg.contains('$') && !arg.contains("\"<\"") && !arg.contains("'<'")
                || arg.contains('`')
        }
        _ => !plain(arg, Lang::Perl),
    }
}

/// The operand of an awk pipe: the text before `|` (`cmd | getline`) or after it
/// (`print … | cmd`), to the statement's end.
fn pipe_operand<'c>(code: &'c str, at: usize, after: &'c str) -> &'c str {
    let after = after.trim_start();
    if after.starts_with("getline") || after.starts_with('&') {
        let before = code.get(..at).unwrap_or("");
        let start = before.rfind([';', '{', '\n', '(']).map_or(0, |k| k + 1);
        before.get(start..).unwrap_or("")
    } else {
        let end = after.find([';', '}', '\n']).unwrap_or(after.len());
        after.get(..end).unwrap_or("")
    }
}

/// Perl, Ruby, Tcl, Lua and awk call functions without parentheses (`system "x"`).
fn lang_calls_without_parens(lang: Lang) -> bool {
    matches!(
        lang,
        Lang::Perl | Lang::Ruby | Lang::Tcl | Lang::Lua | Lang::Awk | Lang::Php
    )
}

/// The arguments after a call's name: the text inside the parentheses when it is
/// called with them (`true`), else up to the end of the statement.
fn arguments(after: &str) -> (&str, bool) {
    let trimmed = after.trim_start_matches([' ', '\t']);
    if let Some(inner) = trimmed.strip_prefix('(') {
        let mut depth = 1usize;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        for (k, c) in inner.char_indices() {
            if escaped {
                escaped = false;
                continue;
            }
            match (quote, c) {
                (_, '\\') => escaped = true,
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"' | '`') => quote = Some(c),
                (None, '(' | '[' | '{') => depth += 1,
                (None, ')' | ']' | '}') => {
                    depth -= 1;
                    if depth == 0 {
                        return (inner.get(..k).unwrap_or(""), true);
                    }
                }
                _ => {}
            }
        }
        return (inner, true);
    }
    let end = trimmed.find([';', '\n', '}', ')']).unwrap_or(trimmed.len());
    (trimmed.get(..end).unwrap_or(""), false)
}

/// Whether `arg` is made only of plain literals: strings without interpolation, lists
/// and maps of them, numbers, booleans, keyword arguments with such values.
fn plain(arg: &str, lang: Lang) -> bool {
    let mut rest = String::new();
    let chars: Vec<char> = arg.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if matches!(c, '\'' | '"') {
            let prefix: String = rest
                .chars()
                .rev()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            // Python f-strings interpolate.
            if lang == Lang::Python && prefix.contains(['f', 'F']) {
                return false;
            }
            let mut j = i + 1;
            let mut body = String::new();
            let mut closed = false;
            while let Some(&d) = chars.get(j) {
                if d == '\\' {
                    body.push(d);
                    if let Some(&e) = chars.get(j + 1) {
                        body.push(e);
                    }
                    j += 2;
                    continue;
                }
                if d == c {
                    closed = true;
                    break;
                }
                body.push(d);
                j += 1;
            }
            if !closed {
                return false;
            }
            // Interpolation in double quotes (Perl, PHP: `$x`; Ruby: `#{…}`), and Tcl's
            // `$x`/`[cmd]` in either.
            let interpolates = match lang {
                Lang::Perl | Lang::Php => c == '"' && (body.contains('$') || body.contains('@')),
                Lang::Ruby => c == '"' && body.contains("#{"),
                Lang::Tcl => body.contains('$') || body.contains('['),
                _ => false,
            };
            if interpolates {
                return false;
            }
            // Remove a string prefix glued to the quote (`r"…"`, `b'…'`).
            for _ in 0..prefix.len() {
                rest.pop();
            }
            rest.push(' ');
            i = j + 1;
            continue;
        }
        rest.push(c);
        i += 1;
    }
    // Keyword arguments that do not change what runs or what is deleted (`cwd=repo`,
    // `stdout=subprocess.PIPE`), constants (`os.P_WAIT`), and constructors that only
    // wrap a literal path (`Path("build")`).
    static KEYWORDS: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b(?:cwd|check|text|capture_output|timeout|stdout|stderr|stdin|encoding|errors|universal_newlines|bufsize|shell|ignore_errors)\s*=\s*[\w.]+|\bos\.P_\w+|\bsubprocess\.(?:PIPE|DEVNULL|STDOUT)\b|\b(?:pathlib\.)?(?:Pure)?Path\s*\(|\bPathname\.new\s*\(|\b[a-z_]\w*\s*[=:]\s*(?:true|false|none|nil|null|\d+)\b|\b(?:true|false|none|nil|null|\d+)\b|\b[a-z_]\w*\s*[=:]",
        )
        .ok()
    });
    let Some(keywords) = KEYWORDS.as_ref() else {
        return false;
    };
    let rest = keywords.replace_all(&rest, " ");
    // Tcl and Lua write literals bare: a plain word is a literal there.
    let words_ok = matches!(lang, Lang::Tcl) && !rest.contains(['$', '[']);
    rest.chars()
        .all(|c| c.is_whitespace() || matches!(c, '[' | ']' | '(' | ')' | '{' | '}' | ',' | ';'))
        || words_ok
}

/// The first 60 characters of `text`, for messages.
fn short(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(60) {
        Some((k, _)) => format!("{}…", t.get(..k).unwrap_or(t)),
        None => t.to_string(),
    }
}

/// Paths that code writes with a literal name: Python's `open('x', 'w'|'a'|'x'…)`,
/// Node's `writeFileSync`/`appendFileSync`/`createWriteStream('x')`, Ruby's
/// `File.write('x')`, PHP's `file_put_contents('x')`, Perl's `open F, '>', 'x'` /
/// `open(F, '>x')`, awk's `print > "x"`, Lua's `io.open('x', 'w')`.
/// `code` with the home directory spelled as a literal `~`: `os.homedir()+"/x"`,
/// `process.env.HOME + '/x'`, `Dir.home+"/x"`, `getenv("HOME")."/x"`,
/// `os.getenv("HOME").."/x"`, `$ENV{HOME}."/x"`, `Path.home() / "x"` become `"~/x"`, and
/// `expanduser("~/x")` / `File.expand_path("~/x")` become `"~/x"`, so the literal
/// reads and writes below see home-relative paths built at run time.
fn with_home_literals(code: &str) -> std::borrow::Cow<'_, str> {
    struct Forms {
        home: regex::Regex,
        expanded: regex::Regex,
        joined: regex::Regex,
        joinpath: regex::Regex,
        concat: regex::Regex,
    }
    static FORMS: std::sync::LazyLock<Option<Forms>> = std::sync::LazyLock::new(|| {
        // A string literal, either quote.
        const LIT: &str = r#"(?:"([^"\\\n]*)"|'([^'\\\n]*)')"#;
        Some(Forms {
            home: regex::Regex::new(
                r#"(?x)
                require\(\s*['"]os['"]\s*\)\.homedir\(\)|os\.homedir\(\)|(?:\b\w+\.)?\bhomedir\(\)
                |process\.env\.HOME\b|process\.env\[\s*['"]HOME['"]\s*\]
                |Dir\.home\b|(?:pathlib\.)?Path\.home\(\)|os\.path\.expanduser\(\s*['"]~['"]\s*\)
                |os\.getenv\(\s*['"]HOME['"]\s*\)|\bgetenv\(\s*['"]HOME['"]\s*\)
                |os\.environ\[\s*['"]HOME['"]\s*\]|os\.environ\.get\(\s*['"]HOME['"]\s*\)
                |\bENV\[\s*['"]HOME['"]\s*\]|\$ENV\{\s*HOME\s*\}|\bENVIRON\[\s*"HOME"\s*\]
                |\$_SERVER\[\s*['"]HOME['"]\s*\]|expand\(\s*['"]~['"]\s*\)"#,
            )
            .ok()?,
            expanded: regex::Regex::new(
                r#"(?:\w+(?:\([^()]*\))?\.)*(?:expanduser|expand_path|expand)\(\s*(['"])(~[^'"]*)['"]\s*\)"#,
            )
            .ok()?,
            // `os.path.join("~", ".ssh", "k")`, `File.join(…)`, `path.join(…)`.
            joined: regex::Regex::new(&format!(
                r#"(?:os\.path\.join|path\.join|require\(\s*['"]path['"]\s*\)\.join|File\.join|filepath\.Join|Path\.join|\bjoin)\(\s*({LIT}(?:\s*,\s*{LIT})*)\s*\)"#
            ))
            .ok()?,
            // `Path("~").joinpath(".ssh", "k")`: one literal.
            joinpath: regex::Regex::new(&format!(
                r#"{LIT}\s*\)?\s*\.joinpath\(\s*({LIT}(?:\s*,\s*{LIT})*)\s*\)"#
            ))
            .ok()?,
            // Two literals joined by `+`, `..`, `.`, `/` (pathlib) or nothing (awk,
            // Python): one literal.
            concat: regex::Regex::new(&format!(r#"{LIT}\s*(\+|\.\.|\.|/|)\s*{LIT}"#)).ok()?,
        })
    });
    let Some(forms) = FORMS.as_ref() else {
        return std::borrow::Cow::Borrowed(code);
    };
    let cheap = [
        "home", "HOME", "expand", "join", "+", "..", "\" \"", "' '", "\"/", "'/", "\".", "'.",
        "chr(", "CharCode", "cwd", "Dir.pwd", "glob(",
    ];
    if !cheap.iter().any(|c| code.contains(c)) {
        return with_bound_literals(code).map_or(std::borrow::Cow::Borrowed(code), |put| {
            std::borrow::Cow::Owned(put)
        });
    }
    let lit = |c: &regex::Captures<'_>, a: usize| -> String {
        c.get(a)
            .or_else(|| c.get(a + 1))
            .map_or(String::new(), |m| m.as_str().to_string())
    };
    let mut text = forms
        .expanded
        .replace_all(code, "${1}${2}${1}")
        .into_owned();
    text = forms.home.replace_all(&text, "\"~\"").into_owned();
    // Perl's `glob("~/x")` (no wildcard) is the path `~/x`.
    static TILDE_GLOB: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\bglob\(\s*['"](~[^'"*?\[]*)['"]\s*\)"#).ok()
    });
    if let Some(re) = TILDE_GLOB.as_ref() {
        text = re.replace_all(&text, "\"$1\"").into_owned();
    }
    // The working directory by a call (`os.getcwd()`, `process.cwd()`, `Dir.pwd`), and
    // characters by code (`chr(46)`, `String.fromCharCode(46)`): literals too.
    static CWD_CHR: std::sync::LazyLock<Option<(regex::Regex, regex::Regex)>> =
        std::sync::LazyLock::new(|| {
            Some((
                regex::Regex::new(
                    r"os\.getcwd\(\)|process\.cwd\(\)|Dir\.pwd\b|\bgetcwd\(\)|Path\.cwd\(\)",
                )
                .ok()?,
                regex::Regex::new(
                    r"\bchr\(\s*(\d{1,3})\s*\)|String\.fromCharCode\(\s*(\d{1,3})\s*\)",
                )
                .ok()?,
            ))
        });
    if let Some((cwd, chr)) = CWD_CHR.as_ref() {
        text = cwd.replace_all(&text, "\".\"").into_owned();
        text = chr
            .replace_all(&text, |c: &regex::Captures<'_>| {
                let n: u32 = c
                    .get(1)
                    .or_else(|| c.get(2))
                    .and_then(|m| m.as_str().parse().ok())
                    .unwrap_or(0);
                match char::from_u32(n).filter(|ch| ch.is_ascii_graphic()) {
                    Some(ch) if ch != '"' && ch != '\\' => format!("\"{ch}\""),
                    _ => c.get(0).map_or(String::new(), |m| m.as_str().to_string()),
                }
            })
            .into_owned();
    }
    // Joins and concatenations of literals, until nothing changes (at most 8 rounds).
    let fold = |mut text: String| -> String {
        for _ in 0..8 {
            let before = text.len();
            text = forms
                .joined
                .replace_all(&text, |c: &regex::Captures<'_>| {
                    let parts: Vec<String> = forms_literals(c.get(1).map_or("", |m| m.as_str()));
                    format!("\"{}\"", parts.join("/"))
                })
                .into_owned();
            text = forms
                .joinpath
                .replace_all(&text, |c: &regex::Captures<'_>| {
                    let base = lit(c, 1);
                    let parts: Vec<String> = forms_literals(c.get(3).map_or("", |m| m.as_str()));
                    format!("\"{}/{}\"", base.trim_end_matches('/'), parts.join("/"))
                })
                .into_owned();
            text = forms
                .concat
                .replace_all(&text, |c: &regex::Captures<'_>| {
                    let (a, op, b) = (lit(c, 1), c.get(3).map_or("", |m| m.as_str()), lit(c, 4));
                    if op == "/" {
                        format!(
                            "\"{}/{}\"",
                            a.trim_end_matches('/'),
                            b.trim_start_matches('/')
                        )
                    } else {
                        format!("\"{a}{b}\"")
                    }
                })
                .into_owned();
            if text.len() == before {
                break;
            }
        }
        text
    };
    text = fold(text);
    // Names bound once to a literal (`h = os.homedir()`, `const d = h + "/.codex"`,
    // `my $f = "$ENV{HOME}/.bashrc"`) are put in where they are used, and the joins
    // above run again over what that made: two rounds reach a name built from another.
    for _ in 0..2 {
        let Some(put) = with_bound_literals(&text) else {
            break;
        };
        text = fold(put);
    }
    std::borrow::Cow::Owned(text)
}

/// `code` with each name bound exactly once to a string literal (`p = "~/.profile"`,
/// `const d = '.git'`, `local f = ".env"`, `my $h = "~"`) written as that literal where
/// it is used outside string literals, and inside Python f-strings (`{p}`) and
/// JavaScript template literals (`${p}`), which become plain literals when nothing else
/// is left in them. A name bound twice, or bound by anything but one literal, is left
/// alone. `None` when nothing changed.
fn with_bound_literals(code: &str) -> Option<String> {
    static BOUND: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?m)(?:^|[;{(,]|\b(?:const|let|var|local|my|our))[ \t]*([$]?[A-Za-z_]\w*)[ \t]*=[ \t]*(?:"([^"\\\n{}$]*)"|'([^'\\\n]*)')"#,
        )
        .ok()
    });
    let bound = BOUND.as_ref()?;
    let mut values: Vec<(String, String)> = Vec::new();
    for c in bound.captures_iter(code) {
        let (Some(all), Some(name), Some(value)) =
            (c.get(0), c.get(1), c.get(2).or_else(|| c.get(3)))
        else {
            continue;
        };
        // The literal is the whole value: a statement's end follows.
        let next = code[all.end()..].chars().find(|c| *c != ' ' && *c != '\t');
        if !matches!(next, None | Some(';' | '\n' | ')' | ',' | '\r')) {
            continue;
        }
        values.push((name.as_str().to_string(), value.as_str().to_string()));
    }
    values.retain(|(name, value)| {
        !value.is_empty() && {
            // Bound once: no other `name =`, `name +=`, `name ||= …`.
            let escaped = regex::escape(name);
            regex::Regex::new(&format!(
                r"(?:^|[^\w$.]){escaped}\s*(?:[-+*/.|&]|\|\||&&|//|\?\?)?=[^=~]"
            ))
            .is_ok_and(|re| re.find_iter(code).count() == 1)
        }
    });
    if values.is_empty() {
        return None;
    }
    let value_of = |name: &str| bound_value(&values, name);
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut changed = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let word_start = c.is_ascii_alphabetic() || c == '_' || c == '$';
        if word_start
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            let mut j = i + 1;
            while chars
                .get(j)
                .is_some_and(|d| d.is_alphanumeric() || *d == '_')
            {
                j += 1;
            }
            let name = text_of(&chars, i, j);
            // An f-string or a template literal: its `{name}`s put in.
            if matches!(name.as_str(), "f" | "rf" | "fr")
                && let Some(q @ ('"' | '\'')) = chars.get(j).copied()
                && let Some(end) = (j + 1..chars.len()).find(|&k| chars.get(k) == Some(&q))
            {
                let body = text_of(&chars, j + 1, end);
                let filled = fill_placeholders(&body, "{", &values);
                if filled.contains(['{', '}', '\\']) {
                    out.push_str(&name);
                    out.push(q);
                    out.push_str(&filled);
                    out.push(q);
                } else {
                    out.push('"');
                    out.push_str(&filled);
                    out.push('"');
                }
                changed |= filled != body || !filled.contains(['{', '}', '\\']);
                i = end + 1;
                continue;
            }
            let before = chars
                .get(..i)
                .unwrap_or_default()
                .iter()
                .rev()
                .find(|c| !c.is_whitespace());
            let rest = chars.get(j..).unwrap_or_default();
            let after = rest.iter().find(|c| !c.is_whitespace());
            let assigned = after == Some(&'=')
                && rest.iter().filter(|c| !c.is_whitespace()).nth(1) != Some(&'=');
            match value_of(&name) {
                Some(v) if before != Some(&'.') && !assigned && after != Some(&'(') => {
                    out.push('"');
                    out.push_str(v);
                    out.push('"');
                    changed = true;
                }
                _ => out.push_str(&name),
            }
            i = j;
            continue;
        }
        if matches!(c, '"' | '\'' | '`') {
            let mut k = i + 1;
            while let Some(&d) = chars.get(k) {
                if d == '\\' {
                    k += 2;
                    continue;
                }
                if d == c {
                    break;
                }
                k += 1;
            }
            let end = k.min(chars.len());
            let body = text_of(&chars, i + 1, end);
            if c == '`' {
                let filled = fill_placeholders(&body, "${", &values);
                if filled.contains(['$', '{', '}', '\\']) {
                    out.push('`');
                    out.push_str(&filled);
                    out.push('`');
                } else {
                    out.push('"');
                    out.push_str(&filled);
                    out.push('"');
                    changed = true;
                }
                changed |= filled != body;
            } else {
                // Ruby's `"#{h}/x"` and Perl's or PHP's `"$h/x"` in double quotes.
                let filled = if c == '"' {
                    fill_interpolated(&body, &values)
                } else {
                    body.clone()
                };
                changed |= filled != body;
                out.push(c);
                out.push_str(&filled);
                if end < chars.len() {
                    out.push(c);
                }
            }
            i = end + 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    changed.then_some(out)
}

/// A double-quoted string's `#{name}` (Ruby) and `$name`/`${name}` (Perl, PHP) put in.
fn fill_interpolated(body: &str, values: &[(String, String)]) -> String {
    let mut out = if body.contains("#{") {
        fill_placeholders(body, "#{", values)
    } else {
        body.to_string()
    };
    for (name, value) in values {
        let Some(bare) = name.strip_prefix('$') else {
            continue;
        };
        if let Ok(re) = regex::Regex::new(&format!(r"\$(?:{0}\b|\{{{0}\}})", regex::escape(bare))) {
            out = re.replace_all(&out, regex::NoExpand(value)).into_owned();
        }
    }
    out
}

/// The characters `from..to` of `chars` (clamped) as a string.
fn text_of(chars: &[char], from: usize, to: usize) -> String {
    chars
        .get(from.min(to)..to.min(chars.len()))
        .unwrap_or_default()
        .iter()
        .collect()
}

fn bound_value<'a>(values: &'a [(String, String)], name: &str) -> Option<&'a String> {
    values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// `body` of an f-string (`open` `{`) or template literal (`${`) with each placeholder
/// that holds only a bound name, or a literal (the home directory's `"~"`), replaced by
/// its value.
fn fill_placeholders(body: &str, open: &str, values: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find(open) {
        let inner_start = at + open.len();
        let Some(close) = rest[inner_start..].find('}') else {
            break;
        };
        let inner = rest[inner_start..inner_start + close].trim();
        let literal = inner
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
            .filter(|s| !s.contains(['"', '\'']));
        let value = literal
            .map(str::to_string)
            .or_else(|| bound_value(values, inner).cloned());
        out.push_str(&rest[..at]);
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[at..inner_start + close + 1]),
        }
        rest = &rest[inner_start + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The string literals of a comma-separated list of them, in order.
fn forms_literals(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = list.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            let body: String = chars.by_ref().take_while(|d| *d != c).collect();
            out.push(body);
        }
    }
    out
}

/// `code` with the home directory, joins, concatenation and names bound once read as
/// literals (see [`with_home_literals`]).
pub fn home_literals(code: &str) -> String {
    with_home_literals(code).into_owned()
}

pub fn literal_writes(code: &str) -> Vec<String> {
    let code = with_home_literals(code);
    let code = code.as_ref();
    static WRITES: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?x)
            \bopen\s*\(\s*['"]([^'"]+)['"]\s*,\s*[rbt]*['"][^'"]*[wax+][^'"]*['"]
            | \bio\.open\s*\(\s*['"]([^'"]+)['"]\s*,\s*['"][^'"]*[wa+][^'"]*['"]
            | (?:writeFileSync|appendFileSync|writeFile|appendFile|createWriteStream|write_text|write_bytes|File\.write|File\.open|file_put_contents)\s*\(\s*['"]([^'"]+)['"]
            | \bopen\s*\(?\s*\w+\s*,\s*['"](?:>>?|\+<|\+>)['"]\s*,\s*['"]([^'"]+)['"]
            | \bopen\s*\(?\s*\w+\s*,\s*['"](?:>>?|\+<)\s*([^'"|]+)['"]
            | \bprint(?:f)?\b[^;>\n]*>>?\s*\(?\s*"([^"]+)"
            | ['"]([^'"]+)['"]\s*\)?\s*\.(?:write_text|write_bytes)\(
            | ['"]([^'"]+)['"]\s*\)?\s*\.open\(\s*(?:mode\s*=\s*)?['"][^'"]*[wax+][^'"]*['"]
            | (?:symlinkSync|linkSync|symlink|\blink)\s*\(\s*['"][^'"]*['"]\s*,\s*['"]([^'"]+)['"]
            "#,
        )
        .ok()
    });
    let Some(writes) = WRITES.as_ref() else {
        return Vec::new();
    };
    first_groups(writes, code)
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// For each match of `re` in `text`, the first group that took part in it (patterns
/// written as alternatives, each capturing the path in a group of its own).
fn first_groups<'t>(re: &'t regex::Regex, text: &'t str) -> impl Iterator<Item = String> + 't {
    re.captures_iter(text).filter_map(|c| {
        c.iter()
            .skip(1)
            .flatten()
            .next()
            .map(|m| m.as_str().to_string())
    })
}

/// Paths that code reads with a literal name, as `cat` would read them (for rules about
/// reading files, such as the secrets pack's): Python's `open('x')` (no write mode),
/// `Path('x').read_text()`, Node's `readFileSync('x')`, Ruby's `File.read('x')`, PHP's
/// `readfile('x')`/`file_get_contents('x')`; a home-relative name written
/// `os.path.expanduser('~/x')`, `os.homedir() + '/x'` or `Dir.home + '/x'` is `~/x`.
pub fn literal_reads(code: &str) -> Vec<String> {
    let code = with_home_literals(code);
    let code = code.as_ref();
    static READS: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?x)
            (?:\bopen|readFileSync|readFile|File\.read|IO\.read|File\.readlines|IO\.readlines|readfile|file_get_contents|file|Path|read_to_string|ReadFile)
            \s*\(\s*
            (?:
                (?:os\.path\.expanduser|expanduser)\s*\(\s*['"](~[^'"]*)['"]\s*\)
              | (?:require\(\s*['"]os['"]\s*\)\.homedir\(\)|os\.homedir\(\)|homedir\(\)|Dir\.home|Path\.home\(\))\s*\+\s*['"]/?([^'"]*)['"]
              | ['"]([^'"]+)['"]\s*(?:\)|,\s*['"][rbt]*['"]|,\s*['"]utf-?8['"]|,\s*\{)
            )
            "#,
        )
        .ok()
    });
    let Some(reads) = READS.as_ref() else {
        return Vec::new();
    };
    // Copies (the source is read: a copy can be printed unseen later), awk's `getline <
    // "F"` and a file named into awk's `ARGV`.
    static OTHER_READS: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(
        || {
            regex::Regex::new(
                r#"(?x)
                (?:copyFileSync|copyFile|cpSync|shutil\.copy(?:file|2)?|shutil\.copytree|FileUtils\.cp(?:_r)?|FileUtils\.copy|File\.copy|\bcopy)
                \s*\(\s*['"]([^'"]+)['"]
                | \bgetline\b[^;<\n]*<\s*"([^"]+)"
                | ['"]([^'"]+)['"]\s*\)?\s*\.(?:read_text|read_bytes|open)\(
                | \bARGV\s*\[\s*\d+\s*\]\s*=\s*"([^"]+)"
                "#,
            )
            .ok()
        },
    );
    let others = OTHER_READS
        .as_ref()
        .map(|r| first_groups(r, code).collect::<Vec<_>>());
    reads
        .captures_iter(code)
        .filter_map(|c| {
            if let Some(home) = c.get(1) {
                Some(home.as_str().to_string())
            } else if let Some(rest) = c.get(2) {
                Some(format!("~/{}", rest.as_str()))
            } else {
                c.get(3).map(|m| m.as_str().to_string())
            }
        })
        .chain(others.into_iter().flatten())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Every string literal of `code` (after the home directory, joins, concatenation and
/// names bound once are read) that reads as a path: it starts with `.`, `~` or `/`, or
/// holds a `/`, and holds no blank and no `://` (`'.env'`, `'~/.aws/credentials'`,
/// `'src/x.py'`; not `'a b'`, `'https://x/y'`, `'.'`).
pub fn literal_paths(code: &str) -> Vec<String> {
    static LIT: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r#""([^"\s\\]{2,})"|'([^'\s\\]{2,})'"#).ok());
    let Some(lit) = LIT.as_ref() else {
        return Vec::new();
    };
    let code = with_home_literals(code);
    let mut out: Vec<String> = Vec::new();
    for c in lit.captures_iter(&code) {
        let Some(m) = c.get(1).or_else(|| c.get(2)) else {
            continue;
        };
        let p = m.as_str();
        let pathlike = (p.starts_with(['.', '~', '/']) || p.contains('/'))
            && !p.contains("://")
            && !matches!(p, ".." | "./" | "~/" | "//")
            && !p.contains(['$', '{', '}', '(', ')', '[', ']', '*', '%', '<', '>', '|', ';', ',', '='])
            // `.strip()`-like method names and `.5` numbers are not paths.
            && !(p.starts_with('.') && !p.contains('/') && p.get(1..).is_some_and(|d| d.chars().all(|c| c.is_ascii_digit())));
        if pathlike && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

/// Whether interpreter code reads any variable of its environment (`os.environ`,
/// `os.getenv`, `process.env`, `ENV[`, `%ENV`/`$ENV{`, `getenv(`, `Deno.env`,
/// `System.getenv`, awk's `ENVIRON`).
pub fn reads_environment(code: &str) -> bool {
    [
        "os.environ",
        "os.getenv",
        "environ.get",
        "process.env",
        "ENV[",
        "ENV.fetch",
        "$ENV{",
        "%ENV",
        "getenv(",
        "Deno.env",
        "System.getenv",
        "ENVIRON",
        "os.getenv(",
    ]
    .iter()
    .any(|n| code.contains(n))
}

/// Whether interpreter code prints or hands on the whole environment, not one variable
/// of it: Python's `os.environ` (or `environ`) used whole (`print(os.environ)`,
/// `dict(os.environ)`, `os.environ.items()`), Node's `process.env` used whole, Perl's
/// `%ENV`, Ruby's `ENV.to_h`/`ENV.each`/`p ENV`, PHP's `getenv()` and `$_ENV`/`$_SERVER`,
/// awk's `for (k in ENVIRON)`.
pub fn environment_dump(code: &str) -> bool {
    static WHOLE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?x)
            \benviron\b\s*(?:$|[)\],;}\n]|\.(?:items|keys|values|copy)\b)
            | \bprocess\.env\b\s*(?:$|[)\],;}\n])
            | (?:keys|values|each)\s*\(?\s*%ENV | %ENV\s*[);,}] | \bprint\b[^;]*%ENV
            | \bENV\.(?:to_h|to_a|each|each_pair|keys|values|inspect|sort|map|select|filter)\b
            | \b(?:p|pp|puts|print)\s+ENV\s*(?:$|[;\n)])
            | \bgetenv\(\s*\) | \$_ENV\b | \$_SERVER\s*[);,]
            | \bin\s+ENVIRON\b
            | \bfor\s*(?:my\s+\$\w+\s*)?\(?\s*(?:sort\s+)?(?:keys\s+)?%ENV | %ENV\s*$
            | \bphpinfo\s*\( | \bgetenv\(\s*\) 
            | \bparray\s+env\b | \barray\s+get\s+env\b
            "#,
        )
        .ok()
    });
    WHOLE.as_ref().is_some_and(|re| re.is_match(code))
}

/// File name patterns code expands itself (`glob.glob('.e*')`, `Dir[".e*"]`,
/// `globSync('.e*')`): each may name any file it matches, which the code then may read.
pub fn literal_globs(code: &str) -> Vec<String> {
    static GLOBS: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?:\bglob|\biglob|globSync|Dir\.glob|\bglob\.glob|Path\([^)]*\)\.r?glob)\s*\(\s*['"]([A-Za-z0-9._*?/~\[\]-]+)['"]|Dir\[\s*['"]([A-Za-z0-9._*?/~\[\]-]+)['"]"#,
        )
        .ok()
    });
    let Some(globs) = GLOBS.as_ref() else {
        return Vec::new();
    };
    first_groups(globs, code)
        .filter(|g| g.contains(['*', '?', '[']))
        .collect()
}

/// Paths code renames or moves by literal name (the source: `os.rename('x', …)`,
/// `shutil.move`, `fs.renameSync`, `File.rename`, `FileUtils.mv`, Perl's and PHP's
/// `rename`), the home directory and joined literals read as [`with_home_literals`]
/// does.
pub fn literal_moves(code: &str) -> Vec<String> {
    static MOVES: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?:os\.rename|os\.replace|os\.renames|shutil\.move|\b\w+\.move|\bmove|fs\.renameSync|fs\.rename|renameSync|File\.rename|FileUtils\.mv|FileUtils\.move|\brename)\s*\(?\s*['"]([^'"]+)['"]\s*,"#,
        )
        .ok()
    });
    if !code.contains("rename")
        && !code.contains("move")
        && !code.contains(".mv")
        && !code.contains("replace")
    {
        return Vec::new();
    }
    let code = with_home_literals(code);
    let Some(moves) = MOVES.as_ref() else {
        return Vec::new();
    };
    first_groups(moves, &code)
        .filter(|p| !p.is_empty())
        .collect()
}

/// awk code with its `-v NAME=VALUE` variables written as the literals they hold where
/// they name a file (`getline < f`, `print > f`, `print >> f`), so the literal reads and
/// writes above see them: `awk -v f=$HOME/.bashrc 'BEGIN{print "x" >> f}'`. A value
/// starting with `$HOME/` is `~/…`; one with another expansion is left alone.
pub fn awk_with_variables(code: &str, args: &[crate::command::Word]) -> String {
    let mut out = code.to_string();
    let mut values = Vec::new();
    for (i, w) in args.iter().enumerate() {
        let text = w.display();
        let assignment = if text == "-v" {
            args.get(i + 1).map(|n| n.display().to_string())
        } else {
            text.strip_prefix("-v")
                .filter(|r| r.contains('='))
                .map(str::to_string)
        };
        if let Some(a) = assignment
            && let Some((name, value)) = a.split_once('=')
        {
            let value = value.trim_matches(['"', '\'']);
            let value = value
                .strip_prefix("$HOME/")
                .or_else(|| value.strip_prefix("${HOME}/"))
                .map_or_else(|| value.to_string(), |rest| format!("~/{rest}"));
            if !value.contains(['$', '`', '"'])
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                values.push((name.to_string(), value));
            }
        }
    }
    for (name, value) in values {
        if let Ok(re) = regex::Regex::new(&format!(r"(<|>>|>)\s*{name}\b")) {
            out = re
                .replace_all(&out, |c: &regex::Captures<'_>| {
                    format!("{} \"{value}\"", &c[1])
                })
                .into_owned();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(Lang::Python, "import os;os.system(\"~ fr- mr\"[::-1])")]
    #[case(
        Lang::Python,
        "import os;os.system(\" \".join([\"git\",\"reset\"])+\" --hard\")"
    )]
    #[case(Lang::Python, "import os;os.system(\"git %s --hard\" % \"reset\")")]
    #[case(Lang::Python, "import shutil as s;f=s.rmtree;f(\"/root\")")]
    #[case(
        Lang::Python,
        "import shutil,os;p=os.environ[\"HO\"+\"ME\"];shutil.rmtree(p)"
    )]
    #[case(Lang::Python, "import shutil,sys;shutil.rmtree(sys.argv[1])")]
    #[case(Lang::Python, "exec(\"import os;os.sys\"+\"tem(1)\")")]
    #[case(Lang::Python, "import os,sys;os.execvp(sys.argv[1],sys.argv[1:])")]
    #[case(
        Lang::Python,
        "import subprocess,os;subprocess.run([\"rm\",\"-rf\",os.path.expanduser(\"~\")])"
    )]
    #[case(Lang::Python, "import os; os.system(f\"rm -rf {d}\")")]
    #[case(Lang::Python, "getattr(__import__('os'), 'sys'+'tem')('id')")]
    #[case(Lang::Python, "import subprocess; subprocess.run(cmd, cwd=repo)")]
    #[case(
        Lang::Python,
        "import subprocess; subprocess.run(['git'] + args, env=e)"
    )]
    #[case(
        Lang::Node,
        "require(\"child_process\").execSync(Buffer.from(\"cm0=\",\"base64\").toString())"
    )]
    #[case(Lang::Node, "require(\"fs\").rmSync(process.env.PWD,{recursive:true})")]
    #[case(
        Lang::Node,
        "const c=require(\"child_process\");c.execSync([\"rm\",\"-rf\",process.env.HOME].join(\" \"))"
    )]
    #[case(
        Lang::Node,
        "require('child_process').execFileSync(process.argv[1],process.argv.slice(2))"
    )]
    #[case(Lang::Perl, "system \"rm\", \"-rf\", $ENV{HOME}")]
    #[case(Lang::Perl, "system scalar reverse q(~ fr- mr)")]
    #[case(Lang::Perl, "exec @ARGV")]
    #[case(Lang::Perl, "rmtree shift")]
    #[case(Lang::Perl, "rmtree+glob+q{~}")]
    #[case(Lang::Ruby, "system(*(%w[rm -rf] + [Dir.home]))")]
    #[case(Lang::Ruby, "FileUtils.rm_rf(ENV[\"PWD\"])")]
    #[case(Lang::Php, "exec(strrev(\"~ fr- mr\"));")]
    #[case(Lang::Php, "system(base64_decode(\"cm0=\"));")]
    #[case(
        Lang::Awk,
        "BEGIN{system(sprintf(\"%s -rf %s\",\"rm\",ENVIRON[\"HOME\"]))}"
    )]
    #[case(Lang::Awk, "BEGIN{system(c)}")]
    #[case(Lang::Awk, "BEGIN{c=\"rm -rf \" ENVIRON[\"HOME\"]; c | getline}")]
    #[case(Lang::Awk, "BEGIN{system(ARGV[1])}")]
    #[case(Lang::Lua, "os.execute(\"r\"..\"m -rf ~\")")]
    #[case(Lang::Lua, "os.execute(string.reverse(\"~ fr- mr\"))")]
    #[case(Lang::Tcl, "set c rm; exec $c -rf $env(HOME)")]
    #[case(Lang::R, "system(paste(\"rm\", \"-rf\", Sys.getenv(\"HOME\")))")]
    fn computed_calls_are_dynamic(#[case] lang: Lang, #[case] code: &str) {
        assert!(dynamic_call(code, lang).is_some(), "{code}");
    }

    #[rstest]
    #[case(Lang::Python, "print('hello')")]
    #[case(Lang::Python, "import json,sys; print(json.load(sys.stdin)['name'])")]
    #[case(Lang::Python, "import os; os.system('git status')")]
    #[case(
        Lang::Python,
        "import subprocess; subprocess.run(['git', 'log', '-1'], check=True, text=True)"
    )]
    #[case(
        Lang::Python,
        "import shutil; shutil.rmtree('build', ignore_errors=True)"
    )]
    #[case(
        Lang::Python,
        "p='src/x.py'; s=open(p).read(); open(p,'w').write(s.replace('a','b'))"
    )]
    #[case(Lang::Python, "import re; print(re.sub(r'a', 'b', 'abc'))")]
    #[case(Lang::Python, "import shutil; shutil.rmtree(Path(\"build\"))")]
    #[case(
        Lang::Python,
        "import os; os.spawnlp(os.P_WAIT, \"ls\", \"ls\", \"-la\")"
    )]
    #[case(
        Lang::Python,
        "import subprocess; subprocess.run(['git','status'], cwd=repo, stdout=subprocess.PIPE)"
    )]
    #[case(Lang::Node, "require('child_process').exec('git checkout main')")]
    #[case(Lang::Node, "console.log(/a(b)/.exec('ab')[1])")]
    #[case(
        Lang::Node,
        "const p=require('./package.json'); console.log(p.version)"
    )]
    #[case(
        Lang::Node,
        "require('fs').rmSync('dist', {recursive: true, force: true})"
    )]
    #[case(Lang::Perl, "print \"hello\\n\"")]
    #[case(Lang::Perl, "while(<>){print if /x/}")]
    #[case(Lang::Perl, "system \"git status\"")]
    #[case(Lang::Perl, "open(F, '<', 'x.txt'); print <F>")]
    #[case(Lang::Ruby, "puts 1+1")]
    #[case(
        Lang::Ruby,
        "require 'json'; puts JSON.parse(File.read('p.json'))['v']"
    )]
    #[case(Lang::Awk, "{ print $1 }")]
    #[case(Lang::Awk, "NR==1 || /x/ { print }")]
    #[case(Lang::Awk, "BEGIN { system(\"date\") }")]
    #[case(Lang::Lua, "print(1)")]
    #[case(Lang::Php, "echo json_encode([1,2]);")]
    #[case(Lang::Tcl, "puts [expr 1+1]")]
    fn plain_code_is_not(#[case] lang: Lang, #[case] code: &str) {
        assert_eq!(dynamic_call(code, lang), None, "{code}");
    }

    #[rstest]
    #[case("import os; print(os.environ)", true)]
    #[case("import os;print(dict(os.environ))", true)]
    #[case("import os\nfor k, v in os.environ.items(): print(k, v)", true)]
    #[case("console.log(process.env)", true)]
    #[case("console.log(JSON.stringify(process.env))", true)]
    #[case("print \"$_=$ENV{$_}\\n\" for keys %ENV", true)]
    #[case("p ENV.to_h", true)]
    #[case("print_r(getenv());", true)]
    #[case("BEGIN{for(k in ENVIRON) print k}", true)]
    #[case("import os; print(os.environ['HOME'])", false)]
    #[case("import os; print(os.environ.get('PORT', 3000))", false)]
    #[case("console.log(process.env.NODE_ENV)", false)]
    #[case("puts ENV['HOME']", false)]
    #[case("echo getenv('HOME');", false)]
    fn whole_environment_is_seen(#[case] code: &str, #[case] dumps: bool) {
        assert_eq!(environment_dump(code), dumps, "{code}");
    }

    #[rstest]
    #[case("open('.git/config','a').write('x')", ".git/config")]
    #[case("require('fs').writeFileSync('.git/HEAD','x')", ".git/HEAD")]
    #[case("open F,\">>\",\"/root/.bashrc\";print F 1", "/root/.bashrc")]
    #[case("{print > \"/root/.bashrc\"}", "/root/.bashrc")]
    #[case("BEGIN{printf \"x\" > \".git/HEAD\"}", ".git/HEAD")]
    #[case("File.write('.git/HEAD', 'x')", ".git/HEAD")]
    #[case("file_put_contents('.env', 'x');", ".env")]
    #[case("io.open('.git/HEAD', 'w')", ".git/HEAD")]
    #[case(
        "import os; h = os.path.expanduser('~'); open(h + '/.bashrc', 'a').write('x')",
        "~/.bashrc"
    )]
    #[case(
        "const h = require('os').homedir(); require('fs').writeFileSync(h + '/.codex/config.toml', 'x')",
        "~/.codex/config.toml"
    )]
    #[case(
        "import pathlib; p = pathlib.Path.home() / '.profile'; p.write_text('x')",
        "~/.profile"
    )]
    #[case(
        "import os\nh = os.environ['HOME']\nopen(f'{h}/.bashrc', 'a').write('x')",
        "~/.bashrc"
    )]
    #[case(
        "const os = require('os'); const d = os.homedir(); require('fs').appendFileSync(`${d}/.zshrc`, 'x')",
        "~/.zshrc"
    )]
    #[case(
        "my $h = $ENV{HOME}; open F, '>>', \"$h/.bashrc\"; print F 1",
        "~/.bashrc"
    )]
    #[case(
        "h = Dir.home; File.write(\"#{h}/.bashrc\", 'x', mode: 'a')",
        "~/.bashrc"
    )]
    #[case(
        "import os\nd = os.path.join(os.environ['HOME'], '.claude')\nf = os.path.join(d, 'settings.json')\nopen(f, 'w').write('{}')",
        "~/.claude/settings.json"
    )]
    #[case("g = '.git'; open(g + '/config', 'a').write('x')", ".git/config")]
    #[case(
        "const fs=require('fs'),h=require('os').homedir(); fs.writeFileSync(h+'/.claude/settings.json','{}')",
        "~/.claude/settings.json"
    )]
    #[case("BEGIN{print \"x\" >> (ENVIRON[\"HOME\"] \"/.bashrc\")}", "~/.bashrc")]
    #[case(
        "from pathlib import Path; (Path.home()/\".bashrc\").open(\"a\").write(\"x\")",
        "~/.bashrc"
    )]
    #[case(
        "const o=require(\"os\"),fs=require(\"fs\");fs.appendFileSync(o.homedir()+\"/.profile\",\"x\")",
        "~/.profile"
    )]
    fn literal_writes_are_found(#[case] code: &str, #[case] path: &str) {
        assert_eq!(literal_writes(code), vec![path.to_string()], "{code}");
    }

    /// A name bound twice, bound by something other than one literal, or named inside
    /// a plain string is not replaced.
    #[rstest]
    #[case("p = '.bashrc'\np = 'notes.txt'\nopen(p, 'w')")]
    #[case("p = input()\nopen(p, 'w')")]
    #[case("p = '.bashrc'; print('p is', 'open(p, \"w\")')")]
    #[case("p = '.bashrc'; p += '.bak'; open(p, 'w')")]
    #[case("for p in ['.bashrc']: pass\nopen(q, 'w')")]
    fn names_not_bound_once_stay(#[case] code: &str) {
        let writes = literal_writes(code);
        assert!(!writes.iter().any(|w| w == ".bashrc"), "{code}: {writes:?}");
    }

    #[rstest]
    #[case(
        "print(open(os.path.expanduser(\"~/.ssh/id_rsa\")).read())",
        "~/.ssh/id_rsa"
    )]
    #[case(
        "console.log(require(\"fs\").readFileSync(require(\"os\").homedir()+\"/.ssh/id_ed25519\",\"utf8\"))",
        "~/.ssh/id_ed25519"
    )]
    #[case("readfile(\".env\");", ".env")]
    #[case("print(open('.env').read())", ".env")]
    #[case("puts File.read('.env')", ".env")]
    #[case("print(json.load(open('package.json', 'r'))['v'])", "package.json")]
    #[case(
        "import os; p = os.path.join(os.environ['HOME'], '.ssh', 'id_rsa'); print(open(p).read())",
        "~/.ssh/id_rsa"
    )]
    #[case(
        "const h = require('os').homedir(); console.log(require('fs').readFileSync(`${h}/.aws/credentials`, 'utf8'))",
        "~/.aws/credentials"
    )]
    #[case("local f = '.env'\nprint(io.open(f):read('a'))", ".env")]
    fn literal_reads_are_found(#[case] code: &str, #[case] path: &str) {
        assert_eq!(literal_reads(code), vec![path.to_string()], "{code}");
    }

    #[test]
    fn reads_are_not_writes() {
        assert!(literal_writes("print(open('x.txt').read())").is_empty());
        assert!(literal_writes("open('x', 'r')").is_empty());
    }
}
