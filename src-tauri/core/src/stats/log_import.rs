//! Importing worker logs into `cachescope.cache_events_imported`: the line parser (`[Cache Hit] {key}`,
//! `[Cache Miss]`, `[Cache Stale]`, `[Cache Set] {key} (TTL: {ttl}s)`, `[Cache Delete]`,
//! `[Cache Error] ...`, the scheduled handler's two lines, and `wrangler tail --format json`
//! objects, pretty-printed over many lines or one per line) and the streaming importer.
//!
//! The importer reads a file once with a fixed-size buffer (constant memory; one JSON object is
//! capped at [`MAX_JSON_OBJECT`]), parses on a blocking thread and streams COPY chunks to Postgres
//! in one transaction, so a failed or cancelled import leaves nothing behind. Malformed lines are
//! counted and sampled, never fatal. Each import records the file's first line and the SHA-256 of
//! the bytes it covered (`cachescope.cache_log_imports`): importing the same file again adds
//! nothing, and a file that grew adds only its new lines.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tokio::sync::mpsc;

use super::binary_copy::{field_len, HEADER, PG_EPOCH_MICROS};
use crate::cache_events::Outcome;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// Longest line parsed; a longer one is skipped as malformed without being held in memory.
pub const MAX_LINE: usize = 64 * 1024;
/// Largest `wrangler tail` JSON object (over all its lines).
pub const MAX_JSON_OBJECT: usize = 1024 * 1024;
/// Longest key Cloudflare accepts (bytes).
const MAX_KEY: usize = 512;
/// The first line identifies a file, cut at this many bytes.
const HEAD_BYTES: usize = 4096;
/// Malformed lines kept as examples in an [`ImportOutcome`].
pub const MALFORMED_SAMPLES: usize = 10;
/// Bytes of binary COPY rows per chunk sent to Postgres.
const COPY_CHUNK: usize = 1 << 20;
/// Key recorded for the scheduled handler's lines, which read the system health report.
const SCHEDULED_KEY: &str = "report:system-health";

/// One cache event read from a log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    /// When it happened, if the line says; else the import's fallback time.
    pub at: Option<DateTime<Utc>>,
    pub key: String,
    pub outcome: Outcome,
    pub latency_ms: Option<f64>,
}

/// What one plain text line holds.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedLine {
    /// A cache event.
    Event(LogEvent),
    /// Not about the cache (other log output): skipped, not an error.
    Other,
    /// About the cache, but unreadable; the reason says why.
    Malformed(String),
}

/// Parses one plain text line: an optional leading timestamp (RFC 3339, or `YYYY-MM-DD HH:MM:SS`
/// read as UTC, optionally in brackets), then anywhere in the line a `[Cache ...]` marker or one
/// of the scheduled handler's messages.
pub fn parse_text_line(line: &str) -> ParsedLine {
    let Some((marker_at, marker, rest)) = find_marker(line) else {
        return ParsedLine::Other;
    };
    let at = match leading_timestamp(&line[..marker_at]) {
        Ok(at) => at,
        Err(reason) => return ParsedLine::Malformed(reason),
    };
    let event = |outcome, key: &str, latency_ms| {
        ParsedLine::Event(LogEvent {
            at,
            key: key.to_owned(),
            outcome,
            latency_ms,
        })
    };
    let outcome = match marker {
        Marker::Scheduled(outcome) => return event(outcome, SCHEDULED_KEY, None),
        Marker::Unclosed => return ParsedLine::Malformed("a [Cache marker without ']'".to_owned()),
        Marker::Cache(name) => match name {
            "Hit" => Outcome::Hit,
            "Miss" => Outcome::Miss,
            "Stale" => Outcome::Stale,
            "Set" => Outcome::Set,
            "Delete" => Outcome::Delete,
            "Error" => Outcome::Error,
            other => return ParsedLine::Malformed(format!("unknown marker [Cache {other}]")),
        },
    };
    let rest = rest.trim();
    let (key, latency_ms) = match outcome {
        Outcome::Error => (error_key(rest), None),
        Outcome::Set => match rest.find(" (TTL:") {
            Some(i) => {
                let ttl = rest[i + 6..].trim().trim_end_matches(')').trim();
                let ttl = ttl.strip_suffix('s').unwrap_or(ttl);
                if ttl.parse::<u64>().is_err() {
                    return ParsedLine::Malformed(format!("unreadable TTL in {rest:?}"));
                }
                (&rest[..i], None)
            }
            None => (rest, None),
        },
        _ => trailing_latency(rest),
    };
    let key = key.trim();
    if outcome != Outcome::Error {
        if key.is_empty() {
            return ParsedLine::Malformed(format!("[Cache {}] names no key", title(outcome)));
        }
        if key.contains(char::is_whitespace) {
            return ParsedLine::Malformed(format!("key {key:?} contains whitespace"));
        }
    }
    if key.contains('\0') {
        // Postgres text cannot hold it; one such line must not fail the whole import.
        return ParsedLine::Malformed("key contains a NUL byte".to_owned());
    }
    if key.len() > MAX_KEY {
        return ParsedLine::Malformed(format!(
            "key of {} bytes (Cloudflare allows {MAX_KEY})",
            key.len()
        ));
    }
    event(outcome, key, latency_ms)
}

