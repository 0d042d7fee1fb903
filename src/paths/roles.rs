//! Which arguments of a program are files, and what it does with them: a table row per
//! program, grouped by family. The walk over a command's words asks the table; it does
//! not grow a branch per program.
//!
//! A program the table does not know gets its path-like literal arguments (containing
//! `/`, or starting with `.` or `~`) as operands of access [`Access::Any`]: it may read
//! or write them, so a write rule only *could* match (→ at least `request`).

use super::Access;
use crate::command::{Redirect, RedirectAccess, SimpleCommand, Word};

/// What a program does with its operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Every operand has this access. `subtree`: the program acts on everything under a
    /// directory operand (`rm -r`, `chmod -R`), so a rule about anything below it matches.
    /// `skip`: leading operands that are not files (chmod's mode, grep's pattern) unless
    /// one of `given_by` supplies them as an option.
    Each {
        access: Access,
        subtree: Subtree,
        skip: usize,
        given_by: &'static [&'static str],
    },
    /// The destination (last operand, or `-t DIR`) is written; the other operands have
    /// `sources` access (`mv` removes its sources: write, subtree).
    Copy { sources: Access, subtree: bool },
    /// `dd`: `of=` written, `if=` read.
    Dd,
    /// `sed`, `perl`: with `-i` the file operands are written, else read; the first
    /// operand is the script unless `-e`/`-f` give it.
    InPlace,
    /// `tar`: `-C DIR` is written (extracting) or read; `-f FILE` written when creating.
    Tar,
    /// `unzip`: `-d DIR` written, the archive read.
    Unzip,
    /// `find`: its starting points are written (subtree) with `-delete`, else read.
    Find,
    /// `git`: by subcommand (`checkout|restore -- paths`, `rm`, `mv`, `clean` write).
    Git,
    /// Arguments are data, never files (`echo`, `printf`, `cd`).
    Data,
}

/// When a program acts on everything under a directory operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subtree {
    /// Never (`touch`, `tee`: the operand itself).
    Never,
    /// Always (`ln`: a link to a directory reaches everything under it).
    Always,
    /// With a recursive option (`rm -r`, `chmod -R`): a literal option word holding one
    /// of these short letters, or `--recursive`.
    Recursive(&'static [char]),
}

/// Options that give grep-like programs their pattern (so the first operand is a file).
const PATTERN_OPTIONS: &[&str] = &["-e", "-f", "--regexp", "--file"];
/// Options that give chmod/chown/chgrp their mode or owner from another file.
const REFERENCE_OPTIONS: &[&str] = &["--reference"];

