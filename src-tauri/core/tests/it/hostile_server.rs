//! What a schema cannot say, served to the Cloudflare client: bodies cut short, wrong content
//! types, huge bodies, a slow drip, `success: false` with odd error shapes, unusable
//! `Retry-After` values and redirect loops (wiremock, and a raw TCP server where wiremock cannot
//! misbehave enough). Every call must end within a bound in success or a named error, never a
//! panic or a hang.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use cachescope_core::kv::cloudflare::{CloudflareConfig, CloudflareStore, RateLimit, RetryPolicy};
use cachescope_core::kv::limits::{
    MAX_BULK_GET_RESPONSE_BYTES, MAX_BULK_RESULT_RESPONSE_BYTES, MAX_ENVELOPE_RESPONSE_BYTES,
    MAX_LIST_RESPONSE_BYTES, MAX_VALUE_RESPONSE_BYTES,
};
use cachescope_core::kv::{KvStore, ListOptions, PutOptions};
use cachescope_core::Error;
use secrecy::SecretString;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BASE: &str = "/client/v4/accounts/acct/storage/kv/namespaces/ns1";
/// Longer than any call here may take (at most 2 attempts of at most 2 s, 200 ms apart).
const BOUND: Duration = Duration::from_secs(30);

fn store(base_url: &str) -> CloudflareStore {
    let mut config = CloudflareConfig::new(
        &format!("{base_url}/client/v4"),
        "acct",
        "ns1",
        SecretString::from("hostile-token".to_owned()),
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
    config.timeout = Duration::from_secs(2);
    CloudflareStore::new(config).unwrap()
}

/// Runs one call on a task of its own within [`BOUND`]: a panic or a timeout fails the test
/// with a message saying which.
async fn bounded<T: Send + 'static>(
    what: &str,
    call: impl Future<Output = cachescope_core::Result<T>> + Send + 'static,
) -> cachescope_core::Result<T> {
    match tokio::time::timeout(BOUND, tokio::spawn(call)).await {
        Err(_) => panic!("{what}: no outcome within {BOUND:?} (a hang)"),
        Ok(Err(join)) => panic!("{what}: the client panicked: {join}"),
        Ok(Ok(outcome)) => outcome,
    }
}

/// Every operation of the client on one store, each bounded; returns the outcomes in order.
async fn every_operation(base_url: &str) -> Vec<(&'static str, cachescope_core::Result<()>)> {
    let s = std::sync::Arc::new(store(base_url));
    let mut out = Vec::new();
    macro_rules! op {
        ($what:literal, |$s:ident| $call:expr) => {{
            let $s = s.clone();
            let r = bounded($what, async move { $call.await.map(drop) }).await;
            out.push(($what, r));
        }};
    }
    op!("list namespaces", |s| s.namespaces());
    op!("list keys", |s| s.list(&ListOptions::default()));
    op!("get value and metadata", |s| s.get("k"));
    op!("put", |s| s.put("k", b"v", &PutOptions::default()));
    op!("bulk put", |s| s.bulk_put(&[cachescope_core::kv::Entry {
        key: "k".to_owned(),
        value: b"v".to_vec(),
        options: PutOptions::default(),
    }]));
    op!("bulk get", |s| s.bulk_get(&["k".to_owned()]));
    op!("bulk delete", |s| s.bulk_delete(&["k".to_owned()]));
    op!("delete", |s| s.delete("k"));
    out
}

/// A server on a loopback port that reads each request's head and answers every one with
/// `head`, then `body` written in `chunk`-byte pieces `gap` apart, then closes the connection.
async fn raw_server(head: String, body: Vec<u8>, chunk: usize, gap: Duration) -> String {
    let body = Arc::new(body);
    raw_router(move |_| (head.clone(), body.clone()), chunk, gap).await
}

