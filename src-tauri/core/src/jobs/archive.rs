//! Tiered retention of detail rows: [`archive`] writes rows older than the retention to a gzip
//! NDJSON file, fsyncs it, re-reads it (row count and checksum) and only then marks its
//! `archive_metadata` row verified; [`delete_archived`] deletes rows by the ids read back from
//! verified files, in bounded batches, each batch committed together with its progress. So no row
//! is deleted without a verified archive, none is archived twice, and an interrupted run (crash,
//! cancel, lost connection) leaves nothing half-done that the next run does not finish or undo.
//! Aggregate tables are never touched. The rules: docs/domain.md, "Cleanup rules".

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use futures::TryStreamExt as _;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::postgres::PgPool;
use sqlx::Row;

use super::catalog::JobName;
use super::history::JobLease;
use super::options::{ArchiveOptions, DeleteArchivedOptions, DetailTable};
use crate::db_limits::{Work, WorkLimit};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// A point between two steps of archiving or deleting, where a test may interrupt a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The archive's metadata row exists (status `writing`), no file yet.
    ArchiveClaimed,
    /// Every row is in the `.partial` file, not yet synced.
    FileWritten,
    /// The file is synced and has its final name, not yet verified.
    FileSynced,
    /// The file was re-read and matches, the metadata row not yet marked verified.
    FileVerified,
    /// Delete batch `n` (from 1) is committed.
    BatchDeleted(u64),
}

/// Called at each [`Step`]; an error stops the run there, as a crash would.
pub type StepHook = Arc<dyn Fn(Step) -> Result<()> + Send + Sync>;

fn at(hook: Option<&StepHook>, step: Step) -> Result<()> {
    hook.map_or(Ok(()), |h| h(step))
}

/// What an archive or delete run works with besides its target: the database, whether it only
/// counts, the job run it belongs to, where it reports progress (and learns it was cancelled),
/// where a test may interrupt it, and the job's lease (none in a dry run or outside a job).
#[derive(Clone, Copy)]
pub struct DetailRun<'a> {
    pub pool: &'a PgPool,
    pub dry_run: bool,
    /// The job run recorded on the archive's metadata row.
    pub job_run: Option<i64>,
    pub progress: &'a Progress,
    pub hook: Option<&'a StepHook>,
    /// With a lease, each step commits only while the job's lock is still held.
    pub lease: Option<&'a JobLease>,
}

/// What an archive run found and wrote (or, dry, would write).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchiveOutcome {
    pub table: String,
    pub cutoff: String,
    pub rows: u64,
    pub from_time: Option<String>,
    pub to_time: Option<String>,
    pub first_id: Option<i64>,
    pub last_id: Option<i64>,
    /// The archive file (none in a dry run or when there was nothing to archive).
    pub file: Option<String>,
    pub file_bytes: u64,
    pub checksum: Option<String>,
    /// Unfinished archives of an earlier, interrupted run that were discarded.
    pub discarded_unfinished: u64,
}

/// What a delete run found and deleted (or, dry, would delete).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteOutcome {
    pub table: String,
    /// Rows deleted (in a dry run: rows that the batches would delete).
    pub rows_deleted: u64,
    pub batches: u64,
    /// Archives whose rows are now all deleted.
    pub archives_completed: u64,
    /// Archived rows still in the table after this run (left for the next run by the batch limit).
    pub rows_remaining: u64,
}

