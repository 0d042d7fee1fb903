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
//!   disposition: `std::process::Command` resets it in the child, and so does `replace`
//!   below, which execs the real shell (tests/shell.rs checks the exec'd shell's);
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

    /// Replaces the process with the real shell ([`policy_exec::shell::exec::Replace`]):
    /// `execve(2)` with pointers to the process's own environment entries that
    /// `Handoff::keeps` passes, then those the hand-off sets. std's `Command` copied
    /// every entry into a sorted map and then into new strings first (half of the
    /// hand-off's instructions). What `Command` did to the process before its `execve`
    /// is done the same way: `SIGPIPE` back to its default (it is restored when `execve`
    /// fails), the signal mask and other ignored signals left as they are. bash binds
    /// the entries in order, so a name that appears twice ends with its last value, as
    /// it did from the deduplicated map.
    #[allow(unsafe_code)]
    fn replace(handoff: &policy_exec::shell::exec::Handoff) -> std::io::Error {
        use std::ffi::CStr;
        let null = std::ptr::null::<c_char>();
        let mut argv: Vec<*const c_char> = handoff.argv().iter().map(|a| a.as_ptr()).collect();
        argv.push(null);
        let mut envp: Vec<*const c_char> = Vec::with_capacity(64);
        // SAFETY: `environ` is the process's NUL-terminated array of NUL-terminated
        // entries; nothing changes the environment while it is read (one thread), and
        // the entries outlive the `execve` that takes them.
        unsafe {
            let mut entry = libc::environ.cast_const();
            while !entry.is_null() && !(*entry).is_null() {
                if handoff.keeps(CStr::from_ptr(*entry).to_bytes()) {
                    envp.push((*entry).cast_const());
                }
                entry = entry.add(1);
            }
        }
        envp.extend(handoff.set().iter().map(|e| e.as_ptr()));
        envp.push(null);
        // SAFETY: setting a signal's disposition to SIG_DFL installs no handler code;
        // the program, argv and envp are NUL-terminated and alive for the call.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            libc::execve(handoff.program().as_ptr(), argv.as_ptr(), envp.as_ptr());
        }
        let error = std::io::Error::last_os_error();
        // SAFETY: as above, back to ignored for the rest of this process.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        error
    }

    /// C's `main`: std's start-up duties that matter here, then the library.
    #[allow(unsafe_code)]
    #[unsafe(no_mangle)]
    extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
        sanitize_standard_fds();
        // SAFETY: setting a signal's disposition to SIG_IGN installs no handler code.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        policy_exec::shell::exec::set_replace(replace);
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
