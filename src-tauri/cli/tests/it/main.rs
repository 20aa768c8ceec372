//! The `cachescope` binary as a user runs it: real processes, a temporary config and data
//! directory, the local namespace and the Cloudflare KV simulator. Checks output, exit codes and
//! that bad input leaves nothing half-written. [`killed_jobs`] kills job runs with SIGKILL.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::path::Path;

use assert_cmd::Command;

mod killed_jobs;

/// A `cachescope` command isolated in `home` (its own profiles, data and secret files).
fn cachescope(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cachescope").unwrap();
    cmd.env("CACHESCOPE_CONFIG_DIR", home.join("config"))
        .env("CACHESCOPE_DATA_DIR", home.join("data"))
        .env("CACHESCOPE_SECRET_STORE", "file")
        .env_remove("CACHESCOPE_PROFILE")
        .env("NO_COLOR", "1");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(home: &Path, args: &[&str], stdin: &str) -> Run {
    let out = cachescope(home)
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(home: &Path, args: &[&str]) -> String {
    let r = run(home, args, "");
    assert_eq!(r.code, 0, "{args:?} failed: {}", r.stderr);
    r.stdout
}

fn add_simulator_profile(home: &Path, name: &str, token: &str, extra: &[&str]) {
    let sim = cachescope_testkit::simulator();
    let mut args = vec![
        "profile",
        "add",
        name,
        "--kind",
        "cloudflare",
        "--account-id",
        &sim.account_id,
        "--namespace-id",
        &sim.namespace_id,
        "--base-url",
        &sim.url,
        "--token-stdin",
    ];
    args.extend_from_slice(extra);
    let r = run(home, &args, &format!("{token}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("API token stored in the file"),
        "the fallback is said out loud: {}",
        r.stdout
    );
}

#[test]
fn local_namespace_put_get_list_delete() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok(
        h,
        &[
            "kv",
            "put",
            "report:system-health",
            r#"{"generatedAt":"2026-11-22T00:00:00Z"}"#,
            "--ttl",
            "3600",
            "--metadata",
            r#"{"source":"cli"}"#,
        ],
    );
    assert_eq!(
        ok(h, &["kv", "get", "report:system-health"]),
        r#"{"generatedAt":"2026-11-22T00:00:00Z"}"#
    );
    let listed = ok(h, &["kv", "ls", "--prefix", "report:"]);
    assert!(
        listed.starts_with("report:system-health\t") && listed.contains(r#"{"source":"cli"}"#),
        "{listed}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(h, &["--json", "kv", "get", "report:system-health"])).unwrap();
    assert_eq!(json["metadata"]["source"], "cli");
    assert_eq!(json["encoding"], "utf8");
    let r = run(h, &["kv", "rm", "report:system-health"], "");
    assert_eq!(r.code, 2, "no --yes and no terminal: refused");
    assert!(r.stderr.contains("pass --yes"), "{}", r.stderr);
    ok(h, &["kv", "rm", "report:system-health", "--yes"]);
    let r = run(h, &["kv", "get", "report:system-health"], "");
    assert_eq!(r.code, 3);
    let audit = ok(h, &["audit"]);
    assert!(
        audit.contains("delete-key \"report:system-health\""),
        "{audit}"
    );
}

#[test]
fn bad_input_gets_one_clear_line_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let long_key = "k".repeat(513);
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["-p", "nope", "kv", "ls"],
            3,
            "no profile named \"nope\"",
        ),
        (
            vec!["kv", "put", "a", "1", "--metadata", "{bad"],
            2,
            "--metadata",
        ),
        (
            vec!["kv", "put", &long_key, "1"],
            2,
            "513 bytes long; the limit is 512",
        ),
        (
            vec!["kv", "put", "a", "1", "--ttl", "59"],
            2,
            "the minimum is 60 s",
        ),
        (
            vec!["kv", "put", "a", "--file", "/no/such/file"],
            9,
            "/no/such/file",
        ),
        (
            vec!["kv", "import", "/no/such/dump.jsonl"],
            9,
            "/no/such/dump.jsonl",
        ),
        (
            vec!["profile", "add", "x", "--kind", "cloudflare"],
            2,
            "needs an account id",
        ),
    ];
    for (args, code, needle) in cases {
        let r = run(h, &args, "");
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert_eq!(
            r.stderr.lines().count(),
            1,
            "{args:?} should print one line: {}",
            r.stderr
        );
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }
    assert_eq!(ok(h, &["kv", "ls"]), "", "nothing was written");
}

#[test]
fn cloudflare_profile_against_the_simulator() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    add_simulator_profile(
        h,
        "sim",
        &cachescope_testkit::simulator().token,
        &["--default"],
    );
    let prefix = cachescope_testkit::unique_prefix("cli");
    let key = format!("{prefix}user:42:analytics:dashboard");
    ok(
        h,
        &[
            "kv",
            "put",
            &key,
            r#"{"summary":{"totalOpportunities":3}}"#,
            "--ttl",
            "300",
        ],
    );
    assert_eq!(
        ok(h, &["kv", "get", &key]),
        r#"{"summary":{"totalOpportunities":3}}"#
    );
    let test = ok(h, &["profile", "test"]);
    assert!(test.starts_with("ok: Cloudflare namespace"), "{test}");
    let profiles = ok(h, &["profile", "ls"]);
    assert!(
        profiles.contains("* sim") && !profiles.contains(&cachescope_testkit::simulator().token),
        "{profiles}"
    );
}

