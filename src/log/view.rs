//! The `policy-exec log` verbs: `denials`, `tail`, `show`, `export --ocsf`. They only read
//! the log (and remove day files past the retention); nothing here runs on a judgement's
//! path.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::clock::{self, Instant};
use super::record::DecisionId;
use super::store::Store;
use crate::policy::load::{Loaded, Locator};
use crate::policy::policy::LogSettings;
use crate::report::one_line;

/// `policy-exec log …`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// What to show.
    #[command(subcommand)]
    pub verb: LogVerb,
    /// Read this log directory instead of the configured one.
    #[arg(long, global = true, value_name = "DIR")]
    pub log_dir: Option<PathBuf>,
}

/// The log verbs.
#[derive(Debug, Subcommand)]
pub enum LogVerb {
    /// Recent refused and asked-for commands, newest first.
    Denials(DenialsArgs),
    /// The latest decisions; with -f, keep printing new ones.
    Tail(TailArgs),
    /// One record by its id (the `denial_id` a refusal printed).
    Show(ShowArgs),
    /// Every record as OCSF events, one JSON object per line, for log shippers and SIEMs.
    Export(ExportArgs),
}

/// `log denials`.
#[derive(Debug, Args)]
pub struct DenialsArgs {
    /// How many (1..100).
    #[arg(long, default_value_t = 10)]
    pub last: u32,
    /// Only since then: a duration back from now (30m, 2h, 7d) or a UTC date or time.
    #[arg(long)]
    pub since: Option<String>,
    /// Only commands judged in this directory or below it.
    #[arg(long)]
    pub cwd: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `log tail`.
#[derive(Debug, Args)]
pub struct TailArgs {
    /// How many of the latest records to print first.
    #[arg(short = 'n', long, default_value_t = 10)]
    pub lines: usize,
    /// Keep printing records as they are written (until interrupted).
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Print the stored JSON lines.
    #[arg(long)]
    pub json: bool,
}

/// `log show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The decision id.
    pub id: String,
    /// Print the record as one JSON line.
    #[arg(long)]
    pub json: bool,
}

/// `log export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write OCSF 1.3 events (Process Activity for decisions, Device Config State Change
    /// for proposal, grant and mode events).
    #[arg(long, required = true)]
    pub ocsf: bool,
    /// Only since then: a duration back from now (30m, 2h, 7d) or a UTC date or time.
    #[arg(long)]
    pub since: Option<String>,
}

/// The most `denials --last` shows.
pub const MAX_LAST: u32 = 100;

/// Runs a log verb. Exit status: 0, 1 (`show`: no such record), 2 (bad arguments).
pub fn run_log(args: &LogArgs, locator: &Locator, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let settings = match crate::lookup::policy_for(
        locator,
        &here,
        None,
        &crate::lookup::Env::from_process(),
    ) {
        Loaded::Ready(p) => p.log.clone(),
        Loaded::Failed { .. } => LogSettings::default(),
    };
    let store = match &args.log_dir {
        Some(dir) => Store::at(dir),
        None => match Store::locate(&settings) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(err, "policy-exec: {e}");
                return 2;
            }
        },
    };
    let now = Instant::now();
    store.prune(settings.retention_days, now);
    match &args.verb {
        LogVerb::Denials(a) => denials(a, &store, &settings, now, out, err),
        LogVerb::Tail(a) => tail(a, &store, out),
        LogVerb::Show(a) => show(a, &store, out, err),
        LogVerb::Export(a) => export(a, &store, now, out, err),
    }
}

/// Records of the log, newest first, lazily across day files (also the reader
/// `policy-exec diff` replays the log with).
pub fn newest_first(store: &Store) -> impl Iterator<Item = Value> + '_ {
    store.days().into_iter().rev().flat_map(|(_, path)| {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<Value> = text
            .lines()
            .rev()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v.is_object())
            .collect();
        lines
    })
}

/// The commands of a decision record that were not allowed (denied or asked about).
pub fn refused_commands(record: &Value) -> impl Iterator<Item = &Value> {
    record
        .get("commands")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| c.get("decision").and_then(Value::as_str) != Some("allow"))
}

