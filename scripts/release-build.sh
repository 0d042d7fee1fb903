#!/usr/bin/env bash
# Builds the release binary the way it is installed, and prints its path.
#
# On glibc Linux, when the C toolchain can link a static-pie program, the binary is
# linked static-pie (`-C target-feature=+crt-static`): no dynamic loader and no shared
# libraries to map at start-up, which policy-exec pays on every command it judges
# (benches/decision.rs measures it). POLICY_EXEC_DYNAMIC=1 builds the ordinary binary.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n 's/^host: //p')
static_ok() {
  [ -z "${POLICY_EXEC_DYNAMIC:-}" ] && [[ $host == *-linux-gnu ]] &&
    command -v cc >/dev/null 2>&1 &&
    printf 'int main(void){return 0;}\n' | cc -x c - -static-pie -o /dev/null >/dev/null 2>&1
}
if static_ok; then
  # --target keeps the flag off build scripts and proc-macros, which cannot be static.
  RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --locked --quiet --target "$host" --bin policy-exec >&2
  echo "target/$host/release/policy-exec"
else
  cargo build --release --locked --quiet --bin policy-exec >&2
  echo "target/release/policy-exec"
fi
