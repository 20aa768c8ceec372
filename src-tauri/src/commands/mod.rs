//! Tauri commands, one file per UI area. Each takes the managed `CoreContext`, calls one core
//! function and maps its error.

pub mod jobs;
pub mod keys;
pub mod profiles;
pub mod reports;
pub mod stats;
