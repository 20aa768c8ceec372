//! What a real server will not do on demand, from wiremock: 429 with Retry-After, 5xx, timeouts,
//! malformed or truncated envelopes, bulk deletes that leave keys unprocessed, and the exact
//! number of requests paging and bulk calls make.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cachescope_core::kv::cloudflare::{CloudflareConfig, CloudflareStore, RateLimit, RetryPolicy};
use cachescope_core::kv::{KvStore, ListOptions, PutOptions};
use cachescope_core::Error;
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ACCOUNT: &str = "acct";
const NS: &str = "ns1";
const TOKEN: &str = "wiremock-secret-token-5f2a";
const BASE: &str = "/client/v4/accounts/acct/storage/kv/namespaces/ns1";

fn store(server: &MockServer, attempts: u32, timeout: Duration) -> CloudflareStore {
    let mut config = CloudflareConfig::new(
        &format!("{}/client/v4", server.uri()),
        ACCOUNT,
        NS,
        SecretString::from(TOKEN.to_owned()),
    );
    config.rate_limit = RateLimit {
        requests: 100_000,
        per: Duration::from_secs(1),
    };
    config.retry = RetryPolicy {
        max_attempts: attempts,
        base_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_secs(2),
    };
    config.timeout = timeout;
    CloudflareStore::new(config).unwrap()
}

fn envelope(result: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({ "success": true, "errors": [], "messages": [], "result": result }))
}

fn failure(status: u16, code: u32, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "success": false, "errors": [{ "code": code, "message": message }], "messages": [], "result": null }))
}

/// Answers in turn with each response, repeating the last one.
struct Sequence {
    responses: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self
            .next
            .fetch_add(1, Ordering::SeqCst)
            .min(self.responses.len() - 1);
        self.responses[i].clone()
    }
}

fn sequence(responses: Vec<ResponseTemplate>) -> Sequence {
    Sequence {
        responses,
        next: AtomicUsize::new(0),
    }
}

