package io.opskit.ratelimit.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetStore;
import io.opskit.api.budget.BudgetUsage;
import io.opskit.testsupport.TestDatabase;
import io.opskit.testsupport.TestDatabase.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two "instances" (two independent pools, two stores) with eight threads each race for one budget
 * on a real database. Callers report what they really spent; the database must agree exactly and
 * never exceed the hard limit.
 */
class JdbcBudgetStoreConcurrencyTest {

    private static final BudgetKey KEY = new BudgetKey("openai/gpt-4o/day", "2026-11-21");
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final long LIMIT = 1_000_000;
    private static final int THREADS = 16;
    private static final int OPERATIONS_PER_THREAD = 60;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reserve_sixteenThreadsOnTwoInstances_neverSpendsOverTheLimit(Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            String prefix = TestDatabase.uniquePrefix();
            try (JdbcBudgetStore first = JdbcBudgetStore.builder(TestPools.newPool(db, 4)).tablePrefix(prefix)
                         .createSchemaOnStart(true).build();
                 JdbcBudgetStore second = JdbcBudgetStore.builder(TestPools.newPool(db, 4)).tablePrefix(prefix).build()) {
                Outcome outcome = race(first, second);

                BudgetUsage usage = first.usage(KEY, NOW);
                assertThat(outcome.refusals.get()).as("the budget ran out during the race").isPositive();
                assertThat(usage.spentMicros()).as("spend recorded exactly").isEqualTo(outcome.spent.get());
                assertThat(usage.spentMicros()).as("never over the hard limit").isLessThanOrEqualTo(LIMIT);
                assertThat(outcome.maxSeen.get()).isLessThanOrEqualTo(LIMIT);
                assertThat(usage.reservedMicros()).as("no reservation leaked").isZero();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reserve_sixteenThreadsOnTwoSlicedInstances_neverSpendsOverTheLimit(Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            String prefix = TestDatabase.uniquePrefix();
            try (JdbcBudgetStore firstShared = JdbcBudgetStore.builder(TestPools.newPool(db, 4)).tablePrefix(prefix)
                         .createSchemaOnStart(true).build();
                 JdbcBudgetStore secondShared = JdbcBudgetStore.builder(TestPools.newPool(db, 4)).tablePrefix(prefix).build()) {
                Outcome outcome;
                try (SlicedBudgetStore first = sliced(firstShared); SlicedBudgetStore second = sliced(secondShared)) {
                    outcome = race(first, second);
                }

                // No instance died, so the documented bound is limit + 0 x slice.
                BudgetUsage usage = firstShared.usage(KEY, NOW.plusSeconds(3_600));
                assertThat(outcome.refusals.get()).as("the budget ran out during the race").isPositive();
                assertThat(usage.spentMicros()).as("spend recorded exactly").isEqualTo(outcome.spent.get());
                assertThat(usage.spentMicros()).as("never over the hard limit").isLessThanOrEqualTo(LIMIT);
                assertThat(usage.reservedMicros()).as("every slice returned").isZero();
            }
        }
    }

    private static SlicedBudgetStore sliced(BudgetStore shared) {
        return SlicedBudgetStore.builder(shared).sliceMicros(100_000)
                .clock(java.time.Clock.fixed(NOW.plusSeconds(3_600), java.time.ZoneOffset.UTC)).build();
    }

    record Outcome(AtomicLong spent, AtomicLong refusals, AtomicLong maxSeen) {
    }

    /** Each thread reserves a random worst case, then reconciles at most that (or releases). */
    static Outcome race(BudgetStore first, BudgetStore second) throws Exception {
        Outcome outcome = new Outcome(new AtomicLong(), new AtomicLong(), new AtomicLong());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            BudgetStore store = t % 2 == 0 ? first : second;
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
                    String id = "t" + thread + "-" + i;
                    long estimate = random.nextLong(1_000, 30_000);
                    var admission = store.reserve(KEY, id, estimate, LIMIT, NOW, NOW.plusSeconds(300));
                    if (!admission.admitted()) {
                        outcome.refusals().incrementAndGet();
                        continue;
                    }
                    outcome.maxSeen().accumulateAndGet(admission.spentMicros() + admission.reservedMicros(), Math::max);
                    if (random.nextInt(8) == 0) {
                        store.release(KEY, id);
                    } else {
                        long actual = random.nextLong(estimate / 2, estimate + 1);
                        store.reconcile(KEY, id, actual, NOW);
                        outcome.spent().addAndGet(actual);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : futures) {
            future.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        return outcome;
    }
}
