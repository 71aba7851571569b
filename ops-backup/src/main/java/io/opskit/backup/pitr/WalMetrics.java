package io.opskit.backup.pitr;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/** The archive's meters; a no-op without a registry (Micrometer is optional). */
class WalMetrics {

    static final String PUSHED = "opskit.backup.wal.pushed";
    static final String BYTES = "opskit.backup.wal.bytes";
    static final String FAILURES = "opskit.backup.wal.failures";

    static final WalMetrics NONE = new WalMetrics();

    void pushed(long bytes) {
    }

    void failed(WalArchiveException.Reason reason) {
    }

    static WalMetrics micrometer(MeterRegistry registry, String archiveName) {
        return new Micrometer(registry, archiveName);
    }

    private static final class Micrometer extends WalMetrics {
        private final Counter pushed;
        private final Counter bytes;
        private final Map<WalArchiveException.Reason, Counter> failures = new EnumMap<>(WalArchiveException.Reason.class);

        Micrometer(MeterRegistry registry, String archive) {
            pushed = Counter.builder(PUSHED).description("WAL files made durable in the archive")
                    .baseUnit("files").tag("archive", archive).register(registry);
            bytes = Counter.builder(BYTES).description("Uncompressed bytes of the WAL files archived")
                    .baseUnit("bytes").tag("archive", archive).register(registry);
            for (WalArchiveException.Reason r : WalArchiveException.Reason.values()) {
                failures.put(r, Counter.builder(FAILURES).description("WAL pushes that failed, by reason")
                        .tag("archive", archive).tag("reason", r.wireName()).register(registry));
            }
        }

        @Override
        void pushed(long n) {
            pushed.increment();
            bytes.increment(n);
        }

        @Override
        void failed(WalArchiveException.Reason reason) {
            Objects.requireNonNull(failures.get(reason), "every reason has a counter").increment();
        }
    }
}
