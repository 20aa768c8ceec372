//! Demo source data: the `sales` schema that precompute reads (users, opportunities,
//! conversations, MEDDIC analyses, todos, traffic events and their hourly path statistics),
//! generated deterministically from a seed and a clock and bulk-loaded with COPY in one
//! transaction. It owns the `sales` schema of the database it is pointed at, and refuses one
//! whose `sales` tables hold rows it did not write.
//!
//! Rows are made on a blocking thread and streamed to Postgres in 1 MiB COPY chunks while the
//! next ones are made, so generating and loading overlap; keys and indexes are dropped for the
//! load and built again after it, inside the same transaction.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use tokio::sync::mpsc;

use cachescope_core::audit::{AuditEntry, AuditOutcome};
use cachescope_core::progress::Progress;
use cachescope_core::{CoreContext, Error, Result};

use crate::words::{EN_FIRST, EN_LAST, ZH_GIVEN, ZH_SURNAMES};

/// Fewest conversations a demo database is made with.
pub const MIN_CONVERSATIONS: u64 = 100;
/// Most conversations: the generator keeps about 100 bytes per conversation in memory (103 MB
/// peak at a million), so about 1 GB at this maximum.
pub const MAX_CONVERSATIONS: u64 = 10_000_000;
/// Conversations made when the caller names no scale.
pub const DEFAULT_CONVERSATIONS: u64 = 20_000;

/// Departments and the share of the sales force in each; `default` is the whole organisation's.
pub const DEPARTMENTS: [(&str, f64); 4] = [
    ("default", 0.45),
    ("enterprise", 0.20),
    ("smb", 0.25),
    ("apac", 0.10),
];
/// Admins of the platform (they upload nothing).
pub const ADMINS: u64 = 2;
/// Days of conversations before `now`.
pub const CONVERSATION_DAYS: i64 = 90;
/// Days of traffic events before `now`.
pub const TRAFFIC_DAYS: i64 = 7;

/// The schema comment that marks `sales` as this generator's; any other rows are not ours.
const SCHEMA_MARKER: &str = "cachescope demo data";
/// Bytes of COPY text per chunk sent to Postgres.
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks made ahead of the one Postgres is reading.
const CHUNKS_AHEAD: usize = 4;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// How much demo data to make, from which seed, relative to which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceScale {
    /// Conversations (uploaded sales calls); every other table is sized from this.
    pub conversations: u64,
    /// Seed of the random generator: the same seed and `now` give identical rows.
    pub seed: u64,
    /// The clock every timestamp is relative to ("this week", "overdue", the last 90 days).
    pub now: DateTime<Utc>,
}

impl SourceScale {
    /// A checked scale: `conversations` between [`MIN_CONVERSATIONS`] and [`MAX_CONVERSATIONS`].
    pub fn new(conversations: u64, seed: u64, now: DateTime<Utc>) -> Result<Self> {
        let scale = Self {
            conversations,
            seed,
            now,
        };
        scale.check()?;
        Ok(scale)
    }

    /// `Err(Invalid)` naming the scale when it is out of range.
    pub fn check(&self) -> Result<()> {
        if !(MIN_CONVERSATIONS..=MAX_CONVERSATIONS).contains(&self.conversations) {
            return Err(Error::invalid(
                "scale",
                format!(
                    "{} conversations; give {MIN_CONVERSATIONS} to {MAX_CONVERSATIONS}",
                    self.conversations
                ),
            ));
        }
        Ok(())
    }

    /// Users: one per 100 conversations, at least 12.
    pub fn users(&self) -> u64 {
        (self.conversations / 100).max(12)
    }

    /// Managers: 8% of the users, at least one per department.
    pub fn managers(&self) -> u64 {
        (self.users() * 8 / 100).max(DEPARTMENTS.len() as u64)
    }

    /// Sales reps: everyone who is neither admin nor manager.
    pub fn reps(&self) -> u64 {
        self.users() - ADMINS - self.managers()
    }

    /// Reps with no conversation in the last 10 days (5%, at least one).
    pub fn idle_reps(&self) -> u64 {
        ((self.reps() as f64 * 0.05).round() as u64).max(1)
    }

    /// Opportunities: one per 4 conversations.
    pub fn opportunities(&self) -> u64 {
        self.conversations / 4
    }

    /// Todos: one per 2 conversations.
    pub fn todos(&self) -> u64 {
        self.conversations / 2
    }

    /// Traffic events over the last 7 days: one per conversation.
    pub fn traffic_events(&self) -> u64 {
        self.conversations
    }
}

/// What one step of the load took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepTiming {
    /// The table loaded (`path_stats_hourly`: aggregated), or `indexes`, `foreign_keys`,
    /// `analyze`, `commit`. Also the progress phase while the step runs.
    pub step: &'static str,
    pub rows: u64,
    #[serde(rename = "elapsedMs", serialize_with = "millis")]
    pub elapsed: Duration,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceSummary {
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub users: u64,
    pub opportunities: u64,
    pub conversations: u64,
    /// MEDDIC analyses: one per completed conversation.
    pub analyses: u64,
    pub todos: u64,
    pub traffic_events: u64,
    pub path_stats_hourly: u64,
    /// From the start (migrations included) to the commit.
    #[serde(rename = "elapsedMs", serialize_with = "millis")]
    pub elapsed: Duration,
    /// Each table's COPY, the aggregation, rebuilding indexes and keys, ANALYZE, the commit.
    pub steps: Vec<StepTiming>,
}

