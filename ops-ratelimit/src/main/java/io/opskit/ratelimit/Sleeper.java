package io.opskit.ratelimit;

import java.time.Duration;

/**
 * Waits between retries. The default sleeps the calling thread; tests inject one that advances a
 * fake clock instead.
 */
@FunctionalInterface
public interface Sleeper {

    /**
     * Waits for {@code duration}.
     *
     * @throws InterruptedException when the thread is interrupted; the guard then stops retrying
     */
    void sleep(Duration duration) throws InterruptedException;

    /** Sleeps the calling thread. */
    static Sleeper threadSleep() {
        return d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
    }
}
