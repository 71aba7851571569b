package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.Usd;
import io.opskit.api.budget.BudgetKey;
import io.opskit.ratelimit.budget.InMemoryBudgetStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One regression test per finding of the production trial, named after it. */
class AiGuardFindingsTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-11-21T10:00:00Z"));

    private AiGuard.Builder guard(ModelPolicy... policies) {
        AiGuard.Builder b = AiGuard.builder().prices(Fixtures.prices())
                .clock(time).ticker(time::nanoTime).sleeper(time.sleeper()).jitter(() -> 0.5);
        for (ModelPolicy p : policies) {
            b.model(p);
        }
        return b;
    }

    private static ModelPolicy.Builder gpt4o() {
        return ModelPolicy.builder("openai", "gpt-4o");
    }

    private static ModelPolicy.Builder mini() {
        return ModelPolicy.builder("openai", "gpt-4o-mini");
    }

    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a failure guard, not a pace
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(t.getName() + " never parked: " + t.getState());
            }
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------------------------------- 1

    @Test
    void finding1_waitingForAPlaceBurnsTheCpu_waitersParkAndAreServedInArrivalOrder() throws Exception {
        try (AiGuard guard = guard(gpt4o().maxConcurrent(1, Duration.ofSeconds(60)).build()).build()) {
            AiRequest r = AiRequest.chat("openai", "gpt-4o", 10, 10);
            AiPermit held = guard.acquire(r);
            List<Integer> served = new CopyOnWriteArrayList<>();
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                Thread t = new Thread(() -> {
                    AiPermit p = guard.acquire(r);
                    served.add(n);
                    p.release();
                }, "waiter-" + i);
                t.start();
                awaitParked(t); // arrival order is the start order
                waiters.add(t);
            }
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long before = 0;
            for (Thread t : waiters) {
                before += mx.getThreadCpuTime(t.getId());
            }
            Thread.sleep(300); // a measurement window: parked waiters must use no processor time in it
            long after = 0;
            for (Thread t : waiters) {
                after += mx.getThreadCpuTime(t.getId());
            }
            held.release();
            for (Thread t : waiters) {
                t.join(30_000);
            }
            assertThat(after - before).as("CPU of 20 waiters over 300 ms, ns").isLessThan(20_000_000L);
            assertThat(served).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
        }
    }

    // ---------------------------------------------------------------------------------------- 2

    @Test
    void finding2_aFailedReconcileForgetsTheSpend_itIsQueuedAndChargedWhenTheStoreIsBack() {
        InMemoryBudgetStore memory = InMemoryBudgetStore.create();
        FlakyStore store = new FlakyStore(memory);
        try (AiGuard guard = guard(gpt4o().dailyBudgetUsd(0.5, 0.5).build()).budgetStore(store)
                .leaseTime(Duration.ofMinutes(2)).callTimeout(Duration.ofMinutes(1)).build()) {
            AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 10_000); // 100,000 micro-USD worst case
            List<AiPermit> open = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                open.add(guard.acquire(r));
            }
            store.down = true; // privileges revoked while 5 calls are at the provider
            long charged = 0;
            for (AiPermit p : open) {
                charged += p.complete(TokenUsage.of(0, 8_000)).micros(); // 80,000 each
            }
            assertThat(guard.pendingSettlements()).isEqualTo(5);
            time.advance(Duration.ofMinutes(3)); // the leases end before the store is back
            store.down = false;
            assertThat(guard.flushSettlements()).isZero();

            BudgetKey day = new BudgetKey("openai/gpt-4o/day", "2026-11-21");
            assertThat(memory.usage(day, time.instant()).spentMicros()).as("no spend forgotten").isEqualTo(charged)
                    .isEqualTo(400_000);
            // The drained budget is not overspent: 100,000 left, so one more worst case fits, two do not.
            guard.acquire(r).complete(TokenUsage.of(0, 10_000));
            assertThatThrownBy(() -> guard.acquire(r)).isInstanceOf(BudgetExceededException.class);
            assertThat(memory.usage(day, time.instant()).spentMicros()).isLessThanOrEqualTo(500_000);
        }
    }

    @Test
    void finding2_settlementBacklogFull_refusesNewCallsInsteadOfDroppingCharges() {
        FlakyStore store = new FlakyStore(InMemoryBudgetStore.create());
        try (AiGuard guard = guard(gpt4o().dailyBudgetUsd(1, 1).build()).budgetStore(store)
                .settlementBacklog(2, Duration.ofHours(1)).build()) {
            AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 100);
            AiPermit a = guard.acquire(r);
            AiPermit b = guard.acquire(r);
            store.down = true;
            a.complete(TokenUsage.of(0, 100));
            b.complete(TokenUsage.of(0, 100));
            store.down = false;

            assertThatThrownBy(() -> guard.acquire(r)).isInstanceOfSatisfying(BudgetStoreUnavailableException.class,
                    e -> assertThat(e.limit()).isEqualTo(AiLimit.BUDGET_STORE));
            assertThat(guard.flushSettlements()).isZero();
            guard.acquire(r).release();
        }
    }

    // ---------------------------------------------------------------------------------------- 4

    @Test
    void finding4_tenantsBypassTheModelsBudget_everyTenantCallIsChargedOnTheModelLineToo() {
        try (AiGuard guard = guard(gpt4o().dailyBudgetUsd(1, 1).build())
                .tenantBudget(BudgetLimits.daily(Usd.parse("1"), Usd.parse("1"))).build()) {
            AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 10_000); // $0.10 worst case
            int admitted = 0;
            for (int t = 0; t < 1_000; t++) {
                try {
                    guard.acquire(r.forTenant("t" + t)).complete(TokenUsage.of(0, 10_000));
                    admitted++;
                } catch (BudgetExceededException e) {
                    assertThat(e.scope()).isEqualTo("openai/gpt-4o/day");
                }
            }
            assertThat(admitted).as("a $1 model limit holds whatever the number of tenants").isEqualTo(10);
        }
    }

    @Test
    void finding4_noBudgetForTheWholeApp_appBudgetCapsEveryModelTogether() {
        try (AiGuard guard = guard(gpt4o().dailyBudgetUsd(100, 100).build(), mini().dailyBudgetUsd(100, 100).build())
                .appBudget(BudgetLimits.daily(Usd.parse("0.15"), Usd.parse("0.2"))).build()) {
            AiRequest big = AiRequest.chat("openai", "gpt-4o", 0, 10_000);      // $0.10
            AiRequest small = AiRequest.chat("openai", "gpt-4o-mini", 0, 100_000); // $0.06
            guard.acquire(big).complete(TokenUsage.of(0, 10_000));
            guard.acquire(small).complete(TokenUsage.of(0, 100_000));
            assertThatThrownBy(() -> guard.acquire(big)).isInstanceOfSatisfying(BudgetExceededException.class,
                    e -> assertThat(e.scope()).isEqualTo("app/day"));
            assertThat(guard.budgets()).filteredOn(s -> s.scope().equals("app/day")).singleElement()
                    .satisfies(s -> assertThat(s.spent()).isEqualTo(Usd.parse("0.16")));
        }
    }

    @Test
    void finding4_tenantStateIsBounded_aNewTenantBeyondMaxTenantsIsRefusedWithAReason() {
        try (AiGuard guard = guard(gpt4o().dailyBudgetUsd(1, 1).build())
                .tenantBudget(BudgetLimits.daily(Usd.parse("1"), Usd.parse("1"))).maxTenants(2).build()) {
            AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 100);
            AiPermit a = guard.acquire(r.forTenant("a"));
            guard.acquire(r.forTenant("b")).release(); // b holds nothing: it may be evicted
            AiPermit c = guard.acquire(r.forTenant("c"));

            assertThatThrownBy(() -> guard.acquire(r.forTenant("d")))
                    .isInstanceOfSatisfying(TenantLimitException.class, e -> {
                        assertThat(e.limit()).isEqualTo(AiLimit.MAX_TENANTS);
                        assertThat(e.tenant()).isEqualTo("d");
                        assertThat(e.getMessage()).contains("maxTenants=2");
                    });
            assertThat(guard.tryAcquire(r.forTenant("d"))).isEmpty();
            a.release();
            c.release();
        }
    }

    // ---------------------------------------------------------------------------------------- 5

    @Test
    void finding5_lateReportsAreLost_everyExpiredLeaseIsChargedWhenItReportsLate() {
        try (AiGuard guard = guard(gpt4o().maxConcurrent(1, Duration.ZERO).dailyBudgetUsd(1, 1).build())
                .leaseTime(Duration.ofMinutes(2)).callTimeout(Duration.ofMinutes(1)).build()) {
            AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 1_000);
            AiPermit first = guard.acquire(r);
            time.advance(Duration.ofMinutes(3));
            AiPermit second = guard.acquire(r); // reclaims the first
            time.advance(Duration.ofMinutes(3));
            AiPermit third = guard.acquire(r); // reclaims the second, in the same place

            assertThat(first.complete(TokenUsage.of(0, 1_000))).isEqualTo(Usd.ofMicros(10_000));
            assertThat(second.complete(TokenUsage.of(0, 1_000))).isEqualTo(Usd.ofMicros(10_000));
            third.complete(TokenUsage.of(0, 1_000));
            assertThat(first.complete(TokenUsage.of(0, 1_000))).as("a second report").isEqualTo(Usd.ZERO);

            assertThat(guard.budgets().get(0).spent()).isEqualTo(Usd.ofMicros(30_000));
            assertThat(guard.budgets().get(0).reserved()).isEqualTo(Usd.ZERO);
        }
    }

    @Test
    void finding5_absurdUsage_isClampedChargedAndFreesThePlace() {
        try (AiGuard guard = guard(gpt4o().maxConcurrent(1, Duration.ZERO).dailyBudgetUsd(1, 1).build()).build()) {
            AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 100);
            AiPermit p = guard.acquire(r);
            Usd cost = p.complete(TokenUsage.of(3_000_000_000L, 2_000_000_000L)); // above 1e9 tokens

            assertThat(cost.micros()).isEqualTo(3_000L * 2_500_000 + 2_000L * 10_000_000);
            assertThat(guard.budgets().get(0).spent()).isEqualTo(cost);
            // The place came back: the next call is refused by the (now spent) budget, not by concurrency.
            assertThatThrownBy(() -> guard.acquire(r)).isInstanceOf(BudgetExceededException.class);
        }
    }

    @Test
    void finding5_absurdUsageBeyondAnyPrice_saturatesInsteadOfThrowing() {
        ModelPrice price = new ModelPrice(ModelPrice.MAX_SANE_MICROS_PER_MILLION, 0, ModelPrice.MAX_SANE_MICROS_PER_MILLION, 0);
        assertThat(price.costMicros(TokenUsage.of(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2)))
                .isEqualTo(ModelPrice.MAX_CHARGE_MICROS);
        assertThat(price.worstCaseMicros(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(ModelPrice.MAX_CHARGE_MICROS);
    }

    // ---------------------------------------------------------------------------------------- 6

    @Test
    void finding6_perMinuteLimitsAllowTwoMinutesWorthInAMinute_guardAdmitsAtMostLimitPlusBurst() {
        try (AiGuard guard = guard(gpt4o().requestsPerMinute(600).maxConcurrent(4096, Duration.ZERO).build())
                .build()) {
            AiRequest r = AiRequest.chat("openai", "gpt-4o", 1, 1);
            int admitted = 0;
            for (int i = 0; i < 6_000; i++) { // a caller every 10 ms for 60 s
                Optional<AiPermit> p = guard.tryAcquire(r);
                if (p.isPresent()) {
                    admitted++;
                    p.get().complete(TokenUsage.of(1, 1));
                }
                time.advance(Duration.ofMillis(10));
            }
            assertThat(admitted).isBetween(600, 660);
        }
    }

    // ---------------------------------------------------------------------------------------- 7

    @Test
    void finding7_subMicroBudgetRoundsToZero_isRefused() {
        assertThatThrownBy(() -> gpt4o().dailyBudgetUsd(4e-7, 4e-7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("daily soft limit must be at least $0.000001: 4.0E-7");
        assertThatThrownBy(() -> BudgetLimits.daily(Usd.ZERO, Usd.parse("1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("daily soft limit must be at least $0.000001: $0.00");
    }

    @Test
    void finding7_maxValueInputTokens_overflowsPastTheContextWindowAndTpm_isRefusedInstead() {
        try (AiGuard guard = guard(gpt4o().contextWindow(128_000).build(),
                ModelPolicy.builder("openai", "unpriced").tokensPerMinute(60_000).build())
                .allowUnpricedModels(true).build()) {
            AiRequest huge = AiRequest.chat("openai", "gpt-4o", Long.MAX_VALUE, 10);
            assertThat(huge.worstCaseTokens()).isEqualTo(Long.MAX_VALUE);
            assertThatThrownBy(() -> guard.acquire(huge)).isInstanceOf(ContextWindowException.class);
            assertThatThrownBy(() -> guard.acquire(AiRequest.chat("openai", "unpriced", Long.MAX_VALUE, 10)))
                    .isInstanceOfSatisfying(RateLimitedException.class, e -> {
                        assertThat(e.limit()).isEqualTo(AiLimit.TOKENS_PER_MINUTE);
                        assertThat(e.retryAfter()).isEmpty();
                    });
        }
    }

    @Test
    void finding7_retryAfterOn503IsIgnored_itReplacesTheShorterBackoff() {
        try (AiGuard guard = guard(gpt4o().build()).build()) {
            int[] calls = {0};
            AiResult<String> result = guard.call(AiRequest.chat("openai", "gpt-4o", 10, 10), a -> {
                if (calls[0]++ == 0) {
                    return ProviderReply.httpError(503, h -> h.equalsIgnoreCase("Retry-After")
                            ? Optional.of("7") : Optional.empty());
                }
                return ProviderReply.ok("ok", TokenUsage.of(10, 10));
            });
            assertThat(result.attempts()).isEqualTo(2);
            assertThat(time.sleeps).containsExactly(Duration.ofSeconds(7));
        }
    }

    @Test
    void finding7_budgetStoreExceptionIsNotAnAiGuardException_refusalNamesProviderModelAndLimit() {
        FlakyStore store = new FlakyStore(InMemoryBudgetStore.create());
        try (AiGuard guard = guard(gpt4o().dailyBudgetUsd(1, 1).build(), mini().dailyBudgetUsd(1, 1).build())
                .fallback("openai/gpt-4o", "openai/gpt-4o-mini").budgetStore(store).retry(RetryPolicy.none())
                .build()) {
            store.down = true;
            assertThatThrownBy(() -> guard.call(AiRequest.chat("openai", "gpt-4o", 10, 10),
                    a -> ProviderReply.ok("x", TokenUsage.of(1, 1))))
                    .isInstanceOfSatisfying(BudgetStoreUnavailableException.class, e -> {
                        assertThat(e.provider()).isEqualTo("openai");
                        assertThat(e.model()).isEqualTo("gpt-4o");
                        assertThat(e.limit()).isEqualTo(AiLimit.BUDGET_STORE);
                        assertThat(e.fallbackChain()).containsExactly("openai/gpt-4o", "openai/gpt-4o-mini");
                        assertThat(e.getCause()).isInstanceOf(io.opskit.api.budget.BudgetStoreException.class);
                    });
        }
    }

    @Test
    void finding7_concurrencyFullNamesOnlyTheFirstModel_andWaitsAddUpAlongTheChain() throws Exception {
        try (AiGuard guard = guard(gpt4o().maxConcurrent(1, Duration.ofMillis(300)).build(),
                mini().maxConcurrent(1, Duration.ofMillis(300)).build())
                .fallback("openai/gpt-4o", "openai/gpt-4o-mini").build()) {
            AiPermit a = guard.acquire(AiRequest.chat("openai", "gpt-4o", 1, 1));
            AiPermit b = guard.acquire(AiRequest.chat("openai", "gpt-4o-mini", 1, 1));
            long start = System.nanoTime();
            assertThatThrownBy(() -> guard.call(AiRequest.chat("openai", "gpt-4o", 1, 1),
                    x -> ProviderReply.ok("x", TokenUsage.of(1, 1))))
                    .isInstanceOfSatisfying(ConcurrencyFullException.class, e -> {
                        assertThat(e.fallbackChain()).containsExactly("openai/gpt-4o", "openai/gpt-4o-mini");
                        assertThat(e.getMessage()).contains("openai/gpt-4o -> openai/gpt-4o-mini");
                        assertThat(e.waited()).isLessThanOrEqualTo(Duration.ofMillis(300));
                        assertThat(e.getSuppressed()).hasSize(2); // both models refused at once, then one wait
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
            a.release();
            b.release();
        }
    }

    @Test
    void tryAcquire_refusesWithoutAnException_andCountsTheRefusal() {
        try (AiGuard guard = guard(gpt4o().maxConcurrent(1, Duration.ofSeconds(5)).build()).build()) {
            AiRequest r = AiRequest.chat("openai", "gpt-4o", 1, 1);
            Optional<AiPermit> first = guard.tryAcquire(r);
            assertThat(first).isPresent();
            assertThat(guard.tryAcquire(r)).as("no wait on the shedding path").isEmpty();
            first.get().close();
            try (AiPermit again = guard.tryAcquire(r).orElseThrow()) {
                assertThat(again.model()).isEqualTo("gpt-4o");
            }
            assertThat(guard.tryAcquire(r)).isPresent();
        }
    }

    @Test
    void builder_singleValuedPropertySetTwice_throwsNamingIt() {
        assertThatThrownBy(() -> AiGuard.builder().clock(time).clock(time))
                .isInstanceOf(IllegalStateException.class).hasMessage("clock was already set");
        assertThatThrownBy(() -> AiGuard.builder().appBudget(BudgetLimits.daily(Usd.parse("1"), Usd.parse("1")))
                .appBudget(BudgetLimits.daily(Usd.parse("1"), Usd.parse("1"))))
                .isInstanceOf(IllegalStateException.class).hasMessage("appBudget was already set");
        assertThatThrownBy(() -> gpt4o().requestsPerMinute(5).requestsPerMinute(6))
                .isInstanceOf(IllegalStateException.class).hasMessage("requestsPerMinute was already set");
        assertThatThrownBy(() -> AiGuard.builder().prices(Fixtures.prices()).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("model is required: none configured");
    }

    @Test
    void notifier_isRepeatable_everyNotifierHearsEveryEvent() {
        List<String> one = new CopyOnWriteArrayList<>();
        List<String> two = new CopyOnWriteArrayList<>();
        try (AiGuard guard = guard(gpt4o().dailyBudgetUsd(0.001, 1).build())
                .notifier(e -> one.add(e.type())).notifier(e -> two.add(e.type())).build()) {
            guard.acquire(AiRequest.chat("openai", "gpt-4o", 0, 1_000)).complete(TokenUsage.of(0, 1_000));
        }
        assertThat(one).containsExactly("budget.soft_limit");
        assertThat(two).containsExactly("budget.soft_limit");
    }

    @Test
    void close_isIdempotent_andRefusesNewCalls() {
        AiGuard guard = guard(gpt4o().build()).build();
        guard.close();
        guard.close();
        assertThatThrownBy(() -> guard.acquire(AiRequest.chat("openai", "gpt-4o", 1, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessage("the AI guard is closed");
        assertThat(Map.of()).isEmpty();
    }
}
