package io.opskit.ratelimit.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.budget.BudgetKey;
import io.opskit.api.budget.BudgetUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.LongRange;

/**
 * Several sliced instances share one budget through one shared store; random reserve, reconcile,
 * release, time and crashes. The money really spent never exceeds the documented bound:
 * {@code limit + crashedSlices × sliceMicros} (calls never cost more than reserved here), and
 * {@code limit} itself when every report is checkpointed.
 */
class SlicedBudgetStoreProperties {

    private static final BudgetKey KEY = new BudgetKey("openai/gpt-4o/day", "2026-11-21");
    private static final Instant START = Instant.parse("2026-11-21T10:00:00Z");
    private static final long SLICE = 1_000;
    private static final int INSTANCES = 3;

    sealed interface Step permits Reserve, Finish, Advance, Crash {
    }

    record Reserve(int instance, long amount, int leaseSeconds) implements Step {
    }

    /** Finishes the n-th open call: reconcile with a share of its reservation, or release. */
    record Finish(int nth, int percentSpent, boolean release) implements Step {
    }

    record Advance(int seconds) implements Step {
    }

    record Crash(int instance) implements Step {
    }

    private record Call(int instance, int generation, String id, long amount) {
    }

    @Property(tries = 200)
    void anyInterleavingWithCrashes_spendStaysWithinDocumentedBound(
            @ForAll("steps") List<Step> steps, @ForAll @LongRange(min = 0, max = 20_000) long limit) {
        run(steps, limit, Duration.ofSeconds(1));
    }

    /**
     * With every report checkpointed, a crash loses nothing: the money spent never exceeds the
     * limit, and the shared store ends up with exactly the spend reported, crashed holders' too.
     */
    @Property(tries = 200)
    void anyInterleavingWithCrashes_everyReportCheckpointed_neverOverspendsAndRecordsEverySpend(
            @ForAll("steps") List<Step> steps, @ForAll @LongRange(min = 0, max = 20_000) long limit) {
        run(steps, limit, Duration.ZERO);
    }

    private static void run(List<Step> steps, long limit, Duration checkpointInterval) {
        boolean everyReport = checkpointInterval.isZero();
        InMemoryBudgetStore shared = InMemoryBudgetStore.builder().expiredRetention(Duration.ofDays(1)).build();
        SlicedBudgetStore[] instances = new SlicedBudgetStore[INSTANCES];
        int[] generation = new int[INSTANCES];
        for (int i = 0; i < INSTANCES; i++) {
            instances[i] = newInstance(shared, checkpointInterval);
        }
        List<Call> open = new ArrayList<>();
        Map<Integer, Long> spentPerInstanceSinceSlice = new HashMap<>();
        long trueSpend = 0;
        long crashesWithSpendOrHolds = 0;
        int counter = 0;
        Instant now = START;

        for (Step step : steps) {
            if (step instanceof Reserve r) {
                String id = "c" + counter++;
                if (instances[r.instance()].reserve(KEY, id, r.amount(), limit, now,
                        now.plusSeconds(r.leaseSeconds())).admitted()) {
                    open.add(new Call(r.instance(), generation[r.instance()], id, r.amount()));
                }
            } else if (step instanceof Finish f && !open.isEmpty()) {
                Call call = open.remove(f.nth() % open.size());
                if (call.generation() != generation[call.instance()]) {
                    continue; // its process died with it
                }
                if (f.release()) {
                    instances[call.instance()].release(KEY, call.id());
                } else {
                    long actual = call.amount() * f.percentSpent() / 100;
                    instances[call.instance()].reconcile(KEY, call.id(), actual, now);
                    trueSpend += actual;
                    spentPerInstanceSinceSlice.merge(call.instance(), actual, Long::sum);
                }
            } else if (step instanceof Advance a) {
                now = now.plusSeconds(a.seconds());
                for (SlicedBudgetStore instance : instances) {
                    instance.settleDue(now);
                }
            } else if (step instanceof Crash c) {
                crashesWithSpendOrHolds++;
                generation[c.instance()]++;
                instances[c.instance()] = newInstance(shared, checkpointInterval);
            }
            assertThat(trueSpend).as("money spent")
                    .isLessThanOrEqualTo(limit + (everyReport ? 0 : crashesWithSpendOrHolds * SLICE));
        }
        if (crashesWithSpendOrHolds == 0 || everyReport) {
            assertThat(trueSpend).isLessThanOrEqualTo(limit);
            Instant end = now.plusSeconds(3_600);
            for (SlicedBudgetStore instance : instances) {
                instance.settleDue(end);
            }
            for (Call call : open) {
                if (call.generation() == generation[call.instance()]) {
                    instances[call.instance()].release(KEY, call.id());
                }
            }
            assertThat(shared.usage(KEY, end)).as("every slice returned, all spend recorded")
                    .isEqualTo(new BudgetUsage(KEY, trueSpend, 0));
        }
    }

    private static SlicedBudgetStore newInstance(InMemoryBudgetStore shared, Duration checkpointInterval) {
        return SlicedBudgetStore.builder(shared).sliceMicros(SLICE).sliceLease(Duration.ofSeconds(120))
                .settleMargin(Duration.ofSeconds(30)).checkpointInterval(checkpointInterval)
                .clock(Clock.fixed(START, ZoneOffset.UTC)).build();
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> instance = Arbitraries.integers().between(0, INSTANCES - 1);
        Arbitrary<Step> reserve = Combinators.combine(instance, Arbitraries.longs().between(0, 1_500),
                Arbitraries.integers().between(1, 300)).as(Reserve::new);
        Arbitrary<Step> finish = Combinators.combine(Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(0, 100), Arbitraries.of(true, false, false, false)).as(Finish::new);
        Arbitrary<Step> advance = Arbitraries.integers().between(1, 14).map(Advance::new);
        Arbitrary<Step> crash = instance.map(Crash::new);
        return Arbitraries.frequencyOf(
                        Tuple.of(6, reserve),
                        Tuple.of(5, finish),
                        Tuple.of(2, advance),
                        Tuple.of(1, crash))
                .list().ofMaxSize(80);
    }
}
