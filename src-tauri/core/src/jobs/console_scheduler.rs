//! This console's scheduler, the one code the desktop app and `cachescope daemon` share: the
//! policy that says whether a console may schedule jobs on a profile (not on a read-only one,
//! whose scheduled jobs would write, nor on one without Postgres, where schedules live) and which
//! jobs it would run ([`scheduling_policy`]); the lifecycle of one [`Scheduler`] (start, stop,
//! restart when the default profile changes) with the state the Jobs screen shows
//! ([`ConsoleScheduler`], [`SchedulerReport`]); and the notice of a scheduled run that failed
//! ([`FailureNotice`]).

use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

use super::catalog::JobName;
use super::history::JobRunStatus;
use super::runner::jobs_database;
use super::scheduler::{live_schedule, Scheduler, SchedulerStatus};
use super::settings;
use crate::context::CoreContext;
use crate::error::{Error, Result};
use crate::events::{Event, FinishedRun};
use crate::profiles::Profile;
use crate::ProfileHandle;

/// Why this console may not schedule jobs on `profile` ([`Error::SchedulingRefused`]), or `None`
/// when it may: the profile needs a Postgres database (where schedules, claims and history live)
/// and must accept writes (every scheduled job writes).
pub fn scheduling_refusal(profile: &Profile) -> Option<Error> {
    let name = &profile.name;
    let (reason, read_only) = if profile.postgres_url.is_none() {
        (
            format!(
                "profile {name} has no Postgres database; jobs are scheduled only for a profile \
                 with one"
            ),
            false,
        )
    } else if profile.is_read_only() {
        (
            format!(
                "profile {name} is read-only; scheduled jobs would write, so none are scheduled"
            ),
            true,
        )
    } else {
        return None;
    };
    Some(Error::SchedulingRefused {
        profile: name.clone(),
        reason,
        read_only,
    })
}

/// What this console would schedule on a profile it may schedule on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulingPlan {
    pub profile: String,
    /// The jobs with a live schedule on the profile's database (scheduled, not paused, enabled,
    /// needing no parameter), in catalog order: what a scheduler started now would register.
    pub jobs: Vec<JobName>,
}

/// May this console schedule jobs on `profile` (the default profile when `None`), and which jobs
/// would it run. A refusal is [`Error::SchedulingRefused`]; an unknown profile or an unreachable
/// database is its usual error.
pub async fn scheduling_policy(ctx: &CoreContext, profile: Option<&str>) -> Result<SchedulingPlan> {
    let profile = ctx.profile(profile)?;
    if let Some(refusal) = scheduling_refusal(&profile) {
        return Err(refusal);
    }
    let pool = jobs_database(&profile).await?;
    let mut jobs: Vec<JobName> = settings::load_all(&pool)
        .await?
        .iter()
        .filter(|job| live_schedule(job).is_some())
        .map(|job| job.name)
        .collect();
    jobs.sort_by_key(|job| JobName::ALL.iter().position(|j| j == job));
    Ok(SchedulingPlan {
        profile: profile.into_settings().name,
        jobs,
    })
}

/// Whether this console schedules jobs, for which profile, and why not.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SchedulerReport {
    /// `starting`, `running` or `off`.
    pub state: String,
    pub profile: Option<String>,
    /// Why the scheduler is off.
    pub reason: Option<String>,
    /// The running scheduler's jobs and last problem.
    pub status: Option<SchedulerStatus>,
}

/// The desktop notification of a finished run that deserves one: a scheduled run that failed
/// (the user may not be looking at the app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureNotice {
    pub title: String,
    pub body: String,
}

impl FailureNotice {
    /// The notice of `run` of `profile`, when it is a failed scheduled run.
    pub fn for_run(profile: &str, run: &FinishedRun) -> Option<Self> {
        if run.trigger != "schedule" || run.status != JobRunStatus::Failed.as_str() {
            return None;
        }
        let reason = run.error.as_deref().unwrap_or(&run.summary);
        Some(Self {
            title: format!("Scheduled job {} failed", run.job),
            body: format!("Profile {profile}, run #{}: {reason}", run.id),
        })
    }

    /// The notice of an event, when it is a failed scheduled run.
    pub fn for_event(event: &Event) -> Option<Self> {
        match event {
            Event::JobRunFinished { profile, run } => Self::for_run(profile, run),
            _ => None,
        }
    }
}

/// Where the scheduler is in its life, and for which profile as it was when decided.
enum Slot {
    /// Being started (the profile's database is being reached).
    Starting { profile: Profile },
    Running {
        profile: Profile,
        scheduler: Scheduler,
    },
    /// Not running, and why. `settled`: the decision holds until the profile changes (a refusal,
    /// a stop); otherwise (a start that failed) any change of the profiles tries again.
    Off {
        profile: Option<Profile>,
        reason: String,
        settled: bool,
    },
}