/// [`raw_server`] with the answer chosen by the request line (`GET /path?query HTTP/1.1`).
async fn raw_router(
    answer: impl Fn(&str) -> (String, Arc<Vec<u8>>) + Send + Sync + 'static,
    chunk: usize,
    gap: Duration,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let request_line = String::from_utf8_lossy(&seen);
                let (head, body) = answer(request_line.lines().next().unwrap_or_default());
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for piece in body.chunks(chunk.max(1)) {
                    if socket.write_all(piece).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(gap).await;
                }
            });
        }
    });
    url
}

fn is_protocol_or_unavailable(e: &Error) -> bool {
    matches!(e, Error::KvProtocol { .. } | Error::KvUnavailable { .. })
}

/// A body cut short: `Content-Length: 100000`, 64 bytes, connection closed.
#[tokio::test]
async fn a_body_cut_short_is_a_protocol_error_on_every_operation() {
    let body = br#"{"success":true,"errors":[],"messages":[],"result":[{"name":"a"}"#.to_vec();
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n";
    let url = raw_server(head.to_owned(), body, 1 << 20, Duration::ZERO).await;
    for (what, outcome) in every_operation(&url).await {
        let err = outcome.expect_err(what);
        assert!(
            matches!(&err, Error::KvProtocol { reason, .. } if reason.contains("cut short")),
            "{what}: {err:?}"
        );
    }
}

/// A slow drip: headers at once, then one byte every 50 ms of a 10,000-byte body (8 minutes).
/// The client's 2 s request timeout covers the body too.
#[tokio::test]
async fn a_slow_drip_ends_at_the_request_timeout() {
    let body = vec![b' '; 10_000];
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n";
    let url = raw_server(head.to_owned(), body, 1, Duration::from_millis(50)).await;
    for (what, outcome) in every_operation(&url).await {
        let err = outcome.expect_err(what);
        assert!(is_protocol_or_unavailable(&err), "{what}: {err:?}");
    }
}

/// Headers that never finish: a status line, then one header byte every 50 ms.
#[tokio::test]
async fn headers_that_never_finish_end_at_the_request_timeout() {
    let head = "HTTP/1.1 200 OK\r\n".to_owned();
    let url = raw_server(head, vec![b'x'; 10_000], 1, Duration::from_millis(50)).await;
    for (what, outcome) in every_operation(&url).await {
        let err = outcome.expect_err(what);
        assert!(
            matches!(&err, Error::KvUnavailable { reason, .. } if reason.contains("after 2 attempts")),
            "{what}: {err:?}"
        );
    }
}

/// An HTML page with 200 (a captive portal, a proxy's error page) on every route: the JSON
/// routes fail as protocol errors; a read of a value fails too, since its metadata is read
/// beside it.
#[tokio::test]
async fn an_html_page_with_200_is_a_protocol_error() {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/client/v4/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "<html><body>Sign in to the network</body></html>",
            "text/html",
        ))
        .mount(&server)
        .await;
    for (what, outcome) in every_operation(&server.uri()).await {
        let err = outcome.expect_err(what);
        assert!(
            matches!(&err, Error::KvProtocol { reason, .. } if reason.contains("not a Cloudflare API envelope")),
            "{what}: {err:?}"
        );
    }
}

/// The right envelope under a wrong content type (`text/plain`) is still read: the body
/// decides, not the header.
#[tokio::test]
async fn an_envelope_under_a_wrong_content_type_is_read() {
    let server = MockServer::start().await;
    let envelope = |result: serde_json::Value| {
        ResponseTemplate::new(200).set_body_raw(
            json!({ "success": true, "errors": [], "messages": [], "result": result }).to_string(),
            "text/plain",
        )
    };
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(envelope(json!([{ "name": "a" }])))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{BASE}/values/k")))
        .respond_with(envelope(json!({})))
        .mount(&server)
        .await;
    let s = store(&server.uri());
    let page = s.list(&ListOptions::default()).await.unwrap();
    assert_eq!(page.keys.len(), 1);
    s.delete("k").await.unwrap();
}

