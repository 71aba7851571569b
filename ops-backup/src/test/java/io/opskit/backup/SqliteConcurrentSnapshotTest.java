package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.internal.SqliteSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteConcurrentSnapshotTest {

    @TempDir
    Path dir;

    @Test
    void backup_underConcurrentWriters_restoresEveryRowCommittedBeforeItAndPassesIntegrityCheck() throws Exception {
        Path db = dir.resolve("live.db");
        TestDb.create(db, 20_000);
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k"))).source(BackupSources.sqlite("live", db)).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lastCommitted = new AtomicLong(TestDb.maxId(db));
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        Thread[] writers = new Thread[2];
        for (int w = 0; w < writers.length; w++) {
            writers[w] = new Thread(() -> {
                try (Connection c = TestDb.open(db);
                     PreparedStatement insert = c.prepareStatement("INSERT INTO notes(body) VALUES (?) RETURNING id")) {
                    while (!stop.get()) {
                        insert.setString(1, "written during backup");
                        long id;
                        try (var rs = insert.executeQuery()) {
                            rs.next();
                            id = rs.getLong(1);
                        }
                        // The autocommit transaction ends when the statement is reset, i.e. now.
                        lastCommitted.accumulateAndGet(id, Math::max);
                    }
                } catch (Throwable t) {
                    writerError.set(t);
                }
            });
            writers[w].start();
        }
        try {
            for (int round = 0; round < 3; round++) {
                long committedBefore = lastCommitted.get();
                BackupManifest made = repository.backup();
                Path restored = dir.resolve("restored-" + round + ".db");
                repository.restore(made.id(), restored.toString(), false);

                assertThat(SqliteSource.integrityCheck(restored)).isEqualTo("ok");
                long max = TestDb.maxId(restored);
                assertThat(max).isGreaterThanOrEqualTo(committedBefore);
                // One committed state: no gaps, so every row up to the newest one is there.
                assertThat(TestDb.count(restored)).isEqualTo(max);
            }
        } finally {
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
        }
        assertThat(writerError.get()).isNull();
        assertThat(TestDb.maxId(db)).isGreaterThan(20_000);
    }
}
