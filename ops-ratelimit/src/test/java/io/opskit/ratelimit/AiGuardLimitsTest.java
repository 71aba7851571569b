package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.Usd;
import io.opskit.api.notify.OpsEvent;
import io.opskit.ratelimit.budget.InMemoryBudgetStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Admission limits, budgets and their events, without a provider. */
class AiGuardLimitsTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-11-21T10:00:00Z"));
    private final List<OpsEvent> events = new CopyOnWriteArrayList<>();

    private AiGuard.Builder guard(ModelPolicy policy) {
        return AiGuard.builder().prices(Fixtures.prices()).model(policy)
                .clock(time).ticker(time::nanoTime).sleeper(time.sleeper()).jitter(() -> 0.5)
                .notifier(events::add);
    }

    private static ModelPolicy.Builder gpt4o() {
        return ModelPolicy.builder("openai", "gpt-4o");
    }

    @Test
    void acquire_overRequestsPerMinute_refusesWithRetryAfter() {
        AiGuard guard = guard(gpt4o().requestsPerMinute(2, 2).build()).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 10, 10);
        guard.acquire(r).release(); // never sent: its permit comes back
        guard.acquire(r);
        guard.acquire(r);

        assertThatThrownBy(() -> guard.acquire(r)).isInstanceOfSatisfying(RateLimitedException.class, e -> {
            assertThat(e.limit().wireName()).isEqualTo("requests_per_minute");
            assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(30));
            assertThat(e.getMessage()).contains("openai/gpt-4o").contains("requests_per_minute");
        });
        time.advance(Duration.ofSeconds(30));
        guard.acquire(r);
    }

    @Test
    void acquire_overTokensPerMinute_countsEstimateThenReconcilesToUsage() {
        AiGuard guard = guard(gpt4o().tokensPerMinute(1_000, 1_000).build()).build();
        AiPermit a = guard.acquire(AiRequest.chat("openai", "gpt-4o", 300, 500)); // 800 held

        assertThatThrownBy(() -> guard.acquire(AiRequest.chat("openai", "gpt-4o", 100, 200)))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> assertThat(e.limit().wireName()).isEqualTo("tokens_per_minute"));
        complete(a, TokenUsage.of(300, 100)); // really 400: 400 given back

        guard.acquire(AiRequest.chat("openai", "gpt-4o", 100, 200));
    }

    @Test
    void acquire_estimateAboveTokensPerMinute_neverAdmitsAndSaysNoRetryAfter() {
        AiGuard guard = guard(gpt4o().tokensPerMinute(1_000).build()).build();

        assertThatThrownBy(() -> guard.acquire(AiRequest.chat("openai", "gpt-4o", 900, 200)))
                .isInstanceOfSatisfying(RateLimitedException.class, e -> assertThat(e.retryAfter()).isEmpty());
    }

    @Test
    void acquire_concurrencyFull_waitsBoundedThenRefuses() throws Exception {
        AiGuard guard = guard(gpt4o().maxConcurrent(2, Duration.ofMillis(50)).build()).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 10, 10);
        AiPermit first = guard.acquire(r);
        guard.acquire(r);

        assertThatThrownBy(() -> guard.acquire(r)).isInstanceOfSatisfying(ConcurrencyFullException.class, e -> {
            assertThat(e.limit().wireName()).isEqualTo("max_concurrent");
            assertThat(e.getMessage()).contains("2 calls in flight").contains("waited 50 ms");
        });
        complete(first, TokenUsage.of(10, 10));
        guard.acquire(r);
    }

    @Test
    void acquire_concurrencyFull_admitsWhenPlaceFreesDuringWait() throws Exception {
        AiGuard guard = guard(gpt4o().maxConcurrent(1, Duration.ofSeconds(10)).build()).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 10, 10);
        AiPermit held = guard.acquire(r);
        CountDownLatch admitted = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            guard.acquire(r).release();
            admitted.countDown();
        });
        waiter.start();
        held.release();

        assertThat(admitted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void concurrentCalls_neverExceedMaxConcurrent() throws Exception {
        AiGuard guard = guard(gpt4o().maxConcurrent(3, Duration.ofSeconds(5)).build()).build();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger worst = new AtomicInteger();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    guard.call(AiRequest.chat("openai", "gpt-4o", 10, 10), attempt -> {
                        worst.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        Thread.yield();
                        inside.decrementAndGet();
                        return ProviderReply.ok("ok", TokenUsage.of(10, 10));
                    });
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(worst.get()).isBetween(1, 3);
    }

    @Test
    void concurrentAdmissions_inMemoryBudget_chargeExactlyAndNeverPassTheHardLimit() throws Exception {
        // Worst case 100 * 2.5 + 100 * 10 = 1,250 micro-USD a call; a budget for about 800 of them.
        AiGuard guard = guard(gpt4o().maxConcurrent(3, Duration.ofSeconds(5)).tokensPerMinute(1_000_000_000)
                .dailyBudgetUsd(0.5, 1.0).build()).build();
        java.util.concurrent.atomic.AtomicLong charged = new java.util.concurrent.atomic.AtomicLong();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger worst = new AtomicInteger();
        AtomicInteger refusedForBudget = new AtomicInteger();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            int seed = t;
            threads[t] = new Thread(() -> {
                java.util.Random random = new java.util.Random(seed);
                for (int i = 0; i < 400; i++) {
                    AiPermit stamp;
                    try {
                        stamp = guard.acquire(AiRequest.chat("openai", "gpt-4o", 100, 100));
                    } catch (BudgetExceededException e) {
                        refusedForBudget.incrementAndGet();
                        continue;
                    }
                    worst.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    inside.decrementAndGet();
                    if (random.nextInt(5) == 0) {
                        stamp.release(); // never sent: nothing charged
                    } else {
                        charged.addAndGet(complete(stamp, TokenUsage.of(100, random.nextInt(101))));
                    }
                    assertThat(complete(stamp, TokenUsage.of(100, 100))).as("a second report charges nothing")
                            .isZero();
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        BudgetStatus day = guard.budgets().get(0);
        assertThat(refusedForBudget.get()).as("the budget ran out").isPositive();
        assertThat(charged.get()).isLessThanOrEqualTo(1_000_000);
        assertThat(day.spent().micros()).as("spend is the sum of what was charged").isEqualTo(charged.get());
        assertThat(day.reserved().micros()).as("nothing stays held").isZero();
        assertThat(worst.get()).isBetween(1, 3);
        assertThat(events).extracting(OpsEvent::type).containsOnlyOnce("budget.soft_limit");
    }

    @Test
    void call_overHardBudget_refusesBeforeCallingAndNamesRemaining() {
        // worst case per call: 1000 * 2.5 + 1000 * 10 = 12,500 micro-USD; hard limit 0.03 USD
        AiGuard guard = guard(gpt4o().dailyBudgetUsd(0.02, 0.03).build()).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 1_000, 1_000);
        AtomicInteger sent = new AtomicInteger();
        AiCall<String> call = attempt -> {
            sent.incrementAndGet();
            return ProviderReply.ok("ok", TokenUsage.of(1_000, 1_000));
        };
        guard.call(r, call);
        guard.call(r, call);

        assertThatThrownBy(() -> guard.call(r, call)).isInstanceOfSatisfying(BudgetExceededException.class, e -> {
            assertThat(e.limit().wireName()).isEqualTo("daily_budget");
            assertThat(e.remaining().micros()).isEqualTo(5_000);
            assertThat(e.required().micros()).isEqualTo(12_500);
            assertThat(e.retryAfter()).hasValue(Duration.ofHours(14)); // until midnight UTC
            assertThat(e.getMessage()).contains("openai/gpt-4o").contains("daily_budget").contains("$0.005 left");
        });
        assertThat(sent).hasValue(2);
    }

    @Test
    void call_crossesSoftLimit_warnsOncePerPeriod() {
        AiGuard guard = guard(gpt4o().dailyBudgetUsd(0.02, 1).build()).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 1_000, 1_000);
        AiCall<String> call = attempt -> ProviderReply.ok("ok", TokenUsage.of(1_000, 1_000));
        for (int i = 0; i < 5; i++) {
            guard.call(r, call);
        }
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("budget.soft_limit");
            assertThat(e.source()).isEqualTo("budget:openai/gpt-4o/day");
            assertThat(e.labels()).containsEntry("period", "2026-11-21");
        });

        time.advance(Duration.ofDays(1));
        for (int i = 0; i < 3; i++) {
            guard.call(r, call);
        }
        assertThat(events).hasSize(2);
        assertThat(events.get(1).labels()).containsEntry("period", "2026-11-22");
    }

    @Test
    void call_budgetRefusal_announcesHardLimitOnce() {
        AiGuard guard = guard(gpt4o().dailyBudgetUsd(0.01, 0.01).build()).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 900); // 9,000 micro-USD worst case
        guard.call(r, a -> ProviderReply.ok("ok", TokenUsage.of(0, 900)));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> guard.call(r, a -> ProviderReply.ok("ok", TokenUsage.of(0, 1))))
                    .isInstanceOf(BudgetExceededException.class);
        }
        assertThat(events).filteredOn(e -> e.type().equals("budget.hard_limit")).hasSize(1);
    }

    @Test
    void call_tenantBudgets_areSeparate() {
        AiGuard guard = guard(gpt4o().dailyBudgetUsd(1, 1).build())
                .tenantBudget(BudgetLimits.daily(Usd.parse("0.01"), Usd.parse("0.01"))).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 900);
        AiCall<String> call = a -> ProviderReply.ok("ok", TokenUsage.of(0, 900));
        guard.call(r.forTenant("acme"), call);
        assertThatThrownBy(() -> guard.call(r.forTenant("acme"), call)).isInstanceOf(BudgetExceededException.class);

        guard.call(r.forTenant("globex"), call);
        assertThat(guard.budgets()).extracting(BudgetStatus::scope)
                .contains("openai/gpt-4o/day", "tenant/acme/day", "tenant/globex/day");
    }

    @Test
    void call_primaryOverBudget_fallsBackToCheaperModel() {
        AiGuard guard = AiGuard.builder().prices(Fixtures.prices())
                .model(gpt4o().dailyBudgetUsd(0.01, 0.01).build())
                .model(ModelPolicy.builder("openai", "gpt-4o-mini").dailyBudgetUsd(1, 1).build())
                .fallback("openai/gpt-4o", "openai/gpt-4o-mini")
                .clock(time).ticker(time::nanoTime).sleeper(time.sleeper()).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 900);
        AiCall<String> call = a -> ProviderReply.ok(a.model(), TokenUsage.of(0, 900));

        assertThat(guard.call(r, call).model()).isEqualTo("gpt-4o");
        assertThat(guard.call(r, call).value()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void call_fallbackContextWindowTooSmall_isSkipped() {
        AiGuard guard = AiGuard.builder().prices(Fixtures.prices())
                .model(gpt4o().requestsPerMinute(1).contextWindow(128_000).build())
                .model(ModelPolicy.builder("openai", "gpt-4o-mini").contextWindow(8_000).build())
                .fallback("openai/gpt-4o", "openai/gpt-4o-mini")
                .clock(time).ticker(time::nanoTime).sleeper(time.sleeper()).retry(RetryPolicy.none()).build();
        AiRequest big = AiRequest.chat("openai", "gpt-4o", 20_000, 1_000);
        AiCall<String> call = a -> ProviderReply.ok(a.model(), TokenUsage.of(20_000, 10));
        guard.call(big, call);

        assertThatThrownBy(() -> guard.call(big, call)).isInstanceOfSatisfying(RateLimitedException.class,
                e -> assertThat(e.model()).isEqualTo("gpt-4o"));
        assertThat(guard.call(AiRequest.chat("openai", "gpt-4o", 1_000, 100), call).value()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void forgottenStamp_isReclaimedAfterLease() {
        AiGuard guard = guard(gpt4o().maxConcurrent(1, Duration.ZERO).dailyBudgetUsd(0.01, 0.01).build())
                .leaseTime(Duration.ofMinutes(2)).callTimeout(Duration.ofMinutes(1)).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 900);
        AiPermit forgotten = guard.acquire(r);
        assertThatThrownBy(() -> guard.acquire(r)).isInstanceOf(ConcurrencyFullException.class);

        time.advance(Duration.ofMinutes(2).plusMillis(1));
        AiPermit next = guard.acquire(r);

        assertThat(guard.budgets().get(0).reserved().micros()).isEqualTo(9_000);
        // The stale stamp must not settle the new holder's call; its late usage is still charged.
        assertThat(complete(forgotten, TokenUsage.of(0, 100))).isEqualTo(1_000);
        assertThat(guard.budgets().get(0).reserved().micros()).isEqualTo(9_000);
        assertThat(guard.budgets().get(0).spent().micros()).isEqualTo(1_000);
        complete(next, TokenUsage.of(0, 100));
        assertThat(guard.budgets().get(0).spent().micros()).isEqualTo(2_000);
        assertThat(guard.budgets().get(0).reserved().micros()).isZero();
    }

    @Test
    void sharedStore_forgottenStampExpires_andLateUsageIsStillCharged() {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        AiGuard guard = guard(gpt4o().maxConcurrent(1, Duration.ZERO).dailyBudgetUsd(0.01, 0.01).build())
                .budgetStore(store).leaseTime(Duration.ofMinutes(2)).callTimeout(Duration.ofMinutes(1)).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 900); // 9,000 micro-USD worst case
        AiPermit forgotten = guard.acquire(r);
        assertThatThrownBy(() -> guard.acquire(r)).isInstanceOf(ConcurrencyFullException.class);

        time.advance(Duration.ofMinutes(2).plusSeconds(1));
        AiPermit next = guard.acquire(r);
        assertThat(complete(forgotten, TokenUsage.of(0, 50))).isEqualTo(500);
        complete(next, TokenUsage.of(0, 100));

        BudgetStatus day = guard.budgets().get(0);
        assertThat(day.spent().micros()).isEqualTo(1_500);
        assertThat(day.reserved().micros()).isZero();
    }

    @Test
    void pauseWholeProvider_429PausesEveryModelOfTheProvider() {
        AiGuard guard = AiGuard.builder().prices(Fixtures.prices())
                .model(gpt4o().build()).model(ModelPolicy.builder("openai", "gpt-4o-mini").build())
                .fallback("openai/gpt-4o", "openai/gpt-4o-mini").pauseWholeProvider(true)
                .clock(time).ticker(time::nanoTime).sleeper(time.sleeper()).retry(RetryPolicy.none()).build();
        AtomicInteger sent = new AtomicInteger();

        assertThatThrownBy(() -> guard.call(AiRequest.chat("openai", "gpt-4o", 10, 10), a -> {
            sent.incrementAndGet();
            return ProviderReply.httpError(429, name -> name.equals("Retry-After")
                    ? java.util.Optional.of("30") : java.util.Optional.empty());
        })).isInstanceOf(RateLimitedException.class);

        assertThat(sent).hasValue(1);
        assertThatThrownBy(() -> guard.acquire(AiRequest.chat("openai", "gpt-4o-mini", 10, 10)))
                .isInstanceOfSatisfying(RateLimitedException.class,
                        e -> assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(30)));
    }

    @Test
    void stamp_endedTwice_secondIsIgnored() {
        AiGuard guard = guard(gpt4o().dailyBudgetUsd(1, 1).build()).build();
        AiPermit stamp = guard.acquire(AiRequest.chat("openai", "gpt-4o", 0, 100));
        complete(stamp, TokenUsage.of(0, 100));
        stamp.release();
        complete(stamp, TokenUsage.of(0, 0));

        assertThat(guard.budgets().get(0).spent().micros()).isEqualTo(1_000);
    }

    @Test
    void sharedStore_twoGuardsAsTwoInstances_neverOverspend() throws Exception {
        InMemoryBudgetStore store = InMemoryBudgetStore.create();
        AiGuard a = guard(gpt4o().dailyBudgetUsd(0.05, 0.1).build()).budgetStore(store).build();
        AiGuard b = guard(gpt4o().dailyBudgetUsd(0.05, 0.1).build()).budgetStore(store).build();
        AiRequest r = AiRequest.chat("openai", "gpt-4o", 0, 1_000); // 10,000 worst case
        AtomicInteger admitted = new AtomicInteger();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            AiGuard g = t % 2 == 0 ? a : b;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    try {
                        g.call(r, x -> ProviderReply.ok("ok", TokenUsage.of(0, 1_000)));
                        admitted.incrementAndGet();
                    } catch (BudgetExceededException | ConcurrencyFullException refused) {
                        // expected once the shared budget is gone
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(admitted).hasValue(10);
        assertThat(a.budgets().get(0).spent().micros()).isEqualTo(100_000);
        assertThat(b.budgets().get(0).spent().micros()).isEqualTo(100_000);
    }

    private static long complete(AiPermit permit, TokenUsage usage) {
        return permit.complete(usage).micros();
    }
}
