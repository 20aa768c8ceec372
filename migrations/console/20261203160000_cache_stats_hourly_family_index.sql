-- The Stats screen draws a hit-rate line for each of the few most read families: their hits and
-- reads per hour over the range. The primary key (hour, family) cannot find one family's rows
-- without reading every family's, so over a year of 100 families that read 876,000 rows for
-- 43,800. This index finds them by family and hour and holds the four counts the line needs, so
-- Postgres answers from the index alone (a year, 5 families: 121 ms -> 14 ms). It serves the
-- one-family view of the screen too.
CREATE INDEX cache_stats_hourly_family
    ON cachescope.cache_stats_hourly (family, hour) INCLUDE (hits, misses, stale, errors);