#[test]
fn a_wrong_token_and_an_unreachable_server_are_named() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    add_simulator_profile(h, "wrong", "not-the-token-93af", &[]);
    let r = run(h, &["-p", "wrong", "kv", "ls"], "");
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains("rejected the API token") && !r.stderr.contains("not-the-token-93af"),
        "{}",
        r.stderr
    );
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sim = cachescope_testkit::simulator();
    let base = format!("http://127.0.0.1:{port}/client/v4");
    let r = run(
        h,
        &[
            "profile",
            "add",
            "down",
            "--account-id",
            &sim.account_id,
            "--namespace-id",
            "x",
            "--base-url",
            &base,
            "--token-stdin",
        ],
        "t\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(h, &["-p", "down", "kv", "ls"], "");
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(
        r.stderr.contains("unavailable") && r.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        r.stderr
    );
}

#[test]
fn rm_prefix_dry_runs_deletes_and_is_refused_on_a_read_only_profile() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = h.join("shared.sqlite");
    let db = db.to_str().unwrap();
    ok(
        h,
        &["profile", "add", "rw", "--kind", "local", "--path", db],
    );
    ok(
        h,
        &[
            "profile",
            "add",
            "ro",
            "--kind",
            "local",
            "--path",
            db,
            "--read-only",
        ],
    );
    ok(
        h,
        &[
            "profile",
            "add",
            "prod",
            "--kind",
            "local",
            "--path",
            db,
            "--production",
        ],
    );
    for i in 0..12 {
        ok(
            h,
            &["-p", "rw", "kv", "put", &format!("user:7:k{i:02}"), "x"],
        );
    }
    ok(h, &["-p", "rw", "kv", "put", "user:70:k", "x"]);
    let dry = ok(h, &["-p", "rw", "kv", "rm-prefix", "user:7:", "--dry-run"]);
    assert!(
        dry.starts_with("12 keys under \"user:7:\" would be deleted"),
        "{dry}"
    );
    for profile in ["ro", "prod"] {
        let r = run(
            h,
            &["-p", profile, "kv", "rm-prefix", "user:7:", "--yes"],
            "",
        );
        assert_eq!(r.code, 4, "{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("profile \"{profile}\" is read-only")),
            "{}",
            r.stderr
        );
        let r = run(h, &["-p", profile, "kv", "put", "user:7:new", "x"], "");
        assert_eq!(r.code, 4, "{}", r.stderr);
    }
    assert_eq!(
        ok(h, &["-p", "rw", "kv", "ls", "--prefix", "user:7"])
            .lines()
            .count(),
        13
    );
    let done = ok(h, &["-p", "rw", "kv", "rm-prefix", "user:7:", "--yes"]);
    assert_eq!(done.trim(), "deleted 12 keys under \"user:7:\"");
    assert_eq!(
        ok(h, &["-p", "rw", "kv", "ls", "--prefix", "user:7"])
            .trim_end()
            .split('\t')
            .next(),
        Some("user:70:k")
    );
}

/// A Cloudflare bulk delete that leaves keys unprocessed (Cloudflare's `unsuccessful_keys`) is
/// something the simulator never does, so wiremock plays the server: five keys listed, two of
/// them reported as not deleted.
#[tokio::test]
async fn rm_prefix_reports_keys_the_server_did_not_delete_and_exits_6() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    let base = "/client/v4/accounts/acct/storage/kv/namespaces/ns1";
    let keys: Vec<String> = (0..5).map(|i| format!("user:7:k{i}")).collect();
    let listed: Vec<_> = keys
        .iter()
        .map(|k| serde_json::json!({ "name": k }))
        .collect();
    Mock::given(method("GET"))
        .and(path(format!("{base}/keys")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "success": true, "errors": [], "messages": [], "result": listed,
            "result_info": { "count": 5, "cursor": "" },
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{base}/bulk/delete")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "success": true, "errors": [], "messages": [],
            "result": { "successful_key_count": 3, "unsuccessful_keys": ["user:7:k1", "user:7:k3"] },
        })))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    let url = format!("{}/client/v4", server.uri());
    // The CLI blocks; the mock server answers from the runtime's other threads.
    tokio::task::spawn_blocking(move || {
        let r = run(
            &h,
            &[
                "profile",
                "add",
                "cf",
                "--kind",
                "cloudflare",
                "--account-id",
                "acct",
                "--namespace-id",
                "ns1",
                "--base-url",
                &url,
                "--token-stdin",
            ],
            "wiremock-token\n",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);

        let r = run(&h, &["-p", "cf", "kv", "rm-prefix", "user:7:", "--yes"], "");
        assert_eq!(r.code, 6, "{}", r.stderr);
        assert_eq!(
            r.stdout,
            "deleted 3 keys under \"user:7:\"; 2 could not be deleted\n\
             not deleted (still there):\n  user:7:k1\n  user:7:k3\n"
        );
        assert_eq!(
            r.stderr.trim_end(),
            "cachescope: delete keys under \"user:7:\": 2 of 5 keys were not processed by the \
             server; run it again to retry them"
        );

        let r = run(
            &h,
            &["--json", "-p", "cf", "kv", "rm-prefix", "user:7:", "--yes"],
            "",
        );
        assert_eq!(r.code, 6, "{}", r.stderr);
        let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(
            (
                &report["deleted"],
                &report["failed"],
                &report["failedSample"]
            ),
            (
                &serde_json::json!(3),
                &serde_json::json!(2),
                &serde_json::json!(["user:7:k1", "user:7:k3"])
            )
        );

        let audit = ok(&h, &["--json", "audit", "--limit", "1"]);
        let audit: serde_json::Value = serde_json::from_str(&audit).unwrap();
        assert_eq!(audit[0]["itemCount"], 3);
        assert_eq!(audit[0]["detail"]["failed"], 2);
    })
    .await
    .unwrap();
}

