package io.opskit.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/** A {@link Clock} that moves only when a test says so. Thread-safe. */
public final class FakeClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private FakeClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** @return a clock at {@code start} in UTC */
    public static FakeClock at(Instant start) {
        return new FakeClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    /** @return a clock at {@code start} (ISO-8601, e.g. {@code 2026-03-29T00:00:00Z}) in UTC */
    public static FakeClock at(String start) {
        return at(Instant.parse(start));
    }

    /** Moves the clock forward (or back, for a negative amount, to simulate a clock jump). */
    public FakeClock advance(Duration amount) {
        now.updateAndGet(t -> t.plus(amount));
        return this;
    }

    /** Sets the clock to {@code instant}. */
    public FakeClock set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
        return this;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A view in another zone that shares this clock's time. */
    @Override
    public FakeClock withZone(ZoneId zone) {
        return new FakeClock(now, zone);
    }

    @Override
    public Instant instant() {
        return java.util.Objects.requireNonNull(now.get(), "now");
    }
}
