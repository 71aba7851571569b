package io.opskit.backup.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.api.backup.BackupSource;
import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.api.internal.DurationText;
import io.opskit.api.internal.ByteSize;
import io.opskit.backup.BackupFailedException;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupProgress;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupSources;
import io.opskit.backup.BackupStores;
import io.opskit.backup.Compression;
import io.opskit.backup.KeyFile;
import io.opskit.backup.RepositoryLockedException;
import io.opskit.backup.RestoreCheck;
import io.opskit.backup.VerifyLevel;
import io.opskit.backup.internal.PostgresTarget;
import io.opskit.backup.retention.RetentionLimitExceededException;
import io.opskit.backup.retention.RetentionPlan;
import io.opskit.backup.retention.RetentionPolicy;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar opskit-backup-cli.jar COMMAND ...}: exit 0 on success; otherwise exit 1 (the
 * operation failed) or 2 (bad usage) with one line on standard error.
 */
@Command(name = "opskit-backup", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class,
        description = "Encrypted, verified backups of SQLite, PostgreSQL and files.",
        subcommands = {BackupCli.Backup.class, BackupCli.ListBackups.class, BackupCli.Verify.class,
                BackupCli.Restore.class, BackupCli.Prune.class, CopyCommand.class, LockCommands.Lock.class,
                WalCommands.WalPush.class, WalCommands.WalFetch.class})
public final class BackupCli implements Callable<Integer> {

    PrintStream out = System.out;
    PrintStream err = System.err;
    private boolean terminal = System.console() != null;

    /** Runs the CLI and exits with its code. */
    public static void main(String[] args) {
        // No SLF4J binding ships in the jar: keep its one-time notice off stderr, which carries
        // only our one-line reasons.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.exit(run(args, System.out, System.err, System.console() != null));
    }

