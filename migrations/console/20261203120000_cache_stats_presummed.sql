-- Pre-summed rollups, kept by the rollup in the same transaction as cache_stats_hourly/daily, so
-- the Stats query reads a few rows where it summed thousands: the series of all families from
-- one row per hour or day summed over every family, and each family's totals over a long range
-- from one row per calendar month (plus the hours and days at the range's ragged ends). The
-- same columns as cache_stats_hourly; see README "Hit/miss statistics".

-- Per hour, summed over every family of cache_stats_hourly.
CREATE TABLE cachescope.cache_stats_hourly_all (
    hour            TIMESTAMPTZ PRIMARY KEY,
    hits            BIGINT      NOT NULL,
    misses          BIGINT      NOT NULL,
    stale           BIGINT      NOT NULL,
    errors          BIGINT      NOT NULL,
    sets            BIGINT      NOT NULL,
    deletes         BIGINT      NOT NULL,
    lists           BIGINT      NOT NULL,
    latency_count   BIGINT      NOT NULL,
    latency_sum_ms  DOUBLE PRECISION NOT NULL,
    latency_buckets BIGINT[]    NOT NULL
);

-- Per UTC day, summed over every family of cache_stats_daily.
CREATE TABLE cachescope.cache_stats_daily_all (
    day             DATE        PRIMARY KEY,
    hits            BIGINT      NOT NULL,
    misses          BIGINT      NOT NULL,
    stale           BIGINT      NOT NULL,
    errors          BIGINT      NOT NULL,
    sets            BIGINT      NOT NULL,
    deletes         BIGINT      NOT NULL,
    lists           BIGINT      NOT NULL,
    latency_count   BIGINT      NOT NULL,
    latency_sum_ms  DOUBLE PRECISION NOT NULL,
    latency_buckets BIGINT[]    NOT NULL
);

-- Per UTC calendar month (its first day) and family, summed over the days of cache_stats_daily.
CREATE TABLE cachescope.cache_stats_monthly (
    month           DATE        NOT NULL CHECK (date_trunc('month', month::timestamp)::date = month),
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
    PRIMARY KEY (month, family)
);

-- Rollups made before this migration: the same sums, once, in one pass over each table. (The
-- latency buckets are summed element by element; the rollup writes every array with the same
-- number of buckets.)
INSERT INTO cachescope.cache_stats_hourly_all
SELECT t.hour, t.hits, t.misses, t.stale, t.errors, t.sets, t.deletes, t.lists, t.latency_count,
       t.latency_sum_ms, b.latency_buckets
FROM (SELECT hour, sum(hits) hits, sum(misses) misses, sum(stale) stale, sum(errors) errors,
             sum(sets) sets, sum(deletes) deletes, sum(lists) lists,
             sum(latency_count) latency_count, sum(latency_sum_ms) latency_sum_ms
      FROM cachescope.cache_stats_hourly GROUP BY hour) t
JOIN (SELECT hour, array_agg(n ORDER BY i) latency_buckets
      FROM (SELECT hour, i, sum(b)::bigint n
            FROM cachescope.cache_stats_hourly, unnest(latency_buckets) WITH ORDINALITY AS u(b, i)
            GROUP BY hour, i) e
      GROUP BY hour) b USING (hour);

INSERT INTO cachescope.cache_stats_daily_all
SELECT t.day, t.hits, t.misses, t.stale, t.errors, t.sets, t.deletes, t.lists, t.latency_count,
       t.latency_sum_ms, b.latency_buckets
FROM (SELECT day, sum(hits) hits, sum(misses) misses, sum(stale) stale, sum(errors) errors,
             sum(sets) sets, sum(deletes) deletes, sum(lists) lists,
             sum(latency_count) latency_count, sum(latency_sum_ms) latency_sum_ms
      FROM cachescope.cache_stats_daily GROUP BY day) t
JOIN (SELECT day, array_agg(n ORDER BY i) latency_buckets
      FROM (SELECT day, i, sum(b)::bigint n
            FROM cachescope.cache_stats_daily, unnest(latency_buckets) WITH ORDINALITY AS u(b, i)
            GROUP BY day, i) e
      GROUP BY day) b USING (day);

INSERT INTO cachescope.cache_stats_monthly
SELECT t.month, t.family, t.hits, t.misses, t.stale, t.errors, t.sets, t.deletes, t.lists,
       t.latency_count, t.latency_sum_ms, b.latency_buckets
FROM (SELECT date_trunc('month', day::timestamp)::date AS month, family, sum(hits) hits,
             sum(misses) misses, sum(stale) stale, sum(errors) errors, sum(sets) sets,
             sum(deletes) deletes, sum(lists) lists, sum(latency_count) latency_count,
             sum(latency_sum_ms) latency_sum_ms
      FROM cachescope.cache_stats_daily GROUP BY 1, 2) t
JOIN (SELECT month, family, array_agg(n ORDER BY i) latency_buckets
      FROM (SELECT date_trunc('month', day::timestamp)::date AS month, family, i, sum(b)::bigint n
            FROM cachescope.cache_stats_daily, unnest(latency_buckets) WITH ORDINALITY AS u(b, i)
            GROUP BY 1, 2, 3) e
      GROUP BY month, family) b USING (month, family);
