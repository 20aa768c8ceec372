//! Commands of the audit log (on the Jobs screen): its newest entries, and the same as CSV.

use cachescope_core::audit::{self, AuditRow};
use cachescope_core::CoreContext;
use tauri::State;

use crate::ipc_error::IpcResult;

/// The newest entries of the audit log of `profile` (its database's shared log when it names
/// one, else this machine's; this machine's when `profile` is none), newest first.
#[tauri::command]
pub async fn audit_log(
    ctx: State<'_, CoreContext>,
    profile: Option<String>,
    limit: u32,
) -> IpcResult<Vec<AuditRow>> {
    let records = ctx.recent_audit(profile.as_deref(), limit).await?;
    Ok(records.into_iter().map(AuditRow::from).collect())
}

/// The newest entries of the audit log as CSV text (the UI saves it as a file).
#[tauri::command]
pub async fn export_audit_csv(
    ctx: State<'_, CoreContext>,
    profile: Option<String>,
    limit: u32,
) -> IpcResult<String> {
    let records = ctx.recent_audit(profile.as_deref(), limit).await?;
    Ok(audit::to_csv(&records)?)
}
