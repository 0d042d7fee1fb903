//! Reading what a harness sends a hook: a bounded read of standard input, then the JSON
//! shapes of Claude Code's `PreToolUse` (also Droid's and Codex's), Cursor's
//! `beforeShellExecution`, Gemini CLI's `BeforeTool` (Claude's field names, tool
//! `run_shell_command`, `tool_input.dir_path`), Copilot CLI's `preToolUse` (`toolName`,
//! `toolArgs`; Claude's fields with its `PreToolUse` spelling) and the OpenCode plugin's
//! `tool.execute.before` (`tool`, `args.command`, `args.workdir`), turned into a
//! [`Call`].
//!
//! It never guesses: a field that is missing or has the wrong type, or a `cwd` that is
//! not an existing absolute directory, is a [`PayloadError`], which the hook answers
//! with a deny. It decides nothing itself.

use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::Harness;
use crate::report::one_line;

/// The most hook input read, in bytes. Real payloads are a few KiB; one byte more than
/// this is read so that larger input is recognised (and denied) without reading it all.
pub const MAX_INPUT: usize = 1024 * 1024;

/// What a hook call asks policy-exec to judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// The harness is about to run `command` (a bash script) in `cwd`.
    Shell {
        /// The script, as the model wrote it.
        command: String,
        /// The directory it runs in: absolute and existing.
        cwd: PathBuf,
    },
    /// Another tool or event, on which policy-exec has no opinion.
    Other {
        /// What it was, for messages (`tool \`Read\``).
        what: String,
        /// Whether this looks like a wiring mistake worth a note (a different event).
        misrouted: bool,
    },
}

/// Why a hook input cannot be judged. Every one of these becomes a deny.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Standard input could not be read.
    #[error("cannot read the hook input ({0})")]
    Read(String),
    /// Nothing (or only white space) arrived.
    #[error("`{field}` contains a NUL byte, which bash would not run as written")]
    Nul {
        /// The field.
        field: &'static str,
    },
    #[error("`{0}` belongs to another harness: the hook is wired to the wrong harness")]
    OtherHarness(String),
    #[error("the hook input is empty")]
    Empty,
    /// More than [`MAX_INPUT`] bytes arrived.
    #[error("the hook input is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The bytes are not UTF-8 (JSON must be).
    #[error("the hook input is not UTF-8")]
    NotUtf8,
    /// The text is not JSON.
    #[error("the hook input is not valid JSON ({0})")]
    Json(String),
    /// The JSON is not an object.
    #[error("the hook input is {found}, not a JSON object")]
    NotObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// A field the harness always sends is absent.
    #[error("the hook input has no `{field}`")]
    Missing {
        /// The field's path.
        field: &'static str,
    },
    /// A field has the wrong JSON type.
    #[error("`{field}` in the hook input is {found}, expected {expected}")]
    WrongType {
        /// The field's path.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// `cwd` is relative: relative to what is exactly what we cannot know.
    #[error("`cwd` `{0}` in the hook input is not an absolute path")]
    RelativeCwd(String),
    /// `cwd` does not name an existing directory.
    #[error("`cwd` `{0}` in the hook input is not an existing directory")]
    MissingCwd(String),
}

/// Reads the hook input: at most [`MAX_INPUT`] bytes, and no further than the end of
/// one complete JSON object.
pub fn read_bounded(input: &mut dyn Read) -> Result<String, PayloadError> {
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(PayloadError::Read(e.to_string())),
        };
        bytes.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if bytes.len() > MAX_INPUT {
            return Err(PayloadError::TooLarge { limit: MAX_INPUT });
        }
        // A harness that writes its JSON but leaves the pipe open must not make us wait
        // for end-of-file (and then deny at the deadline): once what arrived is one
        // complete JSON object, that is the call.
        let ends_object = bytes
            .iter()
            .rev()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'}');
        if ends_object && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() {
            break;
        }
    }
    let text = String::from_utf8(bytes).map_err(|_| PayloadError::NotUtf8)?;
    if text.trim().is_empty() {
        return Err(PayloadError::Empty);
    }
    Ok(text)
}

