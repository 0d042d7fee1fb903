//! Variables: assignments, `export`/`declare`, and the variables whose value a program
//! runs as a command, changes where git looks, or changes how the walk reads words.

use brush_parser::ast;

use super::{Scope, Stdin, Walker};
use crate::command::programs::{self, command_value, file_tools, git, git_editors, interpreters};
use crate::command::{Dir, VarRef, Word, files};

impl Walker<'_> {
    /// Resolves redirection targets written as one quoted variable the script assigned
    /// a literal exactly once, unconditionally, before the redirection — and that the
    /// script text names nowhere else but in expansions (no `read F`, `for F in`,
    /// `unset F`, `declare F`). Anything else stays unknown (it could match a path rule).
    pub(super) fn known_redirect_variables(&mut self, script: &str) {
        let events = std::mem::take(&mut self.var_events);
        let value = |v: &VarRef| -> Option<String> {
            let [(at, Some(value))] = events.get(&v.name)?.as_slice() else {
                return None;
            };
            (*at < v.at && assigned_once_by_name(script, &v.name))
                .then(|| format!("{value}{}", v.tail))
        };
        // `f=$(mktemp); echo x > "$f"`: the path mktemp printed (if it failed, `> ""`
        // opens nothing).
        let fresh = |v: &VarRef| -> Option<Word> {
            let pattern = self.fresh.get(&v.name)?;
            let [(at, None)] = events.get(&v.name)?.as_slice() else {
                return None;
            };
            (*at < v.at && v.tail.is_empty() && assigned_once_by_name(script, &v.name)).then(|| {
                Word::Unknown {
                    text: format!("\"${}\"", v.name),
                    split: false,
                    pattern: pattern.clone(),
                    outside_git: !pattern.split('/').any(|c| c == ".git"),
                    existing: false,
                    tracked: false,
                }
            })
        };
        for cmd in &mut self.out {
            for r in &mut cmd.redirects {
                if let Some(known) = r.variable.as_ref().and_then(&value) {
                    r.target = Word::Lit(known);
                    r.variable = None;
                } else if let Some(word) = r.variable.as_ref().and_then(&fresh) {
                    r.target = word;
                    r.variable = None;
                }
            }
        }
        self.var_events = events;
    }

    pub(super) fn assignment(&mut self, a: &ast::Assignment, scope: &mut Scope) {
        match &a.value {
            ast::AssignmentValue::Scalar(w) => {
                let word = self.word(&w.value, scope);
                match &a.name {
                    ast::AssignmentName::VariableName(name) => {
                        self.variable(name, &word, scope);
                        self.fresh_temp(name, &w.value, scope);
                        let number = self.is_number(&w.value, scope);
                        let entry = self.numeric.entry(name.clone()).or_insert(true);
                        *entry = *entry && number;
                    }
                    ast::AssignmentName::ArrayElementName(name, index) => {
                        self.evaluable(&word, scope, name);
                        self.table_entry(name, index, &word, scope)
                    }
                }
            }
            ast::AssignmentValue::Array(items) => {
                for (k, v) in items {
                    let key = k.as_ref().map(|k| k.value.clone());
                    if let Some(k) = k {
                        self.word(&k.value, scope);
                    }
                    let value = self.word(&v.value, scope);
                    if let ast::AssignmentName::VariableName(name) = &a.name {
                        self.evaluable(&value, scope, name);
                    }
                    // `BASH_ALIASES+=([x]='git reset --hard')`, `declare -A BASH_CMDS=(…)`.
                    if let (ast::AssignmentName::VariableName(table), Some(key)) = (&a.name, key) {
                        let key = key
                            .trim_start_matches('[')
                            .trim_end_matches(']')
                            .to_string();
                        self.table_entry(table, &key, &value, scope);
                    }
                }
            }
        }
    }

    /// `NAME=$(mktemp …)` with literal arguments, certain to happen in this shell: NAME
    /// holds a path mktemp just made (or, if it failed, nothing), so `"$NAME"` is that
    /// path's glob (`/tmp/tmp.??????????`) rather than any word — never `.git`, the
    /// working directory or one above it. Any other assignment forgets it.
    fn fresh_temp(&mut self, name: &str, raw: &str, scope: &Scope) {
        self.fresh.remove(name);
        let certain = scope.frames.is_empty() && !scope.conditional && !scope.in_function;
        let unquoted = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        let Some(inner) = unquoted
            .strip_prefix("$(")
            .and_then(|r| r.strip_suffix(')'))
            .or_else(|| unquoted.strip_prefix('`').and_then(|r| r.strip_suffix('`')))
        else {
            return;
        };
        // Plain words only: no quoting, expansion, redirection or second command.
        if !certain || inner.contains(|c: char| "\'\";|&<>()$`\\\n*?[{~".contains(c)) {
            return;
        }
        let words: Vec<&str> = inner.split_whitespace().collect();
        let Some((program, args)) = words.split_first() else {
            return;
        };
        if !matches!(*program, "mktemp" | "/usr/bin/mktemp" | "/bin/mktemp") {
            return;
        }
        // The script may set `TMPDIR` itself: then only forms that do not read it.
        let tmpdir = if self.text.contains("TMPDIR") {
            None
        } else {
            self.repo.temp_dir()
        };
        let Some(path) = file_tools::mktemp_output(args, tmpdir.as_deref()) else {
            return;
        };
        let path = if path.starts_with('/') {
            path
        } else {
            let path = path.strip_prefix("./").unwrap_or(&path);
            let here = match &scope.dir {
                Dir::Start => self.start.to_path_buf(),
                Dir::Path(p) => self.start.join(p),
                Dir::Unknown => return,
            };
            let mut glob = String::new();
            crate::policy::rule::escape_into(&mut glob, &here.to_string_lossy());
            format!("{}/{path}", glob.trim_end_matches('/'))
        };
        self.fresh.insert(name.to_string(), path);
    }

    /// `"$NAME"` (the whole word, quoted) for a variable `fresh_temp` knows, when the
    /// walk met exactly that one assignment and the script names NAME nowhere else but in
    /// expansions. If mktemp failed the word is empty: `rm -rf ''` removes nothing (an
    /// unquoted `$NAME` or `"$NAME/x"` would not be so harmless, so they stay unknown).
    pub(super) fn fresh_word(&self, raw: &str) -> Option<Word> {
        if self.fresh.is_empty() {
            return None;
        }
        let (name, tail) = quoted_variable(raw)?;
        let pattern = self.fresh.get(&name)?;
        let once = self.var_events.get(&name).is_some_and(|e| e.len() == 1)
            && assigned_once_by_name(self.text, &name);
        (tail.is_empty() && raw.starts_with('"') && raw.ends_with('"') && once).then(|| {
            Word::Unknown {
                text: raw.to_string(),
                split: false,
                pattern: pattern.clone(),
                // A name mktemp makes is never `.git`: only its directory could be one.
                outside_git: !pattern.split('/').any(|c| c == ".git"),
                existing: false,
                tracked: false,
            }
        })
    }

    /// `"$NAME"` (the whole word, quoted) inside the body of a `for NAME in …` loop
    /// over plain words and globs, where the script sets NAME nowhere else: one of the
    /// list's values, so the loop's shape (`loop_shapes`) rather than any word.
    pub(super) fn loop_word(&self, raw: &str, expanded: &Word) -> Option<Word> {
        if self.loop_shapes.is_empty() {
            return None;
        }
        if !matches!(expanded, Word::Unknown { .. }) {
            return None;
        }
        let (name, tail) = quoted_variable(raw)?;
        let value = self.loop_shapes.get(&name)?;
        tail.is_empty().then(|| value.clone())
    }

    /// The command a command-valued variable holds (`GIT_SSH_COMMAND`, `EDITOR`,
    /// `PAGER`, …), judged as run from `frame`; a pager's reads the output it pages,
    /// which the paging program's own arguments shape (`git log --format=…`).
    pub(super) fn command_variable(&mut self, name: &str, value: &str, scope: &Scope, frame: &str) {
        let script = command_value(name, value);
        if git_editors::PAGER_VARIABLES.contains(&name) {
            let paged = Stdin::Dynamic(format!("the output `{name}` pages"));
            self.nested_reading(&script, scope, frame, &paged);
        } else {
            self.nested(&script, scope, frame, None);
        }
    }

    /// The effect of setting a variable (by assignment, `export`, `declare`, …).
    pub(super) fn variable(&mut self, name: &str, value: &Word, scope: &mut Scope) {
        // For resolving redirection targets later: a literal value, when this assignment
        // certainly happens in this shell (not in a branch, loop, subshell, function,
        // nested script or after `&&`/`||`).
        let certain = scope.frames.is_empty() && !scope.conditional && !scope.in_function;
        self.var_events.entry(name.to_string()).or_default().push((
            self.seq,
            match value {
                Word::Lit(v) if certain => Some(v.clone()),
                _ => None,
            },
        ));
        if name == "IFS" {
            self.ifs_may_change = true;
        }
        // SECURITY: programs run these variables' values through a shell.
        if crate::command::programs::is_command_variable(name) {
            match value {
                Word::Lit(v) => self.command_variable(name, v, scope, &format!("{name}=")),
                other => self.dynamic(
                    scope,
                    vec![other.clone()],
                    format!("`{name}` holds a command only known at run time"),
                ),
            }
            if git_editors::EDITOR_VARIABLES.contains(&name) {
                self.note_editor(name, value);
            }
        }
        // SECURITY: files an interpreter loads before its code because a variable says
        // so (`PYTHONSTARTUP`, `NODE_OPTIONS=--require F`, `RUBYOPT=-rF`, `PERL5OPT=-MM`):
        // judged as the interpreter running them.
        if let Word::Lit(v) = value {
            for (interpreter, file) in interpreters::startup_files(name, v) {
                let mut sub = scope.clone();
                sub.frames
                    .push(format!("`{name}` makes `{interpreter}` load `{file}`"));
                self.dispatch(
                    vec![Word::Lit(interpreter.into()), Word::Lit(file)],
                    &mut sub,
                    &Stdin::Inherit,
                );
            }
            if name == "PERL5OPT" {
                for module in interpreters::perl5opt_modules(v) {
                    self.written_module("perl", &module, scope);
                }
            }
        }
        // SECURITY: vim and ex run these as commands when they start (`:!` runs a shell
        // command, `%s/…` edits a rebase's todo list), and read their runtime files
        // (plugins) from these directories.
        if matches!(
            name,
            "VIMINIT" | "EXINIT" | "GVIMINIT" | "VIMRUNTIME" | "VIM"
        ) {
            self.dynamic(
                scope,
                vec![value.clone()],
                format!("`{name}` is set: vim runs commands from it when it starts"),
            );
        }
        // SECURITY: these change which policy the exec guards load, or inject code into
        // every program started afterwards (the guards included).
        if name.starts_with("POLICY_EXEC_")
            || matches!(name, "XDG_CONFIG_HOME" | "LD_PRELOAD" | "LD_AUDIT")
        {
            self.dynamic(
                scope,
                vec![value.clone()],
                format!(
                    "`{name}` is set: it changes how policy-exec's guards or every program start"
                ),
            );
        }
        // An exported function (`BASH_FUNC_ls%%=() { …; }`) is defined in the next bash.
        if let (Some(f), Word::Lit(body)) = (name.strip_prefix("BASH_FUNC_"), value) {
            let f = f.trim_end_matches('%');
            self.nested(
                &format!("{f}{body}"),
                scope,
                &format!("exported function {f}"),
                None,
            );
        }
        // The next bash sources these files first: their content is not known.
        if matches!(name, "BASH_ENV" | "ENV") {
            self.dynamic(
                scope,
                vec![value.clone()],
                format!(
                    "`{name}` makes the next shell source `{}` first",
                    value.display()
                ),
            );
        }
        if git::LOCATION_VARIABLES.contains(&name) || name.starts_with("GIT_CONFIG") {
            scope.git_env = Some(format!(
                "`{name}` is set: git finds its repository or configuration elsewhere"
            ));
        }
        self.evaluable(value, scope, name);
        if name == "CDPATH" {
            // `cd x` may now land in any of its directories.
            self.cdpath_set = true;
        }
    }

    /// A value that bash may evaluate later (arithmetic, array subscripts, prompt
    /// expansion: `x='a[$(cmd)]'; (( x ))`) runs the substitutions in it.
    pub(super) fn evaluable(&mut self, value: &Word, scope: &mut Scope, name: &str) {
        if let Word::Lit(v) = value
            && (v.contains("$(") || v.contains('`'))
        {
            let text = v.clone();
            self.nested_lenient(&text, scope, &format!("{name}= (if evaluated)"));
        }
    }

    /// A word that bash evaluates as a variable reference or arithmetic: only an array
    /// subscript holding a substitution (`a[$(cmd)]`) runs anything; other quoted text
    /// stays data (`printf '%s' '$(x)'`). What bash evaluates is the word's value after
    /// quote removal, however its quoted and unquoted parts spell it
    /// (`'a['$(:)'$(cmd)]'` is `a[$(cmd)]` once `$(:)` printed nothing): the parts only
    /// known at run time are taken as empty here (see [`Self::evaluated_operand`]).
    pub(super) fn evaluated_subscript(&mut self, word: &Word, scope: &mut Scope, frame: &str) {
        let text = match word {
            Word::Lit(t) => t.clone(),
            Word::Unknown { text, .. } => self.evaluated_text(text, scope).0,
            Word::Glob(_) => return,
        };
        self.subscript_substitutions(&text, scope, frame);
    }

    /// An operand of `[[ -v W ]]` or of an arithmetic comparison (`[[ W -eq 1 ]]`),
    /// from its source: the substitutions in a subscript of its value run; a value only
    /// known at run time (a command's output, a variable not assigned one literal) may
    /// hold such a subscript, so it is a command only known at run time.
    pub(super) fn evaluated_operand(&mut self, raw: &str, scope: &mut Scope, frame: &str) {
        let (text, known) = self.evaluated_text(raw, scope);
        self.subscript_substitutions(&text, scope, frame);
        if !known {
            self.dynamic(
                scope,
                vec![Word::unknown(raw, false)],
                format!(
                    "`{frame}` evaluates `{raw}`, only known at run time: an array subscript in it (`a[$(cmd)]`) runs commands"
                ),
            );
        }
    }

    /// The value bash evaluates for the word `raw` (see [`expand::evaluated_pieces`]),
    /// with variables the script assigned one literal once put in, numbers as `0` and
    /// other parts only known at run time left out; and whether every part was known.
    pub(super) fn evaluated_text(&self, raw: &str, scope: &Scope) -> (String, bool) {
        use crate::command::expand::{self, EvalPiece};
        let mut text = String::new();
        let mut known = true;
        for piece in expand::evaluated_pieces(raw, &scope.positionals) {
            match piece {
                EvalPiece::Text(t) => text.push_str(&t),
                EvalPiece::Number => text.push('0'),
                // Unless the script may define a function or alias by that name.
                EvalPiece::Count(program)
                    if !self.functions.contains_key(&program)
                        && !self.aliases.contains_key(&program)
                        && !self.text.contains("alias")
                        && !self.text.contains(&format!("{program}("))
                        && !self.text.contains(&format!("{program} ("))
                        && !self.text.contains(&format!("function {program}")) =>
                {
                    text.push('0');
                }
                EvalPiece::Count(_) => known = false,
                EvalPiece::Var(name) => match self.literal_value(&name) {
                    Some(v) => text.push_str(&v),
                    // A loop variable over plain literal words: one of them.
                    None if self.for_plain.get(&name) == Some(&true)
                        && set_only_by_for(self.text, &name) =>
                    {
                        text.push('0');
                    }
                    // A counter: every assignment a number, set no other way.
                    None if self.numeric.get(&name) == Some(&true)
                        && set_only_numerically(self.text, &name, |n| {
                            self.var_events.get(name.as_str()).map_or(0, Vec::len) >= n
                        }) =>
                    {
                        text.push('0');
                    }
                    None => known = false,
                },
                EvalPiece::Unknown => known = false,
            }
        }
        (text, known)
    }

    /// Whether the assignment value `raw` is always a number: digits, `$((…))`, `$#`,
    /// `${#x}`, a counting substitution (`$(… | wc -l)`), a numeric variable.
    fn is_number(&self, raw: &str, scope: &Scope) -> bool {
        let (text, known) = self.evaluated_text(raw, scope);
        known && !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '-')
    }

    /// The value of a variable the walk saw assigned one literal, certainly, and that the
    /// script sets in no other way.
    fn literal_value(&self, name: &str) -> Option<String> {
        let [(_, Some(value))] = self.var_events.get(name)?.as_slice() else {
            return None;
        };
        assigned_once_by_name(self.text, name).then(|| value.clone())
    }

    /// Runs the substitutions in an array subscript of `text` (`a[$(cmd)]`).
    fn subscript_substitutions(&mut self, text: &str, scope: &mut Scope, frame: &str) {
        if text
            .find('[')
            .and_then(|open| text.get(open..))
            .is_some_and(|rest| rest.contains("$(") || rest.contains('`'))
        {
            self.nested_lenient(text, scope, frame);
        }
    }

    /// `export NAME=value`, `declare -x NAME=value`, …: the same effects as assignments.
    pub(super) fn declare(&mut self, args: &[Word], scope: &mut Scope) {
        for arg in args {
            let text = arg.display();
            // `export $(… | xargs)`, `declare "$X"`: any variable, any value — unless the
            // names come from a file of `NAME=value` lines read as it is now, none of
            // which changes what programs run.
            if let Word::Unknown { pattern, split, .. } = arg
                && (*split || !pattern.split_once('=').is_some_and(|(n, _)| is_name(n)))
                && !pattern.starts_with('-')
            {
                if !self.exports_harmless_names(text, scope) {
                    scope.env_unknown = Some(text.to_string());
                }
                continue;
            }
            let Some((name, value)) = text.split_once('=') else {
                continue;
            };
            if name.starts_with('-') {
                continue;
            }
            if !matches!(arg, Word::Lit(_)) {
                // `declare "$I=_"`: the name may be IFS (or PWD).
                self.ifs_may_change = true;
                self.pwd_may_change = true;
                self.dot_glob = true;
            }
            let value = match arg {
                Word::Lit(_) => Word::Lit(value.to_string()),
                _ => Word::unknown(value, false),
            };
            match name.split_once('[') {
                Some((table, index)) => {
                    let index = index.trim_end_matches(']').to_string();
                    self.table_entry(table, &index, &value, scope);
                }
                None => self.variable(name, &value, scope),
            }
        }
    }

    /// `$(grep -v '^#' .env.example | xargs)`, `$(cat F)`: whether the word is the
    /// output of reading a file of `NAME=value` lines (as it is when judged, and not
    /// written by this script) whose names are all harmless ([`harmless_variable`]).
    fn exports_harmless_names(&self, text: &str, scope: &Scope) -> bool {
        let Some(inner) = text
            .strip_prefix("$(")
            .and_then(|t| t.strip_suffix(')'))
            .or_else(|| {
                text.strip_prefix("\"$(")
                    .and_then(|t| t.strip_suffix(")\""))
            })
        else {
            return false;
        };
        let Some(commands) = programs::listings::plain_pipeline(inner) else {
            return false;
        };
        let Some((first, rest)) = commands.split_first() else {
            return false;
        };
        // Only readers and filters of lines: nothing that could invent names.
        let readers = |c: &Vec<String>| {
            matches!(
                c.first().map(String::as_str),
                Some("cat" | "grep" | "egrep" | "xargs" | "sort" | "uniq" | "head" | "tail")
            )
        };
        if !readers(first)
            || !rest.iter().all(|c| {
                readers(c) && c.len() == 1 || c.first().map(String::as_str) == Some("grep")
            })
        {
            return false;
        }
        let Some(file) = first.iter().skip(1).rev().find(|w| !w.starts_with('-')) else {
            return false;
        };
        let Some(key) = files::key(&scope.dir, &Word::Lit(file.clone())) else {
            return false;
        };
        if self.files.get(&key).is_some() {
            return false;
        }
        let path = match &scope.dir {
            Dir::Start => self.start.join(file),
            Dir::Path(p) => self.start.join(p).join(file),
            Dir::Unknown => return false,
        };
        let Some(content) = self.repo.small_file(&path) else {
            return false;
        };
        content.lines().all(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return true;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            line.split_once('=')
                .is_some_and(|(name, _)| is_name(name) && harmless_variable(name))
        })
    }

    /// `BASH_ALIASES[name]=value` and `BASH_CMDS[name]=path` define what `name` runs.
    pub(super) fn table_entry(
        &mut self,
        table: &str,
        index: &str,
        value: &Word,
        scope: &mut Scope,
    ) {
        self.arith(index, scope);
        if !matches!(table, "BASH_ALIASES" | "BASH_CMDS") {
            return;
        }
        let key = index.trim_matches(['"', '\'']).to_string();
        let value = match value {
            Word::Lit(v) => Some(v.clone()),
            _ => None,
        };
        self.aliases.insert(key, value);
    }
}

