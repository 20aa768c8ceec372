//! Realistic demo cache events (`source = 'demo'`) so the Stats screen has something to show:
//! every key family of docs/domain.md, office-hours traffic, hit rates per family around the
//! 90% target, SQL-fallback latencies on misses, precompute writes every 15 minutes,
//! invalidations, and one morning of dashboard invalidation storm. Deterministic from a seed and
//! a clock; each run replaces the previous demo events and rolls them up.

use chrono::{DateTime, Duration, Timelike as _, Utc};
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use sqlx::PgPool;

use cachescope_core::cache_events::Outcome;
use cachescope_core::progress::Progress;
use cachescope_core::stats::key_families::KeyFamilies;
use cachescope_core::stats::rollup::{rollup, RollupOptions, RollupOutcome};
use cachescope_core::{Error, Result};

/// The `source` of demo events.
pub const DEMO_SOURCE: &str = "demo";

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoEventsOptions {
    /// Days of events before `now`.
    pub days: u32,
    pub seed: u64,
    pub now: DateTime<Utc>,
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoEventsSummary {
    pub events: u64,
    /// Events per outcome, in the order of `Outcome::ALL`.
    pub by_outcome: [u64; 7],
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub rollup: RollupOutcome,
}

/// One family of demo keys: how its keys look, how often it is read, how well it hits.
struct Family {
    key: fn(&mut Pick<'_>) -> String,
    /// Reads per busy hour.
    reads: f64,
    hit: f64,
    stale: f64,
    error: f64,
    /// Latency of a miss (the SQL fallback), ms.
    miss_ms: (f64, f64),
    /// A miss is followed by a write of the rebuilt value.
    rebuilt_on_miss: bool,
}

struct Pick<'a> {
    rng: &'a mut ChaCha8Rng,
    users: &'a [String],
    month: String,
}

impl Pick<'_> {
    fn user(&mut self) -> String {
        // A few users read most (a skewed, realistic mix).
        let i = (self.rng.random::<f64>().powi(2) * self.users.len() as f64) as usize;
        self.users[i.min(self.users.len() - 1)].clone()
    }

    fn id(&mut self) -> String {
        uuid(self.rng)
    }
}