    /**
     * Runs the CLI in-process.
     *
     * @param terminal whether to draw a progress bar on {@code err}
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        BackupCli cli = new BackupCli();
        cli.out = out;
        cli.err = err;
        cli.terminal = terminal;
        CommandLine cmd = new CommandLine(cli);
        cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cmd.setParameterExceptionHandler((ex, arguments) -> {
            err.println("opskit-backup: " + oneLine(Objects.requireNonNullElse(ex.getMessage(), ex.toString())) + " (see --help)");
            return 2;
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // Each failure is one line on stderr; what the CLI words itself (CliFailure) names CLI flags.
            err.println("opskit-backup: " + describe(ex));
            return 1;
        });
        return cmd.execute(args);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        return oneLine(m);
    }

    /** The first line of a password file. */
    static String readPassword(Path file) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isEmpty()) {
                throw new IllegalArgumentException("password file " + file + " is empty");
            }
            return lines.get(0);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read password file " + file + ": " + e.getMessage());
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\R", " ").strip();
    }

    @Override
    public Integer call() {
        err.println("opskit-backup: name a command: backup, list, verify, restore, prune, copy, lock, wal-push or"
                + " wal-fetch (see --help)");
        return 2;
    }

    /** Reads the version recorded at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"opskit-backup " + BackupRepository.version()};
        }
    }

    /** Options every command shares. */
    static class RepoOptions {
        @Option(names = "--repo", required = true, paramLabel = "DIR|s3://BUCKET/PREFIX",
                description = "The backup repository: a directory, or s3://BUCKET/PREFIX with the S3 CLI jar"
                        + " (endpoint, region and credentials from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION,"
                        + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or the AWS SDK's default chain).")
        String repo;

        @Option(names = "--key-file", paramLabel = "FILE", description = "The key file: the 32-byte key as 44"
                + " base64 characters (openssl rand -base64 32) or as 32 raw bytes (FORMAT.md, \"Key file\").")
        @Nullable Path keyFile;

        @Option(names = "--verify-level", paramLabel = "1|2|3", defaultValue = "2",
                description = "The level a backup must be verified at to count (default ${DEFAULT-VALUE}).")
        int verifyLevel;

        BackupRepository.Builder builder(boolean needsKey, PrintStream err) {
            BackupRepository.Builder b = BackupRepository.builder().store(BackupStores.open(repo))
                    .verifyLevel(VerifyLevel.of(verifyLevel));
            if (keyFile != null) {
                KeyFile key = KeyFile.load(keyFile);
                if (key.accessibleToOthers()) {
                    err.println("opskit-backup: warning: key file " + keyFile + " is accessible to group or others;"
                            + " restrict it with chmod 600");
                }
                b.keyProvider(key);
            } else if (needsKey) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--key-file is required for this command");
            }
            return b;
        }

        /** The repository's directory when it is a local one: the WAL archive lives only there. */
        Optional<Path> directory() {
            return BackupStores.localDirectory(repo);
        }

        /** The directory for point-in-time restore's WAL archive; refused for an object-store repository. */
        Path walDirectory() {
            return directory().orElseThrow(() -> new IllegalArgumentException(
                    "point-in-time restore needs a directory repository; the WAL archive is not kept in " + repo));
        }
    }

    /** {@code --lock-lease}: for the commands that take the repository's writer lock. */
    static final class LeaseOptions {
        @Option(names = "--lock-lease", paramLabel = "DURATION", defaultValue = "2m", converter = LeaseConverter.class,
                description = "How long the repository's writer lock lasts without renewal; the writer renews it every"
                        + " third of it, and a writer that dies blocks others at most this long (default"
                        + " ${DEFAULT-VALUE}; e.g. 30s, 10m, 1h).")
        Duration lease = Duration.ofMinutes(2);
    }

    /** A lease of at least one second, written {@code 90s}, {@code 10m}, {@code 1h30m} or ISO-8601. */
    static final class LeaseConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration lease;
            try {
                lease = DurationText.parse(value);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("--lock-lease must be a duration such as 30s, 10m or"
                        + " 1h: '" + value + "'");
            }
            if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new CommandLine.TypeConversionException("--lock-lease must be at least 1s: '" + value + "'");
            }
            return lease;
        }
    }

    /** A refusal or failure the CLI words itself: printed as its one line, exit code 1. */
    static final class CliFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CliFailure(String message) {
            super(message);
        }
    }

    /** The locked-repository refusal with what an operator can do about it. */
    static CliFailure locked(RepositoryLockedException e, Object repo) {
        return new CliFailure(e.getMessage() + "; if that writer is gone (killed, host lost), see"
                + " opskit-backup lock status --repo " + repo + ", then lock break --repo " + repo + " --confirm");
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class, description = "Takes a backup and prints its id last.")
    static final class Backup implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackupCli cli;

        @CommandLine.Mixin
        RepoOptions repo = new RepoOptions();

        @CommandLine.Mixin
        LeaseOptions lease = new LeaseOptions();

        @Option(names = "--source", required = true, paramLabel = "[NAME=]KIND:WHERE",
                description = "sqlite:PATH, postgres:JDBC_URL, pg-base:JDBC_URL (a base backup for point-in-time"
                        + " restore), redis:HOST[:PORT] (an online RDB snapshot; port 6379 by default) or files:PATH"
                        + " (also dir:PATH), optionally named (app-db=sqlite:app.db: the"
                        + " name a restore and the application's own repository use; default the file, database or"
                        + " directory name); repeat for several sources.")
        List<String> sources = new ArrayList<>();

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "A file whose first line is the PostgreSQL or Redis password (otherwise libpq's"
                        + " PGPASSWORD or PGPASSFILE apply, and for Redis REDISCLI_AUTH). A password in the URL is"
                        + " refused: it would show in the process list.")
        @Nullable Path passwordFile;

        @Option(names = "--compression", defaultValue = "zstd", paramLabel = "zstd|gzip:LEVEL|none",
                description = "zstd (level 3), zstd:LEVEL, gzip (level 6), gzip:LEVEL or none.")
        String compression;

        @Option(names = "--no-verify", description = "Commit without verifying first (it counts only once verified).")
        boolean noVerify;

        @Override
        public Integer call() {
            if (repo.keyFile == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--key-file is required for backup");
            }
            BackupRepository.Builder b = repo.builder(true, cli.err).compression(Compression.parse(compression))
                    .verifyAfterBackup(!noVerify).lockLease(lease.lease);
            Set<String> names = new HashSet<>();
            List<BackupSource> parsed = new ArrayList<>();
            for (String spec : sources) {
                BackupSource source = parseSource(spec, names);
                parsed.add(source);
                b.source(source);
            }
            BackupManifest made;
            try {
                made = b.build().backup(cli.progress());
            } catch (RepositoryLockedException e) {
                throw locked(e, repo.repo);
            } finally {
                cli.endProgress();
            }
            BackupManifest committed = made;
            repo.directory().ifPresent(dir -> WalCommands.recordBases(dir, committed, parsed));
            cli.out.printf(Locale.ROOT, "stored %s of %s snapshot, verified: %s%n", size(made.storedBytes()),
                    size(made.snapshotBytes()), made.verified().map(v -> "level " + v.level().number()).orElse("no"));
            cli.out.println(made.id());
            return 0;
        }

        private BackupSource parseSource(String spec, Set<String> names) {
            String named = null;
            int eqSign = spec.indexOf('=');
            int firstColon = spec.indexOf(':');
            if (eqSign > 0 && (firstColon < 0 || eqSign < firstColon)) {
                named = spec.substring(0, eqSign);
                spec = spec.substring(eqSign + 1);
                if (!names.add(named)) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "--source name " + named + " is used twice");
                }
            }
            BackupSource source = parseKind(spec, named, names);
            return source;
        }

        private BackupSource parseKind(String spec, @Nullable String named, Set<String> names) {
            int colon = spec.indexOf(':');
            if (colon <= 0) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--source must be [NAME=]sqlite:PATH, postgres:JDBC_URL, pg-base:JDBC_URL, redis:HOST[:PORT] or"
                                + " files:PATH: " + spec);
            }
            String kind = spec.substring(0, colon);
            String where = spec.substring(colon + 1);
            switch (kind) {
                case "sqlite": {
                    Path path = Path.of(where);
                    return BackupSources.sqlite(named != null ? named : unique(names, path.getFileName().toString()), path);
                }
                case "postgres": {
                    if (PostgresTarget.hasPassword(where)) {
                        throw new CommandLine.ParameterException(new CommandLine(this), "--source " + PostgresTarget.redact(spec)
                                + ": a password in the URL shows in the process list; use --password-file or PGPASSWORD");
                    }
                    String name = named != null ? named : unique(names, PostgresTarget.parse(where).database());
                    if (passwordFile != null) {
                        return BackupSources.postgres(name, where, readPassword(passwordFile));
                    }
                    return BackupSources.postgres(name, where);
                }
                case "pg-base":
                    return WalCommands.baseSource(named != null ? named : unique(names, "pg-base"), where);
                case "redis":
                    return redisSource(spec, where, named, names);
                case "dir":
                case "files": {
                    Path path = Path.of(where).toAbsolutePath().normalize();
                    Path name = path.getFileName();
                    return BackupSources.files(named != null ? named
                            : unique(names, name == null ? "files" : name.toString()), path);
                }
                default:
                    throw new CommandLine.ParameterException(new CommandLine(this),
                            "--source kind must be sqlite, postgres, pg-base, redis or files (or dir): " + spec);
            }
        }

        private BackupSource redisSource(String spec, String where, @Nullable String named, Set<String> names) {
            int colon = where.lastIndexOf(':');
            String host = colon < 0 ? where : where.substring(0, colon);
            int port = 6379;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(where.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new CommandLine.ParameterException(new CommandLine(this),
                            "--source " + spec + ": the port after the host must be a number");
                }
            }
            if (host.isEmpty()) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--source " + spec + ": the host is missing");
            }
            Optional<String> password = passwordFile != null ? Optional.of(readPassword(passwordFile))
                    : Optional.ofNullable(System.getenv("REDISCLI_AUTH")).filter(p -> !p.isEmpty());
            String name = named != null ? named : unique(names, "redis-" + host + "-" + port);
            try {
                return BackupSources.redis(name, host, port, Optional.empty(), password);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--source " + spec + ": " + e.getMessage());
            }
        }

        private static String unique(Set<String> names, String wanted) {
            String base = wanted.replaceAll("[^A-Za-z0-9._-]", "_");
            if (base.length() > 60) {
                base = base.substring(0, 60);
            }
            String name = base;
            for (int i = 2; !names.add(name); i++) {
                name = base + "-" + i;
            }
            return name;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class, description = "Lists committed backups, oldest first.")
    static final class ListBackups implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackupCli cli;

        @CommandLine.Mixin
        RepoOptions repo = new RepoOptions();

        @Option(names = "--json", description = "Print a JSON array instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            BackupRepository repository = repo.builder(false, cli.err).build();
            if (repo.keyFile == null) {
                cli.err.println("opskit-backup: without --key-file manifests are not authenticated and no backup shows"
                        + " as verified");
            }
            List<BackupManifest> all = repository.list();
            for (BackupRepository.UnreadableBackup bad : repository.unreadable()) {
                cli.err.println("backup " + bad.id() + " is not listed: " + bad.reason());
            }
            if (json) {
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ArrayNode array = mapper.createArrayNode();
                for (BackupManifest m : all) {
                    ObjectNode node = array.addObject();
                    node.put("id", m.id());
                    node.put("createdAt", m.createdAt().toString());
                    node.put("compression", m.compression());
                    node.put("keyId", m.keyId());
                    node.put("storedBytes", m.storedBytes());
                    node.put("snapshotBytes", m.snapshotBytes());
                    if (m.verified().isPresent()) {
                        node.put("verifiedLevel", m.verified().get().level().number());
                        node.put("verifiedAt", m.verified().get().verifiedAt().toString());
                    } else {
                        node.putNull("verifiedLevel");
                        node.putNull("verifiedAt");
                    }
                    if (m.lastVerification().isPresent()) {
                        BackupManifest.Verification last = m.lastVerification().get();
                        ObjectNode lastNode = node.putObject("lastVerification");
                        lastNode.put("level", last.level().number());
                        lastNode.put("at", last.verifiedAt().toString());
                        lastNode.put("ok", last.passed());
                        if (!last.passed()) {
                            lastNode.put("reason", last.reason());
                        }
                    } else {
                        node.putNull("lastVerification");
                    }
                    ArrayNode sources = node.putArray("sources");
                    for (BackupManifest.SourceEntry s : m.sources()) {
                        ObjectNode source = sources.addObject();
                        source.put("name", s.name());
                        source.put("kind", s.kind());
                        source.put("storedBytes", s.storedBytes());
                        source.put("sha256", s.sha256());
                    }
                }
                cli.out.println(mapper.writeValueAsString(array));
                return 0;
            }
            cli.out.printf(Locale.ROOT, "%-24s  %-20s  %10s  %-8s  %-34s  %s%n", "ID", "CREATED", "STORED", "VERIFIED",
                    "LAST CHECK", "SOURCES");
            for (BackupManifest m : all) {
                String last = m.lastVerification().map(v -> "L" + v.level().number() + " " + (v.passed() ? "ok" : "FAILED")
                        + " " + v.verifiedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).orElse("never");
                cli.out.printf(Locale.ROOT, "%-24s  %-20s  %10s  %-8s  %-34s  %s%n", m.id(), m.createdAt().toString(),
                        size(m.storedBytes()), m.verified().map(v -> "level " + v.level().number()).orElse("no"), last,
                        String.join(",", m.sources().stream().map(s -> s.name() + "(" + s.kind() + ")").toList()));
            }
            repo.directory().ifPresent(dir -> WalCommands.printRanges(cli.out, dir, repo.keyFile, all));
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class, description = "Verifies one backup or all of them.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackupCli cli;

        @CommandLine.Mixin
        RepoOptions repo = new RepoOptions();

        @Option(names = "--level", paramLabel = "1|2|3", defaultValue = "2",
                description = "1 checksum, 2 decrypt and decompress, 3 test restore (default ${DEFAULT-VALUE}).")
        int level;

        @Option(names = "--all", description = "Verify every backup.")
        boolean all;

        @Parameters(arity = "0..1", paramLabel = "ID")
        @Nullable String id;

        @Override
        public Integer call() {
            if (all == (id != null)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "give a backup ID or --all, not both or neither");
            }
            VerifyLevel verifyLevel = VerifyLevel.of(level);
            BackupRepository repository = repo.builder(verifyLevel != VerifyLevel.CHECKSUM, cli.err).build();
            List<String> ids = all ? repository.list().stream().map(BackupManifest::id).toList() : List.of(id);
            int failed = 0;
            String firstFailure = null;
            for (String each : ids) {
                try {
                    repository.verify(each, verifyLevel);
                    cli.out.println("ok      " + each + " (level " + level + ")");
                } catch (RuntimeException e) {
                    failed++;
                    cli.out.println("FAILED  " + each + ": " + describe(e));
                    if (firstFailure == null) {
                        firstFailure = describe(e);
                    }
                }
            }
            if (all) {
                String wal = repo.directory().isEmpty() ? null : WalCommands.verifyArchive(cli.out, repo.walDirectory(), repo.keyFile, verifyLevel != VerifyLevel.CHECKSUM);
                if (wal != null) {
                    failed++;
                    ids = new ArrayList<>(ids);
                    ids.add("wal");
                    if (firstFailure == null) {
                        firstFailure = wal;
                    }
                }
            }
            if (failed > 0) {
                cli.err.println("opskit-backup: " + (ids.size() == 1 ? firstFailure
                        : failed + " of " + ids.size() + " backups failed verification; first: " + firstFailure));
                return 1;
            }
            return 0;
        }
    }

    /** {@code auto}, {@code quick} or {@code full}, in any case. */
    static final class RestoreCheckConverter implements CommandLine.ITypeConverter<RestoreCheck> {
        @Override
        public RestoreCheck convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "auto" -> RestoreCheck.AUTO;
                case "quick" -> RestoreCheck.QUICK;
                case "full" -> RestoreCheck.FULL;
                default -> throw new CommandLine.TypeConversionException("--check must be auto, quick or full: '"
                        + value + "'");
            };
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class, description = "Restores a backup: a SQLite file, a PostgreSQL database URL or a directory.")
    static final class Restore implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackupCli cli;

        @CommandLine.Mixin
        RepoOptions repo = new RepoOptions();

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--to", required = true, paramLabel = "PATH|JDBC_URL",
                description = "A file for SQLite, a jdbc:postgresql:// URL for PostgreSQL, a directory for files.")
        String to;

        @Option(names = "--source", paramLabel = "NAME", description = "Which source, when the backup has several.")
        @Nullable String source;

        @Option(names = "--force", description = "Replace an existing target (a SQLite file is kept aside).")
        boolean force;

        @Option(names = "--check", paramLabel = "auto|quick|full", defaultValue = "auto",
                converter = RestoreCheckConverter.class,
                description = "The check a restored SQLite database passes before it is swapped in: auto (default;"
                        + " quick_check, or an open check when the backup passed level-3 verification), quick or full"
                        + " (integrity_check).")
        RestoreCheck check = RestoreCheck.AUTO;

        @CommandLine.ArgGroup(exclusive = false, heading = "Point-in-time restore of a pg-base backup (--to DATA_DIR):%n")
        WalCommands.RestoreTargetOptions pitr = new WalCommands.RestoreTargetOptions();

        @Override
        public Integer call() {
            BackupRepository repository = repo.builder(true, cli.err).restoreCheck(check).build();
            String name = source != null ? source : repository.onlySourceName(id);
            if (WalCommands.isPointInTime(repository, id, name, pitr)) {
                return WalCommands.restore(cli, new CommandLine(this), repository, repo.walDirectory(), repo.keyFile, id, to, pitr);
            }
            try {
                RestoreTarget target;
                try {
                    target = repository.target(id, name, to);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "--to " + PostgresTarget.redact(to)
                            + ": " + describe(e));
                }
                repository.restore(id, name, target, force ? RestoreOptions.forced() : RestoreOptions.defaults(),
                        cli.progress());
            } catch (BackupFailedException e) {
                if (!diskFull(e)) {
                    throw e;
                }
                BackupManifest.SourceEntry entry = repository.manifest(id).source(name);
                throw new CliFailure("restore of backup " + id + " to " + PostgresTarget.redact(to) + " failed: the"
                        + " device holding it is full; the restored " + entry.kind() + " snapshot needs "
                        + size(entry.snapshotBytes()) + " there (written beside the target, then renamed into place);"
                        + " free that much space there, or restore to a place with room (--to) and move it; the"
                        + " target was not changed");
            } finally {
                cli.endProgress();
            }
            cli.out.println("restored " + id + " to " + PostgresTarget.redact(to));
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, versionProvider = BackupCli.Version.class, description = "Plans retention; deletes only with --apply.")
    static final class Prune implements Callable<Integer> {
        @CommandLine.ParentCommand
        BackupCli cli;

        @CommandLine.Mixin
        RepoOptions repo = new RepoOptions();

        @Option(names = "--keep-last", paramLabel = "N") @Nullable Integer keepLast;
        @Option(names = "--keep-within", paramLabel = "DURATION", description = "e.g. 30d, 12h, P30D") @Nullable String keepWithin;
        @Option(names = "--keep-hourly", paramLabel = "N") @Nullable Integer keepHourly;
        @Option(names = "--keep-daily", paramLabel = "N") @Nullable Integer keepDaily;
        @Option(names = "--keep-weekly", paramLabel = "N") @Nullable Integer keepWeekly;
        @Option(names = "--keep-monthly", paramLabel = "N") @Nullable Integer keepMonthly;
        @Option(names = "--keep-yearly", paramLabel = "N") @Nullable Integer keepYearly;
        @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "UTC",
                description = "Time zone of the calendar rules (default ${DEFAULT-VALUE}).")
        @Nullable String zone;
        @Option(names = "--max-delete", paramLabel = "FRACTION",
                description = "Largest share of the backups one run may delete, e.g. 0.25 or 25%% (default 0.5, half);"
                        + " a share above half needs --force as well.")
        @Nullable String maxDelete;
        @Option(names = "--apply", description = "Delete what the plan says (without it, only print the plan).")
        boolean apply;
        @Option(names = "--force", description = "Go ahead even when the plan deletes more than the allowed share"
                + " (review the plan of a dry run first).")
        boolean force;

        @CommandLine.Mixin
        LeaseOptions lease = new LeaseOptions();

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>();
            add(args, "--keep-last", keepLast);
            add(args, "--keep-within", keepWithin);
            add(args, "--keep-hourly", keepHourly);
            add(args, "--keep-daily", keepDaily);
            add(args, "--keep-weekly", keepWeekly);
            add(args, "--keep-monthly", keepMonthly);
            add(args, "--keep-yearly", keepYearly);
            add(args, "--zone", zone == null ? null : ZoneId.of(zone).getId());
            add(args, "--max-delete", maxDelete);
            RetentionPolicy policy;
            try {
                policy = RetentionPolicy.parse(args);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), cliWording(String.valueOf(e.getMessage())));
            }
            if (policy.maxDeleteFraction() > RetentionPolicy.DEFAULT_MAX_DELETE_FRACTION && !force) {
                // A larger share must not be one flag away: it is what the limit guards against.
                throw new CommandLine.ParameterException(new CommandLine(this), "--max-delete " + maxDelete
                        + " lets one run delete more than half of the backups; review the plan of a dry run, then add"
                        + " --force to confirm");
            }
            // The key authenticates the verification records that decide what retention keeps.
            BackupRepository repository = repo.builder(true, cli.err).lockLease(lease.lease).build();
            RetentionPlan plan;
            try {
                plan = apply ? repository.prune(policy, force) : repository.planRetention(policy, force);
            } catch (RetentionLimitExceededException e) {
                cli.out.print(e.plan().describe()); // the plan to review, before the one-line refusal
                int total = e.plan().decisions().size();
                int deleting = e.plan().toDelete().size();
                double share = e.plan().policy().maxDeleteFraction();
                throw new CliFailure(String.format(Locale.ROOT, "retention refused: the plan would delete %d of %d"
                        + " backups (%.0f%%), more than --max-delete %s allows (at most %d)%s; review the plan above,"
                        + " then run again with --force to apply it", deleting, total, 100.0 * deleting / total,
                        maxDelete != null ? maxDelete : String.valueOf(share),
                        (int) Math.floor(share * total + 1e-9), maxDelete != null ? "" : " by default"));
            } catch (RepositoryLockedException e) {
                throw locked(e, repo.repo);
            }
            cli.out.print(plan.describe());
            if (apply) {
                repo.directory().ifPresent(dir -> WalCommands.prune(cli.out, dir, repository));
            }
            cli.out.println(apply ? "applied: deleted " + plan.toDelete().size() + " backups"
                    : "dry run: nothing deleted; add --apply to delete " + plan.toDelete().size() + " backups");
            return 0;
        }

        /** A retention policy's refusal in the words of this command: its options, not the builder's fields. */
        static String cliWording(String message) {
            if (message.startsWith("retention policy must set at least one keep rule")) {
                return "prune needs at least one of --keep-last, --keep-within, --keep-hourly, --keep-daily,"
                        + " --keep-weekly, --keep-monthly or --keep-yearly";
            }
            String m = message.replace("maxDeleteFraction", "--max-delete");
            for (String unit : List.of("Last", "Within", "Hourly", "Daily", "Weekly", "Monthly", "Yearly")) {
                m = m.replace("keep" + unit, "--keep-" + unit.toLowerCase(Locale.ROOT));
            }
            return m;
        }

        private static void add(List<String> args, String option, @Nullable Object value) {
            if (value != null) {
                args.add(option);
                args.add(value.toString());
            }
        }
    }

    /** Loads a key file, warning on stderr when others may read it. */
    static KeyFile loadKey(Path keyFile, PrintStream err) {
        KeyFile key = KeyFile.load(keyFile);
        if (key.accessibleToOthers()) {
            err.println("opskit-backup: warning: key file " + keyFile + " is accessible to group or others;"
                    + " restrict it with chmod 600");
        }
        return key;
    }

    /** Whether a failure comes from a full device. */
    static boolean diskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left") || m.contains("no space left") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    private BackupProgress progress() {
        if (!terminal) {
            return BackupProgress.NONE;
        }
        return (done, total, rate) -> {
            String bar = "";
            if (total > 0) {
                int width = 30;
                int filled = (int) Math.min(width, width * done / total);
                bar = "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] ";
            }
            err.printf(Locale.ROOT, "\r%s%s%s  %s/s   ", bar, size(done), total > 0 ? " / " + size(total) : "",
                    size((long) rate));
            err.flush();
        };
    }

    private void endProgress() {
        if (terminal) {
            err.print("\r" + " ".repeat(70) + "\r");
            err.flush();
        }
    }

    static String size(long bytes) {
        return ByteSize.format(bytes);
    }
}
