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
    /// `curl`/`wget`: `file://PATH` URLs and `@FILE` uploads read (`-d @F`, `-F f=@F`,
    /// `-T F`, `--post-file F`), `-o F`/`-O F`/`--output F` written.
    Transfer,
    /// `zip`: the archive (first operand) written, the files read (everything under a
    /// directory with `-r`), or deleted with `-m`.
    Zip,
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

/// Readers that also write a file: the options naming it, and the operand that is it
/// (by position among the file operands).
const OUTPUTS: &[(&[&str], &[&str], Option<usize>)] = &[
    (&["sort"], &["-o", "--output"], None),
    (&["iconv"], &["-o", "--output"], None),
    (&["less"], &["-o", "-O", "--log-file", "--LOG-FILE"], None),
    (&["uniq", "xxd"], &[], Some(1)),
];

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
    (&["zip"], Shape::Zip),
    (&["curl", "wget"], Shape::Transfer),
    (&["find"], Shape::Find),
    (&["git"], Shape::Git),
    // Readers: they put the contents where the agent sees them.
    (
        &[
            "cat", "tac", "less", "more", "head", "tail", "diff", "cmp", "bat", "batcat", "nl",
            "od", "xxd", "hexdump", "strings", "base64", "base32", "column", "cut", "uniq", "fold",
            "sort", "paste", "rev", "expand", "unexpand", "pr", "fmt", "iconv", "comm", "join",
            "look", "tr", "view", "zcat", "zless", "bzcat", "xzcat", "zstdcat",
        ],
        Shape::Each {
            access: Access::Read,
            subtree: Subtree::Never,
            skip: 0,
            given_by: &[],
        },
    ),
    // Programs that name files without reading their contents: a listing, metadata, a
    // count or a checksum; `source` loads the values without printing them.
    (
        &[
            "ls",
            "stat",
            "file",
            "du",
            "wc",
            "tree",
            "readlink",
            "realpath",
            "basename",
            "dirname",
            "source",
            ".",
            "md5sum",
            "sha1sum",
            "sha224sum",
            "sha256sum",
            "sha384sum",
            "sha512sum",
            "b2sum",
            "cksum",
            "sum",
        ],
        Shape::Each {
            access: Access::Name,
            subtree: Subtree::Never,
            skip: 0,
            given_by: &[],
        },
    ),
    // Loading a key into the agent, without printing it.
    (
        &["ssh-add"],
        Shape::Each {
            access: Access::Name,
            subtree: Subtree::Never,
            skip: 0,
            given_by: &[],
        },
    ),
    (
        &["grep", "egrep", "fgrep"],
        Shape::Each {
            access: Access::Read,
            subtree: Subtree::Recursive(&['r', 'R']),
            skip: 1,
            given_by: PATTERN_OPTIONS,
        },
    ),
    // Searching a directory by default.
    (
        &["rg", "ag", "ack"],
        Shape::Each {
            access: Access::Read,
            subtree: Subtree::Always,
            skip: 1,
            given_by: PATTERN_OPTIONS,
        },
    ),
    (
        &["jq", "yq"],
        Shape::Each {
            access: Access::Read,
            subtree: Subtree::Never,
            skip: 1,
            // jq's `-e` is `--exit-status`: only a filter file replaces the filter.
            given_by: &["-f", "--from-file"],
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
    /// A recursive read that prints from every file under it, hidden and ignored ones
    /// included (`grep -r`; not `rg`, which skips them): a protected file now in that
    /// tree is read.
    pub whole: bool,
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
            whole: false,
            role: role.clone(),
        });
    };
    match shape {
        None => {
            for (i, w) in args.iter().enumerate() {
                // A file an option hands to the program to load, not to print
                // (`docker run --env-file .env`, `kubectl --kubeconfig F`).
                let after_loader = i
                    .checked_sub(1)
                    .and_then(|p| args.get(p))
                    .and_then(Word::lit)
                    .is_some_and(|t| !t.contains('=') && loads(program, t));
                let access = if after_loader
                    || w.lit()
                        .is_some_and(|t| t.contains('=') && loads(program, t))
                {
                    Access::Name
                } else {
                    Access::Any
                };
                if let Some(path) = path_like(w) {
                    push(&path, access, false);
                } else if let Word::Unknown { pattern, .. } = w
                    && pattern.contains("/.")
                    && !pattern.starts_with('-')
                {
                    // `awk 1 "$HOME/.aws/credentials"`: a path only partly known that
                    // names a hidden file or directory, for rules about reading (for
                    // writes, as before, it is not judged: every `tool "$DIR/x"` would
                    // ask).
                    if access == Access::Any {
                        push(w, Access::Read, false);
                    }
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
                        Some(long) => matches!(long, "recursive" | "dereference-recursive"),
                        None => t.chars().skip(1).any(|c| letters.contains(&c)),
                    })
                }),
            };
            // A reader's output file (`sort -o F`, `uniq IN OUT`) is written.
            let (out_options, out_operand) = OUTPUTS
                .iter()
                .find(|(names, _, _)| names.contains(&program))
                .map_or((&[][..], None), |(_, options, operand)| {
                    (*options, *operand)
                });
            let output = option_value(args, out_options);
            let mut operands: Vec<&Word> = files
                .iter()
                .skip(skip)
                .filter(|w| output.as_ref() != Some(*w))
                .collect();
            // `grep -r PATTERN` with no file searches `.`; with `--include=GLOB` it reads
            // only the files named so under each directory.
            let here = Word::Lit(".".to_string());
            if GREPS.contains(&program) && subtree && operands.is_empty() {
                operands.push(&here);
            }
            let includes = if GREPS.contains(&program) && subtree {
                option_values(args, "--include")
            } else {
                Vec::new()
            };
            if !includes.is_empty() {
                for w in operands.drain(..) {
                    let Some(dir) = w.lit() else {
                        push(w, access, subtree);
                        continue;
                    };
                    for glob in &includes {
                        push(&included(dir, glob), access, false);
                    }
                }
            }
            if let Some(o) = &output {
                push(o, Access::Write, false);
            }
            if let Some(n) = out_operand
                && operands.len() > n
            {
                push(operands.remove(n), Access::Write, false);
            }
            // A link's target can be read through it under the link's name (`ln -s
            // ~/.ssh/id_rsa k; cat k`): the targets count as read too.
            if matches!(program, "ln" | "link") && operands.len() > 1 {
                for w in operands.iter().take(operands.len() - 1) {
                    push(w, Access::Read, subtree);
                }
            }
            for w in operands {
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
            // A recursive copy reads everything under a source directory
            // (`cp -r ~/.ssh x`, `rsync -a`).
            let subtree = subtree
                || opts.iter().any(|o| {
                    o.lit().is_some_and(|t| match t.strip_prefix("--") {
                        Some(long) => matches!(long, "recursive" | "archive"),
                        None => t.chars().skip(1).any(|c| matches!(c, 'r' | 'R' | 'a')),
                    })
                });
            let target = option_value(args, &["-t", "--target-directory"]);
            let (dest, srcs) = match &target {
                Some(t) => (Some(t), files.as_slice()),
                None => match files.split_last() {
                    Some((last, rest)) => (Some(last), rest),
                    None => (None, files.as_slice()),
                },
            };
            for s in srcs {
                push(s, sources, subtree);
                // A moved file can be read under its new name (`mv .env x; cat x`).
                if sources == Access::Write {
                    push(s, Access::Read, subtree);
                }
            }
            if let Some(d) = dest {
                // A recursive copy or a move writes anything under the destination when
                // it becomes the source (`mv d ~/.claude`) or receives its contents
                // (`cp -r dot/. ~` lands on `~/.bashrc`); into a directory such as `~`,
                // a source lands as `DEST/NAME` (below).
                let contents = srcs.iter().any(|s| {
                    s.lit()
                        .is_some_and(|t| t.ends_with("/.") || t.ends_with('/'))
                });
                let bare = d
                    .lit()
                    .is_some_and(|t| matches!(t, "~" | "." | "..") || t.ends_with('/'));
                push(d, Access::Write, subtree && (contents || !bare));
                // Into a directory, each source lands as `DEST/<its name>`.
                if let Some(dir) = d.lit() {
                    for name in srcs.iter().filter_map(Word::lit) {
                        let base = name.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                        if !base.is_empty() && base != "." && base != ".." {
                            // A directory copied or moved there brings everything
                            // under it (`cp -r x/.claude ~` writes `~/.claude/…`).
                            let inside = format!("{}/{base}", dir.trim_end_matches('/'));
                            push(&Word::Lit(inside), Access::Write, subtree);
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
                        // A bundle holding the script option (`-ne`, perl's `-pe1`, whose
                        // script follows the letter in the same word).
                        || (!t.starts_with("--")
                            && t.chars().skip(1).any(|c| {
                                c == 'e' || (c == 'f' && program != "perl") || (c == 'E' && program == "perl")
                            }))
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
            if let Some(file) = option_value(args, &["-f", "--file"]).or_else(|| tar_file(args)) {
                let access = if create { Access::Write } else { Access::Read };
                push(&file, access, false);
            }
            if create {
                // What it archives: read, with everything under a directory; deleted
                // after archiving with `--remove-files`.
                let removes = args.iter().any(|w| w.lit() == Some("--remove-files"));
                let access = if removes { Access::Write } else { Access::Read };
                // Members are relative to `-C DIR` (`tar -cf - -C ~ .ssh`).
                let base = option_value(args, &["-C", "--directory"]);
                for w in tar_members(args) {
                    match (&base, w.lit()) {
                        (Some(Word::Lit(dir)), Some(m)) if !m.starts_with('/') => {
                            let joined = Word::Lit(format!("{}/{m}", dir.trim_end_matches('/')));
                            push(&joined, access, true);
                        }
                        (Some(Word::Lit(_)) | None, _) => push(w, access, true),
                        (Some(_), _) => push(&Word::unknown(w.display(), false), access, true),
                    }
                }
            }
            if extract && option_value(args, &["-C", "--directory"]).is_none() {
                // Members land in the command's directory: it is written.
                push(&Word::Lit(".".to_string()), Access::Write, false);
            }
            if extract {
                // Members named to extract are written (under `-C DIR`).
                let base = option_value(args, &["-C", "--directory"]);
                for w in tar_members(args) {
                    match (&base, w.lit()) {
                        (Some(Word::Lit(dir)), Some(m)) if !m.starts_with('/') => {
                            let joined = Word::Lit(format!("{}/{m}", dir.trim_end_matches('/')));
                            push(&joined, Access::Write, false);
                        }
                        (None, Some(_)) => push(w, Access::Write, false),
                        _ => {}
                    }
                }
            }
        }
        Some(Shape::Transfer) => {
            const UPLOADS: &[&str] = &[
                "-T",
                "--upload-file",
                "--post-file",
                "--body-file",
                "-K",
                "--config",
                "-i",
                "--input-file",
            ];
            const OUTPUTS: &[&str] = &[
                "-o",
                "--output",
                "-O",
                "--output-document",
                "-c",
                "--cookie-jar",
            ];
            // A bundle of short options ending in one that takes the next word (`-so F`,
            // `-sSLo F`, wget's `-qO F`).
            let takes = |p: &str, set: &[&str]| {
                set.contains(&p)
                    || (p.starts_with('-')
                        && !p.starts_with("--")
                        && p.len() > 2
                        && p.chars()
                            .last()
                            .is_some_and(|c| set.iter().any(|o| o.len() == 2 && o.ends_with(c))))
            };
            // curl's `-O` takes no value (it saves under the URL's name); wget's names
            // the file.
            let outputs: Vec<&str> = OUTPUTS
                .iter()
                .copied()
                .filter(|o| program != "curl" || *o != "-O")
                .collect();
            for (i, w) in args.iter().enumerate() {
                let previous = i
                    .checked_sub(1)
                    .and_then(|p| args.get(p))
                    .and_then(Word::lit);
                if previous.is_some_and(|p| takes(p, &outputs)) {
                    // wget's bare `-O` is its download (`-O -` prints it).
                    if w.lit() != Some("-") {
                        push(w, Access::Write, false);
                    }
                    continue;
                }
                if previous.is_some_and(|p| takes(p, UPLOADS)) {
                    push(w, Access::Read, false);
                    continue;
                }
                // `--post-file=F`, `--output=F`.
                if let Some((option, value)) = w.lit().and_then(|t| t.split_once('='))
                    && option.starts_with("--")
                    && !value.is_empty()
                {
                    if UPLOADS.contains(&option) {
                        push(&Word::Lit(value.to_string()), Access::Read, false);
                        continue;
                    }
                    if OUTPUTS.contains(&option) && value != "-" {
                        push(&Word::Lit(value.to_string()), Access::Write, false);
                        continue;
                    }
                }
                if let Some(file) = transferred_file(w) {
                    push(&file, Access::Read, false);
                } else if let Some(name) = remote_name(program, args, w) {
                    // `curl -O URL`, `wget URL`: saved under the URL's last segment.
                    push(&Word::Lit(name), Access::Write, false);
                } else if let Some(path) = path_like(w) {
                    // Anything else that names a file: as for a program of unknown effect.
                    push(&path, Access::Any, false);
                }
            }
        }
        Some(Shape::Zip) => {
            let (opts, files) = split(args);
            let letter = |c: char| {
                opts.iter().any(|o| {
                    o.lit()
                        .is_some_and(|t| !t.starts_with("--") && t.contains(c))
                })
            };
            let long = |name: &str| opts.iter().any(|o| o.lit() == Some(name));
            let moves = letter('m') || long("--move");
            let recursive = letter('r') || letter('R') || long("--recurse-paths");
            if let Some((archive, members)) = files.split_first() {
                push(archive, Access::Write, false);
                for m in members {
                    if moves {
                        push(m, Access::Write, recursive);
                    } else {
                        push(m, Access::Read, recursive);
                    }
                }
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
            // Without it, find lists names: it reads no file's contents.
            let access = if deletes {
                Access::MayWrite
            } else {
                Access::Name
            };
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
            // `--output=F` (log, diff, show, format-patch's `-o DIR`): written.
            for (i, w) in rest.iter().enumerate() {
                match w.lit() {
                    Some(t) if t.starts_with("--output=") => {
                        push(
                            &Word::Lit(t["--output=".len()..].to_string()),
                            Access::Write,
                            false,
                        );
                    }
                    None if w.display().starts_with("--output=") => {
                        let text = &w.display()["--output=".len()..];
                        let file = Word::Unknown {
                            text: text.to_string(),
                            split: false,
                            pattern: text_shape(text),
                            outside_git: false,
                            existing: false,
                            tracked: false,
                        };
                        push(&file, Access::Write, false);
                    }
                    Some("--output") => {
                        if let Some(f) = rest.get(i + 1) {
                            push(f, Access::Write, false);
                        }
                    }
                    Some("-o" | "--output-directory") if sub == "format-patch" => {
                        if let Some(f) = rest.get(i + 1) {
                            push(f, Access::Write, true);
                        }
                    }
                    _ => {}
                }
            }
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
                // A forced add (or `update-index --add`) stages ignored files too: what
                // it stages goes into history, as if read (`git add -Af` picks up the
                // `.env` the tree holds). A pathspec that is not a plain path (a glob,
                // `:(magic)`, `--pathspec-from-file`, `--stdin`) may be any of them.
                _ if git_forced_add(sub, rest) => {
                    let dashdash = rest.iter().position(|w| w.lit() == Some("--"));
                    let mut specs = Vec::new();
                    let mut whole = false;
                    for (i, w) in rest.iter().enumerate() {
                        let after = dashdash.is_some_and(|d| i > d);
                        match w.lit() {
                            Some(t) if !after && t.starts_with('-') => {
                                whole |= t.starts_with("--pathspec-from-file") || t == "--stdin";
                            }
                            Some(t) if t.contains(['*', '?', '[', ':']) => whole = true,
                            Some(_) => specs.push(w.clone()),
                            None => whole = true,
                        }
                    }
                    let all = rest.iter().any(|w| {
                        w.lit().is_some_and(|t| {
                            t == "--all"
                                || (t.starts_with('-') && !t.starts_with("--") && t.contains('A'))
                        })
                    });
                    if whole || (specs.is_empty() && all) {
                        specs = vec![Word::Lit(".".to_string())];
                    }
                    for w in &specs {
                        push(w, Access::Read, true);
                    }
                }
                _ => {
                    // Subcommands that name paths without printing their contents
                    // (`git status .env`, `git log -- .env`; `git log -p` prints them).
                    let patch = rest.iter().any(|w| {
                        w.lit().is_some_and(|t| {
                            matches!(t, "-p" | "-u" | "--patch" | "--word-diff")
                                || t.starts_with("-L")
                                || t.starts_with("--word-diff=")
                        })
                    });
                    let names = match sub {
                        "status" | "ls-files" | "check-ignore" | "check-attr" | "add" | "stage"
                        | "update-index" | "ls-tree" | "check-mailmap" => true,
                        "log" | "shortlog" | "whatchanged" => !patch,
                        _ => false,
                    };
                    let access = if names { Access::Name } else { Access::Any };
                    for w in rest {
                        if let Some(p) = path_like(w) {
                            push(&p, access, false);
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
    let prints_names_only = GREPS.contains(&program) && grep_prints_names(args);
    if let Some(found) = &cmd.find_results {
        for o in out.iter().filter(|o| is_placeholder(&o.word)) {
            for root in &found.roots {
                let under = Operand {
                    word: Word::Lit(format!("{}/{{}}", root.trim_end_matches('/'))),
                    dir: Some(found.dir.clone()),
                    access: o.access,
                    subtree: o.subtree,
                    whole: false,
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
                // `find ~ -type f -exec cat {} +` prints every file under ROOT: a whole
                // read of it (not for a command that prints names or counts).
                if o.access == Access::Read && !found.narrowed && !prints_names_only {
                    results.push(Operand {
                        word: Word::Lit(root.clone()),
                        subtree: true,
                        whole: true,
                        role: format!("{} (every file `find` finds under `{root}`)", o.role),
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
                    // `find ~ -name credentials -exec cat {} +`: read, those named so
                    // deeper down too, among the entries under ROOT that exist now (the
                    // tree is looked at, up to its limit).
                    if o.access == Access::Read && !name.contains('/') {
                        results.push(Operand {
                            word: Word::Unknown {
                                text: "{}".into(),
                                split: false,
                                pattern: format!("{root}/*/{name}"),
                                outside_git: found.git_dir.is_none(),
                                existing: true,
                                tracked: false,
                            },
                            role: format!(
                                "{} (`{name}` anywhere under `{root}`, if `find` finds it)",
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
    // What `xargs` reads from its input may be any file its command reads: a read rule
    // could match it (`ls ~/.ssh | xargs cat`) unless the input is a listing whose
    // names have another shape (`find src -name '*.rs' | xargs cat`). A write to it is
    // judged when its input is such a listing (`find .git -type f | xargs rm -f`);
    // otherwise not (see above: every `… | xargs rm` would ask).
    let xargs_input =
        |o: &Operand| matches!(&o.word, Word::Unknown { text, .. } if text == "<xargs input>");
    let shaped = |o: &Operand| matches!(&o.word, Word::Unknown { pattern, .. } if pattern != "*");
    for o in &mut out {
        if xargs_input(o) {
            if !shaped(o) && o.access == Access::Any {
                o.access = Access::Read;
            }
            o.role = format!("{} (names `xargs` reads from its input)", o.role);
        }
    }
    out.retain(|o| {
        (!is_placeholder(&o.word) || xargs_input(o) && (o.access == Access::Read || shaped(o)))
            && !is_device(&o.word)
    });
    out.extend(results);
    // Readers that print from every file under a directory, hidden and ignored ones
    // too, and a forced `git add` (it stages them into history). (A recursive copy or
    // archive of a tree holding a `.env` is not counted: backing up a repository is
    // everyday work, and the copy is not printed.)
    let git_forced = program == "git"
        && args
            .first()
            .and_then(Word::lit)
            .is_some_and(|sub| git_forced_add(sub, args.get(1..).unwrap_or(&[])));
    // (`grep -rl`, `-L`, `-c`, `-q` print names or counts, never a line of the files.)
    let names_only = GREPS.contains(&program) && grep_prints_names(args);
    if (GREPS.contains(&program) && !names_only) || git_forced {
        for o in &mut out {
            o.whole = o.subtree && o.access == Access::Read && matches!(o.word, Word::Lit(_));
        }
    }
    out
}

/// A file a transfer argument reads: a `file://` URL's path, or the file of `@FILE`,
/// `name=@FILE` or `name=<FILE` (curl's data and form uploads); for a word only partly
/// known, the same from its pattern.
/// The file a download saves a URL under when no output is named: curl with `-O`
/// (`--remote-name`, `--remote-name-all`, or `O` in a bundle: `-sSLO`), and wget without
/// `-O`/`--output-document` or `-o`'s log only (`wget URL`): the URL's last path segment,
/// without its query. `None` for other words, or a URL ending in `/`.
fn remote_name(program: &str, args: &[Word], w: &Word) -> Option<String> {
    let url = w.lit()?;
    let (_, rest) = url.split_once("://")?;
    let path = rest.split(['?', '#']).next()?;
    let (_, name) = path.split_once('/')?;
    let name = name.rsplit('/').next()?;
    if name.is_empty() || name == "." || name == ".." {
        return None;
    }
    let lits = || args.iter().filter_map(Word::lit);
    let bundle_has = |c: char| {
        lits().any(|t| {
            t.starts_with('-')
                && !t.starts_with("--")
                && t.get(1..)
                    .is_some_and(|b| b.chars().all(|x| x.is_ascii_alphanumeric()))
                && t.contains(c)
        })
    };
    let saves = match program {
        "curl" => {
            bundle_has('O') || lits().any(|t| matches!(t, "--remote-name" | "--remote-name-all"))
        }
        "wget" => {
            !bundle_has('O')
                && !lits().any(|t| t.starts_with("--output-document") || t == "--spider")
        }
        _ => false,
    };
    saves.then(|| name.to_string())
}

fn transferred_file(w: &Word) -> Option<Word> {
    // A word only partly known, as a pattern made from its text (an unquoted one has no
    // pattern of its own): each expansion `*`, quotes dropped.
    let shape;
    let (text, known) = match w {
        Word::Lit(t) => (t.as_str(), true),
        Word::Unknown { text, .. } => {
            shape = text_shape(text);
            (shape.as_str(), false)
        }
        Word::Glob(_) => return None,
    };
    let path = if let Some(rest) = text.strip_prefix("file://") {
        // `file:///etc/x` and `file://localhost/etc/x`.
        let rest = rest.strip_prefix("localhost").unwrap_or(rest);
        (rest.starts_with('/') || !known && rest.starts_with('*')).then_some(rest)
    } else {
        let value = text.split_once('=').map_or(text, |(_, v)| v);
        value.strip_prefix('@').or_else(|| value.strip_prefix('<'))
    }?;
    if path.is_empty() || path == "-" {
        return None;
    }
    Some(if known {
        Word::Lit(path.to_string())
    } else {
        Word::Unknown {
            text: w.display().to_string(),
            split: false,
            pattern: path.to_string(),
            outside_git: false,
            existing: false,
            tracked: false,
        }
    })
}

/// The source text of a word as an fnmatch pattern: `$NAME`, `${…}`, `$(…)` and
/// backquotes become `*`, quotes are dropped, wildcards escaped.
pub(crate) fn text_shape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {}
            '$' => {
                match chars.peek() {
                    Some('{') => {
                        for d in chars.by_ref() {
                            if d == '}' {
                                break;
                            }
                        }
                    }
                    Some('(') => {
                        let mut depth = 0;
                        for d in chars.by_ref() {
                            match d {
                                '(' => depth += 1,
                                ')' => {
                                    depth -= 1;
                                    if depth == 0 {
                                        break;
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {
                        while chars
                            .peek()
                            .is_some_and(|d| d.is_ascii_alphanumeric() || *d == '_')
                        {
                            chars.next();
                        }
                    }
                }
                if !out.ends_with('*') {
                    out.push('*');
                }
            }
            '`' => {
                for d in chars.by_ref() {
                    if d == '`' {
                        break;
                    }
                }
                out.push('*');
            }
            c => crate::policy::rule::escape_into(&mut out, c.encode_utf8(&mut [0; 4])),
        }
    }
    out
}

/// tar's one-letter options that take a value (the next word, or the rest of theirs).
const TAR_SHORT_WITH_VALUE: &[char] = &['f', 'C', 'T', 'X', 'b', 'g', 'K', 'N', 'V', 'L', 'I', 'H'];

/// The archive of `tar czf FILE`/`tar -czf FILE` (f in a bundle of letters): the word
/// its `f` takes (the next word for the bundle's last letter, else after the values of
/// the letters before it).
fn tar_file(args: &[Word]) -> Option<Word> {
    for (i, w) in args.iter().enumerate() {
        let Some(t) = w.lit() else { continue };
        if t.starts_with("--") {
            continue;
        }
        let letters = t.strip_prefix('-').unwrap_or(t);
        if !(i == 0 || t.starts_with('-')) || !letters.contains('f') || letters.contains('=') {
            continue;
        }
        // Values are taken in order by the letters that take one.
        let before = letters
            .chars()
            .take_while(|c| *c != 'f')
            .filter(|c| TAR_SHORT_WITH_VALUE.contains(c))
            .count();
        if t.starts_with('-') && !letters.ends_with('f') {
            // `-fFILE`: the rest of the word.
            let rest = letters.split_once('f').map(|(_, r)| r)?;
            return Some(Word::Lit(rest.to_string()));
        }
        return args.get(i + 1 + before).cloned();
    }
    None
}

/// The operands of `tar -c` (the files it archives): the words that are neither
/// options nor their values. An old-style first word (`czf`) takes its values from the
/// next words, one per letter that takes one.
fn tar_members(args: &[Word]) -> Vec<&Word> {
    const LONG_WITH_VALUE: &[&str] = &[
        "--file",
        "--directory",
        "--files-from",
        "--exclude",
        "--exclude-from",
        "--transform",
        "--use-compress-program",
        "--owner",
        "--group",
        "--mode",
        "--mtime",
        "--label",
        "--newer",
        "--format",
        "--listed-incremental",
        "--blocking-factor",
    ];
    let mut out = Vec::new();
    let mut pending = 0usize;
    let mut ended = false;
    for (i, w) in args.iter().enumerate() {
        if pending > 0 {
            pending -= 1;
            continue;
        }
        match w.lit() {
            Some("--") if !ended => ended = true,
            Some(t) if !ended && i == 0 && !t.starts_with('-') => {
                pending = t
                    .chars()
                    .filter(|c| TAR_SHORT_WITH_VALUE.contains(c))
                    .count();
            }
            Some(t) if !ended && t.starts_with("--") => {
                pending = usize::from(LONG_WITH_VALUE.contains(&t));
            }
            Some(t) if !ended && t.starts_with('-') && t.len() > 1 => {
                // `-czf OUT`: a letter that takes a value takes the rest of the word,
                // or the next word when it is last.
                if let Some(pos) = t
                    .chars()
                    .skip(1)
                    .position(|c| TAR_SHORT_WITH_VALUE.contains(&c))
                {
                    pending = usize::from(pos + 2 == t.chars().count());
                }
            }
            _ => out.push(w),
        }
    }
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

/// `git add -f`/`--force` (any bundle holding `f`, `git stage` too) and `git
/// update-index --add`: they stage files `.gitignore` keeps out.
fn git_forced_add(sub: &str, rest: &[Word]) -> bool {
    let flag = |f: &dyn Fn(&str) -> bool| {
        rest.iter()
            .filter_map(Word::lit)
            .take_while(|t| *t != "--")
            .any(f)
    };
    match sub {
        "add" | "stage" => flag(&|t| {
            t == "--force" || (t.starts_with('-') && !t.starts_with("--") && t.contains('f'))
        }),
        "update-index" => flag(&|t| t == "--add"),
        _ => false,
    }
}

/// Whether grep's options make it print names or counts, never a line of the files
/// (`-l`, `-L`, `-c`, `-q`).
fn grep_prints_names(args: &[Word]) -> bool {
    args.iter()
        .filter_map(Word::lit)
        .take_while(|t| *t != "--")
        .any(|t| {
            matches!(
                t,
                "--files-with-matches"
                    | "--files-without-match"
                    | "--count"
                    | "--quiet"
                    | "--silent"
            ) || (t.starts_with('-') && !t.starts_with("--") && t.contains(['l', 'L', 'c', 'q']))
        })
}

/// grep and its spellings.
const GREPS: &[&str] = &["grep", "egrep", "fgrep"];

/// The values of a long option given as `--NAME=V` or `--NAME V`.
fn option_values(args: &[Word], name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(w) = it.next() {
        let Some(t) = w.lit() else { continue };
        if t == "--" {
            break;
        }
        if t == name {
            if let Some(v) = it.next().and_then(Word::lit) {
                out.push(v.to_string());
            }
        } else if let Some(v) = t.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            out.push(v.to_string());
        }
    }
    out
}

/// The files `grep -r --include=GLOB` reads under `dir`: names ending in GLOB at any
/// depth, as a word only known at run time that names existing files.
fn included(dir: &str, glob: &str) -> Word {
    let dir = dir.trim_end_matches('/');
    let pattern = if dir == "." || dir.is_empty() {
        format!("[!/-]**{glob}")
    } else {
        format!("{}/**{glob}", crate::paths::escape(dir))
    };
    Word::Unknown {
        text: format!("{dir}/…/{glob}"),
        split: false,
        pattern,
        outside_git: false,
        existing: true,
        tracked: false,
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
        whole: false,
        role: format!("`{}` redirection", r.operator),
    }
}

/// Options of programs the table does not know whose value is a file the program loads
/// without printing it (environment files, cluster and Terraform variables, the key or
/// configuration of ssh), by program (`&[]`: any program).
const LOADED_OPTIONS: &[(&[&str], &[&str])] = &[
    (
        &[],
        &["--env-file", "--kubeconfig", "-var-file", "--var-file"],
    ),
    (
        &["ssh", "sftp", "ssh-copy-id", "autossh", "mosh"],
        &["-i", "-F"],
    ),
];

/// Whether `option` hands `program` a file to load ([`LOADED_OPTIONS`]).
fn loads(program: &str, option: &str) -> bool {
    LOADED_OPTIONS.iter().any(|(programs, options)| {
        (programs.is_empty() || programs.contains(&program))
            && options
                .iter()
                .any(|o| option == *o || option.strip_prefix(o).is_some_and(|r| r.starts_with('=')))
    })
}

/// A literal argument that names a path, for programs the table does not know: `a/b`,
/// `./x`, `.git`, `~/x`, a file name with an extension (`notes.txt`), or such a value
/// of `--opt=PATH`, `key=PATH` or `@PATH` (curl's `-d @file`, `-F f=@file`).
fn path_like(w: &Word) -> Option<Word> {
    let t = w.lit()?;
    let value = match t.split_once('=') {
        Some((_, v)) => v,
        None if t.starts_with('-') => return None,
        None => t,
    };
    let value = value.strip_prefix('@').unwrap_or(value);
    let named = || {
        // `name.ext`: a dot inside a word of file-name characters (not `1.2.3`).
        let inner = value.trim_start_matches('.').contains('.');
        inner
            && value.chars().any(|c| c.is_ascii_alphabetic())
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@'))
    };
    let looks = value.contains('/') || value.starts_with('.') || value.starts_with('~') || named();
    (looks && !value.contains("://") && !value.is_empty()).then(|| Word::Lit(value.to_string()))
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
            fresh_files: false,
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
                ("a".into(), Access::Read, true),
                ("b".into(), Access::Read, true),
                ("c".into(), Access::Write, true),
                ("c/a".into(), Access::Write, true),
                ("c/b".into(), Access::Write, true)
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
                ("x".into(), Access::Read, true),
                ("/tmp/".into(), Access::Write, false),
                ("/tmp/x".into(), Access::Write, true)
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
