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
# POLICY_EXEC_PIE=1 keeps static-pie, POLICY_EXEC_DYNAMIC=1 builds the ordinary binary.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
static_ok() {
  [ -z "${POLICY_EXEC_DYNAMIC:-}" ] && [[ $host == *-linux-gnu ]] &&
    command -v cc >/dev/null 2>&1 &&
    printf 'int main(void){return 0;}\n' | cc -x c - -static-pie -o /dev/null >/dev/null 2>&1 &&
    printf 'int main(void){return 0;}\n' | cc -x c - -static -o /dev/null >/dev/null 2>&1
}
if static_ok; then
  # --target keeps the flag off build scripts and proc-macros, which cannot be static.
  model=static
  [ -n "${POLICY_EXEC_PIE:-}" ] && model=pie
  # getrandom finds glibc's getrandom() with dlsym, which a static program cannot do:
  # it then opens /dev/random and /dev/urandom on every start. Name the backend.
  RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static -C relocation-model=$model --cfg getrandom_backend=\"linux_getrandom\"" \
    cargo build --release --locked --target "$host" --bin policy-exec >&2
  echo "target/$host/release/policy-exec"
else
  cargo build --release --locked --bin policy-exec >&2
  echo "target/release/policy-exec"
fi
