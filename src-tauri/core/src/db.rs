//! Postgres: the pool of a profile that names a database, and the console's own migrations
//! (its tables live in the `cachescope` schema, apart from the data it reads).

use std::str::FromStr;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection};

pub use sqlx::postgres::PgPool;

use crate::db_limits::{bound_lock_waits, timeout_code, DbLimits, TimeoutCode};
use crate::error::{Error, Result};

/// The console's migrations (`migrations/console`), embedded at compile time.
pub static CONSOLE_MIGRATOR: Migrator = sqlx::migrate!("../../migrations/console");

/// The demo source data's migrations (`migrations/source`: the `sales` schema that precompute
/// reads). Production databases have their own schema; these run only for the demo and tests.
pub static SOURCE_MIGRATOR: Migrator = sqlx::migrate!("../../migrations/source");

/// A pool for `url` (which holds no password) with `password` from the secret store and the
/// profile's time `limits` on every connection. Connects lazily, so a profile whose database is
/// down still opens; the first query reports it.
pub fn connect_lazy(
    url: &str,
    password: Option<&SecretString>,
    limits: &DbLimits,
) -> Result<PgPool> {
    let mut options = PgConnectOptions::from_str(url)
        .map_err(|e| Error::invalid("Postgres URL", e.to_string()))?
        .application_name("cachescope");
    if let Some(password) = password {
        options = options.password(password.expose_secret());
    }
    Ok(pool_with_limits(options, limits))
}

/// A lazy pool of at most 8 connections on `options`, each carrying `limits`.
pub fn pool_with_limits(options: PgConnectOptions, limits: &DbLimits) -> PgPool {
    PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy_with(limits.apply_to(options))
}

/// The pools whose database is known to hold every console migration, each with the cell that
/// runs its check once. A pool is known by the allocation of its connect options, which it
/// holds for its whole life (clones of a pool share it); the weak reference keeps that address
/// from being reused by another pool while the entry exists, and dead entries are dropped.
type Checked = Vec<(Weak<PgConnectOptions>, Arc<tokio::sync::OnceCell<()>>)>;
static MIGRATED: Mutex<Checked> = Mutex::new(Vec::new());

/// Applies the console's pending migrations once per pool: the first call checks (and, when
/// needed, migrates) on a connection of its own; later calls on the same pool return at once.
/// A failure is returned, never swallowed, and the next call tries again.
pub async fn migrate(pool: &PgPool) -> Result<()> {
    let cell = {
        let options = pool.connect_options();
        let mut checked = MIGRATED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        checked.retain(|(weak, _)| weak.strong_count() > 0);
        match checked
            .iter()
            .find(|(weak, _)| std::ptr::eq(weak.as_ptr(), Arc::as_ptr(&options)))
        {
            Some((_, cell)) => cell.clone(),
            None => {
                let cell = Arc::new(tokio::sync::OnceCell::new());
                checked.push((Arc::downgrade(&options), cell.clone()));
                cell
            }
        }
    };
    cell.get_or_try_init(|| async {
        let applied = run_beside_others(&CONSOLE_MIGRATOR, pool).await?;
        tracing::info!(applied, "console migrations checked");
        Ok::<_, Error>(())
    })
    .await?;
    Ok(())
}

/// Creates or updates the demo source schema (`sales`).
pub async fn migrate_source(pool: &PgPool) -> Result<()> {
    accept_reworded_comments(pool).await?;
    run_beside_others(&SOURCE_MIGRATOR, pool).await.map(drop)
}

/// Source migrations whose SQL changed only in a comment since a database applied them:
/// (version, SHA-384 of the text as first shipped). sqlx refuses a migration whose checksum
/// differs from the one recorded, so a database holding exactly the first text is told the new
/// checksum; any other difference is still refused by sqlx.
const REWORDED_SOURCE_MIGRATIONS: &[(i64, &str)] = &[(
    20261122100000,
    "1f7ae04cf55d3670ce8a6f8acebd919ba7ee6b73de41a136ab51bd9e9a4dd6ad6f0fc046bd6c5f529e2384a5fd3a49d9",
)];