/// The archive directory, a setting of this machine (never of the shared database): created on
/// first use, canonicalised, and checked writable before anything runs.
pub fn archive_directory(dir: &Path) -> Result<PathBuf> {
    // Missing folders are created 0700 (archives hold full rows); an existing one is left as is.
    crate::private_files::create_dir(dir)?;
    let dir = dir.canonicalize().map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let probe = dir.join(".cachescope-write-probe");
    let written = File::create(&probe).and_then(|mut f| {
        f.write_all(b"probe")?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    written.map_err(|e| {
        Error::invalid(
            format!("archive directory {}", dir.display()),
            format!("is not writable: {e}"),
        )
    })?;
    Ok(dir)
}

/// The moment rows older than `retention_days` before `now` are archived from.
pub fn archive_cutoff(now: DateTime<Utc>, retention_days: u32) -> Result<DateTime<Utc>> {
    chrono::Duration::try_days(i64::from(retention_days))
        .and_then(|days| now.checked_sub_signed(days))
        .ok_or_else(|| {
            Error::invalid(
                "option retentionDays of job archive",
                format!("{retention_days} days before {now} is not a date"),
            )
        })
}

/// What an archive run works on: the detail table and its columns, found in the live catalog,
/// and the options' numbers.
#[derive(Debug, Clone)]
pub struct ArchiveTarget {
    pub detail: DetailTable,
    pub retention_days: u32,
    pub read_chunk: u32,
}

impl ArchiveTarget {
    /// Checks the options and finds their table and columns in the catalog.
    pub async fn resolve(pool: &PgPool, options: &ArchiveOptions) -> Result<Self> {
        Ok(Self {
            detail: options.names().resolve(pool, JobName::Archive).await?,
            retention_days: options.retention_days,
            read_chunk: options.read_chunk,
        })
    }
}

/// What a delete-archived run works on.
#[derive(Debug, Clone)]
pub struct DeleteTarget {
    pub detail: DetailTable,
    pub batch_size: u32,
    pub max_batches: u32,
}

impl DeleteTarget {
    /// Checks the options and finds their table and columns in the catalog.
    pub async fn resolve(pool: &PgPool, options: &DeleteArchivedOptions) -> Result<Self> {
        Ok(Self {
            detail: options
                .names()
                .resolve(pool, JobName::DeleteArchived)
                .await?,
            batch_size: options.batch_size,
            max_batches: options.max_batches,
        })
    }
}

/// The rows an archive of `table` at `cutoff` takes: older than the cutoff and not held by a
/// verified archive whose rows are not yet all deleted.
fn candidates_sql(detail: &DetailTable) -> String {
    let (table, time, id) = (detail.table.sql(), detail.time.sql(), detail.id.sql());
    format!(
        "FROM {table} t WHERE t.{time} < $1 AND NOT EXISTS (\
           SELECT 1 FROM cachescope.archive_metadata a \
           WHERE a.table_name = $2 AND a.status = 'verified' \
             AND t.{id} BETWEEN a.first_id AND a.last_id AND t.{time} < a.cutoff)"
    )
}

/// Removes archives left `writing` by an interrupted run (their files, if any, and their rows).
/// Runs under the job's lock, so no other run is writing them. The file names come from the
/// shared database, so only archive files inside this machine's archive `directory` are deleted;
/// any other path is left alone (the row still goes).
async fn discard_unfinished(pool: &PgPool, table: &str, directory: &Path) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT id, file FROM cachescope.archive_metadata WHERE table_name = $1 AND status = 'writing'",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .map_err(Error::Db)?;
    for row in &rows {
        let file: String = row.get("file");
        // A run stopped between claiming the row and naming its file left no file (and an empty
        // name must not turn into `.partial` in the working directory).
        let paths = if file.is_empty() {
            Vec::new()
        } else {
            vec![PathBuf::from(&file), partial_path(Path::new(&file))]
        };
        let paths: Vec<PathBuf> = paths
            .into_iter()
            .filter(|path| {
                let inside = is_archive_file_in(path, directory);
                if !inside {
                    tracing::warn!(path = %path.display(), "unfinished archive's file is outside the archive directory; not deleted");
                }
                inside
            })
            .collect();
        for path in paths {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(Error::Io { path, source }),
            }
        }
        sqlx::query("DELETE FROM cachescope.archive_metadata WHERE id = $1 AND status = 'writing'")
            .bind(row.get::<i64, _>("id"))
            .execute(pool)
            .await
            .map_err(Error::Db)?;
    }
    Ok(rows.len() as u64)
}

/// Whether `path` names an archive file (`….ndjson.gz`, or its `.partial`) directly inside
/// `directory` (canonical), once its folder is canonicalised: `..`, symlinked folders and
/// other places are not.
fn is_archive_file_in(path: &Path, directory: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if !(name.ends_with(".ndjson.gz") || name.ends_with(".ndjson.gz.partial")) {
        return false;
    }
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => return false,
    };
    parent
        .canonicalize()
        .is_ok_and(|parent| parent == directory)
}

fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Archives the rows of the target's table older than its retention before `now` into a file in
/// `directory`. With a lease, the archive is marked verified only while the job's lock is still
/// held.
pub async fn archive(
    run: &DetailRun<'_>,
    target: &ArchiveTarget,
    directory: &Path,
    now: DateTime<Utc>,
) -> Result<ArchiveOutcome> {
    let DetailRun {
        pool,
        dry_run,
        job_run,
        progress,
        hook,
        lease,
    } = *run;
    let cutoff = archive_cutoff(now, target.retention_days)?;
    let table_name = target.detail.table.qualified_name();
    let mut outcome = ArchiveOutcome {
        table: table_name.clone(),
        cutoff: cutoff.to_rfc3339(),
        ..ArchiveOutcome::default()
    };
    let (time, id) = (target.detail.time.sql(), target.detail.id.sql());
    let candidates = candidates_sql(&target.detail);
    let limit = WorkLimit::of(pool, Work::DeleteBatch).await?;

    // What the archive takes: how many rows, their time range and their id range.
    let (total, from_time, to_time, first_id, last_id): Candidates = sqlx::query_as(&format!(
        "SELECT count(*), min(t.{time}), max(t.{time}), min(t.{id})::bigint, max(t.{id})::bigint \
         {candidates}"
    ))
    .bind(cutoff)
    .bind(&table_name)
    .fetch_one(pool)
    .await
    .map_err(|e| table_error(&limit, false, "the archive's count", &table_name, e))?;
    if dry_run {
        outcome.rows = total as u64;
        outcome.from_time = from_time.map(|t| t.to_rfc3339());
        outcome.to_time = to_time.map(|t| t.to_rfc3339());
        outcome.first_id = first_id;
        outcome.last_id = last_id;
        return Ok(outcome);
    }
    // Unfinished archives are `writing`, never `verified`, so discarding them changes no count.
    outcome.discarded_unfinished = discard_unfinished(pool, &table_name, directory).await?;
    let Some(last_id) = last_id.filter(|_| total > 0) else {
        return Ok(outcome);
    };
    let total = total as u64;

    let meta_id: i64 = sqlx::query_scalar(
        "INSERT INTO cachescope.archive_metadata (table_name, status, cutoff, file, job_run) \
         VALUES ($1, 'writing', $2, '', $3) RETURNING id",
    )
    .bind(&table_name)
    .bind(cutoff)
    .bind(job_run)
    .fetch_one(pool)
    .await
    .map_err(Error::Db)?;
    let file = directory.join(format!(
        "{}-{}-{meta_id}.ndjson.gz",
        table_name,
        cutoff.format("%Y%m%dT%H%M%SZ")
    ));
    sqlx::query("UPDATE cachescope.archive_metadata SET file = $2 WHERE id = $1")
        .bind(meta_id)
        .bind(file.to_string_lossy().as_ref())
        .execute(pool)
        .await
        .map_err(Error::Db)?;
    at(hook, Step::ArchiveClaimed)?;

    // Rows are read in id order (for a serial id, the order they were written in, so the
    // delete's batches each take neighbouring rows), a chunk per statement, and compressed on a
    // blocking thread while the rest arrive.
    let partial = partial_path(&file);
    let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(8);
    let writer = {
        let partial = partial.clone();
        tokio::task::spawn_blocking(move || write_archive(&partial, receiver))
    };
    let read = read_rows(
        pool,
        target,
        (cutoff, last_id),
        total,
        &candidates,
        sender,
        progress,
    )
    .await;
    let written = writer
        .await
        .map_err(|e| Error::invalid("archive writer", e.to_string()))?;
    let (bounds, (count, checksum)) = match (read, written) {
        (Ok(bounds), Ok(written)) => (bounds, written),
        (Err(e), _) | (_, Err(e)) => {
            let _ = std::fs::remove_file(&partial);
            sqlx::query("DELETE FROM cachescope.archive_metadata WHERE id = $1")
                .bind(meta_id)
                .execute(pool)
                .await
                .map_err(Error::Db)?;
            return Err(e);
        }
    };
    at(hook, Step::FileWritten)?;

    std::fs::rename(&partial, &file).map_err(|source| Error::Io {
        path: file.clone(),
        source,
    })?;
    if let Ok(dir) = File::open(directory) {
        let _ = dir.sync_all();
    }
    at(hook, Step::FileSynced)?;

    let (verified_count, verified_checksum) = {
        let file = file.clone();
        blocking(move || verify_file(&file)).await??
    };
    if verified_count != count || verified_checksum != checksum {
        let _ = std::fs::remove_file(&file);
        sqlx::query("DELETE FROM cachescope.archive_metadata WHERE id = $1")
            .bind(meta_id)
            .execute(pool)
            .await
            .map_err(Error::Db)?;
        return Err(Error::invalid(
            format!("archive file {}", file.display()),
            format!(
                "re-read {verified_count} rows (checksum {verified_checksum}) but wrote {count} \
                 (checksum {checksum}); it was removed and no row is eligible for deletion"
            ),
        ));
    }
    at(hook, Step::FileVerified)?;

    let file_bytes = std::fs::metadata(&file)
        .map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?
        .len();
    let mut tx = pool.begin().await.map_err(Error::Db)?;
    let marked = sqlx::query(
        "UPDATE cachescope.archive_metadata SET status = 'verified', verified_at = now(), \
         row_count = $2, checksum = $3, first_id = $4, last_id = $5, from_time = $6, to_time = $7, \
         file_bytes = $8 WHERE id = $1 AND status = 'writing'",
    )
    .bind(meta_id)
    .bind(count as i64)
    .bind(&checksum)
    .bind(bounds.first_id)
    .bind(bounds.last_id)
    .bind(bounds.from_time)
    .bind(bounds.to_time)
    .bind(file_bytes as i64)
    .execute(&mut *tx)
    .await
    .map_err(Error::Db)?
    .rows_affected();
    if marked != 1 {
        return Err(Error::invalid(
            format!("archive {meta_id} ({})", file.display()),
            "was discarded by another run before it could be marked verified; none of its rows \
             are eligible for deletion, and the next run archives them again",
        ));
    }
    if let Some(lease) = lease {
        lease.ensure_held(&mut tx).await?;
    }
    tx.commit().await.map_err(Error::Db)?;

    outcome.rows = count;
    outcome.first_id = bounds.first_id;
    outcome.last_id = bounds.last_id;
    outcome.from_time = bounds.from_time.map(|t| t.to_rfc3339());
    outcome.to_time = bounds.to_time.map(|t| t.to_rfc3339());
    outcome.file = Some(file.to_string_lossy().into_owned());
    outcome.file_bytes = file_bytes;
    outcome.checksum = Some(checksum);
    Ok(outcome)
}

/// The error of a statement of `work` on `table`: [`Error::DbTimeout`] when a time limit stopped
/// it (its statement limit only when it ran under it, `limited`; the lock limit always), the
/// table or column named when missing, else [`Error::Db`].
fn table_error(limit: &WorkLimit, limited: bool, work: &str, table: &str, e: sqlx::Error) -> Error {
    let stopped = if limited {
        limit.timeout(format!("{work} of {table}"), &e)
    } else {
        limit.lock_timeout(format!("{work} of {table}"), &e)
    };
    if let Some(stopped) = stopped {
        return stopped;
    }
    match &e {
        sqlx::Error::Database(db)
            if db.code().as_deref() == Some("42P01") || db.code().as_deref() == Some("42703") =>
        {
            Error::invalid(format!("table {table}"), db.message().to_owned())
        }
        _ => Error::Db(e),
    }
}

#[derive(Default)]
struct Bounds {
    first_id: Option<i64>,
    last_id: Option<i64>,
    from_time: Option<DateTime<Utc>>,
    to_time: Option<DateTime<Utc>>,
}

/// How many chunks are read at once, each by its own connection: Postgres's `row_to_json` is
/// most of an archive's time, and one backend does it on one core.
const PARALLEL_READS: usize = 2;

/// The candidate rows of an archive: how many, the earliest and latest time, the first and
/// last id (none of these when there are no rows).
type Candidates = (
    i64,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<i64>,
    Option<i64>,
);

