//! Runs one job: checks everything before anything runs (options, parameter, archive directory,
//! read-only profile, the typed confirmation of a destructive job's real run by hand, the
//! enabling of a destructive job's schedule), claims the run (a scheduled time is claimed once
//! across consoles), takes the job's lock, does the work with progress and cancellation, and
//! records the outcome in the run history, the audit log (destructive jobs, dry runs included:
//! the intent before the work, the outcome after) and an event.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use sqlx::postgres::PgPool;

use super::archive::{self, ArchiveTarget, DeleteTarget, StepHook};
use super::catalog::JobName;
use super::history::{self, JobLease, JobLock, JobRunRecord, JobRunStatus, RunOutcome};
use super::kv_cleanup::ShareLimit;
use super::options::{
    JobOptions, PrecomputeOptions, PruneSnapshotsOptions, StorageReportOptions, SweepOptions,
};
use super::{kv_cleanup, settings, storage_report};
use crate::audit::{AuditEntry, AuditOutcome, AuditTrail};
use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::progress::Progress;
use crate::reports::precompute::{precompute, PrecomputeRequest, RunStatus};

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// By hand, from the app or the CLI.
    Manual,
    /// A scheduler serving the schedule's fire time.
    Schedule(DateTime<Utc>),
}

/// One run to do.
#[derive(Debug, Clone)]
pub struct JobRunRequest {
    pub job: JobName,
    pub dry_run: bool,
    /// The user of `invalidate-user`.
    pub user_id: Option<String>,
    pub trigger: Trigger,
    /// The moment the job runs for (archive cutoff, precompute as-of); default now.
    pub now: Option<DateTime<Utc>>,
    /// Sweep: go on although a family's share to delete is over `maxDeletePercent` (recorded
    /// in the audit).
    pub override_share_limit: bool,
    /// The job's name typed by the user: a destructive job's real run by hand is refused
    /// without it. Scheduled runs need none (enabling the job's schedule was confirmed).
    pub confirmation: Option<String>,
}

impl JobRunRequest {
    pub fn manual(job: JobName, dry_run: bool) -> Self {
        Self {
            job,
            dry_run,
            user_id: None,
            trigger: Trigger::Manual,
            now: None,
            override_share_limit: false,
            confirmation: None,
        }
    }

    /// The same request with the job's name typed as its confirmation.
    pub fn confirmed(self, confirmation: impl Into<String>) -> Self {
        Self {
            confirmation: Some(confirmation.into()),
            ..self
        }
    }
}

/// Whether a destructive job may run as asked: a real run by hand needs the job's name typed
/// exactly; a scheduled run needs the job enabled on this database (`Ok(false)`: not to run, not
/// an error, since a schedule disabled on another console is not this console's fault).
fn destructive_run_allowed(
    job: JobName,
    request: &JobRunRequest,
    job_settings: &settings::JobSettings,
) -> Result<bool> {
    if !job.is_destructive() || request.dry_run {
        return Ok(true);
    }
    match request.trigger {
        Trigger::Schedule(_) => Ok(job_settings.enabled),
        Trigger::Manual if request.confirmation.as_deref() == Some(job.as_str()) => Ok(true),
        Trigger::Manual => Err(Error::invalid(
            "confirmation",
            format!(
                "type the job name {:?} exactly to run it for real (it deletes {}); \
                 nothing was done",
                job.as_str(),
                if matches!(job, JobName::Archive | JobName::DeleteArchived) {
                    "rows"
                } else {
                    "keys"
                }
            ),
        )),
    }
}

/// The profile's Postgres, which jobs keep their schedules and history in.
pub async fn jobs_database(ctx: &CoreContext, profile: &str) -> Result<PgPool> {
    crate::db::profile_database(
        ctx,
        profile,
        "where jobs keep their schedules and history, and whose data they read",
    )
    .await
}

