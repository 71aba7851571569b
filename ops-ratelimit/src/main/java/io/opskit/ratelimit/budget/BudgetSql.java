package io.opskit.ratelimit.budget;

import io.opskit.api.internal.SqlDialect;

/** The statements of the JDBC store, rendered once for a dialect and table prefix. */
final class BudgetSql {

    final String schemaTable;
    final String periodTable;
    final String reservationTable;

    final String readSchemaVersion;
    final String ensurePeriod;
    /** Lock a period row so that every later statement of the transaction sees its latest state. */
    final String lockPeriod;
    /**
     * The admission: one conditional write. Parameters: amount, scope, period, limit - amount
     * (twice). Written so that no arithmetic can overflow a BIGINT.
     */
    final String admit;
    final String insertReservation;
    final String readPeriod;
    final String usage;
    final String sumExpirable;
    final String markExpired;
    final String deleteForgotten;
    final String subtractReserved;
    final String settlePeriod;
    final String deleteReservation;
    final String readReservation;
    /** PostgreSQL only: settle and admit a whole batch of one period in one conditional write. */
    final String settleAndAdmitReturning;
    /**
     * PostgreSQL only: a period's settlements and admissions in one auto-committed statement: lock
     * the period row, delete the settled reservations, settle them, and admit the new ones if they
     * all fit, inserting their rows. Parameters: scope, period, settled ids, actuals, release flags,
     * scope, period and settled ids again (for an index lookup of the rows to delete), total,
     * limit - total, new ids, amounts, lease ends. Returns whether admitted (null without a
     * period row), the period's spent and reserved afterwards, and the rows inserted.
     */
    final String settleAndAdmitOnePeriod;
    /**
     * PostgreSQL only: reclaim ended leases and forget old ones in one auto-committed statement,
     * taking exactly the marked rows' amounts out of the counter. Parameters: scope, period, scope,
     * period, now, scope, period, now - retention.
     */
    final String reclaimOnePeriod;
    /**
     * PostgreSQL only: admit a period's reservations together, or none, in one statement: the
     * guarded write of the period row and the reservation rows' insert.
     */
    final String admitOnePeriod;
    /** PostgreSQL only: reclaim ended leases, returning exactly the amounts taken out of use. */
    final String markExpiredReturning;

