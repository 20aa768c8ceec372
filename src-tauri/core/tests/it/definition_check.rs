//! `report check` on real Postgres (the fixture): every built-in definition prepares, runs for
//! a sample fan-out row and matches its contract; broken definitions are named with the stage
//! and, where Postgres points, the line and column in their SQL. Nothing is written.

use cachescope_core::reports::compute::AsOf;
use cachescope_core::reports::definition_check::{check_one, CheckStage, DefinitionCheck};
use cachescope_core::reports::Catalog;
use sqlx::PgPool;

use super::report_values::{as_of, load_fixture};

async fn check_all(pool: &PgPool, catalog: &Catalog) -> Vec<DefinitionCheck> {
    let at = AsOf::at(as_of(), catalog);
    let mut checks = Vec::new();
    for def in catalog.reports() {
        checks.push(check_one(pool, def, &at).await.unwrap());
    }
    checks
}

#[sqlx::test(migrations = false)]
async fn every_builtin_definition_checks_ok_on_the_fixture(pool: PgPool) {
    load_fixture(&pool).await;
    let checks = check_all(&pool, &Catalog::builtin().unwrap()).await;
    assert_eq!(checks.len(), 11);
    for check in &checks {
        assert!(check.ok, "{check:?}");
        assert_eq!(check.result_type.as_deref(), Some("JSON"), "{check:?}");
        assert!(check.contract.is_some(), "{check:?}");
    }
    let dashboard = checks
        .iter()
        .find(|c| c.report == "user-dashboard")
        .unwrap();
    // Prepared with the types a run binds: the fan-out row, the as-of time, the zone.
    assert_eq!(dashboard.parameters, ["JSONB", "TIMESTAMPTZ", "TEXT"]);
    assert_eq!(dashboard.fan_out_rows, Some(5), "five reps in the fixture");
    assert_eq!(
        dashboard.sample_key.as_deref(),
        Some("user:20000000-0000-0000-0000-00000000000a:analytics:dashboard")
    );
    let health = checks.iter().find(|c| c.report == "system-health").unwrap();
    assert_eq!(
        (health.fan_out_rows, health.contract.as_deref()),
        (None, Some("SystemHealth"))
    );
    // Nothing was written: the check runs only read-only transactions.
    let schemas: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'cachescope'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(schemas, 0);
}

#[sqlx::test(migrations = false)]
async fn broken_definitions_are_named_with_the_stage_and_the_place_in_their_sql(pool: PgPool) {
    load_fixture(&pool).await;
    let text = r#"
[[report]]
name = "typo"
key = "check:typo"
ttl = 600
schedule = "*/15 * * * *"
sql = """
SELECT json_build_object('n', count(*))
FROM sales.users
WHERE rolle = 'rep'"""

[[report]]
name = "not-json"
key = "check:not-json"
ttl = 600
schedule = "*/15 * * * *"
sql = "SELECT count(*), 1 FROM sales.users"

[[report]]
name = "empty-fan-out"
key = "check:empty:{dept}"
ttl = 600
schedule = "*/15 * * * *"
fan_out = "SELECT department AS dept FROM sales.users WHERE false"
sql = "SELECT json_build_object('dept', $1->>'dept')"

[[report]]
name = "bad-fan-out"
key = "check:bad:{dept}"
ttl = 600
schedule = "*/15 * * * *"
fan_out = "SELECT departmnt AS dept FROM sales.users"
sql = "SELECT json_build_object('dept', $1->>'dept')"

[[report]]
name = "breaks-contract"
key = "check:contract"
ttl = 600
contract = "Dashboard"
schedule = "*/15 * * * *"
sql = "SELECT json_build_object('summary', 'none')"

[[report]]
name = "fails-when-run"
key = "check:run"
ttl = 600
schedule = "*/15 * * * *"
sql = "SELECT json_build_object('ratio', 1 / (count(*) - count(*))) FROM sales.users"
"#;
    let catalog = Catalog::parse(text, "reports.toml", None).unwrap();
    let checks = check_all(&pool, &catalog).await;
    let by = |name: &str| checks.iter().find(|c| c.report == name).unwrap().clone();

    let typo = by("typo");
    assert_eq!(typo.stage, Some(CheckStage::Sql));
    assert_eq!(
        typo.error.as_deref(),
        Some("column \"rolle\" does not exist")
    );
    assert_eq!((typo.line, typo.column), (Some(3), Some(7)));

    let not_json = by("not-json");
    assert_eq!(not_json.stage, Some(CheckStage::Result));
    assert_eq!(
        not_json.error.as_deref(),
        Some("returns 2 column(s) (INT8, INT4); it must return one json or jsonb column")
    );

    let empty = by("empty-fan-out");
    assert_eq!(empty.stage, Some(CheckStage::FanOut));
    assert!(empty.error.unwrap().contains("returned no row"));

    let bad = by("bad-fan-out");
    assert_eq!(bad.stage, Some(CheckStage::FanOut));
    assert_eq!(
        bad.error.as_deref(),
        Some("column \"departmnt\" does not exist")
    );
    assert_eq!((bad.line, bad.column), (Some(1), Some(8)));

    let contract = by("breaks-contract");
    assert_eq!(contract.stage, Some(CheckStage::Contract));
    let error = contract.error.unwrap();
    assert!(
        error.starts_with(
            "the value of key \"check:contract\" breaks its contract \"Dashboard\" at /"
        ),
        "{error}"
    );
    assert_eq!(contract.sample_key.as_deref(), Some("check:contract"));

    let run = by("fails-when-run");
    assert_eq!(run.stage, Some(CheckStage::Run));
    assert!(run.error.unwrap().contains("division by zero"));
    assert!(checks.iter().all(|c| !c.ok));
}
