package io.opskit.backup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Records backup meters in a Micrometer registry; the only class that touches Micrometer. */
final class MicrometerBackupMetrics implements BackupMetrics {

    static final String DURATION = "opskit.backup.duration";
    static final String SIZE = "opskit.backup.size";
    static final String LAST_SUCCESS = "opskit.backup.last.success.timestamp";
    static final String LAST_VERIFIED = "opskit.backup.last.verified.timestamp";
    static final String FAILURES = "opskit.backup.failures";
    static final String RESTORE_DRILL = "opskit.backup.restore.drill.duration";

    private final MeterRegistry registry;
    private final String repository;
    private final AtomicLong lastSuccess = new AtomicLong();
    private final AtomicLong lastVerified = new AtomicLong();

    MicrometerBackupMetrics(MeterRegistry registry, String repository) {
        this.registry = registry;
        this.repository = repository;
        Gauge.builder(LAST_SUCCESS, lastSuccess, AtomicLong::get).tag("repository", repository).baseUnit("seconds")
                .description("Unix time of the last successful backup (0 = none since start)").register(registry);
        Gauge.builder(LAST_VERIFIED, lastVerified, AtomicLong::get).tag("repository", repository).baseUnit("seconds")
                .description("Unix time of the last successful verification (0 = none since start)").register(registry);
    }

    private Timer timer(String outcome) {
        return Timer.builder(DURATION).tag("repository", repository).tag("outcome", outcome)
                .description("Time to take, compress, encrypt and commit a backup").register(registry);
    }

    private Counter failures(String operation, String reason) {
        return Counter.builder(FAILURES).tag("repository", repository).tag("operation", operation).tag("reason", reason)
                .description("Backup, verify and restore failures by reason").register(registry);
    }

    @Override
    public void backupSucceeded(Duration duration, long storedBytes, Instant at) {
        timer("success").record(duration);
        DistributionSummary.builder(SIZE).tag("repository", repository).baseUnit("bytes")
                .description("Stored size of each backup").register(registry).record(storedBytes);
        lastSuccess.set(at.getEpochSecond());
    }

    @Override
    public void backupFailed(String reason, Duration duration) {
        timer("failure").record(duration);
        failures("backup", reason).increment();
    }

    @Override
    public void verified(Instant at) {
        lastVerified.set(at.getEpochSecond());
    }

    @Override
    public void verifyFailed(String reason) {
        failures("verify", reason).increment();
    }

    @Override
    public void restoreDrill(Duration duration) {
        Timer.builder(RESTORE_DRILL).tag("repository", repository)
                .description("Time of a test restore (level 3 verification): the restore time objective in practice")
                .register(registry).record(duration);
    }

    @Override
    public void restoreFailed(String reason) {
        failures("restore", reason).increment();
    }
}