/// Parses one hook input in `harness`'s shape.
pub fn parse(harness: Harness, text: &str) -> Result<Call, PayloadError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| PayloadError::Json(one_line(&e.to_string())))?;
    let Some(obj) = value.as_object() else {
        return Err(PayloadError::NotObject {
            found: kind(&value),
        });
    };
    // An event name is optional (we judge when it is absent), but a different event
    // means the hook was wired to the wrong place: answering it in this event's format
    // would be wrong, so we give no opinion and say why.
    if let Some(event) = optional_str(obj, "hook_event_name")?
        && event != harness.event()
        && !(harness == Harness::Copilot && event == "PreToolUse")
    {
        // SECURITY: another harness's pre-command event is a command about to run under
        // a hook wired for the wrong harness: no opinion would let it through.
        if PRE_COMMAND_EVENTS.contains(&event) {
            return Err(PayloadError::OtherHarness(one_line(event)));
        }
        return Ok(Call::Other {
            what: format!("event `{}`", one_line(event)),
            misrouted: true,
        });
    }
    let command = match harness {
        Harness::Cursor => (command(obj.get("command"), "command")?, None),
        // Copilot's own spelling (`toolName`, `toolArgs`); with the `PreToolUse` event
        // name it sends Claude's fields, handled below.
        Harness::Copilot if obj.contains_key("toolName") || !obj.contains_key("tool_name") => {
            let tool = required_str(obj, "toolName")?;
            if let Some(other) = not_ours(harness, tool)? {
                return Ok(other);
            }
            let args = match obj.get("toolArgs") {
                None | Some(Value::Null) => {
                    return Err(PayloadError::Missing { field: "toolArgs" });
                }
                Some(Value::Object(args)) => args.clone(),
                // Some Copilot versions send the arguments as a JSON text.
                Some(Value::String(text)) => match serde_json::from_str(text) {
                    Ok(Value::Object(args)) => args,
                    _ => {
                        return Err(PayloadError::WrongType {
                            field: "toolArgs",
                            expected: "an object (or a JSON object as text)",
                            found: "a string that is not a JSON object",
                        });
                    }
                },
                Some(other) => {
                    return Err(PayloadError::WrongType {
                        field: "toolArgs",
                        expected: "an object",
                        found: kind(other),
                    });
                }
            };
            (command(args.get("command"), "toolArgs.command")?, None)
        }
        Harness::OpenCode => {
            let tool = required_str(obj, "tool")?;
            if let Some(other) = not_ours(harness, tool)? {
                return Ok(other);
            }
            let args = object(obj, "args")?;
            let command = command(args.get("command"), "args.command")?;
            // OpenCode's bash tool runs in `workdir` when given (relative to the
            // project directory): the command is judged there.
            let workdir = optional_str(args, "workdir")?.map(PathBuf::from);
            (command, workdir)
        }
        Harness::Claude | Harness::Droid | Harness::Codex | Harness::Gemini | Harness::Copilot => {
            let tool = required_str(obj, "tool_name")?;
            if let Some(other) = not_ours(harness, tool)? {
                return Ok(other);
            }
            let input = object(obj, "tool_input")?;
            let command = command(input.get("command"), "tool_input.command")?;
            // Codex's shell tools take a `workdir`, Gemini's `run_shell_command` a
            // `dir_path`, resolved against the session's directory: the command runs
            // there, so it is judged there.
            let key = if harness == Harness::Gemini {
                "dir_path"
            } else {
                "workdir"
            };
            let workdir = optional_str(input, key)?.map(PathBuf::from);
            (command, workdir)
        }
    };
    let (command, workdir) = command;
    let session = PathBuf::from(required_str(obj, "cwd")?);
    let cwd = match workdir {
        Some(w) => session.join(w),
        None => session,
    };
    if !cwd.is_absolute() {
        return Err(PayloadError::RelativeCwd(one_line(
            &cwd.display().to_string(),
        )));
    }
    if !cwd.is_dir() {
        return Err(PayloadError::MissingCwd(one_line(
            &cwd.display().to_string(),
        )));
    }
    Ok(Call::Shell { command, cwd })
}

/// Every harness's pre-command event: one arriving at a hook wired for another harness
/// is a command about to run, never "not ours".
const PRE_COMMAND_EVENTS: [&str; 5] = [
    "PreToolUse",
    "beforeShellExecution",
    "BeforeTool",
    "preToolUse",
    "tool.execute.before",
];

