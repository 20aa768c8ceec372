//! Reading reports: the list of known reports with each key's age, TTL left and staleness; one
//! report's value from KV, else computed live from SQL on a miss (the services' fallback,
//! docs/domain.md "Who uses Cachescope"), else from the offline mirror when KV cannot be reached;
//! and the freshness diff of a cached value against a live recomputation.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::compute::{compute, AsOf};
use super::definitions::{listing_prefixes, Catalog, Params, ReportDefinition, TableSpec};
use super::mirror::{MirrorMetadata, SYNCED_AT};
use crate::cache_events::Outcome;
use crate::context::CoreContext;
use crate::error::{Error, ErrorCode, Result};
use crate::kv::{list_all, KeyInfo, KvStore};
use crate::progress::Progress;

/// Most keys listed per report in [`list_reports`] (the count is always complete).
pub const MAX_LISTED_INSTANCES: usize = 500;

/// Where a shown value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ValueSource {
    /// The profile's namespace.
    Kv,
    /// Computed now from SQL because KV had no value (nothing was written).
    LiveSql,
    /// The offline mirror, because KV could not be reached or the user asked for it.
    Mirror,
}

/// One key of a report as KV (or the mirror) holds it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportKey {
    pub key: String,
    pub params: BTreeMap<String, String>,
    pub generated_at: Option<String>,
    /// Absolute expiry, Unix seconds.
    #[ts(type = "number | null")]
    pub expiration: Option<i64>,
    /// Seconds left before KV drops it.
    #[ts(type = "number | null")]
    pub ttl_left: Option<i64>,
    /// Older than its schedule: a scheduled refresh was missed.
    pub stale: bool,
    /// When it was copied into the offline mirror (mirror only).
    pub synced_at: Option<String>,
}

/// A report definition as the app and CLI show it, with the keys found for it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportSummary {
    pub name: String,
    pub title: String,
    pub key_template: String,
    pub params: Vec<String>,
    #[ts(type = "number")]
    pub ttl: u64,
    pub schedule: String,
    pub schedule_text: String,
    pub time_zone: String,
    pub view: Option<String>,
    pub tables: Vec<TableSpec>,
    pub origin: String,
    /// Keys found (at most [`MAX_LISTED_INSTANCES`], in key order).
    pub keys: Vec<ReportKey>,
    #[ts(type = "number")]
    pub key_count: u64,
    /// When precompute last confirmed this report current (it may have skipped rewriting it).
    pub last_checked_at: Option<String>,
}

/// The report list, and where it was read from.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportList {
    pub profile: String,
    pub source: ValueSource,
    /// KV could not be reached; the list comes from the offline mirror.
    pub offline: bool,
    /// Why KV could not be read, when offline.
    pub offline_reason: Option<String>,
    pub reports: Vec<ReportSummary>,
}

/// One report value, exact as stored (the text is passed on, never re-serialized).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportValue {
    pub name: String,
    pub title: String,
    pub key: String,
    pub params: BTreeMap<String, String>,
    pub view: Option<String>,
    pub tables: Vec<TableSpec>,
    pub source: ValueSource,
    pub offline: bool,
    /// What the user should know about the source (a miss, an offline copy).
    pub note: Option<String>,
    /// The JSON text of the value.
    pub json: String,
    pub generated_at: Option<String>,
    #[ts(type = "number | null")]
    pub expiration: Option<i64>,
    #[ts(type = "number | null")]
    pub ttl_left: Option<i64>,
    pub stale: bool,
    pub synced_at: Option<String>,
}

/// Which report key to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportTarget {
    /// A report name, or a key that one of the reports' templates matches.
    pub report: String,
    /// Values for the key template's placeholders.
    pub params: Params,
}

/// Where to read from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReadFrom {
    /// KV; on a miss, live SQL; when KV is unreachable, the mirror.
    #[default]
    Auto,
    /// The offline mirror only.
    Mirror,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether an error means "KV cannot be reached" (so the mirror may stand in).
