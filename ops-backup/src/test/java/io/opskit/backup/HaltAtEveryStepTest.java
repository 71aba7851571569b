package io.opskit.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.backup.retention.RetentionPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings 5 and 7: a writer halted (as by {@code kill -9}) at each numbered write, rename and
 * delete of a backup or a prune leaves no visible partial backup, and the next operation leaves no
 * leftovers: no snapshot copy beside the database, nothing in {@code .tmp/}, no manifest-less
 * backup directory.
 */
class HaltAtEveryStepTest {

    /** The exit status of a JVM halted at a crash point (as after kill -9). */
    private static final int HALTED = 137;

    @TempDir
    Path dir;

    private record Run(int status, String out) {
    }

    private Run child(String mode, Path repo, Path key, Path db, int haltAt) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Dopskit.backup.crashAt=" + haltAt,
                "-cp", System.getProperty("java.class.path"), HaltChild.class.getName(),
                mode, repo.toString(), key.toString(), db.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child %s halted at %d finishes", mode, haltAt).isTrue();
        return new Run(p.exitValue(), out.trim());
    }

    private static BackupRepository repository(Path repo, Path key, Path db) {
        return BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key))
                .source(BackupSources.sqlite("app-db", db)).build();
    }

    private static Set<String> ids(BackupRepository repository) {
        return repository.list().stream().map(BackupManifest::id).collect(Collectors.toSet());
    }

    /** No partial backup is visible: every listed backup verifies, nothing is unreadable. */
    private static void assertWhole(BackupRepository repository) {
        assertThat(repository.unreadable()).isEmpty();
        for (BackupManifest m : repository.list()) {
            repository.verify(m.id(), VerifyLevel.DECODE);
        }
    }

    private static void assertNoLeftovers(Path repo, Path db) throws IOException {
        try (Stream<Path> tmp = Files.list(repo.resolve(".tmp"))) {
            assertThat(tmp).as("nothing left in .tmp").isEmpty();
        }
        try (Stream<Path> entries = Files.list(repo)) {
            entries.filter(p -> !p.getFileName().toString().startsWith(".")).forEach(p ->
                    assertThat(p.resolve("manifest.json")).as("backup directory %s is committed", p).isRegularFile());
        }
        try (Stream<Path> beside = Files.list(db.getParent())) {
            assertThat(beside.map(p -> p.getFileName().toString()))
                    .as("no snapshot copy beside the database").noneMatch(n -> n.contains(".snapshot-"));
        }
    }

    @Test
    void finding5_backupHaltedAtEveryStep_leavesNothingVisible_andTheNextBackupLeavesNoLeftovers() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        Path db = src.resolve("app.db");
        TestDb.create(db, 300);
        Path key = dir.resolve("backup.key");
        KeyFile.loadOrCreate(key);

        Run counting = child("backup", dir.resolve("count-repo"), key, db, 0);
        assertThat(counting.status()).isZero();
        int steps = Integer.parseInt(counting.out().replace("steps ", ""));
        assertThat(steps).as("crash points in one backup").isGreaterThanOrEqualTo(12);

        Path repo = dir.resolve("repo");
        BackupRepository repository = repository(repo, key, db);
        repository.backup();
        List<String> outcomes = new ArrayList<>();
        for (int k = 1; k <= steps; k++) {
            Set<String> before = ids(repository);
            Run halted = child("backup", repo, key, db, k);
            assertThat(halted.status()).as("halted at step %d", k).isEqualTo(HALTED);

            Set<String> after = ids(repository);
            assertThat(after).as("after a halt at step %d", k).containsAll(before);
            assertThat(after.size() - before.size()).as("at most the one backup, whole, after step %d", k).isBetween(0, 1);
            outcomes.add(after.size() > before.size() ? "committed" : "invisible");
            assertWhole(repository);

            repository.backup(); // the next operation
            assertNoLeftovers(repo, db);
            assertWhole(repository);
        }
        // Halts before the manifest leave nothing; the last ones (after its commit) leave the whole backup.
        assertThat(outcomes).contains("invisible", "committed");
        assertThat(outcomes.get(0)).isEqualTo("invisible");
        assertThat(outcomes.get(steps - 1)).isEqualTo("committed");
    }

    @Test
    void finding7_pruneHaltedAtEveryStep_leavesWholeBackups_andTheNextPruneLeavesNoLeftovers() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        Path db = src.resolve("app.db");
        TestDb.create(db, 100);
        Path key = dir.resolve("backup.key");
        KeyFile.loadOrCreate(key);
        FakeClockRepo fake = new FakeClockRepo(key, db);

        Path countRepo = fake.withBackups(dir.resolve("count-repo"), 3);
        Run counting = child("prune", countRepo, key, db, 0);
        assertThat(counting.status()).isZero();
        int steps = Integer.parseInt(counting.out().replace("steps ", ""));
        assertThat(steps).as("crash points in one prune of two backups").isGreaterThanOrEqualTo(4);

        for (int k = 1; k <= steps; k++) {
            Path repo = fake.withBackups(dir.resolve("repo-" + k), 3);
            BackupRepository repository = repository(repo, key, db);
            String newest = repository.list().get(2).id();
            Run halted = child("prune", repo, key, db, k);
            assertThat(halted.status()).as("halted at step %d", k).isEqualTo(HALTED);

            assertThat(ids(repository)).as("after a halt at step %d", k).contains(newest);
            assertWhole(repository);

            repository.prune(RetentionPolicy.builder().keepLast(1).build(), true); // the next operation
            assertThat(ids(repository)).containsExactly(newest);
            assertNoLeftovers(repo, db);
        }
    }

    /** Makes repositories holding n backups, one a day apart. */
    private static final class FakeClockRepo {
        private final Path key;
        private final Path db;

        FakeClockRepo(Path key, Path db) {
            this.key = key;
            this.db = db;
        }

        Path withBackups(Path repo, int n) {
            io.opskit.testsupport.FakeClock clock = io.opskit.testsupport.FakeClock.at("2026-11-01T02:00:00Z");
            BackupRepository r = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key))
                    .source(BackupSources.sqlite("app-db", db)).clock(clock).build();
            for (int i = 0; i < n; i++) {
                r.backup();
                clock.advance(java.time.Duration.ofDays(1));
            }
            return repo;
        }
    }
}
