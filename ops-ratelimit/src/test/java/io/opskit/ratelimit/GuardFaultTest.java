package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.ratelimit.ReplicaJvm.Done;
import io.opskit.ratelimit.ReplicaJvm.Tick;
import io.opskit.ratelimit.budget.JdbcBudgetStore;
import io.opskit.ratelimit.budget.StallingRelay;
import io.opskit.testsupport.TestDatabase;
import io.opskit.testsupport.TestDatabase.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fault test: two replica JVMs of 16 calling threads each share one budget (an app line
 * and a model line, both with a hard limit) on PostgreSQL, MariaDB, then one SQLite file, while the
 * store fails and while one replica's network stalls.
 *
 * <ol>
 *   <li>both replicas admit on a healthy store;</li>
 *   <li>the store fails for 2 s: the replicas' database user loses its privileges on the budget
 *       tables ({@code REVOKE}, then {@code GRANT}); on SQLite the test holds the file's exclusive
 *       lock for 2 s. Both replicas admit again afterwards;</li>
 *   <li>(PostgreSQL and MariaDB) replica B reaches the database through a loopback relay that stops
 *       passing bytes without closing: replica A keeps admitting within 10 s of the stall, and B
 *       admits again once new connections pass;</li>
 *   <li>both replicas switch to expensive calls until the budget is spent, stop, and deliver
 *       every settlement still waiting.</li>
 * </ol>
 * Then the callers' real spend is at most the hard limit, and the store's counters equal the
 * callers' sums exactly on both lines.
 *
 * <p>The replicas' store has a 4 s operation timeout (so 2 s lock and idle-in-transaction limits
 * and a 5 s socket timeout) to keep the run short; nothing else differs from the defaults. The
 * outage and the stall are real time in real processes; every other wait is bounded by what the
 * replicas report, polled from their heartbeat.
 */
class GuardFaultTest {

    private static final int THREADS = 16;
    private long startedAt;

