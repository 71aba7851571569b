-- Opskit job lock and run history schema, version 1, SQLite 3.24 or later.
-- ${prefix} is replaced by the configured table prefix (default "opskit_").
-- Times are epoch milliseconds (UTC). Lease times (acquired_ms, lease_until_ms) come from the
-- database's clock, so replicas whose clocks disagree still agree on when a lease ends; due_ms is
-- the scheduled time the replicas compute from the job's schedule.

CREATE TABLE IF NOT EXISTS ${prefix}job_schema (
    version INTEGER NOT NULL PRIMARY KEY
);

-- One row per job: the lease of the run holding it (or that last held it).
CREATE TABLE IF NOT EXISTS ${prefix}job_lease (
    job_name       TEXT NOT NULL PRIMARY KEY,
    holder         TEXT NOT NULL,
    run_id         TEXT  NOT NULL,
    due_ms         INTEGER NOT NULL,
    acquired_ms    INTEGER NOT NULL,
    lease_until_ms INTEGER NOT NULL
);

-- The last runs of each job (the store keeps the newest N per job). ended_ms is NULL while running.
CREATE TABLE IF NOT EXISTS ${prefix}job_run (
    run_id     TEXT NOT NULL PRIMARY KEY,
    job_name   TEXT NOT NULL,
    replica    TEXT NOT NULL,
    due_ms     INTEGER NOT NULL,
    started_ms INTEGER NOT NULL,
    ended_ms   INTEGER,
    outcome    TEXT NOT NULL,
    summary    TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS ${prefix}job_run_recent ON ${prefix}job_run (job_name, started_ms);
INSERT INTO ${prefix}job_schema (version) VALUES (1) ON CONFLICT DO NOTHING;
