//! Program knowledge, command hooks: options whose value the program runs as a shell
//! command (`tar --to-command=CMD`, `rsync -e CMD`, `man -P CMD`, `zip -TT CMD`), or runs
//! when it is written as a shell escape (`vim -c '!CMD'`, `gdb -ex 'shell CMD'`,
//! `ssh -o ProxyCommand=CMD`).
//!
//! The options are a column of the program rows ([`Hook`]); the walk asks
//! [`command_values`] for every command's row and analyses what it returns as nested
//! scripts. This module only reads them.

use crate::command::Word;

/// How an option's value becomes a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The value is a shell command line.
    Script,
    /// The value runs when it starts with `exec=` (`tar --checkpoint-action=exec=CMD`).
    ExecPrefix,
    /// An editor command: a command line after `!` (`:!cmd`, `silent !cmd`).
    Bang,
    /// A debugger command: after `shell ` or `!`.
    Shell,
    /// ssh's `-o Key=Value`: the value of ProxyCommand / LocalCommand.
    SshOption,
    /// An output file that is a pipe when it starts with `|` or `!` (`strace -o '|CMD'`).
    PipeFile,
    /// A pager's initial command: a command line after a leading `!` (`less '+!CMD'`).
    LeadingBang,
    /// cargo's `--config KEY=VALUE`: the value of a key cargo runs as a program
    /// (`target.<triple>.runner`, `build.rustc-wrapper`, a linker), a TOML string or array.
    CargoConfig,
    /// APT's `-o KEY=VALUE`: the value of a hook key (`APT::Update::Pre-Invoke::`,
    /// `DPkg::Post-Invoke`, `DPkg::Pre-Install-Pkgs`, …) is a shell command; a
    /// `Dir::Bin::*` key names a program APT runs.
    AptOption,
    /// A file of settings that may hold commands (`apt-get -c FILE`): what it runs is
    /// only known at run time when its name is; a literal name adds nothing.
    SettingsFile,
    /// An argv written with commas (`gcc -wrapper gdb,--args`): the program and its
    /// arguments.
    CommaArgv,
}

/// Options of a program whose value it runs as a command, and how (a column of the
/// rows: [`super::Program::hooks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hook {
    /// The options, with their dashes (`+` is vim's and less's `+CMD`).
    pub options: &'static [&'static str],
    /// How the value becomes a command.
    pub kind: Kind,
}

/// The commands `hooks` make a program run, given its arguments: literal script text,
/// or the word when its value is only known at run time.
pub fn command_values(hooks: &[Hook], args: &[Word]) -> Vec<Word> {
    option_values(hooks, args)
        .into_iter()
        .filter_map(|(kind, value)| match value {
            Word::Lit(v) => command_of(kind, &v).map(Word::Lit),
            other => Some(other),
        })
        .collect()
}

/// The literal names of settings files the hooks name (`vim -S FILE`, `apt-get -c
/// FILE`): a file the script itself wrote is read by the walk.
pub fn settings_files(hooks: &[Hook], args: &[Word]) -> Vec<String> {
    option_values(hooks, args)
        .into_iter()
        .filter(|(kind, _)| *kind == Kind::SettingsFile)
        .filter_map(|(_, value)| value.lit().map(str::to_string))
        .collect()
}

/// The editor commands (`vim -c CMD`, `--cmd`, `+CMD`) among `args`, as given.
pub fn editor_commands(hooks: &[Hook], args: &[Word]) -> Vec<Word> {
    option_values(hooks, args)
        .into_iter()
        .filter(|(kind, _)| *kind == Kind::Bang)
        .map(|(_, value)| value)
        .collect()
}

