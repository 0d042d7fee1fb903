//! Redaction of secrets and UTF-8-safe truncation, applied to every text field of a log
//! record at write time, before truncation (so a secret cut in half is still redacted).
//!
//! Two passes, both hand-written scanners rather than regexes, because this runs on every
//! judgement and compiling a dozen regexes would cost more than the whole log write:
//!
//! 1. Substrings that are secrets wherever they appear: URL userinfo and query strings,
//!    `Authorization:` header values, `Bearer` tokens, and well-known token shapes
//!    (GitHub, OpenAI-style `sk-`, Slack, AWS access key ids, JWTs).
//! 2. Words that are secrets by their position: the value of `--password=X` /
//!    `--token X` (and other secret-looking long options), `NAME=value` where the name
//!    looks secret, and `mysql -pX`.
//!
//! SECURITY: redaction is best effort — it hides the common shapes so a log shipped to a
//! SIEM does not leak them; it cannot recognise a secret with no tell-tale shape (a bare
//! password as a positional argument). `argv_sha256` is taken of the unredacted argv, so
//! a record can still be matched to a command by someone who has the command.

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";
/// What ends a truncated field.
pub const TRUNCATED: &str = "…[truncated]";
/// The largest text field, in bytes.
pub const MAX_FIELD: usize = 4096;

/// Redacts secrets in free text (a script, a reason).
pub fn redact_text(text: &str) -> String {
    if !may_hold_secret(text) {
        return text.to_string();
    }
    redact_words_in_text(&redact_substrings(text))
}

/// Whether either pass could change `text`: false only when it holds none of the bytes
/// every shape the passes recognise needs. Both passes run on every judgement's script,
/// reason and words, and most of those (`true`, `cargo build`, a reason like "`ls` — no
/// rule matched") hold no secret; one look at each byte is a tenth of the passes' cost.
///
/// What each shape needs: a URL's `://` and `Authorization:` a `:`; GitHub tokens a
/// `_`; `sk-`, Slack's `xox?-`, `--option` and `mysql -p…` a `-`; `NAME=value` a `=`;
/// AWS key ids start with `A`; a JWT with `eyJ` (a `J`); and `Bearer ` is looked for
/// as such (any case). `tests::the_quick_look_never_misses_what_the_passes_change`
/// checks this against the passes.
fn may_hold_secret(text: &str) -> bool {
    let s = text.as_bytes();
    s.iter().enumerate().any(|(i, b)| match b {
        b':' | b'_' | b'-' | b'=' | b'A' | b'J' => true,
        b'b' | b'B' => starts_with_ci(s, i, "bearer "),
        _ => false,
    })
}

/// Redacts secrets in an argv, using each word's neighbours (`--token X`).
pub fn redact_argv(words: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut next_is_secret = false;
    let mut mysql = false;
    for word in words {
        let redacted = if next_is_secret {
            next_is_secret = false;
            REDACTED.to_string()
        } else if !may_hold_secret(word) {
            // Neither pass would change it, nor make the next word a secret.
            if is_mysql_family(word) {
                mysql = true;
            }
            out.push(word.clone());
            continue;
        } else {
            let (value, takes_next) = redact_word(word, mysql);
            next_is_secret = takes_next;
            value
        };
        if is_mysql_family(word) {
            mysql = true;
        }
        out.push(redact_substrings(&redacted));
    }
    out
}

/// Cuts `text` to at most [`MAX_FIELD`] bytes at a character boundary, ending it with
/// [`TRUNCATED`] when anything was cut.
pub fn truncate(text: &str) -> String {
    truncate_to(text, MAX_FIELD)
}

/// Like [`truncate`], with a chosen limit in bytes.
pub fn truncate_to(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max.saturating_sub(TRUNCATED.len());
    while cut > 0 && !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = text.get(..cut).unwrap_or_default().to_string();
    out.push_str(TRUNCATED);
    out
}

/// Redact, then truncate: the order the log uses for every text field.
pub fn clean(text: &str) -> String {
    truncate(&redact_text(text))
}

/// Whether a byte ends a value: whitespace, a quote, or a shell metacharacter.
fn ends_value(b: u8) -> bool {
    b.is_ascii_whitespace() || b"'\"`;|&()<>".contains(&b)
}

/// The end of the value starting at `start`.
fn value_end(s: &[u8], start: usize) -> usize {
    let mut i = start;
    while let Some(&b) = s.get(i) {
        if ends_value(b) {
            break;
        }
        i += 1;
    }
    i
}

