//! Program knowledge, file tools: `find` (the commands `-exec` runs, and its expression
//! as rules should see it), GNU `sed` (the `e` command and the `e` flag of `s`, which
//! run commands), what `cp`/`mv`/`ln`/`install` copy and `tee` writes, archivers'
//! options that run a command (`tar --to-command`), the path GNU `mktemp` prints, and the
//! file and text tools that treat their arguments as data.
//!
//! A row per program (or per few that behave alike). This module only describes
//! programs; the walk asks it.

use super::hooks::{Hook, Kind};
use super::{Action, Program};
use crate::command::Word;

/// The file tools, as rows.
pub const ROWS: &[Program] = &[
    Program {
        names: &["find"],
        action: Action::FindExec,
        ..Program::DEFAULT
    },
    Program {
        names: &["sed", "gsed"],
        action: Action::Sed,
        ..Program::DEFAULT
    },
    Program {
        names: &["cp", "mv", "ln", "install"],
        action: Action::Copy,
        ..Program::DEFAULT
    },
    Program {
        names: &["tar"],
        action: Action::Data,
        hooks: TAR,
        removes: Some(Removes::TarRemoveFiles),
        ..Program::DEFAULT
    },
    Program {
        names: &["bsdtar", "gtar"],
        hooks: TAR,
        removes: Some(Removes::TarRemoveFiles),
        ..Program::DEFAULT
    },
    // `cmake -E remove_directory|rm|remove …`; cmake's other arguments could run.
    Program {
        names: &["cmake"],
        removes: Some(Removes::CmakeE),
        ..Program::DEFAULT
    },
    Program {
        names: &["zip"],
        action: Action::Data,
        removes: Some(Removes::ZipMove),
        hooks: &[Hook {
            options: &["-TT", "--unzip-command"],
            kind: Kind::Script,
        }],
        ..Program::DEFAULT
    },
    // `--rsync-path` runs on the remote end (which may be this machine), as `ssh HOST CMD`.
    Program {
        names: &["rsync"],
        removes: Some(Removes::RsyncDelete),
        hooks: &[Hook {
            options: &["-e", "--rsh", "--rsync-path"],
            kind: Kind::Script,
        }],
        ..Program::DEFAULT
    },
    // `split --filter=CMD` runs CMD through the shell for each piece.
    Program {
        names: &["split", "gsplit"],
        action: Action::Data,
        hooks: &[Hook {
            options: &["--filter"],
            kind: Kind::Script,
        }],
        ..Program::DEFAULT
    },
    // `sort --compress-program=PROG` runs PROG to compress its temporary files (and
    // `PROG -d` to read them back).
    Program {
        names: &["sort", "gsort"],
        action: Action::Data,
        hooks: &[Hook {
            options: &["--compress-program"],
            kind: Kind::Script,
        }],
        ..Program::DEFAULT
    },
    // Compiler drivers: `-wrapper PROG,ARGS…` runs each subprogram (`cc1`, `as`, `ld`)
    // under PROG; what their other arguments could run is judged too.
    Program {
        names: &[
            "gcc",
            "g++",
            "cc",
            "c++",
            "clang",
            "clang++",
            "gfortran",
            "cpp",
            "x86_64-linux-gnu-gcc",
        ],
        hooks: &[Hook {
            options: &["-wrapper", "--wrapper"],
            kind: Kind::CommaArgv,
        }],
        ..Program::DEFAULT
    },
    // Files to read, list, compare or change the attributes of; text to search or
    // transform.
    Program {
        names: &[
            "cat", "head", "tail", "wc", "uniq", "cut", "tr", "ls", "touch", "mkdir", "rmdir",
            "chmod", "chown", "stat", "file", "diff", "cmp", "tee", "basename", "dirname",
            "realpath", "readlink", "unzip", "grep", "egrep", "fgrep", "rg", "ag", "ack", "jq",
            "yq",
        ],
        action: Action::Data,
        ..Program::DEFAULT
    },
];

/// A program that deletes files or trees as a side effect, read as the `rm` command
/// that deletes the same (see [`removed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removes {
    /// `cargo clean --target-dir DIR`: `rm -rf DIR`.
    CargoClean,
    /// `cmake -E remove_directory DIR…` (`rm -rf`), `-E rm [-rRf] …`, `-E remove [-f] …`.
    CmakeE,
    /// `tar … --remove-files PATHS…`: `rm -r PATHS` (each under its `-C DIR`).
    TarRemoveFiles,
    /// `zip -m|--move ARCHIVE PATHS…` (`-rm`: recursive): `rm [-r] PATHS`.
    ZipMove,
    /// `rsync --delete… SRC… DEST` may delete everything under DEST: `rm -r DEST`;
    /// `--remove-source-files` deletes the sources' files: `rm -r SRC…`.
    RsyncDelete,
}

