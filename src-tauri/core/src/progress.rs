//! Progress reporting and cancellation for long operations (load all keys, bulk delete,
//! import, seed). The core reports; the CLI draws a bar and the desktop app forwards events.

use std::sync::Arc;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

/// One progress report: `done` of `total` units (keys, rows) in the current phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProgressUpdate {
    #[ts(type = "string")]
    pub phase: &'static str,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

type Sink = Arc<dyn Fn(&ProgressUpdate) + Send + Sync>;

/// Where a long operation reports progress and learns it was cancelled.
#[derive(Clone)]
pub struct Progress {
    cancel: CancellationToken,
    sink: Option<Sink>,
}

impl Default for Progress {
    fn default() -> Self {
        Self::none()
    }
}

impl Progress {
    /// Reports nowhere and is never cancelled.
    pub fn none() -> Self {
        Self {
            cancel: CancellationToken::new(),
            sink: None,
        }
    }

    /// Reports to `sink`; cancelled through `cancel`.
    pub fn new(
        cancel: CancellationToken,
        sink: impl Fn(&ProgressUpdate) + Send + Sync + 'static,
    ) -> Self {
        Self {
            cancel,
            sink: Some(Arc::new(sink)),
        }
    }

    /// Reports that `done` of `total` units of `phase` are finished.
    pub fn report(&self, phase: &'static str, done: u64, total: Option<u64>) {
        if let Some(sink) = &self.sink {
            sink(&ProgressUpdate { phase, done, total });
        }
    }

    /// `Err(Cancelled)` once the operation has been cancelled; call between steps.
    pub fn check(&self) -> Result<()> {
        if self.cancel.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// The token that cancels this operation.
    pub fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }
}
