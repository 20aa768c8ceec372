//! One file per job, each holding the job's options struct, its counts struct and its [`Job`]
//! implementation: [`precompute`], [`nightly_analytics`], [`archive`], [`delete_archived`],
//! [`storage_report`], [`prune_snapshots`], [`sweep`], [`invalidate_user`]. The work they share
//! stays in [`super::archive`] (archive and delete machinery), [`super::kv_cleanup`] (key cleanup)
//! and [`super::storage_report`]; [`super::registry`] lists them.
//!
//! [`Job`]: super::job::Job

pub mod archive;
pub mod delete_archived;
pub mod invalidate_user;
pub mod nightly_analytics;
pub mod precompute;
pub mod prune_snapshots;
pub mod storage_report;
pub mod sweep;