async fn accept_reworded_comments(pool: &PgPool) -> Result<()> {
    let ledger: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await
        .map_err(Error::Db)?;
    if !ledger {
        return Ok(());
    }
    for (version, first) in REWORDED_SOURCE_MIGRATIONS {
        let Some(now) = SOURCE_MIGRATOR.iter().find(|m| m.version == *version) else {
            continue;
        };
        let first = hex_bytes(first);
        sqlx::query(
            "UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2 AND checksum = $3",
        )
        .bind(now.checksum.as_ref())
        .bind(version)
        .bind(first)
        .execute(pool)
        .await
        .map_err(Error::Db)?;
    }
    Ok(())
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Runs `migrator` on a connection of its own (never a pooled one), closed afterwards: sqlx
/// leaves its migration lock (a session advisory lock) held when a migration fails, and only
/// the end of the session is sure to release it. The wait for that lock is bounded by the
/// profile's lock limit. A database that already holds every migration is only read: no lock,
/// no `CREATE`, so a role without the rights to create works once an owner has migrated.
/// Returns how many migrations were applied.
///
/// Both migration sets record themselves in the one `_sqlx_migrations` table of a database, so
/// each must accept versions it does not know (the other set's).
async fn run_beside_others(migrator: &Migrator, pool: &PgPool) -> Result<usize> {
    let migrator = Migrator {
        migrations: migrator.migrations.clone(),
        ignore_missing: true,
        ..Migrator::DEFAULT
    };
    let options = pool.connect_options();
    let mut conn = PgConnection::connect_with(&options)
        .await
        .map_err(Error::Db)?;
    let result = migrate_on(&migrator, &mut conn).await;
    // Ends the session, and with it any lock a failed migration left behind.
    let _ = conn.close().await;
    result
}

async fn migrate_on(migrator: &Migrator, conn: &mut PgConnection) -> Result<usize> {
    let (role, database): (String, String) =
        sqlx::query_as("SELECT current_user::text, current_database()::text")
            .fetch_one(&mut *conn)
            .await
            .map_err(Error::Db)?;
    let rights = |e: &sqlx::Error| match e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("42501") => {
            Some(Error::MigrationRights {
                role: role.clone(),
                database: database.clone(),
                reason: db.message().to_owned(),
            })
        }
        _ => None,
    };
    let pending = pending(migrator, conn)
        .await
        .map_err(|e| rights(&e).unwrap_or(Error::Db(e)))?;
    if pending == 0 {
        return Ok(0);
    }
    // The pool's connections carry the profile's lock limit; this connection is set to it
    // explicitly (the defaults for a pool without limits), so the wait for the migration lock
    // ends in an error, not a hang.
    let lock_limit = bound_lock_waits(conn).await?;
    // `run_direct` is `run` on a connection, without `run`'s `Acquire` bound, which trips rustc's
    // higher-ranked `Send` check in the spawned tasks of the scheduler.
    migrator.run_direct(&mut *conn).await.map_err(|e| {
        let cause = match &e {
            MigrateError::Execute(cause) | MigrateError::ExecuteMigration(cause, _) => Some(cause),
            _ => None,
        };
        if let Some(error) = cause.and_then(rights) {
            return error;
        }
        if cause.and_then(timeout_code) == Some(TimeoutCode::Lock) {
            return Error::MigrationLocked {
                database: database.clone(),
                waited: lock_limit,
            };
        }
        Error::Migrate(e)
    })?;
    Ok(pending)
}

/// How many of `migrator`'s migrations the database does not hold yet (all of them when it has
/// no `_sqlx_migrations`), read without a lock and without writing.
async fn pending(migrator: &Migrator, conn: &mut PgConnection) -> Result<usize, sqlx::Error> {
    let ledger: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    let applied: Vec<(i64, Vec<u8>)> = if ledger {
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success")
            .fetch_all(&mut *conn)
            .await?
    } else {
        Vec::new()
    };
    Ok(migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .filter(|m| {
            !applied
                .iter()
                .any(|(version, checksum)| *version == m.version && *checksum == *m.checksum)
        })
        .count())
}
