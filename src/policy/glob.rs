//! Python `fnmatch.fnmatchcase` semantics, compiled once into a token list.
//!
//! The reference matches `glob` rules (and every `commands.allow/deny/require` entry) with
//! `fnmatch.fnmatchcase` over the whole command line, so this module reproduces CPython's
//! `fnmatch.translate` exactly: `*` crosses spaces and `/`, `?` is any one character,
//! `[seq]`/`[!seq]` are sets, a `]` right after `[` or `[!` is a literal member, an
//! unclosed `[` is a literal `[`, a backslash is an ordinary character (fnmatch has no
//! escapes), reversed ranges are dropped the way CPython drops them, and matching is
//! anchored and case-sensitive. It owns pattern semantics only: it never splits, joins or
//! normalises the command text it is given.
//!
//! Every token other than `*` consumes exactly one character, so a pattern is matched by
//! the classic wildcard walk (retry from the last `*`) without building a regular
//! expression. Building a `regex::Regex` per rule measured about 23 µs per pattern plus
//! several µs on its first match (230 ms for a 10,000-rule bundle), which would blow the
//! shell-mode budget of 1 ms per command; the token walk costs nothing to build.

use std::fmt;

/// The longest pattern accepted, in characters. Matching costs at most
/// `pattern length × text length` steps, so this bounds the work one rule can cause.
pub const MAX_PATTERN_CHARS: usize = 4096;

/// Why a pattern cannot be used as a glob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    /// The pattern is longer than [`MAX_PATTERN_CHARS`].
    #[error(
        "glob pattern `{start}…` is {chars} characters long, over the limit of {limit}: \
         split it into several rules"
    )]
    TooLong {
        /// The first characters of the pattern, to find it in the policy.
        start: String,
        /// Its length in characters.
        chars: usize,
        /// The limit it broke.
        limit: usize,
    },
}

/// A compiled fnmatch pattern.
///
/// The token list is built on the first match, not when the pattern is compiled: a
/// judgement compiles every glob of the rules it reads (and of every path rule) but
/// matches only the few whose program and literal prefix fit, and building the tokens
/// (one allocation per set) was a sixth of a judgement's instructions.
#[derive(Clone)]
pub struct Glob {
    pattern: String,
    /// Whether a single `*` stops at `/` ([`Glob::new_path`]).
    path: bool,
    tokens: std::sync::OnceLock<Vec<Token>>,
    /// Byte length of the literal text every match starts with.
    prefix_len: usize,
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Glob")
            .field("pattern", &self.pattern)
            .field("tokens", &self.tokens())
            .field("prefix_len", &self.prefix_len)
            .finish()
    }
}

