package io.opskit.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A wall clock, a nano clock and a sleeper that move only when told (sleeping advances them). */
final class FakeTime extends Clock {

    private final Instant origin;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());

    FakeTime(Instant origin) {
        this.origin = origin;
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    long nanoTime() {
        return nanos.get();
    }

    Sleeper sleeper() {
        return d -> {
            sleeps.add(d);
            advance(d);
        };
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(nanos.get() - 1_000_000_000L);
    }

    @Override
    public long millis() {
        return instant().toEpochMilli();
    }
}
