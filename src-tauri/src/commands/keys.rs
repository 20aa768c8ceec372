//! Commands of the key browser and key detail.

use cachescope_core::key_deletion::{self, DeleteMode, PrefixDeletion};
use cachescope_core::kv::ListOptions;
use cachescope_core::value_view::{KeyPageView, ValueView};
use cachescope_core::CoreContext;
use tauri::State;

use crate::ipc_error::IpcResult;

/// One page of keys of a profile's namespace (metadata as JSON text, for lossless parsing).
#[tauri::command]
pub async fn list_keys(
    ctx: State<'_, CoreContext>,
    profile: String,
    prefix: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> IpcResult<KeyPageView> {
    let store = ctx.profile(Some(&profile))?.store().await?;
    let page = store
        .list(&ListOptions {
            prefix,
            cursor,
            limit,
        })
        .await?;
    Ok(page.into())
}

/// A value, as text or base64, cut at `max_bytes` when given.
#[tauri::command]
pub async fn get_value(
    ctx: State<'_, CoreContext>,
    profile: String,
    key: String,
    max_bytes: Option<u64>,
) -> IpcResult<ValueView> {
    Ok(cachescope_core::value_view::read_value(&ctx, &profile, &key, max_bytes).await?)
}

/// Deletes one key (the UI asked for confirmation); returns whether it existed.
#[tauri::command]
pub async fn delete_key(
    ctx: State<'_, CoreContext>,
    profile: String,
    key: String,
) -> IpcResult<bool> {
    Ok(key_deletion::delete_key(&ctx, Some(&profile), &key).await?)
}

/// Sets a key's TTL (seconds, at least 60), or makes it never expire.
#[tauri::command]
pub async fn set_key_ttl(
    ctx: State<'_, CoreContext>,
    profile: String,
    key: String,
    ttl_seconds: Option<u64>,
) -> IpcResult<()> {
    Ok(cachescope_core::key_expiry::set_key_ttl(&ctx, Some(&profile), &key, ttl_seconds).await?)
}

/// Dry run or delete of every key under a prefix; progress goes out as `core-event`s tagged
/// with `operation_id`, which `cancel_operation` stops.
#[tauri::command]
pub async fn delete_prefix(
    ctx: State<'_, CoreContext>,
    profile: String,
    prefix: String,
    dry_run: bool,
    confirmation: Option<String>,
    operation_id: String,
) -> IpcResult<PrefixDeletion> {
    let operation = ctx.start_operation(&operation_id)?;
    let mode = match dry_run {
        true => DeleteMode::DryRun,
        false => DeleteMode::Execute {
            confirmation: confirmation.unwrap_or_default(),
        },
    };
    Ok(
        key_deletion::delete_prefix(&ctx, Some(&profile), &prefix, mode, &operation.progress)
            .await?,
    )
}

/// Asks a running operation to stop; returns whether it was running.
#[tauri::command]
pub fn cancel_operation(ctx: State<'_, CoreContext>, operation_id: String) -> bool {
    ctx.cancel_operation(&operation_id)
}
