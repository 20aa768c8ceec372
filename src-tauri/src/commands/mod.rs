//! Tauri commands, one file per UI area (the audit log has its own). Each takes the managed
//! `CoreContext` (or this console's `ConsoleScheduler`), calls one core function and maps its
//! error.

pub mod audit;
pub mod jobs;
pub mod keys;
pub mod profiles;
pub mod reports;
pub mod stats;
