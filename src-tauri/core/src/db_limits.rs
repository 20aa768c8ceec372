//! Time limits of the console's Postgres work, per profile (`[profile.db_limits]` in
//! `profiles.toml`). Each kind of work ([`Work`]) has its own statement limit, applied with
//! `SET LOCAL statement_timeout` inside that work's transaction; every pooled connection also
//! carries session limits on lock waits and on idling inside a transaction, so a lock held by
//! another session or a stuck session never holds a pool slot forever. A statement cancelled by
//! one of them becomes [`Error::DbTimeout`], which names the work, the limit and its setting.
//!
//! The limits travel with the pool: [`DbLimits::apply_to`] puts them into the connections'
//! start-up options (`lock_timeout`, `idle_in_transaction_session_timeout`, and one
//! `cachescope.<work>_ms` setting per kind of work), and [`WorkLimit::of`] reads a kind of work's
//! limit back from a connection. A connection that carries none (a pool made elsewhere, e.g. by a
//! test) gets the defaults.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, Postgres};
use sqlx::Transaction;

use crate::error::{Error, Result};

/// A kind of Postgres work with a statement limit of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Report SQL and fan-out queries (precompute, the SQL fallback of a report read).
    ReportQuery,
    /// The sweep's `existingIdsSql` queries.
    ExistenceCheck,
    /// The storage report's row counts.
    StorageCount,
    /// One delete batch of the delete-archived job.
    DeleteBatch,
    /// The statistics' queries (Stats screen, `cachescope stats`).
    StatsQuery,
}

impl Work {
    /// Every kind of work.
    pub const ALL: [Work; 5] = [
        Work::ReportQuery,
        Work::ExistenceCheck,
        Work::StorageCount,
        Work::DeleteBatch,
        Work::StatsQuery,
    ];

    /// The field of `[profile.db_limits]` that sets this work's limit.
    pub fn field(self) -> &'static str {
        match self {
            Work::ReportQuery => "report_query_secs",
            Work::ExistenceCheck => "existence_check_secs",
            Work::StorageCount => "storage_count_secs",
            Work::DeleteBatch => "delete_batch_secs",
            Work::StatsQuery => "stats_query_secs",
        }
    }

    /// The session setting that carries the limit (milliseconds) on a profile's connections.
    fn setting(self) -> &'static str {
        match self {
            Work::ReportQuery => "cachescope.report_query_ms",
            Work::ExistenceCheck => "cachescope.existence_check_ms",
            Work::StorageCount => "cachescope.storage_count_ms",
            Work::DeleteBatch => "cachescope.delete_batch_ms",
            Work::StatsQuery => "cachescope.stats_query_ms",
        }
    }

    fn secs(self, limits: &DbLimits) -> u32 {
        match self {
            Work::ReportQuery => limits.report_query_secs,
            Work::ExistenceCheck => limits.existence_check_secs,
            Work::StorageCount => limits.storage_count_secs,
            Work::DeleteBatch => limits.delete_batch_secs,
            Work::StatsQuery => limits.stats_query_secs,
        }
    }
}

/// The setting that carries the lock limit (milliseconds), beside `lock_timeout` itself.
const LOCK_SETTING: &str = "cachescope.lock_ms";

/// The bounds of a statement limit: a second to a day.
const STATEMENT_SECS: RangeInclusive<u32> = 1..=86_400;
/// The bounds of the lock limit: a second to an hour.
const LOCK_SECS: RangeInclusive<u32> = 1..=3_600;
/// The bounds of the idle-in-transaction limit: a second to a day.
const IDLE_SECS: RangeInclusive<u32> = 1..=86_400;

/// A profile's time limits for its Postgres work, in seconds. Every field is optional in
/// `profiles.toml`; a missing one takes its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DbLimits {
    /// One report's SQL or fan-out query (default 120).
    pub report_query_secs: u32,
    /// One existence query of a sweep rule (default 30).
    pub existence_check_secs: u32,
    /// One table's row count in the storage report (default 300).
    pub storage_count_secs: u32,
    /// One delete batch of the delete-archived job (default 60).
    pub delete_batch_secs: u32,
    /// One statistics query (default 60).
    pub stats_query_secs: u32,
    /// The longest any statement waits for a lock another session holds (default 30).
    pub lock_secs: u32,
    /// The longest a session may sit idle inside a transaction before Postgres ends it
    /// (default 300).
    pub idle_in_transaction_secs: u32,
}

impl Default for DbLimits {
    fn default() -> Self {
        Self {
            report_query_secs: 120,
            existence_check_secs: 30,
            storage_count_secs: 300,
            delete_batch_secs: 60,
            stats_query_secs: 60,
            lock_secs: 30,
            idle_in_transaction_secs: 300,
        }
    }
}

