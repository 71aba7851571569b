package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opskit.ratelimit.ReplicaJvm.Tick;
import io.opskit.ratelimit.budget.JdbcBudgetStore;
import io.opskit.testsupport.TestDatabase;
import io.opskit.testsupport.TestDatabase.Kind;
import org.junit.jupiter.api.Test;

/**
 * Finding 7 (SQLite): with two replicas on one SQLite file one replica was starved, admitting 0 of
 * 907 calls, because the replica holding SQLite's write lock took it again between two looks of
 * the other's busy handler. Two replica JVMs of 16 calling threads now share the admissions.
 */
class SqliteFairnessTest {

    private static final int THREADS = 16;
    private static final long ADMISSIONS = 1_000;

    @Test
    void finding7_onSqliteOneReplicaWasStarved_eachOfTwoReplicasGetsAtLeastAQuarter() throws Exception {
        try (TestDatabase db = TestDatabase.create(Kind.SQLITE)) {
            String prefix = TestDatabase.uniquePrefix();
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(db.url());
            config.setMaximumPoolSize(1);
            try (HikariDataSource pool = new HikariDataSource(config)) {
                JdbcBudgetStore.builder(pool).tablePrefix(prefix).createSchemaOnStart(true).build().close();
            }
            ReplicaJvm a = ReplicaJvm.start("A", db.url(), prefix, THREADS, true);
            ReplicaJvm b = ReplicaJvm.start("B", db.url(), prefix, THREADS, true);
            try {
                a.awaitReady();
                b.awaitReady();
                a.go();
                b.go();
                a.await(ADMISSIONS + " admissions together", t -> t.admitted() + b.last().admitted() >= ADMISSIONS);
                Tick at = a.last();
                Tick bt = b.last();
                long total = at.admitted() + bt.admitted();
                System.out.printf("SqliteFairnessTest: A admitted %d, B %d%n", at.admitted(), bt.admitted());
                assertThat(at.admitted()).as("A's share of %d admissions", total).isGreaterThanOrEqualTo(total / 4);
                assertThat(bt.admitted()).as("B's share of %d admissions", total).isGreaterThanOrEqualTo(total / 4);
                a.requestStop();
                b.requestStop();
                assertThat(a.awaitDone().pending()).isZero();
                assertThat(b.awaitDone().pending()).isZero();
            } finally {
                a.kill();
                b.kill();
            }
        }
    }
}
