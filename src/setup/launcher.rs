//! `policy-exec run codex …`: starts a harness that takes its shell from passwd (Codex)
//! with policy-exec's shim as its login shell, for that process tree only.
//!
//! Changing the account's login shell would also send the user's own `ssh host cmd`,
//! `scp` and cron jobs through policy-exec. Instead the harness runs in a private mount
//! namespace where `/etc/passwd` is a copy whose entry for the user names the shim. As
//! root that is `unshare -m`; otherwise an unprivileged user namespace (`unshare -r -m`,
//! root inside only long enough to bind-mount the copy) and a nested one that maps the
//! user back to their own uid and gid, so the harness runs as the user it always was.
//! util-linux's `unshare` and `mount` do the work: no `unsafe` here.
//!
//! Where the kernel or a security module refuses unprivileged user namespaces, it says
//! so and what to do instead; it never changes the real passwd.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::table::{self, ShellWiring};

/// Flags of `policy-exec run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The program to start (default: the harness's name found on PATH)
    #[arg(long)]
    pub program: Option<PathBuf>,
    /// The harness (codex)
    pub harness: String,
    /// Arguments for the harness, passed on unchanged
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

/// Where util-linux's tools live (looked up in system directories, never on PATH).
fn system_tool(name: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// The command that runs `program args…` with `passwd` mounted over `/etc/passwd` in a
/// private mount namespace, as the current user.
fn namespaced(passwd: &Path, program: &Path, args: &[OsString]) -> Result<Command, String> {
    let missing = |tool: &str| {
        format!(
            "`{tool}` (util-linux) is not installed: install util-linux, or see `policy-exec doctor` for the other ways to wire Codex"
        )
    };
    let unshare = system_tool("unshare").ok_or_else(|| missing("unshare"))?;
    let mount = system_tool("mount").ok_or_else(|| missing("mount"))?;
    let uid = rustix::process::getuid().as_raw();
    let gid = rustix::process::getgid().as_raw();
    let mut cmd = Command::new(&unshare);
    // `$0` is the passwd copy, `$@` the program and its arguments.
    let script = if uid == 0 {
        cmd.args(["-m", "--propagation", "private"]);
        format!(
            "'{}' --bind \"$0\" /etc/passwd && exec \"$@\"",
            mount.display()
        )
    } else {
        cmd.args(["-r", "-m", "--propagation", "private"]);
        format!(
            "'{}' --bind \"$0\" /etc/passwd && exec '{}' --user --map-user={uid} --map-group={gid} -- \"$@\"",
            mount.display(),
            unshare.display()
        )
    };
    cmd.arg("/bin/sh")
        .arg("-c")
        .arg(script)
        .arg(passwd)
        .arg(program)
        .args(args);
    Ok(cmd)
}

/// Whether this system lets [`run`] give a process its own passwd view: runs the same
/// namespace chain with `/etc/passwd` over itself and `true`. Err says why not.
pub fn probe() -> Result<(), String> {
    let t = system_tool("true").ok_or("no `true` in /usr/bin or /bin")?;
    let out = namespaced(Path::new("/etc/passwd"), &t, &[])?
        .output()
        .map_err(|e| format!("cannot run `unshare` ({e})"))?;
    if out.status.success() {
        return Ok(());
    }
    let why = String::from_utf8_lossy(&out.stderr);
    let why = why
        .lines()
        .next()
        .unwrap_or("no message")
        .trim()
        .to_string();
    Err(format!(
        "this system refuses a private mount namespace to this user (`unshare -r -m`: {why}); unprivileged user namespaces are off (sysctl `kernel.unprivileged_userns_clone`, `user.max_user_namespaces`, or AppArmor's `kernel.apparmor_restrict_unprivileged_userns`)"
    ))
}

/// What to do when the launcher cannot work here.
pub fn alternatives(shim: &Path) -> String {
    format!(
        "an administrator can allow unprivileged user namespaces (e.g. `sysctl kernel.apparmor_restrict_unprivileged_userns=0`), or run Codex as a dedicated account whose login shell is `{}` (`sudo usermod --shell {} codex-user`), or rely on the Codex hook (trust it in Codex's /hooks; Codex honours only its denies)",
        shim.display(),
        shim.display()
    )
}

/// `passwd` text with the login shell of `uid` set to `shim`; an account that is not in
/// the file (NSS, LDAP) gets a line of its own, which the `files` source answers first.
pub fn with_login_shell(
    passwd: &str,
    uid: u32,
    shim: &Path,
    fallback: (&str, u32, &Path),
) -> String {
    let shim = shim.display().to_string();
    let mut found = false;
    let mut out: Vec<String> = passwd
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(':').collect();
            if fields.len() == 7
                && fields.get(2).and_then(|f| f.parse::<u32>().ok()) == Some(uid)
                && !found
            {
                found = true;
                if let Some(last) = fields.last_mut() {
                    *last = &shim;
                }
                return fields.join(":");
            }
            line.to_string()
        })
        .collect();
    if !found {
        let (name, gid, home) = fallback;
        out.push(format!("{name}:x:{uid}:{gid}::{}:{shim}", home.display()));
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// The program to start: `--program`, else the harness's name on PATH.
fn program(args: &RunArgs, name: &str) -> Result<PathBuf, String> {
    if let Some(p) = &args.program {
        return Ok(p.clone());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| {
                use std::os::unix::fs::PermissionsExt;
                m.is_file() && m.permissions().mode() & 0o111 != 0
            })
        })
        .ok_or_else(|| format!("`{name}` is not on PATH: install it, or pass --program PATH"))
}

