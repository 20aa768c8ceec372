#!/usr/bin/env bash
# Runs the desktop app on demo data: a demo Postgres database (created here, with the console's
# migrations, generated sales data and two weeks of cache events for the Stats screen) and the
# embedded local namespace filled by `cachescope demo seed` (every report precomputed from that
# data, plus the key families no report writes). Uses its own profile and data directories
# (CACHESCOPE_DEMO_DIR, default ~/.cache/cachescope/demo), never your real ones.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/environment.sh"
cd "$ROOT"

bash scripts/setup.sh
require_postgres

DEMO_DIR="${CACHESCOPE_DEMO_DIR:-$HOME/.cache/cachescope/demo}"
export CACHESCOPE_CONFIG_DIR="$DEMO_DIR/config" CACHESCOPE_DATA_DIR="$DEMO_DIR/data"
DEMO_DB=cachescope_demo

say "building the UI and the app"
(cd ui && npm run --silent build)
# The same build as the tests (one feature set, one cache); tauri.conf.json has no devUrl, so the
# built UI in ui/dist is embedded in the binary.
cargo build --workspace --all-targets
BIN="$CARGO_TARGET_DIR/debug"

if ! psql "$POSTGRES_URL_ROOT/postgres" -qAtc "select 1 from pg_database where datname = '$DEMO_DB'" | grep -q 1; then
  say "creating the demo database $DEMO_DB"
  psql "$POSTGRES_URL_ROOT/postgres" -qc "create database $DEMO_DB"
fi
"$BIN/cachescope" profile add demo --kind local --postgres-url "$POSTGRES_URL_ROOT/$DEMO_DB" --default >/dev/null
"$BIN/cachescope" -p demo db migrate
# Destructive jobs start with their schedules disabled on a database; the demo database is made
# for them, so enable them here, explicitly (each enabling is typed and audited).
for job in archive delete-archived prune-snapshots sweep; do
  "$BIN/cachescope" -p demo jobs enable "$job" --confirm "$job" >/dev/null
done

say "generating the demo sales data in $DEMO_DB (schema sales)"
"$BIN/cachescope" -p demo demo db --scale "${CACHESCOPE_DEMO_SCALE:-20000}"

say "seeding the local namespace: every report precomputed from it, and the other key families"
"$BIN/cachescope" -p demo demo seed
"$BIN/cachescope" -p demo report sync >/dev/null

say "generating two weeks of demo cache events for the Stats screen"
"$BIN/cachescope" -p demo demo events --days 14

if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  say "no display found: running the app under Xvfb (set DISPLAY to use your own)"
  exec xvfb-run -a "$BIN/cachescope-app"
fi
say "starting Cachescope"
exec "$BIN/cachescope-app"
