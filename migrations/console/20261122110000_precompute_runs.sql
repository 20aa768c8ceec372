-- One row per precompute run (by hand, from the CLI, the app or a schedule), dry runs included:
-- when, where, what it wrote and skipped, and each report's outcome.
CREATE TABLE cachescope.precompute_runs (
    id             BIGSERIAL   PRIMARY KEY,
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ NOT NULL,
    as_of          TIMESTAMPTZ NOT NULL,
    profile        TEXT        NOT NULL,
    os_user        TEXT        NOT NULL,
    host           TEXT        NOT NULL,
    dry_run        BOOLEAN     NOT NULL,
    status         TEXT        NOT NULL CHECK (status IN ('succeeded', 'partial', 'failed', 'cancelled')),
    keys_written   BIGINT      NOT NULL,
    keys_skipped   BIGINT      NOT NULL,
    reports_failed INTEGER     NOT NULL,
    -- [{name, keys, written, skipped, error}]
    reports        JSONB       NOT NULL,
    error          TEXT
);
CREATE INDEX precompute_runs_started ON cachescope.precompute_runs (profile, started_at DESC);
