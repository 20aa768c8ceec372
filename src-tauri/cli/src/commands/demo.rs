//! `cachescope demo seed|db|events`: realistic demo keys in the profile's namespace, demo sales
//! data in its Postgres (schema `sales`), and demo cache events for the statistics.

use chrono::{DateTime, Utc};

use cachescope_core::stats::profile_stats::{key_families, stats_database};
use cachescope_core::{CoreContext, Result};
use cachescope_demo::events::{self as demo_events, DemoEventsOptions};
use cachescope_demo::keys::KeysOptions;
use cachescope_demo::seed::{self as demo_seed, SeedOptions};
use cachescope_demo::source::{self as demo_source, SourceScale};

use crate::output::{print_json, Bar};

/// The current time in whole seconds, so a `now` printed can be passed back with `--now`.
fn whole_second_now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
}

/// What `demo seed` was asked for.
pub struct SeedArgs {
    pub users: u32,
    pub seed: u64,
    pub scale: u64,
    pub now: Option<DateTime<Utc>>,
}

/// `demo seed`: the demo sales data when missing, precompute of every report from it, and the
/// key families no report writes.
pub async fn seed(
    ctx: &CoreContext,
    profile: Option<&str>,
    args: SeedArgs,
    json: bool,
) -> Result<()> {
    let options = SeedOptions {
        keys: KeysOptions {
            users: args.users,
            seed: args.seed,
        },
        scale: args.scale,
        now: args.now.unwrap_or_else(whole_second_now),
    };
    let bar = Bar::start();
    let summary = demo_seed::seed(ctx, profile, &options, &bar.progress).await;
    bar.finish();
    let summary = summary?;
    if json {
        return print_json(&summary);
    }
    if let Some(source) = &summary.source {
        println!(
            "generated the demo sales data in schema `sales` of the database of profile \
             {:?}: {} conversations (seed {})",
            summary.profile, source.conversations, source.seed
        );
    }
    println!(
        "seeded {} keys ({} bytes) into profile {:?}: precompute run {} wrote {} report \
         keys, the others are hand-made families",
        summary.keys,
        summary.bytes,
        summary.profile,
        summary
            .precompute_run
            .map_or_else(|| "-".to_owned(), |id| id.to_string()),
        summary.report_keys_written
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
    let now = now.unwrap_or_else(whole_second_now);
    let scale = SourceScale::new(scale, seed, now)?;
    let name = ctx.profile(profile)?.name.clone();
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
    ctx.profile(profile)?
        .refuse_if_read_only("replace the demo cache events")?;
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
