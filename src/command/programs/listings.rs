//! Programs that print file names, and what the names they print look like.
//!
//! `cat $(find src -name '*.rs')`, `git ls-files '*.md' | xargs wc -l` and `grep -rl foo
//! src | xargs sed -i …` hand a program names only known at run time. Which names is
//! not known, but their *shape* is: under `src/`, ending in `.rs`; relative to the
//! command's directory; never inside `.git`. The walk gives such a word that shape (an
//! fnmatch pattern, see [`crate::command::Word::Unknown`]) instead of "any word", so a
//! rule about `.env` or `/etc/sudoers` does not ask about it while a rule about `src/**`
//! still could match.
//!
//! A shape is given only for commands read from literal words: a producer (`find` with
//! one starting point and a conjunction of tests, `git ls-files`, `git diff
//! --name-only`, `git grep -l`, `grep -l`/`-rl`, `rg -l`/`--files`) optionally followed
//! by filters that pass some of its lines on unchanged (`sort`, `uniq`, `head`, `tail`,
//! `grep` without `-o`). Anything else is unknown, as before.
//!
//! SECURITY (known limit): the shape is of each *line*; an unquoted `$(…)` or `xargs`
//! splits lines at blanks, so a file named `x .env y.rs` that exists when the command
//! runs yields a field outside the shape (`.env`). Creating such a name is itself
//! visible to the judgement of the command that creates it.

use crate::policy::rule::escape_into;

/// What the names a command prints look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// An fnmatch pattern every printed name matches (`*` may cross `/`); see
    /// [`relative`] for names relative to the command's directory.
    pub pattern: String,
    /// No name lies inside a `.git` directory.
    pub outside_git: bool,
    /// Only files git tracks are named (`git ls-files`, `git diff --name-only`, `git
    /// grep -l`, without the options that list others).
    pub tracked: bool,
    /// The names are of files in the tree (not branch names): the tree tells what they
    /// can be.
    pub files: bool,
}

/// The listing a pipeline of literal commands prints (`find src -name '*.rs' | sort`):
/// its first command's, when every later one only filters lines.
pub fn pipeline(commands: &[Vec<String>]) -> Option<Listing> {
    let (first, rest) = commands.split_first()?;
    let listing = producer(first)?;
    rest.iter().all(|c| line_filter(c)).then_some(listing)
}

/// The listing of one command, from its words (program first).
pub fn producer(words: &[String]) -> Option<Listing> {
    let (program, args) = words.split_first()?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match program.rsplit('/').next().unwrap_or(program) {
        "find" => find(&args),
        "ls" => ls(&args),
        "git" => git(&args),
        "grep" | "egrep" | "fgrep" => grep(&args),
        "rg" => rg(&args),
        _ => None,
    }
}

/// Whether a command passes some of its input lines on unchanged.
pub fn line_filter(words: &[String]) -> bool {
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    let options = || args.iter().filter(|a| a.starts_with('-') && a.len() > 1);
    match program.as_str() {
        // Operands would be files read instead of the input.
        "sort" => !args
            .iter()
            .any(|a| !a.starts_with('-') || a.starts_with("-o")),
        "uniq" | "cat" => args.iter().all(|a| a.starts_with('-') && a.len() > 1),
        "head" | "tail" => {
            // `-n N`/`-c N` and `-N`; no file operand.
            let mut value = false;
            args.iter().all(|a| {
                if std::mem::take(&mut value) {
                    return a
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '+' || c == '-');
                }
                value = matches!(a.as_str(), "-n" | "-c");
                a.starts_with('-')
            }) && !value
        }
        // One pattern, options that select lines only (`-o`, `-c`, `-l`, `-n`, `-b`,
        // `-H`, `-r` change what is printed or read).
        "grep" | "egrep" | "fgrep" => {
            let allowed = |o: &&String| {
                o.starts_with("--")
                    && matches!(
                        o.as_str(),
                        "--invert-match"
                            | "--ignore-case"
                            | "--extended-regexp"
                            | "--fixed-strings"
                    )
                    || !o.starts_with("--") && o.chars().skip(1).all(|c| "viEFPwx".contains(c))
            };
            options().all(|o| allowed(&o))
                && args.iter().filter(|a| !a.starts_with('-')).count() == 1
        }
        _ => false,
    }
}