/// Runs a job for a profile. Returns the recorded run, or `None` when a scheduled run was not
/// this console's to do (claimed elsewhere, or the job is paused). Problems found before the run
/// starts are errors and record nothing; failures during the run are recorded as a failed run.
pub async fn run_job(
    ctx: &CoreContext,
    profile: Option<&str>,
    request: &JobRunRequest,
    progress: &Progress,
    hook: Option<&StepHook>,
) -> Result<Option<JobRunRecord>> {
    let profile = ctx.profile(profile)?;
    let job = request.job;
    let pool = jobs_database(ctx, &profile.name).await?;
    let job_settings = settings::load(&pool, job).await?;
    let options = &job_settings.options;
    options.validate()?;
    match (&request.user_id, job.needs_parameter()) {
        (None, true) => {
            return Err(Error::invalid(
                format!("job {job}"),
                "needs the user id to invalidate (`--user ID`)",
            ))
        }
        (Some(_), false) => {
            return Err(Error::invalid(format!("job {job}"), "takes no user id"));
        }
        _ => {}
    }
    if request.override_share_limit && job != JobName::Sweep {
        return Err(Error::invalid(
            format!("job {job}"),
            "has no share limit to override (only sweep has one)",
        ));
    }
    // Tables and columns are found in the live catalog, and the archive directory checked,
    // before anything is recorded.
    let plan = Plan::prepare(ctx, &pool, options).await?;
    if !request.dry_run && profile.is_read_only() {
        return Err(Error::ReadOnlyProfile {
            profile: profile.name.clone(),
            action: format!("run job {job}"),
        });
    }
    if !destructive_run_allowed(job, request, &job_settings)? {
        return Ok(None);
    }

    let run_id = match request.trigger {
        Trigger::Schedule(at) => {
            match history::claim_scheduled(&pool, job, at, &profile.name).await? {
                Some(id) => id,
                None => return Ok(None),
            }
        }
        Trigger::Manual => {
            history::start_manual(&pool, job, &profile.name, request.dry_run).await?
        }
    };
    let lock = if request.dry_run {
        None
    } else {
        match JobLock::try_acquire(&pool, job).await? {
            Some(lock) => {
                history::abandon_stale(&pool, job, run_id).await?;
                Some(lock)
            }
            None => {
                let outcome = RunOutcome {
                    summary: format!("not run: another run of {job} is in progress"),
                    ..RunOutcome::default()
                };
                history::finish(&pool, run_id, JobRunStatus::Skipped, &outcome, None).await?;
                return history::get(&pool, run_id).await.map(Some);
            }
        }
    };

    let now = request.now.unwrap_or_else(Utc::now);
    let work = Work {
        ctx,
        profile: &profile.name,
        pool: &pool,
        request,
        now,
        run_id,
        progress,
        hook,
        lease: lock.as_ref().map(JobLock::lease),
    };
    // A destructive run's intent is on record before its work starts; one that cannot be
    // recorded does not start, and the run says why.
    let trail = AuditTrail::Shared(pool.clone());
    let target = audit_target(request, options);
    let mark = if job.is_destructive() {
        let intent = AuditEntry {
            dry_run: request.dry_run,
            ..AuditEntry::new(&profile.name, &format!("job:{job}"), &target)
        }
        .with_detail(json!({
            "run": run_id,
            "trigger": trigger_word(request.trigger),
            "overrideShareLimit": request.override_share_limit,
        }));
        Some(trail.begin(&intent).await)
    } else {
        None
    };
    let (mark, result) = match mark {
        Some(Err(e)) => (
            None,
            Err(Failure {
                error: Error::invalid(
                    "audit log",
                    format!("the run's intent was not recorded: {e}"),
                ),
                done: None,
            }),
        ),
        mark => (mark.and_then(Result::ok), work.run(&plan).await),
    };
    if let Some(lock) = lock {
        lock.release().await;
    }
    let (status, outcome, error) = match result {
        Ok(outcome) => (JobRunStatus::Succeeded, outcome, None),
        Err(Failure {
            error: Error::Cancelled,
            done,
        }) => (
            JobRunStatus::Cancelled,
            RunOutcome {
                summary: "cancelled; the next run continues where this one stopped".to_owned(),
                ..done.unwrap_or_default()
            },
            None,
        ),
        Err(Failure { error, done }) => {
            // What a failed run did before it failed stays counted (and audited).
            let summary = match &done {
                Some(done) => format!("failed: {error}; {}", done.summary),
                None => format!("failed: {error}"),
            };
            (
                JobRunStatus::Failed,
                RunOutcome {
                    summary,
                    ..done.unwrap_or_default()
                },
                Some(error.to_string()),
            )
        }
    };
    // The audit outcome first: a run the history shows finished has its outcome audited too. A
    // failure to audit it is reported once the run is recorded finished.
    let audited = match mark {
        None => Ok(()),
        Some(mark) => {
            trail
                .finish(
                    mark,
                    &AuditOutcome::new(
                        match &error {
                            Some(e) => format!("failed: {e}"),
                            None => status.as_str().to_owned(),
                        },
                        outcome
                            .counts
                            .get("deleted")
                            .or_else(|| outcome.counts.get("rowsArchived"))
                            .or_else(|| outcome.counts.get("rowsDeleted"))
                            .and_then(Value::as_u64)
                            .unwrap_or(0),
                        json!({
                            "run": run_id,
                            "trigger": trigger_word(request.trigger),
                            "counts": outcome.counts,
                            "summary": outcome.summary,
                            "overrideShareLimit": request.override_share_limit,
                        }),
                    ),
                )
                .await
        }
    };
    history::finish(&pool, run_id, status, &outcome, error.as_deref()).await?;
    audited?;
    history::prune(&pool, job, i64::from(options.history_days())).await?;
    let record = history::get(&pool, run_id).await?;
    ctx.events().publish(Event::JobRunFinished {
        profile: profile.name.clone(),
        run: Box::new(record.clone()),
    });
    Ok(Some(record))
}