fn is_unreachable(e: &Error) -> bool {
    matches!(e.code(), ErrorCode::Unavailable | ErrorCode::RateLimited)
}

/// Every report with the keys found for it.
pub async fn list_reports(
    ctx: &CoreContext,
    profile: Option<&str>,
    from: ReadFrom,
    progress: &Progress,
) -> Result<ReportList> {
    let profile = ctx.profile(profile)?;
    let catalog = super::catalog(ctx)?;
    let prefixes = listing_prefixes(catalog.reports().iter());
    let mut offline_reason = None;
    let (source, keys) = match from {
        ReadFrom::Mirror => (ValueSource::Mirror, None),
        ReadFrom::Auto => {
            let store = profile.store().await?;
            match list_prefixes(store.as_ref(), &prefixes, progress).await {
                Ok(keys) => (ValueSource::Kv, Some((keys, store))),
                Err(e) if is_unreachable(&e) => {
                    offline_reason = Some(e.to_string());
                    (ValueSource::Mirror, None)
                }
                Err(e) => return Err(e),
            }
        }
    };
    let (keys, store): (Vec<KeyInfo>, std::sync::Arc<dyn KvStore>) = match keys {
        Some(found) => found,
        None => {
            let mirror = ctx.offline_mirror(&profile.name).await?;
            let keys = list_prefixes(&mirror, &prefixes, progress).await?;
            (keys, std::sync::Arc::new(mirror))
        }
    };
    let last_checked = match profile.existing_database().await {
        Ok(Some(pool)) if source == ValueSource::Kv => {
            super::precompute::last_checked(&pool, &profile.name)
                .await
                .unwrap_or_default()
        }
        _ => HashMap::new(),
    };
    let now = Utc::now();
    let mut reports = Vec::new();
    for def in catalog.reports() {
        let checked = last_checked.get(&def.name).copied();
        let mut found: Vec<ReportKey> = keys
            .iter()
            .filter_map(|k| {
                def.key
                    .match_key(&k.name)
                    .filter(|_| owner_of(&catalog, &k.name) == Some(def.name.as_str()))
                    .map(|params| report_key(def, &catalog, k, params, checked, now))
            })
            .collect();
        // Values written by another producer may carry their time only in the stamp field.
        if def.fan_out.is_none() && def.stamp.is_some() {
            for key in found.iter_mut().filter(|k| k.generated_at.is_none()) {
                if let Ok(Some(value)) = store.get(&key.key).await {
                    key.generated_at = generated_at_of(def, None, &value.bytes);
                    key.stale = stale(def, &catalog, key.generated_at.as_deref(), checked, now);
                }
            }
        }
        let key_count = found.len() as u64;
        found.truncate(MAX_LISTED_INSTANCES);
        reports.push(ReportSummary {
            name: def.name.clone(),
            title: def.title.clone(),
            key_template: def.key.as_str().to_owned(),
            params: def.key.params().into_iter().map(str::to_owned).collect(),
            ttl: def.ttl,
            schedule: def.schedule.as_str().to_owned(),
            schedule_text: def.schedule.describe(),
            time_zone: catalog.time_zone.name().to_owned(),
            view: def.view.clone(),
            tables: def.tables.clone(),
            origin: def.origin.clone(),
            keys: found,
            key_count,
            last_checked_at: checked.map(iso),
        });
    }
    Ok(ReportList {
        profile: profile.name.clone(),
        source,
        offline: source == ValueSource::Mirror && from == ReadFrom::Auto,
        offline_reason,
        reports,
    })
}

/// The report a key belongs to: the first definition whose template matches it (so a key is
/// never counted under two reports whose templates overlap).
fn owner_of<'a>(catalog: &'a Catalog, key: &str) -> Option<&'a str> {
    catalog.find_by_key(key).map(|(def, _)| def.name.as_str())
}

