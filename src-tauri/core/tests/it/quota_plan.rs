//! The quota planner on real Postgres (the fixture: 5 reps, 4 of them active, 2 departments):
//! exact writes and lists a day of every built-in report under the default job settings; a
//! definition whose TTL ends before its next run named; a settings change that would go over the
//! profile's plan refused with the figures, made with the override, and both audited.

use cachescope_core::jobs::quota_plan::{quota_plan_at, QuotaPlan};
use cachescope_core::jobs::setting_changes::{self, PlanCheck};
use cachescope_core::jobs::{overview, JobName, JobOptions};
use cachescope_core::kv::plan::{PlanLimits, FREE_PLAN};
use cachescope_core::profiles::Profile;
use cachescope_core::{CoreContext, Error};
use serde_json::json;
use sqlx::PgPool;

use super::report_precompute::context_on;
use super::report_values::{as_of, load_fixture};

fn profile(plan: Option<PlanLimits>) -> Profile {
    Profile {
        name: "src".to_owned(),
        plan,
        ..Profile::builtin_local()
    }
}

async fn plan(ctx: &CoreContext) -> QuotaPlan {
    quota_plan_at(ctx, Some("src"), as_of()).await.unwrap()
}

/// (report, keys, runs a day, writes a day, writes a day if every run changed it).
fn rows(plan: &QuotaPlan) -> Vec<(&str, u64, u64, u64, u64)> {
    plan.reports
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.keys,
                r.runs_per_day,
                r.writes_per_day,
                r.writes_per_day_if_changing,
            )
        })
        .collect()
}

#[sqlx::test(migrations = false)]
async fn the_built_ins_under_the_default_schedules_cost_exactly_this_on_the_fixture(pool: PgPool) {
    load_fixture(&pool).await;
    let (ctx, _dir) = context_on(&pool, profile(None), None).await;
    let plan = plan(&ctx).await;
    assert_eq!(plan.limits, FREE_PLAN);
    assert!(!plan.own_plan);
    assert_eq!(plan.as_of, "2026-11-19T12:00:00.000Z");
    assert_eq!(plan.days[0].date, "2026-11-20");
    // precompute, every 15 minutes: a 2 h TTL is rewritten every 6th run (90 min: 16 a day), a
    // 24 h TTL every 72nd (18 h: 2 on the busiest day). nightly-analytics at 02:00 with 25 h
    // TTLs: once a day.
    assert_eq!(
        rows(&plan),
        [
            ("system-health", 1, 96, 16, 96),
            ("close-cases", 1, 96, 2, 96),
            ("attention-needed", 1, 96, 16, 96),
            ("todo-stats", 1, 96, 16, 96),
            ("team-performance", 2, 96, 32, 192),
            ("mtd-uploads", 1, 96, 2, 96),
            ("rep", 4, 1, 4, 4),
            ("upload-ranking", 2, 96, 32, 192),
            ("user-dashboard", 5, 1, 5, 5),
            ("user-conversations", 5, 1, 5, 5),
            ("user-opportunities", 5, 1, 5, 5),
        ]
    );
    assert!(plan
        .reports
        .iter()
        .all(|r| r.error.is_none() && !r.expires_before_next_run));
    assert_eq!(plan.reports[0].jobs, [JobName::Precompute]);
    assert_eq!(plan.reports[6].jobs, [JobName::NightlyAnalytics]);
    // One listing of report: per precompute run; report: and user: per nightly run.
    let lists: Vec<(JobName, u64, u64)> = plan
        .jobs
        .iter()
        .map(|j| (j.job, j.runs_per_day, j.lists_per_day))
        .collect();
    assert_eq!(
        lists,
        [
            (JobName::Precompute, 96, 96),
            (JobName::NightlyAnalytics, 1, 2)
        ]
    );
    assert_eq!(plan.jobs[1].listings[1].prefix, "user:");
    assert_eq!(plan.jobs[1].listings[1].keys, 15);
    let t = &plan.totals;
    assert_eq!(
        (t.reads, t.writes, t.writes_if_changing, t.deletes, t.lists),
        (0, 135, 9 * 96 + 19, 0, 98)
    );
    assert!((t.writes_share - 0.135).abs() < 1e-12);
    assert!(!plan.over_plan() && !t.may_exceed);
    assert!(plan.findings.is_empty(), "{:?}", plan.findings);
}

/// A report of the user's own, one key per rep expiring 5 minutes after it is written, and one
/// whose fan-out fails.
const USER_REPORTS: &str = r#"
[[report]]
name = "quick"
key = "user:{userId}:quick"
ttl = 300
schedule = "*/15 * * * *"
fan_out = "SELECT id::text AS \"userId\" FROM sales.users WHERE role = 'rep' ORDER BY id"
sql = "SELECT '{}'::json"

[[report]]
name = "broken"
key = "report:broken:{x}"
ttl = 3600
schedule = "*/15 * * * *"
fan_out = "SELECT x FROM sales.nothing_here"
sql = "SELECT '{}'::json"
"#;

const COMPANY_WIDE: [&str; 7] = [
    "system-health",
    "close-cases",
    "attention-needed",
    "todo-stats",
    "team-performance",
    "mtd-uploads",
    "upload-ranking",
];