/// Whether `name` is a shell variable name (a letter or `_`, then letters, digits, `_`).
pub(super) fn is_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `"$NAME"`, `"${NAME}"`, optionally followed inside the quotes by a plain `/…` tail:
/// the name and the tail.
pub(super) fn quoted_variable(raw: &str) -> Option<(String, String)> {
    let inner = raw.strip_prefix("\"$")?.strip_suffix('"')?;
    let (name, tail) = match inner.strip_prefix('{') {
        Some(rest) => rest.split_once('}')?,
        None => {
            let end = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            inner.split_at(end)
        }
    };
    let name_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let tail_ok = tail.is_empty()
        || (tail.starts_with('/')
            && tail
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-@%+=:,".contains(c)));
    (name_ok && tail_ok).then(|| (name.to_string(), tail.to_string()))
}

/// Whether `script` names `name` only in expansions (`$NAME`, `${NAME…}`) and as the
/// variable of `for NAME in` loops.
pub(super) fn set_only_by_for(script: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (at, _) in script.match_indices(name) {
        let before = script.get(..at).unwrap_or("");
        let after = script.get(at + name.len()..).unwrap_or("");
        if after.chars().next().is_some_and(ident) {
            continue;
        }
        match before.chars().next_back() {
            Some(c) if ident(c) => continue,
            Some('/' | '.' | '-') => continue,
            _ => {}
        }
        if before.ends_with('$') || before.ends_with("${") || before.ends_with("${#") {
            continue;
        }
        let head = before.trim_end_matches([' ', '\t']);
        if head.len() < before.len()
            && head.ends_with("for")
            && !head.trim_end_matches("for").ends_with(ident)
            && after.trim_start_matches([' ', '\t']).starts_with("in ")
        {
            continue;
        }
        return false;
    }
    true
}

/// Whether `script` sets `name` only by assignments `NAME=` (whose values the walk
/// checks) and arithmetic (`(( NAME++ ))`, `let NAME+=1`, `$(( NAME = 2 ))`), and names
/// it otherwise only in expansions: no `read`, `for`, `declare`, `printf -v`, `mapfile`
/// or `${NAME:=…}` could give it other text.
/// `walked(n)` tells whether the walk has already seen `n` assignments: one whose
/// value is not plainly a number (`n=$(… | wc -l)`) is only trusted once the walk has
/// judged it, since a loop may test the variable before assigning it.
pub(super) fn set_only_numerically(
    script: &str,
    name: &str,
    walked: impl Fn(usize) -> bool,
) -> bool {
    let mut assignments = 0;
    let mut all_plain = true;
    for mention in mentions(script, name) {
        match mention {
            Mention::Elsewhere | Mention::Expansion => {}
            Mention::Sets => return false,
            Mention::Assignment { value, .. } => {
                assignments += 1;
                let value = value.trim_start_matches('"');
                let digits = value.trim_start_matches('-');
                all_plain &= value.starts_with("$((")
                    || digits.chars().next().is_some_and(|c| c.is_ascii_digit())
                        && digits
                            .chars()
                            .take_while(|c| !" \t\n;&|)\"".contains(*c))
                            .all(|c| c.is_ascii_digit());
            }
            Mention::Other { before, .. } => {
                // Inside arithmetic on this line: `((`/`$((` not closed yet, or after
                // `let`.
                let line = before.rsplit('\n').next().unwrap_or(before);
                let open = line.matches("((").count();
                let close = line.matches("))").count();
                let in_let = line
                    .rsplit([';', '&', '|'])
                    .next()
                    .is_some_and(|stmt| stmt.trim_start().starts_with("let "));
                if !(open > close || in_let) {
                    return false;
                }
            }
        }
    }
    all_plain || walked(assignments)
}

/// Whether `script` names `name` only in expansions (`$NAME`, `${NAME…}`) and in exactly
/// one assignment `NAME=`: no other way to set it (`read`, `for`, `declare`, `unset`,
/// `printf -v`, `getopts`, `export NAME`, `+=`, `${NAME:=…}`) appears anywhere.
pub(super) fn assigned_once_by_name(script: &str, name: &str) -> bool {
    let mut assignments = 0;
    for mention in mentions(script, name) {
        match mention {
            Mention::Elsewhere | Mention::Expansion => {}
            Mention::Sets => return false,
            // An option (`-d`) or an indirect reference (`${!NAME}`) sets nothing.
            Mention::Assignment {
                dashed, indirect, ..
            }
            | Mention::Other {
                dashed, indirect, ..
            } if dashed || indirect => {}
            Mention::Assignment { .. } => assignments += 1,
            Mention::Other { .. } => return false,
        }
    }
    assignments == 1
}

/// How the script's text names a variable at one place (see [`mentions`]).
enum Mention<'s> {
    /// Inside a longer name or word: a path component or an extension (`/tmp`, `x.d`).
    Elsewhere,
    /// The value of an option that names a variable, glued to it (`printf -vNAME`,
    /// `read -raNAME`, `wait -pNAME`), or `${NAME:=x}` / `${NAME=x}`: it sets it.
    Sets,
    /// `$NAME`, `${NAME…}`, `${#NAME}`.
    Expansion,
    /// `NAME=…`, with the text after the `=`.
    Assignment {
        value: &'s str,
        /// Right after a `-` (`-NAME=`).
        dashed: bool,
        /// Right after `${!`.
        indirect: bool,
    },
    /// Anything else (`read NAME`, `for NAME in`, arithmetic, `-NAME`, `${!NAME}`), with
    /// the text before it.
    Other {
        before: &'s str,
        /// Right after a `-` (an option such as `-d`).
        dashed: bool,
        /// Right after `${!`.
        indirect: bool,
    },
}

