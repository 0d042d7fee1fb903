//! The compiled-policy cache: one file per selection (installed root, harness, task
//! domain, task instance, repository scope) under `$XDG_CACHE_HOME/policy-exec/`,
//! holding the compiled bundle and the identity of every file it was built from.
//!
//! A judgement checks it with a few `stat`s: the scope files discovery finds now must
//! be the ones recorded, each with the same device, inode, size, modification and change
//! time, and the binary must be the one that wrote it. Anything else — an edited scope
//! file, a new `repo.yaml`, a new policy-exec, a cache file edited or cut short — is a
//! miss, and the caller rebuilds. Writes go to a temporary file in the same directory and
//! are renamed into place, so two processes rebuilding at once each read a whole file,
//! old or new.
//!
//! The file is read on every judgement, so it is laid out to be read in part:
//!
//! ```text
//! <sum64 of the header: 16 hex digits><the header's length in bytes: 8 hex digits>
//! <header, its parts placed by their lengths:
//!  <lengths of the next three parts: 3 × 8 hex digits>
//!  <what the file is valid for ([`identity`]), compared as bytes>
//!  <where each rule line ends, counted from the first one's start, and its checksum,
//!   as fixed-width hex>
//!  <the program index ([`super::ProgramIndex`])>
//!  <JSON on one line: format, version, scopes, settings, and the length and checksum
//!   of the two lines below>>
//! <the scope files' identities and content hashes, for audits (never read back)>
//! <the path rules: a JSON list on one line>
//! <rule 0: JSON on one line>
//! <rule 1> …
//! ```
//!
//! A judgement reads the start of the file once (the first line says where the header
//! ends: nothing is scanned for line ends), then only the lines it needs: the rules of
//! the script's programs, and the path rules when a command names a file (`pread` at the
//! offsets the header gives; a rule line's place is read from its own entry and the one
//! before it, so nothing is worked out for the rules a judgement does not read). Each
//! line is checked against its own checksum before it is used (a damaged line is a miss).
//! Reading the whole file cost more than the rest of a judgement: a buffer grown by
//! doubling, page faults on every new page of it, and a scan for line ends.
//! The checksums catch a file cut short or damaged; they are not a signature: the cache
//! is the user's, as writable by an agent running as that user as the scope files it
//! mirrors are (the README's threat model).

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Compiled, Selection};
use crate::policy::bundle::Bundle;
use crate::resolve;

/// The cache format's version (bump when [`Entry`] or the layout changes).
const FORMAT: u32 = 11;
/// The largest cache file read.
const MAX_BYTES: u64 = 64 << 20;

/// A cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// What identifies a file's content without reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct FileId {
    path: String,
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    /// The content's SHA-256 when the entry was written (for audits; not re-read).
    sha256: String,
}

impl FileId {
    /// The identity of `path` now (without its content hash).
    fn stat(path: &Path) -> Option<FileId> {
        Some(FileId::of(path, &std::fs::metadata(path).ok()?))
    }

    /// The identity of `path` from its metadata.
    fn of(path: &Path, m: &std::fs::Metadata) -> FileId {
        FileId {
            // What `display()` shows (invalid UTF-8 as U+FFFD), without the formatter.
            path: path.to_string_lossy().into_owned(),
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime_ns: m
                .mtime()
                .saturating_mul(1_000_000_000)
                .saturating_add(m.mtime_nsec()),
            ctime_ns: m
                .ctime()
                .saturating_mul(1_000_000_000)
                .saturating_add(m.ctime_nsec()),
            sha256: String::new(),
        }
    }
}

/// The JSON part of one cache file's header. What the file is valid for, the rule
/// lines' lengths and checksums and the program index are parts of the header of their
/// own ([`parts`]): they are most of its bytes, and as JSON strings every judgement
/// copied them and scanned them for escapes and for UTF-8 (a tenth of a shell-mode
/// judgement's instructions).
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    format: u32,
    version: String,
    scopes: Vec<(String, String)>,
    /// Everything but the rules and the path rules.
    bundle: Bundle,
    /// The files line (every scope file's identity and content hash, for a human or an
    /// audit; a judgement does not read it): its length and checksum, as [`line_entry`]
    /// writes them.
    files: String,
    /// The path rules' line, the same way.
    path_rules: String,
}

