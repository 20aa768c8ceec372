# The environment and checks every project script shares (sourced, not run).

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One cargo target directory outside the checkout, so a fresh clone (CI) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cachescope/target}"
export POSTGRES_URL_ROOT="${CACHESCOPE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}"

# Postgres must run at 127.0.0.1:5432 with trust auth for the superuser `postgres`.
require_postgres() {
  if ! command -v psql >/dev/null; then
    die "psql is not installed. Install Postgres (apt-get install postgresql) and start it on 127.0.0.1:5432."
  fi
  if ! psql "$POSTGRES_URL_ROOT/postgres" -qAtc 'select 1' >/dev/null 2>&1; then
    die "Postgres does not answer at $POSTGRES_URL_ROOT (user postgres, trust auth).
  Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start
  or point CACHESCOPE_TEST_POSTGRES at another server (postgres://USER@HOST:PORT)."
  fi
}
