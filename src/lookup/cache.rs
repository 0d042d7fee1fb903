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
//! <sum64 of the header, hex>
//! <header: JSON on one line — identities, settings, the program index, each rule's
//!  length and checksum>
//! <rule 0: JSON on one line>
//! <rule 1> …
//! ```
//!
//! Only the header and the rules a script's programs need are read (`pread` at offsets
//! the header's lengths give) and parsed, and each rule line is checked against its own
//! checksum before it is used (a damaged line is a miss). Reading the whole file cost
//! more than the rest of a judgement: a buffer grown by doubling, page faults on every
//! new page of it, and a scan for line ends.
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
const FORMAT: u32 = 6;
/// The largest cache file read.
const MAX_BYTES: u64 = 64 << 20;

/// A cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// What identifies a file's content without reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        let m = std::fs::metadata(path).ok()?;
        Some(FileId {
            path: path.display().to_string(),
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
        })
    }
}

/// One cache file's body.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    format: u32,
    version: String,
    exe: Option<FileId>,
    selection: Vec<Option<String>>,
    slots: Vec<Option<FileId>>,
    files: Vec<FileId>,
    scopes: Vec<(String, String)>,
    /// Everything but the rules.
    bundle: Bundle,
    /// Each rule line's length in bytes (without its newline) and [`sum64`], in order,
    /// as `<len hex>.<sum hex>` separated by spaces: one string rather than two arrays
    /// of numbers, because the header is parsed on every judgement.
    rules: String,
    /// The program index ([`super::ProgramIndex`]'s text).
    index: String,
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
    let shown = |p: &Path| p.display().to_string();
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
    ["yaml", "yml", "json"]
        .iter()
        .find_map(|ext| FileId::stat(&dir.join(format!("{stem}.{ext}"))))
}

/// Every scope slot of a selection, as discovery finds it now, with identities: a file
/// that is edited, appears, disappears or changes extension changes this list.
pub(super) fn slots(s: &Selection) -> Vec<Option<FileId>> {
    // The installed root holds `policy-config/` (that is how it was found); the
    // reference's layout is looked up only when it does not.
    let direct = s.root.join("policy-config");
    let config = if direct.is_dir() {
        direct
    } else {
        match resolve::config_dir(&s.root) {
            Ok(c) => c,
            Err(_) => return vec![None],
        }
    };
    vec![
        slot(&config, "system"),
        slot(&config, "user"),
        match &s.repo_file {
            Some(r) => FileId::stat(r),
            None => slot(&config, "repo"),
        },
        slot(&config.join("harness"), &s.harness),
        slot(&config.join("task-domain"), &s.task_domain),
        s.task_instance.as_deref().and_then(FileId::stat),
    ]
}

/// The running binary's identity: `stat` of `/proc/self/exe` reaches the file itself
/// (one system call; reading the link first would be two).
fn exe_id() -> Option<FileId> {
    FileId::stat(Path::new("/proc/self/exe"))
}

/// Each rule line's byte range and checksum from the header's list (`<len hex>.<sum hex>`
/// separated by spaces), the first line starting at `at`; and where the last one's
/// newline ends. `None` when an entry is not two hex numbers of one to sixteen digits.
/// A plain loop over the bytes (no splitting, no generic number parsing): it runs on
/// every judgement, over every rule.
fn rule_spans(list: &str, mut at: u64) -> Option<(Vec<std::ops::Range<u64>>, Vec<u64>, u64)> {
    let bytes = list.as_bytes();
    let mut spans = Vec::with_capacity(bytes.len() / 16 + 1);
    let mut sums = Vec::with_capacity(bytes.len() / 16 + 1);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b' ' {
            i += 1;
            continue;
        }
        let (len, dot) = hex_run(bytes, i)?;
        if bytes.get(dot) != Some(&b'.') {
            return None;
        }
        let (sum, after) = hex_run(bytes, dot + 1)?;
        if bytes.get(after).is_some_and(|b| *b != b' ') {
            return None;
        }
        let end = at.checked_add(len)?;
        spans.push(at..end);
        sums.push(sum);
        at = end.checked_add(1)?;
        i = after;
    }
    Some((spans, sums, at))
}

