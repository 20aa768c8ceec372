//! Precompute against real Postgres (the fixture) and the KV simulator: skip-unchanged with
//! request counts, exact rewrites after a change, a failing report (bad SQL, or SQL past the
//! profile's time limit) that writes nothing while the others complete, the run record; and through a `CoreContext`: the SQL fallback on a
//! miss, the freshness diff and the offline mirror when KV cannot be reached.

use std::time::Duration;

use cachescope_core::db_limits::DbLimits;
use cachescope_core::kv::cloudflare::CloudflareStore;
use cachescope_core::kv::local::LocalStore;
use cachescope_core::kv::{list_all, KvStore};
use cachescope_core::profiles::{Profile, ProfileKind};
use cachescope_core::progress::Progress;
use cachescope_core::reports::compute::{compute, AsOf};
use cachescope_core::reports::precompute::{self, PrecomputeRequest, RunStatus, WriteReason};
use cachescope_core::reports::reading::{self, ReadFrom, ReportTarget, ValueSource};
use cachescope_core::reports::{mirror, Catalog};
use cachescope_core::Error;
use secrecy::SecretString;
use sqlx::PgPool;

use super::report_values::{as_of, load_fixture, BEN};

/// Keys the built-ins produce from the fixture: 13 report keys + 3 page keys for 5 reps.
const FIXTURE_KEYS: u64 = 13 + 15;

/// A fresh local namespace in a temporary directory (kept alive by the returned guard).
async fn local_store() -> (LocalStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(&dir.path().join("ns.sqlite"), "default")
        .await
        .unwrap();
    (store, dir)
}

fn own_simulator_store() -> (CloudflareStore, cachescope_testkit::Simulator) {
    let sim = cachescope_testkit::start(&[]);
    let config = super::support::simulator_config_for(&sim, &sim.token);
    (CloudflareStore::new(config).unwrap(), sim)
}

#[sqlx::test(migrations = false)]
async fn rerun_writes_nothing_and_a_changed_row_rewrites_exactly_its_keys(pool: PgPool) {
    load_fixture(&pool).await;
    let (store, _sim) = own_simulator_store();
    let catalog = Catalog::builtin().unwrap();
    let all: Vec<_> = catalog.reports().iter().collect();
    let at = AsOf::at(as_of(), &catalog);
    let none = Progress::none();

    let first = precompute::run(&store, &pool, &all, &at, false, &none).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    assert_eq!((first.written, first.skipped), (FIXTURE_KEYS, 0));
    // Two listings ("report:" and "user:" cover every template) and one bulk write.
    assert_eq!(store.requests_sent(), 3);
    let stored = list_all(&store, None, &none).await.unwrap();
    assert_eq!(stored.len() as u64, FIXTURE_KEYS);
    let health = stored
        .iter()
        .find(|k| k.name == "report:system-health")
        .unwrap();
    let meta = health.metadata.as_ref().unwrap().to_value();
    assert_eq!(meta["report"], "system-health");
    assert!(meta["contentHash"].as_str().unwrap().starts_with("sha256:"));
    let ttl_left = health.expiration.unwrap() - chrono::Utc::now().timestamp();
    assert!((7100..=7200).contains(&ttl_left), "TTL left {ttl_left}");

    // Same data, a later moment of the same day: nothing changes, nothing is written.
    let later = AsOf::at(as_of() + chrono::Duration::minutes(15), &catalog);
    let before = store.requests_sent();
    let second = precompute::run(&store, &pool, &all, &later, false, &none).await;
    assert_eq!(
        (second.written, second.skipped),
        (0, FIXTURE_KEYS),
        "{second:#?}"
    );
    assert_eq!(store.requests_sent() - before, 2, "listings only, no write");

    // Ben finishes his overdue post-mortem: the to-do report and Ben's rep report change.
    sqlx::query("UPDATE sales.todos SET status = 'completed', completed_at = $1 WHERE title = 'Post-mortem'")
        .bind(as_of())
        .execute(&pool)
        .await
        .unwrap();
    let dry = precompute::run(&store, &pool, &all, &later, true, &none).await;
    let mut changed: Vec<(&str, WriteReason)> = dry
        .reports
        .iter()
        .flat_map(|r| r.keys.iter())
        .filter(|k| k.reason != WriteReason::Unchanged)
        .map(|k| (k.key.as_str(), k.reason))
        .collect();
    changed.sort_by_key(|(key, _)| *key);
    let ben_report = format!("report:rep:{BEN}");
    assert_eq!(
        changed,
        vec![
            (ben_report.as_str(), WriteReason::Changed),
            ("report:todo-stats", WriteReason::Changed)
        ]
    );
    assert_eq!(dry.written, 2, "a dry run counts what it would write");
    let before = store.requests_sent();
    let third = precompute::run(&store, &pool, &all, &later, false, &none).await;
    assert_eq!((third.written, third.skipped), (2, FIXTURE_KEYS - 2));
    assert_eq!(store.requests_sent() - before, 3);
    let todo = store.get("report:todo-stats").await.unwrap().unwrap();
    let todo: serde_json::Value = serde_json::from_slice(&todo.bytes).unwrap();
    assert_eq!(todo["overdue"]["total"], 1);
    assert_eq!(todo["generatedAt"], "2026-11-19T12:15:00.000Z");
}