/// `find ROOT [tests]`: one literal starting point and a conjunction of tests that
/// print each name found on its own line.
fn find(args: &[&str]) -> Option<Listing> {
    let mut i = 0;
    while args
        .get(i)
        .is_some_and(|a| matches!(*a, "-H" | "-L" | "-P") || a.starts_with("-O"))
    {
        i += 1;
    }
    let root = *args.get(i)?;
    if root.starts_with(['-', '(', '!', '~']) || root.is_empty() {
        return None;
    }
    let mut name: Option<&str> = None;
    let mut path: Option<&str> = None;
    let mut negated = false;
    let mut rest = args.get(i + 1..)?.iter();
    while let Some(t) = rest.next() {
        let was_negated = std::mem::take(&mut negated);
        match *t {
            "!" | "-not" => negated = true,
            "-a" | "-and" | "-print" | "-print0" | "-empty" | "-readable" | "-writable"
            | "-executable" | "-follow" | "-xdev" | "-mount" | "-daystart" | "-nouser"
            | "-nogroup" | "-prune" => {}
            "-name" => {
                let v = rest.next()?;
                if !was_negated && name.is_none() {
                    name = Some(v);
                }
            }
            "-path" | "-wholename" => {
                let v = rest.next()?;
                if !was_negated && path.is_none() {
                    path = Some(v);
                }
            }
            "-type" | "-xtype" | "-iname" | "-ipath" | "-iwholename" | "-regex" | "-iregex"
            | "-maxdepth" | "-mindepth" | "-mtime" | "-mmin" | "-atime" | "-amin" | "-ctime"
            | "-cmin" | "-newer" | "-size" | "-perm" | "-user" | "-group" | "-links"
            | "-regextype" => {
                rest.next()?;
            }
            _ => return None,
        }
    }
    // find prints names as ROOT/…; a `-path` test matches that whole text.
    if let Some(p) = path {
        return Some(Listing {
            pattern: under_a_directory(p.to_string()),
            outside_git: false,
            tracked: false,
            files: true,
        });
    }
    let root = strip_dot_slash(root);
    let mut pattern = String::new();
    if root != "." {
        escape_into(&mut pattern, root.trim_end_matches('/'));
        pattern.push('/');
    }
    pattern.push('*');
    if let Some(n) = name {
        // The starting point itself is printed when its name passes the test.
        let base = root
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(root);
        let matches_root = crate::policy::glob::Glob::new(n).map_or(true, |g| g.matches(base));
        if matches_root {
            return None;
        }
        pattern.push_str(n);
    }
    Some(Listing {
        pattern: under_a_directory(pattern),
        outside_git: false,
        tracked: false,
        files: true,
    })
}

/// `text` without leading `./` (`./src` is `src`; `.` stays).
fn strip_dot_slash(mut text: &str) -> &str {
    while let Some(rest) = text.strip_prefix("./") {
        text = rest.trim_start_matches('/');
    }
    if text.is_empty() { "." } else { text }
}

/// A pattern of names printed relative to the command's directory: a leading `./` is
/// dropped (`./src/x` names `src/x`, compared as such), and a leading wildcard gets a
/// first character that is not `/` (`[!/]*.rs`): such a name is never absolute.
pub fn relative(pattern: String) -> String {
    prefixed(pattern, "[!/]")
}

/// As [`relative`], for names a program prints after a directory it was given (`find
/// .` prints `./x`, `grep -r x .` too): never an option either (`[!/-]*`).
fn under_a_directory(pattern: String) -> String {
    prefixed(pattern, "[!/-]")
}

fn prefixed(pattern: String, first: &str) -> String {
    let trimmed = strip_dot_slash(&pattern);
    if trimmed.starts_with(['*', '?']) {
        format!("{first}{trimmed}")
    } else {
        trimmed.to_string()
    }
}

