//! Job run history in `cachescope.job_runs`, and the two guards that make a schedule fire once
//! across consoles: the claim of `(job, scheduled_for)` (a unique index, so exactly one insert
//! wins) and a per-job Postgres advisory lock held on its own connection for the length of a run
//! (so a manual run never overlaps a scheduled one, and a run whose console died is detected).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::postgres::{PgConnection, PgPool};
use sqlx::{Connection, Row};

use super::catalog::JobName;
use super::counts::JobCounts;
use crate::error::{Error, Result};
use crate::events::FinishedRun;

/// How a run ended (or that it is still going).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum JobRunStatus {
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// Not run: another run of the job held its lock.
    Skipped,
    /// Was running on a console that stopped (its lock was free again).
    Abandoned,
}

impl JobRunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Skipped => "skipped",
            Self::Abandoned => "abandoned",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "succeeded" => Self::Succeeded,
            "cancelled" => Self::Cancelled,
            "skipped" => Self::Skipped,
            "abandoned" => Self::Abandoned,
            _ => Self::Failed,
        }
    }
}

/// One run as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JobRunRecord {
    #[ts(type = "number")]
    pub id: i64,
    pub job: JobName,
    /// The schedule time this run served; `None` for a manual run.
    pub scheduled_for: Option<String>,
    pub trigger: String,
    pub profile: String,
    pub os_user: String,
    pub host: String,
    pub dry_run: bool,
    pub started_at: String,
    pub finished_at: Option<String>,
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    pub status: JobRunStatus,
    /// What the run counted, e.g. `{"job": "archive", "rowsArchived": 1000, "fileBytes": 5120}`;
    /// `None` when it recorded no counts (it failed or stopped before doing anything).
    pub counts: Option<JobCounts>,
    pub summary: String,
    #[ts(type = "unknown")]
    pub detail: serde_json::Value,
    pub error: Option<String>,
}

impl JobRunRecord {
    /// What the event bus says of this run when it has finished.
    pub fn finished(&self) -> FinishedRun {
        FinishedRun {
            id: self.id,
            job: self.job.to_string(),
            trigger: self.trigger.clone(),
            status: self.status.as_str().to_owned(),
            summary: self.summary.clone(),
            error: self.error.clone(),
        }
    }
}

const COLUMNS: &str =
    "id, job, scheduled_for, trigger, profile, os_user, host, dry_run, started_at, \
    finished_at, status, counts, summary, detail, error";

fn from_row(row: &sqlx::postgres::PgRow) -> Option<JobRunRecord> {
    let job: JobName = row.get::<String, _>("job").parse().ok()?;
    let started: DateTime<Utc> = row.get("started_at");
    let finished: Option<DateTime<Utc>> = row.get("finished_at");
    let scheduled: Option<DateTime<Utc>> = row.get("scheduled_for");
    Some(JobRunRecord {
        id: row.get("id"),
        job,
        scheduled_for: scheduled.map(|t| t.to_rfc3339()),
        trigger: row.get("trigger"),
        profile: row.get("profile"),
        os_user: row.get("os_user"),
        host: row.get("host"),
        dry_run: row.get("dry_run"),
        started_at: started.to_rfc3339(),
        finished_at: finished.map(|t| t.to_rfc3339()),
        duration_ms: finished.map(|f| (f - started).num_milliseconds()),
        status: JobRunStatus::parse(row.get("status")),
        counts: JobCounts::from_stored(job, row.get("counts")),
        summary: row.get("summary"),
        detail: row.get("detail"),
        error: row.get("error"),
    })
}

