#!/usr/bin/env bash
# End-to-end check: the real Codex CLI, Claude Code, Factory Droid, Gemini CLI, GitHub
# Copilot CLI and OpenCode, with policy-exec in front of them, driven by a scripted fake
# model on 127.0.0.1 (fake_model.py). No real model and no network except the npm
# registry (to install the harnesses).
#
#   tests/harness/run.sh [--keep] [codex] [claude] [codex-native] [claude-native]
#                        [codex-hook] [claude-hook] [droid-native] [droid-hook]
#                        [gemini] [gemini-hook] [gemini-native] [gemini-both]
#                        [copilot] [copilot-hook] [copilot-native] [copilot-both]
#                        [opencode] [opencode-hook] [opencode-native]
#                                                        (default: all nineteen)
#
# codex/claude: policy-exec is the harness's shell. codex-native/claude-native: the
# harness runs the real bash, and only the native rules `policy-exec sync --apply` wrote
# into its home (~/.codex/rules/policy-exec.rules, ~/.claude/settings.json) stop the
# denied command. codex-hook/claude-hook: real bash, no native rules, only the hook that
# `sync --apply --hooks` installed. droid-native/droid-hook: Factory Droid (which always
# runs /bin/bash) with only its native lists, or only the hook.
# gemini/copilot/opencode: policy-exec as the shell (a `bash` first on PATH,
# COPILOT_BASH_PATH, the `shell` key); -hook: only `policy-exec hook …` (for OpenCode its
# plugin); -native: only the native rules sync wrote (Copilot has none: reported, skipped);
# -both: the shell and the hook together (the hook command itself runs through the shim).
# These nine run inside a network namespace holding only `lo` (`unshare -n`), as
# OpenCode tries a DNS lookup; they are skipped, saying why, when npm or unshare fails.
#
# Environment:
#   CODEX_VERSION   npm version of @openai/codex              (default 0.171.0)
#   CLAUDE_VERSION  npm version of @anthropic-ai/claude-code  (default 2.1.332)
#   DROID_VERSION   npm version of @factory/cli-linux-x64     (default 0.225.2)
#   GEMINI_VERSION  npm version of @google/gemini-cli         (default 0.61.0)
#   COPILOT_VERSION npm version of @github/copilot            (default 1.0.102)
#   OPENCODE_VERSION npm version of opencode-ai               (default 1.18.33)
#   POLICY_EXEC     policy-exec binary to test (default: built by scripts/release-build.sh,
#                   as install.sh builds it)
#   HARNESS_NPM_DIR reuse an npm install dir instead of installing into the temp dir
#   RUN_TIMEOUT     seconds allowed for one harness run (default 180)
#
# Not run by CI: it downloads the harnesses from the npm registry. See README.md.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$REPO/tests/harness
CODEX_VERSION=${CODEX_VERSION:-0.171.0}
CLAUDE_VERSION=${CLAUDE_VERSION:-2.1.332}
DROID_VERSION=${DROID_VERSION:-0.225.2}
GEMINI_VERSION=${GEMINI_VERSION:-0.61.0}
COPILOT_VERSION=${COPILOT_VERSION:-1.0.102}
OPENCODE_VERSION=${OPENCODE_VERSION:-1.18.33}
RUN_TIMEOUT=${RUN_TIMEOUT:-180}
ALLOWED_CMD='echo hello > marker_allowed.txt'
DENIED_CMD='git reset --hard'
DENIED_RULE='no-reset-hard'

KEEP=0
WANT=()
for a in "$@"; do
  case $a in
    --keep) KEEP=1 ;;
    codex|claude|codex-native|claude-native|codex-hook|claude-hook|droid-native|droid-hook) WANT+=("$a") ;;
    gemini|gemini-hook|gemini-native|gemini-both|copilot|copilot-hook|copilot-native|copilot-both|opencode|opencode-hook|opencode-native) WANT+=("$a") ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "unknown argument: $a" >&2; exit 64 ;;
  esac
done
[ ${#WANT[@]} -eq 0 ] && WANT=(codex claude codex-native claude-native codex-hook claude-hook droid-native droid-hook
  gemini gemini-hook gemini-native gemini-both copilot copilot-hook copilot-native copilot-both
  opencode opencode-hook opencode-native)
OLD=0; NEW=0
for h in "${WANT[@]}"; do
  case $h in gemini*|copilot*|opencode*) NEW=1 ;; *) OLD=1 ;; esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/policy-exec-harness.XXXXXX")
chmod 755 "$WORK"
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  if [ $KEEP -eq 1 ]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASSED=0; FAILED=0; SKIPPED=0
pass() { echo "PASS  $*"; PASSED=$((PASSED+1)); }
fail() { echo "FAIL  $*"; FAILED=$((FAILED+1)); }
skip() { echo "SKIP  $*"; SKIPPED=$((SKIPPED+1)); }
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name"; fi
}
indent() { sed 's/^/        /' | cut -c1-700; }
make_repo() { # a git repo with a dirty tracked file: `git reset --hard` would clean it
  local r=$1
  mkdir -p "$r" && git -C "$r" init -q &&
  echo committed > "$r/tracked.txt" && git -C "$r" add tracked.txt &&
  git -C "$r" -c user.email=t@example.invalid -c user.name=t commit -qm init &&
  echo uncommitted-work > "$r/tracked.txt"
}

# ---------------------------------------------------------------- policy-exec
if [ -n "${POLICY_EXEC:-}" ]; then
  PE=$POLICY_EXEC