#[sqlx::test(migrations = false)]
async fn values_are_exactly_what_the_sql_returned_and_the_time_is_in_metadata(pool: PgPool) {
    load_fixture(&pool).await;
    let (store, _dir) = local_store().await;
    let extra = r#"
[[report]]
name = "bare-list"
key = "list:reps"
ttl = 600
schedule = "*/15 * * * *"
sql = "SELECT json_agg(json_build_object('name', name, 'dept', department) ORDER BY name) FROM sales.users WHERE name IN ('Ann Lee', 'Cal Ito')"

[[report]]
name = "plain-object"
key = "object:plain"
ttl = 600
schedule = "*/15 * * * *"
sql = "SELECT json_build_object('reps', count(*), 'generatedAt', 'kept as the SQL wrote it') FROM sales.users"

[[report]]
name = "stamped-object"
key = "object:stamped"
ttl = 600
stamp = "builtAt"
schedule = "*/15 * * * *"
sql = "SELECT json_build_object('reps', count(*)) FROM sales.users"
"#;
    let catalog = Catalog::parse(extra, "reports.toml", None).unwrap();
    let all: Vec<_> = catalog.reports().iter().collect();
    let at = AsOf::at(as_of(), &catalog);
    let run = precompute::run(&store, &pool, &all, &at, false, &Progress::none()).await;
    assert_eq!((run.written, run.failed_reports), (3, 0), "{run:?}");
    let read = |key: &'static str| {
        let store = &store;
        async move { store.get(key).await.unwrap().unwrap() }
    };

    // A bare array, byte for byte as Postgres rendered it: nothing wrapped, nothing added.
    let list = read("list:reps").await;
    let sql_text: String = sqlx::query_scalar(
        "SELECT json_agg(json_build_object('name', name, 'dept', department) ORDER BY name)::text \
         FROM sales.users WHERE name IN ('Ann Lee', 'Cal Ito')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let expected: serde_json::Value = serde_json::from_str(&sql_text).unwrap();
    assert_eq!(list.bytes, serde_json::to_vec(&expected).unwrap());
    assert_eq!(
        expected,
        serde_json::json!([
            { "name": "Ann Lee", "dept": "default" },
            { "name": "Cal Ito", "dept": "enterprise" }
        ])
    );
    // The generation time and the content hash live in the metadata.
    let meta = list.metadata.unwrap().to_value();
    assert_eq!(meta["generatedAt"], "2026-11-19T12:00:00.000Z");
    assert_eq!(meta["report"], "bare-list");
    assert!(meta["contentHash"].as_str().unwrap().starts_with("sha256:"));

    // Without a stamp, a field the SQL returned is kept as it is, never overwritten.
    let plain: serde_json::Value =
        serde_json::from_slice(&read("object:plain").await.bytes).unwrap();
    assert_eq!(
        plain,
        serde_json::json!({ "reps": 7, "generatedAt": "kept as the SQL wrote it" })
    );
    // With one, the named field comes first and holds the generation time.
    let stamped = read("object:stamped").await;
    assert_eq!(
        String::from_utf8(stamped.bytes).unwrap(),
        r#"{"builtAt":"2026-11-19T12:00:00.000Z","reps":7}"#
    );

    // A later run with the same data writes nothing, arrays included (the hash ignores the stamp).
    let later = AsOf::at(as_of() + chrono::Duration::minutes(15), &catalog);
    let rerun = precompute::run(&store, &pool, &all, &later, false, &Progress::none()).await;
    assert_eq!((rerun.written, rerun.skipped), (0, 3), "{rerun:?}");

    // A stamp on a definition whose SQL returns an array fails that report by name.
    let wrong = Catalog::parse(
        r#"
[[report]]
name = "stamped-list"
key = "list:stamped"
ttl = 600
stamp = "generatedAt"
schedule = "*/15 * * * *"
sql = "SELECT json_build_array(1, 2)"
"#,
        "reports.toml",
        None,
    )
    .unwrap();
    let all: Vec<_> = wrong.reports().iter().collect();
    let failed = precompute::run(&store, &pool, &all, &at, false, &Progress::none()).await;
    let error = failed.reports[0].error.clone().unwrap_or_default();
    assert!(
        error.contains("is an array; only an object can carry the stamp field \"generatedAt\""),
        "{error}"
    );
    assert!(store.get("list:stamped").await.unwrap().is_none());
}