    BudgetSql(SqlDialect dialect, String prefix) {
        schemaTable = prefix + "budget_schema";
        periodTable = prefix + "budget_period";
        reservationTable = prefix + "budget_reservation";
        readSchemaVersion = "SELECT MAX(version) FROM " + schemaTable;
        ensurePeriod = dialect.insertIfAbsent(periodTable,
                "(scope, period, spent_micros, reserved_micros, version) VALUES (?, ?, 0, 0, 0)");
        lockPeriod = "UPDATE " + periodTable + " SET version = version + 1 WHERE scope = ? AND period = ?";
        admit = "UPDATE " + periodTable
                + " SET reserved_micros = reserved_micros + ?, version = version + 1"
                + " WHERE scope = ? AND period = ? AND spent_micros <= ? AND reserved_micros <= ? - spent_micros";
        insertReservation = dialect.insertIfAbsent(reservationTable,
                "(scope, period, reservation_id, amount_micros, lease_until_ms, expired) VALUES (?, ?, ?, ?, ?, 0)");
        readPeriod = "SELECT spent_micros, reserved_micros FROM " + periodTable + " WHERE scope = ? AND period = ?";
        usage = "SELECT p.spent_micros, p.reserved_micros - COALESCE((SELECT SUM(r.amount_micros) FROM "
                + reservationTable + " r WHERE r.scope = p.scope AND r.period = p.period AND r.expired = 0"
                + " AND r.lease_until_ms <= ?), 0) FROM " + periodTable + " p WHERE p.scope = ? AND p.period = ?";
        sumExpirable = "SELECT COALESCE(SUM(amount_micros), 0) FROM " + reservationTable
                + " WHERE scope = ? AND period = ? AND expired = 0 AND lease_until_ms <= ?";
        markExpired = "UPDATE " + reservationTable
                + " SET expired = 1 WHERE scope = ? AND period = ? AND expired = 0 AND lease_until_ms <= ?";
        deleteForgotten = "DELETE FROM " + reservationTable
                + " WHERE scope = ? AND period = ? AND expired = 1 AND lease_until_ms < ?";
        subtractReserved = "UPDATE " + periodTable
                + " SET reserved_micros = reserved_micros - ? WHERE scope = ? AND period = ?";
        settlePeriod = "UPDATE " + periodTable
                + " SET spent_micros = spent_micros + ?, reserved_micros = reserved_micros - ?"
                + " WHERE scope = ? AND period = ?";
        deleteReservation = "DELETE FROM " + reservationTable
                + " WHERE scope = ? AND period = ? AND reservation_id = ?";
        settleAndAdmitReturning = "UPDATE " + periodTable
                + " SET spent_micros = spent_micros + ?, reserved_micros = reserved_micros - ? + ?,"
                + " version = version + 1"
                + " WHERE scope = ? AND period = ? AND spent_micros + ? <= ?"
                + " AND reserved_micros - ? <= ? - (spent_micros + ?)"
                + " RETURNING spent_micros, reserved_micros";
        markExpiredReturning = markExpired + " RETURNING amount_micros";
        admitOnePeriod = "WITH upd AS (UPDATE " + periodTable
                + " SET reserved_micros = reserved_micros + ?, version = version + 1"
                + " WHERE scope = ? AND period = ? AND spent_micros <= ? AND reserved_micros <= ? - spent_micros"
                + " RETURNING scope, period, spent_micros, reserved_micros),"
                + " ins AS (INSERT INTO " + reservationTable
                + " (scope, period, reservation_id, amount_micros, lease_until_ms, expired)"
                + " SELECT upd.scope, upd.period, n.id, n.amount, n.lease, 0 FROM upd,"
                + " unnest(CAST(? AS VARCHAR[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS n(id, amount, lease)"
                + " RETURNING 1)"
                + " SELECT upd.spent_micros, upd.reserved_micros, (SELECT COUNT(*) FROM ins) FROM upd";
        String key = "WITH k AS (SELECT CAST(? AS VARCHAR) AS scope, CAST(? AS VARCHAR) AS period),"
                + " cur AS (SELECT p.spent_micros AS spent, p.reserved_micros AS reserved FROM " + periodTable
                + " p, k WHERE p.scope = k.scope AND p.period = k.period FOR UPDATE OF p),";
        settleAndAdmitOnePeriod = key
                + " s AS (SELECT * FROM unnest(CAST(? AS VARCHAR[]), CAST(? AS BIGINT[]), CAST(? AS SMALLINT[]))"
                + " AS s(id, actual, is_release)),"
                + " del AS (DELETE FROM " + reservationTable + " r USING cur WHERE r.scope = ?"
                + " AND r.period = ? AND r.reservation_id = ANY (CAST(? AS VARCHAR[]))"
                + " RETURNING r.reservation_id, r.amount_micros, r.expired),"
                + " d AS (SELECT COALESCE(SUM(CASE WHEN del.expired = 0 THEN del.amount_micros ELSE 0 END), 0) AS dr,"
                + " COALESCE(SUM(CASE WHEN s.is_release = 0 THEN s.actual ELSE 0 END), 0) AS ds"
                + " FROM del JOIN s ON s.id = del.reservation_id),"
                + " a AS (SELECT CAST(? AS BIGINT) AS total, CAST(? AS BIGINT) AS headroom),"
                + " dec AS (SELECT cur.spent + d.ds <= a.headroom"
                + " AND cur.reserved - d.dr <= a.headroom - (cur.spent + d.ds) AS fits FROM cur, d, a),"
                + " upd AS (UPDATE " + periodTable + " p SET spent_micros = p.spent_micros + d.ds,"
                + " reserved_micros = p.reserved_micros - d.dr + CASE WHEN dec.fits THEN a.total ELSE 0 END,"
                + " version = p.version + 1"
                + " FROM k, d, a, dec WHERE p.scope = k.scope AND p.period = k.period"
                + " RETURNING p.spent_micros, p.reserved_micros),"
                + " ins AS (INSERT INTO " + reservationTable
                + " (scope, period, reservation_id, amount_micros, lease_until_ms, expired)"
                + " SELECT k.scope, k.period, n.id, n.amount, n.lease, 0 FROM k, dec,"
                + " unnest(CAST(? AS VARCHAR[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS n(id, amount, lease)"
                + " WHERE dec.fits RETURNING 1)"
                + " SELECT (SELECT fits FROM dec), (SELECT spent_micros FROM upd), (SELECT reserved_micros FROM upd),"
                + " (SELECT COUNT(*) FROM ins)";
        reclaimOnePeriod = key
                + " m AS (UPDATE " + reservationTable + " r SET expired = 1 FROM cur WHERE r.scope = ?"
                + " AND r.period = ? AND r.expired = 0 AND r.lease_until_ms <= ? RETURNING r.amount_micros),"
                + " t AS (SELECT COALESCE(SUM(amount_micros), 0) AS total FROM m),"
                + " upd AS (UPDATE " + periodTable + " p SET reserved_micros = p.reserved_micros - t.total,"
                + " version = p.version + 1 FROM k, t WHERE p.scope = k.scope AND p.period = k.period"
                + " AND t.total > 0 RETURNING 1),"
                + " gone AS (DELETE FROM " + reservationTable + " r USING cur WHERE r.scope = ?"
                + " AND r.period = ? AND r.expired = 1 AND r.lease_until_ms < ? RETURNING 1)"
                + " SELECT t.total, (SELECT COUNT(*) FROM upd), (SELECT COUNT(*) FROM gone) FROM t";
        readReservation = "SELECT amount_micros, expired, lease_until_ms FROM " + reservationTable
                + " WHERE scope = ? AND period = ? AND reservation_id = ?";
    }
}
