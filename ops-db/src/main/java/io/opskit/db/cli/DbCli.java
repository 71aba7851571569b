package io.opskit.db.cli;

import io.opskit.api.internal.DurationText;
import io.opskit.api.task.TaskContext;
import io.opskit.api.task.TaskOutcome;
import io.opskit.db.DbSystem;
import io.opskit.db.OpsDb;
import io.opskit.db.diagnostics.DiagnosticsReport;
import io.opskit.db.tasks.MaintenanceKind;
import io.opskit.db.tasks.RetentionRule;
import io.opskit.db.tasks.RetentionTask;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code opskit-db}: {@code report}, {@code maintain} and {@code retain} from the command line. Exit
 * 0 on success, 1 with one line on stderr otherwise. The password comes only from the environment
 * ({@code OPSKIT_DB_PASSWORD}, or {@code PGPASSWORD} for PostgreSQL), never from an argument.
 */
@Command(name = "opskit-db", mixinStandardHelpOptions = true, version = "opskit-db 0.2.0",
        description = "Database report, maintenance and retention.",
        subcommands = {DbCli.Report.class, DbCli.Maintain.class, DbCli.Retain.class})
public final class DbCli implements Callable<Integer> {

    static Map<String, String> env = System.getenv();

    /** Runs the command line. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and answers the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new DbCli());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("opskit-db: " + oneLine(e));
            return 1;
        });
        return cli.execute(args);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    static DataSource dataSource(String url, @Nullable String user) {
        return new DataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                Properties p = new Properties();
                if (user != null) {
                    p.setProperty("user", user);
                }
                String password = env.getOrDefault("OPSKIT_DB_PASSWORD",
                        DbSystem.ofUrl(url) == DbSystem.POSTGRESQL ? env.get("PGPASSWORD") : null);
                if (password != null) {
                    p.setProperty("password", password);
                }
                return DriverManager.getConnection(url, p);
            }

            @Override
            public Connection getConnection(String u, String pw) throws SQLException {
                return DriverManager.getConnection(url, u, pw);
            }

            @Override
            public PrintWriter getLogWriter() {
                return new PrintWriter(System.err);
            }

            @Override
            public void setLogWriter(PrintWriter out) {
            }

            @Override
            public void setLoginTimeout(int seconds) {
            }

            @Override
            public int getLoginTimeout() {
                return 0;
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getGlobal();
            }

            @Override
            public <T> T unwrap(Class<T> iface) throws SQLException {
                throw new SQLException("not a wrapper");
            }

            @Override
            public boolean isWrapperFor(Class<?> iface) {
                return false;
            }
        };
    }

    abstract static class Base {
        @Option(names = "--url", required = true, description = "JDBC URL (no password in it: use OPSKIT_DB_PASSWORD)")
        String url;

        @Option(names = "--user", description = "database user")
        @Nullable String user;

        DataSource ds() {
            if (url.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
                throw new IllegalArgumentException("--url must not contain a password: set OPSKIT_DB_PASSWORD instead");
            }
            return dataSource(url, user);
        }
    }

    @Command(name = "report", description = "Diagnostics report (text, or JSON with --json).")
    static final class Report extends Base implements Callable<Integer> {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Option(names = "--statement-timeout", defaultValue = "5s", description = "per query, e.g. 5s")
        String timeout;

        @Override
        public Integer call() throws Exception {
            DiagnosticsReport report = OpsDb.diagnostics(ds()).statementTimeout(DurationText.parse(timeout)).build().run();
            System.out.println(json ? report.toJson() : report.toText());
            return 0;
        }
    }

    @Command(name = "maintain", description = "Maintenance tasks; a dry run unless --apply.")
    static final class Maintain extends Base implements Callable<Integer> {
        @Option(names = "--task", description = "e.g. vacuum, analyze, optimize, reindex, quick_check, integrity_check;"
                + " default: the kind's routine set")
        @Nullable String task;

        @Option(names = "--apply", description = "run the statements (default: print what would run)")
        boolean apply;

        @Option(names = "--deadline", defaultValue = "1h", description = "stop starting statements after this")
        String deadline;

        @Override
        public Integer call() throws Exception {
            DataSource ds = ds();
            DbSystem system;
            try (Connection c = ds.getConnection()) {
                system = DbSystem.of(c);
            }
            List<MaintenanceKind> kinds = new ArrayList<>();
            if (task != null) {
                kinds.add(MaintenanceKind.of(system, task).orElseThrow(() ->
                        new IllegalArgumentException("no task " + task + " for " + system.wireName())));
            } else {
                switch (system) {
                    case SQLITE -> kinds.addAll(List.of(MaintenanceKind.SQLITE_OPTIMIZE, MaintenanceKind.SQLITE_QUICK_CHECK));
                    case POSTGRESQL -> kinds.add(MaintenanceKind.POSTGRES_VACUUM_ANALYZE);
                    case MARIADB, MYSQL -> kinds.add(MaintenanceKind.MARIADB_ANALYZE);
                    default -> throw new IllegalArgumentException("unsupported database: " + system.wireName());
                }
            }
            boolean failed = false;
            for (MaintenanceKind kind : kinds) {
                var b = OpsDb.maintenance(ds, kind).deadline(DurationText.parse(deadline));
                if (!apply) {
                    b.dryRun();
                }
                var t = b.build();
                TaskOutcome outcome = t.run(TaskContext.standalone(t.name(), Duration.ofHours(24), Clock.systemUTC()));
                System.out.println(outcome.summary());
                failed |= outcome instanceof TaskOutcome.Failed;
            }
            if (failed) {
                System.err.println("opskit-db: a maintenance task found problems");
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "retain", description = "Archive or delete old rows in batches; a dry run unless --apply.")
    static final class Retain extends Base implements Callable<Integer> {
        @Option(names = "--table", required = true)
        String table;

        @Option(names = "--older-than", required = true, description = "COLUMN=DURATION, e.g. created_at=90d")
        String olderThan;

        @Option(names = "--archive-to", description = "archive table (default: delete)")
        @Nullable String archiveTo;

        @Option(names = "--time-format", defaultValue = "TIMESTAMP", description = "TIMESTAMP, EPOCH_MILLIS, EPOCH_SECONDS or ISO_TEXT")
        RetentionRule.TimeFormat format;

        @Option(names = "--batch-size", description = "fixed rows per batch (default: 1000 to start, then sized so each batch takes about 100 ms)")
        int batchSize;

        @Option(names = "--force", description = "run even above half of the table")
        boolean force;

        @Option(names = "--apply", description = "move or delete rows (default: count them)")
        boolean apply;

        @Override
        public Integer call() throws Exception {
            int eq = olderThan.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--older-than must be COLUMN=DURATION: " + olderThan);
            }
            RetentionRule.Step step = RetentionRule.table(table)
                    .olderThan(olderThan.substring(0, eq), DurationText.parse(olderThan.substring(eq + 1))).timeFormat(format);
            RetentionRule rule = archiveTo == null ? step.delete() : step.archiveTo(archiveTo);
            RetentionTask.Builder b = OpsDb.retention(ds(), rule);
            if (batchSize > 0) {
                b.batchSize(batchSize);
            }
            if (!apply) {
                b.dryRun();
            }
            if (force) {
                b.force();
            }
            RetentionTask task = b.build();
            System.out.println(task.run(TaskContext.standalone(task.name(), Duration.ofHours(24), Clock.systemUTC())).summary());
            return 0;
        }
    }
}
