package io.opskit.ratelimit.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetUsage;
import io.opskit.testsupport.TestDatabase;
import io.opskit.testsupport.TestDatabase.Kind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A process that holds reservations is killed with SIGKILL. Its reservations keep counting until
 * their lease ends (time is passed as {@code now}, nothing sleeps); then the budget is whole again.
 */
class JdbcBudgetStoreCrashTest {

    private static final BudgetKey KEY = new BudgetKey("openai/gpt-4o/day", "2026-11-21");
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final Instant LEASE_END = NOW.plusSeconds(120);

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reserve_afterHolderKilledAndLeaseEnded_budgetIsWholeAgain(Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            String prefix = TestDatabase.uniquePrefix();
            try (JdbcBudgetStore store = JdbcBudgetStore.builder(TestPools.newPool(db, 2)).tablePrefix(prefix)
                    .createSchemaOnStart(true).build()) {
                Process child = startHolder(db.url(), prefix);
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    assertThat(out.readLine()).isEqualTo("HELD");
                } finally {
                    child.destroyForcibly();
                    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                }
                assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

                Instant beforeLeaseEnd = LEASE_END.minusSeconds(1);
                assertThat(store.usage(KEY, beforeLeaseEnd)).isEqualTo(new BudgetUsage(KEY, 0, 900));
                assertThat(store.reserve(KEY, "early", 200, 1_000, beforeLeaseEnd, LEASE_END).admitted())
                        .as("the dead process's reservations still count before their lease ends").isFalse();

                assertThat(store.usage(KEY, LEASE_END)).isEqualTo(new BudgetUsage(KEY, 0, 0));
                assertThat(store.reserve(KEY, "after", 1_000, 1_000, LEASE_END, LEASE_END.plusSeconds(60)).admitted())
                        .as("the whole budget is available after the lease").isTrue();
            }
        }
    }

    /**
     * Finding 7: a sliced holder killed while it held a slice lost its calls' in-slice spend to the
     * shared store (5.29 $ spent on a 5 $ limit). Its reports are checkpointed into the database,
     * so after {@code kill -9} the store has charged every reported call, and once the slice's lease
     * ends the rest of the slice (and the call still open) stops counting.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void finding7_aKilledSliceHoldersSpendWasLost_reportedSpendIsChargedAfterKill9(Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            String prefix = TestDatabase.uniquePrefix();
            try (JdbcBudgetStore store = JdbcBudgetStore.builder(TestPools.newPool(db, 2)).tablePrefix(prefix)
                    .createSchemaOnStart(true).build()) {
                String java = ProcessHandle.current().info().command().orElse("java");
                ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                        SliceHolderProcess.class.getName(), prefix, KEY.scope(), KEY.period(), "5", "300", "250",
                        "2000", "10000", NOW.toString()));
                builder.environment().put("OPSKIT_BUDGET_TEST_URL", db.url());
                builder.redirectError(ProcessBuilder.Redirect.DISCARD);
                Process child = builder.start();
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    assertThat(out.readLine()).isEqualTo("REPORTED 1000");
                } finally {
                    child.destroyForcibly();
                    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                }
                assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

                Instant killedAt = NOW.plusSeconds(5);
                assertThat(store.usage(KEY, killedAt)).as("reported spend charged; the slice's rest still held")
                        .isEqualTo(new BudgetUsage(KEY, 1_000, 1_000));
                Instant sliceLeaseEnd = NOW.plus(Duration.ofMinutes(2));
                assertThat(store.usage(KEY, sliceLeaseEnd)).as("after the slice's lease: the reported spend only")
                        .isEqualTo(new BudgetUsage(KEY, 1_000, 0));
                assertThat(store.reserve(KEY, "after", 9_000, 10_000, sliceLeaseEnd, sliceLeaseEnd.plusSeconds(60))
                        .admitted()).as("the rest of the budget is available").isTrue();
                assertThat(store.reserve(KEY, "over", 1, 10_000, sliceLeaseEnd, sliceLeaseEnd.plusSeconds(60))
                        .admitted()).as("the dead holder's spend still counts").isFalse();
            }
        }
    }

    private static Process startHolder(String url, String prefix) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                BudgetHolderProcess.class.getName(), prefix, KEY.scope(), KEY.period(), "3", "300", "1000",
                NOW.toString(), LEASE_END.toString()));
        builder.environment().put("OPSKIT_BUDGET_TEST_URL", url);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        return builder.start();
    }
}
