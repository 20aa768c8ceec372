//! Idempotent rollups of the raw events (`cachescope.cache_events`, written by services, and
//! `cache_events_imported`, by the log import; read together as `cache_events_all`) into
//! per-hour and per-day rows per key family
//! (with their sums over all families per hour and day, and per family per calendar month, kept
//! in the same transaction), and pruning of raw events that are rolled up and older than the
//! retention.
//!
//! Why nothing is counted twice (the retry bug of docs/domain.md, "Known pitfalls") or lost:
//! - an hour is always recomputed whole from its raw events and its rows replaced, never
//!   incremented, so rerunning or overlapping rollups give the same rows; the day's rows, the
//!   sums over all families and the month's rows are recomputed whole from the rows below them
//!   in the same transaction;
//! - the ledger `cache_rollup_hours` records how many raw events each hour's rows count; an hour
//!   whose raw count differs (late events) is recomputed by the next rollup;
//! - pruning deletes an hour's raw events only when exactly the counted events are there, and
//!   marks the hour pruned in the same transaction; events that arrive later for a pruned hour are
//!   deleted *and* added to its rows in one statement's transaction (`DELETE ... RETURNING`);
//! - rollups and prunes take one advisory lock, so they never interleave.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike as _, Duration, Months, NaiveDate, Utc};
use futures::TryStreamExt as _;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use super::binary_copy::{fixed, RowReader, PG_EPOCH_MICROS};
use super::key_families::KeyFamilies;
use crate::cache_events::Outcome;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Upper bounds (ms, inclusive) of the latency buckets; one more bucket holds what is slower.
/// About 25% apart, so a percentile read from them is within a quarter of the true value, and
/// exact below 6 ms and at every bound.
pub const LATENCY_BOUNDS_MS: [f64; 42] = [
    1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 80.0,
    100.0, 120.0, 150.0, 200.0, 250.0, 300.0, 400.0, 500.0, 600.0, 800.0, 1000.0, 1200.0, 1500.0,
    2000.0, 2500.0, 3000.0, 4000.0, 5000.0, 6000.0, 8000.0, 10000.0, 15000.0, 20000.0, 30000.0,
    60000.0,
];
/// Number of latency buckets (the bounds and one for slower).
pub const BUCKETS: usize = LATENCY_BOUNDS_MS.len() + 1;

/// Key of the advisory lock that rollups and prunes hold.
const LOCK: i64 = 0x6361_6368_6573_7473; // "cachests"

/// The counts of one (hour or day, family), or of any sum of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// Events per outcome, in the order of [`Outcome::ALL`].
    pub by_outcome: [i64; 7],
    /// Events with a latency.
    pub latency_count: i64,
    pub latency_sum_ms: f64,
    /// Events with a latency per bucket of [`LATENCY_BOUNDS_MS`].
    pub buckets: [i64; BUCKETS],
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            by_outcome: [0; 7],
            latency_count: 0,
            latency_sum_ms: 0.0,
            buckets: [0; BUCKETS],
        }
    }
}

/// The bucket of a latency.
pub fn bucket_of(ms: f64) -> usize {
    LATENCY_BOUNDS_MS.partition_point(|&bound| bound < ms)
}

impl Tally {
    /// Counts one event.
    pub fn add(&mut self, outcome: Outcome, latency_ms: Option<f64>) {
        self.by_outcome[outcome.index()] += 1;
        if let Some(ms) = latency_ms.filter(|ms| ms.is_finite() && *ms >= 0.0) {
            self.latency_count += 1;
            self.latency_sum_ms += ms;
            self.buckets[bucket_of(ms)] += 1;
        }
    }

    /// Adds another tally to this one.
    pub fn merge(&mut self, other: &Tally) {
        for (a, b) in self.by_outcome.iter_mut().zip(other.by_outcome) {
            *a += b;
        }
        self.latency_count += other.latency_count;
        self.latency_sum_ms += other.latency_sum_ms;
        for (a, b) in self.buckets.iter_mut().zip(other.buckets) {
            *a += b;
        }
    }

    /// Events of one outcome.
    pub fn count(&self, outcome: Outcome) -> i64 {
        self.by_outcome[outcome.index()]
    }

