//! `cachescope stats [import|rollup|prune]`: parse the arguments, call the core's stats module,
//! print figures for people or JSON for scripts.

use chrono::{DateTime, Duration, Utc};

use cachescope_core::cache_events::Outcome;
use cachescope_core::stats::key_families::KeyFamilies;
use cachescope_core::stats::log_import::{import_files, ImportOptions};
use cachescope_core::stats::profile_stats::{key_families, stats_database};
use cachescope_core::stats::queries::{
    cache_stats, parse_since, top_missed_families, CacheStats, Figures, Granularity, StatsQuery,
};
use cachescope_core::stats::rollup::{prune, rollup, RollupOptions};
use cachescope_core::{CoreContext, Error, Result};
use sqlx::PgPool;

use crate::cli_args::{StatsArgs, StatsCommand, StatsShowArgs};
use crate::output::{print_json, Bar};

/// Families listed in the text output (the JSON has them all).
const FAMILIES_SHOWN: usize = 15;

pub async fn stats_command(
    ctx: &CoreContext,
    profile: Option<&str>,
    args: StatsArgs,
    json: bool,
) -> Result<()> {
    let pool = stats_database(ctx, profile).await?;
    let families = key_families(ctx)?;
    let now = Utc::now();
    match args.command {
        None => show(&pool, &families, args.show, now, json).await,
        Some(StatsCommand::Import { files, source, at }) => {
            let bar = Bar::start();
            let options = ImportOptions {
                source,
                fallback_at: at,
            };
            let outcomes = import_files(&pool, &files, &options, &bar.progress).await;
            bar.finish();
            let outcomes = outcomes?;
            if json {
                return print_json(&outcomes);
            }
            for o in &outcomes {
                let mb = o.imported_bytes as f64 / 1e6;
                println!(
                    "{}: {} events from {} lines ({mb:.1} MB in {:.2} s){}",
                    o.path.display(),
                    o.events,
                    o.lines,
                    o.elapsed_ms as f64 / 1000.0,
                    if o.skipped_bytes > 0 {
                        format!("; {} bytes imported before, skipped", o.skipped_bytes)
                    } else {
                        String::new()
                    }
                );
                let parts: Vec<String> = Outcome::ALL
                    .iter()
                    .zip(o.by_outcome)
                    .filter(|(_, n)| *n > 0)
                    .map(|(outcome, n)| format!("{n} {}", outcome.as_str()))
                    .collect();
                if !parts.is_empty() {
                    println!("  {}", parts.join(", "));
                }
                if o.undated > 0 {
                    println!(
                        "  {} lines had no timestamp and were given {} (--at to choose)",
                        o.undated,
                        o.fallback_at
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    );
                }
                if o.malformed > 0 {
                    println!("  {} malformed lines skipped, e.g.:", o.malformed);
                    for m in &o.malformed_samples {
                        println!("    line {}: {}", m.line, m.reason);
                    }
                }
                if o.held_back_bytes > 0 {
                    println!(
                        "  {} bytes at the end (an unfinished line or JSON object) left for the next import",
                        o.held_back_bytes
                    );
                }
            }
            Ok(())
        }
        Some(StatsCommand::Rollup { since, until }) => {
            let options = RollupOptions {
                since: since.map(|s| parse_since(&s, now)).transpose()?,
                until: until.map(|s| parse_since(&s, now)).transpose()?,
            };
            let bar = Bar::start();
            let done = rollup(&pool, &families, &options, &bar.progress).await;
            bar.finish();
            let done = done?;
            if json {
                return print_json(&done);
            }
            println!(
                "rolled up {} events: {} hours recomputed, {} pruned hours took in late events, {} days updated ({} ms)",
                done.events, done.hours_recomputed, done.hours_merged, done.days, done.elapsed_ms
            );
            Ok(())
        }
        Some(StatsCommand::Prune { retention_days }) => {
            let bar = Bar::start();
            let rolled = rollup(&pool, &families, &RollupOptions::default(), &bar.progress).await;
            let pruned = match rolled {
                Ok(_) => {
                    prune(
                        &pool,
                        Duration::days(i64::from(retention_days)),
                        now,
                        &bar.progress,
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            bar.finish();
            let pruned = pruned?;
            if json {
                return print_json(&pruned);
            }
            println!(
                "deleted {} raw events of {} hours before {} (rolled up; kept {} hours not rolled up yet)",
                pruned.events_deleted,
                pruned.hours_pruned,
                pruned.cutoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                pruned.hours_not_rolled_up
            );
            Ok(())
        }
    }
}

async fn show(
    pool: &PgPool,
    families: &KeyFamilies,
    args: StatsShowArgs,
    now: DateTime<Utc>,
    json: bool,
) -> Result<()> {
    let granularity = match args.per.as_deref() {
        None => None,
        Some("hour") => Some(Granularity::Hour),
        Some("day") => Some(Granularity::Day),
        Some(other) => {
            return Err(Error::invalid(
                "--per",
                format!("{other:?}: give hour or day"),
            ))
        }
    };
    let query = StatsQuery {
        since: parse_since(&args.since, now)?,
        until: args
            .until
            .as_deref()
            .map(|u| parse_since(u, now))
            .transpose()?
            .unwrap_or(now),
        family: args.family,
        granularity,
    };
    if !args.no_rollup {
        let bar = Bar::start();
        let done = rollup(pool, families, &RollupOptions::default(), &bar.progress).await;
        bar.finish();
        done?;
    }
    let stats = cache_stats(pool, families, &query).await?;
    if json {
        return print_json(&stats);
    }
    print_stats(&stats);
    Ok(())
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

fn ms(value: Option<f64>) -> String {
    value.map_or("-".to_owned(), |v| format!("{v:.0} ms"))
}

/// A row of block characters, one per bucket, for a rate between 0 and 1 (` ` without reads).
fn sparkline(rates: impl Iterator<Item = Option<f64>>) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    rates
        .map(|r| match r {
            None => ' ',
            Some(r) => BLOCKS[((r.clamp(0.0, 1.0) * 7.0).round()) as usize],
        })
        .collect()
}

fn print_figures(f: &Figures, target: f64) {
    println!(
        "  hit rate          {}  (target {:.0}%){}",
        percent(f.hit_rate),
        target * 100.0,
        match f.hit_rate {
            Some(r) if r < target => "  BELOW TARGET",
            _ => "",
        }
    );
    println!(
        "  reads             {}: {} hits, {} misses, {} stale, {} errors",
        f.reads, f.hits, f.misses, f.stale, f.errors
    );
    println!(
        "  DB queries saved  {} ({} of reads)",
        f.db_queries_saved,
        percent((f.reads > 0).then(|| f.db_queries_saved as f64 / f.reads as f64))
    );
    println!(
        "  latency           mean {}, p50 <= {}, p95 <= {}, p99 <= {}",
        ms(f.latency_mean_ms),
        ms(f.latency_p50_ms),
        ms(f.latency_p95_ms),
        ms(f.latency_p99_ms)
    );
    println!(
        "  writes            {} sets, {} deletes, {} lists",
        f.sets, f.deletes, f.lists
    );
}

fn print_stats(s: &CacheStats) {
    let per = match s.granularity {
        Granularity::Hour => "hour",
        Granularity::Day => "day",
    };
    let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%MZ").to_string();
    println!(
        "cache statistics {} .. {} per {per}, {}",
        fmt(s.since),
        fmt(s.until),
        s.family
            .as_deref()
            .map_or("all key families".to_owned(), |f| format!("family {f}"))
    );
    print_figures(&s.totals, s.targets.hit_rate);
    if s.totals.reads == 0 {
        println!("\nno reads in this range (import logs with `cachescope stats import`, or see README: the cache_events contract)");
        return;
    }
    println!(
        "\nhit rate per {per} (oldest first, ▁ = 0%, █ = 100%):\n  {}",
        sparkline(s.series.iter().map(|f| f.hit_rate))
    );
    println!(
        "\nKV operations per day (free plan: {} reads, {} writes, {} deletes, {} lists):",
        s.limits.reads, s.limits.writes, s.limits.deletes, s.limits.lists
    );
    for d in &s.kv_operations {
        let over = [
            (d.reads, s.limits.reads, "reads"),
            (d.writes, s.limits.writes, "writes"),
            (d.deletes, s.limits.deletes, "deletes"),
            (d.lists, s.limits.lists, "lists"),
        ]
        .iter()
        .filter(|(n, limit, _)| n > limit)
        .map(|(_, _, what)| *what)
        .collect::<Vec<_>>();
        println!(
            "  {}  {:>8} reads {:>6} writes {:>6} deletes {:>6} lists{}",
            d.day,
            d.reads,
            d.writes,
            d.deletes,
            d.lists,
            if over.is_empty() {
                String::new()
            } else {
                format!("  OVER THE LIMIT: {}", over.join(", "))
            }
        );
    }
    println!("\nkey families (most reads first):");
    println!(
        "  {:<52} {:>8} {:>8} {:>8} {:>9}",
        "family", "reads", "hit rate", "misses", "p95"
    );
    for f in s.families.iter().take(FAMILIES_SHOWN) {
        println!(
            "  {:<52} {:>8} {:>8} {:>8} {:>9}",
            f.family,
            f.totals.reads,
            percent(f.totals.hit_rate),
            f.totals.misses,
            ms(f.totals.latency_p95_ms)
        );
    }
    if s.families.len() > FAMILIES_SHOWN {
        println!("  … and {} more", s.families.len() - FAMILIES_SHOWN);
    }
    println!("\nmost missed families:");
    for f in top_missed_families(s, 5) {
        println!("  {:>8} misses  {}", f.totals.misses, f.family);
    }
    if !s.top_missed_keys.is_empty() {
        println!(
            "\nmost missed keys{}:",
            s.raw_events_since
                .map(|t| format!(" (raw events kept since {})", fmt(t)))
                .unwrap_or_default()
        );
        for k in &s.top_missed_keys {
            println!(
                "  {:>8} misses of {:>8} reads  {}",
                k.misses, k.reads, k.key
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sparklines_show_rates() {
        assert_eq!(
            super::sparkline([Some(0.0), Some(1.0), None, Some(0.5)].into_iter()),
            "▁█ ▅"
        );
    }
}