/// Every place `script` names `name` as a whole word, classified.
fn mentions<'s>(script: &'s str, name: &'s str) -> impl Iterator<Item = Mention<'s>> + 's {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    script.match_indices(name).map(move |(at, _)| {
        let before = script.get(..at).unwrap_or("");
        let after = script.get(at + name.len()..).unwrap_or("");
        if after.chars().next().is_some_and(ident) {
            return Mention::Elsewhere;
        }
        match before.chars().next_back() {
            Some(c) if ident(c) => {
                let glued =
                    matches!(c, 'v' | 'a' | 'p') && before.trim_end_matches(ident).ends_with('-');
                return if glued {
                    Mention::Sets
                } else {
                    Mention::Elsewhere
                };
            }
            Some('/' | '.') => return Mention::Elsewhere,
            _ => {}
        }
        let dashed = before.ends_with('-');
        let indirect = before.ends_with("${!");
        if before.ends_with("${") && (after.starts_with('=') || after.starts_with(":=")) {
            return Mention::Sets;
        }
        if before.ends_with('$') || before.ends_with("${") || before.ends_with("${#") {
            return Mention::Expansion;
        }
        if after.starts_with('=') && !after.starts_with("==") {
            return Mention::Assignment {
                value: after.get(1..).unwrap_or(""),
                dashed,
                indirect,
            };
        }
        Mention::Other {
            before,
            dashed,
            indirect,
        }
    })
}