    /// Events in all.
    pub fn events(&self) -> i64 {
        self.by_outcome.iter().sum()
    }

    /// The `q` quantile (0 < q <= 1) of the latencies, nearest rank, as the upper bound of its
    /// bucket (the largest bound for the slowest bucket); `None` without latencies.
    pub fn percentile(&self, q: f64) -> Option<f64> {
        if self.latency_count == 0 {
            return None;
        }
        let rank = ((q * self.latency_count as f64).ceil() as i64).clamp(1, self.latency_count);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some(LATENCY_BOUNDS_MS[i.min(LATENCY_BOUNDS_MS.len() - 1)]);
            }
        }
        LATENCY_BOUNDS_MS.last().copied()
    }

    /// One row of a rollup table as COPY text, after `at\tfamily\t`.
    fn copy_columns(&self, out: &mut String) {
        use std::fmt::Write as _;
        for n in self.by_outcome {
            let _ = write!(out, "{n}\t");
        }
        let _ = write!(out, "{}\t{}\t{{", self.latency_count, self.latency_sum_ms);
        for (i, n) in self.buckets.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{n}");
        }
        out.push_str("}\n");
    }
}

/// The columns of both rollup tables after their time and family.
pub(crate) const TALLY_COLUMNS: &str =
    "hits, misses, stale, errors, sets, deletes, lists, latency_count, latency_sum_ms, latency_buckets";

/// Reads a tally from a row holding [`TALLY_COLUMNS`] from column `first` on.
pub(crate) fn tally_from_row(row: &sqlx::postgres::PgRow, first: usize) -> Result<Tally> {
    use sqlx::Row as _;
    let mut tally = Tally::default();
    for i in 0..7 {
        tally.by_outcome[i] = row.try_get(first + i).map_err(Error::Db)?;
    }
    tally.latency_count = row.try_get(first + 7).map_err(Error::Db)?;
    tally.latency_sum_ms = row.try_get(first + 8).map_err(Error::Db)?;
    let buckets: Vec<i64> = row.try_get(first + 9).map_err(Error::Db)?;
    for (slot, n) in tally.buckets.iter_mut().zip(buckets) {
        *slot = n;
    }
    Ok(tally)
}

/// Which hours to roll up beyond those that need it.
#[derive(Debug, Clone, Default)]
pub struct RollupOptions {
    /// Recompute every hour with raw events in `[since, until)` even if the ledger says it is
    /// current (pruned hours only take in late events; their raw events are gone).
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// What a rollup did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RollupOutcome {
    /// Hours recomputed from their raw events.
    #[ts(type = "number")]
    pub hours_recomputed: u64,
    /// Pruned hours that took in events that arrived late.
    #[ts(type = "number")]
    pub hours_merged: u64,
    /// Raw events read.
    #[ts(type = "number")]
    pub events: u64,
    /// Days whose daily rows were recomputed.
    #[ts(type = "number")]
    pub days: u64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

fn hour_no(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(3600)
}

fn hour_start(no: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(no * 3600, 0).unwrap_or_default()
}

fn day_of_hour(no: i64) -> NaiveDate {
    hour_start(no).date_naive()
}

/// `WITH service AS (...), imported AS (...)`: the raw events of the hours `$1` (all from `$2` to
/// before `$3`) deleted from both tables of raw events, each CTE returning `returning`.
fn delete_raw_hours(returning: &str) -> String {
    let delete = |table: &str| {
        format!(
            "DELETE FROM cachescope.{table}
             WHERE date_trunc('hour', at, 'UTC') = ANY($1) AND at >= $2 AND at < $3
             RETURNING {returning}"
        )
    };
    format!(
        "WITH service AS ({}), imported AS ({})",
        delete("cache_events"),
        delete("cache_events_imported")
    )
}

/// A literal timestamp for statements that cannot take parameters (COPY).
fn literal(t: DateTime<Utc>) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S+00"))
}

