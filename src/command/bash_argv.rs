//! bash's own command line, read the way bash's `shell.c` reads it.
//!
//! bash reads its argv in two passes. First `parse_long_options`: while the words start
//! with `-`, a word that is one of bash's long option names after **one or two** dashes
//! (`-posix`, `--posix`, `-rcfile F`) is that long option; the first word that is not
//! ends the pass (a two-dash word bash does not know is an error). Then
//! `parse_shell_options`: bundles of one-letter options (`-lc`, `+o name`, `-O shopt`)
//! until `-`, `--` or the first word not starting with `-`/`+`. After `-c` the first
//! operand is the script and the rest are `$0 $1 …`.
//!
//! Shell mode (`shell::argv`) and nested shells inside scripts (`bash -posix -c '…'`)
//! both use this one reader, so the two can never read an argv differently. It never
//! decides anything; where bash would refuse the command line it still reports the
//! script it found, so a caller that judges it fails safe.

/// bash 5.2's `long_args` table: (name, whether it takes the next word as its value).
const LONG_OPTIONS: [(&str, bool); 16] = [
    ("debug", false),
    ("debugger", false),
    ("dump-po-strings", false),
    ("dump-strings", false),
    ("help", false),
    ("init-file", true),
    ("login", false),
    ("noediting", false),
    ("noprofile", false),
    ("norc", false),
    ("posix", false),
    ("pretty-print", false),
    ("rcfile", true),
    ("restricted", false),
    ("verbose", false),
    ("version", false),
];

/// What bash's argv says it will do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BashArgs {
    /// `-c`: the first operand is a script.
    pub command: bool,
    /// `-s`: the script comes from standard input, operands are `$1 …`.
    pub stdin: bool,
    /// `-i` (the last of `-i`/`+i`).
    pub interactive: bool,
    /// `-l`, `--login`: a login shell, which sources the profile files first.
    pub login: bool,
    /// `--norc`, `--noprofile`: the startup files an interactive or login shell skips.
    pub norc: bool,
    /// See `norc`.
    pub noprofile: bool,
    /// Index of the `--rcfile`/`--init-file` value: what an interactive shell sources
    /// instead of `~/.bashrc`.
    pub rcfile: Option<usize>,
    /// `-n` or `-o noexec` (the last setting wins): commands are read, never run.
    pub noexec: bool,
    /// `--help` or `--version`: bash prints and exits, running nothing. (bash also
    /// accepts `-help`/`-version`; those are judged anyway, as other shells read them as
    /// letters.)
    pub info: bool,
    /// Index of the first operand: the `-c` script, or the script file.
    pub operands: usize,
    /// An option word only known at run time was met at this index: what follows cannot
    /// be read.
    pub unknown_at: Option<usize>,
    /// bash would refuse this command line (and run nothing); the reading went on as far
    /// as it could, so a caller may still judge what was found.
    pub invalid: Option<String>,
}

impl BashArgs {
    /// Whether bash certainly runs nothing: `--help`/`--version`, or `-n` in a shell that
    /// is not interactive (an interactive shell ignores `-n`). A command line bash refuses
    /// is not counted here, so what was found in it is still judged.
    pub fn runs_nothing(&self) -> bool {
        self.info || (self.noexec && !self.interactive && self.invalid.is_none())
    }
}