/// Claims the run of `job` for `scheduled_for`, unless the job is paused, is destructive and not
/// enabled on this database, or another console claimed it first (checked in the one statement,
/// so a job paused or disabled meanwhile is never claimed). Returns the run id when this console
/// is to run it.
pub async fn claim_scheduled(
    pool: &PgPool,
    job: JobName,
    scheduled_for: DateTime<Utc>,
    profile: &str,
) -> Result<Option<i64>> {
    let crate::actor::Actor {
        user: os_user,
        host,
    } = crate::actor::Actor::current();
    let row = sqlx::query(
        "INSERT INTO cachescope.job_runs (job, scheduled_for, trigger, profile, os_user, host, dry_run, status) \
         SELECT name, $2, 'schedule', $3, $4, $5, false, 'running' FROM cachescope.jobs \
         WHERE name = $1 AND NOT paused AND schedule IS NOT NULL AND (enabled OR NOT $6) \
         ON CONFLICT (job, scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING RETURNING id",
    )
    .bind(job.as_str())
    .bind(scheduled_for)
    .bind(profile)
    .bind(os_user)
    .bind(host)
    .bind(job.is_destructive())
    .fetch_optional(pool)
    .await
    .map_err(Error::Db)?;
    Ok(row.map(|r| r.get(0)))
}

/// Records the start of a run by hand.
pub async fn start_manual(
    pool: &PgPool,
    job: JobName,
    profile: &str,
    dry_run: bool,
) -> Result<i64> {
    let crate::actor::Actor {
        user: os_user,
        host,
    } = crate::actor::Actor::current();
    let row = sqlx::query(
        "INSERT INTO cachescope.job_runs (job, trigger, profile, os_user, host, dry_run, status) \
         VALUES ($1, 'manual', $2, $3, $4, $5, 'running') RETURNING id",
    )
    .bind(job.as_str())
    .bind(profile)
    .bind(os_user)
    .bind(host)
    .bind(dry_run)
    .fetch_one(pool)
    .await
    .map_err(Error::Db)?;
    Ok(row.get(0))
}

/// What a finished run records.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    /// What it counted; `None` when it did nothing it could count.
    pub counts: Option<JobCounts>,
    pub summary: String,
    pub detail: serde_json::Value,
}

/// Records how a run ended.
pub async fn finish(
    pool: &PgPool,
    id: i64,
    status: JobRunStatus,
    outcome: &RunOutcome,
    error: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE cachescope.job_runs SET finished_at = now(), status = $2, counts = $3, summary = $4, \
         detail = $5, error = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(serde_json::Value::Object(
        outcome
            .counts
            .as_ref()
            .map(JobCounts::to_stored)
            .unwrap_or_default(),
    ))
    .bind(&outcome.summary)
    .bind(&outcome.detail)
    .bind(error)
    .execute(pool)
    .await
    .map_err(Error::Db)?;
    Ok(())
}

/// One run.
pub async fn get(pool: &PgPool, id: i64) -> Result<JobRunRecord> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM cachescope.job_runs WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(Error::Db)?;
    row.as_ref()
        .and_then(from_row)
        .ok_or_else(|| Error::invalid(format!("job run {id}"), "no such run"))
}

/// The newest runs, of one job or all, newest first.
pub async fn recent(pool: &PgPool, job: Option<JobName>, limit: i64) -> Result<Vec<JobRunRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM cachescope.job_runs WHERE ($1::text IS NULL OR job = $1) \
         ORDER BY started_at DESC, id DESC LIMIT $2"
    ))
    .bind(job.map(JobName::as_str))
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(Error::Db)?;
    Ok(rows.iter().filter_map(from_row).collect())
}

/// The newest real (not dry, not skipped) run of each job.
pub async fn last_runs(pool: &PgPool) -> Result<HashMap<JobName, JobRunRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT DISTINCT ON (job) {COLUMNS} FROM cachescope.job_runs \
         WHERE NOT dry_run AND status <> 'skipped' ORDER BY job, started_at DESC, id DESC"
    ))
    .fetch_all(pool)
    .await
    .map_err(Error::Db)?;
    Ok(rows
        .iter()
        .filter_map(from_row)
        .map(|r| (r.job, r))
        .collect())
}

/// Deletes finished runs of `job` older than `days`.
pub async fn prune(pool: &PgPool, job: JobName, days: i64) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM cachescope.job_runs WHERE job = $1 AND finished_at < now() - make_interval(days => $2::int)",
    )
    .bind(job.as_str())
    .bind(days)
    .execute(pool)
    .await
    .map_err(Error::Db)?;
    Ok(done.rows_affected())
}

