//! Test support: starts the local Cloudflare KV simulator (`kv-simulator/launch.mjs`, Miniflare
//! over a real KV binding) and the schema-driven mock of the KV API (`kv-simulator/prism-mock.mjs`,
//! Prism over `kv-simulator/cloudflare-kv.openapi.json`, static or dynamic) once per test binary,
//! on random loopback ports; [`traffic`] fills the sales source with traffic events for the jobs'
//! tests.
//!
//! Each launcher's stdin is a pipe held by this process: when the test binary exits, the pipe
//! closes and the launcher (and what it runs) stops with it.

pub mod traffic;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;

/// What the launcher's ready line says.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Simulator {
    /// API base URL, e.g. `http://127.0.0.1:40123/client/v4`.
    pub url: String,
    pub account_id: String,
    /// The namespace that exists from the start.
    pub namespace_id: String,
    /// A token with read and write rights.
    pub token: String,
    /// A token that may only read.
    pub readonly_token: String,
}

struct Running {
    // Held so the lifeline stays open until the process exits.
    _child: Child,
    _stdin: ChildStdin,
}

static SIMULATOR: OnceLock<Simulator> = OnceLock::new();
static PROCESS: Mutex<Option<Running>> = Mutex::new(None);

/// The repository's `kv-simulator` folder.
pub fn simulator_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../kv-simulator")
}

/// The simulator shared by this test binary, started on first use.
///
/// Panics with a clear message when Node or the simulator's npm packages are missing
/// (run `scripts/test.sh`, which installs them).
pub fn simulator() -> &'static Simulator {
    SIMULATOR.get_or_init(|| start(&[]))
}

/// Starts a separate simulator with extra launcher options (e.g. `--daily-write-limit 3`); it
/// lives until the test binary exits.
pub fn start(extra_args: &[&str]) -> Simulator {
    let mut args = vec!["--port", "0"];
    args.extend_from_slice(extra_args);
    launch("launch.mjs", "miniflare", "the KV simulator", &args)
}

/// What the mock's ready line says.
#[derive(Debug, Clone, Deserialize)]
pub struct MockApi {
    /// API base URL, e.g. `http://127.0.0.1:40123`: the contract's paths (`/accounts/...`) follow
    /// it directly. Any account id, namespace id and bearer token are accepted.
    pub url: String,
    /// Whether answers are generated at random from the schemas (else the schema's examples).
    pub dynamic: bool,
}

static MOCK_STATIC: OnceLock<MockApi> = OnceLock::new();
static MOCK_DYNAMIC: OnceLock<MockApi> = OnceLock::new();

/// The schema-driven mock of Cloudflare's KV API shared by this test binary, started on first
/// use: Prism over the repository's `kv-simulator/cloudflare-kv.openapi.json`. Static mode
/// answers every valid request with the schema's examples; `dynamic` generates a random answer
/// from the response schema each time. Requests that break the schema get a 4xx.
pub fn prism_mock(dynamic: bool) -> &'static MockApi {
    let (cell, args): (_, &[&str]) = if dynamic {
        (&MOCK_DYNAMIC, &["--port", "0", "--dynamic"])
    } else {
        (&MOCK_STATIC, &["--port", "0"])
    };
    cell.get_or_init(|| {
        launch(
            "prism-mock.mjs",
            "@stoplight/prism-cli",
            "the Prism mock of the KV API",
            args,
        )
    })
}

/// Runs a launcher script of `kv-simulator/` with node, reads its JSON ready line and keeps its
/// stdin (the lifeline) open until the test binary exits. Panics with a clear message when Node
/// or the npm `package` the script runs is missing (run `scripts/test.sh`, which installs it).
fn launch<T: serde::de::DeserializeOwned>(
    script: &str,
    package: &str,
    what: &str,
    args: &[&str],
) -> T {
    let dir = simulator_dir();
    assert!(
        dir.join("node_modules").join(package).exists(),
        "the KV simulator's packages are missing ({package}): run `npm ci --prefix {}` (scripts/test.sh does it)",
        dir.display()
    );
    let mut child = Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what} with `node`: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let stdin = child.stdin.take().expect("piped stdin");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("reading the ready line of {what}: {e}"));
    let ready: T = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("{what} did not print its ready line ({e}): {line:?}"));
    let mut guard = PROCESS.lock().unwrap_or_else(|e| e.into_inner());
    // Later launchers are kept alive the same way; only the first slot is tracked by name.
    if guard.is_none() {
        *guard = Some(Running {
            _child: child,
            _stdin: stdin,
        });
    } else {
        std::mem::forget((child, stdin));
    }
    ready
}

/// A prefix unique to one test, so tests sharing a namespace never see each other's keys.
pub fn unique_prefix(test: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "t{}-{}-{test}/",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
