package io.opskit.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real services and tools integration tests use. When one is missing, a test fails naming it
 * under {@code CI=true} (CI must never skip silently) and is skipped with the same message
 * elsewhere.
 */
public final class Services {

    private Services() {
    }

    /** @return whether this run is CI ({@code CI=true}) */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Fails (CI) or skips (elsewhere) the calling test unless {@code available} says yes.
     *
     * @param what      what is needed, for the message, such as {@code "PostgreSQL on 127.0.0.1:5432"}
     * @param available the probe
     */
    public static void require(String what, BooleanSupplier available) {
        if (available.getAsBoolean()) {
            return;
        }
        String message = what + " is not available (see SERVICES.md to start or install it)";
        if (inCi()) {
            Assertions.fail(message);
        }
        Assumptions.assumeTrue(false, message);
    }

    /** Requires something listening on a loopback TCP port. */
    public static void requireTcp(String name, int port) {
        require(name + " on 127.0.0.1:" + port, () -> listening(port));
    }

    /** Requires the shared PostgreSQL server. */
    public static void postgres() {
        requireTcp("PostgreSQL", 5432);
    }

    /** Requires the shared MariaDB server. */
    public static void mariadb() {
        requireTcp("MariaDB", 3306);
    }

    /** Requires the shared Redis server. */
    public static void redis() {
        requireTcp("Redis", 6379);
    }

    /**
     * Requires an executable on the {@code PATH}.
     *
     * @return its path
     */
    public static Path command(String name) {
        Optional<Path> found = findCommand(name);
        require("the command " + name, found::isPresent);
        return found.orElseThrow();
    }

    /** @return the executable {@code name} on the {@code PATH}, if any */
    public static Optional<Path> findCommand(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name));
            }
        }
        return Optional.empty();
    }

    /** @return whether a TCP connection to 127.0.0.1:{@code port} succeeds within 2 s */
    public static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
