-- Job options become typed per job: each row keeps only its own job's fields (the old rows held
-- every job's fields). The archive directory leaves the shared table: it is a setting of each
-- machine (CACHESCOPE_ARCHIVE_DIR), so a shared row can no longer choose where files go.
UPDATE cachescope.jobs j
SET options = COALESCE((
    SELECT jsonb_object_agg(e.key, e.value)
    FROM jsonb_each(j.options) e
    WHERE e.key = ANY (CASE j.name
        WHEN 'precompute' THEN ARRAY['historyDays', 'reports']
        WHEN 'nightly-analytics' THEN ARRAY['historyDays', 'reports']
        WHEN 'archive' THEN ARRAY['historyDays', 'table', 'timeColumn', 'idColumn', 'retentionDays', 'readChunk']
        WHEN 'delete-archived' THEN ARRAY['historyDays', 'table', 'timeColumn', 'idColumn', 'batchSize', 'maxBatches']
        WHEN 'storage-report' THEN ARRAY['historyDays', 'schemas', 'reportKey', 'reportTtl']
        WHEN 'prune-snapshots' THEN ARRAY['historyDays', 'snapshotTemplate', 'keepVersions']
        WHEN 'sweep' THEN ARRAY['historyDays', 'sweepRules']
        ELSE ARRAY['historyDays']
    END)
), '{}'::jsonb);
