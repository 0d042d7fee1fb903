//! Program knowledge, the environment: the commands that print all of it (`env`,
//! `export -p`, `declare -px`, `compgen -e`, BSD `ps e`, jq's `env`, `make -p`), which
//! the walk records as the `printenv` they amount to, and the `grep` filters that leave
//! only harmless variables of it (`env | grep ^PATH=`). This module only describes
//! programs; the walk asks it.

use crate::command::Word;

/// Whether `base` run with `args` prints the whole environment.
pub fn prints_whole(base: &str, args: &[Word]) -> bool {
    let flags_only = |letters: &[char]| {
        args.iter().all(|a| {
            a.lit().is_some_and(|t| {
                t.strip_prefix('-')
                    .is_some_and(|f| !f.is_empty() && f.chars().all(|c| letters.contains(&c)))
            })
        })
    };
    match base {
        "printenv" => args
            .iter()
            .all(|a| a.lit().is_some_and(|t| t.starts_with('-'))),
        // `env [-i] [-0] [-u NAME] [-C DIR] [NAME=VALUE]…` with no command prints it.
        "env" => {
            let mut it = args.iter();
            while let Some(a) = it.next() {
                let Some(t) = a.lit() else {
                    return false;
                };
                match t {
                    "-u" | "--unset" | "-C" | "--chdir" => {
                        if it.next().is_none() {
                            return true;
                        }
                    }
                    // `-S`/`--split-string` runs a command; `-i` starts from nothing
                    // (only the assignments given are printed).
                    _ if t.starts_with("-S") || t.starts_with("--split-string") => return false,
                    "-i" | "--ignore-environment" | "-" => return false,
                    _ if t.starts_with('-') || t.contains('=') => {}
                    _ => return false,
                }
            }
            true
        }
        // strace's `-v` prints the environment of every program traced starting.
        "strace" => args.iter().any(|a| {
            a.lit().is_some_and(|t| {
                // `-v` alone or in a bundle of options that take no value (`-fv`).
                let bundle = t.strip_prefix('-').filter(|b| !b.starts_with('-'));
                bundle.is_some_and(|b| {
                    b.contains('v') && b.chars().all(|c| "fFqrtTcCwyivxzZknd".contains(c))
                }) || t.contains("verbose=all")
                    || t == "--no-abbrev"
            })
        }),
        "php" | "php-cli" => args
            .iter()
            .any(|a| matches!(a.lit(), Some("-i" | "--info"))),
        // gdb's `show environment` (and `info environment`) prints the inferior's,
        // which starts as gdb's own.
        "gdb" => args.iter().any(|a| {
            a.lit().is_some_and(|t| {
                let t = t.trim();
                t.starts_with("show env") || t.starts_with("info env")
            })
        }),
        "export" => flags_only(&['p']),
        "declare" | "typeset" => {
            args.is_empty()
                || (flags_only(&['p', 'x', 'r', 'g'])
                    && args
                        .iter()
                        .any(|a| a.lit().is_some_and(|t| t.contains(['p', 'x']))))
        }
        "compgen" => args.iter().any(|a| a.lit() == Some("-e")),
        // jq's `env` and `$ENV` are the whole environment (`$ENV.PATH` is one
        // variable); make's `-p` prints its database, the environment included.
        "jq" | "gojq" | "jaq" => args
            .iter()
            .any(|a| a.lit().is_some_and(jq_reads_environment)),
        "make" | "gmake" => args.iter().any(|a| {
            a.lit().is_some_and(|t| {
                t == "--print-data-base"
                    || (t.starts_with('-') && !t.starts_with("--") && t.contains('p'))
            })
        }),
        // BSD-style options (no dash) with `e` show each process's environment.
        "ps" => args.iter().any(|a| {
            a.lit().is_some_and(|t| {
                !t.starts_with('-') && t.contains('e') && t.chars().all(|c| c.is_ascii_alphabetic())
            })
        }),
        _ => false,
    }
}

