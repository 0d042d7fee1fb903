//! Knowledge about programs, grouped by family: which programs run other programs, and
//! where in their arguments (or standard input) what they run is.
//!
//! The walk over bash's grammar (`walk`) asks these modules about each simple command;
//! they only describe programs and never decide anything.

pub mod data;
pub mod editors;
pub mod file_tools;
pub mod git;
pub mod hooks;
pub mod interpreters;
pub mod packages;
pub mod runners;
pub mod shells;
pub mod wrappers;

/// Paths that name standard input (`bash /dev/stdin <<< …`).
pub fn is_stdin_path(path: &str) -> bool {
    matches!(path, "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
}