/// The hex number of one to sixteen digits at `start`, and the index after it.
fn hex_run(bytes: &[u8], start: usize) -> Option<(u64, usize)> {
    let mut n = 0u64;
    let mut i = start;
    while let Some(digit) = bytes.get(i).and_then(|b| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }) {
        if i - start == 16 {
            return None;
        }
        n = n << 4 | u64::from(digit);
        i += 1;
    }
    (i > start).then_some((n, i))
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
        let (file, head) = read_head(&self.file(s))?;
        let (sum, header) = first_two_lines(&head)?;
        if format!("{:016x}", sum64(header.as_bytes())) != sum {
            return None;
        }
        let entry: Entry = serde_json::from_str(header).ok()?;
        let fresh = entry.format == FORMAT
            && entry.version == env!("CARGO_PKG_VERSION")
            && entry.exe == exe_id()
            && entry.selection == selection_key(s)
            && entry.slots == slots(s);
        if !fresh {
            return None;
        }
        // Each rule line's place in the file, from the lengths (no scan for line ends).
        let start = (sum.len() + 1 + header.len() + 1) as u64;
        let (spans, sums, end) = rule_spans(&entry.rules, start)?;
        if end != file.metadata().ok()?.len() {
            return None;
        }
        Some(Compiled {
            bundle: entry.bundle,
            scopes: entry.scopes,
            files: entry.files.iter().map(|f| PathBuf::from(&f.path)).collect(),
            rules: Some(super::RuleTexts {
                file: std::sync::Arc::new(file),
                spans,
                sums,
                index: super::ProgramIndex(entry.index),
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
        let mut any_program = Vec::new();
        for (i, rule) in slim.commands.iter().enumerate() {
            let Ok(compiled_rule) = crate::policy::policy::compile(rule) else {
                // A rule that does not compile fails the judgement anyway: cache nothing.
                return Ok(());
            };
            let programs = compiled_rule.programs();
            if programs.is_empty() {
                any_program.push(i);
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
        let entry = Entry {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            exe: exe_id(),
            selection: selection_key(s),
            slots: before.to_vec(),
            files,
            scopes: compiled.scopes.clone(),
            bundle: slim,
            rules: rules
                .iter()
                .map(|r| format!("{:x}.{:x}", r.len(), sum64(r.as_bytes())))
                .collect::<Vec<_>>()
                .join(" "),
            index: super::ProgramIndex::text(&index, &any_program),
        };
        let header = serde_json::to_string(&entry).map_err(std::io::Error::other)?;
        let mut text = format!("{:016x}\n{header}\n", sum64(header.as_bytes()));
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

/// A regular cache file of at most [`MAX_BYTES`], open, with its first two lines (the
/// header's checksum and the header) and whatever follows them in the same read.
fn read_head(path: &Path) -> Option<(std::fs::File, Vec<u8>)> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return None;
    }
    let size = usize::try_from(meta.len()).ok()?;
    // Most headers fit the first read; a larger one (many path rules) takes one more.
    let mut head = vec![0u8; size.min(HEAD_BYTES)];
    let mut filled = 0;
    loop {
        while filled < head.len() {
            match file.read_at(head.get_mut(filled..)?, filled as u64) {
                Ok(0) => return None,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        if head.iter().filter(|b| **b == b'\n').take(2).count() == 2 {
            return Some((file, head));
        }
        if head.len() == size {
            return None;
        }
        let grown = size.min(head.len().saturating_mul(4));
        head.resize(grown, 0);
    }
}

/// The checksum line and the header line at the start of `head`. Only these are read
/// as text: the read may end inside a character of a rule line.
fn first_two_lines(head: &[u8]) -> Option<(&str, &str)> {
    let first = head.iter().position(|b| *b == b'\n')?;
    let rest = head.get(first + 1..)?;
    let second = rest.iter().position(|b| *b == b'\n')?;
    Some((
        std::str::from_utf8(head.get(..first)?).ok()?,
        std::str::from_utf8(rest.get(..second)?).ok()?,
    ))
}

/// The first read of a cache file: the default policy's header is about 11 KB.
const HEAD_BYTES: usize = 16 << 10;

#[cfg(test)]
mod tests {
    use super::{first_two_lines, rule_spans, sum64};

    #[test]
    fn rule_lines_are_placed_from_their_lengths() {
        assert_eq!(
            rule_spans("1f.ab 0.0 A.FFFFFFFFFFFFFFFF", 10),
            Some((vec![10..41, 42..42, 43..53], vec![0xab, 0, u64::MAX], 54))
        );
        assert_eq!(rule_spans("", 7), Some((vec![], vec![], 7)));
        for bad in [
            "1f",
            "1f.",
            ".ab",
            "1g.ab",
            "1f.ab.c",
            "+1.2",
            "11111111111111111.0",
            "1.2 3",
            "1 .2",
            "1.2.",
        ] {
            assert_eq!(rule_spans(bad, 0), None, "{bad}");
        }
        // Past the end of the file's possible offsets.
        assert_eq!(rule_spans("ffffffffffffffff.0", 1), None);
        for n in [0u64, 1, 0xa, 0xdead_beef, u64::MAX] {
            let (lower, upper) = (format!("0.{n:x}"), format!("0.{n:X}  "));
            assert_eq!(rule_spans(&lower, 0), Some((vec![0..0], vec![n], 1)));
            assert_eq!(rule_spans(&upper, 0), Some((vec![0..0], vec![n], 1)));
        }
    }

    #[test]
    fn a_read_that_ends_inside_a_character_still_gives_the_header() {
        let text = "0123\n{\"h\":1}\n{\"reason\":\"é\"}\n".as_bytes();
        let cut = text.len() - 4; // inside the two bytes of `é`
        assert!(std::str::from_utf8(&text[..cut]).is_err());
        assert_eq!(first_two_lines(&text[..cut]), Some(("0123", "{\"h\":1}")));
        assert_eq!(first_two_lines(b"0123\n{\"h\":1}"), None);
        assert_eq!(first_two_lines(b"\xff\n{}\n"), None);
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