/// The operands of `args`, read with `short` letters and `long` options taking a value
/// (`--opt=value` and a value attached to a short letter too); `--` ends options. With
/// each operand, the last `-C DIR` value before it when `chdir_c`.
fn operands_of(
    args: &[Word],
    short: &str,
    long: &[&str],
    chdir_c: bool,
) -> Vec<(Option<Word>, Word)> {
    let mut out = Vec::new();
    let mut dir: Option<Word> = None;
    let mut i = 0;
    let mut options = true;
    while let Some(word) = args.get(i) {
        i += 1;
        let Some(w) = word
            .lit()
            .filter(|w| options && w.starts_with('-') && *w != "-")
        else {
            out.push((dir.clone(), word.clone()));
            continue;
        };
        if w == "--" {
            options = false;
            continue;
        }
        if w.starts_with("--") {
            if !w.contains('=') && long.contains(&w) {
                if chdir_c && w == "--directory" {
                    dir = args.get(i).cloned();
                }
                i += 1;
            } else if chdir_c && let Some(d) = w.strip_prefix("--directory=") {
                dir = Some(Word::Lit(d.to_string()));
            }
            continue;
        }
        let letters: Vec<char> = w.chars().skip(1).collect();
        if let Some(k) = letters.iter().position(|c| short.contains(*c)) {
            let attached: String = letters.get(k + 1..).unwrap_or(&[]).iter().collect();
            let value = if attached.is_empty() {
                i += 1;
                args.get(i - 1).cloned()
            } else {
                Some(Word::Lit(attached))
            };
            if chdir_c && letters.get(k) == Some(&'C') {
                dir = value;
            }
        }
    }
    out
}

/// Whether a short-option word holds `letter` in a bundle of letters (`-rm`, `-avz`).
fn bundles(w: &str, letter: char) -> bool {
    w.len() > 1
        && w.starts_with('-')
        && !w.starts_with("--")
        && w.chars().skip(1).all(|c| c.is_ascii_alphabetic())
        && w.contains(letter)
}

/// Words for an argv.
fn lit_words(words: &[&str]) -> Vec<Word> {
    words.iter().map(|w| Word::Lit((*w).to_string())).collect()
}