/// `success: false` (or a broken envelope) in shapes Cloudflare never sends, each with the
/// named error it must become.
#[tokio::test]
async fn odd_failure_envelopes_become_named_errors() {
    type Expect = fn(&Error) -> bool;
    let api_code_0: Expect = |e| matches!(e, Error::KvApi { code: 0, .. });
    let cases: Vec<(u16, &str, Expect)> = vec![
        (200, r#"{"success":false}"#, api_code_0),
        (200, r#"{"success":false,"errors":[]}"#, api_code_0),
        (200, r#"{"success":false,"errors":"boom"}"#, |e| {
            matches!(e, Error::KvProtocol { .. })
        }),
        (400, r#"{"success":false,"errors":"boom"}"#, api_code_0),
        (
            400,
            r#"{"success":false,"errors":[{"code":"10009","message":1}]}"#,
            api_code_0,
        ),
        (
            404,
            r#"{"success":false,"errors":[{"code":-5,"message":"x"}]}"#,
            api_code_0,
        ),
        (
            403,
            r#"{"success":false,"errors":[{"code":4294967296,"message":"x"}]}"#,
            api_code_0,
        ),
        (
            400,
            r#"{"success":false,"errors":[{"message":"no code"}]}"#,
            api_code_0,
        ),
        (400, r#"{"success":"false","errors":[]}"#, api_code_0),
        (400, "null", api_code_0),
        (400, "[]", api_code_0),
        (400, "", api_code_0),
        (
            404,
            r#"{"success":true,"errors":[],"result":null}"#,
            api_code_0,
        ),
        (
            200,
            r#"{"success":true}"#,
            |e| matches!(e, Error::KvProtocol { reason, .. } if reason.contains("unexpected result shape")),
        ),
        (
            200,
            r#"{"success":false,"errors":[{"code":10000,"message":"x"}]}"#,
            |e| matches!(e, Error::KvAuth { code: 10000 }),
        ),
        (
            400,
            r#"{"success":false,"errors":[{"code":10001,"message":"a"},{"code":10000,"message":"b"}]}"#,
            |e| matches!(e, Error::KvApi { code: 10001, .. }),
        ),
    ];
    for (status, body, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/keys")))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
        let s = store(&server.uri());
        let outcome = bounded(
            "list keys",
            async move { s.list(&ListOptions::default()).await },
        )
        .await;
        let err = outcome.expect_err(body);
        assert!(expected(&err), "HTTP {status} {body}: {err:?}");
    }
}

/// A redirect to itself, forever: reqwest gives up after 10 hops, the client retries once,
/// then reports the namespace unavailable.
#[tokio::test]
async fn a_redirect_loop_ends_as_unavailable() {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/client/v4/"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}{BASE}/keys", server.uri()).as_str()),
        )
        .mount(&server)
        .await;
    for (what, outcome) in every_operation(&server.uri()).await {
        let err = outcome.expect_err(what);
        assert!(
            matches!(err, Error::KvUnavailable { .. }),
            "{what}: {err:?}"
        );
    }
}

/// Retry-After values no server should send: each waits at most `max_backoff` and ends as
/// `KvRateLimited` after the attempts.
#[tokio::test]
async fn odd_retry_after_values_end_as_rate_limited() {
    for retry_after in [
        "999999999999",
        "-1",
        "NaN",
        "soon",
        "Wed, 21 Oct 2015 07:28:00 GMT",
        "",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/keys")))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", retry_after))
            .expect(2)
            .mount(&server)
            .await;
        let s = store(&server.uri());
        let outcome = bounded(
            "list keys",
            async move { s.list(&ListOptions::default()).await },
        )
        .await;
        let err = outcome.expect_err(retry_after);
        assert!(
            matches!(err, Error::KvRateLimited { attempts: 2, .. }),
            "Retry-After {retry_after:?}: {err:?}"
        );
    }
}

