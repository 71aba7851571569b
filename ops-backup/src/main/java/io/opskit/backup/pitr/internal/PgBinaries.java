package io.opskit.backup.pitr.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Where the PostgreSQL server binaries are ({@code pg_config --bindir}, else the Debian location of
 * PostgreSQL 15), and how to run them: a server refuses to run as root, so when this JVM is root
 * they run as the {@code postgres} user through {@code runuser}.
 */
public final class PgBinaries {

    private static volatile @Nullable Path located;

    private PgBinaries() {
    }

    /** The directory holding {@code initdb}, {@code pg_ctl}, {@code postgres}, {@code pg_basebackup}. */
    public static Path binDir() {
        Path dir = located;
        if (dir != null) {
            return dir;
        }
        String env = System.getenv("OPSKIT_PG_BINDIR");
        if (env != null && !env.isBlank()) {
            dir = Path.of(env);
        } else {
            dir = fromPgConfig();
            if (dir == null) {
                dir = Path.of("/usr/lib/postgresql/15/bin");
            }
        }
        located = dir;
        return dir;
    }

    private static @Nullable Path fromPgConfig() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isDirectory(Path.of(out))) {
                return Path.of(out);
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** One server binary by name. */
    public static String tool(String name) {
        Path p = binDir().resolve(name);
        return Files.isExecutable(p) ? p.toString() : name;
    }

    /** True when this JVM runs as root, so server processes must run as {@code postgres}. */
    public static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** {@code command} prefixed to run as the server's user when needed. */
    public static List<String> asServerUser(List<String> command) {
        if (!runningAsRoot()) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        return full;
    }
}
