//! What each live file looked like before policy-exec first changed it, so `uninstall`
//! can give it back byte for byte.
//!
//! `sync --apply` (and so `setup`) records a file here the first time it writes it — its
//! text, or that it did not exist and which directories were made for it — and never
//! again while the record stands. `uninstall` removes our entries, and when what is left
//! is the same document as the record, writes the recorded bytes back (or removes the
//! file and the directories made for it); when the user changed the file since, their
//! changes are kept and only our entries go. The store sits beside the ledger
//! (`~/.local/state/policy-exec/pristine.json`); it only ever holds harness files,
//! never policy-exec's own.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A live file before policy-exec first changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Original {
    /// Its text; None when it did not exist.
    pub text: Option<String>,
    /// Directories created to hold it (deepest last), removed again with it when empty.
    #[serde(default)]
    pub created_dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Store {
    schema_version: u32,
    note: String,
    files: BTreeMap<String, Original>,
}

/// The store file.
#[derive(Debug, Clone)]
pub struct Pristine {
    path: PathBuf,
}

impl Pristine {
    /// The store beside the ledger.
    pub fn beside(ledger: &Path) -> Pristine {
        Pristine {
            path: ledger.with_file_name("pristine.json"),
        }
    }

    fn read(&self) -> std::io::Result<Store> {
        match std::fs::read_to_string(&self.path) {
            Ok(t) => serde_json::from_str(&t).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "`{}` is not a policy-exec record ({e})",
                        self.path.display()
                    ),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Store::default()),
            Err(e) => Err(e),
        }
    }

    fn write(&self, store: &Store) -> std::io::Result<()> {
        if store.files.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut s = store.clone();
        s.schema_version = 1;
        s.note = "each harness file as it was before policy-exec first changed it; `policy-exec uninstall` restores it".into();
        let mut text = serde_json::to_string_pretty(&s).map_err(std::io::Error::other)?;
        text.push('\n');
        let mut tmp = tempfile::Builder::new()
            .prefix(".policy-exec-")
            .tempfile_in(dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }

    /// Records `file` as it is now (`text`, None when absent), unless it is recorded
    /// already. Call before anything is written for it.
    pub fn remember(&self, file: &Path, text: Option<&str>) -> std::io::Result<()> {
        let mut store = self.read()?;
        let key = file.display().to_string();
        if store.files.contains_key(&key) {
            return Ok(());
        }
        let mut created_dirs = Vec::new();
        let mut dir = file.parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            created_dirs.push(d.to_path_buf());
            dir = d.parent();
        }
        created_dirs.reverse();
        store.files.insert(
            key,
            Original {
                text: text.map(str::to_string),
                created_dirs,
            },
        );
        self.write(&store)
    }

    /// The record for `file`, if any.
    pub fn get(&self, file: &Path) -> std::io::Result<Option<Original>> {
        Ok(self.read()?.files.get(&file.display().to_string()).cloned())
    }

    /// Drops the records for `files` (after they were restored).
    pub fn forget(&self, files: &[PathBuf]) -> std::io::Result<()> {
        let mut store = self.read()?;
        let before = store.files.len();
        for f in files {
            store.files.remove(&f.display().to_string());
        }
        if store.files.len() == before {
            return Ok(());
        }
        self.write(&store)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_first_record_of_a_file_stands() {
        let dir = tempfile::tempdir().unwrap();
        let p = Pristine::beside(&dir.path().join("state/applied.json"));
        let file = dir.path().join("home/.cursor/hooks.json");
        p.remember(&file, None).unwrap();
        p.remember(&file, Some("{}")).unwrap();
        let got = p.get(&file).unwrap().unwrap();
        assert_eq!(got.text, None);
        assert_eq!(
            got.created_dirs,
            [dir.path().join("home"), dir.path().join("home/.cursor")]
        );
        p.forget(std::slice::from_ref(&file)).unwrap();
        assert_eq!(p.get(&file).unwrap(), None);
        assert!(!dir.path().join("state/pristine.json").exists());
    }
}