/// Each hook option's value among `args`, with the hook's kind.
fn option_values(hooks: &[Hook], args: &[Word]) -> Vec<(Kind, Word)> {
    let mut out = Vec::new();
    for &Hook { options, kind } in hooks {
        let mut i = 0;
        while let Some(word) = args.get(i) {
            i += 1;
            let Some(text) = word.lit() else { continue };
            if text == "--" {
                break;
            }
            let value: Option<Word> = options.iter().find_map(|opt| {
                if text == *opt && *opt != "+" {
                    return args.get(i).cloned();
                }
                if let Some(v) = text.strip_prefix(&format!("{opt}=")) {
                    return Some(Word::Lit(v.to_string()));
                }
                // A bundle of flag letters ending in the option's letter (`ex -sc CMD`,
                // `rsync -avze CMD`, `ssh -vo KEY=VALUE`): its value is the next word.
                let short = opt.len() == 2 && !opt.starts_with("--") && *opt != "+";
                if short
                    && text.len() > 2
                    && !text.starts_with("--")
                    && text.starts_with('-')
                    && !text.starts_with(opt)
                    && text.ends_with(opt.get(1..).unwrap_or("-"))
                    && text
                        .get(1..)
                        .is_some_and(|t| t.chars().all(|c| c.is_ascii_alphabetic()))
                {
                    return args.get(i).cloned();
                }
                // `+CMD` (vim), `-TTcmd` / `-ecmd` glued short options.
                let glued = *opt == "+" || (opt.len() == 2 && !opt.starts_with("--"));
                if glued
                    && text.len() > opt.len()
                    && text.starts_with(opt)
                    && !text.starts_with("--")
                {
                    return Some(Word::Lit(text.get(opt.len()..).unwrap_or("").to_string()));
                }
                None
            });
            if let Some(value) = value {
                out.push((kind, value));
            }
        }
    }
    out
}

