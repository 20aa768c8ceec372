//! Each job's schedule, time zone, pause state, options and (destructive jobs) whether its
//! schedule is enabled, kept in `cachescope.jobs` so every console and daemon pointed at one
//! database shares them. Rows are created with the defaults on
//! first use; every change is validated first and refused with a message naming what is wrong.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::postgres::PgPool;
use sqlx::Row;

use super::catalog::JobName;
use super::options::JobOptions;
use crate::error::{Error, Result};
use crate::reports::definitions::Schedule;

/// The time zone of the default schedules.
pub const DEFAULT_TIME_ZONE: &str = "UTC";

/// A job's stored settings.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct JobSettings {
    pub name: JobName,
    /// Cron expression; `None` = run by hand only.
    pub schedule: Option<String>,
    pub time_zone: String,
    pub paused: bool,
    /// Whether the job's schedule may run on this database. A destructive job starts disabled
    /// and is enabled with a typed confirmation ([`set_enabled`]); a job that deletes nothing is
    /// always enabled.
    pub enabled: bool,
    pub options: JobOptions,
    pub updated_at: String,
    pub updated_by: String,
}

impl JobSettings {
    /// The parsed schedule and time zone, when the job has a schedule.
    pub fn parsed_schedule(&self) -> Result<Option<(Schedule, chrono_tz::Tz)>> {
        let Some(text) = &self.schedule else {
            return Ok(None);
        };
        Ok(Some(parse_schedule(self.name, text, &self.time_zone)?))
    }
}

/// Parses a job's cron expression and IANA time zone, naming the job in any error.
pub fn parse_schedule(
    job: JobName,
    schedule: &str,
    time_zone: &str,
) -> Result<(Schedule, chrono_tz::Tz)> {
    let schedule = Schedule::parse_allowing_seconds(schedule)
        .map_err(|reason| Error::invalid(format!("schedule of job {job}"), reason))?;
    let tz: chrono_tz::Tz = time_zone.parse().map_err(|_| {
        Error::invalid(
            format!("time zone of job {job}"),
            format!(
                "{time_zone:?} is not an IANA time zone (e.g. UTC, Europe/Berlin, Asia/Shanghai)"
            ),
        )
    })?;
    Ok((schedule, tz))
}

fn who() -> String {
    crate::actor::Actor::current().to_string()
}

/// Creates the rows of jobs that have none yet, with their defaults (existing rows are kept).
/// `pool` holds the console's tables (as the profile handle's database does).
pub async fn ensure_defaults(pool: &PgPool) -> Result<()> {
    let by = who();
    for job in JobName::ALL {
        let options = JobOptions::defaults_for(job).to_stored()?;
        sqlx::query(
            "INSERT INTO cachescope.jobs (name, schedule, time_zone, options, updated_by) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
        )
        .bind(job.as_str())
        .bind(job.default_schedule())
        .bind(DEFAULT_TIME_ZONE)
        .bind(options)
        .bind(&by)
        .execute(pool)
        .await
        .map_err(Error::Db)?;
    }
    Ok(())
}

fn from_row(row: &sqlx::postgres::PgRow) -> Result<JobSettings> {
    let name: String = row.get("name");
    let name: JobName = name.parse()?;
    let options: serde_json::Value = row.get("options");
    let options = JobOptions::from_json(name, options).map_err(|e| {
        Error::invalid(
            format!("stored options of job {name}"),
            format!("{e} (fix them with `cachescope jobs options {name} --set`)"),
        )
    })?;
    let updated_at: DateTime<Utc> = row.get("updated_at");
    Ok(JobSettings {
        name,
        schedule: row.get("schedule"),
        time_zone: row.get("time_zone"),
        paused: row.get("paused"),
        enabled: !name.is_destructive() || row.get::<bool, _>("enabled"),
        options,
        updated_at: updated_at.to_rfc3339(),
        updated_by: row.get("updated_by"),
    })
}

const COLUMNS: &str = "name, schedule, time_zone, paused, enabled, options, updated_at, updated_by";