else
  echo "==> building as install.sh does (scripts/release-build.sh)"
  PE=$REPO/$(cd "$REPO" && timeout 1200 scripts/release-build.sh) || { echo "build failed"; exit 1; }
fi
[ -x "$PE" ] || { echo "no policy-exec binary at $PE"; exit 1; }
mkdir -p "$WORK/bin" "$WORK/shims"
cp "$PE" "$WORK/bin/policy-exec"
SHIM=$WORK/shims/bash
ln -s "$WORK/bin/policy-exec" "$SHIM"
# The repo's default policy, through an explicit manifest, so that no ~/.config or
# /etc/policy-exec on this machine changes the result.
cp -R "$REPO/bundles/default/policy-config" "$WORK/policy-config-src" 2>/dev/null
mkdir -p "$WORK/policy" && mv "$WORK/policy-config-src" "$WORK/policy/policy-config"
"$WORK/bin/policy-exec" resolve --root "$WORK/policy" --harness default --task-domain default \
  --emit-host-rules --host-out-dir "$WORK/policy" >/dev/null 2>&1 \
  || { echo "policy-exec resolve failed"; exit 1; }
export POLICY_EXEC_MANIFEST=$WORK/policy/policy-wrapper-dispatch.manifest.json
POLICY_HASH=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["policy_hash"])' "$POLICY_EXEC_MANIFEST")
echo "==> policy-exec $("$WORK/bin/policy-exec" --version | awk '{print $2}'), shim $SHIM"
# The shim on its own, before any harness: the script's two commands get the expected verdicts.
make_repo "$WORK/precheck"
(cd "$WORK/precheck" && HOME="$WORK/precheck" "$SHIM" -c "$ALLOWED_CMD" >/dev/null 2>&1)
check "setup: the shim runs \`$ALLOWED_CMD\`" test -s "$WORK/precheck/marker_allowed.txt"
(cd "$WORK/precheck" && HOME="$WORK/precheck" "$SHIM" -c "$DENIED_CMD" >/dev/null 2>"$WORK/precheck.err"); rc=$?
check "setup: the shim refuses \`$DENIED_CMD\` (exit 126, rule $DENIED_RULE)" \
  bash -c "[ $rc = 126 ] && grep -q '\"id\":\"$DENIED_RULE\"' '$WORK/precheck.err' && grep -qx uncommitted-work '$WORK/precheck/tracked.txt'"

# ---------------------------------------------------------------- the harnesses
NPM_DIR=${HARNESS_NPM_DIR:-$WORK/npm}
if [ -z "${HARNESS_NPM_DIR:-}" ] && [ $OLD -eq 1 ]; then
  echo "==> npm install @openai/codex@$CODEX_VERSION @anthropic-ai/claude-code@$CLAUDE_VERSION @factory/cli-linux-x64@$DROID_VERSION"
  mkdir -p "$NPM_DIR"
  (cd "$NPM_DIR" && echo '{"private":true}' > package.json &&
   timeout 600 npm install --no-audit --no-fund --loglevel=error \
     "@openai/codex@$CODEX_VERSION" "@anthropic-ai/claude-code@$CLAUDE_VERSION" \
     "@factory/cli-linux-x64@$DROID_VERSION" >npm.log 2>&1) \
    || { echo "npm install failed:"; tail -20 "$NPM_DIR/npm.log"; exit 1; }
fi
CODEX=$NPM_DIR/node_modules/.bin/codex
CLAUDE=$NPM_DIR/node_modules/.bin/claude
DROID=${DROID:-$NPM_DIR/node_modules/@factory/cli-linux-x64/bin/droid}

STRACE=()
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true >/dev/null 2>&1; then
  HAVE_STRACE=1
else
  HAVE_STRACE=0
  echo "note: strace not usable here: the check that the harness's own shell calls are not refused is skipped"
fi