/// Runs `policy-exec run`; returns only on failure (exit 1, or 2 for bad arguments).
pub fn run(args: &RunArgs, err: &mut dyn std::io::Write) -> u8 {
    match launch(args) {
        Ok(never) => match never {},
        Err((code, message)) => {
            let _ = writeln!(err, "policy-exec: {message}");
            code
        }
    }
}

fn launch(args: &RunArgs) -> Result<std::convert::Infallible, (u8, String)> {
    let h = table::harness(&args.harness).map_err(|e| (2, e))?;
    let ShellWiring::Passwd { shim } = &h.shell else {
        return Err((
            2,
            format!(
                "{} does not take its shell from passwd, so it needs no launcher: `policy-exec setup {}` wires it",
                h.title, h.name
            ),
        ));
    };
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute())
        .ok_or((1, "HOME is not set".to_string()))?;
    let dirs = super::Dirs::from_env(&home);
    let shim = dirs.shims.join(shim);
    if !super::leads_to_policy_exec(&shim) {
        return Err((
            1,
            format!(
                "the shim `{}` is missing or not policy-exec: run `policy-exec setup {}` first",
                shim.display(),
                h.name
            ),
        ));
    }
    let program = program(args, &h.name).map_err(|e| (1, e))?;
    probe().map_err(|why| (1, format!("{why}; {}", alternatives(&shim))))?;
    let passwd = std::fs::read_to_string("/etc/passwd")
        .map_err(|e| (1, format!("cannot read `/etc/passwd` ({e})")))?;
    let uid = rustix::process::getuid().as_raw();
    let gid = rustix::process::getgid().as_raw();
    let user = std::env::var("USER").unwrap_or_else(|_| format!("u{uid}"));
    let text = with_login_shell(&passwd, uid, &shim, (&user, gid, &home));
    let copy = dirs.state.join("launcher").join(format!("passwd-{uid}"));
    crate::render::apply::write_atomic(&copy, &text).map_err(|e| (1, e.to_string()))?;
    // Readable by the user inside the namespace, like the real one.
    let _ = std::fs::set_permissions(&copy, std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut cmd = namespaced(&copy, &program, &args.args).map_err(|e| (1, e))?;
    let e = cmd.exec();
    Err((1, format!("cannot start `{}` ({e})", program.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str =
        "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:A:/home/alice:/bin/zsh\n";

    #[test]
    fn the_login_shell_of_the_uid_becomes_the_shim() {
        let got = with_login_shell(
            PASSWD,
            1000,
            Path::new("/s/bash"),
            ("x", 1, Path::new("/h")),
        );
        assert_eq!(
            got,
            "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:A:/home/alice:/s/bash\n"
        );
    }

    #[test]
    fn an_account_missing_from_the_file_gets_a_line() {
        let got = with_login_shell(
            PASSWD,
            1234,
            Path::new("/s/bash"),
            ("bob", 50, Path::new("/home/bob")),
        );
        assert!(got.ends_with("bob:x:1234:50::/home/bob:/s/bash\n"), "{got}");
    }
}