fn uuid(rng: &mut ChaCha8Rng) -> String {
    let a: u128 = rng.random();
    let h = format!("{a:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

const DEPTS: [&str; 4] = ["default", "enterprise", "smb", "partners"];

fn families() -> Vec<Family> {
    let report = |key: fn(&mut Pick<'_>) -> String, reads| Family {
        key,
        reads,
        hit: 0.965,
        stale: 0.015,
        error: 0.003,
        miss_ms: (2000.0, 9000.0),
        rebuilt_on_miss: false,
    };
    let page = |key: fn(&mut Pick<'_>) -> String, reads, hit, miss_ms| Family {
        key,
        reads,
        hit,
        stale: 0.0,
        error: 0.004,
        miss_ms,
        rebuilt_on_miss: true,
    };
    vec![
        report(|_| "report:system-health".into(), 40.0),
        report(|_| "report:close-cases".into(), 25.0),
        report(|_| "report:attention-needed".into(), 20.0),
        report(|_| "report:todo-stats".into(), 30.0),
        report(
            |p| format!("report:team:{}", DEPTS[p.rng.random_range(0..DEPTS.len())]),
            20.0,
        ),
        report(|p| format!("report:mtd-uploads:{}", p.month), 8.0),
        report(|p| format!("report:rep:{}", p.user()), 30.0),
        report(|_| "report:upload-ranking:weekly".into(), 6.0),
        page(
            |p| format!("user:{}:conversations:list", p.user()),
            90.0,
            0.86,
            (300.0, 1800.0),
        ),
        page(
            |p| format!("user:{}:analytics:dashboard", p.user()),
            70.0,
            0.80,
            (800.0, 4000.0),
        ),
        page(
            |p| format!("user:{}:opportunities:list:all", p.user()),
            45.0,
            0.84,
            (250.0, 1500.0),
        ),
        page(
            |p| format!("conversation:{}:detail", p.id()),
            60.0,
            0.93,
            (400.0, 2500.0),
        ),
        page(
            |p| format!("opportunity:{}:detail", p.id()),
            30.0,
            0.89,
            (150.0, 900.0),
        ),
        page(
            |p| format!("manager:{}:analytics:teamPerformance", p.user()),
            6.0,
            0.95,
            (1500.0, 6000.0),
        ),
        page(
            |p| {
                let page = p.rng.random_range(1..=5);
                format!("recordings:user:{}:page:{page}:limit:20", p.user())
            },
            25.0,
            0.72,
            (200.0, 1200.0),
        ),
        page(
            |p| format!("intent:user:{}:summary", p.user()),
            12.0,
            0.65,
            (600.0, 3000.0),
        ),
    ]
}

/// Office hours in Taipei (UTC+8) are busy; nights and weekends are quiet.
fn busyness(t: DateTime<Utc>) -> f64 {
    let local = t + Duration::hours(8);
    let hour = f64::from(local.hour());
    let weekday = chrono::Datelike::weekday(&local).num_days_from_monday();
    let day = if weekday >= 5 { 0.3 } else { 1.0 };
    let curve = if (9.0..19.0).contains(&hour) {
        1.0
    } else if (7.0..9.0).contains(&hour) || (19.0..23.0).contains(&hour) {
        0.45
    } else {
        0.12
    };
    day * curve
}

/// Replaces the demo events with `options.days` days of new ones and rolls them up.
pub async fn generate(
    pool: &PgPool,
    families_of_keys: &KeyFamilies,
    options: &DemoEventsOptions,
    progress: &Progress,
) -> Result<DemoEventsSummary> {
    if options.days == 0 || options.days > 400 {
        return Err(Error::invalid("--days", "give 1 to 400 days"));
    }
    let until = DateTime::from_timestamp(options.now.timestamp().div_euclid(3600) * 3600, 0)
        .unwrap_or(options.now);
    let since = until - Duration::days(i64::from(options.days));
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let users: Vec<String> = (0..40).map(|_| uuid(&mut rng)).collect();
    let families = families();
    // The storm: three hours of dashboard invalidations on the third day before now.
    let storm = (until - Duration::days(3)).date_naive();
    let mut by_outcome = [0u64; 7];
    let mut text = String::new();
    let mut chunks = Vec::new();
    let mut hour = since;
    let hours = (until - since).num_hours();
    let mut done = 0i64;
    while hour < until {
        progress.check()?;
        let busy = busyness(hour);
        let month = hour.format("%Y-%m").to_string();
        let in_storm = hour.date_naive() == storm && (1..4).contains(&hour.hour());
        let mut push = |rng: &mut ChaCha8Rng, key: &str, outcome: Outcome, ms: Option<f64>| {
            let at = hour + Duration::milliseconds(rng.random_range(0..3_600_000));
            by_outcome[outcome.index()] += 1;
            text.push_str(&at.format("%Y-%m-%d %H:%M:%S%.3f+00\t").to_string());
            text.push_str(key);
            text.push('\t');
            text.push_str(outcome.as_str());
            text.push('\t');
            match ms {
                Some(ms) => text.push_str(&format!("{ms:.1}")),
                None => text.push_str("\\N"),
            }
            text.push_str("\tdemo\n");
        };
        for (i, family) in families.iter().enumerate() {
            let reads = (family.reads * busy * rng.random_range(0.8..1.2)).round() as u32;
            let dashboard = i == 9;
            let hit_rate = if dashboard && in_storm {
                0.35
            } else {
                family.hit
            };
            for _ in 0..reads {
                let key = (family.key)(&mut Pick {
                    rng: &mut rng,
                    users: &users,
                    month: month.clone(),
                });
                let roll: f64 = rng.random();
                if roll < hit_rate {
                    let ms = 2.0 + rng.random::<f64>().powi(3) * 60.0;
                    push(&mut rng, &key, Outcome::Hit, Some(ms));
                } else if roll < hit_rate + family.stale {
                    let ms = 3.0 + rng.random::<f64>() * 30.0;
                    push(&mut rng, &key, Outcome::Stale, Some(ms));
                } else if roll < hit_rate + family.stale + family.error {
                    let ms = rng.random_range(50.0..1000.0);
                    push(&mut rng, &key, Outcome::Error, Some(ms));
                } else {
                    let (lo, hi) = family.miss_ms;
                    let ms = rng.random_range(lo..hi);
                    push(&mut rng, &key, Outcome::Miss, Some(ms));
                    if family.rebuilt_on_miss {
                        push(&mut rng, &key, Outcome::Set, None);
                    }
                }
            }
        }
        // Precompute every 15 minutes rewrites only what changed (a few report keys).
        for _ in 0..4 {
            for _ in 0..rng.random_range(0..3) {
                let key = match rng.random_range(0..4) {
                    0 => "report:system-health".to_owned(),
                    1 => "report:todo-stats".to_owned(),
                    2 => "report:attention-needed".to_owned(),
                    _ => format!("report:team:{}", DEPTS[rng.random_range(0..DEPTS.len())]),
                };
                push(&mut rng, &key, Outcome::Set, None);
            }
        }
        // Invalidations on change (invalidateUser), and the storm's.
        let deletes = (6.0 * busy).round() as u32 + if in_storm { 120 } else { 0 };
        for _ in 0..deletes {
            let user = &users[rng.random_range(0..users.len())];
            let key = match rng.random_range(0..3) {
                0 => format!("user:{user}:conversations:list"),
                1 => format!("user:{user}:analytics:dashboard"),
                _ => format!("user:{user}:opportunities:list:all"),
            };
            push(&mut rng, &key, Outcome::Delete, None);
        }
        // The voice-AI pages are invalidated by listing a prefix.
        if busy >= 0.45 {
            let user = &users[rng.random_range(0..users.len())];
            push(
                &mut rng,
                &format!("recordings:user:{user}:"),
                Outcome::List,
                Some(40.0),
            );
        }
        if text.len() >= 1 << 20 {
            chunks.push(std::mem::take(&mut text));
        }
        hour += Duration::hours(1);
        done += 1;
        progress.report("demo events", done as u64, Some(hours as u64));
    }
    chunks.push(text);

    let mut tx = pool.begin().await.map_err(Error::Db)?;
    sqlx::query("DELETE FROM cachescope.cache_events WHERE source = $1")
        .bind(DEMO_SOURCE)
        .execute(&mut *tx)
        .await
        .map_err(Error::Db)?;
    let mut copy = tx
        .copy_in_raw(
            "COPY cachescope.cache_events (at, key, outcome, latency_ms, source) FROM STDIN",
        )
        .await
        .map_err(Error::Db)?;
    for chunk in chunks {
        copy.send(chunk.into_bytes()).await.map_err(Error::Db)?;
    }
    copy.finish().await.map_err(Error::Db)?;
    tx.commit().await.map_err(Error::Db)?;
    let rolled = rollup(pool, families_of_keys, &RollupOptions::default(), progress).await?;
    Ok(DemoEventsSummary {
        events: by_outcome.iter().sum(),
        by_outcome,
        since,
        until,
        rollup: rolled,
    })
}