impl SourceSummary {
    /// Rows written, over every table.
    pub fn rows(&self) -> u64 {
        self.users
            + self.opportunities
            + self.conversations
            + self.analyses
            + self.todos
            + self.traffic_events
            + self.path_stats_hourly
    }
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Replaces the demo data in the `sales` schema of a profile's database: refused on a read-only
/// profile and on one that names no database; recorded in the audit log.
pub async fn generate_for_profile(
    ctx: &CoreContext,
    profile: Option<&str>,
    scale: &SourceScale,
    progress: &Progress,
) -> Result<SourceSummary> {
    let profile = ctx.profile(profile)?;
    scale.check()?;
    profile.refuse_if_read_only("replace the demo data in its database")?;
    let pool = profile
        .source_database("where the demo's source data goes")
        .await?;
    let trail = profile.audit_trail().await?;
    let mark = trail
        .begin(
            &AuditEntry::new(&profile.name, "demo-db", "schema sales").with_detail(
                serde_json::json!({
                    "conversations": scale.conversations,
                    "seed": scale.seed,
                    "now": scale.now,
                }),
            ),
        )
        .await?;
    let result = generate(&pool, scale, progress).await;
    let outcome = match &result {
        Ok(_) => "done".to_owned(),
        Err(Error::Cancelled) => "cancelled".to_owned(),
        Err(e) => format!("failed: {e}"),
    };
    trail
        .finish(
            mark,
            &AuditOutcome::new(
                outcome,
                result.as_ref().map_or(0, SourceSummary::rows),
                serde_json::json!({
                    "conversations": scale.conversations,
                    "seed": scale.seed,
                    "now": scale.now,
                }),
            ),
        )
        .await?;
    result
}

/// Generates the demo data for `scale` into the `sales` schema of `pool`'s database: applies the
/// source migrations, then in one transaction empties the `sales` tables, drops their keys and
/// indexes, loads each table with COPY, computes `path_stats_hourly` from the loaded traffic
/// events, builds the keys and indexes again (checking every foreign key) and analyzes the
/// tables. A failure or a cancel (checked between chunks and steps) rolls everything back,
/// leaving the previous data, keys and indexes as they were.
///
/// Refuses (`Invalid`) a schema whose tables hold rows this function did not write.
pub async fn generate(
    pool: &PgPool,
    scale: &SourceScale,
    progress: &Progress,
) -> Result<SourceSummary> {
    scale.check()?;
    let started = Instant::now();
    cachescope_core::db::migrate_source(pool).await?;
    progress.check()?;
    let mut tx = pool.begin().await.map_err(Error::Db)?;
    claim_schema(&mut tx, scale).await?;
    let rebuild = drop_keys_and_indexes(&mut tx).await?;

    let (sender, mut receiver) = mpsc::channel(CHUNKS_AHEAD);
    let job = *scale;
    let producer = tokio::task::spawn_blocking(move || produce(&job, &mut Sink::new(sender)));
    let loaded = load(&mut tx, &mut receiver, progress).await;
    drop(receiver); // stops the producer if loading stopped first
    match producer.await {
        Err(e) => {
            return Err(Error::invalid(
                "demo data generator",
                format!("stopped unexpectedly: {e}"),
            ))
        }
        Ok(Err(e)) if loaded.is_ok() => return Err(e),
        Ok(_) => {}
    }
    let mut steps = loaded?;
    let count = |table: &str| steps.iter().find(|s| s.step == table).map_or(0, |s| s.rows);
    let mut summary = SourceSummary {
        seed: scale.seed,
        now: scale.now,
        users: count("users"),
        opportunities: count("opportunities"),
        conversations: count("conversations"),
        analyses: count("meddic_analyses"),
        todos: count("todos"),
        traffic_events: count("traffic_events"),
        path_stats_hourly: 0,
        elapsed: Duration::ZERO,
        steps: Vec::new(),
    };

    progress.check()?;
    progress.report("path_stats_hourly", 0, None);
    let step = Instant::now();
    summary.path_stats_hourly = sqlx::query(
        "INSERT INTO sales.path_stats_hourly (hour, path, requests, errors, total_latency_ms) \
         SELECT date_trunc('hour', occurred_at, 'UTC'), path, count(*), \
                count(*) FILTER (WHERE status >= 500), sum(latency_ms) \
         FROM sales.traffic_events GROUP BY 1, 2",
    )
    .execute(&mut *tx)
    .await
    .map_err(Error::Db)?
    .rows_affected();
    steps.push(StepTiming {
        step: "path_stats_hourly",
        rows: summary.path_stats_hourly,
        elapsed: step.elapsed(),
    });

    progress.check()?;
    rebuild_keys_and_indexes(&mut tx, &rebuild, progress, &mut steps).await?;

    // Fresh statistics, so the first precompute queries after a load get sensible plans.
    progress.check()?;
    progress.report("analyze", 0, None);
    let step = Instant::now();
    sqlx::query(&format!("ANALYZE {}", all_tables()))
        .execute(&mut *tx)
        .await
        .map_err(Error::Db)?;
    steps.push(StepTiming {
        step: "analyze",
        rows: 0,
        elapsed: step.elapsed(),
    });

    progress.check()?;
    progress.report("commit", 0, None);
    let step = Instant::now();
    tx.commit().await.map_err(Error::Db)?;
    steps.push(StepTiming {
        step: "commit",
        rows: 0,
        elapsed: step.elapsed(),
    });
    summary.steps = steps;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Every table of the `sales` schema, children before parents (the order TRUNCATE lists them).
const TABLE_NAMES: [&str; 7] = [
    "path_stats_hourly",
    "traffic_events",
    "todos",
    "meddic_analyses",
    "conversations",
    "opportunities",
    "users",
];

/// `sales.path_stats_hourly, sales.traffic_events, ...`
fn all_tables() -> String {
    TABLE_NAMES.map(|t| format!("sales.{t}")).join(", ")
}

/// Checks that the `sales` tables are empty or ours, empties them and marks the schema ours.
async fn claim_schema(conn: &mut PgConnection, scale: &SourceScale) -> Result<()> {
    let comment: Option<String> =
        sqlx::query_scalar("SELECT obj_description('sales'::regnamespace, 'pg_namespace')")
            .fetch_one(&mut *conn)
            .await
            .map_err(Error::Db)?;
    let any_rows = TABLE_NAMES
        .iter()
        .map(|t| format!("EXISTS (SELECT 1 FROM sales.{t})"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let has_rows: bool = sqlx::query_scalar(&format!("SELECT {any_rows}"))
        .fetch_one(&mut *conn)
        .await
        .map_err(Error::Db)?;
    if has_rows && !comment.is_some_and(|c| c.starts_with(SCHEMA_MARKER)) {
        return Err(Error::invalid(
            "schema `sales`",
            "holds rows that `cachescope demo db` did not write; refusing to replace them \
             (give the demo a database of its own)",
        ));
    }
    sqlx::query(&format!("TRUNCATE {} RESTART IDENTITY", all_tables()))
        .execute(&mut *conn)
        .await
        .map_err(Error::Db)?;
    // Our own text, without quotes; COMMENT takes no bind parameters.
    sqlx::query(&format!(
        "COMMENT ON SCHEMA sales IS '{SCHEMA_MARKER}: written by `cachescope demo db` \
         ({} conversations, seed {}, now {}); the next run replaces it'",
        scale.conversations,
        scale.seed,
        scale.now.to_rfc3339()
    ))
    .execute(&mut *conn)
    .await
    .map_err(Error::Db)?;
    Ok(())
}

/// What [`drop_keys_and_indexes`] dropped, as the statements that make it again.
struct Rebuild {
    /// Primary keys and unique constraints, then the other indexes.
    indexes: Vec<String>,
    /// Foreign keys, checked once each when added (one join instead of a lookup per row).
    foreign_keys: Vec<String>,
}

/// Drops the keys and indexes of the (just emptied) `sales` tables, remembering their exact
/// definitions from the catalog: loading into bare tables and then building each index by one
/// sort and checking each foreign key by one join is several times faster than maintaining
/// them row by row. CHECK and NOT NULL constraints stay, so every row is still checked as it
/// arrives. All of it is inside the load's transaction: a rollback puts them back.
async fn drop_keys_and_indexes(conn: &mut PgConnection) -> Result<Rebuild> {
    let constraints: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT format('%I.%I', n.nspname, t.relname), quote_ident(c.conname), c.contype::text, \
                pg_get_constraintdef(c.oid) \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'sales' AND c.contype IN ('p', 'u', 'f') \
         ORDER BY c.contype = 'f' DESC, c.conname",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(Error::Db)?;
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT format('%I.%I', n.nspname, ic.relname), pg_get_indexdef(i.indexrelid) \
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_namespace n ON n.oid = ic.relnamespace \
         WHERE n.nspname = 'sales' AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
             WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')) \
         ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(Error::Db)?;

    let mut rebuild = Rebuild {
        indexes: Vec::new(),
        foreign_keys: Vec::new(),
    };
    // Foreign keys first: they depend on the keys they reference.
    for (table, name, kind, definition) in &constraints {
        sqlx::query(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
            .execute(&mut *conn)
            .await
            .map_err(Error::Db)?;
        let add = format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}");
        if kind == "f" {
            rebuild.foreign_keys.push(add);
        } else {
            rebuild.indexes.push(add);
        }
    }
    for (index, definition) in indexes {
        sqlx::query(&format!("DROP INDEX {index}"))
            .execute(&mut *conn)
            .await
            .map_err(Error::Db)?;
        rebuild.indexes.push(definition);
    }
    Ok(rebuild)
}

/// Makes again what [`drop_keys_and_indexes`] dropped: indexes, then foreign keys.
async fn rebuild_keys_and_indexes(
    conn: &mut PgConnection,
    rebuild: &Rebuild,
    progress: &Progress,
    steps: &mut Vec<StepTiming>,
) -> Result<()> {
    // Index builds sort in memory up to this (the default, 64 MB, spills at a million rows).
    sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
        .execute(&mut *conn)
        .await
        .map_err(Error::Db)?;
    for (step, statements) in [
        ("indexes", &rebuild.indexes),
        ("foreign_keys", &rebuild.foreign_keys),
    ] {
        let started = Instant::now();
        let total = Some(statements.len() as u64);
        for (done, statement) in statements.iter().enumerate() {
            progress.check()?;
            progress.report(step, done as u64, total);
            sqlx::query(statement)
                .execute(&mut *conn)
                .await
                .map_err(Error::Db)?;
        }
        progress.report(step, statements.len() as u64, total);
        steps.push(StepTiming {
            step,
            rows: 0,
            elapsed: started.elapsed(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Loading: the async side, one COPY per table, chunks as the producer makes them.

/// One table as COPY loads it.
struct Table {
    name: &'static str,
    columns: &'static str,
}

/// The tables the producer fills, in the order it fills them (parents first).
const LOADED: [Table; 6] = [
    Table {
        name: "users",
        columns: "id, name, email, role, department, manager_id, active, created_at",
    },
    Table {
        name: "opportunities",
        columns: "id, customer_number, company_name, contact_name, status, amount, owner_id, \
                  created_at, updated_at, closed_at",
    },
    Table {
        name: "conversations",
        columns: "id, case_number, title, opportunity_id, user_id, status, processing_stage, \
                  error_code, audio_url, duration_seconds, created_at, processing_started_at, \
                  processed_at",
    },
    Table {
        name: "meddic_analyses",
        columns: "id, conversation_id, opportunity_id, overall_score, status, metrics, \
                  economic_buyer, decision_criteria, decision_process, identify_pain, champion, \
                  created_at",
    },
    Table {
        name: "todos",
        columns: "id, opportunity_id, user_id, title, due_date, status, created_at, completed_at",
    },
    Table {
        // `id` is GENERATED ALWAYS: Postgres numbers the events in load (= time) order.
        name: "traffic_events",
        columns: "occurred_at, path, method, status, latency_ms, user_id",
    },
];

/// What the producer sends: a table's row count, its rows in chunks, its end.
enum Part {
    Start { total: u64 },
    Rows { text: Vec<u8>, rows: u64 },
    End,
}

/// Copies what the producer sends into each table in turn; returns each table's timing.
async fn load(
    conn: &mut PgConnection,
    parts: &mut mpsc::Receiver<Part>,
    progress: &Progress,
) -> Result<Vec<StepTiming>> {
    let stopped = || Error::invalid("demo data generator", "stopped before the end of its data");
    let mut steps = Vec::new();
    for table in &LOADED {
        let Some(Part::Start { total }) = parts.recv().await else {
            return Err(stopped());
        };
        progress.check()?;
        progress.report(table.name, 0, Some(total));
        let started = Instant::now();
        let mut copy = conn
            .copy_in_raw(&format!(
                "COPY sales.{} ({}) FROM STDIN WITH (FREEZE)",
                table.name, table.columns
            ))
            .await
            .map_err(Error::Db)?;
        let mut done = 0;
        loop {
            let failure = match parts.recv().await {
                Some(Part::Rows { text, rows }) => match progress.check() {
                    Ok(()) => match copy.send(text).await {
                        Ok(_) => {
                            done += rows;
                            progress.report(table.name, done, Some(total));
                            continue;
                        }
                        Err(e) => Error::Db(e),
                    },
                    Err(cancelled) => cancelled,
                },
                Some(Part::End) => break,
                Some(Part::Start { .. }) | None => stopped(),
            };
            // The transaction is rolled back by the caller; abort leaves the connection usable.
            if let Err(e) = copy.abort("cachescope demo db stopped").await {
                tracing::debug!(error = %e, table = table.name, "aborting COPY");
            }
            return Err(failure);
        }
        let rows = copy.finish().await.map_err(Error::Db)?;
        steps.push(StepTiming {
            step: table.name,
            rows,
            elapsed: started.elapsed(),
        });
    }
    Ok(steps)
}

/// The producer's end of the channel: buffers COPY text and sends it in chunks.
struct Sink {
    sender: mpsc::Sender<Part>,
    text: Vec<u8>,
    rows: u64,
}

impl Sink {
    fn new(sender: mpsc::Sender<Part>) -> Self {
        Self {
            sender,
            text: Vec::with_capacity(CHUNK_BYTES + 4096),
            rows: 0,
        }
    }

    fn send(&self, part: Part) -> Result<()> {
        // The receiver is gone only when loading stopped; its error is the one reported.
        self.sender
            .blocking_send(part)
            .map_err(|_| Error::Cancelled)
    }

    fn start(&mut self, total: u64) -> Result<()> {
        self.send(Part::Start { total })
    }

    /// Writes one row through `write` (which adds its fields in column order).
    fn row(&mut self, write: impl FnOnce(&mut Line<'_>)) -> Result<()> {
        write(&mut Line {
            text: &mut self.text,
            first: true,
        });
        self.text.push(b'\n');
        self.rows += 1;
        if self.text.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let text = std::mem::replace(&mut self.text, Vec::with_capacity(CHUNK_BYTES + 4096));
        let rows = std::mem::take(&mut self.rows);
        self.send(Part::Rows { text, rows })
    }

    fn end(&mut self) -> Result<()> {
        self.flush()?;
        self.send(Part::End)
    }
}

/// One row of COPY text format: tab-separated fields, `\N` for NULL.
struct Line<'a> {
    text: &'a mut Vec<u8>,
    first: bool,
}

impl Line<'_> {
    fn field(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.text.push(b'\t');
        }
        self.first = false;
        &mut *self.text
    }

    fn null(&mut self) -> &mut Self {
        self.field().extend_from_slice(b"\\N");
        self
    }

    fn id(&mut self, id: &Id) -> &mut Self {
        id.write(self.field());
        self
    }

    fn opt_id(&mut self, id: Option<&Id>) -> &mut Self {
        match id {
            Some(id) => self.id(id),
            None => self.null(),
        }
    }

    /// Text, escaped for COPY (backslash, tab, newline, carriage return).
    fn text(&mut self, s: &str) -> &mut Self {
        let out = self.field();
        if !s
            .bytes()
            .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
        {
            out.extend_from_slice(s.as_bytes());
            return self;
        }
        for b in s.bytes() {
            match b {
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\t' => out.extend_from_slice(b"\\t"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                _ => out.push(b),
            }
        }
        self
    }

    /// Bytes that need no escaping (ASCII built here: case numbers, URLs).
    fn ascii(&mut self, bytes: &[u8]) -> &mut Self {
        self.field().extend_from_slice(bytes);
        self
    }

    fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    fn int(&mut self, n: i64) -> &mut Self {
        push_int(self.field(), n);
        self
    }

    fn boolean(&mut self, b: bool) -> &mut Self {
        self.field().push(if b { b't' } else { b'f' });
        self
    }

    /// Cents as a NUMERIC with two decimals.
    fn money(&mut self, cents: i64) -> &mut Self {
        let out = self.field();
        push_int(out, cents / 100);
        out.push(b'.');
        push_padded(out, (cents % 100).unsigned_abs(), 2);
        self
    }

    /// A TIMESTAMPTZ from seconds since the epoch.
    fn ts(&mut self, secs: i64) -> &mut Self {
        push_timestamp(self.field(), secs, None);
        self
    }

    fn opt_ts(&mut self, secs: Option<i64>) -> &mut Self {
        match secs {
            Some(secs) => self.ts(secs),
            None => self.null(),
        }
    }

    /// A TIMESTAMPTZ from milliseconds since the epoch.
    fn ts_ms(&mut self, ms: i64) -> &mut Self {
        push_timestamp(
            self.field(),
            ms.div_euclid(1000),
            Some(ms.rem_euclid(1000) as u64),
        );
        self
    }

    /// A DATE from days since the epoch.
    fn date(&mut self, days: i64) -> &mut Self {
        push_date(self.field(), days);
        self
    }
}

fn push_int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut n = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// `n` in decimal, zero-padded to at least `width` digits.
fn push_padded(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    let mut rest = n;
    while rest > 0 || digits.len() - i < width {
        i -= 1;
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.extend_from_slice(&digits[i..]);
}

/// The proleptic Gregorian (year, month, day) of a day number (days since 1970-01-01).
fn civil_from_days(days: i64) -> (i64, u64, u64) {
    // Howard Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn push_date(out: &mut Vec<u8>, days: i64) {
    let (year, month, day) = civil_from_days(days);
    push_padded(out, year as u64, 4);
    out.push(b'-');
    push_padded(out, month, 2);
    out.push(b'-');
    push_padded(out, day, 2);
}

/// `YYYY-MM-DD HH:MM:SS[.mmm]+00`.
fn push_timestamp(out: &mut Vec<u8>, secs: i64, millis: Option<u64>) {
    push_date(out, secs.div_euclid(DAY));
    let of_day = secs.rem_euclid(DAY) as u64;
    out.push(b' ');
    push_padded(out, of_day / 3600, 2);
    out.push(b':');
    push_padded(out, of_day / 60 % 60, 2);
    out.push(b':');
    push_padded(out, of_day % 60, 2);
    if let Some(ms) = millis {
        out.push(b'.');
        push_padded(out, ms, 3);
    }
    out.extend_from_slice(b"+00");
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// A version-4 UUID made from the generator's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Id([u8; 16]);

impl Id {
    fn write(&self, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push(b'-');
            }
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        }
    }
}

/// The random source of one table: ChaCha8 (stable across versions and platforms) on a stream
/// of its own, so changing how one table is made leaves the others' rows as they were.
struct Gen(ChaCha8Rng);

impl Gen {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self(rng)
    }

    fn id(&mut self) -> Id {
        let mut b: [u8; 16] = self.0.random();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        Id(b)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        self.0.random()
    }

    /// Uniform in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        self.0.random_range(lo..=hi)
    }

    fn index(&mut self, len: usize) -> usize {
        self.0.random_range(0..len.max(1))
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One item of a non-empty slice.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// Beta(a, b)-distributed in `[0, 1]`, for whole `a` and `b` (as a ratio of Gamma sums).
    fn beta(&mut self, a: u32, b: u32) -> f64 {
        let mut gamma = |k: u32| -> f64 { (0..k).map(|_| -(1.0 - self.unit()).ln()).sum() };
        let x = gamma(a);
        let y = gamma(b);
        x / (x + y).max(f64::MIN_POSITIVE)
    }

    /// Normally distributed (Box-Muller).
    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u = 1.0 - self.unit(); // (0, 1], so the log is finite
        let v = self.unit();
        mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Draws indices with probability proportional to their weights (binary search over the sums).
struct Weighted(Vec<f64>);

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut sum = 0.0;
        Self(
            weights
                .into_iter()
                .map(|w| {
                    sum += w.max(0.0);
                    sum
                })
                .collect(),
        )
    }

    fn sample(&self, g: &mut Gen) -> usize {
        let total = self.0.last().copied().unwrap_or(0.0);
        let x = g.unit() * total;
        self.0
            .partition_point(|&s| s <= x)
            .min(self.0.len().saturating_sub(1))
    }
}

// ---------------------------------------------------------------------------------------------
// The world: users and opportunities, kept in memory because the other tables refer to them.

/// The clock, in seconds since the epoch (UTC calendar).
struct Clock {
    now: i64,
    now_ms: i64,
    /// Midnight today.
    today: i64,
    /// Monday 00:00 of this week.
    week_start: i64,
    /// 00:00 on the 1st of this month.
    month_start: i64,
}

impl Clock {
    fn new(now: DateTime<Utc>) -> Self {
        let now_ms = now.timestamp_millis();
        let now = now_ms.div_euclid(1000);
        let day = now.div_euclid(DAY);
        let today = day * DAY;
        let (_, _, day_of_month) = civil_from_days(day);
        Self {
            now,
            now_ms,
            today,
            week_start: today - weekday(day) * DAY,
            month_start: today - (day_of_month as i64 - 1) * DAY,
        }
    }
}

/// Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday).
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Admin,
    Manager,
    Rep,
}

struct User {
    id: Id,
    name: String,
    email: String,
    role: Role,
    department: usize,
    manager: Option<usize>,
    active: bool,
    created: i64,
}

/// A sales rep's habits.
struct Rep {
    /// Index into the users.
    user: usize,
    /// Relative upload activity (Zipf-like over a random ranking).
    weight: f64,
    /// Added to the rep's MEDDIC scores.
    skill: f64,
    /// No conversation after this instant (idle and departed reps stop uploading).
    uploads_until: i64,
    /// Indices of the opportunities owned; the first is a long-running open one.
    opportunities: Vec<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Deal {
    Open,
    Won,
    Lost,
}

struct Opportunity {
    id: Id,
    customer: u32,
    contact: Option<String>,
    /// Index into the reps.
    owner: u32,
    status: Deal,
    created: i64,
    closed: Option<i64>,
}

struct World {
    clock: Clock,
    users: Vec<User>,
    reps: Vec<Rep>,
    rep_picker: Weighted,
    companies: Vec<String>,
    opportunities: Vec<Opportunity>,
}

impl World {
    fn company(&self, opportunity: &Opportunity) -> &str {
        &self.companies[opportunity.customer as usize]
    }

    fn rep_user(&self, rep: u32) -> &User {
        &self.users[self.reps[rep as usize].user]
    }
}

// Random streams, one per table.
const STREAM_USERS: u64 = 1;
const STREAM_OPPORTUNITIES: u64 = 2;
const STREAM_CONVERSATIONS: u64 = 3;
const STREAM_ANALYSES: u64 = 4;
const STREAM_TODOS: u64 = 5;
const STREAM_TRAFFIC: u64 = 6;

/// Makes every row and sends it through `sink`, table by table in [`LOADED`] order.
fn produce(scale: &SourceScale, sink: &mut Sink) -> Result<()> {
    let clock = Clock::new(scale.now);
    let (users, reps) = make_users(&mut Gen::new(scale.seed, STREAM_USERS), scale, &clock);
    write_users(sink, &users)?;

    let mut world = World {
        rep_picker: Weighted::new(reps.iter().map(|r| r.weight)),
        clock,
        users,
        reps,
        companies: Vec::new(),
        opportunities: Vec::new(),
    };
    let mut g = Gen::new(scale.seed, STREAM_OPPORTUNITIES);
    make_opportunities(&mut g, scale, &mut world);
    write_opportunities(sink, &mut g, &world)?;

    let analyses = write_conversations(
        sink,
        &mut Gen::new(scale.seed, STREAM_CONVERSATIONS),
        scale,
        &world,
    )?;
    write_analyses(
        sink,
        &mut Gen::new(scale.seed, STREAM_ANALYSES),
        &world,
        &analyses,
    )?;
    drop(analyses);
    write_todos(sink, &mut Gen::new(scale.seed, STREAM_TODOS), scale, &world)?;
    write_traffic(
        sink,
        &mut Gen::new(scale.seed, STREAM_TRAFFIC),
        scale,
        &world,
    )
}

// ---------------------------------------------------------------------------------------------
// Users

/// A person's display name and the local part of their e-mail address (before de-duplication).
fn person(g: &mut Gen, zh: bool) -> (String, String) {
    if zh {
        let (surname, roman) = *g.pick(&ZH_SURNAMES);
        let given = *g.pick(&ZH_GIVEN);
        (format!("{surname}{given}"), roman.to_owned())
    } else {
        let first = *g.pick(&EN_FIRST);
        let last = *g.pick(&EN_LAST);
        (
            format!("{first} {last}"),
            format!("{}.{}", first.to_lowercase(), last.to_lowercase()),
        )
    }
}

fn make_users(g: &mut Gen, scale: &SourceScale, clock: &Clock) -> (Vec<User>, Vec<Rep>) {
    let departments = Weighted::new(DEPARTMENTS.iter().map(|(_, share)| *share));
    let apac = DEPARTMENTS.len() - 1;
    let mut taken: HashMap<String, u32> = HashMap::new();
    let mut email = |local: String| {
        let n = taken.entry(local.clone()).or_insert(0);
        *n += 1;
        match *n {
            1 => format!("{local}@sales.example"),
            n => format!("{local}{n}@sales.example"),
        }
    };
    let mut users = Vec::with_capacity(scale.users() as usize);
    let mut new_user = |g: &mut Gen, role: Role, department: usize, manager, days: (i64, i64)| {
        let zh = g.chance(if department == apac { 0.8 } else { 0.25 });
        let (name, local) = person(g, zh);
        User {
            id: g.id(),
            name,
            email: email(local),
            role,
            department,
            manager,
            active: true,
            created: clock.now - g.int(days.0 * DAY, days.1 * DAY),
        }
    };
    for _ in 0..ADMINS {
        let admin = new_user(g, Role::Admin, 0, None, (900, 1500));
        users.push(admin);
    }
    let mut managers_of: Vec<Vec<usize>> = vec![Vec::new(); DEPARTMENTS.len()];
    for i in 0..scale.managers() as usize {
        // One per department first, then where the reps are.
        let department = if i < DEPARTMENTS.len() {
            i
        } else {
            departments.sample(g)
        };
        managers_of[department].push(users.len());
        let manager = new_user(g, Role::Manager, department, None, (400, 1400));
        users.push(manager);
    }

    let rep_count = scale.reps() as usize;
    let mut ranks: Vec<usize> = (0..rep_count).collect();
    ranks.shuffle(&mut g.0);
    let mut reps = Vec::with_capacity(rep_count);
    for &rank in &ranks {
        let department = departments.sample(g);
        let manager = *g.pick(&managers_of[department]);
        reps.push(Rep {
            user: users.len(),
            weight: 1.0 / ((rank + 1) as f64).powf(0.7),
            skill: g.normal(0.0, 5.0),
            uploads_until: clock.now,
            opportunities: Vec::new(),
        });
        let rep = new_user(g, Role::Rep, department, Some(manager), (120, 1200));
        users.push(rep);
    }

    // Idle reps (no upload for 11-40 days) and a few who left (inactive, silent for 30-80
    // days), never among the busiest tenth.
    let busiest = (rep_count / 10).max(1);
    let idle = scale.idle_reps() as usize;
    let departed = (rep_count as f64 * 0.02).round() as usize;
    let mut candidates: Vec<usize> = (0..rep_count).filter(|&r| ranks[r] >= busiest).collect();
    candidates.shuffle(&mut g.0);
    for (n, &r) in candidates.iter().take(idle + departed).enumerate() {
        if n < idle {
            reps[r].uploads_until = clock.now - g.int(11 * DAY, 40 * DAY);
        } else {
            reps[r].uploads_until = clock.now - g.int(30 * DAY, 80 * DAY);
            users[reps[r].user].active = false;
        }
    }
    (users, reps)
}

fn write_users(sink: &mut Sink, users: &[User]) -> Result<()> {
    sink.start(users.len() as u64)?;
    for u in users {
        let manager = u.manager.map(|m| &users[m].id);
        sink.row(|l| {
            l.id(&u.id)
                .text(&u.name)
                .text(&u.email)
                .text(match u.role {
                    Role::Admin => "admin",
                    Role::Manager => "manager",
                    Role::Rep => "rep",
                })
                .text(DEPARTMENTS[u.department].0)
                .opt_id(manager)
                .boolean(u.active)
                .ts(u.created);
        })?;
    }
    sink.end()
}

// ---------------------------------------------------------------------------------------------
// Opportunities

const COMPANY_FIRST: [&str; 50] = [
    "Northwind",
    "Bluewater",
    "Silverline",
    "Redwood",
    "Summit",
    "Pioneer",
    "Granite",
    "Harbor",
    "Evergreen",
    "Ironclad",
    "Brightpath",
    "Clearview",
    "Crestline",
    "Keystone",
    "Lakeshore",
    "Maplewood",
    "Oakridge",
    "Pinecrest",
    "Riverbend",
    "Stonebridge",
    "Sunrise",
    "Westfield",
    "Alder",
    "Beacon",
    "Cedar",
    "Falcon",
    "Goldleaf",
    "Horizon",
    "Juniper",
    "Kestrel",
    "Lighthouse",
    "Meridian",
    "Nova",
    "Orion",
    "Polaris",
    "Quantum",
    "Sterling",
    "Trident",
    "Unity",
    "Vantage",
    "Willow",
    "Apex",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Atlas",
    "Vertex",
    "Zenith",
    "Aurora",
];
const COMPANY_MIDDLE: [&str; 25] = [
    "Digital",
    "Global",
    "United",
    "Advanced",
    "Pacific",
    "Atlantic",
    "Nordic",
    "Alpine",
    "Coastal",
    "Metro",
    "Prime",
    "Smart",
    "Green",
    "First",
    "National",
    "Bay",
    "Valley",
    "Highland",
    "Central",
    "Western",
    "Eastern",
    "Southern",
    "Northern",
    "Urban",
    "Integrated",
];
const COMPANY_TRADE: [&str; 40] = [
    "Data",
    "Logistics",
    "Health",
    "Foods",
    "Energy",
    "Robotics",
    "Analytics",
    "Software",
    "Capital",
    "Retail",
    "Manufacturing",
    "Biotech",
    "Media",
    "Telecom",
    "Freight",
    "Insurance",
    "Pharma",
    "Solar",
    "Security",
    "Labs",
    "Cloud",
    "Systems",
    "Networks",
    "Materials",
    "Motors",
    "Textiles",
    "Dental",
    "Hospitality",
    "Education",
    "Consulting",
    "Marine",
    "Aerospace",
    "Agritech",
    "Payments",
    "Semiconductors",
    "Water",
    "Mining",
    "Construction",
    "Fitness",
    "Travel",
];
const COMPANY_SUFFIX: [&str; 12] = [
    "Inc.", "LLC", "Ltd", "GmbH", "Group", "Corp.", "Holdings", "Partners", "AG", "Pty Ltd",
    "K.K.", "S.A.",
];

fn company_name(g: &mut Gen) -> String {
    let first = *g.pick(&COMPANY_FIRST);
    let trade = *g.pick(&COMPANY_TRADE);
    let suffix = *g.pick(&COMPANY_SUFFIX);
    if g.chance(0.5) {
        format!("{first} {} {trade} {suffix}", g.pick(&COMPANY_MIDDLE))
    } else {
        format!("{first} {trade} {suffix}")
    }
}

/// A uniform instant in `[lo, hi]` (`lo` when the range is empty).
fn between(g: &mut Gen, lo: i64, hi: i64) -> i64 {
    g.int(lo, hi.max(lo))
}

fn make_opportunities(g: &mut Gen, scale: &SourceScale, world: &mut World) {
    let count = scale.opportunities() as usize;
    let customers = (count * 3 / 5).max(10);
    let mut seen = HashSet::with_capacity(customers);
    world.companies = (0..customers)
        .map(|_| {
            // Distinct while the word lists allow (hundreds of thousands of combinations).
            let mut name = company_name(g);
            for _ in 0..16 {
                if seen.insert(name.clone()) {
                    break;
                }
                name = company_name(g);
            }
            name
        })
        .collect();

    let clock = &world.clock;
    let year_ago = clock.now - 365 * DAY;
    let rep_count = world.reps.len();
    let mut opportunities = Vec::with_capacity(count);
    for i in 0..count {
        // Every rep first gets one long-running open deal, older than the conversation window,
        // so each of their conversations has a deal to belong to.
        let owner = if i < rep_count {
            i
        } else {
            world.rep_picker.sample(g)
        };
        let owner_created = world.users[world.reps[owner].user].created;
        let floor = owner_created.max(year_ago);
        // The first four deals after those are closed where the reports must find them.
        let forced = i.checked_sub(rep_count).filter(|&k| k < 4);
        let (status, created, closed) = if i < rep_count {
            let created = between(g, floor, clock.now - (CONVERSATION_DAYS + 1) * DAY);
            (Deal::Open, created, None)
        } else if g.chance(0.55) || forced.is_some() {
            // Forced first: won and lost this week, won and lost earlier this month.
            let status = match forced {
                Some(0 | 2) => Deal::Won,
                Some(1 | 3) => Deal::Lost,
                _ if g.chance(0.45) => Deal::Won,
                _ => Deal::Lost,
            };
            let closed = match forced {
                Some(0 | 1) => between(g, clock.week_start, clock.now),
                Some(_) => between(g, clock.month_start, clock.now),
                // Over the past year, denser lately (the pipeline grew): ~6% this week.
                None => clock.now - (g.unit().powf(1.4) * (365 * DAY) as f64) as i64,
            };
            let created = (closed - g.int(7 * DAY, 200 * DAY)).max(owner_created);
            (status, created, Some(closed.max(created)))
        } else {
            // Open deals: most of them young.
            let age = (g.unit().powf(1.6) * 300.0 * DAY as f64) as i64;
            (Deal::Open, (clock.now - age).max(floor), None)
        };
        let contact = g.chance(0.9).then(|| {
            let zh = g.chance(0.3);
            person(g, zh).0
        });
        world.reps[owner].opportunities.push(i as u32);
        opportunities.push(Opportunity {
            id: g.id(),
            customer: g.index(customers) as u32,
            contact,
            owner: owner as u32,
            status,
            created,
            closed,
        });
    }
    world.opportunities = opportunities;
}

fn write_opportunities(sink: &mut Sink, g: &mut Gen, world: &World) -> Result<()> {
    sink.start(world.opportunities.len() as u64)?;
    let now = world.clock.now;
    let mut customer_number = Vec::with_capacity(16);
    for o in &world.opportunities {
        let owner = world.rep_user(o.owner);
        let multiplier = match DEPARTMENTS[owner.department].0 {
            "enterprise" => 4.0,
            "smb" => 0.3,
            _ => 1.0,
        };
        let cents = ((g.normal(10.0, 0.9).exp() * multiplier).clamp(500.0, 5_000_000.0) * 100.0)
            .round() as i64;
        let updated = o.closed.unwrap_or_else(|| between(g, o.created, now));
        customer_number.clear();
        customer_number.extend_from_slice(b"C-");
        push_padded(&mut customer_number, u64::from(o.customer) + 1, 6);
        sink.row(|l| {
            l.id(&o.id)
                .ascii(&customer_number)
                .text(world.company(o))
                .opt_text(o.contact.as_deref())
                .text(match o.status {
                    Deal::Open => "open",
                    Deal::Won => "won",
                    Deal::Lost => "lost",
                })
                .money(cents)
                .id(&owner.id)
                .ts(o.created)
                .ts(updated)
                .opt_ts(o.closed);
        })?;
    }
    sink.end()
}

// ---------------------------------------------------------------------------------------------
// Conversations and their analyses

/// Failures by error code: the processing stage it happens at, and its share of failures.
const FAILURES: [(&str, &str, f64); 5] = [
    ("E_DOWNLOAD_TIMEOUT", "download", 0.30),
    ("E_AUDIO_CORRUPT", "audio", 0.15),
    ("E_TRANSCRIBE_FAILED", "transcription", 0.30),
    ("E_ANALYSIS_TIMEOUT", "analysis", 0.20),
    ("E_DB_WRITE", "database", 0.05),
];

const CALL_TITLES: [&str; 9] = [
    "Discovery call with",
    "Product demo for",
    "Pricing discussion with",
    "Follow-up call with",
    "Contract negotiation with",
    "Technical deep dive with",
    "Kickoff meeting with",
    "Quarterly business review with",
    "Renewal check-in with",
];

/// Where a conversation is in its processing.
struct Processing {
    status: &'static str,
    stage: Option<&'static str>,
    error: Option<&'static str>,
    started: Option<i64>,
    processed: Option<i64>,
}

impl Processing {
    const PENDING: Self = Self {
        status: "pending",
        stage: None,
        error: None,
        started: None,
        processed: None,
    };

    fn running(stage: &'static str, started: i64) -> Self {
        Self {
            status: "processing",
            stage: Some(stage),
            error: None,
            started: Some(started),
            processed: None,
        }
    }
}

/// Whether a conversation is one of those stuck for hours, and where.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stuck {
    No,
    Processing,
    Queued,
}

/// What an analysis needs of its completed conversation.
struct Completed {
    conversation: Id,
    opportunity: u32,
    rep: u32,
    at: i64,
}

/// Upload instants over the last 90 days, oldest first: more on recent days and on weekdays,
/// mostly in office hours.
fn upload_times(g: &mut Gen, count: usize, clock: &Clock) -> Vec<i64> {
    let today = clock.today / DAY;
    let elapsed_today = (clock.now - clock.today) as f64 / DAY as f64;
    let days = Weighted::new((0..CONVERSATION_DAYS).map(|d| {
        let recency = (-(d as f64) / 40.0).exp();
        let weekday = if weekday(today - d) < 5 { 1.0 } else { 0.12 };
        recency * weekday * if d == 0 { elapsed_today } else { 1.0 }
    }));
    let mut times: Vec<i64> = (0..count)
        .map(|_| {
            let day_start = clock.today - days.sample(g) as i64 * DAY;
            let of_day = if g.chance(0.85) {
                g.normal(13.5 * HOUR as f64, 2.6 * HOUR as f64)
                    .clamp(7.0 * HOUR as f64, 21.0 * HOUR as f64) as i64
            } else {
                g.int(0, DAY - 1)
            };
            let t = day_start + of_day;
            if t > clock.now {
                between(g, clock.today, clock.now)
            } else {
                t
            }
        })
        .collect();
    times.sort_unstable();
    times
}

fn write_conversations(
    sink: &mut Sink,
    g: &mut Gen,
    scale: &SourceScale,
    world: &World,
) -> Result<Vec<Completed>> {
    let clock = &world.clock;
    let count = scale.conversations as usize;
    let times = upload_times(g, count, clock);

    // Stuck for hours, picked among the recent conversations older than 3 h: most of them in
    // processing, every fourth never picked up from the queue.
    let eligible = times.partition_point(|&t| t < clock.now - 3 * HOUR);
    let stuck_count = (count / 1000).max(4).min(eligible);
    let window = eligible.min((stuck_count * 10).max(count / 50));
    let mut stuck = vec![Stuck::No; count];
    let mut marked = 0;
    while marked < stuck_count {
        let i = eligible - 1 - g.index(window);
        if stuck[i] == Stuck::No {
            stuck[i] = if marked % 4 == 3 {
                Stuck::Queued
            } else {
                Stuck::Processing
            };
            marked += 1;
        }
    }
    // One bad day in the last week, when transcription kept failing.
    let incident_day = clock.today / DAY - g.int(1, 6);
    let failure_codes = Weighted::new(FAILURES.iter().map(|f| f.2));

    sink.start(count as u64)?;
    let mut completed = Vec::with_capacity(count);
    let mut case_number = Vec::with_capacity(24);
    let mut audio_url = Vec::with_capacity(96);
    let mut title = String::with_capacity(96);
    let mut year_counter = (0i64, 0u64);
    for (i, &created) in times.iter().enumerate() {
        let id = g.id();
        let rep = pick_uploader(g, world, created);
        let opportunity = pick_opportunity(g, world, rep, created);
        let o = &world.opportunities[opportunity as usize];
        let user = world.rep_user(rep);

        let (year, month, _) = civil_from_days(created.div_euclid(DAY));
        if year_counter.0 != year {
            year_counter = (year, 0);
        }
        year_counter.1 += 1;
        case_number.clear();
        case_number.extend_from_slice(b"CASE-");
        push_padded(&mut case_number, year as u64, 4);
        case_number.push(b'-');
        push_padded(&mut case_number, year_counter.1, 6);

        audio_url.clear();
        audio_url.extend_from_slice(b"https://recordings.sales.example/audio/");
        push_padded(&mut audio_url, year as u64, 4);
        audio_url.push(b'/');
        push_padded(&mut audio_url, month, 2);
        audio_url.push(b'/');
        id.write(&mut audio_url);
        audio_url.extend_from_slice(b".m4a");

        let has_title = g.chance(0.9);
        if has_title {
            title.clear();
            let words = *g.pick(&CALL_TITLES);
            title.push_str(words);
            title.push(' ');
            title.push_str(world.company(o));
        }

        let age = clock.now - created;
        let queued = created + g.int(5, 90);
        let mut duration = g.normal(1500f64.ln(), 0.6).exp().clamp(30.0, 7200.0) as i64;
        let state = if stuck[i] == Stuck::Queued {
            Processing::PENDING
        } else if stuck[i] == Stuck::Processing {
            let started = if age < 72 * HOUR {
                queued.min(clock.now - 3 * HOUR)
            } else {
                // A retry that never came back.
                clock.now - g.int(3 * HOUR, 72 * HOUR)
            };
            let stage = *g.pick(&["download", "transcription", "analysis"]);
            Processing::running(stage, started)
        } else if age < 5 * MINUTE {
            Processing::PENDING
        } else if age < 20 * MINUTE {
            let stage = match age {
                a if a < 8 * MINUTE => "download",
                a if a < 15 * MINUTE => "transcription",
                _ => "analysis",
            };
            Processing::running(stage, queued)
        } else {
            let incident = created.div_euclid(DAY) == incident_day;
            let p_fail = if incident { 0.12 } else { 0.03 };
            let r = g.unit();
            if r < p_fail {
                let (code, stage, _) = if incident && g.chance(0.8) {
                    FAILURES[2]
                } else {
                    FAILURES[failure_codes.sample(g)]
                };
                if code == "E_AUDIO_CORRUPT" {
                    duration = 0;
                }
                Processing {
                    status: "failed",
                    stage: Some(stage),
                    error: Some(code),
                    started: Some(queued),
                    processed: None,
                }
            } else {
                let took = 60 + duration / 12 + g.int(0, 90);
                let processed = (queued + took).min(clock.now);
                completed.push(Completed {
                    conversation: id,
                    opportunity,
                    rep,
                    at: processed,
                });
                Processing {
                    status: "completed",
                    stage: None,
                    error: None,
                    started: Some(queued),
                    processed: Some(processed),
                }
            }
        };
        sink.row(|l| {
            l.id(&id)
                .ascii(&case_number)
                .opt_text(has_title.then_some(title.as_str()))
                .id(&o.id)
                .id(&user.id)
                .text(state.status)
                .opt_text(state.stage)
                .opt_text(state.error)
                .ascii(&audio_url)
                .int(duration)
                .ts(created)
                .opt_ts(state.started)
                .opt_ts(state.processed);
        })?;
    }
    sink.end()?;
    Ok(completed)
}

/// A rep who was still uploading at `t`, busy reps more often.
fn pick_uploader(g: &mut Gen, world: &World, t: i64) -> u32 {
    for _ in 0..32 {
        let rep = world.rep_picker.sample(g);
        if world.reps[rep].uploads_until >= t {
            return rep as u32;
        }
    }
    // Unlikely after 32 draws; the busiest tenth never stop uploading, so one is found.
    world
        .reps
        .iter()
        .position(|r| r.uploads_until >= t)
        .unwrap_or(0) as u32
}

/// One of the rep's deals that was open at `t`; their long-running one if a few draws miss.
fn pick_opportunity(g: &mut Gen, world: &World, rep: u32, t: i64) -> u32 {
    let owned = &world.reps[rep as usize].opportunities;
    for _ in 0..8 {
        let candidate = *g.pick(owned);
        let o = &world.opportunities[candidate as usize];
        if o.created <= t && o.closed.is_none_or(|c| c >= t) {
            return candidate;
        }
    }
    owned[0]
}

fn meddic_status(score: i64) -> &'static str {
    match score {
        75.. => "Strong",
        50..=74 => "Medium",
        30..=49 => "Weak",
        _ => "At Risk",
    }
}

fn write_analyses(
    sink: &mut Sink,
    g: &mut Gen,
    world: &World,
    completed: &[Completed],
) -> Result<()> {
    // Economic buyers are the hardest to reach, pain the easiest to find.
    const BIAS: [f64; 6] = [0.0, -6.0, 1.0, -3.0, 5.0, -2.0];
    sink.start(completed.len() as u64)?;
    for c in completed {
        let skill = world.reps[c.rep as usize].skill;
        // Beta(4, 3): mean 57, skewed toward the good scores with a long tail of weak calls.
        let overall = (g.beta(4, 3) * 100.0 + skill).round().clamp(0.0, 100.0) as i64;
        let id = g.id();
        let dims = BIAS.map(|b| g.normal(overall as f64 + b, 9.0).round().clamp(0.0, 100.0) as i64);
        let opportunity = &world.opportunities[c.opportunity as usize];
        sink.row(|l| {
            l.id(&id)
                .id(&c.conversation)
                .id(&opportunity.id)
                .int(overall)
                .text(meddic_status(overall));
            for d in dims {
                l.int(d);
            }
            l.ts(c.at);
        })?;
    }
    sink.end()
}

// ---------------------------------------------------------------------------------------------
// Todos

const DEAL_TODOS: [&str; 9] = [
    "Send proposal to",
    "Follow up with",
    "Schedule demo with",
    "Confirm economic buyer at",
    "Send pricing to",
    "Book technical deep dive with",
    "Share case study with",
    "Prepare MEDDIC review for",
    "Get legal review started at",
];
const GENERAL_TODOS: [&str; 5] = [
    "Update CRM notes",
    "Complete forecast",
    "Review call recordings",
    "Prepare weekly report",
    "Clean up pipeline",
];

fn write_todos(sink: &mut Sink, g: &mut Gen, scale: &SourceScale, world: &World) -> Result<()> {
    let clock = &world.clock;
    let today = clock.today / DAY;
    let open: Vec<u32> = (0..world.opportunities.len() as u32)
        .filter(|&i| world.opportunities[i as usize].status == Deal::Open)
        .collect();
    let count = scale.todos();
    sink.start(count)?;
    let mut title = String::with_capacity(96);
    for _ in 0..count {
        let id = g.id();
        let opportunity = g.chance(0.88).then(|| {
            if g.chance(0.75) && !open.is_empty() {
                *g.pick(&open)
            } else {
                g.index(world.opportunities.len()) as u32
            }
        });
        let (user, opportunity) = match opportunity {
            Some(i) => {
                let o = &world.opportunities[i as usize];
                title.clear();
                let words = *g.pick(&DEAL_TODOS);
                title.push_str(words);
                title.push(' ');
                match &o.contact {
                    Some(contact) if g.chance(0.4) => title.push_str(contact),
                    _ => title.push_str(world.company(o)),
                }
                (world.rep_user(o.owner), Some(o))
            }
            None => {
                title.clear();
                let words = *g.pick(&GENERAL_TODOS);
                title.push_str(words);
                let rep = world.rep_picker.sample(g) as u32;
                (world.rep_user(rep), None)
            }
        };
        // Due: 40% in the past 40 days, 6% today, the rest within the next 30 days.
        let r = g.unit();
        let due = if r < 0.40 {
            today - 1 - (g.unit().powf(1.5) * 40.0) as i64
        } else if r < 0.46 {
            today
        } else {
            today + g.int(1, 30)
        };
        let created = if due < today {
            due * DAY + 9 * HOUR - g.int(DAY, 21 * DAY)
        } else {
            clock.now - g.int(HOUR, 20 * DAY)
        };
        let r = g.unit();
        let status = match due.cmp(&today) {
            std::cmp::Ordering::Less if r < 0.65 => "completed",
            std::cmp::Ordering::Less if r < 0.72 => "cancelled",
            std::cmp::Ordering::Equal if r < 0.25 => "completed",
            std::cmp::Ordering::Greater if r < 0.06 => "completed",
            std::cmp::Ordering::Greater if r < 0.08 => "cancelled",
            _ => "pending",
        };
        // The schema keeps `completed_at` for completed todos only.
        let completed_at = (status == "completed")
            .then(|| between(g, created, clock.now.min(due * DAY + 3 * DAY)));
        sink.row(|l| {
            l.id(&id)
                .opt_id(opportunity.map(|o| &o.id))
                .id(&user.id)
                .text(&title)
                .date(due)
                .text(status)
                .ts(created)
                .opt_ts(completed_at);
        })?;
    }
    sink.end()
}

// ---------------------------------------------------------------------------------------------
// Traffic events

/// API routes (ids normalized to `:id`): method, path, share of traffic, typical latency in ms,
/// and whether the route reads a KV-cached report or page (a miss falls back to SQL: 2-9 s, which
/// is what the KV cache is for).
const ROUTES: [(&str, &str, f64, f64, bool); 21] = [
    ("GET", "/api/reports/system-health", 8.0, 35.0, true),
    ("GET", "/api/reports/close-cases", 4.0, 30.0, true),
    ("GET", "/api/reports/attention-needed", 4.0, 40.0, true),
    ("GET", "/api/reports/todo-stats", 3.0, 30.0, true),
    ("GET", "/api/reports/team/:dept", 5.0, 45.0, true),
    ("GET", "/api/reports/mtd-uploads/:month", 1.5, 30.0, true),
    (
        "GET",
        "/api/reports/upload-ranking/:period",
        2.0,
        30.0,
        true,
    ),
    ("GET", "/api/users/:id/dashboard", 14.0, 60.0, true),
    ("GET", "/api/users/:id/conversations", 12.0, 55.0, true),
    ("GET", "/api/users/:id/opportunities", 9.0, 50.0, true),
    ("GET", "/api/users/:id/rep-performance", 3.0, 70.0, true),
    ("GET", "/api/managers/:id/team-performance", 2.0, 90.0, true),
    ("GET", "/api/conversations/:id", 10.0, 80.0, true),
    ("GET", "/api/opportunities/:id", 6.0, 45.0, true),
    ("POST", "/api/conversations", 2.5, 350.0, false),
    ("GET", "/api/todos", 4.0, 40.0, false),
    ("POST", "/api/todos", 1.2, 60.0, false),
    ("PATCH", "/api/todos/:id", 1.5, 55.0, false),
    ("GET", "/api/recordings", 3.0, 70.0, false),
    ("POST", "/api/auth/session", 1.5, 120.0, false),
    ("GET", "/health", 2.0, 3.0, false),
];

/// Relative traffic in each UTC hour of the day: quiet nights, busy office hours.
const HOURLY: [f64; 24] = [
    0.15, 0.1, 0.08, 0.08, 0.1, 0.15, 0.3, 0.55, 0.85, 1.0, 1.0, 0.95, 0.8, 0.9, 1.0, 1.0, 0.9,
    0.75, 0.5, 0.4, 0.35, 0.3, 0.25, 0.2,
];

fn write_traffic(sink: &mut Sink, g: &mut Gen, scale: &SourceScale, world: &World) -> Result<()> {
    let clock = &world.clock;
    let hour_now = clock.now.div_euclid(HOUR) * HOUR;
    let hours = TRAFFIC_DAYS * 24;
    // Hour `h` starts `h` hours before the current one; the current one only counts its past.
    let weights = Weighted::new((0..hours).map(|h| {
        let start = hour_now - h * HOUR;
        let busy = HOURLY[(start.rem_euclid(DAY) / HOUR) as usize];
        let weekday = if weekday(start.div_euclid(DAY)) < 5 {
            1.0
        } else {
            0.3
        };
        let part = if h == 0 {
            (clock.now_ms - hour_now * 1000) as f64 / (HOUR * 1000) as f64
        } else {
            1.0
        };
        busy * weekday * part
    }));
    let count = scale.traffic_events() as usize;
    let mut times: Vec<i64> = (0..count)
        .map(|_| {
            let start = (hour_now - weights.sample(g) as i64 * HOUR) * 1000;
            let end = (start + HOUR * 1000).min(clock.now_ms);
            between(g, start, end - 1)
        })
        .collect();
    times.sort_unstable();
    // One hour of the week when the database struggled: errors and slow responses.
    // (A busy hour, as people notice; not the current or the last one.)
    let mut back = weights.sample(g) as i64;
    while back < 2 {
        back = weights.sample(g) as i64;
    }
    let incident_hour = hour_now - back * HOUR;
    let routes = Weighted::new(ROUTES.iter().map(|r| r.2));

    sink.start(count as u64)?;
    for at in times {
        let (method, path, _, typical, cached) = ROUTES[routes.sample(g)];
        let incident = at.div_euclid(HOUR * 1000) * HOUR == incident_hour;
        // A 96% hit rate, the target being above 90% (docs/domain.md, "Targets").
        let slow = cached && g.chance(if incident { 0.5 } else { 0.04 });
        let mut latency = if slow {
            g.int(2000, 9000)
        } else {
            (typical * g.normal(0.0, 0.5).exp()) as i64
        };
        let r = g.unit();
        let server_error = if incident { 0.25 } else { 0.006 };
        let status = if r < server_error {
            latency = latency.max(g.int(800, 30_000));
            if g.chance(0.7) {
                500
            } else {
                503
            }
        } else if r < server_error + 0.01 {
            404
        } else if r < server_error + 0.017 {
            401
        } else if r < server_error + 0.019 {
            429
        } else if method == "POST" {
            201
        } else if method == "GET" && g.chance(0.05) {
            304
        } else {
            200
        };
        let user = (path != "/health" && g.chance(0.9))
            .then(|| &world.users[g.index(world.users.len())].id);
        sink.row(|l| {
            l.ts_ms(at)
                .text(path)
                .text(method)
                .int(status)
                .int(latency.max(0))
                .opt_id(user);
        })?;
    }
    sink.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone};

    #[test]
    fn dates_and_timestamps_match_chrono() {
        for days in [0, 59, 365, 11_016, 20_000, 20_780, 30_000] {
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(719_163 + days as i32)
                .expect("in range");
            let mut out = Vec::new();
            push_date(&mut out, days);
            assert_eq!(
                String::from_utf8(out).expect("ascii"),
                date.format("%Y-%m-%d").to_string()
            );
        }
        let t = Utc
            .with_ymd_and_hms(2026, 11, 22, 9, 5, 7)
            .single()
            .expect("valid");
        let mut out = Vec::new();
        push_timestamp(&mut out, t.timestamp(), Some(42));
        assert_eq!(out, b"2026-11-22 09:05:07.042+00");
        let clock = Clock::new(t);
        let week_start = Utc
            .timestamp_opt(clock.week_start, 0)
            .single()
            .expect("valid");
        assert_eq!(week_start.weekday(), chrono::Weekday::Mon);
        assert_eq!(
            week_start.date_naive(),
            t.date_naive() - chrono::Duration::days(6)
        );
        let month_start = Utc
            .timestamp_opt(clock.month_start, 0)
            .single()
            .expect("valid");
        assert_eq!((month_start.day(), month_start.month()), (1, 11));
    }

    #[test]
    fn copy_text_is_escaped_and_numbers_are_exact() {
        let mut out = Vec::new();
        Line {
            text: &mut out,
            first: true,
        }
        .text("a\tb\\c\nd")
        .int(-42)
        .money(123_405)
        .money(7)
        .null()
        .boolean(true);
        assert_eq!(out, b"a\\tb\\\\c\\nd\t-42\t1234.05\t0.07\t\\N\tt");
    }

    #[test]
    fn ids_are_version_4_uuids_and_reproducible() {
        let mut a = Gen::new(7, STREAM_USERS);
        let mut b = Gen::new(7, STREAM_USERS);
        let mut other = Gen::new(7, STREAM_OPPORTUNITIES);
        let id = a.id();
        assert_eq!(id, b.id());
        assert_ne!(id, other.id());
        let mut out = Vec::new();
        id.write(&mut out);
        let text = String::from_utf8(out).expect("ascii");
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "4");
        assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"), "{text}");
    }

    #[test]
    fn sizes_follow_the_scale() {
        let now = Utc::now();
        let small = SourceScale::new(100, 1, now).expect("valid");
        assert_eq!((small.users(), small.managers(), small.reps()), (12, 4, 6));
        let big = SourceScale::new(1_000_000, 1, now).expect("valid");
        assert_eq!(
            (big.users(), big.managers(), big.reps()),
            (10_000, 800, 9_198)
        );
        assert_eq!(big.idle_reps(), 460);
        assert!(SourceScale::new(99, 1, now).is_err());
        assert!(SourceScale::new(MAX_CONVERSATIONS + 1, 1, now).is_err());
    }

    #[test]
    fn meddic_bands() {
        assert_eq!(meddic_status(100), "Strong");
        assert_eq!(meddic_status(75), "Strong");
        assert_eq!(meddic_status(74), "Medium");
        assert_eq!(meddic_status(50), "Medium");
        assert_eq!(meddic_status(49), "Weak");
        assert_eq!(meddic_status(30), "Weak");
        assert_eq!(meddic_status(29), "At Risk");
        assert_eq!(meddic_status(0), "At Risk");
    }
}