#[sqlx::test(migrations = false)]
async fn a_value_that_breaks_its_contract_is_not_written_and_its_report_fails_naming_where(
    pool: PgPool,
) {
    load_fixture(&pool).await;
    let (store, dir) = local_store().await;
    // A team's own contract beside its reports.toml, and a report whose SQL drifted from the
    // built-in Dashboard contract (averageScore became text).
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("contracts")).unwrap();
    std::fs::write(
        config.join("contracts/RepCount.json"),
        r#"{"type": "object", "required": ["reps"], "properties": {"reps": {"type": "integer", "minimum": 1}}}"#,
    )
    .unwrap();
    std::fs::write(
        config.join("reports.toml"),
        r#"
[[report]]
name = "rep-count"
key = "object:reps"
ttl = 600
contract = "RepCount"
schedule = "*/15 * * * *"
sql = "SELECT json_build_object('reps', count(*)) FROM sales.users WHERE role = 'rep'"

[[report]]
name = "drifted-dashboard"
key = "object:dashboard"
ttl = 600
contract = "Dashboard"
schedule = "*/15 * * * *"
sql = "SELECT json_build_object('summary', json_build_object('totalOpportunities', 1, 'totalConversations', 2, 'totalAnalyses', 3, 'averageScore', 'high'), 'statusDistribution', '[]'::json, 'recentAnalyses', '[]'::json)"
"#,
    )
    .unwrap();
    let catalog = Catalog::load(&config.join("reports.toml")).unwrap();
    let all = catalog
        .select(&["rep-count".to_owned(), "drifted-dashboard".to_owned()])
        .unwrap();
    let run = precompute::run(
        &store,
        &pool,
        &all,
        &AsOf::at(as_of(), &catalog),
        false,
        &Progress::none(),
    )
    .await;
    assert_eq!((run.written, run.failed_reports), (1, 1), "{run:?}");
    let error = run.reports[1].error.clone().unwrap_or_default();
    assert!(
        error.contains(
            "report \"drifted-dashboard\": the value of key \"object:dashboard\" breaks its \
             contract \"Dashboard\" at /summary/averageScore"
        ),
        "{error}"
    );
    assert!(store.get("object:dashboard").await.unwrap().is_none());
    assert_eq!(
        store.get("object:reps").await.unwrap().unwrap().bytes,
        br#"{"reps":5}"#
    );

    // A contract name that no contract has is refused when the definitions load, by name.
    std::fs::write(
        config.join("reports.toml"),
        "[[report]]\nname = \"x\"\nkey = \"x\"\nttl = 600\ncontract = \"Nope\"\n\
         schedule = \"*/15 * * * *\"\nsql = \"SELECT '{}'::json\"\n",
    )
    .unwrap();
    let err = Catalog::load(&config.join("reports.toml")).unwrap_err();
    assert!(
        err.to_string().contains("contract of report \"x\"")
            && err.to_string().contains("\"Nope\" is not a known contract"),
        "{err}"
    );
}