/// Whether setting the environment variable `name` cannot change which programs run or
/// what they run: not PATH, a loader, shell or interpreter start-up variable, git's,
/// npm's or cargo's, nor one a program runs as a command.
pub(super) fn harmless_variable(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "PATH",
        "IFS",
        "ENV",
        "BASH_ENV",
        "SHELLOPTS",
        "BASHOPTS",
        "PS4",
        "PROMPT_COMMAND",
        "HOME",
        "ZDOTDIR",
        "SHELL",
        "EDITOR",
        "VISUAL",
        "PAGER",
        "BROWSER",
        "TMPDIR",
        "NODE_OPTIONS",
        "NODE_PATH",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PYTHONHOME",
        "PERL5OPT",
        "PERL5LIB",
        "PERLLIB",
        "RUBYOPT",
        "RUBYLIB",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "CLASSPATH",
        "MAKEFLAGS",
        "MAKEFILES",
        "CDPATH",
        "GLOBIGNORE",
        "HISTFILE",
        "INPUTRC",
        "TERMINFO",
        "SSH_ASKPASS",
        "SUDO_ASKPASS",
        "GIT_ASKPASS",
        "LESSOPEN",
        "LESSCLOSE",
        "MANPAGER",
        "MANOPT",
    ];
    const PREFIXES: &[&str] = &[
        "LD_",
        "DYLD_",
        "GIT_",
        "XDG_",
        "npm_config_",
        "NPM_CONFIG_",
        "CARGO_",
        "RUSTC",
        "RUSTFLAGS",
        "BASH_FUNC_",
        "POLICY_EXEC",
    ];
    !EXACT.contains(&name)
        && !PREFIXES.iter().any(|p| name.starts_with(p))
        && !name.ends_with("_COMMAND")
        && !crate::command::programs::is_command_variable(name)
}

#[cfg(test)]
mod tests {
    use super::set_only_by_for;

    #[test]
    fn a_loop_variable_set_only_by_for() {
        assert!(set_only_by_for(
            "for i in 1 2; do [[ $i -gt 1 ]]; done",
            "i"
        ));
        assert!(set_only_by_for(
            "for  i in 1; do echo ${i} hi -i; done",
            "i"
        ));
        assert!(!set_only_by_for("for i in 1; do :; done; read i", "i"));
        assert!(!set_only_by_for("i=$(x); for i in 1; do :; done", "i"));
        assert!(!set_only_by_for("for i; do :; done; printf -v i x", "i"));
    }
}