/// One element of a translated pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A character that must appear as is.
    Literal(char),
    /// `?`: any one character, newlines included.
    AnyChar,
    /// One or more consecutive `*`: any run of characters, possibly empty.
    Star,
    /// In a path pattern ([`Glob::new_path`]), a single `*`: any run of characters
    /// without `/`, possibly empty (`**` is a [`Token::Star`]).
    SegStar,
    /// `[...]`: one character inside (or, negated, outside) the inclusive ranges. An empty
    /// set never matches; a negated empty set matches any character, as in CPython.
    Set {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Token {
    /// Whether this single-character token accepts `c`. `Star` is handled by the walk.
    fn accepts(&self, c: char) -> bool {
        match self {
            Token::Literal(l) => *l == c,
            Token::AnyChar => true,
            Token::Star | Token::SegStar => false,
            Token::Set { negated, ranges } => {
                ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
            }
        }
    }
}

/// Whether two single-character tokens can accept a common character.
fn overlap(x: &Token, y: &Token) -> bool {
    match (x, y) {
        (Token::Literal(c), t) | (t, Token::Literal(c)) => t.accepts(*c),
        (
            Token::Set {
                negated: false,
                ranges,
            },
            _,
        )
        | (
            _,
            Token::Set {
                negated: false,
                ranges,
            },
        ) if ranges.is_empty() => false,
        (
            Token::Set {
                negated: false,
                ranges: r1,
            },
            Token::Set {
                negated: false,
                ranges: r2,
            },
        ) => r1
            .iter()
            .any(|&(lo1, hi1)| r2.iter().any(|&(lo2, hi2)| lo1 <= hi2 && lo2 <= hi1)),
        _ => true,
    }
}

impl Glob {
    /// Compiles `pattern` with `fnmatch.fnmatchcase` semantics.
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        Glob::compile(pattern, false)
    }

    /// Compiles a path pattern (the `args` refinements): as [`Glob::new`], except that a
    /// single `*` does not match `/` and `**` matches anything, `/` included, so `/*`
    /// means the entries of `/` and `/**` everything under it.
    pub fn new_path(pattern: &str) -> Result<Glob, GlobError> {
        Glob::compile(pattern, true)
    }

    fn compile(pattern: &str, path: bool) -> Result<Glob, GlobError> {
        let chars = pattern.chars().count();
        if chars > MAX_PATTERN_CHARS {
            return Err(GlobError::TooLong {
                start: pattern.chars().take(40).collect(),
                chars,
                limit: MAX_PATTERN_CHARS,
            });
        }
        Ok(Glob {
            pattern: pattern.to_owned(),
            path,
            tokens: std::sync::OnceLock::new(),
            prefix_len: literal_prefix_len(pattern),
        })
    }

    /// The translated pattern, built on first use.
    fn tokens(&self) -> &[Token] {
        self.tokens
            .get_or_init(|| tokenize(&self.pattern, self.path))
    }

    /// The pattern as written in the policy.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole of `text` matches the pattern (`fnmatch.fnmatchcase(text, pattern)`).
    pub fn matches(&self, text: &str) -> bool {
        // Fast path: the literal prefix is a byte-wise precondition of any match.
        if !text.starts_with(self.literal_prefix()) {
            return false;
        }
        let tokens = self.tokens();
        if tokens.contains(&Token::SegStar) {
            return self.matches_with_segments(text);
        }
        let mut tok = 0usize;
        let mut pos = 0usize;
        // Where to resume after the most recent `*`: (token after it, text position it
        // currently stops at). Retrying only the latest star is enough because every other
        // token consumes exactly one character.
        let mut retry: Option<(usize, usize)> = None;
        loop {
            let next_char = text.get(pos..).and_then(|rest| rest.chars().next());
            match tokens.get(tok) {
                Some(Token::Star) => {
                    tok += 1;
                    retry = Some((tok, pos));
                    continue;
                }
                Some(token) => {
                    if let Some(c) = next_char.filter(|&c| token.accepts(c)) {
                        tok += 1;
                        pos += c.len_utf8();
                        continue;
                    }
                }
                None if next_char.is_none() => return true,
                None => {}
            }
            // Mismatch: let the latest `*` swallow one more character, or give up.
            let Some((after_star, star_pos)) = retry else {
                return false;
            };
            let Some(c) = text.get(star_pos..).and_then(|rest| rest.chars().next()) else {
                return false;
            };
            let resumed = star_pos + c.len_utf8();
            retry = Some((after_star, resumed));
            tok = after_star;
            pos = resumed;
        }
    }

    /// [`Glob::matches`] for patterns with both kinds of star, where retrying only the
    /// latest star is not enough: the set of token positions reachable after each
    /// character (at most pattern length × text length steps, like the walk).
    fn matches_with_segments(&self, text: &str) -> bool {
        let tokens = self.tokens();
        let n = tokens.len();
        // `live[i]`: the first `i` tokens can match the text read so far.
        let mut live = vec![false; n + 1];
        let close = |live: &mut Vec<bool>, tokens: &[Token]| {
            for (i, t) in tokens.iter().enumerate() {
                if matches!(t, Token::Star | Token::SegStar)
                    && live.get(i).copied().unwrap_or(false)
                    && let Some(next) = live.get_mut(i + 1)
                {
                    *next = true;
                }
            }
        };
        if let Some(first) = live.first_mut() {
            *first = true;
        }
        close(&mut live, tokens);
        for c in text.chars() {
            let mut next = vec![false; n + 1];
            for (i, t) in tokens.iter().enumerate() {
                if !live.get(i).copied().unwrap_or(false) {
                    continue;
                }
                let (stay, advance) = match t {
                    Token::Star => (true, false),
                    Token::SegStar => (c != '/', false),
                    other => (false, other.accepts(c)),
                };
                if stay && let Some(slot) = next.get_mut(i) {
                    *slot = true;
                }
                if advance && let Some(slot) = next.get_mut(i + 1) {
                    *slot = true;
                }
            }
            close(&mut next, tokens);
            if !next.contains(&true) {
                return false;
            }
            live = next;
        }
        live.get(n).copied().unwrap_or(false)
    }

    /// Whether some string matches both patterns. Used to ask whether a word only partly
    /// known (`"$TMP/build"`, as the pattern `*/build`) could match a rule's glob. Sets
    /// are compared conservatively (two sets are assumed to overlap unless both are plain
    /// ranges that do not), so the answer errs towards "yes".
    pub fn intersects(&self, other: &Glob) -> bool {
        let (a, b) = (self.tokens(), other.tokens());
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![(0usize, 0usize)];
        while let Some((i, j)) = stack.pop() {
            if !seen.insert((i, j)) {
                continue;
            }
            match (a.get(i), b.get(j)) {
                (None, None) => return true,
                // A path pattern's `*` takes the other side's tokens except a literal
                // `/` (a `?`, a set or a star there may stand for another character):
                // the answer errs towards "yes", as it does for sets.
                (Some(star @ (Token::Star | Token::SegStar)), y) => {
                    stack.push((i + 1, j));
                    if y.is_some_and(|y| *star == Token::Star || *y != Token::Literal('/')) {
                        stack.push((i, j + 1));
                    }
                }
                (x, Some(star @ (Token::Star | Token::SegStar))) => {
                    stack.push((i, j + 1));
                    if x.is_some_and(|x| *star == Token::Star || *x != Token::Literal('/')) {
                        stack.push((i + 1, j));
                    }
                }
                (Some(x), Some(y)) if overlap(x, y) => {
                    stack.push((i + 1, j + 1));
                }
                _ => {}
            }
        }
        false
    }

    /// Whether `pattern` has no wildcard, set or star, so that it matches exactly the
    /// strings equal to itself (an unclosed `[` counts as literal, as in fnmatch).
    pub fn is_literal(pattern: &str) -> bool {
        tokenize(pattern, false)
            .iter()
            .all(|t| matches!(t, Token::Literal(_)))
    }

    /// The literal text before the first wildcard, set or star: every matching string
    /// starts with it, so rules can be indexed by it (for example by program name).
    pub fn literal_prefix(&self) -> &str {
        self.pattern.get(..self.prefix_len).unwrap_or_default()
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

impl PartialEq for Glob {
    fn eq(&self, other: &Glob) -> bool {
        self.pattern == other.pattern
    }
}

impl Eq for Glob {}

/// Translates a pattern the way CPython's `fnmatch.translate` does.
/// With `path`, a single `*` becomes [`Token::SegStar`] and a run of two or more a
/// [`Token::Star`].
fn tokenize(pattern: &str, path: bool) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0usize;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '*' if path => {
                let mut run = 1;
                while chars.get(i) == Some(&'*') {
                    run += 1;
                    i += 1;
                }
                let star = if run >= 2 {
                    Token::Star
                } else {
                    Token::SegStar
                };
                // `***` and `* *`-free runs collapse; a `*` next to `**` adds nothing.
                match (tokens.last(), &star) {
                    (Some(Token::Star), _) => {}
                    (Some(Token::SegStar), Token::Star) => {
                        tokens.pop();
                        tokens.push(Token::Star);
                    }
                    (Some(Token::SegStar), Token::SegStar) => {}
                    _ => tokens.push(star),
                }
            }
            '*' => {
                if tokens.last() != Some(&Token::Star) {
                    tokens.push(Token::Star);
                }
            }
            '?' => tokens.push(Token::AnyChar),
            '[' => match parse_set(&chars, i) {
                Some((set, after)) => {
                    tokens.push(set);
                    i = after;
                }
                // No closing `]`: the `[` is an ordinary character.
                None => tokens.push(Token::Literal('[')),
            },
            _ => tokens.push(Token::Literal(c)),
        }
    }
    tokens
}