fn title(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Hit => "Hit",
        Outcome::Miss => "Miss",
        Outcome::Stale => "Stale",
        Outcome::Error => "Error",
        Outcome::Set => "Set",
        Outcome::Delete => "Delete",
        Outcome::List => "List",
    }
}

enum Marker<'a> {
    Cache(&'a str),
    /// `[Cache ` without its `]`.
    Unclosed,
    Scheduled(Outcome),
}

/// The first marker in `line`: its position, what it is, and the text after it.
fn find_marker(line: &str) -> Option<(usize, Marker<'_>, &str)> {
    if let Some(at) = line.find("[Cache ") {
        let after = &line[at + 7..];
        return Some(match after.find(']') {
            Some(close) => (at, Marker::Cache(&after[..close]), &after[close + 1..]),
            None => (at, Marker::Unclosed, ""),
        });
    }
    let at = line.find("[Scheduled] ")?;
    let message = &line[at + 12..];
    if message.starts_with("Using cached SystemHealthData") {
        Some((at, Marker::Scheduled(Outcome::Hit), ""))
    } else if message.starts_with("KV cache miss") {
        Some((at, Marker::Scheduled(Outcome::Miss), ""))
    } else {
        None
    }
}

/// The timestamp at the start of `prefix` (the text before the marker), if any.
fn leading_timestamp(prefix: &str) -> std::result::Result<Option<DateTime<Utc>>, String> {
    let text = prefix.trim_start().trim_start_matches('[');
    if !text.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return Ok(None);
    }
    let mut tokens = text.split_whitespace();
    let first = tokens.next().unwrap_or_default().trim_end_matches(']');
    // Only something shaped like a date is a timestamp; `404 [Cache Miss] ...` is not one.
    let date_like = first.len() >= 10 && first.as_bytes()[4] == b'-' && first.as_bytes()[7] == b'-';
    if !date_like {
        return Ok(None);
    }
    let candidate = if first.len() == 10 {
        format!(
            "{first}T{}",
            tokens.next().unwrap_or_default().trim_end_matches(']')
        )
    } else {
        first.to_owned()
    };
    parse_timestamp(&candidate)
        .map(Some)
        .ok_or_else(|| format!("unreadable timestamp {candidate:?}"))
}

/// RFC 3339, or a date and time without offset (read as UTC).
fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// `key (12ms)` or `key (12.5 ms)`: the key and the latency.
fn trailing_latency(rest: &str) -> (&str, Option<f64>) {
    if let Some(open) = rest.rfind(" (") {
        let inner = rest[open + 2..].trim_end_matches(')');
        if let Some(number) = inner.strip_suffix("ms") {
            if let Ok(ms) = number.trim().parse::<f64>() {
                if ms.is_finite() && ms >= 0.0 {
                    return (&rest[..open], Some(ms));
                }
            }
        }
    }
    (rest, None)
}

/// The key an error message names: its first word that contains `:`, without surrounding quotes
/// or trailing punctuation (`Failed to read "user:1:conversations:list": timeout`); else none.
fn error_key(message: &str) -> &str {
    message
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c| matches!(c, '"' | '\'' | '`' | '(' | ')' | '[' | ']'))
                .trim_end_matches([':', ',', '.', ';'])
                .trim_matches(|c| matches!(c, '"' | '\'' | '`'))
        })
        .find(|w| {
            w.contains(':') && !w.starts_with("http") && w.len() <= MAX_KEY && !w.ends_with(':')
        })
        .unwrap_or("")
}

/// One `wrangler tail --format json` event (only what the importer reads).
#[derive(serde::Deserialize)]
struct TailEvent {
    #[serde(rename = "eventTimestamp")]
    event_timestamp: Option<i64>,
    #[serde(default)]
    logs: Vec<TailLog>,
}

#[derive(serde::Deserialize)]
struct TailLog {
    #[serde(default)]
    message: Vec<serde_json::Value>,
    timestamp: Option<i64>,
}

/// The cache events of one `wrangler tail` JSON object: each log message's parts are joined with
/// spaces (as `console.log` prints them) and parsed as a text line; its time is the log's
/// `timestamp`, else the event's `eventTimestamp` (milliseconds). Returns the events and the
/// reasons of malformed messages.
pub fn parse_tail_json(text: &str) -> std::result::Result<(Vec<LogEvent>, Vec<String>), String> {
    let event: TailEvent =
        serde_json::from_str(text).map_err(|e| format!("not a wrangler tail JSON object ({e})"))?;
    let mut events = Vec::new();
    let mut malformed = Vec::new();
    for log in event.logs {
        let parts: Vec<String> = log
            .message
            .iter()
            .map(|part| match part {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let line = parts.join(" ");
        let millis = log.timestamp.or(event.event_timestamp);
        match parse_text_line(&line) {
            ParsedLine::Event(mut e) => {
                if e.at.is_none() {
                    e.at = millis.and_then(DateTime::from_timestamp_millis);
                }
                if e.at.is_some_and(|at| at < *EARLIEST_STORABLE) {
                    malformed.push(format!("timestamp {millis:?} ms is before 4713 BC"));
                    continue;
                }
                events.push(e);
            }
            ParsedLine::Other => {}
            ParsedLine::Malformed(reason) => malformed.push(reason),
        }
    }
    Ok((events, malformed))
}

/// The earliest time a `timestamptz` holds (4713 BC); later than the earliest `DateTime`.
static EARLIEST_STORABLE: std::sync::LazyLock<DateTime<Utc>> = std::sync::LazyLock::new(|| {
    NaiveDate::from_ymd_opt(-4712, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
});

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// `source` of the imported events (e.g. `api-worker`).
    pub source: String,
    /// Time of events whose line has no timestamp; `None` = the file's modification time.
    pub fallback_at: Option<DateTime<Utc>>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            source: "log".to_owned(),
            fallback_at: None,
        }
    }
}