/// Every harness's shell tool name: one that is not this harness's means the hook is
/// wired to the wrong harness.
const SHELL_TOOLS: [&str; 4] = ["Bash", "Execute", "run_shell_command", "bash"];

/// None when `tool` is the harness's shell tool; else the call to give no opinion on,
/// or an error when it is another harness's shell tool.
fn not_ours(harness: Harness, tool: &str) -> Result<Option<Call>, PayloadError> {
    if harness.shell_tools().contains(&tool) {
        return Ok(None);
    }
    // SECURITY: another harness's shell tool means the hook is wired to the wrong
    // harness; no opinion would let that shell command run.
    if SHELL_TOOLS.contains(&tool) {
        return Err(PayloadError::OtherHarness(one_line(tool)));
    }
    Ok(Some(Call::Other {
        what: format!("tool `{}`", one_line(tool)),
        misrouted: false,
    }))
}

/// A required object field.
fn object<'a>(
    obj: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a Map<String, Value>, PayloadError> {
    match obj.get(field) {
        None | Some(Value::Null) => Err(PayloadError::Missing { field }),
        Some(Value::Object(inner)) => Ok(inner),
        Some(other) => Err(PayloadError::WrongType {
            field,
            expected: "an object",
            found: kind(other),
        }),
    }
}

/// The command: a script string, or an argv array (quoted word by word, so it is
/// judged exactly as those words).
fn command(value: Option<&Value>, field: &'static str) -> Result<String, PayloadError> {
    const EXPECTED: &str = "a string or a non-empty array of strings";
    match value {
        None | Some(Value::Null) => Err(PayloadError::Missing { field }),
        // SECURITY: bash drops or stops at a NUL, so `git reset --hard\0` would run
        // what we never judged as written.
        Some(Value::String(s)) if s.contains('\0') => Err(PayloadError::Nul { field }),
        Some(Value::Array(items))
            if items
                .iter()
                .any(|i| i.as_str().is_some_and(|s| s.contains('\0'))) =>
        {
            Err(PayloadError::Nul { field })
        }
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(items)) if !items.is_empty() => {
            let words = items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(OsString::from(s)),
                    other => Err(PayloadError::WrongType {
                        field,
                        expected: EXPECTED,
                        found: match kind(other) {
                            "a string" => "an array with a string",
                            _ => "an array with something other than strings",
                        },
                    }),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(crate::shell::guard::quoted(&words))
        }
        Some(other) => Err(PayloadError::WrongType {
            field,
            expected: EXPECTED,
            found: kind(other),
        }),
    }
}

fn required_str<'a>(
    obj: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a str, PayloadError> {
    optional_str(obj, field)?.ok_or(PayloadError::Missing { field })
}

/// A string field that may be absent (or null); any other type is an error.
fn optional_str<'a>(
    obj: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a str>, PayloadError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(PayloadError::WrongType {
            field,
            expected: "a string",
            found: kind(other),
        }),
    }
}

