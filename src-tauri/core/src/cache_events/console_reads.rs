//! The console's own KV reads (the key browser, report views, `cachescope kv get`) counted as
//! cache events with `source = 'console'` in the profile's Postgres, when it has one. Best
//! effort and off the read's path: a read only queues its event; a background task writes them
//! in batches, and a full queue or a failing database drops events (logged), never a read.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};

use super::{insert_events, NewEvent, Outcome};

/// The `source` of the console's own events.
pub const CONSOLE_SOURCE: &str = "console";
/// Events queued at most; more are dropped until the writer catches up.
const QUEUE: usize = 10_000;
/// Events written per statement at most.
const BATCH: usize = 1_000;
/// How long an event may wait for its batch.
const LINGER: Duration = Duration::from_secs(1);

enum Message {
    Event {
        profile: String,
        pool: PgPool,
        event: NewEvent,
    },
    Flush(oneshot::Sender<()>),
}

/// The queue of the console's reads and its writer task.
#[derive(Clone)]
pub struct ConsoleReads {
    sender: mpsc::Sender<Message>,
}

impl ConsoleReads {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start() -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(receiver));
        Self { sender }
    }

    /// Queues one read of `key` through `profile`.
    pub fn record(
        &self,
        profile: &str,
        pool: PgPool,
        key: &str,
        outcome: Outcome,
        latency: Duration,
    ) {
        let event = NewEvent {
            at: Utc::now(),
            key: key.to_owned(),
            outcome,
            latency_ms: Some(latency.as_secs_f64() * 1000.0),
            source: CONSOLE_SOURCE.to_owned(),
        };
        let message = Message::Event {
            profile: profile.to_owned(),
            pool,
            event,
        };
        if self.sender.try_send(message).is_err() {
            tracing::debug!(
                key,
                "console read not counted: the statistics queue is full"
            );
        }
    }

    /// Writes every queued event now (the CLI calls it before exiting).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.sender.send(Message::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

async fn write_batches(mut receiver: mpsc::Receiver<Message>) {
    let mut pending: HashMap<String, (PgPool, Vec<NewEvent>)> = HashMap::new();
    let mut queued = 0usize;
    loop {
        let message = if queued == 0 {
            receiver.recv().await
        } else {
            match tokio::time::timeout(LINGER, receiver.recv()).await {
                Ok(message) => message,
                Err(_) => {
                    write_all(&mut pending).await;
                    queued = 0;
                    continue;
                }
            }
        };
        match message {
            None => {
                write_all(&mut pending).await;
                return;
            }
            Some(Message::Event {
                profile,
                pool,
                event,
            }) => {
                pending
                    .entry(profile)
                    .or_insert_with(|| (pool, Vec::new()))
                    .1
                    .push(event);
                queued += 1;
                if queued >= BATCH {
                    write_all(&mut pending).await;
                    queued = 0;
                }
            }
            Some(Message::Flush(done)) => {
                write_all(&mut pending).await;
                queued = 0;
                let _ = done.send(());
            }
        }
    }
}

async fn write_all(pending: &mut HashMap<String, (PgPool, Vec<NewEvent>)>) {
    for (profile, (pool, events)) in pending.drain() {
        if let Err(e) = insert_events(&pool, &events).await {
            tracing::debug!(profile, error = %e, dropped = events.len(), "console reads not counted");
        }
    }
}