/// A malformed line: where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MalformedLine {
    #[ts(type = "number")]
    pub line: u64,
    pub reason: String,
}

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    #[ts(type = "string")]
    pub path: PathBuf,
    /// Bytes already imported before (the same file, or the part of it that was there then).
    #[ts(type = "number")]
    pub skipped_bytes: u64,
    /// Bytes read and imported now.
    #[ts(type = "number")]
    pub imported_bytes: u64,
    /// A last line without its newline yet: left for the next import of the file.
    #[ts(type = "number")]
    pub held_back_bytes: u64,
    #[ts(type = "number")]
    pub lines: u64,
    /// Events imported, in all.
    #[ts(type = "number")]
    pub events: u64,
    /// Events per outcome, in the order of [`Outcome::ALL`].
    #[ts(type = "Array<number>")]
    pub by_outcome: [u64; 7],
    /// Events that had no timestamp and got the fallback time.
    #[ts(type = "number")]
    pub undated: u64,
    /// The time given to undated events.
    #[ts(type = "string")]
    pub fallback_at: DateTime<Utc>,
    #[ts(type = "number")]
    pub malformed: u64,
    /// The first malformed lines (at most [`MALFORMED_SAMPLES`]).
    pub malformed_samples: Vec<MalformedLine>,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// Imports each file in turn (each in its own transaction).
pub async fn import_files(
    pool: &PgPool,
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &Progress,
) -> Result<Vec<ImportOutcome>> {
    let mut outcomes = Vec::with_capacity(paths.len());
    for path in paths {
        outcomes.push(import_file(pool, path, options, progress).await?);
    }
    Ok(outcomes)
}

/// Imports the lines of `path` not imported before.
pub async fn import_file(
    pool: &PgPool,
    path: &Path,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<ImportOutcome> {
    if options.source.is_empty() || options.source.len() > 100 {
        return Err(Error::invalid("source", "give 1 to 100 bytes"));
    }
    if options.source.contains('\0') {
        return Err(Error::invalid("source", "a NUL character cannot be stored"));
    }
    let started = std::time::Instant::now();
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    let size = meta.len();
    let fallback_at = match options.fallback_at {
        Some(at) => at,
        None => meta.modified().map(DateTime::<Utc>::from).map_err(io)?,
    };
    let mut outcome = ImportOutcome {
        path: path.to_owned(),
        skipped_bytes: 0,
        imported_bytes: 0,
        held_back_bytes: 0,
        lines: 0,
        events: 0,
        by_outcome: [0; 7],
        undated: 0,
        fallback_at,
        malformed: 0,
        malformed_samples: Vec::new(),
        elapsed_ms: 0,
    };
    let Some(head) = file_head(path, size)? else {
        outcome.held_back_bytes = size;
        return Ok(outcome);
    };
    let mut tx = pool.begin().await.map_err(Error::Db)?;
    // Two imports of the same file wait for each other instead of both importing it.
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtextextended('cachescope.cache_log_imports:' || $1, 0))",
    )
    .bind(&head)
    .execute(&mut *tx)
    .await
    .map_err(Error::Db)?;
    let known: Vec<(i64, String)> = sqlx::query_as(
        "SELECT bytes, prefix_sha256 FROM cachescope.cache_log_imports
         WHERE head_sha256 = $1 AND bytes <= $2 ORDER BY bytes",
    )
    .bind(&head)
    .bind(i64::try_from(size).unwrap_or(i64::MAX))
    .fetch_all(&mut *tx)
    .await
    .map_err(Error::Db)?;
    let (start, hasher) = {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || imported_prefix(&path, &known))
            .await
            .map_err(|e| Error::invalid("import", format!("the hashing thread failed: {e}")))??
    };
    outcome.skipped_bytes = start;

    let (sender, mut receiver) = mpsc::channel::<Vec<u8>>(4);
    let reader = {
        let path = path.to_owned();
        let source = options.source.clone();
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || {
            read_events(
                &path,
                start,
                size,
                hasher,
                &source,
                fallback_at,
                &sender,
                &progress,
            )
        })
    };
    let mut copy = tx
        .copy_in_raw(
            "COPY cachescope.cache_events_imported (at, key, outcome, latency_ms, source) FROM STDIN
             (FORMAT binary)",
        )
        .await
        .map_err(Error::Db)?;
    let mut send_failed = None;
    while let Some(chunk) = receiver.recv().await {
        if let Err(e) = copy.send(chunk).await {
            send_failed = Some(e);
            break;
        }
    }
    // Dropping the receiver stops the reader if Postgres failed first.
    drop(receiver);
    let read = reader
        .await
        .map_err(|e| Error::invalid("import", format!("the reading thread failed: {e}")))?;
    let read = match (read, send_failed) {
        (_, Some(e)) => {
            let _ = copy.abort("send failed").await;
            return Err(Error::Db(e));
        }
        (Err(e), None) => {
            let _ = copy.abort(e.to_string()).await;
            return Err(e);
        }
        (Ok(read), None) => read,
    };
    copy.finish().await.map_err(Error::Db)?;
    if read.end > start {
        sqlx::query(
            "INSERT INTO cachescope.cache_log_imports
                 (head_sha256, bytes, prefix_sha256, path, source, events, malformed)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&head)
        .bind(i64::try_from(read.end).unwrap_or(i64::MAX))
        .bind(&read.prefix_sha256)
        .bind(path.display().to_string())
        .bind(&options.source)
        .bind(i64::try_from(read.events).unwrap_or(i64::MAX))
        .bind(i64::try_from(read.malformed).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .map_err(Error::Db)?;
    }
    tx.commit().await.map_err(Error::Db)?;
    progress.report("import", size, Some(size));
    outcome.imported_bytes = read.end - start;
    outcome.held_back_bytes = size - read.end;
    outcome.lines = read.lines;
    outcome.events = read.events;
    outcome.by_outcome = read.by_outcome;
    outcome.undated = read.undated;
    outcome.malformed = read.malformed;
    outcome.malformed_samples = read.samples;
    outcome.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(outcome)
}

