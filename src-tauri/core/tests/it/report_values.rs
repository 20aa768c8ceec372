//! Every built-in report computed on real Postgres from the small fixture dataset
//! (`tests/fixtures/sales_small.sql`) and compared with values worked out by hand, as of
//! Thursday 2026-11-19T12:00:00Z (week from Monday 2026-11-16, month from 2026-11-01).

use std::collections::BTreeMap;

use cachescope_core::reports::compute::{compute, AsOf};
use cachescope_core::reports::Catalog;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::PgPool;

pub const FIXTURE: &str = include_str!("../fixtures/sales_small.sql");

pub const ANN: &str = "20000000-0000-0000-0000-00000000000a";
pub const BEN: &str = "20000000-0000-0000-0000-00000000000b";
pub const CAL: &str = "20000000-0000-0000-0000-00000000000c";
pub const DEE: &str = "20000000-0000-0000-0000-00000000000d";
pub const EVE: &str = "20000000-0000-0000-0000-00000000000e";
const ACME: &str = "40000000-0000-0000-0000-000000000001";
const BETA: &str = "40000000-0000-0000-0000-000000000002";
const GAMMA: &str = "40000000-0000-0000-0000-000000000003";
const ETA: &str = "40000000-0000-0000-0000-000000000007";

pub fn as_of() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-19T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The source schema with the fixture loaded.
pub async fn load_fixture(pool: &PgPool) {
    cachescope_core::db::migrate_source(pool).await.unwrap();
    sqlx::raw_sql(FIXTURE).execute(pool).await.unwrap();
}

/// Every key of every built-in report, computed as of the fixture's moment.
async fn computed(pool: &PgPool) -> BTreeMap<String, Value> {
    let catalog = Catalog::builtin().unwrap();
    let as_of = AsOf::at(as_of(), &catalog);
    let mut all = BTreeMap::new();
    for def in catalog.reports() {
        for instance in compute(pool, def, &as_of, None).await.unwrap() {
            assert_eq!(instance.generated_at, "2026-11-19T12:00:00.000Z");
            let mut payload = instance.payload;
            match def.stamp.as_deref() {
                // The stamp field comes first, holding the generation time.
                Some(stamp) => {
                    let fields = payload.as_object_mut().unwrap();
                    assert_eq!(fields.keys().next().map(String::as_str), Some(stamp));
                    let stamped = fields.shift_remove(stamp).unwrap();
                    assert_eq!(stamped, "2026-11-19T12:00:00.000Z", "{}", def.name);
                }
                // Nothing added: the value is exactly what the SQL returned.
                None => assert!(
                    payload.get("generatedAt").is_none(),
                    "{} has no stamp, yet its value has generatedAt",
                    def.name
                ),
            }
            all.insert(instance.key, payload);
        }
    }
    all
}