/// One chunk's rows: how many, the first and last id, the earliest and latest time, and their
/// lines joined by newlines (none for an empty chunk).
type Chunk = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<String>,
);

/// The queries of one archive's read, shared by the chunks read at once.
struct ChunkReader {
    pool: PgPool,
    limit: WorkLimit,
    table: String,
    cutoff: DateTime<Utc>,
    last_id: i64,
    read_chunk: i64,
    end_sql: String,
    chunk_sql: String,
    progress: Progress,
}

impl ChunkReader {
    fn new(
        pool: &PgPool,
        limit: WorkLimit,
        target: &ArchiveTarget,
        (cutoff, last_id): (DateTime<Utc>, i64),
        candidates: &str,
        progress: &Progress,
    ) -> Self {
        let (time, id) = (target.detail.time.sql(), target.detail.id.sql());
        Self {
            pool: pool.clone(),
            limit,
            table: target.detail.table.qualified_name(),
            cutoff,
            last_id,
            read_chunk: i64::from(target.read_chunk),
            // Where a chunk ends, found ahead of the chunk itself (ids from the index, no JSON),
            // so that the next chunks can be read while one is still being read.
            end_sql: format!(
                "SELECT max(c.id), count(*) FROM (SELECT t.{id}::bigint AS id {candidates} \
                 AND t.{id} > $3 AND t.{id} <= $4 ORDER BY t.{id} LIMIT $5) c"
            ),
            // A chunk comes back as one row, its lines joined by Postgres: one message instead
            // of one per row, so the client does almost no work per row (and neither process
            // wakes per row), at the cost of the chunk's text in Postgres's memory (3 MB for the
            // default 20,000 rows of the sales schema's traffic events). The subquery's order is
            // the aggregate's input order.
            chunk_sql: format!(
                "SELECT count(*), min(r.id), max(r.id), min(r.at), max(r.at), \
                        string_agg(r.line, E'\\n') \
                 FROM (SELECT t.{id}::bigint AS id, t.{time} AS at, row_to_json(t)::text AS line \
                       {candidates} AND t.{id} > $3 AND t.{id} <= $4 ORDER BY t.{id}) r"
            ),
            progress: progress.clone(),
        }
    }

    /// The last id of the chunk after `after` (none when no rows are left), and whether rows
    /// may follow it. Under the batch limit (`delete_batch_secs`), as is each chunk.
    async fn chunk_end(&self, after: i64) -> Result<Option<(i64, bool)>> {
        self.progress.check()?;
        let mut tx = self.limit.begin_read_only(&self.pool).await?;
        let query = sqlx::query_as::<_, (Option<i64>, i64)>(&self.end_sql)
            .bind(self.cutoff)
            .bind(&self.table)
            .bind(after)
            .bind(self.last_id)
            .bind(self.read_chunk);
        let (end, rows) = query.fetch_one(&mut *tx).await.map_err(|e| {
            table_error(&self.limit, true, "an archive chunk's end", &self.table, e)
        })?;
        tx.rollback().await.map_err(Error::Db)?;
        Ok(end.map(|end| (end, rows == self.read_chunk)))
    }

    /// The rows with ids in `after..=end`.
    async fn chunk(&self, after: i64, end: i64) -> Result<Chunk> {
        let mut tx = self.limit.begin_read_only(&self.pool).await?;
        let query = sqlx::query_as::<_, Chunk>(&self.chunk_sql)
            .bind(self.cutoff)
            .bind(&self.table)
            .bind(after)
            .bind(end);
        let chunk = query.fetch_one(&mut *tx).await.map_err(|e| {
            table_error(&self.limit, true, "an archive chunk's read", &self.table, e)
        })?;
        tx.rollback().await.map_err(Error::Db)?;
        Ok(chunk)
    }
}

/// Reads the candidate rows up to `last_id` (the largest at the count, so the last chunk does not
/// walk the index through the newer rows) in id order, `read_chunk` rows a chunk and
/// [`PARALLEL_READS`] chunks at a time, each under the batch limit (`delete_batch_secs`), and
/// hands each chunk's NDJSON to `sender` in order.
async fn read_rows(
    pool: &PgPool,
    target: &ArchiveTarget,
    (cutoff, last_id): (DateTime<Utc>, i64),
    total: u64,
    candidates: &str,
    sender: tokio::sync::mpsc::Sender<Vec<u8>>,
    progress: &Progress,
) -> Result<Bounds> {
    let limit = WorkLimit::of(pool, Work::DeleteBatch).await?;
    let reader = Arc::new(ChunkReader::new(
        pool,
        limit,
        target,
        (cutoff, last_id),
        candidates,
        progress,
    ));
    // (after, end) of each chunk; the state is where the next chunk starts, if any does.
    let ranges = futures::stream::try_unfold(Some(i64::MIN), {
        let reader = reader.clone();
        move |after| {
            let reader = reader.clone();
            async move {
                let Some(after) = after else {
                    return Ok(None);
                };
                let end = reader.chunk_end(after).await?;
                Ok(end.map(|(end, more)| ((after, end), more.then_some(end))))
            }
        }
    });
    let chunks = ranges
        .map_ok(move |(after, end)| {
            let reader = reader.clone();
            async move { reader.chunk(after, end).await }
        })
        .try_buffered(PARALLEL_READS);
    let mut chunks = std::pin::pin!(chunks);
    let mut bounds = Bounds::default();
    let mut done = 0u64;
    while let Some((read, first, last, from, to, lines)) = chunks.try_next().await? {
        if let (Some(first), Some(last), Some(from), Some(to), Some(lines)) =
            (first, last, from, to, lines)
        {
            bounds.first_id.get_or_insert(first);
            bounds.last_id = Some(last);
            bounds.from_time = Some(bounds.from_time.map_or(from, |t| t.min(from)));
            bounds.to_time = Some(bounds.to_time.map_or(to, |t| t.max(to)));
            let mut text = lines.into_bytes();
            text.push(b'\n');
            // Compressed on the writer's thread while Postgres reads the next chunks.
            if sender.send(text).await.is_err() {
                // The writer stopped; its error is the one reported.
                return Ok(bounds);
            }
        }
        done += read as u64;
        progress.report("archive", done.min(total), Some(total.max(done)));
    }
    Ok(bounds)
}

