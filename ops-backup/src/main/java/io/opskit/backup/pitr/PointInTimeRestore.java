package io.opskit.backup.pitr;

import io.opskit.backup.BackupRepository;
import io.opskit.backup.RestoreRefusedException;
import io.opskit.backup.pitr.internal.BaseBackupCheck;
import io.opskit.backup.pitr.internal.LocalCluster;
import io.opskit.backup.pitr.internal.TarExtractor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a base backup into an empty data directory, ready to start, so that PostgreSQL replays
 * the archive to a {@link RecoveryTarget}: it writes {@code recovery.signal} and, in
 * {@code postgresql.auto.conf}, {@code restore_command} (the CLI's {@code wal-fetch}), the target,
 * {@code recovery_target_action = 'promote'} and the timeline to follow.
 *
 * <p>Timelines are followed: a base backup taken on timeline 1 reaches moments on timeline 2 when
 * timeline 2's history leaves timeline 1 at or after the backup's end (a restore that promoted, a
 * failover). A target before the base backup's end or past the archive's last contiguous segment
 * on every timeline the backup reaches is refused with the bounds named. Thread-safe; each call
 * restores one directory.
 */
public final class PointInTimeRestore {

    private static final Logger log = LoggerFactory.getLogger(PointInTimeRestore.class);
    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'")
            .withZone(ZoneOffset.UTC);

    private final BackupRepository repository;
    private final WalArchive archive;
    /** The directory inside a restored data directory that prefetched segments wait in. */
    public static final String PREFETCH_DIRECTORY = "opskit_prefetch";

    private final String restoreCommand;
    private final int prefetchThreads;
    private final boolean spool;

    private PointInTimeRestore(BackupRepository repository, WalArchive archive, String restoreCommand, int prefetchThreads,
                               boolean spool) {
        this.repository = repository;
        this.archive = archive;
        this.restoreCommand = restoreCommand;
        this.prefetchThreads = prefetchThreads;
        this.spool = spool || prefetchThreads > 0;
    }

    /**
     * A restorer that also decrypts the segments the replay needs, on {@code threads} threads, into
     * {@code DATA/opskit_prefetch/} before returning, and writes a {@code restore_command} that
     * moves a prefetched segment into place (a shell {@code mv}) and runs the given command only for
     * anything else. Replay then starts no process per segment; the price is the disk space of the
     * segments up to the target, used until the server consumes them.
     *
     * @throws IllegalArgumentException when threads is not positive
     */
    public PointInTimeRestore prefetching(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive: " + threads);
        }
        return new PointInTimeRestore(repository, archive, restoreCommand, threads, true);
    }

    /**
     * A restorer that leaves the prefetching to the replay: it creates the empty spool
     * {@code DATA/opskit_prefetch/} and writes a {@code restore_command} that moves a file from
     * there into place and runs the given command only when the spool does not hold it. Give a
     * command that fills the spool while the server replays, the CLI's
     * {@code wal-fetch --prefetch N}: its first call starts one background process that keeps the
     * next N segments decrypted there (like pgBackRest's asynchronous archive-get), so the replay
     * neither waits for a JVM per segment nor for the whole archive up front.
     */
    public PointInTimeRestore prefetchingWhileReplaying() {
        return new PointInTimeRestore(repository, archive, restoreCommand, prefetchThreads, true);
    }

    /**
     * A restorer.
     *
     * @param repository     the repository holding the base backups (with its key)
     * @param archive        the WAL archive (with its key)
     * @param restoreCommand PostgreSQL's {@code restore_command}, with {@code %f} and {@code %p}, e.g.
     *                       {@code java -jar opskit-backup-cli.jar wal-fetch --repo R --key-file K %f %p}
     * @throws IllegalArgumentException when the command lacks {@code %f} or {@code %p}
     */
    public static PointInTimeRestore of(BackupRepository repository, WalArchive archive, String restoreCommand) {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(restoreCommand, "restoreCommand");
        if (!restoreCommand.contains("%f") || !restoreCommand.contains("%p")) {
            throw new IllegalArgumentException("restoreCommand must contain %f and %p: '" + restoreCommand + "'");
        }
        return new PointInTimeRestore(repository, archive, restoreCommand, 0, false);
    }

    /** What a restore wrote. */
    public record Result(String backupId, Path dataDirectory, RecoveryTarget target, RestorableRange range) {
    }

    /**
     * Checks {@code target} against what base backup {@code backupId} and the archive can reach,
     * without writing anything. The base backup reaches its own timeline and every timeline whose
     * history leaves it at or after the backup's end (a promotion after a restore, a failover);
     * when a moment lies on several, the restore follows the newest, as PostgreSQL does with
     * {@code recovery_target_timeline = 'latest'}. A named restore point and the end of the archive
     * are reached on the newest timeline.
     *
     * @return the range the target lies in, on the timeline the restore follows
     * @throws RestoreRefusedException naming the bounds on each timeline when the target lies
     *                                 outside them all, or when the backup is not a recorded base
     *                                 backup or its WAL is missing
     */
    public RestorableRange check(String backupId, RecoveryTarget target) {
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(target, "target");
        BaseBackup base = archive.baseBackup(backupId).orElseThrow(() -> new RestoreRefusedException("backup " + backupId
                + " is not a recorded base backup (take one with backup --source pg-base:JDBC_URL)"));
        List<RestorableRange> ranges = archive.restorableRanges(base);
        if (ranges.isEmpty()) {
            throw new RestoreRefusedException("the WAL base backup " + backupId + " needs from " + base.startLsn() + " to "
                    + base.stopLsn() + " on timeline " + base.timeline()
                    + " is not all in the archive; the gap check names what is missing");
        }
        List<RestorableRange> reaching = new ArrayList<>();
        for (RestorableRange r : ranges) {
            if (target instanceof RecoveryTarget.Time t) {
                if (!t.time().isBefore(r.from()) && !t.time().isAfter(r.to())) {
                    reaching.add(r);
                }
            } else if (target instanceof RecoveryTarget.AtLsn l) {
                if (l.lsn().compareTo(r.fromLsn()) >= 0 && l.lsn().compareTo(r.toLsn()) <= 0) {
                    reaching.add(r);
                }
            } else {
                reaching.add(r);
            }
        }
        if (reaching.isEmpty()) {
            StringBuilder m = new StringBuilder();
            if (target instanceof RecoveryTarget.Time t) {
                m.append("recovery target time ").append(t.time());
            } else if (target instanceof RecoveryTarget.AtLsn l) {
                m.append("recovery target LSN ").append(l.lsn());
            }
            m.append(" is outside what backup ").append(backupId).append(" can reach");
            for (int i = 0; i < ranges.size(); i++) {
                RestorableRange r = ranges.get(i);
                m.append(i == 0 ? " on timeline " : "; on timeline ").append(r.timeline()).append(": from ");
                if (target instanceof RecoveryTarget.Time) {
                    m.append(r.from()).append(" (the end of the base backup) to ").append(r.to())
                            .append(" (when the last segment ").append(r.lastSegment()).append(" was archived)");
                } else {
                    m.append(r.fromLsn()).append(" (the end of the base backup) to ").append(r.toLsn())
                            .append(" (the end of the last segment ").append(r.lastSegment()).append(")");
                }
            }
            throw new RestoreRefusedException(m.toString());
        }
        return reaching.get(reaching.size() - 1);
    }

    /**
     * Restores base backup {@code backupId} into {@code dataDirectory} (absent or empty) and writes
     * the recovery settings. Start the server on it and it replays to the target and promotes.
     * When this JVM runs as root, the files are given to the directory's owner (or {@code postgres}).
     *
     * @throws RestoreRefusedException  when the target is outside the reachable range, or the
     *                                  directory is not empty
     * @throws io.opskit.backup.BackupIntegrityException when the backup fails authentication (the
     *                                  directory is emptied again)
     * @throws io.opskit.backup.BackupFailedException    when reading or writing fails
     */
    public Result restore(String backupId, Path dataDirectory, RecoveryTarget target) {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        RestorableRange range = check(backupId, target);
        BaseBackup base = archive.baseBackup(backupId).orElseThrow();
        Path dir = dataDirectory.toAbsolutePath().normalize();
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new RestoreRefusedException("data directory " + dir + " is not empty; restore into an"
                                + " empty or new directory (stop and move the old cluster first)");
                    }
                }
            }
            Files.createDirectories(dir);
            UserPrincipal owner = owner(dir);
            if (owner != null) {
                Files.setOwner(dir, owner);
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            try {
                repository.readSnapshot(backupId, base.sourceName(), in -> TarExtractor.extract(in, dir, owner));
            } catch (RuntimeException e) {
                emptyDirectory(dir);
                throw e;
            }
            if (spool) {
                Path pre = dir.resolve(PREFETCH_DIRECTORY);
                Files.createDirectories(pre);
                if (owner != null) {
                    Files.setOwner(pre, owner);
                }
            }
            if (prefetchThreads > 0) {
                prefetch(dir, base, range, target, owner);
            }
            long newest = archive.newestTimeline(base.timeline());
            Files.deleteIfExists(dir.resolve("standby.signal"));
            Files.deleteIfExists(dir.resolve("postmaster.pid"));
            Path signal = dir.resolve("recovery.signal");
            Files.writeString(signal, "");
            Path auto = dir.resolve("postgresql.auto.conf");
            Files.writeString(auto, settings(backupId, restoreCommand(), target, range.timeline(), newest),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (owner != null) {
                Files.setOwner(signal, owner);
                Files.setOwner(auto, owner);
            }
            Files.setPosixFilePermissions(auto, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new io.opskit.backup.BackupFailedException("restore of base backup " + backupId + " into " + dir
                    + " failed: " + WalArchive.oneLine(e), e);
        }
        log.info("restored base backup {} into {}, recovering to {} on timeline {}", backupId, dir, target, range.timeline());
        return new Result(backupId, dir, target, range);
    }

    private String restoreCommand() {
        if (!spool) {
            return restoreCommand;
        }
        // One rename, and the command only when it fails: a test-then-move could see a file that a
        // prefetcher drops before the move, and a failed move must not read as "not archived".
        return "mv -f " + PREFETCH_DIRECTORY + "/%f \"%p\" 2>/dev/null || { " + restoreCommand + "; }";
    }

    /**
     * The recovery settings: {@code recovery_target_timeline = 'latest'} when the timeline the
     * target lies on is the one PostgreSQL calls latest (the newest history file in the archive,
     * counting up from the base's timeline), else that timeline's number, so that the server never
     * follows a branch the target is not on (nor one that left the base's timeline before the base
     * was consistent, which it refuses to start on).
     */
    static String settings(String backupId, String restoreCommand, RecoveryTarget target, long timeline, long newestTimeline) {
        StringBuilder s = new StringBuilder("\n# Point-in-time restore of Opskit backup ").append(backupId).append('\n');
        s.append("restore_command = ").append(quote(restoreCommand)).append('\n');
        if (target instanceof RecoveryTarget.Time t) {
            s.append("recovery_target_time = ").append(quote(PG_TIME.format(t.time()))).append('\n');
        } else if (target instanceof RecoveryTarget.AtLsn l) {
            s.append("recovery_target_lsn = ").append(quote(l.lsn().toString())).append('\n');
        } else if (target instanceof RecoveryTarget.Named n) {
            s.append("recovery_target_name = ").append(quote(n.name())).append('\n');
        }
        if (timeline == newestTimeline) {
            s.append("recovery_target_timeline = 'latest'\n");
        } else {
            if (newestTimeline > timeline) {
                s.append("# timeline ").append(newestTimeline)
                        .append(" is newer but does not lead to the target from this base backup\n");
            }
            s.append("recovery_target_timeline = '").append(timeline).append("'\n");
        }
        if (!(target instanceof RecoveryTarget.Latest)) {
            s.append("recovery_target_action = 'promote'\n");
        }
        return s.toString();
    }

    private void prefetch(Path dir, BaseBackup base, RestorableRange range, RecoveryTarget target,
                          @Nullable UserPrincipal owner) throws IOException {
        Path pre = dir.resolve(PREFETCH_DIRECTORY);
        long size = archive.walSegmentBytes().orElseThrow();
        WalPath path = archive.walPath(base, range.timeline()).orElseThrow();
        long last = range.toLsn().segmentNumber(size) - 1;
        if (target instanceof RecoveryTarget.AtLsn l) {
            last = Math.min(last, l.lsn().segmentNumber(size) + 1);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(prefetchThreads, r -> {
            Thread t = new Thread(r, "opskit-wal-prefetch");
            t.setDaemon(true);
            return t;
        });
        try {
            java.util.List<java.util.concurrent.Future<?>> work = new java.util.ArrayList<>();
            for (String name : path.segmentNames(last, size)) {
                work.add(pool.submit(() -> {
                    Path file = pre.resolve(name);
                    if (archive.fetch(name, file) && owner != null) {
                        Files.setOwner(file, owner);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : work) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while prefetching WAL");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("prefetching WAL failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
    }

    static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static @Nullable UserPrincipal owner(Path dir) throws IOException {
        UserPrincipal server = LocalCluster.serverOwner();
        if (server == null) {
            return null;
        }
        UserPrincipal current = Files.getOwner(dir);
        return "root".equals(current.getName()) ? server : current;
    }

    private static void emptyDirectory(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                BaseBackupCheck.deleteTree(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