/// `git ls-files`, `git diff --name-only`, `git grep -l`: paths of the work tree,
/// relative, never inside `.git`; narrowed by one pathspec after `--` (or, for
/// `ls-files`, as its only operand).
fn git(args: &[&str]) -> Option<Listing> {
    let (sub, rest) = args.split_first()?;
    if *sub == "branch" {
        return branches(rest);
    }
    let dashdash = rest.iter().position(|a| *a == "--");
    let (before, specs) = match dashdash {
        Some(d) => (rest.get(..d)?, rest.get(d + 1..)?),
        None => (rest, &[][..]),
    };
    let specs: Vec<&str> = match *sub {
        "ls-files" => {
            const OK: &[&str] = &[
                "-c",
                "--cached",
                "-m",
                "--modified",
                "-o",
                "--others",
                "-d",
                "--deleted",
                "-i",
                "--ignored",
                "--exclude-standard",
                "--full-name",
                "-z",
                "--directory",
                "--no-empty-directory",
                "--error-unmatch",
                "--recurse-submodules",
                "--deduplicate",
                "-k",
                "--killed",
            ];
            let mut operands = specs.to_vec();
            for a in before {
                if a.starts_with('-') {
                    if !OK.contains(a) && !a.starts_with("--exclude=") {
                        return None;
                    }
                } else {
                    operands.push(a);
                }
            }
            operands
        }
        "diff" => {
            if !before.contains(&"--name-only")
                || before
                    .iter()
                    .any(|a| a.starts_with("--output") || a.starts_with("--format"))
            {
                return None;
            }
            specs.to_vec()
        }
        "grep" => {
            let lists = before.iter().any(|a| {
                matches!(*a, "-l" | "--name-only" | "--files-with-matches")
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains('l'))
            });
            if !lists {
                return None;
            }
            specs.to_vec()
        }
        _ => return None,
    };
    let pattern = match specs.as_slice() {
        [spec] if !spec.starts_with([':', '/']) && !spec.contains("..") => {
            let spec = strip_dot_slash(spec);
            if spec == "." {
                "*".to_string()
            } else if spec.contains(['*', '?', '[']) {
                spec.to_string()
            } else {
                let mut p = String::new();
                escape_into(&mut p, spec);
                p.push('*');
                p
            }
        }
        _ => "*".to_string(),
    };
    let others = |opts: &[&str]| before.iter().any(|a| opts.contains(a));
    let tracked = match *sub {
        "ls-files" => !others(&[
            "-o",
            "--others",
            "-i",
            "--ignored",
            "-k",
            "--killed",
            "--directory",
        ]),
        "diff" => !others(&["--no-index"]),
        _ => !others(&["--untracked", "--no-index"]),
    };
    Some(Listing {
        pattern: relative(pattern),
        outside_git: true,
        tracked,
        files: true,
    })
}

/// `ls [-1] [-d] OPERAND…`: names of files. With `-d` and one operand, the names its
/// glob matches (`ls -d src/*.py`); without `-d` a matching directory is listed by its
/// entries' bare names, so nothing is known of their shape (`*`), only that they are
/// files of the tree (for [`Listing::files`]). Other options print more than names.
fn ls(args: &[&str]) -> Option<Listing> {
    let mut dirs_as_names = false;
    let mut operands = Vec::new();
    for a in args {
        match *a {
            "-1" => {}
            "-d" | "--directory" | "-1d" | "-d1" => dirs_as_names = true,
            _ if a.starts_with('-') => return None,
            // Names under the command's directory only: what the tree there holds.
            _ if a.starts_with(['/', '~']) || a.contains("..") => return None,
            _ => operands.push(*a),
        }
    }
    let pattern = match operands.as_slice() {
        [one] if dirs_as_names && !one.starts_with(['/', '~']) && !one.contains("..") => {
            relative(one.to_string())
        }
        _ => "*".to_string(),
    };
    Some(Listing {
        pattern,
        outside_git: false,
        tracked: false,
        files: true,
    })
}

/// `git branch [--merged [C]] [--list [PATTERN]] …`: local branch names, one a line
/// after a two-column marker (`* ` for the current one, `+ ` for one checked out
/// elsewhere). A name never starts with `-` or `.` (git check-ref-format), so no item
/// is an option, nor a path in a `.git` directory; the markers are items of their own.
/// Remote listings (`-r`, `-a`: `origin/HEAD -> origin/main`), `-v` and `--format`
/// print other words, and an operand without a listing option creates a branch.
fn branches(args: &[&str]) -> Option<Listing> {
    const LISTING: &[&str] = &[
        "--list",
        "-l",
        "--merged",
        "--no-merged",
        "--contains",
        "--no-contains",
        "--points-at",
    ];
    const PLAIN: &[&str] = &[
        "--no-color",
        "--color=never",
        "--omit-empty",
        "-i",
        "--ignore-case",
        "--no-column",
    ];
    let lists = args.iter().any(|a| LISTING.contains(a));
    for a in args {
        if a.starts_with('-') {
            if !LISTING.contains(a) && !PLAIN.contains(a) && !a.starts_with("--sort=") {
                return None;
            }
        } else if !lists {
            return None;
        }
    }
    Some(Listing {
        pattern: "[!.~-]*".to_string(),
        outside_git: true,
        tracked: false,
        files: false,
    })
}

