//! Cleanup of KV keys: [`prune_snapshots`] keeps the newest versions of versioned snapshot keys
//! and every version from the one their `latest` pointer names up,
//! [`invalidate_user`] deletes one user's list and aggregate keys (the page caches'
//! `invalidateUser`) and everything under `user:{id}:`, and [`sweep`] deletes keys of a family
//! that have no TTL or whose entity no longer exists in Postgres. Each lists first and, in a dry
//! run, stops there. The sweep's existence queries run read-only with a time limit, may return
//! only ids they were given, and a circuit breaker stops a run that would delete more than a set
//! share of a family. The rules: docs/domain.md, "Cleanup rules".

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;

use super::catalog::JobName;
use super::job::{to_detail, JobFailure, JobRun, RunReport};
use super::kinds::prune_snapshots::PruneSnapshotsOptions;
use super::kinds::sweep::{SweepOptions, SweepRule};
use super::snapshots::SnapshotFamily;
use crate::db_limits::{Work, WorkLimit};
use crate::error::{Error, Result};
use crate::events::Event;
use crate::key_deletion::SAMPLE_SIZE;
use crate::kv::{limits, list_all, KvStore};
use crate::progress::Progress;
use crate::reports::definitions::KeyTemplate;

/// The counts of a key cleanup run (prune-snapshots, sweep, invalidate-user).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, rename_all = "camelCase")]
pub struct KeyCleanupCounts {
    /// Keys listed that belong to the families looked at.
    #[ts(type = "number")]
    pub matched: u64,
    /// Keys chosen for deletion.
    #[ts(type = "number")]
    pub to_delete: u64,
    /// Keys deleted (none in a dry run).
    #[ts(type = "number")]
    pub deleted: u64,
    /// Keys the server left unprocessed; present only when there were some.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub failed: Option<u64>,
    /// prune-snapshots: versions kept only because of the pointer (at or above the version it
    /// names, beyond the newest `keepVersions`); present when the family has a pointer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub kept_by_pointer: Option<u64>,
}

/// The report of a key cleanup run of `job` that did `done`: announces the keys it deleted, and
/// fails (with what it did delete counted) when the server left keys unprocessed.
pub(crate) fn finish_run(
    run: &JobRun<'_>,
    job: JobName,
    done: KeyCleanupOutcome,
) -> std::result::Result<RunReport<KeyCleanupCounts>, JobFailure<KeyCleanupCounts>> {
    let dry = run.dry_run;
    if !dry && done.deleted > 0 {
        run.ctx.events().publish(Event::KeysChanged {
            profile: run.profile.name.clone(),
            count: done.deleted,
        });
    }
    let report = RunReport {
        counts: KeyCleanupCounts {
            matched: done.matched,
            to_delete: done.to_delete,
            deleted: done.deleted,
            failed: (done.failed > 0).then_some(done.failed),
            kept_by_pointer: done.kept_by_pointer,
        },
        summary: format!(
            "{} {} of {} keys{}",
            if dry { "would delete" } else { "deleted" },
            if dry { done.to_delete } else { done.deleted },
            done.matched,
            pointer_phrase(&done)
        ),
        detail: to_detail(&done),
    };
    if done.failed > 0 {
        // The keys it did delete are reported; the ones left are not.
        return Err(JobFailure {
            error: Error::KvIncomplete {
                action: format!("job {job}"),
                failed: done.failed,
                total: done.deleted + done.failed,
            },
            done: Some(Box::new(report)),
        });
    }
    Ok(report)
}

/// What a summary adds when a snapshot pointer kept versions: `; kept 4 from v3 up, the version
/// snapshot:path-stats:latest names`.
fn pointer_phrase(done: &KeyCleanupOutcome) -> String {
    match (
        &done.pointer_key,
        done.pointer_version,
        done.kept_by_pointer,
    ) {
        (Some(key), Some(version), Some(kept)) if kept > 0 => {
            format!("; kept {kept} from v{version} up, the version {key} names")
        }
        _ => String::new(),
    }
}

