//! Jobs: precompute and cleanup work run by hand or on a cron schedule. [`catalog`] names the
//! jobs and their default schedules; [`options`] types each job's options; [`settings`] keeps each job's
//! schedule, time zone, pause state and options in the console's Postgres schema, shared by every
//! console, and [`setting_changes`] makes those changes from a console, audited (enabling a
//! destructive job's schedule among them); [`runner`] runs one job (claim, lock, work, history,
//! audit); [`scheduler`] fires them with tokio-cron-scheduler, and [`console_scheduler`] is this
//! console's one scheduler (whether it may schedule on a profile, start, stop, restart on a
//! profile change, failure notices), shared by the app and `cachescope daemon`. The work itself: [`archive`] (archive and delete detail rows),
//! [`kv_cleanup`] (prune snapshots, invalidate a user, sweep) and [`storage_report`]; [`overview`]
//! is the Jobs table.

pub mod archive;
pub mod catalog;
pub mod console_scheduler;
pub mod history;
pub mod kv_cleanup;
pub mod options;
pub mod overview;
pub mod runner;
pub mod scheduler;
pub mod setting_changes;
pub mod settings;
pub mod storage_report;

pub use catalog::JobName;
pub use options::JobOptions;
pub use runner::{run_job, JobRunRequest, Trigger};
