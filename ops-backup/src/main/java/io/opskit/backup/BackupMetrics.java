package io.opskit.backup;

import java.time.Duration;
import java.time.Instant;

/** What the repository reports; a no-op unless a MeterRegistry was given. */
interface BackupMetrics {

    BackupMetrics NONE = new BackupMetrics() {
    };

    default void backupSucceeded(Duration duration, long storedBytes, Instant at) {
    }

    default void backupFailed(String reason, Duration duration) {
    }

    default void verified(Instant at) {
    }

    default void verifyFailed(String reason) {
    }

    default void restoreDrill(Duration duration) {
    }

    default void restoreFailed(String reason) {
    }
}