fn hex(digest: impl AsRef<[u8]>) -> String {
    digest
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// SHA-256 of the file's first line (at most [`HEAD_BYTES`]), or `None` while the file holds no
/// complete line yet.
fn file_head(path: &Path, size: u64) -> Result<Option<String>> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut buf = Vec::with_capacity(HEAD_BYTES);
    File::open(path)
        .map_err(io)?
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut buf)
        .map_err(io)?;
    let head = match memchr::memchr(b'\n', &buf) {
        Some(end) => &buf[..=end],
        None if size as usize > HEAD_BYTES => &buf[..],
        None => return Ok(None),
    };
    Ok(Some(hex(Sha256::digest(head))))
}

/// The longest recorded prefix that this file still starts with (its byte count), and the hash
/// state after it. One pass over at most that prefix.
fn imported_prefix(path: &Path, known: &[(i64, String)]) -> Result<(u64, Sha256)> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = BufReader::with_capacity(1 << 20, File::open(path).map_err(io)?);
    let mut hasher = Sha256::new();
    let mut at = 0u64;
    let mut best = (0u64, Sha256::new());
    for (bytes, digest) in known {
        let bytes = u64::try_from(*bytes).unwrap_or(0);
        while at < bytes {
            let buf = file.fill_buf().map_err(io)?;
            if buf.is_empty() {
                return Ok(best);
            }
            let take = buf
                .len()
                .min(usize::try_from(bytes - at).unwrap_or(usize::MAX));
            hasher.update(&buf[..take]);
            file.consume(take);
            at += take as u64;
        }
        if hex(hasher.clone().finalize()) == *digest {
            best = (bytes, hasher.clone());
        }
    }
    Ok(best)
}

/// What the reading thread found.
struct ReadSummary {
    /// Offset after the last complete line read.
    end: u64,
    prefix_sha256: String,
    lines: u64,
    events: u64,
    by_outcome: [u64; 7],
    undated: u64,
    malformed: u64,
    samples: Vec<MalformedLine>,
}

impl ReadSummary {
    fn malformed(&mut self, line: u64, reason: String) {
        self.malformed += 1;
        if self.samples.len() < MALFORMED_SAMPLES {
            self.samples.push(MalformedLine { line, reason });
        }
    }
}

