#!/usr/bin/env bash
# Builds the release binary the way it is installed, and prints its path (cargo's
# progress goes to stderr).
#
# On glibc Linux, when the C toolchain can link a static program, the binary is linked
# static and position-dependent (`-C target-feature=+crt-static -C
# relocation-model=static`): no dynamic loader, no shared libraries to map, and no
# start-up relocation of its own ~340 KB of pointer tables (a static-pie copies and
# patches those pages on every start: about 95 page faults, measured with `perf stat`).
# policy-exec pays start-up on every command it judges (benches/decision.rs measures
# it). SECURITY: a position-dependent binary loads at a fixed address (no ASLR for its
# own code; stack, heap and mmap stay randomised). That matters only to an exploit of a
# memory bug, and the agent already runs as the same user (README, threat model);
# POLICY_EXEC_PIE=1 keeps static-pie, POLICY_EXEC_DYNAMIC=1 builds the ordinary binary,
# POLICY_EXEC_NO_ORDER=1 leaves the code in the linker's default order.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
static_ok() {
  [ -z "${POLICY_EXEC_DYNAMIC:-}" ] && [[ $host == *-linux-gnu ]] &&
    command -v cc >/dev/null 2>&1 &&
    printf 'int main(void){return 0;}\n' | cc -x c - -static-pie -o /dev/null >/dev/null 2>&1 &&
    printf 'int main(void){return 0;}\n' | cc -x c - -static -o /dev/null >/dev/null 2>&1
}
# The functions a judgement runs, laid out together at the start of the code when the
# linker is lld (rustc's default on x86_64 Linux): a start then touches a few hundred KB
# of code instead of pages spread over ~10 MB, each a page fault (scripts/hot-symbols.sh
# makes the list and says why). Probed with a tiny program and the same flags (RUSTFLAGS
# included), because a toolchain that links with GNU ld (an older rustc, or
# `-C link-arg=-fuse-ld=bfd`) does not know the option; names the binary does not hold
# are skipped.
order=$PWD/scripts/hot-symbols.txt
order_ok() {
  # RUSTFLAGS is split at spaces: a checkout path with one goes without.
  [ -s "$order" ] && [ -z "${POLICY_EXEC_NO_ORDER:-}" ] && [[ $order != *[[:space:]]* ]] || return 1
  local probe
  probe=$(mktemp -d) || return 1
  printf 'fn main() {}\n' >"$probe/main.rs"
  # shellcheck disable=SC2086 # RUSTFLAGS is split at spaces, as cargo splits it
  rustc -o "$probe/main" ${RUSTFLAGS:-} "$@" -C link-arg=-Wl,--symbol-ordering-file="$order" \
    -C link-arg=-Wl,--no-warn-symbol-ordering "$probe/main.rs" >/dev/null 2>&1
  local ok=$?
  rm -rf "$probe"
  return $ok
}
ordering=
# Rust's v0 symbol names: a function's name is its path (and its generic arguments), with
# no hash of the crate's contents. The legacy names end in a hash that changes when
# unrelated code of the crate changes, so a list made a few commits earlier named the
# judgement's own functions under names the binary no longer held (measured: about a
# dozen of the code pages a shell-mode start faulted in were such functions, left in
# the linker's default order).
mangling="-C symbol-mangling-version=v0"
# How many of the listed symbols the binary holds (a new rustc or Cargo.lock renames
# most of them: then the list is stale, and the layout the linker's default).
report_order() {
  [ -n "$ordering" ] && command -v nm >/dev/null 2>&1 || return 0
  local found listed
  found=$(nm --defined-only "$1" 2>/dev/null | awk '{ print $NF }' | grep -cxFf "$order" || true)
  listed=$(wc -l <"$order")
  echo "release-build.sh: $found of $listed symbols of scripts/hot-symbols.txt laid out first (a local name can be found more than once)" >&2
  if [ "$((found * 2))" -lt "$listed" ]; then
    echo "release-build.sh: the list is stale: run scripts/hot-symbols.sh" >&2
  fi
}

if static_ok; then
  # --target keeps the flag off build scripts and proc-macros, which cannot be static.
  model=static
  [ -n "${POLICY_EXEC_PIE:-}" ] && model=pie
  flags="-C target-feature=+crt-static -C relocation-model=$model"
  if order_ok $flags; then
    ordering="-C link-arg=-Wl,--symbol-ordering-file=$order -C link-arg=-Wl,--no-warn-symbol-ordering"
  fi
  # getrandom finds glibc's getrandom() with dlsym, which a static program cannot do:
  # it then opens /dev/random and /dev/urandom on every start. Name the backend.
  RUSTFLAGS="${RUSTFLAGS:-} $flags $mangling $ordering --cfg getrandom_backend=\"linux_getrandom\"" \
    cargo build --release --locked --target "$host" --bin policy-exec >&2
  report_order "target/$host/release/policy-exec"
  echo "target/$host/release/policy-exec"
else
  if order_ok; then
    ordering="-C link-arg=-Wl,--symbol-ordering-file=$order -C link-arg=-Wl,--no-warn-symbol-ordering"
  fi
  RUSTFLAGS="${RUSTFLAGS:-} $mangling $ordering" cargo build --release --locked --bin policy-exec >&2
  report_order target/release/policy-exec
  echo "target/release/policy-exec"
fi
