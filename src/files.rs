//! Reading the files a decision depends on — manifests, bundles, scope files, script
//! operands — so that a hostile or broken file ends in an error, never a hang or an
//! exhausted memory.
//!
//! Only regular files are read, and at most a stated number of bytes. It never follows a
//! path twice: the file is opened once and the opened file is examined, so a path swapped
//! between a check and the read cannot slip a FIFO or a device in.

use std::fmt;
use std::io::Read;
use std::path::Path;

use rustix::fs::{Mode, OFlags};

/// The largest manifest, scope file or snapshot read: far above any real one (a scope
/// file of 20,000 rules is under 2 MiB), far below what would hurt.
pub const MAX_POLICY_FILE: u64 = 16 * 1024 * 1024;

/// The largest bundle read: a bundle holds every rule pretty-printed with its origin
/// (about 550 bytes a rule; 20,000 rules are 11 MB), so it gets more room.
pub const MAX_BUNDLE_FILE: u64 = 64 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed (missing, dangling symlink, loop, permission).
    Io(std::io::Error),
    /// A symlink whose target does not exist (the target, as the link says it).
    Dangling(std::path::PathBuf),
    /// Not a regular file: a FIFO, a device, a socket or a directory.
    NotRegular(&'static str),
    /// Longer than the limit.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e)
                if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) =>
            {
                write!(f, "a symlink loop ({e})")
            }
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::Dangling(target) => write!(
                f,
                "it is a dangling symlink: its target `{}` does not exist",
                target.display()
            ),
            ReadError::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            ReadError::TooLarge { limit } => {
                write!(f, "it is larger than the limit of {}", bytes(*limit))
            }
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for std::io::Error {
    fn from(e: ReadError) -> std::io::Error {
        match e {
            ReadError::Io(io) => io,
            ReadError::Dangling(_) => {
                std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string())
            }
            other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string()),
        }
    }
}

impl ReadError {
    /// Whether the file is not there (no file, no directory on the way, or a dangling
    /// symlink).
    pub fn is_not_found(&self) -> bool {
        match self {
            ReadError::Io(e) => e.kind() == std::io::ErrorKind::NotFound,
            ReadError::Dangling(_) => true,
            ReadError::NotRegular(_) | ReadError::TooLarge { .. } => false,
        }
    }
}

/// A size for messages: `16 MiB`, `1 MiB`, `512 KiB`, else bytes.
pub fn bytes(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// Reads a regular file of at most `limit` bytes.
///
/// SECURITY: the file is opened with `O_NONBLOCK`, so opening a FIFO with no writer does
/// not block, and the *opened* file's type and size are checked (`fstat`), so nothing
/// swapped in after a separate `stat` is read. Reading stops one byte past the limit, for
/// a file that grows while it is read.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_regular_as(path, limit, true)
}

/// [`read_regular_text`] for a file whose absence and a dangling link to it mean the same
/// to the caller: a missing file is `Io(NotFound)`, without the `readlink` that would
/// tell the two apart (the installed mode file is read this way on every judgement, and
/// is usually not there).
pub fn read_regular_text_unnamed(path: &Path, limit: u64) -> Result<String, ReadError> {
    text(read_regular_as(path, limit, false)?)
}

/// [`read_regular`]; `name_dangling` reads a missing path's link to name its target.
fn read_regular_as(path: &Path, limit: u64, name_dangling: bool) -> Result<Vec<u8>, ReadError> {
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
        Mode::empty(),
    )
    .map_err(|e| {
        if !name_dangling || e != rustix::io::Errno::NOENT {
            return ReadError::Io(e.into());
        }
        match std::fs::read_link(path) {
            Ok(target) => ReadError::Dangling(target),
            Err(_) => ReadError::Io(e.into()),
        }
    })?;
    let file = std::fs::File::from(fd);
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut out = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(ReadError::Io)?;
    if u64::try_from(out.len()).unwrap_or(u64::MAX) > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(out)
}

/// [`read_regular`], as UTF-8 text (invalid bytes are an `InvalidData` error).
pub fn read_regular_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    text(read_regular(path, limit)?)
}

/// Bytes read as UTF-8 text (invalid bytes are an `InvalidData` error).
fn text(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not valid UTF-8 ({e})"),
        ))
    })
}

/// The running binary's metadata: `stat` of `/proc/self/exe`, which reaches the file
/// itself through any links, taken once per process. A judgement needs it twice (the
/// cache's identity, and finding a real shell that is not this binary), and the file a
/// running process executes stays the one it started from.
pub fn self_exe() -> Option<&'static std::fs::Metadata> {
    static EXE: std::sync::OnceLock<Option<std::fs::Metadata>> = std::sync::OnceLock::new();
    EXE.get_or_init(|| std::fs::metadata("/proc/self/exe").ok())
        .as_ref()
}

/// A file type as a phrase for messages.
fn kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        let err = read_regular(Path::new("/dev/zero"), 16).unwrap_err();
        assert!(matches!(err, ReadError::NotRegular("a character device")));
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("p");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let err = read_regular(&fifo, 16).unwrap_err();
        assert!(matches!(err, ReadError::NotRegular(_)), "{err}");
        assert!(err.to_string().contains("FIFO"), "{err}");
    }

    #[test]
    fn files_over_the_limit_are_refused_and_the_limit_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, vec![b'a'; 2048]).unwrap();
        let err = read_regular(&f, 1024).unwrap_err();
        assert_eq!(err.to_string(), "it is larger than the limit of 1 KiB");
        assert_eq!(read_regular(&f, 2048).unwrap().len(), 2048);
    }

    #[test]
    fn symlink_loops_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::os::unix::fs::symlink(&a, &a).unwrap();
        let err = read_regular(&a, 16).unwrap_err();
        assert!(err.to_string().contains("symlink loop"), "{err}");
    }
}
