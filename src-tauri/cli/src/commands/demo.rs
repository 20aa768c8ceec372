//! `cachescope demo seed|db|events`: realistic demo keys in the profile's namespace, demo sales
//! data in its Postgres (schema `sales`), and demo cache events for the statistics.

use chrono::{DateTime, Utc};

use cachescope_core::demo_seed::{self, SeedOptions};
use cachescope_core::demo_source::{self, SourceScale};
use cachescope_core::stats::demo_events::{self, DemoEventsOptions};
use cachescope_core::stats::profile_stats::{key_families, stats_database};
use cachescope_core::{CoreContext, Error, Result};

use crate::output::{print_json, Bar};

/// `demo seed`: demo keys of every key family.
pub async fn seed(
    ctx: &CoreContext,
    profile: Option<&str>,
    users: u32,
    seed: u64,
    json: bool,
) -> Result<()> {
    let store = ctx.store(profile).await?;
    let bar = Bar::start();
    let summary =
        demo_seed::seed(store.as_ref(), &SeedOptions { users, seed }, &bar.progress).await;
    bar.finish();
    let summary = summary?;
    if json {
        return print_json(&summary);
    }
    println!(
        "seeded {} keys ({} bytes) into {}",
        summary.keys,
        summary.bytes,
        store.describe()
    );
    for (family, count) in &summary.families {
        println!("  {count:>6}  {family}");
    }
    Ok(())
}

/// `demo db`: the demo sales data (replaces schema `sales`).
pub async fn source_db(
    ctx: &CoreContext,
    profile: Option<&str>,
    scale: u64,
    seed: u64,
    now: Option<DateTime<Utc>>,
    json: bool,
) -> Result<()> {
    // Whole seconds, so the `now` printed can be passed back with --now.
    let now = now.unwrap_or_else(|| {
        let now = chrono::Utc::now();
        chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
    });
    let scale = SourceScale::new(scale, seed, now)?;
    let name = ctx.profile(profile)?.name;
    let bar = Bar::start();
    let summary = demo_source::generate_for_profile(ctx, profile, &scale, &bar.progress).await;
    bar.finish();
    let summary = summary?;
    if json {
        return print_json(&summary);
    }
    println!(
        "replaced the demo data in schema `sales` of the database of profile {name:?} \
         (seed {}, now {})",
        summary.seed,
        summary
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    for (rows, table) in [
        (summary.users, "users"),
        (summary.opportunities, "opportunities"),
        (summary.conversations, "conversations"),
        (summary.analyses, "MEDDIC analyses"),
        (summary.todos, "todos"),
        (summary.traffic_events, "traffic events"),
        (summary.path_stats_hourly, "hourly path statistics"),
    ] {
        println!("  {rows:>10}  {table}");
    }
    let seconds = summary.elapsed.as_secs_f64();
    println!(
        "  {:>10}  rows in {seconds:.1} s ({:.0} rows/s)",
        summary.rows(),
        summary.rows() as f64 / seconds.max(1e-3)
    );
    Ok(())
}

/// `demo events`: demo cache events (source `demo`), rolled up.
pub async fn events(
    ctx: &CoreContext,
    profile: Option<&str>,
    days: u32,
    seed: u64,
    now: Option<DateTime<Utc>>,
    json: bool,
) -> Result<()> {
    if ctx.profile(profile)?.is_read_only() {
        return Err(Error::ReadOnlyProfile {
            profile: ctx.profile(profile)?.name,
            action: "replace the demo cache events".to_owned(),
        });
    }
    let pool = stats_database(ctx, profile).await?;
    let options = DemoEventsOptions {
        days,
        seed,
        now: now.unwrap_or_else(Utc::now),
    };
    let bar = Bar::start();
    let summary = demo_events::generate(&pool, &key_families(ctx)?, &options, &bar.progress).await;
    bar.finish();
    let summary = summary?;
    if json {
        return print_json(&summary);
    }
    println!(
        "replaced the demo cache events: {} events from {} to {}, rolled up into {} hours",
        summary.events,
        summary
            .since
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        summary
            .until
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        summary.rollup.hours_recomputed
    );
    Ok(())
}
