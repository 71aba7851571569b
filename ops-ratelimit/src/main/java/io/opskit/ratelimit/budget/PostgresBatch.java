package io.opskit.ratelimit.budget;

import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.ratelimit.budget.BudgetWriter.Reserve;
import io.opskit.ratelimit.budget.BudgetWriter.Settle;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL batch: every statement decides on its own and commits on its own (auto-commit),
 * so a row lock lasts one statement and is never held across a round trip to the client. A
 * replica whose network stalls after sending a statement leaves no transaction open behind it:
 * the server finishes the statement, commits, and the other replicas go on.
 *
 * <p>Per period of the batch, in key order:
 * <ol>
 *   <li>when due, one statement reclaims ended leases ({@link BudgetSql#reclaimOnePeriod});</li>
 *   <li>one statement settles the period's reconciles and releases and admits its reservations
 *       together if they all fit ({@link BudgetSql#settleAndAdmitOnePeriod}), or, without
 *       settlements, admits them together ({@link BudgetSql#admitOnePeriod});</li>
 *   <li>when they do not all fit, each is admitted by its own statement, after a reclaim if one
 *       is refused.</li>
 * </ol>
 * Each operation is answered as soon as the statement that decided it returned, so a retry of the
 * batch after an error redoes only what was not answered. A retried reserve whose first statement
 * did commit meets its own row (a unique violation) and is decided by the writer's transactional
 * path, which admits a repeated id once.
 *
 * <p>Counters stay equal to the rows: every change to {@code reserved_micros} is derived from the
 * rows the same statement deleted or marked ({@code RETURNING}), and every statement locks the
 * period row before it locks a reservation row.
 */
final class PostgresBatch {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcBudgetStore.class);

    private final BudgetSql sql;
    private final String storeName;
    private final long expiredRetentionMs;
    private final long reclaimIntervalMs;
    private final Map<BudgetKey, Long> lastReclaimMs;
    private final Set<BudgetKey> knownPeriods;
    private final Comparator<BudgetKey> keyOrder;

    PostgresBatch(BudgetSql sql, String storeName, long expiredRetentionMs, long reclaimIntervalMs,
                  Map<BudgetKey, Long> lastReclaimMs, Set<BudgetKey> knownPeriods, Comparator<BudgetKey> keyOrder) {
        this.sql = sql;
        this.storeName = storeName;
        this.expiredRetentionMs = expiredRetentionMs;
        this.reclaimIntervalMs = reclaimIntervalMs;
        this.lastReclaimMs = lastReclaimMs;
        this.knownPeriods = knownPeriods;
        this.keyOrder = keyOrder;
    }

    /** Carries out the operations not answered yet, answering each as its statement returns. */
    void run(Connection c, List<Reserve> reserves, List<Settle> settles) throws SQLException {
        c.setAutoCommit(true);
        TreeMap<BudgetKey, Work> work = new TreeMap<>(keyOrder);
        for (Reserve r : reserves) {
            if (!r.done.isDone()) {
                work.computeIfAbsent(r.key, k -> new Work()).reserves.add(r);
            }
        }
        for (Settle s : settles) {
            if (!s.done.isDone()) {
                work.computeIfAbsent(s.key, k -> new Work()).add(s);
            }
        }
        for (Map.Entry<BudgetKey, Work> entry : work.entrySet()) {
            runPeriod(c, entry.getKey(), entry.getValue());
        }
    }

    private void runPeriod(Connection c, BudgetKey key, Work w) throws SQLException {
        long nowMs = Long.MIN_VALUE;
        for (Reserve r : w.reserves) {
            nowMs = Math.max(nowMs, r.nowMs);
        }
        boolean reclaimed = false;
        if (!w.reserves.isEmpty()) {
            Long last = lastReclaimMs.get(key);
            if (last == null || nowMs - last >= reclaimIntervalMs) {
                reclaim(c, key, nowMs);
                reclaimed = true;
            }
        }
        List<Reserve> candidates = new ArrayList<>(w.reserves.size());
        List<Reserve> refused = new ArrayList<>();
        long sum = 0;
        long limit = Long.MAX_VALUE;
        for (Reserve r : w.reserves) {
            if (r.amount <= r.limit) {
                candidates.add(r);
                sum = saturatedAdd(sum, r.amount);
                limit = Math.min(limit, r.limit);
            } else {
                refused.add(r);
            }
        }
        boolean fits = !candidates.isEmpty() && sum <= limit;
        long @Nullable [] together = null;
        if (!w.unique.isEmpty()) {
            Decided decided = settleAndAdmit(c, key, w.unique.values(), fits ? candidates : List.of(),
                    fits ? sum : 0, fits ? limit - sum : Long.MAX_VALUE);
            if (decided == null && !w.reserves.isEmpty()) {
                knownPeriods.remove(key); // the row was removed behind our back: create it again
                throw new SQLException("budget period row missing", "40001");
            }
            for (Settle s : w.settles) {
                s.done.complete(Boolean.TRUE);
            }
            if (decided != null && decided.admitted) {
                together = decided.figures;
            }
        } else if (fits) {
            together = admit(c, key, candidates, sum, limit);
        }
        if (together != null) {
            long reserved = together[1];
            for (int j = candidates.size() - 1; j >= 0; j--) {
                Reserve r = candidates.get(j);
                r.done.complete(new Admission(true, together[0], Math.max(0, reserved), r.limit));
                reserved -= r.amount;
            }
        } else if (!candidates.isEmpty()) {
            List<Reserve> again = admitEach(c, key, candidates);
            if (!again.isEmpty() && !reclaimed) {
                reclaim(c, key, nowMs);
                again = admitEach(c, key, again);
            }
            refused.addAll(again);
        }
        if (!refused.isEmpty()) {
            long[] figures = read(c, key);
            for (Reserve r : refused) {
                r.done.complete(new Admission(false, figures[0], Math.max(0, figures[1]), r.limit));
            }
        }
    }

    /** Admits each reservation by its own statement; returns those refused. */
    private List<Reserve> admitEach(Connection c, BudgetKey key, List<Reserve> reserves) throws SQLException {
        List<Reserve> refused = new ArrayList<>();
        for (Reserve r : reserves) {
            long[] figures = admit(c, key, List.of(r), r.amount, r.limit);
            if (figures == null) {
                refused.add(r);
            } else {
                r.done.complete(new Admission(true, figures[0], Math.max(0, figures[1]), r.limit));
            }
        }
        return refused;
    }

    /** Admits {@code reserves} (summing to {@code sum}) together, or none; returns [spent, reserved] or null. */
    private long @Nullable [] admit(Connection c, BudgetKey key, List<Reserve> reserves, long sum, long limit)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.admitOnePeriod)) {
            ps.setLong(1, sum);
            bindKey(ps, 2, key);
            ps.setLong(4, limit - sum);
            ps.setLong(5, limit - sum);
            bindReservations(c, ps, 6, reserves);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null; // they do not fit: nothing was written
                }
                if (rs.getLong(3) != reserves.size()) {
                    throw new SQLException("reservation rows not inserted as admitted", "40001");
                }
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** The outcome of {@link #settleAndAdmit}: settled, and admitted or not, with the period after. */
    private record Decided(boolean admitted, long[] figures) {
    }

    /**
     * Settles {@code settles} and admits {@code reserves} if they fit, in one statement. Returns
     * null when the period has no row (then nothing existed to settle).
     */
    private @Nullable Decided settleAndAdmit(Connection c, BudgetKey key, java.util.Collection<Settle> settles,
                                             List<Reserve> reserves, long total, long headroom) throws SQLException {
        int n = settles.size();
        Object[] ids = new Object[n];
        Object[] actuals = new Object[n];
        Object[] releases = new Object[n];
        int j = 0;
        for (Settle s : settles) {
            ids[j] = s.id;
            actuals[j] = s.actual;
            releases[j] = (short) (s.release ? 1 : 0);
            j++;
        }
        try (PreparedStatement ps = c.prepareStatement(sql.settleAndAdmitOnePeriod)) {
            bindKey(ps, 1, key);
            java.sql.Array idArray = c.createArrayOf("varchar", ids);
            ps.setArray(3, idArray);
            ps.setArray(4, c.createArrayOf("bigint", actuals));
            ps.setArray(5, c.createArrayOf("smallint", releases));
            bindKey(ps, 6, key);
            ps.setArray(8, idArray);
            ps.setLong(9, total);
            ps.setLong(10, headroom);
            bindReservations(c, ps, 11, reserves);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean admitted = rs.getBoolean(1);
                if (rs.wasNull()) {
                    return null;
                }
                long spent = rs.getLong(2);
                long reserved = rs.getLong(3);
                if (admitted && rs.getLong(4) != reserves.size()) {
                    throw new SQLException("reservation rows not inserted as admitted", "40001");
                }
                return new Decided(admitted && !reserves.isEmpty(), new long[] {spent, reserved});
            }
        }
    }

    /** Stops counting the period's ended leases and forgets those past the retention, in one statement. */
    private void reclaim(Connection c, BudgetKey key, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.reclaimOnePeriod)) {
            bindKey(ps, 1, key);
            bindKey(ps, 3, key);
            ps.setLong(5, nowMs);
            bindKey(ps, 6, key);
            ps.setLong(8, nowMs - expiredRetentionMs);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(1) > 0) {
                    LOG.debug("{} reclaimed {} micro-USD of ended leases in {}", storeName, rs.getLong(1), key);
                }
            }
        }
        lastReclaimMs.put(key, nowMs);
    }

    private long[] read(Connection c, BudgetKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.readPeriod)) {
            bindKey(ps, 1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    knownPeriods.remove(key);
                    throw new SQLException("budget period row missing", "40001");
                }
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    private static void bindReservations(Connection c, PreparedStatement ps, int index, List<Reserve> reserves)
            throws SQLException {
        Object[] ids = new Object[reserves.size()];
        Object[] amounts = new Object[reserves.size()];
        Object[] leases = new Object[reserves.size()];
        for (int i = 0; i < reserves.size(); i++) {
            Reserve r = reserves.get(i);
            ids[i] = r.id;
            amounts[i] = r.amount;
            leases[i] = r.leaseUntilMs;
        }
        ps.setArray(index, c.createArrayOf("varchar", ids));
        ps.setArray(index + 1, c.createArrayOf("bigint", amounts));
        ps.setArray(index + 2, c.createArrayOf("bigint", leases));
    }

    private static void bindKey(PreparedStatement ps, int index, BudgetKey key) throws SQLException {
        ps.setString(index, key.scope());
        ps.setString(index + 1, key.period());
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** One period's share of the batch. */
    private static final class Work {
        final List<Reserve> reserves = new ArrayList<>();
        /** Every settle op, answered together. */
        final List<Settle> settles = new ArrayList<>();
        /** The first settle per id: a repeat in the same batch is a no-op, as it would be later. */
        final LinkedHashMap<String, Settle> unique = new LinkedHashMap<>();

        void add(Settle s) {
            settles.add(s);
            unique.putIfAbsent(s.id, s);
        }
    }
}
