#!/usr/bin/env bash
# Builds policy-exec, installs the binary, its default policy, bundle and manifest, and
# shows the default policy at work. Safe to run again: every step overwrites in place.
#
#   PREFIX=/opt/policy-exec ./install.sh      # binary in $PREFIX/bin (default ~/.local)
set -euo pipefail
cd "$(dirname "$0")"

prefix="${PREFIX:-$HOME/.local}"
bin_dir="$prefix/bin"
config_dir="${XDG_CONFIG_HOME:-$HOME/.config}/policy-exec"

echo "==> building (release; the first build takes a few minutes, cargo shows its progress)"
built=$(scripts/release-build.sh)

echo "==> installing $bin_dir/policy-exec"
mkdir -p "$bin_dir"
install -m 0755 "$built" "$bin_dir/policy-exec.new"
mv -f "$bin_dir/policy-exec.new" "$bin_dir/policy-exec"

shim_dir="${XDG_DATA_HOME:-$HOME/.local/share}/policy-exec/shims"
echo "==> installing shell shims in $shim_dir"
mkdir -p "$shim_dir"
# The shell names come from shims/shells, the list `policy-exec setup` also links.
while read -r name; do
  case $name in ''|'#'*) continue ;; esac
  ln -sfn "$bin_dir/policy-exec" "$shim_dir/$name"
done <shims/shells

mkdir -p "$config_dir"
if [ -d "$config_dir/policy-config" ]; then
  # Never overwrite an operator's policy: it may have been edited since.
  echo "==> keeping the existing policy in $config_dir/policy-config"
else
  echo "==> installing the default policy under $config_dir"
  rm -rf "$config_dir/policy-config.new"
  cp -R bundles/default/policy-config "$config_dir/policy-config.new"
  mv "$config_dir/policy-config.new" "$config_dir/policy-config"
fi

echo "==> generating the bundle and manifest from it"
# The host report goes to a log: `policy-exec sync` shows it on demand.
if ! "$bin_dir/policy-exec" resolve --root "$config_dir" --harness default --task-domain default \
  --emit "$config_dir/policy.json" --emit-host-rules --host-out-dir "$config_dir" \
  >/dev/null 2>"$config_dir/last-sync.log"; then
  cat "$config_dir/last-sync.log" >&2
  exit 1
fi

guard_dir="${XDG_DATA_HOME:-$HOME/.local/share}/policy-exec/guards"
if [ "${GUARDS:-0}" = 1 ]; then
  # Exec guards (opt-in): policy-exec linked as each program the policy's deny and
  # request rules name; shell mode puts this directory first on the PATH it hands bash.
  echo "==> installing exec guards in $guard_dir"
  mkdir -p "$guard_dir"
  find "$guard_dir" -maxdepth 1 -type l -delete
  for program in $("$bin_dir/policy-exec" guards); do
    ln -sfn "$bin_dir/policy-exec" "$guard_dir/$program"
  done
elif [ -d "$guard_dir" ]; then
  echo "==> exec guards stay as they are in $guard_dir (GUARDS=1 refreshes them)"
fi

case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *)
    echo
    echo "note: $bin_dir is not on your PATH. To use \`policy-exec\` by name, paste:"
    case "${SHELL##*/}" in
      zsh) echo "  echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.zshrc && export PATH=\"$bin_dir:\$PATH\"" ;;
      fish) echo "  fish_add_path $bin_dir" ;;
      *) echo "  echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.bashrc && export PATH=\"$bin_dir:\$PATH\"" ;;
    esac
    ;;
esac

echo
echo "==> put policy-exec in front of a harness (nothing is changed for you yet):"
"$bin_dir/policy-exec" setup --list
echo "  then check any time with: policy-exec doctor; undo with: policy-exec uninstall"

echo
echo "==> policy-exec explain 'git status'"
"$bin_dir/policy-exec" explain 'git status' || true
echo
echo "==> policy-exec explain 'git push --force origin main'"
"$bin_dir/policy-exec" explain 'git push --force origin main' || true