/// Every job's settings, in catalog order. Rows of jobs this version does not know are ignored.
pub async fn load_all(pool: &PgPool) -> Result<Vec<JobSettings>> {
    ensure_defaults(pool).await?;
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM cachescope.jobs"))
        .fetch_all(pool)
        .await
        .map_err(Error::Db)?;
    let mut all = Vec::new();
    for row in &rows {
        let name: String = row.get("name");
        if name.parse::<JobName>().is_ok() {
            all.push(from_row(row)?);
        }
    }
    all.sort_by_key(|s| JobName::ALL.iter().position(|j| *j == s.name));
    Ok(all)
}

/// One job's settings.
pub async fn load(pool: &PgPool, job: JobName) -> Result<JobSettings> {
    ensure_defaults(pool).await?;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM cachescope.jobs WHERE name = $1"
    ))
    .bind(job.as_str())
    .fetch_one(pool)
    .await
    .map_err(Error::Db)?;
    from_row(&row)
}

/// Sets (or, with `None`, removes) a job's schedule and its time zone.
pub async fn set_schedule(
    pool: &PgPool,
    job: JobName,
    schedule: Option<&str>,
    time_zone: &str,
) -> Result<JobSettings> {
    if let Some(schedule) = schedule {
        if job.needs_parameter() {
            return Err(Error::invalid(
                format!("schedule of job {job}"),
                "this job needs a parameter for each run, so it runs by hand only",
            ));
        }
        parse_schedule(job, schedule, time_zone)?;
    } else {
        parse_schedule(job, "0 0 * * *", time_zone)?;
    }
    ensure_defaults(pool).await?;
    sqlx::query(
        "UPDATE cachescope.jobs SET schedule = $2, time_zone = $3, updated_at = now(), updated_by = $4 \
         WHERE name = $1",
    )
    .bind(job.as_str())
    .bind(schedule)
    .bind(time_zone)
    .bind(who())
    .execute(pool)
    .await
    .map_err(Error::Db)?;
    load(pool, job).await
}

/// Pauses or resumes a job's schedule (running by hand stays possible).
pub async fn set_paused(pool: &PgPool, job: JobName, paused: bool) -> Result<JobSettings> {
    ensure_defaults(pool).await?;
    sqlx::query(
        "UPDATE cachescope.jobs SET paused = $2, updated_at = now(), updated_by = $3 WHERE name = $1",
    )
    .bind(job.as_str())
    .bind(paused)
    .bind(who())
    .execute(pool)
    .await
    .map_err(Error::Db)?;
    load(pool, job).await
}

/// Replaces a job's options after checking them (bounds, names, and the tables and columns they
/// name against the live catalog); missing fields take their defaults, unknown ones are refused.
pub async fn set_options(
    pool: &PgPool,
    job: JobName,
    options: serde_json::Value,
) -> Result<JobSettings> {
    let options = JobOptions::from_json(job, options)?;
    options.validate()?;
    ensure_defaults(pool).await?;
    options.check_live(pool).await?;
    let stored = options.to_stored()?;
    sqlx::query(
        "UPDATE cachescope.jobs SET options = $2, updated_at = now(), updated_by = $3 WHERE name = $1",
    )
    .bind(job.as_str())
    .bind(stored)
    .bind(who())
    .execute(pool)
    .await
    .map_err(Error::Db)?;
    load(pool, job).await
}

/// Enables (with `confirmation`, the job's name typed exactly) or disables a destructive job's
/// schedule on this database. Jobs that delete nothing need no enabling and are refused here.
pub async fn set_enabled(
    pool: &PgPool,
    job: JobName,
    enabled: bool,
    confirmation: Option<&str>,
) -> Result<JobSettings> {
    if !job.is_destructive() {
        return Err(Error::invalid(
            format!("job {job}"),
            "deletes nothing, so it needs no enabling (its schedule runs unless paused)",
        ));
    }
    if enabled && confirmation != Some(job.as_str()) {
        return Err(Error::invalid(
            "confirmation",
            format!("type the job name {job:?} exactly to enable its schedule on this database"),
        ));
    }
    ensure_defaults(pool).await?;
    sqlx::query(
        "UPDATE cachescope.jobs SET enabled = $2, \
         enabled_at = CASE WHEN $2 THEN now() END, enabled_by = CASE WHEN $2 THEN $3 END, \
         updated_at = now(), updated_by = $3 WHERE name = $1",
    )
    .bind(job.as_str())
    .bind(enabled)
    .bind(who())
    .execute(pool)
    .await
    .map_err(Error::Db)?;
    load(pool, job).await
}
