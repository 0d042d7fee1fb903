//! Which one-letter options of the programs the rules name take a value.
//!
//! A bundle of short options is read letter by letter until a letter that takes a value:
//! the rest of the word is that value (`git checkout -qbfeature` is `-q -b feature`, not
//! a bundle holding `-f`; `git clean -dn` is `-d -n`). Without this table a rule cannot
//! tell the two apart, so it over-matches `flags` (safe: a refusal) and reads carve-outs
//! (`unless_flags`) only when they lead the bundle (safe: no loosening). With the table,
//! both are read the way the program reads them.
//!
//! SECURITY: a letter missing from a row is *unknown*, never "takes no value": reading
//! stops there for carve-outs, and `flags` still count every letter after it. A row must
//! list every letter the program accepts as an option without a value, or a carve-out
//! behind an unlisted one is ignored (a refusal, never a wrong allow). This module only
//! describes programs; it never decides.

/// The options of one program (or git subcommand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShortOptions {
    /// Letters that take no value (`-f`, `-q`).
    pub plain: &'static str,
    /// Letters that take a value, attached (`-bname`) or as the next word (`-b name`).
    pub valued: &'static str,
    /// Long options that take the next word as their value (`--repo origin`); every
    /// other long option takes a value only after `=`.
    pub long_valued: &'static [&'static str],
    /// Whether an option's value may be a word starting with `-`. getopt and Go's flag
    /// parsers take the next word whatever it is (`--namespace --dry-run=client`);
    /// Python's argparse refuses it as a value, so there an option word is an option.
    pub dashed_values: bool,
}

/// How one letter of a bundle reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letter {
    /// An option without a value: the bundle goes on.
    Plain,
    /// An option taking a value: the rest of the word, or the next word, is its value.
    Valued,
    /// Not in the table: what follows it cannot be read.
    Unknown,
}

impl ShortOptions {
    /// How `letter` reads for this program.
    pub fn letter(&self, letter: char) -> Letter {
        if self.valued.contains(letter) {
            Letter::Valued
        } else if self.plain.contains(letter) {
            Letter::Plain
        } else {
            Letter::Unknown
        }
    }

    /// Whether the word after `option` (a long option without `=`) is its value. An
    /// abbreviation of a long option that takes a value counts (git accepts any
    /// unambiguous prefix).
    pub fn long_takes_next_word(&self, option: &str) -> bool {
        self.dashed_values
            && option.len() > 2
            && self.long_valued.iter().any(|v| v.starts_with(option))
    }
}

/// git subcommands (after git's own options, which the analyser strips), from each
/// subcommand's `-h` in git 2.4x. Subcommands whose rules name only long options are not
/// listed.
const GIT: [(&str, ShortOptions); 10] = [
    (
        "branch",
        opts(
            "acdfilmqrtvCDM",
            "u",
            &[
                "--set-upstream-to",
                "--contains",
                "--no-contains",
                "--merged",
                "--no-merged",
                "--points-at",
                "--sort",
                "--format",
            ],
        ),
    ),
    (
        "checkout",
        opts("23dflmpqt", "bB", &["--orphan", "--pathspec-from-file"]),
    ),
    ("clean", opts("dfinqxX", "e", &["--exclude"])),
    (
        "push",
        opts(
            "46dfnquv",
            "o",
            &["--repo", "--receive-pack", "--exec", "--push-option"],
        ),
    ),
    ("reset", opts("Npq", "", &["--pathspec-from-file"])),
    (
        "restore",
        opts("mpqSW", "s", &["--source", "--pathspec-from-file"]),
    ),
    ("rm", opts("fnqr", "", &["--pathspec-from-file"])),
    (
        "switch",
        opts("dfmqt", "cC", &["--create", "--force-create", "--orphan"]),
    ),
    (
        "tag",
        opts(
            "adefilsv",
            "Fmnu",
            &[
                "--message",
                "--file",
                "--local-user",
                "--contains",
                "--no-contains",
                "--merged",
                "--no-merged",
                "--points-at",
                "--sort",
                "--format",
            ],
        ),
    ),
    ("worktree", opts("dfq", "bB", &["--reason"])),
];

const fn opts(
    plain: &'static str,
    valued: &'static str,
    long_valued: &'static [&'static str],
) -> ShortOptions {
    ShortOptions {
        plain,
        valued,
        long_valued,
        dashed_values: true,
    }
}

