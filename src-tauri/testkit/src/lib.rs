//! Test support: starts the local Cloudflare KV simulator (`kv-simulator/launch.mjs`, Miniflare
//! over a real KV binding) once per test binary, on a random loopback port; [`traffic`] fills
//! the sales source with traffic events for the jobs' tests.
//!
//! The launcher's stdin is a pipe held by this process: when the test binary exits, the pipe
//! closes and the simulator (and its `workerd`) stops with it.

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
    let dir = simulator_dir();
    assert!(
        dir.join("node_modules/miniflare").exists(),
        "the KV simulator's packages are missing: run `npm ci --prefix {}` (scripts/test.sh does it)",
        dir.display()
    );
    let mut child = Command::new("node")
        .arg(dir.join("launch.mjs"))
        .args(["--port", "0"])
        .args(extra_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the KV simulator with `node`: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let stdin = child.stdin.take().expect("piped stdin");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("reading the KV simulator's ready line: {e}"));
    let simulator: Simulator = serde_json::from_str(&line).unwrap_or_else(|e| {
        panic!("the KV simulator did not print its ready line ({e}): {line:?}")
    });
    let mut guard = PROCESS.lock().unwrap_or_else(|e| e.into_inner());
    // Extra simulators are kept alive the same way; only the first slot is tracked by name.
    if guard.is_none() {
        *guard = Some(Running {
            _child: child,
            _stdin: stdin,
        });
    } else {
        std::mem::forget((child, stdin));
    }
    simulator
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
