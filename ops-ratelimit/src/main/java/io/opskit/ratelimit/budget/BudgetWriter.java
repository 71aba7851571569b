package io.opskit.ratelimit.budget;

import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStoreException;
import io.opskit.api.internal.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit writer of {@link JdbcBudgetStore}: one thread takes every operation waiting in
 * its queue and carries them out in one transaction, so concurrent admissions share round trips
 * and one commit. A caller's operation returns only after that commit, so every admission is
 * decided and durable before the caller's provider call proceeds.
 *
 * <p>Why not a library: the batching is tied to the transaction shape below (lock order, reclaim
 * before refusal, per-statement update counts); no pool or executor offers that.
 *
 * <p>On PostgreSQL the batch is carried out by {@link PostgresBatch}, one auto-committed statement
 * per decision, so that no row lock is held across a round trip to this process. On MariaDB/MySQL
 * and SQLite it is one transaction; on SQLite it starts with {@code BEGIN IMMEDIATE}, taken by
 * {@link SqliteWriteLock} so that writers in several processes get turns.
 *
 * <p>Concurrency rules, which every transaction follows so that instances cannot overspend or
 * corrupt counters:
 * <ul>
 *   <li>a period row is locked (written) before any reservation row of that period is read or
 *       written, so reservation rows change only under their period's lock;</li>
 *   <li>when a transaction touches several periods it locks them up front in one order (scope,
 *       then period); deadlocks that remain possible are retried;</li>
 *   <li>no plain read precedes the locks it depends on, so the reads see the latest committed
 *       state under READ COMMITTED and under InnoDB's REPEATABLE READ alike.</li>
 * </ul>
 */
