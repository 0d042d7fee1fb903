//! Files the script itself writes, then runs: `echo 'cmd' > x.sh; bash x.sh`,
//! `cat <<EOF > hook` then `git commit`, `cp /bin/rm ./ls; ./ls -rf /`.
//!
//! The walk records what each output redirection writes (its literal text when the
//! command prints literal text — `echo`, `printf` without `%`, `cat` of a heredoc — or
//! "unknown") and what `cp`/`mv`/`ln`/`install` copy, keyed by the path as the walk
//! knows it; running such a path later runs that text (or that program). Only paths
//! the walk can name (literal, in a known directory) are tracked; the rest of the
//! filesystem stays out of reach, as script files are.

use std::collections::HashMap;

use super::expand;
use super::walk::join_dir;
use super::{Dir, Word};

/// What the script put at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// This text (a script, when run).
    Text(String),
    /// Text only known at run time.
    Unknown,
    /// A copy of (or link to) this program: running the path runs it.
    Program(String),
}

/// The files a script wrote, by path.
#[derive(Debug, Clone, Default)]
pub struct Files {
    by_path: HashMap<String, Written>,
    /// Something was written into a hooks directory (`.git/hooks/…`, or under a
    /// `core.hooksPath`): git commands afterwards may run it.
    pub hooks: Vec<Written>,
}

/// The key of a literal path in a directory: normalised, relative to the start when
/// relative. A relative path in a directory only known at run time is keyed as written
/// (a write and a run of `x.sh` after `cd "$d"` most likely meet). `None` when the path
/// is not literal.
pub fn key(dir: &Dir, path: &Word) -> Option<String> {
    let text = path.lit()?;
    if text.is_empty() || text.starts_with('~') {
        return None;
    }
    let normal = |p: &str| crate::policy::rule::normalize_path(p);
    match join_dir(dir, text) {
        Dir::Path(p) => Some(normal(&p.display().to_string())),
        _ => Some(format!("?/{}", normal(text))),
    }
}

impl Files {
    /// Records a write (`>` replaces, `>>` appends).
    pub fn write(&mut self, key: String, content: Written, append: bool) {
        let content = match (append, self.by_path.get(&key), content) {
            (true, Some(Written::Text(old)), Written::Text(new)) => {
                Written::Text(old.clone() + &new)
            }
            (true, Some(_), _) => Written::Unknown,
            (_, _, content) => content,
        };
        if key.contains("hooks/") {
            self.hooks.push(content.clone());
        }
        self.by_path.insert(key, content);
    }

    /// Everything written under a directory (a `core.hooksPath`).
    pub fn under(&self, dir: &str) -> Vec<Written> {
        let dir = crate::policy::rule::normalize_path(dir);
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.by_path
            .iter()
            .filter(|(k, _)| {
                k.starts_with(&prefix)
                    || k.strip_prefix("?/").is_some_and(|r| r.starts_with(&prefix))
            })
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Everything the script put at a path whose last component is `name` (what a bare
    /// `name` may run once a directory of the script's is on PATH), with the path.
    pub fn named(&self, name: &str) -> Vec<(String, Written)> {
        let mut out: Vec<(String, Written)> = self
            .by_path
            .iter()
            .filter(|(k, _)| k.rsplit('/').next() == Some(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// What the script put at this path, if it wrote it.
    pub fn get(&self, key: &str) -> Option<&Written> {
        self.by_path.get(key)
    }

    /// `cp SRC DST`, `mv SRC DST`, `ln [-s] SRC DST`, `install SRC DST`: DST now holds
    /// what SRC holds — a tracked file's content, or, for a path that names a program
    /// (`/bin/rm`, `$(command -v rm)` is not literal), that program.
    pub fn copy(&mut self, dir: &Dir, args: &[Word]) {
        let operands: Vec<&Word> = args
            .iter()
            .filter(|w| !w.lit().is_some_and(|t| t.starts_with('-')))
            .collect();
        let [sources @ .., dest] = operands.as_slice() else {
            return;
        };
        for source in sources {
            let content = match key(dir, source).and_then(|k| self.by_path.get(&k).cloned()) {
                Some(c) => c,
                None => match source.lit() {
                    Some(path) if path.starts_with('/') => {
                        let base = path.rsplit('/').next().unwrap_or(path);
                        if base.is_empty() {
                            continue;
                        }
                        Written::Program(base.to_string())
                    }
                    Some(_) => continue,
                    None => Written::Unknown,
                },
            };
            // Into a directory (`cp x.sh bin/`, several sources): DST/NAME.
            let into_dir = sources.len() > 1 || dest.lit().is_some_and(|d| d.ends_with('/'));
            let target = if into_dir {
                match (dest.lit(), source.lit()) {
                    (Some(d), Some(s)) => Word::Lit(format!(
                        "{}/{}",
                        d.trim_end_matches('/'),
                        s.rsplit('/').next().unwrap_or(s)
                    )),
                    _ => continue,
                }
            } else {
                (*dest).clone()
            };
            if let Some(k) = key(dir, &target) {
                self.write(k, content, false);
            }
        }
    }
}

/// What a command prints when that is literal: `echo`/`printf` of literal words (no
/// `%` directives), `cat` (or `cat -`) of a literal stdin, `tee` of a literal stdin.
pub fn literal_output(words: &[Word], stdin_text: Option<&str>) -> Option<String> {
    let literal: Option<Vec<&str>> = words.iter().map(Word::lit).collect();
    let literal = literal?;
    let (name, rest) = literal.split_first()?;
    match name.rsplit('/').next().unwrap_or(name) {
        "echo" => Some(echo_output(rest)),
        "printf" => match rest {
            [format] if !format.contains('%') => Some(expand::decode_ansi_c(format)),
            _ => None,
        },
        "cat" | "tee" => {
            let files = rest.iter().filter(|a| !a.starts_with('-') || **a == "-");
            let reads_stdin = name.ends_with("tee") || files.clone().all(|f| *f == "-");
            if reads_stdin {
                stdin_text.map(str::to_string)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What `echo ARGS` prints, for literal arguments: its leading `-n`/`-e`/`-E` flags
/// read as bash's builtin reads them (`-e` decodes backslash escapes, the last of
/// `-e`/`-E` wins; `-n` drops the newline).
pub fn echo_output(args: &[&str]) -> String {
    let flags: Vec<&str> = args
        .iter()
        .copied()
        .take_while(|a| {
            a.len() > 1
                && a.starts_with('-')
                && a.chars().skip(1).all(|c| matches!(c, 'n' | 'e' | 'E'))
        })
        .collect();
    let text = args.get(flags.len()..).unwrap_or(&[]).join(" ");
    let decode = flags
        .iter()
        .flat_map(|f| f.chars())
        .rfind(|c| matches!(c, 'e' | 'E'))
        == Some('e');
    let newline = !flags.iter().any(|f| f.contains('n'));
    let text = if decode {
        expand::decode_ansi_c(&text)
    } else {
        text
    };
    if newline { format!("{text}\n") } else { text }
}
