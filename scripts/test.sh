#!/usr/bin/env bash
# Runs every check and test of the project: set-up, formatting, lints, type checks, UI unit
# tests, the Rust tests against real Postgres and the local Cloudflare KV simulator, and the
# end-to-end tests of the desktop window.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/environment.sh"
cd "$ROOT"

bash scripts/setup.sh
require_postgres
export DATABASE_URL="$POSTGRES_URL_ROOT/postgres"   # #[sqlx::test] makes a fresh database per test from here

say "UI: type check, lint, unit tests, build"
(cd ui && npm run --silent typecheck && npm run --silent lint && npm run --silent test && npm run --silent build)

say "KV simulator: its answers against the Cloudflare KV API contract (kv-simulator/cloudflare-kv.openapi.json)"
(cd kv-simulator && npm run --silent test:contract)

say "cargo fmt --check"
cargo fmt --all --check

say "cargo clippy (workspace, all targets, -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "cargo build (workspace, all targets: one feature set for tests, demo and end-to-end runs)"
cargo build --workspace --all-targets --locked

say "cargo test (workspace)"
cargo test --workspace --locked

say "end to end: the real window under Xvfb, through tauri-driver"
bash scripts/e2e.sh
