//! The demo key families no report writes, made in Rust: the page caches the sales platform's
//! workers leave (conversation and opportunity details, performance pages), the voice-AI caches
//! and the path-statistics snapshots. Report families are never made here: `cachescope demo
//! seed` gets them from precompute over the demo source data (see [`crate::seed`]), and a test
//! fails if a key made here matches a report's key template. [`demo_entries`] is pure;
//! [`write`] writes its output through any [`KvStore`], the newest path-statistics snapshot and
//! its pointer last, as the core's snapshot refresh (version first, then the pointer).

mod pages;
mod path_stats;
mod random;
mod voice_ai;
mod world;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use cachescope_core::jobs::snapshots::SnapshotFamily;
use cachescope_core::kv::limits;
use cachescope_core::kv::{Entry, Expiry, KvStore, PutOptions};
use cachescope_core::progress::Progress;
use cachescope_core::Result;
use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use random::Gen;
use world::World;

/// Entries per bulk write.
const CHUNK: usize = 1000;
/// The progress phase of [`write`].
const PHASE: &str = "keys";
/// Users made at the least (an admin, a manager and reps).
const MIN_USERS: u32 = 5;
/// Values above this size count as large in the summary.
const LARGE_VALUE_BYTES: usize = 1024 * 1024;

// TTLs of the families, in seconds (docs/domain.md, "Key families").
const TTL_5_MIN: u64 = 300;
const TTL_2_MIN: u64 = 120;
const TTL_10_MIN: u64 = 600;
const TTL_30_MIN: u64 = 1800;
const TTL_HOUR: u64 = 3600;
const TTL_DAY: u64 = 86_400;

/// How many hand-made demo keys to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KeysOptions {
    /// Users of the sales platform (admins, managers and reps); at least 5 are made.
    pub users: u32,
    /// Seed of the random generator: the same seed and clock give byte-identical entries.
    pub seed: u64,
}

