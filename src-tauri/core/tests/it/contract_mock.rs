//! The Cloudflare client against a schema-driven mock of the KV API (Prism over the repository's
//! `kv-simulator/cloudflare-kv.openapi.json`, started by `cachescope-testkit`): every operation
//! the client has, on the static mock (the schema's examples, so each must succeed and read
//! them right) and on the dynamic mock (random answers generated from the schemas, 30 rounds),
//! each bounded by `tokio::time::timeout` (a timeout fails the test as a hang).

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use cachescope_core::kv::cloudflare::{CloudflareConfig, CloudflareStore, RateLimit, RetryPolicy};
use cachescope_core::kv::{Entry, Expiry, KvStore, ListOptions, PutOptions};
use cachescope_core::Error;
use cachescope_testkit::MockApi;
use secrecy::SecretString;
use serde_json::json;

/// Longer than any one operation may take here (2 attempts of at most 10 s, 200 ms apart).
const BOUND: Duration = Duration::from_secs(40);
const DYNAMIC_ROUNDS: usize = 30;
// Identifiers as the contract shapes them (32 hex characters); the mock accepts any.
const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const NAMESPACE: &str = "0f2ac74b498b48028cb68387c421e279";

fn client(mock: &MockApi) -> CloudflareStore {
    let mut config = CloudflareConfig::new(
        &mock.url,
        ACCOUNT,
        NAMESPACE,
        SecretString::from("contract-mock-token".to_owned()),
    );
    config.rate_limit = RateLimit {
        requests: 100_000,
        per: Duration::from_secs(1),
    };
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(200),
    };
    config.timeout = Duration::from_secs(10);
    CloudflareStore::new(config).unwrap()
}

/// Runs one operation within [`BOUND`]; a timeout is a hang and fails the test.
async fn bounded<T>(
    what: &str,
    op: impl Future<Output = cachescope_core::Result<T>>,
) -> cachescope_core::Result<T> {
    tokio::time::timeout(BOUND, op)
        .await
        .unwrap_or_else(|_| panic!("{what}: no outcome within {BOUND:?} (a hang)"))
}

/// The name of an error a server can cause; anything else from a valid call is a test failure.
fn server_error_name(what: &str, err: &Error) -> &'static str {
    match err {
        Error::KeyNotFound { .. } => "KeyNotFound",
        Error::NamespaceNotFound { .. } => "NamespaceNotFound",
        Error::KvAuth { .. } => "KvAuth",
        Error::KvPermission { .. } => "KvPermission",
        Error::KvQuotaExceeded => "KvQuotaExceeded",
        Error::KvRateLimited { .. } => "KvRateLimited",
        Error::KvUnavailable { .. } => "KvUnavailable",
        Error::KvApi { .. } => "KvApi",
        Error::KvIncomplete { .. } => "KvIncomplete",
        Error::KvProtocol { .. } => "KvProtocol",
        Error::KvPagingLoop { .. } => "KvPagingLoop",
        Error::KvResponseTooLarge { .. } => "KvResponseTooLarge",
        other => panic!("{what}: an error no server answer should cause: {other:?}"),
    }
}

fn entries() -> Vec<Entry> {
    vec![
        Entry {
            key: "report/a".to_owned(),
            value: b"{\"total\":1}".to_vec(),
            options: PutOptions {
                expiry: Expiry::Ttl(3600),
                metadata: Some(json!({ "report": "sales" }).into()),
            },
        },
        Entry {
            key: "report/b".to_owned(),
            value: vec![0, 159, 146, 150],
            options: PutOptions::default(),
        },
    ]
}

fn with_metadata() -> PutOptions {
    PutOptions {
        expiry: Expiry::Never,
        metadata: Some(json!({ "report": "sales", "v": 2 }).into()),
    }
}

/// One round of every operation; returns each one's outcome ("Ok" or the error's name).
async fn every_operation(s: &CloudflareStore) -> Vec<(&'static str, &'static str)> {
    fn name<T>(what: &'static str, r: &cachescope_core::Result<T>) -> (&'static str, &'static str) {
        (
            what,
            r.as_ref()
                .map_or_else(|e| server_error_name(what, e), |_| "Ok"),
        )
    }
    let keys = vec!["report/a".to_owned(), "report/b".to_owned()];
    vec![
        name(
            "list namespaces",
            &bounded("list namespaces", s.namespaces()).await,
        ),
        name(
            "list keys",
            &bounded("list keys", s.list(&ListOptions::default())).await,
        ),
        name(
            "get value and metadata",
            &bounded("get", s.get("report/a")).await,
        ),
        name(
            "put",
            &bounded("put", s.put("report/a", b"v", &PutOptions::default())).await,
        ),
        name(
            "put with metadata",
            &bounded(
                "put with metadata",
                s.put("report/a", b"v", &with_metadata()),
            )
            .await,
        ),
        name(
            "bulk put",
            &bounded("bulk put", s.bulk_put(&entries())).await,
        ),
        name("bulk get", &bounded("bulk get", s.bulk_get(&keys)).await),
        name(
            "bulk delete",
            &bounded("bulk delete", s.bulk_delete(&keys)).await,
        ),
        name("delete", &bounded("delete", s.delete("report/a")).await),
    ]
}