/// What a key cleanup found and deleted (or, dry, would delete).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyCleanupOutcome {
    /// Keys listed that belong to the families looked at.
    #[ts(type = "number")]
    pub matched: u64,
    /// Keys chosen for deletion, by reason (e.g. `older version`, `no TTL`, `entity gone`).
    #[ts(type = "Record<string, number>")]
    pub reasons: BTreeMap<String, u64>,
    /// The first keys chosen, in order.
    pub sample: Vec<String>,
    #[ts(type = "number")]
    pub to_delete: u64,
    #[ts(type = "number")]
    pub deleted: u64,
    /// Keys the server did not delete (they are still there; the next run retries them).
    #[ts(type = "number")]
    pub failed: u64,
    pub failed_sample: Vec<String>,
    /// Sweep: each family's share chosen for deletion, against the circuit breaker's limit.
    pub families: Vec<FamilyShare>,
    /// prune-snapshots: the family's pointer key, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pointer_key: Option<String>,
    /// prune-snapshots: the version the pointer names; it and every newer version are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub pointer_version: Option<u64>,
    /// prune-snapshots: versions kept only because of the pointer (at or above the version it
    /// names, beyond the newest `keepVersions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub kept_by_pointer: Option<u64>,
}

/// One family of a sweep: how many of its keys were listed and how many are chosen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FamilyShare {
    pub family: String,
    #[ts(type = "number")]
    pub matched: u64,
    #[ts(type = "number")]
    pub to_delete: u64,
    /// `to_delete` as a percentage of `matched` (0 when nothing matched).
    pub percent: f64,
    /// Above the run's `maxDeletePercent`.
    pub over_limit: bool,
}

impl KeyCleanupOutcome {
    fn choose(&mut self, key: String, reason: &str) {
        *self.reasons.entry(reason.to_owned()).or_default() += 1;
        self.to_delete += 1;
        if self.sample.len() < SAMPLE_SIZE {
            self.sample.push(key);
        }
    }
}

/// Deletes `keys` in bulk calls, reporting progress and stopping between calls when cancelled.
async fn delete_chosen(
    store: &dyn KvStore,
    keys: &[String],
    outcome: &mut KeyCleanupOutcome,
    progress: &Progress,
) -> Result<()> {
    for chunk in keys.chunks(limits::MAX_BULK_ITEMS) {
        progress.check()?;
        let done = store.bulk_delete(chunk).await?;
        outcome.deleted += done.succeeded as u64;
        outcome.failed += done.failed.len() as u64;
        let room = SAMPLE_SIZE.saturating_sub(outcome.failed_sample.len());
        outcome
            .failed_sample
            .extend(done.failed.into_iter().take(room));
        progress.report(
            "delete",
            outcome.deleted + outcome.failed,
            Some(keys.len() as u64),
        );
    }
    Ok(())
}

/// Keeps the newest `keep_versions` keys of the snapshot family (by numeric `{version}`), and
/// every version from the one the family's pointer names up, and deletes the other versions.
/// The pointer is read before the listing: a pointer only moves to a version written before it,
/// so a refresh meanwhile adds versions above the one read, which are kept. A pointer whose value
/// is not a version number stops the run before anything is listed or deleted.
pub async fn prune_snapshots(
    store: &dyn KvStore,
    options: &PruneSnapshotsOptions,
    dry_run: bool,
    progress: &Progress,
) -> Result<KeyCleanupOutcome> {
    let family = SnapshotFamily::parse(&options.snapshot_template)
        .map_err(|e| Error::invalid("option snapshotTemplate of job prune-snapshots", e))?;
    let pointer = match store.get(family.pointer_key()).await? {
        None => None,
        Some(value) => Some(
            SnapshotFamily::pointer_version(&value.bytes).map_err(|reason| {
                Error::invalid(
                    format!("snapshot pointer {:?}", family.pointer_key()),
                    format!(
                    "{reason}; prune-snapshots deleted nothing (it does not guess which version \
                     readers use: write the version number there, or delete the pointer)"
                ),
                )
            })?,
        ),
    };
    let listed = list_all(store, Some(family.listing_prefix()), progress).await?;
    let mut outcome = KeyCleanupOutcome::default();
    let mut versions: Vec<(u64, String)> = Vec::new();
    for key in listed {
        if let Some(version) = family.version_of(&key.name) {
            outcome.matched += 1;
            versions.push((version, key.name));
        }
    }
    versions.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut kept_by_pointer = 0;
    let mut chosen: Vec<String> = Vec::new();
    for (version, key) in versions.into_iter().skip(options.keep_versions as usize) {
        if pointer.is_some_and(|named| version >= named) {
            kept_by_pointer += 1;
        } else {
            chosen.push(key);
        }
    }
    if let Some(named) = pointer {
        outcome.pointer_key = Some(family.pointer_key().to_owned());
        outcome.pointer_version = Some(named);
        outcome.kept_by_pointer = Some(kept_by_pointer);
    }
    for key in &chosen {
        outcome.choose(key.clone(), "older version");
    }
    if !dry_run {
        delete_chosen(store, &chosen, &mut outcome, progress).await?;
    }
    Ok(outcome)
}

