package io.opskit.backup.pitr;

import io.opskit.api.backup.BackupSource;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.internal.PostgresTarget;
import io.opskit.backup.pitr.internal.PgBinaries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A base backup of a whole PostgreSQL cluster, source kind {@code "pg-base"}: {@code pg_basebackup}
 * streams one tar (with the WAL it needs to reach consistency, {@code --wal-method=fetch}) straight
 * into the repository's compression and encryption. The password goes only into the child's
 * {@code PGPASSWORD}. After each snapshot {@link #lastRun()} holds its start and stop locations and
 * timeline, which {@link WalArchive#recordBaseBackup(BackupManifest, PgBaseBackupSource)} records.
 *
 * <p>Needs a role with the {@code REPLICATION} attribute and a {@code replication} line in
 * {@code pg_hba.conf}; a cluster with extra tablespaces cannot be streamed as one tar. One snapshot
 * at a time per instance.
 */
public final class PgBaseBackupSource implements BackupSource {

    /** The source kind recorded in manifests. */
    public static final String KIND = "pg-base";

    private static final Pattern START = Pattern.compile("write-ahead log start point: ([0-9A-Fa-f]+/[0-9A-Fa-f]+) on timeline (\\d+)");
    private static final Pattern END = Pattern.compile("write-ahead log end point: ([0-9A-Fa-f]+/[0-9A-Fa-f]+)");

    private final String name;
    private final PostgresTarget target;
    private final Clock clock;
    private volatile @Nullable Run last;

    /** Where one snapshot's WAL begins and ends. */
    public record Run(long timeline, Lsn startLsn, Lsn stopLsn, Instant startedAt, Instant stoppedAt) {

        /** This run as the record of {@code sourceName} in repository backup {@code backupId}. */
        public BaseBackup toBaseBackup(String backupId, String sourceName) {
            return new BaseBackup(backupId, sourceName, timeline, startLsn, stopLsn, startedAt, stoppedAt);
        }
    }

    private PgBaseBackupSource(String name, PostgresTarget target, Clock clock) {
        this.name = name;
        this.target = target;
        this.clock = clock;
    }

    /**
     * A base backup source.
     *
     * @param name    the source's name in manifests ({@code [A-Za-z0-9._-]+})
     * @param jdbcUrl {@code jdbc:postgresql://host:port/db?user=u&password=p}; the database is only
     *                used to connect
     * @throws IllegalArgumentException naming the URL without its password when it cannot be parsed
     */
    public static PgBaseBackupSource of(String name, String jdbcUrl) {
        return of(name, jdbcUrl, Clock.systemUTC());
    }

    /** {@link #of(String, String)} with the clock that stamps start and stop times. */
    public static PgBaseBackupSource of(String name, String jdbcUrl, Clock clock) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(clock, "clock");
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-': '" + name + "'");
        }
        return new PgBaseBackupSource(name, PostgresTarget.parse(jdbcUrl), clock);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The locations of the last snapshot this instance took, if any. */
    public Optional<Run> lastRun() {
        return Optional.ofNullable(last);
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        last = null;
        List<String> cmd = new ArrayList<>(List.of(PgBinaries.tool("pg_basebackup"), "--pgdata=-", "--format=tar",
                "--wal-method=fetch", "--checkpoint=fast", "--verbose", "--label=opskit-" + name));
        cmd.addAll(target.connectionArgs());
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(target.environment());
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Instant started = clock.instant();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("pg_basebackup could not be started (is it installed?): " + e.getMessage(), e);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try (InputStream e = process.getErrorStream()) {
                e.transferTo(err);
            } catch (IOException ignored) {
                // the exit code tells
            }
        }, "opskit-pg_basebackup-stderr");
        pump.setDaemon(true);
        pump.start();
        try (InputStream tar = process.getInputStream()) {
            tar.transferTo(out);
        } catch (IOException e) {
            process.destroyForcibly();
            throw e;
        }
        int exit;
        try {
            exit = process.waitFor();
            pump.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("pg_basebackup interrupted");
        }
        String log = err.toString(StandardCharsets.UTF_8);
        if (exit != 0) {
            throw new IOException("pg_basebackup of " + target.describe() + " failed (exit " + exit + "): " + lastLine(log));
        }
        Matcher start = START.matcher(log);
        Matcher end = END.matcher(log);
        if (!start.find() || !end.find()) {
            throw new IOException("pg_basebackup of " + target.describe() + " did not report its WAL start and end points");
        }
        last = new Run(Long.parseLong(start.group(2)), Lsn.parse(start.group(1)), Lsn.parse(end.group(1)), started,
                clock.instant());
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\\R");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    @Override
    public String toString() {
        return "pg-base:" + target.describe();
    }
}