/// The static mock answers each valid request with the contract's examples: every operation
/// succeeds (so every request the client sends is one the contract accepts) and reads them.
#[tokio::test]
async fn every_operation_succeeds_on_the_static_mock_and_reads_the_examples() {
    let s = client(cachescope_testkit::prism_mock(false));
    for (what, outcome) in every_operation(&s).await {
        assert_eq!(outcome, "Ok", "{what}");
    }
    let namespaces = bounded("list namespaces", s.namespaces()).await.unwrap();
    assert_eq!(namespaces.len(), 1);
    assert_eq!(namespaces[0].id, "0f2ac74b498b48028cb68387c421e279");
    assert_eq!(namespaces[0].title, "My Own Namespace");

    let page = bounded("list keys", s.list(&ListOptions::default()))
        .await
        .unwrap();
    assert_eq!(page.keys.len(), 1);
    assert_eq!(page.keys[0].name, "My-Key");
    assert_eq!(page.keys[0].expiration, Some(1_577_836_800));
    assert_eq!(
        page.keys[0].metadata.as_ref().map(|m| m.to_value()),
        Some(json!({ "someMetadataKey": "someMetadataValue" }))
    );
    assert!(page.cursor.is_some());

    let value = bounded("get", s.get("My-Key")).await.unwrap().unwrap();
    assert_eq!(value.bytes, b"Some Value");
    assert_eq!(
        value.metadata.as_ref().map(|m| m.to_value()),
        Some(json!({ "someMetadataKey": "someMetadataValue" }))
    );

    let values = bounded(
        "bulk get",
        s.bulk_get(&["key1".to_owned(), "absent".to_owned()]),
    )
    .await
    .unwrap();
    let first = values[0].as_ref().unwrap();
    assert_eq!(first.bytes, b"value1");
    assert_eq!(first.expiration, Some(1_577_836_800));
    assert!(values[1].is_none());

    let outcome = bounded("bulk put", s.bulk_put(&entries())).await.unwrap();
    assert_eq!((outcome.succeeded, outcome.failed.len()), (2, 0));
}

/// Listing to the end on the static mock: Cloudflare's example repeats the same cursor on
/// every page, so the listing must end in `KvPagingLoop` naming that cursor, on the second
/// request (the page asked for with the cursor gives it back), instead of asking for the same
/// page forever (before the fix: a hang).
#[tokio::test]
async fn listing_to_the_end_on_the_static_mock_ends() {
    const EXAMPLE_CURSOR: &str = "6Ck1la0VxJ0djhidm1MdX2FyDGxLKVeeHZZmORS_8XeSuhz9SjIJRaSa2lnsF01tQOHrfTGAP3R5X1Kv5iVUuMbNKhWNAXHOl6ePB0TUL8nw";
    let s = client(cachescope_testkit::prism_mock(false));
    let progress = cachescope_core::progress::Progress::default();
    let outcome = bounded(
        "list all keys",
        cachescope_core::kv::list_all(&s, None, &progress),
    )
    .await;
    let err = outcome.expect_err("the example's cursor never ends");
    assert!(
        matches!(&err, Error::KvPagingLoop { cursor, .. } if cursor == EXAMPLE_CURSOR),
        "{err:?}"
    );
    assert!(err.to_string().contains(EXAMPLE_CURSOR), "{err}");
    assert_eq!(s.requests_sent(), 2);
}

/// The dynamic mock answers every request with a random answer generated from the schemas
/// (random lengths, extra properties, numbers where integers are expected, errors beside
/// `success: true`): every operation ends in time, in success or a named error, every round.
#[tokio::test]
async fn every_operation_ends_in_time_on_the_dynamic_mock() {
    let s = client(cachescope_testkit::prism_mock(true));
    let mut tally: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for _ in 0..DYNAMIC_ROUNDS {
        for outcome in every_operation(&s).await {
            *tally.entry(outcome).or_default() += 1;
        }
    }
    eprintln!("outcomes over {DYNAMIC_ROUNDS} rounds on the dynamic mock: {tally:?}");
    assert_eq!(tally.values().sum::<usize>(), DYNAMIC_ROUNDS * 9);
}
