#!/usr/bin/env bash
# Regenerates scripts/hot-symbols.txt: the functions a judgement runs, the most common
# first, then the statics it reads and writes, which scripts/release-build.sh hands the
# linker (`--symbol-ordering-file`) so that they lie together at the start of the
# binary's code and data instead of spread over its ~10 MB.
#
# Why: policy-exec starts once per judged command, and every 64 KB window of code a
# start touches is a page fault (the kernel maps file pages 16 at a time around the one
# that faulted). Laid out by the linker's default order, a `check` touched code in about
# 50 such windows (README, Performance).
#
# How: the release binary judges a set of typical commands (shell mode, `check`, an exec
# guard; allows, refusals, a path operand, a repository predicate) under
# `valgrind --tool=callgrind`, each twice so the second run is the cached judgement every
# real start takes (valgrind's own executable gives the cache another binary identity,
# so the first run rebuilds it). Every function that ran is written, as the symbol table
# spells it (mangled): first those that ran in the most judgements (what every start
# runs, then what only refusals or only `check` run), then by instructions run in them;
# glibc's string functions with every variant its start could pick instead. Needs
# valgrind, git and nm.
#
# The file names symbols of one build: a different rustc, a changed Cargo.lock or a new
# crate version changes the hashes in most names, and a renamed function drops out.
# Stale names are harmless (the linker skips names it does not find; the release build
# says how many it found); run this again after such changes.
#
# Usage: scripts/hot-symbols.sh [BINARY]   (default: builds with scripts/release-build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
command -v valgrind >/dev/null || { echo "hot-symbols.sh: needs valgrind" >&2; exit 1; }

bin=${1:-}
[ -n "$bin" ] || bin=$root/$(scripts/release-build.sh)
bin=$(realpath "$bin")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
home=$work/home
config=$home/.config/policy-exec
mkdir -p "$config"
cp -R bundles/default/policy-config "$config/policy-config"
env -i HOME="$home" "$bin" resolve --root "$config" --harness default --task-domain default \
  --emit-host-rules --host-out-dir "$config" >/dev/null 2>&1

# A repository, for the conditional rules that ask git for its state.
repo=$home/repo
mkdir -p "$repo/src"
echo 'fn main() {}' >"$repo/src/main.rs"
git -C "$repo" init -q -b main
git -C "$repo" -c user.name=b -c user.email=b@example.com add -A
git -C "$repo" -c user.name=b -c user.email=b@example.com commit -q -m i

# The binary under the names it answers to: `bash` (shell mode) and `git` (an exec guard).
mkdir -p "$work/shims" "$work/guards"
ln -s "$bin" "$work/shims/bash"
ln -s "$bin" "$work/guards/git"

# One judgement per line: the program, then its arguments, separated by tabs.
scenarios=$(printf '%s\n' \
  "$work/shims/bash	-c	true" \
  "$work/shims/bash	-c	git status && ls -la | head" \
  "$work/shims/bash	-c	cargo build --release 2>&1 | tail -5" \
  "$work/shims/bash	-c	cat src/main.rs | grep -n main > out.txt" \
  "$work/shims/bash	-c	git diff HEAD~1 -- src/main.rs; echo \"\$HOME\"" \
  "$work/shims/bash	-c	git push --force origin main" \
  "$work/shims/bash	-c	rm -rf build && mkdir -p build" \
  "$work/shims/bash	-c	for f in *.rs; do wc -l \"\$f\"; done" \
  "$work/shims/bash	-c	python3 -c 'print(1)'" \
  "$bin	check	--cwd	/	--command	git status && ls -la | head" \
  "$bin	check	--cwd	$repo	--command	git checkout main" \
  "$bin	check	--cwd	$repo	--json	--command	git reset --hard" \
  "$work/guards/git	--version")

n=0
while IFS=$'\t' read -r -a argv; do
  n=$((n + 1))
  for pass in warm profile; do
    # A run that execs (shell mode, a guard) is dumped before it does: valgrind does
    # not follow the exec, and would write nothing at the end.
    (cd "$repo" && env -i HOME="$home" PATH="$work/guards:/usr/bin:/bin" \
      valgrind --tool=callgrind --demangle=no --dump-before=execve \
      --callgrind-out-file="$work/$pass.$n" "${argv[@]}" </dev/null >/dev/null 2>&1) || true
  done
  # The data it reads and writes (lackey traces every access; the cache is warmed for
  # lackey's own binary identity first): addresses of the binary's own statics only,
  # which a position-dependent binary has at the addresses `nm` gives.
  for pass in warm trace; do
    trace=
    [ "$pass" = trace ] && trace=--trace-mem=yes
    (cd "$repo" && env -i HOME="$home" PATH="$work/guards:/usr/bin:/bin" \
      valgrind --tool=lackey $trace --log-fd=9 "${argv[@]}" 9>&1 </dev/null >/dev/null 2>&1 |
      awk '$1 ~ /^[LSM]$/ { split($2, a, ","); print a[1], ($1 == "L" ? "r" : "w") }' |
      sort -u >"$work/data.$n") || true
  done
