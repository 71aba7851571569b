package io.opskit.ratelimit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.opskit.api.Usd;
import io.opskit.ratelimit.budget.JdbcBudgetStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One replica of a host for {@link GuardFaultTest}: an {@link AiGuard} on a {@link JdbcBudgetStore}
 * with {@code threads} callers making calls to a stand-in provider without pause. The database URL
 * (with any password) comes from the environment, never from the command line.
 *
 * <p>Protocol on stdout (other lines are log output): {@code READY}, then every 100 ms
 * {@code TICK admitted budgetRefused storeRefused otherRefused spentMicros pendingSettlements}, and
 * {@code DONE admitted spentMicros pendingSettlements} after it stopped. On stdin: {@code GO}
 * starts the callers when the process was told to wait for it, {@code DRAIN}
 * switches the callers to calls about a thousand times more expensive that cost their worst case,
 * so that the budget runs out; the
 * end of input stops the callers, delivers every settlement still waiting and exits.
 */
public final class GuardReplicaProcess {

    static final String PROVIDER = "openai";
    static final String MODEL = "gpt-4o-mini";
    /** Both the app's and the model's daily hard limit. */
    static final long HARD_LIMIT_MICROS = 2_000_000;
    /** gpt-4o-mini at $0.15 / $0.60 per million tokens: worst case 15 + 60 micro-USD. */
    static final AiRequest SMALL = AiRequest.chat(PROVIDER, MODEL, 100, 100);
    /** Worst case 150 + 60,000 micro-USD. */
    static final AiRequest BIG = AiRequest.chat(PROVIDER, MODEL, 1_000, 100_000);
    static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(4);

    private static final LongAdder ADMITTED = new LongAdder();
    private static final LongAdder BUDGET_REFUSED = new LongAdder();
    private static final LongAdder STORE_REFUSED = new LongAdder();
    private static final LongAdder OTHER_REFUSED = new LongAdder();
    private static final LongAdder SPENT = new LongAdder();
    private static volatile boolean drain;
    private static volatile boolean running = true;

    private GuardReplicaProcess() {
    }

    /** Arguments: table prefix, number of calling threads, and {@code go} to start calling on a {@code GO} line. */
    public static void main(String[] args) throws Exception {
        String prefix = args[0];
        int threads = Integer.parseInt(args[1]);
        boolean waitForGo = args.length > 2 && args[2].equals("go");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(System.getenv("OPSKIT_GUARD_TEST_URL"));
        config.setMaximumPoolSize(3);
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(10_000);
        try (HikariDataSource pool = new HikariDataSource(config);
             JdbcBudgetStore store = JdbcBudgetStore.builder(pool).tablePrefix(prefix)
                     .operationTimeout(OPERATION_TIMEOUT).build()) {
            AiGuard guard = AiGuard.builder().prices(Fixtures.prices())
                    .model(ModelPolicy.builder(PROVIDER, MODEL).maxConcurrent(threads, Duration.ofSeconds(30))
                            .dailyBudgetUsd(1.5, HARD_LIMIT_MICROS / 1e6).build())
                    .appBudget(BudgetLimits.daily(Usd.ofMicros(1_500_000), Usd.ofMicros(HARD_LIMIT_MICROS)))
                    .budgetStore(store)
                    .retry(RetryPolicy.none())
                    .build();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                callers.add(new Thread(() -> callUntilStopped(guard), "caller-" + i));
            }
            if (!waitForGo) {
                callers.forEach(Thread::start);
            }
            Thread ticker = new Thread(() -> {
                while (running) {
                    tick(guard);
                    try {
                        Thread.sleep(100); // the heartbeat's period, not a wait for the test
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "ticker");
            ticker.setDaemon(true);
            System.out.println("READY");
            System.out.flush();
            ticker.start();

            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("DRAIN")) {
                    drain = true;
                } else if (line.equals("GO") && waitForGo) {
                    callers.forEach(Thread::start);
                }
            }
            running = false;
            long stopping = System.nanoTime();
            for (Thread t : callers) {
                if (t.isAlive()) {
                    t.join(TimeUnit.SECONDS.toMillis(60));
                }
            }
            System.out.printf("callers stopped in %.1f s, %d settlements pending%n",
                    (System.nanoTime() - stopping) / 1e9, guard.pendingSettlements());
            int pending = guard.flushSettlements();
            for (int i = 0; i < 100 && pending > 0; i++) {
                Thread.sleep(100); // the store is given time to come back; bounded
                pending = guard.flushSettlements();
            }
            System.out.printf("stopped callers and settled in %.1f s%n", (System.nanoTime() - stopping) / 1e9);
            tick(guard);
            System.out.println("DONE " + ADMITTED.sum() + " " + SPENT.sum() + " " + pending);
            System.out.flush();
            guard.close();
            System.out.printf("closed the guard after %.1f s%n", (System.nanoTime() - stopping) / 1e9);
        }
    }

    private static void tick(AiGuard guard) {
        System.out.println("TICK " + ADMITTED.sum() + " " + BUDGET_REFUSED.sum() + " " + STORE_REFUSED.sum() + " "
                + OTHER_REFUSED.sum() + " " + SPENT.sum() + " " + guard.pendingSettlements());
        System.out.flush();
    }

    private static void callUntilStopped(AiGuard guard) {
        while (running) {
            boolean big = drain;
            AiRequest request = big ? BIG : SMALL;
            try {
                AiResult<String> result = guard.call(request, attempt -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    Thread.sleep(random.nextLong(5, 15)); // the provider's answer takes a while
                    // the expensive calls cost their worst case, so that a refusal means the budget is spent
                    long output = big ? request.maxOutputTokens()
                            : random.nextLong(request.maxOutputTokens() / 10, request.maxOutputTokens() + 1);
                    return ProviderReply.ok("ok", TokenUsage.of(request.inputTokens(), output));
                });
                ADMITTED.increment();
                SPENT.add(result.cost().micros());
            } catch (BudgetExceededException e) {
                BUDGET_REFUSED.increment();
                pause();
            } catch (BudgetStoreUnavailableException e) {
                STORE_REFUSED.increment();
                pause();
            } catch (AiGuardException e) {
                OTHER_REFUSED.increment();
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5); // a refused caller backs off a little, as a host would
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
