package io.opskit.backup.health;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A health check that is {@link HealthStatus#DOWN} when the newest verified backup is older than
 * the recovery point objective (RPO): the data a restore would lose is then more than the host
 * promised. UP while the newest verified backup is at most the RPO old; DOWN with the message
 * {@code "no verified backup yet"} when there is none; optionally DEGRADED past a warning age
 * ({@link #warnAfter(Duration)}).
 *
 * <p>Pick the RPO from the schedule plus slack for the backup's own duration and verification:
 * the seeds' hourly PostgreSQL backups promise an RPO of 1 h, so a check of about 75 minutes
 * tolerates one slow run; a daily backup at 02:00 wants about 26 h.
 *
 * <p>Details (no secrets): {@code newestVerified} (ISO-8601 instant), {@code ageSeconds},
 * {@code rpoSeconds} (and {@code warnAfterSeconds} when set); {@code rpoSeconds} alone when there
 * is no verified backup.
 *
 * <p>Thread-safe when the supplier is. The supplier is called once per {@link #check()}; it
 * should be cheap (read a cached value or the repository's newest manifest). When it throws, the
 * exception propagates and ops-health reports the check DOWN with the exception's type.
 */
public final class BackupFreshnessCheck implements HealthCheck {

    private final Supplier<Optional<Instant>> newestVerified;
    private final Duration rpo;
    private final Clock clock;
    private final @Nullable Duration warnAfter;
    private final @Nullable Consumer<HealthResult> onLost;
    private final AtomicBoolean lost = new AtomicBoolean();

    private BackupFreshnessCheck(Supplier<Optional<Instant>> newestVerified, Duration rpo, Clock clock,
                                 @Nullable Duration warnAfter, @Nullable Consumer<HealthResult> onLost) {
        this.newestVerified = newestVerified;
        this.rpo = rpo;
        this.clock = clock;
        this.warnAfter = warnAfter;
        this.onLost = onLost;
    }

    /**
     * Creates the check.
     *
     * @param newestVerified supplies the creation time of the newest verified backup, or empty
     *                       when there is none; not null
     * @param rpo            the recovery point objective: the largest acceptable age; positive
     * @param clock          the clock ages are measured with; not null
     * @return the check
     * @throws IllegalArgumentException when {@code rpo} is zero or negative
     * @throws NullPointerException     when an argument is null
     */
    public static BackupFreshnessCheck of(Supplier<Optional<Instant>> newestVerified, Duration rpo, Clock clock) {
        Objects.requireNonNull(newestVerified, "newestVerified");
        Objects.requireNonNull(rpo, "rpo");
        Objects.requireNonNull(clock, "clock");
        if (rpo.isZero() || rpo.isNegative()) {
            throw new IllegalArgumentException("rpo must be positive: " + rpo);
        }
        return new BackupFreshnessCheck(newestVerified, rpo, clock, null, null);
    }

    /**
     * A copy of this check that reports {@link HealthStatus#DEGRADED} (still serving, but worth a
     * look) once the newest verified backup is older than {@code age}, before it reaches the RPO:
     * for a daily backup with an RPO of 26 h, {@code warnAfter(Duration.ofHours(25))} says a run
     * is late before the RPO is lost.
     *
     * @param age the warning age; positive and less than the RPO
     * @return the new check; this one is unchanged
     * @throws IllegalArgumentException when {@code age} is not positive or not below the RPO
     */
    public BackupFreshnessCheck warnAfter(Duration age) {
        Objects.requireNonNull(age, "warnAfter");
        if (age.isZero() || age.isNegative() || age.compareTo(rpo) >= 0) {
            throw new IllegalArgumentException("warnAfter must be positive and less than the rpo (" + rpo + "): " + age);
        }
        return new BackupFreshnessCheck(newestVerified, rpo, clock, age, onLost);
    }

    /**
     * A copy of this check that calls {@code listener} once each time freshness is lost: on the
     * first {@link #check()} that is DOWN after one that was not (the first check counts as
     * following a fresh state). The listener runs on the checking thread; if it throws, the
     * exception is ignored and the result is still returned.
     *
     * @param listener receives the DOWN result
     * @return the new check; this one is unchanged
     */
    public BackupFreshnessCheck onFreshnessLost(Consumer<HealthResult> listener) {
        Objects.requireNonNull(listener, "listener");
        return new BackupFreshnessCheck(newestVerified, rpo, clock, warnAfter, listener);
    }

    /** The recovery point objective this check enforces. */
    public Duration rpo() {
        return rpo;
    }

    /**
     * Compares the newest verified backup's age with the RPO.
     *
     * @return UP or DOWN with details, as the class describes
     * @throws NullPointerException when the supplier returns null
     */
    @Override
    public HealthResult check() {
        HealthResult result = evaluate();
        boolean down = result.status() == HealthStatus.DOWN;
        if (lost.getAndSet(down) != down && down && onLost != null) {
            try {
                onLost.accept(result);
            } catch (RuntimeException ignored) {
                // the listener's failure must not change what the check reports
            }
        }
        return result;
    }

    private HealthResult evaluate() {
        Optional<Instant> newest = Objects.requireNonNull(newestVerified.get(), "newestVerified supplier returned null");
        if (newest.isEmpty()) {
            return HealthResult.builder(HealthStatus.DOWN)
                    .message("no verified backup yet; run and verify a backup (RPO " + compact(rpo) + ")")
                    .detail("rpoSeconds", rpo.getSeconds())
                    .build();
        }
        Instant at = newest.get();
        Duration age = Duration.between(at, clock.instant());
        // A backup stamped slightly in the future (clock skew between hosts) counts as brand new.
        Duration shown = age.isNegative() ? Duration.ZERO : age;
        boolean fresh = age.compareTo(rpo) <= 0;
        boolean late = fresh && warnAfter != null && age.compareTo(warnAfter) > 0;
        HealthStatus status = !fresh ? HealthStatus.DOWN : late ? HealthStatus.DEGRADED : HealthStatus.UP;
        HealthResult.Builder result = HealthResult.builder(status)
                .message(!fresh
                        ? "newest verified backup is " + compact(shown) + " old, older than the RPO of " + compact(rpo)
                        : late
                        ? "newest verified backup is " + compact(shown) + " old, nearing the RPO of " + compact(rpo)
                        : "newest verified backup is " + compact(shown) + " old (RPO " + compact(rpo) + ")")
                .detail("newestVerified", at.toString())
                .detail("ageSeconds", shown.getSeconds())
                .detail("rpoSeconds", rpo.getSeconds());
        if (warnAfter != null) {
            result.detail("warnAfterSeconds", warnAfter.getSeconds());
        }
        return result.build();
    }

    /** {@code 1d2h}, {@code 26h5m}: days are spelled out only from two days on, as ages read better in hours. */
    static String compact(Duration d) {
        long s = d.getSeconds();
        long hours = s / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        StringBuilder out = new StringBuilder();
        if (hours >= 48) {
            out.append(hours / 24).append('d');
            hours %= 24;
        }
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (seconds > 0 || out.length() == 0) {
            out.append(seconds).append('s');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "BackupFreshnessCheck{rpo=" + rpo + (warnAfter == null ? "" : ", warnAfter=" + warnAfter) + '}';
    }
}
