package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opskit.ratelimit.budget.JdbcBudgetStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two guards, each with its own connection pool and JDBC budget store ("two instances"), share one
 * budget in a real database: together they never spend past the hard limit.
 */
class GuardSharedBudgetTest {

    private static final String PG_ADMIN = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    @TempDir
    Path dir;

    private static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(10_000);
        if (url.startsWith("jdbc:sqlite:")) {
            config.addDataSourceProperty("busy_timeout", "30000");
        }
        return new HikariDataSource(config);
    }

    @Test
    void twoInstancesOnSqlite_neverOverspendTheSharedBudget() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("budget.db");
        runTwoInstances(url);
    }

    @Test
    void twoInstancesOnPostgres_neverOverspendTheSharedBudget() throws Exception {
        String name = "opskit_guard_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PG_ADMIN); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            String message = "PostgreSQL at 127.0.0.1:5432 is unreachable: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message, e);
            }
            Assumptions.abort(message);
        }
        try {
            runTwoInstances("jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres");
        } finally {
            try (Connection c = DriverManager.getConnection(PG_ADMIN); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    private void runTwoInstances(String url) throws Exception {
        try (HikariDataSource poolA = pool(url); HikariDataSource poolB = pool(url);
             JdbcBudgetStore storeA = JdbcBudgetStore.builder(poolA).createSchemaOnStart(true).build();
             JdbcBudgetStore storeB = JdbcBudgetStore.builder(poolB).createSchemaOnStart(true).build()) {
            AiGuard a = guard(storeA);
            AiGuard b = guard(storeB);
            AiRequest request = AiRequest.chat("openai", "gpt-4o", 0, 1_000); // 10,000 micro-USD worst case
            AtomicInteger answered = new AtomicInteger();
            Thread[] threads = new Thread[16];
            for (int t = 0; t < threads.length; t++) {
                AiGuard guard = t % 2 == 0 ? a : b;
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < 4; i++) {
                        try {
                            // really used 600 output tokens: 6,000 micro-USD
                            guard.call(request, x -> ProviderReply.ok("ok", TokenUsage.of(0, 600)));
                            answered.incrementAndGet();
                        } catch (BudgetExceededException refused) {
                            // the shared day is spent
                        }
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            BudgetStatus day = a.budgets().get(0);
            assertThat(day.reserved().micros()).isZero();
            assertThat(day.spent().micros()).isEqualTo(answered.get() * 6_000L).isLessThanOrEqualTo(100_000);
            // Reservations are worst cases, so at least 10 calls fit; real costs leave room for more.
            assertThat(answered.get()).isBetween(10, 16);
            assertThat(b.budgets().get(0).spent().micros()).isEqualTo(day.spent().micros());
        }
    }

    private static AiGuard guard(JdbcBudgetStore store) {
        return AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").maxConcurrent(16, Duration.ofSeconds(30))
                        .dailyBudgetUsd(0.05, 0.1).build())
                .budgetStore(store)
                .build();
    }
}
