package io.opskit.db.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;

/**
 * JDK dynamic proxies over {@link Connection}, {@link Statement} (and its prepared and callable
 * kinds) and {@link ResultSet} that time every execution through a {@link StatementRecorder}.
 *
 * <p>What is timed: {@code executeQuery} from the call until its result set is closed (so the
 * time to read the rows counts, with the rows read); {@code execute} likewise when it yields a
 * result set, else until it returns, with the update count; {@code executeUpdate} and
 * {@code executeLargeUpdate} with the rows changed; {@code executeBatch} and
 * {@code executeLargeBatch} as one statement with the sum of the rows changed. A result set never
 * closed is recorded when its statement closes. Parameter setters pass straight through: values
 * are never read.
 */
public final class TimingProxies {

    private static final Class<?>[] CONNECTION = {Connection.class};
    private static final Class<?>[] STATEMENT = {Statement.class};
    private static final Class<?>[] PREPARED = {PreparedStatement.class};
    private static final Class<?>[] CALLABLE = {CallableStatement.class};
    private static final Class<?>[] RESULT_SET = {ResultSet.class};

    private TimingProxies() {
    }

    /** A timed view of {@code connection}. */
    public static Connection connection(Connection connection, StatementRecorder recorder) {
        ConnectionHandler handler = new ConnectionHandler(connection, recorder);
        Connection proxy = (Connection) Proxy.newProxyInstance(TimingProxies.class.getClassLoader(), CONNECTION, handler);
        handler.proxy = proxy;
        return proxy;
    }

