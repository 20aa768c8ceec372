#!/usr/bin/env bash
# Installs what Cachescope needs on a fresh Debian machine, idempotently: system packages for
# Tauri 2 (webkit2gtk 4.1 and friends), Node packages of the KV simulator and the UI.
# Runs as root or with sudo. Safe to run again: it installs only what is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/environment.sh"

APT_PACKAGES=(build-essential pkg-config file libssl-dev libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev
  libsoup-3.0-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev xvfb xauth
  webkit2gtk-driver imagemagick postgresql-client nodejs npm)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  # Node may come from elsewhere (nvm, NodeSource); only install Debian's when there is none.
  if [[ $pkg == nodejs || $pkg == npm ]] && command -v "${pkg/nodejs/node}" >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  say "installing system packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || die "Rust is not installed: see https://rustup.rs (stable toolchain)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || die "Node $node_major is too old; Cachescope needs Node 20 or later"

# npm ci only when the lock file changed since the last install.
npm_install() {
  local dir=$1
  if [[ ! -f $dir/node_modules/.package-lock.json ]] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.cachescope-lock"; then
    say "installing npm packages in ${dir#"$ROOT"/}"
    # --include=dev: the test tools (Prism, Ajv) are dev dependencies, needed even if NODE_ENV=production.
    (cd "$dir" && npm ci --include=dev --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.cachescope-lock"
  fi
}
npm_install "$ROOT/kv-simulator"
npm_install "$ROOT/ui"
