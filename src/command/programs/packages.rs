//! Program knowledge, package managers and build tools: what `npm`, `pnpm`, `yarn`,
//! `npx` and `bun x` run (a package's program, a package script), the recipes `make`
//! runs from makefile text the walk can see, cargo's `--config` runners, and the
//! package managers that treat their arguments as data.
//!
//! A row per program (or per few that behave alike). This module only describes
//! programs; the walk asks it.

use super::hooks::{Hook, Kind};
use super::{Action, Input, Program, is_stdin_path};
use crate::command::Word;

/// The package managers and build tools, as rows.
pub const ROWS: &[Program] = &[
    Program {
        names: &["npx", "npm", "pnpm", "yarn", "pnpx", "bunx"],
        action: Action::PackageManager,
        stdin: Input::Passed,
        ..Program::DEFAULT
    },
    // Makefile text we can see: `make --eval TEXT`, `make -f -` reading a heredoc, a
    // makefile this script wrote.
    Program {
        names: &["make", "gmake"],
        action: Action::Make,
        stdin: Input::Script,
        ..Program::DEFAULT
    },
    Program {
        names: &["cargo"],
        action: Action::Data,
        hooks: &[Hook {
            options: &["--config"],
            kind: Kind::CargoConfig,
        }],
        ..Program::DEFAULT
    },
    // Packages to install, query or remove: data.
    Program {
        names: &[
            "apt",
            "apt-get",
            "apt-cache",
            "dpkg",
            "brew",
            "pip",
            "pip3",
            "pipx",
            "uv",
            "rustup",
            "go",
            "gem",
            "conda",
            "dnf",
            "yum",
            "pacman",
            "apk",
            "snap",
        ],
        action: Action::Data,
        ..Program::DEFAULT
    },
];

/// The file that holds a package's scripts.
pub const MANIFEST: &str = "package.json";