/// A server that answers every listing page with the same non-empty cursor (as Cloudflare's
/// published example does): `kv rm-prefix --dry-run`, `kv rm-prefix --yes`, `kv export` (to
/// stdout and to a file) and `kv ls --all` each end with the named error quoting the cursor and
/// exit 1, after two list requests each; nothing is deleted and no export file is left.
#[tokio::test]
async fn a_server_that_repeats_its_list_cursor_ends_rm_prefix_and_export_with_the_named_error() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const CURSOR: &str = "cursor-that-never-ends";
    let server = MockServer::start().await;
    let base = "/client/v4/accounts/acct/storage/kv/namespaces/ns1";
    Mock::given(method("GET"))
        .and(path(format!("{base}/keys")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "success": true, "errors": [], "messages": [],
            "result": [{ "name": "user:7:k0" }],
            "result_info": { "count": 1, "cursor": CURSOR },
        })))
        // 5 commands, 2 list requests each: the first page, then the page that repeats.
        .expect(10)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{base}/bulk/delete")))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    let url = format!("{}/client/v4", server.uri());
    tokio::task::spawn_blocking(move || {
        let r = run(
            &h,
            &[
                "profile",
                "add",
                "cf",
                "--kind",
                "cloudflare",
                "--account-id",
                "acct",
                "--namespace-id",
                "ns1",
                "--base-url",
                &url,
                "--token-stdin",
            ],
            "wiremock-token\n",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let out = h.join("exports").join("keys.jsonl");
        let out_arg = out.to_str().unwrap().to_owned();
        for args in [
            vec!["-p", "cf", "kv", "rm-prefix", "user:", "--dry-run"],
            vec!["-p", "cf", "kv", "rm-prefix", "user:", "--yes"],
            vec!["-p", "cf", "kv", "export", "user:"],
            vec!["-p", "cf", "kv", "export", "user:", "--out", &out_arg],
            vec!["-p", "cf", "kv", "ls", "--all"],
        ] {
            let r = run(&h, &args, "");
            assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
            assert!(
                r.stderr
                    .contains(&format!("stopped at cursor \"{CURSOR}\""))
                    && r.stderr.contains("the server's paging would not end"),
                "{args:?}: {}",
                r.stderr
            );
            assert!(
                !r.stdout.contains("user:7:k0"),
                "{args:?} printed a partial listing: {}",
                r.stdout
            );
        }
        assert!(
            !out.exists(),
            "a partial export was left at {}",
            out.display()
        );
    })
    .await
    .unwrap();
}

#[test]
fn export_from_the_simulator_and_import_into_the_local_namespace() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    add_simulator_profile(h, "sim", &cachescope_testkit::simulator().token, &[]);
    let prefix = cachescope_testkit::unique_prefix("export");
    let binary: Vec<u8> = (0..=255u8).collect();
    std::fs::write(h.join("snap.bin"), &binary).unwrap();
    ok(
        h,
        &[
            "-p",
            "sim",
            "kv",
            "put",
            &format!("{prefix}snapshot:path-stats:v3"),
            "--file",
            h.join("snap.bin").to_str().unwrap(),
        ],
    );
    ok(
        h,
        &[
            "-p",
            "sim",
            "kv",
            "put",
            &format!("{prefix}report:todo-stats"),
            r#"{"overdue":{"total":4}}"#,
            "--metadata",
            r#"{"h":"x"}"#,
        ],
    );
    let dump = ok(h, &["-p", "sim", "kv", "export", &prefix]);
    assert_eq!(dump.lines().count(), 2);
    // --out: the same lines in a file only its owner can read, in a folder created 0700.
    let file = h.join("exports/dump.jsonl");
    ok(
        h,
        &[
            "-p",
            "sim",
            "kv",
            "export",
            &prefix,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), dump);
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&file), mode(file.parent().unwrap())), (0o600, 0o700));
    }
    std::fs::write(h.join("dump.jsonl"), &dump).unwrap();
    let imported = ok(h, &["kv", "import", h.join("dump.jsonl").to_str().unwrap()]);
    assert!(
        imported.starts_with("imported 2 keys into local namespace"),
        "{imported}"
    );
    let out = cachescope(h)
        .args(["kv", "get", &format!("{prefix}snapshot:path-stats:v3")])
        .output()
        .unwrap();
    assert_eq!(out.stdout, binary);
}