/// Reads `path` from `start`, parses every complete line and sends the events as binary COPY
/// rows.
#[allow(clippy::too_many_arguments)]
fn read_events(
    path: &Path,
    start: u64,
    size: u64,
    hasher: Sha256,
    source: &str,
    fallback_at: DateTime<Utc>,
    sender: &mpsc::Sender<Vec<u8>>,
    progress: &Progress,
) -> Result<ReadSummary> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut lines = LineReader::new(BufReader::with_capacity(1 << 20, file), start, hasher);
    let mut summary = ReadSummary {
        end: start,
        prefix_sha256: String::new(),
        lines: 0,
        events: 0,
        by_outcome: [0; 7],
        undated: 0,
        malformed: 0,
        samples: Vec::new(),
    };
    let mut out = CopyWriter::new(source);
    let mut json: Option<JsonObject> = None;
    // Where the current line starts: a JSON object still open at the end of the file is held
    // back from there, for the next import of the grown file.
    let mut before: (Sha256, u64, u64);
    let mut reported = start;
    // The line number of the first line read (line numbers of a resumed import count from 1 too,
    // as an editor shows the file).
    let mut line_no = count_lines_before(path, start)?;
    let mut emit = |e: LogEvent, summary: &mut ReadSummary, out: &mut CopyWriter| {
        let at = e.at.unwrap_or_else(|| {
            summary.undated += 1;
            fallback_at
        });
        summary.events += 1;
        summary.by_outcome[e.outcome.index()] += 1;
        out.row(at, &e.key, e.outcome, e.latency_ms);
    };
    loop {
        before = (lines.hasher.clone(), summary.end, summary.lines);
        let Some(line) = lines.next_line().map_err(io)? else {
            break;
        };
        if !line.terminated {
            // A last line still being written: left for the next import.
            break;
        }
        line_no += 1;
        summary.lines += 1;
        summary.end = line.end;
        if let Some(object) = &mut json {
            object.push(line.text_bytes);
            if object.done() || object.too_big() {
                let object = json.take().unwrap_or_default();
                if object.too_big() {
                    summary.malformed(
                        object.first_line,
                        format!("JSON object over {MAX_JSON_OBJECT} bytes"),
                    );
                } else {
                    tail_object(&object, &mut summary, &mut out, &mut emit);
                }
            }
        } else if line.overlong {
            summary.malformed(line_no, format!("line over {MAX_LINE} bytes"));
        } else if line.text_bytes.trim_ascii_start().starts_with(b"{") {
            let mut object = JsonObject::new(line_no, before.clone());
            object.push(line.text_bytes);
            if object.done() {
                tail_object(&object, &mut summary, &mut out, &mut emit);
            } else {
                json = Some(object);
            }
        } else {
            match std::str::from_utf8(line.text_bytes) {
                Err(_) => summary.malformed(line_no, "not UTF-8".to_owned()),
                Ok(text) => match parse_text_line(text) {
                    ParsedLine::Event(e) => emit(e, &mut summary, &mut out),
                    ParsedLine::Other => {}
                    ParsedLine::Malformed(reason) => summary.malformed(line_no, reason),
                },
            }
        }
        if out.buf.len() >= COPY_CHUNK {
            progress.check()?;
            send(sender, out.take())?;
        }
        if summary.end - reported >= COPY_CHUNK as u64 {
            progress.check()?;
            progress.report("import", summary.end, Some(size));
            reported = summary.end;
        }
    }
    if let Some(object) = json {
        (lines.hasher, summary.end, summary.lines) = object.before;
    }
    let mut last = out.take();
    last.extend_from_slice(&out.trailer());
    send(sender, last)?;
    summary.prefix_sha256 = hex(lines.hasher.finalize());
    Ok(summary)
}

fn send(sender: &mpsc::Sender<Vec<u8>>, chunk: Vec<u8>) -> Result<()> {
    // The receiver is gone only when Postgres failed; the import reports that error.
    sender
        .blocking_send(chunk)
        .map_err(|_| Error::invalid("import", "the database stopped accepting events"))
}

fn tail_object(
    object: &JsonObject,
    summary: &mut ReadSummary,
    out: &mut CopyWriter,
    emit: &mut impl FnMut(LogEvent, &mut ReadSummary, &mut CopyWriter),
) {
    let parsed = std::str::from_utf8(&object.text)
        .map_err(|_| "not UTF-8".to_owned())
        .and_then(parse_tail_json);
    match parsed {
        Ok((events, malformed)) => {
            for e in events {
                emit(e, summary, out);
            }
            for reason in malformed {
                summary.malformed(object.first_line, reason);
            }
        }
        Err(reason) => summary.malformed(object.first_line, reason),
    }
}

/// Lines before byte `offset` (to number lines of a resumed import as the file does).
fn count_lines_before(path: &Path, offset: u64) -> Result<u64> {
    if offset == 0 {
        return Ok(0);
    }
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = BufReader::with_capacity(1 << 20, File::open(path).map_err(io)?).take(offset);
    let mut count = 0u64;
    loop {
        let buf = file.fill_buf().map_err(io)?;
        if buf.is_empty() {
            return Ok(count);
        }
        count += memchr::memchr_iter(b'\n', buf).count() as u64;
        let n = buf.len();
        file.consume(n);
    }
}

/// A JSON object spread over lines, collected until its braces balance.
#[derive(Default)]
struct JsonObject {
    first_line: u64,
    /// The hash, offset and line count before its first line.
    before: (Sha256, u64, u64),
    text: Vec<u8>,
    depth: i64,
    in_string: bool,
    escaped: bool,
    overflow: bool,
}

impl JsonObject {
    fn new(first_line: u64, before: (Sha256, u64, u64)) -> Self {
        Self {
            first_line,
            before,
            ..Self::default()
        }
    }

    fn push(&mut self, line: &[u8]) {
        if self.text.len() + line.len() > MAX_JSON_OBJECT {
            self.overflow = true;
        }
        for &b in line {
            if self.escaped {
                self.escaped = false;
            } else if self.in_string {
                match b {
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => self.depth -= 1,
                    _ => {}
                }
            }
        }
        if !self.overflow {
            self.text.extend_from_slice(line);
            self.text.push(b'\n');
        }
    }

    fn done(&self) -> bool {
        self.depth <= 0 && !self.in_string
    }

    fn too_big(&self) -> bool {
        self.overflow
    }
}