    static Object invoke(Object target, Method method, Object @Nullable [] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The first argument of a JDBC method that has one (a proxy is called with null only for none). */
    static Object first(Object @Nullable [] args) {
        return java.util.Objects.requireNonNull(args, "arguments")[0];
    }

    static @Nullable Object common(Object proxy, Object target, Method method, Object @Nullable [] args) throws Throwable {
        switch (method.getName()) {
            case "unwrap": {
                Class<?> iface = (Class<?>) first(args);
                return iface.isInstance(target) ? target : ((java.sql.Wrapper) target).unwrap(iface);
            }
            case "isWrapperFor": {
                Class<?> iface = (Class<?>) first(args);
                return iface.isInstance(target) || ((java.sql.Wrapper) target).isWrapperFor(iface);
            }
            case "equals":
                return proxy == first(args);
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "Timed[" + target + "]";
            default:
                return NOT_COMMON;
        }
    }

    static final Object NOT_COMMON = new Object();

    private static final class ConnectionHandler implements InvocationHandler {
        private final Connection target;
        private final StatementRecorder recorder;
        @Nullable Connection proxy;

        ConnectionHandler(Connection target, StatementRecorder recorder) {
            this.target = target;
            this.recorder = recorder;
        }

        @Override
        public @Nullable Object invoke(Object self, Method method, Object @Nullable [] args) throws Throwable {
            switch (method.getName()) {
                case "createStatement":
                    return statement((Statement) TimingProxies.invoke(target, method, args), null, STATEMENT);
                case "prepareStatement":
                    return statement((Statement) TimingProxies.invoke(target, method, args), (String) first(args), PREPARED);
                case "prepareCall":
                    return statement((Statement) TimingProxies.invoke(target, method, args), (String) first(args), CALLABLE);
                default:
                    Object common = common(self, target, method, args);
                    return common != NOT_COMMON ? common : TimingProxies.invoke(target, method, args);
            }
        }

        private Object statement(Statement statement, @Nullable String sql, Class<?>[] kind) {
            StatementHandler handler = new StatementHandler(statement, sql, recorder, proxy);
            Object p = Proxy.newProxyInstance(TimingProxies.class.getClassLoader(), kind, handler);
            handler.proxy = (Statement) p;
            return p;
        }
    }

    private static final class StatementHandler implements InvocationHandler {
        private final Statement target;
        private final @Nullable String preparedSql;
        private final StatementRecorder recorder;
        private final @Nullable Connection connection;
        @Nullable Statement proxy;
        private @Nullable String batchSql;
        private @Nullable StatementSeries pendingSeries;
        private long pendingStart;
        private @Nullable ResultSetHandler open;

        StatementHandler(Statement target, @Nullable String preparedSql, StatementRecorder recorder,
                         @Nullable Connection connection) {
            this.target = target;
            this.preparedSql = preparedSql;
            this.recorder = recorder;
            this.connection = connection;
        }

        @Override
        public @Nullable Object invoke(Object self, Method method, Object @Nullable [] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "executeQuery": {
                    finishPending();
                    StatementSeries series = recorder.seriesFor(sqlOf(args));
                    long start = recorder.now();
                    ResultSet rs;
                    try {
                        rs = (ResultSet) TimingProxies.invoke(target, method, args);
                    } catch (Throwable t) {
                        recorder.record(series, start, -1, true);
                        throw t;
                    }
                    return resultSet(rs, series, start);
                }
                case "executeUpdate":
                case "executeLargeUpdate": {
                    finishPending();
                    StatementSeries series = recorder.seriesFor(sqlOf(args));
                    long start = recorder.now();
                    Object rows;
                    try {
                        rows = TimingProxies.invoke(target, method, args);
                    } catch (Throwable t) {
                        recorder.record(series, start, -1, true);
                        throw t;
                    }
                    recorder.record(series, start, ((Number) rows).longValue(), false);
                    return rows;
                }
                case "execute": {
                    finishPending();
                    StatementSeries series = recorder.seriesFor(sqlOf(args));
                    long start = recorder.now();
                    Object hasResultSet;
                    try {
                        hasResultSet = TimingProxies.invoke(target, method, args);
                    } catch (Throwable t) {
                        recorder.record(series, start, -1, true);
                        throw t;
                    }
                    if ((Boolean) hasResultSet) {
                        pendingSeries = series;
                        pendingStart = start;
                    } else {
                        recorder.record(series, start, target.getUpdateCount(), false);
                    }
                    return hasResultSet;
                }
                case "getResultSet": {
                    ResultSet rs = (ResultSet) TimingProxies.invoke(target, method, args);
                    StatementSeries series = pendingSeries;
                    if (rs == null || series == null) {
                        return rs;
                    }
                    pendingSeries = null;
                    return resultSet(rs, series, pendingStart);
                }
                case "addBatch":
                    if (args != null && args.length == 1 && batchSql == null) {
                        batchSql = (String) first(args);
                    }
                    return TimingProxies.invoke(target, method, args);
                case "clearBatch":
                    batchSql = null;
                    return TimingProxies.invoke(target, method, args);
                case "executeBatch":
                case "executeLargeBatch": {
                    finishPending();
                    StatementSeries series = recorder.seriesFor(preparedSql != null ? preparedSql : batchSql);
                    batchSql = null;
                    long start = recorder.now();
                    Object counts;
                    try {
                        counts = TimingProxies.invoke(target, method, args);
                    } catch (Throwable t) {
                        recorder.record(series, start, -1, true);
                        throw t;
                    }
                    recorder.record(series, start, sum(counts), false);
                    return counts;
                }
                case "close":
                    finishPending();
                    return TimingProxies.invoke(target, method, args);
                case "getConnection":
                    return connection != null ? connection : TimingProxies.invoke(target, method, args);
                default:
                    Object common = common(self, target, method, args);
                    return common != NOT_COMMON ? common : TimingProxies.invoke(target, method, args);
            }
        }

        private @Nullable String sqlOf(Object @Nullable [] args) {
            if (args != null && args.length > 0 && args[0] instanceof String s) {
                return s;
            }
            return preparedSql;
        }

        private void finishPending() {
            ResultSetHandler last = open;
            if (last != null) {
                open = null;
                last.recordOnce();
            }
            StatementSeries series = pendingSeries;
            if (series != null) {
                pendingSeries = null;
                recorder.record(series, pendingStart, -1, false);
            }
        }

        private Object resultSet(ResultSet rs, StatementSeries series, long start) {
            ResultSetHandler handler = new ResultSetHandler(rs, series, start, recorder, proxy);
            open = handler;
            return Proxy.newProxyInstance(TimingProxies.class.getClassLoader(), RESULT_SET, handler);
        }

        private static long sum(Object counts) {
            long total = 0;
            if (counts instanceof int[] ints) {
                for (int c : ints) {
                    total += Math.max(c, 0);
                }
            } else if (counts instanceof long[] longs) {
                for (long c : longs) {
                    total += Math.max(c, 0);
                }
            }
            return total;
        }
    }

    private static final class ResultSetHandler implements InvocationHandler {
        private final ResultSet target;
        private final StatementSeries series;
        private final long start;
        private final StatementRecorder recorder;
        private final @Nullable Statement statement;
        private long rows;
        private boolean recorded;

        ResultSetHandler(ResultSet target, StatementSeries series, long start, StatementRecorder recorder,
                         @Nullable Statement statement) {
            this.target = target;
            this.series = series;
            this.start = start;
            this.recorder = recorder;
            this.statement = statement;
        }

        void recordOnce() {
            if (!recorded) {
                recorded = true;
                recorder.record(series, start, rows, false);
            }
        }

        @Override
        public @Nullable Object invoke(Object self, Method method, Object @Nullable [] args) throws Throwable {
            switch (method.getName()) {
                case "next": {
                    boolean more = target.next();
                    if (more) {
                        rows++;
                    }
                    return more;
                }
                case "close":
                    try {
                        target.close();
                    } finally {
                        recordOnce();
                    }
                    return null;
                case "getStatement":
                    return statement != null ? statement : target.getStatement();
                default:
                    Object common = common(self, target, method, args);
                    return common != NOT_COMMON ? common : TimingProxies.invoke(target, method, args);
            }
        }
    }
}