/// The table: programs by family, and what they do with their operands.
const TABLE: &[(&[&str], Shape)] = &[
    // Deleting and changing metadata: writes to everything under the operand.
    (
        &["rm", "srm", "trash", "trash-put"],
        Shape::Each {
            access: Access::Write,
            subtree: Subtree::Recursive(&['r', 'R']),
            skip: 0,
            given_by: &[],
        },
    ),
    (
        &["rmdir", "unlink", "shred"],
        Shape::Each {
            access: Access::Write,
            subtree: Subtree::Never,
            skip: 0,
            given_by: &[],
        },
    ),
    (
        &["chmod", "chown", "chgrp", "chattr", "setfacl"],
        Shape::Each {
            access: Access::Write,
            subtree: Subtree::Recursive(&['R']),
            skip: 1,
            given_by: REFERENCE_OPTIONS,
        },
    ),
    // Creating and writing files.
    (
        &[
            "touch", "truncate", "mkdir", "mkfifo", "mknod", "tee", "sponge",
        ],
        Shape::Each {
            access: Access::Write,
            subtree: Subtree::Never,
            skip: 0,
            given_by: &[],
        },
    ),
    // A link's target becomes writable through the link: both operands count, and a
    // link to a directory reaches everything under it.
    (
        &["ln", "link"],
        Shape::Each {
            access: Access::Write,
            subtree: Subtree::Always,
            skip: 0,
            given_by: &[],
        },
    ),
    (
        &["cp", "install", "rsync", "scp"],
        Shape::Copy {
            sources: Access::Read,
            subtree: false,
        },
    ),
    (
        &["mv"],
        Shape::Copy {
            sources: Access::Write,
            subtree: true,
        },
    ),
    (&["dd"], Shape::Dd),
    (&["sed", "gsed", "perl"], Shape::InPlace),
    (&["tar", "gtar", "bsdtar"], Shape::Tar),
    (&["unzip"], Shape::Unzip),
    (&["find"], Shape::Find),
    (&["git"], Shape::Git),
    // Readers.
    (
        &[
            "cat",
            "tac",
            "less",
            "more",
            "head",
            "tail",
            "wc",
            "diff",
            "cmp",
            "file",
            "stat",
            "ls",
            "du",
            "source",
            ".",
            "bat",
            "nl",
            "od",
            "xxd",
            "hexdump",
            "strings",
            "md5sum",
            "sha1sum",
            "sha256sum",
            "sha512sum",
            "base64",
            "readlink",
            "realpath",
            "tree",
            "column",
            "cut",
            "uniq",
            "fold",
        ],
        Shape::Each {
            access: Access::Read,
            subtree: Subtree::Never,
            skip: 0,
            given_by: &[],
        },
    ),
    (
        &["grep", "egrep", "fgrep", "rg", "ag", "ack", "jq", "yq"],
        Shape::Each {
            access: Access::Read,
            subtree: Subtree::Never,
            skip: 1,
            given_by: PATTERN_OPTIONS,
        },
    ),
    // Arguments that are data.
    (
        &[
            "echo",
            "printf",
            "true",
            "false",
            ":",
            "test",
            "[",
            "pwd",
            "sleep",
            "date",
            "exit",
            "return",
            "export",
            "declare",
            "typeset",
            "local",
            "readonly",
            "set",
            "unset",
            "shift",
            "read",
            "cd",
            "pushd",
            "popd",
            "kill",
            "wait",
            "type",
            "which",
            "alias",
            "unalias",
            "trap",
            "let",
            "shopt",
            "hash",
            "command",
            "builtin",
            "eval",
            "exec",
            "policy-exec",
            "whoami",
            "id",
            "uname",
            "hostname",
            "env",
            "printenv",
            "seq",
        ],
        Shape::Data,
    ),
    // Disk and partition tools: what they do to a device depends on subcommands and
    // options (`parted /dev/sda print` reads, `parted /dev/sda rm 1` writes), which the
    // disk pack's command rules judge one by one; a device path alone says nothing.
    // (Tools the pack has no rules for — fsck, badblocks, tune2fs — stay "may write".)
    (
        &[
            "parted",
            "sgdisk",
            "sfdisk",
            "gdisk",
            "fdisk",
            "cfdisk",
            "cgdisk",
            "wipefs",
            "blkid",
            "lsblk",
            "smartctl",
            "hdparm",
            "cryptsetup",
            "mdadm",
            "blkdiscard",
            "nvme",
        ],
        Shape::Data,
    ),
];

/// One file a command opens or names, with what it does to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operand {
    /// The word as expanded.
    pub word: Word,
    /// The directory it is relative to, when the redirection was written outside the
    /// command's own directory (a compound command's); `None`: the command's.
    pub dir: Option<crate::command::Dir>,
    /// What the command does to it.
    pub access: Access,
    /// Whether the command acts on everything under it (delete, move, `chmod -R`).
    pub subtree: bool,
    /// Where it comes from, for `explain` (`` `>` redirection ``, `operand of rm`).
    pub role: String,
}

