-- Cachescope's own tables live in their own schema, apart from the application data it reads.
CREATE SCHEMA IF NOT EXISTS cachescope;

-- Every destructive action, by hand or by a job: who, when, where, what, dry run or real.
CREATE TABLE cachescope.audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    os_user     TEXT        NOT NULL,
    host        TEXT        NOT NULL,
    profile     TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    target      TEXT        NOT NULL,
    item_count  BIGINT      NOT NULL,
    dry_run     BOOLEAN     NOT NULL,
    outcome     TEXT        NOT NULL,
    detail      JSONB       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON cachescope.audit_log (at DESC);