/// The `rm` commands that delete what a program deletes, as `how` says: each an argv
/// (`rm -rf DIR`) the rules judge. Empty when it deletes nothing here.
pub fn removed(how: Removes, args: &[Word]) -> Vec<Vec<Word>> {
    let lits: Vec<Option<&str>> = args.iter().map(Word::lit).collect();
    let has = |f: &dyn Fn(&str) -> bool| lits.iter().flatten().any(|w| f(w));
    match how {
        Removes::CargoClean => {
            // `cargo [+TOOLCHAIN] [-C DIR] clean … --target-dir DIR`.
            let ops = operands_of(
                args,
                "CZpF",
                &[
                    "--config",
                    "--color",
                    "--manifest-path",
                    "--target-dir",
                    "--package",
                    "--target",
                    "--profile",
                    "--features",
                    "--lockfile-path",
                ],
                false,
            );
            let sub = ops
                .iter()
                .map(|(_, w)| w)
                .find(|w| !w.lit().is_some_and(|t| t.starts_with('+')));
            if sub.and_then(Word::lit) != Some("clean") {
                return Vec::new();
            }
            let mut out = Vec::new();
            let mut i = 0;
            while let Some(w) = args.get(i) {
                i += 1;
                let dir = match w.lit() {
                    Some("--target-dir") => args.get(i).cloned(),
                    Some(t) => t
                        .strip_prefix("--target-dir=")
                        .map(|d| Word::Lit(d.to_string())),
                    None => None,
                };
                if let Some(dir) = dir {
                    let mut argv = lit_words(&["rm", "-rf", "--"]);
                    argv.push(dir);
                    out.push(argv);
                }
            }
            out
        }
        Removes::CmakeE => {
            let Some(at) = lits.iter().position(|w| *w == Some("-E")) else {
                return Vec::new();
            };
            let rest = args.get(at + 1..).unwrap_or(&[]);
            let (lead, paths): (&[&str], &[Word]) = match rest.first().and_then(Word::lit) {
                Some("remove_directory") => (&["rm", "-rf", "--"], rest.get(1..).unwrap_or(&[])),
                // `cmake -E rm [-rRf] [--] PATHS…`: rm's own options.
                Some("rm") => (&["rm"], rest.get(1..).unwrap_or(&[])),
                Some("remove") => (&["rm", "-f"], rest.get(1..).unwrap_or(&[])),
                _ => return Vec::new(),
            };
            let mut argv = lit_words(lead);
            argv.extend(paths.iter().cloned());
            vec![argv]
        }
        Removes::TarRemoveFiles => {
            if !has(&|w| w == "--remove-files") {
                return Vec::new();
            }
            // Traditional `tar czf ARCHIVE …`: a first word without a dash is a bundle.
            let mut args = args.to_vec();
            if let Some(Word::Lit(first)) = args.first_mut()
                && !first.starts_with('-')
            {
                first.insert(0, '-');
            }
            let paths: Vec<Word> = operands_of(
                &args,
                "fbCKLNTXgHVI",
                &[
                    "--file",
                    "--directory",
                    "--files-from",
                    "--exclude-from",
                    "--exclude",
                    "--transform",
                    "--xform",
                    "--owner",
                    "--group",
                    "--mode",
                    "--mtime",
                    "--listed-incremental",
                    "--blocking-factor",
                    "--format",
                    "--label",
                    "--newer",
                    "--after-date",
                    "--suffix",
                    "--use-compress-program",
                    "--to-command",
                    "--info-script",
                    "--new-volume-script",
                    "--rsh-command",
                    "--checkpoint-action",
                ],
                true,
            )
            .into_iter()
            .map(|(dir, path)| match (dir, &path) {
                (None, _) => path,
                (Some(Word::Lit(d)), Word::Lit(p)) if !p.starts_with('/') => {
                    Word::Lit(format!("{}/{p}", d.trim_end_matches('/')))
                }
                (Some(Word::Lit(_)), _) => path,
                (Some(d), _) => Word::unknown(format!("{}/{}", d.display(), path.display()), false),
            })
            .collect();
            if paths.is_empty() {
                return Vec::new();
            }
            let mut argv = lit_words(&["rm", "-r", "--"]);
            argv.extend(paths);
            vec![argv]
        }
        Removes::ZipMove => {
            let moves = has(&|w| w == "--move" || bundles(w, 'm'));
            if !moves {
                return Vec::new();
            }
            let recursive = has(&|w| {
                matches!(w, "--recurse-paths" | "--recurse-patterns")
                    || bundles(w, 'r')
                    || bundles(w, 'R')
            });
            // Stop at `-x`/`-i` lists, which exclude or select among the paths.
            let end = lits
                .iter()
                .position(|w| matches!(w, Some("-x" | "-i" | "--exclude" | "--include")))
                .unwrap_or(args.len());
            let ops = operands_of(
                args.get(..end).unwrap_or(&[]),
                "bntPZsO",
                &[
                    "--temp-path",
                    "--suffixes",
                    "--password",
                    "--compression-method",
                    "--split-size",
                    "--out",
                    "-tt",
                    "-TT",
                    "--unzip-command",
                ],
                false,
            );
            let paths: Vec<Word> = ops.into_iter().skip(1).map(|(_, w)| w).collect();
            if paths.is_empty() {
                return Vec::new();
            }
            let mut argv = lit_words(if recursive {
                &["rm", "-r", "--"]
            } else {
                &["rm", "--"]
            });
            argv.extend(paths);
            vec![argv]
        }
        Removes::RsyncDelete => {
            let deletes = has(&|w| w.starts_with("--delete") || w == "--del");
            let removes_sources = has(&|w| w == "--remove-source-files");
            if !deletes && !removes_sources {
                return Vec::new();
            }
            let ops: Vec<Word> = operands_of(args, "efTBM", RSYNC_VALUED, false)
                .into_iter()
                .map(|(_, w)| w)
                .collect();
            let local = |w: &Word| match w.lit() {
                Some(t) => {
                    !t.starts_with("rsync://")
                        && !t.split('/').next().is_some_and(|head| head.contains(':'))
                }
                None => true,
            };
            let mut out = Vec::new();
            if let [sources @ .., dest] = ops.as_slice() {
                if deletes && !sources.is_empty() && local(dest) {
                    let mut argv = lit_words(&["rm", "-r", "--"]);
                    argv.push(dest.clone());
                    out.push(argv);
                }
                let local_sources: Vec<Word> =
                    sources.iter().filter(|w| local(w)).cloned().collect();
                if removes_sources && !local_sources.is_empty() {
                    let mut argv = lit_words(&["rm", "-r", "--"]);
                    argv.extend(local_sources);
                    out.push(argv);
                }
            }
            out
        }
    }
}

/// rsync's long options that take a value.
const RSYNC_VALUED: &[&str] = &[
    "--rsh",
    "--rsync-path",
    "--exclude",
    "--include",
    "--filter",
    "--exclude-from",
    "--include-from",
    "--files-from",
    "--temp-dir",
    "--compare-dest",
    "--copy-dest",
    "--link-dest",
    "--backup-dir",
    "--suffix",
    "--chmod",
    "--chown",
    "--usermap",
    "--groupmap",
    "--log-file",
    "--log-file-format",
    "--partial-dir",
    "--timeout",
    "--contimeout",
    "--bwlimit",
    "--block-size",
    "--max-size",
    "--min-size",
    "--max-delete",
    "--password-file",
    "--port",
    "--out-format",
    "--remote-option",
    "--iconv",
    "--checksum-choice",
    "--compress-choice",
    "--compress-level",
    "--skip-compress",
    "--modify-window",
    "--info",
    "--debug",
    "--stop-after",
    "--stop-at",
    "--write-batch",
    "--read-batch",
    "--only-write-batch",
    "--sockopts",
    "--outbuf",
    "--address",
    "--protocol",
];

/// tar's options whose value is a command (`--to-command`, a compressor, a volume
/// script), and `--checkpoint-action=exec=CMD`.
const TAR: &[Hook] = &[
    Hook {
        options: &[
            "--to-command",
            "--use-compress-program",
            "-I",
            "--info-script",
            "--new-volume-script",
            "-F",
            "--rsh-command",
        ],
        kind: Kind::Script,
    },
    Hook {
        options: &["--checkpoint-action"],
        kind: Kind::ExecPrefix,
    },
];

