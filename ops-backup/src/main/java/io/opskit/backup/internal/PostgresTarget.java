package io.opskit.backup.internal;

import io.opskit.api.Redactor;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL database named by a JDBC URL ({@code jdbc:postgresql://host:port/db?user=u&sslmode=require}),
 * turned into libpq command-line options and environment. The password goes only into
 * {@code PGPASSWORD} in the child's environment, never into its arguments or any message. Every
 * libpq connection parameter in the URL ({@code sslmode}, {@code sslrootcert}, {@code sslcert},
 * {@code sslkey}, {@code connect_timeout}, {@code application_name}, {@code options},
 * {@code target_session_attrs}, {@code passfile}, {@code service} and the rest that libpq reads from
 * the environment) is passed to the tools as its {@code PG*} variable; a parameter the tools cannot
 * honour is refused rather than dropped.
 *
 * @param host     the host
 * @param port     the port
 * @param database the database name
 * @param user     the user
 * @param password the password, or null
 * @param libpq    libpq environment variables ({@code PGSSLMODE} and so on) from the URL's parameters
 */
public record PostgresTarget(String host, int port, String database, String user, @Nullable String password,
                             Map<String, String> libpq) {

    /** libpq parameters (and pgjdbc spellings of them) and the environment variable each one is. */
    private static final Map<String, String> ENV = new LinkedHashMap<>();
    /** pgjdbc parameters that tune the Java driver only: ignored, as pg_dump has no such setting. */
    private static final Set<String> DRIVER_ONLY = Set.of("prepareThreshold", "preparedStatementCacheQueries",
            "preparedStatementCacheSizeMiB", "defaultRowFetchSize", "loggerLevel", "loggerFile", "socketTimeout",
            "tcpKeepAlive", "reWriteBatchedInserts", "binaryTransfer", "stringtype", "loginTimeout",
            "cancelSignalTimeout", "readOnly", "assumeMinServerVersion", "currentSchema");

    static {
        ENV.put("sslmode", "PGSSLMODE");
        ENV.put("sslrootcert", "PGSSLROOTCERT");
        ENV.put("sslcert", "PGSSLCERT");
        ENV.put("sslkey", "PGSSLKEY");
        ENV.put("sslcrl", "PGSSLCRL");
        ENV.put("sslcrldir", "PGSSLCRLDIR");
        ENV.put("sslsni", "PGSSLSNI");
        ENV.put("sslcompression", "PGSSLCOMPRESSION");
        ENV.put("ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION");
        ENV.put("ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION");
        ENV.put("requirepeer", "PGREQUIREPEER");
        ENV.put("gssencmode", "PGGSSENCMODE");
        ENV.put("krbsrvname", "PGKRBSRVNAME");
        ENV.put("gsslib", "PGGSSLIB");
        ENV.put("channel_binding", "PGCHANNELBINDING");
        ENV.put("connect_timeout", "PGCONNECT_TIMEOUT");
        ENV.put("connectTimeout", "PGCONNECT_TIMEOUT");
        ENV.put("application_name", "PGAPPNAME");
        ENV.put("ApplicationName", "PGAPPNAME");
        ENV.put("options", "PGOPTIONS");
        ENV.put("target_session_attrs", "PGTARGETSESSIONATTRS");
        ENV.put("targetServerType", "PGTARGETSESSIONATTRS");
        ENV.put("passfile", "PGPASSFILE");
        ENV.put("service", "PGSERVICE");
        ENV.put("client_encoding", "PGCLIENTENCODING");
        ENV.put("hostaddr", "PGHOSTADDR");
        ENV.put("load_balance_hosts", "PGLOADBALANCEHOSTS");
    }

    /** Copies the map. */
    public PostgresTarget {
        libpq = Map.copyOf(libpq);
    }

    /**
     * Parses a JDBC URL.
     *
     * @throws IllegalArgumentException naming the URL without its password when it cannot be parsed,
     *                                  or a parameter that the PostgreSQL tools cannot honour
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
        if (colon >= 0 && !hostPort.endsWith("]")) {
            host = hostPort.substring(0, colon);
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("PostgreSQL URL port must be a number: " + redact(jdbcUrl));
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } else if (!pair.isEmpty()) {
                params.put(pair, "");
            }
        }
        String user = params.remove("user");
        String password = params.remove("password");
        Map<String, String> libpq = new LinkedHashMap<>();
        Set<String> refused = new TreeSet<>();
        for (Map.Entry<String, String> p : params.entrySet()) {
            String env = ENV.get(p.getKey());
            if (env != null) {
                libpq.put(env, p.getValue());
            } else if (p.getKey().equals("ssl")) {
                // pgjdbc: ssl=true without sslmode means verify-full.
                if (!p.getValue().equalsIgnoreCase("false")) {
                    libpq.putIfAbsent("PGSSLMODE", "verify-full");
                }
            } else if (!DRIVER_ONLY.contains(p.getKey())) {
                refused.add(p.getKey());
            }
        }
        if (params.containsKey("sslmode")) {
            libpq.put("PGSSLMODE", params.get("sslmode"));
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("PostgreSQL URL parameters " + refused + " cannot be passed to pg_dump and"
                    + " pg_restore; use libpq parameter names (sslmode, sslrootcert, connect_timeout, ...): " + redact(jdbcUrl));
        }
        return new PostgresTarget(host, port, database, user == null ? System.getProperty("user.name") : user, password, libpq);
    }

    /** Whether the URL carries a password ({@code password=}). */
    public static boolean hasPassword(String jdbcUrl) {
        return jdbcUrl.matches("(?i).*[?&]password=.*");
    }

    /** A copy with {@code password} (from a password file or the environment). */
    public PostgresTarget withPassword(String password) {
        return new PostgresTarget(host, port, database, user, password, libpq);
    }

    /** Masks the password (and any other secret shape) in a URL, for messages. */
    public static String redact(String url) {
        return Redactor.redact(url);
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

    /** The child environment: the URL's libpq parameters, and the password, when there is one, as PGPASSWORD. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>(libpq);
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        return env;
    }

    /** A description without the password. */
    public String describe() {
        String ssl = libpq.containsKey("PGSSLMODE") ? "?sslmode=" + libpq.get("PGSSLMODE") : "";
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database + ssl;
    }

    @Override
    public String toString() {
        return describe();
    }
}
