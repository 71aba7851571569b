package io.opskit.backup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of one backup (across its sources) or one restore, reported to a {@link BackupProgress}
 * at most 4 times a second and once at the end. Used from one thread at a time.
 */
final class ProgressMeter {

    private static final Logger log = LoggerFactory.getLogger(ProgressMeter.class);

    private final BackupProgress listener;
    private final long total;
    private final long start = System.nanoTime();
    private long done;
    private long lastReport;
    private boolean broken;

    ProgressMeter(BackupProgress listener, long total) {
        this.listener = listener;
        this.total = total;
    }

    void add(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastReport > 250_000_000L) {
            lastReport = now;
            report(now);
        }
    }

    void done() {
        report(System.nanoTime());
    }

    private void report(long now) {
        if (broken) {
            return;
        }
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        try {
            listener.update(done, total, done / seconds);
        } catch (RuntimeException e) {
            broken = true;
            log.warn("progress listener failed; no further updates: {}", e.toString());
        }
    }
}