# ---------------------------------------------------------------- helpers
start_model() { # start_model DIR: fake model in the background, PORT set
  local dir=$1
  rm -f "$dir/port"
  python3 "$HERE/fake_model.py" --log "$dir/model.jsonl" --port-file "$dir/port" \
    --timeout "$((RUN_TIMEOUT + 30))" --max-requests 100 \
    --allowed-cmd "$ALLOWED_CMD" --denied-cmd "$DENIED_CMD" 2>"$dir/model.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
  PORT=$(cat "$dir/port" 2>/dev/null) || { echo "fake model did not start"; cat "$dir/model.err"; exit 1; }
}
stop_model() {
  kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
}
codex_config() { # codex_config FILE: Codex talks to the fake model at $PORT
  cat >"$1" <<EOF
model = "fake-model"
model_provider = "fake"
approval_policy = "never"
sandbox_mode = "danger-full-access"
check_for_update_on_startup = false

[model_providers.fake]
name = "Scripted fake model"
base_url = "http://127.0.0.1:$PORT/v1"
env_key = "FAKE_MODEL_API_KEY"
wire_api = "responses"
EOF
}
verdicts() { # verdicts NAME DIR: the checks both harnesses share
  local h=$1 dir=$2
  local repo=$dir/repo
  check "$h: allowed command ran (marker_allowed.txt = hello)" \
    grep -qx hello "$repo/marker_allowed.txt"
  check "$h: denied command did not run (tracked.txt still has the uncommitted work)" \
    grep -qx uncommitted-work "$repo/tracked.txt"
  python3 "$HERE/check.py" tool-output "$dir/model.jsonl" 0 >"$dir/seen-allowed.txt" 2>&1
  python3 "$HERE/check.py" tool-output "$dir/model.jsonl" 1 >"$dir/seen-denied.txt" 2>&1
  check "$h: model got the allowed command's result, not a refusal" \
    bash -c "[ -s '$dir/seen-allowed.txt' ] && ! grep -q 'policy-exec:' '$dir/seen-allowed.txt'"
  check "$h: model got policy-exec's refusal ('policy-exec: denied', rule $DENIED_RULE)" \
    bash -c "grep -q 'policy-exec: denied' '$dir/seen-denied.txt' && grep -q '\"id\":\"$DENIED_RULE\"' '$dir/seen-denied.txt'"
  check "$h: the refusal carries the test manifest's policy_hash (${POLICY_HASH:0:12}…)" \
    grep -qF "\"policy_hash\":\"$POLICY_HASH\"" "$dir/seen-denied.txt"
  echo "      what the model saw after the allowed command:"; indent <"$dir/seen-allowed.txt"
  echo "      what the model saw after the denied command:";  indent <"$dir/seen-denied.txt"
  if [ $HAVE_STRACE -eq 1 ]; then
    echo "      every process started through the shim:"
    mkdir -p "$dir/refused"
    SAVE_DIR=$dir/refused python3 "$HERE/check.py" shim-calls "$dir/strace.txt" "$SHIM" \
      "$ALLOWED_CMD" "$DENIED_CMD" >"$dir/shim-calls.txt" 2>&1
    local rc=$?
    indent <"$dir/shim-calls.txt"
    if [ $rc -eq 0 ]; then
      pass "$h: none of the harness's own shell calls (scaffolding) was refused"
    else
      fail "$h: none of the harness's own shell calls (scaffolding) was refused"
      for f in "$dir"/refused/*.sh; do
        [ -e "$f" ] || continue
        echo "      policy-exec's reason for $(basename "$f"):"
        (cd "$repo" && "$WORK/bin/policy-exec" check "$(cat "$f")" 2>&1 | head -1 | indent)
      done
    fi
  else
    skip "$h: none of the harness's own shell calls (scaffolding) was refused (no strace)"
  fi
}

# ---------------------------------------------------------------- Codex CLI
run_codex() {
  local dir=$WORK/codex
  mkdir -p "$dir/codex-home" "$dir/home"
  echo; echo "==> Codex CLI $("$CODEX" --version 2>/dev/null | awk '{print $NF}')"
  if ! "$CODEX" --version >/dev/null 2>&1; then fail "codex: starts (codex --version)"; return; fi
  make_repo "$dir/repo" || { fail "codex: test repo"; return; }
  start_model "$dir"
  codex_config "$dir/codex-home/config.toml"
  # Codex takes its shell from the passwd entry of the user it runs as, and nothing else.
  # Rather than change this machine's passwd, run Codex in a private mount namespace where
  # /etc/passwd is a copy whose entry for the current uid has the shim as login shell
  # (as root: `unshare -m`; otherwise an unprivileged user namespace: `unshare -r -m`,
  # where the current user is root inside).
  local uid; uid=$(id -u)
  local ns=(unshare -m)
  if [ "$uid" != 0 ]; then ns=(unshare -r -m); uid=0; fi
  awk -F: -v OFS=: -v uid="$uid" -v sh="$SHIM" '$3 == uid { $7 = sh } { print }' /etc/passwd >"$dir/passwd"
  chmod 644 "$dir/passwd"
  if ! "${ns[@]}" sh -c "mount --bind '$dir/passwd' /etc/passwd && getent passwd $uid | grep -q ':$SHIM\$'" 2>"$dir/unshare.err"; then
    fail "codex: login shell replaced in a private mount namespace ($(head -1 "$dir/unshare.err"))"
    stop_model; return
  fi
  local tracer=()
  [ $HAVE_STRACE -eq 1 ] && tracer=(strace -f -s 65536 -e trace=execve -o "$dir/strace.txt")
  (
    cd "$dir/repo" &&
    "${ns[@]}" sh -c 'mount --bind "$0" /etc/passwd && exec "$@"' "$dir/passwd" \
      env HOME="$dir/home" CODEX_HOME="$dir/codex-home" FAKE_MODEL_API_KEY=dummy \
      timeout "$RUN_TIMEOUT" "${tracer[@]}" "$CODEX" exec --skip-git-repo-check \
      -C "$dir/repo" "Run the scripted steps." </dev/null >"$dir/out.txt" 2>"$dir/err.txt"
  )
  local rc=$?
  stop_model
  if [ $rc -eq 0 ] && grep -q 'All scripted steps are done.' "$dir/out.txt"; then
    pass "codex: ran to the model's final message (exit 0)"
  else
    fail "codex: ran to the model's final message (exit $rc)"; tail -15 "$dir/err.txt" | indent
  fi
  check "codex: ran the model's commands through the shim ($SHIM -lc …)" \
    grep -qF "$SHIM -lc" "$dir/err.txt"
  verdicts codex "$dir"
}

# ---------------------------------------------------------------- Claude Code
run_claude() {
  local dir=$WORK/claude
  mkdir -p "$dir/home"
  echo; echo "==> Claude Code $("$CLAUDE" --version 2>/dev/null | awk '{print $1}')"
  if ! "$CLAUDE" --version >/dev/null 2>&1; then fail "claude: starts (claude --version)"; return; fi
  make_repo "$dir/repo" || { fail "claude: test repo"; return; }
  start_model "$dir"
  local tracer=()
  [ $HAVE_STRACE -eq 1 ] && tracer=(strace -f -s 65536 -e trace=execve -o "$dir/strace.txt")
  # IS_SANDBOX=1: Claude Code refuses bypassPermissions as root without it.
  (
    cd "$dir/repo" &&
    env -i PATH="$PATH" HOME="$dir/home" TERM=dumb POLICY_EXEC_MANIFEST="$POLICY_EXEC_MANIFEST" \
      ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" ANTHROPIC_API_KEY=dummy \
      CLAUDE_CODE_SHELL="$SHIM" IS_SANDBOX=1 \
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 \
      timeout "$RUN_TIMEOUT" "${tracer[@]}" "$CLAUDE" -p "Run the scripted steps." \
      --permission-mode bypassPermissions </dev/null >"$dir/out.txt" 2>"$dir/err.txt"
  )
  local rc=$?
  stop_model
  if [ $rc -eq 0 ] && grep -q 'All scripted steps are done.' "$dir/out.txt"; then
    pass "claude: ran to the model's final message (exit 0)"
  else
    fail "claude: ran to the model's final message (exit $rc)"; tail -15 "$dir/err.txt" "$dir/out.txt" | indent
  fi
  verdicts claude "$dir"
}

# ---------------------------------------------------------------- native rules or hook only
# The harness runs the real bash. native: `sync --apply` into a fresh home, and only the
# native rules it wrote (~/.codex/rules/policy-exec.rules, ~/.claude/settings.json) stop
# the denied command. hook: `sync --apply --hooks`, then the native entries removed, so
# only `policy-exec hook <harness>` stands between the model and the real bash.
sync_home() { # sync_home HOME [--hooks]
  "$WORK/bin/policy-exec" resolve --root "$WORK/policy" --harness default --task-domain default \
    --emit "$WORK/policy/emit.json" >/dev/null 2>&1 &&
  "$WORK/bin/policy-exec" sync --policy-json "$WORK/policy/emit.json" --apply "${@:2}" \
    --home "$1" >"$1.sync.txt" 2>&1
}
strip_native() { # strip_native HOME: keep the hooks, drop the native rules
  python3 - "$1" <<'PY'
import json, os, sys
home = sys.argv[1]
p = os.path.join(home, ".claude/settings.json")
v = json.load(open(p))
v.pop("permissions", None)
json.dump(v, open(p, "w"), indent=2)
rules = os.path.join(home, ".codex/rules/policy-exec.rules")
if os.path.exists(rules):
    os.remove(rules)
PY
}
native_verdicts() { # native_verdicts NAME DIR
  local h=$1 dir=$2 repo=$2/repo
  check "$h: allowed command ran (marker_allowed.txt = hello)" grep -qx hello "$repo/marker_allowed.txt"
  check "$h: denied command did not run (tracked.txt still has the uncommitted work)" \
    grep -qx uncommitted-work "$repo/tracked.txt"
  python3 "$HERE/check.py" tool-output "$dir/model.jsonl" 1 >"$dir/seen-denied.txt" 2>&1
  echo "      what the model saw after the denied command:"; indent <"$dir/seen-denied.txt"
}

run_codex_plain() { # run_codex_plain native|hook
  local mode=$1 h=codex-$1
  local dir=$WORK/$h
  mkdir -p "$dir/home"
  echo; echo "==> Codex CLI, $([ "$mode" = hook ] && echo 'PreToolUse hook only' || echo 'native rules only') (real bash)"
  make_repo "$dir/repo" || { fail "$h: test repo"; return; }
  if [ "$mode" = hook ]; then
    sync_home "$dir/home" --hooks && strip_native "$dir/home" \
      || { fail "$h: policy-exec sync --apply --hooks"; cat "$dir/home.sync.txt"; return; }
    check "$h: ~/.codex/hooks.json has our hook" grep -q ' hook codex' "$dir/home/.codex/hooks.json"
  else
    sync_home "$dir/home" || { fail "$h: policy-exec sync --apply"; cat "$dir/home.sync.txt"; return; }
    check "$h: sync wrote ~/.codex/rules/policy-exec.rules" \
      grep -qF 'pattern = ["git", "reset", "--hard"]' "$dir/home/.codex/rules/policy-exec.rules"
  fi
  start_model "$dir"
  codex_config "$dir/home/.codex/config.toml"
  # Codex runs a user hook only once it is trusted (reviewed in the TUI's /hooks);
  # --dangerously-bypass-hook-trust stands in for that review here.
  local trust=()
  [ "$mode" = hook ] && trust=(--dangerously-bypass-hook-trust)
  (
    cd "$dir/repo" &&
    env HOME="$dir/home" CODEX_HOME="$dir/home/.codex" FAKE_MODEL_API_KEY=dummy \
      timeout "$RUN_TIMEOUT" "$CODEX" exec --skip-git-repo-check "${trust[@]}" \
      -C "$dir/repo" "Run the scripted steps." </dev/null >"$dir/out.txt" 2>"$dir/err.txt"
  )
  stop_model
  native_verdicts "$h" "$dir"
  if [ "$mode" = hook ]; then
    check "$h: the model got policy-exec's reason (rule $DENIED_RULE)" grep -q "$DENIED_RULE" "$dir/seen-denied.txt"
  else
    check "$h: the model was told the command is forbidden by policy" \
      grep -qi 'forbidden\|rejected\|blocked\|policy' "$dir/seen-denied.txt"
  fi
}

run_claude_plain() { # run_claude_plain native|hook
  local mode=$1 h=claude-$1
  local dir=$WORK/$h
  mkdir -p "$dir/home"
  echo; echo "==> Claude Code, $([ "$mode" = hook ] && echo 'PreToolUse hook only' || echo 'native rules only') (real bash)"
  make_repo "$dir/repo" || { fail "$h: test repo"; return; }
  if [ "$mode" = hook ]; then
    sync_home "$dir/home" --hooks && strip_native "$dir/home" \
      || { fail "$h: policy-exec sync --apply --hooks"; cat "$dir/home.sync.txt"; return; }
    check "$h: ~/.claude/settings.json has our PreToolUse hook and no permissions" \
      python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); sys.exit(0 if "permissions" not in v and " hook claude --installation " in v["hooks"]["PreToolUse"][0]["hooks"][0]["command"] else 1)' "$dir/home/.claude/settings.json"
  else
    sync_home "$dir/home" || { fail "$h: policy-exec sync --apply"; cat "$dir/home.sync.txt"; return; }
    check "$h: sync wrote Bash(git reset --hard:*) into ~/.claude/settings.json deny" \
      python3 -c 'import json,sys; sys.exit(0 if "Bash(git reset --hard:*)" in json.load(open(sys.argv[1]))["permissions"]["deny"] else 1)' "$dir/home/.claude/settings.json"
  fi
  start_model "$dir"
  (
    cd "$dir/repo" &&
    env -i PATH="$PATH" HOME="$dir/home" TERM=dumb SHELL=/bin/bash \
      ANTHROPIC_BASE_URL="http://127.0.0.1:$PORT" ANTHROPIC_API_KEY=dummy IS_SANDBOX=1 \
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 \
      timeout "$RUN_TIMEOUT" "$CLAUDE" -p "Run the scripted steps." \
      --permission-mode bypassPermissions </dev/null >"$dir/out.txt" 2>"$dir/err.txt"
  )
  stop_model
  native_verdicts "$h" "$dir"
  if [ "$mode" = hook ]; then
    check "$h: the model got policy-exec's reason (rule $DENIED_RULE)" grep -q "$DENIED_RULE" "$dir/seen-denied.txt"
  else
    check "$h: the model was told permission was denied" grep -qi 'denied' "$dir/seen-denied.txt"
  fi
}
run_codex-native() { run_codex_plain native; }
run_codex-hook() { run_codex_plain hook; }
run_claude-native() { run_claude_plain native; }
run_claude-hook() { run_claude_plain hook; }

# ---------------------------------------------------------------- Factory Droid
# Droid always runs /bin/bash itself: only its native lists and its hook can stop a
# command. It runs offline against the fake model through a customModels entry.
run_droid() { # run_droid NAME HOOKS(0|1)
  local h=$1 hooks=$2
  local dir=$WORK/$h
  mkdir -p "$dir/home/.factory"
  echo; echo "==> Factory Droid $("$DROID" --version 2>/dev/null), $([ "$hooks" = 1 ] && echo 'hook only (no native lists)' || echo 'native lists only')"
  if ! "$DROID" --version >/dev/null 2>&1; then skip "$h: droid is not installed ($DROID)"; return; fi
  make_repo "$dir/repo" || { fail "$h: test repo"; return; }
  start_model "$dir"
  printf '{"customModels": [{"model": "claude-fake", "displayName": "Fake", "baseUrl": "http://127.0.0.1:%s", "apiKey": "dummy", "provider": "anthropic", "maxOutputTokens": 4096}]}\n' \
    "$PORT" >"$dir/home/.factory/settings.json"
  local flags=()
  [ "$hooks" = 1 ] && flags+=(--hooks)
  sync_home "$dir/home" "${flags[@]}" \
    || { fail "$h: policy-exec sync --apply ${flags[*]}"; cat "$dir/home.sync.txt"; stop_model; return; }
  check "$h: sync kept Droid's customModels" grep -q customModels "$dir/home/.factory/settings.json"
  if [ "$hooks" = 1 ]; then
    python3 - "$dir/home/.factory/settings.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for k in ("commandAllowlist", "commandRequestlist", "commandDenylist", "commandBlocklist"):
    v.pop(k, None)
json.dump(v, open(sys.argv[1], "w"), indent=2)
PY
    check "$h: ~/.factory/hooks.json has our Execute hook" grep -q ' hook droid' "$dir/home/.factory/hooks.json"
  else
    check "$h: git reset --hard is in commandBlocklist" \
      python3 -c 'import json,sys; sys.exit(0 if "git reset --hard" in json.load(open(sys.argv[1]))["commandBlocklist"] else 1)' "$dir/home/.factory/settings.json"
  fi
  (
    cd "$dir/repo" &&
    env -i PATH="$PATH" HOME="$dir/home" TERM=dumb \
      timeout "$RUN_TIMEOUT" "$DROID" exec --auto high -m custom:Fake-0 "Run the scripted steps." \
      </dev/null >"$dir/out.txt" 2>"$dir/err.txt"
  )
  stop_model
  native_verdicts "$h" "$dir"
  if [ "$hooks" = 1 ]; then
    check "$h: the model got policy-exec's reason (rule $DENIED_RULE)" grep -q "$DENIED_RULE" "$dir/seen-denied.txt"
  else
    check "$h: the model was told the command is blocked" grep -qi 'blocked' "$dir/seen-denied.txt"
  fi
}
run_droid-native() { run_droid droid-native 0; }
run_droid-hook() { run_droid droid-hook 1; }

# ---------------------------------------------------------------- Gemini CLI, Copilot CLI, OpenCode
# Each run happens in a network namespace that holds only `lo`: the fake model and the
# harness both live there, so nothing reaches (or waits for) the outside network.
NEW_SKIP=
NETNS=()
if [ $NEW -eq 1 ]; then
  if [ -z "${HARNESS_NPM_DIR:-}" ] || [ ! -x "$NPM_DIR/node_modules/.bin/gemini" ]; then
    echo "==> npm install @google/gemini-cli@$GEMINI_VERSION @github/copilot@$COPILOT_VERSION opencode-ai@$OPENCODE_VERSION"
    mkdir -p "$NPM_DIR"
    [ -e "$NPM_DIR/package.json" ] || echo '{"private":true}' >"$NPM_DIR/package.json"
    if ! (cd "$NPM_DIR" && timeout 600 npm install --no-audit --no-fund --loglevel=error \
          "@google/gemini-cli@$GEMINI_VERSION" "@github/copilot@$COPILOT_VERSION" \
          "opencode-ai@$OPENCODE_VERSION" >npm-new.log 2>&1); then
      NEW_SKIP="npm install of the harness packages failed (is the npm registry reachable?): $(grep -m1 -i 'err' "$NPM_DIR/npm-new.log" | cut -c1-200)"
    fi
  fi
  # OpenCode installs @opencode-ai/plugin into its config directory before it loads a
  # plugin; offline it would wait for the registry forever. Installed here once, copied
  # into each OpenCode home that has a plugin (what OpenCode itself does when online).
  if [ -z "$NEW_SKIP" ] && [ ! -d "$NPM_DIR/opencode-config/node_modules/@opencode-ai/plugin" ]; then
    mkdir -p "$NPM_DIR/opencode-config"
    (cd "$NPM_DIR/opencode-config" && timeout 300 npm install --no-audit --no-fund --loglevel=error \
      "@opencode-ai/plugin@$OPENCODE_VERSION" >npm.log 2>&1) \
      || NEW_SKIP="npm install of @opencode-ai/plugin@$OPENCODE_VERSION failed (is the npm registry reachable?)"
  fi
  if [ "$(id -u)" = 0 ]; then NETNS=(unshare -n); else NETNS=(unshare -r -n); fi
  if [ -z "$NEW_SKIP" ] && ! "${NETNS[@]}" sh -c 'ip link set lo up' >"$WORK/netns.err" 2>&1; then
    NEW_SKIP="cannot make a network namespace with only lo (${NETNS[*]}: $(head -1 "$WORK/netns.err"))"
  fi
fi
GEMINI=$NPM_DIR/node_modules/.bin/gemini
COPILOT=$NPM_DIR/node_modules/.bin/copilot
OPENCODE=$NPM_DIR/node_modules/.bin/opencode

netns_run() { # netns_run DIR: run the exported function `harness` (which may use $PORT)
  # with the fake model, both inside a fresh network namespace; stdout/err to DIR.
  local dir=$1
  export D=$dir HERE ALLOWED_CMD DENIED_CMD RUN_TIMEOUT
  "${NETNS[@]}" bash -c '
    ip link set lo up || exit 97
    python3 "$HERE/fake_model.py" --log "$D/model.jsonl" --port-file "$D/port" \
      --timeout "$((RUN_TIMEOUT + 30))" --max-requests 100 \
      --allowed-cmd "$ALLOWED_CMD" --denied-cmd "$DENIED_CMD" 2>"$D/model.err" &
    model=$!
    for _ in $(seq 100); do [ -s "$D/port" ] && break; sleep 0.1; done
    PORT=$(cat "$D/port") || exit 98
    export PORT
    (cd "$D/repo" && harness) <"/dev/null" >"$D/out.txt" 2>"$D/err.txt"
    rc=$?
    kill "$model" 2>/dev/null; wait "$model" 2>/dev/null
    exit $rc'
}

new_setup() { # new_setup NAME MODE: dir, repo, home; false (with a SKIP) when it cannot run
  local h=$1
  DIR=$WORK/$h
  mkdir -p "$DIR/home"
  if [ -n "$NEW_SKIP" ]; then skip "$h: $NEW_SKIP"; return 1; fi
  make_repo "$DIR/repo" || { fail "$h: test repo"; return 1; }
  TRACER=
  [ "$2" = shell ] && [ $HAVE_STRACE -eq 1 ] && TRACER="strace -f -s 65536 -e trace=execve -o $DIR/strace.txt"
  export TRACER HOME_DIR=$DIR/home POLICY_EXEC_MANIFEST
  return 0
}

new_verdicts() { # new_verdicts NAME MODE RC: shell runs get every check, others the short ones
  local h=$1 mode=$2 rc=$3
  if [ "$rc" -eq 0 ]; then pass "$h: the harness ran to its end (exit 0)"
  else fail "$h: the harness ran to its end (exit $rc)"; tail -8 "$DIR/err.txt" | indent; fi
  if [ "$mode" = shell ]; then
    verdicts "$h" "$DIR"
  else
    native_verdicts "$h" "$DIR"
    python3 "$HERE/check.py" tool-output "$DIR/model.jsonl" 0 >"$DIR/seen-allowed.txt" 2>&1
    check "$h: model got the allowed command's result, not a refusal" \
      bash -c "! grep -qi 'denied\|blocked' '$DIR/seen-allowed.txt'"
  fi
}

hook_home() { # hook_home NAME: sync --apply --hooks into the run's home, native rules removed
  sync_home "$DIR/home" --hooks || { fail "$1: policy-exec sync --apply --hooks"; cat "$DIR/home.sync.txt"; return 1; }
  rm -f "$DIR/home/.gemini/policies/policy-exec.toml"
  python3 - "$DIR/home/.config/opencode/opencode.json" <<'PY'
import json, os, sys
p = sys.argv[1]
if os.path.exists(p):
    v = json.load(open(p))
    v.pop("permission", None)
    json.dump(v, open(p, "w"), indent=2)
PY
}

# Gemini CLI: `bash` is looked up on PATH at each call; the API key and base URL point it
# at the fake model; --yolo approves every tool call (policy-exec is what refuses).
gemini_settings() { # gemini_settings HOME: API-key auth, merged into what sync wrote
  python3 - "$1/.gemini/settings.json" <<'PY'
import json, os, sys
p = sys.argv[1]
os.makedirs(os.path.dirname(p), exist_ok=True)
v = json.load(open(p)) if os.path.exists(p) else {}
v.setdefault("security", {}).setdefault("auth", {})["selectedType"] = "gemini-api-key"
json.dump(v, open(p, "w"), indent=2)
PY
}
run_gemini_mode() { # run_gemini_mode shell|hook|native|both
  local mode=$1 h=gemini; [ "$mode" = shell ] || h=gemini-$mode
  echo; echo "==> Gemini CLI $GEMINI_VERSION, $mode"
  new_setup "$h" "$([ "$mode" = hook ] || [ "$mode" = native ] && echo plain || echo shell)" || return
  local path=$PATH
  case $mode in
    shell) path=$WORK/shims:$PATH ;;
    both) path=$WORK/shims:$PATH; hook_home "$h" || return ;;
    hook) hook_home "$h" || return
      check "$h: ~/.gemini/settings.json has our BeforeTool hook" grep -q ' hook gemini' "$DIR/home/.gemini/settings.json" ;;
    native) sync_home "$DIR/home" || { fail "$h: policy-exec sync --apply"; cat "$DIR/home.sync.txt"; return; }
      check "$h: sync wrote a git reset --hard deny into ~/.gemini/policies/policy-exec.toml" \
        grep -q 'commandPrefix = "git reset --hard"' "$DIR/home/.gemini/policies/policy-exec.toml" ;;
  esac
  gemini_settings "$DIR/home"
  export P=$path GEMINI
  harness() {
    env -i PATH="$P" HOME="$HOME_DIR" TERM=dumb POLICY_EXEC_MANIFEST="$POLICY_EXEC_MANIFEST" \
      GEMINI_API_KEY=dummy GOOGLE_GEMINI_BASE_URL="http://127.0.0.1:$PORT" \
      GEMINI_CLI_TRUST_WORKSPACE=true \
      timeout "$RUN_TIMEOUT" $TRACER "$GEMINI" -p "Run the scripted steps." \
      -m gemini-2.5-flash -o json --yolo
  }
  export -f harness
  netns_run "$DIR"; local rc=$?
  new_verdicts "$h" "$([ "$mode" = shell ] || [ "$mode" = both ] && echo shell || echo plain)" $rc
  case $mode in
    hook|both) check "$h: the model got policy-exec's reason (rule $DENIED_RULE)" grep -q "$DENIED_RULE" "$DIR/seen-denied.txt" ;;
    native) check "$h: the model was told the policy denied it" grep -qi 'denied\|policy' "$DIR/seen-denied.txt" ;;
  esac
  if [ "$mode" = both ] && [ -s "$DIR/strace.txt" ]; then
    check "$h: the hook command ran through the shim and was let through" \
      grep -q "shims/bash\", \[\"bash\", \"-c\", \"[^\"]* hook gemini" "$DIR/strace.txt"
  fi
}
run_gemini() { run_gemini_mode shell; }
run_gemini-hook() { run_gemini_mode hook; }
run_gemini-native() { run_gemini_mode native; }
run_gemini-both() { run_gemini_mode both; }

# Copilot CLI: COPILOT_BASH_PATH names the shell; the provider variables point it at the
# fake model (Chat Completions); --allow-all-tools approves every tool call.
run_copilot_mode() { # run_copilot_mode shell|hook|native|both
  local mode=$1 h=copilot; [ "$mode" = shell ] || h=copilot-$mode
  echo; echo "==> GitHub Copilot CLI $COPILOT_VERSION, $mode"
  if [ "$mode" = native ]; then
    mkdir -p "$WORK/$h"
    skip "$h: Copilot CLI has no user-level deny file (only --deny-tool flags, allow-only ~/.copilot/permissions-config.json, or root's managed-settings.json, where any rule makes every unmatched command need approval); sync reports this instead of writing one"
    return
  fi
  new_setup "$h" "$([ "$mode" = hook ] && echo plain || echo shell)" || return
  local bash_path=
  case $mode in
    shell) bash_path=$SHIM ;;
    both) bash_path=$SHIM; hook_home "$h" || return ;;
    hook) hook_home "$h" || return
      check "$h: ~/.copilot/hooks/policy-exec.json has our preToolUse hook" grep -q ' hook copilot' "$DIR/home/.copilot/hooks/policy-exec.json" ;;
  esac
  export BASH_PATH=$bash_path COPILOT
  harness() {
    env -i PATH="$PATH" HOME="$HOME_DIR" TERM=dumb POLICY_EXEC_MANIFEST="$POLICY_EXEC_MANIFEST" \
      ${BASH_PATH:+COPILOT_BASH_PATH="$BASH_PATH"} \
      COPILOT_OFFLINE=true COPILOT_PROVIDER_BASE_URL="http://127.0.0.1:$PORT/v1" \
      COPILOT_PROVIDER_API_KEY=dummy COPILOT_MODEL=gpt-4.1 \
      timeout "$RUN_TIMEOUT" $TRACER "$COPILOT" -p "Run the scripted steps." \
      --allow-all-tools --output-format json
  }
  export -f harness
  netns_run "$DIR"; local rc=$?
  new_verdicts "$h" "$([ "$mode" = hook ] && echo plain || echo shell)" $rc
  case $mode in
    hook|both) check "$h: the model got policy-exec's reason (rule $DENIED_RULE)" grep -q "$DENIED_RULE" "$DIR/seen-denied.txt" ;;
  esac
  if [ "$mode" = both ] && [ -s "$DIR/strace.txt" ]; then
    check "$h: the hook command ran through the shim and was let through" \
      grep -q "shims/bash\", \[\"$SHIM\", \"-c\", \"[^\"]* hook copilot\|shims/bash\", \[[^]]*hook copilot" "$DIR/strace.txt"
  fi
}
run_copilot() { run_copilot_mode shell; }
run_copilot-hook() { run_copilot_mode hook; }
run_copilot-native() { run_copilot_mode native; }
run_copilot-both() { run_copilot_mode both; }

# OpenCode: the `shell` key of opencode.json names the shell; a custom provider
# (@ai-sdk/openai-compatible, bundled with OpenCode) points it at the fake model.
opencode_config() { # opencode_config HOME SHELL: provider merged into what sync wrote
  python3 - "$1/.config/opencode/opencode.json" "$2" <<'PY'
import json, os, sys
p, shell = sys.argv[1], sys.argv[2]
os.makedirs(os.path.dirname(p), exist_ok=True)
v = json.load(open(p)) if os.path.exists(p) else {}
v.update({"provider": {"fake": {"npm": "@ai-sdk/openai-compatible", "name": "Fake",
          "options": {"baseURL": "http://127.0.0.1:__PORT__/v1", "apiKey": "dummy"},
          "models": {"fake-model": {"name": "Fake", "tool_call": True}}}},
          "model": "fake/fake-model", "autoupdate": False, "share": "disabled"})
if shell:
    v["shell"] = shell
json.dump(v, open(p, "w"), indent=2)
PY
}
run_opencode_mode() { # run_opencode_mode shell|hook|native
  local mode=$1 h=opencode; [ "$mode" = shell ] || h=opencode-$mode
  echo; echo "==> OpenCode $OPENCODE_VERSION, $mode"
  new_setup "$h" "$([ "$mode" = shell ] && echo shell || echo plain)" || return
  local shell=
  case $mode in
    shell) shell=$SHIM ;;
    hook) hook_home "$h" || return
      check "$h: sync installed the plugin, pinned to this policy-exec" \
        grep -qF "const COMMAND = [\"$WORK/bin/policy-exec\",\"hook\",\"opencode\"" "$DIR/home/.config/opencode/plugin/policy-exec.js"
      cp -R "$NPM_DIR/opencode-config/." "$DIR/home/.config/opencode/" ;;
    native) sync_home "$DIR/home" || { fail "$h: policy-exec sync --apply"; cat "$DIR/home.sync.txt"; return; }
      check "$h: sync wrote \"git reset --hard *\": \"deny\" into opencode.json" \
        python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["permission"]["bash"].get("git reset --hard *") == "deny" else 1)' "$DIR/home/.config/opencode/opencode.json" ;;
  esac
  opencode_config "$DIR/home" "$shell"
  export OPENCODE
  harness() {
    sed -i "s/__PORT__/$PORT/" "$HOME_DIR/.config/opencode/opencode.json"
    env -i PATH="$PATH" HOME="$HOME_DIR" TERM=dumb POLICY_EXEC_MANIFEST="$POLICY_EXEC_MANIFEST" \
      SHELL=/bin/bash OPENCODE_DISABLE_MODELS_FETCH=true \
      timeout "$RUN_TIMEOUT" $TRACER "$OPENCODE" run --format json "Run the scripted steps."
  }
  export -f harness
  netns_run "$DIR"; local rc=$?
  new_verdicts "$h" "$([ "$mode" = shell ] && echo shell || echo plain)" $rc
  case $mode in
    hook) check "$h: the model got policy-exec's reason (rule $DENIED_RULE)" grep -q "$DENIED_RULE" "$DIR/seen-denied.txt" ;;
    native) check "$h: the model was told the command was refused" grep -qi 'denied\|reject\|not allowed\|permission' "$DIR/seen-denied.txt" ;;
  esac
}
run_opencode() { run_opencode_mode shell; }
run_opencode-hook() { run_opencode_mode hook; }
run_opencode-native() { run_opencode_mode native; }

for h in "${WANT[@]}"; do "run_$h"; done

echo
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ $FAILED -eq 0 ]