/// Rolls up every hour whose raw events are not yet counted exactly (and the hours of
/// `options`), one day per transaction.
pub async fn rollup(
    pool: &PgPool,
    families: &KeyFamilies,
    options: &RollupOptions,
    progress: &Progress,
) -> Result<RollupOutcome> {
    let started = std::time::Instant::now();
    // date_bin from the epoch is the UTC hour, like date_trunc('hour', at, 'UTC'), without a
    // time zone conversion per event (half the time of this scan over 10M events). Each table of
    // raw events is counted by itself, so that the planner uses its statistics on that hour.
    let dirty: Vec<(DateTime<Utc>,)> = sqlx::query_as(
        "WITH raw AS (
             SELECT hour, sum(n)::bigint AS n FROM (
                 SELECT date_bin('1 hour', at, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS hour,
                        count(*) AS n
                 FROM cachescope.cache_events GROUP BY 1
                 UNION ALL
                 SELECT date_bin('1 hour', at, TIMESTAMPTZ '1970-01-01 00:00:00+00'),
                        count(*)
                 FROM cachescope.cache_events_imported GROUP BY 1
             ) t GROUP BY hour
         )
         SELECT hour FROM raw FULL JOIN cachescope.cache_rollup_hours l USING (hour)
         WHERE l.hour IS NULL
            OR (l.pruned_at IS NOT NULL AND raw.n IS NOT NULL)
            OR (l.pruned_at IS NULL AND l.events <> coalesce(raw.n, 0))
            OR (($1::timestamptz IS NOT NULL OR $2::timestamptz IS NOT NULL)
                AND raw.hour >= coalesce($1, '-infinity') AND raw.hour < coalesce($2, 'infinity'))
         ORDER BY 1",
    )
    .bind(options.since)
    .bind(options.until)
    .fetch_all(pool)
    .await
    .map_err(Error::Db)?;
    let mut by_day: BTreeMap<NaiveDate, Vec<i64>> = BTreeMap::new();
    for (hour,) in dirty {
        let no = hour_no(hour);
        by_day.entry(day_of_hour(no)).or_default().push(no);
    }
    let mut outcome = RollupOutcome {
        hours_recomputed: 0,
        hours_merged: 0,
        events: 0,
        days: by_day.len() as u64,
        elapsed_ms: 0,
    };
    let mut cache = FamilyCache::new(families);
    let total = by_day.len() as u64;
    for (done, (day, hours)) in by_day.into_iter().enumerate() {
        progress.check()?;
        progress.report("rollup", done as u64, Some(total));
        let mut tx = pool.begin().await.map_err(Error::Db)?;
        lock(&mut tx).await?;
        let (recomputed, merged, events) = roll_up_day(&mut tx, &mut cache, day, &hours).await?;
        tx.commit().await.map_err(Error::Db)?;
        outcome.hours_recomputed += recomputed;
        outcome.hours_merged += merged;
        outcome.events += events;
    }
    progress.report("rollup", total, Some(total));
    outcome.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(outcome)
}

async fn lock(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK)
        .execute(conn)
        .await
        .map_err(Error::Db)?;
    Ok(())
}

/// Families by key, computed once per distinct key of a rollup.
struct FamilyCache<'a> {
    families: &'a KeyFamilies,
    /// By the key's bytes as Postgres sends them (foldhash: one lookup per raw event).
    ids: HashMap<Box<[u8]>, u32, foldhash::fast::RandomState>,
    names: Vec<String>,
    by_name: HashMap<String, u32>,
}

impl<'a> FamilyCache<'a> {
    /// Distinct keys remembered at most (memory stays bounded over any number of keys).
    const MAX_KEYS: usize = 1 << 20;

    fn new(families: &'a KeyFamilies) -> Self {
        Self {
            families,
            ids: HashMap::default(),
            names: Vec::new(),
            by_name: HashMap::new(),
        }
    }

    fn id_of_family(&mut self, family: &str) -> u32 {
        if let Some(&id) = self.by_name.get(family) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(family.to_owned());
        self.by_name.insert(family.to_owned(), id);
        id
    }

    /// The family id of a key (its UTF-8 bytes).
    fn id(&mut self, key: &[u8]) -> Result<u32> {
        if let Some(&id) = self.ids.get(key) {
            return Ok(id);
        }
        let text =
            std::str::from_utf8(key).map_err(|_| Error::invalid("cache event key", "not UTF-8"))?;
        let family = self.families.family(text);
        let id = self.id_of_family(&family);
        if self.ids.len() >= Self::MAX_KEYS {
            self.ids.clear();
        }
        self.ids.insert(key.into(), id);
        Ok(id)
    }
}