fn report_key(
    def: &ReportDefinition,
    catalog: &Catalog,
    info: &KeyInfo,
    params: Params,
    checked: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ReportKey {
    let meta = info.metadata.as_ref().map(|m| m.to_value());
    let text = |name: &str| {
        meta.as_ref()
            .and_then(|m| m.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let generated_at = text("generatedAt");
    let mirror = MirrorMetadata::read(info.metadata.as_ref());
    let expiration = mirror
        .as_ref()
        .map_or(info.expiration, |m| m.source_expiration);
    ReportKey {
        key: info.name.clone(),
        params,
        stale: stale(def, catalog, generated_at.as_deref(), checked, now),
        generated_at,
        expiration,
        ttl_left: expiration.map(|e| e - now.timestamp()),
        synced_at: text(SYNCED_AT),
    }
}

fn stale(
    def: &ReportDefinition,
    catalog: &Catalog,
    generated_at: Option<&str>,
    checked: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    let produced = generated_at.and_then(parse_time);
    let current_at = match (produced, checked) {
        (Some(p), Some(c)) => p.max(c),
        (Some(p), None) => p,
        (None, Some(c)) => c,
        (None, None) => return false,
    };
    def.schedule.is_stale(current_at, now, catalog.time_zone)
}

/// When a value was generated: its key's metadata `generatedAt` (what precompute records), else
/// the definition's stamp field in the value (a value another producer wrote).
fn generated_at_of(
    def: &ReportDefinition,
    metadata: Option<&crate::kv::Metadata>,
    bytes: &[u8],
) -> Option<String> {
    let recorded = metadata.and_then(|m| {
        m.to_value()
            .get("generatedAt")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    recorded.or_else(|| {
        let stamp = def.stamp.as_deref()?;
        let value: Value = serde_json::from_slice(bytes).ok()?;
        value.get(stamp)?.as_str().map(str::to_owned)
    })
}

async fn list_prefixes(
    store: &dyn KvStore,
    prefixes: &[String],
    progress: &Progress,
) -> Result<Vec<KeyInfo>> {
    let mut keys = Vec::new();
    for prefix in prefixes {
        keys.extend(
            list_all(
                store,
                (!prefix.is_empty()).then_some(prefix.as_str()),
                progress,
            )
            .await?,
        );
    }
    Ok(keys)
}

/// Resolves a target to its definition and key.
pub fn resolve<'a>(
    catalog: &'a Catalog,
    target: &ReportTarget,
) -> Result<(&'a ReportDefinition, Params, String)> {
    let (def, params) = match catalog.get(&target.report) {
        Ok(def) => (def, target.params.clone()),
        Err(not_a_name) => match catalog.find_by_key(&target.report) {
            Some((def, params)) => (def, params),
            None => return Err(not_a_name),
        },
    };
    let key = def.key.render(&params).map_err(|missing| {
        Error::invalid(
            format!("report {:?}", def.name),
            format!(
                "has one key per {{{missing}}} ({}); say which with --param {missing}=VALUE",
                def.key.as_str()
            ),
        )
    })?;
    Ok((def, params, key))
}

/// One report value: KV first; on a miss computed live from SQL; the mirror when KV is
/// unreachable (or when asked).
pub async fn show_report(
    ctx: &CoreContext,
    profile: Option<&str>,
    target: &ReportTarget,
    from: ReadFrom,
) -> Result<ReportValue> {
    let profile = ctx.profile(profile)?;
    let catalog = super::catalog(ctx)?;
    let (def, params, key) = resolve(&catalog, target)?;
    let now = Utc::now();
    let shell = |source, json: String, note: Option<String>| ReportValue {
        name: def.name.clone(),
        title: def.title.clone(),
        key: key.clone(),
        params: params.clone(),
        view: def.view.clone(),
        tables: def.tables.clone(),
        source,
        offline: false,
        note,
        generated_at: None,
        json,
        expiration: None,
        ttl_left: None,
        stale: false,
        synced_at: None,
    };
    let mirror = |reason: Option<String>| MirrorRead {
        ctx,
        profile: &profile.name,
        def,
        catalog: &catalog,
        base: shell(ValueSource::Mirror, String::new(), None),
        reason,
        now,
    };
    if from == ReadFrom::Mirror {
        return mirror(None).read().await;
    }
    let store = profile.store().await?;
    let started = std::time::Instant::now();
    let read = store.get(&key).await;
    let count = |outcome| profile.count_read(&key, outcome, started);
    match read {
        Ok(Some(stored)) => {
            let generated_at = generated_at_of(def, stored.metadata.as_ref(), &stored.bytes);
            let json = text_of(&key, stored.bytes)?;
            let mut value = shell(ValueSource::Kv, json, None);
            value.generated_at = generated_at;
            value.expiration = stored.expiration;
            value.ttl_left = stored.expiration.map(|e| e - now.timestamp());
            let checked = match profile.existing_database().await {
                Ok(Some(pool)) => super::precompute::last_checked(&pool, &profile.name)
                    .await
                    .ok()
                    .and_then(|m| m.get(&def.name).copied()),
                _ => None,
            };
            value.stale = stale(def, &catalog, value.generated_at.as_deref(), checked, now);
            count(if value.stale {
                Outcome::Stale
            } else {
                Outcome::Hit
            })
            .await;
            Ok(value)
        }
        Ok(None) => {
            count(Outcome::Miss).await;
            let pool = profile.existing_database().await?.ok_or_else(|| {
                Error::invalid(
                    format!("report key {key:?}"),
                    "is not in KV, and the profile names no Postgres database to compute it from",
                )
            })?;
            let live =
                compute(&pool, def, &AsOf::now(&catalog), Some(vec![params.clone()])).await?;
            let instance = live.into_iter().next().ok_or_else(|| Error::Report {
                report: def.name.clone(),
                reason: "computed no value".to_owned(),
            })?;
            let json = String::from_utf8(instance.bytes).map_err(|e| Error::Report {
                report: def.name.clone(),
                reason: e.to_string(),
            })?;
            Ok(ReportValue {
                generated_at: Some(instance.generated_at),
                ..shell(
                    ValueSource::LiveSql,
                    json,
                    Some(
                        "KV miss: computed live from SQL just now (not written to KV).".to_owned(),
                    ),
                )
            })
        }
        Err(e) => {
            count(Outcome::Error).await;
            if is_unreachable(&e) {
                mirror(Some(e.to_string())).read().await
            } else {
                Err(e)
            }
        }
    }
}

/// Reading one key from the offline mirror, because KV is unreachable (`reason`) or asked for.
struct MirrorRead<'a> {
    ctx: &'a CoreContext,
    profile: &'a str,
    def: &'a ReportDefinition,
    catalog: &'a Catalog,
    base: ReportValue,
    reason: Option<String>,
    now: DateTime<Utc>,
}

impl MirrorRead<'_> {
    async fn read(self) -> Result<ReportValue> {
        let key = self.base.key.clone();
        let mirror = self.ctx.offline_mirror(self.profile).await?;
        let stored = mirror.get(&key).await?.ok_or_else(|| match &self.reason {
            Some(why) => Error::invalid(
                format!("report key {key:?}"),
                format!("KV cannot be reached ({why}) and the offline mirror has no copy; run `cachescope report sync` while online"),
            ),
            None => Error::KeyNotFound { key: key.clone() },
        })?;
        let mut value = self.base;
        value.generated_at = generated_at_of(self.def, stored.metadata.as_ref(), &stored.bytes);
        value.json = text_of(&key, stored.bytes)?;
        value.note = Some(match &self.reason {
            Some(why) => format!(
                "Offline: KV cannot be reached ({why}); showing the copy synced to this machine."
            ),
            None => "From the offline mirror.".to_owned(),
        });
        value.offline = self.reason.is_some();
        if let Some(m) = MirrorMetadata::read(stored.metadata.as_ref()) {
            value.synced_at = Some(m.synced_at);
            value.expiration = m.source_expiration;
            value.ttl_left = m.source_expiration.map(|e| e - self.now.timestamp());
        }
        value.stale = stale(
            self.def,
            self.catalog,
            value.generated_at.as_deref(),
            None,
            self.now,
        );
        Ok(value)
    }
}

fn text_of(key: &str, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        Error::invalid(
            format!("value of {key:?}"),
            "is binary, not a JSON report (open it in the key browser)",
        )
    })
}

