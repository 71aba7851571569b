package io.opskit.sample;

import io.opskit.api.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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

    /** The variable the SMTP password is read from; it is never read from the settings file. */
    public static final String SMTP_PASSWORD_ENV = "OPSKIT_NOTIFY_SMTP_PASSWORD";

    /**
     * Where the sample mails backup failures and health changes: present when {@code notify.smtp.host}
     * is set. Keys: {@code notify.smtp.host}, {@code notify.smtp.port} (default 25),
     * {@code notify.smtp.from} (default {@code opskit@localhost}), {@code notify.smtp.to} (required,
     * comma-separated), {@code notify.smtp.starttls} (default false), {@code notify.smtp.user}
     * (optional); the password only from {@value #SMTP_PASSWORD_ENV}.
     *
     * @throws IllegalArgumentException naming the key when a value is missing or malformed
     */
    public Optional<SmtpNotify> smtpNotify() {
        String host = get("notify.smtp.host", "");
        if (host.isEmpty()) {
            return Optional.empty();
        }
        String portText = get("notify.smtp.port", "25");
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("notify.smtp.port must be a port number: '" + portText + "'", e);
        }
        List<String> to = Arrays.stream(get("notify.smtp.to", "").split(",")).map(String::trim)
                .filter(t -> !t.isEmpty()).toList();
        if (to.isEmpty()) {
            throw new IllegalArgumentException("notify.smtp.to is required when notify.smtp.host is set");
        }
        String starttls = get("notify.smtp.starttls", "false").toLowerCase(Locale.ROOT);
        if (!starttls.equals("true") && !starttls.equals("false")) {
            throw new IllegalArgumentException("notify.smtp.starttls must be true or false: '" + starttls + "'");
        }
        String user = get("notify.smtp.user", "");
        String password = env.getOrDefault(SMTP_PASSWORD_ENV, "");
        if (!user.isEmpty() && password.isEmpty()) {
            throw new IllegalArgumentException("notify.smtp.user is set but " + SMTP_PASSWORD_ENV + " is not");
        }
        return Optional.of(new SmtpNotify(host, port, get("notify.smtp.from", "opskit@localhost"), to,
                starttls.equals("true"), user.isEmpty() ? Optional.empty() : Optional.of(user), password));
    }

    /**
     * The sample's mail settings for notifications; {@link #toString()} never shows the password.
     *
     * @param password empty when there is no user
     */
    public record SmtpNotify(String host, int port, String from, List<String> to, boolean starttls,
                             Optional<String> user, String password) {
        @Override
        public String toString() {
            return "SmtpNotify[host=" + host + ", port=" + port + ", from=" + from + ", to=" + to + ", starttls="
                    + starttls + ", user=" + user.orElse("") + ", password=" + (password.isEmpty() ? "" : Redactor.MASK) + "]";
        }
    }
}
