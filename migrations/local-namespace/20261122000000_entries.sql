-- The embedded local namespace: Cloudflare KV semantics in one SQLite table.
-- Keys are BLOBs of their UTF-8 bytes so ORDER BY compares bytes, exactly as KV lists.
CREATE TABLE IF NOT EXISTS entries (
    namespace  TEXT    NOT NULL,
    key        BLOB    NOT NULL,
    value      BLOB    NOT NULL,
    expiration INTEGER,          -- absolute Unix seconds; NULL = never expires
    metadata   TEXT,             -- JSON, at most 1024 bytes
    PRIMARY KEY (namespace, key)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS entries_expiration ON entries (expiration) WHERE expiration IS NOT NULL;