/// Whether a jq program uses the whole environment: `env` or `$ENV` as a filter of its
/// own (not `.env`, a field; not `env.PATH` or `$ENV.PATH`, one variable).
fn jq_reads_environment(program: &str) -> bool {
    let bytes = program.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let whole = program.match_indices("env").any(|(at, _)| {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        let after = bytes.get(at + 3).copied();
        !before.is_some_and(|c| word(c) || c == b'.' || c == b'$')
            && !after.is_some_and(|c| word(c) || c == b'.' || c == b'[')
    });
    let dollar = program.match_indices("$ENV").any(|(at, _)| {
        let after = bytes.get(at + 4).copied();
        !after.is_some_and(|c| word(c) || c == b'.' || c == b'[')
    });
    whole || dollar
}

/// Whether the later stages of a pipeline (each one's literal words, `None` when not
/// literal) let only harmless variables of a printed environment through: line filters
/// that keep every line (`sort`, `uniq`, `cat`, `tac`), then a [`harmless_name_filter`].
pub fn output_filtered(mut later: impl Iterator<Item = Option<Vec<String>>>) -> bool {
    let keeps_every_line = |w: &Vec<String>| {
        matches!(
            w.first().map(String::as_str),
            Some("sort" | "uniq" | "cat" | "tac")
        ) && w.iter().skip(1).all(|a| a.starts_with('-'))
    };
    later
        .find(|w| !w.as_ref().is_some_and(keeps_every_line))
        .flatten()
        .is_some_and(|w| harmless_name_filter(&w) || prints_no_line(&w))
}

/// Whether the program `base` passes its arguments' values on (prints, sends, writes
/// them): not `test`/`[`, which only compare them.
pub fn passes_values_on(base: &str) -> bool {
    !matches!(base, "test" | "[")
}

/// Whether a word's source text takes the value of a variable whose name is only known
/// at run time (`${!v}`, `"$v=${!v}"`, `${!v:-x}`): any variable, secrets included, and
/// all of them in a loop over `compgen -v`. Not `${!prefix*}`, `${!prefix@}` or
/// `${!array[@]}`, which are names and keys.
pub fn indirect_value(text: &str) -> bool {
    text.match_indices("${!").any(|(at, _)| {
        let rest = text.get(at + 3..).unwrap_or("");
        let name_len = rest
            .char_indices()
            .take_while(|&(i, c)| {
                c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
            })
            .count();
        name_len > 0
            && !rest
                .get(name_len..)
                .is_some_and(|after| after.starts_with(['*', '@', '[']))
    })
}

/// A filter that lets no line of its input through, only a count or its exit status
/// (`wc -l`, `grep -c PATH`, `grep -q TOKEN`): whatever the lines held stays out of
/// the output.
pub fn prints_no_line(words: &[String]) -> bool {
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    let options: Vec<&String> = args.iter().filter(|a| a.starts_with('-')).collect();
    match program.as_str() {
        // Every option of wc prints counts (`--files0-from` reads names, not lines).
        "wc" => options.iter().all(|o| !o.starts_with("--files0-from")),
        "grep" | "egrep" | "fgrep" => {
            let quiet = |o: &str| {
                matches!(o, "--count" | "--quiet" | "--silent")
                    || (!o.starts_with("--")
                        && o.contains(['c', 'q'])
                        && o.chars().skip(1).all(|c| "cqiEFwvxs".contains(c)))
            };
            // SECURITY: a pattern that reaches into a value (`^AWS_SECRET=A`) tells one
            // bit of it per count: only names are looked for.
            let operands_name_only = args
                .iter()
                .filter(|a| !a.starts_with('-'))
                .all(|a| a.split_once('=').is_none_or(|(_, value)| value.is_empty()));
            // (`-o`, `-A`, `-f FILE` and the like do not combine with a count here.)
            operands_name_only
                && options.iter().any(|o| quiet(o))
                && options.iter().all(|o| {
                    quiet(o)
                        || matches!(
                            o.as_str(),
                            "-i" | "-E" | "-F" | "-w" | "-v" | "-x" | "-s" | "--ignore-case"
                        )
                })
        }
        _ => false,
    }
}