#[tokio::test]
async fn demo_seed_fills_the_local_namespace() {
    let scratch = ScratchDatabase::create("cachescope_cli_seed_").await;
    let url = scratch.url.clone();
    tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        // The built-in profile `local` has no Postgres: refused, naming it and the fix.
        let r = run(h, &["demo", "seed", "--users", "12"], "");
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("profile \"local\"") && r.stderr.contains("--postgres-url"),
            "{}",
            r.stderr
        );
        // Given a database, `local` gets the demo sales data, then precomputed reports and the
        // hand-made families, all in its namespace.
        ok(
            h,
            &[
                "profile",
                "add",
                "local",
                "--kind",
                "local",
                "--postgres-url",
                &url,
            ],
        );
        let summary: serde_json::Value = serde_json::from_str(&ok(
            h,
            &["--json", "demo", "seed", "--users", "12", "--scale", "300"],
        ))
        .unwrap();
        assert_eq!(summary["source"]["conversations"], 300);
        let keys: Vec<serde_json::Value> =
            serde_json::from_str(&ok(h, &["--json", "kv", "ls", "--all"])).unwrap();
        assert_eq!(summary["keys"].as_u64().unwrap() as usize, keys.len());
        for family in [
            "report:system-health",
            "report:team:",
            "report:rep:",
            "user:",
            "conversation:",
            "opportunity:",
            "recordings:user:",
            "intent:user:",
            "snapshot:path-stats:v",
        ] {
            assert!(
                keys.iter()
                    .any(|k| k["name"].as_str().unwrap().starts_with(family)),
                "no {family} key"
            );
        }
        // The report keys are precompute's: its run is in the database's history.
        let runs: Vec<serde_json::Value> =
            serde_json::from_str(&ok(h, &["--json", "report", "runs"])).unwrap();
        assert_eq!(runs.len(), 1, "{runs:?}");
    })
    .await
    .unwrap();
    scratch.drop().await;
}

/// A Postgres database of one test's own, named `{prefix}{pid}`, made from `DATABASE_URL`'s server.
struct ScratchDatabase {
    admin: sqlx::PgPool,
    name: String,
    url: String,
}

impl ScratchDatabase {
    async fn create(prefix: &str) -> Self {
        let admin_url = std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
        let name = format!("{prefix}{}", std::process::id());
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
        Self { admin, name, url }
    }

