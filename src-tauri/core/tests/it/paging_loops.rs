//! Servers whose paging would never end, from wiremock: the same cursor on every page (as
//! Cloudflare's published example answers), a cursor that comes back after others, empty pages
//! that loop, one key a page without end, and namespace pages that ignore `page` or never stop.
//! Each listing must end with `KvPagingLoop` naming the cursor, after a counted number of
//! requests, and nothing may be done with the partial listing.

use std::sync::Arc;
use std::time::Duration;

use cachescope_core::kv::cloudflare::{CloudflareConfig, CloudflareStore, RateLimit, RetryPolicy};
use cachescope_core::kv::{list_all, KvStore, ListOptions};
use cachescope_core::{Error, ErrorCode};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BASE: &str = "/client/v4/accounts/acct/storage/kv/namespaces/ns1";
const NAMESPACES: &str = "/client/v4/accounts/acct/storage/kv/namespaces";
/// Far longer than any listing here takes; a listing still going then is a hang.
const BOUND: Duration = Duration::from_secs(60);

fn store(server: &MockServer) -> Arc<CloudflareStore> {
    let mut config = CloudflareConfig::new(
        &format!("{}/client/v4", server.uri()),
        "acct",
        "ns1",
        SecretString::from("paging-token".to_owned()),
    );
    config.rate_limit = RateLimit {
        requests: 1_000_000,
        per: Duration::from_secs(1),
    };
    config.retry = RetryPolicy {
        max_attempts: 1,
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(100),
    };
    config.timeout = Duration::from_secs(5);
    Arc::new(CloudflareStore::new(config).unwrap())
}

/// The cursor a listing request asked for, if any.
fn asked_cursor(req: &Request) -> Option<String> {
    req.url
        .query_pairs()
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.into_owned())
}

fn page(names: &[String], cursor: &str) -> ResponseTemplate {
    let keys: Vec<_> = names.iter().map(|n| json!({ "name": n })).collect();
    ResponseTemplate::new(200).set_body_json(json!({
        "success": true, "errors": [], "messages": [], "result": keys,
        "result_info": { "count": names.len(), "cursor": cursor },
    }))
}

/// Mounts a key listing answered by `respond`, given the cursor each request asked for.
async fn listing(
    respond: impl Fn(Option<String>) -> ResponseTemplate + Send + Sync + 'static,
) -> (MockServer, Arc<CloudflareStore>) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/keys")))
        .respond_with(move |req: &Request| respond(asked_cursor(req)))
        .mount(&server)
        .await;
    let s = store(&server);
    (server, s)
}

/// Lists every key under the bound; a timeout fails the test as a hang.
async fn list_everything(s: &Arc<CloudflareStore>) -> cachescope_core::Result<usize> {
    let s = s.clone();
    let listed = tokio::time::timeout(
        BOUND,
        tokio::spawn(async move { list_all(s.as_ref(), None, &Default::default()).await }),
    )
    .await
    .unwrap_or_else(|_| panic!("list_all: no outcome within {BOUND:?} (a hang)"))
    .unwrap();
    listed.map(|keys| keys.len())
}

/// The cursor and reason of a `KvPagingLoop`, or a failure naming what came instead.
fn paging_loop(outcome: cachescope_core::Result<usize>) -> (String, String, String) {
    match outcome {
        Err(err @ Error::KvPagingLoop { .. }) => {
            assert_eq!(err.code(), ErrorCode::Internal);
            let message = err.to_string();
            let Error::KvPagingLoop { cursor, reason, .. } = err else {
                unreachable!()
            };
            (cursor, reason, message)
        }
        other => panic!("expected KvPagingLoop, got {other:?}"),
    }
}

/// Cloudflare's published example: one key and the same non-empty cursor on every page. The
/// second request asks for that cursor and gets it back: the listing ends there (before the
/// fix, it asked for the same page forever).
#[tokio::test]
async fn the_same_cursor_on_every_page_ends_the_listing_naming_it() {
    let cursor = "6Ck1la0VxJ0djhidm1MdX2FyDGxLKVeeHZZmORS_8XeSuhz9SjIJRaSa2lnsF01tQOHrfTGAP3R5X1Kv5iVUuMbNKhWNAXHOl6ePB0TUL8nw";
    let (_server, s) = listing(move |_| page(&["My-Key".to_owned()], cursor)).await;
    let (at, reason, message) = paging_loop(list_everything(&s).await);
    assert_eq!(at, cursor);
    assert_eq!(
        reason,
        "the page asked for with this cursor came back with it again"
    );
    assert!(message.contains(cursor), "{message}");
    assert_eq!(s.requests_sent(), 2);
}

/// A, B, then A again: not the last cursor, but one seen two pages before.
#[tokio::test]
async fn a_cursor_that_comes_back_after_others_ends_the_listing() {
    let (_server, s) = listing(|asked| {
        let next = match asked.as_deref() {
            None => "A",
            Some("A") => "B",
            _ => "A",
        };
        page(&[format!("after-{asked:?}")], next)
    })
    .await;
    let (at, reason, _) = paging_loop(list_everything(&s).await);
    assert_eq!(at, "A");
    assert_eq!(
        reason,
        "page 3 came back with the cursor page 1 already gave"
    );
    assert_eq!(s.requests_sent(), 3);
}

