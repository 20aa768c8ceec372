-- Hit/miss statistics. Services that serve from the cache (and `cachescope stats import`, and the
-- console's own reads) append raw events to cache_events; `cachescope stats rollup` turns them
-- into one row per hour and key family (and per day), and `stats prune` drops raw events that are
-- rolled up and older than the retention. See README "Hit/miss statistics" for the contract.

-- Raw events, append-only. Reads have outcome hit | miss | stale | error; set | delete | list count
-- KV writes, deletes and listings against the plan's daily limits.
CREATE TABLE cachescope.cache_events (
    at          TIMESTAMPTZ      NOT NULL DEFAULT now(),
    key         TEXT             NOT NULL CHECK (octet_length(key) <= 512),
    outcome     TEXT             NOT NULL
                CHECK (outcome IN ('hit', 'miss', 'stale', 'error', 'set', 'delete', 'list')),
    latency_ms  DOUBLE PRECISION CHECK (latency_ms >= 0),
    source      TEXT             NOT NULL DEFAULT 'service' CHECK (length(source) BETWEEN 1 AND 100)
);
-- Events arrive roughly in time order, so a BRIN index finds an hour's rows for a fraction of a
-- B-tree's cost on every insert.
CREATE INDEX cache_events_at ON cachescope.cache_events USING brin (at);

-- The rollup's ledger, one row per hour ever rolled up: how many raw events it counts, and
-- whether its raw events were pruned. An hour whose raw count differs from `events` is rolled up
-- again (recomputed whole); events that arrive for a pruned hour are merged in and deleted in the
-- same transaction, so no event is ever counted twice or lost.
CREATE TABLE cachescope.cache_rollup_hours (
    hour         TIMESTAMPTZ PRIMARY KEY CHECK (date_trunc('hour', hour) = hour),
    events       BIGINT      NOT NULL,
    rolled_up_at TIMESTAMPTZ NOT NULL,
    pruned_at    TIMESTAMPTZ
);

-- Per hour and key family. Latency percentiles come from `latency_buckets` (counts per bucket of
-- the fixed bounds in the core's stats::rollup::LATENCY_BOUNDS_MS), so they merge exactly across
-- hours and families.
CREATE TABLE cachescope.cache_stats_hourly (
    hour            TIMESTAMPTZ NOT NULL,
    family          TEXT        NOT NULL,
    hits            BIGINT      NOT NULL,
    misses          BIGINT      NOT NULL,
    stale           BIGINT      NOT NULL,
    errors          BIGINT      NOT NULL,
    sets            BIGINT      NOT NULL,
    deletes         BIGINT      NOT NULL,
    lists           BIGINT      NOT NULL,
    latency_count   BIGINT      NOT NULL,
    latency_sum_ms  DOUBLE PRECISION NOT NULL,
    latency_buckets BIGINT[]    NOT NULL,
    PRIMARY KEY (hour, family)
);

-- The same per UTC day, recomputed from the hourly rows of every day a rollup touched (a year of
-- 100 families is 36,500 rows here instead of 876,000).
CREATE TABLE cachescope.cache_stats_daily (
    day             DATE        NOT NULL,
    family          TEXT        NOT NULL,
    hits            BIGINT      NOT NULL,
    misses          BIGINT      NOT NULL,
    stale           BIGINT      NOT NULL,
    errors          BIGINT      NOT NULL,
    sets            BIGINT      NOT NULL,
    deletes         BIGINT      NOT NULL,
    lists           BIGINT      NOT NULL,
    latency_count   BIGINT      NOT NULL,
    latency_sum_ms  DOUBLE PRECISION NOT NULL,
    latency_buckets BIGINT[]    NOT NULL,
    PRIMARY KEY (day, family)
);

-- Log files imported: each row covers the file's first `bytes` bytes (whole lines), identified by
-- the SHA-256 of its first line and of those bytes, so importing the same file again adds nothing
-- and importing a file that grew adds only its new lines.
CREATE TABLE cachescope.cache_log_imports (
    id            BIGSERIAL   PRIMARY KEY,
    head_sha256   TEXT        NOT NULL,
    bytes         BIGINT      NOT NULL,
    prefix_sha256 TEXT        NOT NULL,
    path          TEXT        NOT NULL,
    source        TEXT        NOT NULL,
    events        BIGINT      NOT NULL,
    malformed     BIGINT      NOT NULL,
    imported_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX cache_log_imports_head ON cachescope.cache_log_imports (head_sha256, bytes DESC);
