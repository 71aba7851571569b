package io.opskit.ratelimit.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetUsage;
import java.time.Duration;
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
import org.junit.jupiter.api.Test;

class InMemoryBudgetStoreTest {

    private static final BudgetKey KEY = new BudgetKey("openai/gpt-4o/day", "2026-11-21");
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final Instant LEASE = NOW.plusSeconds(60);

    private final InMemoryBudgetStore store = InMemoryBudgetStore.create();

    @Test
    void reserve_fitsUnderLimit_admitsAndCounts() {
        Admission admission = store.reserve(KEY, "a", 600, 1_000, NOW, LEASE);

        assertThat(admission).isEqualTo(new Admission(true, 0, 600, 1_000));
        assertThat(admission.remainingMicros()).isEqualTo(400);
        assertThat(store.usage(KEY, NOW)).isEqualTo(new BudgetUsage(KEY, 0, 600));
    }

    @Test
    void reserve_overLimit_refusesAndLeavesBudgetAlone() {
        store.reserve(KEY, "a", 600, 1_000, NOW, LEASE);

        Admission refused = store.reserve(KEY, "b", 401, 1_000, NOW, LEASE);

        assertThat(refused).isEqualTo(new Admission(false, 0, 600, 1_000));
        assertThat(store.usage(KEY, NOW).reservedMicros()).isEqualTo(600);
    }

    @Test
    void reserve_amountNearLongMax_refusesWithoutOverflow() {
        store.reserve(KEY, "a", 10, 1_000, NOW, LEASE);

        assertThat(store.reserve(KEY, "b", Long.MAX_VALUE, 1_000, NOW, LEASE).admitted()).isFalse();
        assertThat(store.reserve(KEY, "c", Long.MAX_VALUE - 5, Long.MAX_VALUE, NOW, LEASE).admitted()).isFalse();
    }

    @Test
    void reserve_sameIdTwice_countsOnce() {
        store.reserve(KEY, "a", 600, 1_000, NOW, LEASE);

        Admission again = store.reserve(KEY, "a", 600, 1_000, NOW, LEASE);

        assertThat(again.admitted()).isTrue();
        assertThat(store.usage(KEY, NOW).reservedMicros()).isEqualTo(600);
    }

    @Test
    void reconcile_turnsReservationIntoExactSpend_andIsIdempotent() {
        store.reserve(KEY, "a", 600, 1_000, NOW, LEASE);

        store.reconcile(KEY, "a", 250, NOW);
        store.reconcile(KEY, "a", 250, NOW);

        assertThat(store.usage(KEY, NOW)).isEqualTo(new BudgetUsage(KEY, 250, 0));
        assertThat(store.reserve(KEY, "b", 750, 1_000, NOW, LEASE).admitted()).isTrue();
    }

    @Test
    void release_freesTheBudget_andIsIdempotent() {
        store.reserve(KEY, "a", 600, 1_000, NOW, LEASE);

        store.release(KEY, "a");
        store.release(KEY, "a");
        store.release(KEY, "never-reserved");

        assertThat(store.usage(KEY, NOW)).isEqualTo(new BudgetUsage(KEY, 0, 0));
    }

    @Test
    void reserve_afterLeaseEnded_expiredReservationNoLongerCounts() {
        store.reserve(KEY, "crashed", 1_000, 1_000, NOW, LEASE);
        assertThat(store.reserve(KEY, "b", 1, 1_000, LEASE.minusMillis(1), LEASE.plusSeconds(60)).admitted())
                .isFalse();

        Admission afterLease = store.reserve(KEY, "b", 1_000, 1_000, LEASE, LEASE.plusSeconds(60));

        assertThat(afterLease.admitted()).isTrue();
    }

    @Test
    void reconcile_afterLeaseEnded_stillRecordsTheSpend() {
        store.reserve(KEY, "slow", 500, 1_000, NOW, LEASE);

        store.reconcile(KEY, "slow", 450, LEASE.plusSeconds(30));

        assertThat(store.usage(KEY, LEASE.plusSeconds(30))).isEqualTo(new BudgetUsage(KEY, 450, 0));
    }

    @Test
    void reconcile_afterRetention_isForgottenAndANoOp() {
        InMemoryBudgetStore shortMemory = InMemoryBudgetStore.builder().expiredRetention(Duration.ofMinutes(5)).build();
        shortMemory.reserve(KEY, "lost", 500, 1_000, NOW, LEASE);
        Instant muchLater = LEASE.plus(Duration.ofMinutes(6));
        shortMemory.usage(KEY, muchLater);

        shortMemory.reconcile(KEY, "lost", 450, muchLater);

        assertThat(shortMemory.usage(KEY, muchLater)).isEqualTo(new BudgetUsage(KEY, 0, 0));
    }

    @Test
    void reserve_badArguments_namesTheField() {
        assertThatThrownBy(() -> store.reserve(KEY, "a", -1, 1_000, NOW, LEASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("amountMicros must be zero or more: -1");
        assertThatThrownBy(() -> store.reserve(KEY, "a", 1, -5, NOW, LEASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limitMicros must be zero or more: -5");
        assertThatThrownBy(() -> store.reserve(KEY, "", 1, 5, NOW, LEASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reservationId must be 1 to 64 printable characters: ''");
        assertThatThrownBy(() -> store.reserve(KEY, "a", 1, 5, NOW, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseUntil must be after now (2026-11-21T10:00:00Z): 2026-11-21T10:00:00Z");
        assertThatThrownBy(() -> store.reconcile(KEY, "a", -2, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("actualMicros must be zero or more: -2");
        assertThatThrownBy(() -> InMemoryBudgetStore.builder().expiredRetention(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expiredRetention must be zero or more: PT-1S");
    }

    @Test
    void reserve_sixteenThreadsRacing_neverAdmitsMoreThanTheLimit() throws Exception {
        long limit = 100_000;
        AtomicLong spentByCallers = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 2_000; i++) {
                    String id = thread + "-" + i;
                    long estimate = random.nextLong(1, 500);
                    if (store.reserve(KEY, id, estimate, limit, NOW, LEASE).admitted()) {
                        long actual = random.nextLong(0, estimate + 1);
                        if (random.nextInt(10) == 0) {
                            store.release(KEY, id);
                        } else {
                            store.reconcile(KEY, id, actual, NOW);
                            spentByCallers.addAndGet(actual);
                        }
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : futures) {
            future.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        BudgetUsage usage = store.usage(KEY, NOW);
        assertThat(usage.spentMicros()).isEqualTo(spentByCallers.get()).isLessThanOrEqualTo(limit);
        assertThat(usage.reservedMicros()).isZero();
    }
}