/// `Retry-After: 1e308` (and `1e30`, the issue's example) is a finite number of seconds no
/// `Duration` can hold: clamped to 10 minutes, then to the policy's `max_backoff` (200 ms here),
/// the client retries once and ends as `KvRateLimited`; before the fix the conversion panicked.
#[tokio::test]
async fn a_retry_after_beyond_any_duration_is_bounded() {
    for retry_after in ["1e308", "1e30"] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/keys")))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", retry_after))
            .expect(2)
            .mount(&server)
            .await;
        let s = Arc::new(store(&server.uri()));
        let outcome = {
            let s = s.clone();
            bounded(
                "list keys",
                async move { s.list(&ListOptions::default()).await },
            )
            .await
        };
        let err = outcome.unwrap_err();
        assert!(
            matches!(err, Error::KvRateLimited { attempts: 2, retry_after } if retry_after == Duration::from_millis(200)),
            "Retry-After {retry_after}: {err:?}"
        );
        assert_eq!(s.requests_sent(), 2, "Retry-After {retry_after}");
    }
}

/// Which bound a route has, by the `what` the client names it with.
fn bound_of(what: &str) -> usize {
    match what {
        "list keys" => MAX_LIST_RESPONSE_BYTES,
        "read value" => MAX_VALUE_RESPONSE_BYTES,
        "bulk write" | "bulk delete" => MAX_BULK_RESULT_RESPONSE_BYTES,
        "bulk read" => MAX_BULK_GET_RESPONSE_BYTES,
        _ => MAX_ENVELOPE_RESPONSE_BYTES,
    }
}

/// A 100 MiB listing page (a valid envelope, then whitespace) and a 100 MiB value, both with
/// their `Content-Length`: refused from the header, before a byte of the body is read.
#[tokio::test]
async fn huge_bodies_are_refused_at_the_bound() {
    const HUGE: usize = 100 << 20;
    let server = MockServer::start().await;
    let mut envelope =
        br#"{"success":true,"errors":[],"messages":[],"result":[{"name":"a"}]}"#.to_vec();
    envelope.resize(HUGE, b' ');
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(envelope, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/values/k")))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(vec![b'v'; HUGE], "application/octet-stream"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/metadata/k")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "success": true, "errors": [], "messages": [], "result": null }),
        ))
        .mount(&server)
        .await;
    let s = Arc::new(store(&server.uri()));
    let list = {
        let s = s.clone();
        bounded(
            "list keys",
            async move { s.list(&ListOptions::default()).await },
        )
        .await
    };
    let get = {
        let s = s.clone();
        bounded("get", async move { s.get("k").await }).await
    };
    for (route, outcome, bound) in [
        ("list keys", list.map(drop), MAX_LIST_RESPONSE_BYTES),
        ("read value", get.map(drop), MAX_VALUE_RESPONSE_BYTES),
    ] {
        let err = outcome.expect_err(route);
        assert!(
            matches!(
                &err,
                Error::KvResponseTooLarge { what, limit_bytes, content_length: Some(declared), read_bytes: 0, .. }
                    if what == route && *limit_bytes == bound as u64 && *declared == HUGE as u64
            ),
            "{route}: {err:?}"
        );
    }
    // Too large is not retried: one request per route (the metadata read beside the value too).
    assert_eq!(s.requests_sent(), 3);
}

/// Every route answered with `Content-Length: 104857600` (100 MiB) and nothing after it: each
/// operation is refused from the header at its route's bound.
#[tokio::test]
async fn a_declared_length_past_the_bound_is_refused_on_every_operation() {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 104857600\r\n\r\n";
    let url = raw_server(head.to_owned(), Vec::new(), 1, Duration::ZERO).await;
    for (what, outcome) in every_operation(&url).await {
        let err = outcome.expect_err(what);
        assert!(
            matches!(
                &err,
                Error::KvResponseTooLarge { what: route, limit_bytes, content_length: Some(104_857_600), read_bytes: 0, .. }
                    if *limit_bytes == bound_of(route) as u64
            ),
            "{what}: {err:?}"
        );
    }
}

