//! Computing reports from SQL: runs a definition's fan-out query, then its payload query once per
//! key with bound parameters, inside read-only transactions, and turns each result into the KV
//! value: exactly the JSON object or array the SQL returned (plus the definition's `stamp` field
//! holding the generation time, when it names one), and a content hash that ignores that field.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgPool;
use sqlx::types::Json;
use sqlx::Row;

use super::definitions::{Catalog, Params, ReportDefinition};
use crate::db_limits::{Work, WorkLimit};
use crate::error::{Error, Result};
use crate::kv::limits;

/// Payload queries of one fan-out run at once (each on its own connection).
const FAN_OUT_CONCURRENCY: usize = 4;

/// One computed key of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportInstance {
    pub key: String,
    pub params: Params,
    /// The payload: what the SQL returned (its stamp field first, when the definition has one).
    pub payload: Value,
    /// The serialized payload, as written to KV.
    pub bytes: Vec<u8>,
    /// `sha256:` + hex of the payload without its stamp field.
    pub content_hash: String,
    /// When it was generated (ISO 8601, milliseconds), as the key's metadata records it.
    pub generated_at: String,
}

/// The moment a computation describes, and the zone its weeks and days are counted in.
#[derive(Debug, Clone, Copy)]
pub struct AsOf {
    pub time: DateTime<Utc>,
    pub time_zone: chrono_tz::Tz,
}

impl AsOf {
    /// Now (to the millisecond), in the catalog's zone.
    pub fn now(catalog: &Catalog) -> Self {
        Self::at(Utc::now(), catalog)
    }

    pub fn at(time: DateTime<Utc>, catalog: &Catalog) -> Self {
        let millis = time.timestamp_millis();
        Self {
            time: DateTime::from_timestamp_millis(millis).unwrap_or(time),
            time_zone: catalog.time_zone,
        }
    }

    /// The generation time as written into metadata (and a definition's stamp field).
    pub fn iso(&self) -> String {
        self.time.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

fn failure(def: &ReportDefinition, reason: impl Into<String>) -> Error {
    Error::Report {
        report: def.name.clone(),
        reason: reason.into(),
    }
}

/// The parameter sets of a report: one empty set without fan-out, else one per fan-out row. The
/// fan-out query runs under the profile's report limit (`report_query_secs`).
pub async fn fan_out(pool: &PgPool, def: &ReportDefinition, as_of: &AsOf) -> Result<Vec<Params>> {
    let limit = WorkLimit::of(pool, Work::ReportQuery).await?;
    fan_out_within(pool, &limit, def, as_of).await
}

async fn fan_out_within(
    pool: &PgPool,
    limit: &WorkLimit,
    def: &ReportDefinition,
    as_of: &AsOf,
) -> Result<Vec<Params>> {
    let Some(query) = &def.fan_out else {
        return Ok(vec![Params::new()]);
    };
    let query = query.trim().trim_end_matches(';');
    let wrapped = format!("SELECT to_jsonb(fan_out_row)::text FROM ({query}) AS fan_out_row");
    let mut tx = limit.begin_read_only(pool).await?;
    in_utc(&mut tx).await.map_err(Error::Db)?;
    let rows: Vec<String> = sqlx::query_scalar(&wrapped)
        .bind(Json(Value::Object(Map::new())))
        .bind(as_of.time)
        .bind(as_of.time_zone.name())
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| {
            limit
                .timeout(format!("report {:?}: fan_out query", def.name), &e)
                .unwrap_or_else(|| {
                    failure(def, format!("fan_out query failed: {}", db_message(&e)))
                })
        })?;
    tx.rollback().await.map_err(Error::Db)?;
    let wanted = def.key.params();
    rows.iter()
        .map(|text| {
            let row: Map<String, Value> = serde_json::from_str(text)
                .map_err(|e| failure(def, format!("fan_out row is not an object: {e}")))?;
            let mut params = Params::new();
            for name in &wanted {
                let value = match row.get(*name) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(other) => {
                        return Err(failure(
                            def,
                            format!(
                                "fan_out column {name:?} is {other}, expected text or a number"
                            ),
                        ))
                    }
                    None => {
                        return Err(failure(
                            def,
                            format!(
                                "fan_out returns no column {name:?} for the key {:?} (columns: {})",
                                def.key.as_str(),
                                row.keys().cloned().collect::<Vec<_>>().join(", ")
                            ),
                        ))
                    }
                };
                params.insert((*name).to_owned(), value);
            }
            Ok(params)
        })
        .collect()
}

