//! Redirections: the files a command or compound command opens (for path rules and for
//! files the script writes), and the standard input a redirection or a pipe provides.

use brush_parser::ast;

use super::vars::quoted_variable;
use super::{Scope, Stdin, Walker};
use crate::command::expand::{self, Positionals};
use crate::command::{Dir, Redirect, RedirectAccess, VarRef, Word, heredoc};

impl Walker<'_> {
    /// Handles a redirect: analyses what it runs, and returns the stdin it provides.
    pub(super) fn redirect(&mut self, r: &ast::IoRedirect, scope: &mut Scope) -> Option<Stdin> {
        match r {
            ast::IoRedirect::File(fd, kind, target) => {
                // `<`, `<>` and `<&N` on descriptor 0 give the command its input.
                let reads_stdin = matches!(
                    kind,
                    ast::IoFileRedirectKind::Read
                        | ast::IoFileRedirectKind::ReadAndWrite
                        | ast::IoFileRedirectKind::DuplicateInput
                ) && fd.is_none_or(|fd| fd == 0);
                match target {
                    ast::IoFileRedirectTarget::Filename(w) => {
                        let word = self.word(&w.value, scope);
                        // `< /dev/null`: nothing to read.
                        if reads_stdin && word.lit() == Some("/dev/null") {
                            return Some(Stdin::Literal(String::new()));
                        }
                        // A file this script wrote: its text is what the command reads
                        // (`sqlite3 db < cmds`, `python3 < x`, `bash < x`).
                        if reads_stdin
                            && let Some(written) = crate::command::files::key(&scope.dir, &word)
                                .and_then(|k| self.files.get(&k))
                        {
                            return Some(match written {
                                crate::command::files::Written::Text(t) => {
                                    Stdin::Literal(t.clone())
                                }
                                _ => Stdin::Dynamic(format!(
                                    "`{}`, a file this script wrote",
                                    word.display()
                                )),
                            });
                        }
                    }
                    ast::IoFileRedirectTarget::Duplicate(w) => {
                        self.word(&w.value, scope);
                        if reads_stdin && w.value != "-" {
                            return Some(Stdin::Dynamic(format!(
                                "input duplicated from descriptor {}",
                                w.value
                            )));
                        }
                    }
                    ast::IoFileRedirectTarget::ProcessSubstitution(_, sub) => {
                        let mut inner = scope.clone();
                        inner.frames.push("<(…)".to_string());
                        self.list(&sub.list, &mut inner);
                        if reads_stdin {
                            return Some(Stdin::Dynamic(
                                "the output of a process substitution".to_string(),
                            ));
                        }
                    }
                    ast::IoFileRedirectTarget::Fd(_) => {}
                }
                reads_stdin.then_some(Stdin::File)
            }
            ast::IoRedirect::HereDocument(fd, doc) => {
                let text = if doc.requires_expansion {
                    let (text, inner) = expand::expand_heredoc(&doc.doc.value, &scope.positionals);
                    self.inner(inner, scope);
                    text
                } else {
                    self.heredoc_marks += heredoc::count_marks(&doc.doc.value);
                    Some(heredoc::restore(&doc.doc.value))
                };
                let stdin = match text {
                    Some(t) => Stdin::Literal(t),
                    None => Stdin::Dynamic("a heredoc with expansions".to_string()),
                };
                fd.is_none_or(|fd| fd == 0).then_some(stdin)
            }
            ast::IoRedirect::HereString(fd, w) => {
                let word = self.word(&w.value, scope);
                let stdin = match word {
                    Word::Lit(t) | Word::Glob(t) => Stdin::Literal(format!("{t}\n")),
                    Word::Unknown { text, .. } => {
                        Stdin::Dynamic(format!("a here-string with expansions `{text}`"))
                    }
                };
                fd.is_none_or(|fd| fd == 0).then_some(stdin)
            }
            ast::IoRedirect::OutputAndError(w, _) => {
                self.word(&w.value, scope);
                None
            }
        }
    }
}

