#!/usr/bin/env python3
"""Reads the evidence a harness run left behind (see run.sh).

    check.py tool-output LOG N
        Print the N-th tool result (0-based) that the harness sent back to the fake
        model, as the model saw it: taken from the last main-agent request in LOG (the
        fake model's JSON-lines request log).  Exit 1 if there is none.

    check.py shim-calls STRACE SHIM MODEL_CMD...
        Read `strace -f -e trace=execve` output and list every process started through
        SHIM (the `bash` symlink to policy-exec): what it was asked to run and what
        policy-exec did (exec'd the real shell = allowed, exit 126 = refused).  A call
        whose script contains one of MODEL_CMD is the model's command; every other call
        is the harness's own scaffolding.  Exit 1 if any scaffolding call was refused,
        2 if SHIM was never started.  With SAVE_DIR set, the script of each refused
        scaffolding call is written to SAVE_DIR/refused-scaffolding-N.sh.
"""

import json
import os
import re
import sys


def tool_output(log, n):
    best = None
    with open(log, encoding="utf-8") as fh:
        for line in fh:
            entry = json.loads(line)
            if entry.get("api") in ("responses", "chat", "messages", "gemini") and entry.get("turn", -1) >= 0:
                if best is None or len(entry["tool_outputs"]) >= len(best["tool_outputs"]):
                    best = entry
    if best is None or len(best["tool_outputs"]) <= n:
        return 1
    out = best["tool_outputs"][n]
    if isinstance(out, dict):  # Claude: {"is_error": ..., "text": ...}
        print(f"[is_error={str(out['is_error']).lower()}]")
        out = out["text"]
    print(out)
    return 0


EXECVE = re.compile(r'^(\d+)\s+execve\("((?:[^"\\]|\\.)*)", \[')
EXITED = re.compile(r'^(\d+)\s+\+\+\+ exited with (\d+) \+\+\+')
KILLED = re.compile(r'^(\d+)\s+\+\+\+ killed by (\S+)')


def unescape(s):
    return s.encode("latin-1", "backslashreplace").decode("unicode_escape").encode(
        "latin-1", "replace").decode("utf-8", "replace")


def parse_argv(text):
    """Parse strace's `"a", "b"...], ...` into (argv list, rest of line)."""
    args, i = [], 0
    while i < len(text) and text[i] == '"':
        j = i + 1
        while j < len(text) and text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        arg = unescape(text[i + 1:j])
        j += 1
        if text.startswith("...", j):  # string cut by strace -s
            arg += "..."
            j += 3
        args.append(arg)
        if text.startswith(", ", j):
            j += 2
        i = j
    return args, text[i:]


def shim_calls(strace, shim, model_cmds, save_dir=None):
    calls = {}  # pid -> dict
    order = []
    with open(strace, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = EXECVE.match(line)
            if m:
                pid, path = m.group(1), unescape(m.group(2))
                argv, rest = parse_argv(line[m.end():])
                if not ("= 0" in rest or "unfinished" in rest):
                    continue
                if path == shim:
                    calls[pid] = {"argv": " ".join(repr(a) for a in argv), "outcome": "running",
                                  "script": argv[-1] if len(argv) > 1 else ""}
                    order.append(pid)
                elif pid in calls and calls[pid]["outcome"] == "running":
                    calls[pid]["outcome"] = f"allowed (exec {path})"
                continue
            m = EXITED.match(line)
            if m and m.group(1) in calls and calls[m.group(1)]["outcome"] == "running":
                code = m.group(2)
                calls[m.group(1)]["outcome"] = "REFUSED (exit 126)" if code == "126" else f"exit {code} before exec"
            m = KILLED.match(line)
            if m and m.group(1) in calls and calls[m.group(1)]["outcome"] == "running":
                calls[m.group(1)]["outcome"] = f"killed by {m.group(2)}"
    if not order:
        print(f"no process was started through {shim}")
        return 2
    bad = 0
    for pid in order:
        c = calls[pid]
        kind = "model" if any(cmd in c["argv"] for cmd in model_cmds) else "scaffolding"
        argv = c["argv"].replace(shim, "SHIM")
        if len(argv) > 160:
            argv = argv[:160] + f"... ({len(c['argv'])} chars)"
        print(f"  {kind:<11} {c['outcome']:<28} {argv}")
        if kind == "scaffolding" and not c["outcome"].startswith("allowed"):
            bad += 1
            if save_dir:
                with open(f"{save_dir}/refused-scaffolding-{bad}.sh", "w", encoding="utf-8") as fh:
                    fh.write(c["script"])
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "tool-output":
        return tool_output(argv[1], int(argv[2]))
    if len(argv) >= 3 and argv[0] == "shim-calls":
        return shim_calls(argv[1], argv[2], argv[3:], os.environ.get("SAVE_DIR"))
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