/// Computes every key of a report (or only the keys for `only`). All or nothing: the first
/// failing key fails the report, and the error names it. Each statement runs under the
/// profile's report limit (`report_query_secs`); one that runs past it fails the report with
/// [`Error::DbTimeout`].
pub async fn compute(
    pool: &PgPool,
    def: &ReportDefinition,
    as_of: &AsOf,
    only: Option<Vec<Params>>,
) -> Result<Vec<ReportInstance>> {
    let limit = WorkLimit::of(pool, Work::ReportQuery).await?;
    let sets = match only {
        Some(sets) => sets,
        None => fan_out_within(pool, &limit, def, as_of).await?,
    };
    let workers = FAN_OUT_CONCURRENCY.min(sets.len()).max(1);
    let mut shares: Vec<Vec<(usize, Params)>> = vec![Vec::new(); workers];
    for (i, params) in sets.into_iter().enumerate() {
        shares[i % workers].push((i, params));
    }
    // One task per worker, each owning what it needs.
    let def = std::sync::Arc::new(def.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for share in shares {
        let (pool, def, as_of) = (pool.clone(), def.clone(), *as_of);
        tasks.spawn(async move { compute_share(&pool, limit, &def, &as_of, share).await });
    }
    let mut results = Vec::with_capacity(workers);
    while let Some(joined) = tasks.join_next().await {
        let share = joined.map_err(|e| failure(&def, format!("worker stopped: {e}")))??;
        results.push(share);
    }
    let mut all: Vec<(usize, ReportInstance)> = results.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, instance)| instance).collect())
}

/// One worker's keys, in one read-only transaction on one connection.
async fn compute_share(
    pool: &PgPool,
    limit: WorkLimit,
    def: &ReportDefinition,
    as_of: &AsOf,
    share: Vec<(usize, Params)>,
) -> Result<Vec<(usize, ReportInstance)>> {
    let mut out = Vec::with_capacity(share.len());
    if share.is_empty() {
        return Ok(out);
    }
    let mut tx = limit.begin_read_only(pool).await?;
    in_utc(&mut tx).await.map_err(Error::Db)?;
    for (index, params) in share {
        let key = def.key.render(&params).map_err(|missing| {
            failure(
                def,
                format!(
                    "no value for {{{missing}}} of the key {:?}",
                    def.key.as_str()
                ),
            )
        })?;
        let args: Map<String, Value> = params
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let rows = fetch_payload(&mut tx, &def.sql, Value::Object(args), as_of)
            .await
            .map_err(|e| {
                limit
                    .timeout(format!("report {:?}: SQL for key {key:?}", def.name), &e)
                    .unwrap_or_else(|| {
                        failure(
                            def,
                            format!("SQL failed for key {key:?}: {}", db_message(&e)),
                        )
                    })
            })?;
        let row = match rows.as_slice() {
            [row] => row,
            [] => return Err(failure(def, format!("SQL returned no row for key {key:?}"))),
            many => {
                return Err(failure(
                    def,
                    format!(
                        "SQL returned {} rows for key {key:?}; it must return one",
                        many.len()
                    ),
                ))
            }
        };
        if row.len() != 1 {
            return Err(failure(
                def,
                format!(
                    "SQL returned {} columns; it must return one json column",
                    row.len()
                ),
            ));
        }
        let Json(value): Json<Value> = row.try_get(0).map_err(|_| {
            failure(
                def,
                format!("SQL result for key {key:?} is not json or jsonb"),
            )
        })?;
        if !value.is_object() && !value.is_array() {
            return Err(failure(
                def,
                format!(
                    "SQL result for key {key:?} is {}, not a JSON object or array",
                    kind_of(&value)
                ),
            ));
        }
        out.push((index, instance(def, key, params, value, as_of)?));
    }
    tx.rollback().await.map_err(Error::Db)?;
    Ok(out)
}

