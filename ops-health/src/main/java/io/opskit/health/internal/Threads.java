package io.opskit.health.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon thread factories with readable names, so a hung check is easy to spot in a thread dump. */
public final class Threads {

    private Threads() {
    }

    /** A factory of daemon threads named {@code prefix-N}. */
    public static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