fn trigger_word(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Manual => "manual",
        Trigger::Schedule(_) => "schedule",
    }
}

fn audit_target(request: &JobRunRequest, options: &JobOptions) -> String {
    match options {
        JobOptions::Archive(o) => o.table.clone(),
        JobOptions::DeleteArchived(o) => o.table.clone(),
        JobOptions::PruneSnapshots(o) => o.snapshot_template.clone(),
        JobOptions::InvalidateUser(_) => {
            format!("user:{}:", request.user_id.as_deref().unwrap_or(""))
        }
        JobOptions::Sweep(o) => o
            .sweep_rules
            .iter()
            .map(|r| r.family.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

/// A run's work, prepared before anything is recorded: the job's options with the tables and
/// columns they name found in the live catalog, and the archive directory checked.
enum Plan<'a> {
    Precompute(&'a PrecomputeOptions),
    Archive {
        target: ArchiveTarget,
        directory: std::path::PathBuf,
    },
    DeleteArchived(DeleteTarget),
    StorageReport(&'a StorageReportOptions),
    PruneSnapshots(&'a PruneSnapshotsOptions),
    Sweep(&'a SweepOptions),
    InvalidateUser,
}

impl<'a> Plan<'a> {
    async fn prepare(ctx: &CoreContext, pool: &PgPool, options: &'a JobOptions) -> Result<Self> {
        Ok(match options {
            JobOptions::Precompute(o) | JobOptions::NightlyAnalytics(o) => Self::Precompute(o),
            JobOptions::Archive(o) => Self::Archive {
                target: ArchiveTarget::resolve(pool, o).await?,
                directory: archive::archive_directory(&ctx.dirs().archives)?,
            },
            JobOptions::DeleteArchived(o) => {
                Self::DeleteArchived(DeleteTarget::resolve(pool, o).await?)
            }
            JobOptions::StorageReport(o) => {
                options.check_live(pool).await?;
                Self::StorageReport(o)
            }
            JobOptions::PruneSnapshots(o) => Self::PruneSnapshots(o),
            JobOptions::Sweep(o) => Self::Sweep(o),
            JobOptions::InvalidateUser(_) => Self::InvalidateUser,
        })
    }
}

/// Why a run failed, with what it had done before when that is known.
struct Failure {
    error: Error,
    done: Option<RunOutcome>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self { error, done: None }
    }
}

/// The work of one run, with what it needs.
struct Work<'a> {
    ctx: &'a CoreContext,
    profile: &'a str,
    pool: &'a PgPool,
    request: &'a JobRunRequest,
    now: DateTime<Utc>,
    run_id: i64,
    progress: &'a Progress,
    hook: Option<&'a StepHook>,
    /// The job's lock (none in a dry run), checked before each committed step.
    lease: Option<JobLease>,
}

fn counts<const N: usize>(pairs: [(&str, u64); N]) -> Map<String, Value> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), json!(v)))
        .collect()
}

