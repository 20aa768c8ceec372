//! One Cloudflare API budget per account for every Cachescope process on this machine (the app,
//! the scheduler daemon, each CLI run): a token bucket kept in a small SQLite file in the data
//! directory, so together they stay under Cloudflare's 1,200 requests per 5 minutes.
//!
//! Each request takes its token with one atomic `UPDATE ... RETURNING` (no read-then-write race
//! between processes). The bucket may go below zero: a request that finds it empty still reserves
//! its place and waits until the refill pays the debt back, so waiting processes are served at the
//! refill rate in the order they asked. In any window of the limit's length at most
//! `burst + rate × window = requests` tokens are handed out, whatever the number of processes.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::SqlitePool;
use tokio::sync::OnceCell;

use super::cloudflare::RateLimit;
use crate::error::{Error, Result};

/// The budget file's name in the data directory.
pub const FILE_NAME: &str = "api-budget.sqlite";

/// The longest a single request waits for its token. A longer debt means something else on the
/// machine is flooding the account; the request then fails by name instead of sleeping for hours.
pub const MAX_WAIT: Duration = Duration::from_secs(600);

/// The shared bucket of one account.
#[derive(Debug)]
pub struct SharedBudget {
    path: PathBuf,
    account: String,
    limit: RateLimit,
    pool: OnceCell<SqlitePool>,
}

/// The bucket's shape for a limit: its capacity (the burst) and its refill per millisecond.
/// The same split as the in-process limiter: a burst of 1/24 of the budget, the rest evenly.
fn bucket_of(limit: RateLimit) -> (f64, f64) {
    let requests = limit.requests.max(2);
    let burst = (requests / 24).max(1);
    let steady = f64::from(requests - burst);
    let per_ms = (limit.per.as_secs_f64() * 1000.0).max(1.0);
    (f64::from(burst), steady / per_ms)
}

/// Tries of one take while SQLite answers that the file is busy or locked (about 1 s in all).
const BUSY_ATTEMPTS: u32 = 40;