/// Every route answered with 70 MiB and no `Content-Length` (the body ends when the connection
/// closes), more than any bound: reading stops one chunk past the route's bound, so memory stays
/// within the bound whatever the server sends.
#[tokio::test]
async fn an_undeclared_body_past_the_bound_stops_being_read_there() {
    const BODY: usize = 70 << 20;
    let mut envelope =
        br#"{"success":true,"errors":[],"messages":[],"result":[{"name":"a"}]}"#.to_vec();
    envelope.resize(BODY, b' ');
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
    let url = raw_server(head.to_owned(), envelope, 256 << 10, Duration::ZERO).await;
    let mut routes = Vec::new();
    for (what, outcome) in every_operation(&url).await {
        let err = outcome.expect_err(what);
        let Error::KvResponseTooLarge {
            what: route,
            limit_bytes,
            content_length: None,
            read_bytes,
            ..
        } = &err
        else {
            panic!("{what}: {err:?}");
        };
        assert_eq!(*limit_bytes, bound_of(route) as u64, "{what}");
        assert!(
            *read_bytes > *limit_bytes && *read_bytes <= *limit_bytes + (1 << 20),
            "{what}: {read_bytes} bytes held for a bound of {limit_bytes}"
        );
        routes.push(format!(
            "{what}: {route} stopped at {read_bytes} of {limit_bytes}"
        ));
    }

    // A value read alone (its metadata answered properly): 40 MiB without a length stops one
    // chunk past the 25 MiB value bound.
    let metadata = br#"{"success":true,"errors":[],"messages":[],"result":null}"#;
    let metadata_head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        metadata.len()
    );
    let (metadata, value) = (Arc::new(metadata.to_vec()), Arc::new(vec![b'v'; 40 << 20]));
    let url = raw_router(
        move |request_line| {
            if request_line.contains("/metadata/") {
                (metadata_head.clone(), metadata.clone())
            } else {
                (head.to_owned(), value.clone())
            }
        },
        256 << 10,
        Duration::ZERO,
    )
    .await;
    let s = store(&url);
    let err = bounded("get", async move { s.get("k").await })
        .await
        .unwrap_err();
    let Error::KvResponseTooLarge {
        what,
        limit_bytes,
        content_length: None,
        read_bytes,
        ..
    } = &err
    else {
        panic!("get: {err:?}");
    };
    assert_eq!(
        (what.as_str(), *limit_bytes),
        ("read value", MAX_VALUE_RESPONSE_BYTES as u64)
    );
    assert!(
        *read_bytes > *limit_bytes && *read_bytes <= *limit_bytes + (1 << 20),
        "{err:?}"
    );
    routes.push(format!(
        "get value alone: read value stopped at {read_bytes} of {limit_bytes}"
    ));
    eprintln!("{routes:#?}");
}

/// Pages that are empty but always carry a fresh cursor: one call to `list` follows 100 of them
/// (expired keys leave such pages) and ends at the 101st with the named error.
#[tokio::test]
async fn endless_empty_pages_with_fresh_cursors_end() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(|req: &wiremock::Request| {
            let n = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "cursor")
                .and_then(|(_, v)| v.trim_start_matches('c').parse::<u64>().ok())
                .unwrap_or(0);
            ResponseTemplate::new(200).set_body_json(json!({
                "success": true, "errors": [], "messages": [], "result": [],
                "result_info": { "count": 0, "cursor": format!("c{}", n + 1) }
            }))
        })
        .mount(&server)
        .await;
    let s = Arc::new(store(&server.uri()));
    let outcome = {
        let s = s.clone();
        bounded(
            "list keys",
            async move { s.list(&ListOptions::default()).await },
        )
        .await
    };
    let err = outcome.unwrap_err();
    assert!(
        matches!(&err, Error::KvPagingLoop { cursor, reason, .. }
            if cursor == "c101" && reason.starts_with("101 empty pages in a row")),
        "{err:?}"
    );
    assert_eq!(s.requests_sent(), 101);
}