/// Every file operand of `cmd`: its redirections, then its arguments by the table.
pub fn operands(cmd: &SimpleCommand) -> Vec<Operand> {
    let mut out: Vec<Operand> = cmd.redirects.iter().map(redirect_operand).collect();
    // Commands that are only hints (interpreter strings, could-run words) and dynamic
    // ones (no known program) have no argument roles; their redirections still count.
    if cmd.dynamic.is_some() {
        return out;
    }
    let Some(program) = cmd.program() else {
        return out;
    };
    let args = cmd.words.get(1..).unwrap_or(&[]);
    let shape = TABLE
        .iter()
        .find(|(names, _)| names.contains(&program))
        .map(|(_, shape)| *shape);
    let role = format!("operand of {program}");
    let mut push = |word: &Word, access: Access, subtree: bool| {
        out.push(Operand {
            word: word.clone(),
            dir: None,
            access,
            subtree,
            role: role.clone(),
        });
    };
    match shape {
        None => {
            for w in args {
                if let Some(path) = path_like(w) {
                    push(&path, Access::Any, false);
                }
            }
        }
        Some(Shape::Data) => {}
        Some(Shape::Each {
            access,
            subtree,
            skip,
            given_by,
        }) => {
            let (opts, files) = split(args);
            let skip = if has_option(&opts, given_by) { 0 } else { skip };
            let subtree = match subtree {
                Subtree::Never => false,
                Subtree::Always => true,
                Subtree::Recursive(letters) => opts.iter().any(|o| {
                    o.lit().is_some_and(|t| match t.strip_prefix("--") {
                        Some(long) => long == "recursive",
                        None => t.chars().skip(1).any(|c| letters.contains(&c)),
                    })
                }),
            };
            for w in files.iter().skip(skip) {
                push(w, access, subtree);
            }
        }
        Some(Shape::Copy { sources, subtree }) => {
            // Option values are not operands (`-t DIR`, `-S SUFFIX`, install's `-m MODE`).
            let mut kept = Vec::new();
            let mut skip_next = false;
            for w in args {
                if std::mem::take(&mut skip_next) {
                    continue;
                }
                skip_next = matches!(
                    w.lit(),
                    Some("-t" | "--target-directory" | "-S" | "--suffix" | "-m" | "-o" | "-g")
                );
                kept.push(w.clone());
            }
            let (opts, files) = split(&kept);
            let target = option_value(args, &["-t", "--target-directory"]);
            let (dest, srcs) = match &target {
                Some(t) => (Some(t), files.as_slice()),
                None => match files.split_last() {
                    Some((last, rest)) => (Some(last), rest),
                    None => (None, files.as_slice()),
                },
            };
            let _ = opts;
            for s in srcs {
                push(s, sources, subtree);
            }
            if let Some(d) = dest {
                push(d, Access::Write, false);
                // Into a directory, each source lands as `DEST/<its name>`.
                if let Some(dir) = d.lit() {
                    for name in srcs.iter().filter_map(Word::lit) {
                        let base = name.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                        if !base.is_empty() && base != "." && base != ".." {
                            let inside = format!("{}/{base}", dir.trim_end_matches('/'));
                            push(&Word::Lit(inside), Access::Write, false);
                        }
                    }
                }
            }
        }
        Some(Shape::Dd) => {
            for w in args {
                if let Some(t) = w.lit() {
                    if let Some(f) = t.strip_prefix("of=") {
                        push(&Word::Lit(f.to_string()), Access::Write, false);
                    } else if let Some(f) = t.strip_prefix("if=") {
                        push(&Word::Lit(f.to_string()), Access::Read, false);
                    }
                } else {
                    // `dd "$X"`: may be `of=…` anything.
                    push(&Word::unknown(w.display(), false), Access::Write, false);
                }
            }
        }
        Some(Shape::InPlace) => {
            // `-e SCRIPT`/`-f FILE` take the next word: it is not an operand.
            let mut kept = Vec::new();
            let mut skip_next = false;
            for w in args {
                if std::mem::take(&mut skip_next) {
                    continue;
                }
                skip_next = matches!(w.lit(), Some("-e" | "-f" | "--expression" | "--file"));
                kept.push(w.clone());
            }
            let (opts, files) = split(&kept);
            let in_place = opts.iter().any(|o| match o.lit() {
                Some(t) if t.starts_with("--") => t.starts_with("--in-place"),
                // Short options bundle (`-i.bak`, `-Ei`, `-pi`); in sed `-i` may carry a
                // suffix, so an `i` anywhere after the dash counts.
                Some(t) => t.starts_with('-') && t.contains('i'),
                None => true,
            });
            let script_given = opts.iter().any(|o| {
                o.lit().is_some_and(|t| {
                    t == "-e"
                        || t == "-f"
                        || t.starts_with("--expression")
                        || t.starts_with("--file")
                        || (!t.starts_with("--") && (t.ends_with('e') || t.ends_with('f')))
                })
            });
            let skip = usize::from(!script_given);
            let access = if in_place {
                Access::Write
            } else {
                Access::Read
            };
            for w in files.iter().skip(skip) {
                push(w, access, false);
            }
        }
        Some(Shape::Tar) => {
            let first = args.first().and_then(Word::lit).unwrap_or("");
            let bundle = |c: char| !first.starts_with("--") && first.contains(c);
            let any = |long: &str, short: char| {
                bundle(short)
                    || args.iter().any(|w| {
                        w.lit().is_some_and(|t| {
                            t == long
                                || (t.starts_with('-') && !t.starts_with("--") && t.contains(short))
                        })
                    })
            };
            let extract = any("--extract", 'x') || any("--get", 'x');
            let create = any("--create", 'c') || any("--append", 'r') || any("--update", 'u');
            if let Some(dir) = option_value(args, &["-C", "--directory"]) {
                let access = if extract { Access::Write } else { Access::Read };
                push(&dir, access, extract);
            }
            if let Some(file) = option_value(args, &["-f", "--file"]) {
                let access = if create { Access::Write } else { Access::Read };
                push(&file, access, false);
            }
            if extract && option_value(args, &["-C", "--directory"]).is_none() {
                // Members land in the command's directory: it is written.
                push(&Word::Lit(".".to_string()), Access::Write, false);
            }
        }
        Some(Shape::Unzip) => {
            if let Some(dir) = option_value(args, &["-d"]) {
                push(&dir, Access::Write, true);
            }
            let (_, files) = split(args);
            if let Some(archive) = files.first() {
                push(archive, Access::Read, false);
            }
        }
        Some(Shape::Find) => {
            let roots: Vec<&Word> = args
                .iter()
                .take_while(|w| {
                    !w.lit()
                        .is_some_and(|t| t.starts_with('-') || t == "(" || t == "!")
                })
                .collect();
            // With `-delete` it removes what its expression selects under its starting
            // points: it may write anything there (a could-match). Commands run by
            // `-exec` are judged themselves, their `{}` as placeholders.
            // SECURITY (known limit): with a name test (`find . -name '*.pyc' -delete`)
            // the deletions are narrowed to the names it selects, and the starting
            // points are judged as read: a protected tree holding such a name is not
            // seen.
            let named = args.iter().any(|w| {
                matches!(
                    w.lit(),
                    Some("-name" | "-iname" | "-path" | "-ipath" | "-regex" | "-iregex")
                )
            });
            let deletes = !named && args.iter().any(|w| w.lit() == Some("-delete"));
            let access = if deletes { Access::Any } else { Access::Read };
            for r in roots {
                push(r, access, deletes);
            }
            for (i, w) in args.iter().enumerate() {
                if matches!(w.lit(), Some("-fprint" | "-fprint0" | "-fprintf" | "-fls"))
                    && let Some(f) = args.get(i + 1)
                {
                    push(f, Access::Write, false);
                }
            }
        }
        Some(Shape::Git) => {
            let sub = args.first().and_then(Word::lit).unwrap_or("");
            let rest = args.get(1..).unwrap_or(&[]);
            match sub {
                "checkout" | "restore" => {
                    // After `--` every operand is a path it overwrites; before it a word
                    // may be a branch or a path (`restore` takes only paths).
                    let dashdash = rest.iter().position(|w| w.lit() == Some("--"));
                    for (i, w) in rest.iter().enumerate() {
                        if w.lit().is_some_and(|t| t.starts_with('-')) {
                            continue;
                        }
                        let after = dashdash.is_some_and(|d| i > d);
                        if after || sub == "restore" {
                            push(w, Access::Write, false);
                        } else if let Some(p) = path_like(w) {
                            push(&p, Access::Any, false);
                        }
                    }
                }
                "rm" | "mv" | "clean" => {
                    let (_, files) = split(rest);
                    for w in files {
                        push(&w, Access::Write, true);
                    }
                }
                _ => {
                    for w in rest {
                        if let Some(p) = path_like(w) {
                            push(&p, Access::Any, false);
                        }
                    }
                }
            }
        }
    }
    // `find ROOT … -exec CMD {}`: `{}` is an entry under ROOT (`ROOT/{}`, which every
    // pattern protecting all of a tree under ROOT matches: `find .git -name '*.pack'
    // -exec rm {} +`); a write to every entry (no name test) reaches all of ROOT
    // (`find . -type f -exec rm -f {} +` empties `.git`).
    // SECURITY (known limit): otherwise the file names `find -exec … {}` and `xargs`
    // substitute are only known at run time; they are not treated as could-match
    // operands (every `find . -name '*.tmp' -exec rm {} \;` would ask). `find -delete` is.
    let mut results = Vec::new();
    if let Some(found) = &cmd.find_results {
        for o in out.iter().filter(|o| is_placeholder(&o.word)) {
            for root in &found.roots {
                let under = Operand {
                    word: Word::Lit(format!("{}/{{}}", root.trim_end_matches('/'))),
                    dir: Some(found.dir.clone()),
                    access: o.access,
                    subtree: o.subtree,
                    role: format!("{} (an entry `find` finds under `{root}`)", o.role),
                };
                if o.access == Access::Write && !found.narrowed {
                    results.push(Operand {
                        word: Word::Lit(root.clone()),
                        subtree: true,
                        role: format!("{} (every entry `find` finds under `{root}`)", o.role),
                        ..under.clone()
                    });
                }
                // `find . -name config -exec rm {} +` reaches `.git/config`.
                if o.access == Access::Write
                    && found.narrowed
                    && let Some(git_dir) = &found.git_dir
                {
                    results.push(Operand {
                        word: Word::Lit(format!("{git_dir}/{{}}")),
                        role: format!("{} (an entry `find` may find in `{git_dir}`)", o.role),
                        ..under.clone()
                    });
                }
                // `find ~ -name .bashrc -exec rm {} +`: those named so right under ROOT
                // (a pattern as the glob bash would read, with a leading `.` spelled out
                // too: find's `*` matches one, bash's does not).
                for name in found.names.first().into_iter().flatten() {
                    let root = root.trim_end_matches('/');
                    let mut words = Vec::new();
                    if !name.contains(['*', '?', '[', '\\']) {
                        words.push(Word::Lit(format!("{root}/{name}")));
                    } else if !name.contains(['/', '\\']) {
                        words.push(Word::Glob(format!("{root}/{name}")));
                        if !name.starts_with('.') {
                            words.push(Word::Glob(format!("{root}/.{name}")));
                        }
                    }
                    for word in words {
                        results.push(Operand {
                            word,
                            role: format!(
                                "{} (`{name}` under `{root}`, if `find` finds it)",
                                o.role
                            ),
                            ..under.clone()
                        });
                    }
                }
                results.push(under);
            }
        }
    }
    out.retain(|o| !is_placeholder(&o.word) && !is_device(&o.word));
    out.extend(results);
    out
}

