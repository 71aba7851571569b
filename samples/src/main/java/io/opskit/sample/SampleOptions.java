package io.opskit.sample;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Start-up options of the sample, from the command line and the environment.
 *
 * @param port       the TCP port on 127.0.0.1; 0 picks a free one
 * @param dataDir    holds the SQLite database, the backups and the settings file
 * @param adminToken the bearer token for admin endpoints, or null to disable them
 * @param logJson    true to log JSON lines instead of plain text
 * @param env        the environment the sample reads its settings overrides from
 */
public record SampleOptions(int port, Path dataDir, @Nullable String adminToken, boolean logJson,
                            Map<String, String> env) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when the port is outside 0..65535
     */
    public SampleOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        Objects.requireNonNull(dataDir, "dataDir");
        if (adminToken != null && adminToken.isBlank()) {
            adminToken = null;
        }
        env = Map.copyOf(env);
    }
}