/// One line as read: the text without its line ending (only its start when overlong), where it
/// ends, and whether it ended in `\n` and fitted in [`MAX_LINE`].
struct Line<'a> {
    text_bytes: &'a [u8],
    end: u64,
    terminated: bool,
    overlong: bool,
}

/// Splits a reader into lines with one reused buffer of at most [`MAX_LINE`] bytes; an overlong
/// line is consumed to its end but only its start is kept. Every byte of every complete line,
/// and nothing of an unterminated last line, goes into `hasher`.
struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    raw_len: usize,
    offset: u64,
    hasher: Sha256,
}

impl<R: BufRead> LineReader<R> {
    fn new(inner: R, offset: u64, hasher: Sha256) -> Self {
        Self {
            inner,
            buf: Vec::with_capacity(4096),
            raw_len: 0,
            offset,
            hasher,
        }
    }

    fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        self.buf.clear();
        self.raw_len = 0;
        let mut terminated = false;
        let mut overlong = false;
        // The hash of an overlong line so far (its bytes are not all kept).
        let mut pending: Option<Sha256> = None;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let (take, found) = match memchr::memchr(b'\n', available) {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            let chunk = &available[..take];
            if let Some(p) = &mut pending {
                p.update(chunk);
            } else if self.buf.len() + take > MAX_LINE + 1 {
                overlong = true;
                let mut p = self.hasher.clone();
                p.update(&self.buf);
                p.update(chunk);
                pending = Some(p);
                let room = MAX_LINE + 1 - self.buf.len();
                self.buf.extend_from_slice(&chunk[..room]);
            } else {
                self.buf.extend_from_slice(chunk);
            }
            self.raw_len += take;
            self.inner.consume(take);
            if found {
                terminated = true;
                break;
            }
        }
        if self.raw_len == 0 {
            return Ok(None);
        }
        self.offset += self.raw_len as u64;
        if terminated {
            match pending {
                Some(p) => self.hasher = p,
                None => self.hasher.update(&self.buf),
            }
        }
        overlong |= self.buf.len() > MAX_LINE;
        let mut text = &self.buf[..];
        if terminated && !overlong {
            text = text.strip_suffix(b"\n").unwrap_or(text);
            text = text.strip_suffix(b"\r").unwrap_or(text);
        }
        Ok(Some(Line {
            text_bytes: text,
            end: self.offset,
            terminated,
            overlong,
        }))
    }
}

/// Binary COPY rows of `cache_events_imported (at, key, outcome, latency_ms, source)`. Binary, not
/// text: Postgres then reads each timestamp and latency as 8 bytes instead of parsing their text
/// (timestamptz input was the largest cost of a text COPY row), and no field needs escaping.
struct CopyWriter {
    buf: Vec<u8>,
    /// The source's field (length and bytes), the same in every row.
    source: Vec<u8>,
    /// The stream's header is written before the first row.
    started: bool,
}

impl CopyWriter {
    fn new(source: &str) -> Self {
        let mut field = Vec::with_capacity(4 + source.len());
        field.extend_from_slice(&field_len(source.len()));
        field.extend_from_slice(source.as_bytes());
        Self {
            buf: Vec::with_capacity(COPY_CHUNK + 4096),
            source: field,
            started: false,
        }
    }

    fn row(&mut self, at: DateTime<Utc>, key: &str, outcome: Outcome, latency_ms: Option<f64>) {
        if !self.started {
            self.buf.extend_from_slice(HEADER);
            self.started = true;
        }
        let b = &mut self.buf;
        b.extend_from_slice(&5i16.to_be_bytes());
        b.extend_from_slice(&8i32.to_be_bytes());
        b.extend_from_slice(&(at.timestamp_micros() - PG_EPOCH_MICROS).to_be_bytes());
        b.extend_from_slice(&field_len(key.len()));
        b.extend_from_slice(key.as_bytes());
        let outcome = outcome.as_str();
        b.extend_from_slice(&field_len(outcome.len()));
        b.extend_from_slice(outcome.as_bytes());
        match latency_ms {
            Some(ms) => {
                b.extend_from_slice(&8i32.to_be_bytes());
                b.extend_from_slice(&ms.to_be_bytes());
            }
            None => b.extend_from_slice(&(-1i32).to_be_bytes()),
        }
        b.extend_from_slice(&self.source);
    }