/// Writes chunks to a gzip file, fsyncs it, and returns (rows, sha256 of the uncompressed text).
fn write_archive(
    path: &Path,
    mut chunks: tokio::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<(u64, String)> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = crate::private_files::create_file(path)?;
    let mut gz = GzEncoder::new(
        BufWriter::with_capacity(1 << 20, file),
        flate2::Compression::default(),
    );
    let mut hash = Sha256::new();
    let mut rows = 0u64;
    while let Some(chunk) = chunks.blocking_recv() {
        rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        hash.update(&chunk);
        gz.write_all(&chunk).map_err(io)?;
    }
    let file = gz
        .finish()
        .map_err(io)?
        .into_inner()
        .map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok((rows, hex(&hash.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Re-reads an archive file: (rows, sha256 of the uncompressed text).
pub fn verify_file(path: &Path) -> Result<(u64, String)> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let mut reader = BufReader::with_capacity(1 << 20, MultiGzDecoder::new(BufReader::new(file)));
    let mut hash = Sha256::new();
    let mut rows = 0u64;
    loop {
        let buf = reader.fill_buf().map_err(io)?;
        if buf.is_empty() {
            break;
        }
        rows += buf.iter().filter(|b| **b == b'\n').count() as u64;
        hash.update(buf);
        let n = buf.len();
        reader.consume(n);
    }
    Ok((rows, hex(&hash.finalize())))
}

/// A verified archive whose rows are not all deleted yet.
struct PendingArchive {
    id: i64,
    file: PathBuf,
    cutoff: DateTime<Utc>,
    row_count: i64,
    checksum: String,
    deleted_lines: i64,
}

/// The id of an archived line. The lines are `row_to_json` objects, whose keys follow the
/// table's columns, so the id usually comes first (`{"id":123,...`) and is read without parsing
/// the rest of the line; any other line is parsed in full.
struct IdField {
    column: String,
    /// `{"<column>":`, JSON-escaped.
    prefix: Vec<u8>,
}

impl IdField {
    fn new(column: &str) -> Self {
        let quoted = serde_json::Value::String(column.to_owned()).to_string();
        Self {
            column: column.to_owned(),
            prefix: format!("{{{quoted}:").into_bytes(),
        }
    }

    /// The line's id, or why it has none.
    fn read(&self, line: &[u8]) -> std::result::Result<i64, String> {
        if let Some(rest) = line.strip_prefix(self.prefix.as_slice()) {
            let end = rest
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b'-'))
                .unwrap_or(rest.len());
            if matches!(rest.get(end), Some(b',' | b'}')) {
                if let Some(id) = std::str::from_utf8(&rest[..end])
                    .ok()
                    .and_then(|digits| digits.parse::<i64>().ok())
                {
                    return Ok(id);
                }
            }
        }
        let value: serde_json::Value = serde_json::from_slice(line).map_err(|e| e.to_string())?;
        value
            .get(&self.column)
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| format!("has no integer {:?}", self.column))
    }
}

/// Re-reads an archive file in one pass, like [`verify_file`] (rows, sha256 of the uncompressed
/// text), and takes the ids of lines `skip..skip + take` (counted from 0) from the very bytes it
/// checksums, so a delete needs no second pass over the file for them.
fn verify_reading_ids(
    path: &Path,
    id_column: &str,
    skip: u64,
    take: u64,
) -> Result<(u64, String, Vec<i64>)> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let field = IdField::new(id_column);
    let file = File::open(path).map_err(io)?;
    let mut reader = BufReader::with_capacity(1 << 20, MultiGzDecoder::new(BufReader::new(file)));
    let mut hash = Sha256::new();
    let mut ids = Vec::with_capacity(take.min(IDS_IN_MEMORY) as usize);
    let end = skip.saturating_add(take);
    // The line being read (from 0), and its start when it began in an earlier buffer.
    let mut line = 0u64;
    let mut carried: Vec<u8> = Vec::new();
    let mut take_id = |line: u64, text: &[u8]| {
        field.read(text).map(|id| ids.push(id)).map_err(|why| {
            Error::invalid(
                format!("archive file {} line {}", path.display(), line + 1),
                why,
            )
        })
    };
    loop {
        let buf = reader.fill_buf().map_err(io)?;
        if buf.is_empty() {
            break;
        }
        hash.update(buf);
        let mut start = 0;
        for newline in memchr::memchr_iter(b'\n', buf) {
            if (skip..end).contains(&line) {
                if carried.is_empty() {
                    take_id(line, &buf[start..newline])?;
                } else {
                    carried.extend_from_slice(&buf[start..newline]);
                    take_id(line, &carried)?;
                    carried.clear();
                }
            }
            line += 1;
            start = newline + 1;
        }
        if (skip..end).contains(&line) {
            carried.extend_from_slice(&buf[start..]);
        }
        let n = buf.len();
        reader.consume(n);
    }
    Ok((line, hex(&hash.finalize()), ids))
}

