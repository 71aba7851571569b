package io.opskit.backup.pitr;

/**
 * Segments missing from the archive on one timeline: {@code missing} consecutive segments from
 * {@code firstMissing}, found between {@code after} (the last segment present before them) and
 * the end of the archive. Immutable.
 *
 * @param timeline     the timeline
 * @param firstMissing the name of the first missing segment
 * @param missing      how many consecutive segments are missing
 * @param after        the segment present just before the gap
 */
public record WalGap(long timeline, String firstMissing, long missing, String after) {

    /** One line for a human: {@code "timeline 1: 2 segments missing from 00000001000000000000000A"}. */
    public String describe() {
        return "timeline " + timeline + ": " + missing + (missing == 1 ? " segment" : " segments")
                + " missing from " + firstMissing + " (after " + after + ")";
    }
}
