package io.opskit.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The sample's settings: {@code opskit.properties} in the data directory (written with defaults on
 * first start), each key overridable by an environment variable {@code OPSKIT_KEY_NAME}
 * ({@code backup.schedule} becomes {@code OPSKIT_BACKUP_SCHEDULE}). The file is part of what the
 * sample backs up as its configuration.
 */
public final class SampleSettings {

    /** The settings file name inside the data directory. */
    public static final String FILE_NAME = "opskit.properties";

    private final Properties properties;
    private final Map<String, String> env;
    private final Path file;

    private SampleSettings(Properties properties, Map<String, String> env, Path file) {
        this.properties = properties;
        this.env = env;
        this.file = file;
    }

    static SampleSettings load(Path dataDir, Map<String, String> env) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            writeDefaults(file);
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        return new SampleSettings(properties, env, file);
    }

    private static void writeDefaults(Path file) throws IOException {
        Properties defaults = new Properties();
        defaults.setProperty("app.name", "opskit-sample");
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            defaults.store(out, "Opskit sample settings; OPSKIT_<KEY> environment variables override these");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The path of the settings file. */
    public Path file() {
        return file;
    }

    /**
     * The value of a setting: the environment override, else the file, else {@code defaultValue}.
     *
     * @param key          a dotted key such as {@code backup.schedule}
     * @param defaultValue used when neither source has the key
     */
    public String get(String key, String defaultValue) {
        String envName = "OPSKIT_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        String fromEnv = env.get(envName);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        return properties.getProperty(key, defaultValue).trim();
    }
}