struct Lifecycle {
    slot: Mutex<Slot>,
    /// Held by whoever starts or stops, so one change of state finishes before the next begins.
    turn: tokio::sync::Mutex<()>,
}

/// This console's one scheduler: started for a profile when [`scheduling_refusal`] allows it,
/// stopped, and restarted when the default profile changes ([`Self::follow_default_profile`]).
/// Cloning it is cheap; every clone drives the same scheduler.
#[derive(Clone)]
pub struct ConsoleScheduler {
    ctx: CoreContext,
    inner: Arc<Lifecycle>,
}

impl ConsoleScheduler {
    /// A scheduler not started yet.
    pub fn new(ctx: &CoreContext) -> Self {
        Self {
            ctx: ctx.clone(),
            inner: Arc::new(Lifecycle {
                slot: Mutex::new(Slot::Off {
                    profile: None,
                    reason: "not started yet".to_owned(),
                    settled: false,
                }),
                turn: tokio::sync::Mutex::new(()),
            }),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        // A panic elsewhere while holding it leaves a whole `Slot`; keep using it.
        self.inner
            .slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn set(&self, slot: Slot) {
        *self.slot() = slot;
    }

    /// Starts scheduling `profile` (the default profile when `None`), after stopping what ran
    /// before. Refused ([`Error::SchedulingRefused`]) on a profile the policy excludes; the
    /// report then says off and why.
    pub async fn start(&self, profile: Option<&str>) -> Result<SchedulerStatus> {
        let _turn = self.inner.turn.lock().await;
        self.stop_running().await?;
        self.start_resolved(
            self.ctx.profile(profile).map(ProfileHandle::into_settings),
            profile.is_none(),
        )
        .await
    }

    async fn start_resolved(
        &self,
        resolved: Result<Profile>,
        default: bool,
    ) -> Result<SchedulerStatus> {
        let profile = match resolved {
            Ok(profile) => profile,
            Err(e) => {
                let reason = match default {
                    true => format!("no default profile ({e})"),
                    false => e.to_string(),
                };
                tracing::info!("job scheduler not started: {reason}");
                self.set(Slot::Off {
                    profile: None,
                    reason,
                    settled: true,
                });
                return Err(e);
            }
        };
        if let Some(refusal) = scheduling_refusal(&profile) {
            tracing::info!("job scheduler not started: {refusal}");
            self.set(Slot::Off {
                profile: Some(profile),
                reason: refusal.to_string(),
                settled: true,
            });
            return Err(refusal);
        }
        self.set(Slot::Starting {
            profile: profile.clone(),
        });
        match Scheduler::start(&self.ctx, Some(&profile.name)).await {
            Ok(scheduler) => {
                tracing::info!(profile = %profile.name, "job scheduler started");
                let status = scheduler.status().await;
                self.set(Slot::Running { profile, scheduler });
                Ok(status)
            }
            Err(e) => {
                tracing::warn!(error = %e, "job scheduler not started");
                self.set(Slot::Off {
                    profile: Some(profile),
                    reason: e.to_string(),
                    settled: false,
                });
                Err(e)
            }
        }
    }

    /// Stops the scheduler if it runs (runs in progress finish); the report then says off.
    pub async fn stop(&self) -> Result<()> {
        let _turn = self.inner.turn.lock().await;
        self.stop_running().await
    }

    /// Takes the running scheduler out of the slot and shuts it down.
    async fn stop_running(&self) -> Result<()> {
        let running = {
            let mut slot = self.slot();
            match &*slot {
                Slot::Running { profile, .. } => {
                    let stopped = Slot::Off {
                        profile: Some(profile.clone()),
                        reason: "stopped".to_owned(),
                        settled: true,
                    };
                    match std::mem::replace(&mut *slot, stopped) {
                        Slot::Running { scheduler, .. } => Some(scheduler),
                        _ => None,
                    }
                }
                _ => None,
            }
        };
        match running {
            Some(scheduler) => {
                tracing::info!("job scheduler stopped");
                scheduler.shutdown().await
            }
            None => Ok(()),
        }
    }

    /// Makes the scheduler follow the default profile as it is now: started when the policy
    /// allows it, restarted when the profile changed since the last decision (another profile
    /// made the default, made read-only, given or stripped of its database), left alone when
    /// nothing it depends on changed. Returns the resulting state.
    pub async fn follow_default_profile(&self) -> SchedulerReport {
        let turn = self.inner.turn.lock().await;
        let resolved = self.ctx.profile(None).map(ProfileHandle::into_settings);
        let unchanged = match (&*self.slot(), &resolved) {
            (Slot::Running { profile, .. } | Slot::Starting { profile }, Ok(now)) => profile == now,
            (
                Slot::Off {
                    profile: Some(profile),
                    settled: true,
                    ..
                },
                Ok(now),
            ) => profile == now,
            (
                Slot::Off {
                    profile: None,
                    settled: true,
                    ..
                },
                Err(_),
            ) => true,
            _ => false,
        };
        if !unchanged {
            if let Err(e) = self.stop_running().await {
                tracing::warn!(error = %e, "the job scheduler did not stop cleanly");
            }
            // A refusal or failure is in the report.
            let _ = self.start_resolved(resolved, true).await;
        }
        drop(turn);
        self.report().await
    }

    /// Follows the default profile now and after every change of the profiles, for as long as
    /// the context's event bus lives (the app's lifetime): the app's scheduler.
    pub async fn follow_default_profile_changes(self) {
        let mut events = self.ctx.events().subscribe();
        self.follow_default_profile().await;
        loop {
            match events.recv().await {
                // A missed event may have been a change of the profiles.
                Ok(Event::ProfilesChanged) | Err(RecvError::Lagged(_)) => {
                    self.follow_default_profile().await;
                }
                Ok(_) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    }

    /// Whether the scheduler runs, for which profile, and why not.
    pub async fn report(&self) -> SchedulerReport {
        let running = match &*self.slot() {
            Slot::Starting { profile } => {
                return SchedulerReport {
                    state: "starting".to_owned(),
                    profile: Some(profile.name.clone()),
                    reason: None,
                    status: None,
                }
            }
            Slot::Off {
                profile, reason, ..
            } => {
                return SchedulerReport {
                    state: "off".to_owned(),
                    profile: profile.as_ref().map(|p| p.name.clone()),
                    reason: Some(reason.clone()),
                    status: None,
                }
            }
            Slot::Running { scheduler, .. } => scheduler.clone(),
        };
        let status = running.status().await;
        SchedulerReport {
            state: "running".to_owned(),
            profile: Some(status.profile.clone()),
            reason: None,
            status: Some(status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::history::JobRunRecord;
    use crate::profiles::ProfileKind;

    fn record(trigger: &str, status: JobRunStatus) -> JobRunRecord {
        JobRunRecord {
            id: 7,
            job: JobName::Archive,
            scheduled_for: None,
            trigger: trigger.to_owned(),
            profile: "dev".to_owned(),
            os_user: "me".to_owned(),
            host: "box".to_owned(),
            dry_run: false,
            started_at: "2026-01-01T02:00:00+00:00".to_owned(),
            finished_at: None,
            duration_ms: None,
            status,
            counts: None,
            summary: "failed: disk full".to_owned(),
            detail: serde_json::Value::Null,
            error: Some("disk full".to_owned()),
        }
    }

    #[test]
    fn only_failed_scheduled_runs_are_notified() {
        let notice =
            FailureNotice::for_run("dev", &record("schedule", JobRunStatus::Failed).finished());
        assert_eq!(
            notice,
            Some(FailureNotice {
                title: "Scheduled job archive failed".to_owned(),
                body: "Profile dev, run #7: disk full".to_owned(),
            })
        );
        for (trigger, status) in [
            ("manual", JobRunStatus::Failed),
            ("schedule", JobRunStatus::Succeeded),
        ] {
            assert!(FailureNotice::for_run("dev", &record(trigger, status).finished()).is_none());
        }
        let event = Event::JobRunFinished {
            profile: "dev".to_owned(),
            run: record("schedule", JobRunStatus::Failed).finished(),
        };
        assert_eq!(FailureNotice::for_event(&event), notice);
        assert!(FailureNotice::for_event(&Event::ProfilesChanged).is_none());
    }

    fn profile(postgres: bool, read_only: bool, production: bool, unlocked: bool) -> Profile {
        Profile {
            name: "dev".to_owned(),
            kind: ProfileKind::Local,
            postgres_url: postgres.then(|| "postgres://app@db/dev".to_owned()),
            read_only,
            production,
            unlocked,
            ..Profile::builtin_local()
        }
    }

    #[test]
    fn the_policy_refuses_read_only_profiles_and_profiles_without_a_database() {
        assert!(scheduling_refusal(&profile(true, false, false, false)).is_none());
        assert!(scheduling_refusal(&profile(true, false, true, true)).is_none());
        for read_only in [
            profile(true, true, false, false),
            profile(true, false, true, false),
        ] {
            let refusal = scheduling_refusal(&read_only).unwrap();
            assert_eq!(refusal.code(), crate::ErrorCode::ReadOnlyProfile);
            assert_eq!(
                refusal.to_string(),
                "profile dev is read-only; scheduled jobs would write, so none are scheduled"
            );
        }
        // No database is named first: without one there is nothing to schedule at all.
        for no_database in [
            profile(false, false, false, false),
            profile(false, true, false, false),
        ] {
            let refusal = scheduling_refusal(&no_database).unwrap();
            assert_eq!(refusal.code(), crate::ErrorCode::Invalid);
            assert_eq!(
                refusal.to_string(),
                "profile dev has no Postgres database; jobs are scheduled only for a profile \
                 with one"
            );
        }
    }
}