/// The parts of a header: what the file is valid for ([`identity`]); each rule line's
/// end and checksum, in order, as [`rule_entries`] writes them, with nothing between
/// (fixed-width, so that an entry is read only for a line that is); the program index
/// ([`super::ProgramIndex`]'s text); and the JSON [`Entry`].
struct Parts<'h> {
    identity: &'h [u8],
    rules: &'h [u8],
    index: &'h [u8],
    json: &'h [u8],
}

/// The digits that give the lengths of the first three parts of a header.
const PART_DIGITS: usize = 3 * 8;

/// The header's text from its parts (`None` when one is 4 GiB or more).
fn join_parts(identity: &str, rules: &str, index: &str, json: &str) -> Option<String> {
    let len = |t: &str| u32::try_from(t.len()).ok();
    Some(format!(
        "{:08x}{:08x}{:08x}\n{identity}\n{rules}\n{index}\n{json}",
        len(identity)?,
        len(rules)?,
        len(index)?
    ))
}

/// A header's parts, placed by the lengths it starts with (nothing is scanned: a path in
/// the identity may hold a newline); `None` when they do not fit or a separator is not
/// where the lengths put it.
fn parts(header: &[u8]) -> Option<Parts<'_>> {
    let len = |i: usize| -> Option<usize> {
        usize::try_from(parse_hex(header.get(i * 8..i * 8 + 8)?)?).ok()
    };
    // Each part follows a newline: `at` is where that newline must be.
    let part = |at: usize, n: usize| -> Option<&[u8]> {
        if header.get(at) != Some(&b'\n') {
            return None;
        }
        header.get(at.checked_add(1)?..at.checked_add(1)?.checked_add(n)?)
    };
    let identity = part(PART_DIGITS, len(0)?)?;
    let at = PART_DIGITS + 1 + identity.len();
    let rules = part(at, len(1)?)?;
    let at = at + 1 + rules.len();
    let index = part(at, len(2)?)?;
    let at = at + 1 + index.len();
    let json = part(at, header.len().checked_sub(at + 1)?)?;
    Some(Parts {
        identity,
        rules,
        index,
        json,
    })
}

/// Everything a cache file is valid for, written out exactly: the binary that wrote it,
/// the selection, and each scope slot as discovery finds it (path, device, inode, size,
/// modification and change times), each text length-prefixed and each number in hex, so
/// that two different inputs never give the same string. A judgement builds it from its
/// own `stat`s and compares one string, instead of deserializing a copy of each
/// identity from the header (twelve objects: a fifth of a shell-mode judgement's
/// instructions).
fn identity(exe: Option<&FileId>, s: &Selection, slots: &[Option<FileId>]) -> Vec<u8> {
    /// `n` in `base` (10 or 16, lowercase) without leading zeros, as `{}` and `{:x}`
    /// write it (built on every judgement: the formatter's machinery cost more than the
    /// digits, and pushing them one `char` at a time a third of what was left).
    fn digits_into(out: &mut Vec<u8>, n: u64, base: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = n;
        loop {
            at -= 1;
            if let Some(d) = digits.get_mut(at) {
                *d = b"0123456789abcdef"
                    .get((n % base) as usize)
                    .copied()
                    .unwrap_or(b'0');
            }
            n /= base;
            if n == 0 || at == 0 {
                break;
            }
        }
        out.extend_from_slice(digits.get(at..).unwrap_or_default());
    }
    fn hex_into(out: &mut Vec<u8>, n: u64) {
        digits_into(out, n, 16);
    }
    fn dec_into(out: &mut Vec<u8>, n: usize) {
        digits_into(out, n as u64, 10);
    }
    fn text(out: &mut Vec<u8>, t: Option<&str>) {
        match t {
            None => out.push(b'-'),
            Some(t) => {
                dec_into(out, t.len());
                out.push(b':');
                out.extend_from_slice(t.as_bytes());
            }
        }
    }
    fn file(out: &mut Vec<u8>, f: Option<&FileId>) {
        match f {
            None => out.push(b'-'),
            Some(f) => {
                out.push(b'+');
                text(out, Some(&f.path));
                // The times as `{:x}` writes an i64: its two's complement when negative.
                for (i, n) in [f.dev, f.ino, f.size, f.mtime_ns as u64, f.ctime_ns as u64]
                    .into_iter()
                    .enumerate()
                {
                    if i > 0 {
                        out.push(b',');
                    }
                    hex_into(out, n);
                }
                out.push(b';');
            }
        }
    }
    let mut out = Vec::with_capacity(1024);
    file(&mut out, exe);
    for key in selection_key(s) {
        text(&mut out, key.as_deref());
    }
    dec_into(&mut out, slots.len());
    out.push(b':');
    for slot in slots {
        file(&mut out, slot.as_ref());
    }
    out
}

