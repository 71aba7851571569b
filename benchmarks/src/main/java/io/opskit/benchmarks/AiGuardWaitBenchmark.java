package io.opskit.benchmarks;

import io.opskit.ratelimit.AiGuard;
import io.opskit.ratelimit.AiPermit;
import io.opskit.ratelimit.AiRequest;
import io.opskit.ratelimit.ModelPolicy;
import io.opskit.ratelimit.PriceTable;
import io.opskit.ratelimit.TokenUsage;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What waiting for a concurrency place costs: {@code maxConcurrent(3, 60 s)}, calls that hold their
 * place for 1 s, and N callers queued behind them. The waiters are started one by one, each only
 * once the previous one is parked, so the arrival order is known; then the process CPU time is
 * read over a 10 s window in which the places turn over (3 calls a second). Prints a JSON summary:
 * CPU as a percentage of one core, callers served, and the worst reordering (how far a caller was
 * served from its arrival position).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.opskit.benchmarks.AiGuardWaitBenchmark 100 1000
 * </pre>
 */
public final class AiGuardWaitBenchmark {

    private static final String PRICES = """
            {"format": 1, "version": "bench", "asOf": "2026-11-01", "unit": "micro-usd-per-million-tokens",
             "models": {"openai/gpt-4o": {"input": 2500000, "cachedInput": 1250000, "output": 10000000}}}
            """;

    private AiGuardWaitBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> results = new ArrayList<>();
        for (String arg : args.length == 0 ? new String[] {"100", "1000"} : args) {
            results.add(run(Integer.parseInt(arg), Duration.ofSeconds(10)));
        }
        System.out.println("[\n  " + String.join(",\n  ", results) + "\n]");
    }

    private static String run(int waiters, Duration window) throws Exception {
        try (AiGuard guard = AiGuard.builder().prices(PriceTable.fromJson(PRICES))
                .model(ModelPolicy.builder("openai", "gpt-4o").maxConcurrent(3, Duration.ofSeconds(60)).build())
                .build()) {
            AiRequest request = AiRequest.chat("openai", "gpt-4o", 100, 100);
            List<Integer> served = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = -3; i < waiters; i++) { // three holders first, then the queue
                int arrival = i;
                Thread t = new Thread(() -> {
                    AiPermit permit;
                    try {
                        permit = guard.acquire(request);
                    } catch (RuntimeException refused) {
                        return; // interrupted at the end of the window
                    }
                    if (arrival >= 0) {
                        served.add(arrival);
                    }
                    try {
                        Thread.sleep(1_000); // the provider call
                        permit.complete(TokenUsage.of(100, 100));
                    } catch (InterruptedException e) {
                        permit.release();
                    }
                }, "caller-" + i);
                t.setDaemon(true);
                t.start();
                if (arrival >= 0) {
                    while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
                        Thread.onSpinWait();
                    }
                }
                threads.add(t);
            }
            Thread.sleep(200); // let the start-up settle before measuring
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            int served0 = served.size();
            Thread.sleep(window.toMillis());
            long cpu = os.getProcessCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            int servedInWindow = served.size() - served0;
            // Measured before the interrupts: an interrupted waiter leaves the queue, and whoever is
            // served after that would look overtaken.
            List<Integer> order = List.copyOf(served);
            threads.forEach(Thread::interrupt);
            for (Thread t : threads) {
                t.join(5_000);
            }
            int worst = 0;
            for (int pos = 0; pos < order.size(); pos++) {
                worst = Math.max(worst, Math.abs(order.get(pos) - pos));
            }
            return String.format(Locale.ROOT,
                    "{\"waiters\": %d, \"windowSeconds\": %.1f, \"processCpuPercentOfOneCore\": %.2f, "
                            + "\"servedInWindow\": %d, \"servedTotal\": %d, \"worstReordering\": %d}",
                    waiters, wall / 1e9, 100.0 * cpu / wall, servedInWindow, order.size(), worst);
        }
    }
}
