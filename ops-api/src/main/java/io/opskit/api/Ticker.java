package io.opskit.api;

/**
 * A monotonic source of nanoseconds, for measuring elapsed time. Wall-clock time is a
 * {@link java.time.Clock}; this is the other half, injected wherever a module measures a duration
 * or waits, so tests can advance time instead of sleeping.
 *
 * <p>Only differences between two readings are meaningful. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Reads the current value.
     *
     * @return nanoseconds since an arbitrary, fixed origin; never decreasing
     */
    long read();

    /**
     * The system's monotonic clock, {@link System#nanoTime()}.
     *
     * @return the shared system ticker
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}

/** The system ticker as a named type so that it is recognisable in a debugger. */
enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long read() {
        return System.nanoTime();
    }
}
