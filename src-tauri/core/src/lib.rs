//! Cachescope's core: everything the desktop app and the `cachescope` CLI do, without Tauri.
//! Start at [`CoreContext`]: it owns the settings, the profiles, the secret store, the KV store
//! of each profile, the Postgres pool of each profile that has one, and the event bus; features
//! reach one profile through the [`ProfileHandle`] that [`CoreContext::profile`] returns. The
//! modules form layers (see `docs/architecture.md`): the foundations know nothing of the
//! context, the context knows nothing of the features.

pub mod actor;
pub mod audit;
pub mod cache_events;
pub mod context;
pub mod db;
pub mod db_limits;
pub mod error;
pub mod events;
pub mod identifiers;
pub mod jobs;
pub mod key_deletion;
pub mod key_expiry;
pub mod key_transfer;
pub mod key_writing;
pub mod kv;
pub mod operations;
pub mod paths;
pub mod private_files;
pub mod profiles;
pub mod progress;
pub mod reports;
pub mod secrets;
pub mod spreadsheet_csv;
pub mod sqlite_file;
pub mod stats;
pub mod value_view;

pub use context::{CoreContext, ProfileHandle};
pub use error::{Error, ErrorCode, Result};
