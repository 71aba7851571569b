package io.opskit.backup.pitr;

import static io.opskit.api.internal.Checks.requirePositive;
import static io.opskit.api.internal.Checks.requireUnset;
import static io.opskit.api.internal.Checks.setOnce;

import io.opskit.api.health.HealthCheck;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.internal.DurationText;
import io.opskit.api.notify.Notifier;
import io.opskit.api.notify.OpsEvent;
import io.opskit.api.notify.Severity;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health of point-in-time recovery for one cluster: DOWN when the archive has a gap, when the
 * newest moment a restore can reach is older than the RPO, or when the segments waiting in
 * {@code pg_wal} reach {@code downAtBacklog} (before the backlog cap, so an operator hears of a
 * failing store before the disk fills); DEGRADED while {@code pg_stat_archiver} shows archiving
 * failing. Details: backlog, archive lag (age of the oldest waiting segment), failed count,
 * newest restorable moment.
 *
 * <p>Reading {@code pg_stat_archiver} and {@code pg_ls_archive_statusdir()} needs a role with
 * {@code pg_monitor} (or a superuser). Publishes {@code backup.wal.archive_failing} (WARNING),
 * {@code backup.wal.backlog} and {@code backup.wal.rpo_exceeded} (CRITICAL) once per episode and
 * {@code backup.wal.recovered} (INFO) when all is well again. Thread-safe.
 */
public final class WalArchiveHealthCheck implements HealthCheck {

    private static final Logger log = LoggerFactory.getLogger(WalArchiveHealthCheck.class);

    private final WalArchive archive;
    private final @Nullable DataSource dataSource;
    private final Duration rpo;
    private final int backlogCap;
    private final int downAtBacklog;
    private final Clock clock;
    private final List<Notifier> notifiers;
    private final AtomicReference<String> episode = new AtomicReference<>("");

    private WalArchiveHealthCheck(Builder b) {
        this.archive = Objects.requireNonNull(b.archive, "archive"); // build() checked it
        this.dataSource = b.dataSource;
        this.rpo = Objects.requireNonNull(b.rpo, "rpo"); // build() checked it
        this.backlogCap = b.backlogCap == null ? 64 : b.backlogCap;
        this.downAtBacklog = b.downAtBacklog == null ? Math.max(1, backlogCap * 3 / 4) : b.downAtBacklog;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.notifiers = List.copyOf(b.notifiers);
    }

    /** Starts a builder; archive and rpo are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** What {@code pg_stat_archiver} and the archive status directory say. */
    record ArchiverState(long archivedCount, @Nullable Instant lastArchivedAt, long failedCount,
                         @Nullable Instant lastFailedAt, @Nullable String lastFailedWal, long backlog,
                         @Nullable Instant oldestWaiting) {
        boolean failing() {
            return lastFailedAt != null && (lastArchivedAt == null || lastFailedAt.isAfter(lastArchivedAt));
        }
    }

    @Override
    public HealthResult check() throws Exception {
        Instant now = clock.instant();
        HealthStatus status = HealthStatus.UP;
        List<String> problems = new ArrayList<>();
        String kind = "";
        HealthResult.Builder r = HealthResult.builder(HealthStatus.UP);
        r.detail("backlogCap", backlogCap).detail("downAtBacklog", downAtBacklog).detail("rpo", DurationText.format(rpo));
        List<WalGap> gaps = archive.gaps();
        if (!gaps.isEmpty()) {
            status = HealthStatus.DOWN;
            kind = "gap";
            problems.add("the archive has a gap: " + gaps.get(0).describe());
            r.detail("gaps", gaps.size());
        }
        Optional<Instant> newest = archive.newestRestorableMoment();
        if (newest.isPresent()) {
            Duration age = Duration.between(newest.get(), now);
            r.detail("newestRestorable", newest.get().toString()).detail("newestRestorableAgeSeconds", Math.max(0, age.toSeconds()));
            if (age.compareTo(rpo) > 0) {
                status = HealthStatus.DOWN;
                kind = kind.isEmpty() ? "rpo" : kind;
                problems.add("the newest restorable moment is " + DurationText.format(age.withNanos(0)) + " old, over the RPO of "
                        + DurationText.format(rpo));
            }
        } else {
            status = HealthStatus.DOWN;
            kind = kind.isEmpty() ? "rpo" : kind;
            problems.add("nothing is restorable yet: no base backup with its WAL in the archive");
        }
        if (dataSource != null) {
            ArchiverState s = read(dataSource);
            r.detail("backlog", s.backlog()).detail("archivedCount", s.archivedCount()).detail("failedCount", s.failedCount());
            if (s.oldestWaiting() != null) {
                r.detail("archiveLagSeconds", Math.max(0, Duration.between(s.oldestWaiting(), now).toSeconds()));
            }
            if (s.lastArchivedAt() != null) {
                r.detail("lastArchivedAt", s.lastArchivedAt().toString());
            }
            if (s.backlog() >= downAtBacklog) {
                status = HealthStatus.DOWN;
                kind = "backlog";
                problems.add(0, s.backlog() + " segments wait in pg_wal to be archived (DOWN at " + downAtBacklog
                        + ", cap " + backlogCap + "); the WAL store is failing or too slow");
            }
            if (s.failing()) {
                if (status == HealthStatus.UP) {
                    status = HealthStatus.DEGRADED;
                    kind = "failing";
                }
                problems.add("archiving is failing since " + s.lastFailedAt() + " (last failed: " + s.lastFailedWal()
                        + ", " + s.failedCount() + " failures)");
            }
        }
        r.status(status);
        if (!problems.isEmpty()) {
            r.message(String.join("; ", problems));
        }
        publish(kind, status, problems);
        return r.build();
    }