/// Pass 1: secrets recognised by their shape, wherever they are.
fn redact_substrings(text: &str) -> String {
    let s = text.as_bytes();
    // (start, end) byte ranges to replace, in order, non-overlapping.
    let mut cuts: Vec<(usize, usize, &'static str)> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s.get(i..i + 3) == Some(b"://") {
            let (found, resume) = url_secrets(s, i + 3);
            cuts.extend(found.into_iter().map(|(a, b)| (a, b, REDACTED)));
            i = resume.max(i + 1);
        } else if let Some((start, end, with, resume)) = secret_at(s, i) {
            if end > start {
                cuts.push((start, end, with));
            }
            i = resume.max(i + 1);
        } else {
            i += 1;
        }
    }
    if cuts.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end, with) in cuts {
        if start < last {
            continue;
        }
        // All cut points sit on ASCII bytes or the text's end, so they are char
        // boundaries; `get` keeps that a checked assumption.
        out.push_str(text.get(last..start).unwrap_or_default());
        out.push_str(with);
        last = end;
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// Whether the byte before `i` lets a token start at `i` (not inside a longer word).
fn boundary(s: &[u8], i: usize) -> bool {
    i == 0
        || s.get(i - 1)
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
}

fn starts_with_ci(s: &[u8], i: usize, pat: &str) -> bool {
    s.get(i..i + pat.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(pat.as_bytes()))
}

/// A secret starting at byte `i`: (start, end, replacement, where to resume scanning).
fn secret_at(s: &[u8], i: usize) -> Option<(usize, usize, &'static str, usize)> {
    if boundary(s, i) && starts_with_ci(s, i, "authorization:") {
        let mut j = i + "authorization:".len();
        while s.get(j).is_some_and(|b| *b == b' ' || *b == b'\t') {
            j += 1;
        }
        let first_end = value_end(s, j);
        let scheme = s.get(j..first_end).unwrap_or_default();
        let is_scheme = !scheme.is_empty() && scheme.iter().all(u8::is_ascii_alphabetic);
        let mut k = first_end;
        while s.get(k).is_some_and(|b| *b == b' ' || *b == b'\t') {
            k += 1;
        }
        if is_scheme && k > first_end && value_end(s, k) > k {
            let end = value_end(s, k);
            return Some((k, end, REDACTED, end));
        }
        return Some((j, first_end, REDACTED, first_end));
    }
    if boundary(s, i) && starts_with_ci(s, i, "bearer ") {
        let mut j = i + "bearer ".len();
        while s.get(j) == Some(&b' ') {
            j += 1;
        }
        let end = value_end(s, j);
        return Some((j, end, REDACTED, end));
    }
    if !boundary(s, i) {
        return None;
    }
    let token = token_shape(s, i)?;
    Some((i, token, REDACTED, token))
}

/// The end of a URL starting at `j`: like [`value_end`], but `&` (between query
/// parameters) does not end it.
fn url_end(s: &[u8], mut i: usize) -> usize {
    while let Some(&b) = s.get(i) {
        if b != b'&' && ends_value(b) {
            break;
        }
        i += 1;
    }
    i
}

/// The userinfo and query ranges of a URL whose authority starts at `j`, and where to
/// resume scanning.
fn url_secrets(s: &[u8], j: usize) -> (Vec<(usize, usize)>, usize) {
    let end = url_end(s, j);
    let url = s.get(j..end).unwrap_or_default();
    let mut cuts = Vec::new();
    let authority_end = url
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(url.len());
    if let Some(at) = url
        .get(..authority_end)
        .unwrap_or_default()
        .iter()
        .rposition(|b| *b == b'@')
    {
        cuts.push((j, j + at));
    }
    if let Some(query) = url.iter().position(|b| *b == b'?') {
        let fragment = url
            .iter()
            .skip(query)
            .position(|b| *b == b'#')
            .map_or(url.len(), |f| query + f);
        if fragment > query + 1 {
            cuts.push((j + query + 1, j + fragment));
        }
    }
    (cuts, end)
}

/// The end of a well-known token shape starting at `i`, if one does.
fn token_shape(s: &[u8], i: usize) -> Option<usize> {
    let run = |from: usize, ok: &dyn Fn(u8) -> bool| {
        let mut k = from;
        while s.get(k).is_some_and(|b| ok(*b)) {
            k += 1;
        }
        k
    };
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let dashed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"] {
        if s.get(i..i + prefix.len()) == Some(prefix.as_bytes()) {
            let end = run(i + prefix.len(), &word);
            return (end - i - prefix.len() >= 20).then_some(end);
        }
    }
    if s.get(i..i + 3) == Some(b"sk-") {
        let end = run(i + 3, &dashed);
        return (end - i - 3 >= 20).then_some(end);
    }
    if s.get(i..i + 3) == Some(b"xox")
        && s.get(i + 3).is_some_and(|b| b"abprs".contains(b))
        && s.get(i + 4) == Some(&b'-')
    {
        let end = run(i + 5, &dashed);
        return (end - i - 5 >= 10).then_some(end);
    }
    for prefix in [
        "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA",
    ] {
        if s.get(i..i + 4) == Some(prefix.as_bytes()) {
            let end = run(i + 4, &|b: u8| b.is_ascii_uppercase() || b.is_ascii_digit());
            let after_ok = s.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
            return (end - i - 4 == 16 && after_ok).then_some(end);
        }
    }
    if s.get(i..i + 3) == Some(b"eyJ") {
        // header.payload.signature, each base64url.
        let b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        let h = run(i, &b64);
        if s.get(h) != Some(&b'.') || h - i < 10 {
            return None;
        }
        let p = run(h + 1, &b64);
        if s.get(p) != Some(&b'.') || p - h - 1 < 8 {
            return None;
        }
        return Some(run(p + 1, &b64));
    }
    None
}

