package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real pg_dump and pg_restore against the machine's PostgreSQL. */
class PostgresRoundTripTest {

    private static final String ADMIN = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

    @TempDir
    Path dir;

    private final String source = "opskit_bk_src_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String target = "opskit_bk_dst_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    static void requirePostgres() {
        try (Connection ignored = DriverManager.getConnection(ADMIN)) {
            // reachable
        } catch (SQLException e) {
            String message = "PostgreSQL at 127.0.0.1:5432 is not reachable: " + e.getMessage();
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            assumeTrue(false, message);
        }
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String url(String db) {
        return "jdbc:postgresql://127.0.0.1:5432/" + db + "?user=postgres";
    }

    @BeforeEach
    void createDatabases() throws SQLException {
        requirePostgres();
        admin("CREATE DATABASE " + source);
        admin("CREATE DATABASE " + target);
        try (Connection c = DriverManager.getConnection(url(source)); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders(id serial PRIMARY KEY, item text NOT NULL, cents int NOT NULL)");
            s.execute("INSERT INTO orders(item, cents) SELECT 'item ' || g, g FROM generate_series(1, 5000) g");
        }
    }

    @AfterEach
    void dropDatabases() throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN)) {
            admin("DROP DATABASE IF EXISTS " + source + " WITH (FORCE)");
            admin("DROP DATABASE IF EXISTS " + target + " WITH (FORCE)");
        } catch (SQLException e) {
            // unreachable: nothing was created
        }
    }

    private static long sum(String db) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(db)); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) * 1000000 + sum(cents) FROM orders")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void backup_pgDump_restoresIntoAnotherDatabaseAndVerifiesByFullRead() throws Exception {
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k")))
                .source(BackupSources.postgres("orders", url(source)))
                .verifyLevel(VerifyLevel.TEST_RESTORE).build();

        BackupManifest made = repository.backup();
        assertThat(made.verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isTrue();
        repository.restore(made.id(), url(target), false);

        assertThat(sum(target)).isEqualTo(sum(source)).isEqualTo(5000L * 1000000 + 5000L * 5001 / 2);
        // A second restore into a database that now has tables needs force, then replaces them.
        assertThatThrownBy(() -> repository.restore(made.id(), url(target), false))
                .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("already has tables");
        try (Connection c = DriverManager.getConnection(url(target)); Statement s = c.createStatement()) {
            s.execute("DELETE FROM orders WHERE id > 10");
        }
        repository.restore(made.id(), url(target), true);
        assertThat(sum(target)).isEqualTo(sum(source));
    }

    @Test
    void backup_unknownDatabase_failsWithPgDumpsReasonAndNoPassword() {
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k")))
                .source(BackupSources.postgres("missing", "jdbc:postgresql://127.0.0.1:5432/no_such_db_opskit?user=postgres&password=hunter2"))
                .build();

        assertThatThrownBy(repository::backup).isInstanceOf(BackupFailedException.class)
                .hasMessageContaining("pg_dump failed").hasMessageContaining("no_such_db_opskit")
                .hasMessageNotContaining("hunter2");
        assertThat(repository.list()).isEmpty();
    }

    @Test
    void finding6_passwordOnTheCommandLine_psNeverShowsItDuringABackupOrARestore() throws Exception {
        String secret = "s3cr3t-" + UUID.randomUUID();
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k")))
                .source(BackupSources.postgres("orders", url(source), secret)).build();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.List<String> leaks = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger samples = new java.util.concurrent.atomic.AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                try (var procs = java.nio.file.Files.list(Path.of("/proc"))) {
                    for (Path p : (Iterable<Path>) procs::iterator) {
                        Path cmdline = p.resolve("cmdline");
                        try {
                            String args = new String(java.nio.file.Files.readAllBytes(cmdline), java.nio.charset.StandardCharsets.UTF_8);
                            if (args.contains(secret)) {
                                leaks.add(args.replace('\0', ' '));
                            }
                        } catch (java.io.IOException ignored) {
                            // the process ended
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // keep sampling
                }
                samples.incrementAndGet();
            }
        });
        sampler.start();
        try {
            BackupManifest made = repository.backup();
            repository.restore(made.id(), io.opskit.api.backup.RestoreTarget.postgres(url(target), secret),
                    io.opskit.api.backup.RestoreOptions.defaults());
        } finally {
            done.set(true);
            sampler.join();
        }
        assertThat(sum(target)).isEqualTo(sum(source));
        assertThat(samples.get()).isPositive();
        assertThat(leaks).isEmpty();
    }

    @Test
    void finding6_sslmodeInTheUrl_reachesPgDump_insteadOfBeingDropped() {
        // The machine's server does not offer TLS: with sslmode=require pg_dump must refuse to go on in plain text.
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k")))
                .source(BackupSources.postgres("orders", url(source) + "&sslmode=require&connect_timeout=5")).build();

        assertThatThrownBy(repository::backup).isInstanceOf(BackupFailedException.class)
                .hasMessageContaining("SSL");
    }

    @Test
    void finding6_unknownUrlParameter_isRefusedNotDropped() {
        assertThatThrownBy(() -> BackupSources.postgres("x", url(source) + "&sslfactory=org.Foo&password=hunter2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sslfactory")
                .hasMessageNotContaining("hunter2");
    }
}
