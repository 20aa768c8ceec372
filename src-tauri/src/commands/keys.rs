//! Commands of the key browser.

use cachescope_core::kv::{KeyPage, ListOptions};
use cachescope_core::value_view::ValueView;
use cachescope_core::CoreContext;
use tauri::State;

use crate::ipc_error::IpcResult;

/// One page of keys of a profile's namespace.
#[tauri::command]
pub async fn list_keys(
    ctx: State<'_, CoreContext>,
    profile: String,
    prefix: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> IpcResult<KeyPage> {
    let store = ctx.store(Some(&profile)).await?;
    Ok(store
        .list(&ListOptions {
            prefix,
            cursor,
            limit,
        })
        .await?)
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
