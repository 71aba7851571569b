package io.opskit.health.checks;

import io.opskit.api.Threshold;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.internal.SqlDialect;
import io.opskit.health.internal.Failures;
import io.opskit.health.internal.Levels;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A database check: gets a connection, validates it (a validation query, or
 * {@link Connection#isValid(int)} when none is set) and measures the database's size on SQLite,
 * PostgreSQL and MariaDB/MySQL.
 *
 * <p>The size is always reported in the details ({@code sizeBytes}, {@code size}). Size levels
 * apply only when set with {@link #withSizeLimits(Threshold)}, with the meaning every built-in
 * shares: warning is {@code DEGRADED}, critical is {@code DOWN}. A large database still serves
 * reads, so register a size-limited check as its own, non-critical check (its DOWN then only
 * degrades the aggregate) beside a critical connectivity check; refusing writes at a maximum size
 * is the write path's job (a storage guard), not a reason to take the service out of rotation.
 * A failed connection or validation is {@code DOWN} with the exception type, SQL state and a
 * message with secrets masked.
 *
 * <pre>{@code
 * .register("database", JdbcCheck.of(dataSource), CheckOptions.defaults())
 * .register("database-size", JdbcCheck.of(dataSource).withSizeLimits(JdbcCheck.DEFAULT_SIZE_LIMITS),
 *         CheckOptions.defaults().critical(false))
 * }</pre>
 *
 * <p>Message as an operator reads it: {@code Connected (15.2 MB)}. Immutable and thread-safe.
 */
public final class JdbcCheck implements HealthCheck {

    private static final long GIB = 1024L * 1024 * 1024;
    private static final Duration MAX_QUERY_TIMEOUT = Duration.ofHours(1);

    /** Warning at 5 GiB, critical at 8 GiB: a common budget for a single-node database. */
    public static final Threshold DEFAULT_SIZE_LIMITS = Threshold.above(5 * GIB, 8 * GIB);

    private final DataSource dataSource;
    private final @Nullable String validationQuery;
    private final int queryTimeoutSeconds;
    private final boolean measureSize;
    private final @Nullable Threshold sizeThreshold;

    private JdbcCheck(DataSource dataSource, @Nullable String validationQuery, int queryTimeoutSeconds,
                      boolean measureSize, @Nullable Threshold sizeThreshold) {
        this.dataSource = dataSource;
        this.validationQuery = validationQuery;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.measureSize = measureSize;
        this.sizeThreshold = sizeThreshold;
    }

    /**
     * A check of {@code dataSource} with {@code isValid} and a 5 s query timeout that reports the
     * database size without size levels.
     */
    public static JdbcCheck of(DataSource dataSource) {
        return new JdbcCheck(Objects.requireNonNull(dataSource, "dataSource"), null, 5, true, null);
    }

    /**
     * A copy that runs {@code query} (for example {@code SELECT 1}) to validate the connection.
     *
     * @throws IllegalArgumentException when blank
     */
    public JdbcCheck withValidationQuery(String query) {
        Objects.requireNonNull(query, "validationQuery");
        if (query.isBlank()) {
            throw new IllegalArgumentException("validationQuery must not be blank: '" + query + "'");
        }
        return new JdbcCheck(dataSource, query, queryTimeoutSeconds, measureSize, sizeThreshold);
    }

    /**
     * A copy whose validation and size queries time out after {@code timeout} (whole seconds, at least 1).
     *
     * @throws IllegalArgumentException when shorter than one second or longer than one hour
     */
    public JdbcCheck withQueryTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "queryTimeout");
        if (timeout.toSeconds() < 1) {
            throw new IllegalArgumentException("queryTimeout must be at least 1 s: " + timeout);
        }
        if (timeout.compareTo(MAX_QUERY_TIMEOUT) > 0) {
            throw new IllegalArgumentException("queryTimeout must be at most " + MAX_QUERY_TIMEOUT + ": " + timeout);
        }
        return new JdbcCheck(dataSource, validationQuery, (int) timeout.toSeconds(), measureSize, sizeThreshold);
    }

    /**
     * A copy with size levels, in bytes: past the warning size the check is {@code DEGRADED}, past
     * the critical size {@code DOWN} (register it non-critical to keep serving reads).
     *
     * @param threshold warning and critical sizes ({@link Threshold.Direction#ABOVE}), for example
     *                  {@link #DEFAULT_SIZE_LIMITS}
     * @throws IllegalArgumentException when the threshold is not ABOVE
     */
    public JdbcCheck withSizeLimits(Threshold threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.direction() != Threshold.Direction.ABOVE) {
            throw new IllegalArgumentException("threshold must have direction ABOVE: " + threshold.direction());
        }
        return new JdbcCheck(dataSource, validationQuery, queryTimeoutSeconds, true, threshold);
    }

    /** A copy that does not measure the database size. */
    public JdbcCheck withoutSize() {
        return new JdbcCheck(dataSource, validationQuery, queryTimeoutSeconds, false, null);
    }

    /** Connects, validates and measures; never throws (failures are DOWN results). */
    @Override
    public HealthResult check() {
        long start = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData meta = connection.getMetaData();
            String product = meta.getDatabaseProductName();
            if (validationQuery != null) {
                try (Statement statement = connection.createStatement()) {
                    statement.setQueryTimeout(queryTimeoutSeconds);
                    statement.execute(validationQuery);
                }
            } else if (!connection.isValid(queryTimeoutSeconds)) {
                return HealthResult.builder(HealthStatus.DOWN).message("connection is not valid")
                        .detail("database", product).build();
            }
            HealthResult.Builder result = HealthResult.builder(HealthStatus.UP).detail("database", product);
            Long size = measureSize ? sizeOf(connection, product) : null;
            String sizeText = "";
            if (size != null) {
                result.detail("sizeBytes", size).detail("size", Levels.bytes(size));
                sizeText = " (" + Levels.bytes(size) + ")";
                Threshold limits = sizeThreshold;
                if (limits != null) {
                    Threshold.Level level = limits.evaluate(size);
                    result.status(Levels.status(level)).detail("sizeLevel", level.name())
                            .detail("warningBytes", (long) limits.warning())
                            .detail("criticalBytes", (long) limits.critical());
                    if (level != Threshold.Level.OK) {
                        sizeText = " (" + Levels.bytes(size) + ", past the " + level.name().toLowerCase(Locale.ROOT)
                                + " size of " + Levels.bytes((long) (level == Threshold.Level.WARNING
                                        ? limits.warning() : limits.critical())) + ")";
                    }
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            return result.message("Connected" + sizeText).detail("responseMs", millis).build();
        } catch (SQLException e) {
            HealthResult.Builder down = HealthResult.builder(HealthStatus.DOWN).message(Failures.describe(e))
                    .detail("error", e.getClass().getName());
            if (e.getSQLState() != null) {
                down.detail("sqlState", e.getSQLState());
            }
            return down.build();
        }
    }

    private @Nullable Long sizeOf(Connection connection, String product) throws SQLException {
        Optional<SqlDialect> dialect = SqlDialect.fromProductName(product);
        if (dialect.isEmpty()) {
            return null;
        }
        return switch (dialect.get()) {
            case SQLITE -> single(connection, "PRAGMA page_count") * single(connection, "PRAGMA page_size");
            case POSTGRESQL -> single(connection, "SELECT pg_database_size(current_database())");
            case MARIADB -> single(connection, "SELECT COALESCE(SUM(data_length + index_length), 0) "
                    + "FROM information_schema.tables WHERE table_schema = DATABASE()");
        };
    }

    private long single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(queryTimeoutSeconds);
            try (ResultSet rs = statement.executeQuery(sql)) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
