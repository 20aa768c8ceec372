-- The sales-analytics data that precompute reads (docs/domain.md), in its own schema `sales`,
-- apart from the console's `cachescope` schema. In production this is the team's own database;
-- Cachescope creates it only for the demo (`cachescope demo db`) and for tests.
CREATE SCHEMA IF NOT EXISTS sales;

-- Sales reps, managers and admins. A rep reports to a manager of the same department.
CREATE TABLE sales.users (
    id          UUID        PRIMARY KEY,
    name        TEXT        NOT NULL,
    email       TEXT        NOT NULL UNIQUE,
    role        TEXT        NOT NULL CHECK (role IN ('rep', 'manager', 'admin')),
    department  TEXT        NOT NULL DEFAULT 'default',
    manager_id  UUID        REFERENCES sales.users (id),
    active      BOOLEAN     NOT NULL DEFAULT true,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_department ON sales.users (department);
CREATE INDEX users_manager ON sales.users (manager_id);

-- Deals. `closed_at` is set when a deal is won or lost.
CREATE TABLE sales.opportunities (
    id               UUID        PRIMARY KEY,
    customer_number  TEXT        NOT NULL,
    company_name     TEXT        NOT NULL,
    contact_name     TEXT,
    status           TEXT        NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    amount           NUMERIC(12, 2) NOT NULL DEFAULT 0,
    owner_id         UUID        NOT NULL REFERENCES sales.users (id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    closed_at        TIMESTAMPTZ,
    CHECK ((status = 'open') = (closed_at IS NULL))
);
CREATE INDEX opportunities_owner ON sales.opportunities (owner_id, created_at DESC);
CREATE INDEX opportunities_closed ON sales.opportunities (closed_at) WHERE closed_at IS NOT NULL;

-- Uploaded sales calls and their processing: pending -> processing (through the stages) ->
-- completed, or failed at a stage with an error code.
CREATE TABLE sales.conversations (
    id                     UUID        PRIMARY KEY,
    case_number            TEXT        NOT NULL UNIQUE,
    title                  TEXT,
    opportunity_id         UUID        NOT NULL REFERENCES sales.opportunities (id),
    user_id                UUID        NOT NULL REFERENCES sales.users (id),
    status                 TEXT        NOT NULL
        CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    processing_stage       TEXT
        CHECK (processing_stage IN ('audio', 'download', 'transcription', 'analysis', 'database')),
    error_code             TEXT,
    audio_url              TEXT        NOT NULL,
    duration_seconds       INTEGER     NOT NULL CHECK (duration_seconds >= 0),
    created_at             TIMESTAMPTZ NOT NULL,
    processing_started_at  TIMESTAMPTZ,
    processed_at           TIMESTAMPTZ,
    CHECK ((status = 'failed') = (error_code IS NOT NULL))
);
CREATE INDEX conversations_created ON sales.conversations (created_at);
CREATE INDEX conversations_user ON sales.conversations (user_id, created_at DESC);
CREATE INDEX conversations_opportunity ON sales.conversations (opportunity_id);
CREATE INDEX conversations_unfinished ON sales.conversations (status)
    WHERE status IN ('pending', 'processing', 'failed');

-- One MEDDIC analysis per completed conversation: overall score 0-100 and its six dimensions.
CREATE TABLE sales.meddic_analyses (
    id                  UUID        PRIMARY KEY,
    conversation_id     UUID        NOT NULL UNIQUE REFERENCES sales.conversations (id),
    opportunity_id      UUID        NOT NULL REFERENCES sales.opportunities (id),
    overall_score       SMALLINT    NOT NULL CHECK (overall_score BETWEEN 0 AND 100),
    status              TEXT        NOT NULL CHECK (status IN ('Strong', 'Medium', 'Weak', 'At Risk')),
    metrics             SMALLINT    NOT NULL CHECK (metrics BETWEEN 0 AND 100),
    economic_buyer      SMALLINT    NOT NULL CHECK (economic_buyer BETWEEN 0 AND 100),
    decision_criteria   SMALLINT    NOT NULL CHECK (decision_criteria BETWEEN 0 AND 100),
    decision_process    SMALLINT    NOT NULL CHECK (decision_process BETWEEN 0 AND 100),
    identify_pain       SMALLINT    NOT NULL CHECK (identify_pain BETWEEN 0 AND 100),
    champion            SMALLINT    NOT NULL CHECK (champion BETWEEN 0 AND 100),
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX meddic_opportunity ON sales.meddic_analyses (opportunity_id, created_at DESC);
CREATE INDEX meddic_created ON sales.meddic_analyses (created_at);

-- Follow-up tasks.
CREATE TABLE sales.todos (
    id              UUID        PRIMARY KEY,
    opportunity_id  UUID        REFERENCES sales.opportunities (id),
    user_id         UUID        NOT NULL REFERENCES sales.users (id),
    title           TEXT        NOT NULL,
    due_date        DATE        NOT NULL,
    status          TEXT        NOT NULL CHECK (status IN ('pending', 'completed', 'cancelled')),
    created_at      TIMESTAMPTZ NOT NULL,
    completed_at    TIMESTAMPTZ,
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX todos_user_due ON sales.todos (user_id, due_date) WHERE status = 'pending';
CREATE INDEX todos_opportunity ON sales.todos (opportunity_id);

-- The path-statistics pipeline (seed 004): one detail row per request, and hourly aggregates
-- that are kept forever. Detail rows older than the hot window are archived, then deleted.
CREATE TABLE sales.traffic_events (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  TIMESTAMPTZ NOT NULL,
    path         TEXT        NOT NULL,
    method       TEXT        NOT NULL,
    status       SMALLINT    NOT NULL,
    latency_ms   INTEGER     NOT NULL CHECK (latency_ms >= 0),
    user_id      UUID
);
CREATE INDEX traffic_events_occurred ON sales.traffic_events (occurred_at, id);

CREATE TABLE sales.path_stats_hourly (
    hour              TIMESTAMPTZ NOT NULL,
    path              TEXT        NOT NULL,
    requests          BIGINT      NOT NULL,
    errors            BIGINT      NOT NULL,
    total_latency_ms  BIGINT      NOT NULL,
    PRIMARY KEY (hour, path)
);