/// A long option whose value is a secret (`--password`, `--api-key`, `--github-token`).
fn secret_option(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let about_file = ["-file", "_file", "-path", "_path", "-env", "-dir", "-stdin"]
        .iter()
        .any(|s| name.ends_with(s));
    !about_file
        && [
            "password",
            "passwd",
            "token",
            "secret",
            "api-key",
            "api_key",
            "apikey",
            "access-key",
            "private-key",
            "credential",
            "auth-key",
        ]
        .iter()
        .any(|w| name.contains(w))
}

/// A variable name whose value is a secret (`GITHUB_TOKEN`, `PGPASSWORD`, `AWS_SECRET_ACCESS_KEY`).
fn secret_variable(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
        "_AUTH",
        "AUTH_",
    ]
    .iter()
    .any(|w| upper.contains(w))
        || upper.ends_with("_KEY")
        || upper.ends_with("_PASS")
        || upper.ends_with("_PAT")
        || upper.ends_with("AUTH")
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_mysql_family(word: &str) -> bool {
    let base = word.rsplit('/').next().unwrap_or(word);
    base.starts_with("mysql") || base.starts_with("mariadb")
}

/// Pass 2 for one unquoted word: the redacted word, and whether the next word is a secret.
fn redact_word(word: &str, mysql: bool) -> (String, bool) {
    if let Some(option) = word.strip_prefix("--") {
        return match option.split_once('=') {
            Some((name, _)) if secret_option(name) => (format!("--{name}={REDACTED}"), false),
            Some(_) => (word.to_string(), false),
            None => (word.to_string(), secret_option(option)),
        };
    }
    if mysql && word.strip_prefix("-p").is_some_and(|pw| !pw.is_empty()) {
        return (format!("-p{REDACTED}"), false);
    }
    if let Some((name, value)) = word.split_once('=')
        && is_variable_name(name)
        && !value.is_empty()
        && secret_variable(name)
    {
        return (format!("{name}={REDACTED}"), false);
    }
    (word.to_string(), false)
}

