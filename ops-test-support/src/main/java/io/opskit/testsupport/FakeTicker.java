package io.opskit.testsupport;

import io.opskit.api.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Ticker} that moves only when a test says so. Thread-safe. */
public final class FakeTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    /** Moves the ticker forward by {@code amount}. */
    public FakeTicker advance(Duration amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("a ticker never goes back: " + amount);
        }
        nanos.addAndGet(amount.toNanos());
        return this;
    }

    @Override
    public long read() {
        return nanos.get();
    }
}