/// A JSON value's type, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        Harness::Claude,
        r#"{"tool_name":"Bash","tool_input":{"command":"ls"},"cwd":"/"}"#
    )]
    #[case(
        Harness::Droid,
        r#"{"tool_name":"Execute","tool_input":{"command":"ls"},"cwd":"/"}"#
    )]
    #[case(
        Harness::Codex,
        r#"{"tool_name":"Bash","tool_input":{"command":"ls"},"cwd":"/"}"#
    )]
    #[case(
        Harness::Codex,
        r#"{"tool_name":"shell","tool_input":{"command":["ls"]},"cwd":"/"}"#
    )]
    #[case(
        Harness::Cursor,
        r#"{"command":"ls","cwd":"/","hook_event_name":"beforeShellExecution"}"#
    )]
    #[case(
        Harness::Gemini,
        r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"ls"},"cwd":"/"}"#
    )]
    #[case(
        Harness::Copilot,
        r#"{"toolName":"bash","toolArgs":{"command":"ls","description":"d"},"cwd":"/"}"#
    )]
    #[case(
        Harness::Copilot,
        r#"{"toolName":"bash","toolArgs":"{\"command\":\"ls\"}","cwd":"/"}"#
    )]
    #[case(
        Harness::Copilot,
        r#"{"hook_event_name":"PreToolUse","tool_name":"bash","tool_input":{"command":"ls"},"cwd":"/"}"#
    )]
    #[case(
        Harness::OpenCode,
        r#"{"tool":"bash","sessionID":"s","callID":"c","args":{"command":"ls"},"cwd":"/"}"#
    )]
    fn each_harness_shape_gives_the_shell_call(#[case] harness: Harness, #[case] text: &str) {
        let call = parse(harness, text).unwrap();
        assert!(
            matches!(call, Call::Shell { ref command, .. } if command == "ls" || command == "'ls'"),
            "{call:?}"
        );
    }

    #[rstest]
    #[case(
        r#"{"tool_name":"Bash","tool_input":"ls","cwd":"/"}"#,
        "`tool_input` in the hook input is a string, expected an object"
    )]
    #[case(
        r#"{"tool_name":"Bash","tool_input":{"command":7},"cwd":"/"}"#,
        "`tool_input.command` in the hook input is a number, expected a string or a non-empty array of strings"
    )]
    #[case(
        r#"{"tool_name":"Bash","tool_input":{"command":[]},"cwd":"/"}"#,
        "`tool_input.command` in the hook input is an array, expected a string or a non-empty array of strings"
    )]
    #[case(
        r#"{"tool_name":"Bash","tool_input":{},"cwd":"/"}"#,
        "the hook input has no `tool_input.command`"
    )]
    #[case(
        r#"{"tool_name":"Bash","tool_input":{"command":"ls"}}"#,
        "the hook input has no `cwd`"
    )]
    #[case(
        r#"{"tool_name":"Bash","tool_input":{"command":"ls"},"cwd":"rel"}"#,
        "`cwd` `rel` in the hook input is not an absolute path"
    )]
    #[case(
        r#"{"tool_name":"Bash","tool_input":{"command":"ls"},"cwd":"/no/such/dir"}"#,
        "`cwd` `/no/such/dir` in the hook input is not an existing directory"
    )]
    #[case(
        r#"{"tool_input":{"command":"ls"},"cwd":"/"}"#,
        "the hook input has no `tool_name`"
    )]
    #[case(
        r#"{"tool_name":3}"#,
        "`tool_name` in the hook input is a number, expected a string"
    )]
    #[case(r#"[1]"#, "the hook input is an array, not a JSON object")]
    fn malformed_claude_inputs_are_errors(#[case] text: &str, #[case] message: &str) {
        assert_eq!(
            parse(Harness::Claude, text).unwrap_err().to_string(),
            message
        );
    }

    #[rstest]
    #[case(
        Harness::Gemini,
        r#"{"tool_name":"run_shell_command","tool_input":{"command":"ls","dir_path":3},"cwd":"/"}"#,
        "`dir_path` in the hook input is a number, expected a string"
    )]
    #[case(
        Harness::Copilot,
        r#"{"toolName":"bash","cwd":"/"}"#,
        "the hook input has no `toolArgs`"
    )]
    #[case(
        Harness::Copilot,
        r#"{"toolName":"bash","toolArgs":[],"cwd":"/"}"#,
        "`toolArgs` in the hook input is an array, expected an object"
    )]
    #[case(
        Harness::Copilot,
        r#"{"toolName":"bash","toolArgs":"{\"cmd\":1}","cwd":"/"}"#,
        "the hook input has no `toolArgs.command`"
    )]
    #[case(
        Harness::Copilot,
        r#"{"toolArgs":{"command":"ls"},"cwd":"/"}"#,
        "the hook input has no `toolName`"
    )]
    #[case(
        Harness::OpenCode,
        r#"{"tool":"bash","cwd":"/"}"#,
        "the hook input has no `args`"
    )]
    #[case(
        Harness::OpenCode,
        r#"{"tool":"bash","args":{"command":"ls"}}"#,
        "the hook input has no `cwd`"
    )]
    #[case(
        Harness::OpenCode,
        r#"{"args":{"command":"ls"},"cwd":"/"}"#,
        "the hook input has no `tool`"
    )]
    fn malformed_inputs_of_the_new_harnesses_are_errors(
        #[case] harness: Harness,
        #[case] text: &str,
        #[case] message: &str,
    ) {
        assert_eq!(parse(harness, text).unwrap_err().to_string(), message);
    }

    #[rstest]
    #[case(
        Harness::Droid,
        r#"{"tool_name":"Bash","tool_input":{"command":"ls"},"cwd":"/"}"#
    )]
    #[case(
        Harness::Claude,
        r#"{"tool_name":"Execute","tool_input":{"command":"ls"},"cwd":"/"}"#
    )]
    #[case(
        Harness::Claude,
        r#"{"hook_event_name":"beforeShellExecution","command":"ls","cwd":"/"}"#
    )]
    #[case(
        Harness::Cursor,
        r#"{"hook_event_name":"PreToolUse","tool_name":"Bash"}"#
    )]
    #[case(
        Harness::Claude,
        r#"{"hook_event_name":"BeforeTool","tool_name":"run_shell_command"}"#
    )]
    #[case(
        Harness::Gemini,
        r#"{"hook_event_name":"PreToolUse","tool_name":"Bash"}"#
    )]
    #[case(Harness::Gemini, r#"{"tool_name":"bash","tool_input":{}}"#)]
    #[case(Harness::Copilot, r#"{"toolName":"Execute","toolArgs":{}}"#)]
    #[case(
        Harness::Copilot,
        r#"{"hook_event_name":"BeforeTool","toolName":"bash"}"#
    )]
    #[case(Harness::OpenCode, r#"{"tool":"run_shell_command","args":{}}"#)]
    fn another_harness_s_shell_calls_are_errors(#[case] harness: Harness, #[case] text: &str) {
        let e = parse(harness, text).unwrap_err().to_string();
        assert!(e.contains("wired to the wrong harness"), "{e}");
    }

    #[rstest]
    #[case(Harness::Claude, r#"{"tool_name":"Read","tool_input":"x"}"#, false)]
    #[case(
        Harness::Droid,
        r#"{"tool_name":"Glob","tool_input":{"pattern":"*"},"cwd":"/"}"#,
        false
    )]
    #[case(
        Harness::Claude,
        r#"{"hook_event_name":"PostToolUse","tool_name":"Bash"}"#,
        true
    )]
    #[case(
        Harness::Cursor,
        r#"{"hook_event_name":"beforeReadFile","file_path":"/x"}"#,
        true
    )]
    #[case(
        Harness::Gemini,
        r#"{"hook_event_name":"BeforeTool","tool_name":"read_file","tool_input":{}}"#,
        false
    )]
    #[case(
        Harness::Gemini,
        r#"{"hook_event_name":"AfterTool","tool_name":"run_shell_command"}"#,
        true
    )]
    #[case(Harness::Copilot, r#"{"toolName":"view","toolArgs":{}}"#, false)]
    #[case(Harness::OpenCode, r#"{"tool":"edit","args":{}}"#, false)]
    fn other_tools_and_events_are_not_judged(
        #[case] harness: Harness,
        #[case] text: &str,
        #[case] misrouted: bool,
    ) {
        let call = parse(harness, text).unwrap();
        assert!(
            matches!(call, Call::Other { misrouted: m, .. } if m == misrouted),
            "{call:?}"
        );
    }

    /// Gives `data` once, then fails the test if read again (a pipe left open).
    struct OpenPipe(Option<Vec<u8>>);

    impl Read for OpenPipe {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let data = self.0.take().expect("read again after a complete object");
            buf[..data.len()].copy_from_slice(&data);
            Ok(data.len())
        }
    }

    #[test]
    fn reading_stops_at_the_end_of_a_complete_object() {
        let text = "{\"command\": \"ls }\", \"cwd\": \"/\"}\n";
        let mut pipe = OpenPipe(Some(text.as_bytes().to_vec()));
        assert_eq!(read_bounded(&mut pipe).unwrap(), text);
    }

    #[test]
    fn input_over_the_limit_is_refused_without_reading_it_all() {
        let big = vec![b' '; MAX_INPUT + 10];
        let err = read_bounded(&mut big.as_slice()).unwrap_err();
        assert_eq!(err, PayloadError::TooLarge { limit: MAX_INPUT });
        let exact = vec![b' '; MAX_INPUT];
        assert_eq!(
            read_bounded(&mut exact.as_slice()),
            Err(PayloadError::Empty)
        );
    }
}