/// Pass 2 over free text: split into shell-like words (quotes group, metacharacters
/// separate commands) and redact each by its position.
fn redact_words_in_text(text: &str) -> String {
    let s = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut i = 0;
    let mut next_is_secret = false;
    let mut mysql = false;
    while i < s.len() {
        let Some(&b) = s.get(i) else { break };
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b";|&()\n".contains(&b) {
            next_is_secret = false;
            mysql = false;
            i += 1;
            continue;
        }
        let start = i;
        let end = word_end(s, i);
        i = end.max(i + 1);
        let raw = text.get(start..end).unwrap_or_default();
        let bare = unquote(raw);
        let replacement = if next_is_secret {
            next_is_secret = false;
            Some(REDACTED.to_string())
        } else {
            let (value, takes_next) = redact_word(&bare, mysql);
            next_is_secret = takes_next;
            // Keep the original spelling (quotes and all) unless something was hidden.
            (value != bare).then(|| {
                // `NAME="a b"` → `NAME=[redacted]`: cut the raw word at its first `=`.
                match (raw.find('='), value.find('=')) {
                    (Some(r), Some(v)) if value.get(v + 1..) == Some(REDACTED) => {
                        format!("{}{REDACTED}", raw.get(..=r).unwrap_or_default())
                    }
                    _ => value,
                }
            })
        };
        if is_mysql_family(&bare) {
            mysql = true;
        }
        if let Some(r) = replacement {
            out.push_str(text.get(last..start).unwrap_or_default());
            out.push_str(&r);
            last = end;
        }
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// The end of the shell-like word starting at `i`: quotes group, a backslash escapes.
fn word_end(s: &[u8], mut i: usize) -> usize {
    while let Some(&b) = s.get(i) {
        match b {
            b'\'' => {
                i += 1;
                while s.get(i).is_some_and(|c| *c != b'\'') {
                    i += 1;
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while let Some(&c) = s.get(i) {
                    if c == b'\\' {
                        i += 2;
                        continue;
                    }
                    if c == b'"' {
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'\\' => i += 2,
            b if b.is_ascii_whitespace() || b";|&()".contains(&b) => break,
            _ => i += 1,
        }
    }
    i.min(s.len())
}

/// A word with its quotes removed (roughly: enough to read option and variable names).
fn unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in raw.chars() {
        if escaped {
            out.push(c);
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('"'), '\\') | (None, '\\') => escaped = true,
            (None, '\'' | '"') => quote = Some(c),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::url_query(
        "curl https://api.example.com/v1?key=abc123&x=1",
        "curl https://api.example.com/v1?[redacted]"
    )]
    #[case::url_query_keeps_fragment("open http://h/p?t=1#top", "open http://h/p?[redacted]#top")]
    #[case::url_userinfo(
        "git clone https://user:hunter2@github.com/o/r.git",
        "git clone https://[redacted]@github.com/o/r.git"
    )]
    #[case::url_userinfo_and_query(
        "curl 'https://u:p@h.io/x?sig=zz'",
        "curl 'https://[redacted]@h.io/x?[redacted]'"
    )]
    #[case::authorization_header(
        "curl -H 'Authorization: Bearer abc.def' https://h",
        "curl -H 'Authorization: Bearer [redacted]' https://h"
    )]
    #[case::authorization_token(
        "curl -H \"Authorization: token 0123\" x",
        "curl -H \"Authorization: token [redacted]\" x"
    )]
    #[case::authorization_bare(
        "wget --header=Authorization:s3cr3t u",
        "wget --header=Authorization:[redacted] u"
    )]
    #[case::bearer_alone("http GET h Bearer xyz987", "http GET h Bearer [redacted]")]
    #[case::password_equals("psql --password=hunter2 db", "psql --password=[redacted] db")]
    #[case::token_separate("gh auth --token abc def", "gh auth --token [redacted] def")]
    #[case::token_separate_quoted("tool --api-key 'a b c' run", "tool --api-key [redacted] run")]
    #[case::secret_option_in_name("x --client-secret=zz", "x --client-secret=[redacted]")]
    #[case::token_file_is_a_path("x --token-file /run/t", "x --token-file /run/t")]
    #[case::mysql_p("mysql -uroot -phunter2 db", "mysql -uroot -p[redacted] db")]
    #[case::mysql_prompt_kept("mysql -u root -p db", "mysql -u root -p db")]
    #[case::not_mysql("grep -pattern x", "grep -pattern x")]
    #[case::mysql_path("/usr/bin/mysqldump -pX d", "/usr/bin/mysqldump -p[redacted] d")]
    #[case::env_token("FOO_TOKEN=x make", "FOO_TOKEN=[redacted] make")]
    #[case::env_token_quoted(
        "GITHUB_TOKEN=\"a b\" gh pr list",
        "GITHUB_TOKEN=[redacted] gh pr list"
    )]
    #[case::export_secret(
        "export AWS_SECRET_ACCESS_KEY=abc",
        "export AWS_SECRET_ACCESS_KEY=[redacted]"
    )]
    #[case::pgpassword("PGPASSWORD=pw psql", "PGPASSWORD=[redacted] psql")]
    #[case::plain_variable_kept("CC=clang make", "CC=clang make")]
    #[case::github_token("echo ghp_0123456789abcdefghijABCDEFGHIJ", "echo [redacted]")]
    #[case::github_pat("x github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "x [redacted]")]
    #[case::openai_key("x sk-proj-0123456789abcdefghijklmn y", "x [redacted] y")]
    #[case::short_sk_kept("pip install sk-learn", "pip install sk-learn")]
    #[case::slack("post xoxb-1234567890-abcdefghij", "post [redacted]")]
    #[case::aws_key_id("aws --x AKIAIOSFODNN7EXAMPLE", "aws --x [redacted]")]
    #[case::aws_lookalike_kept("AKIAX", "AKIAX")]
    #[case::jwt(
        "curl -d eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nat_ure",
        "curl -d [redacted]"
    )]
    #[case::second_command_separate("mysql -pX; echo -pY", "mysql -p[redacted]; echo -pY")]
    #[case::harmless("git push origin main", "git push origin main")]
    fn text_redaction(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(redact_text(input), expected);
    }

    #[rstest]
    #[case(&["curl", "-H", "Authorization: Bearer abc"], &["curl", "-H", "Authorization: Bearer [redacted]"])]
    #[case(&["tool", "--token", "a b"], &["tool", "--token", "[redacted]"])]
    #[case(&["tool", "--password=x y"], &["tool", "--password=[redacted]"])]
    #[case(&["mysql", "-pS3cr3t"], &["mysql", "-p[redacted]"])]
    #[case(&["env", "NPM_TOKEN=abc", "npm", "publish"], &["env", "NPM_TOKEN=[redacted]", "npm", "publish"])]
    #[case(&["git", "push", "https://x:y@h/r"], &["git", "push", "https://[redacted]@h/r"])]
    fn argv_redaction(#[case] input: &[&str], #[case] expected: &[&str]) {
        let words: Vec<String> = input.iter().map(|s| (*s).to_string()).collect();
        assert_eq!(redact_argv(&words), expected);
    }

    #[test]
    fn two_thousand_emoji_are_cut_at_a_character_boundary() {
        let text = "echo ".to_string() + &"🦀".repeat(2000);
        let cut = clean(&text);
        assert!(cut.len() <= MAX_FIELD);
        assert!(cut.ends_with(TRUNCATED));
        assert!(cut.starts_with("echo 🦀"));
    }

    #[test]
    fn redaction_happens_before_truncation() {
        // The token straddles the cut: truncating first would leave its head in clear.
        let text = format!("{} ghp_0123456789abcdefghijABCDEFGHIJ", "x".repeat(4080));
        let cut = clean(&text);
        assert!(!cut.contains("ghp_0123"), "{cut}");
        assert!(cut.len() <= MAX_FIELD);
    }

    /// Texts built from the bytes the quick look watches for, the shapes the passes
    /// redact and harmless ones: wherever a pass changes a text, the quick look said
    /// it might.
    #[test]
    fn the_quick_look_never_misses_what_the_passes_change() {
        let pieces = [
            "a",
            "b",
            "B",
            "A",
            "J",
            " ",
            "=",
            "-",
            "_",
            ":",
            ".",
            "/",
            "'",
            "\"",
            ";",
            "ey",
            "eyJ",
            "bearer ",
            "Bearer x",
            "sk-",
            "xoxb-",
            "ghp_",
            "AKIA",
            "://",
            "--token",
            "--password=x",
            "-p",
            "mysql",
            "TOKEN=",
            "authorization:",
            "0123456789abcdefghij",
            "ABCDEFGHIJKLMNOP",
            "é",
            "\n",
            "|",
        ];
        // A small linear congruential generator: the same texts on every run.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        let mut changed = 0;
        for _ in 0..20_000 {
            let len = 1 + next(12);
            let text: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            let slow = redact_words_in_text(&redact_substrings(&text));
            if slow != text {
                changed += 1;
                assert!(may_hold_secret(&text), "{text:?} → {slow:?}");
            }
            assert_eq!(redact_text(&text), slow, "{text:?}");
            let words: Vec<String> = text.split(' ').map(str::to_string).collect();
            let mut slow_words = Vec::new();
            let (mut secret, mut mysql) = (false, false);
            for w in &words {
                let v = if secret {
                    secret = false;
                    REDACTED.to_string()
                } else {
                    let (v, next) = redact_word(w, mysql);
                    secret = next;
                    v
                };
                if is_mysql_family(w) {
                    mysql = true;
                }
                slow_words.push(redact_substrings(&v));
            }
            assert_eq!(redact_argv(&words), slow_words, "{words:?}");
        }
        // The texts did exercise the passes.
        assert!(changed > 1000, "{changed}");
        assert!(!may_hold_secret("true"));
        assert!(!may_hold_secret(
            "`true` — no rule matched; enforcement.unmatched is allow"
        ));
    }

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(truncate("abc"), "abc");
        assert_eq!(truncate_to("abcdef", 3).len(), TRUNCATED.len());
    }
}
