-- Scheduled jobs, shared by every console and daemon pointed at this database: one row per job
-- with its schedule, time zone, pause state and options. Seeded with the defaults on first use.
CREATE TABLE cachescope.jobs (
    name        TEXT        PRIMARY KEY,
    -- cron (5 fields, or 6 with seconds first); NULL = run by hand only
    schedule    TEXT,
    time_zone   TEXT        NOT NULL,
    paused      BOOLEAN     NOT NULL DEFAULT false,
    -- job-specific settings (retention days, batch size, archive directory, ...)
    options     JSONB       NOT NULL DEFAULT '{}'::jsonb,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by  TEXT        NOT NULL
);

-- One row per job run. A scheduled run first claims (job, scheduled_for): the unique index makes
-- the claim succeed on exactly one console, so a schedule fires once however many are running.
-- Manual runs have no scheduled_for.
CREATE TABLE cachescope.job_runs (
    id             BIGSERIAL   PRIMARY KEY,
    job            TEXT        NOT NULL,
    scheduled_for  TIMESTAMPTZ,
    trigger        TEXT        NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    profile        TEXT        NOT NULL,
    os_user        TEXT        NOT NULL,
    host           TEXT        NOT NULL,
    dry_run        BOOLEAN     NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at    TIMESTAMPTZ,
    status         TEXT        NOT NULL CHECK (status IN
                       ('running', 'succeeded', 'failed', 'cancelled', 'skipped', 'abandoned')),
    -- what the run did: {"rowsArchived": 1000, "keysDeleted": 3, ...}
    counts         JSONB       NOT NULL DEFAULT '{}'::jsonb,
    summary        TEXT        NOT NULL DEFAULT '',
    detail         JSONB       NOT NULL DEFAULT '{}'::jsonb,
    error          TEXT
);
CREATE UNIQUE INDEX job_runs_one_per_schedule ON cachescope.job_runs (job, scheduled_for)
    WHERE scheduled_for IS NOT NULL;
CREATE INDEX job_runs_recent ON cachescope.job_runs (job, started_at DESC);

-- Archives of detail rows. A row is 'writing' while its file is written; it becomes 'verified'
-- only after the file was fsynced and re-read (row count and checksum match). Only rows listed in
-- a verified archive may be deleted, by the ids read back from its file; deleted_lines (how far
-- into the file) and deleted_rows advance in the same transaction as each delete batch, so counts
-- stay exact across crashes.
CREATE TABLE cachescope.archive_metadata (
    id                  BIGSERIAL   PRIMARY KEY,
    table_name          TEXT        NOT NULL,
    status              TEXT        NOT NULL CHECK (status IN ('writing', 'verified', 'deleted')),
    -- the archive holds every row of table_name with time_column < cutoff that no earlier
    -- pending archive held, in (time_column, id) order; first_id..last_id bound their ids
    cutoff              TIMESTAMPTZ NOT NULL,
    first_id            BIGINT,
    last_id             BIGINT,
    from_time           TIMESTAMPTZ,
    to_time             TIMESTAMPTZ,
    row_count           BIGINT      NOT NULL DEFAULT 0,
    -- sha256 of the uncompressed NDJSON
    checksum            TEXT,
    file                TEXT        NOT NULL,
    file_bytes          BIGINT      NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    verified_at         TIMESTAMPTZ,
    deleted_rows        BIGINT      NOT NULL DEFAULT 0,
    deleted_lines       BIGINT      NOT NULL DEFAULT 0,
    job_run             BIGINT      REFERENCES cachescope.job_runs (id) ON DELETE SET NULL
);
CREATE INDEX archive_metadata_pending ON cachescope.archive_metadata (table_name, id)
    WHERE status <> 'deleted';
