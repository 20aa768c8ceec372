//! prune-snapshots and the snapshot family's `latest` pointer, on the local store and on the KV
//! simulator: a pointer naming an old version keeps it and every newer version whatever
//! `keepVersions` says, no pointer keeps the newest `keepVersions` as before, and a pointer that
//! is not a version number fails the run by name, dry or real, before anything is deleted. A
//! refresh whose version cannot be written leaves the pointer where it was.

use cachescope_core::jobs::counts::KeyCleanupCounts;
use cachescope_core::jobs::history::{JobRunRecord, JobRunStatus};
use cachescope_core::jobs::snapshots::SnapshotFamily;
use cachescope_core::jobs::{JobCounts, JobName};
use cachescope_core::kv::{limits, KvStore, Metadata, PutOptions};
use cachescope_core::profiles::{Profile, ProfileKind};
use cachescope_core::progress::Progress;
use cachescope_core::CoreContext;
use serde_json::json;
use sqlx::PgPool;

use super::{run, set_options, setup};
use crate::report_precompute::context_on;

const POINTER: &str = "snapshot:path-stats:latest";

/// Versions `versions` of the demo's family (the job's default), each holding its number, and
/// the pointer holding `pointer` when given.
async fn write_family(
    store: &dyn KvStore,
    versions: std::ops::RangeInclusive<u64>,
    pointer: Option<&[u8]>,
) {
    let family = SnapshotFamily::path_stats();
    for version in versions {
        store
            .put(
                &family.version_key(version),
                version.to_string().as_bytes(),
                &PutOptions::default(),
            )
            .await
            .unwrap();
    }
    if let Some(value) = pointer {
        store
            .put(POINTER, value, &PutOptions::default())
            .await
            .unwrap();
    }
}

/// Every key of the store, sorted (the tests write nothing else).
async fn all_keys(store: &dyn KvStore) -> Vec<String> {
    let mut keys: Vec<String> = cachescope_core::kv::list_all(store, None, &Progress::none())
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    keys.sort();
    keys
}

async fn clear(store: &dyn KvStore) {
    store.bulk_delete(&all_keys(store).await).await.unwrap();
}

fn versions(list: &[u64]) -> Vec<String> {
    list.iter()
        .map(|v| format!("snapshot:path-stats:v{v}"))
        .collect()
}

fn counts(record: &JobRunRecord) -> KeyCleanupCounts {
    match &record.counts {
        Some(JobCounts::PruneSnapshots(counts)) => counts.clone(),
        other => panic!("no prune-snapshots counts: {other:?}"),
    }
}