/// `tee FILE…`: when `words` run tee (as written), the files it writes its standard
/// input to, and whether it appends.
pub fn tee_files(words: &[Word]) -> Option<(bool, impl Iterator<Item = &Word>)> {
    if words.first().and_then(Word::lit) != Some("tee") {
        return None;
    }
    let append = words
        .iter()
        .any(|w| matches!(w.lit(), Some("-a" | "--append")));
    let files = words
        .iter()
        .skip(1)
        .filter(|w| !w.lit().is_some_and(|t| t.starts_with('-')));
    Some((append, files))
}

/// What every path `find` passes to `-exec` is, as an fnmatch pattern: its starting
/// points are its first operands (`.` when none), and each result is a starting point or
/// below one — so it starts with their common prefix, and never with `-` (a starting
/// point cannot: it would be read as the expression). `-execdir` gives `./NAME`. `None`
/// when a starting point is only known at run time.
fn find_result_shape(args: &[Word], execdir: bool) -> Option<String> {
    if execdir {
        return Some("./*".into());
    }
    // Skip -H/-L/-P/-D x/-Ox, then the starting points up to the expression.
    let mut roots: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        match w.lit() {
            Some("-H" | "-L" | "-P") if roots.is_empty() => {}
            Some("-D") if roots.is_empty() => i += 1,
            Some(t) if t.starts_with("-O") && roots.is_empty() => {}
            Some("--") if roots.is_empty() => {}
            Some(t) if t.starts_with('-') || matches!(t, "(" | "!" | ",") => break,
            Some(t) => roots.push(t),
            None => return None,
        }
        i += 1;
    }
    if roots.is_empty() {
        roots.push(".");
    }
    let prefix = common_prefix(&roots);
    if prefix.is_empty() {
        return Some("[!-]*".into());
    }
    let mut pattern = String::new();
    crate::policy::rule::escape_into(&mut pattern, prefix);
    pattern.push('*');
    Some(pattern)
}

/// find's tests that take a value (the next word), besides the name tests.
const FIND_VALUED: &[&str] = &[
    "-type",
    "-xtype",
    "-newer",
    "-anewer",
    "-cnewer",
    "-mtime",
    "-mmin",
    "-atime",
    "-amin",
    "-ctime",
    "-cmin",
    "-used",
    "-size",
    "-perm",
    "-user",
    "-group",
    "-uid",
    "-gid",
    "-maxdepth",
    "-mindepth",
    "-links",
    "-inum",
    "-samefile",
    "-fstype",
    "-printf",
    "-fprint",
    "-fprint0",
    "-fls",
    "-regextype",
    "-context",
    "-files0-from",
];

/// find's tests on an entry's name or path.
const FIND_NAME_TESTS: &[&str] = &[
    "-name",
    "-iname",
    "-path",
    "-ipath",
    "-wholename",
    "-iwholename",
    "-regex",
    "-iregex",
    "-lname",
    "-ilname",
];

/// `find`'s starting points when every one is literal (else none), and what its first
/// `-exec`/`-ok` command's results must pass: whether a name test narrows them (in the
/// run of tests joined by `-a` that leads to the command, after the last top-level `-o`
/// or `,`), and the `-name` patterns among those tests — each a set of alternatives
/// (`\( -name '*.pyc' -o -name '*.pyo' \)`); a negated test narrows nothing, and an
/// alternative by `-iname`, `-path` or `-regex` leaves its set unknown (dropped).
pub fn find_roots(args: &[Word]) -> (Vec<String>, Guard) {
    let mut roots = Vec::new();
    let mut known = true;
    let mut rest = args.iter().peekable();
    // -H/-L/-P/-D x/-Ox, then the starting points up to the expression.
    while let Some(w) = rest.peek() {
        match w.lit() {
            Some("-H" | "-L" | "-P" | "--") if roots.is_empty() => {}
            Some("-D") if roots.is_empty() => {
                rest.next();
            }
            Some(t) if t.starts_with("-O") && roots.is_empty() => {}
            Some(t) if t.starts_with('-') || matches!(t, "(" | "!" | ",") => break,
            Some(t) => roots.push(t.to_string()),
            None => known = false,
        }
        rest.next();
    }
    if roots.is_empty() && known {
        roots.push(".".to_string());
    }
    if !known {
        roots.clear();
    }
    let words: Vec<Option<&str>> = rest.map(Word::lit).collect();
    (roots, exec_guard(&words))
}

/// What the entries a `find -exec` command runs on must pass (see [`find_roots`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// Some name or path test narrows them.
    pub narrowed: bool,
    /// `-name` patterns: the last component matches one of each set.
    pub names: Vec<Vec<String>>,
    /// `-path`/`-wholename` patterns the whole path matches.
    pub paths: Vec<String>,
    /// `! -path`/`-not -path` patterns the whole path does not match.
    pub not_paths: Vec<String>,
}