    async fn drop(self) {
        sqlx::query(&format!("DROP DATABASE {}", self.name))
            .execute(&self.admin)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn db_migrate_applies_the_console_schema_to_the_profile_database() {
    let scratch = ScratchDatabase::create("cachescope_cli_").await;
    let url = scratch.url.clone();
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    let (h2, url2) = (h.clone(), url.clone());
    tokio::task::spawn_blocking(move || {
        ok(
            &h2,
            &[
                "profile",
                "add",
                "pg",
                "--kind",
                "local",
                "--postgres-url",
                &url2,
            ],
        );
        assert!(ok(&h2, &["-p", "pg", "db", "migrate"]).contains("console migrations applied"));
        // Without a database the command says what is missing.
        let r = run(&h2, &["db", "migrate"], "");
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("names no Postgres database"),
            "{}",
            r.stderr
        );
    })
    .await
    .unwrap();
    let db = sqlx::PgPool::connect(&url).await.unwrap();
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('cachescope.job_runs') IS NOT NULL")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(exists);
    db.close().await;
    scratch.drop().await;
}

#[tokio::test]
async fn daemon_schedules_a_writable_profile_and_refuses_the_profiles_the_app_refuses() {
    use std::io::BufRead as _;

    let scratch = ScratchDatabase::create("cachescope_cli_daemon_").await;
    let url = scratch.url.clone();
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    tokio::task::spawn_blocking(move || {
        for (profile, extra) in [("pg", None), ("ro", Some("--read-only"))] {
            let mut args = vec![
                "profile",
                "add",
                profile,
                "--kind",
                "local",
                "--postgres-url",
                &url,
            ];
            args.extend(extra);
            ok(&h, &args);
        }
        // The app's refusals, word for word: a read-only profile (exit 4) and a profile without
        // a database (exit 2).
        let r = run(&h, &["-p", "ro", "daemon"], "");
        assert_eq!(r.code, 4, "{}", r.stderr);
        assert_eq!(
            r.stderr.trim_end(),
            "cachescope: profile ro is read-only; scheduled jobs would write, so none are scheduled"
        );
        let r = run(&h, &["daemon"], "");
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(
            r.stderr.trim_end(),
            "cachescope: profile local has no Postgres database; jobs are scheduled only for a \
             profile with one"
        );

        // A writable profile with a database: the jobs a fresh database schedules, until Ctrl-C.
        let mut daemon = std::process::Command::new(assert_cmd::cargo::cargo_bin("cachescope"))
            .args(["-p", "pg", "daemon"])
            .env("CACHESCOPE_CONFIG_DIR", h.join("config"))
            .env("CACHESCOPE_DATA_DIR", h.join("data"))
            .env("CACHESCOPE_SECRET_STORE", "file")
            .env_remove("CACHESCOPE_PROFILE")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = std::io::BufReader::new(daemon.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        assert_eq!(
            line.trim_end(),
            "cachescope daemon: scheduling 3 jobs of profile \"pg\"; Ctrl-C stops"
        );
        let interrupted = std::process::Command::new("kill")
            .args(["-INT", &daemon.id().to_string()])
            .status()
            .unwrap();
        assert!(interrupted.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let status = loop {
            if let Some(status) = daemon.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                daemon.kill().unwrap();
                panic!("the daemon did not stop on SIGINT");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(0));
    })
    .await
    .unwrap();
    // The daemon's sessions close with it; the database can go once the server has seen that.
    for _ in 0..200 {
        let sessions: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = $1")
                .bind(&scratch.name)
                .fetch_one(&scratch.admin)
                .await
                .unwrap();
        if sessions == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    scratch.drop().await;
}

#[tokio::test]
async fn destructive_jobs_need_their_name_typed_to_run_or_to_be_enabled() {
    let scratch = ScratchDatabase::create("cachescope_cli_confirm_").await;
    let url = scratch.url.clone();
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    tokio::task::spawn_blocking(move || {
        ok(
            &h,
            &[
                "profile",
                "add",
                "pg",
                "--kind",
                "local",
                "--postgres-url",
                &url,
                "--default",
            ],
        );
        for version in 1..=7 {
            ok(
                &h,
                &[
                    "kv",
                    "put",
                    &format!("snapshot:path-stats:v{version}"),
                    "{}",
                ],
            );
        }
        let snapshots = |h: &Path| {
            ok(h, &["kv", "ls", "--prefix", "snapshot:"])
                .lines()
                .count()
        };
        let state = |h: &Path, job: &str| {
            let listing = ok(h, &["jobs", "ls"]);
            listing
                .lines()
                .find(|l| l.starts_with(&format!("{job} ")))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(state(&h, "archive"), "disabled", "a new database");
        assert_eq!(state(&h, "storage-report"), "active");

        // A real run: no terminal and no --confirm, or a wrong name, is refused; nothing deleted.
        let r = run(&h, &["jobs", "run", "prune-snapshots"], "");
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("pass --confirm prune-snapshots"),
            "{}",
            r.stderr
        );
        for typed in ["prune", "PRUNE-SNAPSHOTS", "sweep"] {
            let r = run(
                &h,
                &["jobs", "run", "prune-snapshots", "--confirm", typed],
                "",
            );
            assert_eq!(r.code, 2, "{typed}: {}", r.stderr);
            assert!(r.stderr.contains("confirmation"), "{}", r.stderr);
        }
        assert_eq!(snapshots(&h), 7);
        ok(
            &h,
            &[
                "jobs",
                "run",
                "prune-snapshots",
                "--confirm",
                "prune-snapshots",
            ],
        );
        assert_eq!(snapshots(&h), 5);

        // Enabling a schedule: the same rule.
        let r = run(&h, &["jobs", "enable", "archive"], "");
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("pass --confirm archive"), "{}", r.stderr);
        let r = run(
            &h,
            &["jobs", "enable", "archive", "--confirm", "Archive"],
            "",
        );
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(state(&h, "archive"), "disabled");
        ok(&h, &["jobs", "enable", "archive", "--confirm", "archive"]);
        assert_eq!(state(&h, "archive"), "active");
        ok(&h, &["jobs", "disable", "archive"]);
        assert_eq!(state(&h, "archive"), "disabled");

        let audit = ok(&h, &["audit"]);
        for line in [
            "job-enable \"archive\"",
            "job-disable \"archive\"",
            "job:prune-snapshots \"snapshot:path-stats:v{version}\"  2 items  real  succeeded",
        ] {
            assert!(audit.contains(line), "{line:?} not in {audit}");
        }
    })
    .await
    .unwrap();
    scratch.drop().await;
}

const FIXTURE: &str = include_str!("../../../core/tests/fixtures/sales_small.sql");

#[tokio::test]
async fn precompute_and_report_commands_on_the_fixture() {
    let scratch = ScratchDatabase::create("cachescope_cli_reports_").await;
    let url = scratch.url.clone();
    let db = sqlx::PgPool::connect(&url).await.unwrap();
    cachescope_core::db::migrate_source(&db).await.unwrap();
    sqlx::raw_sql(FIXTURE).execute(&db).await.unwrap();
    db.close().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    let (h2, url2) = (h.clone(), url.clone());
    tokio::task::spawn_blocking(move || {
        ok(&h, &["profile", "add", "pg", "--kind", "local", "--postgres-url", &url, "--default"]);
        let at = ["--as-of", "2026-11-19T12:00:00Z"];
        let dry = ok(&h, &["precompute", "--dry-run", at[0], at[1]]);
        assert!(dry.contains("new       report:system-health"), "{dry}");
        assert!(dry.contains("would write 28 keys, 0 unchanged, 0 reports failed"), "{dry}");
        assert!(ok(&h, &["kv", "ls", "--prefix", "report:"]).trim().is_empty(), "a dry run writes nothing");
        assert!(ok(&h, &["precompute", at[0], at[1]]).contains("wrote 28 keys, 0 unchanged"));
        assert!(ok(&h, &["precompute", at[0], at[1]]).contains("wrote 0 keys, 28 unchanged"));

        let ls = ok(&h, &["report", "ls"]);
        assert!(ls.lines().any(|l| l.starts_with("rep ") && l.contains("report:rep:{userId}") && l.contains(" 4 ")), "{ls}");
        let shown = ok(&h, &["report", "show", "close-cases"]);
        assert!(shown.contains("\"winRate\": 66.7"), "{shown}");
        assert!(ok(&h, &["report", "show", "report:team:enterprise"]).contains("Cal Ito"));
        assert!(ok(&h, &["report", "show", "team-performance", "--param", "dept=default"]).contains("Eve Park"));
        let r = run(&h, &["report", "show", "team-performance"], "");
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("--param dept=VALUE"), "{}", r.stderr);
        let r = run(&h, &["precompute", "--report", "nope"], "");
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("report \"nope\"") && r.stderr.contains("known: system-health"), "{}", r.stderr);

        // Every built-in definition checks out on the fixture; a broken one is named, with where.
        let checked = ok(&h, &["report", "check"]);
        assert_eq!(checked.lines().filter(|l| l.starts_with("ok ")).count(), 11, "{checked}");
        assert!(checked.contains("user-dashboard       user:20000000-0000-0000-0000-00000000000a:analytics:dashboard"), "{checked}");
        assert!(checked.contains(", matches Dashboard)"), "{checked}");
        std::fs::write(
            h.join("config/reports.toml"),
            "[[report]]\nname = \"typo\"\nkey = \"check:typo\"\nttl = 600\nschedule = \"*/15 * * * *\"\nsql = \"SELECT json_build_object('n', count(*))\\nFROM sales.users WHERE rolle = 'rep'\"\n",
        )
        .unwrap();
        let r = run(&h, &["report", "check", "typo", "system-health"], "");
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stdout.contains("FAILED   typo                 sql: column \"rolle\" does not exist (line 2, column 24)"), "{}", r.stdout);
        assert!(r.stdout.contains("ok       system-health"), "{}", r.stdout);
        assert!(r.stderr.contains("typo") && r.stderr.contains("nothing was written"), "{}", r.stderr);
        std::fs::remove_file(h.join("config/reports.toml")).unwrap();

        let csv = ok(&h, &["report", "export", "close-cases", "--format", "csv", "--table", "lost"]);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("opportunityId,customerNumber,companyName,ownerName,amount,closedAt"));
        assert_eq!(
            lines.next(),
            Some("40000000-0000-0000-0000-000000000003,C-003,Gamma Inc,Ben Wu,2000,2026-11-18T09:00:00+00:00")
        );
        assert_eq!(lines.next(), None);
        let page = h.join("close-cases.html");
        ok(&h, &["report", "export", "close-cases", "--format", "html", "-o", page.to_str().unwrap()]);
        let html = std::fs::read_to_string(&page).unwrap();
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&page).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(html.contains("<h1>Closed deals</h1>") && html.contains("<td>Beta LLC</td>"), "{html}");