/// `grep -l PATTERN [DIR|FILE]` (`-r` for a directory): the files that match.
fn grep(args: &[&str]) -> Option<Listing> {
    let mut lists = false;
    let mut recursive = false;
    let mut pattern_given = false;
    let mut operands = Vec::new();
    // `--include=GLOB`: only names whose last component matches GLOB.
    let mut includes: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "-l" | "--files-with-matches" | "-L" | "--files-without-match" => lists = true,
            "-r" | "-R" | "--recursive" | "--dereference-recursive" => recursive = true,
            "-e" | "-f" | "--regexp" | "--file" => {
                it.next()?;
                pattern_given = true;
            }
            "--include" => includes.push(it.next()?),
            "-m" | "--max-count" | "--exclude" | "--exclude-dir" => {
                it.next()?;
            }
            a if a.starts_with("--include=") => includes.push(a.get(10..)?),
            a if a.starts_with("--") => {
                if !(a.starts_with("--include=")
                    || a.starts_with("--exclude=")
                    || a.starts_with("--exclude-dir=")
                    || matches!(
                        a,
                        "--ignore-case" | "--extended-regexp" | "--fixed-strings" | "--word-regexp"
                    ))
                {
                    return None;
                }
            }
            a if a.starts_with('-') && a.len() > 1 => {
                for c in a.chars().skip(1) {
                    match c {
                        'l' | 'L' => lists = true,
                        'r' | 'R' => recursive = true,
                        'i' | 'E' | 'F' | 'w' | 'x' | 's' | 'I' | 'P' => {}
                        _ => return None,
                    }
                }
            }
            a => operands.push(a),
        }
    }
    if !lists {
        return None;
    }
    if !pattern_given {
        operands.remove(0);
    }
    let mut listing = under(&operands, recursive)?;
    // One include glob of a file name: the names end with it (`src/*` and `*.py` make
    // `src/**.py`, a shape that holds every such name).
    if let [glob] = includes[..]
        && !glob.is_empty()
        && !glob.contains('/')
        && listing.pattern.ends_with('*')
    {
        listing.pattern = format!("{}{glob}", listing.pattern);
    }
    Some(listing)
}

/// `rg -l PATTERN [DIR]`, `rg --files [DIR]`.
fn rg(args: &[&str]) -> Option<Listing> {
    let files = args.contains(&"--files");
    let lists = args
        .iter()
        .any(|a| matches!(*a, "-l" | "--files-with-matches" | "--files-without-match"));
    if !files && !lists {
        return None;
    }
    let mut operands = Vec::new();
    let mut pattern_given = files;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "-g" | "--glob" | "-t" | "--type" | "-T" | "--type-not" => {
                it.next()?;
            }
            "-e" | "--regexp" => {
                it.next()?;
                pattern_given = true;
            }
            a if a.starts_with('-') => {
                if !(matches!(
                    a,
                    "-l" | "--files-with-matches"
                        | "--files-without-match"
                        | "--files"
                        | "-i"
                        | "-S"
                        | "-F"
                        | "-w"
                        | "--hidden"
                        | "-u"
                        | "-uu"
                ) || a.starts_with("--glob=")
                    || a.starts_with("--type="))
                {
                    return None;
                }
            }
            a => operands.push(a),
        }
    }
    if !pattern_given {
        if operands.is_empty() {
            return None;
        }
        operands.remove(0);
    }
    under(&operands, true)
}

/// Names under one directory (`recursive`) or that one file; under the command's
/// directory when no operand is given.
fn under(operands: &[&str], recursive: bool) -> Option<Listing> {
    let pattern = match operands {
        [] if recursive => {
            return Some(Listing {
                pattern: relative("*".to_string()),
                outside_git: false,
                tracked: false,
                files: true,
            });
        }
        [one] if !one.starts_with('~') && !one.contains(['*', '?', '[']) => {
            let one = strip_dot_slash(one);
            let one = if one.len() > 1 {
                one.trim_end_matches('/')
            } else {
                one
            };
            let mut p = String::new();
            if one != "." {
                escape_into(&mut p, one);
                if recursive {
                    p.push('/');
                }
            }
            if recursive {
                p.push('*');
            }
            p
        }
        _ => return None,
    };
    Some(Listing {
        pattern: under_a_directory(pattern),
        outside_git: false,
        tracked: false,
        files: true,
    })
}