/// Numbers compared by value (Postgres writes `60.0` for a rounded average, `60` for a count).
fn normalized(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[track_caller]
fn check(all: &BTreeMap<String, Value>, key: &str, expected: Value) {
    let actual = all
        .get(key)
        .unwrap_or_else(|| panic!("no key {key}; have {:?}", all.keys()));
    pretty_assertions::assert_eq!(normalized(actual), normalized(&expected), "{key}");
}

#[sqlx::test(migrations = false)]
async fn builtin_reports_match_hand_computed_values(pool: PgPool) {
    load_fixture(&pool).await;
    let all = computed(&pool).await;

    let keys: Vec<&str> = all.keys().map(String::as_str).collect();
    let rep = |id: &str| format!("report:rep:{id}");
    let mut expected_keys = vec![
        "report:attention-needed".to_owned(),
        "report:close-cases".to_owned(),
        "report:mtd-uploads:2026-11".to_owned(),
        rep(ANN),
        rep(BEN),
        rep(CAL),
        rep(EVE),
        "report:system-health".to_owned(),
        "report:team:default".to_owned(),
        "report:team:enterprise".to_owned(),
        "report:todo-stats".to_owned(),
        "report:upload-ranking:monthly".to_owned(),
        "report:upload-ranking:weekly".to_owned(),
    ];
    // Page caches: every rep, the inactive one included (their pages still exist).
    for id in [ANN, BEN, CAL, DEE, EVE] {
        expected_keys.push(format!("user:{id}:analytics:dashboard"));
        expected_keys.push(format!("user:{id}:conversations:list"));
        expected_keys.push(format!("user:{id}:opportunities:list:all"));
    }
    expected_keys.sort();
    assert_eq!(keys, expected_keys);

    // Last 24 h (since 11-18 12:00): CASE-3 completed in 120 s; CASE-4 and CASE-9 failed.
    // In progress now: CASE-5 (processing since 06:30, 5.5 h: stuck) and CASE-6 (pending 1 h).
    // Uploads this week: CASE-2,3,4,5,6,9 = 6; last week CASE-7,8 = 2 -> +200 %.
    // MEDDIC this week (60, 40) = 50.0; last week (90) = 90.0.
    check(
        &all,
        "report:system-health",
        json!({
            "processing": {
                "last24h": { "completed": 1, "failed": 2, "inProgress": 2, "avgProcessingTime": 120.0 },
                "errorsByCode": {
                    "E_TRANSCRIBE_FAILED": {
                        "count": 2,
                        "stage": "transcription",
                        "cases": [
                            { "caseNumber": "CASE-9", "companyName": "Beta LLC", "failedAt": "2026-11-19T10:20:00+00:00" },
                            { "caseNumber": "CASE-4", "companyName": "Gamma Inc", "failedAt": "2026-11-19T08:30:00+00:00" }
                        ]
                    }
                },
                "stuckCases": [
                    { "caseNumber": "CASE-5", "companyName": "Epsilon AG", "status": "processing", "hoursStuck": 5 }
                ]
            },
            "weeklyComparison": {
                "thisWeek": { "uploads": 6, "avgMeddic": 50.0 },
                "lastWeek": { "uploads": 2, "avgMeddic": 90.0 },
                "change": { "uploadsPercent": 200.0, "meddicDiff": -40.0 }
            }
        }),
    );

    // This week: Beta won (11-17), Gamma lost (11-18). Month: + Delta won (11-05) -> 2 won, 1 lost.
    check(
        &all,
        "report:close-cases",
        json!({
            "thisWeek": {
                "won": [{ "opportunityId": BETA, "customerNumber": "C-002", "companyName": "Beta LLC",
                          "ownerName": "Ann Lee", "amount": 5000, "closedAt": "2026-11-17T10:00:00+00:00" }],
                "lost": [{ "opportunityId": GAMMA, "customerNumber": "C-003", "companyName": "Gamma Inc",
                           "ownerName": "Ben Wu", "amount": 2000, "closedAt": "2026-11-18T09:00:00+00:00" }],
                "wonCount": 1, "lostCount": 1, "winRate": 50.0
            },
            "mtd": { "wonCount": 2, "lostCount": 1, "winRate": 66.7 }
        }),
    );

    // Acme: latest score 90, last call 11-10 10:00 (9 days 2 h ago). Eta: open since 10-20 with
    // no pending to-do (Acme has one; Epsilon is 4 days old). Eve: no upload ever.
    check(
        &all,
        "report:attention-needed",
        json!({
            "staleHighScore": [{ "opportunityId": ACME, "customerNumber": "C-001", "companyName": "Acme Corp",
                                 "ownerName": "Ann Lee", "meddicScore": 90,
                                 "lastActivityAt": "2026-11-10T10:00:00+00:00", "daysSinceActivity": 9 }],
            "noTodos": [{ "opportunityId": ETA, "customerNumber": "C-007", "companyName": "Eta GmbH",
                          "ownerName": "Ben Wu", "createdAt": "2026-10-20T00:00:00+00:00", "ageDays": 30 }],
            "inactiveReps": [{ "userId": EVE, "userName": "Eve Park", "department": "default", "lastUploadAt": null }]
        }),
    );

    // Today 11-19. Overdue: Ann's proposal (11-17), Ben's post-mortem (11-10). Due today: Ann's
    // kickoff, Ben's CRM update. Next 7 days: Cal's demo prep (11-21); the 11-30 review is later.
    check(
        &all,
        "report:todo-stats",
        json!({
            "overdue": {
                "total": 2,
                "byUser": {
                    ANN: { "count": 1, "userName": "Ann Lee" },
                    BEN: { "count": 1, "userName": "Ben Wu" }
                }
            },
            "dueToday": {
                "total": 2,
                "byUser": {
                    ANN: [{ "todoId": "70000000-0000-0000-0000-000000000002", "title": "Kickoff call",
                            "companyName": "Beta LLC", "dueDate": "2026-11-19" }],
                    BEN: [{ "todoId": "70000000-0000-0000-0000-000000000004", "title": "Update CRM",
                            "companyName": null, "dueDate": "2026-11-19" }]
                }
            },
            "pendingFollowUps": [{ "todoId": "70000000-0000-0000-0000-000000000005", "title": "Demo prep",
                                   "userId": CAL, "userName": "Cal Ito", "companyName": "Epsilon AG",
                                   "dueDate": "2026-11-21" }]
        }),
    );

    // Week uploads: Ann CASE-2, CASE-9 (MEDDIC 60 only; CASE-9 failed); Ben CASE-3, CASE-4 (40);
    // Eve none. Won this week: Ann's Beta.
    check(
        &all,
        "report:team:default",
        json!({
            "department": "default",
            "weeklyPerformance": [
                { "userId": ANN, "userName": "Ann Lee", "weekUploads": 2, "avgMeddic": 60.0, "weekWon": 1 },
                { "userId": BEN, "userName": "Ben Wu", "weekUploads": 2, "avgMeddic": 40.0, "weekWon": 0 },
                { "userId": EVE, "userName": "Eve Park", "weekUploads": 0, "avgMeddic": null, "weekWon": 0 }
            ]
        }),
    );
    // Dee is inactive: not listed.
    check(
        &all,
        "report:team:enterprise",
        json!({
            "department": "enterprise",
            "weeklyPerformance": [
                { "userId": CAL, "userName": "Cal Ito", "weekUploads": 2, "avgMeddic": null, "weekWon": 0 }
            ]
        }),
    );

    // November up to the 19th: 9 uploads on the 2nd, 10th, 12th, 16th, 18th and 4 on the 19th.
    let mut by_day = Vec::new();
    for day in 1..=19 {
        let uploads = match day {
            2 | 10 | 12 | 16 | 18 => 1,
            19 => 4,
            _ => 0,
        };
        by_day.push(json!({ "date": format!("2026-11-{day:02}"), "uploads": uploads }));
    }
    check(
        &all,
        "report:mtd-uploads:2026-11",
        json!({
            "month": "2026-11",
            "totalUploads": 9,
            "byDay": by_day,
            "byUser": [
                { "userId": ANN, "userName": "Ann Lee", "department": "default", "uploads": 4 },
                { "userId": BEN, "userName": "Ben Wu", "department": "default", "uploads": 3 },
                { "userId": CAL, "userName": "Cal Ito", "department": "enterprise", "uploads": 2 }
            ]
        }),
    );

    // Ann: week CASE-2, CASE-9 (avg 60); month CASE-1,2,7,9 (80, 60, 90 -> 76.7); Beta won.
    check(
        &all,
        &rep(ANN),
        json!({
            "userId": ANN, "userName": "Ann Lee", "department": "default", "managerName": "Mia Chen",
            "thisWeek": { "uploads": 2, "avgMeddic": 60.0, "won": 1, "lost": 0 },
            "monthToDate": { "uploads": 4, "avgMeddic": 76.7, "won": 1, "lost": 0 },
            "openOpportunities": 1,
            "overdueTodos": 1,
            "recentConversations": [
                { "id": "50000000-0000-0000-0000-000000000009", "caseNumber": "CASE-9", "status": "failed", "meddicScore": null, "createdAt": "2026-11-19T10:00:00+00:00" },
                { "id": "50000000-0000-0000-0000-000000000002", "caseNumber": "CASE-2", "status": "completed", "meddicScore": 60, "createdAt": "2026-11-16T09:00:00+00:00" },
                { "id": "50000000-0000-0000-0000-000000000007", "caseNumber": "CASE-7", "status": "completed", "meddicScore": 90, "createdAt": "2026-11-10T10:00:00+00:00" },
                { "id": "50000000-0000-0000-0000-000000000001", "caseNumber": "CASE-1", "status": "completed", "meddicScore": 80, "createdAt": "2026-11-02T10:00:00+00:00" }
            ]
        }),
    );
    check(
        &all,
        &rep(EVE),
        json!({
            "userId": EVE, "userName": "Eve Park", "department": "default", "managerName": "Mia Chen",
            "thisWeek": { "uploads": 0, "avgMeddic": null, "won": 0, "lost": 0 },
            "monthToDate": { "uploads": 0, "avgMeddic": null, "won": 0, "lost": 0 },
            "openOpportunities": 0,
            "overdueTodos": 0,
            "recentConversations": []
        }),
    );

    check(
        &all,
        "report:upload-ranking:weekly",
        json!({
            "period": "weekly", "from": "2026-11-16T00:00:00+00:00",
            "rankings": [
                { "rank": 1, "userId": ANN, "userName": "Ann Lee", "department": "default", "uploads": 2, "avgMeddic": 60.0 },
                { "rank": 1, "userId": BEN, "userName": "Ben Wu", "department": "default", "uploads": 2, "avgMeddic": 40.0 },
                { "rank": 1, "userId": CAL, "userName": "Cal Ito", "department": "enterprise", "uploads": 2, "avgMeddic": null }
            ]
        }),
    );
    check(
        &all,
        "report:upload-ranking:monthly",
        json!({
            "period": "monthly", "from": "2026-11-01T00:00:00+00:00",
            "rankings": [
                { "rank": 1, "userId": ANN, "userName": "Ann Lee", "department": "default", "uploads": 4, "avgMeddic": 76.7 },
                { "rank": 2, "userId": BEN, "userName": "Ben Wu", "department": "default", "uploads": 3, "avgMeddic": 40.0 },
                { "rank": 3, "userId": CAL, "userName": "Cal Ito", "department": "enterprise", "uploads": 2, "avgMeddic": null }
            ]
        }),
    );

    // Ann owns Acme (analyses 80, 90) and Beta (60): 3 analyses, mean 76.7, 2 Strong, 1 Medium.
    check(
        &all,
        &format!("user:{ANN}:analytics:dashboard"),
        json!({
            "summary": { "totalOpportunities": 2, "totalConversations": 4, "totalAnalyses": 3, "averageScore": 76.7 },
            "statusDistribution": [
                { "status": "Strong", "count": 2 }, { "status": "Medium", "count": 1 },
                { "status": "Weak", "count": 0 }, { "status": "At Risk", "count": 0 }
            ],
            "recentAnalyses": [
                { "analysisId": "60000000-0000-0000-0000-000000000002", "conversationId": "50000000-0000-0000-0000-000000000002", "caseNumber": "CASE-2", "companyName": "Beta LLC", "overallScore": 60, "status": "Medium", "createdAt": "2026-11-16T09:10:00+00:00" },
                { "analysisId": "60000000-0000-0000-0000-000000000007", "conversationId": "50000000-0000-0000-0000-000000000007", "caseNumber": "CASE-7", "companyName": "Acme Corp", "overallScore": 90, "status": "Strong", "createdAt": "2026-11-10T10:03:00+00:00" },
                { "analysisId": "60000000-0000-0000-0000-000000000001", "conversationId": "50000000-0000-0000-0000-000000000001", "caseNumber": "CASE-1", "companyName": "Acme Corp", "overallScore": 80, "status": "Strong", "createdAt": "2026-11-02T10:05:00+00:00" }
            ]
        }),
    );
    check(
        &all,
        &format!("user:{ANN}:conversations:list"),
        // A bare ConversationListItem[], as the services' list cache holds it.
        json!([
            { "id": "50000000-0000-0000-0000-000000000009", "caseNumber": "CASE-9", "title": null, "status": "failed", "opportunityCompanyName": "Beta LLC", "meddicScore": null, "createdAt": "2026-11-19T10:00:00+00:00" },
            { "id": "50000000-0000-0000-0000-000000000002", "caseNumber": "CASE-2", "title": null, "status": "completed", "opportunityCompanyName": "Beta LLC", "meddicScore": 60, "createdAt": "2026-11-16T09:00:00+00:00" },
            { "id": "50000000-0000-0000-0000-000000000007", "caseNumber": "CASE-7", "title": null, "status": "completed", "opportunityCompanyName": "Acme Corp", "meddicScore": 90, "createdAt": "2026-11-10T10:00:00+00:00" },
            { "id": "50000000-0000-0000-0000-000000000001", "caseNumber": "CASE-1", "title": "Discovery call", "status": "completed", "opportunityCompanyName": "Acme Corp", "meddicScore": 80, "createdAt": "2026-11-02T10:00:00+00:00" }
        ]),
    );
    check(
        &all,
        &format!("user:{ANN}:opportunities:list:all"),
        json!([
            { "id": ACME, "customerNumber": "C-001", "companyName": "Acme Corp", "contactName": "Jo Smith", "status": "open", "amount": 12000, "meddicScore": 90, "conversationCount": 2, "createdAt": "2026-10-01T00:00:00+00:00", "updatedAt": "2026-11-18T09:00:00+00:00" },
            { "id": BETA, "customerNumber": "C-002", "companyName": "Beta LLC", "contactName": null, "status": "won", "amount": 5000, "meddicScore": 60, "conversationCount": 2, "createdAt": "2026-10-05T00:00:00+00:00", "updatedAt": "2026-11-17T10:00:00+00:00" }
        ]),
    );
    check(&all, &format!("user:{DEE}:conversations:list"), json!([]));
}
