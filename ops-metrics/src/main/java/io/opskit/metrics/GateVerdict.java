package io.opskit.metrics;

import java.util.Locale;

/** What a {@link DeployGate} answers, with the exit code its command-line tool uses. */
public enum GateVerdict {
    /** Every SLO stayed within its threshold over the window, with enough requests. */
    PASS(0),
    /** At least one SLO burned its budget faster than its threshold allows. */
    FAIL(1),
    /** No SLO failed, but at least one could not be judged: too few requests, or its figures could not be read. */
    INCONCLUSIVE(2);

    private final int exitCode;

    GateVerdict(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The stable name in JSON: {@code PASS}, {@code FAIL} or {@code INCONCLUSIVE}. */
    public String wireName() {
        return name();
    }

    /** The exit code of the command-line tool: 0, 1 or 2. */
    public int exitCode() {
        return exitCode;
    }

    /** The lower-case name, for prose. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
