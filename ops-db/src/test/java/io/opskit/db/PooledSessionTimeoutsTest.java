package io.opskit.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.task.TaskContext;
import io.opskit.db.diagnostics.LongRunningQueryGuard;
import io.opskit.db.tasks.MaintenanceKind;
import io.opskit.db.tasks.RetentionRule;
import io.opskit.db.tasks.RetentionTask;
import io.opskit.testsupport.TestDatabase;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the tasks, the report and the guard set their statement and lock timeouts on the
 * session and left them there, so a pooled connection went back to the host with a 2 s
 * {@code lock_timeout} (or a SQLite {@code busy_timeout} of 2 s) after a retention run.
 */
class PooledSessionTimeoutsTest {

    @TempDir
    Path dir;

    /** A pool of one: every getConnection() hands out the same session, and close() only returns it. */
    private static DataSource poolOfOne(Connection shared, AtomicInteger handedOut) {
        Connection returning = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (p, m, a) -> switch (m.getName()) {
                    case "close" -> null;
                    case "isClosed" -> false;
                    default -> m.invoke(shared, a);
                });
        DataSource base = TestDatabase.dataSource("jdbc:unused:");
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (p, m, a) -> {
                    if (m.getName().equals("getConnection")) {
                        handedOut.incrementAndGet();
                        return returning;
                    }
                    return m.invoke(base, a);
                });
    }

    private static List<String> values(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.add(rs.getString(i));
            }
            return out;
        }
    }

    private static void runEverything(DataSource pool, MaintenanceKind analyze) throws Exception {
        TaskContext context = TaskContext.standalone("t", Duration.ofMinutes(1), Clock.systemUTC());
        RetentionTask retention = OpsDb.retention(pool, RetentionRule.table("drafts")
                .olderThan("created_at", Duration.ofDays(30)).timeFormat(RetentionRule.TimeFormat.EPOCH_MILLIS).delete()).build();
        retention.run(context);
        retention.plan();
        OpsDb.maintenance(pool, analyze).build().run(context);
        OpsDb.diagnose(pool);
        LongRunningQueryGuard.builder(pool).limit(Duration.ofMinutes(5)).build().sweep();
    }

    @Test
    void postgresPooledSession_afterRetentionMaintenanceReportAndGuard_keepsItsOwnTimeouts() throws Exception {
        try (TestDatabase db = TestDatabase.postgres(); Connection shared = db.connect()) {
            db.exec("CREATE TABLE drafts(id bigint PRIMARY KEY, created_at bigint NOT NULL)");
            try (Statement s = shared.createStatement()) {
                s.execute("SET lock_timeout = '7s'");
                s.execute("SET statement_timeout = '0'");
            }
            AtomicInteger handedOut = new AtomicInteger();
            runEverything(poolOfOne(shared, handedOut), MaintenanceKind.POSTGRES_ANALYZE);
            assertThat(handedOut.get()).isGreaterThanOrEqualTo(5);
            assertThat(values(shared, "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"))
                    .containsExactly("7s", "0");
        }
    }

    @Test
    void sqlitePooledSession_afterRetentionMaintenanceAndReport_keepsItsBusyTimeout() throws Exception {
        TestDatabase db = TestDatabase.sqlite(dir);
        try (Connection shared = db.connect()) {
            try (Statement s = shared.createStatement()) {
                s.execute("CREATE TABLE drafts(id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL)");
                s.execute("PRAGMA busy_timeout = 5000");
            }
            TaskContext context = TaskContext.standalone("t", Duration.ofMinutes(1), Clock.systemUTC());
            DataSource pool = poolOfOne(shared, new AtomicInteger());
            OpsDb.retention(pool, RetentionRule.table("drafts").olderThan("created_at", Duration.ofDays(30))
                    .timeFormat(RetentionRule.TimeFormat.EPOCH_MILLIS).delete()).build().run(context);
            OpsDb.maintenance(pool, MaintenanceKind.SQLITE_ANALYZE).build().run(context);
            OpsDb.diagnose(pool);
            assertThat(values(shared, "PRAGMA busy_timeout")).containsExactly("5000");
        }
    }

    @Test
    void mariadbPooledSession_afterRetentionMaintenanceReportAndGuard_keepsItsOwnTimeouts() throws Exception {
        try (TestDatabase db = TestDatabase.mariadb(); Connection shared = db.connect()) {
            db.exec("CREATE TABLE drafts(id bigint PRIMARY KEY, created_at bigint NOT NULL)");
            try (Statement s = shared.createStatement()) {
                s.execute("SET SESSION innodb_lock_wait_timeout = 17");
                s.execute("SET SESSION max_statement_time = 0");
            }
            runEverything(poolOfOne(shared, new AtomicInteger()), MaintenanceKind.MARIADB_ANALYZE);
            assertThat(values(shared, "SELECT @@SESSION.innodb_lock_wait_timeout, @@SESSION.max_statement_time"))
                    .containsExactly("17", "0.000000");
        }
    }
}