/// The same loop through empty pages only: one `list` call follows empty pages, and ends at
/// the cursor that comes back, not at the bound of empty pages.
#[tokio::test]
async fn empty_pages_that_loop_end_at_the_repeated_cursor() {
    let (_server, s) = listing(|asked| {
        let next = match asked.as_deref() {
            None => "A",
            Some("A") => "B",
            _ => "A",
        };
        page(&[], next)
    })
    .await;
    let err = {
        let s = s.clone();
        tokio::time::timeout(BOUND, async move { s.list(&ListOptions::default()).await })
            .await
            .unwrap()
            .unwrap_err()
    };
    assert!(
        matches!(&err, Error::KvPagingLoop { cursor, reason, .. }
            if cursor == "A" && reason == "page 3 came back with the cursor page 1 already gave"),
        "{err:?}"
    );
    assert_eq!(s.requests_sent(), 3);
}

/// A cursor the caller passes in comes back: one `list` call (the UI's "Load more") ends.
#[tokio::test]
async fn a_page_that_returns_the_cursor_it_was_asked_for_ends_one_call() {
    let (_server, s) =
        listing(|asked| page(&["k".to_owned()], asked.as_deref().unwrap_or("X"))).await;
    let err = s
        .list(&ListOptions {
            cursor: Some("X".to_owned()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KvPagingLoop { cursor, .. } if cursor == "X"),
        "{err:?}"
    );
    assert_eq!(s.requests_sent(), 1);
}

/// One key a page and a fresh cursor every time, forever: after 1,003 pages for 1,003 keys
/// (which fill 2 pages of 1,000) the listing ends.
#[tokio::test]
async fn more_pages_than_the_keys_need_end_the_listing() {
    let (_server, s) = listing(|asked| {
        let n: u64 = asked
            .and_then(|c| c.trim_start_matches('c').parse().ok())
            .unwrap_or(0);
        page(&[format!("k{n:06}")], &format!("c{}", n + 1))
    })
    .await;
    let (at, reason, _) = paging_loop(list_everything(&s).await);
    assert_eq!(at, "c1003");
    assert_eq!(
        reason,
        "1003 pages for 1003 items at up to 1000 a page: more than the 2 pages those items fill \
         plus 1000 short ones"
    );
    assert_eq!(s.requests_sent(), 1003);
}

/// Short and empty pages of a listing that ends (expired keys) are followed to the end.
#[tokio::test]
async fn short_and_empty_pages_of_a_listing_that_ends_are_followed() {
    let (_server, s) = listing(|asked| {
        let n: u64 = asked
            .and_then(|c| c.trim_start_matches('c').parse().ok())
            .unwrap_or(0);
        match n {
            // 60 empty pages, 300 pages of 3 keys, then the end.
            0..60 => page(&[], &format!("c{}", n + 1)),
            60..360 => page(
                &(0..3).map(|i| format!("k{n:04}-{i}")).collect::<Vec<_>>(),
                &format!("c{}", n + 1),
            ),
            _ => page(&["last".to_owned()], ""),
        }
    })
    .await;
    assert_eq!(list_everything(&s).await.unwrap(), 901);
    assert_eq!(s.requests_sent(), 361);
}

fn namespace_page(first: usize, count: usize) -> ResponseTemplate {
    let result: Vec<_> = (first..first + count)
        .map(|i| json!({ "id": format!("ns{i:05}"), "title": format!("namespace {i}") }))
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({
        "success": true, "errors": [], "messages": [], "result": result,
    }))
}

fn asked_page(req: &Request) -> usize {
    req.url
        .query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

/// A server that ignores `page` and answers 100 namespaces every time: the second page repeats
/// the first and the listing ends there.
#[tokio::test]
async fn namespace_pages_that_ignore_page_end_the_listing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(NAMESPACES))
        .respond_with(namespace_page(0, 100))
        .mount(&server)
        .await;
    let s = store(&server);
    let err = tokio::time::timeout(BOUND, s.namespaces())
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, Error::KvPagingLoop { cursor, reason, .. }
            if cursor == "page=2" && reason == "page 2 repeats namespaces earlier pages gave"),
        "{err:?}"
    );
    assert_eq!(s.requests_sent(), 2);
}

/// Fresh full pages of namespaces forever: an account holds at most 1,000, so 20 pages (twice
/// what they fill) is where the listing ends.
#[tokio::test]
async fn namespace_pages_without_end_stop_at_twice_the_account_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(NAMESPACES))
        .respond_with(|req: &Request| namespace_page((asked_page(req) - 1) * 100, 100))
        .mount(&server)
        .await;
    let s = store(&server);
    let err = tokio::time::timeout(BOUND, s.namespaces())
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, Error::KvPagingLoop { cursor, reason, .. }
            if cursor == "page=21" && reason.contains("20 pages are the most")),
        "{err:?}"
    );
    assert_eq!(s.requests_sent(), 20);

    // 1,000 namespaces (the account limit) then a short page: listed whole.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(NAMESPACES))
        .respond_with(|req: &Request| {
            let page = asked_page(req);
            namespace_page((page - 1) * 100, if page <= 10 { 100 } else { 0 })
        })
        .mount(&server)
        .await;
    let s = store(&server);
    assert_eq!(s.namespaces().await.unwrap().len(), 1000);
    assert_eq!(s.requests_sent(), 11);
}