#[tokio::test]
async fn rate_limited_requests_wait_for_retry_after_then_succeed() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("{BASE}/values/k")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(sequence(vec![
            failure(
                429,
                971,
                "Please wait and consider throttling your request speed",
            )
            .insert_header("retry-after", "1"),
            envelope(json!({})),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    store(&server, 5, Duration::from_secs(5))
        .delete("k")
        .await
        .unwrap();
    // Retry-After: 1 was honoured (a count-like check on the wait, not a speed assertion).
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test]
async fn the_daily_free_plan_limit_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!("{BASE}/values/k")))
        .respond_with(failure(429, 10048, "KV put() limit exceeded for the day."))
        .expect(1)
        .mount(&server)
        .await;
    let err = store(&server, 5, Duration::from_secs(5))
        .put("k", b"v", &PutOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::KvQuotaExceeded), "{err:?}");
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>upstream down</html>"))
        .expect(3)
        .mount(&server)
        .await;
    let err = store(&server, 3, Duration::from_secs(5))
        .list(&ListOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KvUnavailable { reason, .. } if reason.contains("503") && reason.contains("3 attempts")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_transient_server_error_is_absorbed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(sequence(vec![
            ResponseTemplate::new(502),
            envelope(json!([{ "name": "a" }])).set_body_json(json!({ "success": true, "errors": [], "messages": [], "result": [{ "name": "a" }], "result_info": { "count": 1, "cursor": "" } })),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let page = store(&server, 3, Duration::from_secs(5))
        .list(&ListOptions::default())
        .await
        .unwrap();
    assert_eq!(page.keys.len(), 1);
    assert_eq!(page.cursor, None);
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(envelope(json!([])).set_delay(Duration::from_secs(3)))
        .expect(2)
        .mount(&server)
        .await;
    let err = store(&server, 2, Duration::from_millis(300))
        .list(&ListOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KvUnavailable { reason, .. } if reason.contains("no answer")),
        "{err:?}"
    );
}

#[tokio::test]
async fn malformed_and_truncated_envelopes_are_protocol_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(ResponseTemplate::new(200).set_body_string("this is not json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/bulk/delete")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"success":true,"errors":[],"result":{"successful_key_co"#),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/bulk/get")))
        .respond_with(envelope(json!({ "values": "not a map" })))
        .mount(&server)
        .await;
    let s = store(&server, 1, Duration::from_secs(5));
    let err = s.list(&ListOptions::default()).await.unwrap_err();
    assert!(
        matches!(&err, Error::KvProtocol { reason, .. } if reason.contains("not a Cloudflare API envelope")),
        "{err:?}"
    );
    let err = s.bulk_delete(&["a".to_owned()]).await.unwrap_err();
    assert!(matches!(err, Error::KvProtocol { .. }), "{err:?}");
    let err = s.bulk_get(&["a".to_owned()]).await.unwrap_err();
    assert!(
        matches!(&err, Error::KvProtocol { reason, .. } if reason.contains("unexpected result shape")),
        "{err:?}"
    );
}

#[tokio::test]
async fn cloudflare_error_codes_become_typed_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(failure(403, 10000, "Authentication error"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(format!("^{BASE}/values/.*$")))
        .respond_with(failure(404, 10009, "get: 'key not found'"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(format!("^{BASE}/metadata/.*$")))
        .respond_with(failure(404, 10009, "get: 'key not found'"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path_regex(format!("^{BASE}/values/.*$")))
        .respond_with(failure(403, 10037, "this token may only read"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/bulk/delete")))
        .respond_with(failure(404, 10013, "namespace not found"))
        .mount(&server)
        .await;
    let s = store(&server, 3, Duration::from_secs(5));
    let err = s.list(&ListOptions::default()).await.unwrap_err();
    assert!(matches!(err, Error::KvAuth { code: 10000 }), "{err:?}");
    assert!(!err.to_string().contains(TOKEN));
    assert_eq!(s.get("absent").await.unwrap(), None);
    let err = s.put("k", b"v", &PutOptions::default()).await.unwrap_err();
    assert!(matches!(err, Error::KvPermission { .. }), "{err:?}");
    let err = s.bulk_delete(&["k".to_owned()]).await.unwrap_err();
    assert!(matches!(err, Error::NamespaceNotFound { .. }), "{err:?}");
}

/// Serves `total` keys named k000000.. in pages of the requested limit, with cursors.
struct Pages {
    total: usize,
    calls: Arc<AtomicUsize>,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let query: std::collections::HashMap<_, _> =
            request.url.query_pairs().into_owned().collect();
        let start: usize = query.get("cursor").map(|c| c.parse().unwrap()).unwrap_or(0);
        let limit: usize = query
            .get("limit")
            .map(|l| l.parse().unwrap())
            .unwrap_or(1000);
        let end = (start + limit).min(self.total);
        let keys: Vec<_> = (start..end)
            .map(|i| json!({ "name": format!("k{i:06}") }))
            .collect();
        let cursor = if end < self.total {
            end.to_string()
        } else {
            String::new()
        };
        ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "errors": [], "messages": [], "result": keys,
            "result_info": { "count": end - start, "cursor": cursor }
        }))
    }
}

#[tokio::test]
async fn listing_n_keys_makes_ceil_n_over_1000_calls() {
    for total in [999, 1000, 2500] {
        let server = MockServer::start().await;
        let calls = Arc::new(AtomicUsize::new(0));
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/keys")))
            .respond_with(Pages {
                total,
                calls: calls.clone(),
            })
            .mount(&server)
            .await;
        let s = store(&server, 1, Duration::from_secs(5));
        let keys = cachescope_core::kv::list_all(&s, None, &Default::default())
            .await
            .unwrap();
        assert_eq!(keys.len(), total);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            total.div_ceil(1000),
            "{total} keys"
        );
        assert_eq!(s.requests_sent() as usize, total.div_ceil(1000));
    }
}

#[tokio::test]
async fn an_empty_page_with_a_cursor_means_continue() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(sequence(vec![
            ResponseTemplate::new(200).set_body_json(json!({ "success": true, "errors": [], "result": [], "result_info": { "count": 0, "cursor": "c1" } })),
            ResponseTemplate::new(200).set_body_json(json!({ "success": true, "errors": [], "result": [{ "name": "late", "expiration": 1893456000 }], "result_info": { "count": 1, "cursor": "" } })),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let page = store(&server, 1, Duration::from_secs(5))
        .list(&ListOptions::default())
        .await
        .unwrap();
    assert_eq!(page.keys[0].name, "late");
    assert_eq!(page.keys[0].expiration, Some(1_893_456_000));
}

/// Counts the items of each bulk body.
struct BulkCounter {
    items: Arc<std::sync::Mutex<Vec<usize>>>,
}

impl Respond for BulkCounter {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Vec<serde_json::Value> = serde_json::from_slice(&request.body).unwrap();
        self.items.lock().unwrap().push(body.len());
        envelope(json!({ "successful_key_count": body.len(), "unsuccessful_keys": [] }))
    }
}

#[tokio::test]
async fn bulk_deleting_100k_keys_makes_10_calls() {
    let server = MockServer::start().await;
    let items = Arc::new(std::sync::Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/bulk/delete")))
        .respond_with(BulkCounter {
            items: items.clone(),
        })
        .mount(&server)
        .await;
    let keys: Vec<String> = (0..100_000)
        .map(|i| format!("user:{i}:analytics:dashboard"))
        .collect();
    let s = store(&server, 1, Duration::from_secs(30));
    let outcome = s.bulk_delete(&keys).await.unwrap();
    assert_eq!(outcome.succeeded, 100_000);
    assert_eq!(*items.lock().unwrap(), vec![10_000; 10]);
    assert_eq!(s.requests_sent(), 10);
}

#[tokio::test]
async fn bulk_writing_25k_keys_makes_3_calls_with_binary_as_base64() {
    let server = MockServer::start().await;
    let items = Arc::new(std::sync::Mutex::new(Vec::new()));
    Mock::given(method("PUT"))
        .and(path(format!("{BASE}/bulk")))
        .respond_with(BulkCounter {
            items: items.clone(),
        })
        .mount(&server)
        .await;
    let entries: Vec<_> = (0..25_000)
        .map(|i| cachescope_core::kv::Entry {
            key: format!("k{i}"),
            value: vec![0xff, i as u8],
            options: PutOptions::default(),
        })
        .collect();
    let s = store(&server, 1, Duration::from_secs(30));
    assert_eq!(s.bulk_put(&entries).await.unwrap().succeeded, 25_000);
    assert_eq!(*items.lock().unwrap(), vec![10_000, 10_000, 5_000]);
    let first: Vec<serde_json::Value> =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        first[1],
        json!({ "key": "k1", "value": "/wE=", "base64": true })
    );
}

/// A report fanned out to 10,000 users is one listing of its key namespace (empty here) and
/// ⌈10,000 / 10,000⌉ = 1 bulk write, whatever the number of keys.
#[sqlx::test(migrations = false)]
async fn precompute_of_a_10k_fan_out_makes_one_listing_and_one_bulk_write(pool: sqlx::PgPool) {
    use cachescope_core::progress::Progress;
    use cachescope_core::reports::compute::AsOf;
    use cachescope_core::reports::{precompute, Catalog};

    let server = MockServer::start().await;
    let listings = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(Pages {
            total: 0,
            calls: listings.clone(),
        })
        .mount(&server)
        .await;
    let items = Arc::new(std::sync::Mutex::new(Vec::new()));
    Mock::given(method("PUT"))
        .and(path(format!("{BASE}/bulk")))
        .respond_with(BulkCounter {
            items: items.clone(),
        })
        .mount(&server)
        .await;
    let definition = r#"
[[report]]
name = "dashboard"
key = "user:{userId}:analytics:dashboard"
ttl = 300
schedule = "0 2 * * *"
fan_out = "SELECT 'u' || g AS \"userId\" FROM generate_series(1, 10000) g"
sql = "SELECT json_build_object('user', $1->>'userId', 'asOf', $2::date)"
"#;
    let catalog = Catalog::parse(definition, "bench.toml", None).unwrap();
    let all: Vec<_> = catalog.reports().iter().collect();
    let s = store(&server, 1, Duration::from_secs(30));
    let run = precompute::run(
        &s,
        &pool,
        &all,
        &AsOf::now(&catalog),
        false,
        &Progress::none(),
    )
    .await;
    assert_eq!(run.written, 10_000, "{:?}", run.error);
    assert_eq!(listings.load(Ordering::SeqCst), 1);
    assert_eq!(*items.lock().unwrap(), vec![10_000]);
    assert_eq!(s.requests_sent(), 2);
}

/// Cloudflare's bulk delete result (since 2024-11): `successful_key_count` and the
/// `unsuccessful_keys` to retry. Every 500th key of a request body is reported unprocessed.
struct PartialBulkDelete;

impl Respond for PartialBulkDelete {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Vec<String> = serde_json::from_slice(&request.body).unwrap();
        let failed: Vec<&String> = body.iter().step_by(500).collect();
        envelope(json!({
            "successful_key_count": body.len() - failed.len(),
            "unsuccessful_keys": failed,
        }))
    }
}

#[tokio::test]
async fn a_prefix_delete_reports_keys_the_server_did_not_delete_and_audits_both_counts() {
    use cachescope_core::key_deletion::{delete_prefix, DeleteMode, SAMPLE_SIZE};
    use cachescope_core::profiles::{Profile, ProfileKind};
    use cachescope_core::progress::Progress;

    let server = MockServer::start().await;
    // 10,005 keys: two bulk calls (10,000 + 5), so counts and the sample add up across calls.
    let names: Vec<String> = (0..10_005).map(|i| format!("user:7:k{i:05}")).collect();
    let listed: Vec<_> = names.iter().map(|n| json!({ "name": n })).collect();
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "errors": [], "messages": [], "result": listed,
            "result_info": { "count": names.len(), "cursor": "" },
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/bulk/delete")))
        .respond_with(PartialBulkDelete)
        .expect(2)
        .mount(&server)
        .await;
    let (ctx, _dir) = crate::key_operations::context().await;
    let profile = Profile {
        name: "cf".into(),
        kind: ProfileKind::Cloudflare,
        account_id: Some(ACCOUNT.into()),
        namespace_id: Some(NS.into()),
        base_url: Some(format!("{}/client/v4", server.uri())),
        ..Profile::builtin_local()
    };
    ctx.save_profile(profile, Some(SecretString::from(TOKEN.to_owned())), None)
        .await
        .unwrap();

    let done = delete_prefix(
        &ctx,
        Some("cf"),
        "user:7:",
        DeleteMode::Execute {
            confirmation: "user:7:".into(),
        },
        &Progress::none(),
    )
    .await
    .unwrap();
    // 20 unprocessed in the first call (keys 0, 500, ..., 9500), 1 in the second (key 10000).
    assert_eq!(
        (done.matched, done.deleted, done.failed, done.cancelled),
        (10_005, 9_984, 21, false)
    );
    assert_eq!(done.failed_sample.len(), SAMPLE_SIZE);
    assert_eq!(done.failed_sample[..2], ["user:7:k00000", "user:7:k00500"]);
    let err = done
        .incomplete()
        .expect("a partial delete is an error for the CLI");
    assert!(
        matches!(
            err,
            Error::KvIncomplete {
                failed: 21,
                total: 10_005,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), cachescope_core::ErrorCode::Unavailable);
    assert_eq!(
        err.to_string(),
        "delete keys under \"user:7:\": 21 of 10005 keys were not processed by the server; \
         run it again to retry them"
    );

    let audit = &ctx.audit().recent(1).await.unwrap()[0].entry;
    assert_eq!(
        (
            audit.action.as_str(),
            audit.item_count,
            audit.outcome.as_str()
        ),
        (
            "delete-prefix",
            9_984,
            "partly done: 21 keys could not be deleted"
        )
    );
    assert_eq!(
        (&audit.detail["deleted"], &audit.detail["failed"]),
        (&json!(9_984), &json!(21))
    );
    assert_eq!(audit.detail["failedSample"][20], json!(null), "capped");
    assert_eq!(audit.detail["failedSample"][1], json!("user:7:k00500"));
}

/// Integers beyond 64 bits in metadata, as a server may send them: every digit reaches the
/// listing, the read and the bulk read, and a write sends them back unchanged.
#[tokio::test]
async fn metadata_beyond_64_bits_keeps_every_digit_both_ways() {
    const META: &str = r#"{"id":123456789012345678901234567890,"r":0.1000000000000000000001}"#;
    let server = MockServer::start().await;
    let body = |result: String| {
        ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"success":true,"errors":[],"messages":[],"result":{result}}}"#),
            "application/json",
        )
    };
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(body(format!(r#"[{{"name":"k","metadata":{META}}}]"#)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/metadata/k")))
        .respond_with(body(META.to_owned()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/values/k")))
        .respond_with(ResponseTemplate::new(200).set_body_raw("{}", "application/octet-stream"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{BASE}/bulk/get")))
        .respond_with(body(format!(
            r#"{{"values":{{"k":{{"value":"{{}}","metadata":{META},"expiration":null}}}}}}"#
        )))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{BASE}/values/k")))
        .respond_with(envelope(json!({})))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{BASE}/bulk")))
        .respond_with(envelope(
            json!({ "successful_key_count": 1, "unsuccessful_keys": [] }),
        ))
        .mount(&server)
        .await;
    let s = store(&server, 1, Duration::from_secs(5));

    let page = s.list(&ListOptions::default()).await.unwrap();
    let listed = page.keys[0].metadata.clone().expect("listed metadata");
    assert_eq!(listed.as_str(), META);
    let got = s.get("k").await.unwrap().expect("value");
    assert_eq!(got.metadata.as_ref().map(|m| m.as_str()), Some(META));
    let bulk = s.bulk_get(&["k".to_owned()]).await.unwrap();
    let bulk_meta = bulk[0].as_ref().and_then(|v| v.metadata.as_ref());
    assert_eq!(bulk_meta.map(|m| m.as_str()), Some(META));

    // Rewriting the key (as "set TTL" does) sends the metadata back as it came.
    let options = PutOptions {
        metadata: Some(listed),
        ..PutOptions::default()
    };
    s.put("k", b"{}", &options).await.unwrap();
    s.bulk_put(&[cachescope_core::kv::Entry {
        key: "k".into(),
        value: b"{}".to_vec(),
        options,
    }])
    .await
    .unwrap();
    let writes: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "PUT")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(writes.len(), 2);
    for body in writes {
        assert!(body.contains(META), "{body}");
    }
}
