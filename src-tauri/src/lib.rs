//! Cachescope's desktop shell: builds one `CoreContext`, registers the thin commands, and runs
//! the window. All logic lives in `cachescope-core`.

mod commands;
#[cfg(test)]
mod ipc_bindings;
mod ipc_error;
mod rendering;

use cachescope_core::jobs::console_scheduler::{ConsoleScheduler, FailureNotice};
use cachescope_core::CoreContext;
use tauri::Manager as _;

/// Opens the core and runs the desktop app until its window closes.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CACHESCOPE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    // Before the runtime's threads start.
    if let Some(why) = rendering::choose_compositing() {
        tracing::info!("the window paints without compositing ({why})");
    }
    let runtime = tokio::runtime::Runtime::new()
        .unwrap_or_else(|e| fail(&format!("cannot start the async runtime: {e}")));
    let ctx = runtime
        .block_on(CoreContext::open_default())
        .unwrap_or_else(|e| fail(&format!("cannot open Cachescope's data: {e}")));
    tauri::async_runtime::set(runtime.handle().clone());
    let events = ctx.events().subscribe();
    let finished_runs = ctx.events().subscribe();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .manage(ctx)
        .setup(|app| {
            forward_events(app.handle().clone(), events);
            notify_failed_scheduled_runs(app.handle().clone(), finished_runs);
            let ctx = app.state::<CoreContext>().inner().clone();
            // The default profile's scheduler, restarted whenever the profiles change.
            let scheduler = ConsoleScheduler::new(&ctx);
            app.manage(scheduler.clone());
            tauri::async_runtime::spawn(scheduler.follow_default_profile_changes());
            tauri::async_runtime::spawn(async move { ctx.open_all_stores().await });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::profiles::list_profiles,
            commands::profiles::save_profile,
            commands::profiles::delete_profile,
            commands::profiles::set_default_profile,
            commands::profiles::test_connection,
            commands::profiles::list_namespaces,
            commands::profiles::switch_namespace,
            commands::keys::list_keys,
            commands::keys::get_value,
            commands::keys::delete_key,
            commands::keys::set_key_ttl,
            commands::keys::delete_prefix,
            commands::keys::cancel_operation,
            commands::reports::list_reports,
            commands::reports::show_report,
            commands::reports::diff_report,
            commands::reports::precompute_reports,
            commands::reports::sync_reports,
            commands::reports::export_report,
            commands::reports::list_precompute_runs,
            commands::jobs::list_jobs,
            commands::jobs::run_job,
            commands::jobs::set_job_paused,
            commands::jobs::set_job_enabled,
            commands::jobs::set_job_schedule,
            commands::jobs::set_job_options,
            commands::jobs::job_history,
            commands::jobs::scheduler_status,
            commands::audit::audit_log,
            commands::audit::export_audit_csv,
            commands::stats::cache_stats,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        fail(&format!("the desktop app stopped: {e}"));
    }
}

/// The one task that forwards the core's events to the UI as `core-event`.
fn forward_events(
    app: tauri::AppHandle,
    mut events: tokio::sync::broadcast::Receiver<cachescope_core::events::Event>,
) {
    use tauri::Emitter as _;
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Err(e) = app.emit("core-event", &event) {
                        tracing::warn!(error = %e, "cannot forward an event to the UI");
                    }
                }
                // A slow UI missed some progress events; the next one carries the current count.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

/// A desktop notification for every scheduled job run that fails, whether or not the Jobs screen
/// is open (the screen shows its own notice too).
fn notify_failed_scheduled_runs(
    app: tauri::AppHandle,
    mut events: tokio::sync::broadcast::Receiver<cachescope_core::events::Event>,
) {
    use tauri_plugin_notification::NotificationExt as _;
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    let Some(notice) = FailureNotice::for_event(&event) else {
                        continue;
                    };
                    let builder = app.notification().builder();
                    if let Err(e) = builder.title(notice.title).body(notice.body).show() {
                        tracing::warn!(error = %e, "cannot show a desktop notification");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

fn fail(message: &str) -> ! {
    tracing::error!("{message}");
    eprintln!("cachescope: {message}");
    std::process::exit(1)
}
