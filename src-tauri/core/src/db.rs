//! Postgres: the pool of a profile that names a database, and the console's own migrations
//! (its tables live in the `cachescope` schema, apart from the data it reads).

use std::str::FromStr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub use sqlx::postgres::PgPool;

use crate::error::{Error, Result};

/// The console's migrations (`migrations/console`), embedded at compile time.
pub static CONSOLE_MIGRATOR: Migrator = sqlx::migrate!("../../migrations/console");

/// The demo source data's migrations (`migrations/source`: the `sales` schema that precompute
/// reads). Production databases have their own schema; these run only for the demo and tests.
pub static SOURCE_MIGRATOR: Migrator = sqlx::migrate!("../../migrations/source");

/// A pool for `url` (which holds no password) with `password` from the secret store. Connects
/// lazily, so a profile whose database is down still opens; the first query reports it.
pub fn connect_lazy(url: &str, password: Option<&SecretString>) -> Result<PgPool> {
    let mut options = PgConnectOptions::from_str(url)
        .map_err(|e| Error::invalid("Postgres URL", e.to_string()))?
        .application_name("cachescope");
    if let Some(password) = password {
        options = options.password(password.expose_secret());
    }
    Ok(PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy_with(options))
}

/// Applies the console's pending migrations; a failure is returned, never swallowed.
pub async fn migrate(pool: &PgPool) -> Result<()> {
    run_beside_others(&CONSOLE_MIGRATOR, pool).await
}

/// Creates or updates the demo source schema (`sales`).
pub async fn migrate_source(pool: &PgPool) -> Result<()> {
    run_beside_others(&SOURCE_MIGRATOR, pool).await
}

/// Both migration sets record themselves in the one `_sqlx_migrations` table of a database, so
/// each must accept versions it does not know (the other set's).
async fn run_beside_others(migrator: &Migrator, pool: &PgPool) -> Result<()> {
    let migrator = Migrator {
        migrations: migrator.migrations.clone(),
        ignore_missing: true,
        ..Migrator::DEFAULT
    };
    migrator.run(pool).await.map_err(Error::Migrate)
}

/// The profile's Postgres, or an error naming the profile, what it needs the database for
/// (`used_for`, e.g. "which reports are computed from") and how to give it one.
pub async fn profile_database(
    ctx: &crate::CoreContext,
    profile: &str,
    used_for: &str,
) -> Result<PgPool> {
    ctx.postgres(Some(profile)).await?.ok_or_else(|| {
        Error::invalid(
            format!("profile {profile:?}"),
            format!(
                "names no Postgres database, {used_for} (add one with \
                 `cachescope profile add ... --postgres-url`)"
            ),
        )
    })
}