/// Microseconds in an hour.
const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// The tallies of a day's recomputed hours while their raw events stream in, in vectors by hour
/// (from the first one) and family id rather than hash maps: ten million events, one lookup each.
struct HourTallies {
    first: i64,
    /// Per hour from `first`, if it is recomputed: its events counted and its tally per family id.
    hours: Vec<Option<(i64, Vec<Tally>)>>,
}

impl HourTallies {
    fn new(first: i64, last: i64, recompute: &BTreeSet<i64>) -> Self {
        Self {
            first,
            hours: (first..=last)
                .map(|h| recompute.contains(&h).then(|| (0, Vec::new())))
                .collect(),
        }
    }

    /// Counts one raw event: the binary COPY fields `at, outcome, latency_ms, key`. Events of
    /// hours that are not recomputed are skipped.
    fn count(
        &mut self,
        [at, outcome, latency, key]: [Option<&[u8]>; 4],
        cache: &mut FamilyCache<'_>,
    ) -> Result<()> {
        let null = || Error::invalid("rollup", "a NULL in a NOT NULL column of the raw events");
        let micros = i64::from_be_bytes(fixed(at.ok_or_else(null)?)?);
        let hour = micros
            .saturating_add(PG_EPOCH_MICROS)
            .div_euclid(MICROS_PER_HOUR);
        let slot = usize::try_from(hour - self.first)
            .ok()
            .and_then(|i| self.hours.get_mut(i));
        let Some(Some((counted, tallies))) = slot else {
            return Ok(());
        };
        let outcome: Outcome = std::str::from_utf8(outcome.ok_or_else(null)?)
            .map_err(|_| Error::invalid("cache event outcome", "not UTF-8"))?
            .parse()?;
        let latency = match latency {
            Some(bytes) => Some(f64::from_be_bytes(fixed(bytes)?)),
            None => None,
        };
        let id = cache.id(key.ok_or_else(null)?)? as usize;
        if tallies.len() <= id {
            tallies.resize_with(id + 1, Tally::default);
        }
        tallies[id].add(outcome, latency);
        *counted += 1;
        Ok(())
    }

    /// Adds the tallies (of the families met in each hour) and the counts to the maps.
    fn into_maps(self, tallies: &mut HashMap<(i64, u32), Tally>, counted: &mut HashMap<i64, i64>) {
        for (hour, slot) in (self.first..).zip(self.hours) {
            let Some((n, by_family)) = slot else {
                continue;
            };
            *counted.entry(hour).or_default() += n;
            for (id, tally) in (0u32..).zip(by_family) {
                if tally.events() > 0 {
                    tallies.entry((hour, id)).or_default().merge(&tally);
                }
            }
        }
    }
}

