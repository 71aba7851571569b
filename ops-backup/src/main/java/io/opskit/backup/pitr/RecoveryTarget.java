package io.opskit.backup.pitr;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a point-in-time restore stops replaying WAL: the end of the archive, a moment, a location
 * or a named restore point ({@code pg_create_restore_point}). Immutable.
 */
public sealed interface RecoveryTarget {

    /** Replay everything the archive holds ({@code recovery_target = latest}, i.e. no target). */
    record Latest() implements RecoveryTarget {
    }

    /** Stop before the first transaction that committed after {@code time} ({@code recovery_target_time}). */
    record Time(Instant time) implements RecoveryTarget {
        /** Checks the argument. */
        public Time {
            Objects.requireNonNull(time, "time");
        }
    }

    /** Stop at a WAL location ({@code recovery_target_lsn}). */
    record AtLsn(Lsn lsn) implements RecoveryTarget {
        /** Checks the argument. */
        public AtLsn {
            Objects.requireNonNull(lsn, "lsn");
        }
    }

    /** Stop at a named restore point ({@code recovery_target_name}). */
    record Named(String name) implements RecoveryTarget {
        /** Checks the argument. */
        public Named {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.length() > 63) {
                throw new IllegalArgumentException("restore point name must be 1 to 63 characters: '" + name + "'");
            }
        }
    }

    /** The end of the archive. */
    static RecoveryTarget latest() {
        return new Latest();
    }

    /** A moment. */
    static RecoveryTarget time(Instant time) {
        return new Time(time);
    }

    /** A location. */
    static RecoveryTarget lsn(Lsn lsn) {
        return new AtLsn(lsn);
    }

    /** A named restore point. */
    static RecoveryTarget named(String name) {
        return new Named(name);
    }
}
