//! The core's domain events, published on one broadcast channel. The desktop shell forwards them
//! to the UI; the CLI ignores them. Names are past tense: something that happened.

use serde::Serialize;
use tokio::sync::broadcast;

use crate::progress::ProgressUpdate;

/// Something the UI may want to react to.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(rename = "CoreEvent")]
pub enum Event {
    /// A long operation made progress.
    ProgressReported {
        operation: String,
        #[serde(flatten)]
        update: ProgressUpdate,
    },
    /// Keys were written or deleted in a profile's namespace.
    KeysChanged {
        profile: String,
        #[ts(type = "number")]
        count: u64,
    },
    /// Profiles were added, changed or removed.
    ProfilesChanged,
    /// A job run finished (by hand or on schedule), however it ended.
    JobRunFinished { profile: String, run: FinishedRun },
}

/// What the bus says of a finished job run: enough to notify and to refresh; the whole record
/// is read from the run history (the bus sits under the jobs, so it carries only plain values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FinishedRun {
    #[ts(type = "number")]
    pub id: i64,
    /// The job's name, e.g. `archive`.
    pub job: String,
    /// `schedule` or `manual`.
    pub trigger: String,
    /// `succeeded`, `failed`, `cancelled`, `skipped`, ...
    pub status: String,
    pub summary: String,
    pub error: Option<String>,
}

/// The sending side of the event bus; cloning it is cheap.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus that keeps the last 256 events for slow receivers.
    pub fn new() -> Self {
        Self {
            sender: broadcast::channel(256).0,
        }
    }

    /// Publishes an event; having no receiver is fine.
    pub fn publish(&self, event: Event) {
        let _ = self.sender.send(event);
    }

    /// A new receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