/// `grep [-i|-E|-F|-w] NAME`, with NAME a variable name known to hold no secret or
/// its start (`^PATH=`, `node_`, `JAVA_HOME`), none of whose letters spell one (`key`,
/// `token`, `secret`, `pass`, `auth`, `aws`, `api`, …): the lines of the environment
/// it lets through are those variables. Anything else (`-v`, a pattern file, `grep -i
/// token`, `grep FAKE`, which may be `FAKE_TOKEN`) is not.
pub fn harmless_name_filter(words: &[String]) -> bool {
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    if program != "grep" {
        return false;
    }
    let (options, operands): (Vec<&String>, Vec<&String>) =
        args.iter().partition(|a| a.starts_with('-'));
    let options_ok = options.iter().all(|o| {
        matches!(
            o.as_str(),
            "-i" | "-E"
                | "-F"
                | "-w"
                | "--ignore-case"
                | "--color"
                | "--colour"
                | "--color=auto"
                | "--color=never"
        )
    });
    let [pattern] = operands.as_slice() else {
        return false;
    };
    let name = pattern.trim_start_matches('^').trim_end_matches('=');
    const SECRET: &[&str] = &[
        "key",
        "token",
        "secret",
        "pass",
        "pwd",
        "auth",
        "cred",
        "private",
        "session",
        "cookie",
        "aws",
        "gh",
        "github",
        "gitlab",
        "openai",
        "anthropic",
        "api",
        "access",
        "cert",
        "sign",
        "salt",
        "dsn",
        "database",
        "db_",
        "url",
        "uri",
        "conn",
        "account",
        "login",
        "jwt",
        "oauth",
        "bearer",
        "stripe",
        "slack",
        "npm",
        "pypi",
        "vault",
        "azure",
        "gcp",
        "google",
    ];
    // Names known to hold no secret (the pattern is one, or the start of one).
    const HARMLESS: &[&str] = &[
        "path",
        "home",
        "user",
        "shell",
        "lang",
        "lc_",
        "term",
        "pwd",
        "oldpwd",
        "shlvl",
        "logname",
        "hostname",
        "display",
        "editor",
        "visual",
        "pager",
        "tz",
        "tmpdir",
        "xdg_",
        "node_env",
        "node_options",
        "node_path",
        "node_version",
        "nvm_",
        "java_home",
        "pythonpath",
        "pythonhome",
        "python_version",
        "virtual_env",
        "conda_",
        "gopath",
        "goroot",
        "gobin",
        "cargo_home",
        "rustup_home",
        "rust_log",
        "rust_backtrace",
        "gem_home",
        "gem_path",
        "bundle_path",
        "maven_home",
        "gradle_home",
        "android_home",
        "pyenv_",
        "rbenv_",
        "volta_home",
        "bun_install",
        "deno_dir",
        "rails_env",
        "flask_env",
        "django_settings_module",
        "debian_frontend",
        "ci",
        "term_program",
        "colorterm",
        "proxy",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "all_proxy",
    ];
    let lower = name.to_ascii_lowercase();
    options_ok
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !SECRET.iter().any(|s| lower.contains(s))
        && HARMLESS
            .iter()
            .any(|h| h.starts_with(lower.as_str()) || lower.starts_with(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rstest::rstest]
    #[case("${!v}", true)]
    #[case("\"$v=${!v}\"", true)]
    #[case("${!name:-none}", true)]
    #[case("${!FAKE*}", false)]
    #[case("${!FAKE@}", false)]
    #[case("${!arr[@]}", false)]
    #[case("$v", false)]
    #[case("${v}", false)]
    fn indirect_values(#[case] text: &str, #[case] indirect: bool) {
        assert_eq!(indirect_value(text), indirect, "{text}");
    }

    #[rstest::rstest]
    #[case("wc -l", true)]
    #[case("grep -c PATH", true)]
    #[case("grep -q TOKEN", true)]
    #[case("grep -ci token", true)]
    #[case("grep TOKEN", false)]
    #[case("grep -c -A3 TOKEN", false)]
    #[case("grep -o TOKEN", false)]
    #[case("grep -c ^AWS_SECRET_ACCESS_KEY=A", false)]
    #[case("grep -c ^PATH=", true)]
    fn filters_that_print_no_line(#[case] words: &str, #[case] none: bool) {
        let words: Vec<String> = words.split(' ').map(str::to_string).collect();
        assert_eq!(prints_no_line(&words), none, "{words:?}");
    }
}
