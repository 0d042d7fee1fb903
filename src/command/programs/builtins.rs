//! Program knowledge, bash's builtins and reserved words: run by bash itself, never
//! through a guard, and able to change how later names resolve (`read`, `printf -v`,
//! `declare`, `source`, …).
//!
//! A row per builtin (or per few that behave alike). The builtins that change what the
//! walk knows (the directory, `$1…`, aliases, variables) have an action of their own,
//! followed by the walk; the others treat their arguments as data, though some evaluate
//! array subscripts in them or set variables they name. [`BASH_BUILTINS`] is the names
//! of these rows. This module only describes bash; the walk follows it.

use super::wrappers::Operand;
use super::{Action, Assigns, Input, Options, Program};

/// Bash's builtins and reserved words, as rows.
pub const ROWS: &[Program] = &[
    Program {
        names: &["cd", "pushd"],
        action: Action::Cd,
        ..DATA
    },
    Program {
        names: &["popd"],
        action: Action::Popd,
        ..DATA
    },
    Program {
        names: &["shift"],
        action: Action::Shift,
        evaluates: true,
        ..DATA
    },
    Program {
        names: &["set"],
        action: Action::Set,
        ..DATA
    },
    Program {
        names: &["alias"],
        action: Action::Alias,
        ..DATA
    },
    Program {
        names: &["eval"],
        action: Action::Eval,
        ..DATA
    },
    Program {
        names: &["source", "."],
        action: Action::Source,
        stdin: Input::Script,
        ..DATA
    },
    Program {
        names: &["trap"],
        action: Action::Trap,
        ..DATA
    },
    Program {
        names: &["export", "declare", "typeset", "local", "readonly"],
        action: Action::Declare,
        evaluates: true,
        ..DATA
    },
    // `hash -p PATH NAME`: NAME now runs PATH.
    Program {
        names: &["hash"],
        action: Action::Hash,
        ..DATA
    },
    // Callbacks run as commands: `mapfile -C CMD`, `compgen -C CMD`, `complete -C`.
    Program {
        names: &["mapfile", "readarray"],
        action: Action::Callbacks,
        evaluates: true,
        assigns: Assigns::Operands,
        ..DATA
    },
    Program {
        names: &["compgen", "complete"],
        action: Action::Callbacks,
        ..DATA
    },
    // History re-execution: not knowable.
    Program {
        names: &["fc"],
        action: Action::History,
        ..DATA
    },
    // `X=1 ! cmd` runs a command named `!` (not found): judged as `cmd` too.
    Program {
        names: &["!"],
        action: Action::Prefix,
        stdin: Input::Passed,
        ..DATA
    },
    // `command -v NAME` / `-V` only looks NAME up.
    Program {
        names: &["command"],
        action: Action::Wrapper {
            operand: Operand::Command,
            in_this_shell: true,
        },
        stdin: Input::Passed,
        ..DATA
    },
    Program {
        names: &["builtin"],
        action: Action::Wrapper {
            operand: Operand::AfterOptions { lead: 0, skip: 0 },
            in_this_shell: true,
        },
        stdin: Input::Passed,
        ..DATA
    },
    Program {
        names: &["exec"],
        options: Options {
            short: "a",
            ..Options::NONE
        },
        action: Action::Wrapper {
            operand: Operand::Exec,
            in_this_shell: false,
        },
        stdin: Input::Passed,
        ..DATA
    },
    // bash's `time` keyword, and GNU time's options (`/usr/bin/time -o FILE cmd`).
    Program {
        names: &["time"],
        options: Options {
            short: "fo",
            long: &["--format", "--output"],
            ..Options::NONE
        },
        action: Action::Wrapper {
            operand: Operand::AfterOptions { lead: 0, skip: 0 },
            in_this_shell: false,
        },
        stdin: Input::Passed,
        ..DATA
    },
    Program {
        names: &["printf"],
        evaluates: true,
        assigns: Assigns::OptionV,
        ..DATA
    },
    Program {
        names: &["read"],
        evaluates: true,
        assigns: Assigns::Operands,
        ..DATA
    },
    Program {
        names: &["unset", "test", "[", "let", "wait", "exit", "return"],
        evaluates: true,
        ..DATA
    },
    DATA,
];

/// Words bash's grammar leaves in command position that are not builtins: `time --
/// cmd` reaches the walk as a command named `--` (bash's `time` accepts `--`).
pub const GRAMMAR: &[Program] = &[Program {
    names: &["--"],
    action: Action::Prefix,
    stdin: Input::Passed,
    ..DATA
}];

/// The builtins and reserved words that treat their arguments as data.
const DATA: Program = Program {
    names: &[
        ":", "bg", "bind", "break", "caller", "compopt", "continue", "dirs", "disown", "echo",
        "enable", "false", "fg", "getopts", "help", "history", "jobs", "kill", "logout", "pwd",
        "shopt", "suspend", "times", "true", "type", "ulimit", "umask", "unalias", "[[", "]]",
        "case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if",
        "in", "select", "then", "until", "while", "{", "}",
    ],
    action: Action::Data,
    ..Program::DEFAULT
};

/// Bash's builtins and reserved words: run by bash itself, never through a guard, and
/// able to change how later names resolve (`read`, `printf -v`, `declare`, `source`, …).
pub const BASH_BUILTINS: [&str; super::count(&[ROWS])] = super::names(ROWS);

/// Whether a command word, as written, is a declaration builtin (`export`, `declare`,
/// …): an argument after it that reads as an assignment is one.
pub fn is_declaration(word: &str) -> bool {
    super::lookup(word).action == Action::Declare
}