#[sqlx::test(migrations = false)]
async fn a_failing_report_is_named_writes_nothing_and_the_others_complete(pool: PgPool) {
    load_fixture(&pool).await;
    let (store, _dir) = local_store().await;
    let extra = r#"
[[report]]
name = "broken-sql"
key = "report:broken"
ttl = 600
schedule = "*/15 * * * *"
sql = "SELECT json_build_object('x', no_such_column) FROM sales.users"

[[report]]
name = "not-json"
key = "report:not-json"
ttl = 600
schedule = "*/15 * * * *"
sql = "SELECT 42"

[[report]]
name = "half-fan-out"
key = "report:half:{dept}"
ttl = 600
schedule = "*/15 * * * *"
fan_out = "SELECT DISTINCT department AS dept FROM sales.users"
sql = "SELECT CASE WHEN $1->>'dept' = 'default' THEN json_build_object('ok', true) ELSE to_json(1) END"

[[report]]
name = "missing-param"
key = "report:missing:{region}"
ttl = 600
schedule = "*/15 * * * *"
fan_out = "SELECT DISTINCT department AS dept FROM sales.users"
sql = "SELECT json_build_object('ok', true)"
"#;
    let catalog = Catalog::parse(extra, "reports.toml", Some(Catalog::builtin().unwrap())).unwrap();
    let all: Vec<_> = catalog.reports().iter().collect();
    let run = precompute::run(
        &store,
        &pool,
        &all,
        &AsOf::at(as_of(), &catalog),
        false,
        &Progress::none(),
    )
    .await;
    assert_eq!(run.status, RunStatus::Partial);
    assert_eq!(run.failed_reports, 4);
    let error = |name: &str| {
        run.reports
            .iter()
            .find(|r| r.name == name)
            .unwrap()
            .error
            .clone()
            .unwrap_or_default()
    };
    assert!(
        error("broken-sql").contains("report \"broken-sql\": SQL failed")
            && error("broken-sql").contains("no_such_column"),
        "{}",
        error("broken-sql")
    );
    assert!(
        error("not-json").contains("not json"),
        "{}",
        error("not-json")
    );
    assert!(
        error("half-fan-out").contains("report:half:enterprise")
            && error("half-fan-out").contains("is a number, not a JSON object or array"),
        "{}",
        error("half-fan-out")
    );
    assert!(
        error("missing-param").contains("\"region\""),
        "{}",
        error("missing-param")
    );
    assert_eq!(run.written, FIXTURE_KEYS, "the built-ins were all written");
    let keys: Vec<String> = list_all(&store, Some("report:"), &Progress::none())
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    for prefix in [
        "report:broken",
        "report:not-json",
        "report:half:",
        "report:missing:",
    ] {
        assert!(
            !keys.iter().any(|k| k.starts_with(prefix)),
            "{prefix} was written: {keys:?}"
        );
    }
}

/// A pool on the test database whose connections carry `limits`, as a profile's do.
pub(super) fn limited_pool(pool: &PgPool, limits: DbLimits) -> PgPool {
    cachescope_core::db::pool_with_limits((*pool.connect_options()).clone(), &limits)
}