    private void publish(String kind, HealthStatus status, List<String> problems) {
        String before = episode.getAndSet(kind);
        if (before.equals(kind)) {
            return;
        }
        String type;
        Severity severity;
        switch (kind) {
            case "" -> {
                type = "backup.wal.recovered";
                severity = Severity.INFO;
            }
            case "failing" -> {
                type = "backup.wal.archive_failing";
                severity = Severity.WARNING;
            }
            case "backlog" -> {
                type = "backup.wal.backlog";
                severity = Severity.CRITICAL;
            }
            case "gap" -> {
                type = "backup.wal.gap";
                severity = Severity.CRITICAL;
            }
            default -> {
                type = "backup.wal.rpo_exceeded";
                severity = Severity.CRITICAL;
            }
        }
        String summary = problems.isEmpty() ? "WAL archive " + archive.name() + " is healthy again" : problems.get(0);
        if (!kind.isEmpty()) {
            log.warn("WAL archive {}: {}", archive.name(), summary);
        }
        OpsEvent event = new OpsEvent("backup:" + archive.name(), type, severity, summary,
                Map.of("status", status.name().toLowerCase(java.util.Locale.ROOT)), clock.instant());
        for (Notifier n : notifiers) {
            try {
                n.notify(event);
            } catch (RuntimeException e) {
                log.warn("notifier failed on {}: {}", type, e.toString());
            }
        }
    }

    static ArchiverState read(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            long archived;
            long failed;
            Instant lastArchived;
            Instant lastFailed;
            String lastFailedWal;
            try (ResultSet rs = st.executeQuery("select archived_count, last_archived_time, failed_count, last_failed_time,"
                    + " last_failed_wal from pg_stat_archiver")) {
                rs.next();
                archived = rs.getLong(1);
                lastArchived = instant(rs.getTimestamp(2));
                failed = rs.getLong(3);
                lastFailed = instant(rs.getTimestamp(4));
                lastFailedWal = rs.getString(5);
            }
            long backlog;
            Instant oldest;
            try (ResultSet rs = st.executeQuery("select count(*), min(modification) from pg_ls_archive_statusdir()"
                    + " where name like '%.ready'")) {
                rs.next();
                backlog = rs.getLong(1);
                oldest = instant(rs.getTimestamp(2));
            }
            return new ArchiverState(archived, lastArchived, failed, lastFailed, lastFailedWal, backlog, oldest);
        }
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** Builds a {@link WalArchiveHealthCheck}; single-valued properties may be set once. Not thread-safe. */
    public static final class Builder {
        private @Nullable WalArchive archive;
        private @Nullable DataSource dataSource;
        private @Nullable Duration rpo;
        private @Nullable Integer backlogCap;
        private @Nullable Integer downAtBacklog;
        private @Nullable Clock clock;
        private final List<Notifier> notifiers = new ArrayList<>();

        private Builder() {
        }

        /** The archive to check (required). */
        public Builder archive(WalArchive value) {
            archive = setOnce(archive, value, "archive");
            return this;
        }

        /** The archiving cluster, for {@code pg_stat_archiver} and the backlog in {@code pg_wal}. */
        public Builder dataSource(DataSource value) {
            dataSource = setOnce(dataSource, value, "dataSource");
            return this;
        }

        /** The recovery point objective the newest restorable moment is held to (required). */
        public Builder rpo(Duration value) {
            Objects.requireNonNull(value, "rpo");
            requireUnset(rpo, "rpo");
            rpo = requirePositive(value, "rpo");
            return this;
        }

        /** The most segments {@code pg_wal} may hold waiting before the disk is at risk (64 unless set). */
        public Builder backlogCap(int value) {
            requireUnset(backlogCap, "backlogCap");
            if (value < 2) {
                throw new IllegalArgumentException("backlogCap must be at least 2: " + value);
            }
            backlogCap = value;
            return this;
        }

        /** The backlog at which the check goes DOWN, below the cap (three quarters of it unless set). */
        public Builder downAtBacklog(int value) {
            requireUnset(downAtBacklog, "downAtBacklog");
            if (value < 1) {
                throw new IllegalArgumentException("downAtBacklog must be positive: " + value);
            }
            downAtBacklog = value;
            return this;
        }

        /** Wall time (UTC system clock unless set). */
        public Builder clock(Clock value) {
            clock = setOnce(clock, value, "clock");
            return this;
        }

        /** Adds a notifier; repeatable, all hear every event. */
        public Builder notifier(Notifier value) {
            notifiers.add(Objects.requireNonNull(value, "notifier"));
            return this;
        }

        /**
         * Builds the check.
         *
         * @throws IllegalStateException when archive or rpo is missing, or downAtBacklog is not below the cap
         */
        public WalArchiveHealthCheck build() {
            if (archive == null) {
                throw new IllegalStateException("archive is required");
            }
            if (rpo == null) {
                throw new IllegalStateException("rpo is required");
            }
            int cap = backlogCap == null ? 64 : backlogCap;
            if (downAtBacklog != null && downAtBacklog >= cap) {
                throw new IllegalStateException("downAtBacklog must be below backlogCap so DOWN comes first: "
                        + downAtBacklog + " >= " + cap);
            }
            return new WalArchiveHealthCheck(this);
        }
    }
}