/// What a find expression's first top-level `-exec` requires of the entries it runs on
/// (see [`find_roots`]).
fn exec_guard(words: &[Option<&str>]) -> Guard {
    let mut guard = Guard::default();
    let mut i = 0;
    while let Some(&w) = words.get(i) {
        i += 1;
        match w {
            Some("-exec" | "-execdir" | "-ok" | "-okdir") => return guard,
            // A new alternative: what came before does not guard the command.
            Some("-o" | "-or" | ",") => guard = Guard::default(),
            Some("!" | "-not") => {
                // The negated test (and its value, or its group) narrows nothing.
                match words.get(i) {
                    Some(Some("(")) => i = group_end(words, i),
                    Some(Some("-path" | "-wholename")) => {
                        if let Some(Some(v)) = words.get(i + 1) {
                            guard.not_paths.push((*v).to_string());
                        }
                        i += 2;
                    }
                    Some(Some(t)) if FIND_NAME_TESTS.contains(t) || FIND_VALUED.contains(t) => {
                        i += 2;
                    }
                    _ => i += 1,
                }
            }
            Some("(") => {
                let end = group_end(words, i - 1);
                let inner = words.get(i..end.saturating_sub(1)).unwrap_or(&[]);
                if let Some(alternatives) = name_alternatives(inner) {
                    guard.narrowed = true;
                    guard.names.extend(alternatives);
                }
                i = end;
            }
            Some(test @ ("-name" | "-path" | "-wholename")) => match words.get(i) {
                Some(Some(v)) => {
                    guard.narrowed = true;
                    if test == "-name" {
                        guard.names.push(vec![(*v).to_string()]);
                    } else {
                        guard.paths.push((*v).to_string());
                    }
                    i += 1;
                }
                _ => return Guard::default(),
            },
            Some(t) if FIND_NAME_TESTS.contains(&t) => {
                guard.narrowed = true;
                i += 1;
            }
            Some(t) if FIND_VALUED.contains(&t) => i += 1,
            Some(")") | None => return Guard::default(),
            Some(_) => {}
        }
    }
    Guard::default()
}

/// The index after the `)` closing the group opened at `open` (the end when unclosed).
fn group_end(words: &[Option<&str>], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, w) in words.iter().enumerate().skip(open) {
        match w {
            Some("(") => depth += 1,
            Some(")") => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    words.len()
}

/// A group that is only name tests joined by `-o` (`-name A -o -name B`): `Some` with
/// the `-name` patterns as one set (none when an alternative is another name test);
/// `None` when the group does not narrow every entry it lets through.
fn name_alternatives(inner: &[Option<&str>]) -> Option<Vec<Vec<String>>> {
    let mut set = Vec::new();
    let mut all_names = true;
    let mut parts = inner.split(|w| matches!(w, Some("-o" | "-or")));
    for part in parts.by_ref() {
        match part {
            [Some("-name"), Some(v)] => set.push((*v).to_string()),
            [Some(t), Some(_)] if FIND_NAME_TESTS.contains(t) => all_names = false,
            _ => return None,
        }
    }
    Some(if all_names && !set.is_empty() {
        vec![set]
    } else {
        Vec::new()
    })
}

/// The longest text every one of `roots` starts with (at a character boundary).
pub fn common_prefix<S: AsRef<str>>(roots: &[S]) -> &str {
    let Some(first) = roots.first().map(AsRef::as_ref) else {
        return "";
    };
    let mut len = first.len();
    for r in roots {
        len = len.min(
            first
                .char_indices()
                .zip(r.as_ref().chars())
                .take_while(|((_, a), b)| a == b)
                .map(|((k, a), _)| k + a.len_utf8())
                .last()
                .unwrap_or(0),
        );
    }
    first.get(..len).unwrap_or("")
}

/// Every `-exec`/`-execdir`/`-ok`/`-okdir` command of a `find`, `{}` as unknown words
/// (each of known shape when the starting points tell it: results of `find .` start with
/// `.`, so they are never options).
pub fn find_exec_commands(args: &[Word]) -> Vec<Vec<Word>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        if !matches!(w.lit(), Some("-exec" | "-execdir" | "-ok" | "-okdir")) {
            continue;
        }
        let shape = find_result_shape(args, matches!(w.lit(), Some("-execdir" | "-okdir")));
        let mut inner = Vec::new();
        let mut plus = false;
        while let Some(a) = args.get(i) {
            i += 1;
            match a.lit() {
                Some(";") => break,
                Some("+") if inner.last().is_some_and(|l: &Word| l.display() == "{}") => {
                    plus = true;
                    break;
                }
                _ => {}
            }
            inner.push(if a.display().contains("{}") {
                Word::unknown(a.display().to_string(), plus)
            } else {
                a.clone()
            });
        }
        if plus && let Some(last) = inner.last_mut() {
            *last = Word::unknown("{}", true);
        }
        // A lone `{}` is a result of the shape the starting points give. (With `+` it
        // stands for one or more results, each of that shape: kept as one word of it,
        // which only matters to an `exact` rule counting words.)
        if let Some(pattern) = &shape {
            for w in inner.iter_mut().skip(1) {
                if w.display() == "{}" {
                    *w = Word::Unknown {
                        text: "{}".into(),
                        split: false,
                        pattern: pattern.clone(),
                        outside_git: false,
                        existing: false,
                        tracked: false,
                    };
                }
            }
        }
        if !inner.is_empty() {
            out.push(inner);
        }
    }
    out
}

