package io.opskit.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.Usd;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetUsage;
import io.opskit.ratelimit.budget.InMemoryBudgetStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Any interleaving of admissions, settlements, lease expiries, late reports and store failures
 * never loses a charge and never admits beyond any line of the hierarchy.
 */
class GuardProperties {

    enum Op { ACQUIRE_A, ACQUIRE_B, COMPLETE, RELEASE, EXPIRE_TIME, LATE_REPORT, STORE_DOWN, STORE_UP }

    private static final long APP_HARD = 60_000;
    private static final long MODEL_HARD = 50_000;
    private static final long TENANT_HARD = 30_000;

    @Property(tries = 150)
    void anyInterleaving_neverLosesACharge_andNeverAdmitsBeyondAnyLine(
            @ForAll @Size(min = 1, max = 120) List<@IntRange(min = 0, max = 7) Integer> ops,
            @ForAll @IntRange(min = 1, max = 4) int maxConcurrent,
            @ForAll @IntRange(min = 0, max = 900) int usedOutput,
            @ForAll boolean shared) {
        FakeTime time = new FakeTime(Instant.parse("2026-11-21T10:00:00Z"));
        InMemoryBudgetStore memory = InMemoryBudgetStore.create();
        FlakyStore store = new FlakyStore(memory);
        AiGuard.Builder b = AiGuard.builder().prices(Fixtures.prices())
                .model(ModelPolicy.builder("openai", "gpt-4o").maxConcurrent(maxConcurrent, Duration.ZERO)
                        .budget(BudgetLimits.daily(Usd.ofMicros(MODEL_HARD), Usd.ofMicros(MODEL_HARD))).build())
                .appBudget(BudgetLimits.daily(Usd.ofMicros(APP_HARD), Usd.ofMicros(APP_HARD)))
                .tenantBudget(BudgetLimits.daily(Usd.ofMicros(TENANT_HARD), Usd.ofMicros(TENANT_HARD)))
                .leaseTime(Duration.ofMinutes(2)).callTimeout(Duration.ofMinutes(1))
                .clock(time).ticker(time::nanoTime);
        if (shared) {
            b.budgetStore(store).settlementBacklog(1_000_000, Duration.ofHours(1));
        }
        AiRequest request = AiRequest.chat("openai", "gpt-4o", 100, 900); // 9,250 micro-USD worst case
        List<AiPermit> open = new ArrayList<>();
        List<AiPermit> expired = new ArrayList<>();
        long charged = 0;
        long late = 0;
        try (AiGuard guard = b.build()) {
            for (int code : ops) {
                switch (Op.values()[code]) {
                    case ACQUIRE_A, ACQUIRE_B -> {
                        String tenant = Op.values()[code] == Op.ACQUIRE_A ? "a" : "b";
                        Optional<AiPermit> p = guard.tryAcquire(request.forTenant(tenant));
                        p.ifPresent(open::add);
                    }
                    case COMPLETE -> {
                        if (!open.isEmpty()) {
                            charged += open.remove(0).complete(TokenUsage.of(100, usedOutput)).micros();
                        }
                    }
                    case RELEASE -> {
                        if (!open.isEmpty()) {
                            open.remove(open.size() - 1).release();
                        }
                    }
                    case EXPIRE_TIME -> {
                        time.advance(Duration.ofMinutes(3)); // every open lease ends unreported
                        expired.addAll(open);
                        open.clear();
                        guard.tryAcquire(request).ifPresent(AiPermit::release); // an admission sweeps
                    }
                    case LATE_REPORT -> {
                        if (!expired.isEmpty()) {
                            long cost = expired.remove(0).complete(TokenUsage.of(100, usedOutput)).micros();
                            charged += cost;
                            late += cost;
                        }
                    }
                    case STORE_DOWN -> store.down = true;
                    case STORE_UP -> store.down = false;
                }
                assertThat(open).hasSizeLessThanOrEqualTo(maxConcurrent);
                if (!store.down) {
                    guard.flushSettlements();
                    for (BudgetStatus s : guard.budgets()) {
                        long limit = s.scope().startsWith("app") ? APP_HARD
                                : s.scope().startsWith("tenant") ? TENANT_HARD : MODEL_HARD;
                        // A late report is charged whatever the limit: the money was spent.
                        assertThat(s.spent().micros() + s.reserved().micros()).as(s.scope())
                                .isLessThanOrEqualTo(limit + late);
                    }
                }
            }
            for (AiPermit p : open) {
                charged += p.complete(TokenUsage.of(100, usedOutput)).micros();
            }
            store.down = false;
            assertThat(guard.flushSettlements()).isZero();
            Map<String, Long> spent = new java.util.HashMap<>();
            for (BudgetStatus s : guard.budgets()) {
                spent.put(s.scope(), s.spent().micros());
                assertThat(s.reserved().micros()).as("nothing stays held: " + s.scope()).isZero();
            }
            // Every day passes the same calls: the app line was charged exactly what the callers were.
            long appSpent = 0;
            for (String day : days(time)) {
                appSpent += shared ? usage(memory, "app/day", day).spentMicros() : 0;
            }
            if (shared) {
                assertThat(appSpent).as("no charge lost in the store").isEqualTo(charged);
            } else {
                assertThat(spent.get("app/day")).as("no charge lost in memory").isEqualTo(charged);
            }
        }
    }

    private static List<String> days(FakeTime time) {
        List<String> out = new ArrayList<>();
        Instant start = Instant.parse("2026-11-21T00:00:00Z");
        for (Instant d = start; !d.isAfter(time.instant()); d = d.plus(Duration.ofDays(1))) {
            out.add(d.toString().substring(0, 10));
        }
        return out;
    }

    private static BudgetUsage usage(InMemoryBudgetStore store, String scope, String day) {
        return store.usage(new BudgetKey(scope, day), Instant.parse(day + "T23:59:59Z"));
    }
}
