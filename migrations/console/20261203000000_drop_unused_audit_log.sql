-- The audit log lives in each console's local state (migrations/local-state): destructive actions
-- on profiles without Postgres are audited too, and the record survives a database outage. This
-- table was never written; drop it so the schema shows only what is used.
DROP TABLE IF EXISTS cachescope.audit_log;
