package io.opskit.backup.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points before each rename and each write that changes what a restore leaves on disk, and
 * at each write, rename and delete of a backup or a prune in a local repository, so that a crash
 * test can stop the JVM at every one of them in turn. With the system property
 * {@code opskit.backup.crashAt=K} the K-th point reached halts the JVM at once (as {@code kill -9}
 * would: no shutdown hooks, no finally blocks); without it a point costs one volatile read.
 */
public final class CrashPoints {

    private static final int CRASH_AT = Integer.getInteger("opskit.backup.crashAt", 0);
    private static final AtomicInteger REACHED = new AtomicInteger();

    private CrashPoints() {
    }

    /**
     * Marks that the caller is about to do {@code what}; halts here when this is the chosen point.
     *
     * @param what a short name of the step, for the crash test's report
     */
    public static void reached(String what) {
        int n = REACHED.incrementAndGet();
        if (n == CRASH_AT) {
            System.err.println("opskit crash point " + n + ": " + what);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }

    /**
     * How many points this JVM has passed.
     *
     * @return the count
     */
    public static int count() {
        return REACHED.get();
    }
}
