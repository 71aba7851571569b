-- Opskit budget store schema, version 1, PostgreSQL 12 or later.
-- ${prefix} is replaced by the configured table prefix (default "opskit_").
-- Amounts are integer micro-USD; times are epoch milliseconds (UTC).

CREATE TABLE IF NOT EXISTS ${prefix}budget_schema (
    version INTEGER NOT NULL PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS ${prefix}budget_period (
    scope           VARCHAR(200) NOT NULL,
    period          VARCHAR(40)  NOT NULL,
    spent_micros    BIGINT       NOT NULL DEFAULT 0,
    reserved_micros BIGINT       NOT NULL DEFAULT 0,
    version         BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period)
);

CREATE TABLE IF NOT EXISTS ${prefix}budget_reservation (
    scope          VARCHAR(200) NOT NULL,
    period         VARCHAR(40)  NOT NULL,
    reservation_id VARCHAR(64)  NOT NULL,
    amount_micros  BIGINT       NOT NULL,
    lease_until_ms BIGINT       NOT NULL,
    expired        SMALLINT     NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period, reservation_id)
);

CREATE INDEX IF NOT EXISTS ${prefix}budget_reservation_lease
    ON ${prefix}budget_reservation (scope, period, expired, lease_until_ms);

INSERT INTO ${prefix}budget_schema (version) VALUES (1) ON CONFLICT DO NOTHING;
