//! The log's files: one JSON line per event in `decisions-YYYY-MM-DD.jsonl` (UTC day),
//! directory 0700, files 0600, every line one `O_APPEND` write.
//!
//! SECURITY / integrity: a line is written with a single `write(2)` on a file opened with
//! `O_APPEND`, and lines are capped (see [`super::record::MAX_LINE`]), so concurrent
//! writers — every shell, guard and hook process of every agent — never interleave or
//! overwrite each other's lines. Nothing here ever rewrites or truncates a day file; only
//! whole files past the retention are removed, and only by the `log` verbs.

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::clock::Instant;
use crate::policy::policy::LogSettings;

/// A failure to write or read the log.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The directory could not be created.
    #[error("cannot create the log directory `{dir}` ({source})")]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A day file could not be opened or written.
    #[error("cannot write the decision log `{file}` ({source})")]
    Write {
        /// The day file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The write was cut short (disk full).
    #[error("the decision log `{file}` took only part of a line (disk full?)")]
    Short {
        /// The day file.
        file: PathBuf,
    },
    /// No directory could be worked out (no `HOME`, no `XDG_STATE_HOME`).
    #[error("no log directory: set HOME or XDG_STATE_HOME, or `log.dir` in the user scope")]
    NoDirectory,
}

/// A log directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    dir: PathBuf,
}

/// The file name prefix and suffix of a day file.
const PREFIX: &str = "decisions-";
const SUFFIX: &str = ".jsonl";

impl Store {
    /// The log in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    /// The log the settings name, from this process's environment: `log.dir` (with `~/`
    /// the home directory), else `$XDG_STATE_HOME/policy-exec/log`, else
    /// `~/.local/state/policy-exec/log`.
    pub fn locate(settings: &LogSettings) -> Result<Store, LogError> {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|h| h.is_absolute());
        if let Some(dir) = &settings.dir {
            return match dir.strip_prefix("~/") {
                Some(rest) => home.map(|h| Store::at(h.join(rest))),
                None => Some(Store::at(dir)),
            }
            .ok_or(LogError::NoDirectory);
        }
        let state = std::env::var_os("XDG_STATE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| home.map(|h| h.join(".local/state")))
            .ok_or(LogError::NoDirectory)?;
        Ok(Store::at(state.join("policy-exec/log")))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file for a UTC day (`2026-12-04`).
    pub fn day_file(&self, day: &str) -> PathBuf {
        self.dir.join(format!("{PREFIX}{day}{SUFFIX}"))
    }

    /// Appends one line (which must end in `\n` and hold no other newline) to the day's
    /// file with a single write, creating the directory (0700) and file (0600) as needed.
    pub fn append(&self, day: &str, line: &str) -> Result<(), LogError> {
        let file = self.day_file(day);
        let open = || {
            OpenOptions::new()
                .append(true)
                .create(true)
                .mode(0o600)
                .open(&file)
        };
        let mut handle = match open() {
            Ok(h) => h,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&self.dir)
                    .map_err(|source| LogError::CreateDir {
                        dir: self.dir.clone(),
                        source,
                    })?;
                open().map_err(|source| LogError::Write {
                    file: file.clone(),
                    source,
                })?
            }
            Err(source) => return Err(LogError::Write { file, source }),
        };
        // One write(2): with O_APPEND the kernel places the whole buffer at the end.
        match handle.write(line.as_bytes()) {
            Ok(n) if n == line.len() => Ok(()),
            Ok(_) => Err(LogError::Short { file }),
            Err(source) => Err(LogError::Write { file, source }),
        }
    }

    /// The day files present, oldest first, as (day, path).
    pub fn days(&self) -> Vec<(String, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut days: Vec<(String, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let day = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?.to_string();
                Instant::parse(&day)?;
                Some((day, e.path()))
            })
            .collect();
        days.sort();
        days
    }

    /// Removes day files older than `retention_days` before `now`; returns how many.
    pub fn prune(&self, retention_days: u32, now: Instant) -> usize {
        let keep_from = now
            .minus(std::time::Duration::from_secs(
                u64::from(retention_days) * 86_400,
            ))
            .day();
        let mut removed = 0;
        for (day, path) in self.days() {
            if day < keep_from && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn append_creates_private_directory_and_file() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::at(tmp.path().join("a/log"));
        store.append("2026-12-04", "{\"x\":1}\n").unwrap();
        store.append("2026-12-04", "{\"x\":2}\n").unwrap();
        let file = store.day_file("2026-12-04");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "{\"x\":1}\n{\"x\":2}\n"
        );
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(store.dir()), 0o700);
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn days_are_listed_oldest_first_and_pruned_by_age() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::at(tmp.path());
        for day in ["2026-12-04", "2026-11-01", "2026-12-01"] {
            store.append(day, "{}\n").unwrap();
        }
        std::fs::write(tmp.path().join("notes.txt"), "x").unwrap();
        let days: Vec<String> = store.days().into_iter().map(|(d, _)| d).collect();
        assert_eq!(days, ["2026-11-01", "2026-12-01", "2026-12-04"]);
        let now = Instant::parse("2026-12-04T12:00:00Z").unwrap();
        assert_eq!(store.prune(14, now), 1);
        assert_eq!(store.days().len(), 2);
    }
}
