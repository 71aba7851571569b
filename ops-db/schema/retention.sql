-- Opskit DB retention checkpoints, schema version 1.
-- Created by a RetentionTask on its first non-dry run (CREATE TABLE IF NOT EXISTS), in the same
-- database as the table it prunes; the same statement works on SQLite, PostgreSQL and MariaDB/MySQL.
-- One row per running rule: the last key of the last committed batch, written in the batch's own
-- transaction. A run that reaches the end deletes its row; a rerun after a crash or a deadline
-- resumes after last_key.
CREATE TABLE IF NOT EXISTS opskit_retention_state (
    rule_name  VARCHAR(200) PRIMARY KEY,  -- the task name, "retention:TABLE" by default
    last_key   BIGINT       NOT NULL,     -- key column value of the last row moved
    updated_at VARCHAR(40)  NOT NULL      -- ISO-8601 UTC instant of the last batch
);