/// `find [-H|-L|-P|-D x|-Ox…] -- paths expr` without the `--`, so rules about the
/// expression (`-delete`) see it.
pub fn find_without_end_of_options(words: &[Word]) -> Vec<Word> {
    let mut out = Vec::with_capacity(words.len());
    let mut in_options = true;
    let mut i = 0;
    while let Some(w) = words.get(i) {
        i += 1;
        if i == 1 {
            out.push(w.clone());
            continue;
        }
        if in_options {
            match w.lit() {
                Some("--") => {
                    in_options = false;
                    continue;
                }
                Some("-H" | "-L" | "-P") => {}
                Some("-D") => {
                    out.push(w.clone());
                    if let Some(v) = words.get(i) {
                        out.push(v.clone());
                        i += 1;
                    }
                    continue;
                }
                Some(t) if t.starts_with("-O") => {}
                _ => in_options = false,
            }
        }
        out.push(w.clone());
    }
    out
}

/// What a `sed` script makes sed run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SedRun {
    /// `e COMMAND`: a shell command line.
    Script(String),
    /// `e` alone or the `e` flag of `s///e`: the pattern space (text from the input) is
    /// run as a command.
    PatternSpace,
    /// `w FILE`, `W FILE` or the `w FILE` flag of `s///`: FILE is written (truncated
    /// when sed starts; `/dev/stdout` and `/dev/stderr` are the streams).
    Write(String),
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
                        i = past_delimiter(chars.as_slice(), i, delim);
                    }
                    let flags: String = chars
                        .get(i..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|c| !matches!(c, ';' | '}'))
                        .collect();
                    i += flags.chars().count();
                    // Flags before `w FILE` only: `w` takes the rest of the line.
                    let (flags, file) = match flags.split_once('w') {
                        Some((f, file)) => (f, Some(file)),
                        None => (flags.as_str(), None),
                    };
                    if command == 's' && flags.contains('e') {
                        out.push(SedRun::PatternSpace);
                    }
                    if command == 's'
                        && let Some(file) = file
                    {
                        let rest: String = chars.get(i..).unwrap_or(&[]).iter().collect();
                        let file = format!("{file}{rest}");
                        out.push(SedRun::Write(file.trim().to_string()));
                        break;
                    }
                }
                'a' | 'i' | 'c' => {
                    text_follows = line.ends_with('\\');
                    break;
                }
                'w' | 'W' => {
                    let rest: String = chars.get(i..).unwrap_or(&[]).iter().collect();
                    out.push(SedRun::Write(rest.trim().to_string()));
                    break;
                }
                // Commands whose argument is the rest of the line.
                'r' | 'R' | ':' | '#' => break,
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

/// One command of the plain subset of sed that [`sed_plain_edit`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SedCommand {
    /// `d`: the line is left out.
    Delete,
    /// `s/PATTERN/REPLACEMENT/FLAGS`, the parts as written (escapes kept).
    Substitute {
        /// The regular expression, escapes kept, the delimiter unescaped.
        pattern: String,
        /// The replacement, escapes kept, the delimiter unescaped.
        replacement: String,
    },
}

/// The commands of a sed command line that edits with `s` and `d` only (any addresses,
/// `!`, `{…}` groups; the flags `g`, `p`, `i`/`I`, `m`/`M` and a number), with options
/// that change nothing else (`-i[SUFFIX]`, `-E`, `-n`, `-s`, `-u`, `--posix`). `None`
/// for anything else: another command (`a`, `e`, `w`, `N`, …), a script from a file,
/// `-z` (the whole input as one line), a script only known at run time.
pub fn sed_plain_edit(args: &[String]) -> Option<Vec<SedCommand>> {
    let mut scripts: Vec<&str> = Vec::new();
    let mut operands = false;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        i += 1;
        match w.as_str() {
            "-e" | "--expression" => {
                scripts.push(args.get(i)?);
                i += 1;
            }
            "-E" | "-r" | "--regexp-extended" | "-n" | "--quiet" | "--silent" | "-s"
            | "--separate" | "-u" | "--unbuffered" | "--posix" | "--in-place" => {}
            _ if w.starts_with("--expression=") => scripts.push(w.get(13..)?),
            _ if w.starts_with("--in-place=") => {}
            _ if w.starts_with("--") => return None,
            _ if w.starts_with('-') && w.len() > 1 => {
                // A bundle: `-Ei`, `-i.bak` (the rest is the suffix), `-ne SCRIPT`.
                let letters = w.get(1..)?;
                for (k, c) in letters.char_indices() {
                    match c {
                        'E' | 'r' | 'n' | 's' | 'u' => {}
                        'i' => break,
                        'e' => {
                            let glued = letters.get(k + 1..)?;
                            if glued.is_empty() {
                                scripts.push(args.get(i)?);
                                i += 1;
                            } else {
                                scripts.push(glued);
                            }
                            break;
                        }
                        _ => return None,
                    }
                }
            }
            _ if scripts.is_empty() && !operands => {
                operands = true;
                scripts.push(w);
            }
            _ => {}
        }
    }
    if scripts.is_empty() {
        return None;
    }
    let mut commands = Vec::new();
    for script in scripts {
        commands.extend(sed_plain_commands(script)?);
    }
    Some(commands)
}

