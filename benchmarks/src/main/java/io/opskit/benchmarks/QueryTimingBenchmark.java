package io.opskit.benchmarks;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opskit.db.DbSystem;
import io.opskit.db.OpsDb;
import io.opskit.db.TimedDataSource;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A trivial query ({@code SELECT 1}, prepared once, executed, read and closed per operation) on an
 * in-memory SQLite connection: raw, through Opskit's {@link TimedDataSource} (fingerprinted series,
 * histogram timer), and through datasource-proxy with a Micrometer listener written the usual way
 * (a timer looked up per query from the registry, elapsed time from the listener). The overhead
 * per statement is each method's time minus {@code raw}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueryTimingBenchmark {

    private Connection rawConnection;
    private PreparedStatement raw;
    private PreparedStatement opskit;
    private PreparedStatement datasourceProxy;

    /** A data source that always hands out the same connection and never closes it. */
    private static DataSource single(Connection c) {
        Connection nonClosing = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (p, m, a) -> "close".equals(m.getName()) ? null : m.invoke(c, a));
        return new DataSource() {
            public Connection getConnection() { return nonClosing; }
            public Connection getConnection(String u, String p) { return nonClosing; }
            public PrintWriter getLogWriter() { return null; }
            public void setLogWriter(PrintWriter out) { }
            public void setLoginTimeout(int seconds) { }
            public int getLoginTimeout() { return 0; }
            public Logger getParentLogger() { return Logger.getGlobal(); }
            public <T> T unwrap(Class<T> iface) throws SQLException { throw new SQLException("no"); }
            public boolean isWrapperFor(Class<?> iface) { return false; }
        };
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        rawConnection = DriverManager.getConnection("jdbc:sqlite::memory:");
        raw = rawConnection.prepareStatement("SELECT 1");

        TimedDataSource timed = OpsDb.timed(single(rawConnection)).dbSystem(DbSystem.SQLITE)
                .meterRegistry(new SimpleMeterRegistry()).build();
        opskit = timed.getConnection().prepareStatement("SELECT 1");

        MeterRegistry registry = new SimpleMeterRegistry();
        QueryExecutionListener listener = new QueryExecutionListener() {
            @Override
            public void beforeQuery(ExecutionInfo execInfo, List<QueryInfo> queryInfoList) {
            }

            @Override
            public void afterQuery(ExecutionInfo execInfo, List<QueryInfo> queryInfoList) {
                registry.timer("jdbc.query", "type", execInfo.getStatementType().name(),
                                "success", Boolean.toString(execInfo.isSuccess()))
                        .record(execInfo.getElapsedTime(), TimeUnit.MILLISECONDS);
            }
        };
        DataSource proxied = ProxyDataSourceBuilder.create(single(rawConnection)).listener(listener).build();
        datasourceProxy = proxied.getConnection().prepareStatement("SELECT 1");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        rawConnection.close();
    }

    private static int run(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Benchmark
    public int raw() throws SQLException {
        return run(raw);
    }

    @Benchmark
    public int opskit() throws SQLException {
        return run(opskit);
    }

    @Benchmark
    public int datasourceProxy() throws SQLException {
        return run(datasourceProxy);
    }
}