/// Rolls up the dirty `hours` of `day` inside the caller's transaction (which holds the lock);
/// returns the hours recomputed, the pruned hours merged, and the raw events read.
async fn roll_up_day(
    tx: &mut PgConnection,
    cache: &mut FamilyCache<'_>,
    day: NaiveDate,
    hours: &[i64],
) -> Result<(u64, u64, u64)> {
    let hour_times: Vec<DateTime<Utc>> = hours.iter().map(|&h| hour_start(h)).collect();
    // Decided under the lock: a prune may have run since the hours were listed.
    let pruned: BTreeSet<i64> = sqlx::query_scalar::<_, DateTime<Utc>>(
        "SELECT hour FROM cachescope.cache_rollup_hours WHERE hour = ANY($1) AND pruned_at IS NOT NULL",
    )
    .bind(&hour_times)
    .fetch_all(&mut *tx)
    .await
    .map_err(Error::Db)?
    .into_iter()
    .map(hour_no)
    .collect();
    let recompute: BTreeSet<i64> = hours
        .iter()
        .copied()
        .filter(|h| !pruned.contains(h))
        .collect();
    let mut tallies: HashMap<(i64, u32), Tally> = HashMap::new();
    let mut counted: HashMap<i64, i64> = HashMap::new();

    // Pruned hours: their rows so far, plus the late events, which are deleted as they are read.
    let pruned_times: Vec<DateTime<Utc>> = pruned.iter().map(|&h| hour_start(h)).collect();
    if !pruned.is_empty() {
        let rows = sqlx::query(&format!(
            "SELECT hour, family, {TALLY_COLUMNS} FROM cachescope.cache_stats_hourly WHERE hour = ANY($1)"
        ))
        .bind(&pruned_times)
        .fetch_all(&mut *tx)
        .await
        .map_err(Error::Db)?;
        for row in &rows {
            use sqlx::Row as _;
            let hour: DateTime<Utc> = row.try_get(0).map_err(Error::Db)?;
            let family: String = row.try_get(1).map_err(Error::Db)?;
            let id = cache.id_of_family(&family);
            tallies
                .entry((hour_no(hour), id))
                .or_default()
                .merge(&tally_from_row(row, 2)?);
        }
        let late: Vec<(DateTime<Utc>, String, String, Option<f64>)> = sqlx::query_as(&format!(
            "{} SELECT * FROM service UNION ALL SELECT * FROM imported",
            delete_raw_hours("at, outcome, key, latency_ms")
        ))
        .bind(&pruned_times)
        .bind(pruned_times.first())
        .bind(pruned_times.last().map(|t| *t + Duration::hours(1)))
        .fetch_all(&mut *tx)
        .await
        .map_err(Error::Db)?;
        for (at, outcome, key, latency) in late {
            let hour = hour_no(at);
            let outcome: Outcome = outcome.parse()?;
            let id = cache.id(key.as_bytes())?;
            tallies.entry((hour, id)).or_default().add(outcome, latency);
            *counted.entry(hour).or_default() += 1;
        }
    }

    // Other hours: recomputed whole from their raw events, streamed with binary COPY.
    if let (Some(&first), Some(&last)) = (recompute.first(), recompute.last()) {
        read_hours(tx, first, last, &recompute, cache)
            .await?
            .into_maps(&mut tallies, &mut counted);
    }

    // Replace the hours' rows (never add to them), per family and summed over the families, and
    // record what they count. Summed in the same order every time, so a rerun writes the same
    // floats.
    for table in ["cache_stats_hourly", "cache_stats_hourly_all"] {
        sqlx::query(&format!(
            "DELETE FROM cachescope.{table} WHERE hour = ANY($1)"
        ))
        .bind(&hour_times)
        .execute(&mut *tx)
        .await
        .map_err(Error::Db)?;
    }
    let mut text = String::new();
    let mut all: BTreeMap<i64, Tally> = BTreeMap::new();
    // By hour and family name (family ids depend on the order keys were met in).
    let mut keys: Vec<&(i64, u32)> = tallies.keys().collect();
    keys.sort_unstable_by_key(|&&(hour, family)| (hour, cache.names[family as usize].as_str()));
    for k in keys {
        let (hour, family) = *k;
        text.push_str(
            &hour_start(hour)
                .format("%Y-%m-%d %H:00:00+00\t")
                .to_string(),
        );
        escape_copy(&mut text, &cache.names[family as usize]);
        text.push('\t');
        tallies[k].copy_columns(&mut text);
        all.entry(hour).or_default().merge(&tallies[k]);
    }
    copy_in(
        tx,
        &format!("COPY cachescope.cache_stats_hourly (hour, family, {TALLY_COLUMNS}) FROM STDIN"),
        text,
    )
    .await?;
    let mut text = String::new();
    for (hour, tally) in &all {
        text.push_str(
            &hour_start(*hour)
                .format("%Y-%m-%d %H:00:00+00\t")
                .to_string(),
        );
        tally.copy_columns(&mut text);
    }
    copy_in(
        tx,
        &format!("COPY cachescope.cache_stats_hourly_all (hour, {TALLY_COLUMNS}) FROM STDIN"),
        text,
    )
    .await?;
    let recomputed: Vec<DateTime<Utc>> = recompute.iter().map(|&h| hour_start(h)).collect();
    let recomputed_counts: Vec<i64> = recompute
        .iter()
        .map(|h| counted.get(h).copied().unwrap_or(0))
        .collect();
    sqlx::query(
        "INSERT INTO cachescope.cache_rollup_hours (hour, events, rolled_up_at)
         SELECT h, n, now() FROM UNNEST($1::timestamptz[], $2::bigint[]) AS u(h, n)
         ON CONFLICT (hour) DO UPDATE SET events = EXCLUDED.events, rolled_up_at = now()",
    )
    .bind(&recomputed)
    .bind(&recomputed_counts)
    .execute(&mut *tx)
    .await
    .map_err(Error::Db)?;
    let merged_counts: Vec<i64> = pruned
        .iter()
        .map(|h| counted.get(h).copied().unwrap_or(0))
        .collect();
    sqlx::query(
        "UPDATE cachescope.cache_rollup_hours l SET events = l.events + u.n, rolled_up_at = now()
         FROM UNNEST($1::timestamptz[], $2::bigint[]) AS u(h, n) WHERE l.hour = u.h",
    )
    .bind(&pruned_times)
    .bind(&merged_counts)
    .execute(&mut *tx)
    .await
    .map_err(Error::Db)?;
    recompute_day(tx, day).await?;
    let events = counted.values().sum::<i64>();
    Ok((
        recompute.len() as u64,
        pruned.len() as u64,
        u64::try_from(events).unwrap_or(0),
    ))
}

