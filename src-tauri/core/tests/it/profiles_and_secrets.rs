//! Profiles and secrets end to end: a token and a Postgres password are used for real requests,
//! and never appear in logs, errors, the profiles file, or what the UI is sent.

use std::io::Write;
use std::sync::{Arc, Mutex};

use cachescope_core::kv::{ListOptions, PutOptions};
use cachescope_core::profiles::{Profile, ProfileKind};
use cachescope_core::secrets::SecretLocation;
use cachescope_core::Error;
use secrecy::SecretString;

/// Log output captured by a test's own subscriber.
#[derive(Clone, Default)]
pub(super) struct Captured(pub(super) Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn cloudflare_profile(name: &str) -> Profile {
    let sim = cachescope_testkit::simulator();
    Profile {
        name: name.into(),
        kind: ProfileKind::Cloudflare,
        account_id: Some(sim.account_id.clone()),
        namespace_id: Some(sim.namespace_id.clone()),
        base_url: Some(sim.url.clone()),
        postgres_url: Some("postgres://cachescope@127.0.0.1:5432/postgres".into()),
        ..Profile::builtin_local()
    }
}

/// Saves a Cloudflare profile for the shared simulator, with its real token.
async fn save_simulator_profile(ctx: &cachescope_core::CoreContext, name: &str) {
    let token = SecretString::from(cachescope_testkit::simulator().token.clone());
    ctx.save_profile(cloudflare_profile(name), Some(token), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn secrets_never_reach_logs_errors_settings_or_views() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (ctx, dir) = super::key_operations::context().await;
    let sim = cachescope_testkit::simulator();
    let good_token = sim.token.clone();
    let wrong_token = "wrong-token-7c41d9e2b8a3".to_owned();
    let db_password = "pg-password-0d9f3a7e".to_owned();

    let stored = ctx
        .save_profile(
            cloudflare_profile("staging"),
            Some(SecretString::from(good_token.clone())),
            Some(SecretString::from(db_password.clone())),
        )
        .await
        .unwrap();
    assert!(stored
        .iter()
        .all(|(_, location)| matches!(location, SecretLocation::File { .. })));
    ctx.save_profile(
        cloudflare_profile("wrong"),
        Some(SecretString::from(wrong_token.clone())),
        None,
    )
    .await
    .unwrap();
    // Passwords written into Postgres URLs, both ways: moved to the secret store.
    let query_password = "pg-query-password-5e1b".to_owned();
    let userinfo_password = "pg-userinfo-password-93c2".to_owned();
    for (name, url, password) in [
        (
            "in-query",
            format!("postgres://cachescope@127.0.0.1:5432/postgres?sslmode=disable&password={query_password}"),
            &query_password,
        ),
        (
            "in-userinfo",
            format!("postgres://cachescope:{userinfo_password}@127.0.0.1:5432/postgres"),
            &userinfo_password,
        ),
    ] {
        let moved = ctx
            .save_profile(
                Profile {
                    postgres_url: Some(url),
                    ..cloudflare_profile(name)
                },
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(moved.len(), 1, "{moved:?}");
        let (stored, _) = ctx
            .secrets()
            .get(name, cachescope_core::secrets::SecretKind::DbPassword)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(secrecy::ExposeSecret::expose_secret(&stored), password);
    }
    assert_eq!(
        ctx.profile(Some("in-query"))
            .unwrap()
            .postgres_url
            .as_deref(),
        Some("postgres://cachescope@127.0.0.1:5432/postgres?sslmode=disable")
    );

    // Real work with the good token.
    let store = ctx.profile(Some("staging")).unwrap().store().await.unwrap();
    let key = format!(
        "{}secret-check",
        cachescope_testkit::unique_prefix("secrets")
    );
    store.put(&key, b"v", &PutOptions::default()).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap().unwrap().bytes, b"v");

    // A wrong token fails with a typed error that does not quote it.
    let wrong = ctx.profile(Some("wrong")).unwrap().store().await.unwrap();
    let err = wrong.list(&ListOptions::default()).await.unwrap_err();
    assert!(matches!(err, Error::KvAuth { .. }), "{err:?}");

    // The Postgres password is used for a real connection attempt (the role does not exist).
    let pool = ctx
        .profile(Some("staging"))
        .unwrap()
        .existing_database()
        .await
        .unwrap()
        .unwrap();
    let db_err = sqlx::query("SELECT 1").execute(&pool).await.unwrap_err();
    let moved_pool = ctx
        .profile(Some("in-query"))
        .unwrap()
        .existing_database()
        .await
        .unwrap()
        .unwrap();
    let moved_err = sqlx::query("SELECT 1")
        .execute(&moved_pool)
        .await
        .unwrap_err();

    let view_list = ctx.profile_views().await.unwrap();
    let views = serde_json::to_string(&view_list).unwrap();
    assert!(
        views.contains(r#""tokenSet":true"#) && views.contains(r#""dbPasswordSet":true"#),
        "{views}"
    );
    // Each view says where each secret actually is: here the fallback file, not the keychain.
    let places: Vec<(String, serde_json::Value, serde_json::Value)> = view_list
        .iter()
        .map(|v| {
            let json = serde_json::to_value(v).unwrap();
            (
                v.name.clone(),
                json["tokenLocation"].clone(),
                json["dbPasswordLocation"].clone(),
            )
        })
        .collect();
    assert_eq!(
        places,
        vec![
            ("local".into(), "none".into(), "none".into()),
            ("staging".into(), "file".into(), "file".into()),
            ("wrong".into(), "file".into(), "none".into()),
            ("in-query".into(), "none".into(), "file".into()),
            ("in-userinfo".into(), "none".into(), "file".into()),
        ]
    );
    let settings = std::fs::read_to_string(ctx.dirs().profiles_file()).unwrap();
    let mut everything = vec![
        views,
        settings,
        err.to_string(),
        format!("{err:?}"),
        db_err.to_string(),
        moved_err.to_string(),
        format!("{moved_err:?}"),
        format!("{:?}", ctx.profiles()),
        store.describe(),
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap(),
    ];
    // The audit and state files are on disk too.
    for entry in walk(dir.path()) {
        if !entry.starts_with(ctx.dirs().secrets_dir()) {
            everything.push(String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned());
        }
    }
    for secret in [
        &good_token,
        &wrong_token,
        &db_password,
        &query_password,
        &userinfo_password,
    ] {
        for (i, text) in everything.iter().enumerate() {
            assert!(
                !text.contains(secret.as_str()),
                "secret leaked into item {i}: {text:.300}"
            );
        }
    }
    // Logs were actually captured (the check above is not vacuous).
    assert!(!everything[9].is_empty());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn a_cloudflare_profile_without_a_token_says_how_to_set_one() {
    let (ctx, _dir) = super::key_operations::context().await;
    ctx.save_profile(cloudflare_profile("tokenless"), None, None)
        .await
        .unwrap();
    let err = ctx
        .profile(Some("tokenless"))
        .unwrap()
        .store()
        .await
        .err()
        .expect("no token, no store");
    let text = err.to_string();
    assert!(
        text.contains("API token of profile \"tokenless\"")
            && text.contains("CACHESCOPE_API_TOKEN_TOKENLESS"),
        "{text}"
    );
}

#[tokio::test]
async fn removing_a_profile_removes_its_secrets() {
    let (ctx, _dir) = super::key_operations::context().await;
    ctx.save_profile(
        cloudflare_profile("gone"),
        Some(SecretString::from("t-1".to_owned())),
        None,
    )
    .await
    .unwrap();
    ctx.remove_profile("gone").await.unwrap();
    assert!(ctx
        .secrets()
        .get("gone", cachescope_core::secrets::SecretKind::ApiToken)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        ctx.profile(Some("gone")).err(),
        Some(Error::ProfileNotFound(_))
    ));
}

#[tokio::test]
async fn the_builtin_local_profile_is_the_default_and_test_connection_works() {
    let (ctx, _dir) = super::key_operations::context().await;
    let check = ctx.check_connection(None).await.unwrap();
    assert!(check.store.contains("local namespace"), "{}", check.store);
    save_simulator_profile(&ctx, "sim").await;
    let check = ctx.check_connection(Some("sim")).await.unwrap();
    assert!(
        check.store.contains("Cloudflare namespace"),
        "{}",
        check.store
    );
}

#[tokio::test]
async fn namespaces_are_listed_and_a_profile_can_switch_between_them() {
    let (ctx, _dir) = super::key_operations::context().await;
    // Local: the namespaces that hold keys in the file, plus the profile's own.
    let file = ctx.profile(None).unwrap().store().await.unwrap();
    file.put("report:a", b"1", &PutOptions::default())
        .await
        .unwrap();
    let mirror =
        cachescope_core::kv::local::LocalStore::open(&ctx.dirs().local_namespace_file(), "mirror")
            .await
            .unwrap();
    cachescope_core::kv::KvStore::put(&mirror, "report:b", b"2", &PutOptions::default())
        .await
        .unwrap();
    let ids: Vec<String> = ctx
        .namespaces(None)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(ids, vec!["default", "mirror"]);
    ctx.switch_namespace("local", "mirror").await.unwrap();
    let keys = ctx
        .profile(None)
        .unwrap()
        .store()
        .await
        .unwrap()
        .list(&ListOptions::default())
        .await
        .unwrap()
        .keys;
    assert_eq!(
        keys.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        vec!["report:b"]
    );
    // Cloudflare: the account's namespaces, read with the profile's token.
    save_simulator_profile(&ctx, "sim").await;
    let namespaces = ctx.namespaces(Some("sim")).await.unwrap();
    assert!(
        namespaces
            .iter()
            .any(|n| n.id == cachescope_testkit::simulator().namespace_id
                && n.title == "cachescope-test"),
        "{namespaces:?}"
    );
}

/// A profiles file from an older version (or written by hand) with passwords in Postgres URLs:
/// opening moves them into the secret store and rewrites the file without them; a password
/// already in the store (the one in use) is kept.
#[tokio::test]
async fn passwords_in_an_old_profiles_file_move_to_the_secret_store_on_open() {
    use cachescope_core::paths::AppDirs;
    use cachescope_core::secrets::{SecretKind, SecretStore};
    use secrecy::ExposeSecret as _;

    let dir = tempfile::tempdir().unwrap();
    let dirs = AppDirs::under(dir.path());
    std::fs::create_dir_all(&dirs.config).unwrap();
    std::fs::write(
        dirs.profiles_file(),
        r#"
[[profile]]
name = "old"
kind = "local"
postgres_url = "postgres://app@127.0.0.1:5432/app?password=old-file-password-61ad&sslmode=disable"

[[profile]]
name = "kept"
kind = "local"
postgres_url = "postgres://app:stale-file-password-0b7e@127.0.0.1:5432/app"
"#,
    )
    .unwrap();
    let secrets = SecretStore::files_only(&dirs.secrets_dir());
    secrets
        .set(
            "kept",
            SecretKind::DbPassword,
            &SecretString::from("in-use-password".to_owned()),
        )
        .await
        .unwrap();

    let ctx = cachescope_core::CoreContext::open_with_secrets(secrets, dirs)
        .await
        .unwrap();
    let text = std::fs::read_to_string(ctx.dirs().profiles_file()).unwrap();
    assert!(
        !text.contains("old-file-password-61ad") && !text.contains("stale-file-password-0b7e"),
        "{text}"
    );
    let password = |name: &'static str| {
        let ctx = ctx.clone();
        async move {
            let (secret, _) = ctx
                .secrets()
                .get(name, SecretKind::DbPassword)
                .await
                .unwrap()
                .unwrap();
            secret.expose_secret().to_owned()
        }
    };
    assert_eq!(password("old").await, "old-file-password-61ad");
    assert_eq!(password("kept").await, "in-use-password");
    assert_eq!(
        ctx.profile(Some("old")).unwrap().postgres_url.as_deref(),
        Some("postgres://app@127.0.0.1:5432/app?sslmode=disable")
    );
}

#[tokio::test]
async fn an_http_base_url_to_another_host_is_refused_before_the_token_is_stored() {
    let (ctx, _dir) = super::key_operations::context().await;
    let err = ctx
        .save_profile(
            Profile {
                base_url: Some("http://kv.example.com/client/v4".into()),
                ..cloudflare_profile("clear")
            },
            Some(SecretString::from("clear-token-a81f".to_owned())),
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("http://kv.example.com/client/v4")
            && err.contains("\"clear\"")
            && err.contains("in clear text"),
        "{err}"
    );
    assert!(ctx
        .secrets()
        .get("clear", cachescope_core::secrets::SecretKind::ApiToken)
        .await
        .unwrap()
        .is_none());
}
