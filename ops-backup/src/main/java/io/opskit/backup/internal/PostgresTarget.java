package io.opskit.backup.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL database named by a JDBC URL ({@code jdbc:postgresql://host:port/db?user=u&password=p}),
 * turned into libpq command-line options and environment. The password goes only into
 * {@code PGPASSWORD} in the child's environment, never into its arguments or any message.
 */
public record PostgresTarget(String host, int port, String database, String user,
                             @org.jspecify.annotations.Nullable String password) {

    /**
     * Parses a JDBC URL.
     *
     * @throws IllegalArgumentException naming the URL without its password when it cannot be parsed
     */
    public static PostgresTarget parse(String jdbcUrl) {
        String prefix = "jdbc:postgresql://";
        if (!jdbcUrl.startsWith(prefix)) {
            throw new IllegalArgumentException("PostgreSQL URL must start with jdbc:postgresql://: " + redact(jdbcUrl));
        }
        String rest = jdbcUrl.substring(prefix.length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        if (slash < 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("PostgreSQL URL must name a database: " + redact(jdbcUrl));
        }
        String hostPort = rest.substring(0, slash);
        String database = URLDecoder.decode(rest.substring(slash + 1), StandardCharsets.UTF_8);
        String host = hostPort.isEmpty() ? "localhost" : hostPort;
        int port = 5432;
        int colon = hostPort.lastIndexOf(':');
        if (colon >= 0) {
            host = hostPort.substring(0, colon);
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("PostgreSQL URL port must be a number: " + redact(jdbcUrl));
            }
        }
        Map<String, String> params = new HashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String user = params.getOrDefault("user", System.getProperty("user.name"));
        return new PostgresTarget(host, port, database, user, params.get("password"));
    }

    /** Removes a password parameter from a URL, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /** The libpq connection options, without the password. */
    public List<String> connectionArgs() {
        List<String> args = new ArrayList<>();
        args.add("--host=" + host);
        args.add("--port=" + port);
        args.add("--username=" + user);
        args.add("--no-password");
        return args;
    }

    /** The child environment: the password, when there is one, as PGPASSWORD. */
    public Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        return env;
    }

    /** A description without the password. */
    public String describe() {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return describe();
    }
}