/// kubectl (and `oc`), any subcommand: cobra/pflag options, which take the next word as
/// a value unless they are booleans. From `kubectl options` and the subcommands' `-h`
/// in kubectl 1.3x; a long option missing here is read as a boolean, so every one that
/// takes a value must be listed.
const KUBECTL: ShortOptions = opts(
    "ARhitw",
    "cfklnosvL",
    &[
        "--namespace",
        "--selector",
        "--filename",
        "--output",
        "--kustomize",
        "--container",
        "--server",
        "--context",
        "--cluster",
        "--user",
        "--kubeconfig",
        "--token",
        "--as",
        "--as-group",
        "--as-uid",
        "--cache-dir",
        "--certificate-authority",
        "--client-certificate",
        "--client-key",
        "--request-timeout",
        "--tls-server-name",
        "--password",
        "--username",
        "--profile",
        "--profile-output",
        "--field-selector",
        "--grace-period",
        "--timeout",
        "--field-manager",
        "--raw",
        "--for",
        "--template",
        "--sort-by",
        "--chunk-size",
        "--replicas",
        "--current-replicas",
        "--resource-version",
        "--subresource",
        "--pod-selector",
        "--skip-wait-for-delete-timeout",
        "--overrides",
        "--image",
        "--port",
        "--type",
        "--prune-allowlist",
        "--selector-file",
        "--label-columns",
        "--vmodule",
        "--log-flush-frequency",
        "--validate",
        "--output-watch-events",
        "--show-managed-fields",
        "--session",
        "--env",
        "--from-literal",
        "--from-file",
        "--from-env-file",
        "--min",
        "--max",
        "--cpu-percent",
        "--name",
        "--target-port",
        "--protocol",
        "--external-ip",
        "--load-balancer-ip",
        "--to-revision",
        "--revision",
    ],
);

/// The AWS CLI (argparse): an option that takes a value refuses a next word that is an
/// option, so a `--dryrun` after any option is the option.
const AWS: ShortOptions = ShortOptions {
    plain: "",
    valued: "",
    long_valued: &[],
    dashed_values: false,
};

/// The options of the command whose argv starts with `program` (a basename) and `sub`
/// (its first argument), when known: git subcommands, kubectl and the AWS CLI. A program
/// without a row is read as before (see the module docs).
pub fn lookup(program: &str, sub: Option<&str>) -> Option<ShortOptions> {
    match program {
        "git" => {
            let sub = sub?;
            GIT.iter().find(|(name, _)| *name == sub).map(|(_, o)| *o)
        }
        "kubectl" | "oc" => Some(KUBECTL),
        "aws" => Some(AWS),
        _ => None,
    }
}

/// The option letters a short bundle (`-qbfeature`) holds, read as the program reads them:
/// letters up to and including the first that takes a value. The flag is `false` when
/// reading stopped at a letter the table does not know (what follows it may be a value).
pub fn bundle_letters(bundle: &str, options: &ShortOptions) -> (Vec<char>, bool) {
    let mut letters = Vec::new();
    for c in bundle.chars() {
        letters.push(c);
        match options.letter(c) {
            Letter::Plain => {}
            Letter::Valued => return (letters, true),
            Letter::Unknown => return (letters, false),
        }
    }
    (letters, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn no_letter_is_both_plain_and_valued_and_names_are_unique() {
        for (name, o) in &GIT {
            for c in o.plain.chars() {
                assert!(!o.valued.contains(c), "{name}: -{c} is listed twice");
            }
        }
        let mut names: Vec<&str> = GIT.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a subcommand is listed twice");
    }

    #[rstest]
    #[case::value_ends_the_bundle("git", "checkout", "qbfeature", "qb", true)]
    #[case::all_plain("git", "clean", "dn", "dn", true)]
    #[case::value_first("git", "clean", "en", "e", true)]
    #[case::unknown_stops("git", "clean", "Zn", "Z", false)]
    #[case::push_option_value("git", "push", "fo", "fo", true)]
    fn bundles_read_as_the_program_reads_them(
        #[case] program: &str,
        #[case] sub: &str,
        #[case] bundle: &str,
        #[case] want: &str,
        #[case] known: bool,
    ) {
        let o = lookup(program, Some(sub)).expect("known program");
        let (letters, read) = bundle_letters(bundle, &o);
        assert_eq!(letters.iter().collect::<String>(), want);
        assert_eq!(read, known);
    }

    #[rstest]
    #[case::valued("--repo", true)]
    #[case::abbreviated("--rec", true)]
    #[case::plain("--force", false)]
    #[case::bare_dashes("--", false)]
    fn long_options_take_the_next_word_only_when_valued(#[case] option: &str, #[case] want: bool) {
        let push = lookup("git", Some("push")).expect("git push is known");
        assert_eq!(push.long_takes_next_word(option), want);
    }

    #[test]
    fn an_unknown_program_or_subcommand_has_no_table() {
        assert!(lookup("git", Some("frobnicate")).is_none());
        assert!(lookup("git", None).is_none());
        assert!(lookup("terraform", Some("destroy")).is_none());
    }
}
