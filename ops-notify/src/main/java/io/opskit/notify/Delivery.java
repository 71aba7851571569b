package io.opskit.notify;

import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.Ticker;
import io.opskit.api.internal.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link AsyncNotifier} delivers: the queue bound, retries and their backoff, per-source
 * de-duplication and rate limiting, batching into digests, how long {@code close()} drains, and the
 * registry, executor, scheduler and ticker it uses. Immutable and thread-safe; one {@code Delivery} may
 * configure several notifiers (each gets its own queue and meters).
 *
 * <p>Defaults: a queue of 1,000 events; 8 attempts with backoff doubling from 1 s up to 1 min (about
 * 2 minutes of retries before a dead-letter line); identical events from one source within 5 minutes
 * delivered once; no rate limit; no batching; close drains for up to 10 s; no metrics; a daemon
 * delivery thread and a daemon timer thread of its own; {@link Ticker#system()}.
 */
public final class Delivery {

    private static final Delivery DEFAULTS = builder().build();

    final int queueCapacity;
    final int maxAttempts;
    final Duration initialBackoff;
    final Duration maxBackoff;
    final Duration dedupWindow;
    final Duration rateLimit;
    final Duration batch;
    final Duration drainTimeout;
    final @Nullable Object meterRegistry;
    final @Nullable Executor executor;
    final @Nullable ScheduledExecutorService scheduler;
    final Ticker ticker;

    private Delivery(Builder b) {
        this.queueCapacity = b.queueCapacity == null ? 1_000 : b.queueCapacity;
        this.maxAttempts = b.maxAttempts == null ? 8 : b.maxAttempts;
        this.initialBackoff = b.initialBackoff == null ? Duration.ofSeconds(1) : b.initialBackoff;
        this.maxBackoff = b.maxBackoff == null ? Duration.ofMinutes(1) : b.maxBackoff;
        this.dedupWindow = b.dedupWindow == null ? Duration.ofMinutes(5) : b.dedupWindow;
        this.rateLimit = b.rateLimit == null ? Duration.ZERO : b.rateLimit;
        this.batch = b.batch == null ? Duration.ZERO : b.batch;
        this.drainTimeout = b.drainTimeout == null ? Duration.ofSeconds(10) : b.drainTimeout;
        this.meterRegistry = b.meterRegistry;
        this.executor = b.executor;
        this.scheduler = b.scheduler;
        this.ticker = b.ticker == null ? Ticker.system() : b.ticker;
    }

    private Delivery(Delivery base, Duration batch) {
        this.queueCapacity = base.queueCapacity;
        this.maxAttempts = base.maxAttempts;
        this.initialBackoff = base.initialBackoff;
        this.maxBackoff = base.maxBackoff;
        this.dedupWindow = base.dedupWindow;
        this.rateLimit = base.rateLimit;
        this.batch = batch;
        this.drainTimeout = base.drainTimeout;
        this.meterRegistry = base.meterRegistry;
        this.executor = base.executor;
        this.scheduler = base.scheduler;
        this.ticker = base.ticker;
    }

    /** This delivery with another batch interval. */
    Delivery withBatch(Duration interval) {
        return new Delivery(this, interval);
    }

    /** The defaults described above. */
    public static Delivery defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The most events the queue holds; more are dropped (counted, logged once per episode). */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** Attempts per event (or digest), the first included; after the last a dead-letter line is logged. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Identical events (same type, severity and summary) from one source within this window are delivered once; zero disables. */
    public Duration dedupWindow() {
        return dedupWindow;
    }

    /** At most one event per source per this window (zero: no limit); the rest are held and counted. */
    public Duration rateLimit() {
        return rateLimit;
    }

    /** The digest interval (zero: each event is delivered alone). */
    public Duration batch() {
        return batch;
    }

    /** How long {@code close()} keeps delivering what is queued. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** The registry meters go to, when one was given. */
    public Optional<MeterRegistry> meterRegistry() {
        return Optional.ofNullable((MeterRegistry) meterRegistry);
    }

    /** The backoff before attempt {@code attempt + 1}, after {@code attempt} (1-based) failed. */
    Duration backoffAfter(int attempt) {
        Duration d = initialBackoff;
        for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    /**
     * Builds a {@link Delivery}. Each property may be set once ({@link IllegalStateException}
     * {@code "FIELD was already set"} otherwise); a bad value throws {@link IllegalArgumentException}
     * naming the field and the value. Not thread-safe.
     */
    public static final class Builder {

        private @Nullable Integer queueCapacity;
        private @Nullable Integer maxAttempts;
        private @Nullable Duration initialBackoff;
        private @Nullable Duration maxBackoff;
        private @Nullable Duration dedupWindow;
        private @Nullable Duration rateLimit;
        private @Nullable Duration batch;
        private @Nullable Duration drainTimeout;
        private @Nullable Object meterRegistry;
        private @Nullable Executor executor;
        private @Nullable ScheduledExecutorService scheduler;
        private @Nullable Ticker ticker;

        private Builder() {
        }

        /**
         * The queue bound, 1 to 1,000,000 events.
         *
         * @throws IllegalArgumentException when out of range
         */
        public Builder queueCapacity(int value) {
            Checks.requireUnset(queueCapacity, "queueCapacity");
            if (value < 1 || value > 1_000_000) {
                throw new IllegalArgumentException("queueCapacity must be between 1 and 1000000: " + value);
            }
            this.queueCapacity = value;
            return this;
        }

        /**
         * Attempts per event, 1 (no retry) to 100.
         *
         * @throws IllegalArgumentException when out of range
         */
        public Builder maxAttempts(int value) {
            Checks.requireUnset(maxAttempts, "maxAttempts");
            if (value < 1 || value > 100) {
                throw new IllegalArgumentException("maxAttempts must be between 1 and 100: " + value);
            }
            this.maxAttempts = value;
            return this;
        }

        /**
         * The wait after the first failed attempt, doubling after each further one up to {@code max}.
         *
         * @throws IllegalArgumentException when either is not positive or {@code initial} exceeds {@code max}
         */
        public Builder backoff(Duration initial, Duration max) {
            Checks.requireUnset(initialBackoff, "backoff");
            Checks.requirePositive(initial, "backoff initial");
            Checks.requirePositive(max, "backoff max");
            if (initial.compareTo(max) > 0) {
                throw new IllegalArgumentException("backoff initial must not exceed max: " + initial + " > " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /**
         * Identical events from one source within this window are delivered once (zero disables).
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder dedupWindow(Duration value) {
            Checks.requireUnset(dedupWindow, "dedupWindow");
            this.dedupWindow = Checks.requireNonNegative(value, "dedupWindow");
            return this;
        }

        /**
         * At most one event per source per {@code window}: the first is delivered at once; later ones
         * within the window are held, and when it ends the newest held one is delivered with the count
         * of the others (label {@code suppressed}). Zero disables.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder rateLimit(Duration window) {
            Checks.requireUnset(rateLimit, "rateLimit");
            this.rateLimit = Checks.requireNonNegative(window, "rateLimit");
            return this;
        }

        /**
         * Collects events for {@code interval} after the first and hands them to the notifier as one
         * batch ({@link io.opskit.api.notify.Notifier#notifyBatch}): a digest. Zero disables.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder batch(Duration interval) {
            Checks.requireUnset(batch, "batch");
            this.batch = Checks.requireNonNegative(interval, "batch");
            return this;
        }

        /**
         * How long {@code close()} keeps delivering, at most 10 minutes. What is still queued then is
         * logged as dead letters.
         *
         * @throws IllegalArgumentException when not positive or above 10 minutes
         */
        public Builder drainTimeout(Duration value) {
            Checks.requireUnset(drainTimeout, "drainTimeout");
            this.drainTimeout = Checks.requirePositive(value, "drainTimeout", Duration.ofMinutes(10));
            return this;
        }

        /**
         * Records {@code opskit.notifications.*} meters in {@code registry}, tagged with the notifier's
         * name. Without a registry nothing is recorded.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Checks.setOnce(this.meterRegistry, registry, "meterRegistry");
            return this;
        }

        /** Where deliveries run (they may block on the network); never shut down by the notifier. */
        public Builder executor(Executor value) {
            this.executor = Checks.setOnce(this.executor, value, "executor");
            return this;
        }

        /** What fires retry, rate-limit and digest timers; never shut down by the notifier. */
        public Builder scheduler(ScheduledExecutorService value) {
            this.scheduler = Checks.setOnce(this.scheduler, value, "scheduler");
            return this;
        }

        /** The monotonic time source for de-duplication and rate-limit windows. */
        public Builder ticker(Ticker value) {
            this.ticker = Checks.setOnce(this.ticker, value, "ticker");
            return this;
        }

        /** The delivery configuration. */
        public Delivery build() {
            return new Delivery(this);
        }
    }
}
