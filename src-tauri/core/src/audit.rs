//! The audit log of destructive actions (who, when, which profile, what, dry run or real), kept
//! in the local state database so it exists even without Postgres.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::sqlite::SqlitePool;
use sqlx::Row;

use crate::error::{Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/local-state");

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

/// The local audit log.
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

    /// Records an action taken by the current OS user on this host.
    pub async fn record(&self, entry: &AuditEntry) -> Result<i64> {
        let host = whoami::fallible::hostname().unwrap_or_else(|_| "unknown".to_owned());
        let row = sqlx::query(
            "INSERT INTO audit_log (at, os_user, host, profile, action, target, item_count, dry_run, outcome, detail) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .bind(whoami::username())
        .bind(host)
        .bind(&entry.profile)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(entry.item_count as i64)
        .bind(entry.dry_run)
        .bind(&entry.outcome)
        .bind(entry.detail.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(|source| Error::Local { path: self.path.clone(), source })?;
        Ok(row.get(0))
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
        .map_err(|source| Error::Local { path: self.path.clone(), source })?;
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
                    item_count: r.get::<i64, _>(7) as u64,
                    dry_run: r.get(8),
                    outcome: r.get(9),
                    detail: serde_json::from_str(r.get::<&str, _>(10)).unwrap_or_default(),
                },
            })
            .collect())
    }
}

/// Audit records as CSV (a header row, then one row per record), for a spreadsheet.
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
        out.write_record([
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
        ])
        .map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::invalid("audit CSV", e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::invalid("audit CSV", e.to_string()))
}
