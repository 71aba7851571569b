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
        readReservation = "SELECT amount_micros, expired, lease_until_ms FROM " + reservationTable
                + " WHERE scope = ? AND period = ? AND reservation_id = ?";
    }
}