/// The commands of one script of the subset [`sed_plain_edit`] reads.
fn sed_plain_commands(script: &str) -> Option<Vec<SedCommand>> {
    let chars: Vec<char> = script.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while chars
            .get(i)
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | ';' | '{' | '}'))
        {
            i += 1;
        }
        if i >= chars.len() {
            return Some(out);
        }
        i = skip_sed_address(&chars, i);
        if chars.get(i) == Some(&',') {
            i = skip_sed_address(&chars, i + 1);
        }
        while chars.get(i).is_some_and(|c| matches!(c, ' ' | '\t' | '!')) {
            i += 1;
        }
        match chars.get(i)? {
            'd' => {
                out.push(SedCommand::Delete);
                i += 1;
            }
            's' => {
                let delim = *chars.get(i + 1)?;
                if matches!(delim, '\\' | '\n') {
                    return None;
                }
                let (pattern, next) = sed_part(&chars, i + 2, delim)?;
                let (replacement, next) = sed_part(&chars, next, delim)?;
                i = next;
                while let Some(c) = chars.get(i) {
                    match c {
                        'g' | 'p' | 'i' | 'I' | 'm' | 'M' => i += 1,
                        c if c.is_ascii_digit() => i += 1,
                        _ => break,
                    }
                }
                out.push(SedCommand::Substitute {
                    pattern,
                    replacement,
                });
            }
            _ => return None,
        }
        // A command ends at a separator or the end.
        if chars
            .get(i)
            .is_some_and(|c| !matches!(c, ' ' | '\t' | '\n' | ';' | '}'))
        {
            return None;
        }
    }
}

/// The text from `i` to the next unescaped `delim` (escapes kept, an escaped `delim`
/// unescaped) and the index after it; `None` when there is no closing `delim`.
fn sed_part(chars: &[char], mut i: usize, delim: char) -> Option<(String, usize)> {
    let mut part = String::new();
    loop {
        let c = *chars.get(i)?;
        i += 1;
        if c == delim {
            return Some((part, i));
        }
        if c == '\\' {
            let next = *chars.get(i)?;
            i += 1;
            if next != delim {
                part.push('\\');
            }
            part.push(next);
        } else {
            part.push(c);
        }
    }
}

/// The index after the next unescaped `delim` at or after `i` (the end when none).
fn past_delimiter(chars: &[char], mut i: usize, delim: char) -> usize {
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c == '\\' {
            i += 1;
        } else if c == delim {
            break;
        }
    }
    i
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
            i = past_delimiter(chars, i + 1, delim);
            // `I` / `M` modifiers.
            while chars.get(i).is_some_and(|c| matches!(c, 'I' | 'M')) {
                i += 1;
            }
        }
        _ => {}
    }
    i
}

/// What mktemp puts for each `X`: one ASCII letter or digit (never `/` or `.`).
const RANDOM: &str = "[A-Za-z0-9]";

/// The path GNU `mktemp ARGS` prints, as a glob (each random letter [`RANDOM`]), when its
/// arguments are literal and valid. `tmpdir` is `$TMPDIR` as the script will see it, `""`
/// when unset, `None` when not known (then only forms that do not read it are known).
/// Relative when the template is and no directory option is given, as mktemp prints it.
/// (coreutils: no template means `tmp.XXXXXXXXXX` under `--tmpdir`; the random part is
/// the last run of at least three `X`s before the suffix; `-t` prefers `$TMPDIR` to
/// `-p`, `-p`/`--tmpdir` prefer their own directory; an empty directory counts as none.)
pub fn mktemp_output(args: &[&str], tmpdir: Option<&str>) -> Option<String> {
    let (mut dir_option, mut legacy_t, mut suffix, mut template) = (None, false, None, None);
    let mut rest = args.iter();
    let mut options = true;
    while let Some(&arg) = rest.next() {
        if options && arg == "--" {
            options = false;
        } else if options && arg.starts_with("--") {
            match arg.split_once('=') {
                Some(("--tmpdir", dir)) => dir_option = Some(dir),
                Some(("--suffix", s)) if !s.contains('/') => suffix = Some(s),
                None if arg == "--tmpdir" => dir_option = Some(""),
                None if matches!(arg, "--directory" | "--dry-run" | "--quiet") => {}
                _ => return None,
            }
        } else if options && arg.len() > 1 && arg.starts_with('-') {
            let letters = arg.get(1..).unwrap_or("");
            for (at, c) in letters.char_indices() {
                match c {
                    'd' | 'u' | 'q' => {}
                    't' => legacy_t = true,
                    'p' => {
                        let attached = letters.get(at + 1..).unwrap_or("");
                        dir_option = Some(if attached.is_empty() {
                            *rest.next()?
                        } else {
                            attached
                        });
                        break;
                    }
                    _ => return None,
                }
            }
        } else if template.replace(arg).is_some() {
            return None;
        }
    }
    let given = dir_option.filter(|d| !d.is_empty());
    // The directory mktemp falls back to: `$TMPDIR`, else `/tmp`.
    let fallback = || tmpdir.map(|t| if t.is_empty() { "/tmp" } else { t });
    let (template, dir) = match template {
        None => ("tmp.XXXXXXXXXX", Some(given.or_else(fallback)?)),
        Some(t) if legacy_t && !t.contains('/') => {
            let dir = match tmpdir? {
                "" => given.unwrap_or("/tmp"),
                set => set,
            };
            (t, Some(dir))
        }
        Some(t) if dir_option.is_some() && !t.starts_with('/') && !legacy_t => {
            (t, Some(given.or_else(fallback)?))
        }
        Some(t) if dir_option.is_none() && !legacy_t => (t, None),
        Some(_) => return None,
    };
    let (stem, tail) = match suffix {
        Some(s) => (template, s),
        None => template.split_at(template.rfind('X')? + 1),
    };
    let kept = stem.trim_end_matches('X');
    let random = stem.len() - kept.len();
    if random < 3 {
        return None;
    }
    let mut out = String::new();
    if let Some(dir) = dir {
        crate::policy::rule::escape_into(&mut out, dir.trim_end_matches('/'));
        out.push('/');
    }
    crate::policy::rule::escape_into(&mut out, kept);
    for _ in 0..random {
        out.push_str(RANDOM);
    }
    crate::policy::rule::escape_into(&mut out, tail);
    Some(out)
}

