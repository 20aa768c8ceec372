//! One profile's statistics as the Stats screen and `cachescope stats` read them: the profile's
//! Postgres with the console's migrations applied, new events rolled up, then the figures.

use sqlx::PgPool;

use super::key_families::KeyFamilies;
use super::queries::{cache_stats, CacheStats, StatsQuery};
use super::rollup::{rollup, RollupOptions};
use crate::progress::Progress;
use crate::reports;
use crate::{CoreContext, Result};

/// The profile's Postgres (the default profile's when `None`) with the console's migrations
/// applied; refused with a clear message when the profile names no database.
pub async fn stats_database(ctx: &CoreContext, profile: Option<&str>) -> Result<PgPool> {
    ctx.profile(profile)?
        .database("where cache events and their hourly rollups live")
        .await
}

/// Key families: the report definitions' templates first, then the id heuristics.
pub fn key_families(ctx: &CoreContext) -> Result<KeyFamilies> {
    Ok(KeyFamilies::new(&reports::catalog(ctx)?))
}

/// Rolls up the events not rolled up yet (so the figures reach up to now), then reads `query`;
/// the limits are the profile's plan (`[profile.plan]`, else the free plan).
pub async fn rolled_up_stats(
    ctx: &CoreContext,
    profile: Option<&str>,
    query: &StatsQuery,
    progress: &Progress,
) -> Result<CacheStats> {
    let plan = ctx.profile(profile)?.plan();
    let pool = stats_database(ctx, profile).await?;
    let families = key_families(ctx)?;
    rollup(&pool, &families, &RollupOptions::default(), progress).await?;
    let mut stats = cache_stats(&pool, &families, query).await?;
    stats.limits = plan;
    Ok(stats)
}