impl Default for KeysOptions {
    fn default() -> Self {
        Self { users: 40, seed: 7 }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeysSummary {
    /// Keys written.
    pub keys: usize,
    /// Value bytes written (keys and metadata not counted).
    pub bytes: u64,
    /// Key family template (e.g. `opportunity:{id}:detail`) and how many of its keys were
    /// written, sorted by template.
    pub families: Vec<(String, usize)>,
    /// Keys written with an expiry.
    pub expiring: usize,
    /// Values that are not valid UTF-8 (gzip snapshots, waveform previews).
    pub binary: usize,
    /// Values larger than 1 MiB.
    pub large: usize,
}

/// Builds the hand-made demo entries, sorted by key. Pure: the same options and `now` give
/// identical entries, and every timestamp inside them is derived from `now`.
pub fn demo_entries(options: &KeysOptions, now: DateTime<Utc>) -> Vec<Entry> {
    build(options, now).into_iter().map(|s| s.entry).collect()
}

/// The family templates [`demo_entries`] makes keys of, sorted: the snapshot family's as the core
/// defines it (its versioned template and its pointer key).
pub fn families() -> Vec<String> {
    let snapshots = SnapshotFamily::path_stats();
    let mut all: Vec<String> = FAMILIES.iter().map(|f| (*f).to_owned()).collect();
    all.push(path_stats::VERSIONS_FAMILY.to_owned());
    all.push(snapshots.pointer_key().to_owned());
    all.sort();
    all
}

/// Every other family this module makes, as templates, sorted.
const FAMILIES: [&str; 11] = [
    "conversation:{id}:detail",
    "enhanced:user:{userId}:call:{callId}",
    "intent:user:{userId}:analysis:{callId}",
    "intent:user:{userId}:summary",
    "manager:{managerId}:analytics:teamPerformance",
    "opportunity:{id}:detail",
    "queue:snapshot_counter",
    "recordings:user:{userId}:call:{callId}",
    "recordings:user:{userId}:call:{callId}:waveform",
    "recordings:user:{userId}:page:{page}:limit:{limit}",
    "user:{userId}:analytics:repPerformance",
];

/// Writes the hand-made demo entries (clock `now`) through `store` with `bulk_put` in chunks of
/// 1000, reporting progress in the `keys` phase and checking for cancellation before each
/// chunk; then the newest path-statistics snapshot and its pointer, as a refresh
/// ([`SnapshotFamily::refresh`]: the version, then the pointer naming it), so the pointer never
/// names a version not yet written. Every entry is checked against KV's limits before the first
/// is written. Keys the store reports as not written are left out of the summary.
pub async fn write(
    store: &dyn KvStore,
    options: &KeysOptions,
    now: DateTime<Utc>,
    progress: &Progress,
) -> Result<KeysSummary> {
    let seeded = build(options, now);
    let entries: Vec<Entry> = seeded.iter().map(|s| s.entry.clone()).collect();
    limits::check_entries(&entries, limits::unix_now())?;

    let snapshots = SnapshotFamily::path_stats();
    let newest_version = u64::from(path_stats::SNAPSHOT_VERSIONS);
    let newest_key = snapshots.version_key(newest_version);
    let (refresh, bulk): (Vec<Entry>, Vec<Entry>) = entries
        .into_iter()
        .partition(|e| e.key == newest_key || e.key == snapshots.pointer_key());

    let total = (bulk.len() + refresh.len()) as u64;
    let mut failed = BTreeSet::new();
    let mut done = 0u64;
    progress.report(PHASE, 0, Some(total));
    for chunk in bulk.chunks(CHUNK) {
        progress.check()?;
        let outcome = store.bulk_put(chunk).await?;
        failed.extend(outcome.failed);
        done += chunk.len() as u64;
        progress.report(PHASE, done, Some(total));
    }
    match refresh.iter().find(|e| e.key == newest_key) {
        Some(newest) => {
            progress.check()?;
            snapshots
                .refresh(store, newest_version, &newest.value, &newest.options)
                .await?;
            done += refresh.len() as u64;
            progress.report(PHASE, done, Some(total));
        }
        // No newest version was made: its pointer is not written either.
        None => failed.extend(refresh.into_iter().map(|e| e.key)),
    }
    if !failed.is_empty() {
        tracing::warn!(failed = failed.len(), store = %store.describe(), "demo keys: some keys were not written");
    }
    let written: Vec<&Seeded> = seeded
        .iter()
        .filter(|s| !failed.contains(&s.entry.key))
        .collect();
    Ok(summarize(&written))
}

/// One generated entry and the family it belongs to.
struct Seeded {
    family: Cow<'static, str>,
    entry: Entry,
}

fn summarize(seeded: &[&Seeded]) -> KeysSummary {
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    let mut summary = KeysSummary {
        keys: seeded.len(),
        ..KeysSummary::default()
    };
    for s in seeded {
        *families.entry(&s.family).or_default() += 1;
        summary.bytes += s.entry.value.len() as u64;
        if s.entry.options.expiry != Expiry::Never {
            summary.expiring += 1;
        }
        if std::str::from_utf8(&s.entry.value).is_err() {
            summary.binary += 1;
        }
        if s.entry.value.len() > LARGE_VALUE_BYTES {
            summary.large += 1;
        }
    }
    summary.families = families
        .into_iter()
        .map(|(f, n)| (f.to_owned(), n))
        .collect();
    summary
}

fn build(options: &KeysOptions, now: DateTime<Utc>) -> Vec<Seeded> {
    let mut g = Gen::new(options.seed);
    let world = World::generate(&mut g, options.users.max(MIN_USERS) as usize, now);
    let mut out = Out::default();
    pages::page_caches(&mut out, &mut g, &world);
    voice_ai::voice_ai(&mut out, &mut g, &world);
    path_stats::path_stats(&mut out, &mut g, now);
    out.0.sort_by(|a, b| a.entry.key.cmp(&b.entry.key));
    out.0
}

/// The entries made so far.
#[derive(Default)]
struct Out(Vec<Seeded>);

impl Out {
    fn raw(
        &mut self,
        family: &'static str,
        key: String,
        value: Vec<u8>,
        ttl: Option<u64>,
        metadata: Option<Json>,
    ) {
        let expiry = ttl.map_or(Expiry::Never, Expiry::Ttl);
        self.0.push(Seeded {
            family: Cow::Borrowed(family),
            entry: Entry {
                key,
                value,
                options: PutOptions {
                    expiry,
                    metadata: metadata.map(Into::into),
                },
            },
        });
    }

    /// A key that is a family of its own (the snapshot pointer), as given.
    fn entry(&mut self, entry: Entry) {
        self.0.push(Seeded {
            family: Cow::Owned(entry.key.clone()),
            entry,
        });
    }

    /// A page or voice-AI cache: JSON as the workers write it, no metadata.
    fn json(&mut self, family: &'static str, key: String, value: &Json, ttl: u64) {
        self.raw(family, key, value.to_string().into_bytes(), Some(ttl), None);
    }
}

/// An ISO 8601 timestamp as JavaScript's `toISOString` writes it.
fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| round1(sum / f64::from(n)))
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;
    use chrono::TimeZone;
    use tokio_util::sync::CancellationToken;