/// What a pipeline stage writes to the next: literal only for `echo`/`printf` of literals.
pub(super) fn piped_output(
    cmd: &ast::Command,
    positionals: &Positionals,
    echo: crate::command::files::Echo,
) -> Stdin {
    let ast::Command::Simple(simple) = cmd else {
        return Stdin::Dynamic("the output of a compound command".to_string());
    };
    let mut words = Vec::new();
    if let Some(name) = &simple.word_or_name {
        words.push(expand::expand(&name.value, positionals).word);
    }
    for item in simple.suffix.iter().flat_map(|s| s.0.iter()) {
        match item {
            ast::CommandPrefixOrSuffixItem::Word(w) => {
                words.push(expand::expand(&w.value, positionals).word)
            }
            ast::CommandPrefixOrSuffixItem::IoRedirect(_) => {}
            _ => return Stdin::Dynamic("the output of a command".to_string()),
        }
    }
    let literal: Option<Vec<String>> = words.iter().map(|w| w.lit().map(str::to_string)).collect();
    match literal.as_deref() {
        Some([name, rest @ ..]) if name == "echo" => {
            let args: Vec<&str> = rest.iter().map(String::as_str).collect();
            match crate::command::files::echo_output(&args, echo) {
                Some(text) => Stdin::Literal(text),
                None => Stdin::Dynamic(format!(
                    "the output of `echo {}`, whose backslashes this shell's `echo` may decode",
                    rest.join(" ")
                )),
            }
        }
        Some([printf, fmt]) if printf == "printf" && !fmt.contains('%') => {
            Stdin::Literal(expand::decode_ansi_c(fmt))
        }
        _ => {
            let text: Vec<&str> = words.iter().map(Word::display).collect();
            Stdin::Dynamic(format!("the output of `{}`", text.join(" ")))
        }
    }
}

/// The files written by output redirections (`>`, `>>`, `>|`, `&>` on stdout), with
/// whether they append.
pub(super) fn output_targets<'r>(
    redirects: impl Iterator<Item = &'r ast::IoRedirect>,
    positionals: &Positionals,
) -> Vec<(Word, bool)> {
    let mut out = Vec::new();
    for r in redirects {
        match r {
            ast::IoRedirect::File(fd, kind, ast::IoFileRedirectTarget::Filename(w))
                if fd.is_none_or(|fd| fd == 1) =>
            {
                let append = match kind {
                    ast::IoFileRedirectKind::Write | ast::IoFileRedirectKind::Clobber => false,
                    ast::IoFileRedirectKind::Append => true,
                    _ => continue,
                };
                out.push((expand::expand(&w.value, positionals).word, append));
            }
            ast::IoRedirect::OutputAndError(w, append) => {
                out.push((expand::expand(&w.value, positionals).word, *append));
            }
            _ => {}
        }
    }
    out
}

/// The files redirections open, with their access, for path rules: every file
/// operand (`<`, `>`, `>>`, `>|`, `<>`, `n>`, `&>`, `>&file`), whatever the descriptor.
/// Duplications of descriptors (`2>&1`, `>&-`) open no file.
pub(super) fn path_redirects<'r>(
    at: usize,
    redirects: impl Iterator<Item = &'r ast::IoRedirect>,
    dir: &Dir,
    positionals: &Positionals,
) -> Vec<Redirect> {
    let mut out = Vec::new();
    for r in redirects {
        let (word, access, operator) = match r {
            ast::IoRedirect::File(fd, kind, target) => {
                let word = match target {
                    ast::IoFileRedirectTarget::Filename(w) => w,
                    // `>&word`: a file name unless it is a descriptor number or `-`.
                    ast::IoFileRedirectTarget::Duplicate(w) => {
                        let v = w.value.trim_end_matches('-');
                        if v.is_empty() || v.chars().all(|c| c.is_ascii_digit()) {
                            continue;
                        }
                        w
                    }
                    _ => continue,
                };
                let access = match kind {
                    ast::IoFileRedirectKind::Read | ast::IoFileRedirectKind::DuplicateInput => {
                        RedirectAccess::Read
                    }
                    _ => RedirectAccess::Write,
                };
                let fd = fd.map(|n| n.to_string()).unwrap_or_default();
                (word, access, format!("{fd}{kind}"))
            }
            ast::IoRedirect::OutputAndError(w, append) => (
                w,
                RedirectAccess::Write,
                if *append { "&>>" } else { "&>" }.to_string(),
            ),
            _ => continue,
        };
        let target = expand::expand(&word.value, positionals).word;
        let variable = match &target {
            Word::Unknown { .. } => {
                quoted_variable(&word.value).map(|(name, tail)| VarRef { name, tail, at })
            }
            _ => None,
        };
        out.push(Redirect {
            target,
            access,
            dir: dir.clone(),
            operator,
            variable,
        });
    }
    out
}