        assert!(ok(&h, &["report", "sync"]).contains("synced 28 report keys"));
        assert!(ok(&h, &["report", "show", "close-cases", "--offline"]).contains("Beta LLC"));
        let runs = ok(&h, &["report", "runs"]);
        assert_eq!(runs.lines().count(), 3, "{runs}");
        assert!(runs.contains("(dry run) written 28"), "{runs}");
    })
    .await
    .unwrap();

    // Acme's deal grows: the cached opportunity list of its owner no longer matches SQL.
    let db = sqlx::PgPool::connect(&url2).await.unwrap();
    sqlx::query("UPDATE sales.opportunities SET amount = 13000 WHERE customer_number = 'C-001'")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    tokio::task::spawn_blocking(move || {
        let key = "user:20000000-0000-0000-0000-00000000000a:opportunities:list:all";
        let diff = ok(&h2, &["report", "diff", key]);
        assert!(
            diff.contains("changed  /0/amount: 12000 -> 13000"),
            "{diff}"
        );
        assert_eq!(diff.lines().count(), 2, "{diff}");
    })
    .await
    .unwrap();
    scratch.drop().await;
}

#[tokio::test]
async fn precompute_plan_on_the_fixture_and_a_schedule_over_the_plan_needs_the_override() {
    let scratch = ScratchDatabase::create("cachescope_cli_plan_").await;
    let url = scratch.url.clone();
    let db = sqlx::PgPool::connect(&url).await.unwrap();
    cachescope_core::db::migrate_source(&db).await.unwrap();
    sqlx::raw_sql(FIXTURE).execute(&db).await.unwrap();
    db.close().await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    tokio::task::spawn_blocking(move || {
        ok(
            &h,
            &[
                "profile",
                "add",
                "pg",
                "--kind",
                "local",
                "--postgres-url",
                &url,
                "--default",
            ],
        );
        let at = ["--as-of", "2026-11-19T12:00:00Z"];
        let plan: serde_json::Value =
            serde_json::from_str(&ok(&h, &["--json", "precompute", "--plan", at[0], at[1]]))
                .unwrap();
        assert_eq!(plan["limits"]["writes"], 1000);
        assert_eq!(plan["totals"]["writes"], 135);
        assert_eq!(plan["totals"]["lists"], 98);
        assert_eq!(plan["totals"]["over"], serde_json::json!([]));
        let dashboard = &plan["reports"][8];
        assert_eq!(dashboard["name"], "user-dashboard");
        assert_eq!(
            (
                &dashboard["keys"],
                &dashboard["writesPerDay"],
                &dashboard["jobs"]
            ),
            (
                &serde_json::json!(5),
                &serde_json::json!(5),
                &serde_json::json!(["nightly-analytics"])
            )
        );
        assert_eq!(plan["jobs"][0]["job"], "precompute");
        assert_eq!(plan["jobs"][0]["runsPerDay"], 96);
        assert!(
            ok(&h, &["kv", "ls"]).trim().is_empty(),
            "planning writes nothing"
        );

        let text = ok(&h, &["precompute", "--plan", at[0], at[1]]);
        assert!(
            text.contains("KV plan of profile pg: free plan (100,000 reads, 1,000 writes"),
            "{text}"
        );
        assert!(
            text.lines().any(|l| l.starts_with("system-health ")
                && l.split_whitespace().collect::<Vec<_>>()[..7]
                    == ["system-health", "1", "7,200", "s", "96", "16", "1.6%"]),
            "{text}"
        );
        assert!(
            text.contains("a day: writes 135 of 1,000 (13.5%), lists 98 of 1,000 (9.8%)"),
            "{text}"
        );
        assert!(text.trim_end().ends_with("within the plan"), "{text}");

        // Every minute lists report: 1,440 times a day: refused without the override.
        let r = run(&h, &["jobs", "schedule", "precompute", "* * * * *"], "");
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("1,442 lists a day against 1,000 (144.2%)"),
            "{}",
            r.stderr
        );
        let jobs: Vec<serde_json::Value> =
            serde_json::from_str(&ok(&h, &["--json", "jobs", "ls"])).unwrap();
        assert_eq!(
            jobs[0]["schedule"], "*/15 * * * *",
            "a refused change changes nothing"
        );
        ok(
            &h,
            &["jobs", "schedule", "precompute", "* * * * *", "--over-plan"],
        );
        let text = ok(&h, &["precompute", "--plan", at[0], at[1]]);
        assert!(
            text.contains("OVER PLAN: 1,442 lists a day against 1,000"),
            "{text}"
        );
        assert!(text.trim_end().ends_with("OVER PLAN: lists"), "{text}");
        let audit: Vec<serde_json::Value> =
            serde_json::from_str(&ok(&h, &["--json", "audit"])).unwrap();
        let change = audit
            .iter()
            .find(|r| r["action"] == "job-schedule")
            .unwrap();
        assert_eq!(
            change["detail"]["quotaPlan"]["overridden"], true,
            "{change}"
        );
        assert_eq!(
            change["detail"]["quotaPlan"]["listsPerDay"], 1442,
            "{change}"
        );
    })
    .await
    .unwrap();
    scratch.drop().await;
}

