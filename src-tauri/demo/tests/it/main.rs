//! The demo crate's integration tests, one binary, against a real Postgres (a fresh database per
//! test): the demo source data generator ([`source`]) and `demo seed` ([`seed`]), whose report
//! keys must be exactly what precompute writes; the demo's snapshots under `prune-snapshots`
//! ([`snapshots`]).

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod seed;
mod snapshots;
mod source;