/// Counts the raw events of the recomputed hours among `first..=last`, streamed with binary
/// COPY on `conn`.
async fn read_hours(
    conn: &mut PgConnection,
    first: i64,
    last: i64,
    recompute: &BTreeSet<i64>,
    cache: &mut FamilyCache<'_>,
) -> Result<HourTallies> {
    let statement = format!(
        "COPY (SELECT at, outcome, latency_ms, key
               FROM cachescope.cache_events_all WHERE at >= {} AND at < {})
         TO STDOUT (FORMAT binary)",
        literal(hour_start(first)),
        literal(hour_start(last + 1)),
    );
    let mut hours = HourTallies::new(first, last, recompute);
    let mut reader = RowReader::<4>::default();
    let mut stream = conn.copy_out_raw(&statement).await.map_err(Error::Db)?;
    while let Some(chunk) = stream.try_next().await.map_err(Error::Db)? {
        reader.feed(&chunk, |row| hours.count(row, cache))?;
    }
    reader.finish()?;
    Ok(hours)
}

fn escape_copy(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

async fn copy_in(tx: &mut PgConnection, statement: &str, text: String) -> Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    let mut copy = tx.copy_in_raw(statement).await.map_err(Error::Db)?;
    copy.send(text.into_bytes()).await.map_err(Error::Db)?;
    copy.finish().await.map_err(Error::Db)?;
    Ok(())
}

/// Reads rows of a rollup table holding `family, TALLY_COLUMNS` and sums them per family, in
/// the order of the statement (which sorts, so that a rerun sums the same floats in the same
/// order).
async fn sums_per_family(
    tx: &mut PgConnection,
    statement: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<BTreeMap<String, Tally>> {
    let rows = sqlx::query(statement)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *tx)
        .await
        .map_err(Error::Db)?;
    let mut sums: BTreeMap<String, Tally> = BTreeMap::new();
    for row in &rows {
        use sqlx::Row as _;
        let family: String = row.try_get(0).map_err(Error::Db)?;
        sums.entry(family)
            .or_default()
            .merge(&tally_from_row(row, 1)?);
    }
    Ok(sums)
}

/// Replaces the rows of `table` whose `column` is `at` with `rows`: each is `at`, its family if
/// the table has one, then the tally.
async fn replace_rows<'t>(
    tx: &mut PgConnection,
    table: &str,
    column: &str,
    at: NaiveDate,
    rows: impl Iterator<Item = (Option<&'t str>, &'t Tally)>,
) -> Result<()> {
    sqlx::query(&format!(
        "DELETE FROM cachescope.{table} WHERE {column} = $1"
    ))
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(Error::Db)?;
    let mut text = String::new();
    let mut family_column = "";
    for (family, tally) in rows {
        text.push_str(&at.format("%Y-%m-%d\t").to_string());
        if let Some(family) = family {
            family_column = "family, ";
            escape_copy(&mut text, family);
            text.push('\t');
        }
        tally.copy_columns(&mut text);
    }
    copy_in(
        tx,
        &format!("COPY cachescope.{table} ({column}, {family_column}{TALLY_COLUMNS}) FROM STDIN"),
        text,
    )
    .await
}