#[tokio::test]
async fn demo_db_fills_the_profile_database_and_checks_its_scale() {
    let scratch = ScratchDatabase::create("cachescope_cli_demo_").await;
    let url = scratch.url.clone();
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    let url2 = url.clone();
    let summary = tokio::task::spawn_blocking(move || {
        for (profile, extra) in [("pg", None), ("ro", Some("--read-only"))] {
            let mut args = vec![
                "profile",
                "add",
                profile,
                "--kind",
                "local",
                "--postgres-url",
                &url2,
            ];
            args.extend(extra);
            ok(&h, &args);
        }
        let summary: serde_json::Value = serde_json::from_str(&ok(
            &h,
            &[
                "--json",
                "-p",
                "pg",
                "demo",
                "db",
                "--scale",
                "500",
                "--now",
                "2026-11-25T10:30:00Z",
            ],
        ))
        .unwrap();
        // The scale is checked before anything is touched, and named.
        let r = run(&h, &["-p", "pg", "demo", "db", "--scale", "50"], "");
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("--scale") && r.stderr.contains("give 100"),
            "{}",
            r.stderr
        );
        // A read-only profile and a profile without a database are refused.
        let r = run(&h, &["-p", "ro", "demo", "db", "--scale", "100"], "");
        assert_eq!(r.code, 4, "{}", r.stderr);
        let r = run(&h, &["demo", "db", "--scale", "100"], "");
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("names no Postgres database"),
            "{}",
            r.stderr
        );
        // The profile names a database: its audit log is the shared one there.
        assert!(ok(&h, &["-p", "pg", "audit"]).contains("demo-db \"schema sales\""));
        summary
    })
    .await
    .unwrap();
    assert_eq!(summary["conversations"], 500);
    assert_eq!(summary["users"], 12);
    assert_eq!(summary["opportunities"], 125);
    assert_eq!(summary["todos"], 250);
    assert_eq!(summary["trafficEvents"], 500);
    assert_eq!(summary["seed"], 7);
    assert_eq!(summary["now"], "2026-11-25T10:30:00Z");
    let analyses = summary["analyses"].as_u64().unwrap();
    assert!(analyses > 400 && analyses < 500, "{summary}");
    assert!(summary["pathStatsHourly"].as_u64().unwrap() > 0);
    assert!(summary["elapsedMs"].is_u64());

    let db = sqlx::PgPool::connect(&url).await.unwrap();
    let conversations: i64 = sqlx::query_scalar("SELECT count(*) FROM sales.conversations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(conversations, 500);
    db.close().await;
    scratch.drop().await;
}

const WORKER_LOG: &str = "\
2026-11-20T08:00:01Z [Cache Hit] report:system-health
2026-11-20T08:00:02Z [Cache Miss] user:abc123:conversations:list
2026-11-20T08:00:03Z [Cache Set] user:abc123:conversations:list (TTL: 3600s)
2026-11-20T08:30:00Z [Cache Hit] user:abc123:conversations:list
2026-11-20T09:00:00Z [Cache Hit] report:system-health
GET /api/health 200
[Cache Hit]
[Cache Miss] report:team:enterprise
";

