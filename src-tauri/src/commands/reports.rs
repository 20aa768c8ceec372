//! Commands of the Reports screen: the report list, one report's value (KV, live SQL on a miss,
//! or the offline mirror), the freshness diff, the definitions check, precompute, the offline
//! sync, export, run history.

use std::path::PathBuf;

use cachescope_core::reports::definition_check::{self, DefinitionCheck};
use cachescope_core::reports::definitions::Params;
use cachescope_core::reports::export::{export, ExportFormat};
use cachescope_core::reports::mirror::{self, SyncOutcome};
use cachescope_core::reports::precompute::{self, PrecomputeRequest, PrecomputeRun, RunSummary};
use cachescope_core::reports::reading::{
    self, ReadFrom, ReportDiff, ReportList, ReportTarget, ReportValue,
};
use cachescope_core::CoreContext;
use tauri::State;

use crate::ipc_error::IpcResult;

fn read_from(offline: bool) -> ReadFrom {
    if offline {
        ReadFrom::Mirror
    } else {
        ReadFrom::Auto
    }
}

/// Every report with the keys found for it (from the mirror when `offline` or KV is unreachable).
#[tauri::command]
pub async fn list_reports(
    ctx: State<'_, CoreContext>,
    profile: String,
    offline: bool,
) -> IpcResult<ReportList> {
    let progress = cachescope_core::progress::Progress::none();
    Ok(reading::list_reports(&ctx, Some(&profile), read_from(offline), &progress).await?)
}

/// One report key's value.
#[tauri::command]
pub async fn show_report(
    ctx: State<'_, CoreContext>,
    profile: String,
    report: String,
    params: Params,
    offline: bool,
) -> IpcResult<ReportValue> {
    let target = ReportTarget { report, params };
    Ok(reading::show_report(&ctx, Some(&profile), &target, read_from(offline)).await?)
}

/// The cached value against a live recomputation, field by field.
#[tauri::command]
pub async fn diff_report(
    ctx: State<'_, CoreContext>,
    profile: String,
    report: String,
    params: Params,
) -> IpcResult<ReportDiff> {
    let target = ReportTarget { report, params };
    Ok(reading::diff_report(&ctx, Some(&profile), &target).await?)
}

/// The named definitions (all when empty) checked against the profile's database; writes nothing.
#[tauri::command]
pub async fn check_report_definitions(
    ctx: State<'_, CoreContext>,
    profile: String,
    reports: Vec<String>,
) -> IpcResult<Vec<DefinitionCheck>> {
    Ok(definition_check::check_definitions(&ctx, Some(&profile), &reports).await?)
}

/// Precompute (or its dry run) of the named reports (all when empty), as a cancellable operation.
#[tauri::command]
pub async fn precompute_reports(
    ctx: State<'_, CoreContext>,
    profile: String,
    reports: Vec<String>,
    dry_run: bool,
    operation_id: String,
) -> IpcResult<PrecomputeRun> {
    let operation = ctx.start_operation(&operation_id)?;
    let request = PrecomputeRequest {
        reports,
        dry_run,
        as_of: None,
    };
    Ok(precompute::precompute(&ctx, Some(&profile), &request, &operation.progress).await?)
}

/// Copies the profile's report keys into the offline mirror, as a cancellable operation.
#[tauri::command]
pub async fn sync_reports(
    ctx: State<'_, CoreContext>,
    profile: String,
    operation_id: String,
) -> IpcResult<SyncOutcome> {
    let operation = ctx.start_operation(&operation_id)?;
    Ok(mirror::sync(&ctx, Some(&profile), &operation.progress).await?)
}

/// Writes a report as JSON, CSV or HTML into the user's Downloads folder; returns the path.
#[tauri::command]
pub async fn export_report(
    ctx: State<'_, CoreContext>,
    profile: String,
    report: String,
    params: Params,
    offline: bool,
    format: ExportFormat,
    table: Option<String>,
) -> IpcResult<String> {
    let target = ReportTarget { report, params };
    let value = reading::show_report(&ctx, Some(&profile), &target, read_from(offline)).await?;
    let text = export(&value, format, table.as_deref())?;
    let dir = directories::UserDirs::new()
        .and_then(|d| d.download_dir().map(PathBuf::from))
        .unwrap_or_else(|| ctx.dirs().data.join("exports"));
    // A private file (0600; the folder is created 0700 when missing), written whole or not at all.
    let path = cachescope_core::reports::export::write_into(&dir, &value.key, format, &text)?;
    Ok(path.display().to_string())
}

/// The latest precompute runs of a profile.
#[tauri::command]
pub async fn list_precompute_runs(
    ctx: State<'_, CoreContext>,
    profile: String,
    limit: i64,
) -> IpcResult<Vec<RunSummary>> {
    Ok(precompute::recent_runs(&ctx, Some(&profile), limit).await?)
}
