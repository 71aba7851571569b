package io.opskit.api.backup;

import io.opskit.api.Redactor;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a restore writes one source of a backup. The built-in kinds take a {@link File} (SQLite),
 * a {@link Directory} (files, PostgreSQL base backups, Redis snapshots) or a {@link Postgres}
 * database; an extension whose strategy needs another kind of place implements {@link Custom}.
 *
 * <p>Values are immutable. {@link #describe()} and {@code toString()} never show a password.
 */
public sealed interface RestoreTarget permits RestoreTarget.File, RestoreTarget.Directory, RestoreTarget.Postgres,
        RestoreTarget.Custom {

    /**
     * A one-line description for logs and messages, without any secret.
     *
     * @return the description; never empty
     */
    String describe();

    /**
     * A single file: a SQLite database, replaced atomically.
     *
     * @param path the file; resolved against the working directory when relative
     * @return the target
     */
    static File file(Path path) {
        return new File(path);
    }

    /**
     * A directory, created when absent.
     *
     * @param path the directory; resolved against the working directory when relative
     * @return the target
     */
    static Directory directory(Path path) {
        return new Directory(path);
    }

    /**
     * A PostgreSQL database named by a JDBC URL ({@code jdbc:postgresql://host:port/db?user=u&sslmode=require});
     * every libpq parameter in it reaches the restoring tool. Prefer {@link #postgres(String, String)}
     * to a password inside the URL.
     *
     * @param jdbcUrl the URL
     * @return the target
     */
    static Postgres postgres(String jdbcUrl) {
        return new Postgres(jdbcUrl, Optional.empty());
    }

    /**
     * A PostgreSQL database with its password given apart from the URL (from a password file or a
     * secret store); it reaches the restoring tool only through its environment.
     *
     * @param jdbcUrl  the URL, without a password
     * @param password the password
     * @return the target
     */
    static Postgres postgres(String jdbcUrl, String password) {
        return new Postgres(jdbcUrl, Optional.of(Objects.requireNonNull(password, "password")));
    }

    /**
     * A file target.
     *
     * @param path the file
     */
    record File(Path path) implements RestoreTarget {
        /** Checks the path. */
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }

    /**
     * A directory target.
     *
     * @param path the directory
     */
    record Directory(Path path) implements RestoreTarget {
        /** Checks the path. */
        public Directory {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }

    /**
     * A PostgreSQL database target.
     *
     * @param jdbcUrl  the JDBC URL
     * @param password the password given apart from the URL, if any
     */
    record Postgres(String jdbcUrl, Optional<String> password) implements RestoreTarget {
        /** Checks the arguments. */
        public Postgres {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            Objects.requireNonNull(password, "password");
            if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql://: " + Redactor.redact(jdbcUrl));
            }
        }

        /** The URL with any password masked. */
        @Override
        public String describe() {
            return Redactor.redact(jdbcUrl);
        }

        /** The same as {@link #describe()}: the password never shows. */
        @Override
        public String toString() {
            return "Postgres[" + describe() + (password.isPresent() ? ", password=***]" : "]");
        }
    }

    /**
     * A kind of place of an extension's own (a cache cluster, a remote service). Only the
     * {@link RestoreStrategy} that defines it reads it; the built-in strategies refuse it.
     */
    non-sealed interface Custom extends RestoreTarget {
    }
}