#[sqlx::test(migrations = false)]
async fn a_report_past_its_time_limit_fails_by_name_and_the_others_complete(pool: PgPool) {
    load_fixture(&pool).await;
    let limited = limited_pool(
        &pool,
        DbLimits {
            report_query_secs: 1,
            ..DbLimits::default()
        },
    );
    let (store, _dir) = local_store().await;
    let extra = r#"
[[report]]
name = "slow"
key = "report:slow"
ttl = 600
schedule = "*/15 * * * *"
sql = "SELECT json_build_object('slept', true) FROM pg_sleep(30)"

[[report]]
name = "slow-fan-out"
key = "report:slow-fan-out:{dept}"
ttl = 600
schedule = "*/15 * * * *"
fan_out = "SELECT 'all' AS dept FROM pg_sleep(30)"
sql = "SELECT json_build_object('ok', true)"
"#;
    let catalog = Catalog::parse(extra, "reports.toml", Some(Catalog::builtin().unwrap())).unwrap();
    let all: Vec<_> = catalog.reports().iter().collect();
    let at = AsOf::at(as_of(), &catalog);
    let run = precompute::run(&store, &limited, &all, &at, false, &Progress::none()).await;
    assert_eq!(run.status, RunStatus::Partial, "{run:#?}");
    assert_eq!(run.failed_reports, 2);
    assert_eq!(run.written, FIXTURE_KEYS, "every other report was written");
    let error = |name: &str| {
        run.reports
            .iter()
            .find(|r| r.name == name)
            .unwrap()
            .error
            .clone()
            .unwrap_or_default()
    };
    assert!(
        error("slow").starts_with(
            "Postgres: report \"slow\": SQL for key \"report:slow\" ran past its time limit of 1 s"
        ) && error("slow").contains("report_query_secs"),
        "{}",
        error("slow")
    );
    assert!(
        error("slow-fan-out").starts_with(
            "Postgres: report \"slow-fan-out\": fan_out query ran past its time limit of 1 s"
        ),
        "{}",
        error("slow-fan-out")
    );
    let keys: Vec<String> = list_all(&store, Some("report:slow"), &Progress::none())
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert!(keys.is_empty(), "{keys:?}");

    // The error itself, for a caller that computes one report (the SQL fallback of a read).
    let slow = catalog.reports().iter().find(|d| d.name == "slow").unwrap();
    let err = compute(&limited, slow, &at, None).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::DbTimeout { setting: "report_query_secs", lock: false, limit, .. }
                if *limit == Duration::from_secs(1)
        ),
        "{err}"
    );
    assert_eq!(err.code(), cachescope_core::ErrorCode::Database);
}

/// A context whose profile `src` reads the test database and writes to `store_profile`.
pub(super) async fn context_on(
    pool: &PgPool,
    profile: Profile,
    token: Option<&str>,
) -> (cachescope_core::CoreContext, tempfile::TempDir) {
    context_on_as(pool, "postgres", profile, token).await
}

/// Like [`context_on`], the profile connecting as the role `user`.
pub(super) async fn context_on_as(
    pool: &PgPool,
    user: &str,
    profile: Profile,
    token: Option<&str>,
) -> (cachescope_core::CoreContext, tempfile::TempDir) {
    let (ctx, dir) = super::key_operations::context().await;
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    let profile = Profile {
        postgres_url: Some(format!("postgres://{user}@127.0.0.1:5432/{db}")),
        ..profile
    };
    ctx.save_profile(
        profile,
        token.map(|t| SecretString::from(t.to_owned())),
        None,
    )
    .await
    .unwrap();
    (ctx, dir)
}

fn local_profile() -> Profile {
    Profile {
        name: "src".to_owned(),
        ..Profile::builtin_local()
    }
}