/// Whether a record is a command that did not run as asked: a deny, or a request nobody
/// approved (declined, timed out, no terminal, left to the harness's question).
pub fn is_denial(record: &Value) -> bool {
    if record.get("event").is_some() || record.get("deferred").is_some() {
        return false;
    }
    let decision = record.get("decision").and_then(Value::as_str);
    let asked = record.get("asked").and_then(Value::as_str);
    matches!(decision, Some("deny" | "request")) && !matches!(asked, Some("approved" | "grant"))
}

/// The command that decided a record (its first command with the record's decision).
fn deciding(record: &Value) -> Option<&Value> {
    let decision = record.get("decision")?;
    record
        .get("commands")?
        .as_array()?
        .iter()
        .find(|c| c.get("decision") == Some(decision))
}

fn ts_of(record: &Value) -> Option<Instant> {
    record
        .get("ts")
        .and_then(Value::as_str)
        .and_then(Instant::parse)
}

fn under(record: &Value, dir: &Path) -> bool {
    let Some(cwd) = record.get("cwd").and_then(Value::as_str) else {
        return false;
    };
    Path::new(cwd).starts_with(dir)
}

fn denials(
    a: &DenialsArgs,
    store: &Store,
    settings: &LogSettings,
    now: Instant,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let last = usize::try_from(a.last.clamp(1, MAX_LAST)).unwrap_or(10);
    let since = match a.since.as_deref().map(|s| clock::since(s, now)).transpose() {
        Ok(s) => s,
        Err(message) => {
            let _ = writeln!(err, "policy-exec: {message}");
            return 2;
        }
    };
    let dirs: Vec<PathBuf> = a
        .cwd
        .iter()
        .flat_map(|d| {
            let absolute = std::path::absolute(d).unwrap_or_else(|_| d.clone());
            let canonical = std::fs::canonicalize(d).unwrap_or_else(|_| absolute.clone());
            [absolute, canonical]
        })
        .collect();
    let available = !store.days().is_empty();
    let mut found: Vec<Value> = Vec::new();
    for record in newest_first(store) {
        if let Some(since) = since
            && ts_of(&record).is_some_and(|t| t < since)
        {
            // Newest first: everything after this is older still.
            break;
        }
        if !is_denial(&record) || (!dirs.is_empty() && !dirs.iter().any(|d| under(&record, d))) {
            continue;
        }
        found.push(summary(&record));
        if found.len() >= last {
            break;
        }
    }
    let note = if !available {
        Some(format!(
            "no decision log yet in `{}`{}",
            store.dir().display(),
            if settings.enabled {
                ": nothing has been judged with logging on"
            } else {
                ": logging is off (log.enabled: false)"
            }
        ))
    } else if found.is_empty() {
        Some("no refused commands match".to_string())
    } else {
        None
    };
    if a.json {
        let mut v = json!({"denials": found, "log_available": available});
        if let (Some(n), Some(obj)) = (&note, v.as_object_mut()) {
            obj.insert("note".into(), json!(n));
        }
        let _ = writeln!(out, "{v}");
        return 0;
    }
    if let Some(n) = &note {
        let _ = writeln!(out, "{n}");
    }
    for d in &found {
        let _ = writeln!(out, "{}", summary_line(d));
    }
    0
}

/// What `denials` shows of a record.
fn summary(record: &Value) -> Value {
    let cmd = deciding(record);
    json!({
        "id": record.get("id"),
        "ts": record.get("ts"),
        "mode": record.get("mode"),
        "harness": record.get("harness"),
        "decision": record.get("decision"),
        "asked": record.get("asked"),
        "command": cmd.and_then(|c| c.get("text")).or_else(|| record.get("script")),
        "rule": cmd.and_then(|c| c.get("rule")),
        "reason": record.get("reason"),
        "script": record.get("script"),
        "cwd": record.get("cwd"),
    })
}

fn text(v: &Value, key: &str) -> String {
    one_line(v.get(key).and_then(Value::as_str).unwrap_or("-"))
}

fn summary_line(d: &Value) -> String {
    let asked = d
        .get("asked")
        .and_then(Value::as_str)
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    format!(
        "{}  {}{asked}  {}  `{}`  {}  [{}]",
        text(d, "ts"),
        text(d, "decision").to_uppercase(),
        text(d, "id"),
        text(d, "command"),
        text(d, "reason"),
        text(d, "cwd"),
    )
}