done <<<"$scenarios"

# Self cost per function, summed over the runs: in callgrind's format a cost line
# follows `fn=`, except the one right after `calls=`, which is the call's inclusive cost;
# a name is written once per file, then referred to by its number.
awk '
  /^c?fn=/ {
    call = ($0 ~ /^cfn=/); name = $0; sub(/^c?fn=/, "", name)
    if (match(name, /^\([0-9]+\)/)) {
      id = FILENAME substr(name, 1, RLENGTH); rest = substr(name, RLENGTH + 2)
      if (rest != "") names[id] = rest
      name = names[id]
    }
    if (!call) { fn = name; sub(/'"'"'[0-9]+$/, "", fn) }
    next
  }
  /^calls=/ { skip = 1; next }
  /^[0-9+*-]/ {
    if (skip) { skip = 0; next }
    if (fn == "" || $2 == 0) next
    self[fn] += $2
    if (!((FILENAME, fn) in seen)) { seen[FILENAME, fn] = 1; runs[fn]++ }
    next
  }
  END { for (f in self) if (f !~ /^0x/) print runs[f], self[f], f }
' "$work"/profile.* | sort -k1,1nr -k2,2nr -k3 | awk '{ print $3 }' >"$work/profiled"

# What only a native start runs, first: valgrind dumps before the `execve` (so
# `__execve` itself is not in a profile) and handles the vDSO itself (so glibc's lookup
# of the vDSO's symbols does not run under it); in the linker's default order each of
# these was a page fault of its own (`perf record -e page-faults -d`). `frame_dummy` is
# the C runtime's, run at start.
printf '%s\n' __execve _dl_non_dynamic_init setup_vdso_pointers dl_vdso_vsym \
  _dl_lookup_symbol_x do_lookup_x check_match __strcmp_evex frame_dummy >"$work/ran"
grep -vxFf "$work/ran" "$work/profiled" >>"$work/ran" || true

# glibc picks a string function's variant for the CPU at start (`__memcpy_avx_unaligned`
# under valgrind, `__memcpy_evex_unaligned_erms` on another machine): each variant that
# ran brings its siblings along, right after it.
nm --defined-only "$bin" | awk '{ print $NF }' | sort -u >"$work/symbols"
awk -v symbols="$work/symbols" '
  BEGIN { while ((getline s < symbols) > 0) all[++n] = s }
  {
    if (!($0 in seen)) { seen[$0] = 1; print }
    if (match($0, /^__(mem|str|stp|wcs|wmem|raw)[a-z0-9]*_/)) {
      base = substr($0, 1, RLENGTH)
      for (i = 1; i <= n; i++)
        if (index(all[i], base) == 1 && !(all[i] in seen)) { seen[all[i]] = 1; print all[i] }
    }
  }
' "$work/ran" >scripts/hot-symbols.txt.new

# Then the statics those judgements touched (`.data`, `.bss`, `.data.rel.ro`, named
# `.rodata`), those written first: the ordering file lays out data sections too, so that
# they share a few pages instead of one page each. Every page a start writes is a page
# fault of its own (a private copy), while pages only read come 16 to a fault; glibc's
# start writes a dozen statics. Skipped for a position-independent binary, whose
# addresses `nm` does not give.
if readelf -h "$bin" 2>/dev/null | grep -q 'Type:.*EXEC'; then
  nm -n -S --defined-only "$bin" | awk 'NF == 4 && $3 ~ /^[dDbBrRvV]$/ { print $1, $2, $4 }' \
    >"$work/statics"
  cat "$work"/data.* | sort -u | awk -v statics="$work/statics" '
    function hex(s,   i, v) {
      v = 0; s = tolower(s)
      for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
      return v
    }
    BEGIN {
      while ((getline line < statics) > 0) {
        split(line, f, " "); n++; at[n] = hex(f[1]); end[n] = at[n] + hex(f[2]); name[n] = f[3]
      }
    }
    {
      a = hex($1); lo = 1; hi = n; found = 0
      # The last static that starts at or before the address, if the address is in it.
      while (lo <= hi) { mid = int((lo + hi) / 2); if (at[mid] <= a) { found = mid; lo = mid + 1 } else hi = mid - 1 }
      if (!found || a >= end[found]) next
      if (!(name[found] in order)) { order[name[found]] = ++seen; names[seen] = name[found] }
      if ($2 == "w") written[name[found]] = 1
    }
    END {
      for (i = 1; i <= seen; i++) if (names[i] in written) print names[i]
      for (i = 1; i <= seen; i++) if (!(names[i] in written)) print names[i]
    }
  ' | grep -vxFf scripts/hot-symbols.txt.new >>scripts/hot-symbols.txt.new || true
fi
mv scripts/hot-symbols.txt.new scripts/hot-symbols.txt
echo "scripts/hot-symbols.txt: $(wc -l <scripts/hot-symbols.txt) symbols from $n judgements" >&2