/// The byte length of the [`Token::Literal`]s `tokenize` starts `pattern` with, without
/// building the tokens: everything before the first `*`, `?` or `[` that closes a set (an
/// unclosed `[` is a literal). Every character that ends the prefix is ASCII, so bytes do.
fn literal_prefix_len(pattern: &str) -> usize {
    let bytes = pattern.as_bytes();
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'*' | b'?' => return i,
            b'[' if set_end(bytes, i + 1).is_some() => return i,
            _ => i += 1,
        }
    }
    i
}

/// The index of the `]` that closes a set whose body starts at `start` (just after `[`),
/// as [`parse_set`] finds it: a `!` first negates, and a `]` first (after it) is a member.
fn set_end<T: Copy + PartialEq + From<u8>>(body: &[T], start: usize) -> Option<usize> {
    let at = |k: usize| body.get(k).copied();
    let mut end = start;
    if at(end) == Some(T::from(b'!')) {
        end += 1;
    }
    if at(end) == Some(T::from(b']')) {
        end += 1;
    }
    while at(end).is_some_and(|c| c != T::from(b']')) {
        end += 1;
    }
    at(end).is_some().then_some(end)
}

/// Parses the set whose body starts at `start` (just after `[`). Returns the set and the
/// index after its closing `]`, or `None` when the `[` is never closed.
fn parse_set(chars: &[char], start: usize) -> Option<(Token, usize)> {
    // A `]` first in the set (after an optional `!`) is a member, not the end.
    let end = set_end(chars, start)?;
    let body = chars.get(start..end)?;

    // CPython splits the body at the hyphens that form ranges into "chunks"; a hyphen
    // first in the set (after `!`) or right after a range is an ordinary member.
    let negation_len = usize::from(body.first() == Some(&'!'));
    let mut chunks: Vec<Vec<char>> = Vec::new();
    let mut chunk_start = 0usize;
    let mut search_from = negation_len + 1;
    while let Some(hyphen) = body
        .get(search_from..)
        .and_then(|rest| rest.iter().position(|&c| c == '-'))
        .map(|offset| search_from + offset)
    {
        chunks.push(body.get(chunk_start..hyphen).unwrap_or_default().to_vec());
        chunk_start = hyphen + 1;
        search_from = hyphen + 3;
    }
    let last = body.get(chunk_start..).unwrap_or_default().to_vec();
    match chunks.last_mut() {
        // A trailing hyphen is a member of the last chunk.
        Some(previous) if last.is_empty() => previous.push('-'),
        _ => chunks.push(last),
    }
    // Drop reversed ranges such as `z-a`, merging their neighbours exactly as CPython
    // does (from the end, so earlier merges see the already merged tail).
    for k in (1..chunks.len()).rev() {
        let reversed = match (chunks.get(k - 1).and_then(|c| c.last()), chunks.get(k)) {
            (Some(&hi), Some(next)) => next.first().is_some_and(|&lo| hi > lo),
            _ => false,
        };
        if reversed {
            let next = chunks.remove(k);
            if let Some(previous) = chunks.get_mut(k - 1) {
                previous.pop();
                previous.extend(next.into_iter().skip(1));
            }
        }
    }

    // The chunks joined by range hyphens form the set; a leading `!` negates it.
    let negated = chunks.first().and_then(|c| c.first()) == Some(&'!');
    let mut ranges = Vec::new();
    let mut range_start: Option<char> = None;
    for (index, chunk) in chunks.iter().enumerate() {
        let skip = usize::from(index == 0 && negated);
        let members = chunk.get(skip..).unwrap_or_default();
        for (offset, &c) in members.iter().enumerate() {
            match range_start.take() {
                // The first member after a range hyphen closes the range.
                Some(lo) if offset == 0 => ranges.push((lo, c)),
                _ => ranges.push((c, c)),
            }
        }
        // The last member before a range hyphen opens a range instead of standing alone.
        // Chunks between two range hyphens keep at least two members through the merge,
        // so a member never has to both close one range and open the next.
        if index + 1 < chunks.len() {
            range_start = ranges.pop().map(|(lo, _)| lo);
        }
    }
    Some((Token::Set { negated, ranges }, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    // Every expected value below was checked with CPython 3.11:
    // `python3 -c "import fnmatch; print(fnmatch.fnmatchcase(text, pattern))"`.
    #[rstest]
    #[case("git *", "git push", true)]
    #[case("git *", "git", false)]
    #[case("git*", "git", true)]
    #[case("*", "", true)]
    #[case("", "", true)]
    #[case("", "a", false)]
    #[case("rm -rf /*", "rm -rf /home/user", true)]
    #[case("git push *", "git push origin main --force", true)]
    #[case("*git push --force*", "git push --force-with-lease", true)]
    #[case("docs/sessions/*", "docs/sessions/x/y", true)]
    #[case("?", "a", true)]
    #[case("?", "", false)]
    #[case("?", "ab", false)]
    #[case("a?c", "a/c", true)]
    #[case("caf?", "café", true)]
    #[case("[abc]", "b", true)]
    #[case("[abc]", "d", false)]
    #[case("[!abc]", "d", true)]
    #[case("[!abc]", "a", false)]
    #[case("[!a-c]", "\n", true)]
    #[case("a[!/]b", "a/b", false)]
    #[case("a[!/]b", "a-b", true)]
    #[case("[]]", "]", true)]
    #[case("[]a]", "a", true)]
    #[case("[!]]", "a", true)]
    #[case("[!]]", "]", false)]
    #[case("[!]a-]", "b", true)]
    #[case("[!]a-]", "-", false)]
    #[case("[", "[", true)]
    #[case("a[b", "a[b", true)]
    #[case("[abc", "[abc", true)]
    #[case("[abc", "a", false)]
    #[case("[]", "[]", true)]
    #[case("[!]", "[!]", true)]
    #[case("[a-]]", "-]", true)]
    #[case("[a-c]", "b", true)]
    #[case("[a-c]", "-", false)]
    #[case("[a-c]", "B", false)]
    #[case("[a-a]", "a", true)]
    #[case("[é-ü]", "ö", true)]
    #[case("[-a]", "-", true)]
    #[case("[a-]", "-", true)]
    #[case("[!-a]", "-", false)]
    #[case("[!-a]", "b", true)]
    #[case("[]-a]", "^", true)]
    #[case("[%--]", "+", true)]
    #[case("[%--]", ",", true)]
    #[case("[a-c-e]", "-", true)]
    #[case("[a-c-e]", "d", false)]
    #[case("[a-c-e]", "e", true)]
    #[case("[z-a]", "z", false)]
    #[case("[z-a]", "a", false)]
    #[case("[!z-a]", "q", true)]
    #[case("[a--]", "-", false)]
    #[case("[a--]", "+", false)]
    #[case("[a-cz-b]", "b", true)]
    #[case("[a-cz-b]", "z", false)]
    #[case("[a-cz-b]", "-", false)]
    #[case("[!z-a-cx]", "-", false)]
    #[case("[!z-a-cx]", "b", true)]
    #[case("[!z-a-cx]", "c", false)]
    #[case("[\\]", "\\", true)]
    #[case("[\\]", "]", false)]
    #[case("[\\-a]", "Z", false)]
    #[case("[\\-a]", "_", true)]
    #[case("\\*", "\\abc", true)]
    #[case("\\*", "*", false)]
    #[case("[*]", "*", true)]
    #[case("[*]", "x", false)]
    #[case("[?]", "?", true)]
    #[case("[a&&b]", "&", true)]
    #[case("[[]", "[", true)]
    #[case("[~]", "~", true)]
    #[case("[^a]", "^", true)]
    #[case("[^a]", "b", false)]
    #[case("a.b", "axb", false)]
    #[case("a.b", "a.b", true)]
    #[case("(x|y)", "(x|y)", true)]
    #[case("x+", "xx", false)]
    #[case("^a$", "^a$", true)]
    #[case("Git", "git", false)]
    #[case("*.py", "dir/x.py", true)]
    #[case("*.py", "x.pyc", false)]
    #[case("a*b*c", "abxbc", true)]
    #[case("a*b*c", "abxbd", false)]
    #[case("*ab*ab", "abab", true)]
    #[case("*ab*ab", "ab", false)]
    #[case("*[a-c]?", "xxbq", true)]
    #[case("*a", "a\nba", true)]
    #[case("a*", "a\nb", true)]
    #[case("**", "anything", true)]
    fn matches_like_python_fnmatchcase(
        #[case] pattern: &str,
        #[case] text: &str,
        #[case] expected: bool,
    ) {
        let glob = Glob::new(pattern).unwrap();
        assert_eq!(
            glob.matches(text),
            expected,
            "fnmatchcase({text:?}, {pattern:?})"
        );
    }

    #[rstest]
    #[case("git push", true)]
    #[case("a[b", true)]
    #[case("[!]", true)]
    #[case("a\\b", true)]
    #[case("git *", false)]
    #[case("ls ?", false)]
    #[case("[ab]", false)]
    #[case("[]]", false)]
    fn literal_patterns_have_no_wildcards(#[case] pattern: &str, #[case] expected: bool) {
        assert_eq!(Glob::is_literal(pattern), expected);
    }

    #[rstest]
    #[case("git push*", "git push")]
    #[case("git", "git")]
    #[case("rm -rf /*", "rm -rf /")]
    #[case("*ls", "")]
    #[case("git [!p]ush", "git ")]
    #[case("gi?", "gi")]
    #[case("a[b", "a[b")]
    #[case("café*", "café")]
    fn literal_prefix_stops_at_the_first_wildcard(#[case] pattern: &str, #[case] prefix: &str) {
        assert_eq!(Glob::new(pattern).unwrap().literal_prefix(), prefix);
    }

    #[test]
    fn every_match_starts_with_the_literal_prefix() {
        let glob = Glob::new("git push *").unwrap();
        for text in ["git push origin", "git push ", "git pushy", "xgit push a"] {
            if glob.matches(text) {
                assert!(text.starts_with(glob.literal_prefix()), "{text}");
            }
        }
    }

    #[test]
    fn overlong_patterns_are_refused() {
        let pattern = "a".repeat(MAX_PATTERN_CHARS + 1);
        let err = Glob::new(&pattern).unwrap_err();
        assert!(err.to_string().contains("over the limit"), "{err}");
        assert!(Glob::new(&pattern[1..]).is_ok());
    }

    #[test]
    fn pathological_star_patterns_finish_quickly() {
        let glob = Glob::new("*a*a*a*a*a*a*a*a*b").unwrap();
        let text = "a".repeat(10_000);
        assert!(!glob.matches(&text));
    }

    /// CPython's translation of the same pattern, rebuilt with the `regex` crate, as an
    /// independent check of the token walk over every pattern/text pair drawn from a small
    /// alphabet that exercises sets, ranges, negation and stars.
    fn python_style_regex(pattern: &str, path: bool) -> regex::Regex {
        let mut source = String::from(r"(?s)\A");
        for token in tokenize(pattern, path) {
            match token {
                Token::Literal(c) => source.push_str(&regex::escape(&c.to_string())),
                Token::AnyChar => source.push('.'),
                Token::Star => source.push_str(".*"),
                Token::SegStar => source.push_str("[^/]*"),
                Token::Set { negated, ranges } if ranges.is_empty() => {
                    source.push_str(if negated { "." } else { r"[^\x{0}-\x{10FFFF}]" })
                }
                Token::Set { negated, ranges } => {
                    source.push('[');
                    if negated {
                        source.push('^');
                    }
                    for (lo, hi) in ranges {
                        source.push_str(&regex::escape(&lo.to_string()));
                        source.push('-');
                        source.push_str(&regex::escape(&hi.to_string()));
                    }
                    source.push(']');
                }
            }
        }
        source.push_str(r"\z");
        regex::Regex::new(&source).unwrap()
    }

    /// Every pattern of up to four characters over the alphabet.
    fn every_pattern(alphabet: &[char]) -> Vec<String> {
        let mut patterns = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for p in &frontier {
                for c in alphabet {
                    next.push(format!("{p}{c}"));
                }
            }
            patterns.extend(next.iter().cloned());
            frontier = next;
        }
        patterns
    }

    #[test]
    fn token_walk_agrees_with_a_regex_translation() {
        let alphabet = ['a', 'b', '-', ']', '[', '!', '*', '?'];
        let texts = [
            "", "a", "b", "-", "]", "ab", "ba", "a-b", "[a]", "!a", "a]b", "aab",
        ];
        let patterns = every_pattern(&alphabet);
        for pattern in &patterns {
            let glob = Glob::new(pattern).unwrap();
            let regex = python_style_regex(pattern, false);
            for text in texts {
                assert_eq!(
                    glob.matches(text),
                    regex.is_match(text),
                    "{pattern:?} on {text:?}"
                );
            }
        }
    }

    #[test]
    fn path_patterns_agree_with_a_regex_translation() {
        let alphabet = ['a', '/', '*', '?', '[', ']'];
        let texts = [
            "", "a", "/", "a/", "/a", "a/a", "/a/a", "aa", "a//a", "*", "/*", "a/a/a",
        ];
        let patterns = every_pattern(&alphabet);
        for pattern in &patterns {
            let glob = Glob::new_path(pattern).unwrap();
            let regex = python_style_regex(pattern, true);
            for text in texts {
                assert_eq!(
                    glob.matches(text),
                    regex.is_match(text),
                    "{pattern:?} on {text:?}"
                );
            }
        }
    }

    #[test]
    fn the_literal_prefix_is_the_leading_literal_tokens() {
        // Every pattern of up to five characters over the characters that decide it.
        let alphabet = ['a', '[', ']', '!', '*', '?', '-', 'é', '/'];
        let mut patterns = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            patterns.extend(last.iter().cloned());
        }
        for pattern in &patterns {
            for path in [false, true] {
                let want: usize = tokenize(pattern, path)
                    .iter()
                    .map_while(|t| match t {
                        Token::Literal(c) => Some(c.len_utf8()),
                        _ => None,
                    })
                    .sum();
                assert_eq!(literal_prefix_len(pattern), want, "`{pattern}`");
            }
        }
    }

    #[rstest::rstest]
    #[case("/*", "/usr", true)]
    #[case("/*", "/work/repo/target", false)]
    #[case("/**", "/work/repo/target", true)]
    #[case("**/.git", "a/b/.git", true)]
    #[case("*/.git", "a/b/.git", false)]
    #[case("~/.*", "~/.ssh", true)]
    #[case("~/.*", "~/.ssh/id_rsa", false)]
    fn a_path_star_stops_at_slashes(#[case] pattern: &str, #[case] text: &str, #[case] want: bool) {
        assert_eq!(Glob::new_path(pattern).unwrap().matches(text), want);
        // The reference's fnmatch (the `glob` matcher) still crosses them.
        assert!(Glob::new(pattern).unwrap().matches(text) || !want);
    }

    #[rstest::rstest]
    #[case("*/build", "/", false)]
    #[case("*/build", "*/.git", false)]
    #[case("*/build", "/[*]", false)]
    #[case("*/", "/", true)]
    #[case("*", "~", true)]
    #[case("*/.git", "*/.git", true)]
    #[case("x*", "/", false)]
    #[case("--*", "-f", false)]
    #[case("a[bc]d", "a[cd]d", true)]
    #[case("a[b]d", "a[c]d", false)]
    fn globs_intersect_when_some_string_matches_both(
        #[case] a: &str,
        #[case] b: &str,
        #[case] want: bool,
    ) {
        let (a, b) = (Glob::new(a).unwrap(), Glob::new(b).unwrap());
        assert_eq!(a.intersects(&b), want);
        assert_eq!(b.intersects(&a), want);
    }
}