/// The first day of the calendar month of `day`.
fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Replaces the daily rows of `day` with the sums of its hourly rows (per family and over all
/// families), then the monthly rows of its month with the sums of the month's daily rows.
async fn recompute_day(tx: &mut PgConnection, day: NaiveDate) -> Result<()> {
    let next = day.succ_opt().unwrap_or(day);
    let sums = sums_per_family(
        tx,
        &format!(
            "SELECT family, {TALLY_COLUMNS} FROM cachescope.cache_stats_hourly
             WHERE hour >= $1::date::timestamp AT TIME ZONE 'UTC'
               AND hour < $2::date::timestamp AT TIME ZONE 'UTC'
             ORDER BY family, hour"
        ),
        day,
        next,
    )
    .await?;
    let mut all = Tally::default();
    for tally in sums.values() {
        all.merge(tally);
    }
    replace_rows(
        tx,
        "cache_stats_daily",
        "day",
        day,
        sums.iter().map(|(f, t)| (Some(f.as_str()), t)),
    )
    .await?;
    replace_rows(
        tx,
        "cache_stats_daily_all",
        "day",
        day,
        (!sums.is_empty()).then_some((None, &all)).into_iter(),
    )
    .await?;
    let month = month_of(day);
    let next_month = month.checked_add_months(Months::new(1)).unwrap_or(month);
    let sums = sums_per_family(
        tx,
        &format!(
            "SELECT family, {TALLY_COLUMNS} FROM cachescope.cache_stats_daily
             WHERE day >= $1 AND day < $2 ORDER BY family, day"
        ),
        month,
        next_month,
    )
    .await?;
    replace_rows(
        tx,
        "cache_stats_monthly",
        "month",
        month,
        sums.iter().map(|(f, t)| (Some(f.as_str()), t)),
    )
    .await
}

/// What a prune did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PruneOutcome {
    /// Raw events older than this were considered.
    #[ts(type = "string")]
    pub cutoff: DateTime<Utc>,
    #[ts(type = "number")]
    pub hours_pruned: u64,
    #[ts(type = "number")]
    pub events_deleted: u64,
    /// Hours past the retention kept because their raw events are not (exactly) rolled up yet;
    /// a rollup first makes them prunable.
    #[ts(type = "number")]
    pub hours_not_rolled_up: u64,
}

/// Default retention of raw events once rolled up.
pub const DEFAULT_RETENTION_DAYS: u32 = 7;

