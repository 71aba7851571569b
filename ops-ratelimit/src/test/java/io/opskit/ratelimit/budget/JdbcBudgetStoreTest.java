package io.opskit.ratelimit.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStoreException;
import io.opskit.api.budget.BudgetUsage;
import io.opskit.testsupport.TestDatabase;
import io.opskit.testsupport.TestDatabase.Kind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JdbcBudgetStoreTest {

    private static final BudgetKey KEY = new BudgetKey("openai/gpt-4o/day", "2026-11-21");
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final Instant LEASE = NOW.plusSeconds(60);
    private static final Map<Kind, TestDatabase> DATABASES = new EnumMap<>(Kind.class);
    private static final Map<Kind, DataSource> POOLS = new EnumMap<>(Kind.class);

    private static synchronized DataSource pool(Kind kind) {
        return POOLS.computeIfAbsent(kind, k -> {
            TestDatabase db = TestDatabase.create(k);
            DATABASES.put(k, db);
            return TestPools.newPool(db, 4);
        });
    }

    @AfterAll
    static void dropDatabases() throws Exception {
        for (TestDatabase db : DATABASES.values()) {
            db.close();
        }
    }

    private static JdbcBudgetStore store(Kind kind) {
        return JdbcBudgetStore.builder(pool(kind)).tablePrefix(TestDatabase.uniquePrefix())
                .createSchemaOnStart(true).build();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reserve_fitsThenOverflows_admitsThenRefuses(Kind kind) {
        try (JdbcBudgetStore store = store(kind)) {
            Admission first = store.reserve(KEY, "a", 600, 1_000, NOW, LEASE);
            Admission second = store.reserve(KEY, "b", 401, 1_000, NOW, LEASE);
            Admission third = store.reserve(KEY, "c", 400, 1_000, NOW, LEASE);

            assertThat(first).isEqualTo(new Admission(true, 0, 600, 1_000));
            assertThat(second).isEqualTo(new Admission(false, 0, 600, 1_000));
            assertThat(third).isEqualTo(new Admission(true, 0, 1_000, 1_000));
            assertThat(store.usage(KEY, NOW)).isEqualTo(new BudgetUsage(KEY, 0, 1_000));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reserve_amountAboveLimitOrHuge_refusesWithoutOverflow(Kind kind) {
        try (JdbcBudgetStore store = store(kind)) {
            store.reserve(KEY, "a", 10, 1_000, NOW, LEASE);

            assertThat(store.reserve(KEY, "b", Long.MAX_VALUE, 1_000, NOW, LEASE).admitted()).isFalse();
            assertThat(store.reserve(KEY, "c", Long.MAX_VALUE - 5, Long.MAX_VALUE, NOW, LEASE).admitted()).isFalse();
            assertThat(store.reserve(KEY, "d", Long.MAX_VALUE - 10, Long.MAX_VALUE, NOW, LEASE).admitted()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reconcile_recordsExactSpend_andIsIdempotent(Kind kind) {
        try (JdbcBudgetStore store = store(kind)) {
            store.reserve(KEY, "a", 600, 1_000, NOW, LEASE);

            store.reconcile(KEY, "a", 250, NOW);
            store.reconcile(KEY, "a", 250, NOW);

            assertThat(store.usage(KEY, NOW)).isEqualTo(new BudgetUsage(KEY, 250, 0));
            assertThat(store.reserve(KEY, "b", 751, 1_000, NOW, LEASE).admitted()).isFalse();
            assertThat(store.reserve(KEY, "c", 750, 1_000, NOW, LEASE).admitted()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void release_freesBudget_andUnknownIdsAreNoOps(Kind kind) {
        try (JdbcBudgetStore store = store(kind)) {
            store.reserve(KEY, "a", 1_000, 1_000, NOW, LEASE);

            store.release(KEY, "a");
            store.release(KEY, "a");
            store.release(KEY, "never-reserved");
            store.reconcile(new BudgetKey("other", "2026-11"), "x", 5, NOW);

            assertThat(store.usage(KEY, NOW)).isEqualTo(new BudgetUsage(KEY, 0, 0));
            assertThat(store.reserve(KEY, "b", 1_000, 1_000, NOW, LEASE).admitted()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reserve_sameIdTwice_countsOnce(Kind kind) {
        try (JdbcBudgetStore store = store(kind)) {
            store.reserve(KEY, "a", 600, 1_000, NOW, LEASE);

            Admission again = store.reserve(KEY, "a", 300, 1_000, NOW, LEASE);

            assertThat(again.admitted()).isTrue();
            assertThat(store.usage(KEY, NOW).reservedMicros()).isEqualTo(600);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reserve_afterLeaseEnded_reclaimsAndAdmits(Kind kind) {
        try (JdbcBudgetStore store = store(kind)) {
            store.reserve(KEY, "crashed", 1_000, 1_000, NOW, LEASE);
            assertThat(store.reserve(KEY, "early", 1, 1_000, LEASE.minusMillis(1), LEASE.plusSeconds(60)).admitted())
                    .isFalse();
            assertThat(store.usage(KEY, LEASE)).isEqualTo(new BudgetUsage(KEY, 0, 0));

            Admission afterLease = store.reserve(KEY, "b", 1_000, 1_000, LEASE, LEASE.plusSeconds(60));

            assertThat(afterLease).isEqualTo(new Admission(true, 0, 1_000, 1_000));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reconcile_afterLeaseEndedAndReclaimed_stillRecordsSpendOnce(Kind kind) {
        try (JdbcBudgetStore store = store(kind)) {
            store.reserve(KEY, "slow", 800, 1_000, NOW, LEASE);
            store.reserve(KEY, "next", 900, 1_000, LEASE, LEASE.plusSeconds(60));

            store.reconcile(KEY, "slow", 700, LEASE.plusSeconds(1));

            assertThat(store.usage(KEY, LEASE.plusSeconds(1))).isEqualTo(new BudgetUsage(KEY, 700, 900));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reserve_afterRetention_deletesRowsOfEndedLeases(Kind kind) throws Exception {
        String prefix = TestDatabase.uniquePrefix();
        try (JdbcBudgetStore store = JdbcBudgetStore.builder(pool(kind)).tablePrefix(prefix)
                .createSchemaOnStart(true).expiredRetention(Duration.ofMinutes(10)).build()) {
            store.reserve(KEY, "lost", 1_000, 1_000, NOW, LEASE);
            store.reserve(KEY, "b", 10, 1_000, LEASE, LEASE.plusSeconds(60));
            assertThat(reservationRows(kind, prefix)).isEqualTo(2);

            store.reserve(KEY, "c", 10, 1_000, LEASE.plus(Duration.ofMinutes(11)), LEASE.plus(Duration.ofMinutes(12)));

            assertThat(reservationRows(kind, prefix)).as("the ended lease's row is gone").isEqualTo(2);
            store.reconcile(KEY, "lost", 999, LEASE.plus(Duration.ofMinutes(11)));
            assertThat(store.usage(KEY, LEASE.plus(Duration.ofMinutes(11))).spentMicros()).isZero();
        }
    }

    private static long reservationRows(Kind kind, String prefix) throws Exception {
        try (Connection c = pool(kind).getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + prefix + "budget_reservation")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reserve_severalPeriodsInOneBatch_keepsThemApart(Kind kind) throws Exception {
        try (JdbcBudgetStore store = store(kind)) {
            BudgetKey month = new BudgetKey("openai/gpt-4o/month", "2026-11");
            Thread other = new Thread(() -> store.reserve(month, "m", 5_000, 5_000, NOW, LEASE));
            other.start();
            store.reserve(KEY, "d", 1_000, 1_000, NOW, LEASE);
            other.join();

            assertThat(store.usage(KEY, NOW)).isEqualTo(new BudgetUsage(KEY, 0, 1_000));
            assertThat(store.usage(month, NOW)).isEqualTo(new BudgetUsage(month, 0, 5_000));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void build_withoutSchema_namesTheScriptToRun(Kind kind) {
        assertThatThrownBy(() -> JdbcBudgetStore.builder(pool(kind)).tablePrefix(TestDatabase.uniquePrefix()).build())
                .isInstanceOf(BudgetStoreException.class)
                .hasMessageContaining("found no schema")
                .hasMessageContaining("io/opskit/ratelimit/budget/schema/")
                .hasMessageContaining("createSchemaOnStart(true)");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void build_twiceOnSameTables_sharesTheBudget(Kind kind) {
        String prefix = TestDatabase.uniquePrefix();
        try (JdbcBudgetStore a = JdbcBudgetStore.builder(pool(kind)).tablePrefix(prefix).createSchemaOnStart(true).build();
             JdbcBudgetStore b = JdbcBudgetStore.builder(pool(kind)).tablePrefix(prefix).createSchemaOnStart(true).build()) {
            assertThat(a.reserve(KEY, "a", 700, 1_000, NOW, LEASE).admitted()).isTrue();
            assertThat(b.reserve(KEY, "b", 301, 1_000, NOW, LEASE).admitted()).isFalse();
            a.reconcile(KEY, "a", 100, NOW);
            assertThat(b.reserve(KEY, "b", 900, 1_000, NOW, LEASE).admitted()).isTrue();
        }
    }

    @Test
    void builder_badSettings_namesTheField() {
        DataSource unused = new HikariDataSource();
        assertThatThrownBy(() -> JdbcBudgetStore.builder(unused).tablePrefix("Bad-Prefix"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tablePrefix must be a lowercase letter then up to 29 of [a-z0-9_]: 'Bad-Prefix'");
        assertThatThrownBy(() -> JdbcBudgetStore.builder(unused).maxBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatchSize must be 1 to 10000: 0");
        assertThatThrownBy(() -> JdbcBudgetStore.builder(unused).operationTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("operationTimeout must be positive: PT0S");
        assertThatThrownBy(() -> JdbcBudgetStore.builder(unused).reclaimInterval(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reclaimInterval must be positive: PT-1S");
    }

    @Test
    void build_unreachableDatabase_failsNamingTheStore() {
        try (HikariDataSource nowhere = new HikariDataSource()) {
            nowhere.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
            nowhere.setConnectionTimeout(2_000);

            assertThatThrownBy(() -> JdbcBudgetStore.builder(nowhere).build())
                    .isInstanceOf(BudgetStoreException.class)
                    .hasMessageStartingWith("JDBC budget store (tables opskit_budget_*) could not reach its database");
        }
    }

    /**
     * Finding 3: a half-open connection wedged every replica (the backend sat idle in transaction
     * holding the period row, no socket or statement timeout). The writer's session now carries
     * lock, statement and idle-in-transaction limits (busy_timeout on SQLite) and a socket timeout;
     * the idle limit is the lock timeout, so a waiter that gave up finds the row free on its retry.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void finding3_aHalfOpenConnectionWedgesEveryReplica_writerSessionCarriesTimeouts(Kind kind) throws Exception {
        DataSource pool = pool(kind);
        java.util.concurrent.atomic.AtomicReference<Connection> handedOut = new java.util.concurrent.atomic.AtomicReference<>();
        DataSource recording = new javax.sql.DataSource() {
            @Override public Connection getConnection() throws java.sql.SQLException {
                Connection c = pool.getConnection();
                handedOut.set(c);
                return c;
            }
            @Override public Connection getConnection(String u, String p) { throw new UnsupportedOperationException(); }
            @Override public java.io.PrintWriter getLogWriter() { return null; }
            @Override public void setLogWriter(java.io.PrintWriter out) { }
            @Override public void setLoginTimeout(int seconds) { }
            @Override public int getLoginTimeout() { return 0; }
            @Override public java.util.logging.Logger getParentLogger() { throw new UnsupportedOperationException(); }
            @Override public <T> T unwrap(Class<T> iface) { throw new UnsupportedOperationException(); }
            @Override public boolean isWrapperFor(Class<?> iface) { return false; }
        };
        try (JdbcBudgetStore store = JdbcBudgetStore.builder(recording).tablePrefix(TestDatabase.uniquePrefix())
                .createSchemaOnStart(true).operationTimeout(Duration.ofSeconds(4)).build()) {
            store.reserve(KEY, "a", 1, 1_000, NOW, LEASE); // the writer takes its connection and keeps it a while
            Connection writer = handedOut.get();
            String query = switch (kind) {
                case POSTGRESQL -> "SELECT current_setting('lock_timeout'), current_setting('statement_timeout'), "
                        + "current_setting('idle_in_transaction_session_timeout')";
                case MARIADB -> "SELECT @@session.innodb_lock_wait_timeout, @@session.max_statement_time, "
                        + "@@session.idle_transaction_timeout";
                case SQLITE -> "PRAGMA busy_timeout";
            };
            synchronized (writer) {
                try (Statement st = writer.createStatement(); ResultSet rs = st.executeQuery(query)) {
                    assertThat(rs.next()).isTrue();
                    switch (kind) {
                        case POSTGRESQL -> {
                            assertThat(rs.getString(1)).isEqualTo("2s");
                            assertThat(rs.getString(2)).isEqualTo("4s");
                            assertThat(rs.getString(3)).as("idle in transaction: the lock timeout").isEqualTo("2s");
                        }
                        case MARIADB -> {
                            assertThat(rs.getLong(1)).isEqualTo(2);
                            assertThat(rs.getDouble(2)).isEqualTo(4.0);
                            assertThat(rs.getLong(3)).as("idle in transaction: the lock timeout").isEqualTo(2);
                        }
                        case SQLITE -> assertThat(rs.getLong(1)).isEqualTo(2_000);
                    }
                }
                if (kind != Kind.SQLITE) {
                    assertThat(writer.getNetworkTimeout()).isEqualTo(5_000);
                }
            }
        }
    }
    /**
     * Finding 3: a half-open connection wedged every replica. The PostgreSQL batch kept the period
     * row locked across the round trip to {@code COMMIT}: with one replica's replies stalled mid-call,
     * its backend sat idle in transaction holding the lock, and the other replica timed out on every
     * admission. Every statement now decides and commits on its own, so the stalled replica's
     * reconcile is done on the server and holds nothing: the other replica admits at once.
     */
    @Test
    void finding3_aHalfOpenConnectionWedgesEveryReplica_anotherReplicaAdmitsWhileOneIsStalledMidCall()
            throws Exception {
        DataSource healthyPool = pool(Kind.POSTGRESQL);
        TestDatabase db = DATABASES.get(Kind.POSTGRESQL);
        String prefix = TestDatabase.uniquePrefix();
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        try (StallingRelay relay = StallingRelay.to(5432)) {
            config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + relay.port() + "/" + db.name()
                    + "?user=postgres&ApplicationName=opskit-stalled-replica");
            config.setMaximumPoolSize(2);
            try (HikariDataSource stalledPool = new HikariDataSource(config);
                 JdbcBudgetStore stalled = JdbcBudgetStore.builder(stalledPool).tablePrefix(prefix)
                         .createSchemaOnStart(true).build();
                 JdbcBudgetStore healthy = JdbcBudgetStore.builder(healthyPool).tablePrefix(prefix).build()) {
                assertThat(stalled.reserve(KEY, "b", 400, 1_000, NOW, LEASE).admitted()).isTrue();
                assertThat(healthy.reserve(KEY, "a", 100, 1_000, NOW, LEASE).admitted()).isTrue();

                relay.holdReplies();
                Thread stalledCall = new Thread(() -> {
                    try {
                        stalled.reconcile(KEY, "b", 300, NOW); // never hears back
                    } catch (BudgetStoreException expected) {
                        // the relay closes at the end
                    }
                });
                stalledCall.start();
                awaitSettlementDone(healthyPool, "opskit-stalled-replica");

                long start = System.nanoTime();
                Admission admission = healthy.reserve(KEY, "a2", 100, 1_000, NOW, LEASE);
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(admission.admitted()).isTrue();
                assertThat(tookMs).as("admitted while the other replica is stalled mid-call").isLessThan(2_000);
                assertThat(healthy.usage(KEY, NOW)).as("the stalled replica's reconcile is done on the server")
                        .isEqualTo(new BudgetUsage(KEY, 300, 200));
                relay.close(); // the stalled replica learns its connection is gone
                stalledCall.join(30_000);
            }
        }
    }

    /** Waits until a backend of {@code application} has run a settling statement and waits for its client. */
    private static void awaitSettlementDone(DataSource pool, String application) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            try (Connection c = pool.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?"
                            + " AND state IN ('idle', 'idle in transaction') AND query LIKE '%del AS (DELETE%'")) {
                ps.setString(1, application);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
            }
            Thread.sleep(20); // polling the server's view of another session; the bound only limits a failure
        }
        throw new AssertionError("the stalled replica's statement never reached the server");
    }
}