fn instance(
    def: &ReportDefinition,
    key: String,
    params: Params,
    value: Value,
    as_of: &AsOf,
) -> Result<ReportInstance> {
    let stamp = def.stamp.as_deref();
    let content_hash = content_hash(&value, stamp);
    let payload = match (stamp, value) {
        (None, value) => value,
        (Some(stamp), Value::Object(mut fields)) => {
            fields.shift_remove(stamp);
            let mut stamped = Map::with_capacity(fields.len() + 1);
            stamped.insert(stamp.to_owned(), Value::String(as_of.iso()));
            stamped.extend(fields);
            Value::Object(stamped)
        }
        (Some(stamp), other) => {
            return Err(failure(
                def,
                format!(
                    "SQL result for key {key:?} is {}; only an object can carry the stamp \
                     field {stamp:?}",
                    kind_of(&other)
                ),
            ))
        }
    };
    if let Some(contract) = &def.contract {
        contract.check(&payload).map_err(|breach| {
            failure(
                def,
                format!(
                    "the value of key {key:?} breaks its contract {:?} at {}: {}",
                    contract.name, breach.path, breach.message
                ),
            )
        })?;
    }
    let bytes = serde_json::to_vec(&payload).map_err(|e| failure(def, e.to_string()))?;
    if bytes.len() > limits::MAX_VALUE_BYTES {
        return Err(failure(
            def,
            format!(
                "the value of key {key:?} is {} bytes, over KV's limit of {} bytes",
                bytes.len(),
                limits::MAX_VALUE_BYTES
            ),
        ));
    }
    limits::check_key(&key).map_err(|e| failure(def, e.to_string()))?;
    Ok(ReportInstance {
        key,
        params,
        payload,
        bytes,
        content_hash,
        generated_at: as_of.iso(),
    })
}

/// The hash of a payload's content, its `stamp` field excluded: an object field by field (name
/// and value), an array as its JSON text.
pub fn content_hash(value: &Value, stamp: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    match value {
        Value::Object(fields) => {
            for (name, value) in fields {
                if Some(name.as_str()) == stamp {
                    continue;
                }
                hasher.update(name.as_bytes());
                hasher.update([0]);
                hasher.update(value.to_string().as_bytes());
                hasher.update([0]);
            }
        }
        other => {
            hasher.update(b"\0json\0");
            hasher.update(other.to_string().as_bytes());
        }
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Report SQL never writes (its transaction is begun read-only), and renders timestamps in UTC
/// whatever the server's zone (payloads carry the zone they count days in through `$3`).
///
/// The statements below return boxed `Send` futures with their lifetimes pinned here, so that
/// callers can run inside spawned tasks (sqlx's executor bounds otherwise trip rustc's
/// higher-ranked `Send` check).
fn in_utc<'a>(
    tx: &'a mut sqlx::Transaction<'static, sqlx::Postgres>,
) -> futures::future::BoxFuture<'a, std::result::Result<(), sqlx::Error>> {
    Box::pin(async move {
        sqlx::query("SET LOCAL TimeZone TO 'UTC'")
            .execute(&mut **tx)
            .await?;
        Ok(())
    })
}

fn fetch_payload<'a>(
    tx: &'a mut sqlx::Transaction<'static, sqlx::Postgres>,
    sql: &'a str,
    params: Value,
    as_of: &AsOf,
) -> futures::future::BoxFuture<'a, std::result::Result<Vec<sqlx::postgres::PgRow>, sqlx::Error>> {
    let (time, zone) = (as_of.time, as_of.time_zone.name());
    Box::pin(async move {
        sqlx::query(sql)
            .bind(Json(params))
            .bind(time)
            .bind(zone)
            .fetch_all(&mut **tx)
            .await
    })
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The database's own message (e.g. `column "x" does not exist`) without sqlx's wrapping.
fn db_message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    }
}