/// `/dev/null`, `/dev/stderr`, a terminal: no file a path rule protects, and the agent
/// cannot put a link there. Skipped before any resolving (harness frames redirect to
/// `/dev/null` on every command).
fn is_device(w: &Word) -> bool {
    matches!(
        w.lit(),
        Some("/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/stdin" | "/dev/tty" | "/dev/zero")
    )
}

/// The file-name placeholders of `find -exec` and `xargs`.
fn is_placeholder(w: &Word) -> bool {
    match w {
        Word::Unknown { text, .. } => text.contains("{}") || text == "<xargs input>",
        _ => false,
    }
}

fn redirect_operand(r: &Redirect) -> Operand {
    Operand {
        word: r.target.clone(),
        dir: Some(r.dir.clone()),
        access: match r.access {
            RedirectAccess::Read => Access::Read,
            RedirectAccess::Write => Access::Write,
        },
        subtree: false,
        role: format!("`{}` redirection", r.operator),
    }
}

/// A literal argument that names a path (`a/b`, `./x`, `.git`, `~/x`, or the value of
/// `--opt=PATH`), for programs the table does not know.
fn path_like(w: &Word) -> Option<Word> {
    let t = w.lit()?;
    let value = if t.starts_with('-') {
        t.split_once('=')?.1
    } else {
        t
    };
    let looks = value.contains('/') || value.starts_with('.') || value.starts_with('~');
    (looks && !value.contains("://")).then(|| Word::Lit(value.to_string()))
}

