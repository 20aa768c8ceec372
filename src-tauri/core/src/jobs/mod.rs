//! Jobs: precompute and cleanup work run by hand or on a cron schedule. Each job is one file under
//! [`kinds`] implementing the [`job::Job`] trait (name, description, typed options with defaults
//! and validation, default schedule, what it deletes, its parameter, and its run returning typed
//! counts), listed once in [`registry`], which generates [`JobName`] ([`catalog`]), [`JobOptions`]
//! ([`options`]) and [`JobCounts`] ([`counts`]) and their per-job `match` blocks. [`settings`]
//! keeps each job's schedule, time zone, pause state and options in the console's Postgres schema,
//! shared by every console, and [`setting_changes`] makes those changes from a console, audited
//! (enabling a destructive job's schedule among them); [`runner`] runs one job (claim, lock, work,
//! history, audit); [`scheduler`] fires them with tokio-cron-scheduler, and [`console_scheduler`]
//! is this console's one scheduler (whether it may schedule on a profile, start, stop, restart on
//! a profile change, failure notices), shared by the app and `cachescope daemon`; [`history`]
//! records runs. The work the jobs share: [`archive`] (archive and delete detail rows),
//! [`kv_cleanup`] (prune snapshots, invalidate a user, sweep) and [`storage_report`];
//! [`snapshots`] defines the versioned snapshot family (its keys, its `latest` pointer, a refresh)
//! for the prune and the writers; [`overview`] is the Jobs table; [`quota_plan`] counts what the
//! report-writing schedules cost a day in KV operations against the profile's plan, and
//! [`setting_changes`] refuses a change that would go over it unless overridden.

pub mod archive;
pub mod catalog;
pub mod console_scheduler;
pub mod counts;
pub mod history;
pub mod job;
pub mod kinds;
pub mod kv_cleanup;
pub mod options;
pub mod overview;
pub mod quota_plan;
pub mod registry;
pub mod runner;
pub mod scheduler;
pub mod setting_changes;
pub mod settings;
pub mod snapshots;
pub mod storage_report;

pub use catalog::JobName;
pub use counts::JobCounts;
pub use job::Job;
pub use options::JobOptions;
pub use runner::{run_job, JobRunRequest, Trigger};
