//! The raw event contract of the cache, `cachescope.cache_events`: one row per access, with its
//! [`Outcome`]; [`insert_events`] appends them, and [`console_reads`] queues the console's own
//! reads. The statistics (`crate::stats`) roll these rows up.

pub mod console_reads;

use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};

/// What happened on one cache access. Reads are `hit`, `miss`, `stale` (served, but past its
/// freshness) and `error`; `set`, `delete` and `list` are the other KV operations, counted
/// against the plan's daily limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Hit,
    Miss,
    Stale,
    Error,
    Set,
    Delete,
    List,
}

impl Outcome {
    /// Every outcome, in the order of the rollup's columns.
    pub const ALL: [Outcome; 7] = [
        Outcome::Hit,
        Outcome::Miss,
        Outcome::Stale,
        Outcome::Error,
        Outcome::Set,
        Outcome::Delete,
        Outcome::List,
    ];

    /// The value stored in `cache_events.outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Hit => "hit",
            Outcome::Miss => "miss",
            Outcome::Stale => "stale",
            Outcome::Error => "error",
            Outcome::Set => "set",
            Outcome::Delete => "delete",
            Outcome::List => "list",
        }
    }

    /// Position in [`Outcome::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl FromStr for Outcome {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == text)
            .ok_or_else(|| {
                Error::invalid(
                    format!("cache event outcome {text:?}"),
                    "expected hit, miss, stale, error, set, delete or list",
                )
            })
    }
}

/// Appends events to `cachescope.cache_events` in one statement (used by the console's own reads
/// and by tests; services insert with plain SQL, see the README).
pub async fn insert_events(pool: &sqlx::PgPool, events: &[NewEvent]) -> Result<u64> {
    if events.is_empty() {
        return Ok(0);
    }
    let mut at = Vec::with_capacity(events.len());
    let mut key = Vec::with_capacity(events.len());
    let mut outcome = Vec::with_capacity(events.len());
    let mut latency = Vec::with_capacity(events.len());
    let mut source = Vec::with_capacity(events.len());
    for e in events {
        at.push(e.at);
        key.push(e.key.as_str());
        outcome.push(e.outcome.as_str());
        latency.push(e.latency_ms);
        source.push(e.source.as_str());
    }
    let done = sqlx::query(
        "INSERT INTO cachescope.cache_events (at, key, outcome, latency_ms, source)
         SELECT * FROM UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::float8[], $5::text[])",
    )
    .bind(&at)
    .bind(&key)
    .bind(&outcome)
    .bind(&latency)
    .bind(&source)
    .execute(pool)
    .await
    .map_err(Error::Db)?;
    Ok(done.rows_affected())
}

/// One event to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub at: chrono::DateTime<chrono::Utc>,
    pub key: String,
    pub outcome: Outcome,
    pub latency_ms: Option<f64>,
    pub source: String,
}
