package io.opskit.backup;

import io.opskit.api.backup.BackupSource;
import io.opskit.backup.internal.FilesSource;
import io.opskit.backup.internal.PostgresSource;
import io.opskit.backup.internal.PostgresTarget;
import io.opskit.backup.internal.RedisSource;
import io.opskit.backup.internal.SqliteSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The built-in {@link BackupSource}s: a SQLite database, a PostgreSQL database through
 * {@code pg_dump}, a Redis server's data set, and files under a directory. Each returned source is immutable and may be used
 * for many backups, one at a time.
 */
public final class BackupSources {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private BackupSources() {
    }

    /**
     * A SQLite database, snapshotted online through the SQLite backup API (requires sqlite-jdbc on
     * the class path). Writers may keep writing; the snapshot is one committed state. The snapshot
     * is copied beside the database first (it needs free space equal to the database there; see
     * {@link #sqlite(String, Path, Path)} to put it elsewhere) and checked before it is stored.
     *
     * @param name     the source's name in the manifest ({@code [A-Za-z0-9._-]}, at most 64)
     * @param database the database file
     * @throws IllegalArgumentException when the name is not valid
     */
    public static BackupSource sqlite(String name, Path database) {
        return new SqliteSource(checkName(name), Objects.requireNonNull(database, "database"));
    }

    /**
     * A SQLite database as {@link #sqlite(String, Path)}, with its snapshot copy written to
     * {@code scratchDirectory} instead of beside the database. The copy needs free space equal to
     * the database (and its {@code -wal}) plus 1 MiB there; the backup checks this first and fails
     * with a clear message instead of committing a short copy.
     *
     * @throws IllegalArgumentException when the name is not valid
     */
    public static BackupSource sqlite(String name, Path database, Path scratchDirectory) {
        return new SqliteSource(checkName(name), Objects.requireNonNull(database, "database"),
                Objects.requireNonNull(scratchDirectory, "scratchDirectory"));
    }

    /**
     * A PostgreSQL database, dumped with {@code pg_dump -Fc} from the {@code PATH}. A password in
     * the URL ({@code password=}) reaches pg_dump only through its environment; without one, libpq's
     * own {@code PGPASSWORD} or {@code PGPASSFILE} apply. Every libpq parameter in the URL
     * ({@code sslmode}, {@code sslrootcert}, {@code connect_timeout}, ...) is passed through as its
     * {@code PG*} environment variable; a parameter pg_dump cannot honour is refused.
     *
     * @param jdbcUrl {@code jdbc:postgresql://host:port/database?user=name[&password=secret]}
     * @throws IllegalArgumentException when the name or URL is not valid (the message hides the password)
     */
    public static BackupSource postgres(String name, String jdbcUrl) {
        return new PostgresSource(checkName(name), PostgresTarget.parse(Objects.requireNonNull(jdbcUrl, "jdbcUrl")), "pg_dump");
    }

    /**
     * A PostgreSQL database as {@link #postgres(String, String)}, with its password given apart from
     * the URL (read from a password file or a secret store): it reaches pg_dump only as
     * {@code PGPASSWORD} in its environment.
     *
     * @throws IllegalArgumentException when the name or URL is not valid (the message hides the password)
     */
    public static BackupSource postgres(String name, String jdbcUrl, String password) {
        Objects.requireNonNull(password, "password");
        return new PostgresSource(checkName(name),
                PostgresTarget.parse(Objects.requireNonNull(jdbcUrl, "jdbcUrl")).withPassword(password), "pg_dump");
    }

    /**
     * Files under {@code root} (or the single file {@code root}), keeping relative paths, sizes,
     * permissions and modification times. Globs match the path relative to the root, with
     * {@code /} separators; excludes win over includes; no includes means everything.
     *
     * @throws IllegalArgumentException when the name or a glob is not valid
     */
    public static BackupSource files(String name, Path root, List<String> includes, List<String> excludes) {
        return new FilesSource(checkName(name), Objects.requireNonNull(root, "root"), List.copyOf(includes), List.copyOf(excludes));
    }

    /** Every file under {@code root}, or the single file {@code root}. */
    public static BackupSource files(String name, Path root) {
        return files(name, root, List.of(), List.of());
    }

    /**
     * A Redis server's whole data set (every database) as one RDB snapshot, kind {@code redis},
     * taken online over the replication protocol as {@code redis-cli --rdb} does: nothing is read
     * from or written to the server's disk. With {@code repl-diskless-sync yes} (Redis 7's default)
     * the server waits {@code repl-diskless-sync-delay} (5 s by default) before it streams, so a
     * backup takes at least that long. A restore writes {@code dump.rdb} and loading instructions
     * into a directory ({@link io.opskit.api.backup.RestoreTarget#directory(Path)}); level-3
     * verification runs {@code redis-check-rdb} when it is installed. Plain TCP only.
     *
     * @param name the source's name in the manifest ({@code [A-Za-z0-9._-]}, at most 64)
     * @param host the server's host
     * @param port the server's port
     * @throws IllegalArgumentException when the name or port is not valid
     */
    public static BackupSource redis(String name, String host, int port) {
        return redis(name, host, port, Optional.empty(), Optional.empty());
    }

    /**
     * A Redis server's data set as {@link #redis(String, String, int)}, on a server that asks for a
     * password ({@code requirepass}, or an ACL user when {@code user} is given). The password goes
     * only over the connection, in {@code AUTH}; the user needs the right to run {@code SYNC} and
     * {@code REPLCONF}.
     *
     * @param user     an ACL user, or empty for the default user
     * @param password the password
     * @throws IllegalArgumentException when the name or port is not valid
     */
    public static BackupSource redis(String name, String host, int port, Optional<String> user, Optional<String> password) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535: " + port);
        }
        if (user.isPresent() && password.isEmpty()) {
            throw new IllegalArgumentException("user needs a password: " + user.get());
        }
        return new RedisSource(checkName(name), host, port, user, password, Duration.ofMinutes(2));
    }

    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("source name must be 1-64 of [A-Za-z0-9._-]: " + name);
        }
        return name;
    }
}
