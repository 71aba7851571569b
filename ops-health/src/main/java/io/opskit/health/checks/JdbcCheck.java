package io.opskit.health.checks;

import io.opskit.api.Threshold;
import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
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
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A database check: gets a connection, validates it (a validation query, or
 * {@link Connection#isValid(int)} when none is set) and measures the database's size on SQLite,
 * PostgreSQL and MariaDB/MySQL.
 *
 * <p>Size thresholds default to the FeedForward manual's: warning at 5 GB, critical at 8 GB,
 * maximum 10 GB (binary units). Because a large database still serves traffic, the warning and
 * critical levels make the check {@code DEGRADED} (the level is in the details); reaching the
 * maximum makes it {@code DOWN}. A failed connection or validation is {@code DOWN} with the
 * exception type, SQL state and a message with secrets masked.
 *
 * <p>Message as an operator reads it: {@code Connected (15.2 MB)}. Immutable and thread-safe.
 */
public final class JdbcCheck implements HealthCheck {

    private static final long GB = 1024L * 1024 * 1024;

    private final DataSource dataSource;
    private final @Nullable String validationQuery;
    private final int queryTimeoutSeconds;
    private final @Nullable Threshold sizeThreshold;
    private final long maximumBytes;

    private JdbcCheck(DataSource dataSource, @Nullable String validationQuery, int queryTimeoutSeconds,
                      @Nullable Threshold sizeThreshold, long maximumBytes) {
        this.dataSource = dataSource;
        this.validationQuery = validationQuery;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.sizeThreshold = sizeThreshold;
        this.maximumBytes = maximumBytes;
    }

    /** A check of {@code dataSource} with {@code isValid}, a 5 s query timeout and the default size limits. */
    public static JdbcCheck of(DataSource dataSource) {
        return new JdbcCheck(Objects.requireNonNull(dataSource, "dataSource"), null, 5,
                Threshold.above(5 * GB, 8 * GB), 10 * GB);
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
        return new JdbcCheck(dataSource, query, queryTimeoutSeconds, sizeThreshold, maximumBytes);
    }

    /**
     * A copy whose validation and size queries time out after {@code timeout} (whole seconds, at least 1).
     *
     * @throws IllegalArgumentException when shorter than one second
     */
    public JdbcCheck withQueryTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "queryTimeout");
        if (timeout.toSeconds() < 1) {
            throw new IllegalArgumentException("queryTimeout must be at least 1 s: " + timeout);
        }
        return new JdbcCheck(dataSource, validationQuery, (int) Math.min(Integer.MAX_VALUE, timeout.toSeconds()),
                sizeThreshold, maximumBytes);
    }

    /**
     * A copy with other size limits, in bytes.
     *
     * @param threshold    warning and critical sizes ({@link Threshold.Direction#ABOVE})
     * @param maximumBytes the size at which the check turns DOWN
     * @throws IllegalArgumentException when the threshold is not ABOVE or the maximum is below its critical level
     */
    public JdbcCheck withSizeLimits(Threshold threshold, long maximumBytes) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.direction() != Threshold.Direction.ABOVE) {
            throw new IllegalArgumentException("threshold must have direction ABOVE: " + threshold.direction());
        }
        if (maximumBytes < threshold.critical()) {
            throw new IllegalArgumentException("maximumBytes must be at or above the critical level "
                    + (long) threshold.critical() + ": " + maximumBytes);
        }
        return new JdbcCheck(dataSource, validationQuery, queryTimeoutSeconds, threshold, maximumBytes);
    }

    /** A copy that does not measure the database size. */
    public JdbcCheck withoutSize() {
        return new JdbcCheck(dataSource, validationQuery, queryTimeoutSeconds, null, 0);
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
            Long size = sizeThreshold == null ? null : sizeOf(connection, product);
            String sizeText = "";
            if (size != null && sizeThreshold != null) {
                Threshold.Level level = sizeThreshold.evaluate(size);
                result.detail("sizeBytes", size).detail("size", Levels.bytes(size)).detail("sizeLevel", level.name())
                        .detail("warningBytes", (long) sizeThreshold.warning())
                        .detail("criticalBytes", (long) sizeThreshold.critical())
                        .detail("maximumBytes", maximumBytes);
                sizeText = " (" + Levels.bytes(size) + ")";
                if (size >= maximumBytes) {
                    result.status(HealthStatus.DOWN);
                    sizeText = " but the database reached its maximum size of " + Levels.bytes(maximumBytes)
                            + " (" + Levels.bytes(size) + ")";
                } else if (level != Threshold.Level.OK) {
                    result.status(HealthStatus.DEGRADED);
                    sizeText = " (" + Levels.bytes(size) + ", past the " + level.name().toLowerCase(Locale.ROOT)
                            + " size)";
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
        String p = product.toLowerCase(Locale.ROOT);
        if (p.contains("sqlite")) {
            long pages = single(connection, "PRAGMA page_count");
            long pageSize = single(connection, "PRAGMA page_size");
            return pages * pageSize;
        }
        if (p.contains("postgresql")) {
            return single(connection, "SELECT pg_database_size(current_database())");
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return single(connection, "SELECT COALESCE(SUM(data_length + index_length), 0) "
                    + "FROM information_schema.tables WHERE table_schema = DATABASE()");
        }
        return null;
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
