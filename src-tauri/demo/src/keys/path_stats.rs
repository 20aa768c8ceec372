//! The path-statistics snapshots a worker keeps in KV: gzip-compressed JSON versions with
//! metadata, the pointer to the latest one, and the queue batch counter that triggers a refresh.
//! The keys are the core's snapshot family ([`SnapshotFamily::path_stats`]), the one
//! `prune-snapshots` prunes by default; [`super::write`] writes the newest version and its pointer
//! last, as a refresh (the version before the pointer that names it).

use std::cmp::Reverse;
use std::io::Write as _;

use cachescope_core::jobs::snapshots::{SnapshotFamily, PATH_STATS_TEMPLATE};
use chrono::{DateTime, Duration, Utc};
use flate2::write::GzEncoder;
use flate2::Compression;
use rand::seq::SliceRandom;
use serde_json::{json, Value as Json};

use super::random::Gen;
use super::{iso, round1, round2, Out};

const RESOURCES: [&str; 15] = [
    "users",
    "orders",
    "products",
    "invoices",
    "payments",
    "sessions",
    "reports",
    "webhooks",
    "files",
    "search",
    "notifications",
    "carts",
    "coupons",
    "shipments",
    "reviews",
];
const ROUTES: [(&str, &str); 5] = [
    ("GET", "/api/v1/{r}"),
    ("GET", "/api/v1/{r}/:id"),
    ("POST", "/api/v1/{r}"),
    ("PATCH", "/api/v1/{r}/:id"),
    ("DELETE", "/api/v1/{r}/:id"),
];
/// Snapshot versions written, 1 to 8, the pointer naming the newest; the weekly prune keeps the
/// newest 5, so 3 are due for pruning.
pub(super) const SNAPSHOT_VERSIONS: u32 = 8;

/// The summary's family of the versioned keys (the core's template).
pub(super) const VERSIONS_FAMILY: &str = PATH_STATS_TEMPLATE;

/// Eight gzip snapshot versions with their metadata, the `latest` pointer and the batch counter.
pub(super) fn path_stats(out: &mut Out, g: &mut Gen, now: DateTime<Utc>) {
    let family = SnapshotFamily::path_stats();
    let mut paths: Vec<(&str, String)> = Vec::new();
    for (method, route) in ROUTES {
        for r in RESOURCES {
            paths.push((method, route.replace("{r}", r)));
        }
    }
    paths.shuffle(&mut g.0);

    for version in 1..=SNAPSHOT_VERSIONS {
        // Refreshed every 10 queue batches, roughly every few minutes under load.
        let created_at =
            now - Duration::minutes(i64::from(SNAPSHOT_VERSIONS - version) * 9 + g.int(1, 5));
        let count = (57 + 2 * version as usize).min(paths.len());
        let mut rows: Vec<(u64, Json)> = paths[..count]
            .iter()
            .enumerate()
            .map(|(rank, (method, path))| {
                let requests =
                    (250_000.0 / (rank as f64 + 1.0).powf(1.2) * g.float(0.9, 1.1)) as u64 + 3;
                let errors = (requests as f64 * g.float(0.0, 0.03)) as u64;
                let avg = g.float(12.0, 180.0);
                let row = json!({
                    "method": method,
                    "path": path,
                    "requests": requests,
                    "errors": errors,
                    "errorRate": round2(errors as f64 * 100.0 / requests as f64),
                    "avgResponseMs": round1(avg),
                    "p95ResponseMs": round1(avg * g.float(2.0, 4.5)),
                    "lastSeenAt": iso(created_at - Duration::seconds(g.int(0, 300))),
                });
                (requests, row)
            })
            .collect();
        rows.sort_by_key(|r| Reverse(r.0));
        let snapshot = json!({
            "version": version,
            "createdAt": iso(created_at),
            "windowHours": 24,
            "pathCount": count,
            "totalRequests": rows.iter().map(|(n, _)| n).sum::<u64>(),
            "paths": rows.into_iter().map(|(_, r)| r).collect::<Vec<_>>(),
        });
        // Compressing into memory cannot fail; were it to, the snapshot is simply not seeded.
        let Ok(bytes) = gzip(snapshot.to_string().as_bytes()) else {
            continue;
        };
        let metadata = json!({
            "version": version,
            "createdAt": iso(created_at),
            "encoding": "gzip",
            "contentType": "application/json",
            "pathCount": count,
        });
        out.raw(
            VERSIONS_FAMILY,
            family.version_key(version.into()),
            bytes,
            None,
            Some(metadata),
        );
    }
    // The pointer as a refresh writes it (a key of its own: its family is the key).
    out.entry(family.pointer_entry(SNAPSHOT_VERSIONS.into()));
    // The batch counter: a snapshot is refreshed when it reaches a multiple of 10.
    let counter = SNAPSHOT_VERSIONS * 10 + g.int(1, 9) as u32;
    out.raw(
        "queue:snapshot_counter",
        "queue:snapshot_counter".into(),
        counter.to_string().into_bytes(),
        None,
        None,
    );
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}
