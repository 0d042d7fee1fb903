//! The `policy-exec` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    std::process::ExitCode::from(policy_exec::run(args))
}