/// SQLite's "busy" (5) and "locked" (6), primary codes, also under an extended code.
fn is_busy(error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = error else {
        return false;
    };
    db.code()
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl SharedBudget {
    /// The budget of `account` in the file at `path` (created on first use).
    pub fn new(path: impl Into<PathBuf>, account: &str, limit: RateLimit) -> Self {
        Self {
            path: path.into(),
            account: account.to_owned(),
            limit,
            pool: OnceCell::new(),
        }
    }

    /// The file the budget is kept in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn pool(&self) -> Result<&SqlitePool> {
        self.pool
            .get_or_try_init(|| async {
                let pool = crate::sqlite_file::connect(&self.path, 1).await?;
                // Idempotent, so two processes starting together on a new file both succeed.
                sqlx::query(
                    "CREATE TABLE IF NOT EXISTS api_budget (
                        account TEXT PRIMARY KEY,
                        tokens REAL NOT NULL,
                        updated_ms INTEGER NOT NULL
                    )",
                )
                .execute(&pool)
                .await
                .map_err(|e| self.local_error(e))?;
                Ok(pool)
            })
            .await
    }

    fn local_error(&self, source: sqlx::Error) -> Error {
        Error::Local {
            path: self.path.clone(),
            source,
        }
    }

    /// Takes one token and returns how long to wait before using it (zero when the bucket had
    /// one). The token is taken even when the caller then gives up waiting. When another process
    /// holds the file's lock in a way SQLite's own busy wait does not cover (two processes opening
    /// a new file in WAL mode at once answer "database is locked" at once), the take is tried
    /// again after a short random pause, at most [`BUSY_ATTEMPTS`] times; nothing was taken by a
    /// try that failed, so a retry never takes twice.
    pub async fn reserve(&self) -> Result<Duration> {
        let mut attempt = 1;
        loop {
            match self.try_reserve().await {
                Err(Error::Local { ref source, .. })
                    if is_busy(source) && attempt < BUSY_ATTEMPTS =>
                {
                    attempt += 1;
                    let pause = rand::random_range(5..50);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                done => return done,
            }
        }
    }

    async fn try_reserve(&self) -> Result<Duration> {
        let pool = self.pool().await?;
        let (capacity, rate_per_ms) = bucket_of(self.limit);
        let now = now_ms();
        let insert = sqlx::query(
            "INSERT OR IGNORE INTO api_budget (account, tokens, updated_ms) VALUES (?1, ?2, ?3)",
        )
        .bind(&self.account)
        .bind(capacity)
        .bind(now)
        .execute(pool);
        insert.await.map_err(|e| self.local_error(e))?;
        // Refill for the time since the last take (never for time running backwards), cap at
        // the burst, take one.
        let tokens: f64 = sqlx::query_scalar(
            "UPDATE api_budget
                SET tokens = min(?2, tokens + max(0, ?3 - updated_ms) * ?4) - 1,
                    updated_ms = max(updated_ms, ?3)
              WHERE account = ?1
          RETURNING tokens",
        )
        .bind(&self.account)
        .bind(capacity)
        .bind(now)
        .bind(rate_per_ms)
        .fetch_one(pool)
        .await
        .map_err(|e| self.local_error(e))?;
        Ok(wait_for(tokens, rate_per_ms))
    }

    /// Takes one token and waits until it may be used; fails by name when the wait would be
    /// longer than [`MAX_WAIT`].
    pub async fn acquire(&self) -> Result<()> {
        let wait = self.reserve().await?;
        if wait > MAX_WAIT {
            return Err(Error::KvBudgetSpent {
                account: self.account.clone(),
                wait,
                file: self.path.clone(),
            });
        }
        if !wait.is_zero() {
            tracing::debug!(account = %self.account, ?wait, "waiting for the shared API budget");
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }
}

/// How long a take that left the bucket at `tokens` waits: none while it is at or above zero,
/// else until the refill brings it back to zero.
fn wait_for(tokens: f64, rate_per_ms: f64) -> Duration {
    if tokens >= 0.0 || !tokens.is_finite() || rate_per_ms <= 0.0 {
        return Duration::ZERO;
    }
    let ms = (-tokens / rate_per_ms).ceil();
    // Anything past a day is reported as a day: the caller refuses it anyway.
    Duration::from_millis(ms.min(86_400_000.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_splits_the_limit_like_the_in_process_limiter() {
        let (capacity, rate) = bucket_of(RateLimit::CLOUDFLARE);
        assert_eq!(capacity, 50.0);
        // 1,150 more over 300 s.
        assert!((rate * 300_000.0 - 1150.0).abs() < 1e-9);
    }

    #[test]
    fn a_debt_is_waited_off_at_the_refill_rate() {
        let (_, rate) = bucket_of(RateLimit::CLOUDFLARE);
        assert_eq!(wait_for(3.0, rate), Duration::ZERO);
        assert_eq!(wait_for(0.0, rate), Duration::ZERO);
        // One token short: 300 s / 1,150 ≈ 261 ms.
        assert_eq!(wait_for(-1.0, rate), Duration::from_millis(261));
        assert_eq!(wait_for(f64::NEG_INFINITY, rate), Duration::ZERO);
        assert_eq!(wait_for(-1e300, rate), Duration::from_millis(86_400_000));
    }

    #[tokio::test]
    async fn two_budgets_of_one_account_share_one_bucket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        // A burst of 10, then one token per 15.6 s.
        let limit = RateLimit {
            requests: 240,
            per: Duration::from_secs(3600),
        };
        let a = SharedBudget::new(&path, "acct", limit);
        let b = SharedBudget::new(&path, "acct", limit);
        let other = SharedBudget::new(&path, "other-acct", limit);
        let mut free = 0;
        for budget in [&a, &b, &a, &b].iter().cycle().take(20) {
            if budget.reserve().await.unwrap().is_zero() {
                free += 1;
            }
        }
        assert_eq!(free, 10, "the burst is shared, not one per process");
        assert!(
            other.reserve().await.unwrap().is_zero(),
            "accounts are apart"
        );
    }
}
