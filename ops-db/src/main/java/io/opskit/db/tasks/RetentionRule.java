package io.opskit.db.tasks;

import io.opskit.api.backup.BackupStore;
import io.opskit.api.backup.KeyProvider;
import io.opskit.api.internal.Checks;
import java.time.Duration;
import java.time.Period;
import java.time.temporal.TemporalAmount;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What to remove from one table: rows whose time column is older than an age, moved to an archive
 * table in the same database, written to an encrypted archive file in a {@link BackupStore}, or
 * deleted. Immutable; build with {@link #table(String)}:
 *
 * <pre>{@code
 * RetentionRule rule = RetentionRule.table("email_deliveries")
 *         .olderThan("created_at", Period.ofDays(90))
 *         .archiveTo("email_deliveries_archive");
 * RetentionRule sessions = RetentionRule.table("sessions")
 *         .olderThan("expires_at", Period.ofDays(7)).delete();
 * }</pre>
 *
 * <p>Table and column names must be plain SQL identifiers (optionally schema-qualified); the
 * {@linkplain Step#where(String) extra condition} is SQL written by the host, never user input.
 * The key column (default {@code id}) must be an integer key that orders the rows; batches walk it.
 */
public final class RetentionRule {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    /** How the time column stores a point in time, so that the cutoff is compared like with like. */
    public enum TimeFormat {
        /** A SQL timestamp type ({@code timestamp}, {@code timestamptz}, {@code datetime}); the default. */
        TIMESTAMP("timestamp"),
        /** Milliseconds since 1970-01-01T00:00Z in an integer column. */
        EPOCH_MILLIS("epoch_millis"),
        /** Seconds since 1970-01-01T00:00Z in an integer column. */
        EPOCH_SECONDS("epoch_seconds"),
        /** ISO-8601 text in UTC ({@code 2026-01-31T12:00:00Z}), as SQLite hosts often store it. */
        ISO_TEXT("iso_text");

        private final String wireName;

        TimeFormat(String wireName) {
            this.wireName = wireName;
        }

        /** The stable lowercase name. */
        public String wireName() {
            return wireName;
        }
    }

    /** Where the rows go. Either a table, a file in a store, or nowhere. */
    public sealed interface Destination {
        /** Rows are copied to a table with the same columns in the same order, then deleted. */
        record Table(String name) implements Destination {
            public Table {
                requireIdentifier(name, "archiveTable");
            }
        }

        /**
         * Rows are written, one object per batch, as gzip-compressed JSON lines encrypted with
         * AES-256-GCM (see ops-db's {@code FORMAT.md}), then deleted.
         */
        record File(BackupStore store, KeyProvider keys, String prefix) implements Destination {
            public File {
                Objects.requireNonNull(store, "store");
                Objects.requireNonNull(keys, "keys");
                Checks.requireNonBlank(prefix, "prefix");
            }
        }

        /** Rows are deleted. */
        record Delete() implements Destination {
        }
    }

    private final String table;
    private final String timeColumn;
    private final TemporalAmount age;
    private final TimeFormat timeFormat;
    private final String keyColumn;
    private final @Nullable String where;
    private final Destination destination;

    private RetentionRule(Step s, Destination destination) {
        this.table = s.table;
        this.timeColumn = Objects.requireNonNull(s.timeColumn, "olderThan");
        this.age = Objects.requireNonNull(s.age, "olderThan");
        this.timeFormat = s.timeFormat;
        this.keyColumn = s.keyColumn;
        this.where = s.where;
        this.destination = destination;
    }

    /**
     * Starts a rule for {@code table}.
     *
     * @throws IllegalArgumentException when the name is not a plain identifier
     */
    public static Step table(String table) {
        return new Step(requireIdentifier(table, "table"));
    }

    static String requireIdentifier(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be a plain SQL identifier: '" + value + "'");
        }
        return value;
    }

    /** The table rows are removed from. */
    public String tableName() {
        return table;
    }

    /** The time column compared with the cutoff. */
    public String timeColumn() {
        return timeColumn;
    }

    /** The age: rows older than now minus this are removed ({@link Period} or {@link Duration}). */
    public TemporalAmount age() {
        return age;
    }

    /** How the time column stores time. */
    public TimeFormat timeFormat() {
        return timeFormat;
    }

    /** The integer key column batches walk. */
    public String keyColumn() {
        return keyColumn;
    }

    /** The extra condition, if any. */
    public Optional<String> where() {
        return Optional.ofNullable(where);
    }

    /** Where the rows go. */
    public Destination destination() {
        return destination;
    }

    @Override
    public String toString() {
        return "RetentionRule[" + table + "." + timeColumn + " older than " + age + " -> " + destination + "]";
    }

    /** The steps of a rule before its destination. Not thread-safe. */
    public static final class Step {
        private final String table;
        private @Nullable String timeColumn;
        private @Nullable TemporalAmount age;
        private TimeFormat timeFormat = TimeFormat.TIMESTAMP;
        private String keyColumn = "id";
        private @Nullable String where;

        private Step(String table) {
            this.table = table;
        }

        /** Rows whose {@code column} is older than {@code age} (a {@link Period} of days/months or a {@link Duration}). */
        public Step olderThan(String column, TemporalAmount age) {
            Checks.requireUnset(timeColumn, "olderThan");
            Objects.requireNonNull(age, "age");
            if (age instanceof Period p && (p.isNegative() || p.isZero())
                    || age instanceof Duration d && (d.isNegative() || d.isZero())) {
                throw new IllegalArgumentException("age must be positive: " + age);
            }
            if (!(age instanceof Period) && !(age instanceof Duration)) {
                throw new IllegalArgumentException("age must be a Period or a Duration: " + age);
            }
            this.timeColumn = requireIdentifier(column, "column");
            this.age = age;
            return this;
        }

        /** How the time column stores time; default {@link TimeFormat#TIMESTAMP}. */
        public Step timeFormat(TimeFormat value) {
            this.timeFormat = Objects.requireNonNull(value, "timeFormat");
            return this;
        }

        /** The integer key column; default {@code id}. */
        public Step keyColumn(String column) {
            this.keyColumn = requireIdentifier(column, "keyColumn");
            return this;
        }

        /** An extra condition ANDed to the age (host-written SQL, e.g. {@code status = 'draft'}). */
        public Step where(String condition) {
            Checks.requireUnset(where, "where");
            this.where = Checks.requireNonBlank(condition, "where");
            return this;
        }

        /** Moves the rows to {@code archiveTable} (same columns, same order) in the same database. */
        public RetentionRule archiveTo(String archiveTable) {
            return new RetentionRule(this, new Destination.Table(archiveTable));
        }

        /** Writes the rows as encrypted archive files under {@code prefix} in {@code store}. */
        public RetentionRule archiveTo(BackupStore store, KeyProvider keys, String prefix) {
            return new RetentionRule(this, new Destination.File(store, keys, prefix));
        }

        /** Deletes the rows. */
        public RetentionRule delete() {
            return new RetentionRule(this, new Destination.Delete());
        }
    }
}
