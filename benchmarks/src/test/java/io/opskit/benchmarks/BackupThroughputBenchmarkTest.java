package io.opskit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's database generator, on a small size, so that a fresh machine can run the benchmark. */
class BackupThroughputBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void finding11_generatorOnAFreshDirectory_makesAWholeDatabaseOfTheAskedSize_insteadOfFailingWithSqliteBusy()
            throws Exception {
        Path db = dir.resolve("bench.db");
        long bytes = 6L << 20;

        BackupThroughputBenchmark.ensureDatabase(db, bytes);

        assertThat(Files.size(db)).isGreaterThanOrEqualTo(bytes);
        assertThat(db.resolveSibling("bench.db-wal")).doesNotExist();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("ok");
            }
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM notes")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getLong(1)).isGreaterThanOrEqualTo(10_000);
            }
        }
        long modified = Files.getLastModifiedTime(db).toMillis();
        BackupThroughputBenchmark.ensureDatabase(db, bytes);
        assertThat(Files.getLastModifiedTime(db).toMillis()).as("an existing database is reused").isEqualTo(modified);
    }
}