#[sqlx::test(migrations = false)]
async fn a_change_over_the_plan_is_refused_with_its_figures_unless_overridden(pool: PgPool) {
    load_fixture(&pool).await;
    let limits = PlanLimits {
        writes: 500,
        ..FREE_PLAN
    };
    let (ctx, _dir) = context_on(&pool, profile(Some(limits)), None).await;
    std::fs::write(
        cachescope_core::reports::user_definitions_file(&ctx),
        USER_REPORTS,
    )
    .unwrap();

    let before = plan(&ctx).await;
    assert!(before.own_plan);
    assert_eq!(before.totals.writes, 135);
    let quick = before.reports.iter().find(|r| r.name == "quick").unwrap();
    assert_eq!(
        (quick.keys, quick.writes_per_day),
        (5, 0),
        "no job writes it yet"
    );
    let broken = before.reports.iter().find(|r| r.name == "broken").unwrap();
    assert_eq!(broken.keys, 0);
    assert!(
        broken
            .error
            .as_deref()
            .unwrap()
            .contains("fan_out query failed"),
        "{broken:?}"
    );

    // precompute asked to write it too: every run finds its 5 keys expired and rewrites them.
    let mut with_quick: Vec<&str> = COMPANY_WIDE.to_vec();
    with_quick.push("quick");
    let options = json!({ "reports": with_quick });
    let err = setting_changes::set_options(&ctx, Some("src"), JobName::Precompute, options.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OverPlan { .. }), "{err}");
    assert_eq!(err.code(), cachescope_core::ErrorCode::Invalid);
    let message = err.to_string();
    assert!(
        message.contains(
            "615 writes a day against 500 (123.0%): quick 480 (5 keys × 96, TTL 300 s ends \
             before its next run), team-performance 32 (2 keys × 16)"
        ),
        "{message}"
    );
    assert!(message.contains("--over-plan"), "{message}");
    let stored = overview::job_settings(&ctx, Some("src"), JobName::Precompute)
        .await
        .unwrap();
    let JobOptions::Precompute(o) = &stored.options else {
        panic!("{stored:?}")
    };
    assert_eq!(o.reports, COMPANY_WIDE, "a refused change changes nothing");

    setting_changes::set_options_with(
        &ctx,
        Some("src"),
        JobName::Precompute,
        options,
        PlanCheck::Override,
    )
    .await
    .unwrap();
    let over = plan(&ctx).await;
    assert!(over.over_plan());
    assert_eq!(over.totals.over, ["writes"]);
    assert_eq!((over.totals.writes, over.totals.lists), (615, 96 * 2 + 2));
    assert_eq!(
        over.findings[0],
        "quick: its TTL of 300 s ends before its next run, so every run rewrites all its 5 keys \
         (96 runs a day: 480 writes a day)"
    );
    assert_eq!(
        over.findings[1],
        "OVER PLAN: 615 writes a day against 500 (123.0%)"
    );

    // Pausing is never refused; resuming is, unless overridden.
    setting_changes::set_paused(&ctx, Some("src"), JobName::Precompute, true)
        .await
        .unwrap();
    assert_eq!(plan(&ctx).await.totals.writes, 19, "nightly only");
    let err = setting_changes::set_paused(&ctx, Some("src"), JobName::Precompute, false)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("615 writes a day against 500"),
        "{err}"
    );
    setting_changes::set_paused_with(
        &ctx,
        Some("src"),
        JobName::Precompute,
        false,
        PlanCheck::Override,
    )
    .await
    .unwrap();

    let err = setting_changes::set_schedule(
        &ctx,
        Some("src"),
        JobName::Precompute,
        Some("*/5 * * * *"),
        "UTC",
    )
    .await
    .unwrap_err();
    // Every 5 minutes: quick 5 × 288, the 2 h TTLs still 16 a day, the 24 h ones 2, nightly 19.
    assert!(
        err.to_string().contains("1,575 writes a day against 500"),
        "{err}"
    );
    // Hourly, it fits: quick 5 × 24, the 2 h TTLs every 2nd run (12 a day) for 7 keys, the
    // 24 h ones every 18th (2 on the busiest day), nightly 19.
    setting_changes::set_schedule(
        &ctx,
        Some("src"),
        JobName::Precompute,
        Some("0 * * * *"),
        "UTC",
    )
    .await
    .unwrap();
    assert_eq!(plan(&ctx).await.totals.writes, 120 + 7 * 12 + 4 + 19);

    // The audit has each change made, with the plan's figures and the overrides; the refusals
    // changed nothing and are not in it.
    let audit = ctx
        .profile(Some("src"))
        .unwrap()
        .audit_trail()
        .await
        .unwrap()
        .recent(50)
        .await
        .unwrap();
    let changes: Vec<(&str, &str, serde_json::Value)> = audit
        .iter()
        .rev()
        .filter(|r| r.entry.action.starts_with("job-"))
        .map(|r| {
            (
                r.entry.action.as_str(),
                r.entry.outcome.as_str(),
                r.entry.detail["quotaPlan"].clone(),
            )
        })
        .collect();
    let figures = |writes: u64, if_changing: u64, lists: u64, overridden: bool| {
        let mut v = json!({
            "writesPerDay": writes,
            "writesPerDayIfChanging": if_changing,
            "listsPerDay": lists,
            "limits": { "reads": 100000, "writes": 500, "deletes": 1000, "lists": 1000 },
            "over": if overridden { json!(["writes"]) } else { json!([]) },
        });
        if overridden {
            v["overridden"] = json!(true);
        }
        v
    };
    assert_eq!(
        changes,
        [
            ("job-options", "done", figures(615, 14 * 96 + 19, 194, true)),
            ("job-pause", "done", serde_json::Value::Null),
            ("job-resume", "done", figures(615, 14 * 96 + 19, 194, true)),
            (
                "job-schedule",
                "done",
                figures(227, 14 * 24 + 19, 24 * 2 + 2, false)
            ),
        ]
    );
}
