-- Opskit job lock and run history schema, version 1, PostgreSQL 12 or later.
-- ${prefix} is replaced by the configured table prefix (default "opskit_").
-- Times are epoch milliseconds (UTC). Lease times (acquired_ms, lease_until_ms) come from the
-- database's clock, so replicas whose clocks disagree still agree on when a lease ends; due_ms is
-- the scheduled time the replicas compute from the job's schedule.

CREATE TABLE IF NOT EXISTS ${prefix}job_schema (
    version INTEGER NOT NULL PRIMARY KEY
);

-- One row per job: the lease of the run holding it (or that last held it).
CREATE TABLE IF NOT EXISTS ${prefix}job_lease (
    job_name       VARCHAR(200) NOT NULL PRIMARY KEY,
    holder         VARCHAR(200) NOT NULL,
    run_id         VARCHAR(64)  NOT NULL,
    due_ms         BIGINT NOT NULL,
    acquired_ms    BIGINT NOT NULL,
    lease_until_ms BIGINT NOT NULL
);

-- The last runs of each job (the store keeps the newest N per job). ended_ms is NULL while running.
CREATE TABLE IF NOT EXISTS ${prefix}job_run (
    run_id     VARCHAR(64) NOT NULL PRIMARY KEY,
    job_name   VARCHAR(200) NOT NULL,
    replica    VARCHAR(200) NOT NULL,
    due_ms     BIGINT NOT NULL,
    started_ms BIGINT NOT NULL,
    ended_ms   BIGINT,
    outcome    VARCHAR(20) NOT NULL,
    summary    VARCHAR(1000) NOT NULL
);

CREATE INDEX IF NOT EXISTS ${prefix}job_run_recent ON ${prefix}job_run (job_name, started_ms);
INSERT INTO ${prefix}job_schema (version) VALUES (1) ON CONFLICT DO NOTHING;
