package io.opskit.backup.pitr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The WAL a restore from one base backup reads to follow one timeline's history, segment by
 * segment as PostgreSQL picks the files: from the base's start on its own timeline up to the
 * segment before the one holding the switch point, then the next timeline's segments from that
 * segment on (the new timeline's first segment begins with a copy of its parent's WAL before the
 * switch), and so on to the followed timeline, whose segments run on to the end of the archive.
 *
 * <p>A timeline is followed from a base backup when its history file names the base's timeline
 * with a switch point at or after the base's stop location: a switch before the base is
 * consistent leaves the base's own WAL off that timeline's history, and PostgreSQL refuses it.
 *
 * @param base     the base backup
 * @param timeline the timeline followed
 * @param windows  per timeline on the way, oldest first, the segments read from it
 */
record WalPath(BaseBackup base, long timeline, List<Window> windows) {

    /** The last segment of an open window: the end of the archive. */
    static final long OPEN = Long.MAX_VALUE;

    /**
     * Segments {@code first..last} (inclusive, possibly none) read from {@code timeline}.
     *
     * @param enteredAt the switch point by which history entered this timeline, null for the base's own
     */
    record Window(long timeline, long first, long last, @Nullable Lsn enteredAt) {
        boolean open() {
            return last == OPEN;
        }

        boolean isEmpty() {
            return !open() && last < first;
        }
    }

    WalPath {
        windows = List.copyOf(windows);
    }

    /**
     * The path from {@code base} to {@code target}: its own timeline, or a descendant whose history
     * leaves the base's timeline at or after the base's stop location.
     */
    static Optional<WalPath> of(BaseBackup base, long target, Map<Long, TimelineHistory> histories, long segmentBytes) {
        long first = base.startLsn().segmentNumber(segmentBytes);
        if (target == base.timeline()) {
            return Optional.of(new WalPath(base, target, List.of(new Window(target, first, OPEN, null))));
        }
        TimelineHistory history = histories.get(target);
        if (history == null) {
            return Optional.empty();
        }
        List<TimelineHistory.Entry> entries = history.entries();
        int from = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).timeline() == base.timeline()) {
                from = i;
            }
        }
        if (from < 0 || entries.get(from).switchPoint().compareTo(base.stopLsn()) < 0) {
            return Optional.empty();
        }
        List<Window> windows = new ArrayList<>();
        Lsn entered = null;
        for (int i = from; i < entries.size(); i++) {
            TimelineHistory.Entry e = entries.get(i);
            long switchSegment = e.switchPoint().segmentNumber(segmentBytes);
            windows.add(new Window(e.timeline(), first, switchSegment - 1, entered));
            first = Math.max(first, switchSegment);
            entered = e.switchPoint();
        }
        windows.add(new Window(target, first, OPEN, entered));
        return Optional.of(new WalPath(base, target, windows));
    }

    /**
     * The last segment of the contiguous WAL along the path, when every segment of the closed
     * windows is archived and so is the followed timeline's first (for the base's own timeline: up
     * to the one holding its stop location); empty otherwise.
     */
    Optional<Long> contiguousEnd(Map<Long, ? extends NavigableSet<Long>> segments, long segmentBytes) {
        for (Window w : windows) {
            NavigableSet<Long> segs = segments.get(w.timeline());
            if (w.isEmpty()) {
                continue;
            }
            if (segs == null || !segs.contains(w.first())) {
                return Optional.empty();
            }
            if (!w.open()) {
                if (segs.subSet(w.first(), true, w.last(), true).size() != w.last() - w.first() + 1) {
                    return Optional.empty();
                }
                continue;
            }
            long end = w.first();
            while (segs.contains(end + 1)) {
                end++;
            }
            if (windows.size() == 1 && end < base.stopLsn().segmentNumber(segmentBytes)) {
                return Optional.empty();
            }
            return Optional.of(end);
        }
        throw new IllegalStateException("a path ends in an open window: " + this);
    }

    /** The timeline segment {@code segment} is read from on this path. */
    long timelineOf(long segment) {
        for (Window w : windows) {
            if (!w.isEmpty() && segment >= w.first() && segment <= w.last()) {
                return w.timeline();
            }
        }
        return timeline;
    }

    /** The file names of segments {@code base start .. last} along the path, in replay order. */
    List<String> segmentNames(long last, long segmentBytes) {
        List<String> names = new ArrayList<>();
        for (long seg = base.startLsn().segmentNumber(segmentBytes); seg <= last; seg++) {
            names.add(WalFileName.segmentName(timelineOf(seg), seg, segmentBytes));
        }
        return names;
    }
}
