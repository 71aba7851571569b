package io.opskit.ratelimit.budget;

import com.zaxxer.hikari.HikariDataSource;
import io.opskit.api.budget.BudgetKey;
import java.time.Duration;
import java.time.Instant;

/**
 * A child JVM for {@link JdbcBudgetStoreCrashTest}: holds a slice of a shared budget, admits calls
 * in it, reports their spend one second apart (each report checkpointed), says how much, then
 * waits to be killed. The database URL comes from the environment, never from the command line.
 */
public final class SliceHolderProcess {

    private SliceHolderProcess() {
    }

    /** Arguments: table prefix, scope, period, calls, amount each, actual each, slice, limit, now. */
    public static void main(String[] args) throws Exception {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(System.getenv("OPSKIT_BUDGET_TEST_URL"));
        pool.setMaximumPoolSize(2);
        JdbcBudgetStore jdbc = JdbcBudgetStore.builder(pool).tablePrefix(args[0]).build();
        BudgetKey key = new BudgetKey(args[1], args[2]);
        int calls = Integer.parseInt(args[3]);
        long amount = Long.parseLong(args[4]);
        long actual = Long.parseLong(args[5]);
        long slice = Long.parseLong(args[6]);
        long limit = Long.parseLong(args[7]);
        Instant now = Instant.parse(args[8]);
        SlicedBudgetStore store = SlicedBudgetStore.builder(jdbc).sliceMicros(slice)
                .sliceLease(Duration.ofMinutes(2)).checkpointInterval(Duration.ofSeconds(1)).build();
        for (int i = 0; i < calls; i++) {
            if (!store.reserve(key, "held-" + i, amount, limit, now, now.plusSeconds(60)).admitted()) {
                System.out.println("REFUSED");
                System.exit(2);
            }
        }
        long reported = 0;
        for (int i = 0; i < calls - 1; i++) { // the last call is still at the provider when the process dies
            store.reconcile(key, "held-" + i, actual, now.plusSeconds(1 + i));
            reported += actual;
        }
        System.out.println("REPORTED " + reported);
        System.out.flush();
        Thread.currentThread().join();
    }
}