/// Checks a user id given for invalidation.
fn check_user_id(user_id: &str) -> Result<()> {
    if user_id.is_empty()
        || user_id.len() > 200
        || user_id.contains(':')
        || user_id.trim() != user_id
    {
        return Err(Error::invalid(
            format!("user id {user_id:?}"),
            "must be 1-200 characters without ':' or surrounding spaces",
        ));
    }
    Ok(())
}

/// The page caches' list and aggregate keys of one user (docs/domain.md, "Cleanup rules").
pub fn user_keys(user_id: &str) -> Vec<String> {
    [
        "conversations:list",
        "opportunities:list:all",
        "analytics:dashboard",
        "analytics:repPerformance",
    ]
    .iter()
    .map(|suffix| format!("user:{user_id}:{suffix}"))
    .collect()
}

/// Deletes a user's list and aggregate keys and every key under `user:{id}:`.
pub async fn invalidate_user(
    store: &dyn KvStore,
    user_id: &str,
    dry_run: bool,
    progress: &Progress,
) -> Result<KeyCleanupOutcome> {
    check_user_id(user_id)?;
    let prefix = format!("user:{user_id}:");
    let listed = list_all(store, Some(&prefix), progress).await?;
    let named: HashSet<String> = user_keys(user_id).into_iter().collect();
    let mut outcome = KeyCleanupOutcome::default();
    let mut chosen = Vec::new();
    for key in listed {
        outcome.matched += 1;
        let reason = if named.contains(&key.name) {
            "list or aggregate key"
        } else {
            "under user prefix"
        };
        outcome.choose(key.name.clone(), reason);
        chosen.push(key.name);
    }
    if !dry_run {
        delete_chosen(store, &chosen, &mut outcome, progress).await?;
    }
    Ok(outcome)
}

/// A sweep rule's family: `before{id}after`, where an `after` ending in `:` means "any key under".
#[derive(Debug, Clone)]
pub struct SweepFamily {
    before: String,
    after: String,
    prefix_mode: bool,
}

impl SweepFamily {
    /// Parses a rule's family (exactly one `{...}` id) and checks its query.
    pub fn parse(rule: &SweepRule) -> std::result::Result<Self, String> {
        let template = KeyTemplate::parse(&rule.family)?;
        if template.params().len() != 1 {
            return Err("the family must hold exactly one {id} placeholder".to_owned());
        }
        let open = rule.family.find('{').unwrap_or(0);
        let close = rule.family.find('}').unwrap_or(open);
        let before = rule.family[..open].to_owned();
        let after = rule.family[close + 1..].to_owned();
        if before.is_empty() {
            return Err("the family must start with fixed text (a prefix to list)".to_owned());
        }
        if !rule.without_ttl && rule.existing_ids_sql.is_none() {
            return Err("the rule must set withoutTtl or existingIdsSql (or both)".to_owned());
        }
        if let Some(sql) = &rule.existing_ids_sql {
            if !sql.contains("$1") {
                return Err("existingIdsSql must use $1 (the ids, as text[])".to_owned());
            }
        }
        Ok(Self {
            prefix_mode: after.ends_with(':'),
            before,
            after,
        })
    }

