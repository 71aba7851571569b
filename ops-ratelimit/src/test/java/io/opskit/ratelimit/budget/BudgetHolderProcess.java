package io.opskit.ratelimit.budget;

import com.zaxxer.hikari.HikariDataSource;
import io.opskit.api.budget.BudgetKey;
import java.time.Instant;

/**
 * A child JVM for {@link JdbcBudgetStoreCrashTest}: reserves, says so, then waits to be killed.
 * The database URL comes from the environment, never from the command line.
 */
public final class BudgetHolderProcess {

    private BudgetHolderProcess() {
    }

    /**
     * Arguments: table prefix, scope, period, number of reservations, amount each, limit, now,
     * lease end.
     */
    public static void main(String[] args) throws Exception {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(System.getenv("OPSKIT_BUDGET_TEST_URL"));
        pool.setMaximumPoolSize(2);
        JdbcBudgetStore store = JdbcBudgetStore.builder(pool).tablePrefix(args[0]).build();
        BudgetKey key = new BudgetKey(args[1], args[2]);
        int count = Integer.parseInt(args[3]);
        long amount = Long.parseLong(args[4]);
        long limit = Long.parseLong(args[5]);
        Instant now = Instant.parse(args[6]);
        Instant leaseUntil = Instant.parse(args[7]);
        for (int i = 0; i < count; i++) {
            if (!store.reserve(key, "child-" + i, amount, limit, now, leaseUntil).admitted()) {
                System.out.println("REFUSED");
                System.exit(2);
            }
        }
        System.out.println("HELD");
        System.out.flush();
        Thread.currentThread().join();
    }
}