/// One line of `tail` for a record.
fn tail_line(record: &Value) -> String {
    if let Some(event) = record.get("event").and_then(Value::as_str) {
        return format!(
            "{}  EVENT {}  {}  {}",
            text(record, "ts"),
            one_line(event),
            text(record, "id"),
            text(record, "reason")
        );
    }
    let asked = record
        .get("asked")
        .and_then(Value::as_str)
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    format!(
        "{}  {:<7}{asked}  {:<5}  {}  `{}`",
        text(record, "ts"),
        text(record, "decision").to_uppercase(),
        text(record, "mode"),
        text(record, "id"),
        text(record, "script"),
    )
}

fn tail(a: &TailArgs, store: &Store, out: &mut dyn Write) -> u8 {
    let mut latest: Vec<Value> = newest_first(store).take(a.lines).collect();
    latest.reverse();
    let print = |v: &Value, out: &mut dyn Write| {
        let line = if a.json { v.to_string() } else { tail_line(v) };
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };
    for v in &latest {
        print(v, out);
    }
    if !a.follow {
        return 0;
    }
    // Follow: watch the newest day file's length, and move to a new day when one appears.
    let mut current = store.days().pop();
    let mut offset = current
        .as_ref()
        .and_then(|(_, p)| std::fs::metadata(p).ok())
        .map_or(0, |m| m.len());
    loop {
        std::thread::sleep(std::time::Duration::from_millis(250));
        let newest = store.days().pop();
        if newest.as_ref().map(|(d, _)| d) != current.as_ref().map(|(d, _)| d) {
            current = newest;
            offset = 0;
        }
        let Some((_, path)) = &current else { continue };
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Some(fresh) = bytes.get(usize::try_from(offset).unwrap_or(usize::MAX)..) else {
            offset = 0;
            continue;
        };
        // Only whole lines: a line is one write, but be safe about a read mid-write.
        let complete = fresh.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        for line in String::from_utf8_lossy(fresh.get(..complete).unwrap_or_default()).lines() {
            if let Ok(v) = serde_json::from_str::<Value>(line) {
                print(&v, out);
            }
        }
        offset += u64::try_from(complete).unwrap_or(0);
    }
}

/// The record with this id: its day file first (the id names it), then every day file
/// (a clock that moved).
pub fn find(store: &Store, wanted: &str) -> Option<Value> {
    let day_file = DecisionId::day_of(wanted).map(|d| store.day_file(&d));
    let in_file = |path: &Path| -> Option<Value> {
        let text = std::fs::read_to_string(path).ok()?;
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v.get("id").and_then(Value::as_str) == Some(wanted))
    };
    day_file
        .as_deref()
        .and_then(in_file)
        .or_else(|| store.days().iter().rev().find_map(|(_, p)| in_file(p)))
}

fn show(a: &ShowArgs, store: &Store, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let wanted = a.id.trim();
    match find(store, wanted) {
        Some(v) => {
            let text = if a.json {
                v.to_string()
            } else {
                format!("{v:#}")
            };
            let _ = writeln!(out, "{text}");
            0
        }
        None => {
            let _ = writeln!(
                err,
                "policy-exec: no record `{}` in `{}`: check the id (`policy-exec log denials` lists recent ones)",
                one_line(wanted),
                store.dir().display()
            );
            1
        }
    }
}

fn export(
    a: &ExportArgs,
    store: &Store,
    now: Instant,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let since = match a.since.as_deref().map(|s| clock::since(s, now)).transpose() {
        Ok(s) => s,
        Err(message) => {
            let _ = writeln!(err, "policy-exec: {message}");
            return 2;
        }
    };
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    for (day, path) in store.days() {
        if let Some(since) = since
            && day < since.day()
        {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for line in text.lines() {
            let Ok(record) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            if let Some(since) = since
                && ts_of(&record).is_some_and(|t| t < since)
            {
                continue;
            }
            if let Some(event) = super::ocsf::event(&record, &host) {
                let _ = writeln!(out, "{event}");
            }
        }
    }
    0
}
