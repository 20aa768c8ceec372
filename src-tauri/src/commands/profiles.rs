//! Commands of the profile picker.

use cachescope_core::context::ProfileView;
use cachescope_core::CoreContext;
use tauri::State;

use crate::ipc_error::IpcResult;

/// Every profile, without secrets (only whether each is set).
#[tauri::command]
pub async fn list_profiles(ctx: State<'_, CoreContext>) -> IpcResult<Vec<ProfileView>> {
    Ok(ctx.profile_views().await?)
}
