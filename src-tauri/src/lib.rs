//! Cachescope's desktop shell: builds one `CoreContext`, registers the thin commands, and runs
//! the window. All logic lives in `cachescope-core`.

mod commands;
mod ipc_error;

use cachescope_core::CoreContext;

/// Opens the core and runs the desktop app until its window closes.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CACHESCOPE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new()
        .unwrap_or_else(|e| fail(&format!("cannot start the async runtime: {e}")));
    let ctx = runtime
        .block_on(CoreContext::open_default())
        .unwrap_or_else(|e| fail(&format!("cannot open Cachescope's data: {e}")));
    tauri::async_runtime::set(runtime.handle().clone());
    let result = tauri::Builder::default()
        .manage(ctx)
        .invoke_handler(tauri::generate_handler![
            commands::profiles::list_profiles,
            commands::keys::list_keys,
            commands::keys::get_value,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        fail(&format!("the desktop app stopped: {e}"));
    }
}

fn fail(message: &str) -> ! {
    tracing::error!("{message}");
    eprintln!("cachescope: {message}");
    std::process::exit(1)
}
