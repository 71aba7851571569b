package io.opskit.backup.cli;

import io.opskit.api.backup.BackupSource;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.Compression;
import io.opskit.backup.KeyFile;
import io.opskit.backup.pitr.BaseBackup;
import io.opskit.backup.pitr.Lsn;
import io.opskit.backup.pitr.PgBaseBackupSource;
import io.opskit.backup.pitr.PointInTimeRestore;
import io.opskit.backup.pitr.PushResult;
import io.opskit.backup.pitr.RecoveryTarget;
import io.opskit.backup.pitr.RestorableRange;
import io.opskit.backup.pitr.WalArchive;
import io.opskit.backup.pitr.WalArchiveException;
import io.opskit.backup.pitr.WalFileName;
import io.opskit.backup.pitr.WalGap;
import io.opskit.backup.pitr.internal.PrefetchSpool;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The point-in-time recovery side of the CLI: {@code wal-push} and {@code wal-fetch} for
 * PostgreSQL's {@code archive_command} and {@code restore_command}, and the hooks the other commands
 * call for {@code pg-base} sources, restore targets, restorable ranges, WAL verification and retention.
 */
final class WalCommands {

    /** restore_command exit status for a segment that exists but cannot be read: above 125, so recovery stops. */
    static final int FETCH_FATAL = 126;

    /** How many segments the default restore_command keeps decrypted ahead of the replay. */
    static final int PREFETCH_DEPTH = 8;

    /**
     * JVM settings for a process that lives for one WAL file, as the launcher script uses them: the
     * serial collector, no perf-data file, the JDK's class data archive. (Stopping at the C1
     * compiler saves nothing here: C2 compiles the AES-GCM loops early enough to pay.)
     */
    static final String SHORT_RUN_FLAGS = "-XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto";

    private WalCommands() {
    }

    static WalArchive archive(Path repo, @Nullable Path keyFile, @Nullable Compression compression) {
        WalArchive.Builder b = WalArchive.builder().repository(repo);
        if (keyFile != null) {
            b.keyProvider(KeyFile.load(keyFile));
        }
        if (compression != null) {
            b.compression(compression);
        }
        return b.build();
    }

    static boolean hasArchive(Path repo) {
        return Files.isDirectory(repo.resolve(WalArchive.DIRECTORY));
    }

    @Command(name = "wal-push", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class,
            description = "archive_command: archives one WAL file (%%p); exit 0 only once it is durable.")
    static final class WalPush implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackupCli cli;

        @Option(names = "--repo", required = true, paramLabel = "DIR", description = "The backup repository directory.")
        Path repo;

