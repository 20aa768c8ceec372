//! The demo's path-statistics snapshots under `prune-snapshots` with its default options: the
//! job finds the eight versions the demo writes (one family definition serves both), keeps the
//! newest five and the version the demo's pointer names, and deletes exactly v1 to v3.

use cachescope_core::jobs::counts::KeyCleanupCounts;
use cachescope_core::jobs::history::JobRunStatus;
use cachescope_core::jobs::{run_job, JobCounts, JobName, JobRunRequest};
use cachescope_core::kv::list_all;
use cachescope_core::progress::Progress;
use cachescope_demo::keys::{self, KeysOptions};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::seed::{context, url_of};

fn now() -> DateTime<Utc> {
    "2026-11-25T10:30:00Z".parse().unwrap()
}

#[sqlx::test(migrations = false)]
async fn prune_snapshots_with_default_options_finds_the_demo_snapshots(pool: PgPool) {
    let (ctx, _dir) = context(Some(url_of(&pool).await), false).await;
    let store = ctx.profile(Some("demo")).unwrap().store().await.unwrap();
    keys::write(
        store.as_ref(),
        &KeysOptions { users: 5, seed: 7 },
        now(),
        &Progress::none(),
    )
    .await
    .unwrap();
    let snapshot_keys = || async {
        let mut names: Vec<String> = list_all(store.as_ref(), Some("snapshot:"), &Progress::none())
            .await
            .unwrap()
            .into_iter()
            .map(|k| k.name)
            .collect();
        names.sort();
        names
    };
    let written = snapshot_keys().await;
    assert_eq!(written.len(), 9, "{written:?}");

    let run = |dry_run: bool| {
        let request =
            JobRunRequest::manual(JobName::PruneSnapshots, dry_run).confirmed("prune-snapshots");
        let ctx = &ctx;
        async move {
            run_job(ctx, Some("demo"), &request, &Progress::none(), None)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let dry = run(true).await;
    assert_eq!(dry.status, JobRunStatus::Succeeded, "{dry:?}");
    assert_eq!(
        dry.counts,
        Some(JobCounts::PruneSnapshots(KeyCleanupCounts {
            matched: 8,
            to_delete: 3,
            deleted: 0,
            failed: None,
            kept_by_pointer: Some(0),
        }))
    );
    assert_eq!(dry.summary, "would delete 3 of 8 keys");
    assert_eq!(
        dry.detail["sample"],
        serde_json::json!([
            "snapshot:path-stats:v3",
            "snapshot:path-stats:v2",
            "snapshot:path-stats:v1"
        ])
    );
    assert_eq!(dry.detail["pointerKey"], "snapshot:path-stats:latest");
    assert_eq!(dry.detail["pointerVersion"], 8);
    assert_eq!(snapshot_keys().await, written, "a dry run deletes nothing");

    let real = run(false).await;
    assert_eq!(real.status, JobRunStatus::Succeeded, "{real:?}");
    assert_eq!(real.summary, "deleted 3 of 8 keys");
    assert_eq!(
        snapshot_keys().await,
        [
            "snapshot:path-stats:latest",
            "snapshot:path-stats:v4",
            "snapshot:path-stats:v5",
            "snapshot:path-stats:v6",
            "snapshot:path-stats:v7",
            "snapshot:path-stats:v8"
        ]
    );
}
