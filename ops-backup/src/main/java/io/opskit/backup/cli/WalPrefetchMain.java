package io.opskit.backup.cli;

import io.opskit.api.Ticker;
import io.opskit.backup.pitr.internal.PrefetchSpool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The background prefetcher that {@code wal-fetch --prefetch N} starts (see {@link PrefetchSpool}):
 * {@code --repo DIR --key-file FILE --spool DIR --after NAME --depth N}. Not a user command; its
 * failures only mean that later {@code wal-fetch} calls fetch for themselves.
 */
public final class WalPrefetchMain {

    /** How long the prefetcher waits for the server to take a spooled file before it stops. */
    static final Duration IDLE = Duration.ofSeconds(60);

    private WalPrefetchMain() {
    }

    /**
     * Runs the prefetcher; exits 0 when it stops, 1 when it could not run.
     *
     * @param args {@code --repo DIR --key-file FILE --spool DIR --after NAME --depth N}
     */
    public static void main(String[] args) {
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        try {
            new PrefetchSpool(WalCommands.archive(Path.of(required(o, "--repo")), Path.of(required(o, "--key-file")), null),
                    Path.of(required(o, "--spool")), Integer.parseInt(required(o, "--depth")), IDLE, Ticker.system())
                    .run(required(o, "--after"));
            System.exit(0);
        } catch (IllegalArgumentException e) {
            System.err.println("opskit-backup: wal prefetch: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("opskit-backup: wal prefetch stopped: " + e);
            System.exit(1);
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }
}
