-- Cachescope's local state (one SQLite file per data directory): the audit log of destructive
-- actions taken from this machine, kept even when no Postgres is configured.
CREATE TABLE IF NOT EXISTS audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,   -- RFC 3339, UTC
    os_user     TEXT    NOT NULL,
    host        TEXT    NOT NULL,
    profile     TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    item_count  INTEGER NOT NULL,
    dry_run     INTEGER NOT NULL,
    outcome     TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
