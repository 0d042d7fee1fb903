#!/usr/bin/env python3
"""Judge the peers' own test commands with policy-exec (issue 15's measurement).

    python3 scripts/peer-corpus/measure.py --dcg PATH --shellfirm PATH --safety-net PATH \
        [--bin target/release/policy-exec] [--misses] [--asked] [--json OUT]

Each PATH is a checkout of that peer (a work tree or a bare git directory; its HEAD is
read). The commands its tests expect to be blocked or allowed are extracted (extract.py)
and each is judged twice with `policy-exec check --json`: with every pack enabled (a tree
made by `policy-exec init --packs all`) and with the embedded default policy. Both run in
a throwaway git repository with an uncommitted change (the state in which a discard does
damage; `--clean` for one without), under a throwaway HOME, so nothing of the caller's is
read or written.

Figures, per peer and per peer category:
  missed   blocked by the peer, allowed by us (all packs)         target <= 15 %
  refused  allowed by the peer, denied by us (all packs)          target <= 1 %
  asked    allowed by the peer, `request` by us (reported apart)
  git      the peers' blocked git commands allowed by the default policy  target <= 5 %
Cases the extractor marks excluded (optional modes, fixtures, opt-in strict groups) are
counted and listed with their reason, never judged into the figures.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import extract  # noqa: E402

# dcg's opt-in strict pack refuses rebases, amends and other everyday history edits by
# design; like shellfirm's strict groups it is reported, not counted.
DCG_EXCLUDED_CATEGORIES = {"strict_git": "dcg strict pack (opt-in: refuses everyday history edits)"}


# Statements some peers test as raw text: a shell runs no program named `DROP` or
# `FLUSHALL`, so these are not commands anyone's shell would run (the same statement
# passed to psql, mysql or redis-cli is a command, and is judged).
STATEMENT_WORDS = {
    "select", "insert", "update", "delete", "drop", "truncate", "alter", "grant", "revoke",
    "create", "flushall", "flushdb", "del",
}

# Commands that only list or inspect, which a peer's pattern flags by program name.
READ_ONLY = [
    re.compile(r"^\s*(sudo\s+)?(fdisk|gdisk|sfdisk)\s+(\S+\s+)*-[lsgd]+(\s|$)"),
    re.compile(r"^\s*(sudo\s+)?(fdisk|gdisk|sfdisk)\s+(\S+\s+)*--(list|show-size|show-geometry|dump)(\s|$)"),
    re.compile(r"^\s*(sudo\s+)?parted\s+(-\S+\s+)*\S+\s+print\s*$"),
    re.compile(r"^\s*(sudo\s+)?cryptsetup\s+(isLuks|status|luksDump)\b"),
    re.compile(r"^\s*(sudo\s+)?blockdev\s+(--get\w+|--report)(\s|$)"),
]


def out_of_scope(command: str) -> str | None:
    """Why a case is not a command to judge at all, or None."""
    if subprocess.run(["bash", "-n", "-c", command], capture_output=True).returncode != 0:
        return "not valid bash (a test of the peer's own parser recovery)"
    first = command.strip().split(maxsplit=1)[0].lower() if command.strip() else ""
    if first in STATEMENT_WORDS or first.startswith("db."):
        return "a database statement, not a shell command (no such program)"
    if any(r.search(command) for r in READ_ONLY):
        return "read-only listing or inspection the peer flags by program name"
    return None


def sh(*args: str, cwd: str | None = None, env: dict | None = None) -> None:
    subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)


def workspace(binary: str, dirty: bool) -> tuple[dict, str, str]:
    """A throwaway HOME, a git repository (with an uncommitted change when `dirty`) and
    an all-packs policy tree."""
    base = tempfile.mkdtemp(prefix="peer-corpus-")
    home = os.path.join(base, "home")
    repo = os.path.join(base, "repo")
    tree = os.path.join(base, "tree")
    os.makedirs(home)
    os.makedirs(repo)
    env = {
        "HOME": home,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_STATE_HOME": os.path.join(home, ".local/state"),
        "XDG_DATA_HOME": os.path.join(home, ".local/share"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    genv = dict(env, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    sh("git", "init", "-q", "-b", "main", cwd=repo, env=genv)
    for name in ("README.md", "file.txt", "src/main.rs"):
        path = os.path.join(repo, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("one\n")
    sh("git", "add", "-A", cwd=repo, env=genv)
    sh("git", "commit", "-q", "-m", "init", cwd=repo, env=genv)
    if dirty:
        with open(os.path.join(repo, "file.txt"), "a") as f:
            f.write("uncommitted\n")
    sh(binary, "init", tree, "--packs", "all", env=env)
    return env, repo, tree


def judge(binary: str, env: dict, repo: str, tree: str | None, command: str) -> str:
    args = [binary, "check", "--json", "--cwd", repo, "-c", command]
    if tree:
        args[2:2] = ["--root", tree]
    out = subprocess.run(args, env=env, capture_output=True, text=True, cwd=repo)
    try:
        return json.loads(out.stdout)["decision"]
    except (ValueError, KeyError):
        return "error"


def is_git(command: str) -> bool:
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    words = [w for w in words if not ("=" in w and not w.startswith("-") and w.split("=")[0].isidentifier())]
    return bool(words) and os.path.basename(words[0]) == "git"


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f} %" if d else "    – "


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for peer in extract.EXTRACTORS:
        ap.add_argument(f"--{peer}", metavar="PATH", help=f"a checkout of {peer}")
    ap.add_argument("--bin", default="target/release/policy-exec")
    ap.add_argument("--misses", action="store_true", help="list every miss and refusal")
    ap.add_argument("--asked", action="store_true", help="list what a peer allows and we ask about")
    ap.add_argument("--excluded", action="store_true", help="list every excluded case")
    ap.add_argument("--json", metavar="OUT", help="write every judged case here")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--clean", action="store_true", help="judge in a clean repository (default: one with an uncommitted change)")
    opts = ap.parse_args()
    binary = os.path.abspath(opts.bin)

    cases: list[extract.Case] = []
    commits = {}
    for peer, fn in extract.EXTRACTORS.items():
        path = getattr(opts, peer.replace("-", "_"))
        if not path:
            continue
        src = extract.Source(path)
        commits[peer] = src.commit()
        seen = set()
        for case in fn(src):
            if case.peer == "dcg" and case.category in DCG_EXCLUDED_CATEGORIES and not case.excluded:
                case.excluded = DCG_EXCLUDED_CATEGORIES[case.category]
            if not case.excluded:
                case.excluded = out_of_scope(case.command)
            key = (case.command, case.expect)
            if key in seen:
                continue  # the same command asserted twice (e.g. by pattern and by severity)
            seen.add(key)
            cases.append(case)
    if not cases:
        ap.error("give at least one peer checkout")

    env, repo, tree = workspace(binary, dirty=not opts.clean)
    judged = [c for c in cases if not c.excluded]
    commands = sorted({c.command for c in judged})
    with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
        packs = dict(zip(commands, pool.map(lambda c: judge(binary, env, repo, tree, c), commands)))
        default = dict(zip(commands, pool.map(lambda c: judge(binary, env, repo, None, c), commands)))

    print("peer commits: " + ", ".join(f"{p} {c[:12]}" for p, c in commits.items()))
    state = "clean" if opts.clean else "dirty"
    print(f"all packs (`policy-exec init --packs all`), {state} repository:\n")
    print(f"{'peer':<11} {'category':<38} {'blocked':>7} {'missed':>8} {'allowed':>7} {'refused':>8} {'asked':>8}")
    rows = collections.defaultdict(lambda: collections.Counter())
    for c in judged:
        d = packs[c.command]
        for key in ((c.peer, c.category), (c.peer, "(all)")):
            r = rows[key]
            if c.expect == "block":
                r["blocked"] += 1
                r["missed"] += d == "allow"
            else:
                r["allowed"] += 1
                r["refused"] += d == "deny"
                r["asked"] += d == "request"
            r["errors"] += d == "error"
    for (peer, cat), r in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1] != "(all)", kv[0][1])):
        print(f"{peer:<11} {cat:<38} {r['blocked']:>7} {pct(r['missed'], r['blocked']):>8} "
              f"{r['allowed']:>7} {pct(r['refused'], r['allowed']):>8} {pct(r['asked'], r['allowed']):>8}"
              + (f"  ({r['errors']} errors)" if r["errors"] else ""))

    print("\ndefault policy (embedded), the peers' blocked git commands:")
    total = collections.Counter()
    for c in judged:
        if c.expect == "block" and is_git(c.command):
            total[c.peer, "n"] += 1
            total[c.peer, "allowed"] += default[c.command] == "allow"
            total["all", "n"] += 1
            total["all", "allowed"] += default[c.command] == "allow"
    for peer in list(commits) + ["all"]:
        n = total[peer, "n"]
        print(f"  {peer:<11} {n:>5} git cases, allowed {total[peer, 'allowed']:>4} = {pct(total[peer, 'allowed'], n)}")

    excluded = collections.Counter((c.peer, c.excluded) for c in cases if c.excluded)
    print("\nexcluded (not judged):")
    for (peer, why), n in sorted(excluded.items()):
        print(f"  {peer:<11} {n:>4}  {why}")

    if opts.misses:
        print("\nmissed (peer blocks, all packs allow):")
        for c in judged:
            if c.expect == "block" and packs[c.command] == "allow":
                print(f"  {c.peer:<10} {c.category:<30} {c.command!r}  [{c.source}]")
        print("\nrefused (peer allows, all packs deny):")
        for c in judged:
            if c.expect == "allow" and packs[c.command] == "deny":
                print(f"  {c.peer:<10} {c.category:<30} {c.command!r}  [{c.source}]")
        print("\ngit allowed by the default policy:")
        for c in judged:
            if c.expect == "block" and is_git(c.command) and default[c.command] == "allow":
                print(f"  {c.peer:<10} {c.category:<30} {c.command!r}  [{c.source}]")
    if opts.asked:
        print("\nasked (peer allows, all packs request):")
        for c in judged:
            if c.expect == "allow" and packs[c.command] == "request":
                print(f"  {c.peer:<10} {c.category:<30} {c.command!r}  [{c.source}]")
    if opts.excluded:
        print("\nexcluded cases:")
        for c in cases:
            if c.excluded:
                print(f"  {c.peer:<10} {c.command!r}  [{c.source}] {c.excluded}")
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(
                {
                    "commits": commits,
                    "cases": [
                        dict(vars(c), packs=packs.get(c.command), default=default.get(c.command))
                        for c in cases
                    ],
                },
                f,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
