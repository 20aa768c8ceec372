//! [`ProfileHandle`]: one profile as a feature uses it: its settings, its KV store, its Postgres
//! (the console's tables migrated once, when the pool is first used), who acts, whether writes
//! are refused, and where its audit entries go. Features get one from
//! [`CoreContext::profile`](super::CoreContext::profile) and never open a store or a pool
//! themselves.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use sqlx::PgPool;

use super::CoreContext;
use crate::actor::Actor;
use crate::audit::AuditTrail;
use crate::cache_events::Outcome;
use crate::error::{Error, Result};
use crate::kv::KvStore;
use crate::profiles::Profile;

/// A resolved profile and the context it belongs to; cheap to clone, and its settings are a
/// snapshot taken when it was resolved.
#[derive(Clone)]
pub struct ProfileHandle {
    ctx: CoreContext,
    settings: Profile,
}

/// The profile's settings (`handle.name`, `handle.kind`, ...) are read through the handle.
impl Deref for ProfileHandle {
    type Target = Profile;

    fn deref(&self) -> &Profile {
        &self.settings
    }
}

impl ProfileHandle {
    pub(super) fn new(ctx: CoreContext, settings: Profile) -> Self {
        Self { ctx, settings }
    }

    /// The profile's settings as stored in the profiles file.
    pub fn settings(&self) -> &Profile {
        &self.settings
    }

    /// The profile's settings, giving up the handle.
    pub fn into_settings(self) -> Profile {
        self.settings
    }

    /// Whether writes are refused (read-only, or production and not unlocked).
    pub fn read_only(&self) -> bool {
        self.settings.is_read_only()
    }

    /// `Ok` when the profile may write; else the read-only error naming the profile and `action`.
    pub fn refuse_if_read_only(&self, action: impl Into<String>) -> Result<()> {
        if self.read_only() {
            return Err(Error::ReadOnlyProfile {
                profile: self.settings.name.clone(),
                action: action.into(),
            });
        }
        Ok(())
    }

    /// Who acts through this console.
    pub fn actor(&self) -> Actor {
        Actor::current()
    }

    /// The profile's KV store (a read-only profile's refuses every write).
    pub async fn store(&self) -> Result<Arc<dyn KvStore>> {
        self.ctx.store_of(&self.settings).await
    }

    /// The profile's Postgres with the console's tables (`cachescope` schema) migrated, or the
    /// one "names no Postgres database" error, saying what it is `used_for`.
    pub async fn database(&self, used_for: &str) -> Result<PgPool> {
        let pool = self.source_database(used_for).await?;
        crate::db::migrate(&pool).await?;
        Ok(pool)
    }

    /// Like [`ProfileHandle::database`], or `None` when the profile names no database: for the
    /// console's own bookkeeping that a profile without a database simply goes without.
    pub async fn console_database(&self) -> Result<Option<PgPool>> {
        match self.ctx.pool_of(&self.settings).await? {
            Some(pool) => {
                crate::db::migrate(&pool).await?;
                Ok(Some(pool))
            }
            None => Ok(None),
        }
    }

    /// The profile's Postgres as it is, without the console's tables: for reading the team's
    /// own data (a report's SQL) only, so a role that may only read it works, and reading never
    /// creates anything in the database.
    pub async fn source_database(&self, used_for: &str) -> Result<PgPool> {
        self.existing_database()
            .await?
            .ok_or_else(|| no_database(&self.settings.name, used_for))
    }

    /// The profile's Postgres as it is, or `None` when it names none: for reads that use the
    /// console's tables only where they already exist (when a report was last checked) and
    /// for counting the console's reads, so that a read never migrates.
    pub async fn existing_database(&self) -> Result<Option<PgPool>> {
        self.ctx.pool_of(&self.settings).await
    }

    /// Where the audit entries of this profile go: its database's shared table when it names
    /// one, else this machine's local log.
    pub async fn audit_trail(&self) -> Result<AuditTrail> {
        Ok(match self.console_database().await? {
            Some(pool) => AuditTrail::Shared(pool),
            None => AuditTrail::Local(self.ctx.audit().clone()),
        })
    }

    /// Counts a console read of `key` that started at `started` as a cache event in the
    /// profile's database, when it has one and holds the console's tables; best effort (a
    /// failure is logged, never returned) and off the read's path.
    pub async fn count_read(&self, key: &str, outcome: Outcome, started: Instant) {
        let latency = started.elapsed();
        match self.existing_database().await {
            Ok(Some(pool)) => {
                self.ctx
                    .console_reads()
                    .record(&self.settings.name, pool, key, outcome, latency)
            }
            Ok(None) => {}
            Err(e) => {
                tracing::debug!(profile = %self.settings.name, error = %e, "console read not counted")
            }
        }
    }
}

/// The error for a profile that names no Postgres database, saying what it was needed for.
fn no_database(profile: &str, used_for: &str) -> Error {
    Error::invalid(
        format!("profile {profile:?}"),
        format!(
            "names no Postgres database, {used_for} (add one with \
             `cachescope profile add ... --postgres-url`)"
        ),
    )
}
