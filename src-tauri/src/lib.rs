//! Cachescope's desktop shell: builds one `CoreContext`, registers the thin commands, and runs
//! the window. All logic lives in `cachescope-core`.

mod commands;
#[cfg(test)]
mod ipc_bindings;
mod ipc_commands;
mod ipc_error;
#[cfg(test)]
mod ipc_signatures;
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
        .invoke_handler(ipc_commands::handler())
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