final class BudgetWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcBudgetStore.class);
    private static final int MAX_ATTEMPTS = 5;
    private static final long IDLE_RELEASE_MS = 2_000;
    private static final long LINGER_NANOS = 300_000;
    private static final long LINGER_STEP_NANOS = 50_000;
    private static final Comparator<BudgetKey> KEY_ORDER =
            Comparator.comparing(BudgetKey::scope).thenComparing(BudgetKey::period);

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final BudgetSql sql;
    private final String storeName;
    private final int maxBatchSize;
    private final long expiredRetentionMs;
    private final long reclaimIntervalMs;
    private final Duration operationTimeout;
    private final SessionTimeouts timeouts;
    private final PostgresBatch postgres;
    /** SQLite only: takes the write lock fairly between processes. */
    private final @Nullable SqliteWriteLock sqliteLock;
    private final LinkedBlockingQueue<Op> queue;
    private final Thread thread;
    private volatile boolean closed;

    // Shared by the writers of one store.
    private final Set<BudgetKey> knownPeriods;
    private final Map<BudgetKey, Long> lastReclaimMs;

    // Owned by this writer's thread.
    private @Nullable Connection connection;
    private int lastBatchSize = 1;
    private boolean failing;
    /** Set for one retry when the one-statement path met a duplicate id; the step-by-step path handles it. */
    private boolean oneStatementFailed;

    BudgetWriter(DataSource dataSource, SqlDialect dialect, BudgetSql sql, String storeName, int maxBatchSize,
                 Duration expiredRetention, Duration reclaimInterval, Duration operationTimeout,
                 ThreadFactory threadFactory, LinkedBlockingQueue<Op> queue, Set<BudgetKey> knownPeriods,
                 Map<BudgetKey, Long> lastReclaimMs) {
        this.queue = queue;
        this.knownPeriods = knownPeriods;
        this.lastReclaimMs = lastReclaimMs;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.sql = sql;
        this.storeName = storeName;
        this.maxBatchSize = maxBatchSize;
        this.expiredRetentionMs = expiredRetention.toMillis();
        this.reclaimIntervalMs = reclaimInterval.toMillis();
        this.operationTimeout = operationTimeout;
        this.timeouts = new SessionTimeouts(dialect, operationTimeout);
        this.sqliteLock = dialect == SqlDialect.SQLITE ? new SqliteWriteLock(timeouts.lockMillis()) : null;
        this.postgres = new PostgresBatch(sql, storeName, expiredRetentionMs, reclaimIntervalMs, lastReclaimMs,
                knownPeriods, KEY_ORDER);
        this.thread = threadFactory.newThread(this::run);
        thread.start();
    }

    /**
     * Starts {@code count} writers on one queue. Several writers let one batch travel to the
     * database while the previous one waits for its commit.
     */
    static List<BudgetWriter> start(int count, DataSource dataSource, SqlDialect dialect, BudgetSql sql,
                                    String storeName, int maxBatchSize, Duration expiredRetention,
                                    Duration reclaimInterval, Duration operationTimeout, ThreadFactory threadFactory) {
        LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
        Set<BudgetKey> known = ConcurrentHashMap.newKeySet();
        Map<BudgetKey, Long> reclaimed = new ConcurrentHashMap<>();
        List<BudgetWriter> writers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            writers.add(new BudgetWriter(dataSource, dialect, sql, storeName, maxBatchSize, expiredRetention,
                    reclaimInterval, operationTimeout, threadFactory, queue, known, reclaimed));
        }
        return writers;
    }

    Admission reserve(BudgetKey key, String id, long amount, long limit, long nowMs, long leaseUntilMs) {
        Reserve op = new Reserve(key, id, amount, limit, nowMs, leaseUntilMs);
        return (Admission) submitAndWait(op, "reserve");
    }

    void settle(BudgetKey key, String id, long actual, boolean release) {
        submitAndWait(new Settle(key, id, actual, release), release ? "release" : "reconcile");
    }

    private Object submitAndWait(Op op, String what) {
        if (closed) {
            throw new BudgetStoreException(storeName + " is closed; build a new store", null);
        }
        queue.add(op);
        if (closed) {
            failPending();
        }
        try {
            try {
                return op.done.get(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                BudgetStoreException late = new BudgetStoreException(storeName + " did not " + what + " within "
                        + operationTimeout + "; refuse the call and check the database", e);
                // Abandoned: a writer that has not taken it yet skips it, so a reserve the caller gave
                // up on is not made behind its back. One already in a batch may still be carried out.
                if (op.done.completeExceptionally(late)) {
                    throw late;
                }
                return op.done.get(); // decided just now
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new BudgetStoreException(cause == null ? storeName + " failed to " + what
                    : Objects.requireNonNullElse(cause.getMessage(), cause.toString()),
                    cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BudgetStoreException(storeName + " was interrupted waiting to " + what, e);
        }
    }

    private void run() {
        List<Op> batch = new ArrayList<>(maxBatchSize);
        while (!closed) {
            Op first;
            try {
                first = queue.poll(IDLE_RELEASE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (first == null) {
                releaseConnection();
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, maxBatchSize - 1);
            batch.removeIf(op -> op.done.isDone()); // abandoned by callers that timed out
            // The callers just answered are still on their way back with their next operation:
            // give them a moment (far shorter than a commit's flush) so that they share this one.
            long lingerUntil = System.nanoTime() + LINGER_NANOS;
            while (batch.size() < Math.min(lastBatchSize, maxBatchSize) && System.nanoTime() < lingerUntil) {
                Op next;
                try {
                    next = queue.poll(LINGER_STEP_NANOS, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    closed = true;
                    break;
                }
                if (next != null) {
                    batch.add(next);
                    queue.drainTo(batch, maxBatchSize - batch.size());
                    batch.removeIf(op -> op.done.isDone());
                }
            }
            if (batch.isEmpty()) {
                continue;
            }
            lastBatchSize = batch.size();
            process(batch);
            batch.clear();
        }
        releaseConnection();
        failPending();
    }

    private void process(List<Op> batch) {
        SQLException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                Connection c = connection();
                Runnable completion = transact(c, batch);
                if (!c.getAutoCommit()) {
                    c.commit();
                }
                oneStatementFailed = false;
                completion.run();
                if (failing) {
                    failing = false;
                    LOG.info("{} recovered", storeName);
                }
                LOG.debug("{} committed {} operations", storeName, batch.size());
                return;
            } catch (SQLException e) {
                last = e;
                rollbackQuietly();
                if ("23505".equals(e.getSQLState()) && !oneStatementFailed) {
                    oneStatementFailed = true;
                    continue;
                }
                if (!dialect.isTransient(e)) {
                    discardConnection();
                    break;
                }
                LOG.debug("{} retries a batch after a transient error: {}", storeName, e.getMessage());
            } catch (RuntimeException e) {
                rollbackQuietly();
                discardConnection();
                failAll(batch, new BudgetStoreException(storeName + " failed: " + e, e));
                return;
            }
        }
        if (!failing) {
            failing = true;
            LOG.warn("{} cannot write to the database; budget operations fail until it recovers: {}",
                    storeName, last == null ? "" : last.getMessage());
        }
        failAll(batch, new BudgetStoreException(storeName + " could not write to the database ("
                + (last == null ? "" : last.getMessage()) + "); refuse the call and check the database", last));
    }

    /** Runs the batch's statements (not the commit) and returns what to do once committed. */
    private Runnable transact(Connection c, List<Op> batch) throws SQLException {
        List<Reserve> reserves = new ArrayList<>();
        List<Settle> settles = new ArrayList<>();
        for (Op op : batch) {
            if (op.done.isDone()) {
                continue; // answered by an earlier try of this batch, or abandoned by its caller
            }
            if (op instanceof Reserve r) {
                reserves.add(r);
            } else {
                settles.add((Settle) op);
            }
        }
        reserves.sort((a, b) -> KEY_ORDER.compare(a.key, b.key));
        TreeSet<BudgetKey> reserveKeys = new TreeSet<>(KEY_ORDER);
        reserves.forEach(r -> reserveKeys.add(r.key));
        if (sqliteLock != null) {
            sqliteLock.begin(c); // the write lock first: every statement below runs under it
        }
        ensurePeriods(c, reserveKeys);
        if (dialect == SqlDialect.POSTGRESQL) {
            if (!oneStatementFailed) {
                postgres.run(c, reserves, settles);
                return () -> { };
            }
            // A repeated reservation id: the step-by-step transaction admits it once.
            c.setAutoCommit(false);
            return transactReturning(c, reserves, settles);
        }

        boolean lockedAll = false;
        if (!settles.isEmpty() || reserveKeys.size() > 1) {
            TreeSet<BudgetKey> all = new TreeSet<>(reserveKeys);
            settles.forEach(s -> all.add(s.key));
            lockPeriods(c, all);
            lockedAll = true;
        }
        settleAll(c, settles);
        Map<BudgetKey, Long> reclaimed = new HashMap<>();
        Admission[] admissions = admitAll(c, reserves, reserveKeys, lockedAll, reclaimed);
        if (sqliteLock != null) {
            sqliteLock.commit(c);
        }
        return () -> {
            lastReclaimMs.putAll(reclaimed);
            for (Settle s : settles) {
                s.done.complete(Boolean.TRUE);
            }
            for (int i = 0; i < reserves.size(); i++) {
                reserves.get(i).done.complete(admissions[i]);
            }
        };
    }

    /**
     * PostgreSQL's transactional path, for a batch that repeats a reservation id (which
     * {@link PostgresBatch}'s statements refuse with a unique violation): step by step in one
     * transaction, every change to a counter derived from the rows the same statement changed
     * ({@code DELETE ... RETURNING}, {@code UPDATE ... RETURNING}); a repeated id is admitted once.
     */
    private Runnable transactReturning(Connection c, List<Reserve> reserves, List<Settle> settles)
            throws SQLException {
        int n = reserves.size();
        TreeMap<BudgetKey, PeriodWork> work = new TreeMap<>(KEY_ORDER);
        for (int i = 0; i < n; i++) {
            work.computeIfAbsent(reserves.get(i).key, k -> new PeriodWork()).reserves.add(i);
        }
        for (Settle s : settles) {
            work.computeIfAbsent(s.key, k -> new PeriodWork()).settles.putIfAbsent(s.id, s);
        }
        boolean[] admitted = new boolean[n];
        Map<BudgetKey, Long> reclaimedAt = new HashMap<>();
        Map<BudgetKey, long[]> figures = new HashMap<>();
        for (Map.Entry<BudgetKey, PeriodWork> entry : work.entrySet()) {
            BudgetKey key = entry.getKey();
            PeriodWork period = entry.getValue();
            long nowMs = Long.MIN_VALUE;
            List<Integer> candidates = new ArrayList<>();
            long sum = 0;
            long limit = Long.MAX_VALUE;
            for (int i : period.reserves) {
                Reserve r = reserves.get(i);
                nowMs = Math.max(nowMs, r.nowMs);
                if (r.amount <= r.limit) {
                    candidates.add(i);
                    sum = saturatedAdd(sum, r.amount);
                    limit = Math.min(limit, r.limit);
                }
            }
            if (!period.reserves.isEmpty()) {
                Long last = lastReclaimMs.get(key);
                if (last == null || nowMs - last >= reclaimIntervalMs) {
                    reclaimReturning(c, key, nowMs);
                    reclaimedAt.put(key, nowMs);
                }
            }
            boolean fits = sum <= limit;
            if (!period.settles.isEmpty()) {
                deleteReturning(c, key, period);
            }
            long[] together = candidates.isEmpty() || !fits ? null : settleAndAdmit(c, key, period, sum, limit);
            if (together != null) {
                candidates.forEach(i -> admitted[i] = true);
            }
            if (together != null && (fits || candidates.isEmpty())) {
                figures.put(key, together);
                continue;
            }
            applySettlement(c, key, period);
            admitOneByOne(c, reserves, candidates, admitted);
            boolean refused = candidates.stream().anyMatch(i -> !admitted[i]);
            if (refused && !reclaimedAt.containsKey(key)) {
                reclaimReturning(c, key, nowMs);
                reclaimedAt.put(key, nowMs);
                List<Integer> again = candidates.stream().filter(i -> !admitted[i]).toList();
                admitOneByOne(c, reserves, again, admitted);
            }
        }

        boolean[] toInsert = admitted.clone();
        boolean[] duplicate = insertReservations(c, reserves, toInsert);
        for (int i = 0; i < n; i++) {
            if (duplicate[i]) {
                admitted[i] = toInsert[i]; // a repeated id: admitted only if the existing one is open
            }
        }
        Admission[] admissions = new Admission[n];
        try (PreparedStatement read = c.prepareStatement(sql.readPeriod)) {
            for (Map.Entry<BudgetKey, PeriodWork> entry : work.entrySet()) {
                BudgetKey key = entry.getKey();
                List<Integer> indices = entry.getValue().reserves;
                if (indices.isEmpty()) {
                    continue;
                }
                long[] known = figures.get(key);
                if (known == null || indices.stream().anyMatch(i -> duplicate[i])) {
                    bindKey(read, 1, key);
                    try (ResultSet rs = read.executeQuery()) {
                        if (!rs.next()) {
                            knownPeriods.remove(key);
                            throw new SQLException("budget period row missing", "40001");
                        }
                        known = new long[] {rs.getLong(1), rs.getLong(2)};
                    }
                }
                long reserved = known[1];
                for (int j = indices.size() - 1; j >= 0; j--) {
                    int i = indices.get(j);
                    Reserve r = reserves.get(i);
                    admissions[i] = new Admission(admitted[i], known[0], Math.max(0, reserved), r.limit);
                    if (admitted[i] && !duplicate[i]) {
                        reserved -= r.amount;
                    }
                }
            }
        }
        return () -> {
            lastReclaimMs.putAll(reclaimedAt);
            for (Settle s : settles) {
                s.done.complete(Boolean.TRUE);
            }
            for (int i = 0; i < n; i++) {
                reserves.get(i).done.complete(admissions[i]);
            }
        };
    }

    /** Deletes the period's settled reservations and adds up what that changes. */
    private void deleteReturning(Connection c, BudgetKey key, PeriodWork period) throws SQLException {
        List<String> ids = new ArrayList<>(period.settles.keySet());
        for (int from = 0; from < ids.size(); from += 100) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 100));
            StringBuilder query = new StringBuilder("DELETE FROM ").append(sql.reservationTable)
                    .append(" WHERE scope = ? AND period = ? AND reservation_id IN (");
            for (int i = 0; i < chunk.size(); i++) {
                query.append(i == 0 ? "?" : ", ?");
            }
            query.append(") RETURNING reservation_id, amount_micros, expired");
            try (PreparedStatement ps = c.prepareStatement(query.toString())) {
                bindKey(ps, 1, key);
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(3 + i, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Settle s = period.settles.get(rs.getString(1));
                        if (s != null && !s.release) {
                            period.spentDelta = saturatedAdd(period.spentDelta, s.actual);
                        }
                        if (rs.getLong(3) == 0) {
                            period.reservedDelta += rs.getLong(2);
                        }
                    }
                }
            }
        }
    }

    private void applySettlement(Connection c, BudgetKey key, PeriodWork period) throws SQLException {
        if (period.spentDelta == 0 && period.reservedDelta == 0) {
            return;
        }
        try (PreparedStatement update = c.prepareStatement(sql.settlePeriod)) {
            update.setLong(1, period.spentDelta);
            update.setLong(2, period.reservedDelta);
            bindKey(update, 3, key);
            update.executeUpdate();
        }
        period.spentDelta = 0;
        period.reservedDelta = 0;
    }

    /** Settles and admits {@code sum} in one guarded write; returns [spent, reserved] or null if it does not fit. */
    private long @Nullable [] settleAndAdmit(Connection c, BudgetKey key, PeriodWork period, long sum, long limit)
            throws SQLException {
        long headroom = limit - sum;
        try (PreparedStatement ps = c.prepareStatement(sql.settleAndAdmitReturning)) {
            ps.setLong(1, period.spentDelta);
            ps.setLong(2, period.reservedDelta);
            ps.setLong(3, sum);
            bindKey(ps, 4, key);
            ps.setLong(6, period.spentDelta);
            ps.setLong(7, headroom);
            ps.setLong(8, period.reservedDelta);
            ps.setLong(9, headroom);
            ps.setLong(10, period.spentDelta);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                period.spentDelta = 0;
                period.reservedDelta = 0;
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    private void admitOneByOne(Connection c, List<Reserve> reserves, List<Integer> indices, boolean[] admitted)
            throws SQLException {
        if (indices.isEmpty()) {
            return;
        }
        try (PreparedStatement admit = c.prepareStatement(sql.admit)) {
            for (int i : indices) {
                bindAdmit(admit, reserves.get(i));
                admit.addBatch();
            }
            int[] counts = checkedCounts(admit.executeBatch(), indices.size());
            for (int j = 0; j < counts.length; j++) {
                admitted[indices.get(j)] = counts[j] > 0;
            }
        }
    }

    /** Marks ended leases and takes exactly the marked rows' amounts out of the counter. */
    private void reclaimReturning(Connection c, BudgetKey key, long nowMs) throws SQLException {
        long expirable = 0;
        try (PreparedStatement mark = c.prepareStatement(sql.markExpiredReturning)) {
            bindKey(mark, 1, key);
            mark.setLong(3, nowMs);
            try (ResultSet rs = mark.executeQuery()) {
                while (rs.next()) {
                    expirable += rs.getLong(1);
                }
            }
        }
        if (expirable > 0) {
            try (PreparedStatement subtract = c.prepareStatement(sql.subtractReserved)) {
                subtract.setLong(1, expirable);
                bindKey(subtract, 2, key);
                subtract.executeUpdate();
            }
        }
        try (PreparedStatement forget = c.prepareStatement(sql.deleteForgotten)) {
            bindKey(forget, 1, key);
            forget.setLong(3, nowMs - expiredRetentionMs);
            forget.executeUpdate();
        }
    }

    /** What one transaction does to one period. */
    private static final class PeriodWork {
        final List<Integer> reserves = new ArrayList<>();
        final LinkedHashMap<String, Settle> settles = new LinkedHashMap<>();
        long spentDelta;
        long reservedDelta;
    }

    /** Creates missing period rows in their own short transaction (only the first time a key is seen). */
    private void ensurePeriods(Connection c, Collection<BudgetKey> keys) throws SQLException {
        List<BudgetKey> missing = new ArrayList<>();
        for (BudgetKey key : keys) {
            if (!knownPeriods.contains(key)) {
                missing.add(key);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql.ensurePeriod)) {
            for (BudgetKey key : missing) {
                bindKey(ps, 1, key);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
        if (knownPeriods.size() > 10_000) {
            knownPeriods.clear();
        }
        knownPeriods.addAll(missing);
    }

    /** Locks the period rows in key order; returns the keys whose row does not exist. */
    private List<BudgetKey> lockPeriods(Connection c, Collection<BudgetKey> keys) throws SQLException {
        List<BudgetKey> absent = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.lockPeriod)) {
            for (BudgetKey key : keys) {
                bindKey(ps, 1, key);
                ps.addBatch();
            }
            int[] counts = checkedCounts(ps.executeBatch(), keys.size());
            int i = 0;
            for (BudgetKey key : keys) {
                if (counts[i++] == 0) {
                    absent.add(key);
                }
            }
        }
        return absent;
    }

    private void settleAll(Connection c, List<Settle> settles) throws SQLException {
        if (settles.isEmpty()) {
            return;
        }
        Map<BudgetKey, LinkedHashMap<String, Settle>> byKey = new TreeMap<>(KEY_ORDER);
        for (Settle s : settles) {
            // The first operation on an id wins; a repeat in the same batch is a no-op, as it would be later.
            byKey.computeIfAbsent(s.key, k -> new LinkedHashMap<>()).putIfAbsent(s.id, s);
        }
        try (PreparedStatement delete = c.prepareStatement(sql.deleteReservation);
             PreparedStatement update = c.prepareStatement(sql.settlePeriod)) {
            int deletes = 0;
            int updates = 0;
            for (Map.Entry<BudgetKey, LinkedHashMap<String, Settle>> entry : byKey.entrySet()) {
                BudgetKey key = entry.getKey();
                Map<String, long[]> found = readReservations(c, key, entry.getValue().keySet());
                long spentDelta = 0;
                long reservedDelta = 0;
                for (Settle s : entry.getValue().values()) {
                    long[] row = found.get(s.id);
                    if (row == null) {
                        continue;
                    }
                    if (!s.release) {
                        spentDelta = saturatedAdd(spentDelta, s.actual);
                    }
                    if (row[1] == 0) {
                        reservedDelta += row[0];
                    }
                    bindKey(delete, 1, key);
                    delete.setString(3, s.id);
                    delete.addBatch();
                    deletes++;
                }
                if (spentDelta != 0 || reservedDelta != 0) {
                    update.setLong(1, spentDelta);
                    update.setLong(2, reservedDelta);
                    bindKey(update, 3, key);
                    update.addBatch();
                    updates++;
                }
            }
            if (deletes > 0) {
                delete.executeBatch();
            }
            if (updates > 0) {
                update.executeBatch();
            }
        }
    }

    /** Reads {@code id -> [amount, expired]} for the given reservation ids of one period. */
    private Map<String, long[]> readReservations(Connection c, BudgetKey key, Collection<String> ids)
            throws SQLException {
        Map<String, long[]> found = new HashMap<>();
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += 100) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + 100));
            StringBuilder query = new StringBuilder("SELECT reservation_id, amount_micros, expired FROM ")
                    .append(sql.reservationTable)
                    .append(" WHERE scope = ? AND period = ? AND reservation_id IN (");
            for (int i = 0; i < chunk.size(); i++) {
                query.append(i == 0 ? "?" : ", ?");
            }
            query.append(')');
            try (PreparedStatement ps = c.prepareStatement(query.toString())) {
                bindKey(ps, 1, key);
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(3 + i, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                    }
                }
            }
        }
        return found;
    }

    private Admission[] admitAll(Connection c, List<Reserve> reserves, Set<BudgetKey> keys, boolean lockedAll,
                                 Map<BudgetKey, Long> reclaimedAt) throws SQLException {
        int n = reserves.size();
        Admission[] admissions = new Admission[n];
        if (n == 0) {
            return admissions;
        }
        boolean[] admitted = new boolean[n];
        try (PreparedStatement admit = c.prepareStatement(sql.admit)) {
            List<Integer> attempted = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Reserve r = reserves.get(i);
                if (r.amount <= r.limit) {
                    bindAdmit(admit, r);
                    admit.addBatch();
                    attempted.add(i);
                }
            }
            if (!attempted.isEmpty()) {
                int[] counts = checkedCounts(admit.executeBatch(), attempted.size());
                for (int j = 0; j < counts.length; j++) {
                    admitted[attempted.get(j)] = counts[j] > 0;
                }
            }

            // Reclaim expired leases where something was refused, and now and then everywhere.
            Map<BudgetKey, Long> latestNow = new TreeMap<>(KEY_ORDER);
            for (Reserve r : reserves) {
                latestNow.merge(r.key, r.nowMs, Math::max);
            }
            TreeSet<BudgetKey> reclaim = new TreeSet<>(KEY_ORDER);
            for (int i = 0; i < n; i++) {
                Reserve r = reserves.get(i);
                if (!admitted[i] && r.amount <= r.limit) {
                    reclaim.add(r.key);
                }
            }
            for (BudgetKey key : keys) {
                Long last = lastReclaimMs.get(key);
                if (last == null || nowOf(latestNow, key) - last >= reclaimIntervalMs) {
                    reclaim.add(key);
                }
            }
            if (!reclaim.isEmpty()) {
                if (!lockedAll) {
                    List<BudgetKey> absent = lockPeriods(c, reclaim);
                    if (!absent.isEmpty()) {
                        // Rows removed behind our back (tables recreated): create them and admit again.
                        knownPeriods.removeAll(absent);
                        throw new SQLException("budget period rows missing", "40001");
                    }
                }
                for (BudgetKey key : reclaim) {
                    long nowMs = nowOf(latestNow, key);
                    reclaimExpired(c, key, nowMs);
                    reclaimedAt.put(key, nowMs);
                }
                for (int i = 0; i < n; i++) {
                    Reserve r = reserves.get(i);
                    if (!admitted[i] && r.amount <= r.limit && reclaim.contains(r.key)) {
                        bindAdmit(admit, r);
                        admitted[i] = admit.executeUpdate() > 0;
                    }
                }
            }
        }

        boolean[] duplicate = insertReservations(c, reserves, admitted);

        // Report each decision with the period's state: read once per key, then step back
        // through the later admissions of the batch.
        try (PreparedStatement read = c.prepareStatement(sql.readPeriod)) {
            for (BudgetKey key : keys) {
                bindKey(read, 1, key);
                long spent;
                long reserved;
                try (ResultSet rs = read.executeQuery()) {
                    if (!rs.next()) {
                        knownPeriods.remove(key);
                        throw new SQLException("budget period row missing", "40001");
                    }
                    spent = rs.getLong(1);
                    reserved = rs.getLong(2);
                }
                for (int i = n - 1; i >= 0; i--) {
                    Reserve r = reserves.get(i);
                    if (!r.key.equals(key)) {
                        continue;
                    }
                    admissions[i] = new Admission(admitted[i], spent, Math.max(0, reserved), r.limit);
                    if (admitted[i] && !duplicate[i]) {
                        reserved -= r.amount;
                    }
                }
            }
        }
        return admissions;
    }

    private void bindAdmit(PreparedStatement admit, Reserve r) throws SQLException {
        long headroom = r.limit - r.amount;
        admit.setLong(1, r.amount);
        bindKey(admit, 2, r.key);
        admit.setLong(4, headroom);
        admit.setLong(5, headroom);
    }

    /**
     * Inserts the admitted reservations. An id that already exists (a repeated reserve) is not
     * counted twice: its counter increment is undone and it is reported admitted only if the
     * existing reservation is still open.
     */
    private boolean[] insertReservations(Connection c, List<Reserve> reserves, boolean[] admitted)
            throws SQLException {
        int n = reserves.size();
        boolean[] duplicate = new boolean[n];
        List<Integer> inserted = new ArrayList<>(n);
        try (PreparedStatement insert = c.prepareStatement(sql.insertReservation)) {
            for (int i = 0; i < n; i++) {
                if (!admitted[i]) {
                    continue;
                }
                Reserve r = reserves.get(i);
                bindKey(insert, 1, r.key);
                insert.setString(3, r.id);
                insert.setLong(4, r.amount);
                insert.setLong(5, r.leaseUntilMs);
                insert.addBatch();
                inserted.add(i);
            }
            if (inserted.isEmpty()) {
                return duplicate;
            }
            int[] counts = checkedCounts(insert.executeBatch(), inserted.size());
            for (int j = 0; j < counts.length; j++) {
                if (counts[j] == 0) {
                    duplicate[inserted.get(j)] = true;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!duplicate[i]) {
                continue;
            }
            Reserve r = reserves.get(i);
            try (PreparedStatement undo = c.prepareStatement(sql.subtractReserved);
                 PreparedStatement read = c.prepareStatement(sql.readReservation)) {
                undo.setLong(1, r.amount);
                bindKey(undo, 2, r.key);
                undo.executeUpdate();
                bindKey(read, 1, r.key);
                read.setString(3, r.id);
                try (ResultSet rs = read.executeQuery()) {
                    admitted[i] = rs.next() && rs.getLong(2) == 0 && rs.getLong(3) > r.nowMs;
                }
            }
        }
        return duplicate;
    }

    /** Stops counting leases that ended at {@code nowMs} and forgets those past the retention. */
    private void reclaimExpired(Connection c, BudgetKey key, long nowMs) throws SQLException {
        long expirable;
        try (PreparedStatement sum = c.prepareStatement(sql.sumExpirable)) {
            bindKey(sum, 1, key);
            sum.setLong(3, nowMs);
            try (ResultSet rs = sum.executeQuery()) {
                rs.next();
                expirable = rs.getLong(1);
            }
        }
        if (expirable > 0) {
            try (PreparedStatement mark = c.prepareStatement(sql.markExpired);
                 PreparedStatement subtract = c.prepareStatement(sql.subtractReserved)) {
                bindKey(mark, 1, key);
                mark.setLong(3, nowMs);
                mark.executeUpdate();
                subtract.setLong(1, expirable);
                bindKey(subtract, 2, key);
                subtract.executeUpdate();
            }
            LOG.debug("{} reclaimed {} micro-USD of ended leases in {}", storeName, expirable, key);
        }
        try (PreparedStatement forget = c.prepareStatement(sql.deleteForgotten)) {
            bindKey(forget, 1, key);
            forget.setLong(3, nowMs - expiredRetentionMs);
            forget.executeUpdate();
        }
    }

    private static int[] checkedCounts(int[] counts, int expected) throws SQLException {
        if (counts.length != expected) {
            throw new SQLException("the JDBC driver returned " + counts.length + " update counts for "
                    + expected + " statements");
        }
        for (int count : counts) {
            if (count < 0) {
                throw new SQLException("the JDBC driver returned no update count for a batched statement;"
                        + " disable bulk batch statements in its settings (MariaDB: useBulkStmts=false)");
            }
        }
        return counts;
    }

    private static void bindKey(PreparedStatement ps, int index, BudgetKey key) throws SQLException {
        ps.setString(index, key.scope());
        ps.setString(index + 1, key.period());
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private Connection connection() throws SQLException {
        Connection c = connection;
        if (c == null) {
            c = dataSource.getConnection();
            try {
                c.setAutoCommit(true);
                timeouts.apply(c); // before the first transaction: a rollback must not undo them
                if (sqliteLock != null) {
                    sqliteLock.newConnection(); // transactions by BEGIN IMMEDIATE ... COMMIT, auto-commit on
                } else {
                    c.setAutoCommit(false);
                }
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            connection = c;
        }
        return c;
    }

    private void rollbackQuietly() {
        Connection c = connection;
        if (c != null) {
            try {
                if (sqliteLock != null) {
                    sqliteLock.rollback(c);
                } else if (!c.getAutoCommit()) {
                    c.rollback();
                }
            } catch (SQLException e) {
                discardConnection();
            }
        }
    }

    private void releaseConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                if (!c.getAutoCommit()) {
                    c.rollback();
                    c.setAutoCommit(true);
                }
                timeouts.reset(c);
            } catch (SQLException e) {
                LOG.debug("{} could not return its connection cleanly: {}", storeName, e.getMessage());
            } finally {
                try {
                    c.close();
                } catch (SQLException e) {
                    LOG.debug("{} could not close its connection: {}", storeName, e.getMessage());
                }
            }
        }
    }

    private void discardConnection() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("{} could not close a failed connection: {}", storeName, e.getMessage());
            }
        }
    }

    private void failAll(List<Op> batch, BudgetStoreException error) {
        for (Op op : batch) {
            op.done.completeExceptionally(error);
        }
    }

    private void failPending() {
        List<Op> pending = new ArrayList<>();
        queue.drainTo(pending);
        failAll(pending, new BudgetStoreException(storeName + " is closed; build a new store", null));
    }

    /** Stops the writer after the batch in progress; operations still queued fail. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(operationTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failPending();
    }

    /** One queued operation and the caller waiting for it. */
    abstract static class Op {
        final BudgetKey key;
        final String id;
        final CompletableFuture<Object> done = new CompletableFuture<>();

        Op(BudgetKey key, String id) {
            this.key = key;
            this.id = id;
        }
    }

    static final class Reserve extends Op {
        final long amount;
        final long limit;
        final long nowMs;
        final long leaseUntilMs;

        Reserve(BudgetKey key, String id, long amount, long limit, long nowMs, long leaseUntilMs) {
            super(key, id);
            this.amount = amount;
            this.limit = limit;
            this.nowMs = nowMs;
            this.leaseUntilMs = leaseUntilMs;
        }
    }

    static final class Settle extends Op {
        final long actual;
        final boolean release;

        Settle(BudgetKey key, String id, long actual, boolean release) {
            super(key, id);
            this.actual = actual;
            this.release = release;
        }
    }

    private static long nowOf(Map<BudgetKey, Long> latestNow, BudgetKey key) {
        return Objects.requireNonNull(latestNow.get(key), "every reclaimed key has a time");
    }
}
