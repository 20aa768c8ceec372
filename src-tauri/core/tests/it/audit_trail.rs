//! The audit log: a profile that names a Postgres database writes every change (key writes,
//! TTLs, imports, deletes, job settings) to that database's shared log, so a second console sees
//! the first one's history; changes to this machine's profiles stay in its local file; and a
//! destructive action whose intent cannot be recorded does not start.

use cachescope_core::jobs::{run_job, setting_changes, JobName, JobRunRequest};
use cachescope_core::key_deletion::{delete_key, delete_prefix, DeleteMode};
use cachescope_core::key_expiry::set_key_ttl;
use cachescope_core::key_transfer::import_into_profile;
use cachescope_core::key_writing::put_key;
use cachescope_core::kv::PutOptions;
use cachescope_core::profiles::Profile;
use cachescope_core::progress::Progress;
use serde_json::json;
use sqlx::PgPool;

use crate::report_precompute::context_on;

fn profile() -> Profile {
    Profile {
        name: "shared".to_owned(),
        ..Profile::builtin_local()
    }
}

async fn shared_log(ctx: &cachescope_core::CoreContext) -> Vec<(String, String, String)> {
    let mut records = ctx
        .profile(Some("shared"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap()
        .recent(100)
        .await
        .unwrap();
    records.reverse();
    records
        .into_iter()
        .map(|r| (r.entry.action, r.entry.target, r.entry.outcome))
        .collect()
}

fn entry(action: &str, target: &str, outcome: &str) -> (String, String, String) {
    (action.to_owned(), target.to_owned(), outcome.to_owned())
}

#[sqlx::test(migrations = false)]
async fn every_change_of_a_profile_with_postgres_is_in_one_log_every_console_sees(pool: PgPool) {
    // Job options name tables that must exist (the demo source schema has them).
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    let (a, _a_dir) = context_on(&pool, profile(), None).await;
    let (b, _b_dir) = context_on(&pool, profile(), None).await;
    let p = Some("shared");

    put_key(&a, p, "report:x", b"{}", &PutOptions::default())
        .await
        .unwrap();
    set_key_ttl(&a, p, "report:x", Some(3600)).await.unwrap();
    let lines = "{\"key\":\"user:1:a\",\"value\":\"1\"}\n{\"key\":\"user:1:b\",\"value\":\"2\"}\n";
    let imported = import_into_profile(
        &a,
        p,
        &mut lines.as_bytes(),
        "keys.jsonl",
        &Progress::none(),
    )
    .await
    .unwrap();
    assert_eq!(imported.written, 2);
    delete_prefix(&a, p, "user:1:", DeleteMode::DryRun, &Progress::none())
        .await
        .unwrap();
    delete_prefix(
        &a,
        p,
        "user:1:",
        DeleteMode::Execute {
            confirmation: "user:1:".to_owned(),
        },
        &Progress::none(),
    )
    .await
    .unwrap();
    assert!(delete_key(&a, p, "report:x").await.unwrap());
    setting_changes::set_options(&a, p, JobName::Archive, json!({ "retentionDays": 5 }))
        .await
        .unwrap();
    setting_changes::set_schedule(&a, p, JobName::Archive, Some("0 1 * * *"), "Europe/Berlin")
        .await
        .unwrap();
    setting_changes::set_paused(&a, p, JobName::Archive, true)
        .await
        .unwrap();
    // A refused change (a bad option) is recorded as failed, and changes nothing.
    setting_changes::set_options(&a, p, JobName::Archive, json!({ "retentionDays": 0 }))
        .await
        .unwrap_err();

    let expected = vec![
        entry("put", "report:x", "done"),
        entry("set-ttl", "report:x", "done"),
        entry("import", "keys.jsonl", "done"),
        entry("delete-prefix", "user:1:", "dry run"),
        entry("delete-prefix", "user:1:", "done"),
        entry("delete-key", "report:x", "done"),
        entry("job-options", "archive", "done"),
        entry("job-schedule", "archive", "done"),
        entry("job-pause", "archive", "done"),
    ];
    let seen_by_b = shared_log(&b).await;
    assert_eq!(seen_by_b[..expected.len()], expected[..], "{seen_by_b:?}");
    let refused = &seen_by_b[expected.len()];
    assert_eq!(refused.0, "job-options");
    assert!(refused.2.starts_with("failed: ") && refused.2.contains("retentionDays"));
    assert_eq!(seen_by_b.len(), expected.len() + 1);
    let counts: Vec<u64> = b
        .profile(Some("shared"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap()
        .recent(100)
        .await
        .unwrap()
        .iter()
        .rev()
        .take(6)
        .map(|r| r.entry.item_count)
        .collect();
    assert_eq!(
        counts,
        [1, 1, 2, 2, 2, 1],
        "put, ttl, import, dry, delete, key"
    );

    // None of it is in either machine's local file: only their own profile changes are.
    a.set_default_profile("shared").await.unwrap();
    a.switch_namespace("shared", "other").await.unwrap();
    let local: Vec<String> = a
        .audit()
        .recent(100)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|r| format!("{} {} {}", r.entry.action, r.entry.target, r.entry.outcome))
        .collect();
    assert_eq!(
        local,
        [
            "profile-save shared done",
            "profile-default shared done",
            "profile-namespace shared done"
        ]
    );
    let b_local = b.audit().recent(100).await.unwrap();
    assert_eq!(b_local.len(), 1, "{b_local:?}");
}

#[sqlx::test(migrations = false)]
async fn a_destructive_action_whose_intent_cannot_be_recorded_does_not_start(pool: PgPool) {
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    let (ctx, _dir) = context_on(&pool, profile(), None).await;
    let p = Some("shared");
    let store = ctx.profile(p).unwrap().store().await.unwrap();
    for key in ["user:7:a", "user:7:b", "report:y"] {
        store.put(key, b"1", &PutOptions::default()).await.unwrap();
    }
    // Seven snapshot versions of the job's default family: prune-snapshots would delete the two
    // oldest.
    for version in 1..=7 {
        let key = format!("snapshot:path-stats:v{version}");
        store.put(&key, b"1", &PutOptions::default()).await.unwrap();
    }
    ctx.profile(Some("shared"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap();
    // The shared log becomes unwritable (a revoked grant, a full disk, a broken table).
    sqlx::query("ALTER TABLE cachescope.audit_log RENAME TO audit_log_gone")
        .execute(&pool)
        .await
        .unwrap();

    delete_prefix(
        &ctx,
        p,
        "user:7:",
        DeleteMode::Execute {
            confirmation: "user:7:".to_owned(),
        },
        &Progress::none(),
    )
    .await
    .unwrap_err();
    delete_key(&ctx, p, "report:y").await.unwrap_err();
    put_key(&ctx, p, "report:z", b"1", &PutOptions::default())
        .await
        .unwrap_err();
    let keys: Vec<String> = cachescope_core::kv::list_all(store.as_ref(), None, &Progress::none())
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert_eq!(
        keys.iter()
            .filter(|k| !k.starts_with("snapshot:"))
            .collect::<Vec<_>>(),
        ["report:y", "user:7:a", "user:7:b"],
        "nothing changed"
    );

    // A job run: recorded as failed before its work, with the reason; nothing deleted.
    let run = run_job(
        &ctx,
        p,
        &JobRunRequest::manual(JobName::PruneSnapshots, false).confirmed("prune-snapshots"),
        &Progress::none(),
        None,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(run.status.as_str(), "failed", "{run:?}");
    assert!(
        run.error
            .as_deref()
            .unwrap_or_default()
            .contains("audit log"),
        "{run:?}"
    );
    let snapshots =
        cachescope_core::kv::list_all(store.as_ref(), Some("snapshot:"), &Progress::none())
            .await
            .unwrap();
    assert_eq!(snapshots.len(), 7, "no snapshot was pruned");
}
