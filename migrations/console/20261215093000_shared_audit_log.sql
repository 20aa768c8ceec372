-- The audit log of a profile that names this database: every console pointed at it writes here,
-- so all of them show one history (profiles without Postgres keep theirs in the local state file).
-- A destructive action writes its entry before the work, with outcome 'interrupted', and replaces
-- the outcome when the work ends: an entry left 'interrupted' was cut off by a crash or a kill.
CREATE TABLE cachescope.audit_log (
    id          BIGSERIAL   PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    os_user     TEXT        NOT NULL,
    host        TEXT        NOT NULL,
    profile     TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    target      TEXT        NOT NULL,
    item_count  BIGINT      NOT NULL CHECK (item_count >= 0),
    dry_run     BOOLEAN     NOT NULL,
    outcome     TEXT        NOT NULL,
    detail      JSONB       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_recent ON cachescope.audit_log (id DESC);
