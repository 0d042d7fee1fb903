"""Read the commands a peer's own tests expect to be blocked or allowed.

Each extractor takes a `Source` (a peer checkout: a work tree or a bare git directory) and
yields `Case`s: the command string the peer's test feeds its checker, what the peer expects
(`block` or `allow`), the peer's category (its pack, check group or test file) and, when the
case cannot be judged like-for-like, why it is excluded (`excluded` is then a short reason).

Only literal strings are taken: a command built at run time (a loop variable, `format!`, a
template string with `${…}`) is skipped, not guessed.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import tomllib
from typing import Iterator


@dataclasses.dataclass
class Case:
    peer: str
    category: str
    command: str
    expect: str  # "block" | "allow"
    source: str  # file:line in the peer
    excluded: str | None = None


class Source:
    """A peer checkout: a work tree, or a bare git directory read at HEAD."""

    def __init__(self, path: str):
        self.path = path
        self.bare = not os.path.isdir(os.path.join(path, ".git")) and os.path.isfile(
            os.path.join(path, "HEAD")
        )

    def _git(self, *args: str) -> str:
        flag = ["--git-dir", self.path] if self.bare else ["-C", self.path]
        return subprocess.run(
            ["git", *flag, *args], check=True, capture_output=True, text=True
        ).stdout

    def commit(self) -> str:
        try:
            return self._git("rev-parse", "HEAD").strip()
        except (subprocess.CalledProcessError, FileNotFoundError):
            return "unknown"

    def files(self) -> list[str]:
        if self.bare:
            return self._git("ls-tree", "-r", "--name-only", "HEAD").splitlines()
        out = []
        for dirpath, dirnames, filenames in os.walk(self.path):
            dirnames[:] = [d for d in dirnames if d not in (".git", "node_modules", "target")]
            for name in filenames:
                out.append(os.path.relpath(os.path.join(dirpath, name), self.path))
        return sorted(out)

    def read(self, rel: str) -> str:
        if self.bare:
            return self._git("show", f"HEAD:{rel}")
        with open(os.path.join(self.path, rel), encoding="utf-8", errors="replace") as f:
            return f.read()


# ---------------------------------------------------------------------------------------
# Literal scanners (Rust and TypeScript string literals, argument lists)


def _rust_string(text: str, i: int) -> tuple[str, int] | None:
    """The Rust string literal starting at `i` (after whitespace) and the index after it."""
    m = re.compile(r'\s*(r(#*)")').match(text, i)
    if m:
        hashes = m.group(2)
        start = m.end()
        end = text.find('"' + hashes, start)
        if end < 0:
            return None
        return text[start:end], end + 1 + len(hashes)
    m = re.compile(r'\s*"').match(text, i)
    if not m:
        return None
    j = m.end()
    out = []
    while j < len(text):
        c = text[j]
        if c == '"':
            return "".join(out), j + 1
        if c == "\\":
            nxt = text[j + 1 : j + 2]
            if nxt == "\n":  # line continuation: skip the newline and leading blanks
                j += 2
                while j < len(text) and text[j] in " \t":
                    j += 1
                continue
            out.append({"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0"}.get(nxt, nxt))
            j += 2
            continue
        out.append(c)
        j += 1
    return None


def _ts_string(text: str, i: int) -> tuple[str, int] | None:
    """The TypeScript string literal at `i` (after whitespace); None for `${…}` templates."""
    m = re.compile(r"\s*(['\"`])").match(text, i)
    if not m:
        return None
    quote = m.group(1)
    j = m.end()
    out = []
    while j < len(text):
        c = text[j]
        if c == quote:
            s = "".join(out)
            if quote == "`" and "${" in s:
                return None
            return s, j + 1
        if c == "\\":
            nxt = text[j + 1 : j + 2]
            out.append({"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"', "`": "`"}.get(nxt, "\\" + nxt))
            j += 2
            continue
        if c == "\n" and quote != "`":
            return None
        out.append(c)
        j += 1
    return None


def _skip_arg(text: str, i: int) -> int:
    """Index of the `,` or `)` ending the argument that starts at `i` (depth-aware)."""
    depth = 0
    j = i
    while j < len(text):
        c = text[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return j
            depth -= 1
        elif c == "," and depth == 0:
            return j
        elif c == '"':
            lit = _rust_string(text, j)
            if lit:
                j = lit[1]
                continue
        j += 1
    return j


def _line(text: str, i: int) -> int:
    return text.count("\n", 0, i) + 1


# ---------------------------------------------------------------------------------------
# dcg (Dicklesworthstone/destructive_command_guard): pack unit tests and the corpus

DCG_BLOCK = {
    "assert_blocks",
    "assert_blocks_with_pattern",
    "assert_blocks_with_severity",
    "assert_rm_parser_denies",
}
DCG_ALLOW = {
    "assert_allows",
    "assert_safe_pattern_matches",
    "assert_no_match",
    "assert_rm_parser_allows",
    "assert_rm_parser_no_match",
}
DCG_BATCH = {"test_batch_blocks": "block", "test_batch_allows": "allow"}
# Helper-level commands: judged against the whole engine, the first argument is the command.
DCG_ENGINE = {"assert_denies_with_rule": "block", "assert_allows_command": "allow"}


def dcg(src: Source) -> Iterator[Case]:
    call = re.compile(r"\b(" + "|".join(sorted(DCG_BLOCK | DCG_ALLOW | set(DCG_BATCH) | set(DCG_ENGINE))) + r")\s*\(")
    for rel in src.files():
        if rel.startswith("src/packs/") and rel.endswith(".rs") and not rel.endswith(
            ("test_helpers.rs", "test_template.rs")
        ):
            pack = rel[len("src/packs/") : -len(".rs")]
            if pack.endswith("/mod"):
                pack = pack[: -len("/mod")]
            text = src.read(rel)
            for m in call.finditer(text):
                name = m.group(1)
                where = f"{rel}:{_line(text, m.start())}"
                i = m.end()
                if name in DCG_ENGINE:
                    lit = _rust_string(text, i)
                    if lit:
                        yield Case("dcg", pack, lit[0], DCG_ENGINE[name], where)
                    continue
                # The first argument is the pack; the command (or a slice of them) follows.
                j = _skip_arg(text, i)
                if j >= len(text) or text[j] != ",":
                    continue
                if name in DCG_BATCH:
                    m2 = re.compile(r"\s*&?\s*(?:vec!)?\[").match(text, j + 1)
                    if not m2:
                        continue
                    k = m2.end()
                    while True:
                        lit = _rust_string(text, k)
                        if not lit:
                            break
                        yield Case("dcg", pack, lit[0], DCG_BATCH[name], where)
                        k = lit[1]
                        m3 = re.compile(r"\s*,").match(text, k)
                        if not m3:
                            break
                        k = m3.end()
                    continue
                lit = _rust_string(text, j + 1)
                if lit:
                    yield Case("dcg", pack, lit[0], "block" if name in DCG_BLOCK else "allow", where)
        elif rel.startswith("tests/corpus/") and rel.endswith(".toml"):
            category = "corpus/" + rel[len("tests/corpus/") : -len(".toml")]
            data = tomllib.loads(src.read(rel))
            for case in data.get("case", []):
                expected = case.get("expected")
                command = case.get("command")
                if not isinstance(command, str) or expected not in ("deny", "allow"):
                    continue  # "warn" and the like: neither a block nor an allow
                excluded = None
                if category.endswith("/future_packs") and expected == "allow":
                    # The file says these "would ideally be blocked": allowed only because
                    # dcg has no pack for them yet.
                    excluded = "dcg allows it only for lack of a pack (its file says it should be blocked)"
                yield Case("dcg", category, command, "block" if expected == "deny" else "allow", rel, excluded)
        elif rel in ("tests/e2e/fixtures/commands/dangerous.txt", "tests/e2e/fixtures/commands/safe.txt"):
            expect = "block" if rel.endswith("dangerous.txt") else "allow"
            for n, line in enumerate(src.read(rel).splitlines(), 1):
                line = line.strip()
                if line and not line.startswith("#"):
                    yield Case("dcg", "e2e/" + os.path.basename(rel)[:-4], line, expect, f"{rel}:{n}")


# ---------------------------------------------------------------------------------------
# shellfirm (kaplanelad/shellfirm): tests/checks/<group>.yaml, `expect_ids` per command


def _yaml_scalar(value: str) -> str:
    value = value.strip()
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        body = value[1:-1]
        return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
    if value.startswith("'") and value.endswith("'") and len(value) >= 2:
        return value[1:-1].replace("''", "'")
    return value


def _yaml_flow_list(value: str) -> list[str]:
    value = value.strip()
    if not (value.startswith("[") and value.endswith("]")):
        raise ValueError(f"not a flow list: {value}")
    inner = value[1:-1].strip()
    if not inner:
        return []
    return [_yaml_scalar(v) for v in inner.split(",")]


def shellfirm(src: Source) -> Iterator[Case]:
    for rel in src.files():
        m = re.fullmatch(r"shellfirm/tests/checks/([\w-]+)\.yaml", rel)
        if not m:
            continue
        group = m.group(1)
        entries: list[tuple[str, int, list[str], list[str]]] = []
        pending_list = False
        for n, line in enumerate(src.read(rel).splitlines(), 1):
            t = re.match(r"-\s+test:\s*(.*)$", line)
            if t:
                entries.append((_yaml_scalar(t.group(1)), n, [], []))
                pending_list = False
                continue
            d = re.match(r"\s+description:\s*(.*)$", line)
            if d and entries:
                entries[-1][3].append(_yaml_scalar(d.group(1)))
                continue
            e = re.match(r"\s+expect_ids:\s*(.*)$", line)
            if e and entries:
                if e.group(1).strip():
                    entries[-1][2].extend(_yaml_flow_list(e.group(1)))
                else:
                    pending_list = True  # a block list follows
                continue
            item = re.match(r"\s+-\s+(.+)$", line)
            if item and pending_list and entries:
                entries[-1][2].append(_yaml_scalar(item.group(1)))
                continue
            if re.match(r"\s+\w+:", line):
                pending_list = False
        for command, line_no, ids, description in entries:
            where = f"{rel}:{line_no}"
            if not ids:
                # "match command with force flag" expecting no match: the test records a
                # gap of the peer's pattern, not a command it means to allow.
                gap = any(d.lower().startswith("match ") for d in description)
                excluded = "shellfirm's description says it should match (a recorded gap)" if gap else None
                yield Case("shellfirm", group, command, "allow", where, excluded)
                continue
            groups = {i.split(":", 1)[0] for i in ids}
            category = sorted(groups)[0]
            excluded = None
            if all(g.endswith("-strict") for g in groups):
                excluded = "shellfirm strict group (opt-in in shellfirm: warns on everyday commands)"
            elif set(ids) <= SHELLFIRM_NOT_DESTRUCTIVE:
                excluded = "shellfirm check that warns on a non-destructive command"
            yield Case("shellfirm", category, command, "block", where, excluded)


# Checks (severity Medium) that ask for confirmation on commands that destroy nothing; no
# guard of destruction would refuse them, so they are reported but not counted.
SHELLFIRM_NOT_DESTRUCTIVE = {
    "git:bisect",
    "git:cherry_pick",
    "git:merge_no_ff",
    "git:worktree_management",
    "git:interactive_rebase",
}


# ---------------------------------------------------------------------------------------
# claude-code-safety-net (kenryu42/claude-code-safety-net): analyzer and hook tests


def safety_net(src: Source) -> Iterator[Case]:
    call = re.compile(r"\b(assertBlocked|assertAllowed|runGuard)\s*\(")
    test_start = re.compile(r"\b(?:test|it)\s*\(")
    for rel in src.files():
        if not (rel.startswith("tests/") and rel.endswith(".test.ts")):
            continue
        text = src.read(rel)
        category = os.path.basename(rel)[: -len(".test.ts")]
        starts = [m.start() for m in test_start.finditer(text)]
        if rel.startswith("tests/bin/hooks/"):
            yield from _safety_net_hooks(rel, text, starts, category)
            continue
        for m in call.finditer(text):
            name = m.group(1)
            lit = _ts_string(text, m.end())
            if not lit:
                continue
            command, after = lit
            where = f"{rel}:{_line(text, m.start())}"
            block_start = max([s for s in starts if s < m.start()], default=0)
            preceding = text[block_start : m.start()]
            excluded = None
            if "withEnv(" in preceding:
                excluded = "optional mode (strict/paranoid/worktree environment variable)"
            elif category.startswith("rules-custom"):
                excluded = "a user's custom rule, not the peer's own policy"
            if name == "runGuard":
                rest = text[after : after + 200]
                if re.match(r"\s*\)", rest) is None:
                    continue  # a cwd or config argument: a fixture's context
                if ".toBeNull()" in text[after : after + 60]:
                    expect = "allow"
                elif re.search(r"\)\)\.(toContain|not\.toBeNull|toBeTruthy)", text[after : after + 80]):
                    expect = "block"
                else:
                    continue
            else:
                expect = "block" if name == "assertBlocked" else "allow"
                # A third (assertBlocked) or second (assertAllowed) argument is a cwd fixture.
                j = after
                args = 1
                while True:
                    k = _skip_arg(text, j)
                    if k >= len(text) or text[k] == ")":
                        break
                    args += 1
                    j = k + 1
                if (expect == "block" and args >= 3) or (expect == "allow" and args >= 2):
                    if excluded is None:
                        excluded = "depends on a fixture directory (cwd argument)"
            yield Case("safety-net", category, command, expect, where, excluded)


def _safety_net_hooks(rel: str, text: str, starts: list[int], category: str) -> Iterator[Case]:
    """Hook tests feed JSON (`tool_input: {command: …}`); judge that command string."""
    bounds = starts + [len(text)]
    for a, b in zip(bounds, bounds[1:]):
        block = text[a:b]
        commands = []
        for m in re.finditer(r"\bcommand:\s*", block):
            lit = _ts_string(block, m.end())
            if lit:
                commands.append((lit[0], m.start()))
        if len(commands) != 1:
            continue  # none, or several inputs whose expectations cannot be told apart
        command, off = commands[0]
        if re.search(r"toBe\('deny'\)|decision\)\.toBe\('block'\)|toBe\(2\)|BLOCKED", block):
            expect = "block"
        elif re.search(r"stdout\)\.toBe\(''\)", block):
            expect = "allow"
        else:
            continue
        where = f"{rel}:{_line(text, a + off)}"
        excluded = "optional mode (strict/paranoid environment variable)" if re.search(r"SAFETY_NET_\w+:", block) else None
        # An event after the tool ran, or a tool that is not the shell: the hook ignores
        # the command by design, so its silence is not an allow.
        event = re.search(r"hook_event_name:\s*['\"](\w+)['\"]", block)
        tool = re.search(r"(?:tool_name|toolName):\s*['\"](\w+)['\"]", block)
        if (event and event.group(1) not in ("PreToolUse", "BeforeTool", "preToolUse")) or (
            tool and tool.group(1) not in ("Bash", "run_shell_command", "bash", "shell")
        ):
            excluded = "hook input the peer ignores by design (not a shell call before it runs)"
        yield Case("safety-net", category, command, expect, where, excluded)


EXTRACTORS = {"dcg": dcg, "shellfirm": shellfirm, "safety-net": safety_net}
