//! `cachescope daemon`: this console's scheduler, headless, until Ctrl-C. It is the app's
//! scheduler (`jobs::console_scheduler`), so it refuses the profiles the app refuses (read-only,
//! no Postgres) with the same message.

use cachescope_core::events::Event;
use cachescope_core::jobs::console_scheduler::ConsoleScheduler;
use cachescope_core::{CoreContext, Result};

/// Runs the scheduler of the profile until Ctrl-C, printing every finished run.
pub async fn daemon(ctx: &CoreContext, profile: Option<&str>) -> Result<()> {
    let scheduler = ConsoleScheduler::new(ctx);
    let mut finished = ctx.events().subscribe();
    let status = scheduler.start(profile).await?;
    eprintln!(
        "cachescope daemon: scheduling {} jobs of profile {:?}{}; Ctrl-C stops",
        status.scheduled.len(),
        status.profile,
        status
            .last_error
            .map(|e| format!(" (schedules not read yet: {e})"))
            .unwrap_or_default()
    );
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            event = finished.recv() => {
                if let Ok(Event::JobRunFinished { run, .. }) = event {
                    eprintln!("{} #{} {}: {}", run.job, run.id, run.status, run.summary);
                }
            }
        }
    }
    scheduler.stop().await
}