/// Reads the ids of an archive file's lines in order, a batch at a time.
struct IdReader {
    path: PathBuf,
    field: IdField,
    lines: std::io::Split<BufReader<MultiGzDecoder<BufReader<File>>>>,
    line: u64,
}

impl IdReader {
    /// Opens `path` and skips the `skip` lines already processed.
    fn open(path: &Path, id_column: &str, skip: u64) -> Result<Self> {
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut reader = Self {
            path: path.to_owned(),
            field: IdField::new(id_column),
            lines: BufReader::with_capacity(1 << 20, MultiGzDecoder::new(BufReader::new(file)))
                .split(b'\n'),
            line: 0,
        };
        while reader.line < skip {
            if reader
                .lines
                .next()
                .transpose()
                .map_err(|source| reader.io(source))?
                .is_none()
            {
                break;
            }
            reader.line += 1;
        }
        Ok(reader)
    }

    fn io(&self, source: std::io::Error) -> Error {
        Error::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn next_batch(&mut self, take: u64) -> Result<Vec<i64>> {
        let mut ids = Vec::with_capacity(take as usize);
        while (ids.len() as u64) < take {
            let Some(line) = self
                .lines
                .next()
                .transpose()
                .map_err(|source| self.io(source))?
            else {
                break;
            };
            self.line += 1;
            let id = self.field.read(&line).map_err(|why| {
                Error::invalid(
                    format!("archive file {} line {}", self.path.display(), self.line),
                    why,
                )
            })?;
            ids.push(id);
        }
        Ok(ids)
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::invalid("archive file worker", e.to_string()))
}

/// The most ids of an archive that a delete run keeps in memory (8 bytes each) from the re-read
/// that verifies its file; a run that deletes more of it reads the rest from the file as it goes.
const IDS_IN_MEMORY: u64 = 2_000_000;

/// One delete batch as one statement, in a transaction of its own begun with the batch's time
/// limit (`SET LOCAL statement_timeout`, sent with the `BEGIN`), then committed:
///
/// 1. `held`: the job's lock is still held by the run's lock session (with a lease; else true);
/// 2. `claimed`: the archive's progress row, locked, only if its progress is still where this
///    run read it (`$4`) and the lock is held, so no other run can advance it until commit;
/// 3. `gone`: the batch's rows (`$1`, ids read back from the verified file, and older than the
///    archive's cutoff `$2`), deleted only if the archive row was claimed;
/// 4. `advanced`: the archive's progress moved past the batch's lines (`$5`) with the rows
///    deleted, and marked `deleted` when the batch finishes it (`$6`).
///
/// So the rows and the progress change together or not at all: without the lock, or when another
/// run moved the archive on, nothing is deleted and the caller stops. The lock is checked before
/// the delete instead of after it (as `ensure_held` is); either way a lock lost in between is
/// caught by the next batch, and two runs can never both advance the same lines, because the
/// progress row is locked and compared before any row is deleted.
///
/// With `$7` true the batch commits asynchronously (`synchronous_commit = off` for this
/// transaction only), which saves a WAL flush per batch. A Postgres crash can then lose the last
/// few such batches (at most about three `wal_writer_delay`s' worth); since each batch's delete
/// and progress are one transaction, they are lost together: the rows are back, still held by
/// the verified archive, and the next run deletes them again. Nothing is deleted early and no
/// count disagrees with the table. The batch that finishes an archive or the run commits
/// synchronously, which flushes the WAL of every batch before it, so what a finished run reports
/// is durable; so is the run's history row, written after. The archive's own records (writing,
/// verified) always commit synchronously.
///
/// With `consecutive` the batch's ids are known to be consecutive integers in ascending order (so
/// exactly the range from the first to the last), and the rows are found by one range scan of
/// the id's index instead of one descent per id.
fn delete_batch_sql(
    table: &str,
    id: &str,
    time: &str,
    with_lease: bool,
    consecutive: bool,
) -> String {
    let held = if with_lease {
        JobLease::held_sql("$8", "$9")
    } else {
        "true".to_owned()
    };
    let rows = if consecutive {
        format!("{id} BETWEEN $1[1] AND $1[cardinality($1)]")
    } else {
        format!("{id} = ANY($1)")
    };
    format!(
        "WITH held AS (SELECT {held} AS held), \
         claimed AS (SELECT id FROM cachescope.archive_metadata \
           WHERE id = $3 AND deleted_lines = $4 AND (SELECT held FROM held) FOR UPDATE), \
         gone AS (DELETE FROM {table} WHERE {rows} AND {time} < $2 \
           AND EXISTS (SELECT 1 FROM claimed) RETURNING 1), \
         advanced AS (UPDATE cachescope.archive_metadata a \
           SET deleted_lines = a.deleted_lines + $5, \
               deleted_rows = a.deleted_rows + (SELECT count(*) FROM gone), \
               status = CASE WHEN $6 THEN 'deleted' ELSE a.status END \
           FROM claimed WHERE a.id = claimed.id RETURNING 1) \
         SELECT (SELECT held FROM held), (SELECT count(*) FROM gone), \
           (SELECT count(*) FROM advanced), \
           CASE WHEN $7 THEN set_config('synchronous_commit', 'off', true) END"
    )
}

/// Deletes rows held by verified archives, at most `batch_size` per statement and `max_batches`
/// per run (0: no limit). Each archive file is re-verified before its rows are deleted. With a
/// `lease`, each batch commits only while the job's lock is still held; and a batch commits only
/// if its archive's progress is still where this run read it.
pub async fn delete_archived(run: &DetailRun<'_>, target: &DeleteTarget) -> Result<DeleteOutcome> {
    let mut outcome = DeleteOutcome::default();
    delete_archived_into(run, target, &mut outcome).await?;
    Ok(outcome)
}

/// [`delete_archived`], counting into `outcome` as it goes: when it fails, `outcome` holds the
/// batches committed before the failure.
pub async fn delete_archived_into(
    run: &DetailRun<'_>,
    target: &DeleteTarget,
    outcome: &mut DeleteOutcome,
) -> Result<()> {
    let DetailRun {
        pool,
        dry_run,
        progress,
        hook,
        lease,
        ..
    } = *run;
    let detail = &target.detail;
    let (table, id, time) = (detail.table.sql(), detail.id.sql(), detail.time.sql());
    let table_name = detail.table.qualified_name();
    let time_limit = WorkLimit::of(pool, Work::DeleteBatch).await?;
    *outcome = DeleteOutcome {
        table: table_name.clone(),
        ..DeleteOutcome::default()
    };
    let archives: Vec<PendingArchive> = sqlx::query(
        "SELECT id, file, cutoff, row_count, checksum, deleted_lines FROM cachescope.archive_metadata \
         WHERE table_name = $1 AND status = 'verified' ORDER BY id",
    )
    .bind(&table_name)
    .fetch_all(pool)
    .await
    .map_err(Error::Db)?
    .into_iter()
    .map(|r| PendingArchive {
        id: r.get("id"),
        file: PathBuf::from(r.get::<String, _>("file")),
        cutoff: r.get("cutoff"),
        row_count: r.get("row_count"),
        checksum: r.get::<Option<String>, _>("checksum").unwrap_or_default(),
        deleted_lines: r.get("deleted_lines"),
    })
    .collect();
    let batch = u64::from(target.batch_size);
    let limit = if target.max_batches == 0 {
        u64::MAX
    } else {
        u64::from(target.max_batches)
    };
    let total: u64 = archives
        .iter()
        .map(|a| (a.row_count - a.deleted_lines).max(0) as u64)
        .sum::<u64>()
        .min(limit.saturating_mul(batch));

    let batch_sql = [false, true]
        .map(|consecutive| delete_batch_sql(&table, &id, &time, lease.is_some(), consecutive));

    for archive in &archives {
        let mut position = archive.deleted_lines as u64;
        let rows = archive.row_count as u64;
        // The ids of lines `position..in_memory_until`, taken while re-verifying the file; a run
        // that goes further reads the rest from the file as it goes.
        let mut in_memory = Vec::new().into_iter();
        let mut in_memory_until = position;
        if position < rows && outcome.batches < limit {
            progress.check()?;
            // Whole batches, so that no batch straddles memory and file.
            let take = (rows - position)
                .min((limit - outcome.batches).saturating_mul(batch))
                .min((IDS_IN_MEMORY / batch).max(1) * batch);
            let (file, column) = (archive.file.clone(), detail.id.name().to_owned());
            let (count, checksum, ids) =
                blocking(move || verify_reading_ids(&file, &column, position, take))
                    .await?
                    .map_err(|e| {
                        Error::invalid(
                            format!("archive {} ({})", archive.id, archive.file.display()),
                            format!("cannot be re-read, so none of its rows are deleted: {e}"),
                        )
                    })?;
            if count != rows || checksum != archive.checksum {
                return Err(Error::invalid(
                    format!("archive {} ({})", archive.id, archive.file.display()),
                    format!(
                        "no longer matches its record ({count} rows, checksum {checksum}; \
                         recorded {rows} rows, {}), so none of its rows are deleted",
                        archive.checksum
                    ),
                ));
            }
            in_memory_until = position + ids.len() as u64;
            in_memory = ids.into_iter();
        }
        let mut reader = None;
        while position < rows && outcome.batches < limit {
            progress.check()?;
            let ids: Vec<i64> = if position < in_memory_until {
                in_memory.by_ref().take(batch as usize).collect()
            } else {
                let mut ids_reader = match reader.take() {
                    Some(r) => r,
                    None => {
                        let (file, column) = (archive.file.clone(), detail.id.name().to_owned());
                        blocking(move || IdReader::open(&file, &column, position)).await??
                    }
                };
                let (ids_reader, ids) = blocking(move || {
                    let ids = ids_reader.next_batch(batch);
                    (ids_reader, ids)
                })
                .await?;
                reader = Some(ids_reader);
                ids?
            };
            if ids.is_empty() {
                break;
            }
            let lines = ids.len() as u64;
            let work = format!(
                "delete batch {} (archive {})",
                outcome.batches + 1,
                archive.id
            );
            let deleted = if dry_run {
                let mut tx = time_limit.begin_read_only(pool).await?;
                let existing: i64 = sqlx::query_scalar(&format!(
                    "SELECT count(*) FROM {table} WHERE {id} = ANY($1) AND {time} < $2"
                ))
                .bind(&ids)
                .bind(archive.cutoff)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| table_error(&time_limit, true, &work, &table_name, e))?;
                tx.rollback().await.map_err(Error::Db)?;
                existing as u64
            } else {
                let finished = position + lines >= rows;
                // The batch that finishes an archive or the run commits durably; so do all the
                // batches before it (the WAL is flushed in order). See `delete_batch_sql`.
                let durable = finished || outcome.batches + 1 >= limit;
                let consecutive = ids.windows(2).all(|w| w[0].checked_add(1) == Some(w[1]));
                let sql = &batch_sql[usize::from(consecutive)];
                let mut query = sqlx::query_as::<_, (bool, i64, i64, Option<String>)>(sql)
                    .bind(&ids)
                    .bind(archive.cutoff)
                    .bind(archive.id)
                    .bind(position as i64)
                    .bind(lines as i64)
                    .bind(finished)
                    .bind(!durable);
                if let Some(lease) = lease {
                    query = query.bind(lease.pid()).bind(lease.job().as_str());
                }
                // Its own transaction, under the batch limit (`delete_batch_secs`): a batch that
                // runs too long or waits too long for a lock is rolled back whole.
                let mut tx = time_limit.begin(pool).await?;
                let (held, deleted, advanced, _) = query
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| table_error(&time_limit, true, &work, &table_name, e))?;
                // In both cases the statement deleted nothing.
                if !held {
                    return Err(lease
                        .map_or_else(|| Error::invalid("job lock", "not held"), JobLease::lost));
                }
                if advanced != 1 {
                    return Err(Error::invalid(
                        format!("archive {} ({})", archive.id, archive.file.display()),
                        "was advanced by another run while this one was deleting its rows; \
                         stopped without deleting the batch",
                    ));
                }
                tx.commit()
                    .await
                    .map_err(|e| table_error(&time_limit, true, &work, &table_name, e))?;
                deleted as u64
            };
            position += lines;
            outcome.batches += 1;
            outcome.rows_deleted += deleted;
            if position >= rows {
                outcome.archives_completed += 1;
            }
            progress.report("delete", (outcome.batches * batch).min(total), Some(total));
            if !dry_run {
                at(hook, Step::BatchDeleted(outcome.batches))?;
            }
        }
        outcome.rows_remaining += rows.saturating_sub(position);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn ids_are_read_from_the_leading_key_or_by_a_full_parse() {
        let field = IdField::new("id");
        assert_eq!(field.read(br#"{"id":42,"path":"/a"}"#), Ok(42));
        assert_eq!(field.read(br#"{"id":-7}"#), Ok(-7));
        assert_eq!(field.read(br#"{"id":9223372036854775807}"#), Ok(i64::MAX));
        // Not first, spaced, or followed by something else than `,`/`}`: parsed in full.
        assert_eq!(field.read(br#"{"path":"/a","id":5}"#), Ok(5));
        assert_eq!(field.read(br#"{ "id" : 6 }"#), Ok(6));
        assert_eq!(field.read(br#"{"id":1.5}"#).map_err(|_| ()), Err(()));
        assert_eq!(field.read(br#"{"id":"12"}"#).map_err(|_| ()), Err(()));
        assert_eq!(field.read(br#"{"other":1}"#).map_err(|_| ()), Err(()));
        assert_eq!(field.read(br#"{"id":12"#).map_err(|_| ()), Err(()));
        assert_eq!(field.read(b"not json").map_err(|_| ()), Err(()));
        // A column name that needs escaping in JSON.
        let odd = IdField::new("my \"id\"");
        assert_eq!(odd.read(br#"{"my \"id\"":3,"x":1}"#), Ok(3));
    }

    fn gzip_file(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
        let path = dir.join(name);
        let mut gz = GzEncoder::new(File::create(&path).unwrap(), flate2::Compression::new(6));
        gz.write_all(text).unwrap();
        gz.finish().unwrap();
        path
    }

    #[test]
    fn the_verifying_re_read_takes_exactly_the_ids_of_its_window() {
        let dir = tempfile::tempdir().unwrap();
        // Long lines, so that many straddle the reader's 1 MiB buffers.
        let pad = "x".repeat(3_000);
        let text: String = (0..5_000)
            .map(|i| format!("{{\"id\":{},\"pad\":\"{pad}\"}}\n", 10_000 - i))
            .collect();
        let path = gzip_file(dir.path(), "a.ndjson.gz", text.as_bytes());
        let whole = verify_file(&path).unwrap();
        for (skip, take) in [
            (0, 5_000),
            (0, 100),
            (1_234, 777),
            (4_990, 100),
            (5_000, 10),
        ] {
            let (rows, checksum, ids) = verify_reading_ids(&path, "id", skip, take).unwrap();
            assert_eq!((rows, checksum), whole, "the same count and checksum");
            let expected: Vec<i64> = (skip..(skip + take).min(5_000))
                .map(|i| 10_000 - i as i64)
                .collect();
            assert_eq!(ids, expected, "ids of lines {skip}..{}", skip + take);
            // The streaming reader, used beyond the in-memory window, agrees.
            let mut reader = IdReader::open(&path, "id", skip).unwrap();
            assert_eq!(reader.next_batch(take).unwrap(), expected);
        }
    }

    #[test]
    fn a_line_without_an_id_in_the_window_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = gzip_file(
            dir.path(),
            "b.ndjson.gz",
            b"{\"id\":1}\n{\"id\":2}\n{\"nope\":3}\n{\"id\":4}\n",
        );
        let err = verify_reading_ids(&path, "id", 1, 3)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("\"id\""), "{err}");
        // Outside the window the line is only counted and checksummed.
        let (rows, _, ids) = verify_reading_ids(&path, "id", 3, 1).unwrap();
        assert_eq!((rows, ids), (4, vec![4]));
    }
}
