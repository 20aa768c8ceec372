//! Building the stores under test: a fresh local namespace in a temporary file, and a Cloudflare
//! client pointed at the shared simulator with a test's own key prefix.

use std::time::Duration;

use cachescope_core::kv::cloudflare::{CloudflareConfig, CloudflareStore, RateLimit, RetryPolicy};
use cachescope_core::kv::local::LocalStore;
use secrecy::SecretString;

/// A store plus the prefix the test must stay under (and the temp dir it lives in, if local).
pub struct Subject {
    pub store: Box<dyn cachescope_core::kv::KvStore>,
    pub prefix: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn local(test: &str) -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(&dir.path().join("ns.sqlite"), "default")
        .await
        .unwrap();
    Subject {
        store: Box::new(store),
        prefix: cachescope_testkit::unique_prefix(test),
        _dir: Some(dir),
    }
}

/// A client for the simulator with limits generous enough for a test suite.
pub fn simulator_config(token: &str) -> CloudflareConfig {
    simulator_config_for(cachescope_testkit::simulator(), token)
}

/// The same, for a simulator of the test's own.
pub fn simulator_config_for(sim: &cachescope_testkit::Simulator, token: &str) -> CloudflareConfig {
    let mut config = CloudflareConfig::new(
        &sim.url,
        &sim.account_id,
        &sim.namespace_id,
        SecretString::from(token.to_owned()),
    );
    config.rate_limit = RateLimit {
        requests: 100_000,
        per: Duration::from_secs(1),
    };
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_secs(2),
    };
    config.timeout = Duration::from_secs(30);
    config
}

pub fn cloudflare(test: &str) -> Subject {
    let token = cachescope_testkit::simulator().token.clone();
    Subject {
        store: Box::new(CloudflareStore::new(simulator_config(&token)).unwrap()),
        prefix: cachescope_testkit::unique_prefix(test),
        _dir: None,
    }
}
