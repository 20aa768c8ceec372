//! Files on disk: everything Cachescope writes that can hold personal data or secrets (the local
//! SQLite files and their WAL, archives, report and key exports, the profiles file, fallback
//! secret files) is mode 0600 in folders created 0700; CSV cells cannot become spreadsheet
//! formulas.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use cachescope_core::audit::{AuditEntry, AuditRecord};
use cachescope_core::jobs::{run_job, JobName, JobRunRequest};
use cachescope_core::key_transfer::export_prefix_to_file;
use cachescope_core::kv::PutOptions;
use cachescope_core::profiles::Profile;
use cachescope_core::progress::Progress;
use cachescope_core::reports::export::{write_into, ExportFormat};
use cachescope_core::secrets::SecretKind;
use chrono::{TimeZone, Utc};
use secrecy::SecretString;
use sqlx::PgPool;

use super::report_precompute::context_on;

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

/// Every file and folder under `dir`, the folders first.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        out.push(path.clone());
        if path.is_dir() {
            walk(&path, out);
        }
    }
}

#[sqlx::test(migrations = false)]
async fn every_file_cachescope_writes_is_private_in_a_private_folder(pool: PgPool) {
    cachescope_core::db::migrate_source(&pool).await.unwrap();
    let profile = Profile {
        name: "files".into(),
        ..Profile::builtin_local()
    };
    // The context opens the state database (audit log) and saves the profiles file.
    let (ctx, dir) = context_on(&pool, profile, None).await;
    ctx.secrets()
        .set(
            "files",
            SecretKind::DbPassword,
            &SecretString::from("pw-files".to_owned()),
        )
        .await
        .unwrap();

    // The local namespace file, written through (so its WAL exists).
    let store = ctx.profile(Some("files")).unwrap().store().await.unwrap();
    for i in 0..20 {
        store
            .put(&format!("report:{i}"), b"{}", &PutOptions::default())
            .await
            .unwrap();
    }

    // An archive of traffic rows (personal data) into the default archive folder.
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
    cachescope_testkit::traffic::insert_traffic_events(&pool, now, 300, 6, 0).await;
    let request = JobRunRequest {
        now: Some(now),
        ..JobRunRequest::manual(JobName::Archive, false)
    }
    .confirmed("archive");
    let archived = run_job(&ctx, Some("files"), &request, &Progress::none(), None)
        .await
        .unwrap()
        .unwrap();
    let archive = PathBuf::from(archived.detail["file"].as_str().unwrap());
    assert!(archive.exists(), "{archived:?}");

    // A report export and a key export, each into a folder that does not exist yet.
    let report = write_into(
        &dir.path().join("exports"),
        "report:close-cases",
        ExportFormat::Csv,
        "a,b\n1,2\n",
    )
    .unwrap();
    let keys = dir.path().join("key-exports/keys.jsonl");
    let exported = export_prefix_to_file(store.as_ref(), None, &keys, &Progress::none())
        .await
        .unwrap();
    assert_eq!(exported, 20);
    assert_eq!(
        std::fs::read_to_string(&keys).unwrap().lines().count(),
        20,
        "the export is whole"
    );

    let mut paths = Vec::new();
    walk(dir.path(), &mut paths);
    let wal = PathBuf::from(format!("{}-wal", ctx.dirs().state_file().display()));
    for expected in [
        ctx.dirs().state_file(),
        wal,
        ctx.dirs().local_namespace_file(),
        ctx.dirs().profiles_file(),
        ctx.dirs().secrets_dir().join("files.db-password"),
        archive.clone(),
        report.clone(),
        keys.clone(),
    ] {
        assert!(
            paths.contains(&expected),
            "{} not written",
            expected.display()
        );
    }
    let mut files = 0;
    for path in &paths {
        let wanted = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(
            mode(path),
            wanted,
            "{} has mode {:o}",
            path.display(),
            mode(path)
        );
        files += usize::from(!path.is_dir());
    }
    assert!(files >= 8, "{paths:?}");
    assert!(paths.contains(&ctx.dirs().archives));
}

#[tokio::test]
async fn an_existing_world_readable_state_file_is_narrowed_when_opened() {
    let (ctx, dir) = super::key_operations::context().await;
    let state = ctx.dirs().state_file();
    drop(ctx);
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o644)).unwrap();
    let dirs = cachescope_core::paths::AppDirs::under(dir.path());
    let _ctx = cachescope_core::CoreContext::open_with_secrets(
        cachescope_core::secrets::SecretStore::files_only(&dirs.secrets_dir()),
        dirs,
    )
    .await
    .unwrap();
    assert_eq!(mode(&state), 0o600);
}

#[test]
fn audit_csv_cells_cannot_become_formulas() {
    let record = AuditRecord {
        id: 7,
        at: "2026-11-20T12:00:00.000Z".into(),
        os_user: "ann".into(),
        host: "h".into(),
        entry: AuditEntry {
            profile: "prod".into(),
            action: "delete-prefix".into(),
            target: "=HYPERLINK(\"http://evil\",\"click\")".into(),
            item_count: 3,
            dry_run: false,
            outcome: "@cmd".into(),
            detail: serde_json::json!(-1),
        },
    };
    let text = cachescope_core::audit::to_csv(&[record]).unwrap();
    let cells: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(cells[6], "'=HYPERLINK(\"http://evil\",\"click\")");
    assert_eq!(cells[9], "'@cmd");
    assert_eq!(cells[10], "-1", "a plain number stays a number");
}
