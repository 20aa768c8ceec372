//! Deleting by prefix (dry run, confirmation, read-only refusal, cancellation, audit),
//! export/import round trips, and the key views the UI is sent, through a `CoreContext` on real
//! stores.

use cachescope_core::key_deletion::{delete_prefix, DeleteMode};
use cachescope_core::key_transfer::{export_prefix, import_jsonl};
use cachescope_core::kv::{Entry, Expiry, KvStore, Metadata, PutOptions};
use cachescope_core::paths::AppDirs;
use cachescope_core::profiles::{Profile, ProfileKind};
use cachescope_core::progress::Progress;
use cachescope_core::secrets::SecretStore;
use cachescope_core::{CoreContext, Error};
use tokio_util::sync::CancellationToken;

pub async fn context() -> (CoreContext, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let dirs = AppDirs::under(dir.path());
    let ctx = CoreContext::open_with_secrets(SecretStore::files_only(&dirs.secrets_dir()), dirs)
        .await
        .unwrap();
    (ctx, dir)
}

async fn fill(store: &dyn KvStore, prefix: &str, n: usize) {
    let entries: Vec<Entry> = (0..n)
        .map(|i| Entry {
            key: format!("{prefix}{i:04}"),
            value: b"{}".to_vec(),
            options: PutOptions::default(),
        })
        .collect();
    store.bulk_put(&entries).await.unwrap();
}

