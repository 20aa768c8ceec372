//! `demo seed` against a real Postgres and a local namespace: the demo's report keys are exactly
//! what a fresh precompute of the same data writes (same keys, same JSON shape, same bytes), the
//! hand-made families are the rest, a second seed reuses the sales data, and a profile without
//! Postgres or a read-only one is refused by name.

use std::collections::BTreeMap;

use cachescope_core::kv::{list_all, KvStore};
use cachescope_core::paths::AppDirs;
use cachescope_core::profiles::Profile;
use cachescope_core::progress::Progress;
use cachescope_core::reports::compute::{compute, AsOf};
use cachescope_core::reports::Catalog;
use cachescope_core::secrets::SecretStore;
use cachescope_core::{CoreContext, Error};
use cachescope_demo::keys::KeysOptions;
use cachescope_demo::seed::{seed, SeedOptions, SeedSummary};
use chrono::{DateTime, Utc};
use serde_json::Value as Json;
use sqlx::PgPool;

fn options() -> SeedOptions {
    SeedOptions {
        keys: KeysOptions { users: 12, seed: 7 },
        scale: 400,
        now: "2026-11-25T10:30:00Z".parse().unwrap(),
    }
}

/// A context (in a temporary home) whose profile `demo` is a local namespace over `url`.
pub(super) async fn context(
    url: Option<String>,
    read_only: bool,
) -> (CoreContext, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let dirs = AppDirs::under(dir.path());
    let ctx = CoreContext::open_with_secrets(SecretStore::files_only(&dirs.secrets_dir()), dirs)
        .await
        .unwrap();
    let profile = Profile {
        name: "demo".to_owned(),
        postgres_url: url,
        read_only,
        ..Profile::builtin_local()
    };
    ctx.save_profile(profile, None, None).await.unwrap();
    (ctx, dir)
}

pub(super) async fn url_of(pool: &PgPool) -> String {
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    format!("postgres://postgres@127.0.0.1:5432/{db}")
}

/// Every key of the store with its value bytes and metadata.
async fn everything(store: &dyn KvStore) -> BTreeMap<String, (Vec<u8>, Option<Json>)> {
    let names: Vec<String> = list_all(store, None, &Progress::none())
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    let mut all = BTreeMap::new();
    for chunk in names.chunks(100) {
        let values = store.bulk_get(chunk).await.unwrap();
        for (name, value) in chunk.iter().zip(values) {
            let value = value.unwrap_or_else(|| panic!("{name} listed but not readable"));
            all.insert(
                name.clone(),
                (value.bytes, value.metadata.map(|m| m.to_value())),
            );
        }
    }
    all
}

/// A JSON value's shape: object keys and value types, recursively; arrays by their elements'
/// shapes (each distinct shape once, in order of first appearance).
fn shape(value: &Json) -> Json {
    match value {
        Json::Null => "null".into(),
        Json::Bool(_) => "boolean".into(),
        Json::Number(_) => "number".into(),
        Json::String(_) => "string".into(),
        Json::Array(items) => {
            let mut shapes: Vec<Json> = Vec::new();
            for item in items {
                let s = shape(item);
                if !shapes.contains(&s) {
                    shapes.push(s);
                }
            }
            Json::Array(shapes)
        }
        Json::Object(fields) => Json::Object(
            fields
                .iter()
                .map(|(name, v)| (name.clone(), shape(v)))
                .collect(),
        ),
    }
}