#[sqlx::test(migrations = false)]
async fn a_miss_falls_back_to_sql_and_the_diff_names_the_changed_fields(pool: PgPool) {
    load_fixture(&pool).await;
    let (ctx, _dir) = context_on(&pool, local_profile(), None).await;
    let target = ReportTarget {
        report: "todo-stats".to_owned(),
        ..Default::default()
    };

    let miss = reading::show_report(&ctx, Some("src"), &target, ReadFrom::Auto)
        .await
        .unwrap();
    assert_eq!(miss.source, ValueSource::LiveSql);
    assert!(miss.note.unwrap().contains("KV miss"));
    let store = ctx.profile(Some("src")).unwrap().store().await.unwrap();
    assert!(
        store.get("report:todo-stats").await.unwrap().is_none(),
        "the fallback writes nothing"
    );

    let run = precompute::precompute(
        &ctx,
        Some("src"),
        &PrecomputeRequest::default(),
        &Progress::none(),
    )
    .await
    .unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    let recorded: (String, i64, bool) = sqlx::query_as(
        "SELECT status, keys_written, dry_run FROM cachescope.precompute_runs WHERE id = $1",
    )
    .bind(run.id.unwrap())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        recorded,
        ("succeeded".to_owned(), run.written as i64, false)
    );

    let hit = reading::show_report(&ctx, Some("src"), &target, ReadFrom::Auto)
        .await
        .unwrap();
    assert_eq!(hit.source, ValueSource::Kv);
    assert!(!hit.stale);
    // A page cache has no stamp field: its view reads the generation time from the metadata.
    let list = reading::show_report(
        &ctx,
        Some("src"),
        &ReportTarget {
            report: "user-conversations".to_owned(),
            params: [("userId".to_owned(), super::report_values::ANN.to_owned())].into(),
        },
        ReadFrom::Auto,
    )
    .await
    .unwrap();
    let stored = store
        .get(&format!(
            "user:{}:conversations:list",
            super::report_values::ANN
        ))
        .await
        .unwrap()
        .unwrap();
    let recorded = stored.metadata.unwrap().to_value()["generatedAt"].clone();
    assert!(list.json.starts_with('['), "{}", list.json);
    assert!(!list.json.contains("generatedAt"));
    assert_eq!(list.generated_at.as_deref(), recorded.as_str());
    assert!(list.generated_at.is_some());
    assert!(
        reading::diff_report(&ctx, Some("src"), &target)
            .await
            .unwrap()
            .identical
    );

    sqlx::query("UPDATE sales.todos SET status = 'completed', completed_at = now() WHERE title = 'Post-mortem'")
        .execute(&pool)
        .await
        .unwrap();
    let diff = reading::diff_report(&ctx, Some("src"), &target)
        .await
        .unwrap();
    assert!(!diff.identical);
    let mut paths: Vec<(String, Option<String>, Option<String>)> = diff
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.cached.clone(), c.live.clone()))
        .collect();
    paths.sort();
    // Ben had two overdue to-dos (the post-mortem and the CRM update); now one.
    let total: i64 = serde_json::from_str::<serde_json::Value>(&hit.json).unwrap()["overdue"]
        ["total"]
        .as_i64()
        .unwrap();
    assert_eq!(
        paths,
        vec![
            (
                format!("/overdue/byUser/{BEN}/count"),
                Some("2".to_owned()),
                Some("1".to_owned())
            ),
            (
                "/overdue/total".to_owned(),
                Some(total.to_string()),
                Some((total - 1).to_string())
            ),
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn synced_reports_are_read_offline_from_the_mirror(pool: PgPool) {
    load_fixture(&pool).await;
    let sim = cachescope_testkit::start(&[]);
    let profile = Profile {
        name: "src".to_owned(),
        kind: ProfileKind::Cloudflare,
        account_id: Some(sim.account_id.clone()),
        namespace_id: Some(sim.namespace_id.clone()),
        base_url: Some(sim.url.clone()),
        ..Profile::builtin_local()
    };
    let (ctx, _dir) = context_on(&pool, profile.clone(), Some(&sim.token)).await;
    let request = PrecomputeRequest {
        as_of: Some(as_of()),
        ..Default::default()
    };
    precompute::precompute(&ctx, Some("src"), &request, &Progress::none())
        .await
        .unwrap();
    let synced = mirror::sync(&ctx, Some("src"), &Progress::none())
        .await
        .unwrap();
    assert_eq!((synced.keys, synced.removed), (FIXTURE_KEYS, 0));

    // The network goes away: nothing listens on the profile's address any more.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/client/v4", dead.local_addr().unwrap());
    drop(dead);
    ctx.save_profile(
        Profile {
            base_url: Some(dead_url),
            ..profile
        },
        None,
        None,
    )
    .await
    .unwrap();

    let list = reading::list_reports(&ctx, Some("src"), ReadFrom::Auto, &Progress::none())
        .await
        .unwrap();
    assert!(list.offline, "{list:?}");
    assert_eq!(list.source, ValueSource::Mirror);
    let health = list
        .reports
        .iter()
        .find(|r| r.name == "system-health")
        .unwrap();
    assert_eq!(health.key_count, 1);
    assert_eq!(
        health.keys[0].synced_at.as_deref(),
        Some(synced.synced_at.as_str())
    );
    assert_eq!(
        health.keys[0].generated_at.as_deref(),
        Some("2026-11-19T12:00:00.000Z")
    );
    assert!(health.keys[0].stale, "computed for 11-19, so stale by now");
    let reps = list.reports.iter().find(|r| r.name == "rep").unwrap();
    assert_eq!(reps.key_count, 4);

    let target = ReportTarget {
        report: "report:close-cases".to_owned(),
        ..Default::default()
    };
    let value = reading::show_report(&ctx, Some("src"), &target, ReadFrom::Auto)
        .await
        .unwrap();
    assert_eq!(value.source, ValueSource::Mirror);
    assert!(value.offline);
    assert!(value.note.unwrap().starts_with("Offline"));
    let doc: serde_json::Value = serde_json::from_str(&value.json).unwrap();
    assert_eq!(doc["mtd"]["winRate"], 66.7);
}

#[sqlx::test(migrations = false)]
async fn the_key_browser_says_whether_a_report_key_matches_its_contract(pool: PgPool) {
    load_fixture(&pool).await;
    let (ctx, _dir) = context_on(&pool, local_profile(), None).await;
    precompute::precompute(
        &ctx,
        Some("src"),
        &PrecomputeRequest::default(),
        &Progress::none(),
    )
    .await
    .unwrap();
    let read = |key: String| {
        let ctx = ctx.clone();
        async move {
            cachescope_core::value_view::read_value(&ctx, "src", &key, Some(64))
                .await
                .unwrap()
                .contract
        }
    };
    let list_key = format!("user:{}:conversations:list", super::report_values::ANN);

    // What precompute wrote matches (the whole value is checked, not the 64 bytes shown).
    let check = read(list_key.clone()).await.unwrap();
    assert_eq!(
        (check.contract.as_str(), check.report.as_str(), check.breach),
        ("ConversationList", "user-conversations", None)
    );

    // A service that wrote the old shape, or a wrong type deep inside, breaks it at a path.
    let put = |key: String, value: &'static str| {
        let ctx = ctx.clone();
        async move {
            cachescope_core::key_writing::put_key(
                &ctx,
                Some("src"),
                &key,
                value.as_bytes(),
                &cachescope_core::kv::PutOptions::default(),
            )
            .await
            .unwrap();
        }
    };
    put(list_key.clone(), r#"{"total": 0, "items": []}"#).await;
    let breach = read(list_key.clone()).await.unwrap().breach.unwrap();
    assert_eq!(breach.path, "/");
    assert!(breach.message.contains("array"), "{}", breach.message);
    put(
        "report:system-health".to_owned(),
        r#"{"generatedAt": "x", "processing": {"last24h": {"completed": "many", "failed": 0, "inProgress": 0, "avgProcessingTime": null}, "errorsByCode": {}, "stuckCases": []}, "weeklyComparison": {"thisWeek": {"uploads": 1, "avgMeddic": null}, "lastWeek": {"uploads": 1, "avgMeddic": null}, "change": {"uploadsPercent": null, "meddicDiff": null}}}"#,
    )
    .await;
    let check = read("report:system-health".to_owned()).await.unwrap();
    assert_eq!(check.contract, "SystemHealth");
    assert_eq!(check.breach.unwrap().path, "/processing/last24h/completed");
    put(list_key.clone(), "not json").await;
    let breach = read(list_key).await.unwrap().breach.unwrap();
    assert!(
        breach.message.starts_with("the value is not JSON"),
        "{}",
        breach.message
    );

    // A key no report owns has no contract to check.
    put("session:abc".to_owned(), "{}").await;
    assert_eq!(read("session:abc".to_owned()).await, None);
}