#[cfg(test)]
mod tests {
    #[rstest::rstest]
    #[case("", Some(""), Some("/tmp/tmp.??????????"))]
    #[case("-d", Some(""), Some("/tmp/tmp.??????????"))]
    #[case("-d", Some("/opt"), Some("/opt/tmp.??????????"))]
    #[case("-d", None, None)]
    #[case("-d -p /var", None, Some("/var/tmp.??????????"))]
    #[case("-dp/var", None, Some("/var/tmp.??????????"))]
    #[case("--tmpdir=/srv", None, Some("/srv/tmp.??????????"))]
    #[case("--tmpdir", Some(""), Some("/tmp/tmp.??????????"))]
    #[case("-p '' XXX", Some(""), Some("/tmp/???"))]
    #[case("fooXXXbar", None, Some("foo???bar"))]
    #[case("XXXa", None, Some("???a"))]
    #[case("a/XXXX", None, Some("a/????"))]
    #[case("--tmpdir a/XXXX", Some(""), Some("/tmp/a/????"))]
    #[case("-t XXXX", Some("/opt"), Some("/opt/????"))]
    #[case("-p /var -t XXXX", Some("/opt"), Some("/opt/????"))]
    #[case("-p /var -t XXXX", Some(""), Some("/var/????"))]
    #[case("-t a/XXX", Some(""), None)]
    #[case("--suffix=.txt fooXXX", None, Some("foo???.txt"))]
    #[case("-u x*XXXX", None, Some("x[*]????"))]
    #[case("XX", None, None)]
    #[case("a b XXX", None, None)]
    #[case("--help", None, None)]
    #[case("-x XXX", None, None)]
    #[case("--tmpdir /abs/XXX", Some(""), None)]
    fn mktemp_prints_what_coreutils_prints(
        #[case] args: &str,
        #[case] tmpdir: Option<&str>,
        #[case] want: Option<&str>,
    ) {
        let args: Vec<&str> = args
            .split_whitespace()
            .map(|a| if a == "''" { "" } else { a })
            .collect();
        let want = want.map(|w| w.replace('?', super::RANDOM));
        assert_eq!(super::mktemp_output(&args, tmpdir), want);
    }

    use super::*;

    fn lits(s: &[&str]) -> Vec<Word> {
        s.iter().map(|w| Word::Lit((*w).into())).collect()
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
    fn deletions_read_as_rm() {
        let rm = |base: &str, args: &str| {
            let how = crate::command::programs::lookup(base).removes.unwrap();
            removed(how, &crate::command::programs::lits(args))
                .into_iter()
                .map(|argv| {
                    argv.iter()
                        .map(|w| w.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(rm("cargo", "clean --target-dir /x"), vec!["rm -rf -- /x"]);
        assert_eq!(
            rm("cargo", "-C d clean --target-dir=/x"),
            vec!["rm -rf -- /x"]
        );
        assert!(rm("cargo", "build --target-dir /x").is_empty());
        assert_eq!(
            rm("cmake", "-E remove_directory a b"),
            vec!["rm -rf -- a b"]
        );
        assert_eq!(rm("cmake", "-E rm -r x"), vec!["rm -r x"]);
        assert_eq!(
            rm("tar", "czf /tmp/a.tgz --remove-files -C /h src"),
            vec!["rm -r -- /h/src"]
        );
        assert!(rm("tar", "czf /tmp/a.tgz src").is_empty());
        assert_eq!(rm("zip", "-rm a.zip d e"), vec!["rm -r -- d e"]);
        assert_eq!(rm("zip", "-m a.zip f"), vec!["rm -- f"]);
        assert!(rm("zip", "-r a.zip d").is_empty());
        assert_eq!(
            rm("rsync", "-avz -e ssh --delete src/ dest/"),
            vec!["rm -r -- dest/"]
        );
        assert!(rm("rsync", "-a --delete src/ host:dest/").is_empty());
        assert_eq!(
            rm("rsync", "-a --remove-source-files a b host:/x"),
            vec!["rm -r -- a b"]
        );
    }
}