async fn count(store: &dyn KvStore, prefix: &str) -> usize {
    cachescope_core::kv::list_all(store, Some(prefix), &Progress::none())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn delete_prefix_dry_runs_then_deletes_only_that_prefix_and_audits_both() {
    let (ctx, _dir) = context().await;
    let store = ctx.profile(None).unwrap().store().await.unwrap();
    fill(store.as_ref(), "user:42:", 30).await;
    fill(store.as_ref(), "user:420:", 5).await;
    let plan = delete_prefix(
        &ctx,
        None,
        "user:42:",
        DeleteMode::DryRun,
        &Progress::none(),
    )
    .await
    .unwrap();
    assert_eq!((plan.matched, plan.deleted, plan.sample.len()), (30, 0, 20));
    assert_eq!(plan.sample[0], "user:42:0000");
    assert_eq!(
        count(store.as_ref(), "user:42").await,
        35,
        "a dry run deletes nothing"
    );

    let err = delete_prefix(
        &ctx,
        None,
        "user:42:",
        DeleteMode::Execute {
            confirmation: "user:4".into(),
        },
        &Progress::none(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid { what, .. } if what == "confirmation"),
        "{err:?}"
    );

    let done = delete_prefix(
        &ctx,
        None,
        "user:42:",
        DeleteMode::Execute {
            confirmation: "user:42:".into(),
        },
        &Progress::none(),
    )
    .await
    .unwrap();
    assert_eq!(
        (done.matched, done.deleted, done.cancelled),
        (30, 30, false)
    );
    assert_eq!(count(store.as_ref(), "user:42:").await, 0);
    assert_eq!(count(store.as_ref(), "user:420:").await, 5);

    let audit = ctx.audit().recent(10).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(
        (
            audit[0].entry.dry_run,
            audit[0].entry.item_count,
            audit[0].entry.outcome.as_str()
        ),
        (false, 30, "done")
    );
    assert_eq!(
        (audit[1].entry.dry_run, audit[1].entry.item_count),
        (true, 30)
    );
    assert_eq!(audit[0].entry.target, "user:42:");
    assert!(!audit[0].os_user.is_empty() && !audit[0].host.is_empty());
}

#[tokio::test]
async fn an_empty_prefix_is_refused() {
    let (ctx, _dir) = context().await;
    let err = delete_prefix(
        &ctx,
        None,
        "",
        DeleteMode::Execute {
            confirmation: String::new(),
        },
        &Progress::none(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid { what, .. } if what == "prefix"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_cancelled_delete_stops_between_bulk_calls_and_says_so() {
    let (ctx, _dir) = context().await;
    let store = ctx.profile(None).unwrap().store().await.unwrap();
    fill(store.as_ref(), "report:", 12).await;
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    // Cancel as soon as the delete phase starts: no bulk call may run.
    let progress = Progress::new(cancel, move |u| {
        if u.phase == "delete" {
            trigger.cancel();
        }
    });
    let done = delete_prefix(
        &ctx,
        None,
        "report:",
        DeleteMode::Execute {
            confirmation: "report:".into(),
        },
        &progress,
    )
    .await
    .unwrap();
    assert!(done.cancelled);
    assert_eq!((done.matched, done.deleted), (12, 0));
    assert_eq!(count(store.as_ref(), "report:").await, 12);
    assert_eq!(
        ctx.audit().recent(1).await.unwrap()[0].entry.outcome,
        "cancelled"
    );
}

#[tokio::test]
async fn read_only_and_locked_production_profiles_refuse_writes_in_the_core() {
    let (ctx, dir) = context().await;
    let path = dir.path().join("shared.sqlite");
    let writable = Profile {
        name: "rw".into(),
        kind: ProfileKind::Local,
        path: Some(path.clone()),
        ..Profile::builtin_local()
    };
    ctx.save_profile(writable, None, None).await.unwrap();
    fill(
        ctx.profile(Some("rw"))
            .unwrap()
            .store()
            .await
            .unwrap()
            .as_ref(),
        "report:",
        3,
    )
    .await;
    for (name, read_only, production, unlocked) in
        [("ro", true, false, false), ("prod", false, true, false)]
    {
        let profile = Profile {
            name: name.into(),
            kind: ProfileKind::Local,
            path: Some(path.clone()),
            read_only,
            production,
            unlocked,
            ..Profile::builtin_local()
        };
        ctx.save_profile(profile, None, None).await.unwrap();
        let store = ctx.profile(Some(name)).unwrap().store().await.unwrap();
        assert_eq!(count(store.as_ref(), "report:").await, 3, "reads work");
        for err in [
            store
                .put("report:x", b"1", &PutOptions::default())
                .await
                .unwrap_err(),
            store.delete("report:0000").await.unwrap_err(),
            store
                .bulk_delete(&["report:0000".to_owned()])
                .await
                .unwrap_err(),
            delete_prefix(
                &ctx,
                Some(name),
                "report:",
                DeleteMode::Execute {
                    confirmation: "report:".into(),
                },
                &Progress::none(),
            )
            .await
            .unwrap_err(),
            cachescope_core::key_deletion::delete_key(&ctx, Some(name), "report:0001")
                .await
                .unwrap_err(),
        ] {
            assert!(
                matches!(&err, Error::ReadOnlyProfile { profile, .. } if profile == name),
                "{err:?}"
            );
        }
        assert_eq!(
            count(store.as_ref(), "report:").await,
            3,
            "nothing was deleted through {name}"
        );
    }
    // Unlocking production allows writes.
    let unlocked = Profile {
        name: "prod".into(),
        kind: ProfileKind::Local,
        path: Some(path),
        production: true,
        unlocked: true,
        ..Profile::builtin_local()
    };
    ctx.save_profile(unlocked, None, None).await.unwrap();
    ctx.profile(Some("prod"))
        .unwrap()
        .store()
        .await
        .unwrap()
        .put("report:x", b"1", &PutOptions::default())
        .await
        .unwrap();
}

/// `metadata` rides on the first key; it must come back as the same text.
async fn export_import_round_trip(
    source: &dyn KvStore,
    target: &dyn KvStore,
    prefix: &str,
    metadata: &str,
) {
    let binary: Vec<u8> = (0..=255u8).collect();
    let far = cachescope_core::kv::limits::unix_now() + 7200;
    let entries = vec![
        Entry {
            key: format!("{prefix}report:close-cases"),
            value: br#"{"thisWeek":{"wonCount":3}}"#.to_vec(),
            options: PutOptions {
                expiry: Expiry::At(far),
                metadata: Some(Metadata::parse(metadata, "metadata").unwrap()),
            },
        },
        Entry {
            key: format!("{prefix}snapshot:path-stats:v1"),
            value: binary.clone(),
            options: PutOptions::default(),
        },
        Entry {
            key: format!("{prefix}user:1/odd key%"),
            value: "ünï".as_bytes().to_vec(),
            options: PutOptions::default(),
        },
    ];
    source.bulk_put(&entries).await.unwrap();
    let mut file = Vec::new();
    assert_eq!(
        export_prefix(source, Some(prefix), &mut file, &Progress::none())
            .await
            .unwrap(),
        3
    );
    let text = String::from_utf8(file.clone()).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(text.contains(r#""base64":true"#));
    let report = import_jsonl(
        target,
        &mut file.as_slice(),
        "export.jsonl",
        &Progress::none(),
    )
    .await
    .unwrap();
    assert_eq!((report.written, report.skipped_expired), (3, 0));
    for e in &entries {
        let got = target.get(&e.key).await.unwrap().expect("imported");
        assert_eq!(got.bytes, e.value, "{}", e.key);
        assert_eq!(got.metadata, e.options.metadata);
    }
    assert_eq!(
        target
            .get(&entries[0].key)
            .await
            .unwrap()
            .unwrap()
            .expiration,
        Some(far)
    );
}

#[tokio::test]
async fn export_then_import_between_local_namespaces_is_exact() {
    let (ctx, _dir) = context().await;
    let source = ctx.profile(None).unwrap().store().await.unwrap();
    let other = tempfile::tempdir().unwrap();
    let target =
        cachescope_core::kv::local::LocalStore::open(&other.path().join("t.sqlite"), "mirror")
            .await
            .unwrap();
    // Beyond 64 bits: between local namespaces an export and an import keep every digit.
    let metadata = r#"{"h":"1","id":123456789012345678901234567890}"#;
    export_import_round_trip(source.as_ref(), &target, "x/", metadata).await;
}

#[tokio::test]
async fn export_from_the_simulator_imports_into_a_local_namespace() {
    let source = crate::support::cloudflare("export");
    let target = crate::support::local("import").await;
    // The simulator is a JavaScript runtime: it keeps integers only up to 2^53.
    let metadata = r#"{"h":"1","id":9007199254740991}"#;
    export_import_round_trip(
        source.store.as_ref(),
        target.store.as_ref(),
        &source.prefix,
        metadata,
    )
    .await;
}

#[tokio::test]
async fn a_bad_line_anywhere_stops_the_import_before_any_write() {
    let (ctx, _dir) = context().await;
    let store = ctx.profile(None).unwrap().store().await.unwrap();
    let file =
        "{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"b\",\"value\":\"2\",\"metadata\":{\"x\":\""
            .to_owned()
            + &"y".repeat(1100)
            + "\"}}\n";
    let err = import_jsonl(
        store.as_ref(),
        &mut file.as_bytes(),
        "dump.jsonl",
        &Progress::none(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("dump.jsonl line 2"), "{err}");
    let file = "{\"key\":\"a\",\"value\":\"1\"}\nnot json\n";
    let err = import_jsonl(
        store.as_ref(),
        &mut file.as_bytes(),
        "dump.jsonl",
        &Progress::none(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("dump.jsonl line 2"), "{err}");
    assert_eq!(store.get("a").await.unwrap(), None, "nothing half-written");
    // Expired lines are skipped, not refused.
    let file = "{\"key\":\"old\",\"value\":\"1\",\"expiration\":1000}\n{\"key\":\"new\",\"value\":\"2\"}\n";
    let report = import_jsonl(
        store.as_ref(),
        &mut file.as_bytes(),
        "dump.jsonl",
        &Progress::none(),
    )
    .await
    .unwrap();
    assert_eq!((report.written, report.skipped_expired), (1, 1));
}

#[tokio::test]
async fn metadata_reaches_the_key_views_as_exact_json_text() {
    let (ctx, _dir) = context().await;
    let store = ctx.profile(None).unwrap().store().await.unwrap();
    // 64-bit extremes, an integer beyond 64 bits and a decimal longer than a double holds.
    let text = r#"{"id":12345678901234567890,"rows":-9223372036854775808,"big":123456789012345678901234567890,"r":0.1000000000000000000001,"v":2}"#;
    let metadata = Metadata::parse(text, "metadata").unwrap();
    store
        .put(
            "report:ids",
            b"{}",
            &PutOptions {
                metadata: Some(metadata),
                ..PutOptions::default()
            },
        )
        .await
        .unwrap();
    store
        .put("report:plain", b"{}", &PutOptions::default())
        .await
        .unwrap();

    let view = cachescope_core::value_view::read_value(&ctx, "local", "report:ids", None)
        .await
        .unwrap();
    assert_eq!(view.metadata.as_deref(), Some(text));

    let page: cachescope_core::value_view::KeyPageView = store
        .list(&cachescope_core::kv::ListOptions {
            prefix: Some("report:".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into();
    let metadata: Vec<_> = page
        .keys
        .iter()
        .map(|k| (k.name.as_str(), k.metadata.as_deref()))
        .collect();
    assert_eq!(
        metadata,
        [("report:ids", Some(text)), ("report:plain", None)]
    );
}
