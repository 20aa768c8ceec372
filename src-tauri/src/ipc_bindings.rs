//! The TypeScript types of every command payload, error and event, rendered from the Rust types
//! (ts-rs) into `ui/src/ipc/bindings.ts`. A test fails when the committed file has drifted;
//! `UPDATE_BINDINGS=1 cargo test -p cachescope-app ipc_` rewrites it (and `commands.ts`).

use cachescope_core::audit::AuditRow;
use cachescope_core::context::{ConnectionCheck, ProfileView};
use cachescope_core::events::{Event, FinishedRun};
use cachescope_core::jobs::catalog::JobName;
use cachescope_core::jobs::console_scheduler::SchedulerReport;
use cachescope_core::jobs::counts::{
    ArchiveCounts, DeleteArchivedCounts, JobCounts, KeyCleanupCounts, PrecomputeCounts,
    StorageReportCounts,
};
use cachescope_core::jobs::history::{JobRunRecord, JobRunStatus};
use cachescope_core::jobs::kv_cleanup::{FamilyShare, KeyCleanupOutcome};
use cachescope_core::jobs::options::{
    ArchiveOptions, DeleteArchivedOptions, InvalidateUserOptions, JobOptions, PrecomputeOptions,
    PruneSnapshotsOptions, StorageReportOptions, SweepOptions, SweepRule,
};
use cachescope_core::jobs::overview::JobView;
use cachescope_core::jobs::quota_plan::{
    JobQuota, ListingQuota, QuotaDay, QuotaPlan, QuotaTotals, ReportQuota,
};
use cachescope_core::jobs::scheduler::SchedulerStatus;
use cachescope_core::jobs::settings::JobSettings;
use cachescope_core::key_deletion::PrefixDeletion;
use cachescope_core::kv::cloudflare::Namespace;
use cachescope_core::profiles::ProfileKind;
use cachescope_core::progress::ProgressUpdate;
use cachescope_core::reports::contracts::ContractBreach;
use cachescope_core::reports::definition_check::{CheckStage, DefinitionCheck};
use cachescope_core::reports::definitions::TableSpec;
use cachescope_core::reports::export::ExportFormat;
use cachescope_core::reports::mirror::SyncOutcome;
use cachescope_core::reports::precompute::{
    KeyPlan, PrecomputeRun, ReportRun, RunStatus, RunSummary, WriteReason,
};
use cachescope_core::reports::reading::{
    ChangeKind, FieldChange, ReportDiff, ReportKey, ReportList, ReportSummary, ReportValue,
    ValueSource,
};
use cachescope_core::secrets::SecretPlace;
use cachescope_core::stats::queries::{
    CacheStats, DayOperations, FamilyStats, Figures, Granularity, MissedKey, PlanLimits, Targets,
};
use cachescope_core::value_view::{ContractCheck, KeyPageView, KeyView, ValueEncoding, ValueView};
use cachescope_core::ErrorCode;
use ts_rs::TS;

use crate::commands::profiles::ProfileInput;
use crate::ipc_error::IpcError;

/// The whole bindings file.
pub fn render() -> String {
    let declarations = [
        ErrorCode::decl(),
        IpcError::decl(),
        ProfileKind::decl(),
        SecretPlace::decl(),
        ProfileView::decl(),
        ProfileInput::decl(),
        ConnectionCheck::decl(),
        Namespace::decl(),
        KeyView::decl(),
        KeyPageView::decl(),
        ValueEncoding::decl(),
        ContractBreach::decl(),
        ContractCheck::decl(),
        ValueView::decl(),
        PrefixDeletion::decl(),
        ProgressUpdate::decl(),
        TableSpec::decl(),
        ValueSource::decl(),
        ReportKey::decl(),
        ReportSummary::decl(),
        ReportList::decl(),
        ReportValue::decl(),
        CheckStage::decl(),
        DefinitionCheck::decl(),
        ChangeKind::decl(),
        FieldChange::decl(),
        ReportDiff::decl(),
        WriteReason::decl(),
        KeyPlan::decl(),
        ReportRun::decl(),
        RunStatus::decl(),
        PrecomputeRun::decl(),
        ExportFormat::decl(),
        RunSummary::decl(),
        SyncOutcome::decl(),
        JobName::decl(),
        SweepRule::decl(),
        PrecomputeOptions::decl(),
        ArchiveOptions::decl(),
        DeleteArchivedOptions::decl(),
        StorageReportOptions::decl(),
        PruneSnapshotsOptions::decl(),
        SweepOptions::decl(),
        InvalidateUserOptions::decl(),
        JobOptions::decl(),
        PrecomputeCounts::decl(),
        ArchiveCounts::decl(),
        DeleteArchivedCounts::decl(),
        StorageReportCounts::decl(),
        KeyCleanupCounts::decl(),
        JobCounts::decl(),
        FamilyShare::decl(),
        KeyCleanupOutcome::decl(),
        JobRunStatus::decl(),
        JobRunRecord::decl(),
        JobView::decl(),
        JobSettings::decl(),
        SchedulerStatus::decl(),
        SchedulerReport::decl(),
        AuditRow::decl(),
        Granularity::decl(),
        Figures::decl(),
        FamilyStats::decl(),
        DayOperations::decl(),
        MissedKey::decl(),
        PlanLimits::decl(),
        Targets::decl(),
        CacheStats::decl(),
        QuotaDay::decl(),
        QuotaTotals::decl(),
        ListingQuota::decl(),
        JobQuota::decl(),
        ReportQuota::decl(),
        QuotaPlan::decl(),
        FinishedRun::decl(),
        Event::decl(),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by ts-rs (src-tauri/src/ipc_bindings.rs); do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p cachescope-app ipc_\n",
    );
    for declaration in declarations {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&declaration);
        out.push('\n');
    }
    out
}

/// Compares a generated file of `ui/src/ipc/` with what the Rust side renders now, or rewrites
/// it when `UPDATE_BINDINGS` is set.
#[cfg(test)]
pub fn check_generated_file(file: &str, rendered: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ui/src/ipc")
        .join(file);
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, rendered).expect("write the generated file");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "ui/src/ipc/{file} is out of date with the Rust side; run \
         `UPDATE_BINDINGS=1 cargo test -p cachescope-app ipc_` and commit the result"
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn ipc_bindings_match_the_committed_file() {
        super::check_generated_file("bindings.ts", &super::render());
    }
}
