//! The core's integration tests, one binary: the KV conformance suite run against both stores,
//! Cloudflare client faults from wiremock, the hostile server suite (a schema-driven mock of the
//! KV API and what a schema cannot say), deletion/transfer, profiles and secrets, Postgres
//! migrations, reports, jobs and statistics. Real servers throughout: SQLite files, the
//! Cloudflare KV simulator, Postgres.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod audit_trail;
mod cache_stats;
mod cloudflare_faults;
mod conformance;
mod contract_mock;
mod definition_check;
mod files_on_disk;
mod hostile_server;
mod jobs;
mod key_operations;
mod module_layers;
mod paging_loops;
mod postgres_migrations;
mod profiles_and_secrets;
mod quota_plan;
mod report_precompute;
mod report_values;
mod shared_budget;
mod support;