/// A 64-bit checksum against a file cut short or damaged (not a signature; see the
/// module docs): eight bytes at a time, each word mixed in by xor, a multiply by the
/// 64-bit golden-ratio constant and a rotation, then the length. It runs on every
/// judgement over the rules it reads, so it is word-wise rather than byte-wise (FNV-1a
/// cost about 3 cycles a byte here) and needs no SHA machinery's start-up.
pub(super) fn sum64(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut words = bytes.chunks_exact(8);
    for w in words.by_ref() {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(K).rotate_left(29);
    }
    let mut last = [0u8; 8];
    for (i, b) in words.remainder().iter().enumerate() {
        if let Some(slot) = last.get_mut(i) {
            *slot = *b;
        }
    }
    h = (h ^ u64::from_le_bytes(last))
        .wrapping_mul(K)
        .rotate_left(29);
    (h ^ bytes.len() as u64).wrapping_mul(K)
}

/// The selection as the cache keys it.
fn selection_key(s: &Selection) -> Vec<Option<String>> {
    // What `display()` shows (invalid UTF-8 as U+FFFD), without the formatter.
    let shown = |p: &Path| p.to_string_lossy().into_owned();
    vec![
        Some(shown(&s.root)),
        Some(s.harness.clone()),
        Some(s.task_domain.clone()),
        s.task_instance.as_deref().map(shown),
        s.repo_file.as_deref().map(shown),
    ]
}

/// The scope file for `stem` in `dir` as discovery finds it (`.yaml` > `.yml` >
/// `.json`), with its identity: one `stat` per candidate.
fn slot(dir: &Path, stem: &str) -> Option<FileId> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    // `dir/stem` once, each extension appended in place (a join and a `format!` per
    // candidate were a twentieth of a judgement's instructions).
    let mut path = dir.join(stem).into_os_string().into_vec();
    let base = path.len();
    ["yaml", "yml", "json"].iter().find_map(|ext| {
        path.truncate(base);
        path.push(b'.');
        path.extend_from_slice(ext.as_bytes());
        FileId::stat(Path::new(std::ffi::OsStr::from_bytes(&path)))
    })
}

/// Every scope slot of a selection, as discovery finds it now, with identities: a file
/// that is edited, appears, disappears or changes extension changes this list.
pub(super) fn slots(s: &Selection) -> Vec<Option<FileId>> {
    let in_config = |config: &Path| {
        vec![
            slot(config, "system"),
            slot(config, "user"),
            match &s.repo_file {
                Some(r) => FileId::stat(r),
                None => slot(config, "repo"),
            },
            slot(&config.join("harness"), &s.harness),
            slot(&config.join("task-domain"), &s.task_domain),
            s.task_instance.as_deref().and_then(FileId::stat),
        ]
    };
    // The installed root holds `policy-config/` (that is how it was found); the
    // reference's layout is looked up only when it does not. That is asked only when no
    // scope file was found there (nothing is found in a directory that is not one): a
    // judgement makes no `stat` of the directory itself.
    let direct = s.root.join("policy-config");
    let found = in_config(&direct);
    let in_tree = found.get(..5).unwrap_or_default();
    let repo_outside = s.repo_file.is_some();
    let none_in_tree = in_tree
        .iter()
        .enumerate()
        .all(|(i, f)| f.is_none() || (i == 2 && repo_outside));
    if !none_in_tree || direct.is_dir() {
        return found;
    }
    match resolve::config_dir(&s.root) {
        Ok(c) => in_config(&c),
        Err(_) => vec![None],
    }
}

/// The running binary's identity: `stat` of `/proc/self/exe` reaches the file itself
/// (one system call; reading the link first would be two).
fn exe_id() -> Option<FileId> {
    crate::files::self_exe().map(|m| FileId::of(Path::new("/proc/self/exe"), m))
}

