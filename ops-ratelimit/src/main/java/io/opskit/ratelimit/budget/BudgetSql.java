package io.opskit.ratelimit.budget;

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
     * PostgreSQL only: a whole batch for one period in one statement: delete the settled
     * reservations, settle them and admit the new ones together in one guarded write on the period
     * row, insert the new reservations if admitted. Returns spent delta, reserved delta, and the
     * period's spent and reserved when admitted.
     */
    final String batchOnePeriod;
    /** PostgreSQL only: {@link #batchOnePeriod} for a batch of admissions only (no reservation is read). */
    final String admitOnePeriod;
    /** PostgreSQL only: reclaim ended leases, returning exactly the amounts taken out of use. */
    final String markExpiredReturning;

    BudgetSql(Dialect dialect, String prefix) {
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
        batchOnePeriod = "WITH k AS (SELECT CAST(? AS VARCHAR) AS scope, CAST(? AS VARCHAR) AS period),"
                + " s AS (SELECT * FROM unnest(CAST(? AS VARCHAR[]), CAST(? AS BIGINT[]), CAST(? AS SMALLINT[]))"
                + " AS s(id, actual, is_release)),"
                + " del AS (DELETE FROM " + reservationTable + " r WHERE r.scope = ?"
                + " AND r.period = ? AND r.reservation_id = ANY (CAST(? AS VARCHAR[]))"
                + " RETURNING r.reservation_id, r.amount_micros, r.expired),"
                + " d AS (SELECT COALESCE(SUM(CASE WHEN del.expired = 0 THEN del.amount_micros ELSE 0 END), 0) AS dr,"
                + " COALESCE(SUM(CASE WHEN s.is_release = 0 THEN s.actual ELSE 0 END), 0) AS ds"
                + " FROM del JOIN s ON s.id = del.reservation_id),"
                + " a AS (SELECT CAST(? AS BIGINT) AS total, CAST(? AS BIGINT) AS headroom),"
                + " upd AS (UPDATE " + periodTable + " p SET spent_micros = p.spent_micros + d.ds,"
                + " reserved_micros = p.reserved_micros - d.dr + a.total, version = p.version + 1"
                + " FROM k, d, a WHERE p.scope = k.scope AND p.period = k.period"
                + " AND p.spent_micros + d.ds <= a.headroom"
                + " AND p.reserved_micros - d.dr <= a.headroom - (p.spent_micros + d.ds)"
                + " RETURNING p.spent_micros, p.reserved_micros),"
                + " ins AS (INSERT INTO " + reservationTable
                + " (scope, period, reservation_id, amount_micros, lease_until_ms, expired)"
                + " SELECT k.scope, k.period, n.id, n.amount, n.lease, 0 FROM k, upd,"
                + " unnest(CAST(? AS VARCHAR[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS n(id, amount, lease)"
                + " RETURNING 1)"
                + " SELECT d.ds, d.dr, (SELECT spent_micros FROM upd), (SELECT reserved_micros FROM upd),"
                + " (SELECT COUNT(*) FROM ins) FROM d";
        readReservation = "SELECT amount_micros, expired, lease_until_ms FROM " + reservationTable
                + " WHERE scope = ? AND period = ? AND reservation_id = ?";
    }
}
