package io.opskit.ratelimit.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.budget.Admission;
import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Random interleavings of reserve, reconcile, release and the passing of time, checked against a
 * plain model of what the budget must be after every step.
 */
class InMemoryBudgetStoreProperties {

    private static final BudgetKey KEY = new BudgetKey("openai/gpt-4o/day", "2026-11-21");
    private static final Instant START = Instant.parse("2026-11-21T10:00:00Z");

    sealed interface Step permits Reserve, Reconcile, Release, Advance {
    }

    record Reserve(int id, long amount, int leaseSeconds) implements Step {
    }

    record Reconcile(int id, long actual) implements Step {
    }

    record Release(int id) implements Step {
    }

    record Advance(int seconds) implements Step {
    }

    /** What the store must hold: open holds by id, with their amounts and lease ends. */
    private record ModelHold(long amount, Instant leaseUntil) {
    }

    @Property(tries = 300)
    void anyInterleaving_budgetMatchesModelAndNeverOverAdmits(
            @ForAll("steps") List<Step> steps, @ForAll @LongRange(min = 0, max = 5_000) long limit) {
        InMemoryBudgetStore store = InMemoryBudgetStore.builder().expiredRetention(Duration.ofDays(1)).build();
        Map<String, ModelHold> holds = new HashMap<>();
        long spent = 0;
        Instant now = START;

        for (Step step : steps) {
            if (step instanceof Reserve r) {
                String id = "r" + r.id();
                long openReserved = open(holds, now);
                boolean known = holds.containsKey(id);
                Admission admission = store.reserve(KEY, id, r.amount(), limit, now,
                        now.plusSeconds(r.leaseSeconds()));
                if (known) {
                    boolean stillOpen = holds.get(id).leaseUntil().isAfter(now);
                    assertThat(admission.admitted()).isEqualTo(stillOpen);
                } else {
                    boolean fits = spent + openReserved + r.amount() <= limit;
                    assertThat(admission.admitted()).as("decision for %s", r).isEqualTo(fits);
                    if (fits) {
                        holds.put(id, new ModelHold(r.amount(), now.plusSeconds(r.leaseSeconds())));
                        // at admission, spent + reserved never exceeds the limit
                        assertThat(admission.spentMicros() + admission.reservedMicros()).isLessThanOrEqualTo(limit);
                    }
                }
            } else if (step instanceof Reconcile c) {
                String id = "r" + c.id();
                store.reconcile(KEY, id, c.actual(), now);
                if (holds.remove(id) != null) {
                    spent += c.actual();
                }
            } else if (step instanceof Release rel) {
                String id = "r" + rel.id();
                store.release(KEY, id);
                holds.remove(id);
            } else if (step instanceof Advance a) {
                now = now.plusSeconds(a.seconds());
            }
            BudgetUsage usage = store.usage(KEY, now);
            assertThat(usage.spentMicros()).as("reconciled spend is exact").isEqualTo(spent);
            assertThat(usage.reservedMicros()).as("only open, unexpired holds count").isEqualTo(open(holds, now));
        }

        // Once every lease has ended, only reconciled spend is left: nothing leaks.
        Instant afterAllLeases = now.plusSeconds(3_600);
        assertThat(store.usage(KEY, afterAllLeases)).isEqualTo(new BudgetUsage(KEY, spent, 0));
    }

    private static long open(Map<String, ModelHold> holds, Instant now) {
        return holds.values().stream().filter(h -> h.leaseUntil().isAfter(now)).mapToLong(ModelHold::amount).sum();
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> ids = Arbitraries.integers().between(0, 12);
        Arbitrary<Step> reserve = Combinators.combine(ids, Arbitraries.longs().between(0, 2_000),
                Arbitraries.integers().between(1, 120)).as(Reserve::new);
        Arbitrary<Step> reconcile = Combinators.combine(ids, Arbitraries.longs().between(0, 2_500))
                .as(Reconcile::new);
        Arbitrary<Step> release = ids.map(Release::new);
        Arbitrary<Step> advance = Arbitraries.integers().between(1, 90).map(Advance::new);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(5, reserve),
                        net.jqwik.api.Tuple.of(3, reconcile),
                        net.jqwik.api.Tuple.of(1, release),
                        net.jqwik.api.Tuple.of(2, advance))
                .list().ofMaxSize(60);
    }
}
