-- Opskit budget store schema, version 1, MariaDB 10.3+ and MySQL 8.0+ (InnoDB).
-- ${prefix} is replaced by the configured table prefix (default "opskit_").
-- Amounts are integer micro-USD; times are epoch milliseconds (UTC).

CREATE TABLE IF NOT EXISTS ${prefix}budget_schema (
    version INT NOT NULL PRIMARY KEY
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS ${prefix}budget_period (
    scope           VARCHAR(200) NOT NULL,
    period          VARCHAR(40)  NOT NULL,
    spent_micros    BIGINT       NOT NULL DEFAULT 0,
    reserved_micros BIGINT       NOT NULL DEFAULT 0,
    version         BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS ${prefix}budget_reservation (
    scope          VARCHAR(200) NOT NULL,
    period         VARCHAR(40)  NOT NULL,
    reservation_id VARCHAR(64)  NOT NULL,
    amount_micros  BIGINT       NOT NULL,
    lease_until_ms BIGINT       NOT NULL,
    expired        SMALLINT     NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period, reservation_id),
    INDEX ${prefix}budget_reservation_lease (scope, period, expired, lease_until_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT IGNORE INTO ${prefix}budget_schema (version) VALUES (1);