impl DbLimits {
    /// Checks every limit against its bounds; the error names the profile and the field.
    pub fn validate(&self, profile: &str) -> Result<()> {
        let mut checks: Vec<(&str, u32, RangeInclusive<u32>)> = Work::ALL
            .iter()
            .map(|w| (w.field(), w.secs(self), STATEMENT_SECS))
            .collect();
        checks.push(("lock_secs", self.lock_secs, LOCK_SECS));
        checks.push((
            "idle_in_transaction_secs",
            self.idle_in_transaction_secs,
            IDLE_SECS,
        ));
        for (field, value, bounds) in checks {
            if !bounds.contains(&value) {
                return Err(Error::invalid(
                    format!("db_limits.{field} of profile {profile:?}"),
                    format!(
                        "must be between {} and {} seconds; it is {value}",
                        bounds.start(),
                        bounds.end()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The statement limit of `work`.
    pub fn statement(&self, work: Work) -> Duration {
        Duration::from_secs(u64::from(work.secs(self)))
    }

    /// The start-up options of every connection of the profile's pool: the session's lock and
    /// idle-in-transaction limits, and each kind of work's limit for [`WorkLimit::of`]. All are
    /// integers (milliseconds) from validated fields.
    pub fn session_options(&self) -> Vec<(&'static str, u64)> {
        let ms = |secs: u32| u64::from(secs) * 1000;
        let mut options = vec![
            ("lock_timeout", ms(self.lock_secs)),
            (LOCK_SETTING, ms(self.lock_secs)),
            (
                "idle_in_transaction_session_timeout",
                ms(self.idle_in_transaction_secs),
            ),
        ];
        options.extend(Work::ALL.iter().map(|w| (w.setting(), ms(w.secs(self)))));
        options
    }

    /// `options` with this profile's limits on every connection made from them.
    pub fn apply_to(&self, options: PgConnectOptions) -> PgConnectOptions {
        options.options(self.session_options())
    }
}

/// The limits in force for one kind of work on a pool's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkLimit {
    work: Work,
    statement: Duration,
    lock: Duration,
}

impl WorkLimit {
    /// Reads `work`'s limits from one of the pool's connections (the defaults when the
    /// connections carry none).
    pub async fn of(pool: &PgPool, work: Work) -> Result<Self> {
        let (statement, lock): (Option<String>, Option<String>) =
            sqlx::query_as("SELECT current_setting($1, true), current_setting($2, true)")
                .bind(work.setting())
                .bind(LOCK_SETTING)
                .fetch_one(pool)
                .await
                .map_err(Error::Db)?;
        let defaults = DbLimits::default();
        Ok(Self {
            work,
            statement: read_ms(
                work.setting(),
                statement,
                defaults.statement(work),
                &STATEMENT_SECS,
            )?,
            lock: read_ms(
                LOCK_SETTING,
                lock,
                Duration::from_secs(u64::from(defaults.lock_secs)),
                &LOCK_SECS,
            )?,
        })
    }

    /// The kind of work.
    pub fn work(&self) -> Work {
        self.work
    }

    /// How long one statement of this work may run.
    pub fn statement(&self) -> Duration {
        self.statement
    }

    /// How long a statement waits for a lock another session holds.
    pub fn lock(&self) -> Duration {
        self.lock
    }

    /// Begins a transaction whose statements may each run at most the work's limit (`SET LOCAL
    /// statement_timeout`, sent with the `BEGIN`, so no extra round trip).
    pub async fn begin(&self, pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
        pool.begin_with(self.begin_sql("BEGIN"))
            .await
            .map_err(Error::Db)
    }

    /// [`begin`](Self::begin), read-only.
    pub async fn begin_read_only(&self, pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
        pool.begin_with(self.begin_sql("BEGIN READ ONLY"))
            .await
            .map_err(Error::Db)
    }

    fn begin_sql(&self, begin: &str) -> String {
        // An integer of milliseconds, read and bounded by `of`: no text from an option.
        format!(
            "{begin}; SET LOCAL statement_timeout = {}",
            self.statement.as_millis()
        )
    }

    /// [`Error::DbTimeout`] naming `what` when one of the limits cancelled the statement that
    /// failed with `e`; `None` for any other failure.
    pub fn timeout(&self, what: impl Display, e: &sqlx::Error) -> Option<Error> {
        let lock = match timeout_code(e)? {
            TimeoutCode::Statement => false,
            TimeoutCode::Lock => true,
        };
        Some(Error::DbTimeout {
            work: what.to_string(),
            limit: if lock { self.lock } else { self.statement },
            setting: if lock { "lock_secs" } else { self.work.field() },
            lock,
        })
    }

    /// [`Error::DbTimeout`] naming `what` when the lock limit cancelled the statement that failed
    /// with `e`: for a statement that did not run under the work's statement limit.
    pub fn lock_timeout(&self, what: impl Display, e: &sqlx::Error) -> Option<Error> {
        match timeout_code(e)? {
            TimeoutCode::Lock => self.timeout(what, e),
            TimeoutCode::Statement => None,
        }
    }

    /// The error for a failed statement of this work: [`Error::DbTimeout`] when a limit
    /// cancelled it, else [`Error::Db`].
    pub fn error(&self, what: impl Display, e: sqlx::Error) -> Error {
        self.timeout(what, &e).unwrap_or(Error::Db(e))
    }
}

/// Bounds the lock waits of a connection of its own (e.g. the migrations'), for its whole
/// session, by the lock limit its session carries (the default when it carries none); returns
/// that limit.
pub async fn bound_lock_waits(conn: &mut PgConnection) -> Result<Duration> {
    let carried: Option<String> = sqlx::query_scalar("SELECT current_setting($1, true)")
        .bind(LOCK_SETTING)
        .fetch_one(&mut *conn)
        .await
        .map_err(Error::Db)?;
    let limit = read_ms(
        LOCK_SETTING,
        carried,
        Duration::from_secs(u64::from(DbLimits::default().lock_secs)),
        &LOCK_SECS,
    )?;
    sqlx::query("SELECT set_config('lock_timeout', $1, false)")
        .bind(limit.as_millis().to_string())
        .execute(&mut *conn)
        .await
        .map_err(Error::Db)?;
    Ok(limit)
}

/// Which limit cancelled a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutCode {
    /// SQLSTATE 57014 (query_canceled), raised by `statement_timeout`.
    Statement,
    /// SQLSTATE 55P03 (lock_not_available), raised by `lock_timeout`.
    Lock,
}

/// Whether `e` is a statement cancelled by a time limit, and by which.
pub fn timeout_code(e: &sqlx::Error) -> Option<TimeoutCode> {
    match e {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("57014") => Some(TimeoutCode::Statement),
            Some("55P03") => Some(TimeoutCode::Lock),
            _ => None,
        },
        _ => None,
    }
}

/// A limit in milliseconds read from a session setting: the default when the session carries
/// none, an error naming the setting when it is not a whole number within bounds.
fn read_ms(
    setting: &str,
    value: Option<String>,
    default: Duration,
    bounds: &RangeInclusive<u32>,
) -> Result<Duration> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    let ms: u64 = value.parse().map_err(|_| {
        Error::invalid(
            format!("Postgres session setting {setting}"),
            format!("{value:?} is not a whole number of milliseconds"),
        )
    })?;
    let (low, high) = (
        u64::from(*bounds.start()) * 1000,
        u64::from(*bounds.end()) * 1000,
    );
    if !(low..=high).contains(&ms) {
        return Err(Error::invalid(
            format!("Postgres session setting {setting}"),
            format!("{ms} ms is outside {low}..={high} ms"),
        ));
    }
    Ok(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_partial_section_takes_the_defaults_and_bounds_name_the_field() {
        let limits: DbLimits = toml::from_str("report_query_secs = 5").unwrap();
        assert_eq!(
            limits,
            DbLimits {
                report_query_secs: 5,
                ..DbLimits::default()
            }
        );
        limits.validate("p").unwrap();
        DbLimits::default().validate("p").unwrap();
        for (field, limits) in [
            (
                "stats_query_secs",
                DbLimits {
                    stats_query_secs: 0,
                    ..DbLimits::default()
                },
            ),
            (
                "lock_secs",
                DbLimits {
                    lock_secs: 3_601,
                    ..DbLimits::default()
                },
            ),
            (
                "idle_in_transaction_secs",
                DbLimits {
                    idle_in_transaction_secs: 0,
                    ..DbLimits::default()
                },
            ),
        ] {
            let err = limits.validate("prod").unwrap_err().to_string();
            assert!(
                err.contains(&format!("db_limits.{field} of profile \"prod\"")),
                "{err}"
            );
        }
        let err = toml::from_str::<DbLimits>("report_query_sec = 5")
            .unwrap_err()
            .to_string();
        assert!(err.contains("report_query_sec"), "{err}");
    }

    #[test]
    fn session_options_are_milliseconds_of_every_limit() {
        let options = DbLimits::default().session_options();
        assert!(options.contains(&("lock_timeout", 30_000)));
        assert!(options.contains(&("idle_in_transaction_session_timeout", 300_000)));
        assert!(options.contains(&("cachescope.report_query_ms", 120_000)));
        assert_eq!(options.len(), 3 + Work::ALL.len());
    }

    #[test]
    fn a_setting_out_of_bounds_is_refused_by_name() {
        let bounds = STATEMENT_SECS;
        let d = Duration::from_secs(7);
        assert_eq!(read_ms("s", None, d, &bounds).unwrap(), d);
        assert_eq!(read_ms("s", Some(String::new()), d, &bounds).unwrap(), d);
        assert_eq!(
            read_ms("s", Some("1500".into()), d, &bounds).unwrap(),
            Duration::from_millis(1500)
        );
        for bad in ["0", "-1", "1s", "999999999999"] {
            let err = read_ms("cachescope.x_ms", Some(bad.into()), d, &bounds)
                .unwrap_err()
                .to_string();
            assert!(err.contains("cachescope.x_ms"), "{err}");
        }
    }
}