/// A job's advisory lock, held on a connection of its own for the length of a run. If the process
/// dies, the connection closes and Postgres releases the lock. If the connection is lost while
/// the process lives on (a network cut, `pg_terminate_backend`), the lock is gone too: a run
/// checks its [`JobLease`] before each step it commits, so it stops instead of carrying on
/// unguarded beside a run that took the lock since.
pub struct JobLock {
    conn: Option<PgConnection>,
    lease: JobLease,
}

/// What a run needs to check that it still holds its job's lock: the job, and the Postgres
/// session (backend pid) that took the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobLease {
    job: JobName,
    pid: i32,
}

impl JobLease {
    /// Fails with [`Error::JobLockLost`] unless the lock's session still holds the lock. Called on
    /// the connection (or transaction) about to commit a step, as its last statement.
    pub async fn ensure_held(&self, conn: &mut PgConnection) -> Result<()> {
        let held: bool = sqlx::query_scalar(&format!("SELECT {}", Self::held_sql("$1", "$2")))
            .bind(self.pid)
            .bind(self.job.as_str())
            .fetch_one(conn)
            .await
            .map_err(Error::Db)?;
        if held {
            Ok(())
        } else {
            Err(self.lost())
        }
    }

    /// The check of [`ensure_held`](Self::ensure_held) as an SQL condition, for a statement that
    /// checks the lock itself: `pid` and `job` are its parameters for [`pid`](Self::pid) (int4)
    /// and the job's name (text).
    pub(crate) fn held_sql(pid: &str, job: &str) -> String {
        format!(
            "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND pid = {pid} AND classid = hashtext('cachescope.job')::oid \
             AND objid = hashtext({job})::oid AND objsubid = 2)"
        )
    }

    /// The Postgres session (backend pid) that holds the lock.
    pub(crate) fn pid(&self) -> i32 {
        self.pid
    }

    /// The job whose lock this is.
    pub(crate) fn job(&self) -> JobName {
        self.job
    }

    /// The error of a step that found the lock gone.
    pub(crate) fn lost(&self) -> Error {
        Error::JobLockLost {
            job: self.job.as_str().to_owned(),
        }
    }
}

impl JobLock {
    /// Takes `job`'s lock if it is free; `None` when another run holds it.
    pub async fn try_acquire(pool: &PgPool, job: JobName) -> Result<Option<Self>> {
        let conn = pool.acquire().await.map_err(Error::Db)?;
        let mut conn = conn.detach();
        let (locked, pid): (bool, i32) = sqlx::query_as(
            "SELECT pg_try_advisory_lock(hashtext('cachescope.job'), hashtext($1)), pg_backend_pid()",
        )
        .bind(job.as_str())
        .fetch_one(&mut conn)
        .await
        .map_err(Error::Db)?;
        if !locked {
            let _ = conn.close().await;
            return Ok(None);
        }
        Ok(Some(Self {
            conn: Some(conn),
            lease: JobLease { job, pid },
        }))
    }

    /// What the run checks before each step it commits.
    pub fn lease(&self) -> JobLease {
        self.lease
    }

    /// Releases the lock and closes its connection.
    pub async fn release(mut self) {
        if let Some(conn) = self.conn.take() {
            // Closing the session releases its advisory locks.
            let _ = conn.close().await;
        }
    }
}

/// Marks runs of `job` still `running` as abandoned, except `keep`: called by the holder of the
/// job's lock, which proves no other console is running it.
pub async fn abandon_stale(pool: &PgPool, job: JobName, keep: i64) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE cachescope.job_runs SET status = 'abandoned', finished_at = now(), \
         error = 'the console running it stopped before the run finished' \
         WHERE job = $1 AND status = 'running' AND NOT dry_run AND id <> $2",
    )
    .bind(job.as_str())
    .bind(keep)
    .execute(pool)
    .await
    .map_err(Error::Db)?;
    Ok(done.rows_affected())
}

/// Runs still in progress (on any console), newest first.
pub async fn running(pool: &PgPool) -> Result<Vec<JobRunRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM cachescope.job_runs WHERE status = 'running' ORDER BY started_at DESC"
    ))
    .fetch_all(pool)
    .await
    .map_err(Error::Db)?;
    Ok(rows.iter().filter_map(from_row).collect())
}
