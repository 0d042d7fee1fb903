//! The `policy-exec` binary: everything lives in the library.
//!
//! On glibc Linux the binary supplies C's `main` itself (`#![no_main]`) instead of going
//! through std's runtime start (`lang_start`). Every judged command starts this binary,
//! and std's start spends about 45,000 instructions there finding the main thread's
//! stack guard for its stack-overflow message (`pthread_getattr_np`, which reads and
//! parses `/proc/self/maps`), plus a `sigaltstack` with its `mmap` and two `sigaction`s.
//! What std's start does that the program depends on is done here the same way:
//!
//! * closed standard descriptors (0, 1, 2) are reopened on `/dev/null`, so a file the
//!   program opens later cannot become its stdout (std's `sanitize_standard_fds`; the
//!   exec'd shell inherits them, as before);
//! * `SIGPIPE` is ignored, so writing to a closed pipe is an error the program handles,
//!   not a silent death. The programs it execs or spawns still start with the default
//!   disposition and an empty signal mask: `std::process::Command` resets both in the
//!   child whatever the parent's state (tests/shell.rs checks the exec'd shell's);
//! * a panic that reaches here exits with status 101 after the panic hook's message, as
//!   std's start does (an unwind out of an `extern "C"` function would abort instead);
//! * `std::process::exit` flushes stdout the way std's start does on return from `main`.
//!
//! `std::env::args_os` works without std's start on glibc: std captures `argc`/`argv`
//! from `.init_array`, which glibc runs for static programs too. What differs: a stack
//! overflow is a plain `SIGSEGV` without std's "has overflowed its stack" line, and a
//! panic escaping every `catch_unwind` names the thread `<unnamed>` instead of `main`.
//! Other targets keep std's start, and so does the test build (`cargo test` builds this
//! file with the test harness, whose `main` runs the tests).
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
mod start {
    use std::ffi::{c_char, c_int};

    /// Opens `/dev/null` on each of the descriptors 0–2 that is closed, the way std's
    /// start does (one `poll`; `fcntl` when `poll` is refused), and aborts if it cannot.
    #[allow(unsafe_code)]
    fn sanitize_standard_fds() {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        let reopen = || {
            // SAFETY: a constant NUL-terminated path; the descriptor is deliberately
            // kept (it fills the lowest closed standard descriptor).
            if unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR, 0) } == -1 {
                std::process::abort();
            }
        };
        loop {
            // SAFETY: `fds` is a valid array of three `pollfd`s for the call's duration.
            if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } != -1 {
                break;
            }
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EINVAL | libc::EAGAIN | libc::ENOMEM) => {
                    for fd in 0..3 {
                        // SAFETY: F_GETFD only reads the descriptor's flags.
                        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
                            && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
                        if closed {
                            reopen();
                        }
                    }
                    return;
                }
                _ => std::process::abort(),
            }
        }
        for fd in fds {
            if fd.revents & libc::POLLNVAL != 0 {
                reopen();
            }
        }
    }

    /// C's `main`: std's start-up duties that matter here, then the library.
    #[allow(unsafe_code)]
    #[unsafe(no_mangle)]
    extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
        sanitize_standard_fds();
        // SAFETY: setting a signal's disposition to SIG_IGN installs no handler code.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        let code = std::panic::catch_unwind(|| {
            let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
            policy_exec::run(args)
        })
        .unwrap_or(101);
        // Flushes stdout, as returning from std's `main` does.
        std::process::exit(i32::from(code))
    }
}

#[cfg(any(not(all(target_os = "linux", target_env = "gnu")), test))]
fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    std::process::ExitCode::from(policy_exec::run(args))
}