fn sample(record: &JobRunRecord) -> Vec<String> {
    record.detail["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

/// The pointer rules on `ctx`'s profile `jobs` (its store is `store`), with `keepVersions` 2.
async fn pointer_rules(ctx: &CoreContext, pool: &PgPool, store: &dyn KvStore) {
    set_options(pool, JobName::PruneSnapshots, json!({ "keepVersions": 2 })).await;

    // (a) v1..v8, the pointer names v3 (rolled back to an old version): v3 and everything above
    // it stay, though keepVersions alone would keep only v8 and v7; v1 and v2 go.
    write_family(store, 1..=8, Some(b"3")).await;
    let dry = run(ctx, JobName::PruneSnapshots, true).await;
    assert_eq!(dry.status, JobRunStatus::Succeeded, "{dry:?}");
    assert_eq!(
        counts(&dry),
        KeyCleanupCounts {
            matched: 8,
            to_delete: 2,
            deleted: 0,
            failed: None,
            kept_by_pointer: Some(4),
        }
    );
    assert_eq!(
        dry.summary,
        "would delete 2 of 8 keys; kept 4 from v3 up, the version snapshot:path-stats:latest names"
    );
    assert_eq!(sample(&dry), versions(&[2, 1]));
    assert_eq!(dry.detail["pointerKey"], POINTER);
    assert_eq!(dry.detail["pointerVersion"], 3);
    assert_eq!(dry.detail["keptByPointer"], 4);
    let mut everything = versions(&[1, 2, 3, 4, 5, 6, 7, 8]);
    everything.insert(0, POINTER.to_owned());
    everything.sort();
    assert_eq!(
        all_keys(store).await,
        everything,
        "a dry run deletes nothing"
    );

    let real = run(ctx, JobName::PruneSnapshots, false).await;
    assert_eq!(real.status, JobRunStatus::Succeeded, "{real:?}");
    assert_eq!(
        counts(&real),
        KeyCleanupCounts {
            matched: 8,
            to_delete: 2,
            deleted: 2,
            failed: None,
            kept_by_pointer: Some(4),
        }
    );
    assert_eq!(
        real.summary,
        "deleted 2 of 8 keys; kept 4 from v3 up, the version snapshot:path-stats:latest names"
    );
    let mut left = versions(&[3, 4, 5, 6, 7, 8]);
    left.insert(0, POINTER.to_owned());
    left.sort();
    assert_eq!(all_keys(store).await, left);
    assert_eq!(
        store.get(POINTER).await.unwrap().unwrap().bytes,
        b"3",
        "the pointer is never touched"
    );
    // Run again: nothing under the pointer is left to delete.
    let again = run(ctx, JobName::PruneSnapshots, false).await;
    assert_eq!(
        (
            counts(&again).matched,
            counts(&again).deleted,
            counts(&again).kept_by_pointer
        ),
        (6, 0, Some(4))
    );
    assert_eq!(all_keys(store).await, left);

    // (b) No pointer: the newest keepVersions stay, as before the pointer rule.
    clear(store).await;
    write_family(store, 1..=8, None).await;
    let plain = run(ctx, JobName::PruneSnapshots, false).await;
    assert_eq!(
        counts(&plain),
        KeyCleanupCounts {
            matched: 8,
            to_delete: 6,
            deleted: 6,
            failed: None,
            kept_by_pointer: None,
        }
    );
    assert_eq!(plain.summary, "deleted 6 of 8 keys");
    assert!(
        plain.detail.get("pointerKey").is_none(),
        "{:?}",
        plain.detail
    );
    assert_eq!(all_keys(store).await, versions(&[7, 8]));

    // (c) A pointer that is not a version number: dry or real, the run fails naming the pointer
    // key and deletes nothing; it does not guess.
    clear(store).await;
    write_family(store, 1..=8, Some(b"v3")).await;
    let before = all_keys(store).await;
    assert_eq!(before.len(), 9);
    let expected = "invalid snapshot pointer \"snapshot:path-stats:latest\": holds \"v3\", not a \
                    version number; prune-snapshots deleted nothing (it does not guess which \
                    version readers use: write the version number there, or delete the pointer)";
    for dry_run in [true, false] {
        let refused = run(ctx, JobName::PruneSnapshots, dry_run).await;
        assert_eq!(refused.status, JobRunStatus::Failed, "{refused:?}");
        assert_eq!(
            refused.error.as_deref(),
            Some(expected),
            "dry run: {dry_run}"
        );
        assert_eq!(refused.counts, None, "no key counted as deleted");
        assert_eq!(
            all_keys(store).await,
            before,
            "nothing deleted (dry run: {dry_run})"
        );
    }
    // The real run's audit entry says it failed having deleted nothing.
    let audit = ctx
        .profile(Some("jobs"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap()
        .recent(1)
        .await
        .unwrap();
    let last = &audit[0].entry;
    assert_eq!(
        (last.action.as_str(), last.dry_run, last.item_count),
        ("job:prune-snapshots", false, 0)
    );
    assert!(last.outcome.starts_with("failed"), "{last:?}");
    // Binary garbage is refused the same way.
    store
        .put(POINTER, b"\x1f\x8b\x08", &PutOptions::default())
        .await
        .unwrap();
    let binary = run(ctx, JobName::PruneSnapshots, false).await;
    assert!(
        binary.error.as_deref().unwrap_or_default().starts_with(
            "invalid snapshot pointer \"snapshot:path-stats:latest\": holds 3 bytes that are not \
             text;"
        ),
        "{binary:?}"
    );
    assert_eq!(all_keys(store).await, before);
    clear(store).await;
}

/// A refresh writes the version, then the pointer; a version that cannot be written (metadata
/// over KV's limit) leaves the pointer naming the old version and writes nothing.
async fn refresh_order(store: &dyn KvStore) {
    let family = SnapshotFamily::path_stats();
    family
        .refresh(store, 1, b"first", &PutOptions::default())
        .await
        .unwrap();
    assert_eq!(store.get(POINTER).await.unwrap().unwrap().bytes, b"1");
    let too_big = PutOptions {
        metadata: Some(Metadata::from(
            json!({ "pad": "x".repeat(limits::MAX_METADATA_BYTES) }),
        )),
        ..PutOptions::default()
    };
    family
        .refresh(store, 2, b"second", &too_big)
        .await
        .unwrap_err();
    assert_eq!(store.get(POINTER).await.unwrap().unwrap().bytes, b"1");
    assert_eq!(
        all_keys(store).await,
        [POINTER.to_owned(), "snapshot:path-stats:v1".to_owned()]
    );
    family
        .refresh(store, 2, b"second", &PutOptions::default())
        .await
        .unwrap();
    assert_eq!(store.get(POINTER).await.unwrap().unwrap().bytes, b"2");
    assert_eq!(
        store
            .get("snapshot:path-stats:v2")
            .await
            .unwrap()
            .unwrap()
            .bytes,
        b"second"
    );
    clear(store).await;
}

#[sqlx::test(migrations = false)]
async fn the_pointer_keeps_its_version_and_newer_ones_on_the_local_store(pool: PgPool) {
    let (ctx, _dir) = setup(&pool).await;
    let store = ctx.profile(Some("jobs")).unwrap().store().await.unwrap();
    pointer_rules(&ctx, &pool, store.as_ref()).await;
    refresh_order(store.as_ref()).await;
}

#[sqlx::test(migrations = false)]
async fn the_pointer_keeps_its_version_and_newer_ones_on_the_simulator(pool: PgPool) {
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    cachescope_core::db::migrate(&pool).await.unwrap();
    let sim = cachescope_testkit::start(&[]);
    let cloudflare = Profile {
        name: "jobs".to_owned(),
        kind: ProfileKind::Cloudflare,
        account_id: Some(sim.account_id.clone()),
        namespace_id: Some(sim.namespace_id.clone()),
        base_url: Some(sim.url.clone()),
        ..Profile::builtin_local()
    };
    let (ctx, _dir) = context_on(&pool, cloudflare, Some(&sim.token)).await;
    let store = ctx.profile(Some("jobs")).unwrap().store().await.unwrap();
    pointer_rules(&ctx, &pool, store.as_ref()).await;
    refresh_order(store.as_ref()).await;
}