    private void phase(Kind kind, String what) {
        System.out.printf("GuardFaultTest %s %.1f s: %s%n", kind, (System.nanoTime() - startedAt) / 1e9, what);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void twoReplicasOf16Threads_storeFailsThenNetworkStalls_neverOverspendAndHealthyReplicaKeepsAdmitting(Kind kind)
            throws Exception {
        startedAt = System.nanoTime();
        try (TestDatabase db = TestDatabase.create(kind)) {
            String prefix = TestDatabase.uniquePrefix();
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setJdbcUrl(db.url());
            config.setMaximumPoolSize(1);
            try (com.zaxxer.hikari.HikariDataSource schemaPool = new com.zaxxer.hikari.HikariDataSource(config)) {
                JdbcBudgetStore.builder(schemaPool).tablePrefix(prefix).createSchemaOnStart(true).build().close();
            }
            Access access = Access.create(db, prefix);
            StallingRelay relay = kind == Kind.SQLITE ? null : StallingRelay.to(kind == Kind.POSTGRESQL ? 5432 : 3306);
            ReplicaJvm a = null;
            ReplicaJvm b = null;
            try {
                int port = kind == Kind.POSTGRESQL ? 5432 : 3306;
                a = ReplicaJvm.start("A", access.url(db, port), prefix, THREADS, false);
                b = ReplicaJvm.start("B", relay == null ? access.url(db, 0) : access.url(db, relay.port()), prefix,
                        THREADS, false);
                a.awaitReady();
                b.awaitReady();

                phase(kind, "replicas ready");
                // 1. healthy
                a.await("admitting on a healthy store", t -> t.admitted() >= 30);
                b.await("admitting on a healthy store", t -> t.admitted() >= 30);

                phase(kind, "both admitted on a healthy store");
                // 2. the store fails for 2 s
                Tick aBefore = a.last();
                Tick bBefore = b.last();
                access.fail(db);
                try {
                    Thread.sleep(2_000); // the outage itself
                } finally {
                    access.restore(db);
                }
                if (kind != Kind.SQLITE) {
                    assertThat(a.last().storeRefused()).as("A saw the outage").isGreaterThan(aBefore.storeRefused());
                    assertThat(b.last().storeRefused()).as("B saw the outage").isGreaterThan(bBefore.storeRefused());
                }
                Tick aBack = a.last();
                Tick bBack = b.last();
                a.await("admitting again after the outage", t -> t.admitted() >= aBack.admitted() + 20);
                b.await("admitting again after the outage", t -> t.admitted() >= bBack.admitted() + 20);

                phase(kind, "both admitted again after the outage");
                // 3. B's network stalls
                if (relay != null) {
                    long stalledAt = System.nanoTime();
                    relay.stall();
                    Tick atStall = a.last();
                    Tick aLater = a.awaitUntil(stalledAt + TimeUnit.SECONDS.toNanos(5));
                    long left = stalledAt + TimeUnit.SECONDS.toNanos(10) - System.nanoTime();
                    Tick aProgress = a.await("admitting in the second half of the 10 s after B's stall",
                            t -> t.admitted() >= aLater.admitted() + 20, TimeUnit.NANOSECONDS.toMillis(left));
                    assertThat(aProgress.admitted()).isGreaterThan(atStall.admitted());
                    phase(kind, "A kept admitting while B was stalled");
                    relay.resume();
                    Tick bStalled = b.last();
                    b.await("admitting again once its network passes new connections",
                            t -> t.admitted() >= bStalled.admitted() + 20);
                }

                phase(kind, "B admits again");
                // 4. spend the budget, stop, settle
                a.send("DRAIN");
                b.send("DRAIN");
                Tick aDrain = a.last();
                Tick bDrain = b.last();
                a.await("refused by the spent budget", t -> t.budgetRefused() >= aDrain.budgetRefused() + 20);
                b.await("refused by the spent budget", t -> t.budgetRefused() >= bDrain.budgetRefused() + 20);
                phase(kind, "budget spent");
                Done aDone = a.stop();
                Done bDone = b.stop();
                phase(kind, "replicas stopped: A " + aDone + ", B " + bDone);
                assertThat(aDone.pending()).as("A delivered every settlement").isZero();
                assertThat(bDone.pending()).as("B delivered every settlement").isZero();

                long callers = aDone.spent() + bDone.spent();
                assertThat(callers).as("real spend of both replicas").isLessThanOrEqualTo(
                        GuardReplicaProcess.HARD_LIMIT_MICROS);
                long bigWorst = 150 + 60_000;
                for (String scope : List.of("app/day", "openai/gpt-4o-mini/day")) {
                    Line line = Line.read(db, prefix, scope);
                    assertThat(line.maxSpentInAPeriod).as("%s within its hard limit", scope)
                            .isLessThanOrEqualTo(GuardReplicaProcess.HARD_LIMIT_MICROS);
                    assertThat(line.spent).as("%s counts exactly what the callers were charged", scope)
                            .isEqualTo(callers);
                    assertThat(line.spent + line.openReserved).as("%s was spent to its limit", scope)
                            .isGreaterThan(GuardReplicaProcess.HARD_LIMIT_MICROS - bigWorst);
                }
            } finally {
                for (ReplicaJvm r : new ReplicaJvm[] {a, b}) {
                    if (r != null) {
                        r.kill();
                    }
                }
                if (relay != null) {
                    relay.close();
                }
                access.drop(db);
            }
        }
    }

    /** The budget lines as the store has them, over every period row (a run may cross midnight). */
    record Line(long spent, long maxSpentInAPeriod, long openReserved) {
        static Line read(TestDatabase db, String prefix, String scope) throws SQLException {
            try (Connection c = java.sql.DriverManager.getConnection(db.url()); PreparedStatement ps = c.prepareStatement(
                    "SELECT p.spent_micros, (SELECT COALESCE(SUM(r.amount_micros), 0) FROM " + prefix
                            + "budget_reservation r WHERE r.scope = p.scope AND r.period = p.period AND r.expired = 0)"
                            + " FROM " + prefix + "budget_period p WHERE p.scope = ?")) {
                ps.setString(1, scope);
                long spent = 0;
                long max = 0;
                long reserved = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        spent += rs.getLong(1);
                        max = Math.max(max, rs.getLong(1));
                        reserved += rs.getLong(2);
                    }
                }
                return new Line(spent, max, reserved);
            }
        }
    }

    /**
     * The replicas' own database user, whose privileges on the budget tables the test takes away
     * and gives back; on SQLite, the file's exclusive lock, held by the test.
     */
    static final class Access {
        final String user;
        final String password;
        final List<String> tables;
        private Connection locker;

        private Access(String user, String password, List<String> tables) {
            this.user = user;
            this.password = password;
            this.tables = tables;
        }

        static Access create(TestDatabase db, String prefix) throws SQLException {
            String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            String user = "opskit_guard_" + suffix;
            String password = UUID.randomUUID().toString();
            List<String> tables = List.of(prefix + "budget_schema", prefix + "budget_period",
                    prefix + "budget_reservation");
            Access access = new Access(user, password, tables);
            switch (db.kind()) {
                case POSTGRESQL -> {
                    execute(db, "CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'");
                    try (Connection c = java.sql.DriverManager.getConnection(db.url());
                         Statement st = c.createStatement()) {
                        st.execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + user);
                        st.execute("GRANT USAGE ON SCHEMA public TO " + user);
                    }
                    access.restore(db);
                }
                case MARIADB -> {
                    execute(db, "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
                    access.restore(db);
                }
                case SQLITE -> { }
            }
            return access;
        }

        String url(TestDatabase db, int port) {
            return switch (db.kind()) {
                case POSTGRESQL -> "jdbc:postgresql://127.0.0.1:" + port + "/" + db.name() + "?user=" + user
                        + "&password=" + password;
                case MARIADB -> "jdbc:mariadb://127.0.0.1:" + port + "/" + db.name() + "?user=" + user
                        + "&password=" + password;
                case SQLITE -> db.url();
            };
        }

        void fail(TestDatabase db) throws SQLException {
            switch (db.kind()) {
                case POSTGRESQL -> {
                    try (Connection c = java.sql.DriverManager.getConnection(db.url());
                         Statement st = c.createStatement()) {
                        st.execute("REVOKE ALL ON " + String.join(", ", tables) + " FROM " + user);
                    }
                }
                case MARIADB -> {
                    for (String t : tables) {
                        execute(db, "REVOKE ALL PRIVILEGES ON " + db.name() + "." + t + " FROM '" + user + "'@'%'");
                    }
                }
                case SQLITE -> {
                    locker = java.sql.DriverManager.getConnection(db.url());
                    try (Statement st = locker.createStatement()) {
                        st.execute("PRAGMA busy_timeout = 10000");
                        st.execute("BEGIN EXCLUSIVE"); // no other connection reads or writes until restore()
                    }
                }
            }
        }

        void restore(TestDatabase db) throws SQLException {
            switch (db.kind()) {
                case POSTGRESQL -> {
                    try (Connection c = java.sql.DriverManager.getConnection(db.url());
                         Statement st = c.createStatement()) {
                        st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + String.join(", ", tables) + " TO "
                                + user);
                    }
                }
                case MARIADB -> {
                    for (String t : tables) {
                        execute(db, "GRANT SELECT, INSERT, UPDATE, DELETE ON " + db.name() + "." + t + " TO '" + user
                                + "'@'%'");
                    }
                }
                case SQLITE -> {
                    if (locker != null) {
                        try (Statement st = locker.createStatement()) {
                            st.execute("ROLLBACK");
                        }
                        locker.close();
                        locker = null;
                    }
                }
            }
        }

        void drop(TestDatabase db) throws SQLException {
            switch (db.kind()) {
                case POSTGRESQL -> {
                    try (Connection c = java.sql.DriverManager.getConnection(db.url());
                         Statement st = c.createStatement()) {
                        st.execute("REVOKE ALL ON " + String.join(", ", tables) + " FROM " + user);
                        st.execute("REVOKE ALL ON SCHEMA public FROM " + user);
                        st.execute("REVOKE ALL ON DATABASE " + db.name() + " FROM " + user);
                    }
                    execute(db, "DROP ROLE IF EXISTS " + user);
                }
                case MARIADB -> execute(db, "DROP USER IF EXISTS '" + user + "'@'%'");
                case SQLITE -> restore(db);
            }
        }

        private static void execute(TestDatabase db, String sql) throws SQLException {
            try (Connection c = db.admin(); Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }
    }
}