    /// The rows so far (with the header if they are the first).
    fn take(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.buf, Vec::with_capacity(COPY_CHUNK + 4096))
    }

    /// The end of the stream, after the last [`CopyWriter::take`] (a header too if no row was
    /// written, so that the stream is well formed either way).
    fn trailer(&mut self) -> Vec<u8> {
        let mut end = Vec::with_capacity(HEADER.len() + 2);
        if !self.started {
            end.extend_from_slice(HEADER);
            self.started = true;
        }
        end.extend_from_slice(&(-1i16).to_be_bytes());
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(line: &str) -> LogEvent {
        match parse_text_line(line) {
            ParsedLine::Event(e) => e,
            other => panic!("{line:?}: {other:?}"),
        }
    }

    fn malformed(line: &str) -> String {
        match parse_text_line(line) {
            ParsedLine::Malformed(reason) => reason,
            other => panic!("{line:?}: {other:?}"),
        }
    }

    fn at(text: &str) -> Option<DateTime<Utc>> {
        Some(
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc),
        )
    }

    #[test]
    fn the_worker_lines_of_the_seeds() {
        let e = event("[Cache Hit] user:abc123:conversations:list");
        assert_eq!(
            (e.outcome, e.key.as_str(), e.at, e.latency_ms),
            (Outcome::Hit, "user:abc123:conversations:list", None, None)
        );
        let e = event("2026-11-20T10:15:02.123Z [Cache Miss] report:system-health");
        assert_eq!(e.outcome, Outcome::Miss);
        assert_eq!(e.at, at("2026-11-20T10:15:02.123Z"));
        let e = event("[Cache Set] report:team:default (TTL: 3600s)");
        assert_eq!(
            (e.outcome, e.key.as_str()),
            (Outcome::Set, "report:team:default")
        );
        let e = event("[Cache Delete] user:42:analytics:dashboard");
        assert_eq!(e.outcome, Outcome::Delete);
        let e =
            event("[Cache Error] Failed to read \"user:7:conversations:list\": KV GET timed out");
        assert_eq!(
            (e.outcome, e.key.as_str()),
            (Outcome::Error, "user:7:conversations:list")
        );
        let e = event("[Cache Error] KV binding unavailable");
        assert_eq!((e.outcome, e.key.as_str()), (Outcome::Error, ""));
        let e = event("2026-11-20 02:00:01 [Scheduled] Using cached SystemHealthData");
        assert_eq!((e.outcome, e.key.as_str()), (Outcome::Hit, SCHEDULED_KEY));
        assert_eq!(e.at, at("2026-11-20T02:00:01Z"));
        let e = event("[Scheduled] KV cache miss, falling back to SQL");
        assert_eq!(e.outcome, Outcome::Miss);
        // Prefixes that loggers add, a latency, an offset.
        let e = event("  (log) [Cache Hit] report:close-cases (12.5ms)");
        assert_eq!(
            (e.key.as_str(), e.latency_ms),
            ("report:close-cases", Some(12.5))
        );
        let e = event("[2026-11-20T18:00:00+08:00] INFO [Cache Stale] report:todo-stats");
        assert_eq!(
            (e.outcome, e.at),
            (Outcome::Stale, at("2026-11-20T10:00:00Z"))
        );
        assert_eq!(
            parse_text_line("GET /api/conversations 200 14ms"),
            ParsedLine::Other
        );
        assert_eq!(
            parse_text_line("[Scheduled] Report sent"),
            ParsedLine::Other
        );
        assert_eq!(parse_text_line(""), ParsedLine::Other);
    }

    #[test]
    fn malformed_lines_say_why() {
        assert!(malformed("[Cache Hit]").contains("names no key"));
        assert!(malformed("[Cache Hit]    ").contains("names no key"));
        assert!(malformed("[Cache Hits] report:x").contains("unknown marker"));
        assert!(malformed("[Cache Hit report:x").contains("without ']'"));
        assert!(malformed("[Cache Set] report:x (TTL: soon)").contains("TTL"));
        assert!(malformed("2026-13-45T99:00:00Z [Cache Hit] report:x").contains("timestamp"));
        assert!(malformed("[Cache Miss] report:x trailing words").contains("whitespace"));
        assert!(malformed(&format!("[Cache Hit] {}", "k".repeat(513))).contains("512"));
        assert!(malformed("[Cache Hit] a\0b").contains("NUL"));
        assert!(malformed("[Cache Error] failed \"a:\0\"").contains("NUL"));
    }

    #[test]
    fn wrangler_tail_objects() {
        let text = r#"{
  "outcome": "ok",
  "scriptName": "sales-api",
  "exceptions": [],
  "logs": [
    { "message": ["[Cache Hit] report:system-health"], "level": "log", "timestamp": 1763633700000 },
    { "message": ["[Cache Miss]", "user:9:conversations:list"], "level": "log" },
    { "message": ["fetching", {"url": "/x"}], "level": "log" },
    { "message": ["[Cache Hit]"], "level": "log" }
  ],
  "eventTimestamp": 1763633699000,
  "event": { "request": { "url": "https://api.example.com/x", "method": "GET" } }
}"#;
        let (events, malformed) = parse_tail_json(text).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].at, DateTime::from_timestamp_millis(1763633700000));
        assert_eq!(
            (events[1].outcome, events[1].key.as_str(), events[1].at),
            (
                Outcome::Miss,
                "user:9:conversations:list",
                DateTime::from_timestamp_millis(1763633699000)
            )
        );
        assert_eq!(malformed.len(), 1);
        assert!(parse_tail_json("{\"logs\": 5}").is_err());
        // A time Postgres cannot store is malformed, not a failed import.
        let ancient =
            r#"{"logs": [{"message": ["[Cache Hit] k:1"], "timestamp": -300000000000000}]}"#;
        let (events, malformed) = parse_tail_json(ancient).unwrap();
        assert!(events.is_empty());
        assert!(malformed[0].contains("4713 BC"), "{malformed:?}");
    }

    #[test]
    fn json_objects_balance_over_lines_and_strings() {
        let mut o = JsonObject::new(1, Default::default());
        o.push(b"{");
        o.push(b"  \"message\": [\"a } ] \\\" {\"],");
        assert!(!o.done());
        o.push(b"}");
        assert!(o.done());
    }

    #[test]
    fn lines_are_split_with_bounded_memory() {
        let long = "x".repeat(MAX_LINE + 10);
        let text = format!("a\r\n{long}\nb\nc");
        let mut r = LineReader::new(std::io::Cursor::new(text.as_bytes()), 0, Sha256::new());
        let l = r.next_line().unwrap().unwrap();
        assert_eq!(
            (l.text_bytes, l.end, l.terminated, l.overlong),
            (&b"a"[..], 3, true, false)
        );
        let l = r.next_line().unwrap().unwrap();
        assert!(l.overlong && l.terminated);
        assert!(l.text_bytes.len() <= MAX_LINE + 1);
        assert_eq!(l.end, 3 + MAX_LINE as u64 + 11);
        let l = r.next_line().unwrap().unwrap();
        assert_eq!(l.text_bytes, b"b");
        let l = r.next_line().unwrap().unwrap();
        assert_eq!((l.text_bytes, l.terminated), (&b"c"[..], false));
        assert!(r.next_line().unwrap().is_none());
        // Every byte of the complete lines is hashed, the unterminated last one is not.
        let complete = &text.as_bytes()[..text.len() - 1];
        assert_eq!(hex(r.hasher.finalize()), hex(Sha256::digest(complete)));
    }

    #[test]
    fn binary_copy_rows() {
        let mut w = CopyWriter::new("api\tworker");
        let t = DateTime::from_timestamp_millis(1_763_633_700_123).unwrap();
        w.row(t, "a\\b", Outcome::Hit, Some(3.5));
        w.row(t, "k", Outcome::Miss, None);
        let mut bytes = w.take();
        bytes.extend_from_slice(&w.trailer());
        let (header, mut rest) = bytes.split_at(HEADER.len());
        assert_eq!(header, b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0");
        let mut take = |n: usize| {
            let (a, b) = rest.split_at(n);
            rest = b;
            a.to_vec()
        };
        let micros = 1_763_633_700_123_000 - PG_EPOCH_MICROS;
        for (key, outcome, latency) in [("a\\b", "hit", Some(3.5f64)), ("k", "miss", None)] {
            assert_eq!(take(2), 5i16.to_be_bytes());
            assert_eq!(take(4), 8i32.to_be_bytes());
            assert_eq!(take(8), micros.to_be_bytes());
            assert_eq!(take(4), (key.len() as i32).to_be_bytes());
            assert_eq!(take(key.len()), key.as_bytes());
            assert_eq!(take(4), (outcome.len() as i32).to_be_bytes());
            assert_eq!(take(outcome.len()), outcome.as_bytes());
            match latency {
                Some(ms) => {
                    assert_eq!(take(4), 8i32.to_be_bytes());
                    assert_eq!(take(8), ms.to_be_bytes());
                }
                None => assert_eq!(take(4), (-1i32).to_be_bytes()),
            }
            assert_eq!(take(4), 10i32.to_be_bytes());
            assert_eq!(take(10), b"api\tworker");
        }
        assert_eq!(take(2), (-1i16).to_be_bytes());
        assert!(rest.is_empty());
        // No rows: still a well-formed (empty) stream.
        let mut empty = CopyWriter::new("x");
        assert!(empty.take().is_empty());
        assert_eq!(empty.trailer().len(), HEADER.len() + 2);
    }

    proptest::proptest! {
        #[test]
        fn no_line_panics(line in proptest::prelude::any::<String>()) {
            let _ = parse_text_line(&line);
            let _ = parse_text_line(&format!("[Cache Set] {line}"));
            let _ = parse_text_line(&format!("2026-11-20T{line} [Cache Hit] x"));
            let _ = parse_tail_json(&line);
        }

        /// Every event the parser gives keeps the rules `cache_events`' CHECKs enforce, which
        /// `cache_events_imported` leaves to the importer: a key of at most 512 bytes without
        /// NUL, a latency that is a number of at least 0.
        #[test]
        fn events_keep_the_raw_event_rules(
            // No whitespace: such a key is refused before its length is looked at.
            key in "[!-~\\u{0}\\u{e9}\\u{1F600}]{0,600}",
            latency in "-?[0-9]{0,4}(\\.[0-9]{0,3})?|NaN|inf|-0",
        ) {
            for line in [
                format!("[Cache Hit] {key} ({latency}ms)"),
                format!("2026-11-20T10:00:00Z [Cache Miss] {key}"),
                format!("[Cache Set] {key} (TTL: 60s)"),
                format!("[Cache Error] failed {key}: timeout"),
                format!("[Cache Stale] {key}"),
            ] {
                if let ParsedLine::Event(e) = parse_text_line(&line) {
                    proptest::prop_assert!(e.key.len() <= MAX_KEY, "{line:?}");
                    proptest::prop_assert!(!e.key.contains('\0'), "{line:?}");
                    proptest::prop_assert!(e.latency_ms.is_none_or(|ms| ms.is_finite() && ms >= 0.0), "{line:?}");
                }
            }
        }
    }
}