        @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "The 32-byte key file.")
        Path keyFile;

        @Option(names = "--compression", defaultValue = "zstd", paramLabel = "zstd|gzip:LEVEL|none",
                description = "Codec for the segment (default ${DEFAULT-VALUE}).")
        String compression;

        @Parameters(index = "0", paramLabel = "PATH", description = "The file to archive (%%p).")
        Path path;

        @Override
        public Integer call() {
            return push(repo, keyFile, compression, path, cli.err);
        }
    }

    @Command(name = "wal-fetch", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class,
            description = "restore_command: restores one WAL file (%%f) to %%p; exit 1 when it is not archived.")
    static final class WalFetch implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackupCli cli;

        @Option(names = "--repo", required = true, paramLabel = "DIR", description = "The backup repository directory.")
        Path repo;

        @Option(names = "--key-file", required = true, paramLabel = "FILE", description = "The 32-byte key file.")
        Path keyFile;

        @Parameters(index = "0", paramLabel = "NAME", description = "The file PostgreSQL asks for (%%f).")
        String name;

        @Parameters(index = "1", paramLabel = "PATH", description = "Where to write it (%%p).")
        Path path;

        @Option(names = "--prefetch", paramLabel = "N", description = "Keep the next N segments decrypted in the data"
                + " directory's " + PointInTimeRestore.PREFETCH_DIRECTORY + "/ (when a restore made it) by a background"
                + " process, for a restore_command that moves them into place.")
        @Nullable Integer prefetch;

        @Override
        public Integer call() {
            if (prefetch != null && prefetch < 1) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--prefetch must be positive: " + prefetch);
            }
            return fetch(repo, keyFile, name, path, prefetch == null ? 0 : prefetch, cli.err);
        }
    }

    /**
     * {@code wal-push}: 0 once the file is durable in the archive (or already there with identical
     * bytes), 1 with one line on {@code err} otherwise. Shared by the picocli command and
     * {@link ArchiveCommandMain}.
     */
    static int push(Path repo, Path keyFile, String compression, Path path, PrintStream err) {
        try {
            PushResult r = archive(repo, keyFile, Compression.parse(compression)).push(path);
            if (r == PushResult.ALREADY_ARCHIVED) {
                err.println("opskit-backup: " + path.getFileName() + " was already archived with identical bytes");
            }
            return 0;
        } catch (WalArchiveException e) {
            err.println("opskit-backup: wal-push: " + e.getMessage());
            return 1;
        }
    }

    /**
     * {@code wal-fetch}: 0 with the whole file at {@code path}; 1 without a word when it is not
     * archived (PostgreSQL asks for files past the archive's end) or the name is not a WAL file's;
     * {@link #FETCH_FATAL} with one line on {@code err} when it exists but cannot be restored.
     */
    static int fetch(Path repo, Path keyFile, String name, Path path, int prefetch, PrintStream err) {
        try {
            if (!archive(repo, keyFile, null).fetch(name, path)) {
                return 1;
            }
            if (prefetch > 0) {
                startPrefetch(repo, keyFile, name, path, prefetch);
            }
            return 0;
        } catch (WalArchiveException e) {
            if (e.reason() == WalArchiveException.Reason.BAD_NAME) {
                return 1;
            }
            err.println("opskit-backup: wal-fetch: " + e.getMessage());
            return FETCH_FATAL;
        } catch (RuntimeException e) {
            err.println("opskit-backup: wal-fetch: " + e.getMessage());
            return FETCH_FATAL;
        }
    }

    /**
     * After a segment was fetched directly: when the data directory has a prefetch spool and no
     * prefetcher runs, starts one (a JVM of its own that outlives this one). Never fails the fetch.
     */
    private static void startPrefetch(Path repo, Path keyFile, String name, Path path, int depth) {
        Path spool = PrefetchSpool.of(path, PointInTimeRestore.PREFETCH_DIRECTORY);
        try {
            if (WalFileName.parse(name).kind() != WalFileName.Kind.SEGMENT || !Files.isDirectory(spool)
                    || !PrefetchSpool.fetchedDirectly(spool, name)) {
                return;
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xss512k", "-cp", System.getProperty("java.class.path"),
                    WalPrefetchMain.class.getName(), "--repo", repo.toAbsolutePath().toString(),
                    "--key-file", keyFile.toAbsolutePath().toString(), "--spool", spool.toString(),
                    "--after", name, "--depth", Integer.toString(depth))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.appendTo(spool.resolve("prefetch.log").toFile()))
                    .start();
        } catch (java.io.IOException | RuntimeException e) {
            // The segment is in place; later calls fetch for themselves.
        }
    }

    /** The {@code restore} options of a point-in-time restore. */
    static final class RestoreTargetOptions {
        @Option(names = "--target-time", paramLabel = "ISO_INSTANT",
                description = "pg-base: replay to this moment, e.g. 2026-11-21T01:59:00Z.")
        @Nullable String time;

        @Option(names = "--target-lsn", paramLabel = "LSN", description = "pg-base: replay to this WAL location, e.g. 0/3000028.")
        @Nullable String lsn;

        @Option(names = "--target-name", paramLabel = "NAME", description = "pg-base: replay to this named restore point.")
        @Nullable String name;

        @Option(names = "--target", paramLabel = "latest", description = "pg-base: replay everything archived (the default).")
        @Nullable String latest;

        @Option(names = "--restore-command", paramLabel = "CMD",
                description = "pg-base: restore_command to write (default: this CLI's wal-fetch with --repo and --key-file).")
        @Nullable String restoreCommand;

        @Option(names = "--prefetch-wal", paramLabel = "THREADS",
                description = "pg-base: decrypt the WAL the replay needs into the data directory first, on THREADS"
                        + " threads, so replay starts no process per segment.")
        @Nullable Integer prefetch;

        boolean given() {
            return time != null || lsn != null || name != null || latest != null || restoreCommand != null || prefetch != null;
        }

        RecoveryTarget target(CommandLine cmd) {
            int n = (time != null ? 1 : 0) + (lsn != null ? 1 : 0) + (name != null ? 1 : 0) + (latest != null ? 1 : 0);
            if (n > 1) {
                throw new CommandLine.ParameterException(cmd, "give one of --target-time, --target-lsn, --target-name, --target latest");
            }
            try {
                if (time != null) {
                    return RecoveryTarget.time(Instant.parse(time));
                }
                if (lsn != null) {
                    return RecoveryTarget.lsn(Lsn.parse(lsn));
                }
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(cmd, "--target-time must be an ISO instant such as 2026-11-21T01:59:00Z: " + time);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--target-lsn " + e.getMessage());
            }
            if (name != null) {
                return RecoveryTarget.named(name);
            }
            if (latest != null && !latest.equals("latest")) {
                throw new CommandLine.ParameterException(cmd, "--target must be latest: " + latest);
            }
            return RecoveryTarget.latest();
        }
    }

    /** Whether a restore goes through point-in-time recovery: a pg-base source, or target options given. */
    static boolean isPointInTime(BackupRepository repository, String id, String source, RestoreTargetOptions options) {
        return options.given() || repository.manifest(id).source(source).kind().equals(PgBaseBackupSource.KIND);
    }

    static int restore(BackupCli cli, CommandLine cmd, BackupRepository repository, Path repo, @Nullable Path keyFile, String id,
                       String to, RestoreTargetOptions options) {
        RecoveryTarget target = options.target(cmd);
        // By default the replay's wal-fetch keeps the next segments decrypted in the background.
        boolean background = options.restoreCommand == null && options.prefetch == null;
        String command = options.restoreCommand != null ? options.restoreCommand
                : defaultRestoreCommand(repo, keyFile, background ? PREFETCH_DEPTH : 0);
        PointInTimeRestore restorer = PointInTimeRestore.of(repository, archive(repo, keyFile, null), command);
        if (options.prefetch != null) {
            restorer = restorer.prefetching(options.prefetch);
        } else if (background) {
            restorer = restorer.prefetchingWhileReplaying();
        }
        PointInTimeRestore.Result r = restorer.restore(id, Path.of(to), target);
        cli.out.println("restored base backup " + id + " into " + r.dataDirectory() + "; start PostgreSQL on it to replay to "
                + describe(target) + " (reachable on timeline " + r.range().timeline() + ": " + r.range().from() + " .. "
                + r.range().to() + ")");
        return 0;
    }

    static String describe(RecoveryTarget t) {
        if (t instanceof RecoveryTarget.Time x) {
            return x.time().toString();
        }
        if (t instanceof RecoveryTarget.AtLsn x) {
            return "LSN " + x.lsn();
        }
        if (t instanceof RecoveryTarget.Named x) {
            return "restore point " + x.name();
        }
        return "the end of the archive";
    }

    /**
     * This CLI's own wal-fetch, as a shell command PostgreSQL can run: through the launcher script
     * when this process was started by it (it names itself in {@code OPSKIT_BACKUP_LAUNCHER}), else
     * {@code java} with the settings for a short-lived JVM.
     */
    static String defaultRestoreCommand(Path repo, @Nullable Path keyFile, int prefetch) {
        String launcher = System.getenv("OPSKIT_BACKUP_LAUNCHER");
        if (launcher == null || launcher.isBlank() || !Files.isExecutable(Path.of(launcher))) {
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = System.getProperty("java.class.path", "");
            String flags = " " + SHORT_RUN_FLAGS + " ";
            launcher = classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)
                    ? shellQuote(javaBin) + flags + "-jar " + shellQuote(Path.of(classPath).toAbsolutePath().toString())
                    : shellQuote(javaBin) + flags + "-cp " + shellQuote(classPath) + " " + ArchiveCommandMain.class.getName();
        } else {
            launcher = shellQuote(Path.of(launcher).toAbsolutePath().toString());
        }
        return launcher + " wal-fetch --repo " + shellQuote(repo.toAbsolutePath().toString())
                + (keyFile == null ? "" : " --key-file " + shellQuote(keyFile.toAbsolutePath().toString()))
                + (prefetch > 0 ? " --prefetch " + prefetch : "") + " %f %p";
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** A {@code pg-base:JDBC_URL} source for {@code backup --source}. */
    static BackupSource baseSource(String name, String jdbcUrl) {
        return PgBaseBackupSource.of(name, jdbcUrl);
    }

    /** After a backup: records the base backups it took in the WAL archive. */
    static void recordBases(Path repo, BackupManifest made, List<BackupSource> sources) {
        for (BackupSource s : sources) {
            if (s instanceof PgBaseBackupSource pg) {
                archive(repo, null, null).recordBaseBackup(made, pg);
            }
        }
    }

    /** The restorable range lines of {@code list}. */
    static void printRanges(PrintStream out, Path repo, @Nullable Path keyFile, List<BackupManifest> backups) {
        if (!hasArchive(repo)) {
            return;
        }
        WalArchive archive = archive(repo, keyFile, null);
        List<RestorableRange> ranges = archive.restorableRanges();
        Set<String> live = backups.stream().map(BackupManifest::id).collect(Collectors.toCollection(HashSet::new));
        out.println();
        out.println("WAL archive (point-in-time restore):");
        if (ranges.isEmpty()) {
            out.println("  no restorable range yet: take a base backup with backup --source pg-base:JDBC_URL");
        }
        for (RestorableRange r : ranges) {
            List<String> ids = r.baseBackupIds().stream().filter(live::contains).toList();
            String times = keyFile == null ? "from " + r.from() + " (give --key-file for the end time)"
                    : r.from() + " .. " + r.to();
            String branch = archive.timelineHistory(r.timeline()).filter(h -> h.parent().isPresent())
                    .map(h -> "; branched from timeline " + h.parent().getAsLong() + " at " + h.begin().orElseThrow())
                    .orElse("");
            out.printf(Locale.ROOT, "  timeline %d: restorable %s  (LSN %s .. %s, last segment %s; base backups %s%s)%n",
                    r.timeline(), times, r.fromLsn(), r.toLsn(), r.lastSegment(), String.join(",", ids), branch);
        }
        if (keyFile == null) {
            out.println("  (timeline history files are encrypted: without --key-file each timeline is shown on its own)");
        }
        for (WalGap g : archive.gaps()) {
            out.println("  GAP " + g.describe());
        }
    }

    /** The WAL part of {@code verify}: null when fine, else the failure. */
    static @Nullable String verifyArchive(PrintStream out, Path repo, @Nullable Path keyFile, boolean decode) {
        if (!hasArchive(repo)) {
            return null;
        }
        try {
            int n = archive(repo, keyFile, null).verify(decode && keyFile != null);
            out.println("ok      WAL archive (" + n + " files, no gap)");
            return null;
        } catch (WalArchiveException e) {
            out.println("FAILED  WAL archive: " + e.getMessage());
            return e.getMessage();
        }
    }

    /** The WAL part of {@code prune --apply}: drop what no remaining base backup needs. */
    static void prune(PrintStream out, Path repo, BackupRepository repository) {
        if (!hasArchive(repo)) {
            return;
        }
        WalArchive archive = archive(repo, null, null);
        Set<String> live = repository.list().stream().map(BackupManifest::id).collect(Collectors.toSet());
        List<BaseBackup> retained = new ArrayList<>();
        for (BaseBackup b : archive.baseBackups()) {
            if (live.contains(b.backupId())) {
                retained.add(b);
            }
        }
        int deleted = archive.prune(retained);
        out.println("WAL archive: deleted " + deleted + " files older than the oldest retained base backup");
    }
}