/// The hex digits of one line's entry in the header: its length (without its newline)
/// and its [`sum64`].
const ENTRY_DIGITS: usize = 24;

/// A line's entry in the header: its length in 8 hex digits and its checksum in 16.
/// `None` for a line of 4 GiB or more (which is not cached).
fn line_entry(line: &str) -> Option<String> {
    let len = u32::try_from(line.len()).ok()?;
    Some(format!("{len:08x}{:016x}", sum64(line.as_bytes())))
}

/// Fixed-width hex digits as a number (`None` when one is not a hex digit).
pub(super) fn parse_hex(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |n, d| {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        Some(n << 4 | u64::from(v))
    })
}

/// The line the `entry` ([`line_entry`]) describes, starting at `at`, and its checksum.
fn line_at(entry: &[u8], at: u64) -> Option<(std::ops::Range<u64>, u64)> {
    let (len, sum) = (entry.get(..8)?, entry.get(8..ENTRY_DIGITS)?);
    let end = at.checked_add(parse_hex(len)?)?;
    Some((at..end, parse_hex(sum)?))
}

/// The header's list for these rule lines: for each, where it ends (its newline not
/// included), counted from the first line's start, in 8 hex digits, and its [`sum64`] in
/// 16. `None` when they add up to 4 GiB or more (which is not cached).
fn rule_entries(lines: &[String]) -> Option<String> {
    let mut list = String::with_capacity(lines.len() * ENTRY_DIGITS);
    let mut start: u64 = 0;
    for line in lines {
        let end = start.checked_add(line.len() as u64)?;
        let end32 = u32::try_from(end).ok()?;
        list.push_str(&format!("{end32:08x}{:016x}", sum64(line.as_bytes())));
        start = end.checked_add(1)?;
    }
    Some(list)
}

/// Rule line `i`'s byte range in the file, the first line starting at `first`, and its
/// checksum, from the header's `list` ([`rule_entries`]); `None` when the entries are
/// not hex or do not give a range.
pub(super) fn rule_line(list: &[u8], first: u64, i: usize) -> Option<(std::ops::Range<u64>, u64)> {
    let entry = list
        .get(i.checked_mul(ENTRY_DIGITS)?..)?
        .get(..ENTRY_DIGITS)?;
    let start = match i.checked_sub(1) {
        None => 0,
        Some(before) => {
            let at = before * ENTRY_DIGITS;
            parse_hex(list.get(at..at + 8)?)?.checked_add(1)?
        }
    };
    let end = parse_hex(entry.get(..8)?)?;
    if end < start {
        return None;
    }
    Some((
        first.checked_add(start)?..first.checked_add(end)?,
        parse_hex(entry.get(8..)?)?,
    ))
}

