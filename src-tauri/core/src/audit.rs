//! The audit log of actions that change or delete something (who, when, which profile, what,
//! dry run or real, how it ended). A profile that names a Postgres database writes to that
//! database's shared `cachescope.audit_log`, so every console pointed at it shows one history;
//! other profiles, and changes to this machine's own profiles, write to the local state file.
//! Destructive work writes its entry before it starts ([`AuditTrail::begin`], outcome
//! [`INTERRUPTED`]) and its outcome when it ends ([`AuditTrail::finish`]), so a crash or a kill
//! in between leaves an `interrupted` entry rather than none.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::Row;

use crate::actor::Actor;
use crate::error::{Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/local-state");

/// The outcome an entry holds between the start of its work and its end: what stays when the
/// work was cut off.
pub const INTERRUPTED: &str = "interrupted";

/// What happened, as the caller describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub profile: String,
    /// e.g. `delete-key`, `delete-prefix`.
    pub action: String,
    /// The key, prefix or range acted on.
    pub target: String,
    pub item_count: u64,
    pub dry_run: bool,
    /// e.g. `done`, `cancelled`, `failed: ...`.
    pub outcome: String,
    pub detail: serde_json::Value,
}

impl AuditEntry {
    /// A real (not dry) action on `target`, no items counted yet, no detail.
    pub fn new(profile: &str, action: &str, target: &str) -> Self {
        Self {
            profile: profile.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            item_count: 0,
            dry_run: false,
            outcome: "done".to_owned(),
            detail: serde_json::json!({}),
        }
    }

    /// The same entry with this detail.
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// An audit entry as stored, with who and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub os_user: String,
    pub host: String,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// One entry of the audit log, as the UI receives it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub os_user: String,
    pub host: String,
    pub profile: String,
    pub action: String,
    pub target: String,
    #[ts(type = "number")]
    pub item_count: u64,
    pub dry_run: bool,
    pub outcome: String,
    #[ts(type = "unknown")]
    pub detail: serde_json::Value,
}

impl From<AuditRecord> for AuditRow {
    fn from(record: AuditRecord) -> Self {
        let entry = record.entry;
        Self {
            id: record.id,
            at: record.at,
            os_user: record.os_user,
            host: record.host,
            profile: entry.profile,
            action: entry.action,
            target: entry.target,
            item_count: entry.item_count,
            dry_run: entry.dry_run,
            outcome: entry.outcome,
            detail: entry.detail,
        }
    }
}

/// An entry written before its work; hand it to [`AuditTrail::finish`] when the work ends.
#[derive(Debug)]
#[must_use = "an audit entry begun must be finished, or it stays `interrupted`"]
pub struct AuditMark {
    id: i64,
}

/// How the work of a begun entry ended.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditOutcome {
    /// `done`, `cancelled`, `failed: ...`, ...
    pub outcome: String,
    pub item_count: u64,
    pub detail: serde_json::Value,
}

impl AuditOutcome {
    pub fn new(outcome: impl Into<String>, item_count: u64, detail: serde_json::Value) -> Self {
        Self {
            outcome: outcome.into(),
            item_count,
            detail,
        }
    }
}

