//! Two Cachescope processes on one machine share one API budget per account: this test runs two
//! copies of itself as child processes against one wiremock server and counts what reached it.

use std::process::{Command, Stdio};
use std::time::Duration;

use cachescope_core::kv::cloudflare::{CloudflareConfig, CloudflareStore, RateLimit, RetryPolicy};
use cachescope_core::kv::shared_budget::FILE_NAME;
use cachescope_core::kv::{KvStore, ListOptions};
use secrecy::SecretString;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Set in the children: `base URL|budget file or "-" for none|requests to send`.
const CHILD_ENV: &str = "CACHESCOPE_TEST_BUDGET_CHILD";
/// A burst of 10 requests, then one per 15.6 s: the children cannot earn a second burst while
/// they run, whatever the speed of the machine.
const LIMIT: RateLimit = RateLimit {
    requests: 240,
    per: Duration::from_secs(3600),
};
const WANTED_PER_PROCESS: usize = 10;
/// How long each child keeps trying (it is then stopped mid-wait, as a cancelled run would be).
const CHILD_RUNS_FOR: Duration = Duration::from_secs(3);

/// The child: sends up to `wanted` listings (one request each), paced by the budget, for at most [`CHILD_RUNS_FOR`].
async fn child(spec: &str) {
    let mut parts = spec.split('|');
    let (base, budget, wanted) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap().parse::<usize>().unwrap(),
    );
    let mut config = CloudflareConfig::new(base, "acct", "ns1", SecretString::from("t".to_owned()));
    config.rate_limit = LIMIT;
    config.retry = RetryPolicy {
        max_attempts: 1,
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(10),
    };
    config.shared_budget = (budget != "-").then(|| budget.into());
    let store = CloudflareStore::new(config).unwrap();
    let _ = tokio::time::timeout(CHILD_RUNS_FOR, async {
        for i in 0..wanted {
            let prefix = format!("report:{i}");
            let options = ListOptions {
                prefix: Some(prefix),
                ..ListOptions::default()
            };
            store.list(&options).await.unwrap();
        }
    })
    .await;
}

/// Starts two children at once and waits for both; returns the requests the server received.
async fn two_children(server: &MockServer, budget: Option<&std::path::Path>) -> usize {
    let spec = format!(
        "{}/client/v4|{}|{WANTED_PER_PROCESS}",
        server.uri(),
        budget.map_or("-".to_owned(), |p| p.display().to_string())
    );
    let exe = std::env::current_exe().unwrap();
    let spawn = || {
        Command::new(&exe)
            .args([
                "shared_budget::two_processes_share_one_budget_per_account",
                "--exact",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &spec)
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    };
    let children = [spawn(), spawn()];
    for mut c in children {
        let status = tokio::task::spawn_blocking(move || c.wait().unwrap())
            .await
            .unwrap();
        assert!(status.success(), "a child process failed");
    }
    let received = server.received_requests().await.unwrap().len();
    server.reset().await;
    mount(server).await;
    received
}

async fn mount(server: &MockServer) {
    let empty_page = serde_json::json!({
        "success": true, "errors": [], "messages": [], "result": [],
        "result_info": { "count": 0, "cursor": "" }
    });
    Mock::given(method("GET"))
        .and(path_regex(r"/keys$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_page))
        .mount(server)
        .await;
}

#[tokio::test]
async fn two_processes_share_one_budget_per_account() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        return child(&spec).await;
    }
    let server = MockServer::start().await;
    mount(&server).await;

    // Each process alone: both spend a whole burst, twice what the account allows at once.
    let apart = two_children(&server, None).await;
    assert_eq!(apart, 2 * WANTED_PER_PROCESS);

    // Through the budget file of the machine: one burst between them.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(FILE_NAME);
    let shared = two_children(&server, Some(&file)).await;
    assert!(
        (WANTED_PER_PROCESS..=WANTED_PER_PROCESS + 1).contains(&shared),
        "{shared} requests reached the server; one budget of a {WANTED_PER_PROCESS}-request burst allows {WANTED_PER_PROCESS} (+1 refilled)"
    );
}