/// Where the rule lines of `list` end in the file, the first starting at `first`: the
/// file's size when the file is whole. `None` when the list is not whole entries.
fn rules_end(list: &[u8], first: u64) -> Option<u64> {
    if !list.len().is_multiple_of(ENTRY_DIGITS) {
        return None;
    }
    match list.len().checked_sub(ENTRY_DIGITS) {
        None => Some(first),
        Some(last) => first
            .checked_add(parse_hex(list.get(last..last + 8)?)?)?
            .checked_add(1),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Cache {
    /// The cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The file for a selection.
    pub fn file(&self, s: &Selection) -> PathBuf {
        let key = serde_json::to_string(&selection_key(s)).unwrap_or_default();
        self.dir
            .join(format!("compiled-{:016x}.json", sum64(key.as_bytes())))
    }

    /// The compiled policy for a selection, when the cache holds a fresh one. Only the
    /// header is read here; rule lines are read when [`super::RuleTexts`] is asked for them.
    pub fn get(&self, s: &Selection) -> Option<Compiled> {
        let (file, size, head) = read_head(&self.file(s))?;
        let (sum, header) = header(&head)?;
        if sum64(header) != sum {
            return None;
        }
        let parts = parts(header)?;
        let entry: Entry = serde_json::from_slice(parts.json).ok()?;
        let fresh = entry.format == FORMAT
            && entry.version == env!("CARGO_PKG_VERSION")
            && parts.identity == identity(exe_id().as_ref(), s, &slots(s)).as_slice();
        if !fresh {
            return None;
        }
        // Each line's place in the file, from the lengths (no scan for line ends).
        let after_header = (FIRST_LINE + header.len() + 1) as u64;
        let (files, _) = line_at(entry.files.as_bytes(), after_header)?;
        let path_rules = line_at(entry.path_rules.as_bytes(), files.end.checked_add(1)?)?;
        let first = path_rules.0.end.checked_add(1)?;
        if rules_end(parts.rules, first)? != size {
            return None;
        }
        // The list and the index stay where they were read: places in `head`.
        let place = |part: &[u8]| {
            let at = (part.as_ptr() as usize).checked_sub(head.as_ptr() as usize)?;
            Some(at..at.checked_add(part.len())?)
        };
        let (list, index) = (place(parts.rules)?, place(parts.index)?);
        Some(Compiled {
            bundle: entry.bundle,
            // The files are the scopes' (`super::compile`).
            files: entry.scopes.iter().map(|(_, p)| PathBuf::from(p)).collect(),
            scopes: entry.scopes,
            rules: Some(super::RuleTexts {
                file: std::sync::Arc::new(file),
                path_rules,
                first,
                count: parts.rules.len() / ENTRY_DIGITS,
                list,
                index,
                head,
            }),
        })
    }

    /// Stores a compiled selection (atomically: a temporary file renamed into place).
    /// `before` is [`slots`] taken before compiling: when a file changed while it was
    /// compiled, nothing is stored (the result may already be stale).
    pub(super) fn put(
        &self,
        s: &Selection,
        compiled: &Compiled,
        before: &[Option<FileId>],
    ) -> std::io::Result<()> {
        if slots(s) != before {
            return Ok(());
        }
        let mut files = Vec::with_capacity(compiled.files.len());
        for path in &compiled.files {
            let Some(mut id) = FileId::stat(path) else {
                // It changed under us: do not cache what may already be stale.
                return Ok(());
            };
            id.sha256 = hex(&Sha256::digest(std::fs::read(path)?));
            files.push(id);
        }
        let mut slim = for_judging(&compiled.bundle);
        let mut rules = Vec::with_capacity(slim.commands.len());
        let mut index: std::collections::BTreeMap<String, Vec<usize>> =
            std::collections::BTreeMap::new();
        let mut reach: std::collections::BTreeMap<String, Vec<usize>> =
            std::collections::BTreeMap::new();
        let mut any_program = Vec::new();
        for (i, rule) in slim.commands.iter().enumerate() {
            let Ok(compiled_rule) = crate::policy::policy::compile(rule) else {
                // A rule that does not compile fails the judgement anyway: cache nothing.
                return Ok(());
            };
            let programs = compiled_rule.programs();
            if programs.is_empty() {
                // Filed so that a script that cannot meet it does not read it: by the
                // frames it needs (`Rule::matches_in` gives no match without one), else
                // by the start of the program name its glob needs, else for every script.
                let via = &compiled_rule.refinements.via;
                if !via.is_empty() {
                    for frame in via {
                        reach
                            .entry(super::ProgramIndex::frame_key(frame))
                            .or_default()
                            .push(i);
                    }
                } else if let Some(prefix) = compiled_rule.program_prefix() {
                    reach
                        .entry(super::ProgramIndex::prefix_key(prefix))
                        .or_default()
                        .push(i);
                } else {
                    any_program.push(i);
                }
            }
            // A token matcher whose second token is a plain word matches only commands
            // with that word first: it is filed under `program sub`.
            let sub = match &compiled_rule.matcher {
                crate::policy::rule::Matcher::Exact(w)
                | crate::policy::rule::Matcher::Prefix(w) => {
                    w.get(1).filter(|t| crate::policy::engine::plain_token(t))
                }
                crate::policy::rule::Matcher::Glob(_) => None,
            };
            for p in programs {
                let key = match sub {
                    Some(sub) => format!("{p} {sub}"),
                    None => p,
                };
                index.entry(key).or_default().push(i);
            }
            let line = serde_json::to_string(rule).map_err(std::io::Error::other)?;
            // Compact JSON escapes every newline inside strings: one rule, one line.
            if line.contains('\n') {
                return Ok(());
            }
            rules.push(line);
        }
        slim.commands.clear();
        let path_rules = serde_json::to_string(&std::mem::take(&mut slim.path_rules))
            .map_err(std::io::Error::other)?;
        let (Some(path_entry), Some(list)) = (line_entry(&path_rules), rule_entries(&rules)) else {
            return Ok(());
        };
        let exe = exe_id();
        // For a human or an audit: what the identity covers, and the content hashes.
        let audit = serde_json::to_string(&serde_json::json!({
            "exe": exe, "selection": selection_key(s), "slots": before, "files": files,
        }))
        .map_err(std::io::Error::other)?;
        let Some(audit_entry) = line_entry(&audit) else {
            return Ok(());
        };
        let entry = Entry {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            scopes: compiled.scopes.clone(),
            bundle: slim,
            files: audit_entry,
            path_rules: path_entry,
        };
        let json = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        let Ok(identity) = String::from_utf8(identity(exe.as_ref(), s, before)) else {
            // Paths are written as `display()` shows them: always UTF-8.
            return Ok(());
        };
        let Some(header) = join_parts(
            &identity,
            &list,
            &super::ProgramIndex::text(&index, &reach, &any_program),
            &json,
        ) else {
            return Ok(());
        };
        let Ok(header_len) = u32::try_from(header.len()) else {
            return Ok(());
        };
        let mut text = format!(
            "{:016x}{header_len:08x}\n{header}\n{audit}\n{path_rules}\n",
            sum64(header.as_bytes())
        );
        for r in &rules {
            text.push_str(r);
            text.push('\n');
        }
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.persist(self.file(s)).map_err(|e| e.error)?;
        Ok(())
    }
}

use std::os::unix::fs::DirBuilderExt;

/// The bundle without what judging never reads (rule examples and the reference's
/// display fields): the cache is parsed on every judgement, so it stays small.
fn for_judging(bundle: &Bundle) -> Bundle {
    let mut slim = bundle.clone();
    // The cache file carries its own checksum; the slimmed bundle no longer matches the
    // full one's.
    slim.bundle_sha256 = None;
    for rule in &mut slim.commands {
        rule.examples = None;
        rule.shell_entry.clear();
        rule.bash_entry.clear();
        rule.normalized_pattern.clear();
    }
    slim
}

/// A regular cache file of at most [`MAX_BYTES`], open, with its size and its first
/// [`HEAD_BYTES`] (more when the header is longer): the first line, the header, and
/// whatever follows them in the same read.
fn read_head(path: &Path) -> Option<(std::fs::File, u64, Vec<u8>)> {
    use std::io::Read;
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let size = meta.len();
    if !meta.is_file() || size > MAX_BYTES {
        return None;
    }
    // Into spare capacity, so nothing is zeroed first: one `read` of at most
    // HEAD_BYTES, which is also std's step for a reader of unknown size, and the
    // check for more after it asks `Take`, which has none left, not the file.
    let first = size.min(HEAD_BYTES as u64);
    let mut head = Vec::with_capacity(usize::try_from(first).ok()?);
    (&file).take(first).read_to_end(&mut head).ok()?;
    // Most headers fit the first read; a larger one (many rules) takes one more.
    let len = header_len(&head)?;
    let wanted = FIRST_LINE.checked_add(len)?.checked_add(1)?;
    if head.len() < wanted {
        if wanted as u64 > size {
            return None;
        }
        let have = head.len();
        head.resize(wanted, 0);
        file.read_exact_at(head.get_mut(have..)?, have as u64)
            .ok()?;
    }
    Some((file, size, head))
}

/// The first line's length with its newline: the header's checksum and its length.
const FIRST_LINE: usize = 16 + 8 + 1;

/// The header's length, from the first line.
fn header_len(head: &[u8]) -> Option<usize> {
    if head.get(FIRST_LINE - 1) != Some(&b'\n') {
        return None;
    }
    usize::try_from(parse_hex(head.get(16..24)?)?).ok()
}

/// The header's checksum and the header, from the start of the file. Only the header
/// is read as text: the read may end inside a character of a later line.
fn header(head: &[u8]) -> Option<(u64, &[u8])> {
    let len = header_len(head)?;
    let header = head.get(FIRST_LINE..FIRST_LINE + len)?;
    if head.get(FIRST_LINE + len) != Some(&b'\n') {
        return None;
    }
    Some((parse_hex(head.get(..16)?)?, header))
}

/// The first read of a cache file: the default policy's header is about 8 KB (its path
/// rules follow, read when a command names a file). Every page of it is touched, by the
/// kernel's copy if not by a judgement: 16 KB cost two page faults more.
const HEAD_BYTES: usize = 8 << 10;

#[cfg(test)]
mod tests {
    use super::{
        FileId, Selection, header, identity, join_parts, line_at, parts, rule_entries, rule_line,
        rules_end, sum64,
    };

    #[test]
    fn the_header_parts_are_placed_by_their_lengths() {
        for (identity, rules, index, json) in [
            (
                "+9:/r/\nx.yaml1,2;",
                "0000000a",
                "%=1|git=2",
                "{\"format\":10}",
            ),
            ("", "", "", ""),
        ] {
            let text = join_parts(identity, rules, index, json).unwrap();
            let p = parts(text.as_bytes()).unwrap();
            assert_eq!(p.identity, identity.as_bytes());
            assert_eq!(p.rules, rules.as_bytes());
            assert_eq!(p.index, index.as_bytes());
            assert_eq!(p.json, json.as_bytes());
            // Cut short, or a length that does not land on a separator.
            assert!(parts(&text.as_bytes()[..text.len() - json.len() - 1]).is_none());
            let longer = format!("{:08x}{}", identity.len() + 1, &text[8..]);
            assert!(parts(longer.as_bytes()).is_none());
        }
        assert!(parts(b"").is_none());
        assert!(parts(b"0000000g0000000000000000\n\n\n\n").is_none());
    }

    /// The digits are written by hand: the same text `write!` gave (format 8 to 11).
    #[test]
    fn the_identity_is_the_text_the_formatter_wrote() {
        let s = Selection {
            root: "/r".into(),
            harness: "h\u{e9}".into(),
            task_domain: "d".into(),
            task_instance: None,
            repo_file: Some("/p/repo.yaml".into()),
        };
        for (dev, ino, size, mtime_ns, ctime_ns) in [
            (0, 0, 0, 0, 0),
            (1, 15, 16, -1, i64::MIN),
            (u64::MAX, 0x10, 255, i64::MAX, 1_733_000_000_123_456_789),
        ] {
            let f = FileId {
                path: "/r/system.yaml".into(),
                dev,
                ino,
                size,
                mtime_ns,
                ctime_ns,
                sha256: String::new(),
            };
            let slots = vec![Some(f.clone()), None];
            let mut want = format!(
                "+{}:{}{dev:x},{ino:x},{size:x},{mtime_ns:x},{ctime_ns:x};",
                f.path.len(),
                f.path
            );
            for key in super::selection_key(&s) {
                match key {
                    None => want.push('-'),
                    Some(k) => want.push_str(&format!("{}:{k}", k.len())),
                }
            }
            want.push_str(&format!(
                "2:+{}:{}{dev:x},{ino:x},{size:x},{mtime_ns:x},{ctime_ns:x};-",
                f.path.len(),
                f.path
            ));
            assert_eq!(identity(Some(&f), &s, &slots), want.as_bytes());
        }
    }

    #[test]
    fn the_identity_sees_every_field() {
        let id = |path: &str, n: u64| FileId {
            path: path.into(),
            dev: n,
            ino: n + 1,
            size: n + 2,
            mtime_ns: 7,
            ctime_ns: 8,
            sha256: String::new(),
        };
        let s = Selection {
            root: "/r".into(),
            harness: "h".into(),
            task_domain: "d".into(),
            task_instance: None,
            repo_file: Some("/p/repo.yaml".into()),
        };
        let exe = id("/proc/self/exe", 1);
        let slots = vec![
            Some(id("/r/system.yaml", 10)),
            None,
            Some(id("/p/repo.yaml", 20)),
        ];
        let base = identity(Some(&exe), &s, &slots);
        assert_eq!(
            base,
            identity(Some(&exe.clone()), &s.clone(), &slots.clone())
        );
        let mut changed: Vec<Vec<u8>> = Vec::new();
        for field in 0..7 {
            let mut f = id("/r/system.yaml", 10);
            match field {
                0 => f.path.push('x'),
                1 => f.dev += 1,
                2 => f.ino += 1,
                3 => f.size += 1,
                4 => f.mtime_ns += 1,
                5 => f.ctime_ns += 1,
                _ => f.path = "/r/system.yml".into(),
            }
            let mut other = slots.clone();
            other[0] = Some(f);
            changed.push(identity(Some(&exe), &s, &other));
        }
        let mut moved = slots.clone();
        moved.swap(1, 2);
        changed.push(identity(Some(&exe), &s, &moved));
        changed.push(identity(None, &s, &slots));
        changed.push(identity(Some(&exe), &s, &slots[..2]));
        for (i, s2) in [
            Selection {
                harness: "h2".into(),
                ..s.clone()
            },
            Selection {
                task_instance: Some("/t".into()),
                ..s.clone()
            },
            Selection {
                repo_file: None,
                ..s.clone()
            },
            // The same bytes split differently between two fields.
            Selection {
                harness: "hd".into(),
                task_domain: String::new(),
                ..s.clone()
            },
        ]
        .iter()
        .enumerate()
        {
            let other = identity(Some(&exe), s2, &slots);
            assert_ne!(other, base, "selection {i}");
            changed.push(other);
        }
        for (i, c) in changed.iter().enumerate() {
            assert_ne!(*c, base, "change {i}");
        }
    }

    #[test]
    fn lines_are_placed_from_their_entries() {
        let lines = ["{\"id\":\"a\"}", "", "[1,2,3]"].map(String::from);
        let list = rule_entries(&lines).unwrap();
        assert_eq!(list.len(), 3 * 24);
        let list = list.as_bytes();
        let places: Vec<_> = (0..3).map(|i| rule_line(list, 10, i).unwrap().0).collect();
        assert_eq!(places, vec![10..20, 21..21, 22..29]);
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(rule_line(list, 10, i).unwrap().1, sum64(line.as_bytes()));
        }
        assert_eq!(rule_line(list, 10, 3), None);
        assert_eq!(rules_end(list, 10), Some(30));
        assert_eq!(rules_end(b"", 7), Some(7));
        assert_eq!(
            line_at(b"0000001FFFFFFFFFFFFFFFFF", 5),
            Some((5..36, u64::MAX))
        );
        // Not whole entries, not hex, or an end before the line's start.
        assert_eq!(rules_end(&list[..list.len() - 1], 0), None);
        assert_eq!(rule_line(b"0000000g0000000000000000", 0, 0), None);
        let backwards = b"000000050000000000000000000000030000000000000000";
        assert!(rule_line(backwards, 0, 0).is_some());
        assert_eq!(rule_line(backwards, 0, 1), None);
        assert_eq!(line_at(b"00000001000000000000000", 0), None);
        assert_eq!(line_at(b"+0000001000000000000000z", 0), None);
    }

    #[test]
    fn the_header_is_found_from_the_first_line_alone() {
        let header_text = "{\"h\":\"é\"}";
        let text = format!(
            "{:016x}{:08x}\n{header_text}\n[]\n{{\"reason\":\"é\"}}\n",
            sum64(header_text.as_bytes()),
            header_text.len()
        );
        let bytes = text.as_bytes();
        let want = Some((sum64(header_text.as_bytes()), header_text.as_bytes()));
        assert_eq!(header(bytes), want);
        // A read that ends inside a character of a later line still gives the header.
        assert_eq!(header(&bytes[..bytes.len() - 4]), want);
        // Cut inside the header, a length that does not end at a newline, no first line.
        assert_eq!(header(&bytes[..30]), None);
        let longer = text.replacen(&format!("{:08x}", header_text.len()), "00000009", 1);
        assert_eq!(header(longer.as_bytes()), None);
        assert_eq!(header(b"{}\n"), None);
    }

    #[test]
    fn the_checksum_sees_every_byte_and_the_length() {
        let base = b"{\"id\":\"no-force-push\",\"action\":\"deny\"}".to_vec();
        let sum = sum64(&base);
        assert_eq!(sum, sum64(&base.clone()));
        for i in 0..base.len() {
            let mut changed = base.clone();
            if let Some(b) = changed.get_mut(i) {
                *b ^= 1;
            }
            assert_ne!(sum64(&changed), sum, "byte {i}");
        }
        // Cut short, or padded with the zero bytes the last word is padded with.
        assert_ne!(sum64(&base[..base.len() - 1]), sum);
        let mut padded = base.clone();
        padded.push(0);
        assert_ne!(sum64(&padded), sum);
        assert_ne!(sum64(b""), sum64(b"\0"));
    }
}