/// The report keys precompute writes for the database now, with their bytes.
async fn fresh_precompute(
    pool: &PgPool,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> BTreeMap<String, Vec<u8>> {
    let as_of = AsOf::at(now, catalog);
    let mut keys = BTreeMap::new();
    for def in catalog.reports() {
        for instance in compute(pool, def, &as_of, None).await.unwrap() {
            keys.insert(instance.key, instance.bytes);
        }
    }
    keys
}

#[sqlx::test(migrations = false)]
async fn report_keys_are_exactly_what_precompute_writes(pool: PgPool) {
    let (ctx, _dir) = context(Some(url_of(&pool).await), false).await;
    let summary: SeedSummary = seed(&ctx, Some("demo"), &options(), &Progress::none())
        .await
        .unwrap();
    let generated = summary
        .source
        .as_ref()
        .expect("the empty database got sales data");
    assert_eq!(generated.conversations, 400);

    let store = ctx.profile(Some("demo")).unwrap().store().await.unwrap();
    let demo = everything(store.as_ref()).await;
    assert_eq!(summary.keys, demo.len(), "{summary:?}");

    let catalog = Catalog::builtin().unwrap();
    let fresh = fresh_precompute(&pool, &catalog, options().now).await;
    assert!(!fresh.is_empty());

    // Every demo key of a report family: precompute wrote it, byte for byte, and says so.
    let mut report_keys = 0;
    for (key, (bytes, metadata)) in &demo {
        let Some((def, _)) = catalog.find_by_key(key) else {
            continue;
        };
        report_keys += 1;
        let expected = fresh.get(key).unwrap_or_else(|| {
            panic!("{key} is of report {:?}, which does not write it", def.name)
        });
        let value: Json = serde_json::from_slice(bytes).unwrap();
        let expected_value: Json = serde_json::from_slice(expected).unwrap();
        assert_eq!(shape(&value), shape(&expected_value), "shape of {key}");
        assert!(bytes == expected, "{key} differs from a fresh precompute");
        let metadata = metadata
            .as_ref()
            .unwrap_or_else(|| panic!("{key} has metadata"));
        assert_eq!(metadata["report"], def.name.as_str(), "{key}");
    }
    // ...and every key precompute writes is in the demo.
    assert_eq!(report_keys, fresh.len());
    for key in fresh.keys() {
        assert!(demo.contains_key(key), "{key} is missing from the demo");
    }
    // Each report of the catalog has keys, and the rest of the demo is the hand-made families.
    for def in catalog.reports() {
        assert!(
            demo.keys().any(|k| def.key.matches(k)),
            "no key of report {:?}",
            def.name
        );
    }
    let hand_made: Vec<String> = cachescope_demo::keys::families();
    for (family, count) in &summary.families {
        assert!(*count > 0, "{family}");
        assert!(
            hand_made.contains(family)
                || catalog.reports().iter().any(|r| r.key.as_str() == family),
            "{family} is neither a report's nor a hand-made family"
        );
    }
    assert!(summary.binary >= 3 && summary.large >= 2, "{summary:?}");

    // A second seed reads the sales data already there and leaves unchanged reports alone.
    let again = seed(&ctx, Some("demo"), &options(), &Progress::none())
        .await
        .unwrap();
    assert!(again.source.is_none(), "{again:?}");
    assert_eq!(again.report_keys_written, 0);
    assert_eq!(again.keys, summary.keys);
    assert_eq!(everything(store.as_ref()).await.len(), demo.len());
}

#[sqlx::test(migrations = false)]
async fn profiles_without_postgres_or_read_only_are_refused(pool: PgPool) {
    let (ctx, _dir) = context(None, false).await;
    let err = seed(&ctx, Some("demo"), &options(), &Progress::none())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::Invalid { .. }), "{message}");
    assert!(
        message.contains("profile \"demo\"") && message.contains("--postgres-url"),
        "{message}"
    );
    let store = ctx.profile(Some("demo")).unwrap().store().await.unwrap();
    assert!(everything(store.as_ref()).await.is_empty());

    let (ctx, _dir) = context(Some(url_of(&pool).await), true).await;
    let err = seed(&ctx, Some("demo"), &options(), &Progress::none())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ReadOnlyProfile { .. }), "{err}");
    let tables: Option<String> = sqlx::query_scalar("SELECT to_regclass('sales.users')::text")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tables, None, "nothing was generated");
}
