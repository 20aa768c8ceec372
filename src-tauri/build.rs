//! Tauri's build step: embeds tauri.conf.json, the capabilities and the icons, and declares the
//! app's own commands so that a capability must grant each one (nothing is allowed by default).
fn main() {
    let commands = &[
        "list_profiles",
        "save_profile",
        "delete_profile",
        "set_default_profile",
        "test_connection",
        "list_namespaces",
        "switch_namespace",
        "list_keys",
        "get_value",
        "delete_key",
        "set_key_ttl",
        "delete_prefix",
        "cancel_operation",
        "list_reports",
        "show_report",
        "diff_report",
        "check_report_definitions",
        "precompute_reports",
        "sync_reports",
        "export_report",
        "list_precompute_runs",
        "list_jobs",
        "run_job",
        "set_job_paused",
        "set_job_enabled",
        "set_job_schedule",
        "set_job_options",
        "job_history",
        "audit_log",
        "export_audit_csv",
        "quota_plan",
        "scheduler_status",
        "cache_stats",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build step");
}