    /// The id in `key`, when the key belongs to the family.
    pub fn id_of<'k>(&self, key: &'k str) -> Option<&'k str> {
        let rest = key.strip_prefix(self.before.as_str())?;
        let end = rest.find(':').unwrap_or(rest.len());
        let (id, tail) = rest.split_at(end);
        if id.is_empty() {
            return None;
        }
        let belongs = if self.prefix_mode {
            tail.starts_with(self.after.as_str())
        } else {
            tail == self.after
        };
        belongs.then_some(id)
    }
}

/// The sweep's circuit breaker for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareLimit {
    /// Most of a family a run may delete, in percent.
    pub max_percent: u32,
    /// The run goes on past the limit (an explicit choice, recorded in the audit).
    pub overridden: bool,
}

/// Ids per existence query.
const IDS_PER_QUERY: usize = 10_000;

/// Of `ids`, those the rule's query says still exist. The query runs in a read-only transaction
/// under the profile's existence limit (`existence_check_secs`), and may only return ids it was
/// given: anything else (another id, or more rows than ids) means the query is not what the rule
/// needs, and the sweep stops.
async fn existing_ids(
    pool: &PgPool,
    limit: &WorkLimit,
    rule: &SweepRule,
    sql: &str,
    ids: &[String],
) -> Result<HashSet<String>> {
    let what = || format!("existingIdsSql of sweep rule {:?}", rule.family);
    let query_error = |e: sqlx::Error| {
        if let Some(timeout) = limit.timeout(format!("{} (the sweep deleted nothing)", what()), &e)
        {
            return timeout;
        }
        match &e {
            sqlx::Error::Database(db) if db.code().as_deref() == Some("25006") => Error::invalid(
                what(),
                "tried to write: it must only read (it runs in a read-only transaction)",
            ),
            _ => Error::invalid(what(), e.to_string()),
        }
    };
    let mut tx = limit.begin_read_only(pool).await?;
    let found: Vec<String> = sqlx::query_scalar(sql)
        .bind(ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(query_error)?;
    tx.rollback().await.map_err(Error::Db)?;
    if found.len() > ids.len() {
        return Err(Error::invalid(
            what(),
            format!(
                "returned {} rows for {} ids: it must return only the ids it is given, once \
                 each; nothing was deleted",
                found.len(),
                ids.len()
            ),
        ));
    }
    let given: HashSet<&str> = ids.iter().map(String::as_str).collect();
    if let Some(stranger) = found.iter().find(|id| !given.contains(id.as_str())) {
        return Err(Error::invalid(
            what(),
            format!(
                "returned {stranger:?}, which is not one of the ids it was given; nothing was \
                 deleted"
            ),
        ));
    }
    Ok(found.into_iter().collect())
}

/// Deletes keys of each rule's family that have no TTL, or whose id the rule's query does not
/// return (the entity is gone). A key chosen by two reasons is deleted once. When a real run would
/// delete more than `limit.max_percent` of any family, it stops before deleting anything, unless
/// `limit.overridden`; a dry run reports each family's share.
pub async fn sweep(
    store: &dyn KvStore,
    pool: Option<&PgPool>,
    options: &SweepOptions,
    limit: ShareLimit,
    dry_run: bool,
    progress: &Progress,
) -> Result<KeyCleanupOutcome> {
    let mut outcome = KeyCleanupOutcome::default();
    let mut chosen: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for rule in &options.sweep_rules {
        let family = SweepFamily::parse(rule)
            .map_err(|reason| Error::invalid(format!("sweep rule {:?}", rule.family), reason))?;
        let listed = list_all(store, Some(&family.before), progress).await?;
        let mut members = Vec::new();
        for key in listed {
            if let Some(id) = family.id_of(&key.name) {
                members.push((key.name.clone(), id.to_owned(), key.expiration.is_none()));
            }
        }
        outcome.matched += members.len() as u64;
        let mut gone: HashSet<String> = HashSet::new();
        if let Some(sql) = &rule.existing_ids_sql {
            let pool = pool.ok_or_else(|| {
                Error::invalid(
                    format!("sweep rule {:?}", rule.family),
                    "checks entities in Postgres, but the profile names no database",
                )
            })?;
            let ids: Vec<String> = members
                .iter()
                .map(|(_, id, _)| id.clone())
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let limit = WorkLimit::of(pool, Work::ExistenceCheck).await?;
            let mut existing: HashSet<String> = HashSet::new();
            for chunk in ids.chunks(IDS_PER_QUERY) {
                progress.check()?;
                existing.extend(existing_ids(pool, &limit, rule, sql, chunk).await?);
            }
            gone = ids
                .into_iter()
                .filter(|id| !existing.contains(id))
                .collect();
        }
        let mut share = FamilyShare {
            family: rule.family.clone(),
            matched: members.len() as u64,
            ..FamilyShare::default()
        };
        for (key, id, no_ttl) in members {
            let reason = if gone.contains(&id) {
                "entity gone"
            } else if rule.without_ttl && no_ttl {
                "no TTL"
            } else {
                continue;
            };
            share.to_delete += 1;
            if seen.insert(key.clone()) {
                outcome.choose(key.clone(), reason);
                chosen.push(key);
            }
        }
        if share.matched > 0 {
            share.percent = share.to_delete as f64 * 100.0 / share.matched as f64;
        }
        share.over_limit = share.percent > f64::from(limit.max_percent);
        outcome.families.push(share);
    }
    let over: Vec<String> = outcome
        .families
        .iter()
        .filter(|f| f.over_limit)
        .map(|f| {
            format!(
                "{} of {} keys of {} ({:.1}%)",
                f.to_delete, f.matched, f.family, f.percent
            )
        })
        .collect();
    if !dry_run && !over.is_empty() && !limit.overridden {
        return Err(Error::SweepShareExceeded {
            families: over.join(", "),
            max_percent: limit.max_percent,
        });
    }
    if !dry_run {
        delete_chosen(store, &chosen, &mut outcome, progress).await?;
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(text: &str) -> SweepFamily {
        SweepFamily::parse(&SweepRule {
            family: text.to_owned(),
            without_ttl: true,
            existing_ids_sql: None,
        })
        .unwrap()
    }

    #[test]
    fn families_match_exactly_or_under_a_prefix() {
        let detail = family("conversation:{id}:detail");
        assert_eq!(detail.id_of("conversation:42:detail"), Some("42"));
        assert_eq!(detail.id_of("conversation:42:detail:x"), None);
        assert_eq!(detail.id_of("conversation::detail"), None);
        let user = family("user:{id}:");
        assert_eq!(user.id_of("user:abc:conversations:list"), Some("abc"));
        assert_eq!(user.id_of("user:abc"), None);
        let rep = family("report:rep:{id}");
        assert_eq!(rep.id_of("report:rep:u1"), Some("u1"));
    }

    #[test]
    fn rules_without_a_reason_or_placeholder_are_refused() {
        let rule = |family: &str, ttl: bool, sql: Option<&str>| SweepRule {
            family: family.to_owned(),
            without_ttl: ttl,
            existing_ids_sql: sql.map(str::to_owned),
        };
        assert!(SweepFamily::parse(&rule("user:{id}:", false, None)).is_err());
        assert!(SweepFamily::parse(&rule("user:", true, None)).is_err());
        assert!(SweepFamily::parse(&rule("{id}:x", true, None)).is_err());
        assert!(SweepFamily::parse(&rule("user:{id}:", false, Some("select 1"))).is_err());
    }

    #[test]
    fn user_ids_with_separators_are_refused() {
        assert!(check_user_id("u1").is_ok());
        for bad in ["", "a:b", " u1", &"x".repeat(201)] {
            assert!(check_user_id(bad).is_err(), "{bad:?}");
        }
    }
}