/// Package runners: `npx PKG …`, `npm exec|x [--] PKG …`, `pnpm dlx|exec PKG …`,
/// `pnpx`, `yarn dlx|exec PKG …`, `bunx PKG …`, `bun x PKG …`: the package's program
/// and its arguments (`@version` dropped from the name).
pub fn package_run(base: &str, args: &[Word]) -> Option<Vec<Word>> {
    let sub = args.first().and_then(Word::lit);
    let rest = match (base, sub) {
        ("npx" | "pnpx" | "bunx", _) => args,
        ("npm", Some("exec" | "x")) | ("pnpm", Some("dlx" | "exec")) => args.get(1..)?,
        ("yarn", Some("dlx" | "exec")) | ("bun", Some("x")) => args.get(1..)?,
        _ => return None,
    };
    // Options: -y/--yes, -q, --no-install, -p/--package PKG (a package to install, not
    // the program), `--` ends them.
    let mut i = 0;
    while let Some(w) = rest.get(i).and_then(Word::lit) {
        match w {
            "--" => {
                i += 1;
                break;
            }
            "-p" | "--package" | "-w" | "--workspace" | "-c" | "--call" | "--prefix" => i += 2,
            _ if w.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let mut words = rest.get(i..)?.to_vec();
    if let Some(Word::Lit(name)) = words.first_mut() {
        // `rimraf@5`, `@scope/tool@1.2`: the program is the name without the version.
        let cut = name.get(1..).and_then(|t| t.find('@')).map(|at| at + 1);
        if let Some(at) = cut {
            name.truncate(at);
        }
        if let Some(bin) = name.rsplit('/').next().filter(|_| name.starts_with('@')) {
            *name = bin.to_string();
        }
    }
    (!words.is_empty()).then_some(words)
}

/// The package script a command runs: `npm run NAME`, `npm run-script NAME`,
/// `npm test|start|stop|restart`, `yarn [run] NAME`, `pnpm [run] NAME`, `bun run NAME`.
pub fn package_script_name(base: &str, args: &[Word]) -> Option<String> {
    let words: Vec<&str> = args
        .iter()
        .map_while(Word::lit)
        .filter(|w| !w.starts_with('-'))
        .collect();
    let name = match (base, words.as_slice()) {
        ("npm" | "pnpm" | "yarn" | "bun", ["run" | "run-script", name, ..]) => *name,
        ("npm" | "pnpm" | "yarn", [name @ ("test" | "start" | "stop" | "restart"), ..]) => *name,
        ("npm" | "bun", _) => return None,
        // `yarn NAME` / `pnpm NAME` run a script of that name when it is not a command.
        ("yarn" | "pnpm", [name, ..])
            if !matches!(
                *name,
                "add"
                    | "install"
                    | "i"
                    | "remove"
                    | "upgrade"
                    | "up"
                    | "why"
                    | "dlx"
                    | "exec"
                    | "create"
                    | "init"
                    | "info"
                    | "list"
                    | "ls"
                    | "link"
                    | "unlink"
                    | "pack"
                    | "publish"
                    | "config"
                    | "cache"
                    | "audit"
                    | "outdated"
                    | "update"
            ) =>
        {
            *name
        }
        _ => return None,
    };
    Some(name.to_string())
}

/// Package scripts a command defines: `npm pkg set scripts.NAME=VALUE …`,
/// `npm set-script NAME VALUE`. (name, value word).
pub fn package_scripts_set(base: &str, args: &[Word]) -> Vec<(String, Word)> {
    if base != "npm" && base != "pnpm" {
        return Vec::new();
    }
    let lits: Vec<Option<&str>> = args.iter().map(Word::lit).collect();
    match lits.as_slice() {
        [Some("pkg"), Some("set"), ..] => args
            .iter()
            .skip(2)
            .filter_map(|w| match w {
                Word::Lit(t) => {
                    let (k, v) = t.split_once('=')?;
                    let name = k.strip_prefix("scripts.")?;
                    Some((name.to_string(), Word::Lit(v.to_string())))
                }
                Word::Unknown { text, .. } => {
                    let (k, _) = text.split_once('=')?;
                    let name = k.trim_matches(['"', '\'']).strip_prefix("scripts.")?;
                    Some((name.to_string(), w.clone()))
                }
                Word::Glob(_) => None,
            })
            .collect(),
        [Some("set-script"), Some(name), ..] => args
            .get(2)
            .map(|v| vec![((*name).to_string(), v.clone())])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The scripts of a `package.json` text.
pub fn package_json_scripts(text: &str) -> Vec<(String, String)> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    json.get("scripts")
        .and_then(serde_json::Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The recipe lines of makefile text (`make -f -`, `make --eval`): lines starting with a
/// tab, and what follows `;` on a rule line (`all: ; cmd`). make runs each with the
/// shell, `$$` standing for `$`.
pub fn makefile_recipes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(recipe) = line.strip_prefix('\t') {
            out.push(
                recipe
                    .trim_start_matches(['@', '-', '+'])
                    .replace("$$", "$"),
            );
        } else if let Some((rule, recipe)) = line.split_once(';')
            && rule.contains(':')
            && !rule.trim_start().starts_with('#')
        {
            out.push(
                recipe
                    .trim_start()
                    .trim_start_matches(['@', '-', '+'])
                    .replace("$$", "$"),
            );
        }
    }
    out
}

/// The makefiles `make` reads: each `-f FILE` (else `GNUmakefile`, `makefile`,
/// `Makefile`), and the directory `-C DIR` moves to first.
pub fn make_files(args: &[Word]) -> (Vec<Word>, Option<Word>) {
    let mut files = Vec::new();
    let mut chdir = None;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let Some(w) = word.lit() else { continue };
        match w {
            "-f" | "--file" | "--makefile" => {
                files.extend(args.get(i).cloned());
                i += 1;
            }
            "-C" | "--directory" => {
                chdir = args.get(i).cloned();
                i += 1;
            }
            _ if w.starts_with("-f") && w.len() > 2 => {
                files.push(Word::Lit(w.get(2..).unwrap_or("").to_string()))
            }
            _ if w.starts_with("--file=") || w.starts_with("--makefile=") => {
                files.push(Word::Lit(
                    w.split_once('=').map_or("", |(_, v)| v).to_string(),
                ));
            }
            _ if w.starts_with("-C") && w.len() > 2 => {
                chdir = Some(Word::Lit(w.get(2..).unwrap_or("").to_string()))
            }
            _ => {}
        }
    }
    if files.is_empty() {
        files = ["GNUmakefile", "makefile", "Makefile"]
            .iter()
            .map(|f| Word::Lit((*f).to_string()))
            .collect();
    }
    (files, chdir)
}

/// Where `make` reads makefile text we can see: `--eval TEXT` / `-E TEXT`, and whether
/// it reads a makefile from standard input (`-f -`, `-f /dev/stdin`).
pub fn make_sources(args: &[Word]) -> (Vec<Word>, bool) {
    let mut evals = Vec::new();
    let mut stdin = false;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let Some(w) = word.lit() else { continue };
        match w {
            "--eval" | "-E" => {
                evals.extend(args.get(i).cloned());
                i += 1;
            }
            "-f" | "--file" | "--makefile" => {
                stdin |= args
                    .get(i)
                    .and_then(Word::lit)
                    .is_some_and(|f| f == "-" || is_stdin_path(f));
                i += 1;
            }
            _ if w.starts_with("--eval=") => {
                evals.push(Word::Lit(w.get(7..).unwrap_or("").to_string()))
            }
            _ if w.starts_with("-E") && w.len() > 2 => {
                evals.push(Word::Lit(w.get(2..).unwrap_or("").to_string()));
            }
            _ if w.starts_with("-f") && w.len() > 2 => {
                let f = w.get(2..).unwrap_or("");
                stdin |= f == "-" || is_stdin_path(f);
            }
            _ if w.starts_with("--file=") || w.starts_with("--makefile=") => {
                let f = w.split_once('=').map_or("", |(_, v)| v);
                stdin |= f == "-" || is_stdin_path(f);
            }
            _ => {}
        }
    }
    (evals, stdin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makefile_recipes_are_found() {
        assert_eq!(
            makefile_recipes("all:\n\t@rm -rf $$HOME\nx: y ; git push -f"),
            vec!["rm -rf $HOME".to_string(), "git push -f".to_string()]
        );
    }
}