    use cachescope_core::kv::{BulkOutcome, KeyPage, ListOptions, Value};
    use cachescope_core::reports::definitions::Catalog;
    use cachescope_core::Error;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 31, 13, 42, 17)
            .single()
            .expect("valid date")
    }

    /// Enough users for more than one chunk of keys.
    const MANY_KEYS: KeysOptions = KeysOptions { users: 80, seed: 7 };

    fn entries() -> Vec<Entry> {
        demo_entries(&KeysOptions::default(), now())
    }

    #[test]
    fn same_seed_and_clock_give_identical_entries() {
        let a = entries();
        assert_eq!(a, entries());
        let other = demo_entries(
            &KeysOptions {
                seed: 8,
                ..KeysOptions::default()
            },
            now(),
        );
        assert_ne!(a, other);
    }

    #[test]
    fn every_family_is_present_and_keys_are_unique() {
        let seeded = build(&KeysOptions::default(), now());
        let summary = summarize(&seeded.iter().collect::<Vec<_>>());
        let listed: Vec<&str> = summary.families.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(listed, families());
        assert!(
            listed.contains(&"snapshot:path-stats:v{version}"),
            "{listed:?}"
        );
        assert!(listed.contains(&"snapshot:path-stats:latest"), "{listed:?}");
        assert!(summary.families.iter().all(|(_, n)| *n > 0));

        let keys: BTreeSet<&str> = seeded.iter().map(|s| s.entry.key.as_str()).collect();
        assert_eq!(keys.len(), seeded.len(), "duplicate keys");
        for v in 1..=8 {
            assert!(keys.contains(format!("snapshot:path-stats:v{v}").as_str()));
        }
        // Keys really follow their templates: the placeholders are filled in.
        assert!(seeded.iter().all(|s| !s.entry.key.contains('{')));
        // Mixed user id styles.
        let rep_page = "user:{userId}:analytics:repPerformance";
        let user_ids: Vec<&str> = seeded
            .iter()
            .filter(|s| s.family == rep_page)
            .filter_map(|s| s.entry.key.split(':').nth(1))
            .collect();
        assert!(user_ids.iter().any(|id| id.starts_with("u_")));
        assert!(user_ids.iter().any(|id| id.len() == 36));
    }

    /// Report payloads come from precompute only: no key made here is of a report's family.
    #[test]
    fn no_key_is_of_a_report_family() {
        let catalog = Catalog::builtin().expect("built-in reports");
        for entry in entries() {
            if let Some((report, _)) = catalog.find_by_key(&entry.key) {
                panic!("{} is a key of report {:?}", entry.key, report.name);
            }
        }
        for family in FAMILIES {
            assert!(
                catalog.reports().iter().all(|r| r.key.as_str() != family),
                "{family} is a report's template"
            );
        }
    }

    #[test]
    fn sizes_and_counts_stay_modest() {
        let seeded = build(&KeysOptions::default(), now());
        let summary = summarize(&seeded.iter().collect::<Vec<_>>());
        assert!((800..=2000).contains(&summary.keys), "{summary:?}");
        assert!(summary.bytes < 15_000_000, "{summary:?}");
        assert!(summary.large >= 2, "{summary:?}");
        assert!(summary.binary >= 3, "{summary:?}");
        assert!(
            summary.expiring > 0 && summary.expiring < summary.keys,
            "{summary:?}"
        );
    }

    #[test]
    fn large_binary_expiring_and_permanent_values_exist() {
        let entries = entries();
        let large = entries
            .iter()
            .filter(|e| e.value.len() > 1024 * 1024)
            .count();
        assert!(large >= 2, "{large} values above 1 MiB");
        let binary = entries
            .iter()
            .filter(|e| std::str::from_utf8(&e.value).is_err())
            .count();
        assert!(binary >= 3, "{binary} binary values");
        assert!(entries.iter().any(|e| e.options.expiry == Expiry::Never));
        assert!(entries
            .iter()
            .any(|e| matches!(e.options.expiry, Expiry::Ttl(_))));
        let ttl_of = |key: &str| {
            entries
                .iter()
                .find(|e| e.key == key)
                .map(|e| e.options.expiry)
        };
        assert_eq!(ttl_of("snapshot:path-stats:v3"), Some(Expiry::Never));
        let family_ttl = |prefix: &str| {
            entries
                .iter()
                .find(|e| e.key.starts_with(prefix))
                .map(|e| e.options.expiry)
        };
        assert_eq!(family_ttl("conversation:"), Some(Expiry::Ttl(TTL_DAY)));
        assert_eq!(family_ttl("opportunity:"), Some(Expiry::Ttl(TTL_30_MIN)));
        assert_eq!(family_ttl("manager:"), Some(Expiry::Ttl(TTL_HOUR)));
    }

    #[test]
    fn every_entry_respects_kv_limits() {
        let entries = entries();
        limits::check_entries(&entries, now().timestamp()).expect("within KV limits");
        let small = demo_entries(&KeysOptions { users: 1, seed: 99 }, now());
        limits::check_entries(&small, now().timestamp()).expect("within KV limits");
        assert!(!small.is_empty());
    }

    #[test]
    fn page_payloads_have_their_documented_fields() {
        let entries = entries();
        let team = entries
            .iter()
            .find(|e| e.key.starts_with("manager:"))
            .map(|e| serde_json::from_slice::<Json>(&e.value).expect("team JSON"))
            .expect("a team page");
        assert!(team["teamSummary"]["winRate"].is_number());
        for field in ["userId", "userName", "conversations", "trend"] {
            assert!(team["members"][0].get(field).is_some(), "{field}");
        }
        // Departments are the source data's (`sales.users.department`).
        let departments: Vec<&str> = crate::source::DEPARTMENTS.iter().map(|d| d.0).collect();
        assert!(departments.contains(&team["dept"].as_str().expect("dept")));
        let detail = entries
            .iter()
            .find(|e| e.key.starts_with("conversation:") && e.value.len() < 1024 * 1024)
            .expect("a typical detail");
        assert!(
            (40_000..130_000).contains(&detail.value.len()),
            "{}",
            detail.value.len()
        );
        let detail: Json = serde_json::from_slice(&detail.value).expect("detail JSON");
        assert!(detail["transcript"]["segments"][0]["startTime"].is_number());
        assert!(detail["meddicAnalysis"]["dimensions"]["economicBuyer"]["score"].is_number());
        assert!(detail["duration"].as_u64().is_some_and(|d| d > 0));
    }

    #[test]
    fn snapshots_are_gzipped_json_with_matching_metadata() {
        let entries = entries();
        for v in 1..=8u64 {
            let entry = entries
                .iter()
                .find(|e| e.key == format!("snapshot:path-stats:v{v}"))
                .expect("snapshot");
            assert!(std::str::from_utf8(&entry.value).is_err(), "gzip is binary");
            let mut text = String::new();
            flate2::read::GzDecoder::new(entry.value.as_slice())
                .read_to_string(&mut text)
                .expect("gunzip");
            let snapshot: Json = serde_json::from_str(&text).expect("snapshot JSON");
            let metadata = entry
                .options
                .metadata
                .as_ref()
                .expect("metadata")
                .to_value();
            assert_eq!(snapshot["version"], v);
            assert_eq!(metadata["version"], v);
            assert_eq!(metadata["encoding"], "gzip");
            assert_eq!(metadata["pathCount"], snapshot["pathCount"]);
        }
        let latest = entries
            .iter()
            .find(|e| e.key == "snapshot:path-stats:latest")
            .expect("latest");
        assert_eq!(latest.value, b"8");
    }

    /// A store that keeps entries in memory and records each bulk write and every key written,
    /// in order.
    #[derive(Default)]
    struct MemStore {
        entries: Mutex<BTreeMap<String, Vec<u8>>>,
        chunks: Mutex<Vec<usize>>,
        writes: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl KvStore for MemStore {
        fn describe(&self) -> String {
            "memory".into()
        }
        async fn list(&self, _: &ListOptions) -> Result<KeyPage> {
            Ok(KeyPage::default())
        }
        async fn get(&self, _: &str) -> Result<Option<Value>> {
            Ok(None)
        }
        async fn put(&self, key: &str, value: &[u8], _: &PutOptions) -> Result<()> {
            let mut map = self.entries.lock().expect("lock");
            map.insert(key.to_owned(), value.to_vec());
            self.writes.lock().expect("lock").push(key.to_owned());
            Ok(())
        }
        async fn delete(&self, _: &str) -> Result<()> {
            Ok(())
        }
        async fn bulk_put(&self, entries: &[Entry]) -> Result<BulkOutcome> {
            let mut map = self.entries.lock().expect("lock");
            for e in entries {
                map.insert(e.key.clone(), e.value.clone());
            }
            self.chunks.lock().expect("lock").push(entries.len());
            self.writes
                .lock()
                .expect("lock")
                .extend(entries.iter().map(|e| e.key.clone()));
            Ok(BulkOutcome {
                succeeded: entries.len(),
                failed: Vec::new(),
            })
        }
        async fn bulk_delete(&self, _: &[String]) -> Result<BulkOutcome> {
            Ok(BulkOutcome::default())
        }
        async fn bulk_get(&self, _: &[String]) -> Result<Vec<Option<Value>>> {
            Ok(Vec::new())
        }
    }

    #[tokio::test]
    async fn seed_writes_in_chunks_and_reports_progress() {
        let store = MemStore::default();
        let updates = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&updates);
        let progress = Progress::new(CancellationToken::new(), move |u| {
            sink.lock().expect("lock").push((u.phase, u.done, u.total));
        });
        let summary = write(&store, &MANY_KEYS, now(), &progress)
            .await
            .expect("written");

        assert_eq!(store.entries.lock().expect("lock").len(), summary.keys);
        let chunks = store.chunks.lock().expect("lock").clone();
        assert!(
            chunks.len() >= 2 && chunks.iter().all(|&n| n <= CHUNK),
            "{chunks:?}"
        );
        // Every key but the newest snapshot and its pointer, which a refresh writes after.
        assert_eq!(chunks.iter().sum::<usize>(), summary.keys - 2);
        assert_eq!(store.writes.lock().expect("lock").len(), summary.keys);
        let updates = updates.lock().expect("lock").clone();
        assert_eq!(
            updates.first(),
            Some(&(PHASE, 0, Some(summary.keys as u64)))
        );
        assert_eq!(
            updates.last(),
            Some(&(PHASE, summary.keys as u64, Some(summary.keys as u64)))
        );
        assert_eq!(summary.families.len(), families().len());
        assert!(summary.large >= 2 && summary.binary >= 3);
    }

    /// The pointer moves only once the version it names is written: every version before the
    /// pointer, and the pointer is the last key written.
    #[tokio::test]
    async fn the_snapshot_pointer_is_written_after_the_version_it_names() {
        let store = MemStore::default();
        let summary = write(&store, &KeysOptions::default(), now(), &Progress::none())
            .await
            .expect("written");
        let writes = store.writes.lock().expect("lock").clone();
        let at = |key: &str| {
            writes
                .iter()
                .position(|k| k == key)
                .unwrap_or_else(|| panic!("{key} not written"))
        };
        let pointer = at("snapshot:path-stats:latest");
        assert_eq!(pointer, writes.len() - 1, "the pointer is written last");
        assert_eq!(writes.len(), summary.keys, "each key written once");
        assert_eq!(at("snapshot:path-stats:v8"), pointer - 1);
        for v in 1..=7 {
            assert!(at(&format!("snapshot:path-stats:v{v}")) < pointer);
        }
        let entries = store.entries.lock().expect("lock");
        assert_eq!(entries["snapshot:path-stats:latest"], b"8");
        // What is written is exactly what `demo_entries` describes.
        for entry in demo_entries(&KeysOptions::default(), now()) {
            assert_eq!(entries[&entry.key], entry.value, "{}", entry.key);
        }
    }

    #[tokio::test]
    async fn seed_stops_between_chunks_when_cancelled() {
        let store = MemStore::default();
        let token = CancellationToken::new();
        let cancel = token.clone();
        let progress = Progress::new(token, move |u| {
            if u.done >= CHUNK as u64 {
                cancel.cancel();
            }
        });
        let err = write(&store, &MANY_KEYS, now(), &progress)
            .await
            .expect_err("cancelled");
        assert!(matches!(err, Error::Cancelled), "{err}");
        assert_eq!(store.chunks.lock().expect("lock").clone(), vec![CHUNK]);
    }
}
