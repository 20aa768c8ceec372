//! Long operations a user started from the desktop app and may cancel by id (bulk delete, ...):
//! each gets a cancellation token and a [`Progress`] that publishes `ProgressReported` events on
//! the bus, at most ten a second so the UI is never flooded, and always the last one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};
use crate::events::{Event, EventBus};
use crate::progress::Progress;

/// Shortest interval between two progress events of one operation.
const EVENT_INTERVAL: Duration = Duration::from_millis(100);

type Running = Arc<Mutex<HashMap<String, CancellationToken>>>;

/// The running operations of one context.
#[derive(Default)]
pub struct Operations {
    running: Running,
}

/// A running operation; dropping it unregisters the id.
pub struct Operation {
    running: Running,
    id: String,
    /// Pass this to the core function doing the work.
    pub progress: Progress,
}

impl Drop for Operation {
    fn drop(&mut self) {
        if let Ok(mut running) = self.running.lock() {
            running.remove(&self.id);
        }
    }
}

impl Operations {
    /// Registers an operation under a caller-chosen id (unique while it runs) whose progress
    /// is published on `events`.
    pub fn start(&self, events: &EventBus, id: &str) -> Result<Operation> {
        if id.is_empty() || id.len() > 100 {
            return Err(Error::invalid("operation id", "must be 1-100 characters"));
        }
        let cancel = CancellationToken::new();
        {
            let mut running = self.running.lock().map_err(|_| {
                Error::invalid("operation registry", "poisoned by an earlier panic")
            })?;
            if running.contains_key(id) {
                return Err(Error::invalid(
                    format!("operation id {id:?}"),
                    "already running",
                ));
            }
            running.insert(id.to_owned(), cancel.clone());
        }
        let events = events.clone();
        let operation = id.to_owned();
        let last_sent: Mutex<Option<Instant>> = Mutex::new(None);
        let progress = Progress::new(cancel, move |update| {
            let finished = update.total == Some(update.done);
            let Ok(mut last) = last_sent.lock() else {
                return;
            };
            if finished || last.is_none_or(|t| t.elapsed() >= EVENT_INTERVAL) {
                *last = Some(Instant::now());
                events.publish(Event::ProgressReported {
                    operation: operation.clone(),
                    update: update.clone(),
                });
            }
        });
        Ok(Operation {
            running: self.running.clone(),
            id: id.to_owned(),
            progress,
        })
    }

    /// Asks a running operation to stop; returns whether one with this id was running.
    pub fn cancel(&self, id: &str) -> bool {
        let running = self.running.lock();
        match running.ok().and_then(|r| r.get(id).cloned()) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Operations;
    use crate::events::{Event, EventBus};

    #[test]
    fn progress_becomes_throttled_events_and_cancel_reaches_the_operation() {
        let bus = EventBus::new();
        let operations = Operations::default();
        let mut events = bus.subscribe();
        let op = operations.start(&bus, "op-1").expect("started");
        assert!(
            operations.start(&bus, "op-1").is_err(),
            "ids are unique while running"
        );
        for done in 0..=1000 {
            op.progress.report("delete", done, Some(1000));
        }
        let mut received = Vec::new();
        while let Ok(event) = events.try_recv() {
            received.push(event);
        }
        // The first and the final report always go out; the 999 between them fall in 100 ms.
        assert!(
            received.len() >= 2 && received.len() < 20,
            "{} events",
            received.len()
        );
        assert!(
            matches!(received.last(), Some(Event::ProgressReported { update, .. }) if update.done == 1000)
        );
        assert!(op.progress.check().is_ok());
        assert!(operations.cancel("op-1"));
        assert!(op.progress.check().is_err());
        drop(op);
        assert!(
            !operations.cancel("op-1"),
            "finished operations are forgotten"
        );
    }
}