/// Deletes the raw events of every hour that is rolled up exactly and ended before
/// `now - retention`, one day per transaction; an hour that gained events since its rollup is
/// kept (and its day left for the next run).
pub async fn prune(
    pool: &PgPool,
    retention: Duration,
    now: DateTime<Utc>,
    progress: &Progress,
) -> Result<PruneOutcome> {
    let cutoff = now - retention;
    let candidates: Vec<(DateTime<Utc>, i64, Option<i64>, bool)> = sqlx::query_as(
        "WITH raw AS (
             SELECT date_trunc('hour', at, 'UTC') AS hour, count(*) AS n
             FROM cachescope.cache_events_all WHERE at < $1 GROUP BY 1
         )
         SELECT raw.hour, raw.n, l.events, l.pruned_at IS NOT NULL
         FROM raw LEFT JOIN cachescope.cache_rollup_hours l USING (hour) ORDER BY 1",
    )
    .bind(cutoff)
    .fetch_all(pool)
    .await
    .map_err(Error::Db)?;
    let mut outcome = PruneOutcome {
        cutoff,
        hours_pruned: 0,
        events_deleted: 0,
        hours_not_rolled_up: 0,
    };
    let mut by_day: BTreeMap<NaiveDate, BTreeMap<i64, i64>> = BTreeMap::new();
    for (hour, n, events, pruned) in candidates {
        let ends_in_time = hour + Duration::hours(1) <= cutoff;
        if ends_in_time && !pruned && events == Some(n) {
            let no = hour_no(hour);
            by_day.entry(day_of_hour(no)).or_default().insert(no, n);
        } else {
            outcome.hours_not_rolled_up += 1;
        }
    }
    let total = by_day.len() as u64;
    for (done, hours) in by_day.into_values().enumerate() {
        progress.check()?;
        progress.report("prune", done as u64, Some(total));
        let mut tx = pool.begin().await.map_err(Error::Db)?;
        lock(&mut tx).await?;
        let times: Vec<DateTime<Utc>> = hours.keys().map(|&h| hour_start(h)).collect();
        let deleted: Vec<(DateTime<Utc>, i64)> = sqlx::query_as(&format!(
            "{} SELECT hour, count(*)
                FROM (SELECT hour FROM service UNION ALL SELECT hour FROM imported) gone
                GROUP BY 1",
            delete_raw_hours("date_trunc('hour', at, 'UTC') AS hour")
        ))
        .bind(&times)
        .bind(times.first())
        .bind(times.last().map(|t| *t + Duration::hours(1)))
        .fetch_all(&mut *tx)
        .await
        .map_err(Error::Db)?;
        // Exactly the counted events, or the day waits: an event that arrived after the rollup
        // (or during it) would otherwise be deleted uncounted.
        let ledger: Vec<(DateTime<Utc>, i64)> = sqlx::query_as(
            "SELECT hour, events FROM cachescope.cache_rollup_hours
             WHERE hour = ANY($1) AND pruned_at IS NULL",
        )
        .bind(&times)
        .fetch_all(&mut *tx)
        .await
        .map_err(Error::Db)?;
        let deleted: HashMap<i64, i64> =
            deleted.into_iter().map(|(h, n)| (hour_no(h), n)).collect();
        let exact = ledger.len() == hours.len()
            && ledger
                .iter()
                .all(|(h, n)| deleted.get(&hour_no(*h)) == Some(n));
        if !exact {
            tx.rollback().await.map_err(Error::Db)?;
            outcome.hours_not_rolled_up += hours.len() as u64;
            continue;
        }
        sqlx::query(
            "UPDATE cachescope.cache_rollup_hours SET pruned_at = now() WHERE hour = ANY($1)",
        )
        .bind(&times)
        .execute(&mut *tx)
        .await
        .map_err(Error::Db)?;
        tx.commit().await.map_err(Error::Db)?;
        outcome.hours_pruned += hours.len() as u64;
        outcome.events_deleted += u64::try_from(deleted.values().sum::<i64>()).unwrap_or(0);
    }
    progress.report("prune", total, Some(total));
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_percentiles() {
        assert_eq!(bucket_of(0.0), 0);
        assert_eq!(bucket_of(1.0), 0);
        assert_eq!(bucket_of(1.5), 1);
        assert_eq!(bucket_of(60000.0), LATENCY_BOUNDS_MS.len() - 1);
        assert_eq!(bucket_of(60000.5), LATENCY_BOUNDS_MS.len());
        let mut t = Tally::default();
        assert_eq!(t.percentile(0.5), None);
        for ms in 1..=100 {
            t.add(Outcome::Hit, Some(f64::from(ms)));
        }
        t.add(Outcome::Miss, None);
        assert_eq!(t.events(), 101);
        assert_eq!(t.latency_count, 100);
        // 50th of 1..=100 is 50 (a bound); the 95th is 95, in the bucket (80, 100].
        assert_eq!(t.percentile(0.5), Some(50.0));
        assert_eq!(t.percentile(0.95), Some(100.0));
        assert_eq!(t.percentile(0.01), Some(1.0));
        let mut slow = Tally::default();
        slow.add(Outcome::Hit, Some(90_000.0));
        assert_eq!(slow.percentile(0.99), Some(60000.0));
        slow.merge(&t);
        assert_eq!(slow.latency_count, 101);
    }

    #[test]
    fn copy_text_escapes() {
        let mut s = String::new();
        escape_copy(&mut s, "a\\b\tc\nd\re");
        assert_eq!(s, "a\\\\b\\tc\\nd\\re");
    }
}