fn stored_count(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// The local audit log (the state database of this machine).
#[derive(Debug, Clone)]
pub struct AuditLog {
    pool: SqlitePool,
    path: PathBuf,
}

impl AuditLog {
    /// Opens (creating) the state database at `path`.
    pub async fn open(path: &Path) -> Result<Self> {
        let pool = crate::sqlite_file::open(path, 2, &MIGRATOR).await?;
        Ok(Self {
            pool,
            path: path.to_owned(),
        })
    }

    fn local_error(&self) -> impl Fn(sqlx::Error) -> Error + '_ {
        |source| Error::Local {
            path: self.path.clone(),
            source,
        }
    }

    /// Records an action taken by the current OS user on this host.
    pub async fn record(&self, entry: &AuditEntry) -> Result<i64> {
        let Actor {
            user: os_user,
            host,
        } = Actor::current();
        let row = sqlx::query(
            "INSERT INTO audit_log (at, os_user, host, profile, action, target, item_count, dry_run, outcome, detail) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .bind(os_user)
        .bind(host)
        .bind(&entry.profile)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(stored_count(entry.item_count))
        .bind(entry.dry_run)
        .bind(&entry.outcome)
        .bind(entry.detail.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(self.local_error())?;
        Ok(row.get(0))
    }

    async fn finish(&self, id: i64, outcome: &AuditOutcome) -> Result<()> {
        sqlx::query("UPDATE audit_log SET outcome = ?, item_count = ?, detail = ? WHERE id = ?")
            .bind(&outcome.outcome)
            .bind(stored_count(outcome.item_count))
            .bind(outcome.detail.to_string())
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(self.local_error())?;
        Ok(())
    }

    /// The newest `limit` records, newest first.
    pub async fn recent(&self, limit: u32) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT id, at, os_user, host, profile, action, target, item_count, dry_run, outcome, detail \
             FROM audit_log ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(self.local_error())?;
        Ok(rows
            .into_iter()
            .map(|r| AuditRecord {
                id: r.get(0),
                at: r.get(1),
                os_user: r.get(2),
                host: r.get(3),
                entry: AuditEntry {
                    profile: r.get(4),
                    action: r.get(5),
                    target: r.get(6),
                    item_count: r.get::<i64, _>(7).max(0) as u64,
                    dry_run: r.get(8),
                    outcome: r.get(9),
                    detail: serde_json::from_str(r.get::<&str, _>(10)).unwrap_or_default(),
                },
            })
            .collect())
    }
}

/// Where a profile's audit entries go: the shared table of its Postgres database, or the local
/// state file when it names none.
#[derive(Debug, Clone)]
pub enum AuditTrail {
    Local(AuditLog),
    Shared(PgPool),
}

impl AuditTrail {
    /// Records an action that is already over (a dry run, a settings change).
    pub async fn record(&self, entry: &AuditEntry) -> Result<i64> {
        match self {
            Self::Local(log) => log.record(entry).await,
            Self::Shared(pool) => {
                let Actor {
                    user: os_user,
                    host,
                } = Actor::current();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO cachescope.audit_log \
                     (os_user, host, profile, action, target, item_count, dry_run, outcome, detail, finished_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     RETURNING id",
                )
                .bind(os_user)
                .bind(host)
                .bind(&entry.profile)
                .bind(&entry.action)
                .bind(&entry.target)
                .bind(stored_count(entry.item_count))
                .bind(entry.dry_run)
                .bind(&entry.outcome)
                .bind(&entry.detail)
                // An intent has not finished; anything else is over when it is recorded.
                .bind((entry.outcome != INTERRUPTED).then(Utc::now))
                .fetch_one(pool)
                .await
                .map_err(Error::Db)?;
                Ok(id)
            }
        }
    }

    /// Records the intent of `entry` before its work starts, with outcome [`INTERRUPTED`] (its
    /// own outcome is ignored). An error here means the work must not start: it would go
    /// unrecorded.
    pub async fn begin(&self, entry: &AuditEntry) -> Result<AuditMark> {
        let intent = AuditEntry {
            outcome: INTERRUPTED.to_owned(),
            ..entry.clone()
        };
        Ok(AuditMark {
            id: self.record(&intent).await?,
        })
    }

    /// Replaces a begun entry's outcome, count and detail with how the work ended.
    pub async fn finish(&self, mark: AuditMark, outcome: &AuditOutcome) -> Result<()> {
        match self {
            Self::Local(log) => log.finish(mark.id, outcome).await,
            Self::Shared(pool) => {
                sqlx::query(
                    "UPDATE cachescope.audit_log \
                     SET outcome = $2, item_count = $3, detail = $4, finished_at = now() WHERE id = $1",
                )
                .bind(mark.id)
                .bind(&outcome.outcome)
                .bind(stored_count(outcome.item_count))
                .bind(&outcome.detail)
                .execute(pool)
                .await
                .map_err(Error::Db)?;
                Ok(())
            }
        }
    }

    /// Runs `work` between its intent and its outcome: `done` counting one item, or
    /// `failed: ...`; the detail stays the entry's. Work whose intent cannot be recorded does
    /// not run.
    pub async fn around<T>(
        &self,
        entry: &AuditEntry,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let mark = self.begin(entry).await?;
        let result = work.await;
        let outcome = match &result {
            Ok(_) => "done".to_owned(),
            Err(e) => format!("failed: {e}"),
        };
        self.finish(
            mark,
            &AuditOutcome::new(outcome, u64::from(result.is_ok()), entry.detail.clone()),
        )
        .await?;
        result
    }

    /// The newest `limit` records, newest first.
    pub async fn recent(&self, limit: u32) -> Result<Vec<AuditRecord>> {
        match self {
            Self::Local(log) => log.recent(limit).await,
            Self::Shared(pool) => {
                let rows = sqlx::query(
                    "SELECT id, at, os_user, host, profile, action, target, item_count, dry_run, outcome, detail \
                     FROM cachescope.audit_log ORDER BY id DESC LIMIT $1",
                )
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await
                .map_err(Error::Db)?;
                Ok(rows
                    .into_iter()
                    .map(|r| AuditRecord {
                        id: r.get(0),
                        at: r
                            .get::<DateTime<Utc>, _>(1)
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        os_user: r.get(2),
                        host: r.get(3),
                        entry: AuditEntry {
                            profile: r.get(4),
                            action: r.get(5),
                            target: r.get(6),
                            item_count: r.get::<i64, _>(7).max(0) as u64,
                            dry_run: r.get(8),
                            outcome: r.get(9),
                            detail: r.get(10),
                        },
                    })
                    .collect())
            }
        }
    }
}

/// Audit records as CSV (a header row, then one row per record), for a spreadsheet; cells that
/// a spreadsheet would run as formulas are quoted (see [`crate::spreadsheet_csv`]).
pub fn to_csv(records: &[AuditRecord]) -> Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| Error::invalid("audit CSV", e.to_string());
    out.write_record([
        "id",
        "at",
        "os_user",
        "host",
        "profile",
        "action",
        "target",
        "item_count",
        "dry_run",
        "outcome",
        "detail",
    ])
    .map_err(failed)?;
    for r in records {
        let e = &r.entry;
        // Targets (key names, prefixes) and outcomes come from users and servers: no formulas.
        crate::spreadsheet_csv::write_record(
            &mut out,
            [
                r.id.to_string(),
                r.at.clone(),
                r.os_user.clone(),
                r.host.clone(),
                e.profile.clone(),
                e.action.clone(),
                e.target.clone(),
                e.item_count.to_string(),
                e.dry_run.to_string(),
                e.outcome.clone(),
                e.detail.to_string(),
            ],
        )
        .map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::invalid("audit CSV", e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::invalid("audit CSV", e.to_string()))
}
