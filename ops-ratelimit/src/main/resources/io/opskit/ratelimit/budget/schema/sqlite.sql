-- Opskit budget store schema, version 1, SQLite 3.24 or later.
-- ${prefix} is replaced by the configured table prefix (default "opskit_").
-- Amounts are integer micro-USD; times are epoch milliseconds (UTC).

CREATE TABLE IF NOT EXISTS ${prefix}budget_schema (
    version INTEGER NOT NULL PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS ${prefix}budget_period (
    scope           TEXT    NOT NULL,
    period          TEXT    NOT NULL,
    spent_micros    INTEGER NOT NULL DEFAULT 0,
    reserved_micros INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period)
);

CREATE TABLE IF NOT EXISTS ${prefix}budget_reservation (
    scope          TEXT    NOT NULL,
    period         TEXT    NOT NULL,
    reservation_id TEXT    NOT NULL,
    amount_micros  INTEGER NOT NULL,
    lease_until_ms INTEGER NOT NULL,
    expired        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period, reservation_id)
);

CREATE INDEX IF NOT EXISTS ${prefix}budget_reservation_lease
    ON ${prefix}budget_reservation (scope, period, expired, lease_until_ms);

INSERT INTO ${prefix}budget_schema (version) VALUES (1) ON CONFLICT DO NOTHING;