/// Reads bash's argv (without `argv[0]`); `None` stands for a word only known at run
/// time.
pub fn read(args: &[Option<&str>]) -> BashArgs {
    let mut out = BashArgs::default();
    let mut i = 0;
    // Pass 1: long options, one or two dashes, only at the front.
    while let Some(arg) = args.get(i) {
        let Some(w) = arg else {
            out.unknown_at = Some(i);
            out.operands = i;
            return out;
        };
        if !w.starts_with('-') {
            break;
        }
        // `--name` is `-name`; `--` alone and `-` alone are not long options.
        let (name, two_dashes) = match w.strip_prefix("--") {
            Some(rest) if !rest.is_empty() => (rest, true),
            _ => (w.get(1..).unwrap_or(""), false),
        };
        let Some((long, takes_value)) = LONG_OPTIONS.iter().find(|(n, _)| *n == name) else {
            if two_dashes {
                // bash: `--xyz: invalid option`, then exits. Reading goes on past it, so
                // a `-c` script after it is still judged.
                out.invalid = Some(format!("{w}: invalid option"));
                i += 1;
                continue;
            }
            break;
        };
        if *takes_value {
            i += 1;
            if args.get(i).is_none() {
                out.invalid = Some(format!("{long}: option requires an argument"));
            }
        }
        match *long {
            "login" => out.login = true,
            "norc" => out.norc = true,
            "noprofile" => out.noprofile = true,
            "rcfile" | "init-file" => out.rcfile = Some(i),
            _ => {}
        }
        // SECURITY: only the two-dash spelling counts as printing: zsh, which shell mode
        // may stand in for, reads `-help` as a bundle of letters and runs the script.
        if matches!(*long, "help" | "version") && two_dashes {
            out.info = true;
        }
        i += 1;
    }
    // Pass 2: bundles of one-letter options.
    while let Some(arg) = args.get(i) {
        let Some(w) = arg else {
            out.unknown_at = Some(i);
            out.operands = i;
            return out;
        };
        if !(w.starts_with('-') || w.starts_with('+')) {
            break;
        }
        if matches!(*w, "-" | "--") {
            i += 1;
            break;
        }
        // `-l --norc`: long options only lead; bash stops at the `-` letter and exits.
        // Reading goes on past the word, so what follows is still judged.
        if w.starts_with("--") {
            out.invalid = Some(format!("{w}: invalid option"));
            i += 1;
            continue;
        }
        let on = w.starts_with('-');
        let mut next = i + 1;
        for ch in w.chars().skip(1) {
            match ch {
                // bash sets these whichever of `-`/`+` leads the bundle.
                'c' => out.command = true,
                's' => out.stdin = true,
                'i' => out.interactive = on,
                'l' => out.login = on,
                'n' => out.noexec = on,
                'o' => {
                    match args.get(next) {
                        Some(Some(name)) => {
                            if *name == "noexec" {
                                out.noexec = on;
                            }
                        }
                        // An option name only known at run time: it may or may not be
                        // `noexec`; keeping the current setting judges more, not less.
                        Some(None) => {}
                        // `-o` alone lists the options.
                        None => continue,
                    }
                    next += 1;
                }
                'O' if args.get(next).is_some() => next += 1,
                '-' => out.invalid = Some(format!("{w}: invalid option")),
                _ => {}
            }
        }
        i = next;
    }
    out.operands = i;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn words(s: &str) -> Vec<Option<&str>> {
        s.split_whitespace().map(Some).collect()
    }

    #[rstest]
    #[case("-posix -c x", true, 2)]
    #[case("-rcfile f -c x", true, 3)]
    #[case("-init-file f -noediting -c x", true, 4)]
    #[case("--norc -noprofile -login -c x", true, 4)]
    #[case("-l -c x", true, 2)]
    #[case("-o pipefail -ec x", true, 3)]
    #[case("-co pipefail x", true, 2)]
    #[case("- -c", false, 1)]
    #[case("-- -c", false, 1)]
    #[case("+ -c x", true, 2)]
    fn reads_like_bash(#[case] argv: &str, #[case] command: bool, #[case] operands: usize) {
        let r = read(&words(argv));
        assert_eq!(
            (r.command, r.operands),
            (command, operands),
            "{argv}: {r:?}"
        );
    }

    #[test]
    fn startup_options_are_read() {
        let r = read(&words("-rcfile f -ic true"));
        assert!(r.interactive && !r.login && r.rcfile == Some(1));
        let r = read(&words("--init-file g -i -c true"));
        assert_eq!(r.rcfile, Some(1));
        let r = read(&words("-login -c true"));
        assert!(r.login);
        let r = read(&words("--noprofile --norc -lc true"));
        assert!(r.login && r.norc && r.noprofile);
    }

    #[test]
    fn long_options_only_lead() {
        // After a short option `--norc` is a bundle of letters, and bash refuses it.
        let r = read(&words("-l --norc -c x"));
        assert!(r.command);
        assert!(!r.info);
        // `-posi` is not a long option: `-p -o -c -s -i`, whose `-o` takes `-c`.
        let r = read(&words("-posi -c x"));
        assert_eq!((r.command, r.operands), (false, 2));
    }

    #[rstest]
    #[case("-n -c x", true)]
    #[case("-n +n -c x", false)]
    #[case("-o noexec -c x", true)]
    #[case("-o noexec +o noexec -c x", false)]
    #[case("-noediting -c x", false)]
    fn noexec_follows_the_last_setting(#[case] argv: &str, #[case] noexec: bool) {
        assert_eq!(read(&words(argv)).noexec, noexec);
    }

    #[test]
    fn help_and_version_with_two_dashes_print() {
        assert!(read(&words("--version -c x")).info);
        assert!(!read(&words("-version -c x")).info);
        assert!(read(&words("--help -c x")).info);
        assert!(!read(&words("-c x --help")).info);
    }
}