/// The counts of a delete-archived run; the rows remaining are known only when it finished.
fn delete_counts(done: &archive::DeleteOutcome, finished: bool) -> Map<String, Value> {
    let mut c = counts([
        ("rowsDeleted", done.rows_deleted),
        ("batches", done.batches),
        ("archivesCompleted", done.archives_completed),
    ]);
    if finished {
        c.insert("rowsRemaining".to_owned(), json!(done.rows_remaining));
    }
    c
}

fn to_detail(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl Work<'_> {
    async fn run(&self, plan: &Plan<'_>) -> std::result::Result<RunOutcome, Failure> {
        let dry = self.request.dry_run;
        match plan {
            Plan::Precompute(options) => {
                let run = precompute(
                    self.ctx,
                    Some(self.profile),
                    &PrecomputeRequest {
                        reports: options.reports.clone(),
                        dry_run: dry,
                        as_of: Some(self.now),
                    },
                    self.progress,
                )
                .await?;
                if run.status == RunStatus::Cancelled {
                    return Err(Error::Cancelled.into());
                }
                let failed: Vec<String> = run
                    .reports
                    .iter()
                    .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.name)))
                    .collect();
                if let Some(error) = run
                    .error
                    .clone()
                    .or_else(|| (!failed.is_empty()).then(|| failed.join("; ")))
                {
                    return Err(Error::invalid("precompute", error).into());
                }
                Ok(RunOutcome {
                    counts: counts([
                        ("keysWritten", run.written),
                        ("keysSkipped", run.skipped),
                        ("reports", run.reports.len() as u64),
                    ]),
                    summary: format!(
                        "{} {} keys, {} unchanged, {} reports",
                        if dry { "would write" } else { "wrote" },
                        run.written,
                        run.skipped,
                        run.reports.len()
                    ),
                    detail: json!({ "precomputeRun": run.id }),
                })
            }
            Plan::Archive { target, directory } => {
                let done = archive::archive(
                    self.pool,
                    target,
                    directory,
                    self.now,
                    dry,
                    Some(self.run_id),
                    self.progress,
                    self.hook,
                    self.lease.as_ref(),
                )
                .await?;
                Ok(RunOutcome {
                    counts: counts([("rowsArchived", done.rows), ("fileBytes", done.file_bytes)]),
                    summary: match (&done.file, done.rows) {
                        (_, 0) => format!(
                            "nothing to archive in {} before {}",
                            done.table, done.cutoff
                        ),
                        (Some(file), rows) => {
                            format!("archived {rows} rows of {} to {file}", done.table)
                        }
                        (None, rows) => format!(
                            "would archive {rows} rows of {} ({} to {})",
                            done.table,
                            done.from_time.as_deref().unwrap_or("?"),
                            done.to_time.as_deref().unwrap_or("?")
                        ),
                    },
                    detail: to_detail(&done),
                })
            }
            Plan::DeleteArchived(target) => {
                let mut done = archive::DeleteOutcome::default();
                let result = archive::delete_archived_into(
                    self.pool,
                    target,
                    dry,
                    self.progress,
                    self.hook,
                    self.lease.as_ref(),
                    &mut done,
                )
                .await;
                if let Err(error) = result {
                    // The batches committed before the failure stay counted.
                    let before = (done.batches > 0 && !dry).then(|| RunOutcome {
                        counts: delete_counts(&done, false),
                        summary: format!(
                            "deleted {} archived rows of {} in {} batches before that",
                            done.rows_deleted, done.table, done.batches
                        ),
                        detail: to_detail(&done),
                    });
                    return Err(Failure {
                        error,
                        done: before,
                    });
                }
                Ok(RunOutcome {
                    counts: delete_counts(&done, true),
                    summary: format!(
                        "{} {} archived rows of {} in {} batches; {} left for later runs",
                        if dry { "would delete" } else { "deleted" },
                        done.rows_deleted,
                        done.table,
                        done.batches,
                        done.rows_remaining
                    ),
                    detail: to_detail(&done),
                })
            }
            Plan::StorageReport(options) => {
                let store = self.ctx.store(Some(self.profile)).await?;
                let catalog = crate::reports::catalog(self.ctx)?;
                let report = storage_report::storage_report(
                    self.pool,
                    store.as_ref(),
                    &catalog,
                    options,
                    self.now,
                    dry,
                    self.progress,
                )
                .await?;
                Ok(RunOutcome {
                    counts: counts([
                        ("tables", report.tables.len() as u64),
                        ("tableBytes", report.total_table_bytes),
                        ("keys", report.total_keys),
                        ("keyBytes", report.total_key_bytes),
                    ]),
                    summary: format!(
                        "{} tables ({} bytes), {} keys ({} bytes){}",
                        report.tables.len(),
                        report.total_table_bytes,
                        report.total_keys,
                        report.total_key_bytes,
                        if dry {
                            String::new()
                        } else {
                            format!("; written to {}", options.report_key)
                        }
                    ),
                    detail: to_detail(&report),
                })
            }
            Plan::PruneSnapshots(_) | Plan::Sweep(_) | Plan::InvalidateUser => {
                let store = self.ctx.store(Some(self.profile)).await?;
                let done = match plan {
                    Plan::PruneSnapshots(options) => {
                        kv_cleanup::prune_snapshots(store.as_ref(), options, dry, self.progress)
                            .await?
                    }
                    Plan::Sweep(options) => {
                        let limit = ShareLimit {
                            max_percent: options.max_delete_percent,
                            overridden: self.request.override_share_limit,
                        };
                        kv_cleanup::sweep(
                            store.as_ref(),
                            Some(self.pool),
                            options,
                            limit,
                            dry,
                            self.progress,
                        )
                        .await?
                    }
                    _ => {
                        let user = self.request.user_id.as_deref().unwrap_or_default();
                        kv_cleanup::invalidate_user(store.as_ref(), user, dry, self.progress)
                            .await?
                    }
                };
                if !dry && done.deleted > 0 {
                    self.ctx.events().publish(Event::KeysChanged {
                        profile: self.profile.to_owned(),
                        count: done.deleted,
                    });
                }
                let mut outcome = RunOutcome {
                    counts: counts([
                        ("matched", done.matched),
                        ("toDelete", done.to_delete),
                        ("deleted", done.deleted),
                    ]),
                    summary: format!(
                        "{} {} of {} keys",
                        if dry { "would delete" } else { "deleted" },
                        if dry { done.to_delete } else { done.deleted },
                        done.matched
                    ),
                    detail: to_detail(&done),
                };
                if done.failed > 0 {
                    // The keys it did delete are reported; the ones left are not.
                    outcome
                        .counts
                        .insert("failed".to_owned(), json!(done.failed));
                    return Err(Failure {
                        error: Error::KvIncomplete {
                            action: format!("job {}", self.request.job),
                            failed: done.failed,
                            total: done.deleted + done.failed,
                        },
                        done: Some(outcome),
                    });
                }
                Ok(outcome)
            }
        }
    }
}