/// The commands of a pipeline written in plain words (the text of a command
/// substitution, `find src -name '*.rs' | sort`): `'…'` and `"…"` without
/// expansions are literal; anything a shell would expand, redirect or separate
/// otherwise (`$`, `` ` ``, `\`, `;`, `&`, `<`, `>`, `(`, globs, `~`, `{`) makes it
/// unknown.
pub fn plain_pipeline(text: &str) -> Option<Vec<Vec<String>>> {
    let mut commands = vec![Vec::new()];
    let mut word: Option<String> = None;
    let mut chars = text.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '$' | '`' | '\\' | '!' => return None,
                        c => w.push(c),
                    }
                }
            }
            ' ' | '\t' => {
                if let Some(w) = word.take() {
                    commands.last_mut()?.push(w);
                }
            }
            '|' => {
                if let Some(w) = word.take() {
                    commands.last_mut()?.push(w);
                }
                if commands.last()?.is_empty() {
                    return None;
                }
                commands.push(Vec::new());
            }
            // A tilde expands only at the start of a word (`HEAD~1` is literal).
            '~' if word.is_some() => word.get_or_insert_with(String::new).push('~'),
            c if "$`\\;&<>(){}*?[~#\n!".contains(c) => return None,
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word.take() {
        commands.last_mut()?.push(w);
    }
    commands
        .iter()
        .all(|c| c.first().is_some_and(|p| !p.contains('=')))
        .then_some(commands)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn substitution(inner: &str) -> Option<Listing> {
        pipeline(&plain_pipeline(inner)?)
    }

    #[rstest]
    #[case("find src -name '*.rs'", Some("src/**.rs"))]
    #[case("find . -type f -name '*.py'", Some("[!/-]**.py"))]
    #[case("find ./src/ -name '*.py'", Some("src/**.py"))]
    #[case("find /tmp/x -name '*.log'", Some("/tmp/x/**.log"))]
    #[case("find src", Some("src/*"))]
    #[case("find . -path './docs/*.md'", Some("docs/*.md"))]
    #[case("find . -name '*.rs' -o -name '*.toml'", None)]
    #[case("find . -name '*.rs' -exec cat {} +", None)]
    #[case("find ~/.ssh -type f", None)]
    #[case("find . -name x.rs", Some("[!/-]*x.rs"))]
    #[case("find x.rs -name '*.rs'", None)]
    #[case("git ls-files '*.md'", Some("[!/]*.md"))]
    #[case("git ls-files", Some("[!/]*"))]
    #[case("git ls-files src", Some("src*"))]
    #[case("git ls-files -s", None)]
    #[case("git ls-files --exclude=x -o", Some("[!/]*"))]
    #[case("git diff --name-only", Some("[!/]*"))]
    #[case("git diff --name-only HEAD~1 -- '*.rs'", Some("[!/]*.rs"))]
    #[case("git diff HEAD", None)]
    #[case("git grep -l TODO", Some("[!/]*"))]
    #[case("grep -rl foo src", Some("src/*"))]
    #[case("grep -rl foo --include='*.py' src", Some("src/**.py"))]
    #[case("grep -rl import --include='*.py' .", Some("[!/-]**.py"))]
    #[case("grep -rl foo .", Some("[!/-]*"))]
    #[case("grep -rl foo", Some("[!/]*"))]
    #[case("grep -l foo a.txt", Some("a.txt"))]
    #[case("grep -rn foo src", None)]
    #[case("grep -rlo foo src", None)]
    #[case("rg -l foo src", Some("src/*"))]
    #[case("rg --files", Some("[!/]*"))]
    #[case("find src -name '*.rs' | sort | head -n 5", Some("src/**.rs"))]
    #[case("find src -name '*.rs' | grep -v test", Some("src/**.rs"))]
    #[case("find src -name '*.rs' | sed s/x/y/", None)]
    #[case("find src -name '*.rs' | grep -o x", None)]
    #[case("find $D -name x", None)]
    #[case("find src -name *.rs", None)]
    #[case("X=1 find src", None)]
    #[case("echo .env", None)]
    #[case("ls", Some("*"))]
    #[case("ls -d src", Some("src"))]
    #[case("ls src", Some("*"))]
    #[case("ls -la", None)]
    #[case("ls /etc", None)]
    fn what_a_listing_prints_looks_like(#[case] text: &str, #[case] want: Option<&str>) {
        // `-name '*.rs'` keeps the test's own `*` (find's, within a name) after the `*`
        // that stands for the directories between.
        let got = substitution(text).map(|l| l.pattern);
        assert_eq!(got.as_deref(), want, "{text}");
    }
}
