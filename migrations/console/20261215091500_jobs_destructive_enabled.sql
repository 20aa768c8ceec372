-- Destructive jobs (archive, delete-archived, prune-snapshots, sweep, invalidate-user) run on
-- their schedule only on a database where someone enabled them, with a typed confirmation that is
-- audited: a console pointed at a database for the first time starts none of them. Jobs that
-- delete nothing ignore this flag. Existing rows start disabled too, so an upgrade never starts a
-- destructive schedule that nobody confirmed.
ALTER TABLE cachescope.jobs
    ADD COLUMN enabled    BOOLEAN     NOT NULL DEFAULT false,
    ADD COLUMN enabled_at TIMESTAMPTZ,
    ADD COLUMN enabled_by TEXT;
