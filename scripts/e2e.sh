#!/usr/bin/env bash
# End-to-end tests of the real desktop window: builds the UI and the app, fills an isolated temp
# home with test profiles through the `cachescope` CLI, starts Xvfb and tauri-driver (over
# WebKitWebDriver), and runs e2e/tests/*.test.mjs with Node's test runner, one app session at a
# time. Screenshots of each screen go to e2e-screenshots/. E2E_RELEASE=1 drives the optimized
# build (what users run) instead of the debug one. E2E_BENCH=1 also runs the benchmarks
# (and creates their 100,000-key profile). Idempotent; stops everything it started, even on failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/environment.sh"
cd "$ROOT"
started=$SECONDS

bash scripts/setup.sh
require_postgres

TAURI_DRIVER="$HOME/.cargo/bin/tauri-driver"
if [[ ! -x $TAURI_DRIVER ]]; then
  say "installing tauri-driver (about 2 minutes, once)"
  # Its own temporary target dir: tauri-driver has nothing to share with the project's builds.
  env -u CARGO_TARGET_DIR cargo install tauri-driver --locked
fi

# npm ci only when the lock file changed since the last install (as in setup.sh).
if [[ ! -f e2e/node_modules/.package-lock.json ]] || ! cmp -s e2e/package-lock.json e2e/node_modules/.cachescope-lock; then
  say "installing npm packages in e2e"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  cp e2e/package-lock.json e2e/node_modules/.cachescope-lock
fi

say "building the UI and the app"
build_started=$SECONDS
npm --prefix ui run --silent build
# The same build as scripts/test.sh (one feature set, nothing compiled twice); the UI is embedded.
cargo build --workspace --all-targets
build_dir=debug
if [[ ${E2E_RELEASE:-} == 1 ]]; then
  cargo build --release -p cachescope-app -p cachescope-cli
  build_dir=release
fi
build_seconds=$((SECONDS - build_started))
export E2E_APP="$CARGO_TARGET_DIR/$build_dir/cachescope-app" E2E_CLI="$CARGO_TARGET_DIR/$build_dir/cachescope"

# Everything below runs in a temp home; the trap stops our processes (by pid) and removes it,
# and drops the demo database of profile `local` (made again on every run).
WORK=$(mktemp -d -t cachescope-e2e.XXXXXX)
E2E_DB=cachescope_e2e
pids=()
tree_pids() { local child; for child in $(pgrep -P "$1"); do tree_pids "$child"; done; echo "$1"; }
cleanup() {
  local pid
  # tauri-driver's children (WebKitWebDriver, the app, WebKit's processes) go with it.
  for pid in "${pids[@]}"; do
    kill $(tree_pids "$pid") 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
  psql "$POSTGRES_URL_ROOT/postgres" -qc "DROP DATABASE IF EXISTS $E2E_DB WITH (FORCE)" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "filling the test profiles in $WORK"
unset CACHESCOPE_PROFILE
export CACHESCOPE_CONFIG_DIR="$WORK/config" CACHESCOPE_DATA_DIR="$WORK/data" CACHESCOPE_SECRET_STORE=file
# WebKit's storage (the app remembers e.g. the list/tree choice) stays in the temp home as well.
export XDG_DATA_HOME="$WORK/xdg-data" XDG_CACHE_HOME="$WORK/xdg-cache"
cs() { "$E2E_CLI" "$@" >/dev/null; }
# N keys user:NNNNNN:analytics:dashboard as JSON Lines, for `kv import`.
keys_jsonl() { seq 0 $(($1 - 1)) | awk '{ printf "{\"key\":\"user:%06d:analytics:dashboard\",\"value\":\"{\\\"n\\\":%d}\"}\n", $1, $1 }'; }

# Profile `local` (the default) over the local namespace, with a demo database of its own:
# `demo seed` generates the demo sales data there, precomputes every report from it into the
# namespace and adds the key families no report writes.
psql "$POSTGRES_URL_ROOT/postgres" -qc "DROP DATABASE IF EXISTS $E2E_DB WITH (FORCE)"
psql "$POSTGRES_URL_ROOT/postgres" -qc "CREATE DATABASE $E2E_DB"
cs profile add local --kind local --postgres-url "$POSTGRES_URL_ROOT/$E2E_DB"
cs demo seed --scale 2000
# The app starts the scheduler of a default profile with Postgres; paused jobs leave the seeded
# keys as the tests read them.
for job in precompute nightly-analytics; do cs jobs pause "$job"; done
cs profile add big --kind local --path "$WORK/big.sqlite"
keys_jsonl 20000 >"$WORK/big.jsonl"
cs -p big kv import "$WORK/big.jsonl"
# scratch and scratch-ro share one file: 30 keys under user:99: (+ one that stays).
cs profile add scratch --kind local --path "$WORK/scratch.sqlite"
cs profile add scratch-ro --kind local --path "$WORK/scratch.sqlite" --read-only
seq -w 1 30 | awk '{ printf "{\"key\":\"user:99:report:%s\",\"value\":\"{\\\"n\\\":%d}\"}\n", $1, $1 }' >"$WORK/scratch.jsonl"
echo '{"key":"user:100:report:01","value":"{}"}' >>"$WORK/scratch.jsonl"
cs -p scratch kv import "$WORK/scratch.jsonl"
if [[ ${E2E_BENCH:-} == 1 ]]; then
  cs profile add huge --kind local --path "$WORK/huge.sqlite"
  keys_jsonl 100000 >"$WORK/huge.jsonl"
  cs -p huge kv import "$WORK/huge.jsonl"
fi

# Xvfb picks a free display itself and writes its number to fd 3 once it accepts clients.
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$WORK/display" 2>"$WORK/xvfb.log" &
pids+=($!)
for _ in $(seq 100); do [[ -s $WORK/display ]] && break; sleep 0.1; done
[[ -s $WORK/display ]] || die "Xvfb did not start: $(cat "$WORK/xvfb.log")"
export DISPLAY=":$(cat "$WORK/display")"

# tauri-driver on free ports (other runs may use 4444); the app inherits this environment.
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
port=$(free_port) native_port=$(free_port)
while [[ $native_port == "$port" ]]; do native_port=$(free_port); done
"$TAURI_DRIVER" --port "$port" --native-port "$native_port" --native-driver /usr/bin/WebKitWebDriver \
  >"$WORK/tauri-driver.log" 2>&1 &
pids+=($!)
export E2E_DRIVER_PID=$! E2E_DRIVER_URL="http://127.0.0.1:$port" E2E_SCREENSHOTS="$ROOT/e2e-screenshots"
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

mkdir -p "$E2E_SCREENSHOTS"
rm -f "$E2E_SCREENSHOTS"/*.png
say "running the end-to-end tests on display $DISPLAY"
tests_started=$SECONDS
status=0
# E2E_TESTS="e2e/tests/jobs.test.mjs" runs only those files.
node --test --test-concurrency=1 ${E2E_TESTS:-e2e/tests/*.test.mjs} || status=$?
if ((status != 0)); then
  say "tauri-driver log (last lines):"
  tail -n 30 "$WORK/tauri-driver.log" >&2
fi
say "tests: $((SECONDS - tests_started)) s; build: $build_seconds s; total: $((SECONDS - started)) s; screenshots in e2e-screenshots/"
exit "$status"
