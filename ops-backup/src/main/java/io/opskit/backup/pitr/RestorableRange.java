package io.opskit.backup.pitr;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The moments a restore can reach on one timeline: from the consistency point of the oldest base
 * backup that can be used to the last contiguous segment in the archive. A time target between
 * the last commit in that segment and {@code to} replays everything there is. Immutable.
 *
 * @param timeline the timeline
 * @param from     the earliest reachable moment (the base backup's end)
 * @param to       the latest (when the last contiguous segment was archived)
 * @param fromLsn  the earliest reachable location
 * @param toLsn    the end of the last contiguous segment
 * @param lastSegment the name of that segment
 * @param baseBackupIds the base backups (repository ids) this range can start from, oldest first
 */
public record RestorableRange(long timeline, Instant from, Instant to, Lsn fromLsn, Lsn toLsn, String lastSegment,
                              List<String> baseBackupIds) {

    /** Copies the list. */
    public RestorableRange {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        baseBackupIds = List.copyOf(baseBackupIds);
    }
}