/// How one field differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    /// Only in the live value.
    Added,
    /// Only in the cached value.
    Removed,
    Changed,
}

/// One field that differs, by JSON pointer; values as JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub path: String,
    pub kind: ChangeKind,
    pub cached: Option<String>,
    pub live: Option<String>,
}

/// A cached report against the same report recomputed from SQL now.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportDiff {
    pub name: String,
    pub key: String,
    /// `None` when KV has no value (everything is "added").
    pub cached_generated_at: Option<String>,
    pub live_generated_at: String,
    /// The stamp field aside, the two are equal.
    pub identical: bool,
    pub changes: Vec<FieldChange>,
}

/// Recomputes a report key from SQL and compares it, field by field, with what KV holds.
pub async fn diff_report(
    ctx: &CoreContext,
    profile: Option<&str>,
    target: &ReportTarget,
) -> Result<ReportDiff> {
    let profile = ctx.profile(profile)?;
    let catalog = super::catalog(ctx)?;
    let (def, params, key) = resolve(&catalog, target)?;
    let pool = profile.source_database(super::REPORTS_DATABASE_USE).await?;
    let store = profile.store().await?;
    let cached = match store.get(&key).await? {
        Some(stored) => Some(Generated {
            at: generated_at_of(def, stored.metadata.as_ref(), &stored.bytes),
            value: serde_json::from_slice::<Value>(&stored.bytes).map_err(|e| {
                Error::invalid(
                    format!("cached value of {key:?}"),
                    format!("is not JSON: {e}"),
                )
            })?,
        }),
        None => None,
    };
    let live = compute(&pool, def, &AsOf::now(&catalog), Some(vec![params])).await?;
    let live = match live.into_iter().next() {
        Some(instance) => Generated {
            value: instance.payload,
            at: Some(instance.generated_at),
        },
        None => Generated {
            value: Value::Null,
            at: None,
        },
    };
    Ok(compare(def, &key, cached, live))
}