#[tokio::test]
async fn stats_import_then_figures_as_json() {
    let scratch = ScratchDatabase::create("cachescope_cli_stats_").await;
    let url = scratch.url.clone();
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_owned();
    tokio::task::spawn_blocking(move || {
        let r = run(&h, &["stats"], "");
        assert_eq!(r.code, 2, "no database: {}", r.stderr);
        assert!(
            r.stderr.contains("names no Postgres database"),
            "{}",
            r.stderr
        );
        ok(
            &h,
            &[
                "profile",
                "add",
                "pg",
                "--kind",
                "local",
                "--postgres-url",
                &url,
                "--default",
            ],
        );
        let log = h.join("worker.log");
        std::fs::write(&log, WORKER_LOG).unwrap();
        let log = log.to_str().unwrap();
        let at = ["--at", "2026-11-20T10:15:00Z"];
        let imported = ok(
            &h,
            &[
                "stats",
                "import",
                log,
                "--source",
                "api-worker",
                at[0],
                at[1],
            ],
        );
        assert!(imported.contains(": 6 events from 8 lines"), "{imported}");
        assert!(imported.contains("3 hit, 2 miss, 1 set"), "{imported}");
        assert!(
            imported.contains("1 malformed lines skipped")
                && imported.contains("line 7: [Cache Hit] names no key"),
            "{imported}"
        );
        assert!(
            imported.contains("1 lines had no timestamp and were given 2026-11-20T10:15:00Z"),
            "{imported}"
        );
        // Twice: nothing new.
        let again: serde_json::Value =
            serde_json::from_str(&ok(&h, &["--json", "stats", "import", log])).unwrap();
        assert_eq!(again[0]["events"], 0);
        assert_eq!(again[0]["skippedBytes"], WORKER_LOG.len());

        let range = [
            "--since",
            "2026-11-20T00:00:00Z",
            "--until",
            "2026-11-21T00:00:00Z",
        ];
        let stats: serde_json::Value =
            serde_json::from_str(&ok(&h, &[&["--json", "stats"][..], &range[..]].concat()))
                .unwrap();
        assert_eq!(stats["granularity"], "hour");
        assert_eq!(stats["buckets"].as_array().unwrap().len(), 24);
        let totals = &stats["totals"];
        assert_eq!(
            (
                totals["hits"].as_u64(),
                totals["misses"].as_u64(),
                totals["sets"].as_u64()
            ),
            (Some(3), Some(2), Some(1))
        );
        assert_eq!(totals["reads"], 5);
        assert_eq!(totals["hitRate"], 0.6);
        assert_eq!(totals["dbQueriesSaved"], 3);
        assert_eq!(stats["series"][8]["hits"], 2);
        assert_eq!(stats["series"][10]["misses"], 1);
        let families: Vec<&str> = stats["families"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["family"].as_str().unwrap())
            .collect();
        assert_eq!(
            families,
            [
                "report:system-health",
                "user:{userId}:conversations:list",
                "report:team:{dept}"
            ]
        );
        assert_eq!(stats["kvOperations"][0]["reads"], 5);
        assert_eq!(stats["kvOperations"][0]["writes"], 1);
        assert_eq!(stats["topMissedKeys"][0]["misses"], 1);
        assert_eq!(stats["limits"]["writes"], 1000);

        let family: serde_json::Value = serde_json::from_str(&ok(
            &h,
            &[
                &[
                    "--json",
                    "stats",
                    "--family",
                    "user:{userId}:conversations:list",
                    "--per",
                    "day",
                ][..],
                &range[..],
            ]
            .concat(),
        ))
        .unwrap();
        assert_eq!(family["totals"]["hitRate"], 0.5);
        assert_eq!(
            family["buckets"],
            serde_json::json!(["2026-11-20T00:00:00Z"])
        );
        assert_eq!(
            family["topMissedKeys"][0]["key"],
            "user:abc123:conversations:list"
        );

        let text = ok(&h, &[&["stats"][..], &range[..]].concat());
        assert!(
            text.contains("hit rate          60.0%  (target 90%)  BELOW TARGET"),
            "{text}"
        );
        assert!(text.contains("report:team:{dept}"), "{text}");

        let pruned = ok(&h, &["stats", "prune", "--retention-days", "1"]);
        assert!(
            pruned.contains("deleted 6 raw events of 3 hours"),
            "{pruned}"
        );
        let after: serde_json::Value =
            serde_json::from_str(&ok(&h, &[&["--json", "stats"][..], &range[..]].concat()))
                .unwrap();
        assert_eq!(
            after["totals"], stats["totals"],
            "pruned events stay counted"
        );
        assert_eq!(after["topMissedKeys"], serde_json::json!([]));

        let r = run(&h, &["stats", "import", "/nonexistent/worker.log"], "");
        assert_eq!(r.code, 9, "{}", r.stderr);
        let r = run(&h, &["stats", "--since", "yesterday"], "");
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("time \"yesterday\""), "{}", r.stderr);
        // About 17.7M hourly points: refused by name before any query (it used to run out of
        // memory building the buckets).
        let r = run(
            &h,
            &["stats", "--since", "0001-01-01T00:00:00Z", "--per", "hour"],
            "",
        );
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("time range") && r.stderr.contains("hourly points, more than 10000"),
            "{}",
            r.stderr
        );
    })
    .await
    .unwrap();
    scratch.drop().await;
}