/// The options and the operands of an argument list: `--` ends the options; an unknown
/// word is an operand (it may be a file).
fn split(args: &[Word]) -> (Vec<Word>, Vec<Word>) {
    let mut opts = Vec::new();
    let mut files = Vec::new();
    let mut ended = false;
    for w in args {
        match w.lit() {
            Some("--") if !ended => ended = true,
            Some(t) if !ended && t.starts_with('-') && t.len() > 1 => opts.push(w.clone()),
            _ => files.push(w.clone()),
        }
    }
    (opts, files)
}

/// Whether any of `names` is among the options (`--name` or `--name=…` too).
fn has_option(opts: &[Word], names: &[&str]) -> bool {
    opts.iter().any(|o| {
        o.lit().is_some_and(|t| {
            names
                .iter()
                .any(|n| t == *n || t.strip_prefix(n).is_some_and(|r| r.starts_with('=')))
        })
    })
}

/// The value of the first of `names` (`-t DIR`, `-tDIR`, `--target-directory=DIR`).
fn option_value(args: &[Word], names: &[&str]) -> Option<Word> {
    for (i, w) in args.iter().enumerate() {
        let Some(t) = w.lit() else { continue };
        if t == "--" {
            return None;
        }
        for n in names {
            if t == *n {
                return Some(
                    args.get(i + 1)
                        .cloned()
                        .unwrap_or_else(|| Word::unknown("", false)),
                );
            }
            if let Some(v) = t.strip_prefix(n) {
                if n.starts_with("--") {
                    if let Some(v) = v.strip_prefix('=') {
                        return Some(Word::Lit(v.to_string()));
                    }
                } else if !v.is_empty() {
                    return Some(Word::Lit(v.to_string()));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Dir, Via};

    fn cmd(words: &[&str]) -> SimpleCommand {
        SimpleCommand {
            words: words.iter().map(|w| Word::Lit(w.to_string())).collect(),
            dir: Dir::Start,
            dynamic: None,
            via: Via::Direct,
            parse_error: None,
            frames: Vec::new(),
            redirects: Vec::new(),
            find_results: None,
        }
    }

    fn roles(words: &[&str]) -> Vec<(String, Access, bool)> {
        operands(&cmd(words))
            .into_iter()
            .map(|o| (o.word.display().to_string(), o.access, o.subtree))
            .collect()
    }

    #[test]
    fn copy_reads_sources_and_writes_the_destination() {
        assert_eq!(
            roles(&["cp", "-r", "a", "b", "c"]),
            vec![
                ("a".into(), Access::Read, false),
                ("b".into(), Access::Read, false),
                ("c".into(), Access::Write, false),
                ("c/a".into(), Access::Write, false),
                ("c/b".into(), Access::Write, false)
            ]
        );
        assert_eq!(
            roles(&["cp", "-t", "d", "a"]),
            vec![
                ("a".into(), Access::Read, false),
                ("d".into(), Access::Write, false),
                ("d/a".into(), Access::Write, false)
            ]
        );
        assert_eq!(
            roles(&["rm", "-f", "a"]),
            vec![("a".into(), Access::Write, false)]
        );
        assert_eq!(
            roles(&["rm", "-fr", "a"]),
            vec![("a".into(), Access::Write, true)]
        );
        assert_eq!(
            roles(&["mv", "x", "/tmp/"]),
            vec![
                ("x".into(), Access::Write, true),
                ("/tmp/".into(), Access::Write, false),
                ("/tmp/x".into(), Access::Write, false)
            ]
        );
    }

    #[test]
    fn sed_writes_its_files_only_in_place() {
        assert_eq!(
            roles(&["sed", "-i", "s/a/b/", "f"]),
            vec![("f".into(), Access::Write, false)]
        );
        assert_eq!(
            roles(&["sed", "s/a/b/", "f"]),
            vec![("f".into(), Access::Read, false)]
        );
        assert_eq!(
            roles(&["perl", "-pi", "-e", "s/a/b/", "f"]),
            vec![("f".into(), Access::Write, false)]
        );
    }

    #[test]
    fn grep_pattern_and_chmod_mode_are_not_files() {
        assert_eq!(
            roles(&["grep", "-n", "x", "f"]),
            vec![("f".into(), Access::Read, false)]
        );
        assert_eq!(
            roles(&["chmod", "-R", "600", "d"]),
            vec![("d".into(), Access::Write, true)]
        );
        assert_eq!(roles(&["echo", "/etc/passwd"]), vec![]);
        assert_eq!(roles(&["tee", "/dev/null"]), vec![]);
    }

    #[test]
    fn unknown_programs_name_path_like_arguments() {
        assert_eq!(
            roles(&["vim", "notes", "./a", "--out=~/x", "-v"]),
            vec![
                ("./a".into(), Access::Any, false),
                ("~/x".into(), Access::Any, false)
            ]
        );
        assert_eq!(
            roles(&["git", "checkout", "--", "a"]),
            vec![("a".into(), Access::Write, false)]
        );
        assert_eq!(roles(&["git", "commit", "-am", "x"]), vec![]);
        assert_eq!(
            roles(&["dd", "if=/etc/hosts", "of=/x"]),
            vec![
                ("/etc/hosts".into(), Access::Read, false),
                ("/x".into(), Access::Write, false)
            ]
        );
    }
}