/// A report value and when it was generated.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub value: Value,
    pub at: Option<String>,
}

/// The field-by-field comparison (the definition's stamp field ignored).
pub fn compare(
    def: &ReportDefinition,
    key: &str,
    cached: Option<Generated>,
    live: Generated,
) -> ReportDiff {
    let strip = |mut v: Value| {
        if let (Some(map), Some(stamp)) = (v.as_object_mut(), def.stamp.as_deref()) {
            map.shift_remove(stamp);
        }
        v
    };
    let cached_generated_at = cached.as_ref().and_then(|c| c.at.clone());
    let live_generated_at = live.at.unwrap_or_default();
    let empty = match &live.value {
        Value::Array(_) => Value::Array(Vec::new()),
        _ => Value::Object(Default::default()),
    };
    let cached_doc = strip(cached.map_or(empty, |c| c.value));
    let live_doc = strip(live.value);
    let patch = json_patch::diff(&cached_doc, &live_doc);
    let changes: Vec<FieldChange> = patch
        .0
        .iter()
        .map(|op| {
            let (path, kind, new) = match op {
                json_patch::PatchOperation::Add(a) => {
                    (a.path.to_string(), ChangeKind::Added, Some(&a.value))
                }
                json_patch::PatchOperation::Remove(r) => {
                    (r.path.to_string(), ChangeKind::Removed, None)
                }
                json_patch::PatchOperation::Replace(r) => {
                    (r.path.to_string(), ChangeKind::Changed, Some(&r.value))
                }
                other => (other.path().to_string(), ChangeKind::Changed, None),
            };
            FieldChange {
                cached: cached_doc.pointer(&path).map(Value::to_string),
                live: new.map(Value::to_string),
                path,
                kind,
            }
        })
        .collect();
    ReportDiff {
        name: def.name.clone(),
        key: key.to_owned(),
        cached_generated_at,
        live_generated_at,
        identical: changes.is_empty(),
        changes,
    }
}