/// The shell command a hook value runs, if it runs one.
fn command_of(kind: Kind, value: &str) -> Option<String> {
    let v = value.trim_start();
    match kind {
        Kind::Script => Some(v.to_string()),
        Kind::ExecPrefix => v.strip_prefix("exec=").map(str::to_string),
        Kind::Bang => {
            // `:!cmd`, `silent !cmd`, `execute "!cmd"`, `call system("cmd")`: anything
            // after a `!`, or the string given to system().
            let v = v.trim_start_matches(':');
            if let Some(at) = v.find('!') {
                return Some(v.get(at + 1..).unwrap_or("").to_string());
            }
            v.find("system(").map(|at| {
                v.get(at + 7..)
                    .unwrap_or("")
                    .trim_end_matches(')')
                    .trim_matches(['"', '\''])
                    .to_string()
            })
        }
        Kind::Shell => {
            // gdb's `python CODE` (`py`, `pi`) runs Python: read as `python3 -c CODE`.
            let python = ["python ", "py ", "pi ", "python-interactive "]
                .iter()
                .find_map(|p| v.strip_prefix(p));
            if let Some(code) = python {
                return Some(format!("python3 -c '{}'", code.replace('\'', r"'\''")));
            }
            // `pipe [CMD] | SHELL_CMD` (or `| CMD | SHELL_CMD`) runs SHELL_CMD.
            if let Some(rest) = v.strip_prefix("pipe ").or_else(|| v.strip_prefix('|')) {
                return rest
                    .split_once('|')
                    .map(|(_, shell)| shell.trim().to_string());
            }
            v.strip_prefix("shell ")
                .or_else(|| v.strip_prefix('!'))
                .map(str::to_string)
        }
        Kind::CargoConfig => {
            let (key, value) = v.split_once('=')?;
            let key = key.trim().to_ascii_lowercase();
            let runs = key.ends_with(".runner")
                || key.ends_with(".linker")
                || matches!(
                    key.as_str(),
                    "build.rustc"
                        | "build.rustdoc"
                        | "build.rustc-wrapper"
                        | "build.rustc-workspace-wrapper"
                );
            if !runs {
                return None;
            }
            // A TOML string (`"cmd args"`, split at blanks as cargo does) or array
            // (`["sh", "-c", "cmd"]`, one word each): the argv, each word quoted.
            let value = value.trim();
            let words: Vec<&str> = match value.strip_prefix('[') {
                Some(array) => array
                    .trim_end_matches(']')
                    .split(',')
                    .map(|w| w.trim().trim_matches(['"', '\'']))
                    .collect(),
                None => value.trim_matches(['"', '\'']).split_whitespace().collect(),
            };
            let quoted: Vec<String> = words
                .iter()
                .filter(|w| !w.is_empty())
                .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
                .collect();
            Some(quoted.join(" "))
        }
        Kind::AptOption => {
            let (key, val) = v.split_once('=')?;
            let key = key.trim().trim_end_matches(':').to_ascii_lowercase();
            let hook = [
                "pre-invoke",
                "post-invoke",
                "post-invoke-success",
                "pre-install-pkgs",
            ]
            .iter()
            .any(|h| key.ends_with(&format!("::{h}")));
            if hook {
                Some(val.to_string())
            } else if key.starts_with("dir::bin::") {
                Some(format!("'{}'", val.replace('\'', r"'\''")))
            } else {
                None
            }
        }
        Kind::SettingsFile => None,
        Kind::CommaArgv => {
            let quoted: Vec<String> = v
                .split(',')
                .filter(|w| !w.is_empty())
                .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
                .collect();
            (!quoted.is_empty()).then(|| quoted.join(" "))
        }
        Kind::PipeFile => v
            .strip_prefix('|')
            .or_else(|| v.strip_prefix('!'))
            .map(str::to_string),
        Kind::LeadingBang => v
            .strip_prefix('!')
            .or_else(|| v.strip_prefix(":!"))
            .map(str::to_string),
        Kind::SshOption => {
            let (key, val) = v.split_once(['=', ' '])?;
            matches!(
                key.to_ascii_lowercase().as_str(),
                "proxycommand" | "localcommand" | "knownhostscommand"
            )
            .then(|| val.trim_start_matches(['=', ' ']).to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(s: &[&str]) -> Vec<Word> {
        s.iter().map(|w| Word::Lit((*w).into())).collect()
    }

    /// What the hooks of `name`'s row make it run.
    fn command_values(name: &str, args: &[Word]) -> Vec<Word> {
        super::command_values(crate::command::programs::lookup(name).hooks, args)
    }

    #[test]
    fn hook_options_give_their_commands() {
        let v = command_values("tar", &lits(&["xf", "a.tar", "--to-command=rm -rf /"]));
        assert_eq!(v, lits(&["rm -rf /"]));
        let v = command_values(
            "tar",
            &lits(&["cf", "x", "--checkpoint-action=exec=id", "."]),
        );
        assert_eq!(v, lits(&["id"]));
        let v = command_values("vim", &lits(&["-c", ":!git reset --hard", "+q"]));
        assert_eq!(v, lits(&["git reset --hard"]));
        let v = command_values("gdb", &lits(&["-batch", "-ex", "shell rm -rf ~"]));
        assert_eq!(v, lits(&["rm -rf ~"]));
        let v = command_values("ssh", &lits(&["-oProxyCommand=sh -c x", "h"]));
        assert_eq!(v, lits(&["sh -c x"]));
        assert!(command_values("vim", &lits(&["-c", "set nu", "f"])).is_empty());
        assert!(command_values("tar", &lits(&["czf", "a.tgz", "src"])).is_empty());
    }

    #[test]
    fn apt_hooks_compiler_wrappers_and_bundled_options() {
        let v = command_values(
            "apt-get",
            &lits(&["-o", "APT::Update::Pre-Invoke::=rm -rf x", "update"]),
        );
        assert_eq!(v, lits(&["rm -rf x"]));
        let v = command_values("apt", &lits(&["-qqo", "DPkg::Post-Invoke=ls", "upgrade"]));
        assert_eq!(v, lits(&["ls"]));
        assert!(
            command_values("apt-get", &lits(&["-o", "Acquire::Retries=3", "update"])).is_empty()
        );
        assert!(command_values("apt-get", &lits(&["-c", "/etc/apt.conf", "update"])).is_empty());
        let v = command_values("gcc", &lits(&["-wrapper", "sh,-c,rm -rf x", "a.c"]));
        assert_eq!(v, lits(&["'sh' '-c' 'rm -rf x'"]));
        let v = command_values("ex", &lits(&["-sc", "!ls", "f"]));
        assert_eq!(v, lits(&["ls"]));
        let v = command_values("dpkg", &lits(&["--pre-invoke=ls", "-i", "x.deb"]));
        assert_eq!(v, lits(&["ls"]));
    }
}
